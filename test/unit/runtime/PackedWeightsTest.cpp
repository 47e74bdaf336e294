//===- PackedWeightsTest.cpp - glu/PackedWeights.h ------------------------===//
//
// The host-side packing helpers against hand-computed layouts, against the
// compiler's definition of ffn.pack_gated (unpackedColumn, copied below
// from dialect/FFNFusedOps.cpp) for every width and block size up to a
// bound and several element sizes, round trips, and their errors.
//
//===----------------------------------------------------------------------===//

#include "glu/PackedWeights.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

using namespace glu;

namespace {

/// dialect/FFNFusedOps.cpp's mlir::ffn::unpackedColumn, verbatim: where
/// packed column `packed` comes from (gate: false, linear: true, and the
/// column). The constant folder of ffn.pack_gated packs with it, and
/// FusedOpsTest checks the lowering's layout against it.
std::pair<bool, int64_t> unpackedColumn(int64_t packed, int64_t width,
                                        int64_t blockSize) {
  int64_t fullBlocks = width / blockSize;
  int64_t fullColumns = 2 * fullBlocks * blockSize;
  if (packed < fullColumns) {
    int64_t block = packed / (2 * blockSize);
    int64_t offset = packed % (2 * blockSize);
    bool linear = offset >= blockSize;
    return {linear, block * blockSize + offset % blockSize};
  }
  int64_t tail = width - fullBlocks * blockSize;
  int64_t offset = packed - fullColumns;
  bool linear = offset >= tail;
  return {linear, fullBlocks * blockSize + (linear ? offset - tail : offset)};
}

/// Gate values 100 * row + column, linear values 1000 + the same: every
/// packed value says where it came from.
struct Halves {
  std::vector<float> gate, linear;
};
Halves numbered(int64_t rows, int64_t cols) {
  Halves h;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) {
      h.gate.push_back(static_cast<float>(100 * r + c));
      h.linear.push_back(static_cast<float>(1000 + 100 * r + c));
    }
  return h;
}

std::vector<float> pack(const Halves &h, int64_t rows, int64_t cols,
                        int64_t block) {
  std::vector<float> packed(2 * h.gate.size(), -1.0f);
  packGatedColumns(h.gate.data(), h.linear.data(), packed.data(), rows, cols,
                   block, sizeof(float));
  return packed;
}

/// The message of the glu::Error `fn` throws, "" if none.
template <typename Fn> std::string errorOf(Fn fn) {
  try {
    fn();
  } catch (const Error &e) {
    return e.what();
  }
  return "";
}

} // namespace

TEST(PackedWeights, RaggedLastBlock) {
  // 5 columns in blocks of 2: [g0 g1 | l0 l1 | g2 g3 | l2 l3 | g4 | l4].
  Halves h = numbered(1, 5);
  EXPECT_EQ(pack(h, 1, 5, 2),
            (std::vector<float>{0, 1, 1000, 1001, 2, 3, 1002, 1003, 4, 1004}));
  // Three rows, each packed on its own.
  h = numbered(3, 5);
  EXPECT_EQ(pack(h, 3, 5, 2),
            (std::vector<float>{0,    1,    1000, 1001, 2,    3,    1002, 1003,
                                4,    1004, 100,  101,  1100, 1101, 102,  103,
                                1102, 1103, 104,  1104, 200,  201,  1200, 1201,
                                202,  203,  1202, 1203, 204,  1204}));
  // 7 columns in blocks of 3: the tail pair is [g6 | l6].
  h = numbered(1, 7);
  EXPECT_EQ(pack(h, 1, 7, 3),
            (std::vector<float>{0, 1, 2, 1000, 1001, 1002, 3, 4, 5, 1003, 1004,
                                1005, 6, 1006}));
}

TEST(PackedWeights, WholeBlocks) {
  Halves h = numbered(1, 4);
  EXPECT_EQ(pack(h, 1, 4, 2),
            (std::vector<float>{0, 1, 1000, 1001, 2, 3, 1002, 1003}));
  h = numbered(3, 4);
  EXPECT_EQ(pack(h, 3, 4, 2),
            (std::vector<float>{0,   1,   1000, 1001, 2,   3,   1002, 1003,
                                100, 101, 1100, 1101, 102, 103, 1102, 1103,
                                200, 201, 1200, 1201, 202, 203, 1202, 1203}));
  // One block of the whole width: [W | V].
  h = numbered(2, 3);
  EXPECT_EQ(pack(h, 2, 3, 3),
            (std::vector<float>{0, 1, 2, 1000, 1001, 1002, 100, 101, 102, 1100,
                                1101, 1102}));
  // A block wider than the columns is one ragged block: the same.
  EXPECT_EQ(pack(h, 2, 3, 64), pack(h, 2, 3, 3));
  // Blocks of 1 alternate.
  h = numbered(1, 3);
  EXPECT_EQ(pack(h, 1, 3, 1), (std::vector<float>{0, 1000, 1, 1001, 2, 1002}));
}

