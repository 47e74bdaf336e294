//===- Corpus.cpp - plain-text documents and the held-out split -----------===//
//
// Built with exceptions: errors are glu::Error naming the file.
//
//===----------------------------------------------------------------------===//

#include "Corpus.h"

#include "glu/Types.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cmath>
#include <sstream>

using namespace glu;
using namespace glu::t5;

/// `value` as "0.05", for messages.
static std::string format(double value) {
  std::ostringstream os;
  os << value;
  return os.str();
}

/// SplitMix64's finalizer (its output function without the increment).
static uint64_t mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/// FNV-1a 64 of the document's lines joined by '\n'.
static uint64_t fnv1a(const Document &document) {
  uint64_t hash = 0xCBF29CE484222325ULL;
  auto add = [&](unsigned char byte) {
    hash ^= byte;
    hash *= 0x100000001B3ULL;
  };
  for (size_t i = 0, e = document.lines.size(); i < e; ++i) {
    if (i)
      add('\n');
    for (char c : document.lines[i])
      add(static_cast<unsigned char>(c));
  }
  return hash;
}

bool glu::t5::isHeldOut(const Document &document, double heldOutFraction) {
  // The top 53 bits as a fraction of 1: exact in a double.
  double fraction =
      std::ldexp(static_cast<double>(mix(fnv1a(document)) >> 11), -53);
  return fraction < heldOutFraction;
}

/// Appends the documents of `text` (read from `file`) to `documents`.
static void splitDocuments(llvm::StringRef text, const std::string &file,
                           std::vector<Document> &documents, int64_t &bytes) {
  Document current;
  int64_t lineNumber = 0;
  auto finish = [&] {
    if (!current.lines.empty())
      documents.push_back(std::move(current));
    current = Document();
  };
  while (!text.empty()) {
    auto [line, rest] = text.split('\n');
    text = rest;
    ++lineNumber;
    line = line.rtrim(" \t\r\v\f");
    if (line.empty()) {
      finish();
      continue;
    }
    if (current.lines.empty())
      current.origin = file + ":" + std::to_string(lineNumber);
    current.lines.push_back(line.str());
    bytes += static_cast<int64_t>(line.size());
  }
  finish();
}

Corpus glu::t5::readCorpus(const std::vector<std::string> &files,
                           double heldOutFraction) {
  if (!(heldOutFraction >= 0 && heldOutFraction < 1))
    throw Error("the held-out fraction must be in [0, 1), got " +
                format(heldOutFraction));
  if (files.empty())
    throw Error("the corpus names no file");
  Corpus corpus;
  std::vector<Document> documents;
  for (const std::string &file : files) {
    auto buffer = llvm::MemoryBuffer::getFile(file, /*IsText=*/false,
                                              /*RequiresNullTerminator=*/false);
    if (!buffer)
      throw Error("cannot read " + file + ": " + buffer.getError().message());
    documents.clear();
    splitDocuments((*buffer)->getBuffer(), file, documents, corpus.bytes);
    for (Document &document : documents)
      (isHeldOut(document, heldOutFraction) ? corpus.heldOut : corpus.train)
          .push_back(std::move(document));
  }
  std::string names = files.front();
  if (files.size() > 1)
    names += " and " + std::to_string(files.size() - 1) + " more";
  size_t total = corpus.train.size() + corpus.heldOut.size();
  if (total == 0)
    throw Error("the corpus (" + names + ") has no document");
  if (corpus.train.empty())
    throw Error("the corpus (" + names + ") has no training document: all " +
                std::to_string(total) + " are held out");
  if (heldOutFraction > 0 && corpus.heldOut.empty())
    throw Error("the corpus (" + names +
                ") has no held-out document: " + std::to_string(total) +
                " documents, none held out at " + format(heldOutFraction));
  return corpus;
}
