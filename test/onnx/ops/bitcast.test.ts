// BitCast (opset 26): each value's bits read as the target type, against a
// DataView reference written here (the bytes of one type read as another,
// little-endian) and onnxruntime-web for the pairs it has (standard numeric
// types; not bool, bfloat16 or the small floats). Fed as graph inputs (the
// device path, through an i32 of the bits) and written as initializers (the
// host path, exact for every pair of one width); what tmnn's tensors cannot
// hold on the device is refused by name.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { expectExact, randomInts, uniform } from '../../helpers/data.js';
import { f16RefBits, f16RefValue, roundF16 } from '../../helpers/float64.js';
import { ONNX_TYPES, type OnnxTypeName, type TensorSpec } from '../../helpers/onnx.js';
import { f4FromBits, f8FromBits, lowBitTensor, type F4, type F8, type I4 } from '../../helpers/onnx_low_bit.js';
import { ortNode } from '../../helpers/onnx_microsoft.js';
import { run1, runModel, type Feed } from '../../helpers/onnx_run.js';
import { onnxModel } from '../../helpers/onnx.js';

const WIDTH: Partial<Record<OnnxTypeName, number>> = {
  float: 32, double: 64, float16: 16, bfloat16: 16, int64: 64, int32: 32, int16: 16, int8: 8, uint8: 8, uint16: 16, uint32: 32, uint64: 64, bool: 8,
  int4: 4, uint4: 4, float4e2m1: 4, float8e4m3fn: 8, float8e4m3fnuz: 8, float8e5m2: 8, float8e5m2fnuz: 8,
};
const F8S: readonly F8[] = ['float8e4m3fn', 'float8e4m3fnuz', 'float8e5m2', 'float8e5m2fnuz'];

/** v's bits as `type` stores them, unsigned (a small float's NaN: its first NaN pattern). */
function bitsRef(v: number, type: OnnxTypeName): bigint {
  const view = new DataView(new ArrayBuffer(8));
  if (type.startsWith('float8') || type === 'float4e2m1') {
    const codes = Array.from({ length: 2 ** WIDTH[type]! }, (_, b) => valueRef(BigInt(b), type));
    const code = codes.findIndex((c) => Object.is(c, v) || (Number.isNaN(c) && Number.isNaN(v)));
    return BigInt(code >= 0 ? code : codes.indexOf(0)); // -0 where the format has none: its zero
  }
  switch (type) {
    case 'float': view.setFloat32(0, v, true); return BigInt(view.getUint32(0, true));
    case 'double': view.setFloat64(0, v, true); return view.getBigUint64(0, true);
    case 'float16': return BigInt(f16RefBits(v));
    case 'bfloat16': view.setFloat32(0, v, true); return BigInt(view.getUint32(0, true) >>> 16);
    case 'bool': return v ? 1n : 0n;
    default: return BigInt.asUintN(WIDTH[type]!, BigInt(v));
  }
}

/** The `type` value of bits. */
function valueRef(bits: bigint, type: OnnxTypeName): number {
  const view = new DataView(new ArrayBuffer(8));
  if (type.startsWith('float8')) return f8FromBits(Number(bits), type as F8);
  switch (type) {
    case 'float': view.setUint32(0, Number(bits), true); return view.getFloat32(0, true);
    case 'double': view.setBigUint64(0, bits, true); return view.getFloat64(0, true);
    case 'float16': return f16RefValue(Number(bits));
    case 'bfloat16': view.setUint32(0, Number(bits) << 16, true); return view.getFloat32(0, true);
    case 'float4e2m1': return f4FromBits(Number(bits));
    case 'bool': return bits ? 1 : 0;
    default: return Number(type.startsWith('u') ? bits : BigInt.asIntN(WIDTH[type]!, bits));
  }
}

