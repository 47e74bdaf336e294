//===- Manifest.cpp - Parsing and validating manifest.json ----------------===//
//
// nlohmann-json reads the JSON in two linear passes (JsonParsing.h): a SAX
// pass that rejects malformed JSON, duplicate keys and deep nesting, then
// the DOM. Everything after that checks each key's presence and type
// explicitly (no implicit conversions, which throw
// nlohmann::json::type_error with messages that name no key), and every
// error is a glu::Error prefixed with the manifest's file name. No nlohmann
// exception leaves this file.
//
//===----------------------------------------------------------------------===//

#include "glu/ArtifactAbi.h"
#include "glu/CudaChip.h"
#include "glu/Runtime.h"

#include "JsonParsing.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <set>
#include <sstream>
#include <utility>

namespace glu {

namespace {

using detail::Json;
using detail::jsonMessage;

/// Deeper nesting is an error (a manifest is five levels deep).
constexpr size_t kMaxDepth = 512;

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

    // Optional (older manifests lack it), checked when present: the
    // runtime refuses a GPU that cannot run any of the chips.
    if (const Json *cuda = member(root, "cuda")) {
      if (!cuda->is_object())
        fail("'cuda' must be an object");
      const Json::array_t *chips = array(*cuda, "chips");
      if (!chips)
        fail("'cuda.chips' must be an array");
      for (size_t i = 0; i < chips->size(); ++i) {
        const Json &c = (*chips)[i];
        CudaChip parsed;
        if (!c.is_string() ||
            !CudaChip::parse(*c.get_ptr<const Json::string_t *>(), parsed))
          fail("'cuda.chips[" + std::to_string(i) +
               "]' must be a chip name like \"sm_80\" or \"sm_90a\"");
        m.cudaChips.push_back(*c.get_ptr<const Json::string_t *>());
      }
    }

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

  /// Parses `text`: a key given twice or nesting deeper than kMaxDepth is
  /// an error (detail::parseStrictJson).
  Json parseJson(const std::string &text) const {
    Json root;
    std::string error;
    if (!detail::parseStrictJson(text, kMaxDepth, root, error))
      fail(error);
    return root;
  }

  static const Json *member(const Json &obj, const char *key) {
    return detail::jsonMember(obj, key);
  }

  /// The array `key` of `obj`, or nullptr if absent or not an array.
  static const Json::array_t *array(const Json &obj, const char *key) {
    const Json *v = member(obj, key);
    return v ? v->get_ptr<const Json::array_t *>() : nullptr;
  }

  static bool integer(const Json &v, int64_t &out) {
    return detail::jsonInteger(v, out);
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
    // In-place results: each names an argument of its type, one result an
    // argument.
    std::vector<bool> updated(e.arguments.size(), false);
    for (size_t i = 0; i < e.results.size(); ++i) {
      const TensorSpec &r = e.results[i];
      if (!r.updates)
        continue;
      std::string at = where + ".results[" + std::to_string(i) + "].updates";
      if (*r.updates >= e.arguments.size())
        fail("'" + at + "' is " + std::to_string(*r.updates) +
             ", but the entry point has " + std::to_string(e.arguments.size()) +
             " arguments");
      const TensorSpec &a = e.arguments[*r.updates];
      if (a.type != r.type)
        fail("'" + at + "': the result is " + r.type.str() + " but argument '" +
             a.name + "' is " + a.type.str());
      if (updated[*r.updates])
        fail("'" + at + "': argument '" + a.name +
             "' is updated by two results");
      updated[*r.updates] = true;
    }
    return e;
  }

  std::vector<TensorSpec> specs(const Json &entry, const char *key,
                                const std::string &where) const {
    const Json::array_t *list = array(entry, key);
    std::string listWhere = where + "." + key;
    if (!list)
      fail("'" + listWhere + "' must be an array");
    std::vector<TensorSpec> out;
    bool isArgument = std::string(key) == "arguments";
    for (size_t i = 0; i < list->size(); ++i)
      out.push_back(spec((*list)[i], listWhere + "[" + std::to_string(i) + "]",
                         isArgument));
    return out;
  }

  TensorSpec spec(const Json &v, const std::string &where,
                  bool isArgument) const {
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
    if (const Json *p = member(v, "packed")) {
      if (!isArgument)
        fail("'" + where + ".packed': only arguments are packed");
      s.packed = packed(*p, s.type.shape, where);
    }
    if (const Json *u = member(v, "updates")) {
      int64_t index = 0;
      if (isArgument)
        fail("'" + where + ".updates': only results update an argument");
      if (!integer(*u, index) || index < 0)
        fail("'" + where + ".updates' must be an argument's index");
      s.updates = static_cast<size_t>(index);
    }
    return s;
  }

