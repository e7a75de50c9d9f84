import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';

describe.each(BACKENDS)('making tensors on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it('from nested arrays, a number, or a typed array with a shape', async () => {
    const a = tm.tensor([[1, 2, 3], [4, 5, 6]]);
    expect([a.shape, a.dtype, a.size, a.rank, a.backend]).toEqual([[2, 3], 'f32', 6, 2, backend]);
    expect(await a.array()).toEqual([[1, 2, 3], [4, 5, 6]]);
    const s = tm.tensor(3.5);
    expect(s.shape).toEqual([]);
    expect(await s.item()).toBe(3.5);
    const t = tm.tensor(new Float32Array([1, 2, 3, 4, 5, 6]), [3, 2]);
    expect(await t.array()).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(tm.tensor(new Int32Array([1]), [1]).dtype).toBe('i32');
    expect(tm.tensor(new Int8Array([1]), [1]).dtype).toBe('i8');
    expect(tm.tensor([[]]).shape).toEqual([1, 0]);
  });

  it('copies the input: changing the source afterwards changes nothing', async () => {
    const src = new Float32Array([1, 2]);
    const t = tm.tensor(src, [2]);
    src[0] = 99;
    expect(Array.from(await t.data())).toEqual([1, 2]);
    const out = await t.data();
    out[1] = 42;
    expect(Array.from(await t.data())).toEqual([1, 2]);
  });

  it('in each dtype; f16 rounds, ints must be whole and in range', async () => {
    expect(Array.from(await tm.tensor([0.1, 70000], { dtype: 'f16' }).data())).toEqual([0.0999755859375, Infinity]);
    expect(Array.from(await tm.tensor([-128, 127], { dtype: 'i8' }).data())).toEqual([-128, 127]);
    expect(() => tm.tensor([300], { dtype: 'i8' })).toThrow("tensor: value 300 at flat index 0 is not an integer in i8's range [-128, 127]");
    expect(() => tm.tensor([1.5], { dtype: 'i32' })).toThrow(/value 1.5 at flat index 0/);
  });

  it('zeros, ones, fill, arange', async () => {
    expect(await tm.zeros([2, 2]).array()).toEqual([[0, 0], [0, 0]]);
    expect(await tm.ones([3], { dtype: 'i32' }).array()).toEqual([1, 1, 1]);
    expect(await tm.fill([2], 7).array()).toEqual([7, 7]);
    expect(await tm.arange(5).array()).toEqual([0, 1, 2, 3, 4]);
    expect(tm.arange(5).dtype).toBe('i32');
    expect(await tm.arange(1, 2, 0.25).array()).toEqual([1, 1.25, 1.5, 1.75]);
    expect(await tm.arange(5, 0, -2).array()).toEqual([5, 3, 1]);
    expect(tm.arange(3, 3).shape).toEqual([0]);
    expect(() => tm.arange(0, 1, 0)).toThrow('arange: step must not be 0');
  });

  it('rand and randn are seeded: same seed, same values; different seeds differ', async () => {
    const a = Array.from(await tm.randn([1000], { seed: 4 }).data());
    const b = Array.from(await tm.randn([1000], { seed: 4 }).data());
    const c = Array.from(await tm.randn([1000], { seed: 5 }).data());
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    const mean = a.reduce((s, v) => s + v, 0) / a.length;
    const std = Math.sqrt(a.reduce((s, v) => s + (v - mean) ** 2, 0) / a.length);
    expect(Math.abs(mean)).toBeLessThan(0.1);
    expect(Math.abs(std - 1)).toBeLessThan(0.1);
    const u = await tm.rand([1000], { seed: 1, min: 2, max: 3 }).data();
    expect(Math.min(...u)).toBeGreaterThanOrEqual(2);
    expect(Math.max(...u)).toBeLessThan(3);
    expect(tm.randn([2], { dtype: 'f16' }).dtype).toBe('f16');
    expect(() => tm.rand([2], { dtype: 'i32' })).toThrow(/not a float dtype/);
  });

  it('setSeed makes unseeded draws reproducible', async () => {
    tm.setSeed(9);
    const a = await tm.randn([5]).data();
    tm.setSeed(9);
    expect(await tm.randn([5]).data()).toEqual(a);
  });
});
