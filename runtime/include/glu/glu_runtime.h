/*===- glu_runtime.h - The glu runtime C API --------------------*- C -*-===*\
|*                                                                          *|
|* A C interface to the glu runtime (libglu_runtime.so) for other languages *|
|* and for C programs. Handles are opaque. Every function returns GLU_OK    *|
|* (0) or GLU_ERROR (1); after an error glu_last_error() gives a one-line   *|
|* message (per thread, valid until the next call on that thread).          *|
|* Buffers, artifacts and runtimes may be freed in any order. See           *|
|* docs/runtime.md.                                                         *|
\*===----------------------------------------------------------------------===*/

#ifndef GLU_RUNTIME_C_H
#define GLU_RUNTIME_C_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GLU_OK 0
#define GLU_ERROR 1

typedef struct glu_runtime glu_runtime;
typedef struct glu_artifact glu_artifact;
typedef struct glu_buffer glu_buffer;

typedef enum glu_device {
  GLU_DEVICE_AUTO = 0, /* the target of the first artifact loaded */
  GLU_DEVICE_CPU = 1,
  GLU_DEVICE_CUDA = 2,
  /* Not a device: makes every int a value of the type in C++ too, where the
   * library checks what a C caller passed (glu_runtime_create refuses it). */
  GLU_DEVICE_MAX_ENUM_ = 0x7fffffff
} glu_device;

/* An argument or result of an entry point. The pointers stay valid as long
 * as the artifact. */
typedef struct glu_tensor_info {
  const char *name;
  const char *dtype; /* "f32", "i64", ... */
  size_t rank;
  const int64_t *shape;
  size_t num_bytes;
} glu_tensor_info;

/* The message of the last failure on this thread ("" if none). */
const char *glu_last_error(void);

int glu_runtime_create(glu_device device, glu_runtime **out);
int glu_runtime_destroy(glu_runtime *runtime);

/* Loads the artifact directory `dir` (manifest.json + its library). */
int glu_artifact_load(glu_runtime *runtime, const char *dir,
                      glu_artifact **out);
int glu_artifact_destroy(glu_artifact *artifact);

int glu_artifact_num_entry_points(const glu_artifact *artifact, size_t *out);
int glu_artifact_entry_point_name(const glu_artifact *artifact, size_t index,
                                  const char **out);
int glu_entry_point_num_arguments(const glu_artifact *artifact,
                                  const char *entry, size_t *num_arguments,
                                  size_t *num_results);
int glu_entry_point_argument(const glu_artifact *artifact, const char *entry,
                             size_t index, glu_tensor_info *out);
int glu_entry_point_result(const glu_artifact *artifact, const char *entry,
                           size_t index, glu_tensor_info *out);

/* Allocates a zero-filled buffer of `dtype` and `shape` on the runtime's
 * device. */
int glu_buffer_allocate(glu_runtime *runtime, const char *dtype, size_t rank,
                        const int64_t *shape, glu_buffer **out);
int glu_buffer_num_bytes(const glu_buffer *buffer, size_t *out);
int glu_buffer_upload(glu_buffer *buffer, const void *src, size_t bytes);
int glu_buffer_download(const glu_buffer *buffer, void *dst, size_t bytes);
int glu_buffer_free(glu_buffer *buffer);

/* Calls `entry`. `args` holds num_args buffers in manifest order. For each
 * of the num_results results: if results[i] is non-NULL the result is
 * written into that buffer (it may be one of the arguments: the call then
 * updates it in place, without a copy for a result the manifest says
 * "updates" that argument); if NULL a new buffer is allocated and stored in
 * results[i] (free it with glu_buffer_free). `elapsed_ms` (may be NULL)
 * receives the wall time of the call, the device synchronized. */
int glu_artifact_call(glu_artifact *artifact, const char *entry,
                      glu_buffer *const *args, size_t num_args,
                      glu_buffer **results, size_t num_results,
                      double *elapsed_ms);

#ifdef __cplusplus
}
#endif

#endif /* GLU_RUNTIME_C_H */
