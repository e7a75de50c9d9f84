// roll, chunk, tensorSplit, unbind, repeatInterleave and takeAlongAxis on
// every backend and in every dtype, against float64 references written here
// (plain loops over multi-indices): odd sizes, size-1 axes, empty tensors, negative axes and
// shifts and indices; gradients on every backend (takeAlongAxis's with
// repeated indices, summed); bad input refused with the values named.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { exactValues, expectClose, expectExact, randomInts, uniform } from '../helpers/data.js';
import { f64, ravel, size, sliceRef, unravel, type F64 } from '../helpers/float64.js';

function make(shape: number[], dtype: tm.DType = 'f32'): { x: F64; t: tm.Tensor } {
  const x = f64(shape, exactValues(dtype, size(shape)));
  return { x, t: tm.tensor(x.v, shape, { dtype }) };
}

/** An array of `shape` whose entry at each multi-index is `at(index)`. */
function build(shape: number[], at: (idx: number[]) => number): F64 {
  return { shape, v: Float64Array.from({ length: size(shape) }, (_, i) => at(unravel(i, shape))) };
}

const mod = (a: number, n: number) => ((a % n) + n) % n;

/** np.roll: each (shift, axis) pair in turn; no axes rolls the flat order. */
function rollRef(x: F64, shifts: number[], axes?: number[]): F64 {
  if (!axes) {
    const n = x.v.length;
    return { shape: x.shape, v: Float64Array.from({ length: n }, (_, i) => x.v[mod(i - shifts[0], n)]) };
  }
  return axes.reduce((y, axis, k) => {
    const a = axis < 0 ? axis + x.shape.length : axis;
    const s = shifts.length === 1 ? shifts[0] : shifts[k];
    return build(y.shape, (idx) => y.v[ravel(idx.map((v, d) => (d === a ? mod(v - s, y.shape[a]) : v)), y.shape)]);
  }, x);
}

/** Each entry repeated r times in place along `a`. */
function repeatRef(x: F64, r: number, a: number): F64 {
  return build(x.shape.map((d, i) => (i === a ? d * r : d)), (idx) => x.v[ravel(idx.map((v, d) => (d === a ? Math.floor(v / r) : v)), x.shape)]);
}

/** np.take_along_axis, with NumPy's broadcasting off the axis and negative indices from the end. */
function takeRef(x: F64, indices: F64, a: number): F64 {
  const shape = x.shape.map((d, i) => (i === a ? indices.shape[a] : Math.max(d, indices.shape[i])));
  return build(shape, (idx) => {
    const j = indices.v[ravel(idx.map((v, d) => (indices.shape[d] === 1 ? 0 : v)), indices.shape)];
    return x.v[ravel(idx.map((v, d) => (d === a ? mod(j, x.shape[a]) : x.shape[d] === 1 ? 0 : v)), x.shape)];
  });
}

/** Σ r·y's gradient for y = takeAlongAxis(x, indices, a): each r added into the entry it was read from. */
function takeGradRef(x: F64, indices: F64, a: number, r: Float64Array): Float64Array {
  const y = takeRef({ shape: x.shape, v: Float64Array.from(x.v.keys()) }, indices, a); // which entry of x each output read
  const g = new Float64Array(x.v.length);
  y.v.forEach((from, i) => (g[from] += r[i]));
  return g;
}

