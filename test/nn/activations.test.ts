// The activation functions (tm.nn.silu, elu, …) and their layers on every
// backend against float64 formulas, at odd shapes and out to large |x|;
// their gradients at the kinks as PyTorch defines them, and finite (not NaN)
// where a branch where() leaves out would overflow. Gradients in general:
// test/autograd/gradients.test.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { TOL, asF16, asF32, expectClose, uniform } from '../helpers/data.js';
import { centralDifferences, f64, size, softmaxRef } from '../helpers/float64.js';

const SELU_ALPHA = 1.6732632423543772848170429916717;
const SELU_SCALE = 1.0507009873554804934193349852946;
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const eluRef = (x: number, alpha = 1) => (x > 0 ? x : alpha * Math.expm1(x));
const softplusRef = (x: number, beta = 1, threshold = 20) => (beta * x > threshold ? x : Math.log1p(Math.exp(beta * x)) / beta);
const clamp = (x: number, lo: number, hi: number) => Math.min(Math.max(x, lo), hi);

type Case = [name: string, fn: (x: tm.Tensor) => tm.Tensor, ref: (x: number) => number];
const CASES: Case[] = [
  ['silu', tm.nn.silu, (x) => x * sigmoid(x)],
  ['elu', (x) => tm.nn.elu(x), (x) => eluRef(x)],
  ['elu (alpha 0.5)', (x) => tm.nn.elu(x, 0.5), (x) => eluRef(x, 0.5)],
  ['selu', tm.nn.selu, (x) => SELU_SCALE * eluRef(x, SELU_ALPHA)],
  ['celu (alpha 2)', (x) => tm.nn.celu(x, 2), (x) => Math.max(0, x) + Math.min(0, 2 * Math.expm1(x / 2))],
  ['softplus', (x) => tm.nn.softplus(x), (x) => softplusRef(x)],
  ['softplus (beta 2, threshold 5)', (x) => tm.nn.softplus(x, { beta: 2, threshold: 5 }), (x) => softplusRef(x, 2, 5)],
  ['mish', tm.nn.mish, (x) => x * Math.tanh(softplusRef(x))],
  ['hardswish', tm.nn.hardswish, (x) => (x * clamp(x + 3, 0, 6)) / 6],
  ['hardsigmoid', tm.nn.hardsigmoid, (x) => clamp(x + 3, 0, 6) / 6],
  ['hardtanh', (x) => tm.nn.hardtanh(x), (x) => clamp(x, -1, 1)],
  ['hardtanh (−2, 3)', (x) => tm.nn.hardtanh(x, -2, 3), (x) => clamp(x, -2, 3)],
  ['relu6', tm.nn.relu6, (x) => clamp(x, 0, 6)],
  ['softsign', tm.nn.softsign, (x) => x / (1 + Math.abs(x))],
  // log σ(x) in float64 without overflow: x − log(1 + eˣ) below 0.
  ['logSigmoid', tm.nn.logSigmoid, (x) => (x < 0 ? x - Math.log1p(Math.exp(x)) : -Math.log1p(Math.exp(-x)))],
  ['hardshrink', (x) => tm.nn.hardshrink(x), (x) => (x >= -0.5 && x <= 0.5 ? 0 : x)],
  ['hardshrink (lambd 3)', (x) => tm.nn.hardshrink(x, 3), (x) => (x >= -3 && x <= 3 ? 0 : x)],
  // NaN compares false both ways: NaN, as PyTorch's.
  ['softshrink', (x) => tm.nn.softshrink(x), (x) => (x > 0.5 ? x - 0.5 : x < -0.5 ? x + 0.5 : x * 0)],
  ['softshrink (lambd 1.25)', (x) => tm.nn.softshrink(x, 1.25), (x) => (x > 1.25 ? x - 1.25 : x < -1.25 ? x + 1.25 : x * 0)],
  ['tanhshrink', tm.nn.tanhshrink, (x) => x - Math.tanh(x)],
  ['threshold (1, −7)', (x) => tm.nn.threshold(x, 1, -7), (x) => (x <= 1 ? -7 : x)],
  ['threshold (−3, 0.5)', (x) => tm.nn.threshold(x, -3, 0.5), (x) => (x <= -3 ? 0.5 : x)],
];

