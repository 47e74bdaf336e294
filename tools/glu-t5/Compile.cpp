//===- Compile.cpp - glu-t5 compile ---------------------------------------===//
//
// Compiles the module of the shared options into an artifact
// (compileArtifact, ArtifactCompilation.cpp): glu-compile beside glu-t5
// unless --glu-compile says otherwise, options passed on with
// --compile-option.
//
//===----------------------------------------------------------------------===//

#include "Commands.h"

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
  std::vector<std::string> options(compileOptions.begin(),
                                   compileOptions.end());
  if (llvm::Error err =
          compileArtifact(*request, outputDir, options, force, gluCompile))
    return fail(llvm::toString(std::move(err)));
  return Success;
}
