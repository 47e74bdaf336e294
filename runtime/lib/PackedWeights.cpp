//===- PackedWeights.cpp - Packing gate/linear weight pairs ---------------===//
//
// The layout of ffn.pack_gated (dialect/FFNFusedOps.td; lowered by
// LowerPackGated in passes/lowering/FusedOpsToLinalg.cpp): per row, the
// full blocks [W block j | V block j] at packed columns 2jB.., then the
// ragged tails W[full:] at 2 * full and V[full:] at 2 * full + tail.
//
//===----------------------------------------------------------------------===//

#include "glu/PackedWeights.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>

namespace glu {

namespace {

/// The bytes of one unpacked half (rows * cols elements); throws on bad
/// arguments or if twice as many bytes overflow int64.
size_t halfBytes(const char *fn, int64_t rows, int64_t cols, int64_t blockSize,
                 size_t elementBytes) {
  auto bad = [&](const std::string &what) {
    return Error(std::string(fn) + ": " + what);
  };
  if (rows < 0 || cols < 0)
    throw bad("negative rows (" + std::to_string(rows) + ") or columns (" +
              std::to_string(cols) + ")");
  if (blockSize <= 0)
    throw bad("the block size must be positive, got " +
              std::to_string(blockSize));
  if (elementBytes == 0)
    throw bad("the element size must be positive");
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  int64_t size = static_cast<int64_t>(elementBytes);
  if (elementBytes > static_cast<size_t>(kMax) ||
      (rows != 0 && cols > kMax / rows) ||
      (rows * cols != 0 && size > kMax / 2 / (rows * cols)))
    throw bad(std::to_string(rows) + " rows of 2 * " + std::to_string(cols) +
              " columns of " + std::to_string(elementBytes) +
              " bytes overflow 64 bits");
  return static_cast<size_t>(rows * cols * size);
}

/// Whether [a, a + aBytes) and [b, b + bBytes) share a byte.
bool overlap(const void *a, size_t aBytes, const void *b, size_t bBytes) {
  auto x = reinterpret_cast<std::uintptr_t>(a);
  auto y = reinterpret_cast<std::uintptr_t>(b);
  return aBytes != 0 && bBytes != 0 && x < y + bBytes && y < x + aBytes;
}

void checkDisjoint(const char *fn, const void *packed, const void *gate,
                   const void *linear, size_t half) {
  if (overlap(gate, half, linear, half) ||
      overlap(packed, 2 * half, gate, half) ||
      overlap(packed, 2 * half, linear, half))
    throw Error(std::string(fn) + ": the gate, linear and packed buffers " +
                "overlap");
}

/// Copies between the packed rows and the two halves: to the packed
/// buffer if `pack`, from it otherwise.
void copyColumns(bool pack, char *packed, char *gate, char *linear,
                 int64_t rows, int64_t cols, int64_t blockSize,
                 size_t elementBytes) {
  size_t rowBytes = static_cast<size_t>(cols) * elementBytes;
  for (int64_t r = 0; r < rows; ++r) {
    char *g = gate + static_cast<size_t>(r) * rowBytes;
    char *l = linear + static_cast<size_t>(r) * rowBytes;
    char *p = packed + 2 * static_cast<size_t>(r) * rowBytes;
    // Block by block, the last one ragged (c + blockSize may overflow).
    for (int64_t c = 0; c < cols;) {
      int64_t width = std::min(blockSize, cols - c);
      size_t offset = static_cast<size_t>(c) * elementBytes;
      size_t n = static_cast<size_t>(width) * elementBytes;
      if (pack) {
        std::memcpy(p, g + offset, n);
        std::memcpy(p + n, l + offset, n);
      } else {
        std::memcpy(g + offset, p, n);
        std::memcpy(l + offset, p + n, n);
      }
      p += 2 * n;
      c += width;
    }
  }
}

/// rows and cols of an argument of `packedType` packed as `layout`, after
/// checking the shapes and, unless `sizes` is null, the buffers' sizes
/// (gate, linear, packed).
void checkLayout(const char *fn, const PackedLayout &layout,
                 const TensorType &packedType, const size_t *sizes,
                 int64_t &rows, int64_t &cols) {
  auto bad = [&](const std::string &what) {
    return Error(std::string(fn) + ": " + what);
  };
  TensorType half{packedType.dtype, layout.halfShape};
  if (half.shape.empty())
    throw bad("a rank-0 tensor cannot be packed");
  TensorType expected = half;
  size_t halfSize = 0, packedSize = 0;
  try {
    halfSize = half.numBytes(); // throws on negative sizes and overflow
    if (expected.shape.back() > std::numeric_limits<int64_t>::max() / 2)
      throw Error("twice the last dimension of " + half.str() +
                  " overflows 64 bits");
    expected.shape.back() *= 2;
    packedSize = expected.numBytes();
  } catch (const Error &e) {
    throw bad(e.what());
  }
  if (packedType != expected)
    throw bad("the packed type is " + packedType.str() + ", but gate and " +
              "linear " + half.str() + " pack into " + expected.str());
  auto sizeCheck = [&](const char *what, size_t given, size_t want,
                       const TensorType &type) {
    if (given != want)
      throw bad(std::string("the ") + what + " buffer holds " +
                std::to_string(given) + " bytes, but " + type.str() +
                " takes " + std::to_string(want));
  };
  if (sizes) {
    sizeCheck("gate", sizes[0], halfSize, half);
    sizeCheck("linear", sizes[1], halfSize, half);
    sizeCheck("packed", sizes[2], packedSize, expected);
  }
  cols = half.shape.back();
  rows = 1;
  for (size_t i = 0; i + 1 < half.shape.size(); ++i)
    rows *= half.shape[i]; // cannot overflow: numBytes() did not
}

} // namespace

void packGatedColumns(const void *gate, const void *linear, void *packed,
                      int64_t rows, int64_t cols, int64_t blockSize,
                      size_t elementBytes) {
  const char *fn = "packGatedColumns";
  size_t half = halfBytes(fn, rows, cols, blockSize, elementBytes);
  checkDisjoint(fn, packed, gate, linear, half);
  copyColumns(true, static_cast<char *>(packed),
              const_cast<char *>(static_cast<const char *>(gate)),
              const_cast<char *>(static_cast<const char *>(linear)), rows, cols,
              blockSize, elementBytes);
}

void unpackGatedColumns(const void *packed, void *gate, void *linear,
                        int64_t rows, int64_t cols, int64_t blockSize,
                        size_t elementBytes) {
  const char *fn = "unpackGatedColumns";
  size_t half = halfBytes(fn, rows, cols, blockSize, elementBytes);
  checkDisjoint(fn, packed, gate, linear, half);
  copyColumns(false, const_cast<char *>(static_cast<const char *>(packed)),
              static_cast<char *>(gate), static_cast<char *>(linear), rows,
              cols, blockSize, elementBytes);
}

void packGatedColumns(const PackedLayout &layout, const TensorType &packedType,
                      const void *gate, const void *linear, void *packed) {
  int64_t rows = 0, cols = 0;
  checkLayout("packGatedColumns", layout, packedType, nullptr, rows, cols);
  packGatedColumns(gate, linear, packed, rows, cols, layout.blockSize,
                   dtypeSize(packedType.dtype));
}

void unpackGatedColumns(const PackedLayout &layout,
                        const TensorType &packedType, const void *packed,
                        void *gate, void *linear) {
  int64_t rows = 0, cols = 0;
  checkLayout("unpackGatedColumns", layout, packedType, nullptr, rows, cols);
  unpackGatedColumns(packed, gate, linear, rows, cols, layout.blockSize,
                     dtypeSize(packedType.dtype));
}

void packGatedColumns(const PackedLayout &layout, const TensorType &packedType,
                      const void *gate, size_t gateBytes, const void *linear,
                      size_t linearBytes, void *packed, size_t packedBytes) {
  int64_t rows = 0, cols = 0;
  const size_t sizes[] = {gateBytes, linearBytes, packedBytes};
  checkLayout("packGatedColumns", layout, packedType, sizes, rows, cols);
  packGatedColumns(gate, linear, packed, rows, cols, layout.blockSize,
                   dtypeSize(packedType.dtype));
}

void unpackGatedColumns(const PackedLayout &layout,
                        const TensorType &packedType, const void *packed,
                        size_t packedBytes, void *gate, size_t gateBytes,
                        void *linear, size_t linearBytes) {
  int64_t rows = 0, cols = 0;
  const size_t sizes[] = {gateBytes, linearBytes, packedBytes};
  checkLayout("unpackGatedColumns", layout, packedType, sizes, rows, cols);
  unpackGatedColumns(packed, gate, linear, rows, cols, layout.blockSize,
                     dtypeSize(packedType.dtype));
}

} // namespace glu
