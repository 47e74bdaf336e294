//===- SharedMemoryHazards.cpp - races and cp.async in a thread block -----===//

#include "SharedMemoryHazards.h"

#include "llvm/Support/FormatVariadic.h"

namespace glu::emulator {

SharedMemoryHazards::SharedMemoryHazards(unsigned threads)
    : open(threads), committed(threads), proxyFences(threads, 0) {}

SharedMemoryHazards::ElementState &SharedMemoryHazards::state(Storage &storage,
                                                              int64_t index) {
  std::vector<ElementState> &elements = states[&storage];
  if (elements.empty())
    elements.resize(storage.bits.size());
  return elements[index];
}

std::string SharedMemoryHazards::read(Storage &storage, int64_t index,
                                      unsigned thread) {
  if (!storage.workgroup)
    return {};
  ElementState &s = state(storage, index);
  if (s.inflight != kNobody)
    return llvm::formatv("thread {0} reads shared element {1} while a "
                         "cp.async of thread {2} may still be writing it "
                         "(no cp.async.wait_group covers that copy yet)",
                         thread, index, s.inflight);
  if (s.writeEpoch == epoch && s.writer != int32_t(thread))
    return llvm::formatv("thread {0} reads shared element {1}, written by "
                         "thread {2} since the last barrier",
                         thread, index, s.writer);
  if (s.readEpoch != epoch) {
    s.readEpoch = epoch;
    s.reader = thread;
  } else if (s.reader != int32_t(thread)) {
    s.reader = kManyThreads;
  }
  return {};
}

std::string SharedMemoryHazards::write(Storage &storage, int64_t index,
                                       unsigned thread) {
  if (!storage.workgroup)
    return {};
  ElementState &s = state(storage, index);
  if (s.inflight != kNobody)
    return llvm::formatv("thread {0} writes shared element {1} while a "
                         "cp.async of thread {2} is still writing it",
                         thread, index, s.inflight);
  if (s.writeEpoch == epoch && s.writer != int32_t(thread))
    return llvm::formatv("thread {0} writes shared element {1}, also written "
                         "by thread {2} since the last barrier",
                         thread, index, s.writer);
  if (s.readEpoch == epoch && s.reader != int32_t(thread))
    return llvm::formatv(
        "thread {0} overwrites shared element {1}, read by {2} since the "
        "last barrier",
        thread, index,
        s.reader == kManyThreads ? std::string("several threads")
                                 : "thread " + std::to_string(s.reader));
  if (s.wgmmaReaders)
    return llvm::formatv("thread {0} overwrites shared element {1} that a "
                         "wgmma still reads (no wgmma.wait_group covers it)",
                         thread, index);
  s.writer = thread;
  s.writeEpoch = epoch;
  s.writerFences = proxyFences[thread];
  return {};
}

std::string SharedMemoryHazards::beginAsyncWrite(Storage &storage,
                                                 int64_t index, unsigned thread,
                                                 uint64_t bits) {
  std::string hazard = write(storage, index, thread);
  if (!hazard.empty())
    return hazard;
  state(storage, index).inflight = thread;
  open[thread].push_back({&storage, index, bits});
  return {};
}

std::string SharedMemoryHazards::beginTmaWrite(Storage &storage, int64_t index,
                                               unsigned thread) {
  std::string hazard = write(storage, index, thread);
  if (!hazard.empty())
    return hazard;
  state(storage, index).inflight = thread;
  return {};
}

void SharedMemoryHazards::landTmaWrite(Storage &storage, int64_t index,
                                       uint64_t bits) {
  storage.bits[index] = bits;
  ElementState &s = state(storage, index);
  s.inflight = kNobody;
  s.writer = kNobody;
  s.writeEpoch = kNever;
}

void SharedMemoryHazards::commitGroup(unsigned thread) {
  committed[thread].push_back(std::move(open[thread]));
  open[thread].clear();
}

void SharedMemoryHazards::waitGroups(unsigned thread, unsigned pending) {
  std::deque<std::vector<PendingWrite>> &groups = committed[thread];
  while (groups.size() > pending) {
    for (const PendingWrite &w : groups.front()) {
      w.storage->bits[w.index] = w.bits;
      ElementState &s = state(*w.storage, w.index);
      s.inflight = kNobody;
      s.writer = thread;
      s.writeEpoch = epoch;
      s.writerFences = proxyFences[thread];
    }
    groups.pop_front();
  }
}

std::string SharedMemoryHazards::wgmmaRead(Storage &storage, int64_t index,
                                           unsigned thread) {
  std::string hazard = read(storage, index, thread);
  if (!hazard.empty())
    return hazard;
  ElementState &s = state(storage, index);
  if (s.writer >= 0 && proxyFences[s.writer] == s.writerFences)
    return llvm::formatv("a wgmma reads shared element {0}, which thread {1} "
                         "wrote without a fence.proxy.async after it",
                         index, s.writer);
  ++s.wgmmaReaders;
  openWgmmaReads.push_back(&s);
  return {};
}

void SharedMemoryHazards::commitWgmmaGroup() {
  committedWgmmaReads.push_back(std::move(openWgmmaReads));
  openWgmmaReads.clear();
}

void SharedMemoryHazards::waitWgmmaGroups(unsigned pending) {
  while (committedWgmmaReads.size() > pending) {
    for (ElementState *s : committedWgmmaReads.front())
      --s->wgmmaReaders;
    committedWgmmaReads.pop_front();
  }
}

std::string SharedMemoryHazards::finish() const {
  if (!openWgmmaReads.empty() || !committedWgmmaReads.empty())
    return "the kernel ends with wgmmas it never waited for";
  for (unsigned thread = 0; thread < open.size(); ++thread)
    if (!open[thread].empty() || !committed[thread].empty())
      return llvm::formatv("thread {0} ends with cp.async copies it never "
                           "waited for",
                           thread);
  return {};
}

} // namespace glu::emulator
