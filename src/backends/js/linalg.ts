// The dense factorizations behind tm.linalg as plain loops over each matrix
// of a batch: LU with partial pivoting (LAPACK's getrf, right-looking),
// solves from its factors, and Cholesky (column by column). Arithmetic in
// float64 on a float64 copy of each matrix, rounded to f32 once as stored,
// so the reference the other backends are checked against carries no f32
// rounding of its own beyond the inputs' and the outputs'.
import type { StorageArray } from '../../dtype.js';
import type { TensorInfo } from '../kernels.js';

type Js = TensorInfo<StorageArray>;

export function luFactor(a: Js): { lu: StorageArray; pivots: StorageArray } {
  const [batch, n] = a.shape;
  const lu = new Float32Array(batch * n * n);
  const pivots = new Int32Array(batch * n);
  const m = new Float64Array(n * n);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < n * n; i++) m[i] = a.storage[b * n * n + i];
    for (let k = 0; k < n; k++) {
      // The largest |value| of column k on and below the diagonal, the first of equals (LAPACK's isamax).
      let p = k;
      for (let i = k + 1; i < n; i++) if (Math.abs(m[i * n + k]) > Math.abs(m[p * n + k])) p = i;
      pivots[b * n + k] = p;
      if (p !== k) {
        for (let j = 0; j < n; j++) {
          const t = m[k * n + j];
          m[k * n + j] = m[p * n + j];
          m[p * n + j] = t;
        }
      }
      const pivot = m[k * n + k];
      // A zero pivot means a zero column below it too: nothing to eliminate, and no 0/0 (getrf's way).
      if (pivot === 0) continue;
      for (let i = k + 1; i < n; i++) {
        const l = (m[i * n + k] /= pivot);
        for (let j = k + 1; j < n; j++) m[i * n + j] -= l * m[k * n + j];
      }
    }
    lu.set(m, b * n * n);
  }
  return { lu, pivots };
}

export function luSolve(lu: Js, pivots: Js, b: Js): StorageArray {
  const [batch, n, k] = b.shape;
  const x = new Float32Array(batch * n * k);
  const column = new Float64Array(n);
  for (let m = 0; m < batch; m++) {
    const f = m * n * n;
    for (let c = 0; c < k; c++) {
      for (let i = 0; i < n; i++) column[i] = b.storage[(m * n + i) * k + c];
      for (let i = 0; i < n; i++) {
        const p = pivots.storage[m * n + i];
        const t = column[i];
        column[i] = column[p];
        column[p] = t;
      }
      for (let i = 0; i < n; i++) {
        let s = column[i];
        for (let j = 0; j < i; j++) s -= lu.storage[f + i * n + j] * column[j];
        column[i] = s;
      }
      for (let i = n - 1; i >= 0; i--) {
        let s = column[i];
        for (let j = i + 1; j < n; j++) s -= lu.storage[f + i * n + j] * column[j];
        column[i] = s / lu.storage[f + i * n + i];
      }
      for (let i = 0; i < n; i++) x[(m * n + i) * k + c] = column[i];
    }
  }
  return x;
}

export function cholesky(a: Js): StorageArray {
  const [batch, n] = a.shape;
  const out = new Float32Array(batch * n * n);
  const l = new Float64Array(n * n);
  for (let b = 0; b < batch; b++) {
    const at = b * n * n;
    l.fill(0);
    for (let j = 0; j < n; j++) {
      let d = a.storage[at + j * n + j];
      for (let p = 0; p < j; p++) d -= l[j * n + p] * l[j * n + p];
      if (!(d > 0)) {
        // Not positive definite: the rows from here on are NaN, as native's spotrf leaves them.
        for (let i = j; i < n; i++) l.fill(NaN, i * n, i * n + i + 1);
        break;
      }
      const djj = Math.sqrt(d);
      l[j * n + j] = djj;
      for (let i = j + 1; i < n; i++) {
        let s = a.storage[at + i * n + j];
        for (let p = 0; p < j; p++) s -= l[i * n + p] * l[j * n + p];
        l[i * n + j] = s / djj;
      }
    }
    out.set(l, at);
  }
  return out;
}
