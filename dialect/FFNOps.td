//===- FFNOps.td - ffn dialect operations ------------------*- tablegen -*-===//

#ifndef GLU_DIALECT_FFN_OPS_TD
#define GLU_DIALECT_FFN_OPS_TD

include "dialect/FFNAttrs.td"
include "mlir/IR/OpAsmInterface.td"
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

//===----------------------------------------------------------------------===//
// Gradients
//===----------------------------------------------------------------------===//

class FFN_GradOp<string mnemonic>
    : Op<FFN_Dialect, mnemonic,
         [Pure, AttrSizedOperandSegments,
          DeclareOpInterfaceMethods<OpAsmOpInterface, ["getAsmResultNames"]>]> {
  let hasVerifier = 1;
  let results = (outs Variadic<AnyRankedTensor>:$gradients);
  code commonGradExtraClassDeclaration = [{
    /// The name of the forward layer in the paper's Table 1.
    ::llvm::StringRef getPaperName();
    /// The model width d_model (the input's last dimension); may be dynamic.
    int64_t getDModel() { return getInput().getType().getShape().back(); }
    /// The hidden width d_ff (the up-projection's columns); may be dynamic.
    int64_t getDFF() { return getW2().getType().getShape().front(); }
    /// The output width (the down-projection's columns); usually d_model.
    int64_t getDOut() { return getW2().getType().getShape().back(); }
    /// The operands the results are the gradients of, in result order:
    /// every operand but dy, absent biases skipped.
    ::llvm::SmallVector<::mlir::Value> getDifferentiatedOperands();
  }];
}

def FFN_FFNGradOp : FFN_GradOp<"ffn_grad"> {
  let summary = "gradient of an ungated feed-forward layer";
  let description = [{
    The backward pass of `ffn.ffn`: given the forward's operands and `dy`,
    the gradient of a scalar loss with respect to the layer's output (the
    shape of the forward result, `[..., d_out]`), returns the gradients of
    that loss with respect to `x`, `w1`, `w2` and each bias that is present,
    in operand order. For the loss `L = sum(y * dy)`, with `a = x W1 + b1`:

        dh  = dy W2^T           dW2 = h^T dy       db2 = sum_rows(dy)
        da  = dh * act'(a)      dW1 = x^T da       db1 = sum_rows(da)
        dx  = da W1^T                              (h = act(a))

    where the leading batch dimensions of `x` and `dy` are summed over in
    `dW1`, `dW2`, `db1` and `db2`. Each gradient has its operand's type, so
    the op has 3 results, plus one per bias. The activation's derivative at
    a kink (relu at 0) is 0. The activation and the operand constraints are
    those of `ffn.ffn`.

    Example (T5-small's FFN_ReLU):

    ```mlir
    %dx, %dw1, %dw2 = ffn.ffn_grad relu %x, %w1, %w2, %dy
        : (tensor<2x128x512xf32>, tensor<512x2048xf32>, tensor<2048x512xf32>,
           tensor<2x128x512xf32>)
          -> (tensor<2x128x512xf32>, tensor<512x2048xf32>, tensor<2048x512xf32>)
    ```

    With biases:

    ```mlir
    %dx, %dw1, %dw2, %db1, %db2 = ffn.ffn_grad gelu %x, %w1, %w2, %dy b1(%b1) b2(%b2)
        : (tensor<8x16xf32>, tensor<16x64xf32>, tensor<64x16xf32>,
           tensor<8x16xf32>, tensor<64xf32>, tensor<16xf32>)
          -> (tensor<8x16xf32>, tensor<16x64xf32>, tensor<64x16xf32>,
              tensor<64xf32>, tensor<16xf32>)
    ```
  }];
  let arguments = (ins
    FFN_ActivationAttr:$activation,
    AnyRankedTensor:$input,
    AnyRankedTensor:$w1,
    AnyRankedTensor:$w2,
    AnyRankedTensor:$dy,
    Optional<AnyRankedTensor>:$b1,
    Optional<AnyRankedTensor>:$b2
  );
  let assemblyFormat = [{
    custom<Activation>($activation) $input `,` $w1 `,` $w2 `,` $dy
    (`b1` `(` $b1^ `)`)? (`b2` `(` $b2^ `)`)?
    attr-dict `:` functional-type(operands, results)
  }];
  let builders = [
    // Result types are the operands' types.
    OpBuilder<(ins "ActivationAttr":$activation, "Value":$input, "Value":$w1,
                   "Value":$w2, "Value":$dy, "Value":$b1, "Value":$b2)>
  ];
  let extraClassDeclaration = commonGradExtraClassDeclaration # [{
    /// The gradients, by operand; the bias gradients are null when the bias
    /// is absent.
    ::mlir::Value getInputGrad() { return getGradients()[0]; }
    ::mlir::Value getW1Grad() { return getGradients()[1]; }
    ::mlir::Value getW2Grad() { return getGradients()[2]; }
    ::mlir::Value getB1Grad();
    ::mlir::Value getB2Grad();
  }];
}

