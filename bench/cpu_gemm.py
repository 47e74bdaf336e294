#!/usr/bin/env python3
"""Times glu's generated CPU GEMMs on this machine.

For one gated layer's first half, h = swish(x W) * (x V) with x [M, K] and
W, V [K, d_ff] (default M = K = 512, d_ff = 1365, T5-base-like small),
this compares, in one run on the same machine:

  fused       ffn.gated_matmul through glu-cpu-pipeline: ONE generated GEMM
              over the packed [K, 2 d_ff] weight, gating in its epilogue
  unfused     the same layer unfused: two generated GEMMs (x W, x V) and the
              vectorized elementwise gating, through glu-cpu-pipeline
  reference   ffn.gated_matmul through glu-cpu-pipeline gemm=reference
              (the reference lowering's scalar loops)
  numpy       numpy.matmul of [M, K] x [K, 2 d_ff] (its BLAS), if numpy
  torch       torch.matmul of the same, if torch (same thread count)

Each MLIR variant is one module whose @main fills its inputs, calls the
layer `--runs` times, timing each call with rtclock, and prints the times;
mlir-runner -O3 runs it with libomp. The table gives the median time, the
GEMM GFLOP/s (2 M K 2 d_ff flops, the epilogue not counted) and the ratio
to the fused path. OMP_NUM_THREADS (default: all cores) applies to all.

    python bench/cpu_gemm.py --glu-opt build-cpu/bin/glu-opt
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

MLIR_LIB = "/usr/lib/llvm-22/lib"


def fill(name, shape, salt):
    """Lines defining %NAME as deterministic values in [-0.5, 0.5)."""
    dims = "x".join(str(d) for d in shape)
    t = "tensor<%sxf32>" % dims
    rank = len(shape)
    idx = ", ".join("d%d" % i for i in range(rank))
    lines = ["  %%%s_e = tensor.empty() : %s" % (name, t),
             "  %%%s = linalg.generic {indexing_maps = [affine_map<(%s) -> "
             "(%s)>], iterator_types = [%s]} outs(%%%s_e : %s) {"
             % (name, idx, idx, ", ".join(['"parallel"'] * rank), name, t),
             "  ^bb0(%%o_%s: f32):" % name]
    terms = []
    for i in range(rank):
        lines.append("    %%i%d_%s = linalg.index %d : index" % (i, name, i))
        lines.append("    %%c%d_%s = arith.constant %d : index"
                     % (i, name, [31, 17, 7][i] + salt))
        lines.append("    %%m%d_%s = arith.muli %%i%d_%s, %%c%d_%s : index"
                     % (i, name, i, name, i, name))
        terms.append("%%m%d_%s" % (i, name))
    acc = terms[0]
    for i, term in enumerate(terms[1:]):
        lines.append("    %%s%d_%s = arith.addi %s, %s : index"
                     % (i, name, acc, term))
        acc = "%%s%d_%s" % (i, name)
    lines += ["    %%p_%s = arith.constant 97 : index" % name,
              "    %%r_%s = arith.remui %s, %%p_%s : index" % (name, acc, name),
              "    %%ri_%s = arith.index_cast %%r_%s : index to i32"
              % (name, name),
              "    %%rf_%s = arith.sitofp %%ri_%s : i32 to f32" % (name, name),
              "    %%sc_%s = arith.constant 0.0103092784 : f32" % name,
              "    %%h_%s = arith.constant 0.5 : f32" % name,
              "    %%v0_%s = arith.mulf %%rf_%s, %%sc_%s : f32"
              % (name, name, name),
              "    %%v_%s = arith.subf %%v0_%s, %%h_%s : f32"
              % (name, name, name),
              "    linalg.yield %%v_%s : f32" % name,
              "  } -> %s" % t]
    return lines


def program(variant, m, k, d_ff, block, runs):
    x_t = "tensor<%dx%dxf32>" % (m, k)
    h_t = "tensor<%dx%dxf32>" % (m, d_ff)
    w_t = "tensor<%dx%dxf32>" % (k, d_ff)
    p_t = "tensor<%dx%dxf32>" % (k, 2 * d_ff)
    if variant == "unfused":
        inputs = [("x", [m, k], 0), ("w", [k, d_ff], 1), ("v", [k, d_ff], 2)]
        layer = [
            "func.func @layer(%%x: %s, %%w: %s, %%v: %s) -> %s {"
            % (x_t, w_t, w_t, h_t),
            "  %%e = tensor.empty() : %s" % h_t,
            "  %zero = arith.constant 0.0 : f32",
            "  %%z = linalg.fill ins(%%zero : f32) outs(%%e : %s) -> %s"
            % (h_t, h_t),
            "  %%a = linalg.matmul ins(%%x, %%w : %s, %s) outs(%%z : %s) -> %s"
            % (x_t, w_t, h_t, h_t),
            "  %%b = linalg.matmul ins(%%x, %%v : %s, %s) outs(%%z : %s) -> %s"
            % (x_t, w_t, h_t, h_t),
            "  %%h = linalg.generic {indexing_maps = [affine_map<(i, j) -> "
            "(i, j)>, affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> "
            "(i, j)>], iterator_types = [\"parallel\", \"parallel\"]} "
            "ins(%%a, %%b : %s, %s) outs(%%e : %s) {" % (h_t, h_t, h_t),
            "  ^bb0(%ga: f32, %gb: f32, %go: f32):",
            "    %n = arith.negf %ga : f32",
            "    %ex = math.exp %n : f32",
            "    %one = arith.constant 1.0 : f32",
            "    %den = arith.addf %one, %ex : f32",
            "    %sg = arith.divf %one, %den : f32",
            "    %sw = arith.mulf %ga, %sg : f32",
            "    %pr = arith.mulf %sw, %gb : f32",
            "    linalg.yield %pr : f32",
            "  } -> %s" % h_t,
            "  return %%h : %s" % h_t, "}"]
        args = "%x, %w, %v"
        types = "%s, %s, %s" % (x_t, w_t, w_t)
    else:
        inputs = [("x", [m, k], 0), ("p", [k, 2 * d_ff], 1)]
        layer = [
            "func.func @layer(%%x: %s, %%p: %s) -> %s {" % (x_t, p_t, h_t),
            "  %%e = tensor.empty() : %s" % h_t,
            "  %%h = ffn.gated_matmul swish block_size(%d) ins(%%x, %%p : "
            "%s, %s) outs(%%e : %s) -> %s" % (block, x_t, p_t, h_t, h_t),
            "  return %%h : %s" % h_t, "}"]
        args = "%x, %p"
        types = "%s, %s" % (x_t, p_t)
    main = ["func.func private @rtclock() -> f64",
            "func.func @main() {"]
    for name, shape, salt in inputs:
        main += fill(name, shape, salt)
    main += [
        "  %c0 = arith.constant 0 : index",
        "  %c1 = arith.constant 1 : index",
        "  %%runs = arith.constant %d : index" % runs,
        "  scf.for %i = %c0 to %runs step %c1 {",
        "    %t0 = func.call @rtclock() : () -> f64",
        "    %%h = func.call @layer(%s) : (%s) -> %s" % (args, types, h_t),
        "    %t1 = func.call @rtclock() : () -> f64",
        "    %dt = arith.subf %t1, %t0 : f64",
        "    vector.print %dt : f64",
        # Keep the result alive: print one element once per run.
        "    %%el = tensor.extract %%h[%%c1, %%c1] : %s" % h_t,
        "    vector.print %el : f32",
        "  }",
        "  return", "}"]
    return "\n".join(layer + main) + "\n"


def run_variant(args, variant, runs, tmp):
    source = os.path.join(tmp, variant + ".mlir")
    lowered = os.path.join(tmp, variant + ".llvm.mlir")
    with open(source, "w") as f:
        f.write(program(variant, args.m, args.k, args.d_ff, args.block, runs))
    options = "gemm=reference" if variant == "reference" else ""
    if args.options and variant != "reference":
        options = args.options
    pipeline = "--glu-cpu-pipeline" + ("=" + options if options else "")
    subprocess.run([args.glu_opt, source, pipeline, "-o", lowered],
                   check=True)
    libs = ",".join(os.path.join(MLIR_LIB, lib) for lib in (
        "libmlir_runner_utils.so", "libmlir_c_runner_utils.so",
        "libomp.so"))
    done = subprocess.run([args.mlir_runner, lowered, "-e", "main",
                           "-entry-point-result=void", "-O3",
                           "-shared-libs=" + libs],
                          check=True, capture_output=True, text=True)
    values = [float(v) for v in re.findall(r"^\s*([-0-9.e+]+)\s*$",
                                           done.stdout, re.M)]
    times = values[0::2]
    if len(times) != runs:
        sys.exit("%s printed %d times, expected %d:\n%s"
                 % (variant, len(times), runs, done.stdout))
    # The first call pays for page faults of the fresh buffers: drop it.
    return times[1:] if len(times) > 2 else times


def time_python(fn, runs):
    fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--glu-opt", required=True)
    parser.add_argument("--mlir-runner",
                        default=os.path.join(MLIR_LIB, "..", "bin",
                                             "mlir-runner"))
    parser.add_argument("--m", type=int, default=512)
    parser.add_argument("--k", type=int, default=512)
    parser.add_argument("--d-ff", type=int, default=1365)
    parser.add_argument("--block", type=int, default=64)
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--reference-runs", type=int, default=3)
    parser.add_argument("--options", default="",
                        help="glu-cpu-pipeline options for the generated "
                             "variants, e.g. 'tile-rows=48 tile-k=512'")
    args = parser.parse_args()

    flops = 2.0 * args.m * args.k * 2 * args.d_ff
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for variant, runs in (("fused", args.runs), ("unfused", args.runs),
                              ("reference", args.reference_runs)):
            rows.append((variant, run_variant(args, variant, runs, tmp)))
    try:
        import numpy as np
        rng = np.random.default_rng(0)
        x = rng.standard_normal((args.m, args.k)).astype(np.float32)
        p = rng.standard_normal((args.k, 2 * args.d_ff)).astype(np.float32)
        rows.append(("numpy", time_python(lambda: np.matmul(x, p),
                                          args.runs)))
        try:
            import torch
            threads = int(os.environ.get("OMP_NUM_THREADS", os.cpu_count()))
            torch.set_num_threads(threads)
            tx, tp = torch.from_numpy(x), torch.from_numpy(p)
            with torch.no_grad():
                rows.append(("torch", time_python(lambda: tx @ tp,
                                                  args.runs)))
        except ImportError:
            pass
    except ImportError:
        pass

    print("gated GEMM M=%d K=%d d_ff=%d block=%d (%.3f GFLOP), %s threads"
          % (args.m, args.k, args.d_ff, args.block, flops / 1e9,
             os.environ.get("OMP_NUM_THREADS", "all %d" % os.cpu_count())))
    fused = statistics.median(rows[0][1])
    print("%-10s %12s %10s %12s" % ("variant", "median ms", "GFLOP/s",
                                     "vs fused"))
    for name, times in rows:
        med = statistics.median(times)
        print("%-10s %12.3f %10.1f %11.2fx"
              % (name, med * 1e3, flops / med / 1e9, med / fused))


if __name__ == "__main__":
    main()
