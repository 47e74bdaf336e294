//===- ManifestTest.cpp - manifest.json: malformed JSON and bad manifests -===//
//
// Through the public API only (glu::Manifest::parse, Runtime::load and the
// C API): every malformed input gives a glu::Error that names the file and
// the problem (nlohmann's position for JSON syntax, the key's path and the
// expected type for the rest), and no other exception leaves the runtime.
//
//===----------------------------------------------------------------------===//

#include "glu/CudaChip.h"
#include "glu/Runtime.h"
#include "glu/glu_runtime.h"

#include "TestUtil.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace glu;
using namespace glu_test;

namespace {

/// A valid manifest (no trailing whitespace: each of its proper prefixes is
/// truncated JSON). Each key below is spelled so that the mutations of the
/// tests find exactly the spot they mean with a first-occurrence replace.
const std::string kValid =
    "{\"format\": \"glu-artifact\", \"version\": 2, \"target\": \"cpu\",\n"
    " \"library\": \"model.so\", \"library_bytes\": 16384,\n"
    " \"library_sha256\": "
    "\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\",\n"
    " \"source\": \"m.mlir\",\n"
    " \"producer\": \"t\\u00e9st \\ud83d\\ude00 \\\"q\\\" \\\\ \\/ "
    "\\b\\f\\n\\r\\t\",\n"
    " \"fused\": false, \"extra\": {\"list\": [1, -2.5e1, true, null, {}]},\n"
    " \"entry_points\": [{\"name\": \"add\", \"symbol\": \"glu_entry_add\",\n"
    "   \"arguments\": [{\"name\": \"a\", \"shape\": [4], \"dtype\": "
    "\"f32\"},\n"
    "                 {\"name\": \"w\", \"shape\": [12345678901234, 0], "
    "\"dtype\": \"i8\",\n"
    "                  \"packed\": {\"layout\": \"interleaved_column_blocks\","
    " \"block_size\": 64,\n"
    "                   \"gate\": {\"name\": \"w_gate\", \"shape\": "
    "[12345678901234, 0]},\n"
    "                   \"linear\": {\"shape\": [12345678901234, 0], "
    "\"name\": \"w_lin\"}}}],\n"
    "   \"results\": [{\"name\": \"sum\", \"shape\": [], \"dtype\": "
    "\"f32\"}]}]}";

/// The message of the glu::Error that parsing `text` throws; "" if it
/// parses. Any other exception fails the test.
std::string errorOf(const std::string &text) {
  try {
    Manifest::parse(text, "m.json");
  } catch (const Error &e) {
    return e.what();
  } catch (const std::exception &e) {
    ADD_FAILURE() << "not a glu::Error: " << e.what() << "\ninput: " << text;
    return "<foreign exception>";
  } catch (...) {
    ADD_FAILURE() << "not a std::exception\ninput: " << text;
    return "<foreign exception>";
  }
  return "";
}

/// kValid with the first `from` replaced by `to`; fails if `from` is absent.
std::string with(const std::string &from, const std::string &to,
                 std::string text = kValid) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "'" << from << "' is not in the text";
  if (at != std::string::npos)
    text.replace(at, from.size(), to);
  return text;
}

/// A manifest with the two entry points given (JSON objects).
std::string twoEntries(const std::string &second) {
  return "{\"format\": \"glu-artifact\", \"version\": 2, \"target\": \"cpu\", "
         "\"library\": \"model.so\", \"library_bytes\": 1, \"library_sha256\": "
         "\"" +
         std::string(64, 'a') +
         "\", \"entry_points\": [{\"name\": \"one\", "
         "\"symbol\": \"s1\", \"arguments\": [{\"name\": \"x\", \"shape\": "
         "[2, [3]], \"dtype\": \"f32\"}], \"results\": []}, " +
         second + "]}";
}

const char *kNotJson = "m.json: not valid JSON: ";

#define EXPECT_STARTS_WITH(text, prefix)                                       \
  EXPECT_EQ(std::string(text).rfind(prefix, 0), 0u) << "message: " << (text)
#define EXPECT_CONTAINS(haystack, needle)                                      \
  EXPECT_NE(std::string(haystack).find(needle), std::string::npos)             \
      << "message: " << (haystack)

} // namespace

TEST(Manifest, ParsesAValidManifest) {
  ASSERT_EQ(errorOf(kValid), "");
  Manifest m = Manifest::parse(kValid, "m.json");
  EXPECT_EQ(m.version, Manifest::kSupportedVersion);
  EXPECT_EQ(m.target, GLU_TARGET_CPU);
  EXPECT_EQ(m.library, "model.so");
  EXPECT_EQ(m.source, "m.mlir");
  // Every escape, \u escapes and a surrogate pair decoded to UTF-8.
  EXPECT_EQ(m.producer, "t\xC3\xA9st \xF0\x9F\x98\x80 \"q\" \\ / \b\f\n\r\t");
  ASSERT_EQ(m.entryPoints.size(), 1u);
  const EntryPoint &e = m.entryPoints[0];
  EXPECT_EQ(e.name, "add");
  EXPECT_EQ(e.symbol, "glu_entry_add");
  ASSERT_EQ(e.arguments.size(), 2u);
  EXPECT_EQ(e.arguments[0].type.str(), "f32[4]");
  EXPECT_FALSE(e.arguments[0].packed.has_value());
  EXPECT_EQ(e.arguments[1].name, "w");
  EXPECT_EQ(e.arguments[1].type.shape,
            (std::vector<int64_t>{12345678901234, 0}));
  ASSERT_TRUE(e.arguments[1].packed.has_value());
  EXPECT_EQ(e.arguments[1].packed->blockSize, 64);
  EXPECT_EQ(e.arguments[1].packed->gateName, "w_gate");
  EXPECT_EQ(e.arguments[1].packed->linearName, "w_lin");
  EXPECT_EQ(e.arguments[1].packed->halfShape,
            (std::vector<int64_t>{12345678901234, 0}));
  ASSERT_EQ(e.results.size(), 1u);
  EXPECT_EQ(e.results[0].type.str(), "f32[]");
  // Whitespace around the document, a UTF-8 byte order mark and -0.
  EXPECT_EQ(errorOf(" \t\r\n" + kValid + "\n\n"), "");
  EXPECT_EQ(errorOf("\xEF\xBB\xBF" + kValid), "");
  EXPECT_EQ(errorOf(with("[4]", "[-0]")), "");
  // Optional keys of another type are ignored, as before.
  EXPECT_EQ(errorOf(with("\"source\": \"m.mlir\"", "\"source\": 3")), "");
  // Without "triple" (manifests older than it) the triple is empty.
  EXPECT_EQ(m.triple, "");
}

