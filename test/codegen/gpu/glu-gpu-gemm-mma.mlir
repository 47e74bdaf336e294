// RUN: glu-opt %s -split-input-file --glu-gpu-gemm | FileCheck %s
// RUN: glu-opt %s -split-input-file --glu-gpu-gemm=tensor-cores=false | FileCheck %s --check-prefix=NOMMA
// RUN: glu-opt %s -split-input-file --glu-cuda-pipeline=chip=sm_75 | FileCheck %s --check-prefix=SM75
// RUN: glu-opt %s -split-input-file --glu-gpu-gemm=tf32=true | FileCheck %s --check-prefix=TF32
// RUN: glu-opt %s -split-input-file --glu-gpu-gemm=wgmma=true | FileCheck %s --check-prefix=WGMMA
// RUN: glu-opt %s -split-input-file --glu-gpu-gemm="wgmma=true tf32=true" | FileCheck %s --check-prefix=WGTF32
//
// GEMMs of bf16 or f16 operands become the mma.sync tensor-core kernel
// (GpuMmaGemmKernel.cpp): tiles from chooseMmaTiling, three cp.async
// stages of swizzled shared tiles, ldmatrix fragments, nvvm.mma.sync with
// f32 accumulators, the epilogue on the accumulator registers. Without
// tensor cores (the option off, or a chip before sm_80) they are left to
// the generic lowering.

// The gated GEMM (M = 67 > 64: 128 x 64 h columns, warps 4 x 2 of 32 x 32):
// an A tile and the gate and linear tiles of the packed weight per stage,
// two stages issued before the loop; each K tile waits until at most one
// later group is pending, then a barrier, then the next tile's copies, then
// 2 (k16 steps) x 2 (m16) x 4 (n8) x 2 (gate, linear) = 32 mma.sync. The
// epilogue rounds a and b to bf16 like the reference, adds the packed bias
// in bf16 and computes swish(a) * b in f32, rounded once.

// CHECK-LABEL: func.func @gated_bf16
//       CHECK:   gpu.launch
//  CHECK-SAME:     threads({{.*}}) in ({{.*}} = %c256, {{.*}} = %c1, {{.*}} = %c1)
//  CHECK-SAME:     workgroup(%[[A:.*]] : memref<3x128x32xbf16, #gpu.address_space<workgroup>>, %[[G:.*]] : memref<3x32x64xbf16, #gpu.address_space<workgroup>>, %[[L:.*]] : memref<3x32x64xbf16, #gpu.address_space<workgroup>>)
//       CHECK:     memref.extract_strided_metadata
//       CHECK:     memref.extract_aligned_pointer_as_index
//       CHECK:     arith.xori
//       CHECK:     scf.if
//       CHECK:       nvgpu.device_async_copy %{{.*}}[%{{.*}}, %{{.*}}], %[[A]][%c0{{.*}}, %{{.*}}, %{{.*}}], 8, %{{.*}} {bypassL1} : memref<67x64xbf16, strided<[?, 1], offset: ?>> to memref<3x128x32xbf16
//       CHECK:     } else {
//       CHECK:       vector.store %{{.*}}, %[[A]][%c0{{.*}}, %{{.*}}, %{{.*}}] : memref<3x128x32xbf16, #gpu.address_space<workgroup>>, vector<8xbf16>
//       CHECK:     nvgpu.device_async_copy {{.*}} %[[G]]
//       CHECK:     nvgpu.device_async_copy {{.*}} %[[L]]
//       CHECK:     nvgpu.device_async_create_group
//       CHECK:     nvgpu.device_async_create_group
//   CHECK-NOT:     nvgpu.device_async_create_group
//       CHECK:     scf.for {{.*}} -> ({{(f32, )+}}!nvgpu.device.async.token)
//       CHECK:       nvgpu.device_async_wait %{{.*}} {numGroups = 1 : i32}
//  CHECK-NEXT:       gpu.barrier
//       CHECK:       nvgpu.device_async_create_group
//       CHECK:       nvgpu.ldmatrix %[[A]][{{.*}}] {numTiles = 4 : i32, transpose = false}
//       CHECK:       nvgpu.ldmatrix %[[G]][{{.*}}] {numTiles = 4 : i32, transpose = true}
//       CHECK:       nvgpu.ldmatrix %[[L]][{{.*}}] {numTiles = 4 : i32, transpose = true}
//       CHECK:       vector.bitcast %{{.*}} : vector<2xbf16> to vector<1xi32>
// CHECK-COUNT-32:    nvvm.mma.sync {{.*}}multiplicandAPtxType = #nvvm.mma_type<bf16>, multiplicandBPtxType = #nvvm.mma_type<bf16>, shape = #nvvm.shape<m = 16, n = 8, k = 16>} : (i32, i32, f32) -> !llvm.struct<(f32, f32, f32, f32)>
//   CHECK-NOT:       nvvm.mma.sync
//       CHECK:       scf.yield
//       CHECK:     nvgpu.device_async_wait %{{.*}} {numGroups = 0 : i32}
//       CHECK:     scf.if
//       CHECK:       %[[A0:.*]] = arith.truncf %{{.*}} : f32 to bf16
//       CHECK:       %[[B0:.*]] = arith.truncf %{{.*}} : f32 to bf16
//       CHECK:       %[[BA:.*]] = memref.load
//       CHECK:       arith.addf %[[A0]], %[[BA]] : bf16
//       CHECK:       math.exp
//       CHECK:       %[[H:.*]] = arith.truncf %{{.*}} : f32 to bf16
//       CHECK:       memref.store %[[H]], %{{.*}} : memref<67x96xbf16>
// CHECK-COUNT-31:  scf.if
//   CHECK-NOT:     scf.if
//       CHECK:     gpu.terminator

