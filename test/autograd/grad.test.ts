// tm.grad(output, inputs): the gradients of an output with respect to chosen
// tensors (leaves or intermediates), returned rather than added to any
// .grad, as torch.autograd.grad; checked against backward() and against
// gradients worked out by hand, on every backend.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { collected } from '../helpers/gc.js';
import { expectClose } from '../helpers/data.js';

describe.each(BACKENDS)('grad on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('gives what backward() would add to .grad, and adds to no .grad itself (the weights\' included)', async () => {
    const model = new tm.nn.Sequential([new tm.nn.Dense(5, 7, { seed: 1, activation: 'tanh' }), new tm.nn.Dense(7, 3, { seed: 2 })]);
    const x = tm.randn([4, 5], { seed: 3 });
    const [w1, b1] = model.parameters();
    const [gw1, gb1] = tm.grad(model.forward(x).square().mean(), [w1, b1]);
    expect(model.parameters().every((p) => p.grad === null)).toBe(true);
    model.forward(x).square().mean().backward();
    expectClose(await gw1.data(), await w1.grad!.data(), 1e-6, 'w1');
    expectClose(await gb1.data(), await b1.grad!.data(), 1e-6, 'b1');
    expect([gw1.shape, gb1.shape]).toEqual([w1.shape, b1.shape]);
  });

  it('differentiates with respect to an input image (a saliency map), its weights left without gradients', async () => {
    const model = new tm.nn.Sequential([new tm.nn.Conv2d(2, 3, 3, { padding: 1, seed: 4 }), new tm.nn.ReLU(), new tm.nn.Flatten(), new tm.nn.Dense(3 * 5 * 5, 4, { seed: 5 })]);
    const image = tm.randn([1, 2, 5, 5], { seed: 6 });
    image.requiresGrad = true;
    const [saliency] = tm.grad(model.forward(image).sum(), [image]);
    expect(saliency.shape).toEqual([1, 2, 5, 5]);
    expect(image.grad).toBeNull();
    expect(model.parameters().every((p) => p.grad === null)).toBe(true);
    model.forward(image).sum().backward();
    expectClose(await saliency.data(), await image.grad!.data(), 1e-6);
  });

  it('differentiates with respect to intermediates, and through one target to another', async () => {
    const x = tm.tensor([1, -2, 3]);
    x.requiresGrad = true;
    const h = x.mul(3);
    const y = h.square().sum(); // dy/dh = 2h = 6x, dy/dx = 18x
    const [gh, gx] = tm.grad(y, [h, x]);
    expectClose(await gh.data(), [6, -12, 18], 1e-6, 'dy/dh');
    expectClose(await gx.data(), [18, -36, 54], 1e-6, 'dy/dx');
    expect(x.grad).toBeNull();
  });

  it('takes the gradient of a non-scalar output (a vector-Jacobian product), gives zeros to an input the output does not use, and a second copy to one listed twice', async () => {
    const a = tm.tensor([[1, 2], [3, 4]]);
    const unused = tm.tensor([5, 6]);
    for (const t of [a, unused]) t.requiresGrad = true;
    const y = a.exp();
    const v = tm.tensor([[1, 0], [0, 2]]);
    const [ga, gu, again] = tm.grad(y, [a, unused, a], { gradient: v });
    expectClose(await ga.data(), [Math.E, 0, 0, 2 * Math.exp(4)], 1e-6, 'v · exp(a)');
    expect(Array.from(await gu.data())).toEqual([0, 0]);
    expect(again).not.toBe(ga);
    expectClose(await again.data(), await ga.data(), 0);
    expect(() => tm.grad(a.exp(), [a])).toThrow('grad: output [2,2] is not a scalar; pass a gradient of the same shape');
  });

  it('frees the graph it walked, and inside tidy gives back only what is returned', async () => {
    const w = tm.randn([6, 6], { seed: 1 });
    w.requiresGrad = true;
    const x = tm.randn([3, 6], { seed: 2 });
    const before = await collected();
    const g = tm.tidy(() => {
      const [gw] = tm.grad(x.matmul(w).relu().sum(), [w]);
      tm.grad(x.matmul(w).sum(), [w]); // not returned: freed with the scope
      return gw;
    });
    expect(await collected()).toBe(before + 1);
    g.dispose();
    const y = x.matmul(w).sum();
    tm.grad(y, [w])[0].dispose();
    expect(() => y.backward()).toThrow("backward: this tensor's graph was already back-propagated");
  });

  it('refuses what has no gradient to give, naming it', () => {
    const x = tm.tensor([1, 2]);
    const w = tm.tensor([3, 4]);
    w.requiresGrad = true;
    expect(() => tm.grad(x.mul(w).sum(), [x])).toThrow('grad: input 0 [2] f32 neither has requiresGrad nor was computed from a tensor that has: no gradient can reach it');
    expect(() => tm.grad(x.sum(), [w])).toThrow('grad: this tensor does not depend on any tensor with requiresGrad');
    expect(() => tm.grad(w.sum(), w as unknown as tm.Tensor[])).toThrow('grad: inputs must be a list of tensors');
    expect(() => tm.grad(w.sum(), [w], { gradients: x } as tm.GradOptions)).toThrow(/gradients/);
  });
});
