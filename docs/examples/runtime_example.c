/* Calls the entry point "add" (two f32[4] -> f32[4]) of an artifact. */
#include <stdio.h>

#include "glu/glu_runtime.h"

#define CHECK(call)                                                            \
  do {                                                                         \
    if ((call) != GLU_OK) {                                                    \
      fprintf(stderr, "error: %s\n", glu_last_error());                        \
      return 1;                                                                \
    }                                                                          \
  } while (0)

int main(int argc, char **argv) {
  glu_runtime *rt;
  glu_artifact *art;
  glu_tensor_info info;
  glu_buffer *args[2];
  glu_buffer *result = NULL; /* NULL: the call allocates it */
  float a[4] = {1, 2, 3, 4}, b[4] = {10, 20, 30, 40}, sum[4];
  double ms;
  int i;

  if (argc != 2) {
    fprintf(stderr, "usage: %s ARTIFACT_DIR\n", argv[0]);
    return 2;
  }
  CHECK(glu_runtime_create(GLU_DEVICE_AUTO, &rt));
  CHECK(glu_artifact_load(rt, argv[1], &art));
  for (i = 0; i < 2; ++i) {
    CHECK(glu_entry_point_argument(art, "add", i, &info));
    CHECK(glu_buffer_allocate(rt, info.dtype, info.rank, info.shape,
                              &args[i]));
  }
  CHECK(glu_buffer_upload(args[0], a, sizeof(a)));
  CHECK(glu_buffer_upload(args[1], b, sizeof(b)));
  CHECK(glu_artifact_call(art, "add", args, 2, &result, 1, &ms));
  CHECK(glu_buffer_download(result, sum, sizeof(sum)));
  printf("sum = %g %g %g %g (%.3f ms)\n", sum[0], sum[1], sum[2], sum[3], ms);

  glu_buffer_free(result);
  glu_buffer_free(args[0]);
  glu_buffer_free(args[1]);
  glu_artifact_destroy(art);
  glu_runtime_destroy(rt);
  return 0;
}
