//===- RuntimeTest.cpp - Loading artifacts, buffers and calls on the CPU --===//

#include "glu/Runtime.h"

#include "TestUtil.h"

#include <cstdio>
#include <fstream>
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <sys/resource.h>

using namespace glu;
using namespace glu_test;

namespace {

/// The message of the glu::Error that `fn` throws ("" if none).
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

std::vector<float> callAdd(Artifact &a, Runtime &rt, std::vector<float> x,
                           std::vector<float> y) {
  Buffer bx = rt.allocate(a.entry("add").argument(0));
  Buffer by = rt.allocate(a.entry("add").argument(1));
  bx.upload(x.data(), 16);
  by.upload(y.data(), 16);
  std::vector<Buffer> r = a.call("add", {&bx, &by});
  return r.at(0).read<float>();
}

} // namespace

TEST(Runtime, LoadsTheFakeArtifactAndCallsAdd) {
  Runtime rt;
  Artifact a = rt.load(GLU_FAKE_ARTIFACT);
  EXPECT_EQ(rt.device(), Device::Cpu);
  EXPECT_EQ(a.manifest().target, "cpu");
  ASSERT_EQ(a.entryPoints().size(), 4u);
  const EntryPoint &e = a.entry("add");
  EXPECT_EQ(e.symbol, "glu_entry_add");
  EXPECT_EQ(e.argument(1).name, "b");
  EXPECT_EQ(e.result(0).type.str(), "f32[4]");
  EXPECT_EQ(callAdd(a, rt, {1, 2, 3, 4}, {10, 20, 30, 40}),
            (std::vector<float>{11, 22, 33, 44}));
  EXPECT_CONTAINS(
      errorOf([&] { a.entry("nope"); }),
      "has no entry point 'nope' (it has: add, step, accumulate, scale)");
  EXPECT_CONTAINS(errorOf([&] { e.argument(2); }), "has 2 arguments");
}

TEST(Runtime, PassesRankZeroAndRankTwoDescriptors) {
  Runtime rt(Device::Cpu);
  Artifact a = rt.load(GLU_FAKE_ARTIFACT);
  Buffer s = rt.allocate(a.entry("scale").argument(0));
  Buffer x = rt.allocate(a.entry("scale").argument(1));
  float three = 3;
  s.upload(&three, 4);
  std::vector<float> xs = {1, 2, 3, 4, 5, 6};
  x.upload(xs.data(), 24);
  std::vector<Buffer> r = a.call("scale", {&s, &x});
  EXPECT_EQ(r[0].read<float>(), (std::vector<float>{3, 6, 9, 12, 15, 18}));
}

TEST(Runtime, ManifestVersionMismatch) {
  std::string dir =
      makeArtifact("version7", manifestWith("add", "glu_entry_add", kAddArgs,
                                            kAddResults, "cpu", /*version=*/7));
  Runtime rt;
  std::string msg = errorOf([&] { rt.load(dir); });
  EXPECT_CONTAINS(msg, "version7/manifest.json: manifest version 7 is not "
                       "supported by this runtime (supports 2)");
}

TEST(Runtime, MalformedManifestJson) {
  std::string dir = makeArtifact("malformed", "{\"format\": \"glu-artifact\",\n"
                                              "  \"version\": 1,,\n}");
  Runtime rt;
  std::string msg = errorOf([&] { rt.load(dir); });
  EXPECT_CONTAINS(msg, "malformed/manifest.json: not valid JSON: parse error "
                       "at line 2, column 16: syntax error while parsing "
                       "object key - unexpected ','; expected string literal");
  // Valid JSON that is not a manifest.
  dir = makeArtifact("notmanifest", "{\"format\": \"other\", \"version\": 1}");
  EXPECT_CONTAINS(errorOf([&] { rt.load(dir); }),
                  "'format' is \"other\", expected \"glu-artifact\"");
  dir = makeArtifact("badshape",
                     manifestWith("add", "glu_entry_add",
                                  "[{\"name\": \"a\", \"shape\": [-1], "
                                  "\"dtype\": \"f32\"}]",
                                  kAddResults));
  EXPECT_CONTAINS(errorOf([&] { rt.load(dir); }),
                  "entry_points[0].arguments[0].shape' must hold "
                  "non-negative integers");
  dir = makeArtifact("baddtype",
                     manifestWith("add", "glu_entry_add",
                                  "[{\"name\": \"a\", \"shape\": [4], "
                                  "\"dtype\": \"f17\"}]",
                                  kAddResults));
  EXPECT_CONTAINS(errorOf([&] { rt.load(dir); }), "unknown dtype 'f17'");
  EXPECT_CONTAINS(errorOf([&] { rt.load(freshDir("empty")); }),
                  "empty/manifest.json': No such file or directory");
}