  /// `text` for a one-line message: control characters escaped.
  static std::string printable(const std::string &text) {
    std::string out;
    for (unsigned char c : text) {
      if (c < 0x20 || c == 0x7f) {
        char hex[8];
        std::snprintf(hex, sizeof(hex), "\\x%02x", c);
        out += hex;
      } else {
        out += static_cast<char>(c);
      }
    }
    return out;
  }

  static std::string formatShape(const std::vector<int64_t> &shape) {
    std::string out = "[";
    for (size_t i = 0; i < shape.size(); ++i)
      out += (i ? "," : "") + std::to_string(shape[i]);
    return out + "]";
  }

  /// Fails if `obj` has a key not in `keys` (`what` lists them).
  void onlyKeys(const Json &obj, std::initializer_list<const char *> keys,
                const std::string &where, const char *what) const {
    for (const auto &item : obj.items()) {
      bool known = false;
      for (const char *key : keys)
        known = known || item.key() == key;
      if (!known)
        fail("'" + where + "." + printable(item.key()) + "' is not a key of " +
             what);
    }
  }

  /// The shape `key` of `obj`: non-negative integers.
  std::vector<int64_t> shapeOf(const Json &obj, const char *key,
                               const std::string &where) const {
    const Json::array_t *list = array(obj, key);
    std::vector<int64_t> shape;
    if (list) {
      for (const Json &d : *list) {
        int64_t n = 0;
        if (!integer(d, n) || n < 0) {
          list = nullptr;
          break;
        }
        shape.push_back(n);
      }
    }
    if (!list)
      fail("'" + where + "." + key +
           "' must be an array of non-negative integers");
    return shape;
  }

  /// One half (gate or linear) of a packed record: exactly name and shape.
  std::pair<std::string, std::vector<int64_t>>
  packedHalf(const Json &packed, const char *key,
             const std::string &where) const {
    std::string halfWhere = where + "." + key;
    const Json *half = member(packed, key);
    if (!half || !half->is_object())
      fail("'" + halfWhere + "' must be an object");
    onlyKeys(*half, {"name", "shape"}, halfWhere,
             "a packed weight (name and shape)");
    return {string(*half, "name", halfWhere + ".name"),
            shapeOf(*half, "shape", halfWhere)};
  }

  /// The packed record `v` of the argument at `argWhere`, of shape `shape`
  /// (docs/artifact-format.md): exactly the keys glu-compile writes, the
  /// layout of ffn.pack_gated, a positive block size, and gate and linear
  /// weights of one shape (rank 1 or more) that gives `shape` with its
  /// last dimension doubled.
  PackedLayout packed(const Json &v, const std::vector<int64_t> &shape,
                      const std::string &argWhere) const {
    std::string where = argWhere + ".packed";
    if (!v.is_object())
      fail("'" + where + "' must be an object");
    onlyKeys(v, {"layout", "block_size", "gate", "linear"}, where,
             "a packed record (layout, block_size, gate and linear)");
    std::string layout = string(v, "layout", where + ".layout");
    if (layout != GLU_PACKED_LAYOUT)
      fail("'" + where + ".layout' is \"" + printable(layout) +
           "\", expected \"" GLU_PACKED_LAYOUT "\"");
    PackedLayout p;
    const Json *block = member(v, "block_size");
    if (!block || !integer(*block, p.blockSize) || p.blockSize <= 0)
      fail("'" + where + ".block_size' must be a positive integer");
    auto [gateName, gateShape] = packedHalf(v, "gate", where);
    auto [linearName, linearShape] = packedHalf(v, "linear", where);
    if (gateShape.empty())
      fail("'" + where +
           ".gate.shape' is [], but a rank-0 tensor cannot be packed");
    if (linearShape != gateShape)
      fail("'" + where + ".linear.shape' " + formatShape(linearShape) +
           " differs from '" + where + ".gate.shape' " +
           formatShape(gateShape) + " (gate and linear have one shape)");
    if (gateShape.back() > std::numeric_limits<int64_t>::max() / 2)
      fail("'" + where + ".gate.shape' " + formatShape(gateShape) +
           ": twice its last dimension overflows int64");
    std::vector<int64_t> expected = gateShape;
    expected.back() *= 2;
    if (shape != expected) {
      std::string differs;
      if (shape.size() != expected.size()) {
        differs = "rank " + std::to_string(shape.size()) + ", not " +
                  std::to_string(expected.size());
      } else {
        for (size_t i = 0; i < shape.size() && differs.empty(); ++i)
          if (shape[i] != expected[i])
            differs = "dimension " + std::to_string(i) + " is " +
                      std::to_string(shape[i]) + ", not " +
                      std::to_string(expected[i]);
      }
      fail("'" + argWhere + ".shape' " + formatShape(shape) +
           " is not the packed shape " + formatShape(expected) + " of '" +
           where + "' (" + differs + ")");
    }
    p.gateName = std::move(gateName);
    p.linearName = std::move(linearName);
    p.halfShape = std::move(gateShape);
    return p;
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
