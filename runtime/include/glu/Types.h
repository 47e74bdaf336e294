//===- Types.h - Errors, element types and tensor types ---------*- C++ -*-===//
//
// The vocabulary shared by the runtime, the .npy reader and glu-run: the
// exception every runtime failure throws, the element types of the artifact
// format and a static tensor type (dtype + shape).
//
//===----------------------------------------------------------------------===//

#ifndef GLU_RUNTIME_TYPES_H
#define GLU_RUNTIME_TYPES_H

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace glu {

/// Every runtime failure throws glu::Error; what() is a one-line message
/// that names the file, entry point, argument or CUDA call involved.
class Error : public std::runtime_error {
public:
  explicit Error(const std::string &message) : std::runtime_error(message) {}
};

/// The element types of docs/artifact-format.md.
enum class DType { F16, BF16, F32, F64, I1, I8, I32, I64 };

/// "f32", "i1", ...
const char *dtypeName(DType dtype);
/// Bytes per element (i1 is stored as one byte).
size_t dtypeSize(DType dtype);
/// Parses a manifest dtype name; throws glu::Error for an unknown one.
DType parseDType(const std::string &name);

/// A static tensor type: element type and row-major shape (rank 0 is {}).
struct TensorType {
  DType dtype = DType::F32;
  std::vector<int64_t> shape;

  int64_t rank() const { return static_cast<int64_t>(shape.size()); }
  /// The number of elements; throws glu::Error if it overflows int64.
  int64_t numElements() const;
  /// The size in bytes; throws glu::Error if it overflows int64.
  size_t numBytes() const;
  /// "f32[64,512]", "i1[]".
  std::string str() const;

  bool operator==(const TensorType &other) const {
    return dtype == other.dtype && shape == other.shape;
  }
  bool operator!=(const TensorType &other) const { return !(*this == other); }
};

/// "4.0 PiB", "512 B": a size for error messages.
std::string formatBytes(double bytes);

} // namespace glu

#endif // GLU_RUNTIME_TYPES_H
