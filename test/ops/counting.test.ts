// unique and bincount on every backend against counts kept in plain objects
// here: unique's values sorted (NaN last, one NaN as NumPy's equal_nan) or in
// order of first appearance, its inverse rebuilding x, its counts; slices
// along an axis, sorted lexicographically, with the gradient of the gather
// that picks them; bincount with and without weights and minlength. Every
// dtype, odd and empty shapes.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { collected } from '../helpers/gc.js';
import { asDType, expectClose, expectExact, randomInts, uniform } from '../helpers/data.js';

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Values with many repeats: a few levels, and for floats NaNs, ±∞ and −0 beside 0. */
function repeating(dtype: tm.DType, n: number): Float64Array {
  const v = randomInts(n, -4, 4).map((k) => (dtype === 'i8' || dtype === 'i32' ? k * 31 : k / 4));
  if (dtype === 'f32' || dtype === 'f16') {
    for (let i = 3; i < n; i += 7) v[i] = NaN;
    if (n > 5) [v[0], v[1], v[5]] = [-0, Infinity, -Infinity];
  }
  return asDType(v, dtype);
}

/** The distinct values in order of first appearance (NaN one value; −0 and 0 one, the first standing for both). */
function firstAppearances(v: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (const x of Array.from(v)) if (!out.some((y) => y === x || (Number.isNaN(y) && Number.isNaN(x)))) out.push(x);
  return out;
}

const same = (a: number, b: number): boolean => a === b || (Number.isNaN(a) && Number.isNaN(b));

