// What the tests of tm.linalg's rectangular ops share: well-conditioned
// random matrices of any shape, float64 matrix products and Householder QR
// written out plainly (each reflector a full matrix, nothing like the
// kernels' in-place loops), and a check of every gradient of a loss against
// central differences of a float64 reference.
import { expect } from 'vitest';
import * as tm from '../../src/index.js';
import { SEED, asF32, uniform } from './data.js';
import { collected } from './gc.js';

/**
 * m × n, f32 values: the first m rows and n columns of I + 0.5·U/√s (s =
 * max(m, n), U uniform in [−1, 1]), whose singular values lie in [0.5, 1.5];
 * a block of it keeps them in that range, so its condition number is at most 3.
 */
export function wellConditioned(m: number, n: number): Float64Array {
  const s = Math.max(m, n);
  const u = uniform(s * s, -1, 1);
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[i * n + j] = (i === j ? 1 : 0) + (0.5 * u[i * s + j]) / Math.sqrt(s);
  return asF32(out);
}

/** `count` matrices from `make`, flat. */
export function batchOf(count: number, make: () => Float64Array): Float64Array {
  const parts = Array.from({ length: count }, make);
  const out = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}

/** a [m, p] · b [p, n] in float64. */
export function matmul64(a: ArrayLike<number>, b: ArrayLike<number>, m: number, p: number, n: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let k = 0; k < p; k++) for (let j = 0; j < n; j++) out[i * n + j] += a[i * p + k] * b[k * n + j];
  return out;
}

/** a [m, n] transposed. */
export function transpose64(a: ArrayLike<number>, m: number, n: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[j * m + i] = a[i * n + j];
  return out;
}

/**
 * The Householder QR of a [m, n] in float64, as LAPACK's convention fixes it:
 * at step j the column x left on and below the diagonal is sent to β·e₁,
 * β = −sign(x₀)·‖x‖ (x₀ = 0 counting as positive), by the reflector
 * I − 2uuᵀ/uᵀu, u = x − β·e₁; a column already 0 below the diagonal is left
 * alone. Q [m, c] (c = min(m, n), or m where complete) and R [c, n].
 */
export function householderQr(a: ArrayLike<number>, m: number, n: number, complete = false): { q: Float64Array; r: Float64Array } {
  const r = Float64Array.from(a);
  const q = new Float64Array(m * m);
  for (let i = 0; i < m; i++) q[i * m + i] = 1;
  for (let j = 0; j < Math.min(m, n); j++) {
    const x = Array.from({ length: m - j }, (_, i) => r[(j + i) * n + j]);
    const below = x.slice(1).reduce((s, v) => s + v * v, 0);
    if (below === 0) continue;
    const norm = Math.sqrt(x[0] * x[0] + below);
    const u = x.slice();
    u[0] -= x[0] >= 0 ? -norm : norm;
    const uu = u.reduce((s, v) => s + v * v, 0);
    // H = I − 2uuᵀ/uᵀu on rows j.. of R (from the left) and columns j.. of Q (from the right).
    const h = (p: number, s: number) => (p === s ? 1 : 0) - (2 * u[p] * u[s]) / uu;
    const rows = Array.from({ length: m - j }, (_, p) => Array.from({ length: n }, (_, col) => x.reduce((s, _v, t) => s + h(p, t) * r[(j + t) * n + col], 0)));
    rows.forEach((row, p) => row.forEach((v, col) => (r[(j + p) * n + col] = v)));
    const cols = Array.from({ length: m }, (_, i) => Array.from({ length: m - j }, (_, s) => x.reduce((acc, _v, t) => acc + q[i * m + j + t] * h(t, s), 0)));
    cols.forEach((row, i) => row.forEach((v, s) => (q[i * m + j + s] = v)));
  }
  const c = complete ? m : Math.min(m, n);
  const qc = new Float64Array(m * c);
  for (let i = 0; i < m; i++) for (let j = 0; j < c; j++) qc[i * c + j] = q[i * m + j];
  const rc = new Float64Array(c * n);
  for (let i = 0; i < c; i++) for (let j = i; j < n; j++) rc[i * n + j] = r[i * n + j];
  return { q: qc, r: rc };
}

/** f applied to each of `count` matrices of `size` values in a, results concatenated. */
export function eachMatrix(a: Float64Array, count: number, f: (matrix: Float64Array, index: number) => ArrayLike<number>): Float64Array {
  const size = a.length / count;
  const out: number[] = [];
  for (let b = 0; b < count; b++) out.push(...Array.from(f(a.subarray(b * size, (b + 1) * size), b)));
  return Float64Array.from(out);
}

export { expectNormwise } from './data.js';

/**
 * Checks d(Σ w·f)/d input, for fixed random weights w over f's outputs
 * (flattened and concatenated, so that every output's gradient path is in
 * one backward), against central differences of `ref` in float64 at the
 * inputs' f32 values; memory flat after (counted once the garbage is
 * collected: the check spans awaits, in which earlier garbage may be finalized).
 */
