//===- CpuGemm.cpp - glu-cpu-gemm -----------------------------------------===//
//
// glu-cpu-gemm: every f32 op that describeGemm (GemmDescription.h) takes
// becomes the register-tiled loop nest of CpuGemmEmitter.cpp, and the
// fused layers' data-movement ops the vector nests of CpuDataMovement.cpp.
//
// Why on tensors, before bufferization: the pass slots into the pipeline
// where the ffn ops still exist (they have no memref form), and keeps
// one-shot-bufferize in charge of every other buffer. The generated nest
// reads its operands through bufferization.to_buffer read_only (strided
// layouts, so slices and function arguments both fit) and writes a fresh
// memref.alloc that leaves as bufferization.to_tensor restrict writable.
//
//===----------------------------------------------------------------------===//

#include "passes/codegen/cpu/CpuGemm.h"

#include "dialect/FFNFusedOps.h"
#include "passes/codegen/common/GemmDescription.h"
#include "passes/codegen/common/TensorBuffers.h"
#include "passes/codegen/cpu/CpuBuffers.h"
#include "passes/codegen/cpu/CpuGemmEmitter.h"
#include "passes/codegen/cpu/CpuTarget.h"
#include "passes/codegen/cpu/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "glu-cpu-gemm"

namespace mlir::ffn {
#define GEN_PASS_DEF_GLUCPUGEMM
#include "passes/codegen/cpu/Passes.h.inc"
} // namespace mlir::ffn

using namespace mlir;
using namespace mlir::ffn;

/// The ffn.pack_gated whose operands `gemm` reads directly instead of its
/// packed result, or null: a rank-2 f32 pack that is the right operand of
/// a gated GEMM of the same block size, or the transposed right operand of
/// a GEMM that reads it by dot products (dx = [da | db] [W | V]^T). Either
/// walks the weight's packed blocks itself, so packing the whole weight
/// first would be one more pass over it at every call (constant weights
/// are packed at compile time and never get here).
static PackGatedOp getPackReadThrough(const GemmDescription &gemm) {
  auto pack = gemm.rhs.value.getDefiningOp<PackGatedOp>();
  if (!pack || gemm.batched || pack.getGate().getType().getRank() != 2 ||
      !hasOnlyF32TensorOperands(pack))
    return {};
  if (gemm.epilogue == GemmEpilogue::Gate && !gemm.rhs.transposed &&
      static_cast<int64_t>(pack.getBlockSize()) == gemm.blockSize)
    return pack;
  if (gemm.epilogue == GemmEpilogue::Accumulate && readsRhsByDotProducts(gemm))
    return pack;
  return {};
}

bool mlir::ffn::isReadThroughByGemm(PackGatedOp pack) {
  for (OpOperand &use : pack->getUses()) {
    Operation *user = use.getOwner();
    if (!hasOnlyF32TensorOperands(user))
      continue;
    FailureOr<GemmDescription> gemm = describeGemm(user, nullptr);
    if (succeeded(gemm) && getPackReadThrough(*gemm) == pack)
      return true;
  }
  return false;
}

/// The ffn.unpack_gated that is the only user of `gemm`'s result, when the
/// GEMM can store its columns unpacked instead (CpuGemmBuffers::outLinear):
/// a plain rank-2 GEMM from a scalar initial value whose right operand is
/// not transposed, as the packed weight gradient x^T [da | db] is. The
/// unpack would be one more pass over the whole gradient.
static UnpackGatedOp getUnpackOfResult(const GemmDescription &gemm) {
  if (gemm.epilogue != GemmEpilogue::Accumulate || gemm.batched ||
      !gemm.initScalar || gemm.rhs.transposed ||
      gemm.op->getNumResults() != 1 || !gemm.op->getResult(0).hasOneUse())
    return {};
  auto unpack =
      dyn_cast<UnpackGatedOp>(*gemm.op->getResult(0).getUsers().begin());
  if (!unpack || !hasOnlyF32TensorOperands(unpack) ||
      unpack.getGate().getType().getRank() != 2)
    return {};
  return unpack;
}

