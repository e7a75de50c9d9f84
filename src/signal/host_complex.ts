// Complex arithmetic in float64 on the host, for filter design: (re, im)
// pairs, the polynomial of given roots, the roots of a polynomial, and
// roots grouped into real quadratics. A design is a handful of numbers;
// tensors would only add dispatches.

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
 * by the Durand–Kerner iteration from points spread on a circle of the
 * roots' Cauchy bound, then a few Newton steps on each.
 */
export function roots(c: readonly number[]): Complex[] {
  const n = c.length - 1;
  if (n < 1) return [];
  const monic = c.map((v) => v / c[0]);
  const at = (z: Complex): Complex => monic.reduce((acc: Complex, v) => add(mul(acc, z), [v, 0]), [0, 0]);
  const slope = (z: Complex): Complex => monic.slice(0, -1).reduce((acc: Complex, v, i) => add(mul(acc, z), [v * (n - i), 0]), [0, 0]);
  const bound = 1 + Math.max(...monic.slice(1).map(Math.abs));
  let z: Complex[] = Array.from({ length: n }, (_, k) => {
    const angle = (2 * Math.PI * k) / n + 0.4; // off the real axis, so conjugate roots are approached from both sides
    return [bound * Math.cos(angle), bound * Math.sin(angle)];
  });
  for (let iteration = 0; iteration < 1000; iteration++) {
    let moved = 0;
    z = z.map((zi, i) => {
      const denominator = z.reduce((acc: Complex, zj, j) => (j === i ? acc : mul(acc, [zi[0] - zj[0], zi[1] - zj[1]])), [1, 0]);
      const step = div(at(zi), denominator);
      moved = Math.max(moved, Math.hypot(...step) / Math.max(1, Math.hypot(...zi)));
      return [zi[0] - step[0], zi[1] - step[1]];
    });
    if (moved < 1e-15) break;
  }
  return z.map((zi) => {
    for (let k = 0; k < 3; k++) {
      const d = slope(zi);
      if (d[0] === 0 && d[1] === 0) break;
      const step = div(at(zi), d);
      zi = [zi[0] - step[0], zi[1] - step[1]];
    }
    return zi;
  });
}
