// tm.losses.softMargin, multiLabelSoftMargin, multiMargin and
// multiLabelMargin against PyTorch's formulas computed here in float64 (each
// sample's terms divided by its class count), on fresh random data at odd
// shapes, on every backend: each reduction, the gradients of 'mean' against
// central differences, one sample without its batch axis, and errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, randomInts, uniform } from '../helpers/data.js';
import { size } from '../helpers/float64.js';
import { checkLoss, sum } from '../helpers/losses.js';

const rows = (v: Float64Array, n: number) => Array.from({ length: v.length / n }, (_, r) => Array.from(v.subarray(r * n, (r + 1) * n)));
const softplus = (z: number) => Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));

/** Each sample's classes: a few distinct ones, then −1 (where there is room), then anything. */
function multiLabelTargets(n: number, c: number): Float64Array {
  const out = new Float64Array(n * c);
  for (let r = 0; r < n; r++) {
    const count = randomInts(1, 0, c)[0];
    const classes = Array.from({ length: c }, (_, i) => i).sort(() => Math.random() - 0.5).slice(0, count);
    for (let k = 0; k < c; k++) out[r * c + k] = k < count ? classes[k] : k === count ? -1 : randomInts(1, -1, c - 1)[0];
  }
  return out;
}

describe.each(BACKENDS)('margin losses on %s', (backend) => {
  const tol = backend === 'webgpu' ? 1e-4 : 1e-5;

  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each([{ shape: [13, 7] }, { shape: [5] }, { shape: [3, 2, 5] }])('softMargin of $shape: log(1 + e^(−target·x)), a row\'s mean per sample', async ({ shape }) => {
    const x = asF32(uniform(size(shape), -4, 4));
    x[0] = 0; // σ(0) = ½ in the gradient
    const target = Float64Array.from(randomInts(size(shape), 0, 1), (v) => v * 2 - 1);
    const inner = size(shape.slice(1));
    const perSample = ([xv, t]: Float64Array[]) => Float64Array.from(rows(Float64Array.from(xv, (v, k) => softplus(-t[k] * v)), inner), (r) => sum(r) / inner);
    await checkLoss([{ values: x, shape }, { values: target, shape }], [0], perSample, ([v, t], options) => tm.losses.softMargin(v, t, options), tol);
  });

  it.each([
    { n: 9, c: 5, weighted: false },
    { n: 4, c: 1, weighted: true },
    { n: 0, c: 7, weighted: true }, // one sample [C]
  ])('multiLabelSoftMargin of $n × $c (weighted $weighted): the classes\' mean of the logits\' binary cross-entropy', async ({ n, c, weighted }) => {
    const shape = n ? [n, c] : [c];
    const x = asF32(uniform(size(shape), -5, 5));
    const y = Float64Array.from(randomInts(size(shape), 0, 1));
    const w = asF32(uniform(c, 0.2, 2));
    const perSample = ([xv, t]: Float64Array[]) =>
      Float64Array.from(rows(xv, c), (r, i) => sum(r.map((v, k) => (weighted ? w[k] : 1) * (t[i * c + k] * softplus(-v) + (1 - t[i * c + k]) * softplus(v)))) / c);
    const weight = weighted ? tm.tensor(w, [c]) : undefined;
    await checkLoss([{ values: x, shape }, { values: y, shape }], [0], perSample, ([v, t], options) => tm.losses.multiLabelSoftMargin(v, t, { ...options, weight }), tol);
  });

  it.each([
    { n: 11, c: 6, p: 1, margin: 1, weighted: false },
    { n: 5, c: 3, p: 2, margin: 0.5, weighted: true },
    { n: 7, c: 1, p: 1, margin: 2, weighted: false }, // one class: no other to lose to
    { n: 0, c: 9, p: 2, margin: 1.5, weighted: true }, // one sample [C], its label []
  ])('multiMargin of $n × $c (p $p, margin $margin, weighted $weighted): Σ over other classes of max(0, margin − x[y] + x[i])ᵖ / C', async ({ n, c, p, margin, weighted }) => {
    const shape = n ? [n, c] : [c];
    const x = asF32(uniform(size(shape), -2, 2));
    const labels = randomInts(n || 1, 0, c - 1);
    const w = asF32(uniform(c, 0.2, 2));
    const perSample = ([xv, y]: Float64Array[]) =>
      Float64Array.from(rows(xv, c), (r, i) => ((weighted ? w[y[i]] : 1) * sum(r.map((v, k) => (k === y[i] ? 0 : Math.max(0, margin - r[y[i]] + v) ** p)))) / c);
    const weight = weighted ? tm.tensor(w, [c]) : undefined;
    await checkLoss(
      [{ values: x, shape }, { values: labels, shape: n ? [n] : [], dtype: 'i32' }], [0], perSample,
      ([v, y], options) => tm.losses.multiMargin(v, y, { ...options, p: p as 1 | 2, margin, weight }), tol,
    );
  });

  it.each([{ n: 8, c: 5 }, { n: 3, c: 1 }, { n: 0, c: 6 }])('multiLabelMargin of $n × $c: Σ over target j, non-target i of max(0, 1 − (x[j] − x[i])) / C, targets read up to the first −1', async ({ n, c }) => {
    const shape = n ? [n, c] : [c];
    const x = asF32(uniform(size(shape), -2, 2));
    const target = multiLabelTargets(n || 1, c);
    const perSample = ([xv, t]: Float64Array[]) =>
      Float64Array.from(rows(xv, c), (r, i) => {
        const row = Array.from(t.subarray(i * c, (i + 1) * c));
        const end = row.indexOf(-1);
        const targets = new Set(end < 0 ? row : row.slice(0, end));
        let total = 0;
        for (const j of targets) for (let k = 0; k < c; k++) if (!targets.has(k)) total += Math.max(0, 1 - (r[j] - r[k]));
        return total / c;
      });
    await checkLoss([{ values: x, shape }, { values: target, shape, dtype: 'i32' }], [0], perSample, ([v, t], options) => tm.losses.multiLabelMargin(v, t, options), tol);
  });
});

