//===- CpuGemm.cpp - generated AVX-512 GEMMs with fused epilogues ---------===//
//
// glu-cpu-gemm: every f32 ffn.gated_matmul, ffn.activated_matmul,
// ffn.dgate_matmul, ffn.dactivation_matmul and linalg.matmul (plain, or with
// an operand read transposed) becomes a
// cache-tiled, register-blocked loop nest of vector<16xf32> FMAs:
//
//   scf.parallel (i0, j0) over tiles of MC rows x NC columns   (OpenMP)
//     memref.alloca_scope { scratch: MC x 32 partial sums }
//     for each micro-column of the tile: 2 vectors of 16 lanes
//       (plain: columns c and c + 16; gated: column c of the a half and
//        column c of the b half of the same packed block)
//       for kc over K in blocks of KC                       (cache blocking)
//         pack: the micro-column's KC x 2 vectors of the weight, copied
//           (masked loads, zero past a ragged edge) into a contiguous,
//           per-thread KC x 32 panel (stack, 32 KB at KC = 256), when the
//           tile has at least MR rows (otherwise the rows read the weight)
//         for r0 over the tile's rows in steps of MR
//           micro-kernel: 2 x MR accumulators, carried by the k loop
//           (two unmasked loads of the packed panel's row, one broadcast
//            of x per row, vector.fma), started from the initial value
//            (first K block) or the scratch tile, and ended by the
//            epilogue + masked store of the output (last K block) or a
//            store to the scratch tile.
//
// The gating epilogue h = gate(a + bias_a) * (b + bias_b) (emitGatedProduct
// on vectors) is applied to the accumulators: the full [a | b] never goes
// through memory, and while K <= KC not even a micro-tile of it does.
// The pack turns the micro-kernels' reads of the weight (power-of-two row
// strides such as 16 KB for a packed [768, 4096] weight, which alias in
// the caches and miss the TLB) into one contiguous 128-byte row per k,
// read by every micro-tile of the tile's rows; the strided panel is read
// once per (tile rows, micro-column, K block), as before by one micro-tile.
// Ragged edges: columns are masked (vector.create_mask, maskedload,
// maskedstore), the ragged last packed block included; the rows of a tile
// left after its whole MR-row micro-tiles (all of them when M < MR, as in
// decoding with M = 1) run a one-row micro-kernel. Transposed lhs ([K, M]) is read as is (a row's six broadcasts are
// contiguous); a transposed rhs ([N, K]) is first copied into [K, N] by a
// parallel loop nest over 32 x 32 tiles, O(KN) against the GEMM's O(MKN).
//
// The fused backward's ops go the same way: ffn.dgate_matmul and
// ffn.dactivation_matmul are this GEMM for dh = dy W2^T (W2 [d_ff, N] copied
// transposed once, in parallel), their epilogue applied to the accumulators
// of the last K block: dactivation loads a at the output's columns and
// stores dh * act'(a); dgate walks the packed blocks like the gated GEMM
// (two dh vectors of a block per micro-column), loads a and b from [a | b]
// and stores da and db to the same packed columns
// (emitGatedProductGradient on vectors). ffn.apply_gate, ffn.pack_gated and
// ffn.unpack_gated become parallel rows x blocks nests of 16-lane masked
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
//
//===----------------------------------------------------------------------===//

#include "passes/CpuGemm.h"

#include "dialect/FFNFusedOps.h"
#include "passes/ActivationMath.h"
#include "passes/Passes.h"
#include "passes/TensorBuffers.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::ffn {
#define GEN_PASS_DEF_GLUCPUGEMM
#include "passes/Passes.h.inc"
} // namespace mlir::ffn

using namespace mlir;
using namespace mlir::ffn;

/// Lanes of one vector: 16 x f32 fills an AVX-512 zmm register.
static constexpr int64_t kLanes = 16;

namespace {
enum class Epilogue {
  Accumulate, // out = init + acc
  Activate,   // out = act(acc + bias)
  Gate,       // out = gate(a + bias_a) * (b + bias_b), packed columns
  DActivate,  // out = acc * act'(pre[row, col])
  DGate       // out[row, a | b col] = d(gate(a) * b) / d(a | b) * acc
};

/// What one generated GEMM computes, on memrefs.
struct GemmSpec {
  Epilogue epilogue = Epilogue::Accumulate;
  Value lhs;                 // [M, K], or [K, M] when lhsTransposed
  bool lhsTransposed = false;
  Value rhs;                 // [K, columns] (gated: packed columns)
  Value initBuffer;          // Accumulate: C's initial value, or
  Value initScalar;          // Accumulate: C's initial value everywhere
  Value bias;                // Activate: [N]; Gate: packed [2 d_ff]; or null
  Value pre;                 // DActivate: a [M, N]; DGate: packed [a | b]
  ActivationAttr activation; // Activate and Gate
  Value out;                 // [M, N], written
  int64_t blockSize = 0;     // Gate, DGate
};

/// Whether the columns of `epilogue` go by packed blocks.
static bool isBlocked(Epilogue epilogue) {
  return epilogue == Epilogue::Gate || epilogue == Epilogue::DGate;
}

/// One micro-column: two vectors of kLanes lanes, their weight columns, how
/// many lanes are valid, and where they go in the output (the gated
/// epilogue writes only the first; the dgate epilogue writes the a columns
/// outCol[v] and the b columns outCol[v] + bOffset).
struct MicroColumn {
  Value rhsCol[2];
  Value lanes[2];
  Value outCol[2];
  Value bOffset;
};

/// Emits the loop nest of one GEMM.
class GemmEmitter {
public:
  GemmEmitter(OpBuilder &b, Location loc, const GemmSpec &spec,
              const CpuGemmTiles &tiles)
      : b(b), loc(loc), spec(spec), tiles(tiles) {
    f32 = b.getF32Type();
    vecType = VectorType::get({kLanes}, f32);
    maskType = VectorType::get({kLanes}, b.getI1Type());
  }

