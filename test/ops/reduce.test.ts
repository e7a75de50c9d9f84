// Reductions on every backend against float64 references: any list of axes
// (negative ones too), keepDims, odd sizes, empty tensors, NaN and infinities,
// ties for argmax/argmin, and every dtype; prod's gradient where zeros are.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { SEED, TOL, asF16, asF32, expectClose, expectExact, intsOf, randomInts, uniform } from '../helpers/data.js';
import { argRef, f64, map, ravel, reduceAxes, roundF16, size, unravel, wrapInt, type F64 } from '../helpers/float64.js';

type Axes = number[] | undefined;
const norm = (axes: Axes, rank: number) => (axes ?? [...Array(rank).keys()]).map((a) => (a < 0 ? a + rank : a));

type Refs = Record<'sum' | 'mean' | 'max' | 'min', F64> & { scale: Record<'sum' | 'mean' | 'max' | 'min', Float64Array> };

/**
 * The four reductions' references over `axes` (undefined: all), and the scale
 * of their rounding errors: a float sum is good to a few ulps of Σ|x|, not of
 * the (possibly much smaller) sum itself.
 */
function references(x: F64, axes: Axes, keepDims: boolean): Refs {
  const ax = norm(axes, x.shape.length);
  const count = ax.reduce((s, a) => s * x.shape[a], 1);
  const sum = reduceAxes(x, ax, 0, (s, v) => s + v, keepDims);
  const absSum = reduceAxes(x, ax, 0, (s, v) => s + Math.abs(v), keepDims).v;
  return {
    scale: { sum: absSum, mean: absSum.map((v) => v / count), max: sum.v.map(() => 0), min: sum.v.map(() => 0) },
    sum,
    mean: map(sum, (v) => v / count),
    max: reduceAxes(x, ax, -Infinity, (s, v) => (Number.isNaN(s) || Number.isNaN(v) ? NaN : Math.max(s, v)), keepDims),
    min: reduceAxes(x, ax, Infinity, (s, v) => (Number.isNaN(s) || Number.isNaN(v) ? NaN : Math.min(s, v)), keepDims),
  };
}

const CASES: [number[], Axes[]][] = [
  [[4, 5, 6], [undefined, [0], [1], [2], [0, 2], [1, 2], [0, 1, 2], [-1], [-3, -1], [2, 0]]],
  [[3, 1, 7], [undefined, [1], [0, 2], [-2]]],
  [[1, 13, 2], [undefined, [0], [1], [0, 1]]],
  [[13, 1, 31, 2], [[1, 3], [0, 2, 3], [3]]],
  [[7], [undefined, [0], [-1]]],
  [[127, 129], [[0], [1]]],
  [[], [undefined, []]],
  [[2, 3], [[]]],
];

