//===- Init.cpp - glu-t5 init ---------------------------------------------===//
//
//   glu-t5 init --config config.json -o DIR [--seed N]
//
// Writes a fresh checkpoint of the config in Hugging Face's format
// (writeInitialT5Checkpoint, checkpoint/InitialCheckpoint.cpp).
//
//===----------------------------------------------------------------------===//

#include "Commands.h"
#include "T5Checkpoint.h"

#include "llvm/Support/MemoryBuffer.h"

using namespace glu;
using namespace glu::t5;
namespace cl = llvm::cl;

cl::SubCommand &glu::t5::initCommand() {
  static cl::SubCommand command(
      "init", "Write a freshly initialized checkpoint of a config.json");
  return command;
}

static cl::opt<std::string> configPath("config", cl::Required,
                                       cl::desc("Hugging Face config.json"),
                                       cl::value_desc("file"),
                                       cl::sub(initCommand()));
static cl::opt<std::string> outputDir("o", cl::Required,
                                      cl::desc("The checkpoint directory"),
                                      cl::value_desc("dir"),
                                      cl::sub(initCommand()));
static cl::opt<uint64_t> seed("seed", cl::init(0),
                              cl::desc("The generator's seed"),
                              cl::sub(initCommand()));

int glu::t5::init() {
  llvm::Expected<T5Config> config = readT5Config(configPath);
  if (!config)
    return fail(llvm::toString(config.takeError()));
  auto text = llvm::MemoryBuffer::getFile(configPath);
  if (!text)
    return fail("cannot read " + configPath);
  try {
    writeInitialT5Checkpoint(outputDir, *config, (*text)->getBuffer().str(),
                             seed);
  } catch (const Error &error) {
    return fail(error.what());
  }
  return Success;
}
