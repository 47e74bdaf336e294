//===- GpuDataMovementKernels.cpp - apply_gate and column sums on the GPU -===//
//
// The kernels of glu-gpu-gemm that are not GEMMs:
//
// - ffn.apply_gate: grid (ceil(d_ff / 32), min(ceil(M / 8), 65535)), block
//   (32, 8): one thread per h element, threadIdx.x on the columns, rows
//   beyond the grid by a grid-stride loop; no workgroup memory, no barrier.
// - column sums (describeColumnSum, the bias gradients): block (32, 32),
//   grid ceil(N / 32); each thread sums its column over rows ty, ty + 32,
//   ... inside the kernel, one barrier, then thread ty = 0 adds the 32
//   partial sums (workgroup [32][33]).
//
//===----------------------------------------------------------------------===//

#include "passes/codegen/gpu/GpuGemm.h"

#include "dialect/FFNFusedOps.h"
#include "passes/codegen/common/GemmDescription.h"
#include "passes/codegen/common/TensorBuffers.h"
#include "passes/codegen/gpu/GpuKernelSupport.h"
#include "passes/utils/ActivationMath.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mlir::ffn;

// The elementwise ffn.apply_gate kernel's block: 32 columns x 8 rows.
static constexpr int64_t kEltX = 32, kEltY = 8;
// The column-sum kernel's block: 32 columns x 32 row phases.
static constexpr int64_t kSumThreads = 32;

/// Emits the gpu.launch of h = gate(a) * b from the packed [a | b]
/// (`packed`, [M, 2 N]) into `out` ([M, N]): one thread per output element,
/// blocks of 32 x 8 threads, x along the columns (a warp reads 32
/// consecutive columns of a packed half and writes 32 consecutive columns
/// of h). The grid's y extent is capped at 65535; rows beyond it are walked
/// by a grid-stride loop. No barriers.
static void emitApplyGateLaunch(OpBuilder &b, Location loc, ActivationAttr gate,
                                int64_t blockSize, Value packed, Value out,
                                Value m, Value n) {
  IndexMath host{b, loc};
  Value one = host.c(1);
  Value gridX = host.max(host.ceilDiv(n, kEltX), one);
  Value gridY =
      host.min(arith::MaxUIOp::create(b, loc, host.ceilDiv(m, kEltY), one),
               host.c(65535));
  auto launch = gpu::LaunchOp::create(b, loc, gridX, gridY, one, host.c(kEltX),
                                      host.c(kEltY), one);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&launch.getBody().front());
  IndexMath im{b, loc};
  Value col = im.add(im.mul(launch.getBlockIds().x, im.c(kEltX)),
                     launch.getThreadIds().x);
  Value firstRow = im.add(im.mul(launch.getBlockIds().y, im.c(kEltY)),
                          launch.getThreadIds().y);
  Value rowStride = im.mul(launch.getGridSize().y, im.c(kEltY));
  auto ifOp =
      scf::IfOp::create(b, loc, im.lt(col, n), /*withElseRegion=*/false);
  {
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(ifOp.thenBlock());
    auto [gateCol, linearCol] = packedColumns(im, col, n, blockSize);
    scf::ForOp::create(
        b, loc, firstRow, m, rowStride, ValueRange{},
        [&](OpBuilder &lb, Location l, Value row, ValueRange) {
          Value a =
              memref::LoadOp::create(lb, l, packed, ValueRange{row, gateCol});
          Value lin =
              memref::LoadOp::create(lb, l, packed, ValueRange{row, linearCol});
          memref::StoreOp::create(lb, l, emitGatedProduct(lb, l, gate, a, lin),
                                  out, ValueRange{row, col});
          scf::YieldOp::create(lb, l);
        });
  }
  gpu::TerminatorOp::create(b, loc);
}

