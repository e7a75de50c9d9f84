// bitcast: a float's bits as an int and back, on every backend, against bit
// patterns worked out in the test (DataView for f32, test/helpers/float64.ts's
// f16 reference for f16): every pattern of random words, the special values (±0,
// ±Infinity, NaN, subnormals), odd sizes, and fused into elementwise chains
// on WebGPU.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectExact, intsOf, uniform } from '../helpers/data.js';
import { f16RefBits, f16RefValue, roundF16 } from '../helpers/float64.js';

/** The 32 bits of each f32 value, read as an i32. */
function f32Bits(values: ArrayLike<number>): number[] {
  const view = new DataView(new ArrayBuffer(4));
  return Array.from(values, (v) => (view.setFloat32(0, v, true), view.getInt32(0, true)));
}

/** The f32 whose bits are the i32 `bits`. */
function f32FromBits(bits: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setInt32(0, bits, true);
  return view.getFloat32(0, true);
}

const SPECIAL = [0, -0, Infinity, -Infinity, NaN, 1, -1, 0.1, 3.4028234663852886e38, 1.1754943508222875e-38, 1e-40, -1e-45, 2 ** -149];
const SPECIAL_F16 = [0, -0, Infinity, -Infinity, NaN, 1, -1, 65504, -65504, 2 ** -14, 2 ** -24, -(2 ** -24), 1023 * 2 ** -24, 0.333251953125];

describe.each(BACKENDS)('bitcast on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it.each([[[]], [[7]], [[3, 129]], [[513]], [[2, 0, 5]]])('f32 → i32 gives each value\'s IEEE bits, shape %j', async (shape) => {
    const n = shape.reduce((a: number, b: number) => a * b, 1);
    // The special values first, then magnitudes from 1e-6 to 1e6 of either sign.
    const values = asF32(Float64Array.from({ length: n }, (_, i) => (i < SPECIAL.length ? SPECIAL[i] : uniform(1, -1, 1)[0] * 10 ** ((i % 13) - 6))));
    const y = tm.tensor(values, shape).bitcast('i32');
    expect([y.shape, y.dtype]).toEqual([shape, 'i32']);
    expectExact(await y.data(), f32Bits(values), 'f32 → i32');
  });

  it('i32 → f32 reads any 32-bit word as the float it encodes, and back again to the same word', async () => {
    // NaNs with payloads of either sign, and the subnormals, among them.
    const words = [...intsOf('i32', 1001), 0x7fa00001, 0x7fc00000, -0x00400001, 1, -2147483647, 0x007fffff];
    const y = tm.tensor(Int32Array.from(words), [words.length]).bitcast('f32');
    expect(y.dtype).toBe('f32');
    expectExact(await y.data(), words.map(f32FromBits), 'i32 → f32');
    // y stored, then read back as bits: each word whole, a NaN's payload too.
    expectExact(await y.bitcast('i32').data(), words, 'i32 → f32 → i32');
  });

  it('f16 → i32 gives the 16-bit pattern (0…65535), subnormals and signed zeros included', async () => {
    const values = Float64Array.from([...SPECIAL_F16, ...uniform(300, -70000, 70000), ...uniform(300, -1e-4, 1e-4), ...uniform(127, -2, 2)].map(roundF16));
    const y = tm.tensor(values, [values.length], { dtype: 'f16' }).bitcast('i32');
    expect(y.dtype).toBe('i32');
    expectExact(await y.data(), Array.from(values, f16RefBits), 'f16 → i32');
  });

  it('i32 → f16 takes the low 16 bits of any word', async () => {
    const words = [...intsOf('i32', 500), ...Array.from({ length: 0x800 }, (_, i) => i * 32 + 0x10000 * (i % 5))];
    const y = tm.tensor(Int32Array.from(words), [words.length]).bitcast('f16');
    expect(y.dtype).toBe('f16');
    expectExact(await y.data(), words.map((w) => f16RefValue(w & 0xffff)), 'i32 → f16');
  });

  it('reads a computed value, and its result feeds further ops (fused into one chain on WebGPU)', async () => {
    const a = asF32(uniform(129, -4, 4));
    const x = tm.tensor(a, [129]);
    // |x| by clearing the sign bit, then back to floats and on: a classic use.
    const abs = tm.bitwiseAnd(x.mul(3).bitcast('i32'), 0x7fffffff).bitcast('f32').add(1);
    expectExact(await abs.data(), asF32(Float64Array.from(a, (v) => Math.abs(Math.fround(v * 3)) + 1)), '|3x| + 1');
    const h = tm.tensor(a, [129], { dtype: 'f16' });
    const exponent = tm.bitwiseRightShift(h.mul(2).bitcast('i32'), 10);
    expectExact(await exponent.data(), Float64Array.from(a, (v) => f16RefBits(roundF16(roundF16(v) * 2)) >> 10), 'f16 exponent and sign bits');
  });

  it('the same dtype gives x back; other pairs, an unknown dtype and a disposed tensor are refused by name', () => {
    const x = tm.tensor([1.5, -2]);
    expect(x.bitcast('f32').dtype).toBe('f32');
    expect(() => tm.tensor(new Int8Array([1]), [1]).bitcast('f32')).toThrow(/bitcast: i8 → f32 is not a reinterpretation tmnn has/);
    expect(() => x.bitcast('f16')).toThrow(tm.DTypeError);
    expect(() => x.bitcast('u16' as tm.DType)).toThrow(/bitcast.*u16/);
    const gone = tm.tensor([1]);
    gone.dispose();
    expect(() => gone.bitcast('i32')).toThrow(/disposed/);
  });

  it('passes no gradient: its result is not a smooth function of x', () => {
    const p = tm.tensor([1, 2]);
    p.requiresGrad = true;
    expect(p.bitcast('i32').requiresGrad).toBe(false);
    expect(p.mul(2).bitcast('i32').bitcast('f32').requiresGrad).toBe(false);
  });
});
