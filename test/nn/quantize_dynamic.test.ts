// tm.nn.quantizeDynamic: a copy of a model with its Dense layers int8
// (QuantizedDense; its LSTM and GRU layers: quantized_recurrent.test.ts; its
// cells and RNNs: quantized_recurrent_cell.test.ts), wherever they sit — nested Sequentials, a custom layer's
// fields and arrays, a transformer layer's feed-forward block — the model
// given untouched. Each quantized layer computes the float64 definition on
// the input it is given; a trained classifier keeps its accuracy; the result
// saves, loads and summarises with its int8 weights; training it is refused.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { activeBackend } from '../../src/engine.js';
import type { WebGpuBackend } from '../../src/backends/webgpu/index.js';
import { useQuantizedPath } from '../../src/backends/webgpu/kernels/quantized_path.js';
import { loadDigits } from '../../examples/mnist/data.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, uniform } from '../helpers/data.js';
import { quantizedLinearRef } from '../helpers/quantized.js';

/** A custom layer: Dense layers in a field and in an array, one Dense held twice, and a float layer between. */
class Tower extends tm.nn.Module {
  first: tm.nn.Dense;
  again: tm.nn.Dense;
  blocks: tm.nn.Module[];
  norm: tm.nn.LayerNorm;
  constructor() {
    super();
    this.first = new tm.nn.Dense(12, 10, { activation: 'relu', seed: 1 });
    this.again = new tm.nn.Dense(10, 10, { seed: 3 });
    this.blocks = [new tm.nn.Sequential([new tm.nn.Dense(10, 10, { seed: 2 }), new tm.nn.Tanh()]), this.again, new tm.nn.ReLU()];
    this.norm = new tm.nn.LayerNorm(10);
  }
  forward(x: tm.Tensor): tm.Tensor {
    return tm.tidy(() => this.again.forward(this.norm.forward(this.blocks.reduce((t, b) => b.forward(t), this.first.forward(x)))));
  }
  config(): tm.nn.LayerConfig {
    return { type: 'Tower' };
  }
}

async function values(model: tm.nn.Module): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const [name, t] of Object.entries(model.namedState())) out[name] = Array.from(await t.data());
  return out;
}

