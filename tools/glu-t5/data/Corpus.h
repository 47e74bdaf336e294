//===- Corpus.h - plain-text documents and the held-out split ---*- C++ -*-===//
//
// A corpus is plain text files. A document is a block of non-blank lines
// (blank lines separate documents; a file without blank lines is one
// document); lines keep their text with trailing whitespace and '\r'
// removed. Each document goes to the held-out split or to the training
// split by a hash of its text (FNV-1a 64 of the lines joined by '\n',
// mixed by SplitMix64's finalizer, as a fraction of 2^64 below
// `heldOutFraction`), so the split does not depend on the order of the
// files, on the training seed or on the other documents: a document is
// never trained on if it is held out in any run.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_TOOLS_T5_CORPUS_H
#define GLU_TOOLS_T5_CORPUS_H

#include <cstdint>
#include <string>
#include <vector>

namespace glu::t5 {

struct Document {
  std::vector<std::string> lines;
  /// "FILE:LINE" of its first line, for messages.
  std::string origin;
};

struct Corpus {
  std::vector<Document> train;
  std::vector<Document> heldOut;
  /// Bytes of text read (the lines' lengths).
  int64_t bytes = 0;
};

/// Whether `document` is held out at `heldOutFraction` (in [0, 1)).
bool isHeldOut(const Document &document, double heldOutFraction);

/// Reads `files` in order. Throws glu::Error naming the file when one
/// cannot be read, and when the corpus has no document, or no document in
/// a split that needs one (the training split always; the held-out split
/// when heldOutFraction > 0).
Corpus readCorpus(const std::vector<std::string> &files,
                  double heldOutFraction);

} // namespace glu::t5

#endif // GLU_TOOLS_T5_CORPUS_H
