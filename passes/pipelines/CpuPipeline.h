//===- CpuPipeline.h - the glu CPU pipeline ---------------------*- C++ -*-===//
//
// glu-cpu-pipeline: ffn / linalg on tensors -> generated AVX-512 GEMMs,
// vectorized elementwise code, OpenMP -> the LLVM dialect with C entry
// points, as glu-compile does for the CPU target.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_PASSES_PIPELINES_CPUPIPELINE_H
#define GLU_PASSES_PIPELINES_CPUPIPELINE_H

#include "passes/codegen/cpu/CpuGemm.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace mlir::ffn {

/// Which GEMMs glu-cpu-pipeline emits.
enum class CpuGemmKind {
  /// glu-cpu-gemm's tiled, vectorized, parallel loop nests.
  Generated,
  /// The reference lowering (convert-ffn-to-linalg, scalar loops), for
  /// comparison.
  Reference,
};

/// Options of glu-cpu-pipeline. The tile options are glu-cpu-gemm's, with
/// its defaults (CpuGemmTiles).
struct CpuPipelineOptions : public PassPipelineOptions<CpuPipelineOptions> {
  PassOptions::Option<CpuGemmKind> gemm{
      *this, "gemm", llvm::cl::desc("The GEMMs to emit"),
      llvm::cl::init(CpuGemmKind::Generated),
      llvm::cl::values(
          clEnumValN(CpuGemmKind::Generated, "generated",
                     "glu-cpu-gemm's tiled, vectorized loop nests"),
          clEnumValN(CpuGemmKind::Reference, "reference",
                     "the reference lowering (skip glu-cpu-gemm)"))};
  PassOptions::Option<int64_t> tileRows{
      *this, "tile-rows", llvm::cl::desc("glu-cpu-gemm tile-rows"),
      llvm::cl::init(CpuGemmTiles().rows)};
  PassOptions::Option<int64_t> tileCols{
      *this, "tile-cols", llvm::cl::desc("glu-cpu-gemm tile-cols"),
      llvm::cl::init(CpuGemmTiles().cols)};
  PassOptions::Option<int64_t> streamCols{
      *this, "stream-cols", llvm::cl::desc("glu-cpu-gemm stream-cols"),
      llvm::cl::init(CpuGemmTiles().streamCols)};
  PassOptions::Option<int64_t> tileK{*this, "tile-k",
                                     llvm::cl::desc("glu-cpu-gemm tile-k"),
                                     llvm::cl::init(CpuGemmTiles().k)};
  PassOptions::Option<int64_t> microRows{
      *this, "micro-rows", llvm::cl::desc("glu-cpu-gemm micro-rows"),
      llvm::cl::init(CpuGemmTiles().microRows)};
  PassOptions::Option<int64_t> vectorLanes{
      *this, "vector-lanes",
      llvm::cl::desc("f32 lanes of a vector register: 16 (AVX-512), 8 "
                     "(AVX2), 4 (SSE, NEON); glu-compile sets it from --cpu "
                     "(CpuTarget.h)"),
      llvm::cl::init(CpuGemmTiles().lanes)};
  PassOptions::Option<int64_t> vectorRegisters{
      *this, "vector-registers",
      llvm::cl::desc("Vector registers the GEMM micro-kernel may fill"),
      llvm::cl::init(CpuGemmTiles().registers)};
  PassOptions::Option<bool> approximateErf{
      *this, "approximate-erf",
      llvm::cl::desc("Expand math.erf into a vectorizable polynomial (its "
                     "error, ~1.4e-7 in Phi(x) = (1 + erf(x / sqrt 2)) / 2 "
                     "over [-8, 8], is within 1.5x of libm's erff); false "
                     "calls erff element by element"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> report{
      *this, "report",
      llvm::cl::desc("Remark on every contraction that no generated GEMM "
                     "takes (it runs as scalar loops)"),
      llvm::cl::init(false)};
};

/// Builds glu-cpu-pipeline into `pm` (on a module).
void buildCpuPipeline(OpPassManager &pm, const CpuPipelineOptions &options);

/// Registers glu-cpu-pipeline.
void registerCpuPipeline();

} // namespace mlir::ffn

#endif // GLU_PASSES_PIPELINES_CPUPIPELINE_H
