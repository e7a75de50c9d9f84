// Adaptive pooling against PyTorch's blocks in float64: output i along an
// axis of n pools positions floor(i·n/out) … ceil((i+1)·n/out) − 1, at sizes
// that divide (equal windows), that do not, and outputs larger than the input.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose, uniform } from '../helpers/data.js';

const block = (i: number, n: number, out: number) => [Math.floor((i * n) / out), Math.ceil(((i + 1) * n) / out)];

/** The pooled values and, for dy = `weights`, the gradient of Σ y·weights, in float64 over x [planes, h, w]. */
function adaptiveRef(x: Float64Array, planes: number, h: number, w: number, out: [number, number], largest: boolean, weights: Float64Array) {
  const y = new Float64Array(planes * out[0] * out[1]);
  const dx = new Float64Array(x.length);
  for (let p = 0; p < planes; p++) {
    for (let i = 0; i < out[0]; i++) {
      for (let j = 0; j < out[1]; j++) {
        const [top, bottom] = block(i, h, out[0]);
        const [left, right] = block(j, w, out[1]);
        const cells: number[] = [];
        for (let r = top; r < bottom; r++) for (let c = left; c < right; c++) cells.push((p * h + r) * w + c);
        const k = (p * out[0] + i) * out[1] + j;
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
  return { y, dx };
}

describe.each(BACKENDS)('adaptive pooling on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each([
    { hw: [8, 8], out: [4, 4] }, { hw: [8, 8], out: [1, 1] }, { hw: [7, 5], out: [3, 2] }, { hw: [6, 9], out: [4, 9] },
    { hw: [3, 2], out: [5, 4] }, { hw: [13, 11], out: [7, 7] },
  ])('2d, $hw → $out: averages and maxima of PyTorch\'s blocks, and their gradients', async ({ hw, out }) => {
    const [n, c] = [2, 3];
    const [h, w] = hw;
    const values = Float64Array.from(uniform(n * c * h * w).map(Math.fround)); // distinct: one max per block
    const weights = Float64Array.from(uniform(n * c * out[0] * out[1]).map(Math.fround));
    for (const largest of [false, true]) {
      const x = tm.tensor(values, [n, c, h, w]);
      x.requiresGrad = true;
      const y = (largest ? tm.adaptiveMaxPool2d : tm.adaptiveAvgPool2d)(x, out as [number, number]);
      expect(y.shape).toEqual([n, c, ...out]);
      const want = adaptiveRef(values, n * c, h, w, out as [number, number], largest, weights);
      expectClose(await y.data(), want.y, 1e-6, largest ? 'max' : 'avg');
      y.mul(tm.tensor(weights, y.shape)).sum().backward();
      expectClose(await x.grad!.data(), want.dx, 1e-6, `${largest ? 'max' : 'avg'} gradient`);
    }
  });

  it('1d along sequences, batched or one sequence; the layers, sized by a number or a pair', async () => {
    const values = Float64Array.from(uniform(3 * 10).map(Math.fround));
    const weights = new Float64Array(3 * 4);
    for (const largest of [false, true]) {
      const want = adaptiveRef(values, 3, 1, 10, [1, 4], largest, weights).y;
      const op = largest ? tm.adaptiveMaxPool1d : tm.adaptiveAvgPool1d;
      expectClose(await op(tm.tensor(values, [1, 3, 10]), 4).data(), want, 1e-6);
      expect(op(tm.tensor(values, [3, 10]), 4).shape).toEqual([3, 4]);
    }
    const x = tm.randn([2, 4, 6, 6], { seed: 1 });
    expect(new tm.nn.AdaptiveAvgPool2d(1).forward(x).shape).toEqual([2, 4, 1, 1]);
    expectClose(await new tm.nn.AdaptiveAvgPool2d(1).forward(x).data(), await x.mean([2, 3]).data(), 1e-6);
    expect(new tm.nn.AdaptiveMaxPool2d([2, 3]).forward(x).shape).toEqual([2, 4, 2, 3]);
    expect(new tm.nn.AdaptiveAvgPool1d(2).forward(tm.zeros([2, 3, 5])).shape).toEqual([2, 3, 2]);
  });
});

describe('adaptive pooling refuses', () => {
  it('an output size that is not a positive integer, and x of the wrong rank', async () => {
    await tm.init({ backend: 'js' });
    expect(() => tm.adaptiveAvgPool2d(tm.zeros([1, 1, 4, 4]), 0)).toThrow('adaptiveAvgPool2d: outputSize must be an integer ≥ 1 or a pair [height, width] of them, got 0');
    expect(() => new tm.nn.AdaptiveMaxPool1d(1.5)).toThrow('AdaptiveMaxPool1d: outputSize must be an integer ≥ 1, got 1.5');
    expect(() => tm.adaptiveMaxPool2d(tm.zeros([4, 4]), 2)).toThrow(/adaptiveMaxPool2d: x must be \[batch, channels, height, width\]/);
  });
});
