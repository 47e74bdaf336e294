//===- GpuGemm.cpp - GEMMs and the fused GEMMs as tiled GPU kernels -------===//
//
// glu-gpu-gemm: every f32 ffn.gated_matmul, ffn.activated_matmul,
// ffn.dgate_matmul, ffn.dactivation_matmul and every f32 linalg.matmul
// (plain, or reading one operand transposed through indexing_maps, the forms
// of LinalgBuilders.cpp) becomes one gpu.launch of a shared-memory tiled
// GEMM with its epilogue in registers; ffn.apply_gate becomes one
// elementwise kernel.
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
//   - ffn.activated_matmul: act(acc + bias[col]).
//   - ffn.dactivation_matmul: dh = dy W2^T (W2 [d_ff, d_out] read
//     transposed), then dh * act'(a[row, col]).
//   - ffn.dgate_matmul: dh = dy W2^T; for dh column c the epilogue reads a
//     and b at c's packed gate and linear columns (as above, ragged last
//     block included) and stores dh * b * gate'(a) and dh * gate(a) there:
//     the [M, 2 d_ff] result is written exactly once, dh never.
//   - ffn.apply_gate: grid (ceil(d_ff / 32), min(ceil(M / 8), 65535)), block
//     (32, 8): one thread per h element, threadIdx.x on the columns, rows
//     beyond the grid by a grid-stride loop; no workgroup memory, no barrier.
//
// Before the patterns, the pass shares the product of the fused train
// step: it computes x P twice (ffn.gated_matmul for the forward, a
// linalg.matmul into zeros for the backward's [a | b]) and rebuilds h with
// ffn.apply_gate; one gated kernel then also stores its plain accumulators
// as [a | b], replacing all three (likewise ffn.activated_matmul and the
// matmul of the same x and W1 for the ungated layers). Where the train step
// keeps [a | b] (ffn-fuse keep-activations, glu-compile's default), a
// linalg.matmul into zeros and the ffn.apply_gate of its result likewise
// become one gated kernel storing [a | b] and h. Identical ffn.pack_gated
// ops in one block are merged first.
//
// - column sums (linalg.reduce over dimension 0 with an addf body, the bias
//   gradients): block (32, 32), grid ceil(N / 32); each thread sums its
//   column over rows ty, ty + 32, ... inside the kernel, one barrier, then
//   thread ty = 0 adds the 32 partial sums (workgroup [32][33]).
//
// Tensor cores are not used (a later step); neither is vectorized global
// access.
//
//===----------------------------------------------------------------------===//

#include "dialect/FFNFusedOps.h"
#include "passes/ActivationMath.h"
#include "passes/CudaPipeline.h"
#include "passes/Passes.h"
#include "passes/TensorBuffers.h"

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
// The elementwise ffn.apply_gate kernel's block: 32 columns x 8 rows.
constexpr int64_t kEltX = 32, kEltY = 8;
// The column-sum kernel's block: 32 columns x 32 row phases.
constexpr int64_t kSumThreads = 32;

/// The epilogue applied to the accumulators before the only store.
enum class Epilogue {
  Matmul,      // out = acc (+ init)
  Gated,       // out = gate(a + bias_a) * (b + bias_b), a | b packed
  Activated,   // out = act(acc + bias[col])
  DActivation, // out = acc * act'(pre[row, col])
  DGate,       // out[row, gate | linear col] = d(gate(a) * b) / d(a | b)
};

/// What the kernel computes: out[M, N] = epilogue(lhs * rhs).
struct GemmSpec {
  Epilogue epilogue = Epilogue::Matmul;
  Value lhs, rhs;           // memrefs: [M, K] or [K, M]; [K, N(packed)] or [N, K]
  bool lhsTransposed = false, rhsTransposed = false;
  Value init;               // matmul accumulator [M, N], or null
  Value bias;               // gated: packed bias [2 N]; activated: [N]; or null
  Value aux;                // dactivation: pre [M, N]; dgate: packed [M, 2 N]
  ActivationAttr activation; // gated, activated, dactivation, dgate
  int64_t blockSize = 0;    // gated, dgate: packed block size
  Value out;                // [M, N]; dgate: packed [M, 2 N]
  Value packedOut;          // optional, no bias: the plain product, gated
                            // [a | b] ([M, 2 N]), activated a ([M, N])
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
  // Only the gated GEMM reads two B columns (gate and linear) per output.
  bool gated = spec.epilogue == Epilogue::Gated;

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

