//===- CpuTarget.h - what the CPU back end knows of a processor -*- C++ -*-===//
//
// The one place that turns a processor (an LLVM triple and its features)
// into the shape of the code glu generates for it: the f32 lanes of a
// vector register, how many vector registers there are, and the GEMM
// micro-kernel that fits them. glu-compile picks the configuration of the
// CPU it compiles for (--target-triple and --cpu, the host by default) and
// hands it to glu-cpu-pipeline as options; the passes take the numbers,
// never the processor.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_PASSES_CODEGEN_CPU_CPUTARGET_H
#define GLU_PASSES_CODEGEN_CPU_CPUTARGET_H

#include "mlir/Support/LLVM.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/TargetParser/Triple.h"

#include <cstdint>
#include <string>

namespace mlir::ffn {

/// The vector shape of generated CPU code.
struct CpuVectorConfig {
  /// The vector extension, for reports: "avx512", "avx2", "avx", "sse",
  /// "neon" or "scalar".
  StringRef extension;
  /// f32 lanes of one vector register (16 for AVX-512's zmm, 8 for AVX2's
  /// ymm, 4 for SSE's xmm and NEON's q registers).
  int64_t lanes = 16;
  /// Architectural vector registers (32 zmm, 16 ymm, 32 NEON q).
  int64_t registers = 32;
  /// Rows of the GEMM micro-kernel: 2 x microRows accumulators, two
  /// weight vectors and one broadcast must fit in `registers`.
  int64_t microRows = 6;

  /// The glu-cpu-pipeline options that carry this configuration.
  std::string getPipelineOptions() const;
};

/// The largest micro-kernel height `registers` vector registers hold:
/// (registers - 3) / 2, the 3 being two weight vectors and a broadcast.
int64_t getMaxMicroRows(int64_t registers);

/// The configuration for a processor of `triple` that has the features
/// `hasFeature` answers for (LLVM's names: "avx512f", "avx2", "fma",
/// "avx", "sse2", "neon").
CpuVectorConfig selectCpuVectorConfig(const llvm::Triple &triple,
                                      function_ref<bool(StringRef)> hasFeature);

} // namespace mlir::ffn

#endif // GLU_PASSES_CODEGEN_CPU_CPUTARGET_H
