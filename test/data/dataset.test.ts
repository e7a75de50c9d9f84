// Dataset's transforms: each gives a new dataset and leaves the one it came
// from as it was; each frees the tensors of the elements it drops (tm.memory()
// stays flat over epochs); each knows its size where it can.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { collected } from '../helpers/gc.js';

beforeAll(async () => {
  await tm.init({ backend: 'js' });
});

const numbers = (n: number) => tm.data.fromGenerator(function* () {
  for (let i = 0; i < n; i++) yield i;
});
/** Samples { x: [i, 2i], y: i } as tensors, made afresh each epoch. */
const samples = (n: number) => tm.data.fromGenerator(function* () {
  for (let i = 0; i < n; i++) yield { x: tm.tensor([i, 2 * i]), y: tm.scalar(i) };
});

async function values(ds: tm.data.Dataset<tm.Tensor>): Promise<number[][]> {
  const out: number[][] = [];
  await ds.forEachAsync(async (t) => void out.push(Array.from(await t.data())));
  return out;
}

describe('map', () => {
  it('applies a plain function, freeing the tensors it made along the way and those of the element it dropped', async () => {
    const ds = samples(5).map(({ x, y }) => ({ x: x.mul(2).add(1), y })); // the mul's result is an intermediate
    await ds.forEachAsync(() => undefined);
    const before = await collected();
    const seen: number[][] = [];
    await ds.forEachAsync(async ({ x }) => void seen.push(Array.from(await x.data())));
    expect(seen).toEqual([[1, 1], [3, 5], [5, 9], [7, 13], [9, 17]]);
    expect(tm.memory().numTensors).toBe(before);
  });

  it('awaits an async function, which frees what it makes itself; the element\'s dropped tensors are freed', async () => {
    const ds = samples(4).map(async ({ x }) => {
      const values = await x.data(); // a readback: as a decoder or an augmentation reading a file would await
      return tm.tensor(Float32Array.from(values, (v) => v + 10));
    });
    expect(ds.size).toBeNull();
    await ds.forEachAsync(() => undefined);
    const before = await collected();
    expect(await values(ds)).toEqual([[10, 10], [11, 12], [12, 14], [13, 16]]);
    expect(tm.memory().numTensors).toBe(before);
  });

  it('copies a tensor made before fn ran that its result holds, so that freeing the element leaves the caller\'s be', async () => {
    const weight = tm.tensor([0.5]);
    const ds = samples(3).map(({ x }) => ({ x, weight }));
    await ds.forEachAsync(() => undefined);
    const before = await collected();
    await ds.forEachAsync(async (e) => expect(await e.weight.data()).toEqual(Float32Array.of(0.5)));
    expect(weight.isDisposed).toBe(false);
    expect(tm.memory().numTensors).toBe(before);
  });

  it('keeps a known size, and names a plain function that returned a Promise', async () => {
    expect(tm.data.fromArrays([1, 2, 3]).map((t) => t).size).toBe(3);
    const promising = numbers(2).map(((n: number) => Promise.resolve(n)) as unknown as (n: number) => number);
    await expect(promising.toArray()).rejects.toThrow('map: the function returned a Promise without being declared async');
    expect(() => numbers(2).map(3 as unknown as (n: number) => number)).toThrow('map: expects a function, got 3');
  });

  it('an error in fn rejects the reader, the element it was given freed', async () => {
    const ds = samples(3).map(({ x }) => {
      if (x.shape[0] === 2) throw new Error('bad sample');
      return x;
    });
    const before = await collected();
    await expect(ds.toArray()).rejects.toThrow('bad sample');
    expect(tm.memory().numTensors).toBe(before);
  });
});

describe('filter', () => {
  it('keeps the elements the predicate (plain or async) accepts and frees the others', async () => {
    const evens = samples(7).filter(({ x }) => x.shape[0] === 2).filter(async ({ y }) => (await y.item()) % 2 === 0);
    expect(evens.size).toBeNull();
    await evens.forEachAsync(() => undefined);
    const before = await collected();
    expect(await values(evens.map(({ y }) => y))).toEqual([[0], [2], [4], [6]]);
    expect(tm.memory().numTensors).toBe(before);
  });

  it('refuses a predicate that returns something other than true or false: a tensor would keep every element', async () => {
    const before = await collected();
    await expect(samples(3).filter(({ y }) => y.greater(1) as unknown as boolean).toArray()).rejects.toThrow(
      'filter: the predicate must return true or false, got a tensor [] f32 (read it with await t.item() in an async predicate)',
    );
    await expect(numbers(3).filter((n) => (n % 2) as unknown as boolean).toArray()).rejects.toThrow('filter: the predicate must return true or false, got a number');
    expect(tm.memory().numTensors).toBe(before);
  });
});

