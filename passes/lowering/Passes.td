//===- Passes.td - GluLowering passes ----------------------*- tablegen -*-===//
//
// The reference semantics of the ffn ops.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_PASSES_LOWERING_PASSES_TD
#define GLU_PASSES_LOWERING_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertFFNToLinalg : Pass<"convert-ffn-to-linalg"> {
  let summary = "Lower ffn ops to their reference semantics in linalg";
  let description = [{
    Defines what every ffn op means: each `ffn.ffn` and `ffn.glu` becomes
    linalg on tensors, one `linalg.matmul` per projection and one
    `linalg.generic` with `arith`/`math` for the biases, the activation and
    the gating product. Leading batch dimensions are collapsed to one row
    dimension around the matmuls and expanded again afterwards. Dynamic
    dimensions are supported. Every fused or generated path of glu is tested
    against the output of this pass.

    Before:

    ```mlir
    %y = ffn.glu swish %x, %w, %v, %w2
        : (tensor<8x16xf32>, tensor<16x32xf32>, tensor<16x32xf32>,
           tensor<32x16xf32>) -> tensor<8x16xf32>
    ```

    After (abridged):

    ```mlir
    %a = linalg.matmul ins(%x, %w : ...) outs(%zero_8x32 : tensor<8x32xf32>)
    %b = linalg.matmul ins(%x, %v : ...) outs(%zero_8x32 : tensor<8x32xf32>)
    %h = linalg.generic {iterator_types = ["parallel", "parallel"]}
        ins(%a, %b : ...) outs(%empty : tensor<8x32xf32>) {
      // swish(a) * b with arith.negf, math.exp, arith.addf, arith.divf,
      // arith.mulf
    }
    %y = linalg.matmul ins(%h, %w2 : ...) outs(%zero_8x16 : tensor<8x16xf32>)
    ```

    The gradient ops are defined the same way: `ffn.glu_grad` and
    `ffn.ffn_grad` recompute the forward pieces, then `dh = dy W2^T`, the
    dgate (or activation-derivative) generic, matmuls that read their
    transposed operand through `indexing_maps`, and column sums for the bias
    gradients. The fused ops (`ffn.pack_gated`, `ffn.unpack_gated`,
    `ffn.gated_matmul`, `ffn.activated_matmul`, `ffn.apply_gate`,
    `ffn.dgate_matmul`, `ffn.dactivation_matmul`) lower to one matmul and
    their epilogue generic, block by block of the packed layout.

    The pass fails, naming the op, if an ffn op cannot be lowered.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

#endif // GLU_PASSES_LOWERING_PASSES_TD
