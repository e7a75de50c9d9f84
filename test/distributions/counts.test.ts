// tm.distributions' count distributions (Geometric, Poisson) against float64
// formulas written here, on every backend: logProb, cdf (Poisson's through
// the incomplete gamma function, against summed probabilities), entropy,
// mean, variance and mode; the frequency of every likely count among 20,000
// draws within a few standard errors, for Poisson rates either side of the
// switch between its two samplers (counting uniforms below 10, PTRS from
// 10); seeded reproducibility; flat memory; and errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, randomInts, uniform } from '../helpers/data.js';
import { broadcastMap, expectCountFrequencies, expectMoments } from '../helpers/distributions.js';
import { collected } from '../helpers/gc.js';
import { lgammaRef } from '../helpers/special.js';

const { Geometric, Poisson } = tm.distributions;

const poissonLogPmf = (k: number, rate: number) => (k === 0 ? -rate : k * Math.log(rate) - rate - lgammaRef(k + 1));
const geometricLogPmf = (k: number, p: number) => (k === 0 ? Math.log(p) : k * Math.log1p(-p) + Math.log(p));

describe.each(BACKENDS)('count distributions on %s', (backend) => {
  const tol = backend === 'webgpu' ? 1e-4 : 1e-5;

  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('Poisson: logProb, cdf, mean, variance and mode at rates from 0.3 to 200, broadcast against counts', async () => {
    const rates = { v: asF32(Float64Array.from([0.3, 2.5, 9.5, 26, 200])), shape: [5] };
    const counts = { v: randomInts(4 * 5, 0, 60).map((k, i) => (i % 5 === 4 ? k + 170 : k)), shape: [4, 5] };
    const d = new Poisson(tm.tensor(rates.v, [5]));
    const want = broadcastMap([counts, rates], poissonLogPmf);
    // f32 rounds k·log λ and log k! (over a thousand at λ = 200), which cancel down to the answer: their size sets the tolerance.
    const terms = broadcastMap([counts, rates], (k, r) => Math.abs(k * Math.log(r)) + r + lgammaRef(k + 1));
    expectClose(await d.logProb(tm.tensor(counts.v, [4, 5])).data(), want.v, tol, 'logProb', want.v.map((v, i) => Math.abs(v) + 1 + terms.v[i] / 16));
    const cdf = broadcastMap([counts, rates], (k, r) => {
      let total = 0;
      for (let c = 0; c <= k; c++) total += Math.exp(poissonLogPmf(c, r));
      return Math.min(total, 1);
    });
    expectClose(await d.cdf(tm.tensor(counts.v, [4, 5])).data(), cdf.v, 1e-4, 'cdf', cdf.v.map(() => 1));
    expect(Array.from(await d.cdf(tm.tensor([-1, -0.5, 0.5, 1.9, 2])).data()).slice(0, 2)).toEqual([0, 0]);
    expectClose(await d.mean.data(), rates.v, 0, 'mean');
    expectClose(await d.variance.data(), rates.v, 0, 'variance');
    expectClose(await d.mode.data(), rates.v.map(Math.floor), 0, 'mode');
  });

  it('Poisson: 20,000 draws at rates either side of 10 (and 0): every likely count as often as its probability, mean and variance within 5 standard errors', async () => {
    const n = 20000;
    const rates = [0, 0.4, 3, 9.9, 10, 37, 400].map(Math.fround);
    const d = new Poisson(tm.tensor(rates));
    const x = d.sample([n]);
    expect(x.shape).toEqual([n, rates.length]);
    const values = await x.data();
    expectCountFrequencies(values, n, rates.length, (c, j) => Math.exp(poissonLogPmf(c, rates[j])), 'Poisson.sample');
    expectMoments(values, n, rates, rates, 'Poisson.sample');
  });

  it('Geometric: logProb, cdf, entropy, mean, variance and mode from probs and from logits', async () => {
    const p = asF32(uniform(6, 0.05, 0.95));
    const logits = asF32(uniform(6, -3, 3));
    const k = { v: randomInts(2 * 6, 0, 30), shape: [2, 6] };
    for (const [given, param, probs] of [['probs', p, p], ['logits', logits, logits.map((l) => 1 / (1 + Math.exp(-l)))]] as const) {
      const d = new Geometric(given === 'probs' ? { probs: tm.tensor(param) } : { logits: tm.tensor(param) });
      const ps = { v: probs, shape: [6] };
      const want = broadcastMap([k, ps], geometricLogPmf);
      expectClose(await d.logProb(tm.tensor(k.v, [2, 6])).data(), want.v, tol, `${given} logProb`, want.v.map((v) => Math.abs(v) + 1));
      expectClose(await d.cdf(tm.tensor(k.v, [2, 6])).data(), broadcastMap([k, ps], (c, q) => 1 - (1 - q) ** (c + 1)).v, tol, `${given} cdf`);
      expectClose(await d.entropy().data(), probs.map((q) => (-(1 - q) * Math.log1p(-q) - q * Math.log(q)) / q), tol, `${given} entropy`);
      expectClose(await d.mean.data(), probs.map((q) => 1 / q - 1), tol, `${given} mean`, probs.map((q) => 1 / q));
      expectClose(await d.variance.data(), probs.map((q) => (1 / q - 1) / q), tol, `${given} variance`, probs.map((q) => 1 / (q * q)));
      expect(Array.from(await d.mode.data())).toEqual(new Array(6).fill(0));
    }
    // p = 1: every trial succeeds, so 0 failures has probability 1 (log 0) and 1 failure probability 0.
    expect(Array.from(await new Geometric({ probs: 1 }).logProb(tm.tensor([0, 1])).data())).toEqual([0, -Infinity]);
  });

  it('Geometric: 20,000 draws, every likely count as often as (1 − p)^k·p; reproducible under tm.setSeed', async () => {
    const n = 20000;
    const p = [0.9, 0.5, 0.12].map(Math.fround);
    const d = new Geometric({ probs: tm.tensor(p) });
    const values = await d.sample([n]).data();
    expectCountFrequencies(values, n, 3, (c, j) => Math.exp(geometricLogPmf(c, p[j])), 'Geometric.sample');
    tm.setSeed(7);
    const first = await d.sample([4]).data();
    tm.setSeed(7);
    expect(Array.from(await d.sample([4]).data())).toEqual(Array.from(first));
  });

  it('memory stays flat; no rsample; Poisson has no entropy in closed form; errors name the parameter', async () => {
    const rate = tm.tensor([1, 20]);
    const before = await collected();
    const d = new Poisson(rate);
    const g = new Geometric({ logits: 0.5 });
    const value = tm.tensor([3, 4]);
    const results = [d.sample([3]), d.logProb(value), d.cdf(value), d.mean, d.variance, d.mode, g.sample([3]), g.logProb(value), g.cdf(value), g.entropy(), g.mean, g.variance];
    for (const t of [...results, value]) t.dispose();
    d.dispose();
    g.dispose();
    expect(tm.memory().numTensors).toBe(before);
    expect(() => d.rsample()).toThrow(new tm.ValueError('Poisson: no reparameterised sample (rsample); sample() draws without a gradient'));
    expect(() => d.entropy()).toThrow(new tm.ValueError('Poisson: no entropy in closed form'));
    expect(() => new Poisson(tm.ones([2], { dtype: 'i32' }))).toThrow(new tm.DTypeError('Poisson: rate must be f32 or f16, got i32'));
    expect(() => new Geometric({ probs: 0.5, logits: 0 } as unknown as { probs: number })).toThrow(new tm.ValueError('Geometric: give either probs or logits, not both'));
  });
});
