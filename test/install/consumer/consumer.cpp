//===- consumer.cpp - a compiler that links only ffn-raise ---------------===//
//
// Parses a module of linalg on tensors, raises its feed-forward layers to
// ffn ops with ffn-raise and prints the result. Built out of tree against
// the installed glu package (CMakeLists.txt here).
//
//===----------------------------------------------------------------------===//

#include "dialect/FFNDialect.h"
#include "passes/raise/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/raw_ostream.h"

int main(int argc, char **argv) {
  if (argc != 2) {
    llvm::errs() << "usage: glu-consumer <linalg-on-tensors.mlir>\n";
    return 2;
  }
  mlir::DialectRegistry registry;
  registry.insert<mlir::ffn::FFNDialect, mlir::arith::ArithDialect,
                  mlir::func::FuncDialect, mlir::linalg::LinalgDialect,
                  mlir::math::MathDialect, mlir::tensor::TensorDialect>();
  mlir::MLIRContext context(registry);

  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceFile<mlir::ModuleOp>(argv[1], &context);
  if (!module)
    return 1;
  mlir::PassManager pm(&context);
  pm.addPass(mlir::ffn::createFFNRaise());
  if (mlir::failed(pm.run(*module)))
    return 1;
  module->print(llvm::outs());
  return 0;
}
