#!/usr/bin/env python3
"""Writes the models scripts/gpu-check.sh compiles: every variant's forward
and train step at the check size, and the timing size for a few variants;
and, for the tensor-core kernels, SwiGLU and GEGLU in bf16 at T5-base
(768 / 2048) and LLaMA-7B (4096 / 11008) widths with M = 8192 and 65536
tokens, forward and train step (`time-bf16-<variant>-<width>-m<M>-<mode>`;
bench/torch_ffn_peer.py times PyTorch on the same layers).
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
BF16_WIDTHS = dict(t5base=(768, 2048), llama7b=(4096, 11008))
BF16_ROWS = (8192, 65536)
BF16_VARIANTS = ("swiglu", "geglu")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("dir")
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    jobs = [("check", v, m, CHECK_SIZE) for v in sorted(VARIANTS)
            for m in ("forward", "train")]
    jobs += [("time", v, m, TIMING_SIZE) for v in TIMING_VARIANTS
             for m in ("forward", "train")]
    for width, (d_model, d_ff) in sorted(BF16_WIDTHS.items()):
        for rows in BF16_ROWS:
            size = dict(rows=rows, d_model=d_model, d_ff=d_ff, d_out=d_model,
                        dtype="bf16", tag="%s-m%d" % (width, rows))
            jobs += [("time-bf16", v, m, size) for v in BF16_VARIANTS
                     for m in ("forward", "train")]
    for kind, variant, mode, size in jobs:
        op, activation = VARIANTS[variant]
        shapes = operand_shapes(op, size["rows"], size["d_model"],
                                size["d_ff"], size["d_out"], biases=False)
        tag = "-" + size["tag"] if "tag" in size else ""
        name = "%s-%s%s-%s" % (kind, variant, tag, mode)
        path = os.path.join(args.dir, name + ".mlir")
        entry, _ = write_model(path, op, activation, mode, shapes,
                               size["d_out"])
        if size.get("dtype") == "bf16":
            with open(path) as f:
                text = f.read().replace("f32>", "bf16>")
            with open(path, "w") as f:
                f.write(text)
        print(name, path, entry)


if __name__ == "__main__":
    main()
