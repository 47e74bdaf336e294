//===- ArtifactDirectory.cpp - where glu-compile writes an artifact -------===//

#include "ArtifactDirectory.h"

#include "glu/ArtifactAbi.h"

#include "llvm/ADT/Twine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Signals.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace fs = llvm::sys::fs;
namespace path = llvm::sys::path;
using namespace mlir;

namespace glu {

static constexpr llvm::StringLiteral kStagingInfix = ".glu-staging-";

bool isArtifactFileName(StringRef name) {
  static constexpr llvm::StringLiteral kNames[] = {
      GLU_MANIFEST_FILE, GLU_LIBRARY_FILE, "model.o",     "model.ll",
      "fused.mlir",      "lowered.mlir",   "pipeline.txt"};
  return llvm::is_contained(kNames, name) || name.starts_with("libomp");
}

//===----------------------------------------------------------------------===//
// Removal of the staging directory on a signal
//===----------------------------------------------------------------------===//

// The staging directory the signal handlers remove; empty when none. Written
// only before the handlers can see it and after they are disarmed.
static char signalStagingPath[4096];
static volatile sig_atomic_t signalStagingArmed = 0;

/// Removes the files of the flat directory `dir`, then `dir`, with
/// async-signal-safe calls only.
static void removeFlatDirectoryFromSignal(const char *dir) {
  int fd = ::open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return;
  alignas(8) static char entries[8192];
  for (;;) {
    long n = ::syscall(SYS_getdents64, fd, entries, sizeof(entries));
    if (n <= 0)
      break;
    for (long offset = 0; offset < n;) {
      // struct linux_dirent64: ino (8), off (8), reclen (2), type (1), name.
      unsigned short reclen;
      std::memcpy(&reclen, entries + offset + 16, sizeof(reclen));
      const char *name = entries + offset + 19;
      if (std::strcmp(name, ".") != 0 && std::strcmp(name, "..") != 0)
        ::unlinkat(fd, name, 0);
      offset += reclen;
    }
  }
  ::close(fd);
  ::rmdir(dir);
}

static void removeStagingOnInterrupt(int signal) {
  if (signalStagingArmed)
    removeFlatDirectoryFromSignal(signalStagingPath);
  // Die of the signal, as without the handler.
  std::signal(signal, SIG_DFL);
  ::raise(signal);
}

static void removeStagingOnCrash(void *) {
  if (signalStagingArmed)
    removeFlatDirectoryFromSignal(signalStagingPath);
}

static void armSignalCleanup(StringRef staging) {
  static bool handlersInstalled = false;
  if (staging.size() >= sizeof(signalStagingPath))
    return;
  std::memcpy(signalStagingPath, staging.data(), staging.size());
  signalStagingPath[staging.size()] = '\0';
  signalStagingArmed = 1;
  if (handlersInstalled)
    return;
  handlersInstalled = true;
  // LLVM's handlers are already installed (InitLLVM) and are not installed
  // again; these replace them for the interrupt signals. Crashes go through
  // LLVM's handler, which prints the stack and calls this.
  struct sigaction action = {};
  action.sa_handler = removeStagingOnInterrupt;
  sigemptyset(&action.sa_mask);
  for (int signal : {SIGINT, SIGTERM, SIGHUP})
    ::sigaction(signal, &action, nullptr);
  llvm::sys::AddSignalHandler(removeStagingOnCrash, nullptr);
}

static void disarmSignalCleanup() { signalStagingArmed = 0; }

//===----------------------------------------------------------------------===//
// The destination
//===----------------------------------------------------------------------===//

static bool isEmptyDirectory(StringRef dir) {
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  return !ec && it == fs::directory_iterator();
}

/// What `dir`'s manifest says produced it, or "" if it is not a manifest
/// glu-compile wrote.
static std::string readArtifactSource(StringRef dir) {
  SmallString<256> manifest(dir);
  path::append(manifest, GLU_MANIFEST_FILE);
  auto buffer = llvm::MemoryBuffer::getFile(manifest);
  if (!buffer)
    return "";
  llvm::Expected<llvm::json::Value> json =
      llvm::json::parse((*buffer)->getBuffer());
  if (!json) {
    llvm::consumeError(json.takeError());
    return "";
  }
  const llvm::json::Object *object = json->getAsObject();
  if (!object || object->getString("format") != "glu-artifact" ||
      object->getString("producer") != "glu-compile")
    return "";
  std::optional<StringRef> source = object->getString("source");
  return source && !source->empty() ? source->str() : "an unknown input";
}

/// Checks that `dir` may be replaced: absent, an empty directory, or with
/// `force` a directory holding only an artifact glu-compile wrote.
static LogicalResult checkDestination(StringRef dir, bool force,
                                      std::string &error) {
  fs::file_status status;
  if (fs::status(dir, status, /*follow=*/false) && !fs::exists(status))
    return success();
  if (fs::is_symlink_file(status)) {
    error = (dir + " is a symbolic link; give -o a directory path").str();
    return failure();
  }
  if (!fs::is_directory(status)) {
    error = (dir + " exists and is not a directory; glu-compile writes an "
                   "artifact directory and replaces nothing else")
                .str();
    return failure();
  }
  std::error_code ec;
  SmallVector<std::string> foreign;
  bool empty = true;
  for (fs::directory_iterator it(dir, ec), end; it != end && !ec;
       it.increment(ec)) {
    empty = false;
    StringRef name = path::filename(it->path());
    if (!isArtifactFileName(name))
      foreign.push_back(name.str());
  }
  if (ec) {
    error = (dir + ": " + ec.message()).str();
    return failure();
  }
  if (empty)
    return success();
  std::string source = readArtifactSource(dir);
  if (source.empty()) {
    error = (dir + " is a non-empty directory without a glu manifest; "
                   "glu-compile replaces nothing but an artifact it wrote")
                .str();
    return failure();
  }
  if (!foreign.empty()) {
    error = (dir + " holds an artifact and files glu-compile did not write ('" +
             foreign.front() + "'" + (foreign.size() > 1 ? ", ..." : "") +
             "); move them away or choose another -o")
                .str();
    return failure();
  }
  if (!force) {
    error = (dir + " already holds an artifact (compiled from " + source +
             "); pass --force to replace it")
                .str();
    return failure();
  }
  return success();
}

/// Removes staging directories of `dir` whose glu-compile is no longer
/// running.
static void removeStaleStaging(StringRef dir) {
  StringRef parent = path::parent_path(dir);
  std::string prefix = (path::filename(dir) + kStagingInfix).str();
  std::error_code ec;
  for (fs::directory_iterator it(parent, ec), end; it != end && !ec;
       it.increment(ec)) {
    StringRef name = path::filename(it->path());
    if (!name.consume_front(prefix))
      continue;
    // <pid>, or <pid>.old (an artifact moved aside by install()).
    (void)name.consume_back(".old");
    unsigned long long pid;
    if (name.getAsInteger(10, pid) || pid == 0)
      continue;
    if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH)
      continue;
    fs::remove_directories(it->path());
  }
}

