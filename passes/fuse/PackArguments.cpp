//===- PackArguments.cpp - ffn-pack-arguments -----------------------------===//
//
// ffn-pack-arguments: a train step's gate and linear weight arguments become
// one packed argument each, unpacked at entry (ffn-fuse's pack_gated of the
// unpacked pair then folds away), with the mapping recorded in
// ffn.packed_arguments for the manifest and checkpoints.
//
//===----------------------------------------------------------------------===//

#include "passes/fuse/Passes.h"

#include "dialect/FFNFusedOps.h"
#include "dialect/FFNOps.h"

#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "ffn-pack-arguments"

namespace mlir::ffn {
#define GEN_PASS_DEF_FFNPACKARGUMENTS
#include "passes/fuse/Passes.h.inc"
} // namespace mlir::ffn

using namespace mlir;
using namespace mlir::ffn;

/// The record of one original argument in ffn.packed_arguments.
static OriginalArgumentAttr describeArgument(FunctionOpInterface function,
                                             unsigned index) {
  auto name = function.getArgAttrOfType<StringAttr>(index, GLU_NAME_ATTR);
  auto type = cast<RankedTensorType>(function.getArgument(index).getType());
  return OriginalArgumentAttr::get(
      function.getContext(), index,
      name ? name.getValue() : StringRef("arg" + std::to_string(index)),
      type.getShape());
}

LogicalResult mlir::ffn::packGatedArgumentWeights(FunctionOpInterface function,
                                                  int64_t blockSize) {
  if (function.isExternal())
    return success();
  Block &entry = function.getFunctionBody().front();
  // Gate argument -> linear argument, for pairs used consistently.
  llvm::MapVector<unsigned, unsigned> pairs;
  DenseSet<unsigned> rejected;
  function.walk([&](GLUOp op) {
    auto w = dyn_cast<BlockArgument>(op.getW());
    auto v = dyn_cast<BlockArgument>(op.getV());
    if (!w || !v || w.getOwner() != &entry || v.getOwner() != &entry || w == v)
      return;
    // Twice as many columns must fit in int64.
    if (!packedWidth(cast<ShapedType>(w.getType()).getShape().back()))
      return;
    auto [it, inserted] = pairs.insert({w.getArgNumber(), v.getArgNumber()});
    if (!inserted && it->second != v.getArgNumber())
      rejected.insert(w.getArgNumber());
  });
  // Every use of both arguments must be that pair in an ffn.glu.
  auto onlyGatedUses = [&](unsigned w, unsigned v) {
    for (unsigned index : {w, v})
      for (Operation *user : entry.getArgument(index).getUsers()) {
        auto glu = dyn_cast<GLUOp>(user);
        if (!glu || glu.getW() != entry.getArgument(w) ||
            glu.getV() != entry.getArgument(v))
          return false;
      }
    return true;
  };
  SmallVector<std::pair<unsigned, unsigned>> packable;
  DenseSet<unsigned> used;
  for (auto [w, v] : pairs)
    if (!rejected.contains(w) && !used.contains(v) && !used.contains(w) &&
        onlyGatedUses(w, v)) {
      packable.push_back({w, v});
      used.insert(w);
      used.insert(v);
    }
  if (packable.empty())
    return success();
  if (SymbolTable::symbolKnownUseEmpty(function, function->getParentOp()) ==
      false) {
    function.emitRemark("ffn-pack-arguments: keeps the signature of @")
        << function.getName() << ": it is called in this module";
    return success();
  }

  // Append the packed arguments, unpack them at entry, and erase the
  // originals.
  MLIRContext *ctx = function.getContext();
  OpBuilder b = OpBuilder::atBlockBegin(&entry);
  unsigned originalCount = function.getNumArguments();
  SmallVector<std::pair<OriginalArgumentAttr, OriginalArgumentAttr>> records;
  llvm::BitVector erase(originalCount);
  for (auto [w, v] : packable) {
    records.push_back(
        {describeArgument(function, w), describeArgument(function, v)});
    auto type = cast<RankedTensorType>(entry.getArgument(w).getType());
    SmallVector<int64_t> shape(type.getShape());
    shape.back() = *packedWidth(shape.back());
    auto packedType = RankedTensorType::get(shape, type.getElementType());
    unsigned index = function.getNumArguments();
    if (failed(function.insertArgument(index, packedType, {},
                                       entry.getArgument(w).getLoc())))
      return failure();
    Value packed = entry.getArgument(index);
    auto unpack = UnpackGatedOp::create(b, packed.getLoc(), type, type, packed,
                                        blockSize);
    entry.getArgument(w).replaceAllUsesWith(unpack.getGate());
    entry.getArgument(v).replaceAllUsesWith(unpack.getLinear());
    erase.resize(function.getNumArguments());
    erase.set(w);
    erase.set(v);
  }
  if (failed(function.eraseArguments(erase)))
    return failure();

  // Record where each packed argument now is and what it holds.
  SmallVector<Attribute> entries;
  unsigned kept = originalCount - 2 * packable.size();
  for (auto [i, record] : llvm::enumerate(records)) {
    auto [gate, linear] = record;
    entries.push_back(
        PackedArgumentAttr::get(ctx, kept + i, blockSize, gate, linear));
  }
  function->setAttr(GLU_PACKED_ARGUMENTS_ATTR, ArrayAttr::get(ctx, entries));
  return success();
}

namespace {
struct FFNPackArgumentsPass
    : mlir::ffn::impl::FFNPackArgumentsBase<FFNPackArgumentsPass> {
  using Base::Base;

  void runOnOperation() override {
    int64_t block = blockSize;
    if (block < 0) {
      getOperation()->emitError(
          "ffn-pack-arguments: block-size must be positive, got ")
          << block;
      return signalPassFailure();
    }
    if (block == 0)
      block = getDefaultBlockSize(target);
    WalkResult result = getOperation()->walk([&](FunctionOpInterface fn) {
      LLVM_DEBUG(llvm::dbgs() << "ffn-pack-arguments: @" << fn.getName()
                              << ", block " << block << "\n");
      if (failed(packGatedArgumentWeights(fn, block)))
        return WalkResult::interrupt();
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};
} // namespace
