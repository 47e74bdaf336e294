//===- Runtime.h - The glu runtime C++ API ----------------------*- C++ -*-===//
//
// Loads a glu artifact (docs/artifact-format.md), owns typed buffers on one
// device (host memory on the CPU, device memory on CUDA) and calls entry
// points. Needs neither MLIR, LLVM nor CUDA to build: libcuda.so.1 is
// opened with dlopen when a CUDA runtime is created. Failures throw
// glu::Error. Not thread-safe: use one Runtime per thread.
//
//   glu::Runtime rt(glu::Device::Auto);
//   glu::Artifact a = rt.load("out/");
//   const glu::EntryPoint &e = a.entry("forward");
//   glu::Buffer x = rt.allocate(e.argument(0));
//   x.upload(data, bytes);
//   std::vector<glu::Buffer> r = a.call("forward", {&x, &w});
//   r[0].download(out, outBytes);
//
//===----------------------------------------------------------------------===//

#ifndef GLU_RUNTIME_RUNTIME_H
#define GLU_RUNTIME_RUNTIME_H

#include "glu/ArtifactAbi.h"
#include "glu/Types.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace glu {

/// Where buffers live and entry points run. Auto picks the artifact's
/// target when the first artifact is loaded (cpu until then).
enum class Device { Auto, Cpu, Cuda };

const char *deviceName(Device device);
/// Parses "auto", "cpu" or "cuda"; throws glu::Error otherwise.
Device parseDevice(const std::string &name);

/// The architecture this runtime was built for, spelled as the first
/// component of the target triples manifests record ("x86_64", "aarch64",
/// ...); "" where it cannot name it (then no triple is checked).
const char *hostArchitecture();

/// Whether a CUDA device can be used; if not, `why` says why (the message
/// a CUDA runtime would fail with).
bool cudaAvailable(std::string *why = nullptr);

/// Free and total memory of CUDA device 0; throws glu::Error without one.
void cudaMemoryInfo(size_t &freeBytes, size_t &totalBytes);

/// A gate/linear weight pair packed by ffn-fuse{pack-arguments}: column
/// blocks of blockSize, [gate block j | linear block j], the last ragged
/// (layout GLU_PACKED_LAYOUT; glu/PackedWeights.h packs and unpacks it).
struct PackedLayout {
  int64_t blockSize = 0;
  std::string gateName, linearName;
  std::vector<int64_t> halfShape; // the shape of gate and of linear (equal)
};

/// One argument or result of an entry point.
struct TensorSpec {
  std::string name;
  TensorType type;
  /// Set for an argument that packs a gate/linear pair; its type's shape
  /// is then halfShape with the last dimension doubled (Manifest checks).
  std::optional<PackedLayout> packed;
  /// Set for a result that updates the argument of this index in place: it
  /// has no out-parameter (glu/ArtifactAbi.h), Artifact::call binds it to
  /// that argument's buffer.
  std::optional<size_t> updates;
};

/// One entry point of a manifest.
struct EntryPoint {
  std::string name;
  std::string symbol;
  std::vector<TensorSpec> arguments;
  std::vector<TensorSpec> results;

  /// Throws glu::Error if `index` is out of range.
  const TensorSpec &argument(size_t index) const;
  const TensorSpec &result(size_t index) const;
};

/// A parsed and validated manifest.json (format version
/// GLU_MANIFEST_VERSION).
struct Manifest {
  static constexpr int kSupportedVersion = GLU_MANIFEST_VERSION;

  int64_t version = 0;
  std::string target; // GLU_TARGET_CPU or GLU_TARGET_CUDA
  /// The target triple of the library's code (aarch64-unknown-linux-gnu);
  /// "" in manifests written before glu-compile recorded it. load() refuses
  /// an artifact of another architecture than hostArchitecture().
  std::string triple;
  std::string library;
  int64_t libraryBytes = 0;  // the library's size
  std::string librarySha256; // and its SHA-256, checked before dlopen
  std::string producer;
  std::string source;
  /// cuda: the chips its PTX was generated for ("cuda": {"chips": [...]},
  /// each sm_XY or sm_XYa: see CudaChip.h); empty when the manifest has
  /// none. load() refuses a GPU none of them runs on.
  std::vector<std::string> cudaChips;
  std::vector<EntryPoint> entryPoints;

  /// Parses and validates `text`; `fileName` prefixes every error. Throws
  /// only glu::Error (malformed JSON, a duplicate key, a missing key or one
  /// of the wrong type, an unsupported version, ...).
  static Manifest parse(const std::string &text, const std::string &fileName);
  /// Reads and validates `directory`/GLU_MANIFEST_FILE.
  static Manifest load(const std::string &directory);
};

