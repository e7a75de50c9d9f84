// hsplit, vsplit and dsplit as NumPy's, on every backend: the pieces NumPy
// 1.24 gives (np.hsplit / np.vsplit / np.dsplit of np.arange(...), printed
// with .tolist() and embedded here), counts and index lists, negative and
// past-the-end indices included; the gradient stitched back from the
// pieces; dtypes kept; and NumPy's refusals (an uneven count, too few axes).
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, uniform } from '../helpers/data.js';

const arange = (shape: number[], dtype: tm.DType = 'f32') => tm.reshape(tm.arange(0, shape.reduce((a, b) => a * b, 1), 1, { dtype }), shape);

describe.each(BACKENDS)('hsplit, vsplit and dsplit on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it.each([
    // np.hsplit(np.arange(6), 3) and np.hsplit(np.arange(6), [1, 4]): a vector splits along axis 0.
    { name: 'hsplit', shape: [6], sections: 3, want: [[0, 1], [2, 3], [4, 5]] },
    { name: 'hsplit', shape: [6], sections: [1, 4], want: [[0], [1, 2, 3], [4, 5]] },
    // np.hsplit(np.arange(24).reshape(2, 4, 3), 2): axis 1.
    { name: 'hsplit', shape: [2, 4, 3], sections: 2, want: [[[[0, 1, 2], [3, 4, 5]], [[12, 13, 14], [15, 16, 17]]], [[[6, 7, 8], [9, 10, 11]], [[18, 19, 20], [21, 22, 23]]]] },
    // np.vsplit(np.arange(12).reshape(4, 3), [1, -1, 10]): -1 from the end, 10 clamped (an empty last piece).
    { name: 'vsplit', shape: [4, 3], sections: [1, -1, 10], want: [[[0, 1, 2]], [[3, 4, 5], [6, 7, 8]], [[9, 10, 11]], []] },
    // np.dsplit(np.arange(12).reshape(1, 2, 6), 3) and (..., [2, 3]).
    { name: 'dsplit', shape: [1, 2, 6], sections: 3, want: [[[[0, 1], [6, 7]]], [[[2, 3], [8, 9]]], [[[4, 5], [10, 11]]]] },
    { name: 'dsplit', shape: [1, 2, 6], sections: [2, 3], want: [[[[0, 1], [6, 7]]], [[[2], [8]]], [[[3, 4, 5], [9, 10, 11]]]] },
  ] as const)('$name of $shape by $sections gives NumPy\'s pieces', async ({ name, shape, sections, want }) => {
    const pieces = tm[name](arange([...shape]), sections as number | number[]);
    expect(await Promise.all(pieces.map((p) => p.array()))).toEqual(want);
    const lastShape = pieces[pieces.length - 1].shape;
    if (name === 'vsplit' && Array.isArray(sections)) expect(lastShape).toEqual([0, 3]);
  });

  it('splits an empty axis into empty pieces, and keeps the dtype, ints included', async () => {
    expect(tm.hsplit(tm.zeros([2, 0]), 2).map((p) => p.shape)).toEqual([[2, 0], [2, 0]]);
    for (const dtype of ['i32', 'i8', 'f16'] as const) {
      const pieces = tm.vsplit(arange([4, 2], dtype), 2);
      expect(pieces.map((p) => p.dtype)).toEqual([dtype, dtype]);
      expect(await pieces[1].array()).toEqual([[4, 5], [6, 7]]);
    }
  });

  it.each(['hsplit', 'vsplit', 'dsplit'] as const)('%s passes the gradient back to where each piece came from', async (name) => {
    const shape = [4, 6, 2];
    const values = asF32(uniform(48));
    const x = tm.tensor(values, shape);
    x.requiresGrad = true;
    const pieces = tm[name](x, 2);
    // Each piece weighted by its own number: x's gradient is that number over the piece's part of x.
    pieces.reduce((total: tm.Tensor | null, p, k) => {
      const term = p.mul(k + 1).sum();
      return total === null ? term : total.add(term);
    }, null)!.backward();
    const axis = { hsplit: 1, vsplit: 0, dsplit: 2 }[name];
    const grad = Array.from(await x.grad!.data());
    const strides = [12, 2, 1];
    grad.forEach((g, i) => {
      const at = Math.floor(i / strides[axis]) % shape[axis];
      expect(g, `entry ${i}`).toBe(at < shape[axis] / 2 ? 1 : 2);
    });
  });
});

describe('hsplit, vsplit and dsplit', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('refuse a count that does not divide the axis (NumPy\'s "array split does not result in an equal division")', () => {
    expect(() => tm.hsplit(tm.zeros([2, 5]), 2)).toThrow(new tm.ShapeError('hsplit: axis 1 of x [2,5] has 5 entries, which 2 sections do not divide evenly (tensorSplit allows uneven pieces)'));
    expect(() => tm.vsplit(tm.zeros([3, 2]), 2)).toThrow(/vsplit: axis 0 of x \[3,2\] has 3 entries/);
    expect(() => tm.dsplit(tm.zeros([1, 1, 4]), 3)).toThrow(/dsplit: axis 2 of x \[1,1,4\] has 4 entries/);
  });

  it('refuse too few axes, and sections that are neither a positive integer nor a list, naming them', () => {
    expect(() => tm.hsplit(tm.scalar(1), 1)).toThrow(new tm.ShapeError('hsplit: x is a scalar; it needs at least 1 axis'));
    expect(() => tm.vsplit(tm.zeros([4]), 2)).toThrow(new tm.ShapeError('vsplit: x [4] has 1 axes; it needs at least 2'));
    expect(() => tm.dsplit(tm.zeros([4, 2]), 2)).toThrow(new tm.ShapeError('dsplit: x [4,2] has 2 axes; it needs at least 3'));
    for (const bad of [0, -2, 1.5, NaN]) expect(() => tm.hsplit(tm.zeros([4]), bad)).toThrow(/hsplit: sections must be a positive integer or an array of indices/);
    expect(() => tm.hsplit(tm.zeros([4]), '2' as unknown as number)).toThrow(/hsplit: sections must be a positive integer or an array of indices, got "2"/);
    expect(() => tm.hsplit(tm.zeros([4]), [1.5])).toThrow(/indices must be an integer or an array of integers/);
    expect(() => tm.hsplit(3 as unknown as tm.Tensor, 1)).toThrow(/hsplit: x must be a Tensor/);
  });
});
