//===- TestFiles.h - files of the GoogleTests -------------------*- C++ -*-===//
//
// What tests that write files share: a fresh directory under the test's
// build folder, and whole files written and read.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_TEST_UNIT_TESTFILES_H
#define GLU_TEST_UNIT_TESTFILES_H

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace glu_test {

/// A fresh, empty directory `base`/tmp/`name`.
inline std::string freshDirUnder(const std::string &base,
                                 const std::string &name) {
  std::filesystem::path p = std::filesystem::path(base) / "tmp" / name;
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p);
  return p.string();
}

inline void writeFile(const std::string &path, const std::string &text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

inline std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)),
                     std::istreambuf_iterator<char>());
}

} // namespace glu_test

#endif // GLU_TEST_UNIT_TESTFILES_H