TEST(Manifest, Triple) {
  const std::string tripled =
      with("\"target\": \"cpu\",",
           "\"target\": \"cpu\", \"triple\": \"aarch64-unknown-linux-gnu\",");
  ASSERT_EQ(errorOf(tripled), "");
  EXPECT_EQ(Manifest::parse(tripled, "m.json").triple,
            "aarch64-unknown-linux-gnu");
  // Optional, but never of another type or empty: the runtime refuses
  // another architecture's library by it.
  EXPECT_EQ(errorOf(with("\"aarch64-unknown-linux-gnu\"", "7", tripled)),
            "m.json: 'triple' must be a string");
  EXPECT_EQ(errorOf(with("\"aarch64-unknown-linux-gnu\"", "null", tripled)),
            "m.json: 'triple' must be a string");
  EXPECT_EQ(errorOf(with("\"aarch64-unknown-linux-gnu\"", "\"\"", tripled)),
            "m.json: 'triple' is empty");
}

TEST(Manifest, CudaChips) {
  const std::string withChips =
      with("\"target\": \"cpu\",",
           "\"target\": \"cuda\", \"cuda\": {\"chips\": [\"sm_90a\", "
           "\"sm_80\"], \"binary\": \"ptx\"},");
  ASSERT_EQ(errorOf(withChips), "");
  EXPECT_EQ(Manifest::parse(withChips, "m.json").cudaChips,
            (std::vector<std::string>{"sm_90a", "sm_80"}));
  // Optional (no "cuda": no chips), but checked when present.
  EXPECT_TRUE(Manifest::parse(kValid, "m.json").cudaChips.empty());
  EXPECT_EQ(errorOf(with("\"sm_80\"", "\"gfx90a\"", withChips)),
            "m.json: 'cuda.chips[1]' must be a chip name like \"sm_80\" or "
            "\"sm_90a\"");
  EXPECT_EQ(errorOf(with("\"sm_80\"", "80", withChips)),
            "m.json: 'cuda.chips[1]' must be a chip name like \"sm_80\" or "
            "\"sm_90a\"");
  EXPECT_EQ(errorOf(with("{\"chips\": [\"sm_90a\", \"sm_80\"], "
                         "\"binary\": \"ptx\"}",
                         "[]", withChips)),
            "m.json: 'cuda' must be an object");
}

TEST(CudaChip, ParsesChipNames) {
  glu::CudaChip chip;
  ASSERT_TRUE(glu::CudaChip::parse("sm_80", chip));
  EXPECT_EQ(chip.major, 8);
  EXPECT_EQ(chip.minor, 0);
  EXPECT_FALSE(chip.archSpecific);
  ASSERT_TRUE(glu::CudaChip::parse("sm_90a", chip));
  EXPECT_EQ(chip.major, 9);
  EXPECT_TRUE(chip.archSpecific);
  ASSERT_TRUE(glu::CudaChip::parse("sm_100a", chip));
  EXPECT_EQ(chip.major, 10);
  EXPECT_EQ(chip.minor, 0);
  for (const char *bad : {"", "sm_", "sm_8", "sm_8x", "compute_80", "sm_80b",
                          "sm_a", "gfx90a", "sm_123456"})
    EXPECT_FALSE(glu::CudaChip::parse(bad, chip)) << bad;
}

TEST(CudaChip, PtxRunsOnLaterGpusArchSpecificOnlyOnItsOwn) {
  glu::CudaChip sm80, sm90a, sm86;
  ASSERT_TRUE(glu::CudaChip::parse("sm_80", sm80));
  ASSERT_TRUE(glu::CudaChip::parse("sm_90a", sm90a));
  ASSERT_TRUE(glu::CudaChip::parse("sm_86", sm86));
  EXPECT_TRUE(sm80.runsOn(8, 0));
  EXPECT_TRUE(sm80.runsOn(8, 6));
  EXPECT_TRUE(sm80.runsOn(9, 0));
  EXPECT_TRUE(sm80.runsOn(10, 0));
  EXPECT_FALSE(sm80.runsOn(7, 5));
  EXPECT_FALSE(sm86.runsOn(8, 0));
  EXPECT_TRUE(sm86.runsOn(8, 9));
  EXPECT_TRUE(sm90a.runsOn(9, 0));
  EXPECT_FALSE(sm90a.runsOn(8, 0));
  EXPECT_FALSE(sm90a.runsOn(10, 0));
}

