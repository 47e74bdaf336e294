//===- ScalarSemantics.h - arith and math on raw bits -----------*- C++ -*-===//
//
// The emulator keeps every scalar as the raw bits of its MLIR type (IEEE
// encodings for floats, two's complement for integers and index). These
// functions give arith's and math's element-wise operations their meaning
// on such bits: floats are computed in double and rounded once to the
// result type (to nearest, ties to even, as the GPU's cvt.rn and IEEE
// arithmetic do); integers wrap at their width.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_TEST_EMULATOR_SCALARSEMANTICS_H
#define GLU_TEST_EMULATOR_SCALARSEMANTICS_H

#include "mlir/IR/Operation.h"
#include "mlir/IR/Types.h"

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <optional>

namespace glu::emulator {

/// Bits of one element of `type` (index counts as 64).
unsigned bitWidth(mlir::Type type);

/// `value` rounded to the float type, or truncated to the integer type.
uint64_t encodeScalar(mlir::Type type, double value);
/// The value of `bits` read as `type` (integers as signed).
double decodeScalar(mlir::Type type, uint64_t bits);

enum class ElementwiseKind : uint8_t;

/// An element-wise arith or math operation, decoded once and applied to
/// one element of each operand at a time.
class ElementwiseOp {
public:
  /// std::nullopt unless `op` is an element-wise operation it knows.
  static std::optional<ElementwiseOp> get(mlir::Operation *op);

  /// The result for one element of each operand; std::nullopt for an
  /// integer division by zero.
  std::optional<uint64_t> operator()(llvm::ArrayRef<uint64_t> operands) const;

private:
  ElementwiseOp() = default;

  ElementwiseKind kind;
  mlir::Type operandType, resultType;
  unsigned operandWidth = 0, resultWidth = 0;
  /// The comparison of cmpi and cmpf.
  uint64_t predicate = 0;
};

} // namespace glu::emulator

#endif // GLU_TEST_EMULATOR_SCALARSEMANTICS_H
