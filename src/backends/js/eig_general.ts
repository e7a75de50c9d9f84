// The eigendecomposition of general (nonsymmetric) real matrices as plain
// loops over each matrix of a batch, in float64, rounded to f32 once as
// stored: the reference for tm.linalg.eig. A is divided by a power of two
// near its largest |entry| first (the eigenvalues multiplied back), then
// the steps are LAPACK's geev's without its balancing:
//  1. Householder reduction to upper Hessenberg form, H = QᵀAQ;
//  2. the Francis double-shift QR iteration on H to the real Schur form
//     T = ZᵀAZ (Z = Q·the iteration's reflectors): quasi-triangular, with a
//     1×1 block for each real eigenvalue and a 2×2 block for each complex
//     pair; a real pair's 2×2 block is rotated to triangular as it deflates;
//  3. each eigenvector of T by back substitution from its block upwards,
//     solving the 2×2 blocks above it as 2×2 systems, then taken to A's by Z.
// shaders/eig_general.wgsl runs the same steps, in f32, one invocation per
// matrix. Eigenvalues come in the order of T's diagonal, a complex pair
// together with its positive imaginary part first; each eigenvector is
// scaled to unit norm, its entry of largest modulus made real and positive.
// A matrix holding NaN or ∞, or one the iteration does not reduce within
// its limit, gets NaN throughout.
import type { StorageArray } from '../../dtype.js';
import type { TensorInfo } from '../kernels.js';

type Js = TensorInfo<StorageArray>;

/** float64's rounding: a subdiagonal entry this small beside its diagonal neighbours is taken as 0. */
const EPS = Number.EPSILON;
/** QR iterations one deflation may take (LAPACK's dlahqr: 30·max(10, n) per deflation). */
const iterationLimit = (n: number) => 30 * Math.max(10, n);
/**
 * Back substitution divides by T[i, i] − λ: where that is below EPS·|λ| (λ
 * repeated), by EPS·|λ| instead, as LAPACK's trevc perturbs it; by
 * SMALLEST_PIVOT where λ is 0.
 */
const SMALLEST_PIVOT = 1e-150;
/** An eigenvector whose entries grow past this while it is solved is scaled down (a defective matrix's grow by up to 1/(smallest pivot) a row). */
const GROWTH = 1e100;

/**
 * Reduces h (n × n, row-major) to upper Hessenberg form in place by
 * Householder reflectors P = I − 2vvᵀ/vᵀv, one per column, applied on both
 * sides, and accumulates them into z (which holds I on entry).
 */
function hessenberg(h: Float64Array, z: Float64Array, n: number, v: Float64Array): void {
  for (let k = 0; k < n - 2; k++) {
    // The column over its largest entry: squares of tiny entries would underflow (in the shader's f32).
    let largest = 0;
    for (let i = k + 1; i < n; i++) largest = Math.max(largest, Math.abs(h[i * n + k]));
    if (largest === 0) continue;
    let squares = 0;
    for (let i = k + 1; i < n; i++) squares += (h[i * n + k] / largest) ** 2;
    const norm = Math.sqrt(squares);
    const head = h[(k + 1) * n + k] / largest;
    // v = x + sign(x₀)·‖x‖·e₀: no cancellation in its first entry.
    const alpha = head >= 0 ? norm : -norm;
    v.fill(0);
    v[k + 1] = head + alpha;
    for (let i = k + 2; i < n; i++) v[i] = h[i * n + k] / largest;
    const vtv = 2 * norm * (norm + Math.abs(head));
    // H ← P·H on rows k+1…, columns k…; H ← H·P on columns k+1…; Z ← Z·P.
    for (let j = k; j < n; j++) {
      let d = 0;
      for (let i = k + 1; i < n; i++) d += v[i] * h[i * n + j];
      const f = (2 * d) / vtv;
      for (let i = k + 1; i < n; i++) h[i * n + j] -= f * v[i];
    }
    for (const m of [h, z]) {
      for (let i = 0; i < n; i++) {
        let d = 0;
        for (let j = k + 1; j < n; j++) d += m[i * n + j] * v[j];
        const f = (2 * d) / vtv;
        for (let j = k + 1; j < n; j++) m[i * n + j] -= f * v[j];
      }
    }
    h[(k + 1) * n + k] = -alpha * largest;
    for (let i = k + 2; i < n; i++) h[i * n + k] = 0;
  }
}

