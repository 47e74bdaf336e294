//===- FFNFusedOps.cpp - packed weights and fused GEMMs -------------------===//

#include "dialect/FFNFusedOps.h"
#include "dialect/ActivationDirective.h"
#include "dialect/ConstantElements.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/TypeUtilities.h"

#include <limits>

using namespace mlir;
using namespace mlir::ffn;

#define GET_OP_CLASSES
#include "dialect/FFNFusedOps.cpp.inc"

//===----------------------------------------------------------------------===//
// The packed layout
//===----------------------------------------------------------------------===//

std::pair<bool, int64_t>
mlir::ffn::unpackedColumn(int64_t packed, int64_t width, int64_t blockSize) {
  int64_t fullBlocks = width / blockSize;
  int64_t fullColumns = 2 * fullBlocks * blockSize;
  if (packed < fullColumns) {
    int64_t block = packed / (2 * blockSize);
    int64_t offset = packed % (2 * blockSize);
    bool linear = offset >= blockSize;
    return {linear, block * blockSize + offset % blockSize};
  }
  int64_t tail = width - fullBlocks * blockSize;
  int64_t offset = packed - fullColumns;
  bool linear = offset >= tail;
  return {linear, fullBlocks * blockSize + (linear ? offset - tail : offset)};
}

static bool isFloatTensor(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor)
    return false;
  Type element = tensor.getElementType();
  return element.isF16() || element.isBF16() || element.isF32() ||
         element.isF64();
}

/// True if `a` and `b` are static and differ.
static bool conflict(int64_t a, int64_t b) {
  return !ShapedType::isDynamic(a) && !ShapedType::isDynamic(b) && a != b;
}

std::optional<int64_t> mlir::ffn::packedWidth(int64_t width) {
  if (ShapedType::isDynamic(width))
    return ShapedType::kDynamic;
  if (width > std::numeric_limits<int64_t>::max() / 2)
    return std::nullopt;
  return 2 * width;
}

//===----------------------------------------------------------------------===//
// Moving columns of constants
//===----------------------------------------------------------------------===//

/// Rearranges the last-dimension columns of constant tensors: column `c` of
/// the result is column `source(c).second` of `inputs[source(c).first]`;
/// inputs that are all splats of one value give that splat.
static DenseElementsAttr
permuteColumns(ArrayRef<ConstantElements> inputs,
               ArrayRef<RankedTensorType> inputTypes, RankedTensorType type,
               function_ref<std::pair<int, int64_t>(int64_t)> source) {
  unsigned bytes = (type.getElementTypeBitWidth() + 7) / 8;
  // Splats of one value stay a splat.
  const char *first = inputs.front().getElement(0);
  if (llvm::all_of(inputs, [&](const ConstantElements &input) {
        return input.splat && !std::memcmp(input.getElement(0), first, bytes);
      }))
    return DenseElementsAttr::getFromRawBuffer(type,
                                               ArrayRef<char>(first, bytes));
  int64_t columns = type.getShape().back();
  int64_t rows = type.getNumElements() / std::max<int64_t>(columns, 1);
  std::vector<char> data(type.getNumElements() * bytes);
  for (int64_t c = 0; c < columns; ++c) {
    auto [index, column] = source(c);
    const ConstantElements &input = inputs[index];
    int64_t inputColumns = inputTypes[index].getShape().back();
    for (int64_t r = 0; r < rows; ++r)
      std::memcpy(&data[(r * columns + c) * bytes],
                  input.getElement(r * inputColumns + column), bytes);
  }
  return DenseElementsAttr::getFromRawBuffer(type, data);
}

//===----------------------------------------------------------------------===//
// ffn.pack_gated / ffn.unpack_gated
//===----------------------------------------------------------------------===//

/// Checks that `packed` is `unpacked` with its last dimension doubled.
static LogicalResult verifyPacking(Operation *op, RankedTensorType unpacked,
                                   RankedTensorType packed) {
  if (!isFloatTensor(unpacked))
    return op->emitOpError("packs ")
           << unpacked << "; ffn packing takes f16, bf16, f32 or f64 tensors";
  if (unpacked.getRank() < 1)
    return op->emitOpError("cannot pack a rank-0 tensor");
  if (packed.getElementType() != unpacked.getElementType() ||
      packed.getRank() != unpacked.getRank())
    return op->emitOpError("packed type ")
           << packed << " does not match the unpacked type " << unpacked;
  for (int64_t i = 0, e = unpacked.getRank() - 1; i < e; ++i)
    if (conflict(packed.getDimSize(i), unpacked.getDimSize(i)))
      return op->emitOpError("packed type ")
             << packed << " does not match the unpacked type " << unpacked;
  std::optional<int64_t> width = packedWidth(unpacked.getShape().back());
  if (!width)
    return op->emitOpError("cannot pack ")
           << unpacked.getShape().back()
           << " columns: twice as many do not fit in int64";
  if (conflict(packed.getShape().back(), *width))
    return op->emitOpError("packed last dimension ")
           << packed.getShape().back() << " is not twice the unpacked "
           << unpacked.getShape().back();
  return success();
}

