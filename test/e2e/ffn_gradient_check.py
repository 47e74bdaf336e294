#!/usr/bin/env python3
"""Finite-difference check of the ffn gradient ops' reference lowering.

For one feed-forward layer of "GLU Variants Improve Transformer" (Shazeer,
2020) this script

  1. draws seeded random float64 inputs theta = (x, weights, biases) and an
     output gradient dy with numpy,
  2. writes an .mlir file whose @main computes, all in f64,
       - `ffn.ffn_grad` / `ffn.glu_grad` at theta (every gradient), and
       - the forward `ffn.ffn` / `ffn.glu` at theta + eps d and theta - eps d
         for a set of directions d,
     and prints every result's exact bits as int64,
  3. compiles it with `glu-opt --glu-reference-pipeline`, runs it with
     `mlir-runner` and reads the bits back, and
  4. compares, for every direction, the directional derivative the
     gradients give, <grad, d>, with the central difference
     (L(theta + eps d) - L(theta - eps d)) / (2 eps) of L = sum(y * dy).

The directions are of two kinds: joint ones, which move every input at once
(x, the weights and the biases), and per-input ones, which move a single
input, so that a wrong dW cannot hide behind a right dx.

The error of one check is

    rel_err = |fd - <grad, d>| / sum_i |grad_i d_i|

(the difference relative to the magnitude of the terms of the inner
product, which stays meaningful when the terms cancel). Every check must
have rel_err <= 1e-6 (RTOL). Why these numbers, in f64 with eps = 1e-5:

  * truncation: the central difference is off by eps^2 / 6 times the third
    directional derivative of L, about 1e-10 of the first for these
    layers (relative to sum |grad_i d_i|, whose scale they share);
  * rounding: L is a sum of products computed with unit roundoff
    u = 1.1e-16, so each L carries an error near u * sum |y * dy| and the
    quotient one near u * sum |y * dy| / eps, about 1e-11 relative;

so a correct gradient lands near 1e-10 (measured: at most 5.7e-10 over the
cases of the lit tests), three orders of magnitude inside the tolerance,
while a wrong derivative formula (gelu_tanh's derivative for an erf GELU
layer gives 9e-4), a gradient off by 1e-3 (5e-4), a missing term or a
transposed operand lands far outside.

relu has no derivative at 0, so for relu (FFN_ReLU, FFN_ReGLU) the inputs
are drawn again until no pre-activation x W + b is within RELU_MARGIN = 1e-2
of 0; a step of eps |d| moves a pre-activation by ~1e-4 at most, and the
script verifies that no perturbed point crosses the kink.

It prints one line, e.g.

  PASS FFN_SwiGLU swish(beta=2) x=[2,3,8] d_ff=5 d_out=6 biases=b,c,b2 checks=17 max_rel_err=3.9e-10

(FAIL lines name the worst check; ERROR lines mean a tool failed) and exits
with 0 when every check passes, 1 when one does not and 2 when a tool fails
(its stderr is printed). Meant to be driven by the lit tests next to it;
run with --help for the flags. Needs numpy only.
"""

import argparse
import math
import os
import re
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                os.pardir, "lib"))
from glu_mlir_testing import (PERTURBATION, PRINT_HEADER, ToolError,
                              add_tool_arguments, run_tool, tensor_type)

# The eight layers of the paper's Table 1: name -> (ffn op, activation kind).
# FFN_GELU and FFN_GEGLU also come in the tanh-approximated form.
VARIANTS = {
    "FFN_ReLU": ("ffn", "relu"),
    "FFN_GELU": ("ffn", "gelu"),
    "FFN_Swish": ("ffn", "swish"),
    "FFN_GLU": ("glu", "sigmoid"),
    "FFN_Bilinear": ("glu", "identity"),
    "FFN_ReGLU": ("glu", "relu"),
    "FFN_GEGLU": ("glu", "gelu"),
    "FFN_SwiGLU": ("glu", "swish"),
}

