//===- Target.h - what a compilation targets --------------------*- C++ -*-===//
//
// The one spelling of the targets glu compiles for. Passes, pipelines and
// tools take a Target; its name ("cpu", "cuda") appears only here, in the
// manifest and on the command line.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_PASSES_UTILS_TARGET_H
#define GLU_PASSES_UTILS_TARGET_H

#include "mlir/Support/LLVM.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/CommandLine.h"

#include <cstdint>
#include <optional>

namespace mlir::ffn {

/// What an artifact runs on.
enum class Target {
  /// x86-64 (or AArch64) host code, OpenMP-parallel.
  Cpu,
  /// NVIDIA GPUs: PTX kernels and host code calling the mgpu* runtime.
  Cuda,
};

/// "cpu" or "cuda".
StringRef stringifyTarget(Target target);

/// The target named `name`, or std::nullopt.
std::optional<Target> parseTarget(StringRef name);

/// The packed block size ffn-fuse picks for `target`: 64 columns on the CPU
/// (a multiple of every x86 vector width that keeps a block pair's K x 128
/// panel in L2 for d_model up to 1024), 128 on CUDA (the N extent of a CTA
/// tile).
int64_t getDefaultBlockSize(Target target);

/// The cl::values of an option that takes a Target.
#define GLU_TARGET_CL_VALUES                                                   \
  ::llvm::cl::values(                                                          \
      clEnumValN(::mlir::ffn::Target::Cpu, "cpu", "the host CPU"),             \
      clEnumValN(::mlir::ffn::Target::Cuda, "cuda", "NVIDIA GPUs (PTX)"))

} // namespace mlir::ffn

#endif // GLU_PASSES_UTILS_TARGET_H
