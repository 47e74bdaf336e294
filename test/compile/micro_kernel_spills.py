#!/usr/bin/env python3
"""Counts register spills in the FMA loops of x86 or AArch64 assembly.

  micro_kernel_spills.py model.s

Reads the assembly llc writes (with its comments), splits it into basic
blocks (at every label and `# %bb.N` or `// %bb.N` comment), and for each
block that is a loop header (`=>This Inner Loop Header`) and contains FMA
instructions (x86 vfmadd..., AArch64 fmla) counts the spills and reloads
llc marks (`Spill`, `Reload` comments). Prints

  fma-loops=<n> spills=<s> reloads=<r>

summed over those blocks. A micro-kernel that fits the target's vector
registers has none; one that does not (16-lane vectors on a 16-register
AVX2 machine, each split into two ymm) spills in every iteration.
"""

import re
import sys

# An FMA instruction: x86's vfmadd132ps..., AArch64's fmla (vector).
FMA = re.compile(r"\bvfmadd|\bfmla\b")


def blocks(lines):
    block = []
    for line in lines:
        if re.match(r"^(\.LBB\w+:|(#|//) %bb\.\d+:|[A-Za-z_][\w.]*:)", line):
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
        if "Loop Header" not in text or not FMA.search(text):
            continue
        loops += 1
        spills += text.count("Spill")
        reloads += text.count("Reload")
    print(f"fma-loops={loops} spills={spills} reloads={reloads}")


if __name__ == "__main__":
    main()
