// paddedBatch: elements whose tensors and typed arrays differ in length
// batched by padding each at the end of its axes, to the longest of its
// batch or to fixed shapes, with one padding value or one per part (tf.data's
// padded_batch); what batch does for the rest (numbers, tuples, objects,
// dropRemainder) kept; elements freed; bad shapes and values refused by name.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { collected } from '../helpers/gc.js';

beforeAll(async () => {
  await tm.init({ backend: 'js' });
});

/** Sentence i: tokens 1…len (len from `lengths`) as an Int32Array, its label i. */
const sentences = (lengths: number[]) => lengths.map((len, i) => ({ tokens: Int32Array.from({ length: len }, (_, k) => 10 * i + k + 1), label: i }));

/** Rows of `width` from a flat array, for comparing batches by eye. */
const rows = (values: ArrayLike<number>, width: number) => Array.from({ length: values.length / width }, (_, r) => Array.from(values).slice(r * width, (r + 1) * width));

describe('paddedBatch', () => {
  it('pads token arrays to the longest of each batch with 0, a short last batch to its own longest; labels stack as in batch', async () => {
    const batches = await tm.data.fromIterable(sentences([2, 4, 1, 3, 1])).paddedBatch(3).toArray();
    expect(batches.map((b) => b.tokens.shape)).toEqual([[3, 4], [2, 3]]);
    expect(batches[0].tokens.dtype).toBe('i32');
    expect(rows(await batches[0].tokens.data(), 4)).toEqual([[1, 2, 0, 0], [11, 12, 13, 14], [21, 0, 0, 0]]);
    expect(rows(await batches[1].tokens.data(), 3)).toEqual([[31, 32, 33], [41, 0, 0]]);
    expect(Array.from(await batches[1].label.data())).toEqual([3, 4]);
    const dropped = await tm.data.fromIterable(sentences([2, 4, 1, 3, 1])).paddedBatch(3, { dropRemainder: true }).toArray();
    expect(dropped.length).toBe(1);
  });

  it('takes a padding value per part (labels padded with -100, as a loss ignores) and pads every axis of a tensor that differs', async () => {
    const data = tm.data.fromIterable([
      { x: tm.tensor([[1, 2]]), y: tm.tensor([5], { dtype: 'i32' }) },
      { x: tm.tensor([[3], [4], [6]]), y: tm.tensor([7, 8, 9], { dtype: 'i32' }) },
    ]);
    const [batch] = await data.paddedBatch(2, { paddingValues: { x: 0.5, y: -100 } }).toArray();
    expect(batch.x.shape).toEqual([2, 3, 2]);
    expect(Array.from(await batch.x.data())).toEqual([1, 2, 0.5, 0.5, 0.5, 0.5, 3, 0.5, 4, 0.5, 6, 0.5]);
    expect(rows(await batch.y.data(), 3)).toEqual([[5, -100, -100], [7, 8, 9]]);
    // Parts a structure does not name are padded with 0.
    const [partly] = await tm.data.fromIterable(sentences([1, 2])).paddedBatch(2, { paddingValues: { label: 3 } }).toArray();
    expect(rows(await partly.tokens.data(), 2)).toEqual([[1, 0], [11, 12]]);
  });

  it('pads to fixed shapes, so every batch has one shape; null axes stay the longest; tuples take shapes entry by entry', async () => {
    const batches = await tm.data.fromIterable(sentences([2, 4, 1, 3, 1])).paddedBatch(2, { paddedShapes: { tokens: [6] } }).toArray();
    expect(batches.map((b) => b.tokens.shape)).toEqual([[2, 6], [2, 6], [1, 6]]);
    expect(rows(await batches[2].tokens.data(), 6)).toEqual([[41, 0, 0, 0, 0, 0]]);
    const pairs = tm.data.fromIterable([
      [tm.ones([2, 3]), Uint8Array.from([1, 2])],
      [tm.ones([1, 2]), Uint8Array.from([3])],
    ] as [tm.Tensor, Uint8Array][]);
    const [[x, mask]] = await pairs.paddedBatch(2, { paddedShapes: [[null, 4], [3]], paddingValues: [0, 9] }).toArray();
    expect([x.shape, mask.shape, mask.dtype]).toEqual([[2, 2, 4], [2, 3], 'f32']);
    expect(Array.from(await x.data())).toEqual([1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0]);
    expect(rows(await mask.data(), 3)).toEqual([[1, 2, 9], [3, 9, 9]]);
  });

  it('pads float arrays with any number (NaN, fractions) and batches arrays that are all empty', async () => {
    const [batch] = await tm.data.fromIterable([Float32Array.from([1]), Float32Array.from([2, 3])]).paddedBatch(2, { paddingValues: NaN }).toArray();
    expect(Array.from(await batch.data())).toEqual([1, NaN, 2, 3]);
    const [tenth] = await tm.data.fromIterable([Float32Array.from([1]), Float32Array.from([2, 3])]).paddedBatch(2, { paddingValues: 0.1 }).toArray();
    expect(Array.from(await tenth.data())).toEqual([1, Math.fround(0.1), 2, 3]);
    const [empty] = await tm.data.fromIterable([new Int32Array(0), new Int32Array(0)]).paddedBatch(2, { paddingValues: 7 }).toArray();
    expect(empty.shape).toEqual([2, 0]);
  });

  it('frees the elements it padded and every padded copy, epoch after epoch', async () => {
    const make = () => tm.data.fromGenerator(function* () {
      for (let i = 1; i <= 5; i++) yield { x: tm.ones([i, 2]), y: tm.ones([i]) };
    });
    const before = await collected();
    for (let epoch = 0; epoch < 2; epoch++) {
      await make().paddedBatch(2).forEachAsync((b) => {
        b.x.dispose();
        b.y.dispose();
      });
      await make().paddedBatch(2, { paddedShapes: { x: [8, 2] } }).take(1).forEachAsync((b) => {
        b.x.dispose();
        b.y.dispose();
      });
    }
    expect(await collected()).toBe(before);
  });

  it('refuses a part longer than its fixed shape, parts of different ranks, shapes of the wrong rank, padding its array cannot hold, and options it does not know', async () => {
    const padded = (items: unknown[], options: tm.data.PaddedBatchOptions<unknown> = {}) => tm.data.fromIterable(items).paddedBatch(2, options).toArray();
    await expect(padded([tm.zeros([1], { dtype: 'i32' }), tm.zeros([2], { dtype: 'i32' })], { paddingValues: 0.5 } as never))
      .rejects.toThrow(new tm.ValueError('paddedBatch: the padding 0.5 of element 0 is not a whole number, as its i32 tensor needs'));
    await expect(padded(sentences([3, 5]), { paddedShapes: { tokens: [4] } } as never))
      .rejects.toThrow(new tm.ShapeError("paddedBatch: element 1's tokens is [5], longer than its padded shape [4] on axis 0"));
    await expect(padded([tm.zeros([2]), tm.zeros([2, 1])]))
      .rejects.toThrow(new tm.ShapeError('paddedBatch: element 1 is [2,1] where element 0 is [2]: padding keeps the rank'));
    await expect(padded([tm.zeros([2, 2]), tm.zeros([1, 2])], { paddedShapes: [4] } as never))
      .rejects.toThrow(new tm.ValueError('paddedBatch: paddedShapes for the whole element must be 2 axes, each a length or null (the batch\'s longest), for a part of rank 2; got [4]'));
    await expect(padded([Uint8Array.from([1]), Uint8Array.from([1, 2])], { paddingValues: -1 } as never))
      .rejects.toThrow(new tm.ValueError('paddedBatch: the padding -1 of element 0 cannot be held in its Uint8Array'));
    await expect(padded(sentences([1, 2]), { paddingValues: { tokens: 'pad' } } as never))
      .rejects.toThrow(new tm.ValueError("paddedBatch: paddingValues at tokens must be a number, got \"pad\""));
    expect(() => tm.data.fromIterable([1]).paddedBatch(2, { padding: 0 } as never)).toThrow(/paddedBatch: unknown option "padding"/);
    expect(() => tm.data.fromIterable([1]).paddedBatch(0)).toThrow(/paddedBatch: size must be/);
  });
});
