#!/usr/bin/env python3
"""Compiles one feed-forward layer with glu-compile, runs it with glu-run
and compares its results with PyTorch.

For one of the eight variants of "GLU Variants Improve Transformer"
(Shazeer, 2020) this script

  1. writes an .mlir file with one public function of ffn ops, either the
     forward `@forward(x, weights..., biases...) -> y` or a train step
     `@train_step(x, weights..., biases..., dy) -> (y, dx, dweights...,
     dbiases...)` (the forward ffn.ffn / ffn.glu and its ffn.ffn_grad /
     ffn.glu_grad), every operand and result named with `ffn.name`;
  2. compiles it with `glu-compile --target=cpu` (raise and fuse by
     default; --no-fuse for the unfused baseline) into an artifact;
  3. draws seeded float32 inputs with numpy, writes them as .npy, runs the
     entry point with `glu-run --input name=file.npy ...` and reads the
     .npy results back;
  4. computes the same results with PyTorch in float64 from the same
     float32 inputs (autograd for the gradients) and compares every
     element with the rule of glu_mlir_testing.relative_errors():
     |got - want| <= 1e-5 |want| + 1e-6 max|want| per result.

With --launcher glu-run runs under that command (test/compile/
aarch64-qemu-torch.test: an AArch64 glu-run under qemu-aarch64).

With --bf16-gemms the layer is compiled with `glu-compile --bf16-gemms`
(mixed precision: f32 arguments and results, the GEMMs on bf16 copies), the
inputs are values bf16 can hold, and the tolerance is bf16's:
|got - want| <= 2^-7 |want| + 2^-6 max|want| (the layer rounds its GEMMs'
results and activations to bf16, 2^-9 relative each).

With --perturb the compiled results are perturbed by 1e-3 relative (2^-4
with --bf16-gemms) before the comparison, which must then fail (the
harness can fail).
"""

import argparse
import os
import shlex
import subprocess
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))
from glu_mlir_testing import (ATOL_SCALE, RTOL, perturbed,  # noqa: E402
                              relative_errors)
from ffn_reference_check import torch_activation  # noqa: E402
from ffn_models import VARIANTS, operand_shapes, write_model  # noqa: E402

BF16_RTOL, BF16_ATOL_SCALE = 2.0 ** -7, 2.0 ** -6


def to_bf16_values(array):
    """float32 `array` rounded to the nearest bf16 (ties to even), kept as
    float32."""
    bits = array.astype(np.float32).view(np.uint32).astype(np.uint64)
    bits = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16 << 16
    return bits.astype(np.uint32).view(np.float32)


def reference(op, activation, mode, inputs, result_names):
    """Every result in float64 with PyTorch (autograd for the gradients)."""
    t = {n: torch.from_numpy(a.astype(np.float64)).requires_grad_(n != "dy")
         for n, a in inputs.items()}
    x = t["x"]
    zero = torch.zeros((), dtype=torch.float64)
    if op == "ffn":
        hidden = torch_activation(activation, None,
                                  x @ t["w1"] + t.get("b1", zero))
    else:
        hidden = (torch_activation(activation, None,
                                   x @ t["w"] + t.get("b", zero))
                  * (x @ t["v"] + t.get("c", zero)))
    y = hidden @ t["w2"] + t.get("b2", zero)
    want = {"y": y.detach().numpy()}
    if mode == "train":
        y.backward(t["dy"])
        for name in result_names[1:]:
            want[name] = t[name[1:]].grad.numpy()
    return want