TEST(Runtime, EntryPointWithoutSignature) {
  std::string dir =
      makeArtifact("nosignature", manifestWith("gone", "glu_entry_gone",
                                               kAddArgs, kAddResults));
  Runtime rt;
  std::string msg = errorOf([&] { rt.load(dir); });
  EXPECT_CONTAINS(msg, "nosignature/model.so: no signature for entry point "
                       "'gone' (symbol 'glu_signature_gone'): not a glu "
                       "artifact library, or built by a glu-compile older "
                       "than ABI 3; recompile the artifact");
  dir = makeArtifact("othersymbol", manifestWith("add", "glu_entry_step",
                                                 kAddArgs, kAddResults));
  EXPECT_CONTAINS(errorOf([&] { rt.load(dir); }),
                  "othersymbol/manifest.json: entry point 'add' has symbol "
                  "'glu_entry_step', expected 'glu_entry_add'");
}

TEST(Runtime, ManifestThatDisagreesWithItsLibraryIsRefused) {
  Runtime rt;
  // A result shape, an argument's dtype, an argument more or less, and two
  // names swapped: each differs from what model.so was compiled for.
  std::string dir = makeArtifact(
      "bigresult",
      manifestWith("add", "glu_entry_add", kAddArgs,
                   "[{\"name\": \"sum\", \"shape\": [1000000, 1000000], "
                   "\"dtype\": \"f32\"}]"));
  std::string msg = errorOf([&] { rt.load(dir); });
  EXPECT_CONTAINS(msg, "bigresult/manifest.json does not match ");
  EXPECT_CONTAINS(msg, "bigresult/model.so for entry point 'add':\n"
                       "  manifest: glu-abi-3 cpu add(a: f32[4], b: f32[4]) "
                       "-> (sum: f32[1000000x1000000])\n"
                       "  library:  glu-abi-3 cpu add(a: f32[4], b: f32[4]) "
                       "-> (sum: f32[4])\n");
  for (const char *arguments :
       {"[{\"name\": \"a\", \"shape\": [4], \"dtype\": \"f64\"},"
        " {\"name\": \"b\", \"shape\": [4], \"dtype\": \"f32\"}]",
        "[{\"name\": \"a\", \"shape\": [4], \"dtype\": \"f32\"}]",
        "[{\"name\": \"a\", \"shape\": [4], \"dtype\": \"f32\"},"
        " {\"name\": \"b\", \"shape\": [4], \"dtype\": \"f32\"},"
        " {\"name\": \"c\", \"shape\": [4], \"dtype\": \"f32\"}]",
        "[{\"name\": \"b\", \"shape\": [4], \"dtype\": \"f32\"},"
        " {\"name\": \"a\", \"shape\": [4], \"dtype\": \"f32\"}]"}) {
    dir = makeArtifact(
        "edited", manifestWith("add", "glu_entry_add", arguments, kAddResults));
    EXPECT_CONTAINS(errorOf([&] { rt.load(dir); }),
                    "edited/model.so for entry point 'add':");
  }
}

