//===- GpuMmaGemmKernel.cpp - tensor-core GEMM kernels (mma.sync) ---------===//
//
// The GEMM kernel for 16-bit operands (bf16, f16) with f32 accumulators on
// sm_80 and later, for every epilogue of GemmDescription; with glu-gpu-gemm's
// tf32 option also for f32 operands read as tf32 (mma.sync m16n8k8: 4
// elements a 16-byte chunk, K steps of 16, fragments as loadTf32Fragments
// says). Its tiles come
// from GpuGemmTiling.h (one CTA of tiling.threads() threads per
// tileM x tileN output tile; each warp a warpTileM x warpTileN block of it).
//
//   - Shared memory: `stages` copies of the A tile and the B tile (gated: a
//     gate and a linear tile of the packed weight), each kept in its stored
//     layout (rows of the stored matrix, the contiguous dimension along a
//     row) with its 16-byte chunks swizzled (SharedTileSwizzle.h).
//   - Global -> shared: each thread copies whole 16-byte chunks with
//     nvgpu.device_async_copy (cp.async.cg), zero-filling what lies beyond
//     the matrix (srcElements). The operands' rows are contiguous
//     (glu-gpu-gemm reads them with a unit inner stride); one whose chunks
//     are not 16-byte aligned (its first element not 16-byte aligned, a row
//     stride not a multiple of 8 elements, a packed weight whose blocks or
//     d_ff are not multiples of 8) is copied element by element through
//     registers instead; the test is uniform, made once per operand.
//   - Pipeline: the first stages - 1 K tiles are issued before the loop; K
//     tile t waits for its group (at most stages - 2 groups pending), a
//     gpu.barrier, the copy of tile t + stages - 1 into the stage that tile
//     t - 1 used, then the compute of tile t.
//   - Compute: per k16 step, nvgpu.ldmatrix (x4; .trans where the stored
//     layout has k as rows) loads each A fragment and each pair of B
//     fragments at the lane's row address (MmaFragments.h), then one
//     nvvm.mma.sync m16n8k16 per (m16, n8) block of the warp's tile.
//   - wgmma (sm_90a, MmaTiling::instruction): the same tiles and K loop;
//     the stages in dynamic shared memory, each tile in panels of 32-, 64-
//     or 128-byte rows with the swizzle of that size (sharedIndices: the
//     same XOR, which for such rows is the hardware's); aligned operands
//     loaded by TMA (issueTma: thread 0, one swizzled box a panel, one
//     mbarrier a stage that every thread waits on), unaligned ones
//     element-copied to the same places and fenced for the async proxy
//     before the barrier; each warpgroup issues per k16 step one m64nNk16
//     wgmma per B tile on swizzled matrix descriptors of its A rows and B
//     columns, and waits for them at the end of the K tile. Its
//     accumulators are laid out like mma.sync's, so the epilogue below is
//     shared.
//   - Epilogue: accumulator i of a block sits at mmaCElement(i) of the lane;
//     each in-bounds output runs emitGpuGemmEpilogue (GpuGemmEpilogue.h) on
//     its registers before the only store. Gated: the lane holds the gate
//     and linear accumulators of the same h column in the same register, so
//     gate(a) * b never leaves the registers.
//
//===----------------------------------------------------------------------===//

#include "passes/codegen/gpu/GpuGemmKernel.h"

#include "passes/codegen/gpu/GpuGemmEpilogue.h"
#include "passes/codegen/gpu/GpuKernelSupport.h"
#include "passes/codegen/gpu/MmaFragments.h"
#include "passes/codegen/gpu/SharedTileSwizzle.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include "llvm/Support/MathExtras.h"

#include <cassert>

using namespace mlir;
using namespace mlir::ffn;

namespace {

/// The M and K of one wgmma with 16-bit operands.
constexpr int64_t kWgmmaM = 64, kWgmmaK = 16;

/// The suspend-time hint of mbarrier.try_wait (nanoseconds), after which
/// the lowering's loop tries again.
constexpr int64_t kMBarrierWaitTicks = 10000000;

/// The alignment of the wgmma kernels' shared tiles: the 8 rows of 128
/// bytes after which the widest swizzle repeats.
constexpr int64_t kSwizzleRepeatBytes = 1024;

/// The wgmma descriptor's swizzle mode of rows of `rowBytes`.
int64_t wgmmaSwizzleMode(int64_t rowBytes) {
  switch (rowBytes) {
  case 128:
    return 1;
  case 64:
    return 2;
  case 32:
    return 3;
  }
  llvm_unreachable("isValidMmaTiling: swizzled rows are 32, 64 or 128 bytes");
}

/// The TMA swizzle of rows of `rowBytes`.
nvgpu::TensorMapSwizzleKind tmaSwizzle(int64_t rowBytes) {
  switch (rowBytes) {
  case 128:
    return nvgpu::TensorMapSwizzleKind::SWIZZLE_128B;
  case 64:
    return nvgpu::TensorMapSwizzleKind::SWIZZLE_64B;
  case 32:
    return nvgpu::TensorMapSwizzleKind::SWIZZLE_32B;
  }
  llvm_unreachable("isValidMmaTiling: swizzled rows are 32, 64 or 128 bytes");
}

/// Which columns of the stored matrix a tile's inner index reads.
enum class PackedHalf { None, Gate, Linear };

/// One operand tile: what it copies from and where it keeps it.
struct TileOperand {
  /// The stored matrix, and its `stages` shared tiles
  /// (memref<stages x rows x cols>).
  Value global, shared;
  /// The stored tile's extents: rows (the stored outer index) x cols.
  int64_t rows = 0, cols = 0;
  /// Whether the stored rows are k (else they are m or n, and k runs along
  /// the row).
  bool kRows = false;
  /// The CTA's first m (or n) and the extent M (or N).
  Value base, limit;
  /// Gated B: the h columns map to the packed gate or linear columns.
  PackedHalf packed = PackedHalf::None;
  /// i1: whether 16-byte chunks of `global` may be copied with cp.async.
  Value aligned;
  /// Elements in one 16-byte chunk.
  int64_t chunk = kMmaChunkElements;
  /// wgmma: the elements of one swizzled row (MmaTiling::wgmmaRowElements);
  /// the tile's columns are panels of that many.
  int64_t panel = 0;
  /// wgmma: the TMA tensor map of `global` (boxes of rows x panel).
  Value tensorMap;

  int64_t chunksPerRow() const { return cols / chunk; }
  int64_t panels() const { return cols / panel; }
  /// wgmma: the bytes of a swizzled row (its swizzle: 32, 64 or 128 bytes).
  int64_t rowBytes() const { return panel * 16 / chunk; }
  /// ldmatrix reads k-contiguous tiles without .trans.
  bool kContiguous() const { return !kRows; }
};

/// Emits the kernel of one GEMM; see the file comment.
class MmaKernelEmitter {
public:
  MmaKernelEmitter(OpBuilder &b, Location loc, const GemmDescription &gemm,
                   const GpuGemmBuffers &buffers, const MmaTiling &tiling)
      : b(b), loc(loc), gemm(gemm), buffers(buffers), tiling(tiling),
        gated(gemm.epilogue == GemmEpilogue::Gate),
        element(cast<MemRefType>(buffers.lhs.getType()).getElementType()) {}

