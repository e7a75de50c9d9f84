// ONNX's 4-bit float, float4e2m1 (TensorProto type 23, opset 23; onnx/onnx
// docs/docs/Float4.md, the OCP microscaling formats' E2M1): one sign bit,
// two exponent bits (bias 1), one mantissa bit, no infinities and no NaN;
// its values ±{0, 0.5, 1, 1.5, 2, 3, 4, 6}. Packed two to a byte in files,
// the first in the low nibble, as int4. A cast to it rounds to nearest,
// halves to even, and always saturates: ±∞ and values past ±6 go to ±6, NaN
// to +6 (onnx's reference, subbyte's float32_to_float4e2m1_unpacked; Cast's
// saturate attribute is for the 8-bit floats only).
//
// Held as the 8-bit floats are (float8.ts): as the f32 of its value, the
// element type recorded beside it.
import { isFloat8Type, roundToFloat8Value, roundToFormatValue, type Float8Format, type Float8Type } from './float8.js';

/** E2M1 in float8.ts' terms: subnormals 0.5 apart, binades [1, 2) and [2, 4) and [4, 6]. */
export const FLOAT4E2M1: Float8Format = { exponentBits: 2, mantissaBits: 1, bias: 1, infinities: false, unsignedZero: false, max: 6, maxExponent: 2 };

/** What NaN becomes in float4e2m1, which has none: its code 0x7, +6. */
export const FLOAT4E2M1_NAN = 6;

/** The small floats tmnn holds as the f32s of their values. */
export type LowBitFloatType = Float8Type | 'float4e2m1';

export function isLowBitFloatType(type: string | undefined): type is LowBitFloatType {
  return type === 'float4e2m1' || isFloat8Type(type);
}

/** The value of one float4e2m1 nibble. */
export function float4e2m1Value(nibble: number): number {
  const exponent = (nibble >> 1) & 3, mantissa = nibble & 1;
  const magnitude = exponent === 0 ? mantissa / 2 : (1 + mantissa / 2) * 2 ** (exponent - 1);
  return nibble & 8 ? -magnitude : magnitude;
}

/** One number rounded to `type`'s values as ops/float8_rounding.ts' roundToLowBitFloat rounds a tensor. */
export function roundToLowBitFloatValue(v: number, type: LowBitFloatType, saturate: boolean): number {
  if (type !== 'float4e2m1') return roundToFloat8Value(v, type, saturate);
  return Number.isNaN(v) ? FLOAT4E2M1_NAN : roundToFormatValue(v, FLOAT4E2M1, true);
}
