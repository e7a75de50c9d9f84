// One SGD step in one pass (ops/sgd.ts gives the formula): the new parameter
// and velocity, each element read and written once. Computed in f32 in the
// order the elementwise ops would, each product and sum rounded as they round
// it: no a * b + c contracted into a fused multiply-add (adam.cc says why).
#pragma GCC optimize("fp-contract=off")
#include "tmnn.h"

namespace tmnn {

TMNN_MULTIVERSION void sgd(const float* p, const float* g, const float* v, float* p_out, float* v_out, int64_t n, const SgdStep& h) {
  const float lr = float(h.lr), mu = float(h.momentum), decay = float(h.weight_decay);
  const bool decays = h.weight_decay != 0;
  for (int64_t i = 0; i < n; i++) {
    const float gi = decays ? g[i] + p[i] * decay : g[i];
    if (!v_out) {
      p_out[i] = p[i] - gi * lr;
      continue;
    }
    const float vi = v ? v[i] * mu + gi : gi;
    v_out[i] = vi;
    p_out[i] = p[i] - (h.nesterov ? gi + vi * mu : vi) * lr;
  }
}

}  // namespace tmnn
