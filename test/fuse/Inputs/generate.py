#!/usr/bin/env python3
"""Writes the inputs of the test/fuse lit tests: one file per activation
form, ffn-<variant>[-<form>].mlir, each a -split-input-file list of cases
(chunks separated by `// -----`), each case one `func.func @layer` with one
ffn.glu (gated) or ffn.ffn (ungated) layer. The chunk numbers are the same
in every file (the tests' --chunk):

  gated (ffn.glu)                           ungated (ffn.ffn)
  0  x 1x8,    d_ff 5,    b, c, b2          x 1x8,    d_ff 5,    b1, b2
  1  x 3x16,   d_ff 130,  no biases         x 3x16,   d_ff 130,  no biases
  2  x 64x8,   d_ff 130,  b only            x 64x8,   d_ff 130,  b1 only
  3  x 2x3x8,  d_ff 130,  c, b2; d_out 5    x 2x3x8,  d_ff 130,  b2; d_out 5
  4  x 3x4,    d_ff 2048, b, c, b2          x 3x4,    d_ff 2048, b1, b2
  5  x 2x3x8,  d_ff 5,    b, c, b2 constant x 2x3x8,  d_ff 5,    b1, b2 constant
  6  x 2x3x8,  d_ff 130,  b, c constant     (ffn-geglu-tanh, ffn-swiglu only)

Only x is an argument of a constant case: the weights and biases are
`arith.constant`s inside @layer (seeded random values with four
significant digits), so ffn-fuse packs them at compile time. Every other
operand is an argument, for which the harness draws random inputs.

Run from this folder after changing the list of cases:

    python3 generate.py
"""

import numpy as np

# (file stem, op, activation as written, whether chunk 6 is written)
FORMS = [
    ("ffn-relu", "ffn", "relu", False),
    ("ffn-gelu", "ffn", "gelu", False),
    ("ffn-gelu-tanh", "ffn", "gelu_tanh", False),
    ("ffn-swish", "ffn", "swish", False),
    ("ffn-swish-beta2", "ffn", "swish(beta = 2.0)", False),
    ("ffn-glu", "glu", "sigmoid", False),
    ("ffn-bilinear", "glu", "identity", False),
    ("ffn-reglu", "glu", "relu", False),
    ("ffn-geglu", "glu", "gelu", False),
    ("ffn-geglu-tanh", "glu", "gelu_tanh", True),
    ("ffn-swiglu", "glu", "swish", True),
    ("ffn-swiglu-beta2", "glu", "swish(beta = 2.0)", False),
]

# (x shape, d_ff, d_out, gated biases, ungated biases, constant)
CASES = [
    ([1, 8], 5, 8, ["b", "c", "b2"], ["b1", "b2"], False),
    ([3, 16], 130, 16, [], [], False),
    ([64, 8], 130, 8, ["b"], ["b1"], False),
    ([2, 3, 8], 130, 5, ["c", "b2"], ["b2"], False),
    ([3, 4], 2048, 4, ["b", "c", "b2"], ["b1", "b2"], False),
    ([2, 3, 8], 5, 8, ["b", "c", "b2"], ["b1", "b2"], True),
]
BIG_CONSTANT = ([2, 3, 8], 130, 8, ["b", "c"], None, True)


def tensor_type(dims):
    return "tensor<" + "".join("%dx" % d for d in dims) + "f32>"


def dense(array):
    if array.ndim == 1:
        return "[" + ", ".join("%.3e" % v for v in array) + "]"
    return "[" + ", ".join(dense(row) for row in array) + "]"


def case(op, activation, xshape, d_ff, d_out, biases, constant, seed):
    d_model = xshape[-1]
    gated = op == "glu"
    if gated:
        weights = [("w", [d_model, d_ff]), ("v", [d_model, d_ff]),
                   ("w2", [d_ff, d_out])]
        bias_shapes = {"b": [d_ff], "c": [d_ff], "b2": [d_out]}
    else:
        weights = [("w1", [d_model, d_ff]), ("w2", [d_ff, d_out])]
        bias_shapes = {"b1": [d_ff], "b2": [d_out]}
    order = [name for name in bias_shapes if name in biases]
    operands = weights + [(name, bias_shapes[name]) for name in order]
    yshape = list(xshape[:-1]) + [d_out]
    arguments = [("x", list(xshape))] + ([] if constant else operands)

    what = "x %s, d_ff %d, d_out %d, %s" % (
        "x".join(map(str, xshape)), d_ff, d_out,
        "biases " + ", ".join(order) if order else "no biases")
    if constant:
        what += "; weights and biases constant"
    lines = ["// ffn.%s %s: %s" % (op, activation, what),
             "func.func @layer(%s) -> %s {" % (
                 ", ".join("%%%s: %s" % (n, tensor_type(s))
                           for n, s in arguments), tensor_type(yshape))]
    if constant:
        rng = np.random.default_rng(seed)
        for name, shape in operands:
            values = (rng.standard_normal(shape) * 0.5).astype(np.float32)
            lines.append("  %%%s = arith.constant dense<%s> : %s"
                         % (name, dense(values), tensor_type(shape)))
    lines.append("  %%y = ffn.%s %s %%x, %s%s : (%s) -> %s" % (
        op, activation, ", ".join("%" + n for n, _ in weights),
        "".join(" %s(%%%s)" % (n, n) for n in order),
        ", ".join(tensor_type(s) for _, s in [("x", xshape)] + operands),
        tensor_type(yshape)))
    lines.append("  return %%y : %s" % tensor_type(yshape))
    lines.append("}")
    return "\n".join(lines) + "\n"


def main():
    for stem, op, activation, big in FORMS:
        gated = op == "glu"
        chunks = []
        for k, (xshape, d_ff, d_out, gb, ub, constant) in enumerate(CASES):
            chunks.append(case(op, activation, xshape, d_ff, d_out,
                               gb if gated else ub, constant, seed=k))
        if big:
            xshape, d_ff, d_out, gb, _, constant = BIG_CONSTANT
            chunks.append(case(op, activation, xshape, d_ff, d_out, gb,
                               constant, seed=len(CASES)))
        header = ("// Cases of the test/fuse lit tests for ffn.%s %s, one "
                  "per chunk.\n// Generated by generate.py in this folder; "
                  "edit that, not this.\n\n" % (op, activation))
        with open(stem + ".mlir", "w") as f:
            f.write(header + "\n// -----\n\n".join(chunks))


if __name__ == "__main__":
    main()
