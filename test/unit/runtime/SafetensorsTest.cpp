//===- SafetensorsTest.cpp - The safetensors reader and writer ------------===//
//
// Round trips, files the safetensors library wrote (bytes written out
// here), one check per validation error of SafetensorsFile::open, and the
// writer's atomicity.
//
//===----------------------------------------------------------------------===//

#include "glu/Safetensors.h"

#include "TestUtil.h"

#include <csignal>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <gtest/gtest.h>
#include <sys/resource.h>

using namespace glu;

namespace {

/// The bytes of a safetensors file: the header's length, the header as
/// given (no padding added) and the data.
std::string fileWith(const std::string &header, const std::string &data = "") {
  std::string out;
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i)
    out += char(uint8_t(n >> (8 * i)));
  return out + header + data;
}

/// The error SafetensorsFile::open throws for `bytes` written to `path`,
/// or "" if it opens.
std::string errorOf(const std::string &path, const std::string &bytes) {
  glu_test::writeFile(path, bytes);
  try {
    SafetensorsFile::open(path);
  } catch (const Error &e) {
    return e.what();
  }
  return "";
}

/// The names in `dir` that contain ".tmp".
std::vector<std::string> tempFilesIn(const std::string &dir) {
  std::vector<std::string> out;
  for (const auto &entry : std::filesystem::directory_iterator(dir))
    if (entry.path().filename().string().find(".tmp") != std::string::npos)
      out.push_back(entry.path().filename().string());
  return out;
}

std::vector<uint8_t> pattern(size_t bytes, unsigned seed) {
  std::vector<uint8_t> data(bytes);
  for (size_t i = 0; i < bytes; ++i)
    data[i] = uint8_t(i * 37 + seed * 11 + 5);
  return data;
}

/// What `safetensors.numpy.save({"a": np.arange(6, dtype=np.float32)
/// .reshape(2, 3)})` returns (safetensors 0.8.0): the length 64, the
/// header padded with spaces to put the data at byte 72, 0.0f ... 5.0f.
const std::string kNumpyFile =
    std::string("\x40\0\0\0\0\0\0\0", 8) +
    R"({"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]}})" +
    std::string(7, ' ') +
    std::string("\x00\x00\x00\x00"
                "\x00\x00\x80\x3f"
                "\x00\x00\x00\x40"
                "\x00\x00\x40\x40"
                "\x00\x00\x80\x40"
                "\x00\x00\xa0\x40",
                24);

/// What `safetensors.torch.save({...}, metadata={"format": "pt"})` returns
/// (safetensors 0.8.0, torch 2.13) for w = bf16 [1, -2.5, 3], h = f16
/// [1.5, -2, 0.25], d = f64 [3.25], q = i8 [[-1, 2], [3, -4]], m = bool
/// [True, False, True], n = i64 7 (rank 0) and e = f32 zeros(0, 4): the
/// library orders the tensors by alignment, then name.
const std::string kTorchHeader =
    R"({"__metadata__":{"format":"pt"},)"
    R"("n":{"dtype":"I64","shape":[],"data_offsets":[0,8]},)"
    R"("d":{"dtype":"F64","shape":[1],"data_offsets":[8,16]},)"
    R"("e":{"dtype":"F32","shape":[0,4],"data_offsets":[16,16]},)"
    R"("w":{"dtype":"BF16","shape":[3],"data_offsets":[16,22]},)"
    R"("h":{"dtype":"F16","shape":[3],"data_offsets":[22,28]},)"
    R"("q":{"dtype":"I8","shape":[2,2],"data_offsets":[28,32]},)"
    R"("m":{"dtype":"BOOL","shape":[3],"data_offsets":[32,35]}})"
    "      ";
const std::string kTorchFile =
    std::string("\xa8\x01\0\0\0\0\0\0", 8) + kTorchHeader +
    std::string("\x07\x00\x00\x00\x00\x00\x00\x00" // n
                "\x00\x00\x00\x00\x00\x00\x0a\x40" // d
                "\x80\x3f\x20\xc0\x40\x40"         // w
                "\x00\x3e\x00\xc0\x00\x34"         // h
                "\xff\x02\x03\xfc"                 // q
                "\x01\x00\x01",                    // m
                35);

