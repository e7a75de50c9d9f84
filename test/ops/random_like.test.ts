// randLike, randnLike, randintLike and normal (torch.rand_like, randn_like,
// randint_like, torch.normal) on every backend: x's shape, dtype and
// backend taken; a seed gives exactly rand's, randn's and randint's values
// for it (so the same on every backend); sample means and spreads within 6
// standard errors of the distribution's (fixed seeds, and a tolerance no
// honest sample of that size misses: ~2·10⁻⁹ per check); normal's
// broadcasting and its gradients (dy to the mean, dy·z to the std); and
// refusals naming the call.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';

function stats(v: ArrayLike<number>): { mean: number; variance: number } {
  const a = Array.from(v);
  const mean = a.reduce((s, x) => s + x, 0) / a.length;
  return { mean, variance: a.reduce((s, x) => s + (x - mean) ** 2, 0) / (a.length - 1) };
}

/** 6 standard errors of a sample mean of n draws of variance σ². */
const meanTolerance = (variance: number, n: number) => 6 * Math.sqrt(variance / n);
/** 6 standard errors of a sample variance of n draws: √((μ₄ − σ⁴)/n), μ₄ the fourth central moment. */
const varianceTolerance = (variance: number, fourthMoment: number, n: number) => 6 * Math.sqrt((fourthMoment - variance ** 2) / n);

const N = 20000;

