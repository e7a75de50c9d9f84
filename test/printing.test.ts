// Printing tensors: `await t.print()` and `await t.format()` show the values
// as NumPy and PyTorch do (nested brackets, aligned columns, one float format
// for all, large tensors summarised); console.log shows what the tensor is.
import { inspect } from 'node:util';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import * as tm from '../src/index.js';
import { formatValues } from '../src/printing.js';
import { BACKENDS } from './helpers/backends.js';

describe('formatValues', () => {
  it('floats with a fraction: fixed, 4 digits, aligned; integral floats as "2."; ints as they are', () => {
    expect(formatValues([0.1, -2.5, 3], [3], 'f32')).toBe('[ 0.1000, -2.5000,  3.0000]');
    expect(formatValues([1, 2, 3, 4, 5, 6], [2, 3], 'f32')).toBe('[[1., 2., 3.],\n [4., 5., 6.]]');
    expect(formatValues([1, -20, 300], [3], 'i32')).toBe('[  1, -20, 300]');
    expect(formatValues([-0, 1], [2], 'f32')).toBe('[-0.,  1.]');
    expect(formatValues([-0, 0.5], [2], 'f32')).toBe('[-0.0000,  0.5000]');
    expect(formatValues([0.5], [], 'f32')).toBe('0.5000');
    expect(formatValues([7], [], 'i8')).toBe('7');
  });

  it('goes scientific where fixed would hide digits: a spread over 1000×, magnitudes from 1e8, fractions under 1e-4', () => {
    expect(formatValues([1e-5, 1, 100], [3], 'f32')).toBe('[1.0000e-05, 1.0000e+00, 1.0000e+02]');
    expect(formatValues([1, 2000], [2], 'f32')).toBe('[1.0000e+00, 2.0000e+03]');
    expect(formatValues([1.5e8, 2e8], [2], 'f32')).toBe('[1.5000e+08, 2.0000e+08]');
    expect(formatValues([0.5, 200], [2], 'f32')).toBe('[  0.5000, 200.0000]');
    expect(formatValues([1e9, 1], [2], 'f32', { precision: 2 })).toBe('[1.00e+09, 1.00e+00]');
  });

  it('shows NaN and infinities by name, and chooses the format from the finite values', () => {
    expect(formatValues([NaN, Infinity, -Infinity, 1.5], [4], 'f32')).toBe('[   nan,    inf,   -inf, 1.5000]');
    expect(formatValues([NaN, 2], [2], 'f32')).toBe('[nan,  2.]');
  });

  it('separates the blocks of a 3-D tensor by a blank line, and shows empty axes as []', () => {
    expect(formatValues([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2], 'i32')).toBe('[[[1, 2],\n  [3, 4]],\n\n [[5, 6],\n  [7, 8]]]');
    expect(formatValues([], [2, 0], 'f32')).toBe('[[],\n []]');
    expect(formatValues([], [0], 'f32')).toBe('[]');
  });

  it('summarises past `threshold` elements to the first and last `edgeItems` of every axis', () => {
    const values = Array.from({ length: 100 * 100 }, (_, i) => i);
    const text = formatValues(values, [100, 100], 'i32');
    const lines = text.split('\n');
    expect(lines).toHaveLength(7);
    expect(lines[0]).toBe('[[   0,    1,    2, ...,   97,   98,   99],');
    expect(lines[3]).toBe(' ...,');
    expect(lines[6]).toBe(' [9900, 9901, 9902, ..., 9997, 9998, 9999]]');
    // The widths come from what is shown: 9999, not a hidden 5-digit value.
    expect(formatValues(Array.from({ length: 1001 }, (_, i) => i), [1001], 'i32', { edgeItems: 1 })).toBe('[   0, ..., 1000]');
    expect(formatValues([1, 2, 3, 4, 5], [5], 'i32', { threshold: 4, edgeItems: 2 })).toBe('[1, 2, ..., 4, 5]');
    // Infinity shows everything, however many: 130,000 values (spread into Math.max, they overflowed the stack).
    const all = formatValues(new Float64Array(130_000).map((_, i) => i), [130_000], 'i32', { threshold: Infinity });
    expect(all.match(/\d+/g)).toHaveLength(130_000);
    // At the threshold, everything.
    expect(formatValues([1, 2, 3, 4], [4], 'i32', { threshold: 4, edgeItems: 1 })).toBe('[1, 2, 3, 4]');
  });

  it('wraps a long row at lineWidth, continuing under its first element', () => {
    const text = formatValues(Array.from({ length: 30 }, (_, i) => i), [30], 'i32', { lineWidth: 40 });
    const lines = text.split('\n');
    expect(lines[0]).toBe('[ 0,  1,  2,  3,  4,  5,  6,  7,  8,  9,');
    expect(lines[1]).toBe(' 10, 11, 12, 13, 14, 15, 16, 17, 18, 19,');
    expect(lines.every((l) => l.length <= 41)).toBe(true);
    expect(text.replace(/[\s[\]]/g, '').split(',').map(Number)).toEqual(Array.from({ length: 30 }, (_, i) => i));
  });

  it('names a bad option', () => {
    expect(() => formatValues([1], [1], 'f32', { precision: -1 })).toThrow('format: precision must be a whole number ≥ 0 and ≤ 20, got -1');
    expect(() => formatValues([1], [1], 'f32', { threshold: 0.5 })).toThrow('format: threshold must be a whole number ≥ 0 (or Infinity), got 0.5');
    expect(() => formatValues([1], [1], 'f32', { edgeitems: 2 } as tm.PrintOptions)).toThrow(/unknown option "edgeitems" \(did you mean edgeItems\?\)/);
  });
});

describe.each(BACKENDS)('printing a tensor on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it('format() gives the values; print() logs the tensor and them', async () => {
    const t = tm.tensor([[1, 2.5], [-3, 4]]);
    expect(await t.format()).toBe('[[ 1.0000,  2.5000],\n [-3.0000,  4.0000]]');
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      await t.print();
      expect(log).toHaveBeenCalledWith(`Tensor([2,2], f32, ${backend})\n[[ 1.0000,  2.5000],\n [-3.0000,  4.0000]]`);
    } finally {
      log.mockRestore();
    }
    expect(await tm.tensor([1, 2], undefined, { dtype: 'f16' }).format()).toBe('[1., 2.]');
    expect(await tm.tensor([-128, 127], undefined, { dtype: 'i8' }).format()).toBe('[-128,  127]');
  });

  it('console.log and util.inspect show the tensor, not the backend\'s internals', () => {
    const t = tm.zeros([2, 3]);
    expect(inspect(t)).toBe(`Tensor([2,3], f32, ${backend})`);
    expect(inspect({ weights: t })).toBe(`{ weights: Tensor([2,3], f32, ${backend}) }`);
    t.dispose();
    expect(inspect(t)).toBe('Tensor([2,3], f32, disposed)');
  });

  it('a disposed tensor says so', async () => {
    const t = tm.zeros([2]);
    t.dispose();
    await expect(t.format()).rejects.toThrow(tm.DisposedTensorError);
  });
});
