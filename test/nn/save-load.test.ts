import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { CorruptFileError } from '../../src/io/errors.js';
import { encodeSafetensors } from '../../src/io/safetensors.js';
import { rng } from '../../src/random.js';
import { BACKENDS } from '../helpers/backends.js';
import { collected } from '../helpers/gc.js';

let dir: string;

beforeAll(async () => {
  await tm.init({ backend: 'js' });
  dir = await mkdtemp(join(tmpdir(), 'tmnn-save-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function model(seed: number) {
  tm.setSeed(seed);
  return new tm.nn.Sequential([
    new tm.nn.Dense(6, 5, { activation: 'relu' }),
    new tm.nn.Dropout(0.3, 17),
    new tm.nn.Dense(5, 4, { activation: 'tanh', bias: false }),
    new tm.nn.LeakyReLU(0.05),
    new tm.nn.Dense(4, 3),
    new tm.nn.Softmax(),
  ]);
}

describe('model.save and tm.nn.load', () => {
  it.each(BACKENDS)('round-trips the architecture and weights on %s: identical predictions', async (backend) => {
    await tm.init({ backend });
    const m = model(1);
    const path = join(dir, `m-${backend}.safetensors`);
    await m.save(path);
    const loaded = await tm.nn.load(path);
    expect(loaded.config()).toEqual(m.config());
    const x = tm.randn([7, 6], { seed: 9 });
    expect(await loaded.predict(x).data()).toEqual(await m.predict(x).data());
    await tm.init({ backend: 'js' });
  });

  it.each(BACKENDS)('round-trips an Embedding and a Flatten on %s, the Embedding\'s table in f16 too', async (backend) => {
    await tm.init({ backend });
    const m = new tm.nn.Sequential([new tm.nn.Embedding(11, 3, { seed: 2 }), new tm.nn.Flatten(), new tm.nn.Dense(12, 2, { seed: 3 })]);
    const tokens = tm.tensor([[1, 2, 3, 10], [0, 0, 5, -1]], undefined, { dtype: 'i32' });
    const loaded = tm.nn.fromBytes(await m.toBytes());
    expect(loaded.config()).toEqual({ type: 'Sequential', layers: [{ type: 'Embedding', count: 11, dim: 3 }, { type: 'Flatten' }, m.layers[2].config()] });
    expect(await loaded.predict(tokens).data()).toEqual(await m.predict(tokens).data());
    const embedding = m.layers[0] as tm.nn.Embedding;
    const half = embedding.weight.cast('f16');
    half.requiresGrad = true;
    embedding.weight = half;
    const table = (tm.nn.fromBytes(await m.toBytes()).layers[0] as tm.nn.Embedding).weight;
    expect([table.dtype, table.requiresGrad]).toEqual(['f16', true]);
    expect(await table.data()).toEqual(await half.data());
    await tm.init({ backend: 'js' });
  });

  it.each(BACKENDS)('round-trips a small CNN on %s (Conv2d with groups, dilation and padding \'same\', both pools): identical predictions', async (backend) => {
    await tm.init({ backend });
    tm.setSeed(4);
    const m = new tm.nn.Sequential([
      new tm.nn.Conv2d(2, 4, 3, { padding: 1 }),
      new tm.nn.ReLU(),
      new tm.nn.MaxPool2d(2),
      new tm.nn.Conv2d(4, 6, [2, 3], { groups: 2, dilation: [1, 2], padding: 'same', bias: false }),
      new tm.nn.AvgPool2d(3, { stride: 2, padding: 1 }),
      new tm.nn.Flatten(),
      new tm.nn.Dense(24, 3),
    ]);
    const loaded = tm.nn.fromBytes(await m.toBytes());
    expect(loaded.config()).toEqual(m.config());
    expect((loaded.config() as unknown as { layers: unknown[] }).layers.slice(0, 5)).toEqual([
      { type: 'Conv2d', inChannels: 2, outChannels: 4, kernelSize: [3, 3], stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 1, bias: true },
      { type: 'ReLU' },
      { type: 'MaxPool2d', kernelSize: [2, 2], stride: [2, 2], padding: [0, 0], ceilMode: false, dilation: [1, 1] },
      { type: 'Conv2d', inChannels: 4, outChannels: 6, kernelSize: [2, 3], stride: [1, 1], padding: 'same', dilation: [1, 2], groups: 2, bias: false },
      { type: 'AvgPool2d', kernelSize: [3, 3], stride: [2, 2], padding: [1, 1], ceilMode: false, countIncludePad: true },
    ]);
    expect(Object.keys(loaded.namedParameters())).toEqual(['0.weight', '0.bias', '3.weight', '6.weight', '6.bias']);
    const x = tm.randn([3, 2, 8, 7], { seed: 9 });
    expect(await loaded.predict(x).data()).toEqual(await m.predict(x).data());
    await tm.init({ backend: 'js' });
  });

  it.each(BACKENDS)('round-trips every activation layer on %s, a PReLU\'s learned slopes and Dense\'s new activation names included: identical predictions', async (backend) => {
    await tm.init({ backend });
    tm.setSeed(8);
    const m = new tm.nn.Sequential([
      new tm.nn.Dense(6, 8, { activation: 'silu' }), new tm.nn.PReLU({ numParameters: 8, init: 0.2 }), new tm.nn.ELU(0.5), new tm.nn.SELU(),
      new tm.nn.CELU(1.5), new tm.nn.Softplus({ beta: 2, threshold: 10 }), new tm.nn.Mish(), new tm.nn.Hardswish(), new tm.nn.Hardsigmoid(),
      new tm.nn.Hardtanh({ minVal: -0.5, maxVal: 2 }), new tm.nn.ReLU6(), new tm.nn.Softsign(), new tm.nn.SiLU(), new tm.nn.LogSigmoid(),
      new tm.nn.Dense(8, 6, { activation: 'mish' }), new tm.nn.GLU(), new tm.nn.Dense(3, 4, { activation: 'selu' }), new tm.nn.LogSoftmax(-1),
      new tm.nn.Softmin(0), new tm.nn.Hardshrink(0.1), new tm.nn.Softshrink(0.05), new tm.nn.Tanhshrink(), new tm.nn.Threshold(-1.5, 0.25),
    ]);
    (m.layers[1] as tm.nn.PReLU).weight.assign(tm.tensor([0.1, 0.2, 0.3, -0.4, 0.5, 0.6, 0.7, 0.8]));
    const loaded = tm.nn.fromBytes(await m.toBytes());
    expect(loaded.config()).toEqual(m.config());
    expect(Array.from(await (loaded.layers[1] as tm.nn.PReLU).weight.data())).toEqual([0.1, 0.2, 0.3, -0.4, 0.5, 0.6, 0.7, 0.8].map(Math.fround));
    const x = tm.randn([5, 6], { seed: 9 });
    expect(await loaded.predict(x).data()).toEqual(await m.predict(x).data());
    await tm.init({ backend: 'js' });
  });

  it.each(BACKENDS)('round-trips ConvTranspose2d and ConvTranspose1d on %s: outputPadding and groups saved, identical predictions', async (backend) => {
    await tm.init({ backend });
    tm.setSeed(6);
    const m = new tm.nn.Sequential([new tm.nn.ConvTranspose2d(2, 4, [3, 2], { stride: 2, padding: [1, 0], outputPadding: [1, 0], groups: 2 }), new tm.nn.ReLU()]);
    const loaded = tm.nn.fromBytes(await m.toBytes());
    expect((loaded.config() as unknown as { layers: unknown[] }).layers[0]).toEqual(
      { type: 'ConvTranspose2d', inChannels: 2, outChannels: 4, kernelSize: [3, 2], stride: [2, 2], padding: [1, 0], outputPadding: [1, 0], dilation: [1, 1], groups: 2, bias: true },
    );
    const x = tm.randn([3, 2, 4, 5], { seed: 9 });
    expect(await loaded.predict(x).data()).toEqual(await m.predict(x).data());
    const seq = new tm.nn.Sequential([new tm.nn.ConvTranspose1d(3, 2, 4, { stride: 2, padding: 1, bias: false })]);
    const back = tm.nn.fromBytes(await seq.toBytes());
    expect((back.config() as unknown as { layers: unknown[] }).layers[0]).toEqual(
      { type: 'ConvTranspose1d', inChannels: 3, outChannels: 2, kernelSize: 4, stride: 2, padding: 1, outputPadding: 0, dilation: 1, groups: 1, bias: false },
    );
    const s = tm.randn([2, 3, 6], { seed: 10 });
    expect(await back.predict(s).data()).toEqual(await seq.predict(s).data());
    await tm.init({ backend: 'js' });
  });

  it.each(BACKENDS)('round-trips LSTM, GRU and RNN on %s: layers, directions, output and bias saved, weights under PyTorch\'s names, identical predictions', async (backend) => {
    await tm.init({ backend });
    tm.setSeed(8);
    const m = new tm.nn.Sequential([
      new tm.nn.LSTM(3, 4, { numLayers: 2, bidirectional: true, dropout: 0.25 }),
      new tm.nn.GRU(8, 5, { bias: false }),
      new tm.nn.RNN(5, 3, { nonlinearity: 'relu', output: 'last' }),
      new tm.nn.Dense(3, 2),
    ]);
    const loaded = tm.nn.fromBytes(await m.toBytes());
    expect(loaded.config()).toEqual(m.config());
    expect((loaded.config() as unknown as { layers: unknown[] }).layers.slice(0, 3)).toEqual([
      { type: 'LSTM', inputSize: 3, hiddenSize: 4, numLayers: 2, bias: true, bidirectional: true, dropout: 0.25, output: 'sequence' },
      { type: 'GRU', inputSize: 8, hiddenSize: 5, numLayers: 1, bias: false, bidirectional: false, dropout: 0, output: 'sequence' },
      { type: 'RNN', inputSize: 5, hiddenSize: 3, numLayers: 1, bias: true, bidirectional: false, dropout: 0, output: 'last', nonlinearity: 'relu' },
    ]);
    expect(Object.keys(loaded.namedParameters()).slice(0, 3)).toEqual(['0.weightIhL0', '0.weightHhL0', '0.biasIhL0']);
    const x = tm.randn([2, 6, 3], { seed: 4 });
    expect(await loaded.predict(x).data()).toEqual(await m.predict(x).data());
    await tm.init({ backend: 'js' });
  });

  it.each(BACKENDS)('round-trips MultiheadAttention and a TransformerEncoderLayer on %s, in f32 and with every parameter in f16', async (backend) => {
    await tm.init({ backend });
    tm.setSeed(9);
    const m = new tm.nn.Sequential([
      new tm.nn.Embedding(5, 8),
      new tm.nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 12, activation: 'gelu', normFirst: true, causal: true, layerNormEps: 1e-4, dropout: 0.2 }),
      new tm.nn.MultiheadAttention(8, 4, { bias: false, dropout: 0.1 }),
      new tm.nn.LSTM(8, 3),
    ]);
    const loaded = tm.nn.fromBytes(await m.toBytes());
    expect(loaded.config()).toEqual(m.config());
    expect((loaded.config() as unknown as { layers: unknown[] }).layers.slice(1, 3)).toEqual([
      { type: 'TransformerEncoderLayer', dModel: 8, nHead: 2, dimFeedforward: 12, dropout: 0.2, activation: 'gelu', layerNormEps: 1e-4, normFirst: true, causal: true, bias: true },
      { type: 'MultiheadAttention', embedDim: 8, numHeads: 4, bias: false, dropout: 0.1, causal: false },
    ]);
    const x = tm.tensor([[0, 1, 2, 3, 4], [4, 4, 1, 0, 2]], { dtype: 'i32' });
    expect(await loaded.predict(x).data()).toEqual(await m.predict(x).data());
    // Every parameter, sublayers' included, in f16: loaded back in f16 (load makes each from its entry's dtype).
    for (const layer of m.modules()) {
      const fields = layer as unknown as Record<string, tm.Tensor>;
      for (const name of Object.keys(layer.ownParameters())) {
        const half = fields[name].cast('f16');
        half.requiresGrad = true;
        fields[name] = half;
      }
    }
    const halves = tm.nn.fromBytes(await m.toBytes());
    expect(new Set(halves.parameters().map((p) => p.dtype))).toEqual(new Set(['f16']));
    expect(halves.parameters().length).toBe(m.parameters().length);
    expect(await halves.predict(x).data()).toEqual(await m.predict(x).data());
    await tm.init({ backend: 'js' });
  });

  it.each(BACKENDS)('round-trips a 1-D CNN on %s (Conv1d, MaxPool1d, AvgPool1d): sizes saved as numbers, identical predictions', async (backend) => {
    await tm.init({ backend });
    tm.setSeed(5);
    const m = new tm.nn.Sequential([
      new tm.nn.Conv1d(2, 4, 3, { padding: 'same' }), new tm.nn.ReLU(), new tm.nn.MaxPool1d(2),
      new tm.nn.Conv1d(4, 4, 3, { groups: 2, dilation: 2, padding: 1 }), new tm.nn.AvgPool1d(2, { stride: 1 }),
      new tm.nn.Flatten(), new tm.nn.Dense(20, 2),
    ]);
    const loaded = tm.nn.fromBytes(await m.toBytes());
    expect(loaded.config()).toEqual(m.config());
    expect((loaded.config() as unknown as { layers: unknown[] }).layers.slice(2, 5)).toEqual([
      { type: 'MaxPool1d', kernelSize: 2, stride: 2, padding: 0, ceilMode: false, dilation: 1 },
      { type: 'Conv1d', inChannels: 4, outChannels: 4, kernelSize: 3, stride: 1, padding: 1, dilation: 2, groups: 2, bias: true },
      { type: 'AvgPool1d', kernelSize: 2, stride: 1, padding: 0, ceilMode: false, countIncludePad: true },
    ]);
    expect((m.layers[3] as tm.nn.Conv1d).weight.shape).toEqual([4, 2, 3]);
    const x = tm.randn([3, 2, 16], { seed: 9 });
    expect(await loaded.predict(x).data()).toEqual(await m.predict(x).data());
    await tm.init({ backend: 'js' });
  });

  it.each(BACKENDS)('round-trips a text CNN on %s: Embedding, Permute to channels first, Conv1d', async (backend) => {
    await tm.init({ backend });
    tm.setSeed(6);
    const m = new tm.nn.Sequential([
      new tm.nn.Embedding(10, 8), new tm.nn.Permute([2, 1]), new tm.nn.Conv1d(8, 4, 3, { padding: 'same' }), new tm.nn.ReLU(),
      new tm.nn.MaxPool1d(2), new tm.nn.Flatten(), new tm.nn.Dense(12, 2),
    ]);
    const loaded = tm.nn.fromBytes(await m.toBytes());
    expect((loaded.config() as unknown as { layers: unknown[] }).layers[1]).toEqual({ type: 'Permute', axes: [2, 1] });
    const tokens = tm.tensor(Int32Array.from({ length: 18 }, (_, i) => (i * 7) % 10), [3, 6]);
    expect(await loaded.predict(tokens).data()).toEqual(await m.predict(tokens).data());
    await tm.init({ backend: 'js' });
  });

  it.each(BACKENDS)('round-trips GroupNorm, InstanceNorm1d and InstanceNorm2d on %s: settings, weights, running estimates (in f16 too), identical predictions', async (backend) => {
    await tm.init({ backend });
    tm.setSeed(3);
    const m = new tm.nn.Sequential([
      new tm.nn.Conv1d(2, 4, 3), new tm.nn.GroupNorm(2, 4, { epsilon: 1e-3 }), new tm.nn.InstanceNorm1d(4, { affine: true, trackRunningStats: true, momentum: 0.3 }),
      new tm.nn.GroupNorm(1, 4, { affine: false }), new tm.nn.InstanceNorm1d(4), new tm.nn.Flatten(), new tm.nn.Dense(20, 2),
    ]);
    const x = tm.randn([3, 2, 7], { seed: 1 });
    // Weights and estimates away from their starting ones, by a training step.
    await m.fit(x, tm.randn([3, 2], { seed: 2 }), { epochs: 1, batchSize: 3, quiet: true, optimizer: new tm.optim.SGD(m.parameters(), { lr: 0.1 }) });
    const loaded = tm.nn.fromBytes(await m.toBytes());
    expect(loaded.config()).toEqual(m.config());
    expect((loaded.config() as unknown as { layers: unknown[] }).layers.slice(1, 5)).toEqual([
      { type: 'GroupNorm', numGroups: 2, numChannels: 4, epsilon: 1e-3, affine: true },
      { type: 'InstanceNorm1d', features: 4, epsilon: 1e-5, momentum: 0.3, affine: true, trackRunningStats: true },
      { type: 'GroupNorm', numGroups: 1, numChannels: 4, epsilon: 1e-5, affine: false },
      { type: 'InstanceNorm1d', features: 4, epsilon: 1e-5, momentum: 0.1, affine: false, trackRunningStats: false },
    ]);
    expect(Object.keys(loaded.namedState()).filter((name) => /^[1-4]\./.test(name))).toEqual(['1.weight', '1.bias', '2.weight', '2.bias', '2.runningMean', '2.runningVar']);
    const norm = m.layers[2] as tm.nn.InstanceNorm1d;
    expect(await (loaded.layers[2] as tm.nn.InstanceNorm1d).runningVar!.data()).toEqual(await norm.runningVar!.data());
    expect(await loaded.predict(x).data()).toEqual(await m.predict(x).data());
    const images = new tm.nn.Sequential([new tm.nn.InstanceNorm2d(3, { trackRunningStats: true })]);
    const estimates = images.layers[0] as tm.nn.InstanceNorm2d;
    estimates.runningVar = tm.tensor([0.5, 2, 4], [3], { dtype: 'f16' });
    const back = tm.nn.fromBytes(await images.toBytes()).layers[0] as tm.nn.InstanceNorm2d;
    expect([back.runningVar!.dtype, Array.from(await back.runningVar!.data())]).toEqual(['f16', [0.5, 2, 4]]);
    await tm.init({ backend: 'js' });
  });

  it('refuses, before writing anything, a model with a layer load could not rebuild', async () => {
    class Scale extends tm.nn.Module {
      forward(x: tm.Tensor): tm.Tensor { return x.mul(2); }
      config() { return { type: 'Scale' }; }
    }
    const m = new tm.nn.Sequential([new tm.nn.Dense(2, 2), new tm.nn.Sequential([new tm.nn.ReLU(), new Scale()])]);
    const path = join(dir, 'custom.safetensors');
    await expect(m.save(path)).rejects.toThrow(/^save: layer 1\.1 is of unknown layer type "Scale" \(tm\.nn\.load rebuilds Sequential, Dense, .*encodeSafetensors\); nothing was written$/);
    await expect(readFile(path)).rejects.toThrow(/ENOENT/);
    await expect(m.toBytes()).rejects.toThrow(/layer 1\.1 is of unknown layer type "Scale"/);
  });

  it('keeps f16 parameters as f16', async () => {
    const m = new tm.nn.Sequential([new tm.nn.Dense(3, 2)]);
    const dense = m.layers[0] as tm.nn.Dense;
    for (const key of ['weight', 'bias'] as const) {
      const p = dense[key]!;
      const half = p.cast('f16');
      half.requiresGrad = true;
      dense[key] = half;
    }
    const loaded = tm.nn.fromBytes(await m.toBytes());
    const { weight, bias } = loaded.layers[0] as tm.nn.Dense;
    expect([weight.dtype, bias!.dtype]).toEqual(['f16', 'f16']);
    expect([weight.requiresGrad, bias!.requiresGrad]).toEqual([true, true]);
    expect(await weight.data()).toEqual(await dense.weight.data());
    expect(await bias!.data()).toEqual(await dense.bias!.data());
    // And they train: the gradient reaches the loaded parameters themselves (a cast recorded at load sent it to a disposed f32 copy).
    tm.tidy(() => loaded.forward(tm.ones([2, 3], { dtype: 'f16' })).sum()).backward();
    expect([weight.grad?.dtype, bias!.grad?.dtype]).toEqual(['f16', 'f16']);
    expect(Array.from(await bias!.grad!.data())).toEqual([2, 2]);
    await loaded.fit(tm.ones([4, 3]), tm.zeros([4, 2]), { epochs: 1, loss: 'mse', quiet: true });
  });

  it('an interrupted save leaves the old file intact', async () => {
    const path = join(dir, 'keep.safetensors');
    const m = model(2);
    await m.save(path);
    const before = await readFile(path);
    // Saving into a path whose directory does not exist fails midway; so does a save whose target is a directory.
    await expect(m.save(join(dir, 'missing', 'x.safetensors'))).rejects.toThrow();
    const asDir = join(dir, 'adir');
    await (await import('node:fs/promises')).mkdir(asDir);
    await expect(model(3).save(asDir)).rejects.toThrow();
    expect(await readFile(path)).toEqual(before);
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it.each(BACKENDS)('a save is the parameters as they were when it was called: a step taken while it is under way is in no part of the file (%s)', async (backend) => {
    await tm.init({ backend });
    const m = model(7);
    const before = await m.toBytes();
    const pending = m.toBytes();
    const opt = new tm.optim.SGD(m.parameters(), { lr: 0.5 });
    m.forward(tm.randn([4, 6], { seed: 1 })).square().mean().backward();
    opt.step();
    expect(await pending).toEqual(before);
    expect(await m.toBytes()).not.toEqual(before);
    await tm.init({ backend: 'js' });
  });

  it('a missing file gets a clear error', async () => {
    await expect(tm.nn.load(join(dir, 'nope.safetensors'))).rejects.toThrow(/no file at/);
  });

  it('rejects files that are not tmnn models, or whose tensors do not fit the layers', async () => {
    const bytes = await model(4).toBytes();
    // Edits of equal length inside the JSON header keep every offset valid.
    const tamper = (from: string, to: string) => {
      const headerEnd = 8 + Number(new DataView(bytes.buffer).getBigUint64(0, true));
      const header = new TextDecoder().decode(bytes.subarray(8, headerEnd));
      expect(header).toContain(from);
      const out = bytes.slice();
      out.set(new TextEncoder().encode(header.replace(from, to)), 8);
      return out;
    };
    expect(() => tm.nn.fromBytes(tamper('"format":"tmnn"', '"format":"nope"'))).toThrow(/no tmnn model description/);
    // The architecture is JSON inside a JSON string, so its quotes are escaped in the header.
    const inModel = (s: string) => JSON.stringify(s).slice(1, -1);
    expect(() => tm.nn.fromBytes(tamper(inModel('"units":5'), inModel('"units":9')))).toThrow(/parameter 0.weight is \[6,5\], the layer needs \[6,9\]/);
    expect(() => tm.nn.fromBytes(tamper(inModel('"type":"Dense"'), inModel('"type":"Conv9"')))).toThrow(/unknown layer type "Conv9"/);
    await writeFile(join(dir, 'junk.safetensors'), 'not a model at all');
    await expect(tm.nn.load(join(dir, 'junk.safetensors'))).rejects.toThrow(CorruptFileError);
  });

  it('checks a layer\'s weights are in the file before building it: a 216-byte file describing a 46,000² layer is an error, not 8 GB of initial weights', () => {
    const describe = (layers: unknown[]) => encodeSafetensors({}, { format: 'tmnn', model: JSON.stringify({ type: 'Sequential', layers }) });
    const huge = describe([{ type: 'Dense', inputs: 46_000, units: 46_000, activation: 'relu', bias: true }]);
    expect(huge.length).toBeLessThan(300);
    const before = tm.memory();
    expect(() => tm.nn.fromBytes(huge)).toThrow(new CorruptFileError('model file: parameter 0.weight is missing'));
    expect(tm.memory()).toEqual(before);
    // Nested: the path names the layer; the first layer, built already, is freed.
    const w = { dtype: 'f32' as const, shape: [2, 3], data: new Float32Array(6) };
    const nested = encodeSafetensors({ '0.weight': w, '0.bias': { dtype: 'f32', shape: [3], data: new Float32Array(3) } }, {
      format: 'tmnn',
      model: JSON.stringify({ type: 'Sequential', layers: [
        { type: 'Dense', inputs: 2, units: 3, activation: 'linear', bias: true },
        { type: 'Sequential', layers: [{ type: 'Dense', inputs: 3, units: 40_000, activation: 'linear', bias: false }] },
      ] }),
    });
    expect(() => tm.nn.fromBytes(nested)).toThrow(new CorruptFileError('model file: parameter 1.0.weight is missing'));
    expect(tm.memory()).toEqual(before);
  });

  it('survives a few hundred mutated files: each loads or fails with CorruptFileError, leaking nothing', async () => {
    const good = await model(5).toBytes();
    const next = rng(1234);
    const before = await collected();
    let loaded = 0;
    for (let trial = 0; trial < 300; trial++) {
      const bytes = good.slice();
      const kind = trial % 3;
      if (kind === 0) bytes[Math.floor(next() * bytes.length)] ^= 1 << Math.floor(next() * 8);
      else if (kind === 1) for (let k = 0; k < 4; k++) bytes[8 + Math.floor(next() * 200)] = Math.floor(next() * 256);
      const input = kind === 2 ? bytes.subarray(0, Math.floor(next() * bytes.length)) : bytes;
      try {
        const m = tm.nn.fromBytes(input);
        loaded++;
        m.dispose();
      } catch (err) {
        expect(err, String(err)).toBeInstanceOf(CorruptFileError);
      }
    }
    expect(loaded).toBeGreaterThan(0); // flips inside weight bytes still load
    expect(tm.memory().numTensors).toBe(before);
  });
});

/** A tmnn model file made by hand: its description, entries and version as given. */
function fileOf(model: unknown, entries: Record<string, { dtype: 'f32' | 'f16' | 'i32' | 'i8'; shape: number[]; data: Float32Array | Uint16Array | Int32Array | Int8Array }> = {}, version = tm.VERSION): Uint8Array {
  return encodeSafetensors(entries, { format: 'tmnn', tmnn_version: version, model: typeof model === 'string' ? model : JSON.stringify(model) });
}
const weight = (shape: number[]) => ({ dtype: 'f32' as const, shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });

describe('what a model file may hold, checked alike by load and by save', () => {
  it('a description nested past 16 Sequentials, or a field nested 20,000 arrays deep, is a CorruptFileError (not a stack overflow)', () => {
    for (const depth of [17, 20_000]) {
      const deep = '{"type":"Sequential","layers":['.repeat(depth) + '{"type":"ReLU"}' + ']}'.repeat(depth);
      expect(() => tm.nn.fromBytes(fileOf(deep))).toThrow(new CorruptFileError(`model file: layer ${Array(17).fill(0).join('.')} is nested more than 16 Sequentials deep, which model files do not hold`));
    }
    const deepField = `{"type":"Sequential","layers":[{"type":"Dense","inputs":${'['.repeat(20_000)}${']'.repeat(20_000)},"units":1,"activation":"linear","bias":false}]}`;
    expect(() => tm.nn.fromBytes(fileOf(deepField, { '0.weight': weight([1, 1]) }))).toThrow(/^model file: layer 0 \(Dense\) has inputs = \[\[\[\[…\]\]\]\], expected a positive integer$/);
  });

  it("refuses a field a layer does not have (a misspelt seed is not dropped), naming the file's tmnn version where it differs", () => {
    const layers = [{ type: 'Dropout', rate: 0.5, sed: 3 }];
    expect(() => tm.nn.fromBytes(fileOf({ type: 'Sequential', layers }))).toThrow(new CorruptFileError('model file: layer 0 (Dropout) has a field "sed" that Dropout does not have'));
    expect(() => tm.nn.fromBytes(fileOf({ type: 'Sequential', layers }, {}, '99.0.0'))).toThrow(`(the file was written by tmnn 99.0.0, this is ${tm.VERSION})`);
    // The same file without the stray field loads, whichever version wrote it.
    const m = tm.nn.fromBytes(fileOf({ type: 'Sequential', layers: [{ type: 'Dropout', rate: 0.5, seed: 3 }] }, {}, '99.0.0'));
    expect(m.config()).toEqual({ type: 'Sequential', layers: [{ type: 'Dropout', rate: 0.5, seed: 3 }] });
  });

  it('refuses a convolution or pooling load could not build: padding \'same\' with a stride, pooling padding past half the window, groups that do not divide', () => {
    const conv = { type: 'Conv2d', inChannels: 2, outChannels: 2, kernelSize: [3, 3], stride: [2, 1], padding: 'same', dilation: [1, 1], groups: 1, bias: false };
    const one = (layer: unknown) => fileOf({ type: 'Sequential', layers: [layer] }, { '0.weight': weight([2, 2, 3, 3]) });
    expect(() => tm.nn.fromBytes(one(conv))).toThrow(new CorruptFileError("model file: layer 0 (Conv2d): padding 'same' needs stride 1, got stride [2, 1]"));
    expect(() => tm.nn.fromBytes(one({ ...conv, stride: [1, 1], groups: 3 }))).toThrow(new CorruptFileError('model file: layer 0 (Conv2d) has groups 3, which does not divide its 2 → 2 channels'));
    expect(() => tm.nn.fromBytes(one({ ...conv, kernelSize: [3, 0] }))).toThrow(/layer 0 \(Conv2d\) has kernelSize = \[3, 0\], expected \[height, width\], integers ≥ 1/);
    expect(() => tm.nn.fromBytes(one({ ...conv, stride: [1, 1], padding: [1, 1] }))).not.toThrow();
    const up = { type: 'ConvTranspose2d', inChannels: 2, outChannels: 4, kernelSize: [3, 3], stride: [2, 2], padding: [1, 1], outputPadding: [2, 0], dilation: [1, 1], groups: 1, bias: false };
    const upFile = (layer: unknown) => fileOf({ type: 'Sequential', layers: [layer] }, { '0.weight': weight([2, 4, 3, 3]) });
    expect(() => tm.nn.fromBytes(upFile(up))).toThrow(new CorruptFileError('model file: layer 0 (ConvTranspose2d): outputPadding [2, 0] must be less than the stride 2×2 or the dilation 1×1'));
    expect(() => tm.nn.fromBytes(upFile({ ...up, padding: 'same' }))).toThrow(/layer 0 \(ConvTranspose2d\) has padding = "same", expected \[height, width\], integers ≥ 0/);
    expect(() => tm.nn.fromBytes(fileOf({ type: 'Sequential', layers: [{ ...up, outputPadding: [1, 1] }] }, { '0.weight': weight([4, 2, 3, 3]) }))).toThrow(new CorruptFileError('model file: parameter 0.weight is [4,2,3,3], the layer needs [2,4,3,3]'));
    expect(() => tm.nn.fromBytes(upFile({ ...up, outputPadding: [1, 1] }))).not.toThrow();
    const pool = { type: 'MaxPool2d', kernelSize: [2, 2], stride: [2, 2], padding: [2, 0] };
    expect(() => tm.nn.fromBytes(fileOf({ type: 'Sequential', layers: [pool] }))).toThrow(new CorruptFileError('model file: layer 0 (MaxPool2d): padding [2, 0] is more than half the 2×2 window (a window could then hold padding only)'));
    // A dilated window is wider: the same padding fits it; a file from before dilation was saved pools undilated.
    expect(tm.nn.fromBytes(fileOf({ type: 'Sequential', layers: [{ ...pool, dilation: [3, 1] }] })).config()).toMatchObject({ layers: [{ dilation: [3, 1] }] });
    expect(tm.nn.fromBytes(fileOf({ type: 'Sequential', layers: [{ ...pool, padding: [0, 0] }] })).config()).toMatchObject({ layers: [{ dilation: [1, 1] }] });
    expect(() => tm.nn.fromBytes(fileOf({ type: 'Sequential', layers: [{ type: 'AvgPool2d', kernelSize: [2, 2], stride: [2, 2], padding: [0, 0], dilation: [2, 2] }] }))).toThrow(CorruptFileError);
  });

  it('an AvgPool2d from a file written before countIncludePad and ceilMode were saved counts the padding and rounds down, as it did then', () => {
    const older = tm.nn.fromBytes(fileOf({ type: 'Sequential', layers: [{ type: 'AvgPool2d', kernelSize: [2, 2], stride: [2, 2], padding: [1, 1] }] }));
    expect((older.config() as unknown as { layers: unknown[] }).layers[0]).toEqual({ type: 'AvgPool2d', kernelSize: [2, 2], stride: [2, 2], padding: [1, 1], ceilMode: false, countIncludePad: true });
    const bad = { type: 'AvgPool2d', kernelSize: [2, 2], stride: [2, 2], padding: [1, 1], countIncludePad: 'no' };
    expect(() => tm.nn.fromBytes(fileOf({ type: 'Sequential', layers: [bad] }))).toThrow(new CorruptFileError('model file: layer 0 (AvgPool2d) has countIncludePad = "no", expected true or false'));
  });

  it('refuses a recurrent layer whose weights do not fit its sizes, or whose settings it does not have', () => {
    const gru = { type: 'GRU', inputSize: 2, hiddenSize: 3, numLayers: 1, bias: false, bidirectional: true, dropout: 0, output: 'sequence' };
    const weights = { '0.weightIhL0': weight([2, 9]), '0.weightHhL0': weight([3, 9]), '0.weightIhL0Reverse': weight([2, 9]), '0.weightHhL0Reverse': weight([3, 9]) };
    expect(() => tm.nn.fromBytes(fileOf({ type: 'Sequential', layers: [gru] }, weights))).not.toThrow();
    expect(() => tm.nn.fromBytes(fileOf({ type: 'Sequential', layers: [{ ...gru, bidirectional: false }] }, weights))).toThrow(new CorruptFileError('model file: tensors 0.weightHhL0Reverse, 0.weightIhL0Reverse belong to no layer'));
    expect(() => tm.nn.fromBytes(fileOf({ type: 'Sequential', layers: [{ ...gru, hiddenSize: 4 }] }, weights))).toThrow(new CorruptFileError('model file: parameter 0.weightIhL0 is [2,9], the layer needs [2,12]'));
    expect(() => tm.nn.fromBytes(fileOf({ type: 'Sequential', layers: [{ ...gru, output: 'all' }] }, weights))).toThrow(new CorruptFileError('model file: layer 0 (GRU) has output = "all", expected \'sequence\' or \'last\''));
    expect(() => tm.nn.fromBytes(fileOf({ type: 'Sequential', layers: [{ ...gru, nonlinearity: 'tanh' }] }, weights))).toThrow(new CorruptFileError('model file: layer 0 (GRU) has a field "nonlinearity" that GRU does not have'));
  });

  it('refuses attention whose heads do not divide its features, or a transformer whose feed-forward weights do not fit', () => {
    const attention = { type: 'MultiheadAttention', embedDim: 6, numHeads: 4, bias: false, dropout: 0, causal: false };
    const weights = { '0.inProjWeight': weight([6, 18]), '0.outProjWeight': weight([6, 6]) };
    expect(() => tm.nn.fromBytes(fileOf({ type: 'Sequential', layers: [attention] }, weights))).toThrow(new CorruptFileError('model file: layer 0 (MultiheadAttention) has 4 heads, which do not divide its 6 features'));
    expect(() => tm.nn.fromBytes(fileOf({ type: 'Sequential', layers: [{ ...attention, numHeads: 3 }] }, weights))).not.toThrow();
    const encoder = { type: 'TransformerEncoderLayer', dModel: 4, nHead: 2, dimFeedforward: 8, dropout: 0, activation: 'relu', layerNormEps: 1e-5, normFirst: false, causal: false, bias: false };
    const encoderWeights = {
      '0.0.inProjWeight': weight([4, 12]), '0.0.outProjWeight': weight([4, 4]), '0.1.weight': weight([4, 8]), '0.2.weight': weight([8, 4]),
      '0.3.weight': weight([4]), '0.3.bias': weight([4]), '0.4.weight': weight([4]), '0.4.bias': weight([4]),
    };
    expect(() => tm.nn.fromBytes(fileOf({ type: 'Sequential', layers: [encoder] }, encoderWeights))).not.toThrow();
    expect(() => tm.nn.fromBytes(fileOf({ type: 'Sequential', layers: [{ ...encoder, dimFeedforward: 6 }] }, encoderWeights))).toThrow(new CorruptFileError('model file: parameter 0.1.weight is [4,8], the layer needs [4,6]'));
    expect(() => tm.nn.fromBytes(fileOf({ type: 'Sequential', layers: [{ ...encoder, activation: 'tanh' }] }, encoderWeights))).toThrow(new CorruptFileError('model file: layer 0 (TransformerEncoderLayer) has activation = "tanh", expected \'relu\' or \'gelu\''));
  });

  it('refuses activation settings their layers could not take, and a PReLU whose slopes do not fit its count', () => {
    const one = (layer: object, entries = {}) => () => tm.nn.fromBytes(fileOf({ type: 'Sequential', layers: [layer] }, entries));
    expect(one({ type: 'Softplus', beta: 0, threshold: 20 })).toThrow(new CorruptFileError('model file: layer 0 (Softplus) has beta = 0, expected a finite number other than 0'));
    expect(one({ type: 'ELU' })).toThrow(new CorruptFileError('model file: layer 0 (ELU) has alpha = undefined, expected a number'));
    expect(one({ type: 'PReLU', numParameters: 3 }, { '0.weight': weight([2]) })).toThrow(CorruptFileError);
    expect(one({ type: 'Hardtanh', minVal: 2, maxVal: 1 })).toThrow(/minVal 2 must be below maxVal 1/);
    expect(one({ type: 'Softshrink', lambd: -1 })).toThrow(new CorruptFileError('model file: layer 0 (Softshrink) has lambd = -1, expected a number ≥ 0'));
    expect(one({ type: 'Threshold', threshold: 1 })).toThrow(new CorruptFileError('model file: layer 0 (Threshold) has value = undefined, expected a number'));
  });

  it('a convolution keeps its paddingMode; a file without one pads with zeros; ConvTranspose has none', async () => {
    const m = new tm.nn.Sequential([new tm.nn.Conv2d(1, 2, 3, { padding: 1, paddingMode: 'reflect' }), new tm.nn.Conv1d(2, 2, 3, { padding: 'same', paddingMode: 'circular' })]);
    const loaded = tm.nn.fromBytes(await m.toBytes());
    expect(loaded.config()).toEqual(m.config());
    expect((loaded.layers[0] as tm.nn.Conv2d).paddingMode).toBe('reflect');
    const conv = { type: 'Conv2d', inChannels: 1, outChannels: 1, kernelSize: [1, 1], stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1, bias: false };
    expect((tm.nn.fromBytes(fileOf({ type: 'Sequential', layers: [conv] }, { '0.weight': weight([1, 1, 1, 1]) })).layers[0] as tm.nn.Conv2d).paddingMode).toBe('zeros');
    expect(() => tm.nn.fromBytes(fileOf({ type: 'Sequential', layers: [{ ...conv, paddingMode: 'zeros' }] }, { '0.weight': weight([1, 1, 1, 1]) }))).toThrow(/has paddingMode = "zeros", expected 'reflect', 'replicate' or 'circular'/);
    const up = { type: 'ConvTranspose2d', inChannels: 1, outChannels: 1, kernelSize: [1, 1], stride: [1, 1], padding: [0, 0], outputPadding: [0, 0], dilation: [1, 1], groups: 1, bias: false, paddingMode: 'reflect' };
    expect(() => tm.nn.fromBytes(fileOf({ type: 'Sequential', layers: [up] }, { '0.weight': weight([1, 1, 1, 1]) }))).toThrow(/has a field "paddingMode" that ConvTranspose2d does not have/);
  });

  it("a loaded layer's dropout draws fresh masks unless the saved layer was seeded; loading leaves setSeed's sequence where it was", async () => {
    const unseeded = tm.nn.fromBytes(await new tm.nn.Sequential([new tm.nn.MultiheadAttention(4, 1, { dropout: 0.5 })]).toBytes());
    expect((unseeded.config() as unknown as { layers: object[] }).layers[0]).not.toHaveProperty('seed');
    const [a, b] = [tm.nn.fromBytes(await unseeded.toBytes()), tm.nn.fromBytes(await unseeded.toBytes())];
    const x = tm.randn([2, 6, 4], { seed: 1 });
    const weightsOf = (m: tm.nn.Sequential) => (m.layers[0] as tm.nn.MultiheadAttention).attend(x, x, x).weights.data();
    expect(await weightsOf(a)).not.toEqual(await weightsOf(b));
    const seeded = new tm.nn.Sequential([new tm.nn.LSTM(4, 3, { numLayers: 2, dropout: 0.5, seed: 9 })]);
    expect((seeded.config() as unknown as { layers: object[] }).layers[0]).toMatchObject({ seed: 9 });
    const twin = tm.nn.fromBytes(await seeded.toBytes());
    expect(await twin.forward(x).data()).toEqual(await seeded.forward(x).data()); // same weights, same first mask
    const file = await new tm.nn.Sequential([new tm.nn.GRU(4, 3), new tm.nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 8 })]).toBytes();
    tm.setSeed(3);
    const plain = Array.from(await tm.randn([4]).data());
    tm.setSeed(3);
    tm.nn.fromBytes(file);
    expect(Array.from(await tm.randn([4]).data())).toEqual(plain);
  });

  it('round-trips the adaptive pools, their output sizes as the ops take them', async () => {
    const m = new tm.nn.Sequential([new tm.nn.AdaptiveAvgPool2d([3, 2]), new tm.nn.AdaptiveMaxPool2d(1), new tm.nn.Flatten()]);
    const loaded = tm.nn.fromBytes(await m.toBytes());
    expect(loaded.config()).toEqual({ type: 'Sequential', layers: [{ type: 'AdaptiveAvgPool2d', outputSize: [3, 2] }, { type: 'AdaptiveMaxPool2d', outputSize: [1, 1] }, { type: 'Flatten' }] });
    const seq = tm.nn.fromBytes(await new tm.nn.Sequential([new tm.nn.AdaptiveAvgPool1d(4), new tm.nn.AdaptiveMaxPool1d(2)]).toBytes());
    expect(seq.config()).toEqual({ type: 'Sequential', layers: [{ type: 'AdaptiveAvgPool1d', outputSize: 4 }, { type: 'AdaptiveMaxPool1d', outputSize: 2 }] });
    expect(() => tm.nn.fromBytes(fileOf({ type: 'Sequential', layers: [{ type: 'AdaptiveAvgPool2d', outputSize: 0 }] }))).toThrow(/has outputSize = 0, expected \[height, width\], integers ≥ 1/);
  });

  it('round-trips Upsample and Identity; an Upsample from a file written before alignCorners existed does not align them', async () => {
    const m = new tm.nn.Sequential([
      new tm.nn.Upsample({ scaleFactor: [2, 1.5], mode: 'bilinear' }), new tm.nn.Identity(), new tm.nn.Upsample({ size: 9 }),
      new tm.nn.Upsample({ size: [5, 7], mode: 'bicubic', alignCorners: true }),
    ]);
    const loaded = tm.nn.fromBytes(await m.toBytes());
    expect(loaded.config()).toEqual({
      type: 'Sequential', layers: [
        { type: 'Upsample', scaleFactor: [2, 1.5], mode: 'bilinear', alignCorners: false }, { type: 'Identity' }, { type: 'Upsample', size: 9, mode: 'nearest', alignCorners: false },
        { type: 'Upsample', size: [5, 7], mode: 'bicubic', alignCorners: true },
      ],
    });
    const x = tm.randn([1, 2, 3, 4], { seed: 1 });
    expect(await loaded.predict(x).data()).toEqual(await m.predict(x).data());
    const older = tm.nn.fromBytes(fileOf({ type: 'Sequential', layers: [{ type: 'Upsample', size: 4, mode: 'bilinear' }] }));
    expect((older.layers[0] as tm.nn.Upsample).alignCorners).toBe(false);
    expect(() => tm.nn.fromBytes(fileOf({ type: 'Sequential', layers: [{ type: 'Upsample', mode: 'nearest' }] }))).toThrow(new CorruptFileError('model file: Upsample: give size or scaleFactor (one of them)'));
  });

  it('a GELU keeps its form: exact or tanh as saved, and tanh from a file written before the exact one existed', async () => {
    const m = new tm.nn.Sequential([new tm.nn.GELU(), new tm.nn.GELU({ approximate: 'tanh' })]);
    expect(tm.nn.fromBytes(await m.toBytes()).config()).toEqual({ type: 'Sequential', layers: [{ type: 'GELU', approximate: 'none' }, { type: 'GELU', approximate: 'tanh' }] });
    const older = tm.nn.fromBytes(fileOf({ type: 'Sequential', layers: [{ type: 'GELU' }] }));
    expect((older.layers[0] as tm.nn.GELU).approximate).toBe('tanh');
    expect(() => tm.nn.fromBytes(fileOf({ type: 'Sequential', layers: [{ type: 'GELU', approximate: 'erf' }] }))).toThrow(new CorruptFileError('model file: layer 0 (GELU) has approximate = "erf", expected \'none\' or \'tanh\''));
  });

  it("refuses a GroupNorm whose groups do not divide its channels, an InstanceNorm without its flags, and estimates no batch could give", () => {
    const group = { type: 'GroupNorm', numGroups: 4, numChannels: 6, epsilon: 1e-5, affine: true };
    const affine = { '0.weight': weight([6]), '0.bias': weight([6]) };
    expect(() => tm.nn.fromBytes(fileOf({ type: 'Sequential', layers: [group] }, affine))).toThrow(new CorruptFileError('model file: layer 0 (GroupNorm) has numGroups 4, which does not divide its 6 channels'));
    expect(() => tm.nn.fromBytes(fileOf({ type: 'Sequential', layers: [{ ...group, numGroups: 3 }] }, affine))).not.toThrow();
    expect(() => tm.nn.fromBytes(fileOf({ type: 'Sequential', layers: [{ ...group, numGroups: 3, affine: false }] }, affine))).toThrow(new CorruptFileError('model file: tensors 0.bias, 0.weight belong to no layer'));
    const instance = { type: 'InstanceNorm2d', features: 2, epsilon: 1e-5, momentum: 0.1, affine: false, trackRunningStats: true };
    const estimates = (variance: number[]) => ({ '0.runningMean': weight([2]), '0.runningVar': { dtype: 'f32' as const, shape: [2], data: Float32Array.from(variance) } });
    expect(() => tm.nn.fromBytes(fileOf({ type: 'Sequential', layers: [instance] }, estimates([1, 1])))).not.toThrow();
    expect(() => tm.nn.fromBytes(fileOf({ type: 'Sequential', layers: [instance] }, estimates([1, -1])))).toThrow(new CorruptFileError('model file: 0.runningVar holds -1 at 1; a running estimate is finite and ≥ 0'));
    const { affine: _, ...noFlag } = instance;
    expect(() => tm.nn.fromBytes(fileOf({ type: 'Sequential', layers: [noFlag] }, estimates([1, 1])))).toThrow(new CorruptFileError('model file: layer 0 (InstanceNorm2d) has affine = undefined, expected true or false'));
  });

  it('a Permute whose axes are not an order of 1..n is refused', () => {
    expect(() => tm.nn.fromBytes(fileOf({ type: 'Sequential', layers: [{ type: 'Permute', axes: [0, 1] }] }))).toThrow(new CorruptFileError('model file: layer 0 (Permute) has axes = [0, 1], expected an order of 1..n, each once'));
  });

  it('a tensor that belongs to no layer is refused whatever its name, Object.prototype names included', () => {
    const dense = { type: 'Sequential', layers: [{ type: 'Dense', inputs: 1, units: 1, activation: 'linear', bias: false }] };
    for (const name of ['zzz', 'toString', 'constructor', 'hasOwnProperty']) {
      expect(() => tm.nn.fromBytes(fileOf(dense, { '0.weight': weight([1, 1]), [name]: weight([2]) }))).toThrow(new CorruptFileError(`model file: tensors ${name} belong to no layer`));
    }
  });

  it('parameters are f32 or f16: an i32 one is refused by load, and by save before writing (it would load back as f32)', async () => {
    const dense = { type: 'Sequential', layers: [{ type: 'Dense', inputs: 1, units: 2, activation: 'linear', bias: false }] };
    const ints = { dtype: 'i32' as const, shape: [1, 2], data: new Int32Array(2) };
    expect(() => tm.nn.fromBytes(fileOf(dense, { '0.weight': ints }))).toThrow(new CorruptFileError('model file: parameter 0.weight is i32; model files hold parameters and buffers in f32 or f16'));
    const m = new tm.nn.Sequential([new tm.nn.Dense(1, 2, { bias: false })]);
    (m.layers[0] as tm.nn.Dense).weight = tm.tensor([[1, 2]], undefined, { dtype: 'i32' });
    const path = join(dir, 'ints.safetensors');
    await expect(m.save(path)).rejects.toThrow('save: parameter 0.weight is i32; model files hold parameters and buffers in f32 or f16; nothing was written');
    await expect(readFile(path)).rejects.toThrow(/ENOENT/);
  });

  it('save refuses, before writing, what load would refuse: a weight of another shape than its layer, a model nested too deep', async () => {
    const m = new tm.nn.Sequential([new tm.nn.Dense(4, 3)]);
    (m.layers[0] as tm.nn.Dense).weight = tm.zeros([5, 3]);
    await expect(m.toBytes()).rejects.toThrow('save: parameter 0.weight is [5,3], the layer needs [4,3]; nothing was written');
    // The ReLU 17 Sequentials below the model: past the limit; one less, and it saves and loads.
    let nested = new tm.nn.Sequential([new tm.nn.ReLU()]);
    for (let i = 0; i < 16; i++) nested = new tm.nn.Sequential([nested]);
    await expect(nested.toBytes()).rejects.toThrow(`save: layer ${Array(17).fill(0).join('.')} is nested more than 16 Sequentials deep, which model files do not hold; nothing was written`);
    nested = nested.layers[0] as tm.nn.Sequential;
    expect(tm.nn.fromBytes(await nested.toBytes()).config()).toEqual(nested.config());
  });

  it('a quantized weight (tm.quantize) is refused by save with what to do, not a TypeError', async () => {
    const m = new tm.nn.Sequential([new tm.nn.Dense(4, 3)]);
    const dense = m.layers[0] as tm.nn.Dense;
    (dense as unknown as { weight: unknown }).weight = tm.quantize(dense.weight.transpose());
    await expect(m.toBytes()).rejects.toThrow(/^save: parameter 0\.weight is QuantizedTensor, not a Tensor; model files hold f32 or f16 tensors \(save the float model, and quantize after loading\)$/);
  });

  it('a path may be a file: URL, for save as for load; anything else is refused by name', async () => {
    const url = pathToFileURL(join(dir, 'url.safetensors'));
    const m = model(6);
    await m.save(url);
    expect((await tm.nn.load(url)).config()).toEqual(m.config());
    await expect(m.save(new URL('https://example.com/m.safetensors'))).rejects.toThrow('save: https://example.com/m.safetensors is not a file: URL; only files can be written');
    await expect(tm.nn.load(0 as unknown as string)).rejects.toThrow('load: path must be a non-empty string or a file: URL, got 0');
    await expect(m.save('')).rejects.toThrow('save: path must be a non-empty string or a file: URL, got ""');
  });
});
