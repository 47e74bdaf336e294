#!/usr/bin/env python3
"""Checks that glu-run output directories hold the same results.

  compare_outputs.py DIR DIR [DIR ...]

Every .npy file of the first directory must exist in the others with the
same shape, and agree within 1e-6 of the first's largest magnitude
(generated code for different vector widths sums in the same order; the
bound leaves room for a contracted FMA). Prints

  PASS <n> results agree max_rel_err=<e>

or FAIL with the file and the error, and exits non-zero.
"""

import os
import sys

import numpy as np


def main():
    first, others = sys.argv[1], sys.argv[2:]
    names = sorted(n for n in os.listdir(first) if n.endswith(".npy"))
    if not names:
        print(f"FAIL: no .npy results in {first}")
        sys.exit(1)
    worst = 0.0
    for name in names:
        reference = np.load(os.path.join(first, name))
        scale = float(np.abs(reference).max()) or 1.0
        for other in others:
            y = np.load(os.path.join(other, name))
            if y.shape != reference.shape:
                print(f"FAIL: {other}/{name} has shape {y.shape}, "
                      f"{first} {reference.shape}")
                sys.exit(1)
            error = float(np.abs(y - reference).max()) / scale
            worst = max(worst, error)
            if not error <= 1e-6:
                print(f"FAIL: {other}/{name} differs from {first} by "
                      f"{error:.2e} (relative)")
                sys.exit(1)
    print(f"PASS {len(others) + 1} results agree max_rel_err={worst:.1e}")


if __name__ == "__main__":
    main()
