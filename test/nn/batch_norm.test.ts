// tm.nn.batchNorm, PyTorch's F.batch_norm, against its definition computed
// here in float64 on fresh random data: in training, each channel normalised
// by the batch's statistics and the running estimates moved toward them (the
// variance unbiased); outside training, normalised by the estimates. The
// gradients of x, weight and bias against central differences. (The
// BatchNorm layers, built on the same function, are tested in layers.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, uniform } from '../helpers/data.js';
import { centralDifferences, size } from '../helpers/float64.js';

/** Each channel's (axis 1) mean and population variance over every other axis of x, in float64. */
function channelStats(x: Float64Array, shape: number[]): { mean: Float64Array; variance: Float64Array; count: number } {
  const channels = shape[1];
  const positions = size(shape.slice(2));
  const count = shape[0] * positions;
  const [mean, variance] = [new Float64Array(channels), new Float64Array(channels)];
  const channelOf = (i: number) => Math.floor(i / positions) % channels;
  x.forEach((v, i) => (mean[channelOf(i)] += v / count));
  x.forEach((v, i) => (variance[channelOf(i)] += (v - mean[channelOf(i)]) ** 2 / count));
  return { mean, variance, count };
}

/** (x − mean[c]) / √(variance[c] + eps) · weight[c] + bias[c] for each value's channel c. */
function normalisedRef(x: Float64Array, shape: number[], mean: ArrayLike<number>, variance: ArrayLike<number>, eps: number, weight?: ArrayLike<number>, bias?: ArrayLike<number>): Float64Array {
  const positions = size(shape.slice(2));
  return x.map((v, i) => {
    const c = Math.floor(i / positions) % shape[1];
    return ((v - mean[c]) / Math.sqrt(variance[c] + eps)) * (weight ? weight[c] : 1) + (bias ? bias[c] : 0);
  });
}

describe.each(BACKENDS)('tm.nn.batchNorm on %s', (backend) => {
  const tol = backend === 'webgpu' ? 1e-4 : 1e-5;

  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each([[5, 3], [4, 3, 7], [2, 3, 5, 3], [3, 2, 2, 3, 3]])('in training normalises x %j by its own statistics, moves the running estimates toward them, and differentiates x, weight and bias', async (...shape) => {
    const channels = shape[1];
    const [eps, momentum] = [1e-3, 0.3];
    const [x, weight, bias] = [asF32(uniform(size(shape), -3, 5)), asF32(uniform(channels, 0.5, 1.5)), asF32(uniform(channels, -1, 1))];
    const [startMean, startVar] = [asF32(uniform(channels, -1, 1)), asF32(uniform(channels, 0.5, 2))];
    const [runningMean, runningVar] = [tm.tensor(startMean), tm.tensor(startVar)];
    const [xt, wt, bt] = [tm.tensor(x, shape), tm.tensor(weight), tm.tensor(bias)];
    for (const t of [xt, wt, bt]) t.requiresGrad = true;
    const y = tm.nn.batchNorm(xt, runningMean, runningVar, wt, bt, { training: true, momentum, epsilon: eps });
    const reference = (v: Float64Array, w: ArrayLike<number>, b: ArrayLike<number>) => {
      const { mean, variance } = channelStats(v, shape);
      return normalisedRef(v, shape, mean, variance, eps, w, b);
    };
    expectClose(await y.data(), reference(x, weight, bias), tol, 'y');

    const { mean, variance, count } = channelStats(x, shape);
    expectClose(await runningMean.data(), startMean.map((m, c) => (1 - momentum) * m + momentum * mean[c]), tol, 'running mean');
    expectClose(await runningVar.data(), startVar.map((v, c) => (1 - momentum) * v + momentum * variance[c] * (count / (count - 1))), tol, 'running variance');
    expect([runningMean.requiresGrad, runningVar.requiresGrad]).toEqual([false, false]);

    const r = asF32(uniform(size(shape), -1, 1));
    y.mul(tm.tensor(r, shape)).sum().backward();
    const dot = (v: Float64Array) => v.reduce((sum, value, i) => sum + value * r[i], 0);
    expectClose(await xt.grad!.data(), centralDifferences(x, () => dot(reference(x, weight, bias))), tol, 'dx');
    expectClose(await wt.grad!.data(), centralDifferences(weight, () => dot(reference(x, weight, bias))), tol, 'dweight');
    expectClose(await bt.grad!.data(), centralDifferences(bias, () => dot(reference(x, weight, bias))), tol, 'dbias');
  });

  it('outside training normalises by the running estimates, leaving them as they are; the gradient of x is the scale alone', async () => {
    const shape = [3, 4, 5];
    const x = asF32(uniform(size(shape), -2, 2));
    const [mean, variance, weight] = [asF32(uniform(4, -1, 1)), asF32(uniform(4, 0.5, 2)), asF32(uniform(4, 0.5, 1.5))];
    const [runningMean, runningVar] = [tm.tensor(mean), tm.tensor(variance)];
    const xt = tm.tensor(x, shape);
    xt.requiresGrad = true;
    const y = tm.nn.batchNorm(xt, runningMean, runningVar, tm.tensor(weight));
    expectClose(await y.data(), normalisedRef(x, shape, mean, variance, 1e-5, weight), tol);
    expect(await runningMean.data()).toEqual(Float32Array.from(mean));
    expect(await runningVar.data()).toEqual(Float32Array.from(variance));
    y.sum().backward();
    expectClose(await xt.grad!.data(), x.map((_, i) => weight[Math.floor(i / 5) % 4] / Math.sqrt(variance[Math.floor(i / 5) % 4] + 1e-5)), tol, 'dx');
  });

  it('is what the BatchNorm layers compute, in training and in eval mode', async () => {
    const shape = [4, 3, 2, 5];
    const layer = new tm.nn.BatchNorm2d(3, { momentum: 0.2 });
    const [runningMean, runningVar] = [tm.zeros([3]), tm.ones([3])];
    for (const training of [true, true, false]) {
      layer.train(training);
      const x = tm.tensor(uniform(size(shape), -2, 4), shape);
      const want = tm.nn.batchNorm(x, runningMean, runningVar, layer.weight, layer.bias, { training, momentum: 0.2 });
      expect(await layer.forward(x).data()).toEqual(await want.data());
    }
    expect(await layer.runningMean!.data()).toEqual(await runningMean.data());
    expect(await layer.runningVar!.data()).toEqual(await runningVar.data());
  });

  it('normalises f16 x in f16, with parameters of either float dtype; without running estimates in training, by the batch alone', async () => {
    const shape = [6, 2, 3];
    const x = asF32(uniform(size(shape), -2, 2));
    const y = tm.nn.batchNorm(tm.tensor(x, shape, { dtype: 'f16' }), null, null, tm.ones([2]), tm.zeros([2], { dtype: 'f16' }), { training: true });
    expect(y.dtype).toBe('f16');
    const { mean, variance } = channelStats(x, shape);
    expectClose(await y.data(), normalisedRef(x, shape, mean, variance, 1e-5), 2e-2);
  });
});

