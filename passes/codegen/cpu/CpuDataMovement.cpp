//===- CpuDataMovement.cpp - packing, gating and sums as vector nests -----===//
//
// The CPU code of the fused layers' data-movement ops: ffn.apply_gate,
// ffn.pack_gated and ffn.unpack_gated become parallel rows x blocks nests
// of masked vector loads and stores (CpuGemmTiles::lanes wide), and a
// column sum (the bias gradients, GemmDescription.h) a parallel nest over
// stripes of four vectors of columns with vector accumulators, and a row sum
// or maximum (RMS norm's sum, softmax's max and sum along the last
// dimension) a parallel loop over the rows with four vector accumulators
// each: no scalar loop over a
// large tensor is left to convert-ffn-to-linalg and linalg-to-loops.
//
//===----------------------------------------------------------------------===//

#include "passes/codegen/cpu/CpuBuffers.h"
#include "passes/codegen/cpu/CpuGemm.h"

#include "dialect/FFNFusedOps.h"
#include "passes/codegen/common/GemmDescription.h"
#include "passes/codegen/common/TensorBuffers.h"
#include "passes/utils/ActivationMath.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"

#include "llvm/Support/Debug.h"

#include <limits>

#define DEBUG_TYPE "glu-cpu-gemm"

using namespace mlir;
using namespace mlir::ffn;

/// A parallel, vectorized loop nest over the packed blocks of `width`
/// columns (`columns` in all, the last block ragged) of `rows` rows (null:
/// rank-1 operands, no row index): `body(builder, row, first, width, c,
/// mask)` is called for the `lanes` lanes from column `first + c` of block
/// [first, first + width), `mask` holding its valid lanes.
static void emitBlockedElementwise(
    OpBuilder &b, Location loc, Value rows, Value columns, int64_t blockSize,
    int64_t lanes,
    function_ref<void(OpBuilder &, Value, Value, Value, Value, Value)> body) {
  auto c = [&](int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); };
  Value block = c(blockSize);
  Value blocks = arith::CeilDivSIOp::create(b, loc, columns, block);
  SmallVector<Value> lower = {c(0)}, upper = {blocks}, steps = {c(1)};
  if (rows) {
    lower.insert(lower.begin(), c(0));
    upper.insert(upper.begin(), rows);
    steps.insert(steps.begin(), c(1));
  }
  auto maskType = VectorType::get({lanes}, b.getI1Type());
  scf::ParallelOp::create(
      b, loc, lower, upper, steps,
      [&](OpBuilder &nb, Location l, ValueRange ivs) {
        Value row = rows ? ivs[0] : Value();
        Value j = ivs.back();
        Value first = arith::MulIOp::create(nb, l, j, block);
        Value width = arith::MinSIOp::create(
            nb, l, block, arith::SubIOp::create(nb, l, columns, first));
        Value zero = arith::ConstantIndexOp::create(nb, l, 0);
        Value step = arith::ConstantIndexOp::create(nb, l, lanes);
        scf::ForOp::create(
            nb, l, zero, width, step, ValueRange{},
            [&](OpBuilder &fb, Location fl, Value col, ValueRange) {
              Value left = arith::SubIOp::create(fb, fl, width, col);
              Value mask = vector::CreateMaskOp::create(fb, fl, maskType,
                                                        ValueRange{left});
              body(fb, row, first, width, col, mask);
              scf::YieldOp::create(fb, fl);
            });
      });
}

/// {row, col}, or {col} without a row.
static SmallVector<Value> at(Value row, Value col) {
  if (row)
    return {row, col};
  return {col};
}

static Value addIndex(OpBuilder &b, Location loc, Value x, Value y) {
  return arith::AddIOp::create(b, loc, x, y);
}

/// Whether `type` is an f32 tensor of rank 1 or 2 (what the blocked
/// elementwise nests take).
static bool isF32RowsOrVector(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return isF32Tensor(type) && (tensor.getRank() == 1 || tensor.getRank() == 2);
}

