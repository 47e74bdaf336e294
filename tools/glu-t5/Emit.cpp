//===- Emit.cpp - glu-t5 emit ---------------------------------------------===//

#include "Commands.h"

#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace glu::t5;
namespace cl = llvm::cl;

static cl::opt<std::string> outputPath("o", cl::init("-"),
                                       cl::desc("Output file"),
                                       cl::value_desc("file"),
                                       cl::sub(emitCommand()));

int glu::t5::emit() {
  llvm::Expected<ModuleRequest> request = readModuleRequest();
  if (!request)
    return failRequest(request.takeError());
  std::string error;
  auto output = mlir::openOutputFile(outputPath, &error);
  if (!output)
    return fail(error);
  if (llvm::Error err = printModule(*request, output->os()))
    return fail(llvm::toString(std::move(err)));
  output->keep();
  return Success;
}
