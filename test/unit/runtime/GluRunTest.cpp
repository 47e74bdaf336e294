//===- GluRunTest.cpp - glu-run end to end on the fake artifact -----------===//

#include "glu/Npy.h"
#include "glu/Runtime.h"

#include "TestUtil.h"

#include <cstdio>
#include <gtest/gtest.h>
#include <sys/wait.h>

using namespace glu;
using namespace glu_test;

namespace {

struct RunResult {
  int status;
  std::string output; // stdout and stderr
};

RunResult runGluRun(const std::string &args) {
  std::string cmd = std::string(GLU_RUN) + " " + args + " 2>&1";
  FILE *p = ::popen(cmd.c_str(), "r");
  RunResult r{-1, ""};
  if (!p)
    return r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0)
    r.output.append(buf, n);
  int st = ::pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

void writeF32(const std::string &path, std::vector<int64_t> shape,
              std::vector<float> values) {
  writeNpy(path, TensorType{DType::F32, shape}, values.data(),
           values.size() * sizeof(float));
}

#define EXPECT_CONTAINS(haystack, needle)                                      \
  EXPECT_NE(std::string(haystack).find(needle), std::string::npos)             \
      << "output: " << (haystack)

} // namespace

TEST(GluRun, RunsTheFakeArtifactFromNpyInputs) {
  std::string dir = freshDir("glurun_e2e");
  writeF32(dir + "/a.npy", {4}, {1, 2, 3, 4});
  writeF32(dir + "/b.npy", {4}, {0.5f, 0.5f, 0.5f, 0.5f});
  RunResult r = runGluRun(std::string(GLU_FAKE_ARTIFACT) +
                          " --entry add --input a=" + dir +
                          "/a.npy --input b=" + dir + "/b.npy --output-dir " +
                          dir + "/out --warmup 2 --iterations 5");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_CONTAINS(r.output, "timing entry=add device=cpu median_ms=");
  EXPECT_CONTAINS(r.output, " iterations=5 warmup=2");
  EXPECT_CONTAINS(r.output, "add on cpu: 5 iterations (2 warmup): min ");
  NpyArray sum = readNpy(dir + "/out/sum.npy");
  EXPECT_EQ(sum.type.str(), "f32[4]");
  EXPECT_EQ(std::vector<float>(sum.as<float>(), sum.as<float>() + 4),
            (std::vector<float>{1.5f, 2.5f, 3.5f, 4.5f}));
}

TEST(GluRun, SeededInputsAreDeterministic) {
  std::string dir = freshDir("glurun_seed");
  auto run = [&](const std::string &sub, int seed) {
    RunResult r =
        runGluRun(std::string(GLU_FAKE_ARTIFACT) + " --entry=scale --seed " +
                  std::to_string(seed) + " --output-dir " + dir + "/" + sub);
    EXPECT_EQ(r.status, 0) << r.output;
    NpyArray y = readNpy(dir + "/" + sub + "/y.npy");
    return std::vector<float>(y.as<float>(), y.as<float>() + 6);
  };
  std::vector<float> a = run("a", 5), b = run("b", 5), c = run("c", 6);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  // s in [-1, 1), x in [-1, 1) / sqrt(2): |y| < 1/sqrt(2).
  for (float v : a)
    EXPECT_LT(std::abs(v), 0.7072f);
}

TEST(GluRun, ListsTheEntryPoints) {
  RunResult r = runGluRun(std::string(GLU_FAKE_ARTIFACT) + " --list");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_CONTAINS(r.output, "entry add (symbol glu_entry_add)");
  EXPECT_CONTAINS(r.output, "  argument s: f32[]");
  EXPECT_CONTAINS(r.output, "  result y: f32[2,3]");
}

