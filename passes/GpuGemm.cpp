//===- GpuGemm.cpp - GEMMs and the gated GEMM as tiled GPU kernels --------===//
//
// glu-gpu-gemm: every f32 ffn.gated_matmul and every f32 linalg.matmul (plain,
// or reading one operand transposed through indexing_maps, the forms of
// LinalgBuilders.cpp) becomes one gpu.launch of a shared-memory tiled GEMM.
//
// Where it runs: on tensors, before bufferization. Each op is replaced by
//
//   %xm  = bufferization.to_buffer %x read_only   (every input, strided type)
//   %out = memref.alloc(...)                       (the [M, N] result)
//   gpu.launch ... { the kernel below, reading %xm, writing %out }
//   %r   = bufferization.to_tensor %out restrict writable
//
// so one-shot bufferization later sees plain buffers and the kernel never
// needs a bufferization interface. The inputs' memref type has a fully
// dynamic strided layout, into which any buffer (a subview included) casts.
//
// The kernel (one CTA = one 64 x 64 tile of the output, 256 threads):
//
//   - grid (ceil(N / 64), ceil(M / 64), 1), block (256, 1, 1); at least one
//     CTA in each dimension, so that an empty output still launches validly;
//   - thread t computes the 4 x 4 outputs (rowBase + t/16 + 16 i,
//     colBase + t%16 + 16 j), i, j < 4: consecutive threads own consecutive
//     columns, so the stores of a warp are coalesced;
//   - the K dimension is walked in tiles of 16: every thread loads 4
//     elements of the A tile and 4 of each B tile (zero outside the
//     matrices), stores them to workgroup memory (A as [16][65] k-major, B as
//     [16][65]; the padding column avoids bank conflicts on the transposed
//     stores), gpu.barrier, 16 fully unrolled rank-1 updates of the register
//     accumulators (math.fma), gpu.barrier. The loop bounds are uniform, so
//     every thread reaches both barriers of every iteration; bounds checks
//     only guard loads (zero fill) and stores.
//   - ffn.gated_matmul: h column c lives in packed block j = c / B at
//     i = c % B; its gate column is 2 j B + i and its linear column that plus
//     the block's width w = min(B, d_ff - j B) (the last block is ragged).
//     Each thread accumulates both the 4 x 4 gate and the 4 x 4 linear
//     products (two B tiles in workgroup memory), then the epilogue adds the
//     packed bias, applies gate(a) * b (ActivationMath.h) in registers and
//     stores h once: [a | b] is never written to memory.
//   - linalg.matmul: the epilogue adds the accumulator's initial value
//     (skipped when it is a linalg.fill of 0.0).
//
// Tensor cores are not used (a later step); neither is vectorized global
// access.
//
//===----------------------------------------------------------------------===//

#include "dialect/FFNFusedOps.h"
#include "passes/ActivationMath.h"
#include "passes/CudaPipeline.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::ffn {
#define GEN_PASS_DEF_GLUGPUGEMM
#include "passes/Passes.h.inc"
} // namespace mlir::ffn

using namespace mlir;
using namespace mlir::ffn;

namespace {

// Tile shape. Changing one needs the others consistent:
// kThreads == (kTileM / kMicro) * (kTileN / kMicro), and every thread loads
// kTileM * kTileK / kThreads (resp. kTileK * kTileN / kThreads) elements.
constexpr int64_t kTileM = 64, kTileN = 64, kTileK = 16, kMicro = 4;
constexpr int64_t kThreadsN = kTileN / kMicro;         // 16
constexpr int64_t kThreads = (kTileM / kMicro) * kThreadsN; // 256
constexpr int64_t kPad = 1;
static_assert(kTileM * kTileK % kThreads == 0, "A tile split");
static_assert(kTileN * kTileK % kThreads == 0, "B tile split");

/// What the kernel computes: out[M, N] = epilogue(lhs * rhs).
struct GemmSpec {
  Value lhs, rhs;           // memrefs: [M, K] or [K, M]; [K, N(packed)] or [N, K]
  bool lhsTransposed = false, rhsTransposed = false;
  Value init;               // matmul accumulator [M, N], or null
  Value bias;               // gated: packed bias [2 N], or null
  ActivationAttr gate;      // gated only
  int64_t blockSize = 0;    // gated: packed block size; 0 for a matmul
  Value out;                // [M, N]
  Value m, n, k;            // index values
};

/// Small arith helpers on index values.
struct IndexMath {
  OpBuilder &b;
  Location loc;
  Value c(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }
  Value div(Value x, Value y) { return arith::DivUIOp::create(b, loc, x, y); }
  Value rem(Value x, Value y) { return arith::RemUIOp::create(b, loc, x, y); }
  Value min(Value x, Value y) { return arith::MinUIOp::create(b, loc, x, y); }
  Value lt(Value x, Value y) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, x, y);
  }
  Value both(Value x, Value y) { return arith::AndIOp::create(b, loc, x, y); }
  Value ceilDiv(Value x, int64_t d) {
    return div(add(x, c(d - 1)), c(d));
  }
};

