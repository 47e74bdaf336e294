//===- MgpuWrappers.cpp - The mgpu* ABI of MLIR's gpu-to-llvm -------------===//
//
// The functions that the host code of a cuda artifact calls: MLIR 22's
// gpu-to-llvm lowering and the gpu.binary SelectObject translation emit
// calls to them (checked against mlir-translate 22 output:
// mgpuModuleLoad(ptr, i64), mgpuModuleLoadJIT(ptr, i32),
// mgpuLaunchKernel(..., i32 smem, ptr stream, ptr params, ptr extra,
// i64 paramsCount), mgpuMemAlloc(i64, ptr, i8 hostShared)). They are
// implemented on the driver table of CudaDriver.h and exported with default
// visibility so that a dlopen'ed artifact resolves them from
// libglu_runtime.so. None can return an error: the first failure is
// recorded in the runtime's error slot, which Artifact::call checks.
//
//===----------------------------------------------------------------------===//

#include "CudaDriver.h"
#include "TensorMaps.h"

#include <cstdint>
#include <cstring>
#include <vector>

using namespace glu::cuda;

#define GLU_MGPU_EXPORT extern "C" __attribute__((visibility("default")))

namespace {

/// The driver with a current context, or nullptr (error recorded).
const Driver *ready() {
  if (!ensureContext())
    return nullptr;
  return driver();
}

CUdeviceptr devPtr(void *p) { return reinterpret_cast<CUdeviceptr>(p); }

/// JIT-compiles `image` (NUL-terminated PTX, or a cubin) in the current
/// context, with the JIT error log in the error message on failure.
CUmodule loadModule(const Driver *d, const void *image, int optLevel) {
  char errorLog[8192] = {0};
  CUjit_option options[3] = {CU_JIT_ERROR_LOG_BUFFER,
                             CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES,
                             CU_JIT_OPTIMIZATION_LEVEL};
  void *values[3] = {errorLog, reinterpret_cast<void *>(sizeof(errorLog) - 1),
                     reinterpret_cast<void *>(static_cast<intptr_t>(optLevel))};
  unsigned numOptions = optLevel >= 0 ? 3 : 2;
  CUmodule module = nullptr;
  CUresult r =
      d->cuModuleLoadDataEx(&module, image, numOptions, options, values);
  if (r != CUDA_SUCCESS) {
    std::string log(errorLog);
    while (!log.empty() && (log.back() == '\n' || log.back() == '\0'))
      log.pop_back();
    check(r, "cuModuleLoadDataEx", log.empty() ? "" : "JIT log: " + log);
    return nullptr;
  }
  return module;
}

} // namespace

/// Loads a GPU binary of `gpuBlobSize` bytes. The blob (PTX text for glu's
/// artifacts) need not be NUL-terminated: it is copied into one that is.
GLU_MGPU_EXPORT void *mgpuModuleLoad(void *data, size_t gpuBlobSize) {
  const Driver *d = ready();
  if (!d)
    return nullptr;
  std::vector<char> image(gpuBlobSize + 1, '\0');
  if (gpuBlobSize)
    std::memcpy(image.data(), data, gpuBlobSize);
  return loadModule(d, image.data(), /*optLevel=*/-1);
}

/// Loads NUL-terminated PTX text, JIT-compiled at `optLevel` (0-4).
GLU_MGPU_EXPORT void *mgpuModuleLoadJIT(void *data, int optLevel) {
  const Driver *d = ready();
  if (!d)
    return nullptr;
  const char *text = static_cast<const char *>(data);
  std::vector<char> image(text, text + std::strlen(text) + 1);
  if (optLevel < 0 || optLevel > 4)
    optLevel = 4;
  return loadModule(d, image.data(), optLevel);
}

GLU_MGPU_EXPORT void mgpuModuleUnload(void *module) {
  const Driver *d = driver();
  if (d && module)
    check(d->cuModuleUnload(static_cast<CUmodule>(module)), "cuModuleUnload");
}

