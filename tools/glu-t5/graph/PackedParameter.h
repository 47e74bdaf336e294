//===- PackedParameter.h - updates of packed [W | V] parameters -*- C++ -*-===//
//
// A train step emitted with --pack-arguments keeps each gated layer's gate
// and linear weights, and their optimizer state, packed as ffn.pack_gated
// packs them: the last axis interleaves column blocks of W and V (the last
// block ragged). Elementwise updates do not care; what an optimizer reads
// of "the whole weight" (Adafactor's RMS, its factored means) must tell the
// two weights apart. PackedParameter does, with a constant mask of the
// columns that are the linear weight's, and is the identity view of a
// parameter that is not packed:
//
//   PackedParameter view(g, packed);            // std::nullopt: one weight
//   PerWeight rms = view.sumAllBut(g.mul(p, p), {});   // one sum a weight
//   Value q = view.map(shape, {p}, {{rms, {}}}, body); // reads each
//                                                      // column's own
//
//===----------------------------------------------------------------------===//

#ifndef GLU_TOOLS_T5_PACKEDPARAMETER_H
#define GLU_TOOLS_T5_PACKEDPARAMETER_H

#include "GraphBuilder.h"

#include <optional>
#include <vector>

namespace glu::t5 {

/// ffn.pack_gated's layout of a packed parameter's last axis.
struct PackedColumns {
  int64_t blockSize = 0;
  int64_t columnsPerWeight = 0; // d_ff: the last size of W and of V
};

/// A value for each weight a parameter holds: `linear` is null when the
/// parameter is one weight.
struct PerWeight {
  Value gate, linear;
};

/// An operand of PackedParameter::map read from the weight each element
/// belongs to, at the result dimensions `dims` (as MapOperand's).
struct PerWeightOperand {
  PerWeight value;
  llvm::SmallVector<unsigned> dims;
};

class PackedParameter {
public:
  PackedParameter(GraphBuilder &g, std::optional<PackedColumns> packed)
      : g(g), packed(packed) {}

  bool isPacked() const { return packed.has_value(); }
  /// The last size of each weight: d_ff when packed, else `lastSize`.
  int64_t columnsPerWeight(int64_t lastSize) const {
    return packed ? packed->columnsPerWeight : lastSize;
  }

  /// 1 for each packed column that is the linear weight's, 0 for the
  /// gate's (ragged last block included).
  static std::vector<int32_t> linearColumns(const PackedColumns &packed);

  /// Sums of `x` over every dimension but `keep` (GraphBuilder::sumAllBut),
  /// one a weight; `x`'s last axis is the packed one and is not kept.
  PerWeight sumAllBut(Value x, llvm::ArrayRef<unsigned> keep);
  /// `fn` applied to each weight's value.
  PerWeight each(const PerWeight &x, const std::function<Value(Value)> &fn);
  /// GraphBuilder::map over `shape` (last axis packed): the body gets the
  /// elements of `plain`, then of each of `perWeight` read from the weight
  /// the result element belongs to. With `into`, written into it and its
  /// element given last (GraphBuilder::mapInto).
  Value map(llvm::ArrayRef<int64_t> shape, llvm::ArrayRef<MapOperand> plain,
            llvm::ArrayRef<PerWeightOperand> perWeight, const MapBody &body,
            Value into = {});

private:
  /// linearColumns as a constant i32 tensor, made once; the updates read
  /// it like any operand (a vectorizable map, not index arithmetic).
  Value linearMask();

  GraphBuilder &g;
  std::optional<PackedColumns> packed;
  Value mask;
};

} // namespace glu::t5

#endif // GLU_TOOLS_T5_PACKEDPARAMETER_H
