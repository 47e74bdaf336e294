//===- DataTestSupport.h - helpers of the glu-t5 data tests -----*- C++ -*-===//

#ifndef GLU_TEST_UNIT_T5_DATATESTSUPPORT_H
#define GLU_TEST_UNIT_T5_DATATESTSUPPORT_H

#include "glu/Types.h"

#include "../TestFiles.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace glu::t5::test {

using glu_test::readFile;
using glu_test::writeFile;

/// A fresh, empty directory under the test build directory.
inline std::string freshDir(const std::string &name) {
  return glu_test::freshDirUnder(GLU_T5_TEST_DIR, name);
}

/// Expects `statement` to throw glu::Error whose message contains `text`.
#define EXPECT_GLU_ERROR(statement, text)                                      \
  do {                                                                         \
    try {                                                                      \
      statement;                                                               \
      ADD_FAILURE() << "no glu::Error from " #statement;                       \
    } catch (const glu::Error &error) {                                        \
      EXPECT_NE(std::string(error.what()).find(text), std::string::npos)       \
          << "message: " << error.what() << "\nexpected: " << (text);          \
    }                                                                          \
  } while (false)

} // namespace glu::t5::test

#endif // GLU_TEST_UNIT_T5_DATATESTSUPPORT_H