  void emit() {
    if (tiling.isWgmma()) {
      tensorMapA =
          createTensorMap(buffers.lhs, aTileShape().first, aRowElements());
      tensorMapB =
          createTensorMap(buffers.rhs, bTileShape().first, bRowElements());
    }
    gpu::LaunchOp launch = createLaunch();
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&launch.getBody().front());
    IndexMath im{b, loc};
    tid = launch.getThreadIds().x;
    lane = im.rem(tid, im.c(ffn::kWarpSize));
    Value warp = im.div(tid, im.c(ffn::kWarpSize));
    if (tiling.isWgmma()) {
      // Warpgroup g = warp / 4 owns 64 rows and warpTileN columns; its warp
      // w = warp % 4 the accumulator rows 16 w .. 16 w + 15 of them.
      Value group = im.div(warp, im.c(4));
      warpgroupRow = im.mul(im.div(group, im.c(tiling.warpsN)), im.c(kWgmmaM));
      warpRow = im.add(warpgroupRow, im.mul(im.rem(warp, im.c(4)), im.c(16)));
      warpCol =
          im.mul(im.rem(group, im.c(tiling.warpsN)), im.c(tiling.warpTileN()));
    } else {
      warpRow =
          im.mul(im.div(warp, im.c(tiling.warpsN)), im.c(tiling.warpTileM()));
      warpCol =
          im.mul(im.rem(warp, im.c(tiling.warpsN)), im.c(tiling.warpTileN()));
    }
    rowBase = im.mul(launch.getBlockIds().y, im.c(tiling.tileM));
    colBase = im.mul(launch.getBlockIds().x, im.c(tiling.tileN));
    SmallVector<Value> shared(launch.getWorkgroupAttributions());
    if (tiling.isWgmma()) {
      shared = sharedTileViews();
      createBarriers();
    }
    makeOperands(shared);
    SmallVector<Value> sums = tiling.isWgmma() ? emitWgmmaKLoop() : emitKLoop();
    emitOutputs(sums);
    gpu::TerminatorOp::create(b, loc);
  }

private:
  OpBuilder &b;
  Location loc;
  const GemmDescription &gemm;
  const GpuGemmBuffers &buffers;
  const MmaTiling &tiling;
  /// Only the gated GEMM reads two B tiles (gate and linear) per output.
  bool gated;
  /// The operands' element type (bf16 or f16; f32 read as tf32).
  Type element;
  Value tid, lane, warpRow, warpCol, rowBase, colBase;
  /// wgmma: the first row of the thread's warpgroup in the CTA tile.
  Value warpgroupRow;
  /// wgmma: the operands' tensor maps (host values) and the stages'
  /// mbarriers.
  Value tensorMapA, tensorMapB, barriers;
  TileOperand a, bGate, bLinear;

  //===--------------------------------------------------------------------===//
  // Launch and operands
  //===--------------------------------------------------------------------===//

  /// The stored extents of A's and B's tiles.
  std::pair<int64_t, int64_t> aTileShape() const {
    return gemm.lhs.transposed ? std::pair{tiling.tileK, tiling.tileM}
                               : std::pair{tiling.tileM, tiling.tileK};
  }
  std::pair<int64_t, int64_t> bTileShape() const {
    return gemm.rhs.transposed ? std::pair{tiling.tileN, tiling.tileK}
                               : std::pair{tiling.tileK, tiling.tileN};
  }

  /// wgmma: the elements of a swizzled row of A's and B's tiles: K for the
  /// K-major ones (x, W^T), else what one wgmma reads of M (64) or N
  /// (warpTileN), so that every wgmma starts at a panel.
  int64_t aRowElements() const {
    return tiling.wgmmaRowElements(gemm.lhs.transposed ? kWgmmaM
                                                       : tiling.tileK);
  }
  int64_t bRowElements() const {
    return tiling.wgmmaRowElements(gemm.rhs.transposed ? tiling.tileK
                                                       : tiling.warpTileN());
  }

  /// The launch: grid over output tiles, tiling.threads() threads, the
  /// operand tiles of every stage in workgroup memory.
  gpu::LaunchOp createLaunch() {
    IndexMath host{b, loc};
    Value one = host.c(1);
    Value gridX = host.max(host.ceilDiv(buffers.n, tiling.tileN), one);
    Value gridY = host.max(host.ceilDiv(buffers.m, tiling.tileM), one);
    // wgmma keeps its tiles in dynamic shared memory: with the mbarriers
    // the stages need more than static shared memory may hold.
    SmallVector<Type> attributions;
    Value dynamicBytes;
    if (tiling.isWgmma())
      dynamicBytes = arith::IndexCastOp::create(b, loc, b.getI32Type(),
                                                host.c(tileBytes()));
    else
      llvm::append_range(attributions, tileTypes());
    return gpu::LaunchOp::create(
        b, loc, gridX, gridY, one, host.c(tiling.threads()), one, one,
        dynamicBytes, /*asyncTokenType=*/nullptr,
        /*asyncDependencies=*/ValueRange{}, attributions);
  }

  void makeOperands(ArrayRef<Value> shared) {
    auto [aRows, aCols] = aTileShape();
    a = {buffers.lhs, shared[0],           aRows,
         aCols,       gemm.lhs.transposed, rowBase,
         buffers.m,   PackedHalf::None,    Value()};
    a.chunk = tiling.chunkElements();
    a.panel = aRowElements();
    a.aligned = chunkAligned(a);
    auto [bRows, bCols] = bTileShape();
    bGate = {buffers.rhs,
             shared[1],
             bRows,
             bCols,
             !gemm.rhs.transposed,
             colBase,
             buffers.n,
             gated ? PackedHalf::Gate : PackedHalf::None,
             Value()};
    bGate.chunk = tiling.chunkElements();
    bGate.panel = bRowElements();
    bGate.aligned = chunkAligned(bGate);
    if (gated) {
      bLinear = bGate;
      bLinear.shared = shared[2];
      bLinear.packed = PackedHalf::Linear;
    }
    a.tensorMap = tensorMapA;
    bGate.tensorMap = bLinear.tensorMap = tensorMapB;
  }

  //===--------------------------------------------------------------------===//
  // wgmma: TMA, mbarriers, dynamic shared memory
  //===--------------------------------------------------------------------===//

