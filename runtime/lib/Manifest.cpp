//===- Manifest.cpp - Parsing and validating manifest.json ----------------===//
//
// nlohmann-json reads the JSON in two linear passes: a SAX pass that
// rejects malformed JSON, duplicate keys and deep nesting, then the DOM.
// Everything after that checks each key's presence and type explicitly (no
// implicit conversions, which throw nlohmann::json::type_error with
// messages that name no key), and every error is a glu::Error prefixed with
// the manifest's file name. No nlohmann exception leaves this file.
//
//===----------------------------------------------------------------------===//

#include "glu/ArtifactAbi.h"
#include "glu/Runtime.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

static_assert(NLOHMANN_JSON_VERSION_MAJOR == 3 &&
                  NLOHMANN_JSON_VERSION_MINOR >= 9,
              "the glu runtime needs nlohmann-json 3.9 or newer");

namespace glu {

namespace {

using Json = nlohmann::json;

/// Deeper nesting is an error (a manifest is five levels deep).
constexpr size_t kMaxDepth = 512;

/// nlohmann's message without its "[json.exception.parse_error.101] " tag.
std::string jsonMessage(const Json::exception &e) {
  std::string what = e.what();
  if (what.rfind("[json.exception.", 0) == 0) {
    size_t end = what.find("] ");
    if (end != std::string::npos)
      return what.substr(end + 2);
  }
  return what;
}

/// The first pass over a manifest's text (nlohmann's SAX interface): finds
/// syntax errors (with nlohmann's line and column), numbers beyond double,
/// keys given twice (a DOM parse would keep the last one silently) and
/// nesting deeper than kMaxDepth. Stops at the first; `error` says what it
/// is, naming a duplicate key by its path (entry_points[0].name).
class JsonChecker final : public nlohmann::json_sax<Json> {
public:
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
    if (levels_.size() >= kMaxDepth) {
      error = "the JSON is nested more than " + std::to_string(kMaxDepth) +
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

  std::vector<Level> levels_;
};

/// Validates one manifest, every error prefixed with the file name.
class ManifestReader {
public:
  explicit ManifestReader(const std::string &fileName) : file_(fileName) {}

  Manifest read(const std::string &text) {
    Json root = parseJson(text);
    if (!root.is_object())
      fail("the manifest must be a JSON object");
    Manifest m;
    std::string format = string(root, "format", "format");
    if (format != "glu-artifact")
      fail("'format' is \"" + format + "\", expected \"glu-artifact\"");
    const Json *version = member(root, "version");
    if (!version || !integer(*version, m.version))
      fail("'version' must be an integer");
    if (m.version != Manifest::kSupportedVersion)
      fail("manifest version " + std::to_string(m.version) +
           " is not supported by this runtime (supports " +
           std::to_string(Manifest::kSupportedVersion) + ")");
    m.target = string(root, "target", "target");
    if (m.target != GLU_TARGET_CPU && m.target != GLU_TARGET_CUDA)
      fail("'target' is \"" + m.target +
           "\", expected \"" GLU_TARGET_CPU "\" or \"" GLU_TARGET_CUDA "\"");
    // Optional (older manifests lack it), but checked when present: the
    // runtime refuses libraries of another architecture by it.
    if (member(root, "triple")) {
      m.triple = string(root, "triple", "triple");
      if (m.triple.empty())
        fail("'triple' is empty");
    }
    m.library = string(root, "library", "library");
    if (m.library.empty())
      fail("'library' is empty");
    const Json *bytes = member(root, "library_bytes");
    if (!bytes || !integer(*bytes, m.libraryBytes) || m.libraryBytes < 0)
      fail("'library_bytes' must be a non-negative integer");
    m.librarySha256 = string(root, "library_sha256", "library_sha256");
    if (m.librarySha256.size() != 64 ||
        m.librarySha256.find_first_not_of("0123456789abcdef") !=
            std::string::npos)
      fail("'library_sha256' must be 64 lowercase hexadecimal digits");
    if (const Json *p = member(root, "producer"); p && p->is_string())
      m.producer = *p->get_ptr<const Json::string_t *>();
    if (const Json *s = member(root, "source"); s && s->is_string())
      m.source = *s->get_ptr<const Json::string_t *>();

    const Json::array_t *entries = array(root, "entry_points");
    if (!entries)
      fail("'entry_points' must be an array");
    std::set<std::string> names;
    for (size_t i = 0; i < entries->size(); ++i) {
      std::string where = "entry_points[" + std::to_string(i) + "]";
      EntryPoint e = entry((*entries)[i], where);
      if (!names.insert(e.name).second)
        fail("entry point '" + e.name + "' is listed twice");
      m.entryPoints.push_back(std::move(e));
    }
    return m;
  }

private:
  [[noreturn]] void fail(const std::string &what) const {
    throw Error(file_ + ": " + what);
  }

