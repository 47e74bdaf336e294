#!/usr/bin/env python3
"""glu's CPU benchmark suite: every FFN variant against its peers and this
machine's ceilings, in one run, side by side.

What is measured. A cell is one layer (variant), width, token count M and
mode:

  variants  the eight of "GLU Variants Improve Transformer": ffn_relu,
            ffn_gelu, ffn_swish (ffn.ffn) and glu (sigmoid gate), bilinear
            (identity), reglu, geglu, swiglu (ffn.glu); gelu is the exact,
            erf form; no biases
  widths    t5-small (d_model 512, d_ff 2048, gated 1365), t5-base (768,
            3072, gated 2048), llama-7b (4096, 11008, gated 11008: LLaMA's
            own gated width, so its gated layers have 1.5x the parameters)
  tokens    M = 1, 16, 128, 2048 rows of x
  modes     forward: y = layer(x); train: the whole train step, y and every
            gradient (dx, dW, dV, dW2; ffn.glu + ffn.glu_grad, or ffn.ffn +
            ffn.ffn_grad), as `glu-t5` trains

and each cell is timed by these peers, one after the other:

  glu            glu-compile (raise, fuse: one GEMM over the packed [W | V]
                 with the gate in its epilogue), timed by glu-run
  glu-nofuse     glu-compile --no-fuse (separate GEMMs and elementwise code)
  torch          PyTorch eager, float32 (autograd for train; inference_mode
                 for forward)
  torch-compile  torch.compile (inductor, dynamic=False) of the same
                 function; a failure is a missing cell, not a crash
  onnxruntime    the layer as an ONNX graph made with onnx.helper (MatMul,
                 Relu, Sigmoid, Mul, Erf-based GELU), weights as graph
                 inputs like every other peer's; forward only: the
                 inference package has no autograd, so train cells show "-"
  openblas       the ceiling of a BLAS: numpy's matmul (its bundled
                 OpenBLAS) of the same GEMMs (same shapes, transposes and
                 FLOPs) with no activation, in a subprocess whose
                 environment has OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE
                 unset, so OpenBLAS picks its kernel for this CPU itself;
                 threadpoolctl names the pick ("architecture")

How. Every glu artifact is compiled once per (variant, width, M, mode,
fuse) into a temporary directory before any timing. A sample is one
glu-run process (--warmup 1, then N calls; its median) or, for the
in-process peers, the median of N timed calls after one warmup call per
cell; N is chosen from the FLOPs, the bytes and the measured ceilings so a
sample takes about --sample-seconds (at least 1 call, at most 100). A call
planned to take seconds (LLaMA-7B at M = 2048: a forward is ~0.5 TFLOP) is
one call per sample, and glu-run gets no warmup call there: its first
call's page faults are a small share of seconds. Each peer gives --repeats
samples; a cell reports their median and spread (min-max, and the quartiles
in the JSON). Threads: --threads
(default: every core this process may use) for all: OMP_NUM_THREADS for
glu-run, torch.set_num_threads, onnxruntime's intra_op_num_threads,
threadpoolctl's limit for OpenBLAS. Inputs are uniform in [-1, 1) scaled by
1/sqrt(rows), as glu-run draws them, for every peer.

Ceilings, measured at the start: the FMA peak (bench/fma_peak.c: 16 or 12
independent vector FMA chains per thread, compiled now with clang-22 -O3
-march=native, or cc; on 1 thread and on --threads; best of 3) and the
memory bandwidth (bench/stream_bw.c: read and STREAM triad over three
arrays 8x the L3; best of 5; the roofline uses read).

Ratios per cell: speedup = peer median / glu median (> 1: glu fused is
faster); % of FMA peak = GEMM FLOPs / glu time / peak, where the GEMM FLOPs
are 2 M d_model d_ff per projection matrix (3 gated, 2 ungated) and a train
step counts 3x the forward's; % of roofline = roofline time / glu time,
the roofline time being max(FLOPs / peak, bytes / bandwidth), bytes = the
weights read once plus x and y (train: plus the weight gradients written
once, dy read and dx written). When the weights fit in the L3 (T5-small
at small M), repeated calls read them from the cache, and % of roofline can
pass 100.

Output: progress on stderr (cell n of N, elapsed, each peer's median);
the machine, the ceilings, the estimated run time, then a Markdown table
on stdout; --json PATH everything (rewritten after each cell, so a stopped
run keeps what it measured); --png PATH the chart (bench/suite_plot.py,
which redraws it from a saved JSON).

GPU: when nvidia-smi lists a GPU the header and the JSON say so; GPU timing
is not part of this suite (scripts/gpu-check.sh and bench/cublas_peer.cu
time the CUDA back end); gpu_note() is where GPU rows would start.

    python3 bench/suite.py --build build --json suite.json --png suite.png
    python3 bench/suite.py --build build --smoke
    python3 bench/suite.py --build build --variants swiglu,ffn_relu \\
        --widths t5-small --tokens 1,128 --repeats 3
"""

import argparse
import concurrent.futures
import datetime
import gc
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(BENCH_DIR, "..", "test", "compile"))
from ffn_models import VARIANTS, operand_shapes, write_model  # noqa: E402

# The paper's names, in its order.
VARIANT_ORDER = ["ffn_relu", "ffn_gelu", "ffn_swish", "glu", "bilinear",
                 "reglu", "geglu", "swiglu"]
