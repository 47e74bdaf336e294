//===- Corrupt.cpp - glu-t5 corrupt ---------------------------------------===//
//
//   glu-t5 corrupt (--ids 5,6,7,... | --length N[,N...]) [--seed S]
//          [--count K] [--vocab-size V] [--noise-density 0.15]
//          [--mean-noise-span-length 3]
//   glu-t5 corrupt --tokenizer spiece.model --text TEXT [--seed S]
//          [--count K] [--noise-density D] [--mean-noise-span-length M]
//
// Shows what T5's span corruption (data/SpanCorruption.h) makes of some
// tokens: example i < K (default 1) is corrupted with the mask drawn from
// SplitMix64(exampleSeed(S, i)), as PretrainingData corrupts example i of a
// stream seeded S. Of ids (--ids, or the ids 3, 4, ... wrapping below V of
// each --length), one JSON object a line:
//
//   {"seed":S,"index":i,"example_seed":E,"length":N,"tokens":[...],
//    "noise":[0,1,...],"inputs":[...],"targets":[...]}
//
// with the sentinels V - 1, V - 2, ... and EOS 1. Of text, the inputs and
// targets decoded ("inputs:  ...", "targets: ...", a blank line between
// examples), the sentinels the tokenizer's.
//
// Hidden, for test/t5/tokenizer.test: --train-tokenizer OUT --corpus FILE...
// [--pieces N] trains a tokenizer on the corpus (data/Tokenizer.h);
// --tokenizer M --encode prints {"ids":[...],"text":"..."} for each line of
// stdin, its ids and their decoding.
//
//===----------------------------------------------------------------------===//

#include "Commands.h"
#include "Corpus.h"
#include "SpanCorruption.h"
#include "Tokenizer.h"

#include "glu/Types.h"

#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>

using namespace glu;
using namespace glu::t5;
namespace cl = llvm::cl;

cl::SubCommand &glu::t5::corruptCommand() {
  static cl::SubCommand command(
      "corrupt", "Show T5's span corruption of some ids or some text");
  return command;
}

static cl::list<int32_t> ids("ids", cl::CommaSeparated,
                             cl::desc("The ids to corrupt"),
                             cl::value_desc("id,id,..."),
                             cl::sub(corruptCommand()));
static cl::list<int64_t>
    lengths("length", cl::CommaSeparated,
            cl::desc("Corrupt the ids 3, 4, ... of each of these lengths"),
            cl::value_desc("n,n,..."), cl::sub(corruptCommand()));
static cl::opt<uint64_t> seed("seed", cl::init(0),
                              cl::desc("The stream's seed"),
                              cl::sub(corruptCommand()));
static cl::opt<int64_t> count("count", cl::init(1),
                              cl::desc("Examples 0 .. count - 1"),
                              cl::sub(corruptCommand()));
static cl::opt<int64_t>
    vocabSize("vocab-size", cl::init(32100),
              cl::desc("Sentinels count down from vocab-size - 1 (T5's "
                       "tokenizer: 32100)"),
              cl::sub(corruptCommand()));
static cl::opt<double> noiseDensity("noise-density", cl::init(0.15),
                                    cl::desc("The fraction of noise tokens"),
                                    cl::sub(corruptCommand()));
static cl::opt<double>
    meanNoiseSpanLength("mean-noise-span-length", cl::init(3.0),
                        cl::desc("The mean length of a noise span"),
                        cl::sub(corruptCommand()));
static cl::opt<std::string> tokenizerPath("tokenizer",
                                          cl::desc("A SentencePiece model"),
                                          cl::value_desc("spiece.model"),
                                          cl::sub(corruptCommand()));
static cl::opt<std::string> text("text", cl::desc("The text to corrupt"),
                                 cl::sub(corruptCommand()));
static cl::opt<int64_t> extraIds("extra-ids",
                                 cl::init(Tokenizer::kDefaultExtraIds),
                                 cl::desc("The tokenizer's sentinels"),
                                 cl::sub(corruptCommand()));
static cl::opt<std::string>
    trainTokenizer("train-tokenizer", cl::Hidden,
                   cl::desc("Train a tokenizer on --corpus into this file"),
                   cl::value_desc("spiece.model"), cl::sub(corruptCommand()));
static cl::list<std::string> corpus("corpus", cl::Hidden,
                                    cl::desc("The text files to train on"),
                                    cl::value_desc("file"),
                                    cl::sub(corruptCommand()));
static cl::opt<int64_t> pieces("pieces", cl::Hidden, cl::init(32000),
                               cl::desc("The trained tokenizer's pieces"),
                               cl::sub(corruptCommand()));
static cl::opt<bool>
    encodeLines("encode", cl::Hidden,
                cl::desc("Encode and decode each line of stdin (JSON)"),
                cl::sub(corruptCommand()));

/// `values` as a JSON array of numbers.
template <typename Range>
static void writeArray(llvm::json::OStream &json, const Range &values) {
  json.arrayBegin();
  for (auto value : values)
    json.value(static_cast<int64_t>(value));
  json.arrayEnd();
}

/// The mask of example `index`.
static std::vector<bool> maskOf(int64_t index, int64_t length,
                                const SpanCorruptionOptions &options) {
  SplitMix64 rng(exampleSeed(seed, static_cast<uint64_t>(index)));
  return randomSpansNoiseMask(length, options, rng);
}

