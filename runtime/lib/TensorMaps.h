//===- TensorMaps.h - TMA tensor maps for the kernels -----------*- C++ -*-===//
//
// The host side of the sm_90a kernels' TMA loads: MLIR 22 lowers
// nvgpu.tma.create.descriptor to a call of
//
//   void *mgpuTensorMapEncodeTiledMemref(i64 rank, ptr rankedDescriptor,
//       i64 dataType, i64 interleave, i64 swizzle, i64 l2Promotion,
//       i64 oobFill, ptr boxDims)
//
// (MgpuWrappers.cpp exports it), which must return a device pointer to a
// CUtensorMap (cuTensorMapEncodeTiled) describing the memref. Here: how a
// memref descriptor becomes the encoder's arguments (innermost dimension
// first, strides in bytes, the memref's offset applied), and the cache of
// encoded maps in device memory: a kernel reads its map while it runs, so
// a map lives as long as the process unless the cache is full.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_RUNTIME_TENSORMAPS_H
#define GLU_RUNTIME_TENSORMAPS_H

#include <array>
#include <cstdint>
#include <string>

namespace glu {
namespace cuda {

/// What cuTensorMapEncodeTiled takes for one memref (up to rank 5), in its
/// order: dimension 0 is the innermost (contiguous) one.
struct TensorMapRequest {
  int64_t rank = 0;
  int64_t dataType = 0;
  uint64_t address = 0;
  std::array<uint64_t, 5> globalDim{}, globalStrides{};
  std::array<uint32_t, 5> boxDim{}, elementStrides{};
  int64_t interleave = 0, swizzle = 0, l2Promotion = 0, oobFill = 0;

  bool operator<(const TensorMapRequest &other) const;
};

/// Bytes of an element of CUtensorMapDataType `dataType`, 0 if unknown.
int64_t tensorMapElementBytes(int64_t dataType);

/// Fills `request` from a ranked memref descriptor ({allocated, aligned,
/// offset, sizes[rank], strides[rank]}) and the box in the memref's order.
/// False, with `why`, when TMA cannot address the memref: rank outside
/// 1..5, an unknown data type, an innermost stride other than 1, an
/// address or an outer stride not a multiple of 16 bytes, a box dimension
/// outside 1..256. The kernels test the same alignment and copy such
/// operands themselves, so a refusal is not an error.
bool describeTensorMap(int64_t rank, const void *rankedDescriptor,
                       int64_t dataType, const int64_t *boxDims,
                       TensorMapRequest &request, std::string *why = nullptr);

/// The device address of the CUtensorMap of `request`, encoded and copied
/// to device memory on first use; nullptr with the error recorded
/// (CudaDriver.h) on failure.
void *deviceTensorMap(const TensorMapRequest &request);

} // namespace cuda
} // namespace glu

#endif // GLU_RUNTIME_TENSORMAPS_H
