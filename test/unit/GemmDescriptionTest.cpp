//===- GemmDescriptionTest.cpp - the one GEMM matcher of the back ends ----===//

#include "TestSupport.h"

#include "dialect/FFNFusedOps.h"
#include "passes/codegen/common/GemmDescription.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Parser/Parser.h"

using namespace mlir;
using namespace mlir::ffn;

namespace {

class GemmDescriptionTest : public glu::test::FFNTest {
protected:
  /// Parses `body` as the body of a function whose arguments are `args`,
  /// and returns the op the function returns.
  Operation *parseReturned(const std::string &args, const std::string &results,
                           const std::string &body) {
    std::string text =
        "func.func @f(" + args + ") -> (" + results + ") {\n" + body + "\n}\n";
    module = parseSourceString<ModuleOp>(text, &context);
    if (!module)
      return nullptr;
    auto func = cast<func::FuncOp>(module->getBody()->front());
    return func.getBody()
        .front()
        .getTerminator()
        ->getOperand(0)
        .getDefiningOp();
  }

  /// The index extent `value` (an index constant), or -1.
  static int64_t constant(Value value) {
    if (auto c = value.getDefiningOp<arith::ConstantIndexOp>())
      return c.value();
    return -1;
  }

  /// M, N, K of `gemm`, built before its op.
  std::array<int64_t, 3> extents(const GemmDescription &gemm) {
    OpBuilder b(gemm.op);
    Location loc = gemm.op->getLoc();
    return {constant(gemm.getM(b, loc)), constant(gemm.getN(b, loc)),
            constant(gemm.getK(b, loc))};
  }

  OwningOpRef<ModuleOp> module;
};

constexpr StringLiteral kFill = R"(
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x6xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<4x6xf32>) -> tensor<4x6xf32>)";

TEST_F(GemmDescriptionTest, MatmulFormsAndInits) {
  struct Case {
    const char *lhsType, *rhsType, *maps;
    bool lhsTransposed, rhsTransposed;
  };
  const char *mapsTa = "indexing_maps = [affine_map<(m, n, k) -> (k, m)>, "
                       "affine_map<(m, n, k) -> (k, n)>, "
                       "affine_map<(m, n, k) -> (m, n)>]";
  const char *mapsTb = "indexing_maps = [affine_map<(m, n, k) -> (m, k)>, "
                       "affine_map<(m, n, k) -> (n, k)>, "
                       "affine_map<(m, n, k) -> (m, n)>]";
  for (Case c :
       {Case{"tensor<4x5xf32>", "tensor<5x6xf32>", "", false, false},
        Case{"tensor<5x4xf32>", "tensor<5x6xf32>", mapsTa, true, false},
        Case{"tensor<4x5xf32>", "tensor<6x5xf32>", mapsTb, false, true}}) {
    SCOPED_TRACE(c.maps);
    std::string lhs = c.lhsType, rhs = c.rhsType;
    Operation *op =
        parseReturned("%a: " + lhs + ", %b: " + rhs, "tensor<4x6xf32>",
                      kFill.str() + "\n  %r = linalg.matmul " + c.maps +
                          " ins(%a, %b : " + lhs + ", " + rhs +
                          ") outs(%init : tensor<4x6xf32>) -> tensor<4x6xf32>\n"
                          "  return %r : tensor<4x6xf32>");
    ASSERT_TRUE(op);
    FailureOr<GemmDescription> gemm = describeGemm(op);
    ASSERT_TRUE(succeeded(gemm));
    EXPECT_EQ(gemm->epilogue, GemmEpilogue::Accumulate);
    EXPECT_EQ(gemm->lhs.transposed, c.lhsTransposed);
    EXPECT_EQ(gemm->rhs.transposed, c.rhsTransposed);
    EXPECT_FALSE(gemm->batched);
    // A fill of zero is a scalar initial value, no buffer to read.
    EXPECT_TRUE(gemm->initScalar);
    EXPECT_TRUE(gemm->isZeroInit());
    EXPECT_FALSE(gemm->init);
    EXPECT_FALSE(gemm->isBlocked());
    EXPECT_EQ(extents(*gemm), (std::array<int64_t, 3>{4, 6, 5}));
  }
}

TEST_F(GemmDescriptionTest, BatchMatmulForms) {
  Operation *op = parseReturned(
      "%a: tensor<2x4x5xf32>, %b: tensor<2x6x5xf32>, %c: tensor<2x4x6xf32>",
      "tensor<2x4x6xf32>", R"(
  %r = linalg.batch_matmul indexing_maps = [
      affine_map<(b, m, n, k) -> (b, m, k)>,
      affine_map<(b, m, n, k) -> (b, n, k)>,
      affine_map<(b, m, n, k) -> (b, m, n)>]
      ins(%a, %b : tensor<2x4x5xf32>, tensor<2x6x5xf32>)
      outs(%c : tensor<2x4x6xf32>) -> tensor<2x4x6xf32>
  return %r : tensor<2x4x6xf32>)");
  ASSERT_TRUE(op);
  FailureOr<GemmDescription> gemm = describeGemm(op);
  ASSERT_TRUE(succeeded(gemm));
  EXPECT_TRUE(gemm->batched);
  EXPECT_FALSE(gemm->lhs.transposed);
  EXPECT_TRUE(gemm->rhs.transposed);
  // Accumulating into an argument: the init is a tensor, not a scalar.
  EXPECT_TRUE(gemm->init);
  EXPECT_FALSE(gemm->initScalar);
  EXPECT_EQ(extents(*gemm), (std::array<int64_t, 3>{4, 6, 5}));
  OpBuilder b(op);
  EXPECT_EQ(constant(gemm->getBatch(b, op->getLoc())), 2);
}

