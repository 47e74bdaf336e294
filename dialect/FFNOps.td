//===- FFNOps.td - ffn dialect operations ------------------*- tablegen -*-===//

#ifndef GLU_DIALECT_FFN_OPS_TD
#define GLU_DIALECT_FFN_OPS_TD

include "dialect/FFNAttrs.td"
include "mlir/IR/OpBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

class FFN_Op<string mnemonic, list<Trait> traits = []>
    : Op<FFN_Dialect, mnemonic, traits # [Pure, AttrSizedOperandSegments]> {
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
  code commonExtraClassDeclaration = [{
    /// The name of this layer in the paper's Table 1, e.g. "FFN_SwiGLU".
    ::llvm::StringRef getPaperName();
    /// The model width d_model (the input's last dimension); may be dynamic.
    int64_t getDModel() { return getInput().getType().getShape().back(); }
    /// The hidden width d_ff (the up-projection's columns); may be dynamic.
    int64_t getDFF() { return getW2().getType().getShape().front(); }
    /// The output width (the down-projection's columns); usually d_model.
    int64_t getDOut() { return getW2().getType().getShape().back(); }
    /// The optional bias operands, present or not, in operand order.
    ::llvm::SmallVector<::mlir::MutableOperandRange> getBiasesMutable();
  }];
}

def FFN_FFNOp : FFN_Op<"ffn"> {
  let summary = "ungated feed-forward layer: act(x W1 + b1) W2 + b2";
  let description = [{
    The position-wise feed-forward layer of the original Transformer and of
    T5 (FFN_ReLU, FFN_GELU, FFN_Swish in the paper):

        y = act(x W1 + b1) W2 + b2

    `x` has shape `[..., d_model]` (any number of leading batch dimensions),
    `w1` is `[d_model, d_ff]`, `w2` is `[d_ff, d_out]` and the result is
    `[..., d_out]`. The biases `b1` (`[d_ff]`) and `b2` (`[d_out]`) are
    optional and absent in T5. The activation may be any kind except
    `identity` (an FFN without a nonlinearity is two plain matmuls).

    Example (T5-small's FFN_ReLU):

    ```mlir
    %y = ffn.ffn relu %x, %w1, %w2
        : (tensor<2x128x512xf32>, tensor<512x2048xf32>, tensor<2048x512xf32>)
          -> tensor<2x128x512xf32>
    ```

    With biases:

    ```mlir
    %y = ffn.ffn gelu %x, %w1, %w2 b1(%b1) b2(%b2)
        : (tensor<8x16xf32>, tensor<16x64xf32>, tensor<64x16xf32>,
           tensor<64xf32>, tensor<16xf32>) -> tensor<8x16xf32>
    ```
  }];
  let arguments = (ins
    FFN_ActivationAttr:$activation,
    AnyRankedTensor:$input,
    AnyRankedTensor:$w1,
    AnyRankedTensor:$w2,
    Optional<AnyRankedTensor>:$b1,
    Optional<AnyRankedTensor>:$b2
  );
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    custom<Activation>($activation) $input `,` $w1 `,` $w2
    (`b1` `(` $b1^ `)`)? (`b2` `(` $b2^ `)`)?
    attr-dict `:` functional-type(operands, results)
  }];
  let extraClassDeclaration = commonExtraClassDeclaration;
}

def FFN_GLUOp : FFN_Op<"glu"> {
  let summary = "gated feed-forward layer: (gate(x W + b) * (x V + c)) W2 + b2";
  let description = [{
    The gated linear unit feed-forward layers of "GLU Variants Improve
    Transformer" (FFN_GLU, FFN_Bilinear, FFN_ReGLU, FFN_GEGLU, FFN_SwiGLU):

        y = (gate(x W + b) * (x V + c)) W2 + b2

    `x` has shape `[..., d_model]`, `w` and `v` are both `[d_model, d_ff]`,
    `w2` is `[d_ff, d_out]` and the result is `[..., d_out]`. The gate is
    one of `sigmoid` (GLU), `identity` (Bilinear), `relu` (ReGLU), `gelu` or
    `gelu_tanh` (GEGLU; T5 v1.1 uses the tanh form) and `swish` (SwiGLU).
    The biases `b`, `c` (both `[d_ff]`, the paper's general GLU) and `b2`
    (`[d_out]`) are optional; T5 has none. In Hugging Face's T5, `w` is
    `wi_0`, `v` is `wi_1` and `w2` is `wo` (transposed to `[in, out]`).

    Example (T5 v1.1-small's GEGLU):

    ```mlir
    %y = ffn.glu gelu_tanh %x, %w, %v, %w2
        : (tensor<2x128x512xf32>, tensor<512x1024xf32>, tensor<512x1024xf32>,
           tensor<1024x512xf32>) -> tensor<2x128x512xf32>
    ```

    The paper's general GLU with biases and a steeper swish:

    ```mlir
    %y = ffn.glu swish(beta = 2.0) %x, %w, %v, %w2 b(%b) c(%c)
        : (tensor<8x16xf32>, tensor<16x32xf32>, tensor<16x32xf32>,
           tensor<32x16xf32>, tensor<32xf32>, tensor<32xf32>)
          -> tensor<8x16xf32>
    ```
  }];
  let arguments = (ins
    FFN_ActivationAttr:$activation,
    AnyRankedTensor:$input,
    AnyRankedTensor:$w,
    AnyRankedTensor:$v,
    AnyRankedTensor:$w2,
    Optional<AnyRankedTensor>:$b,
    Optional<AnyRankedTensor>:$c,
    Optional<AnyRankedTensor>:$b2
  );
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    custom<Activation>($activation) $input `,` $w `,` $v `,` $w2
    (`b` `(` $b^ `)`)? (`c` `(` $c^ `)`)? (`b2` `(` $b2^ `)`)?
    attr-dict `:` functional-type(operands, results)
  }];
  let extraClassDeclaration = commonExtraClassDeclaration;
}

#endif // GLU_DIALECT_FFN_OPS_TD
