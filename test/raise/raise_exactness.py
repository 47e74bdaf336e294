#!/usr/bin/env python3
"""Checks that a transformation is exact: applying it, then lowering,
changes no number. By default the transformation is ffn-raise (the name of
the script); --transform names any other glu-opt arguments, e.g.
--transform=--ffn-fuse=block-size=64 (test/fuse).

Given an .mlir file with a function (by default @layer) whose arguments and
results are statically shaped f32 tensors, this script

  1. reads the function's signature and draws seeded random inputs
     (numpy, float32, N(0, 1) * 0.5), one per argument;
  2. writes a driver: the input file's text plus a `func.func @main()` that
     materializes the inputs as `arith.constant dense<...>` tensors, calls
     the function and prints the exact bits of every result (each element
     bitcast f32 -> i32 in a linalg.generic, printed with printMemrefI32);
  3. path A, the original:
         glu-opt DRIVER PRE --glu-reference-pipeline | mlir-runner
     path B, the transformed:
         glu-opt DRIVER PRE TRANSFORM                -> TRANSFORMED
         glu-opt TRANSFORMED --glu-reference-pipeline | mlir-runner
     where PRE is --pre-pipeline (default empty; for TOSA input
     --pre-pipeline="--tosa-to-linalg-pipeline --tosa-to-tensor
     --tosa-to-arith": the first alone leaves tosa.reshape and tosa.const,
     which the reference pipeline cannot bufferize) and TRANSFORM is
     --transform (default --ffn-raise);
  4. checks the ops of TRANSFORMED: with --expect-raised N, it must contain
     exactly N ffn.ffn / ffn.glu ops more than the input already had; with
     --expect-op DIALECT.OP=N (repeatable), exactly N ops of that name.
     Without either, --expect-raised 1 (the ffn-raise check);
  5. compares A and B element by element (see compare()).

It prints one line,

  PASS raise-exact ffn-swiglu.linalg.mlir raised=1 (ffn.glu swish) max_rel_err=0
  PASS fuse-exact swiglu.mlir --ffn-fuse=block-size=4: ffn.gated_matmul=1 ffn.glu=0 max_rel_err=1.2e-07

(the label is --label, by default the transform's first pass without its
`ffn-` prefix, plus `-exact`), or `FAIL ...` (with the reason, and for
numbers the worst element) or `ERROR ...` (a tool failed or the input is
not what the script handles; the tool's stderr follows on stderr), and
exits with 0, 1 or 2 respectively. The files of a case that does not pass
stay in --tmp for debugging. Meant to be driven by the lit tests in
test/raise/exact and test/fuse; --help lists the flags.
"""

import argparse
import os
import re
import shlex
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                os.pardir, "lib"))
# Shared with test/e2e/ffn_reference_check.py: writing the driver's MLIR,
# running the tools, reading the printed bits back, and the tolerance rule
# (an element passes when |b - a| <= RTOL * |a| + ATOL_SCALE * max|a|; see
# compare()).
from glu_mlir_testing import (ATOL_SCALE, PERTURBATION, PRINT_MEMREF_I32_DECL,
                              ToolError, add_tool_arguments, format_dense,
                              parse_printed_bits, perturbed, print_bits_lines,
                              relative_errors, run_tool, tensor_type)

# The scale of the random inputs: N(0, 1) * INPUT_SCALE.
INPUT_SCALE = 0.5

# The ops ffn-raise produces, in their pretty form, with the activation
# (and its optional `(beta = ...)`) that follows the op name.
FFN_OP = re.compile(r"\bffn\.(ffn|glu)\s+([A-Za-z_][A-Za-z0-9_]*"
                    r"(?:\s*\([^)]*\))?)")

# An op name as --expect-op takes it: `dialect.op` (e.g. ffn.gated_matmul,
# linalg.matmul).
OP_NAME = re.compile(r"[A-Za-z_][\w$]*(?:\.[A-Za-z_][\w$]*)+")


class InputError(Exception):
    """The input is not a function this script can drive."""


class Mismatch(Exception):
    """The two paths disagree in form (count or shape of outputs)."""


