// Second derivatives: every differentiable op's backward is made of ops, so
// a backward pass that records (createGraph) can be differentiated again.
// Each case's Hessian–vector product, from two reverse passes (tm.autograd.hvp),
// against central differences of the float64 function's directional
// derivative, on the cases of test/autograd/gradients.test.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { CASES, caseObjective, values } from '../helpers/gradient_cases.js';
import { collected } from '../helpers/gc.js';

describe('Hessian–vector products match float64 finite differences', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const { inputs, outShape, weights, objective } = await caseObjective(c);
    // A direction of small entries: the finite differences below step along it.
    const directions = await Promise.all(c.shapes.map(async (s, i) => Float64Array.from(await values(s, 97 + 13 * i, false), (v) => v / 2)));
    // ∇f · v in float64, by a central difference along v.
    const eps = 1e-4;
    const along = (xs: Float64Array[]) =>
      (objective(xs.map((x, k) => x.map((v, i) => v + eps * directions[k][i]))) - objective(xs.map((x, k) => x.map((v, i) => v - eps * directions[k][i])))) / (2 * eps);

    const before = await collected();
    const xs = inputs.map((v, i) => tm.tensor(Float32Array.from(v), c.shapes[i]));
    const vs = directions.map((v, i) => tm.tensor(Float32Array.from(v), c.shapes[i]));
    const r = tm.tensor(Float32Array.from(weights), outShape);
    const { output, hvp } = tm.autograd.hvp((...ts) => tm.tidy(() => c.tm(...ts).mul(r).sum()), xs, vs);

    // f(x) itself, to f16's precision where a case casts through it.
    expect(Math.abs((await output.item()) - objective(inputs))).toBeLessThanOrEqual(2e-3 * (1 + Math.abs(objective(inputs))));
    const h = 1e-4;
    for (let k = 0; k < inputs.length; k++) {
      expect(hvp[k].shape).toEqual(c.shapes[k]);
      const got = await hvp[k].data();
      for (let i = 0; i < inputs[k].length; i++) {
        const plus = inputs.map((v) => v.slice());
        const minus = inputs.map((v) => v.slice());
        plus[k][i] += h;
        minus[k][i] -= h;
        const want = (along(plus) - along(minus)) / (2 * h);
        expect(Math.abs(got[i] - want), `(Hv) of input${k}[${i}]: got ${got[i]}, want ${want}`).toBeLessThanOrEqual(2e-3 * (1 + Math.abs(want)));
      }
    }
    // Every graph the call built is freed: only what it returned is left.
    for (const t of [output, ...hvp, ...xs, ...vs, r]) t.dispose();
    expect(tm.memory().numTensors).toBe(before);
  });
});
