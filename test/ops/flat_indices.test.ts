// unravelIndex and ravelMultiIndex on every backend against the row-major
// arithmetic worked here, both ways round, at odd shapes (size-1 axes
// included), from argmax's flat index, with i8 indices; bad input refused
// by name where the indices can be read at once.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectExact, randomInts, uniform } from '../helpers/data.js';
import { size, unravel } from '../helpers/float64.js';

describe.each(BACKENDS)('flat indices on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it.each([[[7]], [[13, 31]], [[3, 1, 5]], [[2, 3, 4, 5]], [[127, 129]]])('unravelIndex into %j: the coordinates, and ravelMultiIndex back', async (shape) => {
    const flat = randomInts(37, 0, size(shape) - 1);
    const coordinates = tm.unravelIndex(tm.tensor(Int32Array.from(flat), [37]), shape);
    expect(coordinates.length).toBe(shape.length);
    for (const [d, c] of coordinates.entries()) {
      expect([c.shape, c.dtype]).toEqual([[37], 'i32']);
      expectExact(await c.data(), Array.from(flat, (i) => unravel(i, shape)[d]), `axis ${d}`);
    }
    expectExact(await tm.ravelMultiIndex(coordinates, shape).data(), flat, 'ravelMultiIndex');
  });

  it('finds the position of a flat argmax, and takes i8 indices', async () => {
    const x = tm.tensor(uniform(60), [3, 4, 5]);
    const [i, j, k] = tm.unravelIndex(tm.argmax(x), [3, 4, 5]);
    const values = await x.data();
    const best = values.indexOf(Math.max(...values));
    expect([await i.array(), await j.array(), await k.array()]).toEqual(unravel(best, [3, 4, 5]));
    const [row, column] = tm.unravelIndex(tm.tensor(new Int8Array([0, 5, 11]), [3]), [3, 4]);
    expect([await row.array(), await column.array()]).toEqual([[0, 1, 2], [0, 1, 3]]);
  });
});

describe('flat indices', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('refuse float indices, an index outside the shape, coordinates that do not match it, naming them', () => {
    const i = (values: number[]) => tm.tensor(new Int32Array(values), [values.length]);
    expect(() => tm.unravelIndex(tm.tensor([1]), [3])).toThrow(new tm.DTypeError('unravelIndex: indices must be i32 or i8, got f32'));
    expect(() => tm.unravelIndex(i([2, 12]), [3, 4])).toThrow(new tm.ValueError('unravelIndex: index 12 (at 1 of indices [2]) is outside an array of shape [3,4] (size 12)'));
    expect(() => tm.unravelIndex(i([0]), [2, -1])).toThrow(new tm.ValueError('unravelIndex: shape must be a list of non-negative integers, got [2, -1]'));
    expect(() => tm.ravelMultiIndex([i([0])], [3, 4])).toThrow(new tm.ShapeError('ravelMultiIndex: give one coordinate tensor per axis of shape [3,4], got 1'));
    expect(() => tm.ravelMultiIndex([i([0]), i([0, 1])], [3, 4])).toThrow(new tm.ShapeError('ravelMultiIndex: coordinates[1] [2] differs from coordinates[0] [1]'));
    expect(() => tm.ravelMultiIndex([i([0, 3]), i([0, 1])], [3, 4])).toThrow(new tm.ValueError('ravelMultiIndex: index 3 (at 1 of indices [2]) is outside axis 0 of shape [3,4]'));
  });

  it('leave nothing behind', () => {
    const indices = tm.tensor(new Int32Array([1, 7, 11]), [3]);
    const before = tm.memory().numTensors;
    const coordinates = tm.unravelIndex(indices, [3, 4]);
    const flat = tm.ravelMultiIndex(coordinates, [3, 4]);
    expect(tm.memory().numTensors).toBe(before + 3);
    for (const t of [...coordinates, flat]) t.dispose();
  });
});
