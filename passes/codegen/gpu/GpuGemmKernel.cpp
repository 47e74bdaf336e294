//===- GpuGemmKernel.cpp - shared-memory tiled GPU GEMM kernels -----------===//
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
//   - Gate: h column c lives in packed block j = c / B at i = c % B; its gate
//     column is 2 j B + i and its linear column that plus the block's width
//     w = min(B, d_ff - j B) (the last block is ragged). Each thread
//     accumulates both the 4 x 4 gate and the 4 x 4 linear products (two B
//     tiles in workgroup memory), then the epilogue adds the packed bias,
//     stores the kept pre-activations if asked, applies gate(a) * b
//     (ActivationMath.h) in registers and stores h once.
//   - Accumulate: the epilogue adds the accumulator's initial value (a
//     buffer or a scalar; nothing for a fill of 0.0).
//   - Activate: act(acc + bias[col]) (and acc + bias kept if asked).
//   - DActivate: dh = dy W2^T (W2 [d_ff, d_out] read transposed), then
//     dh * act'(a[row, col]).
//   - DGate: dh = dy W2^T; for dh column c the epilogue reads a and b at c's
//     packed gate and linear columns and stores dh * b * gate'(a) and
//     dh * gate(a) there: the [M, 2 d_ff] result is written exactly once.
//
// Tensor cores are not used (a later step); neither is vectorized global
// access.
//
//===----------------------------------------------------------------------===//

#include "passes/codegen/gpu/GpuGemmKernel.h"

#include "passes/codegen/gpu/GpuGemmEpilogue.h"
#include "passes/codegen/gpu/GpuKernelSupport.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace mlir::ffn;

namespace {

// Tile shape. Changing one needs the others consistent:
// kThreads == (kTileM / kMicro) * (kTileN / kMicro), and every thread loads
// kTileM * kTileK / kThreads (resp. kTileK * kTileN / kThreads) elements.
constexpr int64_t kTileM = 64, kTileN = 64, kTileK = 16, kMicro = 4;
constexpr int64_t kThreadsN = kTileN / kMicro;              // 16
constexpr int64_t kThreads = (kTileM / kMicro) * kThreadsN; // 256
static_assert(kTileM * kTileK % kThreads == 0, "A tile split");
static_assert(kTileN * kTileK % kThreads == 0, "B tile split");

/// One of a thread's load slots, fixed over the K loop: slot l covers
/// element e = tid + kThreads * l of a tile.
struct Slot {
  Value outer, tileK;       // the tile row (m or n) and k within the tile
  Value global;             // the row or column in the matrix
  Value inBounds;           // global < M (or N)
  Value gateCol, linearCol; // Gate: packed columns of `global`
};

/// Emits the kernel of one GEMM; see the file comment.
class GemmKernelEmitter {
public:
  GemmKernelEmitter(OpBuilder &b, Location loc, const GemmDescription &gemm,
                    const GpuGemmBuffers &buffers)
      : b(b), loc(loc), gemm(gemm), buffers(buffers),
        gated(gemm.epilogue == GemmEpilogue::Gate) {}

  void emit() {
    gpu::LaunchOp launch = createLaunch();
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&launch.getBody().front());
    IndexMath im{b, loc};
    ArrayRef<BlockArgument> shared = launch.getWorkgroupAttributions();
    aTile = shared[0];
    bTile = shared[1];
    if (gated)
      b2Tile = shared[2];
    Value tid = launch.getThreadIds().x;
    tx = im.rem(tid, im.c(kThreadsN));
    ty = im.div(tid, im.c(kThreadsN));
    rowBase = im.mul(launch.getBlockIds().y, im.c(kTileM));
    colBase = im.mul(launch.getBlockIds().x, im.c(kTileN));
    aSlots = makeSlots(tid, kTileM * kTileK, !gemm.lhs.transposed, kTileM,
                       rowBase, buffers.m, /*packed=*/false);
    bSlots = makeSlots(tid, kTileK * kTileN, gemm.rhs.transposed, kTileN,
                       colBase, buffers.n, gated);
    ValueRange sums = emitKLoop();
    for (int64_t i = 0; i < kMicro; ++i)
      for (int64_t j = 0; j < kMicro; ++j)
        emitOutput(i, j, sums);
    gpu::TerminatorOp::create(b, loc);
  }

private:
  OpBuilder &b;
  Location loc;
  const GemmDescription &gemm;
  const GpuGemmBuffers &buffers;
  /// Only the gated GEMM reads two B columns (gate and linear) per output.
  bool gated;
  Value aTile, bTile, b2Tile;
  Value tx, ty, rowBase, colBase;
  SmallVector<Slot> aSlots, bSlots;

