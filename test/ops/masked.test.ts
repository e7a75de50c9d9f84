// maskedFill, maskedScatter, maskedSelect and nonzero on every backend against loops over
// the broadcast positions written here: masks of every dtype with NaN in
// them (non-zero), broadcasting either way, odd and empty shapes, x of every
// dtype; the gradients (0 where filled; dy added back into what was picked)
// against the same loops.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { collected } from '../helpers/gc.js';
import { asDType, expectExact, intsOf, randomInts, uniform } from '../helpers/data.js';
import { broadcastShape } from '../helpers/float64.js';

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** The flat index into `from` (broadcast to `to`) of position i of `to`. */
function broadcastIndex(i: number, to: readonly number[], from: readonly number[]): number {
  let [index, stride, rest] = [0, 1, i];
  for (let d = to.length - 1; d >= 0; d--) {
    const coordinate = rest % to[d];
    rest = Math.floor(rest / to[d]);
    const k = d - (to.length - from.length);
    if (k < 0) continue;
    if (from[k] !== 1) index += coordinate * stride;
    stride *= from[k];
  }
  return index;
}

/** x's values for a dtype: floats with NaN and ±∞ planted, ints over their range. */
function valuesOf(dtype: tm.DType, n: number): Float64Array {
  if (dtype === 'i8' || dtype === 'i32') return intsOf(dtype, n);
  const v = asDType(uniform(n, -5, 5), dtype);
  if (n > 3) [v[1], v[2], v[3]] = [NaN, Infinity, -Infinity];
  return v;
}

/** A mask of `dtype`, about half non-zero, with NaN (non-zero) and −0 (zero) among the floats. */
function maskOf(dtype: tm.DType, n: number): Float64Array {
  const m = randomInts(n, 0, 1).map((b, i) => (b ? (i % 3) - 5 : 0));
  if (dtype !== 'i8' && dtype !== 'i32') {
    if (n > 2) m[2] = NaN;
    if (n > 4) m[4] = -0;
  }
  return m;
}

const DTYPES: tm.DType[] = ['f32', 'f16', 'i32', 'i8'];
const SHAPES: { x: number[]; mask: number[] }[] = [
  { x: [1], mask: [1] }, { x: [7], mask: [7] }, { x: [13, 5], mask: [5] }, { x: [3, 1, 7], mask: [1, 1, 7] }, { x: [2, 3], mask: [] }, { x: [0, 4], mask: [4] },
];

