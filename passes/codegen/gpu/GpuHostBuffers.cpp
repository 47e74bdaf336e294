//===- GpuHostBuffers.cpp - host code never touches device memory ---------===//
//
// glu-gpu-host-buffers: after bufferization and after linalg was mapped to
// gpu.launch (before gpu-kernel-outlining), rewrites what is left of memory
// traffic in host functions so that the host only passes device pointers
// around: allocations and copies go through the gpu dialect (mgpu* calls in
// the end), leftover scalar memref code runs in one-thread kernels (with the
// kernels a host loop launched run inside as loops), and a value host code
// needs from device memory is read from a host copy.
//
//===----------------------------------------------------------------------===//

#include "passes/codegen/gpu/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Support/Debug.h"

namespace mlir::ffn {
#define GEN_PASS_DEF_GLUGPUHOSTBUFFERS
#include "passes/codegen/gpu/Passes.h.inc"
} // namespace mlir::ffn

using namespace mlir;
using namespace mlir::ffn;

#define DEBUG_TYPE "glu-gpu-host-buffers"

namespace {

constexpr int64_t kCopyThreads = 256;

/// Whether `op` (or anything nested in it, kernels excepted) reads or writes
/// memory through a memref, which the host must not do.
static bool touchesMemrefs(Operation *op) {
  WalkResult result = op->walk<WalkOrder::PreOrder>([](Operation *nested) {
    // A kernel launched from a host loop is fine: its body is device code.
    if (isa<gpu::LaunchOp>(nested))
      return WalkResult::skip();
    if (isa<memref::LoadOp, memref::StoreOp, memref::AtomicRMWOp,
            memref::GenericAtomicRMWOp>(nested))
      return WalkResult::interrupt();
    if (isa<memref::CopyOp>(nested))
      return WalkResult::interrupt();
    return WalkResult::advance();
  });
  return result.wasInterrupted();
}

/// Whether the buffer `memref` (or a view of it) is freed already, leaves
/// its block through the terminator, or is stored somewhere: then it must not
/// be freed at the end of its block.
static bool escapesOrIsFreed(Value memref) {
  SmallVector<Value> worklist = {memref};
  Block *block = memref.getParentBlock();
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    for (Operation *user : value.getUsers()) {
      if (isa<memref::DeallocOp>(user) || user == block->getTerminator() ||
          user->hasTrait<OpTrait::IsTerminator>())
        return true;
      if (auto store = dyn_cast<memref::StoreOp>(user))
        if (store.getValueToStore() == value)
          return true;
      if (isa<ViewLikeOpInterface>(user) ||
          isa<memref::CastOp, memref::ReinterpretCastOp>(user))
        llvm::append_range(worklist, user->getResults());
    }
  }
  return false;
}

/// Builds a gpu.launch with `grid` x 1 x 1 CTAs of `threads` threads and
/// calls `body(builder, blockId, threadId)` inside it.
static void buildLaunch(OpBuilder &b, Location loc, Value grid, int64_t threads,
                        function_ref<void(OpBuilder &, Value, Value)> body) {
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value block = arith::ConstantIndexOp::create(b, loc, threads);
  auto launch = gpu::LaunchOp::create(b, loc, grid, one, one, block, one, one);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&launch.getBody().front());
  body(b, launch.getBlockIds().x, launch.getThreadIds().x);
  gpu::TerminatorOp::create(b, loc);
}

