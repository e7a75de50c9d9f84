// tm.special.betainc and betaincc on every backend against a float64
// reference written here: Numerical Recipes' continued fraction run by
// Lentz's method until it stops changing (far past the library's fixed
// depth), on the side of the mean where it converges, with lgamma's float64
// reference in the prefactor; checked itself against the closed forms at
// a = 1, b = 1 and a = b = ½. Within f32's error of the exponent's terms
// (the mean a/(a + b) rounded, magnified by a + b) relative to the result
// where it is computed, plus an ulp of 1 where it is the other's complement.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { uniform } from '../helpers/data.js';
import { collected } from '../helpers/gc.js';
import { betaincRef, betaincShapeDerivativesRef } from '../helpers/special.js';
import { SHAPES, ULP, centralDifference, checkShapeAndDTypes, expectEdges, expectWithin } from '../helpers/special_functions.js';

/** The library's error: the exponent's terms rounded in f32 (relative, growing with a + b), plus an ulp of 1 where the result is 1 − what was computed. */
function bound(upper: boolean, a: number, b: number, x: number, want: number): number {
  const computedDirectly = (x > (a + 1) / (a + b + 2)) === upper;
  const relative = 2e-5 + 4 * ULP * (a + b);
  return computedDirectly ? relative * want : relative * (1 - want) + 4 * ULP;
}

