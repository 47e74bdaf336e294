//===- GpuKernelEmulationTest.cpp - tensor-core kernels run on the CPU ----===//
//
// Every fused op glu-gpu-gemm turns into a tensor-core kernel (the gated
// and activated GEMMs with their epilogues, the dgate and dactivation
// GEMMs, the packed dx and d[W | V] GEMMs, the down projection, the plain
// matmuls of the unfused path) runs in the kernel emulator (test/emulator)
// in bf16 and f16, at the awkward shapes of the GPU check (M = 1, 67, 130;
// d_ff 45 in ragged 16-column blocks with rows that are not 16-byte
// aligned, d_ff 200 aligned), and is compared with convert-ffn-to-linalg's
// reference run by the same interpreter on the same inputs. The emulator
// follows PTX's definitions of ldmatrix, mma.sync and wgmma and reports
// races, unsynchronized cp.async reads, wgmma operands not fenced for the
// async proxy or overwritten in flight, and out-of-bounds accesses, and
// counts the shared-memory bank wavefronts of the copies and loads. The
// sm_90a kernels (glu-gpu-gemm wgmma) run the same layers. The last tests
// break a kernel on purpose and check that the emulator notices.
//
//===----------------------------------------------------------------------===//

#include "KernelEmulator.h"
#include "ScalarSemantics.h"
#include "SharedMemoryHazards.h"
#include "WarpgroupMma.h"

#include "dialect/FFNDialect.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <random>
#include <string>
#include <vector>

using namespace mlir;
using glu::emulator::KernelEmulator;
using glu::emulator::View;

namespace {

//===----------------------------------------------------------------------===//
// Layers, as the GPU check's harness writes them (test/cuda/gpu-check)
//===----------------------------------------------------------------------===//

std::string tensorType(std::vector<int64_t> shape, const std::string &dtype) {
  std::string s = "tensor<";
  for (int64_t d : shape)
    s += std::to_string(d) + "x";
  return s + dtype + ">";
}

struct Named {
  std::string name, type;
};

std::string join(const std::vector<Named> &values, bool withTypes,
                 bool onlyTypes = false) {
  std::string s;
  for (const Named &v : values) {
    if (!s.empty())
      s += ", ";
    s += onlyTypes ? v.type : "%" + v.name + (withTypes ? ": " + v.type : "");
  }
  return s;
}

/// An ffn.glu / ffn.ffn layer (or its _grad) of `dtype` as @layer.
std::string layer(const std::string &kind, const std::string &activation,
                  int64_t m, int64_t k, int64_t f, bool backward, bool bias,
                  const std::string &dtype) {
  bool gated = kind == "glu";
  auto t = [&](std::vector<int64_t> shape) { return tensorType(shape, dtype); };
  std::vector<Named> ins = {{"x", t({m, k})}};
  if (gated) {
    ins.push_back({"w", t({k, f})});
    ins.push_back({"v", t({k, f})});
  } else {
    ins.push_back({"w1", t({k, f})});
  }
  ins.push_back({"w2", t({f, k})});
  if (backward)
    ins.push_back({"dy", t({m, k})});
  std::vector<Named> biases;
  if (bias) {
    if (gated)
      biases = {{"b", t({f})}, {"c", t({f})}};
    else
      biases = {{"b1", t({f})}};
    biases.push_back({"b2", t({k})});
  }
  std::vector<Named> all = ins;
  all.insert(all.end(), biases.begin(), biases.end());
  std::vector<Named> outs;
  if (backward) {
    outs.push_back({"dx", t({m, k})});
    for (size_t i = 1; i + 1 < ins.size(); ++i)
      outs.push_back({"d" + ins[i].name, ins[i].type});
    for (const Named &b : biases)
      outs.push_back({"d" + b.name, b.type});
  } else {
    outs.push_back({"y", t({m, k})});
  }
  std::string operands = join(ins, false);
  for (const Named &b : biases)
    operands += " " + b.name + "(%" + b.name + ")";
  std::string results = join(outs, false),
              resultTypes = join(outs, false, true);
  return "func.func @layer(" + join(all, true) + ") -> (" + resultTypes +
         ") {\n  " + results + " = ffn." + kind + (backward ? "_grad " : " ") +
         activation + " " + operands + " : (" + join(all, false, true) +
         ") -> (" + resultTypes + ")\n  return " + results + " : " +
         resultTypes + "\n}\n";
}

/// A train step: the forward and the gradient of one layer (with biases
/// on both projections when `bias`).
std::string trainStep(const std::string &kind, const std::string &activation,
                      int64_t m, int64_t k, int64_t f, const std::string &dtype,
                      bool bias = false) {
  bool gated = kind == "glu";
  auto t = [&](std::vector<int64_t> shape) { return tensorType(shape, dtype); };
  std::vector<Named> forward = {{"x", t({m, k})}};
  if (gated) {
    forward.push_back({"w", t({k, f})});
    forward.push_back({"v", t({k, f})});
  } else {
    forward.push_back({"w1", t({k, f})});
  }
  forward.push_back({"w2", t({f, k})});
  std::vector<Named> biases;
  if (bias) {
    if (gated)
      biases = {{"b", t({f})}, {"c", t({f})}};
    else
      biases = {{"b1", t({f})}};
    biases.push_back({"b2", t({k})});
  }
  std::string biasOperands;
  for (const Named &b : biases)
    biasOperands += " " + b.name + "(%" + b.name + ")";
  std::vector<Named> ins = forward;
  ins.push_back({"dy", t({m, k})});
  std::vector<Named> forwardTyped = forward, insTyped = ins, arguments = ins;
  forwardTyped.insert(forwardTyped.end(), biases.begin(), biases.end());
  insTyped.insert(insTyped.end(), biases.begin(), biases.end());
  arguments.insert(arguments.end(), biases.begin(), biases.end());
  std::vector<Named> grads = {{"dx", t({m, k})}};
  for (size_t i = 1; i < forward.size(); ++i)
    grads.push_back({"d" + forward[i].name, forward[i].type});
  for (const Named &b : biases)
    grads.push_back({"d" + b.name, b.type});
  std::vector<Named> outs = {{"y", t({m, k})}};
  outs.insert(outs.end(), grads.begin(), grads.end());
  std::string resultTypes = join(outs, false, true);
  return "func.func @layer(" + join(arguments, true) + ") -> (" + resultTypes +
         ") {\n  %y = ffn." + kind + " " + activation + " " +
         join(forward, false) + biasOperands + " : (" +
         join(forwardTyped, false, true) + ") -> " + t({m, k}) + "\n  " +
         join(grads, false) + " = ffn." + kind + "_grad " + activation + " " +
         join(ins, false) + biasOperands + " : (" +
         join(insTyped, false, true) + ") -> (" + join(grads, false, true) +
         ")\n  return " + join(outs, false) + " : " + resultTypes + "\n}\n";
}

//===----------------------------------------------------------------------===//
// The fixture
//===----------------------------------------------------------------------===//

/// How close the kernels' results must be to the reference's. Both round
/// to the 16-bit type where the reference materializes a tensor; they
/// differ in the f32 accumulation order, which moves a sum by a few f32
/// ulps and so, rarely, a rounding to bf16 by one bf16 ulp (2^-8), which
/// later GEMMs spread thinly. A layout or synchronization mistake moves
/// results by O(max |ref|); a missing or extra rounding step moves most
/// elements by an ulp, which the share of bit-identical elements catches.
struct Tolerance {
  double ofMax = 1.0 / 64, relative = 1.0 / 128;
  double minExactShare = 0.9;
};

class GpuKernelEmulationTest : public ::testing::Test {
protected:
  GpuKernelEmulationTest()
      : handler(&context, [this](Diagnostic &diag) {
          diagnostics += diag.str() + "\n";
          return success();
        }) {
    static bool registered = [] {
      registerAllPasses();
      ffn::registerGluPasses();
      return true;
    }();
    (void)registered;
    DialectRegistry registry;
    registerAllDialects(registry);
    registerAllExtensions(registry);
    registry.insert<ffn::FFNDialect>();
    context.appendDialectRegistry(registry);
    context.loadAllAvailableDialects();
  }