/** Values a `type` holds, the special ones first: floats across magnitudes (±0, ±∞, NaN, subnormals), integers across their range. */
function valuesOf(type: OnnxTypeName, n: number): number[] {
  const floats = (round: (v: number) => number, special: number[]) =>
    [...special, ...Array.from(uniform(n, -1, 1), (v, i) => round(v * 10 ** ((i % 9) - 4)))];
  switch (type) {
    case 'float': return floats(Math.fround, [0, -0, Infinity, -Infinity, NaN, 1e-40, -3.4e38]).map(Math.fround);
    case 'float16': return floats(roundF16, [0, -0, Infinity, -Infinity, NaN, 2 ** -24, -65504]);
    case 'bfloat16': return floats((v) => valueRef(bitsRef(Math.fround(v), 'float') >> 16n, 'bfloat16'), [0, -0, Infinity, -1.5, 2 ** -130]);
    case 'int32': return Array.from(randomInts(n, -(2 ** 31), 2 ** 31 - 1));
    case 'int64': return Array.from(randomInts(n, -(2 ** 31), 2 ** 31 - 1));
    // uint32 and uint64 as tmnn's i32 tensors hold them: below 2³¹.
    case 'uint32': case 'uint64': return Array.from(randomInts(n, 0, 2 ** 31 - 1));
    case 'bool': return Array.from(randomInts(n, 0, 1));
    default: {
      const w = WIDTH[type]!;
      return type.startsWith('u') ? Array.from(randomInts(n, 0, 2 ** w - 1)) : Array.from(randomInts(n, -(2 ** (w - 1)), 2 ** (w - 1) - 1));
    }
  }
}

const reference = (values: readonly number[], from: OnnxTypeName, to: OnnxTypeName) => values.map((v) => valueRef(bitsRef(v, from), to));

/** Pairs computed on the device, and whether onnxruntime-web has them. */
const DEVICE_PAIRS: readonly [OnnxTypeName, OnnxTypeName, boolean][] = [
  ['float', 'int32', true], ['int32', 'float', true], ['uint32', 'float', true], ['uint32', 'int32', true], ['int32', 'int32', true],
  ['float16', 'int16', true], ['float16', 'uint16', true], ['int16', 'float16', true], ['uint16', 'float16', true], ['int16', 'uint16', true], ['uint16', 'int16', true],
  ['int8', 'uint8', true], ['uint8', 'int8', true], ['uint64', 'int64', true], ['int64', 'int64', true],
  ['bfloat16', 'uint16', false], ['bfloat16', 'int16', false], ['bfloat16', 'float16', false], ['float16', 'bfloat16', false], ['int16', 'bfloat16', false],
  ['uint8', 'bool', false], ['bool', 'int8', false], ['int4', 'uint4', false], ['uint4', 'int4', false], ['int4', 'float4e2m1', false],
  ...F8S.flatMap((f8): [OnnxTypeName, OnnxTypeName, boolean][] => [['uint8', f8, false], ['int8', f8, false], [f8, 'uint8', false], [f8, 'int8', false]]),
  ['float4e2m1', 'uint4', false], ['float4e2m1', 'int4', false],
];

/** Pairs computed on the host from Constants: the device's, and one more. */
const HOST_PAIRS: readonly [OnnxTypeName, OnnxTypeName][] = [...DEVICE_PAIRS.map(([from, to]): [OnnxTypeName, OnnxTypeName] => [from, to]), ['int8', 'bool']];

/** Every value of a small float type, by pattern (NaNs among them, and -0 where it has one), or valuesOf's. */
function sourceValues(type: OnnxTypeName, n: number): number[] {
  if (type.startsWith('float8')) return Array.from({ length: 256 }, (_, b) => f8FromBits(b, type as F8));
  if (type === 'float4e2m1') return Array.from({ length: 16 }, (_, b) => f4FromBits(b));
  return valuesOf(type, n);
}

/** A model of BitCasts in a chain from a Constant node's value (computed on the host), the last one's output the graph's. */
function constantModel(value: TensorSpec, chain: readonly OnnxTypeName[]): Uint8Array {
  const names = chain.map((_, i) => (i === chain.length - 1 ? 'y' : `b${i}`));
  return onnxModel({
    opset: 26,
    inputs: [],
    outputs: [{ name: 'y', type: chain[chain.length - 1] }],
    nodes: [
      { op: 'Constant', inputs: [], outputs: ['x'], attributes: { value: { tensor: value } } },
      ...chain.map((to, i) => ({ op: 'BitCast', inputs: [i ? names[i - 1] : 'x'], outputs: [names[i]], attributes: { to: ONNX_TYPES[to] } })),
    ],
  });
}

