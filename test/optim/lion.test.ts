// Lion step by step against its formula (Chen et al. 2023) in float64, on
// every backend, with and without its decoupled weight decay; and its
// hyperparameters checked.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { buffer, checkAgainstReference, type ReferenceParam } from '../helpers/optim.js';

/** Lion in float64 (the paper's Algorithm 2). */
function lion({ lr = 1e-4, beta1 = 0.9, beta2 = 0.99, weightDecay = 0 }: tm.optim.LionOptions) {
  return (param: ReferenceParam, g: Float64Array) => {
    const p = param.p;
    const m = buffer(param, 'm');
    for (let i = 0; i < p.length; i++) {
      const c = beta1 * m[i] + (1 - beta1) * g[i];
      p[i] = p[i] * (1 - lr * weightDecay) - lr * Math.sign(c);
      m[i] = beta2 * m[i] + (1 - beta2) * g[i];
    }
  };
}

describe.each(BACKENDS)('Lion on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each<tm.optim.LionOptions>([
    {},
    { lr: 0.01 },
    { lr: 0.03, weightDecay: 1 },
    { lr: 0.01, beta1: 0.5, beta2: 0.9, weightDecay: 0.1 },
  ])('steps as p −= lr·(sign(β1·m + (1 − β1)·g) + λ·p), m = β2·m + (1 − β2)·g: %o', async (options) => {
    await checkAgainstReference((params) => new tm.optim.Lion(params, options), lion(options));
  });

  it('moves every weight with a gradient by exactly lr a step, and one with a zero gradient and momentum not at all', async () => {
    const p = tm.tensor([1, -2, 0.5]);
    p.requiresGrad = true;
    const opt = new tm.optim.Lion([p], { lr: 0.25 });
    p.grad = tm.tensor([3e-6, -40, 0]);
    opt.step();
    expect(Array.from(await p.data())).toEqual([0.75, -1.75, 0.5]);
    opt.dispose();
  });

  it.each<tm.optim.LionOptions>([{ lr: 0.05 }, { lr: 0.05, weightDecay: 0.5 }])('steps an f16 parameter with f32 state, small gradients (1e-4) moving it as in float64, never to ∞ or NaN: %o', async (options) => {
    await checkAgainstReference((params) => new tm.optim.Lion(params, options), lion(options), { dtype: 'f16', gradScale: 1e-4 });
  });
});

describe('Lion settings', () => {
  it('has the paper’s defaults (lr 1e-4, betas 0.9 and 0.99)', () => {
    const w = tm.tensor([1]);
    w.requiresGrad = true;
    const opt = new tm.optim.Lion([w]);
    expect([opt.lr, opt.beta1, opt.beta2, opt.weightDecay]).toEqual([1e-4, 0.9, 0.99, 0]);
  });

  it('refuses bad hyperparameters, naming them', () => {
    const w = tm.tensor([1]);
    w.requiresGrad = true;
    const cases: [tm.optim.LionOptions, string][] = [
      [{ lr: -1e-4 }, 'Lion: lr must be a finite number in [0, ∞), got -0.0001'],
      [{ beta1: 1.1 }, 'Lion: beta1 must be a finite number in [0, 1], got 1.1'],
      [{ beta2: NaN }, 'Lion: beta2 must be a finite number in [0, 1], got NaN'],
      [{ weightDecay: -1 }, 'Lion: weightDecay must be a finite number in [0, ∞), got -1'],
    ];
    for (const [options, message] of cases) expect(() => new tm.optim.Lion([w], options)).toThrow(message);
  });
});