  // Epilogue: one guarded block of stores per output of the micro-tile.
  for (int64_t i = 0; i < kMicro; ++i) {
    Value row = im.add(rowBase, im.add(ty, im.c(i * (kTileM / kMicro))));
    for (int64_t j = 0; j < kMicro; ++j) {
      Value col = im.add(colBase, im.add(tx, im.c(j * kThreadsN)));
      Value ok = im.both(im.lt(row, spec.m), im.lt(col, spec.n));
      auto ifOp = scf::IfOp::create(b, loc, ok, /*withElseRegion=*/false);
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(ifOp.thenBlock());
      IndexMath em{b, loc};
      auto load = [&](Value memref, ValueRange indices) -> Value {
        return memref::LoadOp::create(b, loc, memref, indices);
      };
      auto store = [&](Value value, Value memref, ValueRange indices) {
        memref::StoreOp::create(b, loc, value, memref, indices);
      };
      Value value = kLoop.getResult(i * kMicro + j);
      switch (spec.epilogue) {
      case Epilogue::Matmul:
        if (spec.init)
          value = arith::AddFOp::create(b, loc, value,
                                        load(spec.init, {row, col}));
        store(value, spec.out, {row, col});
        break;
      case Epilogue::Gated: {
        Value linear = kLoop.getResult(kMicro * kMicro + i * kMicro + j);
        if (spec.bias || spec.packedOut) {
          auto [gateCol, linearCol] =
              packedColumns(em, col, spec.n, spec.blockSize);
          if (spec.packedOut) {
            // The plain product [a | b] (the caller guarantees no bias).
            store(value, spec.packedOut, {row, gateCol});
            store(linear, spec.packedOut, {row, linearCol});
          }
          if (spec.bias) {
            value = arith::AddFOp::create(b, loc, value,
                                          load(spec.bias, {gateCol}));
            linear = arith::AddFOp::create(b, loc, linear,
                                           load(spec.bias, {linearCol}));
          }
        }
        store(emitGatedProduct(b, loc, spec.activation, value, linear),
              spec.out, {row, col});
        break;
      }
      case Epilogue::Activated:
        if (spec.packedOut) // the plain product (the caller: no bias)
          store(value, spec.packedOut, {row, col});
        if (spec.bias)
          value = arith::AddFOp::create(b, loc, value, load(spec.bias, {col}));
        store(emitActivation(b, loc, spec.activation, value), spec.out,
              {row, col});
        break;
      case Epilogue::DActivation: {
        Value derivative = emitActivationDerivative(
            b, loc, spec.activation, load(spec.aux, {row, col}));
        store(arith::MulFOp::create(b, loc, value, derivative), spec.out,
              {row, col});
        break;
      }
      case Epilogue::DGate: {
        // value is dh[row, col]; col's gate and linear columns hold a and b
        // in the packed pre-activations and receive da and db.
        auto [gateCol, linearCol] =
            packedColumns(em, col, spec.n, spec.blockSize);
        Value a = load(spec.aux, {row, gateCol});
        Value lin = load(spec.aux, {row, linearCol});
        auto [da, db] =
            emitGatedProductGradient(b, loc, spec.activation, a, lin, value);
        store(da, spec.out, {row, gateCol});
        store(db, spec.out, {row, linearCol});
        break;
      }
      }
    }
  }
  gpu::TerminatorOp::create(b, loc);
}

