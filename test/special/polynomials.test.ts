// tm.special's orthogonal polynomials on every backend against float64
// forms the library does not use (cos nθ and sin nθ/sin θ for Chebyshev's,
// explicit sums for Hermite's, Laguerre's and Legendre's), at degrees 0 to
// 12 (and 100, where Pₙ(±1) and Lₙ(0) must stay exact) on fresh random x;
// the bound is f32's rounding times the recurrence run on |x| with its
// coefficients made positive (how its error can grow), and for Chebyshev's
// trigonometric forms the rounding of nθ.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { uniform } from '../helpers/data.js';
import { ULP, centralDifference, expectWithin } from '../helpers/special_functions.js';

const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1));
const choose = (n: number, k: number) => factorial(n) / (factorial(k) * factorial(n - k));

/** Uₙ(x) from sin((n + 1)θ)/sin θ (sinh outside [−1, 1]), (n + 1)(±1)ⁿ at ±1. */
function chebyshevU(n: number, x: number): number {
  if (n < 0) return 0;
  if (Math.abs(x) === 1) return (n + 1) * x ** n;
  if (Math.abs(x) < 1) {
    const t = Math.acos(x);
    return Math.sin((n + 1) * t) / Math.sin(t);
  }
  const t = Math.acosh(Math.abs(x));
  return Math.sign(x) ** n * (Math.sinh((n + 1) * t) / Math.sinh(t));
}
function chebyshevT(n: number, x: number): number {
  if (Math.abs(x) <= 1) return Math.cos(n * Math.acos(x));
  return Math.sign(x) ** n * Math.cosh(n * Math.acosh(Math.abs(x)));
}
const sum = (count: number, term: (m: number) => number) => Array.from({ length: count }, (_, m) => term(m)).reduce((s, v) => s + v, 0);

/** Each family: the float64 value, p₁'s magnitude and the recurrence's step on magnitudes (see the file's head). */
const FAMILIES = {
  chebyshevPolynomialT: { ref: chebyshevT, p1: (x: number) => Math.abs(x), step: (x: number, _k: number, p: number, q: number) => 2 * Math.abs(x) * p + q },
  chebyshevPolynomialU: { ref: chebyshevU, p1: (x: number) => 2 * Math.abs(x), step: (x: number, _k: number, p: number, q: number) => 2 * Math.abs(x) * p + q },
  // Vₙ = Uₙ − Uₙ₋₁ and Wₙ = Uₙ + Uₙ₋₁.
  chebyshevPolynomialV: { ref: (n: number, x: number) => chebyshevU(n, x) - chebyshevU(n - 1, x), p1: (x: number) => 2 * Math.abs(x) + 1, step: (x: number, _k: number, p: number, q: number) => 2 * Math.abs(x) * p + q },
  chebyshevPolynomialW: { ref: (n: number, x: number) => chebyshevU(n, x) + chebyshevU(n - 1, x), p1: (x: number) => 2 * Math.abs(x) + 1, step: (x: number, _k: number, p: number, q: number) => 2 * Math.abs(x) * p + q },
  hermitePolynomialH: {
    ref: (n: number, x: number) => factorial(n) * sum(Math.floor(n / 2) + 1, (m) => ((-1) ** m * (2 * x) ** (n - 2 * m)) / (factorial(m) * factorial(n - 2 * m))),
    p1: (x: number) => 2 * Math.abs(x),
    step: (x: number, k: number, p: number, q: number) => 2 * Math.abs(x) * p + 2 * k * q,
  },
  hermitePolynomialHe: {
    ref: (n: number, x: number) => factorial(n) * sum(Math.floor(n / 2) + 1, (m) => ((-1) ** m * x ** (n - 2 * m)) / (factorial(m) * factorial(n - 2 * m) * 2 ** m)),
    p1: (x: number) => Math.abs(x),
    step: (x: number, k: number, p: number, q: number) => Math.abs(x) * p + k * q,
  },
  laguerrePolynomialL: {
    ref: (n: number, x: number) => sum(n + 1, (k) => (choose(n, k) * (-x) ** k) / factorial(k)),
    p1: (x: number) => 1 + Math.abs(x),
    step: (x: number, k: number, p: number, q: number) => ((2 * k + 1 + Math.abs(x)) * p + k * q) / (k + 1),
  },
  legendrePolynomialP: {
    ref: (n: number, x: number) => sum(n + 1, (k) => choose(n, k) ** 2 * (x - 1) ** (n - k) * (x + 1) ** k) / 2 ** n,
    p1: (x: number) => Math.abs(x),
    step: (x: number, k: number, p: number, q: number) => ((2 * k + 1) * Math.abs(x) * p + k * q) / (k + 1),
  },
} as const;
type FamilyName = keyof typeof FAMILIES;

/**
 * Chebyshev's past degree 6 (T) or 8 (U, V, W) inside (−1, 1), as torch's,
 * are trigonometric forms at θ = acos x: their error is nθ's rounding,
 * ~(n + 1)·π·ulp, over the form's denominator (sin θ, cos θ/2, sin θ/2).
 */
