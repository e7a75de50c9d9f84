// InstanceNorm1d, InstanceNorm2d and InstanceNorm3d against PyTorch's definition computed
// here in float64, on fresh random data: each sample's channel normalised over
// its own positions (the group norm of one channel a group), the weight and
// bias with affine, the gradients against central differences; and the
// running estimates trackRunningStats keeps, step by step.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, uniform } from '../helpers/data.js';
import { centralDifferences, f64, groupNormRef, groupStatsRef, size } from '../helpers/float64.js';

type Kind = 'InstanceNorm1d' | 'InstanceNorm2d' | 'InstanceNorm3d';
const make = (kind: Kind, features: number, options?: tm.nn.InstanceNormOptions) => new tm.nn[kind](features, options);

describe.each(BACKENDS)('InstanceNorm1d, InstanceNorm2d and InstanceNorm3d on %s', (backend) => {
  const tol = backend === 'webgpu' ? 1e-4 : 1e-5;

  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each([
    { kind: 'InstanceNorm1d' as const, shape: [1, 3, 7] },
    { kind: 'InstanceNorm1d' as const, shape: [3, 5, 9] },
    { kind: 'InstanceNorm2d' as const, shape: [1, 3, 7, 5] },
    { kind: 'InstanceNorm2d' as const, shape: [3, 2, 4, 5] },
    { kind: 'InstanceNorm3d' as const, shape: [2, 3, 3, 1, 5] },
    { kind: 'InstanceNorm3d' as const, shape: [1, 1, 5, 3, 3] },
  ])('$kind of $shape with affine: each sample\'s channel over its own positions, as PyTorch\'s; the gradients of x, weight and bias', async ({ kind, shape }) => {
    const channels = shape[1];
    const eps = 1e-3;
    const layer = make(kind, channels, { affine: true, epsilon: eps });
    const [x, weight, bias] = [asF32(uniform(size(shape), -3, 5)), asF32(uniform(channels, 0.5, 1.5)), asF32(uniform(channels, -1, 1))];
    layer.weight!.assign(tm.tensor(weight));
    layer.bias!.assign(tm.tensor(bias));
    const xt = tm.tensor(x, shape);
    xt.requiresGrad = true;
    const y = layer.forward(xt);
    const reference = () => groupNormRef(f64(shape, x), channels, eps, f64([channels], weight), f64([channels], bias));
    expectClose(await y.data(), reference().v, tol, 'y');

    const r = asF32(uniform(size(shape), -1, 1));
    y.mul(tm.tensor(r, shape)).sum().backward();
    const loss = () => reference().v.reduce((sum, v, i) => sum + v * r[i], 0);
    expectClose(await xt.grad!.data(), centralDifferences(x, loss), tol, 'dx');
    expectClose(await layer.weight!.grad!.data(), centralDifferences(weight, loss), tol, 'dweight');
    expectClose(await layer.bias!.grad!.data(), centralDifferences(bias, loss), tol, 'dbias');
    layer.dispose();
  });

  it.each([
    { kind: 'InstanceNorm1d' as const, shape: [3, 4, 5] },
    { kind: 'InstanceNorm2d' as const, shape: [2, 3, 5, 3] },
    { kind: 'InstanceNorm3d' as const, shape: [2, 3, 3, 2, 3] },
  ])('$kind with trackRunningStats: each training step moves the estimates toward the batch\'s mean of the samples\' statistics (variances unbiased); eval mode normalises with them', async ({ kind, shape }) => {
    const [n, channels] = shape;
    const momentum = 0.25;
    const layer = make(kind, channels, { trackRunningStats: true, momentum });
    const mean = new Float64Array(channels);
    const variance = new Float64Array(channels).fill(1);
    for (let step = 0; step < 2; step++) {
      const x = asF32(uniform(size(shape), -2, 6));
      expectClose(await layer.forward(tm.tensor(x, shape)).data(), groupNormRef(f64(shape, x), channels, 1e-5).v, tol, `step ${step}`);
      const stats = groupStatsRef(f64(shape, x), channels);
      for (let c = 0; c < channels; c++) {
        let [m, v] = [0, 0];
        for (let b = 0; b < n; b++) [m, v] = [m + stats.mean.v[b * channels + c] / n, v + (stats.variance.v[b * channels + c] * stats.count) / (stats.count - 1) / n];
        [mean[c], variance[c]] = [(1 - momentum) * mean[c] + momentum * m, (1 - momentum) * variance[c] + momentum * v];
      }
      expectClose(await layer.runningMean!.data(), mean, tol, `running mean after step ${step}`);
      expectClose(await layer.runningVar!.data(), variance, tol, `running variance after step ${step}`);
    }
    layer.eval();
    const x = asF32(uniform(size(shape), -2, 2));
    const positions = size(shape.slice(2));
    const want = x.map((v, i) => {
      const c = Math.floor(i / positions) % channels;
      return (v - mean[c]) / Math.sqrt(variance[c] + 1e-5);
    });
    expectClose(await layer.forward(tm.tensor(x, shape)).data(), want, tol, 'eval');
    expect([layer.runningMean!.requiresGrad, layer.runningVar!.requiresGrad]).toEqual([false, false]);
  });

  it("PyTorch's defaults: no weight or bias and no estimates, so eval mode normalises each sample by its own statistics too; f16 computes in f16", async () => {
    const shape = [2, 3, 4, 5];
    const x = asF32(uniform(size(shape), -2, 2));
    const layer = new tm.nn.InstanceNorm2d(3);
    expect([layer.weight, layer.bias, layer.runningMean, layer.runningVar, layer.affine, layer.trackRunningStats]).toEqual([null, null, null, null, false, false]);
    expect(Object.keys(layer.namedState())).toEqual([]);
    const want = groupNormRef(f64(shape, x), 3, 1e-5).v;
    expectClose(await layer.forward(tm.tensor(x, shape)).data(), want, tol, 'train');
    expectClose(await layer.eval().forward(tm.tensor(x, shape)).data(), want, tol, 'eval');
    const half = layer.forward(tm.tensor(x, shape, { dtype: 'f16' }));
    expect(half.dtype).toBe('f16');
    expectClose(await half.data(), want, 2e-2, 'f16');
  });
});

