//===- CpuGemmEmitter.cpp - register-tiled CPU GEMMs with epilogues ------===//
//
// The CPU GEMM of glu-cpu-gemm: every GEMM a GemmDescription describes
// (ffn.gated_matmul, ffn.activated_matmul, ffn.dgate_matmul,
// ffn.dactivation_matmul, linalg.matmul plain or with an operand read
// transposed) becomes a cache-tiled, register-blocked loop nest of
// vector<Lxf32> FMAs, L the target's f32 lanes (CpuGemmTiles::lanes: 16
// on AVX-512, 8 on AVX2, 4 on NEON):
//
//   scf.parallel (j0, i0) over tiles of NC columns x MC rows   (OpenMP)
//     memref.alloca_scope {
//       scratch: MC x 2L partial sums per micro-column of the tile
//       pack: KC x 2L weight panel per micro-column of the tile }
//     for kc over K in blocks of KC                         (cache blocking)
//       pack (when the tile has at least MR rows; otherwise see below): for
//         each k of the block, the tile's weight columns
//         of row k, in order, into the micro-columns' panels (plain loads;
//         masked loads with zeros past a ragged edge)
//       for each micro-column of the tile: 2 vectors of L lanes
//         (plain: columns c and c + L; gated: column c of the a half and
//          column c of the b half of the same packed block)
//         for r0 over the tile's rows in steps of MR
//           micro-kernel: 2 x MR accumulators, carried by the k loop
//           (two unmasked loads of the panel's row, one broadcast of x per
//            row, vector.fma), started from the initial value (first K
//            block) or the micro-column's scratch slot, and ended by the
//            epilogue + masked store of the output (last K block) or a
//            store to the scratch slot.
//
// The gating epilogue h = gate(a + bias_a) * (b + bias_b) (emitGatedProduct
// on vectors) is applied to the accumulators: the full [a | b] never goes
// through memory, and while K <= KC not even a micro-tile of it does.
// The pack turns the micro-kernels' reads of the weight (power-of-two row
// strides such as 16 KB for a packed [768, 4096] weight, which alias in
// the caches and miss the TLB) into one contiguous 2L-float row per k, read
// by every micro-tile of the tile's rows. It reads each weight row's
// columns of the tile once, whole cache lines in order: packing per
// micro-column instead (a 2L-float strip of every row, then the next strip)
// left AVX2's 32-byte strips to re-read half-lines the aliasing had evicted,
// a third of the gated GEMM's time. Column tiles are the outer parallel
// dimension, so that one thread's successive row tiles read the same weight
// columns (from L2) rather than the whole weight each.
// A tile of fewer than MR rows packs nothing: its rows' micro-kernel reads
// the weight directly, and a one-row tile (decoding, M = 1) streams it,
// row k's tile columns in order for each k, the row's sums of every
// micro-column kept in the scratch tile (L1), so that the weight is read
// once, in order, whole lines.
// Ragged edges: columns are masked (vector.create_mask, maskedload,
// maskedstore), the ragged last packed block included; the rows of a tile
// left after its whole MR-row micro-tiles (all of them when M < MR, as in
// decoding with M = 1) run one micro-kernel of exactly that many rows
// (scf.index_switch over 1 .. MR - 1), so that they read the weight once; a
// kernel of fewer than 8 accumulators (1 to 3 rows) carries several sets
// over interleaved k and sums them after the loop, so that the FMA latency
// is covered. Transposed lhs ([K, M]) is
// read as is (a row's six broadcasts are contiguous).
//
// A transposed rhs ([N, K]: dx = dy W^T, dh = dy W2^T in the backward,
// attention's K^T) is read as given by a GEMM of at most kMaxDotProductRows
// rows (static): each output is the dot product of an lhs row and a weight
// row, both read in order along K. For each micro-column's vector,
//   for groups of dotColumns (8) weight rows, for groups of dotRows lhs rows
//     dotColumns x dotRows vector accumulators over the whole of K (a
//     weight read through its ffn.pack_gated walks the packed blocks: the
//     a columns against the gate weight, the b columns against the linear
//     one), each group of a row's dotColumns accumulators summed by a fixed
//     tree of shuffles (reduceColumns) into one vector stored to the scratch
//   then the epilogue on the scratch tile, as above.
// The weight rows stay in L1 while the tile's rows pass over them, so the
// weight is read from memory once, in order. With more rows a transposed rhs
// is first copied into [K, N] by a parallel loop nest over 32 x 32 tiles,
// O(KN) against the GEMM's O(MKN); at few rows that copy (two more passes
// over the weight, strided) cost more than the GEMM: SwiGLU's T5-base train
// step at M = 1 spent 60% of its time transposing W2 and [W | V].
//
// A plain GEMM whose result only an ffn.unpack_gated reads (the weight
// gradient x^T [da | db]) walks its columns by packed blocks like the gated
// GEMM and stores each micro-column's a vector to dW and its b vector to dV
// (CpuGemmBuffers::outLinear): no pass of the unpack over the gradient.
//
// The fused backward's ops go the same way: ffn.dgate_matmul and
// ffn.dactivation_matmul are this GEMM for dh = dy W2^T (W2 [d_ff, N] copied
// transposed once, in parallel), their epilogue applied to the accumulators
// of the last K block: dactivation loads a at the output's columns and
// stores dh * act'(a); dgate walks the packed blocks like the gated GEMM
// (two dh vectors of a block per micro-column), loads a and b from [a | b]
// and stores da and db to the same packed columns
// (emitGatedProductGradient on vectors). ffn.apply_gate, ffn.pack_gated and
// ffn.unpack_gated become parallel rows x blocks nests of L-lane masked
// vector loads and stores, and a linalg.reduce summing a matrix's rows (the
// bias gradients) a parallel nest over stripes of 64 columns with vector
// accumulators: no scalar loop over a large tensor is left to
// convert-ffn-to-linalg and linalg-to-loops.
//
// Why on tensors, before bufferization: the pass slots into the pipeline
// where the ffn ops still exist (they have no memref form), and keeps
// one-shot-bufferize in charge of every other buffer. The generated nest
// reads its operands through bufferization.to_buffer read_only (strided
// layouts, so slices and function arguments both fit) and writes a fresh
// memref.alloc that leaves as bufferization.to_tensor restrict writable;
// buffer-results-to-out-params and the deallocation pipeline then treat it
// like any allocation.

#include "passes/codegen/cpu/CpuGemmEmitter.h"

#include "passes/codegen/cpu/CpuBuffers.h"
#include "passes/utils/ActivationMath.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"

using namespace mlir;
using namespace mlir::ffn;

