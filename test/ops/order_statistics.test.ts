// quantile, nanquantile, median, nanmedian, kthvalue and mode on every backend
// against float64 references written here from NumPy's and PyTorch's
// definitions: every method, lists of q, odd sizes, ties, NaN (a NaN line,
// an all-NaN line), whole positions that f32 rounds just below (0.7 · 10),
// keepDims and the flattened default, f16 and ints; gradients to the values
// picked; bad input refused by name.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { roundHalfEven } from '../../src/round.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, expectExact, randomInts, uniform } from '../helpers/data.js';
import { f64, ravel, size, unravel, type F64 } from '../helpers/float64.js';

const METHODS: tm.QuantileMethod[] = ['linear', 'lower', 'higher', 'nearest', 'midpoint'];

/** np.quantile / np.nanquantile of one line of values, in float64. */
function quantileRef(line: number[], q: number, method: tm.QuantileMethod, skipNaN: boolean): number {
  if (!skipNaN && line.some(Number.isNaN)) return NaN;
  const v = line.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (!v.length) return NaN;
  const at = q * (v.length - 1);
  const [lo, hi] = [Math.floor(at), Math.ceil(at)];
  // NumPy's _lerp: from the nearer end.
  const lerp = (a: number, b: number, t: number) => (t < 0.5 ? a + (b - a) * t : b - (b - a) * (1 - t));
  switch (method) {
    case 'linear': return lerp(v[lo], v[hi], at - lo);
    case 'lower': return v[lo];
    case 'higher': return v[hi];
    case 'nearest': return v[roundHalfEven(at)];
    case 'midpoint': return lo === hi ? v[lo] : lerp(v[lo], v[hi], 0.5);
  }
}

/** x's lines along `a` (all of x as one line without an axis), in the order of the reduced result. */
function lines(x: F64, a: number | undefined): number[][] {
  if (a === undefined) return [[...x.v]];
  const outShape = x.shape.filter((_, d) => d !== a);
  return Array.from({ length: size(outShape) }, (_, o) => {
    const idx = unravel(o, outShape);
    return Array.from({ length: x.shape[a] }, (_, k) => x.v[ravel([...idx.slice(0, a), k, ...idx.slice(a)], x.shape)]);
  });
}

/** The reference of quantile(x, qs, { axis, method }) without keepDims: q's axis first where qs is a list. */
function quantilesRef(x: F64, qs: number[], a: number | undefined, method: tm.QuantileMethod, skipNaN: boolean): Float64Array {
  return Float64Array.from(qs.flatMap((q) => lines(x, a).map((line) => quantileRef(line, q, method, skipNaN))));
}

/** Values with ties (whole numbers from a small range) or without, some lines given NaNs and one line all NaN. */
function withNaN(shape: number[], a: number, ties: boolean): F64 {
  const x = f64(shape, ties ? randomInts(size(shape), -6, 6) : asF32(uniform(size(shape), -100, 100)));
  for (let i = 0; i < x.v.length; i++) if (Math.random() < 0.15) x.v[i] = NaN;
  // The first line along `a` all NaN.
  for (let k = 0; k < shape[a]; k++) x.v[ravel(shape.map((_, d) => (d === a ? k : 0)), shape)] = NaN;
  return x;
}

