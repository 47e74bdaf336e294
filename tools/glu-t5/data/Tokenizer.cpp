//===- Tokenizer.cpp - SentencePiece with T5's sentinels ------------------===//
//
// Text and ids as Hugging Face's T5Tokenizer (transformers 5, converted
// from the same spiece.model) has them:
//
//  - encode: the text is cut at each "<extra_id_N>" (N < extraIds, no
//    leading zeros), which becomes sentinel(N); each piece of text between
//    is encoded by SentencePiece on its own (so gets its own dummy prefix
//    and loses its surrounding whitespace).
//  - decode: pad and EOS are dropped; sentinels print as "<extra_id_N>" and
//    the unknown id as its piece ("<unk>", where SentencePiece prints
//    " ⁇ "); each run of other ids between them is decoded by SentencePiece,
//    with a space before it when its first piece starts with "▁" and it
//    follows a sentinel or the unknown id (SentencePiece drops that leading
//    space, the Metaspace decoder keeps it): "The<extra_id_0> walks in
//    <extra_id_1> park" is printed "The<extra_id_0> walks in<extra_id_1>
//    park".
//
// Training: a unigram model with T5's special ids, the documents' lines as
// the sentences, and SentencePiece's other defaults (T5's vocabulary was
// trained so). 16 threads whatever the machine: the unigram trainer's sums
// depend on how it splits the sentences among its threads, so a fixed
// count keeps the model the same everywhere.
//
//===----------------------------------------------------------------------===//

#include "Tokenizer.h"

#include "glu/Types.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <string_view>
#include <unordered_map>

using namespace glu;
using namespace glu::t5;

static constexpr llvm::StringLiteral kSentinelPrefix = "<extra_id_";
/// "▁" (U+2581), SentencePiece's whitespace.
static constexpr llvm::StringLiteral kWordBoundary = "\xE2\x96\x81";

Tokenizer::Tokenizer(Tokenizer &&) = default;
Tokenizer &Tokenizer::operator=(Tokenizer &&) = default;
Tokenizer::~Tokenizer() = default;

