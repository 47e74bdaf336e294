#!/usr/bin/env python3
"""Copies an artifact directory and damages the copy one way.

  tamper_artifact.py SRC DST KIND [OTHER]

KIND is one of
  truncate        model.so cut to half its size
  flip            one byte of model.so changed (same size)
  result-shape    the first result's shape set to [1000000, 1000000]
  drop-argument   the first entry point's last argument removed
  add-argument    an argument appended to the first entry point
  dtype           the first argument's dtype set to f64
  rename          the first two arguments' names swapped
  symbol          the first entry point's symbol changed to another name
  version         the manifest's version set to 1
  library         OTHER's model.so copied in, with its size and digest
                  written into the manifest (a consistent forgery)
"""

import hashlib
import json
import pathlib
import shutil
import sys


def main():
    src, dst, kind = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), sys.argv[3]
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(src, dst)
    library = dst / "model.so"
    manifest_path = dst / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    entry = manifest["entry_points"][0]
    data = library.read_bytes()
    if kind == "truncate":
        library.write_bytes(data[: len(data) // 2])
    elif kind == "flip":
        middle = len(data) // 2
        library.write_bytes(data[:middle] + bytes([data[middle] ^ 0xFF]) +
                            data[middle + 1:])
    elif kind == "result-shape":
        entry["results"][0]["shape"] = [1000000, 1000000]
    elif kind == "drop-argument":
        entry["arguments"].pop()
    elif kind == "add-argument":
        entry["arguments"].append({"name": "extra", "shape": [4], "dtype": "f32"})
    elif kind == "dtype":
        entry["arguments"][0]["dtype"] = "f64"
    elif kind == "rename":
        arguments = entry["arguments"]
        arguments[0]["name"], arguments[1]["name"] = (arguments[1]["name"],
                                                      arguments[0]["name"])
    elif kind == "symbol":
        entry["symbol"] = "glu_entry_other"
    elif kind == "version":
        manifest["version"] = 1
    elif kind == "library":
        other = (pathlib.Path(sys.argv[4]) / "model.so").read_bytes()
        library.write_bytes(other)
        manifest["library_bytes"] = len(other)
        manifest["library_sha256"] = hashlib.sha256(other).hexdigest()
    else:
        sys.exit(f"unknown kind {kind}")
    manifest_path.write_text(json.dumps(manifest, indent=2))


if __name__ == "__main__":
    main()
