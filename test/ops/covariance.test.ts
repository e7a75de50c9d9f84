// cov and corrcoef against NumPy's formulas worked here in float64 (the
// weighted mean, the divisor with fweights and aweights, each variable's
// deviation), on fresh random data at odd shapes: values and gradients
// against central differences, the edge cases NumPy defines (one
// observation, a variable that does not vary), other dtypes, and errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF16, asF32, expectClose, randomInts, uniform } from '../helpers/data.js';
import { centralDifferences } from '../helpers/float64.js';

/** np.cov(x, ddof=correction, fweights=f, aweights=a) of x [V, N] in float64, row-major [V, V]. */
function covRef(x: ArrayLike<number>, V: number, N: number, correction: number, f?: ArrayLike<number>, a?: ArrayLike<number>): Float64Array {
  const w = Float64Array.from({ length: N }, (_, j) => (f ? f[j] : 1) * (a ? a[j] : 1));
  const total = w.reduce((s, v) => s + v, 0);
  const means = Array.from({ length: V }, (_, i) => w.reduce((s, wj, j) => s + wj * x[i * N + j], 0) / total);
  const divisor = Math.max(a ? total - (correction * w.reduce((s, wj, j) => s + wj * a[j], 0)) / total : total - correction, 0);
  const out = new Float64Array(V * V);
  for (let i = 0; i < V; i++) {
    for (let k = 0; k < V; k++) out[i * V + k] = w.reduce((s, wj, j) => s + wj * (x[i * N + j] - means[i]) * (x[k * N + j] - means[k]), 0) / divisor;
  }
  return out;
}

function corrcoefRef(x: ArrayLike<number>, V: number, N: number): Float64Array {
  const c = covRef(x, V, N, 1);
  return c.map((v, at) => Math.min(Math.max(v / Math.sqrt(c[Math.floor(at / V) * (V + 1)]) / Math.sqrt(c[(at % V) * (V + 1)]), -1), 1));
}

