// tm.special.gammainc, gammaincc and multigammaln on every backend against
// float64 references written here: the series of P summed and Legendre's
// continued fraction for Q run (by Lentz's method) until they stop changing,
// far past the library's fixed depths, with lgamma's float64 reference in the
// prefactor. Within f32's error of the prefactor's exponent (its terms, x − a
// and a·log(x/a), rounded) relative to the result where it is computed and
// to an ulp of 1 where it is the other's complement.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { uniform } from '../helpers/data.js';
import { collected } from '../helpers/gc.js';
import { digammaRef, gammaincShapeDerivativeRef, incompleteGammaRef, lgammaRef } from '../helpers/special.js';
import { SHAPES, ULP, centralDifference, checkShapeAndDTypes, expectEdges, expectWithin, logSpace } from '../helpers/special_functions.js';

const pRef = (a: number, x: number) => incompleteGammaRef(a, x)[0];
const qRef = (a: number, x: number) => incompleteGammaRef(a, x)[1];

/**
 * The library's error: f32's in the exponent's terms (x − a, a·log(x/a),
 * the rounding of x/a magnified by a where x is not near a, log Γ(a) ≈
 * −log a for small a), relative to the function computed; where
 * the result is its complement (P = 1 − Q past x = a + 1, Q = 1 − P before),
 * that error of the other plus an ulp of 1.
 */
function bound(lower: boolean, a: number, x: number, want: number): number {
  const ratio = Math.abs(x - a) < a / 2 ? 0 : a;
  // The last term: a tail value is e to an f32 exponent of about ln(want), whose own rounding (half an ulp of it) a
  // value of 1e-32 magnifies to ~36 ulps; seed 2718566338 found gammaincc(0.5155, 70.15) 6 ulps past the bound without it.
  const relative = 2e-6 + ULP * (Math.abs(x - a) + a * Math.abs(Math.log(x / a)) + ratio + 2 * Math.abs(Math.log(a)) + 10 + Math.abs(Math.log(Math.abs(want) || 1)) / 2);
  const complement = lower !== x < a + 1;
  return complement ? (Math.abs(want) + Math.abs(1 - want)) * relative + 2 * ULP : Math.abs(want) * relative;
}

/** Each a of a log-spaced sweep 1e-3 … 500 with x from 1e-3·a to 1e3·a, near a + 1 (the seam) and near a (the bulk); and random pairs. */
function grid(): [number[], number[]] {
  const as: number[] = [];
  const xs: number[] = [];
  for (const a of logSpace(1e-3, 500, 41)) {
    for (const x of [...logSpace(1e-3 * a, 1e3 * a, 31), a + 0.999, a + 1, a + 1.001, a, a * 1.01, a * 0.99, a + Math.sqrt(a), a - Math.sqrt(a) / 2]) {
      if (x > 0) {
        as.push(Math.fround(a));
        xs.push(Math.fround(x));
      }
    }
  }
  const ra = uniform(2001, 0, 60);
  const rx = uniform(2001, 0, 120);
  for (let i = 0; i < ra.length; i++) {
    as.push(Math.fround(ra[i]) || 0.5);
    xs.push(Math.fround(rx[i]) || 0.5);
  }
  return [as, xs];
}

