// ONNX's low-bit types (opsets 19, 21 and 23): int4 and uint4, packed two
// to a byte, the four 8-bit floats and float4e2m1 (packed as int4), read
// from initializers whose bytes the
// test writes itself (raw_data and int32_data), and QuantizeLinear /
// DequantizeLinear making and taking them per tensor, per axis and in
// opset 21's blocks (block_size, the last block short where it does not
// divide the axis), on every backend against float64 loops of the spec
// (test/helpers/onnx_low_bit.ts); then an int4 block-quantized weight
// through DequantizeLinear → MatMul, as onnxruntime's 4-bit weight-only
// quantization writes a MatMul's weight in QDQ form; and the same models
// beside onnxruntime-web.
//
// onnxruntime-web runs every one of these ops, but cannot hand a low-bit
// tensor back to JavaScript ("unsupported type: int4", "unsupported data
// type: 17"): its QuantizeLinear is compared through a DequantizeLinear
// after it, in one graph. Its wasm build has no float4e2m1 kernels ("Could
// not find an implementation for DequantizeLinear(23)", QuantizeLinear(23)
// too): float4e2m1 is checked against the float64 reference only.
//
// Where x / scale is an f32 division, WGSL's may be 2.5 ulps off: a rounding
// may then differ only where the quotient lies that close to a rounding
// boundary, which expectQuantized and expectFloat8 allow and nothing more.
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { constantOf } from '../../../src/onnx/value.js';
import { BACKENDS } from '../../helpers/backends.js';
import { asF32, expectClose, expectExact, randomInts, SEED, uniform } from '../../helpers/data.js';
import { collected } from '../../helpers/gc.js';
import { f64, size, type F64 } from '../../helpers/float64.js';
import { onnxModel, type GraphSpec, type OnnxTypeName } from '../../helpers/onnx.js';
import { blockedShape, blockIndex, f4Bits, f4FromBits, f4Round, f8Bits, f8FromBits, f8Max, f8Round, F8_TYPES, I4_RANGE, lowBitTensor, packNibbles, quantize4, type F4, type F8, type I4 } from '../../helpers/onnx_low_bit.js';
import { axisIndex, expectQuantized } from '../../helpers/onnx_quantized.js';
import { runModel, runOp, type Feed } from '../../helpers/onnx_run.js';
import { ortRun } from '../../helpers/ort.js';

const I4_TYPES: readonly I4[] = ['int4', 'uint4'];
const floats = (shape: number[], lo = -2, hi = 2): F64 => f64(shape, asF32(uniform(size(shape), lo, hi)));
const ints4 = (shape: number[], type: I4): F64 => f64(shape, randomInts(size(shape), ...I4_RANGE[type]));
const scales = (n: number) => asF32(uniform(n, 0.01, 0.1));
const fed = (a: { shape: number[]; v: ArrayLike<number> }, type: OnnxTypeName = 'float'): Feed => ({ shape: a.shape, values: a.v, type });
const constant = (a: { shape: readonly number[]; v: ArrayLike<number> }, type: OnnxTypeName = 'float'): Feed => ({ shape: a.shape, values: a.v, type, constant: true });
/** A low-bit initializer, its bytes written by the test, in either stored form. */
const lowBit = (type: F8 | I4 | F4, shape: readonly number[], values: ArrayLike<number>, form: 'raw' | 'int32' = 'raw'): Feed => ({ shape, values, type, constant: true, stored: lowBitTensor(type, shape, values, form).stored });
const OPSET = { opset: 21 };
/** float4e2m1 came in opset 23. */
const F4_OPSET = { opset: 23 };

/** Where scale k of x's flat element lies: per tensor, along an axis, or in blocks along it. */
type Layout = { kind: 'tensor' } | { kind: 'axis'; axis: number } | { kind: 'block'; axis: number; block: number };
const scaleShapeOf = (shape: readonly number[], l: Layout): number[] => (l.kind === 'tensor' ? [] : l.kind === 'axis' ? [shape[l.axis]] : blockedShape(shape, l.axis, l.block));
const indexOf = (shape: readonly number[], l: Layout) => (k: number): number => (l.kind === 'tensor' ? 0 : l.kind === 'axis' ? axisIndex(k, shape, l.axis) : blockIndex(k, shape, l.axis, l.block));
const attributesOf = (l: Layout): Record<string, number> => (l.kind === 'tensor' ? {} : l.kind === 'axis' ? { axis: l.axis } : { axis: l.axis, block_size: l.block });

const LAYOUTS: [number[], Layout][] = [
  [[7], { kind: 'tensor' }],
  [[3, 5], { kind: 'axis', axis: 1 }],
  // Blocks that do not divide the axis (the last short), one block past the axis' length, and blocks along the first axis.
  [[5, 13], { kind: 'block', axis: 1, block: 4 }],
  [[2, 9, 3], { kind: 'block', axis: 1, block: 16 }],
  [[7, 3, 5], { kind: 'block', axis: 0, block: 3 }],
];

