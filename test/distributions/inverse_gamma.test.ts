// tm.distributions.InverseGamma on every backend against float64 formulas
// written here: logProb, entropy, mean, mode and variance (∞ where PyTorch
// gives ∞) at broadcast shapes; cdf as Q(α, β/x); 20,000 draws by the
// fraction below the median's neighbourhood, their moments and −mean
// logProb; rsample's mean gradient the derivative of the mean; errors and memory.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, uniform } from '../helpers/data.js';
import { broadcastMap, expectFractionBelow, expectMembers, expectMoments, expectSeededAndFlat, meanAndError } from '../helpers/distributions.js';
import { size } from '../helpers/float64.js';
import { digammaRef, incompleteGammaRef, lgammaRef } from '../helpers/special.js';

const { InverseGamma } = tm.distributions;

const logDensity = (x: number, a: number, b: number) => a * Math.log(b) - lgammaRef(a) - (a + 1) * Math.log(x) - b / x;
const draw = (shape: number[], lo: number, hi: number) => ({ v: asF32(uniform(size(shape), lo, hi)), shape });

describe.each(BACKENDS)('InverseGamma on %s', (backend) => {
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
    const a = draw(shapes[0], 0.5, 6);
    const b = draw(shapes[1], 0.3, 3);
    const d = new InverseGamma(tm.tensor(a.v, a.shape), tm.tensor(b.v, b.shape));
    const x = draw(value, 0.05, 4);
    const want = broadcastMap([x, a, b], logDensity);
    const scale = broadcastMap([x, a, b], (v, p, q) => Math.abs(logDensity(v, p, q)) + Math.abs(lgammaRef(p)) + 1).v;
    expectClose(await d.logProb(tm.tensor(x.v, value)).data(), want.v, 10 * tol, 'logProb', scale);
    const members = {
      entropy: (p: number, q: number) => p + Math.log(q) + lgammaRef(p) - (1 + p) * digammaRef(p),
      mean: (p: number, q: number) => (p > 1 ? q / (p - 1) : Infinity),
      mode: (p: number, q: number) => q / (p + 1),
      variance: (p: number, q: number) => (p > 2 ? (q * q) / ((p - 1) ** 2 * (p - 2)) : Infinity),
    };
    await expectMembers(d, [a, b], members, 10 * tol);
    const cdf = broadcastMap([x, a, b], (v, p, q) => incompleteGammaRef(p, q / v)[1]);
    expectClose(await d.cdf(tm.tensor(x.v, value)).data(), cdf.v, 10 * tol, 'cdf', cdf.v.map(() => 1));
  });

  it('cdf: 0 at and below 0 and where β/x is past Q\'s last subnormal, 1 at ∞; gradients there finite', async () => {
    expectClose(await new InverseGamma(2, 1).cdf(tm.tensor([-1, 0, 1e-40, Infinity])).data(), [0, 0, 0, 1], 0, 'cdf');
    const [a, b] = [tm.tensor([[300], [0.5]]), tm.tensor([1, 2])];
    const x = tm.tensor([1e8, 1e-40, 1e-30, Infinity, 0]);
    for (const t of [a, b, x]) t.requiresGrad = true;
    const total = tm.tidy(() => new InverseGamma(a, b.reshape([2, 1])).cdf(x).sum());
    total.backward();
    for (const t of [a, b, x]) expect(Array.from(await t.grad!.data()).every(Number.isFinite)).toBe(true);
    for (const t of [a, b, x, total]) t.dispose();
  });

  it('20,000 draws: moments (α > 4), the fraction below each cdf\'s ½-point neighbour, and −mean logProb near the entropy', async () => {
    const n = 20000;
    const [alphas, betas] = [[0.7, 2.5, 7], [1, 0.5, 3]];
    const d = new InverseGamma(tm.tensor(alphas), tm.tensor(betas));
    const x = d.sample([n]);
    const values = await x.data();
    expect(values.every((v) => v > 0 && Number.isFinite(v))).toBe(true);
    // β/α is near each median; the chance below it is Q(α, α).
    const points = alphas.map((p, j) => betas[j] / p);
    expectFractionBelow(values, n, points, alphas.map((p) => incompleteGammaRef(p, p)[1]), 'InverseGamma.sample');
    const last = Float64Array.from({ length: n }, (_, i) => values[i * 3 + 2]);
    expectMoments(last, n, [3 / 6], [9 / (36 * 5)], 'InverseGamma(7, 3).sample');
    const logProb = await d.logProb(x).data();
    const entropy = await d.entropy().data();
    for (let j = 0; j < 3; j++) {
      const { mean, error } = meanAndError(Float64Array.from({ length: n }, (_, i) => -logProb[i * 3 + j]));
      expect(Math.abs(mean - entropy[j]), `column ${j}`).toBeLessThanOrEqual(5 * error + 10 * tol);
    }
  });

  it('rsample: over 20,000 draws the mean gradient is the derivative of the mean β/(α − 1): −β/(α − 1)² in α, 1/(α − 1) in β', async () => {
    const n = 20000;
    const [a, b] = [tm.fill([n], 6), tm.fill([n], 2)];
    a.requiresGrad = true;
    b.requiresGrad = true;
    const loss = tm.tidy(() => new InverseGamma(a, b).rsample().sum());
    loss.backward();
    for (const [grad, want, what] of [[a.grad!, -2 / 25, 'α'], [b.grad!, 1 / 5, 'β']] as const) {
      const { mean, error } = meanAndError(await grad.data());
      expect(Math.abs(mean - want), `${what}: ${mean} ± ${error}`).toBeLessThanOrEqual(5 * error);
    }
    for (const t of [a, b, loss]) t.dispose();
  });

  it('reproducible under tm.setSeed; memory flat; errors name the parameters', async () => {
    const d = new InverseGamma(tm.tensor([1.5, 4]), 2);
    const value = tm.tensor([0.5, 2]);
    await expectSeededAndFlat(d, value);
    d.dispose();
    value.dispose();
    expect(() => new InverseGamma(tm.ones([2]), tm.ones([3]))).toThrow(new tm.ShapeError('InverseGamma: concentration [2] and rate [3] cannot be broadcast together'));
  });
});
