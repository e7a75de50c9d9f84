// PyTorch's lazy modules (tm.nn.LazyLinear, LazyConv*, LazyConvTranspose*,
// LazyBatchNorm*, LazyInstanceNorm*): each built on its first input, of
// fresh random data in every accepted form, against the real layer made by
// hand with the same seed (its output, parameters, state and config); the
// built layer is that layer to save, load, summary, ONNX export and
// quantizeDynamic; a load (loadPytorch's too) builds an unbuilt one from
// the state's shapes, and unbuilds it when refused; fit without an
// optimizer builds it by a dry run; what needs the parameters first
// refuses an unbuilt one by name. Built in a checkpoint, it shifts no
// replayed draw; LazyInstanceNorm is PyTorch's (checked against torch
// 1.13); what a user sets on one before its first input is kept or
// refused; and once built, `instanceof` narrows its type to the real
// layer's (tsc -p tsconfig.check.json compiles this file).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose, uniform } from '../helpers/data.js';

/** A tensor of fresh random values. */
const random = (shape: number[]) => tm.tensor(Float32Array.from(uniform(shape.reduce((a, b) => a * b, 1))), shape);

/** A seed for a layer's weights, fresh every run with the data (replayed by TMNN_TEST_SEED). */
const freshSeed = () => Math.floor(uniform(1, 0, 2 ** 31)[0]);

/** The two tensors hold the same shape and values (the same layer computing on the same backend: equal up to rounding). */
async function expectSame(got: tm.Tensor, want: tm.Tensor, what = ''): Promise<void> {
  expect(got.shape, what).toEqual(want.shape);
  expectClose(await got.data(), await want.data(), 1e-6, what);
}

/** The two modules hold the same state: names, shapes and values. */
async function expectSameState(got: tm.nn.Module, want: tm.nn.Module): Promise<void> {
  const [a, b] = [got.stateDict(), want.stateDict()];
  expect(Object.keys(a)).toEqual(Object.keys(b));
  for (const name of Object.keys(b)) await expectSame(a[name], b[name], name);
}

const count = (layer: tm.nn.Module) => layer.parameters().reduce((n, p) => n + p.size, 0);

interface Case {
  name: string;
  /** The class the lazy layer becomes. */
  becomes: abstract new (...args: never[]) => tm.nn.Module;
  lazy: (seed: number) => tm.nn.Module;
  /** The real layer for input size n, with the lazy one's arguments. */
  real: (n: number, seed: number) => tm.nn.Module;
  /** The input size the inputs carry, and each form of input the layer takes. */
  inputSize: number;
  shapes: number[][];
}

const CASES: Case[] = [
  {
    name: 'LazyLinear', becomes: tm.nn.Dense, inputSize: 7, shapes: [[5, 7], [2, 3, 7], [7]],
    lazy: (seed) => new tm.nn.LazyLinear(4, { activation: 'tanh', seed }), real: (n, seed) => new tm.nn.Dense(n, 4, { activation: 'tanh', seed }),
  },
  {
    name: 'LazyConv1d', becomes: tm.nn.Conv1d, inputSize: 4, shapes: [[2, 4, 9], [4, 9]],
    lazy: (seed) => new tm.nn.LazyConv1d(6, 3, { seed, stride: 2, padding: 1, groups: 2 }), real: (n, seed) => new tm.nn.Conv1d(n, 6, 3, { seed, stride: 2, padding: 1, groups: 2 }),
  },
  {
    name: 'LazyConv2d', becomes: tm.nn.Conv2d, inputSize: 3, shapes: [[2, 3, 6, 5], [3, 6, 5]],
    lazy: (seed) => new tm.nn.LazyConv2d(4, [3, 2], { seed, padding: 1, paddingMode: 'reflect' }),
    real: (n, seed) => new tm.nn.Conv2d(n, 4, [3, 2], { seed, padding: 1, paddingMode: 'reflect' }),
  },
  {
    name: 'LazyConv3d', becomes: tm.nn.Conv3d, inputSize: 2, shapes: [[2, 2, 4, 4, 3], [2, 4, 4, 3]],
    lazy: (seed) => new tm.nn.LazyConv3d(4, 2, { seed, groups: 2, init: 'xavier' }), real: (n, seed) => new tm.nn.Conv3d(n, 4, 2, { seed, groups: 2, init: 'xavier' }),
  },
  {
    name: 'LazyConvTranspose1d', becomes: tm.nn.ConvTranspose1d, inputSize: 6, shapes: [[2, 6, 5], [6, 5]],
    lazy: (seed) => new tm.nn.LazyConvTranspose1d(4, 3, { seed, stride: 2, groups: 2 }), real: (n, seed) => new tm.nn.ConvTranspose1d(n, 4, 3, { seed, stride: 2, groups: 2 }),
  },
  {
    name: 'LazyConvTranspose2d', becomes: tm.nn.ConvTranspose2d, inputSize: 3, shapes: [[2, 3, 4, 4], [3, 4, 4]],
    lazy: (seed) => new tm.nn.LazyConvTranspose2d(2, 3, { seed, stride: 2, padding: 1, outputPadding: 1, bias: false }),
    real: (n, seed) => new tm.nn.ConvTranspose2d(n, 2, 3, { seed, stride: 2, padding: 1, outputPadding: 1, bias: false }),
  },
  {
    name: 'LazyConvTranspose3d', becomes: tm.nn.ConvTranspose3d, inputSize: 3, shapes: [[1, 3, 2, 3, 2], [3, 2, 3, 2]],
    lazy: (seed) => new tm.nn.LazyConvTranspose3d(2, 2, { seed, stride: 2 }), real: (n, seed) => new tm.nn.ConvTranspose3d(n, 2, 2, { seed, stride: 2 }),
  },
  {
    name: 'LazyBatchNorm1d', becomes: tm.nn.BatchNorm1d, inputSize: 5, shapes: [[6, 5], [3, 5, 4]],
    lazy: () => new tm.nn.LazyBatchNorm1d({ momentum: 0.25, epsilon: 1e-3 }), real: (n) => new tm.nn.BatchNorm1d(n, { momentum: 0.25, epsilon: 1e-3 }),
  },
  {
    name: 'LazyBatchNorm2d', becomes: tm.nn.BatchNorm2d, inputSize: 3, shapes: [[2, 3, 4, 5]],
    lazy: () => new tm.nn.LazyBatchNorm2d({ momentum: 0.5 }), real: (n) => new tm.nn.BatchNorm2d(n, { momentum: 0.5 }),
  },
  {
    name: 'LazyBatchNorm3d', becomes: tm.nn.BatchNorm3d, inputSize: 2, shapes: [[2, 2, 3, 2, 3]],
    lazy: () => new tm.nn.LazyBatchNorm3d({ affine: false }), real: (n) => new tm.nn.BatchNorm3d(n, { affine: false }),
  },
  {
    name: 'LazyInstanceNorm1d', becomes: tm.nn.InstanceNorm1d, inputSize: 4, shapes: [[3, 4, 6]],
    lazy: () => new tm.nn.LazyInstanceNorm1d({ affine: true, trackRunningStats: true, momentum: 0.3 }),
    real: (n) => new tm.nn.InstanceNorm1d(n, { affine: true, trackRunningStats: true, momentum: 0.3 }),
  },
  {
    // PyTorch's LazyInstanceNorm defaults: affine and running estimates, where InstanceNorm2d's are off.
    name: 'LazyInstanceNorm2d', becomes: tm.nn.InstanceNorm2d, inputSize: 3, shapes: [[2, 3, 4, 4]],
    lazy: () => new tm.nn.LazyInstanceNorm2d(), real: (n) => new tm.nn.InstanceNorm2d(n, { affine: true, trackRunningStats: true }),
  },
  {
    name: 'LazyInstanceNorm3d', becomes: tm.nn.InstanceNorm3d, inputSize: 2, shapes: [[2, 2, 3, 3, 2]],
    lazy: () => new tm.nn.LazyInstanceNorm3d({ affine: false, trackRunningStats: false }), real: (n) => new tm.nn.InstanceNorm3d(n),
  },
];

