"""What glu's Python test harnesses share.

test/e2e/ffn_reference_check.py, test/e2e/ffn_gradient_check.py and
test/raise/raise_exactness.py feed seeded float tensors to an MLIR function,
run it through glu-opt and mlir-runner, read the exact float bits of its
results back and compare them with other numbers. The pieces they have in
common live here:

  * the element types they compute in, f32 (the default everywhere) and
    f64: ELEMENT_TYPES;
  * writing float arrays as MLIR: format_float() (format_f32()),
    format_dense() and tensor_type();
  * the tail of a @main that prints a result's exact bits:
    print_memref_decl() (PRINT_MEMREF_I32_DECL, PRINT_MEMREF_I64_DECL) and
    print_bits_lines();
  * running the tools: the flags that name them, add_tool_arguments(),
    and run_tool() and ToolError;
  * reading the printed bits back: parse_printed_bits() and
    parse_printed_results();
  * the tolerance rule of the comparisons: RTOL, ATOL_SCALE and
    relative_errors();
  * the error --perturb adds to prove a harness can fail: PERTURBATION and
    perturbed();
  * the feed-forward layers both test/e2e harnesses build: VARIANTS,
    BIASES and LAYER_INPUTS; their flags, add_layer_arguments() and
    check_layer_arguments(); their inputs, draw_layer_operands(); the MLIR
    that applies them, activation_syntax(), constant_line(), layer_call()
    and main_program(); and a case's run and report, describe_layer(),
    layer_file_stem(), run_reference_pipeline(), run_case() and
    finish_case().

The scripts import it with the folder of this file on sys.path. It is not a
lit test (lit runs only .mlir and .test files) and needs only numpy.
"""

import argparse
import collections
import math
import os
import re
import shlex
import subprocess
import sys

import numpy as np

# --------------------------------------------------------------------------
# The tolerance rule
# --------------------------------------------------------------------------

# An element passes when |got - want| <= RTOL * |want| + atol, with
# atol = ATOL_SCALE * (the largest |want| of the whole output); see
# relative_errors().
RTOL = 1e-5
ATOL_SCALE = 1e-6

# The relative error --perturb adds to the numbers under test: 100x RTOL, so
# a perturbed case must fail.
PERTURBATION = 1e-3


def relative_errors(got, want, atol):
    """Applies the tolerance rule element by element.

    An element passes when |got - want| <= RTOL * |want| + atol, where the
    caller sets atol = ATOL_SCALE * max|want| over the output. The numbers
    under test come from float32 arithmetic, and the rounding error of a sum
    is proportional to the sum of its terms' magnitudes, not to the sum
    itself: an output that cancels to nearly zero carries an error on the
    scale of the whole output (as does 1 + erf(.) near -1 in gelu). RTOL
    bounds the error of every typical element (float32's unit roundoff is
    6e-8, so 1e-5, about 170 ulps, leaves room for libm and for any
    accumulation order), and atol lets the cancelled elements carry an error
    of ATOL_SCALE of the output's scale. A wrong activation, a dropped bias
    or a swapped operand lands orders of magnitude outside.

    `got` and `want` are arrays of one shape (any float type; they are
    compared in float64). Returns (rel_err, within), both arrays of that
    shape: rel_err = |got - want| / (|want| + atol / RTOL), so that an
    element passes exactly when rel_err <= RTOL, and within, whether it
    passes. Non-finite elements are the caller's to judge.
    """
    got64 = got.astype(np.float64)
    want64 = want.astype(np.float64)
    error = np.abs(got64 - want64)
    rel_err = error / (np.abs(want64) + atol / RTOL +
                       np.finfo(np.float64).tiny)
    within = error <= RTOL * np.abs(want64) + atol
    return rel_err, within


def perturbed(array):
    """`array` (float32 or float64) with a relative error of PERTURBATION
    added, in float64, and returned in the type of `array`."""
    return (array.astype(np.float64) * (1 + PERTURBATION)).astype(array.dtype)