  void emit() {
    Value c0 = index(0);
    M = memref::DimOp::create(b, loc, spec.out, 0);
    // The GEMM's columns: d_ff for dgate (whose output is packed [2 d_ff]).
    N = spec.epilogue == Epilogue::DGate
            ? Value(memref::DimOp::create(b, loc, spec.rhs, 1))
            : Value(memref::DimOp::create(b, loc, spec.out, 1));
    K = memref::DimOp::create(b, loc, spec.lhs, spec.lhsTransposed ? 0 : 1);
    microRows = tiles.microRows;
    tileRows = llvm::divideCeil(tiles.rows, microRows) * microRows;

    Value colUpper, colStep;
    if (isBlocked(spec.epilogue)) {
      // Parallel over groups of whole packed blocks.
      Value block = index(spec.blockSize);
      numBlocks = arith::CeilDivSIOp::create(b, loc, N, block);
      colUpper = numBlocks;
      colStep = index(std::max<int64_t>(
          1, llvm::divideCeil(tiles.cols, spec.blockSize)));
    } else {
      colUpper = N;
      colStep = index(llvm::divideCeil(tiles.cols, 2 * kLanes) * 2 * kLanes);
    }
    scf::ParallelOp::create(
        b, loc, ValueRange{c0, c0}, ValueRange{M, colUpper},
        ValueRange{index(tileRows), colStep},
        [&](OpBuilder &nb, Location, ValueRange ivs) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPoint(nb.getInsertionBlock(),
                              nb.getInsertionPoint());
          // The scratch tile lives on the thread's stack for one tile.
          auto scope = memref::AllocaScopeOp::create(b, loc, TypeRange{});
          Block *body = new Block();
          scope.getBodyRegion().push_back(body);
          b.setInsertionPointToStart(body);
          Value scratch = memref::AllocaOp::create(
              b, loc, MemRefType::get({tileRows, 2 * kLanes}, f32));
          // The packed weight panel of one micro-column and K block:
          // KC x 32 floats (32 KB at KC = 256), on the thread's stack.
          if (tiles.packB)
            pack = memref::AllocaOp::create(
                b, loc, MemRefType::get({tiles.k, 2 * kLanes}, f32),
                ValueRange{}, b.getI64IntegerAttr(64));
          emitTile(ivs[0], ivs[1], colStep, scratch);
          memref::AllocaScopeReturnOp::create(b, loc, ValueRange{});
        });
  }

private:
  OpBuilder &b;
  Location loc;
  const GemmSpec &spec;
  const CpuGemmTiles &tiles;
  Type f32;
  VectorType vecType, maskType;
  Value M, N, K, numBlocks;
  Value pack; // the packed weight panel, or null (tiles.packB false)
  int64_t microRows = 0, tileRows = 0;

  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }
  Value min(Value x, Value y) { return arith::MinSIOp::create(b, loc, x, y); }
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

  /// The micro-columns of the tile at rows i0, columns (or blocks) j0.
  void emitTile(Value i0, Value j0, Value colStep, Value scratch) {
    Value rowEnd = min(add(i0, index(tileRows)), M);
    if (spec.epilogue == Epilogue::DGate) {
      // Block j: dh columns [first, first + width) of the GEMM, two vectors
      // at a time; their a columns start at 2 first, their b columns
      // `width` further.
      Value block = index(spec.blockSize);
      Value blockEnd = min(add(j0, colStep), numBlocks);
      loop(j0, blockEnd, index(1), [&](Value j) {
        Value first = mul(j, block);
        Value width = min(block, sub(N, first));
        Value base = mul(first, index(2));
        loop(index(0), width, index(2 * kLanes), [&](Value c) {
          MicroColumn column;
          Value c1 = add(c, index(kLanes));
          column.rhsCol[0] = add(first, c);
          column.rhsCol[1] = add(first, c1);
          column.lanes[0] = sub(width, c);
          column.lanes[1] = sub(width, c1);
          column.outCol[0] = add(base, c);
          column.outCol[1] = add(base, c1);
          column.bOffset = width;
          emitMicroColumn(column, i0, rowEnd, scratch);
        });
      });
      return;
    }
    if (spec.epilogue == Epilogue::Gate) {
      Value block = index(spec.blockSize);
      Value blockEnd = min(add(j0, colStep), numBlocks);
      loop(j0, blockEnd, index(1), [&](Value j) {
        // Block j holds `width` a columns, then `width` b columns.
        Value first = mul(j, block);
        Value width = min(block, sub(N, first));
        Value base = mul(first, index(2));
        loop(index(0), width, index(kLanes), [&](Value c) {
          MicroColumn column;
          column.rhsCol[0] = add(base, c);
          column.rhsCol[1] = add(column.rhsCol[0], width);
          column.lanes[0] = column.lanes[1] = sub(width, c);
          column.outCol[0] = add(first, c);
          emitMicroColumn(column, i0, rowEnd, scratch);
        });
      });
      return;
    }
    Value colEnd = min(add(j0, colStep), N);
    loop(j0, colEnd, index(2 * kLanes), [&](Value c) {
      MicroColumn column;
      column.rhsCol[0] = column.outCol[0] = c;
      column.rhsCol[1] = column.outCol[1] = add(c, index(kLanes));
      column.lanes[0] = sub(N, c);
      column.lanes[1] = sub(N, column.rhsCol[1]);
      emitMicroColumn(column, i0, rowEnd, scratch);
    });
  }

  /// K blocks, then the micro-rows of the tile, for one micro-column.
  void emitMicroColumn(const MicroColumn &column, Value i0, Value rowEnd,
                       Value scratch) {
    Value masks[2];
    for (int v = 0; v < 2; ++v)
      masks[v] = v == 1 && column.lanes[1] == column.lanes[0]
                     ? masks[0]
                     : vector::CreateMaskOp::create(
                           b, loc, maskType, ValueRange{column.lanes[v]});
    Value kc0 = index(tiles.k);
    // At least one K block, so that K = 0 still writes the epilogue.
    Value kUpper = arith::MaxSIOp::create(b, loc, K, index(1));
    loop(index(0), kUpper, kc0, [&](Value kc) {
      Value kEnd = min(add(kc, kc0), K);
      Value first = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                          kc, index(0));
      Value last = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge,
                                         kEnd, K);
      // Whole micro-tiles, then the rows left one at a time.
      Value step = index(microRows);
      Value rows = sub(rowEnd, i0);
      Value fullEnd = add(
          i0, mul(arith::DivUIOp::create(b, loc, rows, step), step));
      // Pack when the tile has a whole micro-tile (which then reads the
      // panel); fewer rows (decoding, M = 1) read the weight directly.
      Value packed;
      if (pack) {
        packed = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge,
                                       rows, step);
        scf::IfOp::create(b, loc, packed, [&](OpBuilder &nb, Location) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
          emitPack(column, masks, kc, kEnd);
          scf::YieldOp::create(b, loc);
        });
      }
      loop(i0, fullEnd, step, [&](Value r0) {
        emitMicroKernel(column, masks, microRows, i0, r0, kc, kEnd, first,
                        last, scratch, /*fromPack=*/bool(pack));
      });
      if (microRows > 1) {
        auto rowsLeft = [&](bool fromPack) {
          loop(fullEnd, rowEnd, index(1), [&](Value r0) {
            emitMicroKernel(column, masks, 1, i0, r0, kc, kEnd, first, last,
                            scratch, fromPack);
          });
        };
        if (!pack) {
          rowsLeft(false);
        } else {
          scf::IfOp::create(
              b, loc, packed,
              [&](OpBuilder &nb, Location) {
                OpBuilder::InsertionGuard guard(b);
                b.setInsertionPoint(nb.getInsertionBlock(),
                                    nb.getInsertionPoint());
                rowsLeft(true);
                scf::YieldOp::create(b, loc);
              },
              [&](OpBuilder &nb, Location) {
                OpBuilder::InsertionGuard guard(b);
                b.setInsertionPoint(nb.getInsertionBlock(),
                                    nb.getInsertionPoint());
                rowsLeft(false);
                scf::YieldOp::create(b, loc);
              });
        }
      }
    });
  }

  /// Copies rows [kc, kEnd) of the micro-column's two weight vectors into
  /// rows [0, kEnd - kc) of the pack buffer, side by side (gated: the a
  /// columns, then the b columns), zero past the ragged edge: the micro-
  /// kernels then read one contiguous 128-byte row per k, unmasked, instead
  /// of two masked loads a (power-of-two) weight row stride apart.
  void emitPack(const MicroColumn &column, const Value masks[2], Value kc,
                Value kEnd) {
    Value lanes16 = index(kLanes);
    loop(kc, kEnd, index(1), [&](Value k) {
      Value kk = sub(k, kc);
      for (int v = 0; v < 2; ++v) {
        Value w = maskedLoad(spec.rhs, ValueRange{k, column.rhsCol[v]},
                             masks[v]);
        vector::StoreOp::create(b, loc, w, pack,
                                ValueRange{kk, v ? lanes16 : index(0)});
      }
    });
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
      if (spec.epilogue != Epilogue::Accumulate)
        accs.push_back(zeros());
      else if (spec.initScalar)
        accs.push_back(
            vector::BroadcastOp::create(b, loc, vecType, spec.initScalar));
      else
        accs.push_back(maskedLoad(spec.initBuffer,
                                  ValueRange{row, column.outCol[v]},
                                  masks[v]));
    }
    return accs;
  }

  /// The bias vectors of the micro-column's two vectors (null without
  /// bias), loaded once for all rows.
  void loadBias(const MicroColumn &column, const Value masks[2],
                Value bias[2]) {
    for (int v = 0; v < 2; ++v) {
      bias[v] = Value();
      if (!spec.bias || (spec.epilogue == Epilogue::Accumulate))
        continue;
      Value col = spec.epilogue == Epilogue::Gate ? column.rhsCol[v]
                                                  : column.outCol[v];
      bias[v] = maskedLoad(spec.bias, ValueRange{col}, masks[v]);
    }
  }

  Value withBias(Value acc, Value bias) {
    return bias ? arith::AddFOp::create(b, loc, acc, bias) : acc;
  }

  /// The epilogue of row `row` on its two accumulators, stored to the output.
  void storeOutput(const MicroColumn &column, const Value masks[2],
                   const Value bias[2], Value row, Value acc0, Value acc1) {
    Value accs[2] = {acc0, acc1};
    switch (spec.epilogue) {
    case Epilogue::Accumulate:
      for (int v = 0; v < 2; ++v)
        vector::MaskedStoreOp::create(b, loc, spec.out,
                                      ValueRange{row, column.outCol[v]},
                                      masks[v], accs[v]);
      return;
    case Epilogue::Activate:
      for (int v = 0; v < 2; ++v) {
        Value pre = withBias(accs[v], bias[v]);
        Value h = emitActivation(b, loc, spec.activation, pre);
        vector::MaskedStoreOp::create(b, loc, spec.out,
                                      ValueRange{row, column.outCol[v]},
                                      masks[v], h);
      }
      return;
    case Epilogue::Gate: {
      Value a = withBias(acc0, bias[0]);
      Value lin = withBias(acc1, bias[1]);
      Value h = emitGatedProduct(b, loc, spec.activation, a, lin);
      vector::MaskedStoreOp::create(b, loc, spec.out,
                                    ValueRange{row, column.outCol[0]},
                                    masks[0], h);
      return;
    }
    case Epilogue::DActivate:
      for (int v = 0; v < 2; ++v) {
        Value pre = maskedLoad(spec.pre, ValueRange{row, column.outCol[v]},
                               masks[v]);
        Value derivative =
            emitActivationDerivative(b, loc, spec.activation, pre);
        Value da = arith::MulFOp::create(b, loc, accs[v], derivative);
        vector::MaskedStoreOp::create(b, loc, spec.out,
                                      ValueRange{row, column.outCol[v]},
                                      masks[v], da);
      }
      return;
    case Epilogue::DGate:
      // accs[v] is dh; a and b come from the packed pre-activations, da and
      // db go to the same packed columns of the output.
      for (int v = 0; v < 2; ++v) {
        Value aCol = column.outCol[v];
        Value bCol = add(aCol, column.bOffset);
        Value a = maskedLoad(spec.pre, ValueRange{row, aCol}, masks[v]);
        Value lin = maskedLoad(spec.pre, ValueRange{row, bCol}, masks[v]);
        auto [da, db] = emitGatedProductGradient(b, loc, spec.activation, a,
                                                 lin, accs[v]);
        vector::MaskedStoreOp::create(b, loc, spec.out,
                                      ValueRange{row, aCol}, masks[v], da);
        vector::MaskedStoreOp::create(b, loc, spec.out,
                                      ValueRange{row, bCol}, masks[v], db);
      }
      return;
    }
  }

  /// `count` rows x 2 vectors over k in [kc, kEnd), the weight read from the
  /// pack buffer (`fromPack`) or from the weight itself.
  void emitMicroKernel(const MicroColumn &column, const Value masks[2],
                       int64_t count, Value i0, Value r0, Value kc,
                       Value kEnd, Value first, Value last, Value scratch,
                       bool fromPack) {
    SmallVector<Value> rows, local;
    for (int64_t r = 0; r < count; ++r) {
      rows.push_back(r == 0 ? r0 : add(r0, index(r)));
      local.push_back(sub(rows.back(), i0));
    }
    Value lanes16 = index(kLanes);
    auto start = scf::IfOp::create(
        b, loc, first,
        [&](OpBuilder &nb, Location) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
          SmallVector<Value> accs;
          for (Value row : rows)
            llvm::append_range(accs,
                               initialAccumulators(column, masks, row));
          scf::YieldOp::create(b, loc, accs);
        },
        [&](OpBuilder &nb, Location) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
          SmallVector<Value> accs;
          for (Value row : local) {
            accs.push_back(vector::LoadOp::create(b, loc, vecType, scratch,
                                                  ValueRange{row, index(0)}));
            accs.push_back(vector::LoadOp::create(b, loc, vecType, scratch,
                                                  ValueRange{row, lanes16}));
          }
          scf::YieldOp::create(b, loc, accs);
        });

    auto kLoop = scf::ForOp::create(
        b, loc, kc, kEnd, index(1), start.getResults(),
        [&](OpBuilder &nb, Location, Value k, ValueRange accs) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
          Value w0, w1;
          if (fromPack) {
            Value kk = sub(k, kc);
            w0 = vector::LoadOp::create(b, loc, vecType, pack,
                                        ValueRange{kk, index(0)});
            w1 = vector::LoadOp::create(b, loc, vecType, pack,
                                        ValueRange{kk, lanes16});
          } else {
            w0 = maskedLoad(spec.rhs, ValueRange{k, column.rhsCol[0]},
                            masks[0]);
            w1 = maskedLoad(spec.rhs, ValueRange{k, column.rhsCol[1]},
                            masks[1]);
          }
          SmallVector<Value> next;
          for (auto [r, row] : llvm::enumerate(rows)) {
            Value x = memref::LoadOp::create(
                b, loc, spec.lhs,
                spec.lhsTransposed ? ValueRange{k, row} : ValueRange{row, k});
            Value xs = vector::BroadcastOp::create(b, loc, vecType, x);
            next.push_back(vector::FMAOp::create(b, loc, xs, w0, accs[2 * r]));
            next.push_back(
                vector::FMAOp::create(b, loc, xs, w1, accs[2 * r + 1]));
          }
          scf::YieldOp::create(b, loc, next);
        });

    ValueRange accs = kLoop.getResults();
    scf::IfOp::create(
        b, loc, last,
        [&](OpBuilder &nb, Location) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
          Value bias[2];
          loadBias(column, masks, bias);
          for (auto [r, row] : llvm::enumerate(rows))
            storeOutput(column, masks, bias, row, accs[2 * r],
                        accs[2 * r + 1]);
          scf::YieldOp::create(b, loc);
        },
        [&](OpBuilder &nb, Location) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
          for (auto [r, row] : llvm::enumerate(local)) {
            vector::StoreOp::create(b, loc, accs[2 * r], scratch,
                                    ValueRange{row, index(0)});
            vector::StoreOp::create(b, loc, accs[2 * r + 1], scratch,
                                    ValueRange{row, lanes16});
          }
          scf::YieldOp::create(b, loc);
        });
  }
};
} // namespace

