// tm.losses.poissonNll and gaussianNll against PyTorch's formulas computed
// here in float64 (the rate's ε inside the log, Stirling's term only where
// target > 1, the variance clamped to ε and that clamp left out of its
// gradient), on fresh random data at odd shapes, on every backend: each
// reduction, the gradients, the variance's shapes PyTorch reads, and errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, randomInts, uniform } from '../helpers/data.js';
import { centralDifferences, size } from '../helpers/float64.js';

const sum = (v: ArrayLike<number>) => Array.from(v).reduce((a, b) => a + b, 0);

/** Each sample's mean of its terms (a 1-D input: each term a sample). */
function perSampleMeans(terms: Float64Array, shape: number[]): Float64Array {
  const inner = size(shape.slice(1));
  return Float64Array.from({ length: terms.length / inner }, (_, r) => sum(terms.subarray(r * inner, (r + 1) * inner)) / inner);
}

describe.each(BACKENDS)('poissonNll and gaussianNll on %s', (backend) => {
  const tol = backend === 'webgpu' ? 1e-4 : 1e-5;

  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each([
    { shape: [13, 7], options: {} },
    { shape: [5], options: { full: true } },
    { shape: [3, 2, 5], options: { logInput: false } },
    { shape: [7, 3], options: { logInput: false, full: true, epsilon: 0.1 } },
  ])('poissonNll of $shape with $options: e^x − t·x, or x − t·log(x + ε), plus t·log t − t + ½·log(2πt) where t > 1', async ({ shape, options }) => {
    const { logInput = true, full = false, epsilon = 1e-8 } = options as tm.losses.PoissonNllOptions;
    const input = asF32(logInput ? uniform(size(shape), -2, 2) : uniform(size(shape), 0.05, 4));
    const target = randomInts(size(shape), 0, 6);
    const terms = (x: Float64Array) => Float64Array.from(x, (v, k) => {
      const t = target[k];
      const nll = logInput ? Math.exp(v) - t * v : v - t * Math.log(v + epsilon);
      return nll + (full && t > 1 ? t * Math.log(t) - t + 0.5 * Math.log(2 * Math.PI * t) : 0);
    });
    const want = perSampleMeans(terms(input), shape);
    const args = () => [tm.tensor(input, shape), tm.tensor(target, shape)] as const;
    expectClose(await tm.losses.poissonNll(...args(), { ...options, reduction: 'none' }).data(), want, tol, 'none');
    expectClose(await tm.losses.poissonNll(...args(), { ...options, reduction: 'sum' }).data(), [sum(want)], tol, 'sum', [sum(want.map(Math.abs))]);
    const x = tm.tensor(input, shape);
    x.requiresGrad = true;
    const mean = tm.losses.poissonNll(x, tm.tensor(target, shape), options);
    expectClose(await mean.data(), [sum(want) / want.length], tol, 'mean', [sum(want.map(Math.abs)) / want.length]);
    mean.backward();
    expectClose(await x.grad!.data(), centralDifferences(input, () => sum(perSampleMeans(terms(input), shape)) / want.length), tol, 'dx');
  });

  it.each([
    { shape: [13, 7], varianceShape: [13, 7], options: {} },
    { shape: [13, 7], varianceShape: [13], options: { full: true } }, // one variance a row, unsqueezed
    { shape: [5, 3], varianceShape: [5, 1], options: { epsilon: 0.3 } }, // a row's variance; some below ε
    { shape: [7], varianceShape: [7], options: { full: true, epsilon: 0.2 } },
    { shape: [3, 2, 5], varianceShape: [3, 2], options: {} },
  ])('gaussianNll of $shape with variance $varianceShape and $options: ½·(log v + (x − t)²/v), v = max(variance, ε)', async ({ shape, varianceShape, options }) => {
    const { full = false, epsilon = 1e-6 } = options as tm.losses.GaussianNllOptions;
    const [input, target] = [asF32(uniform(size(shape), -2, 2)), asF32(uniform(size(shape), -2, 2))];
    const variance = asF32(uniform(size(varianceShape), 0.01, 2));
    const last = shape[shape.length - 1];
    // Each term's variance: its own, or its row's.
    const varianceAt = (k: number) => (size(varianceShape) === size(shape) ? k : Math.floor(k / last));
    const terms = (x: Float64Array, t: Float64Array, v: Float64Array) => Float64Array.from(x, (xv, k) => {
      const clamped = Math.max(v[varianceAt(k)], epsilon);
      return 0.5 * (Math.log(clamped) + (xv - t[k]) ** 2 / clamped) + (full ? 0.5 * Math.log(2 * Math.PI) : 0);
    });
    const want = perSampleMeans(terms(input, target, variance), shape);
    const tensors = () => [tm.tensor(input, shape), tm.tensor(target, shape), tm.tensor(variance, varianceShape)] as const;
    expectClose(await tm.losses.gaussianNll(...tensors(), { ...options, reduction: 'none' }).data(), want, tol, 'none');
    expectClose(await tm.losses.gaussianNll(...tensors(), { ...options, reduction: 'sum' }).data(), [sum(want)], tol, 'sum', [sum(want.map(Math.abs))]);

    const leaves = tensors();
    for (const t of leaves) t.requiresGrad = true;
    const mean = tm.losses.gaussianNll(...leaves, options);
    expectClose(await mean.data(), [sum(want) / want.length], tol, 'mean', [sum(want.map(Math.abs)) / want.length]);
    mean.backward();
    const loss = () => sum(perSampleMeans(terms(input, target, variance), shape)) / want.length;
    expectClose(await leaves[0].grad!.data(), centralDifferences(input, loss), tol, 'dinput');
    expectClose(await leaves[1].grad!.data(), centralDifferences(target, loss), tol, 'dtarget');
    // The variance's: ½·(1/v − (x − t)²/v²) at the clamped v, clamped or not (PyTorch clamps under no_grad), over the terms it serves.
    const dv = new Float64Array(variance.length);
    input.forEach((xv, k) => {
      const v = Math.max(variance[varianceAt(k)], epsilon);
      dv[varianceAt(k)] += (0.5 * (1 / v - (xv - target[k]) ** 2 / v ** 2)) / size(shape);
    });
    expectClose(await leaves[2].grad!.data(), dv, tol, 'dvariance');
  });

  it('gaussianNll takes one variance for every term as a number, clamped to ε the same', async () => {
    const shape = [7, 3];
    const [input, target] = [asF32(uniform(size(shape), -2, 2)), asF32(uniform(size(shape), -2, 2))];
    for (const [variance, epsilon, full] of [[0.7, 1e-6, false], [1e-3, 0.05, true], [0, 1e-6, false]] as const) {
      const v = Math.max(variance, epsilon);
      const terms = Float64Array.from(input, (x, k) => 0.5 * (Math.log(v) + (x - target[k]) ** 2 / v) + (full ? 0.5 * Math.log(2 * Math.PI) : 0));
      const x = tm.tensor(input, shape);
      x.requiresGrad = true;
      const loss = tm.losses.gaussianNll(x, tm.tensor(target, shape), variance, { epsilon, full, reduction: 'none' });
      expectClose(await loss.data(), perSampleMeans(terms, shape), tol, `variance ${variance}`);
      loss.sum().backward();
      expectClose(await x.grad!.data(), Float64Array.from(input, (xv, k) => (xv - target[k]) / v / 3), tol, `dx, variance ${variance}`);
    }
    expect(() => tm.losses.gaussianNll(tm.zeros([2]), tm.zeros([2]), -1)).toThrow(new tm.ValueError('gaussianNll: variance must be a finite number ≥ 0 or a tensor, got -1'));
  });

  it('gaussianNll refuses a negative variance where its values can be read at once (js, native); on a GPU its terms are NaN', async () => {
    const [x, t, v] = [tm.tensor([[1, 2], [3, 4]]), tm.zeros([2, 2]), tm.tensor([[1, 1], [-0.5, 1]])];
    if (backend === 'webgpu') {
      expectClose(await tm.losses.gaussianNll(x, t, v, { reduction: 'none' }).data(), [0.5 * (1 + 4) / 2, NaN], 1e-5);
    } else {
      expect(() => tm.losses.gaussianNll(x, t, v)).toThrow(new tm.ValueError('gaussianNll: variance holds -0.5 at flat index 2; a variance is ≥ 0'));
      expect(() => tm.losses.gaussianNll(x, t, v.cast('f16'))).toThrow(new tm.ValueError('gaussianNll: variance holds -0.5 at flat index 2; a variance is ≥ 0'));
    }
  });

  it('leave nothing behind', () => {
    const [x, t, v] = [tm.randn([4, 5], { seed: 1 }), tm.rand([4, 5], { seed: 2 }), tm.rand([4], { seed: 3 })];
    const run = () => tm.noGrad(() => [
      tm.losses.poissonNll(x, t, { full: true }), tm.losses.poissonNll(t, t, { logInput: false }), tm.losses.gaussianNll(x, t, v, { full: true }),
    ].forEach((l) => l.dispose()));
    run();
    const before = tm.memory().numTensors;
    run();
    expect(tm.memory().numTensors).toBe(before);
  });
});

