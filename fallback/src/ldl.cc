// The Bunch–Kaufman factorization of symmetric f32 matrices (LAPACK's
// ssytrf, uplo 'L') and solves from it (ssytrs), over batches of row-major
// matrices; src/backends/js/ldl.ts is the reference and says what the
// packed factors and pivots mean.
//
// LAPACK is column-major, and ssytrf reads one triangle: A's row-major lower
// triangle is the column-major upper one, so each matrix is copied
// transposed into a work matrix (its lower triangle is then A's) and the
// factors copied back the same way, the strict upper triangle zeroed. The
// pivots are LAPACK's, 1-based where positive: ours are those less one,
// negative ones (2 × 2 blocks) the same. ssytrs takes a column-major b, so
// the right-hand sides go through the work memory transposed too.
#include <algorithm>

#include "each_matrix.h"
#include "tmnn.h"

// LAPACK's Fortran entry points (see linalg.cc).
extern "C" {
void ssytrf_(const char* uplo, const int* n, float* a, const int* lda, int* ipiv, float* work, const int* lwork, int* info, size_t uplo_length);
void ssytrs_(const char* uplo, const int* n, const int* nrhs, const float* a, const int* lda, const int* ipiv, float* b, const int* ldb, int* info,
             size_t uplo_length);
}

namespace tmnn {

// ssytrf runs blocked (slasyf) with n × its block size of workspace; OpenBLAS's ilaenv block size is 64 at most.
constexpr int64_t LDL_WORK_PER_COLUMN = 64;

void ldl_factor(const float* a, int64_t batch, int64_t n, float* ld, int32_t* pivots) {
  const int64_t lwork = std::max<int64_t>(1, n * LDL_WORK_PER_COLUMN);
  each_matrix(batch, n * n * n / 3, n * n + lwork, [&](int64_t b, float* work) {
    const float* from = a + b * n * n;
    for (int64_t i = 0; i < n; i++)
      for (int64_t j = 0; j < n; j++) work[j * n + i] = from[i * n + j];
    const int size = int(n), lw = int(lwork);
    int info = 0;
    int* ipiv = reinterpret_cast<int*>(pivots + b * n);
    // info > 0 names a zero block of D: the factors are still complete, as the js loop leaves them.
    ssytrf_("L", &size, work, &size, ipiv, work + n * n, &lw, &info, 1);
    for (int64_t k = 0; k < n; k++)
      if (ipiv[k] > 0) ipiv[k] -= 1;
    float* to = ld + b * n * n;
    for (int64_t i = 0; i < n; i++)
      for (int64_t j = 0; j < n; j++) to[i * n + j] = j <= i ? work[j * n + i] : 0.0f;
  });
}

void ldl_solve(const float* ld, const int32_t* pivots, const float* rhs, int64_t batch, int64_t n, int64_t k, float* x) {
  each_matrix(batch, n * n * k, n * n + n * k + n, [&](int64_t b, float* work) {
    float* factors = work;
    float* columns = work + n * n;
    int* ipiv = reinterpret_cast<int*>(columns + n * k);
    const float* from = ld + b * n * n;
    for (int64_t i = 0; i < n; i++)
      for (int64_t j = 0; j < n; j++) factors[j * n + i] = from[i * n + j];
    for (int64_t i = 0; i < n; i++) ipiv[i] = pivots[b * n + i] >= 0 ? pivots[b * n + i] + 1 : pivots[b * n + i];
    const float* bm = rhs + b * n * k;
    for (int64_t i = 0; i < n; i++)
      for (int64_t c = 0; c < k; c++) columns[c * n + i] = bm[i * k + c];
    const int size = int(n), nrhs = int(k);
    int info = 0;
    ssytrs_("L", &size, &nrhs, factors, &size, ipiv, columns, &size, &info, 1);
    float* out = x + b * n * k;
    for (int64_t i = 0; i < n; i++)
      for (int64_t c = 0; c < k; c++) out[i * k + c] = columns[c * n + i];
  });
}

}  // namespace tmnn