TEST(Manifest, TruncatedJson) {
  // Every proper prefix of a valid manifest, the empty text included.
  for (size_t n = 0; n < kValid.size(); ++n) {
    std::string msg = errorOf(kValid.substr(0, n));
    EXPECT_STARTS_WITH(msg, std::string(kNotJson) + "parse error at line ")
        << " (first " << n << " bytes)";
  }
  EXPECT_EQ(errorOf(""),
            std::string(kNotJson) +
                "parse error at line 1, column 1: syntax error while "
                "parsing value - unexpected end of input; expected '[', "
                "'{', or a literal");
  EXPECT_EQ(errorOf("{"), std::string(kNotJson) +
                              "parse error at line 1, column 2: syntax error "
                              "while parsing object key - unexpected end of "
                              "input; expected string literal");
  EXPECT_STARTS_WITH(errorOf(" \n\t"), std::string(kNotJson) +
                                           "parse error at line 2, column 2: ");
}

TEST(Manifest, SyntaxErrorsNameTheLineColumnAndProblem) {
  // The message of the old hand-written reader's test, now nlohmann's.
  EXPECT_EQ(errorOf("{\"format\": \"glu-artifact\",\n  \"version\": 2,,\n}"),
            std::string(kNotJson) +
                "parse error at line 2, column 16: syntax error while "
                "parsing object key - unexpected ','; expected string "
                "literal");
  EXPECT_STARTS_WITH(errorOf("{\n  \"a\": [1,\n  }"),
                     std::string(kNotJson) +
                         "parse error at line 3, column 3: ");

  struct Case {
    std::string text;
    const char *problem;
  };
  const Case cases[] = {
      // Trailing garbage.
      {kValid + " x", "expected end of input"},
      {kValid + "{}", "expected end of input"},
      {kValid + ",", "expected end of input"},
      // Structure.
      {with("[4]", "[4,]"), "unexpected ']'"},
      {with("[4]", "[4 4]"), "expected ']'"},
      {with("\"format\": ", "\"format\" "), "expected ':'"},
      {with("\"version\": 2,", "\"version\": 2"), "expected '}'"},
      {with("{\"format\"", "{format"), "invalid literal"},
      {with("{\"format\"", "{'format'"), "invalid literal"},
      {with("false", "tru"), "invalid literal"},
      {with("false", "False"), "invalid literal"},
      {with("false", "// c\nfalse"), "invalid literal"},
      {with("false", "/* c */ false"), "invalid literal"},
      // Numbers.
      {with("\"version\": 2", "\"version\": 01"), "unexpected number literal"},
      {with("\"version\": 2", "\"version\": 2."),
       "invalid number; expected digit after '.'"},
      {with("\"version\": 2", "\"version\": -"),
       "invalid number; expected digit after '-'"},
      {with("\"version\": 2", "\"version\": 2e"),
       "invalid number; expected '+', '-', or digit after exponent"},
      {with("\"version\": 2", "\"version\": +1"), "invalid literal"},
      {with("\"version\": 2", "\"version\": .5"), "invalid literal"},
      {with("\"version\": 2", "\"version\": NaN"), "invalid literal"},
      {with("\"version\": 2", "\"version\": Infinity"), "invalid literal"},
      {with("\"version\": 2", "\"version\": 0x1"), "invalid literal"},
      // Strings and escapes.
      {with("\"cpu\"", "\"cpu"), "invalid string: control character"},
      {kValid.substr(0, kValid.find("glu-artifact")) + "glu-artifact",
       "invalid string: missing closing quote"},
      {with("\"add\"", "\"a\\qd\""),
       "invalid string: forbidden character after backslash"},
      {with("\"add\"", "\"a\\'d\""),
       "invalid string: forbidden character after backslash"},
      {with("\"add\"", "\"a\\u12G4\""),
       "invalid string: '\\u' must be followed by 4 hex digits"},
      {with("\"add\"", "\"a\\u12\""),
       "invalid string: '\\u' must be followed by 4 hex digits"},
      {with("\"add\"", "\"\\ud800\""),
       "invalid string: surrogate U+D800..U+DBFF must be followed by "
       "U+DC00..U+DFFF"},
      {with("\"add\"", "\"\\ud800\\u0041\""),
       "invalid string: surrogate U+D800..U+DBFF must be followed by "
       "U+DC00..U+DFFF"},
      {with("\"add\"", "\"\\udc00\""),
       "invalid string: surrogate U+DC00..U+DFFF must follow U+D800..U+DBFF"},
      {with("\"add\"", "\"a\td\""),
       "invalid string: control character U+0009 (HT) must be escaped"},
      {with("\"add\"", "\"a\nd\""),
       "invalid string: control character U+000A (LF) must be escaped"},
      {with("\"add\"", std::string("\"a\0d\"", 5)),
       "invalid string: control character U+0000 (NUL) must be escaped"},
      {with("\"add\"", "\"a\xFF\""), "invalid string: ill-formed UTF-8 byte"},
      {with("\"add\"", "\"a\xC3\""), "invalid string: ill-formed UTF-8 byte"},
      {with("\"add\"", "\"\xC0\xAF\""),
       "invalid string: ill-formed UTF-8 byte"},
  };
  for (const Case &c : cases) {
    std::string msg = errorOf(c.text);
    EXPECT_STARTS_WITH(msg, std::string(kNotJson) + "parse error at line ");
    EXPECT_CONTAINS(msg, c.problem);
  }
  // nlohmann's lexer ends the input at a NUL byte: what follows one after
  // the value must not be ignored.
  EXPECT_EQ(errorOf(kValid + std::string("\0{\"x\"", 5)),
            std::string(kNotJson) + "a NUL byte at offset " +
                std::to_string(kValid.size()) +
                " after the value (only whitespace may follow it)");
}

