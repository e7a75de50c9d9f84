// tm.special.airyAi on every backend against float64 references written
// here: the Maclaurin series on [−8, 4] (its terms reach e^ζ, ~3e6 at −8,
// so ~1e-9 absolute); past 4, Ai(x) = (1/π)·√(x/3)·K_{1/3}(ζ) with K_ν(z) =
// ∫₀^∞ e^(−z cosh t)·cosh(νt) dt by the trapezoid rule (exact to a double:
// the integrand is analytic and falls doubly exponentially); below −8,
// Ai(−x) = (√x/3)·(J_{1/3}(ζ) + J_{−1/3}(ζ)) with J_ν from its integral
// (1/π)∫₀^π cos(νθ − z sin θ) dθ − (sin νπ/π)∫₀^∞ e^(−z sinh t − νt) dt by
// Simpson's rule, 200 points per unit of z. Relative where Ai decays (x > 0),
// absolute to its envelope where it oscillates; PyTorch's values at a few
// points; gradients against central differences.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { uniform } from '../helpers/data.js';
import { collected } from '../helpers/gc.js';
import { SHAPES, centralDifference, checkShapeAndDTypes, expectEdges, expectWithin } from '../helpers/special_functions.js';

/** Ai(0) and −Ai′(0). */
const C1 = 0.355028053887817239;
const C2 = 0.258819403792806798;

/** Ai(x) = C1·f(x) − C2·g(x), f and g the Maclaurin series of DLMF 9.4.1. */
function maclaurin(x: number): number {
  const cube = x * x * x;
  let [f, g] = [1, x];
  let [tf, tg] = [1, x];
  for (let k = 1; k < 120; k++) {
    tf *= cube / ((3 * k - 1) * (3 * k));
    tg *= cube / ((3 * k) * (3 * k + 1));
    f += tf;
    g += tg;
    if (Math.abs(tf) + Math.abs(tg) < 1e-17 * (Math.abs(f) + Math.abs(g))) break;
  }
  return C1 * f - C2 * g;
}

/** Simpson's rule for f on [a, b] with m (even) intervals. */
function simpson(f: (t: number) => number, a: number, b: number, m: number): number {
  const h = (b - a) / m;
  let sum = f(a) + f(b);
  for (let j = 1; j < m; j++) sum += (j % 2 ? 4 : 2) * f(a + j * h);
  return (sum * h) / 3;
}

/** K_ν(z) = ∫₀^∞ e^(−z cosh t)·cosh(νt) dt (DLMF 10.32.9), the trapezoid rule to where the integrand is below 1e-300 of its start. */
function besselK(nu: number, z: number): number {
  const end = Math.acosh(1 + 700 / z);
  const steps = 4000;
  const h = end / steps;
  let sum = 0.5 * Math.exp(-z);
  for (let j = 1; j <= steps; j++) sum += Math.exp(-z * Math.cosh(j * h)) * Math.cosh(nu * j * h);
  return sum * h;
}

/** J_ν(z) for non-integer ν (DLMF 10.9.6). */
function besselJ(nu: number, z: number): number {
  const oscillating = simpson((t) => Math.cos(nu * t - z * Math.sin(t)), 0, Math.PI, 2 * Math.ceil(100 * z + 1000)) / Math.PI;
  const end = Math.asinh(745 / z);
  const tail = simpson((t) => Math.exp(-z * Math.sinh(t) - nu * t), 0, end, 20000);
  return oscillating - (Math.sin(nu * Math.PI) / Math.PI) * tail;
}

function airyRef(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (Math.abs(x) === Infinity) return 0;
  if (x >= -8 && x <= 4) return maclaurin(x);
  const magnitude = Math.abs(x);
  const zeta = (2 / 3) * magnitude ** 1.5;
  if (x > 0) return (Math.sqrt(x / 3) / Math.PI) * besselK(1 / 3, zeta);
  return (Math.sqrt(magnitude) / 3) * (besselJ(1 / 3, zeta) + besselJ(-1 / 3, zeta));
}

/** The size Ai swings to at x: its envelope π^−½·|x|^−¼ where it oscillates, about 0.36–0.54 near 0. */
const envelope = (x: number) => (x < -1 ? Math.abs(x) ** -0.25 / Math.sqrt(Math.PI) : 0.54);
/** Where Ai oscillates, f32's phase ζ costs ~|ζ|·2⁻²³ of the envelope; where it decays, ζ's rounding costs ζ·2⁻²³ relative. */
const bound = (x: number, want: number) => {
  const zeta = (2 / 3) * Math.abs(x) ** 1.5;
  if (x > 0) return (2e-6 + 3 * zeta * 2 ** -23) * Math.abs(want) + 2e-7 * Math.exp(-zeta);
  return 2e-6 * Math.abs(want) + (3e-7 + 3 * zeta * 2 ** -23) * envelope(x);
};