/// Emits the gpu.launch of h = gate(a) * b from the packed [a | b]
/// (`packed`, [M, 2 N]) into `out` ([M, N]): one thread per output element,
/// blocks of 32 x 8 threads, x along the columns (a warp reads 32
/// consecutive columns of a packed half and writes 32 consecutive columns
/// of h). The grid's y extent is capped at 65535; rows beyond it are walked
/// by a grid-stride loop. No barriers.
static void emitApplyGateLaunch(OpBuilder &b, Location loc,
                                ActivationAttr gate, int64_t blockSize,
                                Value packed, Value out, Value m, Value n) {
  IndexMath host{b, loc};
  Value one = host.c(1);
  Value gridX = arith::MaxUIOp::create(b, loc, host.ceilDiv(n, kEltX), one);
  Value gridY = host.min(
      arith::MaxUIOp::create(b, loc, host.ceilDiv(m, kEltY), one),
      host.c(65535));
  auto launch = gpu::LaunchOp::create(b, loc, gridX, gridY, one,
                                      host.c(kEltX), host.c(kEltY), one);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&launch.getBody().front());
  IndexMath im{b, loc};
  Value col = im.add(im.mul(launch.getBlockIds().x, im.c(kEltX)),
                     launch.getThreadIds().x);
  Value firstRow = im.add(im.mul(launch.getBlockIds().y, im.c(kEltY)),
                          launch.getThreadIds().y);
  Value rowStride = im.mul(launch.getGridSize().y, im.c(kEltY));
  auto ifOp = scf::IfOp::create(b, loc, im.lt(col, n), /*withElseRegion=*/false);
  {
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(ifOp.thenBlock());
    auto [gateCol, linearCol] = packedColumns(im, col, n, blockSize);
    scf::ForOp::create(
        b, loc, firstRow, m, rowStride, ValueRange{},
        [&](OpBuilder &lb, Location l, Value row, ValueRange) {
          Value a = memref::LoadOp::create(lb, l, packed,
                                           ValueRange{row, gateCol});
          Value lin = memref::LoadOp::create(lb, l, packed,
                                             ValueRange{row, linearCol});
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
  Value gridX = arith::MaxUIOp::create(b, loc, host.ceilDiv(n, kSumThreads),
                                       one);
  Type f32 = b.getF32Type();
  Attribute workgroup =
      gpu::AddressSpaceAttr::get(b.getContext(), gpu::AddressSpace::Workgroup);
  auto partialsType =
      MemRefType::get({kSumThreads, kSumThreads + kPad}, f32,
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
          scf::YieldOp::create(lb, l,
                               ValueRange{arith::AddFOp::create(lb, l, acc[0], v)});
        });
    scf::YieldOp::create(b, loc, rows.getResult(0));
    b.setInsertionPointToStart(sumIf.elseBlock());
    scf::YieldOp::create(b, loc, ValueRange{zero});
  }
  memref::StoreOp::create(b, loc, sumIf.getResult(0), partials,
                          ValueRange{ty, tx});
  gpu::BarrierOp::create(b, loc);
  Value first = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, ty,
                                      im.c(0));
  auto storeIf = scf::IfOp::create(b, loc, im.both(first, colOk),
                                   /*withElseRegion=*/false);
  {
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(storeIf.thenBlock());
    Value total = init ? Value(memref::LoadOp::create(b, loc, init,
                                                      ValueRange{col}))
                       : zero;
    for (int64_t i = 0; i < kSumThreads; ++i)
      total = arith::AddFOp::create(
          b, loc, total,
          memref::LoadOp::create(b, loc, partials, ValueRange{im.c(i), tx}));
    memref::StoreOp::create(b, loc, total, out, ValueRange{col});
  }
  gpu::TerminatorOp::create(b, loc);
}

static Value dimOf(OpBuilder &b, Location loc, Value tensor, int64_t dim) {
  return getValueOrCreateConstantIndexOp(
      b, loc, tensor::getMixedSize(b, loc, tensor, dim));
}

/// A new buffer shaped like `type` ([rows, cols], sizes used where dynamic).
static Value allocMatrix(OpBuilder &b, Location loc, RankedTensorType type,
                         Value rows, Value cols) {
  SmallVector<Value> dynamicSizes;
  if (type.isDynamicDim(0))
    dynamicSizes.push_back(rows);
  if (type.isDynamicDim(1))
    dynamicSizes.push_back(cols);
  auto memrefType = MemRefType::get(type.getShape(), type.getElementType());
  return memref::AllocOp::create(b, loc, memrefType, dynamicSizes);
}