describe('InstanceNorm', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('describes itself with every setting, its flags included', () => {
    expect(new tm.nn.InstanceNorm1d(4).config()).toEqual({ type: 'InstanceNorm1d', features: 4, epsilon: 1e-5, momentum: 0.1, affine: false, trackRunningStats: false });
    const tracked = new tm.nn.InstanceNorm2d(3, { affine: true, trackRunningStats: true, momentum: 0.5, epsilon: 1e-3 });
    expect(tracked.config()).toEqual({ type: 'InstanceNorm2d', features: 3, epsilon: 1e-3, momentum: 0.5, affine: true, trackRunningStats: true });
    expect(Object.keys(tracked.namedParameters())).toEqual(['weight', 'bias']);
    expect(Object.keys(tracked.namedBuffers())).toEqual(['runningMean', 'runningVar']);
  });

  it('refuses an input of another shape, one value per channel where its own statistics are needed, and bad settings, naming them', async () => {
    expect(() => new tm.nn.InstanceNorm1d(3).forward(tm.zeros([2, 4, 5]))).toThrow(new tm.ShapeError('InstanceNorm1d: x [2,4,5] is not [batch, 3, length]'));
    expect(() => new tm.nn.InstanceNorm1d(3).forward(tm.zeros([2, 3]))).toThrow(new tm.ShapeError('InstanceNorm1d: x [2,3] is not [batch, 3, length]'));
    expect(() => new tm.nn.InstanceNorm2d(3).forward(tm.zeros([2, 3, 5]))).toThrow(new tm.ShapeError('InstanceNorm2d: x [2,3,5] is not [batch, 3, height, width]'));
    expect(() => new tm.nn.InstanceNorm3d(3).forward(tm.zeros([2, 3, 5, 5]))).toThrow(new tm.ShapeError('InstanceNorm3d: x [2,3,5,5] is not [batch, 3, depth, height, width]'));
    const single = 'needs more than one value per channel to take a variance of, x [2,3,1,1] has 1';
    expect(() => new tm.nn.InstanceNorm2d(3).forward(tm.zeros([2, 3, 1, 1]))).toThrow(`InstanceNorm2d: normalising each sample by its own statistics ${single}`);
    expect(() => new tm.nn.InstanceNorm2d(3).eval().forward(tm.zeros([2, 3, 1, 1]))).toThrow(single);
    // With estimates, eval mode normalises by them: one value is enough.
    const tracked = new tm.nn.InstanceNorm2d(3, { trackRunningStats: true }).eval();
    expectClose(await tracked.forward(tm.fill([2, 3, 1, 1], 2)).data(), Array(6).fill(2 / Math.sqrt(1 + 1e-5)), 1e-6);
    expect(() => new tm.nn.InstanceNorm1d(0)).toThrow(new tm.ValueError('InstanceNorm1d: features must be a positive integer, got 0'));
    expect(() => new tm.nn.InstanceNorm2d(2, { momentum: 1.5 })).toThrow(new tm.ValueError('InstanceNorm2d: momentum must be a number in [0, 1], got 1.5'));
    expect(() => new tm.nn.InstanceNorm2d(2, { epsilon: -1 })).toThrow(new tm.ValueError('InstanceNorm2d: epsilon must be a finite number > 0, got -1'));
    expect(() => new tm.nn.InstanceNorm2d(2, { trackRunningStats: 1 as unknown as boolean })).toThrow(new tm.ValueError('InstanceNorm2d: trackRunningStats must be true or false, got 1'));
  });

  it('with trackRunningStats, fit moves the estimates and never trains them; predict uses them', async () => {
    const model = new tm.nn.Sequential([new tm.nn.Conv1d(2, 3, 3, { seed: 1 }), new tm.nn.InstanceNorm1d(3, { affine: true, trackRunningStats: true }), new tm.nn.Flatten(), new tm.nn.Dense(15, 1, { seed: 2 })]);
    expect(model.parameters()).toHaveLength(6);
    const x = tm.randn([8, 2, 7], { seed: 3 });
    await model.fit(x, tm.randn([8, 1], { seed: 4 }), { epochs: 2, batchSize: 4, quiet: true, seed: 1 });
    const norm = model.layers[1] as tm.nn.InstanceNorm1d;
    expect([norm.runningVar!.requiresGrad, norm.runningVar!.grad]).toEqual([false, null]);
    expect(Array.from(await norm.runningMean!.data()).every((m) => m !== 0)).toBe(true);
    // Eval mode: the estimates, not the sample's own statistics (which would make every sample's channel mean 0).
    const h = model.layers[0].forward(x.slice([0], [1]));
    const out = await norm.eval().forward(h).mean(2).data();
    const rm = await norm.runningMean!.data();
    const rv = await norm.runningVar!.data();
    const hm = await h.mean(2).data();
    const [w, b] = [await norm.weight!.data(), await norm.bias!.data()];
    expectClose(out, Array.from(hm, (m, c) => ((m - rm[c]) / Math.sqrt(rv[c] + 1e-5)) * w[c] + b[c]), 1e-5);
  });
});

