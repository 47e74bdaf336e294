#!/usr/bin/env python3
"""Writes the PTX of every gpu.binary object in an MLIR file to OUT_DIR.

  extract-ptx.py input.mlir OUT_DIR     ->  OUT_DIR/<binary>.<i>.ptx

The `assembly = "..."` string of each #gpu.object is MLIR-escaped (\\XX hex
escapes, \\\\ and \\"); this unescapes it. Prints the files it wrote, one a
line, and exits non-zero if there was none.
"""
import os
import re
import sys


def unescape(text):
    out = bytearray()
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\\":
            nxt = text[i + 1]
            if nxt in "\\\"":
                out += nxt.encode()
                i += 2
                continue
            if nxt == "n":
                out += b"\n"
                i += 2
                continue
            if nxt == "t":
                out += b"\t"
                i += 2
                continue
            out.append(int(text[i + 1:i + 3], 16))
            i += 3
            continue
        out += c.encode()
        i += 1
    return out.decode()


def main():
    source = open(sys.argv[1]).read()
    out_dir = sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    written = []
    for binary in re.finditer(r"gpu\.binary @(\w+)\s*(?:<[^>]*>)?\s*\[(.*)\]\s*$",
                              source, re.M):
        name = binary.group(1)
        for i, asm in enumerate(
                re.finditer(r'assembly = "((?:[^"\\]|\\.)*)"', binary.group(2))):
            path = os.path.join(out_dir, "%s.%d.ptx" % (name, i))
            with open(path, "w") as f:
                f.write(unescape(asm.group(1)))
            written.append(path)
    for path in written:
        print(path)
    return 0 if written else 1


if __name__ == "__main__":
    sys.exit(main())