TEST(Manifest, WrongTypes) {
  struct Case {
    std::string text;
    std::string message; // after "m.json: "
  };
  const std::string args = "'entry_points[0].arguments[0]";
  const Case cases[] = {
      {"[1.5]", "the manifest must be a JSON object"},
      {"\"glu-artifact\"", "the manifest must be a JSON object"},
      {"null", "the manifest must be a JSON object"},
      {"1", "the manifest must be a JSON object"},
      {with("\"glu-artifact\"", "1"), "'format' must be a string"},
      {with("\"glu-artifact\"", "[\"glu-artifact\"]"),
       "'format' must be a string"},
      {with("\"glu-artifact\"", "\"other\""),
       "'format' is \"other\", expected \"glu-artifact\""},
      {with("\"version\": 2", "\"version\": \"1\""),
       "'version' must be an integer"},
      {with("\"version\": 2", "\"version\": 2.5"),
       "'version' must be an integer"},
      {with("\"version\": 2", "\"version\": 2.0"),
       "'version' must be an integer"},
      {with("\"version\": 2", "\"version\": 2e0"),
       "'version' must be an integer"},
      {with("\"version\": 2", "\"version\": true"),
       "'version' must be an integer"},
      {with("\"version\": 2", "\"version\": null"),
       "'version' must be an integer"},
      {with("\"version\": 2", "\"version\": [1]"),
       "'version' must be an integer"},
      {with("\"version\": 2", "\"version\": 7"),
       "manifest version 7 is not supported by this runtime (supports 2)"},
      {with("\"version\": 2", "\"version\": -1"),
       "manifest version -1 is not supported by this runtime (supports 2)"},
      {with("\"cpu\"", "5"), "'target' must be a string"},
      {with("\"cpu\"", "\"tpu\""),
       "'target' is \"tpu\", expected \"cpu\" or \"cuda\""},
      {with("\"cpu\"", "\"CPU\""),
       "'target' is \"CPU\", expected \"cpu\" or \"cuda\""},
      {with("\"model.so\"", "[]"), "'library' must be a string"},
      {with("\"model.so\"", "\"\""), "'library' is empty"},
      {with("\"entry_points\": [", "\"entry_points\": {}, \"e\": ["),
       "'entry_points' must be an array"},
      {with("\"entry_points\": [", "\"entry_points\": [1, "),
       "'entry_points[0]' must be an object"},
      {with("\"add\"", "null"), "'entry_points[0].name' must be a string"},
      {with("\"glu_entry_add\"", "true"),
       "'entry_points[0].symbol' must be a string"},
      {with("\"arguments\": [", "\"arguments\": \"x\", \"z\": ["),
       "'entry_points[0].arguments' must be an array"},
      {with("\"results\": [", "\"results\": {}, \"z\": ["),
       "'entry_points[0].results' must be an array"},
      {with("\"arguments\": [", "\"arguments\": [7, "),
       args + "' must be an object"},
      {with("\"arguments\": [", "\"arguments\": [[], "),
       args + "' must be an object"},
      {with("\"name\": \"a\"", "\"name\": 1"),
       args + ".name' must be a string"},
      {with("\"f32\"", "32"), args + ".dtype' must be a string"},
      {with("\"f32\"", "\"f17\""),
       args + ".dtype': unknown dtype 'f17' (expected f16, bf16, f32, f64, "
              "i1, i8, i32 or i64)"},
      {with("[4]", "4"), args + ".shape' must be an array of integers"},
      {with("[4]", "\"4\""), args + ".shape' must be an array of integers"},
      {with("[4]", "{}"), args + ".shape' must be an array of integers"},
  };
  for (const Case &c : cases)
    EXPECT_EQ(errorOf(c.text), "m.json: " + c.message);

  const char *badDims[] = {"[[4]]",  "[4.0]",  "[4e0]", "[-1]",    "[\"4\"]",
                           "[true]", "[null]", "[{}]",  "[4, 0.5]"};
  for (const char *dims : badDims)
    EXPECT_EQ(errorOf(with("[4]", dims)),
              "m.json: " + args +
                  ".shape' must hold non-negative integers (static shapes "
                  "only)")
        << "shape " << dims;
  // Results are checked like arguments.
  EXPECT_EQ(errorOf(with("[]", "[-1]")),
            "m.json: 'entry_points[0].results[0].shape' must hold "
            "non-negative integers (static shapes only)");
}

