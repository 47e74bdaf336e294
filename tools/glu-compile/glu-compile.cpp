//===- glu-compile.cpp - compile a model to a glu artifact ----------------===//
//
// glu-compile model.mlir -o out/ [--target=cpu|cuda] [--no-fuse] ...
//
// Reads linalg, tosa or ffn IR, raises the feed-forward layers to ffn ops,
// fuses them (unless --no-fuse), lowers with glu-cpu-pipeline or
// glu-cuda-pipeline, emits an object for this machine (or, for the cpu
// target, --target-triple's) in-process, links it into out/model.so and
// writes out/manifest.json (docs/artifact-format.md).
// The directory is written next to `out` and moved into place at the end
// (ArtifactDirectory.h): a failed or interrupted compilation leaves `out`
// untouched, and glu-compile replaces nothing but an artifact it wrote, that
// only with --force.
//
//===----------------------------------------------------------------------===//

#include "ArtifactDirectory.h"
#include "ArtifactManifest.h"
#include "CodeTarget.h"
#include "HostCodeEmission.h"
#include "glu/ArtifactAbi.h"

#include "dialect/FFNDialect.h"
#include "passes/Passes.h"
#include "passes/pipelines/CpuPipeline.h"
#include "passes/pipelines/CudaPipeline.h"
#include "passes/pipelines/FrontendPipeline.h"
#include "passes/pipelines/Pipelines.h"
#include "passes/utils/DebugOptions.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SHA256.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
namespace cl = llvm::cl;

static cl::OptionCategory category("glu-compile options");

static cl::opt<std::string> inputPath(cl::Positional, cl::Required,
                                      cl::desc("<input .mlir>"),
                                      cl::cat(category));
static cl::opt<std::string> outputDir("o", cl::Required,
                                      cl::desc("The artifact directory"),
                                      cl::value_desc("dir"), cl::cat(category));
static cl::opt<bool>
    force("force", cl::init(false),
          cl::desc("Replace the artifact already in the output directory"),
          cl::cat(category));
static cl::opt<std::string>
    target("target", cl::init("cpu"),
           cl::desc("What the artifact runs on: cpu or cuda"),
           cl::cat(category));
static cl::opt<bool> noFuse("no-fuse", cl::init(false),
                            cl::desc("Skip ffn-fuse: the unfused baseline"),
                            cl::cat(category));
static cl::opt<bool> noRaise("no-raise", cl::init(false),
                             cl::desc("Skip ffn-raise (and so the fusion of "
                                      "layers written as linalg)"),
                             cl::cat(category));
static cl::opt<int64_t>
    blockSize("block-size", cl::init(0),
              cl::desc("Columns per packed block (0: the target's default)"),
              cl::cat(category));
static cl::opt<bool> keepActivations(
    "keep-activations", cl::init(true),
    cl::desc("A backward in the same function as its forward reads the "
             "[a | b] the forward computed instead of recomputing it with "
             "one more GEMM (=false recomputes)"),
    cl::cat(category));
static cl::opt<bool> packArguments(
    "pack-arguments", cl::init(false),
    cl::desc("Take gate/linear weight pairs as one packed argument"),
    cl::cat(category));
static cl::opt<bool> bf16Gemms(
    "bf16-gemms", cl::init(false),
    cl::desc("Mixed precision: f32 layers and matmuls compute on bf16 "
             "copies of their operands with f32 accumulation (ffn-bf16-gemms; "
             "the tensor cores on cuda); arguments, results and everything "
             "else stay f32"),
    cl::cat(category));
static cl::opt<bool>
    tf32("tf32", cl::init(false),
         cl::desc("cuda: f32 GEMMs on the tensor cores as tf32 (10-bit "
                  "mantissa products, f32 accumulation) instead of exact "
                  "FP32 (glu-cuda-pipeline's tf32)"),
         cl::cat(category));
static cl::opt<std::string>
    chip("chip", cl::init("sm_80"),
         cl::desc("cuda: the GPU architecture of the PTX (sm_80, sm_90a)"),
         cl::cat(category));
static cl::opt<std::string> targetTriple(
    "target-triple", cl::init(""),
    cl::desc("cpu: the Linux triple the code is compiled for (default: this "
             "machine's; aarch64-linux-gnu cross-compiles)"),
    cl::cat(category));
