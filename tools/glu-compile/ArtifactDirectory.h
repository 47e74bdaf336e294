//===- ArtifactDirectory.h - where glu-compile writes an artifact -*- C++
//-*-===//
//
// glu-compile writes an artifact into a staging directory beside the
// destination and moves it into place only when everything is written. The
// destination is checked first: glu-compile replaces nothing but an artifact
// it wrote, and that only with --force; a file, a symbolic link or a
// non-empty directory that is not an artifact is an error. The staging
// directory is removed on failure, on SIGINT/SIGTERM/SIGHUP and after a
// crash; stale ones left by a killed compile (their process is gone) are
// removed by the next compile into the same place.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_TOOLS_GLU_COMPILE_ARTIFACTDIRECTORY_H
#define GLU_TOOLS_GLU_COMPILE_ARTIFACTDIRECTORY_H

#include "mlir/Support/LLVM.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringRef.h"

#include <memory>
#include <string>

namespace glu {

class ArtifactDirectory {
public:
  /// Checks that `path` may receive an artifact (absent, an empty directory,
  /// or with `force` an artifact glu-compile wrote), removes stale staging
  /// directories beside it and creates a fresh one. On failure, `error` says
  /// why and nothing on disk has changed.
  static std::unique_ptr<ArtifactDirectory>
  create(llvm::StringRef path, bool force, std::string &error);

  /// Removes the staging directory unless install() moved it into place.
  ~ArtifactDirectory();
  ArtifactDirectory(const ArtifactDirectory &) = delete;
  ArtifactDirectory &operator=(const ArtifactDirectory &) = delete;

  /// The directory the artifact's files are written to.
  llvm::StringRef getStagingPath() const { return staging; }
  /// The destination, absolute and without `.` or `..` components.
  llvm::StringRef getPath() const { return destination; }

  /// Moves the staging directory to the destination; an artifact already
  /// there is replaced atomically where the file system allows it.
  mlir::LogicalResult install(std::string &error);

private:
  ArtifactDirectory() = default;

  llvm::SmallString<256> destination;
  llvm::SmallString<256> staging;
  bool installed = false;
};

/// True if `name` is a file glu-compile writes into an artifact directory
/// (manifest, library, OpenMP runtime, --save-temps files).
bool isArtifactFileName(llvm::StringRef name);

} // namespace glu

#endif // GLU_TOOLS_GLU_COMPILE_ARTIFACTDIRECTORY_H
