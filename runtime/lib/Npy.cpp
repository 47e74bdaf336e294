//===- Npy.cpp - NumPy .npy files -----------------------------------------===//
//
// The header is a Python dict literal such as
//   {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
// padded with spaces and ended with '\n'. We parse only what numpy writes.
//
//===----------------------------------------------------------------------===//

#include "glu/Npy.h"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace glu {

namespace {

const char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;

/// The descr numpy writes for each dtype on a little-endian machine.
const char *descrFor(DType dtype) {
  switch (dtype) {
  case DType::F16:
    return "<f2";
  case DType::F32:
    return "<f4";
  case DType::F64:
    return "<f8";
  case DType::I32:
    return "<i4";
  case DType::I64:
    return "<i8";
  case DType::I8:
    return "|i1";
  case DType::I1:
    return "|b1";
  case DType::BF16:
    return nullptr;
  }
  return nullptr;
}

DType dtypeForDescr(const std::string &descr, const std::string &source) {
  if (descr.size() >= 2 && descr[0] == '>' && descr.substr(1) != "i1" &&
      descr.substr(1) != "b1")
    throw Error(source + ": big-endian .npy data ('" + descr +
                "') is not supported; convert with arr.astype(arr.dtype."
                "newbyteorder('<'))");
  std::string d = descr;
  if (!d.empty() && (d[0] == '<' || d[0] == '|' || d[0] == '=' || d[0] == '>'))
    d = d.substr(1);
  if (d == "f2")
    return DType::F16;
  if (d == "f4")
    return DType::F32;
  if (d == "f8")
    return DType::F64;
  if (d == "i4")
    return DType::I32;
  if (d == "i8")
    return DType::I64;
  if (d == "i1")
    return DType::I8;
  if (d == "b1")
    return DType::I1;
  throw Error(source + ": unsupported .npy dtype '" + descr +
              "' (supported: <f2 <f4 <f8 <i4 <i8 |i1 |b1)");
}

/// A cursor over the header dict.
class HeaderParser {
public:
  HeaderParser(const std::string &text, const std::string &source)
      : text_(text), source_(source) {}

  void parse(std::string &descr, bool &fortran, std::vector<int64_t> &shape) {
    bool sawDescr = false, sawFortran = false, sawShape = false;
    skip();
    expect('{');
    while (true) {
      skip();
      if (peek() == '}')
        break;
      std::string key = quoted();
      skip();
      expect(':');
      skip();
      if (key == "descr") {
        descr = quoted();
        sawDescr = true;
      } else if (key == "fortran_order") {
        fortran = boolean();
        sawFortran = true;
      } else if (key == "shape") {
        shape = tuple();
        sawShape = true;
      } else {
        fail("unknown header key '" + key + "'");
      }
      skip();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      skip();
      if (peek() != '}')
        fail("expected ',' or '}'");
    }
    if (!sawDescr || !sawFortran || !sawShape)
      fail("the header lacks 'descr', 'fortran_order' or 'shape'");
  }

private:
  [[noreturn]] void fail(const std::string &what) {
    throw Error(source_ + ": malformed .npy header: " + what);
  }
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  void skip() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n'))
      ++pos_;
  }
  void expect(char c) {
    if (peek() != c)
      fail(std::string("expected '") + c + "'");
    ++pos_;
  }
  std::string quoted() {
    char q = peek();
    if (q != '\'' && q != '"')
      fail("expected a quoted string");
    ++pos_;
    size_t end = text_.find(q, pos_);
    if (end == std::string::npos)
      fail("unterminated string");
    std::string s = text_.substr(pos_, end - pos_);
    pos_ = end + 1;
    return s;
  }
  bool boolean() {
    if (text_.compare(pos_, 4, "True") == 0) {
      pos_ += 4;
      return true;
    }
    if (text_.compare(pos_, 5, "False") == 0) {
      pos_ += 5;
      return false;
    }
    fail("expected True or False");
  }
  std::vector<int64_t> tuple() {
    std::vector<int64_t> dims;
    expect('(');
    while (true) {
      skip();
      if (peek() == ')') {
        ++pos_;
        return dims;
      }
      if (peek() < '0' || peek() > '9')
        fail("expected a dimension");
      int64_t d = 0;
      while (peek() >= '0' && peek() <= '9') {
        if (d > (int64_t(1) << 56))
          fail("dimension too large");
        d = d * 10 + (text_[pos_++] - '0');
      }
      if (peek() == 'L') // Python 2 longs
        ++pos_;
      dims.push_back(d);
      skip();
      if (peek() == ',')
        ++pos_;
      else if (peek() != ')')
        fail("expected ',' or ')' in the shape");
    }
  }

  const std::string &text_;
  const std::string &source_;
  size_t pos_ = 0;
};

} // namespace