# --------------------------------------------------------------------------
# Writing MLIR
# --------------------------------------------------------------------------

# An element type a harness computes in: its MLIR name, its numpy type, the
# integer type of the same width whose printMemref prints its bits (MLIR
# name and numpy type), and the printf format that writes any of its values
# so that MLIR reads back exactly the same one (a format that always prints
# the '.' MLIR requires; a hex float such as float.hex() is not valid MLIR
# syntax).
ElementType = collections.namedtuple(
    "ElementType", ["name", "dtype", "bits", "bits_dtype", "format"])

ELEMENT_TYPES = {
    # Nine significant digits suffice to round-trip any float32; '%.9e'
    # gives ten.
    "f32": ElementType("f32", np.float32, "i32", np.int32, "%.9e"),
    # Seventeen round-trip any float64; '%.17e' gives eighteen.
    "f64": ElementType("f64", np.float64, "i64", np.int64, "%.17e"),
}


def format_float(value, element="f32"):
    """Prints a float of type `element` ("f32" or "f64") so that MLIR reads
    back exactly the same value."""
    kind = ELEMENT_TYPES[element]
    text = kind.format % float(value)
    assert kind.dtype(float(text)) == value, (text, value)
    return text


def format_f32(value):
    """Prints a float32 so that MLIR reads back exactly the same value."""
    return format_float(value, "f32")


def format_dense(array, element="f32"):
    """Returns the nested-list body of a `dense<...>` attribute of
    `element`s."""
    if array.ndim == 0:
        return format_float(array, element)
    return "[" + ", ".join(format_dense(sub, element) for sub in array) + "]"


def tensor_type(dims, element="f32"):
    """`tensor<2x3xf32>` for dims [2, 3] (`tensor<f32>` for rank 0)."""
    return "tensor<" + "".join("%dx" % d for d in dims) + element + ">"


def print_memref_decl(element="f32"):
    """The declaration of the mlir_runner_utils function that
    print_bits_lines() calls for `element`: printMemrefI32 for f32,
    printMemrefI64 for f64."""
    bits = ELEMENT_TYPES[element].bits
    return ("func.func private @printMemref%s(memref<*x%s>) "
            "attributes { llvm.emit_c_interface }" % (bits.upper(), bits))


PRINT_MEMREF_I32_DECL = print_memref_decl("f32")
PRINT_MEMREF_I64_DECL = print_memref_decl("f64")


def print_bits_lines(value, dims, suffix="", element="f32"):
    """Lines of a function body that print the exact bits of `value`.

    `value` (e.g. "%result") is a tensor of `element` (f32 or f64) with shape
    `dims`. Each element is bitcast to the integer type of its width (i32,
    i64) in a linalg.generic (arith.bitcast on a whole tensor does not
    bufferize) and the result printed with printMemrefI32 or printMemrefI64
    (declare it with print_memref_decl(element)): the bits print exactly,
    where decimals would not. parse_printed_bits() reads the output back.

    The SSA names the lines define end in `suffix`, so that one function can
    print several values. The lines are indented for a function at the top
    level of a module.
    """
    bits = ELEMENT_TYPES[element].bits
    rank = len(dims)
    names = ", ".join("d%d" % k for k in range(rank))
    identity = "affine_map<(%s) -> (%s)>" % (names, names)
    bits_type = tensor_type(dims, bits)
    memref_type = "memref" + bits_type[len("tensor"):]
    unranked = "memref<*x%s>" % bits
    s = suffix
    return [
        "  %%bits_init%s = tensor.empty() : %s" % (s, bits_type),
        "  %%bits%s = linalg.generic {indexing_maps = [%s, %s], "
        "iterator_types = [%s]} ins(%s : %s) outs(%%bits_init%s : %s) {"
        % (s, identity, identity, ", ".join(['"parallel"'] * rank),
           value, tensor_type(dims, element), s, bits_type),
        "  ^bb0(%%elem%s: %s, %%unused%s: %s):" % (s, element, s, bits),
        "    %%elem_bits%s = arith.bitcast %%elem%s : %s to %s"
        % (s, s, element, bits),
        "    linalg.yield %%elem_bits%s : %s" % (s, bits),
        "  } -> %s" % bits_type,
        "  %%buffer%s = bufferization.to_buffer %%bits%s : %s to %s"
        % (s, s, bits_type, memref_type),
        "  %%unranked%s = memref.cast %%buffer%s : %s to %s"
        % (s, s, memref_type, unranked),
        "  func.call @printMemref%s(%%unranked%s) : (%s) -> ()"
        % (bits.upper(), s, unranked),
    ]


