//===- MmaTilingTest.cpp - tensor-core tiles and shared-memory swizzle ----===//
//
// The tilings chooseMmaTiling returns are buildable (isValidMmaTiling) for
// every kind of problem, invalid ones say why, and the shared-tile swizzle
// is a permutation of each row's chunks that keeps ldmatrix's 8-row reads
// and cp.async's 8-chunk writes free of bank conflicts; the index
// arithmetic the kernels emit (emitSwizzledChunk) folds to the same chunks.
//
//===----------------------------------------------------------------------===//

#include "passes/codegen/gpu/GpuGemmTiling.h"
#include "passes/codegen/gpu/SharedTileSwizzle.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

#include <gtest/gtest.h>

#include <optional>
#include <set>

using namespace mlir;
using namespace mlir::ffn;

namespace {

constexpr int64_t kChunksPerRow[] = {2, 4, 8, 16};

/// The 16-byte slot of a 128-byte bank window that chunk (row, physical)
/// of a tile of `chunksPerRow` chunks a row occupies.
int64_t bankSlot(int64_t row, int64_t physical, int64_t chunksPerRow) {
  return (row * chunksPerRow + physical) % 8;
}

TEST(SharedTileSwizzle, PermutesEachRowsChunks) {
  for (int64_t c : kChunksPerRow)
    for (int64_t row = 0; row < 64; ++row) {
      std::set<int64_t> physical;
      for (int64_t chunk = 0; chunk < c; ++chunk) {
        int64_t p = swizzledChunk(row, chunk, c);
        EXPECT_GE(p, 0);
        EXPECT_LT(p, c);
        physical.insert(p);
      }
      EXPECT_EQ(int64_t(physical.size()), c) << "row " << row << ", " << c;
    }
}

TEST(SharedTileSwizzle, LdmatrixRowsHitEightBankSlots) {
  // One 8 x 8 matrix of an ldmatrix: 8 consecutive rows (from a multiple
  // of 8, as every fragment origin is) at one logical chunk.
  for (int64_t c : kChunksPerRow)
    for (int64_t first = 0; first < 64; first += 8)
      for (int64_t chunk = 0; chunk < c; ++chunk) {
        std::set<int64_t> slots;
        for (int64_t row = first; row < first + 8; ++row)
          slots.insert(bankSlot(row, swizzledChunk(row, chunk, c), c));
        EXPECT_EQ(slots.size(), 8u)
            << "rows " << first << "+8, chunk " << chunk << ", " << c;
      }
}

TEST(SharedTileSwizzle, UnswizzledRowsWouldConflict) {
  // The check above can fail: without the XOR, tiles of 4 or more chunks a
  // row put an ldmatrix's 8 rows on at most 2 slots.
  for (int64_t c : {4, 8, 16}) {
    std::set<int64_t> slots;
    for (int64_t row = 0; row < 8; ++row)
      slots.insert(bankSlot(row, 0, c));
    EXPECT_LE(slots.size(), 2u);
  }
}

TEST(SharedTileSwizzle, CpAsyncChunkWritesHitEightBankSlots) {
  // 8 threads of consecutive chunk ids write 128 bytes at once.
  for (int64_t c : kChunksPerRow)
    for (int64_t first = 0; first < 64 * c; first += 8) {
      std::set<int64_t> slots;
      for (int64_t e = first; e < first + 8; ++e) {
        int64_t row = e / c, chunk = e % c;
        slots.insert(bankSlot(row, swizzledChunk(row, chunk, c), c));
      }
      EXPECT_EQ(slots.size(), 8u) << "chunks " << first << "+8, " << c;
    }
}

TEST(SharedTileSwizzle, EmittedArithmeticFolds) {
  MLIRContext context;
  context.loadDialect<arith::ArithDialect, func::FuncDialect>();
  OpBuilder b(&context);
  Location loc = b.getUnknownLoc();
  for (int64_t c : kChunksPerRow) {
    OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
    b.setInsertionPointToEnd(module->getBody());
    SmallVector<std::pair<int64_t, int64_t>> cases;
    SmallVector<Type> results;
    for (int64_t row = 0; row < 24; ++row)
      for (int64_t chunk = 0; chunk < c; ++chunk) {
        cases.push_back({row, chunk});
        results.push_back(b.getIndexType());
      }
    auto fn =
        func::FuncOp::create(b, loc, "swizzle", b.getFunctionType({}, results));
    b.setInsertionPointToStart(fn.addEntryBlock());
    SmallVector<Value> values;
    for (auto [row, chunk] : cases)
      values.push_back(
          emitSwizzledChunk(b, loc, arith::ConstantIndexOp::create(b, loc, row),
                            arith::ConstantIndexOp::create(b, loc, chunk), c));
    func::ReturnOp::create(b, loc, values);
    PassManager pm(&context);
    pm.addPass(createCanonicalizerPass());
    ASSERT_TRUE(succeeded(pm.run(*module)));
    auto ret = cast<func::ReturnOp>(
        module->lookupSymbol<func::FuncOp>("swizzle").getBody().front().back());
    for (auto [i, rowChunk] : llvm::enumerate(cases)) {
      auto constant = ret.getOperand(i).getDefiningOp<arith::ConstantIndexOp>();
      ASSERT_TRUE(constant) << "did not fold";
      EXPECT_EQ(constant.value(),
                swizzledChunk(rowChunk.first, rowChunk.second, c))
          << "row " << rowChunk.first << " chunk " << rowChunk.second;
    }
  }
}

TEST(MmaTiling, ChosenTilingsAreValid) {
  std::optional<int64_t> extents[] = {std::nullopt, 1, 24, 64, 65, 768, 8192};
  for (bool gated : {false, true})
    for (auto m : extents)
      for (auto n : extents) {
        MmaTiling t = chooseMmaTiling(m, n, gated);
        std::string why;
        EXPECT_TRUE(isValidMmaTiling(t, gated, &why)) << why;
        EXPECT_LE(t.sharedMemoryBytes(gated), kMaxStaticSharedMemoryBytes);
        // At most 64 accumulators a thread: room for the fragments.
        EXPECT_LE(t.accumulatorsPerThread(gated), 64);
        EXPECT_GE(t.accumulatorsPerThread(gated), 32);
        if (m && *m <= 64)
          EXPECT_EQ(t.tileM, 64);
      }
}

TEST(MmaTiling, Tf32TilingsStepHalfTheKAndFillTheSameSharedMemory) {
  std::optional<int64_t> extents[] = {std::nullopt, 1, 64, 65, 8192};
  for (bool gated : {false, true})
    for (auto m : extents)
      for (auto n : extents) {
        MmaTiling t = chooseMmaTiling(m, n, gated, /*elementBytes=*/4);
        std::string why;
        EXPECT_TRUE(isValidMmaTiling(t, gated, &why)) << why;
        EXPECT_EQ(t.tileK, 16);
        EXPECT_EQ(t.mmaK(), 8);
        EXPECT_EQ(t.chunkElements(), 4);
        EXPECT_EQ(t.sharedMemoryBytes(gated),
                  chooseMmaTiling(m, n, gated).sharedMemoryBytes(gated));
      }
}

TEST(MmaTiling, WgmmaTilingsAreWarpgroupsOf64Rows) {
  std::optional<int64_t> extents[] = {std::nullopt, 1, 24, 64, 65, 8192};
  for (bool gated : {false, true})
    for (auto m : extents)
      for (auto n : extents) {
        MmaTiling t = chooseMmaTiling(m, n, gated, /*elementBytes=*/2,
                                      MmaInstruction::Wgmma);
        MmaTiling sync = chooseMmaTiling(m, n, gated);
        std::string why;
        EXPECT_TRUE(isValidMmaTiling(t, gated, &why)) << why;
        EXPECT_TRUE(t.isWgmma());
        // The same CTA tiles as mma.sync, 8 warps as 2 warpgroups of 4
        // warps x 16 rows, a fourth stage (a wgmma group stays in flight).
        EXPECT_EQ(t.tileM, sync.tileM);
        EXPECT_EQ(t.tileN, sync.tileN);
        EXPECT_EQ(t.tileK, sync.tileK);
        EXPECT_EQ(t.stages, 4);
        EXPECT_EQ(t.sharedMemoryBytes(gated) * 3,
                  sync.sharedMemoryBytes(gated) * 4);
        EXPECT_EQ(t.threads(), 256);
        EXPECT_EQ(t.warpTileM(), 16);
        EXPECT_EQ(t.warpgroupsM() * t.warpsN, 2);
        EXPECT_EQ(t.accumulatorsPerThread(gated),
                  sync.accumulatorsPerThread(gated));
      }
  MmaTiling tall = chooseMmaTiling(8192, 2048, false, 2, MmaInstruction::Wgmma);
  EXPECT_EQ(tall.warpgroupsM(), 2); // m64n128 each
  EXPECT_EQ(tall.warpTileN(), 128);
  MmaTiling wide = chooseMmaTiling(1, 2048, false, 2, MmaInstruction::Wgmma);
  EXPECT_EQ(wide.warpgroupsM(), 1); // two m64n64 side by side
  EXPECT_EQ(wide.warpTileN(), 64);
}

TEST(MmaTiling, LargeProblemsUseTheLargestTiles) {
  MmaTiling plain = chooseMmaTiling(8192, 2048, /*gated=*/false);
  EXPECT_EQ(plain.tileM, 128);
  EXPECT_EQ(plain.tileN, 128);
  EXPECT_EQ(plain.stages, 3);
  EXPECT_EQ(plain.threads(), 256);
  MmaTiling gated = chooseMmaTiling(8192, 2048, /*gated=*/true);
  EXPECT_EQ(gated.tileM, 128);
  EXPECT_EQ(gated.tileN, 64); // 128 packed columns
  EXPECT_EQ(gated.sharedMemoryBytes(true), 48 * 1024);
}

TEST(MmaTiling, InvalidTilingsSayWhy) {
  std::string why;
  MmaTiling t;
  t.tileK = 24;
  EXPECT_FALSE(isValidMmaTiling(t, false, &why));
  EXPECT_NE(why.find("k-steps"), std::string::npos) << why;
  t = MmaTiling();
  t.elementBytes = 1;
  EXPECT_FALSE(isValidMmaTiling(t, false, &why));
  EXPECT_NE(why.find("tf32"), std::string::npos) << why;
  t = MmaTiling();
  t.stages = 4;
  EXPECT_FALSE(isValidMmaTiling(t, false, &why));
  EXPECT_NE(why.find("48 KiB"), std::string::npos) << why;
  t = MmaTiling();
  t.warpsN = 16; // warp tiles 8 columns wide
  EXPECT_FALSE(isValidMmaTiling(t, false, &why));
  EXPECT_NE(why.find("16 x 16"), std::string::npos) << why;
  t = chooseMmaTiling(8192, 8192, false, 4, MmaInstruction::Wgmma);
  EXPECT_FALSE(isValidMmaTiling(t, false, &why));
  EXPECT_NE(why.find("16-bit"), std::string::npos) << why;
  t = chooseMmaTiling(8192, 8192, false, 2, MmaInstruction::Wgmma);
  t.warpsM = 2; // warps of 64 rows
  t.warpsN = 4;
  EXPECT_FALSE(isValidMmaTiling(t, false, &why));
  EXPECT_NE(why.find("warpgroup"), std::string::npos) << why;
  // wgmma reads its tiles in swizzled rows of 32, 64 or 128 bytes: a K
  // step of 48 elements (96 bytes) has none.
  t = chooseMmaTiling(8192, 8192, false, 2, MmaInstruction::Wgmma);
  t.tileK = 48;
  EXPECT_FALSE(isValidMmaTiling(t, false, &why));
  EXPECT_NE(why.find("rows of a swizzle"), std::string::npos) << why;
  // One wgmma group in flight needs a third stage; dynamic shared memory
  // holds far more than 48 KiB, but not 8 stages of K steps of 256.
  t = chooseMmaTiling(8192, 8192, false, 2, MmaInstruction::Wgmma);
  t.stages = 2;
  EXPECT_FALSE(isValidMmaTiling(t, false, &why));
  EXPECT_NE(why.find("3 stages"), std::string::npos) << why;
  t.stages = 8;
  EXPECT_TRUE(isValidMmaTiling(t, false, &why)) << why;
  t.tileK = 256;
  EXPECT_FALSE(isValidMmaTiling(t, false, &why));
  EXPECT_NE(why.find("226 KiB"), std::string::npos) << why;
}

TEST(MmaTiling, WgmmaRowsAreSwizzleRows) {
  MmaTiling t = chooseMmaTiling(8192, 8192, false, 2, MmaInstruction::Wgmma);
  // K steps of 32 bf16: 64-byte rows; 64 rows of a transposed A and 128
  // columns of a [K, N] B: 128-byte rows (B in two panels).
  EXPECT_EQ(t.wgmmaRowElements(t.tileK), 32);
  EXPECT_EQ(t.wgmmaRowElements(64), 64);
  EXPECT_EQ(t.wgmmaRowElements(t.warpTileN()), 64);
  // A gated one-row problem: warpgroups side by side, 32 h columns each
  // (64-byte rows, one panel per warpgroup).
  MmaTiling gated = chooseMmaTiling(1, 8192, true, 2, MmaInstruction::Wgmma);
  EXPECT_EQ(gated.warpTileN(), 32);
  EXPECT_EQ(gated.wgmmaRowElements(gated.warpTileN()), 32);
}

} // namespace
