//===- ScalarSemantics.cpp - arith and math on raw bits -------------------===//

#include "ScalarSemantics.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/TypeUtilities.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/StringSwitch.h"

#include <cmath>
#include <cstring>
#include <limits>

using namespace mlir;

namespace glu::emulator {
namespace {

uint64_t lowBits(unsigned width) {
  return width >= 64 ? ~uint64_t(0) : (uint64_t(1) << width) - 1;
}

int64_t signExtend(uint64_t bits, unsigned width) {
  if (width >= 64)
    return int64_t(bits);
  uint64_t sign = uint64_t(1) << (width - 1);
  bits &= lowBits(width);
  return int64_t((bits ^ sign) - sign);
}

} // namespace

enum class ElementwiseKind : uint8_t {
  Unknown,
  // float -> float
  AddF,
  SubF,
  MulF,
  DivF,
  RemF,
  MaximumF,
  MinimumF,
  MaxNumF,
  MinNumF,
  NegF,
  AbsF,
  Exp,
  Exp2,
  Expm1,
  Log,
  Log2,
  Log1p,
  Sqrt,
  Rsqrt,
  Tanh,
  Erf,
  Sin,
  Cos,
  Floor,
  Ceil,
  Round,
  PowF,
  CopySign,
  Fma,
  Atan,
  Atan2,
  Cbrt,
  Sigmoid,
  // int -> int
  AddI,
  SubI,
  MulI,
  DivUI,
  DivSI,
  RemUI,
  RemSI,
  FloorDivSI,
  CeilDivSI,
  CeilDivUI,
  MinUI,
  MaxUI,
  MinSI,
  MaxSI,
  AndI,
  OrI,
  XOrI,
  ShLI,
  ShRUI,
  ShRSI,
  AbsI,
  // comparisons and choices
  CmpI,
  CmpF,
  Select,
  // casts
  ExtF,
  TruncF,
  SIToFP,
  UIToFP,
  FPToSI,
  FPToUI,
  ExtSI,
  ExtUI,
  TruncI,
  IndexCast,
  IndexCastUI,
  Bitcast,
};

namespace {
using Kind = ElementwiseKind;

Kind kindByName(StringRef name) {
  return llvm::StringSwitch<Kind>(name)
      .Case("arith.addf", Kind::AddF)
      .Case("arith.subf", Kind::SubF)
      .Case("arith.mulf", Kind::MulF)
      .Case("arith.divf", Kind::DivF)
      .Case("arith.remf", Kind::RemF)
      .Case("arith.maximumf", Kind::MaximumF)
      .Case("arith.minimumf", Kind::MinimumF)
      .Case("arith.maxnumf", Kind::MaxNumF)
      .Case("arith.minnumf", Kind::MinNumF)
      .Case("arith.negf", Kind::NegF)
      .Case("math.absf", Kind::AbsF)
      .Case("math.exp", Kind::Exp)
      .Case("math.exp2", Kind::Exp2)
      .Case("math.expm1", Kind::Expm1)
      .Case("math.log", Kind::Log)
      .Case("math.log2", Kind::Log2)
      .Case("math.log1p", Kind::Log1p)
      .Case("math.sqrt", Kind::Sqrt)
      .Case("math.rsqrt", Kind::Rsqrt)
      .Case("math.tanh", Kind::Tanh)
      .Case("math.erf", Kind::Erf)
      .Case("math.sin", Kind::Sin)
      .Case("math.cos", Kind::Cos)
      .Case("math.floor", Kind::Floor)
      .Case("math.ceil", Kind::Ceil)
      .Case("math.round", Kind::Round)
      .Case("math.powf", Kind::PowF)
      .Case("math.copysign", Kind::CopySign)
      .Case("math.fma", Kind::Fma)
      .Case("math.atan", Kind::Atan)
      .Case("math.atan2", Kind::Atan2)
      .Case("math.cbrt", Kind::Cbrt)
      .Case("arith.addi", Kind::AddI)
      .Case("arith.subi", Kind::SubI)
      .Case("arith.muli", Kind::MulI)
      .Case("arith.divui", Kind::DivUI)
      .Case("arith.divsi", Kind::DivSI)
      .Case("arith.remui", Kind::RemUI)
      .Case("arith.remsi", Kind::RemSI)
      .Case("arith.floordivsi", Kind::FloorDivSI)
      .Case("arith.ceildivsi", Kind::CeilDivSI)
      .Case("arith.ceildivui", Kind::CeilDivUI)
      .Case("arith.minui", Kind::MinUI)
      .Case("arith.maxui", Kind::MaxUI)
      .Case("arith.minsi", Kind::MinSI)
      .Case("arith.maxsi", Kind::MaxSI)
      .Case("arith.andi", Kind::AndI)
      .Case("arith.ori", Kind::OrI)
      .Case("arith.xori", Kind::XOrI)
      .Case("arith.shli", Kind::ShLI)
      .Case("arith.shrui", Kind::ShRUI)
      .Case("arith.shrsi", Kind::ShRSI)
      .Case("math.absi", Kind::AbsI)
      .Case("arith.cmpi", Kind::CmpI)
      .Case("arith.cmpf", Kind::CmpF)
      .Case("arith.select", Kind::Select)
      .Case("arith.extf", Kind::ExtF)
      .Case("arith.truncf", Kind::TruncF)
      .Case("arith.sitofp", Kind::SIToFP)
      .Case("arith.uitofp", Kind::UIToFP)
      .Case("arith.fptosi", Kind::FPToSI)
      .Case("arith.fptoui", Kind::FPToUI)
      .Case("arith.extsi", Kind::ExtSI)
      .Case("arith.extui", Kind::ExtUI)
      .Case("arith.trunci", Kind::TruncI)
      .Case("arith.index_cast", Kind::IndexCast)
      .Case("arith.index_castui", Kind::IndexCastUI)
      .Case("arith.bitcast", Kind::Bitcast)
      .Default(Kind::Unknown);
}

bool compareInts(arith::CmpIPredicate predicate, uint64_t a, uint64_t b,
                 unsigned width) {
  int64_t sa = signExtend(a, width), sb = signExtend(b, width);
  a &= lowBits(width);
  b &= lowBits(width);
  switch (predicate) {
  case arith::CmpIPredicate::eq:
    return a == b;
  case arith::CmpIPredicate::ne:
    return a != b;
  case arith::CmpIPredicate::slt:
    return sa < sb;
  case arith::CmpIPredicate::sle:
    return sa <= sb;
  case arith::CmpIPredicate::sgt:
    return sa > sb;
  case arith::CmpIPredicate::sge:
    return sa >= sb;
  case arith::CmpIPredicate::ult:
    return a < b;
  case arith::CmpIPredicate::ule:
    return a <= b;
  case arith::CmpIPredicate::ugt:
    return a > b;
  case arith::CmpIPredicate::uge:
    return a >= b;
  }
  return false;
}

bool compareFloats(arith::CmpFPredicate predicate, double a, double b) {
  bool unordered = std::isnan(a) || std::isnan(b);
  switch (predicate) {
  case arith::CmpFPredicate::AlwaysFalse:
    return false;
  case arith::CmpFPredicate::AlwaysTrue:
    return true;
  case arith::CmpFPredicate::OEQ:
    return !unordered && a == b;
  case arith::CmpFPredicate::OGT:
    return !unordered && a > b;
  case arith::CmpFPredicate::OGE:
    return !unordered && a >= b;
  case arith::CmpFPredicate::OLT:
    return !unordered && a < b;
  case arith::CmpFPredicate::OLE:
    return !unordered && a <= b;
  case arith::CmpFPredicate::ONE:
    return !unordered && a != b;
  case arith::CmpFPredicate::ORD:
    return !unordered;
  case arith::CmpFPredicate::UEQ:
    return unordered || a == b;
  case arith::CmpFPredicate::UGT:
    return unordered || a > b;
  case arith::CmpFPredicate::UGE:
    return unordered || a >= b;
  case arith::CmpFPredicate::ULT:
    return unordered || a < b;
  case arith::CmpFPredicate::ULE:
    return unordered || a <= b;
  case arith::CmpFPredicate::UNE:
    return unordered || a != b;
  case arith::CmpFPredicate::UNO:
    return unordered;
  }
  return false;
}

/// A float result of a float operation.
std::optional<double> floatResult(Kind kind, ArrayRef<double> x) {
  auto nanAware = [](double a, double b, bool max) {
    if (std::isnan(a) || std::isnan(b))
      return std::numeric_limits<double>::quiet_NaN();
    return max ? std::max(a, b) : std::min(a, b);
  };
  switch (kind) {
  case Kind::AddF:
    return x[0] + x[1];
  case Kind::SubF:
    return x[0] - x[1];
  case Kind::MulF:
    return x[0] * x[1];
  case Kind::DivF:
    return x[0] / x[1];
  case Kind::RemF:
    return std::fmod(x[0], x[1]);
  case Kind::MaximumF:
    return nanAware(x[0], x[1], true);
  case Kind::MinimumF:
    return nanAware(x[0], x[1], false);
  case Kind::MaxNumF:
    return std::fmax(x[0], x[1]);
  case Kind::MinNumF:
    return std::fmin(x[0], x[1]);
  case Kind::NegF:
    return -x[0];
  case Kind::AbsF:
    return std::fabs(x[0]);
  case Kind::Exp:
    return std::exp(x[0]);
  case Kind::Exp2:
    return std::exp2(x[0]);
  case Kind::Expm1:
    return std::expm1(x[0]);
  case Kind::Log:
    return std::log(x[0]);
  case Kind::Log2:
    return std::log2(x[0]);
  case Kind::Log1p:
    return std::log1p(x[0]);
  case Kind::Sqrt:
    return std::sqrt(x[0]);
  case Kind::Rsqrt:
    return 1.0 / std::sqrt(x[0]);
  case Kind::Tanh:
    return std::tanh(x[0]);
  case Kind::Erf:
    return std::erf(x[0]);
  case Kind::Sin:
    return std::sin(x[0]);
  case Kind::Cos:
    return std::cos(x[0]);
  case Kind::Floor:
    return std::floor(x[0]);
  case Kind::Ceil:
    return std::ceil(x[0]);
  case Kind::Round:
    return std::round(x[0]);
  case Kind::PowF:
    return std::pow(x[0], x[1]);
  case Kind::CopySign:
    return std::copysign(x[0], x[1]);
  case Kind::Fma:
    return std::fma(x[0], x[1], x[2]);
  case Kind::Atan:
    return std::atan(x[0]);
  case Kind::Atan2:
    return std::atan2(x[0], x[1]);
  case Kind::Cbrt:
    return std::cbrt(x[0]);
  default:
    return std::nullopt;
  }
}

/// An integer result of an integer operation, before wrapping.
std::optional<uint64_t> intResult(Kind kind, uint64_t a, uint64_t b,
                                  unsigned width) {
  int64_t sa = signExtend(a, width), sb = signExtend(b, width);
  uint64_t ua = a & lowBits(width), ub = b & lowBits(width);
  switch (kind) {
  case Kind::AddI:
    return ua + ub;
  case Kind::SubI:
    return ua - ub;
  case Kind::MulI:
    return ua * ub;
  case Kind::DivUI:
    return ub ? std::optional<uint64_t>(ua / ub) : std::nullopt;
  case Kind::RemUI:
    return ub ? std::optional<uint64_t>(ua % ub) : std::nullopt;
  case Kind::DivSI:
    return sb ? std::optional<uint64_t>(uint64_t(sa / sb)) : std::nullopt;
  case Kind::RemSI:
    return sb ? std::optional<uint64_t>(uint64_t(sa % sb)) : std::nullopt;
  case Kind::FloorDivSI: {
    if (!sb)
      return std::nullopt;
    int64_t q = sa / sb;
    if ((sa % sb != 0) && ((sa < 0) != (sb < 0)))
      --q;
    return uint64_t(q);
  }
  case Kind::CeilDivSI: {
    if (!sb)
      return std::nullopt;
    int64_t q = sa / sb;
    if ((sa % sb != 0) && ((sa < 0) == (sb < 0)))
      ++q;
    return uint64_t(q);
  }
  case Kind::CeilDivUI:
    return ub ? std::optional<uint64_t>((ua + ub - 1) / ub) : std::nullopt;
  case Kind::MinUI:
    return std::min(ua, ub);
  case Kind::MaxUI:
    return std::max(ua, ub);
  case Kind::MinSI:
    return uint64_t(std::min(sa, sb));
  case Kind::MaxSI:
    return uint64_t(std::max(sa, sb));
  case Kind::AndI:
    return ua & ub;
  case Kind::OrI:
    return ua | ub;
  case Kind::XOrI:
    return ua ^ ub;
  case Kind::ShLI:
    return ub < width ? ua << ub : 0;
  case Kind::ShRUI:
    return ub < width ? ua >> ub : 0;
  case Kind::ShRSI:
    return uint64_t(sa >> std::min<uint64_t>(ub, width - 1));
  case Kind::AbsI:
    return uint64_t(sa < 0 ? -sa : sa);
  default:
    return std::nullopt;
  }
}

} // namespace

unsigned bitWidth(Type type) {
  if (type.isIndex())
    return 64;
  return type.getIntOrFloatBitWidth();
}

uint64_t encodeScalar(Type type, double value) {
  if (auto floatType = dyn_cast<FloatType>(type)) {
    if (type.isF64()) {
      uint64_t bits;
      std::memcpy(&bits, &value, sizeof(bits));
      return bits;
    }
    if (type.isF32()) {
      float f = float(value);
      uint32_t bits;
      std::memcpy(&bits, &f, sizeof(bits));
      return bits;
    }
    if (type.isBF16() && std::isnormal(value) && std::fabs(value) >= 0x1p-126 &&
        std::fabs(value) < 0x1p127) {
      // Round the 52-bit mantissa to 7 bits, to nearest, ties to even.
      uint64_t bits;
      std::memcpy(&bits, &value, sizeof(bits));
      uint64_t mantissa = bits & ((uint64_t(1) << 52) - 1);
      int64_t exponent = int64_t((bits >> 52) & 0x7ff) - 1023 + 127;
      uint64_t kept = mantissa >> 45,
               rest = mantissa & ((uint64_t(1) << 45) - 1);
      uint64_t half = uint64_t(1) << 44;
      if (rest > half || (rest == half && (kept & 1))) {
        if (++kept == 128) {
          kept = 0;
          ++exponent;
        }
      }
      if (exponent < 255)
        return ((bits >> 63) << 15) | (uint64_t(exponent) << 7) | kept;
    }
    llvm::APFloat converted(value);
    bool losesInfo = false;
    converted.convert(floatType.getFloatSemantics(),
                      llvm::APFloat::rmNearestTiesToEven, &losesInfo);
    return converted.bitcastToAPInt().getZExtValue();
  }
  return uint64_t(int64_t(value)) & lowBits(bitWidth(type));
}

double decodeScalar(Type type, uint64_t bits) {
  if (auto floatType = dyn_cast<FloatType>(type)) {
    if (type.isF64()) {
      double d;
      std::memcpy(&d, &bits, sizeof(d));
      return d;
    }
    if (type.isF32() || type.isBF16()) {
      uint32_t word = type.isF32() ? uint32_t(bits) : uint32_t(bits) << 16;
      float f;
      std::memcpy(&f, &word, sizeof(f));
      return f;
    }
    llvm::APFloat value(floatType.getFloatSemantics(),
                        llvm::APInt(floatType.getWidth(), bits));
    bool losesInfo = false;
    value.convert(llvm::APFloat::IEEEdouble(),
                  llvm::APFloat::rmNearestTiesToEven, &losesInfo);
    return value.convertToDouble();
  }
  return double(signExtend(bits, bitWidth(type)));
}

std::optional<ElementwiseOp> ElementwiseOp::get(Operation *op) {
  Kind kind = kindByName(op->getName().getStringRef());
  if (kind == Kind::Unknown || op->getNumResults() != 1)
    return std::nullopt;
  ElementwiseOp e;
  e.kind = kind;
  e.resultType = getElementTypeOrSelf(op->getResult(0).getType());
  // The operand that decides how operands are read (select's first
  // operand is its condition).
  e.operandType = getElementTypeOrSelf(
      op->getOperand(kind == Kind::Select ? 1 : 0).getType());
  e.operandWidth = bitWidth(e.operandType);
  e.resultWidth = bitWidth(e.resultType);
  if (auto cmpi = dyn_cast<arith::CmpIOp>(op))
    e.predicate = uint64_t(cmpi.getPredicate());
  if (auto cmpf = dyn_cast<arith::CmpFOp>(op))
    e.predicate = uint64_t(cmpf.getPredicate());
  return e;
}

std::optional<uint64_t>
ElementwiseOp::operator()(ArrayRef<uint64_t> operands) const {
  switch (kind) {
  case Kind::Select:
    return (operands[0] & 1) ? operands[1] : operands[2];
  case Kind::CmpI:
    return uint64_t(compareInts(arith::CmpIPredicate(predicate), operands[0],
                                operands[1], operandWidth));
  case Kind::CmpF:
    return uint64_t(compareFloats(arith::CmpFPredicate(predicate),
                                  decodeScalar(operandType, operands[0]),
                                  decodeScalar(operandType, operands[1])));
  case Kind::ExtF:
  case Kind::TruncF:
  case Kind::SIToFP:
    return encodeScalar(resultType, decodeScalar(operandType, operands[0]));
  case Kind::UIToFP:
    return encodeScalar(resultType,
                        double(operands[0] & lowBits(operandWidth)));
  case Kind::FPToSI:
  case Kind::FPToUI:
    return uint64_t(int64_t(decodeScalar(operandType, operands[0]))) &
           lowBits(resultWidth);
  case Kind::ExtSI:
  case Kind::IndexCast:
    return uint64_t(signExtend(operands[0], operandWidth)) &
           lowBits(resultWidth);
  case Kind::ExtUI:
  case Kind::TruncI:
  case Kind::IndexCastUI:
  case Kind::Bitcast:
    return operands[0] & lowBits(std::min(operandWidth, resultWidth));
  default:
    break;
  }

  if (isa<FloatType>(resultType)) {
    double values[3] = {0, 0, 0};
    for (auto [i, bits] : llvm::enumerate(operands.take_front(3)))
      values[i] = decodeScalar(operandType, bits);
    std::optional<double> result =
        floatResult(kind, ArrayRef<double>(values, operands.size()));
    if (!result)
      return std::nullopt;
    return encodeScalar(resultType, *result);
  }
  std::optional<uint64_t> result = intResult(
      kind, operands[0], operands.size() > 1 ? operands[1] : 0, operandWidth);
  if (!result)
    return std::nullopt;
  return *result & lowBits(resultWidth);
}

} // namespace glu::emulator
