//===- ArtifactSignatureTest.cpp - SHA-256 and entry-point signatures -----===//

#include "glu/ArtifactSignature.h"
#include "glu/Sha256.h"

#include <gtest/gtest.h>

using namespace glu;

TEST(Sha256, MatchesTheFipsVectors) {
  EXPECT_EQ(sha256Hex("", 0),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256Hex("abc", 3),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  std::string twoBlocks =
      "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  EXPECT_EQ(sha256Hex(twoBlocks.data(), twoBlocks.size()),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  // A million 'a's, fed in uneven pieces across block boundaries.
  std::string a(1000000, 'a');
  Sha256 sha;
  for (size_t at = 0, step = 1; at < a.size(); at += step, step = step % 97 + 1)
    sha.update(a.data() + at, std::min(step, a.size() - at));
  EXPECT_EQ(sha.hexDigest(),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(ArtifactSignature, SpellsTypesShapesAndNames) {
  std::string signature = formatEntrySignature("cpu", "forward",
                                               {{"x", "f32", {8, 16}},
                                                {"s", "bf16", {}},
                                                {"wi_0+wi_1", "f32", {16, 48}}},
                                               {{"y", "f32", {8, 16}}});
  EXPECT_EQ(signature, "glu-abi-" + std::to_string(GLU_ABI_VERSION) +
                           " cpu forward(x: f32[8x16], s: bf16[], "
                           "wi_0+wi_1: f32[16x48]) -> (y: f32[8x16])");
  // Punctuation in a name cannot forge another signature.
  EXPECT_EQ(
      formatEntrySignature("cuda", "f", {{"a: f32[4], b", "f32", {4}}}, {}),
      "glu-abi-" + std::to_string(GLU_ABI_VERSION) +
          " cuda f(a%3A%20f32%5B4%5D%2C%20b: f32[4]) -> ()");
}
