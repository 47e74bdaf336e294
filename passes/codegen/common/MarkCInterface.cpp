//===- MarkCInterface.cpp - glu-mark-c-interface --------------------------===//
//
// glu-mark-c-interface, a helper of glu-cpu-pipeline: every public function
// with a body gets llvm.emit_c_interface, so that func-to-llvm emits its
// _mlir_ciface_ wrapper for the artifact's entry points.
//
//===----------------------------------------------------------------------===//

#include "passes/codegen/common/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "glu-mark-c-interface"

namespace mlir::ffn {
#define GEN_PASS_DEF_GLUMARKCINTERFACE
#include "passes/codegen/common/Passes.h.inc"
} // namespace mlir::ffn

using namespace mlir;
using namespace mlir::ffn;

namespace {
struct GluMarkCInterface
    : mlir::ffn::impl::GluMarkCInterfaceBase<GluMarkCInterface> {
  using Base::Base;

  void runOnOperation() override {
    UnitAttr unit = UnitAttr::get(&getContext());
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (!func.isPublic() || func.isExternal()) {
        LLVM_DEBUG(llvm::dbgs()
                   << "@" << func.getSymName() << ": skipped, "
                   << (func.isExternal() ? "a declaration" : "not public")
                   << "\n");
        continue;
      }
      LLVM_DEBUG(llvm::dbgs() << "@" << func.getSymName()
                              << ": gets a C interface wrapper\n");
      func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(), unit);
    }
  }
};
} // namespace
