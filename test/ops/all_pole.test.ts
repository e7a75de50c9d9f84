// The all-pole recursion (ops/all_pole.ts, one kernel per backend) against
// a float64 loop on fresh random rows of several lengths and orders 0 to 8
// (poles inside the unit circle, so the rows stay bounded), its gradient
// (the recursion run backwards) against the float64 adjoint, and the
// refusal of coefficients the kernels do not take. A recursion's float32
// error is its rounding at each step carried on by the filter itself, so
// each output is held to that first-order bound (roundingBound), which
// grows with the filter's gain, rather than to one relative tolerance.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { allPole } from '../../src/ops/all_pole.js';
import { BACKENDS } from '../helpers/backends.js';
import { SEED, asF32, uniform } from '../helpers/data.js';

/** w = v − Σ aₖ·w shifted by k, each row of v [rows, n], in float64. */
function reference(v: ArrayLike<number>, rows: number, a: readonly number[]): Float64Array {
  const n = v.length / rows;
  const w = new Float64Array(v.length);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < n; i++) {
      let s = v[r * n + i];
      for (let k = 1; k < a.length && k <= i; k++) s -= a[k] * w[r * n + i - k];
      w[r * n + i] = s;
    }
  }
  return w;
}

/**
 * How far float32 can put each output of the recursion w = reference(v)
 * from the exact one: step i rounds its p + 1 terms by at most
 * (p + 1)·u·(|vᵢ| + Σ|aₖ·wᵢ₋ₖ|), and that error passes through the filter,
 * so output j is off by at most Σᵢ |h_{j−i}|·(step i's rounding), h the
 * impulse response. First order, so doubled where it is used.
 */
function roundingBound(v: ArrayLike<number>, w: Float64Array, rows: number, a: readonly number[]): Float64Array {
  const n = v.length / rows;
  const p = a.length - 1;
  const h = reference(Float64Array.from({ length: n }, (_, i) => (i === 0 ? 1 : 0)), 1, a);
  const bound = new Float64Array(v.length);
  for (let r = 0; r < rows; r++) {
    const step = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let terms = Math.abs(v[r * n + i]);
      for (let k = 1; k <= p && k <= i; k++) terms += Math.abs(a[k] * w[r * n + i - k]);
      step[i] = (p + 1) * 2 ** -24 * terms;
    }
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = 0; i <= j; i++) s += Math.abs(h[j - i]) * step[i];
      bound[r * n + j] = s;
    }
  }
  return bound;
}

/** Each |got − want| within twice its rounding bound, plus float32's spacing at the value. */
function expectWithinRounding(got: ArrayLike<number>, want: Float64Array, bound: Float64Array, what: string): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const allowed = 2 * bound[i] + 2 ** -24 * Math.abs(want[i]);
    if (!(Math.abs(got[i] - want[i]) <= allowed)) expect.fail(`${what} index ${i}: got ${got[i]}, want ${want[i]} (allowed ${allowed.toExponential(2)}, test seed ${SEED})`);
  }
}

/** A stable denominator [1, a₁ … a_p]: the polynomial of p real roots in (−0.9, 0.9). */
function stable(p: number): number[] {
  let c = [1];
  for (const root of uniform(p, -0.9, 0.9)) c = [...c, 0].map((v, i) => v - (i > 0 ? root * c[i - 1] : 0));
  return c.map((v) => Math.fround(v));
}

describe.each(BACKENDS)('allPole on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each([[1, 1, 0], [3, 17, 1], [2, 200, 2], [5, 63, 3], [1, 1000, 5], [4, 129, 8]])('matches a float64 loop: %i rows of %i at order %i, and its gradient is the reversed recursion', async (rows, n, p) => {
    const a = stable(p);
    const v = asF32(uniform(rows * n, -1, 1));
    const g = asF32(uniform(rows * n, -1, 1));
    const vt = tm.tensor(v, [rows, n]);
    vt.requiresGrad = true;
    const w = allPole(vt, a);
    const want = reference(v, rows, a);
    expectWithinRounding(await w.data(), want, roundingBound(v, want, rows, a), 'values');
    tm.tidy(() => w.mul(tm.tensor(g, [rows, n])).sum()).backward();
    // The adjoint: each row of g reversed, filtered, reversed.
    const flipped = Float64Array.from(g, (_, i) => g[Math.floor(i / n) * n + (n - 1 - (i % n))]);
    const back = reference(flipped, rows, a);
    const adjoint = Float64Array.from(back, (_, i) => back[Math.floor(i / n) * n + (n - 1 - (i % n))]);
    const flippedBound = roundingBound(flipped, back, rows, a);
    const adjointBound = Float64Array.from(flippedBound, (_, i) => flippedBound[Math.floor(i / n) * n + (n - 1 - (i % n))]);
    expectWithinRounding(await vt.grad!.data(), adjoint, adjointBound, 'gradient');
  });

  it('refuses coefficients not led by 1 or of more than 8 poles', () => {
    const v = tm.zeros([1, 4]);
    expect(() => allPole(v, [2, 0.5])).toThrow('allPole: a must be [1, a1 … ap] with p ≤ 8, got [2, 0.5]');
    expect(() => allPole(v, [1, ...new Array<number>(9).fill(0.01)])).toThrow('allPole: a must be [1, a1 … ap] with p ≤ 8');
  });
});
