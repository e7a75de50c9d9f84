// MaxUnpool1d / MaxUnpool2d / MaxUnpool3d and MaxPool's forwardWithIndices:
// the layers of a SegNet-style encoder-decoder, which unpools with the
// positions its pools chose. The ops under them are checked against float64
// and PyTorch in test/ops/unpool.test.ts and test/ops/unpool3d.test.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectExact } from '../helpers/data.js';

describe.each(BACKENDS)('on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('MaxPool2d.forwardWithIndices and MaxUnpool2d give what the ops give, and train end to end', async () => {
    const pool = new tm.nn.MaxPool2d(2, { stride: 2 });
    const unpool = new tm.nn.MaxUnpool2d(2);
    const conv = new tm.nn.Conv2d(2, 2, 3, { padding: 1, seed: 4 });
    const x = tm.randn([2, 2, 7, 6], { seed: 1 });
    const { values, indices } = pool.forwardWithIndices(x);
    const want = tm.maxPool2dWithIndices(x, 2);
    expectExact(await values.data(), await want.values.data(), 'values');
    expectExact(await indices.data(), await want.indices.data(), 'indices');
    // 7 rows pooled by 2 leave one out: the size must be given back.
    const y = unpool.forward(conv.forward(values), indices, [7, 6]);
    expect(y.shape).toEqual([2, 2, 7, 6]);
    expectExact(await y.data(), await tm.maxUnpool2d(conv.forward(values), indices, 2, { outputSize: [7, 6] }).data(), 'unpooled');
    y.square().mean().backward();
    expect(conv.parameters().every((p) => p.grad !== null)).toBe(true);
    expect(() => unpool.forward(values)).toThrow('MaxUnpool2d: forward(x, indices) needs the positions the max pool took its values from (its forwardWithIndices gives them)');
  });

  it('MaxPool1d.forwardWithIndices and MaxUnpool1d along sequences', async () => {
    const x = tm.tensor([[[1, 5, 2, 3, 9, 4]]]);
    const { values, indices } = new tm.nn.MaxPool1d(2).forwardWithIndices(x);
    expect(await values.array()).toEqual([[[5, 3, 9]]]);
    expect(await indices.array()).toEqual([[[1, 3, 4]]]);
    expect(await new tm.nn.MaxUnpool1d(2).forward(values, indices).array()).toEqual([[[0, 5, 0, 3, 9, 0]]]);
  });

  it('MaxPool3d.forwardWithIndices and MaxUnpool3d over volumes, one without its batch axis too', async () => {
    const pool = new tm.nn.MaxPool3d([2, 3, 2], { stride: 2, padding: [0, 1, 0], ceilMode: true });
    const unpool = new tm.nn.MaxUnpool3d([2, 3, 2], { stride: 2, padding: [0, 1, 0] });
    const conv = new tm.nn.Conv3d(2, 2, 3, { padding: 1, seed: 4 });
    const x = tm.randn([2, 2, 5, 6, 7], { seed: 1 });
    const options = { stride: 2, padding: [0, 1, 0] as [number, number, number], ceilMode: true };
    const { values, indices } = pool.forwardWithIndices(x);
    const want = tm.maxPool3dWithIndices(x, [2, 3, 2], options);
    expectExact(await values.data(), await want.values.data(), 'values');
    expectExact(await indices.data(), await want.indices.data(), 'indices');
    expectExact(await values.data(), await pool.forward(x).data(), 'values as forward\'s');
    const y = unpool.forward(conv.forward(values), indices, [5, 6, 7]);
    expect(y.shape).toEqual([2, 2, 5, 6, 7]);
    expectExact(await y.data(), await tm.maxUnpool3d(conv.forward(values), indices, [2, 3, 2], { stride: 2, padding: [0, 1, 0], outputSize: [5, 6, 7] }).data(), 'unpooled');
    y.square().mean().backward();
    expect(conv.parameters().every((p) => p.grad !== null)).toBe(true);
    const one = pool.forwardWithIndices(tm.tensor(await x.data(), [4, 5, 6, 7]));
    expectExact(await one.indices.data(), await indices.data(), 'one volume');
    expect(unpool.forward(one.values, one.indices, [5, 6, 7]).shape).toEqual([4, 5, 6, 7]);
    expect(() => unpool.forward(values)).toThrow('MaxUnpool3d: forward(x, indices) needs the positions the max pool took its values from (its forwardWithIndices gives them)');
  });

  it('saves its sizes, and refuses an option it does not have', async () => {
    const model = new tm.nn.Sequential([new tm.nn.MaxUnpool2d([2, 3], { stride: [2, 2], padding: [1, 0] }), new tm.nn.MaxUnpool1d(3), new tm.nn.MaxUnpool3d([1, 2, 3], { padding: [0, 1, 0] })]);
    const loaded = tm.nn.fromBytes(await model.toBytes());
    expect(loaded.config()).toEqual({
      type: 'Sequential',
      layers: [
        { type: 'MaxUnpool2d', kernelSize: [2, 3], stride: [2, 2], padding: [1, 0] },
        { type: 'MaxUnpool1d', kernelSize: 3, stride: 3, padding: 0 },
        { type: 'MaxUnpool3d', kernelSize: [1, 2, 3], stride: [1, 2, 3], padding: [0, 1, 0] },
      ],
    });
    const unpool3d = new tm.nn.MaxUnpool3d(2);
    expect([unpool3d.kernelSize, unpool3d.stride, unpool3d.padding]).toEqual([[2, 2, 2], [2, 2, 2], [0, 0, 0]]);
    expect(() => new tm.nn.MaxUnpool2d(2, { ceilMode: true } as tm.MaxUnpool2dOptions)).toThrow(/MaxUnpool2d.*ceilMode/);
    expect(() => new tm.nn.MaxUnpool3d(2, { outputSize: 4 } as tm.MaxUnpool3dOptions)).toThrow(/MaxUnpool3d.*outputSize/);
    expect(() => new tm.nn.MaxUnpool1d(0)).toThrow('MaxUnpool1d: kernelSize must be an integer ≥ 1, got 0');
    expect(() => new tm.nn.MaxUnpool3d([2, 2] as unknown as tm.Size3d)).toThrow('MaxUnpool3d: kernelSize must be an integer ≥ 1 or a triple [depth, height, width] of them, got [2, 2]');
  });
});
