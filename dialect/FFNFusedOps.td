//===- FFNFusedOps.td - packed weights and fused GEMMs -----*- tablegen -*-===//
//
// The ops ffn-fuse rewrites layers into: packing of the gate and linear
// weights into interleaved column blocks, and GEMMs whose epilogue applies
// the activation (ungated) or the gating product (gated) inside the tile.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_DIALECT_FFN_FUSED_OPS_TD
#define GLU_DIALECT_FFN_FUSED_OPS_TD

include "dialect/FFNAttrs.td"
include "mlir/IR/OpBase.td"
include "mlir/Interfaces/DestinationStyleOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/TilingInterface.td"

def FFN_BlockSize : ConfinedAttr<I64Attr, [IntPositive]>;

//===----------------------------------------------------------------------===//
// Packing
//===----------------------------------------------------------------------===//

def FFN_PackGatedOp : Op<FFN_Dialect, "pack_gated", [Pure]> {
  let summary = "interleave gate and linear columns in blocks";
  let description = [{
    Packs the gate weight `W` and the linear weight `V` of a gated layer
    (both `[..., d_ff]`: `[d_model, d_ff]` matrices or `[d_ff]` biases) into
    one `[..., 2 * d_ff]` tensor whose last dimension interleaves column
    blocks of `block_size`:

        W[:, 0:B] | V[:, 0:B] | W[:, B:2B] | V[:, B:2B] | ... | W[:, jB:] | V[:, jB:]

    The last block holds the `r = d_ff mod B` remaining columns of each (no
    padding), so every block of the packed tensor holds matching gate and
    linear columns, and one GEMM against it computes `[a | b]` tile by tile.
    Packing constants folds at compile time, and so does packing the two
    results of an `ffn.unpack_gated` of the same block size.

    Example:

    ```mlir
    %p = ffn.pack_gated %w, %v block_size(64)
        : tensor<512x1365xf32>, tensor<512x1365xf32> -> tensor<512x2730xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$gate, AnyRankedTensor:$linear,
                       FFN_BlockSize:$block_size);
  let results = (outs AnyRankedTensor:$packed);
  let assemblyFormat = [{
    $gate `,` $linear `block_size` `(` $block_size `)` attr-dict `:`
    type($gate) `,` type($linear) `->` type($packed)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def FFN_UnpackGatedOp : Op<FFN_Dialect, "unpack_gated", [Pure]> {
  let summary = "split interleaved column blocks back into gate and linear";
  let description = [{
    The inverse of `ffn.pack_gated`: splits a `[..., 2 * d_ff]` tensor
    packed in column blocks of `block_size` into the gate and linear
    `[..., d_ff]` tensors. Used where packed values leave the fused world
    (gradients returned unpacked, checkpoint export). Folds constants and
    `unpack_gated(pack_gated(w, v))`.

    Example:

    ```mlir
    %dw, %dv = ffn.unpack_gated %dwv block_size(64)
        : tensor<512x2730xf32> -> tensor<512x1365xf32>, tensor<512x1365xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$packed, FFN_BlockSize:$block_size);
  let results = (outs AnyRankedTensor:$gate, AnyRankedTensor:$linear);
  let assemblyFormat = [{
    $packed `block_size` `(` $block_size `)` attr-dict `:` type($packed)
    `->` type($gate) `,` type($linear)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Fused GEMMs
//===----------------------------------------------------------------------===//

class FFN_FusedMatmulOp<string mnemonic, list<Trait> traits = []>
    : Op<FFN_Dialect, mnemonic, traits # [
        Pure, AttrSizedOperandSegments,
        DeclareOpInterfaceMethods<DestinationStyleOpInterface>,
        DeclareOpInterfaceMethods<TilingInterface, [
            "getIterationDomain", "getLoopIteratorTypes",
            "getTiledImplementation", "getResultTilePosition",
            "generateResultTileValue"]>]> {
  let results = (outs AnyRankedTensor:$result,
                      Optional<AnyRankedTensor>:$preactivations);
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// Whether the op also returns the pre-activations it gates (or
    /// activates), for a backward pass to read.
    bool keepsPreactivations() { return getPreactivationsInit() != nullptr; }
  }];
}

def FFN_GatedMatmulOp : FFN_FusedMatmulOp<"gated_matmul"> {
  let summary = "one GEMM over packed weights with the gating epilogue";
  let description = [{
    Computes `h = gate(x W + b) * (x V + c)` for `x` of shape `[M, d_model]`
    from the packed weight `[d_model, 2 * d_ff]` (and optional packed bias
    `[2 * d_ff]`) of `ffn.pack_gated` with the same `block_size`: each
    output tile needs only the matching packed columns, so the GEMM computes
    `[a | b]` for the tile and the epilogue combines them in registers;
    only the `[M, d_ff]` result is written.

    Destination-passing style: `init` (`[M, d_ff]`) is the result's
    destination. The op implements TilingInterface over its `M x d_ff`
    output; tile sizes along `d_ff` must be multiples of `block_size` (or
    reach the end), so that a tile's packed columns are contiguous.

    With a second destination `preactivations(...)` (`[M, 2 * d_ff]`), the
    op also returns the packed pre-activations `[a | b] = x [W | V] + [b | c]`
    it gates, in the same interleaved blocks: a training step's forward
    keeps them for the backward (`ffn.dgate_matmul`) instead of computing
    the same product again. ffn-fuse makes that choice
    (`keep-activations`); the back ends store the accumulators they already
    hold, so the product is computed once.

    Example:

    ```mlir
    %h = ffn.gated_matmul swish block_size(64)
        ins(%x, %packed : tensor<256x512xf32>, tensor<512x2730xf32>)
        outs(%init : tensor<256x1365xf32>) -> tensor<256x1365xf32>
    %h2, %ab = ffn.gated_matmul swish block_size(64)
        ins(%x, %packed : tensor<256x512xf32>, tensor<512x2730xf32>)
        outs(%init : tensor<256x1365xf32>)
        preactivations(%ab_init : tensor<256x2730xf32>)
        -> tensor<256x1365xf32>, tensor<256x2730xf32>
    ```
  }];
  let arguments = (ins FFN_ActivationAttr:$activation, FFN_BlockSize:$block_size,
                       AnyRankedTensor:$input, AnyRankedTensor:$packed_weight,
                       Optional<AnyRankedTensor>:$packed_bias,
                       AnyRankedTensor:$init,
                       Optional<AnyRankedTensor>:$preactivations_init);
  let assemblyFormat = [{
    custom<Activation>($activation) `block_size` `(` $block_size `)`
    `ins` `(` $input `,` $packed_weight (`,` $packed_bias^)? `:`
      type($input) `,` type($packed_weight) (`,` type($packed_bias)^)? `)`
    `outs` `(` $init `:` type($init) `)`
    (`preactivations` `(` $preactivations_init^ `:`
      type($preactivations_init) `)`)?
    attr-dict `->` type(results)
  }];
  let builders = [
    OpBuilder<(ins "::mlir::Type":$result,
                   "::mlir::ffn::ActivationAttr":$activation,
                   "int64_t":$blockSize, "::mlir::Value":$input,
                   "::mlir::Value":$packedWeight, "::mlir::Value":$packedBias,
                   "::mlir::Value":$init), [{
      build($_builder, $_state, result, /*preactivations=*/::mlir::Type(),
            activation, blockSize, input, packedWeight, packedBias, init,
            /*preactivationsInit=*/::mlir::Value());
    }]>
  ];
}

def FFN_ActivatedMatmulOp : FFN_FusedMatmulOp<"activated_matmul"> {
  let summary = "a GEMM with an activation epilogue";
  let description = [{
    Computes `h = act(x W + b)` for `x` of shape `[M, d_model]`, `W` of shape
    `[d_model, d_ff]` and an optional bias `[d_ff]`, applying the activation
    to each tile of the GEMM's result in registers: the ungated layers'
    first half. Destination-passing style with `init` (`[M, d_ff]`); tileable
    over the output. With a second destination `preactivations(...)`
    (`[M, d_ff]`) it also returns `a = x W + b`, for a backward
    (`ffn.dactivation_matmul`) to read instead of recomputing it.

    Example:

    ```mlir
    %h = ffn.activated_matmul gelu
        ins(%x, %w1 : tensor<256x512xf32>, tensor<512x2048xf32>)
        outs(%init : tensor<256x2048xf32>) -> tensor<256x2048xf32>
    ```
  }];
  let arguments = (ins FFN_ActivationAttr:$activation,
                       AnyRankedTensor:$input, AnyRankedTensor:$weight,
                       Optional<AnyRankedTensor>:$bias,
                       AnyRankedTensor:$init,
                       Optional<AnyRankedTensor>:$preactivations_init);
  let assemblyFormat = [{
    custom<Activation>($activation)
    `ins` `(` $input `,` $weight (`,` $bias^)? `:`
      type($input) `,` type($weight) (`,` type($bias)^)? `)`
    `outs` `(` $init `:` type($init) `)`
    (`preactivations` `(` $preactivations_init^ `:`
      type($preactivations_init) `)`)?
    attr-dict `->` type(results)
  }];
  let builders = [
    OpBuilder<(ins "::mlir::Type":$result,
                   "::mlir::ffn::ActivationAttr":$activation,
                   "::mlir::Value":$input, "::mlir::Value":$weight,
                   "::mlir::Value":$bias, "::mlir::Value":$init), [{
      build($_builder, $_state, result, /*preactivations=*/::mlir::Type(),
            activation, input, weight, bias, init,
            /*preactivationsInit=*/::mlir::Value());
    }]>
  ];
}

//===----------------------------------------------------------------------===//
// Backward
//===----------------------------------------------------------------------===//

def FFN_ApplyGateOp : Op<FFN_Dialect, "apply_gate", [Pure]> {
  let summary = "the gating epilogue on packed pre-activations";
  let description = [{
    Given packed pre-activations `[a | b]` (`[M, 2 * d_ff]`, interleaved in
    blocks of `block_size` like `ffn.pack_gated`), returns
    `h = gate(a) * b` (`[M, d_ff]`): the epilogue of `ffn.gated_matmul`
    alone, for `[a | b]` that comes from elsewhere (a checkpoint, another
    compiler). ffn-fuse itself does not need it: its fused GEMM returns both
    `h` and the pre-activations it gates.

    Example:

    ```mlir
    %h = ffn.apply_gate swish block_size(64) %ab
        : tensor<256x2730xf32> -> tensor<256x1365xf32>
    ```
  }];
  let arguments = (ins FFN_ActivationAttr:$activation,
                       FFN_BlockSize:$block_size, AnyRankedTensor:$packed);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    custom<Activation>($activation) `block_size` `(` $block_size `)` $packed
    attr-dict `:` type($packed) `->` type($result)
  }];
  let hasVerifier = 1;
}

