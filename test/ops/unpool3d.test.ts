// maxPool3dWithIndices and maxUnpool3d on every backend: against PyTorch
// 1.13's max_pool3d(return_indices=True) and max_unpool3d on fixed volumes
// (test/fixtures/pooling/max_pool3d_indices.npz, written by
// scripts/make-pooling-fixtures.py), and against float64 loops written here
// that follow them (each window's first largest value, scanning its taps in
// (depth, row, column) order; values put back at their indices in a volume
// of zeros) on fresh random data.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose, expectExact, randomInts, uniform } from '../helpers/data.js';
import { collected } from '../helpers/gc.js';
import { triple, type Triple } from '../helpers/volumes.js';

const torchFile = new Uint8Array(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'pooling', 'max_pool3d_indices.npz')));

/** The fixture's cases, with the options they were pooled with (scripts/make-pooling-fixtures.py's CASES). */
const TORCH_CASES: { name: string; kernel: tm.Size3d; options: tm.MaxPool3dOptions }[] = [
  { name: 'odd_sizes', kernel: 2, options: {} },
  { name: 'overlap_padding', kernel: 3, options: { stride: 2, padding: 1 } },
  { name: 'dilation', kernel: [2, 3, 2], options: { stride: 1, padding: [1, 1, 0], dilation: [2, 1, 2] } },
  { name: 'ceil_mode', kernel: 3, options: { stride: [2, 2, 3], padding: 1, ceilMode: true } },
  { name: 'unbatched', kernel: [1, 2, 2], options: { stride: [1, 2, 2] } },
  { name: 'stride_one', kernel: 2, options: { stride: 1 } },
  { name: 'ties', kernel: 3, options: { stride: 2, padding: 1 } },
];

interface Case {
  x: number[];
  kernel: Triple;
  stride: Triple;
  padding: Triple;
  dilation: Triple;
  ceilMode: boolean;
}

const c = (x: number[], kernel: number | Triple, o: { stride?: number | Triple; padding?: number | Triple; dilation?: number | Triple; ceilMode?: boolean } = {}): Case => ({
  x,
  kernel: triple(kernel, 1),
  stride: o.stride === undefined ? triple(kernel, 1) : triple(o.stride, 1),
  padding: triple(o.padding, 0),
  dilation: triple(o.dilation, 1),
  ceilMode: o.ceilMode ?? false,
});

const CASES: Case[] = [
  c([2, 3, 5, 7, 6], 2),
  c([1, 2, 7, 6, 5], 3, { stride: 2, padding: 1 }),
  c([2, 2, 6, 7, 5], [2, 3, 2], { stride: 1, padding: [1, 1, 0], dilation: [2, 1, 2] }),
  c([1, 3, 6, 5, 7], 3, { stride: [2, 2, 3], padding: 1, ceilMode: true }),
  c([3, 1, 5, 9, 4], [3, 1, 2], { stride: [1, 2, 1], ceilMode: true }),
  c([1, 1, 1, 1, 1], 1),
];

const options = (k: Case) => ({ stride: k.stride, padding: k.padding, dilation: k.dilation, ceilMode: k.ceilMode });
const count = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** PyTorch's output size along one axis (ceilMode: a last window that starts within x or its padding before). */
function outSize(input: number, k: Case, a: number): number {
  const extent = input + 2 * k.padding[a] - (k.dilation[a] * (k.kernel[a] - 1) + 1);
  let out = (k.ceilMode ? Math.ceil(extent / k.stride[a]) : Math.floor(extent / k.stride[a])) + 1;
  if (k.ceilMode && (out - 1) * k.stride[a] >= input + k.padding[a]) out--;
  return out;
}

/**
 * max_pool3d with indices in float64: each window's taps inside x scanned in (d, h, w) order, a tap replacing the max
 * if greater or if it is the window's first NaN; the window's first voxel to begin with.
 */
function poolRef(x: Float64Array, k: Case): { values: Float64Array; indices: Int32Array; out: Triple } {
  const [n, channels, ...extent] = k.x;
  const out = [0, 1, 2].map((a) => outSize(extent[a], k, a)) as Triple;
  const values = new Float64Array(n * channels * count(out));
  const indices = new Int32Array(values.length);
  const volume = count(extent);
  const taps = (a: number, o: number) => Array.from({ length: k.kernel[a] }, (_, t) => o * k.stride[a] - k.padding[a] + t * k.dilation[a]).filter((p) => p >= 0 && p < extent[a]);
  let j = 0;
  for (let v = 0; v < n * channels; v++) {
    for (let od = 0; od < out[0]; od++) {
      for (let oh = 0; oh < out[1]; oh++) {
        for (let ow = 0; ow < out[2]; ow++, j++) {
          let [best, at] = [-Infinity, -1];
          for (const d of taps(0, od)) {
            for (const h of taps(1, oh)) {
              for (const w of taps(2, ow)) {
                const i = (d * extent[1] + h) * extent[2] + w;
                const value = x[v * volume + i];
                if (at < 0 || value > best || (Number.isNaN(value) && !Number.isNaN(best))) [best, at] = [value, i];
              }
            }
          }
          [values[j], indices[j]] = [best, at];
        }
      }
    }
  }
  return { values, indices, out };
}

