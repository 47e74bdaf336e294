//===- Runtime.cpp - Devices, buffers, artifacts and calls ----------------===//

#include "glu/Runtime.h"
#include "glu/ArtifactAbi.h"
#include "glu/ArtifactSignature.h"
#include "glu/CudaChip.h"
#include "glu/Sha256.h"

#include "CudaDriver.h"
#include "ThreadBinding.h"

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sys/mman.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

extern "C" void *mgpuModuleLoad(void *data, size_t gpuBlobSize);

namespace glu {

namespace fs = std::filesystem;

const char *deviceName(Device device) {
  switch (device) {
  case Device::Auto:
    return "auto";
  case Device::Cpu:
    return "cpu";
  case Device::Cuda:
    return "cuda";
  }
  return "?";
}

const char *hostArchitecture() {
#if defined(__x86_64__)
  return "x86_64";
#elif defined(__aarch64__) && defined(__AARCH64EB__)
  return "aarch64_be";
#elif defined(__aarch64__)
  return "aarch64";
#elif defined(__i386__)
  return "i386";
#elif defined(__riscv) && __riscv_xlen == 64
  return "riscv64";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  return "powerpc64le";
#elif defined(__s390x__)
  return "s390x";
#else
  return "";
#endif
}

Device parseDevice(const std::string &name) {
  if (name == "auto")
    return Device::Auto;
  if (name == "cpu")
    return Device::Cpu;
  if (name == "cuda")
    return Device::Cuda;
  throw Error("unknown device '" + name + "' (expected cpu, cuda or auto)");
}

bool cudaAvailable(std::string *why) { return cuda::initContext(why); }

void cudaMemoryInfo(size_t &freeBytes, size_t &totalBytes) {
  std::string why;
  if (!cuda::initContext(&why))
    throw Error("CUDA is not available: " + why);
  cuda::CUresult r = cuda::driver()->cuMemGetInfo_v2(&freeBytes, &totalBytes);
  if (r != cuda::CUDA_SUCCESS)
    throw Error("CUDA error in cuMemGetInfo: " + cuda::errorString(r));
}

namespace detail {

/// Host memory above this size is mapped (zero pages, nothing touched) and
/// asks for transparent huge pages where the kernel leaves them to
/// madvise: weights are read in streams of rows a whole row apart, one 4 KiB
/// page per row, and their TLB misses cost (SwiGLU forward at T5-base
/// width, M = 1, 2 threads: 0.26 -> 0.19 ms fused, 0.21 -> 0.17 ms
/// unfused). A refusal only leaves the small pages.
constexpr size_t kMapThreshold = size_t(1) << 20;

/// Where a buffer's bytes are; swapped between buffers by in-place calls.
struct Storage {
  void *ptr = nullptr;
  size_t capacity = 0;
  bool mapped = false;
};

struct RuntimeImpl {
  Device device = Device::Auto;

  /// Fixes the device; `why` prefixes a CUDA initialization failure.
  void useCuda(const std::string &prefix) {
    std::string why;
    if (!cuda::initContext(&why))
      throw Error(prefix + why);
    device = Device::Cuda;
  }

  Device resolved() {
    if (device == Device::Auto)
      device = Device::Cpu;
    return device;
  }

  const cuda::Driver &cu() {
    const cuda::Driver *d = cuda::driver();
    if (!d || !cuda::ensureContext())
      throw Error("CUDA is not available: " + cuda::takeError());
    return *d;
  }

  void throwIfCuda(cuda::CUresult r, const char *call) {
    if (r != cuda::CUDA_SUCCESS)
      throw Error(std::string("CUDA error in ") + call + ": " +
                  cuda::errorString(r));
  }

  /// Copies the bytes of `from` into `to` (same size, same device; the
  /// CUDA copy is done when this returns).
  void copy(const Buffer &from, Buffer &to) {
    size_t bytes = from.type().numBytes();
    if (!bytes)
      return;
    if (from.device() == Device::Cuda) {
      const cuda::Driver &d = cu();
      throwIfCuda(d.cuMemcpyDtoD_v2(
                      reinterpret_cast<cuda::CUdeviceptr>(to.data()),
                      reinterpret_cast<cuda::CUdeviceptr>(from.data()), bytes),
                  "cuMemcpyDtoD");
      throwIfCuda(d.cuCtxSynchronize(), "cuCtxSynchronize");
      return;
    }
    std::memcpy(to.data(), from.data(), bytes);
  }

