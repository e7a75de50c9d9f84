// AugMix's Dirichlet draws from a transform's uniform generator: positive
// weights summing to 1 whose means and variances are the distribution's,
// within bounds many standard errors wide, small concentrations included.
import { describe, expect, it } from 'vitest';
import { rng } from '../../src/random.js';
import { dirichletDraw } from '../../src/vision/dirichlet.js';
import { SEED } from '../helpers/data.js';

describe('vision Dirichlet draws', () => {
  it.each([[[1, 1]], [[0.5, 1, 2]], [[0.1, 0.1, 0.1]], [[7, 3]]])('Dirichlet(%j): on the simplex, mean αᵢ/α₀ and variance αᵢ(α₀ − αᵢ)/(α₀²(α₀ + 1))', (alphas) => {
    const next = rng(SEED);
    const n = 20000;
    const draws = Array.from({ length: n }, () => dirichletDraw(next, alphas));
    for (const d of draws) {
      expect(d.every((w) => w >= 0 && Number.isFinite(w))).toBe(true);
      expect(Math.abs(d.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-12);
    }
    const total = alphas.reduce((a, b) => a + b, 0);
    alphas.forEach((a, i) => {
      const mean = a / total;
      const variance = (a * (total - a)) / (total * total * (total + 1));
      const got = draws.reduce((s, d) => s + d[i], 0) / n;
      const spread = draws.reduce((s, d) => s + (d[i] - mean) ** 2, 0) / n;
      // 7 standard errors; a weight in [0, 1] has (w − μ)⁴ ≤ (w − μ)², so the variance estimate's error is at most √(σ²/n).
      expect(Math.abs(got - mean), `component ${i} mean (test seed ${SEED})`).toBeLessThan(7 * Math.sqrt(variance / n));
      expect(Math.abs(spread - variance), `component ${i} variance (test seed ${SEED})`).toBeLessThan(7 * Math.sqrt(variance / n));
    });
  });
});
