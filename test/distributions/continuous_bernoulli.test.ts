// tm.distributions.ContinuousBernoulli against float64 on every backend, at
// p from 10⁻⁶ to 1 − 10⁻⁶ and right at and around ½ (where PyTorch cuts a
// Taylor band and tmnn uses series in the half log-odds): logProb by
// PyTorch's closed form, and cdf, mean, variance, entropy and KL by
// Simpson's rule on the density (so the normaliser is checked too); icdf
// against the closed-form inverse and as cdf's inverse; gradients against
// central differences; 20,000 rsample draws below three points as often as
// the cdf says; memory; and errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, uniform } from '../helpers/data.js';
import { expectFractionBelow } from '../helpers/distributions.js';
import { collected } from '../helpers/gc.js';

const { ContinuousBernoulli, klDivergence } = tm.distributions;

const sigmoid = (l: number) => 1 / (1 + Math.exp(-l));
/**
 * log C = log(2·atanh(1 − 2p)/(1 − 2p)), log 2 at p = ½ (PyTorch's form),
 * written in the log-odds (atanh(1 − 2p) = −l/2, 1 − 2p = −tanh(l/2)) so
 * that float64 keeps it where p rounds to 1.
 */
const logC = (l: number) => (l === 0 ? Math.LN2 : Math.log(l / Math.tanh(l / 2)));
/** log density from the log-odds l: x·l − log(1 + eˡ) + log C. */
const logDensity = (x: number, l: number) => x * l - (l > 0 ? l + Math.log1p(Math.exp(-l)) : Math.log1p(Math.exp(l))) + logC(l);
/** ∫₀ᵇ f by Simpson's rule on 20,000 intervals (the density is at least 1/60 wide at |l| = 60). */
function simpson(f: (x: number) => number, b = 1): number {
  const n = 20000;
  const h = b / n;
  let sum = f(0) + f(b);
  for (let i = 1; i < n; i++) sum += (i % 2 ? 4 : 2) * f(i * h);
  return (sum * h) / 3;
}
const density = (l: number) => (x: number) => Math.exp(logDensity(x, l));
const meanRef = (l: number) => simpson((x) => x * density(l)(x));