describe.each(BACKENDS)('reductions on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  describe.each(CASES.map(([s, a]) => [s, a] as const))('of shape %j', (shape, axesList) => {
    it.each(axesList.map((a) => [a]))('sum, mean, max and min over axes %j, with and without keepDims (f32)', async (axes) => {
      const x = f64(shape, asF32(uniform(size(shape))));
      const t = tm.tensor(x.v, shape);
      for (const keepDims of [false, true]) {
        const want = references(x, axes, keepDims);
        const got = { sum: t.sum(axes, { keepDims }), mean: t.mean(axes, { keepDims }), max: t.max(axes, { keepDims }), min: t.min(axes, { keepDims }) };
        for (const op of ['sum', 'mean', 'max', 'min'] as const) {
          expect(got[op].shape, `${op} keepDims=${keepDims}`).toEqual(want[op].shape);
          expect(got[op].dtype).toBe('f32');
          expectClose(await got[op].data(), want[op].v.map(Math.fround), op === 'max' || op === 'min' ? 0 : TOL.f32, `${op} keepDims=${keepDims}`, want.scale[op]);
        }
      }
    });
  });

  it('a single axis may be given as a number', async () => {
    const x = f64([3, 4], asF32(uniform(12)));
    const t = tm.tensor(x.v, [3, 4]);
    expectClose(await t.sum(1).data(), references(x, [1], false).sum.v);
    expectClose(await t.max(-2).data(), references(x, [0], false).max.v);
  });

  // Leading axes reduced (a sum over a batch) are read in place where the backend
  // reduces columns (webgpu): short and long columns, few long ones (chunked), NaN.
  it.each([[[128, 257]], [[40, 3, 5]], [[70001, 3]], [[66000, 1]]])('sum, mean, max and min over the leading axis of %j', async (shape) => {
    const x = f64(shape, asF32(uniform(size(shape), -1, 1)));
    if (shape[0] === 70001) x.v[12345 * shape[1] + 1] = NaN; // a NaN in one column
    const t = tm.tensor(x.v, shape);
    const want = references(x, [0], false);
    for (const op of ['sum', 'mean', 'max', 'min'] as const) expectClose(await t[op](0).data(), want[op].v, TOL.f32 * 10, `${op}`, want.scale[op]);
    const kept = await t.sum([0], { keepDims: true });
    expect(kept.shape).toEqual([1, ...shape.slice(1)]);
  });

  it.each([[[127, 129], 0], [[127, 129], 1], [[1000, 3], 0], [[3, 5000], 1]])('sums %j along axis %i accurately', async (shape, axis) => {
    const x = f64(shape, asF32(uniform(size(shape), 0, 1)));
    const got = tm.tensor(x.v, shape).sum(axis);
    expectClose(await got.data(), reduceAxes(x, [axis], 0, (s, v) => s + v).v, TOL.f32);
  });

  // TOL.f32 is 1e-5 relative; a sum of positive terms can be held much closer: rows and columns of
  // 4096 terms summed one at a time in f32 were 3e-6 off, in blocks (reduce.wgsl) 4e-7.
  it.each([[[64, 4096], 1], [[4096, 64], 0]])('sums %j of positive terms along axis %i within 1e-6 of float64, relative', async (shape, axis) => {
    const x = f64(shape, asF32(uniform(size(shape), 0, 1)));
    const got = await tm.tensor(x.v, shape).sum(axis).data();
    const want = reduceAxes(x, [axis], 0, (s, v) => s + v).v;
    want.forEach((w, i) => {
      if (!(Math.abs(got[i] - w) <= 1e-6 * w)) expect.fail(`sum ${i} along axis ${axis} of ${JSON.stringify(shape)}: got ${got[i]}, want ${w}`);
    });
  });

  it.each([[[9, 33], [1]], [[13, 31], [0]], [[5, 7, 3], [0, 2]], [[129], undefined]] as const)('f16 %j over %j stores f16, close to the float64 result rounded to f16', async (shape, axes) => {
    const x = f64([...shape], asF16(uniform(size([...shape]), -2, 2)));
    const t = tm.tensor(x.v, [...shape], { dtype: 'f16' });
    const want = references(x, axes ? [...axes] : undefined, false);
    for (const op of ['sum', 'mean', 'max', 'min'] as const) {
      const y = t[op](axes ? [...axes] : undefined);
      expect(y.dtype).toBe('f16');
      const got = await y.data();
      expect(Array.from(got)).toEqual(Array.from(got, roundF16));
      expectClose(got, want[op].v.map(roundF16), op === 'max' || op === 'min' ? 0 : 5 * TOL.f16, op);
    }
  });

  it.each(['i8', 'i32'] as const)('%s: sums are exact i32 (wrapping), means f32, max and min exact in the dtype', async (dtype) => {
    const x = f64([7, 13], intsOf(dtype, 91));
    const t = tm.tensor(x.v, [7, 13], { dtype });
    for (const axes of [[0], [1], undefined]) {
      const ax = axes ?? [0, 1];
      const s = t.sum(axes);
      expect(s.dtype).toBe('i32');
      expectExact(await s.data(), reduceAxes(x, ax, 0, (acc, v) => acc + v).v.map((v) => wrapInt(BigInt(v), 'i32')));
      const m = t.mean(axes);
      expect(m.dtype).toBe('f32');
      const want = references(x, axes, false);
      expectClose(await m.data(), want.mean.v, TOL.f32, 'mean', want.scale.mean);
      expect([t.max(axes).dtype, t.min(axes).dtype]).toEqual([dtype, dtype]);
      expectExact(await t.max(axes).data(), references(x, axes, false).max.v);
      expectExact(await t.min(axes).data(), references(x, axes, false).min.v);
    }
    const big = tm.tensor(new Int32Array([2147483647, 1, 5]), [3]);
    expect(await big.sum().item()).toBe(-2147483643); // wraps like C
    expect(await tm.tensor(new Int8Array([100, 100, 100]), [3]).sum().item()).toBe(300); // i8 widens before summing
  });

  it('NaN propagates through sum, mean, max and min; infinities behave as in IEEE arithmetic', async () => {
    const t = tm.tensor([[1, NaN, 3], [4, 5, 6], [-Infinity, 2, Infinity], [Infinity, Infinity, 1]]);
    expectClose(await t.sum(1).data(), [NaN, 15, NaN, Infinity]);
    expectClose(await t.mean(1).data(), [NaN, 5, NaN, Infinity]);
    expectClose(await t.max(1).data(), [NaN, 6, Infinity, Infinity]);
    expectClose(await t.min(1).data(), [NaN, 4, -Infinity, 1]);
    // NaN late in a long row, where vectorised loops might drop it.
    const row = Float64Array.from({ length: 37 }, (_, i) => (i === 33 ? NaN : i));
    for (const op of ['sum', 'max', 'min'] as const) expectClose(await tm.tensor(row, [1, 37])[op](1).data(), [NaN], 0, op);
    expectClose(await tm.tensor([-Infinity, -Infinity]).max().data(), [-Infinity]);
  });

  describe('argmax and argmin', () => {
    it.each([[[7]], [[13, 31]], [[4, 5, 6]], [[3, 1, 7]], [[127, 129]]])('match the reference along every axis and flattened, at shape %j, with ties', async (shape) => {
      // Few distinct values: ties everywhere, so the first index must win.
      const x = f64(shape, randomInts(size(shape), -3, 3));
      const t = tm.tensor(x.v, shape);
      for (const axis of [undefined, ...shape.map((_, i) => i), -1]) {
        for (const keepDims of [false, true]) {
          for (const [largest, y] of [[true, t.argmax(axis, { keepDims })], [false, t.argmin(axis, { keepDims })]] as const) {
            const want = argRef(x, axis, largest, keepDims);
            expect(y.dtype).toBe('i32');
            expect(y.shape, `axis ${axis} keepDims ${keepDims}`).toEqual(want.shape);
            expectExact(await y.data(), want.v, `${largest ? 'argmax' : 'argmin'} axis ${axis}`);
          }
        }
      }
    });

    it.each(['f16', 'i8', 'i32'] as const)('work on %s', async (dtype) => {
      const x = f64([13, 31], randomInts(403, -100, 100));
      const t = tm.tensor(x.v, [13, 31], { dtype });
      expectExact(await t.argmax(1).data(), argRef(x, 1, true).v);
      expectExact(await t.argmin(0).data(), argRef(x, 0, false).v);
      expectExact(await t.argmax().data(), argRef(x, undefined, true).v);
    });

    it('take the first index on ties, the first NaN as both largest and smallest, and flatten when no axis is given', async () => {
      const t = tm.tensor([[3, 7, 7], [2, 2, 1], [5, 0, 0]]);
      expect(Array.from(await t.argmax(1).data())).toEqual([1, 0, 0]);
      expect(Array.from(await t.argmin(1).data())).toEqual([0, 2, 1]);
      expect(Array.from(await t.argmax(0).data())).toEqual([2, 0, 0]);
      expect(await t.argmax().item()).toBe(1);
      expect(await t.argmin().item()).toBe(7);
      expect(t.argmax().shape).toEqual([]);
      expect(t.argmax(undefined, { keepDims: true }).shape).toEqual([1, 1]);
      expect(t.argmax(1, { keepDims: true }).shape).toEqual([3, 1]);
      const n = tm.tensor([[1, NaN, 3], [4, 5, 6], [NaN, -1, NaN]]);
      expect(Array.from(await n.argmax(1).data())).toEqual([1, 2, 0]);
      expect(Array.from(await n.argmin(1).data())).toEqual([1, 0, 0]);
      const late = Float64Array.from({ length: 40 }, (_, i) => (i === 35 ? NaN : i % 7));
      expect(await tm.tensor(late, [40]).argmax().item()).toBe(35);
      expect(await tm.tensor(late, [40]).argmin().item()).toBe(35);
      const flat = Float64Array.from({ length: 40 }, (_, i) => (i > 16 ? 9 : 1));
      expect(await tm.tensor(flat, [40]).argmax().item()).toBe(17);
      expect(await tm.tensor(7).argmax().item()).toBe(0);
    });
  });

  it("the gradient of an f16 mean over more than 65,504 elements is 1/count, which f16 holds (the count itself was ∞ in f16, the gradient 0)", async () => {
    for (const [shape, axis] of [[[70_000], undefined], [[70_000, 2], 0]] as const) {
      const x = tm.ones([...shape], { dtype: 'f16' });
      x.requiresGrad = true;
      x.mean(axis).sum().backward();
      const grad = await x.grad!.data();
      expect(grad[0]).toBe(roundF16(1 / 70_000)); // 1.4305e-5, an f16 subnormal
      expect(grad.every((g) => g === grad[0])).toBe(true);
    }
  });

  it('empty tensors: sum is 0 and mean NaN over an empty axis, max/min/argmax refuse one; other axes reduce to empty', async () => {
    const e = tm.zeros([0, 3]);
    expect(Array.from(await e.sum(0).data())).toEqual([0, 0, 0]);
    expect(Array.from(await e.sum(0, { keepDims: true }).data())).toEqual([0, 0, 0]);
    expect(await e.sum().item()).toBe(0);
    expectClose(await e.mean(0).data(), [NaN, NaN, NaN]);
    expect(await tm.zeros([0, 3], { dtype: 'i8' }).sum().item()).toBe(0);
    expect(await tm.zeros([2, 0], { dtype: 'f16' }).sum(1).array()).toEqual([0, 0]);
    // Rows of a [0,3] have nothing to reduce and no rows: every op gives [0], argmax and argmin too (as NumPy).
    for (const op of ['sum', 'mean', 'max', 'min', 'argmax', 'argmin'] as const) {
      const y = e[op](1);
      expect(y.shape).toEqual([0]);
      expect((await y.data()).length).toBe(0);
    }
    expect(e.argmax(1, { keepDims: true }).shape).toEqual([0, 1]);
    expect(e.argmin(-1).dtype).toBe('i32');
    expect(() => e.max(0)).toThrow('max: cannot reduce [0,3] over an empty axis');
    expect(() => e.min()).toThrow('min: cannot reduce [0,3] over an empty axis');
    expect(() => e.argmax()).toThrow('argmax: [0,3] is empty');
    expect(() => e.argmin(0)).toThrow('argmin: [0,3] is empty along axis 0');
  });
});

