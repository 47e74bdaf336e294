#!/usr/bin/env python3
"""Times a whole train step, fused against unfused, through glu-compile and
glu-run on this CPU.

For GEGLU (gelu gate) and SwiGLU (swish gate) layers at T5-base size
(default 512 tokens, d_model 768, d_ff 2048, no biases), one function
returns y = ffn.glu(x) and every gradient (ffn.glu_grad: dx, dW, dV, dW2)
like docs/examples/geglu-t5-base-train.mlir. Each is compiled twice:

  fused     glu-compile (ffn-fuse: [a | b] = x [W | V] by one GEMM over the
            packed weights, kept for the backward (glu-compile's default),
            the fused backward with ffn.dgate_matmul, one GEMM for dx and
            one for the packed weight gradient)
  unfused   glu-compile --no-fuse (separate GEMMs and elementwise code)

and optionally (--recompute) fused with --keep-activations=false: the
forward's gated GEMM keeps its epilogue in the tile and the backward
recomputes [a | b] with one more GEMM.
glu-run times each artifact (--warmup, --iterations, one process per
--repeats); the table gives the median of the per-run medians (ms), the
same step in PyTorch (autograd, float32) in this process, and the ratios
fused / unfused and fused / torch (< 1: fused is faster). OMP_NUM_THREADS (default:
all cores) applies to every run.

    python bench/cpu_train_step.py --build build-cpu
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile

LAYERS = (("GEGLU", "gelu"), ("SwiGLU", "swish"))


def train_step(activation, tokens, d_model, d_ff):
    """The train step's MLIR."""
    x = "tensor<%dx%dxf32>" % (tokens, d_model)
    w = "tensor<%dx%dxf32>" % (d_model, d_ff)
    w2 = "tensor<%dx%dxf32>" % (d_ff, d_model)
    return "\n".join([
        "func.func @train_step(%%x: %s {ffn.name = \"x\"}, %%w: %s "
        "{ffn.name = \"w\"}, %%v: %s {ffn.name = \"v\"}, %%w2: %s "
        "{ffn.name = \"w2\"}, %%dy: %s {ffn.name = \"dy\"}) -> (%s "
        "{ffn.name = \"y\"}, %s {ffn.name = \"dx\"}, %s {ffn.name = \"dw\"}, "
        "%s {ffn.name = \"dv\"}, %s {ffn.name = \"dw2\"}) {"
        % (x, w, w, w2, x, x, x, w, w, w2),
        "  %%y = ffn.glu %s %%x, %%w, %%v, %%w2 : (%s, %s, %s, %s) -> %s"
        % (activation, x, w, w, w2, x),
        "  %%dx, %%dw, %%dv, %%dw2 = ffn.glu_grad %s %%x, %%w, %%v, %%w2, %%dy "
        ": (%s, %s, %s, %s, %s) -> (%s, %s, %s, %s)"
        % (activation, x, w, w, w2, x, x, w, w, w2),
        "  return %%y, %%dx, %%dw, %%dv, %%dw2 : %s, %s, %s, %s, %s"
        % (x, x, w, w, w2),
        "}", ""])


def time_torch(activation, args):
    """PyTorch's own train step of the same layer on this CPU (autograd,
    float32, all cores): the median over --repeats x --iterations calls
    (ms), or None without torch."""
    try:
        import time
        import torch
        import torch.nn.functional as F
    except ImportError:
        return None
    torch.manual_seed(0)
    x = torch.randn(args.tokens, args.d_model, requires_grad=True)
    w = torch.randn(args.d_model, args.d_ff, requires_grad=True)
    v = torch.randn(args.d_model, args.d_ff, requires_grad=True)
    w2 = torch.randn(args.d_ff, args.d_model, requires_grad=True)
    dy = torch.randn(args.tokens, args.d_model)
    gate = F.gelu if activation == "gelu" else F.silu
    times = []
    for i in range(args.warmup + args.repeats * args.iterations):
        for t in (x, w, v, w2):
            t.grad = None
        start = time.perf_counter()
        y = (gate(x @ w) * (x @ v)) @ w2
        y.backward(dy)
        elapsed = time.perf_counter() - start
        if i >= args.warmup:
            times.append(elapsed * 1e3)
    return statistics.median(times)


def run(cmd):
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit("%s failed:\n%s%s" % (" ".join(cmd), result.stdout,
                                        result.stderr))
    return result.stdout


def time_artifact(args, artifact):
    """The median of the per-process median times (ms)."""
    medians = []
    for _ in range(args.repeats):
        out = run([os.path.join(args.build, "bin", "glu-run"), artifact,
                   "--seed", "1", "--warmup", str(args.warmup),
                   "--iterations", str(args.iterations)])
        match = re.search(r"median_ms=([0-9.]+)", out)
        if not match:
            sys.exit("no timing in glu-run's output:\n" + out)
        medians.append(float(match.group(1)))
    return statistics.median(medians)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", default="build-cpu",
                        help="build directory with bin/glu-compile, glu-run")
    parser.add_argument("--tokens", type=int, default=512)
    parser.add_argument("--d-model", type=int, default=768)
    parser.add_argument("--d-ff", type=int, default=2048)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--iterations", type=int, default=7)
    parser.add_argument("--repeats", type=int, default=3,
                        help="glu-run processes per artifact")
    parser.add_argument("--recompute", action="store_true",
                        help="also time fused --keep-activations=false")
    args = parser.parse_args()

    variants = [("fused", []), ("unfused", ["--no-fuse"])]
    if args.recompute:
        variants.append(("recompute", ["--keep-activations=false"]))
    print("train step, %d tokens, d_model %d, d_ff %d, OMP_NUM_THREADS=%s "
          "(median of %d glu-run medians of %d iterations, ms)"
          % (args.tokens, args.d_model, args.d_ff,
             os.environ.get("OMP_NUM_THREADS", "all"), args.repeats,
             args.iterations))
    header = "%-8s" % "layer" + "".join("%12s" % name for name, _ in variants)
    header += "%12s%16s%16s" % ("torch", "fused/unfused", "fused/torch")
    print(header)
    with tempfile.TemporaryDirectory() as tmp:
        for layer, activation in LAYERS:
            source = os.path.join(tmp, layer + ".mlir")
            with open(source, "w") as f:
                f.write(train_step(activation, args.tokens, args.d_model,
                                   args.d_ff))
            times = {}
            for name, flags in variants:
                artifact = os.path.join(tmp, "%s-%s" % (layer, name))
                run([os.path.join(args.build, "bin", "glu-compile"), source,
                     "-o", artifact, "--force"] + flags)
                times[name] = time_artifact(args, artifact)
            line = "%-8s" % layer + "".join("%12.1f" % times[name]
                                            for name, _ in variants)
            torch_ms = time_torch(activation, args)
            line += "%12s" % ("%.1f" % torch_ms if torch_ms else "-")
            line += "%16.2f" % (times["fused"] / times["unfused"])
            line += "%16s" % ("%.2f" % (times["fused"] / torch_ms)
                              if torch_ms else "-")
            print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