LogicalResult PackGatedOp::verify() {
  if (getGate().getType() != getLinear().getType())
    return emitOpError("gate ")
           << getGate().getType() << " and linear " << getLinear().getType()
           << " must have the same type";
  return verifyPacking(*this, getGate().getType(), getPacked().getType());
}

OpFoldResult PackGatedOp::fold(FoldAdaptor adaptor) {
  // pack(unpack(p)) -> p
  auto unpack = getGate().getDefiningOp<UnpackGatedOp>();
  if (unpack && getGate() == unpack.getGate() &&
      getLinear() == unpack.getLinear() &&
      unpack.getBlockSize() == getBlockSize() &&
      unpack.getPacked().getType() == getPacked().getType())
    return unpack.getPacked();
  // Constant weights (dense or torch-mlir's dense_resource) pack at
  // compile time.
  auto type = getPacked().getType();
  if (!type.hasStaticShape())
    return {};
  std::optional<ConstantElements> gate = getConstantElements(adaptor.getGate());
  std::optional<ConstantElements> linear =
      getConstantElements(adaptor.getLinear());
  if (!gate || !linear)
    return {};
  int64_t width = getGate().getType().getShape().back();
  int64_t block = getBlockSize();
  return permuteColumns(
      {*gate, *linear}, {getGate().getType(), getLinear().getType()}, type,
      [&](int64_t c) {
        auto [isLinear, column] = unpackedColumn(c, width, block);
        return std::pair<int, int64_t>(isLinear ? 1 : 0, column);
      });
}

LogicalResult UnpackGatedOp::verify() {
  if (getGate().getType() != getLinear().getType())
    return emitOpError("gate ")
           << getGate().getType() << " and linear " << getLinear().getType()
           << " must have the same type";
  return verifyPacking(*this, getGate().getType(), getPacked().getType());
}

LogicalResult UnpackGatedOp::fold(FoldAdaptor adaptor,
                                  SmallVectorImpl<OpFoldResult> &results) {
  // unpack(pack(w, v)) -> w, v
  if (auto pack = getPacked().getDefiningOp<PackGatedOp>()) {
    if (pack.getBlockSize() == getBlockSize() &&
        pack.getGate().getType() == getGate().getType()) {
      results.push_back(pack.getGate());
      results.push_back(pack.getLinear());
      return success();
    }
  }
  auto type = getGate().getType();
  if (!type.hasStaticShape())
    return failure();
  std::optional<ConstantElements> packed =
      getConstantElements(adaptor.getPacked());
  if (!packed)
    return failure();
  // Invert the packing: map every packed column to its place.
  int64_t width = type.getShape().back();
  int64_t block = getBlockSize();
  SmallVector<int64_t> gateSource(width), linearSource(width);
  for (int64_t c = 0; c < 2 * width; ++c) {
    auto [isLinear, column] = unpackedColumn(c, width, block);
    (isLinear ? linearSource : gateSource)[column] = c;
  }
  RankedTensorType packedType = getPacked().getType();
  results.push_back(
      permuteColumns({*packed}, {packedType}, type, [&](int64_t c) {
        return std::pair<int, int64_t>(0, gateSource[c]);
      }));
  results.push_back(
      permuteColumns({*packed}, {packedType}, type, [&](int64_t c) {
        return std::pair<int, int64_t>(0, linearSource[c]);
      }));
  return success();
}

//===----------------------------------------------------------------------===//
// Fused GEMMs: verification
//===----------------------------------------------------------------------===//

