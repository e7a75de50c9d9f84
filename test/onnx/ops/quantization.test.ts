// ONNX's quantization operators (src/onnx/ops/quantization.ts and
// integer_products.ts) as one-node models on every backend, against float64
// loops of the ONNX definitions (test/helpers/onnx_quantized.ts): uint8 and int8,
// per tensor and per axis, non-zero zero points, odd sizes, halves rounding
// to even and saturation at both ends; integer products exact past 2^24.
// Then a two-layer MLP in onnxruntime's dynamic and QDQ formats, run by
// tmnn and by onnxruntime-web on the same bytes, and beside the float MLP.
//
// Where ONNX divides in f32 (x / scale), WGSL allows a quotient 2.5 ulps
// off, which moves a rounding by one only where the exact quotient lies
// that close to a half: expectQuantized allows exactly that, nothing more.
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { asF32, expectClose, expectExact, randomInts, SEED, uniform } from '../../helpers/data.js';
import { collected } from '../../helpers/gc.js';
import { f64, size, type F64 } from '../../helpers/float64.js';
import { onnxModel, singleOp, type AttributeSpec, type OnnxTypeName } from '../../helpers/onnx.js';
import { runModel, runOp, type Feed } from '../../helpers/onnx_run.js';
import { axisIndex, dynamicMlp, expectQuantized, dynamicRounding, integerConvRef, integerMatmulRef, mlpRef, qdqMlp, qdqRounding, quantizationErrorBound, quantize, RANGE, roundHalfEven, saturate, type ConvGeometry, type Mlp, type MlpRounding, type Q } from '../../helpers/onnx_quantized.js';

const ints = (shape: number[], type: Q): F64 => f64(shape, randomInts(size(shape), ...RANGE[type]));
const floats = (shape: number[], lo = -2, hi = 2): F64 => f64(shape, asF32(uniform(size(shape), lo, hi)));
const typed = (a: F64 | { shape: number[]; v: ArrayLike<number> }, type: OnnxTypeName, constant = false): Feed => ({ shape: a.shape, values: a.v, type, constant });
const scalar = (v: number, type: OnnxTypeName = 'float'): Feed => ({ shape: [], values: [v], type, constant: true });
const list = (v: ArrayLike<number>, type: OnnxTypeName = 'float'): Feed => ({ shape: [v.length], values: v, type, constant: true });
const scales = (n: number) => asF32(uniform(n, 0.01, 0.1));
const zeroPoints = (n: number, type: Q) => randomInts(n, type === 'uint8' ? 60 : -40, type === 'uint8' ? 190 : 40);

describe('the references', () => {
  it('round halves to even and saturate', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4999, 2.5001].map(roundHalfEven).map((v) => v + 0)).toEqual([0, 2, 2, 0, -2, -2, 2, 3]);
    expect([saturate(300, 'uint8'), saturate(-3, 'uint8'), saturate(128, 'int8'), saturate(-129, 'int8')]).toEqual([255, 0, 127, -128]);
  });
});

