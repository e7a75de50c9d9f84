// The element types tmnn knows, how each is stored, and how they combine.
import { DTypeError, ValueError } from './errors.js';
import { encodeF16, decodeF16 } from './f16.js';

export const DTYPES = ['f32', 'f16', 'i8', 'i32'] as const;
export type DType = (typeof DTYPES)[number];

/** How a dtype's elements sit in memory: f16 as raw 16-bit patterns. */
export type StorageArray = Float32Array | Uint16Array | Int8Array | Int32Array;

/** What `data()` hands back: f16 decoded to Float32Array, since Node has no Float16Array. */
export type DataArray = Float32Array | Int8Array | Int32Array;

export const BYTES_PER_ELEMENT: Readonly<Record<DType, number>> = { f32: 4, f16: 2, i8: 1, i32: 4 };

export function isDType(x: unknown): x is DType {
  return typeof x === 'string' && (DTYPES as readonly string[]).includes(x);
}

export function checkDType(x: unknown, where: string): DType {
  if (!isDType(x)) {
    throw new DTypeError(`${where}: unknown dtype ${JSON.stringify(x)}; expected one of ${DTYPES.join(', ')}`);
  }
  return x;
}

export function isFloat(d: DType): d is 'f32' | 'f16' {
  return d === 'f32' || d === 'f16';
}

export const INT_RANGE: Readonly<Record<'i8' | 'i32', readonly [number, number]>> = {
  i8: [-128, 127],
  i32: [-2147483648, 2147483647],
};

export function allocStorage(dtype: DType, size: number): StorageArray {
  switch (dtype) {
    case 'f32': return new Float32Array(size);
    case 'f16': return new Uint16Array(size);
    case 'i8': return new Int8Array(size);
    case 'i32': return new Int32Array(size);
  }
}

/**
 * Encodes user values into a dtype's storage. Integers must be whole and in
 * range: a silent wrap of 300 into an i8 would be a bug in the user's program,
 * so it is an error here (arithmetic between int tensors does wrap, like C).
 */
export function encodeValues(values: ArrayLike<number>, dtype: DType, where: string): StorageArray {
  if (dtype === 'f32') return Float32Array.from(values);
  if (dtype === 'f16') return encodeF16(values);
  const [lo, hi] = INT_RANGE[dtype];
  const out = allocStorage(dtype, values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v < lo || v > hi) {
      throw new ValueError(`${where}: value ${v} at flat index ${i} is not an integer in ${dtype}'s range [${lo}, ${hi}]`);
    }
    out[i] = v;
  }
  return out;
}

/** A downloaded storage (already a copy) → the values a user sees: f16 decoded, the rest as they are. */
export function decodeStorage(storage: StorageArray, dtype: DType): DataArray {
  return dtype === 'f16' ? decodeF16(storage as Uint16Array) : (storage as DataArray);
}

/**
 * Result dtype of a binary op. Same dtypes stay; two floats give f32; an int and
 * a float give the float (f32 for i32 with f16, whose 11-bit mantissa cannot
 * hold i32); i8 with i32 gives i32.
 */
export function promoteTypes(a: DType, b: DType): DType {
  if (a === b) return a;
  if (isFloat(a) && isFloat(b)) return 'f32';
  if (isFloat(a) || isFloat(b)) {
    const [f, i] = isFloat(a) ? [a, b] : [b, a];
    return f === 'f16' && i === 'i8' ? 'f16' : 'f32';
  }
  return 'i32';
}

/**
 * The dtype a plain JS number takes next to a tensor of dtype `d`: it follows
 * the tensor (so `halfTensor.mul(2)` stays f16), except that a fractional
 * number next to an int tensor makes the result f32.
 */
export function scalarDTypeNextTo(d: DType, value: number): DType {
  if (isFloat(d)) return d;
  if (Number.isInteger(value) && value >= INT_RANGE[d][0] && value <= INT_RANGE[d][1]) return d;
  return Number.isInteger(value) && Math.abs(value) <= INT_RANGE.i32[1] ? 'i32' : 'f32';
}

/** The gap between 1 and the next float of a float dtype (torch.finfo(dtype).eps): 2⁻²³ for f32, 2⁻¹⁰ for f16. */
export function epsilonOf(dtype: 'f32' | 'f16' | DType): number {
  return dtype === 'f16' ? 2 ** -10 : 2 ** -23;
}

/** Float dtype used when an op needs a float result from `d` (exp of an int tensor → f32). */
export function floatDTypeOf(d: DType): DType {
  return isFloat(d) ? d : 'f32';
}

/** Dtype a typed array implies when no dtype is given. */
export function dtypeOfArray(values: ArrayLike<number>): DType {
  if (values instanceof Int32Array) return 'i32';
  if (values instanceof Int8Array) return 'i8';
  return 'f32';
}

/** Saturating conversion to an integer dtype: truncate toward zero, clamp, NaN → 0. */
export function saturateToInt(v: number, dtype: 'i8' | 'i32'): number {
  if (Number.isNaN(v)) return 0;
  const [lo, hi] = INT_RANGE[dtype];
  const t = Math.trunc(v);
  return t < lo ? lo : t > hi ? hi : t;
}
