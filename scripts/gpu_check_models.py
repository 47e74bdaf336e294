#!/usr/bin/env python3
"""Writes the models scripts/gpu-check.sh compiles: every variant's forward
and train step at the check size, and the timing size for a few variants.
Prints one line per model: `<name> <path> <entry>`."""

import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "test",
                                "compile"))
from ffn_models import VARIANTS, operand_shapes, write_model  # noqa

CHECK_SIZE = dict(rows=256, d_model=512, d_ff=1365, d_out=512)
TIMING_SIZE = dict(rows=4096, d_model=1024, d_ff=2816, d_out=1024)
TIMING_VARIANTS = ("swiglu", "geglu", "ffn_relu")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("dir")
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    jobs = [("check", v, m, CHECK_SIZE) for v in sorted(VARIANTS)
            for m in ("forward", "train")]
    jobs += [("time", v, m, TIMING_SIZE) for v in TIMING_VARIANTS
             for m in ("forward", "train")]
    for kind, variant, mode, size in jobs:
        op, activation = VARIANTS[variant]
        shapes = operand_shapes(op, size["rows"], size["d_model"],
                                size["d_ff"], size["d_out"], biases=False)
        name = "%s-%s-%s" % (kind, variant, mode)
        path = os.path.join(args.dir, name + ".mlir")
        entry, _ = write_model(path, op, activation, mode, shapes,
                               size["d_out"])
        print(name, path, entry)


if __name__ == "__main__":
    main()
