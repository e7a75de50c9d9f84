// What the native backend's tests check against, written here from the
// definitions and not from tmnn's code: fresh random data, float64
// references, IEEE binary16 rounding, C integer wrapping, and comparisons
// that name the failing element and the seed.
import { expect } from 'vitest';
import type { DType, StorageArray } from '../../../src/dtype.js';
import type { TensorInfo } from '../../../src/backends/kernels.js';

/** Fresh every run; TMNN_TEST_SEED=<n> replays one (failure messages name it). */
export const SEED = (process.env.TMNN_TEST_SEED ? Number(process.env.TMNN_TEST_SEED) : Date.now() % 2 ** 31) >>> 0;

let state = SEED || 1;
/** Uniform in [0, 1) (xorshift32: small, and not the library's generator). */
export function random(): number {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  state >>>= 0;
  return state / 2 ** 32;
}

export const uniform = (n: number, lo: number, hi: number): number[] => Array.from({ length: n }, () => lo + (hi - lo) * random());
export const ints = (n: number, lo: number, hi: number): number[] => Array.from({ length: n }, () => lo + Math.floor((hi - lo + 1) * random()));

export const INT_RANGE = { i8: [-128, 127], i32: [-2147483648, 2147483647] } as const;

/** Sizes that are not multiples of any vector width or tile. */
export const ODD = [1, 7, 127, 129, 257];

// ---- binary16 ---------------------------------------------------------------

function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  return d > 0.5 || (d === 0.5 && f % 2 !== 0) ? f + 1 : f;
}

/** Spacing of f16 values at |x| (2^-24 among subnormals). */
export function ulpF16(x: number): number {
  const a = Math.abs(x);
  if (!(a >= 2 ** -14)) return 2 ** -24;
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  if (2 ** (e + 1) <= a) e++;
  return 2 ** (e - 10);
}

/** The f16 value nearest x (ties to even); ±Infinity from 65520 on. */
export function roundF16(x: number): number {
  if (Number.isNaN(x) || x === 0) return x;
  if (Math.abs(x) >= 65520) return x > 0 ? Infinity : -Infinity;
  const ulp = ulpF16(x);
  const r = roundHalfEven(Math.abs(x) / ulp) * ulp;
  return x < 0 ? -r : r;
}

/** Bits of an f16 value (exactly representable, as roundF16 gives); NaN as 0x7e00. */
export function f16BitsOf(v: number): number {
  if (Number.isNaN(v)) return 0x7e00;
  const sign = v < 0 || Object.is(v, -0) ? 0x8000 : 0;
  const a = Math.abs(v);
  if (a === Infinity) return sign | 0x7c00;
  if (a < 2 ** -14) return sign | (a / 2 ** -24);
  const ulp = ulpF16(a);
  const e = Math.log2(ulp) + 10; // exact: ulp is a power of two
  return sign | ((e + 15) << 10) | (a / ulp - 1024);
}

export function f16ValueOf(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const e = (bits >> 10) & 0x1f;
  const m = bits & 0x3ff;
  if (e === 0x1f) return m ? NaN : sign * Infinity;
  return sign * (e === 0 ? m * 2 ** -24 : (1024 + m) * 2 ** (e - 25));
}

// ---- integers -----------------------------------------------------------------

/** C's wrap-around to int8 / int32 of an exact integer (a bigint for products beyond 2^53). */
export function wrap(v: number | bigint, dtype: 'i8' | 'i32'): number {
  return Number(BigInt.asIntN(dtype === 'i8' ? 8 : 32, BigInt(v)));
}

// ---- tensors as the kernels see them -----------------------------------------------

export const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** The values, in storage form, of a tensor of `dtype` (floats rounded to it first). */
export function storageOf(values: readonly number[], dtype: DType): StorageArray {
  switch (dtype) {
    case 'f32': return Float32Array.from(values);
    case 'f16': return Uint16Array.from(values, (v) => f16BitsOf(roundF16(v)));
    case 'i8': return Int8Array.from(values);
    case 'i32': return Int32Array.from(values);
  }
}

/** What a storage holds, as numbers (f16 decoded). */
export function valuesOf(storage: StorageArray, dtype: DType): number[] {
  return dtype === 'f16' ? Array.from(storage, f16ValueOf) : Array.from(storage);
}

export interface Operand {
  info: TensorInfo<StorageArray>;
  /** Its values as the kernel sees them (after rounding to the dtype). */
  v: number[];
}

export function operand(shape: number[], dtype: DType, values: readonly number[]): Operand {
  const storage = storageOf(values, dtype);
  return { info: { storage, shape, dtype }, v: valuesOf(storage, dtype) };
}

/** Random values fit for `dtype`: floats in [lo, hi], ints across the dtype's range unless given. */
export function randomOperand(shape: number[], dtype: DType, lo = -3, hi = 3): Operand {
  const n = sizeOf(shape);
  if (dtype === 'i8' || dtype === 'i32') {
    const [a, b] = lo === -3 && hi === 3 ? INT_RANGE[dtype] : [lo, hi];
    return operand(shape, dtype, ints(n, a, b));
  }
  return operand(shape, dtype, uniform(n, lo, hi));
}

// ---- comparisons ------------------------------------------------------------------

const same = (a: number, b: number) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b)) || (a === 0 && b === 0);

/**
 * got (a kernel's output storage) against float64 reference values:
 * - f32: within `rel` of the reference's magnitude (or of `scale[i]`, the
 *   size of the terms that were summed, where a sum cancels);
 * - f16: within one f16 ulp of the reference rounded to f16 (plus `rel` of the scale, for sums);
 * - ints: exactly the reference wrapped like C.
 */
export function expectMatches(got: StorageArray, dtype: DType, want: readonly number[], what: string, scale?: readonly number[], rel = 1e-5): void {
  expect(got.length, `${what}: length`).toBe(want.length);
  const values = valuesOf(got, dtype);
  for (let i = 0; i < want.length; i++) {
    const w = want[i];
    const g = values[i];
    let ok: boolean;
    if (dtype === 'i8' || dtype === 'i32') ok = g === wrap(w, dtype);
    else if (!Number.isFinite(w) || !Number.isFinite(g)) ok = same(g, dtype === 'f16' ? roundF16(w) : Math.fround(w));
    else if (dtype === 'f32') ok = Math.abs(g - w) <= rel * Math.max(Math.abs(w), scale?.[i] ?? 0) + 2 ** -149; // one f32 subnormal step
    else {
      const r = roundF16(w);
      ok = Number.isFinite(r) ? Math.abs(g - r) <= ulpF16(r) + rel * (scale?.[i] ?? 0) : same(g, r);
    }
    if (!ok) {
      expect.fail(`${what} [${dtype}] element ${i}: got ${g}, want ${w}${dtype === 'f16' ? ` (f16 ${roundF16(w)})` : ''} — seed ${SEED}`);
    }
  }
}

/** Exact equality of two storages, element by element (NaN equal to NaN, -0 distinct from 0). */
export function expectSame(got: StorageArray, want: StorageArray, what: string): void {
  expect(got.length, `${what}: length`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i])) expect.fail(`${what}: element ${i} is ${got[i]}, want ${want[i]} — seed ${SEED}`);
  }
}
