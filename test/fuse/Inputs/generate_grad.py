#!/usr/bin/env python3
"""Writes the inputs of the test/fuse gradient tests (ffn-grad-*.test):

  ffn-grad-<variant>[-<form>].mlir    for all twelve activation forms
  ffn-train-<variant>[-<form>].mlir   for the seven gated forms

each a -split-input-file list of cases (chunks separated by `// -----`),
each case one `func.func @layer` whose arguments are all operands (the
harness draws random values for them) and whose results are all the
gradients of the layer. The chunk numbers are the same in every file (the
tests' --chunk).

ffn-grad-*: one ffn.glu_grad (gated) or ffn.ffn_grad (ungated) with dy an
argument, returning dx, the weight gradients and the bias gradients of the
biases present:

  gated (ffn.glu_grad)                      ungated (ffn.ffn_grad)
  0  x 1x8,    d_ff 5,    b, c, b2          x 1x8,    d_ff 5,    b1, b2
  1  x 3x16,   d_ff 130,  no biases         x 3x16,   d_ff 130,  no biases
  2  x 3x8,    d_ff 130,  b only            x 3x8,    d_ff 130,  b1 only
  3  x 2x3x8,  d_ff 130,  c only; d_out 5   x 2x3x8,  d_ff 130,  b2 only; d_out 5
  4  x 2x3x8,  d_ff 5,    b2 only           x 2x3x8,  d_ff 5,    b1, b2
  5  x 3x4,    d_ff 2048, b, c, b2          x 3x4,    d_ff 2048, b1, b2

ffn-train-*: a train step, the forward ffn.glu and its ffn.glu_grad with
the same operands in one block, returning y and every gradient:

  0  x 3x16,   d_ff 130,  no biases;       dy an argument
  1  x 2x3x8,  d_ff 130,  b, c, b2; d_out 5; dy = y - target (linalg.sub)

Run from this folder after changing the list of cases:

    python3 generate_grad.py
"""

import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from generate import tensor_type  # noqa: E402 (generate.py, this folder)

# (file stem suffix, op, activation as written); the gated ones also get a
# train-step file.
FORMS = [
    ("relu", "ffn", "relu"),
    ("gelu", "ffn", "gelu"),
    ("gelu-tanh", "ffn", "gelu_tanh"),
    ("swish", "ffn", "swish"),
    ("swish-beta2", "ffn", "swish(beta = 2.0)"),
    ("glu", "glu", "sigmoid"),
    ("bilinear", "glu", "identity"),
    ("reglu", "glu", "relu"),
    ("geglu", "glu", "gelu"),
    ("geglu-tanh", "glu", "gelu_tanh"),
    ("swiglu", "glu", "swish"),
    ("swiglu-beta2", "glu", "swish(beta = 2.0)"),
]

# (x shape, d_ff, d_out, gated biases, ungated biases)
GRAD_CASES = [
    ([1, 8], 5, 8, ["b", "c", "b2"], ["b1", "b2"]),
    ([3, 16], 130, 16, [], []),
    ([3, 8], 130, 8, ["b"], ["b1"]),
    ([2, 3, 8], 130, 5, ["c"], ["b2"]),
    ([2, 3, 8], 5, 8, ["b2"], ["b1", "b2"]),
    ([3, 4], 2048, 4, ["b", "c", "b2"], ["b1", "b2"]),
]

# (x shape, d_ff, d_out, biases, dy computed from y and a target)
TRAIN_CASES = [
    ([3, 16], 130, 16, [], False),
    ([2, 3, 8], 130, 5, ["b", "c", "b2"], True),
]


def shapes(op, xshape, d_ff, d_out):
    """(weights, bias shapes) of a layer: [(name, dims)], {name: dims}."""
    d_model = xshape[-1]
    if op == "glu":
        return ([("w", [d_model, d_ff]), ("v", [d_model, d_ff]),
                 ("w2", [d_ff, d_out])],
                {"b": [d_ff], "c": [d_ff], "b2": [d_out]})
    return ([("w1", [d_model, d_ff]), ("w2", [d_ff, d_out])],
            {"b1": [d_ff], "b2": [d_out]})


def describe(xshape, d_ff, d_out, order):
    return "x %s, d_ff %d, d_out %d, %s" % (
        "x".join(map(str, xshape)), d_ff, d_out,
        "biases " + ", ".join(order) if order else "no biases")