// With wgmma (sm_90a) the same CTA tiles, four stages in dynamic shared
// memory (4 x 16 KiB: more than static shared memory holds), each tile in panels of swizzled rows (stages x panels x
// rows x row elements): x's 128 x 32 tile one panel of 64-byte rows (64B
// swizzle), each 32 x 64 half of the packed weight one panel of 128-byte
// rows (128B swizzle: what one warpgroup's m64n64 reads of N). The host
// makes a TMA tensor map of each operand with a panel as its box and the
// panel's swizzle; thread 0 announces a stage's bytes on its mbarrier and
// loads every aligned operand by TMA, one box a panel (unaligned operands
// are element-copied to the same swizzled places: xori); every thread
// waits for the stage's phase, fences its own copies for the async proxy,
// and the 2 warpgroups issue per k16 step one m64n64k16 wgmma on the gate
// tile and one on the linear tile through descriptors: A (x, K-major
// "row", 64B swizzle: mode 2 << 62, SBO 8 rows of 64 bytes = 512, LBO
// unused, 1: 2 << 62 | 32 << 32 | 1 << 16 = -9223371899415756800 as i64),
// B ([K, N] weight halves, MN-major "row", 128B swizzle: 1 << 62, SBO 8
// rows of 128 bytes = 1024, LBO the next panel, 32 x 128 = 4096: 1 << 62
// | 64 << 32 | 256 << 16 = 4611686293322072064). Two K tiles load ahead
// (the prologue fills stages 0 and 1): K tile t waits, fences and meets
// the barrier, issues its wgmmas on the accumulator structs the loop
// carries, commits them, loads tile t + 2 into tile t - 2's stage, and
// waits for the group of t - 1 (wait_group 1), so one group stays in
// flight; after the loop wait_group 0, then the accumulators are read
// and the epilogue is mma.sync's. No cp.async anywhere.
// WGMMA-LABEL: func.func @gated_bf16
//       WGMMA:   %[[UX:.*]] = memref.cast %{{.*}} : memref<67x64xbf16, strided<[?, 1], offset: ?>> to memref<*xbf16>
//       WGMMA:   %[[MX:.*]] = nvgpu.tma.create.descriptor %[[UX]] box[%c128, %c32] : memref<*xbf16> -> <tensor = memref<128x32xbf16, #gpu.address_space<workgroup>>, swizzle = swizzle_64b, l2promo = none, oob = zero, interleave = none>
//       WGMMA:   %[[UP:.*]] = memref.cast %{{.*}} : memref<64x192xbf16, strided<[?, 1], offset: ?>> to memref<*xbf16>
//       WGMMA:   %[[MP:.*]] = nvgpu.tma.create.descriptor %[[UP]] box[%c32, %c64] : memref<*xbf16> -> <tensor = memref<32x64xbf16, #gpu.address_space<workgroup>>, swizzle = swizzle_128b
//       WGMMA:   gpu.launch
//  WGMMA-SAME:     threads({{.*}}) in ({{.*}} = %c256, {{.*}} = %c1, {{.*}} = %c1) dynamic_shared_memory_size
//   WGMMA-NOT:     workgroup(
//       WGMMA:     %[[DYN:.*]] = gpu.dynamic_shared_memory
//       WGMMA:     %[[A:.*]] = memref.view %[[DYN]][%c0][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<4x1x128x32xbf16, #gpu.address_space<workgroup>>
//       WGMMA:     %[[G:.*]] = memref.view %[[DYN]][%c32768][] : {{.*}} to memref<4x1x32x64xbf16, #gpu.address_space<workgroup>>
//       WGMMA:     %[[L:.*]] = memref.view %[[DYN]][%c49152][] : {{.*}} to memref<4x1x32x64xbf16, #gpu.address_space<workgroup>>
//       WGMMA:     %[[BARS:.*]] = nvgpu.mbarrier.create -> <memorySpace = #gpu.address_space<workgroup>, num_barriers = 4>
// WGMMA-COUNT-4:   nvgpu.mbarrier.init %[[BARS]][%{{.*}}], %c1, predicate
//       WGMMA:     nvvm.fence.mbarrier.init
//  WGMMA-NEXT:     gpu.barrier
//       WGMMA:     nvgpu.mbarrier.arrive.expect_tx %[[BARS]][%c0]
//       WGMMA:     memref.subview %[[A]][%c0, 0, 0, 0] [1, 1, 128, 32] [1, 1, 1, 1]
//  WGMMA-NEXT:     nvgpu.tma.async.load %[[MX]][%{{.*}}, %{{.*}}], %[[BARS]][%c0] to
//   WGMMA-NOT:     nvgpu.tma.async.load %[[MX]]
//       WGMMA:     memref.subview %[[G]][%c0, 0, 0, 0] [1, 1, 32, 64] [1, 1, 1, 1]
//  WGMMA-NEXT:     nvgpu.tma.async.load %[[MP]]
//   WGMMA-NOT:     nvgpu.tma.async.load %[[MP]]
//       WGMMA:     memref.subview %[[L]][%c0, 0, 0, 0] [1, 1, 32, 64] [1, 1, 1, 1]
//  WGMMA-NEXT:     nvgpu.tma.async.load %[[MP]]
//       WGMMA:     arith.xori
//       WGMMA:     nvgpu.mbarrier.arrive.expect_tx %[[BARS]][%c1]
//   WGMMA-NOT:     nvgpu.mbarrier.arrive.expect_tx %[[BARS]][%c2]
//   WGMMA-NOT:     nvgpu.device_async
//       WGMMA:     %[[SUMS:.*]]:2 = scf.for {{.*}} iter_args(%[[GATE:.*]] = %[[ZERO:.*]], %[[LIN:.*]] = %[[ZERO]]) -> (!llvm.struct<(f32,
//       WGMMA:       nvgpu.mbarrier.try_wait.parity %[[BARS]][%{{.*}}], %{{.*}}, %c10000000
//  WGMMA-NEXT:       nvvm.fence.proxy {kind = #nvvm.proxy_kind<async.shared>, space = #nvvm.shared_space<cta>}
//  WGMMA-NEXT:       gpu.barrier
//  WGMMA-NEXT:       nvvm.wgmma.fence.aligned
//       WGMMA:       memref.extract_aligned_pointer_as_index %[[A]]
//       WGMMA:       %[[DA:.*]] = arith.ori %{{.*}}, %c-9223371899415756800_i64 : i64
//       WGMMA:       memref.extract_aligned_pointer_as_index %[[G]]
//       WGMMA:       %[[DG:.*]] = arith.ori %{{.*}}, %c4611686293322072064_i64 : i64
//       WGMMA:       nvvm.wgmma.mma_async %[[DA]], %[[DG]], %[[GATE]], <m = 64, n = 64, k = 16>, D[<f32>, <one>], A[<bf16>, <one>, <row>], B[<bf16>, <one>, <row>]
//       WGMMA:       memref.extract_aligned_pointer_as_index %[[L]]
//       WGMMA:       nvvm.wgmma.mma_async %[[DA]], %{{.*}}, %[[LIN]]
// WGMMA-COUNT-2:     nvvm.wgmma.mma_async
//   WGMMA-NOT:       nvvm.wgmma.mma_async
//       WGMMA:       nvvm.wgmma.commit.group.sync.aligned
//       WGMMA:       nvgpu.mbarrier.arrive.expect_tx
//       WGMMA:       nvgpu.tma.async.load
//       WGMMA:       nvvm.wgmma.wait.group.sync.aligned 1
//  WGMMA-NEXT:       scf.yield
//       WGMMA:     nvvm.wgmma.wait.group.sync.aligned 0
//  WGMMA-NEXT:     llvm.extractvalue %[[SUMS]]#0[0]
//       WGMMA:     math.exp
//       WGMMA:     gpu.terminator

