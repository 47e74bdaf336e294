/* The mgpu* functions that glu-cuda-pipeline's host code calls, on the CUDA
 * driver API opened with dlopen (nothing linked at build time). A minimal
 * stand-in for the glu runtime, for the GPU check only: every CUDA error is
 * fatal and printed. */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef int CUresult;
typedef void *Handle;
typedef unsigned long long CUdeviceptr;

static struct {
  CUresult (*init)(unsigned);
  CUresult (*deviceGet)(int *, int);
  CUresult (*primaryCtxRetain)(Handle *, int);
  CUresult (*ctxSetCurrent)(Handle);
  CUresult (*ctxSynchronize)(void);
  CUresult (*moduleLoadDataEx)(Handle *, const void *, unsigned, int *,
                               void **);
  CUresult (*moduleGetFunction)(Handle *, Handle, const char *);
  CUresult (*moduleUnload)(Handle);
  CUresult (*launchKernel)(Handle, unsigned, unsigned, unsigned, unsigned,
                           unsigned, unsigned, unsigned, Handle, void **,
                           void **);
  CUresult (*funcGetAttribute)(int *, int, Handle);
  CUresult (*funcSetAttribute)(Handle, int, int);
  CUresult (*streamCreate)(Handle *, unsigned);
  CUresult (*streamSynchronize)(Handle);
  CUresult (*streamDestroy)(Handle);
  CUresult (*memAlloc)(CUdeviceptr *, size_t);
  CUresult (*memFree)(CUdeviceptr);
  CUresult (*memcpy)(CUdeviceptr, CUdeviceptr, size_t);
  CUresult (*memsetD8)(CUdeviceptr, unsigned char, size_t);
  CUresult (*getErrorString)(CUresult, const char **);
  int ready;
} cu;

static void check(CUresult r, const char *what) {
  if (r == 0)
    return;
  const char *msg = "?";
  if (cu.getErrorString)
    cu.getErrorString(r, &msg);
  fprintf(stderr, "CUDA error %d (%s) in %s\n", r, msg, what);
  exit(2);
}

static void *sym(void *lib, const char *name) {
  void *p = dlsym(lib, name);
  if (!p) {
    fprintf(stderr, "libcuda has no %s\n", name);
    exit(2);
  }
  return p;
}

void gpucheck_init(void) {
  if (cu.ready)
    return;
  void *lib = dlopen("libcuda.so.1", RTLD_NOW);
  if (!lib) {
    fprintf(stderr, "cannot open libcuda.so.1: %s\n", dlerror());
    exit(2);
  }
  *(void **)&cu.init = sym(lib, "cuInit");
  *(void **)&cu.deviceGet = sym(lib, "cuDeviceGet");
  *(void **)&cu.primaryCtxRetain = sym(lib, "cuDevicePrimaryCtxRetain");
  *(void **)&cu.ctxSetCurrent = sym(lib, "cuCtxSetCurrent");
  *(void **)&cu.ctxSynchronize = sym(lib, "cuCtxSynchronize");
  *(void **)&cu.moduleLoadDataEx = sym(lib, "cuModuleLoadDataEx");
  *(void **)&cu.moduleGetFunction = sym(lib, "cuModuleGetFunction");
  *(void **)&cu.moduleUnload = sym(lib, "cuModuleUnload");
  *(void **)&cu.launchKernel = sym(lib, "cuLaunchKernel");
  *(void **)&cu.funcGetAttribute = sym(lib, "cuFuncGetAttribute");
  *(void **)&cu.funcSetAttribute = sym(lib, "cuFuncSetAttribute");
  *(void **)&cu.streamCreate = sym(lib, "cuStreamCreate");
  *(void **)&cu.streamSynchronize = sym(lib, "cuStreamSynchronize");
  *(void **)&cu.streamDestroy = sym(lib, "cuStreamDestroy_v2");
  *(void **)&cu.memAlloc = sym(lib, "cuMemAlloc_v2");
  *(void **)&cu.memFree = sym(lib, "cuMemFree_v2");
  *(void **)&cu.memcpy = sym(lib, "cuMemcpy");
  *(void **)&cu.memsetD8 = sym(lib, "cuMemsetD8_v2");
  *(void **)&cu.getErrorString = sym(lib, "cuGetErrorString");
  check(cu.init(0), "cuInit");
  int dev;
  check(cu.deviceGet(&dev, 0), "cuDeviceGet");
  Handle ctx;
  check(cu.primaryCtxRetain(&ctx, dev), "cuDevicePrimaryCtxRetain");
  check(cu.ctxSetCurrent(ctx), "cuCtxSetCurrent");
  cu.ready = 1;
}

void gpucheck_sync(void) { check(cu.ctxSynchronize(), "cuCtxSynchronize"); }
void gpucheck_copy(void *dst, const void *src, size_t bytes) {
  check(cu.memcpy((CUdeviceptr)dst, (CUdeviceptr)src, bytes), "cuMemcpy");
}
void gpucheck_poison(void *dst, size_t bytes) {
  check(cu.memsetD8((CUdeviceptr)dst, 0xFF, bytes), "cuMemsetD8");
}

