// tm.matmul(x, tm.quantize(w)) on the native backend: the int8 way in one
// addon call (fallback/src/quantized_linear.cc). The weight's values are
// packed into the VNNI kernel's layout once, on first use, and the packing
// kept beside them: a model's Dense layers multiply the same weight every
// step, and packing it each time cost as much as a small product. The
// packing takes another byte per weight (the values stay, for every other
// kernel that reads them) and goes with the values' array.
import type { StorageArray } from '../../dtype.js';
import type { TensorInfo } from '../kernels.js';
import type { Addon, Int8Path } from './addon.js';

interface Packed {
  path: Int8Path;
  bytes: Int8Array;
}

export function createQuantizedMatmul(
  addon: Addon,
  ready: (x: TensorInfo<StorageArray>) => StorageArray,
  output: (n: number) => Float32Array,
) {
  const packings = new WeakMap<StorageArray, Packed>();

  /** values [N, K] packed for the int8 path in use (a test may force another path between products). */
  function packed(values: Int8Array, n: number, k: number): Int8Array {
    const path = addon.int8Path();
    const known = packings.get(values);
    if (known?.path === path) return known.bytes;
    const bytes = new Int8Array(addon.int8WeightBytes(n, k));
    addon.packInt8Weight(values, n, k, bytes);
    packings.set(values, { path, bytes });
    return bytes;
  }

  return function quantizedMatmulInt8(x: TensorInfo<StorageArray>, values: TensorInfo<StorageArray>, scales: TensorInfo<StorageArray>): Float32Array {
    const [m, k] = x.shape;
    const n = values.shape[0];
    const w = ready(values) as Int8Array;
    const out = output(m * n);
    addon.quantizedLinear(ready(x) as Float32Array, w, packed(w, n, k), ready(scales) as Float32Array, out, m, n, k);
    return out;
  };
}
