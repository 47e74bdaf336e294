#!/usr/bin/env python3
"""A deep stack of SwiGLU layers whose every weight is an argument (hundreds
of them, like a whole T5 train step), compiled with glu-compile, run with
glu-run on .npy inputs and compared with numpy in float64.

    h_0 = x,  h_{i+1} = h_i + swiglu_i(h_i),  y = h_L

Exits 1 (and prints FAIL) when any element is off by more than
|got - want| <= 1e-5 |want| + 1e-6 max|want|.
"""

import argparse
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from glu_mlir_testing import ATOL_SCALE, RTOL, relative_errors  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--glu-compile", required=True)
    parser.add_argument("--glu-run", required=True)
    parser.add_argument("--tmp", required=True)
    parser.add_argument("--layers", type=int, default=70)
    args = parser.parse_args()
    rows, d, f = 4, 16, 24
    os.makedirs(args.tmp, exist_ok=True)
    t = lambda *s: "tensor<" + "x".join(map(str, s)) + "xf32>"  # noqa: E731
    params = ['%x: {} {{ffn.name = "x"}}'.format(t(rows, d))]
    body = []
    h = "%x"
    for i in range(args.layers):
        for name, shape in (("w", (d, f)), ("v", (d, f)), ("o", (f, d))):
            params.append('%{0}{1}: {2} {{ffn.name = "{0}{1}"}}'.format(
                name, i, t(*shape)))
        body.append("  %y{0} = ffn.glu swish {1}, %w{0}, %v{0}, %o{0} : "
                    "({2}, {3}, {3}, {4}) -> {2}".format(
                        i, h, t(rows, d), t(d, f), t(f, d)))
        body.append("  %h{0} = arith.addf {1}, %y{0} : {2}".format(
            i, h, t(rows, d)))
        h = "%%h%d" % i
    model = os.path.join(args.tmp, "stack.mlir")
    with open(model, "w") as out:
        out.write("func.func @forward(%s) -> (%s {ffn.name = \"y\"}) {\n"
                  % (", ".join(params), t(rows, d)))
        out.write("\n".join(body) + "\n  return %s : %s\n}\n" % (h, t(rows, d)))

    artifact = os.path.join(args.tmp, "artifact")
    subprocess.run([args.glu_compile, model, "-o", artifact, "--force"],
                   check=True)

    rng = np.random.default_rng(0)
    inputs = {"x": rng.uniform(-1, 1, (rows, d)).astype(np.float32)}
    for i in range(args.layers):
        inputs["w%d" % i] = (rng.uniform(-1, 1, (d, f)) / 4).astype(np.float32)
        inputs["v%d" % i] = (rng.uniform(-1, 1, (d, f)) / 4).astype(np.float32)
        inputs["o%d" % i] = (rng.uniform(-1, 1, (f, d)) / 5).astype(np.float32)
    command = [args.glu_run, artifact, "--output-dir",
               os.path.join(args.tmp, "out")]
    for name, array in inputs.items():
        path = os.path.join(args.tmp, name + ".npy")
        np.save(path, array)
        command += ["--input", "%s=%s" % (name, path)]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)

    x = inputs["x"].astype(np.float64)
    for i in range(args.layers):
        a = x @ inputs["w%d" % i].astype(np.float64)
        b = x @ inputs["v%d" % i].astype(np.float64)
        x = x + ((a / (1 + np.exp(-a))) * b) @ inputs["o%d" % i].astype(
            np.float64)
    got = np.load(os.path.join(args.tmp, "out", "y.npy"))
    rel_err, within = relative_errors(got, x, ATOL_SCALE * np.max(np.abs(x)))
    ok = bool(np.all(within))
    print("%s: %d arguments, worst rel_err %.3g (tolerance %g)"
          % ("PASS" if ok else "FAIL", len(inputs), float(np.max(rel_err)),
             RTOL))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
