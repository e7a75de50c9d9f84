// Dirichlet draws from a transform's uniform generator, for AugMix's mixing
// weights. tm.distributions draws on the device, which a transform's
// per-sample parameters cannot wait for (no synchronous read), so here each
// Gamma(α) is Marsaglia and Tsang's method (as standardGamma there) in
// float64, kept as its logarithm: a small α's u^(1/α) underflows, its
// logarithm does not, and the weights are a softmax of them.

/** Normal draws from uniform ones (Box–Muller, one of the pair). */
function normalDraw(next: () => number): number {
  const u = 1 - next(); // (0, 1]: keeps log finite
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
}

/** log of a Gamma(α, 1) draw, α > 0: Marsaglia–Tsang for α (α + 1 below 1, then times u^(1/α)). */
export function logGammaDraw(next: () => number, alpha: number): number {
  const boosted = alpha < 1 ? alpha + 1 : alpha;
  const d = boosted - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = normalDraw(next);
    const v = (1 + c * x) ** 3;
    if (v <= 0) continue;
    if (Math.log(1 - next()) < 0.5 * x * x + d - d * v + d * Math.log(v)) {
      return Math.log(d * v) + (alpha < 1 ? Math.log(1 - next()) / alpha : 0);
    }
  }
}

/** A draw of Dirichlet(alphas): positive weights summing to 1. */
export function dirichletDraw(next: () => number, alphas: readonly number[]): number[] {
  const logs = alphas.map((a) => logGammaDraw(next, a));
  const top = Math.max(...logs);
  const weights = logs.map((l) => Math.exp(l - top));
  const total = weights.reduce((a, b) => a + b, 0);
  return weights.map((v) => v / total);
}
