//===- Passes.td - GluRaise passes -------------------------*- tablegen -*-===//
//
// Ffn-raise: find the FFN variants in linalg on tensors.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_PASSES_RAISE_PASSES_TD
#define GLU_PASSES_RAISE_PASSES_TD

include "mlir/Pass/PassBase.td"

def FFNRaise : Pass<"ffn-raise"> {
  let summary = "Find the eight FFN variants in linalg on tensors and "
                "rewrite them to ffn ops";
  let description = [{
    Recognizes every feed-forward variant of "GLU Variants Improve
    Transformer" in the IR front ends emit (torch-mlir, IREE, ONNX and TOSA
    importers after `--tosa-to-linalg-pipeline`) and rewrites it to
    `ffn.ffn` or `ffn.glu`:

    - projections as `linalg.matmul` (also with the weight read transposed
      through `indexing_maps`), `linalg.generic` contractions, matmuls fed
      by transposes of `[out, in]` weights, and `linalg.batch_matmul`
      against a weight broadcast over the batch; inputs of any rank
      reshaped to 2-D or 3-D around the matmuls;
    - biases added by elementwise ops or used as the matmul's initial value;
    - activations and gating in separate `linalg.generic` ops or fused into
      one, in the spellings front ends use (relu as max, select or clamp;
      sigmoid as 1 / (1 + exp(-x)); swish with any beta; GELU in the erf
      and tanh forms, x^3 as a product or a power).

    It only rewrites what is safe: every intermediate (each projection,
    each elementwise result) must be used by the layer alone, both gated
    projections must read the same input, and the elementwise chain must be
    exactly an activation of a projection (times a second projection).

    Before:

    ```mlir
    %a = linalg.matmul ins(%x, %w : ...) outs(%zero : tensor<8x32xf32>)
    %b = linalg.matmul ins(%x, %v : ...) outs(%zero : tensor<8x32xf32>)
    %h = linalg.generic ... ins(%a, %b : ...) {
      // %a / (1 + exp(-%a)) * %b
    }
    %y = linalg.matmul ins(%h, %w2 : ...) outs(%zero2 : tensor<8x16xf32>)
    ```

    After:

    ```mlir
    %y = ffn.glu swish %x, %w, %v, %w2 : (...) -> tensor<8x16xf32>
    ```

    With `report=true` it emits a remark for every layer it raises and for
    every near-miss it rejects, with the reason, and a summary per function.
    The patterns are exposed as `populateFFNRaisePatterns`.
  }];
  let options = [
    Option<"report", "report", "bool", /*default=*/"false",
           "Emit a remark for each layer raised, each near-miss rejected "
           "(with the reason) and a summary per function">
  ];
  let dependentDialects = [
    "::mlir::ffn::FFNDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

#endif // GLU_PASSES_RAISE_PASSES_TD