TEST(Runtime, LibraryThatDisagreesWithItsManifestIsNeverLoaded) {
  Runtime rt;
  std::string manifest =
      manifestWith("add", "glu_entry_add", kAddArgs, kAddResults);
  // Truncated: a dlopen would fault (SIGBUS) on the missing pages.
  std::string dir = makeArtifact("truncated", manifest);
  std::string bytes = readFile(dir + "/model.so");
  writeFile(dir + "/model.so", bytes.substr(0, bytes.size() / 2));
  EXPECT_CONTAINS(errorOf([&] { rt.load(dir); }),
                  "truncated/model.so has " + std::to_string(bytes.size() / 2) +
                      " bytes but ");
  EXPECT_CONTAINS(errorOf([&] { rt.load(dir); }),
                  "records " + std::to_string(bytes.size()) +
                      " (truncated, or not the library this manifest was "
                      "written with); recompile the artifact");
  // One byte changed.
  dir = makeArtifact("corrupt", manifest);
  bytes[bytes.size() / 2] ^= 0x5a;
  writeFile(dir + "/model.so", bytes);
  EXPECT_CONTAINS(errorOf([&] { rt.load(dir); }),
                  "corrupt/model.so does not match ");
  EXPECT_CONTAINS(errorOf([&] { rt.load(dir); }),
                  ": SHA-256 " + glu::sha256Hex(bytes.data(), bytes.size()) +
                      ", the manifest records ");
  // Malformed digests are manifest errors.
  dir = makeArtifact("baddigest", replaceAll(manifest, kUnsealedSha256, "XYZ"));
  EXPECT_CONTAINS(errorOf([&] { rt.load(dir); }),
                  "baddigest/manifest.json: 'library_sha256' must be 64 "
                  "lowercase hexadecimal digits");
  dir = makeArtifact("badbytes", replaceAll(manifest, kUnsealedBytes,
                                            "\"library_bytes\": -1,"));
  EXPECT_CONTAINS(errorOf([&] { rt.load(dir); }),
                  "badbytes/manifest.json: 'library_bytes' must be a "
                  "non-negative integer");
}

TEST(Runtime, AbiVersionMismatchAndMissingLibrary) {
  std::string dir = makeArtifact(
      "abi1", manifestWith("add", "glu_entry_add", kAddArgs, kAddResults),
      GLU_FAKE_MODEL_ABI1);
  Runtime rt;
  EXPECT_CONTAINS(errorOf([&] { rt.load(dir); }),
                  "abi1/model.so was built for another ABI (its signatures "
                  "begin 'glu-abi-1'); this runtime supports ABI 3; "
                  "recompile the artifact");
  std::filesystem::remove(dir + "/model.so");
  EXPECT_CONTAINS(errorOf([&] { rt.load(dir); }),
                  "library 'model.so' not found");
}

TEST(Runtime, ArtifactOfAnotherArchitectureIsNeverLoaded) {
  Runtime rt;
  std::string manifest =
      manifestWith("add", "glu_entry_add", kAddArgs, kAddResults);
  auto withTriple = [&](const std::string &triple) {
    return replaceAll(manifest, "\"target\": \"cpu\",",
                      "\"target\": \"cpu\", \"triple\": \"" + triple + "\",");
  };
  ASSERT_STRNE(hostArchitecture(), "");
  // This machine's architecture loads and runs (the library is this
  // machine's: a check after dlopen would let another one through too).
  std::string own = std::string(hostArchitecture()) + "-unknown-linux-gnu";
  std::string dir = makeArtifact("owntriple", withTriple(own));
  Artifact a = rt.load(dir);
  EXPECT_EQ(a.manifest().triple, own);
  EXPECT_EQ(callAdd(a, rt, {1, 2, 3, 4}, {10, 20, 30, 40}),
            (std::vector<float>{11, 22, 33, 44}));
  // Another's is refused before dlopen, naming both architectures.
  std::string other = std::string(hostArchitecture()) == "aarch64"
                          ? "x86_64-pc-linux-gnu"
                          : "aarch64-unknown-linux-gnu";
  std::string otherArch = other.substr(0, other.find('-'));
  dir = makeArtifact("othertriple", withTriple(other));
  EXPECT_CONTAINS(errorOf([&] { rt.load(dir); }),
                  "othertriple/manifest.json: the artifact was compiled for " +
                      otherArch + " (" + other + ") but this runtime runs on " +
                      hostArchitecture() +
                      "; run it where the architecture is " + otherArch +
                      ", or compile it for this machine (glu-compile "
                      "without --target-triple)");
}

TEST(Runtime, WrongInputShape) {
  Runtime rt;
  Artifact a = rt.load(GLU_FAKE_ARTIFACT);
  Buffer x = rt.allocate(TensorType{DType::F32, {4}});
  Buffer y = rt.allocate(TensorType{DType::F32, {5}});
  EXPECT_EQ(errorOf([&] { a.call("add", {&x, &y}); }),
            "argument 'b' of entry point 'add' expects f32[4], got f32[5]");
  EXPECT_EQ(errorOf([&] { a.call("add", {&x}); }),
            "entry point 'add' takes 2 arguments, got 1");
  Buffer r = rt.allocate(TensorType{DType::F32, {2, 2}});
  EXPECT_EQ(errorOf([&] { a.call("add", {&x, &x}, {&r}); }),
            "result 'sum' of entry point 'add' expects f32[4], got f32[2,2]");
}

