#!/usr/bin/env python3
"""Prints a safetensors checkpoint's tensors with their mean and standard
deviation (numpy only: the header is read by hand), for FileCheck."""

import argparse
import json
import struct

import numpy as np


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("dir")
    p.add_argument("--config", help="unused; names the config checked")
    args = p.parse_args()
    with open(args.dir + "/model.safetensors", "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    meta = header.pop("__metadata__", {})
    data = blob[8 + n:]
    dtypes = {h["dtype"] for h in header.values()}
    print("tensors=%d %s format=%s" % (len(header), ",".join(
        sorted(d.lower() for d in dtypes)), meta.get("format")))
    for name, h in header.items():
        begin, end = h["data_offsets"]
        a = np.frombuffer(data[begin:end], np.float32).reshape(h["shape"])
        print("%s %s mean=%.1f std=%.1f" % (name, list(a.shape), a.mean(),
                                            a.std()))


if __name__ == "__main__":
    main()
