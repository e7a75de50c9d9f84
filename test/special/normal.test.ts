// tm.special.ndtr, logNdtr and ndtri on every backend against float64
// references written here (erfc's continued fraction for Φ, Laplace's
// continued fraction for the Mills ratio in log Φ's left tail, bisection on
// log Φ for the quantile): within f32's error plus what rounding x costs
// (Φ's relative error from x's last bit grows as x² in the tails), the
// edges as PyTorch's, and the gradients against float64 derivatives.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { uniform } from '../helpers/data.js';
import { collected } from '../helpers/gc.js';
import { erfcRef } from '../helpers/special.js';
import { SHAPES, ULP, centralDifference, checkShapeAndDTypes, expectEdges, expectWithin, logSpace, symmetric } from '../helpers/special_functions.js';

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

function ndtrRef(x: number): number {
  return x < 0 ? erfcRef(-x / Math.SQRT2) / 2 : 1 - erfcRef(x / Math.SQRT2) / 2;
}

/** Φ(−z)/φ(z) = 1/(z + 1/(z + 2/(z + 3/(…)))) for z > 0, 3000 levels from the bottom (converged to a double from z = 3). */
function millsRatio(z: number): number {
  let t = z;
  for (let n = 3000; n >= 1; n--) t = z + n / t;
  return 1 / t;
}

function logNdtrRef(x: number): number {
  if (Number.isNaN(x)) return x;
  if (x === -Infinity) return -Infinity;
  if (x < -3) return -x * x / 2 - HALF_LOG_2PI + Math.log(millsRatio(-x));
  return x <= 0 ? Math.log(ndtrRef(x)) : Math.log1p(-erfcRef(x / Math.SQRT2) / 2);
}

/** Φ⁻¹(p): bisection on log Φ = log p over [−40, 0] to the double next to it; the upper half by symmetry (1 − p is exact for an f32 p). */
function ndtriRef(p: number): number {
  if (!(p >= 0 && p <= 1)) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p > 0.5) return -ndtriRef(1 - p);
  const target = Math.log(p);
  let lo = -40;
  let hi = 0;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (mid === lo || mid === hi) break;
    if (logNdtrRef(mid) < target) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

const f32 = (xs: number[]) => new Float32Array(xs);

