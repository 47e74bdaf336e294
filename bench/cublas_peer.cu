// The cuBLAS peer of scripts/gpu-check.sh's timing table: the GEMMs of the
// same feed-forward layers, alone (no activation, no gating, no bias), with
// cuBLAS in FP32 and in TF32. A fused glu layer does these GEMMs and more,
// so their time is a floor for a layer built on cuBLAS GEMMs.
//
//   forward     [M,K] x [K,2F] (both up projections as one GEMM),
//               [M,F] x [F,N] (down projection)
//   train step  the forward plus the backward's five: [a|b] recomputed
//               ([M,K] x [K,2F]), dh = dy W2^T ([M,N] x [N,F]),
//               dW2 = h^T dy ([F,M] x [M,N]), dx = d[a|b] Wp^T
//               ([M,2F] x [2F,K]), dWp = x^T d[a|b] ([K,M] x [M,2F])
//
// usage: cublas_peer [M K F N]   (default 4096 1024 2816 1024)
// Build: nvcc -O3 -o cublas_peer bench/cublas_peer.cu -lcublas
#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

#define CHECK_CUDA(x)                                                          \
  do {                                                                         \
    cudaError_t e = (x);                                                       \
    if (e != cudaSuccess) {                                                    \
      std::fprintf(stderr, "cuda error %s at %s:%d\n", cudaGetErrorString(e),  \
                   __FILE__, __LINE__);                                        \
      std::exit(1);                                                            \
    }                                                                          \
  } while (0)
#define CHECK_CUBLAS(x)                                                        \
  do {                                                                         \
    cublasStatus_t s = (x);                                                    \
    if (s != CUBLAS_STATUS_SUCCESS) {                                          \
      std::fprintf(stderr, "cublas error %d at %s:%d\n", int(s), __FILE__,     \
                   __LINE__);                                                  \
      std::exit(1);                                                            \
    }                                                                          \
  } while (0)

struct Gemm {
  int m, n, k;
  bool transA, transB; // row-major operands read transposed
};

// Row-major C[m,n] = op(A) op(B) through column-major cuBLAS: C^T = B^T A^T.
static void run(cublasHandle_t handle, const Gemm &g, const float *a,
                const float *b, float *c) {
  const float one = 1.0f, zero = 0.0f;
  int lda = g.transA ? g.m : g.k; // row-major leading dimensions
  int ldb = g.transB ? g.k : g.n;
  CHECK_CUBLAS(cublasSgemm(handle, g.transB ? CUBLAS_OP_T : CUBLAS_OP_N,
                           g.transA ? CUBLAS_OP_T : CUBLAS_OP_N, g.n, g.m, g.k,
                           &one, b, ldb, a, lda, &zero, c, g.n));
}

static double timeGemms(cublasHandle_t handle, const std::vector<Gemm> &gemms,
                        float *a, float *b, float *c) {
  cudaEvent_t start, stop;
  CHECK_CUDA(cudaEventCreate(&start));
  CHECK_CUDA(cudaEventCreate(&stop));
  std::vector<float> times;
  for (int iter = 0; iter < 23; ++iter) {
    CHECK_CUDA(cudaEventRecord(start));
    for (const Gemm &g : gemms)
      run(handle, g, a, b, c);
    CHECK_CUDA(cudaEventRecord(stop));
    CHECK_CUDA(cudaEventSynchronize(stop));
    float ms = 0;
    CHECK_CUDA(cudaEventElapsedTime(&ms, start, stop));
    if (iter >= 3)
      times.push_back(ms);
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

int main(int argc, char **argv) {
  int M = 4096, K = 1024, F = 2816, N = 1024;
  if (argc == 5) {
    M = std::atoi(argv[1]);
    K = std::atoi(argv[2]);
    F = std::atoi(argv[3]);
    N = std::atoi(argv[4]);
  }
  size_t biggest = std::max({size_t(M) * K, size_t(K) * 2 * F,
                             size_t(M) * 2 * F, size_t(F) * N, size_t(M) * N});
  float *a, *b, *c;
  CHECK_CUDA(cudaMalloc(&a, biggest * sizeof(float)));
  CHECK_CUDA(cudaMalloc(&b, biggest * sizeof(float)));
  CHECK_CUDA(cudaMalloc(&c, biggest * sizeof(float)));
  CHECK_CUDA(cudaMemset(a, 0, biggest * sizeof(float)));
  CHECK_CUDA(cudaMemset(b, 0, biggest * sizeof(float)));
  cublasHandle_t handle;
  CHECK_CUBLAS(cublasCreate(&handle));

  std::vector<Gemm> forward = {{M, 2 * F, K, false, false},
                               {M, N, F, false, false}};
  std::vector<Gemm> train = forward;
  train.push_back({M, 2 * F, K, false, false}); // [a|b] recomputed
  train.push_back({M, F, N, false, true});      // dh = dy W2^T
  train.push_back({F, N, M, true, false});      // dW2 = h^T dy
  train.push_back({M, K, 2 * F, false, true});  // dx = d[a|b] Wp^T
  train.push_back({K, 2 * F, M, true, false});  // dWp = x^T d[a|b]

  std::printf("cuBLAS GEMMs alone, M=%d K=%d F=%d N=%d (median of 20, ms)\n", M,
              K, F, N);
  for (int tf32 = 0; tf32 < 2; ++tf32) {
    CHECK_CUBLAS(cublasSetMathMode(handle, tf32 ? CUBLAS_TF32_TENSOR_OP_MATH
                                                : CUBLAS_DEFAULT_MATH));
    double fwd = timeGemms(handle, forward, a, b, c);
    double step = timeGemms(handle, train, a, b, c);
    double fwdFlops = 2.0 * M * K * 2 * F + 2.0 * M * F * N;
    std::printf("  %-5s forward %8.3f ms (%6.1f TFLOP/s)   train step %8.3f "
                "ms\n",
                tf32 ? "tf32" : "fp32", fwd, fwdFlops / fwd / 1e9, step);
  }
  cublasDestroy(handle);
  return 0;
}
