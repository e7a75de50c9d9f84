// NumPy's polynomial helpers on every backend, coefficients highest power
// first: polyval against Horner's scheme in float64 (batches of polynomials
// broadcast against x, gradients in p and x); polyfit recovering a
// polynomial exactly and matching a float64 weighted least-squares fit;
// roots of polynomials built from known real and complex roots; poly back
// from roots; polyder and polyint as NumPy defines them; bad input refused.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { SEED, asF32, expectClose, uniform } from '../helpers/data.js';
import { householderQr } from '../helpers/linalg.js';

/** p(x) in float64 by Horner's scheme. */
function horner(p: ArrayLike<number>, x: number): number {
  let y = 0;
  for (let k = 0; k < p.length; k++) y = y * x + p[k];
  return y;
}

/** The coefficients of Π(x − rᵢ) for complex roots [re, im] in float64: [re, im] each. */
function fromRoots(r: [number, number][]): [number, number][] {
  let c: [number, number][] = [[1, 0]];
  for (const [a, b] of r) {
    const next: [number, number][] = [...c, [0, 0]];
    for (let k = 0; k < c.length; k++) {
      next[k + 1] = [next[k + 1][0] - (a * c[k][0] - b * c[k][1]), next[k + 1][1] - (a * c[k][1] + b * c[k][0])];
    }
    c = next;
  }
  return c;
}

