// maxPool2dWithIndices / maxPool1dWithIndices and maxUnpool2d / maxUnpool1d on
// every backend, against float64 loops written here that follow PyTorch's
// max_pool2d(return_indices=True) and max_unpool2d: each window's first
// largest value (scanning its taps in row order), and values put back at
// their indices in a plane of zeros.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { collected } from '../helpers/gc.js';
import { expectClose, expectExact, randomInts, uniform } from '../helpers/data.js';

interface PoolCase {
  x: [number, number, number, number];
  kernel: [number, number];
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number];
  ceilMode: boolean;
}

const CASES: PoolCase[] = [
  { x: [2, 3, 7, 8], kernel: [3, 3], stride: [2, 2], padding: [1, 1], dilation: [1, 1], ceilMode: false },
  { x: [1, 2, 9, 9], kernel: [2, 2], stride: [2, 2], padding: [0, 0], dilation: [1, 1], ceilMode: false },
  { x: [2, 2, 7, 8], kernel: [2, 2], stride: [1, 1], padding: [1, 1], dilation: [2, 3], ceilMode: false },
  { x: [1, 3, 8, 7], kernel: [3, 3], stride: [2, 2], padding: [0, 1], dilation: [1, 1], ceilMode: true },
  { x: [3, 1, 13, 11], kernel: [3, 2], stride: [2, 3], padding: [1, 0], dilation: [1, 1], ceilMode: false },
  { x: [1, 1, 1, 1], kernel: [1, 1], stride: [1, 1], padding: [0, 0], dilation: [1, 1], ceilMode: false },
];

/** The output's size along one axis, PyTorch's rule (ceilMode: a last window that starts within the image or its padding before). */
function outSize(input: number, c: PoolCase, a: 0 | 1): number {
  const extent = input + 2 * c.padding[a] - (c.dilation[a] * (c.kernel[a] - 1) + 1);
  let out = (c.ceilMode ? Math.ceil(extent / c.stride[a]) : Math.floor(extent / c.stride[a])) + 1;
  if (c.ceilMode && (out - 1) * c.stride[a] >= input + c.padding[a]) out--;
  return out;
}

/** PyTorch's max_pool2d with indices, in float64: a tap replaces the max if greater, or if it is the window's first NaN; the window's first pixel to begin with. */
function poolRef(x: Float64Array, c: PoolCase): { values: Float64Array; indices: Int32Array; out: [number, number] } {
  const [n, channels, h, w] = c.x;
  const out: [number, number] = [outSize(h, c, 0), outSize(w, c, 1)];
  const values = new Float64Array(n * channels * out[0] * out[1]);
  const indices = new Int32Array(values.length);
  let i = 0;
  for (let p = 0; p < n * channels; p++) {
    for (let oy = 0; oy < out[0]; oy++) {
      for (let ox = 0; ox < out[1]; ox++) {
        let best = -Infinity;
        let at = -1;
        for (let ky = 0; ky < c.kernel[0]; ky++) {
          for (let kx = 0; kx < c.kernel[1]; kx++) {
            const iy = oy * c.stride[0] + ky * c.dilation[0] - c.padding[0];
            const ix = ox * c.stride[1] + kx * c.dilation[1] - c.padding[1];
            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
            const v = x[p * h * w + iy * w + ix];
            if (at < 0 || v > best || (Number.isNaN(v) && !Number.isNaN(best))) [best, at] = [v, iy * w + ix];
          }
        }
        [values[i], indices[i]] = [best, at];
        i++;
      }
    }
  }
  return { values, indices, out };
}

/** max_unpool2d in float64: each plane's values put at their indices, the mean where several name one position. */
function unpoolRef(x: Float64Array, indices: ArrayLike<number>, planes: number, perPlane: number, plane: number): Float64Array {
  const sums = new Float64Array(planes * plane);
  const counts = new Float64Array(planes * plane);
  for (let p = 0; p < planes; p++) {
    for (let j = 0; j < perPlane; j++) {
      const at = p * plane + indices[p * perPlane + j];
      sums[at] += x[p * perPlane + j];
      counts[at]++;
    }
  }
  return sums.map((s, k) => (counts[k] ? s / counts[k] : 0));
}

