// tm.losses.cosineEmbedding, marginRanking, tripletMargin and
// hingeEmbedding against PyTorch's formulas computed here in float64 (the
// cosine's 1e-12 on each squared norm, the distance's ε on each difference),
// on fresh random data at odd shapes, on every backend: each reduction, the
// gradients of 'mean' against central differences, targets other than ±1
// where PyTorch gives them a meaning, and errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, randomInts, uniform } from '../helpers/data.js';
import { size } from '../helpers/float64.js';
import { checkLoss, sum } from '../helpers/losses.js';
import { collected } from '../helpers/gc.js';

const rows = (v: Float64Array, n: number) => Array.from({ length: v.length / n }, (_, r) => Array.from(v.subarray(r * n, (r + 1) * n)));
const pNorm = (v: number[], p: number) => (p === Infinity ? Math.max(...v.map(Math.abs)) : sum(v.map((x) => Math.abs(x) ** p)) ** (1 / p));

/** Targets of 1 and −1 (and 0, where `other`), as f32. */
const signs = (n: number, other = false) => Float64Array.from(randomInts(n, other ? -1 : 0, 1), (v) => (other ? v : v * 2 - 1));

describe.each(BACKENDS)('embedding losses on %s', (backend) => {
  const tol = backend === 'webgpu' ? 1e-4 : 1e-5;

  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each([
    { n: 13, d: 7, margin: 0 },
    { n: 1, d: 5, margin: 0.3 },
    { n: 7, d: 1, margin: -0.2 },
    { n: 0, d: 9, margin: 0.5 }, // one pair [D], target []
  ])('cosineEmbedding of $n pairs of $d: 1 − cos for 1, max(0, cos − margin) for −1, 0 for other targets', async ({ n, d, margin }) => {
    const shape = n ? [n, d] : [d];
    const [a, b] = [asF32(uniform(size(shape), -2, 2)), asF32(uniform(size(shape), -2, 2))];
    const target = signs(n || 1, true);
    const perSample = ([av, bv, t]: Float64Array[]) => {
      const [ra, rb] = [rows(av, d), rows(bv, d)];
      return Float64Array.from(ra, (u, r) => {
        const v = rb[r];
        const cos = sum(u.map((x, k) => x * v[k])) / Math.sqrt((sum(u.map((x) => x * x)) + 1e-12) * (sum(v.map((x) => x * x)) + 1e-12));
        return t[r] === 1 ? 1 - cos : t[r] === -1 ? Math.max(0, cos - margin) : 0;
      });
    };
    await checkLoss(
      [{ values: a, shape }, { values: b, shape }, { values: target, shape: n ? [n] : [] }], [0, 1], perSample,
      ([x, y, t], options) => tm.losses.cosineEmbedding(x, y, t, { ...options, margin }), tol,
    );
  });

  it.each([
    { shape: [13], margin: 0 },
    { shape: [7, 3], margin: 0.5 },
    { shape: [1], margin: 2 },
  ])('marginRanking of $shape: max(0, −target·(a − b) + margin) elementwise, a row\'s mean per sample', async ({ shape, margin }) => {
    const [a, b] = [asF32(uniform(size(shape), -2, 2)), asF32(uniform(size(shape), -2, 2))];
    const target = signs(size(shape));
    const inner = size(shape.slice(1));
    const perSample = ([av, bv, t]: Float64Array[]) => Float64Array.from(rows(Float64Array.from(av, (x, k) => Math.max(0, -t[k] * (x - bv[k]) + margin)), inner), (r) => sum(r) / inner);
    await checkLoss(
      [{ values: a, shape }, { values: b, shape }, { values: target, shape }], [0, 1], perSample,
      ([x, y, t], options) => tm.losses.marginRanking(x, y, t, { ...options, margin }), tol,
    );
  });

  it.each([
    { shape: [13, 7], options: {} },
    { shape: [5, 3], options: { margin: 0.5, p: 1, epsilon: 1e-2 } },
    { shape: [7, 4], options: { swap: true, margin: 2 } },
    { shape: [9], options: { p: 3, swap: true, margin: 3 } }, // one triplet
    { shape: [4, 1], options: { p: Infinity, margin: 0.7 } },
  ])('tripletMargin of $shape with $options: max(d(a, p) − d(a, n) + margin, 0), d = ‖x − y + ε‖ₚ', async ({ shape, options }) => {
    const { margin = 1, p = 2, epsilon = 1e-6, swap = false } = options as tm.losses.TripletMarginOptions;
    const d = shape[shape.length - 1];
    const values = [0, 1, 2].map(() => asF32(uniform(size(shape), -2, 2)));
    const perSample = ([a, pos, neg]: Float64Array[]) => {
      const distance = (x: number[], y: number[]) => pNorm(x.map((v, k) => v - y[k] + epsilon), p);
      const [ra, rp, rn] = [rows(a, d), rows(pos, d), rows(neg, d)];
      return Float64Array.from(ra, (u, r) => {
        const toNegative = swap ? Math.min(distance(u, rn[r]), distance(rp[r], rn[r])) : distance(u, rn[r]);
        return Math.max(distance(u, rp[r]) - toNegative + margin, 0);
      });
    };
    await checkLoss(
      values.map((v) => ({ values: v, shape })), [0, 1, 2], perSample,
      ([a, pos, neg], reduction) => tm.losses.tripletMargin(a, pos, neg, { ...options, ...reduction }), tol,
    );
  });

  it.each([
    { shape: [11, 6], options: {} },
    { shape: [5, 3], options: { margin: 0.4, swap: true, cosine: true } },
    { shape: [7], options: { margin: 2, cosine: true } }, // one triplet
  ])('tripletMarginWithDistance of $shape with $options: the triplet hinge over the distance given (pairwiseDistance by default)', async ({ shape, options }) => {
    const { margin = 1, swap = false, cosine = false } = options as { margin?: number; swap?: boolean; cosine?: boolean };
    const d = shape[shape.length - 1];
    const values = [0, 1, 2].map(() => asF32(uniform(size(shape), -2, 2)));
    const cos = (x: number[], y: number[]) => sum(x.map((v, k) => v * y[k])) / (Math.max(pNorm(x, 2), 1e-8) * Math.max(pNorm(y, 2), 1e-8));
    const distance = (x: number[], y: number[]) => (cosine ? 1 - cos(x, y) : pNorm(x.map((v, k) => v - y[k] + 1e-6), 2));
    const perSample = ([a, pos, neg]: Float64Array[]) => {
      const [ra, rp, rn] = [rows(a, d), rows(pos, d), rows(neg, d)];
      return Float64Array.from(ra, (u, r) => Math.max(distance(u, rp[r]) - (swap ? Math.min(distance(u, rn[r]), distance(rp[r], rn[r])) : distance(u, rn[r])) + margin, 0));
    };
    const distanceFunction = cosine ? (x: tm.Tensor, y: tm.Tensor) => tm.sub(1, tm.nn.cosineSimilarity(x, y, { axis: -1 })) : undefined;
    await checkLoss(
      values.map((v) => ({ values: v, shape })), [0, 1, 2], perSample,
      ([a, pos, neg], reduction) => tm.losses.tripletMarginWithDistance(a, pos, neg, { margin, swap, distanceFunction, ...reduction }), tol,
    );
  });

  it.each([
    { shape: [13, 7], margin: 1 },
    { shape: [5], margin: 0.5 },
    { shape: [3, 2, 5], margin: 2 },
  ])('hingeEmbedding of $shape: x for 1, max(0, margin − x) for −1, both for other targets, a row\'s mean per sample', async ({ shape, margin }) => {
    const x = asF32(uniform(size(shape), -1, 3));
    const target = signs(size(shape), true);
    const inner = size(shape.slice(1));
    const perSample = ([xv, t]: Float64Array[]) => {
      const terms = Float64Array.from(xv, (v, k) => (t[k] !== 1 ? Math.max(0, margin - v) : 0) + (t[k] !== -1 ? v : 0));
      return Float64Array.from(rows(terms, inner), (r) => sum(r) / inner);
    };
    await checkLoss(
      [{ values: x, shape }, { values: target, shape }], [0], perSample,
      ([v, t], options) => tm.losses.hingeEmbedding(v, t, { ...options, margin }), tol,
    );
  });

  it('take int targets too, and leave nothing behind', async () => {
    const [a, b] = [tm.tensor(asF32(uniform(12, -1, 1)), [4, 3]), tm.tensor(asF32(uniform(12, -1, 1)), [4, 3])];
    const floats = tm.tensor([1, -1, -1, 1]);
    const ints = tm.tensor([1, -1, -1, 1], [4], { dtype: 'i32' });
    expect(await tm.losses.cosineEmbedding(a, b, ints).data()).toEqual(await tm.losses.cosineEmbedding(a, b, floats).data());
    expect(await tm.losses.hingeEmbedding(a, ints.reshape([4, 1]).mul(tm.ones([4, 3], { dtype: 'i32' }))).data())
      .toEqual(await tm.losses.hingeEmbedding(a, floats.reshape([4, 1]).mul(tm.ones([4, 3]))).data());
    const [ones, negative] = [tm.ones([4, 3]), a.neg()];
    const run = () => tm.noGrad(() => [
      tm.losses.cosineEmbedding(a, b, floats), tm.losses.marginRanking(a, b, ones), tm.losses.tripletMargin(a, b, negative, { swap: true }),
      tm.losses.hingeEmbedding(a, ones),
    ].forEach((t) => t.dispose()));
    run();
    const before = await collected();
    run();
    expect(tm.memory().numTensors).toBe(before);
  });
});

