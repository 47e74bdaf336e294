//===- CorpusTest.cpp - plain-text corpora and the held-out split ---------===//
//
// Documents split at blank lines, the held-out split's independence of the
// files' order and its monotonicity in the fraction, and the errors.
//
//===----------------------------------------------------------------------===//

#include "Corpus.h"

#include "DataTestSupport.h"

#include <set>

using namespace glu::t5;
using namespace glu::t5::test;

namespace {

using Lines = std::vector<std::string>;

TEST(Corpus, BlankLinesSeparateDocuments) {
  std::string dir = freshDir("corpus-blank");
  writeFile(dir + "/a.txt", "\n\nFirst line.  \r\nSecond line.\r\n\r\n \t\n"
                            "Third document\n\n\nfourth\tdocument");
  Corpus corpus = readCorpus({dir + "/a.txt"}, 0);
  ASSERT_EQ(corpus.train.size(), 3u);
  EXPECT_TRUE(corpus.heldOut.empty());
  EXPECT_EQ(corpus.train[0].lines, (Lines{"First line.", "Second line."}));
  EXPECT_EQ(corpus.train[0].origin, dir + "/a.txt:3");
  EXPECT_EQ(corpus.train[1].lines, (Lines{"Third document"}));
  EXPECT_EQ(corpus.train[1].origin, dir + "/a.txt:7");
  EXPECT_EQ(corpus.train[2].lines, (Lines{"fourth\tdocument"}));
  EXPECT_EQ(corpus.train[2].origin, dir + "/a.txt:10");
  EXPECT_EQ(corpus.bytes, 11 + 12 + 14 + 15);
}

TEST(Corpus, FileWithoutBlankLinesIsOneDocument) {
  std::string dir = freshDir("corpus-one");
  writeFile(dir + "/a.txt", "one\ntwo\nthree\n");
  writeFile(dir + "/b.txt", "four");
  Corpus corpus = readCorpus({dir + "/a.txt", dir + "/b.txt"}, 0);
  ASSERT_EQ(corpus.train.size(), 2u);
  EXPECT_EQ(corpus.train[0].lines, (Lines{"one", "two", "three"}));
  EXPECT_EQ(corpus.train[1].lines, (Lines{"four"}));
  EXPECT_EQ(corpus.train[1].origin, dir + "/b.txt:1");
}

/// `count` short documents, numbered from `first`.
std::string documents(int first, int count) {
  std::string text;
  for (int i = first; i < first + count; ++i)
    text += "Document number " + std::to_string(i) + ".\nIts second line.\n\n";
  return text;
}

std::set<std::string> firstLines(const std::vector<Document> &documents) {
  std::set<std::string> lines;
  for (const Document &document : documents)
    lines.insert(document.lines.front());
  return lines;
}

TEST(Corpus, SplitIgnoresFileOrder) {
  std::string dir = freshDir("corpus-order");
  writeFile(dir + "/a.txt", documents(0, 300));
  writeFile(dir + "/b.txt", documents(300, 300));
  Corpus ab = readCorpus({dir + "/a.txt", dir + "/b.txt"}, 0.2);
  Corpus ba = readCorpus({dir + "/b.txt", dir + "/a.txt"}, 0.2);
  EXPECT_EQ(firstLines(ab.heldOut), firstLines(ba.heldOut));
  EXPECT_EQ(firstLines(ab.train), firstLines(ba.train));
  EXPECT_EQ(ab.train.size() + ab.heldOut.size(), 600u);
  // About a fifth, by the hash.
  EXPECT_GT(ab.heldOut.size(), 80u);
  EXPECT_LT(ab.heldOut.size(), 160u);
  // A document's fate does not depend on the others.
  Corpus a = readCorpus({dir + "/a.txt"}, 0.2);
  for (const Document &document : a.heldOut)
    EXPECT_TRUE(firstLines(ab.heldOut).count(document.lines.front()));
}

TEST(Corpus, HeldOutGrowsWithTheFraction) {
  std::string dir = freshDir("corpus-fraction");
  writeFile(dir + "/a.txt", documents(0, 500));
  Corpus small = readCorpus({dir + "/a.txt"}, 0.05);
  Corpus large = readCorpus({dir + "/a.txt"}, 0.5);
  std::set<std::string> largeHeldOut = firstLines(large.heldOut);
  for (const std::string &line : firstLines(small.heldOut))
    EXPECT_TRUE(largeHeldOut.count(line)) << line;
  EXPECT_LT(small.heldOut.size(), large.heldOut.size());
  Document document{{"some text"}, "x:1"};
  EXPECT_FALSE(isHeldOut(document, 0));
  EXPECT_EQ(isHeldOut(document, 0.5), isHeldOut(document, 0.5));
}

// The hash is of the text only: the origin does not matter, the lines'
// boundaries do.
TEST(Corpus, HeldOutByText) {
  int differ = 0;
  for (int i = 0; i < 200; ++i) {
    std::string a = "line " + std::to_string(i), b = "more";
    Document one{{a, b}, "x:1"}, moved{{a, b}, "y:9"}, joined{{a + b}, "x:1"};
    EXPECT_EQ(isHeldOut(one, 0.5), isHeldOut(moved, 0.5));
    differ += isHeldOut(one, 0.5) != isHeldOut(joined, 0.5);
  }
  EXPECT_GT(differ, 50);
}

TEST(Corpus, Errors) {
  std::string dir = freshDir("corpus-errors");
  writeFile(dir + "/empty.txt", "\n \n\t\r\n");
  writeFile(dir + "/one.txt", "A single document.\n");
  EXPECT_GLU_ERROR(readCorpus({dir + "/missing.txt"}, 0),
                   "cannot read " + dir + "/missing.txt: ");
  EXPECT_GLU_ERROR(readCorpus({dir + "/one.txt", dir}, 0),
                   "cannot read " + dir);
  EXPECT_GLU_ERROR(readCorpus({dir + "/empty.txt"}, 0),
                   "the corpus (" + dir + "/empty.txt) has no document");
  EXPECT_GLU_ERROR(readCorpus({}, 0), "the corpus names no file");
  EXPECT_GLU_ERROR(readCorpus({dir + "/one.txt"}, 1.5),
                   "the held-out fraction must be in [0, 1), got 1.5");
  // The single document is either held out or not: one split is empty.
  bool heldOut = isHeldOut(Document{{"A single document."}, ""}, 0.5);
  EXPECT_GLU_ERROR(readCorpus({dir + "/one.txt", dir + "/empty.txt"}, 0.5),
                   heldOut ? "has no training document: all 1 are held out"
                           : "has no held-out document: 1 documents, none "
                             "held out at 0.5");
}

} // namespace
