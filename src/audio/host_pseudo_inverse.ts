// The Moore–Penrose pseudo-inverse of a small fixed matrix, on the host in
// float64, for the matrices tm.audio derives from a few numbers (a filter
// bank) and inverts once. Through the eigendecomposition of the smaller
// Gram matrix (A·Aᵀ or Aᵀ·A) by cyclic Jacobi rotations: squaring A's
// condition number is harmless in float64 for results wanted in f32, and
// the Gram is at most as large as A's shorter side squared.

/**
 * pinv(A) [n, m] of A [m, n] (row-major): singular values at or below
 * rtol·σ_max count as zero, as lstsq's 'gelsd' counts them.
 */
export function pseudoInverse(a: ArrayLike<number>, m: number, n: number, rtol: number): Float64Array {
  const wide = m <= n;
  const k = wide ? m : n;
  // G = A·Aᵀ (wide) or Aᵀ·A (tall), k × k.
  const gram = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = i; j < k; j++) {
      let s = 0;
      if (wide) for (let p = 0; p < n; p++) s += a[i * n + p] * a[j * n + p];
      else for (let p = 0; p < m; p++) s += a[p * n + i] * a[p * n + j];
      gram[i * k + j] = s;
      gram[j * k + i] = s;
    }
  }
  const { values, vectors } = symmetricEigen(gram, k);
  // C = V·Λ⁺·Vᵀ over the eigenvalues that count: λ = σ², so the cut is at (rtol·σ_max)².
  const largest = values.reduce((most, v) => Math.max(most, v), 0);
  const inverse = new Float64Array(k * k);
  for (let e = 0; e < k; e++) {
    if (!(values[e] > rtol * rtol * largest)) continue;
    for (let i = 0; i < k; i++) {
      const scaled = vectors[i * k + e] / values[e];
      for (let j = 0; j < k; j++) inverse[i * k + j] += scaled * vectors[j * k + e];
    }
  }
  // pinv(A) = Aᵀ·(A·Aᵀ)⁺ (wide) or (Aᵀ·A)⁺·Aᵀ (tall), [n, m].
  const out = new Float64Array(n * m);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < m; c++) {
      let s = 0;
      if (wide) for (let p = 0; p < k; p++) s += a[p * n + r] * inverse[p * k + c];
      else for (let p = 0; p < k; p++) s += inverse[r * k + p] * a[c * n + p];
      out[r * m + c] = s;
    }
  }
  return out;
}

/** Eigenvalues and eigenvectors (columns of `vectors`) of symmetric g [k, k], by cyclic Jacobi sweeps until the off-diagonal vanishes. */
function symmetricEigen(g: Float64Array, k: number): { values: Float64Array; vectors: Float64Array } {
  const h = Float64Array.from(g);
  const v = new Float64Array(k * k);
  for (let i = 0; i < k; i++) v[i * k + i] = 1;
  const scale = h.reduce((s, x) => s + x * x, 0);
  for (let sweep = 0; sweep < 64; sweep++) {
    let off = 0;
    for (let p = 0; p < k; p++) for (let q = p + 1; q < k; q++) off += h[p * k + q] ** 2;
    // Relative to the whole matrix: a float64 Gram's own rounding is ~1e-32 of its square norm.
    if (off <= 1e-32 * scale) break;
    for (let p = 0; p < k; p++) {
      for (let q = p + 1; q < k; q++) {
        const hpq = h[p * k + q];
        if (hpq === 0) continue;
        // The rotation that zeroes h[p, q], its smaller angle (Golub & Van Loan's symmetric Schur step).
        const theta = (h[q * k + q] - h[p * k + p]) / (2 * hpq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.hypot(1, theta));
        const c = 1 / Math.hypot(1, t);
        const s = t * c;
        for (let j = 0; j < k; j++) {
          const [x, y] = [h[p * k + j], h[q * k + j]];
          h[p * k + j] = c * x - s * y;
          h[q * k + j] = s * x + c * y;
        }
        for (let i = 0; i < k; i++) {
          const [x, y] = [h[i * k + p], h[i * k + q]];
          h[i * k + p] = c * x - s * y;
          h[i * k + q] = s * x + c * y;
          const [vx, vy] = [v[i * k + p], v[i * k + q]];
          v[i * k + p] = c * vx - s * vy;
          v[i * k + q] = s * vx + c * vy;
        }
      }
    }
  }
  return { values: Float64Array.from({ length: k }, (_, i) => h[i * k + i]), vectors: v };
}
