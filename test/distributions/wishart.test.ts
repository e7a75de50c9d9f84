// tm.distributions.Wishart against float64 written here (Cholesky
// factorisations, log Γₚ and ψ from test/helpers/special.ts): logProb from a
// covariance, a scale_tril or a precision with df and the matrices' batch
// axes broadcasting; entropy, mean, mode (NaN for ν ≤ p + 1) and variance;
// 10,000 Bartlett draws by each entry's mean and variance and by −mean
// logProb; rsample's mean gradients in ν and L the derivatives of
// E[tr X] = ν·tr(LLᵀ); memory; and errors. On every backend.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, uniform } from '../helpers/data.js';
import { covariancesOf, expectMoments, inverseSpd64, logDetSpd64, meanAndError, randomLowerTriangular, randomSpd } from '../helpers/distributions.js';
import { collected } from '../helpers/gc.js';
import { batchOf, matmul64, transpose64 } from '../helpers/linalg.js';
import { digammaRef, lgammaRef } from '../helpers/special.js';

const { Wishart } = tm.distributions;
const LOG_2 = Math.log(2);

/** log Γₚ(a) = p(p − 1)/4·log π + Σᵢ<ₚ log Γ(a − i/2). */
const logMultiGamma = (a: number, p: number) => (p * (p - 1) * Math.log(Math.PI)) / 4 + Array.from({ length: p }, (_, i) => lgammaRef(a - i / 2)).reduce((s, v) => s + v, 0);
const trace = (m: Float64Array, p: number) => Array.from({ length: p }, (_, i) => m[i * p + i]).reduce((s, v) => s + v, 0);

function logDensity(x: Float64Array, nu: number, sigma: Float64Array, p: number): number {
  const tr = trace(matmul64(inverseSpd64(sigma, p), x, p, p, p), p);
  return ((nu - p - 1) / 2) * logDetSpd64(x, p) - tr / 2 - ((nu * p) / 2) * LOG_2 - (nu / 2) * logDetSpd64(sigma, p) - logMultiGamma(nu / 2, p);
}

function entropyRef(nu: number, sigma: Float64Array, p: number): number {
  const digammas = Array.from({ length: p }, (_, i) => digammaRef(nu / 2 - i / 2)).reduce((s, v) => s + v, 0);
  return ((p + 1) / 2) * logDetSpd64(sigma, p) + ((p * (p + 1)) / 2) * LOG_2 + logMultiGamma(nu / 2, p) + (nu * p) / 2 - ((nu - p - 1) / 2) * digammas;
}

