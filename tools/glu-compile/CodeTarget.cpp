//===- CodeTarget.cpp - what glu-compile generates code for ---------------===//

#include "CodeTarget.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Object/ObjectFile.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/TargetParser/Host.h"

using namespace mlir;

namespace glu {

void initializeLLVMTargets() {
  static bool done = [] {
    llvm::InitializeAllTargetInfos();
    llvm::InitializeAllTargets();
    llvm::InitializeAllTargetMCs();
    llvm::InitializeAllAsmPrinters();
    return true;
  }();
  (void)done;
}

/// The names of the targets LLVM was built with, for messages.
static std::string listTargets() {
  SmallVector<StringRef> names;
  for (const llvm::Target &target : llvm::TargetRegistry::targets())
    names.push_back(target.getName());
  llvm::sort(names);
  return llvm::join(names, ", ");
}

/// `requested` for messages, with the triple it means if that differs.
static std::string describeTriple(StringRef requested,
                                  const llvm::Triple &triple) {
  std::string text = ("--target-triple '" + requested + "'").str();
  if (requested != triple.str())
    text += " (" + triple.str() + ")";
  return text;
}

FailureOr<llvm::Triple> resolveTargetTriple(StringRef requested,
                                            std::string &error) {
  initializeLLVMTargets();
  llvm::Triple triple(llvm::Triple::normalize(
      requested.empty() ? llvm::sys::getProcessTriple() : requested.str()));
  if (triple.getArch() == llvm::Triple::UnknownArch) {
    error = ("unknown --target-triple '" + requested +
             "': LLVM knows no architecture '" + triple.getArchName() +
             "' (e.g. aarch64-linux-gnu, x86_64-linux-gnu)")
                .str();
    return failure();
  }
  // One spelling per architecture in the manifest and the report
  // (arm64-linux-gnu is aarch64-unknown-linux-gnu, amd64 is x86_64);
  // others (armv7) keep their sub-architecture, which LLVM reads.
  if (triple.isAArch64() || triple.isX86())
    triple.setArchName(llvm::Triple::getArchTypeName(triple.getArch()));
  if (!triple.isOSLinux()) {
    error = describeTriple(requested, triple) +
            " is not a Linux triple: artifacts are ELF shared libraries for "
            "Linux (e.g. aarch64-linux-gnu)";
    return failure();
  }
  std::string lookupError;
  if (!llvm::TargetRegistry::lookupTarget(triple, lookupError)) {
    error = "LLVM has no target for " + describeTriple(requested, triple) +
            "; it was built with " + listTargets();
    return failure();
  }
  return triple;
}

bool isHostArchitecture(const llvm::Triple &triple) {
  return llvm::Triple(llvm::sys::getProcessTriple()).getArch() ==
         triple.getArch();
}

/// Whether `target` (for `triple`) knows the processor `cpu`; otherwise
/// `error` lists a few it knows.
static LogicalResult checkProcessor(const llvm::Target *target,
                                    const llvm::Triple &triple,
                                    llvm::StringRef cpu, llvm::StringRef what,
                                    std::string &error) {
  std::unique_ptr<llvm::MCSubtargetInfo> info(
      target->createMCSubtargetInfo(triple, "", ""));
  if (info && info->isCPUStringValid(cpu))
    return success();
  std::string known;
  if (info) {
    unsigned listed = 0;
    for (const llvm::SubtargetSubTypeKV &kv :
         info->getAllProcessorDescriptions()) {
      if (listed++ == 12)
        break;
      known += (listed > 1 ? ", " : "") + std::string(kv.Key);
    }
  }
  error = ("unknown " + what + " '" + cpu + "' for " + triple.str() +
           " (known: " + known + ", ...)")
              .str();
  return failure();
}

LogicalResult checkTargetCpu(const llvm::Triple &triple, StringRef cpu,
                             std::string &error) {
  if (cpu == "native") {
    if (isHostArchitecture(triple))
      return success();
    error = ("--cpu=native means this machine (" +
             llvm::sys::getProcessTriple() + "), which cannot run code for " +
             triple.str() + ": name a processor of " + triple.getArchName() +
             " (generic, or e.g. neoverse-n1) or "
             "leave --cpu out")
                .str();
    return failure();
  }
  initializeLLVMTargets();
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return failure();
  return checkProcessor(target, triple, cpu, "--cpu", error);
}

LogicalResult checkCudaChip(StringRef chip, std::string &error) {
  initializeLLVMTargets();
  llvm::Triple triple("nvptx64-nvidia-cuda");
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return failure();
  return checkProcessor(target, triple, chip, "--chip", error);
}

/// Debian's multiarch name of `triple`: aarch64-linux-gnu.
static std::string getMultiarchName(const llvm::Triple &triple) {
  StringRef environment = triple.getEnvironmentName();
  return (llvm::Triple::getArchTypeName(triple.getArch()) + "-linux-" +
          (environment.empty() ? StringRef("gnu") : environment))
      .str();
}

/// Whether `path` is a shared library for `triple`'s architecture.
static LogicalResult checkLibraryArchitecture(StringRef path,
                                              const llvm::Triple &triple,
                                              std::string &error) {
  llvm::Expected<llvm::object::OwningBinary<llvm::object::ObjectFile>> file =
      llvm::object::ObjectFile::createObjectFile(path);
  if (!file) {
    error = "the OpenMP runtime '" + path.str() +
            "' is not a shared library: " + llvm::toString(file.takeError());
    return failure();
  }
  llvm::Triple::ArchType arch = file->getBinary()->getArch();
  if (arch == triple.getArch())
    return success();
  error = ("the OpenMP runtime '" + path + "' is a library for " +
           llvm::Triple::getArchTypeName(arch) + ", not for " +
           triple.getArchName() + " (" + triple.str() + ")")
              .str();
  return failure();
}

FailureOr<std::string> findOpenMPRuntime(const llvm::Triple &triple,
                                         StringRef requested,
                                         std::string &error) {
  std::string path = requested.str();
  if (path.empty() && isHostArchitecture(triple))
    path = GLU_LIBOMP_PATH;
  if (path.empty()) {
    std::string multiarch = getMultiarchName(triple);
    std::string candidates[] = {"/usr/lib/" + multiarch + "/libomp.so.5",
                                "/usr/" + multiarch + "/lib/libomp.so.5"};
    for (const std::string &candidate : candidates)
      if (llvm::sys::fs::exists(candidate)) {
        path = candidate;
        break;
      }
    if (path.empty()) {
      error = "the code runs in parallel with OpenMP but there is no OpenMP "
              "runtime for " +
              triple.str() + ": looked for " + candidates[0] + " and " +
              candidates[1] +
              " (scripts/setup.sh installs the one for aarch64; or pass "
              "--libomp=<libomp.so.5 of the target>)";
      return failure();
    }
  }
  if (!llvm::sys::fs::exists(path)) {
    error = "the code runs in parallel with OpenMP but the OpenMP runtime '" +
            path + "' does not exist" +
            (requested.empty() ? " (install libomp-22-dev)" : "");
    return failure();
  }
  if (failed(checkLibraryArchitecture(path, triple, error)))
    return failure();
  return path;
}

} // namespace glu