  OwningOpRef<ModuleOp> compile(const std::string &source,
                                const std::string &pipeline) {
    OwningOpRef<ModuleOp> module =
        parseSourceString<ModuleOp>(source, &context);
    if (!module)
      return nullptr;
    PassManager pm(&context, ModuleOp::getOperationName());
    if (failed(parsePassPipeline(pipeline, pm)) || failed(pm.run(*module)))
      return nullptr;
    return module;
  }

  /// ffn-fuse with `fuseOptions`, or nothing for the unfused path; first
  /// ffn-bf16-gemms when `bf16Gemms` is set.
  std::string fusion(const std::string &fuseOptions, bool fuse) const {
    return std::string(bf16Gemms ? "ffn-bf16-gemms," : "") +
           (fuse ? "ffn-fuse{" + fuseOptions + "}," : "");
  }

  /// The kernels: glu-cuda-pipeline's steps 1-2 as sm_80 (sm_90a when
  /// `wgmma`) gets them.
  OwningOpRef<ModuleOp> compileKernels(const std::string &source,
                                       const std::string &fuseOptions,
                                       bool fuse = true) {
    std::string gemm = std::string("glu-gpu-gemm{tf32=") +
                       (tf32 ? "true" : "false") +
                       " wgmma=" + (wgmma ? "true" : "false") + "},";
    return compile(source, fusion(fuseOptions, fuse) + gemm +
                               "convert-ffn-to-linalg," + gemm +
                               "linalg-generalize-named-ops");
  }

  /// convert-ffn-to-linalg's reference semantics, after the same passes
  /// as the kernels when `fuseOptions` is given, of the layer as written
  /// otherwise.
  OwningOpRef<ModuleOp> compileReference(const std::string &source,
                                         const std::string &fuseOptions = "",
                                         bool fuse = false) {
    bool asWritten = fuseOptions.empty() && !fuse;
    return compile(source,
                   (asWritten ? std::string() : fusion(fuseOptions, fuse)) +
                       "convert-ffn-to-linalg,linalg-generalize-named-ops");
  }

  /// Inputs for @layer: uniform in [-1, 1) (weights [-1/2, 1/2)), in the
  /// arguments' element type (and values bf16 can hold when `bf16Gemms`);
  /// `misalign` starts argument 0 one element into its storage.
  std::vector<View> inputs(func::FuncOp func, unsigned seed,
                           bool misalign = false) const {
    std::mt19937 random(seed);
    std::uniform_real_distribution<double> uniform(-1.0, 1.0);
    std::vector<View> views;
    for (auto [i, type] : llvm::enumerate(func.getArgumentTypes())) {
      auto tensor = cast<RankedTensorType>(type);
      View view =
          glu::emulator::makeView(tensor.getElementType(), tensor.getShape());
      if (misalign && i == 0) {
        view.storage->bits.insert(view.storage->bits.begin(), 0);
        view.offset = 1;
      }
      double scale = i == 0 ? 1.0 : 0.5;
      int64_t n = view.numElements();
      Type bf16 = BFloat16Type::get(func.getContext());
      for (int64_t e = 0; e < n; ++e) {
        double value = scale * uniform(random);
        if (bf16Gemms)
          value = glu::emulator::decodeScalar(
              bf16, glu::emulator::encodeScalar(bf16, value));
        view.storage->bits[view.offset + e] =
            glu::emulator::encodeScalar(tensor.getElementType(), value);
      }
      views.push_back(view);
    }
    return views;
  }

  /// Runs @layer of `module` on `arguments`.
  FailureOr<SmallVector<View>> emulate(ModuleOp module,
                                       const std::vector<View> &arguments) {
    auto func = module.lookupSymbol<func::FuncOp>("layer");
    return emulator.run(func, arguments);
  }

  /// Compares each result with the reference's; returns the worst error
  /// as a multiple of what the tolerance allows there.
  double compare(ArrayRef<View> got, ArrayRef<View> expected,
                 const Tolerance &tolerance, bool expectPass = true) {
    double worstRatio = 0;
    EXPECT_EQ(got.size(), expected.size());
    for (auto [r, pair] : llvm::enumerate(llvm::zip(got, expected))) {
      auto &[g, e] = pair;
      EXPECT_EQ(g.sizes, e.sizes) << "result " << r;
      if (g.sizes != e.sizes)
        continue;
      double maxRef = 0;
      glu::emulator::forEachIndex(e.sizes, [&](ArrayRef<int64_t> index) {
        maxRef = std::max(maxRef, std::fabs(e.get(index)));
      });
      int64_t exact = 0, total = 0, bad = 0;
      double worst = 0;
      std::string where;
      glu::emulator::forEachIndex(e.sizes, [&](ArrayRef<int64_t> index) {
        double a = g.get(index), b = e.get(index);
        double allowed =
            tolerance.ofMax * maxRef + tolerance.relative * std::fabs(b);
        double ratio = std::isfinite(a) ? std::fabs(a - b) / allowed : 1e30;
        ++total;
        exact += g.storage->bits[g.storageIndex(index)] ==
                 e.storage->bits[e.storageIndex(index)];
        if (ratio > 1)
          ++bad;
        if (ratio > worst) {
          worst = ratio;
          where = "[";
          for (int64_t i : index)
            where += std::to_string(i) + " ";
          where +=
              "] got " + std::to_string(a) + " expected " + std::to_string(b);
        }
      });
      double share = total ? double(exact) / total : 1;
      worstRatio = std::max(worstRatio, worst);
      if (expectPass) {
        EXPECT_EQ(bad, 0) << "result " << r << ": " << bad << " of " << total
                          << " elements off; worst " << where << " (max |ref| "
                          << maxRef << ")";
        EXPECT_GE(share, tolerance.minExactShare)
            << "result " << r << ": only " << exact << " of " << total
            << " elements bit-identical to the reference";
      }
      if (share < tolerance.minExactShare)
        worstRatio = std::max(worstRatio, 2.0);
    }
    return worstRatio;
  }