/**
 * An 8-bit float equals the reference's rounding of the f32 quotient, or,
 * where the quotient lies within a few f32 ulps of a rounding boundary
 * (an f32 division 2.5 ulps off may cross it), the rounding of a neighbour.
 */
function expectFloat8(got: ArrayLike<number>, quotients: ArrayLike<number>, type: F8, saturate: boolean, what: string): void {
  expectRounded(got, quotients, (v) => f8Round(v, type, saturate), what);
}

/** expectFloat8 for any rounding to a small float format (float4e2m1's too). */
function expectRounded(got: ArrayLike<number>, quotients: ArrayLike<number>, round: (v: number) => number, what: string): void {
  expect(got.length, what).toBe(quotients.length);
  const eps = 8 * 2 ** -23;
  for (let i = 0; i < quotients.length; i++) {
    const q = quotients[i], want = round(q);
    if (Object.is(got[i], want) || got[i] === want || (Number.isNaN(got[i]) && Number.isNaN(want))) continue;
    const near = [q * (1 - eps), q * (1 + eps)].map(round);
    if (!near.includes(got[i])) expect.fail(`${what} index ${i}: got ${got[i]}, want ${want} (quotient ${q}, test seed ${SEED})`);
  }
}

describe('the low-bit references', () => {
  it('read the formats as Float8.md tabulates them, and round to nearest, ties to even', () => {
    expect([0x7e, 0x7f, 0x01, 0x08, 0x80].map((b) => f8FromBits(b, 'float8e4m3fn'))).toEqual([448, NaN, 2 ** -9, 2 ** -6, -0]);
    expect([0x7f, 0x80, 0x01, 0x00].map((b) => f8FromBits(b, 'float8e4m3fnuz'))).toEqual([240, NaN, 2 ** -10, 0]);
    expect([0x7b, 0x7c, 0xfc, 0x7d, 0x01].map((b) => f8FromBits(b, 'float8e5m2'))).toEqual([57344, Infinity, -Infinity, NaN, 2 ** -16]);
    expect([0x7f, 0x80, 0x01].map((b) => f8FromBits(b, 'float8e5m2fnuz'))).toEqual([57344, NaN, 2 ** -17]);
    // 17 lies halfway between 16 (mantissa 000) and 18 (001): to 16; 19 between 18 and 20: to 20.
    expect([17, 19, -17, 464, 465, 1e9, Infinity].map((v) => f8Round(v, 'float8e4m3fn'))).toEqual([16, 20, -16, 448, 448, 448, 448]);
    expect([464, 465, Infinity].map((v) => f8Round(v, 'float8e4m3fn', false))).toEqual([448, NaN, NaN]);
    expect([61439, 61440, Infinity].map((v) => f8Round(v, 'float8e5m2', false))).toEqual([57344, Infinity, Infinity]);
    expect([f8Bits(-1e-9, 'float8e4m3fnuz', true), f8Bits(-1e-9, 'float8e4m3fn', true)]).toEqual([0, 0x80]);
    expect(packNibbles([1, -1, 7])).toEqual(Uint8Array.from([0xf1, 0x07]));
    // Float4.md's table of E2M1 values, then the halfway points to the even code (0.25 → 0, 0.75 → 1, 1.25 → 1, 1.75 → 2, 2.5 → 2, 3.5 → 4, 5 → 4).
    expect(Array.from({ length: 16 }, (_, c) => f4FromBits(c))).toEqual([0, 0.5, 1, 1.5, 2, 3, 4, 6, -0, -0.5, -1, -1.5, -2, -3, -4, -6]);
    expect([0.25, 0.75, 1.25, 1.75, 2.5, 3.5, 5, 5.01, -0.26, 1e9, -Infinity, NaN, -0.1].map(f4Round)).toEqual([0, 1, 1, 2, 2, 4, 4, 6, -0.5, 6, -6, 6, -0]);
    expect([f4Bits(NaN), f4Bits(-0), f4Bits(-7)]).toEqual([0x7, 0x8, 0xf]);
  });
});