/// Returns memref[i, j] if `inBounds`, else 0.0.
static Value guardedLoad(OpBuilder &b, Location loc, Value inBounds,
                         Value memref, Value i, Value j) {
  Type f32 = b.getF32Type();
  auto ifOp = scf::IfOp::create(b, loc, TypeRange{f32}, inBounds,
                                /*withElseRegion=*/true);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(ifOp.thenBlock());
    Value v = memref::LoadOp::create(b, loc, memref, ValueRange{i, j});
    scf::YieldOp::create(b, loc, v);
    b.setInsertionPointToStart(ifOp.elseBlock());
    Value zero = arith::ConstantOp::create(b, loc, f32, b.getF32FloatAttr(0));
    scf::YieldOp::create(b, loc, zero);
  }
  return ifOp.getResult(0);
}

/// The packed gate and linear columns of h column `col` (< N; any value for
/// columns beyond N, whose loads and stores are masked).
static std::pair<Value, Value> packedColumns(IndexMath &im, Value col,
                                             Value n, int64_t blockSize) {
  Value block = im.c(blockSize);
  Value start = im.mul(im.div(col, block), block);
  Value within = im.rem(col, block);
  Value rest = arith::SubIOp::create(im.b, im.loc, n, im.min(start, n));
  Value width = im.min(block, rest);
  Value gateCol = im.add(im.add(start, start), within);
  return {gateCol, im.add(gateCol, width)};
}

