// Data movement on every backend and in every dtype, against float64
// references: reshape (views), transpose, slice, concat, stack, broadcastTo,
// expandDims, squeeze, pad, clone, flip, tile, and the running sums and
// products (cumprod's gradient where zeros are).
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF16, asF32, exactValues, expectClose, expectExact, randomInts, SEED, uniform } from '../helpers/data.js';
import { slidingWindows } from '../../src/ops/movement.js';
import { broadcastToRef, concatRef, f64, permute, roundF16, size, sliceRef, wrapInt, type F64 } from '../helpers/float64.js';

function make(shape: number[], dtype: tm.DType = 'f32'): { x: F64; t: tm.Tensor } {
  const x = f64(shape, exactValues(dtype, size(shape)));
  return { x, t: tm.tensor(x.v, shape, { dtype }) };
}

describe.each(BACKENDS)('data movement on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  describe('reshape', () => {
    it.each([
      [[2, 6], [3, -1], [3, 4]], [[2, 6], [-1], [12]], [[2, 6], [-1, 2, 3], [2, 2, 3]], [[13, 31], [31, 13], [31, 13]],
      [[1], [], []], [[], [1, 1, -1], [1, 1, 1]], [[0, 3], [3, 0], [3, 0]], [[0, 3], [-1, 3], [0, 3]], [[127], [1, -1, 1], [1, 127, 1]],
    ])('%j into %j gives %j, same values in the same order, in every dtype', async (from, to, want) => {
      for (const dtype of tm.DTYPES) {
        const { x, t } = make(from, dtype);
        const y = t.reshape(to);
        expect([y.shape, y.dtype]).toEqual([want, dtype]);
        expectExact(await y.data(), x.v);
      }
    });

    it('is a view: no new storage, and the storage lives until the last view is disposed', async () => {
      const x = tm.tensor([1, 2, 3, 4, 5, 6]);
      const before = tm.memory();
      const views = [x.reshape([2, 3]), x.flatten(), x.reshape([3, -1]).reshape([6, 1])];
      expect(tm.memory().numBytes).toBe(before.numBytes);
      expect(tm.memory().numTensors).toBe(before.numTensors + 4); // the intermediate [3,2] is a tensor too
      x.dispose();
      expect(tm.memory().numBytes).toBe(before.numBytes);
      expect(await views[0].array()).toEqual([[1, 2, 3], [4, 5, 6]]);
      expect(x.isDisposed).toBe(true);
      expect(views[0].isDisposed).toBe(false);
    });
  });

  describe('transpose', () => {
    it.each([
      [[2, 3, 4], [2, 0, 1]], [[2, 3, 4], [1, 2, 0]], [[2, 3, 4], [0, 2, 1]], [[5, 1, 7], [2, 1, 0]], [[67, 129], [1, 0]],
      [[3, 4], undefined], [[2, 3, 4], undefined], [[2, 1, 3, 5], [3, 0, 2, 1]], [[7], [0]], [[], []], [[0, 3], [1, 0]], [[3, 4], [0, 1]],
    ])('%j by %j, in every dtype', async (shape, perm) => {
      for (const dtype of tm.DTYPES) {
        const { x, t } = make(shape, dtype);
        const y = t.transpose(perm);
        const want = permute(x, perm ?? [...shape.keys()].reverse());
        expect([y.shape, y.dtype]).toEqual([want.shape, dtype]);
        expectExact(await y.data(), want.v, dtype);
      }
    });
  });

  describe('slice', () => {
    it.each([
      [[4, 5, 6], [1, -3, 2], [2, -1, 3]],
      [[4, 5, 6], [0, 0, 0], [4, 5, 6]],
      [[4, 5, 6], [3], undefined],
      [[4, 5, 6], [-1, -1, -1], undefined],
      [[4, 5, 6], [1, 2], [0, 3]],
      [[13, 31], [5, 7], [7, 13]],
      [[127, 129], [1, 1], [-1, 127]],
      [[7], [6], [1]],
      [[7], [7], [0]],
      [[], [], []],
      [[0, 3], [0, 1], [-1, 2]],
    ])('of %j from %j with sizes %j, in every dtype', async (shape, begin, sizes) => {
      for (const dtype of tm.DTYPES) {
        const { x, t } = make(shape, dtype);
        const y = t.slice(begin, sizes);
        const want = sliceRef(x, begin, sizes);
        expect([y.shape, y.dtype]).toEqual([want.shape, dtype]);
        expectExact(await y.data(), want.v, dtype);
      }
    });

    it('missing entries in begin and size mean "from 0" and "to the end"', async () => {
      const t = tm.arange(12).reshape([3, 4]);
      expect(await t.slice([1]).array()).toEqual([[4, 5, 6, 7], [8, 9, 10, 11]]);
      expect(await t.slice([1, 1], [1]).array()).toEqual([[5, 6, 7]]);
      expect(await t.slice([]).array()).toEqual(await t.array());
    });
  });

  describe('concat', () => {
    it.each([
      [[[2, 3], [2, 2]], 1], [[[2, 3], [4, 3], [1, 3]], 0], [[[2, 3], [2, 3]], -1], [[[3, 1, 7], [3, 5, 7], [3, 0, 7]], 1],
      [[[13, 31], [13, 1]], 1], [[[0, 4], [2, 4]], 0], [[[5]], 0], [[[2, 2, 3], [2, 2, 4]], -1],
    ] as [number[][], number][])('of %j along axis %i, in every dtype', async (shapes, axis) => {
      for (const dtype of tm.DTYPES) {
        const parts = shapes.map((s) => make(s, dtype));
        const y = tm.concat(parts.map((p) => p.t), axis);
        const want = concatRef(parts.map((p) => p.x), axis < 0 ? axis + shapes[0].length : axis);
        expect([y.shape, y.dtype]).toEqual([want.shape, dtype]);
        expectExact(await y.data(), want.v, dtype);
      }
    });

    it('promotes mixed dtypes to their common one', async () => {
      const a = tm.arange(6).reshape([2, 3]).cast('f32');
      const b = tm.tensor(new Int32Array([10, 11, 12, 13]), [2, 2]);
      const c = tm.concat([a, b], 1);
      expect(c.dtype).toBe('f32');
      expect(await c.array()).toEqual([[0, 1, 2, 10, 11], [3, 4, 5, 12, 13]]);
      const h = tm.concat([tm.tensor([0.5], { dtype: 'f16' }), tm.tensor(new Int8Array([-3]), [1])]);
      expect(h.dtype).toBe('f16');
      expect(Array.from(await h.data())).toEqual([0.5, -3]);
    });

    it('of slices puts the pieces back together', async () => {
      const { x, t } = make([65, 129]);
      const halves = [t.slice([0, 0], [65, 60]), t.slice([0, 60])];
      expectExact(await tm.concat(halves, 1).data(), x.v);
    });
  });

  describe('stack', () => {
    it.each([0, 1, 2, -1])('joins same-shaped tensors along a new axis %i', async (axis) => {
      const parts = [make([3, 4]), make([3, 4]), make([3, 4])];
      const y = tm.stack(parts.map((p) => p.t), axis);
      const a = axis < 0 ? axis + 3 : axis;
      const expanded = parts.map((p) => f64([...p.x.shape.slice(0, a), 1, ...p.x.shape.slice(a)], p.x.v));
      const want = concatRef(expanded, a);
      expect(y.shape).toEqual(want.shape);
      expectExact(await y.data(), want.v);
    });

    it('stacks scalars into a vector, in any dtype', async () => {
      for (const dtype of tm.DTYPES) {
        const y = tm.stack([tm.scalar(1, { dtype }), tm.scalar(-2, { dtype })]);
        expect([y.shape, y.dtype]).toEqual([[2], dtype]);
        expect(Array.from(await y.data())).toEqual([1, -2]);
      }
    });
  });

  describe('broadcastTo', () => {
    it.each([
      [[2, 1], [2, 2, 3]], [[], [3, 4]], [[1], [0]], [[3, 1, 7], [3, 5, 7]], [[1, 129], [127, 129]], [[13, 31], [13, 31]], [[4], [2, 3, 4]], [[1, 1], [1, 1]],
    ])('%j to %j, in every dtype', async (from, to) => {
      for (const dtype of tm.DTYPES) {
        const { x, t } = make(from, dtype);
        const y = t.broadcastTo(to);
        expect([y.shape, y.dtype]).toEqual([to, dtype]);
        expectExact(await y.data(), broadcastToRef(x, to).v, dtype);
      }
    });
  });

  describe('expandDims and squeeze', () => {
    it('expandDims inserts a size-1 axis anywhere, counting negative axes from the end', async () => {
      const { x, t } = make([3, 4]);
      expect(t.expandDims().shape).toEqual([1, 3, 4]);
      expect(t.expandDims(1).shape).toEqual([3, 1, 4]);
      expect(t.expandDims(2).shape).toEqual([3, 4, 1]);
      expect(t.expandDims(-1).shape).toEqual([3, 4, 1]);
      expect(t.expandDims(-3).shape).toEqual([1, 3, 4]);
      expect(tm.tensor(5).expandDims().shape).toEqual([1]);
      expectExact(await t.expandDims(1).data(), x.v);
    });

    it('squeeze drops all size-1 axes, or the listed ones', async () => {
      const { x, t } = make([1, 3, 1, 4, 1]);
      expect(t.squeeze().shape).toEqual([3, 4]);
      expect(t.squeeze(2).shape).toEqual([1, 3, 4, 1]);
      expect(t.squeeze(-1).shape).toEqual([1, 3, 1, 4]);
      expect(t.squeeze([0, 4]).shape).toEqual([3, 1, 4]);
      expect(tm.zeros([1, 1]).squeeze().shape).toEqual([]);
      expect(tm.zeros([2, 0]).squeeze().shape).toEqual([2, 0]);
      expectExact(await t.squeeze().data(), x.v);
    });

    it('both are views sharing storage', () => {
      const t = tm.zeros([1, 3]);
      const before = tm.memory().numBytes;
      const views = [t.expandDims(0), t.squeeze(), t.squeeze(0).expandDims(-1)];
      expect(tm.memory().numBytes).toBe(before);
      expect(views.map((v) => v.shape)).toEqual([[1, 1, 3], [3], [3, 1]]);
    });
  });

  describe('pad', () => {
    it('surrounds with a value on each side of each axis, in every dtype', async () => {
      for (const dtype of tm.DTYPES) {
        expect(await tm.tensor([[1, 2]], { dtype }).pad([[1, 0], [0, 2]], 9).array()).toEqual([[9, 9, 9, 9], [1, 2, 9, 9]]);
      }
      expect(await tm.tensor([1, 2]).pad([[0, 0]]).array()).toEqual([1, 2]);
      expect(await tm.zeros([0, 1]).pad([[1, 1], [0, 0]], 3).array()).toEqual([[3], [3]]);
    });

    it('reflects, replicates or wraps x\'s own entries as PyTorch\'s modes, along several axes at once', async () => {
      const x = tm.tensor([1, 2, 3, 4]);
      expect(await x.pad([[2, 3]], { mode: 'reflect' }).array()).toEqual([3, 2, 1, 2, 3, 4, 3, 2, 1]);
      expect(await x.pad([[2, 3]], { mode: 'replicate' }).array()).toEqual([1, 1, 1, 2, 3, 4, 4, 4, 4]);
      expect(await x.pad([[2, 3]], { mode: 'circular' }).array()).toEqual([3, 4, 1, 2, 3, 4, 1, 2, 3]);
      expect(await x.pad([[1, 1]], { mode: 'constant', value: 7 }).array()).toEqual([7, 1, 2, 3, 4, 7]);
      const m = tm.tensor([[1, 2, 3], [4, 5, 6]], { dtype: 'i32' });
      expect(await m.pad([[1, 1], [2, 0]], { mode: 'reflect' }).array()).toEqual([[6, 5, 4, 5, 6], [3, 2, 1, 2, 3], [6, 5, 4, 5, 6], [3, 2, 1, 2, 3]]);
      expect(await m.pad([[0, 1], [1, 1]], { mode: 'replicate' }).array()).toEqual([[1, 1, 2, 3, 3], [4, 4, 5, 6, 6], [4, 4, 5, 6, 6]]);
      // The gradient: each padded entry's gradient goes back to the entry it copied.
      const g = tm.tensor([1, 2, 3]);
      g.requiresGrad = true;
      g.pad([[2, 2]], { mode: 'reflect' }).mul(tm.tensor([1, 10, 100, 1000, 1e4, 1e5, 1e6])).sum().backward();
      // [3, 2, 1, 2, 3, 2, 1]: x0 ← 100 + 1e6, x1 ← 10 + 1000 + 1e5, x2 ← 1 + 1e4.
      expect(Array.from(await g.grad!.data())).toEqual([1000100, 101010, 10001]);
    });

    it('refuses a reach its mode cannot fill and a mode it does not have', () => {
      const x = tm.zeros([2, 3]);
      expect(() => x.pad([[0, 0], [3, 0]], { mode: 'reflect' })).toThrow("pad: reflect padding [3, 0] along axis 1 of [2,3] needs less than the axis's 3");
      expect(() => x.pad([[0, 0], [0, 4]], { mode: 'circular' })).toThrow("pad: circular padding [0, 4] along axis 1 of [2,3] needs at most the axis's 3");
      expect(() => tm.zeros([0, 3]).pad([[1, 0], [0, 0]], { mode: 'replicate' })).toThrow('pad: replicate padding [1, 0] along axis 0 of [0,3] needs an axis with entries');
      expect(() => x.pad([[0, 0], [1, 1]], { mode: 'mirror' as 'reflect' })).toThrow('pad: unknown mode "mirror"; expected constant, reflect, replicate, circular');
      expect(() => x.pad([[0, 0], [1, 1]], { mode: 'reflect', value: 5 })).toThrow("pad: a value fills only constant padding; reflect padding copies x's own entries");
    });
  });

  describe('clone', () => {
    it('copies values into storage of its own, in every dtype', async () => {
      for (const dtype of tm.DTYPES) {
        const { x, t } = make([13, 7], dtype);
        const before = tm.memory().numBytes;
        const y = t.clone();
        expect(tm.memory().numBytes).toBe(before + t.size * { f32: 4, f16: 2, i8: 1, i32: 4 }[dtype]);
        t.dispose();
        expect([y.shape, y.dtype]).toEqual([[13, 7], dtype]);
        expectExact(await y.data(), x.v);
      }
    });
  });

  describe('gather', () => {
    /** The float64 reference: x's entries at `indices` along `axis`. */
    function gatherRef(x: F64, indices: number[], indexShape: number[], axis: number): F64 {
      const outer = size(x.shape.slice(0, axis));
      const n = x.shape[axis];
      const inner = size(x.shape.slice(axis + 1));
      const out: number[] = [];
      for (let o = 0; o < outer; o++) {
        for (const index of indices) {
          const row = index < 0 ? index + n : index;
          for (let i = 0; i < inner; i++) out.push(x.v[(o * n + row) * inner + i]);
        }
      }
      return f64([...x.shape.slice(0, axis), ...indexShape, ...x.shape.slice(axis + 1)], Float64Array.from(out));
    }

    it.each([
      [[7], 0, [5]], [[13, 31], 0, [4, 3]], [[13, 31], 1, [129]], [[13, 31], -1, [2, 2]], [[3, 127, 5], 1, [7]], [[2, 3, 4], 2, []],
      [[129, 1], 0, [1]], [[5, 4], 0, [0]], [[0, 4], 1, [3]],
    ])('x %j along axis %j at indices %j (repeated and negative ones too), in every dtype, with i32 and i8 indices', async (shape, axis, indexShape) => {
      const n = shape.at(axis)!;
      const indices = Array.from(randomInts(size(indexShape), n ? -n : 0, n ? n - 1 : 0));
      for (const dtype of tm.DTYPES) {
        for (const indexDtype of ['i32', 'i8'] as const) {
          if (indexDtype === 'i8' && n > 128) continue;
          const { x, t } = make(shape, dtype);
          const y = t.gather(tm.tensor(indices, indexShape, { dtype: indexDtype }), axis);
          const want = gatherRef(x, indices, indexShape, axis < 0 ? axis + shape.length : axis);
          expect([y.shape, y.dtype]).toEqual([want.shape, dtype]);
          expectExact(await y.data(), want.v);
        }
      }
    });

    it('its gradient adds each row of dy into the row of x it came from: a repeated index sums', async () => {
      const table = tm.tensor([[1, 2], [3, 4], [5, 6]]);
      table.requiresGrad = true;
      const picked = table.gather(tm.tensor([2, 0, 2, -1], [2, 2], { dtype: 'i32' })); // [2, 2, 2]
      tm.tidy(() => picked.mul(tm.tensor([[[1, 10], [100, 1000]], [[2, 20], [200, 2000]]])).sum()).backward();
      // Row 2 is taken three times (2, 2 and -1), row 0 once, row 1 never.
      expect(Array.from(await table.grad!.data())).toEqual([100, 1000, 0, 0, 1 + 2 + 200, 10 + 20 + 2000]);
      const cube = tm.randn([2, 3, 4], { seed: 1 });
      cube.requiresGrad = true;
      tm.tidy(() => cube.gather(tm.tensor([1, 1], undefined, { dtype: 'i8' }), 1).sum()).backward();
      expect(Array.from(await cube.grad!.data())).toEqual(Array.from({ length: 24 }, (_, i) => (Math.floor(i / 4) % 3 === 1 ? 2 : 0)));
    });

    it.each([
      [[129, 7], 0, 1000], [[3, 513, 5], 1, 33], [[13, 31], -1, 7], [[1000, 1], 0, 1],
    ])('its gradient for x %j along axis %j from %j random indices (many repeats) matches float64, in f32 and f16', async (shape, axis, count) => {
      const a = axis < 0 ? axis + shape.length : axis;
      const n = shape[a];
      const indices = Array.from(randomInts(count, -n, n - 1));
      const [outer, inner] = [size(shape.slice(0, a)), size(shape.slice(a + 1))];
      const dyShape = [...shape.slice(0, a), count, ...shape.slice(a + 1)];
      for (const dtype of ['f32', 'f16'] as const) {
        const dy = uniform(size(dyShape), -1, 1).map((v) => (dtype === 'f16' ? roundF16(v) : Math.fround(v)));
        const want = new Float64Array(size(shape));
        for (let o = 0; o < outer; o++) {
          indices.forEach((index, j) => {
            const row = index < 0 ? index + n : index;
            for (let i = 0; i < inner; i++) want[(o * n + row) * inner + i] += dy[(o * count + j) * inner + i];
          });
        }
        const x = tm.zeros(shape, { dtype });
        x.requiresGrad = true;
        const y = x.gather(tm.tensor(indices, [count], { dtype: 'i32' }), axis);
        tm.tidy(() => y.mul(tm.tensor(dy, dyShape, { dtype })).sum()).backward();
        expect(x.grad!.dtype).toBe(dtype);
        expectClose(await x.grad!.data(), dtype === 'f16' ? want.map(roundF16) : want, dtype === 'f16' ? 2e-2 : 1e-5, `${dtype} gradient`);
      }
    });

    it('names bad input: float indices, a scalar x, an axis out of range, an index outside the axis (zeros on webgpu, which cannot read it at once)', async () => {
      const x = tm.tensor([[1, 2], [3, 4]]);
      expect(() => x.gather(tm.tensor([0]))).toThrow(new tm.DTypeError("gather: indices must be i32 or i8, got f32 (cast them: indices.cast('i32'))"));
      expect(() => tm.scalar(1).gather(tm.tensor([0], undefined, { dtype: 'i32' }))).toThrow(tm.ShapeError);
      expect(() => x.gather(tm.tensor([0], undefined, { dtype: 'i32' }), 2)).toThrow(/axis 2/);
      const outside = tm.tensor([1, 2], undefined, { dtype: 'i32' });
      if (backend === 'webgpu') {
        expect(Array.from(await x.gather(outside).data())).toEqual([3, 4, 0, 0]);
      } else {
        expect(() => x.gather(outside)).toThrow(new tm.ValueError('gather: index 2 (at 1 of indices [2]) is outside axis 0 of x [2,2], of length 2'));
        expect(() => x.gather(tm.tensor([-3], undefined, { dtype: 'i32' }), 1)).toThrow(/index -3 .* outside axis 1 of x \[2,2\], of length 2/);
      }
    });
  });

  describe('split', () => {
    it('cuts along an axis into pieces of a size (the last takes what is left) or of given sizes, in every dtype', async () => {
      for (const dtype of tm.DTYPES) {
        const { x, t } = make([7, 3], dtype);
        const pieces = t.split(3);
        expect(pieces.map((p) => p.shape)).toEqual([[3, 3], [3, 3], [1, 3]]);
        for (const [i, p] of pieces.entries()) expectExact(await p.data(), x.v.slice(i * 9, i * 9 + p.size));
        const columns = t.split([1, 0, 2], -1);
        expect(columns.map((p) => p.shape)).toEqual([[7, 1], [7, 0], [7, 2]]);
        expectExact(await columns[2].data(), sliceRef(x, [0, 1], [7, 2]).v);
      }
      expect(tm.zeros([0, 2]).split(4).map((p) => p.shape)).toEqual([[0, 2]]);
    });

    it('names bad sizes: not adding up to the axis, not positive, a scalar x', () => {
      const t = tm.zeros([5, 2]);
      expect(() => t.split([2, 2])).toThrow(new tm.ShapeError('split: sizes [2,2] add up to 4, not to the 5 of axis 0 of x [5,2]'));
      expect(() => t.split(0)).toThrow("split: a piece's size must be a positive integer, got 0");
      expect(() => t.split([2, -1, 4])).toThrow(/sizes must be a positive integer or a list of non-negative integers/);
      expect(() => tm.scalar(1).split(1)).toThrow(tm.ShapeError);
    });
  });

  describe('flip, cumsum and cumprod', () => {
    /** x's entries along one axis in the order `order` gives for each position j of n. */
    function alongAxis(x: F64, axis: number, f: (line: number[]) => number[]): F64 {
      const [outer, n, inner] = [size(x.shape.slice(0, axis)), x.shape[axis], size(x.shape.slice(axis + 1))];
      const v = new Float64Array(x.v.length);
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) {
          const line = Array.from({ length: n }, (_, j) => x.v[(o * n + j) * inner + i]);
          f(line).forEach((value, j) => (v[(o * n + j) * inner + i] = value));
        }
      }
      return { shape: x.shape, v };
    }

    it.each([[[7], 0], [[13, 31], 1], [[13, 31], 0], [[3, 129, 5], -2], [[0, 4], 1], [[2, 1, 3], 1]])('of %j along axis %j, in every dtype', async (shape, axis) => {
      const a = axis < 0 ? axis + shape.length : axis;
      for (const dtype of tm.DTYPES) {
        const { x, t } = make(shape, dtype);
        expectExact(await t.flip(axis).data(), alongAxis(x, a, (line) => line.reverse()).v);
        const sums = alongAxis(x, a, (line) => {
          let acc = 0;
          return line.map((v) => (acc = dtype === 'i8' || dtype === 'i32' ? wrapInt(acc + v, dtype) : acc + v));
        });
        const got = await t.cumsum(axis).data();
        if (dtype === 'i8' || dtype === 'i32') expectExact(got, sums.v);
        else expectClose(got, dtype === 'f16' ? sums.v.map(roundF16) : sums.v, dtype === 'f16' ? 2e-2 : 1e-5, `cumsum ${dtype}`, sums.v.map(() => 1000 * shape[a])); // values up to 1e3 summed in f32: n · ulp(n · 1e3) at worst
      }
      const { x, t } = make(shape);
      expectExact(await t.flip().data(), Float64Array.from(x.v).reverse()); // every axis reversed: the flat order reversed
    });

    it('take reads x as one flat vector at the indices (torch.take), in their shape, negative from the end; its gradient adds back', async () => {
      const x = tm.tensor([[1, 2, 3], [4, 5, 6]]);
      x.requiresGrad = true;
      const y = tm.take(x, tm.tensor(new Int32Array([0, 5, -2, 5]), [2, 2]));
      expect(await y.array()).toEqual([[1, 6], [5, 6]]);
      y.sum().backward();
      expect(await x.grad!.array()).toEqual([[1, 0, 0], [0, 1, 2]]);
    });

    it('fliplr reverses the columns (axis 1) and flipud the rows (axis 0), as NumPy\'s; both refuse too few axes', async () => {
      const x = tm.tensor([[[1, 2], [3, 4], [5, 6]], [[7, 8], [9, 10], [11, 12]]]);
      expect(await tm.fliplr(x).array()).toEqual([[[5, 6], [3, 4], [1, 2]], [[11, 12], [9, 10], [7, 8]]]);
      expect(await tm.flipud(x).array()).toEqual([[[7, 8], [9, 10], [11, 12]], [[1, 2], [3, 4], [5, 6]]]);
      expect(await tm.flipud(tm.tensor([1, 2, 3])).array()).toEqual([3, 2, 1]);
      expect(() => tm.fliplr(tm.zeros([3]))).toThrow(new tm.ShapeError('fliplr: x [3] has no columns to reverse: it needs at least 2 axes'));
      expect(() => tm.flipud(tm.scalar(1))).toThrow(new tm.ShapeError('flipud: x is a scalar: there are no rows to reverse'));
    });

    it('flip takes several axes, and its gradient is flip; cumsum\'s is the sums of dy from the end', async () => {
      expect(await tm.tensor([[1, 2, 3], [4, 5, 6]]).flip([0, 1]).array()).toEqual([[6, 5, 4], [3, 2, 1]]);
      const x = tm.tensor([1, 2, 3, 4]);
      x.requiresGrad = true;
      tm.tidy(() => x.cumsum().mul(tm.tensor([1, 10, 100, 1000])).sum()).backward();
      expect(Array.from(await x.grad!.data())).toEqual([1111, 1110, 1100, 1000]);
      expect(() => tm.scalar(1).cumsum()).toThrow(tm.ShapeError);
    });

    /** Values whose running products stay in range: ±e^u, u uniform in [−0.3, 0.3], rounded to the dtype; a zero at `zeros`. */
    function nearOne(n: number, dtype: 'f32' | 'f16', zeros: readonly number[] = []): Float64Array {
      const v = uniform(n, -0.3, 0.3).map((u, i) => (i % 3 === 1 ? -1 : 1) * Math.exp(u));
      for (const at of zeros) v[at] = 0;
      return dtype === 'f16' ? asF16(v) : asF32(v);
    }

    /** Running products along the line in float64; ints as bigints, wrapped as the dtype wraps. */
    const products = (dtype: tm.DType) => (line: number[]) => {
      if (dtype === 'i8' || dtype === 'i32') {
        let acc = 1n;
        return line.map((v) => wrapInt((acc = BigInt(wrapInt(acc * BigInt(v), dtype))), dtype));
      }
      let acc = 1;
      return line.map((v) => (acc *= v));
    };

    it.each([[[7], 0], [[13, 31], 1], [[13, 31], 0], [[3, 129, 5], -2], [[0, 4], 1], [[4, 0], 1], [[2, 1, 3], 1], [[127, 129], 0]])('cumprod of %j along axis %j, in every dtype, zeros included', async (shape, axis) => {
      const a = axis < 0 ? axis + shape.length : axis;
      const n = size(shape);
      // A zero every 17th value: lines with none, one and several.
      const zeros = Array.from({ length: n }, (_, i) => i).filter((i) => i % 17 === 5);
      for (const dtype of tm.DTYPES) {
        const v = dtype === 'f32' || dtype === 'f16' ? nearOne(n, dtype, zeros) : dtype === 'i8' ? randomInts(n, -128, 127) : randomInts(n, -5, 5).map((k, i) => (i % 2 ? 2 * k + 1 : (i * 7919) % 2 ** 31));
        const x = f64(shape, v);
        const y = tm.tensor(x.v, shape, { dtype }).cumprod(axis);
        expect([y.shape, y.dtype]).toEqual([shape, dtype]);
        const want = alongAxis(x, a, products(dtype)).v;
        const got = await y.data();
        if (dtype === 'i8' || dtype === 'i32') {
          expectExact(got, want, `cumprod ${dtype}`);
          continue;
        }
        // f32: within (1 + 2^-24)^(j+1) − 1 of the exact product at step j (a GPU's f32 steps; the CPU backends' double ones round once); f16: one f16 rounding.
        const tol = dtype === 'f16' ? 2 ** -10 : Math.max(1e-5, shape[a] * 2 ** -24 * 1.01);
        const wanted = dtype === 'f16' ? want.map(roundF16) : want;
        wanted.forEach((w, i) => {
          if (!(Math.abs(got[i] - w) <= tol * Math.abs(w))) expect.fail(`cumprod ${dtype} index ${i}: got ${got[i]}, want ${w} (relative tolerance ${tol}, test seed ${SEED})`);
        });
      }
    });

    it('cumprod: i8 stays i8, wrapping at each step; NaN and ∞ as IEEE products; a scalar has no axis', async () => {
      expect(Array.from(await tm.tensor(new Int8Array([16, 16, 3, -1]), [4]).cumprod().data())).toEqual([16, 0, 0, 0]);
      expect(Array.from(await tm.tensor(new Int8Array([12, 11, 3]), [3]).cumprod().data())).toEqual([12, wrapInt(132, 'i8'), wrapInt(wrapInt(132, 'i8') * 3, 'i8')]);
      expect(Array.from(await tm.tensor(new Int32Array([65536, 65536, 7]), [3]).cumprod().data())).toEqual([65536, 0, 0]);
      expectClose(await tm.tensor([[2, NaN, 3], [Infinity, 0, 1], [-Infinity, 2, -1]]).cumprod(1).data(), [2, NaN, NaN, Infinity, NaN, NaN, -Infinity, -Infinity, Infinity]);
      expect(() => tm.scalar(1).cumprod()).toThrow(new tm.ShapeError('cumprod: x is a scalar: there is no axis to multiply along'));
      expect(() => tm.tensor([1, 2]).cumprod(1)).toThrow('cumprod: axis 1 is out of range for a tensor of rank 1');
    });

    /** d/dx[k] of Σ r·cumprod(x) along the axis: Σ_{j ≥ k} r[j] · Π_{i ≤ j, i ≠ k} x[i], in float64. */
    function cumprodGradRef(x: F64, axis: number, r: Float64Array): Float64Array {
      const [outer, n, inner] = [size(x.shape.slice(0, axis)), x.shape[axis], size(x.shape.slice(axis + 1))];
      const g = new Float64Array(x.v.length);
      const at = (o: number, j: number, i: number) => (o * n + j) * inner + i;
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) {
          for (let k = 0; k < n; k++) {
            let total = 0;
            for (let j = k; j < n; j++) {
              let p = r[at(o, j, i)];
              for (let m = 0; m <= j; m++) if (m !== k) p *= x.v[at(o, m, i)];
              total += p;
            }
            g[at(o, k, i)] = total;
          }
        }
      }
      return g;
    }

    it.each([[[4, 6], 1, [0, 8, 14, 15, 17, 23]], [[5, 3], 0, [1, 3, 6, 4, 13]], [[2, 1, 7], 2, [3, 7, 12]], [[9], 0, []], [[9], 0, [4]], [[2, 3, 4], 1, [4, 9]]] as const)(
      "cumprod's gradient, %j along axis %i with zeros at %j: before a line's first zero, at it and past it", async (shape, axis, zeros) => {
        const x = f64([...shape], nearOne(size([...shape]), 'f32', zeros));
        const r = nearOne(x.v.length, 'f32');
        const t = tm.tensor(x.v, [...shape]);
        t.requiresGrad = true;
        tm.tidy(() => t.cumprod(axis).mul(tm.tensor(r, [...shape])).sum()).backward();
        expectClose(await t.grad!.data(), cumprodGradRef(x, axis, r), 1e-5, 'cumprod gradient');
        t.grad!.dispose();
        t.dispose();
      });
  });
});

