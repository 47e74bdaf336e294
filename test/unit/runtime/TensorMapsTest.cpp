//===- TensorMapsTest.cpp - memref descriptors as TMA tensor maps ---------===//
//
// How mgpuTensorMapEncodeTiledMemref reads the memref descriptor MLIR's
// lowering passes it (checked without a GPU: encoding the map needs one,
// scripts/gpu-check.sh runs that).
//
//===----------------------------------------------------------------------===//

#include "TensorMaps.h"
#include "CudaDriver.h"

#include <gtest/gtest.h>

#include <cstdint>

extern "C" void *mgpuTensorMapEncodeTiledMemref(int64_t, void *, int64_t,
                                                int64_t, int64_t, int64_t,
                                                int64_t, int64_t *);

namespace {

using glu::cuda::describeTensorMap;
using glu::cuda::TensorMapRequest;

constexpr int64_t kBFloat16 = 9, kFloat32 = 7;

/// A rank-2 memref descriptor: {allocated, aligned, offset, sizes[2],
/// strides[2]}.
struct Descriptor2D {
  void *allocated, *aligned;
  int64_t offset, sizes[2], strides[2];
};

Descriptor2D matrix(uintptr_t address, int64_t rows, int64_t cols,
                    int64_t rowStride, int64_t offset = 0) {
  void *p = reinterpret_cast<void *>(address);
  return {p, p, offset, {rows, cols}, {rowStride, 1}};
}

TEST(TensorMaps, DescribesAMatrixInnermostFirst) {
  Descriptor2D d = matrix(0x10000, 67, 64, 64, /*offset=*/8);
  int64_t box[2] = {128, 8};
  TensorMapRequest r;
  std::string why;
  ASSERT_TRUE(describeTensorMap(2, &d, kBFloat16, box, r, &why)) << why;
  EXPECT_EQ(r.rank, 2);
  EXPECT_EQ(r.address, 0x10000u + 16); // offset 8 bf16 elements
  EXPECT_EQ(r.globalDim[0], 64u);
  EXPECT_EQ(r.globalDim[1], 67u);
  EXPECT_EQ(r.globalStrides[0], 128u); // bytes between rows
  EXPECT_EQ(r.boxDim[0], 8u);
  EXPECT_EQ(r.boxDim[1], 128u);
  EXPECT_EQ(r.elementStrides[0], 1u);
  EXPECT_EQ(r.elementStrides[1], 1u);
  // f32: 4 bytes an element.
  ASSERT_TRUE(describeTensorMap(2, &d, kFloat32, box, r, &why)) << why;
  EXPECT_EQ(r.globalStrides[0], 256u);
  EXPECT_EQ(r.address, 0x10000u + 32);
}

TEST(TensorMaps, RefusesWhatTmaCannotAddress) {
  int64_t box[2] = {128, 8};
  TensorMapRequest r;
  std::string why;
  Descriptor2D offByOne = matrix(0x10000, 67, 64, 64, /*offset=*/1);
  EXPECT_FALSE(describeTensorMap(2, &offByOne, kBFloat16, box, r, &why));
  EXPECT_NE(why.find("16-byte aligned"), std::string::npos) << why;
  Descriptor2D oddRows = matrix(0x10000, 67, 60, 60);
  EXPECT_FALSE(describeTensorMap(2, &oddRows, kBFloat16, box, r, &why));
  EXPECT_NE(why.find("multiple of 16 bytes"), std::string::npos) << why;
  Descriptor2D strided = matrix(0x10000, 67, 64, 128);
  strided.strides[1] = 2;
  EXPECT_FALSE(describeTensorMap(2, &strided, kBFloat16, box, r, &why));
  EXPECT_NE(why.find("contiguous"), std::string::npos) << why;
  Descriptor2D fine = matrix(0x10000, 67, 64, 64);
  int64_t tooTall[2] = {512, 8};
  EXPECT_FALSE(describeTensorMap(2, &fine, kBFloat16, tooTall, r, &why));
  EXPECT_NE(why.find("1 to 256"), std::string::npos) << why;
  EXPECT_FALSE(describeTensorMap(2, &fine, 13, box, r, &why));
  EXPECT_NE(why.find("data type"), std::string::npos) << why;
  EXPECT_FALSE(describeTensorMap(6, &fine, kBFloat16, box, r, &why));
  EXPECT_NE(why.find("rank"), std::string::npos) << why;
}

TEST(TensorMaps, UnalignedOperandsGetNoMapAndNoError) {
  // The kernels test the same alignment and copy such operands without
  // TMA: no map, and no error for the call to report.
  (void)glu::cuda::takeError();
  Descriptor2D d = matrix(0x10000, 67, 64, 64, /*offset=*/1);
  int64_t box[2] = {128, 8};
  EXPECT_EQ(mgpuTensorMapEncodeTiledMemref(2, &d, kBFloat16, 0, 0, 0, 0, box),
            nullptr);
  EXPECT_EQ(glu::cuda::takeError(), "");
}

TEST(TensorMaps, RequestsOrderAsKeys) {
  Descriptor2D a = matrix(0x10000, 67, 64, 64), b = matrix(0x20000, 67, 64, 64);
  int64_t box[2] = {128, 8};
  TensorMapRequest ra, rb;
  ASSERT_TRUE(describeTensorMap(2, &a, kBFloat16, box, ra));
  ASSERT_TRUE(describeTensorMap(2, &b, kBFloat16, box, rb));
  EXPECT_TRUE(ra < rb);
  EXPECT_FALSE(rb < ra);
  EXPECT_FALSE(ra < ra);
}

} // namespace
