//===- CpuVectorize.cpp - glu-cpu-vectorize -------------------------------===//
//
// glu-cpu-vectorize, a helper of glu-cpu-pipeline: tiles the all-parallel
// f32 elementwise linalg.generics to 1 x ... x L, L the target's f32 lanes
// (peeling the partial last column tile; the rows of large ones in an
// scf.forall, run by the OpenMP threads) and vectorizes the static tiles;
// gives the rows of large transposes, of all-parallel generics it cannot
// vectorize (gathers, index arithmetic) and of reductions with leading
// parallel loops to the threads too;
// and/or expands exp, tanh, expm1, log (and erf when approximate-erf) into
// polynomial approximations.
//
//===----------------------------------------------------------------------===//

#include "passes/codegen/cpu/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/Support/Debug.h"

namespace mlir::ffn {
#define GEN_PASS_DEF_GLUCPUVECTORIZE
#include "passes/codegen/cpu/Passes.h.inc"
} // namespace mlir::ffn

using namespace mlir;
using namespace mlir::ffn;

#define DEBUG_TYPE "glu-cpu-vectorize"

/// Whether `op` is an all-parallel generic on f32 tensors that the linalg
/// vectorizer accepts.
static bool isVectorizableElementwise(linalg::GenericOp op) {
  auto skip = [&](StringRef why) {
    LLVM_DEBUG(llvm::dbgs()
               << "not tiled (" << why << "): " << op->getLoc() << "\n");
    return false;
  };
  if (!op.hasPureTensorSemantics() || op.getNumLoops() == 0 ||
      op.getNumReductionLoops() != 0)
    return skip("not an all-parallel generic on tensors");
  for (Value operand : op->getOperands()) {
    auto type = dyn_cast<RankedTensorType>(operand.getType());
    if (!type || !type.getElementType().isF32() || !type.hasStaticShape())
      return skip("an operand is not a static f32 tensor");
  }
  if (failed(linalg::vectorizeOpPrecondition(op)))
    return skip("the linalg vectorizer rejects it");
  return true;
}

/// Elementwise ops of at least this many elements run their rows in
/// parallel (an scf.forall, OpenMP threads after bufferization); smaller
/// ones stay serial, where a parallel region would cost more than it
/// saves.
static constexpr int64_t kParallelElements = 1 << 14;

/// When `op` is large enough and its leading loops are parallel, tiles
/// them by 1 in an scf.forall (all but the last loop when every loop is
/// parallel; those before the first reduction loop otherwise) and returns
/// the op of one row inside; else returns `op`.
static Operation *distributeLeadingLoops(RewriterBase &rewriter,
                                         TilingInterface op) {
  SmallVector<utils::IteratorType> iterators = op.getLoopIteratorTypes();
  unsigned loops = iterators.size();
  unsigned leading = 0;
  while (leading < loops && iterators[leading] == utils::IteratorType::parallel)
    ++leading;
  leading = std::min(leading, loops - 1);
  if (loops < 2 || leading == 0)
    return op;
  int64_t rows = 1, elements = 1;
  rewriter.setInsertionPoint(op);
  for (auto [i, range] : llvm::enumerate(op.getIterationDomain(rewriter))) {
    std::optional<int64_t> size = getConstantIntValue(range.size);
    if (!size)
      return op;
    elements *= *size;
    if (i < leading)
      rows *= *size;
  }
  if (rows < 2 || elements < kParallelElements)
    return op;
  SmallVector<OpFoldResult> tileSizes(loops, rewriter.getIndexAttr(0));
  for (unsigned i = 0; i < leading; ++i)
    tileSizes[i] = rewriter.getIndexAttr(1);
  scf::SCFTilingOptions options;
  options.setTileSizes(tileSizes);
  options.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
  FailureOr<scf::SCFTilingResult> tiled =
      scf::tileUsingSCF(rewriter, op, options);
  if (failed(tiled) || tiled->tiledOps.size() != 1)
    return op;
  LLVM_DEBUG(llvm::dbgs() << "rows in parallel (" << rows << " of "
                          << elements / rows << "): " << op->getName() << " "
                          << op->getLoc() << "\n");
  rewriter.replaceOp(op, tiled->replacements);
  return tiled->tiledOps.front();
}

/// The side of the square blocks a transpose that moves the last
/// dimension is copied in: both sides read and write whole cache lines.
static constexpr int64_t kTransposeBlock = 32;