TEST(Manifest, MissingKeys) {
  // A key renamed is a key missing (the JSON stays valid).
  const std::string args = "'entry_points[0].arguments[0]";
  const std::pair<std::string, std::string> cases[] = {
      {"\"format\"", "'format' must be a string"},
      {"\"version\"", "'version' must be an integer"},
      {"\"target\"", "'target' must be a string"},
      {"\"library\"", "'library' must be a string"},
      {"\"entry_points\"", "'entry_points' must be an array"},
      {"\"name\": \"add\"", "'entry_points[0].name' must be a string"},
      {"\"symbol\"", "'entry_points[0].symbol' must be a string"},
      {"\"arguments\"", "'entry_points[0].arguments' must be an array"},
      {"\"results\"", "'entry_points[0].results' must be an array"},
      {"\"name\": \"a\"", args + ".name' must be a string"},
      {"\"dtype\"", args + ".dtype' must be a string"},
      {"\"shape\"", args + ".shape' must be an array of integers"},
  };
  for (const auto &c : cases) {
    // "\"key\"..." becomes "\"key_\"...".
    std::string renamed = c.first;
    renamed.insert(renamed.find('"', 1), "_");
    EXPECT_EQ(errorOf(with(c.first, renamed)), "m.json: " + c.second)
        << "without " << c.first;
  }
  // Keys are case-sensitive.
  EXPECT_EQ(errorOf(with("\"target\"", "\"Target\"")),
            "m.json: 'target' must be a string");
  EXPECT_EQ(errorOf("{}"), "m.json: 'format' must be a string");
}

/// What glu-compile writes for a SwiGLU layer of d_ff 20 compiled with
/// --pack-arguments --block-size=8 (keys sorted, one line, shortened).
const std::string kPacked =
    "{\"format\": \"glu-artifact\", \"version\": 2, \"target\": \"cpu\", "
    "\"library\": \"model.so\", \"library_bytes\": 1, \"library_sha256\": \"" +
    std::string(64, 'a') +
    "\", \"entry_points\": [{\"name\": \"forward\", \"symbol\": "
    "\"glu_entry_forward\", \"arguments\": [{\"dtype\": \"f32\", \"name\": "
    "\"x\", \"shape\": [8, 16]}, {\"dtype\": \"f32\", \"name\": "
    "\"wi_0+wi_1\", \"packed\": {\"block_size\": 8, \"gate\": {\"name\": "
    "\"wi_0\", \"shape\": [16, 20]}, \"layout\": "
    "\"interleaved_column_blocks\", \"linear\": {\"name\": \"wi_1\", "
    "\"shape\": [16, 20]}}, \"shape\": [16, 40]}], \"results\": "
    "[{\"dtype\": \"f32\", \"name\": \"y\", \"shape\": [8, 16]}]}]}";