/// Prints the JSON lines of `tokens`' examples.
static int corruptIds(llvm::ArrayRef<int32_t> tokens,
                      const SpanCorruptionOptions &options) {
  int64_t length = static_cast<int64_t>(tokens.size());
  for (int64_t index = 0; index < count; ++index) {
    std::vector<bool> noise = maskOf(index, length, options);
    CorruptedExample example =
        corruptSpans(tokens, noise, static_cast<int32_t>(vocabSize - 1), 1);
    // The inputs hold a sentinel for each noise span.
    int64_t sentinels =
        static_cast<int64_t>(example.inputs.size()) - 1 -
        static_cast<int64_t>(std::count(noise.begin(), noise.end(), false));
    if (vocabSize - sentinels < 3)
      return fail("--vocab-size " + llvm::Twine(vocabSize.getValue()) +
                  " is too small for " + llvm::Twine(sentinels) +
                  " sentinels above ids 0-2");
    llvm::json::OStream json(llvm::outs());
    json.object([&] {
      json.attribute("seed", static_cast<uint64_t>(seed));
      json.attribute("index", index);
      json.attribute("example_seed",
                     exampleSeed(seed, static_cast<uint64_t>(index)));
      json.attribute("length", length);
      json.attributeBegin("tokens");
      writeArray(json, tokens);
      json.attributeEnd();
      json.attributeBegin("noise");
      writeArray(json, noise);
      json.attributeEnd();
      json.attributeBegin("inputs");
      writeArray(json, example.inputs);
      json.attributeEnd();
      json.attributeBegin("targets");
      writeArray(json, example.targets);
      json.attributeEnd();
    });
    llvm::outs() << "\n";
  }
  return Success;
}

/// Prints the corrupted examples of the text, decoded.
static int corruptText(const Tokenizer &tokenizer,
                       const SpanCorruptionOptions &options) {
  std::vector<int32_t> tokens = tokenizer.encode(text);
  for (int64_t index = 0; index < count; ++index) {
    std::vector<bool> noise =
        maskOf(index, static_cast<int64_t>(tokens.size()), options);
    CorruptedExample example =
        corruptSpans(tokens, noise, tokenizer.sentinel(0), tokenizer.eos());
    if (index)
      llvm::outs() << "\n";
    llvm::outs() << "inputs:  " << tokenizer.decode(example.inputs) << "\n"
                 << "targets: " << tokenizer.decode(example.targets) << "\n";
  }
  return Success;
}

/// Prints the ids and the decoding of each line of stdin.
static int encodeStdin(const Tokenizer &tokenizer) {
  auto input = llvm::MemoryBuffer::getSTDIN();
  if (!input)
    return fail("cannot read stdin: " + input.getError().message());
  llvm::StringRef rest = (*input)->getBuffer();
  while (!rest.empty()) {
    llvm::StringRef line;
    std::tie(line, rest) = rest.split('\n');
    std::vector<int32_t> lineIds = tokenizer.encode(line);
    llvm::json::OStream json(llvm::outs());
    json.object([&] {
      json.attributeBegin("ids");
      writeArray(json, lineIds);
      json.attributeEnd();
      json.attribute("text", tokenizer.decode(lineIds));
    });
    llvm::outs() << "\n";
  }
  return Success;
}

int glu::t5::corrupt() {
  int modes = !ids.empty() + !lengths.empty() + !text.empty() + encodeLines +
              !trainTokenizer.empty();
  if (modes != 1)
    return fail("give one of --ids, --length, --text (with --tokenizer), "
                "--encode (with --tokenizer) or --train-tokenizer",
                UsageFailure);
  SpanCorruptionOptions options;
  options.noiseDensity = noiseDensity;
  options.meanNoiseSpanLength = meanNoiseSpanLength;
  std::string problem = checkSpanCorruptionOptions(options);
  if (!problem.empty())
    return fail("--noise-density and --mean-noise-span-length: " + problem,
                UsageFailure);
  if (count < 0)
    return fail("--count must not be negative, got " +
                    llvm::Twine(count.getValue()),
                UsageFailure);
  if (vocabSize < 4)
    return fail("--vocab-size must be at least 4, got " +
                    llvm::Twine(vocabSize.getValue()),
                UsageFailure);
  if ((!text.empty() || encodeLines) && tokenizerPath.empty())
    return fail("--text and --encode need --tokenizer", UsageFailure);
  if (!trainTokenizer.empty() && corpus.empty())
    return fail("--train-tokenizer needs --corpus", UsageFailure);

  try {
    if (!trainTokenizer.empty()) {
      Corpus documents = readCorpus(corpus, /*heldOutFraction=*/0);
      Tokenizer::train(documents.train, pieces, trainTokenizer);
      return Success;
    }
    if (!tokenizerPath.empty() && (encodeLines || !text.empty())) {
      Tokenizer tokenizer = Tokenizer::load(tokenizerPath, extraIds);
      return encodeLines ? encodeStdin(tokenizer)
                         : corruptText(tokenizer, options);
    }
  } catch (const Error &error) {
    return fail(error.what());
  }
  if (!ids.empty())
    return corruptIds(std::vector<int32_t>(ids.begin(), ids.end()), options);
  for (int64_t length : lengths) {
    if (length < 0)
      return fail("--length must not be negative, got " + llvm::Twine(length),
                  UsageFailure);
    std::vector<int32_t> tokens(length);
    for (int64_t i = 0; i < length; ++i)
      tokens[i] = static_cast<int32_t>(3 + i % (vocabSize - 3));
    if (int status = corruptIds(tokens, options))
      return status;
  }
  return Success;
}
