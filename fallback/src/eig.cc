// The symmetric eigendecomposition and the singular value decomposition
// behind tm.linalg.eigh and tm.linalg.svd, f32, over batches of row-major
// matrices, by OpenBLAS's LAPACK: ssyevd (divide and conquer) and sgesdd
// (the same, for the SVD, on a bidiagonal form: A's own columns, never AᵀA).
// LAPACK is column-major, which each call turns to account:
//
// - ssyevd reads one triangle of a symmetric A; the row-major lower triangle
//   is the column-major upper one, so it is asked for 'U' of a copy. Its
//   eigenvectors come back as the columns of a column-major matrix, the rows
//   of a row-major one: copied out transposed.
// - sgesdd of the row-major A [m, n] sees Aᵀ [n, m] = U'·S·V'ᵀ, so A = V'·S·U'ᵀ:
//   its V'ᵀ (k × m column-major) read row-major is V' [m, k], A's U, and its
//   U' (n × k column-major) read row-major is U'ᵀ [k, n], A's Vh. Both are
//   written straight into the outputs; only A is copied (sgesdd overwrites it).
//
// Batch items run on threads of their own (each_matrix.h). A matrix LAPACK
// fails to converge on (NaN in it) comes out NaN throughout.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "each_matrix.h"
#include "tmnn.h"

// LAPACK's Fortran entry points, as in linalg.cc; the trailing lengths are
// gfortran's hidden ones for CHARACTER arguments.
extern "C" {
void ssyevd_(const char* jobz, const char* uplo, const int* n, float* a, const int* lda, float* w, float* work, const int* lwork, int* iwork,
             const int* liwork, int* info, size_t jobz_length, size_t uplo_length);
void sgesdd_(const char* jobz, const int* m, const int* n, float* a, const int* lda, float* s, float* u, const int* ldu, float* vt,
             const int* ldvt, float* work, const int* lwork, int* iwork, int* info, size_t jobz_length);
}

namespace tmnn {

namespace {

constexpr float NOT_A_NUMBER = std::numeric_limits<float>::quiet_NaN();

// A workspace query's answer, a float: past 2²⁴ it may have been rounded
// down (LAPACK before 3.10 does not round it up), so a little is added.
int workspace(float answer) {
  return int(std::ceil(double(answer) * (1 + 4 * std::numeric_limits<float>::epsilon()))) + 1;
}

}  // namespace

void eigh(const float* a, int64_t batch, int64_t n, float* values, float* vectors) {
  const int size = int(n);
  // The workspace ssyevd asks for at this n (a query: lwork = liwork = −1).
  float lwork_query = 0;
  int liwork = 0, info = 0;
  const int query = -1;
  ssyevd_("V", "U", &size, nullptr, &size, nullptr, &lwork_query, &query, &liwork, &query, &info, 1, 1);
  const int lwork = workspace(lwork_query);
  each_matrix(batch, 4 * n * n * n, n * n + lwork, [&](int64_t b, float* work) {
    float* m = work;
    std::copy(a + b * n * n, a + (b + 1) * n * n, m);
    std::vector<int> iwork(static_cast<size_t>(liwork));
    float* w = values + b * n;
    int status = 0;
    ssyevd_("V", "U", &size, m, &size, w, work + n * n, &lwork, iwork.data(), &liwork, &status, 1, 1);
    float* v = vectors + b * n * n;
    if (status != 0) {
      std::fill(w, w + n, NOT_A_NUMBER);
      std::fill(v, v + n * n, NOT_A_NUMBER);
      return;
    }
    for (int64_t i = 0; i < n; i++)
      for (int64_t j = 0; j < n; j++) v[i * n + j] = m[j * n + i];
  });
}

void svd(const float* a, int64_t batch, int64_t m, int64_t n, float* u, float* s, float* vh) {
  const int64_t k = std::min(m, n);
  // LAPACK's view: Aᵀ, rows × cols.
  const int rows = int(n), cols = int(m), ldvt = int(std::max<int64_t>(k, 1));
  // (The ops layer calls it for k ≥ 1 only: LAPACK refuses a leading dimension of 0.)
  float lwork_query = 0;
  int info = 0;
  const int query = -1;
  sgesdd_("S", &rows, &cols, nullptr, &rows, nullptr, nullptr, &rows, nullptr, &ldvt, &lwork_query, &query, nullptr, &info, 1);
  const int lwork = workspace(lwork_query);
  each_matrix(batch, 6 * m * n * k, m * n + lwork, [&](int64_t b, float* work) {
    float* at = work;
    std::copy(a + b * m * n, a + (b + 1) * m * n, at);
    std::vector<int> iwork(static_cast<size_t>(8 * k));
    float *sb = s + b * k, *ub = u + b * m * k, *vhb = vh + b * k * n;
    int status = 0;
    sgesdd_("S", &rows, &cols, at, &rows, sb, vhb, &rows, ub, &ldvt, work + m * n, &lwork, iwork.data(), &status, 1);
    if (status != 0) {
      std::fill(sb, sb + k, NOT_A_NUMBER);
      std::fill(ub, ub + m * k, NOT_A_NUMBER);
      std::fill(vhb, vhb + k * n, NOT_A_NUMBER);
    }
  });
}

}  // namespace tmnn
