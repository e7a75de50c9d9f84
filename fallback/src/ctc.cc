// The CTC kernel (the contract in src/backends/kernels.ts): for each sample,
// the forward variables α and, for a gradient, the backward variables β over
// the target interleaved with blanks, in double and in log space (Graves et
// al. 2006), as the js backend computes them; samples split among threads.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "parallel.h"
#include "tmnn.h"

namespace tmnn {

namespace {

constexpr double NEG_INF = -std::numeric_limits<double>::infinity();

// log(e^a + e^b), exact where either is −∞.
inline double log_add(double a, double b) {
  if (a == NEG_INF) return b;
  if (b == NEG_INF) return a;
  return std::max(a, b) + std::log1p(std::exp(-std::fabs(a - b)));
}

void ctc_sample(const CtcProblem& p, int64_t n, float* losses, float* grad) {
  const int64_t steps = p.input_lengths[n], states = 2 * int64_t(p.target_lengths[n]) + 1;
  std::vector<int32_t> ext(states);
  bool classes_ok = true;
  for (int64_t s = 0; s < states; s++) {
    ext[s] = s & 1 ? p.targets[n * p.labels + (s >> 1)] : p.blank;
    classes_ok = classes_ok && ext[s] >= 0 && ext[s] < p.classes;
  }
  auto row = [&](int64_t t) { return (t * p.batch + n) * p.classes; };
  if (!classes_ok) {
    losses[n] = std::numeric_limits<float>::quiet_NaN();
    if (grad) for (int64_t t = 0; t < steps; t++) std::fill(grad + row(t), grad + row(t) + p.classes, std::numeric_limits<float>::quiet_NaN());
    return;
  }
  auto at = [&](int64_t t, int64_t s) { return double(p.lp[row(t) + ext[s]]); };
  // A state may also be entered from two back (over a blank) unless it is a blank or repeats the label there.
  auto skips = [&](int64_t s) { return s >= 2 && ext[s] != p.blank && ext[s] != ext[s - 2]; };
  std::vector<double> alpha(steps * states, NEG_INF);
  alpha[0] = at(0, 0);
  if (states > 1) alpha[1] = at(0, 1);
  for (int64_t t = 1; t < steps; t++) {
    for (int64_t s = 0; s < states; s++) {
      const int64_t from = (t - 1) * states + s;
      double sum = alpha[from];
      if (s >= 1) sum = log_add(sum, alpha[from - 1]);
      if (skips(s)) sum = log_add(sum, alpha[from - 2]);
      alpha[t * states + s] = sum + at(t, s);
    }
  }
  const int64_t last = (steps - 1) * states;
  const double log_likelihood = log_add(alpha[last + states - 1], states > 1 ? alpha[last + states - 2] : NEG_INF);
  losses[n] = float(-log_likelihood);
  if (!grad || log_likelihood == NEG_INF) return;
  std::vector<double> beta(steps * states, NEG_INF);
  beta[last + states - 1] = at(steps - 1, states - 1);
  if (states > 1) beta[last + states - 2] = at(steps - 1, states - 2);
  for (int64_t t = steps - 2; t >= 0; t--) {
    for (int64_t s = 0; s < states; s++) {
      const int64_t from = (t + 1) * states + s;
      double sum = beta[from];
      if (s + 1 < states) sum = log_add(sum, beta[from + 1]);
      if (s + 2 < states && skips(s + 2)) sum = log_add(sum, beta[from + 2]);
      beta[t * states + s] = sum + at(t, s);
    }
  }
  // d(−log p)/d lp[t, c] = −Σ over the states s of class c of α_t(s)·β_t(s) / (p · y_t(c)): α and β both hold y_t(c).
  std::vector<double> occupancy(p.classes, NEG_INF);
  for (int64_t t = 0; t < steps; t++) {
    for (int64_t s = 0; s < states; s++) occupancy[ext[s]] = log_add(occupancy[ext[s]], alpha[t * states + s] + beta[t * states + s]);
    for (int64_t s = 0; s < states; s++) {
      const int32_t c = ext[s];
      if (occupancy[c] == NEG_INF) continue;  // this class's states already written at this frame
      grad[row(t) + c] = float(-std::exp(occupancy[c] - log_likelihood - double(p.lp[row(t) + c])));
      occupancy[c] = NEG_INF;
    }
  }
}

}  // namespace

void ctc(const CtcProblem& p, float* losses, float* grad) {
  // Each sample's recursion is T·(2S + 1) steps of a few flops: threads only where there are many.
  int64_t work = 0;
  for (int64_t n = 0; n < p.batch; n++) work += int64_t(p.input_lengths[n]) * (2 * int64_t(p.target_lengths[n]) + 1);
  const int parts = thread_parts(std::min<int64_t>(p.batch, work / 20000));
  parallel(parts, [&](int part) {
    const auto [first, end] = share(p.batch, parts, part);
    for (int64_t n = first; n < end; n++) ctc_sample(p, n, losses, grad);
  });
}

}  // namespace tmnn