describe.each(BACKENDS)('masked ops on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  describe('maskedFill', () => {
    it.each(DTYPES.flatMap((dtype) => SHAPES.map(({ x, mask }) => ({ dtype, x, mask, maskDType: DTYPES[(x.length + mask.length) % 4] }))))(
      '$dtype x $x, $maskDType mask $mask',
      async ({ dtype, x, mask, maskDType }) => {
        const xv = valuesOf(dtype, size(x));
        const mv = maskOf(maskDType, size(mask));
        const value = dtype === 'i8' ? -100 : dtype === 'i32' ? 123456 : 2.5;
        const [xt, mt] = [tm.tensor(xv, x, { dtype }), tm.tensor(mv, mask, { dtype: maskDType })];
        const before = await collected();
        const out = tm.maskedFill(xt, mt, value);
        expect(tm.memory().numTensors).toBe(before + 1);
        expect(out.dtype).toBe(dtype);
        expect(out.shape).toEqual(x);
        expectExact(await out.data(), Array.from(xv, (v, i) => (mv[broadcastIndex(i, x, mask)] !== 0 ? value : v)));
        for (const t of [xt, mt, out]) t.dispose();
      },
    );

    it('fills NaN and ±∞ too, as a method', async () => {
      const x = tm.tensor([[1, 2, 3], [4, 5, 6]]);
      const mask = tm.tensor([1, 0, 1], [3], { dtype: 'i8' });
      for (const value of [NaN, Infinity, -Infinity]) {
        const out = x.maskedFill(mask, value);
        expectExact(await out.data(), [value, 2, value, value, 5, value]);
        out.dispose();
      }
      x.dispose();
      mask.dispose();
    });

    it('passes the gradient where x was kept and 0 where it was filled', async () => {
      const [shape, maskShape] = [[5, 7], [7]];
      const xv = uniform(35);
      const mv = maskOf('f32', 7);
      const r = uniform(35);
      const x = tm.tensor(xv, shape);
      x.requiresGrad = true;
      const mask = tm.tensor(mv, maskShape);
      tm.tidy(() => x.maskedFill(mask, 3).mul(tm.tensor(r, shape)).sum()).backward();
      expectExact(await x.grad!.data(), Array.from(asDType(r, 'f32'), (g, i) => (mv[broadcastIndex(i, shape, maskShape)] !== 0 ? 0 : g)));
      for (const t of [x, mask]) t.dispose();
    });

    it('refuses a mask that widens x, a value x cannot hold and a value that is not a number', () => {
      const x = tm.zeros([2, 3]);
      expect(() => tm.maskedFill(x, tm.zeros([4, 2, 3]), 1)).toThrow('maskedFill: mask [4,2,3] must broadcast to x\'s shape [2,3], not widen it to [4,2,3]');
      expect(() => tm.maskedFill(x, tm.zeros([2]), 1)).toThrow('maskedFill: mask [2] does not broadcast against x [2,3]');
      expect(() => tm.maskedFill(tm.zeros([3], { dtype: 'i32' }), tm.zeros([3]), 1.5)).toThrow('maskedFill: value 1.5 is not an integer i32 holds');
      expect(() => tm.maskedFill(tm.zeros([3], { dtype: 'i8' }), tm.zeros([3]), 200)).toThrow('maskedFill: value 200 is not an integer i8 holds (-128 … 127)');
      expect(() => tm.maskedFill(x, tm.zeros([3]), '1' as unknown as number)).toThrow('maskedFill: value must be a number');
    });
  });

  describe('maskedScatter', () => {
    it.each(DTYPES.flatMap((dtype) => SHAPES.map(({ x, mask }) => ({ dtype, x, mask, maskDType: DTYPES[(x.length + mask.length + 1) % 4] }))))(
      '$dtype x $x, $maskDType mask $mask: source\'s entries in order where the mask is non-zero (torch.masked_scatter), bit for bit',
      async ({ dtype, x, mask, maskDType }) => {
        const shape = broadcastShape(x, mask)!;
        const [xv, mv] = [valuesOf(dtype, size(x)), maskOf(maskDType, size(mask))];
        const selected = Array.from({ length: size(shape) }, (_, i) => mv[broadcastIndex(i, shape, mask)] !== 0);
        const count = selected.filter(Boolean).length;
        // Longer than needed, and of another shape: only the first `count` entries are read.
        const source = valuesOf(dtype, count + 3);
        let k = 0;
        const want = xv.map((v, i) => (selected[i] ? source[k++] : v));
        const y = tm.maskedScatter(tm.tensor(xv, x, { dtype }), tm.tensor(mv, mask, { dtype: maskDType }), tm.tensor(source, [count + 3], { dtype }));
        expect([y.shape, y.dtype]).toEqual([x, dtype]);
        expectExact(await y.data(), want);
      },
    );

    it('passes dy where x was kept to x, and each masked entry\'s dy to the source entry written there', async () => {
      const x = tm.tensor([[1, 2, 3], [4, 5, 6]]);
      const source = tm.tensor([[10, 20], [30, 40]]);
      x.requiresGrad = source.requiresGrad = true;
      const mask = tm.tensor([[0, 1, 1], [1, 0, 0]]);
      const y = tm.maskedScatter(x, mask, source);
      expect(await y.array()).toEqual([[1, 10, 20], [30, 5, 6]]);
      y.mul(tm.tensor([[1, 2, 3], [4, 5, 6]])).sum().backward();
      expect(await x.grad!.array()).toEqual([[1, 0, 0], [0, 5, 6]]);
      expect(await source.grad!.array()).toEqual([[2, 3], [4, 0]]);
    });

    it('refuses a mask that widens x, a source of another dtype, and (where the mask can be read at once) a source too short', async () => {
      const x = tm.zeros([2, 3]);
      expect(() => tm.maskedScatter(x, tm.ones([2, 2, 3]), tm.zeros([12]))).toThrow(new tm.ShapeError("maskedScatter: mask [2,2,3] must broadcast to x's shape [2,3], not widen it to [2,2,3]"));
      expect(() => tm.maskedScatter(x, tm.ones([3]), tm.zeros([9], { dtype: 'i32' }))).toThrow(new tm.DTypeError('maskedScatter: source is i32, x is f32; they must match'));
      if (backend !== 'webgpu') {
        expect(() => tm.maskedScatter(x, tm.tensor([1, 0, 1]), tm.zeros([3]))).toThrow(new tm.ShapeError('maskedScatter: mask [3] selects 4 entries of x [2,3], and source [3] holds only 3'));
      } else {
        // The mask lives on the GPU: past source's end, 0 is written rather than wait to count.
        expect(await tm.maskedScatter(tm.ones([2, 3]), tm.tensor([1, 0, 1]), tm.tensor([7, 8, 9])).array()).toEqual([[7, 1, 8], [9, 1, 0]]);
      }
    });
  });

  describe('maskedSelect', () => {
    it.each(DTYPES.flatMap((dtype) => [...SHAPES, { x: [7], mask: [3, 7] }, { x: [4, 1], mask: [1, 6] }].map(({ x, mask }) => ({ dtype, x, mask }))))(
      '$dtype x $x, mask $mask',
      async ({ dtype, x, mask }) => {
        const shape = broadcastShape(x, mask)!;
        const xv = valuesOf(dtype, size(x));
        const mv = maskOf('f32', size(mask));
        const [xt, mt] = [tm.tensor(xv, x, { dtype }), tm.tensor(mv, mask)];
        const before = await collected();
        const out = await tm.maskedSelect(xt, mt);
        expect(await collected()).toBe(before + 1);
        const want: number[] = [];
        for (let i = 0; i < size(shape); i++) if (mv[broadcastIndex(i, shape, mask)] !== 0) want.push(xv[broadcastIndex(i, shape, x)]);
        expect(out.dtype).toBe(dtype);
        expect(out.shape).toEqual([want.length]);
        expectExact(await out.data(), want);
        for (const t of [xt, mt, out]) t.dispose();
      },
    );

    it('adds the gradient back into the entries picked, summed over broadcast copies', async () => {
      const [xShape, maskShape] = [[1, 9], [4, 9]];
      const xv = uniform(9);
      const mv = maskOf('f32', 36);
      const x = tm.tensor(xv, xShape);
      x.requiresGrad = true;
      const mask = tm.tensor(mv, maskShape);
      const picked = await tm.maskedSelect(x, mask);
      const r = uniform(picked.size);
      tm.tidy(() => picked.mul(tm.tensor(r, [r.length])).sum()).backward();
      const want = new Float64Array(9);
      for (let i = 0, k = 0; i < 36; i++) if (mv[i] !== 0) want[i % 9] += asDType(r, 'f32')[k++];
      const got = await x.grad!.data();
      for (let j = 0; j < 9; j++) expect(got[j]).toBeCloseTo(want[j], 5);
      for (const t of [x, mask, picked]) t.dispose();
    });

    it('refuses shapes that do not broadcast, naming both', async () => {
      await expect(tm.maskedSelect(tm.zeros([2, 3]), tm.zeros([4]))).rejects.toThrow('maskedSelect: mask [4] does not broadcast against x [2,3]');
    });
  });

  describe('nonzero', () => {
    it.each(DTYPES.flatMap((dtype) => [[], [1], [7], [3, 1, 5], [0, 4], [2, 13]].map((shape) => ({ dtype, shape }))))('$dtype $shape', async ({ dtype, shape }) => {
      const v = maskOf(dtype, size(shape));
      const x = tm.tensor(v, shape, { dtype });
      const before = await collected();
      const out = await tm.nonzero(x);
      expect(await collected()).toBe(before + 1);
      const want: number[] = [];
      for (let i = 0; i < v.length; i++) {
        if (v[i] === 0) continue;
        let rest = i;
        const index = shape.map((_, d) => {
          const stride = size(shape.slice(d + 1));
          const c = Math.floor(rest / stride);
          rest -= c * stride;
          return c;
        });
        want.push(...index);
      }
      expect(out.dtype).toBe('i32');
      expect(out.shape).toEqual([v.filter((e) => e !== 0).length, shape.length]);
      expectExact(await out.data(), want);
      x.dispose();
      out.dispose();
    });
  });
});

