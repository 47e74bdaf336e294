//===- PretrainingDataTest.cpp - span-corrupted batches of a corpus -------===//
//
// Examples are chunks of the documents' stream in order, remade alike from
// their index, reshuffled each epoch when asked; batches are padded as
// train_step takes them; the constructor's errors.
//
//===----------------------------------------------------------------------===//

#include "PretrainingData.h"

#include "DataTestSupport.h"

#include <map>

using namespace glu::t5;
using namespace glu::t5::test;

namespace {

using Ids = std::vector<int32_t>;
constexpr int32_t kFirstSentinel = 32099, kEos = 1;

/// 40 documents of 1 .. 120 tokens; the tokens are 1000, 1001, ... in
/// document order, so a chunk tells where it came from.
std::vector<Ids> numberedDocuments() {
  std::vector<Ids> documents;
  SplitMix64 rng(11);
  int32_t next = 1000;
  for (int d = 0; d < 40; ++d) {
    Ids document(1 + rng.below(120));
    for (int32_t &token : document)
      token = next++;
    documents.push_back(document);
  }
  return documents;
}

int64_t tokenCount(const std::vector<Ids> &documents) {
  int64_t count = 0;
  for (const Ids &document : documents)
    count += static_cast<int64_t>(document.size());
  return count;
}

/// The chunk an example was made from: its inputs with each sentinel
/// replaced by the target tokens after that sentinel.
Ids uncorrupt(const CorruptedExample &example) {
  std::map<int32_t, Ids> spans;
  int32_t sentinel = -1;
  for (int32_t token : example.targets) {
    if (token > 30000)
      sentinel = token;
    else if (token != kEos)
      spans[sentinel].push_back(token);
  }
  Ids tokens;
  for (int32_t token : example.inputs) {
    if (token > 30000)
      tokens.insert(tokens.end(), spans[token].begin(), spans[token].end());
    else if (token != kEos)
      tokens.push_back(token);
  }
  return tokens;
}

bool operator==(const CorruptedExample &a, const CorruptedExample &b) {
  return a.inputs == b.inputs && a.targets == b.targets;
}

TEST(PretrainingData, ChunksInOrder) {
  std::vector<Ids> documents = numberedDocuments();
  int64_t total = tokenCount(documents);
  PretrainingData data(documents, 64, 14, kFirstSentinel, kEos, 5,
                       /*shuffleEachEpoch=*/false);
  EXPECT_EQ(data.lengths().tokens, 70);
  EXPECT_EQ(data.lengths().inputs, 64);
  EXPECT_EQ(data.lengths().targets, 14);
  EXPECT_EQ(data.tokenCount(), total);
  EXPECT_EQ(data.examplesPerEpoch(), total / 70);
  for (int64_t index = 0; index < 3 * data.examplesPerEpoch(); ++index) {
    CorruptedExample example = data.example(index);
    EXPECT_EQ(static_cast<int64_t>(example.inputs.size()), 64);
    EXPECT_EQ(static_cast<int64_t>(example.targets.size()), 14);
    EXPECT_EQ(example.inputs.back(), kEos);
    EXPECT_EQ(example.targets.front(), kFirstSentinel);
    // Unshuffled, every epoch is the same stream: 1000, 1001, ...
    Ids chunk = uncorrupt(example);
    int32_t first =
        1000 + static_cast<int32_t>((index % data.examplesPerEpoch()) * 70);
    ASSERT_EQ(chunk.size(), 70u);
    for (int i = 0; i < 70; ++i)
      ASSERT_EQ(chunk[i], first + i) << "example " << index;
  }
  // The same chunk in another epoch has another mask.
  EXPECT_NE(data.example(0).inputs,
            data.example(data.examplesPerEpoch()).inputs);
}

TEST(PretrainingData, ExamplesDependOnIndexAndSeed) {
  std::vector<Ids> documents = numberedDocuments();
  PretrainingData data(documents, 64, 20, kFirstSentinel, kEos, 5, true);
  PretrainingData same(documents, 64, 20, kFirstSentinel, kEos, 5, true);
  PretrainingData other(documents, 64, 20, kFirstSentinel, kEos, 6, true);
  int64_t epochs = 3 * data.examplesPerEpoch();
  std::vector<CorruptedExample> inOrder;
  for (int64_t index = 0; index < epochs; ++index)
    inOrder.push_back(data.example(index));
  // Remade in any order, by another instance: the same.
  int differ = 0;
  for (int64_t index = epochs - 1; index >= 0; --index) {
    EXPECT_TRUE(data.example(index) == inOrder[index]) << index;
    EXPECT_TRUE(same.example(index) == inOrder[index]) << index;
    differ += !(other.example(index) == inOrder[index]);
  }
  EXPECT_EQ(differ, epochs);
}

TEST(PretrainingData, EpochsReshuffle) {
  std::vector<Ids> documents = numberedDocuments();
  PretrainingData data(documents, 64, 14, kFirstSentinel, kEos, 5, true);
  int64_t perEpoch = data.examplesPerEpoch();
  auto epochTokens = [&](int64_t epoch) {
    Ids tokens;
    for (int64_t k = 0; k < perEpoch; ++k) {
      Ids chunk = uncorrupt(data.example(epoch * perEpoch + k));
      tokens.insert(tokens.end(), chunk.begin(), chunk.end());
    }
    return tokens;
  };
  Ids epoch0 = epochTokens(0), epoch1 = epochTokens(1);
  EXPECT_NE(epoch0, epoch1);
  // Each epoch is whole documents in some order: a token's successor is
  // the next token unless a document ends there.
  std::map<int32_t, bool> lastOfDocument;
  for (const Ids &document : documents)
    lastOfDocument[document.back()] = true;
  for (const Ids &epoch : {epoch0, epoch1}) {
    for (size_t i = 0; i + 1 < epoch.size(); ++i) {
      if (!lastOfDocument.count(epoch[i])) {
        ASSERT_EQ(epoch[i + 1], epoch[i] + 1) << i;
      }
    }
  }
  // Epoch 0 is shuffled too.
  Ids inOrder;
  for (int64_t i = 0; i < perEpoch * 70; ++i)
    inOrder.push_back(1000 + static_cast<int32_t>(i));
  EXPECT_NE(epoch0, inOrder);
}

TEST(PretrainingData, Batch) {
  std::vector<Ids> documents = numberedDocuments();
  PretrainingData data(documents, 64, 16, kFirstSentinel, kEos, 5, true);
  Batch batch = data.batch(3, 4);
  EXPECT_EQ(batch.batch, 4);
  EXPECT_EQ(batch.sourceLength, 64);
  EXPECT_EQ(batch.targetLength, 16);
  ASSERT_EQ(batch.inputIds.size(), 4u * 64);
  ASSERT_EQ(batch.attentionMask.size(), 4u * 64);
  ASSERT_EQ(batch.labels.size(), 4u * 16);
  EXPECT_EQ(batch.inputTokens, 4 * 64);
  EXPECT_EQ(batch.targetTokens, 4 * 14);
  for (int64_t row = 0; row < 4; ++row) {
    CorruptedExample example = data.example(3 + row);
    EXPECT_EQ(Ids(batch.inputIds.begin() + row * 64,
                  batch.inputIds.begin() + (row + 1) * 64),
              example.inputs);
    EXPECT_EQ(Ids(batch.attentionMask.begin() + row * 64,
                  batch.attentionMask.begin() + (row + 1) * 64),
              Ids(64, 1));
    Ids labels(batch.labels.begin() + row * 16,
               batch.labels.begin() + (row + 1) * 16);
    Ids expected = example.targets;
    expected.resize(16, -100);
    EXPECT_EQ(labels, expected);
  }
}

TEST(PretrainingData, BatchPadsShortInputs) {
  // At density 0.5 T5 takes a token off the chunk when the targets
  // outgrow the inputs: 99 tokens make 67 inputs and 68 targets, 98 make
  // 66 and 66.
  std::vector<Ids> documents = numberedDocuments();
  PretrainingData data(documents, 67, 66, kFirstSentinel, kEos, 5, false,
                       {0.5, 3.0});
  EXPECT_EQ(data.lengths().tokens, 98);
  ASSERT_EQ(data.lengths().inputs, 66);
  Batch batch = data.batch(0, 2);
  for (int64_t row = 0; row < 2; ++row) {
    EXPECT_EQ(batch.inputIds[row * 67 + 66], 0);
    EXPECT_EQ(batch.attentionMask[row * 67 + 66], 0);
    EXPECT_EQ(batch.inputIds[row * 67 + 65], kEos);
    EXPECT_EQ(batch.attentionMask[row * 67 + 65], 1);
  }
  EXPECT_EQ(batch.inputTokens, 2 * 66);
  EXPECT_EQ(batch.targetTokens, 2 * 66);
}

TEST(PretrainingData, Errors) {
  std::vector<Ids> documents = numberedDocuments();
  EXPECT_GLU_ERROR(
      PretrainingData(documents, 512, 113, kFirstSentinel, kEos, 0, true),
      "a target length of 113 is too short: span corruption of 568 tokens "
      "into 512 inputs makes 114 targets");
  int64_t total = tokenCount(documents);
  EXPECT_GLU_ERROR(
      PretrainingData(documents, 4096, 4096, kFirstSentinel, kEos, 0, true),
      "the documents hold " + std::to_string(total) +
          " tokens, fewer than one example's");
  EXPECT_GLU_ERROR(PretrainingData({}, 64, 64, kFirstSentinel, kEos, 0, true),
                   "the documents hold 0 tokens");
  EXPECT_GLU_ERROR(PretrainingData(documents, 64, 64, kFirstSentinel, kEos, 0,
                                   true, {1.5, 3.0}),
                   "noise density must be in [0, 1), got 1.5");
  EXPECT_GLU_ERROR(
      PretrainingData(documents, 1, 64, kFirstSentinel, kEos, 0, true),
      "the source length must be at least 2, got 1");
}

} // namespace
