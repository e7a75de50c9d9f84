// ONNX's quantization arithmetic as float64 loops (the references of
// test/onnx/ops/quantization.test.ts), with f32 rounding (Math.fround) where
// ONNX computes in float, and the two quantized forms of a two-layer MLP
// that onnxruntime's tools write: dynamic (DynamicQuantizeLinear →
// MatMulInteger → Cast → Mul by the scales) and QDQ (QuantizeLinear →
// DequantizeLinear around float MatMuls).
import { expect } from 'vitest';
import { SEED } from './data.js';
import type { F64 } from './float64.js';
import type { GraphSpec, TensorSpec } from './onnx.js';

export type Q = 'uint8' | 'int8';
export const RANGE: Record<Q, [number, number]> = { uint8: [0, 255], int8: [-128, 127] };

/** Rounding to nearest, halves to even (ONNX's, and C's nearbyint). */
export function roundHalfEven(v: number): number {
  const f = Math.floor(v), d = v - f;
  return d < 0.5 ? f : d > 0.5 ? f + 1 : f % 2 === 0 ? f : f + 1;
}

export function saturate(v: number, type: Q): number {
  const [lo, hi] = RANGE[type];
  return Math.min(hi, Math.max(lo, v));
}

/** QuantizeLinear of one value: x / scale in f32, rounded, shifted, saturated. */
export function quantize(x: number, scale: number, zp: number, type: Q): number {
  return saturate(roundHalfEven(Math.fround(x / scale)) + zp, type);
}

/**
 * got equals want, except by one where the quotient (the value ONNX rounds)
 * lies within a few f32 ulps of a half: where an f32 division 2.5 ulps off
 * (WGSL's bound) may round the other way. Saturated values are exact.
 */
export function expectQuantized(got: ArrayLike<number>, want: ArrayLike<number>, quotients: ArrayLike<number>, what: string): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (got[i] === want[i]) continue;
    const q = quotients[i], nearHalf = Math.abs(q - Math.floor(q) - 0.5) <= 8 * 2 ** -23 * Math.max(1, Math.abs(q));
    if (!(nearHalf && Math.abs(got[i] - want[i]) === 1)) expect.fail(`${what} index ${i}: got ${got[i]}, want ${want[i]} (quotient ${q}, test seed ${SEED})`);
  }
}

/** The per-axis index of flat element k of `shape` along `axis`. */
export function axisIndex(k: number, shape: readonly number[], axis: number): number {
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  return Math.floor(k / inner) % shape[axis];
}

/** (A − a_zp)(B − b_zp) in exact integers: a_zp per row (or one), b_zp per column (or one); 2-D operands. */
export function integerMatmulRef(a: F64, b: F64, azp: ArrayLike<number>, bzp: ArrayLike<number>): F64 {
  const [m, k] = a.shape, n = b.shape[1];
  const v = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += (a.v[i * k + p] - azp[azp.length > 1 ? i : 0]) * (b.v[p * n + j] - bzp[bzp.length > 1 ? j : 0]);
      v[i * n + j] = s;
    }
  }
  return { shape: [m, n], v };
}

export interface ConvGeometry {
  pads: number[];
  strides: number[];
  dilations: number[];
  group: number;
}