TEST(Manifest, PackedArguments) {
  ASSERT_EQ(errorOf(kPacked), "");
  Manifest m = Manifest::parse(kPacked, "m.json");
  const EntryPoint &e = m.entryPoints.at(0);
  EXPECT_FALSE(e.argument(0).packed.has_value());
  EXPECT_FALSE(e.result(0).packed.has_value());
  const TensorSpec &w = e.argument(1);
  EXPECT_EQ(w.name, "wi_0+wi_1");
  EXPECT_EQ(w.type.str(), "f32[16,40]");
  ASSERT_TRUE(w.packed.has_value());
  EXPECT_EQ(w.packed->blockSize, 8);
  EXPECT_EQ(w.packed->gateName, "wi_0");
  EXPECT_EQ(w.packed->linearName, "wi_1");
  EXPECT_EQ(w.packed->halfShape, (std::vector<int64_t>{16, 20}));

  auto packed = [](std::vector<std::pair<std::string, std::string>> edits) {
    std::string text = kPacked;
    for (const auto &[from, to] : edits)
      text = with(from, to, text);
    return text;
  };
  const std::string gateShape = "\"shape\": [16, 20]}, \"layout\"";
  const std::string linearShape = "\"shape\": [16, 20]}}";
  const std::string shape = "\"shape\": [16, 40]";
  // Rank 1 (a bias), rank 3, zero columns and a block wider than the
  // columns all load.
  EXPECT_EQ(errorOf(packed({{gateShape, "\"shape\": [20]}, \"layout\""},
                            {linearShape, "\"shape\": [20]}}"},
                            {shape, "\"shape\": [40]"}})),
            "");
  EXPECT_EQ(errorOf(packed({{gateShape, "\"shape\": [2, 3, 5]}, \"layout\""},
                            {linearShape, "\"shape\": [2, 3, 5]}}"},
                            {shape, "\"shape\": [2, 3, 10]"}})),
            "");
  EXPECT_EQ(errorOf(packed({{gateShape, "\"shape\": [16, 0]}, \"layout\""},
                            {linearShape, "\"shape\": [16, 0]}}"},
                            {shape, "\"shape\": [16, 0]"}})),
            "");
  EXPECT_EQ(errorOf(with("\"block_size\": 8", "\"block_size\": 4096", kPacked)),
            "");

  const std::string P = "'entry_points[0].arguments[1].packed";
  const std::pair<std::string, std::string> cases[] = {
      // The record.
      {with("\"packed\": {", "\"packed\": 1, \"p\": {", kPacked),
       P + "' must be an object"},
      {with("\"packed\": {", "\"packed\": [], \"p\": {", kPacked),
       P + "' must be an object"},
      {with("\"packed\": {", "\"packed\": null, \"p\": {", kPacked),
       P + "' must be an object"},
      {with("\"block_size\"", "\"index\": 2, \"block_size\"", kPacked),
       P + ".index' is not a key of a packed record (layout, block_size, "
           "gate and linear)"},
      {with("\"block_size\"", "\"a\\nb\": 2, \"block_size\"", kPacked),
       P + ".a\\x0ab' is not a key of a packed record (layout, block_size, "
           "gate and linear)"},
      // layout.
      {with("\"layout\"", "\"Layout\"", kPacked),
       P + ".Layout' is not a key of a packed record (layout, block_size, "
           "gate and linear)"},
      {with("\"interleaved_column_blocks\"", "7", kPacked),
       P + ".layout' must be a string"},
      {with("\"interleaved_column_blocks\"", "\"column_blocks\"", kPacked),
       P + ".layout' is \"column_blocks\", expected "
           "\"interleaved_column_blocks\""},
      {with("\"interleaved_column_blocks\"", "\"a\\u0001\"", kPacked),
       P + ".layout' is \"a\\x01\", expected \"interleaved_column_blocks\""},
      // block_size.
      {with("\"block_size\": 8,", "", kPacked),
       P + ".block_size' must be a positive integer"},
      {with("\"block_size\": 8", "\"block_size\": 0", kPacked),
       P + ".block_size' must be a positive integer"},
      {with("\"block_size\": 8", "\"block_size\": -8", kPacked),
       P + ".block_size' must be a positive integer"},
      {with("\"block_size\": 8", "\"block_size\": 8.0", kPacked),
       P + ".block_size' must be a positive integer"},
      {with("\"block_size\": 8", "\"block_size\": \"8\"", kPacked),
       P + ".block_size' must be a positive integer"},
      {with("\"block_size\": 8", "\"block_size\": 9223372036854775808",
            kPacked),
       P + ".block_size' must be a positive integer"},
      // gate and linear.
      {with("\"gate\"", "\"gate_\"", kPacked),
       P + ".gate_' is not a key of a packed record (layout, block_size, "
           "gate and linear)"},
      {with("\"gate\": {\"name\": \"wi_0\", \"shape\": [16, 20]}",
            "\"gate\": []", kPacked),
       P + ".gate' must be an object"},
      {with("\"linear\": {\"name\": \"wi_1\", \"shape\": [16, 20]}",
            "\"linear\": \"wi_1\"", kPacked),
       P + ".linear' must be an object"},
      {with("\"linear\"", "\"line\"", kPacked),
       P + ".line' is not a key of a packed record (layout, block_size, "
           "gate and linear)"},
      {with("\"name\": \"wi_0\"", "\"name\": \"wi_0\", \"index\": 1", kPacked),
       P + ".gate.index' is not a key of a packed weight (name and shape)"},
      {with("\"name\": \"wi_0\"", "\"name\": 1", kPacked),
       P + ".gate.name' must be a string"},
      {with("\"name\": \"wi_1\"", "\"nom\": \"wi_1\"", kPacked),
       P + ".linear.nom' is not a key of a packed weight (name and shape)"},
      {with(gateShape, "\"shape\": \"16x20\"}, \"layout\"", kPacked),
       P + ".gate.shape' must be an array of non-negative integers"},
      {with(gateShape, "\"shape\": [16, -20]}, \"layout\"", kPacked),
       P + ".gate.shape' must be an array of non-negative integers"},
      {with(gateShape, "\"shape\": [16, 20.0]}, \"layout\"", kPacked),
       P + ".gate.shape' must be an array of non-negative integers"},
      {with(linearShape, "\"shape\": [16, [20]]}}", kPacked),
       P + ".linear.shape' must be an array of non-negative integers"},
      // The shapes.
      {with(linearShape, "\"shape\": [16, 21]}}", kPacked),
       P + ".linear.shape' [16,21] differs from " + P +
           ".gate.shape' [16,20] (gate and linear have one shape)"},
      {with(linearShape, "\"shape\": [16, 20, 1]}}", kPacked),
       P + ".linear.shape' [16,20,1] differs from " + P +
           ".gate.shape' [16,20] (gate and linear have one shape)"},
      {packed({{gateShape, "\"shape\": []}, \"layout\""},
               {linearShape, "\"shape\": []}}"},
               {shape, "\"shape\": []"}}),
       P + ".gate.shape' is [], but a rank-0 tensor cannot be packed"},
      {packed({{gateShape, "\"shape\": [1, 4611686018427387904]}, \"layout\""},
               {linearShape, "\"shape\": [1, 4611686018427387904]}}"}}),
       P + ".gate.shape' [1,4611686018427387904]: twice its last dimension "
           "overflows int64"},
      {with(shape, "\"shape\": [16, 41]", kPacked),
       "'entry_points[0].arguments[1].shape' [16,41] is not the packed shape "
       "[16,40] of " +
           P + "' (dimension 1 is 41, not 40)"},
      {with(shape, "\"shape\": [16, 20]", kPacked),
       "'entry_points[0].arguments[1].shape' [16,20] is not the packed shape "
       "[16,40] of " +
           P + "' (dimension 1 is 20, not 40)"},
      {with(shape, "\"shape\": [15, 40]", kPacked),
       "'entry_points[0].arguments[1].shape' [15,40] is not the packed shape "
       "[16,40] of " +
           P + "' (dimension 0 is 15, not 16)"},
      {with(shape, "\"shape\": [1, 16, 40]", kPacked),
       "'entry_points[0].arguments[1].shape' [1,16,40] is not the packed "
       "shape [16,40] of " +
           P + "' (rank 3, not 2)"},
      // A key given twice is caught before (the strict parse).
      {with("\"name\": \"wi_0\"", "\"name\": \"wi_0\", \"name\": \"w\"",
            kPacked),
       P + ".gate.name' appears twice (duplicate key)"},
      // Only arguments are packed.
      {with("\"name\": \"y\"",
            "\"name\": \"y\", \"packed\": {\"block_size\": 8}", kPacked),
       "'entry_points[0].results[0].packed': only arguments are packed"},
  };
  for (const auto &[text, message] : cases)
    EXPECT_EQ(errorOf(text), "m.json: " + message) << text;
}