/// Checks x [M, K] * weight [K, width] (+ bias [width]) into init [M, N]
/// where width is N, or 2 N when packed.
static LogicalResult verifyFusedMatmul(Operation *op, Value input, Value weight,
                                       Value bias, Value init, Value result,
                                       bool packed) {
  for (Value value : {input, weight, init})
    if (!isFloatTensor(value.getType()))
      return op->emitOpError("operand ")
             << value.getType() << " is not an f16, bf16, f32 or f64 tensor";
  auto inputType = cast<RankedTensorType>(input.getType());
  auto weightType = cast<RankedTensorType>(weight.getType());
  auto initType = cast<RankedTensorType>(init.getType());
  Type element = inputType.getElementType();
  for (Value value : {weight, bias, init})
    if (value && getElementTypeOrSelf(value.getType()) != element)
      return op->emitOpError("operands must share one element type, got ")
             << getElementTypeOrSelf(value.getType()) << " and " << element;
  if (inputType.getRank() != 2 || weightType.getRank() != 2 ||
      initType.getRank() != 2)
    return op->emitOpError("expects a 2-D input, weight and init");
  if (result.getType() != initType)
    return op->emitOpError("result type ")
           << result.getType() << " must be the init's " << initType;
  StringRef weightName = packed ? "packed weight" : "weight";
  if (conflict(weightType.getDimSize(0), inputType.getDimSize(1)))
    return op->emitOpError("")
           << weightName << " has " << weightType.getDimSize(0)
           << " rows but the input has " << inputType.getDimSize(1)
           << " columns";
  int64_t width = initType.getDimSize(1);
  std::optional<int64_t> expected = packed ? packedWidth(width) : width;
  if (!expected)
    return op->emitOpError("the init's ")
           << width << " columns cannot be packed: twice as many do not fit "
           << "in int64";
  if (conflict(weightType.getDimSize(1), *expected))
    return op->emitOpError("")
           << weightName << " has " << weightType.getDimSize(1)
           << " columns; the init's " << width << " columns need " << *expected;
  if (conflict(initType.getDimSize(0), inputType.getDimSize(0)))
    return op->emitOpError("init has ")
           << initType.getDimSize(0) << " rows but the input has "
           << inputType.getDimSize(0);
  if (bias) {
    auto biasType = cast<RankedTensorType>(bias.getType());
    if (biasType.getRank() != 1 ||
        conflict(biasType.getDimSize(0), weightType.getDimSize(1)))
      return op->emitOpError("bias ")
             << biasType << " must be a vector of the weight's "
             << weightType.getDimSize(1) << " columns";
  }
  return success();
}

/// Rejects reading a value packed by ffn.pack_gated with another block
/// size: every column would land in the wrong place.
static LogicalResult verifyPackedWith(Operation *op, Value packed,
                                      int64_t blockSize) {
  if (!packed)
    return success();
  if (auto pack = packed.getDefiningOp<PackGatedOp>())
    if (static_cast<int64_t>(pack.getBlockSize()) != blockSize)
      return op->emitOpError("reads a value packed with block size ")
             << pack.getBlockSize() << " as if packed with block size "
             << blockSize;
  return success();
}

/// Checks the optional pre-activations destination and result: present
/// together, [M, width] like `weight`'s product, of the input's element
/// type.
static LogicalResult verifyPreactivations(Operation *op, Value input,
                                          Value weight, Value init,
                                          Value result) {
  if (!init && !result)
    return success();
  if (!init || !result)
    return op->emitOpError("returns pre-activations only with a "
                           "preactivations destination, and vice versa");
  auto initType = dyn_cast<RankedTensorType>(init.getType());
  if (!initType || result.getType() != initType)
    return op->emitOpError("pre-activations result type ")
           << result.getType() << " must be its destination's "
           << init.getType();
  auto inputType = cast<RankedTensorType>(input.getType());
  auto weightType = cast<RankedTensorType>(weight.getType());
  if (initType.getElementType() != inputType.getElementType() ||
      initType.getRank() != 2 ||
      conflict(initType.getDimSize(0), inputType.getDimSize(0)) ||
      conflict(initType.getDimSize(1), weightType.getDimSize(1)))
    return op->emitOpError("pre-activations ")
           << initType << " must be the [" << inputType.getDimSize(0) << ", "
           << weightType.getDimSize(1) << "] product of the input "
           << "and the weight, of element type " << inputType.getElementType();
  return success();
}

LogicalResult GatedMatmulOp::verify() {
  if (failed(verifyPackedWith(*this, getPackedWeight(), getBlockSize())) ||
      failed(verifyPackedWith(*this, getPackedBias(), getBlockSize())))
    return failure();
  if (failed(verifyFusedMatmul(*this, getInput(), getPackedWeight(),
                               getPackedBias(), getInit(), getResult(),
                               /*packed=*/true)))
    return failure();
  return verifyPreactivations(*this, getInput(), getPackedWeight(),
                              getPreactivationsInit(), getPreactivations());
}

LogicalResult ActivatedMatmulOp::verify() {
  if (failed(verifyFusedMatmul(*this, getInput(), getWeight(), getBias(),
                               getInit(), getResult(), /*packed=*/false)))
    return failure();
  return verifyPreactivations(*this, getInput(), getWeight(),
                              getPreactivationsInit(), getPreactivations());
}

//===----------------------------------------------------------------------===//
// Fused GEMMs: tiling over the output
//===----------------------------------------------------------------------===//