VARIANT_TITLES = {"ffn_relu": "FFN_ReLU", "ffn_gelu": "FFN_GELU",
                  "ffn_swish": "FFN_Swish", "glu": "GLU",
                  "bilinear": "Bilinear", "reglu": "ReGLU",
                  "geglu": "GEGLU", "swiglu": "SwiGLU"}
# name -> (title, d_model, d_ff of ffn.ffn, d_ff of ffn.glu)
WIDTHS = {"t5-small": ("T5-small", 512, 2048, 1365),
          "t5-base": ("T5-base", 768, 3072, 2048),
          "llama-7b": ("LLaMA-7B", 4096, 11008, 11008)}
TOKENS = [1, 16, 128, 2048]
MODES = ["forward", "train"]
PEERS = ["glu", "glu-nofuse", "torch", "torch-compile", "onnxruntime",
         "openblas"]
PEER_TITLES = {"glu": "glu", "glu-nofuse": "--no-fuse", "torch": "torch",
               "torch-compile": "torch.compile",
               "onnxruntime": "onnxruntime", "openblas": "OpenBLAS"}
SMOKE = dict(variants="swiglu,ffn_relu", widths="t5-small", tokens="1,16",
             modes="forward,train", repeats=1,
             peers="glu,glu-nofuse,torch,onnxruntime,openblas",
             sample_seconds=0.02)
DEFAULTS = dict(variants=",".join(VARIANT_ORDER), widths=",".join(WIDTHS),
                tokens=",".join(map(str, TOKENS)), modes=",".join(MODES),
                repeats=3, peers=",".join(PEERS), sample_seconds=0.25)

MAX_CALLS = 100          # timed calls per sample, at most
LONG_CALL_SECONDS = 2.0  # glu-run calls longer than this get no warmup
ASSUMED_EFFICIENCY = 0.4  # of the FMA peak, to plan calls and the estimate
# Estimate-only guesses (seconds).
COMPILE_SECONDS = {"forward": 0.5, "train": 1.5}
TORCH_COMPILE_SECONDS = {"forward": 10.0, "train": 25.0}
PROCESS_SECONDS = 0.1
IMPORT_SECONDS = 5.0  # importing torch, onnxruntime, a first session
INPUT_SECONDS_PER_GB = 1.0


class GluFailure(Exception):
    """glu-compile or glu-run failed: fatal, with the command and output."""


# ---------------------------------------------------------------------------
# The machine
# ---------------------------------------------------------------------------

def cpu_description():
    """CPU model, vector extensions and cache sizes from /proc/cpuinfo and
    sysfs."""
    model, flags = None, set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                key = key.strip()
                if key == "model name" and model is None:
                    model = value.strip()
                elif key in ("flags", "Features") and not flags:
                    flags = set(value.split())  # x86, Arm
    except OSError:
        pass
    model = model or platform.processor() or platform.machine()
    if "asimd" in flags:
        flags.add("neon")
    extensions = [e for e in ("avx512f", "avx2", "fma", "neon", "sve")
                  if e in flags]
    return {"cpu_model": model, "vector_extensions": extensions,
            "cores": len(os.sched_getaffinity(0)),
            "l3_bytes": cache_bytes(3), "machine": platform.machine(),
            "kernel": platform.release()}


def cache_bytes(level):
    """The size of cpu0's cache of this level (sysfs), or None."""
    root = "/sys/devices/system/cpu/cpu0/cache"
    try:
        for index in sorted(os.listdir(root)):
            path = os.path.join(root, index)
            with open(os.path.join(path, "level")) as f:
                if int(f.read()) != level:
                    continue
            with open(os.path.join(path, "size")) as f:
                size = f.read().strip()
            units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
            return int(size[:-1]) * units[size[-1]] if size[-1] in units \
                else int(size)
    except (OSError, ValueError):
        pass
    return None


