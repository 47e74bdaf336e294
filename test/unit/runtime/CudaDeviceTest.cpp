//===- CudaDeviceTest.cpp - GPU-only tests (skipped without a device) -----===//
//
// CudaDevice.* need an NVIDIA GPU and driver; without one each test skips
// itself (GTEST_SKIP), so the suite passes everywhere and says what it did
// not run. On a GPU machine: ctest -R CudaDevice --output-on-failure.
//
//===----------------------------------------------------------------------===//

#include "glu/Runtime.h"

#include "TestUtil.h"

#include <cstdio>
#include <filesystem>
#include <gtest/gtest.h>
#include <sys/wait.h>

extern "C" {
void *mgpuModuleLoad(void *data, size_t gpuBlobSize);
void *mgpuModuleLoadJIT(void *data, int optLevel);
void mgpuModuleUnload(void *module);
void *mgpuModuleGetFunction(void *module, const char *name);
void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t smem, void *stream,
                      void **params, void **extra, size_t paramsCount);
void *mgpuStreamCreate();
void mgpuStreamSynchronize(void *stream);
void mgpuStreamDestroy(void *stream);
void *mgpuEventCreate();
void mgpuEventRecord(void *event, void *stream);
void mgpuEventSynchronize(void *event);
void mgpuEventDestroy(void *event);
void mgpuStreamWaitEvent(void *stream, void *event);
void *mgpuMemAlloc(uint64_t sizeBytes, void *stream, bool isHostShared);
void mgpuMemFree(void *ptr, void *stream);
void mgpuMemcpy(void *dst, void *src, size_t sizeBytes, void *stream);
void mgpuMemset32(void *dst, unsigned value, size_t count, void *stream);
void mgpuMemset16(void *dst, unsigned short value, size_t count, void *stream);
}

using namespace glu;

namespace {

const char kAddOnePtx[] =
#include "Inputs/add_one.ptx.inc"
    ;

class CudaDevice : public ::testing::Test {
protected:
  void SetUp() override {
    std::string why;
    if (!cudaAvailable(&why))
      GTEST_SKIP() << "no CUDA device: " << why;
  }
};

template <typename Fn> std::string errorOf(Fn &&fn) {
  try {
    fn();
  } catch (const Error &e) {
    return e.what();
  }
  return "";
}

#define EXPECT_CONTAINS(haystack, needle)                                      \
  EXPECT_NE(std::string(haystack).find(needle), std::string::npos)             \
      << "message: " << (haystack)

} // namespace

TEST_F(CudaDevice, AllocatesUploadsAndDownloads) {
  Runtime rt(Device::Cuda);
  EXPECT_EQ(rt.device(), Device::Cuda);
  Buffer b = rt.allocate(TensorType{DType::F32, {1000}});
  EXPECT_EQ(b.device(), Device::Cuda);
  EXPECT_EQ(b.read<float>(), std::vector<float>(1000, 0.0f)); // zero-filled
  std::vector<float> v(1000);
  for (int i = 0; i < 1000; ++i)
    v[i] = float(i) * 0.5f;
  b.upload(v.data(), v.size() * 4);
  EXPECT_EQ(b.read<float>(), v);
}

TEST_F(CudaDevice, RunsAPtxKernelThroughTheMgpuFunctions) {
  Runtime rt(Device::Cuda);
  // Not NUL-terminated: only the text, followed by garbage, is given.
  std::vector<char> ptx(kAddOnePtx, kAddOnePtx + sizeof(kAddOnePtx) - 1);
  ptx.push_back('#');
  void *module = mgpuModuleLoad(ptx.data(), ptx.size() - 1);
  ASSERT_NE(module, nullptr);
  void *fn = mgpuModuleGetFunction(module, "add_one");
  ASSERT_NE(fn, nullptr);
  void *stream = mgpuStreamCreate();
  const uint32_t n = 1000;
  void *in = mgpuMemAlloc(n * 4, stream, false);
  void *out = mgpuMemAlloc(n * 4, stream, false);
  std::vector<float> host(n);
  for (uint32_t i = 0; i < n; ++i)
    host[i] = float(i);
  mgpuMemcpy(in, host.data(), n * 4, stream);
  mgpuMemset32(out, 0, n, stream);
  uint32_t count = n;
  void *params[3] = {&in, &out, &count};
  mgpuLaunchKernel(fn, (n + 127) / 128, 1, 1, 128, 1, 1, 0, stream, params,
                   nullptr, 3);
  void *event = mgpuEventCreate();
  mgpuEventRecord(event, stream);
  mgpuStreamWaitEvent(stream, event);
  mgpuEventSynchronize(event);
  std::vector<float> back(n, -1.0f);
  mgpuMemcpy(back.data(), out, n * 4, stream);
  mgpuStreamSynchronize(stream);
  for (uint32_t i = 0; i < n; ++i)
    ASSERT_EQ(back[i], float(i) + 1.0f) << i;
  mgpuMemset16(out, 0x3C00, 2 * n, stream); // f16 1.0 everywhere
  mgpuStreamSynchronize(stream);
  uint16_t halves[2];
  mgpuMemcpy(halves, out, 4, stream);
  mgpuStreamSynchronize(stream);
  EXPECT_EQ(halves[1], 0x3C00);
  mgpuEventDestroy(event);
  mgpuMemFree(in, stream);
  mgpuMemFree(out, stream);
  mgpuStreamDestroy(stream);
  mgpuModuleUnload(module);
  // The JIT flavour (NUL-terminated text).
  std::vector<char> text(kAddOnePtx, kAddOnePtx + sizeof(kAddOnePtx));
  void *jit = mgpuModuleLoadJIT(text.data(), 2);
  ASSERT_NE(jit, nullptr);
  EXPECT_NE(mgpuModuleGetFunction(jit, "add_one"), nullptr);
  mgpuModuleUnload(jit);
}

