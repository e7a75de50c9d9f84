// gruCell and its gradient (the contract in src/backends/kernels.ts): one
// GRU step after its matrix products, in one pass over the gates instead of
// a dozen elementwise ops, each in double and rounded once as the js backend
// computes it. The units of a row are independent and the activations are
// exp_double.h's plain arithmetic (not libm calls), so the loop over them
// vectorises, compiled for AVX-512, AVX2 and baseline x86-64 (TMNN_MULTIVERSION).
// f32 only (the TypeScript side sends f16 to js).
#include "exp_double.h"
#include "tmnn.h"

namespace tmnn {

namespace {

TMNN_INLINE double sigmoid(double v) { return 1.0 / (1.0 + exp_for_float(-v)); }

// One batch row's gates: each gate's H pre-activations on the input side (x)
// and the hidden side (h), the gates r, z, n one after another in a row of 3H.
struct Row {
  const float* xr;
  const float* xz;
  const float* xn;
  const float* hr;
  const float* hz;
  const float* hn;
};

TMNN_INLINE Row row_at(const float* xw, const float* hw, int64_t hidden, int64_t b) {
  const float* x = xw + b * 3 * hidden;
  const float* h = hw + b * 3 * hidden;
  return {x, x + hidden, x + 2 * hidden, h, h + hidden, h + 2 * hidden};
}

// The loops' pointers are parameters marked __restrict (as pointers computed
// in the loop's own scope, GCC would not vectorise the gradient's nine streams).
TMNN_INLINE void step_row(const Row& q, const float* __restrict state, int64_t hidden, float* __restrict next) {
  const float* __restrict xr = q.xr;
  const float* __restrict xz = q.xz;
  const float* __restrict xn = q.xn;
  const float* __restrict hr = q.hr;
  const float* __restrict hz = q.hz;
  const float* __restrict hn = q.hn;
  for (int64_t j = 0; j < hidden; j++) {
    const double r = sigmoid(double(xr[j]) + hr[j]);
    const double z = sigmoid(double(xz[j]) + hz[j]);
    const double n = tanh_for_float(xn[j] + r * hn[j]);
    next[j] = float(n + z * (state[j] - n));
  }
}

// d_row is the row's dh'; dxw's gates, dhw's, then dh come out.
TMNN_INLINE void grad_row(const Row& q, const float* __restrict state, const float* __restrict d_row, int64_t hidden, float* __restrict dxr,
                          float* __restrict dxz, float* __restrict dxn, float* __restrict dhr, float* __restrict dhz, float* __restrict dhn,
                          float* __restrict dh) {
  const float* __restrict xr = q.xr;
  const float* __restrict xz = q.xz;
  const float* __restrict xn = q.xn;
  const float* __restrict hr = q.hr;
  const float* __restrict hz = q.hz;
  const float* __restrict hn = q.hn;
  for (int64_t j = 0; j < hidden; j++) {
    const double r = sigmoid(double(xr[j]) + hr[j]);
    const double z = sigmoid(double(xz[j]) + hz[j]);
    const double n = tanh_for_float(xn[j] + r * hn[j]);
    const double d = d_row[j];
    // The gradients of the pre-activations, the same on the input and hidden sides but for n's (r scales hn).
    const double dn = d * (1 - z) * (1 - n * n);
    const float dr = float(dn * hn[j] * r * (1 - r));
    const float dz = float(d * (state[j] - n) * z * (1 - z));
    dxr[j] = dr;
    dhr[j] = dr;
    dxz[j] = dz;
    dhz[j] = dz;
    dxn[j] = float(dn);
    dhn[j] = float(dn * r);
    dh[j] = float(d * z);
  }
}

}  // namespace

TMNN_MULTIVERSION
void gru_cell(const float* xw, const float* hw, const float* h, int64_t batch, int64_t hidden, float* out) {
  for (int64_t b = 0; b < batch; b++) step_row(row_at(xw, hw, hidden, b), h + b * hidden, hidden, out + b * hidden);
}

TMNN_MULTIVERSION
void gru_cell_grad(const float* xw, const float* hw, const float* h, const float* dy, int64_t batch, int64_t hidden, float* out) {
  for (int64_t b = 0; b < batch; b++) {
    float* dx = out + b * 3 * hidden;
    float* dhw = dx + 3 * batch * hidden;
    grad_row(row_at(xw, hw, hidden, b), h + b * hidden, dy + b * hidden, hidden, dx, dx + hidden, dx + 2 * hidden, dhw, dhw + hidden, dhw + 2 * hidden,
             out + 6 * batch * hidden + b * hidden);
  }
}

}  // namespace tmnn
