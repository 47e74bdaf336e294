//===- FFNOps.cpp - ffn dialect operations --------------------------------===//

#include "dialect/FFNOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::ffn;

//===----------------------------------------------------------------------===//
// custom<Activation>: `relu`, `gelu_tanh`, `swish(beta = 2.0)`.
//===----------------------------------------------------------------------===//

static ParseResult parseActivation(OpAsmParser &parser,
                                   ActivationAttr &activation) {
  activation = llvm::dyn_cast_or_null<ActivationAttr>(
      ActivationAttr::parseBody(parser));
  return success(activation != nullptr);
}

static void printActivation(OpAsmPrinter &printer, Operation *,
                            ActivationAttr activation) {
  activation.printBody(printer);
}

#define GET_OP_CLASSES
#include "dialect/FFNOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Verification shared by ffn.ffn and ffn.glu.
//===----------------------------------------------------------------------===//

namespace {
/// An operand of a layer with the name the diagnostics use for it.
struct NamedOperand {
  StringRef name;
  Value value;
};

/// The operands of a feed-forward layer in a form both ops share.
struct LayerOperands {
  Value input;
  SmallVector<NamedOperand, 2> upWeights;    // w1, or w and v.
  Value w2;
  SmallVector<NamedOperand, 2> hiddenBiases; // b1, or b and c (if present).
  Value outBias;                             // b2 (if present).
  Value result;
};
} // namespace

static bool dimsConflict(int64_t a, int64_t b) {
  return !ShapedType::isDynamic(a) && !ShapedType::isDynamic(b) && a != b;
}

static std::string formatDim(int64_t dim) {
  return ShapedType::isDynamic(dim) ? std::string("?") : std::to_string(dim);
}

static std::string formatShape(ArrayRef<int64_t> shape) {
  std::string text = "[";
  llvm::raw_string_ostream os(text);
  llvm::interleaveComma(shape, os, [&](int64_t d) { os << formatDim(d); });
  os << "]";
  return text;
}

static RankedTensorType tensorType(Value value) {
  return llvm::cast<RankedTensorType>(value.getType());
}

static bool isSupportedElementType(Type type) {
  return type.isF16() || type.isBF16() || type.isF32() || type.isF64();
}

static LogicalResult verifyLayer(Operation *op, const LayerOperands &layer) {
  // Element types: one float type for every operand and the result.
  RankedTensorType inputType = tensorType(layer.input);
  Type elementType = inputType.getElementType();
  if (!isSupportedElementType(elementType))
    return op->emitOpError("input has element type ")
           << elementType << "; ffn ops take f16, bf16, f32 or f64";
  SmallVector<NamedOperand> all(layer.upWeights.begin(),
                                layer.upWeights.end());
  all.push_back({"w2", layer.w2});
  all.append(layer.hiddenBiases.begin(), layer.hiddenBiases.end());
  if (layer.outBias)
    all.push_back({"b2", layer.outBias});
  all.push_back({"result", layer.result});
  for (const NamedOperand &operand : all) {
    Type type = tensorType(operand.value).getElementType();
    if (type != elementType)
      return op->emitOpError("'")
             << operand.name << "' has element type " << type
             << " but the input has " << elementType;
  }

  // Ranks.
  if (inputType.getRank() < 2)
    return op->emitOpError("input must have rank >= 2 ([..., d_model]), got ")
           << inputType;
  for (const NamedOperand &weight : layer.upWeights)
    if (tensorType(weight.value).getRank() != 2)
      return op->emitOpError("'")
             << weight.name << "' must be a 2-D [d_model, d_ff] matrix, got "
             << weight.value.getType();
  RankedTensorType w2Type = tensorType(layer.w2);
  if (w2Type.getRank() != 2)
    return op->emitOpError("'w2' must be a 2-D [d_ff, d_out] matrix, got ")
           << w2Type;

  // d_model and d_ff.
  int64_t dModel = inputType.getShape().back();
  const NamedOperand &first = layer.upWeights.front();
  ArrayRef<int64_t> firstShape = tensorType(first.value).getShape();
  for (const NamedOperand &weight : layer.upWeights) {
    int64_t rows = tensorType(weight.value).getDimSize(0);
    if (dimsConflict(rows, dModel))
      return op->emitOpError("'")
             << weight.name << "' has " << rows
             << " rows but the input's d_model is " << dModel;
    ArrayRef<int64_t> shape = tensorType(weight.value).getShape();
    if (dimsConflict(shape[1], firstShape[1]))
      return op->emitOpError("'")
             << weight.name << "' is " << formatShape(shape) << " but '"
             << first.name << "' is " << formatShape(firstShape)
             << "; the gate and linear projections must have the same shape";
  }
  int64_t dFF = firstShape[1];
  if (dimsConflict(w2Type.getDimSize(0), dFF))
    return op->emitOpError("'w2' has ")
           << w2Type.getDimSize(0) << " rows but d_ff is " << dFF;
  int64_t dOut = w2Type.getDimSize(1);

  // Biases.
  auto verifyBias = [&](const NamedOperand &bias, StringRef widthName,
                        int64_t width) -> LogicalResult {
    RankedTensorType type = tensorType(bias.value);
    if (type.getRank() != 1 || dimsConflict(type.getDimSize(0), width))
      return op->emitOpError("'")
             << bias.name << "' must be a 1-D tensor of " << widthName << " = "
             << formatDim(width) << " elements, got " << type;
    return success();
  };
  for (const NamedOperand &bias : layer.hiddenBiases)
    if (failed(verifyBias(bias, "d_ff", dFF)))
      return failure();
  if (layer.outBias && failed(verifyBias({"b2", layer.outBias}, "d_out", dOut)))
    return failure();

  // The result is [..., d_out] with the input's leading dimensions.
  RankedTensorType resultType = tensorType(layer.result);
  if (resultType.getRank() != inputType.getRank())
    return op->emitOpError("result must have the input's rank ")
           << inputType.getRank() << ", got " << resultType;
  for (int64_t i = 0, e = inputType.getRank() - 1; i < e; ++i)
    if (dimsConflict(resultType.getDimSize(i), inputType.getDimSize(i)))
      return op->emitOpError("result dimension ")
             << i << " is " << resultType.getDimSize(i)
             << " but the input's is " << inputType.getDimSize(i);
  if (dimsConflict(resultType.getShape().back(), dOut))
    return op->emitOpError("result's last dimension is ")
           << resultType.getShape().back() << " but 'w2' produces d_out = "
           << dOut;
  return success();
}