  /// Runs the kernels of `source` and compares them with the reference
  /// semantics of the same fused program (to the bit for most elements:
  /// only the kernels differ) and with the reference semantics of the
  /// layer itself (within the tolerance: ffn-fuse rounds fewer times, e.g.
  /// it starts the down projection's accumulators at the bias).
  void checkLayer(const std::string &source, const std::string &fuseOptions,
                  bool fuse = true, Tolerance tolerance = Tolerance()) {
    SCOPED_TRACE(source);
    OwningOpRef<ModuleOp> kernels = compileKernels(source, fuseOptions, fuse);
    OwningOpRef<ModuleOp> fused = compileReference(source, fuseOptions, fuse);
    OwningOpRef<ModuleOp> unfused = compileReference(source);
    ASSERT_TRUE(kernels && fused && unfused) << diagnostics;
    auto func = kernels->lookupSymbol<func::FuncOp>("layer");
    FailureOr<SmallVector<View>> got = emulate(*kernels, inputs(func, 7));
    ASSERT_TRUE(succeeded(got)) << diagnostics;
    lastReport = emulator.report();
    FailureOr<SmallVector<View>> expected = emulate(*fused, inputs(func, 7));
    ASSERT_TRUE(succeeded(expected)) << diagnostics;
    {
      SCOPED_TRACE("against the fused program's reference semantics");
      compare(*got, *expected, tolerance);
    }
    if (fuse) {
      SCOPED_TRACE("against the layer's reference semantics");
      FailureOr<SmallVector<View>> layerExpected =
          emulate(*unfused, inputs(func, 7));
      ASSERT_TRUE(succeeded(layerExpected)) << diagnostics;
      Tolerance loose = tolerance;
      loose.minExactShare = 0;
      compare(*got, *layerExpected, loose);
    }
    EXPECT_GT(lastReport.launches, 0);
    // 16-bit GEMMs run on the tensor cores, f32 ones on the FP32 kernels.
    if (getElementTypeOrSelf(func.getArgumentTypes().front()).isF32() &&
        !bf16Gemms && !tf32) {
      EXPECT_EQ(lastReport.mmaSync, 0);
    } else if (wgmma && !tf32) {
      EXPECT_GT(lastReport.wgmma, 0);
      EXPECT_EQ(lastReport.mmaSync, 0);
      EXPECT_EQ(lastReport.ldmatrix, 0);
    } else {
      EXPECT_GT(lastReport.mmaSync, 0);
      EXPECT_GT(lastReport.ldmatrix, 0);
    }
  }

  /// Every phase of the last run's shared writes and reads touched each
  /// bank at most once (the emulator's count of wavefronts).
  void expectNoBankConflicts() {
    const glu::emulator::BankUse &writes = lastReport.sharedWrites;
    const glu::emulator::BankUse &reads = lastReport.sharedReads;
    EXPECT_GT(writes.phases, 0);
    EXPECT_EQ(writes.wavefronts, writes.phases) << "shared writes";
    EXPECT_EQ(reads.wavefronts, reads.phases) << "shared reads";
  }

  /// Runs the kernels of an aligned SwiGLU forward, then with x one bf16
  /// element into its storage (2 bytes off 16-byte alignment) against the
  /// reference; returns both runs' reports.
  std::pair<glu::emulator::Report, glu::emulator::Report>
  runAlignedAndMisaligned() {
    std::string source =
        layer("glu", "swish", 67, 64, 200, false, false, "bf16");
    OwningOpRef<ModuleOp> kernels =
        compileKernels(source, "target=cuda block-size=64");
    OwningOpRef<ModuleOp> reference =
        compileReference(source, "target=cuda block-size=64", true);
    EXPECT_TRUE(kernels && reference) << diagnostics;
    if (!kernels || !reference)
      return {};
    auto func = kernels->lookupSymbol<func::FuncOp>("layer");
    EXPECT_TRUE(succeeded(emulate(*kernels, inputs(func, 3)))) << diagnostics;
    glu::emulator::Report aligned = emulator.report();
    FailureOr<SmallVector<View>> got =
        emulate(*kernels, inputs(func, 3, /*misalign=*/true));
    EXPECT_TRUE(succeeded(got)) << diagnostics;
    glu::emulator::Report misaligned = emulator.report();
    FailureOr<SmallVector<View>> expected =
        emulate(*reference, inputs(func, 3, /*misalign=*/true));
    EXPECT_TRUE(succeeded(expected)) << diagnostics;
    if (succeeded(got) && succeeded(expected))
      compare(*got, *expected, Tolerance());
    return {aligned, misaligned};
  }