  Storage allocate(const TensorType &type, const std::string &what) {
    Device dev = resolved();
    std::string forWhat =
        what.empty() ? type.str() : what + " (" + type.str() + ")";
    size_t bytes;
    try {
      bytes = type.numBytes();
    } catch (const Error &err) {
      throw Error("out of memory: cannot allocate " + forWhat + ": " +
                  err.what());
    }
    std::string oom = "out of memory: cannot allocate " +
                      formatBytes(double(bytes)) + " for " + forWhat + " on " +
                      deviceName(dev);
    Storage s;
    s.capacity = std::max<size_t>(bytes, 1);
    if (dev == Device::Cuda) {
      const cuda::Driver &d = cu();
      cuda::CUdeviceptr p = 0;
      cuda::CUresult r = d.cuMemAlloc_v2(&p, s.capacity);
      if (r != cuda::CUDA_SUCCESS)
        throw Error(oom +
                    ": CUDA error in cuMemAlloc: " + cuda::errorString(r));
      s.ptr = reinterpret_cast<void *>(p);
      // The memset is asynchronous on the legacy stream, which the
      // non-blocking streams of the entry points do not wait for: finish it.
      r = d.cuMemsetD8_v2(p, 0, s.capacity);
      if (r == cuda::CUDA_SUCCESS)
        r = d.cuCtxSynchronize();
      if (r != cuda::CUDA_SUCCESS) {
        d.cuMemFree_v2(p);
        throwIfCuda(r, "cuMemsetD8");
      }
      return s;
    }
    if (s.capacity >= kMapThreshold) {
      void *p = ::mmap(nullptr, s.capacity, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
      if (p == MAP_FAILED)
        throw Error(oom);
#ifdef MADV_HUGEPAGE
      (void)::madvise(p, s.capacity, MADV_HUGEPAGE);
#endif
      s.ptr = p;
      s.mapped = true;
      return s;
    }
    void *p = nullptr;
    if (::posix_memalign(&p, 64, s.capacity) != 0 || !p)
      throw Error(oom);
    std::memset(p, 0, s.capacity);
    s.ptr = p;
    return s;
  }

  void release(Storage &s, Device dev) {
    if (!s.ptr)
      return;
    if (dev == Device::Cuda) {
      if (const cuda::Driver *d = cuda::driver())
        d->cuMemFree_v2(reinterpret_cast<cuda::CUdeviceptr>(s.ptr));
    } else if (s.mapped) {
      ::munmap(s.ptr, s.capacity);
    } else {
      std::free(s.ptr);
    }
    s.ptr = nullptr;
  }
};

struct BufferImpl {
  std::shared_ptr<RuntimeImpl> runtime;
  TensorType type;
  size_t bytes = 0;
  Device device = Device::Cpu;
  Storage storage;

  ~BufferImpl() { runtime->release(storage, device); }
};

struct ArtifactImpl {
  std::shared_ptr<RuntimeImpl> runtime;
  std::string directory;
  std::string libraryPath;
  Manifest manifest;
  Device device = Device::Cpu;
  void *handle = nullptr;
  std::vector<void (*)(void **)> functions; // one per entry point

  ~ArtifactImpl() {
    if (handle)
      ::dlclose(handle);
  }

