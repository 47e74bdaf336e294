/* A fake artifact library for the runtime tests: the glu calling
 * convention (docs/artifact-format.md) written by hand in C, with the
 * signatures glu-compile would embed (glu/ArtifactSignature.h). Compiled
 * with -DGLU_FAKE_ABI=1 it claims an older ABI the runtime must refuse. */

#include "fake_signature.h"

#include <stdint.h>
#include <stdio.h>

const char glu_signature_add[] =
    GLU_FAKE_SIGNATURE("cpu", "add(a: f32[4], b: f32[4]) -> (sum: f32[4])");
const char glu_signature_step[] =
    GLU_FAKE_SIGNATURE("cpu", "step(w: f32[4], g: f32[4]) -> (w_new: f32[4])");
const char glu_signature_scale[] =
    GLU_FAKE_SIGNATURE("cpu", "scale(s: f32[], x: f32[2x3]) -> (y: f32[2x3])");
const char glu_signature_accumulate[] = GLU_FAKE_SIGNATURE(
    "cpu", "accumulate(c: f32[4], x: f32[4]) -> (total: f32[1], c: f32[4] "
           "in-place 0)");
/* sum300(x0: f32[1], ..., x299: f32[1]) -> (s: f32[1]), written when the
 * library is loaded. */
char glu_signature_sum300[8192];

__attribute__((constructor)) static void writeSum300Signature(void) {
  int n = snprintf(glu_signature_sum300, sizeof(glu_signature_sum300), "%s",
                   GLU_FAKE_SIGNATURE("cpu", "sum300("));
  for (int i = 0; i < 300; ++i)
    n += snprintf(glu_signature_sum300 + n, sizeof(glu_signature_sum300) - n,
                  "%sx%d: f32[1]", i ? ", " : "", i);
  snprintf(glu_signature_sum300 + n, sizeof(glu_signature_sum300) - n,
           ") -> (s: f32[1])");
}

typedef struct {
  float *allocated, *aligned;
  int64_t offset, sizes[1], strides[1];
} MemRef1;

typedef struct {
  float *allocated, *aligned;
  int64_t offset, sizes[2], strides[2];
} MemRef2;

typedef struct {
  float *allocated, *aligned;
  int64_t offset;
} MemRef0;

int32_t glu_abi_version(void) { return GLU_FAKE_ABI; }

/* add(a: f32[4], b: f32[4]) -> f32[4] */
void glu_entry_add(void **args) {
  MemRef1 *a = args[0], *b = args[1], *out = args[2];
  for (int64_t i = 0; i < out->sizes[0]; ++i)
    out->aligned[out->offset + i * out->strides[0]] =
        a->aligned[a->offset + i * a->strides[0]] +
        b->aligned[b->offset + i * b->strides[0]];
}

/* sum300(x0..x299: f32[1]) -> f32[1] */
void glu_entry_sum300(void **args) {
  float s = 0;
  for (int i = 0; i < 300; ++i)
    s += ((MemRef1 *)args[i])->aligned[0];
  ((MemRef1 *)args[300])->aligned[0] = s;
}

/* step(w: f32[4], g: f32[4]) -> f32[4]: out[i] = w[3 - i] + g[i]. Reading
 * w reversed exposes a result written over w during the call. */
void glu_entry_step(void **args) {
  MemRef1 *w = args[0], *g = args[1], *out = args[2];
  for (int i = 0; i < 4; ++i)
    out->aligned[i] = w->aligned[3 - i] + g->aligned[i];
}

/* accumulate(c: f32[4], x: f32[4]) -> (total: f32[1], c updated in place):
 * c[i] += x[i], total = sum of the new c. The in-place result has no
 * out-parameter: args are c, x, total. */
void glu_entry_accumulate(void **args) {
  MemRef1 *c = args[0], *x = args[1], *total = args[2];
  float s = 0;
  for (int i = 0; i < 4; ++i) {
    c->aligned[i] += x->aligned[i];
    s += c->aligned[i];
  }
  total->aligned[0] = s;
}

/* scale(s: f32[], x: f32[2,3]) -> f32[2,3]: checks rank-0 and rank-2
 * descriptors (sizes, row-major strides, offset 0). */
void glu_entry_scale(void **args) {
  MemRef0 *s = args[0];
  MemRef2 *x = args[1], *out = args[2];
  if (x->offset != 0 || x->sizes[0] != 2 || x->sizes[1] != 3 ||
      x->strides[0] != 3 || x->strides[1] != 1 || s->allocated != s->aligned)
    return; /* leaves zeros: the test fails */
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 3; ++j)
      out->aligned[i * out->strides[0] + j] =
          s->aligned[0] * x->aligned[i * x->strides[0] + j * x->strides[1]];
}
