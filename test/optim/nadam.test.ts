// NAdam step by step against PyTorch's formula in float64 (its μₜ schedule,
// the product of μ so far kept per parameter), on every backend, with L2 and
// decoupled weight decay; and its hyperparameters checked.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { buffer, checkAgainstReference, type ReferenceParam } from '../helpers/optim.js';

/** PyTorch's NAdam in float64; the product of μ so far lives in state.muProduct[0]. */
function nadam({ lr = 2e-3, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8, weightDecay = 0, momentumDecay = 4e-3, decoupledWeightDecay = false }: tm.optim.NAdamOptions) {
  return (param: ReferenceParam, grad: Float64Array) => {
    const { p, t } = param;
    const [m, v, product] = [buffer(param, 'm'), buffer(param, 'v'), buffer(param, 'muProduct', 1)];
    const mu = beta1 * (1 - 0.5 * 0.96 ** (t * momentumDecay));
    const muNext = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * momentumDecay));
    product[0] *= mu;
    for (let i = 0; i < p.length; i++) {
      if (decoupledWeightDecay) p[i] *= 1 - lr * weightDecay;
      const g = grad[i] + (decoupledWeightDecay ? 0 : weightDecay * p[i]);
      m[i] = beta1 * m[i] + (1 - beta1) * g;
      v[i] = beta2 * v[i] + (1 - beta2) * g * g;
      const d = Math.sqrt(v[i] / (1 - beta2 ** t)) + epsilon;
      p[i] -= ((lr * (1 - mu)) / (1 - product[0])) * (g / d);
      p[i] -= ((lr * muNext) / (1 - product[0] * muNext)) * (m[i] / d);
    }
  };
}

describe.each(BACKENDS)('NAdam on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each<tm.optim.NAdamOptions>([
    {},
    { lr: 0.05, momentumDecay: 0.5 },
    { lr: 0.05, beta1: 0.8, beta2: 0.99, weightDecay: 0.1 },
    { lr: 0.05, weightDecay: 0.5, decoupledWeightDecay: true },
    { lr: 0.05, momentumDecay: 0, epsilon: 1e-3 },
  ])('steps with Nesterov momentum μₜ = β1·(1 − ½·0.96^(tψ)) and Adam’s second moment: %o', async (options) => {
    await checkAgainstReference((params) => new tm.optim.NAdam(params, options), nadam(options));
  });

  it.each<tm.optim.NAdamOptions>([{ lr: 0.05 }, { lr: 0.05, weightDecay: 0.1, decoupledWeightDecay: true }])('steps an f16 parameter with f32 state, small gradients (1e-3) moving it as in float64, never to ∞ or NaN: %o', async (options) => {
    await checkAgainstReference((params) => new tm.optim.NAdam(params, options), nadam(options), { dtype: 'f16', gradScale: 1e-3 });
  });
});

describe('NAdam settings', () => {
  it("has PyTorch's defaults", () => {
    const w = tm.tensor([1]);
    w.requiresGrad = true;
    const opt = new tm.optim.NAdam([w]);
    expect([opt.lr, opt.beta1, opt.beta2, opt.epsilon, opt.weightDecay, opt.momentumDecay, opt.decoupledWeightDecay]).toEqual([2e-3, 0.9, 0.999, 1e-8, 0, 4e-3, false]);
  });

  it('refuses bad hyperparameters, naming them', () => {
    const w = tm.tensor([1]);
    w.requiresGrad = true;
    const cases: [tm.optim.NAdamOptions, string][] = [
      [{ beta1: 1 }, 'NAdam: beta1 must be a finite number in [0, 1), got 1'],
      [{ beta2: 1 }, 'NAdam: beta2 must be a finite number in [0, 1), got 1'],
      [{ epsilon: -1e-8 }, 'NAdam: epsilon must be a finite number in (0, ∞), got -1e-8'],
      [{ weightDecay: -1 }, 'NAdam: weightDecay must be a finite number in [0, ∞), got -1'],
      [{ momentumDecay: -4e-3 }, 'NAdam: momentumDecay must be a finite number in [0, ∞), got -0.004'],
      [{ decoupledWeightDecay: 'true' as unknown as boolean }, 'NAdam: decoupledWeightDecay must be true or false, got "true"'],
      [{ momentum_decay: 4e-3 } as tm.optim.NAdamOptions, 'NAdam: unknown option "momentum_decay" (did you mean momentumDecay?)'],
    ];
    for (const [options, message] of cases) expect(() => new tm.optim.NAdam([w], options)).toThrow(message);
  });
});
