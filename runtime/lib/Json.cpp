//===- Json.cpp - A small JSON reader for manifests -----------------------===//

#include "glu/Json.h"
#include "glu/Types.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace glu {
namespace json {

Value Value::makeBool(bool b) {
  Value v;
  v.kind_ = Kind::Bool;
  v.bool_ = b;
  return v;
}

Value Value::makeNumber(double d, bool isInteger, int64_t i) {
  Value v;
  v.kind_ = Kind::Number;
  v.number_ = d;
  v.isInteger_ = isInteger;
  v.integer_ = i;
  return v;
}

Value Value::makeString(std::string s) {
  Value v;
  v.kind_ = Kind::String;
  v.string_ = std::move(s);
  return v;
}

Value Value::makeArray(std::vector<Value> elements) {
  Value v;
  v.kind_ = Kind::Array;
  v.array_ = std::move(elements);
  return v;
}

Value Value::makeObject(std::vector<std::pair<std::string, Value>> members) {
  Value v;
  v.kind_ = Kind::Object;
  v.object_ = std::move(members);
  return v;
}

const char *Value::kindName(Kind kind) {
  switch (kind) {
  case Kind::Null:
    return "null";
  case Kind::Bool:
    return "a boolean";
  case Kind::Number:
    return "a number";
  case Kind::String:
    return "a string";
  case Kind::Array:
    return "an array";
  case Kind::Object:
    return "an object";
  }
  return "?";
}

static void expectKind(const Value &v, Value::Kind kind) {
  if (v.kind() != kind)
    throw Error(std::string("JSON value is ") + Value::kindName(v.kind()) +
                ", expected " + Value::kindName(kind));
}

bool Value::asBool() const {
  expectKind(*this, Kind::Bool);
  return bool_;
}
double Value::asNumber() const {
  expectKind(*this, Kind::Number);
  return number_;
}
int64_t Value::asInteger() const {
  expectKind(*this, Kind::Number);
  if (!isInteger_)
    throw Error("JSON number is not an integer");
  return integer_;
}
const std::string &Value::asString() const {
  expectKind(*this, Kind::String);
  return string_;
}
const std::vector<Value> &Value::asArray() const {
  expectKind(*this, Kind::Array);
  return array_;
}
const std::vector<std::pair<std::string, Value>> &Value::asObject() const {
  expectKind(*this, Kind::Object);
  return object_;
}

const Value *Value::find(const std::string &key) const {
  if (kind_ != Kind::Object)
    return nullptr;
  for (const auto &member : object_)
    if (member.first == key)
      return &member.second;
  return nullptr;
}

namespace {

/// A recursive-descent parser over the whole text.
class Parser {
public:
  Parser(const std::string &text, const std::string &sourceName)
      : text_(text), source_(sourceName) {}

  Value parseDocument() {
    skipSpace();
    Value v = parseValue(0);
    skipSpace();
    if (pos_ != text_.size())
      fail("unexpected text after the JSON value");
    return v;
  }

private:
  static constexpr int kMaxDepth = 512;

