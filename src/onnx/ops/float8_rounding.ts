// f32 values rounded to an 8-bit float format on the device, as ONNX's
// QuantizeLinear makes them (onnx/onnx Cast's table for float8): to the
// nearest value of the format, halves to even; a value past the format's
// largest finite one goes to it when saturating, else to ±∞ (e5m2) or NaN
// (the formats without infinities); NaN stays NaN; the fnuz formats have no
// −0. Saturating, ±∞ goes to ± the largest value too, as onnx's reference
// and onnxruntime do (the Cast table's saturate rows list NaN for the fnuz
// formats, which neither implements).
//
// float4e2m1 (float4.ts) rounds by the same steps, always saturating.
//
// Made of tmnn's elementwise ops, exact on every backend: each binade's
// step and its inverse are powers of two chosen by comparisons (no log2 or
// pow, which WGSL computes approximately), so |v| · inverse, its rounding
// and the product back by the step are all exact in f32.
import * as ops from '../../ops/index.js';
import type { Tensor } from '../../tensor.js';
import { FLOAT4E2M1, FLOAT4E2M1_NAN, type LowBitFloatType } from '../float4.js';
import { FLOAT8_FORMATS, type Float8Format, type Float8Type } from '../float8.js';

/** v (f32) rounded to `type`'s values, as f32; `saturate` as QuantizeLinear's attribute. */
export function roundToFloat8(v: Tensor, type: Float8Type, saturate: boolean): Tensor {
  return roundToFormat(v, FLOAT8_FORMATS[type], saturate);
}

/** v (f32) rounded to an 8-bit float or to float4e2m1, which always saturates and takes NaN to its largest value (float4.ts). */
export function roundToLowBitFloat(v: Tensor, type: LowBitFloatType, saturate: boolean): Tensor {
  if (type !== 'float4e2m1') return roundToFloat8(v, type, saturate);
  return ops.where(ops.isNaN(v), FLOAT4E2M1_NAN, roundToFormat(v, FLOAT4E2M1, true));
}

/** v (f32) rounded to a small float format's values, as f32. */
function roundToFormat(v: Tensor, f: Float8Format, saturate: boolean): Tensor {
  const m = f.mantissaBits, minExponent = 1 - f.bias;
  const a = ops.abs(v);
  // Subnormals share the smallest normal binade's step, 2^(minExponent − M); each binade above doubles it.
  let step: Tensor | number = 2 ** (minExponent - m), inverse: Tensor | number = 2 ** (m - minExponent);
  for (let e = minExponent + 1; e <= f.maxExponent; e++) {
    const above = ops.greaterEqual(a, 2 ** e);
    step = ops.where(above, 2 ** (e - m), step);
    inverse = ops.where(above, 2 ** (m - e), inverse);
  }
  const rounded = ops.mul(ops.round(ops.mul(a, inverse)), step);
  const overflow = saturate ? f.max : f.infinities ? Infinity : NaN;
  const magnitude = ops.where(ops.greater(rounded, f.max), overflow, rounded);
  const signed = ops.copysign(magnitude, v);
  return f.unsignedZero ? ops.where(ops.equal(magnitude, 0), 0, signed) : signed;
}