describe('argmax and argmin past an i32 index', () => {
  it('refuse more than 2^31 values to search (the index would wrap to -2^31), naming the count', async () => {
    await tm.init({ backend: 'js' });
    const x = tm.zeros([2 ** 31 + 1], { dtype: 'i8' }); // 2 GiB
    try {
      expect(() => x.argmax()).toThrow(new tm.ShapeError('argmax: [2147483649] has 2147483649 values to search, more than an i32 index reaches (2^31); search along an axis, or in parts'));
      expect(() => x.argmin(0)).toThrow(/argmin: \[2147483649\] has 2147483649 values to search along axis 0/);
    } finally {
      x.dispose();
    }
  });
});

describe.each(BACKENDS)('variance and std on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  /** Σ(x − mean)² / (n − correction) over `axes`, in float64, kept dims. */
  function varianceRef(x: F64, axes: number[], correction: number): F64 {
    const sums = reduceAxes(x, axes, 0, (acc, v) => acc + v, true);
    const count = x.v.length / sums.v.length;
    // Each element's group: its index with the reduced axes set to 0, in the kept shape.
    const group = (i: number) => {
      let rest = i;
      let g = 0;
      let stride = 1;
      for (let d = x.shape.length - 1; d >= 0; d--) {
        const at = rest % x.shape[d];
        rest = Math.floor(rest / x.shape[d]);
        if (!axes.includes(d)) {
          g += at * stride;
          stride *= x.shape[d];
        }
      }
      return g;
    };
    const v = new Float64Array(sums.v.length);
    x.v.forEach((value, i) => (v[group(i)] += (value - sums.v[group(i)] / count) ** 2));
    return { shape: sums.shape, v: v.map((s) => s / (count - correction)) };
  }

  it.each([
    [[7], [0]], [[13, 31], [1]], [[13, 31], [0]], [[3, 5, 129], [0, 2]], [[127, 129], [0, 1]], [[4, 1, 3], [-1]],
  ])('of %j over axes %j match float64, population (correction 0) and sample (1), with keepDims', async (shape, axes) => {
    const x = f64(shape, asF32(uniform(size(shape), -5, 5)).map((v) => v + 100)); // off-centre: a one-pass formula would cancel
    const list = axes.map((a) => (a < 0 ? a + shape.length : a));
    for (const correction of [0, 1]) {
      const want = varianceRef(x, list, correction);
      const t = tm.tensor(x.v, shape);
      const v = t.variance(axes, { correction, keepDims: true });
      expect(v.shape).toEqual(shape.map((d, i) => (list.includes(i) ? 1 : d)));
      expectClose(await v.data(), want.v, 1e-4, `variance correction ${correction}`);
      expectClose(await t.std(axes, { correction }).data(), want.v.map(Math.sqrt), 1e-4, `std correction ${correction}`);
    }
  });

  it('over everything by default; ints give f32; one value with correction 1 gives NaN, as NumPy and PyTorch', async () => {
    expect(await tm.tensor([1, 2, 3, 4]).variance().item()).toBeCloseTo(1.25, 6);
    const ints = tm.tensor([1, 2, 3, 4], undefined, { dtype: 'i32' }).std();
    expect([ints.dtype, await ints.item()]).toEqual(['f32', Math.fround(Math.sqrt(1.25))]);
    expect(await tm.tensor([5]).variance(undefined, { correction: 1 }).item()).toBeNaN();
    // A correction past the count divides by 0, not by a negative count: ∞, as NumPy and PyTorch.
    expect(await tm.tensor([1, 2]).variance(undefined, { correction: 3 }).item()).toBe(Infinity);
    expect(() => tm.tensor([1]).variance(0, { correction: -1 })).toThrow('variance: correction must be a finite number ≥ 0, got -1');
  });
});

