//===- Compile.cpp - glu-t5 compile ---------------------------------------===//
//
// Emits the module to a temporary file, runs glu-compile (beside glu-t5
// unless --glu-compile says otherwise) on it, and records in the artifact
// what it was compiled from (t5.json: the config, the shapes, the entry
// points, the optimizer), which glu-t5 run checks checkpoints against.
//
//===----------------------------------------------------------------------===//

#include "Commands.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

using namespace glu::t5;
namespace cl = llvm::cl;

static cl::opt<std::string> outputDir("o", cl::Required,
                                      cl::desc("The artifact directory"),
                                      cl::value_desc("dir"),
                                      cl::sub(compileCommand()));
static cl::opt<std::string>
    gluCompile("glu-compile", cl::init(""),
               cl::desc("The glu-compile to run (default: beside glu-t5)"),
               cl::sub(compileCommand()));
static cl::list<std::string>
    compileOptions("compile-option",
                   cl::desc("An option for glu-compile (--no-fuse, "
                            "--chip=sm_90a, ...; glu-t5's own --target, "
                            "--pack-arguments and --block-size are passed on)"),
                   cl::sub(compileCommand()));
static cl::opt<bool> force("force", cl::init(false),
                           cl::desc("Replace an artifact glu-compile wrote"),
                           cl::sub(compileCommand()));

const char *glu::t5::programPath = "glu-t5";

/// glu-compile beside this program, else on PATH.
static std::string findGluCompile() {
  if (!gluCompile.empty())
    return gluCompile;
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

int glu::t5::compile() {
  llvm::Expected<ModuleRequest> request = readModuleRequest();
  if (!request)
    return failRequest(request.takeError());
  // The module is emitted for these: glu-compile must not differ.
  for (llvm::StringRef option : compileOptions)
    for (llvm::StringRef own : {"--target", "--pack-arguments", "--block-size"})
      if (option == own || option.starts_with((own + "=").str()))
        return fail("give " + own +
                        " to glu-t5 compile itself (the module "
                        "it emits depends on it), not as --compile-option",
                    UsageFailure);
  std::string compiler = findGluCompile();
  if (compiler.empty())
    return fail("cannot find glu-compile beside glu-t5 or on PATH; give "
                "--glu-compile");

  llvm::SmallString<128> modulePath;
  if (std::error_code ec =
          llvm::sys::fs::createTemporaryFile("glu-t5", "mlir", modulePath))
    return fail("cannot create a temporary file: " + ec.message());
  llvm::FileRemover removeModule(modulePath);
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(modulePath, ec);
    if (ec)
      return fail("cannot write " + modulePath + ": " + ec.message());
    if (llvm::Error err = printModule(*request, os))
      return fail(llvm::toString(std::move(err)));
  }

  // glu-compile replaces only what it wrote: the record is held in memory
  // while it runs, and written back if it fails.
  llvm::SmallString<256> recordPath(outputDir);
  llvm::sys::path::append(recordPath, kArtifactRecord);
  std::unique_ptr<llvm::MemoryBuffer> previous;
  if (force && llvm::sys::fs::exists(recordPath)) {
    auto text = llvm::MemoryBuffer::getFile(recordPath);
    if (!text)
      return fail("cannot read " + recordPath + ": " +
                  text.getError().message());
    previous = std::move(*text);
    if (std::error_code ec = llvm::sys::fs::remove(recordPath))
      return fail("cannot replace " + recordPath + ": " + ec.message());
  }

  std::vector<llvm::StringRef> args = {compiler, modulePath, "-o", outputDir};
  if (force)
    args.push_back("--force");
  std::string targetOption = "--target=" + request->target;
  std::string blockOption =
      "--block-size=" + std::to_string(request->blockSize);
  args.push_back(targetOption);
  args.push_back(blockOption);
  if (request->packArguments)
    args.push_back("--pack-arguments");
  for (const std::string &option : compileOptions)
    args.push_back(option);
  std::string error;
  int status =
      llvm::sys::ExecuteAndWait(compiler, args, std::nullopt, {}, 0, 0, &error);
  if (status != 0) {
    if (previous) {
      std::error_code ec;
      llvm::raw_fd_ostream os(recordPath, ec);
      if (!ec)
        os << previous->getBuffer();
    }
    return fail("glu-compile failed" +
                (error.empty()
                     ? llvm::Twine(" (exit status ") + llvm::Twine(status) + ")"
                     : llvm::Twine(": ") + error));
  }

  // What the artifact was compiled from.
  llvm::Expected<llvm::json::Value> config =
      llvm::json::parse(request->configJson);
  if (!config)
    return fail(llvm::toString(config.takeError()));
  llvm::json::Object record{
      {"format", "glu-t5"},
      {"version", 1},
      {"config", std::move(*config)},
      {"batch", request->shapes.batch},
      {"source_length", request->shapes.sourceLength},
      {"target_length", request->shapes.targetLength},
      {"max_decode_length", request->shapes.maxDecodeLength},
      {"entries", request->entries},
      {"optimizer", request->optimizerName},
      {"target", request->target},
      {"pack_arguments", request->packArguments},
      {"block_size", request->blockSize}};
  std::error_code ec;
  llvm::raw_fd_ostream os(recordPath, ec);
  if (ec)
    return fail("cannot write " + recordPath + ": " + ec.message());
  os << llvm::formatv("{0:2}", llvm::json::Value(std::move(record))) << "\n";
  return Success;
}
