//===- glu-run.cpp - Run a glu artifact -----------------------------------===//
//
//   glu-run ARTIFACT_DIR [--entry NAME] [--input NAME=FILE.npy]... [--seed N]
//           [--output-dir DIR] [--device cpu|cuda|auto] [--warmup N]
//           [--iterations N] [--list]
//
// Loads the artifact, binds each argument to the .npy given with --input or
// to seeded random values, calls the entry point warmup + iterations times,
// prints the timings (and a machine-readable `timing ...` line) and writes
// each result of the last call to DIR/<result name>.npy. Exit status: 0 on
// success, 1 on any failure, 2 on a usage error; one line on stderr says why.
//
// Random inputs (deterministic given --seed, the same on every device): the
// generator is splitmix64 seeded with the seed and the argument's name.
// Floating-point arguments are uniform in [-1, 1) scaled by 1/sqrt(fan_in),
// fan_in being the next-to-last dimension (1 for rank < 2); integers are
// uniform in [0, 16); i1 is 0 or 1. bf16 values are rounded from f32.
//
//===----------------------------------------------------------------------===//

#include "glu/Npy.h"
#include "glu/Runtime.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <map>
#include <new>
#include <numeric>
#include <string>
#include <vector>

namespace {

struct Options {
  std::string artifact;
  std::string entry;
  std::map<std::string, std::string> inputs;
  uint64_t seed = 0;
  std::string outputDir;
  std::string device = "auto";
  int warmup = 0;
  int iterations = 1;
  bool list = false;
};

struct UsageError : glu::Error {
  using glu::Error::Error;
};

const char *kUsage =
    "usage: glu-run ARTIFACT_DIR [--entry NAME] [--input NAME=FILE.npy]...\n"
    "               [--seed N] [--output-dir DIR] [--device cpu|cuda|auto]\n"
    "               [--warmup N] [--iterations N] [--list]\n";

/// The most calls --warmup and --iterations may ask for (the timings of
/// every call are kept).
constexpr long long kMaxCalls = 10000000;

/// `value` as an integer in [min, max], or a usage error naming `flag`:
/// no wrap-around, no trailing text.
long long parseCount(const std::string &flag, const std::string &value,
                     long long min,
                     long long max = std::numeric_limits<long long>::max()) {
  char *end = nullptr;
  errno = 0;
  long long v = std::strtoll(value.c_str(), &end, 10);
  if (value.empty() || *end || errno || v < min || v > max) {
    std::string range = max == std::numeric_limits<long long>::max()
                            ? "an integer >= " + std::to_string(min)
                            : "an integer from " + std::to_string(min) +
                                  " to " + std::to_string(max);
    throw UsageError(flag + " expects " + range + ", got '" + value + "'");
  }
  return v;
}

Options parseOptions(int argc, char **argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string value;
    bool hasValue = false;
    if (arg.rfind("--", 0) == 0) {
      size_t eq = arg.find('=');
      if (eq != std::string::npos && arg.rfind("--input", 0) != 0) {
        value = arg.substr(eq + 1);
        arg = arg.substr(0, eq);
        hasValue = true;
      } else if (arg.rfind("--input=", 0) == 0) {
        value = arg.substr(8);
        arg = "--input";
        hasValue = true;
      }
    }
    auto next = [&]() -> std::string {
      if (hasValue)
        return value;
      if (i + 1 >= argc)
        throw UsageError(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "-h" || arg == "--help") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else if (arg == "--entry") {
      o.entry = next();
    } else if (arg == "--input") {
      std::string spec = next();
      size_t eq = spec.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
        throw UsageError("--input expects NAME=FILE.npy, got '" + spec + "'");
      o.inputs[spec.substr(0, eq)] = spec.substr(eq + 1);
    } else if (arg == "--seed") {
      o.seed = static_cast<uint64_t>(parseCount(arg, next(), 0));
    } else if (arg == "--output-dir") {
      o.outputDir = next();
    } else if (arg == "--device") {
      o.device = next();
    } else if (arg == "--warmup") {
      o.warmup = static_cast<int>(parseCount(arg, next(), 0, kMaxCalls));
    } else if (arg == "--iterations") {
      o.iterations = static_cast<int>(parseCount(arg, next(), 1, kMaxCalls));
    } else if (arg == "--list") {
      o.list = true;
    } else if (arg.rfind("-", 0) == 0) {
      throw UsageError("unknown option '" + arg + "'");
    } else if (o.artifact.empty()) {
      o.artifact = arg;
    } else {
      throw UsageError("unexpected argument '" + arg + "'");
    }
  }
  if (o.artifact.empty())
    throw UsageError("missing ARTIFACT_DIR");
  return o;
}

//===----------------------------------------------------------------------===//
// Seeded inputs
//===----------------------------------------------------------------------===//

struct SplitMix64 {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  /// Uniform in [0, 1) with 24 bits, exact in float.
  float unit() { return float(next() >> 40) * (1.0f / 16777216.0f); }
};

uint64_t fnv1a(const std::string &s) {
  uint64_t h = 0xCBF29CE484222325ull;
  for (unsigned char c : s)
    h = (h ^ c) * 0x100000001B3ull;
  return h;
}

uint16_t floatToHalf(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  uint32_t sign = (x >> 16) & 0x8000;
  int32_t exp = int32_t((x >> 23) & 0xFF) - 127 + 15;
  uint32_t mant = x & 0x7FFFFF;
  if (((x >> 23) & 0xFF) == 0xFF) // inf or nan
    return uint16_t(sign | 0x7C00 | (mant ? 0x200 : 0));
  if (exp >= 31)
    return uint16_t(sign | 0x7C00);
  if (exp <= 0) {
    if (exp < -10)
      return uint16_t(sign);
    mant |= 0x800000;
    uint32_t shift = uint32_t(14 - exp);
    uint32_t half = mant >> shift;
    uint32_t rest = mant & ((1u << shift) - 1);
    uint32_t mid = 1u << (shift - 1);
    if (rest > mid || (rest == mid && (half & 1)))
      ++half;
    return uint16_t(sign | half);
  }
  uint32_t half = sign | (uint32_t(exp) << 10) | (mant >> 13);
  uint32_t rest = mant & 0x1FFF;
  if (rest > 0x1000 || (rest == 0x1000 && (half & 1)))
    ++half; // may carry into the exponent, which is still right
  return uint16_t(half);
}

uint16_t floatToBF16(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  if ((x & 0x7FFFFFFF) > 0x7F800000)
    return uint16_t((x >> 16) | 0x40);
  x += 0x7FFF + ((x >> 16) & 1);
  return uint16_t(x >> 16);
}

float bf16ToFloat(uint16_t b) {
  uint32_t x = uint32_t(b) << 16;
  float f;
  std::memcpy(&f, &x, 4);
  return f;
}

/// `bytes` zeroed host bytes for `what`; the runtime's out-of-memory message
/// instead of std::bad_alloc when the host has no room.
std::vector<uint8_t> hostBytes(size_t bytes, const std::string &what) {
  try {
    return std::vector<uint8_t>(bytes);
  } catch (const std::bad_alloc &) {
    throw glu::Error("out of memory: cannot allocate " +
                     glu::formatBytes(double(bytes)) + " on the host for " +
                     what);
  }
}

std::string describe(const glu::TensorSpec &spec) {
  return "'" + spec.name + "' (" + spec.type.str() + ")";
}

std::vector<uint8_t> seededValues(const glu::TensorSpec &spec, uint64_t seed) {
  const glu::TensorType &t = spec.type;
  SplitMix64 rng{seed * 0x9E3779B97F4A7C15ull ^ fnv1a(spec.name)};
  int64_t n = t.numElements();
  std::vector<uint8_t> out =
      hostBytes(t.numBytes(), "the random values of " + describe(spec));
  int64_t fanIn =
      t.rank() >= 2 ? std::max<int64_t>(t.shape[t.rank() - 2], 1) : 1;
  float scale = 1.0f / std::sqrt(float(fanIn));
  for (int64_t i = 0; i < n; ++i) {
    switch (t.dtype) {
    case glu::DType::F32: {
      float v = (2.0f * rng.unit() - 1.0f) * scale;
      std::memcpy(&out[i * 4], &v, 4);
      break;
    }
    case glu::DType::F64: {
      double v = double((2.0f * rng.unit() - 1.0f) * scale);
      std::memcpy(&out[i * 8], &v, 8);
      break;
    }
    case glu::DType::F16: {
      uint16_t v = floatToHalf((2.0f * rng.unit() - 1.0f) * scale);
      std::memcpy(&out[i * 2], &v, 2);
      break;
    }
    case glu::DType::BF16: {
      uint16_t v = floatToBF16((2.0f * rng.unit() - 1.0f) * scale);
      std::memcpy(&out[i * 2], &v, 2);
      break;
    }
    case glu::DType::I1:
      out[i] = uint8_t(rng.next() & 1);
      break;
    case glu::DType::I8:
      out[i] = uint8_t(rng.next() % 16);
      break;
    case glu::DType::I32: {
      int32_t v = int32_t(rng.next() % 16);
      std::memcpy(&out[i * 4], &v, 4);
      break;
    }
    case glu::DType::I64: {
      int64_t v = int64_t(rng.next() % 16);
      std::memcpy(&out[i * 8], &v, 8);
      break;
    }
    }
  }
  return out;
}

/// The bytes of argument `spec` from a .npy file (f32 accepted for bf16).
std::vector<uint8_t> fileValues(const glu::TensorSpec &spec,
                                const std::string &path,
                                const std::string &entry) {
  glu::NpyArray a = glu::readNpy(path);
  if (spec.type.dtype == glu::DType::BF16 && a.type.dtype == glu::DType::F32 &&
      a.type.shape == spec.type.shape) {
    std::vector<uint8_t> out =
        hostBytes(spec.type.numBytes(), "the values of " + describe(spec));
    for (int64_t i = 0; i < a.type.numElements(); ++i) {
      uint16_t v = floatToBF16(a.as<float>()[i]);
      std::memcpy(&out[i * 2], &v, 2);
    }
    return out;
  }
  if (a.type != spec.type)
    throw glu::Error("argument '" + spec.name + "' of entry point '" + entry +
                     "' expects " + spec.type.str() + ", got " + a.type.str() +
                     " from " + path);
  return std::move(a.data);
}

//===----------------------------------------------------------------------===//
// Main
//===----------------------------------------------------------------------===//

std::string fileNameFor(const std::string &name) {
  std::string s = name.empty() ? "result" : name;
  for (char &c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' ||
          c == '.'))
      c = '_';
  if (s[0] == '.')
    s[0] = '_';
  return s;
}