TEST(GluRun, FailsWithOneLineOnBadInput) {
  std::string dir = freshDir("glurun_bad");
  writeF32(dir + "/a5.npy", {5}, {1, 2, 3, 4, 5});
  writeF32(dir + "/a.npy", {4}, {1, 2, 3, 4});
  std::string art = GLU_FAKE_ARTIFACT;
  // An earlier result is never lost to a failing run.
  writeFile(dir + "/keep.npy", "old");
  std::filesystem::create_directories(dir + "/out");
  writeFile(dir + "/out/sum.npy", "previous");

  RunResult r = runGluRun(art + " --entry add --input a=" + dir +
                          "/a5.npy --output-dir " + dir + "/out");
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.output, "glu-run: error: argument 'a' of entry point 'add' "
                      "expects f32[4], got f32[5] from " +
                          dir + "/a5.npy\n");
  EXPECT_EQ(readFile(dir + "/out/sum.npy"), "previous");

  r = runGluRun(art + " --entry add --input zz=" + dir + "/a.npy");
  EXPECT_EQ(r.status, 1);
  EXPECT_CONTAINS(r.output, "entry point 'add' has no argument 'zz'");

  r = runGluRun(art + " --entry add --input a=" + dir + "/missing.npy");
  EXPECT_EQ(r.status, 1);
  EXPECT_CONTAINS(r.output, "cannot open '" + dir + "/missing.npy'");

  std::string bytes = readFile(dir + "/a.npy");
  writeFile(dir + "/short.npy", bytes.substr(0, bytes.size() - 1));
  r = runGluRun(art + " --entry add --input a=" + dir + "/short.npy");
  EXPECT_EQ(r.status, 1);
  EXPECT_CONTAINS(r.output, "short.npy: truncated .npy data");

  r = runGluRun(art); // four entry points, none named forward
  EXPECT_EQ(r.status, 1);
  EXPECT_CONTAINS(r.output, "has 4 entry points; choose one with --entry "
                            "(add, step, accumulate, scale)");

  r = runGluRun(art + " --entry nope");
  EXPECT_EQ(r.status, 1);
  EXPECT_CONTAINS(r.output, "has no entry point 'nope'");

  r = runGluRun(dir + "/no-such-artifact");
  EXPECT_EQ(r.status, 1);
  EXPECT_CONTAINS(r.output, "no-such-artifact/manifest.json");

  r = runGluRun(art + " --iterations 0");
  EXPECT_EQ(r.status, 2);
  EXPECT_CONTAINS(r.output,
                  "--iterations expects an integer from 1 to 10000000");
  // No wrap-around: 2^31 and 2^32 + 1 once became 0 (a crash) and 1.
  for (const char *count :
       {"2147483648", "4294967297", "99999999999999999999"}) {
    r = runGluRun(art + " --entry add --iterations " + count);
    EXPECT_EQ(r.status, 2) << count;
    EXPECT_CONTAINS(r.output, std::string("--iterations expects an integer "
                                          "from 1 to 10000000, got '") +
                                  count + "'");
  }
  r = runGluRun(art + " --entry add --warmup 2147483648");
  EXPECT_EQ(r.status, 2);
  EXPECT_CONTAINS(r.output, "--warmup expects an integer from 0 to 10000000");
  r = runGluRun(art + " --frobnicate");
  EXPECT_EQ(r.status, 2);
  EXPECT_CONTAINS(r.output, "unknown option '--frobnicate'");
  r = runGluRun(art + " --device tpu");
  EXPECT_EQ(r.status, 1);
  EXPECT_CONTAINS(r.output, "unknown device 'tpu'");

  std::string why;
  if (!cudaAvailable(&why)) {
    r = runGluRun(art + " --entry add --device cuda");
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.output,
              "glu-run: error: cannot use device cuda: " + why + "\n");
    r = runGluRun(std::string(GLU_FAKE_CUDA_ARTIFACT));
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.output,
              "glu-run: error: cannot run a cuda artifact: " + why + "\n");
  }
  EXPECT_EQ(readFile(dir + "/keep.npy"), "old");
}
