//===- CpuTarget.cpp - what the CPU back end knows of a processor ---------===//

#include "passes/codegen/cpu/CpuTarget.h"

#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::ffn;

int64_t mlir::ffn::getMaxMicroRows(int64_t registers) {
  return (registers - 3) / 2;
}

std::string CpuVectorConfig::getPipelineOptions() const {
  std::string options;
  llvm::raw_string_ostream os(options);
  os << "vector-lanes=" << lanes << " vector-registers=" << registers
     << " micro-rows=" << microRows;
  return options;
}

CpuVectorConfig
mlir::ffn::selectCpuVectorConfig(const llvm::Triple &triple,
                                 function_ref<bool(StringRef)> hasFeature) {
  CpuVectorConfig config;
  if (triple.isX86()) {
    if (hasFeature("avx512f")) {
      // 6 x 2 zmm accumulators: measured best on Zen 4/5 and Sapphire
      // Rapids (14 would fit; the loads then no longer hide behind FMAs).
      config = {"avx512", 16, 32, 6};
    } else if (hasFeature("avx2") || hasFeature("avx")) {
      // 16 ymm: 6 x 2 accumulators, 2 weight vectors and a broadcast.
      config = {hasFeature("avx2") ? "avx2" : "avx", 8, 16, 6};
    } else {
      config = {"sse", 4, 16, 6};
    }
  } else if (triple.isAArch64()) {
    // 32 q registers of 4 lanes: 8 x 2 accumulators.
    config = {"neon", 4, 32, 8};
  } else {
    config = {"scalar", 4, 16, 6};
  }
  return config;
}
