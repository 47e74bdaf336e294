//===- CApi.cpp - The glu runtime C API -----------------------------------===//

#include "glu/Runtime.h"
#include "glu/glu_runtime.h"

#include <new>
#include <string>

#define GLU_C_EXPORT extern "C" __attribute__((visibility("default")))

struct glu_runtime {
  glu::Runtime runtime;
};
struct glu_artifact {
  glu::Artifact artifact;
};
struct glu_buffer {
  glu::Buffer buffer;
};

namespace {

thread_local std::string lastError;

/// Runs `body`, turning exceptions into GLU_ERROR and glu_last_error().
template <typename Fn> int guarded(Fn &&body) {
  try {
    body();
    lastError.clear();
    return GLU_OK;
  } catch (const std::bad_alloc &) {
    lastError = "out of host memory";
  } catch (const std::exception &e) {
    lastError = e.what();
  } catch (...) {
    lastError = "unknown error";
  }
  return GLU_ERROR;
}

template <typename T> void require(T *p, const char *what) {
  if (!p)
    throw glu::Error(std::string("null ") + what);
}

void fillInfo(const glu::TensorSpec &spec, glu_tensor_info *out) {
  out->name = spec.name.c_str();
  out->dtype = glu::dtypeName(spec.type.dtype);
  out->rank = spec.type.shape.size();
  out->shape = spec.type.shape.data();
  out->num_bytes = spec.type.numBytes();
}

} // namespace

GLU_C_EXPORT const char *glu_last_error(void) { return lastError.c_str(); }

GLU_C_EXPORT int glu_runtime_create(glu_device device, glu_runtime **out) {
  return guarded([&] {
    require(out, "output pointer");
    if (device != GLU_DEVICE_AUTO && device != GLU_DEVICE_CPU &&
        device != GLU_DEVICE_CUDA)
      throw glu::Error("glu_runtime_create: unknown device " +
                       std::to_string(static_cast<int>(device)) +
                       " (expected GLU_DEVICE_AUTO, GLU_DEVICE_CPU or "
                       "GLU_DEVICE_CUDA)");
    glu::Device d = device == GLU_DEVICE_CPU    ? glu::Device::Cpu
                    : device == GLU_DEVICE_CUDA ? glu::Device::Cuda
                                                : glu::Device::Auto;
    *out = new glu_runtime{glu::Runtime(d)};
  });
}

GLU_C_EXPORT int glu_runtime_destroy(glu_runtime *runtime) {
  return guarded([&] { delete runtime; });
}

GLU_C_EXPORT int glu_artifact_load(glu_runtime *runtime, const char *dir,
                                   glu_artifact **out) {
  return guarded([&] {
    require(runtime, "runtime");
    require(dir, "directory");
    require(out, "output pointer");
    *out = new glu_artifact{runtime->runtime.load(dir)};
  });
}

GLU_C_EXPORT int glu_artifact_destroy(glu_artifact *artifact) {
  return guarded([&] { delete artifact; });
}

GLU_C_EXPORT int glu_artifact_num_entry_points(const glu_artifact *artifact,
                                               size_t *out) {
  return guarded([&] {
    require(artifact, "artifact");
    require(out, "output pointer");
    *out = artifact->artifact.entryPoints().size();
  });
}

GLU_C_EXPORT int glu_artifact_entry_point_name(const glu_artifact *artifact,
                                               size_t index, const char **out) {
  return guarded([&] {
    require(artifact, "artifact");
    require(out, "output pointer");
    const auto &entries = artifact->artifact.entryPoints();
    if (index >= entries.size())
      throw glu::Error("entry point index " + std::to_string(index) +
                       " out of range (" + std::to_string(entries.size()) +
                       " entry points)");
    *out = entries[index].name.c_str();
  });
}

GLU_C_EXPORT int glu_entry_point_num_arguments(const glu_artifact *artifact,
                                               const char *entry,
                                               size_t *num_arguments,
                                               size_t *num_results) {
  return guarded([&] {
    require(artifact, "artifact");
    require(entry, "entry point name");
    const glu::EntryPoint &e = artifact->artifact.entry(entry);
    if (num_arguments)
      *num_arguments = e.arguments.size();
    if (num_results)
      *num_results = e.results.size();
  });
}

