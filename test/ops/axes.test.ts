// moveaxis, swapaxes, narrow, rot90 and unflatten on every backend and in every dtype,
// against float64 index arithmetic written here: odd sizes, negative axes,
// several axes moved at once, every turn of rot90 in every plane of a 3-D
// tensor; gradients back through them; bad axes refused by name.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectExact, randomInts } from '../helpers/data.js';
import { f64, permute, ravel, size, unravel, type F64 } from '../helpers/float64.js';

const make = (shape: number[], dtype: tm.DType = 'f32') => {
  const x = f64(shape, randomInts(size(shape), -100, 100));
  return { x, t: tm.tensor(x.v, shape, { dtype }) };
};

/** np.rot90, written as its definition: out[…, i, …, j, …] in the plane (a, b) reads x turned k times. */
function rot90Ref(x: F64, k: number, a: number, b: number): F64 {
  const turns = ((k % 4) + 4) % 4;
  const shape = turns % 2 ? x.shape.map((s, d) => (d === a ? x.shape[b] : d === b ? x.shape[a] : s)) : [...x.shape];
  const v = new Float64Array(size(shape));
  const [na, nb] = [x.shape[a], x.shape[b]];
  for (let o = 0; o < v.length; o++) {
    const idx = unravel(o, shape);
    const [i, j] = [idx[a], idx[b]];
    // One quarter turn from a towards b: out[i][j] = x[j][nb − 1 − i].
    const [si, sj] = turns === 0 ? [i, j] : turns === 1 ? [j, nb - 1 - i] : turns === 2 ? [na - 1 - i, nb - 1 - j] : [na - 1 - j, i];
    v[o] = x.v[ravel(idx.map((c, d) => (d === a ? si : d === b ? sj : c)), x.shape)];
  }
  return { shape, v };
}