static bool isF32Tensor(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && tensor.getElementType().isF32();
}

/// Whether every operand of `op` is an f32 tensor (what the generated code
/// handles; other element types keep the reference lowering).
static bool hasOnlyF32TensorOperands(Operation *op) {
  return llvm::all_of(op->getOperandTypes(),
                      [](Type type) { return isF32Tensor(type); });
}

/// `tensor` as a read-only buffer whose rows are contiguous (the weight and
/// activation rows the micro-kernel loads as vectors).
static Value readBuffer(OpBuilder &b, Location loc, Value tensor) {
  return readOnlyBufferOf(b, loc, tensor, /*unitInnermostStride=*/true);
}

/// A fresh, 64-byte aligned buffer shaped like `like`.
static Value allocLike(OpBuilder &b, Location loc, Value like) {
  auto type = cast<RankedTensorType>(like.getType());
  SmallVector<Value> dynamic;
  for (int64_t i = 0; i < type.getRank(); ++i)
    if (type.isDynamicDim(i))
      dynamic.push_back(tensor::DimOp::create(b, loc, like, i));
  auto memrefType = MemRefType::get(type.getShape(), type.getElementType());
  return memref::AllocOp::create(b, loc, memrefType, dynamic,
                                 b.getI64IntegerAttr(64));
}

