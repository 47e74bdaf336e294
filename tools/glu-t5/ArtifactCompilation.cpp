//===- ArtifactCompilation.cpp - glu-t5's artifacts, compiled or cached ---===//
//
// compileArtifact emits the module of a request to a temporary file, runs
// glu-compile on it, and records in the artifact what it was compiled
// from (t5.json: the config, the shapes, the entry points, the optimizer),
// which the commands that run it check checkpoints against.
//
// cachedArtifact keeps artifacts in a cache directory under a key that
// changes whenever what glu-compile would produce can: the SHA-256 of the
// module's text (the config, shapes, entry points and optimizer settings
// are all in it), of glu-compile's executable and of the options, so a
// rebuilt compiler or another config never reuses a stale artifact. An
// artifact is compiled into a staging directory and renamed into place:
// an interrupted compile leaves no entry that looks whole.
//
//===----------------------------------------------------------------------===//

#include "Commands.h"

#include "glu/Sha256.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>

using namespace glu::t5;

const char *glu::t5::programPath = "glu-t5";

/// `explicitPath` if given, else glu-compile beside this program, else on
/// PATH; "" when there is none.
static std::string findGluCompile(llvm::StringRef explicitPath) {
  if (!explicitPath.empty())
    return explicitPath.str();
  std::string self = llvm::sys::fs::getMainExecutable(
      programPath, reinterpret_cast<void *>(&findGluCompile));
  llvm::SmallString<256> beside(llvm::sys::path::parent_path(self));
  llvm::sys::path::append(beside, "glu-compile");
  if (llvm::sys::fs::can_execute(beside))
    return beside.str().str();
  if (auto onPath = llvm::sys::findProgramByName("glu-compile"))
    return *onPath;
  return "";
}

static llvm::Error error(const llvm::Twine &message) {
  return llvm::createStringError(message);
}

/// The module of `request` as text; fails if it does not verify.
static llvm::Expected<std::string> moduleText(const ModuleRequest &request) {
  std::string text;
  llvm::raw_string_ostream os(text);
  if (llvm::Error err = printModule(request, os))
    return std::move(err);
  return text;
}

/// compileArtifact of the module printed as `text`.
static llvm::Error compileModule(const ModuleRequest &request,
                                 llvm::StringRef text,
                                 llvm::StringRef outputDir,
                                 llvm::ArrayRef<std::string> compileOptions,
                                 bool force, llvm::StringRef gluCompile) {
  std::string compiler = findGluCompile(gluCompile);
  if (compiler.empty())
    return error("cannot find glu-compile beside glu-t5 or on PATH; give "
                 "--glu-compile");

  llvm::SmallString<128> modulePath;
  if (std::error_code ec =
          llvm::sys::fs::createTemporaryFile("glu-t5", "mlir", modulePath))
    return error("cannot create a temporary file: " + ec.message());
  llvm::FileRemover removeModule(modulePath);
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(modulePath, ec);
    if (ec)
      return error("cannot write " + modulePath + ": " + ec.message());
    os << text;
  }

  // glu-compile replaces only what it wrote: the record is held in memory
  // while it runs, and written back if it fails.
  llvm::SmallString<256> recordPath(outputDir);
  llvm::sys::path::append(recordPath, kArtifactRecord);
  std::unique_ptr<llvm::MemoryBuffer> previous;
  if (force && llvm::sys::fs::exists(recordPath)) {
    auto text = llvm::MemoryBuffer::getFile(recordPath);
    if (!text)
      return error("cannot read " + recordPath + ": " +
                   text.getError().message());
    previous = std::move(*text);
    if (std::error_code ec = llvm::sys::fs::remove(recordPath))
      return error("cannot replace " + recordPath + ": " + ec.message());
  }

  std::vector<llvm::StringRef> args = {compiler, modulePath, "-o", outputDir};
  if (force)
    args.push_back("--force");
  std::string targetOption = "--target=" + request.target;
  std::string blockOption = "--block-size=" + std::to_string(request.blockSize);
  args.push_back(targetOption);
  args.push_back(blockOption);
  if (request.packArguments)
    args.push_back("--pack-arguments");
  for (const std::string &option : compileOptions)
    args.push_back(option);
  std::string message;
  int status = llvm::sys::ExecuteAndWait(compiler, args, std::nullopt, {}, 0, 0,
                                         &message);
  if (status != 0) {
    if (previous) {
      std::error_code ec;
      llvm::raw_fd_ostream os(recordPath, ec);
      if (!ec)
        os << previous->getBuffer();
    }
    return error("glu-compile failed" + (message.empty()
                                             ? llvm::Twine(" (exit status ") +
                                                   llvm::Twine(status) + ")"
                                             : llvm::Twine(": ") + message));
  }

  // What the artifact was compiled from.
  llvm::Expected<llvm::json::Value> config =
      llvm::json::parse(request.configJson);
  if (!config)
    return config.takeError();
  llvm::json::Object record{
      {"format", "glu-t5"},
      {"version", 1},
      {"config", std::move(*config)},
      {"batch", request.shapes.batch},
      {"source_length", request.shapes.sourceLength},
      {"target_length", request.shapes.targetLength},
      {"max_decode_length", request.shapes.maxDecodeLength},
      {"entries", request.entries},
      {"optimizer", request.optimizerName},
      {"warmup_steps", request.options.adafactor.warmupSteps},
      {"target", request.target},
      {"pack_arguments", request.packArguments},
      {"block_size", request.blockSize}};
  std::error_code ec;
  llvm::raw_fd_ostream os(recordPath, ec);
  if (ec)
    return error("cannot write " + recordPath + ": " + ec.message());
  os << llvm::formatv("{0:2}", llvm::json::Value(std::move(record))) << "\n";
  return llvm::Error::success();
}