describe.each(BACKENDS)('order statistics on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  describe('quantile', () => {
    it.each([
      [[7], 0], [[1], 0], [[2], -1], [[13, 31], 1], [[13, 31], 0], [[127, 129], 1], [[3, 1, 5], 2], [[3, 4, 5], 1], [[4, 6], undefined], [[5, 2, 3], undefined],
    ] as [number[], number | undefined][])('x %j along %s: np.quantile by every method, q a number and a list, with ties and without', async (shape, axis) => {
      const a = axis === undefined ? undefined : (axis + shape.length) % shape.length;
      for (const ties of [false, true]) {
        const x = f64(shape, ties ? randomInts(size(shape), -4, 4) : asF32(uniform(size(shape), -100, 100)));
        const t = tm.tensor(x.v, shape);
        for (const method of METHODS) {
          const qs = [0, 0.25, 0.5, 0.7, 1, 1 / 3, 0.999];
          const many = tm.quantile(t, qs, { axis, method });
          const reduced = a === undefined ? [] : shape.filter((_, d) => d !== a);
          expect(many.shape).toEqual([qs.length, ...reduced]);
          // Values up to 100 in f32: the lerp's rounding is relative to them, not to the result.
          const magnitude = (want: Float64Array) => want.map(() => 100);
          const wantMany = quantilesRef(x, qs, a, method, false);
          expectClose(await many.data(), wantMany, 1e-6, `quantile ${method}${ties ? ' with ties' : ''}`, magnitude(wantMany));
          const one = tm.quantile(t, 0.3, { axis, method });
          expect(one.shape).toEqual(reduced);
          const wantOne = quantilesRef(x, [0.3], a, method, false);
          expectClose(await one.data(), wantOne, 1e-6, `quantile 0.3 ${method}`, magnitude(wantOne));
        }
      }
    });

    it('is NaN along a line holding a NaN; keepDims keeps the axis (every axis without one) as 1', async () => {
      const x = tm.tensor([[1, NaN, 3], [4, 5, 6]]);
      expect(await tm.quantile(x, 0.5, { axis: 1 }).array()).toEqual([NaN, 5]);
      expect(await tm.quantile(x, [0.5], { axis: 1, keepDims: true }).array()).toEqual([[[NaN], [5]]]);
      expect(await tm.quantile(x, 0.5, { axis: 0, keepDims: true }).array()).toEqual([[2.5, NaN, 4.5]]);
      expect(await tm.quantile(x, 1, { keepDims: true }).array()).toEqual([[NaN]]);
      expect(tm.quantile(tm.ones([2, 3, 4]), 0.1, { keepDims: true }).shape).toEqual([1, 1, 1]);
    });

    it('takes whole positions as whole: q 0.7 of 11 values is the 8th, by "lower" too (f32 would make 0.7 · 10 just below 7)', async () => {
      const values = tm.tensor([10, 0, 9, 1, 8, 2, 7, 3, 6, 4, 5]);
      for (const method of METHODS) expect(await tm.quantile(values, 0.7, { method }).item()).toBe(7);
      for (const method of METHODS) expect(await tm.nanquantile(tm.concat([values, tm.tensor([NaN, NaN])]), 0.7, { method }).item()).toBe(7);
    });

    it('reads ints as f32 and keeps f16 in f16', async () => {
      const ints = tm.tensor(new Int32Array([7, -3, 12, 5]), [4]);
      expect([tm.quantile(ints, 0.5).dtype, await tm.quantile(ints, 0.5).item()]).toEqual(['f32', 6]);
      expect(await tm.median(tm.tensor(new Int8Array([-128, 127, 3]), [3])).item()).toBe(3);
      const half = tm.tensor([1.5, 2.5, -4, 8], [4], { dtype: 'f16' });
      const q = tm.quantile(half, [0.25, 0.5], {});
      expect([q.dtype, await q.array()]).toEqual(['f16', [0.125, 2]]); // lerp(-4, 1.5, 0.75) from the nearer end: 1.5 − 5.5 · 0.25
      // A count past 2048 (f16's last run of whole numbers) still picks the right value.
      const long = tm.tensor(Float64Array.from({ length: 4001 }, (_, i) => (i * 7) % 4001), [4001], { dtype: 'f32' }).cast('f16');
      expect(await tm.quantile(long, 0.75, { method: 'lower' }).item()).toBe(3000);
    });

    it('its gradient: 1 − t to the lower value picked and t to the higher (values distinct)', async () => {
      const shape = [6, 9];
      const v = asF32(uniform(size(shape), -10, 10));
      const x = tm.tensor(v, shape);
      x.requiresGrad = true;
      const r = asF32(uniform(6));
      tm.tidy(() => tm.quantile(x, 0.3, { axis: 1 }).mul(tm.tensor(r, [6])).sum()).backward();
      const want = new Float64Array(size(shape));
      for (let row = 0; row < 6; row++) {
        const order = [...Array(9).keys()].sort((i, j) => v[row * 9 + i] - v[row * 9 + j]);
        const at = 0.3 * 8;
        want[row * 9 + order[Math.floor(at)]] += r[row] * (1 - (at - Math.floor(at)));
        want[row * 9 + order[Math.ceil(at)]] += r[row] * (at - Math.floor(at));
      }
      expectClose(await x.grad!.data(), want, 1e-6, 'quantile gradient');
    });
  });

  describe('nanquantile', () => {
    it.each([[[7], 0], [[13, 31], 1], [[13, 31], 0], [[127, 129], 1], [[3, 4, 5], 2], [[6, 5], undefined]] as [number[], number | undefined][])(
      'x %j along %s with NaNs (a line all NaN): np.nanquantile by every method',
      async (shape, axis) => {
        const a = axis ?? 0;
        for (const ties of [false, true]) {
          const x = withNaN(shape, a, ties);
          const t = tm.tensor(x.v, shape);
          for (const method of METHODS) {
            const qs = [0, 0.1, 0.5, 0.7, 1];
            // Each line's position q·(count − 1) is worked out in f32 (as PyTorch does): off by up to 2^-23 of it,
            // which moves the value by as much times the gap between the two values picked (at most the range).
            const want = quantilesRef(x, qs, axis === undefined ? undefined : a, method, true);
            const n = axis === undefined ? size(shape) : shape[a];
            expectClose(await tm.nanquantile(t, qs, { axis, method }).data(), want, 1e-6, `nanquantile ${method}${ties ? ' with ties' : ''}`, want.map(() => 0.12 * n * (ties ? 12 : 200)));
          }
        }
      },
    );
  });

  describe('median and nanmedian', () => {
    it('are np.median and np.nanmedian: the mean of the two middle values of an even count', async () => {
      for (const shape of [[8], [7], [13, 31], [4, 6]]) {
        const x = withNaN(shape, shape.length - 1, false);
        const clean = f64(shape, asF32(uniform(size(shape), -5, 5)));
        for (const axis of [undefined, shape.length - 1, 0]) {
          const a = axis;
          // Rounding relative to the values' size (5, 100), not the median's.
          const scaled = (want: Float64Array, by: number) => [want, want.map(() => by)] as const;
          const [clean5, by5] = scaled(quantilesRef(clean, [0.5], a, 'linear', false), 5);
          expectClose(await tm.median(tm.tensor(clean.v, shape), { axis }).data(), clean5, 1e-6, 'median', by5);
          const [skipping, by100] = scaled(quantilesRef(x, [0.5], a, 'linear', true), 100);
          expectClose(await tm.nanmedian(tm.tensor(x.v, shape), { axis }).data(), skipping, 1e-6, 'nanmedian', by100);
          const [withNaNs] = scaled(quantilesRef(x, [0.5], a, 'linear', false), 100);
          expectClose(await tm.median(tm.tensor(x.v, shape), { axis }).data(), withNaNs, 1e-6, 'median with NaN', by100.slice(0, withNaNs.length));
        }
      }
      expect(await tm.median(tm.tensor([4, 1, 3, 2])).item()).toBe(2.5);
      expect(await tm.quantile(tm.tensor([4, 1, 3, 2]), 0.5, { method: 'lower' }).item()).toBe(2); // torch.median's
      expect(tm.median(tm.ones([2, 3]), { axis: 1, keepDims: true }).shape).toEqual([2, 1]);
    });
  });

  describe('kthvalue', () => {
    it.each([[[7], 3, -1], [[1], 1, 0], [[13, 31], 31, 1], [[13, 31], 1, 0], [[127, 129], 64, 1], [[3, 4, 5], 2, 1]])('x %j, k %i along %i: torch.kthvalue, ties by position, NaN largest', async (shape, k, axis) => {
      const a = (axis + shape.length) % shape.length;
      const x = f64(shape, randomInts(size(shape), -5, 5));
      for (let i = 0; i < x.v.length; i++) if (Math.random() < 0.1) x.v[i] = NaN;
      const { values, indices } = tm.kthvalue(tm.tensor(x.v, shape), k, { axis });
      const reduced = shape.filter((_, d) => d !== a);
      expect([values.shape, indices.shape, indices.dtype]).toEqual([reduced, reduced, 'i32']);
      const order = lines(x, a).map((line) => [...line.keys()].sort((i, j) => {
        const [u, v] = [line[i], line[j]];
        if (Number.isNaN(u) || Number.isNaN(v)) return Number.isNaN(u) === Number.isNaN(v) ? i - j : Number.isNaN(u) ? 1 : -1;
        return u - v || i - j;
      })[k - 1]);
      expectExact(await indices.data(), Float64Array.from(order), 'kthvalue indices');
      expectExact(await values.data(), Float64Array.from(lines(x, a).map((line, o) => line[order[o]])), 'kthvalue values');
      expect(tm.kthvalue(tm.tensor(x.v, shape), k, { axis, keepDims: true }).values.shape).toEqual(shape.map((s, d) => (d === a ? 1 : s)));
    });

    it('its gradient goes to the entry picked', async () => {
      const x = tm.tensor([[5, 1, 4], [2, 8, 6]]);
      x.requiresGrad = true;
      tm.tidy(() => tm.kthvalue(x, 2).values.mul(tm.tensor([10, 100])).sum()).backward();
      expect(await x.grad!.array()).toEqual([[0, 0, 10], [0, 0, 100]]);
    });
  });

  describe('mode', () => {
    /** torch.mode of one line: the most frequent value (NaNs one value, the largest), the smallest of equals, and its last position. */
    function modeRef(line: number[]): [number, number] {
      const same = (u: number, v: number) => u === v || (Number.isNaN(u) && Number.isNaN(v));
      const counts = line.map((v) => line.filter((w) => same(v, w)).length);
      const most = Math.max(...counts);
      const value = line.filter((_, i) => counts[i] === most).sort((u, v) => (Number.isNaN(u) ? 1 : Number.isNaN(v) ? -1 : u - v))[0];
      return [value, line.reduce((last, v, i) => (same(v, value) ? i : last), -1)];
    }

    it.each([[[7], -1], [[1], 0], [[13, 31], 1], [[13, 31], 0], [[127, 129], 1], [[3, 4, 5], 1]])('x %j along %i: the most frequent value, the smallest of equals, its last position; NaNs count as one value', async (shape, axis) => {
      const a = (axis + shape.length) % shape.length;
      const x = f64(shape, randomInts(size(shape), -4, 4));
      for (let i = 0; i < x.v.length; i++) if (Math.random() < 0.15) x.v[i] = NaN;
      for (const dtype of ['f32', 'i32'] as const) {
        const values = dtype === 'f32' ? x.v : x.v.map((v) => (Number.isNaN(v) ? 9 : v));
        const { values: got, indices } = tm.mode(tm.tensor(values, shape, { dtype }), { axis });
        const reduced = shape.filter((_, d) => d !== a);
        expect([got.shape, got.dtype, indices.shape, indices.dtype]).toEqual([reduced, dtype, reduced, 'i32']);
        const want = lines(f64(shape, values), a).map(modeRef);
        expectExact(await got.data(), Float64Array.from(want.map(([v]) => v)), `mode values (${dtype})`);
        expectExact(await indices.data(), Float64Array.from(want.map(([, i]) => i)), `mode indices (${dtype})`);
      }
      expect(tm.mode(tm.tensor(x.v, shape), { axis, keepDims: true }).values.shape).toEqual(shape.map((s, d) => (d === a ? 1 : s)));
    });

    it('its gradient goes to the entry whose value is the mode, at the position returned', async () => {
      const x = tm.tensor([[5, 1, 5, 4], [2, 8, 8, 2]]);
      x.requiresGrad = true;
      const { values, indices } = tm.mode(x);
      expect([await values.array(), await indices.array()]).toEqual([[5, 2], [2, 3]]);
      tm.tidy(() => values.mul(tm.tensor([10, 100])).sum()).backward();
      expect(await x.grad!.array()).toEqual([[0, 0, 10, 0], [0, 0, 0, 100]]);
      expect(() => tm.mode(tm.zeros([2, 0]))).toThrow(new tm.ShapeError('mode: x [2,0] has no values along axis -1 to count'));
      expect(() => tm.mode(tm.scalar(1))).toThrow(new tm.ShapeError('mode: x is a scalar: there is no axis to count along'));
    });
  });

  it('refuses bad input by name', () => {
    const x = tm.ones([2, 3]);
    expect(() => tm.quantile(x, 1.5)).toThrow(new tm.ValueError('quantile: q must be a number in [0, 1] or an array of them, got 1.5'));
    expect(() => tm.nanquantile(x, [0.5, NaN])).toThrow('nanquantile: q must be a number in [0, 1] or an array of them, got [0.5, NaN]');
    expect(() => tm.quantile(x, 0.5, { method: 'cubic' as tm.QuantileMethod })).toThrow('quantile: method must be one of linear, lower, higher, nearest, midpoint, got "cubic"');
    expect(() => tm.quantile(x, 0.5, { axis: 2 })).toThrow('quantile: axis 2 is out of range for a tensor of rank 2');
    expect(() => tm.median(tm.zeros([2, 0]), { axis: 1 })).toThrow(new tm.ShapeError('median: x [2,0] has no values along axis 1 to take a quantile of'));
    expect(() => tm.median(x, { method: 'lower' } as tm.MedianOptions)).toThrow('median');
    expect(() => tm.kthvalue(x, 4)).toThrow(new tm.ValueError('kthvalue: k must be an integer in [1, 3] (the size of axis -1 of x [2,3]), got 4'));
    expect(() => tm.kthvalue(tm.scalar(1), 1)).toThrow(new tm.ShapeError('kthvalue: x is a scalar: there is no axis to order along'));
  });
});