namespace {
/// One micro-column: two vectors of `lanes` lanes, their weight columns, how
/// many lanes are valid, and where they go in the output (the gated
/// epilogue writes only the first; the dgate epilogue writes the a columns
/// outCol[v] and the b columns outCol[v] + bOffset).
struct MicroColumn {
  Value rhsCol[2];
  /// Gated: the two vectors' columns in the packed weight (for the packed
  /// bias and kept pre-activations); rhsCol when the GEMM reads the packed
  /// weight, else the gate and linear weights' own column.
  Value packedCol[2];
  Value lanes[2];
  Value outCol[2];
  Value bOffset;
};

/// Emits the loop nest of one GEMM.
class GemmEmitter {
public:
  GemmEmitter(OpBuilder &b, Location loc, const GemmDescription &gemm,
              const CpuGemmBuffers &buffers, const CpuGemmTiles &tiles)
      : b(b), loc(loc), gemm(gemm), buffers(buffers), tiles(tiles) {
    f32 = b.getF32Type();
    lanes = tiles.lanes;
    vecType = VectorType::get({lanes}, f32);
    maskType = VectorType::get({lanes}, b.getI1Type());
  }

  void emit() {
    Value c0 = index(0);
    // The GEMM's extents, as the description defines them (N is d_ff for
    // the packed epilogues).
    M = gemm.getM(b, loc);
    N = gemm.getN(b, loc);
    K = gemm.getK(b, loc);
    microRows = tiles.microRows;
    tileRows = llvm::divideCeil(tiles.rows, microRows) * microRows;
    // Dot products: dotColumns weight rows (a power of two, at most a
    // vector's lanes) times dotRows lhs rows of accumulators, plus a vector
    // of each, in the registers.
    dotColumns = std::min<int64_t>(8, lanes);
    dotRows = std::max<int64_t>(1, (tiles.registers - 4) / (dotColumns + 1));

    Value colUpper, colStep;
    blockSize = gemm.isBlocked() ? gemm.blockSize : buffers.outBlockSize;
    if (buffers.outLinear)
      N = memref::DimOp::create(b, loc, buffers.out, 1);
    if (blockSize) {
      // Parallel over groups of whole packed blocks.
      Value block = index(blockSize);
      numBlocks = arith::CeilDivSIOp::create(b, loc, N, block);
      colUpper = numBlocks;
      int64_t blocksPerTile =
          std::max<int64_t>(1, llvm::divideCeil(tiles.cols, blockSize));
      colStep = index(blocksPerTile);
      // Gated and unpacked: one vector of the a half and one of the b half
      // a micro-column; dgate: two vectors of dh.
      int64_t columnsPerMicro =
          gemm.epilogue == GemmEpilogue::DGate ? 2 * lanes : lanes;
      microPerBlock = llvm::divideCeil(blockSize, columnsPerMicro);
      microPerTile = blocksPerTile * microPerBlock;
    } else {
      int64_t cols = llvm::divideCeil(tiles.cols, 2 * lanes) * 2 * lanes;
      colUpper = N;
      colStep = index(cols);
      microPerTile = cols / (2 * lanes);
    }
    scratchRows = buffers.rhsRows
                      ? llvm::divideCeil(tileRows, dotRows) * dotRows
                      : tileRows;
    // With one row tile (M <= tile-rows) the column tiles alone are the
    // parallel work, balanced among the threads (getBalancedStep); one row
    // streams the weight in a tile a thread (getStreamStep). Both read the
    // OpenMP thread count at run time.
    std::optional<int64_t> staticM = getConstantIntValue(M);
    bool staticOneRow = staticM && *staticM == 1;
    bool balances = !gemm.batched && !buffers.rhsRows && !staticOneRow &&
                    (!staticM || *staticM <= tileRows);
    bool streams =
        tiles.packB && !buffers.rhsRows && (!staticM || staticOneRow);
    Value threads = balances || streams ? getMaxThreads() : Value();
    if (threads && balances) {
      Value balanced = getBalancedStep(colUpper, threads);
      colStep = staticM ? balanced
                        : arith::SelectOp::create(b, loc,
                                                  cmp(arith::CmpIPredicate::sle,
                                                      M, index(tileRows)),
                                                  balanced, colStep);
    }
    if (streams) {
      Value streamStep = getStreamStep(colUpper, threads);
      colStep = staticM
                    ? streamStep
                    : arith::SelectOp::create(
                          b, loc, cmp(arith::CmpIPredicate::eq, M, index(1)),
                          streamStep, colStep);
    }
    // Batched: the batch is the outermost parallel dimension.
    SmallVector<Value> lower = {c0, c0}, upper = {colUpper, M},
                       steps = {colStep, index(tileRows)};
    if (gemm.batched) {
      lower.insert(lower.begin(), c0);
      upper.insert(upper.begin(), gemm.getBatch(b, loc));
      steps.insert(steps.begin(), index(1));
    }
    scf::ParallelOp::create(
        b, loc, lower, upper, steps,
        [&](OpBuilder &nb, Location, ValueRange ivs) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
          if (gemm.batched) {
            sliceBatch(ivs.front());
            ivs = ivs.drop_front();
          }
          // The scratch tile and the packed panel live on the thread's
          // stack for one tile.
          auto scope = memref::AllocaScopeOp::create(b, loc, TypeRange{});
          Block *body = new Block();
          scope.getBodyRegion().push_back(body);
          b.setInsertionPointToStart(body);
          // Partial sums between K blocks: one tileRows x 2L slot per
          // micro-column.
          // (Dot products: rounded up to whole groups of dotRows.)
          scratch = memref::AllocaOp::create(
              b, loc,
              MemRefType::get({microPerTile, scratchRows, 2 * lanes}, f32));
          // The tile's K block of the weight, one KC x 2L panel per
          // micro-column (KC x the tile's weight columns floats: 128 KB
          // for 128 columns at KC = 256).
          if (tiles.packB && !buffers.rhsRows)
            pack = memref::AllocaOp::create(
                b, loc,
                MemRefType::get({microPerTile, tiles.k, 2 * lanes}, f32),
                ValueRange{}, b.getI64IntegerAttr(64));
          if (buffers.rhsRows)
            emitDotProductTile(ivs[1], ivs[0], colStep);
          else
            emitTile(ivs[1], ivs[0], colStep);
          memref::AllocaScopeReturnOp::create(b, loc, ValueRange{});
        });
  }

private:
  OpBuilder &b;
  Location loc;
  const GemmDescription &gemm;
  /// The GEMM's buffers; for a batched GEMM, inside the parallel loop,
  /// their slices of the current batch.
  CpuGemmBuffers buffers;
  const CpuGemmTiles &tiles;
  Type f32;
  VectorType vecType, maskType;
  Value M, N, K, numBlocks;
  /// The per-tile scratch partial sums and packed weight panel (null when
  /// tiles.packB is false), indexed by the micro-column's slot.
  Value scratch, pack;
  int64_t microRows = 0, tileRows = 0;
  /// The dot-product kernel's output columns and rows (readsRhsByDotProducts).
  int64_t dotColumns = 0, dotRows = 0;
  /// The packed block size of a GEMM whose columns are walked by blocks
  /// (Gate, DGate, an unpacked Accumulate), else 0.
  int64_t blockSize = 0;
  /// Micro-columns in a packed block (blocked GEMMs), and in a whole tile.
  int64_t microPerBlock = 0, microPerTile = 0;
  /// Rows of the scratch tile's slots.
  int64_t scratchRows = 0;
  /// f32 lanes of a vector.
  int64_t lanes = 16;
  /// Independent accumulators a micro-kernel keeps at least, to cover the
  /// FMA latency (4 cycles, 2 FMAs a cycle on current x86 and Arm cores).
  static constexpr int64_t kMinAccumulators = 8;
  /// Weight rows a one-row tile's stream reads at a time.
  static constexpr int64_t kStreamRows = 4;