TEST(Manifest, InPlaceResults) {
  // add(a: f32[4], w: i8[...]) -> (sum: f32[]): a result updating `a` must
  // be an f32[4] named anything.
  const std::string sum = "{\"name\": \"sum\", \"shape\": [], \"dtype\": "
                          "\"f32\"}";
  auto withResults = [&](const std::string &results) {
    return with("\"results\": [" + sum + "]", "\"results\": [" + results + "]");
  };
  const std::string a0 =
      "{\"name\": \"a\", \"shape\": [4], \"dtype\": \"f32\", "
      "\"updates\": 0}";
  ASSERT_EQ(errorOf(withResults(sum + ", " + a0)), "");
  Manifest m = Manifest::parse(withResults(sum + ", " + a0), "m.json");
  EXPECT_FALSE(m.entryPoints[0].result(0).updates.has_value());
  EXPECT_EQ(m.entryPoints[0].result(1).updates, std::optional<size_t>(0));

  EXPECT_EQ(errorOf(withResults(sum + ", " + a0 + ", " + a0)),
            "m.json: 'entry_points[0].results[2].updates': argument 'a' is "
            "updated by two results");
  EXPECT_EQ(errorOf(withResults(
                "{\"name\": \"a\", \"shape\": [4], \"dtype\": \"f32\", "
                "\"updates\": 2}")),
            "m.json: 'entry_points[0].results[0].updates' is 2, but the entry "
            "point has 2 arguments");
  EXPECT_EQ(errorOf(withResults(
                "{\"name\": \"a\", \"shape\": [5], \"dtype\": \"f32\", "
                "\"updates\": 0}")),
            "m.json: 'entry_points[0].results[0].updates': the result is "
            "f32[5] but argument 'a' is f32[4]");
  EXPECT_EQ(errorOf(withResults(
                "{\"name\": \"a\", \"shape\": [4], \"dtype\": \"f32\", "
                "\"updates\": -1}")),
            "m.json: 'entry_points[0].results[0].updates' must be an "
            "argument's index");
  EXPECT_EQ(errorOf(withResults(
                "{\"name\": \"a\", \"shape\": [4], \"dtype\": \"f32\", "
                "\"updates\": \"a\"}")),
            "m.json: 'entry_points[0].results[0].updates' must be an "
            "argument's index");
  EXPECT_EQ(errorOf(with("\"dtype\": \"f32\"},\n",
                         "\"dtype\": \"f32\", \"updates\": 0},\n")),
            "m.json: 'entry_points[0].arguments[0].updates': only results "
            "update an argument");
}

TEST(Manifest, HugeNumbers) {
  auto version = [](const std::string &v) {
    return errorOf(with("\"version\": 2", "\"version\": " + v));
  };
  // Integers beyond int64 are not integers (as with the old reader).
  EXPECT_EQ(version("9223372036854775808"),
            "m.json: 'version' must be an integer");
  EXPECT_EQ(version("18446744073709551615"),
            "m.json: 'version' must be an integer");
  EXPECT_EQ(version("99999999999999999999999"),
            "m.json: 'version' must be an integer");
  EXPECT_EQ(version("-9223372036854775809"),
            "m.json: 'version' must be an integer");
  // The int64 extremes are integers.
  EXPECT_EQ(version("9223372036854775807"),
            "m.json: manifest version 9223372036854775807 is not supported "
            "by this runtime (supports 2)");
  EXPECT_EQ(version("-9223372036854775808"),
            "m.json: manifest version -9223372036854775808 is not supported "
            "by this runtime (supports 2)");
  // Beyond double: not valid JSON (nlohmann's out_of_range).
  EXPECT_EQ(version("1e400"),
            std::string(kNotJson) + "number overflow parsing '1e400'");
  EXPECT_EQ(version("-1e400"),
            std::string(kNotJson) + "number overflow parsing '-1e400'");

  const std::string shape =
      "m.json: 'entry_points[0].arguments[0].shape' must hold non-negative "
      "integers (static shapes only)";
  EXPECT_EQ(errorOf(with("[4]", "[9223372036854775808]")), shape);
  EXPECT_EQ(errorOf(with("[4]", "[18446744073709551615]")), shape);
  EXPECT_EQ(errorOf(with("[4]", "[1e300]")), shape);
  EXPECT_EQ(errorOf(with("[4]", "[9223372036854775807]")),
            "m.json: 'entry_points[0].arguments[0]': the size of "
            "f32[9223372036854775807] overflows 64 bits");
  EXPECT_EQ(errorOf(with("[4]", "[4294967296, 4294967296]")),
            "m.json: 'entry_points[0].arguments[0]': the size of "
            "f32[4294967296,4294967296] overflows 64 bits");
}

