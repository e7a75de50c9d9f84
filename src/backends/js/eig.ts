// The symmetric eigendecomposition and the singular value decomposition as
// plain loops over each matrix of a batch, in float64 on a float64 copy,
// rounded to f32 once as stored: the reference the other backends are
// checked against. Both are Jacobi methods, which are slow (O(n³) a sweep,
// some ten sweeps) but simple and accurate: cyclic two-sided Jacobi for
// eigh (Golub & Van Loan, Algorithm 8.5.3) and one-sided Jacobi (Hestenes
// 1958) for the SVD, which orthogonalizes A's columns by rotations and so
// never forms AᵀA (that would square A's condition number).
import type { StorageArray } from '../../dtype.js';
import type { TensorInfo } from '../kernels.js';

type Js = TensorInfo<StorageArray>;

/** Sweeps past which a matrix is taken as converged: quadratic convergence needs some ten; NaN never converges. */
const MAX_SWEEPS = 60;

/** The rotation (c, s) that zeroes the off-diagonal entry of [[app, apq], [apq, aqq]] (Golub & Van Loan, Algorithm 8.5.1). */
function symmetricSchur(app: number, apq: number, aqq: number): [number, number] {
  const tau = (aqq - app) / (2 * apq);
  const t = (tau >= 0 ? 1 : -1) / (Math.abs(tau) + Math.sqrt(1 + tau * tau));
  const c = 1 / Math.sqrt(1 + t * t);
  return [c, t * c];
}

/** Positions 0..n−1 ordered by key, ascending (ties by position). */
/**
 * The plane rotation (c, s) of two lines of `a`, `count` entries each, from
 * positions i and j in steps of `step` (rows: step 1; columns: the row's
 * length): x, y ← c·x − s·y, s·x + c·y.
 */
function rotate(a: Float64Array, count: number, i: number, j: number, step: number, c: number, s: number): void {
  for (let t = 0; t < count; t++) {
    const x = a[i + t * step];
    const y = a[j + t * step];
    a[i + t * step] = c * x - s * y;
    a[j + t * step] = s * x + c * y;
  }
}

function order(n: number, key: (i: number) => number): number[] {
  return Array.from({ length: n }, (_, i) => i).sort((i, j) => key(i) - key(j) || i - j);
}

export function eigh(a: Js): { values: StorageArray; vectors: StorageArray } {
  const [batch, n] = a.shape;
  const values = new Float32Array(batch * n);
  const vectors = new Float32Array(batch * n * n);
  const m = new Float64Array(n * n);
  const v = new Float64Array(n * n);
  for (let b = 0; b < batch; b++) {
    const at = b * n * n;
    // The lower triangle mirrored: the matrix A stands for.
    let frobenius = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        m[i * n + j] = m[j * n + i] = a.storage[at + i * n + j];
        frobenius += (i === j ? 1 : 2) * m[i * n + j] ** 2;
      }
    }
    v.fill(0);
    for (let i = 0; i < n; i++) v[i * n + i] = 1;
    // Off-diagonal entries below this are rounding noise of A's size: rotating them changes nothing that shows in f32.
    const negligible = Number.EPSILON * Math.sqrt(frobenius);
    for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
      let rotated = false;
      for (let p = 0; p < n - 1; p++) {
        for (let q = p + 1; q < n; q++) {
          const apq = m[p * n + q];
          if (!(Math.abs(apq) > negligible)) continue;
          rotated = true;
          const [c, s] = symmetricSchur(m[p * n + p], apq, m[q * n + q]);
          // A ← JᵀA·J for J the rotation in the (p, q) plane (rows p and q, then columns), then V ← V·J.
          rotate(m, n, p * n, q * n, 1, c, s);
          rotate(m, n, p, q, n, c, s);
          rotate(v, n, p, q, n, c, s);
        }
      }
      if (!rotated) break;
    }
    order(n, (i) => m[i * n + i]).forEach((j, r) => {
      values[b * n + r] = m[j * n + j];
      for (let i = 0; i < n; i++) vectors[at + i * n + r] = v[i * n + j];
    });
  }
  return { values, vectors };
}

/**
 * Columns of q [rows, k] (row-major) that are zero made unit vectors
 * orthogonal to all the others, one at a time: e_i for the row i with the
 * least weight in the columns so far (so the most of e_i lies outside them),
 * less its projection on them, twice (Gram–Schmidt's loss of orthogonality
 * made up), normalized. What a rank-deficient A's U or Vh needs beyond the
 * columns its nonzero singular values give.
 */