describe.each(BACKENDS)('tm.nn.instanceNorm on %s', (backend) => {
  const tol = backend === 'webgpu' ? 1e-4 : 1e-5;

  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each([[2, 3, 7], [1, 4, 3, 5], [3, 2, 2, 3, 3]])('normalises each sample\'s channel of x %j over its positions, as PyTorch\'s F.instance_norm; the gradients of x, weight and bias', async (...shape) => {
    const channels = shape[1];
    const [x, weight, bias] = [asF32(uniform(size(shape), -3, 5)), asF32(uniform(channels, 0.5, 1.5)), asF32(uniform(channels, -1, 1))];
    const [xt, wt, bt] = [tm.tensor(x, shape), tm.tensor(weight), tm.tensor(bias)];
    for (const t of [xt, wt, bt]) t.requiresGrad = true;
    const y = tm.nn.instanceNorm(xt, null, null, wt, bt, { epsilon: 1e-3 });
    const reference = () => groupNormRef(f64(shape, x), channels, 1e-3, f64([channels], weight), f64([channels], bias));
    expectClose(await y.data(), reference().v, tol, 'y');
    const r = asF32(uniform(size(shape), -1, 1));
    y.mul(tm.tensor(r, shape)).sum().backward();
    const loss = () => reference().v.reduce((sum, v, i) => sum + v * r[i], 0);
    expectClose(await xt.grad!.data(), centralDifferences(x, loss), tol, 'dx');
    expectClose(await wt.grad!.data(), centralDifferences(weight, loss), tol, 'dweight');
    expectClose(await bt.grad!.data(), centralDifferences(bias, loss), tol, 'dbias');
  });

  it('moves running estimates toward the batch\'s mean of the samples\' statistics (variances unbiased), and with useInputStats: false normalises by them', async () => {
    const shape = [3, 2, 5];
    const momentum = 0.4;
    const x = asF32(uniform(size(shape), -2, 6));
    const [runningMean, runningVar] = [tm.zeros([2]), tm.ones([2])];
    expectClose(await tm.nn.instanceNorm(tm.tensor(x, shape), runningMean, runningVar, null, null, { momentum }).data(), groupNormRef(f64(shape, x), 2, 1e-5).v, tol);
    const stats = groupStatsRef(f64(shape, x), 2);
    const observed = (c: number, of: Float64Array, scale: number) => [0, 1, 2].reduce((sum, b) => sum + (of[b * 2 + c] * scale) / 3, 0);
    const mean = [0, 1].map((c) => momentum * observed(c, stats.mean.v, 1));
    const variance = [0, 1].map((c) => 1 - momentum + momentum * observed(c, stats.variance.v, stats.count / (stats.count - 1)));
    expectClose(await runningMean.data(), mean, tol, 'running mean');
    expectClose(await runningVar.data(), variance, tol, 'running variance');

    const z = asF32(uniform(size(shape), -2, 2));
    const y = tm.nn.instanceNorm(tm.tensor(z, shape), runningMean, runningVar, null, null, { useInputStats: false });
    expectClose(await y.data(), z.map((v, i) => (v - mean[Math.floor(i / 5) % 2]) / Math.sqrt(variance[Math.floor(i / 5) % 2] + 1e-5)), tol, 'by the estimates');
    expectClose(await runningMean.data(), mean, tol, 'running mean unmoved');
  });
});

