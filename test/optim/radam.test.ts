// RAdam step by step against PyTorch's formula in float64, through the
// momentum-only warm-up (ρₜ ≤ 5) into the rectified steps, on every backend,
// with L2 and decoupled weight decay; and its hyperparameters checked.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { buffer, checkAgainstReference, type ReferenceParam } from '../helpers/optim.js';

/** PyTorch's RAdam in float64; `rectified` records, per step t, whether it took the rectified branch. */
function radam({ lr = 1e-3, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8, weightDecay = 0, decoupledWeightDecay = false }: tm.optim.RAdamOptions, rectified: Map<number, boolean>) {
  return (param: ReferenceParam, grad: Float64Array) => {
    const { p, t } = param;
    const [m, v] = [buffer(param, 'm'), buffer(param, 'v')];
    const rhoInf = 2 / (1 - beta2) - 1;
    const rho = rhoInf - (2 * t * beta2 ** t) / (1 - beta2 ** t);
    rectified.set(t, rho > 5);
    for (let i = 0; i < p.length; i++) {
      if (decoupledWeightDecay) p[i] *= 1 - lr * weightDecay;
      const g = grad[i] + (decoupledWeightDecay ? 0 : weightDecay * p[i]);
      m[i] = beta1 * m[i] + (1 - beta1) * g;
      v[i] = beta2 * v[i] + (1 - beta2) * g * g;
      const mHat = m[i] / (1 - beta1 ** t);
      if (rho > 5) {
        const r = Math.sqrt(((rho - 4) * (rho - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rho));
        p[i] -= lr * r * mHat * (Math.sqrt(1 - beta2 ** t) / (Math.sqrt(v[i]) + epsilon));
      } else {
        p[i] -= lr * mHat;
      }
    }
  };
}

describe.each(BACKENDS)('RAdam on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each<tm.optim.RAdamOptions>([
    {},
    { lr: 0.05 },
    { lr: 0.05, beta1: 0.8, weightDecay: 0.1 },
    { lr: 0.05, weightDecay: 0.5, decoupledWeightDecay: true },
    // ρ∞ = 19: the rectified steps from t = 3.
    { lr: 0.05, beta2: 0.9, epsilon: 1e-3 },
  ])('takes momentum steps while ρₜ ≤ 5, rectified Adam steps after: %o', async (options) => {
    const rectified = new Map<number, boolean>();
    await checkAgainstReference((params) => new tm.optim.RAdam(params, options), radam(options, rectified), { steps: 9 });
    // The run crossed the switch.
    expect(new Set(rectified.values())).toEqual(new Set([false, true]));
  });

  it.each<tm.optim.RAdamOptions>([{ lr: 0.05 }, { lr: 0.05, weightDecay: 0.1 }])('steps an f16 parameter with f32 state, small gradients (1e-3) moving it as in float64, never to ∞ or NaN: %o', async (options) => {
    await checkAgainstReference((params) => new tm.optim.RAdam(params, options), radam(options, new Map()), { dtype: 'f16', gradScale: 1e-3 });
  });
});

describe('RAdam settings', () => {
  it("has PyTorch's defaults: with β2 = 0.999 the first 5 steps are momentum steps", () => {
    const w = tm.tensor([1]);
    w.requiresGrad = true;
    const opt = new tm.optim.RAdam([w]);
    expect([opt.lr, opt.beta1, opt.beta2, opt.epsilon, opt.weightDecay, opt.decoupledWeightDecay]).toEqual([1e-3, 0.9, 0.999, 1e-8, 0, false]);
    const rho = (t: number) => 1999 - (2 * t * 0.999 ** t) / (1 - 0.999 ** t);
    expect([5, 6].map((t) => rho(t) > 5)).toEqual([false, true]);
  });

  it('refuses bad hyperparameters, naming them', () => {
    const w = tm.tensor([1]);
    w.requiresGrad = true;
    const cases: [tm.optim.RAdamOptions, string][] = [
      [{ lr: NaN }, 'RAdam: lr must be a finite number in [0, ∞), got NaN'],
      [{ beta1: -0.5 }, 'RAdam: beta1 must be a finite number in [0, 1), got -0.5'],
      [{ beta2: 1 }, 'RAdam: beta2 must be a finite number in [0, 1), got 1'],
      [{ epsilon: 0 }, 'RAdam: epsilon must be a finite number in (0, ∞), got 0'],
      [{ weightDecay: Infinity }, 'RAdam: weightDecay must be a finite number in [0, ∞), got Infinity'],
      [{ decoupledWeightDecay: 1 as unknown as boolean }, 'RAdam: decoupledWeightDecay must be true or false, got 1'],
    ];
    for (const [options, message] of cases) expect(() => new tm.optim.RAdam([w], options)).toThrow(message);
  });
});
