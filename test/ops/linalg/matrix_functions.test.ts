// tm.linalg.matrixExp and matrixPower against float64 (test/helpers/
// linalg.ts): the exponential as its Taylor series on A scaled to norm ≤ 1/4
// (24 terms, far past float64's rounding) and squared back, a method other
// than the library's Padé approximant; powers as repeated products. Batches
// mix matrices that need different numbers of squarings, the case the
// library masks step by step. Gradients against central differences of the
// same.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { asF32, expectClose, uniform } from '../../helpers/data.js';
import { collected } from '../../helpers/gc.js';
import { batchOf, eachMatrix, expectGradients, expectNormwise, expm64, inverse64, matmul64, wellConditioned } from '../../helpers/linalg.js';

/** A [n, n]^k in float64 for k ≥ 0, by k − 1 products. */
function power64(a: Float64Array, n: number, k: number): Float64Array {
  let r: Float64Array = Float64Array.from({ length: n * n }, (_, e) => (e % (n + 1) === 0 ? 1 : 0));
  for (let i = 0; i < k; i++) r = matmul64(r, a, n, n, n);
  return r;
}

/** n × n, uniform entries scaled to ‖A‖₁ ≈ norm (f32 values). */
function scaledRandom(n: number, norm: number): Float64Array {
  return asF32(uniform(n * n, -1, 1).map((v) => (v * norm) / Math.max(1, n / 2)));
}

/** n × n skew-symmetric with entries up to `size` (f32 values): its exponential is orthogonal, so well conditioned however large A is. */
function skew(n: number, size: number): Float64Array {
  const u = uniform(n * n, -size, size);
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) [out[i * n + j], out[j * n + i]] = [u[i * n + j], -u[i * n + j]];
  return asF32(out);
}