  [[noreturn]] void fail(const std::string &what) const {
    size_t line = 1, column = 1;
    for (size_t i = 0; i < pos_ && i < text_.size(); ++i) {
      if (text_[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    throw Error(source_ + ":" + std::to_string(line) + ":" +
                std::to_string(column) + ": malformed JSON: " + what);
  }

  void skipSpace() {
    while (pos_ < text_.size() &&
           (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' ||
            text_[pos_] == '\r'))
      ++pos_;
  }

  bool consume(const char *word) {
    size_t n = std::char_traits<char>::length(word);
    if (text_.compare(pos_, n, word) != 0)
      return false;
    pos_ += n;
    return true;
  }

  Value parseValue(int depth) {
    if (depth > kMaxDepth)
      fail("nesting too deep");
    if (pos_ >= text_.size())
      fail("unexpected end of input, expected a value");
    char c = text_[pos_];
    if (c == '{')
      return parseObject(depth);
    if (c == '[')
      return parseArray(depth);
    if (c == '"')
      return Value::makeString(parseString());
    if (c == '-' || (c >= '0' && c <= '9'))
      return parseNumber();
    if (consume("true"))
      return Value::makeBool(true);
    if (consume("false"))
      return Value::makeBool(false);
    if (consume("null"))
      return Value();
    fail(std::string("unexpected character '") + c + "'");
  }

  Value parseObject(int depth) {
    ++pos_; // '{'
    std::vector<std::pair<std::string, Value>> members;
    skipSpace();
    if (pos_ < text_.size() && text_[pos_] == '}') {
      ++pos_;
      return Value::makeObject(std::move(members));
    }
    while (true) {
      skipSpace();
      if (pos_ >= text_.size() || text_[pos_] != '"')
        fail("expected a string key");
      std::string key = parseString();
      skipSpace();
      if (pos_ >= text_.size() || text_[pos_] != ':')
        fail("expected ':' after an object key");
      ++pos_;
      skipSpace();
      Value v = parseValue(depth + 1);
      members.emplace_back(std::move(key), std::move(v));
      skipSpace();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < text_.size() && text_[pos_] == '}') {
        ++pos_;
        return Value::makeObject(std::move(members));
      }
      fail("expected ',' or '}' in an object");
    }
  }

  Value parseArray(int depth) {
    ++pos_; // '['
    std::vector<Value> elements;
    skipSpace();
    if (pos_ < text_.size() && text_[pos_] == ']') {
      ++pos_;
      return Value::makeArray(std::move(elements));
    }
    while (true) {
      skipSpace();
      elements.push_back(parseValue(depth + 1));
      skipSpace();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < text_.size() && text_[pos_] == ']') {
        ++pos_;
        return Value::makeArray(std::move(elements));
      }
      fail("expected ',' or ']' in an array");
    }
  }

  unsigned parseHex4() {
    if (pos_ + 4 > text_.size())
      fail("truncated \\u escape");
    unsigned code = 0;
    for (int i = 0; i < 4; ++i) {
      char c = text_[pos_++];
      code <<= 4;
      if (c >= '0' && c <= '9')
        code |= unsigned(c - '0');
      else if (c >= 'a' && c <= 'f')
        code |= unsigned(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        code |= unsigned(c - 'A' + 10);
      else
        fail("bad hex digit in a \\u escape");
    }
    return code;
  }

  static void appendUtf8(std::string &out, unsigned code) {
    if (code < 0x80) {
      out += char(code);
    } else if (code < 0x800) {
      out += char(0xC0 | (code >> 6));
      out += char(0x80 | (code & 0x3F));
    } else if (code < 0x10000) {
      out += char(0xE0 | (code >> 12));
      out += char(0x80 | ((code >> 6) & 0x3F));
      out += char(0x80 | (code & 0x3F));
    } else {
      out += char(0xF0 | (code >> 18));
      out += char(0x80 | ((code >> 12) & 0x3F));
      out += char(0x80 | ((code >> 6) & 0x3F));
      out += char(0x80 | (code & 0x3F));
    }
  }

  std::string parseString() {
    ++pos_; // '"'
    std::string out;
    while (true) {
      if (pos_ >= text_.size())
        fail("unterminated string");
      char c = text_[pos_++];
      if (c == '"')
        return out;
      if (static_cast<unsigned char>(c) < 0x20)
        fail("control character in a string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= text_.size())
        fail("unterminated escape");
      char e = text_[pos_++];
      switch (e) {
      case '"':
      case '\\':
      case '/':
        out += e;
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'u': {
        unsigned code = parseHex4();
        if (code >= 0xD800 && code < 0xDC00) {
          if (!consume("\\u"))
            fail("unpaired surrogate in a \\u escape");
          unsigned low = parseHex4();
          if (low < 0xDC00 || low >= 0xE000)
            fail("bad low surrogate in a \\u escape");
          code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
        } else if (code >= 0xDC00 && code < 0xE000) {
          fail("unpaired surrogate in a \\u escape");
        }
        appendUtf8(out, code);
        break;
      }
      default:
        fail(std::string("bad escape '\\") + e + "'");
      }
    }
  }

  Value parseNumber() {
    size_t start = pos_;
    bool integer = true;
    if (text_[pos_] == '-')
      ++pos_;
    if (pos_ >= text_.size() || !isDigit(text_[pos_]))
      fail("expected a digit");
    if (text_[pos_] == '0') {
      ++pos_;
    } else {
      while (pos_ < text_.size() && isDigit(text_[pos_]))
        ++pos_;
    }
    if (pos_ < text_.size() && text_[pos_] == '.') {
      integer = false;
      ++pos_;
      if (pos_ >= text_.size() || !isDigit(text_[pos_]))
        fail("expected a digit after '.'");
      while (pos_ < text_.size() && isDigit(text_[pos_]))
        ++pos_;
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      integer = false;
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-'))
        ++pos_;
      if (pos_ >= text_.size() || !isDigit(text_[pos_]))
        fail("expected a digit in an exponent");
      while (pos_ < text_.size() && isDigit(text_[pos_]))
        ++pos_;
    }
    std::string literal = text_.substr(start, pos_ - start);
    double d = std::strtod(literal.c_str(), nullptr);
    int64_t i = 0;
    if (integer) {
      errno = 0;
      long long parsed = std::strtoll(literal.c_str(), nullptr, 10);
      if (errno == ERANGE)
        integer = false; // too large for int64: keep it as a double only
      else
        i = parsed;
    }
    return Value::makeNumber(d, integer, i);
  }

  static bool isDigit(char c) { return c >= '0' && c <= '9'; }

  const std::string &text_;
  const std::string &source_;
  size_t pos_ = 0;
};

} // namespace

Value parse(const std::string &text, const std::string &sourceName) {
  return Parser(text, sourceName).parseDocument();
}

} // namespace json
} // namespace glu