Tokenizer Tokenizer::load(const std::string &modelPath, int64_t extraIds) {
  if (extraIds < 0)
    throw Error("the number of sentinels must not be negative, got " +
                std::to_string(extraIds));
  auto buffer = llvm::MemoryBuffer::getFile(modelPath, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    throw Error("cannot read " + modelPath + ": " +
                buffer.getError().message());
  Tokenizer tokenizer;
  tokenizer.bytes = (*buffer)->getBuffer().str();
  tokenizer.processor =
      std::make_unique<sentencepiece::SentencePieceProcessor>();
  sentencepiece::util::Status status =
      tokenizer.processor->LoadFromSerializedProto(tokenizer.bytes);
  if (!status.ok())
    throw Error(modelPath + ": not a SentencePiece model (" +
                status.ToString() + ")");
  const sentencepiece::SentencePieceProcessor &processor = *tokenizer.processor;
  if (processor.pad_id() != 0 || processor.eos_id() != 1)
    throw Error(modelPath + ": pad and EOS are ids " +
                std::to_string(processor.pad_id()) + " and " +
                std::to_string(processor.eos_id()) +
                "; T5 needs them at 0 and 1");
  tokenizer.pieces = processor.GetPieceSize();
  tokenizer.extraIds = extraIds;
  return tokenizer;
}

namespace {
/// The non-empty lines of the documents, in order.
class LineIterator : public sentencepiece::SentenceIterator {
public:
  explicit LineIterator(const std::vector<Document> &documents)
      : documents(documents) {
    skipFinished();
  }
  bool done() const override { return document == documents.size(); }
  void Next() override {
    ++line;
    skipFinished();
  }
  const std::string &value() const override {
    return documents[document].lines[line];
  }
  sentencepiece::util::Status status() const override { return {}; }

private:
  void skipFinished() {
    while (document < documents.size() &&
           line == documents[document].lines.size()) {
      ++document;
      line = 0;
    }
  }
  const std::vector<Document> &documents;
  size_t document = 0, line = 0;
};
} // namespace

void Tokenizer::train(const std::vector<Document> &documents, int64_t pieces,
                      const std::string &modelPath) {
  // The special pieces and at least one other.
  if (pieces < 4)
    throw Error("a tokenizer needs at least 4 pieces, got " +
                std::to_string(pieces));
  if (documents.empty())
    throw Error("no document to train the tokenizer on");
  const std::unordered_map<std::string, std::string> options = {
      {"model_type", "unigram"},
      {"vocab_size", std::to_string(pieces)},
      {"pad_id", "0"},
      {"eos_id", "1"},
      {"unk_id", "2"},
      {"bos_id", "-1"},
      {"num_threads", "16"},
      // Train on paragraphs of up to 64 KiB (SentencePiece skips longer
      // ones; its default is 4192 bytes).
      {"max_sentence_length", "65536"},
      // Errors only: no progress log on stderr.
      {"minloglevel", "2"},
  };
  LineIterator lines(documents);
  std::string model;
  sentencepiece::util::Status status =
      sentencepiece::SentencePieceTrainer::Train(options, &lines, &model);
  if (!status.ok())
    throw Error("cannot train a tokenizer of " + std::to_string(pieces) +
                " pieces: " + status.ToString());

  // Written beside the model and renamed over it.
  int fd = -1;
  llvm::SmallString<256> temporary;
  if (std::error_code error = llvm::sys::fs::createUniqueFile(
          modelPath + ".tmp-%%%%%%", fd, temporary))
    throw Error("cannot write " + modelPath + ": " + error.message());
  {
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    os << model;
    os.close();
    if (os.has_error()) {
      std::string message = os.error().message();
      os.clear_error();
      llvm::sys::fs::remove(temporary);
      throw Error("cannot write " + modelPath + ": " + message);
    }
  }
  if (std::error_code error = llvm::sys::fs::rename(temporary, modelPath)) {
    llvm::sys::fs::remove(temporary);
    throw Error("cannot write " + modelPath + ": " + error.message());
  }
}

std::vector<int32_t> Tokenizer::encode(llvm::StringRef text) const {
  std::vector<int32_t> ids;
  std::vector<int> pieceIds;
  auto encodeText = [&](llvm::StringRef part) {
    if (part.empty())
      return;
    sentencepiece::util::Status status = processor->Encode(
        std::string_view(part.data(), part.size()), &pieceIds);
    if (!status.ok())
      throw Error("cannot encode text: " + status.ToString());
    ids.insert(ids.end(), pieceIds.begin(), pieceIds.end());
  };
  // `done`: the end of the text encoded so far; `at`: where to look for
  // the next marker.
  size_t done = 0;
  for (size_t at = text.find(kSentinelPrefix); at != llvm::StringRef::npos;
       at = text.find(kSentinelPrefix, at + 1)) {
    size_t digits = at + kSentinelPrefix.size();
    size_t end = text.find_first_not_of("0123456789", digits);
    if (end == llvm::StringRef::npos || end == digits || text[end] != '>')
      continue;
    llvm::StringRef number = text.slice(digits, end);
    uint64_t n;
    if ((number.size() > 1 && number.front() == '0') ||
        number.getAsInteger(10, n) || n >= static_cast<uint64_t>(extraIds))
      continue;
    encodeText(text.slice(done, at));
    ids.push_back(sentinel(static_cast<int64_t>(n)));
    done = end + 1;
    at = end;
  }
  encodeText(text.substr(done));
  return ids;
}

std::string Tokenizer::decode(llvm::ArrayRef<int32_t> ids) const {
  std::string text;
  std::vector<int> run;
  // Whether the text so far ends in a sentinel or the unknown id.
  bool afterSpecial = false;
  auto flush = [&] {
    if (run.empty())
      return;
    std::string decoded;
    sentencepiece::util::Status status = processor->Decode(run, &decoded);
    if (!status.ok())
      throw Error("cannot decode ids: " + status.ToString());
    if (afterSpecial && llvm::StringRef(processor->IdToPiece(run.front()))
                            .starts_with(kWordBoundary))
      text += ' ';
    text += decoded;
    run.clear();
    afterSpecial = false;
  };
  for (int32_t id : ids) {
    if (id < 0 || id >= size())
      throw Error("id " + std::to_string(id) + " is not in the vocabulary of " +
                  std::to_string(size()));
    if (id == pad() || id == eos())
      continue;
    if (id >= pieces) {
      flush();
      text += kSentinelPrefix;
      text += std::to_string(size() - 1 - id);
      text += '>';
      afterSpecial = true;
    } else if (processor->IsUnknown(id)) {
      flush();
      text += processor->IdToPiece(id);
      afterSpecial = true;
    } else {
      run.push_back(id);
    }
  }
  flush();
  return text;
}
