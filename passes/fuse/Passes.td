//===- Passes.td - GluFuse passes --------------------------*- tablegen -*-===//
//
// Ffn-fuse: one GEMM over packed weights per layer.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_PASSES_FUSE_PASSES_TD
#define GLU_PASSES_FUSE_PASSES_TD

include "mlir/Pass/PassBase.td"

def FFNFuse : Pass<"ffn-fuse"> {
  let summary = "Fuse each layer's projections and gate into one GEMM over "
                "packed weights with an epilogue";
  let description = [{
    Rewrites every gated layer into the fused form the project exists for:

    - the gate and linear weights `W`, `V` packed into one
      `[d_model, 2 * d_ff]` tensor of interleaved column blocks
      (`ffn.pack_gated`; packing constants folds at compile time, so
      inference pays nothing);
    - ONE `ffn.gated_matmul` computing `[a | b] = x [W | V]` tile by tile and
      applying `gate(a) * b` in its epilogue, writing only `[M, d_ff]`;
    - the down projection, a `linalg.matmul` accumulating into the broadcast
      output bias when there is one.

    Ungated layers become one `ffn.activated_matmul` (GEMM + activation
    epilogue) and the down projection. Leading batch dimensions are
    collapsed around the GEMMs.

    The block size is an option; by default it is chosen for the target
    (cpu: 64 columns, a multiple of every x86 vector width that keeps a
    block pair's K x 128 panel in L2 for d_model up to 1024; cuda: 128, the
    N extent of a CTA tile).

    Before:

    ```mlir
    %y = ffn.glu swish %x, %w, %v, %w2 : (...) -> tensor<256x512xf32>
    ```

    After:

    ```mlir
    %p = ffn.pack_gated %w, %v block_size(64) : ... -> tensor<512x2730xf32>
    %h = ffn.gated_matmul swish block_size(64)
        ins(%x, %p : ...) outs(%e : tensor<256x1365xf32>) -> tensor<256x1365xf32>
    %y = linalg.matmul ins(%h, %w2 : ...) outs(%zero : tensor<256x512xf32>)
    ```

    With `report=true` it emits a remark for each fusion with its shapes
    and the bytes of intermediate memory traffic it removes.

    Gradients (`ffn.glu_grad`, `ffn.ffn_grad`) become the fused backward:
    one `ffn.gated_matmul` returning both `h` and the packed pre-activations
    `[a | b] = x [W | V]` it gates (`ffn.activated_matmul` returning `h` and
    `a` for `ffn.ffn_grad`), `ffn.dgate_matmul` (the `dh = dy W2^T` GEMM
    with the dgate epilogue producing packed `[da | db]`), ONE GEMM for `dx`
    against the packed weights (`K = 2 * d_ff`), ONE GEMM for the packed
    weight gradient `x^T [da | db]` (unpacked at the end) and `dW2` from
    `h`. By default the backward recomputes that product with its own GEMM;
    with `keep-activations=true`, a backward whose forward (`ffn.glu` or
    `ffn.ffn` with the same operands) is in the same block shares the
    forward's GEMM: the forward becomes the fused GEMM that also returns
    its pre-activations, and the backward reads them. This is the one place
    where products are shared between a forward and its backward; both
    back ends get the decision. Identical packs (`ffn.pack_gated` of the
    same weights) are pure, so `cse` merges them. The report gives the
    memory or the GEMM each choice costs.

    With `pack-arguments=true` it first runs ffn-pack-arguments with the
    same block size. The patterns are exposed as `populateFFNFusePatterns`
    (keep-activations included); with ffn-pack-arguments they reproduce the
    pass.
  }];
  let options = [
    Option<"blockSize", "block-size", "int64_t", /*default=*/"0",
           "Columns per packed block; 0 chooses by target">,
    Option<"target", "target", "::mlir::ffn::Target",
           /*default=*/"::mlir::ffn::Target::Cpu",
           "The target the block size is chosen for",
           [{GLU_TARGET_CL_VALUES}]>,
    Option<"report", "report", "bool", /*default=*/"false",
           "Emit a remark per fusion with its shapes and the intermediate "
           "memory traffic it removes">,
    Option<"keepActivations", "keep-activations", "bool", /*default=*/"false",
           "In the backward, read [a | b] (or a) kept from the matching "
           "forward instead of recomputing it with one GEMM (memory vs one "
           "GEMM)">,
    Option<"packArguments", "pack-arguments", "bool", /*default=*/"false",
           "Run ffn-pack-arguments first: gate/linear weights that are "
           "function arguments become one packed argument each">
  ];
  let dependentDialects = [
    "::mlir::ffn::FFNDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

def FFNPackArguments : Pass<"ffn-pack-arguments"> {
  let summary = "Take each gate/linear weight pair of a function's arguments "
                "as one packed argument";
  let description = [{
    Weights that are function arguments (the
    trained parameters of a train step) become packed parameters: each pair
    of `W`, `V` arguments used only as the gate and linear weights of gated
    layers is replaced by one `[d_model, 2 * d_ff]` argument, and the
    function records how each packed argument maps back to the originals:

    ```mlir
    func.func @step(%x: ..., %wv: tensor<512x2730xf32>, ...) attributes {
      ffn.packed_arguments = [#ffn.packed_argument<argument = 1,
        block_size = 64,
        gate = <index = 1, name = "wi_0", shape = [512, 1365]>,
        linear = <index = 2, name = "wi_1", shape = [512, 1365]>>]}
    ```

    `name` is the original argument's `ffn.name` attribute, or `argN`; the
    ffn dialect verifies the records against the new signature.
    Functions that are called from elsewhere in the module keep their
    signature.

    The block size must be ffn-fuse's (its `pack-arguments` option runs
    this pass's function with its own block size).
  }];
  let options = [
    Option<"blockSize", "block-size", "int64_t", /*default=*/"0",
           "Columns per packed block; 0 chooses by target">,
    Option<"target", "target", "::mlir::ffn::Target",
           /*default=*/"::mlir::ffn::Target::Cpu",
           "The target the block size is chosen for",
           [{GLU_TARGET_CL_VALUES}]>
  ];
  let dependentDialects = ["::mlir::ffn::FFNDialect"];
}

def FFNFoldConstantTransposes : Pass<"ffn-fold-constant-transposes"> {
  let summary = "Transpose constant weights at compile time";
  let description = [{
    Replaces every `linalg.transpose` of a constant (`dense<...>` or the
    `dense_resource<...>` blobs torch-mlir writes for a model's weights) by
    the transposed constant, and folds what then has constant operands
    (the `ffn.pack_gated` ffn-fuse puts on a layer's gate and linear
    weights). Exporters transpose a linear layer's `[out, in]` weight in the
    graph; with constant weights (inference) that work is done once here
    instead of at every call. Weights that are function arguments (a train
    step) are left alone.

    Before:

    ```mlir
    %w = arith.constant dense_resource<torch_tensor_1365_512> : tensor<1365x512xf32>
    %e = tensor.empty() : tensor<512x1365xf32>
    %t = linalg.transpose ins(%w : tensor<1365x512xf32>)
        outs(%e : tensor<512x1365xf32>) permutation = [1, 0]
    ```

    After:

    ```mlir
    %t = arith.constant dense<"0x..."> : tensor<512x1365xf32>
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def FFNBf16Gemms : Pass<"ffn-bf16-gemms"> {
  let summary = "Run f32 layers' GEMMs on bf16 copies of their operands, "
                "accumulating in f32";
  let description = [{
    Mixed precision for a graph that keeps its parameters in f32 (a train
    step whose optimizer updates f32 master weights): every `ffn.ffn`,
    `ffn.glu` and their gradients with f32 operands reads bf16 copies of
    them (`arith.truncf` in a linalg.generic) and its results are widened
    back to f32, so the parameters, the optimizer and everything around
    the layers stay f32 while the layers' GEMMs run on bf16 (tensor cores
    on the GPU, f32 accumulation, as PyTorch's autocast does). With
    `matmuls`, every f32 `linalg.matmul` (attention's projections, the
    output layer) reads bf16 copies too and keeps its f32 accumulator and
    result.

    ```mlir
    %y = ffn.glu swish %x, %w, %v, %w2 : (tensor<8x16xf32>, ...) -> tensor<8x16xf32>
    ```

    becomes

    ```mlir
    %xb = linalg.generic ... arith.truncf ... -> tensor<8x16xbf16>
    ...
    %yb = ffn.glu swish %xb, %wb, %vb, %w2b : (tensor<8x16xbf16>, ...) -> tensor<8x16xbf16>
    %y = linalg.generic ... arith.extf ... -> tensor<8x16xf32>
    ```

    Run it after ffn-raise and before ffn-fuse (glu-compile
    `--bf16-gemms`). Layers and matmuls of other types are left alone.
  }];
  let options = [
    Option<"matmuls", "matmuls", "bool", /*default=*/"true",
           "Also give f32 linalg.matmul ops bf16 operands">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect"
  ];
}

#endif // GLU_PASSES_FUSE_PASSES_TD