describe.each(BACKENDS)('varMean and stdMean on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('give variance (or std) and mean in one call, with variance\'s options, f16 in f16', async () => {
    const x = tm.tensor(asF32(uniform(7 * 13)), [7, 13]);
    for (const options of [{}, { correction: 1, keepDims: true }]) {
      const [v, m] = tm.varMean(x, 1, options);
      expect(Array.from(await v.data())).toEqual(Array.from(await tm.variance(x, 1, options).data()));
      expect(Array.from(await m.data())).toEqual(Array.from(await tm.mean(x, 1, { keepDims: options.keepDims ?? false }).data()));
      const [s, m2] = tm.stdMean(x, 1, options);
      expect(Array.from(await s.data())).toEqual(Array.from(await tm.std(x, 1, options).data()));
      expect(m2.shape).toEqual(m.shape);
    }
    const half = tm.varMean(x.cast('f16'));
    expect(half.map((t) => t.dtype)).toEqual(['f16', 'f16']);
  });
});

describe.each(BACKENDS)('any and all on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('test for a non-zero value, or only non-zero values, over axes, as NumPy: 1/0 in i32; NaN counts as non-zero; nothing at all is any 0, all 1', async () => {
    const x = tm.tensor([[0, 1, 0], [2, 3, NaN], [0, 0, 0]]);
    expect([x.any().dtype, await x.any().item(), await x.all().item()]).toEqual(['i32', 1, 0]);
    expect(Array.from(await x.any(1).data())).toEqual([1, 1, 0]);
    expect(Array.from(await x.all(1).data())).toEqual([0, 1, 0]);
    expect(await x.all(0, { keepDims: true }).array()).toEqual([[0, 0, 0]]);
    expect(Array.from(await x.any(-2).data())).toEqual([1, 1, 1]);
    const empty = tm.zeros([0, 2]);
    expect([await empty.any().item(), await empty.all().item()]).toEqual([0, 1]);
    expect(Array.from(await empty.all(0).data())).toEqual([1, 1]);
    // 256 non-zero i8 values: counted in i32 (an i8 count wraps to 0).
    const many = tm.ones([256], { dtype: 'i8' });
    expect([await many.any().item(), await many.all().item()]).toEqual([1, 1]);
    const f16 = tm.tensor([0, 0.001], undefined, { dtype: 'f16' });
    expect([await f16.any().item(), await f16.all().item()]).toEqual([1, 0]);
  });
});

