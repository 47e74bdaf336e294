//===- GemmDescription.cpp - what a generated GEMM computes ---------------===//

#include "passes/codegen/common/GemmDescription.h"

#include "dialect/FFNFusedOps.h"
#include "passes/codegen/common/TensorBuffers.h"
#include "passes/utils/MatmulForms.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Matchers.h"

#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/Debug.h"

#include <type_traits>

#define DEBUG_TYPE "glu-gemm-description"

using namespace mlir;
using namespace mlir::ffn;

RankedTensorType GemmDescription::getResultType() const {
  return cast<RankedTensorType>(dest.getType());
}

RankedTensorType GemmDescription::getPreactivationsType() const {
  return preactivationsDest
             ? cast<RankedTensorType>(preactivationsDest.getType())
             : RankedTensorType();
}

bool GemmDescription::isZeroInit() const {
  return initScalar && matchPattern(initScalar, m_AnyZeroFloat());
}

bool mlir::ffn::isZeroFill(Value value) {
  auto fill = value.getDefiningOp<linalg::FillOp>();
  return fill && fill.hasPureTensorSemantics() &&
         matchPattern(fill.getInputs()[0], m_AnyZeroFloat());
}

bool GemmDescription::isBlocked() const {
  return epilogue == GemmEpilogue::Gate || epilogue == GemmEpilogue::DGate;
}

Value GemmDescription::getM(OpBuilder &b, Location loc) const {
  return getDimIndex(b, loc, dest, batched ? 1 : 0);
}

Value GemmDescription::getN(OpBuilder &b, Location loc) const {
  // DGate's result is packed [M, 2 N]: its N is the rows of W2 [N, K].
  if (epilogue == GemmEpilogue::DGate)
    return getDimIndex(b, loc, rhs.value, 0);
  return getDimIndex(b, loc, dest, batched ? 2 : 1);
}

Value GemmDescription::getK(OpBuilder &b, Location loc) const {
  int64_t first = batched ? 1 : 0;
  return getDimIndex(b, loc, lhs.value, lhs.transposed ? first : first + 1);
}

Value GemmDescription::getBatch(OpBuilder &b, Location loc) const {
  assert(batched && "not a batched GEMM");
  return getDimIndex(b, loc, dest, 0);
}

/// Fails with `reason`, recorded in `why`.
template <typename Description = GemmDescription>
static FailureOr<Description> refuse(std::string *why, StringRef reason) {
  LLVM_DEBUG(llvm::dbgs() << "not a "
                          << (std::is_same_v<Description, GemmDescription>
                                  ? "GEMM"
                                  : "column sum")
                          << ": " << reason << "\n");
  if (why)
    *why = reason.str();
  return failure();
}

/// Sets the initial value of an accumulating GEMM from its init tensor.
static void describeInit(Value init, GemmDescription &gemm) {
  gemm.dest = init;
  auto fill = init.getDefiningOp<linalg::FillOp>();
  if (fill && fill.hasPureTensorSemantics()) {
    gemm.initScalar = fill.getInputs()[0];
    return;
  }
  gemm.init = init;
}

/// linalg.matmul and linalg.batch_matmul in the forms of MatmulForms.h.
static FailureOr<GemmDescription>
describeContraction(linalg::LinalgOp op, bool batched, std::string *why) {
  if (!op.hasPureTensorSemantics())
    return refuse(why, "not on tensors");
  auto form = classifyMatmulMaps(op.getIndexingMapsArray(), batched);
  if (!form)
    return refuse(why, "indexing maps of no supported form (plain, or one "
                       "operand transposed)");
  GemmDescription gemm;
  gemm.op = op;
  gemm.epilogue = GemmEpilogue::Accumulate;
  gemm.batched = batched;
  gemm.lhs = {op.getDpsInputs()[0], *form == MatmulForm::TransposedLhs};
  gemm.rhs = {op.getDpsInputs()[1], *form == MatmulForm::TransposedRhs};
  describeInit(op.getDpsInits()[0], gemm);
  return gemm;
}

