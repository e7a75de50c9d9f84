// GroupNorm against PyTorch's definition computed here in float64 (each
// sample's groups of consecutive channels normalised over the group's
// channels and positions, then a weight and bias per channel), on fresh random
// data: the forward pass, and the gradients of x, weight and bias against
// central differences.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, uniform } from '../helpers/data.js';
import { centralDifferences, f64, groupNormRef, size } from '../helpers/float64.js';

/** Whether every (sample, group) of x's values has a standard deviation of at least `least`. */
function groupsSpread(x: Float64Array, shape: number[], groups: number, least: number): boolean {
  const perGroup = size(shape.slice(1)) / groups;
  for (let start = 0; start < x.length; start += perGroup) {
    const values = x.subarray(start, start + perGroup);
    const mean = values.reduce((a, v) => a + v, 0) / perGroup;
    if (Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / perGroup) < least) return false;
  }
  return true;
}

describe.each(BACKENDS)('GroupNorm on %s', (backend) => {
  const tol = backend === 'webgpu' ? 1e-4 : 1e-5;

  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each([
    { shape: [1, 6, 7, 5], groups: 3 },
    { shape: [3, 6, 7, 5], groups: 3 },
    { shape: [3, 6, 7, 5], groups: 6 }, // a channel a group: InstanceNorm's normalisation
    { shape: [2, 6, 7], groups: 1 }, // one group: all of a sample
    { shape: [5, 4], groups: 2 }, // channels alone, no positions after them
    { shape: [2, 4, 3, 2, 3], groups: 2 }, // volumes
  ])('normalises each sample\'s groups of $shape in $groups groups, as PyTorch\'s: the output and the gradients of x, weight and bias', async ({ shape, groups }) => {
    const channels = shape[1];
    const eps = 1e-3;
    const layer = new tm.nn.GroupNorm(groups, channels, { epsilon: eps });
    // A group of two nearly equal values normalises to ±1 whatever their gap: its gradient (~1/gap) is
    // ill-conditioned, in f32 and for the central differences alike. Fresh values until every group is spread.
    let x: Float64Array;
    do x = asF32(uniform(size(shape), -3, 5));
    while (!groupsSpread(x, shape, groups, 0.5));
    const [weight, bias] = [asF32(uniform(channels, 0.5, 1.5)), asF32(uniform(channels, -1, 1))];
    layer.weight!.assign(tm.tensor(weight));
    layer.bias!.assign(tm.tensor(bias));
    const xt = tm.tensor(x, shape);
    xt.requiresGrad = true;
    const y = layer.forward(xt);
    const reference = () => groupNormRef(f64(shape, x), groups, eps, f64([channels], weight), f64([channels], bias));
    expectClose(await y.data(), reference().v, tol, 'y');

    // The gradients of Σ r·y for fixed random r: every output's path exercised.
    const r = asF32(uniform(size(shape), -1, 1));
    y.mul(tm.tensor(r, shape)).sum().backward();
    const loss = () => reference().v.reduce((sum, v, i) => sum + v * r[i], 0);
    expectClose(await xt.grad!.data(), centralDifferences(x, loss), tol, 'dx');
    expectClose(await layer.weight!.grad!.data(), centralDifferences(weight, loss), tol, 'dweight');
    expectClose(await layer.bias!.grad!.data(), centralDifferences(bias, loss), tol, 'dbias');
    layer.dispose();
  });

  it('keeps no statistics: eval mode computes what training does, for a batch of one sample too; f16 computes in f16', async () => {
    const shape = [1, 4, 3, 5];
    const x = asF32(uniform(size(shape), -2, 2));
    const layer = new tm.nn.GroupNorm(2, 4);
    const trained = await layer.forward(tm.tensor(x, shape)).data();
    expectClose(trained, groupNormRef(f64(shape, x), 2, 1e-5).v, tol);
    expect(await layer.eval().forward(tm.tensor(x, shape)).data()).toEqual(trained);
    const half = layer.forward(tm.tensor(x, shape, { dtype: 'f16' }));
    expect(half.dtype).toBe('f16');
    expectClose(await half.data(), trained, 2e-2);
  });
});