describe.each(BACKENDS)('tm.onnx quantization on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('QuantizeLinear: per tensor, uint8 and int8, zero points non-zero or left out, saturating both ends', async () => {
    for (const shape of [[1], [7], [3, 129]]) {
      for (const type of ['uint8', 'int8'] as const) {
        const x = floats(shape, -20, 20);
        const [s] = scales(1), [z] = zeroPoints(1, type);
        const got = await runOp('QuantizeLinear', [typed(x, 'float'), scalar(s), scalar(z, type)]);
        const want = x.v.map((v) => quantize(v, s, z, type));
        expectQuantized(got[0].v, want, x.v.map((v) => v / s), `${type} ${shape}`);
        expect(got[0].v.some((v) => v === RANGE[type][0]) && got[0].v.some((v) => v === RANGE[type][1]) || size(shape) < 100, 'both ends saturate').toBe(true);
      }
      const x = floats(shape, -5, 5);
      const got = await runOp('QuantizeLinear', [typed(x, 'float'), scalar(0.05)]);
      expectQuantized(got[0].v, x.v.map((v) => quantize(v, 0.05, 0, 'uint8')), x.v.map((v) => v / 0.05), `no zero point (uint8) ${shape}`);
    }
  });

  it('QuantizeLinear: halves round to even, after the zero point is added as an integer', async () => {
    // Scales that are powers of two divide exactly: the quotients are the halves themselves.
    const halves = [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 126.5, 127.5, -128.5, -127.5, 254.5, 255.5, 3.4999, 3.5001];
    for (const [type, z] of [['int8', 0], ['int8', 3], ['uint8', 0], ['uint8', 100]] as const) {
      for (const s of [1, 0.25]) {
        const x = f64([halves.length], halves.map((h) => h * s));
        const got = await runOp('QuantizeLinear', [typed(x, 'float'), scalar(s), scalar(z, type)]);
        expectExact(got[0].v, halves.map((h) => saturate(roundHalfEven(h) + z, type)), `${type} zero point ${z} scale ${s}`);
      }
    }
  });

  it('QuantizeLinear and DequantizeLinear per axis (opset 13), negative axes too', async () => {
    for (const [shape, axis] of [[[2, 5, 3], 1], [[2, 5, 3], -1], [[7, 4], 0], [[3, 129], 1]] as const) {
      const a = axis < 0 ? axis + shape.length : axis, n = shape[a];
      for (const type of ['uint8', 'int8'] as const) {
        const x = floats([...shape], -8, 8), s = scales(n), z = zeroPoints(n, type);
        const q = await runOp('QuantizeLinear', [typed(x, 'float'), list(s), list(z, type)], { axis });
        const at = (k: number) => axisIndex(k, shape, a);
        expectQuantized(q[0].v, x.v.map((v, k) => quantize(v, s[at(k)], z[at(k)], type)), x.v.map((v, k) => v / s[at(k)]), `QuantizeLinear ${type} [${shape}] axis ${axis}`);
        const xq = ints([...shape], type);
        for (const constant of [false, true]) {
          const d = await runOp('DequantizeLinear', [typed(xq, type, constant), list(s), list(z, type)], { axis });
          expectExact(d[0].v, xq.v.map((v, k) => Math.fround((v - z[at(k)]) * s[at(k)])), `DequantizeLinear ${type} [${shape}] axis ${axis}${constant ? ', an initializer' : ''}`);
        }
      }
    }
  });

  it('DequantizeLinear per tensor: uint8, int8 with zero points or without, int32 (a bias) without', async () => {
    for (const shape of [[1], [7], [4, 129]]) {
      for (const type of ['uint8', 'int8'] as const) {
        const x = ints(shape, type), [s] = scales(1), [z] = zeroPoints(1, type);
        for (const constant of [false, true]) {
          const got = await runOp('DequantizeLinear', [typed(x, type, constant), scalar(s), scalar(z, type)]);
          expectExact(got[0].v, x.v.map((v) => Math.fround((v - z) * s)), `${type} [${shape}]${constant ? ', an initializer' : ''}`);
        }
        const plain = await runOp('DequantizeLinear', [typed(x, type), scalar(s)]);
        expectExact(plain[0].v, x.v.map((v) => Math.fround(v * s)), `${type} [${shape}] without zero point`);
      }
      const bias = f64(shape, randomInts(size(shape), -(2 ** 20), 2 ** 20)), [s] = scales(1);
      expectExact((await runOp('DequantizeLinear', [typed(bias, 'int32', true), scalar(s)]))[0].v, bias.v.map((v) => Math.fround(v * s)), `int32 [${shape}]`);
    }
  });

  it('a QuantizeLinear → DequantizeLinear pair in one graph, and an int8 input given as an i8 tensor', async () => {
    const x = floats([3, 4], -3, 3), [s] = scales(1), [z] = zeroPoints(1, 'uint8');
    const pair = onnxModel({
      inputs: [{ name: 'x', shape: [3, 4] }],
      outputs: [{ name: 'q', type: 'uint8' }, { name: 'd' }],
      initializers: { s: { shape: [], values: [s] }, z: { type: 'uint8', shape: [], values: [z] } },
      nodes: [
        { op: 'QuantizeLinear', inputs: ['x', 's', 'z'], outputs: ['q'] },
        { op: 'DequantizeLinear', inputs: ['q', 's', 'z'], outputs: ['d'] },
      ],
    });
    const [q, d] = await runModel(pair, [{ shape: x.shape, values: x.v }]);
    const want = x.v.map((v) => quantize(v, s, z, 'uint8'));
    expectQuantized(q.v, want, x.v.map((v) => v / s), 'QuantizeLinear');
    expectExact(d.v, q.v.map((v) => Math.fround((v - z) * s)), 'DequantizeLinear of it');

    const w = ints([2, 3], 'int8'), ws = scales(3), wz = zeroPoints(3, 'int8');
    const perAxis = singleOp('DequantizeLinear', [{ name: 'w', type: 'int8', shape: [2, 3] }], { axis: 1 }, {
      initializers: { s: { shape: [3], values: ws }, z: { type: 'int8', shape: [3], values: wz } },
      extraInputs: ['s', 'z'],
    });
    const before = await collected(); // earlier tests' garbage collected first, so that no finalizer frees it at an await below
    const model = tm.onnx.fromBytes(perAxis);
    const wt = tm.tensor(Int8Array.from(w.v), [2, 3], { dtype: 'i8' });
    const y = tm.noGrad(() => model.forward(wt));
    expectExact(await y.data(), w.v.map((v, k) => Math.fround((v - wz[k % 3]) * ws[k % 3])), 'DequantizeLinear of an i8 tensor');
    for (const t of [wt, y]) t.dispose();
    model.dispose();
    expect(tm.memory().numTensors, 'tensors left').toBe(before);
  });

  it("DequantizeLinear's scale is a parameter: its gradient is the sum of x − zero point along its axis", async () => {
    const x = ints([3, 4], 'uint8'), s = scales(4), z = zeroPoints(4, 'uint8');
    const bytes = singleOp('DequantizeLinear', [{ name: 'x', type: 'uint8', shape: [3, 4] }], { axis: 1 }, {
      initializers: { s: { shape: [4], values: s }, z: { type: 'uint8', shape: [4], values: z } },
      extraInputs: ['s', 'z'],
    });
    const before = await collected();
    const model = tm.onnx.fromBytes(bytes);
    const xt = tm.tensor(Array.from(x.v), [3, 4], { dtype: 'i32' });
    const y = model.forward(xt);
    const loss = y.sum();
    loss.backward();
    const grad = model.ownParameters().s.grad!;
    expectExact(await grad.data(), Array.from({ length: 4 }, (_, j) => [0, 1, 2].reduce((acc, i) => acc + x.v[i * 4 + j] - z[j], 0)), 'd loss / d scale');
    for (const t of [xt, y, loss, grad]) t.dispose();
    model.dispose();
    expect(tm.memory().numTensors, 'tensors left').toBe(before);
  });

  it("DynamicQuantizeLinear: x's range with 0 in it, its uint8 scale and zero point, x quantized by them", async () => {
    for (const [shape, lo, hi] of [[[3, 7], -2, 3], [[1], 0.5, 2], [[129], -4, -1], [[2, 65], 0, 1], [[4], 0, 0]] as const) {
      const x = floats([...shape], lo, hi);
      const [y, scale, zp] = await runOp('DynamicQuantizeLinear', [typed(x, 'float')], {}, { outputs: 3 });
      expect([y.shape, scale.shape, zp.shape], `shapes ${shape}`).toEqual([[...shape], [], []]);
      const min = Math.min(0, ...x.v), max = Math.max(0, ...x.v);
      // x of zeros: no range, 0 / 0 in the formula; scale 1 as onnxruntime gives.
      const s = max === min ? 1 : Math.fround(Math.fround(max - min) / 255);
      expectClose(scale.v, [s], 3e-7, `scale [${shape}] in [${lo}, ${hi})`);
      const z = roundHalfEven(saturate(Math.fround(-Math.fround(min / s)), 'uint8'));
      expectQuantized(zp.v, [z], [-min / s], `zero point [${shape}]`);
      // y against the scale and zero point it came with.
      const [gs, gz] = [scale.v[0], zp.v[0]];
      expectQuantized(y.v, x.v.map((v) => quantize(v, gs, gz, 'uint8')), x.v.map((v) => v / gs), `y [${shape}]`);
    }
  });

  it('MatMulInteger: uint8 × int8 and alike, zero points per tensor, per row of A, per column of B, or none; odd K', async () => {
    const CASES: [number, number, number][] = [[1, 1, 1], [3, 7, 5], [4, 129, 3], [2, 1, 9]];
    for (const [m, k, n] of CASES) {
      for (const [ta, tb] of [['uint8', 'int8'], ['uint8', 'uint8'], ['int8', 'int8']] as const) {
        const a = ints([m, k], ta), b = ints([k, n], tb);
        for (const zps of ['none', 'tensor', 'axis'] as const) {
          const azp = zps === 'none' ? [0] : zeroPoints(zps === 'axis' ? m : 1, ta), bzp = zps === 'none' ? [0] : zeroPoints(zps === 'axis' ? n : 1, tb);
          const zpFeed = (v: ArrayLike<number>, t: Q) => (zps === 'axis' ? list(v, t) : scalar(v[0], t));
          for (const constantB of [true, false]) {
            const inputs = [typed(a, ta), typed(b, tb, constantB), ...(zps === 'none' ? [] : [zpFeed(azp, ta), zpFeed(bzp, tb)])];
            const got = await runOp('MatMulInteger', inputs);
            const want = integerMatmulRef(a, b, azp, bzp);
            expect(got[0].shape).toEqual(want.shape);
            expectExact(got[0].v, want.v, `${ta} [${m}, ${k}] × ${tb} [${k}, ${n}], zero points ${zps}${constantB ? ', B an initializer' : ''}`);
          }
        }
      }
    }
  });

  it('MatMulInteger: batched and 1-D operands; sums past 2^24 exact (no f32 accumulation)', async () => {
    const a = ints([2, 3, 7], 'uint8'), b = ints([7, 5], 'int8');
    const got = await runOp('MatMulInteger', [typed(a, 'uint8'), typed(b, 'int8', true), scalar(3, 'uint8'), scalar(-2, 'int8')]);
    const want = [0, 1].flatMap((t) => Array.from(integerMatmulRef({ shape: [3, 7], v: a.v.slice(t * 21, t * 21 + 21) }, b, [3], [-2]).v));
    expect(got[0].shape).toEqual([2, 3, 5]);
    expectExact(got[0].v, want, 'batched A');
    const v = ints([7], 'uint8');
    const vec = await runOp('MatMulInteger', [typed(v, 'uint8'), typed(b, 'int8', true), scalar(9, 'uint8')]);
    expect(vec[0].shape).toEqual([5]);
    expectExact(vec[0].v, integerMatmulRef({ shape: [1, 7], v: v.v }, b, [9], [0]).v, '1-D A');
    // Mostly extremes over K = 1031: sums past 2^24, some odd, which f32 could not hold.
    const k = 1031;
    const big = f64([4, k], randomInts(4 * k, 0, 15).map((r) => (r ? 255 : 0))), wide = f64([k, 8], randomInts(8 * k, 0, 15).map((r) => (r ? 127 : -128)));
    const exact = integerMatmulRef(big, wide, [0], [0]);
    expect(exact.v.some((s) => Math.abs(s) > 2 ** 24 && Math.fround(s) !== s), 'the reference holds sums f32 rounds').toBe(true);
    for (const constant of [true, false]) {
      expectExact((await runOp('MatMulInteger', [typed(big, 'uint8'), typed(wide, 'int8', constant)]))[0].v, exact.v, `K = 1031 at the extremes${constant ? ', B an initializer' : ''}`);
    }
  });

  const GEOMETRIES: { name: string; x: number[]; w: number[]; g: ConvGeometry }[] = [
    { name: '2-D 3×3, pads 1', x: [2, 3, 6, 5], w: [4, 3, 3, 3], g: { pads: [1, 1, 1, 1], strides: [1, 1], dilations: [1, 1], group: 1 } },
    { name: '2-D stride 2, uneven pads, dilation 2, 2 groups', x: [1, 4, 7, 6], w: [6, 2, 2, 3], g: { pads: [0, 2, 1, 0], strides: [2, 1], dilations: [2, 1], group: 2 } },
    { name: '1-D, K = 129 taps', x: [2, 43, 9], w: [5, 43, 3], g: { pads: [2, 0], strides: [2], dilations: [1], group: 1 } },
    { name: '3-D 2×3×2, uneven pads, strides and dilation, 2 groups', x: [2, 4, 5, 6, 5], w: [6, 2, 2, 3, 2], g: { pads: [1, 0, 1, 0, 2, 1], strides: [1, 2, 2], dilations: [2, 1, 1], group: 2 } },
  ];

  it.each(GEOMETRIES)('ConvInteger $name: uint8 x, int8 weights per tensor and per output channel, padding as the zero point', async ({ x: xs, w: ws, g }) => {
    const attributes: Record<string, AttributeSpec> = { pads: g.pads, strides: g.strides, dilations: g.dilations, group: g.group };
    for (const [tx, tw] of [['uint8', 'int8'], ['int8', 'uint8']] as const) {
      const x = ints(xs, tx), w = ints(ws, tw);
      const [xz] = zeroPoints(1, tx);
      for (const perChannel of [false, true]) {
        const wz = zeroPoints(perChannel ? ws[0] : 1, tw);
        const got = await runOp('ConvInteger', [typed(x, tx), typed(w, tw, true), scalar(xz, tx), perChannel ? list(wz, tw) : scalar(wz[0], tw)], attributes);
        const want = integerConvRef(x, w, xz, wz, g);
        expect(got[0].shape).toEqual(want.shape);
        expectExact(got[0].v, want.v, `${tx} x, ${tw} w ${perChannel ? 'per channel' : 'per tensor'}`);
      }
    }
    const x = ints(xs, 'uint8'), w = ints(ws, 'uint8');
    expectExact((await runOp('ConvInteger', [typed(x, 'uint8'), typed(w, 'uint8', true)], attributes))[0].v, integerConvRef(x, w, 0, [0], g).v, 'no zero points');
  });

  it('QLinearMatMul: int products requantized by a_scale · b_scale / y_scale, per tensor and per row / column', async () => {
    for (const [m, k, n] of [[1, 1, 1], [3, 7, 5], [5, 129, 4]]) {
      for (const [ta, tb, ty] of [['uint8', 'int8', 'uint8'], ['int8', 'int8', 'int8'], ['uint8', 'uint8', 'int8']] as const) {
        for (const perAxis of [false, true]) {
          const a = ints([m, k], ta), b = ints([k, n], tb);
          const as = scales(perAxis ? m : 1), az = zeroPoints(perAxis ? m : 1, ta), bs = scales(perAxis ? n : 1), bz = zeroPoints(perAxis ? n : 1, tb);
          // A y_scale near the product's range: most outputs inside it, some saturating.
          const [ys] = asF32(uniform(1, 0.5, 2)).map((v) => Math.fround(v * Math.sqrt(k) * 100 * as[0] * bs[0]));
          const [yz] = zeroPoints(1, ty);
          const p = (v: ArrayLike<number>, t: OnnxTypeName) => (perAxis ? list(v, t) : scalar(v[0], t));
          const got = await runOp('QLinearMatMul', [typed(a, ta), p(as, 'float'), p(az, ta), typed(b, tb, true), p(bs, 'float'), p(bz, tb), scalar(ys), scalar(yz, ty)]);
          const acc = integerMatmulRef(a, b, az, bz);
          const quotient = (v: number, at: number) => Math.fround(Math.fround(v) * Math.fround(Math.fround(as[perAxis ? Math.floor(at / n) : 0] * bs[perAxis ? at % n : 0]) / ys));
          const want = acc.v.map((v, at) => saturate(roundHalfEven(quotient(v, at)) + yz, ty));
          expectQuantized(got[0].v, want, acc.v.map(quotient), `${ta} [${m}, ${k}] × ${tb} [${k}, ${n}] → ${ty}${perAxis ? ', per row and column' : ''}`);
        }
      }
    }
  });

  it.each(GEOMETRIES)('QLinearConv $name: with an int32 bias, weights per tensor and per output channel', async ({ x: xs, w: ws, g }) => {
    const attributes: Record<string, AttributeSpec> = { pads: g.pads, strides: g.strides, dilations: g.dilations, group: g.group };
    for (const perChannel of [false, true]) {
      const x = ints(xs, 'uint8'), w = ints(ws, 'int8');
      const [xs_] = scales(1), [xz] = zeroPoints(1, 'uint8');
      const m = ws[0], wsc = scales(perChannel ? m : 1), wz = zeroPoints(perChannel ? m : 1, 'int8');
      const bias = randomInts(m, -5000, 5000);
      const taps = size(ws.slice(1));
      const ys = Math.fround(Math.sqrt(taps) * 100 * xs_ * wsc[0]);
      const [yz] = zeroPoints(1, 'uint8');
      const p = (v: ArrayLike<number>, t: OnnxTypeName) => (perChannel ? list(v, t) : scalar(v[0], t));
      const got = await runOp('QLinearConv', [typed(x, 'uint8'), scalar(xs_), scalar(xz, 'uint8'), typed(w, 'int8', true), p(wsc, 'float'), p(wz, 'int8'), scalar(ys), scalar(yz, 'uint8'), list(bias, 'int32')], attributes);
      const acc = integerConvRef(x, w, xz, wz, g);
      const per = size(acc.shape.slice(2));
      const channel = (at: number) => Math.floor(at / per) % m;
      const quotient = (v: number, at: number) => Math.fround(Math.fround(v + bias[channel(at)]) * Math.fround(Math.fround(xs_ * wsc[perChannel ? channel(at) : 0]) / ys));
      expectQuantized(got[0].v, acc.v.map((v, at) => saturate(roundHalfEven(quotient(v, at)) + yz, 'uint8')), acc.v.map(quotient), perChannel ? 'per channel' : 'per tensor');
    }
  });

  it('refuses what it cannot run, naming the node, the input or attribute, and why', () => {
    const run = (op: string, inputs: Feed[], attributes: Record<string, AttributeSpec> = {}, opset = 13) => () => runOpSync(op, inputs, attributes, opset);
    const x = typed(floats([2, 3]), 'float');
    expect(run('QuantizeLinear', [x, scalar(0.1), scalar(0, 'uint8')], { block_size: 2 }, 21)).toThrow(/node 'QuantizeLinear_0' \(QuantizeLinear\): block_size = 2 along axis 1 of x \[2, 3\] needs a scale of \[2, 2\].*the scale \(input 1\) is \[\]/);
    expect(run('QuantizeLinear', [x, typed({ shape: [2, 2], v: [0.1, 0.2, 0.3, 0.4] }, 'float', true)], { block_size: 2 }, 19)).toThrow(/block_size = 2: blocked quantization needs opset 21 or later \(the model imports 19\)/);
    expect(run('QuantizeLinear', [x, scalar(0.1)], { output_dtype: 10 }, 21)).toThrow(/output_dtype = 10 \(float16\) is not supported: QuantizeLinear makes uint8, int8, uint16, int16, int4, uint4, float8e4m3fn, .*, float4e2m1/);
    expect(run('QuantizeLinear', [x, scalar(0.1), scalar(0, 'float')])).toThrow(/y_zero_point \(input 2\) is float; QuantizeLinear takes uint8 or int8 or uint16 or int16 or int4 or uint4 or float8e4m3fn or float8e4m3fnuz or float8e5m2 or float8e5m2fnuz or float4e2m1 there/);
    expect(run('QuantizeLinear', [x, list([0.1, 0.2, 0.3]), list([1, 2], 'uint8')])).toThrow(/the zero point \(input 2\) is \[2\] and the scale \[3\]; ONNX requires them of one shape/);
    expect(run('QuantizeLinear', [x, list([0.1, 0.2])])).toThrow(/the scale \(input 1\) is \[2\]; it must be a scalar \(per tensor\) or 1-D of 3 elements \(along axis 1/);
    expect(run('QuantizeLinear', [x, list([0.1, 0.2, 0.3])], {}, 10)).toThrow(/per-axis quantization needs opset 13 or later/);
    expect(run('DequantizeLinear', [typed(ints([2, 3], 'int8'), 'int8'), scalar(0.1), scalar(1, 'uint8')])).toThrow(/x_zero_point \(input 2\) is uint8 but the tensor it belongs to is int8; ONNX requires them of one type/);
    expect(run('DequantizeLinear', [typed(ints([2, 3], 'int8'), 'int32', true), scalar(0.1), scalar(1, 'int32')])).toThrow(/x is int32 and its zero point is not 0/);
    expect(run('DequantizeLinear', [typed(ints([2, 3], 'int8'), 'int8'), scalar(1, 'int8')])).toThrow(/x_scale \(input 1\) is int8; it must be a float/);
    const a = typed(ints([2, 3], 'uint8'), 'uint8'), b = typed(ints([3, 4], 'int8'), 'int8', true);
    expect(run('MatMulInteger', [a, b, scalar(0, 'uint8'), list([1, 2, 3], 'int8')])).toThrow(/node 'MatMulInteger_0' \(MatMulInteger\): b_zero_point \(input 3\) is \[3\]; it must be a scalar \(per tensor\) or 1-D of 4 elements \(per column of B\)/);
    expect(run('MatMulInteger', [typed(floats([2, 3]), 'float'), b])).toThrow(/A \(input 0\) is float; MatMulInteger takes uint8 or int8 there/);
    expect(run('MatMulInteger', [a, b, scalar(0, 'int8')])).toThrow(/a_zero_point \(input 2\) is int8 but the tensor it belongs to is uint8/);
    const qm = (yz: Feed) => [a, scalar(0.1), scalar(0, 'uint8'), b, scalar(0.1), scalar(0, 'int8'), scalar(0.1), yz];
    expect(run('QLinearMatMul', qm(list([1, 2], 'uint8')))).toThrow(/y_scale \(input 6\) is \[\]|y_zero_point \(input 7\) is \[2\]; the output is quantized per tensor/);
    expect(run('QLinearMatMul', [a, scalar(0.1), list([0, 0], 'uint8'), b, scalar(0.1), scalar(0, 'int8'), scalar(0.1), scalar(0, 'uint8')])).toThrow(/a_scale \(input 1\) is \[\] and a_zero_point \(input 2\) \[2\]; ONNX requires them of one shape/);
    const cx = typed(ints([1, 2, 4, 4, 4, 4], 'uint8'), 'uint8'), cw = typed(ints([2, 2, 1, 1, 1, 1], 'int8'), 'int8', true);
    expect(run('ConvInteger', [cx, cw])).toThrow(/tmnn runs 1-, 2- and 3-D ConvInteger/);
    const cx2 = typed(ints([1, 2, 4, 4], 'uint8'), 'uint8'), cw2 = typed(ints([2, 2, 3, 3], 'int8'), 'int8', true);
    expect(run('ConvInteger', [cx2, cw2, list([1, 2], 'uint8')])).toThrow(/x_zero_point \(input 2\) is \[2\]; the input is quantized per tensor/);
    expect(run('ConvInteger', [cx2, cw2], { kernel_shape: [2, 2] })).toThrow(/kernel_shape = \[2, 2\] differs from the weight's \[3, 3\]/);
  });
});