function completeOrthonormal(q: Float64Array, rows: number, k: number, zero: readonly boolean[]): void {
  const done = zero.map((z) => !z);
  const u = new Float64Array(rows);
  for (let c = 0; c < k; c++) {
    if (done[c]) continue;
    let best = 0;
    let least = Infinity;
    for (let i = 0; i < rows; i++) {
      let weight = 0;
      for (let d = 0; d < k; d++) if (done[d]) weight += q[i * k + d] ** 2;
      if (weight < least) [least, best] = [weight, i];
    }
    u.fill(0);
    u[best] = 1;
    for (let pass = 0; pass < 2; pass++) {
      for (let d = 0; d < k; d++) {
        if (!done[d]) continue;
        let dot = 0;
        for (let i = 0; i < rows; i++) dot += q[i * k + d] * u[i];
        for (let i = 0; i < rows; i++) u[i] -= dot * q[i * k + d];
      }
    }
    let norm = 0;
    for (let i = 0; i < rows; i++) norm += u[i] * u[i];
    norm = Math.sqrt(norm);
    for (let i = 0; i < rows; i++) q[i * k + c] = u[i] / norm;
    done[c] = true;
  }
}

export function svd(a: Js): { u: StorageArray; s: StorageArray; vh: StorageArray } {
  const [batch, m, n] = a.shape;
  const k = Math.min(m, n);
  // W, the matrix whose columns are orthogonalized: A, or Aᵀ where A is wide (then A = V·S·Uᵀ for Aᵀ = U·S·Vᵀ), rows × k.
  const wide = m < n;
  const rows = Math.max(m, n);
  const u = new Float32Array(batch * m * k);
  const s = new Float32Array(batch * k);
  const vh = new Float32Array(batch * k * n);
  const w = new Float64Array(rows * k);
  const v = new Float64Array(k * k);
  const q = new Float64Array(rows * k);
  const norms = new Float64Array(k);
  for (let b = 0; b < batch; b++) {
    const at = b * m * n;
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) w[wide ? j * k + i : i * k + j] = a.storage[at + i * n + j];
    v.fill(0);
    for (let i = 0; i < k; i++) v[i * k + i] = 1;
    for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
      let rotated = false;
      for (let p = 0; p < k - 1; p++) {
        for (let r = p + 1; r < k; r++) {
          let alpha = 0;
          let beta = 0;
          let gamma = 0;
          for (let i = 0; i < rows; i++) {
            const x = w[i * k + p];
            const y = w[i * k + r];
            alpha += x * x;
            beta += y * y;
            gamma += x * y;
          }
          // Columns orthogonal to working precision relative to their lengths (a zero column is orthogonal to all).
          if (!(Math.abs(gamma) > Number.EPSILON * Math.sqrt(alpha * beta))) continue;
          rotated = true;
          const [c, sn] = symmetricSchur(alpha, gamma, beta);
          rotate(w, rows, p, r, k, c, sn);
          rotate(v, k, p, r, k, c, sn);
        }
      }
      if (!rotated) break;
    }
    for (let j = 0; j < k; j++) {
      let sq = 0;
      for (let i = 0; i < rows; i++) sq += w[i * k + j] ** 2;
      norms[j] = Math.sqrt(sq);
    }
    // Descending; NaN (a matrix holding NaN) wherever the sort puts it.
    const ranked = order(k, (j) => -norms[j]);
    ranked.forEach((j, r) => {
      for (let i = 0; i < rows; i++) q[i * k + r] = norms[j] > 0 ? w[i * k + j] / norms[j] : 0;
    });
    completeOrthonormal(q, rows, k, ranked.map((j) => norms[j] === 0));
    ranked.forEach((j, r) => {
      s[b * k + r] = norms[j];
      // q's column r is U's (A tall) or V's (A wide); v's column j the other.
      for (let i = 0; i < m; i++) u[(b * m + i) * k + r] = wide ? v[i * k + j] : q[i * k + r];
      for (let i = 0; i < n; i++) vh[(b * k + r) * n + i] = wide ? q[i * k + r] : v[i * k + j];
    });
  }
  return { u, s, vh };
}
