// Float64 references for the spectral tests of tm.linalg (eigh, svd and
// what is built on them): matrices made with a chosen spectrum from random
// orthogonal factors (so the eigen- or singular values are known without
// computing them: repeated and clustered ones included), and a textbook
// cyclic Jacobi eigensolver for the random matrices and the central
// differences of the gradient tests. Matrices are flat row-major arrays.
import { asF32, uniform } from './data.js';
import { matmul64, transpose64 } from './linalg.js';

/** A random n × k matrix with orthonormal columns (k ≤ n): Gram–Schmidt, twice, of uniform columns. */
export function randomOrthonormal(n: number, k = n): Float64Array {
  const q = uniform(n * k, -1, 1);
  for (let c = 0; c < k; c++) {
    for (let pass = 0; pass < 2; pass++) {
      for (let d = 0; d < c; d++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += q[i * k + d] * q[i * k + c];
        for (let i = 0; i < n; i++) q[i * k + c] -= dot * q[i * k + d];
      }
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += q[i * k + c] ** 2;
    for (let i = 0; i < n; i++) q[i * k + c] /= Math.sqrt(norm);
  }
  return q;
}

/** Q·diag(values)·Qᵀ for a random orthogonal Q, symmetric, in f32 values: a symmetric matrix with that spectrum. */
export function withEigenvalues(values: readonly number[]): Float64Array {
  const n = values.length;
  const q = randomOrthonormal(n);
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let p = 0; p < n; p++) s += q[i * n + p] * values[p] * q[j * n + p];
      out[i * n + j] = out[j * n + i] = s;
    }
  }
  return asF32(out);
}

/** U·diag(values)·Vᵀ [m, n] for random orthonormal U [m, k], V [n, k], k = values.length = min(m, n); f32 values. */
export function withSingularValues(m: number, n: number, values: readonly number[]): Float64Array {
  const k = values.length;
  const u = randomOrthonormal(m, k);
  const v = randomOrthonormal(n, k);
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += u[i * k + p] * values[p] * v[j * k + p];
      out[i * n + j] = s;
    }
  }
  return asF32(out);
}

/** A random symmetric n × n matrix, uniform in [−1, 1] (the lower triangle mirrored); f32 values. */
export function randomSymmetric(n: number): Float64Array {
  const r = asF32(uniform(n * n, -1, 1));
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) r[i * n + j] = r[j * n + i];
  return r;
}

/** The eigenvalues (ascending) and eigenvectors (columns) of symmetric a [n, n] in float64, by cyclic Jacobi to convergence. */
export function eigenRef(a: ArrayLike<number>, n: number): { values: Float64Array; vectors: Float64Array } {
  const m = Float64Array.from(a);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += m[p * n + q] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (m[p * n + q] === 0) continue;
        const theta = (m[q * n + q] - m[p * n + p]) / (2 * m[p * n + q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.hypot(1, theta));
        const c = 1 / Math.hypot(1, t);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const [x, y] = [m[p * n + k], m[q * n + k]];
          m[p * n + k] = c * x - s * y;
          m[q * n + k] = s * x + c * y;
        }
        for (let k = 0; k < n; k++) {
          const [x, y] = [m[k * n + p], m[k * n + q]];
          m[k * n + p] = c * x - s * y;
          m[k * n + q] = s * x + c * y;
          const [vx, vy] = [v[k * n + p], v[k * n + q]];
          v[k * n + p] = c * vx - s * vy;
          v[k * n + q] = s * vx + c * vy;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => m[i * n + i] - m[j * n + j]);
  const values = Float64Array.from(order, (j) => m[j * n + j]);
  const vectors = new Float64Array(n * n);
  order.forEach((j, r) => {
    for (let i = 0; i < n; i++) vectors[i * n + r] = v[i * n + j];
  });
  return { values, vectors };
}

/**
 * The reduced SVD of a [m, n] in float64 from the eigendecomposition of the
 * smaller Gram matrix (AᵀA or AAᵀ): fit for the well-conditioned, full-rank
 * matrices of the gradient tests (the squared condition number costs
 * float64 nothing there). s descending, u [m, k], vh [k, n].
 */
export function svdRef(a: ArrayLike<number>, m: number, n: number): { u: Float64Array; s: Float64Array; vh: Float64Array } {
  const k = Math.min(m, n);
  const tall = m >= n;
  const gram = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let p = 0; p < (tall ? m : n); p++) s += tall ? a[p * n + i] * a[p * n + j] : a[i * n + p] * a[j * n + p];
      gram[i * k + j] = s;
    }
  }
  const { values, vectors } = eigenRef(gram, k);
  const s = Float64Array.from({ length: k }, (_, r) => Math.sqrt(Math.max(values[k - 1 - r], 0)));
  const u = new Float64Array(m * k);
  const vh = new Float64Array(k * n);
  for (let r = 0; r < k; r++) {
    const c = k - 1 - r;
    // The Gram's eigenvectors are one side's singular vectors; A (or Aᵀ) times them over s, the other's.
    for (let i = 0; i < k; i++) {
      if (tall) vh[r * n + i] = vectors[i * k + c];
      else u[i * k + r] = vectors[i * k + c];
    }
    if (tall) {
      for (let i = 0; i < m; i++) {
        let x = 0;
        for (let j = 0; j < n; j++) x += a[i * n + j] * vh[r * n + j];
        u[i * k + r] = x / s[r];
      }
    } else {
      for (let j = 0; j < n; j++) {
        let x = 0;
        for (let i = 0; i < m; i++) x += a[i * n + j] * u[i * k + r];
        vh[r * n + j] = x / s[r];
      }
    }
  }
  return { u, s, vh };
}

/** C [m, p] = A [m, q] · B [q, p], float64. */
export function product(a: ArrayLike<number>, b: ArrayLike<number>, m: number, q: number, p: number): Float64Array {
  const out = new Float64Array(m * p);
  for (let i = 0; i < m; i++) for (let r = 0; r < q; r++) for (let j = 0; j < p; j++) out[i * p + j] += a[i * q + r] * b[r * p + j];
  return out;
}

/** Aᵀ for A [m, n]. */
export function transposed(a: ArrayLike<number>, m: number, n: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[j * m + i] = a[i * n + j];
  return out;
}

/** The largest |x − y| over two arrays. */
export function maxDifference(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i] - y[i]));
  return d;
}

/** The n × n identity, flat. */
export function identity(n: number): Float64Array {
  return Float64Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 1 : 0));
}

/** The least-squares solution of least norm, V·Σ⁺·Uᵀ·B in float64 (σ ≤ cutoff·σ_max left out), from svdRef. */
export function minimumNormRef(a: ArrayLike<number>, m: number, n: number, b: ArrayLike<number>, k: number, cutoff: number): { x: Float64Array; s: Float64Array; rank: number } {
  const { u, s, vh } = svdRef(a, m, n);
  const r = Math.min(m, n);
  const kept = Array.from(s, (v) => v > cutoff * s[0]);
  // Σ over the kept values of vᵢ·(uᵢᵀB)/σᵢ, term by term: the vectors of values that do not count may be NaN in the reference (0/0).
  const utb = matmul64(transpose64(u, m, r), b, r, m, k);
  const x = new Float64Array(n * k);
  for (let i = 0; i < r; i++) {
    if (!kept[i]) continue;
    for (let p = 0; p < n; p++) for (let j = 0; j < k; j++) x[p * k + j] += (vh[i * n + p] * utb[i * k + j]) / s[i];
  }
  return { x, s, rank: kept.filter(Boolean).length };
}
