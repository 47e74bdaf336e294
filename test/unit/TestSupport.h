//===- TestSupport.h - shared fixtures of the glu unit tests ----*- C++ -*-===//

#ifndef GLU_TEST_UNIT_TESTSUPPORT_H
#define GLU_TEST_UNIT_TESTSUPPORT_H

#include "dialect/FFNDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace glu::test {

/// A context with the ffn dialect and the dialects its lowering produces,
/// which records every diagnostic instead of printing it.
class FFNTest : public ::testing::Test {
protected:
  FFNTest()
      : handler(&context, [this](mlir::Diagnostic &diag) {
          diagnostics.push_back(diag.str());
          return mlir::success();
        }) {
    context.loadDialect<mlir::ffn::FFNDialect, mlir::func::FuncDialect,
                        mlir::arith::ArithDialect, mlir::linalg::LinalgDialect,
                        mlir::math::MathDialect, mlir::tensor::TensorDialect>();
  }

  /// True if some recorded diagnostic contains `text`.
  bool sawDiagnostic(const std::string &text) const {
    for (const std::string &d : diagnostics)
      if (d.find(text) != std::string::npos)
        return true;
    return false;
  }

  mlir::MLIRContext context;
  std::vector<std::string> diagnostics;
  mlir::ScopedDiagnosticHandler handler;
};

} // namespace glu::test

#endif // GLU_TEST_UNIT_TESTSUPPORT_H