/** A small model of lazy layers over images [N, 2, 5, 5]: a convolution, a Dense and a norm, each built on the first batch. */
const lazyModel = (seed?: number) => new tm.nn.Sequential([
  new tm.nn.LazyConv2d(4, 3, { seed }), new tm.nn.ReLU(), new tm.nn.Flatten(), new tm.nn.LazyLinear(3, { seed: seed === undefined ? undefined : seed + 1 }), new tm.nn.LazyBatchNorm1d(),
]);
const realModel = (seed: number) => new tm.nn.Sequential([
  new tm.nn.Conv2d(2, 4, 3, { seed }), new tm.nn.ReLU(), new tm.nn.Flatten(), new tm.nn.Dense(36, 3, { seed: seed + 1 }), new tm.nn.BatchNorm1d(3),
]);

describe.each(BACKENDS)('lazy layers on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  afterEach(() => {
    tm.setRandomState(null);
  });

  describe.each(CASES)('$name', (c) => {
    it.each(c.shapes.map((shape) => [shape]))('has no parameters until its first input %j, then is the real layer, computing what it computes', async (shape) => {
      const seed = freshSeed();
      const lazy = c.lazy(seed);
      expect(lazy).toBeInstanceOf(tm.nn.LazyModule);
      expect(lazy.parameters()).toEqual([]);
      expect(lazy.stateDict()).toEqual({});
      const real = c.real(c.inputSize, seed);
      const x = random(shape);
      // Training mode: the norms move their running estimates, which must move alike.
      await expectSame(lazy.forward(x), real.forward(x), 'first output');
      expect(lazy).toBeInstanceOf(c.becomes);
      expect(lazy).not.toBeInstanceOf(tm.nn.LazyModule);
      expect(lazy.constructor).toBe(real.constructor);
      expect(lazy.config()).toEqual(real.config());
      expect(count(lazy)).toBe(count(real));
      await expectSameState(lazy, real);
      // Built once: a second input of the same size goes through the same layer, in eval mode too.
      const y = random(shape);
      lazy.eval();
      real.eval();
      await expectSame(lazy.forward(y), real.forward(y), 'second output, eval mode');
      await expectSameState(lazy, real);
    });

    it('a load of the real layer\'s state builds it at that layer\'s input size', async () => {
      const real = c.real(c.inputSize, freshSeed());
      real.forward(random(c.shapes[0]));
      const lazy = c.lazy(freshSeed());
      expect(lazy.loadStateDict(real.stateDict())).toEqual({ missing: [], unexpected: [] });
      if (Object.keys(real.stateDict()).length === 0) {
        // Nothing to size it by (an InstanceNorm without affine or running estimates): it waits for its input.
        expect(lazy).toBeInstanceOf(tm.nn.LazyModule);
        return;
      }
      expect(lazy.config()).toEqual(real.config());
      await expectSameState(lazy, real);
      const x = random(c.shapes[0]);
      lazy.eval();
      real.eval();
      await expectSame(lazy.forward(x), real.forward(x));
    });
  });

  it('a seeded sequence (tm.setSeed) gives lazy layers run with no draw in between the weights the real layers draw, and making one draws nothing from it', async () => {
    const seed = freshSeed();
    tm.setSeed(seed);
    const dense = new tm.nn.Dense(7, 3);
    const conv = new tm.nn.Conv2d(2, 4, 3);
    const after = await tm.randn([5]).data();
    tm.setSeed(seed);
    const lazyDense = new tm.nn.LazyLinear(3);
    const lazyConv = new tm.nn.LazyConv2d(4, 3);
    lazyDense.forward(random([2, 7]));
    lazyConv.forward(random([1, 2, 5, 5]));
    expectClose(await tm.randn([5]).data(), after, 0, 'the sequence after both');
    await expectSameState(lazyDense, dense);
    await expectSameState(lazyConv, conv);
  });

  it('keeps its forward hooks and its train/eval mode when it is built', async () => {
    const lazy = new tm.nn.LazyBatchNorm2d();
    const seen: number[][] = [];
    lazy.registerForwardHook((_layer, [x], y) => {
      seen.push([...(x as tm.Tensor).shape]);
      return y.mul(2);
    });
    lazy.eval();
    const x = random([2, 3, 2, 2]);
    const real = new tm.nn.BatchNorm2d(3).eval();
    await expectSame(lazy.forward(x), real.forward(x).mul(2));
    expect(lazy.training).toBe(false);
    await expectSame(lazy.forward(x), real.forward(x).mul(2));
    expect(seen).toEqual([[2, 3, 2, 2], [2, 3, 2, 2]]);
  });

  it('built inside tm.tidy, keeps its weights past the scope (they are the layer\'s, not temporaries)', async () => {
    const lazy = new tm.nn.LazyConv2d(3, 2, { seed: freshSeed() });
    const x = random([1, 2, 4, 4]);
    const first = tm.tidy(() => lazy.forward(x).mul(1));
    expect(lazy.parameters().every((p) => !p.isDisposed)).toBe(true);
    await expectSame(lazy.forward(x), first);
    const model = new tm.nn.Sequential([new tm.nn.LazyLinear(2), new tm.nn.LazyBatchNorm1d()]);
    await model.evaluate(random([4, 5]), random([4, 2]), { loss: 'mse' });
    expect(model.stateDict()['1.runningMean'].isDisposed).toBe(false);
    expect(model.predict(random([3, 5])).shape).toEqual([3, 2]);
  });

  it('a second input of another input size meets the real layer\'s shape error', () => {
    const dense = new tm.nn.LazyLinear(3);
    dense.forward(random([2, 7]));
    expect(() => dense.forward(random([2, 5]))).toThrow(tm.ShapeError);
    const conv = new tm.nn.LazyConv2d(4, 3);
    conv.forward(random([1, 3, 5, 5]));
    expect(() => conv.forward(random([1, 2, 5, 5]))).toThrow(/takes 3 channels/);
    const norm = new tm.nn.LazyBatchNorm1d();
    norm.forward(random([4, 3]));
    expect(() => norm.forward(random([4, 5]))).toThrow(/BatchNorm1d: x \[4,5\] is not \[batch, 3\]/);
  });

  it('a model of lazy layers saves and loads back as the real layers, and its weights load into a fresh lazy model', async () => {
    const model = lazyModel(freshSeed());
    const x = random([4, 2, 5, 5]);
    model.forward(x);
    model.eval();
    const want = model.forward(x);
    expect(model.summary([2, 5, 5])).toContain('3  Dense');
    const loaded = tm.nn.fromBytes(await model.toBytes());
    expect(loaded.layers.map((l) => l.constructor)).toEqual([tm.nn.Conv2d, tm.nn.ReLU, tm.nn.Flatten, tm.nn.Dense, tm.nn.BatchNorm1d]);
    await expectSame(loaded.eval().forward(x), want, 'loaded model');
    // loadWeights builds the lazy layers from the file's shapes (PyTorch's lazy load hook).
    const fresh = lazyModel();
    expect(await fresh.loadWeights(await model.weightsToBytes())).toEqual({ missing: [], unexpected: [] });
    expect(fresh.layers.map((l) => l.constructor)).toEqual([tm.nn.Conv2d, tm.nn.ReLU, tm.nn.Flatten, tm.nn.Dense, tm.nn.BatchNorm1d]);
    await expectSameState(fresh, model);
    await expectSame(fresh.eval().forward(x), want, 'weights loaded into lazy layers');
  });

  it('loadStateDict builds lazy layers from the state\'s shapes, leaves one the state lacks unbuilt, and unbuilds them when refused', async () => {
    const trained = realModel(freshSeed());
    trained.forward(random([3, 2, 5, 5]));
    const state = trained.stateDict();
    const fresh = lazyModel();
    fresh.loadStateDict(state);
    await expectSameState(fresh, trained);
    expect(fresh.layers[3]).toBeInstanceOf(tm.nn.Dense);

    const noDense = Object.fromEntries(Object.entries(state).filter(([name]) => !name.startsWith('3.')));
    const strict = lazyModel();
    expect(() => strict.loadStateDict(noDense)).toThrow(/missing 3\.weight, 3\.bias/);
    // Refused: the layers the state did size are unbuilt again.
    expect(strict.layers.filter((l) => l instanceof tm.nn.LazyModule)).toHaveLength(3);
    expect(strict.parameters()).toEqual([]);
    const loose = lazyModel();
    expect(loose.loadStateDict(noDense, { strict: false })).toEqual({ missing: ['3.weight', '3.bias'], unexpected: [] });
    expect(loose.layers[0]).toBeInstanceOf(tm.nn.Conv2d);
    expect(loose.layers[3]).toBeInstanceOf(tm.nn.LazyModule);
    await expectSame(loose.layers[0].stateDict().weight, state['0.weight']);

    const wrong = { ...state, '3.weight': random([36, 5]) };
    const refused = lazyModel();
    expect(() => refused.loadStateDict(wrong)).toThrow(/3\.weight is \[36,5\] in the state and \[36,3\] in the module/);
    expect(refused.layers.filter((l) => l instanceof tm.nn.LazyModule)).toHaveLength(3);
    // A bias alone says nothing of a Dense's inputs.
    expect(() => new tm.nn.LazyLinear(3).loadStateDict({ bias: random([3]) })).toThrow(/has not seen an input yet, and the state's bias \[3\] does not give its input size \(a Dense's weight would\)/);
  });

  it('a load builds from the state without moving tm.setSeed\'s sequence', async () => {
    const seed = freshSeed();
    tm.setSeed(seed);
    const want = await tm.randn([4]).data();
    tm.setSeed(seed);
    new tm.nn.LazyLinear(3).loadStateDict({ weight: random([6, 3]), bias: random([3]) });
    expectClose(await tm.randn([4]).data(), want, 0);
  });

  it('a built model exports to ONNX, quantizes and loads PyTorch weights as the real one', async () => {
    const seed = freshSeed();
    const [lazy, real] = [lazyModel(seed), realModel(seed)];
    lazy.forward(random([2, 2, 5, 5]));
    // The norm's running estimates moved by that batch: the real model's copied in, so that the files must be the same bytes.
    lazy.loadStateDict(real.stateDict());
    const options = { inputShape: ['batch', 2, 5, 5] };
    expect(Buffer.from(await tm.onnx.toOnnx(lazy, options)).equals(Buffer.from(await tm.onnx.toOnnx(real, options)))).toBe(true);

    const dense = new tm.nn.LazyLinear(3, { seed });
    dense.forward(random([2, 7]));
    expect(tm.nn.quantizeDynamic(new tm.nn.Sequential([dense])).layers[0]).toBeInstanceOf(tm.nn.QuantizedDense);
    // PyTorch's Linear weight [out, in] goes in transposed, as into a Dense.
    const torchWeight = Float32Array.from(uniform(21));
    tm.nn.loadPytorch(new tm.nn.Sequential([dense]), { '0.weight': { dtype: 'f32', shape: [3, 7], data: torchWeight }, '0.bias': { dtype: 'f32', shape: [3], data: new Float32Array(3) } });
    // The class it became narrows the type too.
    if (!(dense instanceof tm.nn.Dense)) throw new Error('LazyLinear did not become a Dense');
    await expectSame(dense.weight, tm.tensor(torchWeight, [3, 7]).transpose());
  });

  it('LazyInstanceNorm has PyTorch\'s affine and running estimates by default (torch 1.13: its state and outputs)', async () => {
    // torch.nn.LazyInstanceNorm1d() on x[i] = 2·sin(0.7·i) + 0.3·(i mod 5), [2, 3, 4], in train mode then eval mode.
    const x = tm.tensor(Float32Array.from({ length: 24 }, (_, i) => 2 * Math.sin(0.7 * i) + 0.3 * (i % 5)), [2, 3, 4]);
    const norm = new tm.nn.LazyInstanceNorm1d();
    const trained = norm.forward(x);
    expect(Object.keys(norm.stateDict())).toEqual(['weight', 'bias', 'runningMean', 'runningVar']);
    const state = norm.stateDict();
    expectClose(await state.weight.data(), [1, 1, 1], 0);
    expectClose(await state.bias.data(), [0, 0, 0], 0);
    expectClose(await state.runningMean.data(), [0.11675998568534851, -0.005348637700080872, 0.12220259010791779], 1e-6);
    expectClose(await state.runningVar.data(), [1.1316514015197754, 1.1905540227890015, 0.9981402158737183], 1e-6);
    expectClose(await trained.data(), [
      -1.596025, -0.10161, 0.822701, 0.874934, 1.69199, -0.216448, -0.766806, -0.708736, -1.560972, 0.124926, 0.209789, 1.226257,
      1.090833, 0.587352, -0.112137, -1.566049, -1.229976, -0.589004, 0.416603, 1.402376, 0.859953, 0.8735, -0.161396, -1.572056,
    ], 1e-5);
    // Eval mode normalises by the running estimates.
    expectClose(await norm.eval().forward(x).data(), [
      -0.109758, 1.383419, 2.306965, 2.359155, 1.7187, -0.638071, -1.31772, -1.246008, -0.485185, 1.112455, 1.192874, 2.156129,
      2.060957, 1.336193, 0.329275, -1.763639, -1.51495, -0.578232, 0.891365, 2.331976, 1.860734, 1.871022, 1.085038, 0.013667,
    ], 1e-5);
    // Either can be turned off, as in PyTorch; tm.nn.InstanceNorm keeps its own defaults (both off).
    for (const [lazy, keys] of [
      [new tm.nn.LazyInstanceNorm2d({ affine: false }), ['runningMean', 'runningVar']],
      [new tm.nn.LazyInstanceNorm3d({ trackRunningStats: false }), ['weight', 'bias']],
    ] as const) {
      lazy.forward(random(lazy instanceof tm.nn.LazyInstanceNorm2d ? [2, 3, 2, 2] : [2, 3, 2, 2, 2]));
      expect(Object.keys(lazy.stateDict())).toEqual(keys);
    }
    expect(new tm.nn.InstanceNorm1d(3).config()).toMatchObject({ affine: false, trackRunningStats: false });
  });

  it('built inside tm.checkpoint, a lazy layer\'s draw is not replayed to the dropout after it: the gradients are those without the checkpoint', async () => {
    const seed = freshSeed();
    const x = random([4, 8]);
    const run = async (checkpointed: boolean) => {
      tm.setSeed(seed);
      // Unseeded: the layer's weights and the dropout's mask both come from setSeed's sequence.
      const model = new tm.nn.Sequential([new tm.nn.LazyLinear(16), new tm.nn.Dropout(0.5)]);
      const y = checkpointed ? tm.checkpoint((input) => model.forward(input), x) : model.forward(x);
      y.sum().backward();
      const dense = model.layers[0];
      if (!(dense instanceof tm.nn.Dense)) throw new Error('LazyLinear did not become a Dense');
      return { y: await y.data(), weight: await dense.weight.data(), weightGrad: await dense.weight.grad!.data(), biasGrad: await dense.bias!.grad!.data(), next: await tm.randn([3]).data() };
    };
    const [plain, checkpointed] = [await run(false), await run(true)];
    expectClose(checkpointed.y, plain.y, 0, 'output');
    expectClose(checkpointed.weight, plain.weight, 0, 'weights');
    expectClose(checkpointed.weightGrad, plain.weightGrad, 1e-6, 'weight gradient');
    expectClose(checkpointed.biasGrad, plain.biasGrad, 1e-6, 'bias gradient');
    expectClose(checkpointed.next, plain.next, 0, 'the sequence after');
  });

  it('loadPytorch builds lazy layers from a PyTorch state_dict\'s shapes (a Linear\'s [out, in] weight transposed), and unbuilds them when refused', async () => {
    const seed = freshSeed();
    const real = realModel(seed);
    real.forward(random([3, 2, 5, 5]));
    // The real model's state in PyTorch's names and layouts: Linear's weight [out, in], BatchNorm's running_mean…
    const torchNames: Record<string, string> = { runningMean: 'running_mean', runningVar: 'running_var' };
    const file: Record<string, tm.SafetensorsEntry> = {};
    for (const [name, t] of Object.entries(real.stateDict())) {
      const [layer, field] = name.split('.');
      const value = layer === '3' && field === 'weight' ? t.transpose() : t;
      file[`${layer}.${torchNames[field] ?? field}`] = { dtype: 'f32', shape: [...value.shape], data: Float32Array.from(await value.data()) };
    }
    file['4.num_batches_tracked'] = { dtype: 'i32', shape: [], data: Int32Array.of(1) };
    const lazy = lazyModel();
    tm.nn.loadPytorch(lazy, file);
    expect(lazy.layers.map((l) => l.constructor)).toEqual([tm.nn.Conv2d, tm.nn.ReLU, tm.nn.Flatten, tm.nn.Dense, tm.nn.BatchNorm1d]);
    await expectSameState(lazy, real);
    const x = random([2, 2, 5, 5]);
    await expectSame(lazy.eval().forward(x), real.eval().forward(x));

    // Refused after the layers were built from it (a BatchNorm bias of another size than its weight): all unbuilt again.
    const refused = lazyModel();
    expect(() => tm.nn.loadPytorch(refused, { ...file, '4.bias': { dtype: 'f32', shape: [4], data: new Float32Array(4) } })).toThrow(/^loadPytorch: 4\.bias is \[4\], 4\.bias needs \[3\] there/);
    expect(refused.layers.filter((l) => l instanceof tm.nn.LazyModule)).toHaveLength(3);
    expect(refused.parameters()).toEqual([]);
    // Nothing to size one by: named, and the others unbuilt again too.
    const noLinear = Object.fromEntries(Object.entries(file).filter(([name]) => !name.startsWith('3.')));
    const partial = lazyModel();
    expect(() => tm.nn.loadPytorch(partial, noLinear)).toThrow(/^loadPytorch: the state_dict has none of 3\.weight, 3\.bias, which would give layer 3 \(a LazyLinear\) its input size/);
    expect(partial.layers.filter((l) => l instanceof tm.nn.LazyModule)).toHaveLength(3);
  });

  it('fit with no optimizer builds the lazy layers by a dry run on the first batch (eval mode, no gradients), then trains as the real model', async () => {
    const seed = freshSeed();
    const [x, y] = [random([12, 2, 5, 5]), random([12, 3])];
    const options = { epochs: 2, batchSize: 4, shuffle: false, loss: 'mse', quiet: true } as const;
    const [lazy, real] = [lazyModel(seed), realModel(seed)];
    const [lazyHistory, realHistory] = [await lazy.fit(x, y, options), await real.fit(x, y, options)];
    // The same losses and state: the dry run moved no BatchNorm estimate and took no step.
    expectClose(lazyHistory.loss, realHistory.loss, 1e-6, 'losses');
    expect(lazy.layers.map((l) => l.constructor)).toEqual(real.layers.map((l) => l.constructor));
    await expectSameState(lazy, real);

    // A dataset's batch read for the dry run leaves its shuffle where it was: the epochs see the orders the real model's saw.
    const data = () => tm.data.fromTensors(x, y).shuffle(12, { seed }).batch(4);
    const [lazyData, realData] = [lazyModel(seed), realModel(seed)];
    const dataOptions = { epochs: 2, loss: 'mse', quiet: true } as const;
    const [fromLazy, fromReal] = [await lazyData.fit(data(), dataOptions), await realData.fit(data(), dataOptions)];
    expectClose(fromLazy.loss, fromReal.loss, 1e-6, 'dataset losses');
    await expectSameState(lazyData, realData);

    // Nor the global draws its maps make (augmentation): the first epoch's noise is the one the real model's saw.
    const noisy = () => tm.data.fromTensors(x, y).map((s) => ({ x: s.x.add(tm.randn(s.x.shape).mul(0.1)), y: s.y })).batch(4);
    const runNoisy = async (model: tm.nn.Sequential) => {
      tm.setSeed(11);
      return (await model.fit(noisy(), dataOptions)).loss;
    };
    expectClose(await runNoisy(lazyModel(seed)), await runNoisy(realModel(seed)), 1e-6, 'losses with augmentation');
  });
});

