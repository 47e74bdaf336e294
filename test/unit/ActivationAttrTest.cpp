//===- ActivationAttrTest.cpp - #ffn.activation ---------------------------===//

#include "TestSupport.h"

#include "dialect/FFNAttrs.h"

#include "mlir/AsmParser/AsmParser.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::ffn;
using glu::test::FFNTest;

namespace {

using ActivationAttrTest = FFNTest;

std::string print(Attribute attr) {
  std::string text;
  llvm::raw_string_ostream os(text);
  attr.print(os);
  return text;
}

TEST_F(ActivationAttrTest, EveryKindRoundTrips) {
  for (const char *kind :
       {"relu", "gelu", "gelu_tanh", "swish", "sigmoid", "identity"}) {
    std::string text = std::string("#ffn.activation<") + kind + ">";
    Attribute attr = parseAttribute(text, &context);
    ASSERT_TRUE(attr) << text;
    auto activation = dyn_cast<ActivationAttr>(attr);
    ASSERT_TRUE(activation) << text;
    EXPECT_EQ(stringifyActivationKind(activation.getKind()), kind);
    EXPECT_EQ(activation.getBetaValue(), 1.0);
    EXPECT_FALSE(activation.hasNonDefaultBeta());
    EXPECT_EQ(print(attr), text);
  }
}

TEST_F(ActivationAttrTest, SwishBetaIsParsedAndPrinted) {
  Attribute attr =
      parseAttribute("#ffn.activation<swish(beta = 1.702)>", &context);
  ASSERT_TRUE(attr);
  auto activation = cast<ActivationAttr>(attr);
  EXPECT_EQ(activation.getKind(), ActivationKind::Swish);
  EXPECT_DOUBLE_EQ(activation.getBetaValue(), 1.702);
  EXPECT_TRUE(activation.hasNonDefaultBeta());
  // Printing then parsing gives back the very same (uniqued) attribute.
  EXPECT_EQ(parseAttribute(print(attr), &context), attr);
}

TEST_F(ActivationAttrTest, BuilderDefaultsBetaToOne) {
  auto swish = ActivationAttr::get(&context, ActivationKind::Swish);
  EXPECT_EQ(swish.getBetaValue(), 1.0);
  EXPECT_EQ(swish, ActivationAttr::get(&context, ActivationKind::Swish, 1.0));
  EXPECT_NE(swish, ActivationAttr::get(&context, ActivationKind::Swish, 2.0));
}

TEST_F(ActivationAttrTest, BetaOnlyForSwish) {
  EXPECT_FALSE(parseAttribute("#ffn.activation<relu(beta = 2.0)>", &context));
  EXPECT_TRUE(sawDiagnostic("beta is only meaningful for swish, not 'relu'"));
}

TEST_F(ActivationAttrTest, BetaMustBePositiveAndFinite) {
  EXPECT_FALSE(parseAttribute("#ffn.activation<swish(beta = -1.0)>", &context));
  EXPECT_TRUE(sawDiagnostic("swish beta must be finite and positive"));
  auto checked = ActivationAttr::getChecked(
      [&] { return emitError(UnknownLoc::get(&context)); }, &context,
      ActivationKind::Swish, llvm::APFloat(0.0));
  EXPECT_FALSE(checked);
}

TEST_F(ActivationAttrTest, UnknownKindListsTheKnownOnes) {
  EXPECT_FALSE(parseAttribute("#ffn.activation<tanh>", &context));
  EXPECT_TRUE(sawDiagnostic("unknown activation 'tanh'; expected one of "
                            "relu, gelu, gelu_tanh, swish, sigmoid, "
                            "identity"));
}

} // namespace
