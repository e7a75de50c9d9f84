// onnxruntime's QOperator ops (com.microsoft QLinear*, QGemm) as float64
// loops of their definitions: each input dequantized exactly, the float op
// in float64, and the result quantized by y — with the quotient v / y_scale
// kept, since where it lies within float rounding of a half an f32
// implementation may round either way (expectRequantized allows exactly
// that). The references of test/onnx/ops/microsoft_qlinear.test.ts.
import { expect } from 'vitest';
import { SEED } from './data.js';
import type { F64 } from './float64.js';
import { integerConvRef, RANGE, roundHalfEven, saturate, type ConvGeometry, type Q } from './onnx_quantized.js';

export interface QP {
  scale: number;
  zeroPoint: number;
}

/** A tensor's values quantized by y: the quotients v / scale and the integers saturate(round(q) + zp). */
export interface Requantized {
  shape: number[];
  q: Float64Array;
  v: Float64Array;
}

export const dequantize = (v: number, p: QP): number => p.scale * (v - p.zeroPoint);

export function requantizedRef(real: F64, y: QP, type: Q): Requantized {
  const q = real.v.map((v) => v / y.scale);
  return { shape: real.shape, q, v: q.map((x) => saturate(roundHalfEven(x) + y.zeroPoint, type)) };
}

/** The element k's tolerance in units of the quotient: how far from a half f32 arithmetic may move it. */
export type Slack = (k: number) => number;

/** A relative slack: `rel` of the quotient's size (or of `size(k)`, the size of the terms summed into it), at least `rel`. */
export const relative = (want: Requantized, rel: number, size?: (k: number) => number): Slack => (k) => rel * Math.max(1, size ? size(k) : Math.abs(want.q[k]));

/**
 * got equals want, or is one off where the quotient lies within slack(k) of
 * a half (where float rounding may take it either way); saturated ends are
 * exact. Returns how many were one off.
 */
export function expectRequantized(got: ArrayLike<number>, want: Requantized, slack: Slack, what: string): number {
  expect(got.length, what).toBe(want.v.length);
  let off = 0;
  for (let k = 0; k < want.v.length; k++) {
    if (got[k] === want.v[k]) continue;
    const q = want.q[k];
    const nearHalf = Math.abs(q - Math.floor(q) - 0.5) <= slack(k);
    if (!(nearHalf && Math.abs(got[k] - want.v[k]) === 1)) expect.fail(`${what} index ${k}: got ${got[k]}, want ${want.v[k]} (quotient ${q}, test seed ${SEED})`);
    off++;
  }
  return off;
}

/** Each 8-bit value of x dequantized by p. */
export function dequantized(x: F64, p: QP): F64 {
  return { shape: x.shape, v: x.v.map((v) => dequantize(v, p)) };
}

/** QGemm's accumulator and real result: alpha · a_scale · b_scale_j · ((A − a_zp)(B − b_zp) + C), A [M, K] (or Aᵀ), B [K, N] (or Bᵀ). */
export function qgemmRef(a: F64, aq: QP, b: F64, bScales: readonly number[], bZeros: readonly number[], c: F64 | undefined, o: { alpha: number; transA: boolean; transB: boolean }): F64 {
  const [m, k] = o.transA ? [a.shape[1], a.shape[0]] : a.shape;
  const n = o.transB ? b.shape[0] : b.shape[1];
  const at = (i: number, p: number) => a.v[o.transA ? p * m + i : i * k + p];
  const bt = (p: number, j: number) => b.v[o.transB ? j * k + p : p * n + j];
  const v = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += (at(i, p) - aq.zeroPoint) * (bt(p, j) - bZeros[bZeros.length > 1 ? j : 0]);
      if (c) s += biasAt(c, i, j);
      v[i * n + j] = o.alpha * aq.scale * bScales[bScales.length > 1 ? j : 0] * s;
    }
  }
  return { shape: [m, n], v };
}

/** C (a scalar, [N], [1, N], [M, 1] or [M, N]) broadcast to [M, N], at (i, j). */
function biasAt(c: F64, i: number, j: number): number {
  const [rows, cols] = c.shape.length === 2 ? c.shape : [1, c.shape[0] ?? 1];
  return c.v[(rows === 1 ? 0 : i) * cols + (cols === 1 ? 0 : j)];
}

export { RANGE, type Q };

/**
 * A small CNN in float (f32 values) and the plan of its QOperator form:
 * two convolutions of x (3×3 padded, and 1×1) summed, averaged over the
 * image, and a fully connected layer (Gemm with transB, as PyTorch's Linear
 * exports).
 */
export interface Cnn {
  w1: F64;
  b1: F64;
  w2: F64;
  b2: F64;
  wg: F64;
  bg: F64;
}

export const CNN_PADS = [1, 1, 1, 1];

/** The float CNN's stages in float64: the two convolutions, their sum, its mean per channel, and the output. */
export function cnnRef(net: Cnn, x: F64): { c: F64; d: F64; e: F64; g: F64; y: F64 } {
  const conv = (w: F64, b: F64, pads: number[]) => {
    const acc = integerConvRefF(x, w, { pads, strides: [1, 1], dilations: [1, 1], group: 1 });
    const inner = acc.v.length / (acc.shape[0] * acc.shape[1]);
    return { shape: acc.shape, v: acc.v.map((v, i) => v + b.v[Math.floor(i / inner) % acc.shape[1]]) };
  };
  const c = conv(net.w1, net.b1, CNN_PADS), d = conv(net.w2, net.b2, [0, 0, 0, 0]);
  const e = { shape: c.shape, v: c.v.map((v, i) => v + d.v[i]) };
  const g = meanImage(e);
  const [n, k] = g.shape, m = net.wg.shape[0];
  const y = { shape: [n, m], v: new Float64Array(n * m) };
  for (let r = 0; r < n; r++) for (let j = 0; j < m; j++) y.v[r * m + j] = net.bg.v[j] + Array.from({ length: k }, (_, p) => g.v[r * k + p] * net.wg.v[j * k + p]).reduce((a, b) => a + b, 0);
  return { c, d, e, g, y };
}

/** The mean of each [N, C] image, as [N, C]. */
export function meanImage(e: F64): F64 {
  const [n, ch] = e.shape, inner = e.v.length / (n * ch);
  return { shape: [n, ch], v: Float64Array.from({ length: n * ch }, (_, i) => e.v.subarray(i * inner, (i + 1) * inner).reduce((a, b) => a + b, 0) / inner) };
}

/** A float convolution, as the integer one with zero points 0. */
function integerConvRefF(x: F64, w: F64, g: ConvGeometry): F64 {
  return integerConvRef(x, w, 0, [0], g);
}
