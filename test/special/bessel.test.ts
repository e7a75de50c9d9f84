// tm.special.i0e, i1e and sphericalBesselJ0 on every backend against float64
// references: e^−|x|·Iₙ(x) from test/helpers/special.ts (power series and
// trapezoid rule); sin(x)/x in doubles. With PyTorch's edges and gradients against
// central differences.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { uniform } from '../helpers/data.js';
import { collected } from '../helpers/gc.js';
import { scaledBesselIRef } from '../helpers/special.js';
import { SHAPES, ULP, centralDifference, checkShapeAndDTypes, expectEdges, expectWithin, logSpace, symmetric } from '../helpers/special_functions.js';

const i0eRef = (x: number) => scaledBesselIRef(0, x);
const i1eRef = (x: number) => scaledBesselIRef(1, x);
const j0Ref = (x: number) => (Number.isNaN(x) ? x : Math.abs(x) === Infinity ? 0 : x === 0 ? 1 : Math.sin(x) / x);
/** i0 and i1's own error, and e^−|x|'s up to the seam at 12. */
const scaledBound = (x: number, want: number) => Math.abs(want) * (2e-6 + ULP * Math.min(Math.abs(x), 12));

describe.each(BACKENDS)('tm.special Bessel functions on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it.each([['i0e', 0], ['i1e', 1]] as const)('%s: relative from 1e-30 to 1e30, both sides, through the seam at 12 (and past 91.9, where Iₙ overflows)', async (name, n) => {
    const x = new Float32Array([...symmetric(logSpace(1e-30, 1e4, 501)), ...symmetric([2e5, 1e6, 1e10, 1e30]), ...uniform(1001, -120, 120), 11.999999, 12, 12.000001, -12, 91.9, 92]);
    const op = n === 0 ? tm.special.i0e : tm.special.i1e;
    const got = await op(tm.tensor(x, [x.length])).data();
    expectWithin(name, got, Array.from(x, (v) => scaledBesselIRef(n, v)), (i, w) => scaledBound(x[i], w), (i) => `${x[i]}`);
  });

  it('sphericalBesselJ0: sin(x)/x relative to itself (to 1/|x| near its zeros kπ), its Taylor series below ½', async () => {
    const zeros = Array.from({ length: 12 }, (_, k) => (k + 1) * Math.PI).flatMap((c) => [c, c + 1e-4, c - 1e-4]);
    const x = new Float32Array([...symmetric(logSpace(1e-30, 1e4, 601)), ...uniform(2001, -50, 50), ...symmetric(zeros), 0.4999999, 0.5, 0.5000001]);
    const got = await tm.special.sphericalBesselJ0(tm.tensor(x, [x.length])).data();
    expectWithin('sphericalBesselJ0', got, Array.from(x, j0Ref), (i, w) => 2e-6 * Math.abs(w) + ULP / Math.abs(x[i]), (i) => `${x[i]}`);
  });

  it('the edges as PyTorch\'s: i0e 1 at 0 and 0 at ±∞, i1e ±0 at ±0 and ±∞, j₀ 1 at 0 and 0 at ±∞', async () => {
    const cases: [(t: tm.Tensor) => tm.Tensor, string, [number, number][]][] = [
      [tm.special.i0e, 'i0e', [[0, 1], [-0, 1], [Infinity, 0], [-Infinity, 0], [NaN, NaN]]],
      [tm.special.i1e, 'i1e', [[0, 0], [-0, -0], [Infinity, 0], [-Infinity, -0], [NaN, NaN]]],
      [tm.special.sphericalBesselJ0, 'sphericalBesselJ0', [[0, 1], [-0, 1], [Infinity, 0], [-Infinity, 0], [NaN, NaN], [1e-30, 1]]],
    ];
    for (const [op, name, edges] of cases) {
      const got = await op(tm.tensor(edges.map(([x]) => x))).data();
      expectEdges(name, got, edges.map(([, w]) => w), (i) => `${edges[i][0]}`);
      edges.forEach(([x, w], i) => {
        if (w === 0 && !Object.is(got[i], w)) expect.fail(`${name}(${x}): got ${got[i]}, want ${Object.is(w, -0) ? '-0' : '0'} (its sign)`);
      });
    }
  });

  it.each(SHAPES.map((s) => [s]))('at shape %j, from f16 (rounded once) and from ints', async (shape) => {
    await checkShapeAndDTypes('i0e', tm.special.i0e, i0eRef, shape, -30, 30, [1, 2, -3, 0, 40]);
    await checkShapeAndDTypes('i1e', tm.special.i1e, i1eRef, shape, -30, 30, [1, 2, -3, 0, 40]);
    await checkShapeAndDTypes('sphericalBesselJ0', tm.special.sphericalBesselJ0, j0Ref, shape, -3, 3, [1, 2, -3, 0]);
  });

  it('gradients against central differences: i1e − sign·i0e, i0e − i1e·(sign + 1/x) (½ at 0), (x cos x − sin x)/x²', async () => {
    const cases: [string, (t: tm.Tensor) => tm.Tensor, (x: number) => number, number[]][] = [
      ['i0e', tm.special.i0e, i0eRef, [-20, -3, -0.5, 0.5, 2, 11.9, 12.5, 50]],
      ['i1e', tm.special.i1e, i1eRef, [-20, -3, 0, 0.5, 2, 11.9, 12.5, 50]],
      ['sphericalBesselJ0', tm.special.sphericalBesselJ0, j0Ref, [-7, -0.7, 0, 0.3, 0.5, 2, 40]],
    ];
    for (const [name, op, ref, values] of cases) {
      const x = tm.tensor(values);
      x.requiresGrad = true;
      const weights = uniform(values.length, 0.5, 2);
      tm.tidy(() => op(x).mul(tm.tensor(weights)).sum()).backward();
      const xs = Array.from(new Float32Array(values));
      expectWithin(`${name}′`, await x.grad!.data(), xs.map((v, i) => weights[i] * centralDifference(ref, v)), (_i, w) => 1e-5 * Math.abs(w) + 1e-7, (i) => `${xs[i]}`);
      x.dispose();
    }
  });

  it('leave no tensors behind, forward and backward', async () => {
    const x = tm.tensor([-15, 0, 0.2, 3]);
    x.requiresGrad = true;
    const before = await collected();
    tm.tidy(() => tm.special.i0e(x).add(tm.special.i1e(x)).add(tm.special.sphericalBesselJ0(x)).sum().backward());
    x.grad!.dispose();
    expect(await collected()).toBe(before);
    x.dispose();
  });
});
