#!/usr/bin/env python3
"""Checks glu-cpu-pipeline's generated GEMMs against glu-reference-pipeline.

One case is one GEMM of random f32 operands in a function @gemm that @main
calls with constants and whose result it prints bit-exactly (so that the
function boundary, its out-parameter and the C interface are exercised):

  --op gated         ffn.gated_matmul ACT block_size(B) of x [M, K] and a
                     packed weight [K, 2 d_ff] (and a packed bias with --bias)
  --op activated     ffn.activated_matmul ACT of x [M, K], w [K, N] (+ bias)
  --op matmul        linalg.matmul [M, K] x [K, N] into a zero fill
  --op matmul-tb     linalg.matmul reading rhs [N, K] transposed
  --op matmul-ta     linalg.matmul reading lhs [K, M] transposed
  --op matmul-acc    linalg.matmul accumulating into a non-zero init
  --batch B          with the four matmul ops: linalg.batch_matmul of B
                     such GEMMs (every operand and the result [B, ...]),
                     as attention's QK^T and PV are exported
  --op dgate         ffn.dgate_matmul ACT block_size(B) of dy [M, K], W2
                     [d_ff, K] and packed pre-activations [a | b] [M, 2 d_ff]
  --op dactivation   ffn.dactivation_matmul ACT of dy [M, K], W2 [N, K] and
                     pre-activations a [M, N]
  --op apply-gate    ffn.apply_gate ACT block_size(B) of [a | b] [M, 2 N]
  --op pack          ffn.pack_gated block_size(B) of w, v [M, N]
  --op unpack        ffn.unpack_gated block_size(B) of [M, 2 N]: the gate
                     half (unpack-linear: the linear half)
  --op dx-packed     linalg.matmul of [da | db] [M, 2 d_ff] and the
                     ffn.pack_gated block_size(B) of w, v [K, d_ff] read
                     transposed: the fused backward's dx [M, K]
  --op wgrad         ffn.unpack_gated block_size(B) of the linalg.matmul
                     x^T [da | db] (x [M, K]): the fused backward's weight
                     gradient dW [K, d_ff] (wgrad-linear: dV)
  --op row-sums      linalg.generic summing [M, N] along its last dimension
                     (RMS norm's sum of squares) into a zero fill [M];
                     row-sums-keepdim: into [M, 1], as torch-mlir exports
                     sum(dim=-1, keepdim=True); row-sums-reduce: a
                     linalg.reduce, as glu-t5's builders write it
  --op row-max       linalg.generic taking the maximumf of [M, N] along its
                     last dimension and of an init [M] (softmax's max)
  --op column-sums   linalg.reduce (addf over rows) of [M, N] into a zero
                     fill: the bias gradients' column sums
  --kept h|pre       with --op gated or activated: the op also returns its
                     pre-activations (a second destination); check its h
                     result or the pre-activations [a | b] + bias (a + bias)
  --op glu           a whole unfused ffn.glu ACT layer (x [M, K], W and V
                     [K, N], W2 [N, K]): generated GEMMs for its matmuls and
                     the vectorized elementwise gating between them

The program runs through `glu-opt --glu-reference-pipeline` and through
`glu-opt --glu-cpu-pipeline[=OPTIONS]`, both with mlir-runner; the results
must agree within the rule of glu_mlir_testing.relative_errors()
(|got - want| <= 1e-5 |want| + 1e-6 max|want|). Prints one line,
"PASS cpu-gemm CASE max_rel_err=E" or "FAIL cpu-gemm CASE ... worst=...",
and exits 0 or 1 (2 when a tool fails: "ERROR cpu-gemm CASE").
--dynamic gives @gemm operands of dynamic sizes (its result stays static,
as an entry point's out-parameter must). --perturb multiplies the generated
path's numbers by 1 + 1e-3 first, to prove that the check can fail.
"""

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import glu_mlir_testing as t  # noqa: E402

ACTIVATIONS = ("relu", "gelu", "gelu_tanh", "swish", "sigmoid", "identity")
OPS = ("gated", "activated", "matmul", "matmul-tb", "matmul-ta", "matmul-acc",
       "glu", "dgate", "dactivation", "apply-gate", "pack", "unpack",
       "unpack-linear", "dx-packed", "wgrad", "wgrad-linear", "row-sums",
       "row-sums-keepdim", "row-sums-reduce", "row-max", "column-sums")
