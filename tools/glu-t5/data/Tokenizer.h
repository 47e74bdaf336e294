//===- Tokenizer.h - SentencePiece with T5's sentinels ----------*- C++ -*-===//
//
// T5's vocabulary: a SentencePiece model (pad 0, EOS 1, unknown 2, no BOS)
// and `extraIds` sentinels above its pieces, <extra_id_0> the highest id
// (pieces + extraIds - 1), <extra_id_N> N below it, as seqio's
// SentencePieceVocabulary(extra_ids=100) and Hugging Face's T5Tokenizer
// number them. Loads any spiece.model (a Hugging Face T5 tokenizer's
// included) and trains one on the training split of a corpus, as T5's was
// trained: a unigram model with T5's special ids.
//
// Built with exceptions: errors are glu::Error naming the file.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_TOOLS_T5_TOKENIZER_H
#define GLU_TOOLS_T5_TOKENIZER_H

#include "Corpus.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace sentencepiece {
class SentencePieceProcessor;
} // namespace sentencepiece

namespace glu::t5 {

class Tokenizer {
public:
  static constexpr int64_t kDefaultExtraIds = 100;

  /// Loads `modelPath` (a serialized SentencePiece ModelProto).
  static Tokenizer load(const std::string &modelPath,
                        int64_t extraIds = kDefaultExtraIds);
  /// Trains a unigram model of `pieces` pieces on the lines of `documents`
  /// and writes it to `modelPath` (written beside it and renamed over
  /// it). Deterministic for the same documents. Throws when the text is
  /// too small for that many pieces (SentencePiece's message).
  static void train(const std::vector<Document> &documents, int64_t pieces,
                    const std::string &modelPath);

  Tokenizer(Tokenizer &&);
  Tokenizer &operator=(Tokenizer &&);
  ~Tokenizer();

  /// Ids of `text`; "<extra_id_N>" in the text is sentinel N, the text
  /// between markers is SentencePiece's encoding of each piece on its own
  /// (as T5Tokenizer encodes it). No EOS is appended.
  std::vector<int32_t> encode(llvm::StringRef text) const;
  /// The text of `ids`: sentinels as "<extra_id_N>", pad and EOS dropped,
  /// as T5Tokenizer.decode(skip_special_tokens=False) prints the rest
  /// (Tokenizer.cpp). Throws for an id outside the vocabulary.
  std::string decode(llvm::ArrayRef<int32_t> ids) const;

  /// Pieces + sentinels: the smallest vocab_size a model needs.
  int64_t size() const { return pieces + extraIds; }
  int64_t pieceCount() const { return pieces; }
  int32_t sentinel(int64_t n) const {
    return static_cast<int32_t>(size() - 1 - n);
  }
  int32_t pad() const { return 0; }
  int32_t eos() const { return 1; }
  /// The model's serialized bytes (to copy it beside a checkpoint).
  const std::string &serialized() const { return bytes; }

private:
  Tokenizer() = default;
  std::unique_ptr<sentencepiece::SentencePieceProcessor> processor;
  std::string bytes;
  int64_t pieces = 0;
  int64_t extraIds = 0;
};

/// The ids of each document: its lines encoded one by one, concatenated
/// (as SentencePiece would encode them joined by spaces).
inline std::vector<std::vector<int32_t>>
encodeDocuments(const Tokenizer &tokenizer,
                const std::vector<Document> &documents) {
  std::vector<std::vector<int32_t>> ids;
  ids.reserve(documents.size());
  for (const Document &document : documents) {
    std::vector<int32_t> &tokens = ids.emplace_back();
    for (const std::string &line : document.lines) {
      std::vector<int32_t> lineIds = tokenizer.encode(line);
      tokens.insert(tokens.end(), lineIds.begin(), lineIds.end());
    }
  }
  return ids;
}

} // namespace glu::t5

#endif // GLU_TOOLS_T5_TOKENIZER_H