/** A Constant's value of `type`: the small floats and 4-bit integers by their stored form. */
function constantOf(type: OnnxTypeName, values: readonly number[]): TensorSpec {
  const small = type.startsWith('float8') || type === 'float4e2m1' || type === 'int4' || type === 'uint4';
  return small ? lowBitTensor(type as F8 | F4 | I4, [values.length], values, 'raw') : { type, shape: [values.length], values };
}

describe.each(BACKENDS)('BitCast on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it.each(DEVICE_PAIRS)('%s → %s on the device, each value\'s bits read as the target (onnxruntime too: %s)', async (from, to, ort) => {
    const values = sourceValues(from, 61);
    const x: Feed = { shape: [values.length], values, type: from };
    const got = await run1('BitCast', [x], { to: ONNX_TYPES[to] }, { opset: 26, outputTypes: [to] });
    expect(got.shape).toEqual([values.length]);
    const want = reference(values, from, to);
    expectExact(got.v, want, `${from} → ${to}`);
    if (ort) expectExact((await ortNode('BitCast', [x], { to: ONNX_TYPES[to] }, { opset: 26, outputTypes: [to] }))[0], got.v, `${from} → ${to}, onnxruntime`);
  });

  it.each(HOST_PAIRS)('%s → %s on a Constant, on the host', async (from, to) => {
    // A NaN of a small float type is held as NaN: its bits come out as the type's first NaN pattern, as bitsRef gives.
    const values = sourceValues(from, 29);
    const [got] = await runModel(constantModel(constantOf(from, values), [to]), []);
    expectExact(got.v, reference(values, from, to), `${from} → ${to}`);
  });

  it('int64 ↔ double on the host: exact where the pattern fits a float64, refused where it would be rounded', async () => {
    const doubles = [0, -0, 1, -2.5, 0.5, 1024, Infinity, -Infinity];
    const patterns = doubles.map((v) => Number(BigInt.asIntN(64, bitsRef(v, 'double'))));
    expectExact((await runModel(constantModel(constantOf('int64', patterns), ['double', 'int64', 'double']), []))[0].v, doubles, 'int64 → double → int64 → double');
    // 0.1's pattern, 4591870180066957722, has more significant bits than a float64 holds.
    await expect(runModel(constantModel(constantOf('double', [0.1]), ['int64']), [])).rejects.toThrow(/BitCast.*double 0\.1 as int64 is 4591870180066957722, which tmnn's constants \(float64\) would round/);
  });

  it('refuses what tmnn cannot hold on the device, widths that differ, and a missing `to`, by name', async () => {
    const refused = async (from: OnnxTypeName, to: OnnxTypeName, message: RegExp, attributes: Record<string, number> = { to: ONNX_TYPES[to] }) => {
      const x: Feed = { shape: [2], values: [1, 2], type: from };
      await expect(run1('BitCast', [x], attributes, { opset: 26, outputTypes: [to] })).rejects.toThrow(message);
    };
    await refused('float', 'uint32', /BitCast.*float to uint32 on the device is not supported: a negative float is 2\^31 or more/);
    await refused('int32', 'uint32', /int32 to uint32 on the device/);
    await refused('int64', 'uint64', /int64 to uint64 on the device/);
    await refused('double', 'int64', /double to int64 on the device is not supported: tmnn holds double as f32/);
    await refused('int64', 'double', /int64 to double on the device/);
    await refused('float', 'int16', /reads float \(32 bits\) as int16 \(16 bits\): BitCast needs types of the same width/);
    await refused('float', 'int32', /attribute to .* is required/, {});
  });

  it('reads a double or bfloat16 initializer (a parameter, held as f32) by its declared type', async () => {
    const model = (type: OnnxTypeName, to: OnnxTypeName, values: number[]) => onnxModel({
      opset: 26,
      inputs: [],
      outputs: [{ name: 'y', type: to }],
      nodes: [{ op: 'BitCast', inputs: ['w'], outputs: ['y'], attributes: { to: ONNX_TYPES[to] } }],
      initializers: { w: { type, shape: [values.length], values } },
    });
    const bf16 = [1.5, -2, 0.15625, -0];
    expectExact((await runModel(model('bfloat16', 'uint16', bf16), []))[0].v, reference(bf16, 'bfloat16', 'uint16'), 'bfloat16 parameter → uint16');
    await expect(runModel(model('double', 'int64', [1.5]), [])).rejects.toThrow(/double to int64 on the device is not supported/);
  });
});