  MLIRContext context;
  std::string diagnostics;
  ScopedDiagnosticHandler handler;
  KernelEmulator emulator;
  glu::emulator::Report lastReport;
  /// Whether the kernels (and the fused reference) run ffn-bf16-gemms.
  bool bf16Gemms = false;
  /// Whether f32 GEMMs take the tensor-core kernel as tf32.
  bool tf32 = false;
  /// Whether 16-bit GEMMs compute with wgmma (sm_90a).
  bool wgmma = false;
};

//===----------------------------------------------------------------------===//
// Every fused op, forward and backward
//===----------------------------------------------------------------------===//

TEST_F(GpuKernelEmulationTest, SwiGLUForwardAlignedWithBiases) {
  checkLayer(layer("glu", "swish", 67, 64, 200, false, true, "bf16"),
             "target=cuda block-size=64");
  // d_ff 200 and d_model 64: rows are 16-byte aligned, copies are cp.async.
  EXPECT_GT(lastReport.asyncCopies, 0);
}

TEST_F(GpuKernelEmulationTest, GEGLUForwardOneRow) {
  checkLayer(layer("glu", "gelu_tanh", 1, 64, 200, false, false, "bf16"),
             "target=cuda");
}

TEST_F(GpuKernelEmulationTest, ReGLUForwardRaggedBlocksUnalignedRows) {
  checkLayer(layer("glu", "relu", 67, 33, 45, false, true, "bf16"),
             "target=cuda block-size=16");
}

TEST_F(GpuKernelEmulationTest, SwiGLUBackwardAligned) {
  checkLayer(layer("glu", "swish", 67, 64, 200, true, false, "bf16"),
             "target=cuda block-size=64");
}

TEST_F(GpuKernelEmulationTest, GEGLUBackwardRaggedBlocksWithBiases) {
  checkLayer(layer("glu", "gelu", 67, 33, 45, true, true, "bf16"),
             "target=cuda block-size=16");
}

TEST_F(GpuKernelEmulationTest, SwiGLUTrainStepKeepsActivations) {
  checkLayer(trainStep("glu", "swish", 130, 64, 200, "bf16"),
             "target=cuda keep-activations=true");
  // Aligned operands in every layout: the cp.async chunk writes and the
  // ldmatrix row reads of the XOR-swizzled tiles are free of bank
  // conflicts.
  expectNoBankConflicts();
  EXPECT_GT(lastReport.sharedReads.phases, 0);
}

TEST_F(GpuKernelEmulationTest, FFNGeluTrainStep) {
  checkLayer(trainStep("ffn", "gelu", 67, 64, 200, "bf16"),
             "target=cuda keep-activations=true");
}

TEST_F(GpuKernelEmulationTest, FFNSwishTrainStepKeepsBiasedActivations) {
  // The activated GEMM keeps a = x W1 + b1 for the backward: the kernel
  // starts it at the bias and rounds once, as the reference does.
  checkLayer(trainStep("ffn", "swish", 67, 33, 45, "bf16", /*bias=*/true),
             "target=cuda keep-activations=true");
}

TEST_F(GpuKernelEmulationTest, FFNReluBackwardOneRowWithBiases) {
  checkLayer(layer("ffn", "relu", 1, 33, 45, true, true, "bf16"),
             "target=cuda");
}

TEST_F(GpuKernelEmulationTest, UnfusedSwiGLUForward) {
  checkLayer(layer("glu", "swish", 67, 64, 200, false, false, "bf16"), "",
             /*fuse=*/false);
}

TEST_F(GpuKernelEmulationTest, F16BilinearForward) {
  checkLayer(layer("glu", "identity", 130, 64, 72, false, false, "f16"),
             "target=cuda block-size=24");
}

TEST_F(GpuKernelEmulationTest, F32SwiGLUTrainStepOnTheSimtKernels) {
  // f32 keeps the exact FP32 kernels (no tensor cores): the same
  // emulator checks their shared-memory tiles and barriers. f32 sums in
  // another order differ in the last bits, so no element need be
  // bit-identical, and the tolerance is f32's.
  Tolerance f32;
  f32.ofMax = 1e-5;
  f32.relative = 1e-5;
  f32.minExactShare = 0;
  checkLayer(trainStep("glu", "swish", 67, 33, 45, "f32"),
             "target=cuda block-size=16 keep-activations=true", true, f32);
  EXPECT_GT(lastReport.barriers, 0);
}

TEST_F(GpuKernelEmulationTest, F32TrainStepWithBf16Gemms) {
  // Mixed precision: the f32 train step keeps f32 arguments and results
  // (master weights, their gradients) while ffn-bf16-gemms gives its
  // layers bf16 copies: the GEMMs run on the tensor cores. Against the
  // f32 layer on the same (bf16-representable) inputs, the bf16 tolerance.
  bf16Gemms = true;
  checkLayer(trainStep("glu", "swish", 67, 64, 200, "f32", /*bias=*/true),
             "target=cuda keep-activations=true");
}

/// tf32 reads each operand with a 10-bit mantissa (truncated): products
/// err by up to 2^-10 relative, their sums by less.
Tolerance tf32Tolerance() {
  Tolerance t;
  t.ofMax = 1.0 / 256;
  t.relative = 1.0 / 256;
  t.minExactShare = 0;
  return t;
}

TEST_F(GpuKernelEmulationTest, Tf32SwiGLUTrainStepAligned) {
  // f32 on the tensor cores (glu-gpu-gemm tf32): cp.async copies, ldmatrix
  // for the operands stored with k contiguous, per-lane loads for those
  // stored with k as rows (x^T of dW, the weights of the forward).
  tf32 = true;
  checkLayer(trainStep("glu", "swish", 130, 64, 200, "f32", /*bias=*/true),
             "target=cuda keep-activations=true", true, tf32Tolerance());
  EXPECT_GT(lastReport.asyncCopies, 0);
}

TEST_F(GpuKernelEmulationTest, Tf32GEGLUBackwardRaggedUnaligned) {
  tf32 = true;
  checkLayer(layer("glu", "gelu", 67, 33, 45, true, true, "f32"),
             "target=cuda block-size=16", true, tf32Tolerance());
}

//===----------------------------------------------------------------------===//
// sm_90a: the same layers on warpgroup wgmma
//===----------------------------------------------------------------------===//

TEST_F(GpuKernelEmulationTest, WgmmaSwiGLUForwardAlignedWithBiases) {
  // M = 67: 128-row tiles, two warpgroups stacked along M; the gated GEMM
  // one m64n64 wgmma per half of the packed weight and k16 step.
  // Aligned operands: TMA loads them, one swizzled box a panel (x: 64-byte
  // rows of K; each half of the weight: 128-byte rows of 64 h columns).
  wgmma = true;
  checkLayer(layer("glu", "swish", 67, 64, 200, false, true, "bf16"),
             "target=cuda block-size=64");
  EXPECT_GT(lastReport.tmaLoads, 0);
  EXPECT_EQ(lastReport.asyncCopies, 0);
}

TEST_F(GpuKernelEmulationTest, WgmmaGEGLUBackwardRaggedBlocksWithBiases) {
  // Rows not 16-byte aligned: element copies into the swizzled panels,
  // eight threads to 128 bytes of shared memory (no bank conflicts).
  wgmma = true;
  checkLayer(layer("glu", "gelu", 67, 33, 45, true, true, "bf16"),
             "target=cuda block-size=16");
  EXPECT_EQ(lastReport.tmaLoads, 0);
  expectNoBankConflicts();
}

TEST_F(GpuKernelEmulationTest, WgmmaGEGLUForwardOneRow) {
  // M = 1: 64-row tiles, the warpgroups side by side, each m64n32 on its
  // 32 h columns of each half: the weight in panels of 64-byte rows (64B
  // swizzle, MN-major), loaded by TMA (blocks of 128, whole panels).
  wgmma = true;
  checkLayer(layer("glu", "gelu_tanh", 1, 64, 200, false, false, "bf16"),
             "target=cuda");
  EXPECT_GT(lastReport.tmaLoads, 0);
  EXPECT_EQ(lastReport.sharedWrites.phases, 0);
}

TEST_F(GpuKernelEmulationTest, WgmmaReGLUForwardOneRowUnaligned) {
  // The same panels of 64-byte rows, element-copied (unaligned rows):
  // two panels' rows share banks, so the threads fill one panel at a time.
  wgmma = true;
  checkLayer(layer("glu", "relu", 1, 33, 45, false, false, "bf16"),
             "target=cuda block-size=16");
  EXPECT_EQ(lastReport.tmaLoads, 0);
  expectNoBankConflicts();
}

TEST_F(GpuKernelEmulationTest, WgmmaSwiGLUTrainStepKeepsActivations) {
  // Every operand layout: x (K-major A), x^T for dW|dV (MN-major A), the
  // [K, N] weights (MN-major B) and W^T for dx (K-major B).
  wgmma = true;
  checkLayer(trainStep("glu", "swish", 130, 64, 200, "bf16"),
             "target=cuda keep-activations=true");
  // Every operand aligned: TMA loads all of them, no thread copies into
  // or reads from shared memory (wgmma reads it itself).
  EXPECT_GT(lastReport.tmaLoads, 0);
  EXPECT_EQ(lastReport.asyncCopies, 0);
  EXPECT_EQ(lastReport.sharedWrites.phases, 0);
  EXPECT_EQ(lastReport.sharedReads.phases, 0);
}

TEST_F(GpuKernelEmulationTest, WgmmaFFNReluBackwardOneRowWithBiases) {
  // M = 1: 64-row tiles, the two warpgroups side by side along N.
  wgmma = true;
  checkLayer(layer("ffn", "relu", 1, 33, 45, true, true, "bf16"),
             "target=cuda");
}

TEST_F(GpuKernelEmulationTest, WgmmaF16BilinearForward) {
  wgmma = true;
  checkLayer(layer("glu", "identity", 130, 64, 72, false, false, "f16"),
             "target=cuda block-size=24");
}

TEST_F(GpuKernelEmulationTest, MisalignedOperandTakesElementCopies) {
  auto [aligned, misaligned] = runAlignedAndMisaligned();
  EXPECT_LT(misaligned.asyncCopies, aligned.asyncCopies);
}

TEST_F(GpuKernelEmulationTest, WgmmaMixesTmaAndElementCopies) {
  // x's tiles are element-copied (and fenced for the async proxy), the
  // weights' still come by TMA, in the same stages and against the same
  // mbarriers.
  wgmma = true;
  auto [aligned, misaligned] = runAlignedAndMisaligned();
  EXPECT_LT(misaligned.tmaLoads, aligned.tmaLoads);
  EXPECT_GT(misaligned.tmaLoads, 0);
  EXPECT_GT(misaligned.sharedWrites.phases, 0);
}

//===----------------------------------------------------------------------===//
// The emulator notices broken kernels
//===----------------------------------------------------------------------===//

class BrokenKernelTest : public GpuKernelEmulationTest {
protected:
  void SetUp() override {
    source = layer("glu", "swish", 67, 64, 200, false, false, "bf16");
    kernels = compileKernels(source, "target=cuda block-size=64");
    ASSERT_TRUE(kernels) << diagnostics;
  }
  /// The emulator must refuse the kernels with `message`.
  void expectHazard(const std::string &message) {
    auto func = kernels->lookupSymbol<func::FuncOp>("layer");
    EXPECT_TRUE(failed(emulate(*kernels, inputs(func, 1))));
    EXPECT_NE(diagnostics.find(message), std::string::npos) << diagnostics;
  }
  /// The kernels must run and give results outside the tolerance.
  void expectWrongResults() {
    OwningOpRef<ModuleOp> reference =
        compileReference(source, "target=cuda block-size=64", true);
    auto func = kernels->lookupSymbol<func::FuncOp>("layer");
    FailureOr<SmallVector<View>> got = emulate(*kernels, inputs(func, 1));
    ASSERT_TRUE(succeeded(got)) << diagnostics;
    FailureOr<SmallVector<View>> expected =
        emulate(*reference, inputs(func, 1));
    ASSERT_TRUE(succeeded(expected)) << diagnostics;
    EXPECT_GT(compare(*got, *expected, Tolerance(), /*expectPass=*/false), 1.0);
  }
  /// The kernels must read the wrong shared elements: the emulator refuses
  /// a read (of a stage not yet loaded), or the results are wrong.
  void expectWrongReads() {
    auto func = kernels->lookupSymbol<func::FuncOp>("layer");
    if (succeeded(emulate(*kernels, inputs(func, 1))))
      return expectWrongResults();
    EXPECT_NE(diagnostics.find("reads shared element"), std::string::npos)
        << diagnostics;
  }
  std::string source;
  OwningOpRef<ModuleOp> kernels;
};

TEST_F(BrokenKernelTest, MissingBarrierIsARace) {
  kernels->walk([](gpu::BarrierOp barrier) { barrier.erase(); });
  expectHazard("since the last barrier");
}

TEST_F(BrokenKernelTest, WaitingForTooFewCopiesReadsInFlightData) {
  kernels->walk([](nvgpu::DeviceAsyncWaitOp wait) {
    if (wait.getNumGroups().value_or(0) == 1)
      wait.setNumGroups(2);
  });
  expectHazard("may still be writing");
}

TEST_F(BrokenKernelTest, CpAsyncFromAMisalignedOperandFaults) {
  // Take the cp.async path whatever the alignment test says: with x one
  // element off alignment its 16-byte copies are misaligned.
  kernels->walk([](scf::IfOp branch) {
    bool copies = false;
    branch.getThenRegion().walk(
        [&](nvgpu::DeviceAsyncCopyOp) { copies = true; });
    if (copies && !branch.getElseRegion().empty()) {
      OpBuilder b(branch);
      branch.getConditionMutable().assign(
          arith::ConstantIntOp::create(b, branch.getLoc(), 1, 1));
    }
  });
  auto func = kernels->lookupSymbol<func::FuncOp>("layer");
  EXPECT_TRUE(succeeded(emulate(*kernels, inputs(func, 1))));
  EXPECT_TRUE(failed(emulate(*kernels, inputs(func, 1, /*misalign=*/true))));
  EXPECT_NE(diagnostics.find("not aligned to 16 bytes"), std::string::npos)
      << diagnostics;
}

TEST_F(BrokenKernelTest, UntransposedFragmentsGiveWrongResults) {
  // The B operand stored [k][n] needs ldmatrix.trans; without it the
  // kernel multiplies by the wrong elements.
  kernels->walk([](nvgpu::LdMatrixOp load) {
    if (load.getTranspose())
      load.setTranspose(false);
  });
  expectWrongResults();
}

//===----------------------------------------------------------------------===//
// ... and broken wgmma kernels
//===----------------------------------------------------------------------===//

class BrokenWgmmaKernelTest : public BrokenKernelTest {
protected:
  void SetUp() override {
    wgmma = true;
    BrokenKernelTest::SetUp();
  }
};

TEST_F(BrokenWgmmaKernelTest, MissingProxyFenceHidesTheElementCopies) {
  // Unaligned rows: the threads copy the operands (generic proxy), which
  // wgmma (async proxy) sees only after their fence.
  source = layer("glu", "relu", 67, 33, 45, false, false, "bf16");
  kernels = compileKernels(source, "target=cuda block-size=16");
  ASSERT_TRUE(kernels) << diagnostics;
  kernels->walk([](NVVM::FenceProxyOp fence) { fence.erase(); });
  expectHazard("without a fence.proxy.async");
}

TEST_F(BrokenWgmmaKernelTest, MissingMBarrierWaitReadsTmaDataTooEarly) {
  kernels->walk([](nvgpu::MBarrierTryWaitParityOp wait) { wait.erase(); });
  expectHazard("which a TMA load wrote, without having waited on its "
               "mbarrier phase");
}

TEST_F(BrokenWgmmaKernelTest, MissingWaitReadsPendingAccumulators) {
  kernels->walk([](NVVM::WgmmaWaitGroupSyncOp wait) { wait.erase(); });
  expectHazard("before a wgmma.wait_group");
}

TEST_F(BrokenWgmmaKernelTest, WaitingForTooFewReadsPendingAccumulators) {
  kernels->walk([](NVVM::WgmmaWaitGroupSyncOp wait) { wait.setGroup(1); });
  expectHazard("before a wgmma.wait_group");
}

TEST_F(BrokenWgmmaKernelTest, NoWaitInTheLoopRefillsAStageInFlight) {
  // Without the K loop's wait_group 1, tile t + 2 is loaded into the stage
  // that tile t - 2's wgmmas may still read.
  kernels->walk([](NVVM::WgmmaWaitGroupSyncOp wait) {
    if (wait.getGroup() == 1)
      wait.erase();
  });
  expectHazard("that a wgmma still reads (no wgmma.wait_group covers it)");
}

TEST_F(BrokenWgmmaKernelTest, MissingFenceBeforeTheWgmmas) {
  kernels->walk([](NVVM::WgmmaFenceAlignedOp fence) { fence.erase(); });
  expectHazard("no wgmma.fence precedes");
}

TEST_F(BrokenWgmmaKernelTest, WrongTransposeReadsTheWrongElements) {
  // The [K, N] weight is MN-major ("row" B); read as K-major the kernel
  // reads elements of other rows and stages (the 128-byte rows of its
  // panels are 16 x 8 bytes of K-major rows, and 64 rows of them run past
  // the stage).
  kernels->walk([](NVVM::WgmmaMmaAsyncOp mma) {
    if (mma.getLayoutB() == NVVM::MMALayout::row)
      mma.setLayoutB(NVVM::MMALayout::col);
  });
  expectWrongReads();
}

TEST_F(BrokenWgmmaKernelTest, UnswizzledDescriptorsGiveWrongResults) {
  // The descriptors' swizzle modes cleared: wgmma reads the swizzled
  // panels as core matrices.
  kernels->walk([](arith::ConstantIntOp constant) {
    if (constant.getType().isInteger(64) && (constant.value() >> 62) != 0) {
      OpBuilder b(constant);
      constant.replaceAllUsesWith(
          arith::ConstantIntOp::create(
              b, constant.getLoc(), b.getI64Type(),
              int64_t(uint64_t(constant.value()) & ~(uint64_t(3) << 62)))
              .getResult());
    }
  });
  expectWrongReads();
}

//===----------------------------------------------------------------------===//
// TMA and mbarriers, on a hand-written kernel
//===----------------------------------------------------------------------===//

/// Two [16 x 8] boxes of a 20 x 12 bf16 matrix into shared memory by TMA
/// (the second at (8, 8): 4 rows and 4 columns out of bounds, zero
/// filled), one mbarrier, then every thread copies the boxes out.
/// `expectBytes`, `waitParity` and `wait` break it on request.
std::string tmaKernel(int expectBytes = 512, bool waitParity = false,
                      bool wait = true) {
  std::string waitOp =
      wait ? "    nvgpu.mbarrier.try_wait.parity %bars[%c0], %parity, %ticks : "
             "!bars\n"
           : "";
  return R"(
!map = !nvgpu.tensormap.descriptor<tensor = memref<16x8xbf16, #gpu.address_space<workgroup>>, swizzle = none, l2promo = none, oob = zero, interleave = none>
!bars = !nvgpu.mbarrier.group<memorySpace = #gpu.address_space<workgroup>, num_barriers = 2>
!box0 = memref<16x8xbf16, strided<[8, 1]>, #gpu.address_space<workgroup>>
!box1 = memref<16x8xbf16, strided<[8, 1], offset: 128>, #gpu.address_space<workgroup>>
func.func @layer(%a: memref<20x12xbf16>, %out: memref<2x16x8xbf16>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  %c128 = arith.constant 128 : index
  %bytes = arith.constant )" +
         std::to_string(expectBytes) + R"( : index
  %parity = arith.constant )" +
         (waitParity ? "true" : "false") + R"(
  %ticks = arith.constant 1000000 : index
  %u = memref.cast %a : memref<20x12xbf16> to memref<*xbf16>
  %map = nvgpu.tma.create.descriptor %u box[%c16, %c8] : memref<*xbf16> -> !map
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c128, %sy = %c1, %sz = %c1) workgroup(%sh : memref<2x16x8xbf16, #gpu.address_space<workgroup>>) {
    %bars = nvgpu.mbarrier.create -> !bars
    %first = arith.cmpi eq, %tx, %c0 : index
    nvgpu.mbarrier.init %bars[%c0], %c1, predicate = %first : !bars
    nvvm.fence.mbarrier.init
    gpu.barrier
    scf.if %first {
      nvgpu.mbarrier.arrive.expect_tx %bars[%c0], %bytes : !bars
      %d0 = memref.subview %sh[0, 0, 0] [1, 16, 8] [1, 1, 1] : memref<2x16x8xbf16, #gpu.address_space<workgroup>> to !box0
      nvgpu.tma.async.load %map[%c0, %c0], %bars[%c0] to %d0 : !map, !bars -> !box0
      %d1 = memref.subview %sh[1, 0, 0] [1, 16, 8] [1, 1, 1] : memref<2x16x8xbf16, #gpu.address_space<workgroup>> to !box1
      nvgpu.tma.async.load %map[%c8, %c8], %bars[%c0] to %d1 : !map, !bars -> !box1
    }
)" + waitOp +
         R"(    %r = arith.divui %tx, %c8 : index
    %c = arith.remui %tx, %c8 : index
    %v0 = memref.load %sh[%c0, %r, %c] : memref<2x16x8xbf16, #gpu.address_space<workgroup>>
    memref.store %v0, %out[%c0, %r, %c] : memref<2x16x8xbf16>
    %v1 = memref.load %sh[%c1, %r, %c] : memref<2x16x8xbf16, #gpu.address_space<workgroup>>
    memref.store %v1, %out[%c1, %r, %c] : memref<2x16x8xbf16>
    gpu.terminator
  }
  return
}
)";
}

