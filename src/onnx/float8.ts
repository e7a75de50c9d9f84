// ONNX's four 8-bit float formats (TensorProto types 17–20, onnx/onnx
// docs/docs/Float8.md): one sign bit, then E exponent and M mantissa bits.
// The "fn" formats have no infinities; e4m3fn keeps its NaN at S.1111.111,
// e5m2 is IEEE-like (infinities at S.11111.00, NaNs above). The "fnuz"
// formats have no negative zero either: 0x80, negative zero's bits, is their
// only NaN, and their bias is one more than IEEE's.
//
// tmnn holds none of these as a dtype: a float8 value is held as the f32 of
// the same value (every float8 value is exactly an f32), the element type
// recorded beside it.

import { roundHalfEven } from '../round.js';

export type Float8Type = 'float8e4m3fn' | 'float8e4m3fnuz' | 'float8e5m2' | 'float8e5m2fnuz';

export interface Float8Format {
  exponentBits: number;
  mantissaBits: number;
  bias: number;
  /** e5m2 alone has infinities. */
  infinities: boolean;
  /** fnuz: no negative zero, 0x80 is NaN. */
  unsignedZero: boolean;
  /** The largest finite value. */
  max: number;
  /** The exponent of the largest binade: values there are spaced 2^(maxExponent − M). */
  maxExponent: number;
}

export const FLOAT8_FORMATS: Readonly<Record<Float8Type, Float8Format>> = {
  float8e4m3fn: { exponentBits: 4, mantissaBits: 3, bias: 7, infinities: false, unsignedZero: false, max: 448, maxExponent: 8 },
  float8e4m3fnuz: { exponentBits: 4, mantissaBits: 3, bias: 8, infinities: false, unsignedZero: true, max: 240, maxExponent: 7 },
  float8e5m2: { exponentBits: 5, mantissaBits: 2, bias: 15, infinities: true, unsignedZero: false, max: 57344, maxExponent: 15 },
  float8e5m2fnuz: { exponentBits: 5, mantissaBits: 2, bias: 16, infinities: false, unsignedZero: true, max: 57344, maxExponent: 15 },
};

export function isFloat8Type(type: string | undefined): type is Float8Type {
  return type !== undefined && Object.hasOwn(FLOAT8_FORMATS, type);
}

/** The value of one float8 byte of `type`. */
export function float8Value(bits: number, type: Float8Type): number {
  const f = FLOAT8_FORMATS[type];
  const m = f.mantissaBits, top = (1 << f.exponentBits) - 1;
  const sign = bits & 0x80 ? -1 : 1;
  const exponent = (bits >> m) & top, mantissa = bits & ((1 << m) - 1);
  if (f.unsignedZero && bits === 0x80) return NaN;
  if (!f.unsignedZero && exponent === top) {
    if (f.infinities) return mantissa === 0 ? sign * Infinity : NaN;
    if (mantissa === (1 << m) - 1) return NaN;
  }
  // Exponent field 0: subnormal, with the smallest normal binade's exponent.
  const magnitude = exponent === 0 ? mantissa * 2 ** (1 - f.bias - m) : (1 + mantissa / 2 ** m) * 2 ** (exponent - f.bias);
  return sign * magnitude;
}

/** One number rounded to `type`'s values as ops/float8_rounding.ts rounds a tensor (for casts of constants on the host). */
export function roundToFloat8Value(v: number, type: Float8Type, saturate: boolean): number {
  return roundToFormatValue(v, FLOAT8_FORMATS[type], saturate);
}

/** One number rounded to a small float format's values: nearest, halves to even; past its largest value as `saturate` says. */
export function roundToFormatValue(v: number, f: Float8Format, saturate: boolean): number {
  if (Number.isNaN(v)) return NaN;
  const m = f.mantissaBits, a = Math.abs(Math.fround(v));
  let e = 1 - f.bias;
  while (e < f.maxExponent && a >= 2 ** (e + 1)) e++;
  const rounded = roundHalfEven(a * 2 ** (m - e)) * 2 ** (e - m);
  const magnitude = rounded > f.max ? (saturate ? f.max : f.infinities ? Infinity : NaN) : rounded;
  if (magnitude === 0 && f.unsignedZero) return 0;
  return v < 0 || Object.is(v, -0) ? -magnitude : magnitude;
}
