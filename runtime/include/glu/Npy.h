//===- Npy.h - NumPy .npy files ---------------------------------*- C++ -*-===//
//
// Reads and writes NumPy .npy files (format versions 1.0, 2.0 and 3.0
// headers) in C order and little-endian: '<f2', '<f4', '<f8', '<i4', '<i8',
// '|i1', '|b1'. Fortran order, big-endian data and other dtypes are refused
// with a message that says so. bf16 has no NumPy dtype and is refused too.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_RUNTIME_NPY_H
#define GLU_RUNTIME_NPY_H

#include "glu/Types.h"

#include <cstdint>
#include <string>
#include <vector>

namespace glu {

/// A host array read from or written to a .npy file.
struct NpyArray {
  TensorType type;
  std::vector<uint8_t> data; // type.numBytes() bytes, C order

  template <typename T> const T *as() const {
    return reinterpret_cast<const T *>(data.data());
  }
};

/// Decodes the bytes of a .npy file; `sourceName` prefixes errors.
NpyArray decodeNpy(const void *bytes, size_t size,
                   const std::string &sourceName);
/// Reads a .npy file; throws glu::Error naming `path` on any problem.
NpyArray readNpy(const std::string &path);

/// The bytes of a .npy file (version 1.0 header, 2.0 if it is too long).
std::vector<uint8_t> encodeNpy(const TensorType &type, const void *data,
                               size_t size);
/// Writes a .npy file atomically: to a temporary file beside `path`, then
/// renamed over it, so a failure never leaves a partial file.
void writeNpy(const std::string &path, const TensorType &type, const void *data,
              size_t size);

} // namespace glu

#endif // GLU_RUNTIME_NPY_H
