// tm.special.besselJ0, besselJ1, besselY0 and besselY1 on every backend
// against float64 references written here. J: the power series below 2,
// above it the trapezoid rule on (1/π)∫₀^π cos(nθ − x sin θ) dθ, half a
// period of an even periodic integrand, so exact to a double with |x| + 100
// intervals. Y: the power series to 16 (DLMF 10.8.1-2; 2e-11 there), then to
// 100 Simpson's rule on (1/π)∫₀^π sin(x sin θ − nθ) dθ − (1/π)∫₀^∞ (eⁿᵗ +
// (−1)ⁿe⁻ⁿᵗ)·e^(−x sinh t) dt (DLMF 10.9.7), past 100 Hankel's expansion to
// 30 terms (exact to a double there). J relative below 4 (through the first
// zero, which the library factors out); elsewhere within 3e-7 of the envelope
// min(1, √(2/π|x|)) (absolute near the zeros, as Cephes' f32 j0f, y0f…);
// PyTorch's edges, gradients against central differences.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { uniform } from '../helpers/data.js';
import { collected } from '../helpers/gc.js';
import { SHAPES, centralDifference, checkShapeAndDTypes, expectEdges, expectWithin, logSpace, symmetric } from '../helpers/special_functions.js';

function besselJRef(n: 0 | 1, x: number): number {
  if (Number.isNaN(x)) return x;
  if (Math.abs(x) === Infinity) return 0;
  if (Math.abs(x) < 2) {
    let sum = 0;
    for (let k = 0; k < 30; k++) {
      let term = (x / 2) ** (2 * k + n);
      for (let j = 1; j <= k; j++) term /= -j * (j + n);
      sum += term;
    }
    return n === 1 && Object.is(x, -0) ? -0 : sum;
  }
  const N = Math.ceil(Math.abs(x)) + 100;
  let sum = 0;
  for (let j = 0; j <= N; j++) {
    const theta = (Math.PI * j) / N;
    sum += (j === 0 || j === N ? 0.5 : 1) * Math.cos(n * theta - x * Math.sin(theta));
  }
  return sum / N;
}
const EULER_GAMMA = 0.5772156649015329;

/** Simpson's rule for f on [a, b] with m (even) intervals. */
function simpson(f: (t: number) => number, a: number, b: number, m: number): number {
  const h = (b - a) / m;
  let sum = f(a) + f(b);
  for (let j = 1; j < m; j++) sum += (j % 2 ? 4 : 2) * f(a + j * h);
  return (sum * h) / 3;
}

function besselYRef(n: 0 | 1, x: number): number {
  if (Number.isNaN(x) || x < 0) return NaN;
  if (x === 0) return -Infinity;
  if (x === Infinity) return 0;
  if (x <= 16) {
    const q = (x * x) / 4;
    if (n === 0) {
      let sum = 0;
      let term = 1;
      let harmonic = 0;
      for (let k = 1; k < 80; k++) {
        term *= -q / (k * k);
        harmonic += 1 / k;
        sum -= harmonic * term;
      }
      return (2 / Math.PI) * ((Math.log(x / 2) + EULER_GAMMA) * besselJRef(0, x) + sum);
    }
    let sum = 0;
    let term = x / 2;
    let harmonic = 0;
    for (let k = 0; k < 80; k++) {
      if (k > 0) {
        term *= -q / (k * (k + 1));
        harmonic += 1 / k;
      }
      sum += (2 * (harmonic - EULER_GAMMA) + 1 / (k + 1)) * term;
    }
    return -2 / (Math.PI * x) + (2 / Math.PI) * Math.log(x / 2) * besselJRef(1, x) - sum / Math.PI;
  }
  if (x <= 100) {
    const oscillating = simpson((t) => Math.sin(x * Math.sin(t) - n * t), 0, Math.PI, 2 * Math.ceil(500 * x));
    const decaying = simpson((t) => (Math.exp(n * t) + (n ? -1 : 1) * Math.exp(-n * t)) * Math.exp(-x * Math.sinh(t)), 0, 8, 40000);
    return (oscillating - decaying) / Math.PI;
  }
  let a = 1;
  let p = 0;
  let qq = 0;
  for (let k = 0; k < 30; k++) {
    if (k > 0) a *= (4 * n * n - (2 * k - 1) ** 2) / (8 * k);
    const term = a / x ** k;
    if (k % 2 === 0) p += (Math.floor(k / 2) % 2 ? -1 : 1) * term;
    else qq += (Math.floor(k / 2) % 2 ? -1 : 1) * term;
  }
  const omega = x - (n * Math.PI) / 2 - Math.PI / 4;
  return Math.sqrt(2 / (Math.PI * x)) * (p * Math.sin(omega) + qq * Math.cos(omega));
}
const y0Ref = (x: number) => besselYRef(0, x);
const y1Ref = (x: number) => besselYRef(1, x);
const j0Ref = (x: number) => besselJRef(0, x);
const j1Ref = (x: number) => besselJRef(1, x);
const envelope = (x: number) => Math.min(1, Math.sqrt(2 / (Math.PI * Math.abs(x))));
const bound = (x: number, want: number) => 2e-6 * Math.abs(want) + (Math.abs(x) < 4 ? 0 : 3e-7 * envelope(x));
/** Y below 4 too: its zeros there (0.89, 2.20, 3.96) are where its logarithmic and regular parts cancel. */
const boundY = (x: number, want: number) => 2e-6 * Math.abs(want) + 3e-7 * envelope(x);