TEST(PackedWeights, LeadingDimensionsThroughTheLayout) {
  // A rank-3 [2, 2, 3] pair in blocks of 2: four rows of
  // [g0 g1 | l0 l1 | g2 | l2].
  PackedLayout layout;
  layout.blockSize = 2;
  layout.gateName = "w";
  layout.linearName = "v";
  layout.halfShape = {2, 2, 3};
  TensorType type{DType::F32, {2, 2, 6}};
  Halves h = numbered(4, 3);
  std::vector<float> packed(24, -1.0f);
  packGatedColumns(layout, type, h.gate.data(), 48, h.linear.data(), 48,
                   packed.data(), 96);
  std::vector<float> expected;
  for (float r : {0.0f, 100.0f, 200.0f, 300.0f})
    for (float c : {0.0f, 1.0f, 1000.0f, 1001.0f, 2.0f, 1002.0f})
      expected.push_back(r + c);
  EXPECT_EQ(packed, expected);
  Halves back{std::vector<float>(12), std::vector<float>(12)};
  unpackGatedColumns(layout, type, packed.data(), 96, back.gate.data(), 48,
                     back.linear.data(), 48);
  EXPECT_EQ(back.gate, h.gate);
  EXPECT_EQ(back.linear, h.linear);

  // Without byte counts: the same.
  std::vector<float> again(24, -1.0f);
  packGatedColumns(layout, type, h.gate.data(), h.linear.data(), again.data());
  EXPECT_EQ(again, packed);
  Halves back2{std::vector<float>(12), std::vector<float>(12)};
  unpackGatedColumns(layout, type, packed.data(), back2.gate.data(),
                     back2.linear.data());
  EXPECT_EQ(back2.gate, h.gate);
  EXPECT_EQ(back2.linear, h.linear);

  // Rank 1 (a bias): one row.
  layout.halfShape = {5};
  type = {DType::F32, {10}};
  h = numbered(1, 5);
  packed.assign(10, -1.0f);
  packGatedColumns(layout, type, h.gate.data(), 20, h.linear.data(), 20,
                   packed.data(), 40);
  EXPECT_EQ(packed, pack(h, 1, 5, 2));
}

TEST(PackedWeights, MatchesTheCompilersLayout) {
  // Every packed byte is the byte unpackedColumn names, for element sizes
  // 1, 2, 3, 4 and 8, and unpacking restores both halves.
  for (size_t bytes : {1, 2, 3, 4, 8})
    for (int64_t rows : {0, 1, 3})
      for (int64_t cols = 0; cols <= 20; ++cols)
        for (int64_t block = 1; block <= 9; ++block) {
          size_t half = static_cast<size_t>(rows * cols) * bytes;
          std::vector<uint8_t> gate(half), linear(half), packed(2 * half, 0);
          for (size_t i = 0; i < half; ++i) {
            gate[i] = static_cast<uint8_t>(i * 7 + 1);
            linear[i] = static_cast<uint8_t>(i * 13 + 128);
          }
          packGatedColumns(gate.data(), linear.data(), packed.data(), rows,
                           cols, block, bytes);
          for (int64_t r = 0; r < rows; ++r)
            for (int64_t c = 0; c < 2 * cols; ++c) {
              auto [isLinear, column] = unpackedColumn(c, cols, block);
              const uint8_t *src = (isLinear ? linear : gate).data() +
                                   (r * cols + column) * bytes;
              const uint8_t *dst = packed.data() + (r * 2 * cols + c) * bytes;
              ASSERT_EQ(std::memcmp(src, dst, bytes), 0)
                  << "row " << r << " packed column " << c << " of " << cols
                  << " in blocks of " << block << ", " << bytes << " bytes";
            }
          std::vector<uint8_t> gate2(half, 0), linear2(half, 0);
          unpackGatedColumns(packed.data(), gate2.data(), linear2.data(), rows,
                             cols, block, bytes);
          ASSERT_EQ(gate2, gate);
          ASSERT_EQ(linear2, linear);
        }
}

TEST(PackedWeights, RoundTrip) {
  // unpack(pack(w, v)) == (w, v) and pack(unpack(p)) == p.
  const int64_t rows = 7, cols = 45, block = 8;
  std::vector<double> packed(2 * rows * cols);
  std::iota(packed.begin(), packed.end(), 0.5);
  std::vector<double> gate(rows * cols), linear(rows * cols);
  unpackGatedColumns(packed.data(), gate.data(), linear.data(), rows, cols,
                     block, sizeof(double));
  // Row 2's last (ragged) block of 5 columns: gate 40..44 sit at packed
  // columns 80..84, linear at 85..89.
  EXPECT_EQ(gate[2 * cols + 40], packed[2 * 2 * cols + 80]);
  EXPECT_EQ(linear[2 * cols + 44], packed[2 * 2 * cols + 89]);
  std::vector<double> again(packed.size(), 0);
  packGatedColumns(gate.data(), linear.data(), again.data(), rows, cols, block,
                   sizeof(double));
  EXPECT_EQ(again, packed);
}

