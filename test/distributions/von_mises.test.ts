// tm.distributions.VonMises against float64 on every backend: logProb
// (periodic), entropy, mean, mode and circular variance at concentrations
// from 0 to 10⁴, either side of 12 where 1 − I₁/I₀ turns to its series,
// from e^−κ·Iₙ(κ) summed in test/helpers/special.ts; gradients of logProb;
// 20,000 Best–Fisher draws per column, loc near ±π among them, inside
// [−π, π], as often below three angles each as the density integrated here
// says and with the mean cosine and sine about loc within 5 standard
// errors; seeded reproducibility; flat memory; and errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, uniform } from '../helpers/data.js';
import { broadcastMap, expectFractionBelow, meanAndError } from '../helpers/distributions.js';
import { collected } from '../helpers/gc.js';
import { scaledBesselIRef } from '../helpers/special.js';

const { VonMises } = tm.distributions;

const logNormalizer = (kappa: number) => Math.log(2 * Math.PI * scaledBesselIRef(0, kappa));
const resultant = (kappa: number) => scaledBesselIRef(1, kappa) / scaledBesselIRef(0, kappa);
const logDensity = (x: number, loc: number, kappa: number) => kappa * (Math.cos(x - loc) - 1) - logNormalizer(kappa);

/** P(X ≤ t) for X in [−π, π], by the trapezoid rule on 200,000 intervals of each side of t (the density is ≤ 0.02 wide at κ = 10⁴). */
function vonMisesCdf(t: number, loc: number, kappa: number): number {
  const integral = (a: number, b: number) => {
    const n = 200000;
    const h = (b - a) / n;
    let sum = 0;
    for (let i = 0; i <= n; i++) sum += (i === 0 || i === n ? 0.5 : 1) * Math.exp(kappa * (Math.cos(a + i * h - loc) - 1));
    return sum * h;
  };
  const below = integral(-Math.PI, t);
  return below / (below + integral(t, Math.PI));
}

