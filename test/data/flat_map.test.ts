// flatMap: each element replaced by the items of the Dataset, array or
// iterable a function (plain or async) makes of it, read as the reader goes;
// the element's tensors and those the function made that no item holds
// freed once its items are out, whether the reader reads to the end, stops
// early or the function fails.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { collected } from '../helpers/gc.js';

beforeAll(async () => {
  await tm.init({ backend: 'js' });
});

/** Sequences [i + 1, 2]: sequence i holds rows (i + 1)·10 + j. */
const sequences = (n: number) => tm.data.fromGenerator(function* () {
  for (let i = 0; i < n; i++) yield tm.tidy(() => tm.arange(0, 2 * (i + 1)).add(10 * (i + 1)).reshape([i + 1, 2]));
});

describe('flatMap', () => {
  it('hands out each element\'s rows through a Dataset the function makes, in order, freeing the sequence and the reshape it read', async () => {
    const rows = sequences(3).flatMap((s) => tm.data.fromTensors(s.reshape([-1, 2])));
    expect(rows.size).toBeNull();
    await rows.forEachAsync(() => undefined);
    const before = await collected();
    const seen: number[][] = [];
    await rows.forEachAsync(async (r) => void seen.push(Array.from(await r.data())));
    expect(seen).toEqual([[10, 11], [20, 21], [22, 23], [30, 31], [32, 33], [34, 35]]);
    expect(tm.memory().numTensors).toBe(before);
  });

  it('takes arrays and generators, plain or async; an item may be the element itself, which is then not freed', async () => {
    const numbers = await tm.data.fromIterable([1, 2, 3]).flatMap((n) => Array.from({ length: n }, () => n)).toArray();
    expect(numbers).toEqual([1, 2, 2, 3, 3, 3]);
    const pairs = await tm.data.fromIterable(['ab', 'c']).flatMap(function* (word) {
      for (const ch of word) yield [word, ch];
    }).toArray();
    expect(pairs).toEqual([['ab', 'a'], ['ab', 'b'], ['c', 'c']]);
    const before = await collected();
    const items = await sequences(2).flatMap(async (s) => [s, s.mul(2)]).toArray();
    expect(await Promise.all(items.map(async (t) => Array.from(await t.data())))).toEqual([[10, 11], [20, 22], [20, 21, 22, 23], [40, 42, 44, 46]]);
    expect(items[0].isDisposed).toBe(false);
    for (const t of items) t.dispose();
    expect(tm.memory().numTensors).toBe(before);
  });

  it('copies a tensor from outside that an item holds, so freeing the item leaves the caller\'s be', async () => {
    const label = tm.scalar(7);
    const items = await sequences(2).flatMap((s) => [{ s: s.sum(), label }]).toArray();
    expect(items[0].label).not.toBe(label);
    for (const { s, label: l } of items) {
      s.dispose();
      l.dispose();
    }
    expect(await label.item()).toBe(7);
  });

  it('frees what it holds when the reader stops early or the function fails, and names a function that returns something else', async () => {
    const before = await collected();
    const firstTwo = await sequences(3).flatMap((s) => tm.data.fromTensors(s.reshape([-1, 2]))).take(2).toArray();
    for (const t of firstTwo) t.dispose();
    await expect(sequences(3).flatMap((s) => {
      if (s.shape[0] === 2) throw new Error('no');
      return [s.add(1)];
    }).forEachAsync(() => undefined)).rejects.toThrow('no');
    await expect(sequences(1).flatMap((s) => s.sum() as never).toArray()).rejects.toThrow('flatMap: the function must return a Dataset, an array or another iterable of elements, got a tensor [] i32');
    await expect(sequences(1).flatMap((() => Promise.resolve([1])) as never).toArray()).rejects.toThrow('(declare it async)');
    expect(tm.memory().numTensors).toBe(before);
    expect(() => sequences(1).flatMap(3 as never)).toThrow('flatMap: expects a function, got 3');
  });
});
