//===- Types.cpp - Element types and tensor types -------------------------===//

#include "glu/Types.h"

#include <cstdio>
#include <limits>

namespace glu {

const char *dtypeName(DType dtype) {
  switch (dtype) {
  case DType::F16:
    return "f16";
  case DType::BF16:
    return "bf16";
  case DType::F32:
    return "f32";
  case DType::F64:
    return "f64";
  case DType::I1:
    return "i1";
  case DType::I8:
    return "i8";
  case DType::I32:
    return "i32";
  case DType::I64:
    return "i64";
  }
  return "?";
}

size_t dtypeSize(DType dtype) {
  switch (dtype) {
  case DType::F16:
  case DType::BF16:
    return 2;
  case DType::F32:
  case DType::I32:
    return 4;
  case DType::F64:
  case DType::I64:
    return 8;
  case DType::I1:
  case DType::I8:
    return 1;
  }
  return 0;
}

DType parseDType(const std::string &name) {
  static const DType all[] = {DType::F16, DType::BF16, DType::F32, DType::F64,
                              DType::I1,  DType::I8,   DType::I32, DType::I64};
  for (DType d : all)
    if (name == dtypeName(d))
      return d;
  throw Error("unknown dtype '" + name +
              "' (expected f16, bf16, f32, f64, i1, i8, i32 or i64)");
}

int64_t TensorType::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0)
      throw Error("negative dimension in " + str());
    if (d != 0 && n > std::numeric_limits<int64_t>::max() / d)
      throw Error("the size of " + str() + " overflows 64 bits");
    n *= d;
  }
  return n;
}

size_t TensorType::numBytes() const {
  int64_t n = numElements();
  int64_t size = static_cast<int64_t>(dtypeSize(dtype));
  if (n > std::numeric_limits<int64_t>::max() / size)
    throw Error("the size of " + str() + " overflows 64 bits");
  return static_cast<size_t>(n * size);
}

std::string TensorType::str() const {
  std::string s = dtypeName(dtype);
  s += '[';
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      s += ',';
    s += std::to_string(shape[i]);
  }
  s += ']';
  return s;
}

std::string formatBytes(double bytes) {
  static const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  int unit = 0;
  while (bytes >= 1024.0 && unit < 6) {
    bytes /= 1024.0;
    ++unit;
  }
  char buf[64];
  if (unit == 0)
    std::snprintf(buf, sizeof(buf), "%.0f B", bytes);
  else
    std::snprintf(buf, sizeof(buf), "%.1f %s", bytes, units[unit]);
  return buf;
}

} // namespace glu