namespace {

/// Sizes of `tensor` as index values.
static SmallVector<Value> sizesOf(OpBuilder &b, Location loc, Value tensor) {
  SmallVector<Value> sizes;
  for (int64_t i = 0, e = cast<RankedTensorType>(tensor.getType()).getRank();
       i < e; ++i)
    sizes.push_back(tensor::DimOp::create(b, loc, tensor, i));
  return sizes;
}

/// ffn.apply_gate (f32, rank 2) -> h = gate(a) * b by a parallel loop nest
/// over rows x packed blocks of vectors.
struct GenerateApplyGate : OpRewritePattern<ApplyGateOp> {
  GenerateApplyGate(MLIRContext *ctx, int64_t lanes)
      : OpRewritePattern(ctx), lanes(lanes) {}

  LogicalResult matchAndRewrite(ApplyGateOp op,
                                PatternRewriter &rewriter) const override {
    if (!isF32RowsOrVector(op.getPacked().getType()) ||
        !isF32RowsOrVector(op.getResult().getType()))
      return rewriter.notifyMatchFailure(op, "not f32 rank-1/2 tensors");
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getResult().getType());
    Value packed = readRowsBuffer(rewriter, loc, op.getPacked());
    SmallVector<Value> sizes = sizesOf(rewriter, loc, op.getPacked());
    Value two = arith::ConstantIndexOp::create(rewriter, loc, 2);
    sizes.back() = arith::DivUIOp::create(rewriter, loc, sizes.back(), two);
    Value out = allocOfType(rewriter, loc, type, sizes);
    Value rows = type.getRank() == 2 ? sizes[0] : Value();
    ActivationAttr gate = op.getActivation();
    emitBlockedElementwise(
        rewriter, loc, rows, sizes.back(), op.getBlockSize(), lanes,
        [&](OpBuilder &b, Value row, Value first, Value width, Value c,
            Value mask) {
          Value aCol = addIndex(b, loc, addIndex(b, loc, first, first), c);
          Value bCol = addIndex(b, loc, aCol, width);
          Value a = loadLanes(b, loc, packed, at(row, aCol), mask);
          Value lin = loadLanes(b, loc, packed, at(row, bCol), mask);
          Value h = emitGatedProduct(b, loc, gate, a, lin);
          vector::MaskedStoreOp::create(
              b, loc, out, at(row, addIndex(b, loc, first, c)), mask, h);
        });
    rewriter.replaceOp(op, tensorOfFilledBuffer(rewriter, loc, type, out));
    return success();
  }

  int64_t lanes;
};

/// Whether `v` is a constant (ffn.pack_gated and ffn.unpack_gated of
/// constants fold instead).
static bool isConstant(Value v) {
  return v.getDefiningOp() &&
         v.getDefiningOp()->hasTrait<OpTrait::ConstantLike>();
}

/// ffn.pack_gated (f32, rank 1 or 2) -> a parallel nest of vector
/// copies: each block's gate columns, then its linear columns.
struct GeneratePackGated : OpRewritePattern<PackGatedOp> {
  GeneratePackGated(MLIRContext *ctx, int64_t lanes)
      : OpRewritePattern(ctx), lanes(lanes) {}

  LogicalResult matchAndRewrite(PackGatedOp op,
                                PatternRewriter &rewriter) const override {
    if (!isF32RowsOrVector(op.getGate().getType()) ||
        !isF32RowsOrVector(op.getPacked().getType()))
      return rewriter.notifyMatchFailure(op, "not f32 rank-1/2 tensors");
    if (isConstant(op.getGate()) && isConstant(op.getLinear()))
      return rewriter.notifyMatchFailure(op, "constants fold");
    // The GEMMs that read the unpacked weights go first; the pack is
    // generated after them only if other users remain.
    if (isReadThroughByGemm(op))
      return rewriter.notifyMatchFailure(op, "a GEMM reads through it");
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getPacked().getType());
    Value gate = readRowsBuffer(rewriter, loc, op.getGate());
    Value linear = readRowsBuffer(rewriter, loc, op.getLinear());
    SmallVector<Value> sizes = sizesOf(rewriter, loc, op.getGate());
    Value columns = sizes.back();
    sizes.back() = addIndex(rewriter, loc, columns, columns);
    Value out = allocOfType(rewriter, loc, type, sizes);
    Value rows = type.getRank() == 2 ? sizes[0] : Value();
    emitBlockedElementwise(rewriter, loc, rows, columns, op.getBlockSize(),
                           lanes,
                           [&](OpBuilder &b, Value row, Value first,
                               Value width, Value c, Value mask) {
                             Value col = addIndex(b, loc, first, c);
                             Value aCol = addIndex(b, loc, first, col);
                             Value bCol = addIndex(b, loc, aCol, width);
                             vector::MaskedStoreOp::create(
                                 b, loc, out, at(row, aCol), mask,
                                 loadLanes(b, loc, gate, at(row, col), mask));
                             vector::MaskedStoreOp::create(
                                 b, loc, out, at(row, bCol), mask,
                                 loadLanes(b, loc, linear, at(row, col), mask));
                           });
    rewriter.replaceOp(op, tensorOfFilledBuffer(rewriter, loc, type, out));
    return success();
  }

  int64_t lanes;
};