/// Allocates the result like `type` ([M, N], or the packed [M, 2 N] of a
/// dgate GEMM), runs `spec` into it and returns it as a tensor.
static Value runIntoNewTensor(OpBuilder &b, Location loc,
                              RankedTensorType type, GemmSpec spec) {
  Value cols = spec.n;
  if (spec.epilogue == Epilogue::DGate)
    cols = arith::AddIOp::create(b, loc, spec.n, spec.n);
  spec.out = allocMatrix(b, loc, type, spec.m, cols);
  emitGemmLaunch(b, loc, spec);
  return tensorOfFilledBuffer(b, loc, type, spec.out);
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
    spec.lhs = readOnlyBufferOf(rewriter, loc, op.getInput());
    spec.rhs = readOnlyBufferOf(rewriter, loc, op.getPackedWeight());
    if (op.getPackedBias())
      spec.bias = readOnlyBufferOf(rewriter, loc, op.getPackedBias());
    spec.epilogue = Epilogue::Gated;
    spec.activation = op.getActivation();
    spec.blockSize = op.getBlockSize();
    spec.m = dimOf(rewriter, loc, op.getInput(), 0);
    spec.k = dimOf(rewriter, loc, op.getInput(), 1);
    spec.n = dimOf(rewriter, loc, op.getInit(), 1);
    rewriter.replaceOp(op, runIntoNewTensor(rewriter, loc,
                                            op.getResult().getType(), spec));
    return success();
  }
};

/// ffn.activated_matmul (f32) -> one tiled gpu.launch whose epilogue adds
/// the bias and applies the activation.
struct ActivatedMatmulToGpu : OpRewritePattern<ActivatedMatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ActivatedMatmulOp op,
                                PatternRewriter &rewriter) const override {
    if (!isF32Tensor(op.getInput(), 2) || !isF32Tensor(op.getWeight(), 2) ||
        !isF32Tensor(op.getInit(), 2) ||
        (op.getBias() && !isF32Tensor(op.getBias(), 1)))
      return rewriter.notifyMatchFailure(op, "not a 2-D f32 activated matmul");
    Location loc = op.getLoc();
    GemmSpec spec;
    spec.epilogue = Epilogue::Activated;
    spec.lhs = readOnlyBufferOf(rewriter, loc, op.getInput());
    spec.rhs = readOnlyBufferOf(rewriter, loc, op.getWeight());
    if (op.getBias())
      spec.bias = readOnlyBufferOf(rewriter, loc, op.getBias());
    spec.activation = op.getActivation();
    spec.m = dimOf(rewriter, loc, op.getInput(), 0);
    spec.k = dimOf(rewriter, loc, op.getInput(), 1);
    spec.n = dimOf(rewriter, loc, op.getInit(), 1);
    rewriter.replaceOp(op, runIntoNewTensor(rewriter, loc,
                                            op.getResult().getType(), spec));
    return success();
  }
};

/// The shared part of the backward GEMMs: dh = dy W2^T, W2 read transposed
/// (dy [M, d_out], W2 [d_ff, d_out]).
static void setUpHiddenGradient(PatternRewriter &rewriter, Location loc,
                                Value dy, Value w2, GemmSpec &spec) {
  spec.lhs = readOnlyBufferOf(rewriter, loc, dy);
  spec.rhs = readOnlyBufferOf(rewriter, loc, w2);
  spec.rhsTransposed = true;
  spec.m = dimOf(rewriter, loc, dy, 0);
  spec.k = dimOf(rewriter, loc, dy, 1);
  spec.n = dimOf(rewriter, loc, w2, 0);
}

/// ffn.dactivation_matmul (f32) -> one tiled gpu.launch of dy W2^T whose
/// epilogue multiplies by act'(a).
struct DActivationMatmulToGpu : OpRewritePattern<DActivationMatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(DActivationMatmulOp op,
                                PatternRewriter &rewriter) const override {
    if (!isF32Tensor(op.getOutputGrad(), 2) || !isF32Tensor(op.getW2(), 2) ||
        !isF32Tensor(op.getPreactivations(), 2) ||
        !isF32Tensor(op.getInit(), 2))
      return rewriter.notifyMatchFailure(op,
                                         "not a 2-D f32 dactivation matmul");
    Location loc = op.getLoc();
    GemmSpec spec;
    spec.epilogue = Epilogue::DActivation;
    spec.activation = op.getActivation();
    setUpHiddenGradient(rewriter, loc, op.getOutputGrad(), op.getW2(), spec);
    spec.aux = readOnlyBufferOf(rewriter, loc, op.getPreactivations());
    rewriter.replaceOp(op, runIntoNewTensor(rewriter, loc,
                                            op.getResult().getType(), spec));
    return success();
  }
};

