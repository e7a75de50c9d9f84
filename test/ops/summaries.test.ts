// ptp and average as NumPy's, on every backend, against float64 written
// here: over all axes, one and several, keepDims; weights of x's shape or a
// vector along one axis; ints (ptp wrapping in i32, average in f32), f16 in
// f32; the gradient of a weighted average.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, uniform } from '../helpers/data.js';
import { f64, ravel, reduceAxes, size, unravel } from '../helpers/float64.js';

describe.each(BACKENDS)('ptp and average on %s', (backend) => {
  const tol = backend === 'webgpu' ? 1e-4 : 1e-5;

  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it.each([[[7], undefined], [[13, 31], 1], [[13, 31], 0], [[3, 4, 5], [0, 2]], [[3, 4, 5], undefined]] as [number[], number | number[] | undefined][])('ptp of %j over %j is max − min', async (shape, axes) => {
    const x = f64(shape, asF32(uniform(size(shape), -50, 50)));
    const list = axes === undefined ? shape.map((_, d) => d) : typeof axes === 'number' ? [axes] : axes;
    const hi = reduceAxes(x, list, -Infinity, Math.max);
    const lo = reduceAxes(x, list, Infinity, Math.min);
    expectClose(await tm.ptp(tm.tensor(x.v, shape), axes).data(), hi.v.map((v, i) => v - lo.v[i]), tol);
    expect(tm.ptp(tm.tensor(x.v, shape), axes, { keepDims: true }).shape).toEqual(shape.map((s, d) => (list.includes(d) ? 1 : s)));
  });

  it('ptp keeps ints, wrapping as NumPy\'s', async () => {
    const y = tm.ptp(tm.tensor(new Int32Array([2 ** 31 - 1, -5, 7]), [3]));
    expect([y.dtype, await y.item()]).toEqual(['i32', (2 ** 31 - 1 + 5) | 0]);
  });

  it.each([[[7], 0, 'vector'], [[13, 31], 1, 'vector'], [[13, 31], 0, 'full'], [[3, 4, 5], [0, 2], 'full'], [[3, 4, 5], undefined, 'full']] as [number[], number | number[] | undefined, string][])('average of %j over %j with weights (%s) is Σ w·x / Σ w; its gradients', async (shape, axes, kind) => {
    const x = asF32(uniform(size(shape)));
    const list = axes === undefined ? shape.map((_, d) => d) : typeof axes === 'number' ? [axes] : axes;
    const wShape = kind === 'vector' ? [shape[list[0]]] : shape;
    const w = asF32(uniform(size(wShape), 0.1, 2));
    const full = kind === 'vector' ? x.map((_, i) => w[Math.floor(i / size(shape.slice(list[0] + 1))) % shape[list[0]]]) : w;
    const num = reduceAxes(f64(shape, x.map((v, i) => v * full[i])), list, 0, (a, b) => a + b);
    const den = reduceAxes(f64(shape, full), list, 0, (a, b) => a + b);
    const [xt, wt] = [tm.tensor(x, shape), tm.tensor(w, wShape)];
    xt.requiresGrad = true;
    const y = tm.average(xt, axes, { weights: wt });
    expectClose(await y.data(), num.v.map((v, i) => v / den.v[i]), tol, 'average');
    y.sum().backward();
    // Each x's gradient is its weight over the sum of its slice's weights.
    const kept = reduceAxes(f64(shape, full), list, 0, (a, b) => a + b, true);
    const denOf = (i: number) => kept.v[ravel(unravel(i, shape).map((c, d) => (list.includes(d) ? 0 : c)), kept.shape)];
    expectClose(await xt.grad!.data(), full.map((v, i) => v / denOf(i)), tol, 'dx');
  });

  it('average without weights is the mean; ints average in f32, f16 in f32 rounded once', async () => {
    const x = tm.tensor([[1, 2], [3, 5]]);
    expect(await tm.average(x, 0).array()).toEqual([2, 3.5]);
    const ints = tm.average(tm.tensor(new Int32Array([1, 2, 4]), [3]), undefined, { weights: tm.tensor([1, 1, 2]) });
    expect([ints.dtype, await ints.item()]).toEqual(['f32', 11 / 4]);
    const half = tm.average(tm.tensor([1, 2, 3], [3], { dtype: 'f16' }), 0, { weights: tm.tensor([3, 1, 0]) });
    expect([half.dtype, await half.item()]).toEqual(['f16', 1.25]);
  });
});

describe('average', () => {
  it('refuses weights of another shape, naming both', () => {
    expect(() => tm.average(tm.zeros([3, 4]), 1, { weights: tm.ones([3]) })).toThrow(new tm.ShapeError("average: weights [3] must have x's shape [3,4] or be a vector of axis 1's length (4)"));
    expect(() => tm.average(tm.zeros([3, 4]), undefined, { weights: tm.ones([4]) })).toThrow(new tm.ShapeError("average: weights [4] must have x's shape [3,4]"));
  });
});
