//===- Session.cpp - a glu-t5 artifact bound to a checkpoint --------------===//

#include "Session.h"
#include "Commands.h"

#include "glu/Npy.h"
#include "glu/PackedWeights.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

using namespace glu;
using namespace glu::t5;

namespace {
/// What glu-t5 compile recorded in the artifact.
struct ArtifactRecord {
  T5Config config;
  T5Shapes shapes;
};
} // namespace

static ArtifactRecord readRecord(const std::string &dir) {
  llvm::SmallString<256> path(dir);
  llvm::sys::path::append(path, kArtifactRecord);
  std::string where = path.str().str();
  auto text = llvm::MemoryBuffer::getFile(path);
  if (!text)
    throw Error("cannot read " + where + ": " + text.getError().message() +
                " (compile the artifact with glu-t5 compile)");
  llvm::Expected<llvm::json::Value> json =
      llvm::json::parse((*text)->getBuffer());
  if (!json)
    throw Error(where +
                ": not valid JSON: " + llvm::toString(json.takeError()));
  const llvm::json::Object *object = json->getAsObject();
  const llvm::json::Value *config = object ? object->get("config") : nullptr;
  if (!config)
    throw Error(where + ": not a glu-t5 record (no 'config' object)");
  std::string configText;
  llvm::raw_string_ostream(configText) << *config;
  llvm::Expected<T5Config> parsed =
      parseT5Config(configText, where + " (config)");
  if (!parsed)
    throw Error(llvm::toString(parsed.takeError()));
  ArtifactRecord record{*parsed, T5Shapes()};
  for (auto [key, out] :
       {std::pair<const char *, int64_t *>{"batch", &record.shapes.batch},
        {"source_length", &record.shapes.sourceLength},
        {"target_length", &record.shapes.targetLength},
        {"max_decode_length", &record.shapes.maxDecodeLength}}) {
    std::optional<int64_t> value = object->getInteger(key);
    if (!value || *value < 1)
      throw Error(where + ": '" + key + "' must be a positive integer");
    *out = *value;
  }
  return record;
}

Device glu::t5::concreteDevice(const std::string &name) {
  Device device = parseDevice(name);
  if (device == Device::Auto)
    device = cudaAvailable() ? Device::Cuda : Device::Cpu;
  return device;
}

std::string glu::t5::cachedArtifactOrThrow(const ModuleRequest &request,
                                           const std::string &cacheOption,
                                           llvm::raw_ostream &log) {
  llvm::Expected<std::string> artifact = cachedArtifact(
      request, {}, cacheOption.empty() ? defaultCacheDir() : cacheOption, log);
  if (!artifact)
    throw Error(llvm::toString(artifact.takeError()));
  return *artifact;
}

std::string glu::t5::checkpointTokenizerPath(const std::string &dir,
                                             const std::string &option) {
  if (!option.empty())
    return option;
  std::string path = dir + "/spiece.model";
  if (!llvm::sys::fs::exists(path))
    throw Error(dir + " has no spiece.model: give --tokenizer");
  return path;
}

bool glu::t5::startsAtZero(const std::string &name) {
  llvm::StringRef n(name);
  return n == "step" || n.ends_with(".exp_avg") || n.ends_with(".exp_avg_sq") ||
         n.ends_with(".exp_avg_sq_row") || n.ends_with(".exp_avg_sq_col") ||
         n.starts_with("self_key.") || n.starts_with("self_value.");
}

Session::Session(const std::string &artifactDir,
                 const std::string &checkpointDir, const std::string &device)
    : runtime_(parseDevice(device)) {
  ArtifactRecord record = readRecord(artifactDir);
  config_ = record.config;
  shapes_ = record.shapes;
  std::string configPath = checkpointConfigPath(checkpointDir);
  auto configText = llvm::MemoryBuffer::getFile(configPath);
  if (!configText)
    throw Error("cannot read " + configPath + ": " +
                configText.getError().message());
  configJson_ = (*configText)->getBuffer().str();
  llvm::Expected<T5Config> ckptConfig = parseT5Config(configJson_, configPath);
  if (!ckptConfig)
    throw Error(llvm::toString(ckptConfig.takeError()));
  std::string difference = compareConfigs(*ckptConfig, config_);
  if (!difference.empty())
    throw Error(checkpointDir + " does not fit " + artifactDir + ": " +
                difference);
  checkpoint_ = T5Checkpoint::open(checkpointDir, config_);
  artifact_ = runtime_.load(artifactDir);
}

