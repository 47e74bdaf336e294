//===- Safetensors.cpp - Hugging Face .safetensors files ------------------===//
//
// Part of the glu project.
//
//===----------------------------------------------------------------------===//
//
// A file is mapped whole (read-only, private) and its header parsed with
// nlohmann-json (JsonParsing.h: duplicate keys are errors); the tensors'
// data stays in the mapping. Every header field is checked before any
// tensor is handed out, so a tensor's data_offsets always lie inside the
// mapping. Every error is a glu::Error that starts with the file's path; no
// nlohmann exception leaves this file.
//
// The safetensors library (Rust, under the Python package) refuses data
// that does not cover the data section exactly, tensor after tensor; the
// reader here only refuses overlaps, the writer writes back to back.
//
//===----------------------------------------------------------------------===//

#include "glu/Safetensors.h"

#include "JsonParsing.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <limits>
#include <set>
#include <sys/mman.h>
#include <sys/stat.h>
#include <tuple>
#include <unistd.h>

namespace glu {

namespace {

using detail::Json;

/// The safetensors library refuses longer headers (MAX_HEADER_SIZE).
constexpr uint64_t kMaxHeaderBytes = 100'000'000;
/// A valid header is three levels deep (root, tensor, shape).
constexpr size_t kMaxDepth = 16;
constexpr const char *kMetadataKey = "__metadata__";

struct DTypeName {
  const char *name;
  DType dtype;
};
const DTypeName kDTypes[] = {
    {"F16", DType::F16}, {"BF16", DType::BF16}, {"F32", DType::F32},
    {"F64", DType::F64}, {"I8", DType::I8},     {"I32", DType::I32},
    {"I64", DType::I64}, {"BOOL", DType::I1},
};
constexpr const char *kSupported = "F16, BF16, F32, F64, I8, I32, I64, BOOL";

const char *safetensorsName(DType dtype) {
  for (const DTypeName &d : kDTypes)
    if (d.dtype == dtype)
      return d.name;
  return nullptr;
}

/// `name` in quotes for a one-line message: control characters escaped.
std::string quote(const std::string &name) {
  std::string out = "'";
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      out += buf;
    } else {
      out += char(c);
    }
  }
  return out + "'";
}

std::string errnoText(int err) { return std::strerror(err); }

/// A mapping of a whole file, unmapped on destruction.
struct Mapping {
  void *base = nullptr;
  size_t size = 0;

  Mapping() = default;
  Mapping(const Mapping &) = delete;
  Mapping &operator=(const Mapping &) = delete;
  ~Mapping() {
    if (base)
      ::munmap(base, size);
  }
};

/// A file descriptor, closed on destruction.
struct Fd {
  int fd = -1;
  explicit Fd(int fd) : fd(fd) {}
  Fd(const Fd &) = delete;
  Fd &operator=(const Fd &) = delete;
  ~Fd() {
    if (fd >= 0)
      ::close(fd);
  }
};

/// Validates the header of a mapped file and fills tensors, index and
/// metadata; every error starts with the path.
class HeaderReader {
public:
  std::vector<SafetensorsTensor> tensors;
  std::map<std::string, size_t> index; // name -> position in tensors
  std::map<std::string, std::string> metadata;

  explicit HeaderReader(const std::string &path) : path_(path) {}