/// ffn.dgate_matmul (f32) -> one tiled gpu.launch of dh = dy W2^T whose
/// epilogue reads a and b of each dh column's packed block and stores da
/// and db into the packed [da | db].
struct DGateMatmulToGpu : OpRewritePattern<DGateMatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(DGateMatmulOp op,
                                PatternRewriter &rewriter) const override {
    if (!isF32Tensor(op.getOutputGrad(), 2) || !isF32Tensor(op.getW2(), 2) ||
        !isF32Tensor(op.getPackedPreactivations(), 2) ||
        !isF32Tensor(op.getInit(), 2))
      return rewriter.notifyMatchFailure(op, "not a 2-D f32 dgate matmul");
    Location loc = op.getLoc();
    GemmSpec spec;
    spec.epilogue = Epilogue::DGate;
    spec.activation = op.getActivation();
    spec.blockSize = op.getBlockSize();
    setUpHiddenGradient(rewriter, loc, op.getOutputGrad(), op.getW2(), spec);
    spec.aux = readOnlyBufferOf(rewriter, loc, op.getPackedPreactivations());
    rewriter.replaceOp(op, runIntoNewTensor(rewriter, loc,
                                            op.getResult().getType(), spec));
    return success();
  }
};

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
    Value m = dimOf(rewriter, loc, op.getPacked(), 0);
    Value n = type.isDynamicDim(1)
                  ? arith::DivUIOp::create(
                        rewriter, loc, dimOf(rewriter, loc, op.getPacked(), 1),
                        arith::ConstantIndexOp::create(rewriter, loc, 2))
                        .getResult()
                  : arith::ConstantIndexOp::create(rewriter, loc,
                                                   type.getDimSize(1))
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
    if (!op.hasPureTensorSemantics() || op.getInputs().size() != 1 ||
        op.getInits().size() != 1)
      return rewriter.notifyMatchFailure(op, "not one tensor reduction");
    Value in = op.getInputs()[0], init = op.getInits()[0];
    if (!isF32Tensor(in, 2) || !isF32Tensor(init, 1) ||
        op.getDimensions() != ArrayRef<int64_t>{0})
      return rewriter.notifyMatchFailure(op, "not an f32 column reduction");
    Block &body = op.getCombiner().front();
    if (body.getNumArguments() != 2 || body.getOperations().size() != 2)
      return rewriter.notifyMatchFailure(op, "not a single combiner op");
    auto add = dyn_cast<arith::AddFOp>(body.front());
    auto yield = dyn_cast<linalg::YieldOp>(body.back());
    Value x = body.getArgument(0), y = body.getArgument(1);
    if (!add || !yield || yield->getNumOperands() != 1 ||
        yield->getOperand(0) != add.getResult() ||
        !((add.getLhs() == x && add.getRhs() == y) ||
          (add.getLhs() == y && add.getRhs() == x)))
      return rewriter.notifyMatchFailure(op, "not a sum");
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getResult(0).getType());
    Value inBuffer = readOnlyBufferOf(rewriter, loc, in);
    Value initBuffer =
        isZeroFill(init) ? Value() : readOnlyBufferOf(rewriter, loc, init);
    Value m = dimOf(rewriter, loc, in, 0), n = dimOf(rewriter, loc, in, 1);
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
    spec.lhs = readOnlyBufferOf(rewriter, loc, lhs);
    spec.rhs = readOnlyBufferOf(rewriter, loc, rhs);
    if (!isZeroFill(init))
      spec.init = readOnlyBufferOf(rewriter, loc, init);
    spec.m = dimOf(rewriter, loc, init, 0);
    spec.n = dimOf(rewriter, loc, init, 1);
    spec.k = dimOf(rewriter, loc, lhs, spec.lhsTransposed ? 0 : 1);
    auto type = cast<RankedTensorType>(op.getResult(0).getType());
    rewriter.replaceOp(op, runIntoNewTensor(rewriter, loc, type, spec));
    return success();
  }
};