describe.each(BACKENDS)('tm.linalg.matrixExp on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each([1, 3, 8, 17])('n = %i: matches float64 Taylor series from ‖A‖ ≈ 0.1 to 3, one matrix and a batch mixing norms 0.01 to 200 (0 to 7 squarings)', async (n) => {
    const before = await collected();
    for (const norm of [0.1, 1, 3]) {
      const a = scaledRandom(n, norm);
      const E = tm.linalg.matrixExp(tm.tensor(Float32Array.from(a), [n, n]));
      expectNormwise(await E.data(), expm64(a, n), 2e-6 * n, `n=${n} ‖A‖≈${norm}`);
      E.dispose();
    }
    // A batch [2, 2]: two general matrices and two skew-symmetric ones of large norm, each squared as often as its own norm needs.
    const parts = [scaledRandom(n, 0.01), scaledRandom(n, 2), skew(n, 20), skew(n, 200 / n)];
    const As = tm.tensor(Float32Array.from(batchOf(4, () => parts.shift()!)), [2, 2, n, n]);
    const held = Float64Array.from(await As.data());
    const Es = tm.linalg.matrixExp(As);
    expect(Es.shape).toEqual([2, 2, n, n]);
    const got = await Es.data();
    const want = eachMatrix(held, 4, (am) => expm64(am, n));
    for (let m = 0; m < 4; m++) {
      const at = m * n * n;
      expectNormwise(got.subarray(at, at + n * n), want.subarray(at, at + n * n), 3e-5 * n, `batched n=${n}, matrix ${m}`);
    }
    for (const t of [As, Es]) t.dispose();
    expect(await collected()).toBe(before);
  });

  it('known values: a diagonal matrix, a nilpotent one and a rotation generator; exp(A)·exp(−A) = I', async () => {
    expectClose(await tm.linalg.matrixExp(tm.tensor([[1, 0], [0, -2]])).data(), [Math.E, 0, 0, Math.exp(-2)], 1e-6, 'diagonal');
    expectClose(await tm.linalg.matrixExp(tm.tensor([[0, 1], [0, 0]])).data(), [1, 1, 0, 1], 1e-7, 'nilpotent');
    const t = 30;
    const rotation = await tm.linalg.matrixExp(tm.tensor([[0, -t], [t, 0]])).data();
    expectNormwise(rotation, [Math.cos(t), -Math.sin(t), Math.sin(t), Math.cos(t)], 2e-5, 'rotation by 30 radians');
    const A = tm.tensor(Float32Array.from(scaledRandom(5, 2)), [5, 5]);
    const product = tm.linalg.matrixExp(A).matmul(tm.linalg.matrixExp(A.neg()));
    expectNormwise(await product.data(), Float64Array.from(await tm.eye(5).data()), 1e-5, 'exp(A)·exp(−A)');
    expect(Array.from(await tm.linalg.matrixExp(tm.zeros([3, 3])).data())).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  });

  it('a matrix needing more than maxSquarings squarings, or holding NaN, gives NaN and leaves the rest of its batch alone', async () => {
    const n = 3;
    const small = scaledRandom(n, 1);
    const huge = skew(n, 1000);
    const nan = Float64Array.from(small).fill(NaN, 4, 5);
    const Es = await tm.linalg.matrixExp(tm.tensor(Float32Array.from([...small, ...huge, ...nan]), [3, n, n]), { maxSquarings: 4 }).data();
    expectNormwise(Es.subarray(0, 9), expm64(small, n), 2e-6 * n, 'the small matrix');
    expect(Array.from(Es.subarray(9)).every(Number.isNaN)).toBe(true);
    // The default of 16 reaches it.
    expectNormwise(await tm.linalg.matrixExp(tm.tensor(Float32Array.from(huge), [n, n])).data(), expm64(huge, n), 1e-4, 'the large skew-symmetric matrix');
  });

  it('f16 in, f16 out; empty matrices; refuses a matrix that is not square and a bad maxSquarings', async () => {
    const a = scaledRandom(4, 1);
    const A = tm.tensor(Float32Array.from(a), [4, 4]).cast('f16');
    const held = Float64Array.from(await A.cast('f32').data());
    const E = tm.linalg.matrixExp(A);
    expect(E.dtype).toBe('f16');
    expectNormwise(await E.data(), expm64(held, 4), 2e-3, 'f16');
    expect(tm.linalg.matrixExp(tm.zeros([2, 0, 0])).shape).toEqual([2, 0, 0]);
    expect(() => tm.linalg.matrixExp(tm.ones([2, 3]))).toThrow('matrixExp: A must be a square matrix or a batch of them [..., n, n], got [2,3]');
    expect(() => tm.linalg.matrixExp(tm.eye(2), { maxSquarings: 1.5 })).toThrow('matrixExp: maxSquarings must be an integer from 0 to 126 (2^126 is f32\'s largest scale), got 1.5');
    expect(() => tm.linalg.matrixExp(tm.eye(2), { squarings: 3 } as never)).toThrow('matrixExp');
  });
});

describe.each(BACKENDS)('tm.linalg.matrixPower on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each([0, 1, 2, 3, 6, 13, -1, -4])('k = %i: matches float64 products (of the float64 inverse for k < 0), one matrix and a batch', async (k) => {
    const before = await collected();
    for (const n of [1, 5]) {
      const as = batchOf(3, () => wellConditioned(n, n));
      const P = tm.linalg.matrixPower(tm.tensor(Float32Array.from(as), [3, n, n]), k);
      expect(P.shape).toEqual([3, n, n]);
      const want = eachMatrix(as, 3, (am) => (k >= 0 ? power64(am, n, k) : power64(inverse64(am, n), n, -k)));
      expectNormwise(await P.data(), want, 1e-5 * (1 + Math.abs(k)), `k=${k} n=${n}`);
      P.dispose();
    }
    expect(await collected()).toBe(before);
  });

  it('k = 1 is a copy of A, not A itself; refuses a k that is not an integer, and a singular A for k < 0 where it can read it', async () => {
    const A = tm.tensor([[1, 2], [3, 4]]);
    const one = tm.linalg.matrixPower(A, 1);
    expect(one).not.toBe(A);
    one.dispose();
    expect(Array.from(await A.data())).toEqual([1, 2, 3, 4]);
    expect(tm.linalg.matrixPower(A.cast('f16'), 2).dtype).toBe('f16');
    // Ints as torch's and NumPy's: exact products for k ≥ 0; a negative power needs a float.
    const ints = tm.linalg.matrixPower(tm.tensor([[1, 1], [1, 0]], { dtype: 'i32' }), 30);
    expect([ints.dtype, await ints.array()]).toEqual(['i32', [[1346269, 832040], [832040, 514229]]]);
    expect(() => tm.linalg.matrixPower(tm.eye(2, { dtype: 'i32' }), -1)).toThrow('matrixPower: A must be a float tensor (f32 or f16), got i32');
    expect(() => tm.linalg.matrixPower(A, 0.5)).toThrow('matrixPower: k must be an integer, got 0.5');
    expect(() => tm.linalg.matrixPower(tm.ones([2, 3]), 2)).toThrow('matrixPower: A must be a square matrix or a batch of them [..., n, n], got [2,3]');
    if (backend !== 'webgpu') expect(() => tm.linalg.matrixPower(tm.ones([2, 2]), -1)).toThrow('matrixPower: A is singular');
  });
});

