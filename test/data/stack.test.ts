// batch: consecutive elements stacked leaf by leaf into tensors with a leading
// batch axis, against the values stacked by hand here, on every backend; the
// elements stacked are freed, and elements that do not stack are refused
// naming the element and the part of it that differs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { collected } from '../helpers/gc.js';
import { asF32, uniform } from '../helpers/data.js';

describe.each(BACKENDS)('batch on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });
  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each([[1, 1], [7, 3], [13, 5], [6, 6], [4, 9]])('stacks %i samples of tensors, numbers and typed arrays %i at a time, the last batch short', async (n, size) => {
    const width = 3;
    const xs = asF32(uniform(n * width));
    const ws = Float32Array.from(uniform(n * 2));
    const samples = Array.from({ length: n }, (_, i) => ({
      x: Array.from(xs.subarray(i * width, (i + 1) * width)),
      label: i % 4,
      pair: [Float32Array.from(ws.subarray(2 * i, 2 * i + 2)), Int32Array.of(i, -i)] as const,
    }));
    const ds = tm.data.fromGenerator(function* () {
      for (const s of samples) yield { x: tm.tensor(s.x), label: s.label, pair: s.pair };
    }).batch(size);
    const batches = await ds.toArray();
    expect(batches).toHaveLength(Math.ceil(n / size));
    for (const [b, batch] of batches.entries()) {
      const part = samples.slice(b * size, (b + 1) * size);
      expect(batch.x.shape).toEqual([part.length, width]);
      expect(batch.x.dtype).toBe('f32');
      expect(Array.from(await batch.x.data())).toEqual(part.flatMap((s) => s.x));
      expect([batch.label.shape, batch.label.dtype]).toEqual([[part.length], 'f32']);
      expect(Array.from(await batch.label.data())).toEqual(part.map((s) => s.label));
      const [w, ids] = batch.pair;
      expect([w.shape, w.dtype, ids.shape, ids.dtype]).toEqual([[part.length, 2], 'f32', [part.length, 2], 'i32']);
      expect(Array.from(await w.data())).toEqual(part.flatMap((s) => Array.from(s.pair[0])));
      expect(Array.from(await ids.data())).toEqual(part.flatMap((s) => Array.from(s.pair[1])));
      for (const t of [batch.x, batch.label, w, ids]) t.dispose();
    }
  });

  it('dropRemainder leaves out a short last batch; the sizes follow', async () => {
    const ds = tm.data.fromArrays(new Float32Array(10));
    expect([ds.batch(4).size, ds.batch(4, { dropRemainder: true }).size, ds.batch(5, { dropRemainder: true }).size]).toEqual([3, 2, 2]);
    const before = await collected();
    const shapes = (await ds.batch(4, { dropRemainder: true }).toArray()).map((t) => {
      t.dispose();
      return t.shape;
    });
    expect(shapes).toEqual([[4], [4]]);
    expect(tm.memory().numTensors).toBe(before); // the two left over were freed too
  });

  it('frees the elements it stacks: memory is flat over epochs', async () => {
    const x = tm.randn([11, 2, 3], { seed: 3 });
    const ds = tm.data.fromTensors(x, tm.arange(0, 11)).batch(4);
    await ds.forEachAsync(() => undefined);
    const before = await collected();
    for (let epoch = 0; epoch < 3; epoch++) {
      await ds.forEachAsync(({ x: xb, y: yb }) => {
        expect(xb.shape[1]).toBe(2);
        expect(yb.rank).toBe(1);
      });
    }
    expect(tm.memory().numTensors).toBe(before);
  });

  it('refuses elements that do not stack, naming the element and the part, with the batch\'s other elements freed', async () => {
    const make = (items: () => unknown[]) => tm.data.fromGenerator(function* () { yield* items(); }).batch(3);
    const before = await collected();
    const cases: [() => unknown[], string][] = [
      [() => [{ x: tm.zeros([2]) }, { x: tm.zeros([3]) }], "batch: element 1's x is [3] where element 0's x is [2]"],
      [() => [[tm.zeros([2]), 1], [tm.zeros([2], { dtype: 'i32' }), 2]], "batch: element 1's [0] is i32 where element 0's [0] is f32"],
      [() => [{ x: 1, y: 2 }, { x: 1 }], 'batch: element 1 is an object {x} where element 0 is an object {x, y}; the elements of a batch must have one structure'],
      [() => [{ x: tm.zeros([2]), y: 1 }, { x: tm.zeros([2]), y: tm.zeros([1]) }], "batch: element 1's y is a tensor [1] f32 where element 0's y is a number"],
      [() => [Float32Array.of(1, 2), Float32Array.of(1)], 'batch: element 1 has 1 values where element 0 has 2'],
      [() => [Float32Array.of(1), Int32Array.of(1)], 'batch: element 1 is an Int32Array(1) where element 0 is a Float32Array(1)'],
      [() => ['a', 'b'], 'batch: element 0 is a string; batch stacks tensors, numbers and typed arrays, and tuples or objects of them'],
    ];
    for (const [items, message] of cases) await expect(make(items).toArray()).rejects.toThrow(message);
    expect(tm.memory().numTensors).toBe(before);
    // Elements are numbered from the epoch's start.
    const late = tm.data.fromGenerator(function* () { yield* [1, 2, 3, 'x']; }).batch(2);
    await expect(late.toArray()).rejects.toThrow('batch: element 3 is a string where element 2 is a number');
  });

  it('refuses a size that is not a positive integer, and unknown options', () => {
    const ds = tm.data.fromArrays([1, 2]);
    expect(() => ds.batch(0)).toThrow('batch: size must be an integer ≥ 1, got 0');
    expect(() => ds.batch(2, { drop_remainder: true } as tm.data.BatchOptions)).toThrow('batch: unknown option "drop_remainder" (did you mean dropRemainder?)');
    expect(() => ds.batch(2, { dropRemainder: 'yes' as unknown as boolean })).toThrow('batch: dropRemainder must be true or false, got "yes"');
  });
});
