// ONNX's low-bit element types as the tests' float64 references: the four
// 8-bit floats read from their bit fields and rounded by searching the
// format's table of values (nearest, ties to the even code), written from
// onnx/onnx docs/docs/Float8.md independently of src/onnx/float8.ts;
// float4e2m1 by Float4.md's formula and onnx's reference thresholds; 4-bit
// integers packed two to a byte, low nibble first; and blocked quantization's
// scale index (opset 21's block_size).
import { ravel, unravel } from './float64.js';
import type { TensorSpec } from './onnx.js';
import { roundHalfEven } from './onnx_quantized.js';

export type F8 = 'float8e4m3fn' | 'float8e4m3fnuz' | 'float8e5m2' | 'float8e5m2fnuz';
export const F8_TYPES: readonly F8[] = ['float8e4m3fn', 'float8e4m3fnuz', 'float8e5m2', 'float8e5m2fnuz'];

/** Bit fields, bias, and which codes are special, per format. */
const SPEC: Record<F8, { e: number; m: number; bias: number; nan: number; inf?: number; uz: boolean }> = {
  // S.1111.111 is NaN, no infinities.
  float8e4m3fn: { e: 4, m: 3, bias: 7, nan: 0x7f, uz: false },
  // 0x80 (−0's bits) is the only NaN; no −0, no infinities.
  float8e4m3fnuz: { e: 4, m: 3, bias: 8, nan: 0x80, uz: true },
  // IEEE-like: S.11111.00 infinite, S.11111.xx NaN.
  float8e5m2: { e: 5, m: 2, bias: 15, nan: 0x7f, inf: 0x7c, uz: false },
  float8e5m2fnuz: { e: 5, m: 2, bias: 16, nan: 0x80, uz: true },
};

/** A float8 byte's value. */
export function f8FromBits(bits: number, type: F8): number {
  const s = SPEC[type];
  if (s.uz ? bits === 0x80 : (bits & 0x7f) > (s.inf ?? s.nan - 1) && (bits & 0x7f) !== s.inf) return NaN;
  if (s.inf !== undefined && (bits & 0x7f) === s.inf) return bits & 0x80 ? -Infinity : Infinity;
  const exponent = (bits & 0x7f) >> s.m, mantissa = bits & ((1 << s.m) - 1);
  const v = exponent ? 2 ** (exponent - s.bias) * (1 + mantissa / (1 << s.m)) : 2 ** (1 - s.bias) * (mantissa / (1 << s.m));
  return bits & 0x80 ? -v : v;
}

const TABLES = new Map<F8, number[]>();

/** The format's finite non-negative values, by code (codes 0, 1, 2… ascend in value). */
function table(type: F8): number[] {
  let t = TABLES.get(type);
  if (!t) {
    t = [];
    for (let code = 0; code < 0x80; code++) {
      const v = f8FromBits(code, type);
      if (!Number.isFinite(v)) break;
      t.push(v);
    }
    TABLES.set(type, t);
  }
  return t;
}

/** The largest finite value of a format. */
export function f8Max(type: F8): number {
  const t = table(type);
  return t[t.length - 1];
}

/** The byte `type` holds for v: nearest value, ties to the even code; past the largest, saturated or ±∞ / NaN as Cast's table says. */
export function f8Bits(v: number, type: F8, saturate: boolean): number {
  const s = SPEC[type], t = table(type);
  if (Number.isNaN(v)) return s.nan;
  const sign = v < 0 || Object.is(v, -0) ? 0x80 : 0;
  const a = Math.abs(v);
  // One more value past the largest (its code odd or even as it falls) decides overflow by the same rule.
  const last = t.length - 1, past = t[last] + (t[last] - t[last - 1]);
  let code: number;
  // At or past that one, it wins (and a far larger a would see both at one float64 distance).
  if (a >= past) code = t.length;
  else {
    code = 0;
    for (let c = 1; c <= t.length; c++) {
      const value = c === t.length ? past : t[c];
      const [dNew, dOld] = [Math.abs(value - a), Math.abs((code === t.length ? past : t[code]) - a)];
      if (dNew < dOld || (dNew === dOld && c % 2 === 0)) code = c;
    }
  }
  if (code === t.length) {
    if (saturate) code = last;
    else return s.inf !== undefined ? s.inf | sign : s.nan;
  }
  return s.uz && code === 0 ? 0 : code | sign;
}

