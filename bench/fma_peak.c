/* The CPU's peak single-precision FMA rate, measured.

   Each thread runs CHAINS independent chains of vector fused multiply-adds
   (acc = acc * m + a) on the widest vectors the compiler targets
   (-march=native: 512-bit with AVX-512, 256-bit with AVX/AVX2, 128-bit with
   NEON or SSE). Enough chains hide the FMA latency on every current core
   (latency 4 x 2 pipes = 8 in flight on Zen and Skylake-X; Apple's 4 pipes
   need 16), so the loop is bound by FMA throughput alone. The multiplier
   and addend come from the command line so nothing folds, and the chains
   converge to a / (1 - m), far from overflow and denormals.

     cc -O3 -march=native -ffp-contract=fast -pthread fma_peak.c -o fma_peak
     ./fma_peak THREADS REPEATS

   prints one JSON line: {"threads": T, "vector_bits": B, "chains": C,
   "gflops": [one per repeat]}, each repeat's flops (2 per lane per FMA, all
   threads) over its wall time between two barriers. bench/suite.py
   compiles and runs it. */

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#if defined(__AVX512F__)
#define VECTOR_BYTES 64
#define CHAINS 16
#elif defined(__AVX__)
#define VECTOR_BYTES 32
#define CHAINS 12 /* 12 accumulators + 2 operands in 16 registers */
#elif defined(__ARM_NEON) || defined(__aarch64__)
#define VECTOR_BYTES 16
#define CHAINS 16
#else
#define VECTOR_BYTES 16
#define CHAINS 12
#endif
#define LANES (VECTOR_BYTES / 4)

typedef float vec __attribute__((vector_size(VECTOR_BYTES)));

struct shared {
  pthread_barrier_t barrier;
  long iterations;
  float multiplier, addend;
  int repeats;
  double *seconds; /* per repeat, written by thread 0 */
  volatile float sink;
};

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

/* CHAINS x iterations vector FMAs. */
static float fma_chains(long iterations, float multiplier, float addend) {
  vec acc[CHAINS], m, a;
  for (int l = 0; l < LANES; ++l) {
    m[l] = multiplier;
    a[l] = addend;
  }
  for (int c = 0; c < CHAINS; ++c)
    for (int l = 0; l < LANES; ++l)
      acc[c][l] = (float)(c + l) * 1e-3f;
  for (long i = 0; i < iterations; ++i)
    for (int c = 0; c < CHAINS; ++c)
      acc[c] = acc[c] * m + a;
  float sum = 0;
  for (int c = 0; c < CHAINS; ++c)
    for (int l = 0; l < LANES; ++l)
      sum += acc[c][l];
  return sum;
}

static void *worker(void *arg) {
  struct shared *s = arg;
  int first = 0;
  for (int r = 0; r < s->repeats; ++r) {
    int serial = pthread_barrier_wait(&s->barrier);
    double start = now();
    float sum = fma_chains(s->iterations, s->multiplier, s->addend);
    s->sink = sum;
    pthread_barrier_wait(&s->barrier);
    /* The one thread that got PTHREAD_BARRIER_SERIAL_THREAD at the first
       barrier of the first repeat keeps the clock. */
    if (r == 0)
      first = serial == PTHREAD_BARRIER_SERIAL_THREAD;
    if (first)
      s->seconds[r] = now() - start;
  }
  return NULL;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s THREADS REPEATS [MULTIPLIER ADDEND]\n", argv[0]);
    return 2;
  }
  int threads = atoi(argv[1]), repeats = atoi(argv[2]);
  if (threads < 1 || repeats < 1) {
    fprintf(stderr, "fma_peak: THREADS and REPEATS must be positive\n");
    return 2;
  }
  struct shared s;
  s.multiplier = argc > 3 ? (float)atof(argv[3]) : 0.999999f;
  s.addend = argc > 4 ? (float)atof(argv[4]) : 1e-6f;
  s.repeats = repeats;
  s.seconds = calloc(repeats, sizeof(double));

  /* About 0.2 s per repeat on one thread. */
  long iterations = 1 << 16;
  for (;;) {
    double start = now();
    s.sink = fma_chains(iterations, s.multiplier, s.addend);
    double elapsed = now() - start;
    if (elapsed > 0.02) {
      iterations = (long)(iterations * 0.2 / elapsed);
      break;
    }
    iterations *= 2;
  }
  s.iterations = iterations;

  pthread_barrier_init(&s.barrier, NULL, threads);
  pthread_t *ids = calloc(threads, sizeof(pthread_t));
  for (int t = 0; t < threads; ++t)
    pthread_create(&ids[t], NULL, worker, &s);
  for (int t = 0; t < threads; ++t)
    pthread_join(ids[t], NULL);

  double flops = 2.0 * LANES * CHAINS * (double)iterations * threads;
  printf("{\"threads\": %d, \"vector_bits\": %d, \"chains\": %d, "
         "\"gflops\": [",
         threads, VECTOR_BYTES * 8, CHAINS);
  for (int r = 0; r < repeats; ++r)
    printf("%s%.3f", r ? ", " : "", flops / s.seconds[r] * 1e-9);
  printf("]}\n");
  free(ids);
  free(s.seconds);
  return 0;
}