describe.each(BACKENDS)('random tensors like others on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it('randLike and randnLike take x\'s shape and dtype, and a seed gives rand\'s and randn\'s values for it', async () => {
    for (const dtype of ['f32', 'f16'] as const) {
      const x = tm.zeros([3, 5, 2], { dtype });
      const u = tm.randLike(x, { seed: 7 });
      expect([u.shape, u.dtype]).toEqual([[3, 5, 2], dtype]);
      expect(await u.data()).toEqual(await tm.rand([3, 5, 2], { seed: 7, dtype }).data());
      const z = tm.randnLike(x, { seed: 7 });
      expect([z.shape, z.dtype]).toEqual([[3, 5, 2], dtype]);
      expect(await z.data()).toEqual(await tm.randn([3, 5, 2], { seed: 7, dtype }).data());
      expect(await tm.randnLike(x, { seed: 8 }).data()).not.toEqual(await z.data());
    }
    // An int x with a float dtype given (torch.rand_like(x, dtype=float)).
    const ints = tm.zeros([4], { dtype: 'i32' });
    expect(tm.randLike(ints, { dtype: 'f16' }).dtype).toBe('f16');
    expect(tm.randnLike(tm.zeros([0, 3])).shape).toEqual([0, 3]);
  });

  it('randLike is uniform on [0, 1) and randnLike standard normal, within 6 standard errors', async () => {
    const x = tm.zeros([N]);
    const u = Array.from(await tm.randLike(x, { seed: 21 }).data());
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    const su = stats(u);
    // Uniform: σ² = 1/12, μ₄ = 1/80.
    expect(Math.abs(su.mean - 0.5)).toBeLessThan(meanTolerance(1 / 12, N));
    expect(Math.abs(su.variance - 1 / 12)).toBeLessThan(varianceTolerance(1 / 12, 1 / 80, N));
    const sz = stats(await tm.randnLike(x, { seed: 22 }).data());
    // Normal: σ² = 1, μ₄ = 3.
    expect(Math.abs(sz.mean)).toBeLessThan(meanTolerance(1, N));
    expect(Math.abs(sz.variance - 1)).toBeLessThan(varianceTolerance(1, 3, N));
  });

  it('randintLike draws integers in [low, high) in x\'s dtype (a float x gets whole floats), high alone meaning [0, high)', async () => {
    const x = tm.zeros([N]);
    const a = tm.randintLike(x, -3, 5, { seed: 4 });
    expect(a.dtype).toBe('f32');
    const values = Array.from(await a.data());
    expect(values).toEqual(Array.from(await tm.randint(-3, 5, [N], { seed: 4, dtype: 'f32' }).data()));
    expect(values.every((v) => Number.isInteger(v) && v >= -3 && v < 5)).toBe(true);
    // Uniform over 8 integers: mean 0.5, σ² = (8² − 1)/12, μ₄ = (8² − 1)(3·8² − 7)/240.
    const s = stats(values);
    expect(Math.abs(s.mean - 0.5)).toBeLessThan(meanTolerance(63 / 12, N));
    expect(Math.abs(s.variance - 63 / 12)).toBeLessThan(varianceTolerance(63 / 12, (63 * 185) / 240, N));
    for (let k = -3; k < 5; k++) expect(values.includes(k), `${k} drawn`).toBe(true);
    const ints = tm.zeros([2, 50], { dtype: 'i8' });
    const b = tm.randintLike(ints, 3, { seed: 5 });
    expect([b.dtype, b.shape]).toEqual(['i8', [2, 50]]);
    expect(await b.data()).toEqual(await tm.randint(0, 3, [2, 50], { seed: 5, dtype: 'i8' }).data());
    expect(await tm.randintLike(ints, 3, { seed: 5 }).data()).toEqual(await tm.randintLike(ints, 0, 3, { seed: 5 }).data());
    expect(tm.randintLike(ints, 0, 3, { dtype: 'i32' }).dtype).toBe('i32');
  });

  it('normal broadcasts tensor means and stds: mean + std·z, z randn\'s draws for the seed', async () => {
    const mean = tm.tensor([[-3], [10]]);
    const std = tm.tensor([0.5, 2, 0]);
    const y = tm.normal(mean, std, { seed: 3 });
    expect([y.shape, y.dtype]).toEqual([[2, 3], 'f32']);
    const z = Array.from(await tm.randn([2, 3], { seed: 3 }).data());
    const m = [-3, -3, -3, 10, 10, 10];
    const s = [0.5, 2, 0, 0.5, 2, 0];
    const got = Array.from(await y.data());
    got.forEach((v, i) => expect(v, `entry ${i}`).toBeCloseTo(m[i] + s[i] * z[i], 5));
    // A number on either side, and the f16 of a tensor mean.
    expect(await tm.normal(1, tm.tensor([2, 3]), { seed: 9 }).data()).toEqual(await tm.normal(tm.tensor([1, 1]), tm.tensor([2, 3]), { seed: 9 }).data());
    const half = tm.normal(tm.zeros([4], { dtype: 'f16' }), 1, { seed: 9 });
    expect(half.dtype).toBe('f16');
    expect(tm.normal(tm.zeros([4], { dtype: 'i32' }), 1).dtype).toBe('f32');
    expect(tm.normal(tm.zeros([4]), 1, { dtype: 'f16' }).dtype).toBe('f16');
  });

  it('normal of numbers draws `shape` (one by default), randn\'s values for the seed', async () => {
    const y = tm.normal(2, 3, { shape: [4, 5], seed: 6 });
    expect([y.shape, y.dtype]).toEqual([[4, 5], 'f32']);
    expect(await y.data()).toEqual(await tm.randn([4, 5], { seed: 6, mean: 2, std: 3 }).data());
    expect(tm.normal(0, 1).shape).toEqual([]);
  });

  it('normal\'s rows have their mean and std, within 6 standard errors', async () => {
    const mean = tm.add(tm.tensor([[-3], [10]]), tm.zeros([1, N]));
    const std = tm.tensor([[0.5], [2]]);
    const y = tm.normal(mean, std, { seed: 12 });
    const v = await y.data();
    for (const [row, mu, sigma] of [[0, -3, 0.5], [1, 10, 2]]) {
      const s = stats(v.subarray(row * N, (row + 1) * N));
      expect(Math.abs(s.mean - mu), `row ${row}'s mean`).toBeLessThan(meanTolerance(sigma ** 2, N));
      expect(Math.abs(s.variance - sigma ** 2), `row ${row}'s variance`).toBeLessThan(varianceTolerance(sigma ** 2, 3 * sigma ** 4, N));
    }
  });

  it('normal is differentiable: dy to the mean, dy·z to the std, summed over broadcast copies', async () => {
    const mean = tm.tensor([1, -2, 0.5]);
    const std = tm.tensor([[0.5], [2]]);
    mean.requiresGrad = true;
    std.requiresGrad = true;
    const y = tm.normal(mean, std, { seed: 17 });
    const dy = [1, 2, 3, -1, 0.5, 4];
    y.mul(tm.tensor(dy, [2, 3])).sum().backward();
    const z = Array.from(await tm.randn([2, 3], { seed: 17 }).data());
    const dMean = [0, 1, 2].map((j) => dy[j] + dy[3 + j]);
    const dStd = [0, 1].map((i) => [0, 1, 2].reduce((s, j) => s + dy[3 * i + j] * z[3 * i + j], 0));
    Array.from(await mean.grad!.data()).forEach((g, i) => expect(g, `dmean ${i}`).toBeCloseTo(dMean[i], 5));
    Array.from(await std.grad!.data()).forEach((g, i) => expect(g, `dstd ${i}`).toBeCloseTo(dStd[i], 5));
  });

  it(backend === 'webgpu' ? 'normal with a negative std tensor draws mean − |std|·z on webgpu' : 'normal refuses a negative or NaN std tensor, as PyTorch', async () => {
    const std = tm.tensor([1, -1]);
    if (backend === 'webgpu') {
      const z = Array.from(await tm.randn([2], { seed: 2 }).data());
      const y = Array.from(await tm.normal(0, std, { seed: 2 }).data());
      expect(y[1]).toBeCloseTo(-z[1], 6);
      return;
    }
    expect(() => tm.normal(0, std)).toThrow(new tm.ValueError('normal: std [2] holds a negative or NaN value; a standard deviation must be ≥ 0'));
    expect(() => tm.normal(tm.zeros([2]), tm.tensor([1, NaN]))).toThrow(/normal: std \[2\] holds a negative or NaN value/);
  });
});

