#!/usr/bin/env python3
"""Checks a layer on dynamic batch dimensions against PyTorch.

One case is one ffn.ffn or ffn.glu layer (or its gradient, ffn.ffn_grad or
ffn.glu_grad) in a function @layer whose x (and dy) have their leading
--dynamic dimensions dynamic, e.g. tensor<?x?x16xf32> for --shape 2x3x16:
the layer computes on rows and expands its result back to the batch
dimensions with sizes known only at run time (the memref.expand_shape with
several dynamic sizes in one group that glu-lower-multi-dynamic-expand-shapes
lowers). @layer casts its results to static types (an entry point's
out-parameters must be static) and @main calls it with seeded random
constants cast to the dynamic types and prints the results' exact bits.

The program runs through `glu-opt --glu-reference-pipeline`,
`--glu-cpu-pipeline` or `--glu-frontend-pipeline --glu-cpu-pipeline` (what
glu-compile runs; --pipeline) and mlir-runner; every result must agree with
PyTorch in float64 (autograd for the gradients) within the rule of
glu_mlir_testing.relative_errors(). Prints one line, "PASS dynamic-batch
CASE max_rel_err=E" or "FAIL dynamic-batch CASE ... worst=...", and exits 0
or 1 (2 when a tool fails: "ERROR dynamic-batch CASE"). --perturb
multiplies the compiled results by 1 + 1e-3 first, to prove that the check
can fail.
"""

import argparse
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
import glu_mlir_testing as t  # noqa: E402
from ffn_reference_check import torch_activation  # noqa: E402

PIPELINES = {
    "reference": ["--glu-reference-pipeline"],
    "cpu": ["--glu-cpu-pipeline"],
    "frontend-cpu": ["--glu-frontend-pipeline", "--glu-cpu-pipeline"],
}


def dynamic_type(shape, dynamic):
    """tensor<?x?x16xf32> for shape [2, 3, 16] with 2 dynamic dims."""
    return "tensor<" + "".join(
        "?x" if i < dynamic else "%dx" % d
        for i, d in enumerate(shape)) + "f32>"


def build(args, operands):
    """(program text, [(name, shape)] of the results printed in order)."""
    op, gradient = args.op.replace("_grad", ""), args.op.endswith("_grad")
    names = t.layer_input_names(op, [])
    x_shape = list(operands["x"].shape)
    out_shape = x_shape[:-1] + [operands["w2"].shape[1]]
    types = {n: t.tensor_type(operands[n].shape) for n in names}
    types["x"] = dynamic_type(x_shape, args.dynamic)
    values = {n: "%" + n for n in names}
    params = ["%%%s: %s" % (n, types[n]) for n in names]
    dy = None
    if gradient:
        dy = ("%dy", dynamic_type(out_shape, args.dynamic))
        params.append("%%dy: %s" % dy[1])
        results = [(n, list(operands[n].shape)) for n in names]
        results[0] = ("dx", x_shape)
    else:
        results = [("y", out_shape)]
    # The first result has the dynamic batch dimensions; the weights'
    # gradients are static.
    first_dynamic = dynamic_type(results[0][1], args.dynamic)
    raw_types = [first_dynamic] + [t.tensor_type(s) for _, s in results[1:]]
    static_types = [t.tensor_type(s) for _, s in results]
    raw = ["%%r%d" % i for i in range(len(results))]
    result_type = (raw_types[0] if not gradient
                   else "(" + ", ".join(raw_types) + ")")
    body = ["func.func @layer(%s) -> (%s) {"
            % (", ".join(params), ", ".join(static_types)),
            t.layer_call(", ".join(raw), op, args.activation, names, values,
                         types, result_type, dy),
            "  %%s0 = tensor.cast %%r0 : %s to %s"
            % (raw_types[0], static_types[0]),
            "  return %s : %s" % (", ".join(["%s0"] + raw[1:]),
                                  ", ".join(static_types)),
            "}"]

    main = []
    call_args, call_types = [], []
    inputs = names + (["dy"] if gradient else [])
    for name in inputs:
        main.append(t.constant_line("%c_" + name, operands[name]))
        static = t.tensor_type(operands[name].shape)
        wanted = types.get(name, dy[1] if name == "dy" else static)
        if wanted != static:
            main.append("  %%d_%s = tensor.cast %%c_%s : %s to %s"
                        % (name, name, static, wanted))
            call_args.append("%d_" + name)
        else:
            call_args.append("%c_" + name)
        call_types.append(wanted)
    main.append("  %s = func.call @layer(%s) : (%s) -> (%s)"
                % (", ".join("%%out%d" % i for i in range(len(results))),
                   ", ".join(call_args), ", ".join(call_types),
                   ", ".join(static_types)))
    for i, (_, shape) in enumerate(results):
        main += t.print_bits_lines("%%out%d" % i, shape, suffix="_%d" % i)
    program = "\n".join(body) + "\n" + t.main_program(
        "test/cpu/dynamic_batch_check.py", main)
    return program, results


