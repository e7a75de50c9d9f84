// zip: datasets side by side, as tuples or objects, ending with the shortest.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { collected } from '../helpers/gc.js';

beforeAll(async () => {
  await tm.init({ backend: 'js' });
});

describe('zip', () => {
  it('pairs elements into tuples or objects, ending with the shortest, which fit can train on once batched', async () => {
    const xs = tm.data.fromArrays([[1, 1], [2, 2], [3, 3]]);
    const ys = tm.data.fromArrays(Int32Array.from([0, 1, 0, 1]));
    const asObjects = tm.data.zip({ x: xs, y: ys });
    expect(asObjects.size).toBe(3);
    const batches = await asObjects.batch(3).toArray();
    expect(batches).toHaveLength(1);
    expect([batches[0].x.shape, batches[0].y.shape, batches[0].y.dtype]).toEqual([[3, 2], [3], 'i32']);
    expect(Array.from(await batches[0].y.data())).toEqual([0, 1, 0]);
    const tuples = await tm.data.zip([tm.data.fromArrays([1, 2]), tm.data.fromIterable(['a', 'b', 'c'])]).map(([t, s]) => [t.shape.length, s]).toArray();
    expect(tuples).toEqual([[0, 'a'], [0, 'b']]);
    const net = new tm.nn.Sequential([new tm.nn.Dense(2, 2, { seed: 1 })]);
    const history = await net.fit(tm.data.zip({ x: xs, y: ys }).batch(2), { loss: 'crossEntropy', quiet: true });
    expect(history.loss).toHaveLength(1);
  });

  it('frees the longer datasets\' elements left over at the end, and what it read when one fails', async () => {
    const tensors = tm.data.fromTensors(tm.randn([5, 2], { seed: 1 }));
    const before = await collected();
    await tm.data.zip([tensors, tm.data.fromArrays([1, 2, 3])]).forEachAsync(() => undefined);
    const failing = tm.data.fromGenerator(function* () {
      yield 1;
      throw new Error('broken');
    });
    await expect(tm.data.zip([tensors, failing]).forEachAsync(() => undefined)).rejects.toThrow('broken');
    expect(tm.memory().numTensors).toBe(before);
  });

  it('refuses what is not datasets', () => {
    expect(() => tm.data.zip([])).toThrow('zip: expects at least one dataset');
    expect(() => tm.data.zip([tm.data.fromArrays([1]), [1] as unknown as tm.data.Dataset<number>])).toThrow('zip: datasets[1] is [1], not a tm.data.Dataset');
    expect(() => tm.data.zip({ x: 5 as unknown as tm.data.Dataset<number> })).toThrow('zip: x is 5, not a tm.data.Dataset');
    expect(() => tm.data.zip(5 as unknown as [])).toThrow('zip: expects an array or an object of datasets, got 5');
  });
});