  /// Replaces the batched buffers by their [batch] slices (rank reduced:
  /// the rest of the emitter sees one GEMM). The bias is not batched.
  void sliceBatch(Value batch) {
    for (Value *buffer :
         {&buffers.lhs, &buffers.rhs, &buffers.rhsLinear, &buffers.init,
          &buffers.preactivations, &buffers.out, &buffers.preactivationsOut})
      if (*buffer)
        *buffer = getBatchSlice(b, loc, *buffer, batch);
  }

  /// The indices of vector `v` (0 or 1) of row `row` of a micro-column's
  /// slot in a [slot][row][2L] buffer (the scratch tile or the pack).
  SmallVector<Value, 3> slotIndices(Value slot, Value row, int v) {
    return {slot, row, index(v ? lanes : 0)};
  }

  /// The column step (blocks, or columns) of a one-row GEMM, which streams
  /// the weight: stream-cols columns, or by default the columns divided
  /// evenly among the OpenMP threads (omp_get_max_threads), one tile a
  /// thread: each thread reads long runs of every weight row, whose
  /// prefetched lines it then uses, where narrow tiles left the prefetchers
  /// running past each run into lines evicted before the next tile came
  /// back for them (SwiGLU forward at M = 1, 2 threads: T5-base 0.211 ->
  /// 0.153 ms, T5-small 0.091 -> 0.071). At most as many micro-columns as
  /// the scratch tile has rows in all its slots. `threads` is the OpenMP
  /// thread count, or null outside a module (then tile-cols columns).
  Value getStreamStep(Value columns, Value threads) {
    int64_t maxUnits =
        std::max<int64_t>(1, microPerTile * scratchRows / microPerUnit());
    if (tiles.streamCols)
      return index(
          std::min<int64_t>(
              llvm::divideCeil(tiles.streamCols, columnsPerUnit()), maxUnits) *
          stepPerUnit());
    if (!threads)
      return index(microPerTile / microPerUnit() * stepPerUnit());
    Value unit = index(stepPerUnit());
    Value perThread = arith::CeilDivUIOp::create(b, loc, columns, threads);
    Value step = mul(arith::CeilDivUIOp::create(b, loc, perThread, unit), unit);
    step = arith::MaxUIOp::create(b, loc, step, unit);
    return min(step, index(maxUnits * stepPerUnit()));
  }

  /// The column step of a GEMM with one row tile, where the column tiles
  /// are all the parallel work: of the steps of 1 .. tile-cols whole blocks
  /// (or 2L-column units), the one that gives the busiest OpenMP thread
  /// (static schedule) the fewest units, the widest of equals (SwiGLU
  /// forward at T5-small width, M = 16, 2 threads: 22 blocks of 64 in 11
  /// tiles, 6 and 5 a thread, 0.475 ms; in 22 tiles, 0.428). `threads` is
  /// the OpenMP thread count.
  Value getBalancedStep(Value columns, Value threads) {
    int64_t stepUnits = microPerTile / microPerUnit();
    Value units = blockSize ? columns
                            : arith::CeilDivUIOp::create(b, loc, columns,
                                                         index(stepPerUnit()));
    auto busiest = [&](int64_t step) {
      Value tiles = arith::CeilDivUIOp::create(b, loc, units, index(step));
      return mul(arith::CeilDivUIOp::create(b, loc, tiles, threads),
                 index(step));
    };
    Value best = index(stepUnits), bestLoad = busiest(stepUnits);
    for (int64_t step = stepUnits - 1; step >= 1; --step) {
      Value load = busiest(step);
      Value better = cmp(arith::CmpIPredicate::ult, load, bestLoad);
      best = arith::SelectOp::create(b, loc, better, index(step), best);
      bestLoad = arith::MinUIOp::create(b, loc, load, bestLoad);
    }
    return mul(best, index(stepPerUnit()));
  }

  /// The units the column steps are counted in: whole packed blocks
  /// (blocked GEMMs, whose column loop runs over blocks) or 2L columns.
  /// Their columns, their micro-columns, and one unit in the column loop's
  /// measure.
  int64_t columnsPerUnit() const { return blockSize ? blockSize : 2 * lanes; }
  int64_t microPerUnit() const { return blockSize ? microPerBlock : 1; }
  int64_t stepPerUnit() const { return blockSize ? 1 : 2 * lanes; }

  /// omp_get_max_threads() as an index, declared in the enclosing module;
  /// null outside a module.
  Value getMaxThreads() {
    Operation *parent = b.getInsertionBlock()->getParentOp();
    auto module = isa<ModuleOp>(parent) ? cast<ModuleOp>(parent)
                                        : parent->getParentOfType<ModuleOp>();
    if (!module)
      return {};
    constexpr StringLiteral kName = "omp_get_max_threads";
    auto fn = module.lookupSymbol<func::FuncOp>(kName);
    if (!fn) {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(module.getBody());
      fn = func::FuncOp::create(b, loc, kName,
                                b.getFunctionType({}, {b.getI32Type()}));
      fn.setPrivate();
    }
    Value count = func::CallOp::create(b, loc, fn, ValueRange{}).getResult(0);
    return arith::IndexCastUIOp::create(b, loc, b.getIndexType(), count);
  }

  /// The indices of vector `v` of a one-row tile's slot `slot` in the
  /// scratch tile: slot after slot, scratchRows to a scratch slot, so that
  /// the one row's sums are contiguous however many micro-columns a
  /// stream-cols tile has.
  SmallVector<Value, 3> streamIndices(Value slot, int v) {
    Value rows = index(scratchRows);
    return {arith::DivUIOp::create(b, loc, slot, rows),
            arith::RemUIOp::create(b, loc, slot, rows), index(v ? lanes : 0)};
  }