TEST(Manifest, DuplicateKeys) {
  // nlohmann keeps the last of two equal keys; a manifest may not have two.
  EXPECT_EQ(errorOf(with("\"version\": 2,", "\"version\": 2, \"version\": 2,")),
            "m.json: 'version' appears twice (duplicate key)");
  EXPECT_EQ(errorOf(with("\"version\": 2,", "\"version\": 2, \"version\": 2,")),
            "m.json: 'version' appears twice (duplicate key)");
  EXPECT_EQ(
      errorOf(with("\"fused\": false,", "\"fused\": false, \"fused\": 1,")),
      "m.json: 'fused' appears twice (duplicate key)");
  EXPECT_EQ(errorOf(with("\"list\"", "\"x\": 1, \"x\"")),
            "m.json: 'extra.x' appears twice (duplicate key)");
  EXPECT_EQ(
      errorOf(with("\"name\": \"a\"", "\"name\": \"a\", \"name\": \"b\"")),
      "m.json: 'entry_points[0].arguments[0].name' appears twice "
      "(duplicate key)");
  EXPECT_EQ(errorOf(with("\"block_size\": 64", "\"block_size\": 64, "
                                               "\"block_size\": 32")),
            "m.json: 'entry_points[0].arguments[1].packed.block_size' "
            "appears twice (duplicate key)");
  EXPECT_EQ(errorOf(with("[{\"name\": \"sum\"",
                         "[{\"name\": \"sum\", \"shape\": [1], \"shape\": []")),
            "m.json: 'entry_points[0].results[0].shape' appears twice "
            "(duplicate key)");
  // The path counts array elements across nested arrays and objects.
  EXPECT_EQ(errorOf(twoEntries("{\"name\": \"two\", \"symbol\": \"s2\", "
                               "\"symbol\": \"s3\"}")),
            "m.json: 'entry_points[1].symbol' appears twice (duplicate key)");
  EXPECT_EQ(errorOf(twoEntries("{\"name\": \"two\", \"symbol\": \"s2\", "
                               "\"arguments\": [], \"results\": []}")),
            "m.json: 'entry_points[0].arguments[0].shape' must hold "
            "non-negative integers (static shapes only)");
  // The same key in different objects is no duplicate.
  EXPECT_EQ(errorOf(with("\"fused\": false", "\"fused\": {\"name\": 1}")), "");
  // Two entry points of one name.
  std::string two = twoEntries("{\"name\": \"one\", \"symbol\": \"s2\", "
                               "\"arguments\": [], \"results\": []}");
  EXPECT_EQ(errorOf(with("[2, [3]]", "[2, 3]", two)),
            "m.json: entry point 'one' is listed twice");
}

TEST(Manifest, DeepNesting) {
  auto nested = [](int depth) {
    return with("\"fused\": false", "\"fused\": " + std::string(depth, '[') +
                                        std::string(depth, ']'));
  };
  EXPECT_EQ(errorOf(nested(500)), "");
  EXPECT_EQ(errorOf(nested(600)),
            "m.json: the JSON is nested more than 512 levels deep");
  EXPECT_EQ(errorOf(std::string(100000, '[')),
            "m.json: the JSON is nested more than 512 levels deep");
}

TEST(Manifest, OnlyGluErrorsLeaveTheParser) {
  // Every byte of a valid manifest replaced by each of these, or deleted:
  // whatever the outcome, it is a glu::Error naming the file or a manifest
  // (errorOf fails the test on any other exception).
  const std::string replacements[] = {
      "",     "\"",      "\\", "{",     "}",
      "[",    "]",       ",",  ":",     "0",
      "-",    "x",       " ",  "1e999", std::string(1, '\0'),
      "\xFF", "\"\": 1,"};
  size_t errors = 0;
  for (size_t i = 0; i < kValid.size(); ++i) {
    for (const std::string &r : replacements) {
      std::string text = kValid;
      text.replace(i, 1, r);
      std::string msg = errorOf(text);
      if (msg.empty())
        continue;
      ++errors;
      EXPECT_STARTS_WITH(msg, "m.json: ");
    }
  }
  EXPECT_GT(errors, kValid.size() * 5);
}

TEST(Manifest, LoadNamesTheFile) {
  std::string dir = freshDir("manifest_bad_json");
  writeFile(dir + "/manifest.json", "{\"format\": \"glu-artifact\",\n"
                                    "  \"version\": 2 \"target\": \"cpu\"}");
  const std::string expected =
      dir + "/manifest.json: not valid JSON: parse error at line 2, column "
            "23: syntax error while parsing object - unexpected string "
            "literal; expected '}'";
  try {
    Manifest::load(dir);
    ADD_FAILURE() << "loaded";
  } catch (const Error &e) {
    EXPECT_EQ(std::string(e.what()), expected);
  }
  Runtime rt;
  try {
    rt.load(dir);
    ADD_FAILURE() << "loaded";
  } catch (const Error &e) {
    EXPECT_EQ(std::string(e.what()), expected);
  }
  // The C API reports the same message.
  glu_runtime *crt = nullptr;
  ASSERT_EQ(glu_runtime_create(GLU_DEVICE_CPU, &crt), GLU_OK);
  glu_artifact *art = nullptr;
  EXPECT_EQ(glu_artifact_load(crt, dir.c_str(), &art), GLU_ERROR);
  EXPECT_EQ(std::string(glu_last_error()), expected);
  // A key of the wrong type and a duplicate key name the file too.
  std::string m = manifestWith("add", "glu_entry_add", kAddArgs, kAddResults);
  writeFile(dir + "/manifest.json", with("\"model.so\"", "5", m));
  EXPECT_EQ(glu_artifact_load(crt, dir.c_str(), &art), GLU_ERROR);
  EXPECT_EQ(std::string(glu_last_error()),
            dir + "/manifest.json: 'library' must be a string");
  writeFile(dir + "/manifest.json",
            with("{\"format\"", "{\"library\": \"a.so\", \"format\"", m));
  EXPECT_EQ(glu_artifact_load(crt, dir.c_str(), &art), GLU_ERROR);
  EXPECT_EQ(std::string(glu_last_error()),
            dir + "/manifest.json: 'library' appears twice (duplicate key)");
  glu_runtime_destroy(crt);
}
