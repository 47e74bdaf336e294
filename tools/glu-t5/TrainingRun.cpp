//===- TrainingRun.cpp - a training run's directory -----------------------===//

#include "TrainingRun.h"

#include "glu/Types.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

using namespace glu;
using namespace glu::t5;

static const char *const kWholeCheckpointFiles[] = {
    "model.safetensors", "config.json", "optimizer.safetensors",
    "trainer_state.json"};

/// fsyncs `path` (a file or a directory); throws on failure.
static void syncPath(const std::string &path) {
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0)
    throw Error("cannot open " + path + ": " + std::strerror(errno));
  int status = ::fsync(fd);
  int savedErrno = errno;
  ::close(fd);
  if (status != 0)
    throw Error("cannot sync " + path + ": " + std::strerror(savedErrno));
}

std::string glu::t5::readTextFile(const std::string &path) {
  auto text = llvm::MemoryBuffer::getFile(path);
  if (!text)
    throw Error("cannot read " + path + ": " + text.getError().message());
  return (*text)->getBuffer().str();
}

void glu::t5::writeFileAtomically(const std::string &path,
                                  llvm::StringRef text) {
  std::string staging =
      llvm::formatv("{0}.tmp.{1}", path, static_cast<int64_t>(::getpid()));
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(staging, ec);
    if (ec)
      throw Error("cannot write " + staging + ": " + ec.message());
    os << text;
    os.close();
    if (os.has_error()) {
      llvm::sys::fs::remove(staging);
      throw Error("cannot write " + staging + ": " + os.error().message());
    }
  }
  syncPath(staging);
  if (std::error_code ec = llvm::sys::fs::rename(staging, path)) {
    llvm::sys::fs::remove(staging);
    throw Error("cannot replace " + path + ": " + ec.message());
  }
  syncPath(llvm::sys::path::parent_path(path).empty()
               ? "."
               : llvm::sys::path::parent_path(path).str());
}

llvm::json::Value TrainerState::toJson() const {
  return llvm::json::Object{{"step", step},
                            {"examples", examples},
                            {"seed", static_cast<int64_t>(seed)},
                            {"batch", batch},
                            {"source_length", sourceLength},
                            {"target_length", targetLength},
                            {"optimizer", optimizer},
                            {"warmup_steps", warmupSteps},
                            {"learning_rate", learningRate},
                            {"held_out", heldOut}};
}

TrainerState TrainerState::fromJson(llvm::StringRef text,
                                    llvm::StringRef origin) {
  llvm::Expected<llvm::json::Value> json = llvm::json::parse(text);
  if (!json)
    throw Error(origin.str() +
                ": not valid JSON: " + llvm::toString(json.takeError()));
  const llvm::json::Object *object = json->getAsObject();
  if (!object)
    throw Error(origin.str() + ": not a JSON object");
  TrainerState state;
  for (auto [key, out] :
       {std::pair<const char *, int64_t *>{"step", &state.step},
        {"examples", &state.examples},
        {"batch", &state.batch},
        {"source_length", &state.sourceLength},
        {"target_length", &state.targetLength},
        {"warmup_steps", &state.warmupSteps}}) {
    std::optional<int64_t> value = object->getInteger(key);
    if (!value || *value < 0)
      throw Error(origin.str() + ": '" + key +
                  "' must be a non-negative integer");
    *out = *value;
  }
  std::optional<int64_t> seed = object->getInteger("seed");
  std::optional<llvm::StringRef> optimizer = object->getString("optimizer");
  std::optional<double> learningRate = object->getNumber("learning_rate");
  std::optional<double> heldOut = object->getNumber("held_out");
  if (!seed || !optimizer || !learningRate || !heldOut)
    throw Error(origin.str() + ": needs 'seed', 'optimizer', "
                               "'learning_rate' and 'held_out'");
  state.seed = static_cast<uint64_t>(*seed);
  state.optimizer = optimizer->str();
  state.learningRate = *learningRate;
  state.heldOut = *heldOut;
  return state;
}

std::string TrainerState::differenceFrom(const TrainerState &other) const {
  auto differs = [](const char *option, const auto &mine, const auto &theirs) {
    std::string text;
    llvm::raw_string_ostream(text) << option << " is " << mine << " here but "
                                   << theirs << " in the checkpoint";
    return text;
  };
  if (seed != other.seed)
    return differs("--seed", seed, other.seed);
  if (batch != other.batch)
    return differs("--batch", batch, other.batch);
  if (sourceLength != other.sourceLength)
    return differs("--source-length", sourceLength, other.sourceLength);
  if (targetLength != other.targetLength)
    return differs("--target-length", targetLength, other.targetLength);
  if (optimizer != other.optimizer)
    return differs("--optimizer", optimizer, other.optimizer);
  if (warmupSteps != other.warmupSteps)
    return differs("--warmup-steps", warmupSteps, other.warmupSteps);
  if (learningRate != other.learningRate)
    return differs("--learning-rate", learningRate, other.learningRate);
  if (heldOut != other.heldOut)
    return differs("--held-out", heldOut, other.heldOut);
  return "";
}