  size_t indexOf(const std::string &name) const {
    for (size_t i = 0; i < manifest.entryPoints.size(); ++i)
      if (manifest.entryPoints[i].name == name)
        return i;
    std::string names;
    for (const EntryPoint &e : manifest.entryPoints)
      names += (names.empty() ? "" : ", ") + e.name;
    throw Error("artifact '" + directory + "' has no entry point '" + name +
                "' (it has: " + (names.empty() ? "none" : names) + ")");
  }
};

} // namespace detail

using detail::ArtifactImpl;
using detail::BufferImpl;
using detail::RuntimeImpl;

//===----------------------------------------------------------------------===//
// Buffer
//===----------------------------------------------------------------------===//

const BufferImpl &Buffer::impl() const {
  if (!impl_)
    throw Error("use of an empty glu::Buffer");
  return *impl_;
}

const TensorType &Buffer::type() const { return impl().type; }
size_t Buffer::numBytes() const { return impl().bytes; }
Device Buffer::device() const { return impl().device; }
void *Buffer::data() const { return impl().storage.ptr; }

bool Buffer::sameStorage(const Buffer &other) const {
  return impl_ && other.impl_ &&
         (impl_ == other.impl_ ||
          impl_->storage.ptr == other.impl_->storage.ptr);
}

void Buffer::upload(const void *src, size_t bytes) {
  (void)impl(); // throws for an empty handle
  BufferImpl &b = *impl_;
  if (bytes != b.bytes)
    throw Error("cannot upload " + std::to_string(bytes) + " bytes into " +
                b.type.str() + " (" + std::to_string(b.bytes) + " bytes)");
  if (!bytes)
    return;
  if (b.device == Device::Cuda) {
    const cuda::Driver &d = b.runtime->cu();
    b.runtime->throwIfCuda(
        d.cuMemcpyHtoD_v2(reinterpret_cast<cuda::CUdeviceptr>(b.storage.ptr),
                          src, bytes),
        "cuMemcpyHtoD");
    // From pageable memory the copy may still be in flight on return; the
    // entry points' non-blocking streams would not wait for it.
    b.runtime->throwIfCuda(d.cuCtxSynchronize(), "cuCtxSynchronize");
    return;
  }
  std::memcpy(b.storage.ptr, src, bytes);
}

void Buffer::download(void *dst, size_t bytes) const {
  const BufferImpl &b = impl();
  if (bytes != b.bytes)
    throw Error("cannot download " + b.type.str() + " (" +
                std::to_string(b.bytes) + " bytes) into " +
                std::to_string(bytes) + " bytes");
  if (!bytes)
    return;
  if (b.device == Device::Cuda) {
    const cuda::Driver &d = b.runtime->cu();
    b.runtime->throwIfCuda(
        d.cuMemcpyDtoH_v2(
            dst, reinterpret_cast<cuda::CUdeviceptr>(b.storage.ptr), bytes),
        "cuMemcpyDtoH");
    return;
  }
  std::memcpy(dst, b.storage.ptr, bytes);
}

//===----------------------------------------------------------------------===//
// Runtime
//===----------------------------------------------------------------------===//

/// Keeps the host memory a call frees for the next call. Generated code
/// allocates its intermediate buffers at every call (malloc) and frees them
/// before it returns; glibc serves buffers above its mmap threshold (128
/// KiB, adapting up to 32 MiB) with fresh mappings and returns the heap's
/// free top past the trim threshold, so each call page-faulted its buffers
/// back in: the kernel took 46% of a T5-base train step at 16 tokens. The
/// threshold is raised to its maximum and trimming is turned off, once per
/// process, unless GLU_MALLOC_TUNING=0.
static void keepFreedHostMemory() {
#if defined(__GLIBC__)
  static std::once_flag once;
  std::call_once(once, [] {
    const char *setting = std::getenv("GLU_MALLOC_TUNING");
    if (setting && std::string(setting) == "0")
      return;
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, -1);
  });
#endif
}

Runtime::Runtime(Device device) : impl_(std::make_shared<RuntimeImpl>()) {
  keepFreedHostMemory();
  detail::bindThreadsToCoresOnce();
  impl_->device = device;
  if (device == Device::Cuda)
    impl_->useCuda("cannot use device cuda: ");
}

Runtime::~Runtime() = default;
Runtime::Runtime(Runtime &&) noexcept = default;
Runtime &Runtime::operator=(Runtime &&) noexcept = default;

Device Runtime::device() const { return impl_->device; }

Buffer Runtime::allocate(const TensorType &type, const std::string &what) {
  auto b = std::make_shared<BufferImpl>();
  b->runtime = impl_;
  b->type = type;
  b->storage = impl_->allocate(type, what);
  b->bytes = type.numBytes();
  b->device = impl_->device;
  return Buffer(std::move(b));
}

Buffer Runtime::allocate(const TensorSpec &spec) {
  return allocate(spec.type, "'" + spec.name + "'");
}

/// Makes this library's exported mgpu* functions visible to libraries
/// dlopen'ed later, even if this library was itself loaded RTLD_LOCAL
/// (e.g. by Python's ctypes).
static void promoteRuntimeToGlobalScope() {
  Dl_info info;
  if (::dladdr(reinterpret_cast<void *>(&mgpuModuleLoad), &info) &&
      info.dli_fname)
    ::dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_GLOBAL);
}

