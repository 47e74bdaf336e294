#!/usr/bin/env python3
"""Writes the T5 models scripts/gpu-check.sh compiles and runs: a small T5
(SwiGLU, 2 + 2 layers, d_model 64) emitted by glu-t5, one module an entry
point (encode, decode, loss, loss_and_gradients, train_step with
Adafactor, cross_attention_cache, decode_step), and the inputs each runs
on (numpy .npy, seeded): parameters at Hugging Face's scale, optimizer
state at zero, ids and labels in the vocabulary (padding and ignored
labels included), a decoding position inside the cache.

Prints one line per model: `<name> <path> <entry> <inputs dir>`.

    gpu_check_t5.py --glu-t5 build/bin/glu-t5 OUT_DIR
"""

import argparse
import json
import os
import re
import subprocess
import sys

import numpy as np

CONFIG = dict(model_type="t5", d_model=64, d_ff=170, d_kv=16, num_heads=4,
              num_layers=2, num_decoder_layers=2, vocab_size=256,
              relative_attention_num_buckets=32,
              relative_attention_max_distance=128,
              feed_forward_proj="gated-silu", layer_norm_epsilon=1e-6,
              tie_word_embeddings=True)
BATCH, SOURCE, TARGET, MAX_DECODE = 4, 24, 8, 8
ENTRIES = ("encode", "decode", "loss", "loss_and_gradients", "train_step",
           "decode_step")
ARG = re.compile(r"tensor<([0-9x]*)(f32|i32)> \{ffn\.name = \"([^\"]+)\"\}")
STATE_SUFFIXES = (".exp_avg", ".exp_avg_sq", ".exp_avg_sq_row",
                  ".exp_avg_sq_col")


def signature(module, entry):
    """[(name, shape, dtype)] of `entry`'s arguments in the emitted text."""
    head = re.search(r"func\.func @%s\((.*?)\) ->" % entry, module, re.S)
    out = []
    for dims, dtype, name in ARG.findall(head.group(1)):
        shape = tuple(int(d) for d in dims.split("x") if d)
        out.append((name, shape, dtype))
    return out


def value_for(name, shape, dtype, rng):
    vocab = CONFIG["vocab_size"]
    if dtype == "i32":
        if name == "step":
            return np.array(0, np.int32)
        if name == "position":
            return np.array(3, np.int32)
        if name == "attention_mask":
            mask = np.ones(shape, np.int32)
            mask[-1, shape[-1] - 5:] = 0
            return mask
        ids = rng.integers(2, vocab, shape).astype(np.int32)
        if name == "labels":
            ids[0, -2:] = -100
        return ids
    if name == "learning_rate":
        return np.array(1e-3, np.float32)
    if name.endswith(STATE_SUFFIXES):
        return np.zeros(shape, np.float32)
    if name.endswith("layer_norm.weight"):
        return np.ones(shape, np.float32)
    scale = 1.0 if name in ("shared.weight", "encoder_output") else 0.125
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--glu-t5", required=True)
    parser.add_argument("dir")
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    config = os.path.join(args.dir, "t5-config.json")
    with open(config, "w") as f:
        json.dump(CONFIG, f)
    for entry in ENTRIES:
        name = "check-t5-" + entry
        path = os.path.join(args.dir, name + ".mlir")
        subprocess.run([args.glu_t5, "emit", "--config", config, "--batch",
                        str(BATCH), "--source-length", str(SOURCE),
                        "--target-length", str(TARGET), "--max-decode-length",
                        str(MAX_DECODE), "--entries", entry, "--target",
                        "cuda", "-o", path], check=True)
        inputs = os.path.join(args.dir, name + "-inputs")
        os.makedirs(inputs, exist_ok=True)
        rng = np.random.default_rng(7)
        func = "decode_step" if entry == "decode_step" else entry
        for arg, shape, dtype in signature(open(path).read(), func):
            np.save(os.path.join(inputs, arg + ".npy"),
                    value_for(arg, shape, dtype, rng))
        print(name, path, func, inputs)


if __name__ == "__main__":
    sys.exit(main())