describe.each(BACKENDS)('tm.special Bessel functions of the first and second kinds on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it.each([['besselJ0', 0], ['besselJ1', 1]] as const)('%s: from 1e-30 to 1e4 both sides, through the seams at 4, 8 and 16 and near the zeros', async (name, n) => {
    const zeros = n === 0 ? [2.404825557695773, 5.520078110286311, 8.653727912911013, 14.930917708487787, 18.071063967910924, 30.634606468431976] : [3.831705970207512, 7.015586669815619, 13.323691936314223, 16.470630050877634, 29.04682853491686];
    const x = new Float32Array([
      ...symmetric(logSpace(1e-30, 1e4, 601)), ...uniform(2001, -60, 60), ...zeros.flatMap((z) => [z, z + 1e-3, z - 1e-3]), 3.9999998, 4, 4.0000005, 7.9999995, 8, 8.000001, 15.999999, 16, 16.000002, -16,
    ]);
    const op = n === 0 ? tm.special.besselJ0 : tm.special.besselJ1;
    const got = await op(tm.tensor(x, [x.length])).data();
    expectWithin(name, got, Array.from(x, (v) => besselJRef(n, v)), (i, w) => bound(x[i], w), (i) => `${x[i]}`);
  });

  it.each([['besselY0', 0], ['besselY1', 1]] as const)('%s: from 1e-30 to 1e4, through the seams at 4, 8 and 16 and near the zeros; NaN below 0', async (name, n) => {
    const zeros = n === 0 ? [0.8935769662791675, 3.957678419314858, 7.086051060301773, 13.361097473872763, 16.500922441528092] : [2.197141326031017, 5.429681040794135, 8.596005868331169, 17.6596014337, 33.3];
    const x = new Float32Array([
      ...logSpace(1e-30, 1e4, 601), ...uniform(1501, 0, 60), ...zeros.flatMap((z) => [z, z + 1e-3, z - 1e-3]), 3.9999998, 4, 4.0000005, 7.9999995, 8, 8.000001, 15.999999, 16, 16.000002, -2, -1e-20,
    ]);
    const op = n === 0 ? tm.special.besselY0 : tm.special.besselY1;
    const got = await op(tm.tensor(x, [x.length])).data();
    expectWithin(name, got, Array.from(x, (v) => besselYRef(n, v)), (i, w) => boundY(x[i], w), (i) => `${x[i]}`);
  });

  it('relative near 0: J₀ 1 − x²/4, J₁ x/2 into the subnormals', async () => {
    const x = new Float32Array([...symmetric(logSpace(1e-30, 0.5, 201)), 1.4e-45, -3e-40]);
    const got = await tm.special.besselJ1(tm.tensor(x, [x.length])).data();
    expectWithin('besselJ1', got, Array.from(x, j1Ref), (_i, w) => 2e-6 * Math.abs(w), (i) => `${x[i]}`);
    const got0 = await tm.special.besselJ0(tm.tensor(x, [x.length])).data();
    expectWithin('besselJ0', got0, Array.from(x, j0Ref), (_i, w) => 2e-7 * Math.abs(w), (i) => `${x[i]}`);
    expect(got0[0]).toBe(1);
  });

  it('the edges as PyTorch\'s: J₀ 1 at 0, J₁ ±0 at ±0, both 0 at ±∞; Y −∞ at 0, NaN below, 0 at ∞; NaN at NaN', async () => {
    const cases: [(t: tm.Tensor) => tm.Tensor, string, [number, number][]][] = [
      [tm.special.besselJ0, 'besselJ0', [[0, 1], [-0, 1], [Infinity, 0], [-Infinity, 0], [NaN, NaN]]],
      [tm.special.besselJ1, 'besselJ1', [[0, 0], [Infinity, 0], [-Infinity, 0], [NaN, NaN]]],
      [tm.special.besselY0, 'besselY0', [[0, -Infinity], [-0, -Infinity], [-1, NaN], [Infinity, 0], [-Infinity, NaN], [NaN, NaN]]],
      [tm.special.besselY1, 'besselY1', [[0, -Infinity], [-0, -Infinity], [-1, NaN], [Infinity, 0], [-Infinity, NaN], [NaN, NaN], [1e-39, -Infinity]]],
    ];
    for (const [op, name, edges] of cases) {
      const got = await op(tm.tensor(edges.map(([x]) => x))).data();
      expectEdges(name, got, edges.map(([, w]) => w), (i) => `${edges[i][0]}`);
    }
    expect(Object.is((await tm.special.besselJ1(tm.tensor([-0])).data())[0], -0)).toBe(true);
  });

  it.each(SHAPES.map((s) => [s]))('at shape %j, from f16 (rounded once) and from ints', async (shape) => {
    await checkShapeAndDTypes('besselJ0', tm.special.besselJ0, j0Ref, shape, -30, 30, [1, 2, -3, 0, 40]);
    await checkShapeAndDTypes('besselJ1', tm.special.besselJ1, j1Ref, shape, -30, 30, [1, 2, -3, 0, 40]);
    await checkShapeAndDTypes('besselY0', tm.special.besselY0, y0Ref, shape, 0.1, 30, [1, 2, 7, 40]);
    await checkShapeAndDTypes('besselY1', tm.special.besselY1, y1Ref, shape, 0.1, 30, [1, 2, 7, 40]);
  });

  it('gradients against central differences (J₀′ = −J₁, J₁′ = J₀ − J₁/x with ½ at 0, Y likewise), across the seams', async () => {
    const values = [-20, -7, -2.4, 0, 0.5, 3, 3.9, 4.1, 7.9, 8.1, 15.9, 16.1, 40];
    const positive = [0.3, 1, 3.9, 4.1, 7.9, 8.1, 15.9, 16.1, 40];
    const cases = [['besselJ0', tm.special.besselJ0, j0Ref, values], ['besselJ1', tm.special.besselJ1, j1Ref, values], ['besselY0', tm.special.besselY0, y0Ref, positive], ['besselY1', tm.special.besselY1, y1Ref, positive]] as const;
    for (const [name, op, ref, points] of cases) {
      const x = tm.tensor([...points]);
      x.requiresGrad = true;
      const weights = uniform(points.length, 0.5, 2);
      tm.tidy(() => op(x).mul(tm.tensor(weights)).sum()).backward();
      const xs = Array.from(new Float32Array(points));
      expectWithin(`${name}′`, await x.grad!.data(), xs.map((v, i) => weights[i] * centralDifference(ref, v)), (i, w) => 1e-5 * Math.abs(w) + 2e-6 * envelope(xs[i]), (i) => `${xs[i]}`);
      x.dispose();
    }
  });

  it('leave no tensors behind, forward and backward', async () => {
    const x = tm.tensor([-25, 0, 0.2, 3]);
    x.requiresGrad = true;
    const before = await collected();
    tm.tidy(() => tm.special.besselJ0(x).add(tm.special.besselJ1(x)).add(tm.special.besselY0(x.abs().add(1))).add(tm.special.besselY1(x.abs().add(1))).sum().backward());
    x.grad!.dispose();
    expect(await collected()).toBe(before);
    x.dispose();
  });
});
