// Adaptive pooling over volumes against PyTorch's blocks in float64: output
// i along an axis of n pools positions floor(i·n/out) … ceil((i+1)·n/out) −
// 1, the 3-D block the product of the three axes' blocks, at sizes that
// divide, that do not, and outputs larger than the input; the gradients,
// one volume without its batch axis, and the layers.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose, uniform } from '../helpers/data.js';
import { size } from '../helpers/float64.js';
import { collected } from '../helpers/gc.js';

const block = (i: number, n: number, out: number) => [Math.floor((i * n) / out), Math.ceil(((i + 1) * n) / out)];

/** The pooled values of x [planes, D, H, W] and, for dy = `weights`, the gradient of Σ y·weights, in float64. */
function adaptive3dRef(x: Float64Array, planes: number, extent: number[], out: number[], largest: boolean, weights: Float64Array) {
  const [D, H, W] = extent;
  const y = new Float64Array(planes * size(out));
  const dx = new Float64Array(x.length);
  let k = 0;
  for (let p = 0; p < planes; p++) {
    for (let i = 0; i < out[0]; i++) {
      for (let j = 0; j < out[1]; j++) {
        for (let l = 0; l < out[2]; l++, k++) {
          const [[d0, d1], [h0, h1], [w0, w1]] = [block(i, D, out[0]), block(j, H, out[1]), block(l, W, out[2])];
          const cells: number[] = [];
          for (let d = d0; d < d1; d++) for (let h = h0; h < h1; h++) for (let w = w0; w < w1; w++) cells.push(((p * D + d) * H + h) * W + w);
          if (largest) {
            const best = cells.reduce((a, b) => (x[b] > x[a] ? b : a));
            y[k] = x[best];
            dx[best] += weights[k];
          } else {
            y[k] = cells.reduce((s, at) => s + x[at], 0) / cells.length;
            for (const at of cells) dx[at] += weights[k] / cells.length;
          }
        }
      }
    }
  }
  return { y, dx };
}

describe.each(BACKENDS)('adaptive pooling over volumes on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it.each([
    { extent: [4, 6, 8], out: [2, 3, 4] }, { extent: [5, 7, 3], out: [1, 1, 1] }, { extent: [7, 5, 6], out: [3, 2, 4] },
    { extent: [1, 3, 2], out: [2, 5, 3] }, { extent: [5, 5, 7], out: [5, 3, 7] },
  ])('$extent → $out: averages and maxima of PyTorch\'s blocks, and their gradients', async ({ extent, out }) => {
    const [n, c] = [2, 3];
    const values = Float64Array.from(uniform(n * c * size(extent)).map(Math.fround)); // distinct: one max per block
    const weights = Float64Array.from(uniform(n * c * size(out)).map(Math.fround));
    for (const largest of [false, true]) {
      const x = tm.tensor(values, [n, c, ...extent]);
      x.requiresGrad = true;
      const y = (largest ? tm.adaptiveMaxPool3d : tm.adaptiveAvgPool3d)(x, out as [number, number, number]);
      expect(y.shape).toEqual([n, c, ...out]);
      const want = adaptive3dRef(values, n * c, extent, out, largest, weights);
      expectClose(await y.data(), want.y, 1e-6, largest ? 'max' : 'avg');
      tm.tidy(() => y.mul(tm.tensor(weights, y.shape)).sum()).backward();
      expectClose(await x.grad!.data(), want.dx, 1e-6, `${largest ? 'max' : 'avg'} gradient`);
    }
  });

  it('one volume without its batch axis; the layers, sized by a number or a triple; nothing left behind', async () => {
    const values = Float64Array.from(uniform(2 * 3 * 4 * 5).map(Math.fround));
    const want = adaptive3dRef(values, 2, [3, 4, 5], [1, 2, 2], false, new Float64Array(8)).y;
    const one = tm.adaptiveAvgPool3d(tm.tensor(values, [2, 3, 4, 5]), [1, 2, 2]);
    expect(one.shape).toEqual([2, 1, 2, 2]);
    expectClose(await one.data(), want, 1e-6);
    const x = tm.randn([2, 4, 3, 5, 6], { seed: 1 });
    expectClose(await new tm.nn.AdaptiveAvgPool3d(1).forward(x).data(), await x.mean([2, 3, 4]).data(), 1e-5);
    expectClose(await new tm.nn.AdaptiveMaxPool3d(1).forward(x).data(), await x.max([2, 3, 4]).data(), 0);
    expect(new tm.nn.AdaptiveMaxPool3d([1, 2, 3]).forward(x).shape).toEqual([2, 4, 1, 2, 3]);
    tm.adaptiveMaxPool3d(x, [2, 3, 4]).dispose();
    const before = await collected();
    tm.adaptiveMaxPool3d(x, [2, 3, 4]).dispose();
    expect(tm.memory().numTensors).toBe(before);
  });
});

describe('adaptive pooling over volumes', () => {
  it('the layers save and load, their output size a triple', async () => {
    await tm.init({ backend: 'js' });
    const model = new tm.nn.Sequential([new tm.nn.AdaptiveMaxPool3d([2, 3, 4]), new tm.nn.AdaptiveAvgPool3d(1)]);
    expect(model.config()).toEqual({ type: 'Sequential', layers: [{ type: 'AdaptiveMaxPool3d', outputSize: [2, 3, 4] }, { type: 'AdaptiveAvgPool3d', outputSize: [1, 1, 1] }] });
    const loaded = tm.nn.fromBytes(await model.toBytes());
    expect(loaded.config()).toEqual(model.config());
    const x = tm.randn([1, 2, 5, 6, 7], { seed: 2 });
    expect(await loaded.predict(x).data()).toEqual(await model.predict(x).data());
  });

  it('refuse an output size that is not a positive integer or a triple of them, x of the wrong rank, and extra arguments', () => {
    expect(() => tm.adaptiveAvgPool3d(tm.zeros([1, 1, 4, 4, 4]), 0)).toThrow('adaptiveAvgPool3d: outputSize must be an integer ≥ 1 or a triple [depth, height, width] of them, got 0');
    expect(() => new tm.nn.AdaptiveMaxPool3d([2, 2] as unknown as tm.Size3d)).toThrow('AdaptiveMaxPool3d: outputSize must be an integer ≥ 1 or a triple [depth, height, width] of them, got [2, 2]');
    expect(() => tm.adaptiveMaxPool3d(tm.zeros([4, 4, 4]), 2)).toThrow('adaptiveMaxPool3d: x must be [batch, channels, depth, height, width] (or one volume [channels, depth, height, width]), got [4,4,4]');
    expect(() => new (tm.nn.AdaptiveAvgPool3d as unknown as new (...a: unknown[]) => unknown)(1, 2)).toThrow('AdaptiveAvgPool3d: takes no arguments, got 2 (an adaptive pool takes its output size alone)');
  });
});
