//===- GpuGemmTiling.h - tile shapes of the tensor-core GEMMs ---*- C++ -*-===//
//
// The one place where the tensor-core GEMM kernels' tile shapes are chosen:
// the CTA tile, how it splits over warps, the K step and the depth of the
// cp.async pipeline, from what is known of the problem at compile time.
// The kernel emitter (GpuMmaGemmKernel.cpp) takes a tiling and never picks
// a constant of its own.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_PASSES_CODEGEN_GPU_GPUGEMMTILING_H
#define GLU_PASSES_CODEGEN_GPU_GPUGEMMTILING_H

#include <cstdint>
#include <optional>
#include <string>

namespace mlir::ffn {

/// The tensor-core instruction a GEMM kernel computes with.
enum class MmaInstruction {
  /// Warp-level mma.sync (sm_80 and later), fragments loaded by ldmatrix.
  MmaSync,
  /// Warpgroup-level wgmma.mma_async (sm_90a), operands read from shared
  /// memory through matrix descriptors.
  Wgmma,
};

/// The tiles of one tensor-core GEMM kernel. Columns are output columns:
/// for the gated GEMM, h columns, each reading a gate and a linear column of
/// the packed weight (two B tiles, two accumulators per output).
///
/// With wgmma the warps form warpgroups of 4 consecutive warps stacked along
/// M: a warpgroup computes a 64 x warpTileN block, its warp w the 16 rows
/// 16 w .. 16 w + 15 of it (warpTileM is 16 and warpsM a multiple of 4).
struct MmaTiling {
  /// The CTA's output tile and its K step.
  int64_t tileM = 128, tileN = 128, tileK = 32;
  /// Warps along M and N; each warp owns a (tileM / warpsM) x
  /// (tileN / warpsN) block of the CTA's tile.
  int64_t warpsM = 2, warpsN = 4;
  /// K tiles in flight through shared memory (cp.async groups).
  int64_t stages = 3;
  /// Bytes of an operand element: 2 (bf16, f16: mma.sync m16n8k16) or 4
  /// (f32 read as tf32: mma.sync m16n8k8).
  int64_t elementBytes = 2;
  /// The instruction; wgmma needs 16-bit operands.
  MmaInstruction instruction = MmaInstruction::MmaSync;

  bool isWgmma() const { return instruction == MmaInstruction::Wgmma; }
  int64_t warpTileM() const { return tileM / warpsM; }
  int64_t warpTileN() const { return tileN / warpsN; }
  int64_t threads() const { return 32 * warpsM * warpsN; }
  /// Warpgroups along M (wgmma).
  int64_t warpgroupsM() const { return warpsM / 4; }
  /// mma.sync operations of a warp along M and N.
  int64_t mmaTilesM() const { return warpTileM() / 16; }
  int64_t mmaTilesN() const { return warpTileN() / 8; }
  /// The K of one mma.sync: 16 for 16-bit operands, 8 for tf32.
  int64_t mmaK() const { return elementBytes == 4 ? 8 : 16; }
  /// Elements in one 16-byte cp.async chunk.
  int64_t chunkElements() const { return 16 / elementBytes; }
  /// f32 accumulators of one thread (twice as many when gated).
  int64_t accumulatorsPerThread(bool gated) const;
  /// Bytes of shared memory of all stages.
  int64_t sharedMemoryBytes(bool gated) const;
  /// wgmma: the elements of one swizzled shared-memory row of a tile whose
  /// contiguous index one wgmma reads `extent` of (K-major tiles: tileK;
  /// MN-major ones: 64 rows of A, warpTileN columns of B): at most 128
  /// bytes (the widest swizzle), the tile's columns split into panels of
  /// that many.
  int64_t wgmmaRowElements(int64_t extent) const;
};

/// 16-bit elements in one 16-byte cp.async chunk: the unit in which the
/// kernels copy and swizzle their shared tiles (MmaTiling::chunkElements
/// for either element size).
inline constexpr int64_t kMmaChunkElements = 8;

/// The most static shared memory a kernel may declare (48 KiB).
inline constexpr int64_t kMaxStaticSharedMemoryBytes = 48 * 1024;

/// The most dynamic shared memory a wgmma kernel's stages may take: sm_90's
/// 227 KiB a block, less 1 KiB for the mbarriers (the stages start
/// 1024-byte aligned after them).
inline constexpr int64_t kMaxWgmmaSharedMemoryBytes = 226 * 1024;

/// The tiling for an M x N GEMM (each extent when known at compile time),
/// `gated` or not, with operands of `elementBytes` (2: bf16, f16; 4: f32 on
/// tf32 tensor cores) bytes (K does not change it):
///
///   - 256 threads (8 warps), K steps of 32 16-bit elements (two m16n8k16
///     k-steps) or 16 f32 ones (two m16n8k8 k-steps), three stages (48 KiB
///     of shared memory at the largest tile either way);
///   - plain GEMMs: 128 x 128, warps 2 x 4 of 64 x 32; gated: 128 x 64 h
///     columns (128 packed columns), warps 4 x 2 of 32 x 32: both 64
///     accumulators a thread;
///   - M known to be at most 64 (decoding, small batches): 64-row tiles
///     (warps 2 x 4), so that half of every CTA is not padding;
///   - plain with N known to be at most 64: 64-column tiles (warps 4 x 2).
///
/// With `instruction` wgmma (16-bit operands only) the CTA tiles are the
/// same and the 8 warps form 2 warpgroups: stacked along M for 128-row
/// tiles (each one m64 wgmma per operand tile and k16 step, n the tile's
/// width: 128, or 64 gated), side by side along N for 64-row ones. Four
/// stages (64 KiB at the largest tile, dynamic shared memory): two K tiles
/// load ahead while the warpgroups multiply one and the wgmmas of the one
/// before may still run.
MmaTiling chooseMmaTiling(std::optional<int64_t> m, std::optional<int64_t> n,
                          bool gated, int64_t elementBytes = 2,
                          MmaInstruction instruction = MmaInstruction::MmaSync);

/// Whether the kernel can be built with `tiling`: warp tiles of whole
/// m16 x n16 blocks (ldmatrix.x4 loads two n8 fragments), a K step of whole
/// k16 steps (wgmma: warpgroups of 64 x warpTileN with warpTileN a
/// multiple of 8 up to 256, 16-bit operands, each contiguous extent of
/// 32, 64 or a multiple of 128 bytes: a swizzle's rows), every tile copied
/// in 16-byte
/// chunks split evenly over the threads, and shared memory within
/// kMaxStaticSharedMemoryBytes (wgmma: at least 3 stages, within
/// kMaxWgmmaSharedMemoryBytes). On failure, says why in `why` when given.
bool isValidMmaTiling(const MmaTiling &tiling, bool gated,
                      std::string *why = nullptr);

} // namespace mlir::ffn

#endif // GLU_PASSES_CODEGEN_GPU_GPUGEMMTILING_H
