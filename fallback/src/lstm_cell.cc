// lstmCell and its gradient (the contract in src/backends/kernels.ts): one
// LSTM step after its matrix products, in one pass over the gates instead
// of a dozen elementwise ops, each in double and rounded once as the js
// backend computes it. f32 only (the TypeScript side sends f16 to js).
#include <cmath>

#include "tmnn.h"

namespace tmnn {

namespace {

inline double sigmoid(double v) { return 1.0 / (1.0 + std::exp(-v)); }

struct Gates {
  double i, f, g, o;
};

inline Gates gates_at(const float* z, int64_t hidden, int64_t b, int64_t j) {
  const float* row = z + b * 4 * hidden + j;
  return {sigmoid(row[0]), sigmoid(row[hidden]), std::tanh(double(row[2 * hidden])), sigmoid(row[3 * hidden])};
}

}  // namespace

void lstm_cell(const float* z, const float* c, int64_t batch, int64_t hidden, float* out) {
  for (int64_t b = 0; b < batch; b++) {
    for (int64_t j = 0; j < hidden; j++) {
      const Gates q = gates_at(z, hidden, b, j);
      const double next = q.f * c[b * hidden + j] + q.i * q.g;
      out[b * hidden + j] = float(q.o * std::tanh(next));
      out[(batch + b) * hidden + j] = float(next);
    }
  }
}

void lstm_cell_grad(const float* z, const float* c, const float* dy, int64_t batch, int64_t hidden, float* out) {
  float* dc_out = out + 4 * batch * hidden;
  for (int64_t b = 0; b < batch; b++) {
    for (int64_t j = 0; j < hidden; j++) {
      const Gates q = gates_at(z, hidden, b, j);
      const double previous = c[b * hidden + j];
      const double t = std::tanh(q.f * previous + q.i * q.g);
      const double dh = dy[b * hidden + j];
      // c' feeds h' through tanh as well as the next step directly.
      const double dc = dy[(batch + b) * hidden + j] + dh * q.o * (1 - t * t);
      float* row = out + b * 4 * hidden + j;
      row[0] = float(dc * q.g * q.i * (1 - q.i));
      row[hidden] = float(dc * previous * q.f * (1 - q.f));
      row[2 * hidden] = float(dc * q.i * (1 - q.g * q.g));
      row[3 * hidden] = float(dh * t * q.o * (1 - q.o));
      dc_out[b * hidden + j] = float(dc * q.f);
    }
  }
}

}  // namespace tmnn