describe.each(BACKENDS)('ContinuousBernoulli on %s', (backend) => {
  const tol = backend === 'webgpu' ? 1e-4 : 1e-5;

  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  // Log-odds at, next to and around 0 (p = ½) and out to p ≈ 10⁻⁶ and 1 − 10⁻²⁶.
  const logits = asF32(Float64Array.from([-14, -4, -0.9, -0.3, -4e-4, 0, 3e-7, 0.002, 0.05, 1.2, 9, 60]));

  it.each(['logits', 'probs'] as const)('from %s: logProb, cdf, mean, variance and entropy against float64, through p = ½', async (given) => {
    const probs = asF32(Float64Array.from(logits, sigmoid));
    // What the distribution reads: the log-odds given, or those of the f32 probabilities clamped one step inside (0, 1), as PyTorch's.
    const eps = 2 ** -23;
    const l: number[] = given === 'logits' ? Array.from(logits) : Array.from(probs, (p) => Math.min(Math.max(p, eps), 1 - eps)).map((p: number) => Math.log(p / (1 - p)));
    const d = new ContinuousBernoulli(given === 'logits' ? { logits: tm.tensor(logits) } : { probs: tm.tensor(probs) });
    const m = l.length;
    const x = asF32(uniform(2 * m, 0, 1));
    const want = Array.from(x, (v, i) => logDensity(v, l[i % m]));
    // log(1 + eˡ) and l·x are each near |l| where |l| is large, and cancel.
    expectClose(await d.logProb(tm.tensor(x, [2, m])).data(), want, tol, 'logProb', want.map((w, i) => Math.abs(w) + 1 + Math.abs(l[i % m])));
    const cdf = Array.from(x, (v, i) => simpson(density(l[i % m]), v));
    expectClose(await d.cdf(tm.tensor(x, [2, m])).data(), cdf, tol, 'cdf', cdf.map(() => 1));
    const outside = await d.cdf(tm.tensor([-0.5, 1.5, 0, 1], [4, 1])).data();
    expect([0, 1, 2, 3].map((row) => Array.from(outside.slice(row * m, (row + 1) * m)).every((c) => c === [0, 1, 0, 1][row]))).toEqual([true, true, true, true]);
    const mean = l.map(meanRef);
    expectClose(await d.mean.data(), mean, tol, 'mean');
    const variance = l.map((li, i) => simpson((v) => (v - mean[i]) ** 2 * density(li)(v)));
    expectClose(await d.variance.data(), variance, tol, 'variance');
    const entropy = l.map((li) => -simpson((v) => density(li)(v) * logDensity(v, li)));
    expectClose(await d.entropy().data(), entropy, tol, 'entropy', entropy.map((e) => Math.abs(e) + 1));
  });

  it('icdf inverts cdf (the closed form log(1 + u·(eˡ − 1))/l) at every p, and rsample\'s 20,000 draws fall below three points as often as the cdf says', async () => {
    const u = asF32(uniform(2 * logits.length, 0, 1));
    const m = logits.length;
    const d = new ContinuousBernoulli({ logits: tm.tensor(logits) });
    const want = Array.from(u, (p, i) => {
      const l = logits[i % m];
      return l === 0 ? p : Math.log1p(p * Math.expm1(l)) / l;
    });
    const got = d.icdf(tm.tensor(u, [2, m]));
    expectClose(await got.data(), want, tol, 'icdf', want.map(() => 1));
    expectClose(await d.cdf(got).data(), u, 10 * tol, 'cdf(icdf(u))', Array.from(u, () => 1));
    const n = 20000;
    const draws = await d.rsample([n]).data();
    expect(draws.every((v) => v >= 0 && v <= 1)).toBe(true);
    for (const q of [0.1, 0.5, 0.85]) {
      const threshold = Array.from(logits, (l) => (l === 0 ? q : Math.log1p(q * Math.expm1(l)) / l));
      expectFractionBelow(draws, n, threshold, Array.from(logits, () => q), `rsample below its ${q} quantile`);
    }
    tm.setSeed(5);
    const first = await d.sample([3]).data();
    tm.setSeed(5);
    expect(Array.from(await d.sample([3]).data())).toEqual(Array.from(first));
  });

  it('gradients of logProb, mean, and a draw (icdf at fixed u) in the logits, against central differences; finite at l = 0', async () => {
    const l = asF32(Float64Array.from([-3, -0.2, 0, 0.7, 5]));
    const x = asF32(uniform(5, 0.05, 0.95));
    const u = asF32(uniform(5, 0.05, 0.95));
    const h = 1e-4;
    const central = (f: (l: number, i: number) => number) => Array.from(l, (li, i) => (f(li + h, i) - f(li - h, i)) / (2 * h));
    // logC by its series where PyTorch's form would cancel within a difference.
    const logCOf = (li: number) => (Math.abs(li) < 0.01 ? Math.LN2 + li ** 2 / 12 - (7 * li ** 4) / 1440 : logC(li));
    const logP = (li: number, i: number) => x[i] * li - Math.log1p(Math.exp(li)) + logCOf(li);
    const quantile = (li: number, i: number) => (li === 0 ? u[i] : Math.log1p(u[i] * Math.expm1(li)) / li);
    for (const [what, f, want] of [
      ['logProb', (d: tm.distributions.Distribution) => d.logProb(tm.tensor(x)), central(logP)],
      ['mean', (d: tm.distributions.Distribution) => d.mean, central(meanRef)],
      ['icdf', (d: tm.distributions.Distribution) => d.icdf(tm.tensor(u)), central(quantile)],
    ] as const) {
      const logitsT = tm.tensor(l);
      logitsT.requiresGrad = true;
      f(new ContinuousBernoulli({ logits: logitsT })).sum().backward();
      expectClose(await logitsT.grad!.data(), want, 100 * tol, `d${what}/dlogits`, want.map(() => 1));
    }
  });

  it('far from p = ½ (|l| up to 200): icdf stays in [0, 1] at u = 0 and 1, and the gradients of cdf, icdf and variance stay finite', async () => {
    const l = [-200, -95, -20, 20, 95, 200];
    const d = new ContinuousBernoulli({ logits: tm.tensor(l) });
    const ends = await d.icdf(tm.tensor([0, 1], [2, 1])).data();
    expect(Array.from(ends)).toEqual([...l.map(() => 0), ...l.map(() => 1)]);
    for (const [what, f] of [
      ['cdf', (c: tm.distributions.Distribution) => c.cdf(tm.tensor([0.3]))],
      ['icdf', (c: tm.distributions.Distribution) => c.icdf(tm.tensor([0.3]))],
      ['variance', (c: tm.distributions.Distribution) => c.variance],
    ] as const) {
      const logitsT = tm.tensor(l);
      logitsT.requiresGrad = true;
      f(new ContinuousBernoulli({ logits: logitsT })).sum().backward();
      expect(Array.from(await logitsT.grad!.data()).every(Number.isFinite), `d${what}/dlogits at ${l}`).toBe(true);
    }
  });

  it('klDivergence against ∫ p·log(p/q), 0 for equal parameters, broadcast', async () => {
    const lp = asF32(Float64Array.from([-2, 0, 0.001, 4]));
    const lq = asF32(Float64Array.from([0.5, -1, 0, 4]));
    const got = await klDivergence(new ContinuousBernoulli({ logits: tm.tensor(lp) }), new ContinuousBernoulli({ logits: tm.tensor(lq) })).data();
    const want = Array.from(lp, (a, i) => simpson((x) => density(a)(x) * (logDensity(x, a) - logDensity(x, lq[i]))));
    expectClose(got, want, tol, 'KL', want.map(() => 1));
    expect(Math.abs((await klDivergence(new ContinuousBernoulli({ probs: 0.3 }), new ContinuousBernoulli({ probs: 0.3 })).data())[0])).toBeLessThan(1e-6);
  });

  it('leaves no tensor behind, and refuses what it cannot take, naming it', async () => {
    const logitsT = tm.tensor([0.3, -2]);
    const settled = await collected();
    for (let i = 0; i < 2; i++) {
      const d = new ContinuousBernoulli({ logits: logitsT });
      for (const t of [d.rsample([3]), d.logProb(tm.tensor([0.5, 0.5])), d.cdf(tm.tensor([0.2, 0.9])), d.icdf(tm.tensor([0.2, 0.9])), d.entropy(), d.mean, d.variance]) t.dispose();
      d.dispose();
    }
    expect(await collected()).toBe(settled);
    expect(() => new ContinuousBernoulli({ probs: 0.3, logits: 1 } as never)).toThrow('ContinuousBernoulli: give either probs or logits, not both');
    expect(() => new ContinuousBernoulli({ logits: tm.tensor([1], { dtype: 'i32' }) })).toThrow('ContinuousBernoulli: logits must be f32 or f16, got i32');
    const d = new ContinuousBernoulli({ probs: tm.tensor([0.2, 0.4]) });
    expect(() => d.logProb(tm.zeros([3]))).toThrow(new tm.ShapeError('ContinuousBernoulli.logProb: value [3] does not broadcast against the batch and event shape [2]'));
    expect(() => d.icdf(tm.zeros([2], { dtype: 'i32' }))).toThrow(new tm.DTypeError('ContinuousBernoulli.icdf: p must be f32 or f16, got i32'));
  });
});