describe.each(BACKENDS)('Wishart on %s', (backend) => {
  const tol = backend === 'webgpu' ? 1e-4 : 1e-5;

  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each(['covariance', 'scaleTril', 'precision'] as const)('from %s: logProb at values [3, 2, p, p] against df [2] and matrices [2, p, p]; entropy, mean, mode, variance', async (kind) => {
    const p = 3;
    const matrices = batchOf(2, () => (kind === 'scaleTril' ? randomLowerTriangular(p) : randomSpd(p)));
    const sigmas = covariancesOf(kind, matrices, 2, p);
    // ν = 3.5 has no mode (ν ≤ p + 1); the other has.
    const df = [3.5, Math.fround(uniform(1, 5, 9)[0])];
    const d = new Wishart(tm.tensor(df), { [kind]: tm.tensor(matrices, [2, p, p]) } as tm.distributions.MultivariateNormalSpread);
    expect([d.batchShape, d.eventShape]).toEqual([[2], [p, p]]);
    const values = batchOf(6, () => randomSpd(p));
    const got = d.logProb(tm.tensor(values, [3, 2, p, p]));
    expect(got.shape).toEqual([3, 2]);
    const want = Array.from({ length: 6 }, (_, i) => logDensity(values.subarray(i * p * p, (i + 1) * p * p), df[i % 2], sigmas[i % 2], p));
    expectClose(await got.data(), want, 10 * tol, 'logProb', want.map((w) => Math.abs(w) + 10));
    expectClose(await d.entropy().data(), df.map((nu, b) => entropyRef(nu, sigmas[b], p)), 10 * tol, 'entropy', [10, 10]);
    const each = (f: (nu: number, s: Float64Array, i: number, j: number) => number) => df.flatMap((nu, b) => Array.from({ length: p * p }, (_, k) => f(nu, sigmas[b], Math.floor(k / p), k % p)));
    expectClose(await d.mean.data(), each((nu, s, i, j) => nu * s[i * p + j]), 10 * tol, 'mean', each(() => 10));
    expectClose(await d.mode.data(), each((nu, s, i, j) => (nu > p + 1 ? (nu - p - 1) * s[i * p + j] : NaN)), 10 * tol, 'mode', each(() => 10));
    expectClose(await d.variance.data(), each((nu, s, i, j) => nu * (s[i * p + j] ** 2 + s[i * p + i] * s[j * p + j])), 10 * tol, 'variance', each(() => 100));
    expectClose(await d.covariance.data(), sigmas.flatMap((s) => Array.from(s)), 10 * tol, 'covariance', each(() => 1));
  });

  it('10,000 Bartlett draws: symmetric, each entry\'s mean νΣᵢⱼ and variance ν(Σᵢⱼ² + ΣᵢᵢΣⱼⱼ) within 5 standard errors, −mean logProb near the entropy', async () => {
    const n = 10000;
    const p = 3;
    const sigma = randomSpd(p);
    const nu = 4.5;
    const d = new Wishart(nu, { covariance: tm.tensor(sigma, [p, p]) });
    const x = d.sample([n]);
    expect(x.shape).toEqual([n, p, p]);
    const values = await x.data();
    for (let k = 0; k < n; k += 97) for (let i = 0; i < p; i++) for (let j = 0; j < i; j++) expect(Math.abs(values[k * 9 + i * p + j] - values[k * 9 + j * p + i])).toBeLessThanOrEqual(1e-5 * Math.abs(values[k * 9 + i * p + j]) + 1e-6);
    const mean = Array.from(sigma, (s) => nu * s);
    const variance = Array.from({ length: p * p }, (_, k) => nu * (sigma[k] ** 2 + sigma[Math.floor(k / p) * (p + 1)] * sigma[(k % p) * (p + 1)]));
    expectMoments(values, n, mean, variance, 'Wishart.sample');
    const logProb = await d.logProb(x).data();
    const { mean: m, error } = meanAndError(Float64Array.from(logProb, (v) => -v));
    expect(Math.abs(m - entropyRef(nu, sigma, p)), `−mean logProb ${m} ± ${error}`).toBeLessThanOrEqual(5 * error + 10 * tol);
  });

  it('rsample: over 10,000 draws the mean gradient of tr X is tr Σ in ν and 2νL in L (E[A·Aᵀ] = νI, the chi-squared diagonal with ν − i among it)', async () => {
    const n = 10000;
    const p = 3;
    const l = randomLowerTriangular(p);
    const scaleTril = tm.tile(tm.tensor(l, [1, p, p]), [n, 1, 1]);
    const df = tm.fill([n], 5);
    scaleTril.requiresGrad = true;
    df.requiresGrad = true;
    const loss = tm.tidy(() => tm.trace(new Wishart(df, { scaleTril }).rsample().sum(0)));
    loss.backward();
    const sigma = matmul64(l, transpose64(l, p, p), p, p, p);
    const dfGrad = meanAndError(await df.grad!.data());
    expect(Math.abs(dfGrad.mean - trace(sigma, p)), `ν: ${dfGrad.mean} ± ${dfGrad.error}`).toBeLessThanOrEqual(5 * dfGrad.error);
    const grads = await scaleTril.grad!.data();
    for (let k = 0; k < p * p; k++) {
      const { mean, error } = meanAndError(Float64Array.from({ length: n }, (_, i) => grads[i * p * p + k]));
      expect(Math.abs(mean - 2 * 5 * l[k]), `L entry ${k}: ${mean} ± ${error}`).toBeLessThanOrEqual(5 * error + 1e-6);
    }
    for (const t of [scaleTril, df, loss]) t.dispose();
  });

  it('memory flat; dispose frees the factor it derived; errors name the problem', async () => {
    const sigma = tm.tensor(randomSpd(2), [2, 2]);
    const value = tm.tensor(randomSpd(2), [2, 2]);
    const before = await collected();
    const d = new Wishart(3, { covariance: sigma });
    for (const t of [d.sample([2]), d.logProb(value), d.entropy(), d.mean, d.mode, d.variance, d.covariance]) t.dispose();
    d.dispose();
    expect(tm.memory().numTensors).toBe(before);
    expect(() => new Wishart(3, { covariance: tm.ones([2, 3]) })).toThrow(new tm.ShapeError('Wishart: covariance must be square matrices [..., p, p], got [2,3]'));
    expect(() => new Wishart(tm.ones([3]), { covariance: tm.ones([2, 2, 2]) })).toThrow(new tm.ShapeError('Wishart: df [3] and the batch axes of covariance [2,2,2] cannot be broadcast together'));
    expect(() => new Wishart(tm.ones([1], { dtype: 'f16' }), { covariance: sigma })).toThrow(new tm.DTypeError('Wishart: df is f16 and covariance f32; give them one dtype'));
    expect(() => new Wishart(Infinity, { covariance: sigma })).toThrow(new tm.ValueError('Wishart: df must be a tensor or a finite number, got Infinity'));
    expect(() => new Wishart(0.5, { covariance: sigma })).toThrow(new tm.ValueError('Wishart: df must be greater than p − 1 = 1 for 2 × 2 matrices, got 0.5'));
    // A tensor's ν is not read back: its draws are NaN where ν ≤ p − 1.
    const low = new Wishart(tm.tensor([0.5, 3]), { covariance: sigma });
    const draws = await low.sample().data();
    expect([draws.slice(0, 4).every(Number.isNaN), draws.slice(4).every(Number.isFinite)]).toEqual([true, true]);
    low.dispose();
    expect(() => new Wishart(3, { covariance: sigma, precision: sigma })).toThrow(new tm.ValueError('Wishart: give exactly one of covariance, scaleTril and precision, got covariance and precision'));
    expect(() => new Wishart(3, { covariance: sigma }).logProb(tm.ones([3, 3]))).toThrow(/Wishart\.logProb/);
    for (const t of [sigma, value]) t.dispose();
  });
});