# --------------------------------------------------------------------------
# Reading MLIR text (just enough of it)
# --------------------------------------------------------------------------

def strip_comments(text):
    """Blanks out `//` comments, keeping string literals and offsets.

    Each comment character becomes a space, so positions in the result are
    positions in `text`.
    """
    out = list(text)
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
            i += 1
        elif text.startswith("//", i):
            while i < n and text[i] != "\n":
                out[i] = " "
                i += 1
        else:
            i += 1
    return "".join(out)


def blank_strings(text):
    """Replaces the inside of every string literal with spaces."""
    out = list(text)
    i, n = 0, len(text)
    while i < n:
        if text[i] == '"':
            i += 1
            while i < n and text[i] != '"':
                step = 2 if text[i] == "\\" else 1
                for k in range(i, min(i + step, n)):
                    if text[k] != "\n":
                        out[k] = " "
                i += step
        i += 1
    return "".join(out)


def matching_close(text, start):
    """Index of the bracket closing the one at text[start].

    Counts (), [], {} and <>; a `>` of `->` is not a bracket. `text` must
    have its comments and strings blanked.
    """
    pairs = {"(": ")", "[": "]", "{": "}", "<": ">"}
    stack = []
    i = start
    while i < len(text):
        c = text[i]
        if c in pairs:
            stack.append(pairs[c])
        elif c in ")]}>":
            if c == ">" and i > 0 and text[i - 1] == "-":
                i += 1
                continue
            if not stack or stack[-1] != c:
                raise InputError("unbalanced '%s' at offset %d" % (c, i))
            stack.pop()
            if not stack:
                return i
        i += 1
    raise InputError("unclosed '%s' at offset %d" % (text[start], start))


def split_top_level(text):
    """Splits on commas outside any bracket."""
    parts, depth, begin, i = [], 0, 0, 0
    while i < len(text):
        c = text[i]
        if c in "([{<":
            depth += 1
        elif c in ")]}" or (c == ">" and not (i > 0 and text[i - 1] == "-")):
            depth -= 1
        elif c == "," and depth == 0:
            parts.append(text[begin:i])
            begin = i + 1
        i += 1
    parts.append(text[begin:])
    return [p.strip() for p in parts if p.strip()]


TENSOR_TYPE = re.compile(r"tensor<")


def parse_tensor_type(text, what):
    """Returns the dims of a `tensor<AxBxf32>` type, or raises InputError."""
    match = TENSOR_TYPE.search(text)
    if not match:
        raise InputError("%s has type '%s', not a ranked tensor"
                         % (what, text.strip()))
    start = match.end() - 1
    body = text[start + 1:matching_close(text, start)].strip()
    if "," in body:
        raise InputError("%s has type tensor<%s>: encodings are not handled"
                         % (what, body))
    parts = [p.strip() for p in body.split("x")]
    element = parts[-1]
    if element != "f32":
        raise InputError("%s has element type %s, not f32" % (what, element))
    dims = []
    for p in parts[:-1]:
        if not p.isdigit():
            raise InputError("%s has type tensor<%s>: not statically shaped"
                             % (what, body))
        dims.append(int(p))
    return dims