describe.each(BACKENDS)('prod on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  /** Values whose products stay in range however many are multiplied: ±e^u, u uniform in [−spread, spread], rounded to `round`. */
  const nearOne = (n: number, spread: number, round: (v: Float64Array) => Float64Array = asF32) =>
    round(uniform(n, -spread, spread).map((u, i) => (i % 3 === 1 ? -1 : 1) * Math.exp(u)));

  /**
   * |got − want| ≤ tol·|want|: relative, with no floor, since products lie far from 1
   * either way; NaN and infinities exactly. A zero product must then be exactly 0.
   */
  function expectRelative(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string): void {
    expect(got.length, what).toBe(want.length);
    for (let i = 0; i < want.length; i++) {
      const ok = Number.isNaN(want[i]) ? Number.isNaN(got[i]) : Number.isFinite(want[i]) ? Math.abs(got[i] - want[i]) <= tol * Math.abs(want[i]) : got[i] === want[i];
      if (!ok) expect.fail(`${what} index ${i}: got ${got[i]}, want ${want[i]} (relative tolerance ${tol}, test seed ${SEED})`);
    }
  }

  /**
   * A product of n f32 values rounded at each step is within (1 + 2^-24)^n − 1 ≈ n·2^-24 of the exact one
   * (a GPU's f32 running product); the CPU backends' products in double are rounded once.
   */
  const f32Tolerance = (n: number) => Math.max(TOL.f32, n * 2 ** -24 * 1.01);

  describe.each(CASES.map(([s, a]) => [s, a] as const))('of shape %j', (shape, axesList) => {
    it.each(axesList.map((a) => [a]))('over axes %j, with and without keepDims (f32)', async (axes) => {
      const x = f64(shape, nearOne(size(shape), size(shape) > 1000 ? 0.1 : 0.3));
      const t = tm.tensor(x.v, shape);
      const ax = norm(axes, shape.length);
      const count = ax.reduce((n, a) => n * shape[a], 1);
      for (const keepDims of [false, true]) {
        const want = reduceAxes(x, ax, 1, (p, v) => p * v, keepDims);
        const y = t.prod(axes, { keepDims });
        expect([y.shape, y.dtype], `keepDims=${keepDims}`).toEqual([want.shape, 'f32']);
        expectRelative(await y.data(), want.v, f32Tolerance(count), `prod over ${JSON.stringify(axes)} keepDims=${keepDims}`);
      }
    });
  });

  it('takes a single axis as a number, negative ones too, and is a Tensor method', async () => {
    const x = f64([13, 31], nearOne(403, 0.3));
    const t = tm.tensor(x.v, [13, 31]);
    expectRelative(await t.prod(-1).data(), reduceAxes(x, [1], 1, (p, v) => p * v).v, TOL.f32, 'axis -1');
    expectRelative(await tm.prod(t, 0).data(), reduceAxes(x, [0], 1, (p, v) => p * v).v, TOL.f32, 'axis 0');
    expect(() => t.prod(2)).toThrow('prod: axis 2 is out of range for a tensor of rank 2');
    expect(() => t.prod([0, 0])).toThrow(tm.ShapeError);
  });

  // Long rows among few rows are reduced in chunks on webgpu, and leading axes down the columns: exact
  // products (of ±1, with a few 2s and ½s) show a chunk or a sign lost, however the steps are ordered.
  it.each([[[2, 70000], 1], [[70001, 3], 0], [[127, 129], 0], [[127, 129], 1], [[64, 4096], 1]] as const)('multiplies %j along axis %i exactly where every step is exact', async (shape, axis) => {
    const n = size([...shape]);
    const signs = uniform(n, 0, 1);
    const x = f64([...shape], uniform(n, 0, 1).map((r, i) => (r < 0.005 ? 2 : r < 0.01 ? 0.5 : 1) * (signs[i] < 0.5 ? -1 : 1)));
    const got = await tm.tensor(x.v, [...shape]).prod(axis).data();
    expectExact(got, reduceAxes(x, [axis], 1, (p, v) => p * v).v, `prod ${JSON.stringify(shape)} along ${axis}`);
  });

  it('f16: stores f16, multiplies in f32 at least (256 · 256 · 2^-8 is 256, not ∞), close to the float64 product rounded to f16', async () => {
    for (const [shape, axes] of [[[9, 33], [1]], [[13, 31], [0]], [[5, 7, 3], [0, 2]], [[129], undefined]] as const) {
      const x = f64([...shape], nearOne(size([...shape]), 0.2, asF16));
      const y = tm.tensor(x.v, [...shape], { dtype: 'f16' }).prod(axes ? [...axes] : undefined);
      expect(y.dtype).toBe('f16');
      const got = await y.data();
      expect(Array.from(got)).toEqual(Array.from(got, roundF16));
      const want = reduceAxes(x, norm(axes ? [...axes] : undefined, shape.length), 1, (p, v) => p * v).v.map(roundF16);
      expectRelative(got, want, 2 ** -10, `f16 ${JSON.stringify(shape)}`); // one f16 rounding, and the f32 steps' far smaller errors
    }
    expect(await tm.tensor([256, 256, 2 ** -8], undefined, { dtype: 'f16' }).prod().item()).toBe(256);
  });

  it.each(['i8', 'i32'] as const)('%s: products are i32, wrapping like C', async (dtype) => {
    for (const [shape, values] of [[[7, 13], intsOf(dtype, 91)], [[13, 7], randomInts(91, -5, 5)], [[3, 31], randomInts(93, -3, 3).map((v) => 2 * v + 1)]] as const) {
      const x = f64([...shape], values);
      const t = tm.tensor(x.v, [...shape], { dtype });
      for (const axes of [[0], [1], undefined]) {
        const y = t.prod(axes);
        expect(y.dtype).toBe('i32');
        const want = reduceAxes(x, axes ?? [0, 1], 1, (p, v) => p * v).v;
        // Exact products as bigints: the float64 ones above lose their low bits past 2^53.
        const exact = Array.from(want, (_, o) => {
          const idx = x.v.map((_, i) => i).filter((i) => axes === undefined || (axes[0] === 0 ? i % shape[1] === o : Math.floor(i / shape[1]) === o));
          return wrapInt(idx.reduce((p, i) => p * BigInt(x.v[i]), 1n), 'i32');
        });
        expectExact(await y.data(), exact, `${dtype} ${JSON.stringify(shape)} over ${JSON.stringify(axes)}`);
      }
    }
    expect(await tm.tensor(new Int32Array([65536, 65536, 3]), [3]).prod().item()).toBe(0);
    expect(await tm.tensor(new Int32Array([2147483647, 3]), [2]).prod().item()).toBe(2147483645); // 3·(2^31 − 1) wraps
    expect(await tm.tensor(new Int8Array([100, 100]), [2]).prod().item()).toBe(10000); // i8 widens before multiplying
  });

  it('NaN and infinities as IEEE arithmetic gives them; an empty product is 1', async () => {
    const t = tm.tensor([[1, NaN, 3], [Infinity, 0, 2], [Infinity, -2, 1], [-Infinity, -Infinity, 1]]);
    expectClose(await t.prod(1).data(), [NaN, NaN, -Infinity, Infinity]);
    const row = Float64Array.from({ length: 300 }, (_, i) => (i === 277 ? NaN : 1));
    expectClose(await tm.tensor(row, [1, 300]).prod(1).data(), [NaN], 0, 'NaN late in a long row');
    const e = tm.zeros([0, 3]);
    expect(Array.from(await e.prod(0).data())).toEqual([1, 1, 1]);
    expect(await e.prod().item()).toBe(1);
    expect(e.prod(1).shape).toEqual([0]);
    expect(Array.from(await tm.zeros([2, 0], { dtype: 'i32' }).prod(1).data())).toEqual([1, 1]);
    expect(await tm.zeros([0], { dtype: 'f16' }).prod().item()).toBe(1);
    expect(await tm.scalar(5).prod().item()).toBe(5);
  });

  /** The gradient of Σ r·prod(x, axes) in float64: each x's r times the product of the others reduced with it. */
  function prodGradRef(x: F64, axes: number[], r: Float64Array): Float64Array {
    const out = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
    const group = (i: number) => ravel(unravel(i, x.shape).map((v, d) => (axes.includes(d) ? 0 : v)), out);
    return x.v.map((_, i) => r[group(i)] * x.v.reduce((p, v, j) => (j !== i && group(j) === group(i) ? p * v : p), 1));
  }

  it.each([
    [[4, 5, 6], [1], 1], [[4, 5, 6], [0, 2], 2], [[4, 5, 6], undefined, 1], [[7], [0], 1], [[7], [0], 2], [[3, 1, 7], [-2], 1], [[13, 31], [0], 1], [[3, 1, 7], [2], 2],
  ] as const)('its gradient over %j, axes %j, with %i zero(s) in the first product, is the product of the others: the one zero gets the rest\'s product, two give all 0', async (shape, axes, firstZeros) => {
    const list = axes ? [...axes] : undefined;
    const ax = norm(list, shape.length);
    const x = f64([...shape], nearOne(size([...shape]), 0.3));
    // The first product gets `firstZeros` zeros, the last (where there are several) the other count; the rest none.
    const out = shape.map((d, i) => (ax.includes(i) ? 1 : d));
    const groupOf = (i: number) => ravel(unravel(i, [...shape]).map((v, d) => (ax.includes(d) ? 0 : v)), out);
    const members = (g: number) => Array.from(x.v.keys()).filter((i) => groupOf(i) === g);
    const groups = size(out);
    const zeroOut = (g: number, count: number) => {
      const m = members(g);
      for (const i of count === 1 ? [m[Math.floor(m.length / 2)]] : [m[0], m[m.length - 1]]) x.v[i] = 0;
    };
    zeroOut(0, firstZeros);
    if (groups > 2) zeroOut(groups - 1, 3 - firstZeros);
    const r = nearOne(groups, 0.5);
    const t = tm.tensor(x.v, [...shape]);
    t.requiresGrad = true;
    tm.tidy(() => {
      const y = t.prod(list);
      return y.mul(tm.tensor(r, y.shape)).sum();
    }).backward();
    expectClose(await t.grad!.data(), prodGradRef(x, ax, r), TOL.f32, `d prod / dx over ${JSON.stringify(axes)}`);
    t.grad!.dispose();
    t.dispose();
  });

  it('its gradient in f16 is f16, the same shares', async () => {
    const t = tm.tensor([[2, 0, 3], [0, 5, 0], [1.5, 2, 4]], undefined, { dtype: 'f16' });
    t.requiresGrad = true;
    tm.tidy(() => t.prod(1).sum()).backward();
    expect(t.grad!.dtype).toBe('f16');
    expect(await t.grad!.array()).toEqual([[0, 6, 0], [0, 0, 0], [8, 6, 3]]);
  });
});

