// IEEE 754 binary16 conversion. JavaScript has no Float16Array on Node 20, so
// f16 tensors are stored as their raw 16-bit patterns in a Uint16Array and
// converted here. Encoding rounds a float64 straight to the nearest f16 (ties to
// even): going through f32 first would round twice and can be off by one ulp.
import { roundHalfEven } from './round.js';

const SUBNORMAL_SCALE = 2 ** 24; // one f16 subnormal ulp is 2^-24
const MIN_NORMAL = 2 ** -14;
/** The largest finite f16. */
export const F16_MAX = 65504;
/** Where values round to infinity in f16: halfway between the largest f16 and 2^16. */
export const F16_OVERFLOW = 65520;

/** The f16 bit pattern nearest to `value`. */
export function f16Bits(value: number): number {
  if (Number.isNaN(value)) return 0x7e00;
  const sign = value < 0 || Object.is(value, -0) ? 0x8000 : 0;
  const x = Math.abs(value);
  if (x >= F16_OVERFLOW) return sign | 0x7c00;
  if (x < MIN_NORMAL) {
    // Subnormal (or rounds up into the smallest normal, which the bit layout handles).
    return sign | roundHalfEven(x * SUBNORMAL_SCALE);
  }
  let e = Math.floor(Math.log2(x));
  // log2 can be off by one right at powers of two; fix it exactly.
  if (2 ** e > x) e -= 1;
  else if (2 ** (e + 1) <= x) e += 1;
  const m = roundHalfEven(x * 2 ** (10 - e)); // in [1024, 2048]; 2048 carries into the exponent
  return sign | (((e + 15) << 10) + (m - 1024));
}

/** The number an f16 bit pattern stands for. */
export function f16Value(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? NaN : sign * Infinity;
  return sign * (1024 + mantissa) * 2 ** (exponent - 25);
}

/** Rounds each value to f16 and returns the bit patterns. */
export function encodeF16(values: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = f16Bits(values[i]);
  return out;
}

// All 65536 decodings, built on first use: decoding is then one table lookup.
let decodeTable: Float32Array | undefined;

/** Decodes f16 bit patterns to their values. */
export function decodeF16(bits: Uint16Array): Float32Array {
  if (!decodeTable) {
    decodeTable = new Float32Array(65536);
    for (let b = 0; b < 65536; b++) decodeTable[b] = f16Value(b);
  }
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = decodeTable[bits[i]];
  return out;
}