describe.each(BACKENDS)('polynomials on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each([1, 2, 6, 10])('polyval with %i coefficients: Horner in float64, a batch of polynomials broadcast against x', async (n) => {
    const p = asF32(uniform(2 * n, -1, 1));
    const x = asF32(uniform(5, -1.5, 1.5));
    const got = await tm.polyval(tm.tensor(Float32Array.from(p), [2, n]), tm.tensor(Float32Array.from(x), [5, 1])).data();
    const want = Float64Array.from({ length: 10 }, (_, e) => horner(p.subarray((e % 2) * n, (e % 2 + 1) * n), x[Math.floor(e / 2)]));
    const scale = want.map((_, e) => horner(Array.from(p.subarray((e % 2) * n, (e % 2 + 1) * n), Math.abs), Math.abs(x[Math.floor(e / 2)])));
    expectClose(got, want, 1e-6, `polyval, ${n} coefficients`, scale);
    expect(await tm.polyval([3], tm.zeros([2, 2])).array()).toEqual([[3, 3], [3, 3]]);
    expect(await tm.polyval([1, 0, -2], tm.tensor(new Int32Array([2, 3]), [2])).array()).toEqual([2, 7]);
  });

  it('polyval\'s gradients: p′(x) to x and the powers of x to p', async () => {
    const p = tm.tensor([0.5, -2, 1, 3]);
    const x = tm.tensor([-1.25, 0.5, 2]);
    p.requiresGrad = true;
    x.requiresGrad = true;
    tm.polyval(p, x).sum().backward();
    const xs = [-1.25, 0.5, 2];
    expectClose(await x.grad!.data(), xs.map((v) => horner([1.5, -4, 1], v)), 1e-6, 'dy/dx');
    expectClose(await p.grad!.data(), [3, 2, 1, 0].map((k) => xs.reduce((s, v) => s + v ** k, 0)), 1e-6, 'dy/dp');
  });

  it('polyfit recovers a polynomial exactly, fits k sets of points at once, and weighted matches float64 least squares', async () => {
    const x = tm.linspace(-2, 3, 17);
    const truth = [0.25, -1, 0.5, 2];
    const y = tm.polyval(truth, x);
    expectClose(await tm.polyfit(x, y, 3).data(), truth, 2e-4, 'exact cubic', truth.map(() => 2));
    // k sets of points: [k, deg + 1], coefficients along the last axis, so polyval evaluates all k at once.
    const fits = tm.polyfit(x, tm.stack([y, tm.mul(y, -3)], 1), 3);
    expect(fits.shape).toEqual([2, 4]);
    expectClose(await fits.data(), [...truth, ...truth.map((c) => -3 * c)], 2e-4, 'two columns', [...truth.map(() => 2), ...truth.map(() => 6)]);
    expectClose(await tm.polyval(fits, tm.reshape(x, [17, 1])).data(), await tm.stack([y, tm.mul(y, -3)], 1).data(), 1e-4, 'polyval(polyfit(x, Y), x)', new Array(34).fill(20));
    // f16 points: the solve is in f32 with f32's rcond, so an exact quartic is still found.
    const xh = tm.linspace(-1, 1, 200).cast('f16');
    const quartic = [1, -2, 3, -1, 0.5];
    expectClose(await tm.polyfit(xh, tm.polyval(quartic, xh.cast('f32')), 4).data(), quartic, 2e-2, 'a quartic at f16 points');
    // A degree past what the points need: the extra coefficient comes out ~0.
    expectClose(await tm.polyfit(x, y, 4).data(), [0, ...truth], 2e-3, 'quartic through a cubic', [1, 2, 2, 2, 2]);

    const m = 23;
    const xs = asF32(uniform(m, -1, 1));
    const ys = asF32(uniform(m, -1, 1));
    const ws = asF32(uniform(m, 0.5, 2));
    const got = await tm.polyfit(tm.tensor(Float32Array.from(xs)), tm.tensor(Float32Array.from(ys)), 2, { w: tm.tensor(Float32Array.from(ws)) }).data();
    // Weighted least squares in float64: R·c = Qᵀ·(w·y) for W·V = Q·R.
    const v = Float64Array.from({ length: m * 3 }, (_, e) => ws[Math.floor(e / 3)] * xs[Math.floor(e / 3)] ** (2 - (e % 3)));
    const { q, r } = householderQr(v, m, 3);
    const qty = [0, 1, 2].map((j) => Array.from({ length: m }, (_, i) => q[i * 3 + j] * ws[i] * ys[i]).reduce((s, t) => s + t, 0));
    const c = [0, 0, 0];
    for (let i = 2; i >= 0; i--) c[i] = (qty[i] - [0, 1, 2].slice(i + 1).reduce((s, j) => s + r[i * 3 + j] * c[j], 0)) / r[i * 4];
    expectClose(got, c, 2e-4, `weighted fit (seed ${SEED})`, c.map(() => 1));
  });

  it('roots of polynomials built from known roots, real and complex, in a batch; a trailing zero gives a root at 0', async () => {
    const cases: [number, number][][] = [
      [[1, 0], [-2, 0], [3.5, 0]],
      [[0.5, 1.25], [0.5, -1.25], [-1, 0]],
      [[2, 0.5], [2, -0.5], [0, 0]],
    ];
    const p = tm.tensor(Float32Array.from(cases.flatMap((r) => fromRoots(r).map(([re]) => re))), [3, 4]);
    const got = await tm.roots(p).data();
    cases.forEach((want, b) => {
      const mine = [0, 1, 2].map((k) => [got[(b * 3 + k) * 2], got[(b * 3 + k) * 2 + 1]]);
      for (const [wr, wi] of want) {
        const nearest = Math.min(...mine.map(([gr, gi]) => Math.hypot(gr - wr, gi - wi)));
        expect(nearest, `polynomial ${b}: root ${wr} + ${wi}i (seed ${SEED})`).toBeLessThan(1e-4 * (1 + Math.hypot(wr, wi)));
      }
    });
    expect((await tm.roots([5]).array())).toEqual([]);
    expect(tm.roots(tm.zeros([2, 1])).shape).toEqual([2, 0, 2]);
    expectClose(await tm.roots([2, -3]).data(), [1.5, 0], 1e-6, 'a line\'s root');
    expect(Array.from(await tm.roots([0, 1, 1]).data()).some((v) => !Number.isFinite(v)), 'a leading 0').toBe(true);
  });

  it('poly: the monic polynomial from real roots, and from complex roots (conjugate pairs: real coefficients)', async () => {
    expectClose(await tm.poly(tm.tensor([1, -2, 3.5])).data(), fromRoots([[1, 0], [-2, 0], [3.5, 0]]).map(([re]) => re), 1e-6, 'real roots');
    const pairs: [number, number][] = [[0.5, 1.25], [0.5, -1.25], [-1, 0]];
    expectClose(await tm.poly(tm.tensor(pairs), { complex: true }).data(), fromRoots(pairs).flat(), 1e-6, 'complex roots');
    expect(await tm.poly(tm.zeros([2, 0])).array()).toEqual([[1], [1]]);
    const r = tm.tensor([0.5, -1.5, 2.25, 3]);
    const back = await tm.roots(tm.poly(r)).data();
    expectClose(Array.from({ length: 4 }, (_, k) => back[2 * k]).sort((a, b) => a - b), [-1.5, 0.5, 2.25, 3], 1e-4, 'roots(poly(r))');
  });

  it('polyder and polyint as NumPy\'s: a derivative past the degree is [0] (np.poly1d\'s), integration constants k', async () => {
    const p = tm.tensor([2, -3, 0, 5]);
    expect(await tm.polyder(p).array()).toEqual([6, -6, 0]);
    expect(await tm.polyder(p, 2).array()).toEqual([12, -6]);
    expect(await tm.polyder(p, 7).array()).toEqual([0]);
    expect(await tm.polyder(p, 0).array()).toEqual([2, -3, 0, 5]);
    expectClose(await tm.polyint(p).data(), [0.5, -1, 0, 5, 0], 1e-7, 'polyint');
    expectClose(await tm.polyint([1, 2], 2, 3).data(), [1 / 6, 1, 3, 3], 1e-7, 'polyint twice, k = 3');
    expectClose(await tm.polyder(tm.polyint(tm.tensor([[1, 2, 3], [4, 5, 6]]))).data(), [1, 2, 3, 4, 5, 6], 1e-6, 'polyder(polyint(p)) = p, batched');
  });

  it('reads int coefficients as f32, gives a view for m = 0, and leaves nothing behind when handed numbers', async () => {
    expectClose(await tm.roots(tm.tensor(new Int32Array([1, -3, 2]), [3])).data(), [2, 0, 1, 0], 1e-6, 'roots of int coefficients');
    const p = tm.tensor([1, 2, 3]);
    tm.polyder(p, 0).dispose();
    tm.polyint(p, 0).dispose();
    expect(await p.array()).toEqual([1, 2, 3]);
    const x = tm.tensor([0.5, 2]);
    const before = tm.memory().numTensors;
    for (const f of [() => tm.polyval([1, 2], x), () => tm.roots([1, 2]), () => tm.polyder([1, 2]), () => tm.polyint([1, 2])]) f().dispose();
    expect(tm.memory().numTensors).toBe(before);
  });

  it('refuses what is not coefficients, points or a degree, naming it', () => {
    expect(() => tm.polyval(tm.scalar(2), tm.zeros([3]))).toThrow(/polyval: p must hold coefficients/);
    expect(() => tm.roots(tm.zeros([2, 0]))).toThrow(/roots: p \[2,0\] has no coefficients/);
    expect(() => tm.polyfit(tm.zeros([4]), tm.zeros([5]), 1)).toThrow(/polyfit: y \[5\] must be \[4\] or \[4, k\]/);
    expect(() => tm.polyfit(tm.zeros([4]), tm.zeros([4]), -1)).toThrow(/polyfit: deg must be a non-negative integer/);
    expect(() => tm.polyfit(tm.zeros([4]), tm.zeros([4]), 1, { w: tm.zeros([3]) })).toThrow(/polyfit: w \[3\] must be \[4\]/);
    expect(() => tm.polyder([1, 2], 1.5)).toThrow(/polyder: m must be/);
    expect(() => tm.poly(tm.zeros([3]), { complex: true })).toThrow(/poly: r \[3\]/);
  });
});
