//===- Passes.h - every glu pass --------------------------------*- C++ -*-===//
//
// The umbrella of the stages: raise -> fuse -> lowering (reference
// semantics) -> codegen (common, cpu, gpu). A compiler that wants one stage
// includes that stage's Passes.h and links its library alone (see
// docs/architecture.md); glu-opt and glu-compile take them all.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_PASSES_PASSES_H
#define GLU_PASSES_PASSES_H

#include "passes/codegen/common/Passes.h"
#include "passes/codegen/cpu/Passes.h"
#include "passes/codegen/gpu/Passes.h"
#include "passes/fuse/Passes.h"
#include "passes/lowering/Passes.h"
#include "passes/raise/Passes.h"

namespace mlir::ffn {

/// Registers every glu pass of every stage.
inline void registerGluPasses() {
  registerGluRaisePasses();
  registerGluFusePasses();
  registerGluLoweringPasses();
  registerGluCodegenCommonPasses();
  registerGluCodegenCpuPasses();
  registerGluCodegenGpuPasses();
}

} // namespace mlir::ffn

#endif // GLU_PASSES_PASSES_H