/// Checks that `library` is the file `m` describes (its size, then its
/// SHA-256) before anything loads it: a truncated or corrupt library, or one
/// of another build, is refused here and never reaches dlopen.
static void checkLibraryDigest(const std::string &library, const Manifest &m,
                               const std::string &manifestFile) {
  std::ifstream in(library, std::ios::binary);
  if (!in)
    throw Error("cannot open " + library + ": " + std::strerror(errno));
  Sha256 sha;
  std::vector<char> chunk(1 << 16);
  int64_t bytes = 0;
  while (in) {
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    std::streamsize n = in.gcount();
    sha.update(chunk.data(), static_cast<size_t>(n));
    bytes += n;
  }
  if (in.bad())
    throw Error("cannot read " + library + ": " + std::strerror(errno));
  if (bytes != m.libraryBytes)
    throw Error(library + " has " + std::to_string(bytes) + " bytes but " +
                manifestFile + " records " + std::to_string(m.libraryBytes) +
                " (truncated, or not the library this manifest was written "
                "with); recompile the artifact");
  std::string digest = sha.hexDigest();
  if (digest != m.librarySha256)
    throw Error(library + " does not match " + manifestFile + ": SHA-256 " +
                digest + ", the manifest records " + m.librarySha256 +
                " (corrupt, or not the library this manifest was written "
                "with); recompile the artifact");
}

static std::vector<SignatureTensor>
toSignature(const std::vector<TensorSpec> &specs) {
  std::vector<SignatureTensor> out;
  for (const TensorSpec &spec : specs)
    out.push_back({spec.name, dtypeName(spec.type.dtype), spec.type.shape,
                   spec.updates ? static_cast<int64_t>(*spec.updates) : -1});
  return out;
}

/// Refuses a GPU that none of the manifest's chips runs on (PTX for sm_90a
/// on an sm_80 GPU, or for sm_90 on sm_86), before the library's
/// constructors try to load the PTX.
static void checkCudaChips(const Manifest &m, const std::string &manifestFile) {
  int major = 0, minor = 0;
  std::string why;
  if (!cuda::computeCapability(major, minor, &why))
    throw Error("cannot run a cuda artifact: " + why);
  std::string chips;
  for (const std::string &name : m.cudaChips) {
    CudaChip chip;
    if (CudaChip::parse(name, chip) && chip.runsOn(major, minor))
      return;
    chips += (chips.empty() ? "" : ", ") + name;
  }
  std::string device = "sm_" + std::to_string(major) + std::to_string(minor);
  throw Error(manifestFile + ": the artifact's GPU code is for " + chips +
              ", which this GPU (compute capability " + std::to_string(major) +
              "." + std::to_string(minor) +
              ") cannot run; compile it with --chip=" + device +
              " (an sm_XYa chip runs on compute capability X.Y only)");
}

/// Compares entry point `e` of the manifest with the signature its library
/// was compiled for (glu/ArtifactSignature.h), reading data only: nothing in
/// the library is called before every entry point matches.
static void checkSignature(void *handle, const Manifest &m, const EntryPoint &e,
                           const std::string &library,
                           const std::string &manifestFile) {
  if (e.symbol != GLU_ENTRY_PREFIX + e.name)
    throw Error(manifestFile + ": entry point '" + e.name + "' has symbol '" +
                e.symbol + "', expected '" GLU_ENTRY_PREFIX + e.name + "'");
  std::string symbol = GLU_SIGNATURE_PREFIX + e.name;
  const char *compiled =
      static_cast<const char *>(::dlsym(handle, symbol.c_str()));
  if (!compiled)
    throw Error(library + ": no signature for entry point '" + e.name +
                "' (symbol '" + symbol +
                "'): not a glu artifact library, or built by a glu-compile "
                "older than ABI " +
                std::to_string(GLU_ABI_VERSION) + "; recompile the artifact");
  std::string expected = formatEntrySignature(
      m.target, e.name, toSignature(e.arguments), toSignature(e.results));
  if (expected == compiled)
    return;
  std::string abi = "glu-abi-" + std::to_string(GLU_ABI_VERSION) + " ";
  if (std::strncmp(compiled, abi.c_str(), abi.size()) != 0) {
    std::string word(compiled, ::strnlen(compiled, 32));
    word = word.substr(0, word.find(' '));
    throw Error(library + " was built for another ABI (its signatures begin '" +
                word + "'); this runtime supports ABI " +
                std::to_string(GLU_ABI_VERSION) + "; recompile the artifact");
  }
  throw Error(manifestFile + " does not match " + library +
              " for entry point '" + e.name + "':\n  manifest: " + expected +
              "\n  library:  " + compiled +
              "\n(an edited manifest, or the library of another build); "
              "recompile the artifact");
}