// NOMMA-LABEL: func.func @gated_bf16
//   NOMMA-NOT:   gpu.launch
//       NOMMA:   ffn.gated_matmul

// SM75-LABEL: llvm.func @gated_bf16
//   SM75-NOT:   mma.sync
func.func @gated_bf16(%x: tensor<67x64xbf16>, %p: tensor<64x192xbf16>, %bias: tensor<192xbf16>) -> tensor<67x96xbf16> {
  %e = tensor.empty() : tensor<67x96xbf16>
  %h = ffn.gated_matmul swish block_size(64) ins(%x, %p, %bias : tensor<67x64xbf16>, tensor<64x192xbf16>, tensor<192xbf16>) outs(%e : tensor<67x96xbf16>) -> tensor<67x96xbf16>
  return %h : tensor<67x96xbf16>
}

// -----

// f16 with the right operand stored [N, K] (no .trans for either operand)
// into f32, M unknown: 128 x 64 tiles (N = 24 <= 64), warps 4 x 2; the
// f16 fragments go to mma.sync as vector<2xf16>; the fill of zero adds
// nothing.

// CHECK-LABEL: func.func @f16_transposed_rhs
//       CHECK:   gpu.launch
//  CHECK-SAME:     workgroup(%[[A:.*]] : memref<3x128x32xf16, #gpu.address_space<workgroup>>, %[[B:.*]] : memref<3x64x32xf16, #gpu.address_space<workgroup>>)
//       CHECK:     scf.for
//       CHECK:       nvgpu.ldmatrix %[[A]][{{.*}}] {numTiles = 4 : i32, transpose = false}
//       CHECK:       nvgpu.ldmatrix %[[B]][{{.*}}] {numTiles = 4 : i32, transpose = false}
//   CHECK-NOT:       vector.bitcast
// CHECK-COUNT-16:    nvvm.mma.sync {{.*}} : (vector<2xf16>, vector<2xf16>, f32) -> !llvm.struct<(f32, f32, f32, f32)>
//   CHECK-NOT:       nvvm.mma.sync
//       CHECK:     scf.if
//   CHECK-NOT:       arith.addf
//       CHECK:       memref.store %{{.*}}, %{{.*}} : memref<?x24xf32>

