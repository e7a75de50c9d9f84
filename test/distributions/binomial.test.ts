// tm.distributions' trial-count distributions (Binomial, NegativeBinomial,
// Multinomial) against float64 formulas written here, on every backend:
// logProb from probs and from logits; cdf (Binomial's and
// NegativeBinomial's, through the incomplete beta function) against summed
// probabilities; entropy (Binomial's and Multinomial's) against sums over
// every outcome; mean, variance and mode; the frequency of every likely
// count among 20,000 draws within a few standard errors, Binomial's at means
// either side of the switch between its two samplers (waiting times below
// 10, BTRS from 10) and past ½ (drawn flipped); Multinomial's joint
// frequencies; seeded reproducibility; flat memory; and errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, randomInts, uniform } from '../helpers/data.js';
import { broadcastMap, expectCountFrequencies, expectMoments } from '../helpers/distributions.js';
import { collected } from '../helpers/gc.js';
import { lgammaRef } from '../helpers/special.js';

const { Binomial, NegativeBinomial, Multinomial } = tm.distributions;

const logChoose = (n: number, k: number) => lgammaRef(n + 1) - lgammaRef(k + 1) - lgammaRef(n - k + 1);
const xlogy = (x: number, y: number) => (x === 0 ? 0 : x * Math.log(y));
const binomialLogPmf = (k: number, n: number, p: number) => (k > n ? -Infinity : logChoose(n, k) + xlogy(k, p) + xlogy(n - k, 1 - p));
const negativeBinomialLogPmf = (k: number, r: number, p: number) => lgammaRef(k + r) - lgammaRef(k + 1) - lgammaRef(r) + xlogy(k, p) + r * Math.log1p(-p);
const sigmoid = (l: number) => 1 / (1 + Math.exp(-l));

/** Every way of putting n draws into k classes. */
function compositions(n: number, k: number): number[][] {
  if (k === 1) return [[n]];
  const out: number[][] = [];
  for (let first = 0; first <= n; first++) for (const rest of compositions(n - first, k - 1)) out.push([first, ...rest]);
  return out;
}

const multinomialLogPmf = (x: readonly number[], p: readonly number[]) => {
  const n = x.reduce((a, b) => a + b, 0);
  return x.reduce((acc, xk, k) => acc - lgammaRef(xk + 1) + xlogy(xk, p[k]), lgammaRef(n + 1));
};

