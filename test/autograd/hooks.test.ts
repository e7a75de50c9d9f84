// Gradient hooks on tensors (PyTorch's Tensor.register_hook): called with a
// tensor's whole gradient when a backward pass or tm.grad computes it,
// before it flows on or is added to .grad; a tensor the hook returns
// replaces it. On every backend.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose } from '../helpers/data.js';
import { collected } from '../helpers/gc.js';

describe.each(BACKENDS)('gradient hooks on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('a hook on an intermediate sees its whole gradient (the sum of both uses) and, returning nothing, changes nothing', async () => {
    const x = tm.tensor([1, -2, 3]);
    x.requiresGrad = true;
    const h = x.mul(2);
    const seen: tm.Tensor[] = [];
    // Kept: the hook runs in a tidy, which frees what it makes and does not return.
    h.registerHook((g) => void seen.push(tm.keep(g.clone())));
    h.square().sum().add(h.sum()).backward(); // dL/dh = 2h + 1
    expectClose(await x.grad!.data(), [10, -14, 26], 0, 'dL/dx = 2(2h + 1)');
    expect(seen.length).toBe(1);
    expectClose(await seen[0].data(), [5, -7, 13], 0, 'dL/dh');
  });

  it('a tensor a hook returns replaces the gradient: upstream of an intermediate, and in a leaf\'s .grad', async () => {
    const x = tm.tensor([1, -2, 3]);
    x.requiresGrad = true;
    const h = x.mul(2);
    h.registerHook((g) => g.mul(3));
    h.sum().backward();
    expectClose(await x.grad!.data(), [6, 6, 6], 0, 'tripled upstream');

    const w = tm.tensor([0.5, 4, -9]);
    w.requiresGrad = true;
    w.registerHook((g) => g.clip(-1, 1));
    w.square().sum().backward(); // 2w = 1, 8, −18, clipped
    expectClose(await w.grad!.data(), [1, 1, -1], 0, 'clipped into .grad');
  });

  it('hooks run in order, each given what the one before left, in tm.grad too, and remove() takes one off', async () => {
    const x = tm.tensor([1, 2]);
    x.requiresGrad = true;
    const plusOne = x.registerHook((g) => g.add(1));
    x.registerHook((g) => g.mul(10));
    expectClose(await tm.grad(x.sum(), [x])[0].data(), [20, 20], 0, '(1 + 1)·10');
    plusOne.remove();
    expectClose(await tm.grad(x.sum(), [x])[0].data(), [10, 10], 0, 'without the first');
  });

  it('frees what a hook makes and the gradient it replaces', async () => {
    const x = tm.tensor([1, 2, 3]);
    x.requiresGrad = true;
    x.registerHook((g) => g.mul(2).add(1).sub(1));
    const before = await collected();
    tm.tidy(() => x.square().sum().backward());
    expect(tm.memory().numTensors).toBe(before + 1); // x.grad
    expectClose(await x.grad!.data(), [4, 8, 12], 0);
  });

  it('refuses a hook on a tensor no gradient reaches, hooks that are not functions, and replacements of another shape', () => {
    expect(() => tm.tensor([1, 2]).registerHook(() => undefined)).toThrow(/neither has requiresGrad/);
    const x = tm.tensor([1, 2]);
    x.requiresGrad = true;
    expect(() => x.registerHook('g' as unknown as tm.GradientHook)).toThrow(/expects a function/);
    const bad = x.registerHook(() => tm.tensor([1, 2, 3]));
    expect(() => x.sum().backward()).toThrow(/hook returned \[3\] for a gradient \[2\]/);
    bad.remove();
    x.registerHook(() => 5 as unknown as tm.Tensor);
    expect(() => x.sum().backward()).toThrow(/must return a tensor or nothing, got 5/);
  });
});
