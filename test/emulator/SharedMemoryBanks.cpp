//===- SharedMemoryBanks.cpp - bank conflicts of warp-wide accesses -------===//

#include "SharedMemoryBanks.h"

#include "llvm/ADT/DenseSet.h"

#include <algorithm>
#include <array>

namespace glu::emulator {

BankUse countWavefronts(llvm::ArrayRef<BankAccess> accesses) {
  BankUse use;
  if (accesses.empty())
    return use;
  unsigned bytes = std::max(accesses.front().bytes, 4u);
  unsigned lanesPerPhase = std::max(1u, 128 / bytes);
  for (unsigned first = 0; first < 32; first += lanesPerPhase) {
    std::array<llvm::SmallDenseSet<uint64_t, 4>, 32> words;
    bool any = false;
    for (const BankAccess &a : accesses) {
      if (a.lane < first || a.lane >= first + lanesPerPhase)
        continue;
      any = true;
      for (uint64_t w = a.address / 4; w < (a.address + a.bytes + 3) / 4; ++w)
        words[w % 32].insert(w);
    }
    if (!any)
      continue;
    ++use.phases;
    size_t most = 1;
    for (const auto &bank : words)
      most = std::max(most, size_t(bank.size()));
    use.wavefronts += int64_t(most);
  }
  return use;
}

} // namespace glu::emulator
