#!/usr/bin/env python3
"""A whole Transformer block stack from a real exporter: glu against PyTorch.

Builds a Hugging Face T5 encoder from a config with random weights (seeded;
default: 2 layers, d_model 512, d_ff 1365, 8 heads of 64, gated-silu: the
SwiGLU FFN, vocabulary 1024), exports `last_hidden_state(input_ids)` with
torch-mlir (linalg on tensors; the weights become dense_resource
constants), compiles it with glu-compile (ffn-raise finds the FFNs, ffn-fuse
fuses them; attention's batched matmuls, softmax and RMS norms go through
the same CPU back end) and with --no-fuse, and times one forward of
--batch x --tokens ids:

  glu          glu-run's median over --iterations calls (one process per
               repeat; the median of the repeats)
  glu-nofuse   the same, compiled with --no-fuse
  torch        PyTorch eager (torch.inference_mode), the same thread count
  error        max |y_glu - y_torch| / max |y_torch| (must be <= 1e-5)

    python3 bench/t5_encoder.py --build build [--threads N] [--repeats 3]

bench/suite.py --t5-encoder runs it after its cells and adds its rows.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np


def build_model(args):
    import torch
    from transformers import T5Config, T5EncoderModel
    torch.manual_seed(0)
    config = T5Config(d_model=args.d_model, d_ff=args.d_ff, d_kv=64,
                      num_heads=args.d_model // 64, num_layers=args.layers,
                      vocab_size=1024, feed_forward_proj="gated-silu",
                      dropout_rate=0.0)
    model = T5EncoderModel(config).eval()

    class Encoder(torch.nn.Module):
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, ids):
            return self.model(input_ids=ids).last_hidden_state

    ids = torch.randint(0, 1024, (args.batch, args.tokens))
    return Encoder(model).eval(), ids


def run(cmd):
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError("%s failed:\n%s%s" % (" ".join(cmd), result.stdout,
                                                 result.stderr))
    return result.stdout


def time_glu(args, artifact, ids_path, env):
    medians = []
    for _ in range(args.repeats):
        out = subprocess.run(
            [os.path.join(args.build, "bin", "glu-run"), artifact, "--input",
             "arg0=" + ids_path, "--warmup", "1", "--iterations",
             str(args.iterations)], capture_output=True, text=True, env=env)
        if out.returncode != 0:
            raise RuntimeError("glu-run failed:\n" + out.stdout + out.stderr)
        for word in out.stdout.split():
            if word.startswith("median_ms="):
                medians.append(float(word.split("=")[1]))
    return statistics.median(medians), medians


def time_torch(args, module, ids):
    import torch
    torch.set_num_threads(args.threads)
    medians = []
    with torch.inference_mode():
        module(ids)
        for _ in range(args.repeats):
            times = []
            for _ in range(args.iterations):
                start = time.perf_counter()
                module(ids)
                times.append((time.perf_counter() - start) * 1e3)
            medians.append(statistics.median(times))
    return statistics.median(medians), medians


def measure(args, log=print):
    """The T5 encoder's rows, as a dict."""
    import torch
    from torch_mlir import fx
    module, ids = build_model(args)
    with torch.inference_mode():
        reference = module(ids).numpy()
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
    result = {"model": "T5 encoder, %d layers, d_model %d, d_ff %d, "
                       "gated-silu, %d x %d tokens"
                       % (args.layers, args.d_model, args.d_ff, args.batch,
                          args.tokens),
              "threads": args.threads, "peers": {}}
    with tempfile.TemporaryDirectory(prefix="glu-t5-") as tmp:
        log("t5-encoder: exporting with torch-mlir")
        exported = fx.export_and_import(module, ids,
                                        output_type="linalg-on-tensors",
                                        func_name="forward")
        source = os.path.join(tmp, "encoder.mlir")
        with open(source, "w") as f:
            f.write(str(exported))
        ids_path = os.path.join(tmp, "ids.npy")
        np.save(ids_path, ids.numpy())
        for peer, flags in (("glu", []), ("glu-nofuse", ["--no-fuse"])):
            log("t5-encoder: %s" % peer)
            artifact = os.path.join(tmp, peer)
            start = time.time()
            run([os.path.join(args.build, "bin", "glu-compile"), source,
                 "-o", artifact, "--force"] + flags)
            compile_s = time.time() - start
            outputs = os.path.join(tmp, peer + "-out")
            run([os.path.join(args.build, "bin", "glu-run"), artifact,
                 "--input", "arg0=" + ids_path, "--output-dir", outputs])
            y = np.load(os.path.join(outputs, sorted(os.listdir(outputs))[0]))
            error = float(np.abs(y - reference).max() /
                          np.abs(reference).max())
            median, samples = time_glu(args, artifact, ids_path, env)
            result["peers"][peer] = {"median_ms": median, "samples": samples,
                                     "max_rel_err": error,
                                     "compile_seconds": round(compile_s, 1)}
        log("t5-encoder: torch")
        median, samples = time_torch(args, module, ids)
        result["peers"]["torch"] = {"median_ms": median, "samples": samples}
    return result


def table_lines(result):
    peers = result["peers"]
    torch_ms = peers["torch"]["median_ms"]
    lines = ["%s, %d threads (ms, median of repeats; error vs PyTorch)"
             % (result["model"], result["threads"]),
             "| peer | ms (min-max) | torch / peer | max rel err |",
             "|---|---|---|---|"]
    for name, peer in peers.items():
        samples = peer["samples"]
        error = peer.get("max_rel_err")
        lines.append("| %s | %.1f (%.1f-%.1f) | %.2fx | %s |" % (
            name, peer["median_ms"], min(samples), max(samples),
            torch_ms / peer["median_ms"],
            "%.1e" % error if error is not None else "-"))
    return lines


def add_arguments(parser, prefix=""):
    parser.add_argument("--%slayers" % prefix, type=int, default=2)
    parser.add_argument("--%sd-model" % prefix, type=int, default=512)
    parser.add_argument("--%sd-ff" % prefix, type=int, default=1365)
    parser.add_argument("--%sbatch" % prefix, type=int, default=2)
    parser.add_argument("--%stokens" % prefix, type=int, default=128)
    parser.add_argument("--%siterations" % prefix, type=int, default=7)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", default="build")
    parser.add_argument("--threads", type=int,
                        default=len(os.sched_getaffinity(0)))
    parser.add_argument("--repeats", type=int, default=3)
    add_arguments(parser)
    args = parser.parse_args()
    result = measure(args, log=lambda m: print(m, file=sys.stderr))
    for line in table_lines(result):
        print(line)
    return 0 if all(p.get("max_rel_err", 0) <= 1e-5
                    for p in result["peers"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