TEST_F(CudaDevice, RunsTheFakeCudaArtifact) {
  Runtime rt; // auto: the artifact is cuda
  Artifact a = rt.load(GLU_FAKE_CUDA_ARTIFACT);
  EXPECT_EQ(rt.device(), Device::Cuda);
  Buffer x = rt.allocate(a.entry("add_one").argument(0));
  std::vector<float> v(1000);
  for (int i = 0; i < 1000; ++i)
    v[i] = float(i) - 500.0f;
  x.upload(v.data(), 4000);
  std::vector<Buffer> y = a.call("add_one", {&x});
  std::vector<float> got = y[0].read<float>();
  for (int i = 0; i < 1000; ++i)
    ASSERT_EQ(got[i], v[i] + 1.0f) << i;
  // In place, many times: the buffer persists on the device.
  for (int i = 0; i < 10; ++i)
    a.call("add_one", {&x}, {&x});
  got = x.read<float>();
  EXPECT_EQ(got[0], v[0] + 10.0f);
  EXPECT_EQ(got[999], v[999] + 10.0f);
}

TEST_F(CudaDevice, ReportsAFailedLaunch) {
  Runtime rt(Device::Cuda);
  Artifact a = rt.load(GLU_FAKE_CUDA_ARTIFACT);
  Buffer x = rt.allocate(a.entry("bad_launch").argument(0));
  EXPECT_CONTAINS(errorOf([&] { a.call("bad_launch", {&x}); }),
                  "entry point 'bad_launch' failed: CUDA error in "
                  "cuLaunchKernel: ");
  // The error does not stick: the next call works.
  std::vector<Buffer> y = a.call("add_one", {&x});
  EXPECT_EQ(y[0].read<float>()[0], 1.0f);
}

TEST_F(CudaDevice, OutOfMemoryNamesTheSize) {
  size_t freeBytes = 0, totalBytes = 0;
  cudaMemoryInfo(freeBytes, totalBytes);
  ASSERT_GT(totalBytes, 0u);
  Runtime rt(Device::Cuda);
  TensorType huge{DType::F32, {int64_t(totalBytes / 4) * 2}};
  std::string msg = errorOf([&] { rt.allocate(huge, "argument 'x'"); });
  EXPECT_CONTAINS(msg, "out of memory: cannot allocate ");
  EXPECT_CONTAINS(msg, "for argument 'x' (" + huge.str() +
                           ") on cuda: CUDA error in cuMemAlloc: out of "
                           "memory");
}

TEST_F(CudaDevice, CpuArtifactOnCudaIsAnError) {
  Runtime rt(Device::Cuda);
  EXPECT_CONTAINS(errorOf([&] { rt.load(GLU_FAKE_ARTIFACT); }),
                  "targets cpu but the runtime runs on cuda");
  Runtime cpu(Device::Cpu);
  EXPECT_CONTAINS(errorOf([&] { cpu.load(GLU_FAKE_CUDA_ARTIFACT); }),
                  "targets cuda but the runtime runs on cpu");
}

TEST_F(CudaDevice, RefusesAGpuNoChipOfTheManifestRunsOn) {
  // The fake artifact's manifest, its PTX said to be for sm_35a (compute
  // capability 3.5 only): refused before the library loads it.
  std::string dir = glu_test::freshDir("cuda_chip");
  std::filesystem::copy_file(std::string(GLU_FAKE_CUDA_ARTIFACT) + "/model.so",
                             dir + "/model.so");
  std::string manifest = glu_test::readFile(
      std::string(GLU_FAKE_CUDA_ARTIFACT) + "/manifest.json");
  glu_test::writeFile(
      dir + "/manifest.json",
      glu_test::replaceAll(manifest, "\"sm_80\"", "\"sm_35a\""));
  Runtime rt(Device::Cuda);
  std::string error = errorOf([&] { rt.load(dir); });
  EXPECT_CONTAINS(error, "the artifact's GPU code is for sm_35a, which this "
                         "GPU (compute capability");
  EXPECT_CONTAINS(error, "cannot run; compile it with --chip=sm_");
}

TEST_F(CudaDevice, GluRunRunsTheFakeCudaArtifact) {
  std::string dir = glu_test::freshDir("cuda_glurun");
  std::string cmd = std::string(GLU_RUN) + " " + GLU_FAKE_CUDA_ARTIFACT +
                    " --entry add_one --seed 3 --iterations 3 --output-dir " +
                    dir + " 2>&1";
  FILE *p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0)
    out.append(buf, n);
  int st = ::pclose(p);
  ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << out;
  EXPECT_CONTAINS(out, "timing entry=add_one device=cuda median_ms=");
  EXPECT_TRUE(std::filesystem::exists(dir + "/y.npy"));
}