describe('enumerate and takeWhile', () => {
  it('enumerate pairs each element with its position in the pass, from start; batch() stacks the positions', async () => {
    const pairs = await numbers(3).enumerate(10).toArray();
    expect(pairs).toEqual([[10, 0], [11, 1], [12, 2]]);
    const rows = tm.data.fromTensors(tm.zeros([4, 2]), tm.zeros([4]));
    expect(rows.enumerate().size).toBe(4);
    const [first] = await samples(4).enumerate().batch(4).toArray();
    expect([Array.from(await first[0].data()), first[1].x.shape]).toEqual([[0, 1, 2, 3], [4, 2]]);
    for (const t of [first[0], first[1].x, first[1].y]) t.dispose();
    expect(() => numbers(3).enumerate(0.5)).toThrow('enumerate: start must be an integer, got 0.5');
  });

  it('takeWhile stops at the first element the predicate (plain or async) rejects, frees it and reads no further', async () => {
    let read = 0;
    const counted = tm.data.fromGenerator(function* () {
      for (let i = 0; i < 10; i++) {
        read++;
        yield { x: tm.tensor([i, 2 * i]), y: tm.scalar(i) };
      }
    });
    await counted.forEachAsync(() => undefined);
    read = 0;
    const before = await collected();
    expect(await values(counted.takeWhile(({ x }) => x.shape[0] === 2).takeWhile(async ({ y }) => (await y.item()) < 3).map(({ y }) => y))).toEqual([[0], [1], [2]]);
    expect(read).toBe(4);
    expect(tm.memory().numTensors).toBe(before);
    await expect(samples(3).takeWhile(({ y }) => y.less(1) as unknown as boolean).toArray()).rejects.toThrow('takeWhile: the predicate must return true or false, got a tensor [] f32');
    expect(tm.memory().numTensors).toBe(before);
  });
});

describe('take and skip', () => {
  it('take reads no further than it needs; skip reads and frees the first elements', async () => {
    let read = 0;
    const counted = tm.data.fromGenerator(function* () {
      for (let i = 0; i < 100; i++) {
        read++;
        yield tm.scalar(i);
      }
    });
    expect(await values(counted.take(3))).toEqual([[0], [1], [2]]);
    expect(read).toBe(3);
    const before = await collected();
    expect(await values(counted.skip(97))).toEqual([[97], [98], [99]]);
    expect(await values(counted.skip(2).take(2))).toEqual([[2], [3]]);
    expect(await values(counted.take(0))).toEqual([]);
    expect(tm.memory().numTensors).toBe(before);
  });

  it('know their sizes from their source\'s', () => {
    const ten = tm.data.fromArrays(new Float32Array(10));
    expect([ten.take(3).size, ten.take(20).size, ten.skip(3).size, ten.skip(20).size]).toEqual([3, 10, 7, 0]);
    expect([numbers(5).take(3).size, numbers(5).take(0).size, numbers(5).skip(1).size]).toEqual([null, 0, null]);
  });

  it('refuse counts that are not integers ≥ 0', () => {
    expect(() => numbers(3).take(-1)).toThrow('take: count must be an integer ≥ 0, got -1');
    expect(() => numbers(3).skip(1.5)).toThrow('skip: count must be an integer ≥ 0, got 1.5');
  });
});

describe('repeat', () => {
  it('reads its source count times, each time a new pass', async () => {
    let passes = 0;
    const ds = tm.data.fromGenerator(function* () {
      passes++;
      yield* [1, 2];
    });
    expect(await ds.repeat(3).toArray()).toEqual([1, 2, 1, 2, 1, 2]);
    expect(passes).toBe(3);
    expect(await ds.repeat(0).toArray()).toEqual([]);
  });

  it('without a count repeats for ever: an endless stream to take() from, which toArray refuses', async () => {
    const endless = tm.data.fromArrays([1, 2, 3]).repeat();
    expect(endless.size).toBe(Infinity);
    expect(await values(endless.take(7))).toEqual([[1], [2], [3], [1], [2], [3], [1]]);
    await expect(endless.toArray()).rejects.toThrow('toArray: the dataset repeats for ever (repeat() without a count); take() a part of it');
    // Endless also where the source's size is not known; an empty source repeated for ever ends rather than spinning.
    expect(numbers(2).repeat().size).toBe(Infinity);
    expect(await numbers(0).repeat().take(5).toArray()).toEqual([]);
    expect(tm.data.fromArrays([1, 2]).repeat(3).size).toBe(6);
  });
});

describe('concatenate', () => {
  it('reads one dataset, then the other', async () => {
    const both = tm.data.fromArrays([1, 2]).concatenate(tm.data.fromArrays([3]));
    expect(both.size).toBe(3);
    expect(await values(both)).toEqual([[1], [2], [3]]);
    expect(numbers(2).concatenate(tm.data.fromArrays([3])).size).toBeNull();
    expect(() => numbers(2).concatenate([3] as unknown as tm.data.Dataset<number>)).toThrow('concatenate: expects a tm.data.Dataset, got [3]');
  });
});

describe('reading', () => {
  it('a dataset is async-iterable and re-iterable: each for await is a pass, whose elements are the reader\'s', async () => {
    const ds = tm.data.fromArrays([5, 6]);
    for (let epoch = 0; epoch < 2; epoch++) {
      const seen: number[] = [];
      for await (const t of ds) {
        seen.push(await t.item());
        t.dispose();
      }
      expect(seen).toEqual([5, 6]);
    }
  });

  it('forEachAsync frees each element once fn is done, also when fn throws', async () => {
    const ds = samples(3);
    const before = await collected();
    await expect(ds.forEachAsync(({ y }) => {
      if (y.shape.length === 0) throw new Error('stop');
    })).rejects.toThrow('stop');
    await ds.forEachAsync(async ({ x }) => void (await x.data()));
    expect(tm.memory().numTensors).toBe(before);
  });

  it('toArray hands every element to the caller', async () => {
    const all = await samples(3).toArray();
    expect(all).toHaveLength(3);
    expect(await all[2].x.data()).toEqual(Float32Array.of(2, 4));
    for (const { x, y } of all) {
      x.dispose();
      y.dispose();
    }
  });
});
