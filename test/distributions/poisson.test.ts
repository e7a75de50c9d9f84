// tm.poisson (torch.poisson) on every backend: one draw per rate, by the
// Poisson distribution's sampler, so 20,000 draws at rates either side of
// its switch (counted uniforms below 10, PTRS from 10) have every likely
// count as often as its probability, and their mean and variance, within 6
// standard errors (fixed seeds: the same draws every run); rates' shape and
// float dtype kept (f32 for ints); seeded reproducibility without moving
// setSeed's sequence; no gradient; negative and NaN rates refused on js and
// native as PyTorch refuses them, and what webgpu gives for them.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectCountFrequencies, expectMoments } from '../helpers/distributions.js';
import { lgammaRef } from '../helpers/special.js';

const poissonPmf = (k: number, rate: number) => (rate === 0 ? +(k === 0) : Math.exp(k * Math.log(rate) - rate - lgammaRef(k + 1)));

describe.each(BACKENDS)('tm.poisson on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it('draws counts at rates either side of 10 (and 0) as often as their probabilities, mean and variance the rate, within 6 standard errors', async () => {
    const n = 20000;
    const rates = [0, 0.4, 3, 9.9, 10, 37, 400].map(Math.fround);
    const x = tm.poisson(tm.broadcastTo(tm.tensor(rates), [n, rates.length]), { seed: 31 });
    expect([x.shape, x.dtype]).toEqual([[n, rates.length], 'f32']);
    const values = await x.data();
    expectCountFrequencies(values, n, rates.length, (c, j) => poissonPmf(c, rates[j]), 'poisson', 6);
    expectMoments(values, n, rates, rates, 'poisson', 6);
  });

  it('keeps rates\' shape and float dtype (f32 for ints), and takes no gradient', async () => {
    const half = tm.poisson(tm.tensor([[1, 20], [0, 3]], [2, 2], { dtype: 'f16' }), { seed: 1 });
    expect([half.shape, half.dtype]).toEqual([[2, 2], 'f16']);
    expect((await half.array() as number[][])[1][0]).toBe(0);
    const ints = tm.poisson(tm.tensor([2, 5, 0], [3], { dtype: 'i32' }), { seed: 1 });
    expect([ints.dtype, Array.from(await ints.data()).every((v) => Number.isInteger(v) && v >= 0)]).toEqual(['f32', true]);
    const rates = tm.tensor([4, 50]);
    rates.requiresGrad = true;
    expect(tm.poisson(rates).requiresGrad).toBe(false);
    expect(tm.poisson(tm.zeros([0, 3])).shape).toEqual([0, 3]);
  });

  it('the same seed gives the same draws, another seed others, and setSeed\'s sequence is left where it was', async () => {
    const rates = tm.tensor([0.5, 4, 12, 300]);
    const a = await tm.poisson(rates, { seed: 8 }).data();
    expect(await tm.poisson(rates, { seed: 8 }).data()).toEqual(a);
    const others = await Promise.all([9, 10, 11].map(async (seed) => Array.from(await tm.poisson(rates, { seed }).data())));
    expect(others.some((o) => o.join() !== Array.from(a).join())).toBe(true);
    tm.setSeed(5);
    const unseeded = await tm.rand([3]).data();
    tm.setSeed(5);
    tm.poisson(rates, { seed: 8 }).dispose();
    expect(await tm.rand([3]).data()).toEqual(unseeded);
    tm.setRandomState(null);
    tm.poisson(rates, { seed: 8 }).dispose();
    expect(tm.getRandomState()).toBeNull();
  });

  it(backend === 'webgpu' ? 'a negative rate draws 0 and NaN draws NaN on webgpu, which cannot look at rates without waiting for the GPU' : 'refuses a negative or NaN rate, as PyTorch ("invalid Poisson rate")', async () => {
    if (backend === 'webgpu') {
      const v = Array.from(await tm.poisson(tm.tensor([-2, NaN, 3]), { seed: 4 }).data());
      expect([v[0], v[1]]).toEqual([0, NaN]);
      return;
    }
    expect(() => tm.poisson(tm.tensor([1, -2]))).toThrow(new tm.ValueError('poisson: rates [2] hold a negative or NaN rate; a Poisson rate must be ≥ 0'));
    expect(() => tm.poisson(tm.tensor([[NaN]]))).toThrow(/poisson: rates \[1,1\] hold a negative or NaN rate/);
  });
});

describe('tm.poisson', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('refuses what is not a tensor, bad seeds and unknown options, naming them', () => {
    expect(() => tm.poisson([1, 2] as never)).toThrow(/poisson: rates must be a Tensor/);
    expect(() => tm.poisson(tm.tensor([1]), { seed: -3 })).toThrow(/poisson: seed must be an integer in \[0, 2\^32\), got -3/);
    expect(() => tm.poisson(tm.tensor([1]), { generator: 1 } as never)).toThrow(/poisson: unknown option "generator"/);
  });

  it('leaves nothing behind, the refused call included', () => {
    const [good, bad] = [tm.tensor([1, 20]), tm.tensor([-1])];
    const before = tm.memory().numTensors;
    tm.poisson(good, { seed: 2 }).dispose();
    expect(() => tm.poisson(bad)).toThrow(tm.ValueError);
    expect(tm.memory().numTensors).toBe(before);
  });
});
