//===- FFNRaiseTest.cpp - ffn-raise through the C++ API -------------------===//
//
// The reference lowering of every variant, raised again with the exposed
// patterns and a greedy driver (as another compiler would), gives back the
// very op it came from; the observer hears about it.
//
//===----------------------------------------------------------------------===//

#include "TestSupport.h"

#include "dialect/FFNOps.h"
#include "passes/Passes.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <string>

using namespace mlir;

namespace {

struct Variant {
  const char *paper;
  const char *op;
  const char *activation;
  const char *biases;
};

/// Every variant of Table 1, some with biases, swish with a beta.
const Variant kVariants[] = {
    {"FFN_ReLU", "ffn", "relu", ""},
    {"FFN_GELU", "ffn", "gelu", " b1(%b)"},
    {"FFN_GELU", "ffn", "gelu_tanh", ""},
    {"FFN_Swish", "ffn", "swish(beta = 2.000000e+00)", " b2(%b2)"},
    {"FFN_GLU", "glu", "sigmoid", " b(%b) c(%b)"},
    {"FFN_Bilinear", "glu", "identity", ""},
    {"FFN_ReGLU", "glu", "relu", " b2(%b2)"},
    {"FFN_GEGLU", "glu", "gelu_tanh", ""},
    {"FFN_SwiGLU", "glu", "swish", ""},
};

/// The source of a function holding one layer of `variant`.
std::string layerSource(const Variant &variant) {
  bool gated = std::string(variant.op) == "glu";
  std::string biases = variant.biases;
  std::string types = "tensor<2x3x8xf32>, tensor<8x12xf32>, ";
  types += gated ? "tensor<8x12xf32>, " : "";
  types += "tensor<12x8xf32>";
  if (biases.find("b1(") != std::string::npos)
    types += ", tensor<12xf32>";
  if (biases.find(" b(") != std::string::npos)
    types += ", tensor<12xf32>, tensor<12xf32>";
  if (biases.find("b2(") != std::string::npos)
    types += ", tensor<8xf32>";
  std::string operands = gated ? "%x, %w, %v, %w2" : "%x, %w, %w2";
  return "func.func @layer(%x: tensor<2x3x8xf32>, %w: tensor<8x12xf32>, "
         "%v: tensor<8x12xf32>, %w2: tensor<12x8xf32>, %b: tensor<12xf32>, "
         "%b2: tensor<8xf32>) -> tensor<2x3x8xf32> {\n"
         "  %y = ffn." +
         std::string(variant.op) + " " + variant.activation + " " + operands +
         biases + " : (" + types +
         ") -> tensor<2x3x8xf32>\n"
         "  return %y : tensor<2x3x8xf32>\n}\n";
}

/// Records what the patterns report.
struct RecordingObserver : ffn::RaiseObserver {
  void notifyRaised(Operation *layer) override { raised.push_back(layer); }
  void notifyRejected(Operation *, StringRef reason) override {
    rejected.push_back(reason.str());
  }
  std::vector<Operation *> raised;
  std::vector<std::string> rejected;
};

using FFNRaiseTest = glu::test::FFNTest;

TEST_F(FFNRaiseTest, RaisingTheReferenceLoweringGivesBackEveryVariant) {
  for (const Variant &variant : kVariants) {
    SCOPED_TRACE(std::string(variant.paper) + " " + variant.activation);
    std::string source = layerSource(variant);
    OwningOpRef<ModuleOp> module =
        parseSourceString<ModuleOp>(source, &context);
    ASSERT_TRUE(module) << source;
    Operation *original = &*module->getBody()->front().getRegion(0).op_begin();
    std::string expected;
    {
      llvm::raw_string_ostream os(expected);
      original->print(os);
    }

    PassManager lower(&context);
    lower.addPass(ffn::createConvertFFNToLinalg());
    ASSERT_TRUE(succeeded(lower.run(*module)));

    RecordingObserver observer;
    RewritePatternSet patterns(&context);
    ffn::populateFFNRaisePatterns(patterns, &observer);
    ASSERT_TRUE(succeeded(applyPatternsGreedily(*module, std::move(patterns))));

    ASSERT_EQ(observer.raised.size(), 1u);
    EXPECT_TRUE(observer.rejected.empty());
    Operation *raised = observer.raised.front();
    std::string actual;
    {
      llvm::raw_string_ostream os(actual);
      raised->print(os);
    }
    // Same op, activation, operands (function arguments) and types.
    EXPECT_EQ(actual, expected);
    StringRef paper = isa<ffn::GLUOp>(raised)
                          ? cast<ffn::GLUOp>(raised).getPaperName()
                          : cast<ffn::FFNOp>(raised).getPaperName();
    EXPECT_EQ(paper, variant.paper);
  }
}

TEST_F(FFNRaiseTest, ObserverHearsAboutNearMisses) {
  // x W * x W: not a layer of the paper; the patterns say why.
  const char *source = R"mlir(
    func.func @square(%x: tensor<4x8xf32>, %w: tensor<8x12xf32>,
                      %w2: tensor<12x8xf32>) -> tensor<4x8xf32> {
      %zero = arith.constant 0.0 : f32
      %e12 = tensor.empty() : tensor<4x12xf32>
      %z12 = linalg.fill ins(%zero : f32) outs(%e12 : tensor<4x12xf32>) -> tensor<4x12xf32>
      %a = linalg.matmul ins(%x, %w : tensor<4x8xf32>, tensor<8x12xf32>)
          outs(%z12 : tensor<4x12xf32>) -> tensor<4x12xf32>
      %h = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>],
                           iterator_types = ["parallel", "parallel"]}
          ins(%a : tensor<4x12xf32>) outs(%e12 : tensor<4x12xf32>) {
      ^bb0(%p: f32, %out: f32):
        %e = math.exp %p : f32
        linalg.yield %e : f32
      } -> tensor<4x12xf32>
      %e8 = tensor.empty() : tensor<4x8xf32>
      %z8 = linalg.fill ins(%zero : f32) outs(%e8 : tensor<4x8xf32>) -> tensor<4x8xf32>
      %y = linalg.matmul ins(%h, %w2 : tensor<4x12xf32>, tensor<12x8xf32>)
          outs(%z8 : tensor<4x8xf32>) -> tensor<4x8xf32>
      return %y : tensor<4x8xf32>
    })mlir";
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(source, &context);
  ASSERT_TRUE(module);
  RecordingObserver observer;
  RewritePatternSet patterns(&context);
  ffn::populateFFNRaisePatterns(patterns, &observer);
  (void)applyPatternsGreedily(*module, std::move(patterns));
  EXPECT_TRUE(observer.raised.empty());
  ASSERT_FALSE(observer.rejected.empty());
  EXPECT_NE(observer.rejected.front().find("is neither an activation of a "
                                           "projection nor a gated product"),
            std::string::npos)
      << observer.rejected.front();
}

} // namespace