  /// The type of a shared tile of stored `shape`: for wgmma stages x
  /// panels x rows x `rowElements` (sharedIndices), else stages x rows x
  /// cols.
  MemRefType tileType(std::pair<int64_t, int64_t> shape,
                      int64_t rowElements) const {
    Attribute workgroup = gpu::AddressSpaceAttr::get(
        b.getContext(), gpu::AddressSpace::Workgroup);
    SmallVector<int64_t> sizes =
        tiling.isWgmma()
            ? SmallVector<int64_t>{tiling.stages, shape.second / rowElements,
                                   shape.first, rowElements}
            : SmallVector<int64_t>{tiling.stages, shape.first, shape.second};
    return MemRefType::get(sizes, element, MemRefLayoutAttrInterface(),
                           workgroup);
  }

  /// The shape of the shared tiles, in order: A, B (gate), the linear B.
  SmallVector<MemRefType> tileTypes() const {
    SmallVector<MemRefType> types = {tileType(aTileShape(), aRowElements()),
                                     tileType(bTileShape(), bRowElements())};
    if (gated)
      types.push_back(types.back());
    return types;
  }

  /// The byte offset of each shared tile in the dynamic shared memory
  /// (wgmma), and their end: each at a multiple of 1024 bytes, where every
  /// swizzle's pattern starts (its 8 rows of at most 128 bytes), as TMA
  /// and wgmma compute it from the address.
  SmallVector<int64_t> tileOffsets() const {
    SmallVector<int64_t> offsets = {0};
    for (MemRefType type : tileTypes())
      offsets.push_back(llvm::alignTo(offsets.back() + type.getNumElements() *
                                                           tiling.elementBytes,
                                      kSwizzleRepeatBytes));
    return offsets;
  }

  /// Bytes of all stages of every tile (wgmma: the dynamic shared memory).
  int64_t tileBytes() const { return tileOffsets().back(); }

  /// A tensor map of `buffer` (on the host) whose box is `rows` stored rows
  /// of `rowElements` (one panel of a stage, one TMA load), swizzled as
  /// sharedIndices stores it.
  Value createTensorMap(Value buffer, int64_t rows, int64_t rowElements) {
    IndexMath host{b, loc};
    MLIRContext *ctx = b.getContext();
    auto unranked = UnrankedMemRefType::get(element, Attribute());
    Value memref = memref::CastOp::create(b, loc, unranked, buffer);
    Attribute workgroup =
        gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
    auto box = MemRefType::get({rows, rowElements}, element,
                               MemRefLayoutAttrInterface(), workgroup);
    auto type = nvgpu::TensorMapDescriptorType::get(
        ctx, box, tmaSwizzle(rowElements * tiling.elementBytes),
        nvgpu::TensorMapL2PromoKind::L2PROMO_NONE,
        nvgpu::TensorMapOOBKind::OOB_ZERO,
        nvgpu::TensorMapInterleaveKind::INTERLEAVE_NONE);
    return nvgpu::TmaCreateDescriptorOp::create(
        b, loc, type, memref, ValueRange{host.c(rows), host.c(rowElements)});
  }

  /// The shared tiles as views of the dynamic shared memory, one after
  /// the other at tileOffsets.
  SmallVector<Value> sharedTileViews() {
    IndexMath im{b, loc};
    Attribute workgroup = gpu::AddressSpaceAttr::get(
        b.getContext(), gpu::AddressSpace::Workgroup);
    auto bytesType = MemRefType::get({ShapedType::kDynamic}, b.getI8Type(),
                                     MemRefLayoutAttrInterface(), workgroup);
    Value dynamic = gpu::DynamicSharedMemoryOp::create(b, loc, bytesType);
    SmallVector<Value> views;
    SmallVector<int64_t> offsets = tileOffsets();
    for (auto [type, offset] : llvm::zip(tileTypes(), offsets))
      views.push_back(memref::ViewOp::create(b, loc, type, dynamic,
                                             im.c(offset), ValueRange{}));
    return views;
  }

