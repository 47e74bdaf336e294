//===- SpanCorruptionTest.cpp - T5's span corruption ----------------------===//
//
// Corruptions worked by hand (SpanCorruption.h's example, adjacent noise,
// noise first and last, the shortest chunks), random_spans_helper's
// lengths worked from T5's formula, and the masks' exact counts of noise
// tokens and spans over many lengths and seeds. test/t5/span-corruption.test
// compares the masks with a Python transcription of T5's code.
//
//===----------------------------------------------------------------------===//

#include "SpanCorruption.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

using namespace glu::t5;

// Found by argument-dependent lookup, so in the structure's namespace.
namespace glu::t5 {
static bool operator==(const SpanCorruptionLengths &a,
                       const SpanCorruptionLengths &b) {
  return a.tokens == b.tokens && a.inputs == b.inputs && a.targets == b.targets;
}
static std::ostream &operator<<(std::ostream &os,
                                const SpanCorruptionLengths &l) {
  return os << "{" << l.tokens << ", " << l.inputs << ", " << l.targets << "}";
}
} // namespace glu::t5

namespace {

using Ids = std::vector<int32_t>;
constexpr int32_t kEos = 1;
constexpr int32_t kX0 = 99, kX1 = 98, kX2 = 97;

std::vector<bool> maskOf(std::initializer_list<int> bits) {
  std::vector<bool> mask;
  for (int bit : bits)
    mask.push_back(bit != 0);
  return mask;
}

TEST(SplitMix64, KnownValues) {
  SplitMix64 rng(0);
  EXPECT_EQ(rng.next(), 0xE220A8397B1DCDAFULL);
  EXPECT_EQ(rng.next(), 0x6E789E6AA1B965F4ULL);
  EXPECT_EQ(rng.next(), 0x06C45D188009454FULL);
}

TEST(SplitMix64, Below) {
  // 0xE220A8397B1DCDAF % 3 == 1, 0x6E789E6AA1B965F4 % 2 == 0.
  SplitMix64 rng(0);
  EXPECT_EQ(rng.below(3), 1u);
  EXPECT_EQ(rng.below(2), 0u);
}

TEST(SplitMix64, ExampleSeed) {
  EXPECT_EQ(exampleSeed(0, 0), 0xE220A8397B1DCDAFULL);
  EXPECT_EQ(exampleSeed(7, 0), SplitMix64(7).next());
  EXPECT_EQ(exampleSeed(7, 3),
            SplitMix64(7 ^ (3 * 0xD1B54A32D192ED03ULL)).next());
  EXPECT_NE(exampleSeed(7, 1), exampleSeed(7, 2));
  EXPECT_NE(exampleSeed(7, 1), exampleSeed(8, 1));
}

TEST(Shuffle, FisherYates) {
  // i = 3: swap items[2] and items[1]; i = 2: swap items[1] and items[0].
  std::vector<int> items = {10, 20, 30};
  SplitMix64 rng(0);
  shuffle(items, rng);
  EXPECT_EQ(items, (std::vector<int>{30, 10, 20}));
}

TEST(Shuffle, Permutes) {
  std::vector<int> items(1000);
  std::iota(items.begin(), items.end(), 0);
  SplitMix64 rng(42);
  shuffle(items, rng);
  std::vector<int> sorted = items;
  std::sort(sorted.begin(), sorted.end());
  for (int i = 0; i < 1000; ++i)
    ASSERT_EQ(sorted[i], i);
  EXPECT_NE(items, sorted);
}

// SpanCorruption.h's example: "The cute dog walks in the park".
TEST(CorruptSpans, HeaderExample) {
  Ids tokens = {10, 11, 12, 13, 14, 15, 16};
  CorruptedExample example =
      corruptSpans(tokens, maskOf({0, 1, 1, 0, 0, 1, 0}), kX0, kEos);
  EXPECT_EQ(example.inputs, (Ids{10, kX0, 13, 14, kX1, 16, kEos}));
  EXPECT_EQ(example.targets, (Ids{kX0, 11, 12, kX1, 15, kX2, kEos}));
}

TEST(CorruptSpans, AdjacentNoiseIsOneSpan) {
  Ids tokens = {10, 11, 12, 13, 14};
  CorruptedExample example =
      corruptSpans(tokens, maskOf({0, 1, 1, 1, 0}), kX0, kEos);
  EXPECT_EQ(example.inputs, (Ids{10, kX0, 14, kEos}));
  EXPECT_EQ(example.targets, (Ids{kX0, 11, 12, 13, kX1, kEos}));
}

TEST(CorruptSpans, AlternatingFromNoise) {
  Ids tokens = {10, 11, 12, 13};
  CorruptedExample example =
      corruptSpans(tokens, maskOf({1, 0, 1, 0}), kX0, kEos);
  EXPECT_EQ(example.inputs, (Ids{kX0, 11, kX1, 13, kEos}));
  EXPECT_EQ(example.targets, (Ids{10, kX0, 12, kX1, kEos}));
}

TEST(CorruptSpans, NoiseAtTheEnd) {
  Ids tokens = {10, 11, 12, 13};
  CorruptedExample example =
      corruptSpans(tokens, maskOf({0, 0, 1, 1}), kX0, kEos);
  EXPECT_EQ(example.inputs, (Ids{10, 11, kX0, kEos}));
  EXPECT_EQ(example.targets, (Ids{kX0, 12, 13, kEos}));
}

TEST(CorruptSpans, AllNoiseAndNone) {
  Ids tokens = {10, 11, 12};
  CorruptedExample all = corruptSpans(tokens, maskOf({1, 1, 1}), kX0, kEos);
  EXPECT_EQ(all.inputs, (Ids{kX0, kEos}));
  EXPECT_EQ(all.targets, (Ids{10, 11, 12, kEos}));
  CorruptedExample none = corruptSpans(tokens, maskOf({0, 0, 0}), kX0, kEos);
  EXPECT_EQ(none.inputs, (Ids{10, 11, 12, kEos}));
  EXPECT_EQ(none.targets, (Ids{kX0, kEos}));
}

TEST(CorruptSpans, Empty) {
  CorruptedExample example = corruptSpans({}, {}, kX0, kEos);
  EXPECT_EQ(example.inputs, (Ids{kEos}));
  EXPECT_EQ(example.targets, (Ids{kEos}));
}

// T5 masks max(length, 2) tokens and trims: one token is never noise.
TEST(RandomSpansNoiseMask, LengthOne) {
  for (uint64_t seed = 0; seed < 20; ++seed) {
    SplitMix64 rng(seed);
    std::vector<bool> mask = randomSpansNoiseMask(1, {}, rng);
    ASSERT_EQ(mask, maskOf({0}));
    CorruptedExample example = corruptSpans(Ids{10}, mask, kX0, kEos);
    EXPECT_EQ(example.inputs, (Ids{10, kEos}));
    EXPECT_EQ(example.targets, (Ids{kX0, kEos}));
  }
}

// One noise token (clamped up from round(0.3) = 0) after one non-noise.
TEST(RandomSpansNoiseMask, LengthTwo) {
  for (uint64_t seed = 0; seed < 20; ++seed) {
    SplitMix64 rng(seed);
    std::vector<bool> mask = randomSpansNoiseMask(2, {}, rng);
    ASSERT_EQ(mask, maskOf({0, 1}));
    CorruptedExample example = corruptSpans(Ids{10, 11}, mask, kX0, kEos);
    EXPECT_EQ(example.inputs, (Ids{10, kX0, kEos}));
    EXPECT_EQ(example.targets, (Ids{kX0, 11, kEos}));
  }
}

TEST(RandomSpansNoiseMask, ZeroDensity) {
  SplitMix64 rng(1);
  std::vector<bool> mask = randomSpansNoiseMask(50, {0.0, 3.0}, rng);
  EXPECT_EQ(mask, std::vector<bool>(50, false));
}

/// The counts random_spans_noise_mask fixes for `length` >= 2, as T5's
/// TensorFlow computes them (float32, round half to even); no more spans
/// than non-noise tokens.
std::pair<int64_t, int64_t> expectedCounts(int64_t length, double density,
                                           double mean) {
  int64_t noise = static_cast<int64_t>(
      std::nearbyint(static_cast<float>(length) * static_cast<float>(density)));
  noise = std::min(std::max<int64_t>(noise, 1), length - 1);
  int64_t spans = std::max<int64_t>(
      1, static_cast<int64_t>(std::nearbyint(static_cast<float>(noise) /
                                             static_cast<float>(mean))));
  return {noise, std::min(spans, length - noise)};
}

TEST(RandomSpansNoiseMask, Counts) {
  for (double density : {0.15, 0.3, 0.5}) {
    for (double mean : {1.0, 3.0, 8.0}) {
      for (int64_t length = 2; length <= 600; length += 7) {
        auto [noise, spans] = expectedCounts(length, density, mean);
        for (uint64_t seed = 0; seed < 8; ++seed) {
          SplitMix64 rng(exampleSeed(seed, length));
          std::vector<bool> mask =
              randomSpansNoiseMask(length, {density, mean}, rng);
          ASSERT_EQ(static_cast<int64_t>(mask.size()), length);
          EXPECT_EQ(std::count(mask.begin(), mask.end(), true), noise)
              << "length " << length << " density " << density;
          int64_t spanCount = 0;
          for (int64_t i = 0; i < length; ++i)
            spanCount += mask[i] && (i == 0 || !mask[i - 1]);
          EXPECT_EQ(spanCount, spans)
              << "length " << length << " density " << density << " mean "
              << mean << " seed " << seed;
          EXPECT_FALSE(mask.front()) << "length " << length;
          EXPECT_TRUE(mask.back()) << "length " << length;
        }
      }
    }
  }
}

// 190 * 0.15 is 28.5 in float64 but 28.500002 in float32: T5's mask has 29
// noise tokens (random_spans_helper, in float64, counts 28).
TEST(RandomSpansNoiseMask, Float32LikeTensorFlow) {
  SplitMix64 rng(3);
  std::vector<bool> mask = randomSpansNoiseMask(190, {}, rng);
  EXPECT_EQ(std::count(mask.begin(), mask.end(), true), 29);
}

// Where T5 fails (more spans than non-noise tokens), one span each.
TEST(RandomSpansNoiseMask, HighDensity) {
  SplitMix64 rng(5);
  // 100 tokens at 0.9: 90 noise, round(90 / 1) = 90 spans, 10 non-noise.
  std::vector<bool> mask = randomSpansNoiseMask(100, {0.9, 1.0}, rng);
  EXPECT_EQ(std::count(mask.begin(), mask.end(), true), 90);
  int64_t spans = 0;
  for (size_t i = 0; i < mask.size(); ++i)
    spans += mask[i] && (i == 0 || !mask[i - 1]);
  EXPECT_EQ(spans, 10);
}

TEST(RandomSpansNoiseMask, SeedsDiffer) {
  std::set<std::vector<bool>> masks;
  for (uint64_t seed = 0; seed < 20; ++seed) {
    SplitMix64 rng(exampleSeed(seed, 0));
    masks.insert(randomSpansNoiseMask(100, {}, rng));
  }
  EXPECT_GT(masks.size(), 15u);
}

// The corrupted lengths of each mask are those spanCorruptionLengths
// gives for its chunk.
TEST(RandomSpansNoiseMask, ExamplesFitTheLengths) {
  for (int64_t inputs : {4, 12, 20, 64, 100, 512}) {
    SpanCorruptionLengths lengths = spanCorruptionLengths(inputs, {});
    Ids tokens(lengths.tokens, 7);
    for (uint64_t seed = 0; seed < 10; ++seed) {
      SplitMix64 rng(seed);
      CorruptedExample example = corruptSpans(
          tokens, randomSpansNoiseMask(lengths.tokens, {}, rng), kX0, kEos);
      EXPECT_EQ(static_cast<int64_t>(example.inputs.size()), lengths.inputs);
      EXPECT_EQ(static_cast<int64_t>(example.targets.size()), lengths.targets);
    }
  }
}

// random_spans_helper worked by hand: noise = round(0.15 L), spans =
// round(noise / 3), inputs = L - noise + spans + 1, targets = noise +
// spans + 1; L the largest whose inputs fit.
TEST(SpanCorruptionLengths, T5Formula) {
  // 568: noise 85, spans 28 -> 483 + 28 + 1 = 512; 569: noise 85 -> 513.
  EXPECT_EQ(spanCorruptionLengths(512, {}),
            (SpanCorruptionLengths{568, 512, 114}));
  // 141: noise 21, spans 7 -> 128; 142 -> 129.
  EXPECT_EQ(spanCorruptionLengths(128, {}),
            (SpanCorruptionLengths{141, 128, 29}));
  // 284: noise 43, spans 14 -> 256; 285: noise 43 -> 257.
  EXPECT_EQ(spanCorruptionLengths(256, {}),
            (SpanCorruptionLengths{284, 256, 58}));
  // 70: noise 10 (10.5 rounds to even), spans 3 -> 64; 71: noise 11,
  // spans 4 -> 65.
  EXPECT_EQ(spanCorruptionLengths(64, {}), (SpanCorruptionLengths{70, 64, 14}));
  // 1137: noise 171 (170.55), spans 57 -> 1024.
  EXPECT_EQ(spanCorruptionLengths(1024, {}),
            (SpanCorruptionLengths{1137, 1024, 229}));
  // Mean 1: inputs = L + 1.
  EXPECT_EQ(spanCorruptionLengths(512, {0.15, 1.0}),
            (SpanCorruptionLengths{511, 512, 155}));
}

// Density 0.5: T5 takes a token off when the targets outgrow the inputs.
TEST(SpanCorruptionLengths, HalfDensity) {
  // 767: noise 384 (383.5 to even), spans 128 -> 512 inputs, 513 targets;
  // 766: noise 383, spans 128 -> 512 and 512.
  EXPECT_EQ(spanCorruptionLengths(512, {0.5, 3.0}),
            (SpanCorruptionLengths{766, 512, 512}));
}

// Short chunks use the mask's clamps (T5's helper, without them, would
// say 4 tokens, whose inputs are 5).
TEST(SpanCorruptionLengths, Short) {
  // 3 tokens: 1 noise (clamped), 1 span -> 2 + 1 + 1 = 4 inputs.
  EXPECT_EQ(spanCorruptionLengths(4, {}), (SpanCorruptionLengths{3, 4, 3}));
  // 1 token: no noise after trimming.
  EXPECT_EQ(spanCorruptionLengths(2, {}), (SpanCorruptionLengths{1, 2, 2}));
  EXPECT_EQ(spanCorruptionLengths(12, {}), (SpanCorruptionLengths{12, 12, 4}));
}

TEST(SpanCorruptionOptions, Check) {
  EXPECT_EQ(checkSpanCorruptionOptions({}), "");
  EXPECT_EQ(checkSpanCorruptionOptions({0.0, 1.0}), "");
  EXPECT_EQ(checkSpanCorruptionOptions({1.0, 3.0}),
            "noise density must be in [0, 1), got 1");
  EXPECT_EQ(checkSpanCorruptionOptions({-0.1, 3.0}),
            "noise density must be in [0, 1), got -0.1");
  EXPECT_EQ(checkSpanCorruptionOptions({0.15, 0.5}),
            "mean noise span length must be at least 1, got 0.5");
  EXPECT_NE(checkSpanCorruptionOptions({std::nan(""), 3.0}), "");
}

} // namespace
