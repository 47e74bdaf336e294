#!/usr/bin/env python3
"""Builds `gpu-check`, an executable that runs glu-cuda-pipeline's code on a
GPU and compares it with the reference semantics compiled for the CPU.

  build.py --glu-opt BIN --llvm-bin DIR --out DIR [--chip sm_80]

Needs no GPU to build; run OUT/gpu-check on a machine with one (it opens
libcuda.so.1 with dlopen). Each case is an ffn layer with awkward shapes
(M = 1, sizes no multiple of any tile, a ragged last packed block, biases),
forward and backward, fused by ffn-fuse or not, plus two timing cases at
M=4096, K=1024, d_ff=2816 without a reference.

bf16 cases (the tensor-core kernels) run the layer with every tensor in
bf16 on the GPU and the same layer in f32 on the CPU, on the same inputs
(rounded to bf16): the f32 reference, with a tolerance that bf16 justifies
(driver.c).
"""
import argparse
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
INPUTS = os.path.join(os.path.dirname(HERE), "gpu_inputs")

REFERENCE = ",".join([
    "convert-ffn-to-linalg", "canonicalize",
    "one-shot-bufferize{bufferize-function-boundaries "
    "function-boundary-type-conversion=identity-layout-map}",
    "buffer-results-to-out-params{hoist-static-allocs modify-public-functions}",
    "func.func(llvm-request-c-wrappers)", "buffer-deallocation-pipeline", "convert-bufferization-to-memref",
    "func.func(convert-linalg-to-loops)", "convert-scf-to-cf",
    "expand-strided-metadata", "lower-affine", "convert-math-to-libm",
    "convert-math-to-llvm", "finalize-memref-to-llvm", "convert-arith-to-llvm",
    "convert-index-to-llvm", "convert-cf-to-llvm",
    "convert-func-to-llvm", "reconcile-unrealized-casts",
    "glu-emit-entry-points"])


DTYPE = "f32"


def t(*shape):
    return "tensor<%sx%s>" % ("x".join(str(s) for s in shape), DTYPE)


def in_dtype(dtype, build, *args):
    """`build(*args)` with every tensor of element type `dtype`."""
    global DTYPE
    DTYPE = dtype
    try:
        return build(*args)
    finally:
        DTYPE = "f32"


def bf16(build, *args):
    """A bf16 case: the model in bf16 for the GPU, in f32 for the
    reference."""
    return (in_dtype("bf16", build, *args), build(*args))


def layer(kind, act, m, k, f, backward, bias):
    """An ffn.glu / ffn.ffn (or _grad) layer as @layer."""
    gated = kind == "glu"
    ins = [("x", t(m, k))]
    ins += ([("w", t(k, f)), ("v", t(k, f))] if gated else [("w1", t(k, f))])
    ins += [("w2", t(f, k))]
    if backward:
        ins += [("dy", t(m, k))]
    biases = []
    if bias:
        biases = ([("b", t(f)), ("c", t(f))] if gated else [("b1", t(f))])
        biases += [("b2", t(k))]
    ins_all = ins + biases
    op = "ffn.%s%s" % (kind, "_grad" if backward else "")
    operands = ", ".join("%" + n for n, _ in ins)
    operands += "".join(" %s(%%%s)" % (n, n) for n, _ in biases)
    types = ", ".join(ty for _, ty in ins_all)
    if backward:
        outs = [("dx", t(m, k))] + [("d" + n, ty) for n, ty in ins[1:-1]]
        outs += [("d" + n, ty) for n, ty in biases]
    else:
        outs = [("y", t(m, k))]
    res = ", ".join("%" + n for n, _ in outs)
    rtypes = ", ".join(ty for _, ty in outs)
    args = ", ".join("%%%s: %s" % a for a in ins_all)
    return ("func.func @layer(%s) -> (%s) {\n  %s = %s %s %s : (%s) -> (%s)\n"
            "  return %s : %s\n}\n" % (args, rtypes, res, op, act, operands,
                                       types, rtypes, res, rtypes))


def train(kind, act, m, k, f):
    """A train step as @layer: the forward and the gradient of one layer
    (y, dx, the weight gradients), so that ffn-fuse shares the product x W
    of the forward and the backward (glu-gpu-gemm's shared product)."""
    gated = kind == "glu"
    ins = [("x", t(m, k))]
    ins += ([("w", t(k, f)), ("v", t(k, f))] if gated else [("w1", t(k, f))])
    ins += [("w2", t(f, k)), ("dy", t(m, k))]
    fwd_ins = ins[:-1]
    grads = [("dx", t(m, k))] + [("d" + n, ty) for n, ty in ins[1:-1]]
    outs = [("y", t(m, k))] + grads
    args = ", ".join("%%%s: %s" % a for a in ins)
    rtypes = ", ".join(ty for _, ty in outs)
    return ("func.func @layer(%s) -> (%s) {\n"
            "  %%y = ffn.%s %s %s : (%s) -> %s\n"
            "  %s = ffn.%s_grad %s %s : (%s) -> (%s)\n"
            "  return %s : %s\n}\n" % (
                args, rtypes,
                kind, act, ", ".join("%" + n for n, _ in fwd_ins),
                ", ".join(ty for _, ty in fwd_ins), t(m, k),
                ", ".join("%" + n for n, _ in grads), kind, act,
                ", ".join("%" + n for n, _ in ins),
                ", ".join(ty for _, ty in ins),
                ", ".join(ty for _, ty in grads),
                ", ".join("%" + n for n, _ in outs), rtypes))


