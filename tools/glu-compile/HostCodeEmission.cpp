//===- HostCodeEmission.cpp - LLVM dialect to a shared library ------------===//

#include "HostCodeEmission.h"
#include "CodeTarget.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"
#include "llvm/TargetParser/Triple.h"

using namespace mlir;

namespace glu {

static std::unique_ptr<llvm::TargetMachine>
createHostTargetMachine(const HostCodeOptions &options, std::string &error) {
  initializeLLVMTargets();
  llvm::Triple triple(options.triple.empty() ? llvm::sys::getProcessTriple()
                                             : options.triple);
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return nullptr;
  std::string cpu = options.cpu;
  llvm::SubtargetFeatures features;
  if (cpu == "native") {
    cpu = llvm::sys::getHostCPUName().str();
    for (const auto &feature : llvm::sys::getHostCPUFeatures())
      features.AddFeature(feature.first(), feature.second);
  }
  llvm::TargetOptions targetOptions;
  // Constructors (the cuda target loads its kernels from one) must go to
  // .init_array: glibc does not run .ctors.
  targetOptions.UseInitArray = true;
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, cpu, features.getString(), targetOptions, llvm::Reloc::PIC_,
      std::nullopt, llvm::CodeGenOptLevel::Aggressive));
  if (!machine)
    error = "cannot create a target machine for " + triple.str() + " " + cpu;
  return machine;
}

FailureOr<mlir::ffn::CpuVectorConfig>
getHostVectorConfig(const HostCodeOptions &options, std::string &error) {
  std::unique_ptr<llvm::TargetMachine> machine =
      createHostTargetMachine(options, error);
  if (!machine)
    return failure();
  const llvm::MCSubtargetInfo *info = machine->getMCSubtargetInfo();
  return mlir::ffn::selectCpuVectorConfig(
      machine->getTargetTriple(), [&](llvm::StringRef feature) {
        return info->checkFeatures(("+" + feature).str());
      });
}

LogicalResult emitObjectFile(ModuleOp module, const HostCodeOptions &options,
                             StringRef objectPath, bool &usesOpenMP,
                             std::string &error) {
  std::unique_ptr<llvm::TargetMachine> machine =
      createHostTargetMachine(options, error);
  if (!machine)
    return failure();

  llvm::LLVMContext context;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, context, "glu_model");
  if (!llvmModule) {
    error = "cannot translate the lowered module to LLVM IR";
    return failure();
  }
  llvmModule->setTargetTriple(machine->getTargetTriple());
  llvmModule->setDataLayout(machine->createDataLayout());

  auto optimize = makeOptimizingTransformer(options.optLevel, /*sizeLevel=*/0,
                                            machine.get());
  if (llvm::Error err = optimize(llvmModule.get())) {
    error = "LLVM optimization failed: " + llvm::toString(std::move(err));
    return failure();
  }
  usesOpenMP = false;
  for (llvm::Function &function : *llvmModule)
    if (function.isDeclaration() && function.getName().starts_with("__kmpc_"))
      usesOpenMP = true;

  if (!options.llvmIRPath.empty()) {
    std::error_code ec;
    llvm::raw_fd_ostream os(options.llvmIRPath, ec);
    if (ec) {
      error = "cannot write " + options.llvmIRPath + ": " + ec.message();
      return failure();
    }
    llvmModule->print(os, nullptr);
  }

  std::error_code ec;
  llvm::ToolOutputFile object(objectPath, ec, llvm::sys::fs::OF_None);
  if (ec) {
    error = "cannot write " + objectPath.str() + ": " + ec.message();
    return failure();
  }
  llvm::legacy::PassManager codegen;
  if (machine->addPassesToEmitFile(codegen, object.os(), nullptr,
                                   llvm::CodeGenFileType::ObjectFile)) {
    error = "the target cannot emit object files";
    return failure();
  }
  codegen.run(*llvmModule);
  object.keep();
  return success();
}

/// The linker driver: clang with lld, else the system C compiler.
static std::optional<std::string> findLinkerDriver(bool &withLld) {
  for (StringRef name : {"clang-22", "clang"}) {
    if (auto path = llvm::sys::findProgramByName(name)) {
      withLld = static_cast<bool>(llvm::sys::findProgramByName("ld.lld-22")) ||
                static_cast<bool>(llvm::sys::findProgramByName("ld.lld"));
      return *path;
    }
  }
  for (StringRef name : {"cc", "gcc"})
    if (auto path = llvm::sys::findProgramByName(name)) {
      withLld = false;
      return *path;
    }
  return std::nullopt;
}

LogicalResult linkSharedLibrary(const llvm::Triple &triple,
                                StringRef objectPath, StringRef libraryPath,
                                ArrayRef<std::string> extraLibraries,
                                std::string &error) {
  bool withLld = false;
  std::optional<std::string> driver = findLinkerDriver(withLld);
  bool cross = !isHostArchitecture(triple);
  if (!driver || (cross && !withLld)) {
    error = cross ? "linking for " + triple.str() +
                        " needs clang-22 and lld-22 (no linker for it found)"
                  : "no linker found: install clang-22 and lld-22 (or a C "
                    "compiler)";
    return failure();
  }
  SmallVector<std::string> args = {*driver};
  // Another architecture's libc is not needed: -nostdlib links no start
  // files and no libc, and leaves the C library functions the code calls
  // (malloc, free, memcpy, libm's) undefined for the loader, which finds
  // them in libomp.so.5's libc or in the process that loads the artifact.
  if (cross)
    args.append({"--target=" + triple.str(), "-nostdlib"});
  args.append({"-shared", "-o", libraryPath.str(), objectPath.str(),
               "-Wl,-rpath,$ORIGIN", "-Wl,--enable-new-dtags"});
  if (withLld)
    args.push_back("-fuse-ld=lld");
  for (const std::string &library : extraLibraries)
    args.push_back(library);
  if (!cross)
    args.push_back("-lm");
  SmallVector<StringRef> argRefs(args.begin(), args.end());

  SmallString<128> logPath;
  if (std::error_code ec =
          llvm::sys::fs::createTemporaryFile("glu-link", "log", logPath)) {
    error = "cannot create a temporary file: " + ec.message();
    return failure();
  }
  std::optional<StringRef> redirects[] = {std::nullopt, logPath.str(),
                                          logPath.str()};
  std::string execError;
  int status = llvm::sys::ExecuteAndWait(*driver, argRefs, std::nullopt,
                                         redirects, 0, 0, &execError);
  auto log = llvm::MemoryBuffer::getFile(logPath);
  llvm::sys::fs::remove(logPath);
  if (status != 0) {
    error = "linking " + libraryPath.str() + " with " + *driver + " failed";
    if (!execError.empty())
      error += ": " + execError;
    if (log)
      error += "\n" + (*log)->getBuffer().str();
    return failure();
  }
  return success();
}

} // namespace glu