describe.each(BACKENDS)('cov and corrcoef on %s', (backend) => {
  const tol = backend === 'webgpu' ? 1e-4 : 1e-5;

  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each([
    { V: 3, N: 7, correction: 1, weights: 'none' },
    { V: 5, N: 129, correction: 0, weights: 'none' },
    { V: 1, N: 2, correction: 1, weights: 'none' },
    { V: 4, N: 13, correction: 1, weights: 'f' },
    { V: 4, N: 13, correction: 1, weights: 'a' },
    { V: 6, N: 9, correction: 2, weights: 'fa' },
  ])('cov of [$V, $N], correction $correction, weights $weights: NumPy\'s, and its gradients to x and aweights', async ({ V, N, correction, weights }) => {
    const x = asF32(uniform(V * N, -2, 2));
    const f = weights.includes('f') ? randomInts(N, 0, 3) : undefined;
    if (f) f[0] = 1; // a total of at least one
    const a = weights.includes('a') ? asF32(uniform(N, 0.2, 2)) : undefined;
    const xt = tm.tensor(x, [V, N]);
    xt.requiresGrad = true;
    const at = a && tm.tensor(a, [N]);
    if (at) at.requiresGrad = true;
    const y = tm.cov(xt, { correction, fweights: f && tm.tensor(Int32Array.from(f), [N]), aweights: at });
    expect(y.shape).toEqual([V, V]);
    const want = covRef(x, V, N, correction, f, a);
    expectClose(await y.data(), want, tol, 'cov');
    const r = asF32(uniform(V * V, -1, 1));
    y.mul(tm.tensor(r, [V, V])).sum().backward();
    const loss = (xs: ArrayLike<number>, as: ArrayLike<number> | undefined) => covRef(xs, V, N, correction, f, as).reduce((s, v, i) => s + v * r[i], 0);
    expectClose(await xt.grad!.data(), centralDifferences(x, () => loss(x, a)), tol, 'dx');
    if (at && a) expectClose(await at.grad!.data(), centralDifferences(a, () => loss(x, a)), tol, 'daweights');
  });

  it.each([[3, 7], [5, 129], [2, 2]])('corrcoef of [%i, %i]: cov over both deviations, in [−1, 1], with its gradients', async (V, N) => {
    const x = asF32(uniform(V * N, -2, 2));
    const xt = tm.tensor(x, [V, N]);
    xt.requiresGrad = true;
    const y = tm.corrcoef(xt);
    const want = corrcoefRef(x, V, N);
    expectClose(await y.data(), want, tol, 'corrcoef');
    for (let i = 0; i < V; i++) expectClose([(await y.data())[i * (V + 1)]], [1], tol, 'diagonal');
    if (N === 2) return; // two observations: every correlation is ±1, where the clip's gradient stops
    const r = asF32(uniform(V * V, -1, 1));
    y.mul(tm.tensor(r, [V, V])).sum().backward();
    expectClose(await xt.grad!.data(), centralDifferences(x, () => corrcoefRef(x, V, N).reduce((s, v, i) => s + v * r[i], 0)), 1e-4, 'dx');
  });

  it('reads a 1-D x as one variable: cov its variance, corrcoef 1', async () => {
    const x = asF32(uniform(11, -2, 2));
    const c = tm.cov(tm.tensor(x));
    expect(c.shape).toEqual([]);
    expectClose(await c.data(), covRef(x, 1, 11, 1), tol);
    expectClose(await tm.corrcoef(tm.tensor(x)).data(), [1], tol);
  });

  it('gives ∞ or NaN where the divisor is 0 or less (one observation), and NaN for a variable that does not vary, as NumPy', async () => {
    expect(await tm.cov(tm.tensor([[1], [2]])).array()).toEqual([[NaN, NaN], [NaN, NaN]]);
    expect(await tm.cov(tm.tensor([[1, 2, 4], [3, 3, 3]]), { correction: 3 }).array()).toEqual([[Infinity, NaN], [NaN, NaN]]);
    const r = await tm.corrcoef(tm.tensor([[1, 2, 4], [3, 3, 3], [2, 4, 8]])).array();
    expect(r).toEqual([[1, NaN, 1], [NaN, NaN, NaN], [1, NaN, 1]]);
  });

  it('reads ints as f32 and keeps f16 in f16', async () => {
    const ints = randomInts(12, -50, 50);
    const c = tm.cov(tm.tensor(Int32Array.from(ints), [3, 4]));
    expect(c.dtype).toBe('f32');
    expectClose(await c.data(), covRef(ints, 3, 4, 1), 1e-5);
    const halves = asF16(uniform(12, -2, 2));
    const h = tm.cov(tm.tensor(halves, [3, 4], { dtype: 'f16' }));
    expect(h.dtype).toBe('f16');
    expectClose(await h.data(), covRef(halves, 3, 4, 1), 2e-2);
  });
});

describe('cov and corrcoef', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('refuse a rank above 2, weights of the wrong kind or length, and a bad correction, naming them', () => {
    const x = tm.zeros([3, 4]);
    expect(() => tm.cov(tm.zeros([2, 3, 4]))).toThrow(new tm.ShapeError('cov: x must be [variables, observations] or [observations], got [2,3,4]'));
    expect(() => tm.cov(x, { fweights: tm.ones([4]) })).toThrow(new tm.DTypeError('cov: fweights must be an int tensor (i32 or i8): counts, got f32'));
    expect(() => tm.cov(x, { aweights: tm.ones([4], { dtype: 'i32' }) })).toThrow(new tm.DTypeError('cov: aweights must be a float tensor, got i32'));
    expect(() => tm.cov(x, { aweights: tm.ones([3]) })).toThrow(new tm.ShapeError('cov: aweights must be [4], a weight per observation, got [3]'));
    expect(() => tm.cov(x, { correction: NaN })).toThrow(new tm.ValueError('cov: correction must be a finite number, got NaN'));
    expect(() => tm.cov(x, { ddof: 1 } as unknown as tm.CovOptions)).toThrow(/cov: unknown option "ddof"/);
  });

  it('leave nothing behind', () => {
    const x = tm.randn([4, 9], { seed: 3 });
    const [a, f] = [tm.rand([9], { seed: 4 }), tm.ones([9], { dtype: 'i32' })];
    const run = () => tm.noGrad(() => [tm.cov(x, { aweights: a, fweights: f }), tm.corrcoef(x)].forEach((t) => t.dispose()));
    run();
    const before = tm.memory().numTensors;
    run();
    expect(tm.memory().numTensors).toBe(before);
  });
});