describe.each(BACKENDS)('indexing ops on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  describe('roll', () => {
    it.each([
      [[7], [3], undefined], [[7], [-9], [0]], [[1], [5], [0]], [[13, 31], [5], [1]], [[13, 31], [-4, 40], [0, 1]], [[13, 31], [7], undefined],
      [[127, 129], [64, -1], [-2, -1]], [[3, 1, 5], [2], [0, 1, 2]], [[3, 1, 5], [1, 1], [2, 2]], [[2, 0, 3], [1, 1], [1, 2]], [[], [3], undefined],
    ] as [number[], number[], number[] | undefined][])('of %j by %j along %j matches np.roll, in every dtype', async (shape, shifts, axes) => {
      for (const dtype of tm.DTYPES) {
        const { x, t } = make(shape, dtype);
        const y = axes ? t.roll(shifts.length === 1 ? shifts[0] : shifts, axes.length === 1 ? axes[0] : axes) : t.roll(shifts[0]);
        const want = rollRef(x, shifts, axes);
        expect([y.shape, y.dtype]).toEqual([want.shape, dtype]);
        expectExact(await y.data(), want.v, `roll ${dtype}`);
      }
    });

    it('its gradient rolls dy back', async () => {
      const x = tm.tensor([[1, 2, 3], [4, 5, 6]]);
      x.requiresGrad = true;
      tm.tidy(() => x.roll([1, 1], [0, 1]).mul(tm.tensor([[1, 2, 3], [4, 5, 6]])).sum()).backward();
      // y[i, j] = x[i − 1, j − 1]: x[i, j]'s weight is the one at (i + 1, j + 1).
      expect(await x.grad!.array()).toEqual([[5, 6, 4], [2, 3, 1]]);
    });

    it('refuses shifts and axes that do not pair up, or are not integers', () => {
      const t = tm.zeros([2, 3]);
      expect(() => t.roll([1, 2], 0)).toThrow(new tm.ValueError('roll: shifts [1, 2] and axes 0 differ in length'));
      expect(() => t.roll([1, 2])).toThrow('roll: without axes x is rolled flat, by one shift; got shifts [1, 2]');
      expect(() => t.roll(1.5, 0)).toThrow('roll: shifts must be an integer or an array of integers, got 1.5');
      expect(() => t.roll(1, 2)).toThrow(new tm.ShapeError('roll: axis 2 is out of range for a tensor of rank 2'));
    });
  });

  describe('chunk and unbind', () => {
    it.each([[[7], 3, 0], [[7], 7, 0], [[7], 10, -1], [[13, 31], 4, 1], [[13, 31], 2, 0], [[127, 129], 5, 1], [[3, 1, 5], 2, 1], [[5, 6], 4, 0]])('chunk of %j into %i along %i: ⌈n / chunks⌉ each but the last (torch.chunk), in every dtype', async (shape, chunks, axis) => {
      const a = axis < 0 ? axis + shape.length : axis;
      const n = shape[a];
      const each = Math.ceil(n / chunks);
      const sizes = Array.from({ length: Math.ceil(n / each) }, (_, k) => Math.min(each, n - k * each));
      for (const dtype of tm.DTYPES) {
        const { x, t } = make(shape, dtype);
        const pieces = t.chunk(chunks, axis);
        expect(pieces.map((p) => p.shape[a])).toEqual(sizes);
        for (const [k, p] of pieces.entries()) {
          const want = sliceRef(x, shape.map((_, d) => (d === a ? k * each : 0)), shape.map((d, i) => (i === a ? sizes[k] : d)));
          expect([p.shape, p.dtype]).toEqual([want.shape, dtype]);
          expectExact(await p.data(), want.v, `chunk ${k} ${dtype}`);
        }
      }
    });

    it('chunk gives fewer pieces than asked where PyTorch does (5 into 4: 2, 2, 1; 6 into 4: 2, 2, 2), and an empty axis `chunks` empty pieces', async () => {
      expect(tm.arange(5).chunk(4).map((p) => p.size)).toEqual([2, 2, 1]);
      expect(tm.arange(6).chunk(4).map((p) => p.size)).toEqual([2, 2, 2]);
      expect(tm.arange(2).chunk(5).map((p) => p.size)).toEqual([1, 1]);
      expect(tm.zeros([0, 3]).chunk(3).map((p) => p.shape)).toEqual([[0, 3], [0, 3], [0, 3]]);
      expect(tm.zeros([2, 0]).chunk(2, 0).map((p) => p.shape)).toEqual([[1, 0], [1, 0]]);
    });

    it.each([
      [[7], 3, 0, [3, 2, 2]],
      [[5], 3, 0, [2, 2, 1]],
      [[2], 4, 0, [1, 1, 0, 0]],
      [[13, 31], 4, 1, [8, 8, 8, 7]],
      [[127, 129], 5, 0, [26, 26, 25, 25, 25]],
      [[0, 3], 2, 0, [0, 0]],
    ])('tensorSplit of %j into %i along %i: always that many pieces, the longer first (torch.tensor_split), in every dtype', async (shape, sections, axis, sizes) => {
      for (const dtype of tm.DTYPES) {
        const { x, t } = make(shape, dtype);
        const pieces = tm.tensorSplit(t, sections, axis);
        expect(pieces.map((p) => p.shape[axis])).toEqual(sizes);
        for (const [k, p] of pieces.entries()) {
          const start = sizes.slice(0, k).reduce((s, v) => s + v, 0);
          const want = sliceRef(x, shape.map((_, d) => (d === axis ? start : 0)), shape.map((d, i) => (i === axis ? sizes[k] : d)));
          expectExact(await p.data(), want.v, `tensorSplit ${k} ${dtype}`);
        }
      }
    });

    it.each([
      [[1, 6], [0, 1, 1, 5, 6, 1]],
      [[3], [0, 3, 3, 4]],
      [[-2], [0, 5, 5, 2]],
      [[0, 9], [0, 0, 0, 7, 7, 0]],
      [[5, 2], [0, 5, 5, 0, 2, 5]],
      [[], [0, 7]],
    ])('tensorSplit at indices %j reads each as a slice bound: x[:i₀], x[i₀:i₁], …, negatives from the end, past the end clamped (start and size of each piece: %j)', async (indices, startsAndSizes) => {
      const { x, t } = make([7, 3]);
      const pieces = tm.tensorSplit(t, indices, 0);
      expect(pieces.length).toBe(indices.length + 1);
      for (const [k, p] of pieces.entries()) {
        const [start, length] = [startsAndSizes[2 * k], startsAndSizes[2 * k + 1]];
        expectExact(await p.data(), sliceRef(x, [start, 0], [length, 3]).v, `piece ${k}`);
      }
    });

    it.each([[[7], 0], [[1], 0], [[13, 31], 1], [[13, 31], -2], [[3, 1, 5], 1], [[3, 1, 5], 2], [[4, 0], 0], [[0, 4], 0]])('unbind of %j along %i: the slices, the axis dropped, in every dtype', async (shape, axis) => {
      const a = axis < 0 ? axis + shape.length : axis;
      for (const dtype of tm.DTYPES) {
        const { x, t } = make(shape, dtype);
        const pieces = t.unbind(axis);
        expect(pieces.length).toBe(shape[a]);
        for (const [k, p] of pieces.entries()) {
          const want = sliceRef(x, shape.map((_, d) => (d === a ? k : 0)), shape.map((d, i) => (i === a ? 1 : d)));
          expect([p.shape, p.dtype]).toEqual([shape.filter((_, d) => d !== a), dtype]);
          expectExact(await p.data(), want.v, `unbind ${k} ${dtype}`);
        }
      }
    });

    it('their gradients put each piece\'s back in its place; a piece left out gets 0', async () => {
      const x = tm.tensor([[1, 2, 3], [4, 5, 6]]);
      x.requiresGrad = true;
      tm.tidy(() => {
        const [a, b] = x.chunk(2, 1);
        return a.mul(tm.tensor([[1, 2], [3, 4]])).sum().add(b.mul(10).sum());
      }).backward();
      expect(await x.grad!.array()).toEqual([[1, 2, 10], [3, 4, 10]]);
      x.grad = null;
      tm.tidy(() => {
        const rows = x.unbind(0);
        return rows[1].mul(tm.tensor([1, 2, 3])).sum();
      }).backward();
      expect(await x.grad!.array()).toEqual([[0, 0, 0], [1, 2, 3]]);
    });

    it('refuse a scalar, a bad count and a bad axis', () => {
      expect(() => tm.scalar(1).chunk(2)).toThrow(new tm.ShapeError('chunk: x is a scalar: there is no axis to cut along'));
      expect(() => tm.scalar(1).unbind()).toThrow(new tm.ShapeError('unbind: x is a scalar: there is no axis to cut along'));
      expect(() => tm.zeros([4]).chunk(0)).toThrow(new tm.ValueError('chunk: chunks must be a positive integer, got 0'));
      expect(() => tm.zeros([4]).chunk(1.5)).toThrow('chunk: chunks must be a positive integer, got 1.5');
      expect(() => tm.zeros([4]).unbind(1)).toThrow('unbind: axis 1 is out of range for a tensor of rank 1');
      expect(() => tm.tensorSplit(tm.scalar(1), 2)).toThrow(new tm.ShapeError('tensorSplit: x is a scalar: there is no axis to cut along'));
      expect(() => tm.tensorSplit(tm.zeros([4]), 0)).toThrow(new tm.ValueError('tensorSplit: sections must be a positive integer, got 0'));
      expect(() => tm.tensorSplit(tm.zeros([4]), [1.5])).toThrow(new tm.ValueError('tensorSplit: indices must be an integer or an array of integers, got [1.5]'));
    });
  });

  describe('repeatInterleave', () => {
    it.each([[[7], 3, 0], [[1], 4, 0], [[13, 31], 2, 1], [[13, 31], 3, -2], [[3, 1, 5], 5, 1], [[3, 1, 5], 2, 2], [[4, 0], 3, 0], [[4, 3], 0, 1], [[127, 129], 2, 0]])('of %j, %i times along %i, in every dtype', async (shape, r, axis) => {
      const a = axis < 0 ? axis + shape.length : axis;
      for (const dtype of tm.DTYPES) {
        const { x, t } = make(shape, dtype);
        const y = t.repeatInterleave(r, axis);
        const want = repeatRef(x, r, a);
        expect([y.shape, y.dtype]).toEqual([want.shape, dtype]);
        expectExact(await y.data(), want.v, `repeatInterleave ${dtype}`);
      }
    });

    it('flattens x without an axis, scalars too; its gradient sums each entry\'s copies', async () => {
      const { x, t } = make([2, 3]);
      expectExact(await t.repeatInterleave(2).data(), repeatRef({ shape: [6], v: x.v }, 2, 0).v);
      expect(await tm.scalar(4).repeatInterleave(3).array()).toEqual([4, 4, 4]);
      const g = tm.tensor([1, 2]);
      g.requiresGrad = true;
      tm.tidy(() => g.repeatInterleave(3).mul(tm.tensor([1, 10, 100, 1000, 1e4, 1e5])).sum()).backward();
      expect(Array.from(await g.grad!.data())).toEqual([111, 111000]);
    });

    it('refuses counts that are not a non-negative integer, naming a tensor of them as unsupported', () => {
      const t = tm.zeros([3]);
      expect(() => t.repeatInterleave(-1)).toThrow(new tm.ValueError('repeatInterleave: repeats must be a non-negative integer, got -1'));
      expect(() => t.repeatInterleave(1.5, 0)).toThrow('repeatInterleave: repeats must be a non-negative integer, got 1.5');
      const counts = tm.tensor(new Int32Array([1, 2, 3]), [3]);
      expect(() => t.repeatInterleave(counts as unknown as number)).toThrow(/repeatInterleave: repeats must be a non-negative integer, got Tensor\(\[3\], i32, \w+\) \(a count per entry, as a tensor or a list, is not supported\)/);
      expect(() => tm.scalar(1).repeatInterleave(2, 0)).toThrow(tm.ShapeError);
      expect(() => t.repeatInterleave(2, 1)).toThrow('repeatInterleave: axis 1 is out of range for a tensor of rank 1');
    });
  });

  describe('takeAlongAxis', () => {
    /** Random indices into an axis of n (negative ones too) in `shape`. */
    const indicesFor = (shape: number[], n: number) => f64(shape, randomInts(size(shape), -n, n - 1));

    it.each([
      [[7], [7], 0], [[7], [12], 0], [[1], [3], 0], [[13, 31], [13, 31], 1], [[13, 31], [5, 31], 0], [[13, 31], [13, 40], -1],
      [[127, 129], [127, 129], 0], [[3, 1, 5], [3, 1, 7], 2], [[3, 1, 5], [3, 4, 5], 1], [[4, 6], [4, 0], 1], [[0, 6], [0, 2], 1],
    ])('x %j, indices %j, along %i: np.take_along_axis, in every dtype, with i32 and i8 indices', async (xShape, iShape, axis) => {
      const a = axis < 0 ? axis + xShape.length : axis;
      const indices = indicesFor(iShape, xShape[a]);
      const want = (x: F64) => takeRef(x, indices, a);
      for (const dtype of tm.DTYPES) {
        const { x, t } = make(xShape, dtype);
        for (const indexType of xShape[a] <= 128 ? (['i32', 'i8'] as const) : (['i32'] as const)) {
          const y = t.takeAlongAxis(tm.tensor(indices.v, iShape, { dtype: indexType }), axis);
          expect([y.shape, y.dtype]).toEqual([iShape, dtype]);
          expectExact(await y.data(), want(x).v, `takeAlongAxis ${dtype}, ${indexType} indices`);
        }
      }
    });

    it('broadcasts x and indices against each other off the axis, as NumPy', async () => {
      const { x, t } = make([1, 5]);
      const indices = indicesFor([3, 2], 5);
      const y = t.takeAlongAxis(tm.tensor(indices.v, [3, 2], { dtype: 'i32' }), 1);
      expect(y.shape).toEqual([3, 2]);
      expectExact(await y.data(), takeRef(x, indices, 1).v);
      const { x: x2, t: t2 } = make([4, 5, 3]);
      const column = indicesFor([4, 2, 1], 5);
      const y2 = t2.takeAlongAxis(tm.tensor(column.v, [4, 2, 1], { dtype: 'i32' }), 1);
      expect(y2.shape).toEqual([4, 2, 3]);
      expectExact(await y2.data(), takeRef(x2, column, 1).v);
    });

    it.each([[[13, 31], [13, 50], 1], [[7], [20], 0], [[3, 1, 5], [3, 6, 5], 1], [[1, 6], [4, 9], 1]])('its gradient, x %j, indices %j (repeats among them) along %i, adds dy into each entry read, repeats summed', async (xShape, iShape, axis) => {
      const x = f64(xShape, uniform(size(xShape)));
      const indices = indicesFor(iShape, xShape[axis]);
      const r = uniform(size(iShape));
      const t = tm.tensor(x.v, xShape);
      t.requiresGrad = true;
      tm.tidy(() => t.takeAlongAxis(tm.tensor(indices.v, iShape, { dtype: 'i32' }), axis).mul(tm.tensor(r, iShape)).sum()).backward();
      expectClose(await t.grad!.data(), takeGradRef(x, indices, axis, r), 1e-5, 'takeAlongAxis gradient', takeGradRef(x, indices, axis, r.map(Math.abs)));
    });

    it('f16 values and their gradient stay f16', async () => {
      const t = tm.tensor([[1.5, 2, 3], [4, 5, 6.5]], undefined, { dtype: 'f16' });
      t.requiresGrad = true;
      const y = t.takeAlongAxis(tm.tensor(new Int32Array([2, 2, 0, 1]), [2, 2]), 1);
      expect(await y.array()).toEqual([[3, 3], [4, 5]]);
      tm.tidy(() => y.sum()).backward();
      expect([t.grad!.dtype, await t.grad!.array()]).toEqual(['f16', [[0, 0, 2], [1, 1, 0]]]);
    });

    it('refuses float indices, another rank, shapes that do not broadcast, and (where it can read them at once) an index outside the axis, naming it', async () => {
      const t = tm.zeros([2, 3]);
      expect(() => t.takeAlongAxis(tm.tensor([[0]]), 1)).toThrow(new tm.DTypeError("takeAlongAxis: indices must be i32 or i8, got f32 (cast them: indices.cast('i32'))"));
      expect(() => t.takeAlongAxis(tm.tensor(new Int32Array([0, 1]), [2]), 1)).toThrow(new tm.ShapeError("takeAlongAxis: indices [2] must have x's rank, 2 (x is [2,3])"));
      expect(() => t.takeAlongAxis(tm.tensor(new Int32Array(3), [3, 1]), 1)).toThrow(new tm.ShapeError('takeAlongAxis: indices [3,1] do not broadcast against x [2,3] on axis 0 (3 against 2); off the axis taken along they must'));
      expect(() => t.takeAlongAxis(tm.tensor(new Int32Array([0]), [1, 1]), 2)).toThrow('takeAlongAxis: axis 2 is out of range for a tensor of rank 2');
      expect(() => tm.scalar(1).takeAlongAxis(tm.tensor(new Int32Array([0]), [1]), 0)).toThrow(tm.ShapeError);
      const outside = tm.tensor(new Int32Array([0, 1, 3, -3, -4, 2]), [2, 3]);
      if (backend === 'webgpu') {
        // The indices live on the GPU: an index outside the axis reads 0 rather than wait to be checked.
        expect(await tm.tensor([[1, 2, 3], [4, 5, 6]]).takeAlongAxis(outside, 1).array()).toEqual([[1, 2, 0], [4, 0, 6]]);
      } else {
        expect(() => t.takeAlongAxis(outside, 1)).toThrow(new tm.ValueError('takeAlongAxis: index 3 (at 2 of indices [2,3]) is outside axis 1 of x [2,3], of length 3'));
        expect(() => t.takeAlongAxis(tm.tensor(new Int8Array([-4]), [1, 1]), -1)).toThrow('takeAlongAxis: index -4 (at 0 of indices [1,1]) is outside axis -1 of x [2,3], of length 3');
      }
    });
  });
});
