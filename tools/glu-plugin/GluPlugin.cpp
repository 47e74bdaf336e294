//===- GluPlugin.cpp - the ffn dialect and glu passes as a plugin ---------===//
//
// Loaded by stock mlir-opt with --load-dialect-plugin and
// --load-pass-plugin; both entry points live in this one shared object.
//
//===----------------------------------------------------------------------===//

#include "dialect/FFNDialect.h"
#include "passes/Passes.h"
#include "passes/pipelines/Pipelines.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/Plugins/DialectPlugin.h"
#include "mlir/Tools/Plugins/PassPlugin.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/Compiler.h"

extern "C" LLVM_ATTRIBUTE_WEAK mlir::DialectPluginLibraryInfo
mlirGetDialectPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "GluFFNDialect", LLVM_VERSION_STRING,
          [](mlir::DialectRegistry *registry) {
            registry->insert<mlir::ffn::FFNDialect>();
          }};
}

extern "C" LLVM_ATTRIBUTE_WEAK mlir::PassPluginLibraryInfo
mlirGetPassPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "GluPasses", LLVM_VERSION_STRING, []() {
            mlir::ffn::registerGluPasses();
            mlir::ffn::registerGluPipelines();
          }};
}