std::string TrainingRun::file(llvm::StringRef name) const {
  llvm::SmallString<256> path(dir);
  llvm::sys::path::append(path, name);
  return path.str().str();
}

std::string TrainingRun::checkpointDir(int64_t step) const {
  return file(llvm::formatv("checkpoint-{0:D8}", step).str());
}

std::optional<std::string> TrainingRun::latest() const {
  std::string pointer = file("latest");
  if (!llvm::sys::fs::exists(pointer))
    return std::nullopt;
  auto text = llvm::MemoryBuffer::getFile(pointer);
  if (!text)
    throw Error("cannot read " + pointer + ": " + text.getError().message());
  llvm::StringRef name = (*text)->getBuffer().trim();
  if (!name.starts_with("checkpoint-") || name.contains('/'))
    throw Error(pointer + " does not name a checkpoint ('" + name.str() + "')");
  std::string checkpoint = file(name);
  for (const char *part : kWholeCheckpointFiles) {
    llvm::SmallString<256> path(checkpoint);
    llvm::sys::path::append(path, part);
    if (!llvm::sys::fs::exists(path))
      throw Error(checkpoint + " is not a whole checkpoint: no " + part);
  }
  return checkpoint;
}

void TrainingRun::writeCheckpoint(
    int64_t step, const std::function<void(const std::string &)> &contents,
    int keep) {
  std::string target = checkpointDir(step);
  std::string staging = llvm::formatv("{0}.partial.{1}", target,
                                      static_cast<int64_t>(::getpid()));
  llvm::sys::fs::remove_directories(staging);
  if (std::error_code ec = llvm::sys::fs::create_directories(staging))
    throw Error("cannot create " + staging + ": " + ec.message());
  try {
    contents(staging);
    for (const char *part : kWholeCheckpointFiles) {
      llvm::SmallString<256> path(staging);
      llvm::sys::path::append(path, part);
      if (!llvm::sys::fs::exists(path))
        throw Error("internal error: the checkpoint has no " +
                    std::string(part));
    }
    syncPath(staging);
  } catch (...) {
    llvm::sys::fs::remove_directories(staging);
    throw;
  }
  // A checkpoint of the same step (a resumed run writing it again) is
  // moved aside first: `latest` may name it until the new one is in place.
  std::string previous;
  if (llvm::sys::fs::exists(target)) {
    previous = target + ".old";
    llvm::sys::fs::remove_directories(previous);
    if (std::error_code ec = llvm::sys::fs::rename(target, previous))
      throw Error("cannot move " + target + " aside: " + ec.message());
  }
  if (std::error_code ec = llvm::sys::fs::rename(staging, target))
    throw Error("cannot move " + staging + " to " + target + ": " +
                ec.message());
  syncPath(dir);
  writeFileAtomically(file("latest"),
                      llvm::sys::path::filename(target).str() + "\n");
  if (!previous.empty())
    llvm::sys::fs::remove_directories(previous);

  // Older checkpoints beyond the newest `keep`.
  std::vector<std::string> names;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(dir, ec), end; it != end && !ec;
       it.increment(ec)) {
    llvm::StringRef name = llvm::sys::path::filename(it->path());
    llvm::StringRef digits = name;
    if (digits.consume_front("checkpoint-") && digits.size() == 8 &&
        llvm::all_of(digits, [](char c) { return llvm::isDigit(c); }))
      names.push_back(name.str());
  }
  llvm::sort(names);
  for (size_t i = 0; keep > 0 && i + keep < names.size(); ++i)
    llvm::sys::fs::remove_directories(file(names[i]));
}

void TrainingRun::log(const llvm::json::Object &record) {
  std::string path = file("train.jsonl");
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_Append);
  if (ec)
    throw Error("cannot append to " + path + ": " + ec.message());
  os << llvm::json::Value(llvm::json::Object(record)) << "\n";
}

void TrainingRun::truncateLog(int64_t step) {
  std::string path = file("train.jsonl");
  if (!llvm::sys::fs::exists(path))
    return;
  auto text = llvm::MemoryBuffer::getFile(path);
  if (!text)
    throw Error("cannot read " + path + ": " + text.getError().message());
  std::string kept;
  llvm::SmallVector<llvm::StringRef> lines;
  (*text)->getBuffer().split(lines, '\n', -1, /*KeepEmpty=*/false);
  for (llvm::StringRef line : lines) {
    llvm::Expected<llvm::json::Value> json = llvm::json::parse(line);
    if (!json) {
      llvm::consumeError(json.takeError());
      continue; // a line cut by a crash
    }
    const llvm::json::Object *object = json->getAsObject();
    std::optional<int64_t> at = object ? object->getInteger("step") : 0;
    if (at && *at > step)
      continue;
    kept += line.str() + "\n";
  }
  writeFileAtomically(path, kept);
}
