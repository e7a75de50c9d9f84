// addmm, baddbmm, addmv, addr, addbmm, addcmul and addcdiv as PyTorch's, on
// every backend, against float64 written here: β·x + α·(m1 @ m2) with x
// broadcast, β = 0 leaving x's NaNs out, the gradients of every operand
// (against central differences for the matrix-vector, outer and summed-batch
// products); the elementwise
// x + value·t1·t2 and x + value·t1/t2 broadcast together.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, uniform } from '../helpers/data.js';
import { broadcast2, f64, matmulRef, size } from '../helpers/float64.js';
import { expectGradients } from '../helpers/linalg.js';

describe.each(BACKENDS)('scaled adds on %s', (backend) => {
  const tol = backend === 'webgpu' ? 1e-4 : 1e-5;

  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it.each([
    { xShape: [5, 3], beta: 1, alpha: 1 },
    { xShape: [3], beta: 0.5, alpha: -2 },
    { xShape: [5, 1], beta: 2, alpha: 0.25 },
    { xShape: [], beta: -1, alpha: 3 },
  ])('addmm: β·x + α·(m1 @ m2), x $xShape broadcast, β $beta, α $alpha; the gradients of x, m1 and m2', async ({ xShape, beta, alpha }) => {
    const [x, m1, m2] = [asF32(uniform(size(xShape))), asF32(uniform(5 * 7)), asF32(uniform(7 * 3))];
    const product = matmulRef(f64([5, 7], m1), f64([7, 3], m2));
    const want = broadcast2(f64(xShape, x), product, (u, p) => beta * u + alpha * p);
    const [xt, at, bt] = [tm.tensor(x, xShape), tm.tensor(m1, [5, 7]), tm.tensor(m2, [7, 3])];
    for (const t of [xt, at, bt]) t.requiresGrad = true;
    const y = tm.addmm(xt, at, bt, { beta, alpha });
    expect(y.shape).toEqual([5, 3]);
    expectClose(await y.data(), want.v, tol, 'y', want.v.map(() => 7 * Math.abs(alpha) + Math.abs(beta)));
    y.sum().backward();
    // Σ y: x's gradient is β times how many outputs each entry reaches; m1's α·(row sums of m2), m2's α·(column sums of m1).
    expectClose(await xt.grad!.data(), x.map(() => beta * (15 / size(xShape))), tol, 'dx');
    expectClose(await at.grad!.data(), Array.from({ length: 35 }, (_, i) => alpha * [0, 1, 2].reduce((s, j) => s + m2[(i % 7) * 3 + j], 0)), tol, 'dm1', new Float64Array(35).fill(6));
    expectClose(await bt.grad!.data(), Array.from({ length: 21 }, (_, i) => alpha * [0, 1, 2, 3, 4].reduce((s, r) => s + m1[r * 7 + Math.floor(i / 3)], 0)), tol, 'dm2', new Float64Array(21).fill(10));
  });

  it('baddbmm adds a batch of matrix products; β = 0 leaves x out, NaN and all', async () => {
    const [x, b1, b2] = [asF32(uniform(3 * 4 * 5)), asF32(uniform(3 * 4 * 9)), asF32(uniform(3 * 9 * 5))];
    const y = tm.baddbmm(tm.tensor(x, [3, 4, 5]), tm.tensor(b1, [3, 4, 9]), tm.tensor(b2, [3, 9, 5]), { beta: 0.5, alpha: 2 });
    const want = new Float64Array(60);
    for (let b = 0; b < 3; b++) {
      const p = matmulRef(f64([4, 9], b1.subarray(b * 36, b * 36 + 36)), f64([9, 5], b2.subarray(b * 45, b * 45 + 45)));
      p.v.forEach((v, i) => (want[b * 20 + i] = 0.5 * x[b * 20 + i] + 2 * v));
    }
    expectClose(await y.data(), want, tol, 'baddbmm', want.map(() => 20));
    const ignored = tm.addmm(tm.tensor([NaN, Infinity]), tm.tensor([[1, 2]]), tm.tensor([[3, 4], [5, 6]]), { beta: 0 });
    expect(await ignored.array()).toEqual([[13, 16]]);
  });

  it('addmv, addr and addbmm: β·x + α times a matrix-vector product, an outer product and a sum of batched products (of 3 and of 1 matrices); the gradients of every operand', async () => {
    const [x, mat, vec] = [asF32(uniform(5)), asF32(uniform(5 * 7)), asF32(uniform(7))];
    const mv = tm.addmv(tm.tensor(x, [5]), tm.tensor(mat, [5, 7]), tm.tensor(vec, [7]), { beta: 0.5, alpha: -2 });
    expect(mv.shape).toEqual([5]);
    const mvRef = (xv: Float64Array, m: Float64Array, v: Float64Array) => xv.map((u, i) => 0.5 * u - 2 * v.reduce((s, w, j) => s + m[i * 7 + j] * w, 0));
    expectClose(await mv.data(), mvRef(x, mat, vec), tol, 'addmv', x.map(() => 30));
    await expectGradients([[5], [5, 7], [7]], [x, mat, vec], (a, b, c) => [tm.addmv(a, b, c, { beta: 0.5, alpha: -2 })], mvRef);
    const [y, v1, v2] = [asF32(uniform(4 * 3)), asF32(uniform(4)), asF32(uniform(3))];
    const rRef = (yv: Float64Array, a: Float64Array, b: Float64Array) => yv.map((u, e) => 2 * u + 0.25 * a[Math.floor(e / 3)] * b[e % 3]);
    expectClose(await tm.addr(tm.tensor(y, [4, 3]), tm.tensor(v1, [4]), tm.tensor(v2, [3]), { beta: 2, alpha: 0.25 }).data(), rRef(y, v1, v2), tol, 'addr');
    await expectGradients([[4, 3], [4], [3]], [y, v1, v2], (a, b, c) => [tm.addr(a, b, c, { beta: 2, alpha: 0.25 })], rRef);
    for (const batch of [3, 1]) {
      const [z, b1, b2] = [asF32(uniform(2)), asF32(uniform(batch * 2 * 5)), asF32(uniform(batch * 5 * 2))];
      const bRef = (zv: Float64Array, p: Float64Array, q: Float64Array) => Float64Array.from({ length: 4 }, (_, e) => {
        const [i, j] = [Math.floor(e / 2), e % 2];
        let s = 0;
        for (let b = 0; b < batch; b++) for (let k = 0; k < 5; k++) s += p[(b * 2 + i) * 5 + k] * q[(b * 5 + k) * 2 + j];
        return -zv[j] + 1.5 * s;
      });
      const summed = tm.addbmm(tm.tensor(z, [2]), tm.tensor(b1, [batch, 2, 5]), tm.tensor(b2, [batch, 5, 2]), { beta: -1, alpha: 1.5 });
      expect(summed.shape).toEqual([2, 2]);
      expectClose(await summed.data(), bRef(z, b1, b2), tol, `addbmm of ${batch}`, new Float64Array(4).fill(20));
      await expectGradients([[2], [batch, 2, 5], [batch, 5, 2]], [z, b1, b2], (a, b, c) => [tm.addbmm(a, b, c, { beta: -1, alpha: 1.5 })], bRef);
    }
  });

  it('addcmul and addcdiv: x + value·t1·t2 and x + value·t1/t2, broadcast together; their gradients', async () => {
    const [x, t1, t2] = [asF32(uniform(4 * 5)), asF32(uniform(5)), asF32(uniform(4, 0.5, 2))];
    const [xt, at, bt] = [tm.tensor(x, [4, 5]), tm.tensor(t1, [5]), tm.tensor(t2, [4, 1])];
    const mulled = tm.addcmul(xt, at, bt, { value: -0.5 });
    const divided = tm.addcdiv(xt, at, bt, { value: 3 });
    expectClose(await mulled.data(), x.map((v, i) => v - 0.5 * t1[i % 5] * t2[Math.floor(i / 5)]), tol, 'addcmul');
    expectClose(await divided.data(), x.map((v, i) => v + (3 * t1[i % 5]) / t2[Math.floor(i / 5)]), tol, 'addcdiv', x.map(() => 10));
    at.requiresGrad = true;
    tm.addcdiv(xt, at, bt).sum().backward();
    expectClose(await at.grad!.data(), t1.map(() => t2.reduce((s, v) => s + 1 / v, 0)), tol, 'd t1');
  });
});

