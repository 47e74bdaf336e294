//===- Pipelines.cpp - glu named pass pipelines ---------------------------===//

#include "passes/pipelines/Pipelines.h"
#include "passes/Passes.h"
#include "passes/pipelines/CpuPipeline.h"
#include "passes/pipelines/CudaPipeline.h"
#include "passes/pipelines/FrontendPipeline.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void mlir::ffn::buildReferencePipeline(
    OpPassManager &pm, const ReferencePipelineOptions &options) {
  pm.addPass(createConvertFFNToLinalg());
  // Integer powers with constant exponents (x ** 3 from exporters) as
  // multiplications: math-to-llvm cannot lower a vectorized math.fpowi.
  pm.addPass(math::createMathExpandOpsPass({{"fpowi"}}));
  pm.addPass(createCanonicalizerPass());

  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = options.bufferizeFunctionBoundaries;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  bufferization::buildBufferDeallocationPipeline(pm);
  // Deallocation inserts bufferization.clone where a function returns a
  // buffer it does not own (an argument, say).
  pm.addPass(createConvertBufferizationToMemRefPass());

  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addPass(createSCFToControlFlowPass());
  // Dynamic batch dimensions expanded back from rows: upstream's
  // expand-strided-metadata cannot take them (see the pass).
  pm.addPass(createGluLowerMultiDynamicExpandShapes());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  // erf and tanh have no LLVM intrinsic on every target: call libm for them.
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createArithToLLVMConversionPass());
  // ub.poison: vectorization leaves it as the undefined start of a
  // vector built lane by lane.
  pm.addPass(createUBToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

void mlir::ffn::addEntryPointBufferization(OpPassManager &pm) {
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  // Arguments stay read-only unless a result updates them in place; those
  // results leave the signature (no copy into an out-parameter).
  pm.addPass(createGluTieInPlaceResults());
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  pm.addPass(createGluDropInPlaceResults());
  bufferization::BufferResultsToOutParamsPassOptions outParams;
  outParams.hoistStaticAllocs = true;
  outParams.modifyPublicFunctions = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
}

void mlir::ffn::registerGluPipelines() {
  PassPipelineRegistration<ReferencePipelineOptions>(
      "glu-reference-pipeline",
      "Lower ffn ops through their reference linalg semantics to scalar "
      "loops in the LLVM dialect (the numeric ground truth)",
      buildReferencePipeline);
  PassPipelineRegistration<FrontendPipelineOptions>(
      "glu-frontend-pipeline",
      "From the IR front ends write to fused ffn IR, as glu-compile does: "
      "tosa-to-linalg, elementwise to linalg, ffn-raise, ffn-bf16-gemms "
      "(option), ffn-fuse, "
      "canonicalize, cse",
      buildFrontendPipeline);
  registerCudaPipeline();
  registerCpuPipeline();
}