# Ops whose @gemm is built by build_backward (static shapes only).
BACKWARD_OPS = ("dgate", "dactivation", "apply-gate", "pack", "unpack",
                "unpack-linear", "dx-packed", "wgrad", "wgrad-linear",
                "row-sums", "row-sums-keepdim", "row-sums-reduce", "row-max",
                "column-sums")


def pack(w, v, block):
    """The interleaved column blocks of ffn.pack_gated (last axis)."""
    d_ff = w.shape[-1]
    pieces = []
    for start in range(0, d_ff, block):
        stop = min(start + block, d_ff)
        pieces += [w[..., start:stop], v[..., start:stop]]
    return np.concatenate(pieces, axis=-1)


def zero_fill(tensor_type):
    """Lines defining %init, a linalg.fill of 0.0 of `tensor_type`."""
    return ["  %zero = arith.constant 0.0 : f32",
            "  %%empty = tensor.empty() : %s" % tensor_type,
            "  %%init = linalg.fill ins(%%zero : f32) outs(%%empty : %s) -> %s"
            % (tensor_type, tensor_type)]


def row_reduction(in_type, out_type, out_map, combiner):
    """Lines of %r, a linalg.generic reducing %x [M, N] along its last
    dimension into %init with the arith op `combiner`."""
    return ["  %%r = linalg.generic {indexing_maps = ["
            "affine_map<(d0, d1) -> (d0, d1)>, "
            "affine_map<(d0, d1) -> %s>], "
            "iterator_types = [\"parallel\", \"reduction\"]} "
            "ins(%%x : %s) outs(%%init : %s) {" % (out_map, in_type, out_type),
            "    ^bb0(%a: f32, %b: f32):",
            "      %%s = arith.%s %%a, %%b : f32" % combiner,
            "      linalg.yield %s : f32",
            "    } -> %s" % out_type]


def reduce_sum(in_type, out_type, dimension):
    """Lines of %r, a linalg.reduce adding %x along `dimension` into
    %init."""
    return ["  %%r = linalg.reduce ins(%%x : %s) outs(%%init : %s) "
            "dimensions = [%d]" % (in_type, out_type, dimension),
            "    (%a: f32, %b: f32) {",
            "      %s = arith.addf %a, %b : f32",
            "      linalg.yield %s : f32",
            "    }"]