/** runOp's model run synchronously (the errors come from forward, before any readback); every tensor freed. */
function runOpSync(op: string, inputs: readonly Feed[], attributes: Record<string, AttributeSpec>, opset: number): void {
  const initializers: Record<string, { type?: OnnxTypeName; shape: readonly number[]; values: ArrayLike<number> }> = {};
  const graphInputs: { name: string; type: OnnxTypeName; shape: readonly number[] }[] = [];
  const names = inputs.map((f, i) => {
    const name = `x${i}`;
    if (f.constant) initializers[name] = { type: f.type, shape: f.shape, values: f.values };
    else graphInputs.push({ name, type: f.type ?? 'float', shape: f.shape });
    return name;
  });
  const model = tm.onnx.fromBytes(onnxModel({ opset, irVersion: opset >= 21 ? 10 : 8, inputs: graphInputs, outputs: [{ name: 'y' }], nodes: [{ op, inputs: names, outputs: ['y'], attributes }], initializers }));
  const fed = graphInputs.map((g) => {
    const f = inputs[Number(g.name.slice(1))];
    return tm.tensor(Array.from(f.values), [...f.shape], { dtype: g.type === 'float' ? 'f32' : 'i32' });
  });
  try {
    tm.noGrad(() => model.forward(...fed)).dispose();
  } finally {
    for (const t of fed) t.dispose();
    model.dispose();
  }
}

