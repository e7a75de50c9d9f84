// sliceScatter, selectScatter and diagonalScatter as PyTorch's, on every
// backend, against float64 written here: the entries the view would read
// replaced by src and every other entry of x kept, bit for bit, in any
// dtype; x itself unchanged; gradients to x's other entries and to src.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectExact, uniform } from '../helpers/data.js';
import { ravel, size, unravel } from '../helpers/float64.js';

/** x of `shape` with each entry whose multi-index `target` maps to a position of src (of `srcShape`) replaced by it. */
function replaced(x: Float64Array, shape: number[], src: Float64Array, srcShape: number[], target: (idx: number[]) => number[] | null): Float64Array {
  return x.map((v, i) => {
    const at = target(unravel(i, shape));
    return at ? src[ravel(at, srcShape)] : v;
  });
}

describe.each(BACKENDS)('view scatters on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each([
    [{ axis: 1, start: 1, end: 7, step: 2 }, [1, 3, 5]],
    [{ axis: -1, start: -3 }, [2, 3, 4]],
    [{ axis: 0, end: 2 }, [0, 1]],
    [{ axis: 1, start: 5, end: 50, step: 4 }, [5]],
    [{ axis: 1, start: 4, end: 2 }, []],
  ] as const)('sliceScatter %j writes positions %j', async (options, positions) => {
    const shape = [3, 7, 5];
    const a = ((options.axis ?? 0) + 3) % 3;
    const x = asF32(uniform(size(shape)));
    const srcShape = shape.map((d, i) => (i === a ? positions.length : d));
    const src = asF32(uniform(size(srcShape)));
    const X = tm.tensor(Float32Array.from(x), shape);
    const y = tm.sliceScatter(X, tm.tensor(Float32Array.from(src), srcShape), options);
    const want = replaced(x, shape, src, srcShape, (idx) => {
      const k = (positions as readonly number[]).indexOf(idx[a]);
      return k < 0 ? null : idx.map((v, d) => (d === a ? k : v));
    });
    expectExact(await y.data(), want, 'sliceScatter');
    expectExact(await X.data(), x, 'x unchanged');
  });

  it('selectScatter writes one index along an axis (negative from the end), in any dtype, bit for bit', async () => {
    const shape = [4, 3, 2];
    const x = Float64Array.from({ length: 24 }, (_, i) => i);
    for (const [axis, index] of [[0, 2], [1, -1], [2, 0]]) {
      const a = axis;
      const n = shape[a];
      const srcShape = shape.filter((_, d) => d !== a);
      const src = Float64Array.from({ length: size(srcShape) }, (_, i) => -1 - i);
      for (const dtype of ['f32', 'i32', 'f16', 'i8'] as const) {
        const y = tm.selectScatter(tm.tensor(x, shape, { dtype }), tm.tensor(src, srcShape, { dtype }), axis, index);
        const want = replaced(x, shape, src, srcShape, (idx) => (idx[a] === (index + n) % n ? idx.filter((_, d) => d !== a) : null));
        expect(y.dtype).toBe(dtype);
        expectExact(await y.data(), want, `selectScatter axis ${axis} ${dtype}`);
      }
    }
  });

  it.each([[0, 0, 1], [1, 0, 1], [-2, 0, 1], [2, 2, 0], [-1, -1, -3], [9, 0, 1]])('diagonalScatter offset %i in axes %i and %i of [2, 4, 5] matches diagonal\'s reading', async (offset, axis1, axis2) => {
    const shape = [2, 4, 5];
    const x = asF32(uniform(40));
    const X = tm.tensor(Float32Array.from(x), shape);
    const srcShape = [...tm.diagonal(X, { offset, axis1, axis2 }).shape];
    const src = asF32(uniform(size(srcShape)));
    const y = tm.diagonalScatter(X, tm.tensor(Float32Array.from(src), srcShape), { offset, axis1, axis2 });
    const [a1, a2] = [(axis1 + 3) % 3, (axis2 + 3) % 3];
    const rest = [0, 1, 2].filter((d) => d !== a1 && d !== a2);
    const want = replaced(x, shape, src, srcShape, (idx) => (idx[a2] - idx[a1] === offset ? [...rest.map((d) => idx[d]), Math.min(idx[a1], idx[a2])] : null));
    expectExact(await y.data(), want, 'diagonalScatter');
    expectExact(await tm.diagonal(y, { offset, axis1, axis2 }).data(), src, 'read back by diagonal');
  });

  it('gradients: dy to x where it was kept, to src where src was written', async () => {
    const x = tm.ones([3, 4]);
    const srcs = [tm.ones([3, 2]), tm.ones([4]), tm.ones([3])];
    for (const t of [x, ...srcs]) t.requiresGrad = true;
    const weights = tm.tensor(Float32Array.from({ length: 12 }, (_, i) => i + 1), [3, 4]);
    const total = tm.tidy(() => [
      tm.sliceScatter(x, srcs[0], { axis: 1, start: 1, step: 2 }),
      tm.selectScatter(x, srcs[1], 0, 1),
      tm.diagonalScatter(x, srcs[2]),
    ].reduce((s, y) => s.add(y.mul(weights).sum()), tm.scalar(0)));
    total.backward();
    const w = (i: number, j: number) => i * 4 + j + 1;
    // x's gradient: one weight from each scatter that kept the entry.
    const kept = Array.from({ length: 12 }, (_, e) => {
      const [i, j] = [Math.floor(e / 4), e % 4];
      return w(i, j) * ((j % 2 === 1 ? 0 : 1) + (i === 1 ? 0 : 1) + (i === j ? 0 : 1));
    });
    expect(Array.from(await x.grad!.data())).toEqual(kept);
    expect(Array.from(await srcs[0].grad!.data())).toEqual([w(0, 1), w(0, 3), w(1, 1), w(1, 3), w(2, 1), w(2, 3)]);
    expect(Array.from(await srcs[1].grad!.data())).toEqual([w(1, 0), w(1, 1), w(1, 2), w(1, 3)]);
    expect(Array.from(await srcs[2].grad!.data())).toEqual([w(0, 0), w(1, 1), w(2, 2)]);
  });

  it('refuses a src of the wrong shape or dtype, a bad index or step, naming them', () => {
    const x = tm.zeros([3, 4]);
    expect(() => tm.sliceScatter(x, tm.zeros([3, 2]), { axis: 1, start: 1 })).toThrow('sliceScatter: src [3,2] must have the shape of the slice 1:4:1 of axis 1, [3,3] (x is [3,4])');
    expect(() => tm.sliceScatter(x, tm.zeros([3, 4]), { step: 0 })).toThrow('sliceScatter: step must be positive, got 0');
    expect(() => tm.sliceScatter(x, tm.zeros([3, 4]), { start: 0.5 })).toThrow('sliceScatter: start must be an integer, got 0.5');
    expect(() => tm.selectScatter(x, tm.zeros([4]), 0, 3)).toThrow('selectScatter: index 3 is outside axis 0 of x [3,4] (length 3)');
    expect(() => tm.selectScatter(x, tm.zeros([3]), 0, 0)).toThrow('selectScatter: src [3] must have the shape of x without axis 0, [4] (x is [3,4])');
    expect(() => tm.selectScatter(x, tm.zeros([4], { dtype: 'i32' }), 0, 0)).toThrow("selectScatter: src is i32 and x f32; they must match (src.cast('f32'))");
    expect(() => tm.sliceScatter(x, tm.zeros([3, 4], { dtype: 'f16' }))).toThrow("sliceScatter: src is f16 and x f32; they must match (src.cast('f32'))");
    expect(() => tm.diagonalScatter(x, tm.zeros([4]))).toThrow('diagonalScatter: src [4] must have the shape of its diagonal 0 in axes 0 and 1, [3] (x is [3,4])');
    expect(() => tm.diagonalScatter(x, tm.zeros([3]), { axis1: 1, axis2: -1 })).toThrow('diagonalScatter: axis1 1 and axis2 -1 are the same axis of [3,4]');
    expect(() => tm.diagonalScatter(tm.zeros([3]), tm.zeros([3]))).toThrow('diagonalScatter: x must have two axes or more to hold a diagonal, got [3]');
  });
});
