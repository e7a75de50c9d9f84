// ASGD step by step against PyTorch's formula in float64, on every backend:
// the decaying rate, the weight shrink and decay, and the average of the
// iterates from t0 on, read through averages, copyTo and withAverages; and
// its hyperparameters checked.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose } from '../helpers/data.js';
import { buffer, checkAgainstReference, type ReferenceParam } from '../helpers/optim.js';

/** PyTorch's ASGD (torch/optim/asgd.py, 1.13 and 2.x) in float64; the average in state.ax, η and μ in state.schedule. */
function asgd({ lr = 0.01, lambd = 1e-4, alpha = 0.75, t0 = 1e6, weightDecay = 0 }: tm.optim.ASGDOptions) {
  return (param: ReferenceParam, grad: Float64Array) => {
    const { p, t } = param;
    const [ax, schedule] = [buffer(param, 'ax'), (param.state.schedule ??= Float64Array.of(lr, 1))];
    const [eta, mu] = schedule;
    for (let i = 0; i < p.length; i++) {
      const g = grad[i] + weightDecay * p[i];
      p[i] = p[i] * (1 - lambd * eta) - eta * g;
      ax[i] = mu === 1 ? p[i] : ax[i] + mu * (p[i] - ax[i]);
    }
    schedule[0] = lr / (1 + lambd * lr * t) ** alpha;
    schedule[1] = 1 / Math.max(1, t - t0);
  };
}

describe.each(BACKENDS)('ASGD on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each<tm.optim.ASGDOptions>([
    {},
    { lr: 0.1, lambd: 0.05, alpha: 0.5 },
    { lr: 0.05, lambd: 0.01, t0: 2, weightDecay: 0.1 },
  ])('steps as p = p·(1 − λη) − η·g with η = lr/(1 + λ·lr·t)^α: %o', async (options) => {
    await checkAgainstReference((params) => new tm.optim.ASGD(params, options), asgd(options));
  });

  it('steps an f16 parameter with an f32 average as in float64', async () => {
    const options = { lr: 0.05, lambd: 0.01, t0: 2 };
    await checkAgainstReference((params) => new tm.optim.ASGD(params, options), asgd(options), { dtype: 'f16', gradScale: 1e-3 });
  });

  it.each([0, 3, 1e6])('averages the iterates after step t0 = %d (the last iterate before), read through averages, copyTo and withAverages', async (t0) => {
    const sizes = [7, 1, 13];
    const ref = sizes.map((n) => ({ p: Float64Array.from(Float32Array.from(Array.from({ length: n }, (_, i) => Math.sin(i + n)))), state: {}, t: 0 }) as ReferenceParam);
    const params = ref.map((r) => {
      const p = tm.tensor(r.p);
      p.requiresGrad = true;
      return p;
    });
    const options = { lr: 0.1, lambd: 0.01, t0 };
    const opt = new tm.optim.ASGD(params, options);
    const step = asgd(options);
    expect(opt.averages).toEqual(params); // not updated yet: each is its own average
    for (let k = 0; k < 9; k++) {
      for (const [i, r] of ref.entries()) {
        const g = Float64Array.from(Float32Array.from(Array.from({ length: sizes[i] }, (_, j) => Math.cos(3 * j + k))));
        params[i].grad = tm.tensor(g);
        r.t++;
        step(r, g);
      }
      opt.step();
      opt.zeroGrad();
    }
    for (const [i, r] of ref.entries()) {
      expectClose(await opt.averages[i].data(), r.state.ax, 1e-5, `average ${i}`);
      expectClose(await params[i].data(), r.p, 1e-5, `parameter ${i}`);
    }
    const seen = await opt.withAverages(() => params[0].data());
    expectClose(seen, ref[0].state.ax, 1e-5, 'during withAverages');
    expectClose(await params[0].data(), ref[0].p, 1e-5, 'after withAverages');
    await expect(opt.withAverages(() => {
      throw new Error('evaluation failed');
    })).rejects.toThrow('evaluation failed');
    expectClose(await params[2].data(), ref[2].p, 1e-5, 'after a throw');
    opt.copyTo();
    for (const [i, r] of ref.entries()) expectClose(await params[i].data(), r.state.ax, 1e-5, `copied ${i}`);
    opt.dispose();
    for (const p of params) p.dispose();
  });
});

describe('ASGD settings', () => {
  it("has PyTorch's defaults", () => {
    const w = tm.tensor([1]);
    w.requiresGrad = true;
    const opt = new tm.optim.ASGD([w]);
    expect([opt.lr, opt.lambd, opt.alpha, opt.t0, opt.weightDecay]).toEqual([0.01, 1e-4, 0.75, 1e6, 0]);
  });

  it('refuses bad hyperparameters, naming them', () => {
    const w = tm.tensor([1]);
    w.requiresGrad = true;
    const cases: [tm.optim.ASGDOptions, string][] = [
      [{ lr: -1 }, 'ASGD: lr must be a finite number in [0, ∞), got -1'],
      [{ lambd: -0.1 }, 'ASGD: lambd must be a finite number in [0, ∞), got -0.1'],
      [{ alpha: NaN }, 'ASGD: alpha must be a finite number in [0, ∞), got NaN'],
      [{ t0: -1 }, 'ASGD: t0 must be a finite number in [0, ∞), got -1'],
      [{ weightDecay: '0.1' as unknown as number }, 'ASGD: weightDecay must be a finite number in [0, ∞), got "0.1"'],
      [{ lambda: 0.1 } as tm.optim.ASGDOptions, 'ASGD: unknown option "lambda"'],
    ];
    for (const [options, message] of cases) expect(() => new tm.optim.ASGD([w], options)).toThrow(message);
  });
});
