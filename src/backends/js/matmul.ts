// Batched matrix product on the js backend. Each output row accumulates in
// float64 (i32 wrapping for ints) over an i-k-j loop, so the inner loop walks
// b and the accumulator contiguously when b is not transposed.
import { isFloat, type DType, type StorageArray } from '../../dtype.js';
import type { MatmulConfig } from '../kernels.js';
import { output, valuesOf, type Js } from './values.js';

export function matmul(a: Js, b: Js, config: MatmulConfig, outDtype: DType): StorageArray {
  const [batchA, a1, a2] = a.shape;
  const [batchB, b1, b2] = b.shape;
  const [m, k] = config.transposeA ? [a2, a1] : [a1, a2];
  const n = config.transposeB ? b1 : b2;
  const batch = Math.max(batchA, batchB);
  // Element (i, p) of a sits at i*aRow + p*aCol; (p, j) of b at p*bRow + j*bCol.
  const [aRow, aCol] = config.transposeA ? [1, m] : [k, 1];
  const [bRow, bCol] = config.transposeB ? [1, k] : [n, 1];
  const as = valuesOf(a);
  const bs = valuesOf(b);
  const out = output(outDtype, batch * m * n);
  const v = out.values;
  const integer = !isFloat(outDtype);
  const acc = integer ? new Int32Array(n) : new Float64Array(n);
  for (let t = 0; t < batch; t++) {
    const aBase = (batchA === 1 ? 0 : t) * m * k;
    const bBase = (batchB === 1 ? 0 : t) * k * n;
    for (let i = 0; i < m; i++) {
      acc.fill(0);
      for (let p = 0; p < k; p++) {
        const aip = as[aBase + i * aRow + p * aCol];
        const bp = bBase + p * bRow;
        if (integer) {
          for (let j = 0; j < n; j++) acc[j] = (acc[j] + Math.imul(aip, bs[bp + j * bCol])) | 0;
        } else {
          for (let j = 0; j < n; j++) acc[j] += aip * bs[bp + j * bCol];
        }
      }
      v.set(acc, (t * m + i) * n);
    }
  }
  return out.finish();
}