class FFN_BackwardMatmulOp<string mnemonic>
    : Op<FFN_Dialect, mnemonic, [Pure, DestinationStyleOpInterface,
        DeclareOpInterfaceMethods<TilingInterface, [
            "getIterationDomain", "getLoopIteratorTypes",
            "getTiledImplementation", "getResultTilePosition",
            "generateResultTileValue"]>]> {
  let results = (outs AnyRankedTensor:$result);
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    ::mlir::MutableOperandRange getDpsInitsMutable() { return getInitMutable(); }
  }];
}

def FFN_DGateMatmulOp : FFN_BackwardMatmulOp<"dgate_matmul"> {
  let summary = "the hidden gradient GEMM with the dgate epilogue";
  let description = [{
    The first GEMM of a gated layer's backward pass with its epilogue:
    `dh = dy W2^T` for `dy` `[M, d_out]` and `W2` `[d_ff, d_out]`, then,
    from the packed pre-activations `[a | b]` (`[M, 2 * d_ff]`), the packed
    gradients

        da = dh * b * gate'(a),    db = dh * gate(a)

    written as `[da | db]` (`[M, 2 * d_ff]`) in the same interleaved blocks,
    so that ONE GEMM against the packed weights gives `dx` and ONE GEMM with
    `x` gives the packed weight gradient. Like `ffn.gated_matmul` it tiles
    over rows x packed blocks: a tile of blocks reads the matching rows of
    `W2` and packed columns of `[a | b]` and writes those of `[da | db]`.

    Example:

    ```mlir
    %dab = ffn.dgate_matmul swish block_size(64)
        ins(%dy, %w2, %ab : tensor<256x512xf32>, tensor<1365x512xf32>,
                            tensor<256x2730xf32>)
        outs(%init : tensor<256x2730xf32>) -> tensor<256x2730xf32>
    ```
  }];
  let arguments = (ins FFN_ActivationAttr:$activation,
                       FFN_BlockSize:$block_size,
                       AnyRankedTensor:$output_grad, AnyRankedTensor:$w2,
                       AnyRankedTensor:$packed_preactivations,
                       AnyRankedTensor:$init);
  let assemblyFormat = [{
    custom<Activation>($activation) `block_size` `(` $block_size `)`
    `ins` `(` $output_grad `,` $w2 `,` $packed_preactivations `:`
      type($output_grad) `,` type($w2) `,` type($packed_preactivations) `)`
    `outs` `(` $init `:` type($init) `)` attr-dict `->` type($result)
  }];
}

