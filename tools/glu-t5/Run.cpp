//===- Run.cpp - glu-t5 run -----------------------------------------------===//
//
//   glu-t5 run ARTIFACT --checkpoint DIR --entry NAME
//          [--input NAME=FILE.npy]... [--steps N] [--output-dir DIR]
//          [--save-checkpoint DIR] [--device cpu|cuda|auto]
//
// Loads a glu-t5 artifact and a Hugging Face checkpoint of the config it
// was compiled for (t5.json; any difference is an error naming the field),
// binds every parameter argument from the checkpoint (transposed, packed),
// the optimizer state of a train_step to zeros and the step to 0 unless
// --input gives them, and the other arguments from --input. Calls the entry
// point --steps times; results named as arguments (a train step's
// parameters and state) update those buffers in place. Writes the results
// as .npy and, with --save-checkpoint, the parameters in the checkpoint's
// format (unpacked, transposed back), atomically.
//
//===----------------------------------------------------------------------===//

#include "Commands.h"
#include "Session.h"

#include "glu/Npy.h"
#include "glu/Runtime.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <map>

using namespace glu;
using namespace glu::t5;
namespace cl = llvm::cl;

cl::SubCommand &glu::t5::runCommand() {
  static cl::SubCommand command(
      "run", "Run an entry point of a glu-t5 artifact on a Hugging Face "
             "checkpoint");
  return command;
}

static cl::opt<std::string> artifactDir(cl::Positional, cl::Required,
                                        cl::desc("<artifact dir>"),
                                        cl::sub(runCommand()));
static cl::opt<std::string>
    checkpointDir("checkpoint", cl::Required,
                  cl::desc("A Hugging Face checkpoint directory "
                           "(model.safetensors, config.json)"),
                  cl::value_desc("dir"), cl::sub(runCommand()));
static cl::opt<std::string> entryName("entry", cl::Required,
                                      cl::desc("The entry point to call"),
                                      cl::sub(runCommand()));
static cl::list<std::string> inputs("input",
                                    cl::desc("An argument from a .npy file"),
                                    cl::value_desc("name=file.npy"),
                                    cl::sub(runCommand()));
static cl::opt<int> steps("steps", cl::init(1),
                          cl::desc("Calls (a train step's updates chain)"),
                          cl::sub(runCommand()));
static cl::opt<std::string> outputDir("output-dir", cl::init(""),
                                      cl::desc("Write each result as .npy"),
                                      cl::sub(runCommand()));
static cl::opt<std::string>
    saveCheckpoint("save-checkpoint", cl::init(""),
                   cl::desc("Write the parameters after the calls as a "
                            "Hugging Face checkpoint"),
                   cl::sub(runCommand()));
static cl::opt<std::string> device("device", cl::init("auto"),
                                   cl::desc("cpu, cuda or auto"),
                                   cl::sub(runCommand()));

static int runChecked() {
  if (steps < 1)
    throw Error("--steps must be positive");
  Session session(artifactDir, checkpointDir, device);
  const EntryPoint &entry = session.entry(entryName);
  std::vector<Buffer> args = session.bind(entry, readInputs(session, inputs));
  std::vector<Buffer> results = session.resultsFor(entry, args);
  for (int step = 0; step < steps; ++step) {
    double ms = session.call(entry, args, results);
    llvm::outs() << llvm::formatv("{0} {1}/{2}: {3:F3} ms", entry.name,
                                  step + 1, steps, ms);
    for (size_t i = 0; i < entry.results.size(); ++i)
      if (entry.results[i].name == "loss")
        llvm::outs() << llvm::formatv(", loss {0:F6}",
                                      results[i].read<float>()[0]);
    llvm::outs() << "\n";
  }

  if (!outputDir.empty()) {
    if (std::error_code ec = llvm::sys::fs::create_directories(outputDir))
      throw Error("cannot create " + outputDir + ": " + ec.message());
    for (size_t i = 0; i < entry.results.size(); ++i) {
      const TensorSpec &spec = entry.results[i];
      std::vector<uint8_t> bytes(spec.type.numBytes());
      results[i].download(bytes.data(), bytes.size());
      writeNpy(outputDir + "/" + spec.name + ".npy", spec.type, bytes.data(),
               bytes.size());
    }
  }

  if (!saveCheckpoint.empty())
    session.writeCheckpoint(saveCheckpoint, entry, args, results);
  return Success;
}

int glu::t5::run() {
  try {
    return runChecked();
  } catch (const Error &error) {
    return fail(error.what());
  }
}
