"""What glu's Python test harnesses share.

test/e2e/ffn_reference_check.py and test/raise/raise_exactness.py both feed
seeded float32 tensors to an MLIR function, run it through glu-opt and
mlir-runner, read the exact float bits of its results back and compare them
with other numbers. The pieces they have in common live here:

  * writing float32 arrays as MLIR: format_f32(), format_dense() and
    tensor_type();
  * the tail of a @main that prints a result's exact bits:
    PRINT_MEMREF_I32_DECL and print_bits_lines();
  * running the tools: the flags that name them, add_tool_arguments(),
    and run_tool() and ToolError;
  * reading the printed bits back: parse_printed_bits();
  * the tolerance rule of the comparisons: RTOL, ATOL_SCALE and
    relative_errors();
  * the error --perturb adds to prove a harness can fail: PERTURBATION and
    perturbed().

The scripts import it with the folder of this file on sys.path. It is not a
lit test (lit runs only .mlir and .test files) and needs only numpy.
"""

import re
import shlex
import subprocess

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
    """`array` (float32) with a relative error of PERTURBATION added."""
    return (array.astype(np.float64) * (1 + PERTURBATION)).astype(np.float32)


# --------------------------------------------------------------------------
# Writing MLIR
# --------------------------------------------------------------------------

def format_f32(value):
    """Prints a float32 so that MLIR reads back exactly the same value.

    Nine significant digits suffice to round-trip any float32; '%.9e' gives
    ten. (A hex float such as float.hex() is not valid MLIR syntax.)
    """
    text = "%.9e" % float(value)
    assert np.float32(float(text)) == value, (text, value)
    return text


def format_dense(array):
    """Returns the nested-list body of a `dense<...>` attribute."""
    if array.ndim == 0:
        return format_f32(array)
    return "[" + ", ".join(format_dense(sub) for sub in array) + "]"


def tensor_type(dims, element="f32"):
    """`tensor<2x3xf32>` for dims [2, 3] (`tensor<f32>` for rank 0)."""
    return "tensor<" + "".join("%dx" % d for d in dims) + element + ">"


# The declaration print_bits_lines() calls (from mlir_runner_utils).
PRINT_MEMREF_I32_DECL = ("func.func private @printMemrefI32(memref<*xi32>) "
                         "attributes { llvm.emit_c_interface }")


def print_bits_lines(value, dims, suffix=""):
    """Lines of a function body that print the exact bits of `value`.

    `value` (e.g. "%result") is a tensor of f32 with shape `dims`. Each
    element is bitcast to i32 in a linalg.generic (arith.bitcast on a whole
    tensor does not bufferize) and the result printed with printMemrefI32
    (declare it with PRINT_MEMREF_I32_DECL): the bits print exactly, where
    decimals would not. parse_printed_bits() reads the output back.

    The SSA names the lines define end in `suffix`, so that one function can
    print several values. The lines are indented for a function at the top
    level of a module.
    """
    rank = len(dims)
    names = ", ".join("d%d" % k for k in range(rank))
    identity = "affine_map<(%s) -> (%s)>" % (names, names)
    bits_type = tensor_type(dims, "i32")
    memref_type = "memref" + bits_type[len("tensor"):]
    s = suffix
    return [
        "  %%bits_init%s = tensor.empty() : %s" % (s, bits_type),
        "  %%bits%s = linalg.generic {indexing_maps = [%s, %s], "
        "iterator_types = [%s]} ins(%s : %s) outs(%%bits_init%s : %s) {"
        % (s, identity, identity, ", ".join(['"parallel"'] * rank),
           value, tensor_type(dims), s, bits_type),
        "  ^bb0(%%elem%s: f32, %%unused%s: i32):" % (s, s),
        "    %%elem_bits%s = arith.bitcast %%elem%s : f32 to i32" % (s, s),
        "    linalg.yield %%elem_bits%s : i32" % s,
        "  } -> %s" % bits_type,
        "  %%buffer%s = bufferization.to_buffer %%bits%s : %s to %s"
        % (s, s, bits_type, memref_type),
        "  %%unranked%s = memref.cast %%buffer%s : %s to memref<*xi32>"
        % (s, s, memref_type),
        "  func.call @printMemrefI32(%%unranked%s) : (memref<*xi32>) -> ()"
        % s,
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


# The line printMemrefI32 starts each memref with; the elements follow.
PRINT_HEADER = re.compile(r"Unranked Memref base@ = \S+ rank = (\d+) "
                          r"offset = \d+ sizes = \[([0-9, ]*)\] "
                          r"strides = \[[0-9, ]*\] data =")


def parse_printed_bits(stdout, what):
    """Every printMemrefI32 in `stdout`, as float32 arrays, in order.

    Each printed memref's int32 elements are the bits of float32 values (see
    print_bits_lines()); the arrays have the printed sizes. Raises ToolError,
    naming the run as `what` (e.g. "mlir-runner"), if a memref's element
    count does not match its sizes.
    """
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
        arrays.append(bits.astype(np.int32).view(np.float32).reshape(sizes))
    return arrays