describe.each(BACKENDS)('tm.special normal functions on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it('ndtr: relative to itself in both tails, to where Φ leaves the subnormals (−14.1), within x²·ulp of the rounding', async () => {
    const x = f32([...symmetric(logSpace(1e-30, 14.2, 601)), ...uniform(2001, -15, 9), -1, 1, 5.5]);
    const got = await tm.special.ndtr(tm.tensor(x, [x.length])).data();
    expectWithin('ndtr', got, Array.from(x, ndtrRef), (i, w) => Math.abs(w) * (1e-6 + ULP * x[i] ** 2), (i) => `${x[i]}`);
  });

  it('logNdtr: relative from −1e18 (where log Φ ≈ −x²/2) through the seams at −8 and −1 to where it is −Φ(−x) near 0', async () => {
    const x = f32([...symmetric(logSpace(1e-30, 1e18, 801)), ...uniform(2001, -40, 16), -8.000001, -8, -7.999999, -1.0000001, -1, -0.9999999]);
    const got = await tm.special.logNdtr(tm.tensor(x, [x.length])).data();
    expectWithin('logNdtr', got, Array.from(x, logNdtrRef), (i, w) => 1e-6 * Math.abs(w) + (1e-6 + ULP * x[i] ** 2) * Math.min(1, Math.abs(w)), (i) => `${x[i]}`);
  });

  it('ndtri: relative from f32\'s smallest subnormal p to the last f32 below 1, through the seam at ¼', async () => {
    const p = f32([...logSpace(1.4e-45, 0.5, 801), ...logSpace(5.96e-8, 0.5, 401).map((d) => 1 - d), ...uniform(2001, 0, 1), 0.25, 0.24999999, 0.25000003, 0.5]);
    const got = await tm.special.ndtri(tm.tensor(p, [p.length])).data();
    expectWithin('ndtri', got, Array.from(p, ndtriRef), (_i, w) => 2e-6 * Math.abs(w) + 1e-15, (i) => `${p[i]}`);
  });

  it('the edges as PyTorch\'s: ±∞, NaN, the ends of [0, 1] and outside it', async () => {
    const cases: [(t: tm.Tensor) => tm.Tensor, string, [number, number][]][] = [
      [tm.special.ndtr, 'ndtr', [[-Infinity, 0], [Infinity, 1], [NaN, NaN], [0, 0.5], [-0, 0.5], [-20, 0], [20, 1]]],
      [tm.special.logNdtr, 'logNdtr', [[-Infinity, -Infinity], [Infinity, 0], [NaN, NaN], [0, -Math.LN2], [1e20, 0], [-1e20, -Infinity]]],
      [tm.special.ndtri, 'ndtri', [[0, -Infinity], [-0, -Infinity], [1, Infinity], [-0.1, NaN], [1.1, NaN], [Infinity, NaN], [NaN, NaN], [0.5, 0]]],
    ];
    for (const [op, name, edges] of cases) {
      const got = await op(tm.tensor(edges.map(([x]) => x))).data();
      expectEdges(name, got, edges.map(([, w]) => w), (i) => `${edges[i][0]}`);
    }
  });

  it.each(SHAPES.map((s) => [s]))('at shape %j, from f16 (rounded once) and from ints', async (shape) => {
    await checkShapeAndDTypes('ndtr', tm.special.ndtr, ndtrRef, shape, -6, 6, [1, 2, -3, 0, -1]);
    await checkShapeAndDTypes('logNdtr', tm.special.logNdtr, logNdtrRef, shape, -20, 6, [1, 2, -3, 0, -13]);
    await checkShapeAndDTypes('ndtri', tm.special.ndtri, ndtriRef, shape, 0.001, 0.999, [0, 1, 1]);
  });

  it('gradients: φ(x), φ(x)/Φ(x) (≈ −x far left, not 0/0; by central differences) and 1/φ(Φ⁻¹(p)), against float64', async () => {
    const cases: [string, (t: tm.Tensor) => tm.Tensor, (x: number) => number, number[], (x: number) => number][] = [
      ['ndtr', tm.special.ndtr, (x) => Math.exp(-x * x / 2 - HALF_LOG_2PI), [-10, -3, -1, 0, 0.5, 2, 6], (x) => 1e-5 + ULP * x * x],
      ['logNdtr', tm.special.logNdtr, (x) => centralDifference(logNdtrRef, x), [-1000, -50, -8.5, -7.5, -5, -1, -0.5, 0, 3, 8], (x) => 1e-5 + ULP * Math.min(x * x, 200)],
      ['ndtri', tm.special.ndtri, (p) => Math.sqrt(2 * Math.PI) * Math.exp(ndtriRef(p) ** 2 / 2), [1e-30, 1e-6, 0.01, 0.2, 0.25, 0.5, 0.9, 0.999999], (p) => 1e-5 + 4 * ULP * ndtriRef(p) ** 2],
    ];
    for (const [name, op, derivative, values, tol] of cases) {
      const x = tm.tensor(values);
      x.requiresGrad = true;
      const weights = uniform(values.length, 0.5, 2);
      tm.tidy(() => op(x).mul(tm.tensor(weights)).sum()).backward();
      const xs = Array.from(f32(values));
      expectWithin(`${name}'`, await x.grad!.data(), xs.map((v, i) => weights[i] * derivative(v)), (i, w) => Math.abs(w) * tol(xs[i]), (i) => `${xs[i]}`);
      x.dispose();
    }
  });

  it('differentiate twice: logNdtr through all three pieces\' ops, ndtri through its gradient\'s', async () => {
    const values = [-30, -8.5, -5, -2, 0.5];
    const x = tm.tensor(values);
    x.requiresGrad = true;
    const [g] = tm.grad(tm.tidy(() => tm.special.logNdtr(x).sum()), [x], { createGraph: true });
    const [h] = tm.grad(tm.tidy(() => g.sum()), [x]);
    // (log Φ)″ = −m(m + x), m = φ/Φ.
    const m = values.map((v) => Math.exp(-v * v / 2 - HALF_LOG_2PI - logNdtrRef(v)));
    expectWithin('logNdtr″', await h.data(), m.map((mv, i) => -mv * (mv + values[i])), (_i, w) => 1e-4 * Math.abs(w), (i) => `${values[i]}`);
    for (const t of [g, h, x]) t.dispose();
    // ndtri's gradient is ops of its value: its own gradient, x·(x′)² = 2π·x·e^(x²), goes through ndtri's again.
    const pv = [1e-5, 0.1, 0.7];
    const p = tm.tensor(pv);
    p.requiresGrad = true;
    const [gp] = tm.grad(tm.tidy(() => tm.special.ndtri(p).sum()), [p], { createGraph: true });
    const [hp] = tm.grad(tm.tidy(() => gp.sum()), [p]);
    const q = pv.map((v) => ndtriRef(Math.fround(v)));
    expectWithin('ndtri″', await hp.data(), q.map((v) => 2 * Math.PI * v * Math.exp(v * v)), (i, w) => Math.abs(w) * (1e-5 + 4 * ULP * q[i] ** 2), (i) => `${pv[i]}`);
    for (const t of [gp, hp, p]) t.dispose();
  });

  it('leave no tensors behind, forward and backward', async () => {
    const x = tm.tensor([-30, -2, 0.5]);
    const p = tm.tensor([0.01, 0.3, 0.9]);
    x.requiresGrad = true;
    p.requiresGrad = true;
    const before = await collected();
    tm.tidy(() => tm.special.ndtr(x).add(tm.special.logNdtr(x)).add(tm.special.ndtri(p)).sum().backward());
    x.grad!.dispose();
    p.grad!.dispose();
    expect(await collected()).toBe(before);
    x.dispose();
    p.dispose();
  });
});
