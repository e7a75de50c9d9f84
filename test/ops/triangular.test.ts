import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectExact, uniform } from '../helpers/data.js';

describe.each(BACKENDS)('tril and triu on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each([[[5, 5]], [[3, 7]], [[7, 3]], [[2, 4, 6]], [[1, 1]]])('keep one triangle of every matrix of %j, for diagonals below, on and above the main one', async (shape) => {
    const [rows, columns] = shape.slice(-2);
    const v = Float32Array.from(uniform(shape.reduce((a, b) => a * b, 1)));
    const x = tm.tensor(v, shape);
    for (const diagonal of [-2, -1, 0, 1, 3]) {
      const keep = (i: number, lower: boolean) => {
        const [r, c] = [Math.floor(i / columns) % rows, i % columns];
        return lower ? c - r <= diagonal : c - r >= diagonal;
      };
      expectExact(await x.tril(diagonal).data(), Array.from(v, (val, i) => (keep(i, true) ? val : 0)), `tril ${diagonal}`);
      expectExact(await x.triu(diagonal).data(), Array.from(v, (val, i) => (keep(i, false) ? val : 0)), `triu ${diagonal}`);
    }
  });

  it('keep the dtype; pass the gradient to the kept entries only; triu(ones, 1) is a causal mask', async () => {
    expect(tm.ones([3, 3], { dtype: 'i32' }).tril().dtype).toBe('i32');
    const x = tm.ones([3, 3]);
    x.requiresGrad = true;
    x.tril().sum().backward();
    expect(await x.grad!.array()).toEqual([[1, 0, 0], [1, 1, 0], [1, 1, 1]]);
    expect(await tm.ones([3, 3]).triu(1).array()).toEqual([[0, 1, 1], [0, 0, 1], [0, 0, 0]]);
    expect(() => tm.tril(tm.ones([3]))).toThrow('tril: x must have two axes or more (a matrix, or a batch of them), got [3]');
    expect(() => tm.triu(tm.ones([2, 2]), 0.5)).toThrow('triu: diagonal must be an integer, got 0.5');
  });
});
