//===- FrontendPipeline.cpp - the front half of glu-compile ---------------===//

#include "passes/pipelines/FrontendPipeline.h"

#include "passes/raise/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/TosaToLinalg/TosaToLinalg.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::ffn;

FFNFuseOptions FrontendPipelineOptions::getFuseOptions() const {
  FFNFuseOptions fuseOptions;
  fuseOptions.target = target;
  fuseOptions.blockSize = blockSize;
  fuseOptions.keepActivations = keepActivations;
  // ffn-pack-arguments runs as its own pass before ffn-fuse.
  fuseOptions.packArguments = false;
  fuseOptions.report = report;
  return fuseOptions;
}

void mlir::ffn::buildFrontendPipeline(OpPassManager &pm,
                                      const FrontendPipelineOptions &options) {
  if (options.lowerTosa) {
    TosaToLinalgOptions tosaToLinalg;
    TosaToLinalgNamedOptions tosaToLinalgNamed;
    // No tosa-validate: its profile checks refuse what exporters write
    // (torch-mlir's f64 constants, i64 casts) although tosa-to-linalg
    // lowers it; an op the conversion cannot lower is still an error.
    tosa::addTosaToLinalgPasses(pm, tosaToLinalg, tosaToLinalgNamed,
                                /*validationOptions=*/std::nullopt);
    // What tosa-to-linalg leaves: constants (index tables, masks) and
    // shape ops.
    pm.addNestedPass<func::FuncOp>(createTosaToArithPass());
    pm.addNestedPass<func::FuncOp>(createTosaToTensorPass());
  }
  // Elementwise arith/math on tensors (residual adds, scalings) as linalg.
  pm.addNestedPass<func::FuncOp>(createConvertElementwiseToLinalgPass());
  if (options.raise) {
    FFNRaiseOptions raiseOptions;
    raiseOptions.report = options.report;
    pm.addPass(createFFNRaise(raiseOptions));
  }
  // Mixed precision: the layers (and matmuls) read bf16 copies of f32
  // tensors; the fusion below sees bf16 layers.
  if (options.bf16Gemms)
    pm.addPass(createFFNBf16Gemms());
  if (options.fuse) {
    if (options.packArguments) {
      FFNPackArgumentsOptions packOptions;
      packOptions.blockSize = options.blockSize;
      packOptions.target = options.target;
      pm.addPass(createFFNPackArguments(packOptions));
    }
    pm.addPass(createFFNFuse(options.getFuseOptions()));
  }
  // Constant weights' transposes (and then their packs) run once, here.
  pm.addPass(createFFNFoldConstantTransposes());
  pm.addPass(createCanonicalizerPass());
  // Identical packs of one weight (a train step's forward and backward)
  // are pure: cse keeps one.
  pm.addPass(createCSEPass());
}