class TmaEmulationTest : public GpuKernelEmulationTest {
protected:
  /// Runs `source`'s @layer on a 20 x 12 matrix of element i = i / 4 (bf16
  /// holds them exactly) and returns the 2 x 16 x 8 output, or nothing.
  std::optional<std::vector<double>> run(const std::string &source) {
    OwningOpRef<ModuleOp> module = compile(source, "");
    EXPECT_TRUE(module) << diagnostics;
    if (!module)
      return std::nullopt;
    Type bf16 = BFloat16Type::get(&context);
    View a = glu::emulator::makeView(bf16, ArrayRef<int64_t>{20, 12});
    for (int64_t i = 0; i < 240; ++i)
      a.storage->bits[i] = glu::emulator::encodeScalar(bf16, i / 4.0);
    View out = glu::emulator::makeView(bf16, ArrayRef<int64_t>{2, 16, 8});
    if (failed(emulate(*module, {a, out})))
      return std::nullopt;
    std::vector<double> values;
    glu::emulator::forEachIndex(out.sizes, [&](ArrayRef<int64_t> at) {
      values.push_back(out.get(at));
    });
    return values;
  }
};

TEST_F(TmaEmulationTest, BoxesLandZeroFilledWhenTheirPhaseCompletes) {
  std::optional<std::vector<double>> got = run(tmaKernel());
  ASSERT_TRUE(got) << diagnostics;
  for (int64_t box = 0; box < 2; ++box)
    for (int64_t r = 0; r < 16; ++r)
      for (int64_t c = 0; c < 8; ++c) {
        int64_t row = 8 * box + r, col = 8 * box + c;
        double want = row < 20 && col < 12 ? (row * 12 + col) / 4.0 : 0.0;
        EXPECT_EQ((*got)[(box * 16 + r) * 8 + c], want)
            << "box " << box << " row " << r << " column " << c;
      }
}