/// Whether `op` is a linalg.matmul on tensors of f32 x [M, K] and w [K, N],
/// neither transposed, into a fill of zero.
static bool isPlainZeroMatmul(linalg::MatmulOp op) {
  if (!op.hasPureTensorSemantics() ||
      op.getCast() != linalg::TypeFn::cast_signed)
    return false;
  Value lhs = op.getInputs()[0], rhs = op.getInputs()[1],
        init = op.getOutputs()[0];
  if (!isF32Tensor(lhs, 2) || !isF32Tensor(rhs, 2) || !isF32Tensor(init, 2) ||
      !isZeroFill(init))
    return false;
  MLIRContext *ctx = op.getContext();
  AffineExpr m, n, k;
  bindDims(ctx, m, n, k);
  SmallVector<AffineMap> plain = {AffineMap::get(3, 0, {m, k}, ctx),
                                  AffineMap::get(3, 0, {k, n}, ctx),
                                  AffineMap::get(3, 0, {m, n}, ctx)};
  return op.getIndexingMapsArray() == plain;
}

/// Whether `a` and `b` hold the same packed weight: one value, or two
/// ffn.pack_gated of the same operands and block size.
static bool samePackedWeight(Value a, Value b) {
  if (a == b)
    return true;
  auto pa = a.getDefiningOp<PackGatedOp>(), pb = b.getDefiningOp<PackGatedOp>();
  return pa && pb && pa.getGate() == pb.getGate() &&
         pa.getLinear() == pb.getLinear() &&
         pa.getBlockSize() == pb.getBlockSize() &&
         pa.getType() == pb.getType();
}

/// Replaces every ffn.pack_gated by an identical one earlier in its block
/// (the fused train step packs the same weights for the forward and the
/// backward): the packing copy runs once.
static void dedupePacks(Operation *root) {
  SmallVector<PackGatedOp> packs;
  root->walk([&](PackGatedOp op) { packs.push_back(op); });
  IRRewriter rewriter(root->getContext());
  for (PackGatedOp pack : packs) {
    for (Operation &op : *pack->getBlock()) {
      if (&op == pack.getOperation())
        break;
      auto earlier = dyn_cast<PackGatedOp>(op);
      if (earlier && samePackedWeight(earlier, pack)) {
        rewriter.replaceOp(pack, earlier.getPacked());
        break;
      }
    }
  }
}

/// The fused train step computes h = ffn.gated_matmul(x, P) for the forward
/// and [a | b] = linalg.matmul(x, P) (into zeros) for the backward, and
/// rebuilds h = ffn.apply_gate([a | b]) for dW2: the same product twice.
/// For each bias-free f32 gated matmul with such a matmul in its block,
/// emits ONE gated GEMM kernel (before the earlier of the two) that stores
/// both the plain accumulators [a | b] and h; both ops are replaced, and so
/// is every ffn.apply_gate of that [a | b] with the same gate and block
/// size (h is exactly gate(a) * b of the same registers).
static void fuseGatedWithPackedProduct(Operation *root) {
  SmallVector<GatedMatmulOp> gatedOps;
  root->walk([&](GatedMatmulOp op) { gatedOps.push_back(op); });
  for (GatedMatmulOp gated : gatedOps) {
    if (gated.getPackedBias() || !isF32Tensor(gated.getInput(), 2) ||
        !isF32Tensor(gated.getPackedWeight(), 2) ||
        !isF32Tensor(gated.getInit(), 2))
      continue;
    linalg::MatmulOp product;
    for (Operation &op : *gated->getBlock()) {
      auto matmul = dyn_cast<linalg::MatmulOp>(op);
      if (matmul && isPlainZeroMatmul(matmul) &&
          matmul.getInputs()[0] == gated.getInput() &&
          samePackedWeight(matmul.getInputs()[1], gated.getPackedWeight())) {
        product = matmul;
        break;
      }
    }
    if (!product)
      continue;
    bool gatedFirst = gated->isBeforeInBlock(product);
    Operation *first = gatedFirst ? gated.getOperation()
                                  : product.getOperation();
    // The operands of the earlier op dominate the kernel placed before it.
    Value packedWeight =
        gatedFirst ? gated.getPackedWeight() : product.getInputs()[1];
    auto hType = cast<RankedTensorType>(gated.getResult().getType());
    auto abType = cast<RankedTensorType>(product.getResult(0).getType());

    IRRewriter rewriter(gated.getContext());
    rewriter.setInsertionPoint(first);
    Location loc = gated.getLoc();
    GemmSpec spec;
    spec.epilogue = Epilogue::Gated;
    spec.activation = gated.getActivation();
    spec.blockSize = gated.getBlockSize();
    spec.lhs = readOnlyBufferOf(rewriter, loc, gated.getInput());
    spec.rhs = readOnlyBufferOf(rewriter, loc, packedWeight);
    spec.m = dimOf(rewriter, loc, gated.getInput(), 0);
    spec.k = dimOf(rewriter, loc, gated.getInput(), 1);
    spec.n = hType.isDynamicDim(1)
                 ? arith::DivUIOp::create(
                       rewriter, loc, dimOf(rewriter, loc, packedWeight, 1),
                       arith::ConstantIndexOp::create(rewriter, loc, 2))
                       .getResult()
                 : arith::ConstantIndexOp::create(rewriter, loc,
                                                  hType.getDimSize(1))
                       .getResult();
    Value packedCols = arith::AddIOp::create(rewriter, loc, spec.n, spec.n);
    spec.out = allocMatrix(rewriter, loc, hType, spec.m, spec.n);
    spec.packedOut = allocMatrix(rewriter, loc, abType, spec.m, packedCols);
    emitGemmLaunch(rewriter, loc, spec);
    Value h = tensorOfFilledBuffer(rewriter, loc, hType, spec.out);
    Value ab = tensorOfFilledBuffer(rewriter, loc, abType, spec.packedOut);

    // (Not where both h values leave through a terminator: a function
    // returning one buffer twice trips buffer-results-to-out-params.)
    auto returned = [](Value v) {
      return llvm::any_of(v.getUsers(), [](Operation *user) {
        return user->hasTrait<OpTrait::IsTerminator>();
      });
    };
    SmallVector<ApplyGateOp> rebuilds;
    for (Operation *user : product.getResult(0).getUsers())
      if (auto apply = dyn_cast<ApplyGateOp>(user))
        if (apply.getActivation() == gated.getActivation() &&
            static_cast<int64_t>(apply.getBlockSize()) == spec.blockSize &&
            apply.getResult().getType() == hType &&
            !(returned(apply.getResult()) && returned(gated.getResult())))
          rebuilds.push_back(apply);
    for (ApplyGateOp apply : rebuilds)
      rewriter.replaceOp(apply, h);
    rewriter.replaceOp(gated, h);
    rewriter.replaceOp(product, ab);
  }
}

