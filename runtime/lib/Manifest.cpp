//===- Manifest.cpp - Parsing and validating manifest.json ----------------===//

#include "glu/Json.h"
#include "glu/Runtime.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

namespace glu {

namespace {

/// Validates one manifest, every error prefixed with the file name.
class ManifestReader {
public:
  explicit ManifestReader(const std::string &fileName) : file_(fileName) {}

  Manifest read(const std::string &text) {
    json::Value root = json::parse(text, file_);
    if (!root.isObject())
      fail("the manifest must be a JSON object");
    Manifest m;
    std::string format = string(root, "format", "format");
    if (format != "glu-artifact")
      fail("'format' is \"" + format + "\", expected \"glu-artifact\"");
    const json::Value *version = root.find("version");
    if (!version || !version->isInteger())
      fail("'version' must be an integer");
    m.version = version->asInteger();
    if (m.version != Manifest::kSupportedVersion)
      fail("manifest version " + std::to_string(m.version) +
           " is not supported by this runtime (supports " +
           std::to_string(Manifest::kSupportedVersion) + ")");
    m.target = string(root, "target", "target");
    if (m.target != "cpu" && m.target != "cuda")
      fail("'target' is \"" + m.target + "\", expected \"cpu\" or \"cuda\"");
    m.library = string(root, "library", "library");
    if (m.library.empty())
      fail("'library' is empty");
    if (const json::Value *p = root.find("producer"); p && p->isString())
      m.producer = p->asString();
    if (const json::Value *s = root.find("source"); s && s->isString())
      m.source = s->asString();

    const json::Value *entries = root.find("entry_points");
    if (!entries || !entries->isArray())
      fail("'entry_points' must be an array");
    std::set<std::string> names;
    for (size_t i = 0; i < entries->asArray().size(); ++i) {
      std::string where = "entry_points[" + std::to_string(i) + "]";
      EntryPoint e = entry(entries->asArray()[i], where);
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

  std::string string(const json::Value &obj, const char *key,
                     const std::string &where) const {
    const json::Value *v = obj.find(key);
    if (!v || !v->isString())
      fail("'" + where + "' must be a string");
    return v->asString();
  }

  EntryPoint entry(const json::Value &v, const std::string &where) const {
    if (!v.isObject())
      fail("'" + where + "' must be an object");
    EntryPoint e;
    e.name = string(v, "name", where + ".name");
    e.symbol = string(v, "symbol", where + ".symbol");
    e.arguments = specs(v, "arguments", where);
    e.results = specs(v, "results", where);
    return e;
  }

  std::vector<TensorSpec> specs(const json::Value &entry, const char *key,
                                const std::string &where) const {
    const json::Value *list = entry.find(key);
    std::string listWhere = where + "." + key;
    if (!list || !list->isArray())
      fail("'" + listWhere + "' must be an array");
    std::vector<TensorSpec> out;
    for (size_t i = 0; i < list->asArray().size(); ++i)
      out.push_back(
          spec(list->asArray()[i], listWhere + "[" + std::to_string(i) + "]"));
    return out;
  }

  TensorSpec spec(const json::Value &v, const std::string &where) const {
    if (!v.isObject())
      fail("'" + where + "' must be an object");
    TensorSpec s;
    s.name = string(v, "name", where + ".name");
    std::string dtype = string(v, "dtype", where + ".dtype");
    try {
      s.type.dtype = parseDType(dtype);
    } catch (const Error &err) {
      fail("'" + where + ".dtype': " + err.what());
    }
    const json::Value *shape = v.find("shape");
    if (!shape || !shape->isArray())
      fail("'" + where + ".shape' must be an array of integers");
    for (const json::Value &d : shape->asArray()) {
      if (!d.isInteger() || d.asInteger() < 0)
        fail("'" + where +
             ".shape' must hold non-negative integers (static shapes only)");
      s.type.shape.push_back(d.asInteger());
    }
    try {
      (void)s.type.numBytes();
    } catch (const Error &err) {
      fail("'" + where + "': " + err.what());
    }
    s.packed = v.find("packed") != nullptr;
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
  return ManifestReader(fileName).read(text);
}

Manifest Manifest::load(const std::string &directory) {
  std::string file = directory;
  if (!file.empty() && file.back() != '/')
    file += '/';
  file += "manifest.json";
  std::ifstream in(file, std::ios::binary);
  if (!in)
    throw Error("cannot open '" + file + "': " + std::strerror(errno) +
                " (not a glu artifact directory?)");
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse(ss.str(), file);
}

} // namespace glu