/** max_unpool3d in float64: each volume's values put at their indices, the mean where several name one position. */
function unpoolRef(x: ArrayLike<number>, indices: ArrayLike<number>, volumes: number, perVolume: number, volume: number): Float64Array {
  const sums = new Float64Array(volumes * volume);
  const counts = new Float64Array(volumes * volume);
  for (let v = 0; v < volumes; v++) {
    for (let j = 0; j < perVolume; j++) {
      const at = v * volume + indices[v * perVolume + j];
      sums[at] += x[v * perVolume + j];
      counts[at]++;
    }
  }
  return sums.map((s, i) => (counts[i] ? s / counts[i] : 0));
}

describe.each(BACKENDS)('on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  describe('against PyTorch', () => {
    it.each(TORCH_CASES)('$name: max_pool3d\'s values, indices and gradient, and max_unpool3d back to x\'s size', async ({ name, kernel, options: o }) => {
      const torch = tm.fromNpz(torchFile);
      const x = torch[`${name}_x`];
      x.requiresGrad = true;
      const { values, indices } = tm.maxPool3dWithIndices(x, kernel, o);
      expect([values.shape, indices.shape, indices.dtype]).toEqual([torch[`${name}_values`].shape, torch[`${name}_values`].shape, 'i32']);
      expectExact(await values.data(), await torch[`${name}_values`].data(), `${name} values`);
      expectExact(await indices.data(), await torch[`${name}_indices`].data(), `${name} indices`);
      values.mul(torch[`${name}_dy`]).sum().backward();
      // The ties' gradient is shared here, PyTorch's all to the first: it is maxPool3d's (checked below) instead.
      if (`${name}_grad` in torch) expectClose(await x.grad!.data(), await torch[`${name}_grad`].data(), 1e-6, `${name} gradient`);
      if (`${name}_unpooled` in torch) {
        const size = x.shape.slice(-3) as Triple;
        const y = tm.maxUnpool3d(values, indices, kernel, { stride: o.stride, padding: o.padding, outputSize: size });
        expect(y.shape).toEqual(x.shape);
        // A value picked by overlapping windows comes back as the mean of its copies: to an ulp.
        expectClose(await y.data(), await torch[`${name}_unpooled`].data(), 1.2e-7, `${name} unpooled`);
      }
      for (const t of Object.values(torch)) t.dispose();
    });
  });

  describe('maxPool3dWithIndices', () => {
    it.each(CASES)('maxPool3d\'s values and gradient, and the position of each window\'s first largest value: x $x, window $kernel, stride $stride, padding $padding, dilation $dilation, ceilMode $ceilMode', async (k) => {
      // Small integers too: ties in most windows, so the first-of-the-tied rule and the shared gradient are checked.
      for (const v of [Float64Array.from(Float32Array.from(uniform(count(k.x)))), randomInts(count(k.x), -2, 2)]) {
        const x = tm.tensor(v, k.x);
        x.requiresGrad = true;
        const { values, indices } = tm.maxPool3dWithIndices(x, k.kernel, options(k));
        const want = poolRef(v, k);
        expect(values.shape).toEqual([k.x[0], k.x[1], ...want.out]);
        expect([indices.shape, indices.dtype]).toEqual([values.shape, 'i32']);
        expectExact(await values.data(), want.values, 'values');
        expectExact(await indices.data(), want.indices, 'indices');
        const dy = tm.tensor(uniform(values.size), values.shape);
        values.backward(dy);
        const grad = await x.grad!.data();
        const plain = tm.tensor(v, k.x);
        plain.requiresGrad = true;
        const pooled = tm.maxPool3d(plain, k.kernel, options(k));
        expectExact(await values.data(), await pooled.data(), 'values as maxPool3d\'s');
        pooled.backward(dy);
        expectExact(grad, await plain.grad!.data(), 'gradient as maxPool3d\'s');
        for (const t of [x, values, indices, dy, plain, pooled]) t.dispose();
      }
    });

    it('one volume without its batch axis; an empty batch', async () => {
      const k = CASES[1];
      const v = Float64Array.from(Float32Array.from(uniform(count(k.x))));
      const { values, indices } = tm.maxPool3dWithIndices(tm.tensor(v, k.x.slice(1)), k.kernel, options(k));
      const want = poolRef(v, k);
      expect(indices.shape).toEqual([k.x[1], ...want.out]);
      expectExact(await values.data(), want.values, 'values');
      expectExact(await indices.data(), want.indices, 'indices');
      const empty = tm.maxPool3dWithIndices(tm.zeros([0, 2, 4, 4, 4]), 2);
      expect([empty.values.shape, empty.indices.shape]).toEqual([[0, 2, 2, 2, 2], [0, 2, 2, 2, 2]]);
      expect(Array.from(await empty.indices.data())).toEqual([]);
    });

    it('points at a voxel, never the padding, when a window holds only −∞; at the first NaN when it holds one', async () => {
      const k = c([1, 2, 3, 4, 4], 3, { stride: 2, padding: 1 });
      const v = Float64Array.from({ length: 2 * 48 }, (_, i) => (i < 48 ? -Infinity : i % 5));
      // The second volume's first window (depth slices 0 and 1, rows 0–1, columns 0–1) holds NaNs at (1, 0, 1), then
      // (0, 1, 1) before it in (d, h, w) order: the latter is the first.
      v[48 + 16 + 1] = NaN;
      v[48 + 5] = NaN;
      const { values, indices } = tm.maxPool3dWithIndices(tm.tensor(v, k.x), 3, { stride: 2, padding: 1 });
      const want = poolRef(v, k);
      expectExact(await values.data(), want.values, 'values');
      expectExact(await indices.data(), want.indices, 'indices');
      const got = Array.from(await indices.data());
      expect(got.slice(0, 8)).toEqual([0, 1, 4, 5, 16, 17, 20, 21]); // the −∞ volume: each window's first voxel
      expect(got[8]).toBe(5);
    });

    it('in f16', async () => {
      const k = CASES[1];
      // Distinct values each exact in f16 (k/64 below 2), shuffled: no window holds a tie.
      const order = uniform(count(k.x));
      const v = Float64Array.from(Array.from(order.keys()).sort((i, j) => order[i] - order[j]), (i) => (i - 100) / 64);
      const { values, indices } = tm.maxPool3dWithIndices(tm.tensor(v, k.x, { dtype: 'f16' }), k.kernel, options(k));
      expect(values.dtype).toBe('f16');
      const want = poolRef(v, k);
      expectExact(await values.data(), want.values, 'f16 values');
      expectExact(await indices.data(), want.indices, 'f16 indices');
    });

    it('refuses what maxPool3d refuses, naming itself', () => {
      expect(() => tm.maxPool3dWithIndices(tm.rand([2, 3, 4, 4]), 5)).toThrow('maxPool3dWithIndices: a 5×5×5 window does not fit in x [2,3,4,4]');
      expect(() => tm.maxPool3dWithIndices(tm.rand([2, 4, 4]), 2)).toThrow('maxPool3dWithIndices: x must be [batch, channels, depth, height, width]');
      expect(() => tm.maxPool3dWithIndices(tm.rand([1, 1, 4, 4, 4]), 2, { padding: 2 })).toThrow('maxPool3dWithIndices: padding 2 is more than half the 2×2×2 window');
      expect(() => tm.maxPool3dWithIndices(tm.rand([1, 1, 4, 4, 4]), 2, { countIncludePad: true } as tm.MaxPool3dOptions)).toThrow(/maxPool3dWithIndices: unknown option "countIncludePad"/);
    });
  });

  describe('maxUnpool3d', () => {
    it.each(CASES.filter((k) => k.dilation.every((d) => d === 1)))('puts maxPool3dWithIndices\'s values back where they were, zeros elsewhere: x $x, window $kernel, stride $stride, padding $padding, ceilMode $ceilMode', async (k) => {
      const v = Float64Array.from(Float32Array.from(uniform(count(k.x))));
      const x = tm.tensor(v, k.x);
      const { values, indices } = tm.maxPool3dWithIndices(x, k.kernel, options(k));
      const size = k.x.slice(2) as Triple;
      const y = tm.maxUnpool3d(values, indices, k.kernel, { stride: k.stride, padding: k.padding, outputSize: size });
      expect(y.shape).toEqual(k.x);
      const ref = poolRef(v, k);
      expectClose(await y.data(), unpoolRef(ref.values, ref.indices, k.x[0] * k.x[1], count(ref.out), count(size)), 1.2e-7, `unpooled to ${size}`);
      for (const t of [x, values, indices, y]) t.dispose();
    });

    it('sizes its output from the window, stride and padding; one volume without its batch axis', async () => {
      const x = tm.tensor(uniform(2 * 2 * 3 * 4), [2, 2, 3, 4]);
      const indices = tm.tensor(randomInts(x.size, 0, 4 * 7 * 8 - 1), x.shape, { dtype: 'i32' });
      const y = tm.maxUnpool3d(x, indices, [2, 3, 2], { stride: 2 });
      // (in − 1)·stride − 2·padding + window along each axis of [2, 3, 4]: 4, 7, 8.
      expect(y.shape).toEqual([2, 4, 7, 8]);
      const wanted = unpoolRef(await x.data(), await indices.data(), 2, 2 * 3 * 4, 4 * 7 * 8);
      expectClose(await y.data(), wanted, 1.2e-7, 'unbatched');
    });

    it('holds the mean where indices repeat, and its gradient shares each output\'s gradient among them', async () => {
      // Two volumes of 2 values into 2×2×2: the first names position 5 twice, the second 0 and 7.
      const x = tm.tensor([[[[[1, 3]]]], [[[[5, -2]]]]]);
      x.requiresGrad = true;
      const indices = tm.tensor([[[[[5, 5]]]], [[[[0, 7]]]]], undefined, { dtype: 'i32' });
      const y = tm.maxUnpool3d(x, indices, [2, 2, 1], { stride: [1, 1, 1], outputSize: [2, 2, 2] });
      expect(y.shape).toEqual([2, 1, 2, 2, 2]);
      expect(await y.data()).toEqual(Float32Array.from([0, 0, 0, 0, 0, 2, 0, 0, 5, 0, 0, 0, 0, 0, 0, -2]));
      const weights = Float32Array.from(uniform(16));
      y.mul(tm.tensor(weights, y.shape)).sum().backward();
      expectClose(await x.grad!.data(), [weights[5] / 2, weights[5] / 2, weights[8], weights[15]], 1e-6);
    });

    it('refuses indices that do not fit x or the output, naming them', async () => {
      const x = tm.rand([1, 2, 2, 3, 3]);
      const idx = tm.zeros([1, 2, 2, 3, 3], { dtype: 'i32' });
      expect(() => tm.maxUnpool3d(x, tm.zeros([1, 2, 2, 3, 2], { dtype: 'i32' }), 2)).toThrow('maxUnpool3d: indices [1,2,2,3,2] must have x\'s shape [1,2,2,3,3]');
      expect(() => tm.maxUnpool3d(x, tm.zeros([1, 2, 2, 3, 3]), 2)).toThrow('maxUnpool3d: indices must be i32 (as maxPool3dWithIndices gives them), got f32');
      expect(() => tm.maxUnpool3d(x, idx, 2, { outputSize: [4, 8, 6] })).toThrow(
        'maxUnpool3d: outputSize [4, 8, 6] is not one a pooling of window 2×2×2, stride 2×2×2 and padding 0×0×0 makes x [1,2,2,3,3] from: 4×6×6 or within a stride of it',
      );
      expect(() => tm.maxUnpool3d(x, idx, 2, { outputSize: [4, 6] as unknown as tm.Size3d })).toThrow('maxUnpool3d: outputSize must be an integer ≥ 1 or a triple [depth, height, width] of them, got [4, 6]');
      expect(() => tm.maxUnpool3d(x, idx, 1, { padding: 1 })).toThrow('maxUnpool3d: a pooling of window 1×1×1, stride 1×1×1 and padding 1×1×1 makes x [1,2,2,3,3] from no volume (0×1×1)');
      expect(() => tm.maxUnpool3d(x, idx, 2, { strides: 2 } as tm.MaxUnpool3dOptions)).toThrow(/strides/);
      expect(() => tm.maxUnpool3d(tm.rand([2, 3, 3]), tm.zeros([2, 3, 3], { dtype: 'i32' }), 2)).toThrow('maxUnpool3d: x must be [batch, channels, depth, height, width]');
      const outside = tm.tensor(Int32Array.from({ length: 36 }, (_, i) => (i === 7 ? 144 : i)), [1, 2, 2, 3, 3], { dtype: 'i32' });
      if (backend === 'webgpu') {
        // A GPU would wait to read them: the one outside puts nothing.
        const y = await tm.maxUnpool3d(x, outside, 2).data();
        const xs = await x.data();
        expect(y.filter((v) => v !== 0).length).toBe(xs.filter((v, i) => i !== 7 && v !== 0).length);
      } else {
        expect(() => tm.maxUnpool3d(x, outside, 2)).toThrow('maxUnpool3d: index 144 (at 7 of indices [1,2,2,3,3]) is outside an output volume of 4×6×6 = 144 positions');
      }
    });

    it('leaves no tensor behind', async () => {
      const x = tm.randn([2, 3, 5, 6, 7], { seed: 3 });
      const before = await collected();
      for (let i = 0; i < 3; i++) {
        const { values, indices } = tm.maxPool3dWithIndices(x, 3, { stride: 2, padding: 1 });
        const y = tm.maxUnpool3d(values, indices, 3, { stride: 2, padding: 1, outputSize: [5, 6, 7] });
        await y.data();
        for (const t of [values, indices, y]) t.dispose();
      }
      expect(tm.memory().numTensors).toBe(before);
      x.dispose();
    });
  });
});