def gpu_note():
    """The GPUs nvidia-smi lists, or None. GPU timing is not part of this
    suite: here is where GPU rows would start (a peer that runs glu-run
    --device cuda and bench/cublas_peer.cu)."""
    if not shutil.which("nvidia-smi"):
        return None
    try:
        out = subprocess.run(["nvidia-smi", "-L"], capture_output=True,
                             text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = [line for line in out.stdout.splitlines() if line.strip()]
    return lines if out.returncode == 0 and lines else None


def c_compiler():
    for name in ("clang-22", "cc"):
        path = shutil.which(name)
        if path:
            return path
    sys.exit("suite.py: neither clang-22 nor cc found to build "
             "bench/fma_peak.c")


PROBE_FLAGS = ["-O3", "-march=native", "-ffp-contract=fast", "-pthread"]


def run_or_exit(cmd):
    """The stdout of cmd; exits with its output if it fails."""
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit("suite.py: %s failed:\n%s%s"
                 % (" ".join(cmd), result.stdout, result.stderr))
    return result.stdout


def build_probe(compiler, source, out_dir):
    """Compiles bench/SOURCE for this CPU; returns the executable and how."""
    exe = os.path.join(out_dir, os.path.splitext(os.path.basename(source))[0])
    run_or_exit([compiler] + PROBE_FLAGS + [source, "-o", exe])
    return exe, " ".join([os.path.basename(compiler)] + PROBE_FLAGS[:3])


def run_probe(cmd):
    """A probe's JSON lines."""
    return [json.loads(line) for line in run_or_exit(cmd).splitlines()
            if line]


def measure_ceilings(threads, machine, work_dir, log):
    """The FMA peak on 1 thread, on `threads` and on every core, and the
    memory bandwidth on `threads`."""
    compiler = c_compiler()
    fma_exe, flags = build_probe(compiler,
                                 os.path.join(BENCH_DIR, "fma_peak.c"),
                                 work_dir)
    stream_exe, _ = build_probe(compiler,
                                os.path.join(BENCH_DIR, "stream_bw.c"),
                                work_dir)
    fma = {"source": "bench/fma_peak.c", "compile": flags, "threads": {}}
    for t in sorted({1, threads, machine["cores"]}):
        log("measuring the FMA peak on %d thread%s" % (t, "s"[:t > 1]))
        (line,) = run_probe([fma_exe, str(t), "3"])
        fma["vector_bits"] = line["vector_bits"]
        fma["chains"] = line["chains"]
        fma["threads"][str(t)] = {"gflops_samples": line["gflops"],
                                  "gflops": max(line["gflops"])}
    fma["peak_gflops"] = fma["threads"][str(threads)]["gflops"]

    l3 = machine["l3_bytes"] or 32 << 20
    array_bytes = min(max(8 * l3, 64 << 20), 1 << 30)
    log("measuring the memory bandwidth (3 x %d MiB, %d threads)"
        % (array_bytes >> 20, threads))
    lines = run_probe([stream_exe, str(threads), str(array_bytes), "5"])
    bandwidth = {"source": "bench/stream_bw.c", "compile": flags,
                 "threads": threads, "array_bytes": array_bytes}
    for line in lines:
        bandwidth[line["kernel"]] = {"gbs_samples": line["gbs"],
                                     "gbs": max(line["gbs"])}
    bandwidth["roofline_gbs"] = bandwidth["read"]["gbs"]
    return {"fma": fma, "bandwidth": bandwidth}


# ---------------------------------------------------------------------------
# Cells: shapes, FLOPs, bytes, GEMMs
# ---------------------------------------------------------------------------

def make_cell(variant, width, tokens, mode):
    op, activation = VARIANTS[variant]
    title, d_model, d_ff_plain, d_ff_gated = WIDTHS[width]
    d_ff = d_ff_gated if op == "glu" else d_ff_plain
    matrices = 3 if op == "glu" else 2
    forward_flops = 2 * tokens * d_model * d_ff * matrices
    weight_bytes = 4 * matrices * d_model * d_ff
    if mode == "forward":
        flops = forward_flops
        moved = weight_bytes + 4 * 2 * tokens * d_model
    else:
        flops = 3 * forward_flops
        moved = 2 * weight_bytes + 4 * 4 * tokens * d_model
    return {"variant": variant, "title": VARIANT_TITLES[variant], "op": op,
            "activation": activation, "width": width, "width_title": title,
            "d_model": d_model, "d_ff": d_ff, "tokens": tokens, "mode": mode,
            "gemm_flops": flops, "roofline_bytes": moved, "peers": {}}


def cell_name(cell):
    return "%s %s M=%d %s" % (cell["variant"], cell["width"], cell["tokens"],
                              cell["mode"])


def input_shapes(cell):
    """(name, shape) of every input, in the artifact's argument order."""
    shapes = operand_shapes(cell["op"], cell["tokens"], cell["d_model"],
                            cell["d_ff"], cell["d_model"], biases=False)
    if cell["mode"] == "train":
        shapes.append(("dy", [cell["tokens"], cell["d_model"]]))
    return shapes


def gemms(cell):
    """The layer's GEMMs as (m, k, n, a transposed, b transposed): C[m, n] =
    op(A) op(B), op(A) being m x k. Gated layers run x [W | V] as one GEMM
    (N = 2 d_ff), as glu's fused layer does; the train step adds dh = dy
    W2^T, dW2 = h^T dy, dx = da [W | V]^T and d[W | V] = x^T da."""
    m, d, f = cell["tokens"], cell["d_model"], cell["d_ff"]
    up = 2 * f if cell["op"] == "glu" else f
    shapes = [(m, d, up, False, False), (m, f, d, False, False)]
    if cell["mode"] == "train":
        shapes += [(m, d, f, False, True), (f, m, d, True, False),
                   (m, up, d, False, True), (d, m, up, True, False)]
    return shapes


def roofline_ms(cell, ceilings):
    peak = ceilings["fma"]["peak_gflops"] * 1e9
    bandwidth = ceilings["bandwidth"]["roofline_gbs"] * 1e9
    return 1e3 * max(cell["gemm_flops"] / peak,
                     cell["roofline_bytes"] / bandwidth)


def planned_call_seconds(cell, ceilings):
    """A guess of one call's time, to choose the calls per sample."""
    peak = ceilings["fma"]["peak_gflops"] * 1e9 * ASSUMED_EFFICIENCY
    bandwidth = ceilings["bandwidth"]["roofline_gbs"] * 1e9
    return max(cell["gemm_flops"] / peak, cell["roofline_bytes"] / bandwidth,
               2e-5)


def calls_per_sample(cell, ceilings, sample_seconds):
    guess = planned_call_seconds(cell, ceilings)
    return max(1, min(MAX_CALLS, int(round(sample_seconds / guess))))


def input_bytes(cell):
    return sum(4 * math.prod(shape) for _, shape in input_shapes(cell))


def estimate_seconds(cells, peers, args, ceilings):
    """The whole run's time, roughly: compiles, process starts, input
    generation and the calls, at ASSUMED_EFFICIENCY of the FMA peak."""
    total = IMPORT_SECONDS if set(peers) - {"glu", "glu-nofuse"} else 0.0
    artifacts = [c for c in cells for p in ("glu", "glu-nofuse") if p in peers]
    total += sum(COMPILE_SECONDS[c["mode"]] for c in artifacts) / args.jobs
    for cell in cells:
        call = planned_call_seconds(cell, ceilings)
        calls = calls_per_sample(cell, ceilings, args.sample_seconds)
        inputs = input_bytes(cell) / 1e9 * INPUT_SECONDS_PER_GB
        in_process = [p for p in peers
                      if p in ("torch", "torch-compile", "onnxruntime")
                      and not (p == "onnxruntime" and cell["mode"] == "train")]
        if in_process:
            total += inputs
        for peer in peers:
            if peer in ("glu", "glu-nofuse"):
                total += args.repeats * (
                    PROCESS_SECONDS + inputs
                    + (glu_run_warmup(cell, ceilings) + calls) * call)
            elif peer == "openblas":
                total += 0.5 + inputs + (1 + args.repeats * calls) * call
            elif peer in in_process:
                total += (1 + args.repeats * calls) * call
                if peer == "torch-compile":
                    total += TORCH_COMPILE_SECONDS[cell["mode"]] + call
    return total


def format_duration(seconds):
    seconds = int(round(seconds))
    if seconds >= 3600:
        return "%dh%02dm" % (seconds // 3600, seconds % 3600 // 60)
    return "%d:%02d" % (seconds // 60, seconds % 60)


# ---------------------------------------------------------------------------
# Samples and statistics
# ---------------------------------------------------------------------------

def summarize(samples, calls, warmup):
    ordered = sorted(samples)
    result = {"samples_ms": samples, "median_ms": statistics.median(samples),
              "min_ms": ordered[0], "max_ms": ordered[-1],
              "calls_per_sample": calls, "warmup_calls": warmup}
    if len(samples) >= 2:
        q1, _, q3 = statistics.quantiles(samples, n=4, method="inclusive")
        result["q1_ms"], result["q3_ms"] = q1, q3
    return result


def time_in_process(call, repeats, calls, before=None):
    """One warmup call, then `repeats` samples, each the median of `calls`
    timed calls (ms); `before` runs untimed before each call."""
    if before:
        before()
    call()
    samples = []
    for _ in range(repeats):
        times = []
        for _ in range(calls):
            if before:
                before()
            start = time.perf_counter()
            call()
            times.append((time.perf_counter() - start) * 1e3)
        samples.append(statistics.median(times))
    return samples


def format_ms(ms):
    """4 significant digits, without an exponent for seconds-long calls."""
    return "%.0f" % ms if ms >= 1000 else "%.4g" % ms


def short_error(error):
    text = "%s: %s" % (type(error).__name__, error)
    lines = [line for line in text.splitlines() if line.strip()]
    return " / ".join(lines[:3])[:400]


# ---------------------------------------------------------------------------
# glu: glu-compile, glu-run
# ---------------------------------------------------------------------------

def run_glu(cmd, env=None):
    result = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise GluFailure("%s failed (exit %d):\n%s%s" % (
            " ".join(cmd), result.returncode, result.stdout, result.stderr))
    return result.stdout


def cell_stem(work_dir, cell):
    return os.path.join(work_dir, "%s-%s-M%d-%s" % (
        cell["variant"], cell["width"], cell["tokens"], cell["mode"]))


def artifact_path(work_dir, cell, fuse):
    return cell_stem(work_dir, cell) + ("-fused" if fuse else "-nofuse")


def compile_artifacts(cells, peers, args, work_dir, log):
    """Compiles each (cell, fuse) once, --jobs at a time."""
    jobs = []
    for cell in cells:
        source = cell_stem(work_dir, cell) + ".mlir"
        write_model(source, cell["op"], cell["activation"], cell["mode"],
                    operand_shapes(cell["op"], cell["tokens"],
                                   cell["d_model"], cell["d_ff"],
                                   cell["d_model"], biases=False),
                    cell["d_model"])
        for peer, fuse in (("glu", True), ("glu-nofuse", False)):
            if peer in peers:
                cmd = [os.path.join(args.build, "bin", "glu-compile"), source,
                       "-o", artifact_path(work_dir, cell, fuse), "--force"]
                jobs.append(cmd + ([] if fuse else ["--no-fuse"]))
    if not jobs:
        return
    log("compiling %d glu artifact%s (%d at a time)"
        % (len(jobs), "s"[:len(jobs) != 1], args.jobs))
    start = time.time()
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        futures = [pool.submit(run_glu, cmd) for cmd in jobs]
        for done, future in enumerate(
                concurrent.futures.as_completed(futures), 1):
            future.result()
            if done % 10 == 0 or done == len(jobs):
                log("  compiled %d of %d (%s)" % (
                    done, len(jobs), format_duration(time.time() - start)))


def glu_run_warmup(cell, ceilings):
    """glu-run's warmup calls: none for calls of seconds, where the first
    call's extra page faults are a small share and a warmup would double
    the sample's time."""
    return 0 if planned_call_seconds(cell, ceilings) > LONG_CALL_SECONDS \
        else 1


def time_glu(cell, fuse, args, ceilings, work_dir):
    calls = calls_per_sample(cell, ceilings, args.sample_seconds)
    warmup = glu_run_warmup(cell, ceilings)
    entry = "forward" if cell["mode"] == "forward" else "train_step"
    cmd = [os.path.join(args.build, "bin", "glu-run"),
           artifact_path(work_dir, cell, fuse), "--entry", entry, "--seed",
           "1", "--warmup", str(warmup), "--iterations", str(calls)]
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
    samples = []
    for _ in range(args.repeats):
        out = run_glu(cmd, env)
        match = re.search(r"median_ms=([0-9.eE+-]+)", out)
        if not match:
            raise GluFailure("%s printed no median_ms=:\n%s"
                             % (" ".join(cmd), out))
        samples.append(float(match.group(1)))
    return summarize(samples, calls, warmup)


# ---------------------------------------------------------------------------
# In-process peers: PyTorch, torch.compile, onnxruntime
# ---------------------------------------------------------------------------

def make_inputs(cell, seed=1):
    """numpy inputs drawn like glu-run's: uniform [-1, 1) / sqrt(rows)."""
    import numpy as np
    rng = np.random.default_rng(seed)
    inputs = {}
    for name, shape in input_shapes(cell):
        values = rng.random(shape, dtype=np.float32)
        values *= 2.0
        values -= 1.0
        values *= np.float32(1.0 / math.sqrt(max(shape[-2], 1)))
        inputs[name] = values
    return inputs


def torch_layer(op, activation):
    """The layer as a function of torch tensors (x, weights...)."""
    import torch
    import torch.nn.functional as F
    gate = {"relu": F.relu, "gelu": F.gelu, "swish": F.silu,
            "sigmoid": torch.sigmoid, "identity": lambda a: a}[activation]
    if op == "ffn":
        return lambda x, w1, w2: gate(x @ w1) @ w2
    return lambda x, w, v, w2: (gate(x @ w) * (x @ v)) @ w2


def time_torch(cell, inputs, args, ceilings, compiled):
    import torch
    torch.set_num_threads(args.threads)
    layer = torch_layer(cell["op"], cell["activation"])
    if compiled:
        torch._dynamo.reset()
        layer = torch.compile(layer, dynamic=False)
    names = [n for n, _ in input_shapes(cell) if n != "dy"]
    tensors = [torch.from_numpy(inputs[n]) for n in names]
    calls = calls_per_sample(cell, ceilings, args.sample_seconds)
    if cell["mode"] == "forward":
        def call():
            with torch.inference_mode():
                layer(*tensors)
        if compiled:
            call()  # compiles
        samples = time_in_process(call, args.repeats, calls)
    else:
        for t in tensors:
            t.requires_grad_(True)
        dy = torch.from_numpy(inputs["dy"])

        def clear():
            for t in tensors:
                t.grad = None

        def call():
            layer(*tensors).backward(dy)
        if compiled:
            clear()
            call()  # compiles the forward and the backward
        samples = time_in_process(call, args.repeats, calls, before=clear)
    return summarize(samples, calls, 2 if compiled else 1)


def onnx_model(cell):
    """The forward layer as an ONNX graph (opset 17): weights are inputs."""
    from onnx import TensorProto, helper
    shapes = dict(input_shapes(cell))
    graph_inputs = [helper.make_tensor_value_info(n, TensorProto.FLOAT,
                                                  shapes[n])
                    for n, _ in input_shapes(cell)]
    nodes, constants = [], []

    def node(kind, inputs, output):
        nodes.append(helper.make_node(kind, inputs, [output]))
        return output

    def constant(name, value):
        constants.append(helper.make_tensor(name, TensorProto.FLOAT, [],
                                            [value]))
        return name

    first = "w1" if cell["op"] == "ffn" else "w"
    a = node("MatMul", ["x", first], "a")
    act = cell["activation"]
    if act == "relu":
        g = node("Relu", [a], "g")
    elif act == "sigmoid":
        g = node("Sigmoid", [a], "g")
    elif act == "swish":
        g = node("Mul", [a, node("Sigmoid", [a], "s")], "g")
    elif act == "gelu":  # 0.5 a (1 + erf(a / sqrt 2)), fused by onnxruntime
        e = node("Erf", [node("Div", [a, constant("sqrt2", math.sqrt(2.0))],
                              "a_scaled")], "e")
        p = node("Add", [e, constant("one", 1.0)], "p")
        g = node("Mul", [node("Mul", [a, p], "ap"), constant("half", 0.5)],
                 "g")
    else:
        g = a
    h = node("Mul", [g, node("MatMul", ["x", "v"], "b")], "h") \
        if cell["op"] == "glu" else g
    node("MatMul", [h, "w2"], "y")
    graph = helper.make_graph(
        nodes, "ffn", graph_inputs,
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, shapes["x"])],
        initializer=constants)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("",
                                                                       17)])