# --------------------------------------------------------------------------
# Running the tools and reading their output
# --------------------------------------------------------------------------

def add_tool_arguments(parser, tmp_help):
    """Adds the flags every harness takes, all required, in this order.

    --glu-opt and --mlir-runner (the tools' paths), --runner-libs (the
    runner utils, comma-separated, for mlir-runner's -shared-libs) and
    --tmp, a directory whose --help text is `tmp_help`.
    """
    parser.add_argument("--glu-opt", required=True, help="path to glu-opt")
    parser.add_argument("--mlir-runner", required=True,
                        help="path to mlir-runner")
    parser.add_argument("--runner-libs", required=True,
                        help="comma-separated shared libraries for "
                             "mlir-runner (the runner utils)")
    parser.add_argument("--tmp", required=True, help=tmp_help)


class ToolError(Exception):
    """A compiler or runner invocation failed."""


def run_tool(command, what):
    """Runs `command` (a list), with its output captured.

    Returns (stdout, stderr). Raises ToolError, naming the tool as `what`
    and carrying the command line and its stderr, if it cannot start, runs
    past 300 seconds or exits non-zero.
    """
    try:
        done = subprocess.run(command, capture_output=True, text=True,
                              timeout=300)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise ToolError("%s could not run: %s" % (what, error))
    if done.returncode != 0:
        raise ToolError("%s failed with exit code %d: %s\nstderr:\n%s"
                        % (what, done.returncode,
                           " ".join(shlex.quote(c) for c in command),
                           done.stderr))
    return done.stdout, done.stderr


# The line printMemrefI32 and printMemrefI64 start each memref with; the
# elements follow.
PRINT_HEADER = re.compile(r"Unranked Memref base@ = \S+ rank = (\d+) "
                          r"offset = \d+ sizes = \[([0-9, ]*)\] "
                          r"strides = \[[0-9, ]*\] data =")


def parse_printed_bits(stdout, what, element="f32"):
    """Every printMemrefI32 (printMemrefI64 for f64) in `stdout`, as arrays
    of `element`'s float type, in order.

    Each printed memref's integer elements are the bits of float values (see
    print_bits_lines()); the arrays have the printed sizes. Raises ToolError,
    naming the run as `what` (e.g. "mlir-runner"), if a memref's element
    count does not match its sizes.
    """
    kind = ELEMENT_TYPES[element]
    headers = list(PRINT_HEADER.finditer(stdout))
    arrays = []
    for k, header in enumerate(headers):
        sizes = [int(s) for s in header.group(2).split(",") if s.strip()]
        end = headers[k + 1].start() if k + 1 < len(headers) else len(stdout)
        numbers = re.findall(r"-?\d+", stdout[header.end():end])
        expected = int(np.prod(sizes)) if sizes else 1
        if len(numbers) != expected:
            raise ToolError("%s printed %d elements for sizes %s:\n%s"
                            % (what, len(numbers), sizes, stdout))
        bits = np.array([int(n) for n in numbers], dtype=np.int64)
        arrays.append(
            bits.astype(kind.bits_dtype).view(kind.dtype).reshape(sizes))
    return arrays