TEST(Runtime, WrongDtype) {
  Runtime rt;
  Artifact a = rt.load(GLU_FAKE_ARTIFACT);
  Buffer x = rt.allocate(TensorType{DType::F64, {4}});
  Buffer y = rt.allocate(TensorType{DType::F32, {4}});
  EXPECT_EQ(errorOf([&] { a.call("add", {&x, &y}); }),
            "argument 'a' of entry point 'add' expects f32[4], got f64[4]");
  EXPECT_EQ(errorOf([&] { a.call("add", {&y, nullptr}); }),
            "argument 'b' of entry point 'add' is not bound to a buffer");
}

TEST(Runtime, CudaArtifactWithoutDriverOrDevice) {
  std::string why;
  if (cudaAvailable(&why))
    GTEST_SKIP() << "a CUDA device is present; see CudaDevice.*";
  Runtime rt(Device::Auto);
  std::string msg = errorOf([&] { rt.load(GLU_FAKE_CUDA_ARTIFACT); });
  EXPECT_EQ(msg, "cannot run a cuda artifact: " + why);
  if (why.find("libcuda.so.1") != std::string::npos)
    EXPECT_EQ(msg, "cannot run a cuda artifact: libcuda.so.1 not found (no "
                   "NVIDIA driver)");
  else // a driver without a device: the cuInit/cuDeviceGet error
    EXPECT_CONTAINS(msg, "CUDA error in cu");
  EXPECT_EQ(errorOf([] { Runtime r(Device::Cuda); }),
            "cannot use device cuda: " + why);
}

TEST(Runtime, OutOfMemoryNamesTheSize) {
  Runtime rt(Device::Cpu);
  TensorSpec huge{"huge", TensorType{DType::F32, {1048576, 1048576, 1024}}};
  std::string msg = errorOf([&] { rt.allocate(huge); });
  EXPECT_EQ(msg, "out of memory: cannot allocate 4.0 PiB for 'huge' "
                 "(f32[1048576,1048576,1024]) on cpu");
  // Sizes beyond 64 bits are out of memory too.
  msg = errorOf([&] {
    rt.allocate(TensorType{DType::F64, {int64_t(1) << 40, int64_t(1) << 30}});
  });
  EXPECT_CONTAINS(msg, "out of memory: cannot allocate f64[");
}

TEST(Runtime, CallsAnEntryPointWith300Arguments) {
  std::string args = "[";
  for (int i = 0; i < 300; ++i)
    args += std::string(i ? ", " : "") + "{\"name\": \"x" + std::to_string(i) +
            "\", \"shape\": [1], \"dtype\": \"f32\"}";
  args += "]";
  std::string dir = makeArtifact(
      "sum300", manifestWith("sum300", "glu_entry_sum300", args,
                             "[{\"name\": \"s\", \"shape\": [1], \"dtype\": "
                             "\"f32\"}]"));
  Runtime rt;
  Artifact a = rt.load(dir);
  const EntryPoint &e = a.entry("sum300");
  ASSERT_EQ(e.arguments.size(), 300u);
  std::vector<Buffer> buffers;
  std::vector<const Buffer *> ptrs;
  for (int i = 0; i < 300; ++i) {
    buffers.push_back(rt.allocate(e.argument(i)));
    float v = float(i + 1);
    buffers.back().upload(&v, 4);
  }
  for (const Buffer &b : buffers)
    ptrs.push_back(&b);
  std::vector<Buffer> r = a.call("sum300", ptrs);
  EXPECT_EQ(r[0].read<float>()[0], 300.0f * 301.0f / 2.0f);
}

