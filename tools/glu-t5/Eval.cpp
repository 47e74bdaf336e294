//===- Eval.cpp - glu-t5 eval ---------------------------------------------===//
//
//   glu-t5 eval --checkpoint DIR --corpus FILE... [--tokenizer spiece.model]
//          [--batch B] [--source-length S] [--target-length T]
//          [--held-out F] [--eval-batches N] [--device D] [--cache DIR]
//
// The held-out log-perplexity of a checkpoint (Evaluation.h): the corpus
// split as `glu-t5 train` splits it, the held-out documents span-corrupted
// as in training (the same examples for every checkpoint), the `loss`
// entry compiled for the checkpoint's config (or reused from the cache).
// The lengths, the batch and the held-out fraction default to those the
// checkpoint was trained with (its trainer_state.json), the tokenizer to
// its spiece.model.
//
//===----------------------------------------------------------------------===//

#include "Commands.h"
#include "Corpus.h"
#include "Evaluation.h"
#include "PretrainingData.h"
#include "Session.h"
#include "Tokenizer.h"
#include "TrainingRun.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

using namespace glu;
using namespace glu::t5;
namespace cl = llvm::cl;

cl::SubCommand &glu::t5::evalCommand() {
  static cl::SubCommand command(
      "eval", "The held-out log-perplexity of a checkpoint on a corpus");
  return command;
}

static cl::opt<std::string> checkpointDir("checkpoint", cl::Required,
                                          cl::desc("The checkpoint directory"),
                                          cl::value_desc("dir"),
                                          cl::sub(evalCommand()));
static cl::list<std::string> corpus("corpus", cl::OneOrMore,
                                    cl::desc("Plain text files"),
                                    cl::value_desc("file"),
                                    cl::sub(evalCommand()));
static cl::opt<std::string>
    tokenizerPath("tokenizer", cl::init(""),
                  cl::desc("spiece.model (default: the checkpoint's)"),
                  cl::value_desc("file"), cl::sub(evalCommand()));
static cl::opt<int64_t> batch("batch", cl::init(0),
                              cl::desc("Batch size (default: the training's)"),
                              cl::sub(evalCommand()));
static cl::opt<int64_t> sourceLength("source-length", cl::init(0),
                                     cl::desc("Encoder length (default: the "
                                              "training's)"),
                                     cl::sub(evalCommand()));
static cl::opt<int64_t> targetLength("target-length", cl::init(0),
                                     cl::desc("Decoder length (default: the "
                                              "training's)"),
                                     cl::sub(evalCommand()));
static cl::opt<double> heldOut("held-out", cl::init(-1),
                               cl::desc("The held-out fraction (default: the "
                                        "training's)"),
                               cl::sub(evalCommand()));
static cl::opt<int64_t> evalBatches("eval-batches", cl::init(0),
                                    cl::desc("Batches to read (0: all)"),
                                    cl::sub(evalCommand()));
static cl::opt<std::string> device("device", cl::init("auto"),
                                   cl::desc("cpu, cuda or auto"),
                                   cl::sub(evalCommand()));
static cl::opt<std::string> cacheDir("cache", cl::init(""),
                                     cl::desc("Compiled artifacts"),
                                     cl::value_desc("dir"),
                                     cl::sub(evalCommand()));

static int evaluateChecked() {
  // The training's settings, where the checkpoint records them.
  TrainerState trained;
  trained.batch = 8;
  trained.sourceLength = 128;
  trained.targetLength = 32;
  trained.heldOut = 0.02;
  std::string statePath = checkpointDir + "/trainer_state.json";
  if (llvm::sys::fs::exists(statePath))
    trained = TrainerState::fromJson(readTextFile(statePath), statePath);
  T5Shapes shapes;
  shapes.batch = batch ? batch.getValue() : trained.batch;
  shapes.sourceLength =
      sourceLength ? sourceLength.getValue() : trained.sourceLength;
  shapes.targetLength =
      targetLength ? targetLength.getValue() : trained.targetLength;
  double fraction = heldOut >= 0 ? heldOut.getValue() : trained.heldOut;
  if (!(fraction > 0 && fraction < 1))
    throw Error("--held-out must be in (0, 1)");

  Device dev = concreteDevice(device);
  std::string configPath = checkpointConfigPath(checkpointDir);
  llvm::Expected<ModuleRequest> request = moduleRequestFor(
      readTextFile(configPath), configPath, shapes, "loss", deviceName(dev));
  if (!request)
    throw Error(llvm::toString(request.takeError()));

  Tokenizer tokenizer =
      Tokenizer::load(checkpointTokenizerPath(checkpointDir, tokenizerPath));
  Corpus text = readCorpus(corpus, fraction);
  PretrainingData held = heldOutExamples(tokenizer, text.heldOut, shapes);
  PretrainingData train =
      trainingExamples(tokenizer, text.train, shapes, trained.seed);
  int64_t batches = evaluationBatches(held, shapes.batch, evalBatches);

  Session session(cachedArtifactOrThrow(*request, cacheDir, llvm::errs()),
                  checkpointDir, deviceName(dev));
  Evaluation eval = evaluate(session, session.entry("loss"), {}, held, batches);
  double unigram = unigramLogPerplexity(
      train, std::min<int64_t>(train.examplesPerEpoch(), 4096), held,
      shapes.batch, batches, request->config.vocabSize);
  llvm::outs() << llvm::formatv(
      "held-out log-perplexity {0:F4} over {1} target tokens ({2} batches "
      "of {3}); unigram baseline {4:F4}\n",
      eval.logPerplexity, eval.targetTokens, eval.batches, shapes.batch,
      unigram);
  return Success;
}

int glu::t5::evaluate() {
  try {
    return evaluateChecked();
  } catch (const Error &error) {
    return fail(error.what());
  }
}
