// tm.distributions.LKJCholesky against what defines it, on every backend:
// draws are Cholesky factors of correlation matrices (lower triangular,
// positive diagonal, rows of unit length) whose off-diagonal correlations
// have the LKJ marginal, 2·Beta(b, b) − 1 with b = η − 1 + d/2 (LKJ 2009),
// checked by mean and variance over 8,000 draws; logProb at the identity
// against normalising constants integrated by hand (d = 2: 2^(2η−1)·B(η, η);
// d = 3: ∫(1 − x²)^(η−½) dx · ∫ over the disc (1 − ρ²)^(η−1) = √π·Γ(η + ½)/
// Γ(η + 1) · π/η) and elsewhere against PyTorch's form of the density in
// float64; rsample's mean gradient in η against d E[C₁₀²]/dη.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose } from '../helpers/data.js';
import { expectMoments, meanAndError } from '../helpers/distributions.js';
import { collected } from '../helpers/gc.js';
import { expectGradients } from '../helpers/linalg.js';
import { lgammaRef } from '../helpers/special.js';

const { LKJCholesky } = tm.distributions;

/** PyTorch's form of log p(L): Σᵢ (d − i − 3 + 2η)·log Lᵢᵢ (rows i from 1) − [(d−1)/2·log π + log Γ_{d−1}(α − ½) − (d−1)·log Γ(α)], α = η + (d−1)/2. */
function logProbRef(l: ArrayLike<number>, d: number, eta: number): number {
  let unnormalised = 0;
  for (let i = 1; i < d; i++) unnormalised += (d - i - 3 + 2 * eta) * Math.log(l[i * d + i]);
  const alpha = eta + (d - 1) / 2;
  const p = d - 1;
  const multiGamma = (p * (p - 1) * Math.log(Math.PI)) / 4 + Array.from({ length: p }, (_, j) => lgammaRef(alpha - 0.5 - j / 2)).reduce((s, v) => s + v, 0);
  return unnormalised - ((p / 2) * Math.log(Math.PI) + multiGamma - p * lgammaRef(alpha));
}

