/* Main-memory bandwidth, measured STREAM-like.

   Three float arrays of ARRAY_BYTES each (bench/suite.py makes them 8x the
   last-level cache, at least 64 MiB, so nothing is served from the caches),
   split in contiguous chunks over THREADS threads; each thread first touches
   its own chunk. Two kernels, each run REPEATS times between barriers:

     read    s += a[i]          bytes counted: 4 per element (the loads)
     triad   a[i] = b[i] + q*c[i]  bytes counted: 12 per element (STREAM's
                                   convention: write-allocate not counted)

   The read sum adds the floats' bit patterns as integers, so the reduction
   vectorizes without -ffast-math.

     cc -O3 -march=native -pthread stream_bw.c -o stream_bw
     ./stream_bw THREADS ARRAY_BYTES REPEATS

   prints one JSON line per kernel: {"kernel": "read", "threads": T,
   "array_bytes": N, "gbs": [one per repeat]} (GB = 1e9 bytes).
   bench/suite.py compiles and runs it. */

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct shared {
  pthread_barrier_t barrier;
  int threads, repeats;
  size_t elements;
  float *a, *b, *c;
  double *read_seconds, *triad_seconds;
  volatile uint32_t sink;
};

struct thread_arg {
  struct shared *s;
  int index;
};

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

static uint32_t read_kernel(const float *a, size_t n) {
  const uint32_t *bits = (const uint32_t *)a;
  uint32_t sum = 0;
  for (size_t i = 0; i < n; ++i)
    sum += bits[i];
  return sum;
}

static void triad_kernel(float *a, const float *b, const float *c, float q,
                         size_t n) {
  for (size_t i = 0; i < n; ++i)
    a[i] = b[i] + q * c[i];
}

/* Times KERNEL's REPEATS runs: thread 0 keeps the clock between barriers,
   which is the slowest thread's time. */
static void *worker(void *p) {
  struct thread_arg *arg = p;
  struct shared *s = arg->s;
  size_t chunk = (s->elements + s->threads - 1) / s->threads;
  size_t begin = chunk * arg->index;
  size_t end = begin + chunk < s->elements ? begin + chunk : s->elements;
  size_t n = end > begin ? end - begin : 0;
  float *a = s->a + begin, *b = s->b + begin, *c = s->c + begin;
  for (size_t i = 0; i < n; ++i) {
    a[i] = 1.0f;
    b[i] = 2.0f;
    c[i] = 0.5f;
  }
  for (int kernel = 0; kernel < 2; ++kernel) {
    for (int r = 0; r < s->repeats; ++r) {
      pthread_barrier_wait(&s->barrier);
      double start = now();
      if (kernel == 0)
        s->sink = read_kernel(a, n);
      else
        triad_kernel(a, b, c, 3.0f, n);
      pthread_barrier_wait(&s->barrier);
      if (arg->index == 0)
        (kernel == 0 ? s->read_seconds : s->triad_seconds)[r] = now() - start;
    }
  }
  return NULL;
}

static void print_kernel(const char *name, int threads, size_t array_bytes,
                         double bytes, const double *seconds, int repeats) {
  printf("{\"kernel\": \"%s\", \"threads\": %d, \"array_bytes\": %zu, "
         "\"gbs\": [",
         name, threads, array_bytes);
  for (int r = 0; r < repeats; ++r)
    printf("%s%.3f", r ? ", " : "", bytes / seconds[r] * 1e-9);
  printf("]}\n");
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: %s THREADS ARRAY_BYTES REPEATS\n", argv[0]);
    return 2;
  }
  struct shared s;
  s.threads = atoi(argv[1]);
  size_t array_bytes = strtoull(argv[2], NULL, 10);
  s.repeats = atoi(argv[3]);
  if (s.threads < 1 || s.repeats < 1 || array_bytes < 4096) {
    fprintf(stderr, "stream_bw: bad arguments\n");
    return 2;
  }
  s.elements = array_bytes / sizeof(float);
  s.a = aligned_alloc(64, s.elements * sizeof(float));
  s.b = aligned_alloc(64, s.elements * sizeof(float));
  s.c = aligned_alloc(64, s.elements * sizeof(float));
  s.read_seconds = calloc(s.repeats, sizeof(double));
  s.triad_seconds = calloc(s.repeats, sizeof(double));
  if (!s.a || !s.b || !s.c || !s.read_seconds || !s.triad_seconds) {
    fprintf(stderr, "stream_bw: out of memory (3 x %zu bytes)\n", array_bytes);
    return 1;
  }
  pthread_barrier_init(&s.barrier, NULL, s.threads);
  pthread_t *ids = calloc(s.threads, sizeof(pthread_t));
  struct thread_arg *args = calloc(s.threads, sizeof(struct thread_arg));
  for (int t = 0; t < s.threads; ++t) {
    args[t].s = &s;
    args[t].index = t;
    pthread_create(&ids[t], NULL, worker, &args[t]);
  }
  for (int t = 0; t < s.threads; ++t)
    pthread_join(ids[t], NULL);

  double elements = (double)s.elements;
  print_kernel("read", s.threads, array_bytes, 4.0 * elements, s.read_seconds,
               s.repeats);
  print_kernel("triad", s.threads, array_bytes, 12.0 * elements,
               s.triad_seconds, s.repeats);
  free(s.a);
  free(s.b);
  free(s.c);
  free(ids);
  free(args);
  return 0;
}