def FFN_DActivationMatmulOp : FFN_BackwardMatmulOp<"dactivation_matmul"> {
  let summary = "the hidden gradient GEMM with the activation-derivative "
                "epilogue";
  let description = [{
    The first GEMM of an ungated layer's backward pass with its epilogue:
    `dh = dy W2^T` for `dy` `[M, d_out]` and `W2` `[d_ff, d_out]`, then
    `da = dh * act'(a)` from the pre-activations `a` (`[M, d_ff]`). It tiles
    over its `[M, d_ff]` output.

    Example:

    ```mlir
    %da = ffn.dactivation_matmul gelu
        ins(%dy, %w2, %a : tensor<256x512xf32>, tensor<2048x512xf32>,
                           tensor<256x2048xf32>)
        outs(%init : tensor<256x2048xf32>) -> tensor<256x2048xf32>
    ```
  }];
  let arguments = (ins FFN_ActivationAttr:$activation,
                       AnyRankedTensor:$output_grad, AnyRankedTensor:$w2,
                       AnyRankedTensor:$preactivations,
                       AnyRankedTensor:$init);
  let assemblyFormat = [{
    custom<Activation>($activation)
    `ins` `(` $output_grad `,` $w2 `,` $preactivations `:`
      type($output_grad) `,` type($w2) `,` type($preactivations) `)`
    `outs` `(` $init `:` type($init) `)` attr-dict `->` type($result)
  }];
}

#endif // GLU_DIALECT_FFN_FUSED_OPS_TD