describe.each(BACKENDS)('VonMises on %s', (backend) => {
  const tol = backend === 'webgpu' ? 1e-4 : 1e-5;

  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('logProb (periodic in x), entropy, mean, mode and circular variance at κ from 0 to 10⁴, broadcast against values', async () => {
    const kappa = asF32(Float64Array.from([0, 0.03, 1.7, 11.9, 12.1, 80, 1e4]));
    const loc = asF32(uniform(7, -Math.PI, Math.PI));
    // Values near loc where κ is large, so that the density there is not only its far tail.
    const x = asF32(Float64Array.from(uniform(3 * 7, -1, 1), (u, i) => loc[i % 7] + u * Math.min(Math.PI, 4 / Math.sqrt(kappa[i % 7] || 1)) + (i < 7 ? 2 * Math.PI : 0)));
    const d = new VonMises(tm.tensor(loc), tm.tensor(kappa));
    expect(d.batchShape).toEqual([7]);
    const want = broadcastMap([{ v: x, shape: [3, 7] }, { v: loc, shape: [7] }, { v: kappa, shape: [7] }], logDensity);
    // f32 rounds x − μ (to 2⁻²⁴ of |x| + |μ|, near 2π where x is a turn past μ), and κ·cos moves by κ·|sin(x − μ)| per unit of it.
    const rounding = (i: number) => kappa[i % 7] * Math.abs(Math.sin(x[i] - loc[i % 7])) * (Math.abs(x[i]) + Math.abs(loc[i % 7])) * 2 ** -24;
    const scale = want.v.map((w, i) => Math.abs(w) + 1 + rounding(i) / tol);
    expectClose(await d.logProb(tm.tensor(x, [3, 7])).data(), want.v, tol, 'logProb', scale);
    expectClose(await d.entropy().data(), Array.from(kappa, (k) => logNormalizer(k) + k * (1 - resultant(k))), tol, 'entropy', Array.from(kappa, () => 1));
    expectClose(await d.variance.data(), Array.from(kappa, (k) => 1 - resultant(k)), tol, 'variance');
    expectClose(await d.mean.data(), loc, 0, 'mean');
    expectClose(await d.mode.data(), loc, 0, 'mode');
  });

  it('gradients, κ = 0 (one-sided) and the seam at 12 included: logProb\'s κ·sin(x − μ) for loc and cos(x − μ) − A(κ) for κ, entropy\'s −κ·A′(κ), variance\'s −A′(κ) (A = I₁/I₀, A′ = 1 − A/κ − A², ½ at 0)', async () => {
    const kappa = asF32(Float64Array.from([0, 0.4, 5, 12, 30]));
    const loc = asF32(uniform(5, -2, 2));
    const x = asF32(uniform(5, -3, 3));
    const slope = (k: number) => (k === 0 ? 0.5 : 1 - resultant(k) / k - resultant(k) ** 2);
    const leaves = () => {
      const [mu, k] = [tm.tensor(loc), tm.tensor(kappa)];
      mu.requiresGrad = k.requiresGrad = true;
      return [mu, k];
    };
    const [mu, k] = leaves();
    new VonMises(mu, k).logProb(tm.tensor(x)).sum().backward();
    expectClose(await mu.grad!.data(), Array.from(x, (v, i) => kappa[i] * Math.sin(v - loc[i])), tol * 10, 'd/dloc', Array.from(kappa, (c) => c + 1));
    expectClose(await k.grad!.data(), Array.from(x, (v, i) => Math.cos(v - loc[i]) - resultant(kappa[i])), tol * 10, 'dlogProb/dconcentration', [1, 1, 1, 1, 1]);
    const [mu2, k2] = leaves();
    new VonMises(mu2, k2).entropy().sum().backward();
    expectClose(await k2.grad!.data(), Array.from(kappa, (c) => -c * slope(c)), tol * 10, 'dentropy/dconcentration', [1, 1, 1, 1, 1]);
    const [mu3, k3] = leaves();
    new VonMises(mu3, k3).variance.sum().backward();
    expectClose(await k3.grad!.data(), Array.from(kappa, (c) => -slope(c)), tol * 10, 'dvariance/dconcentration', [1, 1, 1, 1, 1]);
  });

  it('20,000 draws per column in [−π, π], below three angles each as often as the density says, mean cosine and sine about loc within 5 standard errors', async () => {
    const n = 20000;
    const kappa = asF32(Float64Array.from([0, 0.05, 1, 5, 60, 1e4]));
    const loc = asF32(Float64Array.from([0.3, -3.1, 3.1, -1, 2, -3.13]));
    const d = new VonMises(tm.tensor(loc), tm.tensor(kappa));
    const x = d.sample([n]);
    expect(x.shape).toEqual([n, 6]);
    const values = await x.data();
    expect(values.every((v) => Math.abs(v) <= Math.fround(Math.PI))).toBe(true);
    const wrap = (a: number) => a - 2 * Math.PI * Math.round(a / (2 * Math.PI));
    for (const offset of [-1, 0.2, 1.5]) {
      const threshold = Array.from(kappa, (k, j) => wrap(loc[j] + offset * Math.min(Math.PI, 1 / Math.sqrt(k))));
      const probability = threshold.map((t, j) => vonMisesCdf(t, loc[j], kappa[j]));
      expectFractionBelow(values, n, threshold, probability, `VonMises.sample (offset ${offset})`);
    }
    for (let j = 0; j < 6; j++) {
      const column = Float64Array.from({ length: n }, (_, i) => values[i * 6 + j] - loc[j]);
      const cosine = meanAndError(column.map(Math.cos));
      const sine = meanAndError(column.map(Math.sin));
      expect(Math.abs(cosine.mean - resultant(kappa[j])), `mean cosine of column ${j}: ${cosine.mean}, want ${resultant(kappa[j])}`).toBeLessThanOrEqual(5 * cosine.error + 1e-6);
      expect(Math.abs(sine.mean), `mean sine of column ${j}: ${sine.mean}`).toBeLessThanOrEqual(5 * sine.error + 1e-6);
    }
    tm.setSeed(11);
    const first = await d.sample([4]).data();
    tm.setSeed(11);
    expect(Array.from(await d.sample([4]).data())).toEqual(Array.from(first));
  });

  it('leaves no tensor behind, and refuses what it cannot take, naming it', async () => {
    const loc = tm.tensor([0, 1]);
    const kappa = tm.tensor([2, 3]);
    const settled = await collected();
    for (let i = 0; i < 3; i++) {
      const d = new VonMises(loc, kappa);
      for (const t of [d.sample([5]), d.logProb(tm.tensor([0.5, 0.5])), d.entropy(), d.variance, d.mean]) t.dispose();
      d.dispose();
    }
    expect(await collected()).toBe(settled);
    expect(() => new VonMises(0, tm.tensor([1], { dtype: 'i32' }))).toThrow('VonMises: concentration must be f32 or f16, got i32');
    expect(() => new VonMises(tm.zeros([2]), tm.ones([3]))).toThrow('VonMises: loc [2] and concentration [3] cannot be broadcast together');
    expect(() => new VonMises(0, Infinity)).toThrow('VonMises: concentration must be a tensor or a finite number, got Infinity');
    expect(() => new VonMises(0, 1).rsample()).toThrow('VonMises: no reparameterised sample (rsample)');
    expect(() => new VonMises(0, 1).cdf(tm.tensor([0]))).toThrow(/VonMises/);
  });
});
