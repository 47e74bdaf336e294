#!/usr/bin/env python3
"""T5 train steps and greedy decoding: glu-t5 against Hugging Face.

A small T5 for each variant at equal parameter count (d_model 256, 4 + 4
layers, 4 heads of 64, vocabulary 8192, d_ff 1024 ungated and 682 gated:
two thirds, as the paper's Table 1), batch 16, source 128 and target 32
tokens, random weights (Hugging Face's initialization, seeded) and batch:

  train     one train step: forward, cross-entropy, backward, Adafactor
            (T5's settings), median of --steps steps after the first
  generate  greedy decoding of 32 new tokens for the batch (EOS ignored:
            Hugging Face's min_new_tokens), warm: glu's third decoding in
            its process, Hugging Face's second

measured for glu (glu-t5 compile, fused), glu --no-fuse, glu
--pack-arguments (peer glu-packed: wi_0 and wi_1 one packed parameter the
train step updates in place), Hugging Face eager
(torch 2.13, the same thread count) and torch.compile (the train step's
model; generate with its forward compiled), in one process per peer, on
this machine. Prints a table with the ratios to glu and writes --json.

    python3 bench/t5_train.py --build build [--variants swiglu,relu]
        [--threads 2] [--steps 6] [--json docs/bench/t5.json]
        [--runs 3] [--tmp DIR [--reuse]]

With --runs N every peer is measured N times (glu: N processes; Hugging
Face: N fresh models, torch.compile compiling each) and the table gives
the medians of the train step and of the generation time; --json keeps
every run beside them.
"""

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

VARIANTS = {
    "relu": "relu", "gelu": "gelu", "swish": "silu",
    "glu": "gated-sigmoid", "bilinear": "gated-linear",
    "reglu": "gated-relu", "geglu": "gated-gelu", "swiglu": "gated-silu",
}
D_MODEL, LAYERS, HEADS, VOCAB = 256, 4, 4, 8192
BATCH, SOURCE, TARGET, NEW_TOKENS = 16, 128, 32, 32


def cpu_name():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def run(cmd, env=None):
    result = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise RuntimeError("%s failed:\n%s%s" % (" ".join(cmd), result.stdout,
                                                 result.stderr))
    return result.stdout


def config_for(proj):
    gated = proj.startswith("gated")
    return dict(d_model=D_MODEL, d_ff=682 if gated else 1024, d_kv=64,
                num_heads=HEADS, num_layers=LAYERS, num_decoder_layers=LAYERS,
                vocab_size=VOCAB, feed_forward_proj=proj, dropout_rate=0.0,
                decoder_start_token_id=0)


def make_model(proj, ckpt):
    import torch
    from transformers import T5Config, T5ForConditionalGeneration
    torch.manual_seed(0)
    model = T5ForConditionalGeneration(T5Config(**config_for(proj)))
    model.save_pretrained(ckpt)
    return model


def make_batch(tmp):
    rng = np.random.default_rng(0)
    ids = rng.integers(2, VOCAB, (BATCH, SOURCE)).astype(np.int32)
    mask = np.ones((BATCH, SOURCE), np.int32)
    labels = rng.integers(2, VOCAB, (BATCH, TARGET)).astype(np.int32)
    paths = {}
    for name, value in [("input_ids", ids), ("attention_mask", mask),
                        ("labels", labels)]:
        paths[name] = os.path.join(tmp, name + ".npy")
        np.save(paths[name], value)
    return (ids, mask, labels), paths


def glu_times(args, ckpt, art, paths, env):
    """Median train step and the generation time, in ms."""
    out = run([args.glu_t5, "run", art, "--checkpoint", ckpt, "--entry",
               "train_step", "--steps", str(args.steps)] +
              ["--input=%s=%s" % (n, paths[n]) for n in
               ("input_ids", "attention_mask", "labels")], env)
    steps = [float(m) for m in re.findall(r"train_step \d+/\d+: ([0-9.]+) ms",
                                          out)]
    out = run([args.glu_t5, "generate", art, "--checkpoint", ckpt,
               "--input=input_ids=" + paths["input_ids"],
               "--input=attention_mask=" + paths["attention_mask"],
               "--max-new-tokens", str(NEW_TOKENS), "--ignore-eos",
               "--repeats", "3"], env)
    gen = float(re.search(r"in ([0-9.]+) ms", out).group(1))
    return statistics.median(steps[1:]), gen