describe('low-bit initializers read', () => {
  const proto = (dataType: number, dims: number[], parts: { rawData?: Uint8Array; int32Data?: number[] }) => ({ name: 'w', dims, dataType, floatData: [], int32Data: [], int64Data: [], doubleData: [], uint64Data: [], stringData: [], ...parts });

  it('int4 and uint4 from raw_data and int32_data, two to a byte, low nibble first, an odd count too', () => {
    for (const type of I4_TYPES) {
      for (const shape of [[1], [3, 5], [2, 2]]) {
        const v = ints4(shape, type).v;
        // The bytes by hand: element 2i in the low nibble of byte i, 2i + 1 in the high one.
        const bytes = new Uint8Array(Math.ceil(v.length / 2));
        v.forEach((x, i) => (bytes[Math.floor(i / 2)] += (i % 2 ? 16 : 1) * (x < 0 ? x + 16 : x)));
        for (const parts of [{ rawData: bytes }, { int32Data: Array.from(bytes) }]) {
          const c = constantOf(proto(type === 'int4' ? 22 : 21, shape, parts), 'w');
          expect([c.type, c.shape]).toEqual([type, shape]);
          expectExact(c.data, v, `${type} [${shape}] from ${Object.keys(parts)[0]}`);
        }
      }
    }
  });

  it('the four 8-bit floats from raw_data and int32_data: every byte, NaN, ±∞ and −0 among them', () => {
    const codes = Array.from({ length: 256 }, (_, i) => i);
    F8_TYPES.forEach((type, t) => {
      for (const parts of [{ rawData: Uint8Array.from(codes) }, { int32Data: codes }]) {
        const c = constantOf(proto(17 + t, [16, 16], parts), 'w');
        expect(c.type).toBe(type);
        const want = codes.map((b) => f8FromBits(b, type));
        expectExact(c.data, want, `${type} from ${Object.keys(parts)[0]}`);
        expect(Object.is(c.data[0x80], want[0x80]), `${type}: 0x80 is ${want[0x80]}`).toBe(true);
      }
    });
  });

  it('float4e2m1 from raw_data and int32_data, two to a byte, low nibble first: every code, −0 among them, an odd count', () => {
    const codes = [...Array.from({ length: 16 }, (_, c) => c), 5];
    const bytes = new Uint8Array(9);
    codes.forEach((c, i) => (bytes[Math.floor(i / 2)] += (i % 2 ? 16 : 1) * c));
    for (const parts of [{ rawData: bytes }, { int32Data: Array.from(bytes) }]) {
      const c = constantOf(proto(23, [17], parts), 'w');
      expect([c.type, c.shape]).toEqual(['float4e2m1', [17]]);
      expectExact(c.data, codes.map(f4FromBits), `float4e2m1 from ${Object.keys(parts)[0]}`);
      expect(Object.is(c.data[8], -0), 'code 0x8 is −0').toBe(true);
    }
    expect(() => constantOf(proto(23, [5], { rawData: new Uint8Array(2) }), 'initializer w')).toThrow(/has 2 bytes of float4e2m1 data; its 5 elements, two to a byte, take 3/);
  });

  it('refuses an unknown element type by its number, and 4-bit data of the wrong length', () => {
    expect(() => constantOf(proto(99, [2], { rawData: new Uint8Array(2) }), 'initializer w')).toThrow(/initializer w has element type 99, not one of ONNX's TensorProto.DataType values tmnn knows/);
    expect(() => constantOf(proto(8, [2], { rawData: new Uint8Array(1) }), 'initializer w')).toThrow(/initializer w has element type 8 \(string\), which tmnn does not run/);
    expect(() => constantOf(proto(22, [5], { rawData: new Uint8Array(2) }), 'initializer w')).toThrow(/has 2 bytes of int4 data; its 5 elements, two to a byte, take 3/);
    expect(() => constantOf(proto(21, [4], { int32Data: [1] }), 'initializer w')).toThrow(/has 1 int32_data entries of uint4; its 4 elements, two to an entry, take 2/);
  });
});

describe.each(BACKENDS)('tm.onnx low-bit quantization on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('low-bit initializers become tensors: 4-bit ones i32, 8-bit floats f32 of their values', async () => {
    for (const [type, values] of [['int4', [-8, 7, 0, -1, 3]], ['uint4', [0, 15, 9]], ...F8_TYPES.map((t) => [t, [f8Max(t), -0.5, 2 ** -9, 0, -3]])] as [F8 | I4, number[]][]) {
      for (const form of ['raw', 'int32'] as const) {
        const bytes = onnxModel({ opset: 21, irVersion: 10, inputs: [], outputs: [{ name: 'y', type }], initializers: { w: lowBitTensor(type, [values.length], values, form) }, nodes: [{ op: 'Identity', inputs: ['w'], outputs: ['y'] }] });
        const model = tm.onnx.fromBytes(bytes);
        const y = tm.noGrad(() => model.run([])).y;
        expect(y.dtype, `${type}`).toBe(type.endsWith('int4') ? 'i32' : 'f32');
        expectExact(await y.data(), type.endsWith('int4') ? values : values.map((v) => f8Round(v, type as F8)), `${type} ${form}`);
        expect(Object.keys(model.ownParameters()), 'no low-bit initializer is a parameter').toEqual([]);
        y.dispose();
        model.dispose();
      }
    }
  });

  it('QuantizeLinear to int4 and uint4: per tensor, per axis, in blocks; zero points or output_dtype; saturating both ends', async () => {
    for (const [shape, layout] of LAYOUTS) {
      const n = size(scaleShapeOf(shape, layout)), at = indexOf(shape, layout);
      for (const type of I4_TYPES) {
        const x = floats(shape, -1, 1), s = scales(n), z = randomInts(n, ...(type === 'int4' ? [-3, 3] : [5, 10]) as [number, number]);
        // Far past both ends of the range, whatever the scales.
        [x.v[0], x.v[x.v.length - 1]] = [100, -100];
        const sFeed = constant({ shape: scaleShapeOf(shape, layout), v: s });
        const quotients = x.v.map((v, k) => v / s[at(k)]);
        const [y] = await runOp('QuantizeLinear', [fed(x), sFeed, lowBit(type, sFeed.shape, z)], attributesOf(layout), OPSET);
        expectQuantized(y.v, x.v.map((v, k) => quantize4(v, s[at(k)], z[at(k)], type)), quotients, `${type} [${shape}] ${JSON.stringify(layout)}`);
        expect(y.v.includes(I4_RANGE[type][0]) && y.v.includes(I4_RANGE[type][1]), `${type} [${shape}] saturates both ends`).toBe(true);
        const [plain] = await runOp('QuantizeLinear', [fed(x), sFeed], { ...attributesOf(layout), output_dtype: type === 'int4' ? 22 : 21 }, OPSET);
        expectQuantized(plain.v, x.v.map((v, k) => quantize4(v, s[at(k)], 0, type)), quotients, `${type} [${shape}] by output_dtype`);
      }
    }
  });

  it('DequantizeLinear of int4 and uint4: initializers in either stored form and fed tensors, zero points per tensor, per axis, per block', async () => {
    for (const [shape, layout] of LAYOUTS) {
      const n = size(scaleShapeOf(shape, layout)), at = indexOf(shape, layout), scaleShape = scaleShapeOf(shape, layout);
      for (const type of I4_TYPES) {
        const x = ints4(shape, type), s = scales(n), z = randomInts(n, ...I4_RANGE[type]);
        const want = x.v.map((v, k) => Math.fround((v - z[at(k)]) * s[at(k)]));
        const xs: [string, Feed][] = [['raw_data', lowBit(type, shape, x.v, 'raw')], ['int32_data', lowBit(type, shape, x.v, 'int32')], ['fed', fed(x, type)]];
        for (const [form, xFeed] of xs) {
          for (const zFeed of [lowBit(type, scaleShape, z), fed({ shape: scaleShape, v: z }, type)]) {
            const [y] = await runOp('DequantizeLinear', [xFeed, constant({ shape: scaleShape, v: s }), zFeed], attributesOf(layout), OPSET);
            expectExact(y.v, want, `${type} [${shape}] ${JSON.stringify(layout)}, x ${form}, zero point ${zFeed.constant ? 'an initializer' : 'fed'}`);
          }
        }
        const [noZero] = await runOp('DequantizeLinear', [lowBit(type, shape, x.v), constant({ shape: scaleShape, v: s })], attributesOf(layout), OPSET);
        expectExact(noZero.v, x.v.map((v, k) => Math.fround(v * s[at(k)])), `${type} [${shape}] without a zero point`);
      }
    }
  });

  it("a blocked scale is a parameter: its gradient is the sum of x − zero point over each block", async () => {
    const shape = [3, 10], scaleShape = blockedShape(shape, 1, 4), at = (k: number) => blockIndex(k, shape, 1, 4);
    const x = ints4(shape, 'int4'), s = scales(9), z = randomInts(9, -8, 7);
    const bytes = onnxModel({
      opset: 21, irVersion: 10, inputs: [], outputs: [{ name: 'y' }],
      initializers: { w: lowBitTensor('int4', shape, x.v, 'raw'), s: { shape: scaleShape, values: s }, z: lowBitTensor('int4', scaleShape, z, 'int32') },
      nodes: [{ op: 'DequantizeLinear', inputs: ['w', 's', 'z'], outputs: ['y'], attributes: { axis: 1, block_size: 4 } }],
    });
    const before = await collected();
    const model = tm.onnx.fromBytes(bytes);
    const y = model.run([]).y;
    const loss = y.sum();
    loss.backward();
    const grad = model.ownParameters().s.grad!;
    const want = new Array(9).fill(0);
    x.v.forEach((v, k) => (want[at(k)] += v - z[at(k)]));
    expectExact(await grad.data(), want, 'd loss / d scale');
    for (const t of [y, loss, grad]) t.dispose();
    model.dispose();
    expect(tm.memory().numTensors, 'tensors left').toBe(before);
  });

  it('QuantizeLinear to the 8-bit floats: ties to even, subnormals, past the largest value saturating or not, ±∞, NaN, −0', async () => {
    for (const type of F8_TYPES) {
      const table = Array.from({ length: 128 }, (_, b) => f8FromBits(b, type)).filter(Number.isFinite);
      // Every halfway point between neighbours (both signs), divided by a scale of 1: the quotients are the ties themselves.
      const ties = table.slice(1).flatMap((v, i) => [(v + table[i]) / 2, -(v + table[i]) / 2]);
      const max = f8Max(type), special = [0, -0, NaN, Infinity, -Infinity, max, max * 1.03, max * 1.1, -max * 1.1, 1e30, table[1] / 3, -table[1] / 2, table[1] * 0.75];
      for (const saturate of [1, 0]) {
        const x = f64([ties.length + special.length], [...ties, ...special]);
        const [y] = await runOp('QuantizeLinear', [fed(x), constant({ shape: [], v: [1] }), lowBit(type, [], [0])], { saturate }, OPSET);
        expectExact(y.v, Array.from(x.v, (v) => f8Round(v, type, saturate === 1)), `${type} saturate ${saturate}: ties and specials`);
      }
      // Random magnitudes over the whole range and past it, random signs, random scales per block.
      for (const [shape, layout] of LAYOUTS.slice(2)) {
        const n = size(scaleShapeOf(shape, layout)), at = indexOf(shape, layout);
        const exponents = uniform(size(shape), Math.log2(table[1]) - 2, Math.log2(max) + 1), signs = randomInts(size(shape), 0, 1);
        const s = scales(n);
        const x = f64(shape, asF32(Float64Array.from(exponents, (e, k) => (signs[k] ? -1 : 1) * 2 ** e * s[at(k)])));
        for (const saturate of [1, 0]) {
          const [y] = await runOp('QuantizeLinear', [fed(x), constant({ shape: scaleShapeOf(shape, layout), v: s })], { ...attributesOf(layout), saturate, output_dtype: 17 + F8_TYPES.indexOf(type) }, OPSET);
          expectFloat8(y.v, x.v.map((v, k) => Math.fround(v / s[at(k)])), type, saturate === 1, `${type} [${shape}] saturate ${saturate}`);
        }
      }
    }
  });

  it('DequantizeLinear of the 8-bit floats: initializers in either stored form and fed tensors, per tensor, per axis, per block', async () => {
    for (const type of F8_TYPES) {
      for (const [shape, layout] of LAYOUTS) {
        const n = size(scaleShapeOf(shape, layout)), at = indexOf(shape, layout), scaleShape = scaleShapeOf(shape, layout);
        const codes = randomInts(size(shape), 0, 255);
        const x = f64(shape, codes.map((b) => f8FromBits(b, type))), s = scales(n);
        const want = x.v.map((v, k) => Math.fround(v * s[at(k)]));
        for (const [form, xFeed] of [['raw_data', lowBit(type, shape, x.v, 'raw')], ['int32_data', lowBit(type, shape, x.v, 'int32')], ['fed', fed(x, type)]] as [string, Feed][]) {
          const [y] = await runOp('DequantizeLinear', [xFeed, constant({ shape: scaleShape, v: s }), lowBit(type, scaleShape, new Array(n).fill(0))], attributesOf(layout), OPSET);
          expectExact(y.v, want, `${type} [${shape}] ${JSON.stringify(layout)}, x ${form}`);
        }
      }
    }
  });

  it('a QuantizeLinear → DequantizeLinear pair of each low-bit type in one graph', async () => {
    const x = floats([4, 11], -3, 3), s = scales(4 * 3), at = (k: number) => blockIndex(k, [4, 11], 1, 4);
    for (const type of [...I4_TYPES, ...F8_TYPES, 'float4e2m1'] as const) {
      const z = lowBitTensor(type, [4, 3], new Array(12).fill(0), 'raw');
      const [q, d] = await runModel(qdqPair(type, s, z), [fed(x)]);
      const quotients = x.v.map((v, k) => Math.fround(v / s[at(k)]));
      if (type === 'int4' || type === 'uint4') expectQuantized(q.v, x.v.map((v, k) => quantize4(v, s[at(k)], 0, type)), quotients, type);
      else if (type === 'float4e2m1') expectRounded(q.v, quotients, f4Round, type);
      else expectFloat8(q.v, quotients, type, true, type);
      expectExact(d.v, q.v.map((v, k) => Math.fround(v * s[at(k)])), `${type}: DequantizeLinear of it`);
    }
  });

  it("an int4 block-quantized weight, DequantizeLinear → MatMul (onnxruntime's 4-bit weight-only QDQ form), against float64", async () => {
    for (const [k, n, block] of [[37, 11, 16], [64, 5, 32], [9, 3, 4]]) {
      for (const type of I4_TYPES) {
        const g = int4MatMul(k, n, block, type);
        for (const rows of [1, 3]) {
          const x = floats([rows, k]);
          const [y] = await runModel(onnxModel(g.spec), [fed(x)]);
          expect(y.shape).toEqual([rows, n]);
          const want = matmulRef(x, g.w);
          // Any order of f32 sums is within k·2⁻²⁴ of the terms' magnitude (plus the products' own rounding).
          expectClose(y.v, want.v, (k + 1) * 2 ** -24 * 1.01, `${type} [${rows}, ${k}] × [${k}, ${n}] in blocks of ${block}`, want.magnitude);
        }
      }
    }
  });

  it('a float4e2m1 initializer becomes an f32 tensor of its values, not a parameter', async () => {
    const values = [6, -0.5, 1.5, 0, -4];
    const bytes = onnxModel({ opset: 23, irVersion: 11, inputs: [], outputs: [{ name: 'y', type: 'float4e2m1' }], initializers: { w: lowBitTensor('float4e2m1', [5], values, 'raw') }, nodes: [{ op: 'Identity', inputs: ['w'], outputs: ['y'] }] });
    const model = tm.onnx.fromBytes(bytes);
    const y = tm.noGrad(() => model.run([])).y;
    expect(y.dtype).toBe('f32');
    expectExact(await y.data(), values, 'float4e2m1');
    expect(Object.keys(model.ownParameters())).toEqual([]);
    y.dispose();
    model.dispose();
  });

  it('QuantizeLinear to float4e2m1 (opset 23): ties to even, past ±6 and ±∞ to ±6, NaN to +6, −0; per tensor, per axis, in blocks', async () => {
    const table = Array.from({ length: 8 }, (_, c) => f4FromBits(c));
    const ties = table.slice(1).flatMap((v, i) => [(v + table[i]) / 2, -(v + table[i]) / 2]);
    const x = f64([ties.length + 9], [...ties, 0, -0, NaN, Infinity, -Infinity, 6.5, -100, 0.1, -0.2]);
    for (const attributes of [{ output_dtype: 23 }, { saturate: 0 }] as Record<string, number>[]) {
      const zero = attributes.output_dtype ? [] : [lowBit('float4e2m1', [], [0])];
      const [y] = await runOp('QuantizeLinear', [fed(x), constant({ shape: [], v: [1] }), ...zero], attributes, F4_OPSET);
      expectExact(y.v, Array.from(x.v, f4Round), `float4e2m1 ${JSON.stringify(attributes)}: ties and specials`);
    }
    for (const [shape, layout] of LAYOUTS) {
      const n = size(scaleShapeOf(shape, layout)), at = indexOf(shape, layout), s = scales(n);
      const x = f64(shape, asF32(uniform(size(shape), -8, 8).map((v, k) => v * s[at(k)])));
      const [y] = await runOp('QuantizeLinear', [fed(x), constant({ shape: scaleShapeOf(shape, layout), v: s })], { ...attributesOf(layout), output_dtype: 23 }, F4_OPSET);
      expectRounded(y.v, x.v.map((v, k) => Math.fround(v / s[at(k)])), f4Round, `float4e2m1 [${shape}] ${JSON.stringify(layout)}`);
    }
  });

  it('DequantizeLinear of float4e2m1: initializers in either stored form and fed tensors, per tensor, per axis, per block', async () => {
    for (const [shape, layout] of LAYOUTS) {
      const n = size(scaleShapeOf(shape, layout)), at = indexOf(shape, layout), scaleShape = scaleShapeOf(shape, layout);
      const x = f64(shape, randomInts(size(shape), 0, 15).map(f4FromBits)), s = scales(n);
      const want = x.v.map((v, k) => Math.fround(v * s[at(k)]));
      for (const [form, xFeed] of [['raw_data', lowBit('float4e2m1', shape, x.v, 'raw')], ['int32_data', lowBit('float4e2m1', shape, x.v, 'int32')], ['fed', fed(x, 'float4e2m1')]] as [string, Feed][]) {
        const [y] = await runOp('DequantizeLinear', [xFeed, constant({ shape: scaleShape, v: s }), lowBit('float4e2m1', scaleShape, new Array(n).fill(0))], attributesOf(layout), F4_OPSET);
        expectExact(y.v, want, `float4e2m1 [${shape}] ${JSON.stringify(layout)}, x ${form}`);
      }
    }
  });

  it('refuses what does not fit, naming the node, the shapes and the values', async () => {
    const x = fed(floats([5, 13]));
    const q = (inputs: Feed[], attributes: Record<string, number>) => runOp('QuantizeLinear', inputs, attributes, OPSET);
    await expect(q([x, constant({ shape: [5, 3], v: scales(15) })], { axis: 1, block_size: 4 })).rejects.toThrow(/block_size = 4 along axis 1 of x \[5, 13\] needs a scale of \[5, 4\].*; the scale \(input 1\) is \[5, 3\]/);
    await expect(q([x, constant({ shape: [5, 4], v: scales(20) })], { axis: 0, block_size: 4 })).rejects.toThrow(/needs a scale of \[2, 13\]/);
    await expect(q([x, constant({ shape: [5, 4], v: scales(20) }), lowBit('int4', [5, 3], new Array(15).fill(0))], { axis: 1, block_size: 4 })).rejects.toThrow(/the zero point \(input 2\) is \[5, 3\] and the scale \[5, 4\]/);
    await expect(q([x, constant({ shape: [], v: [0.1] }), lowBit('float8e4m3fn', [], [1])], {})).rejects.toThrow(/y_zero_point \(input 2\) holds 1; an 8-bit float zero point must be 0/);
    await expect(q([x, constant({ shape: [], v: [0.1] }), lowBit('int4', [], [0])], { output_dtype: 21 })).rejects.toThrow(/output_dtype is uint4 but y_zero_point is int4/);
    await expect(runOp('QuantizeLinear', [x, constant({ shape: [], v: [0.1] }), lowBit('float4e2m1', [], [-1.5])], {}, F4_OPSET)).rejects.toThrow(/y_zero_point \(input 2\) holds -1.5; a 4-bit float zero point must be 0/);
    await expect(runOp('DequantizeLinear', [lowBit('uint4', [5, 13], new Array(65).fill(1)), constant({ shape: [], v: [0.1] }), lowBit('int4', [], [0])], {}, OPSET)).rejects.toThrow(/x_zero_point \(input 2\) is int4 but the tensor it belongs to is uint4/);
  });
});

