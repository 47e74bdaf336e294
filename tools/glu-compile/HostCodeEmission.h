//===- HostCodeEmission.h - LLVM dialect to a shared library ----*- C++ -*-===//
//
// The last steps of glu-compile, all in-process except the link: translate
// the LLVM dialect to LLVM IR, optimize it for the CPU of the target triple
// (this machine's by default), emit an object and link it into a shared
// library with lld (or, for this machine, the system C compiler when lld is
// missing).
//
//===----------------------------------------------------------------------===//

#ifndef GLU_TOOLS_GLU_COMPILE_HOSTCODEEMISSION_H
#define GLU_TOOLS_GLU_COMPILE_HOSTCODEEMISSION_H

#include "passes/codegen/cpu/CpuTarget.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"
#include "llvm/TargetParser/Triple.h"

#include <string>

namespace glu {

struct HostCodeOptions {
  /// The target triple (resolveTargetTriple); "" is this machine's.
  std::string triple;
  /// The CPU the code is tuned for: "native" (this machine) or an LLVM CPU
  /// name of the triple such as x86-64-v3, sapphirerapids or neoverse-n1.
  std::string cpu = "native";
  unsigned optLevel = 3;
  /// If set, the optimized LLVM IR is written here too.
  std::string llvmIRPath;
};

/// The vector configuration (lanes, registers, micro-kernel) of the CPU
/// `options.cpu` of `options.triple` names, "native" being this machine,
/// from the features LLVM gives that processor.
mlir::FailureOr<mlir::ffn::CpuVectorConfig>
getHostVectorConfig(const HostCodeOptions &options, std::string &error);

/// Translates `module` (LLVM dialect) and writes the object file
/// `objectPath`. Reports problems through `error`.
mlir::LogicalResult emitObjectFile(mlir::ModuleOp module,
                                   const HostCodeOptions &options,
                                   llvm::StringRef objectPath, bool &usesOpenMP,
                                   std::string &error);

/// Links `objectPath` into the shared library `libraryPath` for `triple`
/// with RUNPATH $ORIGIN; `extraLibraries` are full paths of libraries
/// beside it. For this machine's architecture it links libm and libc; for
/// another (clang --target=<triple> with lld) it links no C library and
/// leaves those symbols to the loader.
mlir::LogicalResult
linkSharedLibrary(const llvm::Triple &triple, llvm::StringRef objectPath,
                  llvm::StringRef libraryPath,
                  llvm::ArrayRef<std::string> extraLibraries,
                  std::string &error);

} // namespace glu

#endif // GLU_TOOLS_GLU_COMPILE_HOSTCODEEMISSION_H