static cl::opt<std::string>
    hostCpu("cpu", cl::init("native"),
            cl::desc("The CPU the code is tuned for (native, x86-64-v3, "
                     "sapphirerapids, ...; with another architecture's "
                     "--target-triple: generic, neoverse-n1, ...)"),
            cl::cat(category));
static cl::opt<std::string> libompPath(
    "libomp", cl::init(""),
    cl::desc("cpu: the OpenMP runtime (libomp.so.5) of the target the "
             "artifact carries (default: glu's for this machine, Debian's "
             "multiarch or cross folder for another architecture)"),
    cl::cat(category));
static cl::opt<std::string> pipelineOptions(
    "pipeline-options", cl::init(""),
    cl::desc("Extra options of glu-<target>-pipeline, e.g. 'gemm=reference'"),
    cl::cat(category));
static cl::opt<std::string> loweringPipeline(
    "lowering-pipeline", cl::init(""),
    cl::desc("Replace glu-<target>-pipeline by this list of module passes "
             "(it must end in the LLVM dialect with glu-emit-entry-points)"),
    cl::cat(category));
static cl::opt<bool>
    saveTemps("save-temps", cl::init(false),
              cl::desc("Also write fused.mlir, lowered.mlir, model.ll and "
                       "pipeline.txt (the two pipelines run, as glu-opt "
                       "takes them) into the artifact"),
              cl::cat(category));
static cl::opt<bool>
    report("report", cl::init(false),
           cl::desc("Remarks for each raised and fused layer, and for "
                    "each contraction left to scalar loops"),
           cl::cat(category));

static constexpr StringLiteral kLibraryName = GLU_LIBRARY_FILE;

static void registerEverything(DialectRegistry &registry) {
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerAllToLLVMIRTranslations(registry);
  NVVM::registerNVVMTargetInterfaceExternalModels(registry);
  registry.insert<ffn::FFNDialect>();
}

/// Sets the options of glu-frontend-pipeline for this compilation.
static void setFrontendOptions(ModuleOp module, ffn::Target target,
                               ffn::FrontendPipelineOptions &options) {
  bool hasTosa = false;
  module.walk([&](Operation *op) {
    if (isa<tosa::TosaDialect>(op->getDialect()))
      hasTosa = true;
  });
  options.lowerTosa = hasTosa;
  options.raise = !noRaise;
  options.fuse = !noFuse;
  options.target = target;
  options.blockSize = blockSize;
  options.keepActivations = keepActivations;
  options.packArguments = packArguments;
  options.bf16Gemms = bf16Gemms;
  options.report = report;
}

/// Adds the back end's pipeline: --lowering-pipeline when given, else
/// glu-<target>-pipeline with --pipeline-options (and --chip).
static LogicalResult addLoweringPipeline(OpPassManager &pm, ffn::Target target,
                                         const glu::HostCodeOptions &host) {
  if (!loweringPipeline.empty())
    return parsePassPipeline(loweringPipeline, pm, llvm::errs());
  auto reportBadOptions = [&]() {
    llvm::errs() << "glu-compile: invalid --pipeline-options '"
                 << pipelineOptions << "' for glu-"
                 << ffn::stringifyTarget(target) << "-pipeline\n";
    return failure();
  };
  if (target == ffn::Target::Cpu) {
    // The vector shape of the CPU compiled for, unless the options set it.
    std::string error;
    FailureOr<ffn::CpuVectorConfig> config =
        glu::getHostVectorConfig(host, error);
    if (failed(config)) {
      llvm::errs() << "glu-compile: " << error << "\n";
      return failure();
    }
    std::string configOptions = config->getPipelineOptions(), cpuOptions;
    for (StringRef option : llvm::split(configOptions, ' '))
      if (!StringRef(pipelineOptions).contains(option.take_until([](char c) {
            return c == '=';
          })))
        cpuOptions += option.str() + " ";
    if (report) {
      llvm::errs() << "glu-compile: --target-triple=" << host.triple
                   << " --cpu=" << host.cpu << ": " << config->extension << ", "
                   << cpuOptions << "\n";
      // Remarks on contractions no generated GEMM takes.
      cpuOptions += "report=true ";
    }
    auto options =
        ffn::CpuPipelineOptions::createFromString(cpuOptions + pipelineOptions);
    if (!options)
      return reportBadOptions();
    ffn::buildCpuPipeline(pm, *options);
    return success();
  }
  auto options = ffn::CudaPipelineOptions::createFromString(
      "chip=" + chip + (tf32 ? " tf32=true " : " ") + pipelineOptions);
  if (!options)
    return reportBadOptions();
  ffn::buildCudaPipeline(pm, *options);
  return success();
}

