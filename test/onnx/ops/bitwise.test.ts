// ONNX's bit operations (src/onnx/ops/bitwise.ts) on every backend:
// BitwiseAnd, BitwiseOr, BitwiseXor, BitwiseNot and BitShift against exact
// BigInt references, on the device through tm's bitwise ops, for
// every integer type tmnn's i32 tensors hold (int32's extremes, int64 within
// i32's range, uint32 below 2^31), broadcast; the host versions on
// Constants exact past 2^31 (a uint32's complement); what cannot be exact on
// the device (BitwiseNot of uint32, a left shift of uint32) refused by name;
// onnxruntime-web agreeing.
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { expectExact, intsOf, randomInts, SEED } from '../../helpers/data.js';
import { broadcast2, f64, type F64 } from '../../helpers/float64.js';
import { onnxModel, type AttributeSpec, type OnnxTypeName } from '../../helpers/onnx.js';
import { opModel, type Feed } from '../../helpers/onnx_run.js';
import { ortRun } from '../../helpers/ort.js';

type IntType = 'int8' | 'int16' | 'int32' | 'int64' | 'uint8' | 'uint16' | 'uint32' | 'uint64';

const WIDTH: Record<IntType, number> = { int8: 8, int16: 16, int32: 32, int64: 64, uint8: 8, uint16: 16, uint32: 32, uint64: 64 };

/** Values an i32 tensor holds as `type`: the type's range, clipped to i32's (uint32 and uint64 below 2^31), extremes included. */
function valuesOf(type: IntType, n: number): Float64Array {
  if (type === 'int32' || type === 'int64') return intsOf('i32', n);
  const width = Math.min(WIDTH[type], 31);
  const [lo, hi] = type.startsWith('u') ? [0, 2 ** width - 1] : [-(2 ** (width - 1)), 2 ** (width - 1) - 1];
  const out = randomInts(n, lo, hi);
  out[0] = lo;
  if (n > 1) out[n - 1] = hi;
  return out;
}

/** x wrapped to `type`, as its BigInt arithmetic says. */
function wrapped(x: bigint, type: IntType): number {
  return Number(type.startsWith('u') ? BigInt.asUintN(WIDTH[type], x) : BigInt.asIntN(WIDTH[type], x));
}

const REFERENCE: Record<string, (a: bigint, b: bigint) => bigint> = {
  BitwiseAnd: (a, b) => a & b,
  BitwiseOr: (a, b) => a | b,
  BitwiseXor: (a, b) => a ^ b,
};

/** The one output of a one-node model run on i32 tensors (every integer type's dtype) on the active backend. */
async function runInts(op: string, inputs: readonly Feed[], attributes: Record<string, AttributeSpec> = {}, outputType?: OnnxTypeName): Promise<F64> {
  const before = tm.memory().numTensors;
  const model = tm.onnx.fromBytes(opModel(op, inputs, attributes, { opset: 18, outputTypes: outputType ? [outputType] : undefined }));
  const xs = inputs.filter((f) => !f.constant).map((f) => tm.tensor(Array.from(f.values), [...f.shape], { dtype: 'i32' }));
  try {
    const y = tm.noGrad(() => model.run(xs)).y0;
    const out = f64([...y.shape], await y.data());
    y.dispose();
    return out;
  } finally {
    xs.forEach((t) => t.dispose());
    model.dispose();
    // The node's intermediates (casts, a left shift's mask) all freed (at most: earlier garbage's finalizers may free some).
    expect(tm.memory().numTensors, `tensors left by ${op} (seed ${SEED})`).toBeLessThanOrEqual(before);
  }
}

function ortTensor(type: IntType, values: ArrayLike<number>, shape: readonly number[]): ort.Tensor {
  const dims = [...shape];
  switch (type) {
    case 'int32': return new ort.Tensor('int32', Int32Array.from(values), dims);
    case 'uint8': return new ort.Tensor('uint8', Uint8Array.from(values), dims);
    case 'uint16': return new ort.Tensor('uint16', Uint16Array.from(values), dims);
    case 'uint32': return new ort.Tensor('uint32', Uint32Array.from(values), dims);
    case 'int64': return new ort.Tensor('int64', BigInt64Array.from(Array.from(values), (v) => BigInt(v)), dims);
    default: throw new Error(`no onnxruntime feed for ${type} here`);
  }
}

