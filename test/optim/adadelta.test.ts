// Adadelta step by step against PyTorch's formula in float64, on every
// backend, with and without weight decay; and its hyperparameters checked.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { buffer, checkAgainstReference, type ReferenceParam } from '../helpers/optim.js';

/** PyTorch's Adadelta in float64. */
function adadelta({ lr = 1, rho = 0.9, epsilon = 1e-6, weightDecay = 0 }: tm.optim.AdadeltaOptions) {
  return (param: ReferenceParam, grad: Float64Array) => {
    const p = param.p;
    const [v, u] = [buffer(param, 'v'), buffer(param, 'u')];
    for (let i = 0; i < p.length; i++) {
      const g = grad[i] + weightDecay * p[i];
      v[i] = rho * v[i] + (1 - rho) * g * g;
      const delta = (Math.sqrt(u[i] + epsilon) / Math.sqrt(v[i] + epsilon)) * g;
      u[i] = rho * u[i] + (1 - rho) * delta * delta;
      p[i] -= lr * delta;
    }
  };
}

describe.each(BACKENDS)('Adadelta on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each<tm.optim.AdadeltaOptions>([
    {},
    { epsilon: 1e-2 },
    { lr: 0.5, rho: 0.5, epsilon: 1e-3, weightDecay: 0.1 },
    { rho: 0, epsilon: 1e-2 },
  ])('steps as Δ = √(u + ε)/√(v + ε)·g, p −= lr·Δ, L2 decay added to g: %o', async (options) => {
    await checkAgainstReference((params) => new tm.optim.Adadelta(params, options), adadelta(options));
  });

  it.each<tm.optim.AdadeltaOptions>([{ lr: 50 }, { lr: 50, weightDecay: 0.1 }])('steps an f16 parameter with f32 state, small gradients (1e-3) moving it as in float64, never to ∞ or NaN: %o', async (options) => {
    await checkAgainstReference((params) => new tm.optim.Adadelta(params, options), adadelta(options), { dtype: 'f16', gradScale: 1e-3 });
  });
});

describe('Adadelta settings', () => {
  it("has PyTorch's defaults", () => {
    const w = tm.tensor([1]);
    w.requiresGrad = true;
    const opt = new tm.optim.Adadelta([w]);
    expect([opt.lr, opt.rho, opt.epsilon, opt.weightDecay]).toEqual([1, 0.9, 1e-6, 0]);
  });

  it('refuses bad hyperparameters, naming them', () => {
    const w = tm.tensor([1]);
    w.requiresGrad = true;
    const cases: [tm.optim.AdadeltaOptions, string][] = [
      [{ lr: Infinity }, 'Adadelta: lr must be a finite number in [0, ∞), got Infinity'],
      [{ rho: 1.5 }, 'Adadelta: rho must be a finite number in [0, 1], got 1.5'],
      [{ epsilon: 0 }, 'Adadelta: epsilon must be a finite number in (0, ∞), got 0'],
      [{ weightDecay: -0.1 }, 'Adadelta: weightDecay must be a finite number in [0, ∞), got -0.1'],
      [{ eps: 1e-6 } as tm.optim.AdadeltaOptions, 'Adadelta: unknown option "eps" (did you mean epsilon?)'],
    ];
    for (const [options, message] of cases) expect(() => new tm.optim.Adadelta([w], options)).toThrow(message);
  });
});