describe.each(BACKENDS)('tm.special incomplete beta on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it('the float64 reference agrees with the closed forms I_x(a, 1) = xᵃ, I_x(1, b) = 1 − (1 − x)ᵇ, I_x(½, ½) = (2/π)·asin √x', () => {
    for (const x of [0.01, 0.3, 0.5, 0.77, 0.99]) {
      for (const s of [0.2, 1, 3.5, 40]) {
        expect(Math.abs(betaincRef(s, 1, x)[0] - x ** s)).toBeLessThan(1e-13);
        expect(Math.abs(betaincRef(1, s, x)[0] - (1 - (1 - x) ** s))).toBeLessThan(1e-13);
      }
      expect(Math.abs(betaincRef(0.5, 0.5, x)[0] - (2 / Math.PI) * Math.asin(Math.sqrt(x)))).toBeLessThan(1e-13);
    }
  });

  it.each([['betainc', false], ['betaincc', true]] as const)('%s: relative to itself through the tails and the bulk for a and b from 0.05 to 2,000', async (name, upper) => {
    const sizes = [0.05, 0.5, 1, 2.5, 9, 60, 400, 2000];
    const as: number[] = [];
    const bs: number[] = [];
    const xs: number[] = [];
    for (const a of sizes) {
      for (const b of sizes) {
        const mean = a / (a + b);
        // The bulk around the mean, and tails as far as f32 has them.
        for (const x of [mean * 0.5, mean, mean + (1 - mean) * 0.5, 1e-3, 0.2, 0.9, 0.999, ...uniform(2, 0.01, 0.99)]) {
          as.push(a);
          bs.push(b);
          xs.push(Math.fround(x));
        }
      }
    }
    const op = upper ? tm.special.betaincc : tm.special.betainc;
    const got = await op(tm.tensor(as), tm.tensor(bs), tm.tensor(xs)).data();
    const want = as.map((a, i) => betaincRef(a, bs[i], xs[i])[upper ? 1 : 0]);
    expectWithin(name, got, want, (i, w) => bound(upper, as[i], bs[i], xs[i], w), (i) => `${as[i]}, ${bs[i]}, ${xs[i]}`);
  });

  it('the edges as SciPy\'s: NaN outside the domain and for NaN, 0 and 1 at the ends, a = 0 or b = 0 all the mass at one end', async () => {
    // [a, b, x, I, 1 − I]
    const edges: [number, number, number, number, number][] = [
      [-1, 1, 0.5, NaN, NaN], [1, -1, 0.5, NaN, NaN], [1, 1, -0.1, NaN, NaN], [1, 1, 1.1, NaN, NaN], [2, 3, 0, 0, 1], [2, 3, 1, 1, 0],
      [0, 2, 0.3, 1, 0], [2, 0, 0.3, 0, 1], [0, 0, 0.3, NaN, NaN], [Infinity, 2, 0.3, 0, 1], [2, Infinity, 0.3, 1, 0], [NaN, 1, 0.5, NaN, NaN],
      [1, 1, NaN, NaN, NaN], [0.5, 0.5, 0, 0, 1],
    ];
    const at = (i: number) => `${edges[i][0]}, ${edges[i][1]}, ${edges[i][2]}`;
    const [a, b, x] = [0, 1, 2].map((k) => tm.tensor(edges.map((e) => e[k])));
    expectEdges('betainc', await tm.special.betainc(a, b, x).data(), edges.map((e) => e[3]), at);
    expectEdges('betaincc', await tm.special.betaincc(a, b, x).data(), edges.map((e) => e[4]), at);
  });

  it.each(SHAPES.map((s) => [s]))('at shape %j, a and b numbers or broadcast, from f16 (rounded once) and from ints', async (shape) => {
    await checkShapeAndDTypes('betainc', (t) => tm.special.betainc(2.5, 4, t), (x) => betaincRef(2.5, 4, x)[0], shape, 0.01, 0.99, [0, 1, 0, 1]);
    await checkShapeAndDTypes('betaincc', (t) => tm.special.betaincc(t, 3, 0.4), (a) => betaincRef(a, 3, 0.4)[1], shape, 0.1, 8, [1, 2, 7, 5]);
    const y = tm.special.betainc(tm.tensor([[0.5], [4]]), 2, tm.tensor([0.25, 0.6, 0.9]));
    expect(y.shape).toEqual([2, 3]);
    expectWithin('betainc broadcast', await y.data(), [0.5, 4].flatMap((a) => [0.25, 0.6, 0.9].map((x) => betaincRef(a, 2, x)[0])), (_i, w) => 2e-5 * w + 4 * ULP, (i) => `${i}`);
  });

  it('gradient with respect to x: ±x^(a−1)(1 − x)^(b−1)/B(a, b) against central differences, broadcast; its limits at 0 and 1', async () => {
    const as = [0.5, 1, 3, 10, 50, 2];
    const bs = [0.7, 2, 1, 12, 40, 200];
    const xs = [0.3, 0.6, 0.9, 0.4, 0.55, 0.01];
    for (const [op, upper] of [[tm.special.betainc, false], [tm.special.betaincc, true]] as const) {
      const x = tm.tensor(xs);
      x.requiresGrad = true;
      tm.tidy(() => op(tm.tensor(as), tm.tensor(bs), x).sum()).backward();
      const want = as.map((a, i) => centralDifference((v) => betaincRef(a, bs[i], v)[upper ? 1 : 0], Math.fround(xs[i])));
      expectWithin('d/dx', await x.grad!.data(), want, (i, w) => Math.abs(w) * (2e-5 + 4 * ULP * (as[i] + bs[i])), (i) => `${as[i]}, ${bs[i]}, ${xs[i]}`);
      x.dispose();
    }
    // At x = 0: a < 1 gives ∞, a = 1 gives b, a > 1 gives 0; at x = 1 mirrored in b.
    const x = tm.tensor([0, 0, 0, 1]);
    x.requiresGrad = true;
    tm.tidy(() => tm.special.betainc(tm.tensor([0.5, 1, 3, 2]), tm.tensor([2, 4, 2, 1]), x).sum()).backward();
    expectEdges('d/dx at the ends', await x.grad!.data(), [Infinity, 4, 0, 2], (i) => `${i}`);
    x.dispose();
  });

  it.each([['betainc', false], ['betaincc', true]] as const)('%s: gradients in a and b against central differences of the float64 reference, a and b from 0.05 to 2,000, x through the bulk and tails; 0 at x = 0 and 1', async (name, upper) => {
    const sizes = [0.05, 0.6, 2.5, 30, 400, 2000];
    const [as, bs, xs]: number[][] = [[], [], []];
    for (const a of sizes) {
      for (const b of sizes) {
        const mean = a / (a + b);
        const spread = Math.sqrt((a * b) / ((a + b) ** 2 * (a + b + 1)));
        for (const x of [mean - 2 * spread, mean - spread / 3, mean, mean + spread, mean + 3 * spread, 1e-3, 0.5, 0.999]) {
          if (x > 0 && x < 1) {
            as.push(a);
            bs.push(b);
            xs.push(Math.fround(x));
          }
        }
      }
    }
    const [a, b] = [tm.tensor(as), tm.tensor(bs)];
    a.requiresGrad = true;
    b.requiresGrad = true;
    const op = upper ? tm.special.betaincc : tm.special.betainc;
    const loss = tm.tidy(() => op(a, b, tm.tensor(xs)).sum());
    loss.backward();
    const want = as.map((av, i) => betaincShapeDerivativesRef(av, bs[i], xs[i]).map((d) => (upper ? -d : d)));
    // As the value's bound: the prefactor's exponent rounded in f32 (growing with a + b), relative; a GPU flushes a subnormal result to 0.
    const relative = (i: number) => 2e-5 + 4 * ULP * (as[i] + bs[i]);
    const flushed = (w: number) => (backend === 'webgpu' && Math.abs(w) < 2 ** -126 ? Math.abs(w) : 0);
    const at = (i: number) => `${as[i]}, ${bs[i]}, ${xs[i]}`;
    expectWithin(`${name} d/da`, await a.grad!.data(), want.map((w) => w[0]), (i, w) => Math.abs(w) * relative(i) + flushed(w), at);
    expectWithin(`${name} d/db`, await b.grad!.data(), want.map((w) => w[1]), (i, w) => Math.abs(w) * relative(i) + flushed(w), at);
    for (const t of [a, b, loss]) t.dispose();
    const c = tm.tensor([2, 3, 0.5]);
    c.requiresGrad = true;
    const ends = tm.tidy(() => op(c, 1.5, tm.tensor([0, 1, 0.3])).sum());
    ends.backward();
    const inner = betaincShapeDerivativesRef(0.5, 1.5, Math.fround(0.3))[0];
    expectWithin(`${name} d/da at x = 0 and 1`, await c.grad!.data(), [0, 0, upper ? -inner : inner], (_i, w) => 1e-5 * Math.abs(w), (i) => `${i}`);
    for (const t of [c, ends]) t.dispose();
    // The fraction run forward-mode in a and b: many kernels to compile on lavapipe.
  }, 120_000);

  it('bad arguments are named; memory flat', async () => {
    expect(() => tm.special.betainc('1' as unknown as number, 1, tm.tensor([0.5]))).toThrow(/betainc: a must be a Tensor or a number, got string/);
    expect(() => tm.special.betaincc(tm.tensor([1, 2]), 1, tm.tensor([0.1, 0.2, 0.3]))).toThrow(/betaincc: shapes \[2\] and \[3\] cannot be broadcast/);
    const [x, b] = [tm.tensor([0.2, 0.7]), tm.tensor([1, 4])];
    const before = await collected();
    tm.special.betainc(2, 3, x).dispose();
    tm.special.betaincc(b, 3, x).dispose();
    expect(tm.memory().numTensors).toBe(before);
  });
});
