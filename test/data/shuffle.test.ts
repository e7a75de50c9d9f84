// shuffle: every pass a permutation of the elements, a new one each epoch,
// the same ones for the same seed; a buffer smaller than the dataset mixes
// only elements that close together; what the buffer holds when the reader
// stops is freed.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { collected } from '../helpers/gc.js';

beforeAll(async () => {
  await tm.init({ backend: 'js' });
});

const range = (n: number) => tm.data.fromGenerator(function* () {
  for (let i = 0; i < n; i++) yield i;
});

/** `passes` epochs of a dataset. */
async function epochs<T>(ds: tm.data.Dataset<T>, passes: number): Promise<T[][]> {
  const out: T[][] = [];
  for (let p = 0; p < passes; p++) out.push(await ds.toArray());
  return out;
}

describe('shuffle', () => {
  it.each([1, 7, 13, 40])('with a buffer as large as the dataset, each of its passes is a permutation of all %i elements', async (n) => {
    for (const order of await epochs(range(n).shuffle(n, { seed: 3 }), 3)) {
      expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    }
  });

  it('draws a new order each epoch, and the same orders for the same seed', async () => {
    const a = await epochs(range(20).shuffle(20, { seed: 7 }), 3);
    const b = await epochs(range(20).shuffle(20, { seed: 7 }), 3);
    const c = await epochs(range(20).shuffle(20, { seed: 8 }), 3);
    expect(b).toEqual(a);
    expect(a[1]).not.toEqual(a[0]);
    expect(a[2]).not.toEqual(a[1]);
    expect(c[0]).not.toEqual(a[0]);
    // Unseeded shuffles draw their seed from setSeed's sequence.
    tm.setSeed(11);
    const d = await epochs(range(20).shuffle(20), 2);
    tm.setSeed(11);
    expect(await epochs(range(20).shuffle(20), 2)).toEqual(d);
  });

  it('reshuffles each pass of a repeat', async () => {
    const [twice] = await epochs(range(10).shuffle(10, { seed: 1 }).repeat(2), 1);
    expect(twice.slice(0, 10)).not.toEqual(twice.slice(10));
    expect([...twice.slice(10)].sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => i));
  });

  it('mixes only within its buffer: position p holds one of the first p + bufferSize elements; a buffer of 1 keeps the order', async () => {
    for (const size of [1, 2, 5]) {
      const [order] = await epochs(range(30).shuffle(size, { seed: 2 }), 1);
      order.forEach((v, p) => expect(v).toBeLessThanOrEqual(p + size - 1));
      if (size === 1) expect(order).toEqual(Array.from({ length: 30 }, (_, i) => i));
    }
  });

  it('puts every element first about as often, over many epochs', async () => {
    const firsts = [0, 0, 0, 0];
    const ds = range(4).shuffle(4, { seed: 5 });
    for (let epoch = 0; epoch < 800; epoch++) firsts[(await ds.take(1).toArray())[0]]++;
    // 200 expected each; ±60 is over four standard deviations.
    for (const count of firsts) expect(Math.abs(count - 200)).toBeLessThan(60);
  });

  it.each(BACKENDS)('frees the elements still in its buffer when the reader stops early (%s)', async (backend) => {
    await tm.init({ backend });
    const ds = tm.data.fromTensors(tm.randn([12, 2], { seed: 1 })).shuffle(8, { seed: 1 });
    const before = await collected();
    const [first] = await ds.take(1).toArray();
    first.dispose();
    await ds.take(5).forEachAsync(() => undefined);
    expect(tm.memory().numTensors).toBe(before);
    await tm.init({ backend: 'js' });
  });

  it('refuses a buffer that is not a positive integer, and a bad seed', () => {
    expect(() => range(3).shuffle(0)).toThrow('shuffle: bufferSize must be an integer ≥ 1, got 0');
    expect(() => range(3).shuffle(3, { seed: -1 })).toThrow('shuffle: seed must be an integer in [0, 2^32), got -1');
    expect(() => range(3).shuffle(3, { sed: 1 } as tm.data.ShuffleOptions)).toThrow('shuffle: unknown option "sed"');
    expect(range(3).shuffle(2).size).toBeNull();
    expect(tm.data.fromArrays([1, 2]).shuffle(2).size).toBe(2);
  });
});