// A weight stored [N, K] is K-major for wgmma ("col" B, 64-byte rows of
// K: 64B swizzle, like A); N <= 64 gives 64-column tiles, one m64n64 wgmma
// per warpgroup and k16 step.
// WGMMA-LABEL: func.func @f16_transposed_rhs
//       WGMMA:   nvgpu.tma.create.descriptor {{.*}} box[%c128, %c32] {{.*}} swizzle = swizzle_64b
//       WGMMA:   nvgpu.tma.create.descriptor {{.*}} box[%c64, %c32] {{.*}} swizzle = swizzle_64b
//       WGMMA:   memref.view {{.*}} to memref<4x1x128x32xf16, #gpu.address_space<workgroup>>
//       WGMMA:   memref.view {{.*}} to memref<4x1x64x32xf16, #gpu.address_space<workgroup>>
// WGMMA-COUNT-2: nvvm.wgmma.mma_async {{.*}}, <m = 64, n = 64, k = 16>, D[<f32>, <one>], A[<f16>, <one>, <row>], B[<f16>, <one>, <col>]
//   WGMMA-NOT:   nvvm.wgmma.mma_async

// NOMMA-LABEL: func.func @f16_transposed_rhs
//   NOMMA-NOT:   gpu.launch
//       NOMMA:   linalg.matmul
func.func @f16_transposed_rhs(%a: tensor<?x40xf16>, %b: tensor<24x40xf16>) -> tensor<?x24xf32> {
  %c0 = arith.constant 0 : index
  %m = tensor.dim %a, %c0 : tensor<?x40xf16>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty(%m) : tensor<?x24xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<?x24xf32>) -> tensor<?x24xf32>
  %c = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%a, %b : tensor<?x40xf16>, tensor<24x40xf16>) outs(%init : tensor<?x24xf32>) -> tensor<?x24xf32>
  return %c : tensor<?x24xf32>
}