def FFN_GLUGradOp : FFN_GradOp<"glu_grad"> {
  let summary = "gradient of a gated feed-forward layer";
  let description = [{
    The backward pass of `ffn.glu`: given the forward's operands and `dy`,
    the gradient of a scalar loss with respect to the layer's output (the
    shape of the forward result, `[..., d_out]`), returns the gradients of
    that loss with respect to `x`, `w`, `v`, `w2` and each bias that is
    present, in operand order. For the loss `L = sum(y * dy)`, with
    `a = x W + b`, `l = x V + c` and `h = gate(a) * l`:

        dh  = dy W2^T                   dW2 = h^T dy     db2 = sum_rows(dy)
        da  = dh * l * gate'(a)         dW  = x^T da     db  = sum_rows(da)
        dl  = dh * gate(a)              dV  = x^T dl     dc  = sum_rows(dl)
        dx  = da W^T + dl V^T

    where the leading batch dimensions of `x` and `dy` are summed over in
    the weight and bias gradients. Each gradient has its operand's type, so
    the op has 4 results, plus one per bias. The gate's derivative at a kink
    (relu at 0) is 0. The gate and the operand constraints are those of
    `ffn.glu`.

    Example (T5 v1.1-small's GEGLU):

    ```mlir
    %dx, %dw, %dv, %dw2 = ffn.glu_grad gelu_tanh %x, %w, %v, %w2, %dy
        : (tensor<2x128x512xf32>, tensor<512x1024xf32>, tensor<512x1024xf32>,
           tensor<1024x512xf32>, tensor<2x128x512xf32>)
          -> (tensor<2x128x512xf32>, tensor<512x1024xf32>,
              tensor<512x1024xf32>, tensor<1024x512xf32>)
    ```

    The paper's general GLU with biases and a steeper swish:

    ```mlir
    %dx, %dw, %dv, %dw2, %db, %dc = ffn.glu_grad swish(beta = 2.0)
        %x, %w, %v, %w2, %dy b(%b) c(%c)
        : (tensor<8x16xf32>, tensor<16x32xf32>, tensor<16x32xf32>,
           tensor<32x16xf32>, tensor<8x16xf32>, tensor<32xf32>, tensor<32xf32>)
          -> (tensor<8x16xf32>, tensor<16x32xf32>, tensor<16x32xf32>,
              tensor<32x16xf32>, tensor<32xf32>, tensor<32xf32>)
    ```
  }];
  let arguments = (ins
    FFN_ActivationAttr:$activation,
    AnyRankedTensor:$input,
    AnyRankedTensor:$w,
    AnyRankedTensor:$v,
    AnyRankedTensor:$w2,
    AnyRankedTensor:$dy,
    Optional<AnyRankedTensor>:$b,
    Optional<AnyRankedTensor>:$c,
    Optional<AnyRankedTensor>:$b2
  );
  let assemblyFormat = [{
    custom<Activation>($activation) $input `,` $w `,` $v `,` $w2 `,` $dy
    (`b` `(` $b^ `)`)? (`c` `(` $c^ `)`)? (`b2` `(` $b2^ `)`)?
    attr-dict `:` functional-type(operands, results)
  }];
  let builders = [
    // Result types are the operands' types.
    OpBuilder<(ins "ActivationAttr":$activation, "Value":$input, "Value":$w,
                   "Value":$v, "Value":$w2, "Value":$dy, "Value":$b,
                   "Value":$c, "Value":$b2)>
  ];
  let extraClassDeclaration = commonGradExtraClassDeclaration # [{
    /// The gradients, by operand; the bias gradients are null when the bias
    /// is absent.
    ::mlir::Value getInputGrad() { return getGradients()[0]; }
    ::mlir::Value getWGrad() { return getGradients()[1]; }
    ::mlir::Value getVGrad() { return getGradients()[2]; }
    ::mlir::Value getW2Grad() { return getGradients()[3]; }
    ::mlir::Value getBGrad();
    ::mlir::Value getCGrad();
    ::mlir::Value getB2Grad();
  }];
}

#endif // GLU_DIALECT_FFN_OPS_TD
