// FractionalMaxPool2d and FractionalMaxPool3d: fresh samples each forward
// (the same run again with a seed or tm.setSeed, and a resumed run going on
// with the draws it made), forwardWithIndices for a MaxUnpool2d, training
// through the layer, the sizes saved and loaded, and the options checked.
// The op under them is checked against PyTorch in test/ops/fractional_pool.test.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectExact } from '../helpers/data.js';

const differ = async (a: tm.Tensor, b: tm.Tensor) => expect(Array.from(await a.data())).not.toEqual(Array.from(await b.data()));

describe.each(BACKENDS)('on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('draws fresh windows each forward, the same run again with a seed, and goes on where a resumed run left off', async () => {
    const x = tm.randn([2, 4, 17, 15], { seed: 1 });
    const pool = new tm.nn.FractionalMaxPool2d(2, { outputSize: [9, 8], seed: 5 });
    const [first, second, third] = [pool.forward(x), pool.forward(x), pool.forward(x)];
    expect(first.shape).toEqual([2, 4, 9, 8]);
    await differ(first, second);
    const again = new tm.nn.FractionalMaxPool2d(2, { outputSize: [9, 8], seed: 5 });
    expectExact(await again.forward(x).data(), await first.data(), 'first forward');
    expect(pool.drawCounts()).toEqual({ samples: 3 });
    const resumed = new tm.nn.FractionalMaxPool2d(2, { outputSize: [9, 8], seed: 5 });
    resumed.setDrawCounts({ samples: 2 });
    expectExact(await resumed.forward(x).data(), await third.data(), 'resumed at the third');
    // Unseeded: tm.setSeed's sequence; eval mode draws too, as PyTorch's.
    const unseeded = new tm.nn.FractionalMaxPool2d([3, 2], { outputRatio: [0.5, 0.7] });
    unseeded.eval();
    tm.setSeed(9);
    const drawn = unseeded.forward(x);
    expect(drawn.shape).toEqual([2, 4, 8, 10]);
    tm.setSeed(9);
    expectExact(await unseeded.forward(x).data(), await drawn.data(), 'after setSeed');
    expect(unseeded.drawCounts()).toEqual({});
  });

  it('forwardWithIndices gives forward\'s values and their positions for a MaxUnpool2d; a model trains through it', async () => {
    const x = tm.randn([2, 3, 9, 11], { seed: 2 });
    const pool = new tm.nn.FractionalMaxPool2d(3, { outputSize: [5, 6], seed: 1 });
    const { values, indices } = pool.forwardWithIndices(x);
    expectExact(await values.data(), await new tm.nn.FractionalMaxPool2d(3, { outputSize: [5, 6], seed: 1 }).forward(x).data(), 'values');
    const [held, got] = [await x.data(), await values.data()];
    (await indices.data()).forEach((at, i) => expect(held[Math.floor(i / 30) * 99 + at]).toBe(got[i]));
    expect(new tm.nn.MaxUnpool2d(2).forward(values, indices, [9, 11]).shape).toEqual([2, 3, 9, 11]);
    const conv = new tm.nn.Conv2d(3, 4, 3, { padding: 1, seed: 3 });
    const model = new tm.nn.Sequential([conv, new tm.nn.FractionalMaxPool2d(2, { outputRatio: 0.6, seed: 2 })]);
    const y = model.forward(x);
    expect(y.shape).toEqual([2, 4, 5, 6]);
    y.square().mean().backward();
    expect(conv.parameters().every((p) => p.grad !== null)).toBe(true);
  });

  it('saves its sizes and seed, loads as it was, and refuses bad options', async () => {
    const model = new tm.nn.Sequential([
      new tm.nn.FractionalMaxPool2d([3, 2], { outputSize: 4, seed: 7 }),
      new tm.nn.FractionalMaxPool3d(2, { outputRatio: 0.5 }),
    ]);
    const loaded = tm.nn.fromBytes(await model.toBytes());
    expect(loaded.config()).toEqual({
      type: 'Sequential',
      layers: [
        { type: 'FractionalMaxPool2d', kernelSize: [3, 2], outputSize: [4, 4], seed: 7 },
        { type: 'FractionalMaxPool3d', kernelSize: [2, 2, 2], outputRatio: [0.5, 0.5, 0.5] },
      ],
    });
    const x = tm.randn([1, 2, 9, 9], { seed: 4 });
    const [saved, back] = [model.layers[0] as tm.nn.FractionalMaxPool2d, (loaded as tm.nn.Sequential).layers[0] as tm.nn.FractionalMaxPool2d];
    expect([back.kernelSize, back.outputSize, back.outputRatio, back.seed]).toEqual([[3, 2], [4, 4], undefined, 7]);
    expectExact(await back.forward(x).data(), await saved.forward(x).data(), 'the loaded layer\'s first draw');
    expect(() => new tm.nn.FractionalMaxPool2d(2, {} as never)).toThrow("FractionalMaxPool2d: needs outputSize (the output's height, width) or outputRatio (its size over x's, in (0, 1))");
    expect(() => new tm.nn.FractionalMaxPool2d(2, { outputSize: 2, outputRatio: 0.5 } as never)).toThrow('FractionalMaxPool2d: give outputSize or outputRatio, not both');
    expect(() => new tm.nn.FractionalMaxPool3d(2, { outputRatio: 1.5 })).toThrow('FractionalMaxPool3d: outputRatio must be a number in (0, 1) or [depth, height, width] of them, got 1.5');
    expect(() => new tm.nn.FractionalMaxPool2d(2, { outputSize: 2, seed: 0.5 })).toThrow('FractionalMaxPool2d: seed must be an integer in [0, 2^32), got 0.5');
    expect(() => new tm.nn.FractionalMaxPool2d(2, { outputSize: 2, randomSamples: tm.rand([1, 1, 2]) } as never)).toThrow(/FractionalMaxPool2d: unknown option "randomSamples"/);
    expect(() => new tm.nn.FractionalMaxPool2d(4, { outputSize: 7 }).forward(x)).toThrow("FractionalMaxPool2d: 7 windows of 4 along the height need x's height ≥ output + kernel − 1 = 10, but x [1,2,9,9] has 9");
  });
});
