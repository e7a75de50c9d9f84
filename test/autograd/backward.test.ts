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
    expect(() => tm.noGrad(() => w.square().sum()).backward()).toThrow(/does not depend on any tensor with requiresGrad \(or was computed under noGrad\)/);
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
});
