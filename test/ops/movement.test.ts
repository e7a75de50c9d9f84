import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { uniform } from '../helpers/data.js';
import { f64, permute, ravel, size, unravel } from '../helpers/float64.js';

describe.each(BACKENDS)('data movement on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  const arange = (shape: number[], dtype: tm.DType = 'f32') => tm.arange(size(shape)).cast(dtype).reshape(shape);

  it('reshape infers one -1 and shares storage', async () => {
    const x = arange([2, 6]);
    const y = x.reshape([3, -1]);
    expect(y.shape).toEqual([3, 4]);
    expect(Array.from(await y.data())).toEqual(Array.from(await x.data()));
    const before = tm.memory().numBytes;
    const z = x.reshape([12]);
    expect(tm.memory().numBytes).toBe(before); // a view, not a copy
    x.dispose();
    expect(await z.data()).toHaveLength(12); // still alive through the view
  });

  it.each([[[2, 3, 4], [2, 0, 1]], [[2, 3, 4], [1, 2, 0]], [[5, 1, 7], [2, 1, 0]], [[67, 129], [1, 0]], [[3, 4], undefined]])(
    'transpose %j by %j', async (shape, perm) => {
      for (const dtype of ['f32', 'f16', 'i8', 'i32'] as const) {
        const x = f64(shape, Float64Array.from({ length: size(shape) }, (_, i) => (dtype === 'i8' ? (i % 200) - 100 : dtype === 'f16' ? i % 2048 : i)));
        const p = perm ?? [...shape.keys()].reverse();
        const got = tm.tensor(Float32Array.from(x.v), shape, { dtype }).transpose(perm);
        const want = permute(x, p);
        expect(got.shape).toEqual(want.shape);
        expect(Array.from(await got.data())).toEqual(Array.from(want.v));
      }
    },
  );

  it('slice takes begin/size with -1 and negative begins, on every dtype', async () => {
    for (const dtype of ['f32', 'f16', 'i8', 'i32'] as const) {
      const x = arange([4, 5, 6], dtype);
      const s = x.slice([1, -3, 2], [2, -1, 3]);
      expect(s.shape).toEqual([2, 3, 3]);
      const got = await s.data();
      for (let i = 0; i < got.length; i++) {
        const [a, b, c] = unravel(i, [2, 3, 3]);
        expect(got[i]).toBe(ravel([a + 1, b + 2, c + 2], [4, 5, 6]));
      }
    }
    expect(await arange([3, 4]).slice([1]).array()).toEqual([[4, 5, 6, 7], [8, 9, 10, 11]]);
  });

  it('concat along any axis promotes dtypes; stack adds an axis', async () => {
    const a = arange([2, 3]);
    const b = tm.tensor(new Int32Array([10, 11, 12, 13]), [2, 2]);
    const c = tm.concat([a, b], 1);
    expect(c.dtype).toBe('f32');
    expect(await c.array()).toEqual([[0, 1, 2, 10, 11], [3, 4, 5, 12, 13]]);
    expect(await tm.concat([a, a], 0).array()).toEqual([[0, 1, 2], [3, 4, 5], [0, 1, 2], [3, 4, 5]]);
    expect(await tm.concat([a, a], -1).array()).toEqual([[0, 1, 2, 0, 1, 2], [3, 4, 5, 3, 4, 5]]);
    const s = tm.stack([a, a.mul(2)], 1);
    expect(s.shape).toEqual([2, 2, 3]);
    expect(await s.array()).toEqual([[[0, 1, 2], [0, 2, 4]], [[3, 4, 5], [6, 8, 10]]]);
    const big = f64([65, 129], uniform(65 * 129));
    const halves = [tm.tensor(Float32Array.from(big.v), [65, 129]).slice([0, 0], [65, 60]), tm.tensor(Float32Array.from(big.v), [65, 129]).slice([0, 60])];
    expect(Array.from(await tm.concat(halves, 1).data())).toEqual(Array.from(Float32Array.from(big.v)));
  });

  it('broadcastTo, expandDims, squeeze, pad', async () => {
    expect(await tm.tensor([[1], [2]]).broadcastTo([2, 2, 3]).array()).toEqual([[[1, 1, 1], [2, 2, 2]], [[1, 1, 1], [2, 2, 2]]]);
    expect(tm.zeros([3, 4]).expandDims(1).shape).toEqual([3, 1, 4]);
    expect(tm.zeros([3, 4]).expandDims(-1).shape).toEqual([3, 4, 1]);
    expect(tm.zeros([1, 3, 1]).squeeze().shape).toEqual([3]);
    expect(tm.zeros([1, 3, 1]).squeeze(2).shape).toEqual([1, 3]);
    expect(await tm.tensor([[1, 2]]).pad([[1, 0], [0, 2]], 9).array()).toEqual([[9, 9, 9, 9], [1, 2, 9, 9]]);
  });

  it('clone copies storage', async () => {
    const x = tm.tensor([1, 2, 3]);
    const y = x.clone();
    x.dispose();
    expect(Array.from(await y.data())).toEqual([1, 2, 3]);
  });

  it('bad movements name the shapes', () => {
    const x = tm.zeros([2, 3]);
    expect(() => x.reshape([4, 2])).toThrow('reshape: cannot reshape [2,3] (6 elements) into [4,2]');
    expect(() => x.reshape([-1, -1])).toThrow(/only one size may be -1/);
    expect(() => x.transpose([0, 0])).toThrow(/not a permutation/);
    expect(() => x.slice([1, 1], [2, 1])).toThrow(/falls outside \[2,3\] on axis 0/);
    expect(() => tm.concat([x, tm.zeros([3, 3])], 1)).toThrow(/shapes \[2,3\], \[3,3\] differ off axis 1/);
    expect(() => x.broadcastTo([3, 3])).toThrow(/cannot be broadcast/);
    expect(() => x.squeeze(0)).toThrow(/axis 0 of \[2,3\] has size 2, not 1/);
    expect(() => x.sum(2)).toThrow('sum: axis 2 is out of range for a tensor of rank 2');
  });
});