/**
 * The plane rotation G = [[c, −s], [s, c]] of rows and columns p and p+1 as
 * a similarity on h (rows from column `from`, columns down to row `to`) and
 * on z's columns: h ← Gᵀ·h·G, z ← z·G.
 */
function rotate(h: Float64Array, z: Float64Array, n: number, p: number, c: number, s: number, from: number, to: number): void {
  const q = p + 1;
  for (let j = from; j < n; j++) {
    const t = h[p * n + j];
    h[p * n + j] = c * t + s * h[q * n + j];
    h[q * n + j] = c * h[q * n + j] - s * t;
  }
  for (const [m, rows] of [[h, to + 1], [z, n]] as const) {
    for (let i = 0; i < rows; i++) {
      const t = m[i * n + p];
      m[i * n + p] = c * t + s * m[i * n + q];
      m[i * n + q] = c * m[i * n + q] - s * t;
    }
  }
}

/**
 * The eigenvalues of the 2×2 block at rows and columns (hi − 1, hi) of h,
 * into wr and wi. A real pair's block is rotated to upper triangular (its
 * eigenvector for the first value as the rotation's first column), so
 * that T's only 2×2 blocks are complex pairs'.
 */
function deflatePair(h: Float64Array, z: Float64Array, n: number, hi: number, wr: Float64Array, wi: Float64Array): void {
  const m = hi - 1;
  const x = h[hi * n + hi];
  const p = 0.5 * (h[m * n + m] - x);
  const w = h[hi * n + m] * h[m * n + hi];
  const q = p * p + w;
  const root = Math.sqrt(Math.abs(q));
  if (q < 0) {
    wr[m] = wr[hi] = x + p;
    wi[m] = root;
    wi[hi] = -root;
    return;
  }
  // The eigenvalues are x + p ± √q; the one taken first has p + sign(p)·√q, which does not cancel, the other λ₁λ₂'s quotient.
  const shift = p + (p >= 0 ? root : -root);
  wr[m] = x + shift;
  wr[hi] = shift !== 0 ? x - w / shift : x + shift;
  wi[m] = wi[hi] = 0;
  // (shift, h[hi, m]) is the block's eigenvector for wr[m]: the rotation taking e₀ to it triangularizes the block.
  const below = h[hi * n + m];
  const r = Math.hypot(shift, below);
  rotate(h, z, n, m, shift / r, below / r, m, hi);
  h[hi * n + m] = 0;
}

/**
 * One Francis double-shift QR step on the active block l…hi of Hessenberg
 * h (hi − l ≥ 2): the shifts are the trailing 2×2 block's eigenvalues (or,
 * every tenth iteration, LAPACK's exceptional ones, to break a cycle); the
 * step starts at the lowest row m where a bulge would not couple back into
 * the rows above (two consecutive small subdiagonal products), and chases
 * a 3×3 reflector bulge down to hi. Rows are updated across all of T and
 * columns from row 0, so T and Z stay a whole Schur form.
 */
