//===- Generate.cpp - glu-t5 generate -------------------------------------===//
//
//   glu-t5 generate ARTIFACT --checkpoint DIR --input input_ids=F.npy
//          --input attention_mask=F.npy [--max-new-tokens N]
//          [--output tokens.npy] [--output-logits logits.npy] [--ignore-eos]
//   glu-t5 generate --checkpoint DIR --prompt TEXT... [--tokenizer F]
//          [--max-new-tokens N] [--device D] [--cache DIR]
//
// Greedy decoding as Hugging Face's generate does it (do_sample=False,
// num_beams=1): encode once, the cross-attention keys and values once,
// then one decode_step a token, the argmax of its logits the next token; a
// sequence that has produced eos_token_id continues with pad_token_id,
// and decoding stops when every sequence has, or after --max-new-tokens
// (at most the artifact's max_decode_length). Writes the tokens
// [B, 1 + generated] (decoder_start_token_id first) and, if asked, each
// step's logits [B, generated, V].
//
// With --prompt (and no artifact), the prompts are text: encoded with the
// checkpoint's spiece.model (or --tokenizer; "<extra_id_N>" is sentinel
// N, as the model saw in span corruption), EOS appended, padded to the
// longest, decoded as a batch by encode and decode_step compiled for the
// checkpoint's config (cached, as glu-t5 train caches), and each prompt
// printed with the text generated for it.
//
//===----------------------------------------------------------------------===//

#include "Commands.h"
#include "Session.h"
#include "Tokenizer.h"

#include "glu/Npy.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>

using namespace glu;
using namespace glu::t5;
namespace cl = llvm::cl;

cl::SubCommand &glu::t5::generateCommand() {
  static cl::SubCommand command(
      "generate", "Greedy decoding with a glu-t5 artifact's decode_step");
  return command;
}

static cl::opt<std::string> artifactDir(cl::Positional, cl::Optional,
                                        cl::desc("<artifact dir>"),
                                        cl::sub(generateCommand()));
static cl::opt<std::string>
    checkpointDir("checkpoint", cl::Required,
                  cl::desc("A Hugging Face checkpoint directory"),
                  cl::value_desc("dir"), cl::sub(generateCommand()));
static cl::list<std::string>
    inputs("input", cl::desc("input_ids and attention_mask from .npy files"),
           cl::value_desc("name=file.npy"), cl::sub(generateCommand()));
static cl::opt<int64_t>
    maxNewTokens("max-new-tokens", cl::init(0),
                 cl::desc("Tokens to generate at most (0: the artifact's "
                          "max_decode_length)"),
                 cl::sub(generateCommand()));
static cl::opt<std::string> outputPath("output", cl::init(""),
                                       cl::desc("The tokens as .npy"),
                                       cl::sub(generateCommand()));
static cl::opt<std::string>
    logitsPath("output-logits", cl::init(""),
               cl::desc("Every step's logits as .npy [B, steps, V]"),
               cl::sub(generateCommand()));
static cl::opt<bool>
    ignoreEos("ignore-eos", cl::init(false),
              cl::desc("Generate --max-new-tokens tokens even after "
                       "eos_token_id (Hugging Face's min_new_tokens: for "
                       "benchmarks)"),
              cl::sub(generateCommand()));
static cl::opt<int> repeats(
    "repeats", cl::init(1),
    cl::desc("Decode the batch this many times and report the last (warm) "
             "time: for benchmarks"),
    cl::sub(generateCommand()));
static cl::opt<std::string> device("device", cl::init("auto"),
                                   cl::desc("cpu, cuda or auto"),
                                   cl::sub(generateCommand()));
static cl::list<std::string>
    prompts("prompt", cl::desc("A text prompt (one sequence of the batch)"),
            cl::value_desc("text"), cl::sub(generateCommand()));
static cl::opt<std::string>
    tokenizerPath("tokenizer", cl::init(""),
                  cl::desc("With --prompt: spiece.model (default: the "
                           "checkpoint's)"),
                  cl::value_desc("file"), cl::sub(generateCommand()));
static cl::opt<std::string>
    cacheDir("cache", cl::init(""),
             cl::desc("With --prompt: compiled artifacts (default: "
                      "$GLU_CACHE or ~/.cache/glu/t5)"),
             cl::value_desc("dir"), cl::sub(generateCommand()));

/// The prompts' ids (EOS appended, padded with 0 to the longest) and
/// mask, and an artifact of encode and decode_step for them.
struct PromptBatch {
  std::string artifact;
  std::vector<int32_t> ids, mask;
  int64_t length = 0;
};