function trigonometricBound(name: FamilyName, n: number, x: number): number {
  const kind = name.startsWith('chebyshevPolynomial') ? name.slice(-1) : '';
  if (!kind || Math.abs(x) >= 1 || n <= (kind === 'T' ? 6 : 8)) return 0;
  const t = Math.acos(x);
  const denominator = { T: 1, U: Math.sin(t), V: Math.cos(t / 2), W: Math.sin(t / 2) }[kind]!;
  return (8 * (n + 1) * Math.PI * ULP) / denominator;
}

/** The recurrence's magnitude at degree n: how far rounding can carry its error. */
function magnitude(name: FamilyName, n: number, x: number): number {
  const f = FAMILIES[name];
  let [q, p] = [1, f.p1(x)];
  for (let k = 1; k < n; k++) [q, p] = [p, f.step(x, k, p, q)];
  return n === 0 ? 1 : p;
}

const CASES = [
  ...(Object.keys(FAMILIES) as FamilyName[]).map((name) => ({ name, family: name, shifted: false })),
  ...(['T', 'U', 'V', 'W'] as const).map((kind) => ({ name: `shiftedChebyshevPolynomial${kind}`, family: `chebyshevPolynomial${kind}` as FamilyName, shifted: true })),
];
const DEGREES = [0, 1, 2, 3, 7, 12];

const opOf = (name: string) => (tm.special as unknown as Record<string, (x: tm.Tensor | number, n: number) => tm.Tensor>)[name];

describe.each(BACKENDS)('tm.special orthogonal polynomials on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it.each(CASES)('$name at degrees 0 to 12 on random x (and ±1, 0), within the recurrence\'s rounding', async ({ name, family, shifted }) => {
    const x = new Float32Array([...uniform(60, shifted ? -0.25 : -1.5, shifted ? 1.25 : 1.5), -1, 0, 1, shifted ? 0.5 : 2.5]);
    // The shifted families see 2x − 1 rounded to f32, as the library computes it.
    const at = Array.from(x, (v) => (shifted ? Math.fround(2 * v - 1) : v));
    for (const n of DEGREES) {
      const got = await opOf(name)(tm.tensor(x, [x.length]), n).data();
      expectWithin(`${name}(·, ${n})`, got, at.map((v) => FAMILIES[family].ref(n, v)), (i) => 8 * (n + 1) * ULP * magnitude(family, n, at[i]) + trigonometricBound(family, n, at[i]) + 1e-12, (i) => `${x[i]}, n = ${n}`);
    }
  });

  it('0 below degree 0 and 1 at it whatever x is, NaN elsewhere at NaN, as torch\'s; f16 in, f16 out; a number for x', async () => {
    for (const { name } of CASES) {
      const op = opOf(name);
      const x = tm.tensor([NaN, 2, -Infinity]);
      expect(Array.from(await op(x, -1).data()), name).toEqual([0, 0, 0]);
      expect(Array.from(await op(x, 0).data()), name).toEqual([1, 1, 1]);
      expect(Number.isNaN((await op(x, 3).data())[0]), name).toBe(true);
      expect(op(x.cast('f16'), 2).dtype).toBe('f16');
    }
    expect(await tm.special.legendrePolynomialP(0.5, 2).item()).toBeCloseTo(-0.125, 6);
    // Exact where the recurrence is, however long: divisions by k + 1, not products with a rounded 1/(k + 1).
    expect(Array.from(await tm.special.legendrePolynomialP(tm.tensor([1, -1]), 100).data())).toEqual([1, 1]);
    expect(await tm.special.laguerrePolynomialL(tm.tensor([0]), 100).data()).toEqual(new Float32Array([1]));
  });

  it('gradients in x against central differences of the float64 forms', async () => {
    const values = [-0.9, -0.3, 0.2, 0.7, 1.3];
    for (const { name, family, shifted } of CASES) {
      const x = tm.tensor(values);
      x.requiresGrad = true;
      tm.tidy(() => opOf(name)(x, 5).sum()).backward();
      const xs = Array.from(new Float32Array(values));
      const ref = (v: number) => FAMILIES[family].ref(5, shifted ? 2 * v - 1 : v);
      expectWithin(`${name}′`, await x.grad!.data(), xs.map((v) => centralDifference(ref, v)), (i, w) => 1e-5 * Math.abs(w) + 1e-4 * magnitude(family, 5, shifted ? 2 * xs[i] - 1 : xs[i]), (i) => `${xs[i]}`);
      x.dispose();
    }
  });

  it('refuses a degree that is not an integer', () => {
    expect(() => tm.special.hermitePolynomialH(tm.tensor([1]), 2.5)).toThrow('hermitePolynomialH: n must be an integer (the degree), got 2.5');
    expect(() => tm.special.shiftedChebyshevPolynomialT(tm.tensor([1]), tm.tensor([2]) as never)).toThrow(/shiftedChebyshevPolynomialT: n must be an integer/);
  });
});
