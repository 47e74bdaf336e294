//===- PretrainingData.cpp - span-corrupted batches of a corpus -----------===//
//
// Example `index` is chunk k = index % examplesPerEpoch() of epoch e =
// index / examplesPerEpoch(): the tokens [k * T, (k + 1) * T) of the
// epoch's stream (T = lengths().tokens), corrupted with the mask drawn
// from SplitMix64(exampleSeed(seed, index)). The stream of epoch e is the
// documents concatenated in their order or, when shuffled, in the order
// shuffle() makes of 0 .. n - 1 with SplitMix64(exampleSeed(seed,
// 0xE90C0000 + e)) (epoch 0 is shuffled too). Each epoch drops the tokens
// after its last whole chunk.
//
// Built with exceptions: the constructor throws glu::Error.
//
//===----------------------------------------------------------------------===//

#include "PretrainingData.h"

#include "glu/Types.h"

#include <cassert>
#include <numeric>

using namespace glu;
using namespace glu::t5;

/// The offset of the epoch shuffles' seeds among the example indices.
static constexpr uint64_t kEpochSeedOffset = 0xE90C0000;

PretrainingData::PretrainingData(std::vector<std::vector<int32_t>> documents,
                                 int64_t sourceLength, int64_t targetLength,
                                 int32_t firstSentinel, int32_t eos,
                                 uint64_t seed, bool shuffleEachEpoch,
                                 SpanCorruptionOptions options)
    : documents(std::move(documents)), sourceLength(sourceLength),
      targetLength(targetLength), firstSentinel(firstSentinel), eos(eos),
      seed(seed), shuffleEachEpoch(shuffleEachEpoch), options(options) {
  std::string problem = checkSpanCorruptionOptions(options);
  if (!problem.empty())
    throw Error(problem);
  if (sourceLength < 2)
    throw Error("the source length must be at least 2, got " +
                std::to_string(sourceLength));
  lengths_ = spanCorruptionLengths(sourceLength, options);
  if (lengths_.targets > targetLength)
    throw Error("a target length of " + std::to_string(targetLength) +
                " is too short: span corruption of " +
                std::to_string(lengths_.tokens) + " tokens into " +
                std::to_string(sourceLength) + " inputs makes " +
                std::to_string(lengths_.targets) + " targets");
  for (const std::vector<int32_t> &document : this->documents)
    tokens += static_cast<int64_t>(document.size());
  perEpoch = tokens / lengths_.tokens;
  if (perEpoch == 0)
    throw Error("the documents hold " + std::to_string(tokens) +
                " tokens, fewer than one example's " +
                std::to_string(lengths_.tokens) + " (source length " +
                std::to_string(sourceLength) + ")");
}

const std::vector<int32_t> &PretrainingData::stream(int64_t epoch) const {
  if (epoch == cachedEpoch)
    return cachedStream;
  std::vector<size_t> order(documents.size());
  std::iota(order.begin(), order.end(), 0);
  if (shuffleEachEpoch) {
    SplitMix64 rng(
        exampleSeed(seed, kEpochSeedOffset + static_cast<uint64_t>(epoch)));
    shuffle(order, rng);
  }
  cachedStream.clear();
  cachedStream.reserve(tokens);
  for (size_t document : order)
    cachedStream.insert(cachedStream.end(), documents[document].begin(),
                        documents[document].end());
  cachedEpoch = epoch;
  return cachedStream;
}

CorruptedExample PretrainingData::example(int64_t index) const {
  assert(index >= 0);
  const std::vector<int32_t> &tokensOfEpoch = stream(index / perEpoch);
  int64_t chunk = index % perEpoch;
  llvm::ArrayRef<int32_t> chunkTokens =
      llvm::ArrayRef(tokensOfEpoch)
          .slice(chunk * lengths_.tokens, lengths_.tokens);
  SplitMix64 rng(exampleSeed(seed, static_cast<uint64_t>(index)));
  std::vector<bool> noise = randomSpansNoiseMask(lengths_.tokens, options, rng);
  return corruptSpans(chunkTokens, noise, firstSentinel, eos);
}

Batch PretrainingData::batch(int64_t first, int64_t batch) const {
  assert(first >= 0 && batch >= 0);
  Batch result;
  result.batch = batch;
  result.sourceLength = sourceLength;
  result.targetLength = targetLength;
  result.inputIds.assign(batch * sourceLength, 0);
  result.attentionMask.assign(batch * sourceLength, 0);
  result.labels.assign(batch * targetLength, -100);
  for (int64_t row = 0; row < batch; ++row) {
    CorruptedExample corrupted = example(first + row);
    assert(static_cast<int64_t>(corrupted.inputs.size()) <= sourceLength &&
           static_cast<int64_t>(corrupted.targets.size()) <= targetLength);
    std::copy(corrupted.inputs.begin(), corrupted.inputs.end(),
              result.inputIds.begin() + row * sourceLength);
    std::fill_n(result.attentionMask.begin() + row * sourceLength,
                corrupted.inputs.size(), 1);
    std::copy(corrupted.targets.begin(), corrupted.targets.end(),
              result.labels.begin() + row * targetLength);
    result.inputTokens += static_cast<int64_t>(corrupted.inputs.size());
    result.targetTokens += static_cast<int64_t>(corrupted.targets.size());
  }
  return result;
}