/// Emits the gpu.launch computing `spec`.
static void emitGemmLaunch(OpBuilder &b, Location loc, const GemmSpec &spec) {
  IndexMath host{b, loc};
  Value one = host.c(1);
  Value gridX = arith::MaxUIOp::create(b, loc, host.ceilDiv(spec.n, kTileN), one);
  Value gridY = arith::MaxUIOp::create(b, loc, host.ceilDiv(spec.m, kTileM), one);
  Value threads = host.c(kThreads);
  bool gated = spec.blockSize > 0;

  MLIRContext *ctx = b.getContext();
  Attribute workgroup =
      gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
  Type f32 = b.getF32Type();
  auto aTileType = MemRefType::get({kTileK, kTileM + kPad}, f32,
                                   MemRefLayoutAttrInterface(), workgroup);
  auto bTileType = MemRefType::get({kTileK, kTileN + kPad}, f32,
                                   MemRefLayoutAttrInterface(), workgroup);
  SmallVector<Type> attributions = {aTileType, bTileType};
  if (gated)
    attributions.push_back(bTileType);

  auto launch = gpu::LaunchOp::create(
      b, loc, gridX, gridY, one, threads, one, one,
      /*dynamicSharedMemorySize=*/nullptr, /*asyncTokenType=*/nullptr,
      /*asyncDependencies=*/ValueRange{}, attributions);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&launch.getBody().front());
  IndexMath im{b, loc};
  ArrayRef<BlockArgument> shared = launch.getWorkgroupAttributions();
  Value aTile = shared[0], bTile = shared[1],
        b2Tile = gated ? Value(shared[2]) : Value();

  Value tid = launch.getThreadIds().x;
  Value tx = im.rem(tid, im.c(kThreadsN)), ty = im.div(tid, im.c(kThreadsN));
  Value rowBase = im.mul(launch.getBlockIds().y, im.c(kTileM));
  Value colBase = im.mul(launch.getBlockIds().x, im.c(kTileN));

  // Per-thread load slots, fixed over the K loop: slot l covers element
  // e = tid + kThreads * l of the tile.
  struct Slot {
    Value outer, tileK; // the tile row (m or n) and k within the tile
    Value global;       // the row or column in the matrix
    Value inBounds;     // global < M (or N)
    Value gateCol, linearCol; // gated: packed columns of `global`
  };
  auto makeSlots = [&](int64_t elements, bool kFastest, int64_t tileExtent,
                       Value base, Value limit, bool packed) {
    SmallVector<Slot> slots;
    for (int64_t l = 0; l < elements / kThreads; ++l) {
      Value e = im.add(tid, im.c(kThreads * l));
      Slot s;
      // kFastest: consecutive threads walk k (rows of a row-major [*, K]
      // matrix); otherwise they walk the outer index (columns of [K, *]).
      if (kFastest) {
        s.tileK = im.rem(e, im.c(kTileK));
        s.outer = im.div(e, im.c(kTileK));
      } else {
        s.outer = im.rem(e, im.c(tileExtent));
        s.tileK = im.div(e, im.c(tileExtent));
      }
      s.global = im.add(base, s.outer);
      s.inBounds = im.lt(s.global, limit);
      if (packed)
        std::tie(s.gateCol, s.linearCol) =
            packedColumns(im, s.global, spec.n, spec.blockSize);
      slots.push_back(s);
    }
    return slots;
  };
  SmallVector<Slot> aSlots = makeSlots(kTileM * kTileK, !spec.lhsTransposed,
                                       kTileM, rowBase, spec.m, false);
  SmallVector<Slot> bSlots = makeSlots(kTileK * kTileN, spec.rhsTransposed,
                                       kTileN, colBase, spec.n, gated);

  int64_t accumulators = kMicro * kMicro * (gated ? 2 : 1);
  Value zero = arith::ConstantOp::create(b, loc, f32, b.getF32FloatAttr(0));
  SmallVector<Value> inits(accumulators, zero);

  auto kLoop = scf::ForOp::create(
      b, loc, im.c(0), spec.k, im.c(kTileK), inits,
      [&](OpBuilder &lb, Location l, Value k0, ValueRange acc) {
        IndexMath lm{lb, l};
        // Stage the A tile: As[k][m] = A[row, k0 + k] (or A[k0 + k, row]).
        for (const Slot &s : aSlots) {
          Value kk = lm.add(k0, s.tileK);
          Value ok = lm.both(s.inBounds, lm.lt(kk, spec.k));
          Value v = spec.lhsTransposed
                        ? guardedLoad(lb, l, ok, spec.lhs, kk, s.global)
                        : guardedLoad(lb, l, ok, spec.lhs, s.global, kk);
          memref::StoreOp::create(lb, l, v, aTile, ValueRange{s.tileK, s.outer});
        }
        // Stage the B tile(s): Bs[k][n] = B[k0 + k, col] (or B[col, k0 + k]).
        for (const Slot &s : bSlots) {
          Value kk = lm.add(k0, s.tileK);
          Value ok = lm.both(s.inBounds, lm.lt(kk, spec.k));
          if (gated) {
            Value ga = guardedLoad(lb, l, ok, spec.rhs, kk, s.gateCol);
            memref::StoreOp::create(lb, l, ga, bTile,
                                    ValueRange{s.tileK, s.outer});
            Value li = guardedLoad(lb, l, ok, spec.rhs, kk, s.linearCol);
            memref::StoreOp::create(lb, l, li, b2Tile,
                                    ValueRange{s.tileK, s.outer});
            continue;
          }
          Value v = spec.rhsTransposed
                        ? guardedLoad(lb, l, ok, spec.rhs, s.global, kk)
                        : guardedLoad(lb, l, ok, spec.rhs, kk, s.global);
          memref::StoreOp::create(lb, l, v, bTile, ValueRange{s.tileK, s.outer});
        }
        gpu::BarrierOp::create(lb, l);

        // kTileK rank-1 updates of the register tile, unrolled.
        SmallVector<Value> sums(acc.begin(), acc.end());
        for (int64_t kk = 0; kk < kTileK; ++kk) {
          Value kIdx = lm.c(kk);
          SmallVector<Value> as, bs, b2s;
          for (int64_t i = 0; i < kMicro; ++i)
            as.push_back(memref::LoadOp::create(
                lb, l, aTile,
                ValueRange{kIdx, lm.add(ty, lm.c(i * (kTileM / kMicro)))}));
          for (int64_t j = 0; j < kMicro; ++j) {
            Value col = lm.add(tx, lm.c(j * kThreadsN));
            bs.push_back(
                memref::LoadOp::create(lb, l, bTile, ValueRange{kIdx, col}));
            if (gated)
              b2s.push_back(memref::LoadOp::create(lb, l, b2Tile,
                                                   ValueRange{kIdx, col}));
          }
          for (int64_t i = 0; i < kMicro; ++i)
            for (int64_t j = 0; j < kMicro; ++j) {
              int64_t idx = i * kMicro + j;
              sums[idx] = math::FmaOp::create(lb, l, as[i], bs[j], sums[idx]);
              if (gated) {
                int64_t idx2 = kMicro * kMicro + idx;
                sums[idx2] =
                    math::FmaOp::create(lb, l, as[i], b2s[j], sums[idx2]);
              }
            }
        }
        // Nobody overwrites the tiles before everybody has read them.
        gpu::BarrierOp::create(lb, l);
        scf::YieldOp::create(lb, l, sums);
      });

  // Epilogue: one guarded store per output of the micro-tile.
  for (int64_t i = 0; i < kMicro; ++i) {
    Value row = im.add(rowBase, im.add(ty, im.c(i * (kTileM / kMicro))));
    for (int64_t j = 0; j < kMicro; ++j) {
      Value col = im.add(colBase, im.add(tx, im.c(j * kThreadsN)));
      Value ok = im.both(im.lt(row, spec.m), im.lt(col, spec.n));
      auto ifOp = scf::IfOp::create(b, loc, ok, /*withElseRegion=*/false);
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(ifOp.thenBlock());
      Value value = kLoop.getResult(i * kMicro + j);
      if (gated) {
        Value linear = kLoop.getResult(kMicro * kMicro + i * kMicro + j);
        if (spec.bias) {
          IndexMath em{b, loc};
          auto [gateCol, linearCol] =
              packedColumns(em, col, spec.n, spec.blockSize);
          value = arith::AddFOp::create(
              b, loc, value,
              memref::LoadOp::create(b, loc, spec.bias, ValueRange{gateCol}));
          linear = arith::AddFOp::create(
              b, loc, linear,
              memref::LoadOp::create(b, loc, spec.bias, ValueRange{linearCol}));
        }
        value = emitGatedProduct(b, loc, spec.gate, value, linear);
      } else if (spec.init) {
        value = arith::AddFOp::create(
            b, loc, value,
            memref::LoadOp::create(b, loc, spec.init, ValueRange{row, col}));
      }
      memref::StoreOp::create(b, loc, value, spec.out, ValueRange{row, col});
    }
  }
  gpu::TerminatorOp::create(b, loc);
}