const SHAPES: number[][] = [[7], [13, 31], [3, 1, 7], [0, 5]];
/** Large magnitudes both ways, where a naive log(1 + eˣ) or e^x overflows, and the kinks. */
const EDGES = [-1000, -100, -30, -20.5, -6, -3, -1, -0, 0, 1, 3, 6, 10, 20, 20.5, 30, 100, 1000, 3e38, -3e38];

describe.each(BACKENDS)('activation functions on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  describe.each(CASES)('%s', (name, fn, ref) => {
    it.each(SHAPES.map((s) => [s]))('matches the float64 formula at shape %j', async (shape) => {
      const x = asF32(uniform(size(shape), -8, 8));
      const y = fn(tm.tensor(x, shape));
      expect(y.shape).toEqual(shape);
      expectClose(await y.data(), x.map(ref), TOL.f32, name);
    });

    it('at large magnitudes and the kinks, and NaN stays NaN', async () => {
      const x = Float64Array.from([...EDGES, NaN]);
      expectClose(await fn(tm.tensor(x)).data(), x.map((v) => Math.fround(ref(v))), TOL.f32, name);
    });

    it('leaves no tensors behind, forward and backward', () => {
      const x = tm.randn([3, 5], { seed: 2 });
      x.requiresGrad = true;
      const step = () => tm.tidy(() => fn(x).sum().backward());
      step();
      const before = tm.memory().numTensors;
      step();
      expect(tm.memory().numTensors).toBe(before);
      x.dispose();
    });

    it('stores f16 for f16 input', async () => {
      // The inputs as f16 holds them: the reference must see the values the tensor has (seed 2724750267 drew
      // −2.9995, which f16 holds as −3, the threshold itself).
      const x = asF16(uniform(64, -8, 8));
      const y = fn(tm.tensor(x, [64], { dtype: 'f16' }));
      expect(y.dtype).toBe('f16');
      expectClose(await y.data(), x.map(ref), TOL.f16, name);
    });
  });

  it('softplus and mish of f16 stay finite where e^x overflows f16 (x > 11), gradients too', async () => {
    for (const [name, fn, ref] of [['softplus', (t: tm.Tensor) => tm.nn.softplus(t), (v: number) => softplusRef(v)], ['mish', tm.nn.mish, (v: number) => v * Math.tanh(softplusRef(v))]] as const) {
      const values = [11.5, 12, 15, 19.5, -12, -15];
      const x = tm.tensor(values, [values.length], { dtype: 'f16' });
      x.requiresGrad = true;
      const y = fn(x);
      expect(y.dtype).toBe('f16');
      expectClose(await y.data(), values.map(ref), TOL.f16, name);
      tm.tidy(() => y.cast('f32').sum()).backward();
      const g = Array.from(await x.grad!.data());
      expect(g.every(Number.isFinite), `${name}' ${g}`).toBe(true);
      expectClose(g.slice(0, 4), [1, 1, 1, 1], TOL.f16, name);
    }
  });

  it('glu: the first half along the axis times σ of the second', async () => {
    const x = asF32(uniform(3 * 8 * 5, -4, 4));
    const y = tm.nn.glu(tm.tensor(x, [3, 8, 5]), 1);
    expect(y.shape).toEqual([3, 4, 5]);
    const want = Array.from({ length: 3 * 4 * 5 }, (_, i) => {
      const [n, c, w] = [Math.floor(i / 20), Math.floor(i / 5) % 4, i % 5];
      return x[n * 40 + c * 5 + w] * sigmoid(x[n * 40 + (c + 4) * 5 + w]);
    });
    expectClose(await y.data(), want, TOL.f32);
    expect(tm.nn.glu(tm.tensor(x, [3, 8, 5]), -2).shape).toEqual([3, 4, 5]);
    expect(() => tm.nn.glu(tm.tensor(x, [3, 8, 5]))).toThrow('glu: axis -1 of shape [3, 8, 5] has odd size 5; it is halved');
    expect(() => tm.nn.glu(tm.tensor(x, [3, 8, 5]), 3)).toThrow('glu: axis 3 is out of range for shape [3, 8, 5]');
    expect(() => tm.nn.glu(tm.tensor(x, [3, 8, 5]), 1.5)).toThrow('glu: axis must be an integer, got 1.5');
    expect(tm.nn.glu(tm.zeros([2, 0, 3]), 1).shape).toEqual([2, 0, 3]);
  });

  it('prelu: one slope for all, or one per channel (axis 1)', async () => {
    const x = asF32(uniform(2 * 3 * 5, -4, 4));
    const slopes = [0.1, -0.5, 2];
    const perChannel = await tm.nn.prelu(tm.tensor(x, [2, 3, 5]), tm.tensor(slopes)).data();
    expectClose(perChannel, x.map((v, i) => (v > 0 ? v : slopes[Math.floor(i / 5) % 3] * v)), TOL.f32);
    const shared = await tm.nn.prelu(tm.tensor(x, [2, 3, 5]), tm.tensor([0.25])).data();
    expectClose(shared, x.map((v) => (v > 0 ? v : 0.25 * v)), TOL.f32);
    expect(() => tm.nn.prelu(tm.tensor(x, [2, 5, 3]), tm.tensor(slopes))).toThrow('prelu: 3 weights need x with 3 channels on axis 1, got shape [2, 5, 3]');
  });

  it("takes PyTorch's gradients at the kinks: elu's alpha at 0, hardtanh's 0 at its ends, hardsigmoid's 0 at ±3, hardswish's −½ and 1.5 at ±3", async () => {
    const gradOf = async (fn: (x: tm.Tensor) => tm.Tensor, values: number[]) => {
      const x = tm.tensor(values);
      x.requiresGrad = true;
      tm.tidy(() => fn(x).sum()).backward();
      return Array.from(await x.grad!.data());
    };
    expectClose(await gradOf((x) => tm.nn.elu(x, 0.5), [0, -1, 2]), [0.5, 0.5 * Math.exp(-1), 1], TOL.f32);
    expectClose(await gradOf((x) => tm.nn.hardtanh(x), [-1, 1, 0.5, -2, 2]), [0, 0, 1, 0, 0], TOL.f32);
    // NaN is not strictly inside: its gradient is 0, as PyTorch's vectorised kernel's (and its value stays NaN).
    expect(await gradOf((x) => tm.nn.hardtanh(x), [NaN])).toEqual([0]);
    expect(Array.from(await tm.nn.hardtanh(tm.tensor([NaN, 5])).data())).toEqual([NaN, 1]);
    expectClose(await gradOf(tm.nn.relu6, [0, 6, 3]), [0, 0, 1], TOL.f32);
    expectClose(await gradOf(tm.nn.hardsigmoid, [-3, 3, 0]), [0, 0, 1 / 6], TOL.f32);
    expectClose(await gradOf(tm.nn.hardswish, [-3, 3, -4, 4, 1]), [-0.5, 1.5, 0, 1, 1 / 3 + 0.5], TOL.f32);
    // At ±∞ too: x·relu6(x + 3)/6 as one product gave ∞·0 there.
    expect(await gradOf(tm.nn.hardswish, [-Infinity, Infinity, -3.4e38, 3.4e38])).toEqual([0, 1, 0, 1]);
    expect(Array.from(await tm.nn.hardswish(tm.tensor([-Infinity, Infinity, 3.4e38])).data())).toEqual([0, Infinity, Math.fround(3.4e38)]);
    expectClose(await gradOf(tm.nn.softsign, [0, 1]), [1, 0.25], TOL.f32);
    expectClose(await gradOf(tm.nn.logSigmoid, [0, -50, 50]), [0.5, 1, 0], TOL.f32);
    expectClose(await gradOf((x) => tm.nn.prelu(x, tm.tensor([0.25])), [0, 1]), [0.25, 1], TOL.f32);
  });

  it("shrinks and threshold take ATen's gradients at their kinks: shrink_backward's 0 on [−λ, λ], ends included; threshold_backward's 0 at the threshold; NaN's 1", async () => {
    const gradOf = async (fn: (x: tm.Tensor) => tm.Tensor, values: number[]) => {
      const x = tm.tensor(values);
      x.requiresGrad = true;
      tm.tidy(() => fn(x).sum()).backward();
      return Array.from(await x.grad!.data());
    };
    expect(await gradOf((x) => tm.nn.hardshrink(x, 1.5), [-1.5, 1.5, 0, -1.6, 1.6, NaN])).toEqual([0, 0, 0, 1, 1, 1]);
    expect(await gradOf((x) => tm.nn.softshrink(x, 1.5), [-1.5, 1.5, 0, -1.6, 1.6, NaN])).toEqual([0, 0, 0, 1, 1, 1]);
    expect(await gradOf((x) => tm.nn.softshrink(x, 0), [0, -1, 1])).toEqual([0, 1, 1]);
    expect(await gradOf((x) => tm.nn.threshold(x, 2, 9), [2, 2.5, 1, NaN])).toEqual([0, 1, 0, 1]);
    expect(Array.from(await tm.nn.threshold(tm.tensor([NaN, 2]), 2, 9).data())).toEqual([NaN, 9]);
    // tanhshrink's is tanh²(x), which is smooth: central differences in float64 at random points.
    const values = Array.from(asF32(uniform(13, -4, 4)));
    expectClose(await gradOf(tm.nn.tanhshrink, values), values.map((v) => Math.tanh(v) ** 2), TOL.f32, 'tanhshrink');
  });

  it.each([[[7], -1], [[3, 13], 1], [[5, 1, 7], 0], [[2, 3, 5], -2]] as [number[], number][])('softmin at shape %j along axis %i: softmax of −x in float64, and its gradient', async (shape, axis) => {
    const x = asF32(uniform(size(shape), -6, 6));
    const upstream = asF32(uniform(size(shape), -1, 1));
    const want = softmaxRef(f64(shape, x.map((v) => -v)), axis < 0 ? axis + shape.length : axis, false);
    const t = tm.tensor(x, shape);
    t.requiresGrad = true;
    const y = tm.nn.softmin(t, axis);
    expectClose(await y.data(), want.v, TOL.f32, 'softmin');
    tm.tidy(() => y.mul(tm.tensor(upstream, shape)).sum()).backward();
    // d/dx of Σ u·softmin(x): central differences of the float64 formula.
    const loss = (v: Float64Array) => {
      const s = softmaxRef(f64(shape, v.map((e) => -e)), axis < 0 ? axis + shape.length : axis, false).v;
      return s.reduce((acc, e, i) => acc + e * upstream[i], 0);
    };
    const point = Float64Array.from(x);
    expectClose(await t.grad!.data(), centralDifferences(point, () => loss(point)), 1e-4, 'softmin gradient');
  });

  it('gradients stay finite at large |x|, where the branch where() leaves out would overflow', async () => {
    const fns: [string, (x: tm.Tensor) => tm.Tensor][] = [
      ['elu', (x) => tm.nn.elu(x)], ['selu', tm.nn.selu], ['celu', (x) => tm.nn.celu(x, 0.5)], ['softplus', (x) => tm.nn.softplus(x)],
      ['mish', tm.nn.mish], ['logSigmoid', tm.nn.logSigmoid], ['silu', tm.nn.silu],
    ];
    for (const [name, fn] of fns) {
      const x = tm.tensor([-200, -100, 100, 200, 1000]);
      x.requiresGrad = true;
      tm.tidy(() => fn(x).sum()).backward();
      const g = Array.from(await x.grad!.data());
      expect(g.every(Number.isFinite), `${name}: ${g}`).toBe(true);
    }
  });
});

