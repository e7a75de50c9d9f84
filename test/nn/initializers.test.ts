// tm.nn.init: torch.nn.init's initialisers, filling a tensor in place (the
// same object, so an optimizer holding it sees the new values), their
// statistics against the distributions' float64 moments over 20,000 draws
// (within five standard errors), orthogonality, fans in tmnn's layouts, and
// errors, on every backend.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose } from '../helpers/data.js';
import { collected } from '../helpers/gc.js';

const init = tm.nn.init;

function moments(v: ArrayLike<number>): { mean: number; variance: number } {
  let mean = 0;
  for (let i = 0; i < v.length; i++) mean += v[i];
  mean /= v.length;
  let variance = 0;
  for (let i = 0; i < v.length; i++) variance += (v[i] - mean) ** 2;
  return { mean, variance: variance / (v.length - 1) };
}

/** The sample's mean and variance within five standard errors of the distribution's (variance's error from its fourth moment, ≤ 3σ⁴ for these). */
function expectMoments(v: ArrayLike<number>, mean: number, variance: number): void {
  const got = moments(v);
  expect(Math.abs(got.mean - mean), `mean ${got.mean} vs ${mean}`).toBeLessThanOrEqual(5 * Math.sqrt(variance / v.length));
  expect(Math.abs(got.variance - variance), `variance ${got.variance} vs ${variance}`).toBeLessThanOrEqual(5 * variance * Math.sqrt(2 / v.length) + 1e-12);
}

const phi = (x: number) => Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI);

/** Φ by the complementary error function's continued fraction and series (float64). */
function cdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  let erf: number;
  if (z < 2.5) {
    let term = z;
    let sum = z;
    for (let n = 1; n < 200; n++) sum += (term *= (-z * z) / n) / (2 * n + 1);
    erf = (2 / Math.sqrt(Math.PI)) * sum;
  } else {
    let f = 0;
    for (let n = 60; n >= 1; n--) f = n / 2 / (z + f);
    erf = 1 - Math.exp(-z * z) / Math.sqrt(Math.PI) / (z + f);
  }
  return 0.5 * (1 + Math.sign(x) * erf);
}