/// ffn.unpack_gated (f32, rank 1 or 2) -> the inverse vector copies.
struct GenerateUnpackGated : OpRewritePattern<UnpackGatedOp> {
  GenerateUnpackGated(MLIRContext *ctx, int64_t lanes)
      : OpRewritePattern(ctx), lanes(lanes) {}

  LogicalResult matchAndRewrite(UnpackGatedOp op,
                                PatternRewriter &rewriter) const override {
    if (!isF32RowsOrVector(op.getPacked().getType()) ||
        !isF32RowsOrVector(op.getGate().getType()))
      return rewriter.notifyMatchFailure(op, "not f32 rank-1/2 tensors");
    if (isConstant(op.getPacked()))
      return rewriter.notifyMatchFailure(op, "constants fold");
    if (isStoredUnpackedByGemm(op))
      return rewriter.notifyMatchFailure(op, "its GEMM stores it unpacked");
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getGate().getType());
    Value packed = readRowsBuffer(rewriter, loc, op.getPacked());
    SmallVector<Value> sizes = sizesOf(rewriter, loc, op.getPacked());
    Value two = arith::ConstantIndexOp::create(rewriter, loc, 2);
    sizes.back() = arith::DivUIOp::create(rewriter, loc, sizes.back(), two);
    Value gate = allocOfType(rewriter, loc, type, sizes);
    Value linear = allocOfType(rewriter, loc, type, sizes);
    Value rows = type.getRank() == 2 ? sizes[0] : Value();
    emitBlockedElementwise(
        rewriter, loc, rows, sizes.back(), op.getBlockSize(), lanes,
        [&](OpBuilder &b, Value row, Value first, Value width, Value c,
            Value mask) {
          Value col = addIndex(b, loc, first, c);
          Value aCol = addIndex(b, loc, first, col);
          Value bCol = addIndex(b, loc, aCol, width);
          vector::MaskedStoreOp::create(
              b, loc, gate, at(row, col), mask,
              loadLanes(b, loc, packed, at(row, aCol), mask));
          vector::MaskedStoreOp::create(
              b, loc, linear, at(row, col), mask,
              loadLanes(b, loc, packed, at(row, bCol), mask));
        });
    rewriter.replaceOp(
        op, ValueRange{tensorOfFilledBuffer(rewriter, loc, type, gate),
                       tensorOfFilledBuffer(rewriter, loc, type, linear)});
    return success();
  }

  int64_t lanes;
};

/// linalg.reduce (f32, on tensors) of a [M, N] matrix over its rows with
/// an addf body (the bias gradients' column sums) -> a parallel loop nest
/// over stripes of 4 vectors of columns, each summing its rows in 4 vector
/// accumulators that start from the init.
struct GenerateColumnSums : OpRewritePattern<linalg::ReduceOp> {
  GenerateColumnSums(MLIRContext *ctx, int64_t lanes)
      : OpRewritePattern(ctx), lanes(lanes) {}

