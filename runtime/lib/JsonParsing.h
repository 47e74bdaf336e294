//===- JsonParsing.h - Strict JSON for the runtime's loaders ----*- C++ -*-===//
//
// Part of the glu project.
//
//===----------------------------------------------------------------------===//
//
// The JSON the runtime reads (manifest.json, safetensors headers) goes
// through nlohmann-json in two linear passes: a SAX pass that rejects
// malformed JSON, duplicate keys and deep nesting, then the DOM. The
// callers then check each key's presence and type explicitly (the runtime
// is built with JSON_USE_IMPLICIT_CONVERSIONS=0) and report errors as
// glu::Error lines prefixed with their file's name. Internal to the
// runtime: its public headers do not include nlohmann-json.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_RUNTIME_JSONPARSING_H
#define GLU_RUNTIME_JSONPARSING_H

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

// Internal: hidden from libglu_runtime.so's exports (their signatures name
// nlohmann's types, which the runtime's users need not have).
#define GLU_JSON_INTERNAL __attribute__((visibility("hidden")))

namespace glu::detail {

using Json = nlohmann::json;

/// nlohmann's message without its "[json.exception.parse_error.101] " tag.
GLU_JSON_INTERNAL std::string jsonMessage(const Json::exception &e);

/// Parses `text` into `out`. Syntax errors (with nlohmann's line and
/// column), numbers beyond double, a NUL byte after the value (nlohmann
/// would stop there and ignore the rest), a key given twice in one object
/// (a DOM parse would keep the last one silently) and nesting deeper than
/// `maxDepth` are errors: returns false and sets `error` to a message
/// without a file name, such as "not valid JSON: parse error at line 2,
/// ..." or "'entry_points[0].name' appears twice (duplicate key)".
GLU_JSON_INTERNAL bool parseStrictJson(const std::string &text, size_t maxDepth,
                                       Json &out, std::string &error);

/// Whether `v` is an integer that fits int64 (written without fraction or
/// exponent: nlohmann keeps 1.0 and 1e2 as floats); if so, sets `out`.
GLU_JSON_INTERNAL bool jsonInteger(const Json &v, int64_t &out);

/// The member `key` of `obj`, or nullptr if `obj` is not an object or
/// lacks it.
GLU_JSON_INTERNAL const Json *jsonMember(const Json &obj, const char *key);

} // namespace glu::detail

#endif // GLU_RUNTIME_JSONPARSING_H