  /// The launch: grid over output tiles, kThreads threads, the A and B
  /// tiles (two B tiles when gated) in workgroup memory.
  gpu::LaunchOp createLaunch() {
    IndexMath host{b, loc};
    Value one = host.c(1);
    Value gridX = host.max(host.ceilDiv(buffers.n, kTileN), one);
    Value gridY = host.max(host.ceilDiv(buffers.m, kTileM), one);
    Attribute workgroup = gpu::AddressSpaceAttr::get(
        b.getContext(), gpu::AddressSpace::Workgroup);
    Type f32 = b.getF32Type();
    auto aTileType = MemRefType::get({kTileK, kTileM + kGpuTilePad}, f32,
                                     MemRefLayoutAttrInterface(), workgroup);
    auto bTileType = MemRefType::get({kTileK, kTileN + kGpuTilePad}, f32,
                                     MemRefLayoutAttrInterface(), workgroup);
    SmallVector<Type> attributions = {aTileType, bTileType};
    if (gated)
      attributions.push_back(bTileType);
    return gpu::LaunchOp::create(
        b, loc, gridX, gridY, one, host.c(kThreads), one, one,
        /*dynamicSharedMemorySize=*/nullptr, /*asyncTokenType=*/nullptr,
        /*asyncDependencies=*/ValueRange{}, attributions);
  }

  /// The thread's load slots of a tile of `elements`. `kFastest`:
  /// consecutive threads walk k (rows of a row-major [*, K] matrix);
  /// otherwise they walk the outer index (columns of [K, *]).
  SmallVector<Slot> makeSlots(Value tid, int64_t elements, bool kFastest,
                              int64_t tileExtent, Value base, Value limit,
                              bool packed) {
    IndexMath im{b, loc};
    SmallVector<Slot> slots;
    for (int64_t l = 0; l < elements / kThreads; ++l) {
      Value e = im.add(tid, im.c(kThreads * l));
      Slot s;
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
            packedColumns(im, s.global, buffers.n, gemm.blockSize);
      slots.push_back(s);
    }
    return slots;
  }

