// Adamax step by step against PyTorch's formula in float64, on every backend,
// with and without weight decay; and its hyperparameters checked.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { buffer, checkAgainstReference, type ReferenceParam } from '../helpers/optim.js';

/** PyTorch's Adamax in float64. */
function adamax({ lr = 2e-3, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8, weightDecay = 0 }: tm.optim.AdamaxOptions) {
  return (param: ReferenceParam, grad: Float64Array) => {
    const { p, t } = param;
    const [m, u] = [buffer(param, 'm'), buffer(param, 'u')];
    for (let i = 0; i < p.length; i++) {
      const g = grad[i] + weightDecay * p[i];
      m[i] = beta1 * m[i] + (1 - beta1) * g;
      u[i] = Math.max(beta2 * u[i], Math.abs(g) + epsilon);
      p[i] -= (lr / (1 - beta1 ** t)) * (m[i] / u[i]);
    }
  };
}

describe.each(BACKENDS)('Adamax on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each<tm.optim.AdamaxOptions>([
    {},
    { lr: 0.1 },
    { lr: 0.05, beta1: 0.5, beta2: 0.9, weightDecay: 0.1 },
    { lr: 0.05, epsilon: 0.5 },
  ])('steps as p −= lr/(1 − β1ᵗ)·m/max(β2·u, |g| + ε), L2 decay added to g: %o', async (options) => {
    await checkAgainstReference((params) => new tm.optim.Adamax(params, options), adamax(options));
  });

  it.each<tm.optim.AdamaxOptions>([{ lr: 0.05 }, { lr: 0.05, weightDecay: 0.1 }])('steps an f16 parameter with f32 state, small gradients (1e-3) moving it as in float64, never to ∞ or NaN: %o', async (options) => {
    await checkAgainstReference((params) => new tm.optim.Adamax(params, options), adamax(options), { dtype: 'f16', gradScale: 1e-3 });
  });
});

describe('Adamax settings', () => {
  it("has PyTorch's defaults", () => {
    const w = tm.tensor([1]);
    w.requiresGrad = true;
    const opt = new tm.optim.Adamax([w]);
    expect([opt.lr, opt.beta1, opt.beta2, opt.epsilon, opt.weightDecay]).toEqual([2e-3, 0.9, 0.999, 1e-8, 0]);
  });

  it('refuses bad hyperparameters, naming them', () => {
    const w = tm.tensor([1]);
    w.requiresGrad = true;
    const cases: [tm.optim.AdamaxOptions, string][] = [
      [{ lr: -1 }, 'Adamax: lr must be a finite number in [0, ∞), got -1'],
      [{ beta1: 1 }, 'Adamax: beta1 must be a finite number in [0, 1), got 1'],
      [{ beta2: -0.1 }, 'Adamax: beta2 must be a finite number in [0, 1), got -0.1'],
      [{ epsilon: 0 }, 'Adamax: epsilon must be a finite number in (0, ∞), got 0'],
      [{ weightDecay: NaN }, 'Adamax: weightDecay must be a finite number in [0, ∞), got NaN'],
      [{ betas: [0.9, 0.999] } as tm.optim.AdamaxOptions, 'Adamax: unknown option "betas"'],
    ];
    for (const [options, message] of cases) expect(() => new tm.optim.Adamax([w], options)).toThrow(message);
  });
});
