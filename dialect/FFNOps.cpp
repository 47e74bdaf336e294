//===- FFNOps.cpp - ffn dialect operations --------------------------------===//

#include "dialect/FFNOps.h"
#include "dialect/ActivationDirective.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::ffn;

#define GET_OP_CLASSES
#include "dialect/FFNOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Verification shared by ffn.ffn, ffn.glu and their gradients.
//===----------------------------------------------------------------------===//

namespace {
/// An operand of a layer with the name the diagnostics use for it.
struct NamedOperand {
  StringRef name;
  Value value;
};

/// The operands of a feed-forward layer in a form all the ops share.
struct LayerOperands {
  Value input;
  SmallVector<NamedOperand, 2> upWeights; // w1, or w and v.
  Value w2;
  SmallVector<NamedOperand, 2> hiddenBiases; // b1, or b and c (if present).
  Value outBias;                             // b2 (if present).
  /// The forward's result ("result"), or the gradient of the loss with
  /// respect to it ("dy") in the gradient ops.
  NamedOperand result;
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

/// Verifies everything about a layer but the shape of `layer.result` (its
/// element type included) and returns the shape of the forward's result:
/// the input's leading dimensions and d_out.
static FailureOr<SmallVector<int64_t>>
verifyLayerOperands(Operation *op, const LayerOperands &layer) {
  // Element types: one float type for every operand and the result.
  RankedTensorType inputType = tensorType(layer.input);
  Type elementType = inputType.getElementType();
  if (!isSupportedElementType(elementType))
    return op->emitOpError("input has element type ")
           << elementType << "; ffn ops take f16, bf16, f32 or f64";
  SmallVector<NamedOperand> all(layer.upWeights.begin(), layer.upWeights.end());
  all.push_back({"w2", layer.w2});
  all.append(layer.hiddenBiases.begin(), layer.hiddenBiases.end());
  if (layer.outBias)
    all.push_back({"b2", layer.outBias});
  all.push_back(layer.result);
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

  SmallVector<int64_t> resultShape(inputType.getShape().drop_back());
  resultShape.push_back(dOut);
  return resultShape;
}

/// Verifies a forward layer: its operands, and a result of shape [..., d_out]
/// with the input's leading dimensions.
static LogicalResult verifyLayer(Operation *op, const LayerOperands &layer) {
  FailureOr<SmallVector<int64_t>> expected = verifyLayerOperands(op, layer);
  if (failed(expected))
    return failure();
  RankedTensorType resultType = tensorType(layer.result.value);
  int64_t rank = expected->size();
  if (resultType.getRank() != rank)
    return op->emitOpError("result must have the input's rank ")
           << rank << ", got " << resultType;
  for (int64_t i = 0; i < rank - 1; ++i)
    if (dimsConflict(resultType.getDimSize(i), (*expected)[i]))
      return op->emitOpError("result dimension ")
             << i << " is " << resultType.getDimSize(i)
             << " but the input's is " << (*expected)[i];
  if (dimsConflict(resultType.getShape().back(), expected->back()))
    return op->emitOpError("result's last dimension is ")
           << resultType.getShape().back()
           << " but 'w2' produces d_out = " << expected->back();
  return success();
}

/// The operands a gradient op differentiates, in result order: every
/// operand of the forward layer, absent biases skipped.
static SmallVector<NamedOperand>
differentiatedOperands(const LayerOperands &layer) {
  SmallVector<NamedOperand> operands = {{"input", layer.input}};
  operands.append(layer.upWeights.begin(), layer.upWeights.end());
  operands.push_back({"w2", layer.w2});
  operands.append(layer.hiddenBiases.begin(), layer.hiddenBiases.end());
  if (layer.outBias)
    operands.push_back({"b2", layer.outBias});
  return operands;
}

/// The name of the gradient of `operand` in diagnostics: dx, dw1, db2, ...
static std::string gradientName(const NamedOperand &operand) {
  return operand.name == "input" ? std::string("dx") : "d" + operand.name.str();
}

/// Verifies a gradient op: the forward layer's operands, `dy` (in
/// `layer.result`) of the forward result's shape, and one result per
/// differentiated operand, of that operand's type.
static LogicalResult verifyLayerGradient(Operation *op,
                                         const LayerOperands &layer,
                                         ValueRange gradients) {
  FailureOr<SmallVector<int64_t>> expected = verifyLayerOperands(op, layer);
  if (failed(expected))
    return failure();
  RankedTensorType dyType = tensorType(layer.result.value);
  bool dyMatches = dyType.getRank() == static_cast<int64_t>(expected->size());
  for (int64_t i = 0, e = expected->size(); dyMatches && i < e; ++i)
    dyMatches = !dimsConflict(dyType.getDimSize(i), (*expected)[i]);
  if (!dyMatches)
    return op->emitOpError("'dy' must have the forward result's shape ")
           << formatShape(*expected) << " ([..., d_out]), got " << dyType;

  SmallVector<NamedOperand> operands = differentiatedOperands(layer);
  if (gradients.size() != operands.size()) {
    std::string names;
    llvm::raw_string_ostream os(names);
    llvm::interleaveComma(operands, os, [&](const NamedOperand &operand) {
      os << gradientName(operand);
    });
    return op->emitOpError("expects ")
           << operands.size() << " results (" << names
           << "), one gradient per operand but dy; got " << gradients.size();
  }
  for (auto [index, operand, gradient] : llvm::enumerate(operands, gradients)) {
    if (gradient.getType() == operand.value.getType())
      continue;
    InFlightDiagnostic diag = op->emitOpError("result #")
                              << index << " (" << gradientName(operand)
                              << ") must have the type of ";
    if (operand.name == "input")
      diag << "the input";
    else
      diag << "'" << operand.name << "'";
    return diag << ", " << operand.value.getType() << ", got "
                << gradient.getType();
  }
  return success();
}

/// The operands of ffn.ffn or ffn.ffn_grad; `result` is left to the caller.
template <typename OpTy> static LayerOperands ungatedLayer(OpTy op) {
  LayerOperands layer;
  layer.input = op.getInput();
  layer.upWeights.push_back({"w1", op.getW1()});
  layer.w2 = op.getW2();
  if (op.getB1())
    layer.hiddenBiases.push_back({"b1", op.getB1()});
  layer.outBias = op.getB2();
  return layer;
}

/// The operands of ffn.glu or ffn.glu_grad; `result` is left to the caller.
template <typename OpTy> static LayerOperands gatedLayer(OpTy op) {
  LayerOperands layer;
  layer.input = op.getInput();
  layer.upWeights.push_back({"w", op.getW()});
  layer.upWeights.push_back({"v", op.getV()});
  layer.w2 = op.getW2();
  if (op.getB())
    layer.hiddenBiases.push_back({"b", op.getB()});
  if (op.getC())
    layer.hiddenBiases.push_back({"c", op.getC()});
  layer.outBias = op.getB2();
  return layer;
}

/// Names the results of a gradient op after their operands: %dx, %dw1, ...
static void nameGradients(const LayerOperands &layer, ValueRange gradients,
                          OpAsmSetValueNameFn setNameFn) {
  SmallVector<NamedOperand> operands = differentiatedOperands(layer);
  if (operands.size() != gradients.size())
    return;
  for (auto [operand, gradient] : llvm::zip_equal(operands, gradients))
    setNameFn(gradient, gradientName(operand));
}

/// The operands of `layer` that a gradient op differentiates, as values.
static SmallVector<Value> differentiatedValues(const LayerOperands &layer) {
  return llvm::map_to_vector(differentiatedOperands(layer),
                             [](const NamedOperand &o) { return o.value; });
}

/// The paper's name of an ungated layer with activation `kind`.
static StringRef ungatedPaperName(ActivationKind kind) {
  switch (kind) {
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

/// The paper's name of a gated layer with gate `kind`.
static StringRef gatedPaperName(ActivationKind kind) {
  switch (kind) {
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
template <typename OpTy> struct DropZeroBiases : OpRewritePattern<OpTy> {
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
  LayerOperands layer = ungatedLayer(*this);
  layer.result = {"result", getResult()};
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
  return ungatedPaperName(getActivation().getKind());
}

//===----------------------------------------------------------------------===//
// ffn.glu
//===----------------------------------------------------------------------===//

LogicalResult GLUOp::verify() {
  LayerOperands layer = gatedLayer(*this);
  layer.result = {"result", getResult()};
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
  return gatedPaperName(getActivation().getKind());
}

//===----------------------------------------------------------------------===//
// ffn.ffn_grad
//===----------------------------------------------------------------------===//

/// The types of the operands a gradient op differentiates, in result order.
static SmallVector<Type> gradientTypes(ArrayRef<Value> operands) {
  SmallVector<Type> types;
  for (Value operand : operands)
    if (operand)
      types.push_back(operand.getType());
  return types;
}

void FFNGradOp::build(OpBuilder &builder, OperationState &state,
                      ActivationAttr activation, Value input, Value w1,
                      Value w2, Value dy, Value b1, Value b2) {
  build(builder, state, gradientTypes({input, w1, w2, b1, b2}), activation,
        input, w1, w2, dy, b1, b2);
}

LogicalResult FFNGradOp::verify() {
  if (getActivation().getKind() == ActivationKind::Identity)
    return emitOpError("activation 'identity' makes ffn.ffn_grad the "
                       "gradient of two chained linear maps; use "
                       "'ffn.glu_grad identity' for the Bilinear variant");
  LayerOperands layer = ungatedLayer(*this);
  layer.result = {"dy", getDy()};
  return verifyLayerGradient(*this, layer, getGradients());
}

void FFNGradOp::getAsmResultNames(OpAsmSetValueNameFn setNameFn) {
  nameGradients(ungatedLayer(*this), getGradients(), setNameFn);
}

SmallVector<Value> FFNGradOp::getDifferentiatedOperands() {
  return differentiatedValues(ungatedLayer(*this));
}

Value FFNGradOp::getB1Grad() { return getB1() ? getGradients()[3] : Value(); }

Value FFNGradOp::getB2Grad() {
  return getB2() ? getGradients()[getB1() ? 4 : 3] : Value();
}

StringRef FFNGradOp::getPaperName() {
  return ungatedPaperName(getActivation().getKind());
}

//===----------------------------------------------------------------------===//
// ffn.glu_grad
//===----------------------------------------------------------------------===//

void GLUGradOp::build(OpBuilder &builder, OperationState &state,
                      ActivationAttr activation, Value input, Value w, Value v,
                      Value w2, Value dy, Value b, Value c, Value b2) {
  build(builder, state, gradientTypes({input, w, v, w2, b, c, b2}), activation,
        input, w, v, w2, dy, b, c, b2);
}

LogicalResult GLUGradOp::verify() {
  LayerOperands layer = gatedLayer(*this);
  layer.result = {"dy", getDy()};
  return verifyLayerGradient(*this, layer, getGradients());
}

void GLUGradOp::getAsmResultNames(OpAsmSetValueNameFn setNameFn) {
  nameGradients(gatedLayer(*this), getGradients(), setNameFn);
}

SmallVector<Value> GLUGradOp::getDifferentiatedOperands() {
  return differentiatedValues(gatedLayer(*this));
}

Value GLUGradOp::getBGrad() { return getB() ? getGradients()[4] : Value(); }

Value GLUGradOp::getCGrad() {
  return getC() ? getGradients()[getB() ? 5 : 4] : Value();
}

Value GLUGradOp::getB2Grad() {
  if (!getB2())
    return Value();
  return getGradients()[4 + (getB() ? 1 : 0) + (getC() ? 1 : 0)];
}

StringRef GLUGradOp::getPaperName() {
  return gatedPaperName(getActivation().getKind());
}