describe.each(BACKENDS)('quantizeDynamic on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
    if (backend === 'webgpu') useQuantizedPath((activeBackend() as WebGpuBackend).runtime, 'int8');
  });

  it('turns every Dense of a Sequential in a Sequential into QuantizedDense; each computes the definition on its input', async () => {
    const model = new tm.nn.Sequential([
      new tm.nn.Sequential([new tm.nn.Dense(37, 19, { activation: 'relu', seed: 4 }), new tm.nn.Dropout(0.5)]),
      new tm.nn.Dense(19, 7, { seed: 5 }),
    ]).eval();
    const before = await values(model);
    const q = tm.nn.quantizeDynamic(model);
    expect(q).toBeInstanceOf(tm.nn.Sequential);
    expect(q).not.toBe(model);
    const inner = q.layers[0] as tm.nn.Sequential;
    expect(inner.layers[0]).toBeInstanceOf(tm.nn.QuantizedDense);
    expect(inner.layers[1]).toBeInstanceOf(tm.nn.Dropout);
    expect(inner.layers[1].training).toBe(false); // modes carried over
    expect(q.layers[1]).toBeInstanceOf(tm.nn.QuantizedDense);
    expect(Object.keys(q.namedState())).toEqual(['0.0.weight', '0.0.weightScale', '0.0.bias', '1.weight', '1.weightScale', '1.bias']);
    expect(q.parameters()).toEqual([]);
    // Each quantized layer against the definition, on the input it was given (captured by a hook).
    const seen: { layer: tm.nn.Module; x: tm.Tensor; y: tm.Tensor }[] = [];
    for (const layer of q.modules().filter((l) => l instanceof tm.nn.QuantizedDense)) {
      layer.registerForwardHook((l, args, y) => void seen.push({ layer: l, x: (args[0] as tm.Tensor).clone(), y: y.clone() }));
    }
    const x = tm.tensor(asF32(uniform(5 * 37)), [5, 37]);
    const y = q.predict(x);
    expect(seen).toHaveLength(2);
    const denses = [(model.layers[0] as tm.nn.Sequential).layers[0], model.layers[1]] as tm.nn.Dense[];
    for (const [i, { x: input, y: out }] of seen.entries()) {
      const dense = denses[i];
      const [m, k] = input.shape;
      const { want, scale } = quantizedLinearRef(await input.data(), await dense.weight.data(), await dense.bias!.data(), m, k, dense.units);
      expectClose(await out.data(), i === 0 ? want.map((v) => Math.max(0, v)) : want, 1e-5, `layer ${i}`, scale);
    }
    // The whole model close to the float one: a relative error of the output of a few int8 steps.
    const yf = Array.from(await model.predict(x).data());
    const got = Array.from(await y.data());
    const err = Math.sqrt(got.reduce((s, g, i) => s + (g - yf[i]) ** 2, 0) / yf.reduce((s, v) => s + v * v, 0));
    expect(err).toBeLessThan(0.03);
    // The original untouched: its layers, values and trainability.
    expect((model.layers[0] as tm.nn.Sequential).layers[0]).toBeInstanceOf(tm.nn.Dense);
    expect(await values(model)).toEqual(before);
    expect(model.parameters().every((p) => p.requiresGrad)).toBe(true);
    q.dispose();
    expect(await values(model)).toEqual(before); // disposing the copy leaves the original whole
    model.dispose();
  });

  it('converts a custom layer\'s Dense fields and arrays, keeps a Dense held twice held twice, and copies its float layers', async () => {
    const tower = new Tower();
    const hooked: string[] = [];
    tower.first.registerForwardHook(() => void hooked.push('first'));
    const q = tm.nn.quantizeDynamic(tower);
    expect(q).toBeInstanceOf(Tower);
    expect(q.first).toBeInstanceOf(tm.nn.QuantizedDense);
    expect((q.blocks[0] as tm.nn.Sequential).layers[0]).toBeInstanceOf(tm.nn.QuantizedDense);
    expect(q.again).toBeInstanceOf(tm.nn.QuantizedDense);
    expect(q.blocks[1]).toBe(q.again); // held twice, converted once
    expect(q.norm).not.toBe(tower.norm);
    expect(q.norm.weight).not.toBe(tower.norm.weight);
    expect(q.norm.weight.requiresGrad).toBe(true);
    const x = tm.randn([4, 12], { seed: 9 });
    const yq = await tm.noGrad(() => q.forward(x)).data();
    expect(hooked).toEqual(['first']); // the hook came along
    const yf = await tm.noGrad(() => tower.forward(x)).data();
    expectClose(yq, yf, 0.05);
    // Disposing the original leaves the copy working, and the other way round.
    tower.dispose();
    expect(tm.noGrad(() => q.forward(x)).shape).toEqual([4, 10]);
    q.dispose();
    x.dispose();
  });

  it('quantizes a transformer layer\'s feed-forward Dense layers and keeps its attention in float', async () => {
    const layer = new tm.nn.TransformerEncoderLayer(16, 4, { dimFeedforward: 24, dropout: 0.1, seed: 3 }).eval();
    const q = tm.nn.quantizeDynamic(layer);
    expect(q).toBeInstanceOf(tm.nn.TransformerEncoderLayer);
    expect(q.linear1).toBeInstanceOf(tm.nn.QuantizedDense);
    expect(q.linear2).toBeInstanceOf(tm.nn.QuantizedDense);
    expect(q.selfAttn).not.toBe(layer.selfAttn);
    expect(q.training).toBe(false);
    const x = tm.randn([2, 5, 16], { seed: 1 });
    const yq = await tm.noGrad(() => q.forward(x)).data();
    const yf = await tm.noGrad(() => layer.forward(x)).data();
    expectClose(yq, yf, 0.05);
    expect(layer.linear1).toBeInstanceOf(tm.nn.Dense);
    // A model file describes a transformer layer by its float layers: refused; its weights go into one quantized the same way.
    const model = tm.nn.quantizeDynamic(new tm.nn.Sequential([layer]));
    await expect(model.toBytes()).rejects.toThrow(/save: layer 0\.1 is a QuantizedDense inside a TransformerEncoderLayer, whose description in a model file names float layers/);
    const twin = tm.nn.quantizeDynamic(new tm.nn.Sequential([new tm.nn.TransformerEncoderLayer(16, 4, { dimFeedforward: 24, seed: 4 }).eval()]));
    await twin.loadWeights(await model.weightsToBytes());
    expect(await values(twin)).toEqual(await values(model));
    for (const t of [layer, q, x, model, twin]) t.dispose();
  });

  it('copies layers it rebuilds (an LSTM kept in float, layers: [\'Dense\'], keeps its weights in private dropout company) with their values', async () => {
    const model = new tm.nn.Sequential([new tm.nn.LSTM(3, 5, { output: 'last', numLayers: 2, dropout: 0.2, seed: 2 }), new tm.nn.Dense(5, 2, { seed: 1 })]).eval();
    const q = tm.nn.quantizeDynamic(model, { layers: ['Dense'] });
    expect(q.layers[1]).toBeInstanceOf(tm.nn.QuantizedDense);
    expect(q.layers[0]).toBeInstanceOf(tm.nn.LSTM);
    expect(q.layers[0]).not.toBe(model.layers[0]);
    expect(await values(q.layers[0])).toEqual(await values(model.layers[0]));
    const x = tm.randn([2, 4, 3], { seed: 3 });
    expectClose(await q.predict(x).data(), await model.predict(x).data(), 0.05);
    for (const t of [model, q, x]) t.dispose();
  });

  it('picks layers by filter (their paths) and works in place on request', () => {
    const model = new tm.nn.Sequential([new tm.nn.Dense(4, 4, { seed: 1 }), new tm.nn.Sequential([new tm.nn.Dense(4, 4, { seed: 2 }), new tm.nn.Dense(4, 2, { seed: 3 })])]);
    const paths: string[] = [];
    const q = tm.nn.quantizeDynamic(model, { filter: (path) => (paths.push(path), path !== '1.1') });
    expect(paths).toEqual(['0', '1.0', '1.1']);
    expect(q.layers[0]).toBeInstanceOf(tm.nn.QuantizedDense);
    expect((q.layers[1] as tm.nn.Sequential).layers.map((l) => l.constructor.name)).toEqual(['QuantizedDense', 'Dense']);
    expect(q.parameters()).toHaveLength(2); // the float Dense's, still trainable
    q.dispose();
    const firstLayer = model.layers[0] as tm.nn.Dense;
    const same = tm.nn.quantizeDynamic(model, { inplace: true, layers: ['Dense'], dtype: 'i8' });
    expect(same).toBe(model);
    expect(model.layers[0]).toBeInstanceOf(tm.nn.QuantizedDense);
    expect(firstLayer.weight.isDisposed).toBe(true); // the replaced layer is freed
    // A model that is one Dense comes back as one QuantizedDense; one with none, copied.
    const single = new tm.nn.Dense(3, 2, { seed: 1 });
    const qs = tm.nn.quantizeDynamic(single);
    expect(qs).toBeInstanceOf(tm.nn.QuantizedDense);
    const plain = new tm.nn.Sequential([new tm.nn.ReLU()]);
    expect(tm.nn.quantizeDynamic(plain)).not.toBe(plain);
    for (const m of [model, single, qs]) m.dispose();
  });

  it('keeps a trained digit classifier\'s test accuracy within 1 point', async () => {
    const { train, test } = loadDigits({ train: 1000, test: 500, seed: 7 });
    const model = new tm.nn.Sequential([new tm.nn.Dense(784, 64, { activation: 'relu', seed: 1 }), new tm.nn.Dense(64, 10, { seed: 2 })]);
    const [x, y] = [tm.tensor(train.images, [train.count, 784]), tm.tensor(train.labels, [train.count], { dtype: 'i32' })];
    await model.fit(x, y, { epochs: 4, batchSize: 50, loss: 'crossEntropy', seed: 3, quiet: true });
    const [xt, yt] = [tm.tensor(test.images, [test.count, 784]), tm.tensor(test.labels, [test.count], { dtype: 'i32' })];
    const float = (await model.evaluate(xt, yt, { loss: 'crossEntropy' })).accuracy!;
    const q = tm.nn.quantizeDynamic(model);
    const quantized = (await q.evaluate(xt, yt, { loss: 'crossEntropy' })).accuracy!;
    expect(float).toBeGreaterThan(0.8);
    expect(Math.abs(quantized - float)).toBeLessThanOrEqual(0.01);
    for (const t of [model, q, x, y, xt, yt]) t.dispose();
  });

  it('saves and loads with its int8 weights; a float checkpoint into it, or its state into a float model, is refused by name', async () => {
    const model = new tm.nn.Sequential([new tm.nn.Dense(6, 5, { activation: 'tanh', seed: 1 }), new tm.nn.Dense(5, 3, { bias: false, seed: 2 })]);
    const q = tm.nn.quantizeDynamic(model);
    const loaded = tm.nn.fromBytes(await q.toBytes());
    expect(loaded.layers.map((l) => l.config())).toEqual(q.layers.map((l) => l.config()));
    expect(loaded.namedState()['0.weight'].dtype).toBe('i8');
    expect(await values(loaded)).toEqual(await values(q));
    const x = tm.randn([3, 6], { seed: 4 });
    expect(await loaded.predict(x).data()).toEqual(await q.predict(x).data());
    // State dicts: a quantized model's into another; a float one's refused.
    const other = tm.nn.quantizeDynamic(new tm.nn.Sequential([new tm.nn.Dense(6, 5, { activation: 'tanh', seed: 8 }), new tm.nn.Dense(5, 3, { bias: false, seed: 9 })]));
    other.loadStateDict(q.stateDict());
    expect(await values(other)).toEqual(await values(q));
    const floatState = model.stateDict();
    const valuesBefore = await values(other);
    expect(() => other.loadStateDict(floatState)).toThrow(new tm.DTypeError('loadStateDict: 0.weight is int8 in the module (a layer quantized by tm.nn.quantizeDynamic) and f32 in the state, a float checkpoint: load it into the float model, then quantize that'));
    expect(await values(other)).toEqual(valuesBefore);
    expect(() => model.loadStateDict(q.stateDict(), { strict: false })).toThrow(/0\.weight is f32 in the module and int8 in the state, a quantized model's/);
    expect(() => other.loadStateDict({ ...q.stateDict(), '0.weightScale': model.stateDict()['0.bias'].reshape([5, 1]) })).toThrow(tm.ShapeError);
    await expect(other.loadWeights(await model.weightsToBytes())).rejects.toThrow(/is int8 in the module/);
    for (const t of [model, q, loaded, other, x]) t.dispose();
  });

  it('shows in summary() the same parameter count as the float model and about a quarter of its bytes', () => {
    const model = new tm.nn.Sequential([new tm.nn.Dense(784, 256, { activation: 'relu', seed: 1 }), new tm.nn.Dense(256, 10, { seed: 2 })]);
    const q = tm.nn.quantizeDynamic(model);
    const lines = q.summary([784]).split('\n');
    expect(lines[2]).toMatch(/^0 {2}QuantizedDense +\[N,256\] +200,960$/);
    expect(lines[3]).toMatch(/^1 {2}QuantizedDense +\[N,10\] +2,570$/);
    // int8 weights, f32 biases and scales: (203,264 + 4·(266 + 266)) bytes = 200.6 KiB, against 795 KiB in f32.
    expect(lines.at(-1)).toBe('parameters: 203,530 (0 trainable, 203,264 int8), 200.6 KiB');
    expect(model.summary().split('\n').at(-1)).toBe('parameters: 203,530 (203,530 trainable), 795 KiB');
    // A quantized model quantized again is copied, its int8 layers as they were.
    const again = tm.nn.quantizeDynamic(q);
    expect(again.layers[0]).toBeInstanceOf(tm.nn.QuantizedDense);
    expect(again.layers[0]).not.toBe(q.layers[0]);
    expect(again.summary().split('\n').at(-1)).toBe(lines.at(-1));
    for (const m of [model, q, again]) m.dispose();
  });

  it('refuses training it, and options it does not have, by name', async () => {
    const model = new tm.nn.Sequential([new tm.nn.Dense(4, 2, { seed: 1 })]);
    const q = tm.nn.quantizeDynamic(model);
    const [x, y] = [tm.randn([8, 4], { seed: 1 }), tm.zeros([8, 2])];
    await expect(q.fit(x, y, { epochs: 1, quiet: true })).rejects.toThrow(/nothing to train \(layers quantized by tm.nn.quantizeDynamic are inference-only: train the float model, then quantize it\)/);
    // An optimizer over its parameters has none: the int8 weights are not among them, and a step leaves them.
    expect(q.parameters()).toEqual([]);
    const state = await values(q);
    const opt = new tm.optim.Adam(q.parameters());
    opt.step();
    expect(await values(q)).toEqual(state);
    expect(() => tm.nn.quantizeDynamic(model, { dtype: 'f16' as 'i8' })).toThrow(new tm.DTypeError("quantizeDynamic: dtype must be 'i8' (int8 weights, activations quantized as they come), got \"f16\"; for f16 weights cast the model's parameters instead"));
    expect(() => tm.nn.quantizeDynamic(model, { layers: ['Conv2d' as 'Dense'] })).toThrow(/layers must list kinds of Dense, LSTM, GRU, LSTMCell, GRUCell, RNNCell, RNN, got \["Conv2d"\] \(MultiheadAttention keeps float weights\)/);
    expect(() => tm.nn.quantizeDynamic(model, { layers: [] })).toThrow(/layers must list kinds of Dense, LSTM, GRU/);
    expect(() => tm.nn.quantizeDynamic(model, { inPlace: true } as object)).toThrow(/quantizeDynamic: unknown option/);
    expect(() => tm.nn.quantizeDynamic(model, { filter: 'fc1' as unknown as () => boolean })).toThrow(/filter must be a function of \(path, layer\)/);
    expect(() => tm.nn.quantizeDynamic({} as tm.nn.Module)).toThrow(/expects a tm.nn.Module/);
    for (const t of [model, q, x, y]) t.dispose();
  });

  it('leaves tm.memory() flat over repeated forwards, and dispose frees all the copy holds', () => {
    const model = new tm.nn.Sequential([new tm.nn.Dense(20, 16, { activation: 'relu', seed: 1 }), new tm.nn.LayerNorm(16), new tm.nn.Dense(16, 4, { seed: 2 })]);
    const before = tm.memory().numTensors;
    const q = tm.nn.quantizeDynamic(model);
    const x = tm.randn([6, 20], { seed: 2 });
    q.predict(x).dispose();
    const steady = tm.memory();
    for (let i = 0; i < 5; i++) q.predict(x).dispose();
    expect(tm.memory().numTensors).toBe(steady.numTensors);
    expect(tm.memory().numBytes).toBe(steady.numBytes);
    q.dispose();
    x.dispose();
    expect(tm.memory().numTensors).toBe(before);
    model.dispose();
  });
});
