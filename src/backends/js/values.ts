// Reading and writing element values on the js backend. Kernels compute in JS
// numbers (float64) and round once, when the result is stored.
import { allocStorage, type DType, type StorageArray } from '../../dtype.js';
import { decodeF16, encodeF16 } from '../../f16.js';
import { sizeOf, stridesOf } from '../../shape.js';
import type { TensorInfo } from '../kernels.js';

export type Js = TensorInfo<StorageArray>;

export type Values = Float32Array | Int32Array | Int8Array;

/** The tensor's values as numbers: storage itself, except f16 which is decoded. */
export function valuesOf(x: Js): Values {
  return x.dtype === 'f16' ? decodeF16(x.storage as Uint16Array) : (x.storage as Values);
}

/**
 * A buffer to compute an output into. Assignment into it does the rounding
 * (Float32Array rounds to nearest even, Int32Array/Int8Array wrap like C);
 * f16 goes through float64 and is encoded once by `finish`, so it is rounded once.
 */
export interface Output {
  values: Float32Array | Float64Array | Int32Array | Int8Array;
  finish(): StorageArray;
}

export function output(dtype: DType, size: number): Output {
  if (dtype === 'f16') {
    const values = new Float64Array(size);
    return { values, finish: () => encodeF16(values) };
  }
  const values = allocStorage(dtype, size) as Float32Array | Int32Array | Int8Array;
  return { values, finish: () => values };
}

/**
 * For each element of an output of shape `outShape` (row-major), the offset it
 * reads from an input laid out with `strides` starting at `offset`.
 */
export function gatherOffsets(outShape: readonly number[], strides: readonly number[], offset = 0): Int32Array {
  const n = sizeOf(outShape);
  const offsets = new Int32Array(n);
  const rank = outShape.length;
  const index = new Array<number>(rank).fill(0);
  let at = offset;
  for (let i = 0; i < n; i++) {
    offsets[i] = at;
    // Odometer: bump the last axis, carrying into earlier ones.
    for (let d = rank - 1; d >= 0; d--) {
      index[d]++;
      at += strides[d];
      if (index[d] < outShape[d]) break;
      at -= strides[d] * outShape[d];
      index[d] = 0;
    }
  }
  return offsets;
}

/** Offsets for reading `x` broadcast to `outShape`, or null when no broadcast is needed. */
export function broadcastOffsets(x: Js, outShape: readonly number[]): Int32Array | null {
  if (x.shape.length === outShape.length && x.shape.every((d, i) => d === outShape[i])) return null;
  const own = stridesOf(x.shape);
  const lead = outShape.length - x.shape.length;
  const strides = outShape.map((_, i) => (i < lead || x.shape[i - lead] === 1 ? 0 : own[i - lead]));
  return gatherOffsets(outShape, strides);
}
