//===- CudaPipeline.cpp - glu-cuda-pipeline -------------------------------===//
//
// ffn / linalg on tensors -> GPU kernels embedded as PTX + host code in the
// LLVM dialect calling the mgpu* runtime functions:
//
//   1. glu-gpu-gemm (gemm=generated): fused GEMMs, apply_gate and matmuls ->
//      tiled gpu.launch kernels with their epilogues, on tensors (16-bit
//      operands on tensor cores when the chip is sm_80 or later: mma.sync,
//      or warpgroup wgmma on sm_90a unless wgmma=false);
//   2. convert-ffn-to-linalg for every other ffn op, glu-gpu-gemm again for
//      the matmuls that lowering made, elementwise fusion;
//   3. one-shot bufferization (function boundaries, identity layouts),
//      results as trailing out-params (hoisting static allocations); no
//      buffer-deallocation-pipeline (it rejects gpu.barrier, see below);
//   4. the remaining linalg -> scf.parallel tiled 8 x 32 -> gpu.launch (outer
//      loops on blocks, inner on threads, innermost dimension on x; a
//      reduction stays an scf.for inside the kernel);
//   5. glu-gpu-host-buffers (device allocations freed at the end of their
//      block, copies, one-thread kernels for leftovers), glu-mark-c-interface,
//      gpu-kernel-outlining, glu-align-workgroup-memory;
//   6. kernels: nvvm-attach-target (libdevice linked when found, else math
//      expanded), convert-nvgpu-to-nvvm, convert-gpu-to-nvvm,
//      convert-math-to-llvm (what NVVM leaves), convert-nvvm-to-llvm (inline
//      PTX for wgmma), gpu-module-to-binary
//      format=isa;
//   7. host: gpu-async-region, everything to the LLVM dialect (gpu-to-llvm),
//      glu-emit-entry-points.
//
//===----------------------------------------------------------------------===//

#include "passes/pipelines/CudaPipeline.h"
#include "passes/Passes.h"
#include "passes/pipelines/Pipelines.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

#include "llvm/Support/FileSystem.h"

using namespace mlir;
using namespace mlir::ffn;

bool mlir::ffn::hasMmaSync(StringRef chip) {
  unsigned version = 0;
  if (!chip.consume_front("sm_") ||
      chip.take_while(llvm::isDigit).getAsInteger(10, version))
    return false;
  return version >= 80;
}

bool mlir::ffn::hasWgmma(StringRef chip) { return chip == "sm_90a"; }