const numbers = (t: ort.Tensor): number[] => Array.from(t.data as ArrayLike<number | bigint>, Number);

const ALL_TYPES: IntType[] = ['int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64'];

describe.each(BACKENDS)('tm.onnx bitwise ops on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  describe.each(['BitwiseAnd', 'BitwiseOr', 'BitwiseXor'])('%s', (op) => {
    it.each(ALL_TYPES)('is exact for %s, broadcast', async (type) => {
      const a = f64([3, 1, 5], valuesOf(type, 15)), b = f64([4, 5], valuesOf(type, 20));
      const got = await runInts(op, [{ shape: a.shape, values: a.v, type }, { shape: b.shape, values: b.v, type }], {}, type);
      const want = broadcast2(a, b, (x, y) => wrapped(REFERENCE[op](BigInt(x), BigInt(y)), type));
      expect(got.shape).toEqual(want.shape);
      expectExact(got.v, want.v, `${op} of ${type} (seed ${SEED})`);
    });

    it('agrees with onnxruntime (int32, uint8)', async () => {
      for (const type of ['int32', 'uint8'] as const) {
        const a = valuesOf(type, 12), b = valuesOf(type, 4);
        const feeds: Feed[] = [{ shape: [3, 4], values: a, type }, { shape: [4], values: b, type }];
        const want = await ortRun(opModel(op, feeds, {}, { opset: 18, outputTypes: [type] }), { x0: ortTensor(type, a, [3, 4]), x1: ortTensor(type, b, [4]) });
        expectExact((await runInts(op, feeds, {}, type)).v, numbers(want.y0), `${op} of ${type} vs onnxruntime (seed ${SEED})`);
      }
    });
  });

  describe('BitwiseNot', () => {
    it.each(['int8', 'int16', 'int32', 'int64', 'uint8', 'uint16'] as const)('is exact for %s', async (type) => {
      const x = valuesOf(type, 17);
      const got = await runInts('BitwiseNot', [{ shape: [17], values: x, type }], {}, type);
      expectExact(got.v, Array.from(x, (v) => wrapped(~BigInt(v), type)), `BitwiseNot of ${type} (seed ${SEED})`);
    });

    it('refuses uint32 and uint64 on the device, whose complements pass 2^31', async () => {
      for (const type of ['uint32', 'uint64'] as const) {
        await expect(runInts('BitwiseNot', [{ shape: [3], values: [1, 2, 3], type }], {}, type)).rejects.toThrow(new RegExp(`\\(BitwiseNot\\): BitwiseNot of ${type} on the device is not supported: its result is 2\\^${WIDTH[type]} − 1 − x`));
      }
    });

    it('agrees with onnxruntime (int32, uint16)', async () => {
      for (const type of ['int32', 'uint16'] as const) {
        const x = valuesOf(type, 9);
        const feeds: Feed[] = [{ shape: [9], values: x, type }];
        const want = await ortRun(opModel('BitwiseNot', feeds, {}, { opset: 18, outputTypes: [type] }), { x0: ortTensor(type, x, [9]) });
        expectExact((await runInts('BitwiseNot', feeds, {}, type)).v, numbers(want.y0), `BitwiseNot of ${type} vs onnxruntime`);
      }
    });
  });

  describe('BitShift', () => {
    it.each([['uint8', 'LEFT'], ['uint8', 'RIGHT'], ['uint16', 'LEFT'], ['uint16', 'RIGHT'], ['uint32', 'RIGHT'], ['uint64', 'RIGHT']] as const)('shifts %s %s exactly, by 0 to past the width (which gives 0)', async (type, direction) => {
      const x = f64([5, 7], valuesOf(type, 35));
      const y = f64([7], randomInts(7, 0, Math.min(WIDTH[type], 31) + 3));
      y.v[0] = 0;
      y.v[1] = WIDTH[type] === 64 ? 40 : WIDTH[type];
      const got = await runInts('BitShift', [{ shape: x.shape, values: x.v, type }, { shape: y.shape, values: y.v, type }], { direction }, type);
      const width = BigInt(WIDTH[type]);
      const want = broadcast2(x, y, (a, s) => (BigInt(s) >= width ? 0 : wrapped(direction === 'LEFT' ? BigInt(a) << BigInt(s) : BigInt(a) >> BigInt(s), type)));
      expectExact(got.v, want.v, `BitShift ${direction} of ${type} (seed ${SEED})`);
    });

    it('refuses a left shift of uint32 on the device, a signed type, and a missing or bad direction', async () => {
      const feeds = (type: IntType): Feed[] => [{ shape: [2], values: [1, 2], type }, { shape: [2], values: [1, 1], type }];
      await expect(runInts('BitShift', feeds('uint32'), { direction: 'LEFT' })).rejects.toThrow(/\(BitShift\): BitShift LEFT of uint32 on the device is not supported: its result can pass 2\^31/);
      await expect(runInts('BitShift', feeds('int32'), { direction: 'RIGHT' })).rejects.toThrow(/\(BitShift\): its inputs are int32; BitShift takes unsigned integers/);
      await expect(runInts('BitShift', feeds('uint8'))).rejects.toThrow(/\(BitShift\): attribute direction \(LEFT or RIGHT\) is required/);
      await expect(runInts('BitShift', feeds('uint8'), { direction: 'UP' })).rejects.toThrow(/\(BitShift\): direction = 'UP' is not supported: it is LEFT or RIGHT/);
    });

    it('agrees with onnxruntime (uint8 LEFT, uint32 RIGHT, shifts within the width)', async () => {
      for (const [type, direction] of [['uint8', 'LEFT'], ['uint32', 'RIGHT']] as const) {
        const x = valuesOf(type, 12), y = randomInts(12, 0, Math.min(WIDTH[type], 31) - 1);
        const feeds: Feed[] = [{ shape: [12], values: x, type }, { shape: [12], values: y, type }];
        const want = await ortRun(opModel('BitShift', feeds, { direction }, { opset: 18, outputTypes: [type] }), { x0: ortTensor(type, x, [12]), x1: ortTensor(type, y, [12]) });
        expectExact((await runInts('BitShift', feeds, { direction }, type)).v, numbers(want.y0), `BitShift ${direction} of ${type} vs onnxruntime (seed ${SEED})`);
      }
    });
  });

  describe('on Constants (the host)', () => {
    it('is exact past 2^31: a uint32\'s complement shifted, an int64\'s bits', async () => {
      const x = Array.from(randomInts(6, 0, 2 ** 31 - 1));
      const big = [2 ** 40 + 5, -(2 ** 40) - 3, 2 ** 33, 7];
      const mask = [2 ** 20 - 1];
      const bytes = onnxModel({
        opset: 18,
        inputs: [],
        outputs: [{ name: 'high', type: 'uint32' }, { name: 'masked', type: 'int64' }, { name: 'left', type: 'uint32' }],
        initializers: {
          x: { type: 'uint32', shape: [6], values: x },
          sixteen: { type: 'uint32', shape: [1], values: [16] },
          big: { type: 'int64', shape: [4], values: big },
          mask: { type: 'int64', shape: [1], values: mask },
          two: { type: 'uint32', shape: [1], values: [2] },
          twenty: { type: 'uint32', shape: [1], values: [20] },
        },
        nodes: [
          { op: 'BitwiseNot', inputs: ['x'], outputs: ['complement'] },
          { op: 'BitShift', inputs: ['complement', 'sixteen'], outputs: ['high'], attributes: { direction: 'RIGHT' } },
          { op: 'BitwiseAnd', inputs: ['big', 'mask'], outputs: ['masked'] },
          { op: 'BitShift', inputs: ['two', 'twenty'], outputs: ['left'], attributes: { direction: 'LEFT' } },
        ],
      });
      const model = tm.onnx.fromBytes(bytes);
      const out = model.run([]);
      expectExact(await out.high.data(), x.map((v) => Number((BigInt.asUintN(32, ~BigInt(v))) >> 16n)), `~x >> 16 for uint32 x (seed ${SEED})`);
      // int64s past 2^31, masked to values a tensor holds: 2^40 + 5 & (2^20 − 1) = 5, a negative one's low bits, …
      expectExact(await out.masked.data(), big.map((v) => Number(BigInt.asIntN(64, BigInt(v) & BigInt(mask[0])))), 'int64 & mask');
      expectExact(await out.left.data(), [2 << 20], 'uint32 2 << 20');
      Object.values(out).forEach((t) => t.dispose());
      model.dispose();
    });
  });
});