template <typename T> T load(const SafetensorsTensor &t, size_t i) {
  T v;
  std::memcpy(&v, static_cast<const uint8_t *>(t.data) + i * sizeof(T),
              sizeof(T));
  return v;
}

} // namespace

TEST(Safetensors, RoundTripsEveryDtypeAndShape) {
  std::string dir = glu_test::freshDir("safetensors_roundtrip");
  std::vector<TensorType> types = {
      {DType::F32, {2, 3}}, {DType::BF16, {3, 1, 2}}, {DType::F16, {5}},
      {DType::F64, {}},     {DType::I1, {7}},         {DType::I8, {3, 3}},
      {DType::I32, {0, 4}}, {DType::I64, {2}},        {DType::F32, {0}},
  };
  std::vector<std::vector<uint8_t>> data;
  std::vector<SafetensorsEntry> entries;
  for (size_t i = 0; i < types.size(); ++i)
    data.push_back(pattern(types[i].numBytes(), unsigned(i)));
  for (size_t i = 0; i < types.size(); ++i)
    entries.push_back({"t" + std::to_string(9 - i), types[i],
                       data[i].empty() ? nullptr : data[i].data()});
  std::string path = dir + "/m.safetensors";
  writeSafetensors(path, entries);

  SafetensorsFile f = SafetensorsFile::open(path);
  EXPECT_EQ(f.path(), path);
  EXPECT_TRUE(f.metadata().empty());
  // File order is data order, which is the order written (a zero-byte
  // tensor sorts before one that begins at its offset).
  ASSERT_EQ(f.tensors().size(), types.size());
  std::vector<std::string> names;
  for (const SafetensorsTensor &t : f.tensors())
    names.push_back(t.name);
  EXPECT_EQ(names, (std::vector<std::string>{"t9", "t8", "t7", "t6", "t5", "t4",
                                             "t3", "t2", "t1"}));
  for (size_t i = 0; i < types.size(); ++i) {
    const SafetensorsTensor &t = f.get(entries[i].name, types[i]);
    EXPECT_EQ(t.type, types[i]) << t.name;
    EXPECT_EQ(t.bytes, types[i].numBytes()) << t.name;
    if (t.bytes) { // memcmp may not be given null, even for 0 bytes
      EXPECT_EQ(std::memcmp(t.data, data[i].data(), t.bytes), 0) << t.name;
    }
    EXPECT_EQ(f.find(entries[i].name), &t);
  }
  EXPECT_EQ(f.find("t0"), nullptr);
  // The names of the format, as the safetensors library writes them.
  std::string bytes = glu_test::readFile(path);
  for (const char *dtype : {"\"F32\"", "\"BF16\"", "\"F16\"", "\"F64\"",
                            "\"BOOL\"", "\"I8\"", "\"I32\"", "\"I64\""})
    EXPECT_NE(bytes.find(std::string("\"dtype\":") + dtype), std::string::npos)
        << dtype;
  EXPECT_EQ(bytes.find("__metadata__"), std::string::npos);

  // No tensors at all.
  writeSafetensors(dir + "/empty.safetensors", {});
  EXPECT_EQ(glu_test::readFile(dir + "/empty.safetensors"),
            fileWith("{}      "));
  EXPECT_TRUE(
      SafetensorsFile::open(dir + "/empty.safetensors").tensors().empty());
  EXPECT_TRUE(tempFilesIn(dir).empty());
}

TEST(Safetensors, RoundTripsMetadata) {
  std::string dir = glu_test::freshDir("safetensors_metadata");
  std::map<std::string, std::string> metadata = {
      {"format", "pt"},
      {"", "empty key"},
      {"quote\"back\\slash", "line\nbreak\ttab"},
      {"unicode \xc3\xa9", "\xe2\x82\xac 5"},
      {"empty", ""},
  };
  int32_t v[2] = {-1, 7};
  writeSafetensors(dir + "/m.safetensors",
                   {{"v", TensorType{DType::I32, {2}}, v}}, metadata);
  SafetensorsFile f = SafetensorsFile::open(dir + "/m.safetensors");
  EXPECT_EQ(f.metadata(), metadata);
  EXPECT_EQ(load<int32_t>(f.get("v", TensorType{DType::I32, {2}}), 1), 7);

  // Metadata only.
  writeSafetensors(dir + "/only.safetensors", {}, {{"k", "v"}});
  SafetensorsFile only = SafetensorsFile::open(dir + "/only.safetensors");
  EXPECT_TRUE(only.tensors().empty());
  EXPECT_EQ(only.metadata().at("k"), "v");
}

