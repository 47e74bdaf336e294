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

def GluLowerMultiDynamicExpandShapes
    : Pass<"glu-lower-multi-dynamic-expand-shapes"> {
  let summary = "Rewrite memref.expand_shape with several dynamic sizes in "
                "one group into memref.reinterpret_cast";
  let description = [{
    expand-strided-metadata in LLVM 22 assumes at most one dynamic size per
    reassociation group of a memref.expand_shape and recomputes that size
    from the source; with two or more it leaves a size unset and crashes
    (llvm/llvm-project#186830, fixed after LLVM 22 by reading output_shape).
    Such expand_shapes are ordinary for glu: a layer on
    tensor<?x?xd_model> computes on its rows and expands them back to the
    batch dimensions. This pass, run before expand-strided-metadata,
    rewrites only those expand_shapes into a memref.reinterpret_cast of the
    source's base buffer with the sizes of `output_shape` and the row-major
    strides of each group; every other expand_shape is left to upstream.

    Before:

    ```mlir
    %e = memref.expand_shape %rows [[0, 1], [2]] output_shape [%b, %s, 16]
        : memref<?x16xf32> into memref<?x?x16xf32>
    ```

    After:

    ```mlir
    %base, %offset, %sizes:2, %strides:2 = memref.extract_strided_metadata %rows
        : memref<?x16xf32> -> memref<f32>, index, index, index, index, index
    %stride0 = affine.apply affine_map<()[s0] -> (s0 * 16)>()[%s]
    %e = memref.reinterpret_cast %base to offset: [0],
        sizes: [%b, %s, 16], strides: [%stride0, 16, 1]
        : memref<f32> to memref<?x?x16xf32>
    ```
  }];
  let dependentDialects = ["::mlir::affine::AffineDialect"];
}

def GluTieInPlaceResults : Pass<"glu-tie-in-place-results", "::mlir::ModuleOp"> {
  let summary = "Before one-shot-bufferize: make arguments read-only except "
                "those a result of the same name updates";
  let description = [{
    An entry point's arguments belong to its caller: the code must not write
    them, unless the function says it updates one. A result updates an
    argument when both carry the same `ffn.name` and the same type (a train
    step's parameters and optimizer state, a decoder step's key/value
    caches). For every public function with a body this pass sets
    `bufferization.writable = true` on each argument some result updates,
    `false` on every other one (one-shot-bufferize then copies before any
    write to those), and records the pairs as `ffn.tied_results`: one
    argument index per result, -1 where the result updates none.
    glu-drop-in-place-results, after bufferization, turns the pairs the
    bufferization kept in place into results without out-parameters.

      func.func @step(%c: tensor<4xf32> {ffn.name = "cache"}, ...)
          -> (tensor<4xf32> {ffn.name = "cache"})
      // becomes
      func.func @step(%c: tensor<4xf32> {bufferization.writable = true, ...},
          ...) -> (...) attributes {ffn.tied_results = array<i64: 0>}
  }];
}

def GluDropInPlaceResults : Pass<"glu-drop-in-place-results", "::mlir::ModuleOp"> {
  let summary = "After one-shot-bufferize: drop the results that are their "
                "argument's buffer, updated in place";
  let description = [{
    Runs between one-shot-bufferize and buffer-results-to-out-params on the
    functions glu-tie-in-place-results marked. A tied result that every
    return gives back as the argument's own buffer (the bufferization
    updated the argument in place) leaves the signature: the caller reads
    the updated argument instead of an out-parameter, and no copy of the
    whole buffer into a result is made (a decoder step's caches, of which a
    step writes one position). The function then carries
    `ffn.in_place_results` (GLU_IN_PLACE_RESULTS_ATTR): for every original
    result the argument index it is, or -1 if it is still returned; the
    manifest and the entry's signature record it (docs/artifact-format.md).
    A tied result that is a new buffer stays a result; if the code may write
    its argument (a store, or an op of unknown effects, reached through its
    views), the function first copies the argument and works on the copy,
    so that arguments not updated in place stay as the caller gave them.
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
}

#endif // GLU_PASSES_CODEGEN_COMMON_PASSES_TD