def build_backward(args, rng):
    """(operands, @gemm body lines, result shape) of the fused backward's
    ops."""
    m, k, n, block, act = args.m, args.k, args.n, args.block, args.activation

    def normal(shape, scale=1.0):
        return (scale * rng.standard_normal(shape)).astype(np.float32)

    if args.op == "dgate":
        operands = [("dy", normal((m, k))),
                    ("w2", normal((n, k), 1 / np.sqrt(k))),
                    ("ab", normal((m, 2 * n)))]
        out = [m, 2 * n]
    elif args.op == "dactivation":
        operands = [("dy", normal((m, k))),
                    ("w2", normal((n, k), 1 / np.sqrt(k))),
                    ("a", normal((m, n)))]
        out = [m, n]
    elif args.op == "apply-gate":
        operands = [("ab", normal((m, 2 * n)))]
        out = [m, n]
    elif args.op == "pack":
        operands = [("w", normal((m, n))), ("v", normal((m, n)))]
        out = [m, 2 * n]
    elif args.op == "column-sums":
        operands = [("x", normal((m, n)))]
        out = [n]
    elif args.op == "row-max":
        operands = [("x", normal((m, n))), ("init", normal((m,)))]
        out = [m]
    elif args.op in ("row-sums", "row-sums-keepdim", "row-sums-reduce"):
        operands = [("x", normal((m, n)))]
        out = [m, 1] if args.op == "row-sums-keepdim" else [m]
    elif args.op == "dx-packed":
        operands = [("dab", normal((m, 2 * n))),
                    ("w", normal((k, n), 1 / np.sqrt(n))),
                    ("v", normal((k, n), 1 / np.sqrt(n)))]
        out = [m, k]
    elif args.op in ("wgrad", "wgrad-linear"):
        operands = [("x", normal((m, k))), ("dab", normal((m, 2 * n)))]
        out = [k, n]
    else:
        operands = [("p", normal((m, 2 * n)))]
        out = [m, n]
    types = [t.tensor_type(a.shape) for _, a in operands]
    out_type = t.tensor_type(out)
    params = ", ".join("%%%s: %s" % (name, ty)
                       for (name, _), ty in zip(operands, types))
    ins = ", ".join("%" + name for name, _ in operands)
    body = ["func.func @gemm(%s) -> %s {" % (params, out_type)]
    if args.op in ("dgate", "dactivation"):
        blocked = " block_size(%d)" % block if args.op == "dgate" else ""
        body += ["  %%empty = tensor.empty() : %s" % out_type,
                 "  %%r = ffn.%s_matmul %s%s ins(%s : %s) outs(%%empty : %s)"
                 " -> %s" % (args.op, act, blocked, ins, ", ".join(types),
                             out_type, out_type)]
    elif args.op == "apply-gate":
        body.append("  %%r = ffn.apply_gate %s block_size(%d) %%ab : %s -> %s"
                    % (act, block, types[0], out_type))
    elif args.op == "column-sums":
        body += zero_fill(out_type) + reduce_sum(types[0], out_type, 0)
    elif args.op == "row-max":
        body += row_reduction(types[0], out_type, "(d0)", "maximumf")
    elif args.op == "row-sums-reduce":
        body += zero_fill(out_type) + reduce_sum(types[0], out_type, 1)
    elif args.op in ("row-sums", "row-sums-keepdim"):
        out_map = "(d0)" if args.op == "row-sums" else "(d0, 0)"
        body += zero_fill(out_type) + row_reduction(types[0], out_type,
                                                    out_map, "addf")
    elif args.op == "dx-packed":
        packed_type = t.tensor_type([k, 2 * n])
        body.append("  %%p = ffn.pack_gated %%w, %%v block_size(%d) : %s, "
                    "%s -> %s" % (block, types[1], types[2], packed_type))
        body += zero_fill(out_type) + [
                 "  %%r = linalg.matmul indexing_maps = ["
                 "affine_map<(m, n, k) -> (m, k)>, "
                 "affine_map<(m, n, k) -> (n, k)>, "
                 "affine_map<(m, n, k) -> (m, n)>] ins(%%dab, %%p : %s, %s) "
                 "outs(%%init : %s) -> %s"
                 % (types[0], packed_type, out_type, out_type)]
    elif args.op in ("wgrad", "wgrad-linear"):
        packed_type = t.tensor_type([k, 2 * n])
        first = "%r" if args.op == "wgrad" else "%g"
        second = "%g" if args.op == "wgrad" else "%r"
        body += zero_fill(packed_type) + [
                 "  %%d = linalg.matmul indexing_maps = ["
                 "affine_map<(i, j, r) -> (r, i)>, "
                 "affine_map<(i, j, r) -> (r, j)>, "
                 "affine_map<(i, j, r) -> (i, j)>] ins(%%x, %%dab : %s, %s) "
                 "outs(%%init : %s) -> %s"
                 % (types[0], types[1], packed_type, packed_type),
                 "  %s, %s = ffn.unpack_gated %%d block_size(%d) : %s -> "
                 "%s, %s" % (first, second, block, packed_type, out_type,
                             out_type)]
    elif args.op == "pack":
        body.append("  %%r = ffn.pack_gated %%w, %%v block_size(%d) : %s, %s "
                    "-> %s" % (block, types[0], types[1], out_type))
    else:
        first = "%r" if args.op == "unpack" else "%g"
        second = "%g" if args.op == "unpack" else "%r"
        body.append("  %s, %s = ffn.unpack_gated %%p block_size(%d) : %s -> "
                    "%s, %s" % (first, second, block, types[0], out_type,
                                out_type))
    body += ["  return %%r : %s" % out_type, "}"]
    return operands, body, out