template <typename MatmulOp>
static FailureOr<GemmDescription> describeCast(MatmulOp op, bool batched,
                                               std::string *why) {
  if (op.getCast() != linalg::TypeFn::cast_signed)
    return refuse(why, "an unsigned cast");
  return describeContraction(cast<linalg::LinalgOp>(op.getOperation()), batched,
                             why);
}

static GemmDescription describeGated(GatedMatmulOp op) {
  GemmDescription gemm;
  gemm.op = op;
  gemm.epilogue = GemmEpilogue::Gate;
  gemm.lhs = {op.getInput()};
  gemm.rhs = {op.getPackedWeight()};
  gemm.bias = op.getPackedBias();
  gemm.activation = op.getActivation();
  gemm.blockSize = op.getBlockSize();
  gemm.dest = op.getInit();
  gemm.preactivationsDest = op.getPreactivationsInit();
  return gemm;
}

static GemmDescription describeActivated(ActivatedMatmulOp op) {
  GemmDescription gemm;
  gemm.op = op;
  gemm.epilogue = GemmEpilogue::Activate;
  gemm.lhs = {op.getInput()};
  gemm.rhs = {op.getWeight()};
  gemm.bias = op.getBias();
  gemm.activation = op.getActivation();
  gemm.dest = op.getInit();
  gemm.preactivationsDest = op.getPreactivationsInit();
  return gemm;
}

/// The backward GEMMs: dh = dy W2^T, W2 [d_ff, d_out] read transposed.
template <typename BackwardOp>
static GemmDescription describeBackward(BackwardOp op, GemmEpilogue epilogue,
                                        Value preactivations) {
  GemmDescription gemm;
  gemm.op = op;
  gemm.epilogue = epilogue;
  gemm.lhs = {op.getOutputGrad()};
  gemm.rhs = {op.getW2(), /*transposed=*/true};
  gemm.preactivations = preactivations;
  gemm.activation = op.getActivation();
  gemm.dest = op.getInit();
  return gemm;
}

FailureOr<GemmDescription> mlir::ffn::describeGemm(Operation *op,
                                                   std::string *why) {
  return llvm::TypeSwitch<Operation *, FailureOr<GemmDescription>>(op)
      .Case([&](linalg::MatmulOp matmul) {
        return describeCast(matmul, /*batched=*/false, why);
      })
      .Case([&](linalg::BatchMatmulOp matmul) {
        return describeCast(matmul, /*batched=*/true, why);
      })
      .Case([](GatedMatmulOp gated) { return describeGated(gated); })
      .Case([](ActivatedMatmulOp activated) {
        return describeActivated(activated);
      })
      .Case([](DActivationMatmulOp backward) {
        return describeBackward(backward, GemmEpilogue::DActivate,
                                backward.getPreactivations());
      })
      .Case([](DGateMatmulOp backward) {
        GemmDescription gemm = describeBackward(
            backward, GemmEpilogue::DGate, backward.getPackedPreactivations());
        gemm.blockSize = backward.getBlockSize();
        return gemm;
      })
      .Default([&](Operation *) { return refuse(why, "not a GEMM op"); });
}

SmallVector<Value> mlir::ffn::getGemmResultTensors(OpBuilder &b, Location loc,
                                                   const GemmDescription &gemm,
                                                   Value out,
                                                   Value preactivationsOut) {
  SmallVector<Value> results = {
      tensorOfFilledBuffer(b, loc, gemm.getResultType(), out)};
  if (gemm.keepsPreactivations())
    results.push_back(tensorOfFilledBuffer(b, loc, gemm.getPreactivationsType(),
                                           preactivationsOut));
  return results;
}