describe.each(BACKENDS)('tm.nn.init on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('fills in place: the same tensor, its requiresGrad kept, the old values freed, a seed giving the same values again', async () => {
    const w = tm.zeros([100, 200]);
    w.requiresGrad = true;
    const before = await collected();
    expect(init.uniform(w, { low: -1, high: 3, seed: 7 })).toBe(w);
    expect(w.requiresGrad).toBe(true);
    expect(tm.memory().numTensors).toBe(before);
    const v = await w.data();
    expect(Math.min(...v)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...v)).toBeLessThan(3);
    expectMoments(v, 1, 16 / 12);
    expectClose(await init.uniform(tm.zeros([100, 200]), { low: -1, high: 3, seed: 7 }).data(), v, 0, 'seeded');
  });

  it('normal and truncNormal have their distributions\' moments; truncNormal stays inside [a, b]', async () => {
    expectMoments(await init.normal(tm.zeros([20000]), { mean: 2, std: 0.5 }).data(), 2, 0.25);
    const [mean, std, a, b] = [0.5, 2, -1, 4];
    const v = await init.truncNormal(tm.zeros([20000]), { mean, std, a, b }).data();
    expect(Math.min(...v)).toBeGreaterThanOrEqual(a);
    expect(Math.max(...v)).toBeLessThanOrEqual(b);
    const [alpha, beta] = [(a - mean) / std, (b - mean) / std];
    const z = cdf(beta) - cdf(alpha);
    const shift = (phi(alpha) - phi(beta)) / z;
    expectMoments(v, mean + std * shift, std * std * (1 + (alpha * phi(alpha) - beta * phi(beta)) / z - shift * shift));
  });

  it('xavier and kaiming take their fans from tmnn\'s layouts: Dense [in, out], convolutions [filters, channels, ...window]', async () => {
    const dense = tm.zeros([300, 100]); // fanIn 300, fanOut 100
    expectMoments(await init.xavierNormal(dense, { gain: 2 }).data(), 0, 4 * 2 / 400);
    expectMoments(await init.xavierUniform(dense).data(), 0, (6 / 400) / 3);
    const conv = tm.zeros([16, 8, 5, 5]); // fanIn 8·25 = 200, fanOut 16·25 = 400
    expectMoments(await init.kaimingNormal(conv).data(), 0, 2 / 200);
    expectMoments(await init.kaimingNormal(conv, { mode: 'fanOut', nonlinearity: 'tanh' }).data(), 0, (25 / 9) / 400);
    expectMoments(await init.kaimingUniform(conv, { a: 0.2 }).data(), 0, (2 / 1.04) / 200);
    expect(init.fans(conv)).toEqual([200, 400]);
    expect(init.fans(dense)).toEqual([300, 100]);
  });

  it('orthogonal gives orthonormal columns (tall) or rows (wide), times the gain, a convolution seen as [filters, the rest]', async () => {
    for (const [shape, gain] of [[[7, 4], 1], [[3, 2, 2, 2], 2]] as const) {
      const w = init.orthogonal(tm.zeros([...shape]), { gain });
      const m = w.reshape([shape[0], -1]);
      const tall = m.shape[0] >= m.shape[1];
      const gram = tall ? m.matmul(m, { transposeA: true }) : m.matmul(m, { transposeB: true });
      const k = gram.shape[0];
      expectClose(await gram.data(), Array.from({ length: k * k }, (_, i) => (Math.floor(i / k) === i % k ? gain * gain : 0)), 1e-5, `${shape}`);
    }
  });

  it('constant, zeros, ones and eye; an f16 tensor filled in f16', async () => {
    expectClose(await init.constant(tm.ones([2, 2]), 0.25).data(), [0.25, 0.25, 0.25, 0.25], 0);
    expectClose(await init.zeros(tm.ones([3])).data(), [0, 0, 0], 0);
    expectClose(await init.ones(tm.zeros([3])).data(), [1, 1, 1], 0);
    expectClose(await init.eye(tm.zeros([2, 3])).data(), [1, 0, 0, 0, 1, 0], 0);
    const half = init.normal(tm.zeros([4], { dtype: 'f16' }));
    expect(half.dtype).toBe('f16');
  });

  it('calculateGain has PyTorch\'s values', () => {
    expect(init.calculateGain('relu')).toBeCloseTo(Math.SQRT2, 12);
    expect(init.calculateGain('tanh')).toBeCloseTo(5 / 3, 12);
    expect(init.calculateGain('leakyRelu', 0.2)).toBeCloseTo(Math.sqrt(2 / 1.04), 12);
    expect(init.calculateGain('selu')).toBe(0.75);
    expect(init.calculateGain('sigmoid')).toBe(1);
  });

  it('refuses what it cannot fill, naming it', () => {
    expect(() => init.xavierUniform(tm.zeros([5]))).toThrow(/rank 2 or more.*\[5\]/);
    expect(() => init.normal(tm.zeros([2], { dtype: 'i32' }))).toThrow(/fills f32 and f16 tensors, this one is i32/);
    expect(() => init.uniform(tm.zeros([2]), { low: 2, high: 1 })).toThrow(/low 2 must be at most high 1/);
    expect(() => init.kaimingNormal(tm.zeros([2, 2]), { mode: 'fan_in' as 'fanIn' })).toThrow(/mode must be 'fanIn' or 'fanOut'/);
    expect(() => init.calculateGain('gelu' as 'relu')).toThrow(/unknown nonlinearity "gelu"/);
    expect(() => init.normal(tm.zeros([2]), { sd: 1 } as unknown as { std: number })).toThrow(/sd/);
    expect(() => init.eye(tm.zeros([2, 2, 2]))).toThrow(/rank-2/);
  });
});