/** The integer convolution of x − x_zp with w − w_zp (per output channel or one), over any number of spatial axes, padding counting as x_zp. */
export function integerConvRef(x: F64, w: F64, xzp: number, wzp: ArrayLike<number>, g: ConvGeometry): F64 {
  const n = x.shape.length - 2;
  const [batch, channels] = x.shape, filters = w.shape[0];
  const sizes = x.shape.slice(2), kernel = w.shape.slice(2);
  const begin = g.pads.slice(0, n), end = g.pads.slice(n);
  const out = sizes.map((s, a) => Math.floor((s + begin[a] + end[a] - g.dilations[a] * (kernel[a] - 1) - 1) / g.strides[a]) + 1);
  const perGroup = channels / g.group, filtersPerGroup = filters / g.group;
  const count = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);
  // Row-major multi-index of a flat place.
  const index = (flat: number, dims: readonly number[]) => dims.map((_, a) => Math.floor(flat / count(dims.slice(a + 1))) % dims[a]);
  const v = new Float64Array(batch * filters * count(out));
  let at = 0;
  for (let b = 0; b < batch; b++) {
    for (let f = 0; f < filters; f++) {
      const group = Math.floor(f / filtersPerGroup);
      for (let o = 0; o < count(out); o++) {
        const oi = index(o, out);
        let s = 0;
        for (let c = 0; c < perGroup; c++) {
          for (let k = 0; k < count(kernel); k++) {
            const ki = index(k, kernel);
            const ii = oi.map((p, a) => p * g.strides[a] + ki[a] * g.dilations[a] - begin[a]);
            const inside = ii.every((p, a) => p >= 0 && p < sizes[a]);
            const xv = inside ? x.v[(b * channels + group * perGroup + c) * count(sizes) + ii.reduce((acc, p, a) => acc * sizes[a] + p, 0)] - xzp : 0;
            s += xv * (w.v[(f * perGroup + c) * count(kernel) + k] - wzp[wzp.length > 1 ? f : 0]);
          }
        }
        v[at++] = s;
      }
    }
  }
  return { shape: [batch, filters, ...out], v };
}

/** A float MLP's layers: weights [in, out] and biases, f32 values. */
export interface Mlp {
  layers: { w: F64; b: F64 }[];
}

/** Symmetric int8 weights per tensor, as onnxruntime's quantize_dynamic writes them by default: w ≈ q · scale, zero point 0. */
export function quantizeWeights(w: F64): { q: Float64Array; scale: number } {
  const scale = Math.fround(Math.max(...Array.from(w.v, Math.abs)) / 127);
  return { q: w.v.map((v) => quantize(v, scale, 0, 'int8')), scale };
}

/**
 * The MLP in onnxruntime's dynamic format: each layer's input quantized at
 * run time (DynamicQuantizeLinear), multiplied by the int8 weights
 * (MatMulInteger), made float (Cast) and scaled by x_scale · w_scale (Mul),
 * then the float bias and a Relu between layers. flattenQuantized puts a
 * Flatten between DynamicQuantizeLinear and MatMulInteger.
 */
export function dynamicMlp(mlp: Mlp, batch: number | string, options: { flattenQuantized?: boolean } = {}): GraphSpec {
  const nodes: GraphSpec['nodes'][number][] = [];
  const initializers: Record<string, TensorSpec> = {};
  let input = 'x';
  mlp.layers.forEach(({ w, b }, i) => {
    const { q, scale } = quantizeWeights(w);
    initializers[`w${i}_quantized`] = { type: 'int8', shape: w.shape, values: q };
    initializers[`w${i}_scale`] = { shape: [], values: [scale] };
    initializers[`w${i}_zero_point`] = { type: 'int8', shape: [], values: [0] };
    initializers[`b${i}`] = { shape: b.shape, values: b.v };
    const p = `l${i}_`;
    nodes.push(
      { op: 'DynamicQuantizeLinear', inputs: [input], outputs: [`${p}xq`, `${p}xs`, `${p}xz`] },
      // A shape op between (a Flatten that keeps the shape) passes the uint8 values on as a new tensor.
      ...(options.flattenQuantized ? [{ op: 'Flatten', inputs: [`${p}xq`], outputs: [`${p}xqf`], attributes: { axis: 1 } }] : []),
      { op: 'MatMulInteger', inputs: [options.flattenQuantized ? `${p}xqf` : `${p}xq`, `w${i}_quantized`, `${p}xz`, `w${i}_zero_point`], outputs: [`${p}acc`] },
      { op: 'Cast', inputs: [`${p}acc`], outputs: [`${p}accf`], attributes: { to: 1 } },
      { op: 'Mul', inputs: [`${p}xs`, `w${i}_scale`], outputs: [`${p}scale`] },
      { op: 'Mul', inputs: [`${p}accf`, `${p}scale`], outputs: [`${p}mm`] },
      { op: 'Add', inputs: [`${p}mm`, `b${i}`], outputs: [i === mlp.layers.length - 1 ? 'y' : `${p}pre`] },
    );
    if (i < mlp.layers.length - 1) nodes.push({ op: 'Relu', inputs: [`${p}pre`], outputs: [`${p}out`] });
    input = `${p}out`;
  });
  const [inputs, outputs] = [mlp.layers[0].w.shape[0], mlp.layers[mlp.layers.length - 1].w.shape[1]];
  return { opset: 13, inputs: [{ name: 'x', shape: [batch, inputs] }], outputs: [{ name: 'y', shape: [batch, outputs] }], nodes, initializers };
}