TEST_F(TmaEmulationTest, ReadingBeforeTheWaitIsARace) {
  EXPECT_FALSE(run(tmaKernel(512, false, /*wait=*/false)));
  EXPECT_NE(diagnostics.find("which a TMA load wrote, without having waited "
                             "on its mbarrier phase"),
            std::string::npos)
      << diagnostics;
}

TEST_F(TmaEmulationTest, ExpectingTooManyBytesNeverCompletes) {
  EXPECT_FALSE(run(tmaKernel(1024)));
  EXPECT_NE(diagnostics.find("never completes (1 of 1 arrivals, 512 "
                             "transaction bytes outstanding)"),
            std::string::npos)
      << diagnostics;
}

TEST_F(TmaEmulationTest, WaitingForTheWrongParityNeverCompletes) {
  EXPECT_FALSE(run(tmaKernel(512, /*waitParity=*/true)));
  EXPECT_NE(diagnostics.find("phase parity 1 that never completes"),
            std::string::npos)
      << diagnostics;
}

/// One [16 x 32] bf16 box of a 20 x 32 matrix by TMA with a 64-byte
/// swizzle into a view of the dynamic shared memory `offset` bytes in;
/// every thread then copies 4 elements of the view out as they lie.
std::string swizzledTmaKernel(int64_t offset) {
  return R"(
!map = !nvgpu.tensormap.descriptor<tensor = memref<16x32xbf16, #gpu.address_space<workgroup>>, swizzle = swizzle_64b, l2promo = none, oob = zero, interleave = none>
!bars = !nvgpu.mbarrier.group<memorySpace = #gpu.address_space<workgroup>, num_barriers = 1>
!tile = memref<16x32xbf16, #gpu.address_space<workgroup>>
func.func @layer(%a: memref<20x32xbf16>, %out: memref<16x32xbf16>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  %c32 = arith.constant 32 : index
  %c128 = arith.constant 128 : index
  %bytes = arith.constant 1024 : index
  %offset = arith.constant )" +
         std::to_string(offset) + R"( : index
  %dynamic = arith.constant 4096 : i32
  %false = arith.constant false
  %ticks = arith.constant 1000000 : index
  %u = memref.cast %a : memref<20x32xbf16> to memref<*xbf16>
  %map = nvgpu.tma.create.descriptor %u box[%c16, %c32] : memref<*xbf16> -> !map
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c128, %sy = %c1, %sz = %c1) dynamic_shared_memory_size %dynamic {
    %bars = nvgpu.mbarrier.create -> !bars
    %first = arith.cmpi eq, %tx, %c0 : index
    nvgpu.mbarrier.init %bars[%c0], %c1, predicate = %first : !bars
    nvvm.fence.mbarrier.init
    gpu.barrier
    %memory = gpu.dynamic_shared_memory : memref<?xi8, #gpu.address_space<workgroup>>
    %sh = memref.view %memory[%offset][] : memref<?xi8, #gpu.address_space<workgroup>> to !tile
    scf.if %first {
      nvgpu.mbarrier.arrive.expect_tx %bars[%c0], %bytes : !bars
      nvgpu.tma.async.load %map[%c0, %c0], %bars[%c0] to %sh : !map, !bars -> !tile
    }
    nvgpu.mbarrier.try_wait.parity %bars[%c0], %false, %ticks : !bars
    %r = arith.divui %tx, %c8 : index
    %q = arith.remui %tx, %c8 : index
    %c = arith.muli %q, %c4 : index
    scf.for %j = %c0 to %c4 step %c1 {
      %col = arith.addi %c, %j : index
      %v = memref.load %sh[%r, %col] : !tile
      memref.store %v, %out[%r, %col] : memref<16x32xbf16>
    }
    gpu.terminator
  }
  return
}
)";
}

