#!/usr/bin/env python3
"""PyTorch peers of glu's bf16 timing layers, side by side with glu's times.

    torch_ffn_peer.py --glu-timings FILE [--device cuda] [--max-autotune]
    torch_ffn_peer.py --smoke            (tiny sizes on the CPU: the script
                                          itself, no numbers worth reading)

For every bf16 timing model of scripts/gpu_check_models.py (SwiGLU and
GEGLU at T5-base and LLaMA-7B widths, M = 8192 and 65536, forward and train
step) it times on the same device, in bf16:

  - cuBLAS: the layer's GEMMs alone through torch.mm (cuBLASLt), no
    epilogue: the forward's x [W | V] and h W2; the train step's adds
    dy W2^T, h^T dy, [da | db] [W | V]^T and x^T [da | db] (the ceiling);
  - eager: the layer in PyTorch (act(x W) * (x V)) W2, and for the train
    step its backward by autograd from dy;
  - compile: the same through torch.compile (max-autotune with
    --max-autotune, when it finishes in time);

and prints them beside glu's fused and unfused times (FILE: lines
`name fused_ms unfused_ms`, gpu-check.sh writes it), with glu's TFLOP/s and
each peer's time over glu's (above 1: glu is faster; "vs cuBLAS" is then
glu's rate as a fraction of cuBLAS's for the same FLOPs). --compile-only
SUBSTR limits torch.compile, which compiles each shape anew, to the models
whose names contain SUBSTR. Times are medians of --iterations
calls after --warmup, measured with CUDA events (wall clock on the CPU).
"""
import argparse
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "scripts"))
from gpu_check_models import BF16_ROWS, BF16_VARIANTS, BF16_WIDTHS  # noqa

ACTIVATIONS = {"swiglu": F.silu, "geglu": F.gelu}


def layer_flops(rows, d_model, d_ff, mode):
    """Multiply-adds x 2 of the layer: the forward's three projections, and
    the train step's five more (dh, dW2, dx, d[W | V])."""
    forward = 6 * rows * d_model * d_ff
    return forward if mode == "forward" else 3 * forward


class Timer:
    def __init__(self, device, warmup, iterations):
        self.device, self.warmup, self.iterations = device, warmup, iterations

    def median_ms(self, fn):
        for _ in range(self.warmup):
            fn()
        times = []
        for _ in range(self.iterations):
            if self.device == "cuda":
                start = torch.cuda.Event(enable_timing=True)
                end = torch.cuda.Event(enable_timing=True)
                start.record()
                fn()
                end.record()
                torch.cuda.synchronize()
                times.append(start.elapsed_time(end))
            else:
                t0 = time.perf_counter()
                fn()
                times.append(1e3 * (time.perf_counter() - t0))
        return statistics.median(times)


def make_layer(variant, rows, d_model, d_ff, device, train):
    g = torch.Generator(device="cpu").manual_seed(0)

    def rand(*shape, scale=1.0):
        t = (torch.rand(*shape, generator=g) * 2 - 1) * scale
        return t.to(device=device, dtype=torch.bfloat16)

    x = rand(rows, d_model)
    w = rand(d_model, d_ff, scale=d_model ** -0.5)
    v = rand(d_model, d_ff, scale=d_model ** -0.5)
    w2 = rand(d_ff, d_model, scale=d_ff ** -0.5)
    dy = rand(rows, d_model)
    for t in (x, w, v, w2):
        t.requires_grad_(train)
    act = ACTIVATIONS[variant]

    def forward(x, w, v, w2):
        return (act(x @ w) * (x @ v)) @ w2

    return (x, w, v, w2, dy), forward


def gemms_alone(tensors, train):
    """The layer's GEMMs through torch.mm, on detached operands."""
    x, w, v, w2, dy = (t.detach() for t in tensors)
    packed = torch.cat([w, v], dim=1)
    h = torch.empty(x.shape[0], w.shape[1], dtype=x.dtype, device=x.device)
    dab = torch.empty(x.shape[0], packed.shape[1], dtype=x.dtype,
                      device=x.device)

    def run():
        torch.mm(x, packed)
        torch.mm(h, w2)
        if train:
            torch.mm(dy, w2.t())
            torch.mm(h.t(), dy)
            torch.mm(dab, packed.t())
            torch.mm(x.t(), dab)
    return run