def time_onnxruntime(cell, inputs, args, ceilings):
    import onnxruntime
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = args.threads
    options.inter_op_num_threads = 1
    options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = \
        onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = onnxruntime.InferenceSession(
        onnx_model(cell).SerializeToString(), options,
        providers=["CPUExecutionProvider"])
    feeds = {n: inputs[n] for n, _ in input_shapes(cell)}
    calls = calls_per_sample(cell, ceilings, args.sample_seconds)
    samples = time_in_process(lambda: session.run(["y"], feeds),
                              args.repeats, calls)
    return summarize(samples, calls, 1)


# ---------------------------------------------------------------------------
# The OpenBLAS ceiling, in a subprocess
# ---------------------------------------------------------------------------

def openblas_env():
    env = dict(os.environ)
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        env.pop(name, None)
    return env


def openblas_worker():
    """--openblas-worker: reads {"gemms", "threads", "repeats", "calls"}
    as JSON on stdin, times numpy's matmul of those GEMMs (one call = all
    of them) and prints {"samples_ms", "threadpool"} as JSON."""
    import numpy as np
    from threadpoolctl import threadpool_info, threadpool_limits
    job = json.load(sys.stdin)
    rng = np.random.default_rng(1)
    operands = []
    for m, k, n, ta, tb in job["gemms"]:
        a = rng.random((k, m) if ta else (m, k), dtype=np.float32) - 0.5
        b = rng.random((n, k) if tb else (k, n), dtype=np.float32) - 0.5
        operands.append((a.T if ta else a, b.T if tb else b,
                         np.empty((m, n), dtype=np.float32)))

    def call():
        for a, b, c in operands:
            np.matmul(a, b, out=c)
    with threadpool_limits(limits=job["threads"], user_api="blas"):
        samples = time_in_process(call, job["repeats"], job["calls"]) \
            if operands else []
        info = threadpool_info()
    print(json.dumps({"samples_ms": samples, "threadpool": info,
                      "numpy": np.__version__}))