/** Symmetric int8 scales per output channel (column of [in, out]), as onnxruntime's static quantization writes them. */
export function channelScales(w: F64): number[] {
  const [k, n] = w.shape;
  return Array.from({ length: n }, (_, j) => Math.fround(Math.max(1e-8, ...Array.from({ length: k }, (_, p) => Math.abs(w.v[p * n + j]))) / 127));
}

/**
 * The MLP in QDQ format, as onnxruntime's static quantization writes it:
 * activations quantized to uint8 with calibrated scales and zero points
 * (QuantizeLinear → DequantizeLinear), weights stored int8 per output
 * channel (axis 1 of [in, out]) with DequantizeLinear, biases int32 at scale
 * x_scale · w_scale, and float MatMul / Add / Relu between.
 */
export function qdqMlp(mlp: Mlp, batch: number | string, activations: readonly { scale: number; zeroPoint: number }[]): GraphSpec {
  const nodes: GraphSpec['nodes'][number][] = [];
  const initializers: Record<string, TensorSpec> = {};
  let input = 'x';
  mlp.layers.forEach(({ w, b }, i) => {
    const n = w.shape[1];
    const { scale: xs, zeroPoint: xz } = activations[i];
    const scales = channelScales(w);
    initializers[`x${i}_scale`] = { shape: [], values: [xs] };
    initializers[`x${i}_zero_point`] = { type: 'uint8', shape: [], values: [xz] };
    initializers[`w${i}_quantized`] = { type: 'int8', shape: w.shape, values: w.v.map((v, at) => quantize(v, scales[at % n], 0, 'int8')) };
    initializers[`w${i}_scale`] = { shape: [n], values: scales };
    initializers[`w${i}_zero_point`] = { type: 'int8', shape: [n], values: new Array(n).fill(0) };
    const biasScales = scales.map((s) => Math.fround(xs * s));
    initializers[`b${i}_quantized`] = { type: 'int32', shape: [n], values: Array.from(b.v, (v, j) => roundHalfEven(v / biasScales[j])) };
    initializers[`b${i}_scale`] = { shape: [n], values: biasScales };
    const p = `l${i}_`;
    nodes.push(
      { op: 'QuantizeLinear', inputs: [input, `x${i}_scale`, `x${i}_zero_point`], outputs: [`${p}xq`] },
      { op: 'DequantizeLinear', inputs: [`${p}xq`, `x${i}_scale`, `x${i}_zero_point`], outputs: [`${p}xd`] },
      { op: 'DequantizeLinear', inputs: [`w${i}_quantized`, `w${i}_scale`, `w${i}_zero_point`], outputs: [`${p}wd`], attributes: { axis: 1 } },
      { op: 'DequantizeLinear', inputs: [`b${i}_quantized`, `b${i}_scale`], outputs: [`${p}bd`], attributes: { axis: 0 } },
      { op: 'MatMul', inputs: [`${p}xd`, `${p}wd`], outputs: [`${p}mm`] },
      { op: 'Add', inputs: [`${p}mm`, `${p}bd`], outputs: [i === mlp.layers.length - 1 ? 'y' : `${p}pre`] },
    );
    if (i < mlp.layers.length - 1) nodes.push({ op: 'Relu', inputs: [`${p}pre`], outputs: [`${p}out`] });
    input = `${p}out`;
  });
  const [inputs, outputs] = [mlp.layers[0].w.shape[0], mlp.layers[mlp.layers.length - 1].w.shape[1]];
  return { opset: 13, inputs: [{ name: 'x', shape: [batch, inputs] }], outputs: [{ name: 'y', shape: [batch, outputs] }], nodes, initializers };
}

