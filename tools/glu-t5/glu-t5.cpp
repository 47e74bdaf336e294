//===- glu-t5.cpp - T5 graphs from a Hugging Face config ------------------===//
//
//   glu-t5 emit --config config.json [--batch N] [--source-length S]
//          [--target-length T] [--entries encode,decode,...]
//          [--optimizer adafactor|adamw] [--weight-decay W] [-o out.mlir]
//   glu-t5 compile --config config.json [the same] -o ARTIFACT
//          [--compile-option=--no-fuse]... [--force]
//   glu-t5 run ARTIFACT --checkpoint DIR --entry NAME [--input N=F.npy]...
//          [--steps N] [--output-dir DIR] [--save-checkpoint DIR]
//   glu-t5 generate ARTIFACT --checkpoint DIR --input input_ids=F.npy
//          --input attention_mask=F.npy [--max-new-tokens N] [--output F]
//   glu-t5 init --config config.json -o DIR [--seed N]
//   glu-t5 train --config config.json --corpus FILE... --out RUN [--steps N]
//          [--resume] [...]     (Train.cpp)
//   glu-t5 eval --checkpoint DIR --corpus FILE... [...]   (Eval.cpp)
//   glu-t5 corrupt --seed S (--ids 5,6,7 | --length N | --tokenizer
//          spiece.model --text TEXT) [--count K]   (Corrupt.cpp)
//
// emit writes T5ForConditionalGeneration's graphs for a Hugging Face
// config.json as one MLIR module (graph/T5Model.h); compile turns it into
// an artifact with glu-compile; run executes it on a Hugging Face
// checkpoint, generate decodes greedily with it; init writes a freshly
// initialized checkpoint; train pretrains on plain text with T5's span
// corruption, eval measures a checkpoint's held-out log-perplexity;
// corrupt shows what span corruption makes of some tokens. Exit status: 0 on
// success, 1 on any error (one line on stderr naming the problem), 2 on a usage
// error.
//
//===----------------------------------------------------------------------===//

#include "Commands.h"

#include "llvm/Support/InitLLVM.h"

using namespace glu::t5;
namespace cl = llvm::cl;

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  programPath = argv[0];
  cl::ParseCommandLineOptions(argc, argv,
                              "glu-t5: T5 graphs from a Hugging Face config\n");
  if (emitCommand())
    return emit();
  if (compileCommand())
    return compile();
  if (runCommand())
    return run();
  if (initCommand())
    return glu::t5::init();
  if (generateCommand())
    return generate();
  if (trainCommand())
    return train();
  if (evalCommand())
    return evaluate();
  if (corruptCommand())
    return corrupt();
  return fail("give a command: train, eval, generate, emit, compile, run, "
              "init or corrupt (glu-t5 --help)",
              UsageFailure);
}