# The forms of one activation a variant may be run with (--activation).
ACTIVATION_FORMS = {
    "gelu": ("gelu", "gelu_tanh"),
}

# The differentiated inputs of each op, in operand order (= result order of
# the gradient op), and the optional ones among them.
INPUTS = {
    "ffn": ("x", "w1", "w2", "b1", "b2"),
    "glu": ("x", "w", "v", "w2", "b", "c", "b2"),
}
BIASES = {
    "ffn": ("b1", "b2"),
    "glu": ("b", "c", "b2"),
}

# The step and the tolerance (see the module docstring).
EPS = 1e-5
RTOL = 1e-6
# For relu: no pre-activation may be closer than this to the kink at 0.
RELU_MARGIN = 1e-2


# --------------------------------------------------------------------------
# Inputs and directions
# --------------------------------------------------------------------------

def up_names(op):
    return ("w1",) if op == "ffn" else ("w", "v")


def gate_bias_name(op):
    return "b1" if op == "ffn" else "b"


def draw_operands(rng, op, shape, d_ff, d_out, biases):
    """One draw of the layer's inputs as float64 arrays, keyed by name.

    x is N(0, 1); each projection is scaled by 1/sqrt(fan_in) so that the
    pre-activations are again about N(0, 1), where every activation is
    nonlinear; the biases are N(0, 0.5^2).
    """
    d_model = shape[-1]
    operands = {"x": rng.standard_normal(shape)}
    for name in up_names(op):
        operands[name] = rng.standard_normal((d_model, d_ff)) / math.sqrt(
            d_model)
    operands["w2"] = rng.standard_normal((d_ff, d_out)) / math.sqrt(d_ff)
    for name in BIASES[op]:
        if name in biases:
            width = d_out if name == "b2" else d_ff
            operands[name] = 0.5 * rng.standard_normal(width)
    return operands


def gate_preactivation(op, operands):
    """x W + b of the activation (ungated) or gate (gated), in float64."""
    pre = operands["x"] @ operands[up_names(op)[0]]
    bias = operands.get(gate_bias_name(op))
    return pre if bias is None else pre + bias


def make_inputs(op, activation, shape, d_ff, d_out, biases, seed):
    """The operands and dy; for relu, drawn again until no pre-activation
    is within RELU_MARGIN of the kink."""
    rng = np.random.default_rng(seed)
    for _ in range(1000):
        operands = draw_operands(rng, op, shape, d_ff, d_out, biases)
        if (activation != "relu" or
                np.min(np.abs(gate_preactivation(op, operands))) >=
                RELU_MARGIN):
            break
    else:
        raise SystemExit("no draw keeps relu's pre-activations %g from 0; "
                         "use smaller shapes" % RELU_MARGIN)
    dy = rng.standard_normal(shape[:-1] + [d_out])
    return operands, dy


def make_directions(rng, names, operands, joint, per_input):
    """The directions d, as (label, {name: array}) pairs.

    `joint` directions move every input at once, then `per_input`
    directions move each input alone (the other inputs do not appear in the
    dict). Entries are N(0, 1).
    """
    directions = []
    for k in range(joint):
        directions.append(("all#%d" % k, {
            name: rng.standard_normal(operands[name].shape)
            for name in names}))
    for name in names:
        for k in range(per_input):
            directions.append(("%s#%d" % (name, k), {
                name: rng.standard_normal(operands[name].shape)}))
    return directions


# --------------------------------------------------------------------------
# The MLIR program
# --------------------------------------------------------------------------

def format_f64(value):
    """A float64 as MLIR reads back exactly ('%.17e' round-trips a double
    and always has the '.' MLIR requires)."""
    text = "%.17e" % float(value)
    assert float(text) == value, (text, value)
    return text


def format_dense(array):
    """The nested-list body of a `dense<...>` attribute."""
    if array.ndim == 0:
        return format_f64(array)
    return "[" + ", ".join(format_dense(sub) for sub in array) + "]"


