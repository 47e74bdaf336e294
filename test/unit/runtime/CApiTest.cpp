//===- CApiTest.cpp - The C API and its documented example ----------------===//

#include "glu/glu_runtime.h"

#include "TestUtil.h"

#include <gtest/gtest.h>

#include <string>

using namespace glu_test;

TEST(CApi, DocumentedExampleIsTheTestedOne) {
  // docs/runtime.md and README.md show docs/examples/runtime_example.c
  // verbatim; ctest runs that file (glu-runtime-c-example) against the fake
  // artifact.
  std::string doc = readFile(std::string(GLU_DOCS_DIR) + "/runtime.md");
  std::string example =
      readFile(std::string(GLU_DOCS_DIR) + "/examples/runtime_example.c");
  ASSERT_FALSE(example.empty());
  EXPECT_NE(doc.find("```c\n" + example + "```\n"), std::string::npos)
      << "docs/runtime.md must include docs/examples/runtime_example.c "
         "verbatim in a ```c block";
  std::string readme = readFile(std::string(GLU_DOCS_DIR) + "/../README.md");
  EXPECT_NE(readme.find("```c\n" + example + "```\n"), std::string::npos)
      << "README.md must include docs/examples/runtime_example.c verbatim "
         "in a ```c block";
}

TEST(CApi, CallsAndReportsErrors) {
  glu_runtime *rt = nullptr;
  ASSERT_EQ(glu_runtime_create(GLU_DEVICE_CPU, &rt), GLU_OK);
  glu_artifact *art = nullptr;
  EXPECT_EQ(glu_artifact_load(rt, "/nonexistent", &art), GLU_ERROR);
  EXPECT_NE(std::string(glu_last_error()).find("/nonexistent/manifest.json"),
            std::string::npos);
  ASSERT_EQ(glu_artifact_load(rt, GLU_FAKE_ARTIFACT, &art), GLU_OK)
      << glu_last_error();
  EXPECT_STREQ(glu_last_error(), "");

  size_t n = 0, nargs = 0, nres = 0;
  ASSERT_EQ(glu_artifact_num_entry_points(art, &n), GLU_OK);
  EXPECT_EQ(n, 4u);
  const char *name = nullptr;
  ASSERT_EQ(glu_artifact_entry_point_name(art, 1, &name), GLU_OK);
  EXPECT_STREQ(name, "step");
  EXPECT_EQ(glu_artifact_entry_point_name(art, 4, &name), GLU_ERROR);
  ASSERT_EQ(glu_entry_point_num_arguments(art, "step", &nargs, &nres), GLU_OK);
  EXPECT_EQ(nargs, 2u);
  EXPECT_EQ(nres, 1u);
  glu_tensor_info info;
  ASSERT_EQ(glu_entry_point_result(art, "scale", 0, &info), GLU_OK);
  EXPECT_STREQ(info.name, "y");
  EXPECT_STREQ(info.dtype, "f32");
  ASSERT_EQ(info.rank, 2u);
  EXPECT_EQ(info.shape[1], 3);
  EXPECT_EQ(info.num_bytes, 24u);

  // In place through the C API: the result bound to the argument w.
  int64_t shape[1] = {4};
  glu_buffer *w = nullptr, *g = nullptr, *bad = nullptr;
  ASSERT_EQ(glu_buffer_allocate(rt, "f32", 1, shape, &w), GLU_OK);
  ASSERT_EQ(glu_buffer_allocate(rt, "f32", 1, shape, &g), GLU_OK);
  float wv[4] = {1, 2, 3, 4}, gv[4] = {10, 20, 30, 40}, out[4];
  ASSERT_EQ(glu_buffer_upload(w, wv, sizeof(wv)), GLU_OK);
  ASSERT_EQ(glu_buffer_upload(g, gv, sizeof(gv)), GLU_OK);
  glu_buffer *args[2] = {w, g};
  glu_buffer *results[1] = {w};
  ASSERT_EQ(glu_artifact_call(art, "step", args, 2, results, 1, nullptr),
            GLU_OK)
      << glu_last_error();
  EXPECT_EQ(results[0], w);
  ASSERT_EQ(glu_buffer_download(w, out, sizeof(out)), GLU_OK);
  EXPECT_EQ(out[0], 14);
  EXPECT_EQ(out[3], 41);

  ASSERT_EQ(glu_buffer_allocate(rt, "i32", 1, shape, &bad), GLU_OK);
  glu_buffer *badArgs[2] = {w, bad};
  glu_buffer *fresh[1] = {nullptr};
  EXPECT_EQ(glu_artifact_call(art, "add", badArgs, 2, fresh, 1, nullptr),
            GLU_ERROR);
  EXPECT_STREQ(glu_last_error(),
               "argument 'b' of entry point 'add' expects f32[4], got i32[4]");
  EXPECT_EQ(fresh[0], nullptr);
  EXPECT_EQ(glu_buffer_allocate(rt, "q8", 1, shape, &bad), GLU_ERROR);
  EXPECT_EQ(glu_buffer_download(w, out, 3), GLU_ERROR);

  // Handles may be freed in any order.
  EXPECT_EQ(glu_runtime_destroy(rt), GLU_OK);
  EXPECT_EQ(glu_artifact_destroy(art), GLU_OK);
  EXPECT_EQ(glu_buffer_free(w), GLU_OK);
  EXPECT_EQ(glu_buffer_free(g), GLU_OK);
  EXPECT_EQ(glu_buffer_free(bad), GLU_OK);
}

TEST(CApi, UnknownDeviceIsAnError) {
  glu_runtime *rt = nullptr;
  EXPECT_EQ(glu_runtime_create(static_cast<glu_device>(7), &rt), GLU_ERROR);
  EXPECT_EQ(rt, nullptr);
  EXPECT_NE(std::string(glu_last_error()).find("unknown device 7"),
            std::string::npos)
      << glu_last_error();
}
