// tm.distributions' RelaxedBernoulli and RelaxedOneHotCategorical on every
// backend, against formulas derived independently of the code's: the
// binary Concrete density as the derivative of its cdf σ(τ·logit(x) − l),
// the Concrete density of Maddison et al. in its product form; 20,000 draws
// by their cdf (relaxed Bernoulli) and by the frequency of each largest
// entry (the relaxed one-hot's, Categorical's); rsample's gradient in the
// logits against central differences of the same seeded draws; errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { SEED, asF32, expectClose, uniform } from '../helpers/data.js';
import { broadcastMap, expectFractionBelow } from '../helpers/distributions.js';
import { lgammaRef } from '../helpers/special.js';

const { RelaxedBernoulli, RelaxedOneHotCategorical } = tm.distributions;

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const logit = (x: number) => Math.log(x / (1 - x));

describe.each(BACKENDS)('relaxed distributions on %s', (backend) => {
  const tol = backend === 'webgpu' ? 1e-4 : 1e-5;

  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('RelaxedBernoulli: cdf σ(τ·logit(x) − l), icdf its inverse, logProb the cdf\'s derivative, from probs and from logits', async () => {
    const temperature = { v: asF32(uniform(4, 0.3, 2)), shape: [4] };
    const logits = { v: asF32(uniform(3 * 4, -3, 3)), shape: [3, 4] };
    const x = { v: asF32(uniform(3 * 4, 0.02, 0.98)), shape: [3, 4] };
    const probs = { v: asF32(logits.v.map(sigmoid)), shape: [3, 4] };
    for (const [given, d, l] of [
      ['logits', new RelaxedBernoulli(tm.tensor(temperature.v, [4]), { logits: tm.tensor(logits.v, [3, 4]) }), logits],
      ['probs', new RelaxedBernoulli(tm.tensor(temperature.v, [4]), { probs: tm.tensor(probs.v, [3, 4]) }), { v: probs.v.map(logit), shape: [3, 4] }],
    ] as const) {
      expect(d.batchShape).toEqual([3, 4]);
      const cdf = (v: number, t: number, a: number) => sigmoid(t * logit(v) - a);
      // d/dx σ(τ·logit(x) − l) = s·(1 − s)·τ / (x·(1 − x)).
      const density = (v: number, t: number, a: number) => {
        const s = cdf(v, t, a);
        return Math.log((s * (1 - s) * t) / (v * (1 - v)));
      };
      expectClose(await d.cdf(tm.tensor(x.v, [3, 4])).data(), broadcastMap([x, temperature, l], cdf).v, 10 * tol, `${given} cdf`);
      expectClose(await d.logProb(tm.tensor(x.v, [3, 4])).data(), broadcastMap([x, temperature, l], density).v, 10 * tol, `${given} logProb`, x.v.map(() => 5));
      const q = { v: asF32(uniform(12, 0.05, 0.95)), shape: [3, 4] };
      expectClose(await d.icdf(tm.tensor(q.v, [3, 4])).data(), broadcastMap([q, temperature, l], (p, t, a) => sigmoid((a + logit(p)) / t)).v, 10 * tol, `${given} icdf`);
    }
  });

  it('RelaxedBernoulli: 20,000 draws inside (0, 1) fall below two points as often as the cdf says', async () => {
    const n = 20000;
    const temperature = [0.3, 1, 2].map(Math.fround);
    const logits = [-1, 0.5, 2].map(Math.fround);
    const d = new RelaxedBernoulli(tm.tensor(temperature), { logits: tm.tensor(logits) });
    const values = await d.sample([n]).data();
    expect(values.every((v) => v > 0 && v < 1)).toBe(true);
    for (const at of [0.2, 0.7]) {
      expectFractionBelow(values, n, [at, at, at], temperature.map((t, j) => sigmoid(t * logit(at) - logits[j])), 'RelaxedBernoulli.sample');
    }
  });

  it('RelaxedOneHotCategorical: logProb is the Concrete density (K − 1)!·τ^(K−1)·Π αₖ·xₖ^(−τ−1) / (Σ αₖ·xₖ^(−τ))^K, from probs and from logits', async () => {
    const k = 4;
    const t = Math.fround(0.7);
    const weights = asF32(uniform(2 * k, 0.1, 1));
    const raw = asF32(uniform(2 * k, 0.05, 1));
    const x = Float64Array.from(raw, (v, i) => v / Array.from(raw.subarray(Math.floor(i / k) * k, Math.floor(i / k) * k + k)).reduce((a, b) => a + b, 0));
    const want = [0, 1].map((r) => {
      const [a, p] = [Array.from(weights.subarray(r * k, r * k + k)), Array.from(x.subarray(r * k, r * k + k))];
      const sum = a.reduce((s, ak, j) => s + ak * p[j] ** -t, 0);
      return lgammaRef(k) + (k - 1) * Math.log(t) + a.reduce((s, ak, j) => s + Math.log(ak) - (t + 1) * Math.log(p[j]), 0) - k * Math.log(sum);
    });
    for (const d of [
      new RelaxedOneHotCategorical(t, { probs: tm.tensor(weights, [2, k]) }),
      new RelaxedOneHotCategorical(tm.tensor([t, t]), { logits: tm.tensor(weights.map(Math.log), [2, k]) }),
    ]) {
      expect([d.batchShape, d.eventShape]).toEqual([[2], [k]]);
      expectClose(await d.logProb(tm.tensor(x, [2, k])).data(), want, 10 * tol, `${d.given} logProb`, [5, 5]);
    }
  });

  it('RelaxedOneHotCategorical: 20,000 draws on the simplex whose largest entry falls on each class as often as its probability', async () => {
    const n = 20000;
    const p = [0.1, 0.2, 0.3, 0.4];
    const d = new RelaxedOneHotCategorical(0.5, { probs: tm.tensor(p) });
    const draws = d.sample([n]);
    expect(draws.shape).toEqual([n, 4]);
    const values = await draws.data();
    for (let i = 0; i < n; i++) expect(Math.abs(values[i * 4] + values[i * 4 + 1] + values[i * 4 + 2] + values[i * 4 + 3] - 1)).toBeLessThan(1e-5);
    const largest = await draws.argmax(-1).data();
    p.forEach((pc, c) => {
      const seen = largest.filter((v) => v === c).length / n;
      const se = Math.sqrt((pc * (1 - pc)) / n);
      expect(Math.abs(seen - pc), `class ${c}: ${seen} against ${pc} (test seed ${SEED})`).toBeLessThanOrEqual(5 * se);
    });
  });

  it('rsample\'s gradient in the logits is the seeded draws\' central differences, for both', async () => {
    const r = tm.tensor(asF32(uniform(5 * 3)), [5, 3]);
    const base = asF32(uniform(3, -1, 1));
    const makers = [
      (l: tm.Tensor) => new RelaxedBernoulli(0.8, { logits: l }).rsample([5]),
      (l: tm.Tensor) => new RelaxedOneHotCategorical(0.8, { logits: l }).rsample([5]),
    ];
    for (const draw of makers) {
      const loss = async (v: Float64Array) => {
        tm.setSeed(31);
        return (await tm.tidy(() => draw(tm.tensor(v)).mul(r).sum()).data())[0];
      };
      const l = tm.tensor(base);
      l.requiresGrad = true;
      tm.setSeed(31);
      draw(l).mul(r).sum().backward();
      const h = 1e-2;
      const want = [];
      for (let j = 0; j < 3; j++) {
        const [up, down] = [Float64Array.from(base), Float64Array.from(base)];
        up[j] += h;
        down[j] -= h;
        want.push(((await loss(up)) - (await loss(down))) / (2 * h));
      }
      expectClose(await l.grad!.data(), want, 2e-3, 'd/dlogits', [5, 5, 5]);
    }
  });

  it('errors: a temperature that does not broadcast against the batch, a class axis missing', () => {
    expect(() => new RelaxedOneHotCategorical(tm.ones([3]), { probs: tm.ones([2, 4]) })).toThrow(
      new tm.ShapeError('RelaxedOneHotCategorical: temperature and the batch shape [2] of probs [2,4] cannot be broadcast together'),
    );
    expect(() => new RelaxedOneHotCategorical(1, { logits: 0 })).toThrow(new tm.ShapeError('RelaxedOneHotCategorical: logits must have a class axis (its last), got []'));
    expect(() => new RelaxedBernoulli(tm.ones([2], { dtype: 'i32' }), { probs: 0.5 })).toThrow(new tm.DTypeError('RelaxedBernoulli: temperature must be f32 or f16, got i32'));
    expect(() => new RelaxedBernoulli(1, { probs: 0.5 }).entropy()).toThrow(new tm.ValueError('RelaxedBernoulli: no entropy in closed form'));
  });
});
