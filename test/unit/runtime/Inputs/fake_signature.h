/* The signatures the fake artifact libraries embed, spelled as
 * glu/ArtifactSignature.h formats them: GLU_FAKE_SIGNATURE("cpu", "add(a:
 * f32[4]) -> (sum: f32[4])"). GLU_FAKE_ABI (default GLU_ABI_VERSION) is the
 * ABI they claim. */

#ifndef GLU_TEST_FAKE_SIGNATURE_H
#define GLU_TEST_FAKE_SIGNATURE_H

#include "glu/ArtifactAbi.h"

#ifndef GLU_FAKE_ABI
#define GLU_FAKE_ABI GLU_ABI_VERSION
#endif
#define GLU_FAKE_STR2(x) #x
#define GLU_FAKE_STR(x) GLU_FAKE_STR2(x)
#define GLU_FAKE_SIGNATURE(target, text)                                       \
  "glu-abi-" GLU_FAKE_STR(GLU_FAKE_ABI) " " target " " text

#endif /* GLU_TEST_FAKE_SIGNATURE_H */
