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
// wgmma reads shared memory through the async proxy: what a thread wrote
// (generic proxy, cp.async included) is visible to it only after that
// thread's fence.proxy.async, and an element a wgmma reads may not be
// written until a wgmma.wait_group covers that wgmma.
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
  /// A TMA (cp.async.bulk.tensor) element: checked as a write by the
  /// issuing thread, then in flight until landTmaWrite.
  std::string beginTmaWrite(Storage &storage, int64_t index, unsigned thread);
  /// The element lands when its mbarrier phase completes: written by the
  /// async proxy (no thread's write: wgmma reads it without a proxy fence;
  /// threads read it after waiting on the mbarrier).
  void landTmaWrite(Storage &storage, int64_t index, uint64_t bits);
  /// cp.async.commit_group.
  void commitGroup(unsigned thread);
  /// cp.async.wait_group `pending`: completes the thread's older groups.
  void waitGroups(unsigned thread, unsigned pending);
  /// bar.sync: a new interval in which accesses are ordered again.
  void barrier() { ++epoch; }
  /// A read by a wgmma issued by `thread`'s warpgroup (checked as that
  /// thread's read): the element must have been fenced for the async proxy
  /// by its writer; it stays read until the wgmma's group completes.
  std::string wgmmaRead(Storage &storage, int64_t index, unsigned thread);
  /// fence.proxy.async by `thread`: its writes so far become visible to
  /// the async proxy.
  void fenceProxyAsync(unsigned thread) { ++proxyFences[thread]; }
  /// wgmma.commit_group and wgmma.wait_group `pending` (the thread block's
  /// warpgroups run them together).
  void commitWgmmaGroup();
  void waitWgmmaGroups(unsigned pending);
  /// At the kernel's end: copies or wgmmas never waited for.
  std::string finish() const;

private:
  static constexpr int32_t kNobody = -1, kManyThreads = -2;
  static constexpr uint32_t kNever = ~0u;
  struct ElementState {
    int32_t writer = kNobody, reader = kNobody, inflight = kNobody;
    uint32_t writeEpoch = kNever, readEpoch = kNever;
    /// The writer's fence.proxy.async count when it wrote.
    uint32_t writerFences = 0;
    /// wgmmas not yet waited for that read the element.
    uint32_t wgmmaReaders = 0;
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
  std::vector<uint32_t> proxyFences;
  /// Elements read by wgmmas of the open group and of committed groups.
  std::vector<ElementState *> openWgmmaReads;
  std::deque<std::vector<ElementState *>> committedWgmmaReads;
  uint32_t epoch = 0;
};

} // namespace glu::emulator

#endif // GLU_TEST_EMULATOR_SHAREDMEMORYHAZARDS_H
