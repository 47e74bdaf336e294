//===- FFNDialect.td - the ffn dialect definition ----------*- tablegen -*-===//
//
// The ffn dialect names the feed-forward layers of the GLU family
// (Shazeer 2020, "GLU Variants Improve Transformer").
//
//===----------------------------------------------------------------------===//

#ifndef GLU_DIALECT_FFN_DIALECT_TD
#define GLU_DIALECT_FFN_DIALECT_TD

include "mlir/IR/OpBase.td"

def FFN_Dialect : Dialect {
  let name = "ffn";
  let cppNamespace = "::mlir::ffn";
  let summary = "Transformer feed-forward layers of the GLU family";
  let description = [{
    The `ffn` dialect represents a whole Transformer feed-forward layer as one
    op, so that passes can reason about the layer (fuse its projections, pack
    its weights, derive its gradient) instead of rediscovering it in a sea of
    matmuls and elementwise ops.

    It covers the eight variants of "GLU Variants Improve Transformer":

    | paper name   | op                                       |
    |--------------|------------------------------------------|
    | FFN_ReLU     | `ffn.ffn relu %x, %w1, %w2`              |
    | FFN_GELU     | `ffn.ffn gelu %x, %w1, %w2`              |
    | FFN_Swish    | `ffn.ffn swish %x, %w1, %w2`             |
    | FFN_GLU      | `ffn.glu sigmoid %x, %w, %v, %w2`        |
    | FFN_Bilinear | `ffn.glu identity %x, %w, %v, %w2`       |
    | FFN_ReGLU    | `ffn.glu relu %x, %w, %v, %w2`           |
    | FFN_GEGLU    | `ffn.glu gelu %x, %w, %v, %w2`           |
    | FFN_SwiGLU   | `ffn.glu swish %x, %w, %v, %w2`          |

    Weights are stored in the mathematical `x W` layout, `[in, out]`;
    importers of PyTorch `nn.Linear` weights (`[out, in]`) transpose them.
    The semantics of every op is defined by the `convert-ffn-to-linalg` pass.
  }];
  let useDefaultAttributePrinterParser = 1;
  let hasConstantMaterializer = 1;
  // Checks `ffn.packed_arguments` (an array of #ffn.packed_argument) on the
  // functions ffn-fuse pack-arguments=true rewrote.
  let hasOperationAttrVerify = 1;
  let dependentDialects = [
    "::mlir::affine::AffineDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::tensor::TensorDialect"
  ];
  let extraClassDeclaration = [{
    /// Registers the dialect's attributes (defined in FFNAttrs.cpp).
    void registerAttributes();
  }];
}

#endif // GLU_DIALECT_FFN_DIALECT_TD
