//===- FFNOpsTest.cpp - ffn.ffn and ffn.glu built from C++ ----------------===//

#include "TestSupport.h"

#include "dialect/FFNOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Verifier.h"

using namespace mlir;
using namespace mlir::ffn;

namespace {

/// Builds layers inside a function whose arguments have the given types.
class FFNOpsTest : public glu::test::FFNTest {
protected:
  FFNOpsTest() : builder(&context) {
    module = ModuleOp::create(builder.getUnknownLoc());
  }

  RankedTensorType tensor(ArrayRef<int64_t> shape) {
    return RankedTensorType::get(shape, builder.getF32Type());
  }

  /// Creates func @layer with arguments of `types` and returns them.
  SmallVector<Value> arguments(ArrayRef<Type> types) {
    builder.setInsertionPointToEnd(module->getBody());
    auto func = func::FuncOp::create(builder, builder.getUnknownLoc(), "layer",
                                     builder.getFunctionType(types, {}));
    Block *entry = func.addEntryBlock();
    builder.setInsertionPointToStart(entry);
    return SmallVector<Value>(entry->getArguments());
  }

  ActivationAttr activation(ActivationKind kind) {
    return ActivationAttr::get(&context, kind);
  }

  OpBuilder builder;
  OwningOpRef<ModuleOp> module;
};

TEST_F(FFNOpsTest, BuildsAndVerifiesAGatedLayer) {
  SmallVector<Value> args = arguments({tensor({2, 7, 16}), tensor({16, 40}),
                                       tensor({16, 40}), tensor({40, 16})});
  auto op = GLUOp::create(builder, builder.getUnknownLoc(), tensor({2, 7, 16}),
                          activation(ActivationKind::Swish), args[0], args[1],
                          args[2], args[3], Value(), Value(), Value());
  EXPECT_TRUE(succeeded(verify(op)));
  EXPECT_EQ(op.getDModel(), 16);
  EXPECT_EQ(op.getDFF(), 40);
  EXPECT_EQ(op.getDOut(), 16);
  EXPECT_EQ(op.getPaperName(), "FFN_SwiGLU");
  EXPECT_FALSE(op.getB());
}

TEST_F(FFNOpsTest, RejectsMismatchedGateAndLinearProjections) {
  SmallVector<Value> args = arguments(
      {tensor({4, 16}), tensor({16, 40}), tensor({16, 32}), tensor({40, 16})});
  auto op = GLUOp::create(builder, builder.getUnknownLoc(), tensor({4, 16}),
                          activation(ActivationKind::Gelu), args[0], args[1],
                          args[2], args[3], Value(), Value(), Value());
  EXPECT_TRUE(failed(verify(op)));
  EXPECT_TRUE(sawDiagnostic("'v' is [16, 32] but 'w' is [16, 40]"));
}

TEST_F(FFNOpsTest, DynamicDimensionsVerify) {
  int64_t dyn = ShapedType::kDynamic;
  SmallVector<Value> args =
      arguments({tensor({dyn, 16}), tensor({16, dyn}), tensor({dyn, 16})});
  auto op = FFNOp::create(builder, builder.getUnknownLoc(), tensor({dyn, 16}),
                          activation(ActivationKind::Relu), args[0], args[1],
                          args[2], Value(), Value());
  EXPECT_TRUE(succeeded(verify(op)));
  EXPECT_EQ(op.getDFF(), dyn);
}

TEST_F(FFNOpsTest, UngatedIdentityIsRejected) {
  SmallVector<Value> args =
      arguments({tensor({4, 16}), tensor({16, 32}), tensor({32, 16})});
  auto op = FFNOp::create(builder, builder.getUnknownLoc(), tensor({4, 16}),
                          activation(ActivationKind::Identity), args[0],
                          args[1], args[2], Value(), Value());
  EXPECT_TRUE(failed(verify(op)));
  EXPECT_TRUE(sawDiagnostic("activation 'identity' makes ffn.ffn"));
}

TEST_F(FFNOpsTest, PaperNamesCoverTableOne) {
  SmallVector<Value> args = arguments(
      {tensor({4, 16}), tensor({16, 32}), tensor({16, 32}), tensor({32, 16})});
  auto gated = [&](ActivationKind kind) {
    return GLUOp::create(builder, builder.getUnknownLoc(), tensor({4, 16}),
                         activation(kind), args[0], args[1], args[2], args[3],
                         Value(), Value(), Value())
        .getPaperName()
        .str();
  };
  auto ungated = [&](ActivationKind kind) {
    return FFNOp::create(builder, builder.getUnknownLoc(), tensor({4, 16}),
                         activation(kind), args[0], args[1], args[3], Value(),
                         Value())
        .getPaperName()
        .str();
  };
  EXPECT_EQ(ungated(ActivationKind::Relu), "FFN_ReLU");
  EXPECT_EQ(ungated(ActivationKind::Gelu), "FFN_GELU");
  EXPECT_EQ(ungated(ActivationKind::GeluTanh), "FFN_GELU");
  EXPECT_EQ(ungated(ActivationKind::Swish), "FFN_Swish");
  EXPECT_EQ(gated(ActivationKind::Sigmoid), "FFN_GLU");
  EXPECT_EQ(gated(ActivationKind::Identity), "FFN_Bilinear");
  EXPECT_EQ(gated(ActivationKind::Relu), "FFN_ReGLU");
  EXPECT_EQ(gated(ActivationKind::Gelu), "FFN_GEGLU");
  EXPECT_EQ(gated(ActivationKind::GeluTanh), "FFN_GEGLU");
  EXPECT_EQ(gated(ActivationKind::Swish), "FFN_SwiGLU");
}

TEST_F(FFNOpsTest, GradientBuilderTakesTheOperandsTypes) {
  SmallVector<Value> args = arguments(
      {tensor({2, 3, 16}), tensor({16, 40}), tensor({16, 40}), tensor({40, 8}),
       tensor({2, 3, 8}), tensor({40}), tensor({8})});
  // Only c and b2: the gradients are dx, dw, dv, dw2, dc, db2.
  auto op = GLUGradOp::create(
      builder, builder.getUnknownLoc(), activation(ActivationKind::Swish),
      args[0], args[1], args[2], args[3], args[4], Value(), args[5], args[6]);
  EXPECT_TRUE(succeeded(verify(op)));
  ASSERT_EQ(op.getGradients().size(), 6u);
  EXPECT_EQ(op.getInputGrad().getType(), args[0].getType());
  EXPECT_EQ(op.getVGrad().getType(), args[2].getType());
  EXPECT_EQ(op.getW2Grad().getType(), args[3].getType());
  EXPECT_FALSE(op.getBGrad());
  EXPECT_EQ(op.getCGrad(), op.getGradients()[4]);
  EXPECT_EQ(op.getB2Grad(), op.getGradients()[5]);
  SmallVector<Value> expected = {args[0], args[1], args[2],
                                 args[3], args[5], args[6]};
  EXPECT_EQ(op.getDifferentiatedOperands(), expected);
  EXPECT_EQ(op.getPaperName(), "FFN_SwiGLU");
}

TEST_F(FFNOpsTest, UngatedGradientWithTheOutputBiasOnly) {
  SmallVector<Value> args =
      arguments({tensor({4, 16}), tensor({16, 32}), tensor({32, 16}),
                 tensor({4, 16}), tensor({16})});
  auto op = FFNGradOp::create(builder, builder.getUnknownLoc(),
                              activation(ActivationKind::GeluTanh), args[0],
                              args[1], args[2], args[3], Value(), args[4]);
  EXPECT_TRUE(succeeded(verify(op)));
  ASSERT_EQ(op.getGradients().size(), 4u);
  EXPECT_FALSE(op.getB1Grad());
  EXPECT_EQ(op.getB2Grad(), op.getGradients()[3]);
  EXPECT_EQ(op.getB2Grad().getType(), args[4].getType());
  EXPECT_EQ(op.getPaperName(), "FFN_GELU");
}

TEST_F(FFNOpsTest, GradientRejectsAWrongDy) {
  SmallVector<Value> args = arguments(
      {tensor({4, 16}), tensor({16, 32}), tensor({32, 8}), tensor({4, 16})});
  auto op = FFNGradOp::create(builder, builder.getUnknownLoc(),
                              activation(ActivationKind::Relu), args[0],
                              args[1], args[2], args[3], Value(), Value());
  EXPECT_TRUE(failed(verify(op)));
  EXPECT_TRUE(sawDiagnostic("'dy' must have the forward result's shape "
                            "[4, 8]"));
}

} // namespace
