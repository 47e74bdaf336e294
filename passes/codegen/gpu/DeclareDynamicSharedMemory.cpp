//===- DeclareDynamicSharedMemory.cpp - glu-declare-dynamic-shared-memory -===//
//
// Makes the lowered `gpu.dynamic_shared_memory` global an external,
// aligned declaration (`.extern .shared .b8 name[]` in PTX). See
// Passes.td.
//
//===----------------------------------------------------------------------===//

#include "passes/codegen/gpu/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

#include "llvm/Support/MathExtras.h"

namespace mlir::ffn {
#define GEN_PASS_DEF_GLUDECLAREDYNAMICSHAREDMEMORY
#include "passes/codegen/gpu/Passes.h.inc"
} // namespace mlir::ffn

using namespace mlir;

namespace {
struct GluDeclareDynamicSharedMemory
    : ffn::impl::GluDeclareDynamicSharedMemoryBase<
          GluDeclareDynamicSharedMemory> {
  using Base::Base;

  void runOnOperation() override {
    if (alignment <= 0 || !llvm::isPowerOf2_64(alignment)) {
      getOperation().emitError()
          << "glu-declare-dynamic-shared-memory: the alignment must be a "
             "power of two, not "
          << static_cast<int64_t>(alignment);
      return signalPassFailure();
    }
    getOperation().walk([&](LLVM::GlobalOp global) {
      auto array = dyn_cast<LLVM::LLVMArrayType>(global.getGlobalType());
      if (!array || array.getNumElements() != 0 || global.getAddrSpace() != 3 ||
          !global.getSymName().starts_with("__dynamic_shmem"))
        return;
      global.setLinkage(LLVM::Linkage::External);
      uint64_t current = global.getAlignment().value_or(1);
      global.setAlignment(std::max<uint64_t>(current, alignment));
    });
  }
};
} // namespace