describe('tm.nn.instanceNorm', () => {
  it('refuses what it cannot normalise, naming the problem', () => {
    const x = tm.zeros([2, 3, 4]);
    expect(() => tm.nn.instanceNorm(x, null, null, null, null, { useInputStats: false })).toThrow(
      new tm.ValueError('instanceNorm: with useInputStats: false x is normalised by runningMean and runningVar, and neither was given'),
    );
    expect(() => tm.nn.instanceNorm(tm.zeros([2, 3]))).toThrow(new tm.ShapeError('instanceNorm: x [2,3] is not [batch, channels, positions...] (it needs at least 3 axes)'));
    expect(() => tm.nn.instanceNorm(tm.zeros([2, 3, 1]))).toThrow(
      new tm.ShapeError('instanceNorm: normalising each sample by its own statistics needs more than one value per channel to take a variance of, x [2,3,1] has 1'),
    );
    expect(() => tm.nn.instanceNorm(x, null, tm.ones([3]))).toThrow(new tm.ValueError('instanceNorm: runningMean and runningVar are given together or not at all, got runningVar alone'));
    expect(() => tm.nn.instanceNorm(x, null, null, tm.ones([2]))).toThrow(new tm.ShapeError('instanceNorm: weight [2] is not [3], one per channel of x [2,3,4]'));
  });
});