NpyArray decodeNpy(const void *bytes, size_t size,
                   const std::string &sourceName) {
  const auto *p = static_cast<const uint8_t *>(bytes);
  if (size < kMagicSize + 2 || std::memcmp(p, kMagic, kMagicSize) != 0)
    throw Error(sourceName + ": not a .npy file (bad magic)");
  unsigned major = p[6];
  size_t headerLen, headerStart;
  if (major == 1) {
    if (size < 10)
      throw Error(sourceName + ": truncated .npy header");
    headerLen = size_t(p[8]) | (size_t(p[9]) << 8);
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (size < 12)
      throw Error(sourceName + ": truncated .npy header");
    headerLen = size_t(p[8]) | (size_t(p[9]) << 8) | (size_t(p[10]) << 16) |
                (size_t(p[11]) << 24);
    headerStart = 12;
  } else {
    throw Error(sourceName + ": unsupported .npy format version " +
                std::to_string(major) + "." + std::to_string(p[7]));
  }
  if (size < headerStart + headerLen)
    throw Error(sourceName + ": truncated .npy header");
  // The header ends with a newline and the data starts at a multiple of 16
  // bytes (NumPy pads to 64): a header length off by a byte would otherwise
  // read the data shifted.
  if (headerLen == 0 || p[headerStart + headerLen - 1] != '\n')
    throw Error(sourceName + ": malformed .npy header: its " +
                std::to_string(headerLen) +
                " bytes do not end with a newline (wrong header length?)");
  if ((headerStart + headerLen) % 16 != 0)
    throw Error(sourceName +
                ": malformed .npy header: the data would start "
                "at byte " +
                std::to_string(headerStart + headerLen) +
                ", not a multiple of 16 (wrong header length?)");
  std::string header(reinterpret_cast<const char *>(p + headerStart),
                     headerLen);

  std::string descr;
  bool fortran = false;
  NpyArray array;
  HeaderParser(header, sourceName).parse(descr, fortran, array.type.shape);
  array.type.dtype = dtypeForDescr(descr, sourceName);
  if (fortran) {
    bool trivial = 0;
    int nonUnit = 0;
    for (int64_t d : array.type.shape)
      nonUnit += d != 1;
    trivial = nonUnit <= 1; // Fortran and C order coincide
    if (!trivial)
      throw Error(sourceName +
                  ": Fortran-order .npy arrays are not supported; save "
                  "np.ascontiguousarray(arr) instead");
  }
  size_t expected = array.type.numBytes();
  size_t available = size - headerStart - headerLen;
  if (available < expected)
    throw Error(sourceName + ": truncated .npy data: " + array.type.str() +
                " needs " + std::to_string(expected) + " bytes, the file has " +
                std::to_string(available));
  if (available > expected)
    throw Error(sourceName + ": " + std::to_string(available - expected) +
                " bytes after the .npy data (" + array.type.str() + " needs " +
                std::to_string(expected) + ")");
  const uint8_t *data = p + headerStart + headerLen;
  array.data.assign(data, data + expected);
  return array;
}

NpyArray readNpy(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw Error("cannot open '" + path + "': " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string bytes = ss.str();
  return decodeNpy(bytes.data(), bytes.size(), path);
}

std::vector<uint8_t> encodeNpy(const TensorType &type, const void *data,
                               size_t size) {
  const char *descr = descrFor(type.dtype);
  if (!descr)
    throw Error(std::string("cannot write ") + type.str() +
                " to .npy: NumPy has no " + dtypeName(type.dtype) + " dtype");
  if (size != type.numBytes())
    throw Error("cannot write " + type.str() + " to .npy: got " +
                std::to_string(size) + " bytes, expected " +
                std::to_string(type.numBytes()));
  std::string dict = std::string("{'descr': '") + descr +
                     "', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < type.shape.size(); ++i) {
    dict += std::to_string(type.shape[i]);
    if (type.shape.size() == 1 || i + 1 < type.shape.size())
      dict += ",";
    if (i + 1 < type.shape.size())
      dict += " ";
  }
  dict += "), }";
  // Pad with spaces so that the data starts at a multiple of 64 bytes.
  size_t prefix = kMagicSize + 2 + 2;
  bool v2 = prefix + dict.size() + 1 > 65535;
  if (v2)
    prefix += 2;
  size_t total = prefix + dict.size() + 1;
  size_t padded = (total + 63) / 64 * 64;
  dict.append(padded - total, ' ');
  dict += '\n';

  std::vector<uint8_t> out(kMagic, kMagic + kMagicSize);
  out.push_back(v2 ? 2 : 1);
  out.push_back(0);
  size_t len = dict.size();
  out.push_back(uint8_t(len & 0xFF));
  out.push_back(uint8_t((len >> 8) & 0xFF));
  if (v2) {
    out.push_back(uint8_t((len >> 16) & 0xFF));
    out.push_back(uint8_t((len >> 24) & 0xFF));
  }
  out.insert(out.end(), dict.begin(), dict.end());
  const auto *bytes = static_cast<const uint8_t *>(data);
  out.insert(out.end(), bytes, bytes + size);
  return out;
}

void writeNpy(const std::string &path, const TensorType &type, const void *data,
              size_t size) {
  std::vector<uint8_t> bytes = encodeNpy(type, data, size);
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  FILE *f = std::fopen(tmp.c_str(), "wb");
  if (!f)
    throw Error("cannot write '" + tmp + "': " + std::strerror(errno));
  bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  ok = (std::fclose(f) == 0) && ok;
  if (!ok) {
    std::remove(tmp.c_str());
    throw Error("cannot write '" + path + "': " + std::strerror(errno));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    std::remove(tmp.c_str());
    throw Error("cannot rename '" + tmp + "' to '" + path +
                "': " + std::strerror(err));
  }
}

} // namespace glu