static Value emitParallelTranspose(OpBuilder &b, Location loc, Value src);

/// Emits the nest for `spec` (whose `out` is set here) and returns the
/// result tensor of type `resultType`.
static Value emitGemm(OpBuilder &b, Location loc, GemmSpec &spec,
                      Value shapeOf, Type resultType,
                      const CpuGemmTiles &tiles) {
  spec.out = allocLike(b, loc, shapeOf);
  GemmEmitter(b, loc, spec, tiles).emit();
  return tensorOfFilledBuffer(b, loc, resultType, spec.out);
}

namespace {
/// ffn.gated_matmul (f32) -> the generated GEMM over the packed weight with
/// the gating epilogue on the accumulators.
struct GenerateGatedMatmul : OpRewritePattern<GatedMatmulOp> {
  GenerateGatedMatmul(MLIRContext *ctx, const CpuGemmTiles &tiles)
      : OpRewritePattern(ctx), tiles(tiles) {}

  LogicalResult matchAndRewrite(GatedMatmulOp op,
                                PatternRewriter &rewriter) const override {
    if (!hasOnlyF32TensorOperands(op))
      return rewriter.notifyMatchFailure(op, "not f32 tensors");
    Location loc = op.getLoc();
    GemmSpec spec;
    spec.epilogue = Epilogue::Gate;
    spec.activation = op.getActivation();
    spec.blockSize = op.getBlockSize();
    spec.lhs = readBuffer(rewriter, loc, op.getInput());
    spec.rhs = readBuffer(rewriter, loc, op.getPackedWeight());
    if (Value bias = op.getPackedBias())
      spec.bias = readBuffer(rewriter, loc, bias);
    rewriter.replaceOp(op, emitGemm(rewriter, loc, spec, op.getInit(),
                                    op.getResult().getType(), tiles));
    return success();
  }