/// Every fused GEMM's loops are (rows, columns or blocks), both parallel.
static SmallVector<utils::IteratorType> parallelRowsAndColumns() {
  return {utils::IteratorType::parallel, utils::IteratorType::parallel};
}

/// The result tile of an op tiled over its own output: the tile itself.
static LogicalResult sameTile(ArrayRef<OpFoldResult> offsets,
                              ArrayRef<OpFoldResult> sizes,
                              SmallVector<OpFoldResult> &resultOffsets,
                              SmallVector<OpFoldResult> &resultSizes) {
  resultOffsets.assign(offsets.begin(), offsets.end());
  resultSizes.assign(sizes.begin(), sizes.end());
  return success();
}

static SmallVector<Range> outputDomain(OpBuilder &b, Location loc, Value init) {
  OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1);
  return {Range{zero, tensor::getMixedSize(b, loc, init, 0), one},
          Range{zero, tensor::getMixedSize(b, loc, init, 1), one}};
}

static Value slice(OpBuilder &b, Location loc, Value source,
                   ArrayRef<OpFoldResult> offsets, ArrayRef<OpFoldResult> sizes,
                   SmallVectorImpl<Operation *> &slices) {
  SmallVector<OpFoldResult> strides(offsets.size(), b.getIndexAttr(1));
  auto op =
      tensor::ExtractSliceOp::create(b, loc, source, offsets, sizes, strides);
  slices.push_back(op);
  return op;
}

/// The slices of a fused GEMM's operands that compute the output tile at
/// rows [rowOffset, +rowSize) and columns [colOffset, +colSize): the
/// input's rows, the weight's (and bias's) columns scaled by `scale` (2 for
/// a packed weight, whose blocks hold matching gate and linear columns),
/// and the init's tile.
struct TileOperands {
  Value input, weight, bias, init, preactivationsInit;
  SmallVector<Operation *> slices;
};

static TileOperands sliceOperands(OpBuilder &b, Location loc, Value input,
                                  Value weight, Value bias, Value init,
                                  Value preactivationsInit,
                                  ArrayRef<OpFoldResult> offsets,
                                  ArrayRef<OpFoldResult> sizes, int64_t scale) {
  TileOperands tile;
  OpFoldResult zero = b.getIndexAttr(0);
  OpFoldResult k = tensor::getMixedSize(b, loc, input, 1);
  AffineExpr d0;
  bindDims(b.getContext(), d0);
  OpFoldResult weightOffset =
      affine::makeComposedFoldedAffineApply(b, loc, d0 * scale, {offsets[1]});
  OpFoldResult weightSize =
      affine::makeComposedFoldedAffineApply(b, loc, d0 * scale, {sizes[1]});
  tile.input =
      slice(b, loc, input, {offsets[0], zero}, {sizes[0], k}, tile.slices);
  tile.weight =
      slice(b, loc, weight, {zero, weightOffset}, {k, weightSize}, tile.slices);
  if (bias)
    tile.bias = slice(b, loc, bias, {weightOffset}, {weightSize}, tile.slices);
  tile.init = slice(b, loc, init, offsets, sizes, tile.slices);
  // The pre-activations' tile: the weight's columns for the input's rows.
  if (preactivationsInit)
    tile.preactivationsInit =
        slice(b, loc, preactivationsInit, {offsets[0], weightOffset},
              {sizes[0], weightSize}, tile.slices);
  return tile;
}

/// The tile of the pre-activations result for the output tile at
/// `columnOffsets`, `columnSizes`: the same rows, `scale` times the columns.
static void preactivationsTile(OpBuilder &b, Location loc,
                               ArrayRef<OpFoldResult> columnOffsets,
                               ArrayRef<OpFoldResult> columnSizes,
                               int64_t scale,
                               SmallVector<OpFoldResult> &resultOffsets,
                               SmallVector<OpFoldResult> &resultSizes) {
  AffineExpr d0;
  bindDims(b.getContext(), d0);
  resultOffsets = {columnOffsets[0],
                   affine::makeComposedFoldedAffineApply(b, loc, d0 * scale,
                                                         {columnOffsets[1]})};
  resultSizes = {columnSizes[0], affine::makeComposedFoldedAffineApply(
                                     b, loc, d0 * scale, {columnSizes[1]})};
}

/// The tiled op's results: the output tile and, when kept, the
/// pre-activations tile.
static SmallVector<Value> tiledResults(Operation *tiled) {
  return SmallVector<Value>(tiled->getResults());
}

//===----------------------------------------------------------------------===//
// ffn.gated_matmul tiles over (rows, packed blocks)
//===----------------------------------------------------------------------===//
//
// The gated GEMM's iteration domain is rows x blocks, not rows x columns:
// a tile of t blocks starting at block j covers output columns
// [j B, min((j + t) B, d_ff)) and packed columns twice that, so every tile,
// whatever its size, holds whole blocks of matching gate and linear columns.

