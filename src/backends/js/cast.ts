// Dtype conversion, bit reinterpretation and one-hot encoding on the js backend.
import { allocStorage, saturateToInt, type DType, type StorageArray } from '../../dtype.js';
import { sizeOf } from '../../shape.js';
import { output, valuesOf, type Js } from './values.js';

export function cast(x: Js, dtype: DType): StorageArray {
  const xs = valuesOf(x);
  const out = output(dtype, xs.length);
  const v = out.values;
  if (dtype === 'i8' || dtype === 'i32') {
    for (let i = 0; i < xs.length; i++) v[i] = saturateToInt(xs[i], dtype);
  } else {
    for (let i = 0; i < xs.length; i++) v[i] = xs[i];
  }
  return out.finish();
}

export function bitcast(x: Js, dtype: DType): StorageArray {
  const n = sizeOf(x.shape);
  const out = allocStorage(dtype, n);
  bitcastInto(x.storage.subarray(0, n), out);
  return out;
}

/**
 * Writes the bits of `from` into `out` (the native backend's arrays too):
 * bytes copied where the widths match (f32 ↔ i32); an f16's Uint16Array
 * widened into an Int32Array (zero-extended) or an Int32Array narrowed into
 * a Uint16Array (the low 16 bits, as typed-array stores wrap).
 */
export function bitcastInto(from: StorageArray, out: StorageArray): void {
  if (from.BYTES_PER_ELEMENT === out.BYTES_PER_ELEMENT) {
    new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(new Uint8Array(from.buffer, from.byteOffset, out.byteLength));
  } else {
    out.set(from);
  }
}

export function oneHot(indices: Js, depth: number, outDtype: DType): StorageArray {
  const idx = valuesOf(indices);
  const out = output(outDtype, idx.length * depth);
  for (let i = 0; i < idx.length; i++) {
    const j = idx[i];
    if (j >= 0 && j < depth) out.values[i * depth + j] = 1;
  }
  return out.finish();
}