/// Prints what the manifest holds; needs no device (a cuda artifact can be
/// listed where there is no GPU).
void listArtifact(const std::string &directory, const glu::Manifest &m) {
  std::printf("artifact %s: target %s, library %s\n", directory.c_str(),
              m.target.c_str(), m.library.c_str());
  for (const glu::EntryPoint &e : m.entryPoints) {
    std::printf("entry %s (symbol %s)\n", e.name.c_str(), e.symbol.c_str());
    for (const glu::TensorSpec &s : e.arguments) {
      std::string packed;
      if (s.packed.has_value()) {
        glu::TensorType half{s.type.dtype, s.packed->halfShape};
        packed = " (packed: " + s.packed->gateName + " and " +
                 s.packed->linearName + ", " + half.str() +
                 " each, in column blocks of " +
                 std::to_string(s.packed->blockSize) + ")";
      }
      std::printf("  argument %s: %s%s\n", s.name.c_str(), s.type.str().c_str(),
                  packed.c_str());
    }
    for (const glu::TensorSpec &s : e.results)
      std::printf("  result %s: %s\n", s.name.c_str(), s.type.str().c_str());
  }
}

std::string chooseEntry(const glu::Artifact &a, const std::string &wanted) {
  if (!wanted.empty())
    return a.entry(wanted).name;
  const auto &entries = a.entryPoints();
  if (entries.size() == 1)
    return entries[0].name;
  std::string names;
  for (const glu::EntryPoint &e : entries) {
    if (e.name == "forward")
      return e.name;
    names += (names.empty() ? "" : ", ") + e.name;
  }
  throw glu::Error("artifact '" + a.directory() + "' has " +
                   std::to_string(entries.size()) +
                   " entry points; choose one with --entry (" + names + ")");
}

