/* The peer for tmnn's native matmul: cblas_sgemm called directly from C on
 * the same OpenBLAS, timed the way bench/native/compare.ts times tmnn (the
 * best of runs filling ~0.4 s, after a warm-up), so the ratio shows what
 * tmnn's layers cost. Square N×N products for each N on the command line
 * (default 256 512 1024 2048); prints one JSON document:
 *   {"library":"OpenBLAS 0.3.21 ...","core":"Cooperlake","threads":2,
 *    "results":[{"n":256,"gflops":190.1},...]} */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static double gflops(int n) {
  float *a = malloc(sizeof(float) * n * n), *b = malloc(sizeof(float) * n * n), *c = malloc(sizeof(float) * n * n);
  for (long i = 0; i < (long)n * n; i++) {
    a[i] = (float)rand() / RAND_MAX - 0.5f;
    b[i] = (float)rand() / RAND_MAX - 0.5f;
  }
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n); /* warm-up */
  double best = 1e30;
  const double until = now() + 0.4;
  for (int run = 0; run < 3 || now() < until; run++) {
    const double start = now();
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
    const double t = now() - start;
    if (t < best) best = t;
  }
  free(a);
  free(b);
  free(c);
  return 2.0 * n * n * n / best / 1e9;
}

int main(int argc, char **argv) {
  static const int defaults[] = {256, 512, 1024, 2048};
  const int count = argc > 1 ? argc - 1 : 4;
  printf("{\"library\":\"%s\",\"core\":\"%s\",\"threads\":%d,\"results\":[", openblas_get_config(), openblas_get_corename(),
         openblas_get_num_threads());
  for (int i = 0; i < count; i++) {
    const int n = argc > 1 ? atoi(argv[i + 1]) : defaults[i];
    printf("%s{\"n\":%d,\"gflops\":%.3f}", i ? "," : "", n, gflops(n));
    fflush(stdout);
  }
  printf("]}\n");
  return 0;
}
