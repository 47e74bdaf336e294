//===- MarkCInterface.cpp - glu-mark-c-interface --------------------------===//
//
// glu-mark-c-interface, a helper of glu-cpu-pipeline: every public function
// with a body gets llvm.emit_c_interface, so that func-to-llvm emits its
// _mlir_ciface_ wrapper for the artifact's entry points.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlir::ffn {
#define GEN_PASS_DEF_GLUMARKCINTERFACE
#include "passes/Passes.h.inc"
} // namespace mlir::ffn

using namespace mlir;
using namespace mlir::ffn;

namespace {
struct GluMarkCInterface : mlir::ffn::impl::GluMarkCInterfaceBase<GluMarkCInterface> {
  using Base::Base;

  void runOnOperation() override {
    UnitAttr unit = UnitAttr::get(&getContext());
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (func.isPublic() && !func.isExternal())
        func->setAttr("llvm.emit_c_interface", unit);
  }
};
} // namespace