def parse_signature(text, function):
    """Returns ([arg dims], [result dims]) of `func.func @function`."""
    clean = blank_strings(strip_comments(text))
    # `@name` may also be written `@"name"`; blank_strings keeps the quotes
    # but not the name, so look the name up in the comment-free text.
    uncommented = strip_comments(text)
    name = re.escape(function)
    header = re.compile(r"\bfunc\.func\s+(?:(?:public|private|nested)\s+)?"
                        r"@(?:%s|\"%s\")\s*\(" % (name, name))
    matches = list(header.finditer(uncommented))
    if not matches:
        raise InputError("no func.func @%s in the input" % function)
    if len(matches) > 1:
        raise InputError("%d definitions of func.func @%s in the input"
                         % (len(matches), function))
    open_paren = matches[0].end() - 1
    close_paren = matching_close(clean, open_paren)

    args = []
    for i, arg in enumerate(split_top_level(clean[open_paren + 1:
                                                  close_paren])):
        # `%name: type {attrs} loc(...)`, or a bare type in a declaration.
        type_text = arg.split(":", 1)[1] if arg.startswith("%") else arg
        args.append(parse_tensor_type(type_text, "argument #%d" % i))

    rest_start = close_paren + 1
    rest = clean[rest_start:]
    results = []
    arrow = re.match(r"\s*->\s*", rest)
    if arrow:
        pos = rest_start + arrow.end()
        if clean[pos] == "(":
            end = matching_close(clean, pos)
            items = split_top_level(clean[pos + 1:end])
        else:
            # One result: a type, maybe followed by `{attrs}`, then
            # `attributes {...}` or the body.
            match = TENSOR_TYPE.match(clean, pos)
            if not match:
                word = clean[pos:pos + 40].split()[0] if clean[pos:].split() \
                    else ""
                raise InputError("result #0 has type '%s', not a ranked "
                                 "tensor" % word)
            end = matching_close(clean, match.end() - 1)
            items = [clean[pos:end + 1]]
        for i, item in enumerate(items):
            results.append(parse_tensor_type(item, "result #%d" % i))
    if not results:
        raise InputError("@%s returns nothing; there is nothing to compare"
                         % function)
    return args, results


def insertion_point(text):
    """Where @main goes: inside an explicit top-level module, or at the end.

    A file whose top level is `module { ... }` (what glu-opt prints) needs
    @main inside that module, next to @layer: a second top-level op would
    wrap both in an implicit module and hide @layer one level down.
    """
    clean = blank_strings(strip_comments(text))
    depth, i = 0, 0
    module_at = None
    while i < len(clean):
        c = clean[i]
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        elif depth == 0 and module_at is None and \
                re.match(r"(?<![\w.$\"])module\b", clean[i:]) and \
                (i == 0 or not re.match(r"[\w.$\"]", clean[i - 1])):
            module_at = i
        i += 1
    if module_at is None:
        return len(text)
    # `module [@name] [attributes {...}] { body }`: the body is the last of
    # the consecutive brace groups that follow the keyword.
    pos = clean.index("{", module_at)
    while True:
        end = matching_close(clean, pos)
        after = re.match(r"\s*(attributes\s*)?\{", clean[end + 1:])
        if not after:
            return end
        pos = end + 1 + after.end() - 1


# --------------------------------------------------------------------------
# The driver
# --------------------------------------------------------------------------

def make_inputs(arg_dims, seed):
    """One float32 array per argument, N(0, 1) * INPUT_SCALE, seeded."""
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal(dims) * INPUT_SCALE).astype(np.float32)
            for dims in arg_dims]


def unused_symbol(text, base):
    """`base`, or `base_N`, whichever the input does not use yet."""
    name, n = base, 0
    while re.search(r"@\"?%s\b" % re.escape(name), text):
        n += 1
        name = "%s_%d" % (base, n)
    return name


def build_driver(text, function, inputs, result_dims, main_name):
    """The input text with @main added; main prints each result's bits."""
    clean = strip_comments(text)
    arg_types = [tensor_type(a.shape) for a in inputs]
    result_types = [tensor_type(dims) for dims in result_dims]
    lines = ["", "// Added by raise_exactness.py: call @%s on seeded random "
             "inputs and print the" % function,
             "// exact bits of every result."]
    if not re.search(r"@\"?printMemrefI32\b", clean):
        lines.append(PRINT_MEMREF_I32_DECL)
    lines.append("func.func @%s() {" % main_name)
    for i, array in enumerate(inputs):
        lines.append("  %%in%d = arith.constant dense<%s> : %s"
                     % (i, format_dense(array), arg_types[i]))
    count = len(result_types)
    results = "%out" if count == 1 else "%%out:%d" % count
    lines.append("  %s = func.call @%s(%s) : (%s) -> (%s)"
                 % (results, function,
                    ", ".join("%%in%d" % i for i in range(len(inputs))),
                    ", ".join(arg_types), ", ".join(result_types)))
    for i, dims in enumerate(result_dims):
        value = "%out" if count == 1 else "%%out#%d" % i
        lines += print_bits_lines(value, dims, suffix=str(i))
    lines += ["  return", "}", ""]
    addition = "\n".join(lines)

    at = insertion_point(text)
    if at == len(text):
        return text.rstrip("\n") + "\n" + addition
    # Inside the module, before its closing brace.
    indented = "\n".join(("  " + l) if l else l for l in addition.split("\n"))
    return text[:at].rstrip() + "\n" + indented + text[at:]


