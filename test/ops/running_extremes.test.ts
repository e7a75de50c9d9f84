// cummax and cummin on every backend against PyTorch's loop written here
// (a later value as good as the running one, or a NaN, takes its place;
// once NaN, the value stays NaN): odd sizes, every axis, ties, NaN, every
// dtype; the gradient goes to the entries picked; a scalar refused.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectExact, randomInts } from '../helpers/data.js';
import { f64, ravel, size, unravel, type F64 } from '../helpers/float64.js';

/** torch.cummax/cummin's loop along axis a: the values and their positions. */
function runningRef(x: F64, a: number, better: (v: number, best: number) => boolean): { values: Float64Array; indices: Float64Array } {
  const values = new Float64Array(x.v.length);
  const indices = new Float64Array(x.v.length);
  const lines = x.shape.map((s, d) => (d === a ? 1 : s));
  for (let o = 0; o < size(lines); o++) {
    const idx = unravel(o, lines);
    let best = NaN;
    let at = -1;
    for (let k = 0; k < x.shape[a]; k++) {
      const p = ravel(idx.map((c, d) => (d === a ? k : c)), x.shape);
      const v = x.v[p];
      if (k === 0 || Number.isNaN(v) || (!Number.isNaN(best) && better(v, best))) (best = v), (at = k);
      values[p] = best;
      indices[p] = at;
    }
  }
  return { values, indices };
}

describe.each(BACKENDS)('running extremes on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it.each([[[7], 0], [[1], 0], [[13, 31], 1], [[13, 31], 0], [[3, 129, 2], 1], [[3, 4, 5], -1], [[4, 0], 1]] as [number[], number][])('cummax and cummin of %j along %i are torch\'s, ties to the later position, NaN kept, in every dtype', async (shape, axis) => {
    const a = (axis + shape.length) % shape.length;
    for (const dtype of tm.DTYPES) {
      const x = f64(shape, randomInts(size(shape), -5, 5));
      if (dtype === 'f32' || dtype === 'f16') for (let i = 0; i < x.v.length; i++) if (Math.random() < 0.05) x.v[i] = NaN;
      for (const [name, op, better] of [['cummax', tm.cummax, (v: number, b: number) => v >= b], ['cummin', tm.cummin, (v: number, b: number) => v <= b]] as const) {
        const { values, indices } = op(tm.tensor(x.v, shape, { dtype }), axis);
        const want = runningRef(x, a, better);
        expect([values.shape, values.dtype, indices.shape, indices.dtype]).toEqual([shape, dtype, shape, 'i32']);
        expectExact(await indices.data(), want.indices, `${name} ${dtype} indices`);
        expectExact(await values.data(), want.values, `${name} ${dtype} values`);
      }
    }
  });

  it('their gradient goes to the entries picked, each as many times as it was', async () => {
    const x = tm.tensor([[1, 3, 2, 5], [4, 4, 1, 0]]);
    x.requiresGrad = true;
    tm.tidy(() => tm.cummax(x, 1).values.mul(tm.tensor([[1, 10, 100, 1000], [1, 10, 100, 1000]])).sum()).backward();
    expect(await x.grad!.array()).toEqual([[1, 110, 0, 1000], [1, 1110, 0, 0]]);
    expect(() => tm.cummax(tm.scalar(1))).toThrow(new tm.ShapeError('cummax: x is a scalar: there is no axis to run along'));
  });
});