bool mlir::ffn::isStoredUnpackedByGemm(UnpackGatedOp unpack) {
  Operation *producer = unpack.getPacked().getDefiningOp();
  if (!producer || !hasOnlyF32TensorOperands(producer))
    return false;
  FailureOr<GemmDescription> gemm = describeGemm(producer, nullptr);
  return succeeded(gemm) && getUnpackOfResult(*gemm) == unpack;
}

/// The buffers of `gemm`: its tensors as read-only row-major views (a
/// transposed right operand copied to [K, N] once, in parallel, unless the
/// GEMM reads it by dot products; a packed weight's gate and linear weights
/// when the GEMM reads through the pack), and fresh result buffers (the
/// halves of `unpack`'s results when the GEMM stores them unpacked).
static CpuGemmBuffers createBuffers(OpBuilder &b, Location loc,
                                    const GemmDescription &gemm,
                                    UnpackGatedOp unpack, int64_t lanes) {
  CpuGemmBuffers buffers;
  buffers.lhs = readRowsBuffer(b, loc, gemm.lhs.value);
  if (PackGatedOp pack = getPackReadThrough(gemm)) {
    buffers.rhs = readRowsBuffer(b, loc, pack.getGate());
    buffers.rhsLinear = readRowsBuffer(b, loc, pack.getLinear());
    buffers.packBlockSize = pack.getBlockSize();
  } else {
    buffers.rhs = readRowsBuffer(b, loc, gemm.rhs.value);
  }
  buffers.rhsRows = readsRhsByDotProducts(gemm);
  if (gemm.rhs.transposed && !buffers.rhsRows)
    buffers.rhs = emitParallelTranspose(b, loc, buffers.rhs, lanes);
  if (gemm.initScalar)
    buffers.initScalar = gemm.initScalar;
  else if (gemm.init)
    buffers.init = readRowsBuffer(b, loc, gemm.init);
  if (gemm.bias)
    buffers.bias = readRowsBuffer(b, loc, gemm.bias);
  if (gemm.preactivations)
    buffers.preactivations = readRowsBuffer(b, loc, gemm.preactivations);
  if (unpack) {
    // [M, 2 d_ff] -> twice [M, d_ff], sized from the GEMM's destination
    // (the unpack's own results are defined after the GEMM).
    Value rows = getDimIndex(b, loc, gemm.dest, 0);
    Value half =
        arith::DivUIOp::create(b, loc, getDimIndex(b, loc, gemm.dest, 1),
                               arith::ConstantIndexOp::create(b, loc, 2));
    auto type = cast<RankedTensorType>(unpack.getGate().getType());
    buffers.out = allocOfType(b, loc, type, {rows, half});
    buffers.outLinear = allocOfType(b, loc, type, {rows, half});
    buffers.outBlockSize = unpack.getBlockSize();
  } else {
    buffers.out = allocLike(b, loc, gemm.dest);
  }
  if (gemm.preactivationsDest)
    buffers.preactivationsOut = allocLike(b, loc, gemm.preactivationsDest);
  return buffers;
}

namespace {
/// A GEMM op (f32, on tensors, batched or not) -> the generated loop nest
/// computing its description into fresh buffers, and its results as
/// tensors of those buffers.
template <typename OpTy> struct GenerateGemm : OpRewritePattern<OpTy> {
  GenerateGemm(MLIRContext *ctx, const CpuGemmTiles &tiles)
      : OpRewritePattern<OpTy>(ctx), tiles(tiles) {}

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    std::string why;
    FailureOr<GemmDescription> gemm = describeGemm(op, &why);
    if (failed(gemm))
      return rewriter.notifyMatchFailure(op, why);
    if (!hasOnlyF32TensorOperands(op))
      return rewriter.notifyMatchFailure(op, "not f32 tensors");
    LLVM_DEBUG(llvm::dbgs() << "glu-cpu-gemm: generating " << op->getName()
                            << " at " << op->getLoc() << "\n");
    Location loc = op.getLoc();
    UnpackGatedOp unpack = getUnpackOfResult(*gemm);
    CpuGemmBuffers buffers =
        createBuffers(rewriter, loc, *gemm, unpack, tiles.lanes);
    if (unpack) {
      // The GEMM stores the unpacked halves; the unpack goes with it.
      emitCpuGemm(rewriter, loc, *gemm, buffers, tiles);
      rewriter.replaceOp(
          unpack,
          {tensorOfFilledBuffer(rewriter, loc, unpack.getGate().getType(),
                                buffers.out),
           tensorOfFilledBuffer(rewriter, loc, unpack.getLinear().getType(),
                                buffers.outLinear)});
      rewriter.eraseOp(op);
      return success();
    }
    emitCpuGemm(rewriter, loc, *gemm, buffers, tiles);
    rewriter.replaceOp(op,
                       getGemmResultTensors(rewriter, loc, *gemm, buffers.out,
                                            buffers.preactivationsOut));
    return success();
  }