TEST_F(TmaEmulationTest, SwizzledBoxesLandWhereTheSwizzlePutsThem) {
  OwningOpRef<ModuleOp> module = compile(swizzledTmaKernel(1024), "");
  ASSERT_TRUE(module) << diagnostics;
  Type bf16 = BFloat16Type::get(&context);
  View a = glu::emulator::makeView(bf16, ArrayRef<int64_t>{20, 32});
  // Element (r, c) is (r % 8) * 32 + c: integers below 256, exact in bf16.
  for (int64_t i = 0; i < 640; ++i)
    a.storage->bits[i] = glu::emulator::encodeScalar(bf16, double(i % 256));
  View out = glu::emulator::makeView(bf16, ArrayRef<int64_t>{16, 32});
  ASSERT_TRUE(succeeded(emulate(*module, {a, out}))) << diagnostics;
  // 64-byte rows: two a 128-byte line, so the 16-byte chunk c of row r
  // lies at chunk c ^ ((r / 2) % 4) of its row (bits 4-5 of the address
  // XOR bits 7-8).
  for (int64_t r = 0; r < 16; ++r)
    for (int64_t c = 0; c < 32; ++c) {
      int64_t stored = (((c / 8) ^ ((r / 2) % 4)) * 8) + c % 8;
      EXPECT_EQ(out.get({r, c}), double((r % 8) * 32 + stored))
          << "row " << r << " column " << c;
    }
}

