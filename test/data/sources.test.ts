// Where datasets come from: tensors and arrays sliced along axis 0, a
// collection read each epoch, a generator called each epoch. Each source is
// read twice (two epochs) and gives the same elements; what it hands out is
// the reader's, and what the caller passed in stays the caller's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { collected } from '../helpers/gc.js';
import { asF32, uniform } from '../helpers/data.js';

/** Each element's tensors read back (nested arrays), the elements disposed. */
async function read(ds: tm.data.Dataset<unknown>): Promise<unknown[]> {
  const out: unknown[] = [];
  await ds.forEachAsync(async (e) => void out.push(await readElement(e)));
  return out;
}

async function readElement(e: unknown): Promise<unknown> {
  if (e instanceof tm.Tensor) return [e.shape, e.dtype, Array.from(await e.data())];
  if (Array.isArray(e)) return Promise.all(e.map(readElement));
  if (e !== null && typeof e === 'object' && !ArrayBuffer.isView(e)) {
    return Object.fromEntries(await Promise.all(Object.entries(e).map(async ([k, v]) => [k, await readElement(v)])));
  }
  return e;
}

describe.each(BACKENDS)('fromTensors on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });
  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each([[1, [3]], [7, [2, 5]], [13, []]])('slices %i samples of shape %j along axis 0, the same each epoch, x and y kept', async (n, sample) => {
    const width = sample.reduce((a, b) => a * b, 1);
    const xs = asF32(uniform(n * width));
    const ys = Int32Array.from({ length: n }, (_, i) => (i * 7) % 3);
    const x = tm.tensor(Float32Array.from(xs), [n, ...sample]);
    const y = tm.tensor(ys);
    const ds = tm.data.fromTensors(x, y);
    expect(ds.size).toBe(n);
    const want = Array.from({ length: n }, (_, i) => ({
      x: [sample, 'f32', Array.from(xs.subarray(i * width, (i + 1) * width))],
      y: [[], 'i32', [ys[i]]],
    }));
    expect(await read(ds)).toEqual(want);
    expect(await read(ds)).toEqual(want);
    expect(x.isDisposed || y.isDisposed).toBe(false);
    expect(await read(tm.data.fromTensors(x))).toEqual(want.map((w) => w.x));
  });

  it('leaves memory flat over epochs: each slice is freed once read', async () => {
    const x = tm.randn([9, 4], { seed: 1 });
    const ds = tm.data.fromTensors(x, tm.zeros([9]));
    await ds.forEachAsync(() => undefined);
    const before = await collected();
    for (let epoch = 0; epoch < 3; epoch++) await ds.forEachAsync(() => undefined);
    expect(tm.memory().numTensors).toBe(before);
  });

  it('batches by gathering whole batches, shuffled or not: the batches stacking each slice gives, epoch by epoch, memory flat', async () => {
    const x = tm.tensor(asF32(uniform(23 * 3)), [23, 3]);
    const y = tm.tensor(Int32Array.from({ length: 23 }, (_, i) => i));
    for (const [what, make] of [
      ['plain', (ds: tm.data.Dataset<tm.data.Sample<tm.Tensor, tm.Tensor>>) => ds],
      ['shuffled whole', (ds: tm.data.Dataset<tm.data.Sample<tm.Tensor, tm.Tensor>>) => ds.shuffle(23, { seed: 5 })],
      ['shuffled through a buffer of 4', (ds: tm.data.Dataset<tm.data.Sample<tm.Tensor, tm.Tensor>>) => ds.shuffle(4, { seed: 6 })],
    ] as const) {
      for (const dropRemainder of [false, true]) {
        const gathered = make(tm.data.fromTensors(x, y)).batch(5, { dropRemainder });
        // An identity map in between leaves the rows behind: each slice read and stacked, as any other dataset's.
        const stacked = make(tm.data.fromTensors(x, y)).map((e) => e).batch(5, { dropRemainder });
        expect(gathered.size).toBe(stacked.size);
        for (let epoch = 0; epoch < 2; epoch++) expect(await read(gathered), `${what}, epoch ${epoch}`).toEqual(await read(stacked));
      }
    }
    const ds = tm.data.fromTensors(x, y).shuffle(23).batch(4);
    await ds.forEachAsync(() => undefined);
    const before = await collected();
    for (let epoch = 0; epoch < 3; epoch++) await ds.forEachAsync(() => undefined);
    expect(tm.memory().numTensors).toBe(before);
    // Two epochs of a shuffle draw two orders.
    const [first, second] = [await read(ds), await read(ds)];
    expect(first).not.toEqual(second);
  });
});

describe('fromArrays', () => {
  it('makes each row a tensor as it is read: nested arrays f32, a typed array one scalar a sample in its dtype', async () => {
    const ds = tm.data.fromArrays([[1, 2], [3, 4], [5, 6]], Int32Array.from([2, 0, 1]));
    expect(ds.size).toBe(3);
    const want = [
      { x: [[2], 'f32', [1, 2]], y: [[], 'i32', [2]] },
      { x: [[2], 'f32', [3, 4]], y: [[], 'i32', [0]] },
      { x: [[2], 'f32', [5, 6]], y: [[], 'i32', [1]] },
    ];
    expect(await read(ds)).toEqual(want);
    expect(await read(ds)).toEqual(want);
    expect(await read(tm.data.fromArrays([0.5, 1.5]))).toEqual([[[], 'f32', [0.5]], [[], 'f32', [1.5]]]);
  });

  it('refuses arrays of different lengths, and what is not an array', async () => {
    expect(() => tm.data.fromArrays([[1], [2]], [1, 2, 3])).toThrow('fromArrays: x has 2 samples and y 3; they must have as many');
    expect(() => tm.data.fromArrays(5 as unknown as number[])).toThrow('fromArrays: x must be an array or a typed array, got 5');
    await expect(read(tm.data.fromArrays(['a'] as unknown as number[]))).rejects.toThrow('fromArrays: sample 0 is "a", expected a number or nested arrays of numbers');
    await expect(read(tm.data.fromArrays([[1, 2], [3, [4]]] as unknown as number[][]))).rejects.toThrow('fromArrays: sample 1: element at [1] is an array, expected a number (ragged nesting?)');
  });
});

