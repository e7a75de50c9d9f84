// tm.nn.utils.functionalCall (PyTorch's torch.func.functional_call): a
// module run with some of its tensors replaced gives what the module with
// those values gives, passes gradients to the replacements (to second
// order: MAML's inner step, against its derivative in float64), leaves the
// module's own tensors as they were (after a throw too), and refuses names
// and shapes it cannot replace.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { asF32, expectClose, uniform } from '../../helpers/data.js';

describe.each(BACKENDS)('functionalCall on %s', (backend) => {
  const tol = backend === 'webgpu' ? 1e-4 : 1e-5;

  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('computes with the replacements, as a copy of the module holding them does, their gradients included, and leaves the module as it was', async () => {
    const model = new tm.nn.Sequential([new tm.nn.Dense(5, 7, { activation: 'tanh', seed: 1 }), new tm.nn.BatchNorm1d(7), new tm.nn.Dense(7, 3, { seed: 2 })]);
    model.eval();
    const copy = tm.nn.fromBytes(await model.toBytes());
    copy.eval();
    const own = Object.fromEntries(await Promise.all(Object.entries(model.namedState()).map(async ([k, t]) => [k, await t.data()] as const)));
    const replacements = {
      '0.weight': tm.tensor(asF32(uniform(35, -1, 1)), [5, 7]),
      '2.bias': tm.tensor(asF32(uniform(3, -1, 1)), [3]),
      '1.runningMean': tm.tensor(asF32(uniform(7, -0.5, 0.5)), [7]), // a buffer
    };
    for (const t of Object.values(replacements)) t.requiresGrad = true;
    copy.loadStateDict(replacements, { strict: false });
    const x = tm.tensor(asF32(uniform(4 * 5, -2, 2)), [4, 5]);
    const y = tm.nn.utils.functionalCall(model, replacements, x);
    expectClose(await y.data(), await copy.forward(x).data(), tol);
    tm.tidy(() => y.square().sum()).backward();
    tm.tidy(() => copy.forward(x).square().sum()).backward();
    const copied = copy.namedParameters();
    expectClose(await replacements['0.weight'].grad!.data(), await copied['0.weight'].grad!.data(), tol);
    expectClose(await replacements['2.bias'].grad!.data(), await copied['2.bias'].grad!.data(), tol);
    // The module's own tensors are the ones it had, their values unchanged; those replaced took no gradient, the rest theirs.
    for (const [name, t] of Object.entries(model.namedState())) {
      expect(Array.from(await t.data()), name).toEqual(Array.from(own[name]));
      if (Object.hasOwn(replacements, name) || !t.requiresGrad) expect(t.grad ?? null, name).toBeNull();
      else expectClose(await t.grad!.data(), await copied[name].grad!.data(), tol, name);
    }
    expect(() => tm.nn.utils.functionalCall(model, replacements, tm.zeros([4, 6]))).toThrow(tm.ShapeError);
    expect(model.namedState()['0.weight']).not.toBe(replacements['0.weight']);
  });

  it("differentiates MAML's inner step: d/dw of L₂(w − α·dL₁/dw) for a linear model, against float64", async () => {
    const [n, alpha] = [6, 0.3];
    const [x1, y1, x2, y2] = [0, 1, 2, 3].map(() => asF32(uniform(n, -1, 1)));
    const model = new tm.nn.Dense(1, 1, { bias: false });
    const w = model.weight;
    const loss = (xs: Float64Array, ys: Float64Array, weight: tm.Tensor) =>
      tm.nn.utils.functionalCall(model, { weight }, tm.tensor(xs, [n, 1])).sub(tm.tensor(ys, [n, 1])).square().mean();
    const [g] = tm.grad(loss(x1, y1, w), [w], { createGraph: true });
    const outer = loss(x2, y2, w.sub(g.mul(alpha)));
    outer.backward();
    const wv = (await w.data())[0];
    const mean = (f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i)).reduce((a, b) => a + b, 0) / n;
    const g1 = mean((i) => 2 * x1[i] * (x1[i] * wv - y1[i]));
    const fast = wv - alpha * g1;
    const dOuter = mean((i) => 2 * x2[i] * (x2[i] * fast - y2[i])) * (1 - alpha * mean((i) => 2 * x1[i] * x1[i]));
    expectClose(await outer.data(), [mean((i) => (x2[i] * fast - y2[i]) ** 2)], tol);
    expectClose(await w.grad!.data(), [dOuter], tol);
  });
});

describe('functionalCall', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('refuses names the module lacks and shapes that differ, and puts its tensors back after a throw', () => {
    const model = new tm.nn.Sequential([new tm.nn.Dense(2, 3), new tm.nn.ReLU()]);
    const weight = model.namedParameters()['0.weight'];
    expect(() => tm.nn.utils.functionalCall(model, { '0.wieght': tm.zeros([2, 3]) }, tm.zeros([1, 2]))).toThrow(
      new tm.ValueError('functionalCall: the module has no parameter or buffer 0.wieght (it has 0.weight, 0.bias)'),
    );
    expect(() => tm.nn.utils.functionalCall(model, { '0.weight': tm.zeros([3, 2]) }, tm.zeros([1, 2]))).toThrow(
      new tm.ShapeError('functionalCall: 0.weight is [2,3] in the module, the replacement [3,2]'),
    );
    expect(() => tm.nn.utils.functionalCall(model, { '0.weight': tm.zeros([2, 3]) }, tm.zeros([1, 5]))).toThrow();
    expect(model.namedParameters()['0.weight']).toBe(weight);
  });
});