/// dst = src elementwise by a kernel with one thread per element (any
/// layouts).
static void buildCopyKernel(OpBuilder &b, Location loc, Value src, Value dst) {
  auto type = cast<MemRefType>(src.getType());
  SmallVector<Value> dims;
  Value total = arith::ConstantIndexOp::create(b, loc, 1);
  for (int64_t d = 0; d < type.getRank(); ++d) {
    dims.push_back(memref::DimOp::create(b, loc, src, d));
    total = arith::MulIOp::create(b, loc, total, dims.back());
  }
  Value perBlock = arith::ConstantIndexOp::create(b, loc, kCopyThreads);
  Value grid = arith::DivUIOp::create(
      b, loc,
      arith::AddIOp::create(
          b, loc, total,
          arith::ConstantIndexOp::create(b, loc, kCopyThreads - 1)),
      perBlock);
  grid = arith::MaxUIOp::create(b, loc, grid,
                                arith::ConstantIndexOp::create(b, loc, 1));
  buildLaunch(
      b, loc, grid, kCopyThreads, [&](OpBuilder &kb, Value bid, Value tid) {
        Value linear = arith::AddIOp::create(
            kb, loc, arith::MulIOp::create(kb, loc, bid, perBlock), tid);
        Value inBounds = arith::CmpIOp::create(
            kb, loc, arith::CmpIPredicate::ult, linear, total);
        auto ifOp = scf::IfOp::create(kb, loc, inBounds, false);
        OpBuilder::InsertionGuard guard(kb);
        kb.setInsertionPointToStart(ifOp.thenBlock());
        // Row-major delinearization, last dimension fastest.
        SmallVector<Value> indices(dims.size());
        Value rest = linear;
        for (int64_t d = static_cast<int64_t>(dims.size()) - 1; d >= 0; --d) {
          indices[d] = arith::RemUIOp::create(kb, loc, rest, dims[d]);
          rest = arith::DivUIOp::create(kb, loc, rest, dims[d]);
        }
        Value v = memref::LoadOp::create(kb, loc, src, indices);
        memref::StoreOp::create(kb, loc, v, dst, indices);
      });
}

static bool isContiguous(Value memref) {
  auto type = cast<MemRefType>(memref.getType());
  return type.getLayout().isIdentity();
}

/// Replaces each gpu.launch nested in `root` (code that already runs in a
/// one-thread kernel) by loops over its blocks and threads that run its
/// body in turn. A body that synchronizes threads or shares workgroup
/// memory cannot be run so: an error.
static LogicalResult serializeNestedLaunches(Operation *root) {
  SmallVector<gpu::LaunchOp> launches;
  root->walk([&](gpu::LaunchOp launch) { launches.push_back(launch); });
  for (gpu::LaunchOp launch : launches) {
    Region &body = launch.getBody();
    if (!body.hasOneBlock() || !launch.getWorkgroupAttributions().empty() ||
        !launch.getPrivateAttributions().empty() ||
        body.walk([](gpu::BarrierOp) { return WalkResult::interrupt(); })
            .wasInterrupted())
      return launch.emitOpError(
          "is launched from host code on device memory that runs in a "
          "one-thread kernel, and its threads synchronize or share memory");
    OpBuilder b(launch);
    Location loc = launch.getLoc();
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    gpu::KernelDim3 grid = launch.getGridSizeOperandValues();
    gpu::KernelDim3 block = launch.getBlockSizeOperandValues();
    IRMapping mapping;
    auto mapDims = [&](gpu::KernelDim3 from, gpu::KernelDim3 to) {
      mapping.map(from.x, to.x);
      mapping.map(from.y, to.y);
      mapping.map(from.z, to.z);
    };
    mapDims(launch.getGridSize(), grid);
    mapDims(launch.getBlockSize(), block);
    // Blocks outermost, then threads; x fastest within each.
    Value ids[6];
    Value bounds[6] = {grid.z, grid.y, grid.x, block.z, block.y, block.x};
    for (int i = 0; i < 6; ++i) {
      auto loop = scf::ForOp::create(b, loc, zero, bounds[i], one);
      ids[i] = loop.getInductionVar();
      b.setInsertionPoint(loop.getBody()->getTerminator());
    }
    mapDims(launch.getBlockIds(), {ids[2], ids[1], ids[0]});
    mapDims(launch.getThreadIds(), {ids[5], ids[4], ids[3]});
    for (Operation &op : body.front().without_terminator())
      b.clone(op, mapping);
    launch.erase();
  }
  return success();
}

/// The most elements of a buffer the host copies back to read one of them.
constexpr int64_t kMaxHostReadElements = 1024;

