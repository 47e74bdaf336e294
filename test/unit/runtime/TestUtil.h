//===- TestUtil.h - Helpers for the runtime tests ---------------*- C++ -*-===//

#ifndef GLU_TEST_RUNTIME_TESTUTIL_H
#define GLU_TEST_RUNTIME_TESTUTIL_H

#include "glu/ArtifactAbi.h"
#include "glu/Sha256.h"

#include "../TestFiles.h"

#include <filesystem>
#include <fstream>
#include <string>

namespace glu_test {

/// A fresh, empty directory under the test build directory.
inline std::string freshDir(const std::string &name) {
  return freshDirUnder(GLU_RT_TEST_DIR, name);
}

/// `text` with every `from` replaced by `to`.
inline std::string replaceAll(std::string text, const std::string &from,
                              const std::string &to) {
  for (size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

/// What manifestWith writes for the library's size and digest.
inline const std::string kUnsealedBytes = "\"library_bytes\": 0,";
inline const std::string kUnsealedSha256 = std::string(64, '0');

/// An artifact directory `name` holding `manifest` and a copy of `library`;
/// the size and digest manifestWith wrote become the library's, as
/// glu-compile writes them.
inline std::string makeArtifact(const std::string &name,
                                const std::string &manifest,
                                const std::string &library = GLU_FAKE_MODEL) {
  std::string dir = freshDir(name);
  std::filesystem::copy_file(library, dir + "/model.so");
  std::string bytes = readFile(library);
  std::string sealed =
      replaceAll(manifest, kUnsealedBytes,
                 "\"library_bytes\": " + std::to_string(bytes.size()) + ",");
  sealed = replaceAll(sealed, kUnsealedSha256,
                      glu::sha256Hex(bytes.data(), bytes.size()));
  writeFile(dir + "/manifest.json", sealed);
  return dir;
}

/// A manifest with one entry point whose arguments and results are the
/// JSON arrays given.
inline std::string manifestWith(const std::string &entry,
                                const std::string &symbol,
                                const std::string &arguments,
                                const std::string &results,
                                const std::string &target = "cpu",
                                int version = GLU_MANIFEST_VERSION) {
  return "{\"format\": \"glu-artifact\", \"version\": " +
         std::to_string(version) + ", \"target\": \"" + target +
         "\", \"library\": \"model.so\", " + kUnsealedBytes +
         " \"library_sha256\": \"" + kUnsealedSha256 +
         "\", \"entry_points\": [{\"name\": \"" + entry + "\", \"symbol\": \"" +
         symbol + "\", \"arguments\": " + arguments +
         ", \"results\": " + results + "}]}";
}

inline const char *kAddArgs =
    "[{\"name\": \"a\", \"shape\": [4], \"dtype\": \"f32\"},"
    " {\"name\": \"b\", \"shape\": [4], \"dtype\": \"f32\"}]";
inline const char *kAddResults =
    "[{\"name\": \"sum\", \"shape\": [4], \"dtype\": \"f32\"}]";

} // namespace glu_test

#endif // GLU_TEST_RUNTIME_TESTUTIL_H