/** v rounded to the format, as a value. */
export function f8Round(v: number, type: F8, saturate = true): number {
  return f8FromBits(f8Bits(v, type, saturate), type);
}

export type I4 = 'int4' | 'uint4';
export const I4_RANGE: Record<I4, [number, number]> = { int4: [-8, 7], uint4: [0, 15] };

/** QuantizeLinear of one value to a 4-bit integer: x / scale in f32, rounded, shifted, saturated. */
export function quantize4(x: number, scale: number, zp: number, type: I4): number {
  const [lo, hi] = I4_RANGE[type];
  return Math.min(hi, Math.max(lo, roundHalfEven(Math.fround(x / scale)) + zp));
}

/** 4-bit values packed two to a byte, the first in the low nibble; an odd count leaves the last high nibble 0. */
export function packNibbles(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(Math.ceil(values.length / 2));
  for (let i = 0; i < values.length; i++) out[i >> 1] |= (values[i] & 0xf) << (i % 2 ? 4 : 0);
  return out;
}

/** ONNX's 4-bit float (opset 23, onnx/onnx docs/docs/Float4.md): S.EE.M, bias 1, no ∞ or NaN. */
export type F4 = 'float4e2m1';

/** A float4e2m1 nibble's value: (−1)^S·2^(E−1)·(1 + M/2), or (−1)^S·M/2 where E = 0. */
export function f4FromBits(nibble: number): number {
  const e = (nibble >> 1) & 3, m = nibble & 1;
  const v = e ? 2 ** (e - 1) * (1 + m / 2) : m / 2;
  return nibble & 8 ? -v : v;
}

/** The nibble float4e2m1 holds for v, by onnx's reference (subbyte's float32_to_float4e2m1_unpacked): its thresholds, halves to the even code; ±∞ and past ±5 to ±6; NaN to +6. */
export function f4Bits(v: number): number {
  if (Number.isNaN(v)) return 0x7;
  const a = Math.abs(v), sign = v < 0 || Object.is(v, -0) ? 8 : 0;
  const code = a > 5 ? 7 : a >= 3.5 ? 6 : a > 2.5 ? 5 : a >= 1.75 ? 4 : a > 1.25 ? 3 : a >= 0.75 ? 2 : a > 0.25 ? 1 : 0;
  return code | sign;
}

/** v rounded to float4e2m1, as a value. */
export function f4Round(v: number): number {
  return f4FromBits(f4Bits(v));
}

/** An initializer of a low-bit type, stored as raw_data or as int32_data (one float8 byte, or two 4-bit values, per entry); ±∞ and NaN kept as the format keeps them. */
export function lowBitTensor(type: F8 | I4 | F4, shape: readonly number[], values: ArrayLike<number>, form: 'raw' | 'int32'): TensorSpec {
  const bytes = type === 'int4' || type === 'uint4' ? packNibbles(values) : type === 'float4e2m1' ? packNibbles(Array.from(values, f4Bits)) : Uint8Array.from(values, (v) => f8Bits(v, type, false));
  return { type, shape, values, stored: form === 'raw' ? { raw: bytes } : { int32: Array.from(bytes) } };
}

/** The shape of a blocked scale: x's, with `axis` in blocks of `block` (the last short where they do not divide it). */
export function blockedShape(shape: readonly number[], axis: number, block: number): number[] {
  return shape.map((d, i) => (i === axis ? Math.ceil(d / block) : d));
}

/** The flat index in a blocked scale of x's flat element k. */
export function blockIndex(k: number, shape: readonly number[], axis: number, block: number): number {
  const at = unravel(k, shape);
  at[axis] = Math.floor(at[axis] / block);
  return ravel(at, blockedShape(shape, axis, block));
}
