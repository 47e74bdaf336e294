//===- SpanCorruption.cpp - T5's span-corruption objective ----------------===//
//
// t5/data/preprocessors.py's random_spans_helper, random_spans_noise_mask
// and noise_span_to_unique_sentinel, step for step. The counts follow the
// mask's TensorFlow arithmetic: float32 products and quotients rounded half
// to even (tf.round), clamped as T5 clamps them.
//
//===----------------------------------------------------------------------===//

#include "SpanCorruption.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <sstream>

using namespace glu::t5;

uint64_t SplitMix64::next() {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

uint64_t glu::t5::exampleSeed(uint64_t seed, uint64_t index) {
  return SplitMix64(seed ^ (index * 0xD1B54A32D192ED03ULL)).next();
}

std::string
glu::t5::checkSpanCorruptionOptions(const SpanCorruptionOptions &options) {
  std::ostringstream os;
  // Negated comparisons also reject NaN.
  if (!(options.noiseDensity >= 0 && options.noiseDensity < 1))
    os << "noise density must be in [0, 1), got " << options.noiseDensity;
  else if (!(options.meanNoiseSpanLength >= 1 &&
             std::isfinite(options.meanNoiseSpanLength)))
    os << "mean noise span length must be at least 1, got "
       << options.meanNoiseSpanLength;
  return os.str();
}

namespace {
/// The numbers of noise tokens and of noise spans (as many as the
/// non-noise spans) of a mask of `length` >= 2 tokens.
struct NoiseCounts {
  int64_t noise = 0;
  int64_t spans = 0;
};
} // namespace

/// random_spans_noise_mask's counts: to_int(tf.round(to_float(length) *
/// noise_density)) clamped to [1, length - 1], and max(1, to_int(tf.round(
/// to_float(num_noise_tokens) / mean_noise_span_length))); the spans are
/// also kept to the non-noise tokens, where T5's reshape would fail.
static NoiseCounts noiseCounts(int64_t length,
                               const SpanCorruptionOptions &options) {
  assert(length >= 2 && checkSpanCorruptionOptions(options).empty());
  if (options.noiseDensity == 0)
    return {};
  float product =
      static_cast<float>(length) * static_cast<float>(options.noiseDensity);
  int64_t noise = static_cast<int64_t>(std::nearbyint(product));
  noise = std::clamp<int64_t>(noise, 1, length - 1);
  float quotient = static_cast<float>(noise) /
                   static_cast<float>(options.meanNoiseSpanLength);
  int64_t spans =
      std::max<int64_t>(1, static_cast<int64_t>(std::nearbyint(quotient)));
  spans = std::min({spans, noise, length - noise});
  return {noise, spans};
}

/// The lengths of the corrupted inputs and targets (with EOS) of a chunk of
/// `tokens` tokens: the mask starts with non-noise and ends with noise, so
/// each side has one sentinel per noise span.
static SpanCorruptionLengths exampleLengths(int64_t tokens,
                                            const SpanCorruptionOptions &o) {
  if (tokens == 0)
    return {0, 1, 1};
  // No noise (density 0, or one token, whose mask is trimmed to non-noise):
  // the inputs are the tokens, the targets one sentinel for all of them.
  if (o.noiseDensity == 0 || tokens == 1)
    return {tokens, tokens + 1, 2};
  NoiseCounts counts = noiseCounts(tokens, o);
  return {tokens, tokens - counts.noise + counts.spans + 1,
          counts.noise + counts.spans + 1};
}

SpanCorruptionLengths
glu::t5::spanCorruptionLengths(int64_t inputsLength,
                               const SpanCorruptionOptions &options) {
  assert(inputsLength >= 2);
  // A chunk of inputsLength - 1 tokens always fits (its noise spans are no
  // more than its noise tokens).
  int64_t tokens = inputsLength - 1;
  while (exampleLengths(tokens + 1, options).inputs <= inputsLength)
    ++tokens;
  SpanCorruptionLengths lengths = exampleLengths(tokens, options);
  // T5's "minor hack to get the targets length to be equal to inputs
  // length": one token less at density 0.5.
  if (options.noiseDensity == 0.5 && lengths.targets > lengths.inputs)
    lengths = exampleLengths(tokens - 1, options);
  return lengths;
}

/// _random_segmentation: `items` cut into `segments` non-empty runs, their
/// lengths in order. first_in_segment is [0] + the shuffle of
/// [1] * (segments - 1) + [0] * (items - segments); the lengths are the
/// counts of its cumulative sums.
static std::vector<int64_t> randomSegmentation(int64_t items, int64_t segments,
                                               SplitMix64 &rng) {
  assert(items >= 1 && segments >= 1 && segments <= items);
  std::vector<uint8_t> firstInSegment(items - 1);
  for (int64_t i = 0; i < items - 1; ++i)
    firstInSegment[i] = i < segments - 1;
  shuffle(firstInSegment, rng);
  std::vector<int64_t> lengths(segments, 0);
  int64_t segment = 0;
  lengths[0] = 1;
  for (uint8_t first : firstInSegment) {
    segment += first;
    ++lengths[segment];
  }
  return lengths;
}

std::vector<bool> glu::t5::randomSpansNoiseMask(
    int64_t length, const SpanCorruptionOptions &options, SplitMix64 &rng) {
  assert(length >= 0);
  if (options.noiseDensity == 0)
    return std::vector<bool>(length, false);
  // "increase length to avoid degeneracy"
  int64_t padded = std::max<int64_t>(length, 2);
  NoiseCounts counts = noiseCounts(padded, options);
  // T5 draws the noise segmentation with seeds[0], then the non-noise one
  // with seeds[1]; here both come from `rng`, in that order.
  std::vector<int64_t> noiseLengths =
      randomSegmentation(counts.noise, counts.spans, rng);
  std::vector<int64_t> nonNoiseLengths =
      randomSegmentation(padded - counts.noise, counts.spans, rng);
  std::vector<bool> mask;
  mask.reserve(padded);
  for (int64_t span = 0; span < counts.spans; ++span) {
    mask.insert(mask.end(), nonNoiseLengths[span], false);
    mask.insert(mask.end(), noiseLengths[span], true);
  }
  assert(static_cast<int64_t>(mask.size()) == padded);
  mask.resize(length);
  return mask;
}

/// noise_span_to_unique_sentinel: the tokens where mask[i] != `masked`,
/// each run of the others replaced by the next sentinel (counting down
/// from `firstSentinel`), then `eos`.
static std::vector<int32_t> spansToSentinels(llvm::ArrayRef<int32_t> tokens,
                                             const std::vector<bool> &mask,
                                             bool masked, int32_t firstSentinel,
                                             int32_t eos) {
  std::vector<int32_t> result;
  result.reserve(tokens.size() + 1);
  int32_t sentinel = firstSentinel;
  for (size_t i = 0, e = tokens.size(); i < e; ++i) {
    if (mask[i] != masked)
      result.push_back(tokens[i]);
    else if (i == 0 || mask[i - 1] != masked)
      result.push_back(sentinel--);
  }
  result.push_back(eos);
  return result;
}

CorruptedExample glu::t5::corruptSpans(llvm::ArrayRef<int32_t> tokens,
                                       const std::vector<bool> &noise,
                                       int32_t firstSentinel, int32_t eos) {
  assert(tokens.size() == noise.size());
  // T5: inputs = noise_span_to_unique_sentinel(tokens, noise_mask), targets
  // = nonnoise_span_to_unique_sentinel (the same on ~noise_mask).
  return {spansToSentinels(tokens, noise, true, firstSentinel, eos),
          spansToSentinels(tokens, noise, false, firstSentinel, eos)};
}