TEST(Safetensors, ReadsWhatTheSafetensorsLibraryWrites) {
  std::string dir = glu_test::freshDir("safetensors_library");
  ASSERT_EQ(kNumpyFile.size(), 96u);
  std::string path = dir + "/numpy.safetensors";
  glu_test::writeFile(path, kNumpyFile);
  SafetensorsFile f = SafetensorsFile::open(path);
  ASSERT_EQ(f.tensors().size(), 1u);
  const SafetensorsTensor &a = f.get("a", TensorType{DType::F32, {2, 3}});
  EXPECT_EQ(a.bytes, 24u);
  for (size_t i = 0; i < 6; ++i)
    EXPECT_EQ(load<float>(a, i), float(i));
  EXPECT_TRUE(f.metadata().empty());
  // The writer writes the same bytes.
  float values[6] = {0, 1, 2, 3, 4, 5};
  writeSafetensors(dir + "/ours.safetensors",
                   {{"a", TensorType{DType::F32, {2, 3}}, values}});
  EXPECT_EQ(glu_test::readFile(dir + "/ours.safetensors"), kNumpyFile);

  ASSERT_EQ(kTorchFile.size(), 467u);
  glu_test::writeFile(dir + "/torch.safetensors", kTorchFile);
  SafetensorsFile t = SafetensorsFile::open(dir + "/torch.safetensors");
  EXPECT_EQ(t.metadata(),
            (std::map<std::string, std::string>{{"format", "pt"}}));
  std::vector<std::string> names;
  for (const SafetensorsTensor &x : t.tensors())
    names.push_back(x.name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"n", "d", "e", "w", "h", "q", "m"}));
  EXPECT_EQ(load<int64_t>(t.get("n", TensorType{DType::I64, {}}), 0), 7);
  EXPECT_EQ(load<double>(t.get("d", TensorType{DType::F64, {1}}), 0), 3.25);
  EXPECT_EQ(t.get("e", TensorType{DType::F32, {0, 4}}).bytes, 0u);
  const SafetensorsTensor &w = t.get("w", TensorType{DType::BF16, {3}});
  // bf16 is the upper half of an f32.
  auto bf16 = [&](size_t i) {
    uint32_t bits = uint32_t(load<uint16_t>(w, i)) << 16;
    float x;
    std::memcpy(&x, &bits, 4);
    return x;
  };
  EXPECT_EQ(bf16(0), 1.0f);
  EXPECT_EQ(bf16(1), -2.5f);
  EXPECT_EQ(bf16(2), 3.0f);
  const SafetensorsTensor &h = t.get("h", TensorType{DType::F16, {3}});
  EXPECT_EQ(load<uint16_t>(h, 0), 0x3e00); // 1.5
  EXPECT_EQ(load<uint16_t>(h, 1), 0xc000); // -2
  EXPECT_EQ(load<uint16_t>(h, 2), 0x3400); // 0.25
  const SafetensorsTensor &q = t.get("q", TensorType{DType::I8, {2, 2}});
  EXPECT_EQ(load<int8_t>(q, 0), -1);
  EXPECT_EQ(load<int8_t>(q, 3), -4);
  const SafetensorsTensor &m = t.get("m", TensorType{DType::I1, {3}});
  EXPECT_EQ(load<uint8_t>(m, 0), 1);
  EXPECT_EQ(load<uint8_t>(m, 1), 0);
  EXPECT_EQ(load<uint8_t>(m, 2), 1);

  // Given the library's order, the writer writes its bytes too.
  std::vector<SafetensorsEntry> entries;
  for (const SafetensorsTensor &x : t.tensors())
    entries.push_back({x.name, x.type, x.data});
  writeSafetensors(dir + "/torch2.safetensors", entries, t.metadata());
  EXPECT_EQ(glu_test::readFile(dir + "/torch2.safetensors"), kTorchFile);
}

