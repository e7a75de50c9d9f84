// sortIndices on the js backend: each row's positions sorted by the order
// kernels.ts defines (NaN last ascending, first descending; ties by position).
import type { StorageArray } from '../../dtype.js';
import { output, valuesOf, type Js } from './values.js';

export function sortIndices(x: Js, k: number, descending: boolean): StorageArray {
  const values = valuesOf(x);
  const n = x.shape[1];
  const rows = x.shape[0];
  const result = output('i32', rows * k);
  const out = result.values as Int32Array;
  const sign = descending ? -1 : 1;
  const positions = new Int32Array(n);
  for (let r = 0; r < rows; r++) {
    const base = r * n;
    for (let i = 0; i < n; i++) positions[i] = i;
    // Typed-array sort with a comparator; NaN is placed by hand (every comparison with it is false).
    positions.sort((a, b) => {
      const va = values[base + a];
      const vb = values[base + b];
      const nanA = va !== va;
      const nanB = vb !== vb;
      if (nanA || nanB) return nanA && nanB ? a - b : (nanA ? 1 : -1) * sign;
      return va === vb ? a - b : (va < vb ? -1 : 1) * sign;
    });
    out.set(positions.subarray(0, k), r * k);
  }
  return result.finish();
}