TEST(Runtime, ResultBoundToAnArgumentUpdatesInPlace) {
  Runtime rt;
  Artifact a = rt.load(GLU_FAKE_ARTIFACT);
  Buffer w = rt.allocate(a.entry("step").argument(0));
  Buffer g = rt.allocate(a.entry("step").argument(1));
  Buffer alias = w; // another handle of the same buffer
  std::vector<float> wv = {1, 2, 3, 4}, gv = {10, 20, 30, 40};
  w.upload(wv.data(), 16);
  g.upload(gv.data(), 16);
  double ms = -1;
  a.call("step", {&w, &g}, {&w}, &ms);
  // out[i] = w[3 - i] + g[i], computed from the old w throughout.
  EXPECT_EQ(w.read<float>(), (std::vector<float>{14, 23, 32, 41}));
  EXPECT_EQ(alias.read<float>(), (std::vector<float>{14, 23, 32, 41}));
  EXPECT_EQ(g.read<float>(), gv);
  EXPECT_GE(ms, 0.0);
  // A result bound to a separate buffer is written directly.
  Buffer out = rt.allocate(a.entry("step").result(0));
  void *before = out.data();
  a.call("step", {&w, &g}, {&out});
  EXPECT_EQ(out.data(), before);
  EXPECT_EQ(out.read<float>(), (std::vector<float>{51, 52, 53, 54}));
}

TEST(Runtime, InPlaceResultsUpdateTheirArgumentOrACopy) {
  Runtime rt;
  Artifact a = rt.load(GLU_FAKE_ARTIFACT);
  const EntryPoint &e = a.entry("accumulate");
  ASSERT_EQ(e.result(1).updates, std::optional<size_t>(0));
  Buffer c = rt.allocate(e.argument(0));
  Buffer x = rt.allocate(e.argument(1));
  Buffer total = rt.allocate(e.result(0));
  std::vector<float> cv = {1, 2, 3, 4}, xv = {10, 20, 30, 40};
  c.upload(cv.data(), 16);
  x.upload(xv.data(), 16);
  // Bound to the argument's buffer: updated in place, twice.
  void *storage = c.data();
  a.call("accumulate", {&c, &x}, {&total, &c});
  a.call("accumulate", {&c, &x}, {&total, &c});
  EXPECT_EQ(c.data(), storage);
  EXPECT_EQ(c.read<float>(), (std::vector<float>{21, 42, 63, 84}));
  EXPECT_EQ(total.read<float>()[0], 210.0f);
  // Bound to another buffer: the argument stays as given.
  Buffer next = rt.allocate(e.result(1));
  a.call("accumulate", {&c, &x}, {&total, &next});
  EXPECT_EQ(c.read<float>(), (std::vector<float>{21, 42, 63, 84}));
  EXPECT_EQ(next.read<float>(), (std::vector<float>{31, 62, 93, 124}));
  EXPECT_EQ(x.read<float>(), xv);
  // The value call() allocates is a copy too.
  std::vector<Buffer> r = a.call("accumulate", {&c, &x});
  EXPECT_EQ(r[1].read<float>(), (std::vector<float>{31, 62, 93, 124}));
  EXPECT_EQ(c.read<float>(), (std::vector<float>{21, 42, 63, 84}));

  // The buffer updated may be no other argument's or result's.
  EXPECT_CONTAINS(
      errorOf([&] { a.call("accumulate", {&c, &x}, {&total, &x}); }),
      "result 'c' of entry point 'accumulate' updates argument "
      "'c' in place, but its buffer is argument 'x''s");
  EXPECT_CONTAINS(
      errorOf([&] { a.call("accumulate", {&c, &c}, {&total, &c}); }),
      "argument 'c' of entry point 'accumulate' is updated in place, but its "
      "buffer is also argument 'x'");
  EXPECT_EQ(c.read<float>(), (std::vector<float>{21, 42, 63, 84}));
}

TEST(Runtime, BuffersPersistAcrossManyCalls) {
  Runtime rt;
  Artifact a = rt.load(GLU_FAKE_ARTIFACT);
  Buffer acc = rt.allocate(a.entry("add").argument(0));
  Buffer one = rt.allocate(a.entry("add").argument(1));
  std::vector<float> ones = {1, 2, 3, 4};
  one.upload(ones.data(), 16);
  for (int i = 0; i < 1000; ++i)
    a.call("add", {&acc, &one}, {&acc});
  EXPECT_EQ(acc.read<float>(), (std::vector<float>{1000, 2000, 3000, 4000}));
  EXPECT_EQ(one.read<float>(), ones);
  // Buffers outlive the artifact and runtime objects they came from.
  Buffer kept;
  {
    Runtime rt2;
    Artifact a2 = rt2.load(GLU_FAKE_ARTIFACT);
    kept = a2.call("add", {&one, &one})[0];
  }
  EXPECT_EQ(kept.read<float>(), (std::vector<float>{2, 4, 6, 8}));
}

