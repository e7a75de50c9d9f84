// The all-pole recursion on the js backend (backends/all_pole.ts): each row
// walked in order, the last p outputs kept in double, each output rounded
// once into f32.
import type { StorageArray } from '../../dtype.js';
import { sizeOf } from '../../shape.js';
import type { Js } from './values.js';

export function allPole(v: Js, rows: number, a: Float32Array): StorageArray {
  const x = v.storage as Float32Array;
  const out = new Float32Array(sizeOf(v.shape));
  if (rows === 0) return out;
  const n = out.length / rows, p = a.length;
  const last = new Float64Array(p); // last[k] = w[i − 1 − k]
  for (let r = 0; r < rows; r++) {
    last.fill(0);
    for (let i = r * n, end = i + n; i < end; i++) {
      let w = x[i];
      for (let k = 0; k < p; k++) w -= a[k] * last[k];
      for (let k = p - 1; k > 0; k--) last[k] = last[k - 1];
      if (p > 0) last[0] = w;
      out[i] = w;
    }
  }
  return out;
}
