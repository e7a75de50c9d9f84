// Tensor lifetimes: dispose, views, tidy, memory(), and errors that leave everything intact.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../src/index.js';
import { BACKENDS } from './helpers/backends.js';

describe.each(BACKENDS)('memory and lifetimes on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it('counts tensors and bytes, and gives them back on dispose', () => {
    const start = tm.memory();
    const a = tm.zeros([10, 10]);
    const b = tm.zeros([4], { dtype: 'f16' });
    expect(tm.memory().numTensors).toBe(start.numTensors + 2);
    expect(tm.memory().numBytes).toBe(start.numBytes + 400 + 8);
    expect(tm.memory().backends[backend]!.numBytes).toBe((start.backends[backend]?.numBytes ?? 0) + 408);
    a.dispose();
    b.dispose();
    a.dispose(); // twice is harmless
    expect(tm.memory()).toMatchObject({ numTensors: start.numTensors, numBytes: start.numBytes });
  });

  it('a view keeps storage alive until the last holder is disposed', async () => {
    const start = tm.memory();
    const a = tm.tensor([1, 2, 3, 4]);
    const v = a.reshape([2, 2]);
    a.dispose();
    expect(tm.memory().numBytes).toBe(start.numBytes + 16);
    expect(await v.array()).toEqual([[1, 2], [3, 4]]);
    v.dispose();
    expect(tm.memory()).toEqual(start);
  });

  it('tidy frees intermediates and keeps what the function returns, also inside arrays and objects', async () => {
    const start = tm.memory().numTensors;
    const x = tm.tensor([1, 2, 3]);
    const kept = tm.tidy(() => {
      const y = x.mul(2).add(1);
      return { y, parts: [y.sum(), x.max()] };
    });
    expect(tm.memory().numTensors).toBe(start + 4);
    expect(await kept.parts[0].item()).toBe(15);
    const inner = tm.tidy(() => tm.tidy(() => x.exp()));
    expect(inner.isDisposed).toBe(false);
    const kept2 = tm.tidy(() => tm.keep(x.neg()));
    expect(kept2.isDisposed).toBe(false);
    for (const t of [x, kept.y, ...kept.parts, inner, kept2]) t.dispose();
    expect(tm.memory().numTensors).toBe(start);
  });

  it('tidy disposes its tensors and rethrows when the function throws; rejects async functions', () => {
    const start = tm.memory().numTensors;
    expect(() => tm.tidy(() => {
      tm.zeros([3]);
      throw new Error('boom');
    })).toThrow('boom');
    expect(tm.memory().numTensors).toBe(start);
    expect(() => tm.tidy(() => Promise.resolve(1) as unknown as number)).toThrow(/tidy is synchronous/);
  });

  it('using a disposed tensor throws DisposedTensorError naming it', async () => {
    const t = tm.zeros([2, 3]);
    t.dispose();
    expect(() => t.add(1)).toThrow(tm.DisposedTensorError);
    expect(() => t.add(1)).toThrow(/add: tensor #\d+ \[2,3\] f32 was disposed/);
    await expect(t.data()).rejects.toThrow(/data: tensor #\d+ \[2,3\] f32 was disposed/);
    expect(t.isDisposed).toBe(true);
  });

  it('a failed op changes no input and leaks nothing', async () => {
    const a = tm.tensor([[1, 2, 3], [4, 5, 6]]);
    const b = tm.tensor([1, 2]);
    const row = b.reshape([1, 2]);
    const before = tm.memory();
    expect(() => a.add(b)).toThrow(tm.ShapeError);
    expect(() => a.matmul(row)).toThrow(tm.ShapeError);
    expect(() => tm.concat([a, b])).toThrow(tm.ShapeError);
    expect(() => a.reshape([4])).toThrow(tm.ShapeError);
    expect(() => a.sum(5)).toThrow(tm.ShapeError);
    expect(tm.memory()).toEqual(before);
    expect(await a.array()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(await b.array()).toEqual([1, 2]);
  });
});

describe('errors at the boundary', () => {
  it('name the problem and the values', () => {
    expect(() => tm.zeros([2, 3]).add(tm.zeros([4, 3]))).toThrow('add: shapes [2,3] and [4,3] cannot be broadcast together (axis 0: 2 vs 4)');
    expect(() => tm.tensor([[1, 2], [3]])).toThrow(tm.ValueError);
    expect(() => tm.tensor([[1, 2], [3]])).toThrow('tensor: ragged nested array: [1] has length 1 where shape [2,2] expects length 2');
    expect(() => tm.tensor([[1, 2], 3] as unknown as number[][])).toThrow(/ragged nested array/);
    expect(() => tm.tensor(['a'] as unknown as number[])).toThrow(/element at \[0\] is string, expected a number/);
    expect(() => tm.tensor([1], { dtype: 'f64' as tm.DType })).toThrow(tm.DTypeError);
    expect(() => tm.tensor([1], { dtype: 'float32' as tm.DType })).toThrow('tensor: unknown dtype "float32"; expected one of f32, f16, i8, i32');
    expect(() => tm.zeros([2, 3]).cast('bool' as tm.DType)).toThrow(/cast: unknown dtype "bool"/);
    for (const bad of [NaN, Infinity, -1, 1.5]) {
      expect(() => tm.zeros([2, bad])).toThrow(tm.ShapeError);
      expect(() => tm.zeros([2, bad])).toThrow(/sizes must be finite non-negative integers/);
    }
    expect(() => tm.tensor(new Float32Array(5), [2, 3])).toThrow('tensor: 5 values do not fill shape [2,3] (6 elements)');
    expect(() => tm.add(tm.zeros([1]), 'x' as unknown as number)).toThrow(/add: b must be a Tensor, got string/);
  });

  it('backend choice: unknown names are ValueErrors; a backend that cannot run is BackendUnavailableError', async () => {
    await expect(tm.init({ backend: 'tpu' as tm.BackendName })).rejects.toThrow(tm.ValueError);
    await expect(tm.init({ backend: 'webgpu' })).rejects.toThrow(tm.BackendUnavailableError);
    await expect(tm.init({ backend: 'webgpu' })).rejects.toThrow(/webgpu is unavailable/);
  });

  it('mixing tensors from two backends says so', async () => {
    await tm.init({ backend: 'js' });
    const a = tm.zeros([2]);
    await tm.init({ backend: 'native' });
    const b = tm.zeros([2]);
    expect(() => a.add(b)).toThrow(tm.BackendMismatchError);
    expect(() => a.add(b)).toThrow('add: inputs live on different backends (js and native)');
  });
});
