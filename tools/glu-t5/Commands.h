//===- Commands.h - glu-t5's subcommands ------------------------*- C++ -*-===//
//
// glu-t5's subcommands: each one's options live beside its implementation;
// ModuleRequest is what emit, compile and train share (the config, the
// shapes, the entry points and the optimizer).
//
//===----------------------------------------------------------------------===//

#ifndef GLU_TOOLS_T5_COMMANDS_H
#define GLU_TOOLS_T5_COMMANDS_H

#include "T5Config.h"
#include "T5Model.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>

namespace glu::t5 {

/// The subcommands, built on first use (the options of each file name
/// them while static objects are constructed, in no fixed order).
llvm::cl::SubCommand &emitCommand();
llvm::cl::SubCommand &compileCommand();
llvm::cl::SubCommand &runCommand();
llvm::cl::SubCommand &initCommand();
llvm::cl::SubCommand &generateCommand();
llvm::cl::SubCommand &trainCommand();
llvm::cl::SubCommand &evalCommand();
llvm::cl::SubCommand &corruptCommand();

/// Exit statuses: 1 for an error, 2 for a usage error.
enum ExitStatus { Success = 0, Failure = 1, UsageFailure = 2 };

/// Prints "glu-t5: error: <message>" and returns `status`.
int fail(const llvm::Twine &message, int status = Failure);

/// The module emit and compile build: from the shared options.
struct ModuleRequest {
  T5Config config;
  std::string configJson; // the config file's text
  T5Shapes shapes;
  T5ModuleOptions options;
  std::string optimizerName;
  std::string entries;
  std::string target; // glu-compile's --target
  bool packArguments; // glu-compile's --pack-arguments
  int64_t blockSize;  // the packed block size (the target's default)
};
/// Reads the shared options; a usage error's message starts "usage: ".
/// `target` and `entries`, when given, replace --target and --entries
/// (train's follow its device and what it calls).
llvm::Expected<ModuleRequest>
readModuleRequest(std::optional<std::string> target = std::nullopt,
                  std::optional<std::string> entries = std::nullopt);
/// The request for `entries` of a config (configJson read from `origin`)
/// at `shapes`, with the default optimizer settings.
llvm::Expected<ModuleRequest> moduleRequestFor(const std::string &configJson,
                                               llvm::StringRef origin,
                                               const T5Shapes &shapes,
                                               llvm::StringRef entries,
                                               llvm::StringRef target);
/// Reports readModuleRequest's error with its status.
int failRequest(llvm::Error error);
/// The artifact file recording what a glu-t5 artifact was compiled from.
constexpr const char *kArtifactRecord = "t5.json";
/// argv[0], to find glu-compile beside glu-t5.
extern const char *programPath;
/// The module, printed to `os`; fails if it does not verify.
llvm::Error printModule(const ModuleRequest &request, llvm::raw_ostream &os);

/// Compiles `request` into `outputDir` with glu-compile (`gluCompile`, else
/// the one beside glu-t5, else on PATH; `compileOptions` passed on) and
/// records what it was compiled from in kArtifactRecord. With `force`, an
/// artifact glu-compile wrote there is replaced.
llvm::Error compileArtifact(const ModuleRequest &request,
                            llvm::StringRef outputDir,
                            llvm::ArrayRef<std::string> compileOptions,
                            bool force, llvm::StringRef gluCompile = "");
/// The artifact of `request` in `cacheDir`, compiled there on first use
/// (a line on `log` says which); keyed by the module's text, glu-compile's
/// executable and the options.
llvm::Expected<std::string>
cachedArtifact(const ModuleRequest &request,
               llvm::ArrayRef<std::string> compileOptions,
               llvm::StringRef cacheDir, llvm::raw_ostream &log);
/// $GLU_CACHE, else $XDG_CACHE_HOME/glu/t5, else ~/.cache/glu/t5.
std::string defaultCacheDir();

int emit();
int compile();
int run();
int init();
int generate();
int train();
int evaluate();
int corrupt();

} // namespace glu::t5

#endif // GLU_TOOLS_T5_COMMANDS_H
