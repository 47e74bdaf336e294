//===- KernelEmulator.h - run glu's GPU kernels on the CPU ------*- C++ -*-===//
//
// An interpreter for functions at the stage where glu-gpu-gemm has turned
// the GEMMs into gpu.launch kernels and everything else is still linalg on
// tensors (glu-cuda-pipeline's steps 1-2). It runs the threads of a thread
// block in lockstep, one operation at a time for all threads, so that the
// warp-collective operations of the tensor-core kernels (nvgpu.ldmatrix,
// nvvm.mma.sync, nvvm.wgmma.mma_async) see every lane's registers, and
// follows PTX's definitions of those instructions rather than glu's own
// fragment maps. It checks what
// a GPU would not report: every access is in bounds, shared memory is not
// read or written by one thread while another thread wrote or read it since
// the last barrier, nothing reads a cp.async destination before the
// thread's cp.async.wait_group covers it, no global element is written by
// two threads, barriers and warp-collective operations run with every
// thread present; for wgmma, that its operands were fenced for the async
// proxy, that nothing overwrites them and nothing reads its accumulators
// before a wgmma.wait_group covers it, and that a wgmma.fence precedes it.
// It counts the bank wavefronts of the warps' shared accesses
// (SharedMemoryBanks.h). Memory the program allocates starts as NaN;
// shared memory has its own
// addresses (from 16, 16-byte aligned), as wgmma's descriptors need.
//
// The same interpreter runs the reference (convert-ffn-to-linalg's linalg
// on tensors), so the tensor-core kernels are checked numerically on a CPU.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_TEST_EMULATOR_KERNELEMULATOR_H
#define GLU_TEST_EMULATOR_KERNELEMULATOR_H

#include "SharedMemoryBanks.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Types.h"
#include "mlir/Support/LLVM.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace glu::emulator {

/// The elements of one allocation as the raw bits of their type.
struct Storage {
  mlir::Type elementType;
  std::vector<uint64_t> bits;
  /// A device address for element 0, so that kernels' alignment tests
  /// (memref.extract_aligned_pointer_as_index) have something to test.
  uint64_t address = 0;
  /// Workgroup (shared) memory of one thread block.
  bool workgroup = false;
};

/// A strided view of a storage: a memref, or a tensor value.
struct View {
  std::shared_ptr<Storage> storage;
  int64_t offset = 0;
  llvm::SmallVector<int64_t> sizes, strides;

  int64_t numElements() const;
  /// The storage index of `indices`, or -1 when they are out of bounds.
  int64_t storageIndex(llvm::ArrayRef<int64_t> indices) const;
  double get(llvm::ArrayRef<int64_t> indices) const;
};

/// A new row-major view of `shape` over fresh storage, every element NaN
/// (floats) or zero.
View makeView(mlir::Type elementType, llvm::ArrayRef<int64_t> shape);

/// Calls `f` with every index tuple of `sizes`, row-major.
void forEachIndex(llvm::ArrayRef<int64_t> sizes,
                  llvm::function_ref<void(llvm::ArrayRef<int64_t>)> f);

/// What the kernels of the last run did, for tests that must know which
/// path a kernel took.
struct Report {
  int64_t launches = 0, blocks = 0;
  /// Warp-wide instructions, and warpgroup-wide wgmma.mma_async.
  int64_t mmaSync = 0, ldmatrix = 0, wgmma = 0;
  /// Per-thread instructions (TMA loads: each box).
  int64_t asyncCopies = 0, barriers = 0, tmaLoads = 0;
  /// Bank use of the warps' shared-memory writes (stores and cp.async
  /// destinations) and reads (loads and ldmatrix rows).
  BankUse sharedWrites, sharedReads;
};

/// Runs functions of tensors whose GEMMs are gpu.launch kernels.
class KernelEmulator {
public:
  /// Runs `func` on `arguments` (one view per argument, tensors or
  /// memrefs) and returns its results. An operation it cannot run, or a
  /// hazard it finds, is reported as an error at that operation (the
  /// context's diagnostic handler) and the run fails.
  mlir::FailureOr<llvm::SmallVector<View>> run(mlir::func::FuncOp func,
                                               llvm::ArrayRef<View> arguments);

  const Report &report() const { return lastReport; }

private:
  Report lastReport;
};

} // namespace glu::emulator

#endif // GLU_TEST_EMULATOR_KERNELEMULATOR_H
