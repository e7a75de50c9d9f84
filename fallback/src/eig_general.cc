// The eigendecomposition of general (nonsymmetric) matrices behind
// tm.linalg.eig, f32, over batches of row-major matrices, by OpenBLAS's
// LAPACK: sgeev (balancing, Hessenberg reduction, the QR algorithm, then the
// eigenvectors of the Schur form). LAPACK is column-major, so each matrix is
// copied in transposed. sgeev gives a complex pair's vector as two real
// columns (re, im) for the value with positive imaginary part, the other its
// conjugate; each is written out as (re, im) pairs, at unit norm with its
// entry of largest modulus made real and positive (the js reference's
// convention: sgeev makes a complex vector's largest entry real, but not
// positive, and leaves a real vector's sign as it comes). Batch items run on threads of their own (each_matrix.h). A matrix
// holding NaN or ∞, or one LAPACK fails to converge on, comes out NaN
// throughout.
#include <algorithm>
#include <cmath>
#include <limits>

#include "each_matrix.h"
#include "tmnn.h"

extern "C" {
void sgeev_(const char* jobvl, const char* jobvr, const int* n, float* a, const int* lda, float* wr, float* wi, float* vl,
            const int* ldvl, float* vr, const int* ldvr, float* work, const int* lwork, int* info, size_t jobvl_length,
            size_t jobvr_length);
}

namespace tmnn {

namespace {

constexpr float NOT_A_NUMBER = std::numeric_limits<float>::quiet_NaN();

// A workspace query's answer, a float: past 2²⁴ it may have been rounded down, so a little is added.
int workspace(float answer) {
  return int(std::ceil(double(answer) * (1 + 4 * std::numeric_limits<float>::epsilon()))) + 1;
}

// Column k of out (row-major [n, n, 2]) = re + i·im (im null: 0), scaled by conj(v[j])/|v[j]|/‖v‖ for
// j the first entry of largest modulus; with `conjugate`, column k + 1 its conjugate.
void store_vector(const float* re, const float* im, int64_t n, int64_t k, bool conjugate, float* out) {
  double squares = 0, largest = -1;
  int64_t arg = 0;
  for (int64_t i = 0; i < n; i++) {
    const double r = re[i], m = im ? im[i] : 0.0;
    const double modulus = r * r + m * m;
    squares += modulus;
    if (modulus > largest) largest = modulus, arg = i;
  }
  const double scale = std::sqrt(largest) * std::sqrt(squares);
  const double pr = re[arg] / scale, pi = -(im ? im[arg] : 0.0) / scale;
  for (int64_t i = 0; i < n; i++) {
    const double r = re[i], m = im ? im[i] : 0.0;
    float* o = out + (i * n + k) * 2;
    o[0] = float(r * pr - m * pi);
    o[1] = float(r * pi + m * pr);
    if (conjugate) o[2] = o[0], o[3] = -o[1];
  }
}

}  // namespace

void eig(const float* a, int64_t batch, int64_t n, float* values, float* vectors) {
  const int size = int(n);
  float lwork_query = 0;
  int info = 0;
  const int query = -1, one = 1;
  sgeev_("N", "V", &size, nullptr, &size, nullptr, nullptr, nullptr, &one, nullptr, &size, &lwork_query, &query, &info, 1, 1);
  const int lwork = workspace(lwork_query);
  each_matrix(batch, 25 * n * n * n, 2 * n * n + 2 * n + lwork, [&](int64_t b, float* work) {
    float *m = work, *vr = work + n * n, *wr = vr + n * n, *wi = wr + n;
    const float* ab = a + b * n * n;
    bool finite = true;
    for (int64_t i = 0; i < n; i++)
      for (int64_t j = 0; j < n; j++) finite = finite && std::isfinite(m[j * n + i] = ab[i * n + j]);
    int status = 0;
    // LAPACK is not asked about a matrix holding NaN or ∞ (it may not return on one).
    if (finite) sgeev_("N", "V", &size, m, &size, wr, wi, nullptr, &one, vr, &size, wi + n, &lwork, &status, 1, 1);
    float *l = values + b * n * 2, *v = vectors + b * n * n * 2;
    if (!finite || status != 0) {
      std::fill(l, l + n * 2, NOT_A_NUMBER);
      std::fill(v, v + n * n * 2, NOT_A_NUMBER);
      return;
    }
    for (int64_t k = 0; k < n; k++) {
      l[2 * k] = wr[k];
      l[2 * k + 1] = wi[k];
      if (wi[k] == 0) {
        store_vector(vr + k * n, nullptr, n, k, false, v);
      } else if (wi[k] > 0 && k + 1 < n) {
        store_vector(vr + k * n, vr + (k + 1) * n, n, k, true, v);
      }
    }
  });
}

}  // namespace tmnn