void *mgpuModuleLoadJIT(void *data, int optLevel) {
  gpucheck_init();
  char log[8192] = {0};
  int options[] = {5 /*CU_JIT_ERROR_LOG_BUFFER*/,
                   6 /*CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES*/,
                   7 /*CU_JIT_OPTIMIZATION_LEVEL*/};
  void *values[] = {log, (void *)(uintptr_t)sizeof(log),
                    (void *)(uintptr_t)(optLevel < 0 ? 0 : optLevel)};
  Handle module;
  CUresult r = cu.moduleLoadDataEx(&module, data, 3, options, values);
  if (r != 0)
    fprintf(stderr, "PTX JIT failed:\n%s\n", log);
  check(r, "cuModuleLoadDataEx");
  return module;
}
void *mgpuModuleLoad(void *data, size_t size) {
  (void)size;
  return mgpuModuleLoadJIT(data, 2);
}
void mgpuModuleUnload(void *module) {
  /* Called from the library's global destructors: at process exit the
   * driver may already be shut down (CUDA_ERROR_DEINITIALIZED, 4). */
  if (cu.ready && module) {
    CUresult r = cu.moduleUnload(module);
    if (r != 4)
      check(r, "cuModuleUnload");
  }
}
void *mgpuModuleGetFunction(void *module, const char *name) {
  Handle f;
  check(cu.moduleGetFunction(&f, module, name), name);
  return f;
}
void mgpuLaunchKernel(void *f, intptr_t gx, intptr_t gy, intptr_t gz,
                      intptr_t bx, intptr_t by, intptr_t bz, int32_t smem,
                      void *stream, void **params, void **extra, size_t count) {
  (void)count;
  /* Past 48 KiB of static and dynamic shared memory together a kernel must
   * opt in (CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES = 1,
   * CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES = 8). */
  int staticBytes = 0;
  if (smem > 0) {
    check(cu.funcGetAttribute(&staticBytes, 1, f), "cuFuncGetAttribute");
    if (staticBytes + smem > 48 * 1024)
      check(cu.funcSetAttribute(f, 8, smem), "cuFuncSetAttribute");
  }
  check(cu.launchKernel(f, gx, gy, gz, bx, by, bz, smem, stream, params, extra),
        "cuLaunchKernel");
}
void *mgpuStreamCreate(void) {
  gpucheck_init();
  Handle s;
  check(cu.streamCreate(&s, 0), "cuStreamCreate");
  return s;
}
void mgpuStreamSynchronize(void *s) {
  check(cu.streamSynchronize(s), "cuStreamSynchronize");
}
void mgpuStreamDestroy(void *s) {
  check(cu.streamDestroy(s), "cuStreamDestroy");
}
void *mgpuMemAlloc(uint64_t bytes, void *stream, int8_t hostShared) {
  (void)stream;
  (void)hostShared;
  gpucheck_init();
  CUdeviceptr p = 0;
  if (bytes)
    check(cu.memAlloc(&p, bytes), "cuMemAlloc");
  return (void *)p;
}
void mgpuMemFree(void *p, void *stream) {
  (void)stream;
  if (p)
    check(cu.memFree((CUdeviceptr)p), "cuMemFree");
}
void mgpuMemcpy(void *dst, void *src, size_t bytes, void *stream) {
  (void)stream;
  gpucheck_copy(dst, src, bytes);
}

/* TMA tensor maps (the sm_90a kernels): the memref descriptor {allocated,
 * aligned, offset, sizes[rank], strides[rank]}, innermost dimension first
 * for the driver; NULL (the kernel copies that operand itself) when TMA
 * cannot address it. Each call encodes and uploads a new map: the check
 * makes few calls. */
void *mgpuTensorMapEncodeTiledMemref(int64_t rank, void *descriptor,
                                     int64_t dataType, int64_t interleave,
                                     int64_t swizzle, int64_t l2Promotion,
                                     int64_t oobFill, int64_t *box) {
  static const int elementBytes[] = {1, 2, 4, 4, 8, 8, 2, 4, 8, 2, 4, 4, 4};
  gpucheck_init();
  if (rank < 1 || rank > 5 || dataType < 0 || dataType > 12)
    return NULL;
  const int64_t *words = (const int64_t *)descriptor;
  char *aligned = ((char *const *)descriptor)[1];
  int64_t bytes = elementBytes[dataType];
  uint64_t address = (uint64_t)(uintptr_t)(aligned + words[2] * bytes);
  const int64_t *sizes = words + 3, *strides = words + 3 + rank;
  uint64_t globalDim[5], globalStrides[5];
  uint32_t boxDim[5], elementStrides[5];
  if (address % 16 || strides[rank - 1] != 1)
    return NULL;
  for (int64_t i = 0; i < rank; ++i) {
    int64_t d = rank - 1 - i;
    globalDim[i] = (uint64_t)sizes[d];
    boxDim[i] = (uint32_t)box[d];
    elementStrides[i] = 1;
    if (i > 0) {
      globalStrides[i - 1] = (uint64_t)(strides[d] * bytes);
      if (globalStrides[i - 1] % 16)
        return NULL;
    }
  }
  CUresult (*encode)(void *, int, unsigned, void *, const uint64_t *,
                     const uint64_t *, const uint32_t *, const uint32_t *, int,
                     int, int, int);
  *(void **)&encode =
      sym(dlopen("libcuda.so.1", RTLD_NOW), "cuTensorMapEncodeTiled");
  _Alignas(64) unsigned char map[128];
  check(encode(map, (int)dataType, (unsigned)rank, (void *)(uintptr_t)address,
               globalDim, globalStrides, boxDim, elementStrides,
               (int)interleave, (int)swizzle, (int)l2Promotion, (int)oobFill),
        "cuTensorMapEncodeTiled");
  CUdeviceptr device;
  check(cu.memAlloc(&device, sizeof(map)), "cuMemAlloc (tensor map)");
  gpucheck_copy((void *)(uintptr_t)device, map, sizeof(map));
  return (void *)(uintptr_t)device;
}