# --------------------------------------------------------------------------
# Tools
# --------------------------------------------------------------------------

def lower_and_run(args, source, before, lowered, what):
    """`glu-opt source BEFORE --glu-reference-pipeline`, then mlir-runner."""
    run_tool([args.glu_opt, source] + before + ["--glu-reference-pipeline",
              "-o", lowered], "glu-opt (%s)" % what)
    stdout, _ = run_tool([args.mlir_runner, lowered, "-e", args.main_name,
                          "-entry-point-result=void",
                          "-shared-libs=" + args.runner_libs],
                         "mlir-runner (%s)" % what)
    return stdout


# --------------------------------------------------------------------------
# Comparison
# --------------------------------------------------------------------------

def compare(original, raised):
    """Compares path B (raised) with path A (original), element by element.

    An element passes when |b - a| <= RTOL * |a| + atol with
    atol = ATOL_SCALE * max|a| over all finite elements of all results: the
    rule of test/e2e/ffn_reference_check.py, which glu_mlir_testing
    explains at relative_errors(). A transform (ffn-raise, ffn-fuse) and
    the reference lowering may legitimately regroup the float32 arithmetic
    (a bias folded into a matmul's initial value, a different order of the
    elementwise ops), so an output that cancels to about zero may carry an error on the
    output's scale. An element a that is NaN or infinite must be matched
    exactly (NaN by NaN); a non-finite b against a finite a fails.

    Returns (ok, max_rel_err, worst) where rel_err = |b - a| /
    (|a| + atol / RTOL), so an element passes exactly when rel_err <= RTOL,
    and worst = (result index, flat index) of the largest rel_err.
    """
    finite = [np.abs(a[np.isfinite(a)]) for a in original]
    scale = max((float(f.max()) for f in finite if f.size), default=0.0)
    atol = ATOL_SCALE * scale
    ok, max_rel, worst = True, 0.0, None
    for r, (a, b) in enumerate(zip(original, raised)):
        a64, b64 = a.astype(np.float64), b.astype(np.float64)
        with np.errstate(invalid="ignore", over="ignore"):
            rel, passed = relative_errors(b64, a64, atol)
        same_nonfinite = (~np.isfinite(a64)) & (
            (np.isnan(a64) & np.isnan(b64)) | (a64 == b64))
        passed = np.where(np.isfinite(a64), passed & np.isfinite(b64),
                          same_nonfinite)
        rel = np.where(passed & ~np.isfinite(a64), 0.0, rel)
        rel = np.where(~passed & ~np.isfinite(rel), np.inf, rel)
        if rel.size:
            k = int(np.argmax(rel))
            if worst is None or rel.flat[k] > max_rel:
                max_rel, worst = float(rel.flat[k]), (r, k)
        ok = ok and bool(np.all(passed))
    return ok, max_rel, worst


# --------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------

def non_negative_int(text):
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("expected a count >= 0")
    return value


def expected_op(text):
    """`NAME=N` of --expect-op, as (NAME, N)."""
    name, sep, count = text.rpartition("=")
    if not sep or not OP_NAME.fullmatch(name):
        raise argparse.ArgumentTypeError(
            "expected DIALECT.OP=COUNT (e.g. ffn.gated_matmul=1), got '%s'"
            % text)
    try:
        return name, non_negative_int(count)
    except ValueError:
        raise argparse.ArgumentTypeError(
            "expected DIALECT.OP=COUNT with a count >= 0, got '%s'" % text)