def from_file(name, dtype="f32"):
    text = open(os.path.join(INPUTS, name)).read()
    return re.sub(r"@(forward|backward)\(", "@layer(", text).replace(
        "f32>", dtype + ">")


# name, model, ffn-fuse options (None: unfused), compare with the reference.
# A model is the text of @layer, or (GPU model, reference model) for bf16.
CASES = [
    ("swiglu-fwd-67x33x45-b16-bias", layer("glu", "swish", 67, 33, 45, False, True), "block-size=16", True),
    ("swiglu-fwd-1x70x130-cuda", layer("glu", "swish", 1, 70, 130, False, False), "target=cuda", True),
    ("geglu-fwd-256x512x1365-cuda", from_file("small-glu-gelu-fwd.mlir"), "target=cuda", True),
    ("reglu-fwd-67x33x45-unfused-bias", layer("glu", "relu", 67, 33, 45, False, True), None, True),
    ("glu-fwd-130x64x200-b64", layer("glu", "sigmoid", 130, 64, 200, False, False), "block-size=64", True),
    ("swiglu-bwd-67x33x45-b16-bias", layer("glu", "swish", 67, 33, 45, True, True), "block-size=16", True),
    ("glu-bwd-256x512x1365-cuda", from_file("small-glu-sigmoid-bwd.mlir"), "target=cuda", True),
    ("bilinear-bwd-67x33x45-unfused", layer("glu", "identity", 67, 33, 45, True, False), None, True),
    ("ffn-gelu-fwd-67x33x45-bias", layer("ffn", "gelu", 67, 33, 45, False, True), "target=cuda", True),
    ("ffn-relu-bwd-256x512x1365-cuda", from_file("small-ffn-relu-bwd.mlir"), "target=cuda", True),
    ("ffn-swish-bwd-67x33x45-bias", layer("ffn", "swish", 67, 33, 45, True, True), "target=cuda", True),
    # glu-gpu-gemm's fused-op kernels: dgate (ragged last block: 45 = 2 x 16
    # + 13), dactivation, activated, the gated and activated GEMMs that also
    # return their pre-activations (every backward recomputing them, and the
    # train steps' forward keeping them: one kernel storing [a | b] and h,
    # or a and act(a)).
    ("geglu-bwd-67x33x45-b16-cuda", layer("glu", "gelu", 67, 33, 45, True, False), "target=cuda block-size=16", True),
    ("swiglu-train-67x33x45-b16-cuda", train("glu", "swish", 67, 33, 45), "target=cuda block-size=16 keep-activations=true", True),
    ("glu-train-1x70x130-cuda", train("glu", "sigmoid", 1, 70, 130), "target=cuda", True),
    ("ffn-gelu-train-67x33x45-cuda", train("ffn", "gelu", 67, 33, 45), "target=cuda keep-activations=true", True),
    ("ffn-relu-fwd-130x64x200-cuda", layer("ffn", "relu", 130, 64, 200, False, False), "target=cuda", True),
    # bf16 on tensor cores (mma.sync): M = 1 and 67 (ragged against the
    # 64- and 128-row tiles), d_ff 45 (a ragged block of 13 columns and
    # unaligned rows: the element-by-element copies) and 200 (aligned rows,
    # cp.async), the fused forward with biases, the fused backward, the
    # train step keeping [a | b], and the ungated layers.
    ("bf16-swiglu-fwd-67x64x200-b64-bias", bf16(layer, "glu", "swish", 67, 64, 200, False, True), "target=cuda block-size=64", True),
    ("bf16-geglu-fwd-1x64x200-cuda", bf16(layer, "glu", "gelu_tanh", 1, 64, 200, False, False), "target=cuda", True),
    ("bf16-reglu-fwd-67x33x45-b16-bias", bf16(layer, "glu", "relu", 67, 33, 45, False, True), "target=cuda block-size=16", True),
    ("bf16-swiglu-bwd-67x64x200-b64", bf16(layer, "glu", "swish", 67, 64, 200, True, False), "target=cuda block-size=64", True),
    ("bf16-geglu-bwd-67x33x45-b16-bias", bf16(layer, "glu", "gelu", 67, 33, 45, True, True), "target=cuda block-size=16", True),
    ("bf16-swiglu-train-130x64x200-cuda", bf16(train, "glu", "swish", 130, 64, 200), "target=cuda keep-activations=true", True),
    ("bf16-ffn-gelu-train-67x64x200-cuda", bf16(train, "ffn", "gelu", 67, 64, 200), "target=cuda keep-activations=true", True),
    ("bf16-ffn-relu-bwd-1x33x45-bias", bf16(layer, "ffn", "relu", 1, 33, 45, True, True), "target=cuda", True),
    ("bf16-unfused-swiglu-fwd-67x64x200", bf16(layer, "glu", "swish", 67, 64, 200, False, False), None, True),
    ("timing-swiglu-fwd-fused", from_file("timing-glu-swish-fwd.mlir"), "target=cuda", False),
    ("timing-bf16-swiglu-fwd-fused", from_file("timing-glu-swish-fwd.mlir", "bf16"), "target=cuda", False),
    ("timing-bf16-swiglu-fwd-unfused", from_file("timing-glu-swish-fwd.mlir", "bf16"), None, False),
    ("timing-bf16-swiglu-bwd-fused", from_file("timing-glu-swish-bwd.mlir", "bf16"), "target=cuda", False),
    ("timing-swiglu-fwd-unfused", from_file("timing-glu-swish-fwd.mlir"), None, False),
    ("timing-swiglu-bwd-fused", from_file("timing-glu-swish-bwd.mlir"), "target=cuda", False),
]


