//===- ArtifactManifest.h - the manifest of a glu artifact ------*- C++ -*-===//
//
// What glu-compile records about each entry point before it lowers the
// module: the names, shapes and element types of its arguments and results,
// and which arguments are packed weight pairs. Written as manifest.json
// (docs/artifact-format.md), read by the runtime.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_TOOLS_GLU_COMPILE_ARTIFACTMANIFEST_H
#define GLU_TOOLS_GLU_COMPILE_ARTIFACTMANIFEST_H

#include "passes/utils/Target.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"
#include "llvm/Support/JSON.h"

#include "glu/ArtifactAbi.h"

#include <optional>
#include <string>
#include <vector>

namespace glu {

/// The manifest version this compiler writes.
constexpr int kManifestVersion = GLU_MANIFEST_VERSION;

/// A packed argument's record (#ffn.packed_argument), as the manifest
/// writes it.
struct PackedWeight {
  std::string layout = GLU_PACKED_LAYOUT;
  int64_t blockSize = 0;
  std::string gateName, linearName;
  std::vector<int64_t> gateShape, linearShape;
};

struct TensorSpec {
  std::string name;
  std::vector<int64_t> shape;
  std::string dtype;
  std::optional<PackedWeight> packed;
  /// A result: the index of the argument it updates in place, or -1.
  int64_t updates = -1;
};

struct EntryPointSpec {
  std::string name;
  std::vector<TensorSpec> arguments, results;
};

/// Collects the public functions of `module` (on tensors or memrefs) as
/// entry points. Fails with a diagnostic on anything the calling convention
/// cannot carry: dynamic shapes, non-tensor operands, unsupported element
/// types.
mlir::FailureOr<std::vector<EntryPointSpec>>
collectEntryPoints(mlir::ModuleOp module);

struct ManifestInfo {
  mlir::ffn::Target target = mlir::ffn::Target::Cpu;
  std::string library; // file name inside the artifact directory
  std::string source;  // the input file
  bool fused = true;
  std::string chip;   // cuda only
  std::string triple; // the target triple of the library's code
  std::vector<EntryPointSpec> entryPoints;
  int64_t libraryBytes = 0;  // the linked library's size
  std::string librarySha256; // and its SHA-256 (hexadecimal)
};

/// Reads, from `module` lowered to the LLVM dialect, which results of each
/// entry point update an argument in place (GLU_IN_PLACE_RESULTS_ATTR, set
/// by glu-drop-in-place-results) into `entryPoints`, and removes the
/// records. Fails on a record that does not fit the entry point.
mlir::LogicalResult
recordInPlaceResults(mlir::ModuleOp module,
                     std::vector<EntryPointSpec> &entryPoints);

/// Adds, for each entry point, the constant string GLU_SIGNATURE_PREFIX
/// <name> holding its signature (glu/ArtifactSignature.h) to `module`, an
/// LLVM-dialect module about to be translated; the runtime compares it with
/// the manifest before any call.
mlir::LogicalResult
embedEntrySignatures(mlir::ModuleOp module, mlir::ffn::Target target,
                     const std::vector<EntryPointSpec> &entryPoints);

llvm::json::Value toJSON(const ManifestInfo &info);

} // namespace glu

#endif // GLU_TOOLS_GLU_COMPILE_ARTIFACTMANIFEST_H