def torch_times(args, model, batch, compiled):
    import torch
    from transformers.optimization import Adafactor
    torch.set_num_threads(args.threads)
    ids, mask, labels = [torch.tensor(a, dtype=torch.long) for a in batch]
    model.train()
    opt = Adafactor(model.parameters(), lr=None, scale_parameter=True,
                    relative_step=True, warmup_init=False)
    forward = torch.compile(model) if compiled else model
    times = []
    for _ in range(args.steps):
        start = time.perf_counter()
        loss = forward(input_ids=ids, attention_mask=mask, labels=labels).loss
        loss.backward()
        opt.step()
        opt.zero_grad()
        times.append((time.perf_counter() - start) * 1e3)
    train = statistics.median(times[1:])
    model.eval()
    if compiled:
        model.forward = torch.compile(model.forward, dynamic=True)
    gens = []
    for _ in range(2):
        start = time.perf_counter()
        with torch.no_grad():
            model.generate(input_ids=ids, attention_mask=mask,
                           max_new_tokens=NEW_TOKENS,
                           min_new_tokens=NEW_TOKENS, do_sample=False,
                           num_beams=1)
        gens.append((time.perf_counter() - start) * 1e3)
    return train, gens[-1]


def medians(samples):
    """The median train step and the median generation time of the runs."""
    return (statistics.median(t for t, _ in samples),
            statistics.median(g for _, g in samples))


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--build", default="build")
    p.add_argument("--variants", default=",".join(VARIANTS))
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--steps", type=int, default=6)
    p.add_argument("--peers",
                   default="glu,glu-packed,glu-nofuse,torch,torch-compile")
    p.add_argument("--json", default="")
    p.add_argument("--tmp", default="")
    p.add_argument("--runs", type=int, default=1,
                   help="measurements of every peer; the table gives medians")
    p.add_argument("--reuse", action="store_true",
                   help="keep glu artifacts an earlier run left in --tmp "
                   "(compiled from the same config) instead of compiling")
    args = p.parse_args()
    args.glu_t5 = os.path.join(args.build, "bin", "glu-t5")
    peers = args.peers.split(",")
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
    tmp = args.tmp or tempfile.mkdtemp(prefix="glu-t5-bench-")
    os.makedirs(tmp, exist_ok=True)
    batch, paths = make_batch(tmp)
    rows = []
    print("# %s, %d threads; T5 d_model %d, %d+%d layers, vocab %d, batch %d, "
          "%d/%d tokens; train: median ms of a step; generate: ms for %d "
          "tokens" % (cpu_name(), args.threads, D_MODEL, LAYERS, LAYERS,
                      VOCAB, BATCH, SOURCE, TARGET, NEW_TOKENS), flush=True)
    for variant in args.variants.split(","):
        proj = VARIANTS[variant]
        ckpt = os.path.join(tmp, variant, "hf")
        model = make_model(proj, ckpt)
        row = {"variant": variant, "feed_forward_proj": proj, "runs": {}}
        for peer in peers:
            if peer in ("glu", "glu-nofuse", "glu-packed"):
                art = os.path.join(tmp, variant, peer)
                cmd = [args.glu_t5, "compile", "--config",
                       os.path.join(ckpt, "config.json"), "--batch",
                       str(BATCH), "--source-length", str(SOURCE),
                       "--target-length", str(TARGET), "--max-decode-length",
                       str(NEW_TOKENS), "--entries",
                       "train_step,encode,decode_step", "-o", art, "--force"]
                if peer == "glu-nofuse":
                    cmd.append("--compile-option=--no-fuse")
                if peer == "glu-packed":
                    cmd.append("--pack-arguments")
                if not (args.reuse and os.path.exists(
                        os.path.join(art, "manifest.json"))):
                    run(cmd)
                samples = [glu_times(args, ckpt, art, paths, env)
                           for _ in range(args.runs)]
                row[peer] = medians(samples)
                row["runs"][peer] = samples
            else:
                from transformers import T5ForConditionalGeneration
                fresh = T5ForConditionalGeneration.from_pretrained(ckpt)
                try:
                    samples = []
                    for i in range(args.runs):
                        if i:
                            fresh = T5ForConditionalGeneration.from_pretrained(
                                ckpt)
                        samples.append(torch_times(args, fresh, batch,
                                                   peer == "torch-compile"))
                    row[peer] = medians(samples)
                    row["runs"][peer] = samples
                except Exception as error:  # torch.compile may not finish
                    print("# %s %s: %s" % (variant, peer, error))
                    row[peer] = None
        rows.append(row)
        glu_train, glu_gen = row.get("glu") or (float("nan"),) * 2
        cells = []
        for peer in peers:
            t = row.get(peer)
            if t is None:
                cells.append("%s n/a" % peer)
                continue
            cells.append("%s %.1f/%.1f (%.2fx/%.2fx)" % (
                peer, t[0], t[1], t[0] / glu_train, t[1] / glu_gen))
        print("%-9s train/generate ms (vs glu): %s" % (variant,
                                                       "  ".join(cells)),
              flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"cpu": cpu_name(), "threads": args.threads,
                       "runs": args.runs, "rows": rows}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