  /// The K loop; returns the accumulators (kMicro^2, twice when gated).
  ValueRange emitKLoop() {
    IndexMath im{b, loc};
    int64_t accumulators = kMicro * kMicro * (gated ? 2 : 1);
    Value zero =
        arith::ConstantOp::create(b, loc, b.getF32Type(), b.getF32FloatAttr(0));
    SmallVector<Value> inits(accumulators, zero);
    auto kLoop = scf::ForOp::create(
        b, loc, im.c(0), buffers.k, im.c(kTileK), inits,
        [&](OpBuilder &lb, Location l, Value k0, ValueRange acc) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPoint(lb.getInsertionBlock(), lb.getInsertionPoint());
          stageTiles(k0);
          gpu::BarrierOp::create(b, loc);
          SmallVector<Value> sums = rankOneUpdates(acc);
          // Nobody overwrites the tiles before everybody has read them.
          gpu::BarrierOp::create(b, loc);
          scf::YieldOp::create(b, loc, sums);
        });
    return kLoop.getResults();
  }

  /// Stages the A tile (As[k][m] = A[row, k0 + k], or A[k0 + k, row]) and
  /// the B tile(s) (Bs[k][n] = B[k0 + k, col], or B[col, k0 + k]).
  void stageTiles(Value k0) {
    IndexMath im{b, loc};
    for (const Slot &s : aSlots) {
      Value kk = im.add(k0, s.tileK);
      Value ok = im.both(s.inBounds, im.lt(kk, buffers.k));
      Value v = gemm.lhs.transposed
                    ? guardedLoad(b, loc, ok, buffers.lhs, kk, s.global)
                    : guardedLoad(b, loc, ok, buffers.lhs, s.global, kk);
      memref::StoreOp::create(b, loc, v, aTile, ValueRange{s.tileK, s.outer});
    }
    for (const Slot &s : bSlots) {
      Value kk = im.add(k0, s.tileK);
      Value ok = im.both(s.inBounds, im.lt(kk, buffers.k));
      ValueRange at{s.tileK, s.outer};
      if (gated) {
        Value ga = guardedLoad(b, loc, ok, buffers.rhs, kk, s.gateCol);
        memref::StoreOp::create(b, loc, ga, bTile, at);
        Value li = guardedLoad(b, loc, ok, buffers.rhs, kk, s.linearCol);
        memref::StoreOp::create(b, loc, li, b2Tile, at);
        continue;
      }
      Value v = gemm.rhs.transposed
                    ? guardedLoad(b, loc, ok, buffers.rhs, s.global, kk)
                    : guardedLoad(b, loc, ok, buffers.rhs, kk, s.global);
      memref::StoreOp::create(b, loc, v, bTile, at);
    }
  }

  /// kTileK rank-1 updates of the register tile, unrolled.
  SmallVector<Value> rankOneUpdates(ValueRange acc) {
    IndexMath im{b, loc};
    SmallVector<Value> sums(acc.begin(), acc.end());
    for (int64_t kk = 0; kk < kTileK; ++kk) {
      Value kIdx = im.c(kk);
      SmallVector<Value> as, bs, b2s;
      for (int64_t i = 0; i < kMicro; ++i)
        as.push_back(memref::LoadOp::create(
            b, loc, aTile,
            ValueRange{kIdx, im.add(ty, im.c(i * (kTileM / kMicro)))}));
      for (int64_t j = 0; j < kMicro; ++j) {
        Value col = im.add(tx, im.c(j * kThreadsN));
        bs.push_back(
            memref::LoadOp::create(b, loc, bTile, ValueRange{kIdx, col}));
        if (gated)
          b2s.push_back(
              memref::LoadOp::create(b, loc, b2Tile, ValueRange{kIdx, col}));
      }
      for (int64_t i = 0; i < kMicro; ++i)
        for (int64_t j = 0; j < kMicro; ++j) {
          int64_t idx = i * kMicro + j;
          sums[idx] = math::FmaOp::create(b, loc, as[i], bs[j], sums[idx]);
          if (gated) {
            int64_t idx2 = kMicro * kMicro + idx;
            sums[idx2] = math::FmaOp::create(b, loc, as[i], b2s[j], sums[idx2]);
          }
        }
    }
    return sums;
  }

  /// Output (i, j) of the thread's micro-tile: one guarded block of stores.
  void emitOutput(int64_t i, int64_t j, ValueRange sums) {
    IndexMath im{b, loc};
    Value row = im.add(rowBase, im.add(ty, im.c(i * (kTileM / kMicro))));
    Value col = im.add(colBase, im.add(tx, im.c(j * kThreadsN)));
    Value ok = im.both(im.lt(row, buffers.m), im.lt(col, buffers.n));
    auto ifOp = scf::IfOp::create(b, loc, ok, /*withElseRegion=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(ifOp.thenBlock());
    Value acc = sums[i * kMicro + j];
    Value linear = gated ? sums[kMicro * kMicro + i * kMicro + j] : Value();
    emitGpuGemmEpilogue(b, loc, gemm, buffers, row, col, acc, linear);
  }
};

} // namespace

void mlir::ffn::emitGpuGemmKernel(OpBuilder &b, Location loc,
                                  const GemmDescription &gemm,
                                  const GpuGemmBuffers &buffers) {
  GemmKernelEmitter(b, loc, gemm, buffers).emit();
}
