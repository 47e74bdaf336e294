//===- FrontendPipeline.h - the front half of glu-compile -------*- C++ -*-===//
//
// glu-frontend-pipeline: what glu-compile runs before a back end, from the
// IR front ends write to fused ffn IR: TOSA to linalg, elementwise tensor
// arith to linalg, ffn-raise, ffn-pack-arguments (if asked), ffn-fuse,
// canonicalize and cse.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_PASSES_PIPELINES_FRONTENDPIPELINE_H
#define GLU_PASSES_PIPELINES_FRONTENDPIPELINE_H

#include "passes/fuse/Passes.h"
#include "passes/utils/Target.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace mlir::ffn {

/// Options of glu-frontend-pipeline. The fusion options take their defaults
/// from ffn-fuse's (FFNFuseOptions), except keep-activations: a compiled
/// train step keeps its forward's pre-activations by default.
struct FrontendPipelineOptions
    : public PassPipelineOptions<FrontendPipelineOptions> {
  PassOptions::Option<bool> lowerTosa{
      *this, "lower-tosa",
      llvm::cl::desc("Run tosa-to-linalg-pipeline first (glu-compile sets "
                     "it when the input holds TOSA ops; on other IR it "
                     "changes nothing)"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> raise{
      *this, "raise", llvm::cl::desc("Run ffn-raise"), llvm::cl::init(true)};
  PassOptions::Option<bool> fuse{
      *this, "fuse",
      llvm::cl::desc("Run ffn-fuse (false: the unfused baseline)"),
      llvm::cl::init(true)};
  PassOptions::Option<Target> target{
      *this, "target", llvm::cl::desc("ffn-fuse target"),
      llvm::cl::init(FFNFuseOptions().target), GLU_TARGET_CL_VALUES};
  PassOptions::Option<int64_t> blockSize{
      *this, "block-size", llvm::cl::desc("ffn-fuse block-size"),
      llvm::cl::init(FFNFuseOptions().blockSize)};
  PassOptions::Option<bool> keepActivations{
      *this, "keep-activations", llvm::cl::desc("ffn-fuse keep-activations"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> packArguments{
      *this, "pack-arguments",
      llvm::cl::desc("Run ffn-pack-arguments before ffn-fuse"),
      llvm::cl::init(FFNFuseOptions().packArguments)};
  PassOptions::Option<bool> bf16Gemms{
      *this, "bf16-gemms",
      llvm::cl::desc("Run ffn-bf16-gemms after ffn-raise: f32 layers and "
                     "matmuls compute on bf16 copies, accumulating in f32"),
      llvm::cl::init(false)};
  PassOptions::Option<bool> report{
      *this, "report", llvm::cl::desc("ffn-raise and ffn-fuse report"),
      llvm::cl::init(FFNFuseOptions().report)};

  /// The options of the ffn-fuse this pipeline runs.
  FFNFuseOptions getFuseOptions() const;
};

/// Builds glu-frontend-pipeline into `pm` (on a module).
void buildFrontendPipeline(OpPassManager &pm,
                           const FrontendPipelineOptions &options);

} // namespace mlir::ffn

#endif // GLU_PASSES_PIPELINES_FRONTENDPIPELINE_H