export async function expectGradients(shapes: number[][], inputs: Float64Array[], f: (...xs: tm.Tensor[]) => tm.Tensor[], ref: (...xs: Float64Array[]) => Float64Array): Promise<void> {
  const before = await collected();
  const params = inputs.map((v, k) => {
    const t = tm.tensor(Float32Array.from(v), shapes[k]);
    t.requiresGrad = true;
    return t;
  });
  const w = asF32(uniform(ref(...inputs).length, -1, 1));
  const objective = (xs: Float64Array[]) => ref(...xs).reduce((s, v, i) => s + w[i] * v, 0);
  const loss = tm.tidy(() => {
    let at = 0;
    const terms = f(...params).map((y) => {
      const weights = tm.tensor(Float32Array.from(w.subarray(at, at + y.size)), y.shape);
      at += y.size;
      return y.mul(weights).sum();
    });
    expect(at, 'the outputs and the reference have as many values').toBe(w.length);
    return terms.reduce((s, t) => s.add(t));
  });
  loss.backward();
  const h = 1e-6;
  for (let k = 0; k < inputs.length; k++) {
    const got = await params[k].grad!.data();
    for (let i = 0; i < inputs[k].length; i++) {
      const step = (sign: number) => inputs.map((v, p) => (p === k ? v.map((x, j) => (j === i ? x + sign * h : x)) : v));
      const want = (objective(step(1)) - objective(step(-1))) / (2 * h);
      expect(Math.abs(got[i] - want), `d/d input${k}[${i}]: got ${got[i]}, want ${want} (seed ${SEED})`).toBeLessThanOrEqual(2e-3 * (1 + Math.abs(want)));
    }
  }
  loss.dispose();
  for (const p of params) {
    p.grad!.dispose();
    p.dispose();
  }
  expect(await collected()).toBe(before);
}

/** exp(A) [n, n] in float64: Taylor on A·2⁻ˢ (‖A·2⁻ˢ‖∞ ≤ 1/4), squared s times. */
export function expm64(a: ArrayLike<number>, n: number): Float64Array {
  const norm = Math.max(0, ...Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => Math.abs(a[i * n + j])).reduce((s, v) => s + v, 0)));
  const s = Math.max(0, Math.ceil(Math.log2(norm / 0.25)));
  const scaled = Float64Array.from(a, (v) => v / 2 ** s);
  let term: Float64Array = Float64Array.from({ length: n * n }, (_, e) => (e % (n + 1) === 0 ? 1 : 0));
  let r: Float64Array = Float64Array.from(term);
  for (let k = 1; k <= 24; k++) {
    term = matmul64(term, scaled, n, n, n).map((v) => v / k);
    r = r.map((v, e) => v + term[e]);
  }
  for (let i = 0; i < s; i++) r = matmul64(r, r, n, n, n);
  return r;
}

/** The inverse of a [n, n] in float64, by Gauss–Jordan with partial pivoting. */
export function inverse64(a: ArrayLike<number>, n: number): Float64Array {
  const m = Float64Array.from(a);
  const inv = Float64Array.from({ length: n * n }, (_, e) => (e % (n + 1) === 0 ? 1 : 0));
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(m[i * n + k]) > Math.abs(m[p * n + k])) p = i;
    for (const x of [m, inv]) for (let j = 0; j < n; j++) [x[k * n + j], x[p * n + j]] = [x[p * n + j], x[k * n + j]];
    const d = m[k * n + k];
    for (const x of [m, inv]) for (let j = 0; j < n; j++) x[k * n + j] /= d;
    for (let i = 0; i < n; i++) {
      if (i === k) continue;
      const f = m[i * n + k];
      for (const x of [m, inv]) for (let j = 0; j < n; j++) x[i * n + j] -= f * x[k * n + j];
    }
  }
  return inv;
}

/** H₀⋯H_{k−1} [m, m] in float64 from the vectors below a [m, cols]'s diagonal and tau [k], one reflection at a time. */
export function householderProduct64(a: ArrayLike<number>, m: number, cols: number, tau: ArrayLike<number>): Float64Array {
  const q = Float64Array.from({ length: m * m }, (_, e) => (e % (m + 1) === 0 ? 1 : 0));
  // Q ← Q·Hⱼ for j = 0…k−1: each row r of Q loses τ·(r·v)·vᵀ.
  for (let j = 0; j < tau.length; j++) {
    const v = Float64Array.from({ length: m }, (_, i) => (i < j ? 0 : i === j ? 1 : a[i * cols + j]));
    for (let r = 0; r < m; r++) {
      let dot = 0;
      for (let i = 0; i < m; i++) dot += q[r * m + i] * v[i];
      for (let i = 0; i < m; i++) q[r * m + i] -= tau[j] * dot * v[i];
    }
  }
  return q;
}
