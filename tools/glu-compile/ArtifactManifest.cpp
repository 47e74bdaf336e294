//===- ArtifactManifest.cpp - the manifest of a glu artifact --------------===//

#include "ArtifactManifest.h"

#include "dialect/FFNAttrs.h"

#include "glu/ArtifactSignature.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;

namespace glu {

/// The manifest's name of an element type, or "" if the calling convention
/// does not carry it.
static std::string getDtypeName(Type type) {
  if (type.isF16())
    return "f16";
  if (type.isBF16())
    return "bf16";
  if (type.isF32())
    return "f32";
  if (type.isF64())
    return "f64";
  if (type.isSignlessInteger(1))
    return "i1";
  if (type.isSignlessInteger(8))
    return "i8";
  if (type.isSignlessInteger(32))
    return "i32";
  if (type.isSignlessInteger(64))
    return "i64";
  return "";
}

static std::string getName(DictionaryAttr attrs, StringRef fallback,
                           unsigned index) {
  if (attrs)
    if (auto name = attrs.getAs<StringAttr>(GLU_NAME_ATTR))
      return name.str();
  return (fallback + Twine(index)).str();
}

static FailureOr<TensorSpec> describe(func::FuncOp function, Type type,
                                      std::string name, StringRef what) {
  auto shaped = dyn_cast<ShapedType>(type);
  if (!shaped || !isa<RankedTensorType, MemRefType>(type)) {
    function.emitError() << what << " '" << name << "' of entry point '"
                         << function.getSymName() << "' has type " << type
                         << "; entry points take and return ranked tensors";
    return failure();
  }
  if (!shaped.hasStaticShape()) {
    function.emitError() << what << " '" << name << "' of entry point '"
                         << function.getSymName() << "' has the dynamic shape "
                         << type << "; compile a specialization with static "
                         << "shapes";
    return failure();
  }
  std::string dtype = getDtypeName(shaped.getElementType());
  if (dtype.empty()) {
    function.emitError() << what << " '" << name << "' of entry point '"
                         << function.getSymName() << "' has the element type "
                         << shaped.getElementType()
                         << ", which artifacts do not carry";
    return failure();
  }
  TensorSpec spec;
  spec.name = std::move(name);
  spec.shape.assign(shaped.getShape().begin(), shaped.getShape().end());
  spec.dtype = std::move(dtype);
  return spec;
}

FailureOr<std::vector<EntryPointSpec>> collectEntryPoints(ModuleOp module) {
  std::vector<EntryPointSpec> entryPoints;
  for (auto function : module.getOps<func::FuncOp>()) {
    if (function.isExternal() || !function.isPublic())
      continue;
    EntryPointSpec entry;
    entry.name = function.getSymName().str();
    FunctionType type = function.getFunctionType();
    for (auto [index, argType] : llvm::enumerate(type.getInputs())) {
      FailureOr<TensorSpec> spec = describe(
          function, argType,
          getName(function.getArgAttrDict(index), "arg", index), "argument");
      if (failed(spec))
        return failure();
      entry.arguments.push_back(std::move(*spec));
    }
    for (auto [index, resultType] : llvm::enumerate(type.getResults())) {
      FailureOr<TensorSpec> spec =
          describe(function, resultType,
                   getName(function.getResultAttrDict(index), "result", index),
                   "result");
      if (failed(spec))
        return failure();
      entry.results.push_back(std::move(*spec));
    }
    // Packed weight pairs recorded by ffn-fuse{pack-arguments}, checked
    // against the signature by the ffn dialect's verifier.
    if (auto packed =
            function->getAttrOfType<ArrayAttr>(GLU_PACKED_ARGUMENTS_ATTR)) {
      for (Attribute element : packed) {
        auto record = dyn_cast<ffn::PackedArgumentAttr>(element);
        if (!record || record.getArgument() >=
                           static_cast<int64_t>(entry.arguments.size())) {
          function.emitError()
              << "'" << GLU_PACKED_ARGUMENTS_ATTR << "' of entry point '"
              << entry.name << "' has the malformed record " << element;
          return failure();
        }
        ffn::OriginalArgumentAttr gate = record.getGate();
        ffn::OriginalArgumentAttr linear = record.getLinear();
        PackedWeight weight;
        weight.blockSize = record.getBlockSize();
        weight.gateName = gate.getName().str();
        weight.linearName = linear.getName().str();
        weight.gateShape.assign(gate.getShape().begin(), gate.getShape().end());
        weight.linearShape.assign(linear.getShape().begin(),
                                  linear.getShape().end());
        TensorSpec &spec = entry.arguments[record.getArgument()];
        spec.name = weight.gateName + "+" + weight.linearName;
        spec.packed = std::move(weight);
      }
    }
    entryPoints.push_back(std::move(entry));
  }
  if (entryPoints.empty()) {
    module.emitError() << "no entry point: the module has no public function "
                          "with a body";
    return failure();
  }
  return entryPoints;
}

static llvm::json::Array toJSON(const std::vector<int64_t> &shape) {
  llvm::json::Array array;
  for (int64_t size : shape)
    array.push_back(size);
  return array;
}

static llvm::json::Value toJSON(const TensorSpec &spec) {
  llvm::json::Object object{{"name", spec.name},
                            {"shape", toJSON(spec.shape)},
                            {"dtype", spec.dtype}};
  if (spec.updates >= 0)
    object["updates"] = spec.updates;
  if (spec.packed) {
    const PackedWeight &weight = *spec.packed;
    object["packed"] = llvm::json::Object{
        {"layout", weight.layout},
        {"block_size", weight.blockSize},
        {"gate", llvm::json::Object{{"name", weight.gateName},
                                    {"shape", toJSON(weight.gateShape)}}},
        {"linear", llvm::json::Object{{"name", weight.linearName},
                                      {"shape", toJSON(weight.linearShape)}}}};
  }
  return object;
}

/// manifest.json's name of `target` (glu/ArtifactAbi.h).
static StringRef getTargetName(ffn::Target target) {
  switch (target) {
  case ffn::Target::Cpu:
    return GLU_TARGET_CPU;
  case ffn::Target::Cuda:
    return GLU_TARGET_CUDA;
  }
  llvm_unreachable("unknown target");
}

static std::vector<SignatureTensor>
toSignature(const std::vector<TensorSpec> &specs) {
  std::vector<SignatureTensor> out;
  for (const TensorSpec &spec : specs)
    out.push_back({spec.name, spec.dtype, spec.shape, spec.updates});
  return out;
}

LogicalResult recordInPlaceResults(ModuleOp module,
                                   std::vector<EntryPointSpec> &entryPoints) {
  for (EntryPointSpec &entry : entryPoints) {
    Operation *function = module.lookupSymbol(entry.name);
    auto inPlace = function ? function->getAttrOfType<DenseI64ArrayAttr>(
                                  GLU_IN_PLACE_RESULTS_ATTR)
                            : DenseI64ArrayAttr();
    if (!inPlace)
      continue;
    if (inPlace.size() != static_cast<int64_t>(entry.results.size()))
      return function->emitError()
             << "'" << GLU_IN_PLACE_RESULTS_ATTR << "' has " << inPlace.size()
             << " entries for the " << entry.results.size()
             << " results of entry point '" << entry.name << "'";
    for (auto [spec, index] : llvm::zip(entry.results, inPlace.asArrayRef())) {
      if (index >= static_cast<int64_t>(entry.arguments.size()) ||
          (index >= 0 && (entry.arguments[index].shape != spec.shape ||
                          entry.arguments[index].dtype != spec.dtype)))
        return function->emitError()
               << "result '" << spec.name << "' of entry point '" << entry.name
               << "' cannot update argument " << index << " in place";
      spec.updates = index;
    }
  }
  // LLVM IR has no meaning for the records.
  module.walk([](Operation *op) { op->removeAttr(GLU_IN_PLACE_RESULTS_ATTR); });
  return success();
}

LogicalResult
embedEntrySignatures(ModuleOp module, ffn::Target target,
                     const std::vector<EntryPointSpec> &entryPoints) {
  MLIRContext *ctx = module.getContext();
  OpBuilder builder = OpBuilder::atBlockEnd(module.getBody());
  for (const EntryPointSpec &entry : entryPoints) {
    std::string symbol = GLU_SIGNATURE_PREFIX + entry.name;
    if (module.lookupSymbol(symbol))
      return module.emitError()
             << "symbol '" << symbol << "' of the artifact ABI is taken";
    std::string signature = formatEntrySignature(
        getTargetName(target).str(), entry.name, toSignature(entry.arguments),
        toSignature(entry.results));
    signature.push_back('\0');
    auto type =
        LLVM::LLVMArrayType::get(IntegerType::get(ctx, 8), signature.size());
    LLVM::GlobalOp::create(builder, module.getLoc(), type,
                           /*isConstant=*/true, LLVM::Linkage::External, symbol,
                           builder.getStringAttr(signature));
  }
  return success();
}

llvm::json::Value toJSON(const ManifestInfo &info) {
  llvm::json::Array entries;
  for (const EntryPointSpec &entry : info.entryPoints) {
    llvm::json::Array arguments, results;
    for (const TensorSpec &spec : entry.arguments)
      arguments.push_back(toJSON(spec));
    for (const TensorSpec &spec : entry.results)
      results.push_back(toJSON(spec));
    entries.push_back(
        llvm::json::Object{{"name", entry.name},
                           {"symbol", GLU_ENTRY_PREFIX + entry.name},
                           {"arguments", std::move(arguments)},
                           {"results", std::move(results)}});
  }
  llvm::json::Object manifest{{"format", "glu-artifact"},
                              {"version", kManifestVersion},
                              {"target", getTargetName(info.target)},
                              {"triple", info.triple},
                              {"library", info.library},
                              {"library_bytes", info.libraryBytes},
                              {"library_sha256", info.librarySha256},
                              {"producer", "glu-compile"},
                              {"source", info.source},
                              {"fused", info.fused},
                              {"entry_points", std::move(entries)}};
  if (info.target == ffn::Target::Cuda)
    manifest["cuda"] = llvm::json::Object{
        {"chips", llvm::json::Array{info.chip}}, {"binary", "ptx"}};
  return manifest;
}

} // namespace glu
