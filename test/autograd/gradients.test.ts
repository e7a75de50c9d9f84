// Every differentiable op's gradient, from tmnn's autograd (f32, js backend),
// against central finite differences of a float64 version of the same
// function (test/helpers/gradient_cases.ts). The objective is Σ r·f(x) with
// fixed random weights r, so every output element's gradient path is exercised.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { collected } from '../helpers/gc.js';
import { BACKENDS } from '../helpers/backends.js';
import { CASES, caseObjective } from '../helpers/gradient_cases.js';

describe('gradients match float64 finite differences', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const { inputs, outShape, weights, objective } = await caseObjective(c);

    const params = inputs.map((v, i) => {
      const t = tm.tensor(Float32Array.from(v), c.shapes[i]);
      t.requiresGrad = true;
      return t;
    });
    const before = await collected(); // earlier tests' garbage, finalized during the awaits below, would lower the count
    const loss = tm.tidy(() => c.tm(...params).mul(tm.tensor(Float32Array.from(weights), outShape)).sum());
    loss.backward();

    const h = 1e-5;
    for (let k = 0; k < inputs.length; k++) {
      const got = await params[k].grad!.data();
      expect(params[k].grad!.shape).toEqual(c.shapes[k]);
      for (let i = 0; i < inputs[k].length; i++) {
        const plus = inputs.map((v) => v.slice());
        const minus = inputs.map((v) => v.slice());
        plus[k][i] += h;
        minus[k][i] -= h;
        const want = (objective(plus) - objective(minus)) / (2 * h);
        expect(Math.abs(got[i] - want), `d/d input${k}[${i}]: got ${got[i]}, want ${want}`).toBeLessThanOrEqual(2e-3 * (1 + Math.abs(want)));
      }
    }
    // The graph is freed by backward: only the loss and the new gradients remain.
    expect(tm.memory().numTensors).toBe(before + 1 + params.length);
    loss.dispose();
    for (const p of params) {
      p.grad!.dispose();
      p.dispose();
    }
  });
});

describe('pow at a zero base, where the formulas meet 0 · ∞', () => {
  it.each(BACKENDS)('takes the limits on %s: d/da a^0 is 0, d/db a^b is 0 for b ≥ 0, d/da 0^½ is ∞', async (backend) => {
    await tm.init({ backend });
    const a = tm.tensor([0, 0, 0, 2, 0]);
    const b = tm.tensor([2, 0, 0.5, 3, -1]);
    a.requiresGrad = true;
    b.requiresGrad = true;
    tm.tidy(() => a.pow(b).sum()).backward();
    // At a = 0, b = -1 the power itself is ∞ (1/a): both gradients are -∞, the limits from a > 0.
    expect(Array.from(await a.grad!.data())).toEqual([0, 0, Infinity, 12, -Infinity]);
    const db = await b.grad!.data();
    expect(Array.from(db.slice(0, 3))).toEqual([0, 0, 0]);
    expect(db[3]).toBeCloseTo(8 * Math.log(2), 5);
    expect(db[4]).toBe(-Infinity);
    for (const t of [a, b, a.grad!, b.grad!]) t.dispose();
  });
});

describe('ties, where the gradient of a max or min is a choice', () => {
  it.each(BACKENDS)('on %s, maximum and minimum split it evenly, as max over an axis does (PyTorch\'s convention); clip passes all of it on [min, max], ends included, as clamp', async (backend) => {
    await tm.init({ backend });
    const a = tm.tensor([1, 2, 3]);
    const b = tm.tensor([1, 0, 5]);
    a.requiresGrad = true;
    b.requiresGrad = true;
    tm.tidy(() => a.maximum(b).sum()).backward();
    expect(Array.from(await a.grad!.data())).toEqual([0.5, 1, 0]);
    expect(Array.from(await b.grad!.data())).toEqual([0.5, 0, 1]);
    a.grad = b.grad = null;
    tm.tidy(() => a.minimum(b).sum()).backward();
    expect(Array.from(await a.grad!.data())).toEqual([0.5, 0, 1]);
    expect(Array.from(await b.grad!.data())).toEqual([0.5, 1, 0]);
    const m = tm.tensor([1, 3, 3]);
    m.requiresGrad = true;
    tm.tidy(() => m.max()).backward();
    expect(Array.from(await m.grad!.data())).toEqual([0, 0.5, 0.5]);
    const x = tm.tensor([-2, -1, 0, 1, 2]);
    x.requiresGrad = true;
    tm.tidy(() => x.clip(-1, 1).mul(tm.tensor([1, 2, 3, 4, 5])).sum()).backward();
    expect(Array.from(await x.grad!.data())).toEqual([0, 2, 3, 4, 0]);
    expect(Array.from(await x.clip(-1, 1).data())).toEqual([-1, -1, 0, 1, 1]);
  });
});