  LogicalResult matchAndRewrite(linalg::ReduceOp op,
                                PatternRewriter &rewriter) const override {
    std::string why;
    FailureOr<ColumnSumDescription> sum = describeColumnSum(op, &why);
    if (failed(sum))
      return rewriter.notifyMatchFailure(op, why);
    Value input = sum->input, init = sum->init;
    if (!isF32Tensor(input.getType()) || !isF32Tensor(init.getType()))
      return rewriter.notifyMatchFailure(op, "not an f32 matrix");
    Location loc = op.getLoc();
    auto c = [&](int64_t v) {
      return arith::ConstantIndexOp::create(rewriter, loc, v);
    };
    auto resultType = cast<RankedTensorType>(op.getResult(0).getType());
    Value matrix = readRowsBuffer(rewriter, loc, input);
    Value start = readRowsBuffer(rewriter, loc, init);
    Value rows = memref::DimOp::create(rewriter, loc, matrix, 0);
    Value cols = memref::DimOp::create(rewriter, loc, matrix, 1);
    Value out = allocOfType(rewriter, loc, resultType, {cols});
    constexpr int64_t kVectors = 4;
    auto maskType = VectorType::get({lanes}, rewriter.getI1Type());
    Value zero = c(0), one = c(1);
    scf::ParallelOp::create(
        rewriter, loc, ValueRange{zero}, ValueRange{cols},
        ValueRange{c(kVectors * lanes)},
        [&](OpBuilder &b, Location l, ValueRange ivs) {
          SmallVector<Value> colsOf, masks, accs;
          for (int64_t v = 0; v < kVectors; ++v) {
            Value col = arith::AddIOp::create(
                b, l, ivs[0], arith::ConstantIndexOp::create(b, l, v * lanes));
            colsOf.push_back(col);
            masks.push_back(vector::CreateMaskOp::create(
                b, l, maskType,
                ValueRange{arith::SubIOp::create(b, l, cols, col)}));
            accs.push_back(loadLanes(b, l, start, {col}, masks.back()));
          }
          auto rowLoop = scf::ForOp::create(
              b, l, zero, rows, one, accs,
              [&](OpBuilder &fb, Location fl, Value r, ValueRange iter) {
                SmallVector<Value> next;
                for (int64_t v = 0; v < kVectors; ++v)
                  next.push_back(arith::AddFOp::create(
                      fb, fl, iter[v],
                      loadLanes(fb, fl, matrix, {r, colsOf[v]}, masks[v])));
                scf::YieldOp::create(fb, fl, next);
              });
          for (int64_t v = 0; v < kVectors; ++v)
            vector::MaskedStoreOp::create(b, l, out, ValueRange{colsOf[v]},
                                          masks[v], rowLoop.getResult(v));
        });
    rewriter.replaceOp(op,
                       tensorOfFilledBuffer(rewriter, loc, resultType, out));
    return success();
  }

  int64_t lanes;
};

/// An f32 row reduction, generic or linalg.reduce (describeRowReduction:
/// RMS norm's sum of squares, softmax's max and denominator) -> a parallel loop
/// over its rows, each reduced along the last dimension by kVectors vector
/// accumulators of L lanes (masked past the end: zeros for a sum, -inf for a
/// max), combined and reduced to one lane, then with the init. The scalar loop
/// linalg-to-loops makes instead takes one element at a time in one
/// dependency chain. A max's unused second result (its argmax index) is
/// replaced by its init.
struct GenerateRowReductions : OpInterfaceRewritePattern<linalg::LinalgOp> {
  GenerateRowReductions(MLIRContext *ctx, int64_t lanes)
      : OpInterfaceRewritePattern(ctx), lanes(lanes) {}

