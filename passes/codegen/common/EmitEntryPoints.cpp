//===- EmitEntryPoints.cpp - the artifact's C entry points ----------------===//
//
// glu-emit-entry-points gives every compiled function one C symbol with a
// fixed signature, `void glu_entry_<name>(void **args)`, so that a runtime
// with no knowledge of MLIR can call a function of any arity (a whole T5
// train step has hundreds of operands) by building an array of pointers.
// The operands keep the MLIR C interface: memrefs travel as pointers to
// strided descriptors (docs/artifact-format.md).
//
//===----------------------------------------------------------------------===//

#include "passes/codegen/common/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Debug.h"

#include "glu/ArtifactAbi.h"

#define DEBUG_TYPE "glu-emit-entry-points"

namespace mlir::ffn {
#define GEN_PASS_DEF_GLUEMITENTRYPOINTS
#include "passes/codegen/common/Passes.h.inc"
} // namespace mlir::ffn

using namespace mlir;

namespace {
constexpr StringLiteral kCInterfacePrefix = "_mlir_ciface_";
constexpr StringLiteral kEntryPrefix = GLU_ENTRY_PREFIX;
constexpr StringLiteral kAbiVersionSymbol = GLU_ABI_VERSION_SYMBOL;
constexpr StringLiteral kSignaturePrefix = GLU_SIGNATURE_PREFIX;
constexpr int32_t kAbiVersion = GLU_ABI_VERSION;

/// Builds `void glu_entry_<name>(ptr %args)` calling `wrapper`.
LogicalResult emitEntryPoint(OpBuilder &builder, LLVM::LLVMFuncOp wrapper,
                             StringRef name) {
  LLVM::LLVMFunctionType type = wrapper.getFunctionType();
  if (!isa<LLVM::LLVMVoidType>(type.getReturnType()))
    return wrapper.emitError()
           << "entry point '" << name
           << "' returns a value; glu entry points return their results "
              "through out-parameters (run buffer-results-to-out-params)";
  if (type.isVarArg())
    return wrapper.emitError() << "entry point '" << name << "' is variadic";

  Location loc = wrapper.getLoc();
  MLIRContext *ctx = builder.getContext();
  auto ptrType = LLVM::LLVMPointerType::get(ctx);
  auto entryType =
      LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(ctx), {ptrType});
  auto entry = LLVM::LLVMFuncOp::create(builder, loc,
                                        (kEntryPrefix + name).str(), entryType);
  Block *body = entry.addEntryBlock(builder);
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(body);

  Value args = body->getArgument(0);
  SmallVector<Value> operands;
  for (auto [index, operandType] : llvm::enumerate(type.getParams())) {
    Value slot = LLVM::GEPOp::create(
        builder, loc, ptrType, ptrType, args,
        ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(index)});
    Value pointer = LLVM::LoadOp::create(builder, loc, ptrType, slot);
    if (isa<LLVM::LLVMPointerType>(operandType))
      operands.push_back(pointer);
    else
      operands.push_back(
          LLVM::LoadOp::create(builder, loc, operandType, pointer));
  }
  LLVM::CallOp::create(builder, loc, wrapper, operands);
  LLVM::ReturnOp::create(builder, loc, ValueRange{});
  return success();
}

/// Drops the argument and result attributes LLVM IR has no meaning for
/// (`ffn.name` and the like, which the manifest has already recorded), so
/// that the translation does not warn about each of them.
void dropForeignArgumentAttributes(LLVM::LLVMFuncOp function) {
  auto isForeign = [](NamedAttribute attr) {
    return !isa_and_nonnull<LLVM::LLVMDialect>(attr.getNameDialect());
  };
  auto filter = [&](DictionaryAttr attrs) -> DictionaryAttr {
    if (!attrs || llvm::none_of(attrs, isForeign))
      return attrs;
    SmallVector<NamedAttribute> kept;
    llvm::copy_if(attrs, std::back_inserter(kept),
                  [&](NamedAttribute attr) { return !isForeign(attr); });
    return DictionaryAttr::get(attrs.getContext(), kept);
  };
  for (unsigned i = 0, e = function.getNumArguments(); i < e; ++i)
    if (DictionaryAttr attrs = function.getArgAttrDict(i))
      function.setArgAttrs(i, filter(attrs));
  for (unsigned i = 0, e = function.getNumResults(); i < e; ++i)
    if (DictionaryAttr attrs = function.getResultAttrDict(i))
      function.setResultAttrs(i, filter(attrs));
}

/// Builds `i32 glu_abi_version()` returning GLU_ABI_VERSION.
void emitAbiVersion(OpBuilder &builder, Location loc) {
  MLIRContext *ctx = builder.getContext();
  auto i32 = IntegerType::get(ctx, 32);
  auto function = LLVM::LLVMFuncOp::create(
      builder, loc, kAbiVersionSymbol, LLVM::LLVMFunctionType::get(i32, {}));
  Block *body = function.addEntryBlock(builder);
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(body);
  Value version = LLVM::ConstantOp::create(
      builder, loc, i32, builder.getI32IntegerAttr(kAbiVersion));
  LLVM::ReturnOp::create(builder, loc, version);
}

