// Symmetric int8 quantization of weights, and products with them.
//
// tm.quantize(w) takes a float weight w of shape [K, N] (as used in x·w) and
// stores it transposed, as N rows of K int8 values with one f32 scale per row
// (per output column of w): w[k, n] ≈ values[n, k] · scales[n], values =
// round(w / scale) with scale = max|w[:, n]| / 127. K is contiguous in the
// stored rows so that a product reads four int8 at a time along K (on WebGPU,
// packed four to a u32 word for dot4I8Packed).
//
// tm.matmul(x, q) runs one of two ways, the backend's choice for the shape
// (Backend.quantizedMatmulPath): 'int8' quantizes x per row on the fly the
// same way, multiplies the int8 values exactly into i32 (VNNI on the native
// backend, dot4I8Packed on WebGPU where the adapter has it), and scales the
// result back to f32 — the product of the dequantized operands; 'f16'
// (WebGPU, where the device measured it faster) multiplies x in f16 by the
// int8 weight turned into floats inside the kernel, summing in f32 — closer
// to x · dequantize(q), since x is not quantized. The weight stays int8 in
// memory either way. No gradient flows through it.
import { isFloat } from '../dtype.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { backendFor, tidy } from '../engine.js';
import { isGradEnabled, needsGrad, noGrad } from '../tape.js';
import type { Tensor } from '../tensor.js';
import { checkOptions, type OptionNames } from '../options.js';
import { sizeOf } from '../shape.js';
import { ones, zeros } from './creation.js';
import { where } from './elementwise.js';
import { checkTensor, fromStorage, onBackendOf } from './util.js';
import { matmul } from './matmul.js';

export interface QuantizeOptions {
  /** The stored dtype: only 'i8' (symmetric, per output column). */
  dtype?: 'i8';
}

/** A weight [K, N] stored as int8 rows [N, K] with an f32 scale per row. */
export class QuantizedTensor {
  constructor(
    /** int8 values, [N, K]: row n is column n of the original weight. */
    readonly values: Tensor,
    /** f32 scale per row of `values`, [N]. */
    readonly scales: Tensor,
  ) {}

  /** The shape of the weight it stands for, [K, N]. */
  get shape(): number[] {
    return [this.values.shape[1], this.values.shape[0]];
  }

  /** Bytes it takes: a quarter of the f32 weight, plus four per scale. */
  get bytes(): number {
    return this.values.size + 4 * this.scales.size;
  }

  /** The weight applied to activations, as a Dense layer applies it: x · w, like tm.matmul(x, this). */
  matmul(x: Tensor): Tensor {
    return quantizedMatmul(x, this);
  }

  dispose(): void {
    this.values.dispose();
    this.scales.dispose();
  }
}

/** Per-row max |x| / 127 along the last axis (1 for an all-zero row, so it divides safely). */
function rowScales(x: Tensor): Tensor {
  const amax = x.abs().max(-1, { keepDims: true });
  return where(amax.equal(0), 1, amax.div(127));
}

/** round(x / scale), half away from zero, as i8 (the cast truncates toward zero). */
function toInt8(x: Tensor, scale: Tensor): Tensor {
  const y = x.div(scale);
  return y.add(y.sign().mul(0.5)).cast('i8');
}

const QUANTIZE_OPTIONS: OptionNames<QuantizeOptions> = { dtype: true };

export function quantize(w: Tensor, options: QuantizeOptions = {}): QuantizedTensor {
  checkTensor('quantize', w, 'w');
  const dtype = checkOptions('quantize', options, QUANTIZE_OPTIONS).dtype ?? 'i8';
  if (dtype !== 'i8') throw new DTypeError(`quantize: dtype must be 'i8', got ${JSON.stringify(dtype)}`);
  if (!isFloat(w.dtype)) throw new DTypeError(`quantize: the weight must be f32 or f16, got ${w.dtype}`);
  if (w.rank !== 2) throw new ShapeError(`quantize: the weight must be 2-D [K, N], got ${formatShape(w.shape)}`);
  const [k, n] = w.shape;
  // No rows (K = 0): each column is empty, so all zero, and gets scale 1 like any all-zero column (rowScales).
  if (k === 0) return onBackendOf('quantize', w, () => new QuantizedTensor(zeros([n, 0], { dtype: 'i8' }), ones([n])));
  return noGrad(() => tidy(() => {
    const rows = w.cast('f32').transpose();
    const scales = rowScales(rows);
    return new QuantizedTensor(toInt8(rows, scales), scales.reshape([scales.size]));
  }));
}

/** The f32 weight [K, N] a quantized one stands for. */
export function dequantize(q: QuantizedTensor): Tensor {
  if (!(q instanceof QuantizedTensor)) {
    const given: unknown = q;
    throw new ValueError(`dequantize: expects what tm.quantize returns, got ${given instanceof Object ? given.constructor.name : formatValue(given)}`);
  }
  q.values.dataRef('dequantize'); // a disposed weight says so, by this op's name
  return noGrad(() => tidy(() => q.values.cast('f32').mul(q.scales.reshape([q.scales.size, 1])).transpose()));
}

/** x [..., K] · q ([K, N]) → f32 [..., N], through an exact int8 product. */
export function quantizedMatmul(x: Tensor, q: QuantizedTensor): Tensor {
  checkTensor('matmul', x, 'a');
  const [k, n] = q.shape;
  if (x.rank < 1 || x.shape[x.rank - 1] !== k) {
    throw new ShapeError(`matmul: inner dimensions differ: ${formatShape(x.shape)} x quantized ${formatShape([k, n])}`);
  }
  if (!isFloat(x.dtype)) throw new DTypeError(`matmul: a quantized weight multiplies f32 or f16 activations, got ${x.dtype}`);
  // Not only a leaf: an x computed from one (x.mul(2)) would lose its gradient here as silently.
  if (isGradEnabled() && needsGrad(x)) {
    throw new ValueError('matmul: no gradient flows through a quantized weight; run it under tm.noGrad() (inference), or train with the float weight');
  }
  const backend = backendFor('matmul', [x.dataRef('matmul'), q.values.dataRef('matmul')]);
  const lead = x.shape.slice(0, -1);
  const m = sizeOf(lead);
  // An empty product: no rows of x, or an empty sum over K = 0 (x has no row maxima to quantize by).
  if (m === 0 || k === 0) return onBackendOf('matmul', x, () => zeros([...lead, n]));
  // One kernel where the backend has it for the way taken: the f16 way's (f32 activations go in as they
  // are: the kernel rounds them to f16 as it loads them), or the int8 way's on f32 activations.
  const f16Way = backend.quantizedMatmulPath?.({ m, k, n }) === 'f16' && backend.quantizedMatmul !== undefined;
  const kernel = f16Way ? backend.quantizedMatmul : backend.quantizedMatmulInt8;
  if (kernel) {
    return noGrad(() => tidy(() => {
      const x2 = (f16Way ? x : x.cast('f32')).reshape([m, k]);
      const storage = kernel.call(backend, x2.info('matmul'), q.values.info('matmul'), q.scales.info('matmul'));
      return fromStorage(backend, storage, [...lead, n], 'f32');
    }));
  }
  return noGrad(() => tidy(() => {
    const xf = x.cast('f32');
    const xs = rowScales(xf);
    return matmul(toInt8(xf, xs), q.values, { transposeB: true }).cast('f32').mul(xs).mul(q.scales);
  }));
}
