// tm.distributions.LowRankMultivariateNormal against float64 written here
// (Σ = W·Wᵀ + diag(D) formed and factored whole): logProb with batch axes
// broadcasting between loc, W, D and the value; entropy, mean, variance,
// covariance, precision and scaleTril; the mean and covariance of 20,000
// draws within a few standard errors; rsample's and logProb's gradients;
// klDivergence between it and MultivariateNormal either way round; memory;
// and errors. On every backend.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, uniform } from '../helpers/data.js';
import { broadcastIndex, cholesky64, expectMeanAndCovariance, inverseSpd64, logDetSpd64, solveLower64 } from '../helpers/distributions.js';
import { broadcastShape, size, unravel } from '../helpers/float64.js';
import { matmul64, transpose64 } from '../helpers/linalg.js';
import { collected } from '../helpers/gc.js';

const { LowRankMultivariateNormal, MultivariateNormal, klDivergence } = tm.distributions;
const LOG_2PI = Math.log(2 * Math.PI);

/** Σ = W·Wᵀ + diag(D) of one member, from W [n, r] and D [n] in float64. */
function sigmaOf(w: ArrayLike<number>, d: ArrayLike<number>, n: number, r: number): Float64Array {
  const sigma = matmul64(w, transpose64(w, n, r), n, r, n);
  for (let i = 0; i < n; i++) sigma[i * n + i] += d[i];
  return sigma;
}

/** KL between normals of means a, b and covariances sa, sb [n, n], in float64. */
function gaussianKl64(a: ArrayLike<number>, sa: Float64Array, b: ArrayLike<number>, sb: Float64Array, n: number): number {
  const inverse = inverseSpd64(sb, n);
  let trace = 0;
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) trace += inverse[i * n + k] * sa[k * n + i];
  const diff = Float64Array.from({ length: n }, (_, i) => b[i] - a[i]);
  const shift = diff.reduce((acc, di, i) => acc + di * diff.reduce((s, dk, k) => s + inverse[i * n + k] * dk, 0), 0);
  return 0.5 * (trace + shift - n + logDetSpd64(sb, n) - logDetSpd64(sa, n));
}