/** x → QuantizeLinear (to `type`, blocks of 4 along axis 1 of [4, 11]) → q, and q → DequantizeLinear → d; q an output too unless for onnxruntime, which cannot hand it back. */
function qdqPair(type: F8 | I4 | F4, s: ArrayLike<number>, z: ReturnType<typeof lowBitTensor>, outputQ = true): Uint8Array {
  return onnxModel({
    ...(type === 'float4e2m1' ? { opset: 23, irVersion: 11 } : { opset: 21, irVersion: 10 }),
    inputs: [{ name: 'x', shape: [4, 11] }],
    outputs: [...(outputQ ? [{ name: 'q', type }] : []), { name: 'd' }],
    initializers: { s: { shape: [4, 3], values: s }, z },
    nodes: [
      { op: 'QuantizeLinear', inputs: ['x', 's', 'z'], outputs: ['q'], attributes: { axis: 1, block_size: 4 } },
      { op: 'DequantizeLinear', inputs: ['q', 's', 'z'], outputs: ['d'], attributes: { axis: 1, block_size: 4 } },
    ],
  });
}

/**
 * A [k, n] MatMul weight quantized as onnxruntime's MatMul 4-bit quantizer
 * writes it in QDQ form: blocks of `block` along k (axis 0), one scale per
 * block and column; int4 symmetric (no zero point), uint4 with zero points.
 * The weight as DequantizeLinear makes it, in f32 values, beside the graph.
 */
