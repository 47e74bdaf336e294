#!/usr/bin/env python3
"""Compares the .npy results of two runs of one model, element by element,
with the tolerance rule of the test suites (test/lib/glu_mlir_testing.py):

    |got - want| <= rtol |want| + atol_scale max|want|   (per result)

Pure Python (struct + array), no numpy: it runs on the GPU machine, which
has nothing but Python's standard library. Reads little-endian float32,
float64 and int32 arrays in C order (what glu-run writes); int32 results
(a train step's step count) must be equal under the same rule.

usage: npy_compare.py WANT_DIR GOT_DIR [--rtol 1e-5] [--atol-scale 1e-6]
Prints one line per result and exits 1 if any result is off or missing.
"""

import argparse
import array
import ast
import math
import os
import struct
import sys


def read_npy(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:6] != b"\x93NUMPY":
        raise ValueError("%s is not an .npy file" % path)
    major = data[6]
    if major == 1:
        (header_len,) = struct.unpack("<H", data[8:10])
        start = 10
    else:
        (header_len,) = struct.unpack("<I", data[8:12])
        start = 12
    header = ast.literal_eval(data[start:start + header_len].decode("latin1"))
    if header.get("fortran_order"):
        raise ValueError("%s is in Fortran order" % path)
    codes = {"<f4": "f", "<f8": "d", "<i4": "i"}
    if header["descr"] not in codes:
        raise ValueError("%s has dtype %s" % (path, header["descr"]))
    values = array.array(codes[header["descr"]])
    values.frombytes(data[start + header_len:])
    count = 1
    for size in header["shape"]:
        count *= size
    if len(values) != count:
        raise ValueError("%s is truncated" % path)
    return tuple(header["shape"]), values


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("want")
    parser.add_argument("got")
    parser.add_argument("--rtol", type=float, default=1e-5)
    parser.add_argument("--atol-scale", type=float, default=1e-6)
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    names = sorted(n for n in os.listdir(args.want) if n.endswith(".npy"))
    if not names:
        print("FAIL %s: no results in %s" % (args.label, args.want))
        return 1
    ok, worst = True, 0.0
    for name in names:
        got_path = os.path.join(args.got, name)
        if not os.path.exists(got_path):
            print("FAIL %s: %s missing" % (args.label, got_path))
            ok = False
            continue
        want_shape, want = read_npy(os.path.join(args.want, name))
        got_shape, got = read_npy(got_path)
        if want_shape != got_shape:
            print("FAIL %s: %s has shape %s, expected %s"
                  % (args.label, name, got_shape, want_shape))
            ok = False
            continue
        scale = max((abs(w) for w in want), default=0.0)
        atol = args.atol_scale * scale
        bad, result_worst = 0, 0.0
        for w, g in zip(want, got):
            error = abs(g - w)
            if not math.isfinite(g) or error > args.rtol * abs(w) + atol:
                bad += 1
            denominator = abs(w) + atol / args.rtol
            if denominator > 0:
                result_worst = max(result_worst, error / denominator)
        worst = max(worst, result_worst)
        if bad:
            ok = False
            print("FAIL %s: %s: %d of %d elements off, worst rel_err %.3g"
                  % (args.label, name, bad, len(want), result_worst))
    print("%s %s: %d results, worst rel_err %.3g (tolerance %g)"
          % ("PASS" if ok else "FAIL", args.label, len(names), worst,
             args.rtol))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