describe.each(BACKENDS)('LKJCholesky on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each([2, 3, 5])('d = %i, η 0.5, 1 and 4 as a batch: 8,000 draws are correlation factors whose correlations have the LKJ marginal', async (d) => {
    const n = 8000;
    const etas = [0.5, 1, 4];
    const dist = new LKJCholesky(d, tm.tensor(etas));
    expect([dist.batchShape, dist.eventShape]).toEqual([[3], [d, d]]);
    const draws = dist.sample([n]);
    expect(draws.shape).toEqual([n, 3, d, d]);
    const l = await draws.data();
    for (let k = 0; k < n * 3; k += 7) {
      const at = k * d * d;
      for (let i = 0; i < d; i++) {
        let norm = 0;
        for (let j = 0; j < d; j++) {
          const v = l[at + i * d + j];
          if (j > i) expect(v).toBe(0);
          norm += v * v;
        }
        expect(l[at + i * d + i]).toBeGreaterThan(0);
        expect(Math.abs(norm - 1), `row ${i} of draw ${k} has squared length ${norm}`).toBeLessThanOrEqual(1e-5);
      }
    }
    // Cᵢⱼ = Σₖ LᵢₖLⱼₖ for every i > j, each column one correlation of one η.
    const pairs = Array.from({ length: d }, (_, i) => Array.from({ length: i }, (_, j) => [i, j])).flat();
    for (let b = 0; b < 3; b++) {
      const correlations = new Float64Array(n * pairs.length);
      for (let s = 0; s < n; s++) {
        const at = (s * 3 + b) * d * d;
        pairs.forEach(([i, j], c) => {
          let sum = 0;
          for (let k = 0; k <= j; k++) sum += l[at + i * d + k] * l[at + j * d + k];
          correlations[s * pairs.length + c] = sum;
        });
      }
      const variance = 1 / (2 * etas[b] + d - 1);
      expectMoments(correlations, n, pairs.map(() => 0), pairs.map(() => variance), `LKJ d=${d} η=${etas[b]}`);
    }
    draws.dispose();
    dist.dispose();
  });

  it('logProb at the identity is minus the log of the normalising constant integrated by hand (d = 2 and 3); elsewhere PyTorch\'s form; gradient in η', async () => {
    const etas = [0.3, 1, 2.5];
    const eta = tm.tensor(etas);
    const lgamma = lgammaRef;
    const two = await new LKJCholesky(2, eta).logProb(tm.eye(2)).data();
    expectClose(two, etas.map((e) => -((2 * e - 1) * Math.log(2) + 2 * lgamma(e) - lgamma(2 * e))), 1e-5, 'd = 2', [1, 1, 1]);
    const three = await new LKJCholesky(3, eta).logProb(tm.eye(3)).data();
    expectClose(three, etas.map((e) => -(0.5 * Math.log(Math.PI) + lgamma(e + 0.5) - lgamma(e + 1) + Math.log(Math.PI / e))), 1e-5, 'd = 3', [1, 1, 1]);
    const d = 4;
    const dist = new LKJCholesky(d, eta);
    const values = dist.sample([5]);
    const v = await values.data();
    const got = await dist.logProb(values).data();
    const want = Array.from({ length: 15 }, (_, k) => logProbRef(v.subarray(k * d * d, (k + 1) * d * d), d, etas[k % 3]));
    expectClose(got, want, 2e-5, 'logProb of draws', want.map((w) => Math.abs(w) + 1));
    await expectGradients([[3]], [Float64Array.from(etas)], (e) => [new LKJCholesky(d, e).logProb(values)], (e) => Float64Array.from({ length: 15 }, (_, k) => logProbRef(v.subarray(k * d * d, (k + 1) * d * d), d, e[k % 3])));
  }, 120_000);

  it('rsample: the mean gradient of C₁₀² in η over 10,000 draws is d E[C₁₀²]/dη = −2/(2η + d − 1)²', async () => {
    const [n, d, eta] = [10000, 3, 2];
    const concentration = tm.fill([n], eta);
    concentration.requiresGrad = true;
    const loss = tm.tidy(() => new LKJCholesky(d, concentration).rsample().slice([0, 1, 0], [n, 1, 1]).square().sum());
    loss.backward();
    const { mean, error } = meanAndError(await concentration.grad!.data());
    expect(Math.abs(mean - -2 / (2 * eta + d - 1) ** 2), `${mean} ± ${error}`).toBeLessThanOrEqual(5 * error);
    loss.dispose();
    concentration.dispose();
  });

  it('draws replay under one seed, leave no tensor behind; bad arguments are refused by name', async () => {
    const dist = new LKJCholesky(3, 2);
    tm.setSeed(11);
    const first = Array.from(await dist.sample([2]).data());
    tm.setSeed(11);
    expect(Array.from(await dist.sample([2]).data())).toEqual(first);
    const identity = tm.eye(3);
    const before = await collected();
    for (const t of [dist.sample([2]), dist.rsample([2]), dist.logProb(identity)]) t.dispose();
    expect(tm.memory().numTensors).toBe(before);
    expect(() => new LKJCholesky(1)).toThrow(new tm.ValueError('LKJCholesky: dim must be an integer ≥ 2, got 1'));
    expect(() => new LKJCholesky(3, 0)).toThrow(new tm.ValueError('LKJCholesky: concentration must be positive, got 0'));
    expect(() => new LKJCholesky(3, tm.ones([2], { dtype: 'i32' }))).toThrow('LKJCholesky: concentration must be f32 or f16, got i32');
    expect(() => dist.logProb(tm.eye(2))).toThrow(/LKJCholesky\.logProb: value \[2,2\] does not end with the event shape \[3,3\]/);
    expect(() => dist.entropy()).toThrow('LKJCholesky: no entropy in closed form');
  });
});
