// unbatch: batches split back into rows, the element's structure kept
// (tensors, tuples, objects), rows handed out in order and each batch freed
// once its rows are out; parts that cannot be split refused by name.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { collected } from '../helpers/gc.js';

beforeAll(async () => {
  await tm.init({ backend: 'js' });
});

describe('unbatch', () => {
  it('gives back the rows batch() stacked, { x, y } and tuples alike, a short last batch included', async () => {
    const x = tm.arange(0, 14).reshape([7, 2]);
    const y = tm.arange(0, 7);
    const rows = await tm.data.fromTensors(x, y).batch(3).unbatch().toArray();
    expect(rows.length).toBe(7);
    for (const [i, row] of rows.entries()) {
      expect(row.x.shape).toEqual([2]);
      expect(row.y.shape).toEqual([]);
      expect([...(await row.x.data()), await row.y.item()]).toEqual([2 * i, 2 * i + 1, i]);
    }
    for (const row of rows) for (const t of [row.x, row.y]) t.dispose();
    const pairs = await tm.data.fromIterable([[tm.tensor([[1, 2], [3, 4]]), tm.tensor([5, 6])]]).unbatch().toArray();
    expect(await Promise.all(pairs.map(async ([a, b]) => [...(await a.data()), await b.item()]))).toEqual([[1, 2, 5], [3, 4, 6]]);
  });

  it('frees each batch once its rows are out, and what it holds when the reader stops', async () => {
    const x = tm.arange(0, 12).reshape([6, 2]);
    const before = await collected();
    await tm.data.fromTensors(x).batch(4).unbatch().forEachAsync(() => undefined);
    await tm.data.fromTensors(x).batch(4).unbatch().take(2).forEachAsync(() => undefined);
    expect(tm.memory().numTensors).toBe(before);
  });

  it('refuses parts of different row counts, scalars and values that are not tensors, naming them', async () => {
    const unbatched = (items: unknown[]) => tm.data.fromIterable(items).unbatch().toArray();
    await expect(unbatched([{ x: tm.zeros([4, 2]), y: tm.zeros([5]) }])).rejects.toThrow(new tm.ShapeError("unbatch: element 0's y has 5 rows and element 0's x 4"));
    await expect(unbatched([tm.zeros([2]), tm.scalar(1)])).rejects.toThrow(new tm.ShapeError('unbatch: element 1 is a scalar tensor, with no rows to split'));
    await expect(unbatched([{ x: tm.zeros([2]), label: 3 }])).rejects.toThrow(new tm.ValueError("unbatch: element 0's label is a number, not a tensor of rows (batch() stacks every part into one)"));
    await expect(unbatched([[]])).rejects.toThrow(new tm.ValueError('unbatch: element 0 holds no tensor'));
  });
});