def parse_printed_results(stdout, shapes, what, element="f32"):
    """parse_printed_bits(), checked against the expected `shapes`.

    Raises ToolError, naming the run as `what`, unless `stdout` printed
    exactly one memref for each shape, of that shape.
    """
    arrays = parse_printed_bits(stdout, what, element)
    if len(arrays) != len(shapes):
        raise ToolError("%s printed %d memrefs, expected %d:\n%s"
                        % (what, len(arrays), len(shapes), stdout))
    for array, shape in zip(arrays, shapes):
        if list(array.shape) != list(shape):
            raise ToolError("%s printed sizes %s, expected %s"
                            % (what, list(array.shape), list(shape)))
    return arrays


# --------------------------------------------------------------------------
# The feed-forward layers of the test/e2e harnesses
# --------------------------------------------------------------------------

# The eight layers of the paper's Table 1 ("GLU Variants Improve
# Transformer", Shazeer, 2020): name -> (ffn op, activation kind). FFN_GELU
# and FFN_GEGLU also come in the tanh-approximated form (--activation
# gelu_tanh, as in T5 v1.1).
VARIANTS = {
    "FFN_ReLU": ("ffn", "relu"),
    "FFN_GELU": ("ffn", "gelu"),
    "FFN_Swish": ("ffn", "swish"),
    "FFN_GLU": ("glu", "sigmoid"),
    "FFN_Bilinear": ("glu", "identity"),
    "FFN_ReGLU": ("glu", "relu"),
    "FFN_GEGLU": ("glu", "gelu"),
    "FFN_SwiGLU": ("glu", "swish"),
}

# The forms of one activation a variant may be run with (--activation).
ACTIVATION_FORMS = {
    "gelu": ("gelu", "gelu_tanh"),
}

# The inputs of each op, in operand order (which is also the result order of
# its gradient op), and the optional ones among them, its biases.
LAYER_INPUTS = {
    "ffn": ("x", "w1", "w2", "b1", "b2"),
    "glu": ("x", "w", "v", "w2", "b", "c", "b2"),
}
BIASES = {
    "ffn": ("b1", "b2"),
    "glu": ("b", "c", "b2"),
}


def up_names(op):
    """The projections of x: the activation's (ffn), the gate's and the
    value's (glu)."""
    return ("w1",) if op == "ffn" else ("w", "v")


def layer_input_names(op, biases):
    """The inputs of an `op` layer with the biases `biases`, in operand
    order."""
    return [name for name in LAYER_INPUTS[op]
            if name not in BIASES[op] or name in biases]


def parse_shape(text):
    """--shape: x's dims, e.g. [2, 3, 8] for 2x3x8."""
    try:
        dims = [int(d) for d in text.lower().split("x")]
    except ValueError:
        raise argparse.ArgumentTypeError("expected a shape like 2x3x8")
    if len(dims) < 2 or any(d <= 0 for d in dims):
        raise argparse.ArgumentTypeError(
            "x needs rank >= 2 and positive sizes, got " + text)
    return dims


def positive_int(text):
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("expected a positive integer")
    return value


def add_layer_arguments(parser, d_ff_default):
    """Adds the flags that pick the layer and its inputs, in this order:
    --variant (required), --activation, --shape, --d-ff (default
    `d_ff_default`), --d-out, --biases, --beta and --seed.

    Check them after parsing with check_layer_arguments().
    """
    parser.add_argument("--variant", required=True, choices=list(VARIANTS),
                        help="the layer, by its name in the paper")
    parser.add_argument("--activation",
                        help="another form of the variant's activation "
                             "(gelu_tanh for FFN_GELU and FFN_GEGLU)")
    parser.add_argument("--shape", type=parse_shape, default=[4, 8],
                        help="shape of x, rank >= 2, e.g. 2x3x8 (default "
                             "4x8)")
    parser.add_argument("--d-ff", type=positive_int, default=d_ff_default,
                        help="hidden width (default %d)" % d_ff_default)
    parser.add_argument("--d-out", type=positive_int,
                        help="output width (default d_model)")
    parser.add_argument("--biases", default="",
                        help="comma list of biases: b1,b2 for ffn.ffn; "
                             "b,c,b2 for ffn.glu (default none)")
    parser.add_argument("--beta", type=float,
                        help="swish slope (swish variants only)")
    parser.add_argument("--seed", type=int, default=0,
                        help="random seed (default 0)")


