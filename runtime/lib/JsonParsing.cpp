//===- JsonParsing.cpp - Strict JSON reading for the runtime's loaders ----===//
//
// Part of the glu project.
//
//===----------------------------------------------------------------------===//

#include "JsonParsing.h"

#include <limits>
#include <set>
#include <utility>
#include <vector>

static_assert(NLOHMANN_JSON_VERSION_MAJOR == 3 &&
                  NLOHMANN_JSON_VERSION_MINOR >= 9,
              "the glu runtime needs nlohmann-json 3.9 or newer");

namespace glu::detail {

namespace {

/// The first pass over a JSON text (nlohmann's SAX interface): finds
/// syntax errors (with nlohmann's line and column), numbers beyond double,
/// keys given twice (a DOM parse would keep the last one silently) and
/// nesting deeper than the limit. Stops at the first; `error` says what it
/// is, naming a duplicate key by its path (entry_points[0].name).
class JsonChecker final : public nlohmann::json_sax<Json> {
public:
  explicit JsonChecker(size_t maxDepth) : maxDepth_(maxDepth) {}

  std::string error;

  bool null() override { return value(); }
  bool boolean(bool) override { return value(); }
  bool number_integer(number_integer_t) override { return value(); }
  bool number_unsigned(number_unsigned_t) override { return value(); }
  bool number_float(number_float_t, const string_t &) override {
    return value();
  }
  bool string(string_t &) override { return value(); }
  bool binary(binary_t &) override { return value(); }

  bool start_object(std::size_t) override { return open(true); }
  bool start_array(std::size_t) override { return open(false); }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }

  bool key(string_t &key) override {
    Level &l = levels_.back();
    l.key = key;
    if (l.keys.insert(key).second)
      return true;
    error = "'" + childPath() + "' appears twice (duplicate key)";
    return false;
  }

  bool parse_error(std::size_t, const std::string &,
                   const Json::exception &e) override {
    // parse_error (syntax) or out_of_range (a number such as 1e400).
    error = "not valid JSON: " + jsonMessage(e);
    return false;
  }

private:
  struct Level {
    bool isObject = false;
    std::string path;
    std::string key;  // the current key (objects)
    size_t index = 0; // the current element (arrays)
    std::set<std::string> keys;
  };

  /// The path of the value being read.
  std::string childPath() const {
    if (levels_.empty())
      return "";
    const Level &l = levels_.back();
    if (!l.isObject)
      return l.path + "[" + std::to_string(l.index) + "]";
    return l.path.empty() ? l.key : l.path + "." + l.key;
  }

  bool open(bool isObject) {
    if (levels_.size() >= maxDepth_) {
      error = "the JSON is nested more than " + std::to_string(maxDepth_) +
              " levels deep";
      return false;
    }
    Level level;
    level.isObject = isObject;
    level.path = childPath();
    levels_.push_back(std::move(level));
    return true;
  }

  bool close() {
    levels_.pop_back();
    return value();
  }

  /// A value is complete: the next one of an array has the next index.
  bool value() {
    if (!levels_.empty() && !levels_.back().isObject)
      ++levels_.back().index;
    return true;
  }

  size_t maxDepth_;
  std::vector<Level> levels_;
};

} // namespace

std::string jsonMessage(const Json::exception &e) {
  std::string what = e.what();
  if (what.rfind("[json.exception.", 0) == 0) {
    size_t end = what.find("] ");
    if (end != std::string::npos)
      return what.substr(end + 2);
  }
  return what;
}

bool parseStrictJson(const std::string &text, size_t maxDepth, Json &out,
                     std::string &error) {
  JsonChecker checker(maxDepth);
  if (!Json::sax_parse(text, &checker, Json::input_format_t::json,
                       /*strict=*/true, /*ignore_comments=*/false)) {
    error = checker.error.empty() ? "not valid JSON" : checker.error;
    return false;
  }
  // nlohmann's lexer takes a NUL byte for the end of the input (for C
  // strings): "{}\0junk" would pass. A NUL inside a string or a value was
  // an error above; one after the value is caught here.
  size_t nul = text.find('\0');
  if (nul != std::string::npos) {
    error = "not valid JSON: a NUL byte at offset " + std::to_string(nul) +
            " after the value (only whitespace may follow it)";
    return false;
  }
  try {
    out = Json::parse(text, nullptr, /*allow_exceptions=*/true,
                      /*ignore_comments=*/false);
  } catch (const Json::exception &e) {
    // Not expected: the checker has seen the same text.
    error = "not valid JSON: " + jsonMessage(e);
    return false;
  }
  return true;
}

bool jsonInteger(const Json &v, int64_t &out) {
  // Unsigned first: is_number_integer() is true for both kinds, and the
  // signed pointer of an unsigned value would reinterpret its bits.
  if (const auto *u = v.get_ptr<const Json::number_unsigned_t *>()) {
    if (*u > static_cast<Json::number_unsigned_t>(
                 std::numeric_limits<int64_t>::max()))
      return false;
    out = static_cast<int64_t>(*u);
    return true;
  }
  if (const auto *i = v.get_ptr<const Json::number_integer_t *>()) {
    out = static_cast<int64_t>(*i);
    return true;
  }
  return false;
}

const Json *jsonMember(const Json &obj, const char *key) {
  if (!obj.is_object())
    return nullptr;
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

} // namespace glu::detail
