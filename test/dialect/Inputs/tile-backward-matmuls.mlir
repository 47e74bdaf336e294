// The transform script of backward-matmul-tiling.mlir, preloaded as a
// library so that the payload lowers to LLVM without it.
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %dgate = transform.structured.match ops{["ffn.dgate_matmul"]} attributes {tile} in %root : (!transform.any_op) -> !transform.any_op
    %t1, %l1 = transform.structured.tile_using_for %dgate tile_sizes [0, 1] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    %dact = transform.structured.match ops{["ffn.dactivation_matmul"]} attributes {tile} in %root : (!transform.any_op) -> !transform.any_op
    %t2, %l2 = transform.structured.tile_using_for %dact tile_sizes [0, 2] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}