function int4MatMul(k: number, n: number, block: number, type: I4): { spec: GraphSpec; w: F64 } {
  const wf = floats([k, n], -1, 1), scaleShape = blockedShape([k, n], 0, block), at = (p: number) => blockIndex(p, [k, n], 0, block);
  const blocks = size(scaleShape);
  // Each block's scale from its largest magnitude, as the quantizer finds it.
  const s = Array.from({ length: blocks }, () => 0);
  wf.v.forEach((v, p) => (s[at(p)] = Math.max(s[at(p)], Math.abs(v))));
  const scale = asF32(Float64Array.from(s, (m) => m / (type === 'int4' ? 7 : 15)));
  const z = type === 'int4' ? undefined : randomInts(blocks, 6, 9);
  const q = wf.v.map((v, p) => quantize4(v, scale[at(p)], z ? z[at(p)] : 0, type));
  const w = f64([k, n], q.map((v, p) => Math.fround((v - (z ? z[at(p)] : 0)) * scale[at(p)])));
  const spec: GraphSpec = {
    opset: 21, irVersion: 10,
    inputs: [{ name: 'x', shape: ['rows', k] }],
    outputs: [{ name: 'y', shape: ['rows', n] }],
    initializers: {
      w_q: lowBitTensor(type, [k, n], q, 'raw'),
      w_scale: { shape: scaleShape, values: scale },
      ...(z ? { w_zero_point: lowBitTensor(type, scaleShape, z, 'raw') } : {}),
    },
    nodes: [
      { op: 'DequantizeLinear', inputs: ['w_q', 'w_scale', ...(z ? ['w_zero_point'] : [])], outputs: ['w'], attributes: { axis: 0, block_size: block } },
      { op: 'MatMul', inputs: ['x', 'w'], outputs: ['y'] },
    ],
  };
  return { spec, w };
}

