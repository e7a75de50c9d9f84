// dot, inner and vdot as NumPy's, on every backend, against float64 sums
// written here: every rank combination NumPy's rules distinguish (scalars,
// vectors, matrices, higher ranks against vectors and matrices), odd sizes,
// the gradients of both operands, and operands that do not line up refused
// with both shapes.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, uniform } from '../helpers/data.js';
import { centralDifferences, ravel, size, unravel } from '../helpers/float64.js';

/** Σ_k a[i…, k] · b[j…, k, l] in float64, k along a's axis `ka` and b's `kb`; the result's axes are a's others, then b's. */
function contract(a: Float64Array, aShape: number[], ka: number, b: Float64Array, bShape: number[], kb: number): { shape: number[]; v: Float64Array } {
  const aRest = aShape.filter((_, d) => d !== ka);
  const bRest = bShape.filter((_, d) => d !== kb);
  const shape = [...aRest, ...bRest];
  const v = new Float64Array(size(shape));
  for (let o = 0; o < v.length; o++) {
    const idx = unravel(o, shape);
    const [ai, bi] = [idx.slice(0, aRest.length), idx.slice(aRest.length)];
    for (let k = 0; k < aShape[ka]; k++) {
      const at = [...ai.slice(0, ka), k, ...ai.slice(ka)];
      const bt = [...bi.slice(0, kb), k, ...bi.slice(kb)];
      v[o] += a[ravel(at, aShape)] * b[ravel(bt, bShape)];
    }
  }
  return { shape, v };
}

describe.each(BACKENDS)('dot, inner and vdot on %s', (backend) => {
  const tol = backend === 'webgpu' ? 1e-4 : 1e-5;

  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it.each([
    [[7], [7]], [[5, 7], [7]], [[7], [7, 3]], [[5, 7], [7, 3]], [[2, 5, 7], [7]], [[2, 5, 7], [7, 3]], [[2, 5, 7], [4, 7, 3]], [[1], [1, 129]],
  ])('dot of %j and %j sums a\'s last axis against b\'s second to last (or only), as np.dot; both gradients', async (aShape, bShape) => {
    const [a, b] = [asF32(uniform(size(aShape))), asF32(uniform(size(bShape)))];
    const kb = bShape.length >= 2 ? bShape.length - 2 : 0;
    const want = contract(a, aShape, aShape.length - 1, b, bShape, kb);
    const [at, bt] = [tm.tensor(a, aShape), tm.tensor(b, bShape)];
    at.requiresGrad = bt.requiresGrad = true;
    const y = tm.dot(at, bt);
    expect(y.shape).toEqual(want.shape);
    expectClose(await y.data(), want.v, tol, 'dot', want.v.map(() => aShape.at(-1)!));
    const r = asF32(uniform(size(want.shape)));
    y.mul(tm.tensor(r, want.shape)).sum().backward();
    // Σ r·y is linear in each operand, so central differences give its gradient to rounding.
    const loss = (p: Float64Array, q: Float64Array) => contract(p, aShape, aShape.length - 1, q, bShape, kb).v.reduce((sum, v, i) => sum + v * r[i], 0);
    expectClose(await at.grad!.data(), centralDifferences(a, () => loss(a, b), 1e-3), tol, 'da', a.map(() => size(bShape) / bShape[kb]));
    expectClose(await bt.grad!.data(), centralDifferences(b, () => loss(a, b), 1e-3), tol, 'db', b.map(() => size(aShape) / aShape.at(-1)!));
  });

  it('dot and inner with a scalar multiply; inner sums the last axes of both; vdot flattens both', async () => {
    const x = tm.tensor([[1, 2, 3], [4, 5, 6]]);
    expect(await tm.dot(tm.scalar(2), x).array()).toEqual([[2, 4, 6], [8, 10, 12]]);
    expect(await tm.inner(x, tm.scalar(3)).array()).toEqual([[3, 6, 9], [12, 15, 18]]);
    const [a, b] = [asF32(uniform(2 * 3 * 5)), asF32(uniform(4 * 5))];
    const want = contract(a, [2, 3, 5], 2, b, [4, 5], 1);
    const y = tm.inner(tm.tensor(a, [2, 3, 5]), tm.tensor(b, [4, 5]));
    expect(y.shape).toEqual([2, 3, 4]);
    expectClose(await y.data(), want.v, tol, 'inner', want.v.map(() => 5));
    const [p, q] = [asF32(uniform(12)), asF32(uniform(12))];
    const v = tm.vdot(tm.tensor(p, [3, 4]), tm.tensor(q, [2, 6]));
    expect(v.shape).toEqual([]);
    expectClose([await v.item()], [p.reduce((s, value, i) => s + value * q[i], 0)], tol, 'vdot', [12]);
    expect(await tm.dot(tm.tensor([1, 2], [2], { dtype: 'i32' }), tm.tensor([3, 4], [2], { dtype: 'i32' })).item()).toBe(11);
  });

  it('sends dy·b to a and dy·a to b for two vectors', async () => {
    const [a, b] = [tm.tensor([1, 2, 3]), tm.tensor([4, 5, 6])];
    a.requiresGrad = b.requiresGrad = true;
    tm.dot(a, b).mul(2).backward();
    expect([await a.grad!.array(), await b.grad!.array()]).toEqual([[8, 10, 12], [2, 4, 6]]);
  });
});

describe('dot, inner and vdot', () => {
  it('refuse operands that do not line up, naming both shapes', () => {
    expect(() => tm.dot(tm.zeros([3, 4]), tm.zeros([5]))).toThrow(new tm.ShapeError("dot: a [3,4] and b [5] do not line up: a's last axis is summed against b's only axis (4 against 5)"));
    expect(() => tm.dot(tm.zeros([3, 4]), tm.zeros([5, 2]))).toThrow(new tm.ShapeError("dot: a [3,4] and b [5,2] do not line up: a's last axis is summed against b's second to last axis (4 against 5)"));
    expect(() => tm.inner(tm.zeros([3, 4]), tm.zeros([4, 3]))).toThrow(new tm.ShapeError('inner: a [3,4] and b [4,3] do not line up: their last axes are summed together (4 against 3)'));
    expect(() => tm.vdot(tm.zeros([3, 4]), tm.zeros([5]))).toThrow(new tm.ShapeError('vdot: a [3,4] and b [5] have 12 and 5 entries; flattened, they must be as long'));
  });
});
