//===- Pipelines.h - glu named pass pipelines -------------------*- C++ -*-===//
//
// Named pipelines reproduce, one registered name per target, what the glu
// tools do, so that every stage can be run and FileCheck-ed with glu-opt.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_PASSES_PIPELINES_PIPELINES_H
#define GLU_PASSES_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace mlir::ffn {

/// Options of glu-reference-pipeline.
struct ReferencePipelineOptions
    : public PassPipelineOptions<ReferencePipelineOptions> {
  PassOptions::Option<bool> bufferizeFunctionBoundaries{
      *this, "bufferize-function-boundaries",
      llvm::cl::desc("Bufferize function arguments and results as well "
                     "(identity-layout memrefs)"),
      llvm::cl::init(true)};
};

/// ffn (and linalg on tensors) -> reference linalg -> bufferized scalar loops
/// -> LLVM dialect. Slow but simple: the numeric ground truth that
/// mlir-runner executes in the end-to-end tests.
void buildReferencePipeline(OpPassManager &pm,
                            const ReferencePipelineOptions &options);

/// Bufferizes with the artifacts' calling convention (docs/artifact-format.md):
/// one-shot bufferization across function boundaries with identity layouts,
/// arguments read-only except those a result of the same name updates in
/// place (glu-tie-in-place-results, glu-drop-in-place-results: those results
/// leave the signature), then every other result becomes a trailing
/// out-parameter that the caller allocates (static allocations hoisted into
/// it). glu-cpu-pipeline and
/// glu-cuda-pipeline share it.
void addEntryPointBufferization(OpPassManager &pm);

/// Registers every glu pipeline: glu-frontend-pipeline,
/// glu-reference-pipeline, glu-cpu-pipeline, glu-cuda-pipeline.
void registerGluPipelines();

} // namespace mlir::ffn

#endif // GLU_PASSES_PIPELINES_PIPELINES_H