describe('margin losses', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('refuse bad shapes, labels and options, naming them', () => {
    const x = tm.zeros([2, 3]);
    const labels = tm.tensor([0, 2], [2], { dtype: 'i32' });
    expect(() => tm.losses.softMargin(x, tm.zeros([3, 2]))).toThrow(new tm.ShapeError('softMargin: x [2,3] and target [3,2] differ'));
    expect(() => tm.losses.multiMargin(x, labels, { p: 3 as 1 })).toThrow(new tm.ValueError('multiMargin: p must be 1 or 2, got 3'));
    expect(() => tm.losses.multiMargin(x, tm.tensor([0, 3], [2], { dtype: 'i32' }))).toThrow(new tm.ValueError('multiMargin: class label 3 (sample 1) is not one of the 3 classes of x [2,3], 0 to 2'));
    expect(() => tm.losses.multiMargin(x, tm.tensor([0, 1]))).toThrow(new tm.DTypeError('multiMargin: labels must be int class indices, got f32'));
    expect(() => tm.losses.multiMargin(tm.zeros([3]), labels)).toThrow(new tm.ShapeError("multiMargin: one sample's scores [3] take one label [], got [2]"));
    expect(() => tm.losses.multiMargin(x, labels, { weight: tm.ones([2]) })).toThrow(new tm.ShapeError('multiMargin: weight must be [3], one per class of x [2,3], got [2]'));
    expect(() => tm.losses.multiLabelMargin(x, tm.tensor([[0, 3, -1], [1, -1, 0]], undefined, { dtype: 'i32' }))).toThrow(new tm.ValueError('multiLabelMargin: target 3 (entry 1) is not one of the 3 classes of x [2,3], 0 to 2, nor −1'));
    expect(() => tm.losses.multiLabelMargin(x, tm.zeros([2, 3]))).toThrow(new tm.DTypeError("multiLabelMargin: target must be int class indices (−1 ends each sample's), got f32"));
    expect(() => tm.losses.multiLabelSoftMargin(tm.zeros([2, 3, 4]), tm.zeros([2, 3, 4]))).toThrow(new tm.ShapeError('multiLabelSoftMargin: x must be [N, C] or [C], got [2,3,4]'));
  });
});
