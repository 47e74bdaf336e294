//===- TokenizerTest.cpp - SentencePiece with T5's sentinels --------------===//
//
// A unigram model trained here on generated English-like text: its special
// ids and sentinels, round trips, "<extra_id_N>" markers, decoding as
// Hugging Face's T5Tokenizer prints, determinism and the errors.
// test/t5/tokenizer.test checks the same model against Python's
// sentencepiece and transformers.
//
//===----------------------------------------------------------------------===//

#include "Tokenizer.h"

#include "DataTestSupport.h"
#include "SpanCorruption.h"

using namespace glu::t5;
using namespace glu::t5::test;

namespace {

using Ids = std::vector<int32_t>;
/// The trained model's pieces.
constexpr int32_t kPieces = 100;

/// Documents of sentences of common English words, in lower case (rare
/// characters would be unknown: SentencePiece covers 99.95% of them).
std::vector<Document> englishLike(int documents, uint64_t seed) {
  static const char *words[] = {
      "the",       "of",         "and",       "to",        "in",
      "that",      "is",         "was",       "for",       "with",
      "as",        "his",        "they",      "at",        "be",
      "this",      "from",       "have",      "word",      "but",
      "what",      "some",       "other",     "were",      "when",
      "your",      "said",       "there",     "each",      "which",
      "their",     "time",       "will",      "about",     "many",
      "then",      "would",      "write",     "like",      "these",
      "long",      "make",       "thing",     "look",      "more",
      "could",     "people",     "number",    "water",     "called",
      "first",     "down",       "find",      "after",     "country",
      "mother",    "answer",     "school",    "between",   "morning",
      "program",   "license",    "software",  "freedom",   "source",
      "library",   "distribute", "modify",    "copyright", "warranty",
      "public",    "general",    "river",     "mountain",  "garden",
      "window",    "station",    "teacher",   "quickly",   "slowly",
      "carefully", "together",   "without",   "through",   "remember",
      "believe",   "understand", "question",  "children",  "evening",
      "northern",  "southern",   "beautiful", "important", "different",
      "small"};
  static const char *endings[] = {".", ".", ".", "?", "!", ","};
  SplitMix64 rng(seed);
  std::vector<Document> result;
  for (int d = 0; d < documents; ++d) {
    Document document;
    document.origin = "generated:" + std::to_string(d);
    int lines = 1 + static_cast<int>(rng.below(4));
    for (int l = 0; l < lines; ++l) {
      std::string line;
      int sentences = 1 + static_cast<int>(rng.below(3));
      for (int s = 0; s < sentences; ++s) {
        int length = 4 + static_cast<int>(rng.below(9));
        for (int w = 0; w < length; ++w) {
          line += (line.empty() ? "" : " ");
          line += words[rng.below(std::size(words))];
        }
        line += endings[rng.below(std::size(endings))];
      }
      document.lines.push_back(line);
    }
    result.push_back(document);
  }
  return result;
}

class TokenizerTest : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    dir = new std::string(freshDir("tokenizer"));
    Tokenizer::train(englishLike(400, 1), kPieces, *dir + "/spiece.model");
  }
  static void TearDownTestSuite() { delete dir; }
  static std::string *dir;
};
std::string *TokenizerTest::dir = nullptr;

TEST_F(TokenizerTest, SpecialIdsAndSentinels) {
  Tokenizer tokenizer = Tokenizer::load(*dir + "/spiece.model");
  EXPECT_EQ(tokenizer.pieceCount(), kPieces);
  EXPECT_EQ(tokenizer.size(), kPieces + 100);
  EXPECT_EQ(tokenizer.sentinel(0), kPieces + 99);
  EXPECT_EQ(tokenizer.sentinel(99), kPieces);
  EXPECT_EQ(tokenizer.pad(), 0);
  EXPECT_EQ(tokenizer.eos(), 1);
  EXPECT_EQ(tokenizer.serialized(), readFile(*dir + "/spiece.model"));
  Tokenizer few = Tokenizer::load(*dir + "/spiece.model", 3);
  EXPECT_EQ(few.size(), kPieces + 3);
  EXPECT_EQ(few.sentinel(0), kPieces + 2);
}

TEST_F(TokenizerTest, RoundTrip) {
  Tokenizer tokenizer = Tokenizer::load(*dir + "/spiece.model");
  for (const Document &document : englishLike(20, 2)) {
    for (const std::string &line : document.lines) {
      Ids ids = tokenizer.encode(line);
      ASSERT_FALSE(ids.empty());
      for (int32_t id : ids) {
        EXPECT_GT(id, 2) << line; // no pad, EOS or unknown
        EXPECT_LT(id, tokenizer.pieceCount());
      }
      EXPECT_EQ(tokenizer.decode(ids), line);
    }
  }
  // Characters the training text lacks are unknown, printed as "<unk>".
  Ids ids = tokenizer.encode("the 42 zebras");
  EXPECT_NE(std::find(ids.begin(), ids.end(), 2), ids.end());
  EXPECT_EQ(tokenizer.encode(""), Ids{});
}