describe('activation layers', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('each computes its function, and its config names its settings', async () => {
    const x = tm.tensor(asF32(uniform(40, -5, 5)), [2, 4, 5]);
    const pairs: [tm.nn.Module, tm.Tensor, object][] = [
      [new tm.nn.SiLU(), tm.nn.silu(x), { type: 'SiLU' }],
      [new tm.nn.ELU(0.3), tm.nn.elu(x, 0.3), { type: 'ELU', alpha: 0.3 }],
      [new tm.nn.SELU(), tm.nn.selu(x), { type: 'SELU' }],
      [new tm.nn.CELU(2), tm.nn.celu(x, 2), { type: 'CELU', alpha: 2 }],
      [new tm.nn.Softplus({ beta: 2 }), tm.nn.softplus(x, { beta: 2 }), { type: 'Softplus', beta: 2, threshold: 20 }],
      [new tm.nn.Mish(), tm.nn.mish(x), { type: 'Mish' }],
      [new tm.nn.Hardswish(), tm.nn.hardswish(x), { type: 'Hardswish' }],
      [new tm.nn.Hardsigmoid(), tm.nn.hardsigmoid(x), { type: 'Hardsigmoid' }],
      [new tm.nn.Hardtanh({ minVal: -2, maxVal: 0.5 }), tm.nn.hardtanh(x, -2, 0.5), { type: 'Hardtanh', minVal: -2, maxVal: 0.5 }],
      [new tm.nn.ReLU6(), tm.nn.relu6(x), { type: 'ReLU6' }],
      [new tm.nn.Softsign(), tm.nn.softsign(x), { type: 'Softsign' }],
      [new tm.nn.LogSigmoid(), tm.nn.logSigmoid(x), { type: 'LogSigmoid' }],
      [new tm.nn.LogSoftmax(1), tm.logSoftmax(x, 1), { type: 'LogSoftmax', axis: 1 }],
      [new tm.nn.Softmax2d(), tm.softmax(x, 0), { type: 'Softmax2d' }], // x [2, 4, 5] one image: over its 2 channels
      [new tm.nn.GLU(1), tm.nn.glu(x, 1), { type: 'GLU', axis: 1 }],
      [new tm.nn.PReLU({ numParameters: 4, init: 0.1 }), tm.nn.prelu(x, tm.fill([4], 0.1)), { type: 'PReLU', numParameters: 4 }],
      [new tm.nn.Softmin(1), tm.nn.softmin(x, 1), { type: 'Softmin', axis: 1 }],
      [new tm.nn.Hardshrink(), tm.nn.hardshrink(x), { type: 'Hardshrink', lambd: 0.5 }],
      [new tm.nn.Softshrink(2), tm.nn.softshrink(x, 2), { type: 'Softshrink', lambd: 2 }],
      [new tm.nn.Tanhshrink(), tm.nn.tanhshrink(x), { type: 'Tanhshrink' }],
      [new tm.nn.Threshold(0.1, 20), tm.nn.threshold(x, 0.1, 20), { type: 'Threshold', threshold: 0.1, value: 20 }],
    ];
    for (const [layer, want, config] of pairs) {
      expect(await layer.forward(x).data(), JSON.stringify(config)).toEqual(await want.data());
      expect(layer.config()).toEqual(config);
    }
  });

  it('PReLU learns its slopes: the weight is a parameter with a gradient', async () => {
    const layer = new tm.nn.PReLU({ numParameters: 2 });
    expect(Object.keys(layer.namedParameters())).toEqual(['weight']);
    expect(Array.from(await layer.weight.data())).toEqual([0.25, 0.25]);
    const x = tm.tensor([[-1, -2], [3, -4]]);
    tm.tidy(() => layer.forward(x).sum()).backward();
    // d/da of a·x summed over x < 0, per channel.
    expect(Array.from(await layer.weight.grad!.data())).toEqual([-1, -6]);
  });

  it('refuses bad settings with clear errors', () => {
    expect(() => new tm.nn.ELU(NaN)).toThrow('ELU: alpha must be a finite number, got NaN');
    expect(() => new tm.nn.CELU(0)).toThrow('CELU: alpha must not be 0');
    expect(() => new tm.nn.Softplus({ beta: 0 })).toThrow('Softplus: beta must not be 0');
    expect(() => new tm.nn.Softplus({ bta: 2 } as tm.nn.SoftplusOptions)).toThrow(/Softplus.*bta/);
    expect(() => new tm.nn.Hardtanh({ minVal: 1, maxVal: 1 })).toThrow('Hardtanh: minVal 1 must be below maxVal 1');
    expect(() => new tm.nn.PReLU({ numParameters: 0 })).toThrow('PReLU: numParameters must be a positive integer, got 0');
    expect(() => new tm.nn.LogSoftmax(0.5)).toThrow('LogSoftmax: axis must be an integer, got 0.5');
    expect(() => new (tm.nn.SiLU as new (...args: unknown[]) => tm.nn.SiLU)(1)).toThrow('SiLU: takes no arguments, got 1');
    expect(() => tm.nn.prelu(tm.ones([2, 3]), tm.ones([3, 1]))).toThrow('prelu: weight must be a vector, got shape [3, 1]');
    expect(() => new tm.nn.Softshrink(-0.5)).toThrow('Softshrink: lambd must be ≥ 0, got -0.5');
    expect(() => tm.nn.softshrink(tm.ones([2]), -1)).toThrow('softshrink: lambd must be ≥ 0, got -1');
    expect(() => new tm.nn.Hardshrink(NaN)).toThrow('Hardshrink: lambd must be a finite number, got NaN');
    expect(() => new tm.nn.Threshold(0, Infinity)).toThrow('Threshold: value must be a finite number, got Infinity');
    expect(() => tm.nn.threshold(tm.ones([2]), '1' as unknown as number, 0)).toThrow('threshold: threshold must be a finite number, got "1"');
    expect(() => new tm.nn.Softmin(1.5)).toThrow('Softmin: axis must be an integer, got 1.5');
    expect(() => new tm.nn.Softmax2d().forward(tm.ones([2, 3]))).toThrow('Softmax2d: x must be [batch, channels, height, width] or [channels, height, width], got [2,3]');
    // Out of range: softmin's own error, not the softmax's it is built on.
    expect(() => tm.nn.softmin(tm.ones([2, 3]), 2)).toThrow('softmin: axis 2 is out of range for a tensor of rank 2');
    expect(() => new tm.nn.Softmin(-3).forward(tm.ones([2, 3]))).toThrow('softmin: axis -3 is out of range for a tensor of rank 2');
    expect(() => new (tm.nn.Tanhshrink as new (...args: unknown[]) => tm.nn.Tanhshrink)(1)).toThrow('Tanhshrink: takes no arguments, got 1');
  });

  it('Dense takes the new activations by name, He-initialised for the rectifier-like ones', async () => {
    const x = tm.randn([4, 6], { seed: 3 });
    for (const activation of ['silu', 'elu', 'selu', 'softplus', 'softsign', 'mish', 'hardswish', 'hardsigmoid', 'logSoftmax'] as const) {
      const dense = new tm.nn.Dense(6, 3, { activation, seed: 1 });
      const z = x.matmul(dense.weight).add(dense.bias!);
      const want = activation === 'logSoftmax' ? z.logSoftmax() : (tm.nn as unknown as Record<string, (t: tm.Tensor) => tm.Tensor>)[activation](z);
      expect(await dense.forward(x).data(), activation).toEqual(await want.data());
    }
    const he = await new tm.nn.Dense(400, 300, { activation: 'silu', seed: 1 }).weight.data();
    const variance = Array.from(he).reduce((s, v) => s + v * v, 0) / he.length;
    expect(variance).toBeCloseTo(2 / 400, 4);
  });
});