describe.each(BACKENDS)('LowRankMultivariateNormal on %s', (backend) => {
  const tol = backend === 'webgpu' ? 1e-4 : 1e-5;

  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each([
    { loc: [5], factor: [5, 2], diag: [5], value: [3, 5] },
    { loc: [2, 4], factor: [4, 3], diag: [1, 4], value: [3, 1, 4] },
    { loc: [6], factor: [2, 6, 1], diag: [6], value: [6] },
    { loc: [1, 3], factor: [3, 3, 4], diag: [3], value: [2, 1, 3] },
  ] as const)('logProb with loc $loc, covFactor $factor, covDiag $diag, values $value; entropy, mean, variance, covariance, precision, scaleTril', async ({ loc, factor, diag, value }) => {
    const n = loc[loc.length - 1];
    const r = factor[factor.length - 1];
    const [locBatch, factorBatch, diagBatch] = [loc.slice(0, -1), factor.slice(0, -2), diag.slice(0, -1)];
    const mu = asF32(uniform(size(loc), -1, 1));
    const w = asF32(uniform(size(factor), -1, 1));
    const dg = asF32(uniform(size(diag), 0.2, 1.5));
    const x = asF32(uniform(size(value), -2, 2));
    const d = new LowRankMultivariateNormal(tm.tensor(mu, loc), tm.tensor(w, factor), tm.tensor(dg, diag));
    const batch = broadcastShape(broadcastShape(locBatch, factorBatch)!, diagBatch)!;
    expect(d.batchShape).toEqual(batch);
    expect(d.eventShape).toEqual([n]);
    expect(d.capacitanceTril.shape).toEqual([...broadcastShape(factorBatch, diagBatch)!, r, r]);

    const member = (idx: number[]) => {
      const [li, wi, di] = [broadcastIndex(idx, locBatch), broadcastIndex(idx, factorBatch), broadcastIndex(idx, diagBatch)];
      const sigma = sigmaOf(w.subarray(wi * n * r, (wi + 1) * n * r), dg.subarray(di * n, (di + 1) * n), n, r);
      return { mu: mu.subarray(li * n, (li + 1) * n), sigma, wi, di };
    };
    const outShape = broadcastShape(value.slice(0, -1), batch)!;
    const want = Float64Array.from({ length: size(outShape) }, (_, i) => {
      const idx = unravel(i, outShape);
      const xi = broadcastIndex(idx, value.slice(0, -1));
      const { mu: m, sigma } = member(idx.slice(idx.length - batch.length));
      const y = solveLower64(cholesky64(sigma, n), Float64Array.from({ length: n }, (_, k) => x[xi * n + k] - m[k]), n);
      return -0.5 * (n * LOG_2PI + y.reduce((acc, v) => acc + v * v, 0) + logDetSpd64(sigma, n));
    });
    const got = d.logProb(tm.tensor(x, value));
    expect(got.shape).toEqual(outShape);
    expectClose(await got.data(), want, 10 * tol, 'logProb', want.map((v) => Math.abs(v) + 1));

    const atBatch = (f: (m: ReturnType<typeof member>) => ArrayLike<number>) => Float64Array.from(
      Array.from({ length: size(batch) }, (_, i) => Array.from(f(member(unravel(i, batch))))).flat(),
    );
    expectClose(await d.entropy().data(), atBatch((m) => [0.5 * n * (1 + LOG_2PI) + 0.5 * logDetSpd64(m.sigma, n)]), 10 * tol, 'entropy', atBatch(() => [n]));
    expectClose(await d.mean.data(), atBatch((m) => m.mu), 0, 'mean');
    expectClose(await d.variance.data(), atBatch((m) => Array.from({ length: n }, (_, k) => m.sigma[k * n + k])), 10 * tol, 'variance');
    const covariance = d.covariance;
    expect(covariance.shape).toEqual([...batch, n, n]);
    expectClose(await covariance.data(), atBatch((m) => m.sigma), 10 * tol, 'covariance', atBatch((m) => Array.from(m.sigma, () => 1)));
    expectClose(await d.precision.data(), atBatch((m) => inverseSpd64(m.sigma, n)), 10 * tol, 'precision', atBatch((m) => Array.from(m.sigma, () => 10)));
    expectClose(await d.scaleTril.data(), atBatch((m) => cholesky64(m.sigma, n)), 10 * tol, 'scaleTril', atBatch((m) => Array.from(m.sigma, () => 1)));
  });

  it('20,000 draws: each mean and covariance entry within 5 standard errors; reproducible under tm.setSeed', async () => {
    const [n, r, draws] = [4, 2, 20000];
    const mu = asF32(uniform(n, -1, 1));
    const w = asF32(uniform(n * r, -1, 1));
    const dg = asF32(uniform(n, 0.2, 1));
    const sigma = sigmaOf(w, dg, n, r);
    const d = new LowRankMultivariateNormal(tm.tensor(mu), tm.tensor(w, [n, r]), tm.tensor(dg));
    const x = d.sample([draws]);
    expect(x.shape).toEqual([draws, n]);
    expectMeanAndCovariance(await x.data(), draws, n, mu, sigma);
    tm.setSeed(3);
    const first = await d.sample([4]).data();
    tm.setSeed(3);
    expect(Array.from(await d.sample([4]).data())).toEqual(Array.from(first));
  });

  it('gradients: rsample reaches loc; logProb\'s for loc is Σ⁻¹(x − loc), for W 2·G·W and for D diag(G), G = ½(Σ⁻¹δδᵀΣ⁻¹ − Σ⁻¹)', async () => {
    const [n, r] = [4, 2];
    const mu = asF32(uniform(n, -1, 1));
    const w = asF32(uniform(n * r, -1, 1));
    const dg = asF32(uniform(n, 0.3, 1.2));
    const at = asF32(uniform(n, -2, 2));
    const [loc, factor, diag] = [tm.tensor(mu), tm.tensor(w, [n, r]), tm.tensor(dg)];
    loc.requiresGrad = factor.requiresGrad = diag.requiresGrad = true;
    const d = new LowRankMultivariateNormal(loc, factor, diag);
    d.rsample([7]).sum().backward();
    expectClose(await loc.grad!.data(), new Float64Array(n).fill(7), tol, 'rsample d/dloc');
    for (const t of [loc, factor, diag]) t.grad = null;
    d.logProb(tm.tensor(at)).backward();
    const inverse = inverseSpd64(sigmaOf(w, dg, n, r), n);
    const alpha = matmul64(inverse, Float64Array.from(at, (a, k) => a - mu[k]), n, n, 1);
    const g = Float64Array.from({ length: n * n }, (_, i) => 0.5 * (alpha[Math.floor(i / n)] * alpha[i % n] - inverse[i]));
    expectClose(await loc.grad!.data(), alpha, 10 * tol, 'logProb d/dloc', Array.from(alpha, () => 1));
    expectClose(await factor.grad!.data(), matmul64(g, w, n, n, r).map((v) => 2 * v), 10 * tol, 'logProb d/dcovFactor', Array.from(w, () => 1));
    expectClose(await diag.grad!.data(), Array.from({ length: n }, (_, k) => g[k * n + k]), 10 * tol, 'logProb d/dcovDiag', Array.from(dg, () => 1));
  });

  it('klDivergence with MultivariateNormal either way round and with itself, batch axes broadcasting; 0 for a distribution against its own copy', async () => {
    const [n, r] = [3, 2];
    const [muP, muQ] = [asF32(uniform(2 * n, -1, 1)), asF32(uniform(n, -1, 1))];
    const [wP, wQ] = [asF32(uniform(2 * n * r, -1, 1)), asF32(uniform(n * r, -1, 1))];
    const [dP, dQ] = [asF32(uniform(n, 0.3, 1.2)), asF32(uniform(n, 0.3, 1.2))];
    const p = new LowRankMultivariateNormal(tm.tensor(muP, [2, n]), tm.tensor(wP, [2, n, r]), tm.tensor(dP));
    const q = new LowRankMultivariateNormal(tm.tensor(muQ), tm.tensor(wQ, [n, r]), tm.tensor(dQ));
    const sigmaP = [0, 1].map((b) => sigmaOf(wP.subarray(b * n * r, (b + 1) * n * r), dP, n, r));
    const sigmaQ = sigmaOf(wQ, dQ, n, r);
    const full = new MultivariateNormal(tm.tensor(muQ), { covariance: tm.tensor(asF32(sigmaQ), [n, n]) });
    const sigmaFull = Float64Array.from(asF32(sigmaQ));
    const pq = [0, 1].map((b) => gaussianKl64(muP.subarray(b * n, (b + 1) * n), sigmaP[b], muQ, sigmaQ, n));
    expectClose(await klDivergence(p, q).data(), pq, 10 * tol, 'KL(low-rank ‖ low-rank)', [1, 1]);
    expectClose(await klDivergence(p, full).data(), [0, 1].map((b) => gaussianKl64(muP.subarray(b * n, (b + 1) * n), sigmaP[b], muQ, sigmaFull, n)), 10 * tol, 'KL(low-rank ‖ full)', [1, 1]);
    expectClose(await klDivergence(full, p).data(), [0, 1].map((b) => gaussianKl64(muQ, sigmaFull, muP.subarray(b * n, (b + 1) * n), sigmaP[b], n)), 10 * tol, 'KL(full ‖ low-rank)', [1, 1]);
    expectClose(await klDivergence(q, q).data(), [0], 10 * tol, 'KL(q ‖ q)', [1]);
  });

  it('memory stays flat: the capacitance factor it made is freed by dispose, the tensors given are not', async () => {
    const loc = tm.tensor(asF32(uniform(3, -1, 1)));
    const w = tm.tensor(asF32(uniform(6, -1, 1)), [3, 2]);
    const dg = tm.tensor(asF32(uniform(3, 0.5, 1)));
    const value = tm.tensor(asF32(uniform(6, -1, 1)), [2, 3]);
    const before = await collected();
    for (let i = 0; i < 2; i++) {
      const d = new LowRankMultivariateNormal(loc, w, dg);
      const results = [d.sample([2]), d.rsample([2]), d.logProb(value), d.entropy(), d.mean, d.variance, d.covariance, d.precision, d.scaleTril, klDivergence(d, d)];
      for (const t of results) t.dispose();
      d.dispose();
      expect(tm.memory().numTensors).toBe(before);
    }
    expect([loc, w, dg].some((t) => t.isDisposed)).toBe(false);
  });

  it('errors: a factor or diagonal that does not fit loc, batch axes that do not broadcast, mixed dtypes, a value of another event shape', () => {
    const loc = tm.zeros([2, 3]);
    const name = 'LowRankMultivariateNormal';
    expect(() => new LowRankMultivariateNormal(loc, tm.zeros([4, 1]), tm.ones([3]))).toThrow(new tm.ShapeError(`${name}: covFactor [4,1] must be [..., 3, rank] for loc [2,3]`));
    expect(() => new LowRankMultivariateNormal(loc, tm.zeros([3]), tm.ones([3]))).toThrow(new tm.ShapeError(`${name}: covFactor [3] must be [..., 3, rank] for loc [2,3]`));
    expect(() => new LowRankMultivariateNormal(loc, tm.zeros([3, 1]), tm.ones([2]))).toThrow(new tm.ShapeError(`${name}: covDiag [2] must be [..., 3] for loc [2,3]`));
    expect(() => new LowRankMultivariateNormal(loc, tm.zeros([5, 3, 1]), tm.ones([3])))
      .toThrow(new tm.ShapeError(`${name}: the batch axes of loc [2,3], covFactor [5,3,1] and covDiag [3] cannot be broadcast together`));
    expect(() => new LowRankMultivariateNormal(tm.zeros([]), tm.zeros([1, 1]), tm.ones([1]))).toThrow(new tm.ShapeError(`${name}: loc must be a vector [..., n], got []`));
    expect(() => new LowRankMultivariateNormal(loc, tm.zeros([3, 1], { dtype: 'f16' }), tm.ones([3]))).toThrow(new tm.DTypeError(`${name}: loc is f32 and covFactor f16; give them one dtype`));
    expect(() => new LowRankMultivariateNormal(loc, tm.zeros([3, 1], { dtype: 'i32' }), tm.ones([3]))).toThrow(new tm.DTypeError(`${name}: covFactor must be f32 or f16, got i32`));
    const d = new LowRankMultivariateNormal(loc, tm.zeros([3, 1]), tm.ones([3]));
    expect(() => d.logProb(tm.zeros([2, 4]))).toThrow(new tm.ShapeError(`${name}.logProb: value [2,4] does not end with the event shape [3] (batch [2])`));
    expect(() => d.cdf(tm.zeros([2, 3]))).toThrow(new tm.ValueError(`${name}: no cdf in closed form`));
  });
});
