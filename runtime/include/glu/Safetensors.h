//===- Safetensors.h - Hugging Face .safetensors files ----------*- C++ -*-===//
//
// Reads and writes the safetensors format of Hugging Face
// (https://github.com/huggingface/safetensors): an 8-byte little-endian
// header length N, N bytes of JSON header, then the data. The header maps
// each tensor's name to {"dtype": "F32", "shape": [2, 3], "data_offsets":
// [begin, end]} (byte offsets into the data, which follows the header) and
// may hold "__metadata__", an object of strings; it may end with spaces.
// The dtypes glu has are read and written: F16, BF16, F32, F64, I8, I32,
// I64 and BOOL (i1, one byte per element); any other is refused with a
// message that says so. A file is memory-mapped, not read into memory.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_RUNTIME_SAFETENSORS_H
#define GLU_RUNTIME_SAFETENSORS_H

#include "glu/Types.h"

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace glu {

/// One tensor of a safetensors file: points into the mapping.
struct SafetensorsTensor {
  std::string name;
  TensorType type;
  /// type.numBytes() bytes, little-endian, row-major. Aligned to 8 bytes
  /// when the file's data starts at a multiple of 8 (writeSafetensors and
  /// the safetensors library pad the header so) and the tensors before it
  /// take multiples of 8 bytes; in any other file it may be unaligned.
  const void *data = nullptr;
  size_t bytes = 0;
};

/// A read-only, memory-mapped safetensors file. The mapping is not copied:
/// the tensors' data points into it, and it lives as long as any copy of
/// the object (a handle; copies share the mapping). The file must not be
/// truncated while it is open (reading a page past its new end raises
/// SIGBUS); writeSafetensors replaces a file with a new one, which leaves
/// an open mapping of the old one intact.
class SafetensorsFile {
public:
  /// An empty handle: no tensors, no metadata, path "".
  SafetensorsFile();

  /// Maps and validates `path`; throws glu::Error, one line that starts
  /// with the path and names the tensor or field, if the file is not a
  /// well-formed safetensors file (docs/runtime.md lists the checks).
  static SafetensorsFile open(const std::string &path);

  const std::string &path() const;
  /// Tensors in file order (order of data offsets; ties, which only
  /// zero-byte tensors have, by name).
  const std::vector<SafetensorsTensor> &tensors() const;
  /// The tensor `name`, or nullptr if the file has none of that name.
  const SafetensorsTensor *find(const std::string &name) const;
  /// The tensor `name`, which must have type `expected`. Throws
  /// "<path>: no tensor 'name'" or, if the type differs,
  /// "<path>: tensor 'name' is bf16[3,4], expected f32[4,3]".
  const SafetensorsTensor &get(const std::string &name,
                               const TensorType &expected) const;
  /// The header's "__metadata__" (empty if it has none).
  const std::map<std::string, std::string> &metadata() const;

private:
  struct Impl;
  explicit SafetensorsFile(std::shared_ptr<const Impl> impl);
  std::shared_ptr<const Impl> impl_;
};

/// A tensor to write: data points to type.numBytes() bytes.
struct SafetensorsEntry {
  std::string name;
  TensorType type;
  const void *data = nullptr;
};

/// Writes `path` atomically: a temporary file beside it
/// (path + ".tmp.<pid>.<n>"), the header and data written, fsync'ed and
/// renamed over `path`, then the directory fsync'ed. On any failure before
/// the rename the temporary file is removed and `path` is untouched; the
/// error (glu::Error) names the path and the system's reason. Tensors are
/// written in the given order, back to back (as the safetensors library
/// requires), after a header padded with spaces so that the data starts at
/// a multiple of 8 bytes. A name given twice, the name "__metadata__", a
/// name or metadata string that is not UTF-8 and a null `data` for a
/// tensor of one byte or more are errors before anything is written.
void writeSafetensors(const std::string &path,
                      const std::vector<SafetensorsEntry> &tensors,
                      const std::map<std::string, std::string> &metadata = {});

} // namespace glu

#endif // GLU_RUNTIME_SAFETENSORS_H