def reference(args, operands, results):
    """Every result in float64 with PyTorch (autograd for the gradients)."""
    op, gradient = args.op.replace("_grad", ""), args.op.endswith("_grad")
    v = {n: torch.from_numpy(a.astype(np.float64)).requires_grad_(n != "dy")
         for n, a in operands.items()}
    x = v["x"]
    if op == "ffn":
        hidden = torch_activation(args.activation, None, x @ v["w1"])
    else:
        hidden = (torch_activation(args.activation, None, x @ v["w"]) *
                  (x @ v["v"]))
    y = hidden @ v["w2"]
    if not gradient:
        return [y.detach().numpy()]
    y.backward(v["dy"])
    return [v["x" if name == "dx" else name].grad.numpy()
            for name, _ in results]


def describe(args):
    return "%s %s x=[%s] dynamic=%d d_ff=%d d_out=%d pipeline=%s" % (
        args.op, args.activation, ",".join(str(d) for d in args.shape),
        args.dynamic, args.d_ff, args.d_out or args.shape[-1], args.pipeline)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    t.add_tool_arguments(parser, "directory for the programs")
    parser.add_argument("--op", required=True,
                        choices=("ffn", "glu", "ffn_grad", "glu_grad"))
    parser.add_argument("--activation", default="swish",
                        choices=("relu", "gelu", "gelu_tanh", "swish",
                                 "sigmoid", "identity"))
    parser.add_argument("--shape", type=t.parse_shape, required=True,
                        help="x's run-time shape, e.g. 2x3x16")
    parser.add_argument("--dynamic", type=t.positive_int, required=True,
                        help="how many leading dimensions of x are dynamic")
    parser.add_argument("--d-ff", type=t.positive_int, default=32)
    parser.add_argument("--d-out", type=t.positive_int,
                        help="output width (default d_model)")
    parser.add_argument("--pipeline", required=True, choices=list(PIPELINES))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--perturb", action="store_true")
    args = parser.parse_args()
    if args.dynamic >= len(args.shape):
        parser.error("--dynamic counts batch dimensions: at most %d"
                     % (len(args.shape) - 1))

    op = args.op.replace("_grad", "")
    d_out = args.d_out or args.shape[-1]
    rng = np.random.default_rng(args.seed)
    operands = t.draw_layer_operands(rng, op, args.shape, args.d_ff, d_out,
                                     [])
    if args.op.endswith("_grad"):
        operands["dy"] = rng.standard_normal(
            args.shape[:-1] + [d_out]).astype(np.float32)
    program, results = build(args, operands)

    os.makedirs(args.tmp, exist_ok=True)
    stem = os.path.join(args.tmp, "%s-%s-%s-dyn%d-%s-%d" % (
        args.op, args.activation, "x".join(str(d) for d in args.shape),
        args.dynamic, args.pipeline, os.getpid()))
    paths = [stem + ".mlir", stem + ".llvm.mlir"]
    with open(paths[0], "w") as f:
        f.write(program)
    try:
        t.run_tool([args.glu_opt, paths[0]] + PIPELINES[args.pipeline] +
                   ["-o", paths[1]], "glu-opt")
        stdout, _ = t.run_tool([args.mlir_runner, paths[1], "-e", "main",
                                "-entry-point-result=void",
                                "-shared-libs=" + args.runner_libs],
                               "mlir-runner")
        got = t.parse_printed_results(stdout, [s for _, s in results],
                                      "mlir-runner")
    except t.ToolError as error:
        print("ERROR dynamic-batch %s (program: %s)"
              % (describe(args), paths[0]))
        print(error, file=sys.stderr)
        return 2
    if args.perturb:
        got = [t.perturbed(g) for g in got]

    want = reference(args, operands, results)
    ok, worst_line, max_rel = True, "", 0.0
    for (name, _), g, w in zip(results, got, want):
        atol = t.ATOL_SCALE * float(np.max(np.abs(w))) if w.size else 0.0
        rel_err, within = t.relative_errors(g, w, atol)
        rel_err[~np.isfinite(g)] = np.inf
        if float(rel_err.max()) > max_rel:
            max_rel = float(rel_err.max())
        if not (within.all() and np.isfinite(g).all()) and ok:
            ok = False
            worst = np.unravel_index(int(np.argmax(rel_err)), rel_err.shape)
            worst_line = " worst=%s%s got=%.9g want=%.9g" % (
                name, list(int(i) for i in worst), float(g[worst]),
                float(w[worst]))
    line = "%s dynamic-batch %s max_rel_err=%.3g%s" % (
        "PASS" if ok else "FAIL", describe(args), max_rel, worst_line)
    return t.finish_case(line, ok, paths)


if __name__ == "__main__":
    sys.exit(main())