describe('random tensors like others', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('refuse int dtypes for float draws, bad seeds, ranges and options, naming the call', () => {
    const ints = tm.zeros([3], { dtype: 'i32' });
    expect(() => tm.randLike(ints)).toThrow(new tm.DTypeError("randLike: draws floats, and x is i32; pass { dtype: 'f32' } (or 'f16')"));
    expect(() => tm.randnLike(tm.zeros([3]), { dtype: 'i8' })).toThrow(/randnLike: draws floats, and dtype i8 is not one/);
    expect(() => tm.randLike(tm.zeros([3]), { seed: -1 })).toThrow(/randLike: seed must be an integer in \[0, 2\^32\), got -1/);
    expect(() => tm.randnLike(tm.zeros([3]), { sed: 1 } as never)).toThrow(/randnLike: unknown option "sed"/);
    expect(() => tm.randLike([1] as never)).toThrow(/randLike: x must be a Tensor/);
    expect(() => tm.randintLike(ints, 5, 5)).toThrow(new tm.ValueError('randintLike: low 5 must be less than high 5'));
    expect(() => tm.randintLike(ints, 0.5, 5)).toThrow(/randintLike: low must be an integer, got 0.5/);
    expect(() => tm.randintLike(tm.zeros([3], { dtype: 'i8' }), 0, 200)).toThrow(/randintLike: values in \[0, 200\) do not all fit i8, which holds integers -128 … 127 exactly/);
    expect(() => tm.randintLike(tm.zeros([3], { dtype: 'f16' }), 0, 5000)).toThrow(/randintLike: values in \[0, 5000\) do not all fit f16/);
    expect(() => tm.randintLike(ints, 3, { seed: 1.5 })).toThrow(/randintLike: seed must be an integer/);
  });

  it('normal refuses bad means, stds, shapes and dtypes, naming them', () => {
    expect(() => tm.normal(0, -1)).toThrow(new tm.ValueError('normal: std must not be negative, got -1'));
    expect(() => tm.normal(tm.zeros([2]), -0.5)).toThrow(/normal: std must not be negative, got -0.5/);
    expect(() => tm.normal(NaN, 1)).toThrow(/normal: mean must be a Tensor or a finite number, got NaN/);
    expect(() => tm.normal(0, '1' as never)).toThrow(/normal: std must be a Tensor or a finite number, got "1"/);
    expect(() => tm.normal(tm.zeros([2]), 1, { shape: [2] })).toThrow(/normal: shape is for a number mean and std/);
    expect(() => tm.normal(tm.zeros([2]), tm.ones([3]))).toThrow(/normal/);
    expect(() => tm.normal(0, 1, { dtype: 'i32' })).toThrow(/normal: draws floats; dtype i32 is not one/);
    expect(() => tm.normal(0, 1, { shape: [-1] })).toThrow(/normal/);
    expect(() => tm.normal(0, 1, { seed: 2 ** 32 })).toThrow(/normal: seed must be an integer/);
  });

  it('leave nothing behind', () => {
    const [mean, std, negative] = [tm.zeros([3]), tm.ones([2, 1]), tm.tensor([-1])];
    const before = tm.memory().numTensors;
    tm.normal(mean, std, { seed: 1 }).dispose();
    expect(() => tm.normal(mean, negative)).toThrow(tm.ValueError);
    tm.randintLike(mean, 4).dispose();
    expect(tm.memory().numTensors).toBe(before);
  });
});
