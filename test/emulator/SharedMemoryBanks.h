//===- SharedMemoryBanks.h - bank conflicts of warp-wide accesses -*- C++
//-*-===//
//
// Shared memory on sm_80 and sm_90 is 32 banks of 4-byte words, 128 bytes a
// cycle. A warp's access is served in phases of 128 / bytes lanes (all 32
// lanes when each moves at most 4 bytes); within a phase a bank delivers
// one distinct word per wavefront (lanes that touch the same word share
// it). The emulator counts the wavefronts of the kernels' shared accesses
// so that tests can say a copy or fragment load is free of bank conflicts
// (one wavefront a phase) without a GPU's profiler.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_TEST_EMULATOR_SHAREDMEMORYBANKS_H
#define GLU_TEST_EMULATOR_SHAREDMEMORYBANKS_H

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>

namespace glu::emulator {

/// One lane's part of a warp-wide shared access.
struct BankAccess {
  unsigned lane;
  uint64_t address;
  unsigned bytes;
};

/// Phases and wavefronts of accesses; conflict-free when they are equal.
struct BankUse {
  int64_t phases = 0, wavefronts = 0;

  BankUse &operator+=(const BankUse &other) {
    phases += other.phases;
    wavefronts += other.wavefronts;
    return *this;
  }
};

/// The phases and wavefronts of one warp's `accesses` (lanes 0..31, each
/// access of the same size).
BankUse countWavefronts(llvm::ArrayRef<BankAccess> accesses);

} // namespace glu::emulator

#endif // GLU_TEST_EMULATOR_SHAREDMEMORYBANKS_H
