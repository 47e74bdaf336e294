//===- Train.cpp - glu-t5 train -------------------------------------------===//
//
//   glu-t5 train --config config.json --corpus FILE... --out RUN
//          [--steps N] [--batch B] [--source-length S] [--target-length T]
//          [--tokenizer spiece.model] [--seed N] [--held-out F]
//          [--optimizer adafactor|adamw] [--warmup-steps N]
//          [--learning-rate LR] [--eval-every N] [--eval-batches N]
//          [--checkpoint-every N] [--keep N] [--resume]
//          [--device cpu|cuda|auto] [--cache DIR]
//
// Pretrains a T5 of the config on the corpus with T5's span corruption:
// reads the documents and splits off the held-out ones (Corpus.h), loads
// the tokenizer or trains one on the training split (vocab_size - 100
// pieces and 100 sentinels), compiles train_step and loss for the device
// (or reuses the cached artifact), binds the parameters once and calls
// the train step in a loop, the next batch made while the step runs.
// Every step is a line of RUN/train.jsonl; every --eval-every steps and
// at the end the held-out log-perplexity is printed and logged; every
// --checkpoint-every steps and at the end a checkpoint is written
// (TrainingRun.h). --resume continues RUN from its latest checkpoint with
// the same parameters, optimizer state, step and data position: the same
// losses as a run that was never stopped. Ctrl-C (SIGINT) or SIGTERM
// finishes the step, writes a checkpoint and exits with status 130.
//
//===----------------------------------------------------------------------===//

#include "Commands.h"
#include "Corpus.h"
#include "Evaluation.h"
#include "PretrainingData.h"
#include "Session.h"
#include "Tokenizer.h"
#include "TrainingProgress.h"
#include "TrainingRun.h"

#include "glu/Safetensors.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <future>

using namespace glu;
using namespace glu::t5;
namespace cl = llvm::cl;

cl::SubCommand &glu::t5::trainCommand() {
  static cl::SubCommand command(
      "train", "Pretrain a T5 of a config.json on plain text with T5's span "
               "corruption");
  return command;
}

static cl::list<std::string>
    corpus("corpus", cl::OneOrMore,
           cl::desc("Plain text files (blank lines separate documents)"),
           cl::value_desc("file"), cl::sub(trainCommand()));
static cl::opt<std::string> runDir("out", cl::Required,
                                   cl::desc("The run's directory"),
                                   cl::value_desc("dir"),
                                   cl::sub(trainCommand()));
static cl::opt<int64_t> steps("steps", cl::init(100),
                              cl::desc("Train steps in all (a resumed run "
                                       "counts the ones before)"),
                              cl::sub(trainCommand()));
static cl::opt<std::string>
    tokenizerPath("tokenizer", cl::init(""),
                  cl::desc("A SentencePiece spiece.model (default: train "
                           "one of vocab_size - 100 pieces on the corpus)"),
                  cl::value_desc("file"), cl::sub(trainCommand()));
static cl::opt<uint64_t> seed("seed", cl::init(0),
                              cl::desc("Seeds the initialization and the "
                                       "data order and noise"),
                              cl::sub(trainCommand()));
static cl::opt<double>
    heldOut("held-out", cl::init(0.02),
            cl::desc("The fraction of documents held out for evaluation"),
            cl::sub(trainCommand()));
static cl::opt<double>
    learningRate("learning-rate", cl::init(1e-3),
                 cl::desc("AdamW's constant learning rate (Adafactor's "
                          "follows --warmup-steps)"),
                 cl::sub(trainCommand()));
static cl::opt<int64_t>
    evalEvery("eval-every", cl::init(100),
              cl::desc("Steps between held-out evaluations (0: only at the "
                       "end)"),
              cl::sub(trainCommand()));
static cl::opt<int64_t>
    evalBatches("eval-batches", cl::init(8),
                cl::desc("Held-out batches an evaluation reads (0: all)"),
                cl::sub(trainCommand()));
static cl::opt<int64_t>
    checkpointEvery("checkpoint-every", cl::init(0),
                    cl::desc("Steps between checkpoints (0: only at the end)"),
                    cl::sub(trainCommand()));
static cl::opt<int> keep("keep", cl::init(2),
                         cl::desc("Checkpoints kept (0: all)"),
                         cl::sub(trainCommand()));
static cl::opt<int64_t> logEvery("log-every", cl::init(10),
                                 cl::desc("Steps between progress lines when "
                                          "not on a terminal"),
                                 cl::sub(trainCommand()));
static cl::opt<bool> resume("resume", cl::init(false),
                            cl::desc("Continue the run in --out from its "
                                     "latest checkpoint"),
                            cl::sub(trainCommand()));
static cl::opt<std::string> device("device", cl::init("auto"),
                                   cl::desc("cpu, cuda or auto"),
                                   cl::sub(trainCommand()));
