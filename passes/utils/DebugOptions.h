//===- DebugOptions.h - -debug and -debug-only for glu tools ----*- C++ -*-===//
//
// A release build of LLVM (Debian's) registers neither -debug nor
// -debug-only, and compiles its own LLVM_DEBUG output out. glu's code keeps
// LLVM_DEBUG (GLU_ENABLE_DEBUG_OUTPUT compiles it with -UNDEBUG), and its
// tools register the two options here, so that
//
//   glu-opt in.mlir --ffn-raise -debug-only=ffn-raise
//
// explains what a pass decided. Each pass's debug type is its argument.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_PASSES_UTILS_DEBUGOPTIONS_H
#define GLU_PASSES_UTILS_DEBUGOPTIONS_H

namespace mlir::ffn {

/// Registers `-debug` (all debug output) and
/// `-debug-only=<type>[,<type>...]` (the output of those debug types) as
/// command-line options, unless LLVM registered them already (an LLVM built
/// with assertions). Call it before parsing the command line.
void registerDebugOptions();

} // namespace mlir::ffn

#endif // GLU_PASSES_UTILS_DEBUGOPTIONS_H