/// A read-only buffer of `tensor` with a fully dynamic strided layout (any
/// buffer one-shot bufferization picks casts into it).
static Value inputBuffer(OpBuilder &b, Location loc, Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  SmallVector<int64_t> strides(type.getRank(), ShapedType::kDynamic);
  auto layout = StridedLayoutAttr::get(b.getContext(), ShapedType::kDynamic,
                                       strides);
  auto memrefType =
      MemRefType::get(type.getShape(), type.getElementType(), layout);
  return bufferization::ToBufferOp::create(b, loc, memrefType, tensor,
                                           /*read_only=*/true);
}

static Value dimOf(OpBuilder &b, Location loc, Value tensor, int64_t dim) {
  return getValueOrCreateConstantIndexOp(
      b, loc, tensor::getMixedSize(b, loc, tensor, dim));
}

/// Allocates the [M, N] result like `type`, runs `spec` into it and returns
/// it as a tensor.
static Value runIntoNewTensor(OpBuilder &b, Location loc,
                              RankedTensorType type, GemmSpec spec) {
  SmallVector<Value> dynamicSizes;
  if (type.isDynamicDim(0))
    dynamicSizes.push_back(spec.m);
  if (type.isDynamicDim(1))
    dynamicSizes.push_back(spec.n);
  auto memrefType = MemRefType::get(type.getShape(), type.getElementType());
  spec.out = memref::AllocOp::create(b, loc, memrefType, dynamicSizes);
  emitGemmLaunch(b, loc, spec);
  return bufferization::ToTensorOp::create(b, loc, type, spec.out,
                                           /*restrict=*/true,
                                           /*writable=*/true);
}

static bool isF32Tensor(Value v, int64_t rank) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  return type && type.getRank() == rank && type.getElementType().isF32();
}

static bool isZeroFill(Value v) {
  auto fill = v.getDefiningOp<linalg::FillOp>();
  if (!fill)
    return false;
  return matchPattern(fill.getInputs()[0], m_AnyZeroFloat());
}