static cl::opt<bool>
    compileOnly("compile-only", cl::init(false),
                cl::desc("Compile the artifact into the cache and stop "
                         "(nothing is written to --out)"),
                cl::sub(trainCommand()));
static cl::opt<std::string>
    cacheDir("cache", cl::init(""),
             cl::desc("Compiled artifacts, reused across runs (default: "
                      "$GLU_CACHE or ~/.cache/glu/t5)"),
             cl::value_desc("dir"), cl::sub(trainCommand()));

/// Set by SIGINT and SIGTERM; the loop stops after the step.
static std::atomic<int> stopSignal{0};

extern "C" void glu_t5_stop(int signal) { stopSignal = signal; }

/// Writes the optimizer state and the step of `entry` (the arguments
/// startsAtZero names, after the calls) to `path`.
static void writeOptimizerState(const std::string &path,
                                const EntryPoint &entry,
                                const std::vector<Buffer> &args) {
  std::vector<std::vector<uint8_t>> bytes;
  std::vector<SafetensorsEntry> tensors;
  bytes.reserve(entry.arguments.size());
  for (size_t i = 0; i < entry.arguments.size(); ++i) {
    const TensorSpec &spec = entry.arguments[i];
    if (!startsAtZero(spec.name))
      continue;
    std::vector<uint8_t> &data = bytes.emplace_back(spec.type.numBytes());
    args[i].download(data.data(), data.size());
    tensors.push_back({spec.name, spec.type, data.data()});
  }
  writeSafetensors(path, tensors, {{"format", "glu-t5 optimizer state"}});
}

/// The optimizer state of `entry` from `path`, by name; every one must be
/// there with the artifact's type.
static std::map<std::string, Buffer>
readOptimizerState(Session &session, const std::string &path,
                   const EntryPoint &entry) {
  SafetensorsFile file = SafetensorsFile::open(path);
  std::map<std::string, Buffer> state;
  for (const TensorSpec &spec : entry.arguments) {
    if (!startsAtZero(spec.name))
      continue;
    const SafetensorsTensor *tensor = file.find(spec.name);
    if (!tensor)
      throw Error(path + ": no optimizer state '" + spec.name +
                  "' (a checkpoint of another optimizer or layout)");
    if (tensor->type != spec.type)
      throw Error(path + ": optimizer state '" + spec.name + "' is " +
                  tensor->type.str() + ", the artifact's is " +
                  spec.type.str() + " (a checkpoint of another config)");
    Buffer buffer = session.runtime().allocate(spec.type, spec.name);
    buffer.upload(tensor->data, tensor->bytes);
    state[spec.name] = buffer;
  }
  return state;
}

static void copyFile(const std::string &from, const std::string &to) {
  writeFileAtomically(to, readTextFile(from));
}