def transform_label(transform):
    """What the output lines call the check: `raise-exact` for
    --ffn-raise, `fuse-exact` for --ffn-fuse=..., `NAME-exact` for any
    other first pass."""
    if not transform:
        return "identity-exact"
    name = transform[0].lstrip("-").split("=", 1)[0]
    if name.startswith("ffn-"):
        name = name[len("ffn-"):]
    return name + "-exact"


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="Check that a transformation (default: ffn-raise) is "
                    "exact: the original IR and the transformed-then-lowered "
                    "IR, run on the same random inputs, agree.")
    parser.add_argument("--input", required=True,
                        help="the .mlir file with the function to check")
    parser.add_argument("--function", default="layer",
                        help="the function to call (default: layer); its "
                             "arguments and results must be statically "
                             "shaped f32 tensors")
    add_tool_arguments(parser, tmp_help="directory for the generated files "
                                        "(created if missing)")
    parser.add_argument("--pre-pipeline", default="",
                        help="glu-opt arguments applied first on both paths "
                             "(write it with '=', as it starts with '-'); "
                             "for TOSA: --pre-pipeline='--tosa-to-linalg-"
                             "pipeline --tosa-to-tensor --tosa-to-arith' "
                             "(--tosa-to-linalg-pipeline alone leaves "
                             "tosa.reshape and tosa.const, which do not "
                             "bufferize)")
    parser.add_argument("--transform", default="--ffn-raise",
                        help="the glu-opt arguments under test, applied on "
                             "path B only, after --pre-pipeline (write it "
                             "with '=', as it starts with '-'; default "
                             "--ffn-raise), e.g. "
                             "--transform=--ffn-fuse=block-size=64")
    parser.add_argument("--expect-op", type=expected_op, action="append",
                        default=[], metavar="DIALECT.OP=N",
                        help="the transformed IR must hold exactly N ops "
                             "named DIALECT.OP (repeatable; e.g. "
                             "--expect-op ffn.gated_matmul=1 --expect-op "
                             "ffn.glu=0)")
    parser.add_argument("--expect-raised", type=non_negative_int,
                        default=None,
                        help="how many ffn.ffn / ffn.glu ops the transform "
                             "must create (default 1, or no such check when "
                             "--expect-op is given)")
    parser.add_argument("--label", default=None,
                        help="what the output lines call the check (default "
                             "from the transform: raise-exact for "
                             "--ffn-raise, fuse-exact for --ffn-fuse)")
    parser.add_argument("--chunk", type=non_negative_int, default=None,
                        help="use only the N-th (from 0) of the input's "
                             "chunks separated by '// -----' lines, as in "
                             "a -split-input-file test")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the random inputs (default 0)")
    # Proves the comparison can fail: scales path B's numbers by 1 + 1e-3.
    parser.add_argument("--perturb", action="store_true",
                        help="add a %g relative error to the transformed "
                             "path's numbers (the check must then FAIL)"
                             % PERTURBATION)
    args = parser.parse_args(argv)
    try:
        args.pre = shlex.split(args.pre_pipeline)
    except ValueError as error:
        parser.error("--pre-pipeline: %s" % error)
    try:
        args.transform_args = shlex.split(args.transform)
    except ValueError as error:
        parser.error("--transform: %s" % error)
    if not args.transform_args:
        parser.error("--transform: no glu-opt arguments given")
    if args.expect_raised is None and not args.expect_op:
        args.expect_raised = 1
    if args.label is None:
        args.label = transform_label(args.transform_args)
    # What the output calls path B's numbers: the raise tests' wording for
    # ffn-raise, a neutral one for anything else.
    args.result_word = ("raised" if args.transform_args == ["--ffn-raise"]
                        else "transformed")
    return args


def count_ffn_ops(text):
    """[(op, activation)] of the ffn.ffn / ffn.glu ops in `text`."""
    return [("ffn." + m.group(1), re.sub(r"\s+", " ", m.group(2)))
            for m in FFN_OP.finditer(strip_comments(text))]