PRINT_MEMREF_I64_DECL = ("func.func private @printMemrefI64(memref<*xi64>) "
                         "attributes { llvm.emit_c_interface }")


def print_bits_lines(value, dims, suffix):
    """Lines that print the exact bits of the f64 tensor `value` as i64.

    The f64 counterpart of glu_mlir_testing.print_bits_lines(): each element
    is bitcast to i64 in a linalg.generic and the tensor printed with
    printMemrefI64; the SSA names end in `suffix`.
    """
    rank = len(dims)
    names = ", ".join("d%d" % k for k in range(rank))
    identity = "affine_map<(%s) -> (%s)>" % (names, names)
    bits_type = tensor_type(dims, "i64")
    memref_type = "memref" + bits_type[len("tensor"):]
    s = suffix
    return [
        "  %%bits_init%s = tensor.empty() : %s" % (s, bits_type),
        "  %%bits%s = linalg.generic {indexing_maps = [%s, %s], "
        "iterator_types = [%s]} ins(%s : %s) outs(%%bits_init%s : %s) {"
        % (s, identity, identity, ", ".join(['"parallel"'] * rank),
           value, tensor_type(dims, "f64"), s, bits_type),
        "  ^bb0(%%elem%s: f64, %%unused%s: i64):" % (s, s),
        "    %%elem_bits%s = arith.bitcast %%elem%s : f64 to i64" % (s, s),
        "    linalg.yield %%elem_bits%s : i64" % s,
        "  } -> %s" % bits_type,
        "  %%buffer%s = bufferization.to_buffer %%bits%s : %s to %s"
        % (s, s, bits_type, memref_type),
        "  %%unranked%s = memref.cast %%buffer%s : %s to memref<*xi64>"
        % (s, s, memref_type),
        "  func.call @printMemrefI64(%%unranked%s) : (memref<*xi64>) -> ()"
        % s,
    ]


def activation_syntax(activation, beta):
    """The activation as written inside an ffn op, e.g. `swish(beta = 2.0)`."""
    if beta is None:
        return activation
    return "%s(beta = %s)" % (activation, format_f64(beta))


def layer_call(op, suffix, names, values, types, activation, out_type,
               grad_types=None, dy=None):
    """The line applying the forward (grad_types None) or gradient op."""
    fixed = [n for n in names if n not in BIASES[op]]
    biases = [n for n in names if n in BIASES[op]]
    operands = ", ".join(values[n] for n in fixed)
    operand_types = [types[n] for n in fixed]
    if dy is not None:
        operands += ", " + dy[0]
        operand_types.append(dy[1])
    operands += "".join(" %s(%s)" % (n, values[n]) for n in biases)
    operand_types += [types[n] for n in biases]
    if grad_types is None:
        return "  %%y%s = ffn.%s %s %s : (%s) -> %s" % (
            suffix, op, activation, operands, ", ".join(operand_types),
            out_type)
    return "  %%g%s:%d = ffn.%s_grad %s %s : (%s) -> (%s)" % (
        suffix, len(grad_types), op, activation, operands,
        ", ".join(operand_types), ", ".join(grad_types))