def call_openblas_worker(job):
    result = subprocess.run(
        [sys.executable, os.path.abspath(__file__), "--openblas-worker"],
        input=json.dumps(job), capture_output=True, text=True,
        env=openblas_env())
    if result.returncode != 0:
        raise RuntimeError("the OpenBLAS worker failed:\n" + result.stderr
                           [-2000:])
    return json.loads(result.stdout.splitlines()[-1])


def openblas_description(threads):
    """numpy's OpenBLAS: version, the kernel it picked, threads."""
    try:
        out = call_openblas_worker({"gemms": [], "threads": threads,
                                    "repeats": 0, "calls": 0})
    except Exception as e:  # noqa: BLE001 -- a peer's failure is reported
        return {"error": short_error(e)}
    blas = [i for i in out["threadpool"] if i.get("user_api") == "blas"]
    if not blas:
        return {"error": "numpy has no BLAS threadpoolctl knows",
                "numpy": out["numpy"]}
    info = blas[0]
    return {"numpy": out["numpy"], "internal_api": info.get("internal_api"),
            "version": info.get("version"),
            "architecture": info.get("architecture"),
            "num_threads": info.get("num_threads"),
            "library": os.path.basename(info.get("filepath", ""))}


def time_openblas(cell, args, ceilings):
    calls = calls_per_sample(cell, ceilings, args.sample_seconds)
    out = call_openblas_worker({"gemms": gemms(cell), "threads": args.threads,
                                "repeats": args.repeats, "calls": calls})
    return summarize(out["samples_ms"], calls, 1)


