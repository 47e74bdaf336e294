#!/usr/bin/env python3
"""Counts register spills in the FMA loops of x86 assembly.

  micro_kernel_spills.py model.s

Reads the assembly llc writes (with its comments), splits it into basic
blocks (at every label and `# %bb.N` comment), and for each block that is
a loop header (`# =>This Inner Loop Header`) and contains vfmadd
instructions counts the spills and reloads llc marks (`Spill`, `Reload`
comments). Prints

  fma-loops=<n> spills=<s> reloads=<r>

summed over those blocks. A micro-kernel that fits the target's vector
registers has none; one that does not (16-lane vectors on a 16-register
AVX2 machine, each split into two ymm) spills in every iteration.
"""

import re
import sys


def blocks(lines):
    block = []
    for line in lines:
        if re.match(r"^(\.LBB\w+:|# %bb\.\d+:|[A-Za-z_][\w.]*:)", line):
            if block:
                yield block
            block = []
        block.append(line)
    if block:
        yield block


def main():
    with open(sys.argv[1]) as f:
        lines = f.read().splitlines()
    loops = spills = reloads = 0
    for block in blocks(lines):
        text = "\n".join(block)
        if "Loop Header" not in text or "vfmadd" not in text:
            continue
        loops += 1
        spills += text.count("Spill")
        reloads += text.count("Reload")
    print(f"fma-loops={loops} spills={spills} reloads={reloads}")


if __name__ == "__main__":
    main()
