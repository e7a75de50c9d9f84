// One Adam step in one pass: the new parameter and both moments from the old
// ones and the gradient, each element read and written once (as separate
// elementwise ops the step is a dozen passes over memory). Computed in f32
// in the order the elementwise ops would (ops/adam.ts), each product and sum
// rounded as they round it: no a * b + c contracted into one fused
// multiply-add, which the AVX2 and AVX-512 clones would otherwise do.
#pragma GCC optimize("fp-contract=off")
#include <cmath>

#include "tmnn.h"

namespace tmnn {

TMNN_MULTIVERSION void adam(const float* p, const float* g, const float* m, const float* v, float* p_out, float* m_out, float* v_out,
                            int64_t n, const AdamStep& h) {
  const float b1 = float(h.beta1), c1 = float(1 - h.beta1);
  const float b2 = float(h.beta2), c2 = float(1 - h.beta2);
  const float step = float(h.step_size), eps = float(h.epsilon_hat);
  const float l2 = float(h.l2), decay = float(h.decay);
  const bool with_l2 = h.l2 != 0, decays = h.decay != 1;
  // Each step reads and writes element i alone (an output may be its input, in place): no dependence
  // across iterations, which GCC cannot prove for seven pointers and so, unasked, left the loop scalar.
#pragma GCC ivdep
  for (int64_t i = 0; i < n; i++) {
    const float gi = with_l2 ? g[i] + p[i] * l2 : g[i];
    const float mi = m[i] * b1 + gi * c1;
    const float vi = v[i] * b2 + (gi * gi) * c2;
    const float base = decays ? p[i] * decay : p[i];
    m_out[i] = mi;
    v_out[i] = vi;
    p_out[i] = base - (mi / (std::sqrt(vi) + eps)) * step;
  }
}

}  // namespace tmnn