Artifact Runtime::load(const std::string &directory) {
  auto a = std::make_shared<ArtifactImpl>();
  a->runtime = impl_;
  a->directory = directory;
  a->manifest = Manifest::load(directory);
  const Manifest &m = a->manifest;
  fs::path dir = fs::absolute(fs::path(directory));
  std::string manifestFile = (dir / GLU_MANIFEST_FILE).lexically_normal();

  // A library of another architecture is refused before the loader reads
  // it (dlopen would fail with "cannot open shared object file").
  std::string arch = m.triple.substr(0, m.triple.find('-'));
  if (!m.triple.empty() && *hostArchitecture() && arch != hostArchitecture())
    throw Error(manifestFile + ": the artifact was compiled for " + arch +
                " (" + m.triple + ") but this runtime runs on " +
                hostArchitecture() + "; run it where the architecture is " +
                arch +
                ", or compile it for this machine (glu-compile without "
                "--target-triple)");

  // Fix the device before the library is loaded: a cuda artifact's global
  // constructors load its GPU code and need a current context.
  bool wantsCuda = m.target == GLU_TARGET_CUDA;
  if (impl_->device == Device::Auto) {
    if (wantsCuda)
      impl_->useCuda("cannot run a cuda artifact: ");
    else
      impl_->device = Device::Cpu;
  } else if (wantsCuda != (impl_->device == Device::Cuda)) {
    throw Error("artifact '" + directory + "' targets " + m.target +
                " but the runtime runs on " + deviceName(impl_->device));
  } else if (wantsCuda) {
    impl_->useCuda("cannot run a cuda artifact: ");
  }
  a->device = impl_->device;
  if (wantsCuda && !m.cudaChips.empty())
    checkCudaChips(m, manifestFile);

  fs::path lib = fs::path(m.library);
  if (lib.is_relative())
    lib = dir / lib;
  a->libraryPath = lib.lexically_normal();
  std::error_code ec;
  if (!fs::exists(lib, ec))
    throw Error(manifestFile + ": library '" + m.library + "' not found (" +
                a->libraryPath + ")");

  checkLibraryDigest(a->libraryPath, m, manifestFile);

  if (wantsCuda)
    promoteRuntimeToGlobalScope();
  (void)cuda::takeError();
  a->handle = ::dlopen(a->libraryPath.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!a->handle) {
    const char *err = ::dlerror();
    throw Error("cannot load " + a->libraryPath + ": " +
                (err ? err : "unknown dlopen error"));
  }
  if (std::string err = cuda::takeError(); !err.empty())
    throw Error(a->libraryPath + ": loading its GPU code failed: " + err);

  for (const EntryPoint &e : m.entryPoints) {
    checkSignature(a->handle, m, e, a->libraryPath, manifestFile);
    void *sym = ::dlsym(a->handle, e.symbol.c_str());
    if (!sym)
      throw Error(a->libraryPath + ": missing symbol '" + e.symbol +
                  "' of entry point '" + e.name + "' (listed in " +
                  manifestFile + ")");
    a->functions.push_back(reinterpret_cast<void (*)(void **)>(sym));
  }
  return Artifact(std::move(a));
}

//===----------------------------------------------------------------------===//
// Artifact
//===----------------------------------------------------------------------===//

const ArtifactImpl &Artifact::impl() const {
  if (!impl_)
    throw Error("use of an empty glu::Artifact");
  return *impl_;
}

