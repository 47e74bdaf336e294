//===- PretrainingData.h - span-corrupted batches of a corpus ---*- C++ -*-===//
//
// The examples T5 pretrains on, as seqio's span_corruption task makes them
// from a corpus: the documents' tokens concatenated into one stream
// (reduce_concat_tokens), cut into chunks of the length whose corrupted
// inputs fill the source length (split_tokens to random_spans_helper's
// length; a shorter tail is dropped), each chunk span-corrupted. The
// training stream visits the documents in a new order each epoch (a
// shuffle seeded by the seed and the epoch); a held-out stream keeps
// their order. Example `i` depends only on the documents, the seed and
// `i`, so a run resumed at example i sees what it would have seen.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_TOOLS_T5_PRETRAININGDATA_H
#define GLU_TOOLS_T5_PRETRAININGDATA_H

#include "SpanCorruption.h"

#include <cstdint>
#include <vector>

namespace glu::t5 {

/// A batch as train_step and loss take it: i32, row-major.
struct Batch {
  int64_t batch = 0, sourceLength = 0, targetLength = 0;
  std::vector<int32_t> inputIds;      // [batch, sourceLength], pad 0
  std::vector<int32_t> attentionMask; // [batch, sourceLength], 1 or 0
  std::vector<int32_t> labels;        // [batch, targetLength], -100 pad
  /// Non-pad tokens of inputs and of labels.
  int64_t inputTokens = 0, targetTokens = 0;
};

class PretrainingData {
public:
  /// `documents` are token ids (no EOS). Throws glu::Error when the
  /// documents hold fewer tokens than one chunk, or when the targets of
  /// `sourceLength` do not fit `targetLength` (naming the length needed).
  PretrainingData(std::vector<std::vector<int32_t>> documents,
                  int64_t sourceLength, int64_t targetLength,
                  int32_t firstSentinel, int32_t eos, uint64_t seed,
                  bool shuffleEachEpoch, SpanCorruptionOptions options = {});

  const SpanCorruptionLengths &lengths() const { return lengths_; }
  /// Chunks in one pass over the documents.
  int64_t examplesPerEpoch() const { return perEpoch; }
  /// Tokens of all documents.
  int64_t tokenCount() const { return tokens; }

  /// Example `index` (any index >= 0; epoch index / examplesPerEpoch()).
  /// Not thread-safe: it caches the stream of the epoch last used.
  CorruptedExample example(int64_t index) const;
  /// Examples first .. first + batch - 1, padded to the static lengths.
  Batch batch(int64_t first, int64_t batch) const;

private:
  /// The stream of `epoch` (the documents concatenated in its order),
  /// made on first use and kept for the epoch.
  const std::vector<int32_t> &stream(int64_t epoch) const;

  std::vector<std::vector<int32_t>> documents;
  int64_t sourceLength, targetLength;
  int32_t firstSentinel, eos;
  uint64_t seed;
  bool shuffleEachEpoch;
  SpanCorruptionOptions options;
  SpanCorruptionLengths lengths_;
  int64_t tokens = 0, perEpoch = 0;
  mutable int64_t cachedEpoch = -1;
  mutable std::vector<int32_t> cachedStream;
};

} // namespace glu::t5

#endif // GLU_TOOLS_T5_PRETRAININGDATA_H
