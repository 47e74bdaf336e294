#!/usr/bin/env python3
"""End-to-end numeric check of the ffn reference lowering.

For one feed-forward layer of "GLU Variants Improve Transformer" (Shazeer,
2020) this script

  1. draws seeded random float32 inputs with numpy,
  2. writes an .mlir file whose @main applies `ffn.ffn` or `ffn.glu` to them
     (as dense constants) and prints the result's exact float bits as int32,
  3. compiles it with `glu-opt --glu-reference-pipeline` and runs it with
     `mlir-runner`,
  4. parses the printed bits back into float32,
  5. recomputes the layer independently with PyTorch in float64, and
  6. compares the two and prints one PASS or FAIL line.

It prints one line, e.g.

  PASS FFN_SwiGLU swish x=[2,3,8] d_ff=13 d_out=5 biases=b,c,b2 max_rel_err=6.1e-07

(FAIL lines add the worst element; ERROR lines mean a tool failed) and exits
with 0 when the case passes, 1 when the numbers disagree and 2 when a tool
fails (its stderr is printed). Meant to be driven by the lit tests next to
it; run with --help for the flags.
"""

import argparse
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                os.pardir, "lib"))
from glu_mlir_testing import (ATOL_SCALE, activation_syntax,
                              add_layer_arguments, add_tool_arguments,
                              check_layer_arguments, constant_line,
                              describe_layer, draw_layer_operands,
                              finish_case, layer_call, layer_file_stem,
                              layer_input_names, main_program, perturbed,
                              print_bits_lines, relative_errors, run_case,
                              tensor_type)


# --------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------

def make_inputs(op, shape, d_ff, d_out, biases, seed):
    """Returns the layer's operands as float32 arrays, keyed by name (see
    glu_mlir_testing.draw_layer_operands())."""
    rng = np.random.default_rng(seed)
    return draw_layer_operands(rng, op, shape, d_ff, d_out, biases)


# --------------------------------------------------------------------------
# The MLIR program
# --------------------------------------------------------------------------

def build_program(op, activation, beta, operands, out_shape):
    """Returns an MLIR module whose @main prints the layer's result bits."""
    # The operands (the biases among them those drawn), in the op's operand
    # order, as constants.
    names = layer_input_names(op, operands)
    body = [constant_line("%" + name, operands[name]) for name in names]

    # The layer itself.
    values = {name: "%" + name for name in names}
    types = {name: tensor_type(operands[name].shape) for name in names}
    body.append(layer_call("%result", op, activation_syntax(activation, beta),
                           names, values, types, tensor_type(out_shape)))

    # Print the result's exact bits.
    body += print_bits_lines("%result", out_shape)
    return main_program("ffn_reference_check.py", body)


# --------------------------------------------------------------------------
# The independent reference
# --------------------------------------------------------------------------

def torch_activation(activation, beta, t):
    """Applies the activation with PyTorch's own functions."""
    if activation == "relu":
        return torch.relu(t)
    if activation == "gelu":
        return F.gelu(t, approximate="none")
    if activation == "gelu_tanh":
        return F.gelu(t, approximate="tanh")
    if activation == "swish":
        if beta is None or beta == 1.0:
            return F.silu(t)
        return t * torch.sigmoid(beta * t)
    if activation == "sigmoid":
        return torch.sigmoid(t)
    if activation == "identity":
        return t
    raise ValueError("unknown activation " + activation)


def reference(op, activation, beta, operands):
    """The layer in float64 (from the exact float32 inputs)."""
    t = {name: torch.from_numpy(array.astype(np.float64))
         for name, array in operands.items()}
    zero = torch.zeros((), dtype=torch.float64)
    x = t["x"]
    if op == "ffn":
        hidden = torch_activation(activation, beta,
                                  x @ t["w1"] + t.get("b1", zero))
    else:
        gate = torch_activation(activation, beta, x @ t["w"] + t.get("b", zero))
        hidden = gate * (x @ t["v"] + t.get("c", zero))
    return (hidden @ t["w2"] + t.get("b2", zero)).numpy()


# --------------------------------------------------------------------------
# Comparison
# --------------------------------------------------------------------------

def compare(got, want):
    """Compares the compiled result with the reference.

    An element passes when |got - want| <= RTOL * |want| + atol, with
    atol = ATOL_SCALE * max|want| (the rule of glu_mlir_testing, explained
    at relative_errors()). The compiled layer runs in float32: each output
    is a sum of d_ff products, each hidden value a sum of d_model products,
    so an output that cancels to nearly zero carries an error on the scale
    of the whole output, not of itself. A NaN or infinity in the compiled
    result always fails.

    Measured on 200 random cases of the sizes the lit tests use, the
    correct lowering stays below rel_err 1.2e-6 (8x inside the tolerance),
    while real mistakes land far outside it: gelu compiled as gelu_tanh
    gives ~8e-4, swish with beta 2 vs 2.001 ~6e-4, even beta 1 vs 1.0001
    ~6e-5, and a dropped bias ~2.

    Returns (ok, max_rel_err, worst), where rel_err is |got - want| divided
    by |want| + atol / RTOL, so that an element passes exactly when its
    rel_err <= RTOL, and worst is the flat index of the largest one.
    """
    want_scale = float(np.max(np.abs(want))) if want.size else 0.0
    atol = ATOL_SCALE * want_scale
    got64 = got.astype(np.float64)
    rel_err, within = relative_errors(got64, want, atol)
    # A NaN or infinity in the compiled result is always a failure.
    rel_err[~np.isfinite(got64)] = np.inf
    worst = int(np.argmax(rel_err))
    max_rel_err = float(rel_err.flat[worst])
    ok = bool(np.all(within)) and bool(np.all(np.isfinite(got64)))
    return ok, max_rel_err, worst


# --------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------

def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="Check ffn.ffn / ffn.glu under --glu-reference-pipeline "
                    "against PyTorch.")
    add_tool_arguments(parser, tmp_help="directory for temporary files "
                                        "(created if missing)")
    add_layer_arguments(parser, d_ff_default=16)
    # Proves the harness can fail: corrupts the compiled result.
    parser.add_argument("--perturb", action="store_true",
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    check_layer_arguments(parser, args)
    return args


def main(argv):
    args = parse_args(argv)
    out_shape = args.shape[:-1] + [args.d_out]

    operands = make_inputs(args.op, args.shape, args.d_ff, args.d_out,
                           args.bias_list, args.seed)
    program = build_program(args.op, args.activation, args.beta, operands,
                            out_shape)

    arrays, paths = run_case(
        args, layer_file_stem(args, extra="-perturb" if args.perturb else ""),
        program, [out_shape])
    if arrays is None:
        return 2
    got = arrays[0]
    if args.perturb:
        got = perturbed(got)

    want = reference(args.op, args.activation, args.beta, operands)
    ok, max_rel_err, worst = compare(got, want)
    line = "%s %s max_rel_err=%.2g" % ("PASS" if ok else "FAIL",
                                       describe_layer(args), max_rel_err)
    if not ok:
        index = np.unravel_index(worst, got.shape)
        line += " worst=%s got=%.9g want=%.9g (program: %s)" % (
            list(int(i) for i in index), got.flat[worst], want.flat[worst],
            paths[0])
    return finish_case(line, ok, paths)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