/** A one-node model's output from onnxruntime-web: inputs fed or written as initializers as `feeds` say, the output of `outType`. */
async function ortNode(op: string, feeds: readonly Feed[], attributes: Record<string, AttributeSpec>, outType: OnnxTypeName): Promise<Float64Array> {
  const initializers: Record<string, { type?: OnnxTypeName; shape: readonly number[]; values: ArrayLike<number> }> = {};
  const inputs: { name: string; type: OnnxTypeName; shape: readonly number[] }[] = [];
  const ortFeeds: Record<string, ort.Tensor> = {};
  const names = feeds.map((f, i) => {
    const name = `x${i}`;
    if (f.constant) initializers[name] = { type: f.type, shape: f.shape, values: f.values };
    else {
      inputs.push({ name, type: f.type ?? 'float', shape: f.shape });
      const data = f.type === 'uint8' ? Uint8Array.from(f.values) : f.type === 'int8' ? Int8Array.from(f.values) : Float32Array.from(f.values);
      ortFeeds[name] = new ort.Tensor(f.type === 'uint8' || f.type === 'int8' ? f.type : 'float32', data, [...f.shape]);
    }
    return name;
  });
  const bytes = onnxModel({ opset: 13, inputs, outputs: [{ name: 'y', type: outType }], nodes: [{ op, inputs: names, outputs: ['y'], attributes }], initializers });
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'disabled' });
  try {
    const out = await session.run(ortFeeds);
    return Float64Array.from((await out.y.getData()) as ArrayLike<number>);
  } finally {
    await session.release();
  }
}

