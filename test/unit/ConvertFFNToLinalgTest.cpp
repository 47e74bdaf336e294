//===- ConvertFFNToLinalgTest.cpp - the reference lowering from C++ -------===//
//
// Runs convert-ffn-to-linalg and glu-reference-pipeline through the C++
// PassManager API, as a compiler embedding glu would.
//
//===----------------------------------------------------------------------===//

#include "TestSupport.h"

#include "dialect/FFNOps.h"
#include "passes/Passes.h"
#include "passes/pipelines/Pipelines.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/DialectConversion.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;

namespace {

constexpr const char *kSwiGLU = R"mlir(
func.func @layer(%x: tensor<2x3x8xf32>, %w: tensor<8x12xf32>,
                 %v: tensor<8x12xf32>, %w2: tensor<12x8xf32>,
                 %c: tensor<12xf32>) -> tensor<2x3x8xf32> {
  %y = ffn.glu swish %x, %w, %v, %w2 c(%c)
      : (tensor<2x3x8xf32>, tensor<8x12xf32>, tensor<8x12xf32>,
         tensor<12x8xf32>, tensor<12xf32>) -> tensor<2x3x8xf32>
  return %y : tensor<2x3x8xf32>
}
)mlir";

/// Counts the ops named `name` under `root`.
int countOps(Operation *root, StringRef name) {
  int count = 0;
  root->walk([&](Operation *op) {
    if (op->getName().getStringRef() == name)
      ++count;
  });
  return count;
}

class ConvertFFNToLinalgTest : public glu::test::FFNTest {
protected:
  OwningOpRef<ModuleOp> parse(const char *source) {
    return parseSourceString<ModuleOp>(source, &context);
  }
};

TEST_F(ConvertFFNToLinalgTest, PassLowersGatedLayerToThreeMatmuls) {
  OwningOpRef<ModuleOp> module = parse(kSwiGLU);
  ASSERT_TRUE(module);
  PassManager pm(&context);
  pm.addPass(ffn::createConvertFFNToLinalg());
  ASSERT_TRUE(succeeded(pm.run(*module)));
  EXPECT_EQ(countOps(*module, "ffn.glu"), 0);
  EXPECT_EQ(countOps(*module, "linalg.matmul"), 3);
  // One generic for bias + gate + product, none for the missing b2.
  EXPECT_EQ(countOps(*module, "linalg.generic"), 1);
  EXPECT_EQ(countOps(*module, "tensor.collapse_shape"), 1);
  EXPECT_EQ(countOps(*module, "tensor.expand_shape"), 1);
  EXPECT_EQ(countOps(*module, "math.exp"), 1);
}

TEST_F(ConvertFFNToLinalgTest, PatternsWorkWithoutThePass) {
  // Another compiler reuses the patterns with its own driver.
  OwningOpRef<ModuleOp> module = parse(kSwiGLU);
  ASSERT_TRUE(module);
  RewritePatternSet patterns(&context);
  ffn::populateFFNToLinalgConversionPatterns(patterns);
  ASSERT_TRUE(succeeded(applyPatternsGreedily(*module, std::move(patterns))));
  EXPECT_EQ(countOps(*module, "ffn.glu"), 0);
  EXPECT_EQ(countOps(*module, "linalg.matmul"), 3);
}

TEST_F(ConvertFFNToLinalgTest, ReferencePipelineReachesTheLLVMDialect) {
  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllExtensions(registry);
  context.appendDialectRegistry(registry);
  OwningOpRef<ModuleOp> module = parse(kSwiGLU);
  ASSERT_TRUE(module);
  PassManager pm(&context);
  ffn::buildReferencePipeline(pm, ffn::ReferencePipelineOptions());
  ASSERT_TRUE(succeeded(pm.run(*module))) << diagnostics.size();
  int nonLLVM = 0;
  module->walk([&](Operation *op) {
    if (!isa<ModuleOp>(op) && op->getDialect()->getNamespace() !=
                                  LLVM::LLVMDialect::getDialectNamespace())
      ++nonLLVM;
  });
  EXPECT_EQ(nonLLVM, 0);
  EXPECT_TRUE(module->lookupSymbol<LLVM::LLVMFuncOp>("layer"));
}

} // namespace