describe.each(BACKENDS)('axis ops on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it.each([
    [[2, 3, 4], 0, -1, [1, 2, 0]], [[2, 3, 4], -1, 0, [2, 0, 1]], [[5, 1, 7, 3], [0, 1], [-1, -2], [2, 3, 1, 0]], [[5, 1, 7, 3], [3, 0], [0, 1], [3, 0, 1, 2]], [[7], 0, 0, [0]],
  ] as [number[], number | number[], number | number[], number[]][])('moveaxis of %j from %j to %j is np.moveaxis, in every dtype', async (shape, from, to, perm) => {
    for (const dtype of tm.DTYPES) {
      const { x, t } = make(shape, dtype);
      const y = tm.moveaxis(t, from, to);
      const want = permute(x, perm);
      expect(y.shape).toEqual(want.shape);
      expectExact(await y.data(), want.v, `moveaxis ${dtype}`);
    }
  });

  it('swapaxes exchanges two axes; narrow takes a run of entries along one, from the end where start is negative', async () => {
    const { x, t } = make([3, 5, 2]);
    expectExact(await tm.swapaxes(t, 0, -1).data(), permute(x, [2, 1, 0]).v);
    expect(tm.swapaxes(t, 1, 1).shape).toEqual([3, 5, 2]);
    const n = tm.narrow(t, 1, -4, 3);
    expect(n.shape).toEqual([3, 3, 2]);
    expectExact(await n.data(), Float64Array.from({ length: 18 }, (_, i) => { const [a, b, c] = unravel(i, [3, 3, 2]); return x.v[ravel([a, b + 1, c], [3, 5, 2])]; }));
    expect(tm.narrow(t, 0, 3, 0).shape).toEqual([0, 5, 2]);
  });

  it.each([[[4, 4], [0, 1]], [[3, 5], [0, 1]], [[3, 5], [1, 0]], [[2, 3, 5], [0, 2]], [[2, 3, 5], [-1, 1]], [[1, 7], [0, 1]]] as [number[], [number, number]][])('rot90 of %j in the plane %j, k from −5 to 5, is np.rot90, in every dtype', async (shape, axes) => {
    for (const dtype of tm.DTYPES) {
      const { x, t } = make(shape, dtype);
      for (let k = -5; k <= 5; k++) {
        const y = tm.rot90(t, k, axes);
        const want = rot90Ref(x, k, (axes[0] + shape.length) % shape.length, (axes[1] + shape.length) % shape.length);
        expect(y.shape).toEqual(want.shape);
        expectExact(await y.data(), want.v, `rot90 k=${k} ${dtype}`);
      }
    }
  });

  it('their gradients move dy back: each entry of x gets the dy of where it went', async () => {
    const x = tm.tensor([[1, 2, 3], [4, 5, 6]]);
    x.requiresGrad = true;
    const w = tm.tensor([[10, 20], [30, 40], [50, 60]]);
    tm.tidy(() => tm.rot90(x).mul(w).sum().add(tm.moveaxis(x, 0, 1).mul(w).sum()).add(tm.narrow(x, 1, 1, 2).sum())).backward();
    // rot90: out[i][j] = x[j][2 − i]; moveaxis: out[i][j] = x[j][i]; narrow: 1 on columns 1 and 2.
    expect(await x.grad!.array()).toEqual([[50 + 10, 30 + 30 + 1, 10 + 50 + 1], [60 + 20, 40 + 40 + 1, 20 + 60 + 1]]);
  });

  it('unflatten splits an axis into several (one size may be −1), a reshape that keeps every entry in place', async () => {
    const x = make([2, 12, 3]);
    for (const [axis, sizes, shape] of [[1, [3, 4], [2, 3, 4, 3]], [-2, [2, -1, 3], [2, 2, 2, 3, 3]], [0, [1, 2], [1, 2, 12, 3]], [2, [3], [2, 12, 3]]] as const) {
      const y = tm.unflatten(x.t, axis, sizes);
      expect(y.shape).toEqual(shape);
      expectExact(await y.data(), x.x.v, `unflatten ${axis} ${sizes}`);
    }
    expect(tm.unflatten(tm.zeros([2, 0]), 1, [3, -1]).shape).toEqual([2, 3, 0]);
    const t = tm.zeros([2, 6]);
    expect(() => tm.unflatten(t, 1, [4, -1])).toThrow(new tm.ShapeError('unflatten: sizes [4, -1] do not multiply to the length of axis 1 of x [2,6], 6'));
    expect(() => tm.unflatten(t, 1, [-1, -1])).toThrow(new tm.ValueError('unflatten: sizes must be a non-empty array of sizes ≥ 0, at most one of them −1, got [-1, -1]'));
    expect(() => tm.unflatten(tm.zeros([2, 0]), 1, [0, -1])).toThrow(new tm.ShapeError('unflatten: sizes [0, -1] leave −1 undetermined: the others multiply to 0'));
    expect(() => tm.unflatten(t, 1, [])).toThrow('unflatten: sizes must be a non-empty array');
    expect(() => tm.unflatten(tm.scalar(1), 0, [1])).toThrow(new tm.ShapeError('unflatten: x is a scalar: there is no axis to split'));
  });

  it('refuses bad axes and ranges by name', () => {
    const t = tm.zeros([2, 3]);
    expect(() => tm.moveaxis(t, [0, 1], [1])).toThrow(new tm.ValueError('moveaxis: source [0, 1] and destination [1] must name as many axes'));
    expect(() => tm.moveaxis(t, [0, 0], [0, 1])).toThrow(new tm.ValueError('moveaxis: source [0, 0] names an axis twice'));
    expect(() => tm.moveaxis(t, 2, 0)).toThrow('moveaxis: axis 2 is out of range for a tensor of rank 2');
    expect(() => tm.narrow(t, 1, 1, 3)).toThrow(new tm.ValueError('narrow: length must be an integer from 0 to 2 (what axis 1 of x [2,3] has from 1), got 3'));
    expect(() => tm.narrow(t, 1, -4, 1)).toThrow(new tm.ValueError('narrow: start must be an integer in [-3, 3] (axis 1 of x [2,3]), got -4'));
    expect(() => tm.rot90(tm.zeros([3]))).toThrow(new tm.ShapeError('rot90: x [3] has fewer than the two axes a turn needs'));
    expect(() => tm.rot90(t, 1, [1, -1])).toThrow(new tm.ValueError('rot90: axes [1, -1] name one axis twice'));
    expect(() => tm.rot90(t, 0.5)).toThrow(new tm.ValueError('rot90: k must be an integer, got 0.5'));
  });
});
