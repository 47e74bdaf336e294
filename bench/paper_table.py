"""The shape of Table 1 of "GLU Variants Improve Transformer", reproduced
small: the eight feed-forward variants pretrained with glu-t5 on the same
text, steps and seeds, at equal parameter count and equal compute (d_ff of
the gated variants 2/3 of the others', as the paper), then the held-out
log-perplexity of each beside the paper's.

    python3 bench/paper_table.py --build build --corpus kjv.txt --out DIR
        [--steps N] [--seeds 0,1] [--scale K] [--device cpu|cuda|auto]

Writes DIR/table.md, DIR/results.json (every run's final and intermediate
evaluations) and DIR/loss-curves.png (each variant's training loss,
smoothed, and its held-out evaluations). The runs are DIR/<variant>-seed<S>
(glu-t5 train's run directories: a run already complete is reused, an
interrupted one resumed). --scale K multiplies d_model and d_ff (and the
heads) by K and the layers by max(1, K / 2), for a bigger run on a GPU.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import time

from suite import cpu_description, gpu_note

# (paper name, feed_forward_proj, gated, paper 65,536 steps (std), 524,288)
VARIANTS = [
    ("FFN_ReLU", "relu", False, "1.997 (0.005)", 1.677),
    ("FFN_GELU", "gelu", False, "1.983 (0.005)", 1.679),
    ("FFN_Swish", "silu", False, "1.994 (0.003)", 1.683),
    ("FFN_GLU", "gated-sigmoid", True, "1.982 (0.006)", 1.663),
    ("FFN_Bilinear", "gated-linear", True, "1.960 (0.005)", 1.648),
    ("FFN_GEGLU", "gated-gelu", True, "1.942 (0.004)", 1.633),
    ("FFN_SwiGLU", "gated-silu", True, "1.944 (0.010)", 1.636),
    ("FFN_ReGLU", "gated-relu", True, "1.953 (0.003)", 1.645),
]


def config(proj, gated, scale):
    d_model = 256 * scale
    d_ff = 1024 * scale
    layers = max(2, scale)
    return {
        "model_type": "t5", "architectures": ["T5ForConditionalGeneration"],
        "d_model": d_model,
        # Equal parameters and compute: three matrices of 2/3 the width.
        "d_ff": d_ff * 2 // 3 if gated else d_ff,
        "d_kv": 64, "num_heads": d_model // 64,
        "num_layers": layers, "num_decoder_layers": layers,
        "vocab_size": 4096, "relative_attention_num_buckets": 32,
        "relative_attention_max_distance": 128, "feed_forward_proj": proj,
        "layer_norm_epsilon": 1e-6, "initializer_factor": 1.0,
        "dropout_rate": 0.0, "tie_word_embeddings": True,
        "decoder_start_token_id": 0, "pad_token_id": 0, "eos_token_id": 1,
    }


def read_log(run):
    """(steps, evals, unigram) of a run's train.jsonl: [(step, loss)],
    [(step, held-out log-perplexity)] and its unigram baseline."""
    steps, evals, unigram = [], [], None
    with open(os.path.join(run, "train.jsonl")) as f:
        for line in f:
            r = json.loads(line)
            if "unigram_log_perplexity" in r:
                unigram = r["unigram_log_perplexity"]
            elif "eval_log_perplexity" in r:
                evals.append((r["step"], r["eval_log_perplexity"]))
            else:
                steps.append((r["step"], r["loss"]))
    return steps, evals, unigram


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", default="build")
    parser.add_argument("--corpus", required=True, nargs="+")
    parser.add_argument("--out", required=True)
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--seeds", default="0")
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--variants", default="all",
                        help="comma-separated paper names (default: all)")
    args = parser.parse_args()

    glu_t5 = os.path.join(args.build, "bin", "glu-t5")
    cache = os.path.join(args.build, "t5-cache")
    os.makedirs(args.out, exist_ok=True)
    seeds = [int(s) for s in args.seeds.split(",")]
    variants = [v for v in VARIANTS
                if args.variants == "all" or v[0] in args.variants.split(",")]
    common = ["--corpus", *args.corpus, "--batch", str(args.batch),
              "--source-length", "128", "--target-length", "32",
              "--device", args.device, "--cache", cache]

    # One tokenizer for every run: the same vocabulary and data.
    spiece = os.path.join(args.out, "spiece.model")
    configs = {}
    for name, proj, gated, _, _ in variants:
        path = os.path.join(args.out, "config-%s.json" % name)
        with open(path, "w") as f:
            json.dump(config(proj, gated, args.scale), f, indent=2)
        configs[name] = path

    # Compile every artifact first, two at a time (each compile is one
    # thread), so that the training runs have both cores.
    start = time.time()
    pending = []
    queue = [name for name, *_ in variants]
    while queue or pending:
        while queue and len(pending) < 2:
            name = queue.pop(0)
            pending.append(subprocess.Popen(
                [glu_t5, "train", "--compile-only", "--config", configs[name],
                 "--out", os.path.join(args.out, "compile-" + name),
                 "--steps", str(args.steps), *common]))
        done = pending.pop(0)
        if done.wait() != 0:
            sys.exit("glu-t5 train --compile-only failed")
    print("compiled %d artifacts in %.0f s" % (len(variants), time.time() - start),
          flush=True)

    results = {}
    for seed in seeds:
        for name, *_ in variants:
            run = os.path.join(args.out, "%s-seed%d" % (name, seed))
            command = [glu_t5, "train", "--config", configs[name], "--out", run,
                       "--steps", str(args.steps), "--seed", str(seed),
                       "--eval-every", str(max(1, args.steps // 5)),
                       "--eval-batches", "0", "--log-every",
                       str(max(1, args.steps // 10)), *common]
            if os.path.exists(spiece):
                command += ["--tokenizer", spiece]
            latest = os.path.join(run, "latest")
            if os.path.exists(latest):
                steps, evals, _ = read_log(run)
                if evals and evals[-1][0] == args.steps:
                    print("%s seed %d: complete, reused" % (name, seed))
                    results.setdefault(name, []).append(run)
                    continue
                command.append("--resume")
            print("\n== %s, seed %d" % (name, seed), flush=True)
            subprocess.run(command, check=True)
            if not os.path.exists(spiece):
                subprocess.run(["cp", os.path.join(run, "spiece.model"),
                                spiece], check=True)
            results.setdefault(name, []).append(run)

    # The table.
    rows, summary, unigrams = [], {}, []
    for name, proj, gated, paper65k, paper524k in variants:
        finals = []
        for run in results[name]:
            steps, evals, unigram_run = read_log(run)
            unigrams.append(unigram_run)
            finals.append(evals[-1][1])
            summary.setdefault(name, []).append(
                {"run": run, "evals": evals, "final": evals[-1][1]})
        mean, std = mean_std(finals)
        ours = "%.3f" % mean + (" (%.3f)" % std if std is not None else "")
        rows.append((name, ours, mean, paper65k, paper524k))
    # The baseline counts the training targets, which differ by seed.
    unigram = sum(unigrams) / len(unigrams)
    best = min(r[2] for r in rows)
    lines = [
        "Held-out log-perplexity (natural log, per target token) after %d "
        "steps, mean (std) of %d seed%s; d_model %d, %d+%d layers, d_ff %d "
        "ungated / %d gated, batch %d, inputs 128 / targets 32, vocabulary "
        "4096; unigram baseline %.3f. Paper: T5-base on C4, Table 1."
        % (args.steps, len(seeds), "s" if len(seeds) > 1 else "",
           256 * args.scale, max(2, args.scale), max(2, args.scale),
           1024 * args.scale, 1024 * args.scale * 2 // 3, args.batch,
           unigram),
        "",
        "| variant | glu, %d steps | paper, 65,536 steps | paper, 524,288 steps |"
        % args.steps,
        "|---|---|---|---|",
    ]
    for name, ours, mean, paper65k, paper524k in rows:
        mark = " **" if mean == best else ""
        lines.append("| %s | %s%s | %s | %.3f |" % (name, ours, mark,
                                                     paper65k, paper524k))
    device = run_device(results[variants[0][0]][0], args.device)
    where = machine(device)
    lines.append("")
    lines.append("(%s; %s)" % (where, device))
    table = "\n".join(lines)
    print("\n" + table)
    with open(os.path.join(args.out, "table.md"), "w") as f:
        f.write(table + "\n")
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump({"steps": args.steps, "seeds": seeds, "scale": args.scale,
                   "device": device, "machine": where,
                   "unigram": unigram, "runs": summary}, f, indent=1)
    plot(variants, summary, seeds, unigram, args.steps,
         os.path.join(args.out, "loss-curves.png"))


def mean_std(xs):
    """The mean and the sample standard deviation (None for one value)."""
    mean = sum(xs) / len(xs)
    if len(xs) < 2:
        return mean, None
    return mean, math.sqrt(sum((x - mean) ** 2 for x in xs) / (len(xs) - 1))


def run_device(run, asked):
    """The device a run trained on, as glu-t5 train logged it."""
    with open(os.path.join(run, "train.jsonl")) as f:
        first = json.loads(f.readline() or "{}")
    return first.get("device", asked)


def machine(device):
    """The processor, its vector extensions and the threads the runs had
    (the GPU's name on cuda), as bench/suite.py describes its machine."""
    if device == "cuda":
        gpus = gpu_note()
        return gpus[0] if gpus else "unknown GPU"
    cpu = cpu_description()
    threads = os.environ.get("OMP_NUM_THREADS") or str(cpu["cores"])
    return "%s (%s), %s threads" % (
        cpu["cpu_model"], ", ".join(cpu["vector_extensions"]) or "no AVX",
        threads)


def plot(variants, summary, seeds, unigram, steps, path):
    """Seed 0's training loss (moving average) and the held-out
    log-perplexity, mean and std over the seeds, of every variant
    (`summary`: each variant's runs, as results.json holds them)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5))
    lowest = unigram
    for name, _, gated, *_ in variants:
        style = "-" if gated else "--"
        history, _, _ = read_log(summary[name][0]["run"])
        window = max(1, steps // 40)
        losses = [l for _, l in history]
        smooth = [sum(losses[max(0, i - window + 1):i + 1]) /
                  len(losses[max(0, i - window + 1):i + 1])
                  for i in range(len(losses))]
        left.plot([s for s, _ in history], smooth, style, label=name)
        lowest = min([lowest] + smooth)
        per_seed = [run["evals"] for run in summary[name]]
        xs = [s for s, _ in per_seed[0]]
        stats = [mean_std([e[i][1] for e in per_seed]) for i in range(len(xs))]
        right.errorbar(xs, [m for m, _ in stats],
                       yerr=[sd or 0 for _, sd in stats], fmt=style + "o",
                       capsize=3, label=name)
    left.set_title("training loss (seed %d, moving average)" % seeds[0])
    right.set_title("held-out log-perplexity (mean and std of %d seed%s)"
                    % (len(seeds), "s" if len(seeds) > 1 else ""))
    for axis in (left, right):
        axis.set_xlabel("step")
        axis.grid(alpha=0.3)
    left.set_ylim(lowest - 0.1, unigram + 0.5)
    right.axhline(unigram, color="gray", linewidth=0.8)
    right.annotate("unigram baseline", (0.02, unigram), xycoords=(
        "axes fraction", "data"), va="bottom", color="gray")
    right.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print("wrote %s" % path)


if __name__ == "__main__":
    main()
