//===- JsonTest.cpp - The runtime's JSON reader ---------------------------===//

#include "glu/Json.h"
#include "glu/Types.h"

#include <gtest/gtest.h>

using glu::json::parse;
using glu::json::Value;

TEST(Json, ParsesEveryKind) {
  Value v = parse(R"({"a": [1, -2.5e1, true, false, null], "b": {"c": "x\ty"},
                      "u": "\u00e9\ud83d\ude00", "big": 12345678901234})",
                  "t.json");
  ASSERT_TRUE(v.isObject());
  const auto &a = v.find("a")->asArray();
  ASSERT_EQ(a.size(), 5u);
  EXPECT_TRUE(a[0].isInteger());
  EXPECT_EQ(a[0].asInteger(), 1);
  EXPECT_FALSE(a[1].isInteger());
  EXPECT_DOUBLE_EQ(a[1].asNumber(), -25.0);
  EXPECT_TRUE(a[2].asBool());
  EXPECT_FALSE(a[3].asBool());
  EXPECT_TRUE(a[4].isNull());
  EXPECT_EQ(v.find("b")->find("c")->asString(), "x\ty");
  EXPECT_EQ(v.find("u")->asString(), "\xC3\xA9\xF0\x9F\x98\x80");
  EXPECT_EQ(v.find("big")->asInteger(), 12345678901234);
  EXPECT_EQ(v.find("missing"), nullptr);
  // Key order is kept.
  EXPECT_EQ(v.asObject()[1].first, "b");
}

TEST(Json, ErrorsNameTheSourceAndPosition) {
  const char *bad[] = {"{",          "[1,]",   "{\"a\" 1}", "tru",
                       "\"unterm",   "01",     "1.",        "{\"a\":1} x",
                       "\"\\q\"",    "[1 2]",  "",          "\"\\ud800\""};
  for (const char *text : bad) {
    try {
      parse(text, "m.json");
      ADD_FAILURE() << "parsed: " << text;
    } catch (const glu::Error &e) {
      EXPECT_NE(std::string(e.what()).find("m.json:1:"), std::string::npos)
          << e.what();
      EXPECT_NE(std::string(e.what()).find("malformed JSON"),
                std::string::npos);
    }
  }
  try {
    parse("{\n  \"a\": [1,\n  }", "m.json");
    ADD_FAILURE();
  } catch (const glu::Error &e) {
    EXPECT_NE(std::string(e.what()).find("m.json:3:"), std::string::npos)
        << e.what();
  }
}

TEST(Json, WrongKindAccessThrows) {
  Value v = parse("[1.5]", "t.json");
  EXPECT_THROW(v.asObject(), glu::Error);
  EXPECT_THROW(v.asArray()[0].asInteger(), glu::Error);
}