/// Whether `op` can run on one thread of a kernel as it is: loads, stores
/// and pure scalar code without regions.
static bool isMovableScalarOp(Operation *op) {
  if (isa<memref::LoadOp, memref::StoreOp>(op))
    return true;
  return op->getNumRegions() == 0 && isMemoryEffectFree(op) &&
         !op->hasTrait<OpTrait::IsTerminator>() &&
         !isa<memref::AllocOp, memref::AllocaOp>(op);
}

/// The straight-line code around host load `seed` that can move into a
/// kernel (in block order): the loads, the pure ops computing on what they
/// read, the stores of the results. Empty if some of it feeds host code
/// (an offset, a loop bound, a returned value) or other memory accesses
/// lie between its ops (moving them would reorder memory traffic).
static SmallVector<Operation *> scalarCodeAround(memref::LoadOp seed) {
  Block *block = seed->getBlock();
  llvm::SetVector<Operation *> members;
  SmallVector<Operation *> worklist = {seed};
  members.insert(seed);
  // Whether `op` computes on something loaded in this block.
  DenseMap<Operation *, bool> dependsMemo;
  std::function<bool(Operation *)> dependsOnLoad = [&](Operation *op) {
    if (isa<memref::LoadOp>(op))
      return true;
    auto [it, inserted] = dependsMemo.try_emplace(op, false);
    if (!inserted)
      return it->second;
    bool depends = false;
    for (Value operand : op->getOperands())
      if (Operation *def = operand.getDefiningOp())
        if (def->getBlock() == block && isMovableScalarOp(def) &&
            dependsOnLoad(def))
          depends = true;
    return dependsMemo[op] = depends;
  };
  while (!worklist.empty()) {
    Operation *op = worklist.pop_back_val();
    for (Value result : op->getResults())
      for (Operation *user : result.getUsers()) {
        if (user->getBlock() != block || !isMovableScalarOp(user))
          return {};
        if (members.insert(user))
          worklist.push_back(user);
      }
    for (Value operand : op->getOperands()) {
      Operation *def = operand.getDefiningOp();
      if (!def || def->getBlock() != block || !isMovableScalarOp(def) ||
          !dependsOnLoad(def))
        continue;
      if (members.insert(def))
        worklist.push_back(def);
    }
  }
  SmallVector<Operation *> ordered(members.begin(), members.end());
  llvm::sort(ordered,
             [](Operation *a, Operation *b) { return a->isBeforeInBlock(b); });
  for (Operation *op = ordered.front(); op != ordered.back();
       op = op->getNextNode()) {
    if (members.contains(op))
      continue;
    bool quiet =
        op->getNumRegions() == 0 &&
        (isMemoryEffectFree(op) || isa<memref::AllocOp, memref::AllocaOp>(op));
    if (!quiet)
      return {};
  }
  return ordered;
}