/// Emits the gpu.launch of out[c] = init[c] + sum_r in[r, c] (`init` null:
/// zeros) for `in` [M, N]: block (32, 32), grid (ceil(N / 32)); thread
/// (tx, ty) owns column 32 bx + tx and sums rows ty, ty + 32, ... inside the
/// kernel (a warp reads 32 consecutive columns of a row), the 32 partial sums
/// of a column meet in workgroup memory after one barrier that every thread
/// reaches (the column guard covers only loads and stores), and thread
/// ty = 0 adds them in order and stores.
static void emitColumnSumLaunch(OpBuilder &b, Location loc, Value in,
                                Value init, Value out, Value m, Value n) {
  IndexMath host{b, loc};
  Value one = host.c(1);
  Value gridX =
      arith::MaxUIOp::create(b, loc, host.ceilDiv(n, kSumThreads), one);
  Type f32 = b.getF32Type();
  Attribute workgroup =
      gpu::AddressSpaceAttr::get(b.getContext(), gpu::AddressSpace::Workgroup);
  auto partialsType =
      MemRefType::get({kSumThreads, kSumThreads + kGpuTilePad}, f32,
                      MemRefLayoutAttrInterface(), workgroup);
  auto launch = gpu::LaunchOp::create(
      b, loc, gridX, one, one, host.c(kSumThreads), host.c(kSumThreads), one,
      /*dynamicSharedMemorySize=*/nullptr, /*asyncTokenType=*/nullptr,
      /*asyncDependencies=*/ValueRange{}, TypeRange{partialsType});
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&launch.getBody().front());
  IndexMath im{b, loc};
  Value partials = launch.getWorkgroupAttributions()[0];
  Value tx = launch.getThreadIds().x, ty = launch.getThreadIds().y;
  Value col = im.add(im.mul(launch.getBlockIds().x, im.c(kSumThreads)), tx);
  Value colOk = im.lt(col, n);
  Value zero = arith::ConstantOp::create(b, loc, f32, b.getF32FloatAttr(0));
  auto sumIf = scf::IfOp::create(b, loc, TypeRange{f32}, colOk,
                                 /*withElseRegion=*/true);
  {
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(sumIf.thenBlock());
    auto rows = scf::ForOp::create(
        b, loc, ty, m, im.c(kSumThreads), ValueRange{zero},
        [&](OpBuilder &lb, Location l, Value row, ValueRange acc) {
          Value v = memref::LoadOp::create(lb, l, in, ValueRange{row, col});
          scf::YieldOp::create(
              lb, l, ValueRange{arith::AddFOp::create(lb, l, acc[0], v)});
        });
    scf::YieldOp::create(b, loc, rows.getResult(0));
    b.setInsertionPointToStart(sumIf.elseBlock());
    scf::YieldOp::create(b, loc, ValueRange{zero});
  }
  memref::StoreOp::create(b, loc, sumIf.getResult(0), partials,
                          ValueRange{ty, tx});
  gpu::BarrierOp::create(b, loc);
  Value first =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, ty, im.c(0));
  auto storeIf = scf::IfOp::create(b, loc, im.both(first, colOk),
                                   /*withElseRegion=*/false);
  {
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(storeIf.thenBlock());
    Value total =
        init ? Value(memref::LoadOp::create(b, loc, init, ValueRange{col}))
             : zero;
    for (int64_t i = 0; i < kSumThreads; ++i)
      total = arith::AddFOp::create(
          b, loc, total,
          memref::LoadOp::create(b, loc, partials, ValueRange{im.c(i), tx}));
    memref::StoreOp::create(b, loc, total, out, ValueRange{col});
  }
  gpu::TerminatorOp::create(b, loc);
}

static bool isF32Tensor(Value v, int64_t rank) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  return type && type.getRank() == rank && type.getElementType().isF32();
}

namespace {
/// ffn.apply_gate (f32, 2-D) -> one elementwise gpu.launch over [M, d_ff].
struct ApplyGateToGpu : OpRewritePattern<ApplyGateOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ApplyGateOp op,
                                PatternRewriter &rewriter) const override {
    if (!isF32Tensor(op.getPacked(), 2) || !isF32Tensor(op.getResult(), 2))
      return rewriter.notifyMatchFailure(op, "not a 2-D f32 apply_gate");
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getResult().getType());
    Value packed = readOnlyBufferOf(rewriter, loc, op.getPacked());
    Value m = getDimIndex(rewriter, loc, op.getPacked(), 0);
    Value n =
        type.isDynamicDim(1)
            ? arith::DivUIOp::create(
                  rewriter, loc, getDimIndex(rewriter, loc, op.getPacked(), 1),
                  arith::ConstantIndexOp::create(rewriter, loc, 2))
                  .getResult()
            : arith::ConstantIndexOp::create(rewriter, loc, type.getDimSize(1))
                  .getResult();
    Value out = allocMatrix(rewriter, loc, type, m, n);
    emitApplyGateLaunch(rewriter, loc, op.getActivation(), op.getBlockSize(),
                        packed, out, m, n);
    rewriter.replaceOp(op, tensorOfFilledBuffer(rewriter, loc, type, out));
    return success();
  }
};

/// linalg.reduce over dimension 0 of an f32 [M, N] tensor with an addf body
/// (the column sums of bias gradients) -> one gpu.launch that loops over the
/// rows inside the kernel (see emitColumnSumLaunch), instead of one launch
/// per row from the reduction loop outside the parallel loops.
struct ColumnSumToGpu : OpRewritePattern<linalg::ReduceOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::ReduceOp op,
                                PatternRewriter &rewriter) const override {
    std::string why;
    FailureOr<ColumnSumDescription> sum = describeColumnSum(op, &why);
    if (failed(sum))
      return rewriter.notifyMatchFailure(op, why);
    Value in = sum->input, init = sum->init;
    if (!isF32Tensor(in, 2) || !isF32Tensor(init, 1))
      return rewriter.notifyMatchFailure(op, "not an f32 column sum");
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getResult(0).getType());
    Value inBuffer = readOnlyBufferOf(rewriter, loc, in);
    Value initBuffer =
        isZeroFill(init) ? Value() : readOnlyBufferOf(rewriter, loc, init);
    Value m = getDimIndex(rewriter, loc, in, 0),
          n = getDimIndex(rewriter, loc, in, 1);
    SmallVector<Value> dynamicSizes;
    if (type.isDynamicDim(0))
      dynamicSizes.push_back(n);
    Value out = memref::AllocOp::create(
        rewriter, loc, MemRefType::get(type.getShape(), type.getElementType()),
        dynamicSizes);
    emitColumnSumLaunch(rewriter, loc, inBuffer, initBuffer, out, m, n);
    rewriter.replaceOp(op, tensorOfFilledBuffer(rewriter, loc, type, out));
    return success();
  }
};

} // namespace

void mlir::ffn::populateGpuDataMovementPatterns(RewritePatternSet &patterns,
                                                bool columnSums) {
  patterns.add<ApplyGateToGpu>(patterns.getContext());
  if (columnSums)
    patterns.add<ColumnSumToGpu>(patterns.getContext());
}
