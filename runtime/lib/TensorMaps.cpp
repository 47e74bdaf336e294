//===- TensorMaps.cpp - TMA tensor maps for the kernels -------------------===//

#include "TensorMaps.h"

#include "CudaDriver.h"

#include <map>
#include <mutex>
#include <tuple>

namespace glu {
namespace cuda {

bool TensorMapRequest::operator<(const TensorMapRequest &other) const {
  auto key = [](const TensorMapRequest &r) {
    return std::tie(r.rank, r.dataType, r.address, r.globalDim, r.globalStrides,
                    r.boxDim, r.elementStrides, r.interleave, r.swizzle,
                    r.l2Promotion, r.oobFill);
  };
  return key(*this) < key(other);
}

int64_t tensorMapElementBytes(int64_t dataType) {
  // CUtensorMapDataType: UINT8, UINT16, UINT32, INT32, UINT64, INT64,
  // FLOAT16, FLOAT32, FLOAT64, BFLOAT16, FLOAT32_FTZ, TFLOAT32,
  // TFLOAT32_FTZ.
  static constexpr int64_t bytes[] = {1, 2, 4, 4, 8, 8, 2, 4, 8, 2, 4, 4, 4};
  if (dataType < 0 || dataType >= int64_t(sizeof(bytes) / sizeof(bytes[0])))
    return 0;
  return bytes[dataType];
}

bool describeTensorMap(int64_t rank, const void *rankedDescriptor,
                       int64_t dataType, const int64_t *boxDims,
                       TensorMapRequest &request, std::string *why) {
  auto fail = [&](const std::string &reason) {
    if (why)
      *why = reason;
    return false;
  };
  if (rank < 1 || rank > 5)
    return fail("TMA addresses memrefs of rank 1 to 5, not " +
                std::to_string(rank));
  int64_t elementBytes = tensorMapElementBytes(dataType);
  if (!elementBytes)
    return fail("unknown tensor map data type " + std::to_string(dataType));
  // {allocated, aligned, offset, sizes[rank], strides[rank]}.
  const auto *words = static_cast<const int64_t *>(rankedDescriptor);
  const auto *pointers = static_cast<void *const *>(rankedDescriptor);
  uint64_t aligned = reinterpret_cast<uint64_t>(pointers[1]);
  int64_t offset = words[2];
  const int64_t *sizes = words + 3;
  const int64_t *strides = words + 3 + rank;
  request = TensorMapRequest();
  request.rank = rank;
  request.dataType = dataType;
  request.address = aligned + uint64_t(offset * elementBytes);
  if (request.address % 16)
    return fail("the memref's first element is not 16-byte aligned");
  if (strides[rank - 1] != 1)
    return fail("the memref's innermost dimension is not contiguous");
  for (int64_t i = 0; i < rank; ++i) {
    int64_t dim = rank - 1 - i;
    request.globalDim[i] = uint64_t(sizes[dim]);
    int64_t box = boxDims[dim];
    if (box < 1 || box > 256)
      return fail("a TMA box dimension is 1 to 256 elements, not " +
                  std::to_string(box));
    request.boxDim[i] = uint32_t(box);
    request.elementStrides[i] = 1;
    if (i > 0) {
      uint64_t bytes = uint64_t(strides[dim] * elementBytes);
      if (bytes % 16)
        return fail("a stride of the memref is not a multiple of 16 bytes");
      request.globalStrides[i - 1] = bytes;
    }
  }
  return true;
}

namespace {

/// Encoded maps in device memory, by request.
struct MapCache {
  std::mutex mutex;
  std::map<TensorMapRequest, CUdeviceptr> maps;
};

MapCache &mapCache() {
  static MapCache *cache = new MapCache; // outlives the artifacts' kernels
  return *cache;
}

/// Entries before the cache synchronizes and starts again.
constexpr size_t kMaxCachedMaps = 4096;

} // namespace

void *deviceTensorMap(const TensorMapRequest &request) {
  const Driver *d = driver();
  if (!d || !ensureContext())
    return nullptr;
  if (!d->cuTensorMapEncodeTiled) {
    recordError("the CUDA driver has no cuTensorMapEncodeTiled (TMA needs "
                "CUDA 12 and an sm_90 GPU)");
    return nullptr;
  }
  MapCache &cache = mapCache();
  std::lock_guard<std::mutex> lock(cache.mutex);
  if (auto it = cache.maps.find(request); it != cache.maps.end())
    return reinterpret_cast<void *>(it->second);
  if (cache.maps.size() >= kMaxCachedMaps) {
    // Kernels in flight may still read the maps: wait for them first.
    if (check(d->cuCtxSynchronize(), "cuCtxSynchronize",
              "before freeing TMA tensor maps"))
      return nullptr;
    for (auto &entry : cache.maps)
      d->cuMemFree_v2(entry.second);
    cache.maps.clear();
  }
  alignas(64) unsigned char map[128] = {0};
  if (check(d->cuTensorMapEncodeTiled(
                map, int(request.dataType), unsigned(request.rank),
                reinterpret_cast<void *>(request.address),
                request.globalDim.data(), request.globalStrides.data(),
                request.boxDim.data(), request.elementStrides.data(),
                int(request.interleave), int(request.swizzle),
                int(request.l2Promotion), int(request.oobFill)),
            "cuTensorMapEncodeTiled"))
    return nullptr;
  CUdeviceptr device = 0;
  if (check(d->cuMemAlloc_v2(&device, sizeof(map)), "cuMemAlloc",
            "a TMA tensor map"))
    return nullptr;
  if (check(d->cuMemcpyHtoD_v2(device, map, sizeof(map)), "cuMemcpyHtoD",
            "a TMA tensor map")) {
    d->cuMemFree_v2(device);
    return nullptr;
  }
  cache.maps.emplace(request, device);
  return reinterpret_cast<void *>(device);
}

} // namespace cuda
} // namespace glu
