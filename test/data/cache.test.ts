// cache: the first full pass kept, later passes served from it without
// reading the source (a counting map shows it), equal elements that are the
// reader's to free; a pass stopped early keeps nothing; clearCache frees the
// copies and the next pass reads the source again, through any transform
// that reads the cache.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { collected } from '../helpers/gc.js';

beforeAll(async () => {
  await tm.init({ backend: 'js' });
});

/** A dataset of { x, y } rows whose map counts the elements it makes. */
function counted(n: number): { ds: tm.data.Dataset<{ x: tm.Tensor; y: number }>; made: () => number } {
  let made = 0;
  const ds = tm.data.fromIterable(Array.from({ length: n }, (_, i) => i)).map((i) => {
    made++;
    return { x: tm.tensor([i, 2 * i]), y: i };
  });
  return { ds, made: () => made };
}

/** Each element's x and y (a number, or a scalar tensor after batch and unbatch). */
async function read(ds: tm.data.Dataset<{ x: tm.Tensor; y: number | tm.Tensor }>): Promise<number[][]> {
  const out: number[][] = [];
  await ds.forEachAsync(async ({ x, y }) => {
    out.push([...(await x.data()), typeof y === 'number' ? y : await y.item()]);
  });
  return out;
}

describe('cache', () => {
  it('reads the source once: later passes give the same elements from memory', async () => {
    const { ds, made } = counted(5);
    const cached = ds.cache();
    expect(cached.size).toBe(5);
    const first = await read(cached);
    expect(first).toEqual([0, 1, 2, 3, 4].map((i) => [i, 2 * i, i]));
    expect(made()).toBe(5);
    expect(await read(cached)).toEqual(first);
    expect(await read(cached.batch(2).unbatch())).toEqual(first);
    expect(made()).toBe(5);
    cached.clearCache();
  });

  it('keeps nothing from a pass stopped early; the next full pass fills it', async () => {
    const { ds, made } = counted(6);
    const cached = ds.cache();
    expect((await read(cached.take(2))).length).toBe(2);
    expect(made()).toBe(2);
    await read(cached);
    expect(made()).toBe(8);
    await read(cached);
    expect(made()).toBe(8);
    cached.clearCache();
  });

  it('holds its copies until clearCache, on it or on a dataset that reads it; then reads the source again', async () => {
    const { ds, made } = counted(4);
    const before = await collected();
    const cached = ds.cache();
    const shuffled = cached.shuffle(4, { seed: 1 });
    await read(shuffled);
    // The cache holds a copy of each element's x; the reader freed its own.
    expect(tm.memory().numTensors).toBe(before + 4);
    await read(shuffled);
    expect(tm.memory().numTensors).toBe(before + 4);
    shuffled.clearCache();
    expect(tm.memory().numTensors).toBe(before);
    await read(shuffled);
    expect(made()).toBe(8);
    cached.clearCache();
    expect(tm.memory().numTensors).toBe(before);
  });
});
