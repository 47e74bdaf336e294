//===- AlignWorkgroupMemory.cpp - glu-align-workgroup-memory --------------===//
//
// Gives every workgroup attribution of the outlined kernels an `llvm.align`
// (16 bytes unless told otherwise), which convert-gpu-to-nvvm puts on the
// `.shared` global it declares. See Passes.td.
//
//===----------------------------------------------------------------------===//

#include "passes/codegen/gpu/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

#include "llvm/Support/MathExtras.h"

namespace mlir::ffn {
#define GEN_PASS_DEF_GLUALIGNWORKGROUPMEMORY
#include "passes/codegen/gpu/Passes.h.inc"
} // namespace mlir::ffn

using namespace mlir;

namespace {
struct GluAlignWorkgroupMemory
    : ffn::impl::GluAlignWorkgroupMemoryBase<GluAlignWorkgroupMemory> {
  using Base::Base;

  void runOnOperation() override {
    if (alignment <= 0 || !llvm::isPowerOf2_64(alignment)) {
      getOperation().emitError()
          << "glu-align-workgroup-memory: the alignment must be a power of "
             "two, not "
          << static_cast<int64_t>(alignment);
      return signalPassFailure();
    }
    StringRef name = LLVM::LLVMDialect::getAlignAttrName();
    Builder b(&getContext());
    getOperation().walk([&](gpu::GPUFuncOp func) {
      for (unsigned i = 0, e = func.getNumWorkgroupAttributions(); i < e; ++i)
        if (!func.getWorkgroupAttributionAttr(i, name))
          func.setWorkgroupAttributionAttr(i, name,
                                           b.getI64IntegerAttr(alignment));
    });
  }
};
} // namespace
