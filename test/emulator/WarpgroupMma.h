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
/// the canonical layouts of every swizzle mode with a matrix base offset of
/// 0 (operands whose swizzle pattern starts at its repeat boundary).
std::string unsupportedWgmmaDescriptor(const WgmmaDescriptor &descriptor);

/// The bytes of one swizzled row of a swizzle mode (128, 64 or 32), 0 for
/// none. The same modes as a TMA tensor map's 128-, 64- and 32-byte
/// swizzles.
unsigned wgmmaSwizzleBytes(unsigned swizzleMode);

/// Shared-memory byte address `address` as a layout swizzled by rows of
/// `swizzleBytes` (128, 64 or 32; 0: unchanged) places it: its 16-byte
/// chunk index within the 128-byte line (bits 4 and up, log2(swizzleBytes
/// / 16) of them) XORed with as many bits of the line index (bits 7 and
/// up). TMA writes and wgmma reads swizzled data this way, from the
/// absolute address: a layout's pattern starts where an address is a
/// multiple of 8 rows.
uint64_t swizzleSharedAddress(uint64_t address, unsigned swizzleBytes);

/// The shared-memory byte address of element (`mn`, `k`) of a 16-bit
/// operand (A: mn = m; B: mn = n), as PTX's canonical layouts define it
/// (section "Shared Memory Matrix Layout"; T is 8 elements, 16 bytes):
///   - without swizzle, core matrices of 8 rows of 16 bytes, 128
///     contiguous bytes each, whose rows run along M or N and whose 16
///     bytes run along K when the operand is K-major (A "row", B "col": no
///     transpose), the other way round when it is MN-major (transposed);
///     core matrices adjacent along K are the leading byte offset apart,
///     those adjacent along M or N the stride byte offset;
///   - swizzled with rows of S bytes (S / 2 elements), K-major: row mn % 8
///     of an 8-row group S bytes after the previous one, k contiguous
///     within it, 8-row groups along M or N the stride byte offset apart
///     (the leading byte offset is not used: a k16 step's 32 bytes fit in
///     one row); MN-major: mn % (S / 2) contiguous within a row, rows along
///     K S bytes apart, 8-row groups along K the stride byte offset apart,
///     and the next S / 2 elements of M or N the leading byte offset
///     further; then swizzleSharedAddress.
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
