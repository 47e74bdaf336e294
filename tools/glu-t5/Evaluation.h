//===- Evaluation.h - held-out log-perplexity -------------------*- C++ -*-===//
//
// The paper's Table 1 measure: the log-perplexity (natural log, per target
// token) of the span-corruption targets of held-out documents, from the
// compiled `loss` entry (the mean over a batch's target tokens, weighted
// back by their count), and the same measure for a unigram model of the
// training targets: the baseline a model must fall well below.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_TOOLS_T5_EVALUATION_H
#define GLU_TOOLS_T5_EVALUATION_H

#include "PretrainingData.h"
#include "Session.h"
#include "Tokenizer.h"

#include <map>
#include <string>

namespace glu::t5 {

/// The examples of a corpus split: the training ones in a new document
/// order each epoch from `seed`; the held-out ones in file order with a
/// fixed seed, the same for every seed, run and checkpoint.
PretrainingData trainingExamples(const Tokenizer &tokenizer,
                                 const std::vector<Document> &documents,
                                 const T5Shapes &shapes, uint64_t seed);
PretrainingData heldOutExamples(const Tokenizer &tokenizer,
                                const std::vector<Document> &documents,
                                const T5Shapes &shapes);

struct Evaluation {
  double logPerplexity = 0;
  int64_t targetTokens = 0;
  int64_t batches = 0;
};

/// The batches evaluated: the held-out stream's whole batches, at most
/// `maxBatches` (0: all). Throws glu::Error when there is not one.
int64_t evaluationBatches(const PretrainingData &heldOut, int64_t batch,
                          int64_t maxBatches);

/// Calls `loss` on the first `batches` batches of `heldOut`; the
/// parameters are `parameters` by name (a train step's buffers), else the
/// session's checkpoint.
Evaluation evaluate(Session &session, const EntryPoint &loss,
                    const std::map<std::string, Buffer> &parameters,
                    const PretrainingData &heldOut, int64_t batches);

/// The log-perplexity on the same held-out targets of the unigram model
/// of the targets of `trainExamples` training examples (add-one smoothed
/// over `vocabSize`).
double unigramLogPerplexity(const PretrainingData &train, int64_t trainExamples,
                            const PretrainingData &heldOut, int64_t batch,
                            int64_t batches, int64_t vocabSize);

} // namespace glu::t5

#endif // GLU_TOOLS_T5_EVALUATION_H