describe.each(BACKENDS)('tm.onnx quantization beside onnxruntime-web, node by node, on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('computes what onnxruntime computes for each op (integers exactly, but for a quotient at a half)', async () => {
    const x = floats([3, 5, 7], -6, 6), a = ints([5, 129], 'uint8'), b = ints([129, 6], 'int8');
    const cx = ints([2, 3, 7, 6], 'uint8'), cw = ints([4, 3, 3, 2], 'int8');
    const conv = { pads: [1, 0, 1, 1], strides: [2, 1], dilations: [1, 2] };
    const ys = 0.03; // outputs of the product spread over the uint8 range, some saturating
    const CASES: [string, Feed[], Record<string, AttributeSpec>, OnnxTypeName, ArrayLike<number>?][] = [
      ['QuantizeLinear', [typed(x, 'float'), scalar(0.037), scalar(-3, 'int8')], {}, 'int8', x.v.map((v) => v / 0.037)],
      ['QuantizeLinear', [typed(x, 'float'), list(scales(5)), list(zeroPoints(5, 'uint8'), 'uint8')], { axis: 1 }, 'uint8'],
      ['DequantizeLinear', [typed(a, 'uint8'), list(scales(129)), list(zeroPoints(129, 'uint8'), 'uint8')], { axis: 1 }, 'float'],
      ['MatMulInteger', [typed(a, 'uint8'), typed(b, 'int8', true), scalar(131, 'uint8'), list(zeroPoints(6, 'int8'), 'int8')], {}, 'int32'],
      ['MatMulInteger', [typed(a, 'uint8'), typed(ints([129, 6], 'uint8'), 'uint8'), scalar(7, 'uint8'), scalar(200, 'uint8')], {}, 'int32'],
      ['ConvInteger', [typed(cx, 'uint8'), typed(ints([4, 3, 3, 2], 'uint8'), 'uint8', true), scalar(100, 'uint8'), scalar(90, 'uint8')], conv, 'int32'],
      ['QLinearMatMul', [typed(a, 'uint8'), scalar(0.05), scalar(120, 'uint8'), typed(b, 'int8', true), scalar(0.001), scalar(0, 'int8'), scalar(ys), scalar(128, 'uint8')], {}, 'uint8'],
      ['QLinearConv', [typed(cx, 'uint8'), scalar(0.05), scalar(120, 'uint8'), typed(cw, 'int8', true), list(scales(4)), list([0, 0, 0, 0], 'int8'), scalar(0.5), scalar(100, 'uint8'), list(randomInts(4, -500, 500), 'int32')], conv, 'uint8'],
    ];
    for (const [op, feeds, attributes, outType, quotients] of CASES) {
      const got = (await runOp(op, feeds, attributes))[0].v;
      const want = await ortNode(op, feeds, attributes, outType);
      const what = `${op} ${feeds.map((f) => f.type).join(', ')}`;
      if (outType === 'float') expectExact(got, want, what);
      else if (quotients) expectQuantized(got, want, quotients, what);
      else if (op.startsWith('QLinear') || op === 'QuantizeLinear') {
        // Requantized: the same value, but for a product at a half that f32 division may round either way.
        expectClose(got, want, 1, what, want.map(() => 0));
        expect(got.filter((v, i) => v !== want[i]).length, `${what}: values off by one`).toBeLessThanOrEqual(1);
      } else expectExact(got, want, what);
    }
  });
});

