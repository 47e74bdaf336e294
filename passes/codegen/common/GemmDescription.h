//===- GemmDescription.h - what a generated GEMM computes -------*- C++ -*-===//
//
// The one description of every GEMM the back ends generate, and the one
// matcher that builds it. An emitter (the CPU's register-tiled loop nest,
// the GPU's shared-memory kernel, tomorrow's tensor-core kernels) never
// looks at the op it replaces: it reads a GemmDescription. What an op means
// as a GEMM (which operand is stored transposed, where the packed columns
// are, which epilogue runs on the accumulators) is spelled here alone.
//
//   op                       epilogue     lhs        rhs             out
//   linalg.matmul            Accumulate   A | A^T    B | B^T         init + A B
//   linalg.batch_matmul      Accumulate   (batched, same forms)
//   ffn.activated_matmul     Activate     x          W1              act(x W1 +
//   b) ffn.gated_matmul         Gate         x          packed [W | V]  gate(a)
//   * b ffn.dactivation_matmul   DActivate    dy         W2^T            dh *
//   act'(a) ffn.dgate_matmul         DGate        dy         W2^T packed [da |
//   db]
//
//===----------------------------------------------------------------------===//

#ifndef GLU_PASSES_CODEGEN_COMMON_GEMMDESCRIPTION_H
#define GLU_PASSES_CODEGEN_COMMON_GEMMDESCRIPTION_H

#include "dialect/FFNAttrs.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

namespace mlir {
namespace linalg {
class GenericOp;
class ReduceOp;
class LinalgOp;
} // namespace linalg

namespace ffn {

/// What a generated GEMM does with its accumulators before the only store.
enum class GemmEpilogue {
  /// out = init + acc (linalg.matmul, linalg.batch_matmul).
  Accumulate,
  /// out = act(acc + bias[col]) (ffn.activated_matmul).
  Activate,
  /// out = gate(a + bias_a) * (b + bias_b), where a and b are the
  /// accumulators of matching columns of one packed block
  /// (ffn.gated_matmul).
  Gate,
  /// out = acc * act'(pre[row, col]) (ffn.dactivation_matmul).
  DActivate,
  /// out[row, a | b columns of col] = d(gate(a) * b) / d(a | b) * acc, a and
  /// b read from the packed pre-activations (ffn.dgate_matmul).
  DGate,
};

/// One GEMM operand: a tensor, and whether it is stored transposed (the
/// left operand as [K, M], the right one as [N, K]).
struct GemmOperand {
  Value value;
  bool transposed = false;
};

/// out[M, N] = epilogue(lhs * rhs) for the op `op`, on tensors.
struct GemmDescription {
  /// The op the GEMM replaces.
  Operation *op = nullptr;
  GemmEpilogue epilogue = GemmEpilogue::Accumulate;
  /// [M, K] or [K, M]; batched: a leading batch dimension.
  GemmOperand lhs;
  /// [K, N] or [N, K] (Gate: [K, 2 N] packed; DGate/DActivate: W2 [N, K]).
  GemmOperand rhs;
  /// Whether lhs, rhs and the result carry a leading batch dimension.
  bool batched = false;
  /// Accumulate: the accumulator's initial value. `initScalar` when it is a
  /// linalg.fill (every element the same), else `init` (a tensor like the
  /// result).
  Value init;
  Value initScalar;
  /// Activate: [N]; Gate: packed [2 N]; or null.
  Value bias;
  /// DActivate: a [M, N]; DGate: packed [a | b] [M, 2 N]. Read.
  Value preactivations;
  /// Activate, Gate, DActivate, DGate.
  ActivationAttr activation;
  /// Gate, DGate: the packed block size; 0 otherwise.
  int64_t blockSize = 0;
  /// The destination (DPS init) of the result, which gives its shape: [M, N]
  /// or, for DGate, the packed [M, 2 N].
  Value dest;
  /// Activate, Gate: the destination of the pre-activations the op also
  /// returns (x W + b, or the packed [a | b] + bias), or null.
  Value preactivationsDest;