# ---------------------------------------------------------------------------
# One cell, all peers
# ---------------------------------------------------------------------------

def measure_cell(cell, peers, args, ceilings, work_dir, log):
    inputs = None
    for peer in peers:
        if peer == "onnxruntime" and cell["mode"] == "train":
            cell["peers"][peer] = {"skipped": "onnxruntime (inference) has "
                                   "no backward"}
            log("    %-14s -  (no backward)" % peer)
            continue
        start = time.time()
        if peer in ("glu", "glu-nofuse"):
            result = time_glu(cell, peer == "glu", args, ceilings, work_dir)
        else:
            try:
                if peer == "openblas":
                    result = time_openblas(cell, args, ceilings)
                else:
                    if inputs is None:
                        inputs = make_inputs(cell)
                    if peer == "onnxruntime":
                        result = time_onnxruntime(cell, inputs, args,
                                                  ceilings)
                    else:
                        result = time_torch(cell, inputs, args, ceilings,
                                            compiled=peer == "torch-compile")
            except Exception as e:  # noqa: BLE001 -- reported in the cell
                result = {"error": short_error(e)}
            gc.collect()
        result["seconds"] = round(time.time() - start, 3)
        cell["peers"][peer] = result
        if "error" in result:
            log("    %-14s failed: %s" % (peer, result["error"]))
        else:
            log("    %-14s %10s ms  (%s-%s, %d x %d calls)" % (
                peer, format_ms(result["median_ms"]),
                format_ms(result["min_ms"]), format_ms(result["max_ms"]),
                len(result["samples_ms"]), result["calls_per_sample"]))
    add_ratios(cell, ceilings)


def add_ratios(cell, ceilings):
    cell["roofline_ms"] = roofline_ms(cell, ceilings)
    glu = cell["peers"].get("glu", {})
    if "median_ms" not in glu:
        return
    ms = glu["median_ms"]
    cell["glu_gflops"] = cell["gemm_flops"] / ms * 1e-6
    cell["percent_fma_peak"] = 100.0 * cell["glu_gflops"] / \
        ceilings["fma"]["peak_gflops"]
    cell["percent_roofline"] = 100.0 * cell["roofline_ms"] / ms
    cell["speedup"] = {peer: r["median_ms"] / ms
                       for peer, r in cell["peers"].items()
                       if peer != "glu" and "median_ms" in r}


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------