GLU_MGPU_EXPORT void *mgpuModuleGetFunction(void *module, const char *name) {
  const Driver *d = ready();
  if (!d)
    return nullptr;
  if (!module) {
    recordError(std::string("cannot get kernel '") + name +
                "': its module failed to load");
    return nullptr;
  }
  CUfunction function = nullptr;
  check(d->cuModuleGetFunction(&function, static_cast<CUmodule>(module), name),
        "cuModuleGetFunction", std::string("kernel '") + name + "'");
  return function;
}

GLU_MGPU_EXPORT void mgpuLaunchKernel(void *function, intptr_t gridX,
                                      intptr_t gridY, intptr_t gridZ,
                                      intptr_t blockX, intptr_t blockY,
                                      intptr_t blockZ, int32_t smem,
                                      void *stream, void **params, void **extra,
                                      size_t /*paramsCount*/) {
  const Driver *d = ready();
  if (!d)
    return;
  if (!function) {
    recordError("cannot launch a kernel that failed to load");
    return;
  }
  auto *f = static_cast<CUfunction>(function);
  // Past 48 KiB of static and dynamic shared memory together (the sm_90a
  // kernels: 48 KiB of stages after their 1 KiB of mbarriers) a kernel
  // must opt in to more.
  if (smem > 0) {
    int staticBytes = 0;
    if (check(d->cuFuncGetAttribute(&staticBytes,
                                    CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES, f),
              "cuFuncGetAttribute", "the kernel's static shared memory"))
      return;
    if (int64_t(staticBytes) + smem > 48 * 1024 &&
        check(d->cuFuncSetAttribute(
                  f, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, smem),
              "cuFuncSetAttribute",
              std::to_string(smem) + " bytes of dynamic shared memory after " +
                  std::to_string(staticBytes) + " static"))
      return;
  }
  check(d->cuLaunchKernel(f, unsigned(gridX), unsigned(gridY), unsigned(gridZ),
                          unsigned(blockX), unsigned(blockY), unsigned(blockZ),
                          unsigned(smem), static_cast<CUstream>(stream), params,
                          extra),
        "cuLaunchKernel");
}

/// The device address of a TMA tensor map of the memref `rankedDescriptor`
/// (nvgpu.tma.create.descriptor), or nullptr when TMA cannot address it
/// (unaligned: the kernel then copies it without TMA) or on a CUDA error
/// (recorded).
GLU_MGPU_EXPORT void *mgpuTensorMapEncodeTiledMemref(
    int64_t rank, void *rankedDescriptor, int64_t dataType, int64_t interleave,
    int64_t swizzle, int64_t l2Promotion, int64_t oobFill, int64_t *boxDims) {
  TensorMapRequest request;
  if (!describeTensorMap(rank, rankedDescriptor, dataType, boxDims, request))
    return nullptr;
  request.interleave = interleave;
  request.swizzle = swizzle;
  request.l2Promotion = l2Promotion;
  request.oobFill = oobFill;
  return deviceTensorMap(request);
}

GLU_MGPU_EXPORT void *mgpuStreamCreate() {
  const Driver *d = ready();
  if (!d)
    return nullptr;
  CUstream stream = nullptr;
  check(d->cuStreamCreate(&stream, CU_STREAM_NON_BLOCKING), "cuStreamCreate");
  return stream;
}

GLU_MGPU_EXPORT void mgpuStreamDestroy(void *stream) {
  const Driver *d = driver();
  if (d && stream)
    check(d->cuStreamDestroy_v2(static_cast<CUstream>(stream)),
          "cuStreamDestroy");
}

GLU_MGPU_EXPORT void mgpuStreamSynchronize(void *stream) {
  const Driver *d = ready();
  if (d)
    check(d->cuStreamSynchronize(static_cast<CUstream>(stream)),
          "cuStreamSynchronize");
}

