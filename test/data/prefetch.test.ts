// prefetch: the same elements in the same order, with the next ones asked
// for while the reader works on this one; an error in its place; what was read
// ahead and not taken is freed.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { collected } from '../helpers/gc.js';

beforeAll(async () => {
  await tm.init({ backend: 'js' });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('prefetch', () => {
  it('keeps the order, even where later elements take less time to make than earlier ones', async () => {
    const ds = tm.data.fromArrays([5, 1, 4, 0, 3, 2, 6])
      .map(async (t) => {
        const v = await t.item();
        await sleep(v); // the larger, the slower
        return v;
      })
      .prefetch(3);
    expect(await ds.toArray()).toEqual([5, 1, 4, 0, 3, 2, 6]);
    expect(await ds.toArray()).toEqual([5, 1, 4, 0, 3, 2, 6]);
    expect(ds.size).toBe(7);
  });

  it('reads up to count elements ahead of the reader while it works', async () => {
    const made: number[] = [];
    const ds = tm.data.fromGenerator(async function* () {
      for (let i = 0; i < 10; i++) {
        made.push(i);
        yield i;
      }
    });
    const readAhead: number[] = [];
    await ds.prefetch(3).forEachAsync(async (i) => {
      await sleep(2); // a training step
      readAhead.push(made.length - 1 - i);
    });
    expect(Math.max(...readAhead)).toBe(3);
    const unprefetched: number[] = [];
    made.length = 0;
    await ds.forEachAsync(async (i) => {
      await sleep(1);
      unprefetched.push(made.length - 1 - i);
    });
    expect(Math.max(...unprefetched)).toBe(0);
  });

  it('overlaps a slow source with a slow reader', async () => {
    const slow = tm.data.fromGenerator(async function* () {
      for (let i = 0; i < 8; i++) {
        await sleep(15);
        yield i;
      }
    });
    const time = async (ds: tm.data.Dataset<number>) => {
      const start = performance.now();
      await ds.forEachAsync(async () => {
        await sleep(15);
      });
      return performance.now() - start;
    };
    const [plain, ahead] = [await time(slow), await time(slow.prefetch(2))];
    expect(ahead).toBeLessThan(plain * 0.8); // about half, where the machine lets timers keep time
  });

  it('gives an error in its place, after the elements before it', async () => {
    const ds = tm.data.fromGenerator(function* () {
      yield 1;
      yield 2;
      throw new Error('bad record');
    }).prefetch(4);
    const seen: number[] = [];
    await expect(ds.forEachAsync((v) => void seen.push(v))).rejects.toThrow('bad record');
    expect(seen).toEqual([1, 2]);
  });

  it.each(BACKENDS)('frees what it read ahead when the reader stops early (%s)', async (backend) => {
    await tm.init({ backend });
    const ds = tm.data.fromTensors(tm.randn([10, 3], { seed: 1 })).prefetch(4);
    const before = await collected();
    await ds.take(2).forEachAsync(() => undefined);
    for await (const t of ds) {
      t.dispose();
      break;
    }
    expect(tm.memory().numTensors).toBe(before);
    await tm.init({ backend: 'js' });
  });

  it('refuses a count that is not a positive integer', () => {
    expect(() => tm.data.fromArrays([1]).prefetch(0)).toThrow('prefetch: count must be an integer ≥ 1, got 0');
  });
});