describe('poissonNll and gaussianNll', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('refuse shapes that differ, a variance of no shape PyTorch reads, a bad epsilon and int inputs, naming them', () => {
    const [x, t] = [tm.zeros([4, 3]), tm.zeros([4, 3])];
    expect(() => tm.losses.poissonNll(x, tm.zeros([3, 4]))).toThrow(new tm.ShapeError('poissonNll: input [4,3] and target [3,4] differ'));
    expect(() => tm.losses.poissonNll(x, t, { epsilon: -1 })).toThrow(new tm.ValueError('poissonNll: epsilon must be a finite number ≥ 0, got -1'));
    expect(() => tm.losses.poissonNll(x, t, { logInput: 'no' as unknown as boolean })).toThrow(new tm.ValueError('poissonNll: logInput must be true or false, got "no"'));
    expect(() => tm.losses.poissonNll(x, tm.zeros([4, 3], { dtype: 'i32' }))).toThrow(new tm.DTypeError('poissonNll: target must be f32 or f16, got i32'));
    expect(() => tm.losses.gaussianNll(x, t, tm.ones([3]))).toThrow(new tm.ShapeError('gaussianNll: variance [3] does not fit input [4,3]: expected [4,3], [4] or [4,1]'));
    expect(() => tm.losses.gaussianNll(x, t, tm.ones([4, 2]))).toThrow(new tm.ShapeError('gaussianNll: variance [4,2] does not fit input [4,3]: expected [4,3], [4] or [4,1]'));
    expect(() => tm.losses.gaussianNll(x, tm.zeros([4]), tm.ones([4]))).toThrow(new tm.ShapeError('gaussianNll: input [4,3] and target [4] differ'));
    expect(() => tm.losses.gaussianNll(x, t, tm.ones([4]), { eps: 1 } as unknown as tm.losses.GaussianNllOptions)).toThrow(/unknown option "eps" \(did you mean epsilon\?\)/);
  });
});
