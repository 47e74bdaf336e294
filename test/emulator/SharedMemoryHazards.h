//===- SharedMemoryHazards.h - races and cp.async in a thread block -*- C++
//-*-===//
//
// The ordering rules of a thread block's shared memory, checked on every
// access: between two barriers an element may be written by one thread
// and then read or written only by that thread; a cp.async destination
// belongs to the copy from its issue until the issuing thread's
// cp.async.wait_group covers its group, and counts as that thread's write
// from then on. Lockstep execution would hide every one of these races (it
// runs each instruction for all threads before the next), so they are
// reported instead. The pending copies' data lands in storage when their
// group completes.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_TEST_EMULATOR_SHAREDMEMORYHAZARDS_H
#define GLU_TEST_EMULATOR_SHAREDMEMORYHAZARDS_H

#include "KernelEmulator.h"

#include "llvm/ADT/DenseMap.h"

#include <deque>
#include <string>
#include <vector>

namespace glu::emulator {

class SharedMemoryHazards {
public:
  explicit SharedMemoryHazards(unsigned threads);

  /// Each check returns an empty string when the access is allowed, or
  /// what is wrong with it. Storages that are not workgroup memory pass.
  std::string read(Storage &storage, int64_t index, unsigned thread);
  std::string write(Storage &storage, int64_t index, unsigned thread);
  /// A cp.async element: checked as a write, then pending in the thread's
  /// open group with the value it will deliver.
  std::string beginAsyncWrite(Storage &storage, int64_t index, unsigned thread,
                              uint64_t bits);
  /// cp.async.commit_group.
  void commitGroup(unsigned thread);
  /// cp.async.wait_group `pending`: completes the thread's older groups.
  void waitGroups(unsigned thread, unsigned pending);
  /// bar.sync: a new interval in which accesses are ordered again.
  void barrier() { ++epoch; }
  /// At the kernel's end: copies never waited for.
  std::string finish() const;

private:
  static constexpr int32_t kNobody = -1, kManyThreads = -2;
  static constexpr uint32_t kNever = ~0u;
  struct ElementState {
    int32_t writer = kNobody, reader = kNobody, inflight = kNobody;
    uint32_t writeEpoch = kNever, readEpoch = kNever;
  };
  struct PendingWrite {
    Storage *storage;
    int64_t index;
    uint64_t bits;
  };

  ElementState &state(Storage &storage, int64_t index);

  llvm::DenseMap<Storage *, std::vector<ElementState>> states;
  std::vector<std::vector<PendingWrite>> open;
  std::vector<std::deque<std::vector<PendingWrite>>> committed;
  uint32_t epoch = 0;
};

} // namespace glu::emulator

#endif // GLU_TEST_EMULATOR_SHAREDMEMORYHAZARDS_H
