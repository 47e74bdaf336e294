//===- WarpgroupMma.cpp - wgmma.mma_async as PTX defines it ---------------===//

#include "WarpgroupMma.h"

namespace glu::emulator {

WgmmaDescriptor decodeWgmmaDescriptor(uint64_t bits) {
  auto field = [&](unsigned first, unsigned width) {
    return (bits >> first) & ((uint64_t(1) << width) - 1);
  };
  WgmmaDescriptor d;
  d.startAddress = field(0, 14) << 4;
  d.leadingByteOffset = field(16, 14) << 4;
  d.strideByteOffset = field(32, 14) << 4;
  d.baseOffset = unsigned(field(49, 3));
  d.swizzle = unsigned(field(62, 2));
  return d;
}

std::string unsupportedWgmmaDescriptor(const WgmmaDescriptor &descriptor) {
  if (descriptor.baseOffset != 0)
    return "the emulator reads wgmma operands whose matrix base offset is 0 "
           "only, not " +
           std::to_string(descriptor.baseOffset);
  return {};
}

unsigned wgmmaSwizzleBytes(unsigned swizzleMode) {
  switch (swizzleMode) {
  case 1:
    return 128;
  case 2:
    return 64;
  case 3:
    return 32;
  default:
    return 0;
  }
}

uint64_t swizzleSharedAddress(uint64_t address, unsigned swizzleBytes) {
  if (swizzleBytes == 0)
    return address;
  uint64_t mask = swizzleBytes / 16 - 1;
  return address ^ (((address >> 7) & mask) << 4);
}

uint64_t wgmmaElementAddress(const WgmmaDescriptor &descriptor, bool mnMajor,
                             int64_t mn, int64_t k) {
  unsigned rowBytes = wgmmaSwizzleBytes(descriptor.swizzle);
  if (rowBytes == 0) {
    uint64_t core = descriptor.startAddress +
                    uint64_t(k / 8) * descriptor.leadingByteOffset +
                    uint64_t(mn / 8) * descriptor.strideByteOffset;
    // Within a core matrix: 8 rows of 16 bytes (8 elements of 2 bytes).
    int64_t row = mnMajor ? k % 8 : mn % 8;
    int64_t column = mnMajor ? mn % 8 : k % 8;
    return core + uint64_t(row * 16 + column * 2);
  }
  uint64_t address = descriptor.startAddress;
  if (mnMajor) {
    int64_t rowElements = rowBytes / 2;
    address += uint64_t(mn / rowElements) * descriptor.leadingByteOffset +
               uint64_t(mn % rowElements) * 2 +
               uint64_t(k / 8) * descriptor.strideByteOffset +
               uint64_t(k % 8) * rowBytes;
  } else {
    address += uint64_t(mn / 8) * descriptor.strideByteOffset +
               uint64_t(mn % 8) * rowBytes + uint64_t(k) * 2;
  }
  return swizzleSharedAddress(address, rowBytes);
}

std::pair<unsigned, unsigned> wgmmaAccumulatorPosition(unsigned thread,
                                                       unsigned i) {
  unsigned warp = thread / 32, lane = thread % 32;
  return {16 * warp + lane / 4 + 8 * ((i / 2) % 2),
          8 * (i / 4) + 2 * (lane % 4) + i % 2};
}

} // namespace glu::emulator