static PromptBatch preparePrompts(const Tokenizer &tokenizer, Device dev) {
  PromptBatch batch;
  std::vector<std::vector<int32_t>> encoded;
  for (const std::string &prompt : prompts) {
    encoded.push_back(tokenizer.encode(prompt));
    encoded.back().push_back(tokenizer.eos());
    batch.length = std::max<int64_t>(batch.length, encoded.back().size());
  }
  // Lengths in steps of 16: a few artifacts serve any prompts.
  batch.length = (batch.length + 15) / 16 * 16;
  for (const std::vector<int32_t> &ids : encoded) {
    for (int64_t i = 0; i < batch.length; ++i) {
      bool real = i < static_cast<int64_t>(ids.size());
      batch.ids.push_back(real ? ids[i] : tokenizer.pad());
      batch.mask.push_back(real ? 1 : 0);
    }
  }
  std::string configPath = checkpointConfigPath(checkpointDir);
  auto text = llvm::MemoryBuffer::getFile(configPath);
  if (!text)
    throw Error("cannot read " + configPath + ": " + text.getError().message());
  T5Shapes shapes;
  shapes.batch = static_cast<int64_t>(prompts.size());
  shapes.sourceLength = batch.length;
  shapes.targetLength = 1;
  shapes.maxDecodeLength = maxNewTokens == 0 ? 32 : maxNewTokens.getValue();
  llvm::Expected<ModuleRequest> request =
      moduleRequestFor((*text)->getBuffer().str(), configPath, shapes,
                       "encode,decode_step", deviceName(dev));
  if (!request)
    throw Error(llvm::toString(request.takeError()));
  batch.artifact = cachedArtifactOrThrow(*request, cacheDir, llvm::errs());
  return batch;
}

