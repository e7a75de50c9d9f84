// tm.nn.init: torch.nn.init's initialisers, filling a tensor in place (the
// same object, so an optimizer holding it sees the new values), their
// statistics against the distributions' float64 moments over 20,000 draws
// (within five standard errors), orthogonality, dirac's ones against their
// positions and the identity convolution it makes, sparse's zeros per row,
// fans in tmnn's layouts, and errors, on every backend.
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

  it('dirac puts a one at the window\'s centre of filter d and channel d in each group, rank 3 to 5, and a same-size convolution then copies its input', async () => {
    for (const [shape, groups] of [[[4, 2, 3], 1], [[6, 3, 3, 3], 2], [[3, 4, 1, 2], 1], [[2, 5, 2, 4, 5], 1], [[6, 1, 7], 3]] as const) {
      const w = init.dirac(tm.ones([...shape]), groups);
      const [filters, channels, ...window] = shape;
      const area = window.reduce((a: number, b: number) => a * b, 1);
      const perGroup = filters / groups;
      // Entry (o, c, position): 1 where c is o's place in its group and every window index is its size's floor half.
      const want = Array.from({ length: filters * channels * area }, (_, i) => {
        const [o, c] = [Math.floor(i / (channels * area)), Math.floor(i / area) % channels];
        let rest = i % area;
        const centred = [...window].reverse().every((size) => {
          const at = rest % size;
          rest = Math.floor(rest / size);
          return at === Math.floor(size / 2);
        });
        return centred && o % perGroup === c ? 1 : 0;
      });
      expectClose(await w.data(), want, 0, `dirac ${shape} groups ${groups}`);
    }
    const conv = new tm.nn.Conv2d(6, 6, [3, 5], { padding: [1, 2], groups: 3, bias: false });
    init.dirac(conv.weight, 3);
    const x = tm.randn([2, 6, 7, 13], { seed: 4 });
    expectClose(await conv.forward(x).data(), await x.data(), 1e-6, 'identity convolution');
    conv.dispose();
  });

  it('sparse zeroes ⌈sparsity · outputs⌉ of each input\'s weights (a row of Dense\'s [in, out]) at random, the rest N(0, std²)', async () => {
    const [inputs, outputs, sparsity, std] = [50, 401, 0.3, 0.5];
    const w = tm.zeros([inputs, outputs]);
    w.requiresGrad = true;
    expect(init.sparse(w, sparsity, { std, seed: 3 })).toBe(w);
    expect(w.requiresGrad).toBe(true);
    const v = await w.data();
    const zeroed = Math.ceil(sparsity * outputs);
    const rows = Array.from({ length: inputs }, (_, i) => Array.from(v.slice(i * outputs, (i + 1) * outputs)));
    for (const row of rows) expect(row.filter((e) => e === 0).length).toBe(zeroed);
    const zerosAt = rows.map((row) => row.map((e, j) => (e === 0 ? j : -1)).filter((j) => j >= 0).join());
    expect(new Set(zerosAt).size, 'each row its own zeros').toBe(inputs);
    expectMoments(Array.from(v).filter((e) => e !== 0), 0, std * std);
    expectClose(await init.sparse(tm.ones([inputs, outputs]), sparsity, { std, seed: 3 }).data(), v, 0, 'seeded');
    expect(Array.from(await init.sparse(tm.ones([3, 7]), 0).data()).every((e) => e !== 0)).toBe(true);
    expect(Array.from(await init.sparse(tm.ones([3, 7]), 1).data()).every((e) => e === 0)).toBe(true);
    expect(Array.from(await init.sparse(tm.ones([1, 13]), 0.1, { std: 0.01 }).data()).filter((e) => e === 0).length).toBe(2);
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
    expect(() => init.dirac(tm.zeros([2, 2]))).toThrow("dirac: needs a convolution's weight of rank 3, 4 or 5, got [2,2]");
    expect(() => init.dirac(tm.zeros([6, 2, 3]), 4)).toThrow('dirac: groups must be a positive integer dividing the 6 filters of [6,2,3], got 4');
    expect(() => init.dirac(tm.zeros([6, 2, 3]), 0)).toThrow('got 0');
    expect(() => init.sparse(tm.zeros([2, 2, 2]), 0.5)).toThrow("sparse: needs a rank-2 tensor (Dense's [in, out]), got [2,2,2]");
    expect(() => init.sparse(tm.zeros([2, 2]), 1.5)).toThrow('sparse: sparsity must be a fraction in [0, 1], got 1.5');
    expect(() => init.sparse(tm.zeros([2, 2]), 0.5, { std: -1 })).toThrow('sparse: std must be ≥ 0, got -1');
    expect(() => init.sparse(tm.zeros([2, 2], { dtype: 'i32' }), 0.5)).toThrow(/fills f32 and f16 tensors, this one is i32/);
  });
});
