/* The peer for tmnn's native matmul: cblas_sgemm called directly from C on
 * the same OpenBLAS, timed the same way (best of runs filling ~0.4 s), so the
 * ratio shows what tmnn's layers cost. Prints one JSON line per N given on the
 * command line: {"n":N,"gflops":G}. */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
  for (int arg = 1; arg < argc; arg++) {
    const int n = atoi(argv[arg]);
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
    printf("{\"n\":%d,\"gflops\":%.3f}\n", n, 2.0 * n * n * n / best / 1e9);
    free(a);
    free(b);
    free(c);
  }
  return 0;
}
