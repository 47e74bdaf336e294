//===- ArtifactSignature.h - what an entry point was compiled for -*- C++
//-*-===//
//
// The one formatter of an entry point's signature (glu/ArtifactAbi.h,
// GLU_SIGNATURE_PREFIX): glu-compile embeds it in model.so, the runtime
// formats it again from the manifest and refuses the artifact if the two
// differ, so no manifest edit can make the runtime call code with buffers of
// other shapes or types. Header-only C++17, no dependencies:
//
//   glu-abi-3 cpu forward(x: f32[8x16], w: f32[16x24]) -> (y: f32[8x16])
//   glu-abi-3 cpu step(c: f32[4], t: i32[]) -> (y: f32[2], c: f32[4] in-place
//   0)
//
// Rank 0 is `f32[]`; a result that updates argument N in place (no
// out-parameter) ends in ` in-place N`. Names keep [A-Za-z0-9_.+-] and
// write any other byte as %XX, so that a name cannot forge the punctuation.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_ARTIFACT_SIGNATURE_H
#define GLU_ARTIFACT_SIGNATURE_H

#include "glu/ArtifactAbi.h"

#include <cstdint>
#include <string>
#include <vector>

namespace glu {

struct SignatureTensor {
  std::string name;
  std::string dtype;
  std::vector<int64_t> shape;
  /// A result: the index of the argument it updates in place, or -1.
  int64_t updates = -1;
};

namespace detail {
inline void appendSignatureName(std::string &out, const std::string &name) {
  static const char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : name) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                 (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '+' ||
                 c == '-';
    if (plain) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
}

inline void appendSignatureTensors(std::string &out,
                                   const std::vector<SignatureTensor> &list) {
  for (size_t i = 0; i < list.size(); ++i) {
    if (i)
      out += ", ";
    appendSignatureName(out, list[i].name);
    out += ": ";
    out += list[i].dtype;
    out += '[';
    for (size_t d = 0; d < list[i].shape.size(); ++d) {
      if (d)
        out += 'x';
      out += std::to_string(list[i].shape[d]);
    }
    out += ']';
    if (list[i].updates >= 0)
      out += " in-place " + std::to_string(list[i].updates);
  }
}
} // namespace detail

/// The signature of entry point `name` of an artifact for `target`
/// (GLU_TARGET_CPU or GLU_TARGET_CUDA).
inline std::string
formatEntrySignature(const std::string &target, const std::string &name,
                     const std::vector<SignatureTensor> &arguments,
                     const std::vector<SignatureTensor> &results) {
  std::string out = "glu-abi-" + std::to_string(GLU_ABI_VERSION) + " ";
  out += target;
  out += ' ';
  detail::appendSignatureName(out, name);
  out += '(';
  detail::appendSignatureTensors(out, arguments);
  out += ") -> (";
  detail::appendSignatureTensors(out, results);
  out += ')';
  return out;
}

} // namespace glu

#endif // GLU_ARTIFACT_SIGNATURE_H
