// What backward() refuses, and the message that says why: an output no
// parameter feeds, a non-scalar output without a gradient, a gradient of
// the wrong shape, and a graph already back-propagated (each backward()
// frees the graph it walks, so a forward pass is back-propagated once).
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';

describe('backward refuses, naming the problem', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });

  const parameter = () => {
    const w = tm.tensor([[1, 2], [3, 4]]);
    w.requiresGrad = true;
    return w;
  };

  it('an output that depends on no tensor with requiresGrad', () => {
    expect(() => tm.ones([2]).sum().backward()).toThrow(/does not depend on any tensor with requiresGrad/);
    const w = parameter();
    expect(() => tm.noGrad(() => w.square().sum()).backward()).toThrow(/does not depend on any tensor with requiresGrad \(or was computed under noGrad, or from intermediates whose graph an earlier backward\(\) freed\)/);
  });

  it('requiresGrad on an int tensor, whose gradient cast to its dtype would be truncated (e^x on i8 [1,2,3] gave [2,7,20])', () => {
    for (const dtype of ['i8', 'i32'] as const) {
      const x = tm.tensor([1, 2, 3], { dtype });
      expect(() => { x.requiresGrad = true; }).toThrow(`requiresGrad: only f32 and f16 tensors can have gradients, this one is ${dtype}; cast it first`);
      expect(x.requiresGrad).toBe(false);
      x.requiresGrad = false;
    }
    const h = tm.tensor([1, 2], { dtype: 'f16' });
    h.requiresGrad = true;
    expect(h.requiresGrad).toBe(true);
    expect(() => { h.requiresGrad = 1 as unknown as boolean; }).toThrow('requiresGrad must be true or false, got 1');
  });

  it('a non-scalar output without a gradient, and a gradient whose shape differs from the output', () => {
    const y = parameter().mul(2);
    expect(() => y.backward()).toThrow('backward: output [2,2] is not a scalar; pass a gradient of the same shape');
    expect(() => y.backward(tm.ones([4]))).toThrow('backward: gradient [4] does not match output [2,2]');
  });

  it('a second backward through the same graph, whose first backward freed it', async () => {
    const w = parameter();
    const loss = w.square().sum();
    loss.backward();
    expect(Array.from(await w.grad!.data())).toEqual([2, 4, 6, 8]);
    expect(() => loss.backward()).toThrow(/graph was already back-propagated.*run the forward pass/);
    // The gradient is as the first pass left it, and a new forward pass back-propagates again.
    expect(Array.from(await w.grad!.data())).toEqual([2, 4, 6, 8]);
    w.square().sum().backward();
    expect(Array.from(await w.grad!.data())).toEqual([4, 8, 12, 16]);
  });

  it('a second loss through an intermediate whose graph the first backward freed, before any gradient changes', async () => {
    const w = tm.tensor([1, 2, 3]);
    w.requiresGrad = true;
    const h = w.mul(2);
    const [first, second] = [h.sum(), h.square().sum()];
    first.backward();
    expect(Array.from(await w.grad!.data())).toEqual([2, 2, 2]);
    // The walk would stop at h and leave w's gradient as it is: [2,2,2], where the two losses give [10,18,26].
    expect(() => second.backward()).toThrow(/^backward: this graph reads a tensor \[3\] f32 whose own graph an earlier backward\(\) walked and freed/);
    // Also a loss made afterwards, with another parameter: w would get nothing through h.
    const v = tm.tensor([1, 1, 1]);
    v.requiresGrad = true;
    expect(() => h.mul(v).sum().backward()).toThrow(/whose own graph an earlier backward\(\) walked and freed/);
    expect(v.grad).toBeNull();
    expect(Array.from(await w.grad!.data())).toEqual([2, 2, 2]);
    // detach() says h is a constant: v's gradient is h.
    h.detach().mul(v).sum().backward();
    expect(Array.from(await v.grad!.data())).toEqual([2, 4, 6]);
    // Computed again, both losses back-propagate in one pass.
    w.grad = null;
    const h2 = w.mul(2);
    h2.sum().add(h2.square().sum()).backward();
    expect(Array.from(await w.grad!.data())).toEqual([10, 18, 26]);
  });
});
