//===- HostCodeEmission.h - LLVM dialect to a shared library ----*- C++ -*-===//
//
// The last steps of glu-compile, all in-process except the link: translate
// the LLVM dialect to LLVM IR, optimize it for the host CPU, emit an x86-64
// object and link it into a shared library with lld (or the system C
// compiler when lld is missing).
//
//===----------------------------------------------------------------------===//

#ifndef GLU_TOOLS_GLU_COMPILE_HOSTCODEEMISSION_H
#define GLU_TOOLS_GLU_COMPILE_HOSTCODEEMISSION_H

#include "passes/codegen/cpu/CpuTarget.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"

#include <string>

namespace glu {

struct HostCodeOptions {
  /// The CPU the code is tuned for: "native" (this machine) or an LLVM CPU
  /// name such as x86-64-v3 or sapphirerapids.
  std::string cpu = "native";
  unsigned optLevel = 3;
  /// If set, the optimized LLVM IR is written here too.
  std::string llvmIRPath;
};

/// Translates `module` (LLVM dialect) and writes the object file
/// `objectPath`. Reports problems through `error`.
/// Checks that `cpu` ("native" or a CPU name) names a processor of the host
/// target, and `chip` one of the NVPTX target; `error` says which names are
/// accepted otherwise. Called before anything is compiled.
mlir::LogicalResult checkHostCpu(llvm::StringRef cpu, std::string &error);
mlir::LogicalResult checkCudaChip(llvm::StringRef chip, std::string &error);

/// The vector configuration (lanes, registers, micro-kernel) of the CPU
/// `options.cpu` names, "native" being this machine, from the features
/// LLVM gives that processor.
mlir::FailureOr<mlir::ffn::CpuVectorConfig>
getHostVectorConfig(const HostCodeOptions &options, std::string &error);

mlir::LogicalResult emitObjectFile(mlir::ModuleOp module,
                                   const HostCodeOptions &options,
                                   llvm::StringRef objectPath, bool &usesOpenMP,
                                   std::string &error);

/// Links `objectPath` into the shared library `libraryPath` with RUNPATH
/// $ORIGIN; `extraLibraries` are full paths of libraries beside it.
mlir::LogicalResult
linkSharedLibrary(llvm::StringRef objectPath, llvm::StringRef libraryPath,
                  llvm::ArrayRef<std::string> extraLibraries,
                  std::string &error);

} // namespace glu

#endif // GLU_TOOLS_GLU_COMPILE_HOSTCODEEMISSION_H
