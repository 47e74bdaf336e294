"""Inputs and the numpy check of in-place-results.test."""
import os
import sys

import numpy as np


def main():
    mode, tmp = sys.argv[1], sys.argv[2]
    rng = np.random.default_rng(3)
    cache = rng.standard_normal((4, 8)).astype(np.float32)
    row = rng.standard_normal((1, 8)).astype(np.float32)
    if mode == "inputs":
        np.save(os.path.join(tmp, "cache.npy"), cache)
        np.save(os.path.join(tmp, "row.npy"), row)
        np.save(os.path.join(tmp, "position.npy"), np.array(2, np.int32))
        return
    expected = cache.copy()
    expected[2] = row[0]
    out = os.path.join(tmp, "out")
    got = np.load(os.path.join(out, "cache.npy"))
    total = np.load(os.path.join(out, "sum.npy"))
    if np.array_equal(got, expected):
        print("cache: row 2 replaced, the other rows kept")
    else:
        print("cache: MISMATCH\n%s\nexpected\n%s" % (got, expected))
    if np.allclose(total, expected.sum(axis=0), rtol=1e-6, atol=1e-6):
        print("sum: matches")
    else:
        print("sum: MISMATCH %s vs %s" % (total, expected.sum(axis=0)))


main()