describe.each(BACKENDS)('tm.linalg.matrixExp and matrixPower gradients on %s match float64 central differences', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('matrixExp: one matrix with no squaring, and a batch whose second matrix is squared two or three times', async () => {
    await expectGradients([[3, 3]], [scaledRandom(3, 1)], (A) => [tm.linalg.matrixExp(A)], (av) => expm64(av, 3));
    // Skew-symmetric, so that exp(A) stays of size 1 (of a general matrix this large, the float64 differences would be rounding).
    const large = skew(3, 6);
    large[0] = 0.5;
    const batch = Float64Array.of(...scaledRandom(3, 0.5), ...large);
    await expectGradients([[2, 3, 3]], [batch], (A) => [tm.linalg.matrixExp(A)], (av) => eachMatrix(av, 2, (am) => expm64(am, 3)));
  });

  it('a large incoming gradient (a loss scale of 2¹⁶, or 10⁶) stays finite and exact: the derivative is linear in it', async () => {
    const A = tm.zeros([2, 2]);
    A.requiresGrad = true;
    tm.tidy(() => tm.linalg.matrixExp(A).mul(1e6).sum()).backward();
    // d Σ exp(A)/dA at A = 0 is all ones (the Fréchet derivative of exp at 0 is the identity map).
    expectClose(await A.grad!.data(), [1e6, 1e6, 1e6, 1e6], 1e-6, 'dA at 0, scaled by 10⁶');
    const a = scaledRandom(4, 0.5);
    const small = tm.tensor(Float32Array.from(a), [4, 4]);
    const large = tm.tensor(Float32Array.from(a), [4, 4]);
    small.requiresGrad = true;
    large.requiresGrad = true;
    tm.tidy(() => tm.linalg.matrixExp(small).sum()).backward();
    tm.tidy(() => tm.linalg.matrixExp(large).sum().mul(65536)).backward();
    const unscaled = Float64Array.from(await small.grad!.data(), (v) => v * 65536);
    expectClose(await large.grad!.data(), unscaled, 1e-6, 'dA under a loss scale of 2¹⁶', unscaled.map((v) => Math.abs(v) + 65536));
  });

  it('A⁰ and an empty exponential depend on nothing: their gradient is zero, as PyTorch\'s', async () => {
    const A = tm.tensor([[1, 2], [3, 4]]);
    const E = tm.zeros([0, 3, 3]);
    for (const t of [A, E]) t.requiresGrad = true;
    tm.tidy(() => tm.linalg.matrixPower(A, 0).sum()).backward();
    expect(Array.from(await A.grad!.data())).toEqual([0, 0, 0, 0]);
    tm.tidy(() => tm.linalg.matrixExp(E).sum()).backward();
    expect(E.grad!.shape).toEqual([0, 3, 3]);
  });

  it.each([3, -2])('matrixPower k = %i', async (k) => {
    const n = 4;
    await expectGradients([[n, n]], [wellConditioned(n, n)], (A) => [tm.linalg.matrixPower(A, k)], (av) => (k >= 0 ? power64(av, n, k) : power64(inverse64(av, n), n, -k)));
  });
});
