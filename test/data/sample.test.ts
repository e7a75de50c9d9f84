// sampleFromDatasets: datasets interleaved at random in proportion to their
// weights (tf.data's sample_from_datasets), each one's order kept; read to
// the end of every dataset, or stopped at the first one that runs out;
// seeded, a new interleaving each pass, resumed by stateDict; sources told
// to free what they hold when the reader stops; and errors.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { collected } from '../helpers/gc.js';

beforeAll(async () => {
  await tm.init({ backend: 'js' });
});

const range = (from: number, count: number) => tm.data.fromIterable(Array.from({ length: count }, (_, i) => from + i));

describe('sampleFromDatasets', () => {
  it('draws each dataset in proportion to its weight, within 5 standard errors, keeping each one\'s order', async () => {
    const n = 4000;
    const weights = [0.7, 0.2, 0.1];
    const mixed = await tm.data.sampleFromDatasets([range(0, n), range(10_000, n), range(20_000, n)], { weights, seed: 1, stopOnEmptyDataset: true }).take(n).toArray();
    expect(mixed.length).toBe(n);
    weights.forEach((w, k) => {
      const drawn = mixed.filter((v) => Math.floor(v / 10_000) === k);
      const se = Math.sqrt((w * (1 - w)) / n);
      expect(Math.abs(drawn.length / n - w), `dataset ${k}: ${drawn.length} of ${n}, want ${w}`).toBeLessThanOrEqual(5 * se);
      expect(drawn).toEqual(drawn.map((_, i) => 10_000 * k + i));
    });
  });

  it('reads every dataset to its end by default (its size the sum of theirs); stopOnEmptyDataset ends at the first that runs out; a weight of 0 is never read', async () => {
    const all = tm.data.sampleFromDatasets([range(0, 30), range(100, 5)], { seed: 2 });
    expect(all.size).toBe(35);
    const values = await all.toArray();
    expect([...values].sort((a, b) => a - b)).toEqual([...Array.from({ length: 30 }, (_, i) => i), 100, 101, 102, 103, 104]);
    const stopped = tm.data.sampleFromDatasets([range(0, 30), range(100, 5)], { seed: 2, stopOnEmptyDataset: true });
    expect(stopped.size).toBeNull();
    const early = await stopped.toArray();
    expect(early.filter((v) => v >= 100)).toEqual([100, 101, 102, 103, 104]);
    expect(early.length).toBeLessThan(35);
    const never = await tm.data.sampleFromDatasets([range(0, 4), range(100, 4)], { weights: [1, 0] }).toArray();
    expect(never).toEqual([0, 1, 2, 3]);
  });

  it('is reproducible from a seed, draws a new interleaving each pass, and resumes from stateDict', async () => {
    const make = () => tm.data.sampleFromDatasets([range(0, 20), range(100, 20)], { seed: 7 });
    const a = make();
    const [first, second] = [await a.toArray(), await a.toArray()];
    expect(second).not.toEqual(first);
    expect(await make().toArray()).toEqual(first);
    const state = a.stateDict();
    expect(state.shuffles).toEqual([{ seed: expect.any(Number), passes: 2 }]);
    const third = await a.toArray();
    const b = make();
    b.loadStateDict(state);
    expect(await b.toArray()).toEqual(third);
  });

  it('tells every source to free what it holds when the reader stops early', async () => {
    const shuffledTensors = (from: number) => tm.data.fromIterable(Array.from({ length: 50 }, (_, i) => from + i)).map((v) => tm.scalar(v)).shuffle(20, { seed: 3 });
    const before = await collected();
    await tm.data.sampleFromDatasets([shuffledTensors(0), shuffledTensors(100)], { seed: 4 }).take(7).forEachAsync(() => undefined);
    await tm.data.sampleFromDatasets([shuffledTensors(0), shuffledTensors(100)], { seed: 4 }).forEachAsync(() => undefined);
    expect(await collected()).toBe(before);
  });

  it('refuses what is not a list of datasets, and weights that are not one number ≥ 0 per dataset', () => {
    const d = range(0, 3);
    expect(() => tm.data.sampleFromDatasets([] as tm.data.Dataset<number>[])).toThrow('sampleFromDatasets: expects a non-empty array of datasets, got []');
    expect(() => tm.data.sampleFromDatasets([d, [1, 2] as never])).toThrow('sampleFromDatasets: datasets[1] is [1, 2], not a tm.data.Dataset');
    const weightsError = (w: unknown) => `sampleFromDatasets: weights must be 2 finite numbers ≥ 0, not all 0 (one per dataset), got ${w}`;
    expect(() => tm.data.sampleFromDatasets([d, d], { weights: [1] })).toThrow(weightsError('[1]'));
    expect(() => tm.data.sampleFromDatasets([d, d], { weights: [0, 0] })).toThrow(weightsError('[0, 0]'));
    expect(() => tm.data.sampleFromDatasets([d, d], { weights: [1, -1] })).toThrow(weightsError('[1, -1]'));
    expect(() => tm.data.sampleFromDatasets([d, d], { stopOnEmpty: true } as never)).toThrow(/sampleFromDatasets: unknown option "stopOnEmpty"/);
  });
});