TEST_F(GemmDescriptionTest, RefusesOtherContractions) {
  // Both operands transposed: no supported form.
  Operation *op = parseReturned(
      "%a: tensor<5x4xf32>, %b: tensor<6x5xf32>, %c: tensor<4x6xf32>",
      "tensor<4x6xf32>", R"(
  %r = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (k, m)>,
                                      affine_map<(m, n, k) -> (n, k)>,
                                      affine_map<(m, n, k) -> (m, n)>]
      ins(%a, %b : tensor<5x4xf32>, tensor<6x5xf32>)
      outs(%c : tensor<4x6xf32>) -> tensor<4x6xf32>
  return %r : tensor<4x6xf32>)");
  ASSERT_TRUE(op);
  std::string why;
  EXPECT_TRUE(failed(describeGemm(op, &why)));
  EXPECT_NE(why.find("no supported form"), std::string::npos) << why;
  // Not a GEMM at all.
  EXPECT_TRUE(failed(describeGemm(module->getOperation(), &why)));
  EXPECT_EQ(why, "not a GEMM op");
}

TEST_F(GemmDescriptionTest, FusedGemms) {
  Operation *op = parseReturned(
      "%x: tensor<4x8xf32>, %p: tensor<8x12xf32>, %bias: tensor<12xf32>",
      "tensor<4x6xf32>", R"(
  %h0 = tensor.empty() : tensor<4x6xf32>
  %ab0 = tensor.empty() : tensor<4x12xf32>
  %h, %ab = ffn.gated_matmul swish block_size(4)
      ins(%x, %p, %bias : tensor<4x8xf32>, tensor<8x12xf32>, tensor<12xf32>)
      outs(%h0 : tensor<4x6xf32>) preactivations(%ab0 : tensor<4x12xf32>)
      -> tensor<4x6xf32>, tensor<4x12xf32>
  return %h : tensor<4x6xf32>)");
  ASSERT_TRUE(op);
  FailureOr<GemmDescription> gated = describeGemm(op);
  ASSERT_TRUE(succeeded(gated));
  EXPECT_EQ(gated->epilogue, GemmEpilogue::Gate);
  EXPECT_EQ(gated->blockSize, 4);
  EXPECT_TRUE(gated->isBlocked());
  EXPECT_TRUE(gated->bias);
  EXPECT_TRUE(gated->keepsPreactivations());
  EXPECT_EQ(gated->getPreactivationsType().getDimSize(1), 12);
  // N is d_ff, not the packed width.
  EXPECT_EQ(extents(*gated), (std::array<int64_t, 3>{4, 6, 8}));

  op = parseReturned(
      "%dy: tensor<4x8xf32>, %w2: tensor<6x8xf32>, %ab: tensor<4x12xf32>",
      "tensor<4x12xf32>", R"(
  %e = tensor.empty() : tensor<4x12xf32>
  %d = ffn.dgate_matmul gelu block_size(4)
      ins(%dy, %w2, %ab : tensor<4x8xf32>, tensor<6x8xf32>, tensor<4x12xf32>)
      outs(%e : tensor<4x12xf32>) -> tensor<4x12xf32>
  return %d : tensor<4x12xf32>)");
  ASSERT_TRUE(op);
  FailureOr<GemmDescription> dgate = describeGemm(op);
  ASSERT_TRUE(succeeded(dgate));
  EXPECT_EQ(dgate->epilogue, GemmEpilogue::DGate);
  // dh = dy W2^T: W2 [d_ff, d_out] is the right operand stored transposed.
  EXPECT_TRUE(dgate->rhs.transposed);
  EXPECT_TRUE(dgate->preactivations);
  EXPECT_FALSE(dgate->keepsPreactivations());
  EXPECT_EQ(extents(*dgate), (std::array<int64_t, 3>{4, 6, 8}));
}

TEST_F(GemmDescriptionTest, ColumnSumsCheckTheCombiner) {
  auto reduceWith = [&](StringRef combiner) {
    Operation *op = parseReturned("%m: tensor<4x6xf32>, %init: tensor<6xf32>",
                                  "tensor<6xf32>", std::string(R"(
  %s = linalg.reduce ins(%m : tensor<4x6xf32>) outs(%init : tensor<6xf32>)
      dimensions = [0]
      (%in: f32, %acc: f32) {
)" + combiner.str() + R"(
      }
  return %s : tensor<6xf32>)"));
    return cast<linalg::ReduceOp>(op);
  };
  EXPECT_TRUE(succeeded(describeColumnSum(reduceWith(R"(
        %0 = arith.addf %in, %acc : f32
        linalg.yield %0 : f32)"))));
  // A sum that yields something else is not a column sum.
  std::string why;
  EXPECT_TRUE(failed(describeColumnSum(reduceWith(R"(
        %0 = arith.addf %in, %acc : f32
        linalg.yield %acc : f32)"),
                                       &why)));
  EXPECT_NE(why.find("combiner"), std::string::npos) << why;
  EXPECT_TRUE(failed(describeColumnSum(reduceWith(R"(
        %0 = arith.maximumf %in, %acc : f32
        linalg.yield %0 : f32)"))));
}

} // namespace
