// The Bunch–Kaufman factorization of symmetric matrices (LAPACK's sytf2
// with uplo 'L', which sytrf's blocked form reproduces step for step) and
// solves from it (sytrs), as plain float64 loops over each matrix of a
// batch: the reference the native and WebGPU kernels are checked against.
//
// A = L·D·Lᵀ with D block diagonal (1 × 1 and 2 × 2 blocks) and L the
// product P₀·L₀·P₁·L₁⋯ of symmetric interchanges Pₖ and unit lower
// triangular Lₖ, each nonzero only in the column (or two) of its block. A
// step interchanges rows and columns of the part still to factor only, not
// the columns of L already made: that is LAPACK's packed form, which sytrs
// reads back by applying the steps in turn, and PyTorch's ldl_factor returns.
//
// Pivots are 0-based where a block is 1 × 1 (pivots[k] = p ≥ k: row and
// column k swapped with p) and LAPACK's own negative values where it is
// 2 × 2 (pivots[k] = pivots[k + 1] = −(p + 1) = ~p: row and column k + 1
// swapped with p) — PyTorch's values less one where positive, the same
// where negative.
import type { StorageArray } from '../../dtype.js';
import type { TensorInfo } from '../kernels.js';
import { solveColumns } from './linalg.js';

type Js = TensorInfo<StorageArray>;

/** Bunch and Kaufman's (1977) α = (1 + √17)/8: the growth bound of a 1 × 1 step equals that of a 2 × 2 one. */
export const BUNCH_KAUFMAN_ALPHA = (1 + Math.sqrt(17)) / 8;

/** Factors the n × n row-major float64 matrix m in place (its lower triangle; the upper left as it was), writing pivots from `at`. */
function factor(m: Float64Array, n: number, pivots: Int32Array, at: number): void {
  const get = (i: number, j: number) => m[i * n + j];
  const swap = (a: number, b: number) => {
    const t = m[a];
    m[a] = m[b];
    m[b] = t;
  };
  for (let k = 0; k < n; ) {
    let step = 1;
    let p = k;
    const absakk = Math.abs(get(k, k));
    // The largest |value| below the diagonal in column k, the first of equals (imax matters only where
    // colmax > 0). A NaN never wins (isamax would take one in first place; a GPU reduction cannot tell).
    let imax = k;
    let colmax = 0;
    for (let i = k + 1; i < n; i++) {
      if (Math.abs(get(i, k)) > colmax) {
        colmax = Math.abs(get(i, k));
        imax = i;
      }
    }
    // A zero column (or a NaN pivot) is left as it is, a 1 × 1 block: sytf2 reports it in info and goes on.
    const zero = Math.max(absakk, colmax) === 0 || Number.isNaN(absakk);
    if (!zero && absakk < BUNCH_KAUFMAN_ALPHA * colmax) {
      // rowmax: the largest |value| off the diagonal in row (and column) imax of the part left.
      let rowmax = 0;
      for (let j = k; j < imax; j++) if (Math.abs(get(imax, j)) > rowmax) rowmax = Math.abs(get(imax, j));
      for (let i = imax + 1; i < n; i++) if (Math.abs(get(i, imax)) > rowmax) rowmax = Math.abs(get(i, imax));
      if (absakk >= BUNCH_KAUFMAN_ALPHA * colmax * (colmax / rowmax)) p = k;
      else if (Math.abs(get(imax, imax)) >= BUNCH_KAUFMAN_ALPHA * rowmax) p = imax;
      else {
        p = imax;
        step = 2;
      }
    }
    const kk = k + step - 1;
    if (!zero && p !== kk) {
      // Interchange rows and columns kk and p of the trailing lower triangle.
      for (let i = p + 1; i < n; i++) swap(i * n + kk, i * n + p);
      for (let j = kk + 1; j < p; j++) swap(j * n + kk, p * n + j);
      swap(kk * n + kk, p * n + p);
      if (step === 2) swap((k + 1) * n + k, p * n + k);
    }
    if (!zero && step === 1) {
      const d = 1 / get(k, k);
      for (let j = k + 1; j < n; j++) {
        const wj = get(j, k);
        if (wj === 0) continue;
        for (let i = j; i < n; i++) m[i * n + j] -= get(i, k) * (d * wj);
      }
      for (let i = k + 1; i < n; i++) m[i * n + k] *= d;
    } else if (!zero && k < n - 2) {
      // The 2 × 2 block D = [[a, b], [b, c]] and its inverse's columns applied, as sytf2 does it.
      let d21 = get(k + 1, k);
      const d11 = get(k + 1, k + 1) / d21;
      const d22 = get(k, k) / d21;
      const t = 1 / (d11 * d22 - 1);
      d21 = t / d21;
      for (let j = k + 2; j < n; j++) {
        const wk = d21 * (d11 * get(j, k) - get(j, k + 1));
        const wk1 = d21 * (d22 * get(j, k + 1) - get(j, k));
        for (let i = j; i < n; i++) m[i * n + j] -= get(i, k) * wk + get(i, k + 1) * wk1;
        m[j * n + k] = wk;
        m[j * n + k + 1] = wk1;
      }
    }
    if (step === 1) pivots[at + k] = p;
    else pivots[at + k] = pivots[at + k + 1] = ~p;
    k += step;
  }
}