  LogicalResult matchAndRewrite(linalg::LinalgOp op,
                                PatternRewriter &rewriter) const override {
    if (!isa<linalg::GenericOp, linalg::ReduceOp>(op.getOperation()))
      return rewriter.notifyMatchFailure(op, "not a generic or a reduce");
    std::string why;
    FailureOr<RowReductionDescription> reduction =
        describeRowReduction(op, &why);
    if (failed(reduction))
      return rewriter.notifyMatchFailure(op, why);
    if (!isF32Tensor(reduction->input.getType()) ||
        !isF32Tensor(reduction->init.getType()))
      return rewriter.notifyMatchFailure(op, "not f32 tensors");
    bool isMax = reduction->kind == RowReductionDescription::Kind::Max;
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
    Value input = readRowsBuffer(rewriter, loc, reduction->input);
    Value start = readRowsBuffer(rewriter, loc, reduction->init);
    Value out = allocLike(rewriter, loc, reduction->init);
    int64_t rank = cast<RankedTensorType>(reduction->input.getType()).getRank();
    auto c = [&](OpBuilder &b, int64_t v) {
      return arith::ConstantIndexOp::create(b, loc, v);
    };
    SmallVector<Value> lower, upper, steps;
    for (int64_t d = 0; d + 1 < rank; ++d) {
      lower.push_back(c(rewriter, 0));
      upper.push_back(memref::DimOp::create(rewriter, loc, input, d));
      steps.push_back(c(rewriter, 1));
    }
    Value cols = memref::DimOp::create(rewriter, loc, input, rank - 1);
    constexpr int64_t kVectors = 4;
    auto vecType = VectorType::get({lanes}, rewriter.getF32Type());
    auto maskType = VectorType::get({lanes}, rewriter.getI1Type());
    bool keepDim = reduction->keepDim;
    // x + y or max(x, y), on scalars or vectors.
    auto combine = [&](OpBuilder &b, Location l, Value x, Value y) -> Value {
      if (isMax)
        return arith::MaximumFOp::create(b, l, x, y);
      return arith::AddFOp::create(b, l, x, y);
    };
    scf::ParallelOp::create(
        rewriter, loc, lower, upper, steps,
        [&](OpBuilder &b, Location l, ValueRange ivs) {
          // The identity of the combination: 0, or -inf for a max (also
          // what the lanes past the row's end load).
          float identity =
              isMax ? -std::numeric_limits<float>::infinity() : 0.0f;
          Value neutral = arith::ConstantOp::create(
              b, l, vecType,
              DenseElementsAttr::get(vecType, b.getF32FloatAttr(identity)));
          SmallVector<Value> init(kVectors, neutral);
          auto colLoop = scf::ForOp::create(
              b, l, c(b, 0), cols, c(b, kVectors * lanes), init,
              [&](OpBuilder &fb, Location fl, Value col0, ValueRange accs) {
                SmallVector<Value> next;
                for (int64_t v = 0; v < kVectors; ++v) {
                  Value col =
                      arith::AddIOp::create(fb, fl, col0, c(fb, v * lanes));
                  Value mask = vector::CreateMaskOp::create(
                      fb, fl, maskType,
                      ValueRange{arith::SubIOp::create(fb, fl, cols, col)});
                  SmallVector<Value> at(ivs);
                  at.push_back(col);
                  Value lanesOf = vector::MaskedLoadOp::create(
                      fb, fl, vecType, input, at, mask, neutral);
                  next.push_back(combine(fb, fl, accs[v], lanesOf));
                }
                scf::YieldOp::create(fb, fl, next);
              });
          ValueRange accs = colLoop.getResults();
          Value total = combine(b, l, combine(b, l, accs[0], accs[1]),
                                combine(b, l, accs[2], accs[3]));
          Value rowValue = vector::ReductionOp::create(
              b, l,
              isMax ? vector::CombiningKind::MAXIMUMF
                    : vector::CombiningKind::ADD,
              total);
          SmallVector<Value> at(ivs);
          if (keepDim)
            at.push_back(c(b, 0));
          Value first = memref::LoadOp::create(b, l, start, at);
          memref::StoreOp::create(b, l, combine(b, l, first, rowValue), out,
                                  at);
        });
    SmallVector<Value> results = {
        tensorOfFilledBuffer(rewriter, loc, resultType, out)};
    if (op.getNumDpsInits() == 2)
      results.push_back(op.getDpsInits()[1]);
    rewriter.replaceOp(op, results);
    return success();
  }

  int64_t lanes;
};
} // namespace

void mlir::ffn::populateCpuDataMovementPatterns(RewritePatternSet &patterns,
                                                int64_t lanes) {
  patterns.add<GenerateApplyGate, GeneratePackGated, GenerateUnpackGated,
               GenerateColumnSums, GenerateRowReductions>(patterns.getContext(),
                                                          lanes);
}