describe.each(BACKENDS)('tile on %s', (backend) => {
  it('repeats x along each axis as np.tile, more reps adding leading axes; its gradient sums the copies', async () => {
    await tm.init({ backend });
    const x = tm.tensor([[1, 2, 3], [4, 5, 6]]);
    expect(await x.tile([2, 1]).array()).toEqual([[1, 2, 3], [4, 5, 6], [1, 2, 3], [4, 5, 6]]);
    expect(await x.tile([1, 2]).array()).toEqual([[1, 2, 3, 1, 2, 3], [4, 5, 6, 4, 5, 6]]);
    expect((await x.tile([2, 1, 3]).array() as number[][][])[1][0]).toEqual([1, 2, 3, 1, 2, 3, 1, 2, 3]);
    expect(x.tile([2, 1, 3]).shape).toEqual([2, 2, 9]);
    expect(x.tile([0, 2]).shape).toEqual([0, 6]);
    const g = tm.tensor([1, 2]);
    g.requiresGrad = true;
    g.tile([3]).mul(tm.tensor([1, 10, 100, 1000, 1e4, 1e5])).sum().backward();
    expect(Array.from(await g.grad!.data())).toEqual([10101, 101010]);
    expect(() => x.tile([-1, 1])).toThrow('tile: reps [-1, 1] must be ≥ 0');
  });
});

