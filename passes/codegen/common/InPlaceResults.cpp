//===- InPlaceResults.cpp - results that update their argument ------------===//
//
// The two halves of in-place results, around one-shot-bufferize:
//
//   glu-tie-in-place-results   (tensors) a result named like an argument
//                              updates it: that argument is writable, every
//                              other one read-only (ffn.tied_results);
//   glu-drop-in-place-results  (buffers) a tied result the bufferization
//                              kept in the argument's buffer leaves the
//                              signature (ffn.in_place_results), so no copy
//                              of the whole buffer into an out-parameter
//                              is made.
//
// Arguments not updated in place are never written: the caller may bind one
// buffer to several calls.
//
//===----------------------------------------------------------------------===//

#include "passes/codegen/common/Passes.h"

#include "glu/ArtifactAbi.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Interfaces/LoopLikeInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "glu-in-place-results"

namespace mlir::ffn {
#define GEN_PASS_DEF_GLUTIEINPLACERESULTS
#define GEN_PASS_DEF_GLUDROPINPLACERESULTS
#include "passes/codegen/common/Passes.h.inc"
} // namespace mlir::ffn

using namespace mlir;
using namespace mlir::ffn;

/// Set by glu-tie-in-place-results, read and removed by
/// glu-drop-in-place-results: per result, the argument it updates or -1.
static constexpr StringLiteral kTiedResultsAttr = "ffn.tied_results";

static bool isEntryPoint(func::FuncOp func) {
  return func.isPublic() && !func.isExternal();
}

static StringAttr getNameAttr(DictionaryAttr attrs) {
  return attrs ? attrs.getAs<StringAttr>(GLU_NAME_ATTR) : StringAttr();
}

/// Whether the code may write the buffer `root` (a function argument),
/// following its views; ops whose effects are unknown count as writes.
static bool mayWrite(Value root) {
  SmallVector<Value> worklist{root};
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    for (OpOperand &use : value.getUses()) {
      Operation *user = use.getOwner();
      if (isa<func::ReturnOp>(user))
        continue;
      if (auto view = dyn_cast<ViewLikeOpInterface>(user)) {
        if (view.getViewSource() == value) {
          worklist.push_back(view->getResult(0));
          continue;
        }
      }
      // linalg on buffers: only its inits are written.
      if (auto dps = dyn_cast<DestinationStyleOpInterface>(user)) {
        if (dps.hasPureBufferSemantics()) {
          if (dps.isDpsInit(&use)) {
            LLVM_DEBUG(llvm::dbgs() << "  written by " << *user << "\n");
            return true;
          }
          continue;
        }
      }
      auto effects = dyn_cast<MemoryEffectOpInterface>(user);
      if (!effects || user->hasTrait<OpTrait::HasRecursiveMemoryEffects>()) {
        LLVM_DEBUG(llvm::dbgs() << "  may be written by " << *user << "\n");
        return true;
      }
      SmallVector<MemoryEffects::EffectInstance> instances;
      effects.getEffectsOnValue(value, instances);
      for (const MemoryEffects::EffectInstance &instance : instances)
        if (isa<MemoryEffects::Write, MemoryEffects::Free>(
                instance.getEffect())) {
          LLVM_DEBUG(llvm::dbgs() << "  written by " << *user << "\n");
          return true;
        }
    }
  }
  return false;
}

/// The buffer `value` is: through casts, and through the results of loops
/// (a bufferized scf.for) that yield their iteration argument unchanged.
static Value getBuffer(Value value) {
  while (true) {
    if (auto cast = value.getDefiningOp<memref::CastOp>()) {
      value = cast.getSource();
      continue;
    }
    auto result = dyn_cast<OpResult>(value);
    auto loop =
        result ? dyn_cast<LoopLikeOpInterface>(result.getOwner()) : nullptr;
    if (!loop)
      return value;
    BlockArgument iterArg = loop.getTiedLoopRegionIterArg(result);
    OpOperand *init = loop.getTiedLoopInit(result);
    OpOperand *yielded =
        iterArg ? loop.getTiedLoopYieldedValue(iterArg) : nullptr;
    if (!init || !yielded || getBuffer(yielded->get()) != iterArg)
      return value;
    value = init->get();
  }
}