llvm::Error glu::t5::compileArtifact(const ModuleRequest &request,
                                     llvm::StringRef outputDir,
                                     llvm::ArrayRef<std::string> compileOptions,
                                     bool force, llvm::StringRef gluCompile) {
  llvm::Expected<std::string> text = moduleText(request);
  if (!text)
    return text.takeError();
  return compileModule(request, *text, outputDir, compileOptions, force,
                       gluCompile);
}

std::string glu::t5::defaultCacheDir() {
  if (std::optional<std::string> own = llvm::sys::Process::GetEnv("GLU_CACHE"))
    return *own;
  llvm::SmallString<256> dir;
  if (std::optional<std::string> xdg =
          llvm::sys::Process::GetEnv("XDG_CACHE_HOME"))
    dir = *xdg;
  else if (std::optional<std::string> home = llvm::sys::Process::GetEnv("HOME"))
    llvm::sys::path::append(dir, *home, ".cache");
  else
    dir = ".cache";
  llvm::sys::path::append(dir, "glu", "t5");
  return dir.str().str();
}

llvm::Expected<std::string>
glu::t5::cachedArtifact(const ModuleRequest &request,
                        llvm::ArrayRef<std::string> compileOptions,
                        llvm::StringRef cacheDir, llvm::raw_ostream &log) {
  std::string compiler = findGluCompile("");
  if (compiler.empty())
    return error("cannot find glu-compile beside glu-t5 or on PATH");
  auto compilerBytes = llvm::MemoryBuffer::getFile(compiler);
  if (!compilerBytes)
    return error("cannot read " + compiler + ": " +
                 compilerBytes.getError().message());

  llvm::Expected<std::string> text = moduleText(request);
  if (!text)
    return text.takeError();
  glu::Sha256 key;
  auto add = [&](llvm::StringRef part) {
    uint64_t size = part.size();
    key.update(&size, sizeof(size));
    key.update(part.data(), part.size());
  };
  add(*text);
  add((*compilerBytes)->getBuffer());
  add(request.target);
  add(std::to_string(request.blockSize));
  add(request.packArguments ? "packed" : "unpacked");
  for (const std::string &option : compileOptions)
    add(option);
  std::string digest = key.hexDigest();

  llvm::SmallString<256> dir(cacheDir);
  llvm::sys::path::append(dir, digest.substr(0, 24));
  llvm::SmallString<256> record(dir);
  llvm::sys::path::append(record, kArtifactRecord);
  if (llvm::sys::fs::exists(record)) {
    log << "artifact: " << dir << " (cached)\n";
    return dir.str().str();
  }

  if (std::error_code ec = llvm::sys::fs::create_directories(cacheDir))
    return error("cannot create the artifact cache " + cacheDir + ": " +
                 ec.message());
  std::string staging =
      llvm::formatv("{0}.partial.{1}", dir, llvm::sys::Process::getProcessId());
  llvm::sys::fs::remove_directories(staging);
  log << "artifact: compiling " << request.entries << " into " << dir
      << " (once for this config and compiler)\n";
  log.flush();
  auto start = std::chrono::steady_clock::now();
  if (llvm::Error err = compileModule(request, *text, staging, compileOptions,
                                      /*force=*/false, compiler)) {
    llvm::sys::fs::remove_directories(staging);
    return std::move(err);
  }
  if (std::error_code ec = llvm::sys::fs::rename(staging, dir)) {
    // Another process may have put the same artifact there first.
    llvm::sys::fs::remove_directories(staging);
    if (!llvm::sys::fs::exists(record))
      return error("cannot move the artifact into " + dir + ": " +
                   ec.message());
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  log << llvm::formatv("artifact: compiled in {0:F0} s\n", seconds);
  return dir.str().str();
}