describe.each(BACKENDS)('countNonzero on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it.each([[[7], undefined], [[13, 31], 1], [[13, 31], [0, 1]], [[3, 4, 5], [0, 2]], [[4, 0], 0]] as [number[], number | number[] | undefined][])('of %j over %j is np.count_nonzero in i32, NaN counting, in every dtype', async (shape, axes) => {
    const list = axes === undefined ? shape.map((_, d) => d) : [axes].flat();
    for (const dtype of tm.DTYPES) {
      const x = f64(shape, randomInts(size(shape), -2, 2));
      if (dtype === 'f32' && x.v.length) x.v[0] = NaN;
      const want = reduceAxes(x, list, 0, (acc, v) => acc + (v !== 0 ? 1 : 0));
      const y = tm.countNonzero(tm.tensor(x.v, shape, { dtype }), axes);
      expect([y.shape, y.dtype]).toEqual([want.shape, 'i32']);
      expectExact(await y.data(), want.v, `countNonzero ${dtype}`);
      expect(tm.countNonzero(tm.tensor(x.v, shape, { dtype }), axes, { keepDims: true }).shape).toEqual(shape.map((d, i) => (list.includes(i) ? 1 : d)));
    }
  });
});

describe.each(BACKENDS)('aminmax on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it.each([[[7], undefined], [[13, 31], 1], [[3, 4, 5], [0, 2]], [[2, 3], -1]] as [number[], number | number[] | undefined][])('of %j over %j is { min, max } as min and max give them, keepDims too, in every dtype', async (shape, axes) => {
    const list = axes === undefined ? shape.map((_, d) => d) : [axes].flat().map((a) => (a < 0 ? a + shape.length : a));
    for (const dtype of tm.DTYPES) {
      const x = f64(shape, randomInts(size(shape), -100, 100));
      const { min, max } = tm.aminmax(tm.tensor(x.v, shape, { dtype }), axes);
      expect([min.shape, min.dtype, max.dtype]).toEqual([reduceAxes(x, list, 0, (a) => a).shape, dtype, dtype]);
      expectExact(await min.data(), reduceAxes(x, list, Infinity, Math.min).v, `min ${dtype}`);
      expectExact(await max.data(), reduceAxes(x, list, -Infinity, Math.max).v, `max ${dtype}`);
      expect(tm.aminmax(tm.tensor(x.v, shape, { dtype }), axes, { keepDims: true }).max.shape).toEqual(shape.map((d, i) => (list.includes(i) ? 1 : d)));
    }
  });

  it('passes gradients to the entries that are the least and the largest', async () => {
    const x = tm.tensor([[3, -1, 7], [2, 9, 0]]);
    x.requiresGrad = true;
    const { min, max } = tm.aminmax(x, 1);
    min.add(max.mul(10)).sum().backward();
    expect(await x.grad!.array()).toEqual([[0, 1, 10], [0, 10, 1]]);
  });
});