GLU_C_EXPORT int glu_entry_point_argument(const glu_artifact *artifact,
                                          const char *entry, size_t index,
                                          glu_tensor_info *out) {
  return guarded([&] {
    require(artifact, "artifact");
    require(entry, "entry point name");
    require(out, "output pointer");
    fillInfo(artifact->artifact.entry(entry).argument(index), out);
  });
}

GLU_C_EXPORT int glu_entry_point_result(const glu_artifact *artifact,
                                        const char *entry, size_t index,
                                        glu_tensor_info *out) {
  return guarded([&] {
    require(artifact, "artifact");
    require(entry, "entry point name");
    require(out, "output pointer");
    fillInfo(artifact->artifact.entry(entry).result(index), out);
  });
}

GLU_C_EXPORT int glu_buffer_allocate(glu_runtime *runtime, const char *dtype,
                                     size_t rank, const int64_t *shape,
                                     glu_buffer **out) {
  return guarded([&] {
    require(runtime, "runtime");
    require(dtype, "dtype");
    require(out, "output pointer");
    if (rank)
      require(shape, "shape");
    glu::TensorType type;
    type.dtype = glu::parseDType(dtype);
    type.shape.assign(shape, shape + rank);
    *out = new glu_buffer{runtime->runtime.allocate(type)};
  });
}

GLU_C_EXPORT int glu_buffer_num_bytes(const glu_buffer *buffer, size_t *out) {
  return guarded([&] {
    require(buffer, "buffer");
    require(out, "output pointer");
    *out = buffer->buffer.numBytes();
  });
}

GLU_C_EXPORT int glu_buffer_upload(glu_buffer *buffer, const void *src,
                                   size_t bytes) {
  return guarded([&] {
    require(buffer, "buffer");
    if (bytes)
      require(src, "source pointer");
    buffer->buffer.upload(src, bytes);
  });
}

GLU_C_EXPORT int glu_buffer_download(const glu_buffer *buffer, void *dst,
                                     size_t bytes) {
  return guarded([&] {
    require(buffer, "buffer");
    if (bytes)
      require(dst, "destination pointer");
    buffer->buffer.download(dst, bytes);
  });
}

GLU_C_EXPORT int glu_buffer_free(glu_buffer *buffer) {
  return guarded([&] { delete buffer; });
}

GLU_C_EXPORT int glu_artifact_call(glu_artifact *artifact, const char *entry,
                                   glu_buffer *const *args, size_t num_args,
                                   glu_buffer **results, size_t num_results,
                                   double *elapsed_ms) {
  return guarded([&] {
    require(artifact, "artifact");
    require(entry, "entry point name");
    if (num_args)
      require(args, "argument array");
    if (num_results)
      require(results, "result array");
    const glu::EntryPoint &e = artifact->artifact.entry(entry);
    if (num_results != e.results.size())
      throw glu::Error("entry point '" + e.name + "' has " +
                       std::to_string(e.results.size()) + " results, got " +
                       std::to_string(num_results));
    std::vector<const glu::Buffer *> in;
    for (size_t i = 0; i < num_args; ++i)
      in.push_back(args[i] ? &args[i]->buffer : nullptr);
    std::vector<glu::Buffer *> out;
    for (size_t i = 0; i < num_results; ++i)
      out.push_back(results[i] ? &results[i]->buffer : nullptr);
    // Unbound results get new buffers, handed out only if the call works.
    std::vector<glu_buffer *> created(num_results, nullptr);
    try {
      for (size_t i = 0; i < num_results; ++i)
        if (!results[i]) {
          created[i] =
              new glu_buffer{artifact->artifact.allocateResult(e.name, i)};
          out[i] = &created[i]->buffer;
        }
      artifact->artifact.call(entry, in, out, elapsed_ms);
    } catch (...) {
      for (glu_buffer *b : created)
        delete b;
      throw;
    }
    for (size_t i = 0; i < num_results; ++i)
      if (created[i])
        results[i] = created[i];
  });
}