def build(args, rng):
    """(program text, result shape)."""
    m, k, n = args.m, args.k, args.n
    if args.op in BACKWARD_OPS:
        operands, body, out = build_backward(args, rng)
        main = [t.constant_line("%c_" + name, array)
                for name, array in operands]
        main.append("  %%result = func.call @gemm(%s) : (%s) -> %s"
                    % (", ".join("%c_" + name for name, _ in operands),
                       ", ".join(t.tensor_type(a.shape)
                                 for _, a in operands),
                       t.tensor_type(out)))
        main += t.print_bits_lines("%result", out)
        return "\n".join(body) + "\n" + t.main_program(
            "test/cpu/cpu_gemm_check.py", main), out
    batch = [args.batch] if args.batch else []
    x_shape = batch + ([k, m] if args.op == "matmul-ta" else [m, k])
    x = rng.standard_normal(x_shape).astype(np.float32)
    operands = [("x", x)]
    if args.op == "gated":
        w = (rng.standard_normal((k, n)) / np.sqrt(k)).astype(np.float32)
        v = (rng.standard_normal((k, n)) / np.sqrt(k)).astype(np.float32)
        operands.append(("p", pack(w, v, args.block)))
        if args.bias:
            b = (0.5 * rng.standard_normal(n)).astype(np.float32)
            c = (0.5 * rng.standard_normal(n)).astype(np.float32)
            operands.append(("bias", pack(b, c, args.block)))
    elif args.op == "activated":
        operands.append(("w", (rng.standard_normal((k, n)) /
                               np.sqrt(k)).astype(np.float32)))
        if args.bias:
            operands.append(("bias", (0.5 * rng.standard_normal(n))
                             .astype(np.float32)))
    elif args.op == "glu":
        for name in ("w", "v"):
            operands.append((name, (rng.standard_normal((k, n)) /
                                    np.sqrt(k)).astype(np.float32)))
        operands.append(("w2", (rng.standard_normal((n, k)) /
                                np.sqrt(n)).astype(np.float32)))
    else:
        w_shape = batch + ([n, k] if args.op == "matmul-tb" else [k, n])
        operands.append(("w", (rng.standard_normal(w_shape) /
                               np.sqrt(k)).astype(np.float32)))
        if args.op == "matmul-acc":
            operands.append(("acc", rng.standard_normal(batch + [m, n])
                             .astype(np.float32)))

    out = [m, k] if args.op == "glu" else batch + [m, n]
    # The kept pre-activations of a gated GEMM are packed: [M, 2 N].
    pre_shape = [m, 2 * n] if args.op == "gated" else [m, n]
    if args.kept == "pre":
        out = pre_shape
    static_out_type = t.tensor_type(out)

    def param_type(array):
        """The type @gemm takes `array` as: every size dynamic with
        --dynamic."""
        if args.dynamic:
            return "tensor<%sf32>" % ("?x" * array.ndim)
        return t.tensor_type(array.shape)

    # With --dynamic the GEMM sees dynamic sizes only; @gemm still returns
    # a static type, since a function result becomes an out-parameter the
    # caller allocates, which needs its size (buffer-results-to-out-params).
    out_type = "tensor<?x?xf32>" if args.dynamic else static_out_type
    params = ", ".join("%%%s: %s" % (name, param_type(a))
                       for name, a in operands)
    types = ", ".join(param_type(a) for _, a in operands)
    body = ["func.func @gemm(%s) -> %s {" % (params, static_out_type)]
    if args.dynamic:
        # M from x, the output columns from the weight.
        lhs_dim = 1 if args.op == "matmul-ta" else 0
        w_name, w_dim = ("p", 1) if args.op == "gated" else ("w", 1)
        if args.op == "matmul-tb":
            w_dim = 0
        body += ["  %c0 = arith.constant 0 : index",
                 "  %c1 = arith.constant 1 : index",
                 "  %%m = tensor.dim %%x, %%c%d : %s"
                 % (lhs_dim, param_type(operands[0][1])),
                 "  %%wn = tensor.dim %%%s, %%c%d : tensor<?x?xf32>"
                 % (w_name, w_dim)]
        if args.op == "gated":
            body += ["  %c2 = arith.constant 2 : index",
                     "  %n = arith.divui %wn, %c2 : index"]
        else:
            body.append("  %n = arith.addi %wn, %c0 : index")
        body.append("  %%empty = tensor.empty(%%m, %%n) : %s" % out_type)
    else:
        body.append("  %%empty = tensor.empty() : %s" % out_type)
    act = args.activation
    if args.kept:
        # The op returns (h, pre-activations); @gemm returns one of them.
        h_type = t.tensor_type([m, n])
        pre_type = t.tensor_type(pre_shape)
        ins = ", ".join("%" + name for name, _ in operands)
        block = " block_size(%d)" % args.block if args.op == "gated" else ""
        body = body[:-1] + [
            "  %%h_init = tensor.empty() : %s" % h_type,
            "  %%pre_init = tensor.empty() : %s" % pre_type,
            "  %%h, %%pre = ffn.%s_matmul %s%s ins(%s : %s) outs(%%h_init : "
            "%s) preactivations(%%pre_init : %s) -> %s, %s"
            % (args.op, act, block, ins, types, h_type, pre_type, h_type,
               pre_type),
            "  %%r = tensor.cast %%%s : %s to %s"
            % ("pre" if args.kept == "pre" else "h",
               pre_type if args.kept == "pre" else h_type, out_type)]
    elif args.op == "gated":
        ins = ", ".join("%" + name for name, _ in operands)
        body.append("  %%r = ffn.gated_matmul %s block_size(%d) ins(%s : %s) "
                    "outs(%%empty : %s) -> %s"
                    % (act, args.block, ins, types, out_type, out_type))
    elif args.op == "glu":
        ins = ", ".join("%" + name for name, _ in operands)
        body.append("  %%r = ffn.glu %s %s : (%s) -> %s"
                    % (act, ins, types, out_type))
    elif args.op == "activated":
        ins = ", ".join("%" + name for name, _ in operands)
        body.append("  %%r = ffn.activated_matmul %s ins(%s : %s) "
                    "outs(%%empty : %s) -> %s"
                    % (act, ins, types, out_type, out_type))
    else:
        maps = ""
        if args.op in ("matmul-ta", "matmul-tb"):
            lhs = "k, m" if args.op == "matmul-ta" else "m, k"
            rhs = "n, k" if args.op == "matmul-tb" else "k, n"
            b = "b, " if batch else ""
            maps = (" indexing_maps = [affine_map<(%sm, n, k) -> (%s%s)>, "
                    "affine_map<(%sm, n, k) -> (%s%s)>, "
                    "affine_map<(%sm, n, k) -> (%sm, n)>]"
                    % (b, b, lhs, b, b, rhs, b, b))
        if args.op == "matmul-acc":
            init = "%acc"
        else:
            body += ["  %zero = arith.constant 0.0 : f32",
                     "  %%init = linalg.fill ins(%%zero : f32) outs(%%empty "
                     ": %s) -> %s" % (out_type, out_type)]
            init = "%init"
        body.append("  %%r = linalg.%smatmul%s ins(%%x, %%w : %s, %s) "
                    "outs(%s : %s) -> %s"
                    % ("batch_" if batch else "", maps,
                       param_type(operands[0][1]),
                       param_type(operands[1][1]), init, out_type,
                       out_type))
    if args.dynamic:
        body += ["  %%rs = tensor.cast %%r : %s to %s"
                 % (out_type, static_out_type),
                 "  return %%rs : %s" % static_out_type, "}"]
    else:
        body += ["  return %%r : %s" % out_type, "}"]

    main = []
    for name, array in operands:
        main.append(t.constant_line("%c_" + name, array))
        if args.dynamic:
            main.append("  %%d_%s = tensor.cast %%c_%s : %s to %s"
                        % (name, name, t.tensor_type(array.shape),
                           param_type(array)))
    prefix = "%d_" if args.dynamic else "%c_"
    main.append("  %%result = func.call @gemm(%s) : (%s) -> %s"
                % (", ".join(prefix + name for name, _ in operands), types,
                   static_out_type))
    main += t.print_bits_lines("%result", out)
    program = "\n".join(body) + "\n" + t.main_program(
        "test/cpu/cpu_gemm_check.py", main)
    return program, out


