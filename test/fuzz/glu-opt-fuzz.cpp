//===- glu-opt-fuzz.cpp - libFuzzer target: MLIR text through glu ---------===//
//
// Takes the input as MLIR text, parses and verifies it with glu-opt's
// dialects (every upstream dialect and extension, and ffn) and, if it is
// valid, runs glu's passes on it in-process:
//
//   1. glu-frontend-pipeline (tosa-to-linalg when there is TOSA, elementwise
//      to linalg, ffn-raise, ffn-pack-arguments, ffn-fuse, canonicalize,
//      cse), then the tensor-level half of a back end: glu-cpu-gemm,
//      convert-ffn-to-linalg, glu-cpu-gemm, glu-cpu-vectorize (or, for the
//      cuda target, glu-gpu-gemm around convert-ffn-to-linalg);
//   2. on the input as written: canonicalize (the ffn folders and
//      canonicalizers), convert-ffn-to-linalg (every op's reference
//      semantics), canonicalize.
//
// The fusion options (target, block size, keep-activations,
// pack-arguments, report) come from a hash of the input, so the corpus
// explores them and a crashing input reproduces exactly. The input and the
// results of both are printed (the ops' printers run).
//
// Inputs that crash upstream MLIR's parser (crashesUpstream) are skipped.
// Diagnostics are swallowed and a pass that fails is not a finding. A
// finding is a crash (a sanitizer report, an assertion, an unreachable, a
// fatal error), a time-out, a valid input whose printed form does not
// parse back, and a glu pass that succeeds but leaves IR that does not
// verify: the pass manager's own verifier is off, and every pass's result
// is verified here; after an upstream pass leaves invalid IR the rest of
// that pipeline is skipped (MLIR's bug, not glu's).
//
// test/fuzz/README.md says how to build it and run it.
//
//===----------------------------------------------------------------------===//

#include "dialect/FFNDialect.h"
#include "passes/Passes.h"
#include "passes/pipelines/FrontendPipeline.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassInstrumentation.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Transforms/Passes.h"

#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <cstdlib>

using namespace mlir;

namespace {

/// glu-opt's registry (tools/glu-opt/glu-opt.cpp), built once.
const DialectRegistry &gluRegistry() {
  static const DialectRegistry *registry = [] {
    auto *r = new DialectRegistry();
    registerAllDialects(*r);
    registerAllExtensions(*r);
    registerAllToLLVMIRTranslations(*r);
    r->insert<ffn::FFNDialect>();
    return r;
  }();
  return *registry;
}

/// Whether `pass` is one of glu's (ffn-*, glu-*, convert-ffn-to-linalg).
bool isGluPass(const Pass &pass) {
  StringRef arg = pass.getArgument();
  return arg.starts_with("ffn-") || arg.starts_with("glu-") ||
         arg == "convert-ffn-to-linalg";
}

/// Verifies the result of every pass that succeeded. Invalid IR after one
/// of glu's passes aborts (a finding); after an upstream pass it marks the
/// run `stopped`, and the action handler below skips the passes left.
struct VerifyEachPass : public PassInstrumentation {
  explicit VerifyEachPass(bool &stopped) : stopped(stopped) {}

  void runAfterPass(Pass *pass, Operation *op) override {
    if (stopped || succeeded(verify(op)))
      return;
    if (isGluPass(*pass)) {
      llvm::errs() << "glu-opt-fuzz: " << pass->getArgument()
                   << " succeeded but left IR that does not verify\n";
      abort();
    }
    stopped = true;
  }

  bool &stopped;
};

/// Runs the passes `build` adds on `module`, with every pass's result
/// verified (VerifyEachPass). Failures are expected and ignored.
template <typename BuildFn> void runPipeline(ModuleOp module, BuildFn build) {
  MLIRContext *context = module.getContext();
  bool stopped = false;
  context->registerActionHandler(
      [&](function_ref<void()> transform, const tracing::Action &action) {
        if (!stopped || !isa<PassExecutionAction>(action))
          transform();
      });
  PassManager pm(context, ModuleOp::getOperationName());
  pm.enableVerifier(false);
  pm.addInstrumentation(std::make_unique<VerifyEachPass>(stopped));
  build(pm);
  (void)pm.run(module);
  context->registerActionHandler(nullptr);
}

/// Whether `text`, after whitespace, starts with a well-formed list of
/// int64 values: `[]` or `[1, -2, 3]` (decimal, at most 18 digits each).
bool startsWithI64List(StringRef text) {
  text = text.ltrim();
  if (!text.consume_front("["))
    return false;
  if (text.ltrim().consume_front("]"))
    return true;
  while (true) {
    text = text.ltrim();
    text.consume_front("-");
    size_t digits = text.find_first_not_of("0123456789");
    if (digits == 0 || digits > 18 || digits == StringRef::npos)
      return false;
    text = text.drop_front(digits).ltrim();
    if (text.consume_front("]"))
      return true;
    if (!text.consume_front(","))
      return false;
  }
}

/// Inputs that crash upstream MLIR 22 before glu sees them, skipped
/// (test/fuzz/README.md): the custom parsers of linalg.transpose,
/// linalg.broadcast and linalg.reduce set a null attribute, and crash, when
/// `permutation =` or `dimensions =` is not followed by a list of integers.
/// Errs on the side of skipping: any such keyword and `=` not followed by
/// a plain integer list.
bool crashesUpstream(StringRef text) {
  for (StringRef keyword : {"permutation", "dimensions"}) {
    for (size_t pos = text.find(keyword); pos != StringRef::npos;
         pos = text.find(keyword, pos)) {
      pos += keyword.size();
      StringRef rest = text.drop_front(pos).ltrim();
      if (rest.consume_front("=") && !startsWithI64List(rest))
        return true;
    }
  }
  return false;
}

/// The module's custom assembly (the ops' printers run).
std::string print(ModuleOp module) {
  std::string text;
  llvm::raw_string_ostream os(text);
  module.print(os);
  return text;
}

/// Parses `text` as a module in `context`; null if it does not parse or
/// verify.
OwningOpRef<ModuleOp> parse(StringRef text, MLIRContext *context) {
  // A copy, so that the buffer ends with the NUL the lexer looks for.
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(text, "fuzz.mlir"), llvm::SMLoc());
  OwningOpRef<ModuleOp> module =
      parseSourceFile<ModuleOp>(sourceMgr, ParserConfig(context));
  if (module && failed(verify(*module)))
    return nullptr;
  return module;
}

