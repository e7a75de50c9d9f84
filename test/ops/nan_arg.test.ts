// nanargmax and nanargmin as NumPy's, on every backend: NumPy 1.24's answers
// for a matrix of NaN, ties and ±∞ (np.nanargmax / np.nanargmin, embedded
// below), a float64 reference (the first largest or smallest value that is
// not NaN) on random data sprinkled with NaN along every axis, keepDims,
// f16 and ints; an all-NaN slice refused on js and native as NumPy refuses
// it, and given 0 on webgpu; empty axes and bad arguments refused by name.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF16, asF32, uniform } from '../helpers/data.js';
import { size, strides } from '../helpers/float64.js';

/** The first position of the largest (smallest) value not NaN along `axis` of v (flat without one), NaN where there is none. */
function nanArgRef(v: Float64Array, shape: number[], axis: number | undefined, largest: boolean): number[] {
  const [n, stride, outer] = axis === undefined ? [v.length, 1, [0]] : [shape[axis], strides(shape)[axis], starts(shape, axis)];
  return outer.map((s) => {
    let best = NaN;
    for (let k = 0; k < n; k++) {
      const x = v[s + k * stride];
      if (Number.isNaN(x)) continue;
      if (Number.isNaN(best) || (largest ? x > v[s + best * stride] : x < v[s + best * stride])) best = k;
    }
    return best;
  });
}

/** Where each line along `axis` starts, in the order of the result with that axis removed. */
function starts(shape: number[], axis: number): number[] {
  const [outer, n, inner] = [size(shape.slice(0, axis)), shape[axis], size(shape.slice(axis + 1))];
  const out: number[] = [];
  for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) out.push(o * n * inner + i);
  return out;
}

const { nan, inf } = { nan: NaN, inf: Infinity };
// np.nanargmax / np.nanargmin of this matrix (NumPy 1.24): axis=1, axis=0, flat, and keepdims=True along 1.
const MATRIX = [[nan, 2, 2, -1], [1, nan, 3, 3], [-inf, nan, -inf, nan]];
const NUMPY = {
  nanargmax: { 1: [1, 2, 0], 0: [1, 0, 1, 1], flat: 6 },
  nanargmin: { 1: [3, 0, 0], 0: [2, 0, 2, 0], flat: 8 },
};

