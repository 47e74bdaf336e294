//===- Passes.td - GluCodegenCommon passes -----------------*- tablegen -*-===//
//
// Code generation shared by the back ends.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_PASSES_CODEGEN_COMMON_PASSES_TD
#define GLU_PASSES_CODEGEN_COMMON_PASSES_TD

include "mlir/Pass/PassBase.td"

def GluEmitEntryPoints : Pass<"glu-emit-entry-points", "::mlir::ModuleOp"> {
  let summary = "Emit the artifact's C entry points: glu_entry_<name>(void **) "
                "for every public function with a C interface";
  let description = [{
    Runs last, on the LLVM dialect. For every `_mlir_ciface_<name>` wrapper
    that func-to-llvm made for a public function marked
    `llvm.emit_c_interface`, adds

      void glu_entry_<name>(void **args);

    which reads its i-th operand from `args[i]`: a memref operand is passed
    as the pointer itself (it points to the strided memref descriptor), any
    other operand is loaded from the pointer. It also adds
    `int32_t glu_abi_version(void)` returning the calling-convention version
    (1). See docs/artifact-format.md. Argument and result attributes that
    are not `llvm.*` (such as `ffn.name`, which the manifest records) are
    dropped, since LLVM IR has no meaning for them, and private functions
    with a body get internal linkage (the library exports only what the
    manifest names, and the MLIR functions behind it). A function with
    results is refused:
    entry points return their results through out-parameters
    (buffer-results-to-out-params).
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def GluMarkCInterface : Pass<"glu-mark-c-interface", "::mlir::ModuleOp"> {
  let summary = "Set llvm.emit_c_interface on every public func.func";
  let description = [{
    A helper of glu-cpu-pipeline: func-to-llvm then emits an
    `_mlir_ciface_<name>` wrapper taking memref descriptors by pointer for
    every public function definition, which glu-emit-entry-points and
    mlir-runner call.
  }];
}

def GluLowerStridedCopies : Pass<"glu-lower-strided-copies"> {
  let summary = "Rewrite memref.copy with a strided side into linalg.copy";
  let description = [{
    finalize-memref-to-llvm lowers a copy between contiguous buffers to a
    memcpy, but a copy with a strided side to a call of `memrefCopy` from
    MLIR's runner utilities, which artifacts must not depend on. This pass
    rewrites those copies (only those) into `linalg.copy`, for the
    pipelines to lower to loops.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

#endif // GLU_PASSES_CODEGEN_COMMON_PASSES_TD