function francisStep(h: Float64Array, z: Float64Array, n: number, l: number, hi: number, iteration: number): void {
  const at = (i: number, j: number) => h[i * n + j];
  let x = at(hi, hi);
  let y = at(hi - 1, hi - 1);
  let w = at(hi, hi - 1) * at(hi - 1, hi);
  if (iteration % 10 === 0) {
    const s = Math.abs(at(hi, hi - 1)) + Math.abs(at(hi - 1, hi - 2));
    x = y = at(hi, hi) + 0.75 * s;
    w = -0.4375 * s * s;
  }
  let m = hi - 2;
  let p = 0;
  let q = 0;
  let r = 0;
  for (; m >= l; m--) {
    // The first column of (H − σ₁)(H − σ₂) restricted to rows m…m+2, scaled.
    const d = at(m, m);
    const rr = x - d;
    const ss = y - d;
    p = (rr * ss - w) / at(m + 1, m) + at(m, m + 1);
    q = at(m + 1, m + 1) - d - rr - ss;
    r = at(m + 2, m + 1);
    const scale = Math.abs(p) + Math.abs(q) + Math.abs(r);
    p /= scale;
    q /= scale;
    r /= scale;
    if (m === l) break;
    const coupling = Math.abs(at(m, m - 1)) * (Math.abs(q) + Math.abs(r));
    const size = Math.abs(p) * (Math.abs(at(m - 1, m - 1)) + Math.abs(d) + Math.abs(at(m + 1, m + 1)));
    if (coupling <= EPS * size) break;
  }
  for (let i = m + 2; i <= hi; i++) {
    h[i * n + i - 2] = 0;
    if (i > m + 2) h[i * n + i - 3] = 0;
  }
  for (let k = m; k < hi; k++) {
    const last = k === hi - 1;
    let scale = 1;
    if (k !== m) {
      p = at(k, k - 1);
      q = at(k + 1, k - 1);
      r = last ? 0 : at(k + 2, k - 1);
      scale = Math.abs(p) + Math.abs(q) + Math.abs(r);
      if (scale === 0) continue;
      p /= scale;
      q /= scale;
      r /= scale;
    }
    const s = (p >= 0 ? 1 : -1) * Math.sqrt(p * p + q * q + r * r);
    if (s === 0) continue;
    if (k !== m) {
      h[k * n + k - 1] = -s * scale;
      h[(k + 1) * n + k - 1] = 0;
      if (!last) h[(k + 2) * n + k - 1] = 0;
    } else if (l !== m) {
      h[k * n + k - 1] = -h[k * n + k - 1];
    }
    // The reflector I − τ·u·uᵀ, u = (1, v₁, v₂), τ = (p + s)/s, applied as: row/column ·= u, then less τ times it.
    p += s;
    const [t0, t1, t2] = [p / s, q / s, r / s];
    const [v1, v2] = [q / p, r / p];
    for (let j = k; j < n; j++) {
      let dot = h[k * n + j] + v1 * h[(k + 1) * n + j];
      if (!last) {
        dot += v2 * h[(k + 2) * n + j];
        h[(k + 2) * n + j] -= dot * t2;
      }
      h[(k + 1) * n + j] -= dot * t1;
      h[k * n + j] -= dot * t0;
    }
    for (const [mat, rows] of [[h, Math.min(hi, k + 3) + 1], [z, n]] as const) {
      for (let i = 0; i < rows; i++) {
        let dot = t0 * mat[i * n + k] + t1 * mat[i * n + k + 1];
        if (!last) {
          dot += t2 * mat[i * n + k + 2];
          mat[i * n + k + 2] -= dot * v2;
        }
        mat[i * n + k + 1] -= dot * v1;
        mat[i * n + k] -= dot;
      }
    }
  }
}

/** Hessenberg h to real Schur form in place, z accumulating, eigenvalues into wr and wi; false where it did not converge. */
function schur(h: Float64Array, z: Float64Array, n: number, wr: Float64Array, wi: Float64Array): boolean {
  let norm = 0;
  for (let i = 0; i < n; i++) for (let j = Math.max(i - 1, 0); j < n; j++) norm += Math.abs(h[i * n + j]);
  const limit = iterationLimit(n);
  // A subdiagonal entry this small is 0 whatever its neighbours: beside two entries near 0 (a nilpotent part: a matrix of
  // low rank) the relative test alone would wait for underflow, which comes too slowly to fit the iterations allowed.
  const negligible = EPS * EPS * norm;
  let hi = n - 1;
  let iteration = 0;
  while (hi >= 0) {
    let l = hi;
    for (; l > 0; l--) {
      let s = Math.abs(h[(l - 1) * n + l - 1]) + Math.abs(h[l * n + l]);
      if (s === 0) s = norm;
      if (Math.abs(h[l * n + l - 1]) <= Math.max(EPS * s, negligible)) {
        h[l * n + l - 1] = 0;
        break;
      }
    }
    if (l === hi) {
      wr[hi] = h[hi * n + hi];
      wi[hi] = 0;
      hi -= 1;
      iteration = 0;
    } else if (l === hi - 1) {
      deflatePair(h, z, n, hi, wr, wi);
      hi -= 2;
      iteration = 0;
    } else {
      if (iteration === limit) return false;
      iteration += 1;
      francisStep(h, z, n, l, hi, iteration);
    }
  }
  return true;
}

/**
 * The eigenvalues of upper Hessenberg h (n × n, row-major, overwritten)
 * into wr and wi, by the same iteration (the vectors' accumulation thrown
 * away): a complex pair's values exactly conjugate, a real one exactly
 * real. tm.signal's polynomial roots (signal/host_complex.ts) are these
 * of the companion matrix, as np.roots finds them. False where it does
 * not converge.
 */
export function hessenbergEigenvalues(h: Float64Array, n: number, wr: Float64Array, wi: Float64Array): boolean {
  const z = new Float64Array(n * n);
  for (let i = 0; i < n; i++) z[i * n + i] = 1;
  return schur(h, z, n, wr, wi);
}

