//===- Target.cpp - what a compilation targets ----------------------------===//

#include "passes/utils/Target.h"
#include "glu/ArtifactAbi.h"

#include "llvm/ADT/StringSwitch.h"

using namespace mlir;
using namespace mlir::ffn;

StringRef mlir::ffn::stringifyTarget(Target target) {
  switch (target) {
  case Target::Cpu:
    return GLU_TARGET_CPU;
  case Target::Cuda:
    return GLU_TARGET_CUDA;
  }
  llvm_unreachable("unknown target");
}

std::optional<Target> mlir::ffn::parseTarget(StringRef name) {
  return llvm::StringSwitch<std::optional<Target>>(name)
      .Case(GLU_TARGET_CPU, Target::Cpu)
      .Case(GLU_TARGET_CUDA, Target::Cuda)
      .Default(std::nullopt);
}

int64_t mlir::ffn::getDefaultBlockSize(Target target) {
  switch (target) {
  case Target::Cpu:
    return 64;
  case Target::Cuda:
    return 128;
  }
  llvm_unreachable("unknown target");
}