def count_op(text, name):
    """How many ops named `name` (e.g. ffn.gated_matmul) `text` holds, in
    the pretty (`ffn.gated_matmul ...`) or the generic
    (`"ffn.gated_matmul"(...)`) form; comments, attributes (`#ffn.x`) and
    types (`!ffn.x`) do not count."""
    pattern = re.compile(r"(?<![\w.$#!@%%])\"?%s(?![\w.])" % re.escape(name))
    return len(pattern.findall(strip_comments(text)))


def describe_ops(ops):
    return ", ".join("%s %s" % op for op in ops) or "none"


def file_stem(args):
    """The input's name, the transform and this process's id: runs sharing
    --tmp (two suites in one build directory) never overwrite each other's
    files."""
    base = os.path.basename(args.input)
    for suffix in (".mlir",):
        if base.endswith(suffix):
            base = base[:-len(suffix)]
    transform = ""
    if args.transform_args != ["--ffn-raise"]:
        transform = "-" + "".join(a.lstrip("-") for a in args.transform_args)
    stem = "%s-%s%s-seed%d%s-pid%d" % (base, args.function, transform,
                                       args.seed,
                                       "-perturb" if args.perturb else "",
                                       os.getpid())
    return os.path.join(args.tmp, re.sub(r"[^A-Za-z0-9_.+-]", "_", stem))


def first_error_line(message):
    for line in message.splitlines():
        if "error:" in line:
            return line.strip()
    return message.splitlines()[0] if message else ""


def report_arguments(transform):
    """The transform with `report=true` added to its pass options, when it
    is one ffn pass (ffn-raise, ffn-fuse: they explain themselves in
    remarks), else None."""
    if len(transform) != 1:
        return None
    match = re.fullmatch(r"--(ffn-[a-z-]+)(?:=(.*))?", transform[0])
    if not match:
        return None
    options = (match.group(2) or "").strip()
    return ["--%s=%s" % (match.group(1),
                         (options + " " if options else "") + "report=true")]


def print_report(args, paths):
    """Runs the transform again with report=true and prints its remarks on
    stderr, for whoever reads a failure."""
    report = report_arguments(args.transform_args)
    if report is None:
        return
    try:
        _, remarks = run_tool([args.glu_opt, paths["driver"]] + args.pre +
                              report + ["-o", os.devnull],
                              "glu-opt (%s report)" % " ".join(report))
        summary = [l.strip() for l in remarks.splitlines()
                   if "remark:" in l]
        if summary:
            print("\n".join(summary), file=sys.stderr)
    except ToolError as error:
        print(error, file=sys.stderr)


def check_ops(args, before, transformed_text):
    """Checks the transformed IR's ops. Returns (found, why): found says
    what is there (for the output line), why is None when the ops are as
    expected, else the reason."""
    found, why = [], []
    if args.expect_raised is not None:
        raised_ops = count_ffn_ops(transformed_text)
        raised = len(raised_ops) - len(before)
        text = "raised=%d (%s)" % (raised, describe_ops(raised_ops))
        if before:
            text = text[:-1] + "; %d of them already in the input)" \
                % len(before)
        found.append(text)
        if raised != args.expect_raised or not raised_ops:
            reason = ("ffn-raise raised nothing" if raised <= 0 else
                      "expected %d raised" % args.expect_raised)
            if raised > 0:
                reason += ", got %d" % raised
            elif args.expect_raised:
                reason += " (expected %d)" % args.expect_raised
            why.append(reason)
    if args.expect_op:
        counts = [(name, count_op(transformed_text, name))
                  for name, _ in args.expect_op]
        found.append("%s: %s" % (" ".join(args.transform_args),
                                 " ".join("%s=%d" % c for c in counts)))
        wrong = [(name, want, got) for (name, want), (_, got)
                 in zip(args.expect_op, counts) if want != got]
        if wrong:
            why.append("expected " + ", ".join(
                "%s=%d (got %d)" % w for w in wrong))
    return " ".join(found), ("; ".join(why) if why else None)