describe.each(BACKENDS)('on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  describe('maxPool2dWithIndices', () => {
    it('pools planes whose windows\' values together pass a GPU\'s binding limit ([3, 8, 256, 256], window 5, stride 1: 152 MB of them), a run of planes at a time', async () => {
      const x = tm.randn([3, 8, 256, 256], { seed: 3 });
      const before = tm.memory().numTensors;
      const { values, indices } = tm.maxPool2dWithIndices(x, 5, { stride: 1 });
      expect(tm.memory().numTensors).toBe(before + 2);
      const got = await values.data();
      expect(got).toEqual(await tm.maxPool2d(x, 5, { stride: 1 }).data());
      const [xs, at] = [await x.data(), await indices.data()];
      // Each index inside its window, holding the window's value.
      for (let i = 0; i < at.length; i++) {
        const [plane, position] = [Math.floor(i / (252 * 252)), i % (252 * 252)];
        const [dy, dx] = [Math.floor(at[i] / 256) - Math.floor(position / 252), (at[i] % 256) - (position % 252)];
        if (!(dy >= 0 && dy < 5 && dx >= 0 && dx < 5 && xs[plane * 65536 + at[i]] === got[i])) expect.fail(`output ${i}: index ${at[i]} is not its window's maximum`);
      }
    });

    it.each(CASES)('gives maxPool2d\'s values and the position of each window\'s first largest value: x $x, window $kernel, stride $stride, padding $padding, dilation $dilation, ceilMode $ceilMode', async (c) => {
      // Small integers: ties in most windows, so the first-of-the-tied rule is checked too.
      for (const v of [Float64Array.from(Float32Array.from(uniform(c.x.reduce((a, b) => a * b)))), randomInts(c.x.reduce((a, b) => a * b), -2, 2)]) {
        const x = tm.tensor(v, c.x);
        const options = { stride: c.stride, padding: c.padding, dilation: c.dilation, ceilMode: c.ceilMode };
        const { values, indices } = tm.maxPool2dWithIndices(x, c.kernel, options);
        const want = poolRef(v, c);
        expect(values.shape).toEqual([c.x[0], c.x[1], ...want.out]);
        expect([indices.shape, indices.dtype]).toEqual([values.shape, 'i32']);
        expectExact(await values.data(), want.values, 'values');
        expectExact(await indices.data(), want.indices, 'indices');
        expectExact(await values.data(), await tm.maxPool2d(x, c.kernel, options).data(), 'values as maxPool2d\'s');
        for (const t of [x, values, indices]) t.dispose();
      }
    });

    it('points at a pixel, never the padding, when a window holds only −∞; at the first NaN when it holds one', async () => {
      const v = Float64Array.from({ length: 2 * 16 }, (_, i) => (i < 16 ? -Infinity : i % 5));
      v[16 + 5] = NaN;
      v[16 + 6] = NaN;
      const c: PoolCase = { x: [1, 2, 4, 4], kernel: [3, 3], stride: [2, 2], padding: [1, 1], dilation: [1, 1], ceilMode: false };
      const { values, indices } = tm.maxPool2dWithIndices(tm.tensor(v, c.x), 3, { stride: 2, padding: 1 });
      const want = poolRef(v, c);
      expectExact(await values.data(), want.values, 'values');
      expectExact(await indices.data(), want.indices, 'indices');
      expect(Array.from(await indices.data()).slice(0, 4)).toEqual([0, 1, 4, 5]); // the −∞ plane: each window's first pixel
    });

    it('in f16, and with its values\' gradient maxPool2d\'s', async () => {
      const shape = [2, 3, 7, 8];
      // 336 distinct values, each exact in f16 (k/128 below 2), shuffled: no window holds a tie, whose gradient
      // maxPool2d would share (random f16 values tie often: 11 bits).
      const order = uniform(2 * 3 * 7 * 8);
      const v = Float64Array.from(Array.from(order.keys()).sort((i, j) => order[i] - order[j]), (k) => (k - 168) / 128);
      const x = tm.tensor(v, shape, { dtype: 'f16' });
      const c = CASES[0];
      const { values, indices } = tm.maxPool2dWithIndices(x, 3, { stride: 2, padding: 1 });
      expect(values.dtype).toBe('f16');
      const want = poolRef(v, c);
      expectExact(await values.data(), want.values, 'f16 values');
      expectExact(await indices.data(), want.indices, 'f16 indices');

      const xs = tm.tensor(Float32Array.from(v), shape);
      xs.requiresGrad = true;
      const weights = tm.tensor(uniform(values.size), values.shape);
      tm.maxPool2dWithIndices(xs, 3, { stride: 2, padding: 1 }).values.mul(weights).sum().backward();
      // No ties in random data: each value's gradient is the weight of every window it is the max of.
      const grad = new Float64Array(xs.size);
      const w = await weights.data();
      want.indices.forEach((at, j) => (grad[Math.floor(j / (want.out[0] * want.out[1])) * 56 + at] += w[j]));
      expectClose(await xs.grad!.data(), grad, 1e-6, 'gradient');
    });

    it('maxPool1dWithIndices: positions along the sequence, one sequence without its batch axis too', async () => {
      const v = Float64Array.from(Float32Array.from(uniform(2 * 3 * 11)));
      const c: PoolCase = { x: [2, 3, 1, 11], kernel: [1, 3], stride: [1, 2], padding: [0, 1], dilation: [1, 1], ceilMode: false };
      const want = poolRef(v, c);
      const { values, indices } = tm.maxPool1dWithIndices(tm.tensor(v, [2, 3, 11]), 3, { stride: 2, padding: 1 });
      expect(indices.shape).toEqual([2, 3, 6]);
      expectExact(await values.data(), want.values, 'values');
      expectExact(await indices.data(), want.indices, 'indices');
      const one = tm.maxPool1dWithIndices(tm.tensor(v.subarray(0, 33), [3, 11]), 3, { stride: 2, padding: 1 });
      expect(one.indices.shape).toEqual([3, 6]);
      expectExact(await one.indices.data(), want.indices.subarray(0, 18), 'one sequence');
    });
  });

  describe('maxUnpool2d', () => {
    it.each(CASES.filter((c) => !c.ceilMode && c.dilation[0] === 1))('puts maxPool2dWithIndices\'s values back where they were, zeros elsewhere: x $x, window $kernel, stride $stride, padding $padding', async (c) => {
      const v = Float64Array.from(Float32Array.from(uniform(c.x.reduce((a, b) => a * b))));
      const x = tm.tensor(v, c.x);
      const { values, indices } = tm.maxPool2dWithIndices(x, c.kernel, { stride: c.stride, padding: c.padding });
      // Indices are positions in x's planes: unpooled to x's size (given, unless the pooling's numbers give it back).
      const natural = [0, 1].map((a) => (values.shape[2 + a] - 1) * c.stride[a] - 2 * c.padding[a] + c.kernel[a]);
      const size = c.x.slice(2);
      const given = natural[0] === size[0] && natural[1] === size[1] ? {} : { outputSize: size as [number, number] };
      const y = tm.maxUnpool2d(values, indices, c.kernel, { stride: c.stride, padding: c.padding, ...given });
      expect(y.shape).toEqual(c.x);
      const ref = poolRef(v, c);
      // A value picked by three overlapping windows comes back as the mean of three copies: to an ulp.
      expectClose(await y.data(), unpoolRef(ref.values, ref.indices, c.x[0] * c.x[1], values.shape[2] * values.shape[3], size[0] * size[1]), 1.2e-7, `unpooled to ${size}`);
      y.dispose();
      for (const t of [x, values, indices]) t.dispose();
    });

    it('holds the mean where indices repeat, and its gradient shares each output\'s gradient among them', async () => {
      // One plane of 2×2 values into 3×3: two name position 4, one position 0, one position 8.
      const x = tm.tensor([[[[1, 3], [5, 7]]], [[[2, 2], [-1, 4]]]]);
      x.requiresGrad = true;
      const indices = tm.tensor([[[[4, 0], [4, 8]]], [[[1, 1], [1, 1]]]], undefined, { dtype: 'i32' });
      const y = tm.maxUnpool2d(x, indices, 2, { stride: 1 });
      expect(y.shape).toEqual([2, 1, 3, 3]);
      expect(await y.data()).toEqual(Float32Array.from([3, 0, 0, 0, 3, 0, 0, 0, 7, 0, 1.75, 0, 0, 0, 0, 0, 0, 0]));
      const weights = Float32Array.from(uniform(18));
      y.mul(tm.tensor(weights, [2, 1, 3, 3])).sum().backward();
      expectClose(await x.grad!.data(), [weights[4] / 2, weights[0], weights[4] / 2, weights[8], ...Array(4).fill(weights[10] / 4)], 1e-6);
    });

    it('maxUnpool1d undoes maxPool1dWithIndices along a sequence', async () => {
      const v = Float64Array.from(Float32Array.from(uniform(2 * 3 * 12)));
      const x = tm.tensor(v, [2, 3, 12]);
      const { values, indices } = tm.maxPool1dWithIndices(x, 3, { stride: 3 });
      const y = tm.maxUnpool1d(values, indices, 3);
      expect(y.shape).toEqual([2, 3, 12]);
      const c: PoolCase = { x: [2, 3, 1, 12], kernel: [1, 3], stride: [1, 3], padding: [0, 0], dilation: [1, 1], ceilMode: false };
      const ref = poolRef(v, c);
      expectExact(await y.data(), unpoolRef(ref.values, ref.indices, 6, 4, 12), 'maxUnpool1d');
      expect(tm.maxUnpool1d(values, indices, 3, { outputSize: 13 }).shape).toEqual([2, 3, 13]);
    });

    it('refuses indices that do not fit x or the output, naming them', async () => {
      const x = tm.rand([1, 2, 3, 3]);
      const idx = tm.zeros([1, 2, 3, 3], { dtype: 'i32' });
      expect(() => tm.maxUnpool2d(x, tm.zeros([1, 2, 3, 2], { dtype: 'i32' }), 2)).toThrow('maxUnpool2d: indices [1,2,3,2] must have x\'s shape [1,2,3,3]');
      expect(() => tm.maxUnpool2d(x, tm.zeros([1, 2, 3, 3]), 2)).toThrow('maxUnpool2d: indices must be i32 (as maxPool2dWithIndices gives them), got f32');
      expect(() => tm.maxUnpool2d(x, idx, 2, { outputSize: [8, 6] })).toThrow('maxUnpool2d: outputSize [8, 6] is not one a pooling of window 2×2, stride 2×2 and padding 0×0 makes x [1,2,3,3] from: 6×6 or within a stride of it');
      expect(() => tm.maxUnpool2d(x, idx, 2, { strides: 2 } as tm.MaxUnpool2dOptions)).toThrow(/strides/);
      const outside = tm.tensor(Int32Array.from({ length: 18 }, (_, i) => (i === 7 ? 36 : i)), [1, 2, 3, 3], { dtype: 'i32' });
      if (backend === 'webgpu') {
        // A GPU would wait to read them: the one outside puts nothing.
        const y = await tm.maxUnpool2d(x, outside, 2).data();
        const xs = await x.data();
        expect(y.filter((v) => v !== 0).length).toBe(xs.filter((v, i) => i !== 7 && v !== 0).length);
      } else {
        expect(() => tm.maxUnpool2d(x, outside, 2)).toThrow('maxUnpool2d: index 36 (at 7 of indices [1,2,3,3]) is outside an output plane of 6×6 = 36 positions');
      }
    });

    it('leaves no tensor behind', async () => {
      const x = tm.randn([2, 3, 9, 8], { seed: 3 });
      const before = await collected();
      for (let i = 0; i < 3; i++) {
        const { values, indices } = tm.maxPool2dWithIndices(x, 3, { stride: 2, padding: 1 });
        const y = tm.maxUnpool2d(values, indices, 3, { stride: 2, padding: 1, outputSize: [9, 8] });
        await y.data();
        for (const t of [values, indices, y]) t.dispose();
      }
      expect(tm.memory().numTensors).toBe(before);
      x.dispose();
    });
  });
});