def build_program(op, activation, grad_activation, names, operands, dy,
                  points):
    """An MLIR module whose @main prints the gradients, then y at `points`.

    `points` is a list of {name: array} of the inputs that differ from
    `operands` at that point.
    """
    lines = [
        "// Generated by ffn_gradient_check.py.",
        PRINT_MEMREF_I64_DECL,
        "func.func @main() {",
    ]
    types = {n: tensor_type(operands[n].shape, "f64") for n in names}
    out_type = tensor_type(dy.shape, "f64")

    def constant(ssa, array):
        lines.append("  %s = arith.constant dense<%s> : %s"
                     % (ssa, format_dense(array),
                        tensor_type(array.shape, "f64")))

    # theta, dy and the gradients.
    values = {}
    for n in names:
        values[n] = "%" + n
        constant(values[n], operands[n])
    constant("%dy", dy)
    grad_types = [types[n] for n in names]
    lines.append(layer_call(op, "", names, values, types, grad_activation,
                            out_type, grad_types, ("%dy", out_type)))
    for k, n in enumerate(names):
        lines += print_bits_lines("%%g#%d" % k, list(operands[n].shape),
                                  "_g_" + n)

    # The forward at each perturbed point.
    for p, point in enumerate(points):
        point_values = dict(values)
        for n, array in point.items():
            point_values[n] = "%%p%d_%s" % (p, n)
            constant(point_values[n], array)
        lines.append(layer_call(op, "_%d" % p, names, point_values, types,
                                activation, out_type))
        lines += print_bits_lines("%%y_%d" % p, list(dy.shape), "_y%d" % p)
    lines += ["  return", "}"]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------
# Compiling, running and reading back
# --------------------------------------------------------------------------

def compile_and_run(args, source_path, lowered_path):
    """Lowers and runs the program; returns the runner's stdout."""
    run_tool([args.glu_opt, source_path, "--glu-reference-pipeline",
              "-o", lowered_path], "glu-opt")
    stdout, _ = run_tool([args.mlir_runner, lowered_path, "-e", "main",
                          "-entry-point-result=void",
                          "-shared-libs=" + args.runner_libs], "mlir-runner")
    return stdout


def parse_printed_bits64(stdout, shapes):
    """Every printMemrefI64 in `stdout`, as float64 arrays of `shapes`."""
    headers = list(PRINT_HEADER.finditer(stdout))
    if len(headers) != len(shapes):
        raise ToolError("mlir-runner printed %d memrefs, expected %d:\n%s"
                        % (len(headers), len(shapes), stdout))
    arrays = []
    for k, header in enumerate(headers):
        sizes = [int(s) for s in header.group(2).split(",") if s.strip()]
        if sizes != list(shapes[k]):
            raise ToolError("mlir-runner printed sizes %s, expected %s"
                            % (sizes, list(shapes[k])))
        end = headers[k + 1].start() if k + 1 < len(headers) else len(stdout)
        numbers = re.findall(r"-?\d+", stdout[header.end():end])
        if len(numbers) != int(np.prod(sizes)):
            raise ToolError("mlir-runner printed %d elements for sizes %s"
                            % (len(numbers), sizes))
        bits = np.array([int(n) for n in numbers], dtype=np.int64)
        arrays.append(bits.view(np.float64).reshape(sizes))
    return arrays


# --------------------------------------------------------------------------
# The checks
# --------------------------------------------------------------------------

def loss(y, dy):
    """L = sum(y * dy), summed exactly (math.fsum) from the f64 products."""
    return math.fsum((y * dy).ravel())


def check_directions(grads, dy, directions, steps, outputs):
    """Returns [(label, rel_err, fd, analytic)] for every direction.

    `steps[k]` are the effective directions of direction k, the exact
    differences (theta+ - theta-) / (2 eps) of the points the program ran;
    `outputs` are y at theta+ and theta- for each direction in turn.
    """
    results = []
    for k, (label, _) in enumerate(directions):
        y_plus, y_minus = outputs[2 * k], outputs[2 * k + 1]
        fd = (loss(y_plus, dy) - loss(y_minus, dy)) / (2 * EPS)
        terms = np.concatenate([(grads[n] * d).ravel()
                                for n, d in steps[k].items()])
        analytic = math.fsum(terms)
        scale = math.fsum(np.abs(terms))
        rel_err = abs(fd - analytic) / scale if scale > 0 else abs(fd)
        if not (math.isfinite(fd) and math.isfinite(analytic)):
            rel_err = math.inf
        results.append((label, rel_err, fd, analytic))
    return results