TEST(Runtime, UploadSizeMustMatch) {
  Runtime rt;
  Buffer b = rt.allocate(TensorType{DType::I32, {3}});
  int32_t v[4] = {};
  EXPECT_EQ(errorOf([&] { b.upload(v, 16); }),
            "cannot upload 16 bytes into i32[3] (12 bytes)");
  EXPECT_EQ(b.read<int32_t>(), (std::vector<int32_t>{0, 0, 0}));
}

#if defined(__linux__)
/// The VmFlags line of /proc/self/smaps for the mapping holding `address`,
/// or "" when none holds it.
static std::string mappingFlags(const void *address) {
  std::ifstream smaps("/proc/self/smaps");
  auto target = reinterpret_cast<uintptr_t>(address);
  bool inside = false;
  std::string line;
  while (std::getline(smaps, line)) {
    unsigned long long begin = 0, end = 0;
    if (std::sscanf(line.c_str(), "%llx-%llx ", &begin, &end) == 2 &&
        line.find('-') < line.find(' ')) {
      inside = begin <= target && target < end;
      continue;
    }
    if (inside && line.rfind("VmFlags:", 0) == 0)
      return line;
  }
  return "";
}

TEST(Runtime, LargeHostBuffersAskForHugePages) {
  // Weights are read in row streams a row apart: a large buffer is mapped
  // with MADV_HUGEPAGE (VmFlags "hg"), so that a kernel whose transparent
  // huge pages are left to madvise backs it with 2 MiB pages.
  if (!std::ifstream("/sys/kernel/mm/transparent_hugepage/enabled"))
    GTEST_SKIP() << "this kernel has no transparent huge pages";
  Runtime rt(Device::Cpu);
  Buffer large = rt.allocate(TensorType{DType::F32, {1 << 20}});
  std::string flags = mappingFlags(large.data());
  ASSERT_FALSE(flags.empty()) << "no mapping holds the 4 MiB buffer";
  EXPECT_NE((flags + " ").find(" hg "), std::string::npos) << flags;
  // Small buffers stay on the heap.
  Buffer small = rt.allocate(TensorType{DType::F32, {16}});
  EXPECT_EQ((mappingFlags(small.data()) + " ").find(" hg "), std::string::npos);
}
#endif

#if defined(__GLIBC__)
/// Minor page faults of this process so far.
static long minorFaults() {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_minflt;
}

/// Allocates, touches and frees `bytes`, as generated code does with an
/// intermediate buffer at every call; returns the page faults it took.
static long faultsOfOneCall(size_t bytes) {
  long before = minorFaults();
  auto *buffer = static_cast<char *>(std::malloc(bytes));
  for (size_t i = 0; i < bytes; i += 4096)
    buffer[i] = static_cast<char>(i);
  // Keep the stores.
  volatile char sink = buffer[bytes / 2];
  (void)sink;
  std::free(buffer);
  return minorFaults() - before;
}

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define GLU_TEST_UNDER_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define GLU_TEST_UNDER_ASAN 1
#endif

TEST(Runtime, KeepsFreedHostMemoryForTheNextCall) {
#ifdef GLU_TEST_UNDER_ASAN
  GTEST_SKIP() << "AddressSanitizer's allocator maps large blocks itself";
#endif
  // The default: a runtime keeps freed memory, so a second call's buffer
  // of the same size does not fault its pages in again (16 MiB: 4096
  // pages; glibc alone would map and unmap it every time).
  if (const char *setting = std::getenv("GLU_MALLOC_TUNING");
      setting && std::string(setting) == "0")
    GTEST_SKIP() << "GLU_MALLOC_TUNING=0";
  glu::Runtime runtime(glu::Device::Cpu);
  const size_t bytes = 16 << 20;
  faultsOfOneCall(bytes);
  long second = faultsOfOneCall(bytes);
  EXPECT_LT(second, 256) << "the second call faulted " << second
                         << " pages of a buffer the first one freed";
}
#endif