  CpuGemmTiles tiles;
};

struct GluCpuGemm : mlir::ffn::impl::GluCpuGemmBase<GluCpuGemm> {
  using Base::Base;

  void runOnOperation() override {
    CpuGemmTiles tiles;
    tiles.rows = tileRows;
    tiles.cols = tileCols;
    tiles.streamCols = streamCols;
    tiles.k = tileK;
    tiles.microRows = microRows;
    tiles.lanes = vectorLanes;
    tiles.registers = vectorRegisters;
    if (failed(verifyCpuGemmTiles(tiles, [&]() {
          return getOperation()->emitError() << "glu-cpu-gemm: ";
        })))
      return signalPassFailure();
    RewritePatternSet patterns(&getContext());
    populateCpuGemmPatterns(patterns, tiles);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    if (report)
      reportContractionsLeft();
  }

  /// A remark on each contraction the patterns left, with describeGemm's
  /// reason (or the element type).
  void reportContractionsLeft() {
    getOperation()->walk([&](linalg::LinalgOp op) {
      if (!isa<linalg::MatmulOp, linalg::BatchMatmulOp>(op) &&
          !linalg::isaContractionOpInterface(op))
        return;
      std::string why;
      if (succeeded(describeGemm(op, &why)))
        why = "operands are not f32 tensors";
      op->emitRemark() << "glu-cpu-gemm: contraction left to scalar loops "
                          "(no generated GEMM): "
                       << why;
    });
  }
};
} // namespace

LogicalResult
mlir::ffn::verifyCpuGemmTiles(const CpuGemmTiles &tiles,
                              function_ref<InFlightDiagnostic()> emitError) {
  if (tiles.rows <= 0 || tiles.cols <= 0 || tiles.k <= 0)
    return emitError() << "tile sizes must be positive, got tile-rows="
                       << tiles.rows << " tile-cols=" << tiles.cols
                       << " tile-k=" << tiles.k;
  if (tiles.streamCols < 0)
    return emitError() << "stream-cols must be 0 (by the thread count) or "
                          "positive, "
                          "got "
                       << tiles.streamCols;
  if (tiles.lanes != 4 && tiles.lanes != 8 && tiles.lanes != 16)
    return emitError() << "vector-lanes must be 4, 8 or 16, got "
                       << tiles.lanes;
  int64_t maxMicroRows = getMaxMicroRows(tiles.registers);
  if (tiles.microRows < 1 || tiles.microRows > maxMicroRows)
    return emitError() << "micro-rows must be in [1, " << maxMicroRows
                       << "] (2 accumulators a row, 2 weight vectors and a "
                          "broadcast in "
                       << tiles.registers << " vector registers), got "
                       << tiles.microRows;
  return success();
}

void mlir::ffn::populateCpuGemmPatterns(RewritePatternSet &patterns,
                                        const CpuGemmTiles &tiles) {
  patterns
      .add<GenerateGemm<GatedMatmulOp>, GenerateGemm<ActivatedMatmulOp>,
           GenerateGemm<linalg::MatmulOp>, GenerateGemm<linalg::BatchMatmulOp>,
           GenerateGemm<DGateMatmulOp>, GenerateGemm<DActivationMatmulOp>>(
          patterns.getContext(), tiles);
  populateCpuDataMovementPatterns(patterns, tiles.lanes);
}