TEST(Safetensors, WrittenDataIsAligned) {
  std::string dir = glu_test::freshDir("safetensors_aligned");
  // Names of every length mod 8 move the header's end; the padding puts
  // the data at a multiple of 8 and tensors of whole multiples of 8 bytes
  // keep the next one aligned.
  for (size_t len = 1; len <= 8; ++len) {
    std::vector<double> a(3, 1.0);
    std::vector<float> b(4, 2.0f);
    std::vector<int8_t> c(5, 3);
    std::string path = dir + "/a" + std::to_string(len) + ".safetensors";
    writeSafetensors(path,
                     {{std::string(len, 'x'), {DType::F64, {3}}, a.data()},
                      {"b", {DType::F32, {4}}, b.data()},
                      {"c", {DType::I8, {5}}, c.data()}});
    std::string bytes = glu_test::readFile(path);
    uint64_t n = 0;
    std::memcpy(&n, bytes.data(), 8);
    EXPECT_EQ((8 + n) % 8, 0u) << len;
    SafetensorsFile f = SafetensorsFile::open(path);
    for (const SafetensorsTensor &t : f.tensors())
      EXPECT_EQ(reinterpret_cast<uintptr_t>(t.data) % 8, 0u)
          << len << " " << t.name;
  }
}

TEST(Safetensors, HandlesShareTheMapping) {
  std::string dir = glu_test::freshDir("safetensors_handles");
  std::string path = dir + "/m.safetensors";
  int64_t v[3] = {1, 2, 3};
  writeSafetensors(path, {{"v", TensorType{DType::I64, {3}}, v}});
  SafetensorsFile copy;
  EXPECT_TRUE(copy.tensors().empty());
  EXPECT_EQ(copy.path(), "");
  EXPECT_EQ(copy.find("v"), nullptr);
  const void *data = nullptr;
  {
    SafetensorsFile f = SafetensorsFile::open(path);
    copy = f;
    data = f.tensors()[0].data;
  }
  EXPECT_EQ(copy.tensors()[0].data, data);
  EXPECT_EQ(load<int64_t>(copy.tensors()[0], 2), 3);
  // Replacing the file leaves the mapping of the old one.
  int64_t w[3] = {4, 5, 6};
  writeSafetensors(path, {{"v", TensorType{DType::I64, {3}}, w}});
  EXPECT_EQ(load<int64_t>(copy.tensors()[0], 2), 3);
  EXPECT_EQ(load<int64_t>(SafetensorsFile::open(path).tensors()[0], 2), 6);
  // A tensor of an open file written to another (a copy of a checkpoint).
  SafetensorsFile moved = std::move(copy);
  writeSafetensors(dir + "/copy.safetensors",
                   {{"v", moved.tensors()[0].type, moved.tensors()[0].data}});
  EXPECT_EQ(
      load<int64_t>(
          SafetensorsFile::open(dir + "/copy.safetensors").tensors()[0], 0),
      1);
}

TEST(Safetensors, GetChecksNameAndType) {
  std::string dir = glu_test::freshDir("safetensors_get");
  std::string path = dir + "/m.safetensors";
  std::vector<uint16_t> x(12);
  writeSafetensors(path, {{"x", TensorType{DType::BF16, {3, 4}}, x.data()}});
  SafetensorsFile f = SafetensorsFile::open(path);
  EXPECT_NO_THROW(f.get("x", TensorType{DType::BF16, {3, 4}}));
  try {
    f.get("x", TensorType{DType::F32, {4, 3}});
    FAIL();
  } catch (const Error &e) {
    EXPECT_EQ(std::string(e.what()),
              path + ": tensor 'x' is bf16[3,4], expected f32[4,3]");
  }
  try {
    f.get("y", TensorType{DType::F32, {4, 3}});
    FAIL();
  } catch (const Error &e) {
    EXPECT_EQ(std::string(e.what()), path + ": no tensor 'y'");
  }
}