def run(cmd, **kw):
    subprocess.run(cmd, check=True, **kw)


def shapes(model):
    """(inputs, results) of @layer: each (shape, is_bf16)."""
    header = model[model.index("@layer("):model.index("{")]
    args, results = header.split("->")
    parse = lambda s: [([int(d) for d in m[0].split("x")[:-1]], m[1] == "bf16")
                       for m in re.findall(r"tensor<([0-9x]+)(f32|bf16)>", s)]
    return parse(args), parse(results)


def compile_model(args, text, name, passes, obj):
    mlir = obj[:-2] + ".mlir"
    ll = obj[:-2] + ".ll"
    with open(mlir, "w") as f:
        f.write(text.replace("@layer(", "@%s(" % name))
    with open(ll, "w") as out:
        opt = subprocess.Popen([args.glu_opt, mlir] + passes,
                               stdout=subprocess.PIPE)
        run([os.path.join(args.llvm_bin, "mlir-translate"), "-mlir-to-llvmir"],
            stdin=opt.stdout, stdout=out)
        if opt.wait():
            sys.exit("glu-opt failed on " + mlir)
    run([os.path.join(args.llvm_bin, "clang"), "-c", "-O1", "-fPIC", "-w",
         ll, "-o", obj])
    # Every object defines glu_abi_version.
    run([os.path.join(args.llvm_bin, "llvm-objcopy"),
         "--weaken-symbol=glu_abi_version", obj])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--glu-opt", required=True)
    p.add_argument("--llvm-bin", default="/usr/lib/llvm-22/bin")
    p.add_argument("--out", required=True)
    p.add_argument("--chip", default="sm_80")
    p.add_argument("--only", default="")
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    objects, entries = [], []
    for i, (name, model, fuse, check) in enumerate(CASES):
        if args.only and args.only not in name:
            continue
        model, ref_model = model if isinstance(model, tuple) else (model, model)
        ins, outs = shapes(model)
        gpu = os.path.join(args.out, "gpu%d.o" % i)
        passes = (["--ffn-fuse=" + fuse] if fuse else []) + [
            "--glu-cuda-pipeline=chip=" + args.chip]
        compile_model(args, model, "gpu%d" % i, passes, gpu)
        objects.append(gpu)
        ref = "0"
        if check:
            refo = os.path.join(args.out, "ref%d.o" % i)
            compile_model(args, ref_model, "ref%d" % i,
                          ["--pass-pipeline=builtin.module(%s)" % REFERENCE],
                          refo)
            objects.append(refo)
            ref = "glu_entry_ref%d" % i
        entries.append((name, i, ref, ins, outs))
        print("built", name, flush=True)
    with open(os.path.join(args.out, "cases.h"), "w") as h:
        for name, i, ref, ins, outs in entries:
            h.write("void glu_entry_gpu%d(void **);\n" % i)
            if ref != "0":
                h.write("void %s(void **);\n" % ref)
        h.write("static const Case cases[] = {\n")
        for name, i, ref, ins, outs in entries:
            arg_list = ", ".join(
                "{%d, {%s}, %d}" % (len(s), ", ".join(map(str, s)) or "0",
                                    is_bf16)
                for s, is_bf16 in ins + outs)
            h.write('  {"%s", glu_entry_gpu%d, %s, %d, %d, {%s}},\n' %
                    (name, i, ref, len(ins), len(outs), arg_list))
        h.write("};\n")
    run([os.path.join(args.llvm_bin, "clang"), "-O2", "-w",
         "-I", args.out, os.path.join(HERE, "driver.c"),
         os.path.join(HERE, "mgpu.c")] + objects +
        ["-o", os.path.join(args.out, "gpu-check"), "-ldl", "-lm"])
    print("wrote", os.path.join(args.out, "gpu-check"))


if __name__ == "__main__":
    main()