describe.each(BACKENDS)('slidingWindows (stft\'s frames) on %s', (backend) => {
  it('cuts the last axis into windows of size every step, each leading axis its own; the gradient sums overlaps back', async () => {
    await tm.init({ backend });
    const x = tm.tensor(Float32Array.from({ length: 2 * 10 }, (_, i) => i), [2, 10]);
    x.requiresGrad = true;
    const w = slidingWindows(x, 4, 3);
    expect(w.shape).toEqual([2, 3, 4]);
    expect(await w.array()).toEqual([
      [[0, 1, 2, 3], [3, 4, 5, 6], [6, 7, 8, 9]],
      [[10, 11, 12, 13], [13, 14, 15, 16], [16, 17, 18, 19]],
    ]);
    // Weights 1, 10, 100, 1000 in each window: a sample in two windows gets both of its weights.
    const weights = tm.tensor(Float32Array.from({ length: 24 }, (_, i) => 10 ** (i % 4)), [2, 3, 4]);
    w.mul(weights).sum().backward();
    expect(Array.from(await x.grad!.data())).toEqual([1, 10, 100, 1001, 10, 100, 1001, 10, 100, 1000, 1, 10, 100, 1001, 10, 100, 1001, 10, 100, 1000]);
    // A step past the window skips samples (they get no gradient); one window of the whole axis; an empty batch.
    expect(await slidingWindows(tm.arange(0, 7), 2, 3).array()).toEqual([[0, 1], [3, 4]]);
    expect(await slidingWindows(tm.arange(0, 3), 3, 1).array()).toEqual([[0, 1, 2]]);
    expect(slidingWindows(tm.zeros([0, 5]), 2, 1).shape).toEqual([0, 4, 2]);
  });
});
