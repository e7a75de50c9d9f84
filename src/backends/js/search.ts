// The binary-search kernel on the js backend (backends/search.ts): each
// value's place in its row of sorted entries, f32 or i32 compared as doubles
// (exact), NaN after every number.
import type { StorageArray } from '../../dtype.js';
import { sizeOf } from '../../shape.js';
import type { Js } from './values.js';

export function searchSorted(sorted: Js, values: Js, rows: number, right: boolean): StorageArray {
  const s = sorted.storage as Float32Array | Int32Array, v = values.storage as Float32Array | Int32Array;
  const out = new Int32Array(sizeOf(values.shape));
  if (rows === 0) return out;
  const n = sizeOf(sorted.shape) / rows, m = out.length / rows;
  for (let r = 0; r < rows; r++) {
    const base = r * n;
    for (let j = r * m, end = j + m; j < end; j++) {
      const value = v[j];
      let lo = 0, hi = n;
      if (value !== value) {
        // A NaN value: past every number, and past the NaNs too when right.
        if (right) lo = n;
        else while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (s[base + mid] === s[base + mid]) lo = mid + 1; else hi = mid;
        }
      } else if (right) {
        // First entry > value: a NaN entry is (s ≤ v is false for it).
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (s[base + mid] <= value) lo = mid + 1; else hi = mid;
        }
      } else {
        // First entry ≥ value or NaN.
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (s[base + mid] < value) lo = mid + 1; else hi = mid;
        }
      }
      out[j] = lo;
    }
  }
  return out;
}