describe('fromTensors refuses', () => {
  it('samples that do not pair up, scalars and what is not a tensor', () => {
    expect(() => tm.data.fromTensors(tm.zeros([4, 2]), tm.zeros([3]))).toThrow('fromTensors: x [4,2] and y [3] must have the same number of samples along axis 0');
    expect(() => tm.data.fromTensors(tm.scalar(1))).toThrow('fromTensors: x is a scalar; its samples are sliced along axis 0');
    expect(() => tm.data.fromTensors([1, 2] as unknown as tm.Tensor)).toThrow('fromTensors: x must be a tensor, got [1, 2]');
  });
});

describe('fromIterable', () => {
  it('reads a collection each epoch, copying its tensors so that the collection keeps its own', async () => {
    const kept = [tm.tensor([1, 2]), tm.tensor([3, 4])];
    const ds = tm.data.fromIterable(kept.map((t, i) => ({ x: t, y: i })));
    expect(ds.size).toBe(2);
    const want = [{ x: [[2], 'f32', [1, 2]], y: 0 }, { x: [[2], 'f32', [3, 4]], y: 1 }];
    expect(await read(ds)).toEqual(want);
    expect(await read(ds)).toEqual(want); // the copies were freed, the originals not
    expect(kept.every((t) => !t.isDisposed)).toBe(true);
    expect(await read(tm.data.fromIterable(new Set([1, 2, 3])))).toEqual([1, 2, 3]);
  });

  it('reads an async iterable that starts over each time', async () => {
    const source = { async *[Symbol.asyncIterator]() { yield 1; yield 2; } };
    const ds = tm.data.fromIterable(source);
    expect(ds.size).toBeNull();
    expect(await read(ds)).toEqual([1, 2]);
    expect(await read(ds)).toEqual([1, 2]);
  });

  it('refuses an iterator, which would be used up after one epoch, and what is not iterable', () => {
    function* gen() { yield 1; }
    expect(() => tm.data.fromIterable(gen())).toThrow('fromIterable: got an iterator, which is used up after one epoch; pass its generator function to fromGenerator');
    expect(() => tm.data.fromIterable(5 as unknown as number[])).toThrow('fromIterable: expects an iterable (an array, a Set) or an async iterable, got 5');
  });
});

describe('fromGenerator', () => {
  it('calls the function afresh each epoch, sync or async', async () => {
    let calls = 0;
    const ds = tm.data.fromGenerator(function* () {
      calls++;
      for (let i = 0; i < 3; i++) yield { x: Float32Array.of(i, -i), y: i };
    });
    expect(ds.size).toBeNull();
    expect(await read(ds)).toHaveLength(3);
    expect(await read(ds)).toHaveLength(3);
    expect(calls).toBe(2);
    const streamed = tm.data.fromGenerator(async function* () {
      for (let i = 0; i < 2; i++) {
        await new Promise((resolve) => setTimeout(resolve, 1)); // a file read, say
        yield tm.fill([2], i);
      }
    });
    expect(await read(streamed)).toEqual([[[2], 'f32', [0, 0]], [[2], 'f32', [1, 1]]]);
  });

  it('copies the tensors it yields that existed before the epoch began: the caller\'s stay, the copies are freed', async () => {
    const held = [tm.tensor([1, 2]), tm.tensor([3, 4])];
    const ds = tm.data.fromGenerator(function* () {
      for (const t of held) yield { x: t, y: tm.scalar(0) };
    });
    await ds.forEachAsync(() => undefined);
    const before = await collected();
    for (let epoch = 0; epoch < 2; epoch++) {
      expect(await read(ds)).toEqual([{ x: [[2], 'f32', [1, 2]], y: [[], 'f32', [0]] }, { x: [[2], 'f32', [3, 4]], y: [[], 'f32', [0]] }]);
    }
    expect(held.every((t) => !t.isDisposed)).toBe(true);
    expect(tm.memory().numTensors).toBe(before);
  });

  it('a generator that throws rejects the reader with its error, and what it had made is freed', async () => {
    const ds = tm.data.fromGenerator(function* () {
      yield tm.ones([3]);
      throw new Error('disk on fire');
    }).batch(4);
    const before = await collected();
    await expect(ds.toArray()).rejects.toThrow('disk on fire');
    expect(tm.memory().numTensors).toBe(before);
  });

  it('refuses what is not a function, and a function that returns no iterable', async () => {
    expect(() => tm.data.fromGenerator([1, 2] as unknown as () => number[])).toThrow('fromGenerator: expects a function that returns an iterable (a generator function), got [1, 2]');
    await expect(tm.data.fromGenerator(() => 5 as unknown as number[]).toArray()).rejects.toThrow('fromGenerator: the function returned 5; it must return an iterable or async iterable');
  });
});
