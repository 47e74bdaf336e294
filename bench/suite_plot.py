#!/usr/bin/env python3
"""Draws bench/suite.py's chart from its JSON (so a saved run can be redrawn).

One panel per (width, mode): GEMM GFLOP/s (the layer's GEMM FLOPs over each
peer's median time) against the token count M for one variant, each peer a
line, with the measured FMA peak (dashed) and the roofline (dotted:
FLOPs / max(FLOPs / peak, bytes / bandwidth)) of the run's threads. A last
row has one heat map per mode: glu fused's speedup over one peer (peer
median / glu median; > 1: glu is faster) for every variant, width and M.

    python3 bench/suite_plot.py suite.json suite.png [--variant swiglu]
        [--versus torch]
"""

import argparse
import json
import math
import sys

PEER_STYLES = {"glu": ("glu", "C3", "o", "-"),
               "glu-nofuse": ("glu --no-fuse", "C1", "s", "--"),
               "torch": ("torch", "C0", "^", "-"),
               "torch-compile": ("torch.compile", "C9", "v", "--"),
               "onnxruntime": ("onnxruntime", "C2", "D", "-"),
               "openblas": ("OpenBLAS GEMMs", "C7", "x", ":")}


def gflops(cell, result):
    return cell["gemm_flops"] / result["median_ms"] * 1e-6


def plot(report, png, variant=None, versus="torch"):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cells = [c for c in report["cells"] if c.get("peers")]
    if not cells:
        sys.exit("suite_plot.py: the JSON has no measured cells")
    variants = list(dict.fromkeys(c["variant"] for c in cells))
    widths = list(dict.fromkeys(c["width"] for c in cells))
    modes = list(dict.fromkeys(c["mode"] for c in cells))
    if variant is None:
        variant = "swiglu" if "swiglu" in variants else variants[0]
    if variant not in variants:
        sys.exit("suite_plot.py: no cells of variant %r (the JSON has %s)"
                 % (variant, ", ".join(variants)))
    peak = report["ceilings"]["fma"]["peak_gflops"]
    title_of = {c["variant"]: c["title"] for c in cells}
    width_title = {c["width"]: c["width_title"] for c in cells}

    rows = len(widths) + 1
    fig, axes = plt.subplots(rows, len(modes), squeeze=False,
                             figsize=(6.5 * len(modes), 3.6 * rows))
    for col, mode in enumerate(modes):
        for row, width in enumerate(widths):
            ax = axes[row][col]
            mine = sorted((c for c in cells if c["variant"] == variant
                           and c["width"] == width and c["mode"] == mode),
                          key=lambda c: c["tokens"])
            if not mine:
                ax.set_visible(False)
                continue
            tokens = [c["tokens"] for c in mine]
            for peer, (label, color, marker, style) in PEER_STYLES.items():
                points = [(c["tokens"], gflops(c, c["peers"][peer]))
                          for c in mine
                          if "median_ms" in c["peers"].get(peer, {})]
                if points:
                    ax.plot(*zip(*points), label=label, color=color,
                            marker=marker, linestyle=style)
            roof = [c["gemm_flops"] / c["roofline_ms"] * 1e-6 for c in mine]
            ax.plot(tokens, roof, color="black", linestyle=":",
                    label="roofline")
            ax.axhline(peak, color="black", linestyle="--", linewidth=0.8,
                       label="FMA peak")
            ax.set_xscale("log", base=2)
            ax.set_yscale("log")
            ax.set_xticks(tokens, [str(t) for t in tokens])
            ax.set_xlabel("tokens M")
            ax.set_ylabel("GEMM GFLOP/s")
            ax.set_title("%s, %s, %s" % (title_of[variant], width_title[width],
                                         mode))
            ax.grid(True, which="both", alpha=0.3)
            if row == 0 and col == 0:
                ax.legend(fontsize="small")
        draw_speedups(axes[-1][col], cells, variants, mode, versus, title_of,
                      width_title)
    machine = report["machine"]
    fig.suptitle("glu bench suite: %s, %d threads, %s" % (
        machine["cpu_model"], report["threads"], report["date"]))
    fig.tight_layout()
    fig.savefig(png, dpi=110)
    plt.close(fig)


def draw_speedups(ax, cells, variants, mode, versus, title_of, width_title):
    """Heat map of glu's speedup over `versus`: variants x (width, M)."""
    columns = list(dict.fromkeys((c["width"], c["tokens"]) for c in cells
                                 if c["mode"] == mode))
    grid = [[math.nan] * len(columns) for _ in variants]
    for c in cells:
        speedup = c.get("speedup", {}).get(versus)
        if c["mode"] == mode and speedup:
            grid[variants.index(c["variant"])][
                columns.index((c["width"], c["tokens"]))] = speedup
    logs = [[math.log2(v) if v == v else math.nan for v in row]
            for row in grid]
    bound = max([abs(v) for row in logs for v in row if v == v] + [0.5])
    image = ax.imshow(logs, cmap="RdBu", vmin=-bound, vmax=bound,
                      aspect="auto")
    for i, row in enumerate(grid):
        for j, v in enumerate(row):
            dark = v == v and abs(math.log2(v)) > 0.6 * bound
            ax.text(j, i, "%.2f" % v if v == v else "-", ha="center",
                    va="center", fontsize="small",
                    color="white" if dark else "black")
    ax.set_xticks(range(len(columns)),
                  ["%s\nM=%d" % (width_title[w], m) for w, m in columns],
                  fontsize="x-small")
    ax.set_yticks(range(len(variants)), [title_of[v] for v in variants])
    ax.set_title("glu fused speedup over %s, %s (> 1: glu faster)"
                 % (versus, mode))
    colorbar = ax.figure.colorbar(image, ax=ax)
    colorbar.set_label("log2 speedup")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("json")
    parser.add_argument("png")
    parser.add_argument("--variant", help="the variant of the line panels "
                        "(default: swiglu, or the first measured)")
    parser.add_argument("--versus", default="torch",
                        help="the peer of the speedup heat maps (default: "
                        "torch)")
    args = parser.parse_args()
    with open(args.json) as f:
        report = json.load(f)
    plot(report, args.png, args.variant, args.versus)
    return 0


if __name__ == "__main__":
    sys.exit(main())