/// With the train step keeping [a | b] from its forward (ffn-fuse
/// keep-activations), the forward is [a | b] = linalg.matmul(x, P) (into
/// zeros) and h = ffn.apply_gate([a | b]). For each such f32 matmul, ONE
/// gated kernel (gate and block size of its first ffn.apply_gate user)
/// computes the packed columns of h's micro-tile, stores the plain
/// accumulators as [a | b] and gate(a) * b as h: the product is the same
/// x P column by column, and h the same registers' gating, so the two ops
/// are replaced exactly; [a | b] is not read back to rebuild h.
static void fuseProductWithApplyGate(Operation *root) {
  SmallVector<linalg::MatmulOp> matmuls;
  root->walk([&](linalg::MatmulOp op) { matmuls.push_back(op); });
  for (linalg::MatmulOp product : matmuls) {
    if (!isPlainZeroMatmul(product))
      continue;
    ApplyGateOp apply;
    for (Operation *user : product.getResult(0).getUsers()) {
      auto candidate = dyn_cast<ApplyGateOp>(user);
      if (candidate && isF32Tensor(candidate.getResult(), 2) &&
          candidate->getBlock() == product->getBlock() &&
          (!apply || candidate->isBeforeInBlock(apply)))
        apply = candidate;
    }
    if (!apply)
      continue;
    Value x = product.getInputs()[0], weight = product.getInputs()[1];
    auto hType = cast<RankedTensorType>(apply.getResult().getType());
    auto abType = cast<RankedTensorType>(product.getResult(0).getType());

    IRRewriter rewriter(product.getContext());
    rewriter.setInsertionPoint(product);
    Location loc = product.getLoc();
    GemmSpec spec;
    spec.epilogue = Epilogue::Gated;
    spec.activation = apply.getActivation();
    spec.blockSize = apply.getBlockSize();
    spec.lhs = readOnlyBufferOf(rewriter, loc, x);
    spec.rhs = readOnlyBufferOf(rewriter, loc, weight);
    spec.m = dimOf(rewriter, loc, x, 0);
    spec.k = dimOf(rewriter, loc, x, 1);
    spec.n = hType.isDynamicDim(1)
                 ? arith::DivUIOp::create(
                       rewriter, loc, dimOf(rewriter, loc, weight, 1),
                       arith::ConstantIndexOp::create(rewriter, loc, 2))
                       .getResult()
                 : arith::ConstantIndexOp::create(rewriter, loc,
                                                  hType.getDimSize(1))
                       .getResult();
    Value packedCols = arith::AddIOp::create(rewriter, loc, spec.n, spec.n);
    spec.out = allocMatrix(rewriter, loc, hType, spec.m, spec.n);
    spec.packedOut = allocMatrix(rewriter, loc, abType, spec.m, packedCols);
    emitGemmLaunch(rewriter, loc, spec);
    Value h = tensorOfFilledBuffer(rewriter, loc, hType, spec.out);
    Value ab = tensorOfFilledBuffer(rewriter, loc, abType, spec.packedOut);
    rewriter.replaceOp(apply, h);
    rewriter.replaceOp(product, ab);
  }
}

