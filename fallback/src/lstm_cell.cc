// lstmCell and its gradient (the contract in src/backends/kernels.ts): one
// LSTM step after its matrix products, in one pass over the gates instead
// of a dozen elementwise ops, each in double and rounded once as the js
// backend computes it. The units of a row are independent and the
// activations are exp_double.h's plain arithmetic (not libm calls, ~20×
// slower here, which left the kernel behind the vectorised ops it
// replaced), so the loop over them vectorises, compiled for AVX-512, AVX2
// and baseline x86-64 (TMNN_MULTIVERSION). f32 only (the TypeScript side
// sends f16 to js).
#include "exp_double.h"
#include "tmnn.h"

namespace tmnn {

namespace {

TMNN_INLINE double sigmoid(double v) { return 1.0 / (1.0 + exp_for_float(-v)); }

// The loops' pointers are parameters marked __restrict, so GCC vectorises
// them without checking for overlap: z's row holds the gates i, f, g, o
// one after another, H each.
TMNN_INLINE void step_row(const float* __restrict zi, const float* __restrict zf, const float* __restrict zg, const float* __restrict zo,
                          const float* __restrict c, int64_t hidden, float* __restrict h_out, float* __restrict c_out) {
  for (int64_t j = 0; j < hidden; j++) {
    const double next = sigmoid(zf[j]) * c[j] + sigmoid(zi[j]) * tanh_for_float(zg[j]);
    h_out[j] = float(sigmoid(zo[j]) * tanh_for_float(next));
    c_out[j] = float(next);
  }
}

TMNN_INLINE void grad_row(const float* __restrict zi, const float* __restrict zf, const float* __restrict zg, const float* __restrict zo,
                          const float* __restrict c, const float* __restrict dh, const float* __restrict dc_in, int64_t hidden,
                          float* __restrict di, float* __restrict df, float* __restrict dg, float* __restrict d_o, float* __restrict dc_out) {
  for (int64_t j = 0; j < hidden; j++) {
    const double i = sigmoid(zi[j]), f = sigmoid(zf[j]), g = tanh_for_float(zg[j]), o = sigmoid(zo[j]);
    const double previous = c[j];
    const double t = tanh_for_float(f * previous + i * g);
    // c' feeds h' through tanh as well as the next step directly.
    const double dc = dc_in[j] + dh[j] * o * (1 - t * t);
    di[j] = float(dc * g * i * (1 - i));
    df[j] = float(dc * previous * f * (1 - f));
    dg[j] = float(dc * i * (1 - g * g));
    d_o[j] = float(dh[j] * t * o * (1 - o));
    dc_out[j] = float(dc * f);
  }
}

}  // namespace

TMNN_MULTIVERSION
void lstm_cell(const float* z, const float* c, int64_t batch, int64_t hidden, float* out) {
  for (int64_t b = 0; b < batch; b++) {
    const float* row = z + b * 4 * hidden;
    step_row(row, row + hidden, row + 2 * hidden, row + 3 * hidden, c + b * hidden, hidden, out + b * hidden, out + (batch + b) * hidden);
  }
}

TMNN_MULTIVERSION
void lstm_cell_grad(const float* z, const float* c, const float* dy, int64_t batch, int64_t hidden, float* out) {
  for (int64_t b = 0; b < batch; b++) {
    const float* row = z + b * 4 * hidden;
    float* d = out + b * 4 * hidden;
    grad_row(row, row + hidden, row + 2 * hidden, row + 3 * hidden, c + b * hidden, dy + b * hidden, dy + (batch + b) * hidden, hidden, d, d + hidden,
             d + 2 * hidden, d + 3 * hidden, out + 4 * batch * hidden + b * hidden);
  }
}

}  // namespace tmnn