std::unique_ptr<ArtifactDirectory>
ArtifactDirectory::create(StringRef pathArg, bool force, std::string &error) {
  std::unique_ptr<ArtifactDirectory> result(new ArtifactDirectory);
  SmallString<256> &dir = result->destination;
  dir = pathArg;
  if (std::error_code ec = fs::make_absolute(dir)) {
    error = (pathArg + ": " + ec.message()).str();
    return nullptr;
  }
  path::remove_dots(dir, /*remove_dot_dot=*/true);
  while (dir.size() > 1 && path::is_separator(dir.back()))
    dir.pop_back();
  if (path::parent_path(dir).empty()) {
    error = (pathArg + " is the root directory; choose another -o").str();
    return nullptr;
  }
  if (failed(checkDestination(dir, force, error)))
    return nullptr;

  if (std::error_code ec = fs::create_directories(path::parent_path(dir))) {
    error =
        ("cannot create " + path::parent_path(dir) + ": " + ec.message()).str();
    return nullptr;
  }
  removeStaleStaging(dir);
  result->staging = dir;
  result->staging += kStagingInfix;
  result->staging += std::to_string(llvm::sys::Process::getProcessId());
  fs::remove_directories(result->staging);
  if (std::error_code ec = fs::create_directory(result->staging)) {
    error = ("cannot create " + result->staging + ": " + ec.message()).str();
    return nullptr;
  }
  armSignalCleanup(result->staging);
  return result;
}

ArtifactDirectory::~ArtifactDirectory() {
  if (installed || staging.empty())
    return;
  disarmSignalCleanup();
  fs::remove_directories(staging);
}

LogicalResult ArtifactDirectory::install(std::string &error) {
  fs::file_status status;
  bool exists =
      !fs::status(destination, status, /*follow=*/false) && fs::exists(status);
  // An absent destination or an empty directory: rename replaces it.
  if (!exists || (fs::is_directory(status) && isEmptyDirectory(destination))) {
    if (std::error_code ec = fs::rename(staging, destination)) {
      error = ("cannot create " + destination + ": " + ec.message()).str();
      return failure();
    }
    installed = true;
    disarmSignalCleanup();
    return success();
  }
  // An artifact (checked by create): swap the two directories in one step,
  // then remove the old artifact, now at the staging path.
  if (::renameat2(AT_FDCWD, staging.c_str(), AT_FDCWD, destination.c_str(),
                  RENAME_EXCHANGE) == 0) {
    disarmSignalCleanup();
    fs::remove_directories(staging);
    installed = true;
    return success();
  }
  // File systems without RENAME_EXCHANGE: move the old artifact aside.
  SmallString<256> aside(staging);
  aside += ".old";
  if (std::error_code ec = fs::rename(destination, aside)) {
    error =
        ("cannot move the existing " + destination + " aside: " + ec.message())
            .str();
    return failure();
  }
  if (std::error_code ec = fs::rename(staging, destination)) {
    error = ("cannot create " + destination + ": " + ec.message()).str();
    (void)fs::rename(aside, destination);
    return failure();
  }
  installed = true;
  disarmSignalCleanup();
  fs::remove_directories(aside);
  return success();
}

} // namespace glu
