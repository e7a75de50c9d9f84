// kron, cross, blockDiag and cartesianProd on every backend against float64
// loops written here: ranks that differ, odd sizes, broadcasting (cross),
// scalars and vectors among matrices (blockDiag), ints; gradients; bad input
// refused by name.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, expectExact, randomInts, uniform } from '../helpers/data.js';
import { broadcastShape, f64, ravel, size, unravel, type F64 } from '../helpers/float64.js';

/** np.kron: out[i·bShape + j] = a[i]·b[j] along every axis, shapes lined up from the right. */
function kronRef(a: F64, b: F64): F64 {
  const rank = Math.max(a.shape.length, b.shape.length);
  const as = [...Array(rank - a.shape.length).fill(1), ...a.shape];
  const bs = [...Array(rank - b.shape.length).fill(1), ...b.shape];
  const shape = as.map((d, i) => d * bs[i]);
  return { shape, v: Float64Array.from({ length: size(shape) }, (_, o) => {
    const idx = unravel(o, shape);
    return a.v[ravel(idx.map((c, d) => Math.floor(c / bs[d])), as)] * b.v[ravel(idx.map((c, d) => c % bs[d]), bs)];
  }) };
}

/** a × b along axis k, broadcast. */
function crossRef(a: F64, b: F64, k: number): F64 {
  const shape = broadcastShape(a.shape, b.shape)!;
  const at = (t: F64, idx: number[], c: number) => t.v[ravel(idx.map((v, d) => (d === k ? c : t.shape[d] === 1 ? 0 : v)), t.shape)];
  return { shape, v: Float64Array.from({ length: size(shape) }, (_, o) => {
    const idx = unravel(o, shape);
    const [i, j] = [(idx[k] + 1) % 3, (idx[k] + 2) % 3];
    return at(a, idx, i) * at(b, idx, j) - at(a, idx, j) * at(b, idx, i);
  }) };
}

