// ONNX's elementwise ops (src/onnx/ops/elementwise.ts) as one-op models on
// every backend, against float64 formulas written here: broadcasting, the
// activations' attributes and ONNX defaults, Clip's attributes (opset < 11)
// and inputs (≥ 11), integer Div (exact past 2^24) and Mod on the host and the device, Cast,
// comparisons and logic feeding Where and Not.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { asF16, asF32, expectClose, expectExact, randomInts, uniform } from '../../helpers/data.js';
import { broadcast2, erfRef, f64, map, size, type F64 } from '../../helpers/float64.js';
import { onnxModel } from '../../helpers/onnx.js';
import { ortNode } from '../../helpers/onnx_microsoft.js';
import { feed, ints, run1, runModel, type Feed } from '../../helpers/onnx_run.js';

const SHAPES = [[1], [7], [3, 13], [2, 3, 7]];
const rand = (shape: number[], lo = -3, hi = 3): F64 => f64(shape, asF32(uniform(size(shape), lo, hi)));

function expectF64(got: F64, want: F64, tol = 2e-5, what = ''): void {
  expect(got.shape, `${what} shape`).toEqual(want.shape);
  expectClose(got.v, want.v, tol, what);
}

const SELU_ALPHA = 1.67326319217681884765625, SELU_GAMMA = 1.05070102214813232421875;
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const softplus = (x: number) => (x > 20 ? x : Math.log1p(Math.exp(x)));
const clamp = (x: number, lo: number, hi: number) => Math.min(Math.max(x, lo), hi);

type Activation = [op: string, attributes: Record<string, number | string | { float: number }>, ref: (x: number) => number, opset?: number];
const ACTIVATIONS: Activation[] = [
  ['LeakyRelu', {}, (x) => (x < 0 ? 0.01 * x : x)],
  ['LeakyRelu', { alpha: { float: 0.3 } }, (x) => (x < 0 ? 0.3 * x : x)],
  ['Elu', {}, (x) => (x < 0 ? Math.expm1(x) : x)],
  ['Elu', { alpha: { float: 0.5 } }, (x) => (x < 0 ? 0.5 * Math.expm1(x) : x)],
  ['Selu', {}, (x) => SELU_GAMMA * (x <= 0 ? SELU_ALPHA * Math.expm1(x) : x)],
  ['Selu', { alpha: { float: 2 }, gamma: { float: 0.5 } }, (x) => 0.5 * (x <= 0 ? 2 * Math.expm1(x) : x)],
  ['Celu', {}, (x) => Math.max(0, x) + Math.min(0, Math.expm1(x))],
  ['Celu', { alpha: { float: 2 } }, (x) => Math.max(0, x) + Math.min(0, 2 * Math.expm1(x / 2))],
  ['HardSigmoid', {}, (x) => clamp(0.2 * x + 0.5, 0, 1)],
  ['HardSigmoid', { alpha: { float: 1 / 6 }, beta: { float: 0.25 } }, (x) => clamp(Math.fround(1 / 6) * x + 0.25, 0, 1)],
  ['HardSwish', {}, (x) => x * clamp(x / 6 + 0.5, 0, 1)],
  ['Softplus', {}, softplus],
  ['Softsign', {}, (x) => x / (1 + Math.abs(x))],
  ['ThresholdedRelu', {}, (x) => (x > 1 ? x : 0)],
  ['ThresholdedRelu', { alpha: { float: 0.5 } }, (x) => (x > 0.5 ? x : 0)],
  ['Shrink', {}, (x) => (x < -0.5 ? x : x > 0.5 ? x : 0)],
  ['Shrink', { lambd: { float: 1.5 }, bias: { float: 0.25 } }, (x) => (x < -1.5 ? x + 0.25 : x > 1.5 ? x - 0.25 : 0)],
  ['Gelu', {}, (x) => 0.5 * x * (1 + erfRef(x / Math.SQRT2)), 20],
  ['Gelu', { approximate: 'tanh' }, (x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3))), 20],
  ['Sigmoid', {}, sigmoid],
  ['Relu', {}, (x) => Math.max(x, 0)],
  ['Tanh', {}, Math.tanh],
  ['Mish', {}, (x) => x * Math.tanh(softplus(x)), 18],
  ['Swish', {}, (x) => x * sigmoid(x), 24],
  ['Swish', { alpha: { float: 0.75 } }, (x) => x * sigmoid(0.75 * x), 24],
  ['Swish', { alpha: { float: -1.5 } }, (x) => x * sigmoid(-1.5 * x), 24],
];