//===----------------------------------------------------------------------===//
// Canonicalization shared by ffn.ffn and ffn.glu.
//===----------------------------------------------------------------------===//

namespace {
/// Drops every bias operand that is a constant splat of zero:
///   ffn.glu swish %x, %w, %v, %w2 c(%zeros) -> ffn.glu swish %x, %w, %v, %w2
/// Exporters emit such biases for Linear layers without one. The rewrite is
/// exact, signed zeros included: a hidden bias only changes the sign of zero
/// elements, which the down-projection's accumulation from +0 absorbs, and
/// the down-projection's result is never -0, so adding +0 to it is a no-op.
template <typename OpTy>
struct DropZeroBiases : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    // Clearing one segment shifts the operands after it, so drop one bias
    // per application; the driver applies the pattern again for the next.
    for (MutableOperandRange bias : op.getBiasesMutable()) {
      if (bias.size() != 1 || !matchPattern(bias[0].get(), m_AnyZeroFloat()))
        continue;
      rewriter.modifyOpInPlace(op, [&] { bias.clear(); });
      return success();
    }
    return rewriter.notifyMatchFailure(op, "no bias is a zero constant");
  }
};
} // namespace

//===----------------------------------------------------------------------===//
// ffn.ffn
//===----------------------------------------------------------------------===//

LogicalResult FFNOp::verify() {
  if (getActivation().getKind() == ActivationKind::Identity)
    return emitOpError("activation 'identity' makes ffn.ffn two chained "
                       "linear maps; use 'ffn.glu identity' for the Bilinear "
                       "variant");
  LayerOperands layer;
  layer.input = getInput();
  layer.upWeights.push_back({"w1", getW1()});
  layer.w2 = getW2();
  if (getB1())
    layer.hiddenBiases.push_back({"b1", getB1()});
  layer.outBias = getB2();
  layer.result = getResult();
  return verifyLayer(*this, layer);
}

SmallVector<MutableOperandRange> FFNOp::getBiasesMutable() {
  return {getB1Mutable(), getB2Mutable()};
}

void FFNOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                        MLIRContext *context) {
  results.add<DropZeroBiases<FFNOp>>(context);
}

StringRef FFNOp::getPaperName() {
  switch (getActivation().getKind()) {
  case ActivationKind::Relu:
    return "FFN_ReLU";
  case ActivationKind::Gelu:
  case ActivationKind::GeluTanh:
    return "FFN_GELU";
  case ActivationKind::Swish:
    return "FFN_Swish";
  case ActivationKind::Sigmoid:
    return "FFN_Sigmoid";
  case ActivationKind::Identity:
    break;
  }
  return "FFN_Linear";
}

//===----------------------------------------------------------------------===//
// ffn.glu
//===----------------------------------------------------------------------===//

LogicalResult GLUOp::verify() {
  LayerOperands layer;
  layer.input = getInput();
  layer.upWeights.push_back({"w", getW()});
  layer.upWeights.push_back({"v", getV()});
  layer.w2 = getW2();
  if (getB())
    layer.hiddenBiases.push_back({"b", getB()});
  if (getC())
    layer.hiddenBiases.push_back({"c", getC()});
  layer.outBias = getB2();
  layer.result = getResult();
  return verifyLayer(*this, layer);
}

SmallVector<MutableOperandRange> GLUOp::getBiasesMutable() {
  return {getBMutable(), getCMutable(), getB2Mutable()};
}

void GLUOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                        MLIRContext *context) {
  results.add<DropZeroBiases<GLUOp>>(context);
}

StringRef GLUOp::getPaperName() {
  switch (getActivation().getKind()) {
  case ActivationKind::Sigmoid:
    return "FFN_GLU";
  case ActivationKind::Identity:
    return "FFN_Bilinear";
  case ActivationKind::Relu:
    return "FFN_ReGLU";
  case ActivationKind::Gelu:
  case ActivationKind::GeluTanh:
    return "FFN_GEGLU";
  case ActivationKind::Swish:
    return "FFN_SwiGLU";
  }
  llvm_unreachable("unknown activation kind");
}