def check_relu_kink(op, operands, points):
    """For relu: whether every perturbed point keeps every pre-activation's
    sign (no step crosses the kink)."""
    signs = np.sign(gate_preactivation(op, operands))
    for point in points:
        moved = dict(operands)
        moved.update(point)
        if np.any(np.sign(gate_preactivation(op, moved)) != signs):
            return False
    return True


# --------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------

def parse_shape(text):
    try:
        dims = [int(d) for d in text.lower().split("x")]
    except ValueError:
        raise argparse.ArgumentTypeError("expected a shape like 2x3x8")
    if len(dims) < 2 or any(d <= 0 for d in dims):
        raise argparse.ArgumentTypeError(
            "x needs rank >= 2 and positive sizes, got " + text)
    return dims


def positive_int(text):
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("expected a positive integer")
    return value


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="Check ffn.ffn_grad / ffn.glu_grad under "
                    "--glu-reference-pipeline against finite differences "
                    "of the forward op.")
    add_tool_arguments(parser, tmp_help="directory for temporary files "
                                        "(created if missing)")
    parser.add_argument("--variant", required=True, choices=list(VARIANTS),
                        help="the layer, by its name in the paper")
    parser.add_argument("--activation",
                        help="another form of the variant's activation "
                             "(gelu_tanh for FFN_GELU and FFN_GEGLU)")
    parser.add_argument("--shape", type=parse_shape, default=[4, 8],
                        help="shape of x, rank >= 2, e.g. 2x3x8 (default "
                             "4x8)")
    parser.add_argument("--d-ff", type=positive_int, default=5,
                        help="hidden width (default 5)")
    parser.add_argument("--d-out", type=positive_int,
                        help="output width (default d_model)")
    parser.add_argument("--biases", default="",
                        help="comma list of biases: b1,b2 for ffn.ffn; "
                             "b,c,b2 for ffn.glu (default none)")
    parser.add_argument("--beta", type=float,
                        help="swish slope (swish variants only)")
    parser.add_argument("--seed", type=int, default=0,
                        help="random seed (default 0)")
    parser.add_argument("--directions", type=positive_int, default=3,
                        help="joint directions, moving every input (default "
                             "3)")
    parser.add_argument("--input-directions", type=positive_int, default=2,
                        help="directions per input, moving that input alone "
                             "(default 2)")
    parser.add_argument("--verbose", action="store_true",
                        help="print every check on stderr")
    # Prove the harness can fail: --perturb NAME adds PERTURBATION (1e-3)
    # relative error to the reported gradient of input NAME;
    # --grad-activation computes the gradient op with another activation
    # than the forward (e.g. gelu_tanh's derivative for a gelu layer).
    parser.add_argument("--perturb", help=argparse.SUPPRESS)
    parser.add_argument("--grad-activation", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    op, default_activation = VARIANTS[args.variant]
    if args.activation is None:
        args.activation = default_activation
    elif args.activation not in ACTIVATION_FORMS.get(
            default_activation, (default_activation,)):
        parser.error("%s does not come with activation %s"
                     % (args.variant, args.activation))

    args.bias_list = [b for b in args.biases.split(",") if b]
    for name in args.bias_list:
        if name not in BIASES[op]:
            parser.error("ffn.%s has no bias %s (it has %s)"
                         % (op, name, ",".join(BIASES[op])))
    if len(set(args.bias_list)) != len(args.bias_list):
        parser.error("a bias is listed twice: " + args.biases)

    if args.beta is not None:
        if args.activation != "swish":
            parser.error("--beta applies only to swish")
        if not (math.isfinite(args.beta) and args.beta > 0):
            parser.error("--beta must be finite and positive")
    if args.d_out is None:
        args.d_out = args.shape[-1]
    args.names = [n for n in INPUTS[op]
                  if n not in BIASES[op] or n in args.bias_list]
    if args.perturb is not None and args.perturb not in args.names:
        parser.error("--perturb names an input of this layer: "
                     + ",".join(args.names))
    return args


def describe(args):
    """The case, as printed after PASS or FAIL."""
    activation = args.activation
    if args.beta is not None:
        activation += "(beta=%g)" % args.beta
    return "%s %s x=[%s] d_ff=%d d_out=%d biases=%s" % (
        args.variant, activation, ",".join(str(d) for d in args.shape),
        args.d_ff, args.d_out, ",".join(args.bias_list) or "none")


def file_stem(args):
    """A name for this case's temporary files: the case and the process."""
    stem = "grad-%s-%s-%s-ff%d-out%d-%s-beta%s-seed%d%s%s-pid%d" % (
        args.variant, args.activation, "x".join(str(d) for d in args.shape),
        args.d_ff, args.d_out, "_".join(args.bias_list) or "nobias",
        "%g" % args.beta if args.beta is not None else "none", args.seed,
        "-perturb-" + args.perturb if args.perturb else "",
        "-grad-" + args.grad_activation if args.grad_activation else "",
        os.getpid())
    return re.sub(r"[^A-Za-z0-9_.+-]", "_", stem)


def main(argv):
    args = parse_args(argv)
    op, _ = VARIANTS[args.variant]
    names = args.names

    operands, dy = make_inputs(op, args.activation, args.shape, args.d_ff,
                               args.d_out, args.bias_list, args.seed)
    rng = np.random.default_rng([args.seed, 1])
    directions = make_directions(rng, names, operands, args.directions,
                                 args.input_directions)

    # theta +- eps d, and the exact steps between them.
    points, steps = [], []
    for _, direction in directions:
        plus = {n: operands[n] + EPS * d for n, d in direction.items()}
        minus = {n: operands[n] - EPS * d for n, d in direction.items()}
        points += [plus, minus]
        steps.append({n: (plus[n] - minus[n]) / (2 * EPS) for n in plus})
    if args.activation == "relu" and not check_relu_kink(op, operands,
                                                         points):
        print("ERROR %s: a step crosses relu's kink" % describe(args))
        return 2

    activation = activation_syntax(args.activation, args.beta)
    grad_activation = activation
    if args.grad_activation:
        grad_activation = activation_syntax(args.grad_activation, args.beta)
    program = build_program(op, activation, grad_activation, names, operands,
                            dy, points)

    os.makedirs(args.tmp, exist_ok=True)
    stem = os.path.join(args.tmp, file_stem(args))
    source_path = stem + ".mlir"
    lowered_path = stem + ".llvm.mlir"
    with open(source_path, "w") as f:
        f.write(program)

    shapes = [operands[n].shape for n in names] + [dy.shape] * len(points)
    try:
        stdout = compile_and_run(args, source_path, lowered_path)
        arrays = parse_printed_bits64(stdout, shapes)
    except ToolError as error:
        print("ERROR %s (program: %s)" % (describe(args), source_path))
        print(error, file=sys.stderr)
        return 2

    grads = dict(zip(names, arrays[:len(names)]))
    if args.perturb:
        grads[args.perturb] = grads[args.perturb] * (1 + PERTURBATION)
    results = check_directions(grads, dy, directions, steps,
                               arrays[len(names):])
    if args.verbose:
        for label, rel_err, fd, analytic in results:
            print("  %-6s rel_err=%.2e fd=%.17g analytic=%.17g"
                  % (label, rel_err, fd, analytic), file=sys.stderr)

    worst = max(results, key=lambda r: r[1])
    ok = all(r[1] <= RTOL for r in results)
    line = "%s %s checks=%d max_rel_err=%.2g" % (
        "PASS" if ok else "FAIL", describe(args), len(results), worst[1])
    if not ok:
        failed = sorted({r[0].split("#")[0] for r in results
                         if r[1] > RTOL})
        line += " worst=%s fd=%.17g analytic=%.17g failed=%s (program: %s)" % (
            worst[0], worst[2], worst[3], ",".join(failed), source_path)
    print(line)
    if ok:
        # Keep the files of a failing case only, for debugging.
        for path in (source_path, lowered_path):
            os.remove(path)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