describe.each(BACKENDS)('products on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it.each([[[2, 3], [4, 5]], [[3], [2, 2]], [[7], [1]], [[2, 1, 3], [3, 4]], [[1], [13]], [[0, 2], [3, 3]]])('kron of %j and %j is np.kron, in f32 and i32', async (as, bs) => {
    for (const dtype of ['f32', 'i32'] as const) {
      const a = f64(as, randomInts(size(as), -50, 50));
      const b = f64(bs, randomInts(size(bs), -50, 50));
      const y = tm.kron(tm.tensor(a.v, as, { dtype }), tm.tensor(b.v, bs, { dtype }));
      const want = kronRef(a, b);
      expect([y.shape, y.dtype]).toEqual([want.shape, dtype]);
      expectExact(await y.data(), want.v, `kron ${dtype}`);
    }
  });

  it.each([[[3], [3], -1], [[5, 3], [5, 3], 1], [[3, 7], [3, 1], 0], [[2, 1, 3], [1, 4, 3], -1], [[4, 3, 2], [4, 3, 2], 1]] as [number[], number[], number][])('cross of %j and %j along %i is np.cross, broadcast', async (as, bs, axis) => {
    const a = f64(as, asF32(uniform(size(as))));
    const b = f64(bs, asF32(uniform(size(bs))));
    const want = crossRef(a, b, (axis + as.length) % as.length);
    const y = tm.cross(tm.tensor(a.v, as), tm.tensor(b.v, bs), { axis });
    expect(y.shape).toEqual(want.shape);
    expectClose(await y.data(), want.v, 1e-6, 'cross');
  });

  it('cross\'s gradients are dy × b to a and a × dy to b', async () => {
    const a = tm.tensor([[1, 2, 3]]);
    const b = tm.tensor([[4, -5, 6]]);
    a.requiresGrad = true;
    b.requiresGrad = true;
    tm.tidy(() => tm.cross(a, b).mul(tm.tensor([[7, 8, 9]])).sum()).backward();
    // d/da (dy · (a × b)) = b × dy; d/db = dy × a.
    expect(await a.grad!.array()).toEqual([[-5 * 9 - 6 * 8, 6 * 7 - 4 * 9, 4 * 8 - -5 * 7]]);
    expect(await b.grad!.array()).toEqual([[8 * 3 - 9 * 2, 9 * 1 - 7 * 3, 7 * 2 - 8 * 1]]);
  });

  it('blockDiag puts matrices, vectors (one row) and scalars ([1, 1]) along the diagonal, in any dtype, gradient to each block', async () => {
    for (const dtype of tm.DTYPES) {
      const y = tm.blockDiag([tm.tensor([[1, 2], [3, 4]], undefined, { dtype }), tm.tensor([5, 6, 7], undefined, { dtype }), tm.scalar(8, { dtype }), tm.zeros([2, 0], { dtype })]);
      expect([y.shape, y.dtype]).toEqual([[6, 6], dtype]);
      expect(await y.array()).toEqual([[1, 2, 0, 0, 0, 0], [3, 4, 0, 0, 0, 0], [0, 0, 5, 6, 7, 0], [0, 0, 0, 0, 0, 8], [0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0]]);
    }
    const m = tm.tensor(asF32(uniform(6)), [2, 3]);
    const v = tm.tensor([1, 2]);
    m.requiresGrad = true;
    v.requiresGrad = true;
    const w = tm.tensor(Float32Array.from({ length: 15 }, (_, i) => i), [3, 5]);
    tm.tidy(() => tm.blockDiag([m, v]).mul(w).sum()).backward();
    expect(await m.grad!.array()).toEqual([[0, 1, 2], [5, 6, 7]]);
    expect(await v.grad!.array()).toEqual([13, 14]);
  });

  it('cartesianProd lists every combination, the last vector fastest (itertools.product)', async () => {
    const sizes = [3, 1, 4, 2];
    const vectors = sizes.map((n) => f64([n], randomInts(n, -9, 9)));
    const y = tm.cartesianProd(vectors.map((v) => tm.tensor(v.v, v.shape, { dtype: 'i32' })));
    expect([y.shape, y.dtype]).toEqual([[24, 4], 'i32']);
    const want = Array.from({ length: 24 }, (_, r) => unravel(r, sizes).map((c, k) => vectors[k].v[c])).flat();
    expectExact(await y.data(), want);
    expect(await tm.cartesianProd([tm.tensor([1, 2])]).array()).toEqual([1, 2]);
    expect(tm.cartesianProd([tm.tensor([1, 2]), tm.zeros([0])]).shape).toEqual([0, 2]);
  });

  it('refuses bad input by name', () => {
    expect(() => tm.cross(tm.zeros([2, 3]), tm.zeros([3]))).toThrow(new tm.ShapeError('cross: a [2,3] and b [3] must have one rank (expand one first)'));
    expect(() => tm.cross(tm.zeros([2, 4]), tm.zeros([2, 4]))).toThrow(new tm.ShapeError('cross: a [2,4] and b [2,4] must hold 3-vectors along axis -1'));
    expect(() => tm.blockDiag([])).toThrow(new tm.ValueError('blockDiag: needs a non-empty array of tensors'));
    expect(() => tm.blockDiag([tm.zeros([1, 1, 1])])).toThrow(new tm.ShapeError('blockDiag: tensors[0] [1,1,1] has more than two axes'));
    expect(() => tm.blockDiag([tm.zeros([1]), tm.zeros([1], { dtype: 'i32' })])).toThrow(new tm.DTypeError('blockDiag: tensors[1] is i32, tensors[0] f32; they must match'));
    expect(() => tm.cartesianProd([tm.zeros([2, 2])])).toThrow(new tm.ShapeError('cartesianProd: tensors[0] [2,2] is not a vector'));
  });
});

describe.each(BACKENDS)('combinations on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it('are itertools.combinations (and with replacement) of a vector\'s entries, in order of their positions; the gradient counts each entry\'s uses', async () => {
    const x = tm.tensor([10, 20, 30, 40]);
    expect(await tm.combinations(x).array()).toEqual([[10, 20], [10, 30], [10, 40], [20, 30], [20, 40], [30, 40]]);
    expect(await tm.combinations(x, { r: 3 }).array()).toEqual([[10, 20, 30], [10, 20, 40], [10, 30, 40], [20, 30, 40]]);
    expect(await tm.combinations(tm.tensor([1, 2, 3]), { withReplacement: true }).array()).toEqual([[1, 1], [1, 2], [1, 3], [2, 2], [2, 3], [3, 3]]);
    expect(tm.combinations(x, { r: 5 }).shape).toEqual([0, 5]);
    expect(tm.combinations(tm.tensor([1, 2], [2], { dtype: 'i8' })).dtype).toBe('i8');
    x.requiresGrad = true;
    tm.combinations(x, { r: 3 }).sum().backward();
    expect(await x.grad!.array()).toEqual([3, 3, 3, 3]);
    expect(() => tm.combinations(tm.zeros([2, 2]))).toThrow(new tm.ShapeError('combinations: x [2,2] is not a vector'));
  });
});