// -----

// The dgate GEMM in bf16 (dh = dy W2^T, W2 stored [d_ff, d_model]: B is
// k-contiguous; M = 5 <= 64: 64 x 128 tiles, warps 2 x 4 of 32 x 32, so
// 2 x 4 x 2 mma.sync a K tile): dh is
// rounded to bf16 like the reference's materialized product, and da, db
// are stored at the packed gate and linear columns.

// WGMMA-LABEL: func.func @dgate_bf16
// CHECK-LABEL: func.func @dgate_bf16
//       CHECK:   gpu.launch
//  CHECK-SAME:     workgroup(%{{.*}} : memref<3x64x32xbf16, #gpu.address_space<workgroup>>, %{{.*}} : memref<3x128x32xbf16, #gpu.address_space<workgroup>>)
// CHECK-COUNT-16:    nvvm.mma.sync
//   CHECK-NOT:       nvvm.mma.sync
//       CHECK:     scf.if
//       CHECK:       %[[A:.*]] = memref.load %{{.*}} : memref<5x40xbf16
//       CHECK:       %[[B:.*]] = memref.load %{{.*}} : memref<5x40xbf16
//       CHECK:       arith.truncf %{{.*}} : f32 to bf16
//       CHECK:       memref.store %{{.*}} : memref<5x40xbf16>
//       CHECK:       memref.store %{{.*}} : memref<5x40xbf16>
func.func @dgate_bf16(%dy: tensor<5x24xbf16>, %w2: tensor<20x24xbf16>, %ab: tensor<5x40xbf16>) -> tensor<5x40xbf16> {
  %e = tensor.empty() : tensor<5x40xbf16>
  %r = ffn.dgate_matmul swish block_size(8) ins(%dy, %w2, %ab : tensor<5x24xbf16>, tensor<20x24xbf16>, tensor<5x40xbf16>) outs(%e : tensor<5x40xbf16>) -> tensor<5x40xbf16>
  return %r : tensor<5x40xbf16>
}

// -----

// Kept pre-activations with a bias: the reference builds [a | b] = x P +
// [b | c] with the accumulators starting at the bias, so the kernel adds
// the bias in f32 and rounds once, stores [a | b], and gates the rounded
// values (without kept pre-activations it rounds first and adds in bf16:
// @gated_bf16 above).

