//===- Evaluation.cpp - held-out log-perplexity ---------------------------===//

#include "Evaluation.h"

#include <cmath>

using namespace glu;
using namespace glu::t5;

PretrainingData
glu::t5::trainingExamples(const Tokenizer &tokenizer,
                          const std::vector<Document> &documents,
                          const T5Shapes &shapes, uint64_t seed) {
  return PretrainingData(encodeDocuments(tokenizer, documents),
                         shapes.sourceLength, shapes.targetLength,
                         tokenizer.sentinel(0), tokenizer.eos(), seed,
                         /*shuffleEachEpoch=*/true);
}

PretrainingData glu::t5::heldOutExamples(const Tokenizer &tokenizer,
                                         const std::vector<Document> &documents,
                                         const T5Shapes &shapes) {
  return PretrainingData(encodeDocuments(tokenizer, documents),
                         shapes.sourceLength, shapes.targetLength,
                         tokenizer.sentinel(0), tokenizer.eos(), /*seed=*/0,
                         /*shuffleEachEpoch=*/false);
}

int64_t glu::t5::evaluationBatches(const PretrainingData &heldOut,
                                   int64_t batch, int64_t maxBatches) {
  int64_t whole = heldOut.examplesPerEpoch() / batch;
  if (whole < 1)
    throw Error("the held-out split makes " +
                std::to_string(heldOut.examplesPerEpoch()) +
                " examples, fewer than one batch of " + std::to_string(batch) +
                ": give a larger --held-out fraction or a larger corpus");
  return maxBatches > 0 ? std::min(whole, maxBatches) : whole;
}

Evaluation glu::t5::evaluate(Session &session, const EntryPoint &loss,
                             const std::map<std::string, Buffer> &parameters,
                             const PretrainingData &heldOut, int64_t batches) {
  const T5Shapes &shapes = session.shapes();
  std::map<std::string, Buffer> given;
  for (const TensorSpec &spec : loss.arguments) {
    auto it = parameters.find(spec.name);
    if (it != parameters.end() && it->second.type() == spec.type)
      given[spec.name] = it->second;
  }
  Buffer &ids = given["input_ids"], &mask = given["attention_mask"],
         &labels = given["labels"];
  TensorType source{DType::I32, {shapes.batch, shapes.sourceLength}};
  TensorType target{DType::I32, {shapes.batch, shapes.targetLength}};
  ids = session.runtime().allocate(source, "input_ids");
  mask = session.runtime().allocate(source, "attention_mask");
  labels = session.runtime().allocate(target, "labels");
  std::vector<Buffer> args = session.bind(loss, given);
  std::vector<Buffer> results = session.resultsFor(loss, args);

  double total = 0;
  Evaluation evaluation;
  for (int64_t b = 0; b < batches; ++b) {
    Batch data = heldOut.batch(b * shapes.batch, shapes.batch);
    ids.upload(data.inputIds.data(), data.inputIds.size() * 4);
    mask.upload(data.attentionMask.data(), data.attentionMask.size() * 4);
    labels.upload(data.labels.data(), data.labels.size() * 4);
    session.call(loss, args, results);
    double mean = Session::result(loss, results, "loss").read<float>()[0];
    total += mean * static_cast<double>(data.targetTokens);
    evaluation.targetTokens += data.targetTokens;
  }
  evaluation.batches = batches;
  evaluation.logPerplexity =
      evaluation.targetTokens ? total / evaluation.targetTokens : 0;
  return evaluation;
}

double glu::t5::unigramLogPerplexity(const PretrainingData &train,
                                     int64_t trainExamples,
                                     const PretrainingData &heldOut,
                                     int64_t batch, int64_t batches,
                                     int64_t vocabSize) {
  std::vector<double> counts(vocabSize, 1.0);
  double total = static_cast<double>(vocabSize);
  for (int64_t i = 0; i < trainExamples; ++i)
    for (int32_t id : train.example(i).targets)
      if (id >= 0 && id < vocabSize) {
        counts[id] += 1;
        total += 1;
      }
  double sum = 0;
  int64_t tokens = 0;
  for (int64_t i = 0; i < batches * batch; ++i)
    for (int32_t id : heldOut.example(i).targets)
      if (id >= 0 && id < vocabSize) {
        sum -= std::log(counts[id] / total);
        ++tokens;
      }
  return tokens ? sum / tokens : 0;
}