/// A large transpose on the threads: over its leading loops when it keeps
/// the last dimension last (rows stay contiguous), else in
/// kTransposeBlock-square blocks of the output's last dimension and the
/// one that reads the input's last (a [V, D] -> [D, V] transpose read
/// column by column misses the cache on every element).
static void distributeTranspose(RewriterBase &rewriter,
                                linalg::TransposeOp op) {
  ArrayRef<int64_t> permutation = op.getPermutation();
  int64_t rank = permutation.size();
  if (rank < 2 || permutation.back() == rank - 1) {
    (void)distributeLeadingLoops(rewriter,
                                 cast<TilingInterface>(op.getOperation()));
    return;
  }
  auto type = cast<RankedTensorType>(op.getInit().getType());
  if (type.getNumElements() < kParallelElements)
    return;
  int64_t readsLast = llvm::find(permutation, rank - 1) - permutation.begin();
  SmallVector<OpFoldResult> tileSizes(rank, rewriter.getIndexAttr(1));
  tileSizes[rank - 1] = rewriter.getIndexAttr(kTransposeBlock);
  tileSizes[readsLast] = rewriter.getIndexAttr(kTransposeBlock);
  scf::SCFTilingOptions options;
  options.setTileSizes(tileSizes);
  options.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
      rewriter, cast<TilingInterface>(op.getOperation()), options);
  if (failed(tiled))
    return;
  LLVM_DEBUG(llvm::dbgs() << "transpose in " << kTransposeBlock
                          << "-square blocks on the threads: " << op->getLoc()
                          << "\n");
  rewriter.replaceOp(op, tiled->replacements);
}

/// distributeLeadingLoops of an elementwise generic.
static linalg::GenericOp distributeRows(RewriterBase &rewriter,
                                        linalg::GenericOp op) {
  auto row = dyn_cast<linalg::GenericOp>(distributeLeadingLoops(
      rewriter, cast<TilingInterface>(op.getOperation())));
  return row ? row : op;
}

/// Whether `op` is data movement or scalar code the vectorizer leaves
/// alone but whose rows can still go to the threads: a linalg.transpose
/// (attention's heads split and merged), an all-parallel generic it
/// rejects (a gather through tensor.extract, integer index arithmetic), or
/// a reduction glu-cpu-gemm did not take whose leading loops are parallel
/// (a linalg.reduce keeping its leading dimensions, a generic summing each
/// packed weight's columns), contractions excepted.
static bool isDistributableScalarOp(Operation *op) {
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  if (!linalgOp || !linalgOp.hasPureTensorSemantics() ||
      !llvm::all_of(op->getOperandTypes(), [](Type type) {
        auto tensor = dyn_cast<RankedTensorType>(type);
        return tensor && tensor.hasStaticShape();
      }))
    return false;
  if (isa<linalg::TransposeOp, linalg::ReduceOp>(op))
    return true;
  // A contraction left here is the reference lowering's (gemm=reference,
  // or one glu-cpu-gemm reported): it stays the serial scalar baseline.
  auto generic = dyn_cast<linalg::GenericOp>(op);
  if (!generic)
    return false;
  if (generic.getNumReductionLoops() != 0)
    return !linalg::isaContractionOpInterface(generic);
  return !isVectorizableElementwise(generic);
}

/// Tiles `op` to 1 x ... x `lanes` and peels the last, partial column
/// tile, so that every tile has a static shape (`lanes` columns, or the
/// N mod `lanes` left); a large op's rows go to the threads first
/// (distributeRows).
static LogicalResult tileElementwise(RewriterBase &rewriter,
                                     linalg::GenericOp op, int64_t lanes) {
  op = distributeRows(rewriter, op);
  unsigned loops = op.getNumLoops();
  SmallVector<OpFoldResult> tileSizes(loops, rewriter.getIndexAttr(1));
  tileSizes.back() = rewriter.getIndexAttr(lanes);
  scf::SCFTilingOptions options;
  options.setTileSizes(tileSizes);
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
      rewriter, cast<TilingInterface>(op.getOperation()), options);
  if (failed(tiled)) {
    LLVM_DEBUG(llvm::dbgs() << "tiling failed: " << op->getLoc() << "\n");
    return failure();
  }
  LLVM_DEBUG(llvm::dbgs() << "tiled to 1 x ... x " << lanes << " ("
                          << tiled->loops.size() << " loops): " << op->getLoc()
                          << "\n");
  rewriter.replaceOp(op, tiled->replacements);
  if (tiled->loops.empty())
    return success();
  if (auto columns = dyn_cast<scf::ForOp>(tiled->loops.back().getOperation())) {
    scf::ForOp partial;
    bool peeled = succeeded(
        scf::peelForLoopAndSimplifyBounds(rewriter, columns, partial));
    LLVM_DEBUG(llvm::dbgs() << "  " << (peeled ? "peeled" : "no")
                            << " partial column tile\n");
    (void)peeled;
  }
  return success();
}

/// A copy of `op` reading and writing the static sources of the
/// tensor.casts that feed it (the peeled tiles' casts to tensor<1x?xf32>),
/// or `op` itself when no operand is such a cast.
static linalg::GenericOp withStaticOperands(RewriterBase &rewriter,
                                            linalg::GenericOp op) {
  bool changed = false;
  SmallVector<Value> operands;
  for (Value operand : op->getOperands()) {
    auto cast = operand.getDefiningOp<tensor::CastOp>();
    if (cast && cast.getSource().getType().hasStaticShape()) {
      operands.push_back(cast.getSource());
      changed = true;
    } else {
      operands.push_back(operand);
    }
  }
  if (!changed)
    return op;
  unsigned inputs = op.getNumDpsInputs();
  ValueRange newInputs = ValueRange(operands).take_front(inputs);
  ValueRange newInits = ValueRange(operands).drop_front(inputs);
  rewriter.setInsertionPoint(op);
  auto copy = linalg::GenericOp::create(
      rewriter, op.getLoc(), TypeRange(newInits), newInputs, newInits,
      op.getIndexingMapsArray(), op.getIteratorTypesArray());
  rewriter.inlineRegionBefore(op.getRegion(), copy.getRegion(),
                              copy.getRegion().begin());
  SmallVector<Value> results;
  for (auto [old, now] : llvm::zip(op.getResults(), copy.getResults()))
    results.push_back(
        old.getType() == now.getType()
            ? Value(now)
            : tensor::CastOp::create(rewriter, op.getLoc(), old.getType(), now)
                  .getResult());
  rewriter.replaceOp(op, results);
  return copy;
}

