//===- Sha256.h - SHA-256 digests of artifact files -------------*- C++ -*-===//
//
// FIPS 180-4 SHA-256, for the manifest's "library_sha256": the runtime
// checks a library against its manifest before it dlopens it.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_SHA256_H
#define GLU_SHA256_H

#include <cstddef>
#include <cstdint>
#include <string>

namespace glu {

/// Incremental SHA-256.
class Sha256 {
public:
  Sha256();
  void update(const void *data, size_t bytes);
  /// The digest as 64 lowercase hexadecimal digits; ends the computation.
  std::string hexDigest();

private:
  void compress(const uint8_t *block);

  uint32_t state_[8];
  uint8_t buffer_[64];
  size_t buffered_ = 0;
  uint64_t length_ = 0; // bytes
};

/// The SHA-256 of `bytes` bytes at `data`, in hexadecimal.
std::string sha256Hex(const void *data, size_t bytes);

} // namespace glu

#endif // GLU_SHA256_H
