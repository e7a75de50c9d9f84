// cast between every pair of dtypes, and oneHot, on every backend, against
// conversions written in the test: to ints truncate toward zero and saturate
// (NaN → 0), to f16 round to nearest even from the exact source value.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectExact, intsOf, randomInts, uniform } from '../helpers/data.js';
import { castRef, roundF16, size } from '../helpers/float64.js';

const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 0.5, -0.5, 1.9, -1.9, 127.5, -128.5, 128, -129, 255, 2049, 2051, 65504, 65519, 65520, -65520,
  2147483520, -2147483648, 3e9, -3e9, 1e-8, 2 ** -25, 3 * 2 ** -26];

/** Source values a `dtype` tensor can hold: wide-ranging floats with special values, or the int range. */
function sourceValues(dtype: tm.DType, n: number): Float64Array {
  if (dtype === 'i8' || dtype === 'i32') return intsOf(dtype, n);
  const v = Float64Array.from([...SPECIAL, ...uniform(n, -300, 300), ...uniform(n, -1e5, 1e5), ...uniform(n, -1e-3, 1e-3)]);
  return dtype === 'f16' ? v.map(roundF16) : asF32(v);
}

describe.each(BACKENDS)('cast and oneHot on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it.each(tm.DTYPES.flatMap((from) => tm.DTYPES.map((to) => [from, to] as const)))('%s → %s converts every value exactly as defined', async (from, to) => {
    const x = sourceValues(from, 300);
    const y = tm.tensor(x, [x.length], { dtype: from }).cast(to);
    expect([y.shape, y.dtype]).toEqual([[x.length], to]);
    expectExact(await y.data(), x.map((v) => castRef(v, to)), `${from} → ${to}`);
  });

  it.each([[[]], [[1]], [[13, 31]], [[0, 3]], [[3, 1, 7]]])('keeps the shape %j', async (shape) => {
    const x = uniform(size(shape), -200, 200);
    for (const to of tm.DTYPES) {
      const y = tm.tensor(x, shape).cast(to);
      expect(y.shape).toEqual(shape);
      expectExact(await y.data(), asF32(x).map((v) => castRef(v, to)), to);
    }
  });

  it('to ints truncates toward zero, saturates at the range, and maps NaN to 0', async () => {
    const x = tm.tensor([1.9, -1.9, -0.5, 300, -300, NaN, 3e10, -Infinity, Infinity]);
    expect(Array.from(await x.cast('i8').data())).toEqual([1, -1, 0, 127, -128, 0, 127, -128, 127]);
    expect(Array.from(await x.cast('i32').data())).toEqual([1, -1, 0, 300, -300, 0, 2147483647, -2147483648, 2147483647]);
    expect(Array.from(await tm.tensor(new Int32Array([1000, -1000, 5]), [3]).cast('i8').data())).toEqual([127, -128, 5]);
    expect(Array.from(await tm.tensor([NaN, Infinity, -Infinity, 65504], { dtype: 'f16' }).cast('i32').data())).toEqual([0, 2147483647, -2147483648, 65504]);
  });

  it('to f16 rounds to nearest even, overflowing to Infinity from 65520; back to f32 is exact', async () => {
    const values = Float32Array.from([...uniform(2000, -70000, 70000), ...uniform(500, -1e-4, 1e-4), 65504, 65519, 65520, 2049, 2051, 1 + 2 ** -11, -0]);
    const half = tm.tensor(values, [values.length]).cast('f16');
    expect(half.dtype).toBe('f16');
    const got = await half.data();
    expectExact(got, Array.from(values, roundF16));
    expect(Object.is(got[got.length - 1], -0)).toBe(true);
    expectExact(await half.cast('f32').data(), got);
    expect(Array.from(await tm.tensor(new Int32Array([2049, 2051, 65519, 65520, -100000]), [5]).cast('f16').data())).toEqual([2048, 2052, 65504, Infinity, -Infinity]);
  });

  it('ints to floats are exact where the float can hold them', async () => {
    expect(Array.from(await tm.tensor(new Int32Array([-7, 16777216, 16777217]), [3]).cast('f32').data())).toEqual([-7, 16777216, 16777216]);
    expect(Array.from(await tm.tensor(new Int8Array([-128, 127]), [2]).cast('f16').data())).toEqual([-128, 127]);
  });

  it('to the same dtype is a view: no new storage', () => {
    for (const dtype of tm.DTYPES) {
      const t = tm.zeros([5, 3], { dtype });
      const before = tm.memory().numBytes;
      const same = t.cast(dtype);
      expect(same.dtype).toBe(dtype);
      expect(tm.memory().numBytes).toBe(before);
      same.dispose();
      t.dispose();
    }
  });

  describe('oneHot', () => {
    it.each([[[7], 5], [[3, 4], 3], [[], 4], [[0], 3], [[129], 1], [[2, 0], 0]] as [number[], number][])('indices of shape %j, depth %i, in every output dtype and from i8 and i32 indices', async (shape, depth) => {
      const idx = randomInts(size(shape), 0, Math.max(depth - 1, 0));
      const want = new Float64Array(idx.length * depth);
      idx.forEach((j, i) => (want[i * depth + j] = 1));
      for (const from of ['i8', 'i32'] as const) {
        for (const dtype of tm.DTYPES) {
          const h = tm.tensor(idx, shape, { dtype: from }).oneHot(depth, dtype);
          expect([h.shape, h.dtype]).toEqual([[...shape, depth], dtype]);
          expectExact(await h.data(), want, `${from} → ${dtype}`);
        }
      }
    });

    it('defaults to f32; an index outside [0, depth) is an error naming it where indices can be read at once (js, native), a zero row on webgpu', async () => {
      const h = tm.tensor(new Int32Array([2, 0, 1]), [3]).oneHot(3);
      expect(h.dtype).toBe('f32');
      expect(await h.array()).toEqual([[0, 0, 1], [1, 0, 0], [0, 1, 0]]);
      const outside = tm.tensor(new Int32Array([2, 0, 5, -1]), [4]);
      if (backend === 'webgpu') expect(await outside.oneHot(3).array()).toEqual([[0, 0, 1], [1, 0, 0], [0, 0, 0], [0, 0, 0]]);
      else expect(() => outside.oneHot(3)).toThrow(new tm.ValueError('oneHot: index 5 (at 2 of indices [4]) is outside [0, 3)'));
      expect(() => tm.tensor([0.0, 1.0]).oneHot(2)).toThrow("oneHot: indices must be i32 or i8, got f32 (cast them: indices.cast('i32'))");
    });
  });
});
