// tm.distributions.MixtureSameFamily against float64 on every backend: a
// batch of Normal mixtures (the mixture's batch broadcast against the
// components') — logProb, cdf, mean and variance, and 20,000 draws whose
// fraction below several points is the mixture's cdf there; a mixture of
// vector components (Independent Normals, event [2]); gradients of the
// log-likelihood reaching the weights and the components' parameters; flat
// memory; and errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, uniform } from '../helpers/data.js';
import { expectFractionBelow } from '../helpers/distributions.js';
import { erfRef } from '../helpers/float64.js';
import { erfcRef } from '../helpers/special.js';
import { collected } from '../helpers/gc.js';

const { Normal, Categorical, Independent, MixtureSameFamily } = tm.distributions;

const LOG_2PI = Math.log(2 * Math.PI);
const normalPdf = (x: number, m: number, s: number) => Math.exp(-0.5 * ((x - m) / s) ** 2 - Math.log(s) - 0.5 * LOG_2PI);
const normalCdf = (z: number) => (z < 0 ? 0.5 * erfcRef(-z / Math.SQRT2) : 0.5 * (1 + erfRef(z / Math.SQRT2)));

/** Rows of weights from unnormalised logits [rows, k]. */
function softmaxRows(logits: ArrayLike<number>, k: number): number[][] {
  return Array.from({ length: logits.length / k }, (_, r) => {
    const row = Array.from({ length: k }, (_, c) => Math.exp(logits[r * k + c]));
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((v) => v / total);
  });
}

