// The class probabilities of a multi-class SVM from its pairwise ones (Wu,
// Lin and Weng's second method, "Probability Estimates for Multi-class
// Classification by Pairwise Coupling", as libsvm's multiclass_probability),
// on the host, in float32 arithmetic rounded at each step as onnxruntime's
// ml_common.h computes it. The iteration stops when every |Qp_i − pQp| falls
// under 0.005/k — a test of values, different for each sample, which is why
// it runs here rather than as a fixed graph of tensor ops — so its result is
// only that close to the fixed point: taking the same steps in the same
// precision is what makes it agree with onnxruntime's.
const f = Math.fround;

/**
 * Platt's sigmoid of one pairwise decision value: P(class i | i or j),
 * 1 − logistic(score·a + b) kept inside [1e-7, 1 − 1e-7], as onnxruntime's
 * sigmoid_probability and the clamp after it.
 */
export function pairwiseProbability(score: number, a: number, b: number): number {
  const v = f(f(score * a) + b);
  // onnxruntime's ComputeLogistic: 1/(1 + e^−|v|), mirrored for v < 0.
  const e = f(1 / f(1 + f(Math.exp(-Math.abs(v)))));
  const logistic = v < 0 ? f(1 - e) : e;
  const p = f(1 - logistic);
  return Math.min(Math.max(p, f(1e-7)), f(1 - f(1e-7)));
}

/**
 * The k class probabilities from r [k, k] (row-major, r[i][j] = P(i | i or
 * j), r[j][i] = 1 − r[i][j], the diagonal unread), at most 100 sweeps.
 */
export function coupleProbabilities(k: number, r: Float32Array): Float32Array {
  const q = new Float32Array(k * k);
  const qp = new Float32Array(k);
  const p = new Float32Array(k);
  const eps = f(f(0.005) / k);
  for (let i = 0; i < k; i++) {
    p[i] = f(1 / k);
    for (let j = 0; j < i; j++) {
      q[i * k + i] = f(q[i * k + i] + f(r[j * k + i] * r[j * k + i]));
      q[i * k + j] = q[j * k + i];
    }
    for (let j = i + 1; j < k; j++) {
      q[i * k + i] = f(q[i * k + i] + f(r[j * k + i] * r[j * k + i]));
      q[i * k + j] = f(-f(r[j * k + i] * r[i * k + j]));
    }
  }
  for (let sweep = 0; sweep < 100; sweep++) {
    // Qp and pQp recomputed at each sweep, for accuracy, before the stopping test.
    let pqp = 0;
    for (let i = 0; i < k; i++) {
      let s = 0;
      for (let j = 0; j < k; j++) s = f(s + f(q[i * k + j] * p[j]));
      qp[i] = s;
      pqp = f(pqp + f(p[i] * s));
    }
    let maxError = 0;
    for (let i = 0; i < k; i++) maxError = Math.max(maxError, Math.abs(f(qp[i] - pqp)));
    if (maxError < eps) break;
    for (let i = 0; i < k; i++) {
      const qii = q[i * k + i];
      const diff = f(f(-qp[i] + pqp) / qii);
      p[i] = f(p[i] + diff);
      const grown = f(1 + diff);
      pqp = f(f(f(pqp + f(diff * f(f(diff * qii) + f(2 * qp[i])))) / grown) / grown);
      for (let j = 0; j < k; j++) {
        qp[j] = f(f(qp[j] + f(diff * q[i * k + j])) / grown);
        p[j] = f(p[j] / grown);
      }
    }
  }
  return p;
}
