//===- CodeTarget.h - what glu-compile generates code for -------*- C++ -*-===//
//
// Checks, before anything is compiled, what the artifact's code is built
// for: the target triple (this machine's by default, or another Linux
// architecture such as aarch64-linux-gnu), the processor (--cpu) of that
// triple and the GPU (--chip) of the cuda target; and finds the OpenMP
// runtime of the triple that a CPU artifact carries. Every failure is a
// message naming the problem.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_TOOLS_GLU_COMPILE_CODETARGET_H
#define GLU_TOOLS_GLU_COMPILE_CODETARGET_H

#include "mlir/Support/LLVM.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/TargetParser/Triple.h"

#include <string>

namespace glu {

/// Registers every target LLVM was built with (idempotent).
void initializeLLVMTargets();

/// The triple `requested` names, normalized and with its architecture
/// spelled canonically (arm64-linux-gnu becomes aarch64-unknown-linux-gnu);
/// "" is this machine's. Fails if LLVM does not know the architecture, was
/// built without its target, or the triple is not Linux (artifacts are ELF
/// shared libraries).
mlir::FailureOr<llvm::Triple> resolveTargetTriple(llvm::StringRef requested,
                                                  std::string &error);

/// Whether code for `triple` runs on this machine's architecture.
bool isHostArchitecture(const llvm::Triple &triple);

/// Checks that `cpu` names a processor of `triple`'s target; "native" (this
/// machine) only for the host's architecture. `error` lists the names
/// accepted otherwise.
mlir::LogicalResult checkTargetCpu(const llvm::Triple &triple,
                                   llvm::StringRef cpu, std::string &error);

/// Checks that `chip` names a processor of the NVPTX target.
mlir::LogicalResult checkCudaChip(llvm::StringRef chip, std::string &error);

/// The OpenMP runtime (libomp.so.5) a CPU artifact for `triple` carries:
/// `requested` if given (--libomp), else for the host's architecture the
/// one glu was built with, else the first of /usr/lib/<multiarch>/ and
/// /usr/<multiarch>/lib/ (Debian's multiarch and cross folders) that holds
/// one. Fails if there is none, or if it is a library of another
/// architecture.
mlir::FailureOr<std::string> findOpenMPRuntime(const llvm::Triple &triple,
                                               llvm::StringRef requested,
                                               std::string &error);

} // namespace glu

#endif // GLU_TOOLS_GLU_COMPILE_CODETARGET_H