const MLP_SIZES = [13, 32, 5];

function randomMlp(): Mlp {
  return {
    layers: MLP_SIZES.slice(1).map((n, i) => {
      const k = MLP_SIZES[i], bound = 1 / Math.sqrt(k);
      return { w: floats([k, n], -bound, bound), b: floats([n], -bound, bound) };
    }),
  };
}

/** uint8 scale and zero point for values in [min, max] (with 0), as calibration finds them. */
function calibrate(v: ArrayLike<number>): { scale: number; zeroPoint: number } {
  const lo = Math.min(0, ...Array.from(v)), hi = Math.max(0, ...Array.from(v));
  const scale = Math.fround((hi - lo) / 255);
  return { scale, zeroPoint: roundHalfEven(-lo / scale) };
}

async function ortRun(bytes: Uint8Array, x: F64): Promise<Float64Array> {
  // Graph optimizations off: onnxruntime runs the nodes as written (it would fuse QDQ pairs into QLinear ops, which round elsewhere).
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'disabled' });
  try {
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from(x.v), x.shape) });
    return Float64Array.from((await out.y.getData()) as Float32Array);
  } finally {
    await session.release();
  }
}

describe.each(BACKENDS)('quantized MLPs in onnxruntime formats on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  /** Within what the rounding of the activations and weights can move the float model's output (quantizationErrorBound). */
  function expectNearFloat(got: Float64Array, mlp: Mlp, x: F64, rounding: MlpRounding, what: string): void {
    const float = mlpRef(mlp, x).v, bound = quantizationErrorBound(mlp, x, rounding);
    got.forEach((g, i) => {
      if (!(Math.abs(g - float[i]) <= bound[i])) expect.fail(`${what} index ${i}: got ${g}, want ${float[i]} ± ${bound[i]} (test seed ${SEED})`);
    });
  }

  it('the dynamic format (DynamicQuantizeLinear, MatMulInteger): tmnn as onnxruntime, near the float model', async () => {
    const mlp = randomMlp();
    for (const flattenQuantized of [false, true]) {
      const bytes = onnxModel(dynamicMlp(mlp, 'batch', { flattenQuantized }));
      for (const batch of [1, 6]) {
        const x = floats([batch, MLP_SIZES[0]]);
        const what = `batch ${batch}${flattenQuantized ? ', a Flatten after each DynamicQuantizeLinear' : ''}`;
        const [got] = await runModel(bytes, [{ shape: x.shape, values: x.v }]);
        expect(got.shape).toEqual([batch, MLP_SIZES[2]]);
        expectClose(got.v, await ortRun(bytes, x), 1e-5, `${what}: onnxruntime`);
        expectNearFloat(got.v, mlp, x, dynamicRounding(mlp), `${what}: the float model`);
      }
    }
  });

  it('keeps what it derives from the int8 weights across runs (the same output each run), and frees it with the model', async () => {
    const before = await collected();
    const model = tm.onnx.fromBytes(onnxModel(dynamicMlp(randomMlp(), 'batch')));
    const x = tm.tensor(Array.from(floats([3, MLP_SIZES[0]]).v), [3, MLP_SIZES[0]]);
    const runOnce = async () => {
      const y = tm.noGrad(() => model.forward(x));
      const values = await y.data();
      y.dispose();
      return { values, live: tm.memory().numTensors };
    };
    const first = await runOnce(), second = await runOnce();
    expectExact(second.values, first.values, 'second run');
    expect(second.live, 'no tensors added by the second run').toBe(first.live);
    expect(first.live, 'the kept weights').toBeGreaterThan(before + 1);
    x.dispose();
    model.dispose();
    expect(tm.memory().numTensors, 'tensors left after dispose').toBe(before);
  });

  it('the QDQ format (QuantizeLinear → DequantizeLinear, per-channel int8 weights, int32 biases): tmnn as onnxruntime, near the float model', async () => {
    const mlp = randomMlp();
    const x = floats([6, MLP_SIZES[0]]);
    // Activation scales calibrated on x and the float model's hidden layer.
    const hidden = mlpRef({ layers: mlp.layers.slice(0, 1) }, x).v.map((v) => Math.max(0, v));
    const activations = [calibrate(x.v), calibrate(hidden)];
    const bytes = onnxModel(qdqMlp(mlp, 'batch', activations));
    const [got] = await runModel(bytes, [{ shape: x.shape, values: x.v }]);
    expectClose(got.v, await ortRun(bytes, x), 1e-5, 'onnxruntime');
    expectNearFloat(got.v, mlp, x, qdqRounding(mlp, activations), 'the float model');
  });
});
