// tm.autograd.customGrad: ops whose gradient the user gives (a straight-
// through estimator, a gradient reversal layer, a formula of one's own),
// applied by backward and tm.grad, differentiable again when written in
// ops, checked for what it returns, on every backend.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose } from '../helpers/data.js';
import { collected } from '../helpers/gc.js';

describe.each(BACKENDS)('customGrad on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('a straight-through estimator: rounds going forward, passes the gradient through unchanged going back', async () => {
    const roundSte = tm.autograd.customGrad((x: tm.Tensor) => ({ value: x.round(), gradient: (dy) => dy }));
    const x = tm.tensor([0.2, 1.7, -2.6]);
    x.requiresGrad = true;
    const y = roundSte(x);
    expectClose(await y.data(), [0, 2, -3], 0, 'forward');
    y.mul(tm.tensor([1, 2, 3])).sum().backward();
    expectClose(await x.grad!.data(), [1, 2, 3], 0, 'straight through');
  });

  it('a gradient reversal layer (domain-adversarial training): the identity forward, −λ·dy back, through the layers before it', async () => {
    const reverse = tm.autograd.customGrad((x: tm.Tensor) => ({ value: x, gradient: (dy) => dy.mul(-0.5) }));
    const layer = new tm.nn.Dense(3, 2, { seed: 1 });
    const x = tm.tensor([[1, -1, 2]]);
    const loss = (through: boolean) => {
      const h = layer.forward(x);
      return (through ? reverse(h) : h).square().sum();
    };
    const [plainW] = tm.grad(loss(false), [layer.weight]);
    const [reversedW] = tm.grad(loss(true), [layer.weight]);
    expectClose(await reversedW.data(), Array.from(await plainW.data(), (g) => -0.5 * g), 1e-6);
  });

  it('a gradient from saved tensors, as autograd would give it, and differentiable again (createGraph) when written in ops', async () => {
    const cube = tm.autograd.customGrad((x: tm.Tensor) => ({ value: x.pow(3), save: [x], gradient: (dy, [sx]) => dy.mul(sx.square()).mul(3) }));
    const values = [0.5, -1.5, 2];
    const x = tm.tensor(values);
    x.requiresGrad = true;
    // The forward's intermediates freed by a tidy: the saved x is the node's own view.
    const y = tm.tidy(() => cube(x.mul(1)));
    const [dx] = tm.grad(y.sum(), [x], { createGraph: true });
    expectClose(await dx.data(), values.map((v) => 3 * v * v), 1e-6, 'first');
    const [ddx] = tm.grad(dx.sum(), [x]);
    expectClose(await ddx.data(), values.map((v) => 6 * v), 1e-6, 'second');
  });

  it('several inputs: a null gradient gives none, a broadcast one is summed back to its input, a dtype cast to it', async () => {
    const scaleBy = tm.autograd.customGrad((x: tm.Tensor, s: tm.Tensor) => ({
      value: x.mul(s),
      save: [x, s],
      gradient: (dy, [sx, ss]) => [dy.mul(ss), dy.mul(sx)], // dy·x is [2, 3]: s [3] gets its column sums
    }));
    const x = tm.tensor([[1, 2, 3], [4, 5, 6]]);
    const s = tm.tensor([0.5, -1, 2]);
    for (const t of [x, s]) t.requiresGrad = true;
    scaleBy(x, s).sum().backward();
    expectClose(await x.grad!.data(), [0.5, -1, 2, 0.5, -1, 2], 0, 'x');
    expectClose(await s.grad!.data(), [5, 7, 9], 0, 's');

    const firstOnly = tm.autograd.customGrad((a: tm.Tensor, b: tm.Tensor) => ({ value: a.add(b), gradient: (dy) => [dy.cast('f16'), null] }));
    const [a, b] = [tm.tensor([1, 2]), tm.tensor([3, 4])];
    for (const t of [a, b]) t.requiresGrad = true;
    firstOnly(a, b).sum().backward();
    expect(a.grad!.dtype).toBe('f32');
    expectClose(await a.grad!.data(), [1, 1], 0, 'a');
    expect(b.grad).toBeNull();
  });

  it('frees what it saved once the backward pass has run, and records nothing under noGrad', async () => {
    const square = tm.autograd.customGrad((x: tm.Tensor) => ({ value: x.square(), save: [x], gradient: (dy, [sx]) => dy.mul(sx).mul(2) }));
    const x = tm.tensor([1, 2, 3]);
    x.requiresGrad = true;
    const before = await collected();
    tm.tidy(() => square(x.add(1)).sum().backward());
    expect(tm.memory().numTensors).toBe(before + 1); // x.grad
    expectClose(await x.grad!.data(), [4, 6, 8], 0);
    expect(tm.noGrad(() => square(x)).gradFn).toBeNull();
  });

  it('refuses what it cannot use, naming it', () => {
    expect(() => tm.autograd.customGrad(3 as unknown as () => tm.autograd.CustomGradResult)).toThrow(/expects a function/);
    const x = tm.tensor([1, 2]);
    x.requiresGrad = true;
    const noValue = tm.autograd.customGrad((_t: tm.Tensor) => ({ value: 3 }) as unknown as tm.autograd.CustomGradResult);
    expect(() => noValue(x)).toThrow(/must return \{ value, gradient \}/);
    const tooMany = tm.autograd.customGrad(function twice(t: tm.Tensor) {
      return { value: t.mul(2), gradient: (dy: tm.Tensor) => [dy, dy] };
    });
    expect(() => tooMany(x).sum().backward()).toThrow(/twice: the gradient function must return one gradient \(or null\) per input, 1/);
    const misfit = tm.autograd.customGrad((t: tm.Tensor) => ({ value: t.mul(2), gradient: () => tm.ones([3]) }));
    expect(() => misfit(x).sum().backward()).toThrow(/gradient 0 \[3\] does not fit input 0 \[2\]/);
  });
});