static int generateChecked() {
  if (prompts.empty() == artifactDir.empty())
    throw Error(prompts.empty() ? "give an artifact (with --input) or --prompt"
                                : "give --prompt or an artifact, not both");
  std::optional<Tokenizer> tokenizer;
  std::optional<PromptBatch> promptBatch;
  Device dev = Device::Auto;
  if (!prompts.empty()) {
    if (!inputs.empty())
      throw Error("give --prompt or --input, not both");
    tokenizer.emplace(
        Tokenizer::load(checkpointTokenizerPath(checkpointDir, tokenizerPath)));
    dev = concreteDevice(device);
    promptBatch = preparePrompts(*tokenizer, dev);
  }
  Session session(promptBatch ? promptBatch->artifact : artifactDir.getValue(),
                  checkpointDir,
                  promptBatch ? std::string(deviceName(dev))
                              : device.getValue());
  const T5Config &config = session.config();
  int64_t batch = session.shapes().batch, vocab = config.vocabSize;
  int64_t limit = session.shapes().maxDecodeLength;
  int64_t steps = maxNewTokens == 0 ? limit : maxNewTokens;
  if (steps < 1 || steps > limit)
    throw Error("--max-new-tokens must be in [1, " + std::to_string(limit) +
                "] (the artifact's max_decode_length), got " +
                std::to_string(steps));
  std::map<std::string, Buffer> given = readInputs(session, inputs);
  if (promptBatch) {
    TensorType type{DType::I32, {batch, promptBatch->length}};
    Buffer ids = session.runtime().allocate(type, "input_ids");
    Buffer mask = session.runtime().allocate(type, "attention_mask");
    ids.upload(promptBatch->ids.data(), promptBatch->ids.size() * 4);
    mask.upload(promptBatch->mask.data(), promptBatch->mask.size() * 4);
    given["input_ids"] = ids;
    given["attention_mask"] = mask;
  }
  for (const char *name : {"input_ids", "attention_mask"})
    if (!given.count(name))
      throw Error(std::string("give --input ") + name + "=FILE.npy");

  if (repeats < 1)
    throw Error("--repeats must be positive");
  double encodeMs = 0, cacheMs = 0, stepsMs = 0;
  int64_t generated = 0;
  std::vector<std::vector<int32_t>> sequences;
  std::vector<float> allLogits;
  // Every entry point's arguments are bound once (the parameters read from
  // the checkpoint once); a repeat zeroes the self-attention caches.
  const EntryPoint &encode = session.entry("encode");
  std::vector<Buffer> encodeArgs = session.bind(encode, given);
  std::vector<Buffer> encoded = session.resultsFor(encode, encodeArgs);
  const EntryPoint &cache = session.entry("cross_attention_cache");
  std::vector<Buffer> cacheArgs =
      session.bind(cache, {{"encoder_output", encoded[0]}});
  std::vector<Buffer> crossCache = session.resultsFor(cache, cacheArgs);
  // decode_step's arguments: the caches, the mask, one token and the
  // position; the self-attention caches update in place.
  const EntryPoint &step = session.entry("decode_step");
  std::map<std::string, Buffer> stepGiven = {
      {"attention_mask", given.at("attention_mask")}};
  for (size_t i = 0; i < cache.results.size(); ++i)
    stepGiven[cache.results[i].name] = crossCache[i];
  Buffer tokenBuffer = session.runtime().allocate(
      TensorType{DType::I32, {batch}}, "decoder_input_ids");
  Buffer positionBuffer =
      session.runtime().allocate(TensorType{DType::I32, {}}, "position");
  stepGiven["decoder_input_ids"] = tokenBuffer;
  stepGiven["position"] = positionBuffer;
  std::vector<Buffer> args = session.bind(step, stepGiven);
  std::vector<Buffer> results = session.resultsFor(step, args);
  Buffer &logitsBuffer = Session::result(step, results, "logits");

  for (int repeat = 0; repeat < repeats; ++repeat) {
    generated = 0;
    sequences.clear();
    allLogits.clear();
    if (repeat > 0)
      for (size_t i = 0; i < step.arguments.size(); ++i)
        if (llvm::StringRef(step.arguments[i].name).starts_with("self_")) {
          std::vector<uint8_t> zeros(step.arguments[i].type.numBytes());
          args[i].upload(zeros.data(), zeros.size());
        }
    encodeMs = session.call(encode, encodeArgs, encoded);
    cacheMs = session.call(cache, cacheArgs, crossCache);
    stepsMs = 0;

    std::vector<int32_t> tokens(batch, config.decoderStartTokenId);
    sequences.assign(batch, std::vector<int32_t>{static_cast<int32_t>(
                                config.decoderStartTokenId)});
    std::vector<bool> finished(batch, false);
    for (int64_t t = 0; t < steps; ++t) {
      int32_t position = static_cast<int32_t>(t);
      tokenBuffer.upload(tokens.data(), tokens.size() * sizeof(int32_t));
      positionBuffer.upload(&position, sizeof(position));
      stepsMs += session.call(step, args, results);
      std::vector<float> logits = logitsBuffer.read<float>();
      if (!logitsPath.empty())
        allLogits.insert(allLogits.end(), logits.begin(), logits.end());
      bool all = true;
      for (int64_t b = 0; b < batch; ++b) {
        const float *row = logits.data() + b * vocab;
        int32_t next =
            static_cast<int32_t>(std::max_element(row, row + vocab) - row);
        if (finished[b])
          next = static_cast<int32_t>(config.padTokenId);
        finished[b] = finished[b] || (next == config.eosTokenId && !ignoreEos);
        all = all && finished[b];
        tokens[b] = next;
        sequences[b].push_back(next);
      }
      ++generated;
      if (all)
        break;
    }
  }

  llvm::outs() << llvm::formatv(
      "generated {0} tokens for {1} sequences in {2:F3} ms (encode {3:F3}, "
      "cross_attention_cache {4:F3}, decode_step {5:F3})\n",
      generated, batch, encodeMs + cacheMs + stepsMs, encodeMs, cacheMs,
      stepsMs);
  if (tokenizer) {
    for (size_t b = 0; b < sequences.size(); ++b) {
      llvm::ArrayRef<int32_t> generatedIds(sequences[b]);
      llvm::outs() << "prompt: " << prompts[b] << "\n"
                   << "output: " << tokenizer->decode(generatedIds.drop_front())
                   << "\n";
    }
    return Success;
  }
  std::vector<int32_t> flat;
  for (const std::vector<int32_t> &sequence : sequences) {
    for (int32_t token : sequence)
      llvm::outs() << token << " ";
    llvm::outs() << "\n";
    flat.insert(flat.end(), sequence.begin(), sequence.end());
  }
  if (!outputPath.empty())
    writeNpy(outputPath, TensorType{DType::I32, {batch, generated + 1}},
             flat.data(), flat.size() * sizeof(int32_t));
  if (!logitsPath.empty()) {
    // [steps, B, V] as produced, to [B, steps, V].
    std::vector<float> ordered(allLogits.size());
    for (int64_t t = 0; t < generated; ++t)
      for (int64_t b = 0; b < batch; ++b)
        std::copy_n(allLogits.data() + (t * batch + b) * vocab, vocab,
                    ordered.data() + (b * generated + t) * vocab);
    writeNpy(logitsPath, TensorType{DType::F32, {batch, generated, vocab}},
             ordered.data(), ordered.size() * sizeof(float));
  }
  return Success;
}

int glu::t5::generate() {
  try {
    return generateChecked();
  } catch (const Error &error) {
    return fail(error.what());
  }
}
