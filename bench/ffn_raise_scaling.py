#!/usr/bin/env python3
"""How long ffn-raise takes on a graph with many feed-forward layers.

Builds a function with N layers chained one after the other (cycling
through the eight variants of the paper, every fourth with biases, at
T5-small width), lowers it to linalg with convert-ffn-to-linalg (the form
front ends produce), then measures with glu-opt's --mlir-timing:

  - the ffn-raise pass alone (median of several runs), and
  - as a peer in the same run, canonicalize on the same input,

checks that all N layers were raised, and prints the times and their ratio.
The issue's bar: a hundred layers in well under a second.

  python3 bench/ffn_raise_scaling.py --glu-opt build/bin/glu-opt [--layers 100]
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile

VARIANTS = [
    ("ffn", "relu"), ("ffn", "gelu"), ("ffn", "swish"),
    ("glu", "sigmoid"), ("glu", "identity"), ("glu", "relu"),
    ("glu", "gelu_tanh"), ("glu", "swish"),
]


def build_graph(layers, d_model, d_ff, rows):
    """Returns an ffn-dialect module with `layers` chained layers."""
    x = f"tensor<{rows}x{d_model}xf32>"
    w = f"tensor<{d_model}x{d_ff}xf32>"
    w2 = f"tensor<{d_ff}x{d_model}xf32>"
    b = f"tensor<{d_ff}xf32>"
    args = [f"%x: {x}", f"%w: {w}", f"%v: {w}", f"%w2: {w2}", f"%b: {b}"]
    lines = [f"func.func @model({', '.join(args)}) -> {x} {{"]
    current = "%x"
    for i in range(layers):
        op, act = VARIANTS[i % len(VARIANTS)]
        biased = i % 4 == 3
        if op == "ffn":
            bias = " b1(%b)" if biased else ""
            types = [x, w, w2] + ([b] if biased else [])
            lines.append(f"  %y{i} = ffn.ffn {act} {current}, %w, %w2{bias} : "
                         f"({', '.join(types)}) -> {x}")
        else:
            bias = " b(%b) c(%b)" if biased else ""
            types = [x, w, w, w2] + ([b, b] if biased else [])
            lines.append(f"  %y{i} = ffn.glu {act} {current}, %w, %v, %w2{bias} : "
                         f"({', '.join(types)}) -> {x}")
        current = f"%y{i}"
    lines.append(f"  return {current} : {x}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def run(command):
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"error: {' '.join(command)} failed:\n{result.stderr}")
    return result


def pass_time(glu_opt, path, pass_flag, pass_name):
    """Wall time in seconds of `pass_name` as --mlir-timing reports it."""
    result = run([glu_opt, path, pass_flag, "--mlir-timing", "-o", os.devnull])
    for line in result.stderr.splitlines():
        match = re.match(r"\s*([0-9.]+)\s+\(\s*[0-9.]+%\)\s+(.*)$", line)
        if match and match.group(2).strip() == pass_name:
            return float(match.group(1))
    sys.exit(f"error: no timing line for {pass_name}:\n{result.stderr}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--glu-opt", required=True)
    parser.add_argument("--layers", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        source = os.path.join(tmp, "model.ffn.mlir")
        lowered = os.path.join(tmp, "model.linalg.mlir")
        with open(source, "w") as f:
            f.write(build_graph(args.layers, d_model=512, d_ff=1365, rows=256))
        run([args.glu_opt, source, "--convert-ffn-to-linalg", "--canonicalize",
             "-o", lowered])
        raised = run([args.glu_opt, lowered, "--ffn-raise"]).stdout
        found = len(re.findall(r"= ffn\.(?:ffn|glu) ", raised))
        ops = sum(1 for line in open(lowered) if " = " in line)
        raise_times = [pass_time(args.glu_opt, lowered, "--ffn-raise", "FFNRaise")
                       for _ in range(args.repeats)]
        canon_times = [pass_time(args.glu_opt, lowered, "--canonicalize",
                                 "Canonicalizer")
                       for _ in range(args.repeats)]

    raise_median = statistics.median(raise_times)
    canon_median = statistics.median(canon_times)
    print(f"layers: {args.layers} in a graph of {ops} ops; raised: {found}")
    print(f"ffn-raise:    {raise_median * 1e3:8.2f} ms (median of {args.repeats})")
    print(f"canonicalize: {canon_median * 1e3:8.2f} ms (median of {args.repeats}, same input)")
    print(f"ratio ffn-raise / canonicalize: {raise_median / canon_median:.2f}")
    if found != args.layers:
        sys.exit(f"error: raised {found} of {args.layers} layers")


if __name__ == "__main__":
    main()