/// Host scalar code on device memory (what a rank-0 linalg op becomes):
/// straight-line code that only loads, computes and stores runs in a
/// one-thread kernel; a loaded value that host code needs (an offset into
/// a buffer, say) is read from a host copy of its small buffer instead
/// (gpu-async-region waits for the copy before the read).
static LogicalResult moveHostScalarCode(func::FuncOp func) {
  SmallVector<memref::LoadOp> loads;
  for (Block &block : func.getBody())
    for (auto load : block.getOps<memref::LoadOp>())
      loads.push_back(load);
  DenseSet<Operation *> moved;
  OpBuilder b(func.getContext());
  for (memref::LoadOp load : loads) {
    if (moved.contains(load))
      continue;
    Location loc = load.getLoc();
    SmallVector<Operation *> code = scalarCodeAround(load);
    if (!code.empty() && llvm::any_of(code, llvm::IsaPred<memref::StoreOp>)) {
      LLVM_DEBUG(llvm::dbgs()
                 << "  " << code.size()
                 << " host scalar ops -> a one-thread kernel: " << loc << "\n");
      b.setInsertionPointAfter(code.back());
      Value one = arith::ConstantIndexOp::create(b, loc, 1);
      buildLaunch(b, loc, one, 1, [&](OpBuilder &kb, Value, Value) {
        IRMapping mapping;
        for (Operation *op : code)
          kb.clone(*op, mapping);
      });
      for (Operation *op : llvm::reverse(code)) {
        moved.insert(op);
        op->erase();
      }
      continue;
    }
    // Host code needs the value: read it from a host copy.
    auto type = cast<MemRefType>(load.getMemRefType());
    if (!type.hasStaticShape() || !type.getLayout().isIdentity() ||
        type.getNumElements() > kMaxHostReadElements)
      return load.emitOpError(
                 "reads device memory on the host; glu-gpu-host-buffers "
                 "cannot move it into a kernel, and copies back only "
                 "buffers of static shape, identity layout and at most ")
             << kMaxHostReadElements << " elements, not " << type;
    LLVM_DEBUG(llvm::dbgs() << "  memref.load for host code -> a host copy "
                               "of its buffer: "
                            << loc << "\n");
    b.setInsertionPoint(load);
    auto host = memref::AllocaOp::create(b, loc, type);
    gpu::MemcpyOp::create(b, loc, /*asyncToken=*/Type(), ValueRange{}, host,
                          load.getMemRef());
    load.getMemrefMutable().assign(host);
    moved.insert(load);
  }
  return success();
}

