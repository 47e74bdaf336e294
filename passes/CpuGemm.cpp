//===- CpuGemm.cpp - generated AVX-512 GEMMs with fused epilogues ---------===//
//
// glu-cpu-gemm: every f32 ffn.gated_matmul, ffn.activated_matmul and
// linalg.matmul (plain, or with an operand read transposed) becomes a
// cache-tiled, register-blocked loop nest of vector<16xf32> FMAs:
//
//   scf.parallel (i0, j0) over tiles of MC rows x NC columns   (OpenMP)
//     memref.alloca_scope { scratch: MC x 32 partial sums }
//     for each micro-column of the tile: 2 vectors of 16 lanes
//       (plain: columns c and c + 16; gated: column c of the a half and
//        column c of the b half of the same packed block)
//       for kc over K in blocks of KC                       (cache blocking)
//         for r0 over the tile's rows in steps of MR
//           micro-kernel: 2 x MR accumulators, carried by the k loop
//           (one masked load per vector of the weight row, one broadcast
//            of x per row, vector.fma), started from the initial value
//            (first K block) or the scratch tile, and ended by the
//            epilogue + masked store of the output (last K block) or a
//            store to the scratch tile.
//
// The gating epilogue h = gate(a + bias_a) * (b + bias_b) (emitGatedProduct
// on vectors) is applied to the accumulators: the full [a | b] never goes
// through memory, and while K <= KC not even a micro-tile of it does.
// Ragged edges: columns are masked (vector.create_mask, maskedload,
// maskedstore), the ragged last packed block included; the rows of a tile
// left after its whole MR-row micro-tiles (all of them when M < MR, as in
// decoding with M = 1) run a one-row micro-kernel. Transposed lhs ([K, M]) is read as is (a row's six broadcasts are
// contiguous); a transposed rhs ([N, K]) is first copied into [K, N] by a
// linalg.transpose, O(KN) against the GEMM's O(MKN).
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
enum class Epilogue { Accumulate, Activate, Gate };

/// What one generated GEMM computes, on memrefs.
struct GemmSpec {
  Epilogue epilogue = Epilogue::Accumulate;
  Value lhs;                 // [M, K], or [K, M] when lhsTransposed
  bool lhsTransposed = false;
  Value rhs;                 // [K, columns] (gated: packed columns)
  Value initBuffer;          // Accumulate: C's initial value, or
  Value initScalar;          // Accumulate: C's initial value everywhere
  Value bias;                // Activate: [N]; Gate: packed [2 d_ff]; or null
  ActivationAttr activation; // Activate and Gate
  Value out;                 // [M, N], written
  int64_t blockSize = 0;     // Gate
};

/// One micro-column: two vectors of kLanes lanes, their weight columns, how
/// many lanes are valid, and where they go in the output (the gated
/// epilogue writes only the first).
struct MicroColumn {
  Value rhsCol[2];
  Value lanes[2];
  Value outCol[2];
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
    N = memref::DimOp::create(b, loc, spec.out, 1);
    K = memref::DimOp::create(b, loc, spec.lhs, spec.lhsTransposed ? 0 : 1);
    microRows = tiles.microRows;
    tileRows = llvm::divideCeil(tiles.rows, microRows) * microRows;

    Value colUpper, colStep;
    if (spec.epilogue == Epilogue::Gate) {
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
      loop(i0, fullEnd, step, [&](Value r0) {
        emitMicroKernel(column, masks, microRows, i0, r0, kc, kEnd, first,
                        last, scratch);
      });
      if (microRows > 1)
        loop(fullEnd, rowEnd, index(1), [&](Value r0) {
          emitMicroKernel(column, masks, 1, i0, r0, kc, kEnd, first, last,
                          scratch);
        });
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
    }
  }

  /// `count` rows x 2 vectors over k in [kc, kEnd).
  void emitMicroKernel(const MicroColumn &column, const Value masks[2],
                       int64_t count, Value i0, Value r0, Value kc,
                       Value kEnd, Value first, Value last, Value scratch) {
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
          Value w0 = maskedLoad(spec.rhs, ValueRange{k, column.rhsCol[0]},
                                masks[0]);
          Value w1 = maskedLoad(spec.rhs, ValueRange{k, column.rhsCol[1]},
                                masks[1]);
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

/// `tensor` as a read-only memref with a strided layout (unit innermost
/// stride), which fits function arguments and slices alike.
static Value readBuffer(OpBuilder &b, Location loc, Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  SmallVector<int64_t> strides(type.getRank(), ShapedType::kDynamic);
  strides.back() = 1;
  auto layout = StridedLayoutAttr::get(b.getContext(), ShapedType::kDynamic,
                                       strides);
  auto memrefType =
      MemRefType::get(type.getShape(), type.getElementType(), layout);
  return bufferization::ToBufferOp::create(b, loc, memrefType, tensor,
                                           b.getUnitAttr());
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

/// Emits the nest for `spec` (whose `out` is set here) and returns the
/// result tensor of type `resultType`.
static Value emitGemm(OpBuilder &b, Location loc, GemmSpec &spec,
                      Value shapeOf, Type resultType,
                      const CpuGemmTiles &tiles) {
  spec.out = allocLike(b, loc, shapeOf);
  GemmEmitter(b, loc, spec, tiles).emit();
  return bufferization::ToTensorOp::create(b, loc, resultType, spec.out,
                                           /*restrict=*/true,
                                           /*writable=*/true);
}

namespace {
/// ffn.gated_matmul (f32) -> the generated GEMM over the packed weight with
/// the gating epilogue on the accumulators.
struct GenerateGatedMatmul : OpRewritePattern<GatedMatmulOp> {
  GenerateGatedMatmul(MLIRContext *ctx, const CpuGemmTiles &tiles)
      : OpRewritePattern(ctx), tiles(tiles) {}

  LogicalResult matchAndRewrite(GatedMatmulOp op,
                                PatternRewriter &rewriter) const override {
    for (Value v : op->getOperands())
      if (!isF32Tensor(v.getType()))
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
    for (Value v : op->getOperands())
      if (!isF32Tensor(v.getType()))
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
    for (Value v : op->getOperands())
      if (!isF32Tensor(v.getType()))
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
    if (rhsTransposed) {
      // [N, K] -> [K, N] once, so that weight rows are contiguous vectors.
      SmallVector<OpFoldResult> sizes = {tensor::getMixedSize(rewriter, loc,
                                                              rhs, 1),
                                         tensor::getMixedSize(rewriter, loc,
                                                              rhs, 0)};
      Value empty = tensor::EmptyOp::create(rewriter, loc, sizes,
                                            rewriter.getF32Type());
      rhs = linalg::TransposeOp::create(rewriter, loc, rhs, empty,
                                        ArrayRef<int64_t>{1, 0})
                ->getResult(0);
    }
    GemmSpec spec;
    spec.epilogue = Epilogue::Accumulate;
    spec.lhs = readBuffer(rewriter, loc, lhs);
    spec.lhsTransposed = lhsTransposed;
    spec.rhs = readBuffer(rewriter, loc, rhs);
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
  patterns.add<GenerateGatedMatmul, GenerateActivatedMatmul, GenerateMatmul>(
      patterns.getContext(), tiles);
}