def check_layer_arguments(parser, args):
    """Checks the flags of add_layer_arguments() once parsed.

    Sets args.op (the layer's op, "ffn" or "glu") and fills in
    args.activation (the variant's own unless --activation names another
    form of it), args.bias_list (--biases as a list) and args.d_out (d_model
    unless given); reports misuse with parser.error().
    """
    op, default_activation = VARIANTS[args.variant]
    if args.activation is None:
        args.activation = default_activation
    elif args.activation not in ACTIVATION_FORMS.get(
            default_activation, (default_activation,)):
        parser.error("%s does not come with activation %s"
                     % (args.variant, args.activation))

    args.bias_list = [b for b in args.biases.split(",") if b]
    for name in args.bias_list:
        if name not in BIASES[op]:
            parser.error("ffn.%s has no bias %s (it has %s)"
                         % (op, name, ",".join(BIASES[op])))
    if len(set(args.bias_list)) != len(args.bias_list):
        parser.error("a bias is listed twice: " + args.biases)

    if args.beta is not None:
        if args.activation != "swish":
            parser.error("--beta applies only to swish")
        if not (math.isfinite(args.beta) and args.beta > 0):
            parser.error("--beta must be finite and positive")
    if args.d_out is None:
        args.d_out = args.shape[-1]
    args.op = op


def describe_layer(args):
    """The case, as printed after PASS, FAIL or ERROR."""
    activation = args.activation
    if args.beta is not None:
        activation += "(beta=%g)" % args.beta
    return "%s %s x=[%s] d_ff=%d d_out=%d biases=%s" % (
        args.variant, activation, ",".join(str(d) for d in args.shape),
        args.d_ff, args.d_out, ",".join(args.bias_list) or "none")


def layer_file_stem(args, prefix="", extra=""):
    """A name for this case's temporary files.

    It names the case, for whoever debugs a failure, and the process, so
    that two runs of the suite sharing a build directory cannot overwrite
    each other's files. `prefix` and `extra` (a harness's own flags) go
    before and after the layer's part.
    """
    stem = "%s%s-%s-%s-ff%d-out%d-%s-beta%s-seed%d%s-pid%d" % (
        prefix, args.variant, args.activation,
        "x".join(str(d) for d in args.shape), args.d_ff, args.d_out,
        "_".join(args.bias_list) or "nobias",
        "%g" % args.beta if args.beta is not None else "none", args.seed,
        extra, os.getpid())
    return re.sub(r"[^A-Za-z0-9_.+-]", "_", stem)


def draw_layer_operands(rng, op, shape, d_ff, d_out, biases, element="f32"):
    """One draw of the layer's inputs from `rng`, keyed by name.

    x is N(0, 1); each projection is scaled by 1/sqrt(fan_in) so that the
    pre-activations are again about N(0, 1), where every activation is
    nonlinear (relu's kink, gelu's and swish's dip, sigmoid's slope). The
    biases named in `biases` are N(0, 0.5^2) so that they shift the
    pre-activations visibly without dominating them. They are drawn in
    float64, in operand order, and rounded to `element` ("f32" or "f64").
    """
    d_model = shape[-1]
    operands = {"x": rng.standard_normal(shape)}
    for name in up_names(op):
        operands[name] = rng.standard_normal((d_model, d_ff)) / math.sqrt(
            d_model)
    operands["w2"] = rng.standard_normal((d_ff, d_out)) / math.sqrt(d_ff)
    for name in BIASES[op]:
        if name in biases:
            width = d_out if name == "b2" else d_ff
            operands[name] = 0.5 * rng.standard_normal(width)
    dtype = ELEMENT_TYPES[element].dtype
    return {name: array.astype(dtype) for name, array in operands.items()}


