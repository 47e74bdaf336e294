//===- glu-manifest-fuzz.cpp - libFuzzer target: manifest.json ------------===//
//
// Takes the input as the text of an artifact's manifest.json and parses it
// with glu::Manifest::parse, which must throw nothing but glu::Error (any
// other exception escapes and is a finding). A manifest that parses is
// walked through the accessors, out-of-range indices included, and its
// tensor types' sizes are computed.
//
//===----------------------------------------------------------------------===//

#include "glu/Runtime.h"

#include <cstdint>
#include <string>

namespace {

void walk(const glu::TensorSpec &spec) {
  try {
    (void)spec.type.numBytes();
  } catch (const glu::Error &) {
  }
  (void)spec.type.str();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string text(reinterpret_cast<const char *>(data), size);
  glu::Manifest manifest;
  try {
    manifest = glu::Manifest::parse(text, "fuzz/manifest.json");
  } catch (const glu::Error &) {
    return 0;
  }
  for (const glu::EntryPoint &entry : manifest.entryPoints) {
    for (size_t i = 0; i <= entry.arguments.size(); ++i) {
      try {
        walk(entry.argument(i));
      } catch (const glu::Error &) {
      }
    }
    for (size_t i = 0; i <= entry.results.size(); ++i) {
      try {
        walk(entry.result(i));
      } catch (const glu::Error &) {
      }
    }
  }
  return 0;
}
