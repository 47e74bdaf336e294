/* A fake cuda artifact library for the GPU tests: like the host code that
 * gpu-to-llvm emits, it loads its PTX from a global constructor through the
 * mgpu* functions, which it leaves undefined for libglu_runtime.so. */

#include "fake_signature.h"

#include <stddef.h>
#include <stdint.h>

void *mgpuModuleLoad(void *data, size_t gpuBlobSize);
void mgpuModuleUnload(void *module);
void *mgpuModuleGetFunction(void *module, const char *name);
void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t smem, void *stream,
                      void **params, void **extra, size_t paramsCount);
void *mgpuStreamCreate(void);
void mgpuStreamSynchronize(void *stream);
void mgpuStreamDestroy(void *stream);

/* Not NUL-terminated, as the blobs of gpu.binary with format bin are not. */
static char kPtx[sizeof(
#include "add_one.ptx.inc"
                     ) -
                 1] =
#include "add_one.ptx.inc"
    ;

typedef struct {
  float *allocated, *aligned;
  int64_t offset, sizes[1], strides[1];
} MemRef1;

static void *module, *function;

__attribute__((constructor)) static void loadKernels(void) {
  module = mgpuModuleLoad(kPtx, sizeof(kPtx));
  function = mgpuModuleGetFunction(module, "add_one");
}

__attribute__((destructor)) static void unloadKernels(void) {
  if (module)
    mgpuModuleUnload(module);
}

int32_t glu_abi_version(void) { return GLU_ABI_VERSION; }

const char glu_signature_add_one[] =
    GLU_FAKE_SIGNATURE("cuda", "add_one(x: f32[1000]) -> (y: f32[1000])");
const char glu_signature_bad_launch[] =
    GLU_FAKE_SIGNATURE("cuda", "bad_launch(x: f32[1000]) -> (y: f32[1000])");

static void launch(void **args, intptr_t blockX) {
  MemRef1 *x = args[0], *y = args[1];
  void *in = x->aligned, *out = y->aligned;
  uint32_t n = (uint32_t)x->sizes[0];
  void *params[3] = {&in, &out, &n};
  void *stream = mgpuStreamCreate();
  mgpuLaunchKernel(function, (n + 255) / 256, 1, 1, blockX, 1, 1, 0, stream,
                   params, NULL, 3);
  mgpuStreamSynchronize(stream);
  mgpuStreamDestroy(stream);
}

/* add_one(x: f32[1000]) -> f32[1000] */
void glu_entry_add_one(void **args) { launch(args, 256); }

/* bad_launch: a block of 4096 threads, which no GPU accepts. */
void glu_entry_bad_launch(void **args) { launch(args, 4096); }