/// Whether `op` is a tile left by tileElementwise: static, all parallel, at
/// most one vector of `lanes` elements.
static bool isStaticTile(linalg::GenericOp op, int64_t lanes) {
  if (!op.hasPureTensorSemantics() || op.getNumReductionLoops() != 0)
    return false;
  std::optional<SmallVector<int64_t, 4>> ranges = op.getStaticLoopRanges();
  if (!ranges)
    return false;
  int64_t volume = 1;
  for (int64_t range : *ranges) {
    if (ShapedType::isDynamic(range))
      return false;
    volume *= range;
  }
  return volume <= lanes;
}

namespace {
struct GluCpuVectorize : mlir::ffn::impl::GluCpuVectorizeBase<GluCpuVectorize> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (vectorize) {
      SmallVector<linalg::GenericOp> generics;
      func.walk([&](linalg::GenericOp op) {
        if (isVectorizableElementwise(op))
          generics.push_back(op);
      });
      SmallVector<TilingInterface> scalarOps;
      if (distributeScalarOps)
        func.walk([&](Operation *op) {
          if (isDistributableScalarOp(op))
            scalarOps.push_back(cast<TilingInterface>(op));
        });
      IRRewriter rewriter(&getContext());
      for (linalg::GenericOp op : generics)
        (void)tileElementwise(rewriter, op, vectorLanes);
      for (TilingInterface op : scalarOps) {
        if (auto transpose = dyn_cast<linalg::TransposeOp>(op.getOperation()))
          distributeTranspose(rewriter, transpose);
        else
          (void)distributeLeadingLoops(rewriter, op);
      }
      // Fold the peeled tiles' sizes into their types.
      RewritePatternSet canonical(&getContext());
      for (RegisteredOperationName name :
           getContext().getRegisteredOperations())
        name.getCanonicalizationPatterns(canonical, &getContext());
      if (failed(applyPatternsGreedily(func, std::move(canonical))))
        return signalPassFailure();
      SmallVector<linalg::GenericOp> candidates, tiles;
      func.walk([&](linalg::GenericOp op) { candidates.push_back(op); });
      for (linalg::GenericOp op : candidates) {
        linalg::GenericOp tile = withStaticOperands(rewriter, op);
        if (isStaticTile(tile, vectorLanes) &&
            succeeded(linalg::vectorizeOpPrecondition(tile)))
          tiles.push_back(tile);
      }
      LLVM_DEBUG(llvm::dbgs() << tiles.size() << " of " << candidates.size()
                              << " generics are static tiles of at most "
                              << vectorLanes << " elements\n");
      for (linalg::GenericOp tile : tiles) {
        rewriter.setInsertionPoint(tile);
        Location loc = tile->getLoc();
        FailureOr<linalg::VectorizationResult> vectorized =
            linalg::vectorize(rewriter, tile);
        LLVM_DEBUG(llvm::dbgs()
                   << (succeeded(vectorized) ? "vectorized" : "not vectorized")
                   << " tile: " << loc << "\n");
        (void)loc;
        if (succeeded(vectorized))
          rewriter.replaceOp(tile, vectorized->replacements);
      }
      // vector<1xL> -> vector<L>, transfers that LLVM lowering takes.
      RewritePatternSet unitDims(&getContext());
      vector::populateCastAwayVectorLeadingOneDimPatterns(unitDims);
      vector::populateVectorTransferDropUnitDimsPatterns(unitDims);
      if (failed(applyPatternsGreedily(func, std::move(unitDims))))
        return signalPassFailure();
    }
    if (approximateMath) {
      LLVM_DEBUG(llvm::dbgs() << "polynomial approximations of exp, tanh, "
                                 "expm1, log"
                              << (approximateErf ? ", erf" : "") << "\n");
      RewritePatternSet patterns(&getContext());
      bool erf = approximateErf;
      // The upstream predicate is keyed by operation name.
      auto approximate = [erf](StringRef name) {
        if (name == math::ErfOp::getOperationName())
          return erf;
        return name == math::ExpOp::getOperationName() ||
               name == math::TanhOp::getOperationName() ||
               name == math::ExpM1Op::getOperationName() ||
               name == math::LogOp::getOperationName();
      };
      populateMathPolynomialApproximationPatterns(patterns, approximate);
      if (failed(applyPatternsGreedily(func, std::move(patterns))))
        return signalPassFailure();
    }
  }
};

} // namespace