describe('tm.nn.batchNorm', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('refuses what it cannot normalise, naming the problem, and leaves the running estimates as they were', async () => {
    const x = tm.zeros([4, 3, 2]);
    const [mean, variance] = [tm.zeros([3]), tm.ones([3])];
    expect(() => tm.nn.batchNorm(x, null, null)).toThrow(
      new tm.ValueError("batchNorm: outside training (training: false, the default) x is normalised by runningMean and runningVar, and neither was given; pass training: true to normalise by x's own statistics"),
    );
    expect(() => tm.nn.batchNorm(x, mean, null, null, null, { training: true })).toThrow(new tm.ValueError('batchNorm: runningMean and runningVar are given together or not at all, got runningMean alone'));
    expect(() => tm.nn.batchNorm(x, tm.zeros([4]), variance)).toThrow(new tm.ShapeError('batchNorm: runningMean [4] is not [3], one per channel of x [4,3,2]'));
    expect(() => tm.nn.batchNorm(x, mean, variance, tm.ones([3, 1]))).toThrow(new tm.ShapeError('batchNorm: weight [3,1] is not [3], one per channel of x [4,3,2]'));
    expect(() => tm.nn.batchNorm(x, mean, variance, null, tm.zeros([3], { dtype: 'i32' }))).toThrow(new tm.DTypeError('batchNorm: bias must be f32 or f16, got i32'));
    expect(() => tm.nn.batchNorm(tm.zeros([4, 3], { dtype: 'i32' }), mean, variance)).toThrow(new tm.DTypeError('batchNorm: x must be f32 or f16, got i32'));
    expect(() => tm.nn.batchNorm(tm.zeros([3]), mean, variance)).toThrow(new tm.ShapeError('batchNorm: x [3] is not [batch, channels, ...] (it needs at least 2 axes)'));
    expect(() => tm.nn.batchNorm(tm.zeros([1, 3]), mean, variance, null, null, { training: true })).toThrow(
      new tm.ShapeError('batchNorm: training needs more than one value per channel to take a variance of, x [1,3] has 1'),
    );
    expect(() => tm.nn.batchNorm(x, mean, variance, null, null, { momentum: 2 })).toThrow(new tm.ValueError('batchNorm: momentum must be a number in [0, 1], got 2'));
    expect(() => tm.nn.batchNorm(x, mean, variance, null, null, { epsilon: 0 })).toThrow(new tm.ValueError('batchNorm: epsilon must be a finite number > 0, got 0'));
    expect(() => tm.nn.batchNorm(x, mean, variance, null, null, { eps: 1e-3 } as tm.nn.BatchNormFunctionOptions)).toThrow(/unknown option "eps" \(did you mean epsilon\?\)/);
    expect(await mean.data()).toEqual(new Float32Array(3));
    expect(await variance.data()).toEqual(new Float32Array(3).fill(1));
  });
});