/// Whether `symbol` is one of the names the artifact ABI reserves: the ABI
/// version function, the entry points and their signatures.
bool isReservedSymbol(StringRef symbol) {
  return symbol == kAbiVersionSymbol || symbol.starts_with(kEntryPrefix) ||
         symbol.starts_with(kSignaturePrefix);
}

/// Whether `function` has the shape of an entry point this pass emits:
/// `void (ptr)`, exported, with a body and no C interface of its own.
bool isEmittedEntryPoint(ModuleOp module, LLVM::LLVMFuncOp function) {
  LLVM::LLVMFunctionType type = function.getFunctionType();
  return !function.isExternal() &&
         function.getLinkage() == LLVM::Linkage::External &&
         isa<LLVM::LLVMVoidType>(type.getReturnType()) &&
         type.getNumParams() == 1 &&
         isa<LLVM::LLVMPointerType>(type.getParams()[0]) &&
         !module.lookupSymbol(
             (kCInterfacePrefix + function.getSymName()).str());
}

/// Rejects functions of the module whose names the artifact would need for
/// its own symbols: a public function named glu_abi_version,
/// glu_entry_<x> (which would collide with the entry point of @x) or
/// glu_signature_<x> (the signature glu-compile adds for @x), or any
/// other function of those names that is not what this pass emits.
LogicalResult checkReservedSymbols(ModuleOp module) {
  LogicalResult result = success();
  for (auto function : module.getOps<LLVM::LLVMFuncOp>()) {
    StringRef symbol = function.getSymName();
    if (!isReservedSymbol(symbol))
      continue;
    bool hasCInterface =
        module.lookupSymbol((kCInterfacePrefix + symbol).str()) != nullptr;
    bool ours = symbol == kAbiVersionSymbol
                    ? !hasCInterface && !function.isExternal() &&
                          function.getLinkage() == LLVM::Linkage::External
                    : symbol.starts_with(kEntryPrefix) &&
                          isEmittedEntryPoint(module, function);
    if (ours)
      continue;
    function.emitError("function '")
        << symbol << "' uses a name reserved by the glu artifact ABI ('"
        << kAbiVersionSymbol << "', '" << kEntryPrefix << "<entry point>' and '"
        << kSignaturePrefix << "<entry point>'); rename it";
    result = failure();
  }
  return result;
}

struct GluEmitEntryPointsPass
    : ffn::impl::GluEmitEntryPointsBase<GluEmitEntryPointsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (failed(checkReservedSymbols(module)))
      return signalPassFailure();
    for (auto function : module.getOps<LLVM::LLVMFuncOp>()) {
      dropForeignArgumentAttributes(function);
      // A private function with a body is the module's own business: keep
      // it out of the library's exported symbols.
      if (function.isPrivate() && !function.isExternal() &&
          function.getLinkage() == LLVM::Linkage::External) {
        LLVM_DEBUG(llvm::dbgs() << "@" << function.getSymName()
                                << ": private with a body, internal linkage\n");
        function.setLinkage(LLVM::Linkage::Internal);
      }
    }
    SmallVector<std::pair<LLVM::LLVMFuncOp, StringRef>> wrappers;
    for (auto function : module.getOps<LLVM::LLVMFuncOp>()) {
      StringRef symbol = function.getSymName();
      if (!symbol.starts_with(kCInterfacePrefix) || function.isExternal())
        continue;
      wrappers.push_back(
          {function, symbol.drop_front(kCInterfacePrefix.size())});
    }

    OpBuilder builder = OpBuilder::atBlockEnd(module.getBody());
    for (auto [wrapper, name] : wrappers) {
      std::string entryName = (kEntryPrefix + name).str();
      if (module.lookupSymbol(entryName)) {
        // Emitted by an earlier run: the pass is idempotent.
        LLVM_DEBUG(llvm::dbgs() << "@" << entryName << ": exists already\n");
        continue;
      }
      LLVM_DEBUG(llvm::dbgs()
                 << "@" << entryName << ": calls @" << wrapper.getSymName()
                 << " with " << wrapper.getFunctionType().getNumParams()
                 << " operands read from args[]\n");
      if (failed(emitEntryPoint(builder, wrapper, name)))
        return signalPassFailure();
    }
    if (!module.lookupSymbol(kAbiVersionSymbol)) {
      LLVM_DEBUG(llvm::dbgs() << "@" << kAbiVersionSymbol << ": returns "
                              << kAbiVersion << "\n");
      emitAbiVersion(builder, module.getLoc());
    }
  }
};
} // namespace
