// The all-pole recursion (ops/all_pole.ts, one kernel per backend) against
// a float64 loop on fresh random rows of several lengths and orders 0 to 8
// (poles inside the unit circle, so the rows stay bounded), its gradient
// (the recursion run backwards) against the float64 adjoint, and the
// refusal of coefficients the kernels do not take.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { allPole } from '../../src/ops/all_pole.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, uniform } from '../helpers/data.js';

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
    const scale = Array.from(want, () => Math.max(...Array.from(want, Math.abs)));
    expectClose(await w.data(), want, 1e-5, 'values', scale);
    tm.tidy(() => w.mul(tm.tensor(g, [rows, n])).sum()).backward();
    // The adjoint: each row of g reversed, filtered, reversed.
    const flipped = Float64Array.from(g, (_, i) => g[Math.floor(i / n) * n + (n - 1 - (i % n))]);
    const back = reference(flipped, rows, a);
    const adjoint = Float64Array.from(back, (_, i) => back[Math.floor(i / n) * n + (n - 1 - (i % n))]);
    expectClose(await vt.grad!.data(), adjoint, 1e-5, 'gradient', Array.from(adjoint, () => Math.max(...Array.from(adjoint, Math.abs))));
  });

  it('refuses coefficients not led by 1 or of more than 8 poles', () => {
    const v = tm.zeros([1, 4]);
    expect(() => allPole(v, [2, 0.5])).toThrow('allPole: a must be [1, a1 … ap] with p ≤ 8, got [2, 0.5]');
    expect(() => allPole(v, [1, ...new Array<number>(9).fill(0.01)])).toThrow('allPole: a must be [1, a1 … ap] with p ≤ 8');
  });
});
