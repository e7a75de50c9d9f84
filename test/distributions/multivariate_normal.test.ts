// tm.distributions.MultivariateNormal against float64 written here (a
// Cholesky factorisation and substitutions): logProb from a covariance, a
// scale_tril or a precision, with batch axes broadcasting between loc, the
// matrix and the value; entropy, mean, variance, covariance; the mean and
// covariance of 20,000 draws within a few standard errors; rsample's
// gradients; memory; and errors. On every backend.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, uniform } from '../helpers/data.js';
import { broadcastIndex, cholesky64, covariancesOf, expectMeanAndCovariance, inverseSpd64, logDetSpd64, randomLowerTriangular, randomSpd, solveLower64 } from '../helpers/distributions.js';
import { broadcastShape, size, unravel } from '../helpers/float64.js';
import { batchOf, matmul64, transpose64 } from '../helpers/linalg.js';
import { collected } from '../helpers/gc.js';

const { MultivariateNormal } = tm.distributions;
const LOG_2PI = Math.log(2 * Math.PI);

describe.each(BACKENDS)('MultivariateNormal on %s', (backend) => {
  const tol = backend === 'webgpu' ? 1e-4 : 1e-5;

  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each([
    { kind: 'covariance', loc: [3], matrix: [3, 3], value: [5, 3] },
    { kind: 'scaleTril', loc: [2, 4], matrix: [4, 4], value: [3, 1, 4] },
    { kind: 'precision', loc: [4], matrix: [2, 4, 4], value: [4] },
    { kind: 'covariance', loc: [7, 1], matrix: [1, 1], value: [7, 1] },
    { kind: 'scaleTril', loc: [1, 5], matrix: [3, 5, 5], value: [2, 1, 5] },
  ] as const)('logProb from $kind $matrix, loc $loc, values $value; entropy, mean, variance, covariance', async ({ kind, loc, matrix, value }) => {
    const n = loc[loc.length - 1];
    const locBatch = loc.slice(0, -1);
    const matrixBatch = matrix.slice(0, -2);
    const count = size(matrixBatch);
    const matrices = batchOf(count, () => (kind === 'scaleTril' ? randomLowerTriangular(n) : randomSpd(n)));
    const mu = asF32(uniform(size(loc), -1, 1));
    const x = asF32(uniform(size(value), -2, 2));
    const d = new MultivariateNormal(tm.tensor(mu, loc), { [kind]: tm.tensor(matrices, matrix) } as tm.distributions.MultivariateNormalSpread);
    const batch = broadcastShape(locBatch, matrixBatch)!;
    expect(d.batchShape).toEqual(batch);
    expect(d.eventShape).toEqual([n]);

    const sigmas = covariancesOf(kind, matrices, count, n);
    const factors = sigmas.map((s) => cholesky64(s, n));
    const logDets = sigmas.map((s) => logDetSpd64(s, n));
    const outShape = broadcastShape(value.slice(0, -1), batch)!;
    const want = Float64Array.from({ length: size(outShape) }, (_, i) => {
      const idx = unravel(i, outShape);
      const xi = broadcastIndex(idx, value.slice(0, -1));
      const li = broadcastIndex(idx, locBatch);
      const mi = broadcastIndex(idx, matrixBatch);
      const diff = Float64Array.from({ length: n }, (_, k) => x[xi * n + k] - mu[li * n + k]);
      const y = solveLower64(factors[mi], diff, n);
      const m = y.reduce((acc, v) => acc + v * v, 0);
      return -0.5 * (n * LOG_2PI + m + logDets[mi]);
    });
    const got = d.logProb(tm.tensor(x, value));
    expect(got.shape).toEqual(outShape);
    expectClose(await got.data(), want, 10 * tol, 'logProb');

    const atBatch = (f: (li: number, mi: number) => number[]) => Float64Array.from(
      Array.from({ length: size(batch) }, (_, i) => f(broadcastIndex(unravel(i, batch), locBatch), broadcastIndex(unravel(i, batch), matrixBatch))).flat(),
    );
    expectClose(await d.entropy().data(), atBatch((_l, m) => [0.5 * n * (1 + LOG_2PI) + 0.5 * logDets[m]]), 10 * tol, 'entropy');
    expectClose(await d.mean.data(), atBatch((l) => Array.from(mu.subarray(l * n, (l + 1) * n))), tol, 'mean');
    expectClose(await d.variance.data(), atBatch((_l, m) => Array.from({ length: n }, (_, k) => sigmas[m][k * n + k])), 10 * tol, 'variance');
    const covariance = d.covariance;
    expect(covariance.shape).toEqual([...batch, n, n]);
    expectClose(await covariance.data(), atBatch((_l, m) => Array.from(sigmas[m])), 10 * tol, 'covariance');
  });

  it('20,000 draws: each mean and covariance entry within 5 standard errors; reproducible under tm.setSeed', async () => {
    const n = 3;
    const draws = 20000;
    const sigma = randomSpd(n);
    const mu = asF32(uniform(n, -1, 1));
    const d = new MultivariateNormal(tm.tensor(mu, [n]), { covariance: tm.tensor(sigma, [n, n]) });
    const x = d.sample([draws]);
    expect(x.shape).toEqual([draws, n]);
    expectMeanAndCovariance(await x.data(), draws, n, mu, sigma);
    tm.setSeed(3);
    const first = await d.sample([4]).data();
    tm.setSeed(3);
    expect(Array.from(await d.sample([4]).data())).toEqual(Array.from(first));
  });

  it('rsample: Σ draws has gradient N for each entry of loc and Σ εⱼ for scaleTril[i, j] (ε = L⁻¹(x − loc)); logProb\'s for loc is Σ⁻¹(x − loc)', async () => {
    const n = 4;
    const draws = 500;
    const l = randomLowerTriangular(n);
    const mu = asF32(uniform(n, -1, 1));
    const loc = tm.tensor(mu, [n]);
    const scaleTril = tm.tensor(l, [n, n]);
    loc.requiresGrad = true;
    scaleTril.requiresGrad = true;
    const d = new MultivariateNormal(loc, { scaleTril });
    const x = d.rsample([draws]);
    x.sum().backward();
    const v = await x.data();
    const epsSum = new Float64Array(n);
    for (let i = 0; i < draws; i++) {
      const eps = solveLower64(l, Float64Array.from({ length: n }, (_, k) => v[i * n + k] - mu[k]), n);
      eps.forEach((e, k) => (epsSum[k] += e));
    }
    expectClose(await loc.grad!.data(), new Float64Array(n).fill(draws), tol, 'd/dloc');
    expectClose(await scaleTril.grad!.data(), Float64Array.from({ length: n * n }, (_, k) => epsSum[k % n]), tol, 'd/dscaleTril', new Float64Array(n * n).fill(draws));

    const sigma = randomSpd(n);
    const at = asF32(uniform(n, -2, 2));
    const loc2 = tm.tensor(mu, [n]);
    loc2.requiresGrad = true;
    new MultivariateNormal(loc2, { covariance: tm.tensor(sigma, [n, n]) }).logProb(tm.tensor(at, [n])).backward();
    const inverse = inverseSpd64(sigma, n);
    const diff = Float64Array.from(at, (a, k) => a - mu[k]);
    expectClose(await loc2.grad!.data(), matmul64(inverse, diff, n, n, 1), 10 * tol, 'dlogProb/dloc');
  });

  it('memory stays flat: the Cholesky factor it made is freed by dispose, a given scaleTril is not', async () => {
    const loc = tm.tensor(asF32(uniform(3, -1, 1)), [3]);
    const sigma = tm.tensor(randomSpd(3), [3, 3]);
    const value = tm.tensor(asF32(uniform(6, -1, 1)), [2, 3]);
    const before = await collected();
    for (const spread of [{ covariance: sigma }, { precision: sigma }, { scaleTril: sigma }]) {
      const d = new MultivariateNormal(loc, spread);
      const results = [d.sample([2]), d.rsample([2]), d.logProb(value), d.entropy(), d.mean, d.variance, d.stddev, d.covariance];
      for (const t of results) t.dispose();
      d.dispose();
      expect(tm.memory().numTensors, Object.keys(spread)[0]).toBe(before);
    }
    expect(sigma.isDisposed).toBe(false);
  });

  it('errors: none or two of the spreads, a matrix that does not fit loc, batch axes that do not broadcast, a value of another event shape', () => {
    const loc = tm.zeros([2, 3]);
    const eye = tm.eye(3);
    expect(() => new MultivariateNormal(loc, {} as never)).toThrow(new tm.ValueError('MultivariateNormal: give exactly one of covariance, scaleTril and precision, got none'));
    expect(() => new MultivariateNormal(loc, { covariance: eye, precision: eye } as never))
      .toThrow(new tm.ValueError('MultivariateNormal: give exactly one of covariance, scaleTril and precision, got covariance and precision'));
    expect(() => new MultivariateNormal(loc, { covariance: tm.eye(4) })).toThrow(new tm.ShapeError('MultivariateNormal: covariance [4,4] must be [..., 3, 3] for loc [2,3]'));
    expect(() => new MultivariateNormal(loc, { scaleTril: tm.zeros([5, 3, 3]) }))
      .toThrow(new tm.ShapeError('MultivariateNormal: the batch axes of loc [2,3] and scaleTril [5,3,3] cannot be broadcast together'));
    expect(() => new MultivariateNormal(tm.zeros([3], { dtype: 'i32' }), { covariance: eye })).toThrow(new tm.DTypeError('MultivariateNormal: loc must be f32 or f16, got i32'));
    const d = new MultivariateNormal(loc, { scaleTril: eye });
    expect(() => d.logProb(tm.zeros([2, 4]))).toThrow(new tm.ShapeError('MultivariateNormal.logProb: value [2,4] does not end with the event shape [3] (batch [2])'));
    expect(() => d.cdf(tm.zeros([2, 3]))).toThrow(new tm.ValueError('MultivariateNormal: no cdf in closed form'));
  });
});
