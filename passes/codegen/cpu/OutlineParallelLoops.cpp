//===- OutlineParallelLoops.cpp - glu-outline-parallel-loops --------------===//
//
// glu-outline-parallel-loops, a helper of glu-cpu-pipeline: each top-level
// scf.parallel of a function moves into a private function of its own
// before convert-scf-to-openmp, so that OpenMPIRBuilder, which analyses the
// whole enclosing function for every omp.parallel it outlines, analyses
// small functions (linear, not quadratic, in the number of parallel loops).
//
//===----------------------------------------------------------------------===//

#include "passes/codegen/cpu/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMTypes.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Support/Debug.h"

namespace mlir::ffn {
#define GEN_PASS_DEF_GLUOUTLINEPARALLELLOOPS
#include "passes/codegen/cpu/Passes.h.inc"
} // namespace mlir::ffn

using namespace mlir;
using namespace mlir::ffn;

#define DEBUG_TYPE "glu-outline-parallel-loops"

/// Whether `op` is cloned into the outlined function rather than passed: an
/// operand-free pure op (a constant, ub.poison, memref.get_global).
static bool isSunk(Operation *op) {
  return op->getNumOperands() == 0 && op->getNumRegions() == 0 &&
         op->getNumResults() == 1 && isPure(op);
}

/// Whether a value of `type` can be an argument of the outlined function
/// all the way to the LLVM dialect.
static bool isPassable(Type type) {
  if (auto memref = dyn_cast<MemRefType>(type))
    return memref.isStrided();
  return isa<IndexType, IntegerType, FloatType, VectorType, UnrankedMemRefType>(
             type) ||
         LLVM::isCompatibleType(type);
}

FailureOr<func::FuncOp> mlir::ffn::outlineParallelLoop(RewriterBase &rewriter,
                                                       scf::ParallelOp loop,
                                                       StringRef name,
                                                       SymbolTable &symbols) {
  auto parent = loop->getParentOfType<func::FuncOp>();
  if (!parent)
    return rewriter.notifyMatchFailure(loop, "not in a func.func");

  // Every use, in the loop or its operands, of a value defined above it:
  // the captured values become arguments, the sunk ops are cloned.
  SmallVector<OpOperand *> usesFromAbove;
  llvm::SetVector<Value> captured;
  llvm::SetVector<Operation *> sunk;
  loop->walk<WalkOrder::PreOrder>([&](Operation *op) {
    for (OpOperand &use : op->getOpOperands()) {
      Value value = use.get();
      if (loop->isAncestor(value.getParentBlock()->getParentOp()))
        continue;
      usesFromAbove.push_back(&use);
      Operation *definition = value.getDefiningOp();
      if (definition && isSunk(definition))
        sunk.insert(definition);
      else
        captured.insert(value);
    }
  });
  for (Value value : captured) {
    if (!isPassable(value.getType())) {
      LLVM_DEBUG(llvm::dbgs() << "kept in @" << parent.getSymName()
                              << " (uses a value of type " << value.getType()
                              << "): " << loop->getLoc() << "\n");
      return rewriter.notifyMatchFailure(
          loop, "uses a value that cannot be a function argument");
    }
  }

  OpBuilder::InsertionGuard guard(rewriter);
  Location loc = loop.getLoc();
  SmallVector<Type> argumentTypes;
  SmallVector<Location> argumentLocs;
  for (Value value : captured) {
    argumentTypes.push_back(value.getType());
    argumentLocs.push_back(value.getLoc());
  }
  rewriter.setInsertionPointAfter(parent);
  auto outlined = func::FuncOp::create(
      rewriter, loc, name,
      rewriter.getFunctionType(argumentTypes, loop.getResultTypes()));
  outlined.setPrivate();
  symbols.insert(outlined);
  Block *body = rewriter.createBlock(&outlined.getBody(), {}, argumentTypes,
                                     argumentLocs);

  // The call takes the loop's place, then the loop moves into the body.
  rewriter.setInsertionPoint(loop);
  auto call =
      func::CallOp::create(rewriter, loc, outlined, captured.getArrayRef());
  rewriter.replaceAllUsesWith(loop.getResults(), call.getResults());

  rewriter.setInsertionPointToStart(body);
  IRMapping inside;
  for (auto [value, argument] : llvm::zip(captured, body->getArguments()))
    inside.map(value, argument);
  for (Operation *op : sunk)
    inside.map(op->getResult(0), rewriter.clone(*op)->getResult(0));
  rewriter.moveOpBefore(loop, body, body->end());
  for (OpOperand *use : usesFromAbove)
    rewriter.modifyOpInPlace(use->getOwner(),
                             [&] { use->set(inside.lookup(use->get())); });
  rewriter.setInsertionPointToEnd(body);
  func::ReturnOp::create(rewriter, loc, loop.getResults());
  for (Operation *op : sunk)
    if (op->use_empty())
      rewriter.eraseOp(op);

  LLVM_DEBUG(llvm::dbgs() << "@" << outlined.getSymName() << ": from @"
                          << parent.getSymName() << ", " << captured.size()
                          << " arguments, " << sunk.size()
                          << " constants cloned\n");
  return outlined;
}

namespace {
struct GluOutlineParallelLoopsPass
    : ffn::impl::GluOutlineParallelLoopsBase<GluOutlineParallelLoopsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    IRRewriter rewriter(&getContext());
    // The functions there are now: the outlined ones join the module.
    auto functions = llvm::to_vector(module.getOps<func::FuncOp>());
    for (func::FuncOp function : functions) {
      SmallVector<scf::ParallelOp> loops;
      function.walk<WalkOrder::PreOrder>([&](Operation *op) {
        if (auto loop = dyn_cast<scf::ParallelOp>(op)) {
          loops.push_back(loop);
          return WalkResult::skip();
        }
        return WalkResult::advance();
      });
      if (loops.empty() || loops.size() < minLoops) {
        LLVM_DEBUG(llvm::dbgs() << "@" << function.getSymName() << ": kept, "
                                << loops.size() << " parallel loops\n");
        continue;
      }
      // Last first: each lands right after `function`, so they end up in
      // the order of the loops.
      for (size_t index = loops.size(); index-- > 0;) {
        std::string name =
            (function.getSymName() + "_parallel_" + Twine(index)).str();
        (void)outlineParallelLoop(rewriter, loops[index], name, symbols);
      }
    }
  }
};
} // namespace