describe('GroupNorm', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('has a weight of ones and a bias of zeros per channel, trained; affine: false normalises only', () => {
    const layer = new tm.nn.GroupNorm(2, 6);
    expect(Object.keys(layer.namedParameters())).toEqual(['weight', 'bias']);
    expect([layer.weight!.shape, layer.weight!.requiresGrad, layer.affine, layer.epsilon]).toEqual([[6], true, true, 1e-5]);
    expect(layer.config()).toEqual({ type: 'GroupNorm', numGroups: 2, numChannels: 6, epsilon: 1e-5, affine: true });
    const plain = new tm.nn.GroupNorm(3, 6, { affine: false, epsilon: 1e-3 });
    expect([plain.weight, plain.bias, plain.affine]).toEqual([null, null, false]);
    expect(Object.keys(plain.namedState())).toEqual([]);
    expect(plain.config()).toEqual({ type: 'GroupNorm', numGroups: 3, numChannels: 6, epsilon: 1e-3, affine: false });
  });

  it('refuses channels that do not split into the groups, bad sizes and settings, and an input of another channel count, naming them', () => {
    expect(() => new tm.nn.GroupNorm(4, 6)).toThrow(new tm.ValueError('GroupNorm: numChannels 6 does not split into numGroups 4 equal groups (it must be a multiple of numGroups)'));
    expect(() => new tm.nn.GroupNorm(0, 6)).toThrow(new tm.ValueError('GroupNorm: numGroups must be a positive integer, got 0'));
    expect(() => new tm.nn.GroupNorm(2, 6.5)).toThrow(new tm.ValueError('GroupNorm: numChannels must be a positive integer, got 6.5'));
    expect(() => new tm.nn.GroupNorm(2, 6, { epsilon: 0 })).toThrow(new tm.ValueError('GroupNorm: epsilon must be a finite number > 0, got 0'));
    expect(() => new tm.nn.GroupNorm(2, 6, { affine: 'no' as unknown as boolean })).toThrow(new tm.ValueError('GroupNorm: affine must be true or false, got "no"'));
    const layer = new tm.nn.GroupNorm(3, 6);
    expect(() => layer.forward(tm.zeros([2, 5, 3]))).toThrow(new tm.ShapeError("GroupNorm: x [2,5,3] is not [batch, 6, ...] (the layer's 6 channels in 3 groups)"));
    expect(() => layer.forward(tm.zeros([6]))).toThrow(new tm.ShapeError("GroupNorm: x [6] is not [batch, 6, ...] (the layer's 6 channels in 3 groups)"));
  });

  it('trains in a model with batches of one sample, which BatchNorm cannot', async () => {
    const model = new tm.nn.Sequential([new tm.nn.Conv1d(2, 4, 3, { seed: 1 }), new tm.nn.GroupNorm(2, 4), new tm.nn.ReLU(), new tm.nn.Flatten(), new tm.nn.Dense(20, 1, { seed: 2 })]);
    const x = tm.randn([6, 2, 7], { seed: 3 });
    const y = tm.randn([6, 1], { seed: 4 });
    const norm = model.layers[1] as tm.nn.GroupNorm;
    const before = await norm.weight!.data();
    const history = await model.fit(x, y, { epochs: 2, batchSize: 1, quiet: true, seed: 1 });
    expect(history.epochs).toHaveLength(2);
    expect(await norm.weight!.data()).not.toEqual(before);
  });
});

describe.each(BACKENDS)('tm.nn.groupNorm on %s', (backend) => {
  const tol = backend === 'webgpu' ? 1e-4 : 1e-5;

  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each([
    { shape: [3, 6, 7], groups: 2 },
    { shape: [1, 9, 2, 3], groups: 3 },
    { shape: [5, 4], groups: 2 },
  ])('normalises x $shape in $groups groups as PyTorch\'s F.group_norm, with and without weight and bias; the gradients', async ({ shape, groups }) => {
    const channels = shape[1];
    let x: Float64Array;
    do x = asF32(uniform(size(shape), -3, 5));
    while (!groupsSpread(x, shape, groups, 0.5));
    const [weight, bias] = [asF32(uniform(channels, 0.5, 1.5)), asF32(uniform(channels, -1, 1))];
    expectClose(await tm.nn.groupNorm(tm.tensor(x, shape), groups).data(), groupNormRef(f64(shape, x), groups, 1e-5).v, tol, 'plain');
    const [xt, wt, bt] = [tm.tensor(x, shape), tm.tensor(weight), tm.tensor(bias)];
    for (const t of [xt, wt, bt]) t.requiresGrad = true;
    const y = tm.nn.groupNorm(xt, groups, wt, bt, 1e-3);
    const reference = () => groupNormRef(f64(shape, x), groups, 1e-3, f64([channels], weight), f64([channels], bias));
    expectClose(await y.data(), reference().v, tol, 'y');
    const r = asF32(uniform(size(shape), -1, 1));
    y.mul(tm.tensor(r, shape)).sum().backward();
    const loss = () => reference().v.reduce((sum, v, i) => sum + v * r[i], 0);
    expectClose(await xt.grad!.data(), centralDifferences(x, loss), tol, 'dx');
    expectClose(await wt.grad!.data(), centralDifferences(weight, loss), tol, 'dweight');
    expectClose(await bt.grad!.data(), centralDifferences(bias, loss), tol, 'dbias');
  });
});

describe('tm.nn.groupNorm', () => {
  it('refuses channels that do not split into the groups, and parameters of another size, naming them', () => {
    expect(() => tm.nn.groupNorm(tm.zeros([2, 6, 3]), 4)).toThrow(new tm.ShapeError('groupNorm: x [2,6,3] is not [batch, channels, ...] with channels a multiple of numGroups 4'));
    expect(() => tm.nn.groupNorm(tm.zeros([6]), 3)).toThrow(new tm.ShapeError('groupNorm: x [6] is not [batch, channels, ...] with channels a multiple of numGroups 3'));
    expect(() => tm.nn.groupNorm(tm.zeros([2, 6]), 0)).toThrow(new tm.ValueError('groupNorm: numGroups must be a positive integer, got 0'));
    expect(() => tm.nn.groupNorm(tm.zeros([2, 6]), 3, tm.ones([3]))).toThrow(new tm.ShapeError('groupNorm: weight [3] is not [6], one per channel of x [2,6]'));
    expect(() => tm.nn.groupNorm(tm.zeros([2, 6]), 3, null, null, -1)).toThrow(new tm.ValueError('groupNorm: epsilon must be a finite number > 0, got -1'));
    expect(() => tm.nn.groupNorm(tm.zeros([2, 6], { dtype: 'i32' }), 3)).toThrow(new tm.DTypeError('groupNorm: x must be f32 or f16, got i32'));
  });
});