namespace detail {
struct RuntimeImpl;
struct BufferImpl;
struct ArtifactImpl;
} // namespace detail

/// A typed buffer owned by the runtime on its device. Copies of a Buffer
/// share the same storage; the storage lives as long as any copy.
class Buffer {
public:
  Buffer() = default;

  explicit operator bool() const { return impl_ != nullptr; }
  const TensorType &type() const;
  DType dtype() const { return type().dtype; }
  const std::vector<int64_t> &shape() const { return type().shape; }
  size_t numBytes() const;
  Device device() const;
  /// The storage: a host pointer on cpu, a CUdeviceptr on cuda.
  void *data() const;

  /// Copies `bytes` (must equal numBytes()) from host memory.
  void upload(const void *src, size_t bytes);
  /// Copies the whole buffer to host memory of `bytes` (== numBytes()).
  void download(void *dst, size_t bytes) const;
  /// The contents as a host vector of T (sizeof(T) must match the dtype).
  template <typename T> std::vector<T> read() const {
    std::vector<T> out(numBytes() / sizeof(T));
    download(out.data(), out.size() * sizeof(T));
    return out;
  }

  /// Whether two handles refer to the same storage.
  bool sameStorage(const Buffer &other) const;

private:
  friend class Runtime;
  friend class Artifact;
  explicit Buffer(std::shared_ptr<detail::BufferImpl> impl)
      : impl_(std::move(impl)) {}
  const detail::BufferImpl &impl() const;
  std::shared_ptr<detail::BufferImpl> impl_;
};

/// A loaded artifact: the manifest plus the dlopen'ed library.
class Artifact {
public:
  Artifact() = default;

  const Manifest &manifest() const;
  /// The artifact directory as given to Runtime::load.
  const std::string &directory() const;
  const std::vector<EntryPoint> &entryPoints() const;
  /// Throws glu::Error naming the entry points that exist.
  const EntryPoint &entry(const std::string &name) const;

  /// A new zero-filled buffer for result `index` of `entry`.
  Buffer allocateResult(const std::string &entry, size_t index) const;

  /// Calls `entry` with `arguments` (manifest order) and returns freshly
  /// allocated results.
  std::vector<Buffer> call(const std::string &entry,
                           const std::vector<const Buffer *> &arguments);
  /// Calls `entry` writing its results into `results` (one per manifest
  /// result, each of the manifest's type). A result may be one of the
  /// arguments (or share its storage): it is then written to a scratch
  /// buffer whose storage is swapped in after the call, so every handle
  /// of that buffer sees the new values. If `elapsedMs` is given it
  /// receives the wall time of the call, the device synchronized.
  void call(const std::string &entry,
            const std::vector<const Buffer *> &arguments,
            const std::vector<Buffer *> &results, double *elapsedMs = nullptr);

private:
  friend class Runtime;
  explicit Artifact(std::shared_ptr<detail::ArtifactImpl> impl)
      : impl_(std::move(impl)) {}
  const detail::ArtifactImpl &impl() const;
  std::shared_ptr<detail::ArtifactImpl> impl_;
};

/// The runtime: one device, its buffers and the artifacts loaded on it.
class Runtime {
public:
  /// Creates a runtime. Device::Cuda opens libcuda.so.1, initializes the
  /// driver and makes device 0's primary context current (throws if it
  /// cannot); Device::Auto defers the choice to the first load(). With
  /// glibc, the first runtime of a process keeps freed host memory for
  /// reuse (mmap threshold at its 32 MiB maximum, no trimming), so that
  /// calls do not page-fault their intermediate buffers back in; set
  /// GLU_MALLOC_TUNING=0 to keep the process's malloc settings. When the
  /// process's OpenMP threads will fill every CPU it may use and the user
  /// set no binding, it also binds them one to a core (OMP_PLACES=cores,
  /// OMP_PROC_BIND=spread, before any artifact loads libomp); set
  /// GLU_THREAD_BINDING=0 to leave them unbound.
  explicit Runtime(Device device = Device::Auto);
  ~Runtime();
  Runtime(Runtime &&) noexcept;
  Runtime &operator=(Runtime &&) noexcept;

  /// The device in use (Auto until the first load or allocation).
  Device device() const;

  /// Loads and validates the artifact in `directory`.
  Artifact load(const std::string &directory);

  /// Allocates a zero-filled buffer. `what` names it in errors (e.g.
  /// "argument 'x'"); out of memory throws naming the size.
  Buffer allocate(const TensorType &type, const std::string &what = "");
  Buffer allocate(const TensorSpec &spec);

private:
  std::shared_ptr<detail::RuntimeImpl> impl_;
};

} // namespace glu

#endif // GLU_RUNTIME_RUNTIME_H
