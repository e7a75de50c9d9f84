// PixelShuffle, PixelUnshuffle and Unflatten against index arithmetic
// written here (PyTorch's channel order: output channel c at pixel
// (h·r + i, w·r + j) is input channel c·r² + i·r + j at (h, w)), on fresh
// random data at odd shapes, leading batch axes included: the output, the
// gradient (the same arithmetic backwards), saving and errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, uniform } from '../helpers/data.js';
import { size } from '../helpers/float64.js';

/**
 * For x [...batch, C·r², H, W]: each output index of the shuffled [...batch, C, H·r, W·r]
 * and the flat input index it reads.
 */
function shuffleMap(shape: number[], r: number): { out: number[]; from: Int32Array } {
  const [c, h, w] = shape.slice(-3);
  const batch = size(shape.slice(0, -3));
  const channels = c / (r * r);
  const from = new Int32Array(size(shape));
  let k = 0;
  for (let n = 0; n < batch; n++) {
    for (let o = 0; o < channels; o++) {
      for (let y = 0; y < h * r; y++) {
        for (let x = 0; x < w * r; x++) {
          const [i, j] = [y % r, x % r];
          from[k++] = (((n * c + o * r * r + i * r + j) * h + Math.floor(y / r)) * w) + Math.floor(x / r);
        }
      }
    }
  }
  return { out: [...shape.slice(0, -3), channels, h * r, w * r], from };
}

describe.each(BACKENDS)('PixelShuffle and PixelUnshuffle on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each([
    { shape: [2, 12, 5, 7], r: 2 },
    { shape: [1, 9, 1, 3], r: 3 },
    { shape: [3, 13, 7, 1], r: 1 }, // r = 1: the identity
    { shape: [2, 3, 8, 3, 5], r: 2 }, // two batch axes
    { shape: [8, 3, 5], r: 2 }, // no batch axis
    { shape: [1, 50, 3, 2], r: 5 },
  ])('shuffles $shape by $r in PyTorch\'s channel order, unshuffles it back, and passes gradients back the same way', async ({ shape, r }) => {
    const { out, from } = shuffleMap(shape, r);
    const x = asF32(uniform(size(shape), -3, 3));
    const xt = tm.tensor(x, shape);
    xt.requiresGrad = true;
    const y = tm.nn.pixelShuffle(xt, r);
    expect(y.shape).toEqual(out);
    expect(Array.from(await y.data())).toEqual(Array.from(from, (i) => x[i]));
    const back = new tm.nn.PixelUnshuffle(r).forward(y);
    expect(back.shape).toEqual(shape);
    expect(Array.from(await back.data())).toEqual(Array.from(x));

    // dL/dx for L = Σ g·y: each input gets the g of the output that read it.
    const g = asF32(uniform(size(out), -1, 1));
    new tm.nn.PixelShuffle(r).forward(xt).mul(tm.tensor(g, out)).sum().backward();
    const dx = new Float64Array(x.length);
    from.forEach((i, k) => (dx[i] = g[k]));
    expect(Array.from(await xt.grad!.data())).toEqual(Array.from(dx));

    // And unshuffling: L = Σ g·unshuffle(z) sends z at output k of the shuffle the g at input from[k].
    const z = tm.tensor(asF32(uniform(size(out), -3, 3)), out);
    z.requiresGrad = true;
    const h = asF32(uniform(size(shape), -1, 1));
    tm.nn.pixelUnshuffle(z, r).mul(tm.tensor(h, shape)).sum().backward();
    expect(Array.from(await z.grad!.data())).toEqual(Array.from(from, (i) => h[i]));
  });

  it('Unflatten splits an axis (batch included in its count, negative from the end, one size -1) and passes the gradient through', async () => {
    const x = asF32(uniform(3 * 35 * 2, -1, 1));
    for (const [axis, shape, want] of [[1, [5, 7], [3, 5, 7, 2]], [-2, [-1, 5], [3, 7, 5, 2]], [2, [1, 2, 1], [3, 35, 1, 2, 1]], [0, [3], [3, 35, 2]]] as const) {
      const xt = tm.tensor(x, [3, 35, 2]);
      xt.requiresGrad = true;
      const y = new tm.nn.Unflatten(axis, shape).forward(xt);
      expect(y.shape).toEqual(want);
      expect(Array.from(await y.data())).toEqual(Array.from(x));
      y.mul(2).sum().backward();
      expect(Array.from(await xt.grad!.data())).toEqual(Array.from(x, () => 2));
    }
  });

  it('saves and loads PixelShuffle, PixelUnshuffle and Unflatten in a model: identical predictions', async () => {
    tm.setSeed(4);
    const m = new tm.nn.Sequential([
      new tm.nn.Dense(6, 36), new tm.nn.Unflatten(1, [4, 3, -1]), new tm.nn.PixelUnshuffle(3), new tm.nn.Conv2d(36, 8, 1), new tm.nn.PixelShuffle(2),
    ]);
    const loaded = tm.nn.fromBytes(await m.toBytes());
    expect(loaded.config()).toEqual(m.config());
    expect((loaded.config() as unknown as { layers: unknown[] }).layers.filter((_, i) => i !== 0 && i !== 3)).toEqual([
      { type: 'Unflatten', axis: 1, shape: [4, 3, -1] }, { type: 'PixelUnshuffle', downscaleFactor: 3 }, { type: 'PixelShuffle', upscaleFactor: 2 },
    ]);
    const x = tm.randn([5, 6], { seed: 7 });
    const y = loaded.predict(x);
    expect(y.shape).toEqual([5, 2, 2, 2]);
    expect(await y.data()).toEqual(await m.predict(x).data());
  });
});