/// Whether `body` is exactly `yield addf(arg0, arg1)` (either order).
static bool isAddOfArguments(Block &body) {
  auto add = dyn_cast<arith::AddFOp>(body.front());
  auto yield = dyn_cast<linalg::YieldOp>(body.getTerminator());
  if (body.getOperations().size() != 2 || body.getNumArguments() != 2 || !add ||
      !yield || yield.getNumOperands() != 1 ||
      yield.getOperand(0) != add.getResult())
    return false;
  auto isArgs = [&](unsigned x, unsigned y) {
    return add.getLhs() == body.getArgument(x) &&
           add.getRhs() == body.getArgument(y);
  };
  return isArgs(0, 1) || isArgs(1, 0);
}

FailureOr<ColumnSumDescription>
mlir::ffn::describeColumnSum(linalg::ReduceOp op, std::string *why) {
  auto refuseSum = [&](StringRef reason) {
    return refuse<ColumnSumDescription>(why, reason);
  };
  if (!op.hasPureTensorSemantics() || op.getNumDpsInputs() != 1 ||
      op.getDimensions() != ArrayRef<int64_t>{0})
    return refuseSum("not a reduction of one tensor over its rows");
  Value input = op.getInputs()[0], init = op.getInits()[0];
  auto inputType = dyn_cast<RankedTensorType>(input.getType());
  if (!inputType || inputType.getRank() != 2)
    return refuseSum("not a matrix");
  if (!isAddOfArguments(op.getCombiner().front()))
    return refuseSum("the combiner is not an addf of its arguments");
  return ColumnSumDescription{input, init};
}

FailureOr<RowReductionDescription>
mlir::ffn::describeRowReduction(linalg::LinalgOp op, std::string *why) {
  auto refuseReduction = [&](StringRef reason) {
    return refuse<RowReductionDescription>(why, reason);
  };
  if (!op.hasPureTensorSemantics() || op.getNumDpsInputs() != 1 ||
      op.getNumDpsInits() < 1 || op.getNumDpsInits() > 2)
    return refuseReduction("not a generic of one input and one init on "
                           "tensors (or two, the second unused)");
  if (op.getNumDpsInits() == 2 && !op->getResult(1).use_empty())
    return refuseReduction("its second result is used");
  unsigned loops = op.getNumLoops();
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  if (loops < 2 || iterators.back() != utils::IteratorType::reduction ||
      llvm::count(iterators, utils::IteratorType::reduction) != 1)
    return refuseReduction("not a reduction over the last loop alone");
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  MLIRContext *ctx = op.getContext();
  if (!maps[0].isIdentity())
    return refuseReduction("the input is not read by the identity map");
  AffineMap outer = AffineMap::getMultiDimIdentityMap(loops - 1, ctx);
  SmallVector<AffineExpr> kept(outer.getResults());
  kept.push_back(getAffineConstantExpr(0, ctx));
  AffineMap dropped = AffineMap::get(loops, 0, outer.getResults(), ctx);
  AffineMap keptUnit = AffineMap::get(loops, 0, kept, ctx);
  if (maps[1] != dropped && maps[1] != keptUnit)
    return refuseReduction("the init is not indexed by the parallel loops");
  // The first yield: addf or maximumf of the input element and the init's,
  // computed from nothing else.
  Block &body = *op.getBlock();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  Operation *combine = yield.getOperand(0).getDefiningOp();
  Value in = body.getArgument(0), acc = body.getArgument(1);
  if (!combine || combine->getBlock() != &body ||
      !isa<arith::AddFOp, arith::MaximumFOp>(combine) ||
      !((combine->getOperand(0) == in && combine->getOperand(1) == acc) ||
        (combine->getOperand(0) == acc && combine->getOperand(1) == in)))
    return refuseReduction(
        "the body does not yield an addf or maximumf of its arguments");
  if (op.getNumDpsInits() == 1 && body.getOperations().size() != 2)
    return refuseReduction("the body computes more than the reduction");
  RowReductionDescription reduction;
  reduction.kind = isa<arith::MaximumFOp>(combine)
                       ? RowReductionDescription::Kind::Max
                       : RowReductionDescription::Kind::Add;
  reduction.input = op.getDpsInputs()[0];
  reduction.init = op.getDpsInits()[0];
  reduction.keepDim = maps[1] == keptUnit;
  return reduction;
}