std::vector<Buffer> Session::bind(const EntryPoint &entry,
                                  const std::map<std::string, Buffer> &given) {
  std::vector<Buffer> args;
  for (const TensorSpec &spec : entry.arguments) {
    auto it = given.find(spec.name);
    if (it != given.end()) {
      if (it->second.type() != spec.type)
        throw Error("argument '" + spec.name + "' of '" + entry.name + "' is " +
                    spec.type.str() + ", given " + it->second.type().str());
      args.push_back(it->second);
      continue;
    }
    Buffer buffer =
        runtime_.allocate(spec.type, "argument '" + spec.name + "'");
    if (checkpoint_.holds(spec))
      checkpoint_.load(spec, buffer);
    else if (!startsAtZero(spec.name))
      throw Error("argument '" + spec.name + "' of '" + entry.name +
                  "' is not a parameter: give it with --input " + spec.name +
                  "=FILE.npy");
    args.push_back(buffer);
  }
  for (const auto &[name, buffer] : given) {
    bool found = false;
    for (const TensorSpec &spec : entry.arguments)
      found |= spec.name == name;
    if (!found)
      throw Error("--input " + name + ": '" + entry.name +
                  "' has no argument of that name");
  }
  return args;
}

std::vector<Buffer> Session::resultsFor(const EntryPoint &entry,
                                        const std::vector<Buffer> &args) {
  std::vector<Buffer> results;
  for (size_t i = 0; i < entry.results.size(); ++i) {
    const TensorSpec &spec = entry.results[i];
    Buffer bound;
    for (size_t j = 0; j < entry.arguments.size(); ++j)
      if (entry.arguments[j].name == spec.name &&
          entry.arguments[j].type == spec.type)
        bound = args[j];
    results.push_back(bound ? bound : artifact_.allocateResult(entry.name, i));
  }
  return results;
}

double Session::call(const EntryPoint &entry, const std::vector<Buffer> &args,
                     std::vector<Buffer> &results) {
  std::vector<const Buffer *> argPointers;
  for (const Buffer &b : args)
    argPointers.push_back(&b);
  std::vector<Buffer *> resultPointers;
  for (Buffer &b : results)
    resultPointers.push_back(&b);
  double ms = 0;
  artifact_.call(entry.name, argPointers, resultPointers, &ms);
  return ms;
}

void Session::writeCheckpoint(const std::string &dir, const EntryPoint &entry,
                              const std::vector<Buffer> &args,
                              const std::vector<Buffer> &results) {
  // Each parameter from its latest buffer: a result, else the argument
  // (in place, these are the same), else the checkpoint.
  std::map<std::string, std::pair<const TensorSpec *, Buffer>> latest;
  for (size_t j = 0; j < entry.arguments.size(); ++j)
    latest[entry.arguments[j].name] = {&entry.arguments[j], args[j]};
  // A result named as a packed argument is its update: packed alike (the
  // manifest records the layout on the argument).
  for (size_t i = 0; i < entry.results.size(); ++i) {
    auto &slot = latest[entry.results[i].name];
    if (!slot.first || !slot.first->packed)
      slot.first = &entry.results[i];
    slot.second = results[i];
  }
  writeT5Checkpoint(
      dir, config_, configJson_, [&](const std::string &name, float *dst) {
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
          std::vector<float> gate(packed.size() / 2), linear(packed.size() / 2);
          unpackGatedColumns(*spec.packed, spec.type, packed.data(),
                             gate.data(), linear.data());
          const std::vector<float> &half =
              spec.packed->gateName == name ? gate : linear;
          std::copy(half.begin(), half.end(), dst);
          return;
        }
        checkpoint_.read(name, dst);
      });
}

Buffer &Session::result(const EntryPoint &entry, std::vector<Buffer> &results,
                        const std::string &name) {
  for (size_t i = 0; i < entry.results.size(); ++i)
    if (entry.results[i].name == name)
      return results[i];
  throw Error("entry point '" + entry.name + "' has no result '" + name + "'");
}

std::map<std::string, Buffer>
glu::t5::readInputs(Session &session, const std::vector<std::string> &inputs) {
  std::map<std::string, Buffer> given;
  for (const std::string &input : inputs) {
    size_t eq = input.find('=');
    if (eq == std::string::npos || eq == 0)
      throw Error("--input '" + input + "' is not NAME=FILE.npy");
    NpyArray array = readNpy(input.substr(eq + 1));
    Buffer buffer = session.runtime().allocate(array.type, input.substr(0, eq));
    buffer.upload(array.data.data(), array.data.size());
    given[input.substr(0, eq)] = buffer;
  }
  return given;
}