  /// The buffer the micro-column's vector `v` reads its weight from: the
  /// gated GEMM's linear weight for v = 1 when it reads the gate and linear
  /// weights unpacked, else the right operand.
  Value getRhs(int v) {
    return v == 1 && buffers.rhsLinear ? buffers.rhsLinear : buffers.rhs;
  }

  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }
  Value div(Value x, int64_t y) {
    return arith::DivUIOp::create(b, loc, x, index(y));
  }
  Value min(Value x, Value y) { return arith::MinSIOp::create(b, loc, x, y); }
  Value cmp(arith::CmpIPredicate predicate, Value x, Value y) {
    return arith::CmpIOp::create(b, loc, predicate, x, y);
  }
  Value zeros() {
    return arith::ConstantOp::create(
        b, loc, vecType, DenseElementsAttr::get(vecType, b.getF32FloatAttr(0)));
  }

  /// `for iv = lb to ub step step { fn(iv) }`.
  void loop(Value lb, Value ub, Value step, function_ref<void(Value)> fn) {
    auto forOp = scf::ForOp::create(b, loc, lb, ub, step);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(forOp.getBody()->getTerminator());
    fn(forOp.getInductionVar());
  }

  /// `for iv = lb to ub step step iter_args(init) { yield fn(iv, args) }`,
  /// returning the loop's results.
  SmallVector<Value>
  loopCarrying(Value lb, Value ub, Value step, ValueRange init,
               function_ref<SmallVector<Value>(Value, ValueRange)> fn) {
    auto forOp = scf::ForOp::create(
        b, loc, lb, ub, step, init,
        [&](OpBuilder &nb, Location, Value iv, ValueRange iterArgs) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
          scf::YieldOp::create(b, loc, fn(iv, iterArgs));
        });
    return SmallVector<Value>(forOp.getResults());
  }

  /// `if (cond) { thenFn() } else { elseFn() }`, without results.
  void ifThenElse(Value cond, function_ref<void()> thenFn,
                  function_ref<void()> elseFn = nullptr) {
    auto body = [&](function_ref<void()> fn) {
      return [&, fn](OpBuilder &nb, Location) {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
        fn();
        scf::YieldOp::create(b, loc);
      };
    };
    if (elseFn)
      scf::IfOp::create(b, loc, cond, body(thenFn), body(elseFn));
    else
      scf::IfOp::create(b, loc, cond, body(thenFn));
  }

  /// Calls `fn` on each micro-column of the tile at columns (or blocks) j0
  /// with its slot in the scratch and pack buffers, in the order of the
  /// weight's columns.
  void forEachMicroColumn(Value j0, Value colStep,
                          function_ref<void(const MicroColumn &, Value)> fn) {
    if (gemm.epilogue == GemmEpilogue::DGate) {
      // Block j: dh columns [first, first + width) of the GEMM, two vectors
      // at a time; their a columns start at 2 first, their b columns
      // `width` further.
      Value block = index(blockSize);
      Value blockEnd = min(add(j0, colStep), numBlocks);
      loop(j0, blockEnd, index(1), [&](Value j) {
        Value first = mul(j, block);
        Value width = min(block, sub(N, first));
        Value base = mul(first, index(2));
        Value blockSlot = mul(sub(j, j0), index(microPerBlock));
        loop(index(0), width, index(2 * lanes), [&](Value c) {
          MicroColumn column;
          Value c1 = add(c, index(lanes));
          column.rhsCol[0] = add(first, c);
          column.rhsCol[1] = add(first, c1);
          column.lanes[0] = sub(width, c);
          column.lanes[1] = sub(width, c1);
          column.outCol[0] = add(base, c);
          column.outCol[1] = add(base, c1);
          column.bOffset = width;
          fn(column, add(blockSlot, div(c, 2 * lanes)));
        });
      });
      return;
    }
    if (gemm.epilogue == GemmEpilogue::Gate || buffers.outLinear) {
      Value block = index(blockSize);
      Value blockEnd = min(add(j0, colStep), numBlocks);
      loop(j0, blockEnd, index(1), [&](Value j) {
        // Block j holds `width` a columns, then `width` b columns.
        Value first = mul(j, block);
        Value width = min(block, sub(N, first));
        Value base = mul(first, index(2));
        Value blockSlot = mul(sub(j, j0), index(microPerBlock));
        loop(index(0), width, index(lanes), [&](Value c) {
          MicroColumn column;
          column.packedCol[0] = add(base, c);
          column.packedCol[1] = add(column.packedCol[0], width);
          if (buffers.rhsLinear) {
            // Column first + c of the gate and of the linear weight.
            column.rhsCol[0] = column.rhsCol[1] = add(first, c);
          } else {
            column.rhsCol[0] = column.packedCol[0];
            column.rhsCol[1] = column.packedCol[1];
          }
          column.lanes[0] = column.lanes[1] = sub(width, c);
          // Gate: the product goes to column first + c; unpacked: the a
          // and b vectors each to that column of their own output.
          column.outCol[0] = column.outCol[1] = add(first, c);
          fn(column, add(blockSlot, div(c, lanes)));
        });
      });
      return;
    }
    Value colEnd = min(add(j0, colStep), N);
    loop(j0, colEnd, index(2 * lanes), [&](Value c) {
      MicroColumn column;
      column.rhsCol[0] = column.outCol[0] = c;
      column.rhsCol[1] = column.outCol[1] = add(c, index(lanes));
      column.lanes[0] = sub(N, c);
      column.lanes[1] = sub(N, column.rhsCol[1]);
      fn(column, div(sub(c, j0), 2 * lanes));
    });
  }

  /// The masks of a micro-column's two vectors (lanes past the edge off).
  void getMasks(const MicroColumn &column, Value masks[2]) {
    for (int v = 0; v < 2; ++v)
      masks[v] = v == 1 && column.lanes[1] == column.lanes[0]
                     ? masks[0]
                     : vector::CreateMaskOp::create(
                           b, loc, maskType, ValueRange{column.lanes[v]});
  }

  /// The tile at rows i0, columns (or blocks) j0: for each K block, the
  /// tile's weight panel is packed, then every micro-column's micro-kernels
  /// run over the tile's rows.
  void emitTile(Value i0, Value j0, Value colStep) {
    Value rowEnd = min(add(i0, index(tileRows)), M);
    // Whole micro-tiles, then the rows left one at a time.
    Value step = index(microRows);
    Value rows = sub(rowEnd, i0);
    Value fullEnd = add(i0, mul(div(rows, microRows), step));
    // Pack when the tile has a whole micro-tile (which then reads the
    // panel); fewer rows read the weight directly, and one row (decoding,
    // M = 1) streams it.
    Value packed = pack ? cmp(arith::CmpIPredicate::sge, rows, step) : Value();
    Value severalRows = cmp(arith::CmpIPredicate::sgt, rows, index(1));
    Value kc0 = index(tiles.k);
    // At least one K block, so that K = 0 still writes the epilogue.
    Value kUpper = arith::MaxSIOp::create(b, loc, K, index(1));
    loop(index(0), kUpper, kc0, [&](Value kc) {
      KBlock kb;
      kb.kc = kc;
      kb.kEnd = min(add(kc, kc0), K);
      kb.first = cmp(arith::CmpIPredicate::eq, kc, index(0));
      kb.last = cmp(arith::CmpIPredicate::sge, kb.kEnd, K);
      if (pack)
        ifThenElse(packed, [&] { emitPack(j0, colStep, kb); });
      forEachMicroColumn(
          j0, colStep, [&](const MicroColumn &column, Value slot) {
            Value masks[2];
            getMasks(column, masks);
            loop(i0, fullEnd, step, [&](Value r0) {
              emitMicroKernel(column, masks, slot, microRows, i0, r0, kb,
                              /*fromPack=*/bool(pack));
            });
            if (microRows == 1)
              return;
            // The rows left after the whole micro-tiles (all of them when
            // the tile has fewer than microRows, as in decoding): one
            // micro-kernel of exactly that many rows, which reads the
            // weight once.
            auto rowsLeft = [&](bool fromPack) {
              SmallVector<int64_t> counts;
              for (int64_t count = 1; count < microRows; ++count)
                counts.push_back(count);
              auto cases = scf::IndexSwitchOp::create(b, loc, TypeRange{},
                                                      sub(rowEnd, fullEnd),
                                                      counts, counts.size());
              OpBuilder::InsertionGuard guard(b);
              b.setInsertionPointToStart(
                  &cases.getDefaultRegion().emplaceBlock());
              scf::YieldOp::create(b, loc);
              for (auto [i, count] : llvm::enumerate(counts)) {
                b.setInsertionPointToStart(
                    &cases.getCaseRegions()[i].emplaceBlock());
                emitMicroKernel(column, masks, slot, count, i0, fullEnd, kb,
                                fromPack);
                scf::YieldOp::create(b, loc);
              }
            };
            if (!pack)
              rowsLeft(false);
            else
              ifThenElse(
                  packed, [&] { rowsLeft(true); },
                  [&] { ifThenElse(severalRows, [&] { rowsLeft(false); }); });
          });
      // A one-row tile (decoding) streams the weight instead.
      if (pack)
        ifThenElse(cmp(arith::CmpIPredicate::eq, rows, index(1)),
                   [&] { emitWeightStream(i0, j0, colStep, kb); });
    });
  }

  /// One K block: rows [kc, kEnd) of the reduction, whether it is the
  /// first (the accumulators start from the initial value) and the last
  /// (the epilogue runs).
  struct KBlock {
    Value kc, kEnd, first, last;
  };

  /// Copies rows [kc, kEnd) of the tile's weight columns into the pack
  /// buffer, one KC x 2L panel per micro-column (gated: its a vector, then
  /// its b vector), zero past the ragged edge. Row by row, so that each
  /// weight row's columns of the tile are read once, in order, whole cache
  /// lines at a time (not a 2L-float strip of a row per micro-column, a
  /// power-of-two row stride apart, which aliases in the caches); the
  /// micro-kernels then read one contiguous 2L-float row per k, unmasked.
  void emitPack(Value j0, Value colStep, const KBlock &kb) {
    loop(kb.kc, kb.kEnd, index(1), [&](Value k) {
      Value kk = sub(k, kb.kc);
      forEachMicroColumn(j0, colStep,
                         [&](const MicroColumn &column, Value slot) {
                           ValueRange w = loadWeightRow(column, k);
                           for (int v = 0; v < 2; ++v)
                             vector::StoreOp::create(b, loc, w[v], pack,
                                                     slotIndices(slot, kk, v));
                         });
    });
  }

  /// The micro-column's weight vectors `vs` (0, 1 or both) of row k: plain
  /// loads when both are whole (all but a ragged edge), else masked loads
  /// with zeros past the edge.
  ValueRange loadWeightRow(const MicroColumn &column, Value k,
                           ArrayRef<int> vs = {0, 1}) {
    Value whole =
        cmp(arith::CmpIPredicate::sge,
            arith::MinSIOp::create(b, loc, column.lanes[0], column.lanes[1]),
            index(lanes));
    auto load = scf::IfOp::create(
        b, loc, whole,
        [&](OpBuilder &nb, Location) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
          SmallVector<Value> w;
          for (int v : vs)
            w.push_back(vector::LoadOp::create(
                b, loc, vecType, getRhs(v), ValueRange{k, column.rhsCol[v]}));
          scf::YieldOp::create(b, loc, w);
        },
        [&](OpBuilder &nb, Location) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
          Value masks[2];
          getMasks(column, masks);
          SmallVector<Value> w;
          for (int v : vs)
            w.push_back(maskedLoad(getRhs(v), ValueRange{k, column.rhsCol[v]},
                                   masks[v]));
          scf::YieldOp::create(b, loc, w);
        });
    return load.getResults();
  }

  /// A one-row tile (decoding, M = 1), which packs nothing: a stream over
  /// the weight. For each group of kStreamRows rows of the block, the tile's
  /// weight columns of those rows are read in order (whole cache lines, as
  /// the pack reads them; several rows' streams in flight at once) and the
  /// row's partial sums of every micro-column, kept in the scratch tile
  /// (L1), take kStreamRows FMAs per load and store (one row at a time:
  /// SwiGLU forward at M = 1, 2 threads, LLaMA-7B width 26.5 -> 19.5 ms,
  /// T5-base 0.31 -> 0.22 ms; 8 rows at a time was slower again). Reading the
  /// weight micro-column by micro-column instead walks it down its row stride
  /// two vectors at a time (SwiGLU T5-base forward at M = 1, 2 threads: 0.49 ->
  /// 0.36 ms). With more rows the sums' loads and stores cost more than the
  /// stream saves (M = 4: 0.69 -> 0.96 ms), so 2 .. MR - 1 rows run the
  /// micro-kernel on the weight itself. The tile's one row is `row`.
  void emitWeightStream(Value row, Value j0, Value colStep, const KBlock &kb) {
    // The first K block starts the sums from the initial value.
    ifThenElse(kb.first, [&] {
      forEachMicroColumn(
          j0, colStep, [&](const MicroColumn &column, Value slot) {
            Value masks[2];
            getMasks(column, masks);
            SmallVector<Value> accs = initialAccumulators(column, masks, row);
            for (int v = 0; v < 2; ++v)
              vector::StoreOp::create(b, loc, accs[v], scratch,
                                      streamIndices(slot, v));
          });
    });
    // kStreamRows weight rows at a time: as many independent streams in
    // flight, and one load and store of the sums for all of them. The row's
    // x values for those rows are broadcast once for every micro-column
    // (SwiGLU forward, T5-base, M = 1, unfused: 0.206 -> 0.186 ms).
    auto streamRows = [&](Value k, int64_t count, ArrayRef<int> vs) {
      SmallVector<Value> ks, xs;
      for (int64_t g = 0; g < count; ++g) {
        ks.push_back(g ? add(k, index(g)) : k);
        Value x = memref::LoadOp::create(b, loc, buffers.lhs,
                                         gemm.lhs.transposed
                                             ? ValueRange{ks.back(), row}
                                             : ValueRange{row, ks.back()});
        xs.push_back(vector::BroadcastOp::create(b, loc, vecType, x));
      }
      forEachMicroColumn(
          j0, colStep, [&](const MicroColumn &column, Value slot) {
            SmallVector<ValueRange> w;
            for (Value kk : ks)
              w.push_back(loadWeightRow(column, kk, vs));
            for (auto [i, v] : llvm::enumerate(vs)) {
              Value acc = vector::LoadOp::create(b, loc, vecType, scratch,
                                                 streamIndices(slot, v));
              for (int64_t g = 0; g < count; ++g)
                acc = vector::FMAOp::create(b, loc, xs[g], w[g][i], acc);
              vector::StoreOp::create(b, loc, acc, scratch,
                                      streamIndices(slot, v));
            }
          });
    };
    auto streamBlock = [&](ArrayRef<int> vs) {
      Value groupedEnd = add(kb.kc, mul(div(sub(kb.kEnd, kb.kc), kStreamRows),
                                        index(kStreamRows)));
      loop(kb.kc, groupedEnd, index(kStreamRows),
           [&](Value k) { streamRows(k, kStreamRows, vs); });
      loop(groupedEnd, kb.kEnd, index(1),
           [&](Value k) { streamRows(k, 1, vs); });
    };
    // A gated GEMM that reads the gate and linear weights unpacked streams
    // one, then the other: each pass reads one weight's rows in order, as a
    // plain GEMM's stream does (SwiGLU forward at T5-base width, M = 1, 2
    // threads: 0.207 -> 0.198 ms; reading the packed weight instead, as with
    // --pack-arguments, takes 0.182, and the unfused layer 0.174).
    if (buffers.rhsLinear) {
      streamBlock({0});
      streamBlock({1});
    } else {
      streamBlock({0, 1});
    }
    // The last K block runs the epilogue on the sums.
    ifThenElse(kb.last, [&] {
      storeFromScratch(row, add(row, index(1)), j0, colStep,
                       /*addInitial=*/false, /*stream=*/true);
    });
  }

  /// The epilogue of the tile's rows [i0, rowEnd) on the sums in the
  /// scratch tile (laid out as the one-row stream keeps them when
  /// `stream`), started from the initial value when `addInitial`.
  void storeFromScratch(Value i0, Value rowEnd, Value j0, Value colStep,
                        bool addInitial, bool stream = false) {
    forEachMicroColumn(j0, colStep, [&](const MicroColumn &column, Value slot) {
      Value masks[2], bias[2];
      getMasks(column, masks);
      loadBias(column, masks, bias);
      loop(i0, rowEnd, index(1), [&](Value row) {
        // Only an accumulating GEMM starts from something but zeros.
        SmallVector<Value> start;
        if (addInitial && gemm.epilogue == GemmEpilogue::Accumulate)
          start = initialAccumulators(column, masks, row);
        Value acc[2];
        for (int v = 0; v < 2; ++v) {
          Value offset = sub(row, i0);
          acc[v] = vector::LoadOp::create(
              b, loc, vecType, scratch,
              stream ? streamIndices(slot, v) : slotIndices(slot, offset, v));
          if (!start.empty())
            acc[v] = arith::AddFOp::create(b, loc, start[v], acc[v]);
        }
        storeOutput(column, masks, bias, row, acc[0], acc[1]);
      });
    });
  }

  /// The tile at rows i0, columns (or blocks) j0 of a GEMM whose right
  /// operand is [N, K] as given (readsRhsByDotProducts): each output is the
  /// dot product of an lhs row and a weight row, both read in order along
  /// K. For each micro-column's vector, dotColumns weight rows at a time,
  /// dotRows lhs rows at a time: dotColumns x dotRows vector accumulators
  /// over K, each reduced to its sum (reduceColumns), the sums of a row
  /// stored as one vector into the scratch tile; then the epilogue runs on
  /// the scratch tile. The weight rows stay in L1 while the tile's rows
  /// pass over them, so the weight is read from memory once.
  void emitDotProductTile(Value i0, Value j0, Value colStep) {
    Value rowEnd = min(add(i0, index(tileRows)), M);
    Value lastRow = sub(M, index(1));
    Value lastColumn =
        sub(memref::DimOp::create(b, loc, buffers.rhs, 0), index(1));
    forEachMicroColumn(j0, colStep, [&](const MicroColumn &column, Value slot) {
      for (int v = 0; v < 2; ++v) {
        for (int64_t l0 = 0; l0 < lanes; l0 += dotColumns) {
          // Lanes past the micro-column's edge compute on the last
          // weight row; the epilogue's masks drop them.
          ifThenElse(
              cmp(arith::CmpIPredicate::sgt, column.lanes[v], index(l0)), [&] {
                SmallVector<Value> cols;
                for (int64_t g = 0; g < dotColumns; ++g)
                  cols.push_back(
                      min(add(column.rhsCol[v], index(l0 + g)), lastColumn));
                loop(i0, rowEnd, index(dotRows), [&](Value r0) {
                  // Rows past the end repeat the last row into scratch
                  // slots nobody reads.
                  SmallVector<Value> rows;
                  for (int64_t r = 0; r < dotRows; ++r)
                    rows.push_back(min(add(r0, index(r)), lastRow));
                  SmallVector<Value> accs = emitDotProducts(rows, cols);
                  for (int64_t r = 0; r < dotRows; ++r) {
                    Value sums = reduceColumns(ArrayRef<Value>(accs).slice(
                        r * dotColumns, dotColumns));
                    vector::StoreOp::create(
                        b, loc, sums, scratch,
                        ValueRange{slot, sub(add(r0, index(r)), i0),
                                   index(v * lanes + l0)});
                  }
                });
              });
        }
      }
    });
    storeFromScratch(i0, rowEnd, j0, colStep, /*addInitial=*/true);
  }

  /// dotRows x dotColumns vector accumulators: lanes of the products of
  /// lhs row rows[r] and weight row cols[c] along the whole of K, row-major
  /// by r. A weight read through its ffn.pack_gated walks the packed
  /// blocks: the lhs's a columns of block j against the gate weight's
  /// columns of the block, its b columns against the linear weight's.
  SmallVector<Value> emitDotProducts(ArrayRef<Value> rows,
                                     ArrayRef<Value> cols) {
    SmallVector<Value> accs(rows.size() * cols.size(), zeros());
    if (!buffers.rhsLinear)
      return emitDotSegment(rows, cols, buffers.rhs, index(0), index(0), K,
                            accs);
    Value block = index(buffers.packBlockSize);
    Value columns = memref::DimOp::create(b, loc, buffers.rhs, 1);
    Value numPacked = arith::CeilDivSIOp::create(b, loc, columns, block);
    return loopCarrying(
        index(0), numPacked, index(1), accs, [&](Value j, ValueRange in) {
          Value first = mul(j, block);
          Value width = min(block, sub(columns, first));
          Value base = mul(first, index(2));
          SmallVector<Value> next =
              emitDotSegment(rows, cols, buffers.rhs, base, first, width, in);
          return emitDotSegment(rows, cols, buffers.rhsLinear, add(base, width),
                                first, width, next);
        });
  }

  /// `accs` plus the products of lhs columns [lhsFirst, lhsFirst + length)
  /// and `rhs` columns [rhsFirst, rhsFirst + length): whole vectors, then a
  /// masked one for the ragged end.
  SmallVector<Value> emitDotSegment(ArrayRef<Value> rows, ArrayRef<Value> cols,
                                    Value rhs, Value lhsFirst, Value rhsFirst,
                                    Value length, ValueRange accs) {
    auto step = [&](Value t, ValueRange in, Value mask) {
      SmallVector<Value> a, w, out;
      Value lhsCol = add(lhsFirst, t), rhsCol = add(rhsFirst, t);
      for (Value row : rows)
        a.push_back(mask
                        ? maskedLoad(buffers.lhs, ValueRange{row, lhsCol}, mask)
                        : vector::LoadOp::create(b, loc, vecType, buffers.lhs,
                                                 ValueRange{row, lhsCol}));
      for (Value col : cols)
        w.push_back(mask ? maskedLoad(rhs, ValueRange{col, rhsCol}, mask)
                         : vector::LoadOp::create(b, loc, vecType, rhs,
                                                  ValueRange{col, rhsCol}));
      for (auto [r, x] : llvm::enumerate(a))
        for (auto [c, y] : llvm::enumerate(w))
          out.push_back(
              vector::FMAOp::create(b, loc, x, y, in[r * cols.size() + c]));
      return out;
    };
    Value whole = mul(div(length, lanes), index(lanes));
    SmallVector<Value> body = loopCarrying(
        index(0), whole, index(lanes), accs,
        [&](Value t, ValueRange in) { return step(t, in, Value()); });
    auto tail = scf::IfOp::create(
        b, loc, cmp(arith::CmpIPredicate::slt, whole, length),
        [&](OpBuilder &nb, Location) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
          Value mask = vector::CreateMaskOp::create(
              b, loc, maskType, ValueRange{sub(length, whole)});
          scf::YieldOp::create(b, loc, step(whole, body, mask));
        },
        [&](OpBuilder &nb, Location) { scf::YieldOp::create(nb, loc, body); });
    return SmallVector<Value>(tail.getResults());
  }

  /// The sums of `accs` (a power of two of them, at most a vector's lanes),
  /// one lane each, in order: pairs of vectors are halved and interleaved
  /// until one vector holds every sum's partials, which is then folded to
  /// accs.size() lanes. A fixed tree of shuffles and adds: the same
  /// rounding on every run and every thread count.
  Value reduceColumns(ArrayRef<Value> accs) {
    // Each vector holds `count` columns of `partials` lanes each, column c's
    // partials at lanes [c * partials, (c + 1) * partials).
    SmallVector<Value> level(accs);
    int64_t count = 1, partials = lanes;
    auto halves = [&](Value x, Value y, int64_t offset) {
      SmallVector<int64_t> mask;
      for (int64_t c = 0; c < 2 * count; ++c)
        for (int64_t p = 0; p < partials / 2; ++p)
          mask.push_back((c < count ? 0 : lanes) + (c % count) * partials +
                         offset + p);
      return vector::ShuffleOp::create(b, loc, x, y, mask);
    };
    while (level.size() > 1) {
      SmallVector<Value> next;
      for (size_t i = 0; i < level.size(); i += 2)
        next.push_back(arith::AddFOp::create(
            b, loc, halves(level[i], level[i + 1], 0),
            halves(level[i], level[i + 1], partials / 2)));
      level = std::move(next);
      count *= 2;
      partials /= 2;
    }
    Value v = level.front();
    while (partials > 1) {
      SmallVector<int64_t> lo, hi;
      for (int64_t c = 0; c < count; ++c)
        for (int64_t p = 0; p < partials / 2; ++p) {
          lo.push_back(c * partials + p);
          hi.push_back(c * partials + partials / 2 + p);
        }
      v = arith::AddFOp::create(b, loc,
                                vector::ShuffleOp::create(b, loc, v, v, lo),
                                vector::ShuffleOp::create(b, loc, v, v, hi));
      partials /= 2;
    }
    return v;
  }

  Value maskedLoad(Value base, ValueRange indices, Value mask) {
    return vector::MaskedLoadOp::create(b, loc, vecType, base, indices, mask,
                                        zeros());
  }

  /// The initial accumulators of row `row` (first K block).
  SmallVector<Value> initialAccumulators(const MicroColumn &column,
                                         const Value masks[2], Value row) {
    SmallVector<Value> accs;
    for (int v = 0; v < 2; ++v) {
      if (gemm.epilogue != GemmEpilogue::Accumulate)
        accs.push_back(zeros());
      else if (buffers.initScalar)
        accs.push_back(
            vector::BroadcastOp::create(b, loc, vecType, buffers.initScalar));
      else
        accs.push_back(maskedLoad(buffers.init,
                                  ValueRange{row, column.outCol[v]}, masks[v]));
    }
    return accs;
  }

  /// The bias vectors of the micro-column's two vectors (null without
  /// bias), loaded once for all rows.
  void loadBias(const MicroColumn &column, const Value masks[2],
                Value bias[2]) {
    for (int v = 0; v < 2; ++v) {
      bias[v] = Value();
      if (!buffers.bias || (gemm.epilogue == GemmEpilogue::Accumulate))
        continue;
      Value col = gemm.epilogue == GemmEpilogue::Gate ? column.packedCol[v]
                                                      : column.outCol[v];
      bias[v] = maskedLoad(buffers.bias, ValueRange{col}, masks[v]);
    }
  }

  Value withBias(Value acc, Value bias) {
    return bias ? arith::AddFOp::create(b, loc, acc, bias) : acc;
  }

  /// The epilogue of row `row` on its two accumulators, stored to the output.
  void storeOutput(const MicroColumn &column, const Value masks[2],
                   const Value bias[2], Value row, Value acc0, Value acc1) {
    Value accs[2] = {acc0, acc1};
    switch (gemm.epilogue) {
    case GemmEpilogue::Accumulate:
      for (int v = 0; v < 2; ++v)
        vector::MaskedStoreOp::create(
            b, loc,
            v == 1 && buffers.outLinear ? buffers.outLinear : buffers.out,
            ValueRange{row, column.outCol[v]}, masks[v], accs[v]);
      return;
    case GemmEpilogue::Activate:
      for (int v = 0; v < 2; ++v) {
        Value pre = withBias(accs[v], bias[v]);
        if (buffers.preactivationsOut)
          vector::MaskedStoreOp::create(b, loc, buffers.preactivationsOut,
                                        ValueRange{row, column.outCol[v]},
                                        masks[v], pre);
        Value h = emitActivation(b, loc, gemm.activation, pre);
        vector::MaskedStoreOp::create(b, loc, buffers.out,
                                      ValueRange{row, column.outCol[v]},
                                      masks[v], h);
      }
      return;
    case GemmEpilogue::Gate: {
      Value a = withBias(acc0, bias[0]);
      Value lin = withBias(acc1, bias[1]);
      // Kept pre-activations go to the packed columns the GEMM read.
      if (buffers.preactivationsOut)
        for (int v = 0; v < 2; ++v)
          vector::MaskedStoreOp::create(b, loc, buffers.preactivationsOut,
                                        ValueRange{row, column.packedCol[v]},
                                        masks[v], v ? lin : a);
      Value h = emitGatedProduct(b, loc, gemm.activation, a, lin);
      vector::MaskedStoreOp::create(
          b, loc, buffers.out, ValueRange{row, column.outCol[0]}, masks[0], h);
      return;
    }
    case GemmEpilogue::DActivate:
      for (int v = 0; v < 2; ++v) {
        Value pre = maskedLoad(buffers.preactivations,
                               ValueRange{row, column.outCol[v]}, masks[v]);
        Value derivative =
            emitActivationDerivative(b, loc, gemm.activation, pre);
        Value da = arith::MulFOp::create(b, loc, accs[v], derivative);
        vector::MaskedStoreOp::create(b, loc, buffers.out,
                                      ValueRange{row, column.outCol[v]},
                                      masks[v], da);
      }
      return;
    case GemmEpilogue::DGate:
      // accs[v] is dh; a and b come from the packed pre-activations, da and
      // db go to the same packed columns of the output.
      for (int v = 0; v < 2; ++v) {
        Value aCol = column.outCol[v];
        Value bCol = add(aCol, column.bOffset);
        Value a =
            maskedLoad(buffers.preactivations, ValueRange{row, aCol}, masks[v]);
        Value lin =
            maskedLoad(buffers.preactivations, ValueRange{row, bCol}, masks[v]);
        auto [da, db] =
            emitGatedProductGradient(b, loc, gemm.activation, a, lin, accs[v]);
        vector::MaskedStoreOp::create(b, loc, buffers.out,
                                      ValueRange{row, aCol}, masks[v], da);
        vector::MaskedStoreOp::create(b, loc, buffers.out,
                                      ValueRange{row, bCol}, masks[v], db);
      }
      return;
    }
  }

  /// `count` rows x 2 vectors over k in [kc, kEnd), the weight read from the
  /// pack buffer (`fromPack`) or from the weight itself.
  void emitMicroKernel(const MicroColumn &column, const Value masks[2],
                       Value slot, int64_t count, Value i0, Value r0,
                       const KBlock &kb, bool fromPack) {
    Value kc = kb.kc, kEnd = kb.kEnd;
    SmallVector<Value> rows, local;
    for (int64_t r = 0; r < count; ++r) {
      rows.push_back(r == 0 ? r0 : add(r0, index(r)));
      local.push_back(sub(rows.back(), i0));
    }
    auto start = scf::IfOp::create(
        b, loc, kb.first,
        [&](OpBuilder &nb, Location) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
          SmallVector<Value> accs;
          for (Value row : rows)
            llvm::append_range(accs, initialAccumulators(column, masks, row));
          scf::YieldOp::create(b, loc, accs);
        },
        [&](OpBuilder &nb, Location) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
          SmallVector<Value> accs;
          for (Value row : local)
            for (int v = 0; v < 2; ++v)
              accs.push_back(vector::LoadOp::create(b, loc, vecType, scratch,
                                                    slotIndices(slot, row, v)));
          scf::YieldOp::create(b, loc, accs);
        });

    // One k step of the rows: two weight vectors, a broadcast of x per row,
    // 2 x count FMAs into `accs`.
    auto kStep = [&](Value k, ValueRange accs) {
      Value w0, w1;
      if (fromPack) {
        Value kk = sub(k, kc);
        w0 = vector::LoadOp::create(b, loc, vecType, pack,
                                    slotIndices(slot, kk, 0));
        w1 = vector::LoadOp::create(b, loc, vecType, pack,
                                    slotIndices(slot, kk, 1));
      } else {
        w0 = maskedLoad(getRhs(0), ValueRange{k, column.rhsCol[0]}, masks[0]);
        w1 = maskedLoad(getRhs(1), ValueRange{k, column.rhsCol[1]}, masks[1]);
      }
      SmallVector<Value> next;
      for (auto [r, row] : llvm::enumerate(rows)) {
        Value x = memref::LoadOp::create(
            b, loc, buffers.lhs,
            gemm.lhs.transposed ? ValueRange{k, row} : ValueRange{row, k});
        Value xs = vector::BroadcastOp::create(b, loc, vecType, x);
        next.push_back(vector::FMAOp::create(b, loc, xs, w0, accs[2 * r]));
        next.push_back(vector::FMAOp::create(b, loc, xs, w1, accs[2 * r + 1]));
      }
      return next;
    };
    auto forLoop = [&](Value lb, Value ub, int64_t step, ValueRange init,
                       function_ref<SmallVector<Value>(Value, ValueRange)> fn) {
      return loopCarrying(lb, ub, index(step), init, fn);
    };

    // Few rows (decoding) have too few accumulators to hide the FMA
    // latency: the k loop then carries `split` independent sets (k, k + 1,
    // ... into their own), summed in order after it, and a tail of the last
    // (kEnd - kc) mod split steps goes into the first set.
    int64_t accumulators = 2 * count;
    int64_t split =
        std::max<int64_t>(1, llvm::divideCeil(kMinAccumulators, accumulators));
    SmallVector<Value> accs;
    if (split == 1) {
      llvm::append_range(accs, forLoop(kc, kEnd, 1, start.getResults(), kStep));
    } else {
      SmallVector<Value> init(start.getResults());
      for (int64_t j = 1; j < split; ++j)
        init.append(accumulators, zeros());
      Value mainEnd = add(kc, mul(div(sub(kEnd, kc), split), index(split)));
      SmallVector<Value> sets =
          forLoop(kc, mainEnd, split, init, [&](Value k, ValueRange all) {
            SmallVector<Value> next;
            for (int64_t j = 0; j < split; ++j)
              llvm::append_range(
                  next, kStep(j ? add(k, index(j)) : k,
                              all.slice(j * accumulators, accumulators)));
            return next;
          });
      SmallVector<Value> tail = forLoop(
          mainEnd, kEnd, 1, ValueRange(sets).take_front(accumulators), kStep);
      for (int64_t i = 0; i < accumulators; ++i) {
        Value sum = tail[i];
        for (int64_t j = 1; j < split; ++j)
          sum = arith::AddFOp::create(b, loc, sum, sets[j * accumulators + i]);
        accs.push_back(sum);
      }
    }

    scf::IfOp::create(
        b, loc, kb.last,
        [&](OpBuilder &nb, Location) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
          Value bias[2];
          loadBias(column, masks, bias);
          for (auto [r, row] : llvm::enumerate(rows))
            storeOutput(column, masks, bias, row, accs[2 * r], accs[2 * r + 1]);
          scf::YieldOp::create(b, loc);
        },
        [&](OpBuilder &nb, Location) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
          for (auto [r, row] : llvm::enumerate(local))
            for (int v = 0; v < 2; ++v)
              vector::StoreOp::create(b, loc, accs[2 * r + v], scratch,
                                      slotIndices(slot, row, v));
          scf::YieldOp::create(b, loc);
        });
  }
};
} // namespace

bool mlir::ffn::readsRhsByDotProducts(const GemmDescription &gemm) {
  if (!gemm.rhs.transposed || gemm.lhs.transposed)
    return false;
  int64_t rows = gemm.getResultType().getDimSize(gemm.batched ? 1 : 0);
  if (ShapedType::isDynamic(rows) || rows > kMaxDotProductRows)
    return false;
  // K: the lhs's last dimension (it is not transposed).
  auto lhsType = cast<ShapedType>(gemm.lhs.value.getType());
  int64_t depth = lhsType.getDimSize(lhsType.getRank() - 1);
  return ShapedType::isDynamic(depth) || rows <= depth;
}

void mlir::ffn::emitCpuGemm(OpBuilder &b, Location loc,
                            const GemmDescription &gemm,
                            const CpuGemmBuffers &buffers,
                            const CpuGemmTiles &tiles) {
  GemmEmitter(b, loc, gemm, buffers, tiles).emit();
}