const Manifest &Artifact::manifest() const { return impl().manifest; }
const std::string &Artifact::directory() const { return impl().directory; }
const std::vector<EntryPoint> &Artifact::entryPoints() const {
  return impl().manifest.entryPoints;
}

const EntryPoint &Artifact::entry(const std::string &name) const {
  return impl().manifest.entryPoints[impl().indexOf(name)];
}

Buffer Artifact::allocateResult(const std::string &entryName,
                                size_t index) const {
  const EntryPoint &e = entry(entryName);
  const TensorSpec &r = e.result(index);
  auto b = std::make_shared<BufferImpl>();
  b->runtime = impl_->runtime;
  b->type = r.type;
  b->storage = impl_->runtime->allocate(
      r.type, "result '" + r.name + "' of entry point '" + e.name + "'");
  b->bytes = r.type.numBytes();
  b->device = impl_->device;
  return Buffer(std::move(b));
}

std::vector<Buffer> Artifact::call(const std::string &entryName,
                                   const std::vector<const Buffer *> &args) {
  const EntryPoint &e = entry(entryName);
  std::vector<Buffer> results;
  std::vector<Buffer *> bound;
  for (size_t i = 0; i < e.results.size(); ++i)
    results.push_back(allocateResult(entryName, i));
  for (Buffer &b : results)
    bound.push_back(&b);
  call(entryName, args, bound);
  return results;
}

/// Appends the strided memref descriptor of `b` to `words`.
static void appendDescriptor(std::vector<int64_t> &words, const Buffer &b) {
  int64_t ptr = 0;
  void *data = b.data();
  std::memcpy(&ptr, &data, sizeof(void *));
  words.push_back(ptr); // allocated
  words.push_back(ptr); // aligned
  words.push_back(0);   // offset
  const std::vector<int64_t> &shape = b.shape();
  words.insert(words.end(), shape.begin(), shape.end());
  std::vector<int64_t> strides(shape.size());
  int64_t stride = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    strides[i] = stride;
    stride *= std::max<int64_t>(shape[i], 1);
  }
  words.insert(words.end(), strides.begin(), strides.end());
}