  CpuGemmTiles tiles;
};

/// ffn.activated_matmul (f32) -> the generated GEMM with the activation
/// epilogue on the accumulators.
struct GenerateActivatedMatmul : OpRewritePattern<ActivatedMatmulOp> {
  GenerateActivatedMatmul(MLIRContext *ctx, const CpuGemmTiles &tiles)
      : OpRewritePattern(ctx), tiles(tiles) {}

  LogicalResult matchAndRewrite(ActivatedMatmulOp op,
                                PatternRewriter &rewriter) const override {
    if (!hasOnlyF32TensorOperands(op))
      return rewriter.notifyMatchFailure(op, "not f32 tensors");
    Location loc = op.getLoc();
    GemmSpec spec;
    spec.epilogue = Epilogue::Activate;
    spec.activation = op.getActivation();
    spec.lhs = readBuffer(rewriter, loc, op.getInput());
    spec.rhs = readBuffer(rewriter, loc, op.getWeight());
    if (Value bias = op.getBias())
      spec.bias = readBuffer(rewriter, loc, bias);
    rewriter.replaceOp(op, emitGemm(rewriter, loc, spec, op.getInit(),
                                    op.getResult().getType(), tiles));
    return success();
  }

  CpuGemmTiles tiles;
};

/// linalg.matmul (f32, on tensors; operands plain or read transposed through
/// indexing_maps) -> the generated GEMM accumulating into its init.
struct GenerateMatmul : OpRewritePattern<linalg::MatmulOp> {
  GenerateMatmul(MLIRContext *ctx, const CpuGemmTiles &tiles)
      : OpRewritePattern(ctx), tiles(tiles) {}

  LogicalResult matchAndRewrite(linalg::MatmulOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics())
      return rewriter.notifyMatchFailure(op, "not on tensors");
    if (!hasOnlyF32TensorOperands(op))
      return rewriter.notifyMatchFailure(op, "not f32 tensors");
    MLIRContext *ctx = op.getContext();
    AffineExpr m, n, k;
    bindDims(ctx, m, n, k);
    auto map = [&](AffineExpr r0, AffineExpr r1) {
      return AffineMap::get(3, 0, {r0, r1}, ctx);
    };
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    if (maps.size() != 3 || maps[2] != map(m, n))
      return rewriter.notifyMatchFailure(op, "unsupported output map");
    bool lhsTransposed = maps[0] == map(k, m);
    bool rhsTransposed = maps[1] == map(n, k);
    if ((!lhsTransposed && maps[0] != map(m, k)) ||
        (!rhsTransposed && maps[1] != map(k, n)))
      return rewriter.notifyMatchFailure(op, "unsupported operand maps");

