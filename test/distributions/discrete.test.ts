// tm.distributions' discrete distributions (Bernoulli, Categorical,
// OneHotCategorical) against float64 formulas written here, on fresh random
// probabilities or logits at several shapes, on every backend: logProb,
// entropy, mean, variance, mode and the normalised probs/logits; the class
// frequencies of 20,000 draws within a few standard errors; seeded
// reproducibility; flat memory; and errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, randomInts, uniform } from '../helpers/data.js';
import { broadcastIndex, broadcastMap } from '../helpers/distributions.js';
import { size, unravel } from '../helpers/float64.js';
import { collected } from '../helpers/gc.js';

const { Bernoulli, Categorical, OneHotCategorical } = tm.distributions;

const sigmoid = (l: number) => 1 / (1 + Math.exp(-l));

/** Each row's normalised log-probabilities [rows, K], from probabilities or logits. */
function logProbabilityRows(v: Float64Array, k: number, given: 'probs' | 'logits'): Float64Array {
  const out = new Float64Array(v.length);
  for (let r = 0; r < v.length / k; r++) {
    const row = v.subarray(r * k, (r + 1) * k);
    const logs = given === 'probs' ? Array.from(row, Math.log) : Array.from(row);
    const top = Math.max(...logs);
    const norm = top + Math.log(logs.reduce((acc, l) => acc + Math.exp(l - top), 0));
    logs.forEach((l, c) => (out[r * k + c] = l - norm));
  }
  return out;
}

/** Each column's frequency of class c among draws [n, m] within k standard errors of p[j][c]. */
function expectFrequencies(labels: ArrayLike<number>, n: number, p: number[][], what: string, k = 5): void {
  p.forEach((probs, j) => {
    const counts = new Array<number>(probs.length).fill(0);
    for (let i = 0; i < n; i++) counts[labels[i * p.length + j]]++;
    probs.forEach((pc, c) => {
      const se = Math.sqrt((pc * (1 - pc)) / n);
      expect(Math.abs(counts[c] / n - pc), `${what}: class ${c} of column ${j} drawn ${counts[c] / n}, want ${pc} ± ${k}·${se}`).toBeLessThanOrEqual(k * se);
    });
  });
}