void mlir::ffn::buildCudaPipeline(OpPassManager &pm,
                                  const CudaPipelineOptions &options) {
  bool generated = options.gemm == CudaGemmKind::Generated;
  GluGpuGemmOptions gemmOptions;
  gemmOptions.tensorCores = hasMmaSync(options.chip);
  gemmOptions.tf32 = options.tf32;
  gemmOptions.wgmma = options.wgmma && hasWgmma(options.chip);

  // 1-2. Kernels for the GEMMs, reference linalg for the rest.
  if (generated)
    pm.addPass(createGluGpuGemm(gemmOptions));
  pm.addPass(createConvertFFNToLinalg());
  // Integer powers with constant exponents (x ** 3 from exporters) as
  // multiplications: math-to-llvm cannot lower a vectorized math.fpowi.
  pm.addPass(math::createMathExpandOpsPass({{"fpowi"}}));
  if (generated)
    pm.addPass(createGluGpuGemm(gemmOptions));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createLinalgElementwiseOpFusionPass());
  pm.addPass(createCanonicalizerPass());

  // 3. Buffers; results become out-params the runtime allocates.
  addEntryPointBufferization(pm);
  pm.addPass(createCanonicalizerPass());
  // No buffer-deallocation-pipeline: its ownership analysis rejects the
  // kernels' gpu.barrier (no memory effects declared). The functions are
  // straight-line code, and glu-gpu-host-buffers frees every buffer that
  // does not escape at the end of its block instead.
  pm.addPass(createConvertBufferizationToMemRefPass());

  // 4. The rest of linalg -> GPU kernels.
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToParallelLoopsPass());
  pm.addNestedPass<func::FuncOp>(
      createParallelLoopTilingPass({8, 32}, /*noMinMaxBounds=*/true));
  GpuMapParallelLoopsPassOptions mapping;
  mapping.mappingPolicyStr = "innermost-first";
  pm.addNestedPass<func::FuncOp>(createGpuMapParallelLoopsPass(mapping));
  pm.addNestedPass<func::FuncOp>(createConvertParallelLoopToGpuPass());

  // 5. The host keeps off device memory; kernels become gpu.func; public
  // functions get their C interfaces.
  pm.addPass(createGluGpuHostBuffers());
  pm.addPass(createGluMarkCInterface());
  // nvgpu before outlining, so that the TMA descriptors the host creates
  // (nvgpu.tma.create.descriptor -> mgpuTensorMapEncodeTiledMemref) and
  // the kernels take are one !llvm.ptr on both sides.
  pm.addPass(createConvertNVGPUToNVVMPass());
  pm.addNestedPass<func::FuncOp>(createGpuLaunchSinkIndexComputationsPass());
  GpuKernelOutliningPassOptions outlining;
  pm.addPass(createGpuKernelOutliningPass(outlining));
  // cp.async and ldmatrix need 16-byte-aligned shared tiles.
  pm.addNestedPass<gpu::GPUModuleOp>(createGluAlignWorkgroupMemory());

  // 6. Kernels -> NVVM -> PTX.
  pm.addPass(createLowerAffinePass());
  // Dynamic batch dimensions expanded back from rows: upstream's
  // expand-strided-metadata cannot take them (see the pass).
  pm.addPass(createGluLowerMultiDynamicExpandShapes());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  GpuNVVMAttachTargetOptions target;
  target.chip = options.chip;
  std::string libdevice = options.libdevice;
  bool linkLibdevice = !libdevice.empty() && llvm::sys::fs::exists(libdevice);
  if (linkLibdevice)
    target.linkLibs.push_back(libdevice);
  pm.addPass(createGpuNVVMAttachTarget(target));
  OpPassManager &kernels = pm.nest<gpu::GPUModuleOp>();
  if (!linkLibdevice) {
    // Without libdevice, no __nv_* function may be left: expand what can
    // be expanded into exp/log (which NVVM lowers to approximations).
    // TODO: erf has no expansion upstream; it needs libdevice.
    kernels.addPass(math::createMathExpandOpsPass());
  }
  // The tensor-core kernels' cp.async and ldmatrix, before the rest.
  kernels.addPass(createConvertNVGPUToNVVMPass());
  kernels.addPass(createConvertGpuOpsToNVVMOps());
  // The wgmma kernels' dynamic shared memory: an aligned extern declaration.
  kernels.addPass(createGluDeclareDynamicSharedMemory());
  // What NVVM has no lowering of (math.absi: T5's relative position
  // buckets) becomes LLVM intrinsics; every other math op is NVVM's by now.
  kernels.addPass(createConvertMathToLLVMPass());
  // NVVM ops with no LLVM intrinsic (wgmma.mma_async, fence.proxy) as
  // inline PTX.
  kernels.addPass(createConvertNVVMToLLVMPass());
  kernels.addPass(createCanonicalizerPass());
  kernels.addPass(createCSEPass());
  kernels.addPass(createReconcileUnrealizedCastsPass());
  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = "isa";
  pm.addPass(createGpuModuleToBinaryPass(binary));

  // 7. Host code -> LLVM dialect calling mgpu*.
  pm.addNestedPass<func::FuncOp>(createGpuAsyncRegionPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createGpuToLLVMConversionPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createArithToLLVMConversionPass());
  // ub.poison: vectorization leaves it as the undefined start of a
  // vector built lane by lane.
  pm.addPass(createUBToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  if (options.entryPoints)
    pm.addPass(createGluEmitEntryPoints());
}

void mlir::ffn::registerCudaPipeline() {
  PassPipelineRegistration<CudaPipelineOptions>(
      "glu-cuda-pipeline",
      "Lower ffn and linalg on tensors to CUDA kernels (PTX embedded) and "
      "host code in the LLVM dialect that calls the mgpu* runtime",
      buildCudaPipeline);
}