    Location loc = op.getLoc();
    Value lhs = op.getInputs()[0], rhs = op.getInputs()[1];
    Value init = op.getOutputs()[0];
    GemmSpec spec;
    spec.epilogue = Epilogue::Accumulate;
    spec.lhs = readBuffer(rewriter, loc, lhs);
    spec.lhsTransposed = lhsTransposed;
    spec.rhs = readBuffer(rewriter, loc, rhs);
    // [N, K] -> [K, N] once (a parallel copy), so that weight rows are
    // contiguous vectors.
    if (rhsTransposed)
      spec.rhs = emitParallelTranspose(rewriter, loc, spec.rhs);
    if (auto fill = init.getDefiningOp<linalg::FillOp>();
        fill && fill.hasPureTensorSemantics())
      spec.initScalar = fill.getInputs()[0];
    else
      spec.initBuffer = readBuffer(rewriter, loc, init);
    rewriter.replaceOp(op, emitGemm(rewriter, loc, spec, init,
                                    op.getResult(0).getType(), tiles));
    return success();
  }

  CpuGemmTiles tiles;
};

} // namespace

/// A fresh, 64-byte aligned buffer of `type` whose dynamic sizes are
/// `sizes` (one per dimension; the static ones are ignored).
static Value allocOfType(OpBuilder &b, Location loc, RankedTensorType type,
                         ArrayRef<Value> sizes) {
  SmallVector<Value> dynamic;
  for (int64_t i = 0; i < type.getRank(); ++i)
    if (type.isDynamicDim(i))
      dynamic.push_back(sizes[i]);
  return memref::AllocOp::create(
      b, loc, MemRefType::get(type.getShape(), type.getElementType()),
      dynamic, b.getI64IntegerAttr(64));
}

/// `src` [R, C] (a memref) copied transposed into a fresh [C, R] buffer by
/// a parallel loop nest over 32 x 32 tiles, so that the rows of a
/// transposed GEMM operand become contiguous vectors. O(RC), against the
/// GEMM's O(RCM).
static Value emitParallelTranspose(OpBuilder &b, Location loc, Value src) {
  auto c = [&](int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); };
  Value rows = memref::DimOp::create(b, loc, src, 0);
  Value cols = memref::DimOp::create(b, loc, src, 1);
  auto srcType = cast<MemRefType>(src.getType());
  auto dstType = RankedTensorType::get(
      {srcType.getShape()[1], srcType.getShape()[0]}, b.getF32Type());
  Value dst = allocOfType(b, loc, dstType, {cols, rows});
  Value tile = c(32), zero = c(0), one = c(1);
  scf::ParallelOp::create(
      b, loc, ValueRange{zero, zero}, ValueRange{cols, rows},
      ValueRange{tile, tile}, [&](OpBuilder &nb, Location l, ValueRange ivs) {
        Value iEnd = arith::MinSIOp::create(
            nb, l, arith::AddIOp::create(nb, l, ivs[0], tile), cols);
        Value jEnd = arith::MinSIOp::create(
            nb, l, arith::AddIOp::create(nb, l, ivs[1], tile), rows);
        scf::ForOp::create(
            nb, l, ivs[0], iEnd, one, ValueRange{},
            [&](OpBuilder &ib, Location il, Value i, ValueRange) {
              scf::ForOp::create(
                  ib, il, ivs[1], jEnd, one, ValueRange{},
                  [&](OpBuilder &jb, Location jl, Value j, ValueRange) {
                    Value x = memref::LoadOp::create(jb, jl, src,
                                                     ValueRange{j, i});
                    memref::StoreOp::create(jb, jl, x, dst, ValueRange{i, j});
                    scf::YieldOp::create(jb, jl);
                  });
              scf::YieldOp::create(ib, il);
            });
      });
  return dst;
}