describe.each(BACKENDS)('tm.special.airyAi on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it('from −1000 to 30: through the seams at −8, −4, 0, 2 and 8, near the zeros, and into the subnormals past 20', async () => {
    const zeros = [-2.338107410459767, -4.087949444130971, -5.520559828095551, -6.786708090071759, -7.944133587120853, -9.02265085334098];
    const x = new Float32Array([
      ...uniform(1501, -10, 10), ...uniform(101, -100, 26), -1000, -300, -100, -30, -12.5,
      ...zeros.flatMap((z) => [z, z + 1e-3, z - 1e-3]),
      -8.000001, -8, -7.9999995, -4.0000005, -4, -3.9999998, -1e-7, 0, 1e-7, 1.9999999, 2, 2.0000002, 7.9999995, 8, 8.000001, 15, 20, 25, 26, 30,
    ]);
    const got = await tm.special.airyAi(tm.tensor(x, [x.length])).data();
    expectWithin('airyAi', got, Array.from(x, airyRef), (i, w) => bound(x[i], w), (i) => `${x[i]}`);
  });

  it('PyTorch\'s values (torch.special.airy_ai in float64, 1.13) and its edges, but 0 at ±∞ (the limits; PyTorch gives NaN)', async () => {
    const points = [-100, -8, -7.99, 2, 8, 20];
    const torch = [0.1767533932395512, -0.05270505035638643, -0.0433294007159126, 0.03492413042327433, 4.692207616099224e-8, 1.691672868670532e-27];
    const got = await tm.special.airyAi(tm.tensor(points)).data();
    expectWithin('airyAi', got, torch, (i, w) => bound(points[i], w), (i) => `${points[i]}`);
    const edges: [number, number][] = [[Infinity, 0], [-Infinity, 0], [NaN, NaN], [40, 0]];
    const values = await tm.special.airyAi(tm.tensor(edges.map(([v]) => v))).data();
    expectEdges('airyAi', values, edges.map(([, w]) => w), (i) => `${edges[i][0]}`);
  });

  it.each(SHAPES.map((s) => [s]))('at shape %j, from f16 (rounded once) and from ints', async (shape) => {
    await checkShapeAndDTypes('airyAi', tm.special.airyAi, airyRef, shape, -12, 6, [1, 2, -3, 0, -9]);
  });

  it('gradients against central differences (Ai′), across the seams', async () => {
    const points = [-30, -9, -8.1, -7.9, -5, -4.1, -3.9, -1, -0.1, 0.1, 1, 1.9, 2.1, 5, 7.9, 8.1, 12];
    const x = tm.tensor(points);
    x.requiresGrad = true;
    const weights = uniform(points.length, 0.5, 2);
    tm.tidy(() => tm.special.airyAi(x).mul(tm.tensor(weights)).sum()).backward();
    const xs = Array.from(new Float32Array(points));
    const slope = (v: number) => centralDifference(airyRef, v);
    // Ai′ swings to ~|x|^½ of Ai's envelope where it oscillates; where it decays, relative.
    const slopeBound = (v: number, w: number) => (v > 2 ? 1e-4 * Math.abs(w) : 1e-5 * Math.abs(w) + 3e-6 * envelope(v) * Math.sqrt(1 + Math.abs(v)));
    expectWithin('airyAi′', await x.grad!.data(), xs.map((v, i) => weights[i] * slope(v)), (i, w) => slopeBound(xs[i], w), (i) => `${xs[i]}`);
  });

  it('the gradient exactly at the seams is Ai′ there (not half of it), and 0 at ±∞, where the value is pinned to 0', async () => {
    const points = [-8, -4, 0, 2, 8, Infinity, -Infinity];
    const x = tm.tensor(points);
    x.requiresGrad = true;
    tm.tidy(() => tm.special.airyAi(x).sum()).backward();
    const got = Array.from(await x.grad!.data());
    const want = points.map((v) => (Number.isFinite(v) ? centralDifference(airyRef, v) : 0));
    expectWithin('airyAi′ at the seams', got, want, (i, w) => 1e-5 * Math.abs(w) + 3e-6 * (Number.isFinite(points[i]) ? envelope(points[i]) * 3 : 0), (i) => `${points[i]}`);
  });

  it('leaves no tensors behind, forward and backward', async () => {
    const x = tm.tensor([-25, -5, 0, 0.2, 3, 10]);
    x.requiresGrad = true;
    const before = await collected();
    tm.tidy(() => tm.special.airyAi(x).sum().backward());
    x.grad!.dispose();
    expect(await collected()).toBe(before);
    x.dispose();
  });
});