def signature(arguments, results):
    return "func.func @layer(%s) -> (%s) {" % (
        ", ".join("%%%s: %s" % (n, tensor_type(s)) for n, s in arguments),
        ", ".join(tensor_type(s) for _, s in results))


def grad_line(op, activation, weights, order, bias_shapes, xshape, yshape,
              dy):
    """`%dx, ... = ffn.<op>_grad ...` and its results [(name, dims)]."""
    operands = [("x", xshape)] + weights + [(dy, yshape)] + \
        [(n, bias_shapes[n]) for n in order]
    results = [("dx", xshape)] + [("d" + n, s) for n, s in weights] + \
        [("d" + n, bias_shapes[n]) for n in order]
    line = "  %s = ffn.%s_grad %s %%x, %s, %%%s%s : (%s) -> (%s)" % (
        ", ".join("%" + n for n, _ in results), op, activation,
        ", ".join("%" + n for n, _ in weights), dy,
        "".join(" %s(%%%s)" % (n, n) for n in order),
        ", ".join(tensor_type(s) for _, s in operands),
        ", ".join(tensor_type(s) for _, s in results))
    return line, results


def return_line(results):
    return "  return %s : %s" % (
        ", ".join("%" + n for n, _ in results),
        ", ".join(tensor_type(s) for _, s in results))


def grad_case(op, activation, xshape, d_ff, d_out, biases):
    weights, bias_shapes = shapes(op, xshape, d_ff, d_out)
    order = [n for n in bias_shapes if n in biases]
    yshape = list(xshape[:-1]) + [d_out]
    arguments = [("x", list(xshape))] + weights + [("dy", yshape)] + \
        [(n, bias_shapes[n]) for n in order]
    line, results = grad_line(op, activation, weights, order, bias_shapes,
                              xshape, yshape, "dy")
    return "\n".join([
        "// ffn.%s_grad %s: %s" % (op, activation,
                                   describe(xshape, d_ff, d_out, order)),
        signature(arguments, results), line, return_line(results),
        "}"]) + "\n"


def train_case(activation, xshape, d_ff, d_out, biases, from_target):
    weights, bias_shapes = shapes("glu", xshape, d_ff, d_out)
    order = [n for n in bias_shapes if n in biases]
    yshape = list(xshape[:-1]) + [d_out]
    last = ("target" if from_target else "dy", yshape)
    arguments = [("x", list(xshape))] + weights + \
        [(n, bias_shapes[n]) for n in order] + [last]
    operand_types = ", ".join(
        tensor_type(s) for s in [xshape] + [s for _, s in weights] +
        [bias_shapes[n] for n in order])
    lines = ["// A train step of ffn.glu %s: %s; dy %s" % (
                 activation, describe(xshape, d_ff, d_out, order),
                 "= y - target" if from_target else "an argument")]
    body = ["  %%y = ffn.glu %s %%x, %s%s : (%s) -> %s" % (
        activation, ", ".join("%" + n for n, _ in weights),
        "".join(" %s(%%%s)" % (n, n) for n in order), operand_types,
        tensor_type(yshape))]
    if from_target:
        body += [
            "  %%e = tensor.empty() : %s" % tensor_type(yshape),
            "  %%dy = linalg.sub ins(%%y, %%target : %s, %s) outs(%%e : %s) "
            "-> %s" % ((tensor_type(yshape),) * 4)]
    line, results = grad_line("glu", activation, weights, order, bias_shapes,
                              xshape, yshape, "dy")
    results = [("y", yshape)] + results
    lines += [signature(arguments, results)] + body + \
        [line, return_line(results), "}"]
    return "\n".join(lines) + "\n"


def write(path, what, chunks):
    header = ("// Cases of the test/fuse gradient tests for %s, one per "
              "chunk.\n// Generated by generate_grad.py in this folder; edit "
              "that, not this.\n\n" % what)
    with open(path, "w") as f:
        f.write(header + "\n// -----\n\n".join(chunks))


def main():
    for stem, op, activation in FORMS:
        gated = op == "glu"
        write("ffn-grad-%s.mlir" % stem,
              "ffn.%s_grad %s" % (op, activation),
              [grad_case(op, activation, xshape, d_ff, d_out,
                         gb if gated else ub)
               for xshape, d_ff, d_out, gb, ub in GRAD_CASES])
        if gated:
            write("ffn-train-%s.mlir" % stem,
                  "train steps of ffn.glu %s" % activation,
                  [train_case(activation, *case) for case in TRAIN_CASES])


if __name__ == "__main__":
    main()