/// The ungated counterpart of fuseGatedWithPackedProduct: the fused train
/// step of an ungated layer computes h = ffn.activated_matmul(x, W1) and
/// a = linalg.matmul(x, W1) (into zeros); for a bias-free f32 activated
/// matmul with such a matmul in its block, one activated GEMM kernel stores
/// both a and h, and replaces both ops.
static void fuseActivatedWithProduct(Operation *root) {
  SmallVector<ActivatedMatmulOp> activatedOps;
  root->walk([&](ActivatedMatmulOp op) { activatedOps.push_back(op); });
  for (ActivatedMatmulOp activated : activatedOps) {
    if (activated.getBias() || !isF32Tensor(activated.getInput(), 2) ||
        !isF32Tensor(activated.getWeight(), 2) ||
        !isF32Tensor(activated.getInit(), 2))
      continue;
    linalg::MatmulOp product;
    for (Operation &op : *activated->getBlock()) {
      auto matmul = dyn_cast<linalg::MatmulOp>(op);
      if (matmul && isPlainZeroMatmul(matmul) &&
          matmul.getInputs()[0] == activated.getInput() &&
          matmul.getInputs()[1] == activated.getWeight()) {
        product = matmul;
        break;
      }
    }
    if (!product)
      continue;
    Operation *first = activated->isBeforeInBlock(product)
                           ? activated.getOperation()
                           : product.getOperation();
    auto hType = cast<RankedTensorType>(activated.getResult().getType());
    auto aType = cast<RankedTensorType>(product.getResult(0).getType());

    IRRewriter rewriter(activated.getContext());
    rewriter.setInsertionPoint(first);
    Location loc = activated.getLoc();
    GemmSpec spec;
    spec.epilogue = Epilogue::Activated;
    spec.activation = activated.getActivation();
    spec.lhs = readOnlyBufferOf(rewriter, loc, activated.getInput());
    spec.rhs = readOnlyBufferOf(rewriter, loc, activated.getWeight());
    spec.m = dimOf(rewriter, loc, activated.getInput(), 0);
    spec.k = dimOf(rewriter, loc, activated.getInput(), 1);
    spec.n = dimOf(rewriter, loc, activated.getWeight(), 1);
    spec.out = allocMatrix(rewriter, loc, hType, spec.m, spec.n);
    spec.packedOut = allocMatrix(rewriter, loc, aType, spec.m, spec.n);
    emitGemmLaunch(rewriter, loc, spec);
    rewriter.replaceOp(activated,
                       tensorOfFilledBuffer(rewriter, loc, hType, spec.out));
    rewriter.replaceOp(
        product, tensorOfFilledBuffer(rewriter, loc, aType, spec.packedOut));
  }
}

struct GluGpuGemm : ffn::impl::GluGpuGemmBase<GluGpuGemm> {
  using Base::Base;

  void runOnOperation() override {
    dedupePacks(getOperation());
    if (matmuls) {
      fuseGatedWithPackedProduct(getOperation());
      fuseProductWithApplyGate(getOperation());
      fuseActivatedWithProduct(getOperation());
    }
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
  patterns.add<GatedMatmulToGpu, ActivatedMatmulToGpu, DActivationMatmulToGpu,
               DGateMatmulToGpu, ApplyGateToGpu>(patterns.getContext());
  if (matmuls)
    patterns.add<MatmulToGpu, ColumnSumToGpu>(patterns.getContext());
}