/// FNV-1a: the fusion options of an input.
uint64_t hashBytes(const uint8_t *data, size_t size) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < size; ++i)
    h = (h ^ data[i]) * 0x100000001b3ull;
  return h;
}

void runGluPasses(ModuleOp module, uint64_t hash) {
  bool hasTosa = false;
  module.walk([&](Operation *op) {
    if (isa<tosa::TosaDialect>(op->getDialect()))
      hasTosa = true;
  });
  bool cuda = hash & 1;
  static constexpr int64_t blockSizes[] = {0, 1, 3, 16, 64, 128};
  int64_t blockSize = blockSizes[(hash >> 1) % std::size(blockSizes)];
  bool keepActivations = (hash >> 8) & 1;
  bool packArguments = (hash >> 9) & 1;
  bool report = (hash >> 10) & 1;

  // 1. What glu-compile runs, to the back end's tensor-level passes.
  OwningOpRef<ModuleOp> compiled = module.clone();
  runPipeline(*compiled, [&](OpPassManager &pm) {
    ffn::FrontendPipelineOptions frontend;
    frontend.lowerTosa = hasTosa;
    frontend.target = cuda ? ffn::Target::Cuda : ffn::Target::Cpu;
    frontend.blockSize = blockSize;
    frontend.keepActivations = keepActivations;
    frontend.packArguments = packArguments;
    frontend.report = report;
    ffn::buildFrontendPipeline(pm, frontend);
    if (cuda) {
      pm.addPass(ffn::createGluGpuGemm());
      pm.addPass(ffn::createConvertFFNToLinalg());
      pm.addPass(ffn::createGluGpuGemm());
      pm.addPass(createCanonicalizerPass());
      return;
    }
    pm.addPass(ffn::createGluCpuGemm());
    pm.addPass(ffn::createConvertFFNToLinalg());
    pm.addPass(createCanonicalizerPass());
    pm.addPass(ffn::createGluCpuGemm());
    pm.addNestedPass<func::FuncOp>(ffn::createGluCpuVectorize());
  });
  (void)print(*compiled);

  // 2. The folders, canonicalizers and reference semantics of the ops as
  // written (fused ops included).
  runPipeline(module, [&](OpPassManager &pm) {
    pm.addPass(createCanonicalizerPass());
    pm.addPass(ffn::createConvertFFNToLinalg());
    pm.addPass(createCanonicalizerPass());
  });
  (void)print(module);
}

} // namespace

/// ASan's options unless ASAN_OPTIONS says otherwise: LLVM's arena
/// allocators poison and unpoison their slabs by hand in inline code, which
/// is instrumented in glu's objects and not in Debian's libMLIR.so, so a slab
/// poisoned by one and handed out by the other reads as use-after-poison.
/// Manual poisoning is ignored; every other check stays.
extern "C" __attribute__((no_sanitize("address", "undefined"), used,
                          visibility("default"))) const char *
__asan_default_options() {
  return "allow_user_poisoning=0";
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  MLIRContext context(gluRegistry(), MLIRContext::Threading::DISABLED);
  // Swallow every diagnostic: parse errors, verifier errors, pass errors.
  ScopedDiagnosticHandler quiet(&context, [](Diagnostic &) {});

  StringRef text(reinterpret_cast<const char *>(data), size);
  if (crashesUpstream(text))
    return 0;
  OwningOpRef<ModuleOp> module = parse(text, &context);
  if (!module)
    return 0;
  // What prints must parse back (a printer or parser of ffn's that
  // disagree, say).
  if (!parse(print(*module), &context)) {
    llvm::errs() << "glu-opt-fuzz: the printed module does not parse back\n";
    abort();
  }
  runGluPasses(*module, hashBytes(data, size));
  return 0;
}
