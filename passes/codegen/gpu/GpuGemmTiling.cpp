//===- GpuGemmTiling.cpp - tile shapes of the tensor-core GEMMs -----------===//

#include "passes/codegen/gpu/GpuGemmTiling.h"

#include <algorithm>

using namespace mlir::ffn;

int64_t MmaTiling::accumulatorsPerThread(bool gated) const {
  return mmaTilesM() * mmaTilesN() * 4 * (gated ? 2 : 1);
}

int64_t MmaTiling::sharedMemoryBytes(bool gated) const {
  // One A tile and one B tile (gated: a gate and a linear tile) a stage.
  int64_t elements = tileM * tileK + tileK * tileN * (gated ? 2 : 1);
  return stages * elements * elementBytes;
}

int64_t MmaTiling::wgmmaRowElements(int64_t extent) const {
  return std::min<int64_t>(extent, 128 / elementBytes);
}

MmaTiling mlir::ffn::chooseMmaTiling(std::optional<int64_t> m,
                                     std::optional<int64_t> n, bool gated,
                                     int64_t elementBytes,
                                     MmaInstruction instruction) {
  MmaTiling tiling;
  tiling.elementBytes = elementBytes;
  tiling.instruction = instruction;
  // 64 bytes of K a stage.
  tiling.tileK = 64 / elementBytes;
  if (gated) {
    tiling.tileN = 64;
    tiling.warpsM = 4;
    tiling.warpsN = 2;
  }
  if (m && *m <= 64) {
    tiling.tileM = 64;
    tiling.warpsM = 2;
    tiling.warpsN = 4;
  } else if (!gated && n && *n <= 64) {
    tiling.tileN = 64;
    tiling.warpsM = 4;
    tiling.warpsN = 2;
  }
  if (tiling.isWgmma()) {
    // 8 warps in two warpgroups of 64 rows: both along M, or side by side.
    tiling.warpsM = tiling.tileM / 16;
    tiling.warpsN = 8 / tiling.warpsM;
    // Two tiles loading, one multiplied, one still in its wgmmas.
    tiling.stages = 4;
  }
  return tiling;
}

bool mlir::ffn::isValidMmaTiling(const MmaTiling &tiling, bool gated,
                                 std::string *why) {
  auto fail = [&](const std::string &reason) {
    if (why)
      *why = reason;
    return false;
  };
  if (tiling.warpsM <= 0 || tiling.warpsN <= 0 || tiling.stages < 2)
    return fail("a tiling needs at least one warp and two stages");
  if (tiling.tileM % tiling.warpsM || tiling.tileN % tiling.warpsN)
    return fail("the CTA tile does not split evenly over the warps");
  if (tiling.isWgmma()) {
    if (tiling.elementBytes != 2)
      return fail("wgmma kernels take 16-bit operands");
    if (tiling.warpTileM() != 16 || tiling.warpsM % 4)
      return fail("a wgmma warpgroup is 4 warps of 16 rows along M");
    if (tiling.warpTileN() % 16 || tiling.warpTileN() > 256)
      return fail("a wgmma's N must be a multiple of 16 up to 256");
    // What one wgmma reads along a tile's contiguous index: K, or 64 rows
    // of a transposed A, or warpTileN columns of a [K, N] B.
    for (int64_t extent : {tiling.tileK, int64_t(64), tiling.warpTileN()}) {
      int64_t row = tiling.wgmmaRowElements(extent) * tiling.elementBytes;
      if ((row != 32 && row != 64 && row != 128) ||
          extent % tiling.wgmmaRowElements(extent))
        return fail("a wgmma tile's contiguous extent must be 32, 64 or a "
                    "multiple of 128 bytes (the rows of a swizzle)");
    }
  }
  if (tiling.warpTileM() % 16 || tiling.warpTileN() % 16 ||
      tiling.warpTileM() == 0 || tiling.warpTileN() == 0)
    return fail("a warp tile must be whole 16 x 16 blocks");
  if (tiling.elementBytes != 2 && tiling.elementBytes != 4)
    return fail("operands are 16-bit or f32 (tf32)");
  if (tiling.tileK % tiling.mmaK() || tiling.tileK == 0)
    return fail("the K step must be whole mma k-steps");
  int64_t chunk = tiling.chunkElements();
  auto splits = [&](int64_t rows, int64_t cols) {
    return cols % chunk == 0 && (rows * cols / chunk) % tiling.threads() == 0;
  };
  // A is stored [tileM][tileK] or [tileK][tileM], B [tileK][tileN] or
  // [tileN][tileK]: either way the tile's chunks split over the threads
  // when both extents are multiples of the chunk.
  if (tiling.tileM % chunk || tiling.tileN % chunk ||
      !splits(tiling.tileM, tiling.tileK) ||
      !splits(tiling.tileK, tiling.tileN))
    return fail("a tile's 16-byte chunks do not split evenly over the "
                "threads");
  if (tiling.isWgmma()) {
    if (tiling.stages < 3)
      return fail("a wgmma pipeline needs 3 stages: one loading, one "
                  "multiplied, one read by the wgmmas still in flight");
    if (tiling.sharedMemoryBytes(gated) > kMaxWgmmaSharedMemoryBytes)
      return fail("the stages need more than 226 KiB of shared memory");
  } else if (tiling.sharedMemoryBytes(gated) > kMaxStaticSharedMemoryBytes) {
    return fail("the stages need more than 48 KiB of shared memory");
  }
  return true;
}
