//===- Passes.td - GluCodegenGpu passes --------------------*- tablegen -*-===//
//
// The GPU back end.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_PASSES_CODEGEN_GPU_PASSES_TD
#define GLU_PASSES_CODEGEN_GPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def GluGpuGemm : Pass<"glu-gpu-gemm"> {
  let summary = "Turn the fused ffn GEMMs and linalg.matmul into tiled GPU "
                "GEMM kernels with fused epilogues (FP32, or tensor cores "
                "for bf16 and f16)";
  let description = [{
    On tensors, before bufferization: every f32 GEMM that `describeGemm`
    (codegen/common/GemmDescription.h) takes, the four fused ffn GEMMs and
    `linalg.matmul` (plain, or reading its left or right operand transposed
    through `indexing_maps`), becomes one `gpu.launch` of a shared-memory
    tiled GEMM; `ffn.apply_gate` and column sums become their own kernels. A CTA of 256 threads computes a 64 x 64 output
    tile, each thread a 4 x 4 register micro-tile; K is staged through
    workgroup memory in tiles of 16 between two `gpu.barrier`s. Edges are
    masked (zero-filled loads, guarded stores).

    For `ffn.gated_matmul` every thread accumulates both the gate column and
    the linear column of the same packed block, and the epilogue adds the
    packed bias and applies `gate(a) * b` in registers before the only
    store: `[a | b]` never reaches memory. A matmul's epilogue adds its
    init (unless that is a fill of zero).

    Before:

    ```mlir
    %h = ffn.gated_matmul swish block_size(128)
        ins(%x, %p : tensor<256x512xf32>, tensor<512x2730xf32>)
        outs(%e : tensor<256x1365xf32>) -> tensor<256x1365xf32>
    ```

    After (abridged):

    ```mlir
    %xm = bufferization.to_buffer %x read_only : ... to memref<256x512xf32, strided<[?, ?], offset: ?>>
    %pm = bufferization.to_buffer %p read_only : ...
    %out = memref.alloc() : memref<256x1365xf32>
    gpu.launch blocks(...) in (%gx = %c22, %gy = %c4, %gz = %c1)
               threads(...) in (%tx = %c256, ...)
               workgroup(%as : memref<16x65xf32, #gpu.address_space<workgroup>>,
                         %bs : ..., %vs : ...) {
      scf.for %k0 = %c0 to %c512 step %c16 iter_args(...) {
        // guarded loads -> memref.store into %as, %bs, %vs
        gpu.barrier
        // 16 x (4 x 4 x 2) math.fma
        gpu.barrier
      }
      // per output: scf.if in bounds { swish(a) * b; memref.store %out }
      gpu.terminator
    }
    %h = bufferization.to_tensor %out restrict writable : ...
    ```

    A fused GEMM that keeps its pre-activations stores them (biased) from
    the same registers before the gating.

    GEMMs whose operands are bf16 or f16 (one type; f32 accumulation; the
    result and pre-activations f32 or 16-bit) become tensor-core kernels
    instead (`tensor-cores`, default on; glu-cuda-pipeline turns it off
    before sm_80): `nvvm.mma.sync` m16n8k16 on fragments that
    `nvgpu.ldmatrix` loads from shared tiles kept in their stored layout
    with XOR-swizzled 16-byte chunks, filled by a three-stage
    `nvgpu.device_async_copy` pipeline (zero fill past the edges; element
    by element for operands whose rows are not 16-byte aligned). Tile
    shapes come from `chooseMmaTiling` (GpuGemmTiling.h): 256 threads,
    128 x 128 output tiles (gated: 128 x 64 h columns, both halves of the
    packed weight staged), 64 rows when M is known to be at most 64, K
    steps of 32. The epilogue is the FP32 kernel's, on the accumulator
    registers; a 16-bit result is rounded where the reference
    (convert-ffn-to-linalg) materializes one. With `tf32`, f32 GEMMs take
    the same kernel with m16n8k8 tf32 mma.sync (K steps of 16; ldmatrix
    where k is contiguous in the stored tile, scalar shared loads where it
    is not); exact FP32 stays the default. With `wgmma` (sm_90a), 16-bit
    GEMMs compute with warpgroup wgmma.mma_async instead: the same tiles
    and K loop, the stages in dynamic shared memory in wgmma's core-matrix
    layout, filled by TMA (a tensor map of each operand made on the host,
    one mbarrier a stage; unaligned operands copied element by element),
    two warpgroups of m64 wgmmas reading A and B through matrix
    descriptors, the epilogue on the same accumulator registers. The
    kernels need
    16-byte-aligned workgroup memory (glu-align-workgroup-memory).

    The pass makes no graph decision
    (ffn-fuse does). The patterns are exposed as `populateGpuGemmPatterns`
    (GpuGemm.h).
  }];
  let options = [
    Option<"matmuls", "matmuls", "bool", /*default=*/"true",
           "Also turn linalg.matmul into kernels (not only ffn.gated_matmul)">,
    Option<"tensorCores", "tensor-cores", "bool", /*default=*/"true",
           "GEMMs of bf16 or f16 operands become mma.sync tensor-core "
           "kernels (sm_80 and later); off, they are left alone">,
    Option<"tf32", "tf32", "bool", /*default=*/"false",
           "f32 GEMMs run on the tensor cores as tf32 (mma.sync m16n8k8: "
           "operands truncated to 10-bit mantissas, f32 accumulation) "
           "instead of the exact FP32 kernels; needs tensor-cores">,
    Option<"wgmma", "wgmma", "bool", /*default=*/"false",
           "GEMMs of bf16 or f16 operands compute with warpgroup "
           "wgmma.mma_async (sm_90a) instead of mma.sync; needs "
           "tensor-cores">
  ];
  let dependentDialects = [
    "::mlir::affine::AffineDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::NVVM::NVVMDialect",
    "::mlir::nvgpu::NVGPUDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def GluAlignWorkgroupMemory
    : Pass<"glu-align-workgroup-memory", "::mlir::gpu::GPUModuleOp"> {
  let summary = "Align every kernel's workgroup memory to 16 bytes";
  let description = [{
    After gpu-kernel-outlining: sets `llvm.align` on every workgroup
    attribution of every `gpu.func` that has none, so that convert-gpu-to-nvvm
    declares its `.shared` array with that alignment. The tensor-core
    kernels' `cp.async` (16-byte copies) and `ldmatrix` (16-byte rows) need
    16-byte-aligned shared tiles, and a `gpu.launch` cannot say so itself:
    without it a bf16 tile is only aligned to its element (2 bytes).

    ```mlir
    gpu.func @k() workgroup(%a : memref<3x128x32xbf16, #gpu.address_space<workgroup>>) kernel
    // becomes
    gpu.func @k() workgroup(%a : memref<3x128x32xbf16, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}) kernel
    ```
  }];
  let options = [
    Option<"alignment", "alignment", "int64_t", /*default=*/"16",
           "The alignment, in bytes (a power of two)">
  ];
}

def GluDeclareDynamicSharedMemory
    : Pass<"glu-declare-dynamic-shared-memory", "::mlir::gpu::GPUModuleOp"> {
  let summary = "Declare the kernels' dynamic shared memory as PTX expects";
  let description = [{
    After convert-gpu-to-nvvm: the global that `gpu.dynamic_shared_memory`
    lowers to (`__dynamic_shmem__*`, an `!llvm.array<0 x i8>` in address
    space 3) becomes an external declaration aligned to `alignment` bytes.
    MLIR 22 makes it an internal global, which NVPTX prints as a one-byte
    static `.shared` variable: the dynamic memory accessed through it would
    start at an arbitrary place among the kernel's static shared variables
    (the mbarriers). Declared external it is
    `.extern .shared .align 1024 .b8 __dynamic_shmem__0[];`, the start of
    the dynamic shared memory, aligned where the 128-byte swizzle's pattern
    starts: TMA and wgmma swizzle by address bits 4-9, so the kernels'
    swizzled tiles must start at multiples of 1024 bytes.
  }];
  let options = [
    Option<"alignment", "alignment", "int64_t", /*default=*/"1024",
           "The alignment, in bytes (a power of two)">
  ];
}

def GluGpuHostBuffers : Pass<"glu-gpu-host-buffers", "::mlir::ModuleOp"> {
  let summary = "Keep host code off device memory: device allocations, "
                "copies and one-thread kernels for leftover host loops";
  let description = [{
    Runs after bufferization and after the linalg ops were mapped to GPU
    kernels (`gpu.launch`, before outlining). In every host function (a
    `func.func` outside `gpu.module`), whose memref arguments are device
    pointers (docs/artifact-format.md):

    - `memref.alloc` / `memref.dealloc` become `gpu.alloc` / `gpu.dealloc`;
      a buffer that is neither freed nor escapes its block (through its
      terminator or a store, views included) is freed at the end of the
      block, so that glu-cuda-pipeline needs no buffer-deallocation-pipeline
      (whose ownership analysis rejects the kernels' `gpu.barrier`);
    - `memref.copy` becomes `gpu.memcpy` when both sides are contiguous
      (identity layout), and otherwise a copy kernel (one thread per
      element);
    - `memref.get_global` (constants) becomes a device buffer filled from
      the host global by `gpu.memcpy`, freed before the function returns;
    - straight-line scalar code on device memory (what a rank-0 linalg op
      becomes: loads, pure arithmetic on what they read, stores of the
      results, with nothing that touches memory in between) runs in one
      one-thread `gpu.launch` placed at its last op;
    - a loaded value that host code needs (an offset into a buffer, a loop
      bound, a returned value) is read from a host copy of its buffer
      (`memref.alloca` filled by `gpu.memcpy`; gpu-async-region waits for
      it) when the buffer has a static shape, an identity layout and at
      most 1024 elements; otherwise it is an error;
    - any other op left on the host that reads or writes memrefs (an
      `scf.for` nest of scalar code, say) is wrapped into a one-thread
      `gpu.launch`, and the kernels it launched (a host loop of linalg
      ops: the rows of a scatter) run inside it as loops over their blocks
      and threads (an error if their threads synchronize or share memory):
      slow but correct, a fallback.

    Before:

    ```mlir
    %t = memref.alloc() : memref<4x8xf32>
    memref.copy %arg0, %t : memref<4x8xf32> to memref<4x8xf32>
    ```

    After:

    ```mlir
    %t = gpu.alloc () : memref<4x8xf32>
    gpu.memcpy %t, %arg0 : memref<4x8xf32>, memref<4x8xf32>
    ```
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect"
  ];
}

#endif // GLU_PASSES_CODEGEN_GPU_PASSES_TD
