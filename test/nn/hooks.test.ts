// Forward hooks on layers (PyTorch's register_forward_hook and
// register_forward_pre_hook): they fire however the layer is reached, can
// read or replace its arguments and output, come off with remove(), and
// leave the layer's parameters, sublayers and saved state as they were.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose, uniform } from '../helpers/data.js';

function mlp(): tm.nn.Sequential {
  return new tm.nn.Sequential([new tm.nn.Dense(4, 6, { seed: 1, activation: 'relu' }), new tm.nn.Dense(6, 3, { seed: 2, activation: 'tanh' }), new tm.nn.Dense(3, 2, { seed: 3 })]);
}

describe.each(BACKENDS)('forward hooks on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('a forward hook on a sublayer sees its input and output when the whole model runs (features without changing the model)', async () => {
    const model = mlp();
    const [first, second] = model.layers;
    const x = tm.tensor(Float32Array.from(uniform(5 * 4)), [5, 4]);
    const seen: { args: unknown[]; output: tm.Tensor }[] = [];
    // Views (detach): the Sequential frees its intermediates as it goes, so a hook keeps its own handle on what it saves.
    second.registerForwardHook((layer, args, output) => {
      expect(layer).toBe(second);
      seen.push({ args: args.map((a) => (a as tm.Tensor).detach()), output: output.detach() });
    });
    const y = model.forward(x);
    expect(seen.length).toBe(1);
    const hidden = first.forward(x);
    expectClose(await (seen[0].args[0] as tm.Tensor).data(), await hidden.data(), 0, 'input');
    expectClose(await seen[0].output.data(), await second.forward(hidden).data(), 0, 'output');
    expect(seen.length).toBe(2); // the direct call above fired it too
    expectClose(await y.data(), await model.layers[2].forward(seen[0].output).data(), 0, 'the model went on from it');
  });

  it('a pre-hook can replace the arguments and a hook the output; several run in the order they were added', async () => {
    const layer = new tm.nn.Dense(3, 2, { seed: 4 });
    const x = tm.tensor([[1, -2, 0.5]]);
    const plain = await layer.forward(x.mul(2)).add(1).mul(10).data();
    const order: string[] = [];
    layer.registerForwardPreHook((_l, [input]) => (order.push('pre'), [(input as tm.Tensor).mul(2)]));
    layer.registerForwardHook((_l, _a, out) => (order.push('add'), out.add(1)));
    layer.registerForwardHook((_l, _a, out) => (order.push('scale'), out.mul(10)));
    expectClose(await layer.forward(x).data(), plain, 1e-6);
    expect(order).toEqual(['pre', 'add', 'scale']);
  });

  it('remove() takes a hook off, the others staying', async () => {
    const layer = new tm.nn.ReLU();
    const calls: string[] = [];
    const a = layer.registerForwardHook(() => void calls.push('a'));
    layer.registerForwardHook(() => void calls.push('b'));
    layer.forward(tm.tensor([1]));
    a.remove();
    a.remove(); // twice is nothing
    layer.forward(tm.tensor([1]));
    expect(calls).toEqual(['a', 'b', 'b']);
  });

  it('leaves parameters, sublayers, the state dict and training as they were, and passes every argument through (an LSTM cell given its state)', async () => {
    const model = mlp();
    const before = { names: Object.keys(model.namedParameters()), children: model.children().length, state: Object.keys(model.stateDict()) };
    for (const layer of model.modules()) layer.registerForwardHook(() => undefined);
    expect({ names: Object.keys(model.namedParameters()), children: model.children().length, state: Object.keys(model.stateDict()) }).toEqual(before);
    const x = tm.tensor(Float32Array.from(uniform(2 * 4)), [2, 4]);
    const target = tm.tensor(Float32Array.from(uniform(2 * 2)), [2, 2]);
    const history = await model.fit(x, target, { epochs: 2, batchSize: 2, quiet: true });
    expect(history.loss.length).toBe(2);

    const cell = new tm.nn.LSTMCell(3, 4, { seed: 5 });
    const input = tm.tensor(Float32Array.from(uniform(2 * 3)), [2, 3]);
    const state = { h: tm.fill([2, 4], 0.5), c: tm.fill([2, 4], -0.25) };
    const want = await cell.forward(input, state).data();
    let given: unknown[] = [];
    cell.registerForwardPreHook((_l, args) => void (given = args));
    expectClose(await cell.forward(input, state).data(), want, 0);
    expect(given[1]).toBe(state);
  });

  it('refuses hooks that are not functions, and what a hook may not return', () => {
    const layer = new tm.nn.ReLU();
    expect(() => layer.registerForwardHook(42 as unknown as tm.nn.ForwardHook)).toThrow(/expects a function, got 42/);
    const pre = layer.registerForwardPreHook(() => 'x' as unknown as unknown[]);
    expect(() => layer.forward(tm.tensor([1]))).toThrow(/pre-hook of ReLU must return the arguments as an array/);
    pre.remove();
    layer.registerForwardHook(() => [1] as unknown as tm.Tensor);
    expect(() => layer.forward(tm.tensor([1]))).toThrow(/hook of ReLU must return a tensor/);
  });
});
