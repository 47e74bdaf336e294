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
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                os.pardir, "lib"))
from glu_mlir_testing import (activation_syntax, add_layer_arguments,
                              add_tool_arguments, check_layer_arguments,
                              constant_line, describe_layer,
                              draw_layer_operands, finish_case, layer_call,
                              layer_file_stem, layer_input_names,
                              main_program, perturbed, positive_int,
                              print_bits_lines, run_case, tensor_type,
                              up_names)

# The step and the tolerance (see the module docstring).
EPS = 1e-5
RTOL = 1e-6
# For relu: no pre-activation may be closer than this to the kink at 0.
RELU_MARGIN = 1e-2


# --------------------------------------------------------------------------
# Inputs and directions
# --------------------------------------------------------------------------

def gate_bias_name(op):
    return "b1" if op == "ffn" else "b"


def gate_preactivation(op, operands):
    """x W + b of the activation (ungated) or gate (gated), in float64."""
    pre = operands["x"] @ operands[up_names(op)[0]]
    bias = operands.get(gate_bias_name(op))
    return pre if bias is None else pre + bias


def make_inputs(op, activation, shape, d_ff, d_out, biases, seed):
    """The operands (float64, see glu_mlir_testing.draw_layer_operands())
    and dy; for relu, drawn again until no pre-activation is within
    RELU_MARGIN of the kink."""
    rng = np.random.default_rng(seed)
    for _ in range(1000):
        operands = draw_layer_operands(rng, op, shape, d_ff, d_out, biases,
                                       "f64")
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

def build_program(op, activation, grad_activation, names, operands, dy,
                  points):
    """An MLIR module whose @main prints the gradients, then y at `points`.

    `points` is a list of {name: array} of the inputs that differ from
    `operands` at that point.
    """
    body = []
    types = {n: tensor_type(operands[n].shape, "f64") for n in names}
    out_type = tensor_type(dy.shape, "f64")

    # theta, dy and the gradients.
    values = {}
    for n in names:
        values[n] = "%" + n
        body.append(constant_line(values[n], operands[n], "f64"))
    body.append(constant_line("%dy", dy, "f64"))
    body.append(layer_call(
        "%%g:%d" % len(names), op, grad_activation, names, values, types,
        "(%s)" % ", ".join(types[n] for n in names), ("%dy", out_type)))
    for k, n in enumerate(names):
        body += print_bits_lines("%%g#%d" % k, list(operands[n].shape),
                                 "_g_" + n, "f64")

    # The forward at each perturbed point.
    for p, point in enumerate(points):
        point_values = dict(values)
        for n, array in point.items():
            point_values[n] = "%%p%d_%s" % (p, n)
            body.append(constant_line(point_values[n], array, "f64"))
        body.append(layer_call("%%y_%d" % p, op, activation, names,
                               point_values, types, out_type))
        body += print_bits_lines("%%y_%d" % p, list(dy.shape), "_y%d" % p,
                                 "f64")
    return main_program("ffn_gradient_check.py", body, "f64")


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

def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="Check ffn.ffn_grad / ffn.glu_grad under "
                    "--glu-reference-pipeline against finite differences "
                    "of the forward op.")
    add_tool_arguments(parser, tmp_help="directory for temporary files "
                                        "(created if missing)")
    add_layer_arguments(parser, d_ff_default=5)
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
    check_layer_arguments(parser, args)

    args.names = layer_input_names(args.op, args.bias_list)
    if args.perturb is not None and args.perturb not in args.names:
        parser.error("--perturb names an input of this layer: "
                     + ",".join(args.names))
    return args


def main(argv):
    args = parse_args(argv)
    op = args.op
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
        print("ERROR %s: a step crosses relu's kink" % describe_layer(args))
        return 2

    activation = activation_syntax(args.activation, args.beta)
    grad_activation = activation
    if args.grad_activation:
        grad_activation = activation_syntax(args.grad_activation, args.beta)
    program = build_program(op, activation, grad_activation, names, operands,
                            dy, points)

    stem = layer_file_stem(
        args, prefix="grad-",
        extra=("-perturb-" + args.perturb if args.perturb else "") +
              ("-grad-" + args.grad_activation if args.grad_activation
               else ""))
    shapes = [operands[n].shape for n in names] + [dy.shape] * len(points)
    arrays, paths = run_case(args, stem, program, shapes, "f64")
    if arrays is None:
        return 2

    grads = dict(zip(names, arrays[:len(names)]))
    if args.perturb:
        grads[args.perturb] = perturbed(grads[args.perturb])
    results = check_directions(grads, dy, directions, steps,
                               arrays[len(names):])
    if args.verbose:
        for label, rel_err, fd, analytic in results:
            print("  %-6s rel_err=%.2e fd=%.17g analytic=%.17g"
                  % (label, rel_err, fd, analytic), file=sys.stderr)

    worst = max(results, key=lambda r: r[1])
    ok = all(r[1] <= RTOL for r in results)
    line = "%s %s checks=%d max_rel_err=%.2g" % (
        "PASS" if ok else "FAIL", describe_layer(args), len(results),
        worst[1])
    if not ok:
        failed = sorted({r[0].split("#")[0] for r in results
                         if r[1] > RTOL})
        line += " worst=%s fd=%.17g analytic=%.17g failed=%s (program: %s)" % (
            worst[0], worst[2], worst[3], ",".join(failed), paths[0])
    return finish_case(line, ok, paths)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
