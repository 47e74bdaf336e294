//===- NpyTest.cpp - The .npy reader and writer ---------------------------===//

#include "glu/Npy.h"

#include "TestUtil.h"

#include <cstring>
#include <gtest/gtest.h>

using namespace glu;

namespace {

std::string errorOf(const std::string &bytes) {
  try {
    decodeNpy(bytes.data(), bytes.size(), "x.npy");
  } catch (const Error &e) {
    return e.what();
  }
  return "";
}

/// A v1.0 .npy file with the header dict `dict` and `data` bytes.
std::string npyWith(const std::string &dict, const std::string &data) {
  std::string header = dict;
  while ((10 + header.size() + 1) % 64)
    header += ' ';
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += char(header.size() & 0xFF);
  out += char(header.size() >> 8);
  return out + header + data;
}

} // namespace

TEST(Npy, RoundTripsEveryDtype) {
  const DType dtypes[] = {DType::F16, DType::F32, DType::F64, DType::I1,
                          DType::I8,  DType::I32, DType::I64};
  std::string dir = glu_test::freshDir("npy_roundtrip");
  for (DType d : dtypes) {
    TensorType t{d, {2, 3}};
    std::vector<uint8_t> data(t.numBytes());
    for (size_t i = 0; i < data.size(); ++i)
      data[i] = uint8_t(d == DType::I1 ? (i % 2) : (i * 37 + 11));
    std::string path = dir + "/" + dtypeName(d) + ".npy";
    writeNpy(path, t, data.data(), data.size());
    NpyArray back = readNpy(path);
    EXPECT_EQ(back.type, t) << dtypeName(d);
    EXPECT_EQ(back.data, data) << dtypeName(d);
    // The data starts 64-byte aligned, as numpy writes it.
    EXPECT_EQ((glu_test::readFile(path).size() - data.size()) % 64, 0u);
  }
  // Rank 0 and rank 1 (numpy's "(4,)" shape).
  float scalar = 2.5f;
  writeNpy(dir + "/s.npy", TensorType{DType::F32, {}}, &scalar, 4);
  NpyArray s = readNpy(dir + "/s.npy");
  EXPECT_TRUE(s.type.shape.empty());
  EXPECT_EQ(s.as<float>()[0], 2.5f);
  EXPECT_NE(glu_test::readFile(dir + "/s.npy").find("'shape': ()"),
            std::string::npos);
  float v[4] = {1, 2, 3, 4};
  writeNpy(dir + "/v.npy", TensorType{DType::F32, {4}}, v, 16);
  EXPECT_NE(glu_test::readFile(dir + "/v.npy").find("'shape': (4,)"),
            std::string::npos);
}

TEST(Npy, ReadsNumpyHeadersV1AndV2) {
  std::string data(12, '\0');
  float f[3] = {1, -2, 3};
  std::memcpy(&data[0], f, 12);
  NpyArray a = decodeNpy(
      npyWith("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", data)
          .data(),
      npyWith("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", data)
          .size(),
      "x.npy");
  EXPECT_EQ(a.type.str(), "f32[3]");
  EXPECT_EQ(a.as<float>()[1], -2.0f);

  std::string dict = "{'descr': '<i8', 'fortran_order': False, 'shape': (1, "
                     "1), }";
  std::string header = dict + std::string(64 - (12 + dict.size()) % 64, ' ');
  header.back() = '\n';
  std::string v2("\x93NUMPY\x02\x00", 8);
  uint32_t len = uint32_t(header.size());
  v2.append(reinterpret_cast<const char *>(&len), 4);
  int64_t seven = 7;
  v2 += header + std::string(reinterpret_cast<const char *>(&seven), 8);
  NpyArray b = decodeNpy(v2.data(), v2.size(), "y.npy");
  EXPECT_EQ(b.type.str(), "i64[1,1]");
  EXPECT_EQ(b.as<int64_t>()[0], 7);
}

TEST(Npy, TruncatedFileIsAnError) {
  std::string dir = glu_test::freshDir("npy_truncated");
  float v[8] = {};
  writeNpy(dir + "/t.npy", TensorType{DType::F32, {8}}, v, sizeof(v));
  std::string bytes = glu_test::readFile(dir + "/t.npy");
  glu_test::writeFile(dir + "/t.npy", bytes.substr(0, bytes.size() - 5));
  try {
    readNpy(dir + "/t.npy");
    FAIL() << "read a truncated file";
  } catch (const Error &e) {
    EXPECT_NE(std::string(e.what()).find("t.npy: truncated .npy data: "
                                         "f32[8] needs 32 bytes, the file "
                                         "has 27"),
              std::string::npos)
        << e.what();
  }
  EXPECT_NE(errorOf(bytes.substr(0, 20)).find("truncated .npy header"),
            std::string::npos);
  EXPECT_NE(errorOf("hello").find("not a .npy file"), std::string::npos);
}

TEST(Npy, RefusesFortranOrderBigEndianAndOtherDtypes) {
  std::string data(24, '\0');
  EXPECT_NE(errorOf(npyWith("{'descr': '<f4', 'fortran_order': True, "
                            "'shape': (2, 3), }",
                            data))
                .find("Fortran-order .npy arrays are not supported"),
            std::string::npos);
  EXPECT_NE(errorOf(npyWith("{'descr': '>f4', 'fortran_order': False, "
                            "'shape': (2, 3), }",
                            data))
                .find("big-endian .npy data ('>f4') is not supported"),
            std::string::npos);
  EXPECT_NE(errorOf(npyWith("{'descr': '<c8', 'fortran_order': False, "
                            "'shape': (3,), }",
                            data))
                .find("unsupported .npy dtype '<c8'"),
            std::string::npos);
  // A vector is the same in both orders: accepted.
  EXPECT_EQ(errorOf(npyWith("{'descr': '<f4', 'fortran_order': True, "
                            "'shape': (6,), }",
                            data)),
            "");
  float x = 0;
  EXPECT_THROW(encodeNpy(TensorType{DType::BF16, {1}}, &x, 2), Error);
}

TEST(Npy, ValidatesTheHeaderLengthAndTheDataSize) {
  std::string data(12, '\0');
  std::string good = npyWith(
      "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", data);
  ASSERT_EQ(errorOf(good), "");
  // A header length off by one either way once read the data shifted by a
  // byte.
  for (int delta : {-1, 1}) {
    std::string bad = good;
    bad[8] = char(uint8_t(bad[8]) + delta);
    std::string error = errorOf(bad);
    EXPECT_NE(error.find("x.npy: malformed .npy header"), std::string::npos)
        << delta << ": " << error;
  }
  // A header of the right length that does not end the padding with a
  // newline.
  std::string noNewline = good;
  noNewline[good.size() - data.size() - 1] = ' ';
  EXPECT_NE(errorOf(noNewline).find("do not end with a newline"),
            std::string::npos);
  // Trailing bytes were ignored.
  EXPECT_EQ(errorOf(good + "xyz"),
            "x.npy: 3 bytes after the .npy data (f32[3] needs 12)");
}