/// The destinations of a fused GEMM: `init`, then the optional
/// pre-activations destination (the last operands, in that order).
static MutableOperandRange fusedMatmulInits(Operation *op, OpOperand &init,
                                            bool keepsPreactivations) {
  return MutableOperandRange(op, init.getOperandNumber(),
                             keepsPreactivations ? 2 : 1);
}

MutableOperandRange GatedMatmulOp::getDpsInitsMutable() {
  return fusedMatmulInits(*this, getInitMutable(), keepsPreactivations());
}

SmallVector<utils::IteratorType> GatedMatmulOp::getLoopIteratorTypes() {
  return parallelRowsAndColumns();
}

SmallVector<Range> GatedMatmulOp::getIterationDomain(OpBuilder &b) {
  Location loc = getLoc();
  SmallVector<Range> domain = outputDomain(b, loc, getInit());
  AffineExpr d0;
  bindDims(b.getContext(), d0);
  domain[1].size = affine::makeComposedFoldedAffineApply(
      b, loc, d0.ceilDiv(getBlockSize()), {domain[1].size});
  return domain;
}

/// The d_ff columns of the block tile at `offsets`, `sizes` (d_ff is
/// dimension `widthDim` of `widthOf`).
static void blockTileToColumns(OpBuilder &b, Location loc, Value widthOf,
                               int64_t block, ArrayRef<OpFoldResult> offsets,
                               ArrayRef<OpFoldResult> sizes,
                               SmallVector<OpFoldResult> &columnOffsets,
                               SmallVector<OpFoldResult> &columnSizes,
                               int64_t widthDim = 1) {
  AffineExpr d0, d1, d2;
  bindDims(b.getContext(), d0, d1, d2);
  OpFoldResult width = tensor::getMixedSize(b, loc, widthOf, widthDim);
  columnOffsets = {offsets[0], affine::makeComposedFoldedAffineApply(
                                   b, loc, d0 * block, {offsets[1]})};
  // size * B when blocks divide d_ff; else min(size * B, d_ff - offset * B)
  // for the ragged last block.
  std::optional<int64_t> staticWidth = getConstantIntValue(width);
  if (staticWidth && *staticWidth % block == 0) {
    columnSizes = {sizes[0], affine::makeComposedFoldedAffineApply(
                                 b, loc, d0 * block, {sizes[1]})};
    return;
  }
  AffineMap sizeMap =
      AffineMap::get(3, 0, {d1 * block, d2 - d0 * block}, b.getContext());
  columnSizes = {sizes[0], affine::makeComposedFoldedAffineMin(
                               b, loc, sizeMap, {offsets[1], sizes[1], width})};
}

FailureOr<TilingResult>
GatedMatmulOp::getTiledImplementation(OpBuilder &b,
                                      ArrayRef<OpFoldResult> offsets,
                                      ArrayRef<OpFoldResult> sizes) {
  Location loc = getLoc();
  SmallVector<OpFoldResult> columnOffsets, columnSizes;
  blockTileToColumns(b, loc, getInit(), getBlockSize(), offsets, sizes,
                     columnOffsets, columnSizes);
  TileOperands tile = sliceOperands(
      b, loc, getInput(), getPackedWeight(), getPackedBias(), getInit(),
      getPreactivationsInit(), columnOffsets, columnSizes, /*scale=*/2);
  Type preactivationsType =
      tile.preactivationsInit ? tile.preactivationsInit.getType() : Type();
  auto tiled = GatedMatmulOp::create(
      b, loc, tile.init.getType(), preactivationsType, getActivation(),
      getBlockSize(), tile.input, tile.weight, tile.bias, tile.init,
      tile.preactivationsInit);
  return TilingResult{{tiled}, tiledResults(tiled), tile.slices};
}

LogicalResult GatedMatmulOp::getResultTilePosition(
    OpBuilder &b, unsigned resultNumber, ArrayRef<OpFoldResult> offsets,
    ArrayRef<OpFoldResult> sizes, SmallVector<OpFoldResult> &resultOffsets,
    SmallVector<OpFoldResult> &resultSizes) {
  blockTileToColumns(b, getLoc(), getInit(), getBlockSize(), offsets, sizes,
                     resultOffsets, resultSizes);
  if (resultNumber == 1) {
    SmallVector<OpFoldResult> columnOffsets = resultOffsets,
                              columnSizes = resultSizes;
    preactivationsTile(b, getLoc(), columnOffsets, columnSizes, /*scale=*/2,
                       resultOffsets, resultSizes);
  }
  return success();
}

