// rsample of the distributions drawn through Gamma (Gamma, Chi2, Beta,
// Dirichlet, StudentT) on every backend: each Gamma draw's gradient in α is
// the slope of the quantile at the draw's own level, −(∂P/∂α)/(∂P/∂x),
// against float64 central differences of the incomplete gamma function at
// concentrations from 1e-3 to 10⁴; over 20,000 draws the mean gradient of each
// family is the derivative of its mean (of E[x²] for StudentT) within 5
// standard errors; sample stays out of the graph and replays rsample's draws
// under one seed; memory is flat after a backward pass.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, uniform } from '../helpers/data.js';
import { meanAndError } from '../helpers/distributions.js';
import { collected } from '../helpers/gc.js';
import { gammaQuantileSlopeRef } from '../helpers/special.js';
import { expectWithin, logSpace } from '../helpers/special_functions.js';

const { Gamma, Chi2, Beta, Dirichlet, StudentT } = tm.distributions;
const N = 20000;
/** Each test compiles a few hundred kernels on webgpu (the slope's series and fraction): minutes on lavapipe under CI's load. */
const SLOW = 120_000;

/** A parameter of `n` copies of `value`, one per draw, so that each draw's gradient is an entry of its .grad. */
function perDraw(value: number, n = N): tm.Tensor {
  const t = tm.fill([n], value);
  t.requiresGrad = true;
  return t;
}

/** The gradient's mean over draws is `want` within 5 standard errors (and f32's rounding of the sum). */
async function expectMeanGradient(grad: tm.Tensor, want: number, what: string): Promise<void> {
  const { mean, error } = meanAndError(await grad.data());
  expect(Math.abs(mean - want), `${what}: mean gradient ${mean}, want ${want} ± 5·${error}`).toBeLessThanOrEqual(5 * error + 1e-5 * Math.abs(want));
}