  /// Reads the `size` (at least 8) bytes of the file at `base`.
  void read(const uint8_t *base, size_t size) {
    uint64_t headerLen = 0;
    for (int i = 7; i >= 0; --i)
      headerLen = (headerLen << 8) | base[i];
    if (headerLen > kMaxHeaderBytes)
      fail("the header length is " + std::to_string(headerLen) +
           " bytes, more than the " + std::to_string(kMaxHeaderBytes) +
           " allowed (not a safetensors file?)");
    if (headerLen > size - 8)
      fail("the header length is " + std::to_string(headerLen) +
           " bytes, but the file holds only " + std::to_string(size - 8) +
           " after it (truncated, or not a safetensors file?)");
    const uint8_t *data = base + 8 + headerLen;
    size_t dataSize = size - 8 - static_cast<size_t>(headerLen);

    std::string text(reinterpret_cast<const char *>(base + 8),
                     static_cast<size_t>(headerLen));
    Json root;
    std::string error;
    if (!detail::parseStrictJson(text, kMaxDepth, root, error))
      fail("header: " + error);
    const Json::object_t *entries = root.get_ptr<const Json::object_t *>();
    if (!entries)
      fail("the header must be a JSON object (tensor name -> {dtype, "
           "shape, data_offsets})");

    struct Range {
      uint64_t begin, end;
    };
    std::vector<Range> ranges;
    for (const auto &[name, value] : *entries) {
      if (name == kMetadataKey) {
        readMetadata(value);
        continue;
      }
      Range r{};
      SafetensorsTensor t = tensor(name, value, dataSize, r.begin, r.end);
      t.data = data + r.begin;
      tensors.push_back(std::move(t));
      ranges.push_back(r);
    }

    // File order; ties (zero-byte tensors) by name.
    std::vector<size_t> order(tensors.size());
    for (size_t i = 0; i < order.size(); ++i)
      order[i] = i;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return std::tie(ranges[a].begin, ranges[a].end, tensors[a].name) <
             std::tie(ranges[b].begin, ranges[b].end, tensors[b].name);
    });
    // A non-empty tensor must begin at or after the end of every non-empty
    // tensor before it in that order.
    const size_t none = order.size();
    size_t reach = none; // the non-empty tensor that ends last so far
    for (size_t i : order) {
      if (ranges[i].begin == ranges[i].end)
        continue;
      if (reach != none && ranges[i].begin < ranges[reach].end)
        fail("tensors " + quote(tensors[reach].name) + " " +
             span(ranges[reach]) + " and " + quote(tensors[i].name) + " " +
             span(ranges[i]) + " overlap in the data");
      if (reach == none || ranges[i].end > ranges[reach].end)
        reach = i;
    }
    std::vector<SafetensorsTensor> sorted;
    sorted.reserve(order.size());
    for (size_t i : order) {
      index.emplace(tensors[i].name, sorted.size());
      sorted.push_back(std::move(tensors[i]));
    }
    tensors = std::move(sorted);
  }

private:
  [[noreturn]] void fail(const std::string &what) const {
    throw Error(path_ + ": " + what);
  }

  template <typename R> static std::string span(const R &r) {
    return "[" + std::to_string(r.begin) + ", " + std::to_string(r.end) + ")";
  }

  void readMetadata(const Json &value) {
    const Json::object_t *object = value.get_ptr<const Json::object_t *>();
    if (!object)
      fail("'__metadata__' must be an object of strings");
    for (const auto &[key, v] : *object) {
      const Json::string_t *s = v.get_ptr<const Json::string_t *>();
      if (!s)
        fail("'__metadata__' must be an object of strings, but " + quote(key) +
             " is not a string");
      metadata.emplace(key, *s);
    }
  }

  SafetensorsTensor tensor(const std::string &name, const Json &value,
                           size_t dataSize, uint64_t &begin, uint64_t &end) {
    std::string where = "tensor " + quote(name);
    const Json::object_t *object = value.get_ptr<const Json::object_t *>();
    if (!object)
      fail(where + " must be an object with dtype, shape and data_offsets");
    for (const auto &member : *object)
      if (member.first != "dtype" && member.first != "shape" &&
          member.first != "data_offsets")
        fail(where + " has an unknown key " + quote(member.first) +
             " (expected dtype, shape and data_offsets)");
    for (const char *key : {"dtype", "shape", "data_offsets"})
      if (!object->count(key))
        fail(where + " lacks '" + key + "'");

    SafetensorsTensor t;
    t.name = name;
    const Json::string_t *dtype =
        object->at("dtype").get_ptr<const Json::string_t *>();
    if (!dtype)
      fail(where + ": 'dtype' must be a string");
    const DTypeName *known = nullptr;
    for (const DTypeName &d : kDTypes)
      if (*dtype == d.name)
        known = &d;
    if (!known)
      fail(where + " has dtype " + quote(*dtype) +
           ", which glu does not support (" + kSupported + ")");
    t.type.dtype = known->dtype;

    const Json::array_t *shape =
        object->at("shape").get_ptr<const Json::array_t *>();
    if (!shape)
      fail(where + ": 'shape' must be an array of non-negative integers");
    for (const Json &d : *shape) {
      int64_t n = 0;
      if (!detail::jsonInteger(d, n) || n < 0)
        fail(where + ": 'shape' must be an array of non-negative integers");
      t.type.shape.push_back(n);
    }
    try {
      t.bytes = t.type.numBytes();
    } catch (const Error &e) {
      fail(where + ": " + e.what());
    }

    const Json::array_t *offsets =
        object->at("data_offsets").get_ptr<const Json::array_t *>();
    int64_t b = 0, e = 0;
    if (!offsets || offsets->size() != 2 ||
        !detail::jsonInteger((*offsets)[0], b) ||
        !detail::jsonInteger((*offsets)[1], e) || b < 0 || e < 0)
      fail(where + ": 'data_offsets' must be two non-negative integers "
                   "[begin, end]");
    std::string given =
        "[" + std::to_string(b) + ", " + std::to_string(e) + "]";
    if (b > e)
      fail(where + ": data_offsets " + given + " end before they begin");
    begin = static_cast<uint64_t>(b);
    end = static_cast<uint64_t>(e);
    if (end - begin != t.bytes)
      fail(where + " is " + t.type.str() + " (" + std::to_string(t.bytes) +
           " bytes), but its data_offsets " + given + " span " +
           std::to_string(end - begin));
    if (end > dataSize)
      fail(where + " ends at byte " + std::to_string(end) +
           " of the data but the file holds only " + std::to_string(dataSize) +
           " (truncated?)");
    return t;
  }

  const std::string &path_;
};

} // namespace