  /// The result's type, and the pre-activations' (null when not kept).
  RankedTensorType getResultType() const;
  RankedTensorType getPreactivationsType() const;

  /// Whether the accumulator starts from a fill of 0.0.
  bool isZeroInit() const;

  /// Whether the GEMM's columns are walked by packed blocks (Gate, DGate).
  bool isBlocked() const;
  /// Whether the op also returns its pre-activations.
  bool keepsPreactivations() const { return bool(preactivationsDest); }

  /// The GEMM's extents, as index values: M (rows of the result), N (its
  /// columns; d_ff for Gate and DGate, whose packed tensors have 2 N) and K
  /// (the reduction depth). Not for batched GEMMs' batch dimension.
  Value getM(OpBuilder &b, Location loc) const;
  Value getN(OpBuilder &b, Location loc) const;
  Value getK(OpBuilder &b, Location loc) const;
  /// The batch extent (batched only).
  Value getBatch(OpBuilder &b, Location loc) const;
};

/// Whether `value` is a linalg.fill of 0.0 (on tensors).
bool isZeroFill(Value value);

/// Describes `op` as a GEMM: ffn.gated_matmul, ffn.activated_matmul,
/// ffn.dgate_matmul, ffn.dactivation_matmul, and linalg.matmul and
/// linalg.batch_matmul on tensors in the forms of MatmulForms.h. Fails,
/// with the reason in `why` when given, for any other op or form.
FailureOr<GemmDescription> describeGemm(Operation *op,
                                        std::string *why = nullptr);

/// The results of `gemm`'s op as tensors of the buffers an emitter filled:
/// `out`, then `preactivationsOut` when the op keeps its pre-activations.
SmallVector<Value> getGemmResultTensors(OpBuilder &b, Location loc,
                                        const GemmDescription &gemm, Value out,
                                        Value preactivationsOut);

/// A sum over the rows of a matrix: out[c] = init[c] + sum_r input[r, c]
/// (the bias gradients' column sums).
struct ColumnSumDescription {
  /// [M, N] and [N], tensors.
  Value input, init;
};

/// Describes `op` as a column sum: a linalg.reduce on tensors over
/// dimension 0 of one rank-2 input whose combiner yields the arith.addf of
/// its two arguments. Fails, with the reason in `why`, otherwise.
FailureOr<ColumnSumDescription> describeColumnSum(linalg::ReduceOp op,
                                                  std::string *why = nullptr);

/// A sum or a maximum along the last dimension: out[i..] = init[i..] +
/// sum_c input[i.., c] (RMS norm's sum of squares, softmax's denominator),
/// or max(init[i..], max_c input[i.., c]) (softmax's max), the result
/// keeping that dimension as a unit one (`keepDim`) or not.
struct RowReductionDescription {
  enum class Kind { Add, Max };
  Kind kind = Kind::Add;
  /// [..., C] and [...] (or [..., 1]), tensors.
  Value input, init;
  bool keepDim = false;
};

/// Describes `op` as a row reduction: a linalg.generic or linalg.reduce (as
/// glu-t5's builders write RMS norm and softmax) on tensors of one input
/// whose loops are all parallel but the last, a reduction; the input
/// read by the identity map and the first init by the parallel loops (then
/// a constant 0 when it keeps the reduced dimension); the body yields, for
/// that init, the arith.addf or arith.maximumf of the input element and the
/// init's. A second init is allowed when the op's second result is unused
/// and the first yield does not read it (torch-mlir's softmax max comes with
/// its argmax index). Fails, with the reason in `why`, otherwise.
FailureOr<RowReductionDescription>
describeRowReduction(linalg::LinalgOp op, std::string *why = nullptr);

} // namespace ffn
} // namespace mlir

#endif // GLU_PASSES_CODEGEN_COMMON_GEMMDESCRIPTION_H
