// The *_ex variants of tm.linalg (torch.linalg's choleskyEx, invEx,
// solveEx, luFactorEx; ldlFactorEx is in ldl.test.ts): the same results as
// the plain ops where A is fine, and where it is not, no error but LAPACK's
// info, per matrix, on every backend (webgpu included, which reads nothing
// back) — the values PyTorch 1.13 gives for the same matrices.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { asF32, uniform } from '../../helpers/data.js';
import { collected } from '../../helpers/gc.js';
import { expectNormwise, matmul64, transpose64, wellConditioned } from '../../helpers/linalg.js';

/** A symmetric positive-definite n × n matrix (W·Wᵀ, W well conditioned), f32 values. */
function positiveDefinite(n: number): Float64Array {
  const w = wellConditioned(n, n);
  return asF32(matmul64(w, transpose64(w, n, n), n, n, n));
}

describe.each(BACKENDS)('tm.linalg *_ex on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('choleskyEx: info 0 and cholesky\'s L where A is positive definite; the order of the first minor that is not, per matrix, where it is not', async () => {
    const before = await collected();
    const n = 4;
    const good = positiveDefinite(n);
    // The second matrix fails at its minor of order 2 (1·1 − 2·2 < 0), the third at once (−1), the fourth at order 3 (a zero row).
    const bad2 = [1, 2, 0, 0, 2, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];
    const bad1 = [-1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];
    const bad3 = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    const A = tm.tensor(Float32Array.from([...good, ...bad2, ...bad1, ...bad3]), [4, n, n]);
    const { l, info } = tm.linalg.choleskyEx(A);
    expect([l.shape, info.shape, info.dtype]).toEqual([[4, n, n], [4], 'i32']);
    expect(Array.from(await info.data())).toEqual([0, 2, 1, 3]);
    const plain = tm.linalg.cholesky(tm.tensor(Float32Array.from(good), [n, n]));
    expectNormwise((await l.data()).subarray(0, n * n), Float64Array.from(await plain.data()), 1e-6, 'L of the good matrix');
    for (const t of [A, l, info, plain]) t.dispose();
    expect(await collected()).toBe(before);
  });

  it('choleskyEx is differentiable as cholesky is', async () => {
    const n = 3;
    const a = positiveDefinite(n);
    const grads = [];
    for (const factor of [(x: tm.Tensor) => tm.linalg.cholesky(x), (x: tm.Tensor) => tm.linalg.choleskyEx(x).l]) {
      const A = tm.tensor(Float32Array.from(a), [n, n]);
      A.requiresGrad = true;
      tm.tidy(() => tm.sum(tm.square(factor(A)))).backward();
      grads.push(await A.grad!.data());
    }
    expectNormwise(grads[1], Float64Array.from(grads[0]), 1e-6, 'dA');
  });

  it('solveEx and invEx: solve\'s and inv\'s results and info 0 where A is invertible; k + 1 for the first zero pivot, and ±∞ or NaN, where it is singular', async () => {
    const before = await collected();
    const n = 5;
    const good = wellConditioned(n, n);
    // Rank 1 from step 1 on: after the first elimination step everything left is 0.
    const rankOne = Array.from({ length: n * n }, (_, e) => (Math.floor(e / n) + 1) * ((e % n) + 1));
    const A = tm.tensor(Float32Array.from([...good, ...rankOne]), [2, n, n]);
    const B = tm.tensor(Float32Array.from(uniform(n * 2)), [n, 2]);
    const solved = tm.linalg.solveEx(A, B);
    expect([solved.result.shape, solved.info.shape, solved.info.dtype]).toEqual([[2, n, 2], [2], 'i32']);
    expect(Array.from(await solved.info.data())).toEqual([0, 2]);
    const x = await solved.result.data();
    const plain = tm.linalg.solve(tm.tensor(Float32Array.from(good), [n, n]), B);
    expectNormwise(x.subarray(0, n * 2), Float64Array.from(await plain.data()), 1e-6, 'X of the invertible matrix');
    expect(Array.from(x.subarray(n * 2)).some((v) => !Number.isFinite(v))).toBe(true);
    const inverted = tm.linalg.invEx(A);
    expect([inverted.inverse.shape, Array.from(await inverted.info.data())]).toEqual([[2, n, n], [0, 2]]);
    const inverse = tm.linalg.inv(tm.tensor(Float32Array.from(good), [n, n]));
    expectNormwise((await inverted.inverse.data()).subarray(0, n * n), Float64Array.from(await inverse.data()), 1e-6, 'inverse of the invertible matrix');
    // PyTorch's own examples: [[1, 2], [2, 4]] has info 2; a vector B keeps its shape.
    const vector = tm.linalg.solveEx(tm.tensor([[1, 2], [2, 4]]), tm.ones([2]));
    expect([vector.result.shape, Array.from(await vector.info.data())]).toEqual([[2], [2]]);
    for (const t of [A, B, solved.result, solved.info, plain, inverted.inverse, inverted.info, inverse, vector.result, vector.info]) t.dispose();
    expect(await collected()).toBe(before);
  });

  it('solveEx broadcasts batches as solve does, its info of A\'s own batch (PyTorch\'s shape); the plain ops still refuse a singular A where they can read it', async () => {
    const A = tm.tensor([[[2, 0], [0, 0]]]);
    const { result, info } = tm.linalg.solveEx(A, tm.ones([3, 2, 1]));
    expect([result.shape, info.shape, Array.from(await info.data())]).toEqual([[3, 2, 1], [1], [2]]);
    const pair = tm.linalg.solveEx(tm.stack([tm.eye(2), tm.zeros([2, 2])]).reshape([2, 1, 2, 2]), tm.ones([3, 2, 1]));
    expect([pair.result.shape, pair.info.shape, Array.from(await pair.info.data())]).toEqual([[2, 3, 2, 1], [2, 1], [0, 1]]);
    // Their gradients refuse nothing either: the invertible matrix's as solve's, the singular one's ±∞ or NaN (PyTorch's).
    const both = tm.stack([tm.tensor([[2, 1], [1, 3]]), tm.tensor([[1, 2], [2, 4]])]);
    both.requiresGrad = true;
    tm.tidy(() => tm.sum(tm.linalg.solveEx(both, tm.ones([2, 2, 1])).result.slice([0], [1]))).backward();
    const grads = Array.from(await both.grad!.data());
    expectNormwise(grads.slice(0, 4), Float64Array.from([-0.16, -0.08, -0.08, -0.04]), 1e-4, 'the invertible matrix\'s dA (PyTorch 1.13 solve_ex)');
    // Nothing is left behind, info included, whichever op made it (cond(A, p) goes through invEx).
    const before = tm.memory().numTensors;
    tm.tidy(() => {
      tm.linalg.solveEx(A, tm.ones([2]));
      tm.linalg.invEx(A);
      tm.linalg.cond(tm.tensor([[1, 2], [3, 4]]), 1);
    });
    expect(tm.memory().numTensors).toBe(before);
    if (backend !== 'webgpu') expect(() => tm.linalg.solve(A, tm.ones([2, 1]))).toThrow("solve: A (matrix [0] of its batch [1]) is singular");
    expect(() => tm.linalg.solveEx(tm.ones([2, 3]), tm.ones([2]))).toThrow('solveEx: A must be a square matrix or a batch of them [..., n, n], got [2,3]');
    expect(() => tm.linalg.invEx(tm.ones([2, 2], { dtype: 'i32' }))).toThrow('invEx: A must be a float tensor (f32 or f16), got i32');
  });

  it('luFactorEx: luFactor\'s factors with info, square and rectangular; the first zero on U\'s diagonal', async () => {
    const square = tm.linalg.luFactorEx(tm.tensor([[1, 2], [2, 4]]));
    // PyTorch: LU [[2, 4], [0.5, 0]], pivots [2, 2] (1-based), info 2.
    expect(Array.from(await square.lu.data())).toEqual([2, 4, 0.5, 0]);
    expect([Array.from(await square.pivots.data()), Array.from(await square.info.data()), square.info.shape]).toEqual([[1, 1], [2], []]);
    const wide = tm.linalg.luFactorEx(tm.tensor([[[0, 0, 1], [0, 0, 2]], [[1, 0, 0], [0, 1, 0]]]));
    expect([wide.info.shape, Array.from(await wide.info.data())]).toEqual([[2], [1, 0]]);
    const tall = tm.linalg.luFactorEx(tm.tensor([[1, 1], [1, 1], [1, 1]]));
    expect(Array.from(await tall.info.data())).toEqual([2]);
    const empty = tm.linalg.luFactorEx(tm.zeros([3, 0, 4]));
    expect([empty.info.shape, Array.from(await empty.info.data())]).toEqual([[3], [0, 0, 0]]);
    const half = tm.linalg.luFactorEx(tm.eye(3).cast('f16'));
    expect([half.lu.dtype, Array.from(await half.info.data())]).toEqual(['f16', [0]]);
  });
});