// CHECK-LABEL: func.func @gated_kept_bias_bf16
//       CHECK:     nvgpu.device_async_wait %{{.*}} {numGroups = 0 : i32}
//       CHECK:     scf.if
//       CHECK:       %[[BA:.*]] = memref.load %{{.*}} : memref<192xbf16
//       CHECK:       %[[BA32:.*]] = arith.extf %[[BA]] : bf16 to f32
//       CHECK:       %[[A:.*]] = arith.addf %{{.*}}, %[[BA32]] : f32
//       CHECK:       %[[BB:.*]] = memref.load %{{.*}} : memref<192xbf16
//       CHECK:       %[[BB32:.*]] = arith.extf %[[BB]] : bf16 to f32
//       CHECK:       %[[B:.*]] = arith.addf %{{.*}}, %[[BB32]] : f32
//       CHECK:       %[[A16:.*]] = arith.truncf %[[A]] : f32 to bf16
//       CHECK:       %[[B16:.*]] = arith.truncf %[[B]] : f32 to bf16
//       CHECK:       memref.store %[[A16]], %{{.*}} : memref<67x192xbf16>
//       CHECK:       memref.store %[[B16]], %{{.*}} : memref<67x192xbf16>
//       CHECK:       arith.extf %[[A16]] : bf16 to f32
//       CHECK:       math.erf
//       CHECK:       memref.store %{{.*}} : memref<67x96xbf16>
func.func @gated_kept_bias_bf16(%x: tensor<67x64xbf16>, %p: tensor<64x192xbf16>, %bias: tensor<192xbf16>) -> (tensor<67x96xbf16>, tensor<67x192xbf16>) {
  %e = tensor.empty() : tensor<67x96xbf16>
  %e2 = tensor.empty() : tensor<67x192xbf16>
  %h, %ab = ffn.gated_matmul gelu block_size(64) ins(%x, %p, %bias : tensor<67x64xbf16>, tensor<64x192xbf16>, tensor<192xbf16>) outs(%e : tensor<67x96xbf16>) preactivations(%e2 : tensor<67x192xbf16>) -> tensor<67x96xbf16>, tensor<67x192xbf16>
  return %h, %ab : tensor<67x96xbf16>, tensor<67x192xbf16>
}

// -----

// tf32: an f32 matmul takes the tensor-core kernel with tf32=true (K steps
// of 16 f32, 16-byte chunks of 4), exact FP32 otherwise. A is stored with k
// contiguous: ldmatrix.x4 of 32-bit elements (vector<4x1xf32>, no .trans);
// B is stored [k][n]: each lane loads its two elements. 2 k8 steps x 4 m16
// x 4 n8 = 32 m16n8k8 mma.sync a K tile.

// wgmma takes 16-bit operands only: tf32 stays on mma.sync m16n8k8.
// WGTF32-LABEL: func.func @tf32_matmul
//   WGTF32-NOT:   nvvm.wgmma
//       WGTF32:   nvvm.mma.sync {{.*}}shape = #nvvm.shape<m = 16, n = 8, k = 8>
//   WGTF32-NOT:   nvvm.wgmma

// TF32-LABEL: func.func @tf32_matmul
//       TF32:   gpu.launch
//  TF32-SAME:     workgroup(%[[A:.*]] : memref<3x128x16xf32, #gpu.address_space<workgroup>>, %[[B:.*]] : memref<3x16x128xf32, #gpu.address_space<workgroup>>)
//       TF32:     nvgpu.device_async_copy {{.*}}, %[[A]][{{.*}}], 4, %{{.*}} {bypassL1}
//       TF32:     scf.for
//       TF32:       nvgpu.ldmatrix %[[A]][{{.*}}] {numTiles = 4 : i32, transpose = false} : memref<3x128x16xf32, #gpu.address_space<workgroup>> -> vector<4x1xf32>
//       TF32:       arith.bitcast %{{.*}} : f32 to i32
//       TF32:       memref.load %[[B]][{{.*}}] : memref<3x16x128xf32, #gpu.address_space<workgroup>>
// TF32-COUNT-32:    nvvm.mma.sync {{.*}}multiplicandAPtxType = #nvvm.mma_type<tf32>, multiplicandBPtxType = #nvvm.mma_type<tf32>, shape = #nvvm.shape<m = 16, n = 8, k = 8>}
//   TF32-NOT:       nvvm.mma.sync

// NOMMA-LABEL: func.func @tf32_matmul
//   NOMMA-NOT:   nvvm.mma.sync
// CHECK-LABEL: func.func @tf32_matmul
//   CHECK-NOT:   nvvm.mma.sync
//       CHECK:   gpu.launch
func.func @tf32_matmul(%a: tensor<67x40xf32>, %b: tensor<40x200xf32>) -> tensor<67x200xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<67x200xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<67x200xf32>) -> tensor<67x200xf32>
  %c = linalg.matmul ins(%a, %b : tensor<67x40xf32>, tensor<40x200xf32>) outs(%init : tensor<67x200xf32>) -> tensor<67x200xf32>
  return %c : tensor<67x200xf32>
}
