//===- Passes.td - GluCodegenCpu passes --------------------*- tablegen -*-===//
//
// The CPU back end.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_PASSES_CODEGEN_CPU_PASSES_TD
#define GLU_PASSES_CODEGEN_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def GluCpuGemm : Pass<"glu-cpu-gemm"> {
  let summary = "Generate cache-tiled, register-blocked vector GEMMs for "
                "ffn.gated_matmul, ffn.activated_matmul and linalg.matmul";
  let description = [{
    Replaces every f32 GEMM that `describeGemm`
    (codegen/common/GemmDescription.h) takes, `ffn.gated_matmul`,
    `ffn.activated_matmul`, `ffn.dgate_matmul`, `ffn.dactivation_matmul`
    and `linalg.matmul` (plain, or reading an operand transposed through its
    `indexing_maps`), on tensors by a loop nest on memrefs:

    - an `scf.parallel` over tiles of `tile-cols` output columns (for the
      gated op: the packed blocks covering them) x `tile-rows` rows, which
      convert-scf-to-openmp runs on OpenMP threads;
    - in each tile, for each K block of `tile-k`, the tile's weight columns
      are packed once, row by row, into contiguous, zero-padded [tile-k][2L]
      stack panels, one per micro-column of 2 x L lanes (L =
      `vector-lanes`: 16 on AVX-512, 8 on AVX2, 4 on NEON; the a and b
      columns side by side for the gated op), then each micro-column runs
      micro-kernels over `micro-rows` rows: 2 x `micro-rows`
      `vector<Lxf32>` accumulators carried through the K loop, one
      broadcast of x and two unmasked loads of the packed panel per k, and
      `vector.fma` (a tile of fewer rows than one micro-kernel reads the
      weight directly, and a one-row tile streams it four rows at a time,
      its sums in the scratch tile; a one-row GEMM's column tiles divide
      the columns among the OpenMP threads, `omp_get_max_threads()`, or
      take `stream-cols`; a gated GEMM reading W and V through their pack
      streams W, then V; a GEMM of at most `tile-rows` rows takes the
      column step of 1 .. `tile-cols` that loads the busiest thread least);
    - a transposed right operand ([N, K]: the backward's `dy W2^T` and
      `[da | db] [W | V]^T`, attention's K^T) of a GEMM of at most 128
      rows (static) and no more rows than its depth K is read as given:
      each output is the dot product of an lhs row and a weight row (8
      weight rows x 3 lhs rows of vector accumulators on AVX-512, summed by
      a fixed shuffle tree), reading an `ffn.pack_gated`'s gate and linear
      weights block by block; otherwise it is first copied to [K, N] by a
      parallel nest of 32 x 32 tiles, each moved as L x L blocks transposed
      in registers by shuffles;
    - a plain GEMM whose result only an `ffn.unpack_gated` reads (the
      weight gradient `x^T [da | db]`) stores its a and b columns straight
      into the two unpacked results;
    - for `ffn.gated_matmul` the two vectors of a micro-column are column c
      of the a half and column c of the b half of the same packed block, so
      the epilogue `gate(a + bias_a) * (b + bias_b)` runs on the
      accumulators and only h is stored: `[a | b]` never goes to memory
      (partial sums stay in a per-thread scratch tile between K blocks when
      K > tile-k); an op that keeps its
      pre-activations also stores `a + bias_a` and `b + bias_b` from the
      same registers to the packed columns it read.

    Ragged edges are masked (vector.create_mask with masked loads and
    stores); the rows of a tile left after its whole micro-tiles run one
    micro-kernel of exactly that many rows (with several accumulator sets
    over interleaved k when it has fewer than 8 accumulators).
    Inputs enter the loop nest through `bufferization.to_buffer` and the
    result leaves it through `bufferization.to_tensor` of a fresh
    allocation, so the pass runs before one-shot-bufferize. Ops of other
    element types are left for `convert-ffn-to-linalg`.

    The same pass turns the fused layers' data movement (`ffn.apply_gate`,
    `ffn.pack_gated`, `ffn.unpack_gated`) into rows x blocks nests of
    masked vector loads and stores, the bias gradients' column sums (a
    `linalg.reduce` over rows) into stripes of vector accumulators, and row
    reductions (a `linalg.generic` or `linalg.reduce` adding, or taking the
    maximum, along the last dimension: RMS norm's sum, softmax's max and
    sum as torch-mlir exports them, its unused argmax index dropped) into a
    parallel loop over the rows with four vector accumulators each.

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
    scf.parallel (%j, %i) = (%c0, %c0) to (%c22, %c256) step (%c2, %c132) {
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
    Option<"tileRows", "tile-rows", "int64_t", /*default=*/"::mlir::ffn::CpuGemmTiles().rows",
           "Rows per parallel tile (rounded up to a multiple of micro-rows)">,
    Option<"tileCols", "tile-cols", "int64_t", /*default=*/"::mlir::ffn::CpuGemmTiles().cols",
           "Output columns per parallel tile (gated: at least one packed "
           "block)">,
    Option<"streamCols", "stream-cols", "int64_t", /*default=*/"::mlir::ffn::CpuGemmTiles().streamCols",
           "Output columns per parallel tile of a one-row GEMM, which "
           "streams the weight (0: the columns divided among the OpenMP "
           "threads, omp_get_max_threads)">,
    Option<"tileK", "tile-k", "int64_t", /*default=*/"::mlir::ffn::CpuGemmTiles().k",
           "Reduction depth per K block (cache blocking)">,
    Option<"microRows", "micro-rows", "int64_t", /*default=*/"::mlir::ffn::CpuGemmTiles().microRows",
           "Rows of the register micro-tile (at most (vector-registers - 3) "
           "/ 2: 2 accumulators a row, 2 weight vectors and a broadcast)">,
    Option<"vectorLanes", "vector-lanes", "int64_t", /*default=*/"::mlir::ffn::CpuGemmTiles().lanes",
           "f32 lanes of a vector register: 16 (AVX-512), 8 (AVX2), 4 "
           "(SSE, NEON)">,
    Option<"vectorRegisters", "vector-registers", "int64_t", /*default=*/"::mlir::ffn::CpuGemmTiles().registers",
           "Vector registers the micro-kernel may fill (32 on AVX-512 and "
           "NEON, 16 on AVX2)">,
    Option<"report", "report", "bool", /*default=*/"false",
           "A remark for each contraction left behind (linalg.matmul, "
           "batch_matmul or a contraction generic no generated GEMM takes), "
           "saying why: it goes to the scalar loops of convert-linalg-to-loops">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::func::FuncDialect",
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
    1 x ... x `vector-lanes` tiles and vectorizes each tile (the ragged
    last one peeled), so elementwise epilogues left by
    convert-ffn-to-linalg run on `vector<16xf32>` (AVX-512),
    `vector<8xf32>` (AVX2) or `vector<4xf32>`. Those of 2^14 elements or
    more run their rows in an `scf.forall` (the OpenMP threads after
    bufferization). What it does not vectorize still goes to the threads
    when that large: a `linalg.transpose` over its leading loops when it
    keeps the last dimension last, else in 32 x 32 blocks of the two
    dimensions that trade places (whole cache lines read and written); an
    all-parallel generic the vectorizer rejects (a gather through
    `tensor.extract`) over its leading loops; a reduction (a
    `linalg.reduce`, a generic with reduction loops) that glu-cpu-gemm
    left over its leading parallel loops. With `approximate-math`, `math.exp`, `math.tanh` and
    friends on f32 become polynomial approximations (accurate to a few ulp)
    that vectorize; `math.erf` is kept for libm unless `approximate-erf`.
  }];
  let options = [
    Option<"vectorize", "vectorize", "bool", /*default=*/"true",
           "Tile and vectorize elementwise linalg ops">,
    Option<"approximateMath", "approximate-math", "bool", /*default=*/"true",
           "Expand f32 math ops into polynomial approximations">,
    Option<"approximateErf", "approximate-erf", "bool", /*default=*/"false",
           "Also expand math.erf (otherwise libm's erff is called)">,
    Option<"vectorLanes", "vector-lanes", "int64_t", /*default=*/"16",
           "f32 lanes of the vectors: 16 (AVX-512), 8 (AVX2), 4 (SSE, NEON)">,
    Option<"distributeScalarOps", "distribute-scalar-ops", "bool",
           /*default=*/"true",
           "Also give the rows of large transposes, gathers and reductions "
           "to the threads (glu-cpu-pipeline's gemm=reference keeps them "
           "serial)">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def GluOutlineParallelLoops
    : Pass<"glu-outline-parallel-loops", "::mlir::ModuleOp"> {
  let summary = "Move each top-level scf.parallel of a function into a "
                "private function of its own";
  let description = [{
    A helper of glu-cpu-pipeline, run just before convert-scf-to-openmp.
    When the LLVM IR is translated, OpenMPIRBuilder outlines every
    `omp.parallel` of a function into its `..._omp_par` function and, for
    each, analyses the whole enclosing function (a CodeExtractor analysis
    cache over all its blocks): a function with n parallel regions costs n
    times its size, quadratic in n. A T5 training step has 800 (2 + 2
    layers) to 1,500 (4 + 4) parallel loops in one function; that analysis
    was 45% to 60% of its compile time.

    This pass moves every `scf.parallel` of a `func.func` that no other
    `scf.parallel` encloses (those become the `omp.parallel` regions) into
    `func.func private @<function>_parallel_<i>`, `i` the loop's position
    among the function's top-level parallel loops, and calls it in its
    place: OpenMPIRBuilder then analyses small functions. The values the
    loop uses from above (memrefs, indices, scalars, vectors) become the
    function's arguments, in the order the loop first uses them; its
    results (`scf.reduce`) the function's results. Operand-free pure ops
    (`arith.constant`, `ub.poison`, `memref.get_global`) are cloned into the
    function instead (and erased from the caller when it has no other
    use), so the loop still sees its constants (static trip counts, vector
    splats, folding). A loop that uses a value of another
    type (a tensor, a memref whose layout is not strided) is left in place.
    The caller's stack allocations stay in the caller, which outlives the
    call; the loop's own `memref.alloca`s move with it. A function with
    fewer than `min-loops` top-level parallel loops is left as it is.
    LLVM's inliner may take the call back into the caller after OpenMP
    outlining, which is then done.

    Before:

    ```mlir
    func.func @step(%x: memref<64xf32>, %y: memref<64xf32>, %s: f32) {
      %c0 = arith.constant 0 : index
      %c1 = arith.constant 1 : index
      %c64 = arith.constant 64 : index
      scf.parallel (%i) = (%c0) to (%c64) step (%c1) {
        %v = memref.load %x[%i] : memref<64xf32>
        %w = arith.mulf %v, %s : f32
        memref.store %w, %y[%i] : memref<64xf32>
      }
      scf.parallel (%i) = (%c0) to (%c64) step (%c1) {
        ...
      }
      return
    }
    ```

    After:

    ```mlir
    func.func @step(%x: memref<64xf32>, %y: memref<64xf32>, %s: f32) {
      call @step_parallel_0(%x, %s, %y) : (memref<64xf32>, f32, memref<64xf32>) -> ()
      call @step_parallel_1(...) : (...) -> ()
      return
    }
    func.func private @step_parallel_0(%x: memref<64xf32>, %s: f32, %y: memref<64xf32>) {
      %c0 = arith.constant 0 : index
      %c64 = arith.constant 64 : index
      %c1 = arith.constant 1 : index
      scf.parallel (%i) = (%c0) to (%c64) step (%c1) {
        ...
      }
      return
    }
    ```
  }];
  let options = [
    Option<"minLoops", "min-loops", "unsigned", /*default=*/"2",
           "Outline the top-level parallel loops of the functions that have "
           "at least this many (1: of every function)">
  ];
  let dependentDialects = ["::mlir::func::FuncDialect"];
}

#endif // GLU_PASSES_CODEGEN_CPU_PASSES_TD
