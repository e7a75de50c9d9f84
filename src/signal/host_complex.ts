// Complex arithmetic in float64 on the host, for filter design: (re, im)
// pairs, the polynomial of given roots, the roots of a polynomial, and
// roots grouped into real quadratics. A design is a handful of numbers;
// tensors would only add dispatches.
import { hessenbergEigenvalues } from '../backends/js/eig_general.js';

export type Complex = [number, number];

export const mul = ([a, b]: Complex, [c, d]: Complex): Complex => [a * c - b * d, a * d + b * c];
export const div = ([a, b]: Complex, [c, d]: Complex): Complex => {
  const n = c * c + d * d;
  return [(a * c + b * d) / n, (b * c - a * d) / n];
};
export const add = ([a, b]: Complex, [c, d]: Complex): Complex => [a + c, b + d];
export const sqrt = ([a, b]: Complex): Complex => {
  const r = Math.hypot(a, b);
  const re = Math.sqrt((r + a) / 2);
  const im = Math.sqrt(Math.max(0, (r - a) / 2));
  return [re, b < 0 ? -im : im];
};

/** The real polynomial Π(z − rᵢ) of roots that come in conjugate pairs, highest power first (np.poly's order). */
export function poly(roots: readonly Complex[]): number[] {
  let c: Complex[] = [[1, 0]];
  for (const r of roots) {
    const next: Complex[] = [...c, [0, 0]];
    for (let i = 1; i < next.length; i++) next[i] = add(next[i], mul([-r[0], -r[1]], c[i - 1]));
    c = next;
  }
  // Conjugate pairs leave imaginary parts of rounding only.
  return c.map(([re]) => re);
}

/** Roots in twos that make real quadratics: each conjugate pair, then the real ones two at a time (a last one alone). */
export function realPairs(roots: readonly Complex[]): Complex[][] {
  const tiny = (v: number) => Math.abs(v) < 1e-12;
  const upper = roots.filter(([, im]) => im > 0 && !tiny(im));
  const real = roots.filter(([, im]) => tiny(im));
  const pairs: Complex[][] = upper.map(([re, im]) => [[re, im], [re, -im]]);
  for (let i = 0; i < real.length; i += 2) pairs.push(real.slice(i, i + 2).map(([re]) => [re, 0] as Complex));
  return pairs;
}


/**
 * The roots of c[0]·zⁿ + c[1]·zⁿ⁻¹ + … + c[n] (np.roots's order; c[0] ≠ 0),
 * as np.roots finds them: the eigenvalues of the companion matrix
 * (balanced, then the Francis double-shift QR iteration of EISPACK's hqr,
 * in float64: the js backend's, backends/js/eig_general.ts). That is backward stable for the whole set — the roots are
 * those of a polynomial within rounding of c — where an iteration on the
 * roots one by one (Durand–Kerner, Newton) stalls on a cluster (a narrow
 * Butterworth's poles, a repeated root) anywhere in its pseudo-zero set,
 * and each real root comes out exactly real, each complex one with its
 * exact conjugate. Trailing zero coefficients are roots at 0. Null where
 * the iteration does not converge.
 */
export function roots(c: readonly number[]): Complex[] | null {
  let end = c.length;
  while (end > 1 && c[end - 1] === 0) end--;
  const zeros: Complex[] = Array.from({ length: c.length - end }, () => [0, 0]);
  const n = end - 1;
  if (n < 1) return zeros;
  // The companion matrix, row-major: first row −c[1…n]/c[0], ones below the diagonal (upper Hessenberg already).
  const h = new Float64Array(n * n);
  for (let j = 0; j < n; j++) h[j] = -c[j + 1] / c[0];
  for (let i = 1; i < n; i++) h[i * n + i - 1] = 1;
  balance(h, n);
  const wr = new Float64Array(n);
  const wi = new Float64Array(n);
  if (!hessenbergEigenvalues(h, n, wr, wi)) return null;
  return [...Array.from({ length: n }, (_, k): Complex => [wr[k], wi[k]]), ...zeros];
}

/** h (n × n) scaled by a diagonal similarity of powers of two until each row and column have like norms (EISPACK's balanc, no permutations). */
function balance(h: Float64Array, n: number): void {
  for (let again = true; again; ) {
    again = false;
    for (let i = 0; i < n; i++) {
      let column = 0;
      let row = 0;
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        column += Math.abs(h[j * n + i]);
        row += Math.abs(h[i * n + j]);
      }
      if (column === 0 || row === 0) continue;
      const total = column + row;
      let f = 1;
      while (column < row / 2) [f, column] = [f * 2, column * 4];
      while (column >= row * 2) [f, column] = [f / 2, column / 4];
      if ((column + row) / f < 0.95 * total) {
        again = true;
        for (let j = 0; j < n; j++) h[i * n + j] /= f;
        for (let j = 0; j < n; j++) h[j * n + i] *= f;
      }
    }
  }
}
