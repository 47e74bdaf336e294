//===- KernelEmulator.cpp - run glu's GPU kernels on the CPU --------------===//
//
// Values are kept per thread ("lane") of the running thread block: a value
// computed from uniform values only is kept once. Structured control flow
// runs under a mask of active lanes; scf.if with a per-lane condition runs
// both regions under complementary masks, an scf.for whose bounds differ
// between lanes runs each lane's iterations with the finished lanes masked.
//
//===----------------------------------------------------------------------===//

#include "KernelEmulator.h"
#include "ScalarSemantics.h"
#include "SharedMemoryHazards.h"
#include "WarpCollectives.h"
#include "WarpgroupMma.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinTypes.h"

#include "llvm/ADT/APInt.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SmallBitVector.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>

using namespace mlir;

namespace glu::emulator {

//===----------------------------------------------------------------------===//
// Views
//===----------------------------------------------------------------------===//

int64_t View::numElements() const {
  int64_t n = 1;
  for (int64_t s : sizes)
    n *= s;
  return n;
}

int64_t View::storageIndex(ArrayRef<int64_t> indices) const {
  if (indices.size() != sizes.size())
    return -1;
  int64_t index = offset;
  for (auto [i, size, stride] : llvm::zip(indices, sizes, strides)) {
    if (i < 0 || i >= size)
      return -1;
    index += i * stride;
  }
  if (index < 0 || index >= int64_t(storage->bits.size()))
    return -1;
  return index;
}

double View::get(ArrayRef<int64_t> indices) const {
  return decodeScalar(storage->elementType,
                      storage->bits[storageIndex(indices)]);
}

namespace {

SmallVector<int64_t> rowMajorStrides(ArrayRef<int64_t> sizes) {
  SmallVector<int64_t> strides(sizes.size(), 1);
  for (int64_t i = int64_t(sizes.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * sizes[i + 1];
  return strides;
}

uint64_t nanBits(Type type) {
  return isa<FloatType>(type)
             ? encodeScalar(type, std::numeric_limits<double>::quiet_NaN())
             : 0;
}

bool isContiguous(const View &view) {
  return view.strides == rowMajorStrides(view.sizes);
}

} // namespace

void forEachIndex(ArrayRef<int64_t> sizes,
                  function_ref<void(ArrayRef<int64_t>)> f) {
  for (int64_t s : sizes)
    if (s <= 0)
      return;
  SmallVector<int64_t> index(sizes.size(), 0);
  while (true) {
    f(index);
    int64_t d = int64_t(sizes.size()) - 1;
    for (; d >= 0; --d) {
      if (++index[d] < sizes[d])
        break;
      index[d] = 0;
    }
    if (d < 0)
      return;
  }
}

View makeView(Type elementType, ArrayRef<int64_t> shape) {
  View view;
  view.storage = std::make_shared<Storage>();
  view.storage->elementType = elementType;
  view.sizes.assign(shape.begin(), shape.end());
  view.strides = rowMajorStrides(shape);
  view.storage->bits.assign(view.numElements(), nanBits(elementType));
  return view;
}

namespace {

/// A row-major copy of `view` in fresh storage.
View copyDense(const View &view) {
  View copy = makeView(view.storage->elementType, view.sizes);
  int64_t next = 0;
  forEachIndex(view.sizes, [&](ArrayRef<int64_t> index) {
    copy.storage->bits[next++] = view.storage->bits[view.storageIndex(index)];
  });
  return copy;
}

//===----------------------------------------------------------------------===//
// Values
//===----------------------------------------------------------------------===//

/// A value of every lane: `width` elements' bits per lane, or one copy
/// when `lanes` is 1 (uniform); or a view (memrefs and tensors, uniform).
struct EValue {
  unsigned lanes = 1, width = 1;
  SmallVector<uint64_t, 4> bits;
  std::optional<View> view;

  static EValue uniform(ArrayRef<uint64_t> elements) {
    EValue v;
    v.width = elements.size();
    v.bits.assign(elements.begin(), elements.end());
    return v;
  }
  static EValue perLane(unsigned lanes, unsigned width) {
    EValue v;
    v.lanes = lanes;
    v.width = width;
    v.bits.assign(size_t(lanes) * width, 0);
    return v;
  }
  static EValue ofView(View view) {
    EValue v;
    v.width = 0;
    v.view = std::move(view);
    return v;
  }
  uint64_t get(unsigned lane, unsigned element = 0) const {
    return bits[size_t(lanes == 1 ? 0 : lane) * width + element];
  }
  uint64_t &at(unsigned lane, unsigned element = 0) {
    return bits[size_t(lanes == 1 ? 0 : lane) * width + element];
  }
};

/// The threads that execute an operation.
struct Lanes {
  unsigned count = 1;
  std::vector<char> active{1};

  static Lanes all(unsigned count) {
    Lanes lanes;
    lanes.count = count;
    lanes.active.assign(count, 1);
    return lanes;
  }
  bool any() const { return llvm::is_contained(active, 1); }
  bool every() const { return !llvm::is_contained(active, 0); }
};

unsigned elementCount(Type type) {
  if (auto vector = dyn_cast<VectorType>(type))
    return vector.getNumElements();
  if (auto structType = dyn_cast<LLVM::LLVMStructType>(type))
    return structType.getBody().size();
  return 1;
}

int64_t evaluateAffine(AffineExpr expr, ArrayRef<int64_t> dims,
                       ArrayRef<int64_t> symbols) {
  auto floorDiv = [](int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
  };
  switch (expr.getKind()) {
  case AffineExprKind::Constant:
    return cast<AffineConstantExpr>(expr).getValue();
  case AffineExprKind::DimId:
    return dims[cast<AffineDimExpr>(expr).getPosition()];
  case AffineExprKind::SymbolId:
    return symbols[cast<AffineSymbolExpr>(expr).getPosition()];
  default:
    break;
  }
  auto binary = cast<AffineBinaryOpExpr>(expr);
  int64_t l = evaluateAffine(binary.getLHS(), dims, symbols);
  int64_t r = evaluateAffine(binary.getRHS(), dims, symbols);
  switch (expr.getKind()) {
  case AffineExprKind::Add:
    return l + r;
  case AffineExprKind::Mul:
    return l * r;
  case AffineExprKind::Mod:
    return ((l % r) + r) % r;
  case AffineExprKind::FloorDiv:
    return floorDiv(l, r);
  case AffineExprKind::CeilDiv:
    return -floorDiv(-l, r);
  default:
    return 0;
  }
}

SmallVector<int64_t> evaluateMap(AffineMap map, ArrayRef<int64_t> dims,
                                 ArrayRef<int64_t> symbols = {}) {
  SmallVector<int64_t> results;
  for (AffineExpr e : map.getResults())
    results.push_back(evaluateAffine(e, dims, symbols));
  return results;
}

std::string formatIndices(ArrayRef<int64_t> indices) {
  std::string s = "[";
  for (auto [i, v] : llvm::enumerate(indices))
    s += (i ? ", " : "") + std::to_string(v);
  return s + "]";
}

//===----------------------------------------------------------------------===//
// The interpreter
//===----------------------------------------------------------------------===//

/// The device address of element `index` of `storage`.
uint64_t byteAddress(const Storage &storage, int64_t index) {
  return storage.address +
         uint64_t(index) *
             std::max<uint64_t>(1, bitWidth(storage.elementType) / 8);
}

/// Collects the lanes' parts of warp-wide shared accesses and adds each
/// warp's bank use to `total` when the warp changes or on flush().
class WarpBankAccesses {
public:
  explicit WarpBankAccesses(BankUse &total) : total(total) {}
  ~WarpBankAccesses() { flush(); }
  void add(unsigned thread, uint64_t address, unsigned bytes) {
    unsigned warp = thread / kWarpLanes;
    if (!accesses.empty() && warp != currentWarp)
      flush();
    currentWarp = warp;
    accesses.push_back({thread % kWarpLanes, address, bytes});
  }
  void flush() {
    total += countWavefronts(accesses);
    accesses.clear();
  }

private:
  BankUse &total;
  unsigned currentWarp = 0;
  SmallVector<BankAccess, 32> accesses;
};

/// The thread block being run and its launch.
struct ThreadBlock {
  SharedMemoryHazards hazards;
  int64_t firstThread;
  /// Global elements written during this launch, by global thread id.
  llvm::DenseMap<Storage *, std::vector<int64_t>> &globalWriters;
  /// The block's shared memory, at its own addresses.
  SmallVector<Storage *> shared;
  /// Dynamic shared memory: its address and size, and the byte ranges of
  /// the views made of it (which must not overlap).
  uint64_t dynamicAddress = 0, dynamicBytes = 0;
  SmallVector<std::pair<uint64_t, uint64_t>> dynamicViews;
  /// wgmma: a wgmma.fence since the last wgmma.wait_group; the results of
  /// the open group, of committed groups, and all not yet waited for.
  bool wgmmaFenced = false;
  SmallVector<Value> openWgmmaResults;
  std::deque<SmallVector<Value>> committedWgmmaResults;
  DenseSet<Value> pendingWgmmaResults;
  /// nvgpu.mbarrier.create groups: each barrier's expected and current
  /// arrivals, outstanding transaction bytes, completed phases, and the
  /// TMA writes that land when its current phase completes.
  struct MBarrier {
    struct Landing {
      Storage *storage;
      int64_t index;
      uint64_t bits;
    };
    bool initialized = false;
    int64_t expected = 0, arrived = 0, transactionBytes = 0;
    uint64_t completedPhases = 0;
    std::vector<Landing> landings;
  };
  std::vector<std::vector<MBarrier>> mbarriers;
  /// Which mbarrier phase's TMA load wrote each shared element (none when
  /// a thread wrote it since), and up to which phase each thread has
  /// waited on each mbarrier: a thread sees a TMA load's data only after
  /// waiting for its phase.
  struct TmaTag {
    const MBarrier *barrier = nullptr;
    uint64_t phase = 0;
  };
  DenseMap<Storage *, std::vector<TmaTag>> tmaTags;
  DenseMap<const MBarrier *, std::vector<uint64_t>> phasesSeen;

  /// Why `thread` may not read element `index` of `storage` yet, or empty.
  std::string tmaVisibility(Storage &storage, int64_t index, unsigned thread) {
    auto it = tmaTags.find(&storage);
    if (it == tmaTags.end() || !it->second[index].barrier)
      return {};
    const TmaTag &tag = it->second[index];
    auto seen = phasesSeen.find(tag.barrier);
    if (seen != phasesSeen.end() && seen->second[thread] > tag.phase)
      return {};
    return "thread " + std::to_string(thread) + " reads shared element " +
           std::to_string(index) +
           ", which a TMA load wrote, without having waited on its mbarrier "
           "phase";
  }
  void tagTmaWrite(Storage &storage, int64_t index, const MBarrier *barrier,
                   uint64_t phase) {
    std::vector<TmaTag> &tags = tmaTags[&storage];
    if (tags.empty())
      tags.resize(storage.bits.size());
    tags[index] = {barrier, phase};
  }
};

class Interpreter {
public:
  explicit Interpreter(Report &report) : report(report) {}

  FailureOr<SmallVector<View>> runFunction(func::FuncOp func,
                                           ArrayRef<View> arguments);

private:
  LogicalResult runBlock(Block &block, const Lanes &lanes,
                         SmallVectorImpl<EValue> &terminatorOperands);
  LogicalResult runOp(Operation &op, const Lanes &lanes);
  LogicalResult runElementwise(Operation &op, const ElementwiseOp &elementwise,
                               const Lanes &lanes);
  LogicalResult runConstant(arith::ConstantOp op);
  LogicalResult runIf(scf::IfOp op, const Lanes &lanes);
  LogicalResult runFor(scf::ForOp op, const Lanes &lanes);
  /// `to` now holds what `from` holds (a loop's iteration argument or
  /// result bound to what was yielded): pending with `from`'s wgmma group
  /// if `from` is, else (or with no `from`: redefined) no longer pending.
  void forwardPending(Value to, Value from);
  LogicalResult runLaunch(gpu::LaunchOp op, const Lanes &lanes);
  LogicalResult runMemoryAccess(Operation &op, const Lanes &lanes);
  LogicalResult runVectorShuffle(Operation &op, const Lanes &lanes);
  LogicalResult runAsyncCopy(nvgpu::DeviceAsyncCopyOp op, const Lanes &lanes);
  LogicalResult runLdmatrix(nvgpu::LdMatrixOp op, const Lanes &lanes);
  LogicalResult runMma(NVVM::MmaOp op, const Lanes &lanes);
  LogicalResult runWgmma(NVVM::WgmmaMmaAsyncOp op, const Lanes &lanes);
  LogicalResult runWgmmaSync(Operation &op, const Lanes &lanes);
  LogicalResult runMBarrier(Operation &op, const Lanes &lanes);
  LogicalResult runTmaLoad(nvgpu::TmaAsyncLoadOp op, const Lanes &lanes);
  /// Barrier `id` of group `group` in `lane`, or an error at `op`.
  ThreadBlock::MBarrier *mbarrier(Operation &op, Value group, Value id,
                                  unsigned lane);
  /// Completes `barrier`'s phase when every arrival and transaction byte
  /// is in: its TMA writes land.
  void completePhaseIfDone(ThreadBlock::MBarrier &barrier);
  /// Whether `predicate` (optional) holds in `lane`.
  bool predicated(Value predicate, unsigned lane) {
    return !predicate || (value(predicate).get(lane) & 1);
  }
  LogicalResult runViewOp(Operation &op, const Lanes &lanes);
  LogicalResult runGeneric(linalg::GenericOp op);

  EValue &value(Value v) {
    auto it = values.find(v);
    if (it == values.end()) {
      std::string name;
      llvm::raw_string_ostream os(name);
      v.print(os);
      llvm::report_fatal_error("emulator: no value for " + llvm::Twine(name));
    }
    return it->second;
  }
  /// A copy: references into `values` dangle once it grows.
  View viewOf(Value v) { return *value(v).view; }
  /// `v` in `lane` as an integer.
  int64_t integer(Value v, unsigned lane = 0) {
    return decodeScalar(getElementTypeOrSelf(v.getType()), value(v).get(lane));
  }
  SmallVector<int64_t> indices(ValueRange operands, unsigned lane) {
    SmallVector<int64_t> result;
    for (Value v : operands)
      result.push_back(integer(v, lane));
    return result;
  }
  int64_t foldResult(OpFoldResult r) {
    if (auto attr = dyn_cast<Attribute>(r))
      return cast<IntegerAttr>(attr).getInt();
    return integer(cast<Value>(r));
  }
  /// Gives `storage` the next 256-byte aligned device address.
  void place(Storage &storage) {
    storage.address = nextAddress;
    uint64_t bytes = std::max(1u, bitWidth(storage.elementType) / 8);
    nextAddress += (storage.bits.size() * bytes + 255) / 256 * 256 + 256;
  }
  View newView(Type elementType, ArrayRef<int64_t> shape) {
    View view = makeView(elementType, shape);
    place(*view.storage);
    return view;
  }
  /// Reads or writes element `indices` of `view` for `lane`, with bounds,
  /// shared-memory and global race checks; `bits` is read into or written
  /// from.
  LogicalResult access(Operation &op, const View &view,
                       ArrayRef<int64_t> indices, unsigned lane, bool write,
                       uint64_t &bits);

  Report &report;
  DenseMap<Value, EValue> values;
  ThreadBlock *block = nullptr;
  SmallVector<int64_t> genericPoint;
  /// What ElementwiseOp::get said about each operation run so far.
  DenseMap<Operation *, std::optional<ElementwiseOp>> elementwiseOps;
  uint64_t nextAddress = 1 << 20;
};

LogicalResult Interpreter::access(Operation &op, const View &view,
                                  ArrayRef<int64_t> indices, unsigned lane,
                                  bool write, uint64_t &bits) {
  int64_t index = view.storageIndex(indices);
  if (index < 0)
    return op.emitOpError("thread ")
           << lane << " accesses " << formatIndices(indices)
           << " out of bounds of a buffer of sizes "
           << formatIndices(view.sizes);
  Storage &storage = *view.storage;
  if (block && storage.workgroup) {
    std::string hazard = write ? block->hazards.write(storage, index, lane)
                               : block->hazards.read(storage, index, lane);
    if (hazard.empty() && !write)
      hazard = block->tmaVisibility(storage, index, lane);
    if (!hazard.empty())
      return op.emitOpError(hazard);
    if (write && block->tmaTags.count(&storage))
      block->tagTmaWrite(storage, index, nullptr, 0);
  } else if (block) {
    int64_t me = block->firstThread + lane;
    if (write) {
      std::vector<int64_t> &writers = block->globalWriters[&storage];
      if (writers.empty())
        writers.assign(storage.bits.size(), -1);
      if (writers[index] != -1 && writers[index] != me)
        return op.emitOpError("global element ")
               << formatIndices(indices) << " is written by threads "
               << writers[index] << " and " << me << " of one launch";
      writers[index] = me;
    } else {
      auto it = block->globalWriters.find(&storage);
      if (it != block->globalWriters.end() && it->second[index] != -1 &&
          it->second[index] != me)
        return op.emitOpError("thread ")
               << me << " reads global element " << formatIndices(indices)
               << " that thread " << it->second[index]
               << " writes in the same launch";
    }
  }
  if (write)
    storage.bits[index] = bits;
  else
    bits = storage.bits[index];
  return success();
}

FailureOr<SmallVector<View>>
Interpreter::runFunction(func::FuncOp func, ArrayRef<View> arguments) {
  Block &entry = func.getBody().front();
  if (entry.getNumArguments() != arguments.size())
    return func.emitOpError("takes ")
           << entry.getNumArguments() << " arguments, the emulator got "
           << arguments.size();
  for (auto [arg, view] : llvm::zip(entry.getArguments(), arguments)) {
    if (!view.storage->address)
      place(*view.storage);
    values[arg] = EValue::ofView(view);
  }
  SmallVector<EValue> results;
  if (failed(runBlock(entry, Lanes(), results)))
    return failure();
  SmallVector<View> views;
  for (EValue &r : results) {
    if (!r.view)
      return func.emitOpError("the emulator returns only tensors and memrefs");
    views.push_back(*r.view);
  }
  return views;
}

LogicalResult
Interpreter::runBlock(Block &block, const Lanes &lanes,
                      SmallVectorImpl<EValue> &terminatorOperands) {
  for (Operation &op : block) {
    if (op.hasTrait<OpTrait::IsTerminator>()) {
      terminatorOperands.clear();
      for (Value v : op.getOperands())
        terminatorOperands.push_back(value(v));
      return success();
    }
    if (failed(runOp(op, lanes)))
      return failure();
  }
  return success();
}

LogicalResult Interpreter::runOp(Operation &op, const Lanes &lanes) {
  auto [known, inserted] = elementwiseOps.try_emplace(&op, std::nullopt);
  if (inserted)
    known->second = ElementwiseOp::get(&op);
  if (block && !block->pendingWgmmaResults.empty())
    for (OpOperand &operand : op.getOpOperands()) {
      // The next wgmma's accumulators, or a loop carrying them to it.
      bool chained =
          (isa<NVVM::WgmmaMmaAsyncOp>(op) && operand.getOperandNumber() == 0) ||
          isa<scf::YieldOp>(op);
      if (!chained && block->pendingWgmmaResults.contains(operand.get()))
        return op.emitOpError("reads a wgmma's accumulators before a "
                              "wgmma.wait_group covers that wgmma");
    }
  if (known->second)
    return runElementwise(op, *known->second, lanes);
  return llvm::TypeSwitch<Operation *, LogicalResult>(&op)
      .Case([&](arith::ConstantOp c) { return runConstant(c); })
      .Case([&](scf::IfOp o) { return runIf(o, lanes); })
      .Case([&](scf::ForOp o) { return runFor(o, lanes); })
      .Case([&](gpu::LaunchOp o) { return runLaunch(o, lanes); })
      .Case([&](gpu::BarrierOp) -> LogicalResult {
        if (!block)
          return op.emitOpError("outside a kernel");
        if (!lanes.every())
          return op.emitOpError("reached by only some threads of the block");
        report.barriers += lanes.count;
        block->hazards.barrier();
        return success();
      })
      .Case([&](affine::AffineApplyOp o) {
        EValue result = EValue::perLane(lanes.count, 1);
        bool uniform = llvm::all_of(
            o.getOperands(), [&](Value v) { return value(v).lanes == 1; });
        if (uniform)
          result = EValue::uniform({0});
        unsigned dims = o.getAffineMap().getNumDims();
        for (unsigned lane = 0; lane < result.lanes; ++lane) {
          if (!uniform && !lanes.active[lane])
            continue;
          SmallVector<int64_t> operands = indices(o.getOperands(), lane);
          result.at(lane) =
              uint64_t(evaluateAffine(o.getAffineMap().getResult(0),
                                      ArrayRef(operands).take_front(dims),
                                      ArrayRef(operands).drop_front(dims)));
        }
        values[o.getResult()] = std::move(result);
        return success();
      })
      .Case<memref::LoadOp, memref::StoreOp, vector::LoadOp, vector::StoreOp>(
          [&](Operation *o) { return runMemoryAccess(*o, lanes); })
      .Case<vector::FromElementsOp, vector::ExtractOp, vector::InsertOp,
            vector::BitCastOp, vector::BroadcastOp, LLVM::ExtractValueOp,
            LLVM::InsertValueOp, LLVM::UndefOp, LLVM::PoisonOp>(
          [&](Operation *o) { return runVectorShuffle(*o, lanes); })
      .Case([&](nvgpu::DeviceAsyncCopyOp o) { return runAsyncCopy(o, lanes); })
      .Case([&](nvgpu::DeviceAsyncCreateGroupOp o) -> LogicalResult {
        if (!block)
          return op.emitOpError("outside a kernel");
        for (unsigned lane = 0; lane < lanes.count; ++lane)
          if (lanes.active[lane])
            block->hazards.commitGroup(lane);
        values[o.getResult()] = EValue::uniform({});
        return success();
      })
      .Case([&](nvgpu::DeviceAsyncWaitOp o) -> LogicalResult {
        if (!block)
          return op.emitOpError("outside a kernel");
        unsigned pending = o.getNumGroups().value_or(0);
        for (unsigned lane = 0; lane < lanes.count; ++lane)
          if (lanes.active[lane])
            block->hazards.waitGroups(lane, pending);
        return success();
      })
      .Case([&](nvgpu::LdMatrixOp o) { return runLdmatrix(o, lanes); })
      .Case([&](NVVM::MmaOp o) { return runMma(o, lanes); })
      .Case([&](NVVM::WgmmaMmaAsyncOp o) { return runWgmma(o, lanes); })
      .Case<NVVM::WgmmaFenceAlignedOp, NVVM::WgmmaGroupSyncAlignedOp,
            NVVM::WgmmaWaitGroupSyncOp>(
          [&](Operation *o) { return runWgmmaSync(*o, lanes); })
      .Case<nvgpu::MBarrierCreateOp, nvgpu::MBarrierInitOp,
            nvgpu::MBarrierArriveExpectTxOp, nvgpu::MBarrierTryWaitParityOp>(
          [&](Operation *o) { return runMBarrier(*o, lanes); })
      .Case([&](nvgpu::TmaAsyncLoadOp o) { return runTmaLoad(o, lanes); })
      .Case([&](nvgpu::TmaCreateDescriptorOp o) -> LogicalResult {
        if (block)
          return op.emitOpError("the host creates tensor maps");
        // The tensor and the box, in the memref's order.
        SmallVector<uint64_t> box;
        for (Value v : o.getBoxDimensions())
          box.push_back(uint64_t(integer(v)));
        EValue map = EValue::uniform(box);
        map.view = viewOf(o.getTensor());
        values[o.getResult()] = std::move(map);
        return success();
      })
      .Case([&](NVVM::FenceMbarrierInitOp) { return success(); })
      .Case([&](gpu::DynamicSharedMemoryOp o) -> LogicalResult {
        if (!block)
          return op.emitOpError("outside a kernel");
        // A byte view standing for the whole region; memref.view makes
        // typed storages of its parts.
        View bytes;
        bytes.storage = std::make_shared<Storage>();
        bytes.storage->elementType = o.getType().getElementType();
        bytes.storage->workgroup = true;
        bytes.storage->address = block->dynamicAddress;
        bytes.sizes = {int64_t(block->dynamicBytes)};
        bytes.strides = {1};
        values[o.getResult()] = EValue::ofView(bytes);
        return success();
      })
      .Case([&](memref::ViewOp o) -> LogicalResult {
        if (!block)
          return runViewOp(op, lanes);
        const View &source = viewOf(o.getSource());
        if (source.storage->address != block->dynamicAddress ||
            !o.getSizes().empty())
          return op.emitOpError("the emulator views the dynamic shared "
                                "memory with static shapes only");
        uint64_t shift = uint64_t(integer(o.getByteShift()));
        MemRefType type = o.getType();
        uint64_t bytes = type.getNumElements() *
                         std::max(1u, bitWidth(type.getElementType()) / 8);
        if (shift + bytes > block->dynamicBytes)
          return op.emitOpError("views bytes ")
                 << shift << " to " << shift + bytes << " of "
                 << block->dynamicBytes << " bytes of dynamic shared memory";
        for (auto [first, end] : block->dynamicViews)
          if (shift < end && first < shift + bytes)
            return op.emitOpError("overlaps another view of the dynamic "
                                  "shared memory");
        block->dynamicViews.push_back({shift, shift + bytes});
        View view = makeView(type.getElementType(), type.getShape());
        view.storage->workgroup = true;
        view.storage->address = block->dynamicAddress + shift;
        block->shared.push_back(view.storage.get());
        values[o.getResult()] = EValue::ofView(view);
        return success();
      })
      .Case([&](NVVM::FenceProxyOp o) -> LogicalResult {
        if (!block)
          return op.emitOpError("outside a kernel");
        if (o.getKind() != NVVM::ProxyKind::async_shared)
          return op.emitOpError("the emulator knows fence.proxy.async.shared "
                                "only");
        for (unsigned lane = 0; lane < lanes.count; ++lane)
          if (lanes.active[lane])
            block->hazards.fenceProxyAsync(lane);
        return success();
      })
      .Case([&](linalg::GenericOp o) -> LogicalResult {
        if (block)
          return op.emitOpError("the emulator runs linalg only on the host");
        return runGeneric(o);
      })
      .Case([&](linalg::IndexOp o) {
        values[o.getResult()] =
            EValue::uniform({uint64_t(genericPoint[o.getDim()])});
        return success();
      })
      .Default([&](Operation *o) { return runViewOp(*o, lanes); });
}

LogicalResult Interpreter::runConstant(arith::ConstantOp op) {
  SmallVector<uint64_t> elements;
  auto bitsOf = [](Attribute a) -> uint64_t {
    if (auto f = dyn_cast<FloatAttr>(a))
      return f.getValue().bitcastToAPInt().getZExtValue();
    if (auto i = dyn_cast<IntegerAttr>(a))
      return i.getValue().getZExtValue();
    return 0;
  };
  Attribute attr = op.getValue();
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    if (isa<TensorType>(dense.getType())) {
      View view = newView(dense.getElementType(), dense.getType().getShape());
      int64_t i = 0;
      for (Attribute a : dense.getValues<Attribute>())
        view.storage->bits[i++] = bitsOf(a);
      values[op.getResult()] = EValue::ofView(view);
      return success();
    }
    for (Attribute a : dense.getValues<Attribute>())
      elements.push_back(bitsOf(a));
  } else if (isa<FloatAttr, IntegerAttr>(attr)) {
    elements.push_back(bitsOf(attr));
  } else {
    return op.emitOpError("the emulator cannot read this constant");
  }
  values[op.getResult()] = EValue::uniform(elements);
  return success();
}

LogicalResult Interpreter::runElementwise(Operation &op,
                                          const ElementwiseOp &elementwise,
                                          const Lanes &lanes) {
  bool uniform = llvm::all_of(op.getOperands(),
                              [&](Value v) { return value(v).lanes == 1; });
  unsigned width = elementCount(op.getResult(0).getType());
  EValue result = uniform ? EValue::uniform(SmallVector<uint64_t>(width, 0))
                          : EValue::perLane(lanes.count, width);
  SmallVector<const EValue *> operands;
  for (Value v : op.getOperands())
    operands.push_back(&value(v));
  SmallVector<uint64_t, 3> elements(operands.size());
  for (unsigned lane = 0; lane < result.lanes; ++lane) {
    if (!uniform && !lanes.active[lane])
      continue;
    for (unsigned e = 0; e < width; ++e) {
      for (auto [i, operand] : llvm::enumerate(operands))
        elements[i] = operand->get(lane, operand->width == 1 ? 0 : e);
      std::optional<uint64_t> r = elementwise(elements);
      if (!r)
        return op.emitOpError("the emulator cannot evaluate this operation")
               << " (an unknown form, or division by zero) in thread " << lane;
      result.at(lane, e) = *r;
    }
  }
  values[op.getResult(0)] = std::move(result);
  return success();
}

LogicalResult Interpreter::runIf(scf::IfOp op, const Lanes &lanes) {
  const EValue &condition = value(op.getCondition());
  SmallVector<EValue> thenResults, elseResults;
  if (condition.lanes == 1) {
    bool taken = condition.get(0) & 1;
    Region &region = taken ? op.getThenRegion() : op.getElseRegion();
    if (region.empty())
      return success();
    if (failed(runBlock(region.front(), lanes, thenResults)))
      return failure();
    for (auto [result, v] : llvm::zip(op.getResults(), thenResults))
      values[result] = v;
    return success();
  }
  Lanes thenLanes = lanes, elseLanes = lanes;
  for (unsigned lane = 0; lane < lanes.count; ++lane) {
    bool taken = condition.get(lane) & 1;
    thenLanes.active[lane] = lanes.active[lane] && taken;
    elseLanes.active[lane] = lanes.active[lane] && !taken;
  }
  if (thenLanes.any() &&
      failed(runBlock(op.getThenRegion().front(), thenLanes, thenResults)))
    return failure();
  if (elseLanes.any() && !op.getElseRegion().empty() &&
      failed(runBlock(op.getElseRegion().front(), elseLanes, elseResults)))
    return failure();
  for (auto [i, result] : llvm::enumerate(op.getResults())) {
    if (isa<ShapedType>(result.getType()) && !isa<VectorType>(result.getType()))
      return op.emitOpError("the emulator needs a uniform condition to ")
             << "yield a memref or tensor";
    EValue merged =
        EValue::perLane(lanes.count, elementCount(result.getType()));
    for (unsigned lane = 0; lane < lanes.count; ++lane) {
      const SmallVector<EValue> *from = thenLanes.active[lane]   ? &thenResults
                                        : elseLanes.active[lane] ? &elseResults
                                                                 : nullptr;
      if (!from)
        continue;
      for (unsigned e = 0; e < merged.width; ++e)
        merged.at(lane, e) = (*from)[i].get(lane, e);
    }
    values[result] = std::move(merged);
  }
  return success();
}

LogicalResult Interpreter::runFor(scf::ForOp op, const Lanes &lanes) {
  SmallVector<EValue> carried;
  for (Value init : op.getInitArgs())
    carried.push_back(value(init));
  Block &body = *op.getBody();
  bool uniform = llvm::all_of(
      ValueRange{op.getLowerBound(), op.getUpperBound(), op.getStep()},
      [&](Value v) { return value(v).lanes == 1; });
  if (uniform) {
    int64_t lower = integer(op.getLowerBound());
    int64_t upper = integer(op.getUpperBound());
    int64_t step = integer(op.getStep());
    if (step <= 0)
      return op.emitOpError("the emulator needs a positive step");
    // What each iteration argument holds, for wgmma accumulators carried
    // from one iteration's wgmmas to the next's.
    SmallVector<Value> sources(op.getInitArgs());
    ValueRange yielded = body.getTerminator()->getOperands();
    for (int64_t i = lower; i < upper; i += step) {
      values[op.getInductionVar()] = EValue::uniform({uint64_t(i)});
      for (auto [arg, v, source] :
           llvm::zip(op.getRegionIterArgs(), carried, sources)) {
        values[arg] = v;
        forwardPending(arg, source);
      }
      if (failed(runBlock(body, lanes, carried)))
        return failure();
      sources.assign(yielded.begin(), yielded.end());
    }
    for (auto [result, source] : llvm::zip(op.getResults(), sources))
      forwardPending(result, source);
  } else {
    // Bounds that differ between threads (a thread striding over rows):
    // every thread runs its own iterations, those done wait masked off.
    EValue iv = EValue::perLane(lanes.count, 1);
    for (unsigned lane = 0; lane < lanes.count; ++lane) {
      if (!lanes.active[lane])
        continue;
      if (integer(op.getStep(), lane) <= 0)
        return op.emitOpError("the emulator needs a positive step");
      iv.at(lane) = uint64_t(integer(op.getLowerBound(), lane));
    }
    // Carried values become per-lane: lanes leave the loop at different
    // iterations.
    for (EValue &v : carried) {
      if (v.view || v.lanes != 1)
        continue;
      EValue spread = EValue::perLane(lanes.count, v.width);
      for (unsigned lane = 0; lane < lanes.count; ++lane)
        for (unsigned e = 0; e < v.width; ++e)
          spread.at(lane, e) = v.get(0, e);
      v = std::move(spread);
    }
    while (true) {
      Lanes inLoop = lanes;
      for (unsigned lane = 0; lane < lanes.count; ++lane)
        inLoop.active[lane] =
            lanes.active[lane] &&
            int64_t(iv.get(lane)) < integer(op.getUpperBound(), lane);
      if (!inLoop.any())
        break;
      values[op.getInductionVar()] = iv;
      for (auto [arg, v] : llvm::zip(op.getRegionIterArgs(), carried))
        values[arg] = v;
      SmallVector<EValue> yielded;
      if (failed(runBlock(body, inLoop, yielded)))
        return failure();
      if (block)
        for (Value v : body.getTerminator()->getOperands())
          if (block->pendingWgmmaResults.contains(v))
            return op.emitOpError("carries a wgmma's accumulators through "
                                  "a loop whose bounds differ between "
                                  "threads");
      for (auto [c, y] : llvm::zip(carried, yielded)) {
        if (c.view) {
          c = y;
          continue;
        }
        for (unsigned lane = 0; lane < lanes.count; ++lane)
          if (inLoop.active[lane])
            for (unsigned e = 0; e < c.width; ++e)
              c.at(lane, e) = y.get(lane, e);
      }
      for (unsigned lane = 0; lane < lanes.count; ++lane)
        if (inLoop.active[lane])
          iv.at(lane) += uint64_t(integer(op.getStep(), lane));
    }
  }
  for (auto [result, v] : llvm::zip(op.getResults(), carried))
    values[result] = v;
  return success();
}

void Interpreter::forwardPending(Value to, Value from) {
  if (!block || to == from)
    return;
  auto leave = [&](SmallVector<Value> &group) { llvm::erase(group, to); };
  block->pendingWgmmaResults.erase(to);
  leave(block->openWgmmaResults);
  for (SmallVector<Value> &group : block->committedWgmmaResults)
    leave(group);
  if (!from || !block->pendingWgmmaResults.contains(from))
    return;
  block->pendingWgmmaResults.insert(to);
  if (llvm::is_contained(block->openWgmmaResults, from))
    block->openWgmmaResults.push_back(to);
  for (SmallVector<Value> &group : block->committedWgmmaResults)
    if (llvm::is_contained(group, from))
      group.push_back(to);
}

LogicalResult Interpreter::runLaunch(gpu::LaunchOp op, const Lanes &lanes) {
  if (block)
    return op.emitOpError("nested in a kernel");
  if (!op.getPrivateAttributions().empty())
    return op.emitOpError("the emulator has no private memory");
  int64_t grid[3] = {integer(op.getGridSizeX()), integer(op.getGridSizeY()),
                     integer(op.getGridSizeZ())};
  int64_t threads[3] = {integer(op.getBlockSizeX()),
                        integer(op.getBlockSizeY()),
                        integer(op.getBlockSizeZ())};
  unsigned count = threads[0] * threads[1] * threads[2];
  if (count == 0 || count > 1024 || count % kWarpLanes != 0)
    return op.emitOpError("the emulator runs blocks of whole warps, up to ")
           << "1024 threads, not " << count;
  ++report.launches;
  Block &body = op.getBody().front();
  gpu::KernelDim3 blockIds = op.getBlockIds(), threadIds = op.getThreadIds(),
                  gridSize = op.getGridSize(), blockSize = op.getBlockSize();
  auto set = [&](Value v, int64_t x) {
    values[v] = EValue::uniform({uint64_t(x)});
  };
  set(gridSize.x, grid[0]);
  set(gridSize.y, grid[1]);
  set(gridSize.z, grid[2]);
  set(blockSize.x, threads[0]);
  set(blockSize.y, threads[1]);
  set(blockSize.z, threads[2]);
  EValue tx = EValue::perLane(count, 1), ty = tx, tz = tx;
  for (unsigned lane = 0; lane < count; ++lane) {
    tx.at(lane) = lane % threads[0];
    ty.at(lane) = lane / threads[0] % threads[1];
    tz.at(lane) = lane / (threads[0] * threads[1]);
  }
  values[threadIds.x] = tx;
  values[threadIds.y] = ty;
  values[threadIds.z] = tz;

  llvm::DenseMap<Storage *, std::vector<int64_t>> globalWriters;
  int64_t blockIndex = 0;
  for (int64_t z = 0; z < grid[2]; ++z)
    for (int64_t y = 0; y < grid[1]; ++y)
      for (int64_t x = 0; x < grid[0]; ++x, ++blockIndex) {
        ++report.blocks;
        set(blockIds.x, x);
        set(blockIds.y, y);
        set(blockIds.z, z);
        ThreadBlock current{SharedMemoryHazards(count),
                            blockIndex * int64_t(count), globalWriters};
        // Shared memory gets addresses of its own, from 16 and only
        // 16-byte aligned (what glu-align-workgroup-memory asks for).
        uint64_t sharedAddress = 16;
        for (BlockArgument shared : op.getWorkgroupAttributions()) {
          auto type = cast<MemRefType>(shared.getType());
          View view = makeView(type.getElementType(), type.getShape());
          Storage &storage = *view.storage;
          storage.workgroup = true;
          storage.address = sharedAddress;
          sharedAddress +=
              (storage.bits.size() *
                   std::max(1u, bitWidth(type.getElementType()) / 8) +
               15) /
              16 * 16;
          current.shared.push_back(&storage);
          values[shared] = EValue::ofView(view);
        }
        // Dynamic shared memory after the static, aligned to 1024 bytes
        // (what glu-declare-dynamic-shared-memory declares: where a
        // 128-byte swizzle's pattern starts).
        if (Value size = op.getDynamicSharedMemorySize()) {
          current.dynamicAddress = (sharedAddress + 1023) / 1024 * 1024;
          current.dynamicBytes = uint64_t(integer(size));
        }
        block = &current;
        SmallVector<EValue> ignored;
        LogicalResult ran = runBlock(body, Lanes::all(count), ignored);
        std::string pending = current.hazards.finish();
        block = nullptr;
        if (failed(ran))
          return failure();
        if (!pending.empty())
          return op.emitOpError(pending);
        if (!current.pendingWgmmaResults.empty())
          return op.emitOpError("the kernel ends with wgmmas it never "
                                "waited for");
        for (const auto &group : current.mbarriers)
          for (const ThreadBlock::MBarrier &barrier : group)
            if (!barrier.landings.empty())
              return op.emitOpError("the kernel ends with TMA loads whose "
                                    "mbarrier phase never completed");
      }
  return success();
}

LogicalResult Interpreter::runMemoryAccess(Operation &op, const Lanes &lanes) {
  bool isStore = isa<memref::StoreOp, vector::StoreOp>(op);
  Value memref = isStore ? op.getOperand(1) : op.getOperand(0);
  ValueRange indexOperands = op.getOperands().drop_front(isStore ? 2 : 1);
  const View &view = viewOf(memref);
  Type accessType =
      isStore ? op.getOperand(0).getType() : op.getResult(0).getType();
  unsigned width = elementCount(accessType);
  if (auto vector = dyn_cast<VectorType>(accessType);
      vector && vector.getRank() != 1)
    return op.emitOpError("the emulator loads and stores 1-D vectors only");
  EValue result;
  if (!isStore)
    result = EValue::perLane(lanes.count, width);
  bool shared = block && view.storage->workgroup;
  WarpBankAccesses banks(isStore ? report.sharedWrites : report.sharedReads);
  unsigned elementBytes = std::max(1u, bitWidth(view.storage->elementType) / 8);
  for (unsigned lane = 0; lane < lanes.count; ++lane) {
    if (!lanes.active[lane])
      continue;
    SmallVector<int64_t> at = indices(indexOperands, lane);
    if (int64_t first = view.storageIndex(at); shared && first >= 0)
      banks.add(lane, byteAddress(*view.storage, first), width * elementBytes);
    for (unsigned e = 0; e < width; ++e) {
      SmallVector<int64_t> element = at;
      element.back() += e;
      uint64_t bits = isStore ? value(op.getOperand(0)).get(lane, e) : 0;
      if (failed(access(op, view, element, lane, isStore, bits)))
        return failure();
      if (!isStore)
        result.at(lane, e) = bits;
    }
  }
  if (!isStore)
    values[op.getResult(0)] = std::move(result);
  return success();
}

LogicalResult Interpreter::runVectorShuffle(Operation &op, const Lanes &lanes) {
  Value resultValue = op.getResult(0);
  unsigned width = elementCount(resultValue.getType());
  bool uniform = llvm::all_of(op.getOperands(),
                              [&](Value v) { return value(v).lanes == 1; });
  EValue result = uniform ? EValue::uniform(SmallVector<uint64_t>(width, 0))
                          : EValue::perLane(lanes.count, width);
  // The flat offset of a static position in a (vector or struct) type.
  auto flatOffset = [](Type type, ArrayRef<int64_t> position) -> int64_t {
    if (auto vector = dyn_cast<VectorType>(type)) {
      int64_t offset = 0;
      ArrayRef<int64_t> shape = vector.getShape();
      for (auto [i, p] : llvm::enumerate(position)) {
        int64_t tail = 1;
        for (int64_t s : shape.drop_front(i + 1))
          tail *= s;
        offset += p * tail;
      }
      return offset;
    }
    return position.empty() ? 0 : position.front();
  };
  for (unsigned lane = 0; lane < result.lanes; ++lane) {
    if (!uniform && !lanes.active[lane])
      continue;
    LogicalResult ok =
        llvm::TypeSwitch<Operation *, LogicalResult>(&op)
            .Case([&](vector::FromElementsOp o) {
              for (auto [e, v] : llvm::enumerate(o.getElements()))
                result.at(lane, e) = value(v).get(lane);
              return success();
            })
            .Case([&](vector::BroadcastOp o) -> LogicalResult {
              const EValue &source = value(o.getSource());
              if (source.width != 1)
                return o.emitOpError("the emulator broadcasts scalars only");
              for (unsigned e = 0; e < width; ++e)
                result.at(lane, e) = source.get(lane);
              return success();
            })
            .Case([&](vector::ExtractOp o) -> LogicalResult {
              if (!o.getDynamicPosition().empty())
                return o.emitOpError("the emulator needs static positions");
              int64_t offset =
                  flatOffset(o.getSource().getType(), o.getStaticPosition());
              for (unsigned e = 0; e < width; ++e)
                result.at(lane, e) = value(o.getSource()).get(lane, offset + e);
              return success();
            })
            .Case([&](vector::InsertOp o) -> LogicalResult {
              if (!o.getDynamicPosition().empty())
                return o.emitOpError("the emulator needs static positions");
              const EValue &dest = value(o.getDest());
              const EValue &source = value(o.getValueToStore());
              for (unsigned e = 0; e < width; ++e)
                result.at(lane, e) = dest.get(lane, e);
              int64_t offset =
                  flatOffset(o.getDest().getType(), o.getStaticPosition());
              for (unsigned e = 0; e < source.width; ++e)
                result.at(lane, offset + e) = source.get(lane, e);
              return success();
            })
            .Case([&](vector::BitCastOp o) {
              const EValue &source = value(o.getSource());
              unsigned from =
                  bitWidth(o.getSourceVectorType().getElementType());
              unsigned to = bitWidth(o.getResultVectorType().getElementType());
              llvm::APInt all(from * source.width, 0);
              for (unsigned e = 0; e < source.width; ++e)
                all.insertBits(llvm::APInt(from, source.get(lane, e)),
                               e * from);
              for (unsigned e = 0; e < width; ++e)
                result.at(lane, e) = all.extractBitsAsZExtValue(to, e * to);
              return success();
            })
            .Case([&](LLVM::ExtractValueOp o) {
              result.at(lane) =
                  value(o.getContainer()).get(lane, o.getPosition().front());
              return success();
            })
            .Case([&](LLVM::InsertValueOp o) {
              const EValue &container = value(o.getContainer());
              for (unsigned e = 0; e < width; ++e)
                result.at(lane, e) = container.get(lane, e);
              result.at(lane, o.getPosition().front()) =
                  value(o.getValue()).get(lane);
              return success();
            })
            .Default([&](Operation *) { return success(); });
    if (failed(ok))
      return failure();
  }
  values[resultValue] = std::move(result);
  return success();
}

LogicalResult Interpreter::runAsyncCopy(nvgpu::DeviceAsyncCopyOp op,
                                        const Lanes &lanes) {
  if (!block)
    return op.emitOpError("outside a kernel");
  const View &dst = viewOf(op.getDst());
  const View &src = viewOf(op.getSrc());
  int64_t dstElements = op.getDstElements().getZExtValue();
  WarpBankAccesses banks(report.sharedWrites);
  for (unsigned lane = 0; lane < lanes.count; ++lane) {
    if (!lanes.active[lane])
      continue;
    ++report.asyncCopies;
    int64_t srcElements =
        op.getSrcElements() ? integer(op.getSrcElements(), lane) : dstElements;
    if (srcElements < 0 || srcElements > dstElements)
      return op.emitOpError("thread ") << lane << " copies " << srcElements
                                       << " of " << dstElements << " elements";
    SmallVector<int64_t> from = indices(op.getSrcIndices(), lane);
    SmallVector<int64_t> to = indices(op.getDstIndices(), lane);
    // cp.async moves 4, 8 or 16 bytes between addresses aligned to that.
    uint64_t bytes =
        dstElements * std::max(1u, bitWidth(dst.storage->elementType) / 8);
    int64_t fromIndex = src.storageIndex(from), toIndex = dst.storageIndex(to);
    if (fromIndex >= 0 && toIndex >= 0 &&
        (byteAddress(*src.storage, fromIndex) % bytes != 0 ||
         byteAddress(*dst.storage, toIndex) % bytes != 0))
      return op.emitOpError("thread ")
             << lane << " copies " << bytes << " bytes from "
             << formatIndices(from) << " to " << formatIndices(to)
             << ", addresses not aligned to " << bytes << " bytes";
    if (toIndex >= 0)
      banks.add(lane, byteAddress(*dst.storage, toIndex), bytes);
    for (int64_t e = 0; e < dstElements; ++e) {
      uint64_t bits = 0;
      if (e < srcElements) {
        SmallVector<int64_t> element = from;
        element.back() += e;
        if (failed(access(*op, src, element, lane, /*write=*/false, bits)))
          return failure();
      }
      SmallVector<int64_t> element = to;
      element.back() += e;
      int64_t index = dst.storageIndex(element);
      if (index < 0)
        return op.emitOpError("thread ")
               << lane << " copies to " << formatIndices(element)
               << " out of bounds of shared sizes " << formatIndices(dst.sizes);
      std::string hazard =
          block->hazards.beginAsyncWrite(*dst.storage, index, lane, bits);
      if (!hazard.empty())
        return op.emitOpError(hazard);
    }
  }
  values[op.getResult()] = EValue::uniform({});
  return success();
}

/// Whether whole warps run `op`, as warp-collective instructions require.
LogicalResult checkWholeWarps(Operation &op, const Lanes &lanes) {
  for (unsigned warp = 0; warp < lanes.count / kWarpLanes; ++warp) {
    int active = 0;
    for (unsigned l = 0; l < kWarpLanes; ++l)
      active += lanes.active[warp * kWarpLanes + l];
    if (active != 0 && active != int(kWarpLanes))
      return op.emitOpError("warp ")
             << warp << " runs this warp-wide instruction with " << active
             << " of 32 lanes";
  }
  return success();
}

LogicalResult Interpreter::runLdmatrix(nvgpu::LdMatrixOp op,
                                       const Lanes &lanes) {
  if (!block || failed(checkWholeWarps(*op, lanes)))
    return failure();
  const View &view = viewOf(op.getSrcMemref());
  unsigned tiles = op.getNumTiles();
  unsigned elementBits = bitWidth(view.storage->elementType);
  if ((elementBits != 16 && elementBits != 32) ||
      (elementBits == 32 && op.getTranspose()))
    return op.emitOpError("the emulator runs ldmatrix on 16-bit elements, ")
           << "or untransposed on 32-bit ones";
  // 16 bytes a row; a 32-bit element takes a b16 pair's place.
  unsigned rowElements = 128 / elementBits;
  unsigned perMatrix = elementBits == 16 ? 2 : 1;
  EValue result = EValue::perLane(lanes.count, perMatrix * tiles);
  for (unsigned warp = 0; warp < lanes.count / kWarpLanes; ++warp) {
    unsigned first = warp * kWarpLanes;
    if (!lanes.active[first])
      continue;
    ++report.ldmatrix;
    WarpBankAccesses banks(report.sharedReads);
    std::array<LdmatrixRow, kWarpLanes> rows{};
    for (unsigned l = 0; l < 8 * tiles; ++l) {
      SmallVector<int64_t> at = indices(op.getIndices(), first + l);
      // Each row is 16 bytes at a 16-byte aligned address.
      int64_t rowIndex = view.storageIndex(at);
      if (rowIndex >= 0 && byteAddress(*view.storage, rowIndex) % 16 != 0)
        return op->emitOpError("lane ")
               << l << " of warp " << warp << " addresses row "
               << formatIndices(at) << ", not 16-byte aligned";
      if (rowIndex >= 0)
        banks.add(first + l, byteAddress(*view.storage, rowIndex), 16);
      for (unsigned e = 0; e < rowElements; ++e) {
        SmallVector<int64_t> element = at;
        element.back() += e;
        if (failed(access(*op, view, element, first + l, /*write=*/false,
                          rows[l][e])))
          return failure();
      }
    }
    std::array<LdmatrixRegisters, kWarpLanes> registers =
        ldmatrix(rows, tiles, op.getTranspose(), elementBits);
    for (unsigned l = 0; l < kWarpLanes; ++l)
      for (unsigned e = 0; e < perMatrix * tiles; ++e)
        result.at(first + l, e) = registers[l][e];
  }
  values[op.getResult()] = std::move(result);
  return success();
}

LogicalResult Interpreter::runMma(NVVM::MmaOp op, const Lanes &lanes) {
  if (!block || failed(checkWholeWarps(*op, lanes)))
    return failure();
  NVVM::MMAShapeAttr shape = op.getShape();
  std::optional<NVVM::MMATypes> aType = op.getMultiplicandAPtxType();
  bool tf32 = aType == NVVM::MMATypes::tf32 &&
              op.getMultiplicandBPtxType() == aType && shape.getK() == 8;
  if (shape.getM() != 16 || shape.getN() != 8 ||
      (shape.getK() != 16 && !tf32) ||
      op.getLayoutA() != NVVM::MMALayout::row ||
      op.getLayoutB() != NVVM::MMALayout::col || !aType ||
      (*aType != NVVM::MMATypes::bf16 && *aType != NVVM::MMATypes::f16 &&
       !tf32) ||
      op.getMultiplicandBPtxType() != aType)
    return op.emitOpError("the emulator runs row.col mma.sync m16n8k16 ")
           << "with bf16 or f16 operands and m16n8k8 with tf32 only";
  Type elementType = *aType == NVVM::MMATypes::bf16
                         ? Type(BFloat16Type::get(op.getContext()))
                         : Type(Float16Type::get(op.getContext()));
  // The 16-bit elements of a lane's registers: an i32 holds two (the first
  // in its low half), a vector<2xf16> is two.
  auto halves = [&](ValueRange registers, unsigned lane,
                    MutableArrayRef<uint64_t> out) {
    unsigned next = 0;
    for (Value r : registers) {
      const EValue &v = value(r);
      if (tf32) {
        out[next++] = v.get(lane);
      } else if (v.width == 2) {
        out[next++] = v.get(lane, 0);
        out[next++] = v.get(lane, 1);
      } else {
        out[next++] = v.get(lane) & 0xffff;
        out[next++] = (v.get(lane) >> 16) & 0xffff;
      }
    }
  };
  EValue result = EValue::perLane(lanes.count, 4);
  Type f32 = Float32Type::get(op.getContext());
  for (unsigned warp = 0; warp < lanes.count / kWarpLanes; ++warp) {
    unsigned first = warp * kWarpLanes;
    if (!lanes.active[first])
      continue;
    ++report.mmaSync;
    std::array<MmaLaneOperands, kWarpLanes> operands{};
    for (unsigned l = 0; l < kWarpLanes; ++l) {
      halves(op.getOperandA(), first + l, operands[l].a);
      halves(op.getOperandB(), first + l, operands[l].b);
      for (auto [i, c] : llvm::enumerate(op.getOperandC()))
        operands[l].c[i] = decodeScalar(f32, value(c).get(first + l));
    }
    std::array<std::array<float, 4>, kWarpLanes> d =
        tf32 ? mmaSyncM16N8K8Tf32(operands)
             : mmaSyncM16N8K16(elementType, operands);
    for (unsigned l = 0; l < kWarpLanes; ++l)
      for (unsigned i = 0; i < 4; ++i)
        result.at(first + l, i) = encodeScalar(f32, d[l][i]);
  }
  values[op.getResult()] = std::move(result);
  return success();
}

/// Whether every thread of the block runs `op`: the emulator keeps one
/// wgmma state for the whole block, whose warpgroups run in lockstep.
static LogicalResult checkWholeBlock(Operation &op, const Lanes &lanes) {
  if (lanes.count % kWarpgroupThreads != 0)
    return op.emitOpError("a wgmma kernel's blocks are whole warpgroups, not ")
           << lanes.count << " threads";
  if (!lanes.every())
    return op.emitOpError("the emulator runs warpgroup instructions with "
                          "every thread of the block");
  return success();
}

LogicalResult Interpreter::runWgmmaSync(Operation &op, const Lanes &lanes) {
  if (!block)
    return op.emitOpError("outside a kernel");
  if (failed(checkWholeBlock(op, lanes)))
    return failure();
  if (isa<NVVM::WgmmaFenceAlignedOp>(op)) {
    block->wgmmaFenced = true;
  } else if (isa<NVVM::WgmmaGroupSyncAlignedOp>(op)) {
    block->hazards.commitWgmmaGroup();
    block->committedWgmmaResults.push_back(std::move(block->openWgmmaResults));
    block->openWgmmaResults.clear();
  } else {
    auto wait = cast<NVVM::WgmmaWaitGroupSyncOp>(op);
    uint64_t pending = wait.getGroup();
    block->hazards.waitWgmmaGroups(pending);
    while (block->committedWgmmaResults.size() > pending) {
      for (Value v : block->committedWgmmaResults.front())
        block->pendingWgmmaResults.erase(v);
      block->committedWgmmaResults.pop_front();
    }
    // Registers the wgmmas wrote may be touched now: the next wgmma needs
    // a fence again.
    block->wgmmaFenced = false;
  }
  return success();
}

LogicalResult Interpreter::runWgmma(NVVM::WgmmaMmaAsyncOp op,
                                    const Lanes &lanes) {
  if (!block)
    return op.emitOpError("outside a kernel");
  if (failed(checkWholeBlock(*op, lanes)))
    return failure();
  if (!block->wgmmaFenced)
    return op.emitOpError("no wgmma.fence precedes this wgmma since its "
                          "accumulators were last touched");
  NVVM::MMAShapeAttr shape = op.getShape();
  NVVM::WGMMATypes type = op.getTypeA();
  unsigned n = shape.getN();
  if (shape.getM() != 64 || shape.getK() != 16 || n % 8 != 0 || n > 256 ||
      (type != NVVM::WGMMATypes::bf16 && type != NVVM::WGMMATypes::f16) ||
      op.getTypeB() != type || op.getTypeD() != NVVM::WGMMATypes::f32 ||
      op.getScaleA() != NVVM::WGMMAScaleIn::one ||
      op.getScaleB() != NVVM::WGMMAScaleIn::one)
    return op.emitOpError("the emulator runs wgmma m64nNk16 with bf16 or f16 ")
           << "operands, unscaled, and f32 accumulators only";
  Type elementType = type == NVVM::WGMMATypes::bf16
                         ? Type(BFloat16Type::get(op.getContext()))
                         : Type(Float16Type::get(op.getContext()));
  Type f32 = Float32Type::get(op.getContext());
  bool accumulate = op.getScaleD() == NVVM::WGMMAScaleOut::one;
  // A is K-major when "row", B when "col"; the other layouts transpose.
  bool aMnMajor = op.getLayoutA() == NVVM::MMALayout::col;
  bool bMnMajor = op.getLayoutB() == NVVM::MMALayout::row;
  unsigned registers = n / 2;
  const EValue &inouts = value(op.getInouts());
  if (inouts.width != registers)
    return op.emitOpError("the accumulator struct has ")
           << inouts.width << " members, m64n" << n << " needs " << registers;
  EValue result = EValue::perLane(lanes.count, registers);
  for (unsigned first = 0; first < lanes.count; first += kWarpgroupThreads) {
    ++report.wgmma;
    // The descriptors must be the same in every thread of the warpgroup.
    uint64_t descriptorBits[2];
    Value descriptors[2] = {op.getDescriptorA(), op.getDescriptorB()};
    for (auto [i, operand] : llvm::enumerate(descriptors)) {
      descriptorBits[i] = value(operand).get(first);
      for (unsigned t = 1; t < kWarpgroupThreads; ++t)
        if (value(operand).get(first + t) != descriptorBits[i])
          return op.emitOpError("thread ")
                 << first + t << " passes a different descriptor "
                 << (i ? "B" : "A") << " than thread " << first
                 << " of its warpgroup";
    }
    // Reads element (mn, k) of an operand through its descriptor.
    auto readOperand = [&](uint64_t bits, bool mnMajor, int64_t mn, int64_t k,
                           double &out) -> LogicalResult {
      WgmmaDescriptor descriptor = decodeWgmmaDescriptor(bits);
      std::string unsupported = unsupportedWgmmaDescriptor(descriptor);
      if (!unsupported.empty())
        return op.emitOpError(unsupported);
      uint64_t address = wgmmaElementAddress(descriptor, mnMajor, mn, k);
      for (Storage *storage : block->shared) {
        unsigned bytes = std::max(1u, bitWidth(storage->elementType) / 8);
        if (address < storage->address ||
            address >= storage->address + storage->bits.size() * bytes)
          continue;
        if (storage->elementType != elementType ||
            (address - storage->address) % bytes != 0)
          return op.emitOpError("a wgmma operand element at shared address ")
                 << address << " is not a " << elementType
                 << " element of the shared buffer it falls in";
        int64_t index = (address - storage->address) / bytes;
        std::string hazard = block->hazards.wgmmaRead(*storage, index, first);
        if (hazard.empty())
          hazard = block->tmaVisibility(*storage, index, first);
        if (!hazard.empty())
          return op.emitOpError(hazard);
        out = decodeScalar(elementType, storage->bits[index]);
        return success();
      }
      return op.emitOpError("a wgmma operand element at shared address ")
             << address << " lies outside the block's shared memory";
    };
    std::vector<double> a(64 * 16), b(16 * n);
    for (int64_t m = 0; m < 64; ++m)
      for (int64_t k = 0; k < 16; ++k)
        if (failed(
                readOperand(descriptorBits[0], aMnMajor, m, k, a[m * 16 + k])))
          return failure();
    for (int64_t k = 0; k < 16; ++k)
      for (int64_t col = 0; col < n; ++col)
        if (failed(readOperand(descriptorBits[1], bMnMajor, col, k,
                               b[k * n + col])))
          return failure();
    // D = A B (+ D): products exact, each sum rounded once to f32, as the
    // emulator's mma.sync does.
    for (unsigned t = 0; t < kWarpgroupThreads; ++t)
      for (unsigned i = 0; i < registers; ++i) {
        auto [row, col] = wgmmaAccumulatorPosition(t, i);
        double sum =
            accumulate ? decodeScalar(f32, inouts.get(first + t, i)) : 0.0;
        for (unsigned k = 0; k < 16; ++k)
          sum += a[row * 16 + k] * b[k * n + col];
        result.at(first + t, i) = encodeScalar(f32, float(sum));
      }
  }
  values[op.getResult()] = std::move(result);
  // A wgmma in a loop redefines its result: the previous iteration's
  // group no longer holds it.
  forwardPending(op.getResult(), Value());
  block->openWgmmaResults.push_back(op.getResult());
  block->pendingWgmmaResults.insert(op.getResult());
  return success();
}

ThreadBlock::MBarrier *Interpreter::mbarrier(Operation &op, Value group,
                                             Value id, unsigned lane) {
  uint64_t g = value(group).get(lane);
  int64_t i = integer(id, lane);
  if (g >= block->mbarriers.size() || i < 0 ||
      i >= int64_t(block->mbarriers[g].size())) {
    op.emitOpError("thread ")
        << lane << " addresses mbarrier " << i << " outside its group";
    return nullptr;
  }
  return &block->mbarriers[g][i];
}

void Interpreter::completePhaseIfDone(ThreadBlock::MBarrier &barrier) {
  if (!barrier.initialized || barrier.arrived < barrier.expected ||
      barrier.transactionBytes != 0)
    return;
  for (const ThreadBlock::MBarrier::Landing &l : barrier.landings) {
    block->hazards.landTmaWrite(*l.storage, l.index, l.bits);
    block->tagTmaWrite(*l.storage, l.index, &barrier, barrier.completedPhases);
  }
  barrier.landings.clear();
  barrier.arrived = 0;
  ++barrier.completedPhases;
}

LogicalResult Interpreter::runMBarrier(Operation &op, const Lanes &lanes) {
  if (!block)
    return op.emitOpError("outside a kernel");
  if (auto create = dyn_cast<nvgpu::MBarrierCreateOp>(op)) {
    unsigned count = create.getBarriers().getType().getNumBarriers();
    block->mbarriers.emplace_back(count);
    values[create.getResult()] =
        EValue::uniform({uint64_t(block->mbarriers.size() - 1)});
    return success();
  }
  Value predicate;
  if (auto init = dyn_cast<nvgpu::MBarrierInitOp>(op))
    predicate = init.getPredicate();
  else if (auto arrive = dyn_cast<nvgpu::MBarrierArriveExpectTxOp>(op))
    predicate = arrive.getPredicate();
  for (unsigned lane = 0; lane < lanes.count; ++lane) {
    if (!lanes.active[lane] || !predicated(predicate, lane))
      continue;
    auto find = [&](auto o) {
      return mbarrier(op, o.getBarriers(), o.getMbarId(), lane);
    };
    LogicalResult ok =
        llvm::TypeSwitch<Operation *, LogicalResult>(&op)
            .Case([&](nvgpu::MBarrierInitOp o) -> LogicalResult {
              ThreadBlock::MBarrier *b = find(o);
              if (!b)
                return failure();
              *b = ThreadBlock::MBarrier();
              b->initialized = true;
              b->expected = integer(o.getCount(), lane);
              return success();
            })
            .Case([&](nvgpu::MBarrierArriveExpectTxOp o) -> LogicalResult {
              ThreadBlock::MBarrier *b = find(o);
              if (!b)
                return failure();
              if (!b->initialized)
                return op.emitOpError("thread ")
                       << lane << " arrives on an mbarrier nobody initialized";
              b->transactionBytes += integer(o.getTxcount(), lane);
              ++b->arrived;
              completePhaseIfDone(*b);
              return success();
            })
            .Case([&](nvgpu::MBarrierTryWaitParityOp o) -> LogicalResult {
              ThreadBlock::MBarrier *b = find(o);
              if (!b)
                return failure();
              // The phase of parity P is complete once the current one has
              // the other parity; lockstep, nothing can complete it now.
              uint64_t parity = value(o.getPhaseParity()).get(lane) & 1;
              if (b->completedPhases % 2 == parity)
                return op.emitOpError("thread ")
                       << lane << " waits for mbarrier phase parity " << parity
                       << " that never completes (" << b->arrived << " of "
                       << b->expected << " arrivals, " << b->transactionBytes
                       << " transaction bytes outstanding)";
              std::vector<uint64_t> &seen = block->phasesSeen[b];
              if (seen.empty())
                seen.assign(lanes.count, 0);
              seen[lane] = b->completedPhases;
              return success();
            })
            .Default([&](Operation *) { return success(); });
    if (failed(ok))
      return failure();
  }
  return success();
}

/// The bytes of a swizzled row of a tensor map's swizzle, 0 for none.
static unsigned tmaSwizzleBytes(nvgpu::TensorMapSwizzleKind kind) {
  switch (kind) {
  case nvgpu::TensorMapSwizzleKind::SWIZZLE_32B:
    return 32;
  case nvgpu::TensorMapSwizzleKind::SWIZZLE_64B:
    return 64;
  case nvgpu::TensorMapSwizzleKind::SWIZZLE_128B:
    return 128;
  default:
    return 0;
  }
}

LogicalResult Interpreter::runTmaLoad(nvgpu::TmaAsyncLoadOp op,
                                      const Lanes &lanes) {
  if (!block)
    return op.emitOpError("outside a kernel");
  if (op.getMulticastMask())
    return op.emitOpError("the emulator runs TMA loads without multicast");
  const EValue &map = value(op.getTensorMapDescriptor());
  if (!map.view)
    return op.emitOpError("the tensor map is not one the host created");
  const View &global = *map.view;
  const View &dst = viewOf(op.getDst());
  unsigned rank = global.sizes.size();
  SmallVector<int64_t> box;
  for (unsigned d = 0; d < map.width; ++d)
    box.push_back(int64_t(map.get(0, d)));
  if (box.size() != rank || dst.sizes != box ||
      op.getCoordinates().size() != rank)
    return op.emitOpError("the destination and coordinates must match the "
                          "tensor map's box");
  unsigned elementBytes =
      std::max(1u, bitWidth(global.storage->elementType) / 8);
  // A swizzled box lands row after row from the destination's address,
  // each element where swizzleSharedAddress puts it.
  unsigned swizzleBytes =
      tmaSwizzleBytes(cast<nvgpu::TensorMapDescriptorType>(
                          op.getTensorMapDescriptor().getType())
                          .getSwizzle());
  uint64_t dstAddress = 0;
  if (swizzleBytes) {
    if (box.back() * elementBytes != swizzleBytes)
      return op.emitOpError("the emulator runs swizzled TMA loads whose box ")
             << "rows are the swizzle's " << swizzleBytes << " bytes, not "
             << box.back() * elementBytes;
    SmallVector<int64_t> rowMajor(rank, 1);
    for (unsigned d = rank - 1; d > 0; --d)
      rowMajor[d - 1] = rowMajor[d] * box[d];
    if (dst.strides != rowMajor)
      return op.emitOpError("a swizzled TMA load writes a contiguous box");
    dstAddress = dst.storage->address + uint64_t(dst.offset) * elementBytes;
    if (dstAddress % (8 * swizzleBytes) != 0)
      return op.emitOpError("a TMA load with a ")
             << swizzleBytes << "-byte swizzle writes to shared address "
             << dstAddress << ", not a multiple of " << 8 * swizzleBytes
             << " bytes where its pattern starts";
  }
  for (unsigned lane = 0; lane < lanes.count; ++lane) {
    if (!lanes.active[lane] || !predicated(op.getPredicate(), lane))
      continue;
    ThreadBlock::MBarrier *barrier =
        mbarrier(*op, op.getBarriers(), op.getMbarId(), lane);
    if (!barrier)
      return failure();
    if (!barrier->initialized)
      return op.emitOpError("thread ")
             << lane << " loads with an mbarrier nobody initialized";
    ++report.tmaLoads;
    // Coordinates are innermost first; the box's origin in memref order.
    SmallVector<int64_t> origin = indices(op.getCoordinates(), lane);
    std::reverse(origin.begin(), origin.end());
    LogicalResult ok = success();
    forEachIndex(box, [&](ArrayRef<int64_t> at) {
      if (failed(ok))
        return;
      SmallVector<int64_t> source(origin);
      bool inside = true;
      for (unsigned d = 0; d < rank; ++d) {
        source[d] += at[d];
        inside &= source[d] >= 0 && source[d] < global.sizes[d];
      }
      // Out of bounds: zero fill.
      uint64_t bits = 0;
      if (inside &&
          failed(access(*op, global, source, lane, /*write=*/false, bits))) {
        ok = failure();
        return;
      }
      int64_t index;
      if (swizzleBytes) {
        int64_t linear = 0;
        for (unsigned d = 0; d < rank; ++d)
          linear = linear * box[d] + at[d];
        uint64_t address = swizzleSharedAddress(
            dstAddress + uint64_t(linear) * elementBytes, swizzleBytes);
        index = int64_t((address - dst.storage->address) / elementBytes);
      } else {
        index = dst.storageIndex(at);
      }
      std::string hazard =
          block->hazards.beginTmaWrite(*dst.storage, index, lane);
      if (!hazard.empty()) {
        ok = op.emitOpError(hazard);
        return;
      }
      barrier->landings.push_back({dst.storage.get(), index, bits});
    });
    if (failed(ok))
      return failure();
    barrier->transactionBytes -= dst.numElements() * elementBytes;
    completePhaseIfDone(*barrier);
  }
  return success();
}

LogicalResult Interpreter::runGeneric(linalg::GenericOp op) {
  if (!op.hasPureTensorSemantics())
    return op.emitOpError("the emulator runs linalg on tensors only");
  SmallVector<int64_t> operandSizes;
  for (OpOperand &operand : op->getOpOperands())
    if (isa<ShapedType>(operand.get().getType()))
      llvm::append_range(operandSizes, viewOf(operand.get()).sizes);
  AffineMap shapesToLoops = op.getShapesToLoopsMap();
  if (!shapesToLoops)
    return op.emitOpError("the emulator cannot derive the loop ranges");
  SmallVector<int64_t> ranges = evaluateMap(shapesToLoops, operandSizes);
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  SmallVector<View> outputs;
  for (Value init : op.getDpsInits())
    outputs.push_back(copyDense(viewOf(init)));
  Block &body = op.getRegion().front();
  unsigned numInputs = op.getNumDpsInputs();
  LogicalResult status = success();
  SmallVector<EValue> yielded;
  forEachIndex(ranges, [&](ArrayRef<int64_t> point) {
    if (failed(status))
      return;
    genericPoint.assign(point.begin(), point.end());
    for (auto [i, operand] : llvm::enumerate(op->getOperands())) {
      BlockArgument arg = body.getArgument(i);
      if (!isa<ShapedType>(operand.getType())) {
        values[arg] = value(operand);
        continue;
      }
      const View &view =
          i < numInputs ? viewOf(operand) : outputs[i - numInputs];
      int64_t index = view.storageIndex(evaluateMap(maps[i], point));
      if (index < 0) {
        status = op.emitOpError("reads out of bounds of operand ") << i;
        return;
      }
      values[arg] = EValue::uniform({view.storage->bits[index]});
    }
    if (failed(runBlock(body, Lanes(), yielded))) {
      status = failure();
      return;
    }
    for (auto [o, output] : llvm::enumerate(outputs)) {
      int64_t index =
          output.storageIndex(evaluateMap(maps[numInputs + o], point));
      output.storage->bits[index] = yielded[o].get(0);
    }
  });
  if (failed(status))
    return failure();
  for (auto [result, output] : llvm::zip(op.getResults(), outputs))
    values[result] = EValue::ofView(output);
  return success();
}

LogicalResult Interpreter::runViewOp(Operation &op, const Lanes &lanes) {
  auto sliceOf = [&](const View &source, ArrayRef<OpFoldResult> offsets,
                     ArrayRef<OpFoldResult> sizes,
                     ArrayRef<OpFoldResult> strides,
                     const llvm::SmallBitVector &dropped) {
    View slice;
    slice.storage = source.storage;
    slice.offset = source.offset;
    for (unsigned d = 0; d < source.sizes.size(); ++d) {
      slice.offset += foldResult(offsets[d]) * source.strides[d];
      if (dropped.test(d))
        continue;
      slice.sizes.push_back(foldResult(sizes[d]));
      slice.strides.push_back(foldResult(strides[d]) * source.strides[d]);
    }
    return slice;
  };
  auto reshaped = [&](const View &source, ArrayRef<int64_t> shape) {
    View dense = isContiguous(source) ? source : copyDense(source);
    dense.sizes.assign(shape.begin(), shape.end());
    dense.strides = rowMajorStrides(shape);
    return dense;
  };
  auto define = [&](Value result, View view) {
    values[result] = EValue::ofView(std::move(view));
    return success();
  };
  auto newShape = [&](ShapedType type, ValueRange dynamic) {
    SmallVector<int64_t> shape;
    unsigned next = 0;
    for (int64_t s : type.getShape())
      shape.push_back(ShapedType::isDynamic(s) ? integer(dynamic[next++]) : s);
    return shape;
  };
  if (block && !isa<memref::ExtractStridedMetadataOp,
                    memref::ExtractAlignedPointerAsIndexOp, memref::DimOp,
                    memref::SubViewOp>(op))
    return op.emitOpError("the emulator does not run this in a kernel");
  if (block && llvm::any_of(op.getOperands(), [&](Value v) {
        return !value(v).view && value(v).lanes != 1;
      }))
    return op.emitOpError("the emulator takes views with the same operands "
                          "in every thread");

  return llvm::TypeSwitch<Operation *, LogicalResult>(&op)
      .Case([&](tensor::EmptyOp o) {
        return define(o.getResult(),
                      newView(o.getType().getElementType(),
                              newShape(o.getType(), o.getDynamicSizes())));
      })
      .Case([&](memref::AllocOp o) -> LogicalResult {
        if (!o.getType().getLayout().isIdentity())
          return o.emitOpError("the emulator allocates identity layouts only");
        return define(o.getResult(),
                      newView(o.getType().getElementType(),
                              newShape(o.getType(), o.getDynamicSizes())));
      })
      .Case<tensor::DimOp, memref::DimOp>([&](Operation *o) {
        int64_t d = integer(o->getOperand(1));
        values[o->getResult(0)] =
            EValue::uniform({uint64_t(viewOf(o->getOperand(0)).sizes[d])});
        return success();
      })
      .Case<tensor::CastOp, memref::CastOp, bufferization::ToBufferOp,
            bufferization::ToTensorOp>([&](Operation *o) {
        return define(o->getResult(0), viewOf(o->getOperand(0)));
      })
      .Case([&](tensor::ExtractSliceOp o) {
        return define(o.getResult(),
                      sliceOf(viewOf(o.getSource()), o.getMixedOffsets(),
                              o.getMixedSizes(), o.getMixedStrides(),
                              o.getDroppedDims()));
      })
      .Case([&](memref::SubViewOp o) {
        return define(o.getResult(),
                      sliceOf(viewOf(o.getSource()), o.getMixedOffsets(),
                              o.getMixedSizes(), o.getMixedStrides(),
                              o.getDroppedDims()));
      })
      .Case([&](tensor::InsertSliceOp o) {
        View dest = copyDense(viewOf(o.getDest()));
        llvm::SmallBitVector dropped(dest.sizes.size());
        View target = sliceOf(dest, o.getMixedOffsets(), o.getMixedSizes(),
                              o.getMixedStrides(), dropped);
        const View &source = viewOf(o.getSource());
        // The source drops the target's unit dimensions it does not have.
        View squeezed = target;
        if (source.sizes.size() != target.sizes.size()) {
          squeezed.sizes.clear();
          squeezed.strides.clear();
          for (auto [s, st] : llvm::zip(target.sizes, target.strides))
            if (s != 1) {
              squeezed.sizes.push_back(s);
              squeezed.strides.push_back(st);
            }
        }
        forEachIndex(source.sizes, [&](ArrayRef<int64_t> index) {
          dest.storage->bits[squeezed.storageIndex(index)] =
              source.storage->bits[source.storageIndex(index)];
        });
        return define(o.getResult(), dest);
      })
      .Case([&](tensor::ExpandShapeOp o) {
        SmallVector<int64_t> shape;
        for (OpFoldResult r : o.getMixedOutputShape())
          shape.push_back(foldResult(r));
        return define(o.getResult(), reshaped(viewOf(o.getSrc()), shape));
      })
      .Case([&](tensor::CollapseShapeOp o) {
        const View &source = viewOf(o.getSrc());
        SmallVector<int64_t> shape;
        for (ReassociationIndices group : o.getReassociationIndices()) {
          int64_t size = 1;
          for (int64_t d : group)
            size *= source.sizes[d];
          shape.push_back(size);
        }
        return define(o.getResult(), reshaped(source, shape));
      })
      .Case([&](tensor::ExtractOp o) -> LogicalResult {
        const View &source = viewOf(o.getTensor());
        int64_t index = source.storageIndex(indices(o.getIndices(), 0));
        if (index < 0)
          return o.emitOpError("reads out of bounds");
        values[o.getResult()] = EValue::uniform({source.storage->bits[index]});
        return success();
      })
      .Case([&](memref::CopyOp o) {
        const View &source = viewOf(o.getSource());
        const View &target = viewOf(o.getTarget());
        forEachIndex(source.sizes, [&](ArrayRef<int64_t> index) {
          target.storage->bits[target.storageIndex(index)] =
              source.storage->bits[source.storageIndex(index)];
        });
        return success();
      })
      .Case([&](memref::DeallocOp) { return success(); })
      .Case([&](memref::ExtractStridedMetadataOp o) {
        const View &source = viewOf(o.getSource());
        View base;
        base.storage = source.storage;
        values[o.getBaseBuffer()] = EValue::ofView(base);
        values[o.getOffset()] = EValue::uniform({uint64_t(source.offset)});
        for (auto [result, size] : llvm::zip(o.getSizes(), source.sizes))
          values[result] = EValue::uniform({uint64_t(size)});
        for (auto [result, stride] : llvm::zip(o.getStrides(), source.strides))
          values[result] = EValue::uniform({uint64_t(stride)});
        return success();
      })
      .Case([&](memref::ExtractAlignedPointerAsIndexOp o) {
        values[o.getResult()] =
            EValue::uniform({viewOf(o.getSource()).storage->address});
        return success();
      })
      .Default([&](Operation *o) {
        return o->emitOpError("the emulator does not know this operation");
      });
}

} // namespace

FailureOr<SmallVector<View>> KernelEmulator::run(func::FuncOp func,
                                                 ArrayRef<View> arguments) {
  lastReport = Report();
  Interpreter interpreter(lastReport);
  return interpreter.runFunction(func, arguments);
}

} // namespace glu::emulator