def step(forward, tensors, train):
    x, w, v, w2, dy = tensors

    def run():
        if not train:
            with torch.no_grad():
                forward(x, w, v, w2)
            return
        y = forward(x, w, v, w2)
        torch.autograd.grad(y, (x, w, v, w2), dy)
    return run


def read_glu_timings(path):
    timings = {}
    if path and os.path.exists(path):
        for line in open(path):
            parts = line.split()
            if len(parts) == 3:
                timings[parts[0]] = tuple(
                    float(p) if p.replace(".", "", 1).isdigit() else None
                    for p in parts[1:])
    return timings


def fmt(ms):
    return "%.3f" % ms if ms else "-"


def ratio(a, b):
    return "%.2fx" % (a / b) if a and b else "-"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--glu-timings", default="")
    p.add_argument("--device", default="cuda")
    p.add_argument("--max-autotune", action="store_true")
    p.add_argument("--no-compile", action="store_true")
    p.add_argument("--compile-only", default="")
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--iterations", type=int, default=20)
    p.add_argument("--smoke", action="store_true")
    args = p.parse_args()
    if args.smoke:
        args.device, args.warmup, args.iterations = "cpu", 1, 2
        widths, rows_list = {"tiny": (64, 96)}, (32,)
    else:
        widths, rows_list = BF16_WIDTHS, BF16_ROWS
    if args.device == "cuda" and not torch.cuda.is_available():
        sys.exit("torch_ffn_peer.py: no CUDA device (torch %s)"
                 % torch.__version__)
    glu = read_glu_timings(args.glu_timings)
    timer = Timer(args.device, args.warmup, args.iterations)
    device_name = (torch.cuda.get_device_name() if args.device == "cuda"
                   else "CPU")
    print("PyTorch %s on %s, bf16; ms (median of %d); TFLOP/s of the "
          "layer's GEMM FLOPs" % (torch.__version__, device_name,
                                  args.iterations))
    header = ("%-40s %9s %9s %9s %9s %9s %8s %8s %8s %8s"
              % ("model", "glu", "unfused", "cuBLAS", "eager", "compile",
                 "glu TF/s", "vs cuBLAS", "vs eager", "vs comp."))
    print(header)
    for width, (d_model, d_ff) in sorted(widths.items()):
        for rows in rows_list:
            for variant in BF16_VARIANTS:
                for mode in ("forward", "train"):
                    train = mode == "train"
                    name = "time-bf16-%s-%s-m%d-%s" % (variant, width, rows,
                                                       mode)
                    tensors, forward = make_layer(variant, rows, d_model,
                                                  d_ff, args.device, train)
                    cublas = timer.median_ms(gemms_alone(tensors, train))
                    eager = timer.median_ms(step(forward, tensors, train))
                    compiled = None
                    if not args.no_compile and args.compile_only in name:
                        try:
                            mode_kw = ({"mode": "max-autotune"}
                                       if args.max_autotune else {})
                            fn = torch.compile(forward, **mode_kw)
                            compiled = timer.median_ms(
                                step(fn, tensors, train))
                        except Exception as e:  # noqa: BLE001
                            print("  torch.compile failed on %s: %s"
                                  % (name, str(e).splitlines()[0]))
                    fused, unfused = glu.get(name, (None, None))
                    flops = layer_flops(rows, d_model, d_ff, mode)
                    tflops = (flops / (fused * 1e-3) / 1e12) if fused else None
                    print("%-40s %9s %9s %9s %9s %9s %8s %8s %8s %8s"
                          % (name, fmt(fused), fmt(unfused), fmt(cublas),
                             fmt(eager), fmt(compiled),
                             "%.0f" % tflops if tflops else "-",
                             ratio(cublas, fused), ratio(eager, fused),
                             ratio(compiled, fused)), flush=True)
                    del tensors
                    if args.device == "cuda":
                        torch.cuda.empty_cache()


if __name__ == "__main__":
    main()