TEST(Safetensors, FileErrors) {
  std::string dir = glu_test::freshDir("safetensors_file_errors");
  std::string p = dir + "/t.safetensors";
  EXPECT_EQ(errorOf(p, ""), p + ": the file has 0 bytes, too short for a "
                                "safetensors file (an 8-byte header length "
                                "comes first)");
  EXPECT_EQ(errorOf(p, std::string(7, '\0')),
            p + ": the file has 7 bytes, too short for a safetensors file (an "
                "8-byte header length comes first)");
  EXPECT_EQ(errorOf(p, fileWith("{}").substr(0, 9)),
            p + ": the header length is 2 bytes, but the file holds only 1 "
                "after it (truncated, or not a safetensors file?)");
  std::string huge = fileWith("{}");
  huge[0] = char(0x01);
  huge[1] = char(0xe1);
  huge[2] = char(0xf5);
  huge[3] = char(0x05); // 100000001
  EXPECT_EQ(errorOf(p, huge),
            p + ": the header length is 100000001 bytes, more than the "
                "100000000 allowed (not a safetensors file?)");
  std::string all = std::string(8, '\xff');
  EXPECT_NE(errorOf(p, all).find("more than the 100000000 allowed"),
            std::string::npos);
  // nlohmann's messages, with their position.
  for (const char *header : {"", "{", "{\"a\":", "{]", "{} x"})
    EXPECT_EQ(errorOf(p, fileWith(header, "abc"))
                  .rfind(p + ": header: not valid JSON: parse error at line 1, "
                             "column ",
                         0),
              0u)
        << header;
  EXPECT_NE(errorOf(p, fileWith("{\"a\xff\":1}")).find("ill-formed UTF-8"),
            std::string::npos);

  try {
    SafetensorsFile::open(dir + "/missing.safetensors");
    FAIL();
  } catch (const Error &e) {
    EXPECT_EQ(std::string(e.what()), "cannot open '" + dir +
                                         "/missing.safetensors': No such "
                                         "file or directory");
  }
  try {
    SafetensorsFile::open(dir);
    FAIL();
  } catch (const Error &e) {
    EXPECT_EQ(std::string(e.what()), dir + ": not a regular file");
  }
}

