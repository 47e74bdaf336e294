//===- CudaDriver.cpp - The CUDA driver API, opened with dlopen -----------===//

#include "CudaDriver.h"

#include <dlfcn.h>
#include <mutex>

namespace glu {
namespace cuda {

namespace {

struct DriverState {
  bool tried = false;
  bool ok = false;
  std::string why;
  Driver table{};
};

DriverState &driverState() {
  static DriverState state;
  return state;
}

// Separate locks: initContext reports errors through driver() and the slot.
std::mutex &driverMutex() {
  static std::mutex m;
  return m;
}
std::mutex &contextMutex() {
  static std::mutex m;
  return m;
}
std::mutex &slotMutex() {
  static std::mutex m;
  return m;
}

std::string &errorSlot() {
  static std::string slot;
  return slot;
}

CUcontext primaryContext = nullptr;

template <typename Fn>
bool resolve(void *lib, const char *name, Fn &fn, std::string &why) {
  fn = reinterpret_cast<Fn>(::dlsym(lib, name));
  if (!fn && why.empty())
    why = std::string("libcuda.so.1 lacks the symbol ") + name +
          " (driver too old?)";
  return fn != nullptr;
}

} // namespace

const Driver *driver(std::string *why) {
  std::lock_guard<std::mutex> lock(driverMutex());
  DriverState &s = driverState();
  if (!s.tried) {
    s.tried = true;
    void *lib = ::dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
      s.why = "libcuda.so.1 not found (no NVIDIA driver)";
    } else {
      Driver &t = s.table;
      std::string w;
#define GLU_RESOLVE(name) resolve(lib, #name, t.name, w)
      GLU_RESOLVE(cuInit);
      GLU_RESOLVE(cuDeviceGet);
      GLU_RESOLVE(cuDeviceGetCount);
      GLU_RESOLVE(cuDeviceGetName);
      GLU_RESOLVE(cuDeviceGetAttribute);
      GLU_RESOLVE(cuDevicePrimaryCtxRetain);
      GLU_RESOLVE(cuCtxSetCurrent);
      GLU_RESOLVE(cuCtxGetCurrent);
      GLU_RESOLVE(cuCtxSynchronize);
      GLU_RESOLVE(cuMemAlloc_v2);
      GLU_RESOLVE(cuMemAllocManaged);
      GLU_RESOLVE(cuMemFree_v2);
      GLU_RESOLVE(cuMemGetInfo_v2);
      GLU_RESOLVE(cuMemcpyHtoD_v2);
      GLU_RESOLVE(cuMemcpyDtoH_v2);
      GLU_RESOLVE(cuMemcpyDtoD_v2);
      GLU_RESOLVE(cuMemcpyAsync);
      GLU_RESOLVE(cuMemsetD8_v2);
      GLU_RESOLVE(cuMemsetD16_v2);
      GLU_RESOLVE(cuMemsetD32_v2);
      GLU_RESOLVE(cuMemsetD16Async);
      GLU_RESOLVE(cuMemsetD32Async);
      GLU_RESOLVE(cuModuleLoadDataEx);
      GLU_RESOLVE(cuModuleUnload);
      GLU_RESOLVE(cuModuleGetFunction);
      GLU_RESOLVE(cuFuncGetAttribute);
      GLU_RESOLVE(cuFuncSetAttribute);
      GLU_RESOLVE(cuLaunchKernel);
      GLU_RESOLVE(cuStreamCreate);
      GLU_RESOLVE(cuStreamSynchronize);
      GLU_RESOLVE(cuStreamDestroy_v2);
      GLU_RESOLVE(cuStreamWaitEvent);
      GLU_RESOLVE(cuEventCreate);
      GLU_RESOLVE(cuEventRecord);
      GLU_RESOLVE(cuEventSynchronize);
      GLU_RESOLVE(cuEventElapsedTime);
      GLU_RESOLVE(cuEventDestroy_v2);
      GLU_RESOLVE(cuGetErrorString);
      GLU_RESOLVE(cuGetErrorName);
#undef GLU_RESOLVE
      // Optional: TMA tensor maps (sm_90a kernels) only.
      t.cuTensorMapEncodeTiled =
          reinterpret_cast<decltype(t.cuTensorMapEncodeTiled)>(
              ::dlsym(lib, "cuTensorMapEncodeTiled"));
      s.ok = w.empty();
      s.why = w;
    }
  }
  if (!s.ok) {
    if (why)
      *why = s.why;
    return nullptr;
  }
  return &s.table;
}

std::string errorString(CUresult result) {
  const Driver *d = driver();
  const char *msg = nullptr;
  if (d && d->cuGetErrorString)
    d->cuGetErrorString(result, &msg);
  if (msg)
    return msg;
  return "CUDA error " + std::to_string(result);
}

bool initContext(std::string *why) {
  std::string w;
  const Driver *d = driver(&w);
  if (!d) {
    if (why)
      *why = w;
    return false;
  }
  auto fail = [&](const char *call, CUresult r) {
    if (why)
      *why = std::string("CUDA error in ") + call + ": " + errorString(r);
    return false;
  };
  std::lock_guard<std::mutex> lock(contextMutex());
  if (!primaryContext) {
    CUresult r = d->cuInit(0);
    if (r != CUDA_SUCCESS)
      return fail("cuInit", r);
    CUdevice dev = 0;
    r = d->cuDeviceGet(&dev, 0);
    if (r != CUDA_SUCCESS)
      return fail("cuDeviceGet", r);
    CUcontext ctx = nullptr;
    r = d->cuDevicePrimaryCtxRetain(&ctx, dev);
    if (r != CUDA_SUCCESS)
      return fail("cuDevicePrimaryCtxRetain", r);
    primaryContext = ctx; // retained for the life of the process
  }
  CUresult r = d->cuCtxSetCurrent(primaryContext);
  if (r != CUDA_SUCCESS)
    return fail("cuCtxSetCurrent", r);
  return true;
}

bool computeCapability(int &major, int &minor, std::string *why) {
  std::string w;
  const Driver *d = driver(&w);
  CUdevice dev = 0;
  CUresult r = d ? d->cuInit(0) : CUDA_SUCCESS;
  if (d && r == CUDA_SUCCESS)
    r = d->cuDeviceGet(&dev, 0);
  if (d && r == CUDA_SUCCESS)
    r = d->cuDeviceGetAttribute(
        &major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev);
  if (d && r == CUDA_SUCCESS)
    r = d->cuDeviceGetAttribute(
        &minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev);
  if (d && r == CUDA_SUCCESS)
    return true;
  if (why)
    *why =
        d ? "CUDA error reading the compute capability: " + errorString(r) : w;
  return false;
}

bool ensureContext() {
  const Driver *d = driver();
  if (d) {
    CUcontext current = nullptr;
    if (d->cuCtxGetCurrent(&current) == CUDA_SUCCESS && current)
      return true;
  }
  std::string why;
  if (initContext(&why))
    return true;
  recordError(why);
  return false;
}

bool check(CUresult result, const char *call, const std::string &detail) {
  if (result == CUDA_SUCCESS)
    return false;
  std::string message =
      std::string("CUDA error in ") + call + ": " + errorString(result);
  if (!detail.empty())
    message += " (" + detail + ")";
  recordError(message);
  return true;
}

void recordError(const std::string &message) {
  std::lock_guard<std::mutex> lock(slotMutex());
  if (errorSlot().empty())
    errorSlot() = message;
}

std::string takeError() {
  std::lock_guard<std::mutex> lock(slotMutex());
  std::string message;
  message.swap(errorSlot());
  return message;
}

} // namespace cuda
} // namespace glu