struct SafetensorsFile::Impl {
  std::string path;
  Mapping mapping;
  std::vector<SafetensorsTensor> tensors;
  std::map<std::string, size_t> index; // name -> position in tensors
  std::map<std::string, std::string> metadata;
};

SafetensorsFile::SafetensorsFile() : impl_(std::make_shared<const Impl>()) {}

SafetensorsFile::SafetensorsFile(std::shared_ptr<const Impl> impl)
    : impl_(std::move(impl)) {}

SafetensorsFile SafetensorsFile::open(const std::string &path) {
  auto impl = std::make_shared<Impl>();
  impl->path = path;
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.fd < 0)
    throw Error("cannot open '" + path + "': " + errnoText(errno));
  struct stat st;
  if (::fstat(fd.fd, &st) != 0)
    throw Error("cannot stat '" + path + "': " + errnoText(errno));
  if (!S_ISREG(st.st_mode))
    throw Error(path + ": not a regular file");
  if (st.st_size < 8)
    throw Error(path + ": the file has " + std::to_string(st.st_size) +
                " bytes, too short for a safetensors file (an 8-byte header "
                "length comes first)");
  size_t size = static_cast<size_t>(st.st_size);
  void *base = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd.fd, 0);
  if (base == MAP_FAILED)
    throw Error(path + ": cannot map the file (" + formatBytes(double(size)) +
                "): " + errnoText(errno));
  impl->mapping.base = base;
  impl->mapping.size = size;
  HeaderReader reader(path);
  try {
    reader.read(static_cast<const uint8_t *>(base), size);
  } catch (const nlohmann::json::exception &e) {
    // Not expected (every access above checks the type first), but no
    // nlohmann exception may leave the runtime's API.
    throw Error(path + ": " + detail::jsonMessage(e));
  }
  impl->tensors = std::move(reader.tensors);
  impl->index = std::move(reader.index);
  impl->metadata = std::move(reader.metadata);
  return SafetensorsFile(std::move(impl));
}

const std::string &SafetensorsFile::path() const { return impl_->path; }

const std::vector<SafetensorsTensor> &SafetensorsFile::tensors() const {
  return impl_->tensors;
}

const SafetensorsTensor *SafetensorsFile::find(const std::string &name) const {
  auto it = impl_->index.find(name);
  return it == impl_->index.end() ? nullptr : &impl_->tensors[it->second];
}

const SafetensorsTensor &
SafetensorsFile::get(const std::string &name,
                     const TensorType &expected) const {
  const SafetensorsTensor *t = find(name);
  if (!t)
    throw Error(impl_->path + ": no tensor " + quote(name));
  if (t->type != expected)
    throw Error(impl_->path + ": tensor " + quote(name) + " is " +
                t->type.str() + ", expected " + expected.str());
  return *t;
}

const std::map<std::string, std::string> &SafetensorsFile::metadata() const {
  return impl_->metadata;
}