/** A complex number (re, im). */
type C = [number, number];

/** (ar + i·ai) / (br + i·bi), without overflow in |b|² (Smith's method). */
function divide(ar: number, ai: number, br: number, bi: number): C {
  if (Math.abs(br) >= Math.abs(bi)) {
    const t = bi / br;
    const d = br + bi * t;
    return [(ar + ai * t) / d, (ai - ar * t) / d];
  }
  const t = br / bi;
  const d = br * t + bi;
  return [(ar * t + ai) / d, (ai * t - ar) / d];
}

const times = (a: C, b: C): C => [a[0] * b[0] - a[1] * b[1], a[0] * b[1] + a[1] * b[0]];
const minus = (a: C, b: C): C => [a[0] - b[0], a[1] - b[1]];
const size = (a: C) => Math.abs(a[0]) + Math.abs(a[1]);

/**
 * x solving the complex 2×2 system m·x = r (m row-major) by Gaussian
 * elimination with complete pivoting, a pivot below `smallest` raised to
 * it. Not Cramer's rule: a 2×2 block above λ's whose eigenvalues are λ's
 * again (a repeated pair) has nearly dependent rows, and only pivoting
 * keeps the residual at rounding size there.
 */
function solve2(m: [C, C, C, C], r: [C, C], smallest: number): [C, C] {
  let p = 0;
  for (let e = 1; e < 4; e++) if (size(m[e]) > size(m[p])) p = e;
  const [ri, ci] = [p >> 1, p & 1];
  const [ro, co] = [1 - ri, 1 - ci];
  const pivot: C = size(m[p]) < smallest ? [smallest, 0] : m[p];
  const l = divide(...m[ro * 2 + ci], ...pivot);
  let u = minus(m[ro * 2 + co], times(l, m[ri * 2 + co]));
  if (size(u) < smallest) u = [smallest, 0];
  const x: [C, C] = [[0, 0], [0, 0]];
  x[co] = divide(...minus(r[ro], times(l, r[ri])), ...u);
  x[ci] = divide(...minus(r[ri], times(m[ri * 2 + co], x[co])), ...pivot);
  return x;
}

/**
 * The eigenvector of quasi-triangular t for its eigenvalue λ = lr + i·li
 * whose block ends at row `end`, into (xr, xi): x is 0 below `end`, its
 * block's part is fixed (1 for a real λ; for a complex pair's block
 * [[a, b], [c, d]], (b, λ − a)), and the rows above are solved from the
 * bottom up, a 2×2 block's two rows together.
 */
function schurVector(t: Float64Array, n: number, end: number, lr: number, li: number, xr: Float64Array, xi: Float64Array): void {
  xr.fill(0);
  xi.fill(0);
  let top: number;
  if (li === 0) {
    xr[end] = 1;
    top = end - 1;
  } else {
    const k = end - 1;
    xr[k] = t[k * n + end];
    xr[end] = lr - t[k * n + k];
    xi[end] = li;
    top = k - 1;
  }
  const smallest = Math.max(EPS * (Math.abs(lr) + Math.abs(li)), SMALLEST_PIVOT);
  // −Σ t[i, j]·x[j] over j above i up to end.
  const rest = (i: number): C => {
    let sr = 0;
    let si = 0;
    for (let j = i + 1; j <= end; j++) {
      sr -= t[i * n + j] * xr[j];
      si -= t[i * n + j] * xi[j];
    }
    return [sr, si];
  };
  for (let i = top; i >= 0;) {
    const pair = i > 0 && t[i * n + i - 1] !== 0;
    if (pair) {
      const t00: C = [t[(i - 1) * n + i - 1] - lr, -li];
      const t11: C = [t[i * n + i] - lr, -li];
      const x = solve2([t00, [t[(i - 1) * n + i], 0], [t[i * n + i - 1], 0], t11], [rest(i - 1), rest(i)], smallest);
      [xr[i - 1], xi[i - 1]] = x[0];
      [xr[i], xi[i]] = x[1];
    } else {
      const [sr, si] = rest(i);
      let dr = t[i * n + i] - lr;
      let di = -li;
      if (Math.abs(dr) + Math.abs(di) < smallest) [dr, di] = [smallest, 0];
      [xr[i], xi[i]] = divide(sr, si, dr, di);
    }
    // Keep a fast-growing vector (a defective matrix's) in range: its direction is what counts.
    let big = 0;
    for (let j = pair ? i - 1 : i; j <= end; j++) big = Math.max(big, Math.abs(xr[j]) + Math.abs(xi[j]));
    if (big > GROWTH) {
      for (let j = 0; j <= end; j++) {
        xr[j] /= big;
        xi[j] /= big;
      }
    }
    i -= pair ? 2 : 1;
  }
}

