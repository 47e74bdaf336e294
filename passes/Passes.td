//===- Passes.td - glu pass declarations -------------------*- tablegen -*-===//

#ifndef GLU_PASSES_TD
#define GLU_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertFFNToLinalg : Pass<"convert-ffn-to-linalg"> {
  let summary = "Lower ffn ops to their reference semantics in linalg";
  let description = [{
    Defines what every ffn op means: each `ffn.ffn` and `ffn.glu` becomes
    linalg on tensors, one `linalg.matmul` per projection and one
    `linalg.generic` with `arith`/`math` for the biases, the activation and
    the gating product. Leading batch dimensions are collapsed to one row
    dimension around the matmuls and expanded again afterwards. Dynamic
    dimensions are supported. Every fused or generated path of glu is tested
    against the output of this pass.

    Before:

    ```mlir
    %y = ffn.glu swish %x, %w, %v, %w2
        : (tensor<8x16xf32>, tensor<16x32xf32>, tensor<16x32xf32>,
           tensor<32x16xf32>) -> tensor<8x16xf32>
    ```

    After (abridged):

    ```mlir
    %a = linalg.matmul ins(%x, %w : ...) outs(%zero_8x32 : tensor<8x32xf32>)
    %b = linalg.matmul ins(%x, %v : ...) outs(%zero_8x32 : tensor<8x32xf32>)
    %h = linalg.generic {iterator_types = ["parallel", "parallel"]}
        ins(%a, %b : ...) outs(%empty : tensor<8x32xf32>) {
      // swish(a) * b with arith.negf, math.exp, arith.addf, arith.divf,
      // arith.mulf
    }
    %y = linalg.matmul ins(%h, %w2 : ...) outs(%zero_8x16 : tensor<8x16xf32>)
    ```

    The gradient ops are defined the same way: `ffn.glu_grad` and
    `ffn.ffn_grad` recompute the forward pieces, then `dh = dy W2^T`, the
    dgate (or activation-derivative) generic, matmuls that read their
    transposed operand through `indexing_maps`, and column sums for the bias
    gradients. The fused ops (`ffn.pack_gated`, `ffn.unpack_gated`,
    `ffn.gated_matmul`, `ffn.activated_matmul`, `ffn.apply_gate`,
    `ffn.dgate_matmul`, `ffn.dactivation_matmul`) lower to one matmul and
    their epilogue generic, block by block of the packed layout.

    The pass fails, naming the op, if an ffn op cannot be lowered.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

def FFNRaise : Pass<"ffn-raise"> {
  let summary = "Find the eight FFN variants in linalg on tensors and "
                "rewrite them to ffn ops";
  let description = [{
    Recognizes every feed-forward variant of "GLU Variants Improve
    Transformer" in the IR front ends emit (torch-mlir, IREE, ONNX and TOSA
    importers after `--tosa-to-linalg-pipeline`) and rewrites it to
    `ffn.ffn` or `ffn.glu`:

    - projections as `linalg.matmul` (also with the weight read transposed
      through `indexing_maps`), `linalg.generic` contractions, matmuls fed
      by transposes of `[out, in]` weights, and `linalg.batch_matmul`
      against a weight broadcast over the batch; inputs of any rank
      reshaped to 2-D or 3-D around the matmuls;
    - biases added by elementwise ops or used as the matmul's initial value;
    - activations and gating in separate `linalg.generic` ops or fused into
      one, in the spellings front ends use (relu as max, select or clamp;
      sigmoid as 1 / (1 + exp(-x)); swish with any beta; GELU in the erf
      and tanh forms, x^3 as a product or a power).

    It only rewrites what is safe: every intermediate (each projection,
    each elementwise result) must be used by the layer alone, both gated
    projections must read the same input, and the elementwise chain must be
    exactly an activation of a projection (times a second projection).

    Before:

    ```mlir
    %a = linalg.matmul ins(%x, %w : ...) outs(%zero : tensor<8x32xf32>)
    %b = linalg.matmul ins(%x, %v : ...) outs(%zero : tensor<8x32xf32>)
    %h = linalg.generic ... ins(%a, %b : ...) {
      // %a / (1 + exp(-%a)) * %b
    }
    %y = linalg.matmul ins(%h, %w2 : ...) outs(%zero2 : tensor<8x16xf32>)
    ```

    After:

    ```mlir
    %y = ffn.glu swish %x, %w, %v, %w2 : (...) -> tensor<8x16xf32>
    ```

    With `report=true` it emits a remark for every layer it raises and for
    every near-miss it rejects, with the reason, and a summary per function.
    The patterns are exposed as `populateFFNRaisePatterns`.
  }];
  let options = [
    Option<"report", "report", "bool", /*default=*/"false",
           "Emit a remark for each layer raised, each near-miss rejected "
           "(with the reason) and a summary per function">
  ];
  let dependentDialects = [
    "::mlir::ffn::FFNDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

def FFNFuse : Pass<"ffn-fuse"> {
  let summary = "Fuse each layer's projections and gate into one GEMM over "
                "packed weights with an epilogue";
  let description = [{
    Rewrites every gated layer into the fused form the project exists for:

    - the gate and linear weights `W`, `V` packed into one
      `[d_model, 2 * d_ff]` tensor of interleaved column blocks
      (`ffn.pack_gated`; packing constants folds at compile time, so
      inference pays nothing);
    - ONE `ffn.gated_matmul` computing `[a | b] = x [W | V]` tile by tile and
      applying `gate(a) * b` in its epilogue, writing only `[M, d_ff]`;
    - the down projection, a `linalg.matmul` accumulating into the broadcast
      output bias when there is one.

    Ungated layers become one `ffn.activated_matmul` (GEMM + activation
    epilogue) and the down projection. Leading batch dimensions are
    collapsed around the GEMMs.

    The block size is an option; by default it is chosen for the target
    (cpu: 64 columns, a multiple of every x86 vector width that keeps a
    block pair's K x 128 panel in L2 for d_model up to 1024; cuda: 128, the
    N extent of a CTA tile).

    Before:

    ```mlir
    %y = ffn.glu swish %x, %w, %v, %w2 : (...) -> tensor<256x512xf32>
    ```

    After:

    ```mlir
    %p = ffn.pack_gated %w, %v block_size(64) : ... -> tensor<512x2730xf32>
    %h = ffn.gated_matmul swish block_size(64)
        ins(%x, %p : ...) outs(%e : tensor<256x1365xf32>) -> tensor<256x1365xf32>
    %y = linalg.matmul ins(%h, %w2 : ...) outs(%zero : tensor<256x512xf32>)
    ```

    With `report=true` it emits a remark for each fusion with its shapes
    and the bytes of intermediate memory traffic it removes.

    Gradients (`ffn.glu_grad`, `ffn.ffn_grad`) become the fused backward:
    `[a | b] = x [W | V]`, `ffn.dgate_matmul` (the `dh = dy W2^T` GEMM with
    the dgate epilogue producing packed `[da | db]`), ONE GEMM for `dx`
    against the packed weights (`K = 2 * d_ff`), ONE GEMM for the packed
    weight gradient `x^T [da | db]` (unpacked at the end) and `dW2` from
    `h`. By default `[a | b]` (or `a` for `ffn.ffn_grad`) is recomputed
    with one GEMM; with `keep-activations=true`, a backward whose forward
    (`ffn.glu` or `ffn.ffn` with the same operands) is in the same block
    reads the pre-activations the forward now writes instead. The report
    gives the memory or the GEMM each choice costs.

    With `pack-arguments=true`, weights that are function arguments (the
    trained parameters of a train step) become packed parameters: each pair
    of `W`, `V` arguments used only as the gate and linear weights of gated
    layers is replaced by one `[d_model, 2 * d_ff]` argument, and the
    function records how each packed argument maps back to the originals:

    ```mlir
    func.func @step(%x: ..., %wv: tensor<512x2730xf32>, ...) attributes {
      ffn.packed_arguments = [{argument = 1 : i64, block_size = 64 : i64,
        layout = "interleaved_column_blocks",
        gate = {index = 1 : i64, name = "wi_0", shape = array<i64: 512, 1365>},
        linear = {index = 2 : i64, name = "wi_1", shape = array<i64: 512, 1365>}}]}
    ```

    `name` is the original argument's `ffn.name` attribute, or `argN`.
    Functions that are called from elsewhere in the module keep their
    signature.
  }];
  let options = [
    Option<"blockSize", "block-size", "int64_t", /*default=*/"0",
           "Columns per packed block; 0 chooses by target">,
    Option<"target", "target", "std::string", /*default=*/"\"cpu\"",
           "The target the block size is chosen for: cpu or cuda">,
    Option<"report", "report", "bool", /*default=*/"false",
           "Emit a remark per fusion with its shapes and the intermediate "
           "memory traffic it removes">,
    Option<"keepActivations", "keep-activations", "bool", /*default=*/"false",
           "In the backward, read [a | b] (or a) kept from the matching "
           "forward instead of recomputing it with one GEMM (memory vs one "
           "GEMM)">,
    Option<"packArguments", "pack-arguments", "bool", /*default=*/"false",
           "Turn gate/linear weights that are function arguments into one "
           "packed argument each, recorded in ffn.packed_arguments">
  ];
  let dependentDialects = [
    "::mlir::ffn::FFNDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

def GluEmitEntryPoints : Pass<"glu-emit-entry-points", "::mlir::ModuleOp"> {
  let summary = "Emit the artifact's C entry points: glu_entry_<name>(void **) "
                "for every public function with a C interface";
  let description = [{
    Runs last, on the LLVM dialect. For every `_mlir_ciface_<name>` wrapper
    that func-to-llvm made for a public function marked
    `llvm.emit_c_interface`, adds

      void glu_entry_<name>(void **args);

    which reads its i-th operand from `args[i]`: a memref operand is passed
    as the pointer itself (it points to the strided memref descriptor), any
    other operand is loaded from the pointer. It also adds
    `int32_t glu_abi_version(void)` returning the calling-convention version
    (1). See docs/artifact-format.md. Argument and result attributes that
    are not `llvm.*` (such as `ffn.name`, which the manifest records) are
    dropped, since LLVM IR has no meaning for them, and private functions
    with a body get internal linkage (the library exports only what the
    manifest names, and the MLIR functions behind it). A function with
    results is refused:
    entry points return their results through out-parameters
    (buffer-results-to-out-params).
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def GluCpuGemm : Pass<"glu-cpu-gemm"> {
  let summary = "Generate cache-tiled, register-blocked AVX-512 GEMMs for "
                "ffn.gated_matmul, ffn.activated_matmul and linalg.matmul";
  let description = [{
    Replaces every f32 `ffn.gated_matmul`, `ffn.activated_matmul` and
    `linalg.matmul` (plain, or reading an operand transposed through its
    `indexing_maps`) on tensors by a loop nest on memrefs:

    - an `scf.parallel` over tiles of `tile-rows` rows x `tile-cols` output
      columns (for the gated op: the packed blocks covering them), which
      convert-scf-to-openmp runs on OpenMP threads;
    - in each tile, for each micro-column of 2 x 16 lanes and each K block
      of `tile-k`, the weight panel it reads is packed once into a
      contiguous, zero-padded [tile-k][32] stack buffer (the a and b
      columns side by side for the gated op), then a micro-kernel over
      `micro-rows` rows: 2 x `micro-rows` `vector<16xf32>` accumulators
      carried through the K loop, one broadcast of x and two unmasked
      loads of the packed panel per k, and `vector.fma` (a tile of fewer
      rows than one micro-kernel reads the weight directly);
    - for `ffn.gated_matmul` the two vectors of a micro-column are column c
      of the a half and column c of the b half of the same packed block, so
      the epilogue `gate(a + bias_a) * (b + bias_b)` runs on the
      accumulators and only h is stored: `[a | b]` never goes to memory
      (partial sums of one micro-column stay in a small per-thread scratch
      tile between K blocks when K > tile-k).

    Ragged edges are masked (vector.create_mask with masked loads and
    stores); the rows of a tile left after its whole micro-tiles run a
    one-row micro-kernel.
    Inputs enter the loop nest through `bufferization.to_buffer` and the
    result leaves it through `bufferization.to_tensor` of a fresh
    allocation, so the pass runs before one-shot-bufferize. Ops of other
    element types are left for `convert-ffn-to-linalg`.

    Before:

    ```mlir
    %h = ffn.gated_matmul swish block_size(64)
        ins(%x, %p : tensor<256x512xf32>, tensor<512x2730xf32>)
        outs(%e : tensor<256x1365xf32>) -> tensor<256x1365xf32>
    ```

    After (abridged):

    ```mlir
    %xb = bufferization.to_buffer %x read_only : ...
    %out = memref.alloc() : memref<256x1365xf32>
    scf.parallel (%i, %j) = (%c0, %c0) to (%c256, %c22) step (%c64, %c1) {
      scf.for %c ... {                      // micro-columns of a block
        scf.for %kc ... {                   // K blocks
          scf.for %r ... {                  // micro-rows
            %acc:12 = scf.for %k ... iter_args(...) -> (vector<16xf32>, ...) {
              %wa = vector.maskedload ...   // a columns of block j
              %wb = vector.maskedload ...   // the matching b columns
              %xv = vector.broadcast ...
              vector.fma %xv, %wa, ...
            }
            // epilogue on the accumulators, then vector.maskedstore of h
          }
        }
      }
    }
    %h = bufferization.to_tensor %out restrict writable : ...
    ```
  }];
  let options = [
    Option<"tileRows", "tile-rows", "int64_t", /*default=*/"64",
           "Rows per parallel tile (rounded up to a multiple of micro-rows)">,
    Option<"tileCols", "tile-cols", "int64_t", /*default=*/"128",
           "Output columns per parallel tile (gated: at least one packed "
           "block)">,
    Option<"tileK", "tile-k", "int64_t", /*default=*/"256",
           "Reduction depth per K block (cache blocking)">,
    Option<"microRows", "micro-rows", "int64_t", /*default=*/"6",
           "Rows of the register micro-tile (1 to 14: 2 accumulators a row "
           "in the 32 zmm registers)">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def GluCpuVectorize : Pass<"glu-cpu-vectorize", "::mlir::func::FuncOp"> {
  let summary = "Vectorize elementwise linalg ops and expand math into "
                "polynomials for the CPU pipeline";
  let description = [{
    A helper of glu-cpu-pipeline, on tensors: tiles every all-parallel
    `linalg.generic` (and `linalg.transpose`) of static f32 shape to
    1 x ... x 16 tiles and vectorizes each tile (masked on the ragged last
    one), so elementwise epilogues left by convert-ffn-to-linalg run on
    `vector<16xf32>`. With `approximate-math`, `math.exp`, `math.tanh` and
    friends on f32 become polynomial approximations (accurate to a few ulp)
    that vectorize; `math.erf` is kept for libm unless `approximate-erf`.
  }];
  let options = [
    Option<"vectorize", "vectorize", "bool", /*default=*/"true",
           "Tile and vectorize elementwise linalg ops">,
    Option<"approximateMath", "approximate-math", "bool", /*default=*/"true",
           "Expand f32 math ops into polynomial approximations">,
    Option<"approximateErf", "approximate-erf", "bool", /*default=*/"false",
           "Also expand math.erf (otherwise libm's erff is called)">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def GluMarkCInterface : Pass<"glu-mark-c-interface", "::mlir::ModuleOp"> {
  let summary = "Set llvm.emit_c_interface on every public func.func";
  let description = [{
    A helper of glu-cpu-pipeline: func-to-llvm then emits an
    `_mlir_ciface_<name>` wrapper taking memref descriptors by pointer for
    every public function definition, which glu-emit-entry-points and
    mlir-runner call.
  }];
}

def GluGpuGemm : Pass<"glu-gpu-gemm"> {
  let summary = "Turn f32 ffn.gated_matmul and linalg.matmul into tiled GPU "
                "GEMM kernels with fused epilogues";
  let description = [{
    On tensors, before bufferization: every f32 `ffn.gated_matmul` and every
    f32 `linalg.matmul` (plain, or reading its left or right operand
    transposed through `indexing_maps`) becomes one `gpu.launch` of a
    shared-memory tiled GEMM. A CTA of 256 threads computes a 64 x 64 output
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

    The patterns are exposed as `populateGpuGemmPatterns` (CudaPipeline.h).
  }];
  let options = [
    Option<"matmuls", "matmuls", "bool", /*default=*/"true",
           "Also turn linalg.matmul into kernels (not only ffn.gated_matmul)">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect"
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
    - any other op left on the host that reads or writes memrefs (an
      `scf.for` nest of scalar code, say) is wrapped into a one-thread
      `gpu.launch`: slow but correct, a fallback;
    - public functions are marked `llvm.emit_c_interface`.

    Host code that needs a value loaded from a memref is reported as an
    error.

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

def GluLowerStridedCopies : Pass<"glu-lower-strided-copies"> {
  let summary = "Rewrite memref.copy with a strided side into linalg.copy";
  let description = [{
    finalize-memref-to-llvm lowers a copy between contiguous buffers to a
    memcpy, but a copy with a strided side to a call of `memrefCopy` from
    MLIR's runner utilities, which artifacts must not depend on. This pass
    rewrites those copies (only those) into `linalg.copy`, for the
    pipelines to lower to loops.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

#endif // GLU_PASSES_TD