describe.each(BACKENDS)('MixtureSameFamily on %s', (backend) => {
  const tol = backend === 'webgpu' ? 1e-4 : 1e-5;

  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  // Three mixtures (batch [3]) of K = 4 Normals; the components' scales shared across the batch ([4], broadcast).
  const K = 4;
  const logits = asF32(uniform(3 * K, -1.5, 1.5));
  const locs = asF32(uniform(3 * K, -3, 3));
  const scales = asF32(uniform(K, 0.3, 1.5));
  const weights = softmaxRows(logits, K);
  const pdf = (x: number, b: number) => weights[b].reduce((acc, w, k) => acc + w * normalPdf(x, locs[b * K + k], scales[k]), 0);
  const cdf = (x: number, b: number) => weights[b].reduce((acc, w, k) => acc + w * normalCdf((x - locs[b * K + k]) / scales[k]), 0);
  const make = () => new MixtureSameFamily(new Categorical({ logits: tm.tensor(logits, [3, K]) }), new Normal(tm.tensor(locs, [3, K]), tm.tensor(scales)));

  it('Normal mixtures: logProb, cdf, mean and variance against float64', async () => {
    const d = make();
    expect([d.batchShape, d.eventShape]).toEqual([[3], []]);
    const x = asF32(uniform(5 * 3, -4, 4));
    const want = Array.from(x, (v, i) => Math.log(pdf(v, i % 3)));
    expectClose(await d.logProb(tm.tensor(x, [5, 3])).data(), want, tol, 'logProb', want.map((w) => Math.abs(w) + 1));
    expectClose(await d.cdf(tm.tensor(x, [5, 3])).data(), Array.from(x, (v, i) => cdf(v, i % 3)), tol, 'cdf', x.map(() => 1));
    const mean = weights.map((w, b) => w.reduce((acc, wk, k) => acc + wk * locs[b * K + k], 0));
    const variance = weights.map((w, b) => w.reduce((acc, wk, k) => acc + wk * (scales[k] ** 2 + locs[b * K + k] ** 2), 0) - mean[b] ** 2);
    expectClose(await d.mean.data(), mean, tol, 'mean', mean.map((m) => Math.abs(m) + 1));
    expectClose(await d.variance.data(), variance, tol, 'variance', variance.map((v) => v + 1));
  });

  it('Normal mixtures: 20,000 draws, the fraction below each of three points the mixture cdf there; reproducible under tm.setSeed', async () => {
    const d = make();
    const n = 20000;
    const draws = d.sample([n]);
    expect(draws.shape).toEqual([n, 3]);
    const values = await draws.data();
    for (const point of [-1.5, 0, 1.2]) {
      expectFractionBelow(values, n, [point, point, point], [0, 1, 2].map((b) => cdf(point, b)), `draws below ${point}`);
    }
    tm.setSeed(3);
    const first = await d.sample([4]).data();
    tm.setSeed(3);
    expect(Array.from(await d.sample([4]).data())).toEqual(Array.from(first));
  });

  it('a mixture of vector components (Independent Normals, event [2]) with one set of weights: logProb, mean and draws', async () => {
    const locs2 = asF32(uniform(3 * 2, -2, 2));
    const w = [0.2, 0.5, 0.3];
    const d = new MixtureSameFamily(new Categorical({ probs: tm.tensor(w) }), new Independent(new Normal(tm.tensor(locs2, [3, 2]), 0.7), 1));
    expect([d.batchShape, d.eventShape]).toEqual([[], [2]]);
    const x = asF32(uniform(4 * 2, -3, 3));
    const want = [0, 1, 2, 3].map((i) => Math.log(w.reduce((acc, wk, k) => acc + wk * normalPdf(x[i * 2], locs2[k * 2], 0.7) * normalPdf(x[i * 2 + 1], locs2[k * 2 + 1], 0.7), 0)));
    expectClose(await d.logProb(tm.tensor(x, [4, 2])).data(), want, tol, 'logProb', want.map((v) => Math.abs(v) + 1));
    const mean = [0, 1].map((j) => w.reduce((acc, wk, k) => acc + wk * locs2[k * 2 + j], 0));
    expectClose(await d.mean.data(), mean, tol, 'mean', [1, 1]);
    const draws = d.sample([6, 5]);
    expect(draws.shape).toEqual([6, 5, 2]);
  });

  it('the log-likelihood sends gradients to the weights and to the components', async () => {
    const l = tm.tensor(logits.subarray(0, K), [K]);
    const loc = tm.tensor(locs.subarray(0, K), [K]);
    l.requiresGrad = true;
    loc.requiresGrad = true;
    const x = 0.4;
    new MixtureSameFamily(new Categorical({ logits: l }), new Normal(loc, tm.tensor(scales))).logProb(tm.tensor([x])).sum().backward();
    // d log p/d lₖ = rₖ − wₖ and d log p/d μₖ = rₖ·(x − μₖ)/σₖ², rₖ the responsibility wₖ·fₖ(x)/p(x).
    const w = weights[0];
    const f = w.map((wk, k) => wk * normalPdf(x, locs[k], scales[k]));
    const total = f.reduce((a, b) => a + b, 0);
    const r = f.map((v) => v / total);
    expectClose(await l.grad!.data(), r.map((rk, k) => rk - w[k]), tol, 'd/dlogits', [1, 1, 1, 1]);
    expectClose(await loc.grad!.data(), r.map((rk, k) => (rk * (x - locs[k])) / scales[k] ** 2), tol, 'd/dloc', r.map((_, k) => 1 / scales[k] ** 2));
  });

  it('memory stays flat; no rsample; errors name the problem', async () => {
    const probs = tm.tensor([0.3, 0.7]);
    const loc = tm.tensor([-1, 1]);
    const before = await collected();
    const d = new MixtureSameFamily(new Categorical({ probs }), new Normal(loc, 1));
    const x = tm.tensor([0.5, -0.2]);
    for (const t of [d.sample([3]), d.logProb(x), d.cdf(x), d.mean, d.variance, x]) t.dispose();
    d.components.dispose();
    expect(tm.memory().numTensors).toBe(before);
    expect(() => d.rsample()).toThrow(new tm.ValueError('MixtureSameFamily: no reparameterised sample (rsample); sample() draws without a gradient'));
    expect(() => new MixtureSameFamily(new Normal(0, 1) as unknown as tm.distributions.Categorical, new Normal(loc, 1))).toThrow(new tm.ValueError('MixtureSameFamily: mixture must be a Categorical, got Normal'));
    expect(() => new MixtureSameFamily(new Categorical({ probs: tm.ones([3]) }), new Normal(loc, 1))).toThrow(new tm.ShapeError("MixtureSameFamily: the components' batch shape [2] must end with the mixture's 3 classes"));
    expect(() => new MixtureSameFamily(new Categorical({ probs: tm.ones([3, 2]) }), new Normal(tm.zeros([4, 2]), 1))).toThrow(
      new tm.ShapeError("MixtureSameFamily: the mixture's batch shape [3] and the components' [4] (less the component axis) cannot be broadcast together"),
    );
  });
});
