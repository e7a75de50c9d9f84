// tm.nn.utils.fuseConvBnEval and fuseLinearBnEval (torch.nn.utils.fusion): a
// Conv1d/2d/3d or Dense and the BatchNorm after it folded into one layer,
// whose weight and bias are checked against the fold computed in float64
// here (each output channel's filter times γ/√(σ² + ε), the bias mapped by
// the BatchNorm) and whose eval output is the pair's, at odd shapes, with
// groups, padding modes, no bias, no affine, on every backend; errors name
// both layers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { asF32, expectClose, uniform } from '../../helpers/data.js';
import { collected } from '../../helpers/gc.js';

type BatchNorm = tm.nn.BatchNorm1d | tm.nn.BatchNorm2d | tm.nn.BatchNorm3d;

/** Moves a fresh BatchNorm's running estimates (and affine parameters) off their initial values. */
function trained(bn: BatchNorm): BatchNorm {
  const c = bn.features;
  bn.runningMean!.assign(tm.tensor(asF32(uniform(c)), [c]));
  bn.runningVar!.assign(tm.tensor(asF32(uniform(c, 0.3, 2)), [c]));
  bn.weight?.assign(tm.tensor(asF32(uniform(c)), [c]));
  bn.bias?.assign(tm.tensor(asF32(uniform(c)), [c]));
  return bn;
}

/** The fold in float64: weight [channels along `axis`, ...] scaled per channel, bias (or 0) mapped by the BatchNorm. */
async function foldRef(weight: tm.Tensor, bias: tm.Tensor | null, bn: BatchNorm, axis: number): Promise<{ weight: Float64Array; bias: Float64Array }> {
  const c = bn.features;
  const [mean, variance] = [await bn.runningMean!.data(), await bn.runningVar!.data()];
  const gamma = bn.weight ? await bn.weight.data() : new Float32Array(c).fill(1);
  const beta = bn.bias ? await bn.bias.data() : new Float32Array(c);
  const scale = Float64Array.from({ length: c }, (_, k) => gamma[k] / Math.sqrt(variance[k] + bn.epsilon));
  const w = await weight.data();
  const after = weight.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const b = bias ? await bias.data() : new Float32Array(c);
  return {
    weight: Float64Array.from(w, (v, i) => v * scale[Math.floor(i / after) % c]),
    bias: Float64Array.from({ length: c }, (_, k) => (b[k] - mean[k]) * scale[k] + beta[k]),
  };
}

const CONVS: { what: string; conv: () => tm.nn.Conv1d | tm.nn.Conv2d | tm.nn.Conv3d; bn: () => BatchNorm; x: number[] }[] = [
  { what: 'Conv1d, groups 3, bias', conv: () => new tm.nn.Conv1d(3, 6, 3, { padding: 1, groups: 3, seed: 1 }), bn: () => new tm.nn.BatchNorm1d(6), x: [2, 3, 7] },
  {
    what: 'Conv2d [3, 2], stride, groups 2, reflect, no bias, no affine',
    conv: () => new tm.nn.Conv2d(4, 6, [3, 2], { stride: [2, 1], padding: 1, groups: 2, bias: false, paddingMode: 'reflect', seed: 2 }),
    bn: () => new tm.nn.BatchNorm2d(6, { affine: false, epsilon: 1e-3 }), x: [3, 4, 7, 5],
  },
  { what: 'Conv2d 1×1 of one channel', conv: () => new tm.nn.Conv2d(1, 1, 1, { seed: 3 }), bn: () => new tm.nn.BatchNorm2d(1), x: [1, 1, 1, 1] },
  { what: "Conv3d, 'same', dilation 2", conv: () => new tm.nn.Conv3d(2, 5, 3, { padding: 'same', dilation: [1, 2, 1], seed: 4 }), bn: () => new tm.nn.BatchNorm3d(5), x: [1, 2, 5, 7, 3] },
  { what: 'Conv1d of 13 filters, dilation, no bias', conv: () => new tm.nn.Conv1d(7, 13, 5, { dilation: 2, bias: false, seed: 5 }), bn: () => new tm.nn.BatchNorm1d(13), x: [2, 7, 13] },
];

const DENSES: { what: string; dense: () => tm.nn.Dense; x: number[] }[] = [
  { what: 'Dense 7 → 13', dense: () => new tm.nn.Dense(7, 13, { seed: 1 }), x: [5, 7] },
  { what: 'Dense 13 → 1, no bias', dense: () => new tm.nn.Dense(13, 1, { bias: false, seed: 2 }), x: [1, 13] },
];

