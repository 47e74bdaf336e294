#!/usr/bin/env python3
"""Interrupts glu-compile mid-compile and checks what is left on disk.

Compiles a model of many layers (a few seconds of work) over an existing
artifact with --force, sends SIGINT or SIGTERM once the staging directory
exists, and checks that glu-compile died of the signal, that no staging
directory is left and that the artifact already there is byte for byte the
same. Prints "PASS interrupt <signal>" or exits non-zero with the reason.
"""

import argparse
import os
import pathlib
import signal
import subprocess
import sys
import time

LAYER = """func.func @layer{i}(%x: tensor<8x16xf32>, %w: tensor<16x24xf32>,
    %v: tensor<16x24xf32>, %w2: tensor<24x16xf32>) -> tensor<8x16xf32> {{
  %y = ffn.glu swish %x, %w, %v, %w2 : (tensor<8x16xf32>, tensor<16x24xf32>,
      tensor<16x24xf32>, tensor<24x16xf32>) -> tensor<8x16xf32>
  return %y : tensor<8x16xf32>
}}
"""


def fail(message):
    print(f"FAIL: {message}")
    sys.exit(1)


def snapshot(directory):
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--glu-compile", required=True)
    parser.add_argument("--tmp", required=True)
    parser.add_argument("--signal", choices=["INT", "TERM"], required=True)
    parser.add_argument("--layers", type=int, default=40)
    args = parser.parse_args()

    tmp = pathlib.Path(args.tmp)
    tmp.mkdir(parents=True, exist_ok=True)
    model = tmp / "model.mlir"
    model.write_text("".join(LAYER.format(i=i) for i in range(args.layers)))
    small = tmp / "small.mlir"
    small.write_text(LAYER.format(i=0))
    out = tmp / "art"
    subprocess.run([args.glu_compile, str(small), "-o", str(out), "--force"],
                   check=True)
    before = snapshot(out)

    number = getattr(signal, "SIG" + args.signal)
    process = subprocess.Popen(
        [args.glu_compile, str(model), "-o", str(out), "--force"])
    staging = tmp / f"art.glu-staging-{process.pid}"
    deadline = time.monotonic() + 60
    while not staging.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            fail("the staging directory never appeared")
        time.sleep(0.01)
    time.sleep(0.3)  # well inside the compile: parsing is done
    process.send_signal(number)
    code = process.wait()
    if code == 0:
        fail(f"glu-compile finished before SIG{args.signal}; raise --layers")
    if code != -number:
        fail(f"glu-compile exited with {code}, not by SIG{args.signal}")
    left = [p.name for p in tmp.iterdir() if ".glu-staging-" in p.name]
    if left:
        fail(f"staging directories left behind: {left}")
    if snapshot(out) != before:
        fail("the existing artifact changed")
    print(f"PASS interrupt SIG{args.signal}")


if __name__ == "__main__":
    main()