def check(args, name, paths):
    """Runs both paths; returns (exit code, the line to print)."""
    label, word = args.label, args.result_word
    with open(args.input) as f:
        text = f.read()
    if args.chunk is not None:
        # The cases of a -split-input-file test, separated like glu-opt
        # separates them.
        chunks = re.split(r"^// -----\s*$", text, flags=re.MULTILINE)
        if args.chunk >= len(chunks):
            raise InputError("--chunk %d: the input has %d chunks"
                             % (args.chunk, len(chunks)))
        text = chunks[args.chunk]
    arg_dims, result_dims = parse_signature(text, args.function)
    args.main_name = unused_symbol(strip_comments(text), "main")
    inputs = make_inputs(arg_dims, args.seed)
    with open(paths["driver"], "w") as f:
        f.write(build_driver(text, args.function, inputs, result_dims,
                             args.main_name))
    before = count_ffn_ops(text)

    # Path A: the original IR, lowered as it is.
    stdout_a = lower_and_run(args, paths["driver"], args.pre,
                             paths["original_llvm"], "original")

    # Path B: the same, transformed first.
    run_tool([args.glu_opt, paths["driver"]] + args.pre +
             args.transform_args + ["-o", paths["transformed"]],
             "glu-opt (%s)" % " ".join(args.transform_args).lstrip("-"))
    with open(paths["transformed"]) as f:
        transformed_text = f.read()
    found, why = check_ops(args, before, transformed_text)
    if why is not None:
        print_report(args, paths)
        return 1, "FAIL %s %s %s: %s (%s IR: %s)" % (
            label, name, found, why, word, paths["transformed"])

    stdout_b = lower_and_run(args, paths["transformed"], [],
                             paths["transformed_llvm"], word)
    original = parse_printed_bits(stdout_a, "mlir-runner (original)")
    numbers = parse_printed_bits(stdout_b, "mlir-runner (%s)" % word)
    if len(original) != len(result_dims):
        raise ToolError("the original printed %d results, @%s has %d:\n%s"
                        % (len(original), args.function, len(result_dims),
                           stdout_a))
    if len(numbers) != len(original):
        return 1, "FAIL %s %s %s: the %s program printed %d " \
                  "results, the original %d" % (
                      label, name, found, word, len(numbers), len(original))
    for r, (a, b) in enumerate(zip(original, numbers)):
        if a.shape != b.shape:
            return 1, "FAIL %s %s %s: result #%d has shape %s " \
                      "%s, %s originally" % (
                          label, name, found, r, list(b.shape), word,
                          list(a.shape))

    if args.perturb:
        numbers = [perturbed(b) for b in numbers]

    ok, max_rel_err, worst = compare(original, numbers)
    line = "%s %s %s %s max_rel_err=%.2g" % (
        "PASS" if ok else "FAIL", label, name, found, max_rel_err)
    if not ok:
        r, k = worst
        index = [int(i) for i in np.unravel_index(k, original[r].shape)]
        line += " worst=result#%d%s original=%.9g %s=%.9g (driver: %s)" % (
            r, index, original[r].flat[k], word, numbers[r].flat[k],
            paths["driver"])
    return (0 if ok else 1), line


def main(argv):
    args = parse_args(argv)
    name = os.path.basename(args.input)
    os.makedirs(args.tmp, exist_ok=True)
    stem = file_stem(args)
    paths = {
        "driver": stem + ".driver.mlir",
        "original_llvm": stem + ".original.llvm.mlir",
        "transformed": stem + ".%s.mlir" % args.result_word,
        "transformed_llvm": stem + ".%s.llvm.mlir" % args.result_word,
    }
    try:
        code, line = check(args, name, paths)
    except (ToolError, InputError, OSError) as error:
        # The case on stdout (what FileCheck sees), the details on stderr.
        kind = "input" if isinstance(error, InputError) else "tool"
        print("ERROR %s %s (%s): %s" % (
            args.label, name, kind, first_error_line(str(error))))
        print(error, file=sys.stderr)
        return 2
    print(line)
    if code == 0:
        # Keep the files of a case that does not pass only.
        for path in paths.values():
            if os.path.exists(path):
                os.remove(path)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