describe.each(BACKENDS)('argwhere on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  // torch.argwhere / np.argwhere (PyTorch 1.13, NumPy 1.24): a row of indices per non-zero entry, row-major, NaN non-zero.
  it('gives NumPy\'s and PyTorch\'s [count, rank] of indices in row-major order', async () => {
    const x = tm.tensor([[0, 1.5, 0], [NaN, 0, -2]]);
    const out = await tm.argwhere(x);
    expect([out.dtype, out.shape, await out.array()]).toEqual(['i32', [3, 2], [[0, 1], [1, 0], [1, 2]]]);
    const three = await tm.argwhere(tm.tensor([[[0, 3], [0, 0]], [[1, 0], [0, 4]]], [2, 2, 2], { dtype: 'i32' }));
    expect(await three.array()).toEqual([[0, 0, 1], [1, 0, 0], [1, 1, 1]]);
  });

  it('of a scalar gives [1, 0] or [0, 0], of nothing non-zero [0, rank], and agrees with nonzero on random data', async () => {
    expect((await tm.argwhere(tm.scalar(2))).shape).toEqual([1, 0]);
    expect((await tm.argwhere(tm.scalar(0))).shape).toEqual([0, 0]);
    expect((await tm.argwhere(tm.zeros([3, 4, 5]))).shape).toEqual([0, 3]);
    const x = tm.tensor(randomInts(60, -1, 2), [3, 4, 5]);
    const [a, n] = [await tm.argwhere(x), await tm.nonzero(x)];
    const v = await x.data();
    const want: number[][] = [];
    for (let i = 0; i < 60; i++) if (v[i] !== 0) want.push([Math.floor(i / 20), Math.floor(i / 5) % 4, i % 5]);
    expect(await a.array()).toEqual(want);
    expect(await n.array()).toEqual(want);
  });

  it('refuses what is not a tensor, naming argwhere', async () => {
    await expect(tm.argwhere([1, 0] as never)).rejects.toThrow(/argwhere: x must be a Tensor/);
  });
});
