// tm.logdet (torch.logdet) on every backend: PyTorch 1.13's values and
// gradients for a matrix of negative, positive and zero determinant
// (embedded below); batches of random matrices against the float64
// determinant by elimination written here (NaN where it is negative); the
// gradient A⁻ᵀ against central differences; f16; refusals by name (ints
// too, as PyTorch's).
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { asF32, expectClose, uniform } from '../../helpers/data.js';
import { centralDifferences } from '../../helpers/float64.js';

/** det of the n × n matrix a, in float64, by elimination with partial pivoting. */
function det64(a: ArrayLike<number>, n: number): number {
  const m = Float64Array.from(a);
  let det = 1;
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(m[i * n + k]) > Math.abs(m[p * n + k])) p = i;
    if (m[p * n + k] === 0) return 0;
    if (p !== k) {
      for (let j = 0; j < n; j++) [m[k * n + j], m[p * n + j]] = [m[p * n + j], m[k * n + j]];
      det = -det;
    }
    det *= m[k * n + k];
    for (let i = k + 1; i < n; i++) {
      const f = m[i * n + k] / m[k * n + k];
      for (let j = k; j < n; j++) m[i * n + j] -= f * m[k * n + j];
    }
  }
  return det;
}

/** torch.logdet in float64: log det, NaN below 0, −∞ at 0. */
const logdet64 = (a: ArrayLike<number>, n: number) => {
  const d = det64(a, n);
  return d < 0 ? NaN : Math.log(d);
};

describe.each(BACKENDS)('tm.logdet on %s', (backend) => {
  const tol = backend === 'webgpu' ? 1e-4 : 1e-5;

  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it('gives PyTorch\'s NaN, log det and −∞ for negative, positive and zero determinants, and its gradients', async () => {
    // torch.logdet of this batch: [nan, 1.7918, -inf]; the gradient of entry 1 is A⁻ᵀ, that of entry 0 is 0 (PyTorch 1.13).
    const A = tm.tensor([[[1, 2], [3, 4]], [[2, 0], [0, 3]], [[1, 2], [2, 4]]]);
    const y = tm.logdet(A);
    expect([y.shape, y.dtype]).toEqual([[3], 'f32']);
    const v = Array.from(await y.data());
    expect(v[0]).toBeNaN();
    expectClose([v[1]], [Math.log(6)], tol, 'log 6');
    expect(v[2]).toBe(-Infinity);
    const B = tm.tensor([[[1, 2], [3, 4]], [[2, 0], [0, 3]]]);
    B.requiresGrad = true;
    tm.logdet(B).mul(tm.tensor([5, 1])).sum().backward();
    expectClose(await B.grad!.data(), [0, 0, 0, 0, 0.5, 0, 0, 1 / 3], tol, 'dA');
  });

  it.each([1, 3, 6])('matches the float64 log det over a batch of random %i × %i matrices, NaN where det < 0, and the gradient A⁻ᵀ', async (n) => {
    const count = 8;
    const values = asF32(uniform(count * n * n, -1, 1));
    // Diagonally heavy, so that each is well away from singular, half of them with det < 0 (a row negated).
    for (let m = 0; m < count; m++) {
      for (let i = 0; i < n; i++) values[m * n * n + i * n + i] += Math.fround(n);
      if (m % 2 === 1) for (let j = 0; j < n; j++) values[m * n * n + j] = -values[m * n * n + j];
    }
    const A = tm.tensor(values, [2, 4, n, n]);
    A.requiresGrad = true;
    const y = tm.logdet(A);
    expect(y.shape).toEqual([2, 4]);
    const want = Array.from({ length: count }, (_, m) => logdet64(values.subarray(m * n * n, (m + 1) * n * n), n));
    const got = Array.from(await y.data());
    got.forEach((g, m) => {
      if (Number.isNaN(want[m])) expect(g, `matrix ${m}`).toBeNaN();
      else expectClose([g], [want[m]], tol, `matrix ${m}`, [1]);
    });
    // Gradient of Σ r·logdet over the matrices of positive determinant (the NaN ones left out, as 0·NaN would be).
    const r = asF32(uniform(count, -1, 1)).map((x, m) => (Number.isNaN(want[m]) ? 0 : x));
    tm.where(tm.isNaN(y), 0, y).mul(tm.tensor(r, [2, 4])).sum().backward();
    const loss = () => want.reduce((s, _, m) => (Number.isNaN(want[m]) ? s : s + r[m] * logdet64(values.subarray(m * n * n, (m + 1) * n * n), n)), 0);
    expectClose(await A.grad!.data(), centralDifferences(values, loss), 1e-4, 'dA', new Float64Array(count * n * n).fill(1));
  });

  it('keeps f16 in f16, and gives 0 for a 0 × 0 matrix (det 1)', async () => {
    const half = tm.logdet(tm.tensor([[4, 1], [2, 3]], [2, 2], { dtype: 'f16' }));
    expect(half.dtype).toBe('f16');
    expectClose(await half.data(), [Math.log(10)], 2e-3, 'f16');
    expect(await tm.logdet(tm.zeros([0, 0])).array()).toBe(0);
    expect(tm.logdet(tm.zeros([0, 3, 3])).shape).toEqual([0]);
  });
});

describe('tm.logdet', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('refuses what is not a batch of square matrices, and a singular matrix\'s gradient, in its own name', () => {
    expect(() => tm.logdet(tm.zeros([2, 3]))).toThrow(/logdet/);
    expect(() => tm.logdet(tm.zeros([3]))).toThrow(/logdet/);
    expect(() => tm.logdet([[1]] as never)).toThrow(/logdet/);
    expect(() => tm.logdet(tm.zeros([2, 2], { dtype: 'i32' }))).toThrow(new tm.DTypeError('logdet: A must be a float tensor (f32 or f16), got i32'));
    const a = tm.tensor([[1, 2], [2, 4]]);
    a.requiresGrad = true;
    const y = tm.logdet(a);
    expect(() => y.backward()).toThrow("logdet's gradient: A is singular");
  });

  it('leaves nothing behind', () => {
    const A = tm.randn([3, 4, 4], { seed: 2 });
    const before = tm.memory().numTensors;
    tm.logdet(A).dispose();
    expect(tm.memory().numTensors).toBe(before);
  });
});
