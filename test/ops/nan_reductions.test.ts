// The NaN-skipping reductions (nansum, nanmean, nanprod, nanmax, nanmin,
// nanvar, nanstd) on every backend against float64 reductions that skip
// NaN: every kind of axes, keepDims, a slice all NaN (0, 1 or NaN, as
// NumPy), f16 (means and variances in f32), ints (the plain reductions);
// gradients 0 at the NaNs. Their elementwise kin fmax and fmin against
// NumPy's rule written out: the number where one of the two is NaN.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, randomInts, uniform } from '../helpers/data.js';
import { f64, reduceAxes, size, type F64 } from '../helpers/float64.js';

/** Values with about one in five NaN, and the first slice along axis 0 all NaN. */
function withNaN(shape: number[], values: Float64Array): F64 {
  const v = Float64Array.from(values, (x) => (Math.random() < 0.2 ? NaN : x));
  for (let i = 0; i < size(shape.slice(1)); i++) v[i] = NaN;
  return f64(shape, v);
}

/** The flat position, in the reduced (keepDims) shape, of x's entry i. */
function slotOf(i: number, shape: number[], list: number[]): number {
  let slot = 0;
  let rest = i;
  const coords = shape.map(() => 0);
  for (let d = shape.length - 1; d >= 0; d--) [coords[d], rest] = [rest % shape[d], Math.floor(rest / shape[d])];
  shape.forEach((n, d) => (slot = slot * (list.includes(d) ? 1 : n) + (list.includes(d) ? 0 : coords[d])));
  return slot;
}

const axesList = (axes: number | number[] | undefined, rank: number) => (axes === undefined ? [...Array(rank).keys()] : [axes].flat().map((a) => (a + rank) % rank));

