//===- PackedWeights.h - Packing gate/linear weight pairs -------*- C++ -*-===//
//
// Host-side packing of the layout `interleaved_column_blocks` (ffn.pack_gated,
// docs/artifact-format.md): an artifact compiled with --pack-arguments takes
// a gate weight W and a linear weight V (both [..., d_ff]) as one
// [..., 2 * d_ff] argument whose last dimension interleaves column blocks of
// `blockSize`:
//
//   W[..., 0:B] | V[..., 0:B] | W[..., B:2B] | V[..., B:2B] | ...
//     | W[..., jB:] | V[..., jB:]
//
// the last block holding the d_ff mod B remaining columns of each (no
// padding). These helpers produce the bytes ffn.pack_gated produces (and
// read them back), whatever the element type:
//
//   const glu::TensorSpec &s = entry.argument(2);
//   if (s.packed) {
//     std::vector<float> wv(s.type.numElements());
//     glu::packGatedColumns(*s.packed, s.type, w.data(), v.data(), wv.data());
//   }
//
// They throw glu::Error on bad sizes; they copy bytes and never look at them.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_RUNTIME_PACKEDWEIGHTS_H
#define GLU_RUNTIME_PACKEDWEIGHTS_H

#include "glu/Runtime.h"

#include <cstddef>
#include <cstdint>

namespace glu {

/// packed[..., :] = the interleaved column blocks of gate and linear
/// (row-major, `rows` = product of the leading dims, `cols` =
/// halfShape.back()): for each row, block j of blockSize columns of gate,
/// then block j of linear, the last block ragged. `gate` and `linear` hold
/// rows * cols elements of `elementBytes` bytes, `packed` 2 * rows * cols;
/// none may overlap another. Throws glu::Error if rows or cols is negative,
/// blockSize is not positive or elementBytes is 0.
void packGatedColumns(const void *gate, const void *linear, void *packed,
                      int64_t rows, int64_t cols, int64_t blockSize,
                      size_t elementBytes);

/// The inverse of packGatedColumns: splits `packed` into `gate` and
/// `linear`.
void unpackGatedColumns(const void *packed, void *gate, void *linear,
                        int64_t rows, int64_t cols, int64_t blockSize,
                        size_t elementBytes);

/// packGatedColumns for an argument of type `packedType` packed as
/// `layout` (TensorSpec::packed): rows, cols and the element size (the
/// dtype's) come from them. `gate` and `linear` hold a tensor of
/// layout.halfShape each, `packed` one of packedType. Throws glu::Error
/// unless layout.halfShape has rank 1 or more, packedType's shape is it
/// with the last dimension doubled (neither overflowing int64) and
/// layout.blockSize is positive, or if the buffers overlap.
void packGatedColumns(const PackedLayout &layout, const TensorType &packedType,
                      const void *gate, const void *linear, void *packed);

/// unpackGatedColumns with the checks of the packGatedColumns above.
void unpackGatedColumns(const PackedLayout &layout,
                        const TensorType &packedType, const void *packed,
                        void *gate, void *linear);

/// The two above, also checking that each byte count is its buffer's size
/// (gateBytes = linearBytes = the bytes of a layout.halfShape tensor of
/// packedType's dtype, packedBytes = packedType.numBytes()).
void packGatedColumns(const PackedLayout &layout, const TensorType &packedType,
                      const void *gate, size_t gateBytes, const void *linear,
                      size_t linearBytes, void *packed, size_t packedBytes);
void unpackGatedColumns(const PackedLayout &layout,
                        const TensorType &packedType, const void *packed,
                        size_t packedBytes, void *gate, size_t gateBytes,
                        void *linear, size_t linearBytes);

} // namespace glu

#endif // GLU_RUNTIME_PACKEDWEIGHTS_H