describe.each(BACKENDS)('rsample through Gamma on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('Gamma: each draw moves with α as its quantile, dx/dα = −(∂P/∂α)/(∂P/∂x)/β at β·x, α from 1e-3 to 10⁴; dx/dβ = −x/β', async () => {
    const alphas = logSpace(1e-3, 1e4, 29).map(Math.fround);
    // Rates at most 1, so that x = G/β stays a normal number where G is clamped to f32's least one.
    const rates = Array.from(asF32(uniform(alphas.length, 0.5, 1)));
    const concentration = tm.tensor(alphas);
    const rate = tm.tensor(rates);
    concentration.requiresGrad = true;
    rate.requiresGrad = true;
    const x = new Gamma(concentration, rate).rsample([4]);
    expect(x.shape).toEqual([4, alphas.length]);
    x.sum().backward();
    const draws = await x.data();
    const at = (i: number, j: number) => draws[i * alphas.length + j];
    const slope = alphas.map((a, j) => [0, 1, 2, 3].reduce((s, i) => s + gammaQuantileSlopeRef(a, rates[j] * at(i, j)) / rates[j], 0));
    const where = (j: number) => `α ${alphas[j]}, draws ${[0, 1, 2, 3].map((i) => at(i, j)).join(' ')}`;
    expectWithin('dx/dα', await concentration.grad!.data(), slope, (_j, w) => 4e-6 * Math.abs(w), where);
    const byRate = rates.map((b, j) => [0, 1, 2, 3].reduce((s, i) => s - at(i, j) / b, 0));
    expectWithin('dx/dβ', await rate.grad!.data(), byRate, (_j, w) => 4e-6 * Math.abs(w), where);
    for (const t of [concentration, rate, x]) t.dispose();
  }, SLOW);

  it('over 20,000 draws the mean gradient is the derivative of the mean: Gamma 1/β, Chi2 1, Beta ∂(a/(a + b)), Dirichlet ∂(α₀/Σα)', async () => {
    for (const [alpha, beta] of [[0.3, 2], [4.5, 0.7]]) {
      const a = perDraw(alpha);
      new Gamma(a, beta).rsample().sum().backward();
      await expectMeanGradient(a.grad!, 1 / beta, `Gamma(${alpha}, ${beta})`);
      a.dispose();
    }
    const df = perDraw(3);
    new Chi2(df).rsample().sum().backward();
    await expectMeanGradient(df.grad!, 1, 'Chi2(3)');
    df.dispose();

    const [a, b] = [perDraw(0.6), perDraw(2.5)];
    new Beta(a, b).rsample().sum().backward();
    await expectMeanGradient(a.grad!, 2.5 / 3.1 ** 2, 'Beta(0.6, 2.5), a');
    await expectMeanGradient(b.grad!, -0.6 / 3.1 ** 2, 'Beta(0.6, 2.5), b');
    for (const t of [a, b]) t.dispose();

    const alphas = [1.5, 0.4, 3];
    const total = alphas.reduce((s, v) => s + v, 0);
    const concentration = tm.tile(tm.tensor([alphas]), [N, 1]);
    concentration.requiresGrad = true;
    // The first category's share: ∂/∂α_k of α₀/Σα is (δₖ₀·Σα − α₀)/(Σα)².
    tm.tidy(() => new Dirichlet(concentration).rsample().slice([0, 0], [N, 1]).sum()).backward();
    const grads = tm.tidy(() => tm.transpose(concentration.grad!));
    for (let k = 0; k < 3; k++) {
      const column = tm.tidy(() => grads.slice([k, 0], [1, N]).reshape([N]));
      await expectMeanGradient(column, ((k === 0 ? total : 0) - alphas[0]) / total ** 2, `Dirichlet(${alphas}), α${k}`);
      column.dispose();
    }
    for (const t of [concentration, grads]) t.dispose();
  }, SLOW);

  it('StudentT: dx/dloc = 1, dx/dσ = (x − loc)/σ at each draw; the mean gradient of (x − loc)² in ν is −2σ²/(ν − 2)²', async () => {
    const [nu, loc, scale] = [perDraw(12), perDraw(0.5), perDraw(1.5)];
    const x = new StudentT(nu, loc, scale).rsample();
    tm.tidy(() => x.sub(0.5).square().sum()).backward();
    const draws = await x.data();
    const centred = Array.from(draws, (v) => v - 0.5);
    // (x − 0.5)², loc = 0.5 held as a tensor: d/dloc = 2(x − loc) (dx/dloc = 1); d/dσ = 2(x − loc)²/σ (dx/dσ = (x − loc)/σ).
    expectWithin('d/dloc', await loc.grad!.data(), centred.map((c) => 2 * c), (_i, w) => 1e-5 * Math.abs(w) + 1e-6, (i) => `${draws[i]}`);
    expectWithin('d/dσ', await scale.grad!.data(), centred.map((c) => (2 * c * c) / 1.5), (_i, w) => 1e-5 * Math.abs(w) + 1e-6, (i) => `${draws[i]}`);
    await expectMeanGradient(nu.grad!, (-2 * 1.5 ** 2) / 10 ** 2, 'StudentT(12, 0.5, 1.5), ν');
    for (const t of [nu, loc, scale, x]) t.dispose();
  }, SLOW);

  it('concentrations of 0.01: Beta\'s and Dirichlet\'s draws and gradients finite (normalised in log space); the heavy tails\' (F, StudentT, InverseGamma) finite wherever the draw is below 1e30', async () => {
    const n = 4000;
    const makers: [string, (c: tm.Tensor) => tm.distributions.Distribution, boolean][] = [
      ['Beta', (c) => new Beta(c, c), true],
      ['Dirichlet', (c) => new Dirichlet(c.reshape([n / 2, 2])), true],
      ['FisherSnedecor', (c) => new tm.distributions.FisherSnedecor(c, c), false],
      ['StudentT', (c) => new StudentT(c), false],
      ['InverseGamma', (c) => new tm.distributions.InverseGamma(c, 1), false],
    ];
    for (const [name, make, bounded] of makers) {
      const c = perDraw(0.01, n);
      const x = make(c).rsample();
      const loss = tm.tidy(() => x.sum());
      loss.backward();
      const [draws, grads] = [await x.data(), await c.grad!.data()];
      const kept = Array.from(draws.keys()).filter((i) => bounded || Math.abs(draws[i]) < 1e30);
      expect(kept.length, name).toBeGreaterThan(n / 4);
      expect(kept.filter((i) => !Number.isFinite(draws[i]) || !Number.isFinite(grads[i])).length, name).toBe(0);
      for (const t of [c, x, loss]) t.dispose();
    }
  }, SLOW);

  it('f16 parameters: the gradient in f16, within f16\'s rounding of the f32 slope', async () => {
    const alphas = [0.2, 1, 7, 300];
    const concentration = tm.tensor(alphas, [4], { dtype: 'f16' });
    concentration.requiresGrad = true;
    const x = new Gamma(concentration, 1).rsample();
    x.sum().backward();
    expect([x.dtype, concentration.grad!.dtype]).toEqual(['f16', 'f16']);
    const draws = await x.data();
    const want = alphas.map((a, j) => gammaQuantileSlopeRef(a, draws[j]));
    expectWithin('f16 dx/dα', await concentration.grad!.data(), want, (_j, w) => 2e-3 * Math.abs(w), (j) => `α ${alphas[j]}, x ${draws[j]}`);
    for (const t of [concentration, x]) t.dispose();
  }, SLOW);

  it('sample replays rsample\'s draws under one seed, out of the graph; memory flat after rsample and backward', async () => {
    const a = tm.tensor([0.5, 3]);
    a.requiresGrad = true;
    for (const make of [() => new Gamma(a, 2), () => new Chi2(a), () => new Beta(a, a), () => new StudentT(a), () => new Dirichlet(a)]) {
      const d = make();
      tm.setSeed(7);
      const drawn = d.rsample([3]);
      tm.setSeed(7);
      const sampled = d.sample([3]);
      expect([drawn.gradFn !== null, sampled.gradFn !== null], d.name).toEqual([true, false]);
      expect(Array.from(await sampled.data()), d.name).toEqual(Array.from(await drawn.data()));
      for (const t of [drawn, sampled]) t.dispose();
    }
    const beta = new Beta(a, 2);
    const before = await collected();
    for (let step = 0; step < 3; step++) {
      const loss = tm.tidy(() => beta.rsample([5]).sum());
      loss.backward();
      loss.dispose();
      a.grad!.dispose();
      a.grad = null;
    }
    expect(tm.memory().numTensors).toBe(before);
    beta.dispose();
    a.dispose();
  }, SLOW);
});