FailureOr<TilingResult>
GatedMatmulOp::generateResultTileValue(OpBuilder &b, unsigned resultNumber,
                                       ArrayRef<OpFoldResult> offsets,
                                       ArrayRef<OpFoldResult> sizes) {
  if (resultNumber != 0)
    return emitOpError("produces tiles of its gated result only; tile the "
                       "op itself to tile its pre-activations");
  // A consumer asks for result columns; only whole blocks can be computed.
  int64_t block = getBlockSize();
  std::optional<int64_t> offset = getConstantIntValue(offsets[1]);
  std::optional<int64_t> size = getConstantIntValue(sizes[1]);
  int64_t width = getInit().getType().getDimSize(1);
  if (!offset || !size || *offset % block != 0 ||
      (*size % block != 0 &&
       (ShapedType::isDynamic(width) || *offset + *size != width)))
    return emitOpError("can only produce tiles of whole packed blocks of ")
           << block << " columns";
  SmallVector<OpFoldResult> blockOffsets = {offsets[0],
                                            b.getIndexAttr(*offset / block)};
  SmallVector<OpFoldResult> blockSizes = {
      sizes[0], b.getIndexAttr((*size + block - 1) / block)};
  return getTiledImplementation(b, blockOffsets, blockSizes);
}

//===----------------------------------------------------------------------===//
// ffn.activated_matmul tiles over (rows, columns)
//===----------------------------------------------------------------------===//

MutableOperandRange ActivatedMatmulOp::getDpsInitsMutable() {
  return fusedMatmulInits(*this, getInitMutable(), keepsPreactivations());
}

SmallVector<utils::IteratorType> ActivatedMatmulOp::getLoopIteratorTypes() {
  return parallelRowsAndColumns();
}

SmallVector<Range> ActivatedMatmulOp::getIterationDomain(OpBuilder &b) {
  return outputDomain(b, getLoc(), getInit());
}

FailureOr<TilingResult>
ActivatedMatmulOp::getTiledImplementation(OpBuilder &b,
                                          ArrayRef<OpFoldResult> offsets,
                                          ArrayRef<OpFoldResult> sizes) {
  TileOperands tile =
      sliceOperands(b, getLoc(), getInput(), getWeight(), getBias(), getInit(),
                    getPreactivationsInit(), offsets, sizes,
                    /*scale=*/1);
  Type preactivationsType =
      tile.preactivationsInit ? tile.preactivationsInit.getType() : Type();
  auto tiled = ActivatedMatmulOp::create(
      b, getLoc(), tile.init.getType(), preactivationsType, getActivation(),
      tile.input, tile.weight, tile.bias, tile.init, tile.preactivationsInit);
  return TilingResult{{tiled}, tiledResults(tiled), tile.slices};
}

LogicalResult ActivatedMatmulOp::getResultTilePosition(
    OpBuilder &, unsigned, ArrayRef<OpFoldResult> offsets,
    ArrayRef<OpFoldResult> sizes, SmallVector<OpFoldResult> &resultOffsets,
    SmallVector<OpFoldResult> &resultSizes) {
  return sameTile(offsets, sizes, resultOffsets, resultSizes);
}

FailureOr<TilingResult>
ActivatedMatmulOp::generateResultTileValue(OpBuilder &b, unsigned,
                                           ArrayRef<OpFoldResult> offsets,
                                           ArrayRef<OpFoldResult> sizes) {
  return getTiledImplementation(b, offsets, sizes);
}

//===----------------------------------------------------------------------===//
// Backward ops
//===----------------------------------------------------------------------===//

/// Checks that every value is a 2-D float tensor of one element type.
static LogicalResult verifyMatrices(Operation *op, ValueRange values) {
  Type element;
  for (Value value : values) {
    if (!isFloatTensor(value.getType()) ||
        cast<RankedTensorType>(value.getType()).getRank() != 2)
      return op->emitOpError("expects 2-D f16, bf16, f32 or f64 tensors, got ")
             << value.getType();
    Type type = getElementTypeOrSelf(value.getType());
    if (element && type != element)
      return op->emitOpError("operands must share one element type, got ")
             << type << " and " << element;
    element = type;
  }
  return success();
}

/// Checks dimension `a` of `x` against dimension `b` of `y` (times
/// `scale`), naming them in the message.
static LogicalResult verifyDim(Operation *op, Value x, int64_t a, Value y,
                               int64_t b, int64_t scale, StringRef what) {
  int64_t dx = cast<RankedTensorType>(x.getType()).getDimSize(a);
  int64_t dy = cast<RankedTensorType>(y.getType()).getDimSize(b);
  if (!ShapedType::isDynamic(dy))
    dy *= scale;
  if (conflict(dx, dy))
    return op->emitOpError("") << what << ": " << dx << " vs " << dy;
  return success();
}