/**
 * Writes z·x (x complex, 0 below `end`) as column k of the matrix's
 * eigenvectors, interleaved (re, im), at unit norm with its entry of
 * largest modulus (the first, of equal ones) real and positive; the
 * complex conjugate too as column k + 1 where `withConjugate`.
 */
function storeVector(z: Float64Array, n: number, end: number, xr: Float64Array, xi: Float64Array, out: StorageArray, at: number, k: number, withConjugate: boolean, vr: Float64Array, vi: Float64Array): void {
  // x over its largest entry first (z is orthogonal: z·x then has norm ≥ 1/√2), as the shader must to keep its squares in f32's range.
  let big = 0;
  for (let j = 0; j <= end; j++) big = Math.max(big, Math.abs(xr[j]) + Math.abs(xi[j]));
  let squares = 0;
  let largest = -1;
  let argLargest = 0;
  for (let i = 0; i < n; i++) {
    let sr = 0;
    let si = 0;
    for (let j = 0; j <= end; j++) {
      sr += z[i * n + j] * (xr[j] / big);
      si += z[i * n + j] * (xi[j] / big);
    }
    vr[i] = sr;
    vi[i] = si;
    const modulus = sr * sr + si * si;
    squares += modulus;
    if (modulus > largest) [largest, argLargest] = [modulus, i];
  }
  // Times conj(v[arg])/|v[arg]|/‖v‖: that entry becomes |v[arg]|/‖v‖, real and positive.
  const scale = Math.sqrt(largest) * Math.sqrt(squares);
  const [pr, pi] = [vr[argLargest] / scale, -vi[argLargest] / scale];
  for (let i = 0; i < n; i++) {
    const re = vr[i] * pr - vi[i] * pi;
    const im = vr[i] * pi + vi[i] * pr;
    const o = at + (i * n + k) * 2;
    out[o] = re;
    out[o + 1] = im;
    if (withConjugate) {
      out[o + 2] = re;
      out[o + 3] = -im;
    }
  }
}

/**
 * values [batch, n, 2] and vectors [batch, n, n, 2] (complex as (re, im)
 * pairs, eigenvector k as column k) of each matrix of a (f32, [batch, n, n]).
 */
export function eig(a: Js): { values: StorageArray; vectors: StorageArray } {
  const [batch, n] = a.shape;
  const values = new Float32Array(batch * n * 2);
  const vectors = new Float32Array(batch * n * n * 2);
  const [h, z] = [new Float64Array(n * n), new Float64Array(n * n)];
  const [wr, wi, xr, xi, vr, vi] = Array.from({ length: 6 }, () => new Float64Array(n));
  for (let b = 0; b < batch; b++) {
    const at = b * n * n;
    // A over the power of two at or below its largest |entry| (exact both ways): the iteration and the pivots' floors then
    // work at one scale, the eigenvalues scaled back.
    let finite = true;
    let largest = 0;
    for (let i = 0; i < n * n; i++) {
      h[i] = a.storage[at + i];
      finite &&= Number.isFinite(h[i]);
      largest = Math.max(largest, Math.abs(h[i]));
    }
    const scale = finite && largest > 0 ? 2 ** Math.floor(Math.log2(largest)) : 1;
    for (let i = 0; i < n * n; i++) h[i] /= scale;
    z.fill(0);
    for (let i = 0; i < n; i++) z[i * n + i] = 1;
    if (finite) hessenberg(h, z, n, vr);
    if (!finite || !schur(h, z, n, wr, wi)) {
      values.fill(NaN, b * n * 2, (b + 1) * n * 2);
      vectors.fill(NaN, at * 2, (at + n * n) * 2);
      continue;
    }
    for (let k = 0; k < n; k++) {
      values[(b * n + k) * 2] = wr[k] * scale;
      values[(b * n + k) * 2 + 1] = wi[k] * scale;
      if (wi[k] < 0) continue; // the conjugate of the vector before it, stored with it
      const end = wi[k] > 0 ? k + 1 : k;
      schurVector(h, n, end, wr[k], wi[k], xr, xi);
      storeVector(z, n, end, xr, xi, vectors, at * 2, k, wi[k] > 0, vr, vi);
    }
  }
  return { values, vectors };
}