describe('scaled adds', () => {
  it('refuse operands that are not matrices that line up, an x that does not broadcast to the product, and bad factors', () => {
    const [m1, m2] = [tm.zeros([2, 3]), tm.zeros([3, 4])];
    expect(() => tm.addmm(tm.zeros([2, 4]), m1, tm.zeros([4, 4]))).toThrow(new tm.ShapeError('addmm: m1 [2,3] and m2 [4,4] must be matrices [n, k] and [k, m]'));
    expect(() => tm.addmm(tm.zeros([3, 4]), m1, m2)).toThrow(/addmm: /);
    expect(() => tm.addmm(tm.zeros([1, 2, 4]), m1, m2)).toThrow(new tm.ShapeError("addmm: x [1,2,4] does not broadcast to the product's shape [2,4]"));
    expect(() => tm.baddbmm(tm.zeros([2, 2, 4]), tm.zeros([2, 2, 3]), tm.zeros([1, 3, 4]))).toThrow(
      new tm.ShapeError('baddbmm: b1 [2,2,3] and b2 [1,3,4] must be batches of matrices [batch, n, k] and [batch, k, m]'),
    );
    expect(() => tm.addmv(tm.zeros([2]), m1, tm.zeros([4]))).toThrow(new tm.ShapeError('addmv: mat [2,3] and vec [4] must be a matrix [n, m] and a vector [m]'));
    expect(() => tm.addr(tm.zeros([2, 3]), tm.zeros([2, 1]), tm.zeros([3]))).toThrow(new tm.ShapeError('addr: v1 [2,1] and v2 [3] must be vectors'));
    expect(() => tm.addr(tm.zeros([3, 2]), tm.zeros([2]), tm.zeros([3]))).toThrow(new tm.ShapeError('addr: shapes [3,2] and [2,3] cannot be broadcast together (axis 0: 3 vs 2)'));
    expect(() => tm.addbmm(tm.zeros([2, 4]), tm.zeros([2, 2, 3]), tm.zeros([3, 3, 4]))).toThrow(
      new tm.ShapeError('addbmm: b1 [2,2,3] and b2 [3,3,4] must be batches of matrices [batch, n, k] and [batch, k, m]'),
    );
    expect(() => tm.addmm(tm.zeros([2, 4]), m1, m2, { beta: NaN })).toThrow(new tm.ValueError('addmm: beta must be a number, got NaN'));
    expect(() => tm.addcmul(tm.zeros([2]), tm.zeros([2]), tm.zeros([2]), { value: '2' as unknown as number })).toThrow(new tm.ValueError('addcmul: value must be a number, got "2"'));
  });
});