export function ldlFactor(a: Js): { ld: StorageArray; pivots: StorageArray } {
  const [batch, n] = a.shape;
  const ld = new Float32Array(batch * n * n);
  const pivots = new Int32Array(batch * n);
  const m = new Float64Array(n * n);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < n * n; i++) m[i] = a.storage[b * n * n + i];
    factor(m, n, pivots, b * n);
    // The strict upper triangle is not part of the factors: zero, as PyTorch returns it.
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) ld[b * n * n + i * n + j] = m[i * n + j];
  }
  return { ld, pivots };
}

/** x ← A⁻¹·x for one column x from A's factors (the n × n block of ld at f) and pivots from `at` (sytrs). */
function solveColumn(ld: ArrayLike<number>, f: number, n: number, pivots: ArrayLike<number>, at: number, x: Float64Array): void {
  const get = (i: number, j: number) => ld[f + i * n + j];
  const swap = (a: number, b: number) => {
    const t = x[a];
    x[a] = x[b];
    x[b] = t;
  };
  // L·D·y = x: each step's interchange, its column of L, then its block of D.
  for (let k = 0; k < n; ) {
    const piv = pivots[at + k];
    if (piv >= 0) {
      swap(k, piv);
      for (let i = k + 1; i < n; i++) x[i] -= get(i, k) * x[k];
      x[k] /= get(k, k);
      k += 1;
    } else {
      swap(k + 1, ~piv);
      for (let i = k + 2; i < n; i++) x[i] -= get(i, k) * x[k] + get(i, k + 1) * x[k + 1];
      const b = get(k + 1, k);
      const a = get(k, k) / b;
      const c = get(k + 1, k + 1) / b;
      const denom = a * c - 1;
      const [xk, xk1] = [x[k] / b, x[k + 1] / b];
      x[k] = (c * xk - xk1) / denom;
      x[k + 1] = (a * xk1 - xk) / denom;
      k += 2;
    }
  }
  // Lᵀ·x = y: the steps backwards, each column's dot product, then its interchange.
  for (let k = n - 1; k >= 0; ) {
    const piv = pivots[at + k];
    if (piv >= 0) {
      for (let i = k + 1; i < n; i++) x[k] -= get(i, k) * x[i];
      swap(k, piv);
      k -= 1;
    } else {
      for (let i = k + 1; i < n; i++) {
        x[k] -= get(i, k) * x[i];
        x[k - 1] -= get(i, k - 1) * x[i];
      }
      swap(k, ~piv);
      k -= 2;
    }
  }
}

export function ldlSolve(ld: Js, pivots: Js, b: Js): StorageArray {
  const n = b.shape[1];
  return solveColumns(b, (m, column) => solveColumn(ld.storage, m * n * n, n, pivots.storage, m * n, column));
}