GLU_MGPU_EXPORT void mgpuStreamWaitEvent(void *stream, void *event) {
  const Driver *d = ready();
  if (d)
    check(d->cuStreamWaitEvent(static_cast<CUstream>(stream),
                               static_cast<CUevent>(event), 0),
          "cuStreamWaitEvent");
}

GLU_MGPU_EXPORT void *mgpuEventCreate() {
  const Driver *d = ready();
  if (!d)
    return nullptr;
  CUevent event = nullptr;
  check(d->cuEventCreate(&event, CU_EVENT_DISABLE_TIMING), "cuEventCreate");
  return event;
}

GLU_MGPU_EXPORT void mgpuEventDestroy(void *event) {
  const Driver *d = driver();
  if (d && event)
    check(d->cuEventDestroy_v2(static_cast<CUevent>(event)), "cuEventDestroy");
}

GLU_MGPU_EXPORT void mgpuEventSynchronize(void *event) {
  const Driver *d = ready();
  if (d)
    check(d->cuEventSynchronize(static_cast<CUevent>(event)),
          "cuEventSynchronize");
}

GLU_MGPU_EXPORT void mgpuEventRecord(void *event, void *stream) {
  const Driver *d = ready();
  if (d)
    check(d->cuEventRecord(static_cast<CUevent>(event),
                           static_cast<CUstream>(stream)),
          "cuEventRecord");
}

/// Allocates device memory (managed memory if `isHostShared`). A zero-size
/// request returns nullptr, as upstream does.
GLU_MGPU_EXPORT void *mgpuMemAlloc(uint64_t sizeBytes, void * /*stream*/,
                                   bool isHostShared) {
  const Driver *d = ready();
  if (!d || sizeBytes == 0)
    return nullptr;
  CUdeviceptr ptr = 0;
  if (isHostShared)
    check(d->cuMemAllocManaged(&ptr, sizeBytes, CU_MEM_ATTACH_GLOBAL),
          "cuMemAllocManaged", std::to_string(sizeBytes) + " bytes");
  else
    check(d->cuMemAlloc_v2(&ptr, sizeBytes), "cuMemAlloc",
          std::to_string(sizeBytes) + " bytes");
  return reinterpret_cast<void *>(ptr);
}

GLU_MGPU_EXPORT void mgpuMemFree(void *ptr, void * /*stream*/) {
  const Driver *d = ready();
  if (d && ptr)
    check(d->cuMemFree_v2(devPtr(ptr)), "cuMemFree");
}

GLU_MGPU_EXPORT void mgpuMemcpy(void *dst, void *src, size_t sizeBytes,
                                void *stream) {
  const Driver *d = ready();
  if (d && sizeBytes)
    check(d->cuMemcpyAsync(devPtr(dst), devPtr(src), sizeBytes,
                           static_cast<CUstream>(stream)),
          "cuMemcpyAsync");
}

GLU_MGPU_EXPORT void mgpuMemset32(void *dst, unsigned int value, size_t count,
                                  void *stream) {
  const Driver *d = ready();
  if (d && count)
    check(d->cuMemsetD32Async(devPtr(dst), value, count,
                              static_cast<CUstream>(stream)),
          "cuMemsetD32Async");
}

GLU_MGPU_EXPORT void mgpuMemset16(void *dst, unsigned short value, size_t count,
                                  void *stream) {
  const Driver *d = ready();
  if (d && count)
    check(d->cuMemsetD16Async(devPtr(dst), value, count,
                              static_cast<CUstream>(stream)),
          "cuMemsetD16Async");
}

/// Only device 0 is supported; another ordinal is recorded as an error.
GLU_MGPU_EXPORT void mgpuSetDefaultDevice(int32_t device) {
  if (device != 0)
    recordError("mgpuSetDefaultDevice(" + std::to_string(device) +
                "): the glu runtime uses device 0 only");
}