namespace {
struct GluTieInPlaceResults
    : mlir::ffn::impl::GluTieInPlaceResultsBase<GluTieInPlaceResults> {
  using Base::Base;

  void runOnOperation() override {
    Builder builder(&getContext());
    StringRef writable = bufferization::BufferizationDialect::kWritableAttrName;
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (!isEntryPoint(func))
        continue;
      // Arguments by name; a name two arguments share ties none of them.
      llvm::StringMap<int64_t> argumentOf;
      for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i)
        if (StringAttr name = getNameAttr(func.getArgAttrDict(i))) {
          auto [it, inserted] = argumentOf.try_emplace(name.getValue(), i);
          if (!inserted)
            it->second = -1;
        }
      FunctionType type = func.getFunctionType();
      SmallVector<int64_t> tied(func.getNumResults(), -1);
      SmallVector<bool> updated(func.getNumArguments(), false);
      for (unsigned r = 0, e = func.getNumResults(); r < e; ++r) {
        StringAttr name = getNameAttr(func.getResultAttrDict(r));
        if (!name)
          continue;
        auto it = argumentOf.find(name.getValue());
        if (it == argumentOf.end() || it->second < 0 || updated[it->second] ||
            type.getInput(it->second) != type.getResult(r) ||
            !isa<RankedTensorType>(type.getResult(r)))
          continue;
        tied[r] = it->second;
        updated[it->second] = true;
        LLVM_DEBUG(llvm::dbgs() << "@" << func.getSymName() << ": result " << r
                                << " updates argument " << it->second << "\n");
      }
      for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i)
        if (isa<TensorType>(type.getInput(i)))
          func.setArgAttr(i, writable, builder.getBoolAttr(updated[i]));
      if (llvm::any_of(tied, [](int64_t index) { return index >= 0; }))
        func->setAttr(kTiedResultsAttr, builder.getDenseI64ArrayAttr(tied));
    }
  }
};

struct GluDropInPlaceResults
    : mlir::ffn::impl::GluDropInPlaceResultsBase<GluDropInPlaceResults> {
  using Base::Base;

  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      auto tied = func->getAttrOfType<DenseI64ArrayAttr>(kTiedResultsAttr);
      if (!tied)
        continue;
      func->removeAttr(kTiedResultsAttr);
      if (!isEntryPoint(func) ||
          tied.size() != static_cast<int64_t>(func.getNumResults())) {
        func.emitError() << "'" << kTiedResultsAttr << "' has " << tied.size()
                         << " entries for " << func.getNumResults()
                         << " results";
        return signalPassFailure();
      }
      if (failed(dropInPlaceResults(func, tied.asArrayRef())))
        return signalPassFailure();
    }
  }

  /// Drops the results of `func` that every return gives back as their
  /// tied argument; protects the arguments of the other tied results.
  LogicalResult dropInPlaceResults(func::FuncOp func, ArrayRef<int64_t> tied) {
    SmallVector<func::ReturnOp> returns;
    func.walk([&](func::ReturnOp op) { returns.push_back(op); });
    SmallVector<int64_t> inPlace(tied.size(), -1);
    llvm::BitVector dropped(tied.size());
    for (auto [r, argIndex] : llvm::enumerate(tied)) {
      if (argIndex < 0)
        continue;
      if (argIndex >= func.getNumArguments())
        return func.emitError() << "result " << r << " is tied to argument "
                                << argIndex << " of " << func.getNumArguments();
      BlockArgument argument = func.getArgument(argIndex);
      bool same = llvm::all_of(returns, [&](func::ReturnOp op) {
        return getBuffer(op.getOperand(r)) == argument;
      });
      if (same) {
        inPlace[r] = argIndex;
        dropped.set(r);
        continue;
      }
      LLVM_DEBUG(llvm::dbgs() << "@" << func.getSymName() << ": result " << r
                              << " is a new buffer\n");
      // The argument is writable but not the result: work on a copy if
      // the code may write it.
      if (!mayWrite(argument))
        continue;
      auto memrefType = dyn_cast<MemRefType>(argument.getType());
      if (!memrefType || !memrefType.hasStaticShape())
        return func.emitError()
               << "argument " << argIndex << " of type " << argument.getType()
               << " may be written but is not updated in place; glu cannot "
                  "copy it";
      OpBuilder builder = OpBuilder::atBlockBegin(&func.front());
      Value copy = memref::AllocOp::create(
          builder, func.getLoc(),
          MemRefType::get(memrefType.getShape(), memrefType.getElementType()));
      argument.replaceAllUsesWith(copy);
      memref::CopyOp::create(builder, func.getLoc(), argument, copy);
    }
    if (dropped.none())
      return success();

    for (func::ReturnOp op : returns) {
      SmallVector<Value> kept;
      for (auto [r, value] : llvm::enumerate(op.getOperands()))
        if (!dropped.test(r))
          kept.push_back(value);
      op->setOperands(kept);
    }
    if (failed(func.eraseResults(dropped)))
      return func.emitError() << "cannot drop its in-place results";
    Builder builder(&getContext());
    func->setAttr(GLU_IN_PLACE_RESULTS_ATTR,
                  builder.getDenseI64ArrayAttr(inPlace));
    LLVM_DEBUG(llvm::dbgs() << "@" << func.getSymName() << ": "
                            << dropped.count() << " results in place\n");
    return success();
  }
};
} // namespace