describe('PixelShuffle, PixelUnshuffle and Unflatten', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('refuse bad factors and shapes, naming them', () => {
    expect(() => new tm.nn.PixelShuffle(0)).toThrow(new tm.ValueError('PixelShuffle: upscaleFactor must be a positive integer, got 0'));
    expect(() => tm.nn.pixelUnshuffle(tm.zeros([1, 1, 2, 2]), 1.5)).toThrow(new tm.ValueError('pixelUnshuffle: downscaleFactor must be a positive integer, got 1.5'));
    expect(() => tm.nn.pixelShuffle(tm.zeros([1, 6, 2, 2]), 2)).toThrow(new tm.ShapeError('pixelShuffle: x [1,6,2,2] has 6 channels, not a multiple of upscaleFactor² = 4'));
    expect(() => tm.nn.pixelShuffle(tm.zeros([4, 2]), 2)).toThrow(new tm.ShapeError('pixelShuffle: x [4,2] is not [..., channels, height, width]'));
    expect(() => tm.nn.pixelUnshuffle(tm.zeros([1, 1, 4, 3]), 2)).toThrow(new tm.ShapeError('pixelUnshuffle: x [1,1,4,3] has a height 4 and width 3 not both multiples of downscaleFactor 2'));
    expect(() => new tm.nn.Unflatten(1, [2, -1, -1])).toThrow(new tm.ValueError('Unflatten: shape must be a non-empty list of positive sizes (one may be -1), got [2, -1, -1]'));
    expect(() => new tm.nn.Unflatten(1, [])).toThrow(new tm.ValueError('Unflatten: shape must be a non-empty list of positive sizes (one may be -1), got []'));
    expect(() => new tm.nn.Unflatten(0.5, [2])).toThrow(new tm.ValueError('Unflatten: axis must be an integer, got 0.5'));
    expect(() => new tm.nn.Unflatten(1, [4, 3]).forward(tm.zeros([2, 10]))).toThrow(new tm.ShapeError('Unflatten: axis 1 of x [2,10] has size 10, which does not split into [4,3]'));
    expect(() => new tm.nn.Unflatten(1, [-1, 4]).forward(tm.zeros([2, 10]))).toThrow(new tm.ShapeError('Unflatten: axis 1 of x [2,10] has size 10, which does not split into [-1,4]'));
    expect(() => new tm.nn.Unflatten(-3, [2]).forward(tm.zeros([2, 10]))).toThrow(new tm.ShapeError('Unflatten: x [2,10] has no axis -3'));
  });
});