def header_lines(report):
    machine, ceilings = report["machine"], report["ceilings"]
    fma, bw = ceilings["fma"], ceilings["bandwidth"]
    lines = ["# glu benchmark suite (bench/suite.py), %s" % report["date"],
             "machine: %s, %d cores, vector extensions: %s, L3 %s" % (
                 machine["cpu_model"], machine["cores"],
                 " ".join(machine["vector_extensions"]) or "none",
                 "%d MiB" % (machine["l3_bytes"] >> 20)
                 if machine["l3_bytes"] else "unknown"),
             "threads: %d; repeats: %d; %d cells" % (
                 report["threads"], report["settings"]["repeats"],
                 len(report["cells"]))]
    peaks = ", ".join(
        "%s thread%s %.1f GFLOP/s" % (t, "s"[:t != "1"], v["gflops"])
        for t, v in fma["threads"].items())
    lines.append("FMA peak (%s, %s, %d-bit vectors x %d chains, best of 3): "
                 "%s" % (fma["source"], fma["compile"], fma["vector_bits"],
                         fma["chains"], peaks))
    lines.append("memory bandwidth (%s, 3 x %d MiB, %d threads, best of 5): "
                 "read %.1f GB/s, triad %.1f GB/s; the roofline uses read" % (
                     bw["source"], bw["array_bytes"] >> 20, bw["threads"],
                     bw["read"]["gbs"], bw["triad"]["gbs"]))
    blas = ceilings.get("openblas")
    if blas:
        if "error" in blas:
            lines.append("OpenBLAS: %s" % blas["error"])
        else:
            lines.append(
                "OpenBLAS (numpy %s): %s %s, kernel %s, %s threads" % (
                    blas["numpy"], blas["internal_api"], blas["version"],
                    blas["architecture"], blas["num_threads"]))
    if machine.get("gpu"):
        lines.append("GPU: %s (present; GPU rows are not measured by "
                     "this suite: scripts/gpu-check.sh)"
                     % "; ".join(machine["gpu"]))
    else:
        lines.append("GPU: none (nvidia-smi lists none)")
    lines.append("estimated run time: %s" % format_duration(
        report["estimated_seconds"]))
    return lines


def peer_cell(cell, peer):
    result = cell["peers"].get(peer)
    if result is None or "skipped" in result:
        return "-"
    if "error" in result:
        return "failed"
    speedup = cell.get("speedup", {}).get(peer)
    text = format_ms(result["median_ms"])
    return text + (" (%.2fx)" % speedup if speedup else "")


def table_lines(report):
    peers = [p for p in report["settings"]["peers"] if p != "glu"]
    columns = (["variant", "width", "M", "mode", "glu ms (min-max)",
                "GFLOP/s", "% FMA peak", "% roofline"]
               + [PEER_TITLES[p] for p in peers])
    lines = ["| " + " | ".join(columns) + " |",
             "|" + "---|" * len(columns)]
    notes = []
    for cell in report["cells"]:
        glu = cell["peers"].get("glu", {})
        if "median_ms" in glu:
            glu_text = "%s (%s-%s)" % tuple(format_ms(glu[k]) for k in (
                "median_ms", "min_ms", "max_ms"))
            numbers = ["%.1f" % cell["glu_gflops"],
                       "%.1f" % cell["percent_fma_peak"],
                       "%.1f" % cell["percent_roofline"]]
        else:
            glu_text, numbers = "-", ["-", "-", "-"]
        row = ([cell["title"], cell["width_title"], str(cell["tokens"]),
                cell["mode"], glu_text] + numbers
               + [peer_cell(cell, p) for p in peers])
        lines.append("| " + " | ".join(row) + " |")
        for peer, result in cell["peers"].items():
            if "error" in result:
                notes.append("%s, %s: %s" % (cell_name(cell), peer,
                                             result["error"]))
    lines.append("")
    lines.append("Peer columns: median ms (peer / glu fused; > 1x: glu fused "
                 "is faster). \"-\": not measured (onnxruntime has no "
                 "backward); \"failed\": below. % FMA peak and % roofline "
                 "are glu fused's.")
    lines += ["failed: " + note for note in notes]
    return lines


def write_json(report, path):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(report, f, indent=1)
    os.replace(tmp, path)


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------

