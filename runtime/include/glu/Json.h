//===- Json.h - A small JSON reader for manifests ---------------*- C++ -*-===//
//
// A self-contained JSON parser (RFC 8259) for manifest.json. Objects keep
// their key order; numbers remember whether they were written as integers.
// Parse errors throw glu::Error naming the source and line:column.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_RUNTIME_JSON_H
#define GLU_RUNTIME_JSON_H

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace glu {
namespace json {

/// One JSON value. Accessors throw glu::Error when the kind does not match.
class Value {
public:
  enum class Kind { Null, Bool, Number, String, Array, Object };

  Value() = default;
  static Value makeBool(bool b);
  static Value makeNumber(double d, bool isInteger, int64_t i);
  static Value makeString(std::string s);
  static Value makeArray(std::vector<Value> elements);
  static Value makeObject(std::vector<std::pair<std::string, Value>> members);

  Kind kind() const { return kind_; }
  bool isNull() const { return kind_ == Kind::Null; }
  bool isBool() const { return kind_ == Kind::Bool; }
  bool isNumber() const { return kind_ == Kind::Number; }
  /// True for a number written without fraction or exponent that fits int64.
  bool isInteger() const { return kind_ == Kind::Number && isInteger_; }
  bool isString() const { return kind_ == Kind::String; }
  bool isArray() const { return kind_ == Kind::Array; }
  bool isObject() const { return kind_ == Kind::Object; }

  bool asBool() const;
  double asNumber() const;
  int64_t asInteger() const;
  const std::string &asString() const;
  const std::vector<Value> &asArray() const;
  const std::vector<std::pair<std::string, Value>> &asObject() const;

  /// The member `key` of an object, or nullptr if absent (or not an object).
  const Value *find(const std::string &key) const;

  static const char *kindName(Kind kind);

private:
  Kind kind_ = Kind::Null;
  bool bool_ = false;
  bool isInteger_ = false;
  double number_ = 0;
  int64_t integer_ = 0;
  std::string string_;
  std::vector<Value> array_;
  std::vector<std::pair<std::string, Value>> object_;
};

/// Parses `text`; `sourceName` (a file name) prefixes error messages.
Value parse(const std::string &text, const std::string &sourceName);

} // namespace json
} // namespace glu

#endif // GLU_RUNTIME_JSON_H
