//===- DebugOptions.cpp - -debug and -debug-only for glu tools ------------===//

#include "passes/utils/DebugOptions.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Debug.h"

#include <string>
#include <vector>

using namespace llvm;

void mlir::ffn::registerDebugOptions() {
  auto &options = cl::getRegisteredOptions();
  if (options.count("debug-only"))
    return;

  if (!options.count("debug")) {
    static cl::opt<bool> debug(
        "debug", cl::desc("Enable all debug output (LLVM_DEBUG)"), cl::Hidden,
        cl::callback([](const bool &enable) { DebugFlag = enable; }));
  }

  // Every type named so far: setCurrentDebugTypes replaces the whole list.
  static std::vector<std::string> types;
  static cl::list<std::string> debugOnly(
      "debug-only",
      cl::desc("Enable the debug output of these debug types only (a pass's "
               "debug type is its argument, e.g. ffn-raise)"),
      cl::value_desc("type[,type...]"), cl::CommaSeparated, cl::Hidden,
      cl::callback([](const std::string &type) {
        if (type.empty())
          return;
        DebugFlag = true;
        types.push_back(type);
        std::vector<const char *> names;
        for (const std::string &name : types)
          names.push_back(name.c_str());
        setCurrentDebugTypes(names.data(), names.size());
      }));
}