LogicalResult ApplyGateOp::verify() {
  if (failed(verifyMatrices(*this, {getPacked(), getResult()})) ||
      failed(verifyDim(*this, getPacked(), 0, getResult(), 0, 1,
                       "packed pre-activations and result must have as "
                       "many rows")) ||
      failed(verifyDim(*this, getPacked(), 1, getResult(), 1, 2,
                       "packed pre-activations must have twice the "
                       "result's columns")))
    return failure();
  return success();
}

/// The checks shared by the backward GEMMs: dy [M, d_out], w2 [d_ff, d_out],
/// pre-activations and init [M, scale * d_ff], result = init.
static LogicalResult verifyBackwardMatmul(Operation *op, Value dy, Value w2,
                                          Value preactivations, Value init,
                                          Value result, int64_t scale) {
  if (failed(verifyMatrices(op, {dy, w2, preactivations, init})))
    return failure();
  if (result.getType() != init.getType())
    return op->emitOpError("result type ")
           << result.getType() << " must be the init's " << init.getType();
  if (failed(verifyDim(op, dy, 1, w2, 1, 1,
                       "the output gradient and 'w2' must have as many "
                       "columns (d_out)")) ||
      failed(verifyDim(op, preactivations, 0, dy, 0, 1,
                       "the pre-activations and the output gradient must "
                       "have as many rows")) ||
      failed(verifyDim(op, preactivations, 1, w2, 0, scale,
                       scale == 2 ? "the packed pre-activations must have "
                                    "twice as many columns as 'w2' has rows"
                                  : "the pre-activations must have as many "
                                    "columns as 'w2' has rows")) ||
      failed(verifyDim(op, init, 0, preactivations, 0, 1,
                       "init and pre-activations must have the same rows")) ||
      failed(verifyDim(op, init, 1, preactivations, 1, 1,
                       "init and pre-activations must have the same "
                       "columns")))
    return failure();
  return success();
}

LogicalResult DGateMatmulOp::verify() {
  return verifyBackwardMatmul(*this, getOutputGrad(), getW2(),
                              getPackedPreactivations(), getInit(), getResult(),
                              /*scale=*/2);
}

LogicalResult DActivationMatmulOp::verify() {
  return verifyBackwardMatmul(*this, getOutputGrad(), getW2(),
                              getPreactivations(), getInit(), getResult(),
                              /*scale=*/1);
}

//===----------------------------------------------------------------------===//
// Backward GEMMs: tiling over the output
//===----------------------------------------------------------------------===//

/// The operand slices of a backward GEMM's tile: dy's rows, W2's rows for
/// the tile's hidden columns, and the pre-activations' and init's tile
/// (their columns scaled by `scale`, 2 when packed).
static TilingResult tileBackwardMatmul(
    OpBuilder &b, Operation *op, Value dy, Value w2, Value preactivations,
    Value init, ArrayRef<OpFoldResult> columnOffsets,
    ArrayRef<OpFoldResult> columnSizes, int64_t scale,
    function_ref<Operation *(Value, Value, Value, Value)> create) {
  Location loc = op->getLoc();
  SmallVector<Operation *> slices;
  OpFoldResult zero = b.getIndexAttr(0);
  AffineExpr d0;
  bindDims(b.getContext(), d0);
  OpFoldResult packedOffset = affine::makeComposedFoldedAffineApply(
      b, loc, d0 * scale, {columnOffsets[1]});
  OpFoldResult packedSize = affine::makeComposedFoldedAffineApply(
      b, loc, d0 * scale, {columnSizes[1]});
  OpFoldResult dOut = tensor::getMixedSize(b, loc, dy, 1);
  Value dyTile = slice(b, loc, dy, {columnOffsets[0], zero},
                       {columnSizes[0], dOut}, slices);
  Value w2Tile = slice(b, loc, w2, {columnOffsets[1], zero},
                       {columnSizes[1], dOut}, slices);
  Value preTile =
      slice(b, loc, preactivations, {columnOffsets[0], packedOffset},
            {columnSizes[0], packedSize}, slices);
  Value initTile = slice(b, loc, init, {columnOffsets[0], packedOffset},
                         {columnSizes[0], packedSize}, slices);
  Operation *tiled = create(dyTile, w2Tile, preTile, initTile);
  return TilingResult{{tiled}, {tiled->getResult(0)}, slices};
}

SmallVector<utils::IteratorType> DGateMatmulOp::getLoopIteratorTypes() {
  return parallelRowsAndColumns();
}