/// Runs the passes `build` adds on the module; with --save-temps, appends
/// their textual form to `pipelineLog`.
static LogicalResult
runPipeline(ModuleOp module, std::string *pipelineLog,
            function_ref<LogicalResult(OpPassManager &)> build) {
  PassManager pm(module.getContext(), ModuleOp::getOperationName());
  if (failed(applyPassManagerCLOptions(pm)) || failed(build(pm)))
    return failure();
  if (pipelineLog) {
    llvm::raw_string_ostream os(*pipelineLog);
    pm.printAsTextualPipeline(os);
    os << "\n";
  }
  return pm.run(module);
}

static LogicalResult writeText(StringRef path,
                               llvm::function_ref<void(raw_ostream &)> write) {
  std::string error;
  auto file = openOutputFile(path, &error);
  if (!file) {
    llvm::errs() << "glu-compile: " << error << "\n";
    return failure();
  }
  write(file->os());
  file->keep();
  return success();
}

static LogicalResult compile(MLIRContext &context, StringRef staging,
                             ffn::Target target,
                             const glu::HostCodeOptions &host) {
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  std::string error;
  auto input = openInputFile(inputPath, &error);
  if (!input) {
    llvm::errs() << "glu-compile: " << error << "\n";
    return failure();
  }
  sourceMgr.AddNewSourceBuffer(std::move(input), llvm::SMLoc());
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  if (!module)
    return failure();

  // The two halves are the named pipelines glu-frontend-pipeline and
  // glu-<target>-pipeline; --save-temps records them in pipeline.txt.
  std::string pipelineLog;
  std::string *log = saveTemps ? &pipelineLog : nullptr;
  ffn::FrontendPipelineOptions frontend;
  setFrontendOptions(*module, target, frontend);
  if (failed(runPipeline(*module, log, [&](OpPassManager &pm) {
        ffn::buildFrontendPipeline(pm, frontend);
        return success();
      })))
    return failure();
  if (saveTemps &&
      failed(writeText((staging + "/fused.mlir").str(),
                       [&](raw_ostream &os) { module->print(os); })))
    return failure();

  FailureOr<std::vector<glu::EntryPointSpec>> entries =
      glu::collectEntryPoints(*module);
  if (failed(entries))
    return failure();

  if (failed(runPipeline(*module, log, [&](OpPassManager &pm) {
        return addLoweringPipeline(pm, target, host);
      })))
    return failure();
  if (saveTemps &&
      (failed(writeText((staging + "/lowered.mlir").str(),
                        [&](raw_ostream &os) { module->print(os); })) ||
       failed(writeText((staging + "/pipeline.txt").str(),
                        [&](raw_ostream &os) { os << pipelineLog; }))))
    return failure();

  if (failed(glu::recordInPlaceResults(*module, *entries)) ||
      failed(glu::embedEntrySignatures(*module, target, *entries)))
    return failure();

  glu::HostCodeOptions hostOptions = host;
  if (saveTemps)
    hostOptions.llvmIRPath = (staging + "/model.ll").str();
  std::string objectPath = (staging + "/model.o").str();
  bool usesOpenMP = false;
  if (failed(glu::emitObjectFile(*module, hostOptions, objectPath, usesOpenMP,
                                 error))) {
    llvm::errs() << "glu-compile: " << error << "\n";
    return failure();
  }

  // The OpenMP runtime of the target travels with the artifact.
  llvm::Triple triple(host.triple);
  std::vector<std::string> libraries;
  if (usesOpenMP) {
    FailureOr<std::string> libomp =
        glu::findOpenMPRuntime(triple, libompPath, error);
    if (failed(libomp)) {
      llvm::errs() << "glu-compile: " << error << "\n";
      return failure();
    }
    std::string copy = (staging + "/libomp.so.5").str();
    if (std::error_code ec = llvm::sys::fs::copy_file(*libomp, copy)) {
      llvm::errs() << "glu-compile: the code runs in parallel with OpenMP but "
                   << *libomp << " cannot be copied: " << ec.message() << "\n";
      return failure();
    }
    libraries.push_back(copy);
  }
  if (failed(glu::linkSharedLibrary(triple, objectPath,
                                    (staging + "/" + kLibraryName).str(),
                                    libraries, error))) {
    llvm::errs() << "glu-compile: " << error << "\n";
    return failure();
  }
  if (!saveTemps)
    llvm::sys::fs::remove(objectPath);

  // The runtime checks the library against these before it loads it.
  std::string libraryPath = (staging + "/" + kLibraryName).str();
  auto library = llvm::MemoryBuffer::getFile(libraryPath);
  if (!library) {
    llvm::errs() << "glu-compile: cannot read " << libraryPath << ": "
                 << library.getError().message() << "\n";
    return failure();
  }

  glu::ManifestInfo info;
  info.target = target;
  info.library = kLibraryName.str();
  info.source = llvm::sys::path::filename(inputPath).str();
  info.fused = !noFuse;
  info.chip = chip;
  info.triple = host.triple;
  info.entryPoints = std::move(*entries);
  info.libraryBytes = (*library)->getBufferSize();
  info.librarySha256 = llvm::toHex(
      llvm::SHA256::hash(llvm::arrayRefFromStringRef((*library)->getBuffer())),
      /*LowerCase=*/true);
  return writeText((staging + "/manifest.json").str(), [&](raw_ostream &os) {
    os << llvm::formatv("{0:2}", glu::toJSON(info)) << "\n";
  });
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  registerAllPasses();
  ffn::registerGluPasses();
  ffn::registerGluPipelines();
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  ffn::registerDebugOptions();
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "glu-compile: compile linalg, tosa or ffn IR to a glu artifact "
      "(model.so + manifest.json)\n");

  std::optional<ffn::Target> parsedTarget = ffn::parseTarget(target);
  if (!parsedTarget) {
    llvm::errs() << "glu-compile: unknown target '" << target
                 << "' (expected cpu or cuda)\n";
    return 1;
  }
  // The cuda target's host code runs beside the driver on this machine.
  if (*parsedTarget != ffn::Target::Cpu && !targetTriple.empty()) {
    llvm::errs() << "glu-compile: --target-triple applies to --target=cpu "
                    "only; --target="
                 << target << " compiles its host code for this machine\n";
    return 1;
  }
  // Unknown triples and processors are errors before anything is compiled
  // (LLVM would warn, then abort deep in code generation).
  std::string targetError;
  FailureOr<llvm::Triple> triple =
      glu::resolveTargetTriple(targetTriple, targetError);
  glu::HostCodeOptions host;
  if (succeeded(triple)) {
    host.triple = triple->str();
    // Another architecture's code is tuned for its generic processor
    // unless --cpu names one; native is this machine.
    host.cpu = hostCpu.getNumOccurrences() || glu::isHostArchitecture(*triple)
                   ? hostCpu.getValue()
                   : "generic";
  }
  if (failed(triple) ||
      failed(glu::checkTargetCpu(*triple, host.cpu, targetError)) ||
      (*parsedTarget == ffn::Target::Cuda &&
       failed(glu::checkCudaChip(chip, targetError)))) {
    llvm::errs() << "glu-compile: " << targetError << "\n";
    return 1;
  }
  if (tf32 && *parsedTarget != ffn::Target::Cuda) {
    llvm::errs() << "glu-compile: --tf32 is for --target=cuda (the tensor "
                    "cores); the cpu target computes f32 exactly\n";
    return 1;
  }

  DialectRegistry registry;
  registerEverything(registry);
  MLIRContext context(registry);
  // Errors name the op by its location; the lowered op itself (LLVM dialect
  // by the end) would only bury the message.
  context.printOpOnDiagnostic(false);
  context.loadAllAvailableDialects();

  // Build next to the destination, then move into place.
  std::string error;
  std::unique_ptr<glu::ArtifactDirectory> artifact =
      glu::ArtifactDirectory::create(outputDir, force, error);
  if (!artifact) {
    llvm::errs() << "glu-compile: " << error << "\n";
    return 1;
  }
  if (failed(compile(context, artifact->getStagingPath(), *parsedTarget, host)))
    return 1;
  if (failed(artifact->install(error))) {
    llvm::errs() << "glu-compile: " << error << "\n";
    return 1;
  }
  return 0;
}
