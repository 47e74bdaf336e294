//===- SpanCorruption.h - T5's span-corruption objective --------*- C++ -*-===//
//
// T5's unsupervised objective ("Exploring the Limits of Transfer Learning",
// section 3.1.4; t5.data.preprocessors.span_corruption): a random 15% of a
// chunk of tokens, in spans of mean length 3, is dropped from the inputs,
// each span replaced by one sentinel; the targets are the dropped spans,
// each after its sentinel. Sentinels count down from the top of the
// vocabulary (<extra_id_0> = vocab - 1), and both sides end with EOS:
//
//   tokens   The  cute dog walks in   the park
//   noise          ^^^^^^^^             ^^^
//   inputs   The  <X0>  walks in <X1> park <eos>
//   targets  <X0> cute dog <X1> the <X2> <eos>
//
// (The targets are the inputs' transform with the mask inverted: each
// non-noise span, "park" included, becomes a sentinel.)
//
// The noise mask is random_spans_noise_mask's: the numbers of noise tokens
// and spans are fixed by the length (computed in float32 and rounded half
// to even, as its tf.round), and the noise and non-noise tokens are each
// cut into that many spans by a random segmentation, interleaved starting
// with non-noise (so a chunk always ends in noise). The shuffle
// behind the segmentation is a Fisher-Yates over SplitMix64 (T5 uses TF's
// stateless shuffle; any uniform shuffle gives the same distribution), so
// that a test can reproduce a mask in a few lines of Python.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_TOOLS_T5_SPANCORRUPTION_H
#define GLU_TOOLS_T5_SPANCORRUPTION_H

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <string>
#include <vector>

namespace glu::t5 {

/// Sebastiano Vigna's SplitMix64: state += 0x9E3779B97F4A7C15, then the
/// mix (xor-shift 30, * 0xBF58476D1CE4E5B9, xor-shift 27,
/// * 0x94D049BB133111EB, xor-shift 31) of the new state.
class SplitMix64 {
public:
  explicit SplitMix64(uint64_t seed) : state(seed) {}
  uint64_t next();
  /// A value in [0, bound): next() % bound (bound > 0).
  uint64_t below(uint64_t bound) { return next() % bound; }

private:
  uint64_t state;
};

/// The seed of example `index` of a stream seeded with `seed`: the first
/// output of SplitMix64(seed ^ (index * 0xD1B54A32D192ED03)). Examples are
/// corrupted independently, so any example can be remade from its index
/// (a resumed run continues where it stopped).
uint64_t exampleSeed(uint64_t seed, uint64_t index);

/// Shuffles `items` in place: for i from n - 1 down to 1, swap items[i]
/// with items[rng.below(i + 1)].
template <typename T> void shuffle(std::vector<T> &items, SplitMix64 &rng) {
  for (size_t i = items.size(); i > 1; --i)
    std::swap(items[i - 1], items[rng.below(i)]);
}

struct SpanCorruptionOptions {
  double noiseDensity = 0.15;
  double meanNoiseSpanLength = 3.0;
};

/// Why `options` cannot be used ("noise density must be in [0, 1), got
/// 1.5"), or "" when they can.
std::string checkSpanCorruptionOptions(const SpanCorruptionOptions &options);

/// The lengths of random_spans_helper: the longest chunk of `tokens` whose
/// corrupted inputs (with EOS) fit in `inputsLength` (>= 2), and the
/// lengths of its inputs and targets (with EOS). T5 pretrains with inputs
/// 512: tokens 568, inputs 512, targets 114. The lengths are those of the
/// examples randomSpansNoiseMask and corruptSpans make (T5's helper
/// estimates them in float64 without the mask's clamps, which differs for
/// chunks under a dozen tokens and where a count is within float32's error
/// of a half).
struct SpanCorruptionLengths {
  int64_t tokens = 0;
  int64_t inputs = 0;
  int64_t targets = 0;
};
SpanCorruptionLengths spanCorruptionLengths(int64_t inputsLength,
                                            const SpanCorruptionOptions &);

/// random_spans_noise_mask(length): true for noise. A length of 1 gives
/// one noise-free token, as T5's (which computes with max(length, 2) and
/// trims). Needs noiseDensity in [0, 1) and meanNoiseSpanLength >= 1; where
/// T5 fails (more noise spans than non-noise tokens, at high densities)
/// the spans are as many as the non-noise tokens.
std::vector<bool> randomSpansNoiseMask(int64_t length,
                                       const SpanCorruptionOptions &options,
                                       SplitMix64 &rng);

/// One corrupted example, EOS appended to each side.
struct CorruptedExample {
  std::vector<int32_t> inputs;
  std::vector<int32_t> targets;
};

/// noise_span_to_unique_sentinel on the inputs and on the targets (the
/// mask inverted): each span of masked tokens becomes one sentinel,
/// `firstSentinel`, firstSentinel - 1, ... in order; then `eos`.
CorruptedExample corruptSpans(llvm::ArrayRef<int32_t> tokens,
                              const std::vector<bool> &noise,
                              int32_t firstSentinel, int32_t eos);

} // namespace glu::t5

#endif // GLU_TOOLS_T5_SPANCORRUPTION_H
