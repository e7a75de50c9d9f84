// The dense factorizations behind tm.linalg as plain loops over each matrix
// of a batch: LU with partial pivoting (LAPACK's getrf, right-looking),
// solves from its factors, Cholesky (column by column), Householder QR
// (LAPACK's geqr2 and org2r, unblocked) and triangular solves. Arithmetic in
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

/**
 * x [batch, n, k] = each column of b (f32, [batch, n, k]) copied into
 * float64 and solved in place by `solve(matrix, column)`, rounded once as
 * stored: what luSolve, triangularSolve and ldl.ts's ldlSolve share.
 */
export function solveColumns(b: Js, solve: (matrix: number, column: Float64Array) => void): StorageArray {
  const [batch, n, k] = b.shape;
  const x = new Float32Array(batch * n * k);
  const column = new Float64Array(n);
  for (let m = 0; m < batch; m++) {
    for (let c = 0; c < k; c++) {
      for (let i = 0; i < n; i++) column[i] = b.storage[(m * n + i) * k + c];
      solve(m, column);
      for (let i = 0; i < n; i++) x[(m * n + i) * k + c] = column[i];
    }
  }
  return x;
}

/**
 * column ← A⁻¹·column for A the n × n matrix of `a` at `f`, read as its upper
 * triangle (back substitution) or its lower (forward), its diagonal taken
 * as 1 where `unit`.
 */
function substitute(a: ArrayLike<number>, f: number, n: number, column: Float64Array, upper: boolean, unit: boolean): void {
  for (let step = 0; step < n; step++) {
    const i = upper ? n - 1 - step : step;
    let s = column[i];
    if (upper) for (let j = i + 1; j < n; j++) s -= a[f + i * n + j] * column[j];
    else for (let j = 0; j < i; j++) s -= a[f + i * n + j] * column[j];
    column[i] = unit ? s : s / a[f + i * n + i];
  }
}

export function luSolve(lu: Js, pivots: Js, b: Js): StorageArray {
  const n = b.shape[1];
  return solveColumns(b, (m, column) => {
    for (let i = 0; i < n; i++) {
      const p = pivots.storage[m * n + i];
      const t = column[i];
      column[i] = column[p];
      column[p] = t;
    }
    substitute(lu.storage, m * n * n, n, column, false, true);
    substitute(lu.storage, m * n * n, n, column, true, false);
  });
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

export function qr(a: Js, complete: boolean): { q: StorageArray; r: StorageArray } {
  const [batch, m, n] = a.shape;
  const k = Math.min(m, n);
  const c = complete ? m : k;
  const q = new Float32Array(batch * m * c);
  const r = new Float32Array(batch * c * n);
  // A, reduced in place: R on and above the diagonal, reflector j's v (less its leading 1) below it in column j.
  const w = new Float64Array(m * n);
  const tau = new Float64Array(k);
  const qm = new Float64Array(m * c);
  // vᵀ times the columns a reflector acts on, accumulated a row at a time: the rows are contiguous, the columns are not.
  const dots = new Float64Array(Math.max(n, c));
  /** Reflector j (v in w's column j, τ) applied from the left to columns [from, cols) of x, an m × cols row-major matrix. */
  const reflect = (j: number, x: Float64Array, cols: number, from: number) => {
    const t = tau[j];
    for (let col = from; col < cols; col++) dots[col] = x[j * cols + col];
    for (let i = j + 1; i < m; i++) {
      const v = w[i * n + j];
      for (let col = from; col < cols; col++) dots[col] += v * x[i * cols + col];
    }
    for (let col = from; col < cols; col++) {
      dots[col] *= t;
      x[j * cols + col] -= dots[col];
    }
    for (let i = j + 1; i < m; i++) {
      const v = w[i * n + j];
      for (let col = from; col < cols; col++) x[i * cols + col] -= dots[col] * v;
    }
  };
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < m * n; i++) w[i] = a.storage[b * m * n + i];
    for (let j = 0; j < k; j++) {
      // LAPACK's larfg: f32 values squared cannot overflow a float64, so no scaling is needed.
      const alpha = w[j * n + j];
      let below = 0;
      for (let i = j + 1; i < m; i++) below += w[i * n + j] ** 2;
      tau[j] = 0;
      if (below === 0) continue;
      const norm = Math.sqrt(alpha * alpha + below);
      const beta = alpha >= 0 ? -norm : norm;
      tau[j] = (beta - alpha) / beta;
      const scale = 1 / (alpha - beta);
      for (let i = j + 1; i < m; i++) w[i * n + j] *= scale;
      w[j * n + j] = beta;
      reflect(j, w, n, j + 1);
    }
    for (let i = 0; i < c; i++) for (let col = 0; col < n; col++) r[(b * c + i) * n + col] = col >= i ? w[i * n + col] : 0;
    // Q = H₀·H₁⋯ applied to the identity's first c columns, the last reflector first (org2r): H_j leaves columns before j alone.
    qm.fill(0);
    for (let i = 0; i < c; i++) qm[i * c + i] = 1;
    for (let j = k - 1; j >= 0; j--) if (tau[j] !== 0) reflect(j, qm, c, j);
    q.set(qm, b * m * c);
  }
  return { q, r };
}

export function triangularSolve(a: Js, b: Js, upper: boolean, unit: boolean): StorageArray {
  const n = b.shape[1];
  return solveColumns(b, (m, column) => substitute(a.storage, m * n * n, n, column, upper, unit));
}