describe.each(BACKENDS)('counting on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  describe('unique', () => {
    it.each((['f32', 'f16', 'i32', 'i8'] as tm.DType[]).flatMap((dtype) => [[], [1], [7], [13, 5], [3, 1, 7], [0, 2]].map((shape) => ({ dtype, shape }))))(
      '$dtype $shape',
      async ({ dtype, shape }) => {
        const v = repeating(dtype, size(shape));
        const x = tm.tensor(v, shape, { dtype });
        const appearances = firstAppearances(v);
        const ascending = [...appearances].sort((a, b) => (Number.isNaN(a) ? 1 : Number.isNaN(b) ? -1 : a - b));
        for (const sorted of [true, false]) {
          const want = sorted ? ascending : appearances;
          const before = await collected();
          const plain = await tm.unique(x, { sorted });
          expect(plain.dtype).toBe(dtype);
          expectExact(await plain.data(), want, `sorted ${sorted}`);
          const { values, inverse, counts } = await tm.unique(x, { sorted, returnInverse: true, returnCounts: true });
          expect(await collected()).toBe(before + 4);
          expectExact(await values.data(), want);
          expect(inverse!.shape).toEqual(shape);
          expectExact(await inverse!.data(), Array.from(v, (e) => want.findIndex((w) => same(w, e))));
          expectExact(await counts!.data(), want.map((w) => Array.from(v).filter((e) => same(w, e)).length));
          for (const t of [plain, values, inverse!, counts!]) t.dispose();
        }
        const onlyCounts = await tm.unique(x, { returnCounts: true });
        expect(onlyCounts.inverse).toBeUndefined();
        onlyCounts.values.dispose();
        onlyCounts.counts!.dispose();
        x.dispose();
      },
    );

    it.each([
      { shape: [9, 3], axis: 0 }, { shape: [2, 7, 3], axis: 1 }, { shape: [4, 13], axis: -1 }, { shape: [1], axis: 0 }, { shape: [0, 5], axis: 0 },
    ])('slices of $shape along axis $axis', async ({ shape, axis }) => {
      const a = axis < 0 ? axis + shape.length : axis;
      const n = shape[a];
      // Slices drawn from three candidates, so some repeat; one holds NaN, and their last entries differ, so they do.
      const length = size(shape) / Math.max(n, 1);
      const candidates = [0, 1, 2].map((c) => uniform(length).map((e, i) => (c === 2 && i === 0 ? NaN : i === length - 1 ? 10 * c : Math.round(e))));
      const pick = Array.from(randomInts(n, 0, 2));
      const inner = size(shape.slice(a + 1));
      const v = new Float64Array(size(shape));
      for (let i = 0; i < v.length; i++) {
        const j = Math.floor(i / inner) % n;
        const outer = Math.floor(i / (inner * n));
        v[i] = candidates[pick[j]][outer * inner + (i % inner)];
      }
      const x = tm.tensor(v, shape);
      x.requiresGrad = true;
      const { values, inverse, counts } = await tm.unique(x, { axis, returnInverse: true, returnCounts: true });
      // Slices are the same candidate exactly when their picks are, so distinct picks in ascending slice order are the answer.
      const distinct = [...new Set(pick)];
      const lexicographic = (p: number, q: number): number => {
        for (let i = 0; i < candidates[p].length; i++) {
          const [e, f] = [candidates[p][i], candidates[q][i]];
          if (same(e, f)) continue;
          return Number.isNaN(e) ? 1 : Number.isNaN(f) ? -1 : e - f;
        }
        return 0;
      };
      distinct.sort(lexicographic);
      expect(values.shape).toEqual(shape.map((d, i) => (i === a ? distinct.length : d)));
      const want = new Float64Array(values.size);
      for (let i = 0; i < want.length; i++) {
        const j = Math.floor(i / inner) % distinct.length;
        const outer = Math.floor(i / (inner * distinct.length));
        want[i] = candidates[distinct[j]][outer * inner + (i % inner)];
      }
      expectExact(await values.data(), want);
      expectExact(await inverse!.data(), pick.map((c) => distinct.indexOf(c)));
      expectExact(await counts!.data(), distinct.map((c) => pick.filter((p) => p === c).length));
      // The slices are gathered: each picked slice (the first of its kind) gets the gradient.
      if (values.size > 0) {
        tm.tidy(() => values.sum()).backward();
        const firsts = distinct.map((c) => pick.indexOf(c));
        expectExact(await x.grad!.data(), Array.from(v, (_, i) => (firsts.includes(Math.floor(i / inner) % n) ? 1 : 0)));
      }
      for (const t of [x, values, inverse!, counts!]) t.dispose();
    });

    it('refuses an axis of a scalar or out of range', async () => {
      await expect(tm.unique(tm.scalar(1), { axis: 0 })).rejects.toThrow('unique: x is a scalar: there is no axis to compare slices along');
      await expect(tm.unique(tm.zeros([2, 3]), { axis: 2 })).rejects.toThrow(/unique: .*axis 2/);
    });

    it('refuses unknown options', async () => {
      await expect(tm.unique(tm.zeros([3]), { dim: 0 } as never)).rejects.toThrow(/unique.*dim/);
    });
  });

  describe('uniqueConsecutive', () => {
    it.each((['f32', 'f16', 'i32', 'i8'] as tm.DType[]).flatMap((dtype) => [[], [1], [9], [13, 5], [0, 2]].map((shape) => ({ dtype, shape }))))(
      '$dtype $shape: each run of equal values once, with run lengths and each entry\'s run (torch.unique_consecutive)',
      async ({ dtype, shape }) => {
        // Entries copied from their neighbours, so that equal values come in runs.
        const base = repeating(dtype, size(shape));
        const v = asDType(Float64Array.from(base, (_, i) => base[Math.floor(i / 3) * 3 + (i % 3 === 2 ? 1 : 0)] ?? base[i]), dtype);
        const runs: number[] = [];
        const lengths: number[] = [];
        const inverse: number[] = [];
        for (const e of Array.from(v)) {
          if (runs.length === 0 || !same(runs[runs.length - 1], e)) (runs.push(e), lengths.push(0));
          lengths[lengths.length - 1]++;
          inverse.push(runs.length - 1);
        }
        const x = tm.tensor(v, shape, { dtype });
        expectExact(await (await tm.uniqueConsecutive(x)).data(), runs);
        const { values, inverse: inv, counts } = await tm.uniqueConsecutive(x, { returnInverse: true, returnCounts: true });
        expect([values.dtype, inv!.shape]).toEqual([dtype, shape]);
        expectExact(await values.data(), runs);
        expectExact(await inv!.data(), inverse);
        expectExact(await counts!.data(), lengths);
      },
    );

    it('along an axis keeps each run of equal slices once, gathered with a gradient', async () => {
      const x = tm.tensor([[1, 1, 2, 2, 1], [3, 3, 4, 4, 3]]);
      x.requiresGrad = true;
      const { values, counts } = await tm.uniqueConsecutive(x, { axis: 1, returnCounts: true });
      expect([await values.array(), await counts!.array()]).toEqual([[[1, 2, 1], [3, 4, 3]], [2, 2, 1]]);
      values.sum().backward();
      expect(await x.grad!.array()).toEqual([[1, 0, 1, 0, 1], [1, 0, 1, 0, 1]]);
      await expect(tm.uniqueConsecutive(tm.scalar(1), { axis: 0 })).rejects.toThrow('uniqueConsecutive: x is a scalar: there is no axis to compare slices along');
    });
  });

  describe('bincount', () => {
    it.each([
      { dtype: 'i32', n: 1, top: 0 }, { dtype: 'i32', n: 7, top: 3 }, { dtype: 'i8', n: 13, top: 127 }, { dtype: 'i32', n: 1000, top: 57 }, { dtype: 'i8', n: 0, top: 5 },
    ] as { dtype: tm.DType; n: number; top: number }[])('$dtype [$n] of values up to $top', async ({ dtype, n, top }) => {
      const v = randomInts(n, 0, top);
      const w = asDType(uniform(n), 'f32');
      const x = tm.tensor(v, [n], { dtype });
      const weights = tm.tensor(w, [n]);
      for (const minlength of [0, 9, 200]) {
        const bins = Math.max(minlength, n === 0 ? 0 : Math.max(...v) + 1);
        const [counts, sums] = [new Float64Array(bins), new Float64Array(bins)];
        v.forEach((k, i) => {
          counts[k]++;
          sums[k] += w[i];
        });
        const got = await tm.bincount(x, { minlength });
        expect(got.dtype).toBe('i32');
        expectExact(await got.data(), counts, `minlength ${minlength}`);
        const weighed = await tm.bincount(x, { weights, minlength });
        expect(weighed.dtype).toBe('f32');
        expectClose(await weighed.data(), sums, 1e-6, `weights, minlength ${minlength}`);
        got.dispose();
        weighed.dispose();
      }
      x.dispose();
      weights.dispose();
    });

    it('refuses floats, other ranks, negatives, mismatched weights and a bad minlength', async () => {
      const bad = (x: tm.Tensor, options: tm.BincountOptions, message: string) => expect(tm.bincount(x, options)).rejects.toThrow(message);
      const ints = tm.tensor([1, 0, 2], [3], { dtype: 'i32' });
      await bad(tm.zeros([3]), {}, 'bincount: x must hold integers (i32 or i8), got f32');
      await bad(tm.zeros([2, 2], { dtype: 'i32' }), {}, 'bincount: x must be 1-D, got [2,2]');
      await bad(tm.tensor([1, -3, 2], [3], { dtype: 'i32' }), {}, 'bincount: x must be non-negative, got -3 at index 1');
      await bad(ints, { weights: tm.zeros([4]) }, 'bincount: weights [4] must be 1-D with one weight per entry of x [3]');
      await bad(ints, { weights: tm.zeros([3], { dtype: 'i32' }) }, 'bincount: weights must be a float tensor, got i32');
      await bad(ints, { minlength: -1 }, 'bincount: minlength must be a non-negative integer, got -1');
      await bad(ints, { minlength: 1.5 }, 'bincount: minlength must be a non-negative integer, got 1.5');
    });
  });
});
