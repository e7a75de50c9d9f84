// Reductions on every backend: any set of axes, keepDims, odd sizes, NaN, ties, ints.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF16, asF32, expectClose, uniform } from '../helpers/data.js';
import { f64, map, reduceAxes, size } from '../helpers/float64.js';

const AXES: (number[] | undefined)[] = [undefined, [0], [1], [2], [0, 2], [1, 2], [0, 1, 2]];

describe.each(BACKENDS)('reductions on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  describe.each([[[4, 5, 6]], [[3, 1, 7]], [[1, 13, 2]]])('of shape %j', (shape) => {
    const all = (axes?: number[]) => axes ?? shape.map((_, i) => i);

    it.each(AXES)('sum, mean, max, min over axes %j, with and without keepDims', async (axes) => {
      const x = f64(shape, asF32(uniform(size(shape))));
      const t = tm.tensor(Float32Array.from(x.v), shape);
      const count = all(axes).reduce((s, a) => s * shape[a], 1);
      for (const keepDims of [false, true]) {
        const cases: [tm.Tensor, ReturnType<typeof reduceAxes>][] = [
          [t.sum(axes, { keepDims }), reduceAxes(x, all(axes), 0, (s, v) => s + v, keepDims)],
          [t.mean(axes, { keepDims }), map(reduceAxes(x, all(axes), 0, (s, v) => s + v, keepDims), (v) => v / count)],
          [t.max(axes, { keepDims }), reduceAxes(x, all(axes), -Infinity, Math.max, keepDims)],
          [t.min(axes, { keepDims }), reduceAxes(x, all(axes), Infinity, Math.min, keepDims)],
        ];
        for (const [got, want] of cases) {
          expect(got.shape).toEqual(want.shape);
          expectClose(await got.data(), want.v, 1e-5);
        }
      }
    });
  });

  it.each([[[127, 129], 0], [[127, 129], 1], [[1000, 3], 0], [[3, 5000], 1]])('sums %j along axis %i accurately', async (shape, axis) => {
    const x = f64(shape, asF32(uniform(size(shape), 0, 1)));
    const got = tm.tensor(Float32Array.from(x.v), shape).sum(axis);
    expectClose(await got.data(), reduceAxes(x, [axis], 0, (s, v) => s + v).v, 1e-5);
  });

  it('f16 reductions store f16', async () => {
    const x = f64([9, 33], asF16(uniform(297)));
    const s = tm.tensor(Float32Array.from(x.v), [9, 33], { dtype: 'f16' }).sum(1);
    expect(s.dtype).toBe('f16');
    expectClose(await s.data(), asF16(reduceAxes(x, [1], 0, (a, v) => a + v).v), 2e-2);
  });

  it('NaN propagates through max and min; argmax takes the first NaN', async () => {
    const t = tm.tensor([[1, NaN, 3], [4, 5, 6]]);
    expect(Array.from(await t.max(1).data())).toEqual([NaN, 6]);
    expect(Array.from(await t.min(1).data())).toEqual([NaN, 4]);
    expect(Array.from(await t.argmax(1).data())).toEqual([1, 2]);
  });

  it('argmax and argmin return the first index on ties, i32, flattened when no axis is given', async () => {
    const t = tm.tensor([[3, 7, 7], [2, 2, 1], [5, 0, 0]]);
    const am = t.argmax(1);
    expect(am.dtype).toBe('i32');
    expect(Array.from(await am.data())).toEqual([1, 0, 0]);
    expect(Array.from(await t.argmin(1).data())).toEqual([0, 2, 1]);
    expect(Array.from(await t.argmax(0).data())).toEqual([2, 0, 0]);
    expect(await t.argmax().item()).toBe(1);
    expect(t.argmax(1, { keepDims: true }).shape).toEqual([3, 1]);
    const big = f64([37, 129], asF32(uniform(37 * 129)));
    const got = await tm.tensor(Float32Array.from(big.v), big.shape).argmax(1).data();
    for (let r = 0; r < 37; r++) {
      const row = Array.from(big.v.subarray(r * 129, (r + 1) * 129));
      expect(got[r]).toBe(row.indexOf(Math.max(...row)));
    }
  });

  it('integer sums stay in i32 (i8 widens); mean of ints is f32', async () => {
    const i8 = tm.tensor(new Int8Array([100, 100, 100]), [3]);
    expect(i8.sum().dtype).toBe('i32');
    expect(await i8.sum().item()).toBe(300);
    const i32 = tm.tensor(new Int32Array([1, 2]), [2]);
    expect(i32.mean().dtype).toBe('f32');
    expect(await i32.mean().item()).toBe(1.5);
  });

  it('empty axes: sum is 0, mean NaN, max an error', async () => {
    const e = tm.zeros([0, 3]);
    expect(Array.from(await e.sum(0).data())).toEqual([0, 0, 0]);
    expect(Array.from(await e.mean(0).data())).toEqual([NaN, NaN, NaN]);
    expect(() => e.max(0)).toThrow('max: cannot reduce [0,3] over an empty axis');
    expect(() => e.argmax()).toThrow(/argmax: \[0,3\] is empty/);
  });
});
