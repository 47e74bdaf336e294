#!/usr/bin/env python3
"""Compiles every model of a directory through glu-cuda-pipeline and the
LLVM IR translation, fused (ffn-fuse{target=cuda}) and unfused (ffn-raise
only), and prints one line per model and mode: "ok <file> <mode>" or
"FAILED <file> <mode>" with the diagnostics. Exits non-zero on a failure.

  compile_models.py --glu-opt BIN --mlir-translate BIN DIR
"""
import argparse
import concurrent.futures
import glob
import os
import subprocess
import sys

MODES = {"fused": ["--ffn-fuse=target=cuda"], "unfused": ["--ffn-raise"]}


def compile_one(args, path, mode):
    opt = subprocess.run([args.glu_opt, path] + MODES[mode] +
                         ["--glu-cuda-pipeline"], capture_output=True)
    if opt.returncode:
        return False, opt.stderr.decode()
    tr = subprocess.run([args.mlir_translate, "-mlir-to-llvmir"],
                        input=opt.stdout, capture_output=True)
    if tr.returncode:
        return False, tr.stderr.decode()
    if b"mgpuLaunchKernel" not in tr.stdout:
        return False, "no kernel launch in the LLVM IR"
    return True, ""


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--glu-opt", required=True)
    p.add_argument("--mlir-translate", required=True)
    p.add_argument("dir")
    args = p.parse_args()
    jobs = [(path, mode) for path in sorted(glob.glob(
        os.path.join(args.dir, "*.mlir"))) for mode in MODES]
    failed = 0
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        results = pool.map(lambda j: compile_one(args, *j), jobs)
        for (path, mode), (ok, log) in zip(jobs, results):
            name = os.path.basename(path)
            if ok:
                print("ok %s %s" % (name, mode))
            else:
                failed += 1
                print("FAILED %s %s\n%s" % (name, mode, log))
    print("%d compiled, %d failed" % (len(jobs) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