describe.each(BACKENDS)('tm.special incomplete gamma functions on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it.each([['gammainc', true], ['gammaincc', false]] as const)('%s: relative to itself from its tails through the bulk for a from 1e-3 to 500', async (name, lower) => {
    const [as, xs] = grid();
    const op = lower ? tm.special.gammainc : tm.special.gammaincc;
    const got = await op(tm.tensor(as), tm.tensor(xs)).data();
    const ref = lower ? pRef : qRef;
    expectWithin(name, got, as.map((a, i) => ref(a, xs[i])), (i, w) => bound(lower, as[i], xs[i], w), (i) => `${as[i]}, ${xs[i]}`);
  });

  it('the edges as PyTorch\'s (Cephes\'): NaN below 0, a = 0, x = 0, a = ∞ and x = ∞', async () => {
    // [a, x, P, Q]
    const edges: [number, number, number, number][] = [
      [-1, 1, NaN, NaN], [1, -1, NaN, NaN], [0, 1, 1, 0], [0, 0, NaN, NaN], [0, Infinity, 1, 0], [1, 0, 0, 1], [1e-3, 0, 0, 1],
      [Infinity, 1, 0, 1], [Infinity, Infinity, NaN, NaN], [1, Infinity, 1, 0], [NaN, 1, NaN, NaN], [1, NaN, NaN, NaN], [3, 1e4, 1, 0],
    ];
    const a = tm.tensor(edges.map((e) => e[0]));
    const x = tm.tensor(edges.map((e) => e[1]));
    const at = (i: number) => `${edges[i][0]}, ${edges[i][1]}`;
    expectEdges('gammainc', await tm.special.gammainc(a, x).data(), edges.map((e) => e[2]), at);
    expectEdges('gammaincc', await tm.special.gammaincc(a, x).data(), edges.map((e) => e[3]), at);
  });

  it.each(SHAPES.map((s) => [s]))('at shape %j, a a number or broadcast, from f16 (rounded once) and from ints', async (shape) => {
    await checkShapeAndDTypes('gammainc', (t) => tm.special.gammainc(2.5, t), (x) => (x === 0 ? 0 : pRef(2.5, x)), shape, 0.1, 8, [1, 2, 7, 0]);
    await checkShapeAndDTypes('gammaincc', (t) => tm.special.gammaincc(t, 3), (a) => qRef(a, 3), shape, 0.1, 8, [1, 2, 7, 5]);
    const a = tm.tensor([[0.5], [4]]);
    const x = tm.tensor([0.25, 3, 9]);
    const y = tm.special.gammainc(a, x);
    expect(y.shape).toEqual([2, 3]);
    expectWithin('gammainc broadcast', await y.data(), [0.5, 4].flatMap((av) => [0.25, 3, 9].map((xv) => pRef(av, xv))), (_i, w) => 2e-6 * w, (i) => `${i}`);
  });

  it('gradient with respect to x: ±x^(a−1)e⁻ˣ/Γ(a), against central differences, broadcast; 0^(a−1)/Γ(a) at x = 0', async () => {
    const as = [0.5, 1, 3, 10, 50, 200];
    const xs = [0.3, 2, 1, 12, 40, 230];
    for (const [op, ref] of [[tm.special.gammainc, pRef], [tm.special.gammaincc, qRef]] as const) {
      const x = tm.tensor(xs);
      x.requiresGrad = true;
      tm.tidy(() => op(tm.tensor(as), x).sum()).backward();
      const want = as.map((a, i) => centralDifference((v) => ref(a, v), Math.fround(xs[i])));
      expectWithin('d/dx', await x.grad!.data(), want, (i, w) => Math.abs(w) * (1e-5 + ULP * (xs[i] + as[i])), (i) => `${as[i]}, ${xs[i]}`);
      x.dispose();
    }
    const x = tm.tensor([1.5, 0]);
    x.requiresGrad = true;
    tm.tidy(() => tm.special.gammainc(tm.tensor([[0.5], [1], [2]]), x).sum()).backward();
    // Summed over the three a: at 1.5 the densities, at 0 ∞ (a = ½) + 1 + 0.
    const density = (a: number, v: number) => Math.exp((a - 1) * Math.log(v) - v - lgammaRef(a));
    expectWithin('d/dx summed', await x.grad!.data(), [density(0.5, 1.5) + density(1, 1.5) + density(2, 1.5), Infinity], (_i, w) => 1e-5 * Math.abs(w), (i) => `${i}`);
    x.dispose();
  });

  it('gradient with respect to a: ∂P/∂a (−∂P/∂a for Q) against central differences of the float64 reference, a from 1e-3 to 1e4, x through the bulk and both tails; 0 at x = 0 and ∞', async () => {
    const as: number[] = [];
    const xs: number[] = [];
    for (const a of logSpace(1e-3, 1e4, 15)) {
      const r = Math.sqrt(a);
      // λ = x/a either side of 0.3 and 1.7, where from a = 200 Temme's expansion hands back to the series and fraction.
      for (const x of [a * 1e-3, a * 0.1, a * 0.29, a * 0.31, a * 0.5, a - r, a - r / 4, a, a + 1, a + r / 3, a + r, a + 3 * r, a * 1.69, a * 1.71, 3 * a + 5, 10 * a + 20]) {
        if (x > 0) {
          as.push(Math.fround(a));
          xs.push(Math.fround(x));
        }
      }
    }
    const dP = as.map((a, i) => gammaincShapeDerivativeRef(a, xs[i]));
    for (const [name, op, sign] of [['gammainc', tm.special.gammainc, 1], ['gammaincc', tm.special.gammaincc, -1]] as const) {
      const a = tm.tensor(as);
      a.requiresGrad = true;
      tm.tidy(() => op(a, tm.tensor(xs)).sum()).backward();
      // The density's f32 error (its exponent's terms rounded, as bound() above) and a few ulps of the slope.
      const relative = (i: number) => 4e-6 + ULP * (Math.abs(xs[i] - as[i]) + as[i] * Math.abs(Math.log(xs[i] / as[i])) + 2 * Math.abs(Math.log(as[i])) + 10);
      // A GPU flushes a subnormal density (far in a tail) to 0.
      const flushed = (w: number) => (backend === 'webgpu' && Math.abs(w) < 2 ** -126 ? Math.abs(w) : 0);
      expectWithin(`${name} d/da`, await a.grad!.data(), dP.map((d) => sign * d), (i, w) => Math.abs(w) * relative(i) + flushed(w), (i) => `${as[i]}, ${xs[i]}`);
      a.dispose();
    }
    const a = tm.tensor([0.5, 2, 3]);
    a.requiresGrad = true;
    tm.tidy(() => tm.special.gammainc(a, tm.tensor([0, Infinity, 2])).sum()).backward();
    expectWithin('d/da at x = 0 and ∞', await a.grad!.data(), [0, 0, gammaincShapeDerivativeRef(3, 2)], (_i, w) => 1e-5 * Math.abs(w), (i) => `${i}`);
    a.dispose();
    // Where x/a leaves f32 (x/a below 3e-8 from a = 200, or past 3e38) the density underflows: 0, not NaN.
    const far = tm.tensor([250, 5000, 1e-3, 0.5]);
    far.requiresGrad = true;
    tm.tidy(() => tm.special.gammaincc(far, tm.tensor([1e-6, 1e-4, 1e36, 3e38])).sum()).backward();
    expect(Array.from(await far.grad!.data(), (v) => v === 0)).toEqual([true, true, true, true]);
    far.dispose();
    // The slope's series and fraction: many kernels to compile on lavapipe.
  }, 120_000);

  it('bad arguments are named', () => {
    expect(() => tm.special.gammainc('1' as unknown as number, tm.tensor([1]))).toThrow(/gammainc: a must be a Tensor or a number, got string/);
    expect(() => tm.special.gammaincc(tm.tensor([1, 2]), tm.tensor([1, 2, 3]))).toThrow(/gammaincc: shapes \[2\] and \[3\] cannot be broadcast/);
  });

  it('multigammaln: Σⱼ lgamma(a − (j − 1)/2) + p(p − 1)/4·log π, NaN at a ≤ (p − 1)/2, its gradient Σⱼ ψ; p a whole number ≥ 1', async () => {
    for (const p of [1, 2, 3, 5]) {
      const av = Array.from(uniform(41, (p - 1) / 2 + 1e-3, 30), Math.fround);
      av.push((p - 1) / 2, (p - 1) / 2 - 0.25);
      const ref = (a: number) => (a <= (p - 1) / 2 ? NaN : (p * (p - 1) * Math.log(Math.PI)) / 4 + Array.from({ length: p }, (_, j) => lgammaRef(a - j / 2)).reduce((s, v) => s + v, 0));
      const a = tm.tensor(av);
      a.requiresGrad = true;
      const y = tm.special.multigammaln(a, p);
      const scale = (v: number) => Array.from({ length: p }, (_, j) => Math.abs(lgammaRef(v - j / 2))).reduce((s, t) => s + t, 1);
      expectWithin(`multigammaln p = ${p}`, await y.data(), av.map(ref), (i) => 2e-6 * scale(av[i]), (i) => `${av[i]}`);
      tm.tidy(() => tm.where(tm.isNaN(y), 0, y).sum()).backward();
      const dref = (v: number) => (v <= (p - 1) / 2 ? 0 : Array.from({ length: p }, (_, j) => digammaRef(v - j / 2)).reduce((s, t) => s + t, 0));
      expectWithin(`multigammaln′ p = ${p}`, await a.grad!.data(), av.map(dref), (i, w) => 1e-5 * (Math.abs(w) + 1), (i) => `${av[i]}`);
      a.dispose();
    }
    expect(() => tm.special.multigammaln(tm.tensor([3]), 0)).toThrow(/multigammaln: p must be an integer ≥ 1, got 0/);
    expect(() => tm.special.multigammaln(tm.tensor([3]), 1.5)).toThrow(/got 1.5/);
  });

  it('leave no tensors behind, forward and backward', async () => {
    const x = tm.tensor([0.5, 3, 20]);
    x.requiresGrad = true;
    const before = await collected();
    tm.tidy(() => tm.special.gammainc(2, x).add(tm.special.gammaincc(tm.tensor([1, 5, 30]), x)).add(tm.special.multigammaln(x.add(2), 3)).sum().backward());
    x.grad!.dispose();
    expect(await collected()).toBe(before);
    x.dispose();
  });
});