def run(command, what):
    proc = subprocess.run(command, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        sys.stdout.write(proc.stdout)
        raise SystemExit("FAIL: %s failed (exit %d): %s"
                         % (what, proc.returncode, " ".join(command)))
    return proc.stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--glu-compile", required=True)
    parser.add_argument("--glu-run", required=True)
    parser.add_argument("--tmp", required=True, help="a scratch directory")
    parser.add_argument("--variant", required=True, choices=sorted(VARIANTS))
    parser.add_argument("--mode", choices=("forward", "train"),
                        default="forward")
    parser.add_argument("--no-fuse", action="store_true")
    parser.add_argument("--biases", action="store_true")
    parser.add_argument("--rows", type=int, default=48)
    parser.add_argument("--d-model", type=int, default=64)
    parser.add_argument("--d-ff", type=int, default=200)
    parser.add_argument("--d-out", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--compile-arg", action="append", default=[],
                        help="an extra glu-compile argument")
    parser.add_argument("--bf16-gemms", action="store_true")
    parser.add_argument("--perturb", action="store_true")
    parser.add_argument("--launcher", default="",
                        help="a command glu-run runs under (another "
                             "architecture's glu-run under qemu)")
    args = parser.parse_args()

    op, activation = VARIANTS[args.variant]
    stem = "%s-%s-%s%s%s" % (args.variant, args.mode,
                            "unfused" if args.no_fuse else "fused",
                            "-bias" if args.biases else "",
                            "-bf16" if args.bf16_gemms else "")
    work = os.path.join(args.tmp, stem)
    os.makedirs(work, exist_ok=True)
    shapes = operand_shapes(op, args.rows, args.d_model, args.d_ff,
                            args.d_out, args.biases)
    model = os.path.join(work, "model.mlir")
    entry, result_names = write_model(model, op, activation, args.mode,
                                      shapes, args.d_out)

    artifact = os.path.join(work, "artifact")
    command = [args.glu_compile, model, "-o", artifact, "--target=cpu",
               "--force"]
    if args.no_fuse:
        command.append("--no-fuse")
    if args.bf16_gemms:
        command.append("--bf16-gemms")
    run(command + args.compile_arg, "glu-compile")

    rng = np.random.default_rng(args.seed)
    inputs = {}
    for name, shape in shapes + ([("dy", [args.rows, args.d_out])]
                                 if args.mode == "train" else []):
        scale = 1.0 / np.sqrt(shape[0]) if name.startswith("w") else 1.0
        inputs[name] = (rng.uniform(-1, 1, shape) * scale).astype(np.float32)
        if args.bf16_gemms:
            inputs[name] = to_bf16_values(inputs[name])
    run_command = shlex.split(args.launcher) + [
        args.glu_run, artifact, "--entry", entry, "--device", "cpu",
        "--output-dir", os.path.join(work, "out")]
    for name, array in inputs.items():
        path = os.path.join(work, name + ".npy")
        np.save(path, array)
        run_command += ["--input", "%s=%s" % (name, path)]
    run(run_command, "glu-run")

    want = reference(op, activation, args.mode, inputs, result_names)
    worst, ok = 0.0, True
    for name in result_names:
        got = np.load(os.path.join(work, "out", name + ".npy"))
        if args.perturb and args.bf16_gemms:
            # 8 x bf16's relative tolerance.
            got = (got.astype(np.float64) * (1 + 2.0 ** -4)).astype(got.dtype)
        elif args.perturb:
            got = perturbed(got)
        if got.shape != want[name].shape or got.dtype != np.float32:
            print("FAIL: %s is %s %s, expected float32 %s"
                  % (name, got.dtype, got.shape, want[name].shape))
            ok = False
            continue
        if args.bf16_gemms:
            rtol = BF16_RTOL
            error = np.abs(got.astype(np.float64) - want[name])
            allowed = (BF16_RTOL * np.abs(want[name])
                       + BF16_ATOL_SCALE * float(np.max(np.abs(want[name]))))
            rel_err = error / (allowed / BF16_RTOL)
            within = error <= allowed
        else:
            rtol = RTOL
            atol = ATOL_SCALE * float(np.max(np.abs(want[name])))
            rel_err, within = relative_errors(got, want[name], atol)
        finite = np.all(np.isfinite(got))
        worst = max(worst, float(np.max(rel_err)))
        if not finite or not np.all(within):
            ok = False
            print("FAIL: %s: worst rel_err %.3g (tolerance %g)%s"
                  % (name, float(np.max(rel_err)), rtol,
                     "" if finite else ", not finite"))
    print("%s %s: %d results, worst rel_err %.3g (tolerance %g)"
          % ("PASS" if ok else "FAIL", stem, len(result_names), worst,
             BF16_RTOL if args.bf16_gemms else RTOL))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
