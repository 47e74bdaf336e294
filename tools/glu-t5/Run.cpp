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
#include "T5Checkpoint.h"

#include "glu/Npy.h"
#include "glu/PackedWeights.h"
#include "glu/Runtime.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
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

namespace {
/// What glu-t5 compile recorded in the artifact.
struct ArtifactRecord {
  T5Config config;
};
} // namespace

static ArtifactRecord readRecord(const std::string &dir) {
  llvm::SmallString<256> path(dir);
  llvm::sys::path::append(path, kArtifactRecord);
  auto text = llvm::MemoryBuffer::getFile(path);
  if (!text)
    throw Error("cannot read " + path.str().str() + ": " +
                text.getError().message() +
                " (compile the artifact with glu-t5 compile)");
  llvm::Expected<llvm::json::Value> json =
      llvm::json::parse((*text)->getBuffer());
  const llvm::json::Object *object = json ? json->getAsObject() : nullptr;
  const llvm::json::Value *config = object ? object->get("config") : nullptr;
  if (!config) {
    if (!json)
      llvm::consumeError(json.takeError());
    throw Error(path.str().str() +
                ": not a glu-t5 record (no 'config' object)");
  }
  std::string configText;
  llvm::raw_string_ostream(configText) << *config;
  llvm::Expected<T5Config> parsed =
      parseT5Config(configText, (path.str() + " (config)").str());
  if (!parsed)
    throw Error(llvm::toString(parsed.takeError()));
  return {*parsed};
}

/// Whether `name` is optimizer state or the step a fresh train step starts
/// from zeros.
static bool startsAtZero(const std::string &name) {
  llvm::StringRef n(name);
  return n == "step" || n.ends_with(".exp_avg") || n.ends_with(".exp_avg_sq") ||
         n.ends_with(".exp_avg_sq_row") || n.ends_with(".exp_avg_sq_col");
}

static int runChecked() {
  ArtifactRecord record = readRecord(artifactDir);
  llvm::Expected<T5Config> ckptConfig =
      readT5Config(checkpointConfigPath(checkpointDir));
  if (!ckptConfig)
    throw Error(llvm::toString(ckptConfig.takeError()));
  std::string difference = compareConfigs(*ckptConfig, record.config);
  if (!difference.empty())
    throw Error(checkpointDir + " does not fit " + artifactDir + ": " +
                difference);
  T5Checkpoint ckpt = T5Checkpoint::open(checkpointDir, record.config);
  if (steps < 1)
    throw Error("--steps must be positive");

  std::map<std::string, std::string> files;
  for (const std::string &input : inputs) {
    size_t eq = input.find('=');
    if (eq == std::string::npos || eq == 0)
      throw Error("--input '" + input + "' is not NAME=FILE.npy");
    files[input.substr(0, eq)] = input.substr(eq + 1);
  }

  Runtime runtime(glu::parseDevice(device));
  Artifact artifact = runtime.load(artifactDir);
  const EntryPoint &entry = artifact.entry(entryName);
  std::vector<Buffer> args;
  for (const TensorSpec &spec : entry.arguments) {
    Buffer buffer = runtime.allocate(spec.type, "argument '" + spec.name + "'");
    auto file = files.find(spec.name);
    if (file != files.end()) {
      NpyArray array = readNpy(file->second);
      if (array.type != spec.type)
        throw Error(file->second + " is " + array.type.str() +
                    " but argument '" + spec.name + "' of '" + entry.name +
                    "' is " + spec.type.str());
      buffer.upload(array.data.data(), array.data.size());
      files.erase(file);
    } else if (ckpt.holds(spec)) {
      ckpt.load(spec, buffer);
    } else if (!startsAtZero(spec.name)) {
      throw Error("argument '" + spec.name + "' of '" + entry.name +
                  "' is not a parameter: give it with --input " + spec.name +
                  "=FILE.npy");
    }
    args.push_back(buffer);
  }
  if (!files.empty())
    throw Error("--input " + files.begin()->first + ": '" + entry.name +
                "' has no argument of that name");

  // Results named as arguments update them in place.
  std::vector<Buffer> results;
  for (size_t i = 0; i < entry.results.size(); ++i) {
    const TensorSpec &spec = entry.results[i];
    Buffer bound;
    for (size_t j = 0; j < entry.arguments.size(); ++j)
      if (entry.arguments[j].name == spec.name &&
          entry.arguments[j].type == spec.type)
        bound = args[j];
    results.push_back(bound ? bound : artifact.allocateResult(entry.name, i));
  }
  std::vector<const Buffer *> argPointers;
  for (Buffer &b : args)
    argPointers.push_back(&b);
  std::vector<Buffer *> resultPointers;
  for (Buffer &b : results)
    resultPointers.push_back(&b);
  for (int step = 0; step < steps; ++step) {
    double ms = 0;
    artifact.call(entry.name, argPointers, resultPointers, &ms);
    llvm::outs() << llvm::formatv("{0} {1}/{2}: {3:F3} ms", entry.name,
                                  step + 1, steps, ms);
    for (size_t i = 0; i < entry.results.size(); ++i)
      if (entry.results[i].name == "loss") {
        float loss = results[i].read<float>()[0];
        llvm::outs() << llvm::formatv(", loss {0:F6}", loss);
      }
    llvm::outs() << "\n";
  }

  if (!outputDir.empty())
    for (size_t i = 0; i < entry.results.size(); ++i) {
      const TensorSpec &spec = entry.results[i];
      std::vector<uint8_t> bytes(spec.type.numBytes());
      results[i].download(bytes.data(), bytes.size());
      writeNpy(outputDir + "/" + spec.name + ".npy", spec.type, bytes.data(),
               bytes.size());
    }

  if (!saveCheckpoint.empty()) {
    // Each parameter from its latest buffer: a result, else the argument
    // (in place, these are the same), else the checkpoint.
    std::map<std::string, std::pair<const TensorSpec *, Buffer>> latest;
    for (size_t j = 0; j < entry.arguments.size(); ++j)
      latest[entry.arguments[j].name] = {&entry.arguments[j], args[j]};
    for (size_t i = 0; i < entry.results.size(); ++i)
      latest[entry.results[i].name] = {&entry.results[i], results[i]};
    auto configText =
        llvm::MemoryBuffer::getFile(checkpointConfigPath(checkpointDir));
    if (!configText)
      throw Error("cannot read " + checkpointConfigPath(checkpointDir));
    writeT5Checkpoint(
        saveCheckpoint, record.config, (*configText)->getBuffer().str(),
        [&](const std::string &name, float *dst) {
          auto it = latest.find(name);
          if (it != latest.end() && !it->second.first->packed) {
            it->second.second.download(dst, it->second.first->type.numBytes());
            return;
          }
          for (auto &[_, slot] : latest) {
            const TensorSpec &spec = *slot.first;
            if (!spec.packed || (spec.packed->gateName != name &&
                                 spec.packed->linearName != name))
              continue;
            std::vector<float> packed = slot.second.read<float>();
            std::vector<float> gate(packed.size() / 2),
                linear(packed.size() / 2);
            unpackGatedColumns(*spec.packed, spec.type, packed.data(),
                               gate.data(), linear.data());
            const std::vector<float> &half =
                spec.packed->gateName == name ? gate : linear;
            std::copy(half.begin(), half.end(), dst);
            return;
          }
          ckpt.read(name, dst);
        });
  }
  return Success;
}

int glu::t5::run() {
  try {
    return runChecked();
  } catch (const Error &error) {
    return fail(error.what());
  }
}
