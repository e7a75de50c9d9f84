// tm.distributions.FisherSnedecor on every backend against float64 formulas
// written here: logProb, entropy (a scaled beta prime's), mean, mode and
// variance (NaN where PyTorch gives NaN) at broadcast shapes; cdf as
// I_z(d₁/2, d₂/2); 20,000 draws by the fraction below 1 and −mean logProb;
// rsample's mean gradients the derivatives of the mean; errors and memory.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, uniform } from '../helpers/data.js';
import { broadcastMap, expectFractionBelow, expectMembers, expectSeededAndFlat, meanAndError } from '../helpers/distributions.js';
import { size } from '../helpers/float64.js';
import { betaincRef, digammaRef, lgammaRef } from '../helpers/special.js';

const { FisherSnedecor } = tm.distributions;

const logBeta = (a: number, b: number) => lgammaRef(a) + lgammaRef(b) - lgammaRef(a + b);
const logDensity = (x: number, d1: number, d2: number) =>
  (d1 / 2) * Math.log(d1 / d2) + (d1 / 2 - 1) * Math.log(x) - ((d1 + d2) / 2) * Math.log1p((d1 * x) / d2) - logBeta(d1 / 2, d2 / 2);
const cdfRef = (x: number, d1: number, d2: number) => betaincRef(d1 / 2, d2 / 2, (d1 * x) / (d1 * x + d2))[0];
const draw = (shape: number[], lo: number, hi: number) => ({ v: asF32(uniform(size(shape), lo, hi)), shape });

