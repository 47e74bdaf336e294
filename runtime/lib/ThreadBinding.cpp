//===- ThreadBinding.cpp - OpenMP threads bound to cores ------------------===//
//
// Part of the glu project.
//
//===----------------------------------------------------------------------===//

#include "ThreadBinding.h"
#include <cstdlib>
#include <mutex>
#include <sched.h>

namespace glu::detail {

std::vector<std::pair<std::string, std::string>>
chooseThreadBinding(const std::function<const char *(const char *)> &getenv,
                    int allowedCpus) {
  auto isSet = [&](const char *name) {
    const char *value = getenv(name);
    return value && *value;
  };
  const char *setting = getenv("GLU_THREAD_BINDING");
  if (setting && std::string(setting) == "0")
    return {};
  for (const char *name :
       {"OMP_PROC_BIND", "OMP_PLACES", "KMP_AFFINITY", "GOMP_CPU_AFFINITY"})
    if (isSet(name))
      return {};
  if (allowedCpus < 2)
    return {};
  // OMP_NUM_THREADS is a list (one count per nesting level): the first.
  if (const char *threads = getenv("OMP_NUM_THREADS"); threads && *threads) {
    char *end = nullptr;
    long count = std::strtol(threads, &end, 10);
    if (end == threads || count < allowedCpus)
      return {};
  }
  return {{"OMP_PLACES", "cores"}, {"OMP_PROC_BIND", "spread"}};
}

void bindThreadsToCoresOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    int allowedCpus = 0;
#if defined(__linux__)
    cpu_set_t mask;
    if (sched_getaffinity(0, sizeof(mask), &mask) == 0)
      allowedCpus = CPU_COUNT(&mask);
#endif
    for (const auto &[name, value] : chooseThreadBinding(
             [](const char *n) { return std::getenv(n); }, allowedCpus))
      setenv(name.c_str(), value.c_str(), /*overwrite=*/0);
  });
}

} // namespace glu::detail