/// Rewrites one host function; fails (with a diagnostic) on host code that
/// needs a value from device memory.
static LogicalResult rewriteHostFunction(func::FuncOp func) {
  if (failed(moveHostScalarCode(func)))
    return failure();
  SmallVector<Operation *> work;
  // Only the ops outside kernels; gpu.launch bodies are device code.
  func.walk<WalkOrder::PreOrder>([&](Operation *op) {
    if (isa<gpu::LaunchOp>(op))
      return WalkResult::skip();
    if (isa<memref::AllocOp, memref::DeallocOp, memref::CopyOp,
            memref::GetGlobalOp>(op)) {
      work.push_back(op);
      return WalkResult::advance();
    }
    if (op != func.getOperation() && !isa<func::FuncOp>(op) &&
        op->getNumRegions() > 0 && touchesMemrefs(op)) {
      work.push_back(op);
      return WalkResult::skip();
    }
    // A load of a host copy (moveHostScalarCode's) is host code.
    if (auto load = dyn_cast<memref::LoadOp>(op))
      if (load.getMemRef().getDefiningOp<memref::AllocaOp>())
        return WalkResult::advance();
    if (isa<memref::LoadOp, memref::StoreOp, memref::AtomicRMWOp,
            memref::GenericAtomicRMWOp>(op))
      work.push_back(op);
    return WalkResult::advance();
  });

  LLVM_DEBUG(llvm::dbgs() << "@" << func.getSymName() << ": " << work.size()
                          << " host ops touch memory\n");
  OpBuilder b(func.getContext());
  for (Operation *op : work) {
    Location loc = op->getLoc();
    b.setInsertionPoint(op);
    if (auto alloc = dyn_cast<memref::AllocOp>(op)) {
      bool freed = escapesOrIsFreed(alloc.getMemref());
      LLVM_DEBUG(llvm::dbgs() << "  memref.alloc -> gpu.alloc"
                              << (freed ? "" : " + gpu.dealloc at block end")
                              << ": " << loc << "\n");
      auto gpuAlloc = gpu::AllocOp::create(
          b, loc, alloc.getType(), /*asyncToken=*/Type(), ValueRange{},
          alloc.getDynamicSizes(), alloc.getSymbolOperands(),
          /*hostShared=*/false);
      alloc.replaceAllUsesWith(gpuAlloc.getMemref());
      alloc.erase();
      if (!freed) {
        b.setInsertionPoint(gpuAlloc->getBlock()->getTerminator());
        gpu::DeallocOp::create(b, loc, Type(), ValueRange{},
                               gpuAlloc.getMemref());
      }
      continue;
    }
    if (auto dealloc = dyn_cast<memref::DeallocOp>(op)) {
      LLVM_DEBUG(llvm::dbgs()
                 << "  memref.dealloc -> gpu.dealloc: " << loc << "\n");
      gpu::DeallocOp::create(b, loc, /*asyncToken=*/Type(), ValueRange{},
                             dealloc.getMemref());
      dealloc.erase();
      continue;
    }
    if (auto copy = dyn_cast<memref::CopyOp>(op)) {
      bool contiguous =
          isContiguous(copy.getSource()) && isContiguous(copy.getTarget());
      LLVM_DEBUG(llvm::dbgs() << "  memref.copy -> "
                              << (contiguous ? "gpu.memcpy (contiguous)"
                                             : "a copy kernel (strided)")
                              << ": " << loc << "\n");
      if (contiguous)
        gpu::MemcpyOp::create(b, loc, /*asyncToken=*/Type(), ValueRange{},
                              copy.getTarget(), copy.getSource());
      else
        buildCopyKernel(b, loc, copy.getSource(), copy.getTarget());
      copy.erase();
      continue;
    }
    if (auto global = dyn_cast<memref::GetGlobalOp>(op)) {
      // The global lives in host memory: give the kernels a device copy.
      auto type = global.getType();
      if (!type.getLayout().isIdentity() || !type.hasStaticShape())
        return global.emitOpError("a host global the device cannot read");
      LLVM_DEBUG(llvm::dbgs() << "  memref.get_global @" << global.getName()
                              << " -> a device copy: " << loc << "\n");
      b.setInsertionPointAfter(global);
      auto device = gpu::AllocOp::create(b, loc, type, Type(), ValueRange{},
                                         ValueRange{}, ValueRange{}, false);
      global.getResult().replaceAllUsesWith(device.getMemref());
      gpu::MemcpyOp::create(b, loc, Type(), ValueRange{}, device.getMemref(),
                            global.getResult());
      // Free it on the way out when it was made in the function's body.
      if (global->getBlock() == &func.getBody().front()) {
        Operation *terminator = func.getBody().front().getTerminator();
        b.setInsertionPoint(terminator);
        gpu::DeallocOp::create(b, loc, Type(), ValueRange{},
                               device.getMemref());
      }
      continue;
    }
    if (isa<memref::LoadOp, memref::StoreOp, memref::AtomicRMWOp,
            memref::GenericAtomicRMWOp>(op) ||
        op->getNumResults() > 0) {
      // A store whose value never comes back to the host could be wrapped,
      // but a load (or a loop yielding values) feeds host code.
      if (isa<memref::StoreOp>(op) && op->getNumResults() == 0) {
      } else {
        LLVM_DEBUG(llvm::dbgs() << "  " << op->getName()
                                << " feeds host code: cannot move it into a "
                                   "kernel\n");
        return op->emitOpError(
            "reads device memory on the host; glu-gpu-host-buffers cannot "
            "move it into a kernel");
      }
    }
    // The fallback: run the op in a one-thread kernel.
    LLVM_DEBUG(llvm::dbgs() << "  " << op->getName()
                            << " -> a one-thread kernel: " << loc << "\n");
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    Operation *moved = nullptr;
    buildLaunch(b, loc, one, 1, [&](OpBuilder &kb, Value, Value) {
      moved = op->clone();
      kb.insert(moved);
    });
    op->erase();
    // Kernels it launched (a host loop of linalg ops) now run inside it.
    if (failed(serializeNestedLaunches(moved)))
      return failure();
  }

  // memref.get_global uses were redirected above; the remaining one is the
  // memcpy source. (glu-mark-c-interface, later in glu-cuda-pipeline, gives
  // public functions their C interfaces.)
  return success();
}

struct GluGpuHostBuffers : ffn::impl::GluGpuHostBuffersBase<GluGpuHostBuffers> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    for (auto func : module.getOps<func::FuncOp>())
      if (failed(rewriteHostFunction(func)))
        return signalPassFailure();
  }
};

} // namespace