void Artifact::call(const std::string &entryName,
                    const std::vector<const Buffer *> &args,
                    const std::vector<Buffer *> &results, double *elapsedMs) {
  ArtifactImpl &a = *impl_;
  size_t index = a.indexOf(entryName);
  const EntryPoint &e = a.manifest.entryPoints[index];
  std::string of = " of entry point '" + e.name + "'";
  if (args.size() != e.arguments.size())
    throw Error("entry point '" + e.name + "' takes " +
                std::to_string(e.arguments.size()) + " arguments, got " +
                std::to_string(args.size()));
  if (results.size() != e.results.size())
    throw Error("entry point '" + e.name + "' has " +
                std::to_string(e.results.size()) + " results, got " +
                std::to_string(results.size()) + " result buffers");
  auto checkBuffer = [&](const Buffer *b, const TensorSpec &spec,
                         const char *kind) {
    std::string what = std::string(kind) + " '" + spec.name + "'" + of;
    if (!b || !*b)
      throw Error(what + " is not bound to a buffer");
    if (b->type() != spec.type)
      throw Error(what + " expects " + spec.type.str() + ", got " +
                  b->type().str());
    if (b->device() != a.device)
      throw Error(what + " is a " + deviceName(b->device()) +
                  " buffer, the artifact runs on " + deviceName(a.device));
  };
  for (size_t i = 0; i < args.size(); ++i)
    checkBuffer(args[i], e.arguments[i], "argument");
  for (size_t i = 0; i < results.size(); ++i)
    checkBuffer(results[i], e.results[i], "result");

  // A result that updates an argument in place is bound to that argument's
  // place in the call: a result buffer of other storage first gets a copy
  // of the argument, so that the argument stays as given. The buffer
  // updated may be no other argument's; all is checked before any copy.
  std::vector<const Buffer *> actualArgs(args.begin(), args.end());
  for (size_t i = 0; i < results.size(); ++i)
    if (e.results[i].updates)
      actualArgs[*e.results[i].updates] = results[i];
  for (size_t i = 0; i < results.size(); ++i) {
    if (!e.results[i].updates)
      continue;
    size_t j = *e.results[i].updates;
    bool ownArgument = results[i]->sameStorage(*args[j]);
    for (size_t k = 0; k < args.size(); ++k) {
      if (k == j || !(results[i]->sameStorage(*args[k]) ||
                      results[i]->sameStorage(*actualArgs[k])))
        continue;
      if (ownArgument)
        throw Error("argument '" + e.arguments[j].name + "'" + of +
                    " is updated in place, but its buffer is also argument '" +
                    e.arguments[k].name + "'");
      throw Error("result '" + e.results[i].name + "'" + of +
                  " updates argument '" + e.arguments[j].name +
                  "' in place, but its buffer is argument '" +
                  e.arguments[k].name + "''s");
    }
  }
  for (size_t i = 0; i < results.size(); ++i)
    if (e.results[i].updates &&
        !results[i]->sameStorage(*args[*e.results[i].updates]))
      a.runtime->copy(*args[*e.results[i].updates], *results[i]);

  // An out-parameter that shares storage with an argument or an earlier
  // out-parameter is written to a scratch buffer, swapped in after the call.
  std::vector<std::shared_ptr<BufferImpl>> scratch(results.size());
  std::vector<const Buffer *> actual(results.begin(), results.end());
  for (size_t i = 0; i < results.size(); ++i) {
    if (e.results[i].updates)
      continue;
    bool aliased = false;
    for (const Buffer *arg : actualArgs)
      aliased = aliased || results[i]->sameStorage(*arg);
    for (size_t j = 0; j < i; ++j)
      if (!e.results[j].updates)
        aliased = aliased || results[i]->sameStorage(*results[j]);
    for (size_t j = 0; j < results.size(); ++j)
      if (e.results[j].updates && results[i]->sameStorage(*results[j]))
        throw Error("result '" + e.results[i].name + "'" + of +
                    " shares its buffer with result '" + e.results[j].name +
                    "', which updates an argument in place");
    if (!aliased)
      continue;
    auto s = std::make_shared<BufferImpl>();
    s->runtime = a.runtime;
    s->type = e.results[i].type;
    s->storage = a.runtime->allocate(s->type, "result '" + e.results[i].name +
                                                  "'" + of + " (in place)");
    s->bytes = s->type.numBytes();
    s->device = a.device;
    scratch[i] = s;
  }
  std::vector<Buffer> scratchHandles(results.size());
  for (size_t i = 0; i < results.size(); ++i)
    if (scratch[i]) {
      scratchHandles[i] = Buffer(scratch[i]);
      actual[i] = &scratchHandles[i];
    }

  // One descriptor per argument and result, however many there are.
  std::vector<std::vector<int64_t>> descriptors;
  descriptors.reserve(args.size() + results.size());
  for (const Buffer *b : actualArgs) {
    descriptors.emplace_back();
    appendDescriptor(descriptors.back(), *b);
  }
  for (size_t i = 0; i < actual.size(); ++i) {
    if (e.results[i].updates)
      continue; // no out-parameter
    descriptors.emplace_back();
    appendDescriptor(descriptors.back(), *actual[i]);
  }
  std::vector<void *> argv;
  argv.reserve(descriptors.size());
  for (std::vector<int64_t> &d : descriptors)
    argv.push_back(d.data());

  bool onCuda = a.device == Device::Cuda;
  if (onCuda) {
    a.runtime->cu();
    (void)cuda::takeError();
  }
  auto start = std::chrono::steady_clock::now();
  a.functions[index](argv.data());
  if (onCuda) {
    cuda::CUresult r = a.runtime->cu().cuCtxSynchronize();
    cuda::check(r, "cuCtxSynchronize");
  }
  auto end = std::chrono::steady_clock::now();
  if (elapsedMs)
    *elapsedMs = std::chrono::duration<double, std::milli>(end - start).count();
  if (onCuda) {
    if (std::string err = cuda::takeError(); !err.empty())
      throw Error("entry point '" + e.name + "' failed: " + err);
  }

  for (size_t i = 0; i < results.size(); ++i)
    if (scratch[i])
      std::swap(results[i]->impl_->storage, scratch[i]->storage);
}

} // namespace glu
