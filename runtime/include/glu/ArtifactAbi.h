/*===- ArtifactAbi.h - the contract between glu-compile and the runtime -===*\
|*                                                                          *|
|* The one place that spells the artifact's contract: the names and the     *|
|* version of the symbols model.so exports, the manifest's format version   *|
|* and target names, and the MLIR attribute names the compiler records the  *|
|* manifest's facts in. Shared by the passes (glu-emit-entry-points), the   *|
|* tools (glu-compile's manifest writer) and the runtime (the loader). C    *|
|* and C++; no MLIR, no LLVM. See docs/artifact-format.md.                  *|
\*===----------------------------------------------------------------------===*/

#ifndef GLU_ARTIFACT_ABI_H
#define GLU_ARTIFACT_ABI_H

/* The calling convention of the entry points (bump on any change):
 * void GLU_ENTRY_PREFIX<name>(void **args), arguments then results as
 * out-parameters, memrefs as pointers to their descriptors. The code
 * writes no argument except those a result updates in place (manifest
 * "updates"): such a result has no out-parameter, its value is the
 * argument's buffer after the call. Version 3 added in-place results. */
#define GLU_ABI_VERSION 3
/* int32_t glu_abi_version(void) returns GLU_ABI_VERSION (for tools such as
 * nm; the runtime reads the version from the signatures, calling nothing). */
#define GLU_ABI_VERSION_SYMBOL "glu_abi_version"
/* Each entry point <name> is exported as GLU_ENTRY_PREFIX "<name>". */
#define GLU_ENTRY_PREFIX "glu_entry_"
/* Each entry point <name> has a signature, the NUL-terminated string
 * `const char GLU_SIGNATURE_PREFIX "<name>"[]`, that says what the code was
 * compiled for: ABI version, target, arguments and results with their
 * names, element types and shapes (glu/ArtifactSignature.h formats it). The
 * runtime compares it with the manifest's entry before any call. */
#define GLU_SIGNATURE_PREFIX "glu_signature_"

/* manifest.json's "version". Version 2 records the library's size and
 * SHA-256 ("library_bytes", "library_sha256"), checked before dlopen, and
 * (optional, added later without a new version: older runtimes ignore it)
 * the target triple of its code ("triple"), whose architecture a runtime
 * compares with its own before dlopen. */
#define GLU_MANIFEST_VERSION 2
/* The artifact's files. */
#define GLU_MANIFEST_FILE "manifest.json"
#define GLU_LIBRARY_FILE "model.so"
/* manifest.json's "target". */
#define GLU_TARGET_CPU "cpu"
#define GLU_TARGET_CUDA "cuda"

/* Attributes the compiler reads to write the manifest: an argument's or a
 * result's name, the packed-argument records of ffn-fuse
 * pack-arguments=true (#ffn.packed_argument), and the results updated in
 * place. */
#define GLU_NAME_ATTR "ffn.name"
#define GLU_PACKED_ARGUMENTS_ATTR "ffn.packed_arguments"
/* On a lowered entry point (glu-drop-in-place-results): for each result the
 * index of the argument it updates in place, or -1 for an out-parameter. */
#define GLU_IN_PLACE_RESULTS_ATTR "ffn.in_place_results"
/* The layout name of ffn.pack_gated in the manifest. */
#define GLU_PACKED_LAYOUT "interleaved_column_blocks"

#endif /* GLU_ARTIFACT_ABI_H */
