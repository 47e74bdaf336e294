"""The feed-forward layers glu-compile's end-to-end checks build, as ffn IR.

write_model() writes one of the eight variants of "GLU Variants Improve
Transformer" as a public function of ffn ops: the forward
`@forward(x, weights..., biases...) -> y` or a train step
`@train_step(x, weights..., biases..., dy) -> (y, dx, dweights...,
dbiases...)`, every operand and result named with `ffn.name`. Standard
library only: scripts/gpu-check.sh uses it where there is no numpy.
"""


# The paper's names -> (op, activation).
VARIANTS = {
    "ffn_relu": ("ffn", "relu"),
    "ffn_gelu": ("ffn", "gelu"),
    "ffn_swish": ("ffn", "swish"),
    "glu": ("glu", "sigmoid"),
    "bilinear": ("glu", "identity"),
    "reglu": ("glu", "relu"),
    "geglu": ("glu", "gelu"),
    "swiglu": ("glu", "swish"),
}


def operand_shapes(op, rows, d_model, d_ff, d_out, biases):
    """The layer's operands in ffn-op order, as (name, shape)."""
    shapes = [("x", [rows, d_model])]
    if op == "ffn":
        shapes += [("w1", [d_model, d_ff]), ("w2", [d_ff, d_out])]
        if biases:
            shapes += [("b1", [d_ff]), ("b2", [d_out])]
    else:
        shapes += [("w", [d_model, d_ff]), ("v", [d_model, d_ff]),
                   ("w2", [d_ff, d_out])]
        if biases:
            shapes += [("b", [d_ff]), ("c", [d_ff]), ("b2", [d_out])]
    return shapes


def tensor(shape):
    return "tensor<" + "x".join(str(d) for d in shape) + "xf32>"


def write_model(path, op, activation, mode, shapes, d_out):
    """Writes the forward or the train step as ffn ops."""
    rows = shapes[0][1][0]
    y_type = tensor([rows, d_out])
    names = [name for name, _ in shapes]
    args = [("%" + name, tensor(shape), name) for name, shape in shapes]
    weights = [n for n in names if n in ("w1", "w", "v", "w2")]
    bias_names = [n for n in names if n in ("b1", "b", "c", "b2")]
    operands = ", ".join("%" + n for n in ["x"] + weights)
    bias_syntax = "".join(" %s(%%%s)" % (n, n) for n in bias_names)
    operand_types = ", ".join(tensor(s) for _, s in shapes)
    layer = ("ffn.%s %s %s%s : (%s) -> %s"
             % (op, activation, operands, bias_syntax, operand_types, y_type))
    results = [("%y", y_type, "y")]
    body = ["  %%y = %s" % layer]
    if mode == "train":
        args.append(("%dy", y_type, "dy"))
        grad_names = ["d" + n for n in names]
        grad_types = [tensor(s) for _, s in shapes]
        grad_operands = ", ".join("%" + n for n in ["x"] + weights) + ", %dy"
        grad_syntax = ("ffn.%s_grad %s %s%s : (%s, %s) -> (%s)"
                       % (op, activation, grad_operands, bias_syntax,
                          ", ".join(tensor(s) for _, s in shapes[:1 + len(weights)]),
                          y_type + "".join(
                              ", " + tensor(s) for n, s in shapes
                              if n in bias_names),
                          ", ".join(grad_types)))
        body.append("  %s = %s" % (", ".join("%" + n for n in grad_names),
                                   grad_syntax))
        results += [("%" + n, t, n) for n, t in zip(grad_names, grad_types)]
    entry = "forward" if mode == "forward" else "train_step"
    signature = ", ".join('%s: %s {ffn.name = "%s"}' % a for a in args)
    result_types = ", ".join('%s {ffn.name = "%s"}' % (t, n)
                             for _, t, n in results)
    with open(path, "w") as f:
        f.write("func.func @%s(%s) -> (%s) {\n" % (entry, signature,
                                                   result_types))
        f.write("\n".join(body) + "\n")
        f.write("  return %s : %s\n}\n" % (
            ", ".join(r for r, _, _ in results),
            ", ".join(t for _, t, _ in results)))
    return entry, [n for _, _, n in results]