const UNARY: [op: string, ref: (x: number) => number, lo: number, hi: number][] = [
  ['Abs', Math.abs, -3, 3],
  ['Neg', (x) => -x, -3, 3],
  ['Exp', Math.exp, -3, 3],
  ['Log', Math.log, 0.1, 5],
  ['Sqrt', Math.sqrt, 0, 5],
  ['Reciprocal', (x) => 1 / x, 0.5, 3],
  ['Sin', Math.sin, -3, 3],
  ['Cos', Math.cos, -3, 3],
  ['Atan', Math.atan, -3, 3],
  ['Asin', Math.asin, -0.9, 0.9],
  ['Floor', Math.floor, -3, 3],
  ['Ceil', Math.ceil, -3, 3],
  ['Sign', Math.sign, -3, 3],
  ['Erf', erfRef, -3, 3],
];

describe.each(BACKENDS)('tm.onnx elementwise ops on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('unary math against Math.*', async () => {
    for (const [op, ref, lo, hi] of UNARY) {
      for (const shape of [[1], [13], [3, 7]]) {
        const x = rand(shape, lo, hi);
        expectF64(await run1(op, [feed(x)]), map(x, ref), 2e-5, `${op} ${shape}`);
      }
    }
  });

  it('activations with their ONNX defaults and with attributes set', async () => {
    for (const [op, attributes, ref, opset] of ACTIVATIONS) {
      for (const shape of [[7], [3, 13]]) {
        const x = rand(shape, -4, 4);
        expectF64(await run1(op, [feed(x)], attributes, { opset }), map(x, ref), 2e-5, `${op} ${JSON.stringify(attributes)} ${shape}`);
      }
    }
  });

  it('Swish (opset 24) computes what onnxruntime computes, alpha left out or set', async () => {
    for (const attributes of [{}, { alpha: { float: 1.702 } }] as Record<string, { float: number }>[]) {
      const x = rand([3, 11], -6, 6);
      expectClose((await run1('Swish', [feed(x)], attributes, { opset: 24 })).v, (await ortNode('Swish', [feed(x)], attributes, { opset: 24 }))[0], 2e-6, `Swish ${JSON.stringify(attributes)}`);
    }
  });

  it('IsNaN and IsInf (detect_negative, detect_positive)', async () => {
    const x = f64([7], [1, NaN, Infinity, -Infinity, 0, -2, NaN]);
    expectExact((await run1('IsNaN', [feed(x)])).v, [0, 1, 0, 0, 0, 0, 1], 'IsNaN');
    expectExact((await run1('IsInf', [feed(x)], {}, { opset: 10 })).v, [0, 0, 1, 1, 0, 0, 0], 'IsInf');
    expectExact((await run1('IsInf', [feed(x)], { detect_negative: 0 }, { opset: 10 })).v, [0, 0, 1, 0, 0, 0, 0], 'IsInf positive only');
    expectExact((await run1('IsInf', [feed(x)], { detect_positive: 0 }, { opset: 10 })).v, [0, 0, 0, 1, 0, 0, 0], 'IsInf negative only');
  });

  it('refuses attribute values it does not know, naming node and attribute', async () => {
    await expect(run1('Gelu', [feed(rand([3]))], { approximate: 'sigmoid' }, { opset: 20 })).rejects.toThrow(/node 'Gelu_0' \(Gelu\): approximate = "sigmoid" is not supported/);
    await expect(run1('Cast', [feed(rand([3]))], { to: 14 })).rejects.toThrow(/node 'Cast_0' \(Cast\): casts to complex64, which tmnn does not hold/);
  });

  it('float16 inputs stay float16', async () => {
    for (const shape of [[7], [3, 13]]) {
      const x = f64(shape, asF16(uniform(size(shape), -3, 3))), y = f64(shape, asF16(uniform(size(shape), -3, 3)));
      const f16 = (a: F64) => feed(a, 'float16');
      expectF64(await run1('Add', [f16(x), f16(y)]), { shape, v: asF16(x.v.map((v, i) => v + y.v[i])) }, 1e-3, `f16 Add ${shape}`);
      expectF64(await run1('Mul', [f16(x), f16(y)]), { shape, v: asF16(x.v.map((v, i) => v * y.v[i])) }, 1e-3, `f16 Mul ${shape}`);
      expectF64(await run1('Sigmoid', [f16(x)]), map(x, sigmoid), 2e-3, `f16 Sigmoid ${shape}`);
      expectF64(await run1('Cast', [f16(x)], { to: 1 }), x, 0, `f16 Cast to float ${shape}`);
    }
  });

  it('PRelu broadcasts its slope (per channel, scalar, constant)', async () => {
    for (const [xs, ss] of [[[2, 3, 5], [3, 1]], [[13], [1]], [[3, 7], [7]]]) {
      const x = rand(xs), slope = rand(ss, 0, 1);
      const want = broadcast2(x, slope, (a, s) => (a < 0 ? a * s : a));
      expectF64(await run1('PRelu', [feed(x), feed(slope)]), want, 2e-5, `PRelu ${xs} ${ss}`);
      expectF64(await run1('PRelu', [feed(x), { ...feed(slope), constant: true }]), want, 2e-5, `PRelu constant slope ${xs} ${ss}`);
    }
  });

  it('binary arithmetic and variadic Sum/Max/Min/Mean broadcast as NumPy', async () => {
    const BINARY: [string, (a: number, b: number) => number][] = [
      ['Add', (a, b) => a + b], ['Sub', (a, b) => a - b], ['Mul', (a, b) => a * b], ['Div', (a, b) => a / b], ['Pow', (a, b) => a ** b],
    ];
    const pairs = [[[1], [1]], [[3, 7], [7]], [[13, 1, 3], [1, 5, 1]], [[2, 1], [3, 2, 5]]];
    for (const [as, bs] of pairs) {
      const a = rand(as, 0.5, 2), b = rand(bs, 0.5, 2);
      for (const [op, fn] of BINARY) expectF64(await run1(op, [feed(a), feed(b)]), broadcast2(a, b, fn), 2e-5, `${op} ${as} ${bs}`);
      // A one-element constant operand (a scalar the graph holds).
      const c = f64([], [Math.fround(1.7)]);
      expectF64(await run1('Mul', [feed(a), { ...feed(c), constant: true }]), map(a, (v) => v * c.v[0]), 2e-5, `Mul by a constant scalar ${as}`);
      expectF64(await run1('Sub', [{ ...feed(c), constant: true }, feed(a)]), map(a, (v) => c.v[0] - v), 2e-5, `constant scalar Sub ${as}`);
    }
    const x = rand([3, 1, 7]), y = rand([5, 1]), z = rand([7]);
    const VARIADIC: [string, (...v: number[]) => number][] = [
      ['Sum', (...v) => v.reduce((s, t) => s + t)], ['Max', Math.max], ['Min', Math.min], ['Mean', (...v) => v.reduce((s, t) => s + t) / v.length],
    ];
    for (const [op, fn] of VARIADIC) {
      // x, y and z each broadcast to the common shape [3, 5, 7], then combined element by element.
      const xs = broadcast2(broadcast2(x, y, (a) => a), z, (a) => a);
      const ys = broadcast2(broadcast2(x, y, (_, b) => b), z, (b) => b);
      const zs = broadcast2(broadcast2(x, y, () => 0), z, (_, c) => c);
      const want = { shape: xs.shape, v: xs.v.map((_, i) => fn(xs.v[i], ys.v[i], zs.v[i])) };
      expectF64(await run1(op, [feed(x), feed(y), feed(z)]), want, 2e-5, op);
    }
  });

  it('Div truncates on integers, on the host and the device; Mod follows fmod', async () => {
    const n = 13;
    const a = Array.from(randomInts(n, -20, 20)), b = Array.from(randomInts(n, 1, 6)).map((v, i) => (i % 2 ? -v : v));
    const trunc = a.map((v, i) => Math.trunc(v / b[i]));
    // All constants: the host path (an int64 Constant made a tensor at the output).
    expectExact((await run1('Div', [ints(a), ints(b)])).v, trunc, 'host Div');
    const intFeed = (v: number[]): Feed => ({ shape: [v.length], values: v, type: 'int64' });
    expectExact((await run1('Div', [intFeed(a), intFeed(b)])).v, trunc, 'device Div');
    expectExact((await run1('Div', [intFeed(a), ints([4], [])])).v, a.map((v) => Math.trunc(v / 4)), 'device Div by a constant');
    // Past 2^24, where a quotient through f32 would round: exact on the device as on the host.
    const large = [2147483647, -2147483647, 16777217, -16777219], by = [1, 3, 1, -2];
    const bigTrunc = large.map((v, i) => Math.trunc(v / by[i]));
    expectExact((await run1('Div', [intFeed(large), intFeed(by)])).v, bigTrunc, 'device Div past 2^24');
    expectExact((await run1('Div', [ints(large), ints(by)])).v, bigTrunc, 'host Div past 2^24');
    // fmod 0 (integers): the divisor's sign, Python's %; fmod 1: the dividend's, C's fmod.
    const python = a.map((v, i) => v - Math.floor(v / b[i]) * b[i]);
    const c = a.map((v, i) => v % b[i]);
    expectExact((await run1('Mod', [ints(a), ints(b)])).v, python, 'host Mod fmod 0');
    expectExact((await run1('Mod', [intFeed(a), intFeed(b)])).v, python, 'device Mod fmod 0');
    expectExact((await run1('Mod', [ints(a), ints(b)], { fmod: 1 })).v, c, 'host Mod fmod 1');
    expectExact((await run1('Mod', [intFeed(a), intFeed(b)], { fmod: 1 })).v, c, 'device Mod fmod 1');
    const x = rand([3, 7], -5, 5), y = rand([7], 0.5, 2);
    expectF64(await run1('Mod', [feed(x), feed(y)], { fmod: 1 }), broadcast2(x, y, (p, q) => p % q), 2e-5, 'float Mod fmod 1');
    // Large quotients, every sign pairing: C's fmod is exact, so the result is to f32's rounding of the operands only.
    const big = f64([8], asF32(Float64Array.of(1000.7, -12345.6, 98765.4, -98765.4, 3.3, -3.3, 0.6, 7)));
    const div = f64([8], asF32(Float64Array.of(0.3, 0.7, 0.11, -0.11, -0.9, -0.9, 0.3, 7)));
    expectF64(await run1('Mod', [feed(big), feed(div)], { fmod: 1 }), broadcast2(big, div, (p, q) => p % q), 1e-5, 'float Mod fmod 1, large quotients');
    expectF64(await run1('Mod', [feed(big), feed(div)]), broadcast2(big, div, (p, q) => p - Math.floor(p / q) * q), 1e-5, 'float Mod fmod 0, large quotients');
  });

  it('Clip: attributes before opset 11, optional inputs from it, only min or only max', async () => {
    for (const shape of [[1], [7], [3, 13]]) {
      const x = rand(shape);
      const scalar = (v: number): Feed => ({ shape: [], values: [v], constant: true });
      expectF64(await run1('Clip', [feed(x)], { min: { float: -1 }, max: { float: 0.5 } }, { opset: 7 }), map(x, (v) => clamp(v, -1, 0.5)), 0, `Clip attrs ${shape}`);
      expectF64(await run1('Clip', [feed(x)], { min: { float: -1 } }, { opset: 7 }), map(x, (v) => Math.max(v, -1)), 0, `Clip min attr ${shape}`);
      expectF64(await run1('Clip', [feed(x)], {}, { opset: 7 }), x, 0, `Clip no attrs ${shape}`);
      expectF64(await run1('Clip', [feed(x), scalar(-1), scalar(0.5)], {}, { opset: 13 }), map(x, (v) => clamp(v, -1, 0.5)), 0, `Clip inputs ${shape}`);
      expectF64(await run1('Clip', [feed(x), scalar(-0.25)], {}, { opset: 11 }), map(x, (v) => Math.max(v, -0.25)), 0, `Clip min only ${shape}`);
      expectF64(await run1('Clip', [feed(x), null, scalar(0.75)], {}, { opset: 12 }), map(x, (v) => Math.min(v, 0.75)), 0, `Clip max only ${shape}`);
      expectF64(await run1('Clip', [feed(x)], {}, { opset: 13 }), x, 0, `Clip unbounded ${shape}`);
    }
  });

  it('Cast to int64 (truncating), bool and float', async () => {
    const x = rand([3, 7], -4, 4);
    x.v[0] = 0;
    expectExact((await run1('Cast', [feed(x)], { to: 7 })).v, x.v.map(Math.trunc), 'Cast to int64');
    expectExact((await run1('Cast', [feed(x)], { to: 9 })).v, x.v.map((v) => (v !== 0 ? 1 : 0)), 'Cast to bool');
    const i = Array.from(randomInts(13, -50, 50));
    const back = await run1('Cast', [{ shape: [13], values: i, type: 'int64' }], { to: 1 });
    expectExact(back.v, i, 'Cast int64 to float');
    expectExact((await run1('Cast', [ints(i)], { to: 1 })).v, i, 'host Cast int64 to float');
    expectExact((await run1('Cast', [{ shape: [4], values: [1.5, -2.7, 0, 3], type: 'double', constant: true }], { to: 7 }, { opset: 13 })).v, [1, -2, 0, 3], 'Cast double initializer to int64');
    // A Constant node's floats are host values: Cast runs on the host.
    const hostCast = onnxModel({
      opset: 13, inputs: [], outputs: [{ name: 'y' }],
      nodes: [{ op: 'Constant', inputs: [], outputs: ['c'], attributes: { value_floats: { floats: [1.5, -2.7, 0, 3] } } }, { op: 'Cast', inputs: ['c'], outputs: ['y'], attributes: { to: 7 } }],
    });
    expectExact((await runModel(hostCast, []))[0].v, [1, -2, 0, 3], 'host Cast float to int64');
    expectExact((await run1('CastLike', [feed(x), { shape: [1], values: [0], type: 'int64' }], {}, { opset: 15 })).v, x.v.map(Math.trunc), 'CastLike to int64');
    expectExact((await run1('CastLike', [{ shape: [13], values: i, type: 'int64' }, feed(x)], {}, { opset: 15 })).v, i, 'CastLike to float');
  });

  it('comparisons and logic give ints that Where and Not take', async () => {
    for (const shape of [[1], [7], [3, 13]]) {
      const x = rand(shape), y = rand(shape);
      y.v[0] = x.v[0]; // a tie, for the *OrEqual ops
      const CMP: [string, (a: number, b: number) => boolean][] = [
        ['Equal', (a, b) => a === b], ['Less', (a, b) => a < b], ['LessOrEqual', (a, b) => a <= b], ['Greater', (a, b) => a > b], ['GreaterOrEqual', (a, b) => a >= b],
      ];
      for (const [op, fn] of CMP) expectExact((await run1(op, [feed(x), feed(y)], {}, { opset: 16 })).v, x.v.map((v, i) => +fn(v, y.v[i])), `${op} ${shape}`);
      // x > y → Not → And with (x > 0) → Where(…, x, y), and Or / Xor beside.
      const bytes = onnxModel({
        opset: 17,
        inputs: [{ name: 'x', shape }, { name: 'y', shape }],
        outputs: [{ name: 'w' }, { name: 'o' }, { name: 'e' }],
        initializers: { zero: { shape: [], values: [0] } },
        nodes: [
          { op: 'Greater', inputs: ['x', 'y'], outputs: ['g'] },
          { op: 'Not', inputs: ['g'], outputs: ['ng'] },
          { op: 'Greater', inputs: ['x', 'zero'], outputs: ['pos'] },
          { op: 'And', inputs: ['ng', 'pos'], outputs: ['c'] },
          { op: 'Where', inputs: ['c', 'x', 'y'], outputs: ['w'] },
          { op: 'Or', inputs: ['g', 'pos'], outputs: ['o'] },
          { op: 'Xor', inputs: ['g', 'pos'], outputs: ['e'] },
        ],
      });
      const [w, o, e] = await runModel(bytes, [feed(x), feed(y)]);
      const g = Array.from(x.v, (v, i) => v > y.v[i]), pos = Array.from(x.v, (v) => v > 0);
      expectExact(w.v, Array.from(x.v, (v, i) => (!g[i] && pos[i] ? v : y.v[i])), `Where(Not, And) ${shape}`);
      expectExact(o.v, g.map((v, i) => +(v || pos[i])), `Or ${shape}`);
      expectExact(e.v, g.map((v, i) => +(v !== pos[i])), `Xor ${shape}`);
    }
  });

  it('Where with scalar constant branches keeps float and broadcasts', async () => {
    for (const shape of [[7], [3, 13]]) {
      const x = rand(shape);
      const cond: Feed = { shape, values: x.v.map((v) => +(v > 0)), type: 'bool' };
      const scalar: Feed = { shape: [], values: [-0.5], constant: true };
      expectExact((await run1('Where', [cond, scalar, feed(x)])).v, x.v.map((v) => (v > 0 ? -0.5 : v)), `Where(c, scalar, x) ${shape}`);
      expectExact((await run1('Where', [cond, feed(x), scalar])).v, x.v.map((v) => (v > 0 ? v : -0.5)), `Where(c, x, scalar) ${shape}`);
      // A Constant node's scalar (how exporters write one) is a host value, not an initializer tensor.
      const viaConstant = onnxModel({
        opset: 13, inputs: [{ name: 'c', type: 'bool', shape }, { name: 'x', shape }], outputs: [{ name: 'y' }],
        nodes: [
          { op: 'Constant', inputs: [], outputs: ['k'], attributes: { value_float: { float: -0.5 } } },
          { op: 'Where', inputs: ['c', 'k', 'x'], outputs: ['y'] },
        ],
      });
      expectExact((await runModel(viaConstant, [cond, feed(x)]))[0].v, x.v.map((v) => (v > 0 ? -0.5 : v)), `Where(c, Constant node, x) ${shape}`);
      const got = await run1('Where', [cond, { shape: [], values: [1.25], constant: true }, scalar]);
      expect(got.shape).toEqual(shape);
      expectExact(got.v, x.v.map((v) => (v > 0 ? 1.25 : -0.5)), `Where(c, scalar, scalar) ${shape}`);
    }
  });
});
