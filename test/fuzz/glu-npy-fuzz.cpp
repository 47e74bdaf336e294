//===- glu-npy-fuzz.cpp - libFuzzer target: .npy bytes --------------------===//
//
// Takes the input as the bytes of a .npy file and decodes it with
// glu::decodeNpy, which must throw nothing but glu::Error (any other
// exception escapes and is a finding). An array that decodes is encoded
// again (glu::encodeNpy) and decoded once more: the type and the data must
// come back unchanged.
//
//===----------------------------------------------------------------------===//

#include "glu/Npy.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  glu::NpyArray array;
  try {
    array = glu::decodeNpy(data, size, "fuzz.npy");
  } catch (const glu::Error &) {
    return 0;
  }
  std::vector<uint8_t> bytes =
      glu::encodeNpy(array.type, array.data.data(), array.data.size());
  glu::NpyArray again = glu::decodeNpy(bytes.data(), bytes.size(), "again");
  if (again.type.dtype != array.type.dtype ||
      again.type.shape != array.type.shape || again.data != array.data) {
    std::fprintf(stderr, "glu-npy-fuzz: %s does not survive encodeNpy\n",
                 array.type.str().c_str());
    std::abort();
  }
  return 0;
}
