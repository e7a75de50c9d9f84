import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { f16Bits, f16Value } from '../../src/f16.js';
import { BACKENDS } from '../helpers/backends.js';
import { uniform } from '../helpers/data.js';

describe.each(BACKENDS)('cast and oneHot on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it('to ints truncates toward zero, saturates, and maps NaN to 0', async () => {
    const x = tm.tensor([1.9, -1.9, 300, -300, NaN, 3e10, -Infinity]);
    expect(Array.from(await x.cast('i8').data())).toEqual([1, -1, 127, -128, 0, 127, -128]);
    expect(Array.from(await x.cast('i32').data())).toEqual([1, -1, 300, -300, 0, 2147483647, -2147483648]);
    expect(Array.from(await tm.tensor(new Int32Array([1000, -1000, 5]), [3]).cast('i8').data())).toEqual([127, -128, 5]);
  });

  it('to f16 rounds to nearest even, exactly as the reference encoder; back to f32 is exact', async () => {
    const values = Float32Array.from([...uniform(2000, -70000, 70000), ...uniform(500, -1e-4, 1e-4), 65504, 65519, 65520, 2049, 2051, 1 + 2 ** -11]);
    const half = tm.tensor(values, [values.length]).cast('f16');
    expect(half.dtype).toBe('f16');
    const got = await half.data();
    values.forEach((v, i) => expect(got[i], `value ${v}`).toBe(f16Value(f16Bits(v))));
    const back = half.cast('f32');
    expect(Array.from(await back.data())).toEqual(Array.from(got));
  });

  it('ints to floats are exact where the float can hold them', async () => {
    expect(Array.from(await tm.tensor(new Int32Array([-7, 16777216]), [2]).cast('f32').data())).toEqual([-7, 16777216]);
    expect(Array.from(await tm.tensor(new Int8Array([-128, 127]), [2]).cast('f16').data())).toEqual([-128, 127]);
  });

  it('oneHot puts a 1 at each index (out-of-range gives a zero row)', async () => {
    const idx = tm.tensor(new Int32Array([2, 0, 5, -1]), [4]);
    const h = idx.oneHot(3);
    expect(h.dtype).toBe('f32');
    expect(await h.array()).toEqual([[0, 0, 1], [1, 0, 0], [0, 0, 0], [0, 0, 0]]);
    expect(tm.tensor(new Int8Array([1]), [1]).oneHot(2, 'i32').dtype).toBe('i32');
    expect(() => tm.tensor([1.5]).oneHot(3)).toThrow('oneHot: indices must be i32 or i8, got f32');
  });
});