describe.each(BACKENDS)('trial-count distributions on %s', (backend) => {
  const tol = backend === 'webgpu' ? 1e-4 : 1e-5;

  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('Binomial: logProb from probs and from logits with counts n broadcast (0 and 1 included), mean, variance and mode', async () => {
    const n = [0, 1, 7, 30, 200, 1000];
    const p = asF32(uniform(6, 0.02, 0.98));
    const logits = asF32(uniform(6, -4, 4));
    const k = { v: randomInts(3 * 6, 0, 1001).map((v, i) => v % (n[i % 6] + 1)), shape: [3, 6] };
    for (const [given, param, probs] of [['probs', p, p], ['logits', logits, logits.map(sigmoid)]] as const) {
      const d = new Binomial(tm.tensor(n), given === 'probs' ? { probs: tm.tensor(param) } : { logits: tm.tensor(param) });
      expect(d.batchShape).toEqual([6]);
      const want = broadcastMap([k, { v: n, shape: [6] }, { v: probs, shape: [6] }], binomialLogPmf);
      // f32 rounds the log-factorials and powers, which cancel down to the answer: their size sets the tolerance.
      const terms = broadcastMap([k, { v: n, shape: [6] }, { v: probs, shape: [6] }], (c, t, q) => lgammaRef(t + 1) + Math.abs(c * Math.log(q)) + Math.abs((t - c) * Math.log1p(-q)));
      expectClose(await d.logProb(tm.tensor(k.v, [3, 6])).data(), want.v, tol, `${given} logProb`, want.v.map((v, i) => Math.abs(v) + 1 + terms.v[i] / 16));
      expectClose(await d.mean.data(), n.map((c, j) => c * probs[j]), tol, `${given} mean`, n.map((c) => c + 1));
      expectClose(await d.variance.data(), n.map((c, j) => c * probs[j] * (1 - probs[j])), tol, `${given} variance`, n.map((c) => c + 1));
      expect(Array.from(await d.mode.data())).toEqual(n.map((c, j) => Math.min(Math.floor((c + 1) * probs[j]), c)));
    }
    // cdf: the probabilities summed (float64), against the incomplete beta function; 0 below 0, 1 from n up.
    const d = new Binomial(tm.tensor(n), { logits: tm.tensor(logits) });
    const at = { v: k.v.map((v, i) => (i === 0 ? -1 : i === 1 ? n[1] + 2 : v + 0.5)), shape: [3, 6] };
    const cdf = broadcastMap([at, { v: n, shape: [6] }, { v: logits.map(sigmoid), shape: [6] }], (c, t, q) => {
      let total = 0;
      for (let j = 0; j <= Math.min(Math.floor(c), t); j++) total += Math.exp(binomialLogPmf(j, t, q));
      return Math.min(total, 1);
    });
    expectClose(await d.cdf(tm.tensor(at.v, [3, 6])).data(), cdf.v, 10 * tol, 'cdf', cdf.v.map(() => 1));
    // p = 0 and 1: the one possible count has log-probability 0, the others −∞.
    const sure = new Binomial(4, { probs: tm.tensor([0, 1]) });
    expect(Array.from(await sure.logProb(tm.tensor([[0, 4], [1, 3]])).data())).toEqual([0, 0, -Infinity, -Infinity]);
  });

  // Two counts only: each n is a new support shape, and webgpu compiles kernels per shape (~5 s each on lavapipe).
  it('Binomial: entropy, a sum over 0 … n, against float64 for n = 0 and 150', async () => {
    const p = asF32(uniform(4, 0.01, 0.99));
    for (const n of [0, 150]) {
      const want = p.map((q) => {
        let h = 0;
        for (let k = 0; k <= n; k++) {
          const lp = binomialLogPmf(k, n, q);
          h -= Math.exp(lp) * lp;
        }
        return h;
      });
      // Each log-probability is a difference of log-factorials of up to log n!, which f32 rounds.
      expectClose(await new Binomial(n, { probs: tm.tensor(p) }).entropy().data(), want, tol, `entropy at n = ${n}`, want.map((h) => h + 1 + lgammaRef(n + 1) / 10));
    }
  });

  it('Binomial: 20,000 draws at means either side of 10 and p either side of ½: every likely count as often as its probability, none outside 0 … n; moments within 5 standard errors', async () => {
    const draws = 20000;
    const n = [0, 5, 30, 40, 100, 1000, 25, 8, 60000, 3];
    const p = [0.4, 0.3, 0.2, 0.6, 0.5, 0.02, 0.97, 0, 0.3, 1].map(Math.fround);
    const d = new Binomial(tm.tensor(n), { probs: tm.tensor(p) });
    const x = d.sample([draws]);
    expect(x.shape).toEqual([draws, n.length]);
    const values = await x.data();
    values.forEach((v, i) => expect(v >= 0 && v <= n[i % n.length], `draw ${v} outside 0 … ${n[i % n.length]}`).toBe(true));
    expectCountFrequencies(values, draws, n.length, (c, j) => Math.exp(binomialLogPmf(c, n[j], p[j])), 'Binomial.sample');
    expectMoments(values, draws, n.map((c, j) => c * p[j]), n.map((c, j) => c * p[j] * (1 - p[j])), 'Binomial.sample');
    tm.setSeed(11);
    const first = await d.sample([3]).data();
    tm.setSeed(11);
    expect(Array.from(await d.sample([3]).data())).toEqual(Array.from(first));
  });

  it('NegativeBinomial: logProb from probs and from logits, mean, variance and mode; 20,000 draws as often as their probabilities', async () => {
    const r = asF32(uniform(5, 0.3, 9));
    const p = asF32(uniform(5, 0.05, 0.9));
    const logits = asF32(uniform(5, -3, 2));
    const k = { v: randomInts(2 * 5, 0, 40), shape: [2, 5] };
    for (const [given, param, probs] of [['probs', p, p], ['logits', logits, logits.map(sigmoid)]] as const) {
      const d = new NegativeBinomial(tm.tensor(r), given === 'probs' ? { probs: tm.tensor(param) } : { logits: tm.tensor(param) });
      const want = broadcastMap([k, { v: r, shape: [5] }, { v: probs, shape: [5] }], negativeBinomialLogPmf);
      expectClose(await d.logProb(tm.tensor(k.v, [2, 5])).data(), want.v, tol, `${given} logProb`, want.v.map((v) => Math.abs(v) + 1));
      const mean = probs.map((q, j) => (r[j] * q) / (1 - q));
      expectClose(await d.mean.data(), mean, 1e-4, `${given} mean`, mean.map((m) => m + 1));
      expectClose(await d.variance.data(), mean.map((m, j) => m / (1 - probs[j])), 1e-4, `${given} variance`, mean.map((m, j) => m / (1 - probs[j]) + 1));
      const cdf = broadcastMap([k, { v: r, shape: [5] }, { v: probs, shape: [5] }], (c, rr, q) => {
        let total = 0;
        for (let j = 0; j <= c; j++) total += Math.exp(negativeBinomialLogPmf(j, rr, q));
        return total;
      });
      expectClose(await d.cdf(tm.tensor(k.v, [2, 5])).data(), cdf.v, 10 * tol, `${given} cdf`, cdf.v.map(() => 1));
      expect(Array.from(await d.cdf(tm.tensor([-1, -0.5, 0, 0, 0])).data()).slice(0, 2)).toEqual([0, 0]);
      expect(Array.from(await d.mode.data())).toEqual(Array.from(probs, (q, j) => Math.max(Math.floor(((r[j] - 1) * q) / (1 - q)), 0)));
    }
    const draws = 20000;
    const rs = [0.5, 3, 12.5, 40].map(Math.fround);
    const ps = [0.3, 0.6, 0.8, 0.2].map(Math.fround);
    const values = await new NegativeBinomial(tm.tensor(rs), { probs: tm.tensor(ps) }).sample([draws]).data();
    expectCountFrequencies(values, draws, 4, (c, j) => Math.exp(negativeBinomialLogPmf(c, rs[j], ps[j])), 'NegativeBinomial.sample');
    const means = rs.map((c, j) => (c * ps[j]) / (1 - ps[j]));
    expectMoments(values, draws, means, means.map((m, j) => m / (1 - ps[j])), 'NegativeBinomial.sample');
  });

  it('Multinomial: logProb from probs (unnormalised) and logits, entropy against a sum over every outcome, mean and variance', async () => {
    const raw = asF32(uniform(2 * 4, 0.05, 2));
    const rows = [0, 1].map((r) => {
      const row = Array.from(raw.subarray(r * 4, r * 4 + 4));
      const total = row.reduce((a, b) => a + b, 0);
      return row.map((v) => v / total);
    });
    for (const given of ['probs', 'logits'] as const) {
      const param = given === 'probs' ? tm.tensor(raw, [2, 4]) : tm.tensor(raw, [2, 4]).log().add(1.5);
      const d = new Multinomial(6, given === 'probs' ? { probs: param } : { logits: param });
      expect([d.batchShape, d.eventShape]).toEqual([[2], [4]]);
      const outcomes = compositions(6, 4).filter((_, i) => i % 7 === 0);
      const values = outcomes.flatMap((x, i) => (i % 2 === 0 ? [...x, ...x.slice().reverse()] : [...x.slice().reverse(), ...x]));
      const got = await d.logProb(tm.tensor(values, [outcomes.length, 2, 4])).data();
      const want = outcomes.flatMap((x, i) => (i % 2 === 0 ? [x, x.slice().reverse()] : [x.slice().reverse(), x]).map((v, row) => multinomialLogPmf(v, rows[row])));
      expectClose(got, want, tol, `${given} logProb`, want.map((v) => Math.abs(v) + 1));
      const entropy = rows.map((row) => -compositions(6, 4).reduce((acc, x) => acc + Math.exp(multinomialLogPmf(x, row)) * multinomialLogPmf(x, row), 0));
      expectClose(await d.entropy().data(), entropy, tol, `${given} entropy`, entropy.map((h) => h + 1));
      expectClose(await d.mean.data(), rows.flat().map((q) => 6 * q), tol, `${given} mean`);
      expectClose(await d.variance.data(), rows.flat().map((q) => 6 * q * (1 - q)), tol, `${given} variance`);
    }
    // A class of probability 0 adds nothing where its count is 0, and makes the outcome impossible elsewhere.
    const zero = new Multinomial(2, { probs: tm.tensor([0.5, 0, 0.5]) });
    expectClose(await zero.logProb(tm.tensor([[1, 0, 1], [0, 1, 1]])).data(), [Math.log(0.5), -Infinity], tol, 'a class of probability 0');
  });

  it('Multinomial: 20,000 draws of 3 among 3 classes, every outcome as often as its probability, each summing to 3; n = 0 draws zeros', async () => {
    const draws = 20000;
    const p = [0.2, 0.5, 0.3].map(Math.fround);
    const d = new Multinomial(3, { probs: tm.tensor(p) });
    const x = d.sample([draws]);
    expect(x.shape).toEqual([draws, 3]);
    const values = await x.data();
    const seen = new Map<string, number>();
    for (let i = 0; i < draws; i++) {
      const outcome = Array.from(values.subarray(i * 3, i * 3 + 3));
      expect(outcome.reduce((a, b) => a + b, 0)).toBe(3);
      seen.set(outcome.join(','), (seen.get(outcome.join(',')) ?? 0) + 1);
    }
    for (const outcome of compositions(3, 3)) {
      const q = Math.exp(multinomialLogPmf(outcome, p));
      const se = Math.sqrt((q * (1 - q)) / draws);
      expect(Math.abs((seen.get(outcome.join(',')) ?? 0) / draws - q), `outcome ${outcome}`).toBeLessThanOrEqual(5 * se);
    }
    const none = new Multinomial(0, { logits: tm.zeros([2, 3]) }).sample([4]);
    expect(none.shape).toEqual([4, 2, 3]);
    expect(Array.from(await none.data())).toEqual(new Array(24).fill(0));
  });

  it('memory stays flat; no rsample; errors name the parameter', async () => {
    const n = tm.tensor([3, 50]);
    const p = tm.tensor([0.3, 0.6]);
    const before = await collected();
    const b = new Binomial(n, { probs: p });
    const nb = new NegativeBinomial(2.5, { logits: p });
    const m = new Multinomial(4, { probs: tm.tensor([[0.2, 0.8], [0.5, 0.5]]) });
    const value = tm.tensor([1, 2]);
    const counts = tm.tensor([[1, 3], [2, 2]]);
    const results = [b.sample([3]), b.logProb(value), b.mean, b.variance, b.mode, nb.sample([3]), nb.logProb(value), nb.mean, nb.variance, nb.mode, m.sample([3]), m.logProb(counts), m.entropy(), m.mean, m.variance];
    for (const t of [...results, value, counts, m.parameter]) t.dispose();
    for (const d of [b, nb, m]) d.dispose();
    expect(tm.memory().numTensors).toBe(before);
    expect(() => b.rsample()).toThrow(new tm.ValueError('Binomial: no reparameterised sample (rsample); sample() draws without a gradient'));
    expect(() => b.entropy()).toThrow(new tm.ValueError('Binomial.entropy: sums over the support 0 … n, so it needs totalCount given as a number, not a tensor'));
    expect(() => new Binomial(2.5, { probs: 0.5 })).toThrow(new tm.ValueError('Binomial: totalCount must be a count of trials (an integer ≥ 0), got 2.5'));
    expect(() => new Binomial(tm.tensor([1, 2, 3]), { probs: tm.tensor([0.5, 0.5]) })).toThrow(new tm.ShapeError('Binomial: totalCount [3] and probs [2] cannot be broadcast together'));
    expect(() => new NegativeBinomial(tm.ones([2], { dtype: 'i32' }), { probs: 0.5 })).toThrow(new tm.DTypeError('NegativeBinomial: totalCount must be f32 or f16, got i32'));
    expect(() => new Multinomial(-1, { probs: tm.ones([2]) })).toThrow(new tm.ValueError('Multinomial: totalCount must be a count of draws (an integer ≥ 0), got -1'));
    expect(() => new Multinomial(3, { probs: 0.5 })).toThrow(new tm.ShapeError('Multinomial: probs must have a class axis (its last), got []'));
  });
});