def describe(args):
    text = "%s m=%d k=%d n=%d" % (args.op, args.m, args.k, args.n)
    if args.batch:
        text += " batch=%d" % args.batch
    if args.op in ("gated", "activated", "glu", "dgate", "dactivation",
                   "apply-gate"):
        text += " %s" % args.activation
    if args.op in ("gated", "dgate", "apply-gate", "pack", "unpack",
                   "unpack-linear", "dx-packed", "wgrad", "wgrad-linear"):
        text += " block=%d" % args.block
    if args.bias:
        text += " bias"
    if args.kept:
        text += " kept=%s" % args.kept
    if args.dynamic:
        text += " dynamic"
    if args.fuse:
        text += " fused"
    if args.options:
        text += " [%s]" % args.options
    return text


def run(args, source, lowered, passes):
    t.run_tool([args.glu_opt, source] + passes + ["-o", lowered], "glu-opt")
    stdout, _ = t.run_tool([args.mlir_runner, lowered, "-e", "main",
                            "-entry-point-result=void", "-O3",
                            "-shared-libs=" + args.runner_libs],
                           "mlir-runner")
    return stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    t.add_tool_arguments(parser, "directory for the programs")
    parser.add_argument("--op", required=True, choices=OPS)
    parser.add_argument("--activation", default="swish", choices=ACTIVATIONS)
    parser.add_argument("--kept", choices=("h", "pre"),
                        help="gated/activated: keep the pre-activations and "
                             "check h or them")
    parser.add_argument("--m", type=t.positive_int, required=True)
    parser.add_argument("--k", type=t.positive_int, required=True)
    parser.add_argument("--n", type=t.positive_int, required=True,
                        help="output columns (d_ff for the gated op)")
    parser.add_argument("--block", type=t.positive_int, default=64)
    parser.add_argument("--batch", type=t.positive_int,
                        help="matmul ops: a linalg.batch_matmul of this "
                             "many GEMMs")
    parser.add_argument("--bias", action="store_true")
    parser.add_argument("--options", default="",
                        help="glu-cpu-pipeline options, e.g. tile-k=32")
    parser.add_argument("--dynamic", action="store_true",
                        help="@gemm takes and returns tensors of dynamic "
                             "sizes (not with --op glu)")
    parser.add_argument("--fuse", action="store_true",
                        help="--op glu: run ffn-fuse before the CPU "
                             "pipeline (the reference stays unfused)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--perturb", action="store_true")
    args = parser.parse_args()
    if args.batch and (args.op not in ("matmul", "matmul-tb", "matmul-ta",
                                       "matmul-acc") or args.dynamic):
        parser.error("--batch applies to static matmul ops only")
    if args.bias and args.op not in ("gated", "activated"):
        parser.error("--bias applies to gated and activated only")
    if args.dynamic and (args.op == "glu" or args.op in BACKWARD_OPS):
        parser.error("--dynamic does not apply to --op %s" % args.op)
    if args.fuse and args.op != "glu":
        parser.error("--fuse applies to --op glu only")
    if args.kept and (args.op not in ("gated", "activated") or args.dynamic):
        parser.error("--kept applies to static gated and activated only")

    rng = np.random.default_rng(args.seed)
    program, shape = build(args, rng)
    os.makedirs(args.tmp, exist_ok=True)
    stem = os.path.join(args.tmp, "%s-%d-%d-%d-%s-%d-%s-%d" % (
        args.op, args.m, args.k, args.n, args.activation, args.block,
        ("bias" if args.bias else "nobias") + (args.kept or ""),
        os.getpid()))
    paths = [stem + ".mlir", stem + ".ref.llvm.mlir", stem + ".cpu.llvm.mlir"]
    with open(paths[0], "w") as f:
        f.write(program)
    cpu = ["--glu-cpu-pipeline"]
    if args.options:
        cpu[0] += "=" + args.options
    if args.fuse:
        cpu.insert(0, "--ffn-fuse")
    try:
        want, = t.parse_printed_results(
            run(args, paths[0], paths[1], ["--glu-reference-pipeline"]),
            [shape], "mlir-runner (reference)")
        got, = t.parse_printed_results(
            run(args, paths[0], paths[2], cpu), [shape],
            "mlir-runner (cpu)")
    except t.ToolError as error:
        print("ERROR cpu-gemm %s (program: %s)" % (describe(args), paths[0]))
        print(error, file=sys.stderr)
        return 2
    if args.perturb:
        got = t.perturbed(got)
    atol = t.ATOL_SCALE * float(np.max(np.abs(want))) if want.size else 0.0
    rel_err, within = t.relative_errors(got, want, atol)
    finite = np.isfinite(got).all() and np.isfinite(want).all()
    ok = bool(finite and within.all())
    worst = np.unravel_index(int(np.argmax(rel_err)), rel_err.shape)
    line = "%s cpu-gemm %s max_rel_err=%.3g" % (
        "PASS" if ok else "FAIL", describe(args), float(rel_err.max()))
    if not ok:
        line += " worst=%s reference=%r generated=%r" % (
            list(int(i) for i in worst), float(want[worst]),
            float(got[worst]))
    return t.finish_case(line, ok, paths)


if __name__ == "__main__":
    sys.exit(main())
