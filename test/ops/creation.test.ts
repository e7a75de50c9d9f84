// Making tensors: tensor() from nested arrays, numbers and typed arrays; the
// fills; seeded rand/randn; arange; and how values are stored per dtype.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { rng } from '../../src/random.js';
import { asF32, expectExact, intsOf, uniform } from '../helpers/data.js';
import { roundF16, size } from '../helpers/float64.js';

const SHAPES: number[][] = [[], [1], [7], [13, 31], [2, 1, 3], [0, 3], [3, 0, 2], [129]];

function stats(v: ArrayLike<number>): { mean: number; std: number } {
  const a = Array.from(v);
  const mean = a.reduce((s, x) => s + x, 0) / a.length;
  return { mean, std: Math.sqrt(a.reduce((s, x) => s + (x - mean) ** 2, 0) / a.length) };
}

describe.each(BACKENDS)('making tensors on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it('from nested arrays, a number, or a typed array with a shape', async () => {
    const a = tm.tensor([[1, 2, 3], [4, 5, 6]]);
    expect([a.shape, a.dtype, a.size, a.rank, a.backend]).toEqual([[2, 3], 'f32', 6, 2, backend]);
    expect(await a.array()).toEqual([[1, 2, 3], [4, 5, 6]]);
    const s = tm.tensor(3.5);
    expect([s.shape, s.size, s.rank]).toEqual([[], 1, 0]);
    expect(await s.item()).toBe(3.5);
    expect(await s.array()).toBe(3.5);
    expect(await tm.scalar(-2, { dtype: 'i8' }).item()).toBe(-2);
    const t = tm.tensor(new Float32Array([1, 2, 3, 4, 5, 6]), [3, 2]);
    expect(await t.array()).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(tm.tensor(new Float32Array([1, 2, 3])).shape).toEqual([3]); // a typed array alone is 1-D
    expect(await tm.tensor([[1, 2], [3, 4]], [4]).array()).toEqual([1, 2, 3, 4]); // nested values, explicit shape
    expect(tm.tensor([[]]).shape).toEqual([1, 0]);
    expect(tm.tensor([]).shape).toEqual([0]);
    expect(await tm.tensor([[[1], [2]], [[3], [4]]]).array()).toEqual([[[1], [2]], [[3], [4]]]);
    // Options second, or third after a shape given or left undefined (they were dropped there).
    expect([tm.tensor([1, 2], { dtype: 'i32' }).dtype, tm.tensor([1, 2], [2], { dtype: 'i32' }).dtype, tm.tensor([1, 2], undefined, { dtype: 'i32' }).dtype]).toEqual(['i32', 'i32', 'i32']);
  });

  it.each(SHAPES.map((s) => [s]))('from a typed array of shape %j, in every dtype, values as the dtype stores them', async (shape) => {
    const n = size(shape);
    const floats = uniform(n, -100, 100);
    for (const dtype of tm.DTYPES) {
      const values = dtype === 'f32' || dtype === 'f16' ? floats : intsOf(dtype, n);
      const t = tm.tensor(values, shape, { dtype });
      expect([t.shape, t.dtype, t.size]).toEqual([shape, dtype, n]);
      const want = dtype === 'f32' ? asF32(values) : dtype === 'f16' ? values.map(roundF16) : values;
      expectExact(await t.data(), want, `${dtype} ${JSON.stringify(shape)}`);
    }
  });

  it('data() returns Float32Array for floats (f16 decoded), Int8Array and Int32Array for ints', async () => {
    expect(await tm.zeros([2]).data()).toBeInstanceOf(Float32Array);
    expect(await tm.zeros([2], { dtype: 'f16' }).data()).toBeInstanceOf(Float32Array);
    expect(await tm.zeros([2], { dtype: 'i8' }).data()).toBeInstanceOf(Int8Array);
    expect(await tm.zeros([2], { dtype: 'i32' }).data()).toBeInstanceOf(Int32Array);
  });

  it('copies the input: changing the source, or the array data() returned, changes nothing', async () => {
    const src = new Float32Array([1, 2]);
    const t = tm.tensor(src, [2]);
    src[0] = 99;
    expect(Array.from(await t.data())).toEqual([1, 2]);
    const out = await t.data();
    out[1] = 42;
    expect(Array.from(await t.data())).toEqual([1, 2]);
    const nested = [[1, 2]];
    const u = tm.tensor(nested);
    nested[0][0] = 7;
    expect(await u.array()).toEqual([[1, 2]]);
  });

  it('f16 values round to nearest even; f32 values round like Float32Array', async () => {
    expect(Array.from(await tm.tensor([0.1, 70000, 65519, 2049, 2051, -0, 2 ** -25, 3 * 2 ** -26], { dtype: 'f16' }).data()))
      .toEqual([0.0999755859375, Infinity, 65504, 2048, 2052, -0, 0, 2 ** -24]);
    expect(Array.from(await tm.tensor([0.1, 1 + 2 ** -24, 16777217]).data())).toEqual([Math.fround(0.1), 1, 16777216]);
  });

  it('int dtypes take whole numbers in range and reject anything else, naming the value and its index', async () => {
    expect(Array.from(await tm.tensor([-128, 127, -0], { dtype: 'i8' }).data())).toEqual([-128, 127, 0]);
    expect(Array.from(await tm.tensor([-2147483648, 2147483647], { dtype: 'i32' }).data())).toEqual([-2147483648, 2147483647]);
    expect(() => tm.tensor([300], { dtype: 'i8' })).toThrow("tensor: value 300 at flat index 0 is not an integer in i8's range [-128, 127]");
    expect(() => tm.tensor([1, -129], { dtype: 'i8' })).toThrow(/value -129 at flat index 1/);
    expect(() => tm.tensor([[0, 1], [1.5, 0]], { dtype: 'i32' })).toThrow(/value 1.5 at flat index 2/);
    expect(() => tm.tensor([2 ** 31], { dtype: 'i32' })).toThrow(/value 2147483648 at flat index 0 is not an integer in i32's range/);
    expect(() => tm.tensor([-(2 ** 31) - 1], { dtype: 'i32' })).toThrow(tm.ValueError);
    for (const bad of [NaN, Infinity, -Infinity, 0.5]) {
      for (const dtype of ['i8', 'i32'] as const) {
        expect(() => tm.tensor([bad], { dtype })).toThrow(tm.ValueError);
        expect(() => tm.tensor(new Float32Array([bad]), [1], { dtype })).toThrow(`value ${bad} at flat index 0`);
      }
    }
    expect(() => tm.fill([2], 1.5, { dtype: 'i32' })).toThrow(tm.ValueError);
    expect(() => tm.arange(0, 200, 1, { dtype: 'i8' })).toThrow(/value 128 at flat index 128/);
  });

  it.each(SHAPES.map((s) => [s]))('zeros, ones and fill of shape %j in every dtype', async (shape) => {
    for (const dtype of tm.DTYPES) {
      const n = size(shape);
      const cases: [tm.Tensor, number][] = [[tm.zeros(shape, { dtype }), 0], [tm.ones(shape, { dtype }), 1], [tm.fill(shape, -7, { dtype }), -7]];
      for (const [t, v] of cases) {
        expect([t.shape, t.dtype]).toEqual([shape, dtype]);
        expect(Array.from(await t.data())).toEqual(new Array(n).fill(v));
      }
      expect(tm.zerosLike(cases[2][0]).dtype).toBe(dtype);
      expect(Array.from(await tm.onesLike(cases[2][0]).data())).toEqual(new Array(n).fill(1));
    }
    expect(tm.zeros(shape).dtype).toBe('f32');
    expect(Array.from(await tm.fill(shape, 0.1, { dtype: 'f16' }).data())).toEqual(new Array(size(shape)).fill(0.0999755859375));
  });

  it('arange counts from start by step up to (not including) stop, like NumPy', async () => {
    expect(await tm.arange(5).array()).toEqual([0, 1, 2, 3, 4]);
    expect(tm.arange(5).dtype).toBe('i32');
    expect(await tm.arange(2, 7).array()).toEqual([2, 3, 4, 5, 6]);
    expect(await tm.arange(1, 2, 0.25).array()).toEqual([1, 1.25, 1.5, 1.75]);
    expect(tm.arange(1, 2, 0.25).dtype).toBe('f32');
    expect(await tm.arange(5, 0, -2).array()).toEqual([5, 3, 1]);
    expect(await tm.arange(-3, 3, 2).array()).toEqual([-3, -1, 1]);
    expect(await tm.arange(0, 10, 3).array()).toEqual([0, 3, 6, 9]);
    expect(tm.arange(3, 3).shape).toEqual([0]);
    expect(tm.arange(5, 0).shape).toEqual([0]); // stepping away from stop gives nothing
    expect(tm.arange(-3).shape).toEqual([0]);
    expect(tm.arange(0, 1, 0.1).shape).toEqual([10]);
    expect(tm.arange(0, 5, 1, { dtype: 'f16' }).dtype).toBe('f16');
    expect(Array.from(await tm.arange(129).data())).toEqual(Array.from({ length: 129 }, (_, i) => i));
    expect(() => tm.arange(0, 1, 0)).toThrow('arange: step must not be 0');
    expect(() => tm.arange(NaN)).toThrow(/arange: stop must be a finite number, got NaN/);
    expect(() => tm.arange(0, Infinity)).toThrow(/stop must be a finite number, got Infinity/);
    expect(() => tm.arange(0, 1, NaN)).toThrow(/step must be a finite number/);
    expect(() => tm.arange('5' as unknown as number)).toThrow('arange: stop must be a finite number, got "5"');
    expect(() => tm.arange(0.5, 3, 1, { dtype: 'i32' })).toThrow('arange: value 0.5 at flat index 0 is not an integer in i32\'s range');
    expect(() => tm.arange(0, 3, 0.5, { dtype: 'i32' })).toThrow('arange: value 0.5 at flat index 1 is not an integer');
  });

  it('eye is the identity, square or not, in any dtype; linspace spaces num values from start to stop, both included, like NumPy', async () => {
    expect(await tm.eye(3).array()).toEqual([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    expect(await tm.eye(2, 3, { dtype: 'i8' }).array()).toEqual([[1, 0, 0], [0, 1, 0]]);
    expect(tm.eye(2, 3, { dtype: 'i8' }).dtype).toBe('i8');
    expect(await tm.eye(3, 1, { dtype: 'f16' }).array()).toEqual([[1], [0], [0]]);
    expect(tm.eye(3, { dtype: 'i32' }).shape).toEqual([3, 3]);
    expect(tm.eye(3, { dtype: 'i32' }).dtype).toBe('i32');
    expect(tm.eye(0).shape).toEqual([0, 0]);
    const big = await tm.eye(129, 127).data();
    expect(big.every((v, i) => v === (Math.floor(i / 127) === i % 127 ? 1 : 0))).toBe(true);
    expect(() => tm.eye(-1)).toThrow('eye: n must be a non-negative integer, got -1');
    expect(await tm.linspace(0, 1, 5).array()).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(await tm.linspace(1, -1, 3).array()).toEqual([1, 0, -1]);
    expect(await tm.linspace(2, 5, 1).array()).toEqual([2]);
    expect(tm.linspace(0, 1, 0).shape).toEqual([0]);
    const tenths = await tm.linspace(0, 0.3, 4).data();
    expect(tenths[3]).toBe(Math.fround(0.3)); // the last is stop itself
    expect(Array.from(await tm.linspace(0, 1, 11, { dtype: 'f16' }).data())).toEqual(Array.from({ length: 11 }, (_, i) => roundF16(i / 10)));
    expect(() => tm.linspace(0, 1, 2.5)).toThrow('linspace: num must be a non-negative integer, got 2.5');
    expect(() => tm.linspace(0, 1, 3, { dtype: 'i32' })).toThrow(/linspace: dtype i32 is not a float dtype/);
  });

  it('arange writes its values straight into the tensor (it built a plain array: out of heap at a few hundred million, a bare RangeError past that)', async () => {
    const t = tm.arange(-5, 1e6, 3, { dtype: 'f16' });
    const got = await t.data();
    expect(t.shape).toEqual([Math.ceil(1e6 / 3 + 5 / 3)]);
    expect([got[0], got[1], got[1000], got[10000], got[30000]]).toEqual([-5, -2, roundF16(2995), roundF16(29995), Infinity]);
    expect(() => tm.arange(0, 1e10, 1, { dtype: 'f32' })).toThrow(/^arange: shape \[10000000000\] has 10,000,000,000 elements \(40,000,000,000 bytes\), more than can be allocated here/);
    // An int past its dtype is named by its first value out of range, found without visiting each.
    expect(() => tm.arange(1e10)).toThrow('arange: value 2147483648 at flat index 2147483648 is not an integer in i32\'s range [-2147483648, 2147483647]');
    expect(() => tm.arange(100, -1e12, -7)).toThrow(/^arange: value -2147483651 at flat index 306783393 /);
  });

  it('a shape too large to allocate is an error naming the op, the shape and its size, not a RangeError', () => {
    expect(() => tm.zeros([1e6, 1e6])).toThrow(tm.ValueError);
    expect(() => tm.zeros([1e6, 1e6])).toThrow(/^zeros: shape \[1000000,1000000\] has 1,000,000,000,000 elements \(4,000,000,000,000 bytes\), more than can be allocated here/);
    expect(() => tm.ones([1e6, 1e6], { dtype: 'i8' })).toThrow(/^ones: shape \[1000000,1000000\] has 1,000,000,000,000 elements \(1,000,000,000,000 bytes\)/);
    expect(() => tm.randn([1e5, 1e5])).toThrow(/^randn: shape \[100000,100000\] has 10,000,000,000 elements/);
    expect(() => tm.rand([1e5, 1e5])).toThrow(/^rand: shape \[100000,100000\] has 10,000,000,000 elements/);
  });

  it('fills store the value as the dtype stores it: f16 rounded (past its range, ∞), ints as they are', async () => {
    expect(Array.from(await tm.fill([3], 1 / 3, { dtype: 'f16' }).data())).toEqual([0.333251953125, 0.333251953125, 0.333251953125]);
    expect(Array.from(await tm.fill([2], 70000, { dtype: 'f16' }).data())).toEqual([Infinity, Infinity]);
    expect(Array.from(await tm.fill([2, 2], -7, { dtype: 'i8' }).data())).toEqual([-7, -7, -7, -7]);
    expect(Array.from(await tm.ones([5], { dtype: 'i32' }).data())).toEqual([1, 1, 1, 1, 1]);
  });

  it('randn is seeded: the same seed gives the same values, different seeds differ', async () => {
    for (const shape of [[1], [7], [13, 31], [2, 0]]) {
      const a = Array.from(await tm.randn(shape, { seed: 4 }).data());
      const b = Array.from(await tm.randn(shape, { seed: 4 }).data());
      expect(a).toEqual(b);
      if (size(shape) > 0) expect(a).not.toEqual(Array.from(await tm.randn(shape, { seed: 5 }).data()));
      expect(a.every(Number.isFinite)).toBe(true);
    }
    expect(tm.randn([13, 31], { seed: 1 }).shape).toEqual([13, 31]);
  });

  it('randn has mean 0 and std 1 by default, and the mean and std asked for', async () => {
    const d = stats(await tm.randn([4001], { seed: 11 }).data());
    expect(Math.abs(d.mean)).toBeLessThan(0.08); // 5 standard errors of the mean
    expect(Math.abs(d.std - 1)).toBeLessThan(0.06);
    const e = stats(await tm.randn([4000], { seed: 12, mean: 3, std: 0.5 }).data());
    expect(Math.abs(e.mean - 3)).toBeLessThan(0.04);
    expect(Math.abs(e.std - 0.5)).toBeLessThan(0.03);
    const h = tm.randn([257], { dtype: 'f16', seed: 3 });
    expect(h.dtype).toBe('f16');
    const hv = await h.data();
    expect(Array.from(hv)).toEqual(Array.from(hv, roundF16)); // stored as f16
  });

  it('rand is seeded and uniform in [min, max)', async () => {
    const a = await tm.rand([1000], { seed: 1, min: 2, max: 3 }).data();
    expect(await tm.rand([1000], { seed: 1, min: 2, max: 3 }).data()).toEqual(a);
    expect(await tm.rand([1000], { seed: 2, min: 2, max: 3 }).data()).not.toEqual(a);
    expect(Math.min(...a)).toBeGreaterThanOrEqual(2);
    expect(Math.max(...a)).toBeLessThan(3);
    const u = stats(await tm.rand([4000], { seed: 7 }).data());
    expect(Math.abs(u.mean - 0.5)).toBeLessThan(0.03);
    expect(Math.abs(u.std - Math.sqrt(1 / 12))).toBeLessThan(0.02);
    expect(() => tm.rand([2], { dtype: 'i32' })).toThrow('rand: dtype i32 is not a float dtype; draw f32 and cast');
    expect(() => tm.randn([2], { dtype: 'i8' })).toThrow(tm.ValueError);
  });

  it('rand in f16 stays below max too (values close to max must not round up onto it)', async () => {
    // f16 spacing just below 1 is 2^-11, so a draw in [1 - 2^-12, 1) rounds to 1.0 unless rand prevents it.
    for (const seed of [1, 2, 3]) {
      const v = await tm.rand([20000], { seed, dtype: 'f16' }).data();
      expect(Math.max(...v), `seed ${seed}`).toBeLessThan(1);
      expect(Math.min(...v)).toBeGreaterThanOrEqual(0);
    }
  });

  it('setSeed makes unseeded draws reproducible', async () => {
    tm.setSeed(9);
    const a = await tm.randn([5]).data();
    const b = await tm.rand([5]).data();
    tm.setSeed(9);
    expect(await tm.randn([5]).data()).toEqual(a);
    expect(await tm.rand([5]).data()).toEqual(b);
  });

  it('setSeed\'s sequence is mulberry32 from the seed: each unseeded draw takes its next output as a seed', async () => {
    const next = rng(9);
    const seeds = [0, 1].map(() => Math.floor(next() * 2 ** 32));
    tm.setSeed(9);
    expect(await tm.randn([4]).data()).toEqual(await tm.randn([4], { seed: seeds[0] }).data());
    expect(await tm.rand([4]).data()).toEqual(await tm.rand([4], { seed: seeds[1] }).data());
  });

  it('getRandomState marks where setSeed\'s sequence stands, and setRandomState goes back there (torch.get_rng_state / set_rng_state)', async () => {
    tm.setSeed(11);
    await tm.randn([3]).data();
    const state = tm.getRandomState();
    expect(state).toEqual({ generator: 'mulberry32', state: expect.any(Number) });
    const a = await tm.randn([5]).data();
    const b = await tm.rand([5]).data();
    tm.setSeed(12);
    await tm.randn([7]).data();
    tm.setRandomState(JSON.parse(JSON.stringify(state)) as tm.RandomState); // it survives JSON: a checkpoint's metadata keeps it so
    expect(await tm.randn([5]).data()).toEqual(a);
    expect(await tm.rand([5]).data()).toEqual(b);
    // A state is the seed moved on by each draw: setSeed(s) stands at s.
    tm.setSeed(5);
    expect(tm.getRandomState()).toEqual({ generator: 'mulberry32', state: 5 });
  });

  it('setRandomState(null) makes draws unseeded again, getRandomState() giving null; a state that is not getRandomState\'s is refused and changes nothing', async () => {
    tm.setSeed(3);
    const kept = tm.getRandomState();
    for (const bad of [{ generator: 'mulberry32', state: -1 }, { generator: 'mulberry32', state: 2 ** 32 }, { generator: 'mulberry32', state: 1.5 }, { generator: 'philox', state: 1 }, 7, 'state', undefined]) {
      expect(() => tm.setRandomState(bad as tm.RandomState), JSON.stringify(bad)).toThrow(/setRandomState: expects what getRandomState gave \(\{ generator: 'mulberry32', state: an integer in \[0, 2\^32\) \}\) or null, got/);
    }
    expect(tm.getRandomState()).toEqual(kept);
    tm.setRandomState(null);
    expect(tm.getRandomState()).toBeNull();
    expect(await tm.randn([6]).data()).not.toEqual(await tm.randn([6]).data());
  });
});

describe.each(BACKENDS)('full and fullLike on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it('full fills a shape with a value, f32 unless dtype says otherwise, as fill', async () => {
    const x = tm.full([2, 3], 2.5);
    expect([x.dtype, x.shape, await x.array()]).toEqual(['f32', [2, 3], [[2.5, 2.5, 2.5], [2.5, 2.5, 2.5]]]);
    // An integer value stays f32, as tm.tensor(3) and fill read it (torch.full would make int64).
    expect(tm.full([2], 3).dtype).toBe('f32');
    expect(await tm.full([2], -7, { dtype: 'i8' }).array()).toEqual([-7, -7]);
    expect(await tm.full([], NaN).array()).toBeNaN();
    expect(Array.from(await tm.full([2], 0.1, { dtype: 'f16' }).data())).toEqual([roundF16(0.1), roundF16(0.1)]);
    expect(tm.full([0, 4], 1).shape).toEqual([0, 4]);
  });

  it('fullLike takes x\'s shape, dtype and backend, or the dtype given', async () => {
    const x = tm.tensor([[1, 2, 3]], [1, 3], { dtype: 'i32' });
    const y = tm.fullLike(x, 9);
    expect([y.dtype, y.shape, await y.array()]).toEqual(['i32', [1, 3], [[9, 9, 9]]]);
    const z = tm.fullLike(x, 0.5, { dtype: 'f16' });
    expect([z.dtype, await z.array()]).toEqual(['f16', [[0.5, 0.5, 0.5]]]);
    expect(await tm.fullLike(tm.zeros([2]), -Infinity).array()).toEqual([-Infinity, -Infinity]);
    expect(tm.backend()).toBe(backend);
  });

  it('refuse a value the dtype cannot hold, and bad shapes and options, naming the call', () => {
    expect(() => tm.full([2], 2.5, { dtype: 'i32' })).toThrow(/full: value 2.5 at flat index 0 is not an integer in i32's range/);
    expect(() => tm.fullLike(tm.zeros([2], { dtype: 'i8' }), 300)).toThrow(/fullLike: value 300 at flat index 0 is not an integer in i8's range/);
    expect(() => tm.full([-1], 1)).toThrow(/full/);
    expect(() => tm.full([2], '1' as never)).toThrow(/full: value must be a number, got "1"/);
    expect(() => tm.fullLike(tm.zeros([2]), 1, { dtype: 'f64' as never })).toThrow(/fullLike/);
    expect(() => tm.fullLike([1, 2] as never, 1)).toThrow(/fullLike: x must be a Tensor/);
    expect(() => tm.full([2], 1, { dtpye: 'f16' } as never)).toThrow(/full: unknown option "dtpye"/);
  });
});
