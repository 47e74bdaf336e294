//===- CpuPipeline.cpp - the glu CPU pipeline -----------------------------===//
//
// glu-cpu-pipeline. Its small helper passes live in CpuVectorize.cpp
// (glu-cpu-vectorize), MarkCInterface.cpp (glu-mark-c-interface) and
// OutlineParallelLoops.cpp (glu-outline-parallel-loops).
//
// Steps (see buildCpuPipeline):
//   1. glu-cpu-gemm on the fused ops (gemm=generated),
//   2. convert-ffn-to-linalg for the rest, then glu-cpu-gemm again for the
//      linalg.matmuls that lowering produced (unfused layers),
//   3. linalg-fuse-elementwise-ops, glu-cpu-vectorize (1 x L tiles of the
//      elementwise generics become vector code, L = vector-lanes),
//   4. one-shot-bufferize (function boundaries, identity layouts),
//      buffer-results-to-out-params (hoisted static allocations: the caller
//      allocates the results), buffer deallocation,
//   5. glu-mark-c-interface, linalg to loops for what is left, polynomial
//      math (erf stays libm unless approximate-erf),
//   6. each top-level scf.parallel into a function of its own
//      (glu-outline-parallel-loops), scf.parallel -> OpenMP, then
//      everything to the LLVM dialect,
//   7. glu-emit-entry-points.
//
//===----------------------------------------------------------------------===//

#include "passes/pipelines/CpuPipeline.h"
#include "passes/Passes.h"
#include "passes/pipelines/Pipelines.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::ffn;

void mlir::ffn::buildCpuPipeline(OpPassManager &pm,
                                 const CpuPipelineOptions &options) {
  bool generated = options.gemm == CpuGemmKind::Generated;
  GluCpuGemmOptions gemm;
  gemm.tileRows = options.tileRows;
  gemm.tileCols = options.tileCols;
  gemm.streamCols = options.streamCols;
  gemm.tileK = options.tileK;
  gemm.microRows = options.microRows;
  gemm.vectorLanes = options.vectorLanes;
  gemm.vectorRegisters = options.vectorRegisters;

  // 1-2. GEMMs: the fused ops first (they have no linalg form to come
  // back from), then the matmuls the reference lowering leaves.
  if (generated)
    pm.addPass(createGluCpuGemm(gemm));
  pm.addPass(createConvertFFNToLinalg());
  // Integer powers with constant exponents (x ** 3 from exporters) as
  // multiplications: math-to-llvm cannot lower a vectorized math.fpowi.
  pm.addPass(math::createMathExpandOpsPass({{"fpowi"}}));
  pm.addPass(createCanonicalizerPass());
  if (generated) {
    // The last chance for a contraction: report what is left.
    GluCpuGemmOptions last = gemm;
    last.report = options.report;
    pm.addPass(createGluCpuGemm(last));
  }

  // 3. Elementwise code: fused, then vectorized.
  pm.addPass(createLinalgElementwiseOpFusionPass());
  GluCpuVectorizeOptions vectorizeOnly;
  vectorizeOnly.vectorize = true;
  vectorizeOnly.approximateMath = false;
  vectorizeOnly.vectorLanes = options.vectorLanes;
  // The reference GEMMs' pipeline stays the serial baseline it was.
  vectorizeOnly.distributeScalarOps = generated;
  pm.addNestedPass<func::FuncOp>(createGluCpuVectorize(vectorizeOnly));
  pm.addPass(createCanonicalizerPass());
  // No CSE before bufferization: the GEMM nests read their operands
  // through bufferization.to_buffer, which is Pure. CSE would merge two
  // GEMMs' to_buffer of one tensor (a forward activation a backward reads
  // again), end that tensor's last use at the first GEMM, and let
  // one-shot-bufferize write another value into its buffer before the
  // second GEMM reads it. The CSE after bufferization does that work.

  // 4. Buffers: the caller allocates the results.
  addEntryPointBufferization(pm);
  bufferization::buildBufferDeallocationPipeline(pm);
  pm.addPass(createConvertBufferizationToMemRefPass());
  // Strided copies would call MLIR's runner utilities: make them loops.
  pm.addPass(createGluLowerStridedCopies());

  // 5. C interfaces, loops for the linalg that is left, math.
  pm.addPass(createGluMarkCInterface());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  GluCpuVectorizeOptions mathOnly;
  mathOnly.vectorize = false;
  mathOnly.approximateMath = true;
  mathOnly.approximateErf = options.approximateErf;
  pm.addNestedPass<func::FuncOp>(createGluCpuVectorize(mathOnly));
  pm.addPass(createCanonicalizerPass());

  // 6. OpenMP (the elementwise rows' scf.forall first become scf.parallel),
  // then the LLVM dialect.
  pm.addPass(createForallToParallelLoopPass());
  // Each parallel loop in a function of its own: OpenMPIRBuilder analyses
  // the whole enclosing function for every omp.parallel it outlines, which
  // is quadratic in the loops of a function (a T5 train step has 800-1,500).
  pm.addPass(createGluOutlineParallelLoops());
  pm.addPass(createConvertSCFToOpenMPPass());
  // Dynamic batch dimensions expanded back from rows: upstream's
  // expand-strided-metadata cannot take them (see the pass).
  pm.addPass(createGluLowerMultiDynamicExpandShapes());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  // Before scf-to-cf: memref-to-llvm inlines the memref.alloca_scope that
  // scf-to-openmp puts around each parallel iteration (a region that must
  // stay one block), with a stack save/restore.
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertVectorToSCFPass());
  pm.addPass(createSCFToControlFlowPass());
  // LLVM intrinsics first (vector floor, fma, ... stay vectors), then libm
  // for what has none: erf unless approximated (erff calls on the
  // vector's elements, which vector-to-llvm then lowers).
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createConvertVectorToLLVMPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createArithToLLVMConversionPass());
  // ub.poison: vectorization leaves it as the undefined start of a
  // vector built lane by lane.
  pm.addPass(createUBToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createConvertOpenMPToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());

  // 7. The artifact's C entry points.
  pm.addPass(createGluEmitEntryPoints());
}

void mlir::ffn::registerCpuPipeline() {
  PassPipelineRegistration<CpuPipelineOptions>(
      "glu-cpu-pipeline",
      "Lower ffn ops to generated vector GEMMs, vectorized loops and "
      "OpenMP in the LLVM dialect, with C entry points",
      buildCpuPipeline);
}