describe('embedding losses', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('refuse shapes that differ, targets of the wrong shape, bad margins and options, and int inputs, naming them', () => {
    const [a, b] = [tm.zeros([4, 3]), tm.zeros([4, 2])];
    expect(() => tm.losses.cosineEmbedding(a, b, tm.zeros([4]))).toThrow(new tm.ShapeError('cosineEmbedding: a [4,3] and b [4,2] differ'));
    expect(() => tm.losses.cosineEmbedding(a, a, tm.zeros([3]))).toThrow(
      new tm.ShapeError('cosineEmbedding: a and b [4,3] with target [3]: expected vectors [N, D] with targets [N], or one pair [D] with a target []'),
    );
    expect(() => tm.losses.cosineEmbedding(tm.zeros([2, 2, 2]), tm.zeros([2, 2, 2]), tm.zeros([2, 2]))).toThrow(/expected vectors \[N, D\] with targets \[N\]/);
    expect(() => tm.losses.cosineEmbedding(a, a, tm.zeros([4]), { margin: NaN })).toThrow(new tm.ValueError('cosineEmbedding: margin must be a finite number, got NaN'));
    expect(() => tm.losses.marginRanking(a, a, tm.zeros([4]))).toThrow(new tm.ShapeError('marginRanking: a [4,3] and target [4] differ'));
    expect(() => tm.losses.marginRanking(tm.zeros([3], { dtype: 'i32' }), tm.zeros([3]), tm.zeros([3]))).toThrow(new tm.DTypeError('marginRanking: a must be f32 or f16, got i32'));
    expect(() => tm.losses.tripletMargin(a, a, b)).toThrow(new tm.ShapeError('tripletMargin: anchor [4,3] and negative [4,2] differ'));
    expect(() => tm.losses.tripletMargin(tm.zeros([2, 2, 2]), tm.zeros([2, 2, 2]), tm.zeros([2, 2, 2]))).toThrow(new tm.ShapeError('tripletMargin: anchor [2,2,2] is not [N, D] or [D]'));
    expect(() => tm.losses.tripletMargin(a, a, a, { p: 0 })).toThrow(new tm.ValueError('tripletMargin: p must be a number > 0 or Infinity, got 0'));
    expect(() => tm.losses.tripletMargin(a, a, a, { swap: 1 as unknown as boolean })).toThrow(new tm.ValueError('tripletMargin: swap must be true or false, got 1'));
    expect(() => tm.losses.tripletMarginWithDistance(a, a, a, { margin: 0 })).toThrow(new tm.ValueError("tripletMarginWithDistance: margin must be a finite number > 0 (as PyTorch's), got 0"));
    expect(() => tm.losses.tripletMarginWithDistance(a, a, a, { distanceFunction: 'l2' as never })).toThrow(new tm.ValueError('tripletMarginWithDistance: distanceFunction must be a function of two tensors, got "l2"'));
    expect(() => tm.losses.tripletMarginWithDistance(a, a, a, { distanceFunction: (x, y) => x.sub(y) })).toThrow(
      new tm.ShapeError('tripletMarginWithDistance: distanceFunction gave [4,3] for inputs [4,3]; expected one distance per row, [4]'),
    );
    expect(() => tm.losses.hingeEmbedding(a, tm.zeros([4]))).toThrow(new tm.ShapeError('hingeEmbedding: x [4,3] and target [4] differ'));
    expect(() => tm.losses.hingeEmbedding(a, a, { reduction: 'total' as tm.losses.Reduction })).toThrow('loss: unknown reduction "total"; expected mean, sum or none');
  });
});
