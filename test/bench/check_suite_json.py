#!/usr/bin/env python3
"""Checks the structure of bench/suite.py's JSON, never its timings.

The JSON must hold exactly the cells the selection names (variant x width
x M x mode), each with every selected peer measured (--repeats positive
samples, a positive median inside [min, max]) or, for onnxruntime in train
cells only, skipped; the ratios of every cell where glu ran; the machine
(CPU model, vector extensions, cores), the threads and the measured
ceilings (FMA peak, bandwidth, OpenBLAS's kernel when it is a peer).
Prints one line per cell and `OK: N cells`, or `FAIL: why` and exits 1.
--png PATH also checks that PATH is a PNG.

    check_suite_json.py suite.json --variants swiglu --widths t5-small \\
        --tokens 1,16 --modes forward,train --peers glu,torch --repeats 1
"""

import argparse
import itertools
import json
import sys


class Failure(Exception):
    pass


def require(condition, message):
    if not condition:
        raise Failure(message)


def positive(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) \
        and value > 0


def check_machine(report, args):
    machine = report.get("machine", {})
    require(isinstance(machine.get("cpu_model"), str)
            and machine["cpu_model"], "machine.cpu_model missing")
    require(isinstance(machine.get("vector_extensions"), list),
            "machine.vector_extensions missing")
    require(set(machine["vector_extensions"])
            <= {"avx512f", "avx2", "fma", "neon", "sve"},
            "unknown vector extension in %s" % machine["vector_extensions"])
    require(positive(machine.get("cores")), "machine.cores missing")
    require("gpu" in machine, "machine.gpu missing")
    require(positive(report.get("threads")), "threads missing")
    ceilings = report.get("ceilings", {})
    fma = ceilings.get("fma", {})
    require(positive(fma.get("peak_gflops")), "ceilings.fma.peak_gflops")
    require("1" in fma.get("threads", {}), "no single-thread FMA peak")
    require(str(report["threads"]) in fma["threads"],
            "no FMA peak at %s threads" % report["threads"])
    bandwidth = ceilings.get("bandwidth", {})
    for kernel in ("read", "triad"):
        require(positive(bandwidth.get(kernel, {}).get("gbs")),
                "ceilings.bandwidth.%s.gbs" % kernel)
    require(positive(bandwidth.get("roofline_gbs")),
            "ceilings.bandwidth.roofline_gbs")
    if "openblas" in args.peers:
        blas = ceilings.get("openblas", {})
        require(isinstance(blas.get("architecture"), str)
                and blas["architecture"],
                "ceilings.openblas.architecture missing: %s" % blas)


def check_result(where, result, repeats):
    samples = result.get("samples_ms")
    require(isinstance(samples, list) and len(samples) == repeats,
            "%s: %s samples, want %d" % (where, samples, repeats))
    require(all(positive(s) for s in samples),
            "%s: non-positive sample" % where)
    require(positive(result.get("median_ms")), "%s: median" % where)
    require(result["min_ms"] <= result["median_ms"] <= result["max_ms"],
            "%s: median outside [min, max]" % where)
    require(positive(result.get("calls_per_sample")),
            "%s: calls_per_sample" % where)


def check_cells(report, args):
    want = set(itertools.product(args.variants, args.widths, args.tokens,
                                 args.modes))
    got = [(c["variant"], c["width"], c["tokens"], c["mode"])
           for c in report.get("cells", [])]
    require(len(got) == len(set(got)), "duplicate cells")
    require(set(got) == want, "cells differ: missing %s, extra %s" % (
        sorted(want - set(got)), sorted(set(got) - want)))
    for cell in report["cells"]:
        where = "%s %s M=%d %s" % (cell["variant"], cell["width"],
                                   cell["tokens"], cell["mode"])
        require(positive(cell.get("gemm_flops"))
                and positive(cell.get("roofline_bytes"))
                and positive(cell.get("roofline_ms")),
                "%s: FLOPs, bytes or roofline missing" % where)
        peers = cell.get("peers", {})
        require(set(peers) == set(args.peers), "%s: peers %s, want %s" % (
            where, sorted(peers), sorted(args.peers)))
        for peer, result in peers.items():
            if peer == "onnxruntime" and cell["mode"] == "train":
                require("skipped" in result,
                        "%s: onnxruntime train not skipped" % where)
                continue
            require("error" not in result, "%s: %s failed: %s" % (
                where, peer, result.get("error")))
            check_result("%s %s" % (where, peer), result, args.repeats)
        if "glu" in args.peers:
            for key in ("glu_gflops", "percent_fma_peak", "percent_roofline"):
                require(positive(cell.get(key)), "%s: %s" % (where, key))
            measured = {p for p, r in peers.items()
                        if p != "glu" and "median_ms" in r}
            require(set(cell.get("speedup", {})) == measured,
                    "%s: speedups %s, want %s" % (
                        where, sorted(cell.get("speedup", {})),
                        sorted(measured)))
            require(all(positive(v) for v in cell["speedup"].values()),
                    "%s: non-positive speedup" % where)
        print("cell %s: %s" % (where, ", ".join(
            p for p in args.peers if "median_ms" in peers[p])))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("json")
    parser.add_argument("--variants", required=True)
    parser.add_argument("--widths", required=True)
    parser.add_argument("--tokens", required=True)
    parser.add_argument("--modes", required=True)
    parser.add_argument("--peers", required=True)
    parser.add_argument("--repeats", type=int, required=True)
    parser.add_argument("--png")
    args = parser.parse_args()
    for key in ("variants", "widths", "modes", "peers"):
        setattr(args, key, getattr(args, key).split(","))
    args.tokens = [int(t) for t in args.tokens.split(",")]
    try:
        with open(args.json) as f:
            report = json.load(f)
        require(report.get("complete") is True, "the run is not complete")
        require(report.get("settings", {}).get("repeats") == args.repeats,
                "settings.repeats")
        check_machine(report, args)
        check_cells(report, args)
        if args.png:
            with open(args.png, "rb") as f:
                require(f.read(8) == b"\x89PNG\r\n\x1a\n",
                        "%s is not a PNG" % args.png)
    except (Failure, OSError, ValueError, KeyError, TypeError) as e:
        print("FAIL: %s" % e)
        return 1
    print("OK: %d cells" % len(report["cells"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