describe('lazy layers, refusals', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('refuse bad arguments when made, named for the lazy layer', () => {
    expect(() => new tm.nn.LazyLinear(0)).toThrow(/^LazyLinear: units must be a positive integer, got 0/);
    expect(() => new tm.nn.LazyLinear(3, { activaton: 'relu' } as tm.nn.DenseOptions)).toThrow(/^LazyLinear: unknown option "activaton"; the options are activation, bias, init, seed/);
    expect(() => new tm.nn.LazyConv2d(6, 3, { groups: 4 })).toThrow(/LazyConv2d: groups must divide outChannels 6 \(and the input's channels\), got 4/);
    expect(() => new tm.nn.LazyConv2d(6, 3, { groups: 0 })).toThrow(/LazyConv2d: groups must be a positive integer, got 0/);
    expect(() => new tm.nn.LazyConv1d(4, 3, { paddingMode: 'mirror' as 'zeros' })).toThrow(/LazyConv1d: unknown paddingMode "mirror"/);
    expect(() => new tm.nn.LazyConvTranspose3d(4, 0)).toThrow(/^LazyConvTranspose3d: kernelSize/);
    expect(() => new tm.nn.LazyBatchNorm1d({ momentum: 2 })).toThrow(/LazyBatchNorm1d: momentum must be a number in \[0, 1\], got 2/);
    expect(() => new tm.nn.LazyInstanceNorm2d({ epsilon: -1 })).toThrow(/LazyInstanceNorm2d: epsilon must be/);
  });

  it('refuse a first input they cannot read the input size from, and stay unbuilt', () => {
    const conv = new tm.nn.LazyConv2d(4, 3);
    expect(() => conv.forward(random([3, 6]))).toThrow(/^LazyConv2d: x must be \[batch, channels, height, width\] \(or one image \[channels, height, width\]\), got \[3,6\]/);
    expect(conv).toBeInstanceOf(tm.nn.LazyModule);
    const grouped = new tm.nn.LazyConv2d(6, 3, { groups: 3 });
    expect(() => grouped.forward(random([1, 4, 5, 5]))).toThrow(/^LazyConv2d: groups must be a positive integer dividing inChannels 4 and outChannels 6, got 3/);
    expect(grouped).toBeInstanceOf(tm.nn.LazyModule);
    expect(() => new tm.nn.LazyBatchNorm2d().forward(random([2, 3]))).toThrow(/^LazyBatchNorm2d: x \[2,3\] is not \[batch, features, height, width\]/);
    expect(() => new tm.nn.LazyInstanceNorm1d().forward(random([3, 4]))).toThrow(/^LazyInstanceNorm1d: x \[3,4\] is not \[batch, features, length\]/);
    expect(() => new tm.nn.LazyLinear(2).forward(tm.tensor(1))).toThrow(/LazyLinear: x must have a last axis/);
  });

  it('before the first input, what needs the parameters refuses by name, asking for a dry run', async () => {
    const dryRun = /has not seen an input yet.*run a forward on a batch first \(PyTorch's dry run\)/;
    const lazy = new tm.nn.LazyLinear(3);
    expect(() => lazy.config()).toThrow(/^LazyLinear: has not seen an input yet, so the Dense it becomes has no input size to describe/);
    const model = new tm.nn.Sequential([new tm.nn.Dense(4, 5), lazy]);
    expect(model.parameters()).toHaveLength(2);
    await expect(model.toBytes()).rejects.toThrow(/^save: layer 1 \(a LazyLinear\) has not seen an input yet/);
    await expect(model.weightsToBytes()).rejects.toThrow(/^saveWeights: layer 1 \(a LazyLinear\)/);
    await expect(lazy.weightsToBytes()).rejects.toThrow(/^saveWeights: this LazyLinear has not seen an input yet/);
    expect(() => model.summary()).toThrow(dryRun);
    expect(() => model.summary([4])).toThrow(/^summary: layer 1/);
    await expect(tm.onnx.toOnnx(model, { inputShape: [2, 4] })).rejects.toThrow(/^toOnnx: layer 1/);
    const optimizer = new tm.optim.SGD(model.parameters(), { lr: 0.1 });
    await expect(model.fit(random([6, 4]), random([6, 3]), { epochs: 1, quiet: true, optimizer })).rejects.toThrow(
      /^fit: layer 1 \(a LazyLinear\) has not seen an input yet.*, then make the optimizer: one made before holds none of its parameters/,
    );
    expect(() => tm.nn.quantizeDynamic(model)).toThrow(/^quantizeDynamic: layer 1/);
    expect(() => tm.nn.loadPytorch(model, {})).toThrow(/^loadPytorch: the state_dict has none of 1\.weight, 1\.bias, which would give layer 1 \(a LazyLinear\) its input size/);
    // Refusing did not build it: it builds on the first batch, after which all of these work.
    expect(lazy).toBeInstanceOf(tm.nn.LazyModule);
    model.forward(random([2, 4]));
    expect(model.parameters()).toHaveLength(4);
    expect(model.summary()).toContain('1  Dense');
  });
});

describe('lazy layers, what is set on one before its first input', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('once built, instanceof narrows each of the 13 to the class it becomes, its type too (tsc -p tsconfig.check.json checks this file)', () => {
    // Each narrowing below was `never` for 8 of these while the lazy classes had members of their own (a private
    // groups or ranks clashing with the real class's): reading a field after it did not compile.
    const linear = new tm.nn.LazyLinear(3);
    const conv1 = new tm.nn.LazyConv1d(4, 3);
    const conv2 = new tm.nn.LazyConv2d(4, 3);
    const conv3 = new tm.nn.LazyConv3d(4, 2);
    const transposed1 = new tm.nn.LazyConvTranspose1d(4, 3);
    const transposed2 = new tm.nn.LazyConvTranspose2d(4, 3);
    const transposed3 = new tm.nn.LazyConvTranspose3d(2, 2);
    const batch1 = new tm.nn.LazyBatchNorm1d();
    const batch2 = new tm.nn.LazyBatchNorm2d();
    const batch3 = new tm.nn.LazyBatchNorm3d();
    const instance1 = new tm.nn.LazyInstanceNorm1d();
    const instance2 = new tm.nn.LazyInstanceNorm2d();
    const instance3 = new tm.nn.LazyInstanceNorm3d();
    const inputs: [tm.nn.Module, number[]][] = [
      [linear, [2, 5]], [conv1, [1, 2, 5]], [conv2, [1, 2, 5, 5]], [conv3, [1, 2, 3, 3, 3]], [transposed1, [1, 2, 5]], [transposed2, [1, 2, 4, 4]],
      [transposed3, [1, 2, 2, 2, 2]], [batch1, [4, 2]], [batch2, [2, 2, 2, 2]], [batch3, [2, 2, 2, 2, 2]], [instance1, [2, 2, 4]], [instance2, [2, 2, 3, 3]],
      [instance3, [2, 2, 2, 2, 2]],
    ];
    for (const [layer, shape] of inputs) layer.forward(random(shape));
    const built = (what: string) => new Error(`${what} did not become the real layer`);
    if (!(linear instanceof tm.nn.Dense)) throw built('LazyLinear');
    if (!(conv1 instanceof tm.nn.Conv1d)) throw built('LazyConv1d');
    if (!(conv2 instanceof tm.nn.Conv2d)) throw built('LazyConv2d');
    if (!(conv3 instanceof tm.nn.Conv3d)) throw built('LazyConv3d');
    if (!(transposed1 instanceof tm.nn.ConvTranspose1d)) throw built('LazyConvTranspose1d');
    if (!(transposed2 instanceof tm.nn.ConvTranspose2d)) throw built('LazyConvTranspose2d');
    if (!(transposed3 instanceof tm.nn.ConvTranspose3d)) throw built('LazyConvTranspose3d');
    if (!(batch1 instanceof tm.nn.BatchNorm1d)) throw built('LazyBatchNorm1d');
    if (!(batch2 instanceof tm.nn.BatchNorm2d)) throw built('LazyBatchNorm2d');
    if (!(batch3 instanceof tm.nn.BatchNorm3d)) throw built('LazyBatchNorm3d');
    if (!(instance1 instanceof tm.nn.InstanceNorm1d)) throw built('LazyInstanceNorm1d');
    if (!(instance2 instanceof tm.nn.InstanceNorm2d)) throw built('LazyInstanceNorm2d');
    if (!(instance3 instanceof tm.nn.InstanceNorm3d)) throw built('LazyInstanceNorm3d');
    const weights: tm.Tensor[] = [linear.weight, conv1.weight, conv2.weight, conv3.weight, transposed1.weight, transposed2.weight, transposed3.weight];
    const sizes: number[] = [linear.inputs, conv1.inChannels, conv2.inChannels, conv3.inChannels, transposed1.inChannels, transposed2.inChannels, transposed3.inChannels];
    const features: number[] = [batch1.features, batch2.features, batch3.features, instance1.features, instance2.features, instance3.features];
    const norms: (tm.Tensor | null)[] = [batch1.runningMean, batch2.weight, batch3.bias, instance1.runningVar, instance2.weight, instance3.bias];
    expect(weights.map((w) => w.shape)).toEqual([[5, 3], [4, 2, 3], [4, 2, 3, 3], [4, 2, 2, 2, 2], [2, 4, 3], [2, 4, 3, 3], [2, 2, 2, 2, 2]]);
    expect(sizes).toEqual([5, 2, 2, 2, 2, 2, 2]);
    expect(features).toEqual([2, 2, 2, 2, 2, 2]);
    expect(norms.map((t) => t?.shape)).toEqual([[2], [2], [2], [2], [2], [2]]);
    // Unbuilt, the narrowing to the real class is the type too (a lazy layer declares nothing the real one lacks).
    const unbuilt = new tm.nn.LazyConv2d(4, 3);
    if (unbuilt instanceof tm.nn.Conv2d) expect.unreachable(`an unbuilt LazyConv2d is no Conv2d, but has groups ${unbuilt.groups}`);
  });

  it('refuses requiresGrad(false) before the build, on the layer or a model holding it (PyTorch refuses requires_grad_ on an uninitialized parameter)', () => {
    const lazy = new tm.nn.LazyLinear(3);
    expect(() => lazy.requiresGrad(false)).toThrow(/^requiresGrad\(false\): this LazyLinear has not seen an input yet.*\(PyTorch's dry run\), then freeze it/);
    const model = new tm.nn.Sequential([new tm.nn.Dense(4, 5), lazy]);
    expect(() => model.requiresGrad(false)).toThrow(/^requiresGrad\(false\): layer 1 \(a LazyLinear\)/);
    // Nothing was frozen, and requiresGrad(true), which the build gives anyway, is taken.
    expect(model.parameters().every((p) => p.requiresGrad)).toBe(true);
    model.requiresGrad(true);
    model.forward(random([2, 4]));
    model.requiresGrad(false);
    expect(model.parameters().map((p) => p.requiresGrad)).toEqual([false, false, false, false]);
  });

  it('keeps the fields a user set on it through the build, and through a refused load\'s unbuilding', () => {
    const lazy = new tm.nn.LazyLinear(3);
    (lazy as unknown as { tag: string }).tag = 'fc1';
    expect(() => lazy.loadStateDict({ weight: random([5, 4]), bias: random([3]) })).toThrow(/weight is \[5,4\] in the state and \[5,3\] in the module/);
    expect(lazy).toBeInstanceOf(tm.nn.LazyModule);
    expect(Object.keys(lazy)).toEqual(['training', 'tag']);
    lazy.forward(random([2, 5]));
    expect(lazy).toBeInstanceOf(tm.nn.Dense);
    expect((lazy as unknown as { tag: string }).tag).toBe('fc1');
    expect(Object.keys(lazy)).toEqual(expect.arrayContaining(['training', 'tag', 'weight', 'bias']));
    expect(Object.keys(lazy.stateDict())).toEqual(['weight', 'bias']);
  });

  it('copies its arguments\' arrays: one changed after the layer is made does not change the layer built', () => {
    const stride: [number, number] = [1, 1];
    const kernel: [number, number] = [3, 3];
    const conv = new tm.nn.LazyConv2d(2, kernel, { stride, padding: [1, 1] });
    stride[0] = 2;
    kernel[1] = 1;
    conv.forward(random([1, 1, 7, 7]));
    expect(conv.config()).toEqual(new tm.nn.Conv2d(1, 2, 3, { stride: [1, 1], padding: [1, 1] }).config());
  });

  it('a dispose() before the build sticks: later inputs and loads are refused as a disposed layer\'s', () => {
    const lazy = new tm.nn.LazyLinear(2);
    lazy.dispose();
    expect(() => lazy.forward(random([1, 3]))).toThrow(tm.DisposedTensorError);
    expect(() => lazy.forward(random([1, 3]))).toThrow(/^LazyLinear: this layer was disposed before an input built it/);
    expect(() => lazy.loadStateDict({ weight: random([3, 2]), bias: random([2]) })).toThrow(/^loadStateDict: this LazyLinear was disposed before an input built it/);
    expect(lazy).toBeInstanceOf(tm.nn.LazyModule);
    // A model's dispose reaches it too.
    const model = new tm.nn.Sequential([new tm.nn.LazyBatchNorm1d()]);
    model.dispose();
    expect(() => model.forward(random([2, 3]))).toThrow(tm.DisposedTensorError);
  });

  it('refuses a training checkpoint of an unbuilt model by name', async () => {
    const model = new tm.nn.Sequential([new tm.nn.Dense(4, 3), new tm.nn.LazyBatchNorm1d()]);
    await expect(tm.nn.trainingStateToBytes({ model })).rejects.toThrow(/^saveTrainingState: layer 1 \(a LazyBatchNorm1d\) has not seen an input yet/);
    model.forward(random([2, 4]));
    expect((await tm.nn.trainingStateToBytes({ model })).length).toBeGreaterThan(0);
  });

  it('the reparametrizations, the fusions and functionalCall refuse an unbuilt layer by name', async () => {
    const unbuilt = /has not seen an input yet, so its parameters do not exist: run a forward on a batch first/;
    expect(() => tm.nn.utils.weightNorm(new tm.nn.LazyLinear(3))).toThrow(/^weightNorm: this LazyLinear has not seen an input yet/);
    expect(() => tm.nn.utils.spectralNorm(new tm.nn.LazyConv2d(3, 3))).toThrow(/^spectralNorm: this LazyConv2d has not seen an input yet/);
    await expect(tm.nn.utils.prune.randomUnstructured(new tm.nn.LazyLinear(3), 'weight', { amount: 0.5 })).rejects.toThrow(/^prune\.randomUnstructured: this LazyLinear/);
    const bn = new tm.nn.BatchNorm2d(3);
    expect(() => tm.nn.utils.fuseConvBnEval(new tm.nn.LazyConv2d(3, 3) as unknown as tm.nn.Conv2d, bn)).toThrow(/^fuseConvBnEval: this LazyConv2d has not seen an input yet/);
    expect(() => tm.nn.utils.fuseConvBnEval(new tm.nn.Conv2d(2, 3, 3), new tm.nn.LazyBatchNorm2d() as unknown as tm.nn.BatchNorm2d)).toThrow(/^fuseConvBnEval: this LazyBatchNorm2d/);
    expect(() => tm.nn.utils.fuseLinearBnEval(new tm.nn.LazyLinear(3) as unknown as tm.nn.Dense, new tm.nn.BatchNorm1d(3))).toThrow(/^fuseLinearBnEval: this LazyLinear/);
    const model = new tm.nn.Sequential([new tm.nn.Dense(4, 3), new tm.nn.LazyLinear(2)]);
    expect(() => tm.nn.utils.functionalCall(model, { '0.weight': random([4, 3]) }, random([2, 4]))).toThrow(/^functionalCall: layer 1 \(a LazyLinear\)/);
    expect(() => tm.nn.utils.weightNorm(new tm.nn.LazyLinear(3))).toThrow(unbuilt);
  });

  it('quantizeDynamic refuses only an unbuilt layer of a kind it quantizes; another is copied unbuilt, and builds on its own', async () => {
    const withLinear = new tm.nn.Sequential([new tm.nn.Dense(4, 3), new tm.nn.LazyLinear(2)]);
    expect(() => tm.nn.quantizeDynamic(withLinear)).toThrow(/^quantizeDynamic: layer 1 \(a LazyLinear\) has not seen an input yet/);
    // Not asked to quantize Dense layers: the LazyLinear stays as it is.
    expect(tm.nn.quantizeDynamic(withLinear, { layers: ['LSTM'] }).layers[1]).toBeInstanceOf(tm.nn.LazyModule);
    const norm = new tm.nn.LazyBatchNorm1d();
    const model = new tm.nn.Sequential([new tm.nn.Dense(4, 3), norm]).eval();
    const quantized = tm.nn.quantizeDynamic(model);
    expect(quantized.layers[0]).toBeInstanceOf(tm.nn.QuantizedDense);
    expect(quantized.layers[1]).toBeInstanceOf(tm.nn.LazyModule);
    expect(quantized.forward(random([2, 4])).shape).toEqual([2, 3]);
    expect(quantized.layers[1]).toBeInstanceOf(tm.nn.BatchNorm1d);
    // The copy built its own: the model's stays unbuilt.
    expect(norm).toBeInstanceOf(tm.nn.LazyModule);
  });

  it('fit with an optimizer given refuses an unbuilt model (the optimizer holds none of its parameters); with none, a layer the dry run does not reach is refused', async () => {
    class Branches extends tm.nn.Module {
      used = new tm.nn.LazyLinear(2);
      unused = new tm.nn.LazyLinear(2);
      forward(x: tm.Tensor): tm.Tensor {
        return this.used.forward(x);
      }
      config(): tm.nn.LayerConfig {
        return { type: 'Branches' };
      }
    }
    const branches = new Branches();
    const model = new tm.nn.Sequential([branches]);
    await expect(model.fit(random([4, 3]), random([4, 2]), { epochs: 1, quiet: true, loss: 'mse' })).rejects.toThrow(
      /^fit: layer 0\.1 \(a LazyLinear\) has not seen an input yet.*; fit's own dry run, on its first batch in eval mode, did not reach it \(a branch that batch, or eval mode, does not take\): run one that does/,
    );
    expect(branches.used).toBeInstanceOf(tm.nn.Dense);
  });
});