TEST(Safetensors, HeaderErrors) {
  std::string dir = glu_test::freshDir("safetensors_header_errors");
  std::string p = dir + "/t.safetensors";
  const std::string f32 = R"({"dtype":"F32","shape":[2],"data_offsets":[0,8]})";
  std::string data8(8, '\0');
  struct Case {
    std::string header;
    std::string message; // after "<path>: "
  };
  std::vector<Case> cases = {
      // nlohmann stops at a NUL, so the rest would be ignored.
      {std::string("{}\0", 3), "header: not valid JSON: a NUL byte at "
                               "offset 2 after the value (only whitespace "
                               "may follow it)"},
      {std::string("{} \0{\"a\":1}", 11),
       "header: not valid JSON: a NUL byte at offset 3 after the value (only "
       "whitespace may follow it)"},
      {"[]", "the header must be a JSON object (tensor name -> {dtype, shape, "
             "data_offsets})"},
      {"\"x\"", "the header must be a JSON object (tensor name -> {dtype, "
                "shape, data_offsets})"},
      {"{\"a\":" + f32 + ",\"a\":" + f32 + "}",
       "header: 'a' appears twice (duplicate key)"},
      {R"({"a":{"dtype":"F32","dtype":"F32","shape":[2],"data_offsets":[0,8]}})",
       "header: 'a.dtype' appears twice (duplicate key)"},
      {R"({"__metadata__":{"k":"1","k":"2"}})",
       "header: '__metadata__.k' appears twice (duplicate key)"},
      {R"({"a":[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]})",
       "header: the JSON is nested more than 16 levels deep"},
      {R"({"a":1})",
       "tensor 'a' must be an object with dtype, shape and data_offsets"},
      {R"({"a":null})",
       "tensor 'a' must be an object with dtype, shape and data_offsets"},
      {R"({"a":{"shape":[2],"data_offsets":[0,8]}})",
       "tensor 'a' lacks 'dtype'"},
      {R"({"a":{"dtype":"F32","data_offsets":[0,8]}})",
       "tensor 'a' lacks 'shape'"},
      {R"({"a":{"dtype":"F32","shape":[2]}})",
       "tensor 'a' lacks 'data_offsets'"},
      {R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"x":1}})",
       "tensor 'a' has an unknown key 'x' (expected dtype, shape and "
       "data_offsets)"},
      {R"({"a":{"dtype":3,"shape":[2],"data_offsets":[0,8]}})",
       "tensor 'a': 'dtype' must be a string"},
      {R"({"a":{"dtype":"I16","shape":[2],"data_offsets":[0,4]}})",
       "tensor 'a' has dtype 'I16', which glu does not support (F16, BF16, "
       "F32, F64, I8, I32, I64, BOOL)"},
      {R"({"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}})",
       "tensor 'a' has dtype 'U8', which glu does not support (F16, BF16, "
       "F32, F64, I8, I32, I64, BOOL)"},
      {R"({"a":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]}})",
       "tensor 'a' has dtype 'F8_E4M3', which glu does not support (F16, "
       "BF16, F32, F64, I8, I32, I64, BOOL)"},
      {R"({"a":{"dtype":"f32","shape":[2],"data_offsets":[0,8]}})",
       "tensor 'a' has dtype 'f32', which glu does not support (F16, BF16, "
       "F32, F64, I8, I32, I64, BOOL)"},
      {R"({"a":{"dtype":"F32","shape":2,"data_offsets":[0,8]}})",
       "tensor 'a': 'shape' must be an array of non-negative integers"},
      {R"({"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})",
       "tensor 'a': 'shape' must be an array of non-negative integers"},
      {R"({"a":{"dtype":"F32","shape":[2.0],"data_offsets":[0,8]}})",
       "tensor 'a': 'shape' must be an array of non-negative integers"},
      {R"({"a":{"dtype":"F32","shape":["2"],"data_offsets":[0,8]}})",
       "tensor 'a': 'shape' must be an array of non-negative integers"},
      {R"({"a":{"dtype":"F32","shape":[9223372036854775808],"data_offsets":[0,8]}})",
       "tensor 'a': 'shape' must be an array of non-negative integers"},
      {R"({"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}})",
       "tensor 'a': the size of f32[4294967296,4294967296] overflows 64 "
       "bits"},
      {R"({"a":{"dtype":"F32","shape":[4611686018427387904],"data_offsets":[0,8]}})",
       "tensor 'a': the size of f32[4611686018427387904] overflows 64 bits"},
      {R"({"a":{"dtype":"F32","shape":[2],"data_offsets":8}})",
       "tensor 'a': 'data_offsets' must be two non-negative integers [begin, "
       "end]"},
      {R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[8]}})",
       "tensor 'a': 'data_offsets' must be two non-negative integers [begin, "
       "end]"},
      {R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8,8]}})",
       "tensor 'a': 'data_offsets' must be two non-negative integers [begin, "
       "end]"},
      {R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[-1,7]}})",
       "tensor 'a': 'data_offsets' must be two non-negative integers [begin, "
       "end]"},
      {R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8.0]}})",
       "tensor 'a': 'data_offsets' must be two non-negative integers [begin, "
       "end]"},
      {R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}})",
       "tensor 'a': data_offsets [8, 0] end before they begin"},
      {R"({"x":{"dtype":"F32","shape":[3,4],"data_offsets":[0,40]}})",
       "tensor 'x' is f32[3,4] (48 bytes), but its data_offsets [0, 40] span "
       "40"},
      {R"({"x":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
       "tensor 'x' ends at byte 12 of the data but the file holds only 8 "
       "(truncated?)"},
      {R"({"x":{"dtype":"F32","shape":[2],"data_offsets":[9223372036854775800,9223372036854775808]}})",
       "tensor 'x': 'data_offsets' must be two non-negative integers [begin, "
       "end]"},
      {R"({"x":{"dtype":"F32","shape":[2],"data_offsets":[9223372036854775799,9223372036854775807]}})",
       "tensor 'x' ends at byte 9223372036854775807 of the data but the file "
       "holds only 8 (truncated?)"},
      {R"({"a":{"dtype":"I8","shape":[6],"data_offsets":[0,6]},)"
       R"("b":{"dtype":"I8","shape":[4],"data_offsets":[4,8]}})",
       "tensors 'a' [0, 6) and 'b' [4, 8) overlap in the data"},
      {R"({"a":{"dtype":"I8","shape":[8],"data_offsets":[0,8]},)"
       R"("b":{"dtype":"I8","shape":[2],"data_offsets":[2,4]}})",
       "tensors 'a' [0, 8) and 'b' [2, 4) overlap in the data"},
      {R"({"a":{"dtype":"I8","shape":[4],"data_offsets":[2,6]},)"
       R"("b":{"dtype":"I8","shape":[4],"data_offsets":[2,6]}})",
       "tensors 'a' [2, 6) and 'b' [2, 6) overlap in the data"},
      {R"({"a":{"dtype":"I8","shape":[8],"data_offsets":[0,8]},)"
       R"("b":{"dtype":"I8","shape":[1],"data_offsets":[1,2]},)"
       R"("c":{"dtype":"I8","shape":[1],"data_offsets":[7,8]}})",
       "tensors 'a' [0, 8) and 'b' [1, 2) overlap in the data"},
      {R"({"__metadata__":[]})", "'__metadata__' must be an object of strings"},
      {R"({"__metadata__":null})",
       "'__metadata__' must be an object of strings"},
      {R"({"__metadata__":{"a":"b","n":1}})",
       "'__metadata__' must be an object of strings, but 'n' is not a "
       "string"},
      {"{\"a\\nb\":1}", "tensor 'a\\x0ab' must be an object with dtype, "
                        "shape and data_offsets"},
  };
  for (const Case &c : cases)
    EXPECT_EQ(errorOf(p, fileWith(c.header, data8)), p + ": " + c.message)
        << c.header;

  // Accepted: padding, zero-element tensors (anywhere, even past the
  // data), gaps, bytes after the last tensor, adjacent tensors.
  std::vector<std::string> good = {
      "{}",
      "{}        \t\n ",
      " {\"a\":" + f32 + "}  ",
      R"({"z":{"dtype":"F32","shape":[0,3],"data_offsets":[8,8]}})",
      R"({"z":{"dtype":"I64","shape":[5,0],"data_offsets":[3,3]}})",
      R"({"a":{"dtype":"I8","shape":[2],"data_offsets":[0,2]},)"
      R"("b":{"dtype":"I8","shape":[2],"data_offsets":[6,8]}})",
      R"({"a":{"dtype":"I8","shape":[4],"data_offsets":[4,8]},)"
      R"("b":{"dtype":"I8","shape":[4],"data_offsets":[0,4]},)"
      R"("e":{"dtype":"I8","shape":[0],"data_offsets":[2,2]}})",
      R"({"__metadata__":{}})",
  };
  for (const std::string &g : good)
    EXPECT_EQ(errorOf(p, fileWith(g, data8)), "") << g;
  // Order by offset, zero-byte tensors at one offset by name.
  glu_test::writeFile(
      p, fileWith(R"({"a":{"dtype":"I8","shape":[4],"data_offsets":[4,8]},)"
                  R"("b":{"dtype":"I8","shape":[4],"data_offsets":[0,4]},)"
                  R"("d":{"dtype":"I8","shape":[0],"data_offsets":[4,4]},)"
                  R"("c":{"dtype":"I8","shape":[0],"data_offsets":[4,4]}})",
                  "01234567"));
  SafetensorsFile f = SafetensorsFile::open(p);
  std::vector<std::string> names;
  for (const SafetensorsTensor &t : f.tensors())
    names.push_back(t.name);
  EXPECT_EQ(names, (std::vector<std::string>{"b", "c", "d", "a"}));
  EXPECT_EQ(std::string(static_cast<const char *>(f.tensors()[3].data), 4),
            "4567");
  EXPECT_EQ(std::string(static_cast<const char *>(f.tensors()[0].data), 4),
            "0123");
}