  /// Parses `text`: checked by JsonChecker first, so that a key given
  /// twice is an error, then read into a DOM.
  Json parseJson(const std::string &text) const {
    JsonChecker checker;
    if (!Json::sax_parse(text, &checker, Json::input_format_t::json,
                         /*strict=*/true, /*ignore_comments=*/false))
      fail(checker.error.empty() ? "not valid JSON" : checker.error);
    try {
      return Json::parse(text, nullptr, /*allow_exceptions=*/true,
                         /*ignore_comments=*/false);
    } catch (const Json::exception &e) {
      // Not expected: the checker has seen the same text.
      fail("not valid JSON: " + jsonMessage(e));
    }
  }

  static const Json *member(const Json &obj, const char *key) {
    if (!obj.is_object())
      return nullptr;
    auto it = obj.find(key);
    return it == obj.end() ? nullptr : &*it;
  }

  /// The array `key` of `obj`, or nullptr if absent or not an array.
  static const Json::array_t *array(const Json &obj, const char *key) {
    const Json *v = member(obj, key);
    return v ? v->get_ptr<const Json::array_t *>() : nullptr;
  }

  /// Whether `v` is an integer that fits int64 (written without fraction or
  /// exponent: nlohmann keeps 1.0 and 1e2 as floats); if so, sets `out`.
  static bool integer(const Json &v, int64_t &out) {
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

  std::string string(const Json &obj, const char *key,
                     const std::string &where) const {
    const Json *v = member(obj, key);
    const Json::string_t *s =
        v ? v->get_ptr<const Json::string_t *>() : nullptr;
    if (!s)
      fail("'" + where + "' must be a string");
    return *s;
  }

  EntryPoint entry(const Json &v, const std::string &where) const {
    if (!v.is_object())
      fail("'" + where + "' must be an object");
    EntryPoint e;
    e.name = string(v, "name", where + ".name");
    e.symbol = string(v, "symbol", where + ".symbol");
    e.arguments = specs(v, "arguments", where);
    e.results = specs(v, "results", where);
    return e;
  }

  std::vector<TensorSpec> specs(const Json &entry, const char *key,
                                const std::string &where) const {
    const Json::array_t *list = array(entry, key);
    std::string listWhere = where + "." + key;
    if (!list)
      fail("'" + listWhere + "' must be an array");
    std::vector<TensorSpec> out;
    for (size_t i = 0; i < list->size(); ++i)
      out.push_back(
          spec((*list)[i], listWhere + "[" + std::to_string(i) + "]"));
    return out;
  }

  TensorSpec spec(const Json &v, const std::string &where) const {
    if (!v.is_object())
      fail("'" + where + "' must be an object");
    TensorSpec s;
    s.name = string(v, "name", where + ".name");
    std::string dtype = string(v, "dtype", where + ".dtype");
    try {
      s.type.dtype = parseDType(dtype);
    } catch (const Error &err) {
      fail("'" + where + ".dtype': " + err.what());
    }
    const Json::array_t *shape = array(v, "shape");
    if (!shape)
      fail("'" + where + ".shape' must be an array of integers");
    for (const Json &d : *shape) {
      int64_t n = 0;
      if (!integer(d, n) || n < 0)
        fail("'" + where +
             ".shape' must hold non-negative integers (static shapes only)");
      s.type.shape.push_back(n);
    }
    try {
      (void)s.type.numBytes();
    } catch (const Error &err) {
      fail("'" + where + "': " + err.what());
    }
    s.packed = member(v, "packed") != nullptr;
    return s;
  }

  std::string file_;
};

} // namespace

const TensorSpec &EntryPoint::argument(size_t index) const {
  if (index >= arguments.size())
    throw Error("entry point '" + name + "' has " +
                std::to_string(arguments.size()) + " arguments, no argument " +
                std::to_string(index));
  return arguments[index];
}

const TensorSpec &EntryPoint::result(size_t index) const {
  if (index >= results.size())
    throw Error("entry point '" + name + "' has " +
                std::to_string(results.size()) + " results, no result " +
                std::to_string(index));
  return results[index];
}

Manifest Manifest::parse(const std::string &text, const std::string &fileName) {
  try {
    return ManifestReader(fileName).read(text);
  } catch (const nlohmann::json::exception &e) {
    // Not expected (every access above checks the type first), but no
    // nlohmann exception may leave the runtime's API.
    throw Error(fileName + ": " + jsonMessage(e));
  }
}

Manifest Manifest::load(const std::string &directory) {
  std::string file = directory;
  if (!file.empty() && file.back() != '/')
    file += '/';
  file += GLU_MANIFEST_FILE;
  std::ifstream in(file, std::ios::binary);
  if (!in)
    throw Error("cannot open '" + file + "': " + std::strerror(errno) +
                " (not a glu artifact directory?)");
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse(ss.str(), file);
}

} // namespace glu