def parse_list(text, allowed, what):
    values = [v.strip() for v in text.split(",") if v.strip()]
    if values == ["all"]:
        return list(allowed)
    for v in values:
        if v not in allowed:
            sys.exit("suite.py: unknown %s %r (choose from %s)"
                     % (what, v, ", ".join(allowed)))
    return [v for v in allowed if v in values]


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Lists are comma-separated; 'all' selects everything.")
    parser.add_argument("--build", default="build",
                        help="build directory with bin/glu-compile, "
                        "bin/glu-run (default: build)")
    parser.add_argument("--variants", help="default: all eight (%s)"
                        % ",".join(VARIANT_ORDER))
    parser.add_argument("--widths", help="default: %s" % ",".join(WIDTHS))
    parser.add_argument("--tokens", help="M, rows of x (default: %s)"
                        % ",".join(map(str, TOKENS)))
    parser.add_argument("--modes", help="forward,train (default: both)")
    parser.add_argument("--peers", help="default: %s" % ",".join(PEERS))
    parser.add_argument("--repeats", type=int,
                        help="samples per peer and cell (default: %d)"
                        % DEFAULTS["repeats"])
    parser.add_argument("--threads", type=int,
                        default=len(os.sched_getaffinity(0)),
                        help="threads for every peer (default: all cores, "
                        "%(default)s)")
    parser.add_argument("--sample-seconds", type=float,
                        help="about how long one sample runs (default: "
                        "%s)" % DEFAULTS["sample_seconds"])
    parser.add_argument("--jobs", type=int,
                        default=len(os.sched_getaffinity(0)),
                        help="glu-compile processes at once (default: "
                        "%(default)s)")
    parser.add_argument("--smoke", action="store_true",
                        help="a quick run: %s" % ", ".join(
                            "%s %s" % (k, v) for k, v in SMOKE.items()))
    parser.add_argument("--json", help="write the results here")
    parser.add_argument("--png", help="draw the chart here (matplotlib)")
    parser.add_argument("--t5-encoder", action="store_true",
                        help="also time a torch-mlir export of a Hugging "
                        "Face T5 encoder (bench/t5_encoder.py: glu, "
                        "glu --no-fuse, PyTorch eager) after the cells")
    parser.add_argument("--estimate-only", action="store_true",
                        help="measure the ceilings, print the header with "
                        "the estimated run time, and stop")
    parser.add_argument("--openblas-worker", action="store_true",
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    base = SMOKE if args.smoke else DEFAULTS
    for key, value in base.items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    if args.repeats < 1 or args.threads < 1 or args.jobs < 1 \
            or args.sample_seconds <= 0:
        parser.error("--repeats, --threads, --jobs and --sample-seconds "
                     "must be positive")
    args.variants = parse_list(args.variants, VARIANT_ORDER, "variant")
    args.widths = parse_list(args.widths, list(WIDTHS), "width")
    args.modes = parse_list(args.modes, MODES, "mode")
    args.peers = parse_list(args.peers, PEERS, "peer")
    try:
        args.tokens = sorted({int(t) for t in args.tokens.split(",")
                              if t.strip()})
    except ValueError:
        parser.error("--tokens takes positive integers")
    if not args.tokens or min(args.tokens) < 1:
        parser.error("--tokens takes positive integers")
    return args


def main(argv):
    if argv[:1] == ["--openblas-worker"]:
        openblas_worker()
        return 0
    args = parse_args(argv)
    begin = time.time()

    def log(message):
        print(message, file=sys.stderr, flush=True)

    for tool in ("glu-compile", "glu-run"):
        path = os.path.join(args.build, "bin", tool)
        if {"glu", "glu-nofuse"} & set(args.peers) and not os.access(
                path, os.X_OK):
            sys.exit("suite.py: %s not found (--build DIR with bin/%s)"
                     % (path, tool))
    if args.png:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            sys.exit("suite.py: --png needs matplotlib "
                     "(pip install -r scripts/requirements-test.txt)")

    cells = [make_cell(v, w, m, mode) for v in args.variants
             for w in args.widths for m in args.tokens for mode in args.modes]
    machine = cpu_description()
    machine["gpu"] = gpu_note()
    settings = {k: getattr(args, k) for k in (
        "variants", "widths", "tokens", "modes", "peers", "repeats",
        "sample_seconds")}
    settings["build"] = os.path.abspath(args.build)
    report = {"suite": "glu bench/suite.py", "format_version": 1,
              "date": datetime.datetime.now().astimezone().isoformat(
                  timespec="seconds"),
              "command": [os.path.relpath(__file__)] + argv,
              "complete": False, "machine": machine,
              "threads": args.threads, "settings": settings,
              "ceilings": {}, "cells": cells}

    with tempfile.TemporaryDirectory(prefix="glu-suite-") as work_dir:
        report["ceilings"] = measure_ceilings(args.threads, machine, work_dir,
                                              log)
        ceilings = report["ceilings"]
        if "openblas" in args.peers:
            ceilings["openblas"] = openblas_description(args.threads)
        report["estimated_seconds"] = round(
            estimate_seconds(cells, args.peers, args, ceilings), 1)
        for line in header_lines(report):
            print(line, flush=True)
        if args.estimate_only:
            return 0
        try:
            compile_artifacts(cells, args.peers, args, work_dir, log)
            for n, cell in enumerate(cells, 1):
                log("[%d/%d %s] %s" % (n, len(cells),
                                       format_duration(time.time() - begin),
                                       cell_name(cell)))
                measure_cell(cell, args.peers, args, ceilings, work_dir, log)
                if args.json:
                    report["elapsed_seconds"] = round(time.time() - begin, 1)
                    write_json(report, args.json)
        except GluFailure as e:
            sys.exit("suite.py: glu failed, stopping.\n%s" % e)

    if args.t5_encoder:
        sys.path.insert(0, BENCH_DIR)
        import t5_encoder
        t5_args = argparse.Namespace(
            build=args.build, threads=args.threads, repeats=args.repeats,
            layers=2, d_model=512, d_ff=1365, batch=2, tokens=128,
            iterations=7)
        report["t5_encoder"] = t5_encoder.measure(t5_args, log=log)

    report["complete"] = True
    report["elapsed_seconds"] = round(time.time() - begin, 1)
    print()
    for line in table_lines(report):
        print(line)
    if args.t5_encoder:
        print()
        for line in t5_encoder.table_lines(report["t5_encoder"]):
            print(line)
    print("\nelapsed: %s (estimated %s)" % (
        format_duration(report["elapsed_seconds"]),
        format_duration(report["estimated_seconds"])))
    if args.json:
        write_json(report, args.json)
        log("wrote " + args.json)
    if args.png:
        sys.path.insert(0, BENCH_DIR)
        import suite_plot
        suite_plot.plot(report, args.png)
        log("wrote " + args.png)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