/// ffn.gated_matmul (f32) -> one tiled gpu.launch with the gating epilogue.
struct GatedMatmulToGpu : OpRewritePattern<GatedMatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(GatedMatmulOp op,
                                PatternRewriter &rewriter) const override {
    if (!isF32Tensor(op.getInput(), 2) || !isF32Tensor(op.getPackedWeight(), 2) ||
        !isF32Tensor(op.getInit(), 2) ||
        (op.getPackedBias() && !isF32Tensor(op.getPackedBias(), 1)))
      return rewriter.notifyMatchFailure(op, "not a 2-D f32 gated matmul");
    Location loc = op.getLoc();
    GemmSpec spec;
    spec.lhs = inputBuffer(rewriter, loc, op.getInput());
    spec.rhs = inputBuffer(rewriter, loc, op.getPackedWeight());
    if (op.getPackedBias())
      spec.bias = inputBuffer(rewriter, loc, op.getPackedBias());
    spec.gate = op.getActivation();
    spec.blockSize = op.getBlockSize();
    spec.m = dimOf(rewriter, loc, op.getInput(), 0);
    spec.k = dimOf(rewriter, loc, op.getInput(), 1);
    spec.n = dimOf(rewriter, loc, op.getInit(), 1);
    rewriter.replaceOp(op, runIntoNewTensor(rewriter, loc,
                                            op.getResult().getType(), spec));
    return success();
  }
};

/// linalg.matmul (f32, plain or with one operand transposed through its
/// indexing maps) -> one tiled gpu.launch accumulating into the init.
struct MatmulToGpu : OpRewritePattern<linalg::MatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::MatmulOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics())
      return rewriter.notifyMatchFailure(op, "not on tensors");
    Value lhs = op.getInputs()[0], rhs = op.getInputs()[1],
          init = op.getOutputs()[0];
    if (!isF32Tensor(lhs, 2) || !isF32Tensor(rhs, 2) || !isF32Tensor(init, 2))
      return rewriter.notifyMatchFailure(op, "not an f32 matmul");
    if (op.getCast() != linalg::TypeFn::cast_signed)
      return rewriter.notifyMatchFailure(op, "unsupported cast");
    MLIRContext *ctx = op.getContext();
    AffineExpr m, n, k;
    bindDims(ctx, m, n, k);
    auto maps = [&](ArrayRef<AffineExpr> l, ArrayRef<AffineExpr> r) {
      return SmallVector<AffineMap>{AffineMap::get(3, 0, l, ctx),
                                    AffineMap::get(3, 0, r, ctx),
                                    AffineMap::get(3, 0, {m, n}, ctx)};
    };
    SmallVector<AffineMap> actual = op.getIndexingMapsArray();
    GemmSpec spec;
    if (actual == maps({m, k}, {k, n})) {
    } else if (actual == maps({m, k}, {n, k})) {
      spec.rhsTransposed = true;
    } else if (actual == maps({k, m}, {k, n})) {
      spec.lhsTransposed = true;
    } else {
      return rewriter.notifyMatchFailure(op, "unsupported indexing maps");
    }
    Location loc = op.getLoc();
    spec.lhs = inputBuffer(rewriter, loc, lhs);
    spec.rhs = inputBuffer(rewriter, loc, rhs);
    if (!isZeroFill(init))
      spec.init = inputBuffer(rewriter, loc, init);
    spec.m = dimOf(rewriter, loc, init, 0);
    spec.n = dimOf(rewriter, loc, init, 1);
    spec.k = dimOf(rewriter, loc, lhs, spec.lhsTransposed ? 0 : 1);
    auto type = cast<RankedTensorType>(op.getResult(0).getType());
    rewriter.replaceOp(op, runIntoNewTensor(rewriter, loc, type, spec));
    return success();
  }
};

struct GluGpuGemm : ffn::impl::GluGpuGemmBase<GluGpuGemm> {
  using Base::Base;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateGpuGemmPatterns(patterns, matmuls);
    // The kernels are built bottom-up once; do not fold or revisit them.
    GreedyRewriteConfig config;
    config.enableFolding(false);
    config.setRegionSimplificationLevel(GreedySimplifyRegionLevel::Disabled);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns),
                                     config)))
      return signalPassFailure();
  }
};

} // namespace

void mlir::ffn::populateGpuGemmPatterns(RewritePatternSet &patterns,
                                        bool matmuls) {
  patterns.add<GatedMatmulToGpu>(patterns.getContext());
  if (matmuls)
    patterns.add<MatmulToGpu>(patterns.getContext());
}