describe.each(BACKENDS)('discrete distributions on %s', (backend) => {
  const tol = backend === 'webgpu' ? 1e-4 : 1e-5;

  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each([
    { given: 'probs', shape: [7], value: [7] },
    { given: 'logits', shape: [13, 1], value: [3, 1, 5] },
    { given: 'probs', shape: [1], value: [4] },
    { given: 'logits', shape: [], value: [2, 3] },
  ] as const)('Bernoulli from $given $shape: logProb of 0/1 values $value, entropy, mean, variance, probs and logits', async ({ given, shape, value }) => {
    const v = given === 'probs' ? asF32(uniform(size(shape), 0.05, 0.95)) : asF32(uniform(size(shape), -4, 4));
    const p = Float64Array.from(v, (x) => (given === 'probs' ? x : sigmoid(x)));
    const d = new Bernoulli(given === 'probs' ? { probs: tm.tensor(v, shape) } : { logits: tm.tensor(v, shape) });
    expect(d.batchShape).toEqual(shape);
    const x = randomInts(size(value), 0, 1);
    const want = broadcastMap([{ v: x, shape: value }, { v: p, shape }], (y, q) => y * Math.log(q) + (1 - y) * Math.log1p(-q));
    const got = d.logProb(tm.tensor(x, value));
    expect(got.shape).toEqual(want.shape);
    expectClose(await got.data(), want.v, tol, 'logProb');
    const param = { v: p, shape };
    expectClose(await d.entropy().data(), broadcastMap([param], (q) => -q * Math.log(q) - (1 - q) * Math.log1p(-q)).v, tol, 'entropy');
    expectClose(await d.mean.data(), p, tol, 'mean');
    expectClose(await d.variance.data(), broadcastMap([param], (q) => q * (1 - q)).v, tol, 'variance');
    expectClose(await d.probs.data(), p, tol, 'probs');
    expectClose(await d.logits.data(), Float64Array.from(p, (q) => Math.log(q / (1 - q))), 10 * tol, 'logits');
  });

  it('Bernoulli: 20,000 draws of three probabilities, each frequency of 1 within 5 standard errors; reproducible under tm.setSeed', async () => {
    const n = 20000;
    const p = asF32(uniform(3, 0.1, 0.9));
    const d = new Bernoulli({ probs: tm.tensor(p, [3]) });
    const draws = d.sample([n]);
    expect(draws.shape).toEqual([n, 3]);
    expect(draws.dtype).toBe('f32');
    expectFrequencies(await draws.data(), n, Array.from(p, (q) => [1 - q, q]), 'Bernoulli.sample');
    tm.setSeed(7);
    const a = await d.sample([4, 2]).data();
    tm.setSeed(7);
    expect(Array.from(await d.sample([4, 2]).data())).toEqual(Array.from(a));
    expect(() => d.rsample()).toThrow(new tm.ValueError('Bernoulli: no reparameterised sample (rsample); sample() draws without a gradient'));
  });

  it.each([
    { given: 'probs', shape: [7], value: [3] },
    { given: 'logits', shape: [4, 5], value: [3, 4] },
    { given: 'probs', shape: [2, 1, 13], value: [2, 6] },
    { given: 'logits', shape: [1], value: [5] },
  ] as const)('Categorical from $given $shape: logProb of labels $value, entropy, mode, normalised probs and logits', async ({ given, shape, value }) => {
    const k = shape[shape.length - 1];
    const v = given === 'probs' ? asF32(uniform(size(shape), 0.05, 1)) : asF32(uniform(size(shape), -3, 3));
    const logp = logProbabilityRows(v, k, given);
    const batch = shape.slice(0, -1);
    const d = new Categorical(given === 'probs' ? { probs: tm.tensor(v, shape) } : { logits: tm.tensor(v, shape) });
    expect(d.batchShape).toEqual(batch);
    expect(d.eventShape).toEqual([]);
    expect(d.numClasses).toBe(k);
    const labels = randomInts(size(value), 0, k - 1);
    const rows = Float64Array.from({ length: size(batch) }, (_, r) => r);
    const want = broadcastMap([{ v: labels, shape: value }, { v: rows, shape: batch }], (c, r) => logp[r * k + c]);
    const got = d.logProb(tm.tensor(labels, value, { dtype: 'i32' }));
    expect(got.shape).toEqual(want.shape);
    expectClose(await got.data(), want.v, tol, 'logProb');
    const entropy = Float64Array.from(rows, (r) => -logp.subarray(r * k, (r + 1) * k).reduce((acc, l) => acc + Math.exp(l) * l, 0));
    expectClose(await d.entropy().data(), entropy, tol, 'entropy');
    expectClose(await d.probs.data(), logp.map(Math.exp), tol, 'probs');
    expectClose(await d.logits.data(), logp, tol, 'logits');
    const mode = Array.from(rows, (r) => { const row = Array.from(logp.subarray(r * k, (r + 1) * k)); return row.indexOf(Math.max(...row)); });
    expect(Array.from(await d.mode.data())).toEqual(mode);
    expect(() => d.mean).toThrow(new tm.ValueError('Categorical: no mean in closed form'));
  });

  it('Categorical: a class of probability 0 adds 0 to the entropy and has logProb −∞', async () => {
    const d = new Categorical({ probs: tm.tensor([[0.5, 0, 0.5], [0, 0, 2]]) });
    expectClose(await d.entropy().data(), [Math.log(2), 0], tol, 'entropy');
    expectClose(await d.logProb(tm.tensor([1, 2], { dtype: 'i32' })).data(), [-Infinity, 0], tol, 'logProb');
  });

  it('Categorical and OneHotCategorical: 20,000 draws from two rows of 4 classes, each frequency within 5 standard errors; reproducible under tm.setSeed', async () => {
    const n = 20000;
    const logits = asF32(uniform(8, -1.5, 1.5));
    const p = Array.from({ length: 2 }, (_, r) => Array.from(logProbabilityRows(logits, 4, 'logits').subarray(r * 4, r * 4 + 4), Math.exp));
    const d = new Categorical({ logits: tm.tensor(logits, [2, 4]) });
    const labels = d.sample([n]);
    expect(labels.shape).toEqual([n, 2]);
    expect(labels.dtype).toBe('i32');
    expectFrequencies(await labels.data(), n, p, 'Categorical.sample');

    const hot = new OneHotCategorical({ probs: tm.tensor(p.flat(), [2, 4]) });
    const rows = hot.sample([n]);
    expect(rows.shape).toEqual([n, 2, 4]);
    const values = await rows.data();
    const fromRows = Int32Array.from({ length: n * 2 }, (_, i) => {
      const row = Array.from(values.subarray(i * 4, i * 4 + 4));
      expect(row.reduce((a, b) => a + b, 0)).toBe(1);
      return row.indexOf(1);
    });
    expectFrequencies(fromRows, n, p, 'OneHotCategorical.sample');

    tm.setSeed(11);
    const a = await d.sample([6]).data();
    tm.setSeed(11);
    expect(Array.from(await d.sample([6]).data())).toEqual(Array.from(a));
  });

  it('OneHotCategorical: event shape [K]; logProb of one-hot rows, entropy, mean p, variance p(1 − p), mode', async () => {
    const logits = asF32(uniform(3 * 5, -2, 2));
    const logp = logProbabilityRows(logits, 5, 'logits');
    const d = new OneHotCategorical({ logits: tm.tensor(logits, [3, 5]) });
    expect(d.batchShape).toEqual([3]);
    expect(d.eventShape).toEqual([5]);
    const labels = randomInts(2 * 3, 0, 4);
    const got = d.logProb(tm.tensor(labels, [2, 3], { dtype: 'i32' }).oneHot(5));
    expect(got.shape).toEqual([2, 3]);
    expectClose(await got.data(), Float64Array.from(labels, (c, i) => logp[(i % 3) * 5 + c]), tol, 'logProb');
    const p = logp.map(Math.exp);
    expectClose(await d.mean.data(), p, tol, 'mean');
    expectClose(await d.variance.data(), p.map((q) => q * (1 - q)), tol, 'variance');
    const mode = await d.mode.data();
    for (let r = 0; r < 3; r++) {
      const row = Array.from(p.subarray(r * 5, r * 5 + 5));
      expect(Array.from(mode.subarray(r * 5, r * 5 + 5))).toEqual(row.map((q) => (q === Math.max(...row) ? 1 : 0)));
    }
    expect(() => d.logProb(tm.zeros([3, 4]))).toThrow(new tm.ShapeError('OneHotCategorical.logProb: value [3,4] does not end with the event shape [5] (batch [3])'));
  });

  it('memory stays flat: sample, logProb, entropy and the getters free their intermediates', async () => {
    const probs = tm.tensor(asF32(uniform(12, 0.1, 1)), [3, 4]);
    const labels = tm.tensor([0, 3, 1], [3], { dtype: 'i32' });
    const rows = labels.oneHot(4);
    const before = await collected();
    const cat = new Categorical({ probs });
    const bern = new Bernoulli({ logits: probs });
    const hot = new OneHotCategorical({ probs });
    const results = [
      cat.sample([5]), cat.logProb(labels), cat.entropy(), cat.probs, cat.logits, cat.mode,
      bern.sample([2]), bern.logProb(probs), bern.entropy(), bern.mean, bern.variance, bern.probs, bern.logits,
      hot.sample([2]), hot.logProb(rows), hot.mean, hot.variance, hot.mode,
    ];
    expect(tm.memory().numTensors).toBe(before + results.length);
    for (const t of results) t.dispose();
    for (const d of [cat, bern, hot]) d.dispose();
    expect(tm.memory().numTensors).toBe(before);
    expect(probs.isDisposed).toBe(false);
  });

  it('errors: both or neither of probs and logits, an unknown option, int parameters, float labels, a label outside the classes', () => {
    const p = tm.tensor([0.2, 0.8]);
    expect(() => new Bernoulli({ probs: p, logits: p } as never)).toThrow(new tm.ValueError('Bernoulli: give either probs or logits, not both'));
    expect(() => new Categorical({} as never)).toThrow(new tm.ValueError('Categorical: give either probs or logits, not neither'));
    expect(() => new Categorical({ prob: p } as never)).toThrow(new tm.ValueError("Categorical: unknown option 'prob'; expects { probs } or { logits }"));
    expect(() => new Bernoulli({ probs: tm.tensor([1, 0], [2], { dtype: 'i32' }) })).toThrow(new tm.DTypeError('Bernoulli: probs must be f32 or f16, got i32'));
    expect(() => new Categorical({ logits: 0.3 })).toThrow(new tm.ShapeError('Categorical: logits must have a class axis (its last), got []'));
    const d = new Categorical({ probs: p });
    expect(() => d.logProb(tm.tensor([1]))).toThrow(new tm.DTypeError("Categorical.logProb: value must be class labels of an int dtype, got f32 (value.cast('i32'))"));
    if (backend !== 'webgpu') {
      expect(() => d.logProb(tm.tensor([2], [1], { dtype: 'i32' }))).toThrow(new tm.ValueError('Categorical.logProb: index 2 (at 0 of indices [1]) is outside the 2 classes'));
    }
  });
});