def activation_syntax(activation, beta):
    """The activation as written inside an ffn op, e.g. `swish(beta = 2.0)`
    (beta, an f64 attribute, exactly)."""
    if beta is None:
        return activation
    return "%s(beta = %s)" % (activation, format_float(beta, "f64"))


def constant_line(ssa, array, element="f32"):
    """The line defining `ssa` (e.g. "%x") as the constant `array`."""
    return "  %s = arith.constant dense<%s> : %s" % (
        ssa, format_dense(array, element), tensor_type(array.shape, element))


def layer_call(result, op, activation, names, values, types, result_type,
               dy=None):
    """The line `RESULT = ffn.OP ACTIVATION OPERANDS : (TYPES) -> RESULT_TYPE`.

    `names` are the layer's inputs in operand order (layer_input_names()),
    `values` and `types` their SSA values and types by name; `activation` is
    written as activation_syntax() gives it. With dy = (value, type), the
    output gradient, the line applies the gradient op ffn.OP_grad, which
    takes dy after the required operands and before the biases; its
    result_type is then the list of the gradients' types, in parentheses.
    """
    required = [n for n in names if n not in BIASES[op]]
    biases = [n for n in names if n in BIASES[op]]
    operands = [values[n] for n in required]
    operand_types = [types[n] for n in required]
    if dy is not None:
        operands.append(dy[0])
        operand_types.append(dy[1])
    operand_types += [types[n] for n in biases]
    return "  %s = ffn.%s%s %s %s%s : (%s) -> %s" % (
        result, op, "" if dy is None else "_grad", activation,
        ", ".join(operands),
        "".join(" %s(%s)" % (n, values[n]) for n in biases),
        ", ".join(operand_types), result_type)


def main_program(generator, body, element="f32"):
    """A module whose @main runs the lines `body`, as text, with the
    declaration of the printMemref function for `element` and a first line
    naming the script that generated it."""
    lines = ["// Generated by %s." % generator, print_memref_decl(element),
             "func.func @main() {"] + body + ["  return", "}"]
    return "\n".join(lines) + "\n"


def run_reference_pipeline(args, source_path, lowered_path):
    """Lowers the program at `source_path` with `glu-opt
    --glu-reference-pipeline` to `lowered_path` and runs its @main with
    mlir-runner (the tools of add_tool_arguments()'s flags). Returns the
    runner's stdout; raises ToolError."""
    run_tool([args.glu_opt, source_path, "--glu-reference-pipeline",
              "-o", lowered_path], "glu-opt")
    stdout, _ = run_tool([args.mlir_runner, lowered_path, "-e", "main",
                          "-entry-point-result=void",
                          "-shared-libs=" + args.runner_libs], "mlir-runner")
    return stdout


def run_case(args, stem, program, shapes, element="f32"):
    """Writes `program` to <args.tmp>/<stem>.mlir (creating args.tmp),
    lowers and runs it with run_reference_pipeline() and reads back the
    results it prints, which must have the `shapes`.

    Returns (arrays, paths), paths being the program's and the lowered
    program's. When a tool fails, arrays is None and the case has been
    reported: "ERROR <describe_layer(args)> (program: PATH)" on stdout (what
    FileCheck sees), the details on stderr.
    """
    os.makedirs(args.tmp, exist_ok=True)
    stem = os.path.join(args.tmp, stem)
    paths = (stem + ".mlir", stem + ".llvm.mlir")
    with open(paths[0], "w") as f:
        f.write(program)
    try:
        stdout = run_reference_pipeline(args, *paths)
        return parse_printed_results(stdout, shapes, "mlir-runner",
                                     element), paths
    except ToolError as error:
        print("ERROR %s (program: %s)" % (describe_layer(args), paths[0]))
        print(error, file=sys.stderr)
        return None, paths


def finish_case(line, ok, paths):
    """Prints the case's PASS or FAIL `line`; deletes its files (`paths`)
    if it passed, keeping a failing case's for debugging. Returns the exit
    status: 0 if `ok`, else 1."""
    print(line)
    if ok:
        for path in paths:
            os.remove(path)
    return 0 if ok else 1
