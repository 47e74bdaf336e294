//===- FusedOpsTest.cpp - the packed layout and its folders ---------------===//

#include "TestSupport.h"

#include "dialect/FFNFusedOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

#include <random>
#include <set>

using namespace mlir;
using namespace mlir::ffn;

namespace {

using FusedOpsTest = glu::test::FFNTest;

TEST_F(FusedOpsTest, PackedLayoutIsABijectionWithMatchingBlocks) {
  for (int64_t width : {1, 5, 12, 64, 130, 2048})
    for (int64_t block : {1, 2, 4, 7, 64, 128, 4096}) {
      SCOPED_TRACE("width " + std::to_string(width) + " block " +
                   std::to_string(block));
      std::set<std::pair<bool, int64_t>> seen;
      for (int64_t packed = 0; packed < 2 * width; ++packed) {
        auto [linear, column] = unpackedColumn(packed, width, block);
        ASSERT_GE(column, 0);
        ASSERT_LT(column, width);
        ASSERT_TRUE(seen.insert({linear, column}).second);
        // Every block holds matching gate and linear columns: the packed
        // block index of a gate column equals that of its linear column.
        int64_t blockIndex = column / block;
        int64_t blockStart = 2 * blockIndex * block;
        int64_t blockWidth = std::min(block, width - blockIndex * block);
        EXPECT_GE(packed, blockStart);
        EXPECT_LT(packed, blockStart + 2 * blockWidth);
        EXPECT_EQ(packed - blockStart,
                  (linear ? blockWidth : 0) + column % block);
      }
      EXPECT_EQ(seen.size(), static_cast<size_t>(2 * width));
    }
}

TEST_F(FusedOpsTest, PackThenUnpackConstantsRoundTrips) {
  OpBuilder b(&context);
  OwningOpRef<ModuleOp> module = ModuleOp::create(b.getUnknownLoc());
  b.setInsertionPointToEnd(module->getBody());
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> uniform(-1, 1);
  for (int64_t width : {3, 12, 130})
    for (int64_t block : {1, 4, 64}) {
      auto type = RankedTensorType::get({5, width}, b.getF32Type());
      auto packedType = RankedTensorType::get({5, 2 * width}, b.getF32Type());
      std::vector<float> w(5 * width), v(5 * width);
      for (float &x : w)
        x = uniform(rng);
      for (float &x : v)
        x = uniform(rng);
      auto wAttr = DenseElementsAttr::get(type, ArrayRef<float>(w));
      auto vAttr = DenseElementsAttr::get(type, ArrayRef<float>(v));
      Value wc = arith::ConstantOp::create(b, b.getUnknownLoc(), wAttr);
      Value vc = arith::ConstantOp::create(b, b.getUnknownLoc(), vAttr);
      Value packed = b.createOrFold<PackGatedOp>(b.getUnknownLoc(), packedType,
                                                 wc, vc, block);
      auto packedConstant = packed.getDefiningOp<arith::ConstantOp>();
      ASSERT_TRUE(packedConstant) << "packing constants must fold";
      auto packedValues =
          cast<DenseElementsAttr>(packedConstant.getValue()).getValues<float>();
      for (int64_t r = 0; r < 5; ++r)
        for (int64_t c = 0; c < 2 * width; ++c) {
          auto [linear, column] = unpackedColumn(c, width, block);
          EXPECT_EQ(packedValues[r * 2 * width + c],
                    (linear ? v : w)[r * width + column]);
        }
      SmallVector<Value> unpacked;
      b.createOrFold<UnpackGatedOp>(unpacked, b.getUnknownLoc(), type, type,
                                    packed, block);
      ASSERT_EQ(unpacked.size(), 2u);
      auto gate = unpacked[0].getDefiningOp<arith::ConstantOp>();
      auto linear = unpacked[1].getDefiningOp<arith::ConstantOp>();
      ASSERT_TRUE(gate && linear) << "unpacking a constant must fold";
      EXPECT_EQ(gate.getValue(), wAttr);
      EXPECT_EQ(linear.getValue(), vAttr);
    }
}

} // namespace
