// tm.special.zeta (Hurwitz's ζ(x, q)) on every backend against a float64
// reference written here: 2000 terms summed one by one, the rest by the
// integral and two Euler–Maclaurin corrections (below 1e-20 relative there),
// not the library's 12 terms and Bernoulli numbers to B₁₆. Within f32's error
// of the powers (q + k)⁻ˣ, x·log(q + k) rounded, relative to the result.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { uniform } from '../helpers/data.js';
import { collected } from '../helpers/gc.js';
import { SHAPES, ULP, centralDifference, checkShapeAndDTypes, expectEdges, expectWithin, logSpace } from '../helpers/special_functions.js';

function zetaRef(x: number, q: number): number {
  const N = 2000;
  let sum = 0;
  for (let k = N - 1; k >= 0; k--) sum += (q + k) ** -x;
  const z = q + N;
  return sum + z ** (1 - x) / (x - 1) + z ** -x / 2 + (x * z ** (-x - 1)) / 12 - (x * (x + 1) * (x + 2) * z ** (-x - 3)) / 720;
}

/** Relative to the result, plus a subnormal step for each of the 12 terms rounded to f32's subnormals where they are there. */
const bound = (x: number, q: number, want: number) => Math.abs(want) * (2e-6 + ULP * x * (Math.abs(Math.log(q)) + 3)) + 12 * 2 ** -149;

describe.each(BACKENDS)('tm.special.zeta on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it('relative to itself for x from just past 1 to 80 and q from 1e-3 to 1e4 (ζ(x, 1) Riemann\'s)', async () => {
    const xs: number[] = [];
    const qs: number[] = [];
    const xValues = [1 + 2 ** -20, 1.001, 1.01, 1.1, 1.5, 2, 2.5, 3, 4, 6, 10, 20, 40, 80, ...uniform(20, 1.05, 30)];
    for (const x of xValues) {
      for (const q of [...logSpace(1e-3, 1e4, 25), 1, 2, 0.5, ...uniform(10, 0, 20)]) {
        xs.push(Math.fround(x));
        qs.push(Math.fround(q) || 0.25);
      }
    }
    const got = await tm.special.zeta(tm.tensor(xs), tm.tensor(qs)).data();
    expectWithin('zeta', got, xs.map((x, i) => zetaRef(x, qs[i])), (i, w) => bound(xs[i], qs[i], w), (i) => `${xs[i]}, ${qs[i]}`);
    const riemann = await tm.special.zeta(tm.tensor([2, 4, 3]), 1).data();
    expectWithin('ζ(2), ζ(4), Apéry\'s ζ(3)', riemann, [Math.PI ** 2 / 6, Math.PI ** 4 / 90, 1.2020569031595942], (_i, w) => 2e-7 * w, (i) => `${i}`);
  });

  it('the edges as PyTorch\'s (Cephes\'): ∞ at x = 1 and at the poles q = 0, −1, …; NaN for x < 1; NaN at other q < 0 (see its doc)', async () => {
    // [x, q, ζ]
    const edges: [number, number, number][] = [
      [1, 1, Infinity], [1, -1, Infinity], [0.5, 1, NaN], [-2, 1, NaN], [2, 0, Infinity], [2, -1, Infinity], [3, -4, Infinity], [2.5, -1.5, NaN], [2, -1.5, NaN],
      [NaN, 1, NaN], [2, NaN, NaN], [Infinity, 2, 0], [2, Infinity, 0], [1, Infinity, Infinity],
    ];
    const got = await tm.special.zeta(tm.tensor(edges.map((e) => e[0])), tm.tensor(edges.map((e) => e[1]))).data();
    expectEdges('zeta', got, edges.map((e) => e[2]), (i) => `${edges[i][0]}, ${edges[i][1]}`);
  });

  it.each(SHAPES.map((s) => [s]))('at shape %j, either argument a number, from f16 (rounded once) and from ints', async (shape) => {
    await checkShapeAndDTypes('zeta(x, 1.5)', (t) => tm.special.zeta(t, 1.5), (x) => zetaRef(x, 1.5), shape, 1.5, 12, [2, 3, 5]);
    await checkShapeAndDTypes('zeta(3, q)', (t) => tm.special.zeta(3, t), (q) => zetaRef(3, q), shape, 0.1, 30, [1, 2, 7]);
  });

  it('gradient with respect to q: −x·ζ(x + 1, q), against central differences, broadcast; none with respect to x (backward says so)', async () => {
    const qv = [0.05, 0.7, 1, 3.5, 40];
    const q = tm.tensor(qv);
    q.requiresGrad = true;
    const xv = [1.5, 2, 7];
    tm.tidy(() => tm.special.zeta(tm.tensor(xv, [3, 1]), q).sum()).backward();
    const want = qv.map((v) => xv.reduce((s, x) => s + centralDifference((t) => zetaRef(x, t), Math.fround(v)), 0));
    expectWithin('d/dq', await q.grad!.data(), want, (_i, w) => 1e-5 * Math.abs(w), (i) => `${qv[i]}`);
    q.dispose();
    const x = tm.tensor([2, 3]);
    x.requiresGrad = true;
    const y = tm.special.zeta(x, 1);
    expect(() => y.sum().backward()).toThrow(/zeta: no gradient with respect to x/);
    x.dispose();
    expect(() => tm.special.zeta(tm.tensor([2, 3]), tm.tensor([1, 2, 3]))).toThrow(/zeta: shapes \[2\] and \[3\] cannot be broadcast/);
    expect(() => tm.special.zeta(tm.tensor([2]), null as unknown as number)).toThrow(/zeta: q must be a Tensor or a number, got null/);
  });

  it('leaves no tensors behind, forward and backward', async () => {
    const q = tm.tensor([0.5, 2, 9]);
    q.requiresGrad = true;
    const before = await collected();
    tm.tidy(() => tm.special.zeta(tm.tensor([2, 3, 4]), q).sum().backward());
    q.grad!.dispose();
    expect(await collected()).toBe(before);
    q.dispose();
  });
});
