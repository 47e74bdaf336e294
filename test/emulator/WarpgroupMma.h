//===- WarpgroupMma.h - wgmma.mma_async as PTX defines it -------*- C++ -*-===//
//
// What the emulator needs of the warpgroup-level wgmma.mma_async with A and
// B in shared memory, written from the PTX ISA's description (sections
// "Matrix Descriptor Format", "Shared Memory Matrix Layout" and "Matrix
// fragments for wgmma.m64nNk16") independently of glu's kernel emitter:
// decoding a matrix descriptor, the address of each operand element, and
// which accumulator each thread holds.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_TEST_EMULATOR_WARPGROUPMMA_H
#define GLU_TEST_EMULATOR_WARPGROUPMMA_H

#include <cstdint>
#include <string>
#include <utility>

namespace glu::emulator {

inline constexpr unsigned kWarpgroupThreads = 128;

/// A 64-bit shared-memory matrix descriptor: start address, leading and
/// stride dimension byte offsets (each stored >> 4 in 14 bits: bits 0-13,
/// 16-29, 32-45), the matrix base offset (bits 49-51) and the swizzle mode
/// (bits 62-63: 0 none, 1 128-byte, 2 64-byte, 3 32-byte).
struct WgmmaDescriptor {
  uint64_t startAddress = 0, leadingByteOffset = 0, strideByteOffset = 0;
  unsigned baseOffset = 0, swizzle = 0;
};

WgmmaDescriptor decodeWgmmaDescriptor(uint64_t bits);

/// Why the emulator cannot read through `descriptor`, or empty: it follows
/// the layout without swizzle only (whose base offset must be 0).
std::string unsupportedWgmmaDescriptor(const WgmmaDescriptor &descriptor);

/// The shared-memory byte address of element (`mn`, `k`) of a 16-bit
/// operand (A: mn = m; B: mn = n) without swizzle. The operand is made of
/// core matrices of 8 rows of 16 bytes, 128 contiguous bytes each; the rows
/// run along M or N and the 16 bytes along K when the operand is K-major
/// (A "row", B "col": no transpose), the other way round when it is
/// MN-major (transposed). Core matrices adjacent along K are the leading
/// byte offset apart, those adjacent along M or N the stride byte offset.
uint64_t wgmmaElementAddress(const WgmmaDescriptor &descriptor, bool mnMajor,
                             int64_t mn, int64_t k);

/// (row, column) of D = A B + D's element in register `i` of `thread`
/// (0..127) of a warpgroup for m64nN with f32 accumulators: warp w = thread
/// / 32 holds rows 16 w .. 16 w + 15; with lane l, register i is at row
/// 16 w + l / 4 + 8 ((i / 2) % 2), column 8 (i / 4) + 2 (l % 4) + i % 2.
std::pair<unsigned, unsigned> wgmmaAccumulatorPosition(unsigned thread,
                                                       unsigned i);

} // namespace glu::emulator

#endif // GLU_TEST_EMULATOR_WARPGROUPMMA_H
