//===- ConstantElements.h - raw bytes of constant tensors -------*- C++ -*-===//
//
// Folders that move the elements of constant tensors around (packing gated
// weights, transposing them) read them as raw bytes, whether the constant
// is a `dense<...>` attribute or a `dense_resource<...>` blob, the form
// torch-mlir's importer writes for every weight of a real model.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_DIALECT_CONSTANTELEMENTS_H
#define GLU_DIALECT_CONSTANTELEMENTS_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"

#include <optional>

namespace mlir::ffn {

/// The elements of a constant tensor, row-major: `splat` when one element
/// (the first `bytes` of `raw`) stands for all of them.
struct ConstantElements {
  ArrayRef<char> raw;
  bool splat = false;
  /// Bytes per element.
  unsigned bytes = 0;

  /// The bytes of element `index` (row-major).
  const char *getElement(int64_t index) const {
    return raw.data() + (splat ? 0 : index * bytes);
  }
};

/// The elements of `attr` (DenseElementsAttr or DenseResourceElementsAttr)
/// of a statically shaped tensor whose elements are whole bytes (floats,
/// integers of 8 bits or more), or nullopt (other attributes, i1, a
/// resource whose blob is missing or of the wrong size).
std::optional<ConstantElements> getConstantElements(Attribute attr);

} // namespace mlir::ffn

#endif // GLU_DIALECT_CONSTANTELEMENTS_H
