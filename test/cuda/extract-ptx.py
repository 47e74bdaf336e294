#!/usr/bin/env python3
"""Writes the PTX of every gpu.binary object in an MLIR file to OUT_DIR.

  extract-ptx.py input.mlir OUT_DIR [--ptxas PTXAS --arch sm_XX]
      ->  OUT_DIR/<binary>.<i>.ptx

With --ptxas, also assembles each file with `ptxas -v -arch=ARCH` and prints
"ptxas ok <file>: <registers> registers, <bytes> bytes spilled, <smem> bytes
smem" (or the error, and exits non-zero), then "ptxas warning <file>: <line>"
for each warning ptxas gives (such as wgmma.mma_async serialized).

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


def assemble(ptxas, arch, path):
    import subprocess
    proc = subprocess.run([ptxas, "-v", "-arch=" + arch, path, "-o",
                           path + ".cubin"], capture_output=True, text=True)
    log = proc.stdout + proc.stderr
    if proc.returncode:
        print("ptxas FAILED %s:\n%s" % (path, log))
        return False
    regs = re.findall(r"Used (\d+) registers", log)
    spills = re.findall(r"(\d+) bytes spill stores", log)
    smem = re.findall(r"(\d+) bytes smem", log)
    print("ptxas ok %s: %s registers, %s bytes spilled, %s bytes smem" % (
        os.path.basename(path), max(map(int, regs or [0])),
        max(map(int, spills or [0])), max(map(int, smem or [0]))))
    # ptxas warns, among others, when it serializes wgmma.mma_async.
    for line in log.splitlines():
        if "warning" in line.lower():
            print("ptxas warning %s: %s" % (os.path.basename(path),
                                            line.strip()))
    return True


def main():
    import argparse
    parser = argparse.ArgumentParser()
    parser.add_argument("input")
    parser.add_argument("out_dir")
    parser.add_argument("--ptxas")
    parser.add_argument("--arch", default="sm_80")
    args = parser.parse_args()
    source = open(args.input).read()
    out_dir = args.out_dir
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
    ok = bool(written)
    for path in written:
        if args.ptxas:
            ok = assemble(args.ptxas, args.arch, path) and ok
        else:
            print(path)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
