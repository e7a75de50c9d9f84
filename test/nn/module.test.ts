// Module's conveniences for training loops written by hand: freezing and
// thawing weights (requiresGrad), clearing gradients (zeroGrad), visiting
// every layer (apply), and what a forward outside noGrad holds, on every
// backend.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose, uniform } from '../helpers/data.js';

function model(): tm.nn.Sequential {
  return new tm.nn.Sequential([new tm.nn.Dense(4, 8, { seed: 1, activation: 'relu' }), new tm.nn.Dense(8, 3, { seed: 2 })]);
}

describe.each(BACKENDS)('Module utilities on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('requiresGrad(false) freezes a layer for fine-tuning: fit trains the rest, the frozen weights stay and are still saved; true thaws it', async () => {
    const net = model();
    const [body, head] = net.layers as tm.nn.Dense[];
    expect(body.requiresGrad(false)).toBe(body);
    const frozen = await body.weight.data();
    const headBefore = await head.weight.data();
    const x = tm.tensor(Float32Array.from(uniform(16 * 4)), [16, 4]);
    const labels = tm.tensor(Int32Array.from({ length: 16 }, (_, i) => i % 3), [16]);
    await net.fit(x, labels, { epochs: 2, batchSize: 8, loss: 'crossEntropy', quiet: true });
    expectClose(await body.weight.data(), frozen, 0, 'frozen');
    expect(Array.from(await head.weight.data()).some((v, i) => v !== headBefore[i])).toBe(true);
    expect(Object.keys(net.stateDict())).toEqual(['0.weight', '0.bias', '1.weight', '1.bias']);
    body.requiresGrad(true);
    await net.fit(x, labels, { epochs: 1, batchSize: 8, loss: 'crossEntropy', quiet: true });
    expect(Array.from(await body.weight.data()).some((v, i) => v !== frozen[i])).toBe(true);
    expect(() => net.requiresGrad('no' as unknown as boolean)).toThrow(/expects true or false/);
  });

  it('zeroGrad frees and clears every gradient', async () => {
    const net = model();
    tm.tidy(() => net.forward(tm.ones([2, 4])).sum().backward());
    expect(net.parameters().every((p) => p.grad !== null)).toBe(true);
    const grads = net.parameters().map((p) => p.grad!);
    net.zeroGrad();
    expect(net.parameters().every((p) => p.grad === null)).toBe(true);
    expect(grads.every((g) => g.isDisposed)).toBe(true);
  });

  it('a forward outside noGrad holds what backward needs only as long as its output: disposing the output gives it all back', async () => {
    const net = new tm.nn.Sequential([new tm.nn.Dense(4, 8, { seed: 1, activation: 'relu' }), new tm.nn.LayerNorm(8), new tm.nn.Dropout(0.25, 3), new tm.nn.Dense(8, 3, { seed: 2, activation: 'tanh' })]);
    const x = tm.tensor(Float32Array.from(uniform(6 * 4)), [6, 4]);
    const before = tm.memory().numTensors;
    // Synchronous from here to the last check: no finalizer runs in between, so what comes back is what dispose freed.
    for (let run = 0; run < 10; run++) {
      const y = net.forward(x);
      expect(tm.memory().numTensors).toBeGreaterThan(before + 1);
      y.dispose();
      expect(tm.memory().numTensors, `after run ${run}`).toBe(before);
    }
    x.dispose();
  });

  it('apply visits every layer once, sublayers before their parent: custom initialisation by type', async () => {
    const shared = new tm.nn.Dense(3, 3, { seed: 3 });
    const net = new tm.nn.Sequential([shared, new tm.nn.ReLU(), shared]);
    const visited: string[] = [];
    net.apply((layer) => {
      visited.push(layer.constructor.name);
      if (layer instanceof tm.nn.Dense) {
        layer.weight.dispose();
        layer.weight = tm.fill([3, 3], 0.5);
        layer.weight.requiresGrad = true;
      }
    });
    expect(visited).toEqual(['Dense', 'ReLU', 'Sequential']);
    expectClose(await shared.weight.data(), new Array(9).fill(0.5), 0);
    expect(() => net.apply(null as unknown as (l: tm.nn.Module) => void)).toThrow(/expects a function/);
  });
});
