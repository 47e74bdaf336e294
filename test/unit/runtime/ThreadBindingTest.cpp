//===- ThreadBindingTest.cpp - When the runtime binds OpenMP threads ------===//
//
// Part of the glu project.
//
//===----------------------------------------------------------------------===//

#include "ThreadBinding.h"
#include <gtest/gtest.h>
#include <map>

using glu::detail::chooseThreadBinding;

namespace {

using Settings = std::vector<std::pair<std::string, std::string>>;

/// chooseThreadBinding on an environment holding exactly `env`.
Settings choose(const std::map<std::string, std::string> &env, int cpus) {
  return chooseThreadBinding(
      [&](const char *name) -> const char * {
        auto it = env.find(name);
        return it == env.end() ? nullptr : it->second.c_str();
      },
      cpus);
}

const Settings kBound = {{"OMP_PLACES", "cores"}, {"OMP_PROC_BIND", "spread"}};

TEST(ThreadBinding, BindsWhenTheThreadsFillEveryAllowedCpu) {
  EXPECT_EQ(choose({}, 2), kBound);
  EXPECT_EQ(choose({{"OMP_NUM_THREADS", "2"}}, 2), kBound);
  EXPECT_EQ(choose({{"OMP_NUM_THREADS", "16"}}, 8), kBound);
  EXPECT_EQ(choose({{"OMP_NUM_THREADS", "8,2"}}, 8), kBound);
  // Empty variables count as unset.
  EXPECT_EQ(choose({{"OMP_PROC_BIND", ""}, {"GLU_THREAD_BINDING", "1"}}, 4),
            kBound);
}

TEST(ThreadBinding, LeavesFewerThreadsThanCpusToTheScheduler) {
  EXPECT_TRUE(choose({{"OMP_NUM_THREADS", "1"}}, 2).empty());
  EXPECT_TRUE(choose({{"OMP_NUM_THREADS", "4"}}, 16).empty());
  EXPECT_TRUE(choose({{"OMP_NUM_THREADS", "many"}}, 2).empty());
}

TEST(ThreadBinding, KeepsTheUsersChoice) {
  for (const char *name :
       {"OMP_PROC_BIND", "OMP_PLACES", "KMP_AFFINITY", "GOMP_CPU_AFFINITY"})
    EXPECT_TRUE(choose({{name, "false"}}, 2).empty()) << name;
  EXPECT_TRUE(choose({{"GLU_THREAD_BINDING", "0"}}, 2).empty());
}

TEST(ThreadBinding, LeavesOneCpuAlone) {
  EXPECT_TRUE(choose({}, 1).empty());
  EXPECT_TRUE(choose({}, 0).empty());
}

} // namespace