static int trainChecked() {
  if (steps < 1)
    throw Error("--steps must be positive");
  if (!(heldOut >= 0 && heldOut < 1))
    throw Error("--held-out must be in [0, 1)");
  if (evalEvery < 0 || checkpointEvery < 0 || evalBatches < 0 || keep < 0)
    throw Error("--eval-every, --eval-batches, --checkpoint-every and "
                "--keep must not be negative");
  Device dev = concreteDevice(device);

  llvm::Expected<ModuleRequest> request =
      readModuleRequest(deviceName(dev), std::string("train_step,loss"));
  if (!request)
    throw Error(llvm::toString(request.takeError()));
  const T5Shapes &shapes = request->shapes;
  if (compileOnly) {
    cachedArtifactOrThrow(*request, cacheDir, llvm::outs());
    return Success;
  }

  TrainingRun run(runDir);
  TrainerState settings;
  settings.seed = seed;
  settings.batch = shapes.batch;
  settings.sourceLength = shapes.sourceLength;
  settings.targetLength = shapes.targetLength;
  settings.optimizer = request->optimizerName;
  settings.warmupSteps = request->options.adafactor.warmupSteps;
  settings.learningRate = learningRate;
  settings.heldOut = heldOut;

  std::optional<std::string> latest = run.latest();
  if (latest && !resume)
    throw Error(runDir + " holds a run (" +
                llvm::sys::path::filename(*latest).str() +
                "): give --resume to continue it, or another --out");
  if (!latest && resume)
    throw Error("--resume: " + runDir + " has no checkpoint to resume");
  TrainerState state = settings;
  if (latest) {
    std::string where = *latest + "/trainer_state.json";
    state = TrainerState::fromJson(readTextFile(where), where);
    std::string difference = settings.differenceFrom(state);
    if (!difference.empty())
      throw Error("cannot resume " + *latest + ": " + difference);
    llvm::Expected<T5Config> saved =
        readT5Config(checkpointConfigPath(*latest));
    if (!saved)
      throw Error(llvm::toString(saved.takeError()));
    std::string configDifference = compareConfigs(*saved, request->config);
    if (!configDifference.empty())
      throw Error("cannot resume " + *latest +
                  " with this --config: " + configDifference);
    if (state.step >= steps)
      throw Error(*latest + " is at step " + std::to_string(state.step) +
                  ": give --steps beyond it");
  }

  // The data.
  Corpus text = readCorpus(corpus, heldOut);
  llvm::outs() << llvm::formatv(
      "corpus: {0} documents for training, {1} held out ({2:F1} MB)\n",
      text.train.size(), text.heldOut.size(), text.bytes / 1e6);
  // A run keeps its tokenizer; a new one takes --tokenizer or trains one.
  // Nothing is written into --out before the data are known to be usable,
  // but for a tokenizer trained there.
  std::string spiece = run.file("spiece.model");
  std::string tokenizerSource = latest ? spiece : tokenizerPath.getValue();
  auto createRunDir = [&] {
    if (std::error_code ec = llvm::sys::fs::create_directories(runDir))
      throw Error("cannot create " + runDir + ": " + ec.message());
  };
  if (tokenizerSource.empty()) {
    int64_t pieces = request->config.vocabSize - Tokenizer::kDefaultExtraIds;
    llvm::outs() << "tokenizer: training SentencePiece (" << pieces
                 << " pieces + 100 sentinels) on the training split\n";
    llvm::outs().flush();
    createRunDir();
    Tokenizer::train(text.train, pieces, spiece);
    tokenizerSource = spiece;
  }
  Tokenizer tokenizer = Tokenizer::load(tokenizerSource);
  if (tokenizer.size() > request->config.vocabSize)
    throw Error(llvm::formatv("the tokenizer has {0} ids (with 100 "
                              "sentinels), more than the config's "
                              "vocab_size {1}",
                              tokenizer.size(), request->config.vocabSize)
                    .str());
  PretrainingData train = trainingExamples(tokenizer, text.train, shapes, seed);
  // The held-out examples are the same for every seed and run.
  std::optional<PretrainingData> held;
  int64_t heldBatches = 0;
  if (heldOut > 0) {
    held.emplace(heldOutExamples(tokenizer, text.heldOut, shapes));
    heldBatches = evaluationBatches(*held, shapes.batch, evalBatches);
  }
  llvm::outs() << llvm::formatv(
      "data: {0} training tokens, {1} examples an epoch ({2} tokens -> "
      "{3} inputs, {4} targets); held out: {5} batches\n",
      train.tokenCount(), train.examplesPerEpoch(), train.lengths().tokens,
      train.lengths().inputs, train.lengths().targets, heldBatches);

  if (!latest) {
    createRunDir();
    if (tokenizerSource != spiece)
      copyFile(tokenizerSource, spiece);
  }

  // The artifact and the parameters.
  std::string artifactDir =
      cachedArtifactOrThrow(*request, cacheDir, llvm::outs());
  bool fresh = !latest;
  if (fresh) {
    run.writeCheckpoint(
        0,
        [&](const std::string &dir) {
          writeInitialT5Checkpoint(dir, request->config, request->configJson,
                                   seed);
          copyFile(spiece, dir + "/spiece.model");
          writeSafetensors(dir + "/optimizer.safetensors", {},
                           {{"format", "glu-t5 optimizer state"}});
          writeFileAtomically(
              dir + "/trainer_state.json",
              llvm::formatv("{0:2}\n", settings.toJson()).str());
        },
        keep);
    latest = run.latest();
  }
  run.truncateLog(state.step);

  Session session(artifactDir, *latest, deviceName(dev));
  const EntryPoint &trainStep = session.entry("train_step");
  const EntryPoint &lossEntry = session.entry("loss");
  std::map<std::string, Buffer> given;
  if (state.step > 0)
    given = readOptimizerState(session, *latest + "/optimizer.safetensors",
                               trainStep);
  TensorType source{DType::I32, {shapes.batch, shapes.sourceLength}};
  TensorType target{DType::I32, {shapes.batch, shapes.targetLength}};
  Buffer ids = session.runtime().allocate(source, "input_ids");
  Buffer mask = session.runtime().allocate(source, "attention_mask");
  Buffer labels = session.runtime().allocate(target, "labels");
  given["input_ids"] = ids;
  given["attention_mask"] = mask;
  given["labels"] = labels;
  Buffer rate;
  bool adamW = request->options.optimizer == OptimizerKind::AdamW;
  if (adamW) {
    rate =
        session.runtime().allocate(TensorType{DType::F32, {}}, "learning_rate");
    float value = static_cast<float>(learningRate);
    rate.upload(&value, sizeof(value));
    given["learning_rate"] = rate;
  }
  std::vector<Buffer> args = session.bind(trainStep, given);
  std::vector<Buffer> results = session.resultsFor(trainStep, args);
  std::map<std::string, Buffer> byName;
  for (size_t i = 0; i < trainStep.arguments.size(); ++i)
    byName[trainStep.arguments[i].name] = args[i];

  double unigram = 0;
  if (held) {
    unigram = unigramLogPerplexity(
        train, std::min<int64_t>(train.examplesPerEpoch(), 4096), *held,
        shapes.batch, heldBatches, request->config.vocabSize);
    llvm::outs() << llvm::formatv("unigram baseline: held-out "
                                  "log-perplexity {0:F3}\n",
                                  unigram);
  }
  if (fresh && held)
    run.log(llvm::json::Object{{"step", int64_t(0)},
                               {"device", deviceName(dev)},
                               {"unigram_log_perplexity", unigram}});

  TrainingProgress progress(state.step, steps, logEvery);
  auto evaluateNow = [&](int64_t step) {
    if (!held)
      return;
    auto start = std::chrono::steady_clock::now();
    Evaluation eval = evaluate(session, lossEntry, byName, *held, heldBatches);
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    progress.message(llvm::formatv(
        "step {0}: held-out log-perplexity {1:F4} ({2} target tokens, "
        "unigram {3:F3}; {4:F1} s)",
        step, eval.logPerplexity, eval.targetTokens, unigram, seconds));
    run.log(llvm::json::Object{{"step", step},
                               {"eval_log_perplexity", eval.logPerplexity},
                               {"eval_target_tokens", eval.targetTokens}});
  };
  int64_t examples = state.examples;
  auto checkpointNow = [&](int64_t step) {
    TrainerState saved = settings;
    saved.step = step;
    saved.examples = examples;
    run.writeCheckpoint(
        step,
        [&](const std::string &dir) {
          session.writeCheckpoint(dir, trainStep, args, results);
          copyFile(spiece, dir + "/spiece.model");
          writeOptimizerState(dir + "/optimizer.safetensors", trainStep, args);
          writeFileAtomically(dir + "/trainer_state.json",
                              llvm::formatv("{0:2}\n", saved.toJson()).str());
        },
        keep);
    progress.message("checkpoint: " + run.checkpointDir(step));
  };

  stopSignal = 0;
  std::signal(SIGINT, glu_t5_stop);
  std::signal(SIGTERM, glu_t5_stop);
  auto makeBatch = [&](int64_t first) {
    return std::async(std::launch::async, [&train, first, b = shapes.batch] {
      return train.batch(first, b);
    });
  };
  std::future<Batch> next = makeBatch(examples);
  int64_t step = state.step;
  while (step < steps && !stopSignal) {
    Batch batch = next.get();
    ids.upload(batch.inputIds.data(), batch.inputIds.size() * 4);
    mask.upload(batch.attentionMask.data(), batch.attentionMask.size() * 4);
    labels.upload(batch.labels.data(), batch.labels.size() * 4);
    examples += shapes.batch;
    if (step + 1 < steps)
      next = makeBatch(examples);
    auto start = std::chrono::steady_clock::now();
    session.call(trainStep, args, results);
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    ++step;
    double loss = Session::result(trainStep, results, "loss").read<float>()[0];
    llvm::json::Object record{
        {"step", step},
        {"loss", loss},
        {"ms", seconds * 1e3},
        {"examples", examples},
        {"tokens", batch.inputTokens + batch.targetTokens}};
    if (adamW)
      record["learning_rate"] = double(learningRate);
    else
      record["relative_step"] =
          1.0 /
          std::sqrt(double(std::max<int64_t>(step, settings.warmupSteps)));
    run.log(record);
    if (!std::isfinite(loss)) {
      progress.finish();
      throw Error(llvm::formatv("the loss is {0} at step {1}; the last "
                                "checkpoint is {2}",
                                loss, step, *run.latest())
                      .str());
    }
    progress.step(step, loss, batch.inputTokens + batch.targetTokens, seconds);
    if (evalEvery > 0 && step % evalEvery == 0 && step < steps)
      evaluateNow(step);
    if (checkpointEvery > 0 && step % checkpointEvery == 0 && step < steps)
      checkpointNow(step);
  }
  if (next.valid())
    next.wait();
  if (stopSignal) {
    progress.message(llvm::formatv("stopped by signal {0} after step {1}",
                                   stopSignal.load(), step));
    if (step > state.step)
      checkpointNow(step);
    progress.finish();
    return 130;
  }
  evaluateNow(step);
  checkpointNow(step);
  progress.finish();
  return Success;
}

int glu::t5::train() {
  try {
    return trainChecked();
  } catch (const Error &error) {
    return fail(error.what());
  }
}
