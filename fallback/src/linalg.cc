// Dense factorizations behind tm.linalg, f32, over batches of row-major
// matrices: LU with partial pivoting (LAPACK's sgetrf), solves from its
// factors (two cblas_strsm), Cholesky (spotrf), Householder QR (sgeqrf, then
// sorgqr for Q) and triangular solves (cblas_strsm). LAPACK is column-major:
//
// - sgetrf of the row-major array would factor Aᵀ, pivoting its columns, so
//   each matrix is copied transposed into a column-major work matrix and its
//   factors copied back transposed: 2n² copies beside n³/3 multiply-adds.
// - spotrf needs no copy of that kind: a symmetric A read column-major is
//   Aᵀ = A, and asking it for 'U' (A = UᵀU, U upper column-major) leaves Uᵀ =
//   L in the row-major lower triangle. It reads only that triangle, as
//   torch.linalg.cholesky reads only A's lower one; the row-major upper
//   triangle it leaves as it was, and it is zeroed after.
// - sgeqrf factors the matrix it is given, so an m × n A is copied transposed
//   into a column-major m × n work matrix (m × m for a complete Q, whose
//   columns past n sorgqr fills); R is read from its upper triangle and Q,
//   once sorgqr has replaced the reflectors, transposed out.
// - cblas_strsm takes row-major matrices itself: no copies but b's into x.
//
// Batch items run on threads of their own (each_matrix.h).
#include <cblas.h>

#include <algorithm>
#include <limits>
#include <mutex>
#include <utility>

#include "each_matrix.h"
#include "tmnn.h"

// LAPACK's Fortran entry points (Debian's libopenblas has them; it ships no
// lapack.h). The trailing length is gfortran's hidden one for a CHARACTER
// argument; OpenBLAS's own C implementations ignore it.
extern "C" {
void sgetrf_(const int* m, const int* n, float* a, const int* lda, int* ipiv, int* info);
void sgeqrf_(const int* m, const int* n, float* a, const int* lda, float* tau, float* work, const int* lwork, int* info);
void sorgqr_(const int* m, const int* n, const int* k, float* a, const int* lda, const float* tau, float* work, const int* lwork, int* info);
void spotrf_(const char* uplo, const int* n, float* a, const int* lda, int* info, size_t uplo_length);
}

