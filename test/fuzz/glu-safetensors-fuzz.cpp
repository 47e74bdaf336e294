//===- glu-safetensors-fuzz.cpp - libFuzzer target: .safetensors bytes ----===//
//
// Takes the input as the bytes of a .safetensors file, writes it to a
// temporary file and opens it with glu::SafetensorsFile::open, which must
// throw nothing but glu::Error (any other exception escapes and is a
// finding). A file that opens has every tensor's bytes read (a tensor that
// reached past the mapping would fault) and its handles checked: tensors in
// data order without overlaps, find and get agree. It is then written again
// (glu::writeSafetensors, which must accept whatever open accepted) and
// opened once more: the same tensors, types, bytes and metadata must come
// back.
//
// The files live in a folder of their own under $TMPDIR, else /dev/shm
// (tmpfs: the writer's fsync costs nothing there), else /tmp, removed when
// the process exits.
//
//===----------------------------------------------------------------------===//

#include "glu/Safetensors.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

[[noreturn]] void finding(const std::string &what) {
  std::fprintf(stderr, "glu-safetensors-fuzz: %s\n", what.c_str());
  std::abort();
}

/// The folder of this process's files; removed at exit.
class Scratch {
public:
  Scratch() {
    std::string base;
    if (const char *tmp = std::getenv("TMPDIR"); tmp && *tmp)
      base = tmp;
    else if (::access("/dev/shm", W_OK) == 0)
      base = "/dev/shm";
    else
      base = "/tmp";
    std::string pattern = base + "/glu-safetensors-fuzz.XXXXXX";
    if (!::mkdtemp(pattern.data())) {
      std::perror(("glu-safetensors-fuzz: mkdtemp " + pattern).c_str());
      std::exit(1);
    }
    dir_ = pattern;
    input = dir_ + "/input.safetensors";
    again = dir_ + "/again.safetensors";
  }
  ~Scratch() {
    ::unlink(input.c_str());
    ::unlink(again.c_str());
    ::rmdir(dir_.c_str());
  }

  std::string input, again;

private:
  std::string dir_;
};

Scratch &scratch() {
  static Scratch s;
  return s;
}

void writeInput(const std::string &path, const uint8_t *data, size_t size) {
  FILE *f = std::fopen(path.c_str(), "wb");
  if (!f || std::fwrite(data, 1, size, f) != size || std::fclose(f) != 0) {
    std::perror(("glu-safetensors-fuzz: cannot write " + path).c_str());
    std::exit(1);
  }
}

/// Reads every byte of every tensor and checks the handle's invariants.
void check(const glu::SafetensorsFile &file) {
  volatile uint8_t sink = 0;
  const uint8_t *previousEnd = nullptr;
  for (const glu::SafetensorsTensor &t : file.tensors()) {
    if (t.bytes != t.type.numBytes())
      finding("tensor '" + t.name + "' has " + std::to_string(t.bytes) +
              " bytes, its type " + t.type.str() + " " +
              std::to_string(t.type.numBytes()));
    const auto *p = static_cast<const uint8_t *>(t.data);
    for (size_t i = 0; i < t.bytes; ++i)
      sink = sink ^ p[i];
    if (t.bytes) {
      if (previousEnd && p < previousEnd)
        finding("tensor '" + t.name + "' overlaps the one before it");
      previousEnd = p + t.bytes;
    }
    if (file.find(t.name) != &t)
      finding("find('" + t.name + "') is not the tensor");
    if (&file.get(t.name, t.type) != &t)
      finding("get('" + t.name + "') is not the tensor");
  }
  (void)sink;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  Scratch &s = scratch();
  writeInput(s.input, data, size);
  glu::SafetensorsFile file;
  try {
    file = glu::SafetensorsFile::open(s.input);
  } catch (const glu::Error &) {
    return 0;
  }
  check(file);

  std::vector<glu::SafetensorsEntry> entries;
  for (const glu::SafetensorsTensor &t : file.tensors())
    entries.push_back({t.name, t.type, t.data});
  glu::SafetensorsFile again;
  try {
    glu::writeSafetensors(s.again, entries, file.metadata());
    again = glu::SafetensorsFile::open(s.again);
  } catch (const glu::Error &e) {
    finding(std::string("a file that opens does not survive "
                        "writeSafetensors: ") +
            e.what());
  }
  check(again);
  if (again.tensors().size() != file.tensors().size() ||
      again.metadata() != file.metadata())
    finding("the tensors or metadata differ after writeSafetensors");
  // By name: zero-byte tensors may change places among their neighbours.
  for (const glu::SafetensorsTensor &t : file.tensors()) {
    const glu::SafetensorsTensor *u = again.find(t.name);
    if (!u || u->type != t.type || u->bytes != t.bytes ||
        (t.bytes && std::memcmp(u->data, t.data, t.bytes) != 0))
      finding("tensor '" + t.name + "' differs after writeSafetensors");
  }
  return 0;
}