describe.each(BACKENDS)('NaN-skipping reductions on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it.each([
    [[7], undefined], [[7], 0], [[13, 31], 1], [[13, 31], 0], [[3, 4, 5], [0, 2]], [[3, 4, 5], -1], [[127, 129], undefined], [[127, 129], 0],
  ] as [number[], number | number[] | undefined][])('x %j over %j: np.nansum and np.nanmean, with keepDims too, in f32 and f16', async (shape, axes) => {
    const list = axesList(axes, shape.length);
    for (const dtype of ['f32', 'f16'] as const) {
      const x = withNaN(shape, dtype === 'f32' ? asF32(uniform(size(shape))) : randomInts(size(shape), -8, 8));
      const sumRef = reduceAxes(x, list, 0, (acc, v) => (Number.isNaN(v) ? acc : acc + v));
      const countRef = reduceAxes(x, list, 0, (acc, v) => (Number.isNaN(v) ? acc : acc + 1));
      const meanRef = sumRef.v.map((s, i) => s / countRef.v[i]);
      const t = tm.tensor(x.v, shape, { dtype });
      const s = tm.nansum(t, axes);
      expect([s.shape, s.dtype]).toEqual([sumRef.shape, dtype]);
      const magnitudes = reduceAxes(x, list, 0, (acc, v) => (Number.isNaN(v) ? acc : acc + Math.abs(v))).v;
      expectClose(await s.data(), sumRef.v, dtype === 'f32' ? 1e-6 : 0, `nansum ${dtype}`, magnitudes);
      const m = tm.nanmean(t, axes);
      expect([m.shape, m.dtype]).toEqual([sumRef.shape, dtype]);
      expectClose(await m.data(), meanRef, dtype === 'f32' ? 1e-6 : 2e-3, `nanmean ${dtype}`, magnitudes.map((v, i) => v / countRef.v[i]));
      const kept = shape.map((d, i) => (list.includes(i) ? 1 : d));
      expect([tm.nansum(t, axes, { keepDims: true }).shape, tm.nanmean(t, axes, { keepDims: true }).shape]).toEqual([kept, kept]);
    }
  });

  it.each([
    [[7], undefined], [[13, 31], 1], [[13, 31], 0], [[3, 4, 5], [0, 2]], [[127, 129], undefined],
  ] as [number[], number | number[] | undefined][])('x %j over %j: np.nanprod, nanmax, nanmin, nanvar and nanstd (ddof 0 and 1), in f32 and f16', async (shape, axes) => {
    const list = axesList(axes, shape.length);
    for (const dtype of ['f32', 'f16'] as const) {
      // Values near 1, so that products over 129 stay in range.
      const x = withNaN(shape, dtype === 'f32' ? asF32(uniform(size(shape), 0.9, 1.1)) : randomInts(size(shape), -8, 8));
      const t = tm.tensor(x.v, shape, { dtype });
      const skip = (init: number, f: (acc: number, v: number) => number) => reduceAxes(x, list, init, (acc, v) => (Number.isNaN(v) ? acc : f(acc, v)));
      const count = skip(0, (acc) => acc + 1).v;
      const nothing = (v: Float64Array) => v.map((y, i) => (count[i] === 0 ? NaN : y));
      const mean = skip(0, (acc, v) => acc + v).v.map((s, i) => s / count[i]);
      // Σ(x − mean)² per slice, each entry's deviation from the mean of the slice it lands in.
      const keptShape = shape.map((d, i) => (list.includes(i) ? 1 : d));
      const deviations = x.v.map((v, i) => (v - mean[slotOf(i, shape, list)]) ** 2);
      const sq = reduceAxes(f64(shape, deviations), list, 0, (acc, v) => (Number.isNaN(v) ? acc : acc + v)).v;
      if (dtype === 'f32') expectClose(await tm.nanprod(t, axes).data(), skip(1, (acc, v) => acc * v).v, 1e-5, 'nanprod');
      expectClose(await tm.nanmax(t, axes).data(), nothing(skip(-Infinity, Math.max).v), 0, `nanmax ${dtype}`);
      expectClose(await tm.nanmin(t, axes).data(), nothing(skip(Infinity, Math.min).v), 0, `nanmin ${dtype}`);
      for (const correction of [0, 1]) {
        const variance = sq.map((s, i) => s / Math.max(count[i] - correction, 0));
        const tol = dtype === 'f32' ? 1e-5 : 2e-3;
        expectClose(await tm.nanvar(t, axes, { correction }).data(), variance, tol, `nanvar ${dtype} ${correction}`);
        expectClose(await tm.nanstd(t, axes, { correction }).data(), variance.map(Math.sqrt), tol, `nanstd ${dtype} ${correction}`);
      }
      expect(tm.nanmax(t, axes, { keepDims: true }).shape).toEqual(keptShape);
    }
  });

  it('nanmax and nanmin pass their gradient to the largest and smallest numbers, none to a NaN', async () => {
    const x = tm.tensor([[1, NaN, 3], [NaN, NaN, NaN], [7, 9, -2]]);
    x.requiresGrad = true;
    tm.tidy(() => tm.nansum(tm.nanmax(x, 1).add(tm.nanmin(x, 1)))).backward();
    expect(await x.grad!.array()).toEqual([[1, 0, 1], [0, 0, 0], [0, 1, 1]]);
  });

  it('an all-NaN slice sums to 0 and has mean NaN; ints have no NaN and reduce as sum and mean do', async () => {
    const x = tm.tensor([[NaN, NaN], [1, NaN]]);
    expect(await tm.nansum(x, 1).array()).toEqual([0, 1]);
    expect(await tm.nanmean(x, 1).array()).toEqual([NaN, 1]);
    const ints = tm.tensor(new Int32Array([1, 2, 3, 4]), [2, 2]);
    expect([tm.nansum(ints, 0).dtype, await tm.nansum(ints, 0).array()]).toEqual(['i32', [4, 6]]);
    expect([tm.nanmean(ints).dtype, await tm.nanmean(ints).item()]).toEqual(['f32', 2.5]);
  });

  it('their gradients are 0 at the NaNs: 1 elsewhere for nansum, 1 / count for nanmean', async () => {
    const x = tm.tensor([[1, NaN, 3], [NaN, NaN, 6], [7, 8, 9]]);
    x.requiresGrad = true;
    tm.tidy(() => tm.nansum(x, 1).sum()).backward();
    expect(await x.grad!.array()).toEqual([[1, 0, 1], [0, 0, 1], [1, 1, 1]]);
    const y = tm.tensor([[1, NaN, 3], [NaN, NaN, 6], [7, 8, 9]]);
    y.requiresGrad = true;
    tm.tidy(() => tm.nanmean(y, 1).sum()).backward();
    expectClose(await y.grad!.data(), [0.5, 0, 0.5, 0, 0, 1, 1 / 3, 1 / 3, 1 / 3], 1e-7, 'nanmean gradient');
  });

  it('fmax and fmin: the larger and smaller of two, broadcast, a NaN beside a number ignored and NaN only where both are; the gradient to the one taken', async () => {
    const a = Float64Array.from(asF32(uniform(4 * 5)), (v) => (Math.random() < 0.3 ? NaN : v));
    const b = Float64Array.from(asF32(uniform(5)), (v, i) => (i === 0 ? NaN : v));
    a[0] = NaN;
    const pick = (x: number, y: number, larger: boolean) => (Number.isNaN(x) ? y : Number.isNaN(y) ? x : larger ? Math.max(x, y) : Math.min(x, y));
    for (const [f, larger] of [[tm.fmax, true], [tm.fmin, false]] as const) {
      const at = tm.tensor(Float32Array.from(a), [4, 5]);
      at.requiresGrad = true;
      const y = f(at, tm.tensor(Float32Array.from(b), [5]));
      expect(y.shape).toEqual([4, 5]);
      const want = a.map((v, i) => pick(v, b[i % 5], larger));
      expect(Array.from(await y.data()), larger ? 'fmax' : 'fmin').toEqual(Array.from(want));
      y.sum().backward();
      // a's entry gets the gradient where it is the one taken: wherever b is NaN (both NaN included, as PyTorch's), or the larger (smaller) of two numbers.
      const taken = a.map((v, i) => (Number.isNaN(b[i % 5]) ? 1 : Number.isNaN(v) ? 0 : pick(v, b[i % 5], larger) === v ? 1 : 0));
      expect(Array.from(await at.grad!.data())).toEqual(Array.from(taken));
    }
    expect(await tm.fmax(tm.tensor([1, NaN, 3], { dtype: 'f16' }), 2).array()).toEqual([2, 2, 3]);
    expect(await tm.fmin(tm.tensor([NaN]), NaN).array()).toEqual([NaN]);
    const ints = tm.fmax(tm.tensor([1, 5], { dtype: 'i32' }), tm.tensor([3, 2], { dtype: 'i32' }));
    expect([ints.dtype, await ints.array()]).toEqual(['i32', [3, 5]]);
  });
});
