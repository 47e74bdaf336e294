//===- glu-opt.cpp - the glu optimizer driver -----------------------------===//
//
// mlir-opt with the ffn dialect, the glu passes and pipelines, and every
// upstream dialect, extension and pass.
//
//===----------------------------------------------------------------------===//

#include "dialect/FFNDialect.h"
#include "passes/Passes.h"
#include "passes/pipelines/Pipelines.h"
#include "passes/utils/DebugOptions.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  mlir::ffn::registerGluPasses();
  mlir::ffn::registerGluPipelines();
  // -debug and -debug-only=<pass>, which a release LLVM does not register.
  mlir::ffn::registerDebugOptions();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  // gpu-module-to-binary translates kernels to LLVM IR in-process.
  mlir::registerAllToLLVMIRTranslations(registry);
  registry.insert<mlir::ffn::FFNDialect>();

  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "glu optimizer driver: the ffn dialect and its passes\n",
      registry));
}