namespace tmnn {

static_assert(sizeof(int) == sizeof(int32_t), "sgetrf writes its pivots as ints into the Int32Array");

namespace {

// to[j, i] = from[i, j] for n × n matrices.
void transpose_square(const float* from, float* to, int64_t n) {
  for (int64_t i = 0; i < n; i++)
    for (int64_t j = 0; j < n; j++) to[j * n + i] = from[i * n + j];
}

}  // namespace

void lu_factor(const float* a, int64_t batch, int64_t n, float* lu, int32_t* pivots) {
  each_matrix(batch, n * n * n / 3, n * n, [&](int64_t b, float* work) {
    transpose_square(a + b * n * n, work, n);
    const int size = int(n);
    int info = 0;
    // sgetrf writes 1-based pivots as ints, the same width as ours.
    int* ipiv = reinterpret_cast<int*>(pivots + b * n);
    // info > 0 names a zero pivot: the factors are still complete (U singular), which det needs.
    sgetrf_(&size, &size, work, &size, ipiv, &info);
    for (int64_t k = 0; k < n; k++) ipiv[k] -= 1;
    transpose_square(work, lu + b * n * n, n);
  });
}

void lu_solve(const float* lu, const int32_t* pivots, const float* rhs, int64_t batch, int64_t n, int64_t k, float* x) {
  each_matrix(batch, n * n * k, 0, [&](int64_t b, float*) {
    const float* factors = lu + b * n * n;
    float* out = x + b * n * k;
    std::copy(rhs + b * n * k, rhs + (b + 1) * n * k, out);
    for (int64_t i = 0; i < n; i++) {
      const int64_t p = pivots[b * n + i];
      if (p != i) std::swap_ranges(out + i * k, out + (i + 1) * k, out + p * k);
    }
    cblas_strsm(CblasRowMajor, CblasLeft, CblasLower, CblasNoTrans, CblasUnit, int(n), int(k), 1.0f, factors, int(n), out, int(k));
    cblas_strsm(CblasRowMajor, CblasLeft, CblasUpper, CblasNoTrans, CblasNonUnit, int(n), int(k), 1.0f, factors, int(n), out, int(k));
  });
}

void cholesky(const float* a, int64_t batch, int64_t n, float* l) {
  each_matrix(batch, n * n * n / 6, 0, [&](int64_t b, float*) {
    float* out = l + b * n * n;
    std::copy(a + b * n * n, a + (b + 1) * n * n, out);
    const int size = int(n);
    int info = 0;
    spotrf_("U", &size, out, &size, &info, 1);
    for (int64_t i = 0; i < n; i++) std::fill(out + i * n + i + 1, out + (i + 1) * n, 0.0f);
    // Not positive definite: the minor of order info is not. Its row on is left half done: NaN, as the js loop gives.
    if (info > 0)
      for (int64_t i = info - 1; i < n; i++) std::fill(out + i * n, out + i * n + i + 1, std::numeric_limits<float>::quiet_NaN());
  });
}

// LAPACK's blocked sgeqrf and sorgqr want n × (their block size) floats of
// workspace to run blocked (less makes them fall back to unblocked code);
// OpenBLAS's ilaenv block size for both is 32, so 64 per column is ample.
constexpr int64_t QR_WORK_PER_COLUMN = 64;

void qr(const float* a, int64_t batch, int64_t m, int64_t n, bool complete, float* q, float* r) {
  const int64_t k = std::min(m, n), c = complete ? m : k, columns = std::max(n, c);
  const int64_t lwork = std::max<int64_t>(1, columns * QR_WORK_PER_COLUMN);
  // A Householder QR costs 2mn² − 2n³/3 flops, forming Q about as much again: ~2mnk multiply-adds in all.
  each_matrix(batch, 2 * m * n * k, m * columns + k + lwork, [&](int64_t b, float* work) {
    float* factors = work;
    float* tau = work + m * columns;
    float* scratch = tau + k;
    const float* from = a + b * m * n;
    for (int64_t i = 0; i < m; i++)
      for (int64_t j = 0; j < n; j++) factors[j * m + i] = from[i * n + j];
    const int rows = int(m), cols = int(n), kk = int(k), qc = int(c), lw = int(lwork);
    int info = 0;
    sgeqrf_(&rows, &cols, factors, &rows, tau, scratch, &lw, &info);
    float* to = r + b * c * n;
    for (int64_t i = 0; i < c; i++)
      for (int64_t j = 0; j < n; j++) to[i * n + j] = j >= i ? factors[j * m + i] : 0.0f;
    sorgqr_(&rows, &qc, &kk, factors, &rows, tau, scratch, &lw, &info);
    float* qm = q + b * m * c;
    for (int64_t i = 0; i < m; i++)
      for (int64_t j = 0; j < c; j++) qm[i * c + j] = factors[j * m + i];
  });
}

void triangular_solve(const float* a, const float* rhs, int64_t batch, int64_t n, int64_t k, bool upper, bool unit, float* x) {
  each_matrix(batch, n * n * k / 2, 0, [&](int64_t b, float*) {
    float* out = x + b * n * k;
    std::copy(rhs + b * n * k, rhs + (b + 1) * n * k, out);
    cblas_strsm(CblasRowMajor, CblasLeft, upper ? CblasUpper : CblasLower, CblasNoTrans, unit ? CblasUnit : CblasNonUnit, int(n), int(k), 1.0f,
                a + b * n * n, int(n), out, int(k));
  });
}

}  // namespace tmnn
