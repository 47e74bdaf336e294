//===- Commands.h - glu-t5's subcommands ------------------------*- C++ -*-===//
//
// glu-t5 emit | compile | run | init: each subcommand's options live beside its
// implementation; ModuleRequest is what emit and compile share (the config,
// the shapes, the entry points and the optimizer).
//
//===----------------------------------------------------------------------===//

#ifndef GLU_TOOLS_T5_COMMANDS_H
#define GLU_TOOLS_T5_COMMANDS_H

#include "T5Config.h"
#include "T5Model.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Error.h"

namespace glu::t5 {

/// The subcommands, built on first use (the options of each file name
/// them while static objects are constructed, in no fixed order).
llvm::cl::SubCommand &emitCommand();
llvm::cl::SubCommand &compileCommand();
llvm::cl::SubCommand &runCommand();
llvm::cl::SubCommand &initCommand();
llvm::cl::SubCommand &generateCommand();

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
llvm::Expected<ModuleRequest> readModuleRequest();
/// Reports readModuleRequest's error with its status.
int failRequest(llvm::Error error);
/// The artifact file recording what a glu-t5 artifact was compiled from.
constexpr const char *kArtifactRecord = "t5.json";
/// argv[0], to find glu-compile beside glu-t5.
extern const char *programPath;
/// The module, printed to `os`; fails if it does not verify.
llvm::Error printModule(const ModuleRequest &request, llvm::raw_ostream &os);

int emit();
int compile();
int run();
int init();
int generate();

} // namespace glu::t5

#endif // GLU_TOOLS_T5_COMMANDS_H