TEST(PackedWeights, Errors) {
  float a[8] = {}, b[8] = {}, p[16] = {};
  EXPECT_EQ(errorOf([&] { packGatedColumns(a, b, p, 2, 4, 0, 4); }),
            "packGatedColumns: the block size must be positive, got 0");
  EXPECT_EQ(errorOf([&] { unpackGatedColumns(p, a, b, 2, 4, -3, 4); }),
            "unpackGatedColumns: the block size must be positive, got -3");
  EXPECT_EQ(errorOf([&] { packGatedColumns(a, b, p, -1, 4, 2, 4); }),
            "packGatedColumns: negative rows (-1) or columns (4)");
  EXPECT_EQ(errorOf([&] { packGatedColumns(a, b, p, 2, 4, 2, 0); }),
            "packGatedColumns: the element size must be positive");
  EXPECT_EQ(errorOf([&] {
              packGatedColumns(a, b, p, int64_t(1) << 40, int64_t(1) << 20, 2,
                               4);
            }),
            "packGatedColumns: 1099511627776 rows of 2 * 1048576 columns of "
            "4 bytes overflow 64 bits");
  EXPECT_EQ(errorOf([&] { packGatedColumns(a, a + 4, p, 2, 4, 2, 4); }),
            "packGatedColumns: the gate, linear and packed buffers overlap");
  EXPECT_EQ(errorOf([&] { unpackGatedColumns(p, p + 4, b, 1, 4, 2, 4); }),
            "unpackGatedColumns: the gate, linear and packed buffers overlap");
  // Zero elements: nothing to copy, null pointers allowed.
  EXPECT_EQ(
      errorOf([&] { packGatedColumns(nullptr, nullptr, nullptr, 0, 4, 2, 4); }),
      "");
  // A huge block size is one ragged block (no overflow stepping past it).
  EXPECT_EQ(errorOf([&] { packGatedColumns(a, b, p, 2, 4, INT64_MAX, 4); }),
            "");

  PackedLayout layout;
  layout.blockSize = 2;
  layout.halfShape = {2, 4};
  TensorType type{DType::F32, {2, 8}};
  auto packLayout = [&](const PackedLayout &l, const TensorType &t,
                        size_t gateBytes, size_t linearBytes,
                        size_t packedBytes) {
    return errorOf([&] {
      packGatedColumns(l, t, a, gateBytes, b, linearBytes, p, packedBytes);
    });
  };
  EXPECT_EQ(packLayout(layout, type, 32, 32, 64), "");
  EXPECT_EQ(packLayout(layout, type, 16, 32, 64),
            "packGatedColumns: the gate buffer holds 16 bytes, but f32[2,4] "
            "takes 32");
  EXPECT_EQ(packLayout(layout, type, 32, 33, 64),
            "packGatedColumns: the linear buffer holds 33 bytes, but f32[2,4] "
            "takes 32");
  EXPECT_EQ(packLayout(layout, type, 32, 32, 32),
            "packGatedColumns: the packed buffer holds 32 bytes, but f32[2,8] "
            "takes 64");
  EXPECT_EQ(packLayout(layout, {DType::F32, {2, 4}}, 32, 32, 32),
            "packGatedColumns: the packed type is f32[2,4], but gate and "
            "linear f32[2,4] pack into f32[2,8]");
  EXPECT_EQ(packLayout(layout, {DType::F16, {2, 8}}, 32, 32, 64),
            "packGatedColumns: the gate buffer holds 32 bytes, but f16[2,4] "
            "takes 16");
  PackedLayout bad = layout;
  bad.halfShape = {};
  EXPECT_EQ(packLayout(bad, {DType::F32, {}}, 4, 4, 8),
            "packGatedColumns: a rank-0 tensor cannot be packed");
  bad.halfShape = {2, -4};
  EXPECT_EQ(packLayout(bad, {DType::F32, {2, -8}}, 0, 0, 0),
            "packGatedColumns: negative dimension in f32[2,-4]");
  bad.halfShape = {1, INT64_MAX / 2 + 1};
  EXPECT_EQ(packLayout(bad, {DType::I8, {1, 0}}, 0, 0, 0),
            "packGatedColumns: twice the last dimension of "
            "i8[1,4611686018427387904] overflows 64 bits");
  bad = layout;
  bad.blockSize = 0;
  EXPECT_EQ(packLayout(bad, type, 32, 32, 64),
            "packGatedColumns: the block size must be positive, got 0");
  // Without byte counts the shapes and the block size are still checked.
  EXPECT_EQ(
      errorOf([&] { packGatedColumns(layout, {DType::F32, {2, 9}}, a, b, p); }),
      "packGatedColumns: the packed type is f32[2,9], but gate and "
      "linear f32[2,4] pack into f32[2,8]");
  EXPECT_EQ(errorOf([&] { unpackGatedColumns(bad, type, p, a, b); }),
            "unpackGatedColumns: the block size must be positive, got 0");
  EXPECT_EQ(errorOf([&] { packGatedColumns(layout, type, a, b, p); }), "");
  EXPECT_EQ(
      errorOf([&] { unpackGatedColumns(layout, type, p, 64, a, 32, b, 31); }),
      "unpackGatedColumns: the linear buffer holds 31 bytes, but "
      "f32[2,4] takes 32");
}