TEST(Safetensors, WriterErrorsLeaveNothingBehind) {
  std::string dir = glu_test::freshDir("safetensors_atomic");
  std::string path = dir + "/m.safetensors";
  float a[4] = {1, 2, 3, 4};
  writeSafetensors(path, {{"a", TensorType{DType::F32, {4}}, a}}, {{"k", "v"}});
  const std::string before = glu_test::readFile(path);

  auto errorOfWrite =
      [&](const std::string &to, const std::vector<SafetensorsEntry> &tensors,
          const std::map<std::string, std::string> &meta = {}) -> std::string {
    try {
      writeSafetensors(to, tensors, meta);
    } catch (const Error &e) {
      return e.what();
    }
    return "";
  };
  TensorType f4{DType::F32, {4}};
  EXPECT_EQ(errorOfWrite(path, {{"a", f4, a}, {"b", f4, a}, {"a", f4, a}}),
            path + ": tensor 'a' is given twice");
  EXPECT_EQ(errorOfWrite(path, {{"__metadata__", f4, a}}),
            path + ": '__metadata__' cannot be a tensor name (it is the "
                   "header's metadata key)");
  EXPECT_EQ(errorOfWrite(path, {{"a\xff", f4, a}}),
            path + ": tensor name 'a\xff' is not valid UTF-8");
  EXPECT_EQ(errorOfWrite(path, {{"a", f4, a}}, {{"k", "\xc3"}}),
            path + ": the value of metadata key 'k' is not valid UTF-8");
  EXPECT_EQ(errorOfWrite(path, {{"a", f4, nullptr}}),
            path + ": tensor 'a' (f32[4]) has no data (a null pointer)");
  EXPECT_EQ(errorOfWrite(path, {{"a", TensorType{DType::F32, {-1}}, a}}),
            path + ": tensor 'a': negative dimension in f32[-1]");
  TensorType huge{DType::F32, {(int64_t(1) << 61) - 1}}; // 2^63 - 4 bytes
  EXPECT_EQ(errorOfWrite(path, {{"a", huge, a}, {"b", huge, a}}),
            path + ": the tensors' sizes add up to more than 2^63 - 1 bytes");
  EXPECT_EQ(glu_test::readFile(path), before);
  EXPECT_TRUE(tempFilesIn(dir).empty());

  // A directory that does not exist: nothing is created.
  std::string missing = dir + "/no/such/dir/m.safetensors";
  std::string error = errorOfWrite(missing, {{"a", f4, a}});
  EXPECT_EQ(error.rfind(missing + ": cannot create '" + missing + ".tmp.", 0),
            0u)
      << error;
  EXPECT_NE(error.find("': No such file or directory"), std::string::npos)
      << error;
  EXPECT_FALSE(std::filesystem::exists(dir + "/no"));

  // A write that fails half-way (the file size limit: EFBIG, even as
  // root) removes the temporary file and leaves the old one.
  struct rlimit old;
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old), 0);
  auto oldHandler = std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = old;
  small.rlim_cur = 4096;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
  std::vector<float> big(4096);
  error =
      errorOfWrite(path, {{"big", TensorType{DType::F32, {4096}}, big.data()}});
  setrlimit(RLIMIT_FSIZE, &old);
  std::signal(SIGXFSZ, oldHandler);
  EXPECT_EQ(error.rfind(path + ": cannot write '" + path + ".tmp.", 0), 0u)
      << error;
  EXPECT_NE(error.find("': File too large"), std::string::npos) << error;
  EXPECT_EQ(glu_test::readFile(path), before);
  EXPECT_TRUE(tempFilesIn(dir).empty());

  // A successful write replaces the file and leaves no temporary file.
  writeSafetensors(path, {{"big", TensorType{DType::F32, {4096}}, big.data()}});
  EXPECT_TRUE(tempFilesIn(dir).empty());
  EXPECT_EQ(SafetensorsFile::open(path).tensors()[0].name, "big");
}