  /// One mbarrier a stage, initialized by thread 0 to one arrival (its
  /// arrive.expect_tx) and made visible to the TMA unit and the block.
  void createBarriers() {
    IndexMath im{b, loc};
    MLIRContext *ctx = b.getContext();
    Attribute workgroup =
        gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
    auto type = nvgpu::MBarrierGroupType::get(ctx, workgroup, tiling.stages);
    barriers = nvgpu::MBarrierCreateOp::create(b, loc, type);
    Value first =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, tid, im.c(0));
    for (int64_t s = 0; s < tiling.stages; ++s)
      nvgpu::MBarrierInitOp::create(b, loc, barriers, im.c(1), im.c(s), first);
    NVVM::FenceMbarrierInitOp::create(b, loc);
    gpu::BarrierOp::create(b, loc);
  }

  /// Thread 0 loads K tile `kTile` (if there is one) of every aligned
  /// operand into `stageIndex` by TMA, one box a panel, after announcing
  /// their bytes on the stage's mbarrier.
  void issueTma(Value stageIndex, Value kTile) {
    IndexMath im{b, loc};
    Value issue = im.both(
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, tid, im.c(0)),
        im.lt(kTile, im.ceilDiv(buffers.k, tiling.tileK)));
    auto ifOp = scf::IfOp::create(b, loc, issue, /*withElseRegion=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(ifOp.thenBlock());
    SmallVector<const TileOperand *> operands = {&a, &bGate};
    if (gated)
      operands.push_back(&bLinear);
    Value bytes = im.c(0);
    for (const TileOperand *operand : operands) {
      Value tile = im.c(operand->rows * operand->cols * tiling.elementBytes);
      bytes = im.add(bytes, arith::SelectOp::create(b, loc, operand->aligned,
                                                    tile, im.c(0)));
    }
    nvgpu::MBarrierArriveExpectTxOp::create(b, loc, barriers, bytes, stageIndex,
                                            Value());
    Value k0 = im.mul(kTile, im.c(tiling.tileK));
    for (const TileOperand *operand : operands) {
      auto load = scf::IfOp::create(b, loc, operand->aligned,
                                    /*withElseRegion=*/false);
      OpBuilder::InsertionGuard inner(b);
      b.setInsertionPointToStart(load.thenBlock());
      for (int64_t p = 0; p < operand->panels(); ++p) {
        // Coordinates innermost first: the stored column, then the row.
        Value coords[2];
        if (operand->kRows) {
          coords[0] = storedColumn(
              im, *operand, im.add(operand->base, im.c(p * operand->panel)));
          coords[1] = k0;
        } else {
          coords[0] = im.add(k0, im.c(p * operand->panel));
          coords[1] = operand->base;
        }
        Value panel = panelView(*operand, stageIndex, p);
        nvgpu::TmaAsyncLoadOp::create(b, loc, panel, barriers,
                                      operand->tensorMap, ValueRange(coords),
                                      stageIndex, Value(), Value());
      }
    }
  }

  /// Panel `p` (rows x panel) of stage `stageIndex` of `operand`'s tiles.
  Value panelView(const TileOperand &operand, Value stageIndex, int64_t p) {
    auto sourceType = cast<MemRefType>(operand.shared.getType());
    SmallVector<OpFoldResult> offsets = {stageIndex, b.getIndexAttr(p),
                                         b.getIndexAttr(0), b.getIndexAttr(0)};
    SmallVector<OpFoldResult> sizes = {b.getIndexAttr(1), b.getIndexAttr(1),
                                       b.getIndexAttr(operand.rows),
                                       b.getIndexAttr(operand.panel)};
    SmallVector<OpFoldResult> strides(4, b.getIndexAttr(1));
    auto type = memref::SubViewOp::inferRankReducedResultType(
        {operand.rows, operand.panel}, sourceType, offsets, sizes, strides);
    return memref::SubViewOp::create(b, loc, cast<MemRefType>(type),
                                     operand.shared, offsets, sizes, strides);
  }

  /// Whether every 16-byte chunk a tile copies starts 16-byte aligned in
  /// `operand.global` (whose rows are contiguous: glu-gpu-gemm reads them
  /// so): its first element and its row stride, and for a packed weight
  /// its blocks and the ragged last block's linear columns, at multiples
  /// of 8 elements. wgmma's TMA boxes hold whole panels: a packed weight's
  /// blocks must be multiples of a panel too.
  Value chunkAligned(const TileOperand &operand) {
    IndexMath im{b, loc};
    auto multipleOf = [&](Value v, int64_t m) {
      return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                   im.rem(v, im.c(m)), im.c(0));
    };
    int64_t chunk = operand.chunk;
    int64_t contiguous = tiling.isWgmma() ? operand.panel : chunk;
    if (operand.packed != PackedHalf::None && gemm.blockSize % contiguous != 0)
      return arith::ConstantIntOp::create(b, loc, b.getI1Type(), false);
    auto metadata =
        memref::ExtractStridedMetadataOp::create(b, loc, operand.global);
    Value pointer =
        memref::ExtractAlignedPointerAsIndexOp::create(b, loc, operand.global);
    int64_t elementBytes = element.getIntOrFloatBitWidth() / 8;
    Value first =
        im.add(pointer, im.mul(metadata.getOffset(), im.c(elementBytes)));
    Value ok = im.both(multipleOf(first, chunk * elementBytes),
                       multipleOf(metadata.getStrides()[0], chunk));
    // The ragged last block's linear columns start at its width past its
    // gate columns.
    if (operand.packed != PackedHalf::None)
      ok = im.both(ok, multipleOf(buffers.n, chunk));
    return ok;
  }

  //===--------------------------------------------------------------------===//
  // Shared tile layouts
  //===--------------------------------------------------------------------===//

  /// Where element (`row`, `col`) of `operand`'s stored tile sits in stage
  /// `stageIndex` of its shared tiles:
  ///   - mma.sync (memref<stages x rows x cols>): in row `row`, its 16-byte
  ///     chunk swizzled (SharedTileSwizzle.h), for conflict-free ldmatrix;
  ///   - wgmma (memref<stages x cols / panel x rows x panel>): the columns
  ///     in panels of `panel` elements (32, 64 or 128 bytes), each panel's
  ///     rows one after the other, chunks swizzled the same way, which for
  ///     rows of those sizes is the 32-, 64- or 128-byte swizzle of TMA
  ///     and wgmma (chunk XOR bits 7 and up of the address, the tile
  ///     1024-byte aligned); a panel is what one TMA box writes.
  /// The 8 elements of a chunk stay contiguous either way.
  SmallVector<Value> sharedIndices(const TileOperand &operand, Value stageIndex,
                                   Value row, Value col) {
    IndexMath im{b, loc};
    Value inChunk = im.rem(col, im.c(operand.chunk));
    if (!tiling.isWgmma()) {
      Value chunk = im.div(col, im.c(operand.chunk));
      Value swizzled =
          emitSwizzledChunk(b, loc, row, chunk, operand.chunksPerRow());
      return {stageIndex, row,
              im.add(im.mul(swizzled, im.c(operand.chunk)), inChunk)};
    }
    Value panel = im.div(col, im.c(operand.panel));
    Value chunk = im.div(im.rem(col, im.c(operand.panel)), im.c(operand.chunk));
    Value swizzled =
        emitSwizzledChunk(b, loc, row, chunk, operand.panel / operand.chunk);
    return {stageIndex, panel, row,
            im.add(im.mul(swizzled, im.c(operand.chunk)), inChunk)};
  }

  //===--------------------------------------------------------------------===//
  // Global -> shared
  //===--------------------------------------------------------------------===//

  /// The stored column of inner index `inner` (an m, n or h column) of
  /// `operand`.
  Value storedColumn(IndexMath &im, const TileOperand &operand, Value inner) {
    if (operand.packed == PackedHalf::None)
      return inner;
    auto [gateCol, linearCol] =
        packedColumns(im, inner, buffers.n, gemm.blockSize);
    return operand.packed == PackedHalf::Gate ? gateCol : linearCol;
  }

  /// Issues the copies of K tile `kTile` of `operand` into stage `stage`.
  void stage(const TileOperand &operand, Value stage, Value kTile) {
    IndexMath im{b, loc};
    int64_t chunks = operand.rows * operand.chunksPerRow();
    assert(chunks % tiling.threads() == 0 && "isValidMmaTiling");
    Value k0 = im.mul(kTile, im.c(tiling.tileK));
    for (int64_t l = 0; l < chunks / tiling.threads(); ++l) {
      // Consecutive threads copy consecutive chunks of shared memory: 8 of
      // them fill 128 bytes (a swizzled row or two), every bank once. With
      // wgmma that is a panel's rows in turn, then the next panel.
      Value e = im.add(tid, im.c(tiling.threads() * l));
      Value row, chunk;
      if (tiling.isWgmma()) {
        int64_t panelChunks = operand.panel / operand.chunk;
        Value rest = im.div(e, im.c(panelChunks));
        row = im.rem(rest, im.c(operand.rows));
        chunk =
            im.add(im.mul(im.div(rest, im.c(operand.rows)), im.c(panelChunks)),
                   im.rem(e, im.c(panelChunks)));
      } else {
        row = im.div(e, im.c(operand.chunksPerRow()));
        chunk = im.rem(e, im.c(operand.chunksPerRow()));
      }
      Value col = im.mul(chunk, im.c(operand.chunk));
      // The stored tile's row is k (or m, n); its columns run along the
      // other index, whose first element this chunk copies is `inner`.
      Value outer, outerLimit, inner, innerLimit;
      if (operand.kRows) {
        outer = im.add(k0, row);
        outerLimit = buffers.k;
        inner = im.add(operand.base, col);
        innerLimit = operand.limit;
      } else {
        outer = im.add(operand.base, row);
        outerLimit = operand.limit;
        inner = im.add(k0, col);
        innerLimit = buffers.k;
      }
      SmallVector<Value> dst = sharedIndices(operand, stage, row, col);
      // wgmma: TMA loads the aligned operands (issueTma).
      auto ifOp = scf::IfOp::create(b, loc, operand.aligned,
                                    /*withElseRegion=*/true);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(ifOp.thenBlock());
      if (!tiling.isWgmma())
        copyChunk(operand, dst, outer, outerLimit, inner, innerLimit);
      b.setInsertionPointToStart(ifOp.elseBlock());
      copyElements(operand, dst, outer, outerLimit, inner, innerLimit);
    }
  }

  /// One cp.async of a chunk: min(chunk, innerLimit - inner) elements (none
  /// when the row is out of bounds), the rest of the 16 bytes zero.
  void copyChunk(const TileOperand &operand, ArrayRef<Value> dst, Value outer,
                 Value outerLimit, Value inner, Value innerLimit) {
    IndexMath im{b, loc};
    Value rowOk = im.lt(outer, outerLimit);
    Value left =
        arith::SubIOp::create(b, loc, innerLimit, im.min(inner, innerLimit));
    Value count = arith::SelectOp::create(
        b, loc, rowOk, im.min(left, im.c(operand.chunk)), im.c(0));
    // Nothing is read from a chunk of count 0; point it at the first
    // element of the matrix anyway.
    Value readOk = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ugt,
                                         count, im.c(0));
    Value zero = im.c(0);
    Value srcOuter = arith::SelectOp::create(b, loc, readOk, outer, zero);
    Value srcInner = arith::SelectOp::create(
        b, loc, readOk, storedColumn(im, operand, inner), zero);
    nvgpu::DeviceAsyncCopyOp::create(
        b, loc, nvgpu::DeviceAsyncTokenType::get(b.getContext()),
        operand.shared, dst, operand.global, ValueRange{srcOuter, srcInner},
        b.getIndexAttr(operand.chunk), count, b.getUnitAttr());
  }

  /// The same chunk loaded element by element (unaligned layouts), stored
  /// to shared memory as one vector.
  void copyElements(const TileOperand &operand, ArrayRef<Value> dst,
                    Value outer, Value outerLimit, Value inner,
                    Value innerLimit) {
    IndexMath im{b, loc};
    Value rowOk = im.lt(outer, outerLimit);
    Value zero = arith::ConstantOp::create(b, loc, element,
                                           b.getFloatAttr(element, 0.0));
    SmallVector<Value> elements;
    for (int64_t j = 0; j < operand.chunk; ++j) {
      Value index = im.add(inner, im.c(j));
      Value ok = im.both(rowOk, im.lt(index, innerLimit));
      auto ifOp = scf::IfOp::create(b, loc, TypeRange{element}, ok,
                                    /*withElseRegion=*/true);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(ifOp.thenBlock());
      Value v = memref::LoadOp::create(
          b, loc, operand.global,
          ValueRange{outer, storedColumn(im, operand, index)});
      scf::YieldOp::create(b, loc, v);
      b.setInsertionPointToStart(ifOp.elseBlock());
      scf::YieldOp::create(b, loc, zero);
      elements.push_back(ifOp.getResult(0));
    }
    auto vectorType = VectorType::get({operand.chunk}, element);
    Value chunk = vector::FromElementsOp::create(b, loc, vectorType, elements);
    vector::StoreOp::create(b, loc, chunk, operand.shared, dst);
  }

  /// Issues K tile `kTile` of every operand into `stage` as one cp.async
  /// group; returns the group's token (none for wgmma).
  Value stageAll(Value stageIndex, Value kTile) {
    if (tiling.isWgmma())
      issueTma(stageIndex, kTile);
    stage(a, stageIndex, kTile);
    stage(bGate, stageIndex, kTile);
    if (gated)
      stage(bLinear, stageIndex, kTile);
    // wgmma: no cp.async (TMA, or synchronous element copies).
    if (tiling.isWgmma())
      return Value();
    auto token = nvgpu::DeviceAsyncTokenType::get(b.getContext());
    return nvgpu::DeviceAsyncCreateGroupOp::create(b, loc, token, ValueRange{});
  }

  /// The prologue of a K loop that loads `ahead` tiles ahead: K tiles 0 ..
  /// ahead - 1 into the stages of the same index (tiles past K copy
  /// nothing). Returns the last group's token.
  Value stagePrologue(int64_t ahead) {
    IndexMath im{b, loc};
    Value token;
    for (int64_t s = 0; s < ahead; ++s)
      token = stageAll(im.c(s), im.c(s));
    return token;
  }

  /// Issues K tile `kTile` + `ahead` into its stage; returns stageAll's
  /// token.
  Value stageAhead(Value kTile, int64_t ahead) {
    IndexMath im{b, loc};
    Value next = im.add(kTile, im.c(ahead));
    return stageAll(im.rem(next, im.c(tiling.stages)), next);
  }

  //===--------------------------------------------------------------------===//
  // K loop
  //===--------------------------------------------------------------------===//

  /// The accumulators: block (mi, ni) register r at
  /// index(mi, ni, r), the linear ones after all gate ones.
  int64_t accumulatorIndex(int64_t mi, int64_t ni, int64_t r,
                           bool linear = false) const {
    int64_t index = (mi * tiling.mmaTilesN() + ni) * kMmaCElements + r;
    return linear ? index + tiling.accumulatorsPerThread(false) : index;
  }

  SmallVector<Value> emitKLoop() {
    IndexMath im{b, loc};
    Value zero =
        arith::ConstantOp::create(b, loc, b.getF32Type(), b.getF32FloatAttr(0));
    SmallVector<Value> inits(tiling.accumulatorsPerThread(gated), zero);
    Value kTiles = im.ceilDiv(buffers.k, tiling.tileK);
    // Prologue: K tiles 0 .. stages - 2 (tiles past K copy nothing).
    inits.push_back(stagePrologue(tiling.stages - 1));
    auto kLoop = scf::ForOp::create(
        b, loc, im.c(0), kTiles, im.c(1), inits,
        [&](OpBuilder &lb, Location l, Value kTile, ValueRange iterArgs) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPoint(lb.getInsertionBlock(), lb.getInsertionPoint());
          IndexMath lm{b, loc};
          // Tile kTile's group is complete when at most stages - 2 of the
          // later ones are pending; the barrier makes every thread's
          // copies visible and ends every read of tile kTile - 1's stage.
          nvgpu::DeviceAsyncWaitOp::create(
              b, loc, iterArgs.back(), b.getI32IntegerAttr(tiling.stages - 2));
          gpu::BarrierOp::create(b, loc);
          Value nextToken = stageAhead(kTile, tiling.stages - 1);
          Value stageIndex = lm.rem(kTile, lm.c(tiling.stages));
          SmallVector<Value> sums =
              computeTile(stageIndex, iterArgs.drop_back());
          sums.push_back(nextToken);
          scf::YieldOp::create(b, loc, sums);
        });
    // No copy (of the zero-filled tiles past K) outlives the kernel.
    nvgpu::DeviceAsyncWaitOp::create(b, loc, kLoop.getResults().back(),
                                     b.getI32IntegerAttr(0));
    SmallVector<Value> results(kLoop.getResults().drop_back());
    return results;
  }

  /// The wgmma K loop: stages - 2 K tiles load ahead of the one the
  /// warpgroups multiply, while the wgmmas of the one before may still run
  /// (one group in flight). K tile t:
  ///   - every thread waits for stage t's TMA loads (phase t / stages of
  ///     its mbarrier) and fences its element copies (generic proxy) for
  ///     wgmma (async proxy); the barrier publishes the copies and, since
  ///     every thread has waited for the wgmmas of t - 2, frees their stage;
  ///   - the warpgroups issue t's wgmmas and commit them;
  ///   - tile t + stages - 2 is loaded into t - 2's stage (TMA, element
  ///     copies), overlapping the wgmmas;
  ///   - each warpgroup waits for its wgmmas of t - 1 (wait_group 1).
  /// The accumulators stay in the structs the wgmmas chain through (no
  /// thread touches them until the last wait).
  SmallVector<Value> emitWgmmaKLoop() {
    IndexMath im{b, loc};
    MLIRContext *ctx = b.getContext();
    Value zero =
        arith::ConstantOp::create(b, loc, b.getF32Type(), b.getF32FloatAttr(0));
    int64_t count = tiling.accumulatorsPerThread(false);
    SmallVector<Value> inits = {
        packAccumulators(SmallVector<Value>(count, zero))};
    if (gated)
      inits.push_back(inits.front());
    Value kTiles = im.ceilDiv(buffers.k, tiling.tileK);
    int64_t ahead = tiling.stages - 2;
    stagePrologue(ahead);
    auto kLoop = scf::ForOp::create(
        b, loc, im.c(0), kTiles, im.c(1), inits,
        [&](OpBuilder &lb, Location l, Value kTile, ValueRange iterArgs) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPoint(lb.getInsertionBlock(), lb.getInsertionPoint());
          IndexMath lm{b, loc};
          Value stageIndex = lm.rem(kTile, lm.c(tiling.stages));
          Value phase = lm.rem(lm.div(kTile, lm.c(tiling.stages)), lm.c(2));
          Value parity =
              arith::IndexCastOp::create(b, loc, b.getI1Type(), phase);
          nvgpu::MBarrierTryWaitParityOp::create(
              b, loc, barriers, parity, lm.c(kMBarrierWaitTicks), stageIndex);
          NVVM::FenceProxyOp::create(
              b, loc,
              NVVM::ProxyKindAttr::get(ctx, NVVM::ProxyKind::async_shared),
              NVVM::SharedSpaceAttr::get(ctx, NVVM::SharedSpace::shared_cta));
          gpu::BarrierOp::create(b, loc);
          SmallVector<Value> sums = issueWgmmas(stageIndex, iterArgs);
          stageAhead(kTile, ahead);
          NVVM::WgmmaWaitGroupSyncOp::create(b, loc, 1);
          scf::YieldOp::create(b, loc, sums);
        });
    NVVM::WgmmaWaitGroupSyncOp::create(b, loc, 0);
    SmallVector<Value> sums;
    for (Value packed : kLoop.getResults())
      for (int64_t i = 0; i < count; ++i)
        sums.push_back(LLVM::ExtractValueOp::create(b, loc, packed, i));
    return sums;
  }

  /// The warp's fragments of a 16 x 16 tile of `operand` (rows m or n,
  /// columns k, in the mma's sense) at (`outerOrigin`, `kOrigin`) of stage
  /// `stageIndex`: the four 32-bit registers of one ldmatrix.x4.
  SmallVector<Value> loadFragments(const TileOperand &operand, MmaOperand which,
                                   Value stageIndex, Value outerOrigin,
                                   int64_t kOrigin) {
    IndexMath im{b, loc};
    MLIRContext *ctx = b.getContext();
    AffineMap address = ldmatrixRowAddress(ctx, which, operand.kContiguous());
    Value rowOffset = affine::AffineApplyOp::create(
        b, loc, address.getSubMap({0}), ValueRange{lane});
    Value colOffset = affine::AffineApplyOp::create(
        b, loc, address.getSubMap({1}), ValueRange{lane});
    // The 16 x 16 tile's origin in the stored tile's coordinates.
    Value storedRowOrigin = operand.kRows ? im.c(kOrigin) : outerOrigin;
    Value storedColOrigin = operand.kRows ? outerOrigin : im.c(kOrigin);
    Value row = im.add(storedRowOrigin, rowOffset);
    Value col = im.add(storedColOrigin, colOffset);
    auto fragmentType = VectorType::get({4, 2}, element);
    Value matrices = nvgpu::LdMatrixOp::create(
        b, loc, fragmentType, operand.shared,
        sharedIndices(operand, stageIndex, row, col),
        ldmatrixTransposes(which, operand.kContiguous()), /*numTiles=*/4);
    SmallVector<Value> registers;
    for (int64_t j = 0; j < 4; ++j) {
      Value pair = vector::ExtractOp::create(b, loc, matrices, j);
      registers.push_back(asMmaOperand(pair));
    }
    return registers;
  }

  /// The tf32 fragments of mma.sync m16n8k8 (PTX: with g = lane / 4 and
  /// t = lane % 4, A register i holds (m, k) = (g + 8 (i % 2), t + 4 (i / 2)),
  /// B register i holds (k, n) = (t + 4 i, g)) from a tile of `operand`
  /// (rows m or n, columns k, in the mma's sense) at (`outerOrigin`,
  /// `kOrigin`) of stage `stageIndex`: for A the four registers of a 16 x 8
  /// tile, for B those of two n8 blocks (16 x 8), b0 and b1 of the first
  /// block then of the second. Where k is contiguous in the stored tile
  /// one ldmatrix.x4 loads them (a b16 pair is one f32: lane l receives
  /// element l % 4 of row l / 4 of each 8 x 4 matrix); where it is not,
  /// each lane loads its own elements.
  SmallVector<Value> loadTf32Fragments(const TileOperand &operand,
                                       MmaOperand which, Value stageIndex,
                                       Value outerOrigin, int64_t kOrigin) {
    IndexMath im{b, loc};
    Type i32 = b.getI32Type();
    // The (outer, k) offsets of register i at group g and thread t.
    auto offsets = [&](int64_t i, Value g, Value t) -> std::pair<Value, Value> {
      if (which == MmaOperand::A)
        return {im.add(g, im.c(8 * (i % 2))), im.add(t, im.c(4 * (i / 2)))};
      return {im.add(g, im.c(8 * (i / 2))), im.add(t, im.c(4 * (i % 2)))};
    };
    SmallVector<Value> registers;
    if (operand.kContiguous()) {
      // Lane l gives row l % 8 of matrix j = l / 8, register j's 8 x 4
      // block: its rows at (8 (j % 2), 4 (j / 2)) (A) or (8 (j / 2),
      // 4 (j % 2)) (B), whose first row's group and thread are 0.
      Value j = im.div(lane, im.c(8)), r = im.rem(lane, im.c(8));
      Value jLow = im.rem(j, im.c(2)), jHigh = im.div(j, im.c(2));
      Value outer = which == MmaOperand::A ? jLow : jHigh;
      Value kBlock = which == MmaOperand::A ? jHigh : jLow;
      Value row = im.add(outerOrigin, im.add(r, im.mul(outer, im.c(8))));
      Value col = im.add(im.c(kOrigin), im.mul(kBlock, im.c(4)));
      auto fragmentType = VectorType::get({4, 1}, element);
      Value matrices = nvgpu::LdMatrixOp::create(
          b, loc, fragmentType, operand.shared,
          sharedIndices(operand, stageIndex, row, col),
          /*transpose=*/false, /*numTiles=*/4);
      for (int64_t i = 0; i < 4; ++i) {
        Value v = vector::ExtractOp::create(b, loc, matrices,
                                            ArrayRef<int64_t>{i, 0});
        registers.push_back(arith::BitcastOp::create(b, loc, i32, v));
      }
      return registers;
    }
    Value g = im.div(lane, im.c(4)), t = im.rem(lane, im.c(4));
    for (int64_t i = 0; i < 4; ++i) {
      auto [outerOffset, kOffset] = offsets(i, g, t);
      Value row = im.add(im.c(kOrigin), kOffset);
      Value col = im.add(outerOrigin, outerOffset);
      Value v = memref::LoadOp::create(
          b, loc, operand.shared, sharedIndices(operand, stageIndex, row, col));
      registers.push_back(arith::BitcastOp::create(b, loc, i32, v));
    }
    return registers;
  }

  /// A vector<2x16-bit> register as nvvm.mma.sync takes it: i32 for bf16,
  /// vector<2xf16> for f16.
  Value asMmaOperand(Value pair) {
    if (element.isF16())
      return pair;
    auto i32x1 = VectorType::get({1}, b.getI32Type());
    Value bits = vector::BitCastOp::create(b, loc, i32x1, pair);
    return vector::ExtractOp::create(b, loc, bits, 0);
  }

  /// mma.sync m16n8k16 (m16n8k8 for tf32): acc += A B on the four
  /// accumulators `acc`.
  SmallVector<Value> mma(ArrayRef<Value> aRegs, ArrayRef<Value> bRegs,
                         ArrayRef<Value> acc) {
    Type f32 = b.getF32Type();
    auto resultType =
        LLVM::LLVMStructType::getLiteral(b.getContext(), {f32, f32, f32, f32});
    NVVM::MMATypes type = element.isF32()   ? NVVM::MMATypes::tf32
                          : element.isF16() ? NVVM::MMATypes::f16
                                            : NVVM::MMATypes::bf16;
    Value d = NVVM::MmaOp::create(
        b, loc, resultType, aRegs, bRegs, acc,
        {kMmaM, kMmaN, static_cast<int>(tiling.mmaK())}, std::nullopt,
        std::nullopt, std::array{type, type},
        std::array{NVVM::MMALayout::row, NVVM::MMALayout::col});
    SmallVector<Value> out;
    for (int64_t i = 0; i < kMmaCElements; ++i)
      out.push_back(LLVM::ExtractValueOp::create(b, loc, d, i));
    return out;
  }

  /// The warp's products of one K tile (in stage `stageIndex`).
  SmallVector<Value> computeTile(Value stageIndex, ValueRange acc) {
    IndexMath im{b, loc};
    SmallVector<Value> sums(acc.begin(), acc.end());
    bool tf32 = element.isF32();
    auto load = [&](const TileOperand &operand, MmaOperand which,
                    Value outerOrigin, int64_t kOrigin) {
      return tf32 ? loadTf32Fragments(operand, which, stageIndex, outerOrigin,
                                      kOrigin)
                  : loadFragments(operand, which, stageIndex, outerOrigin,
                                  kOrigin);
    };
    for (int64_t ks = 0; ks < tiling.tileK; ks += tiling.mmaK()) {
      SmallVector<SmallVector<Value>> aFrags, gateFrags, linearFrags;
      for (int64_t mi = 0; mi < tiling.mmaTilesM(); ++mi)
        aFrags.push_back(
            load(a, MmaOperand::A, im.add(warpRow, im.c(mi * kMmaM)), ks));
      // One ldmatrix.x4 holds the B fragments of two n8 blocks.
      auto loadB = [&](const TileOperand &operand,
                       SmallVector<SmallVector<Value>> &frags) {
        for (int64_t nj = 0; nj < tiling.mmaTilesN(); nj += 2) {
          SmallVector<Value> regs = load(operand, MmaOperand::B,
                                         im.add(warpCol, im.c(nj * kMmaN)), ks);
          frags.push_back({regs[0], regs[1]});
          frags.push_back({regs[2], regs[3]});
        }
      };
      loadB(bGate, gateFrags);
      if (gated)
        loadB(bLinear, linearFrags);
      for (int64_t mi = 0; mi < tiling.mmaTilesM(); ++mi)
        for (int64_t ni = 0; ni < tiling.mmaTilesN(); ++ni) {
          auto update = [&](ArrayRef<Value> bRegs, bool linear) {
            int64_t first = accumulatorIndex(mi, ni, 0, linear);
            SmallVector<Value> out =
                mma(aFrags[mi], bRegs,
                    ArrayRef<Value>(sums).slice(first, kMmaCElements));
            llvm::copy(out, sums.begin() + first);
          };
          update(gateFrags[ni], /*linear=*/false);
          if (gated)
            update(linearFrags[ni], /*linear=*/true);
        }
    }
    return sums;
  }

  /// The wgmma matrix descriptor of the 64 x 16 (A) or 16 x warpTileN (B)
  /// block of `operand` at (`outerOrigin`, `kOrigin`) (m or n, k in the
  /// mma's sense) of stage `stageIndex`, in sharedIndices' swizzled panels:
  /// start address, LBO and SBO, each >> 4, in bits 0-13, 16-29 and 32-45;
  /// the swizzle mode of the panel's row bytes in bits 62-63 (1: 128, 2:
  /// 64, 3: 32). The start is the block's unswizzled address (what TMA and
  /// wgmma swizzle is the address they compute from it); an M or N origin
  /// is always at a panel (a 64-row A, a warpTileN-column B), a K origin
  /// anywhere in a row (k16 steps of 32 bytes).
  Value descriptor(const TileOperand &operand, Value stageIndex,
                   Value outerOrigin, int64_t kOrigin) {
    IndexMath im{b, loc};
    int64_t elementBytes = tiling.elementBytes;
    int64_t rowBytes = operand.rowBytes();
    int64_t panelBytes = operand.rows * rowBytes;
    Value row = operand.kRows ? im.c(kOrigin) : outerOrigin;
    Value col = operand.kRows ? outerOrigin : im.c(kOrigin);
    Value offset = im.add(
        im.add(im.mul(im.div(col, im.c(operand.panel)), im.c(panelBytes)),
               im.mul(row, im.c(rowBytes))),
        im.mul(im.rem(col, im.c(operand.panel)), im.c(elementBytes)));
    Value stageBytes =
        im.mul(stageIndex, im.c(operand.rows * operand.cols * elementBytes));
    Value base =
        memref::ExtractAlignedPointerAsIndexOp::create(b, loc, operand.shared);
    Value address = im.add(base, im.add(stageBytes, offset));
    // SBO: the next 8 rows (along M or N when K-major, along K when
    // MN-major). LBO: MN-major, the next panel along M or N; K-major it is
    // unused (a k16 step lies within one row), 1 by convention.
    int64_t stride = 8 * rowBytes;
    int64_t leading = operand.kRows ? panelBytes : 16;
    Type i64 = b.getI64Type();
    auto constant = [&](int64_t v) {
      return arith::ConstantIntOp::create(b, loc, i64, v);
    };
    Value start = arith::AndIOp::create(
        b, loc,
        arith::ShRUIOp::create(
            b, loc, arith::IndexCastUIOp::create(b, loc, i64, address),
            constant(4)),
        constant(0x3fff));
    int64_t fields = ((leading >> 4) << 16) | ((stride >> 4) << 32) |
                     (wgmmaSwizzleMode(rowBytes) << 62);
    return arith::OrIOp::create(b, loc, start, constant(fields));
  }

  /// `values` as the llvm.struct of f32 a wgmma reads and writes.
  Value packAccumulators(ValueRange values) {
    SmallVector<Type> members(values.size(), b.getF32Type());
    auto type = LLVM::LLVMStructType::getLiteral(b.getContext(), members);
    Value packed = LLVM::PoisonOp::create(b, loc, type);
    for (auto [i, v] : llvm::enumerate(values))
      packed = LLVM::InsertValueOp::create(b, loc, packed, v, i);
    return packed;
  }

  /// The warpgroup's products of one K tile (in stage `stageIndex`): per
  /// k16 step one wgmma m64nNk16 (N = warpTileN) per B tile, reading A and
  /// B from shared memory through descriptors and accumulating into
  /// `acc`, the gate's (and the linear half's) llvm.struct of f32, whose
  /// member i is accumulatorIndex(0, i / 4, i % 4), the layout of
  /// mma.sync's C fragments for the warp's 16 rows and n8 block i / 4.
  /// Commits them as one group and returns the structs they produce.
  SmallVector<Value> issueWgmmas(Value stageIndex, ValueRange acc) {
    MLIRContext *ctx = b.getContext();
    Value gate = acc.front();
    Value linear = gated ? acc.back() : Value();
    NVVM::WGMMATypes type =
        element.isF16() ? NVVM::WGMMATypes::f16 : NVVM::WGMMATypes::bf16;
    // A and B are "row" and "col" when k is contiguous (K-major); the
    // other layout transposes.
    NVVM::MMALayout layoutA =
        a.kRows ? NVVM::MMALayout::col : NVVM::MMALayout::row;
    auto layoutB = [](const TileOperand &operand) {
      return operand.kRows ? NVVM::MMALayout::row : NVVM::MMALayout::col;
    };
    auto shape =
        NVVM::MMAShapeAttr::get(ctx, kWgmmaM, tiling.warpTileN(), kWgmmaK);
    NVVM::WgmmaFenceAlignedOp::create(b, loc);
    for (int64_t ks = 0; ks < tiling.tileK; ks += kWgmmaK) {
      Value descA = descriptor(a, stageIndex, warpgroupRow, ks);
      auto multiply = [&](const TileOperand &operand, Value sums) -> Value {
        Value descB = descriptor(operand, stageIndex, warpCol, ks);
        return NVVM::WgmmaMmaAsyncOp::create(
            b, loc, sums.getType(), sums, descA, descB, shape, type, type,
            NVVM::WGMMATypes::f32, NVVM::WGMMAScaleOut::one,
            NVVM::WGMMAScaleIn::one, NVVM::WGMMAScaleIn::one, layoutA,
            layoutB(operand), /*satfinite=*/nullptr);
      };
      gate = multiply(bGate, gate);
      if (gated)
        linear = multiply(bLinear, linear);
    }
    NVVM::WgmmaGroupSyncAlignedOp::create(b, loc);
    if (gated)
      return {gate, linear};
    return {gate};
  }

  //===--------------------------------------------------------------------===//
  // Epilogue
  //===--------------------------------------------------------------------===//

  void emitOutputs(ArrayRef<Value> sums) {
    IndexMath im{b, loc};
    MLIRContext *ctx = b.getContext();
    Value tileRow = im.add(rowBase, warpRow);
    Value tileCol = im.add(colBase, warpCol);
    for (unsigned r = 0; r < kMmaCElements; ++r) {
      AffineMap at = mmaCElement(ctx, r);
      Value rowOffset = affine::AffineApplyOp::create(b, loc, at.getSubMap({0}),
                                                      ValueRange{lane});
      Value colOffset = affine::AffineApplyOp::create(b, loc, at.getSubMap({1}),
                                                      ValueRange{lane});
      for (int64_t mi = 0; mi < tiling.mmaTilesM(); ++mi)
        for (int64_t ni = 0; ni < tiling.mmaTilesN(); ++ni) {
          Value row = im.add(tileRow, im.add(rowOffset, im.c(mi * kMmaM)));
          Value col = im.add(tileCol, im.add(colOffset, im.c(ni * kMmaN)));
          Value ok = im.both(im.lt(row, buffers.m), im.lt(col, buffers.n));
          auto ifOp = scf::IfOp::create(b, loc, ok, /*withElseRegion=*/false);
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPointToStart(ifOp.thenBlock());
          Value acc = sums[accumulatorIndex(mi, ni, r)];
          Value linear =
              gated ? sums[accumulatorIndex(mi, ni, r, /*linear=*/true)]
                    : Value();
          emitGpuGemmEpilogue(b, loc, gemm, buffers, row, col, acc, linear);
        }
    }
  }
};

} // namespace

void mlir::ffn::emitGpuMmaGemmKernel(OpBuilder &b, Location loc,
                                     const GemmDescription &gemm,
                                     const GpuGemmBuffers &buffers,
                                     const MmaTiling &tiling) {
  assert(isValidMmaTiling(tiling, gemm.epilogue == GemmEpilogue::Gate) &&
         "chooseMmaTiling gives valid tilings");
  MmaKernelEmitter(b, loc, gemm, buffers, tiling).emit();
}