describe.each(BACKENDS)('FisherSnedecor on %s', (backend) => {
  const tol = backend === 'webgpu' ? 1e-4 : 1e-5;

  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each([
    { shapes: [[5], [5]], value: [5] },
    { shapes: [[3, 1], [4]], value: [2, 3, 4] },
  ])('logProb, entropy, mean, mode, variance and cdf with parameters $shapes and values $value', async ({ shapes, value }) => {
    const d1 = draw(shapes[0], 0.5, 12);
    const d2 = draw(shapes[1], 0.5, 12);
    const d = new FisherSnedecor(tm.tensor(d1.v, d1.shape), tm.tensor(d2.v, d2.shape));
    const x = draw(value, 0.05, 5);
    const want = broadcastMap([x, d1, d2], logDensity);
    const scale = broadcastMap([x, d1, d2], (v, p, q) => Math.abs(logDensity(v, p, q)) + Math.abs(lgammaRef(p / 2)) + Math.abs(lgammaRef(q / 2)) + 1).v;
    expectClose(await d.logProb(tm.tensor(x.v, value)).data(), want.v, 10 * tol, 'logProb', scale);
    const members = {
      entropy: (p: number, q: number) => {
        const [a, b] = [p / 2, q / 2];
        return Math.log(q / p) + logBeta(a, b) + (1 - a) * digammaRef(a) - (1 + b) * digammaRef(b) + (a + b) * digammaRef(a + b);
      },
      mean: (_p: number, q: number) => (q > 2 ? q / (q - 2) : NaN),
      mode: (p: number, q: number) => (p > 2 ? ((p - 2) / p) * (q / (q + 2)) : NaN),
      variance: (p: number, q: number) => (q > 4 ? (2 * q * q * (p + q - 2)) / (p * (q - 2) ** 2 * (q - 4)) : NaN),
    };
    await expectMembers(d, [d1, d2], members, 10 * tol);
    const cdf = broadcastMap([x, d1, d2], cdfRef);
    expectClose(await d.cdf(tm.tensor(x.v, value)).data(), cdf.v, 10 * tol, 'cdf', cdf.v.map(() => 1));
  });

  it('cdf: 0 at and below 0, 1 at ∞; its gradient in x the density; gradients finite at the ends', async () => {
    const d = new FisherSnedecor(tm.tensor([3, 3, 3, 5]), tm.tensor([7, 7, 7, 2]));
    const x = tm.tensor([-1, 0, Infinity, 1.7]);
    expectClose(await d.cdf(x).data(), [0, 0, 1, cdfRef(Math.fround(1.7), 5, 2)], 10 * tol, 'cdf');
    const v = tm.tensor([0.4, 2.5]);
    v.requiresGrad = true;
    const loss = tm.tidy(() => new FisherSnedecor(4, 9).cdf(v).sum());
    loss.backward();
    expectClose(await v.grad!.data(), [0.4, 2.5].map((t) => Math.exp(logDensity(Math.fround(t), 4, 9))), 10 * tol, 'd cdf/dx');
    for (const t of [x, v, loss]) t.dispose();
    d.dispose();
    // Gradients at the ends stay finite: no ∞·0 from d₁·x at x = ∞ or from 1/r at tiny x.
    const [d1, d2] = [tm.tensor([3, 0.5, 0.5, 3]), tm.tensor([5, 0.7, 0.7, 5])];
    const ends = tm.tensor([0, 1e-40, 1e-30, Infinity]);
    for (const t of [d1, d2, ends]) t.requiresGrad = true;
    const total = tm.tidy(() => new FisherSnedecor(d1, d2).cdf(ends).sum());
    total.backward();
    for (const t of [d1, d2]) expect(Array.from(await t.grad!.data()).every(Number.isFinite)).toBe(true);
    expect(Array.from(await ends.grad!.data()).some(Number.isNaN)).toBe(false);
    for (const t of [d1, d2, ends, total]) t.dispose();
    // The gradients in d₁ and d₂ run betainc's fraction forward-mode: many kernels to compile on lavapipe.
  }, 120_000);

  it('20,000 draws: the fraction below 1 is the cdf there, −mean logProb near the entropy', async () => {
    const n = 20000;
    const [d1, d2] = [[0.8, 3, 12], [2.5, 9, 0.7]];
    const d = new FisherSnedecor(tm.tensor(d1), tm.tensor(d2));
    const x = d.sample([n]);
    const values = await x.data();
    expect(values.every((v) => v > 0 && Number.isFinite(v))).toBe(true);
    expectFractionBelow(values, n, [1, 1, 1], d1.map((p, j) => cdfRef(1, p, d2[j])), 'FisherSnedecor.sample');
    const logProb = await d.logProb(x).data();
    const entropy = await d.entropy().data();
    for (let j = 0; j < 3; j++) {
      const { mean, error } = meanAndError(Float64Array.from({ length: n }, (_, i) => -logProb[i * 3 + j]));
      expect(Math.abs(mean - entropy[j]), `column ${j}`).toBeLessThanOrEqual(5 * error + 10 * tol);
    }
  });

  it('rsample: over 20,000 draws the mean gradient is the derivative of the mean d₂/(d₂ − 2): 0 in d₁, −2/(d₂ − 2)² in d₂', async () => {
    const n = 20000;
    const [d1, d2] = [tm.fill([n], 8), tm.fill([n], 14)];
    d1.requiresGrad = true;
    d2.requiresGrad = true;
    const loss = tm.tidy(() => new FisherSnedecor(d1, d2).rsample().sum());
    loss.backward();
    for (const [grad, want, what] of [[d1.grad!, 0, 'd₁'], [d2.grad!, -2 / 144, 'd₂']] as const) {
      const { mean, error } = meanAndError(await grad.data());
      expect(Math.abs(mean - want), `${what}: ${mean} ± ${error}`).toBeLessThanOrEqual(5 * error);
    }
    for (const t of [d1, d2, loss]) t.dispose();
  });

  it('reproducible under tm.setSeed; memory flat; errors name the parameters', async () => {
    const d = new FisherSnedecor(tm.tensor([1.5, 4]), 6);
    const value = tm.tensor([0.5, 2]);
    await expectSeededAndFlat(d, value);
    d.dispose();
    value.dispose();
    expect(() => new FisherSnedecor(tm.ones([2]), tm.ones([3]))).toThrow(new tm.ShapeError('FisherSnedecor: df1 [2] and df2 [3] cannot be broadcast together'));
  });
});