/** The float MLP (relu between layers) in float64. */
export function mlpRef(mlp: Mlp, x: F64): F64 {
  let h = x;
  mlp.layers.forEach(({ w, b }, i) => {
    const [m, k] = h.shape, n = w.shape[1];
    const v = new Float64Array(m * n);
    for (let r = 0; r < m; r++) {
      for (let j = 0; j < n; j++) {
        let s = b.v[j];
        for (let p = 0; p < k; p++) s += h.v[r * k + p] * w.v[p * n + j];
        v[r * n + j] = i < mlp.layers.length - 1 ? Math.max(0, s) : s;
      }
    }
    h = { shape: [m, n], v };
  });
  return h;
}

/** How a quantized MLP rounds each layer: the step of its input's quantization given the range the input spans, and each output column's weight step and bias error. */
export interface MlpRounding {
  inputStep(layer: number, lo: number, hi: number): number;
  weightSteps(layer: number): readonly number[];
  biasErrors(layer: number): readonly number[];
}

/** The dynamic format: an input's uint8 step covers its range with 0, the weights have one step per tensor, the biases stay float. */
export function dynamicRounding(mlp: Mlp): MlpRounding {
  return {
    inputStep: (_, lo, hi) => (Math.max(0, hi) - Math.min(0, lo)) / 255,
    weightSteps: (i) => new Array(mlp.layers[i].w.shape[1]).fill(quantizeWeights(mlp.layers[i].w).scale),
    biasErrors: (i) => new Array(mlp.layers[i].w.shape[1]).fill(0),
  };
}

/** The QDQ format: calibrated input steps, a weight step per output channel, biases rounded to x_scale · w_scale. */
export function qdqRounding(mlp: Mlp, activations: readonly { scale: number }[]): MlpRounding {
  return {
    inputStep: (i) => activations[i].scale,
    weightSteps: (i) => channelScales(mlp.layers[i].w),
    biasErrors: (i) => channelScales(mlp.layers[i].w).map((s) => (activations[i].scale * s) / 2),
  };
}

/**
 * A bound, per output, on |quantized MLP − float MLP|. A layer's quantized
 * input is off from the float one by the error carried in plus one step (half
 * for rounding, half more where the rounded zero point moves the range's end
 * and a value saturates); each int8 weight is off by half its step; a relu
 * never grows an error. The f32 arithmetic adds 1e-5 of the terms' sizes.
 */
export function quantizationErrorBound(mlp: Mlp, x: F64, rounding: MlpRounding): Float64Array {
  let h = x.v, carried = new Float64Array(h.length);
  const m = x.shape[0];
  mlp.layers.forEach(({ w, b }, i) => {
    const [k, n] = w.shape;
    const reach = Math.max(...carried);
    const step = rounding.inputStep(i, Math.min(...h) - reach, Math.max(...h) + reach);
    const [ws, be] = [rounding.weightSteps(i), rounding.biasErrors(i)];
    const next = new Float64Array(m * n), error = new Float64Array(m * n);
    for (let r = 0; r < m; r++) {
      for (let j = 0; j < n; j++) {
        let s = b.v[j], e = be[j], size = Math.abs(b.v[j]);
        for (let p = 0; p < k; p++) {
          const [hv, wv] = [h[r * k + p], w.v[p * n + j]];
          s += hv * wv;
          e += (carried[r * k + p] + step) * (Math.abs(wv) + ws[j] / 2) + (Math.abs(hv) * ws[j]) / 2;
          size += Math.abs(hv * wv);
        }
        next[r * n + j] = i < mlp.layers.length - 1 ? Math.max(0, s) : s;
        error[r * n + j] = e + 1e-5 * size;
      }
    }
    [h, carried] = [next, error];
  });
  return carried;
}