namespace {

/// `s` as a JSON string literal; throws glu::Error "<path>: <what> is not
/// valid UTF-8" if it is not UTF-8.
std::string jsonString(const std::string &path, const std::string &s,
                       const std::string &what) {
  try {
    return Json(s).dump(-1, ' ', false, Json::error_handler_t::strict);
  } catch (const Json::exception &) {
    throw Error(path + ": " + what + " is not valid UTF-8");
  }
}

/// The header (JSON, padded with spaces to put the data at a multiple of
/// 8) of the tensors and metadata given; checks them.
std::string encodeHeader(const std::string &path,
                         const std::vector<SafetensorsEntry> &tensors,
                         const std::map<std::string, std::string> &metadata) {
  std::string header = "{";
  if (!metadata.empty()) {
    header += std::string("\"") + kMetadataKey + "\":{";
    bool first = true;
    for (const auto &[key, value] : metadata) {
      if (!first)
        header += ',';
      first = false;
      header +=
          jsonString(path, key, "metadata key " + quote(key)) + ":" +
          jsonString(path, value, "the value of metadata key " + quote(key));
    }
    header += '}';
  }
  std::set<std::string> names;
  uint64_t offset = 0;
  for (const SafetensorsEntry &t : tensors) {
    std::string where = "tensor " + quote(t.name);
    if (t.name == kMetadataKey)
      throw Error(path + ": '__metadata__' cannot be a tensor name (it is " +
                  "the header's metadata key)");
    if (!names.insert(t.name).second)
      throw Error(path + ": " + where + " is given twice");
    const char *dtype = safetensorsName(t.type.dtype);
    if (!dtype)
      throw Error(path + ": " + where + " has an unknown dtype");
    size_t bytes = 0;
    try {
      bytes = t.type.numBytes();
    } catch (const Error &e) {
      throw Error(path + ": " + where + ": " + e.what());
    }
    if (bytes && !t.data)
      throw Error(path + ": " + where + " (" + t.type.str() +
                  ") has no data (a null pointer)");
    // Readers take data_offsets as int64 (the safetensors library as u64).
    if (bytes > uint64_t(std::numeric_limits<int64_t>::max()) - offset)
      throw Error(path + ": the tensors' sizes add up to more than 2^63 - 1 "
                         "bytes");
    if (header.size() > 1)
      header += ',';
    header += jsonString(path, t.name, "tensor name " + quote(t.name)) +
              ":{\"dtype\":\"" + dtype + "\",\"shape\":[";
    for (size_t i = 0; i < t.type.shape.size(); ++i)
      header += (i ? "," : "") + std::to_string(t.type.shape[i]);
    header += "],\"data_offsets\":[" + std::to_string(offset) + "," +
              std::to_string(offset + bytes) + "]}";
    offset += bytes;
  }
  header += '}';
  header.append((8 - (8 + header.size()) % 8) % 8, ' ');
  if (header.size() > kMaxHeaderBytes)
    throw Error(path + ": the header would take " +
                std::to_string(header.size()) + " bytes, more than the " +
                std::to_string(kMaxHeaderBytes) + " a reader accepts");
  return header;
}

/// Writes all `size` bytes at `data` to `fd`; false (errno set) on failure.
bool writeAll(int fd, const void *data, size_t size) {
  const char *p = static_cast<const char *>(data);
  while (size > 0) {
    // Linux writes at most about 2 GiB at once.
    size_t chunk = std::min<size_t>(size, size_t(1) << 30);
    ssize_t n = ::write(fd, p, chunk);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return false;
    }
    if (n == 0) {
      errno = EIO;
      return false;
    }
    p += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

/// The temporary file of a write: closed and removed on destruction unless
/// committed.
struct TempFile {
  std::string name;
  int fd = -1;
  bool committed = false;

  TempFile() = default;
  TempFile(const TempFile &) = delete;
  TempFile &operator=(const TempFile &) = delete;
  ~TempFile() {
    if (fd >= 0)
      ::close(fd);
    if (!committed && !name.empty())
      ::unlink(name.c_str());
  }
};

std::atomic<unsigned> tempCounter{0};

} // namespace

void writeSafetensors(const std::string &path,
                      const std::vector<SafetensorsEntry> &tensors,
                      const std::map<std::string, std::string> &metadata) {
  std::string header = encodeHeader(path, tensors, metadata);
  uint8_t length[8];
  for (int i = 0; i < 8; ++i)
    length[i] = uint8_t(uint64_t(header.size()) >> (8 * i));

  std::string tmpName = path + ".tmp." + std::to_string(::getpid()) + "." +
                        std::to_string(tempCounter++);
  int fd =
      ::open(tmpName.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0)
    throw Error(path + ": cannot create '" + tmpName +
                "': " + errnoText(errno));
  TempFile tmp;
  tmp.name = tmpName;
  tmp.fd = fd;
  auto fail = [&](const std::string &what) {
    int err = errno;
    throw Error(path + ": cannot " + what + " '" + tmpName +
                "': " + errnoText(err));
  };
  if (!writeAll(fd, length, 8) || !writeAll(fd, header.data(), header.size()))
    fail("write");
  for (const SafetensorsEntry &t : tensors)
    if (!writeAll(fd, t.data, t.type.numBytes()))
      fail("write");
  if (::fsync(fd) != 0)
    fail("sync");
  tmp.fd = -1;
  if (::close(fd) != 0)
    fail("close");
  if (::rename(tmpName.c_str(), path.c_str()) != 0) {
    int err = errno;
    throw Error(path + ": cannot rename '" + tmpName +
                "' to it: " + errnoText(err));
  }
  tmp.committed = true;

  // Make the rename itself durable.
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "."
                    : slash == 0               ? "/"
                                               : path.substr(0, slash);
  Fd dirFd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  // Some file systems cannot sync a directory (EINVAL): nothing to do.
  if (dirFd.fd < 0 || (::fsync(dirFd.fd) != 0 && errno != EINVAL))
    throw Error(path + ": written, but cannot sync its directory '" + dir +
                "': " + errnoText(errno));
}

} // namespace glu