TEST_F(TmaEmulationTest, SwizzledBoxesStartWhereThePatternDoes) {
  OwningOpRef<ModuleOp> module = compile(swizzledTmaKernel(256), "");
  ASSERT_TRUE(module) << diagnostics;
  Type bf16 = BFloat16Type::get(&context);
  View a = glu::emulator::makeView(bf16, ArrayRef<int64_t>{20, 32});
  View out = glu::emulator::makeView(bf16, ArrayRef<int64_t>{16, 32});
  EXPECT_TRUE(failed(emulate(*module, {a, out})));
  EXPECT_NE(diagnostics.find("a TMA load with a 64-byte swizzle writes to "
                             "shared address 1280, not a multiple of 512"),
            std::string::npos)
      << diagnostics;
}

TEST(WarpgroupMma, SwizzledOperandAddressesFollowTheCanonicalLayouts) {
  using glu::emulator::WgmmaDescriptor;
  using glu::emulator::wgmmaElementAddress;
  // K-major, 128-byte swizzle: rows of 128 bytes, 8-row groups 1024 bytes
  // apart (SBO); element (mn, k) at row mn, byte 2 k, its chunk XOR mn % 8.
  WgmmaDescriptor kMajor{/*startAddress=*/2048, /*leadingByteOffset=*/16,
                         /*strideByteOffset=*/1024, /*baseOffset=*/0,
                         /*swizzle=*/1};
  EXPECT_EQ(wgmmaElementAddress(kMajor, false, 0, 0), 2048u);
  // Row 3, k 9: chunk 1 ^ 3 = 2, byte 2 within it.
  EXPECT_EQ(wgmmaElementAddress(kMajor, false, 3, 9), 2048u + 384 + 32 + 2);
  // Row 13: the second 8-row group, row 5 of it; k 0: chunk 0 ^ 5.
  EXPECT_EQ(wgmmaElementAddress(kMajor, false, 13, 0), 2048u + 1024 + 640 + 80);
  // A k16 step further along the row: the start 32 bytes on; k 0 is then
  // chunk 2, which row 1 swaps with chunk 3.
  kMajor.startAddress += 32;
  EXPECT_EQ(wgmmaElementAddress(kMajor, false, 1, 0), 2048u + 128 + 48);
  // MN-major, 64-byte swizzle: 32 elements of N contiguous, rows along K
  // 64 bytes apart, 8 of them SBO (512) apart, the next 32 of N LBO on.
  WgmmaDescriptor mnMajor{/*startAddress=*/4096, /*leadingByteOffset=*/2048,
                          /*strideByteOffset=*/512, /*baseOffset=*/0,
                          /*swizzle=*/2};
  // (n 5, k 2): byte 10 of row 2 (chunk 0, line 1): chunk 0 ^ 1.
  EXPECT_EQ(wgmmaElementAddress(mnMajor, true, 5, 2), 4096u + 128 + 16 + 10);
  // (n 40, k 9): the second panel, row 9 = group 1 row 1, byte 16 (chunk
  // 1, line 0 of the group): unchanged.
  EXPECT_EQ(wgmmaElementAddress(mnMajor, true, 40, 9),
            4096u + 2048 + 512 + 64 + 16);
  // Without swizzle the core-matrix layout is unchanged.
  WgmmaDescriptor none{4096, 2048, 128, 0, 0};
  EXPECT_EQ(wgmmaElementAddress(none, false, 9, 10),
            4096u + 2048 + 128 + 16 + 4);
}

TEST(SharedMemoryHazards, WgmmaOperandsNeedAProxyFenceAndAWait) {
  MLIRContext context;
  glu::emulator::View shared = glu::emulator::makeView(
      BFloat16Type::get(&context), ArrayRef<int64_t>{64});
  glu::emulator::Storage &storage = *shared.storage;
  storage.workgroup = true;
  glu::emulator::SharedMemoryHazards hazards(256);
  // Thread 3 writes element 5; a wgmma of thread 0's warpgroup may read it
  // only after thread 3's fence.proxy.async and a barrier.
  EXPECT_EQ(hazards.write(storage, 5, 3), "");
  hazards.barrier();
  EXPECT_NE(hazards.wgmmaRead(storage, 5, 0).find("fence.proxy.async"),
            std::string::npos);
  hazards.fenceProxyAsync(3);
  EXPECT_EQ(hazards.wgmmaRead(storage, 5, 0), "");
  // Until a wait covers that wgmma, nobody may overwrite the element,
  // even after a barrier.
  hazards.commitWgmmaGroup();
  hazards.barrier();
  EXPECT_NE(hazards.write(storage, 5, 3).find("wgmma still reads"),
            std::string::npos);
  hazards.waitWgmmaGroups(1);
  EXPECT_NE(hazards.write(storage, 5, 3).find("wgmma still reads"),
            std::string::npos);
  EXPECT_NE(hazards.finish(), "");
  hazards.waitWgmmaGroups(0);
  EXPECT_EQ(hazards.write(storage, 5, 3), "");
  EXPECT_EQ(hazards.finish(), "");
}

TEST(SharedMemoryBanks, CountsWavefrontsPerPhase) {
  using glu::emulator::BankAccess;
  using glu::emulator::countWavefronts;
  std::vector<BankAccess> rows, column, broadcast, pairs;
  for (unsigned lane = 0; lane < 32; ++lane) {
    // 16 bytes a lane, contiguous: 4 phases of 128 bytes, one wavefront
    // each.
    rows.push_back({lane, 16 * uint64_t(lane), 16});
    // 16 bytes a lane, 128 bytes apart: all 8 lanes of a phase in the
    // same 4 banks.
    column.push_back({lane, 128 * uint64_t(lane), 16});
    // One word for every lane: a broadcast.
    broadcast.push_back({lane, 64, 4});
    // 4 bytes a lane, two lanes a bank (the halves 128 bytes apart).
    pairs.push_back({lane, 4 * uint64_t(lane % 16) + 128 * (lane / 16), 4});
  }
  EXPECT_EQ(countWavefronts(rows).phases, 4);
  EXPECT_EQ(countWavefronts(rows).wavefronts, 4);
  EXPECT_EQ(countWavefronts(column).phases, 4);
  EXPECT_EQ(countWavefronts(column).wavefronts, 32);
  EXPECT_EQ(countWavefronts(broadcast).phases, 1);
  EXPECT_EQ(countWavefronts(broadcast).wavefronts, 1);
  EXPECT_EQ(countWavefronts(pairs).wavefronts, 2);
}

} // namespace
