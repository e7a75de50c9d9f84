// Rprop step by step against PyTorch's formula in float64, on every backend:
// step sizes grown and shrunk by the gradient's sign, clipped to their
// bounds, the gradient zeroed where its sign flipped, and maximize; and its
// hyperparameters checked.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { buffer, checkAgainstReference, type ReferenceParam } from '../helpers/optim.js';

/** PyTorch's Rprop (torch/optim/rprop.py, 1.13 and 2.x) in float64. */
function rprop({ lr = 0.01, etas = [0.5, 1.2], stepSizes = [1e-6, 50], maximize = false }: tm.optim.RpropOptions) {
  return (param: ReferenceParam, grad: Float64Array) => {
    const p = param.p;
    const [prev, size] = [buffer(param, 'prev'), buffer(param, 'size', lr)];
    for (let i = 0; i < p.length; i++) {
      let g = maximize ? -grad[i] : grad[i];
      const s = Math.sign(g * prev[i]);
      size[i] = Math.min(Math.max(size[i] * (s > 0 ? etas[1] : s < 0 ? etas[0] : 1), stepSizes[0]), stepSizes[1]);
      if (s < 0) g = 0;
      p[i] -= Math.sign(g) * size[i];
      prev[i] = g;
    }
  };
}

describe.each(BACKENDS)('Rprop on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each<tm.optim.RpropOptions>([
    {},
    { lr: 0.1 },
    { lr: 0.05, etas: [0.3, 1.5], stepSizes: [0.02, 0.09] },
    { lr: 0.05, maximize: true },
  ])('grows each step size by η+ while the sign holds, shrinks it by η− and skips the move where it flips, within [min, max]: %o', async (options) => {
    await checkAgainstReference((params) => new tm.optim.Rprop(params, options), rprop(options), { steps: 10 });
  });

  it('steps an f16 parameter with f32 step sizes as in float64', async () => {
    const options = { lr: 0.01, stepSizes: [1e-6, 0.05] as const };
    await checkAgainstReference((params) => new tm.optim.Rprop(params, options), rprop(options), { dtype: 'f16', gradScale: 1e-3 });
  });

  it('moves each weight by lr on the first step whatever the size of its gradient, and not at all where it is 0', async () => {
    const p = tm.tensor([1, -2, 0.5]);
    p.requiresGrad = true;
    const opt = new tm.optim.Rprop([p], { lr: 0.25 });
    p.grad = tm.tensor([3e-6, -40, 0]);
    opt.step();
    expect(Array.from(await p.data())).toEqual([0.75, -1.75, 0.5]);
    opt.dispose();
    p.dispose();
  });
});

describe('Rprop settings', () => {
  it("has PyTorch's defaults", () => {
    const w = tm.tensor([1]);
    w.requiresGrad = true;
    const opt = new tm.optim.Rprop([w]);
    expect([opt.lr, opt.etaMinus, opt.etaPlus, opt.minStepSize, opt.maxStepSize, opt.maximize]).toEqual([0.01, 0.5, 1.2, 1e-6, 50, false]);
  });

  it('refuses bad hyperparameters, naming them', () => {
    const w = tm.tensor([1]);
    w.requiresGrad = true;
    const cases: [tm.optim.RpropOptions, string][] = [
      [{ lr: -1 }, 'Rprop: lr must be a finite number in [0, ∞), got -1'],
      [{ etas: [1, 1.2] }, 'Rprop: etas[0] must be a finite number in (0, 1), got 1'],
      [{ etas: [0.5, 1] }, 'Rprop: etas[1] must be a finite number in (1, ∞), got 1'],
      [{ etas: 0.5 as unknown as [number, number] }, 'Rprop: etas must be an array of two numbers, got 0.5'],
      [{ stepSizes: [-1, 50] }, 'Rprop: stepSizes[0] must be a finite number in [0, ∞), got -1'],
      [{ stepSizes: [1, 0.5] }, 'Rprop: stepSizes[1] must be a finite number in [1, ∞), got 0.5'],
      [{ stepSizes: [1e-6, NaN] }, 'Rprop: stepSizes[1] must be a finite number in [0.000001, ∞), got NaN'],
      [{ maximize: 'yes' as unknown as boolean }, 'Rprop: maximize'],
      [{ eta: [0.5, 1.2] } as tm.optim.RpropOptions, 'Rprop: unknown option "eta"'],
    ];
    for (const [options, message] of cases) expect(() => new tm.optim.Rprop([w], options)).toThrow(message);
  });
});
