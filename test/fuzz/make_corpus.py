#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (test/fuzz/README.md).

    make_corpus.py OUT_DIR

OUT_DIR/glu-opt       every .mlir of test/ and docs/examples, split at
                      `// -----`, whole-line comments (RUN, CHECK,
                      expected-error) dropped, one seed per piece
OUT_DIR/glu-manifest  the runtime tests' manifests (manifest.json.in, sealed)
                      and manifests with packed arguments as glu-compile
                      writes them (--pack-arguments)
OUT_DIR/glu-npy       small .npy files: every dtype the runtime reads,
                      format versions 1.0, 2.0 and 3.0, 0-d, empty and
                      Fortran-order arrays
OUT_DIR/glu-safetensors  small .safetensors files: every dtype the runtime
                      reads, rank 0, zero elements, metadata, several
                      tensors, gaps, as the safetensors library writes them

Seeds are named by the SHA-1 of their bytes (duplicates collapse), and the
folders are rewritten from scratch. Python's standard library only.
"""

import hashlib
import json
import os
import re
import shutil
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))

# Seeds left out of the glu-opt corpus, by path relative to ROOT (an input
# that crashes upstream MLIR, which glu cannot avoid, goes here with the
# reason; README.md in this folder lists them).
EXCLUDED_MLIR = {}

# Larger pieces (whole-model test inputs) only slow the fuzzer down.
MAX_SEED_BYTES = 16 * 1024

SPLIT = re.compile(r"^// -----\s*$", re.MULTILINE)
COMMENT_LINE = re.compile(r"^\s*//.*\n?", re.MULTILINE)


def write_seed(folder, data):
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def fresh(folder):
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    return folder


def mlir_seeds(out):
    folder = fresh(os.path.join(out, "glu-opt"))
    for top in ("test", os.path.join("docs", "examples")):
        for dirpath, dirnames, filenames in os.walk(os.path.join(ROOT, top)):
            dirnames.sort()
            for name in sorted(filenames):
                if not name.endswith(".mlir"):
                    continue
                path = os.path.join(dirpath, name)
                if os.path.relpath(path, ROOT) in EXCLUDED_MLIR:
                    continue
                with open(path, encoding="utf-8") as f:
                    text = f.read()
                for piece in SPLIT.split(text):
                    piece = COMMENT_LINE.sub("", piece).strip()
                    data = (piece + "\n").encode()
                    if piece and len(data) <= MAX_SEED_BYTES:
                        write_seed(folder, data)
    return folder


def manifest_seeds(out):
    folder = fresh(os.path.join(out, "glu-manifest"))
    inputs = os.path.join(ROOT, "test", "unit", "runtime", "Inputs")
    for dirpath, dirnames, filenames in os.walk(inputs):
        dirnames.sort()
        # The fake artifacts' manifest templates, sealed with a made-up
        # size and digest as glu-compile would write them.
        if "manifest.json.in" in filenames:
            with open(os.path.join(dirpath, "manifest.json.in"), "rb") as f:
                text = f.read()
            text = text.replace(b"@LIBRARY_BYTES@", b"16384")
            text = text.replace(b"@LIBRARY_SHA256@", b"0123456789abcdef" * 4)
            write_seed(folder, text)
    for seed in packed_manifests():
        write_seed(folder, seed)
    return folder


def packed_manifests():
    """Manifests of a SwiGLU layer compiled with --pack-arguments, as
    glu-compile writes them (llvm::json: keys sorted, two-space indent):
    d_ff 20 in blocks of 8 (a ragged last block), and a rank-1 and a rank-3
    pair beside it."""
    def tensor(name, shape, packed=None):
        t = {"dtype": "f32", "name": name, "shape": shape}
        if packed:
            gate, linear, block = packed
            half = shape[:-1] + [shape[-1] // 2]
            t["name"] = gate + "+" + linear
            t["packed"] = {"block_size": block,
                           "gate": {"name": gate, "shape": half},
                           "layout": "interleaved_column_blocks",
                           "linear": {"name": linear, "shape": half}}
        return t

    def manifest(arguments):
        return {"entry_points": [{
                    "arguments": arguments, "name": "forward",
                    "results": [tensor("y", [8, 16])],
                    "symbol": "glu_entry_forward"}],
                "format": "glu-artifact", "fused": True,
                "library": "model.so", "library_bytes": 16384,
                "library_sha256": "0123456789abcdef" * 4,
                "producer": "glu-compile", "source": "swiglu.mlir",
                "target": "cpu", "triple": "x86_64-pc-linux-gnu",
                "version": 2}

    swiglu = [tensor("x", [8, 16]), tensor("wo", [20, 16]),
              tensor(None, [16, 40], ("wi_0", "wi_1", 8))]
    more = swiglu + [tensor(None, [40], ("b_0", "b_1", 64)),
                     tensor(None, [2, 3, 10], ("e_0", "e_1", 3))]
    return [json.dumps(manifest(args), indent=2, sort_keys=True).encode()
            for args in (swiglu, more)]


def npy(descr, shape, major=1, fortran=False, pad_to=64):
    """The bytes of a .npy file of `shape` with element type `descr`."""
    dims = "".join("%d," % d for d in shape) if len(shape) == 1 else \
        ", ".join("%d" % d for d in shape)
    header = "{'descr': '%s', 'fortran_order': %s, 'shape': (%s), }" % (
        descr, "True" if fortran else "False", dims)
    prefix = 10 if major == 1 else 12
    total = prefix + len(header) + 1
    header += " " * (-total % pad_to) + "\n"
    size_field = struct.pack("<H" if major == 1 else "<I", len(header))
    count = 1
    for d in shape:
        count *= d
    itemsize = int(descr[2:])
    data = bytes((i * 37 + 11) % 256 for i in range(count * itemsize))
    return (b"\x93NUMPY" + bytes([major, 0]) + size_field +
            header.encode("latin-1") + data)


def npy_seeds(out):
    folder = fresh(os.path.join(out, "glu-npy"))
    seeds = [npy(d, (2, 3)) for d in
             ("<f2", "<f4", "<f8", "<i4", "<i8", "|i1", "|b1")]
    seeds += [
        npy("<f4", ()),                   # 0-d
        npy("<f4", (0, 4)),               # empty
        npy("<f4", (5,)),                 # (5,) is a tuple
        npy("<f4", (1, 4), fortran=True),  # trivially Fortran
        npy("<f8", (2, 2, 2), major=2),
        npy("<i4", (3,), major=3, pad_to=16),
    ]
    for data in seeds:
        write_seed(folder, data)
    return folder


# The safetensors dtypes the runtime reads and their sizes in bytes.
SAFETENSORS_DTYPES = {"F16": 2, "BF16": 2, "F32": 4, "F64": 8, "I8": 1,
                      "I32": 4, "I64": 8, "BOOL": 1}


def safetensors(tensors, metadata=None, gap=0, pad_to=8):
    """The bytes of a .safetensors file holding `tensors`, a list of (name,
    dtype, shape), in that order (`gap` bytes between them), with the
    header padded with spaces as the safetensors library pads it."""
    header = {}
    if metadata is not None:
        header["__metadata__"] = metadata
    offset = 0
    data = b""
    for name, dtype, shape in tensors:
        count = 1
        for d in shape:
            count *= d
        size = count * SAFETENSORS_DTYPES[dtype]
        header[name] = {"dtype": dtype, "shape": list(shape),
                        "data_offsets": [offset, offset + size]}
        data += bytes((offset + i) * 37 % 256 for i in range(size))
        data += b"\0" * gap
        offset += size + gap
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-(8 + len(text)) % pad_to)
    return struct.pack("<Q", len(text)) + text + data


def safetensors_seeds(out):
    folder = fresh(os.path.join(out, "glu-safetensors"))
    seeds = [safetensors([("t", d, (2, 3))]) for d in SAFETENSORS_DTYPES]
    seeds += [
        safetensors([]),                                  # no tensors
        safetensors([("s", "F32", ())]),                  # rank 0
        safetensors([("e", "F32", (0, 4))]),              # zero elements
        safetensors([("a", "F32", (2, 3))], {"format": "pt"}),
        safetensors([("w", "F64", (2,)), ("b", "BF16", (3,)),
                     ("m", "BOOL", (5,)), ("z", "I64", (0,))],
                    {"k": "v", "": ""}),
        safetensors([("x", "I8", (3,)), ("y", "I32", (2, 2))], gap=5),
        safetensors([("h", "F16", (1, 1, 1))], pad_to=1),  # unpadded
    ]
    for data in seeds:
        write_seed(folder, data)
    return folder


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_corpus.py OUT_DIR")
    out = sys.argv[1]
    for make in (mlir_seeds, manifest_seeds, npy_seeds, safetensors_seeds):
        folder = make(out)
        print("%s: %d seeds" % (folder, len(os.listdir(folder))))


if __name__ == "__main__":
    main()