describe.each(BACKENDS)('nanargmax and nanargmin on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it.each(['nanargmax', 'nanargmin'] as const)('%s gives NumPy\'s indices: NaN skipped, ties to the first, ±∞ counted', async (name) => {
    const x = tm.tensor(MATRIX);
    const want = NUMPY[name];
    const along1 = tm[name](x, 1);
    expect([along1.dtype, await along1.array()]).toEqual(['i32', want[1]]);
    expect(await tm[name](x, 0).array()).toEqual(want[0]);
    expect(await tm[name](x, -2).array()).toEqual(want[0]);
    expect(await tm[name](x).array()).toEqual(want.flat);
    const kept = tm[name](x, 1, { keepDims: true });
    expect([kept.shape, await kept.array()]).toEqual([[3, 1], want[1].map((i) => [i])]);
    // np.nanargmax([nan, -inf]) and np.nanargmin([nan, inf]) are 0: NaN stands in as the extreme, the first taken.
    expect(await tm[name](tm.tensor([nan, name === 'nanargmax' ? -inf : inf])).array()).toBe(0);
  });

  it.each([
    { shape: [7, 5, 3], axis: 0 },
    { shape: [7, 5, 3], axis: 1 },
    { shape: [7, 5, 3], axis: -1 },
    { shape: [7, 5, 3], axis: undefined },
    { shape: [40], axis: 0 },
  ])('agrees with a float64 reference on $shape along $axis, NaN sprinkled in, f32 and f16', async ({ shape, axis }) => {
    for (const dtype of ['f32', 'f16'] as const) {
      const values = (dtype === 'f32' ? asF32 : asF16)(uniform(size(shape), -50, 50));
      // A NaN in every third entry or so, but never a whole line: line starts keep their numbers.
      for (let i = 1; i < values.length; i += 3) values[i] = NaN;
      values[0] = 7;
      if (axis !== undefined) for (const s of starts(shape, axis < 0 ? axis + shape.length : axis)) values[s] = Number.isNaN(values[s]) ? 1 : values[s];
      const x = tm.tensor(values, shape, { dtype });
      for (const name of ['nanargmax', 'nanargmin'] as const) {
        const got = tm[name](x, axis);
        const want = nanArgRef(values, shape, axis === undefined ? undefined : axis < 0 ? axis + shape.length : axis, name === 'nanargmax');
        expect(Array.from(await got.data()), `${name} ${dtype}`).toEqual(want);
      }
    }
  });

  it('ints have no NaN: argmax and argmin', async () => {
    const x = tm.tensor([[3, -1, 3], [0, 5, -7]], [2, 3], { dtype: 'i32' });
    expect(await tm.nanargmax(x, 1).array()).toEqual([0, 1]);
    expect(await tm.nanargmin(x, 1).array()).toEqual([1, 2]);
    expect(await tm.nanargmax(x.cast('i8')).array()).toBe(4);
  });

  it(backend === 'webgpu' ? 'an all-NaN slice gives 0 on webgpu, which cannot look without waiting for the GPU' : 'an all-NaN slice is an error, as NumPy\'s "All-NaN slice encountered"', async () => {
    const x = tm.tensor([[1, 2], [nan, nan]]);
    if (backend === 'webgpu') {
      expect(await tm.nanargmax(x, 1).array()).toEqual([1, 0]);
      expect(await tm.nanargmin(x, 1).array()).toEqual([0, 0]);
      expect(await tm.nanargmax(tm.tensor([nan, nan, nan])).array()).toBe(0);
      return;
    }
    expect(() => tm.nanargmax(x, 1)).toThrow(new tm.ValueError('nanargmax: slice 1 along axis 1 of x [2,2] is all NaN, which has no largest value (NumPy\'s "All-NaN slice encountered")'));
    expect(() => tm.nanargmin(x, -1)).toThrow(/nanargmin: slice 1 along axis -1 of x \[2,2\] is all NaN, which has no smallest value/);
    expect(() => tm.nanargmax(tm.tensor([nan, nan]))).toThrow(/nanargmax: x \[2\] is all NaN/);
    // Along axis 0 each column has a number: no error.
    expect(await tm.nanargmax(x, 0).array()).toEqual([0, 0]);
    expect(() => tm.nanargmax(tm.scalar(nan))).toThrow(/nanargmax: x \[\] is all NaN/);
  });
});

describe('nanargmax and nanargmin', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('refuse an empty axis or tensor, a bad axis and bad options, naming them', () => {
    expect(() => tm.nanargmax(tm.zeros([0]))).toThrow(new tm.ShapeError('nanargmax: x [0] is empty: there is nothing to pick'));
    expect(() => tm.nanargmin(tm.zeros([2, 0]), 1)).toThrow(new tm.ShapeError('nanargmin: x [2,0] is empty along axis 1: there is nothing to pick'));
    expect(tm.nanargmin(tm.zeros([0, 2]), 1).shape).toEqual([0]);
    expect(() => tm.nanargmax(tm.zeros([2, 3]), 2)).toThrow(/nanargmax: axis 2 is out of range for a tensor of rank 2/);
    expect(() => tm.nanargmax(tm.zeros([2, 3]), 0, { keepdims: true } as never)).toThrow(/nanargmax: unknown option "keepdims" \(did you mean keepDims\?\)/);
    expect(() => tm.nanargmin(null as never)).toThrow(/nanargmin: x must be a Tensor/);
  });

  it('leave nothing behind, the refused call included', () => {
    const x = tm.tensor([[1, nan, 3], [nan, nan, nan], [0, 4, nan]]);
    const before = tm.memory().numTensors;
    tm.nanargmax(x, 0).dispose();
    expect(() => tm.nanargmax(x, 1)).toThrow(tm.ValueError);
    expect(tm.memory().numTensors).toBe(before);
  });
});