/// A parallel, vectorized loop nest over the packed blocks of `width`
/// columns (`columns` in all, the last block ragged) of `rows` rows (null:
/// rank-1 operands, no row index): `body(builder, row, first, width, c,
/// mask)` is called for the 16 lanes from column `first + c` of block
/// [first, first + width), `mask` holding its valid lanes.
static void emitBlockedElementwise(
    OpBuilder &b, Location loc, Value rows, Value columns, int64_t blockSize,
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
  auto maskType = VectorType::get({kLanes}, b.getI1Type());
  scf::ParallelOp::create(
      b, loc, lower, upper, steps,
      [&](OpBuilder &nb, Location l, ValueRange ivs) {
        Value row = rows ? ivs[0] : Value();
        Value j = ivs.back();
        Value first = arith::MulIOp::create(nb, l, j, block);
        Value width = arith::MinSIOp::create(
            nb, l, block, arith::SubIOp::create(nb, l, columns, first));
        Value zero = arith::ConstantIndexOp::create(nb, l, 0);
        Value step = arith::ConstantIndexOp::create(nb, l, kLanes);
        scf::ForOp::create(
            nb, l, zero, width, step, ValueRange{},
            [&](OpBuilder &fb, Location fl, Value col, ValueRange) {
              Value lanes = arith::SubIOp::create(fb, fl, width, col);
              Value mask = vector::CreateMaskOp::create(fb, fl, maskType,
                                                        ValueRange{lanes});
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

static Value loadLanes(OpBuilder &b, Location loc, Value base,
                       ArrayRef<Value> indices, Value mask) {
  auto vecType = VectorType::get({kLanes}, b.getF32Type());
  Value zeros = arith::ConstantOp::create(
      b, loc, vecType, DenseElementsAttr::get(vecType, b.getF32FloatAttr(0)));
  return vector::MaskedLoadOp::create(b, loc, vecType, base, indices, mask,
                                      zeros);
}

/// Whether `type` is an f32 tensor of rank 1 or 2 (what the blocked
/// elementwise nests take).
static bool isF32RowsOrVector(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return isF32Tensor(type) && (tensor.getRank() == 1 || tensor.getRank() == 2);
}

namespace {
/// ffn.dgate_matmul (f32) -> the generated GEMM dh = dy W2^T (W2 copied
/// transposed once) with the dgate epilogue on the accumulators: a and b
/// read from the packed pre-activations, da and db stored packed.
struct GenerateDGateMatmul : OpRewritePattern<DGateMatmulOp> {
  GenerateDGateMatmul(MLIRContext *ctx, const CpuGemmTiles &tiles)
      : OpRewritePattern(ctx), tiles(tiles) {}

  LogicalResult matchAndRewrite(DGateMatmulOp op,
                                PatternRewriter &rewriter) const override {
    if (!hasOnlyF32TensorOperands(op))
      return rewriter.notifyMatchFailure(op, "not f32 tensors");
    Location loc = op.getLoc();
    GemmSpec spec;
    spec.epilogue = Epilogue::DGate;
    spec.activation = op.getActivation();
    spec.blockSize = op.getBlockSize();
    spec.lhs = readBuffer(rewriter, loc, op.getOutputGrad());
    spec.rhs = emitParallelTranspose(rewriter, loc,
                                     readBuffer(rewriter, loc, op.getW2()));
    spec.pre = readBuffer(rewriter, loc, op.getPackedPreactivations());
    rewriter.replaceOp(op, emitGemm(rewriter, loc, spec, op.getInit(),
                                    op.getResult().getType(), tiles));
    return success();
  }

  CpuGemmTiles tiles;
};

/// ffn.dactivation_matmul (f32) -> the generated GEMM dh = dy W2^T with
/// da = dh * act'(a) on the accumulators.
struct GenerateDActivationMatmul : OpRewritePattern<DActivationMatmulOp> {
  GenerateDActivationMatmul(MLIRContext *ctx, const CpuGemmTiles &tiles)
      : OpRewritePattern(ctx), tiles(tiles) {}

  LogicalResult matchAndRewrite(DActivationMatmulOp op,
                                PatternRewriter &rewriter) const override {
    if (!hasOnlyF32TensorOperands(op))
      return rewriter.notifyMatchFailure(op, "not f32 tensors");
    Location loc = op.getLoc();
    GemmSpec spec;
    spec.epilogue = Epilogue::DActivate;
    spec.activation = op.getActivation();
    spec.lhs = readBuffer(rewriter, loc, op.getOutputGrad());
    spec.rhs = emitParallelTranspose(rewriter, loc,
                                     readBuffer(rewriter, loc, op.getW2()));
    spec.pre = readBuffer(rewriter, loc, op.getPreactivations());
    rewriter.replaceOp(op, emitGemm(rewriter, loc, spec, op.getInit(),
                                    op.getResult().getType(), tiles));
    return success();
  }

  CpuGemmTiles tiles;
};

/// Sizes of `tensor` as index values.
static SmallVector<Value> sizesOf(OpBuilder &b, Location loc, Value tensor) {
  SmallVector<Value> sizes;
  for (int64_t i = 0, e = cast<RankedTensorType>(tensor.getType()).getRank();
       i < e; ++i)
    sizes.push_back(tensor::DimOp::create(b, loc, tensor, i));
  return sizes;
}


/// ffn.apply_gate (f32, rank 2) -> h = gate(a) * b by a parallel loop nest
/// over rows x packed blocks of 16-lane vectors.
struct GenerateApplyGate : OpRewritePattern<ApplyGateOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ApplyGateOp op,
                                PatternRewriter &rewriter) const override {
    if (!isF32RowsOrVector(op.getPacked().getType()) ||
        !isF32RowsOrVector(op.getResult().getType()))
      return rewriter.notifyMatchFailure(op, "not f32 rank-1/2 tensors");
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getResult().getType());
    Value packed = readBuffer(rewriter, loc, op.getPacked());
    SmallVector<Value> sizes = sizesOf(rewriter, loc, op.getPacked());
    Value two = arith::ConstantIndexOp::create(rewriter, loc, 2);
    sizes.back() = arith::DivUIOp::create(rewriter, loc, sizes.back(), two);
    Value out = allocOfType(rewriter, loc, type, sizes);
    Value rows = type.getRank() == 2 ? sizes[0] : Value();
    ActivationAttr gate = op.getActivation();
    emitBlockedElementwise(
        rewriter, loc, rows, sizes.back(), op.getBlockSize(),
        [&](OpBuilder &b, Value row, Value first, Value width,
            Value c, Value mask) {
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
};

/// Whether `v` is a constant (ffn.pack_gated and ffn.unpack_gated of
/// constants fold instead).
static bool isConstant(Value v) {
  return v.getDefiningOp() &&
         v.getDefiningOp()->hasTrait<OpTrait::ConstantLike>();
}

/// ffn.pack_gated (f32, rank 1 or 2) -> a parallel nest of 16-lane vector
/// copies: each block's gate columns, then its linear columns.
struct GeneratePackGated : OpRewritePattern<PackGatedOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(PackGatedOp op,
                                PatternRewriter &rewriter) const override {
    if (!isF32RowsOrVector(op.getGate().getType()) ||
        !isF32RowsOrVector(op.getPacked().getType()))
      return rewriter.notifyMatchFailure(op, "not f32 rank-1/2 tensors");
    if (isConstant(op.getGate()) && isConstant(op.getLinear()))
      return rewriter.notifyMatchFailure(op, "constants fold");
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getPacked().getType());
    Value gate = readBuffer(rewriter, loc, op.getGate());
    Value linear = readBuffer(rewriter, loc, op.getLinear());
    SmallVector<Value> sizes = sizesOf(rewriter, loc, op.getGate());
    Value columns = sizes.back();
    sizes.back() = addIndex(rewriter, loc, columns, columns);
    Value out = allocOfType(rewriter, loc, type, sizes);
    Value rows = type.getRank() == 2 ? sizes[0] : Value();
    emitBlockedElementwise(
        rewriter, loc, rows, columns, op.getBlockSize(),
        [&](OpBuilder &b, Value row, Value first, Value width,
            Value c, Value mask) {
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
};

/// ffn.unpack_gated (f32, rank 1 or 2) -> the inverse vector copies.
struct GenerateUnpackGated : OpRewritePattern<UnpackGatedOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(UnpackGatedOp op,
                                PatternRewriter &rewriter) const override {
    if (!isF32RowsOrVector(op.getPacked().getType()) ||
        !isF32RowsOrVector(op.getGate().getType()))
      return rewriter.notifyMatchFailure(op, "not f32 rank-1/2 tensors");
    if (isConstant(op.getPacked()))
      return rewriter.notifyMatchFailure(op, "constants fold");
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getGate().getType());
    Value packed = readBuffer(rewriter, loc, op.getPacked());
    SmallVector<Value> sizes = sizesOf(rewriter, loc, op.getPacked());
    Value two = arith::ConstantIndexOp::create(rewriter, loc, 2);
    sizes.back() = arith::DivUIOp::create(rewriter, loc, sizes.back(), two);
    Value gate = allocOfType(rewriter, loc, type, sizes);
    Value linear = allocOfType(rewriter, loc, type, sizes);
    Value rows = type.getRank() == 2 ? sizes[0] : Value();
    emitBlockedElementwise(
        rewriter, loc, rows, sizes.back(), op.getBlockSize(),
        [&](OpBuilder &b, Value row, Value first, Value width,
            Value c, Value mask) {
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
};

/// linalg.reduce (f32, on tensors) of a [M, N] matrix over its rows with
/// an addf body (the bias gradients' column sums) -> a parallel loop nest
/// over stripes of 4 x 16 columns, each summing its rows in 4 vector
/// accumulators that start from the init.
struct GenerateColumnSums : OpRewritePattern<linalg::ReduceOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::ReduceOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics() || op.getNumDpsInputs() != 1 ||
        op.getDimensions() != ArrayRef<int64_t>{0})
      return rewriter.notifyMatchFailure(op, "not a sum over rows");
    Value input = op.getInputs()[0], init = op.getInits()[0];
    auto inputType = dyn_cast<RankedTensorType>(input.getType());
    if (!inputType || inputType.getRank() != 2 || !isF32Tensor(inputType) ||
        !isF32Tensor(init.getType()))
      return rewriter.notifyMatchFailure(op, "not an f32 matrix");
    Block &body = op.getCombiner().front();
    auto add = dyn_cast<arith::AddFOp>(body.front());
    auto isArgs = [&](unsigned x, unsigned y) {
      return add.getLhs() == body.getArgument(x) &&
             add.getRhs() == body.getArgument(y);
    };
    if (body.getOperations().size() != 2 || !add ||
        !(isArgs(0, 1) || isArgs(1, 0)))
      return rewriter.notifyMatchFailure(op, "not an addf");
    Location loc = op.getLoc();
    auto c = [&](int64_t v) {
      return arith::ConstantIndexOp::create(rewriter, loc, v);
    };
    auto resultType = cast<RankedTensorType>(op.getResult(0).getType());
    Value matrix = readBuffer(rewriter, loc, input);
    Value start = readBuffer(rewriter, loc, init);
    Value rows = memref::DimOp::create(rewriter, loc, matrix, 0);
    Value cols = memref::DimOp::create(rewriter, loc, matrix, 1);
    Value out = allocOfType(rewriter, loc, resultType, {cols});
    constexpr int64_t kVectors = 4;
    auto maskType = VectorType::get({kLanes}, rewriter.getI1Type());
    Value zero = c(0), one = c(1);
    scf::ParallelOp::create(
        rewriter, loc, ValueRange{zero}, ValueRange{cols},
        ValueRange{c(kVectors * kLanes)},
        [&](OpBuilder &b, Location l, ValueRange ivs) {
          SmallVector<Value> colsOf, masks, accs;
          for (int64_t v = 0; v < kVectors; ++v) {
            Value col = arith::AddIOp::create(
                b, l, ivs[0], arith::ConstantIndexOp::create(b, l, v * kLanes));
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
};

struct GluCpuGemm : mlir::ffn::impl::GluCpuGemmBase<GluCpuGemm> {
  using Base::Base;

  void runOnOperation() override {
    if (tileRows <= 0 || tileCols <= 0 || tileK <= 0) {
      getOperation()->emitError()
          << "glu-cpu-gemm: tile sizes must be positive, got tile-rows="
          << static_cast<int64_t>(tileRows)
          << " tile-cols=" << static_cast<int64_t>(tileCols)
          << " tile-k=" << static_cast<int64_t>(tileK);
      return signalPassFailure();
    }
    if (microRows < 1 || microRows > 14) {
      getOperation()->emitError()
          << "glu-cpu-gemm: micro-rows must be in [1, 14] (2 accumulators "
             "a row in 32 vector registers), got "
          << static_cast<int64_t>(microRows);
      return signalPassFailure();
    }
    CpuGemmTiles tiles;
    tiles.rows = tileRows;
    tiles.cols = tileCols;
    tiles.k = tileK;
    tiles.microRows = microRows;
    RewritePatternSet patterns(&getContext());
    populateCpuGemmPatterns(patterns, tiles);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace

void mlir::ffn::populateCpuGemmPatterns(RewritePatternSet &patterns,
                                        const CpuGemmTiles &tiles) {
  patterns.add<GenerateGatedMatmul, GenerateActivatedMatmul, GenerateMatmul,
               GenerateDGateMatmul, GenerateDActivationMatmul>(
      patterns.getContext(), tiles);
  patterns.add<GenerateApplyGate, GeneratePackGated, GenerateUnpackGated,
               GenerateColumnSums>(
      patterns.getContext());
}