void writeResult(const glu::Buffer &b, const std::string &path) {
  if (b.dtype() == glu::DType::BF16) {
    std::vector<uint16_t> raw = b.read<uint16_t>();
    std::vector<float> f(raw.size());
    for (size_t i = 0; i < raw.size(); ++i)
      f[i] = bf16ToFloat(raw[i]);
    glu::TensorType t{glu::DType::F32, b.shape()};
    glu::writeNpy(path, t, f.data(), f.size() * sizeof(float));
    return;
  }
  std::vector<uint8_t> bytes =
      hostBytes(b.numBytes(), "a copy of result " + path);
  b.download(bytes.data(), bytes.size());
  glu::writeNpy(path, b.type(), bytes.data(), bytes.size());
}

int run(const Options &o) {
  if (o.list) {
    listArtifact(o.artifact, glu::Manifest::load(o.artifact));
    return 0;
  }
  glu::Runtime rt(glu::parseDevice(o.device));
  glu::Artifact a = rt.load(o.artifact);
  std::string entryName = chooseEntry(a, o.entry);
  const glu::EntryPoint &e = a.entry(entryName);
  for (const auto &input : o.inputs) {
    bool known = false;
    for (const glu::TensorSpec &s : e.arguments)
      known = known || s.name == input.first;
    if (!known)
      throw glu::Error("--input " + input.first + ": entry point '" + e.name +
                       "' has no argument '" + input.first + "'");
  }

  std::vector<glu::Buffer> args;
  for (const glu::TensorSpec &s : e.arguments) {
    auto it = o.inputs.find(s.name);
    std::vector<uint8_t> bytes = it != o.inputs.end()
                                     ? fileValues(s, it->second, e.name)
                                     : seededValues(s, o.seed);
    glu::Buffer b = rt.allocate(
        s.type, "argument '" + s.name + "' of entry point '" + e.name + "'");
    b.upload(bytes.data(), bytes.size());
    args.push_back(b);
  }
  std::vector<glu::Buffer> results;
  for (size_t i = 0; i < e.results.size(); ++i)
    results.push_back(a.allocateResult(e.name, i));
  std::vector<const glu::Buffer *> argPtrs;
  for (const glu::Buffer &b : args)
    argPtrs.push_back(&b);
  std::vector<glu::Buffer *> resultPtrs;
  for (glu::Buffer &b : results)
    resultPtrs.push_back(&b);

  for (int i = 0; i < o.warmup; ++i)
    a.call(e.name, argPtrs, resultPtrs);
  std::vector<double> times;
  for (int i = 0; i < o.iterations; ++i) {
    double ms = 0;
    a.call(e.name, argPtrs, resultPtrs, &ms);
    times.push_back(ms);
  }
  std::vector<double> sorted = times;
  std::sort(sorted.begin(), sorted.end());
  size_t n = sorted.size();
  double median =
      n % 2 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
  double mean = std::accumulate(sorted.begin(), sorted.end(), 0.0) / n;
  const char *dev = glu::deviceName(rt.device());
  std::printf("%s on %s: %d iteration%s (%d warmup): min %.3f ms, median "
              "%.3f ms, mean %.3f ms\n",
              e.name.c_str(), dev, o.iterations, o.iterations == 1 ? "" : "s",
              o.warmup, sorted.front(), median, mean);
  std::printf("timing entry=%s device=%s median_ms=%.6f min_ms=%.6f "
              "mean_ms=%.6f iterations=%d warmup=%d\n",
              e.name.c_str(), dev, median, sorted.front(), mean, o.iterations,
              o.warmup);

  if (!o.outputDir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(o.outputDir, ec);
    if (ec)
      throw glu::Error("cannot create '" + o.outputDir + "': " + ec.message());
    for (size_t i = 0; i < results.size(); ++i) {
      std::string path = (std::filesystem::path(o.outputDir) /
                          (fileNameFor(e.results[i].name) + ".npy"))
                             .string();
      writeResult(results[i], path);
      std::printf("result %s: %s -> %s\n", e.results[i].name.c_str(),
                  results[i].type().str().c_str(), path.c_str());
    }
  } else {
    for (size_t i = 0; i < results.size(); ++i)
      std::printf("result %s: %s (not written: no --output-dir)\n",
                  e.results[i].name.c_str(), results[i].type().str().c_str());
  }
  std::fflush(stdout);
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  Options o;
  try {
    o = parseOptions(argc, argv);
  } catch (const UsageError &err) {
    std::fprintf(stderr, "glu-run: error: %s\n%s", err.what(), kUsage);
    return 2;
  }
  try {
    return run(o);
  } catch (const std::bad_alloc &) {
    std::fflush(stdout);
    std::fprintf(stderr, "glu-run: error: out of memory\n");
    return 1;
  } catch (const std::exception &err) {
    std::fflush(stdout);
    std::fprintf(stderr, "glu-run: error: %s\n", err.what());
    return 1;
  }
}