TEST_F(TokenizerTest, Sentinels) {
  Tokenizer tokenizer = Tokenizer::load(*dir + "/spiece.model");
  Ids the = tokenizer.encode("the"), park = tokenizer.encode("park");
  Ids walks = tokenizer.encode("walks in");
  // Each piece of text is encoded on its own, whitespace around a marker
  // dropped.
  Ids expected = the;
  expected.push_back(kPieces + 99);
  expected.insert(expected.end(), walks.begin(), walks.end());
  expected.push_back(kPieces + 98);
  expected.insert(expected.end(), park.begin(), park.end());
  EXPECT_EQ(tokenizer.encode("the <extra_id_0> walks in <extra_id_1> park"),
            expected);
  EXPECT_EQ(tokenizer.encode("the<extra_id_0>walks in<extra_id_1>park"),
            expected);
  EXPECT_EQ(tokenizer.encode("<extra_id_99><extra_id_0>"),
            (Ids{kPieces, kPieces + 99}));
  // Not markers: out of range, leading zeros, unterminated.
  for (const char *text : {"<extra_id_100>", "<extra_id_01>", "<extra_id_7",
                           "<extra_id_>", "<extra_id_x>"}) {
    Ids ids = tokenizer.encode(text);
    for (int32_t id : ids)
      EXPECT_LT(id, tokenizer.pieceCount()) << text;
  }
  // "<extra_id_<extra_id_3>": the second one is a marker.
  Ids nested = tokenizer.encode("<extra_id_<extra_id_3>");
  EXPECT_EQ(nested.back(), kPieces + 96);
}

// As T5Tokenizer.decode(skip_special_tokens=False) prints, less pad and EOS.
TEST_F(TokenizerTest, Decode) {
  Tokenizer tokenizer = Tokenizer::load(*dir + "/spiece.model");
  std::string text = "the<extra_id_0> walks in<extra_id_1> park";
  EXPECT_EQ(tokenizer.decode(tokenizer.encode(
                "the <extra_id_0> walks in <extra_id_1> park")),
            text);
  std::string targets = "<extra_id_0> cute dog<extra_id_1> the<extra_id_2>";
  EXPECT_EQ(tokenizer.decode(tokenizer.encode(targets)), targets);
  Ids ids = tokenizer.encode("the cat");
  Ids padded = {0, 1};
  padded.insert(padded.end(), ids.begin(), ids.end());
  padded.insert(padded.end(), {1, 0, 0});
  EXPECT_EQ(tokenizer.decode(padded), "the cat");
  EXPECT_EQ(tokenizer.decode({kPieces + 99, 1}), "<extra_id_0>");
  EXPECT_EQ(tokenizer.decode({2}), "<unk>");
  EXPECT_GLU_ERROR(tokenizer.decode({kPieces + 100}),
                   "id 200 is not in the vocabulary of 200");
  EXPECT_GLU_ERROR(tokenizer.decode({-1}), "id -1 is not in the vocabulary");
}

TEST_F(TokenizerTest, TrainingIsDeterministic) {
  std::string again = freshDir("tokenizer-again") + "/spiece.model";
  Tokenizer::train(englishLike(400, 1), kPieces, again);
  EXPECT_EQ(readFile(again), readFile(*dir + "/spiece.model"));
  // Written atomically: nothing left beside it.
  int files = 0;
  for (auto &entry : std::filesystem::directory_iterator(
           std::filesystem::path(again).parent_path())) {
    (void)entry;
    ++files;
  }
  EXPECT_EQ(files, 1);
}

TEST_F(TokenizerTest, Errors) {
  std::string errors = freshDir("tokenizer-errors");
  EXPECT_GLU_ERROR(Tokenizer::load(errors + "/missing.model"),
                   "cannot read " + errors + "/missing.model: ");
  writeFile(errors + "/garbage.model", "not a model");
  EXPECT_GLU_ERROR(Tokenizer::load(errors + "/garbage.model"),
                   errors + "/garbage.model: not a SentencePiece model");
  // SentencePiece's message: too many pieces for the text.
  EXPECT_GLU_ERROR(
      Tokenizer::train(englishLike(3, 1), 5000, errors + "/big.model"),
      "cannot train a tokenizer of 5000 pieces: ");
  EXPECT_FALSE(std::filesystem::exists(errors + "/big.model"));
  EXPECT_GLU_ERROR(Tokenizer::train({}, 100, errors + "/none.model"),
                   "no document to train the tokenizer on");
  EXPECT_GLU_ERROR(Tokenizer::train(englishLike(400, 1), kPieces,
                                    errors + "/no/such/dir/m.model"),
                   "cannot write " + errors + "/no/such/dir/m.model");
}

} // namespace