SmallVector<Range> DGateMatmulOp::getIterationDomain(OpBuilder &b) {
  Location loc = getLoc();
  OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1);
  AffineExpr d0;
  bindDims(b.getContext(), d0);
  return {Range{zero, tensor::getMixedSize(b, loc, getInit(), 0), one},
          Range{zero,
                affine::makeComposedFoldedAffineApply(
                    b, loc, d0.ceilDiv(getBlockSize()),
                    {tensor::getMixedSize(b, loc, getW2(), 0)}),
                one}};
}

FailureOr<TilingResult>
DGateMatmulOp::getTiledImplementation(OpBuilder &b,
                                      ArrayRef<OpFoldResult> offsets,
                                      ArrayRef<OpFoldResult> sizes) {
  SmallVector<OpFoldResult> columnOffsets, columnSizes;
  blockTileToColumns(b, getLoc(), getW2(), getBlockSize(), offsets, sizes,
                     columnOffsets, columnSizes, /*widthDim=*/0);
  return tileBackwardMatmul(
      b, *this, getOutputGrad(), getW2(), getPackedPreactivations(), getInit(),
      columnOffsets, columnSizes, /*scale=*/2,
      [&](Value dy, Value w2, Value ab, Value init) {
        return DGateMatmulOp::create(b, getLoc(), init.getType(),
                                     getActivation(), getBlockSize(), dy, w2,
                                     ab, init)
            .getOperation();
      });
}

LogicalResult DGateMatmulOp::getResultTilePosition(
    OpBuilder &b, unsigned, ArrayRef<OpFoldResult> offsets,
    ArrayRef<OpFoldResult> sizes, SmallVector<OpFoldResult> &resultOffsets,
    SmallVector<OpFoldResult> &resultSizes) {
  SmallVector<OpFoldResult> columnOffsets, columnSizes;
  blockTileToColumns(b, getLoc(), getW2(), getBlockSize(), offsets, sizes,
                     columnOffsets, columnSizes, /*widthDim=*/0);
  AffineExpr d0;
  bindDims(b.getContext(), d0);
  resultOffsets = {columnOffsets[0],
                   affine::makeComposedFoldedAffineApply(b, getLoc(), d0 * 2,
                                                         {columnOffsets[1]})};
  resultSizes = {columnSizes[0], affine::makeComposedFoldedAffineApply(
                                     b, getLoc(), d0 * 2, {columnSizes[1]})};
  return success();
}

FailureOr<TilingResult>
DGateMatmulOp::generateResultTileValue(OpBuilder &b, unsigned,
                                       ArrayRef<OpFoldResult> offsets,
                                       ArrayRef<OpFoldResult> sizes) {
  // A consumer asks for packed columns; only whole packed blocks (2 B
  // columns each) can be computed.
  int64_t packedBlock = 2 * getBlockSize();
  std::optional<int64_t> offset = getConstantIntValue(offsets[1]);
  std::optional<int64_t> size = getConstantIntValue(sizes[1]);
  if (!offset || !size || *offset % packedBlock != 0 ||
      *size % packedBlock != 0)
    return emitOpError("can only produce tiles of whole packed blocks of ")
           << packedBlock << " columns";
  return getTiledImplementation(
      b, {offsets[0], b.getIndexAttr(*offset / packedBlock)},
      {sizes[0], b.getIndexAttr(*size / packedBlock)});
}

SmallVector<utils::IteratorType> DActivationMatmulOp::getLoopIteratorTypes() {
  return parallelRowsAndColumns();
}

SmallVector<Range> DActivationMatmulOp::getIterationDomain(OpBuilder &b) {
  return outputDomain(b, getLoc(), getInit());
}

FailureOr<TilingResult>
DActivationMatmulOp::getTiledImplementation(OpBuilder &b,
                                            ArrayRef<OpFoldResult> offsets,
                                            ArrayRef<OpFoldResult> sizes) {
  return tileBackwardMatmul(
      b, *this, getOutputGrad(), getW2(), getPreactivations(), getInit(),
      offsets, sizes, /*scale=*/1,
      [&](Value dy, Value w2, Value a, Value init) {
        return DActivationMatmulOp::create(b, getLoc(), init.getType(),
                                           getActivation(), dy, w2, a, init)
            .getOperation();
      });
}

LogicalResult DActivationMatmulOp::getResultTilePosition(
    OpBuilder &, unsigned, ArrayRef<OpFoldResult> offsets,
    ArrayRef<OpFoldResult> sizes, SmallVector<OpFoldResult> &resultOffsets,
    SmallVector<OpFoldResult> &resultSizes) {
  return sameTile(offsets, sizes, resultOffsets, resultSizes);
}

FailureOr<TilingResult>
DActivationMatmulOp::generateResultTileValue(OpBuilder &b, unsigned,
                                             ArrayRef<OpFoldResult> offsets,
                                             ArrayRef<OpFoldResult> sizes) {
  return getTiledImplementation(b, offsets, sizes);
}
