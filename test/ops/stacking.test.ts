// hstack, vstack, dstack, columnStack and atleast1d/2d/3d as NumPy's, on
// every backend: the shapes NumPy gives for scalars, vectors, matrices and
// higher ranks, the values against a float64 concatenation, the gradient
// split back to each input, and mismatched shapes refused with every shape.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, uniform } from '../helpers/data.js';
import { concatRef, f64, size } from '../helpers/float64.js';

describe.each(BACKENDS)('stacking on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it('atleast1d, atleast2d and atleast3d add axes of 1 where NumPy puts them, and leave higher ranks alone', () => {
    const cases: [number[], number[], number[], number[]][] = [
      [[], [1], [1, 1], [1, 1, 1]],
      [[5], [5], [1, 5], [1, 5, 1]],
      [[3, 5], [3, 5], [3, 5], [3, 5, 1]],
      [[2, 3, 5], [2, 3, 5], [2, 3, 5], [2, 3, 5]],
      [[2, 3, 5, 7], [2, 3, 5, 7], [2, 3, 5, 7], [2, 3, 5, 7]],
    ];
    for (const [shape, one, two, three] of cases) {
      const x = tm.zeros(shape);
      expect([tm.atleast1d(x).shape, tm.atleast2d(x).shape, tm.atleast3d(x).shape], `from ${JSON.stringify(shape)}`).toEqual([one, two, three]);
    }
  });

  it.each([
    { name: 'hstack', shapes: [[3], [7], [1]], axis: 0, raised: [[3], [7], [1]] },
    { name: 'hstack', shapes: [[4, 3], [4, 7]], axis: 1, raised: [[4, 3], [4, 7]] },
    { name: 'hstack', shapes: [[2, 1, 3], [2, 5, 3]], axis: 1, raised: [[2, 1, 3], [2, 5, 3]] },
    { name: 'vstack', shapes: [[5], [5], [5]], axis: 0, raised: [[1, 5], [1, 5], [1, 5]] },
    { name: 'vstack', shapes: [[2, 5], [5], [3, 5]], axis: 0, raised: [[2, 5], [1, 5], [3, 5]] },
    { name: 'dstack', shapes: [[3, 4], [3, 4, 2]], axis: 2, raised: [[3, 4, 1], [3, 4, 2]] },
    { name: 'dstack', shapes: [[7], [7]], axis: 2, raised: [[1, 7, 1], [1, 7, 1]] },
    { name: 'columnStack', shapes: [[5], [5, 2], [5]], axis: 1, raised: [[5, 1], [5, 2], [5, 1]] },
  ] as const)('$name of $shapes joins along axis $axis, as NumPy\'s, and splits the gradient back', async ({ name, shapes, axis, raised }) => {
    const values = shapes.map((s) => asF32(uniform(size([...s]))));
    const xs = values.map((v, i) => {
      const t = tm.tensor(v, [...shapes[i]]);
      t.requiresGrad = true;
      return t;
    });
    const y = tm[name](xs);
    const want = concatRef(values.map((v, i) => f64([...raised[i]], v)), axis);
    expect(y.shape).toEqual(want.shape);
    expect(Array.from(await y.data())).toEqual(Array.from(want.v));
    const r = asF32(uniform(size(want.shape)));
    y.mul(tm.tensor(r, want.shape)).sum().backward();
    let offset = 0;
    const parts = raised.map((s) => (s as readonly number[])[axis]);
    for (const [i, x] of xs.entries()) {
      // Input i's gradient: r's slab along the axis where its entries went.
      const slab = tm.tensor(r, want.shape).slice(want.shape.map((_, d) => (d === axis ? offset : 0)), want.shape.map((s, d) => (d === axis ? parts[i] : s)));
      expect(Array.from(await x.grad!.data()), `input ${i}`).toEqual(Array.from(await slab.data()));
      offset += parts[i];
    }
  });

  it('keeps the dtype, ints included', async () => {
    const y = tm.vstack([tm.tensor([1, 2], [2], { dtype: 'i32' }), tm.tensor([3, 4], [2], { dtype: 'i32' })]);
    expect([y.dtype, await y.array()]).toEqual(['i32', [[1, 2], [3, 4]]]);
  });
});

describe('stacking', () => {
  it('refuses an empty list and shapes that do not line up, naming every shape', () => {
    expect(() => tm.hstack([])).toThrow(new tm.ValueError('hstack: needs a non-empty list of tensors'));
    expect(() => tm.vstack([tm.zeros([3]), tm.zeros([4])])).toThrow(new tm.ShapeError('vstack: the shapes [3], [4] do not match except along axis 0'));
    expect(() => tm.hstack([tm.zeros([2, 3]), tm.zeros([3, 3])])).toThrow(new tm.ShapeError('hstack: the shapes [2,3], [3,3] do not match except along axis 1'));
    expect(() => tm.dstack([tm.zeros([2, 3]), tm.zeros([3])])).toThrow(new tm.ShapeError('dstack: the shapes [2,3], [3] do not match except along axis 2'));
    expect(() => tm.columnStack([tm.zeros([3]), tm.zeros([4])])).toThrow(new tm.ShapeError('columnStack: the shapes [3], [4] do not match except along axis 1'));
  });
});
