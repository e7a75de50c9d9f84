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

  it('stateDict holds each shuffle\'s seed and passes, a pipeline\'s through its transforms; loaded into the pipeline built afresh, the next passes are the unbroken run\'s', async () => {
    // Two shuffles (one unseeded) through map, a repeat, zip and a batch; fromTensors' rows path too.
    const build = () => {
      const left = range(12).shuffle(12).map((v) => v * 10);
      const right = tm.data.fromArrays(Array.from({ length: 12 }, (_, i) => i)).shuffle(5, { seed: 4 }).repeat(2);
      return tm.data.zip([left, right]).batch(4);
    };
    const column = tm.arange(0, 10);
    const rows = () => tm.data.fromTensors(column).shuffle(10, { seed: 9 }).batch(3);
    const values = async (t: tm.Tensor) => {
      const out = Array.from(await t.data());
      t.dispose();
      return out;
    };
    const plain = async (v: unknown): Promise<unknown> => (v instanceof tm.Tensor ? values(v) : Array.isArray(v) ? Promise.all(v.map(plain)) : v);
    const read = async (ds: tm.data.Dataset<unknown>, passes: number) => Promise.all((await epochs(ds, passes)).map(plain));

    tm.setSeed(3);
    const unbroken = build();
    const all = await read(unbroken, 3);
    const fromRows = await read(rows(), 3);

    tm.setSeed(3);
    const first = build();
    await read(first, 1);
    const state = first.stateDict();
    expect(state.shuffles).toHaveLength(2);
    expect(state.shuffles.map((s) => s.passes)).toEqual([1, 2]); // the repeat made two passes of its shuffle
    expect(state.shuffles[1].seed).toBe(4);

    tm.setSeed(99); // the unseeded shuffle draws another seed: the state puts the first one back
    const resumed = build();
    resumed.loadStateDict(JSON.parse(JSON.stringify(state)) as tm.data.DatasetState);
    expect(await read(resumed, 2)).toEqual(all.slice(1));

    const firstRows = rows();
    await read(firstRows, 2);
    const again = rows();
    again.loadStateDict(firstRows.stateDict());
    expect(await read(again, 1)).toEqual(fromRows.slice(2));
    expect(range(3).map((v) => v).stateDict()).toEqual({ shuffles: [] });
    column.dispose();
  });

  it('loadStateDict refuses a state of another pipeline, or one that is not a state, and changes nothing', async () => {
    const ds = range(6).shuffle(6, { seed: 1 }).batch(2);
    const kept = ds.stateDict();
    expect(() => ds.loadStateDict({ shuffles: [] })).toThrow('loadStateDict: the state is of a pipeline with 0 shuffles, this dataset reads from 1');
    expect(() => ds.loadStateDict({ shuffles: [{ seed: -2, passes: 1 }] })).toThrow("loadStateDict: shuffle 0's state must be { seed: an integer in [0, 2^32), passes: a count }, got");
    expect(() => ds.loadStateDict({ shuffles: [{ seed: 1, passes: 0.5 }] })).toThrow("shuffle 0's state must be");
    expect(() => ds.loadStateDict(null as unknown as tm.data.DatasetState)).toThrow("loadStateDict: expects a dataset's state ({ shuffles: [{ seed, passes }…] }, as stateDict gives), got null");
    expect(ds.stateDict()).toEqual(kept);
  });

  it('refuses a buffer that is not a positive integer, and a bad seed', () => {
    expect(() => range(3).shuffle(0)).toThrow('shuffle: bufferSize must be an integer ≥ 1, got 0');
    expect(() => range(3).shuffle(3, { seed: -1 })).toThrow('shuffle: seed must be an integer in [0, 2^32), got -1');
    expect(() => range(3).shuffle(3, { sed: 1 } as tm.data.ShuffleOptions)).toThrow('shuffle: unknown option "sed"');
    expect(range(3).shuffle(2).size).toBeNull();
    expect(tm.data.fromArrays([1, 2]).shuffle(2).size).toBe(2);
  });
});