/** x · w in float64, and each output's sum of |terms|. */
function matmulRef(x: F64, w: F64): F64 & { magnitude: Float64Array } {
  const [m, k] = x.shape, n = w.shape[1];
  const v = new Float64Array(m * n), magnitude = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      for (let p = 0; p < k; p++) {
        const t = x.v[i * k + p] * w.v[p * n + j];
        v[i * n + j] += t;
        magnitude[i * n + j] += Math.abs(t);
      }
    }
  }
  return { shape: [m, n], v, magnitude };
}

const ORT_OPTIONS = { graphOptimizationLevel: 'disabled' } as const;

async function ortOutput(bytes: Uint8Array, x?: F64): Promise<Float64Array> {
  const feeds: Record<string, ort.Tensor> = x ? { x: new ort.Tensor('float32', Float32Array.from(x.v), x.shape) } : {};
  const out = await ortRun(bytes, feeds, ORT_OPTIONS);
  return Float64Array.from((await out.y.getData()) as Float32Array);
}

describe.each(BACKENDS)('tm.onnx low-bit quantization beside onnxruntime-web on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('DequantizeLinear of low-bit initializers in blocks: what onnxruntime computes, exactly', async () => {
    for (const [shape, layout] of LAYOUTS) {
      const scaleShape = scaleShapeOf(shape, layout), n = size(scaleShape);
      for (const type of [...I4_TYPES, ...F8_TYPES]) {
        const values = type === 'int4' || type === 'uint4' ? ints4(shape, type).v : randomInts(size(shape), 0, 255).map((b) => f8FromBits(b, type));
        const zero = type === 'int4' || type === 'uint4' ? randomInts(n, ...I4_RANGE[type]) : new Array(n).fill(0);
        for (const form of ['raw', 'int32'] as const) {
          const bytes = onnxModel({
            opset: 21, irVersion: 10, inputs: [], outputs: [{ name: 'y' }],
            initializers: { w: lowBitTensor(type, shape, values, form), s: { shape: scaleShape, values: scales(n) }, z: lowBitTensor(type, scaleShape, zero, 'raw') },
            nodes: [{ op: 'DequantizeLinear', inputs: ['w', 's', 'z'], outputs: ['y'], attributes: attributesOf(layout) }],
          });
          const [got] = await runModel(bytes, []);
          expectExact(got.v, await ortOutput(bytes), `${type} [${shape}] ${JSON.stringify(layout)} ${form}`);
        }
      }
    }
  });

  it("QuantizeLinear to each low-bit type, seen through a DequantizeLinear after it: onnxruntime's values, but for a quotient at a rounding boundary", async () => {
    const s = scales(12), at = (k: number) => blockIndex(k, [4, 11], 1, 4);
    // A division on the device may be off by 2.5 ulps (WGSL's bound), and onnxruntime's is its own (a vectorised one):
    // a quotient that close to a rounding boundary may round either way, and is left out.
    for (const type of [...I4_TYPES, ...F8_TYPES]) {
      const x = floats([4, 11], -3, 3);
      // Past the largest float8 values, ±∞ and NaN, one to a row's start (NaN has no integer to become).
      if (type.startsWith('float8')) [1e9, -1e9, Infinity, -Infinity, NaN, 0].forEach((v, i) => (x.v[i * 7] = v));
      const z = lowBitTensor(type, [4, 3], type === 'uint4' ? randomInts(12, 0, 15) : new Array(12).fill(0), 'raw');
      const [, got] = await runModel(qdqPair(type, s, z), [fed(x)]);
      const want = (await ortRun(qdqPair(type, s, z, false), { x: new ort.Tensor('float32', Float32Array.from(x.v), x.shape) }, ORT_OPTIONS)).d;
      const quotients = x.v.map((v, k) => Math.fround(v / s[at(k)]));
      const boundary = (q: number) => (type === 'int4' || type === 'uint4' ? Math.abs(q - Math.floor(q) - 0.5) <= 8 * 2 ** -23 * Math.max(1, Math.abs(q)) : nearBoundary(q, type));
      const kept = (v: ArrayLike<number>) => Array.from(v).filter((_, k) => !boundary(quotients[k]));
      expectExact(kept(got.v), kept((await want.getData()) as Float32Array), `${type}: tmnn as onnxruntime (but for quotients at a rounding boundary)`);
    }
  });

  it('an int4 block-quantized weight, DequantizeLinear → MatMul: what onnxruntime computes, within f32 summation', async () => {
    for (const type of I4_TYPES) {
      const g = int4MatMul(37, 11, 16, type), bytes = onnxModel(g.spec), x = floats([3, 37]);
      const [got] = await runModel(bytes, [fed(x)]);
      expectClose(got.v, await ortOutput(bytes, x), 2 * 38 * 2 ** -24 * 1.01, type, matmulRef(x, g.w).magnitude);
    }
  });
});

/** Whether an f32 quotient lies within a few ulps of where its 8-bit float rounding changes. */
function nearBoundary(q: number, type: F8): boolean {
  const eps = 8 * 2 ** -23;
  return f8Round(q * (1 - eps), type) !== f8Round(q * (1 + eps), type) && !Number.isNaN(q);
}