describe.each(BACKENDS)('fusing a BatchNorm into the layer before it on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each(CONVS)('fuseConvBnEval, $what: the float64 fold, and the pair\'s eval output', async ({ conv: makeConv, bn: makeBn, x: shape }) => {
    const conv = makeConv();
    const bn = trained(makeBn());
    const before = await conv.weight.data();
    const fused = tm.nn.utils.fuseConvBnEval(conv, bn);
    expect(fused).toBeInstanceOf(conv.constructor);
    expect(fused.training).toBe(false);
    expect(fused.config()).toEqual({ ...conv.config(), bias: true });
    const want = await foldRef(conv.weight, conv.bias, bn, 0);
    expectClose(await fused.weight.data(), want.weight, 1e-5, 'weight');
    expectClose(await fused.bias!.data(), want.bias, 1e-5, 'bias');
    expect(await conv.weight.data(), 'the convolution unchanged').toEqual(before);
    const x = tm.tensor(asF32(uniform(shape.reduce((a, b) => a * b, 1))), shape);
    conv.eval();
    bn.eval();
    const pair = tm.noGrad(() => bn.forward(conv.forward(x)));
    expectClose(await fused.forward(x).data(), await pair.data(), 1e-5, 'output');
    for (const layer of [conv, bn, fused]) layer.dispose();
  });

  it.each(DENSES)('fuseLinearBnEval, $what: the float64 fold, and the pair\'s eval output', async ({ dense: make, x: shape }) => {
    const dense = make();
    const bn = trained(new tm.nn.BatchNorm1d(dense.units)) as tm.nn.BatchNorm1d;
    const fused = tm.nn.utils.fuseLinearBnEval(dense, bn);
    expect(fused.config()).toEqual({ ...dense.config(), bias: true });
    expect(fused.training).toBe(false);
    const want = await foldRef(dense.weight, dense.bias, bn, 1);
    expectClose(await fused.weight.data(), want.weight, 1e-5, 'weight');
    expectClose(await fused.bias!.data(), want.bias, 1e-5, 'bias');
    const x = tm.tensor(asF32(uniform(shape[0] * shape[1])), shape);
    bn.eval();
    expectClose(await fused.forward(x).data(), await tm.noGrad(() => bn.forward(dense.forward(x))).data(), 1e-5, 'output');
    for (const layer of [dense, bn, fused]) layer.dispose();
  });

  it('leaves no tensors behind but the new layer\'s, and draws nothing from setSeed\'s sequence', async () => {
    const [conv, bn] = [new tm.nn.Conv2d(2, 4, 3, { seed: 1 }), trained(new tm.nn.BatchNorm2d(4))];
    const before = await collected();
    tm.setSeed(11);
    const fused = tm.nn.utils.fuseConvBnEval(conv, bn);
    const next = tm.randn([3]);
    tm.setSeed(11);
    const expected = tm.randn([3]);
    expect(await next.data()).toEqual(await expected.data());
    next.dispose();
    expected.dispose();
    expect(tm.memory().numTensors).toBe(before + 2); // the fused weight and bias
    fused.dispose();
    expect(tm.memory().numTensors).toBe(before);
  });
});

describe('fusion: errors', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('refuses a BatchNorm of other channels, another dimension or without running estimates, and a Dense with an activation, naming both', () => {
    const { fuseConvBnEval, fuseLinearBnEval } = tm.nn.utils;
    expect(() => fuseConvBnEval(new tm.nn.Conv2d(3, 4, 3), new tm.nn.BatchNorm2d(5))).toThrow('fuseConvBnEval: the Conv2d has 4 output channels, the BatchNorm2d normalises 5');
    expect(() => fuseConvBnEval(new tm.nn.Conv1d(3, 4, 3), new tm.nn.BatchNorm2d(4))).toThrow("fuseConvBnEval: a Conv1d's output goes into a BatchNorm1d, not a BatchNorm2d");
    expect(() => fuseConvBnEval(new tm.nn.Conv3d(3, 4, 3), new tm.nn.BatchNorm3d(4, { trackRunningStats: false })))
      .toThrow('fuseConvBnEval: the BatchNorm3d has no running estimates (trackRunningStats: false)');
    expect(() => fuseLinearBnEval(new tm.nn.Dense(3, 4), new tm.nn.BatchNorm1d(3))).toThrow(tm.ShapeError);
    expect(() => fuseLinearBnEval(new tm.nn.Dense(3, 4, { activation: 'relu' }), new tm.nn.BatchNorm1d(4)))
      .toThrow('fuseLinearBnEval: the Dense applies "relu" before the BatchNorm');
    expect(() => fuseConvBnEval(new tm.nn.Dense(3, 4) as unknown as tm.nn.Conv1d, new tm.nn.BatchNorm1d(4))).toThrow('for a Dense, fuseLinearBnEval');
    expect(() => fuseLinearBnEval(new tm.nn.Conv1d(3, 4, 1) as unknown as tm.nn.Dense, new tm.nn.BatchNorm1d(4))).toThrow('for a convolution, fuseConvBnEval');
    expect(() => fuseConvBnEval(new tm.nn.Conv2d(3, 4, 3), new tm.nn.GroupNorm(2, 4) as unknown as tm.nn.BatchNorm2d)).toThrow('fuses a BatchNorm1d, BatchNorm2d or BatchNorm3d');
  });
});
