// tm.onnx.toOnnx: tmnn models written as ONNX files. Each model (random
// weights; BatchNorm with running estimates moved by a few training
// forwards) is exported, then run by tmnn's own importer and by
// onnxruntime-web's WebAssembly provider (the independent check), which must
// both compute what the model computes in eval mode, at two batch sizes where
// the batch is symbolic.
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose } from '../helpers/data.js';
import { collected } from '../helpers/gc.js';

const nn = tm.nn;

interface Case {
  name: string;
  build: () => tm.nn.Module;
  inputShape: (number | string)[];
  /** The concrete shapes run (the symbolic sizes filled in). */
  runs: number[][];
  opset?: number;
  /** Integer indices in [0, indices) rather than normal floats. */
  indices?: number;
  /** Train-mode forwards on random data before eval(), to move BatchNorm's running estimates. */
  warmup?: boolean;
  tol?: number;
}

const dense = (act?: tm.nn.ActivationName) => new nn.Dense(5, 4, act ? { activation: act } : {});

const ACTIVATION_LAYERS: [string, () => tm.nn.Module][] = [
  ['ReLU', () => new nn.ReLU()], ['Sigmoid', () => new nn.Sigmoid()], ['Tanh', () => new nn.Tanh()],
  ['GELU', () => new nn.GELU()], ['GELU tanh', () => new nn.GELU({ approximate: 'tanh' })],
  ['Softmax', () => new nn.Softmax(1)], ['LogSoftmax', () => new nn.LogSoftmax()], ['Softmin', () => new nn.Softmin()],
  ['LeakyReLU', () => new nn.LeakyReLU(0.2)], ['ELU', () => new nn.ELU(0.7)], ['SELU', () => new nn.SELU()], ['CELU', () => new nn.CELU(1.5)],
  ['SiLU', () => new nn.SiLU()], ['Softplus', () => new nn.Softplus()], ['Softplus beta', () => new nn.Softplus({ beta: 2 })],
  ['Softsign', () => new nn.Softsign()], ['Mish', () => new nn.Mish()], ['Hardswish', () => new nn.Hardswish()], ['Hardsigmoid', () => new nn.Hardsigmoid()],
  ['ReLU6', () => new nn.ReLU6()], ['Hardtanh', () => new nn.Hardtanh({ minVal: -0.5, maxVal: 0.8 })], ['PReLU', () => new nn.PReLU({ init: 0.3 })],
  ['LogSigmoid', () => new nn.LogSigmoid()], ['Tanhshrink', () => new nn.Tanhshrink()], ['Hardshrink', () => new nn.Hardshrink(0.3)],
  ['Softshrink', () => new nn.Softshrink(0.3)], ['Threshold', () => new nn.Threshold(0.1, -2)], ['RReLU', () => new nn.RReLU(0.1, 0.3)],
];

const DENSE_ACTIVATIONS: tm.nn.ActivationName[] = [
  'linear', 'relu', 'sigmoid', 'tanh', 'softmax', 'leakyRelu', 'gelu', 'silu', 'elu', 'selu', 'softplus', 'softsign', 'mish', 'hardswish', 'hardsigmoid', 'logSoftmax',
];

const CASES: Case[] = [
  {
    name: 'an MLP with dropout',
    build: () => new nn.Sequential([new nn.Dense(6, 8, { activation: 'relu' }), new nn.Dropout(0.5), new nn.Dense(8, 5), new nn.AlphaDropout(0.2), new nn.FeatureAlphaDropout(0.3), new nn.Dense(5, 3, { bias: false })]),
    inputShape: ['batch', 6], runs: [[3, 6], [1, 6]],
  },
  {
    name: "every Dense activation",
    build: () => new nn.Sequential(DENSE_ACTIVATIONS.map((a) => new nn.Sequential([new nn.Dense(5, 5, { activation: a })]))),
    inputShape: ['batch', 5], runs: [[4, 5], [2, 5]],
  },
  {
    name: 'the activation layers',
    build: () => new nn.Sequential(ACTIVATION_LAYERS.flatMap(([, make]) => [new nn.Dense(5, 5), make()])),
    inputShape: ['batch', 5], runs: [[4, 5], [1, 5]],
  },
  {
    name: 'the activations at opset 20 (Gelu) and 18 (Mish), ReduceMean with axes as an input (18)',
    build: () => new nn.Sequential([dense('gelu'), new nn.GELU(), new nn.Mish(), new nn.RMSNorm(4), new nn.Dense(4, 3, { activation: 'mish' })]),
    inputShape: ['batch', 5], runs: [[3, 5]], opset: 20,
  },
  {
    name: 'a Dense over a sequence (MatMul) with LayerNorm',
    build: () => new nn.Sequential([new nn.Dense(6, 5, { activation: 'tanh' }), new nn.LayerNorm(5), new nn.Dense(5, 4)]),
    inputShape: ['batch', 3, 6], runs: [[2, 3, 6], [1, 3, 6]],
  },
  {
    name: 'LayerNorm decomposed (opset 13)',
    build: () => new nn.Sequential([new nn.LayerNorm(6, { epsilon: 1e-3 }), new nn.Dense(6, 4)]),
    inputShape: ['batch', 2, 6], runs: [[2, 2, 6]], opset: 13,
  },
  {
    name: 'a CNN with BatchNorm2d, pools and Flatten',
    build: () => new nn.Sequential([
      new nn.Conv2d(3, 4, 3, { padding: 1 }), new nn.BatchNorm2d(4), new nn.ReLU(), new nn.MaxPool2d(2),
      new nn.Conv2d(4, 6, 3, { padding: 'same', dilation: 2, groups: 2 }), new nn.PReLU({ numParameters: 6 }), new nn.Dropout2d(0.3),
      new nn.AvgPool2d(3, { stride: 2, padding: 1, countIncludePad: false }), new nn.Conv2d(6, 4, [2, 3], { stride: [1, 1], bias: false, paddingMode: 'reflect', padding: [1, 1] }),
      new nn.MaxPool2d(2, { ceilMode: true }), new nn.Flatten(), new nn.Dense(8, 3),
    ]),
    inputShape: ['batch', 3, 9, 9], runs: [[2, 3, 9, 9], [1, 3, 9, 9]], warmup: true,
  },
  {
    name: 'a CNN whose image size is symbolic too',
    build: () => new nn.Sequential([new nn.Conv2d(2, 4, 3, { stride: 2, padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Upsample({ scaleFactor: 2 }), new nn.AdaptiveAvgPool2d(1), new nn.Flatten(), new nn.Dense(4, 2)]),
    inputShape: ['batch', 2, 'height', 'width'], runs: [[2, 2, 9, 12], [1, 2, 16, 7]],
  },
  {
    name: 'a 1-D CNN with BatchNorm1d, InstanceNorm1d and a global pool',
    build: () => new nn.Sequential([
      new nn.Conv1d(2, 4, 3, { stride: 2, paddingMode: 'replicate', padding: 2 }), new nn.BatchNorm1d(4), new nn.MaxPool1d(3, { stride: 1, padding: 1, dilation: 2 }),
      new nn.InstanceNorm1d(4, { affine: true }), new nn.AvgPool1d(2, { ceilMode: true }), new nn.Conv1d(4, 4, 2, { groups: 4, padding: 'same' }),
      new nn.AdaptiveMaxPool1d(1), new nn.Flatten(), new nn.BatchNorm1d(4), new nn.Dense(4, 2),
    ]),
    inputShape: ['batch', 2, 13], runs: [[3, 2, 13], [2, 2, 13]], warmup: true,
  },
  {
    name: 'ceilMode pools whose last window would start in the padding',
    build: () => new nn.Sequential([new nn.AvgPool1d(3, { stride: 2, padding: 1, ceilMode: true }), new nn.MaxPool1d(3, { stride: 2, padding: 1, ceilMode: true }), new nn.MaxPool1d(2, { stride: 2, padding: 1, ceilMode: true }), new nn.Unflatten(1, [1, 2]), new nn.AvgPool2d(2, { stride: 2, padding: 1, ceilMode: true })]),
    inputShape: ['batch', 2, 14], runs: [[2, 2, 14]],
  },
  {
    name: 'a 3-D CNN',
    build: () => new nn.Sequential([
      new nn.Conv3d(2, 3, 3, { padding: 1 }), new nn.BatchNorm3d(3), new nn.MaxPool3d(2), new nn.ConvTranspose3d(3, 2, 2, { stride: 2 }),
      new nn.InstanceNorm3d(2, { trackRunningStats: true }), new nn.AvgPool3d(2, { stride: 1 }), new nn.AdaptiveAvgPool3d(1), new nn.Flatten(),
    ]),
    inputShape: ['batch', 2, 4, 4, 4], runs: [[2, 2, 4, 4, 4]], warmup: true,
  },
  {
    name: 'transposed convolutions, PixelShuffle, GroupNorm and InstanceNorm2d',
    build: () => new nn.Sequential([
      new nn.ConvTranspose2d(3, 8, 3, { stride: 2, padding: 1, outputPadding: 1, groups: 1 }), new nn.GroupNorm(2, 8), new nn.PixelShuffle(2),
      new nn.InstanceNorm2d(2), new nn.Conv2d(2, 4, 1), new nn.GroupNorm(4, 4, { affine: false }), new nn.Softmax2d(), new nn.AdaptiveAvgPool2d(1),
    ]),
    inputShape: ['batch', 3, 3, 4], runs: [[2, 3, 3, 4], [1, 3, 3, 4]],
  },
  {
    name: 'ConvTranspose1d with dilation and groups',
    build: () => new nn.Sequential([new nn.ConvTranspose1d(4, 6, 3, { stride: 3, dilation: 2, groups: 2, padding: 1 }), new nn.GroupNorm(3, 6, { epsilon: 1e-3 })]),
    inputShape: ['batch', 4, 5], runs: [[2, 4, 5]],
  },
  {
    name: 'LocalResponseNorm, RMSNorm, ChannelShuffle, PixelUnshuffle and adaptive pools to more than 1',
    build: () => new nn.Sequential([
      new nn.LocalResponseNorm(3, { alpha: 0.1, beta: 0.6, k: 1.5 }), new nn.LocalResponseNorm(2), new nn.ChannelShuffle(2), new nn.PixelUnshuffle(2), new nn.AdaptiveAvgPool2d([2, 3]),
      new nn.RMSNorm([2, 3]), new nn.Flatten(), new nn.Unflatten(1, [24, 4]), new nn.AdaptiveMaxPool1d(1), new nn.Flatten(), new nn.Unflatten(1, [2, 12]),
      new nn.AdaptiveMaxPool1d(4), new nn.RMSNorm(4, { epsilon: 1e-3, elementwiseAffine: false }), new nn.GLU(1),
    ]),
    inputShape: ['batch', 4, 8, 12], runs: [[2, 4, 8, 12], [1, 4, 8, 12]],
  },
  {
    name: 'Upsample in each mode',
    build: () => new nn.Sequential([
      new nn.Upsample({ scaleFactor: 2 }), new nn.Upsample({ size: [5, 7], mode: 'bilinear' }), new nn.Upsample({ scaleFactor: [1.5, 2], mode: 'bicubic' }),
      new nn.Upsample({ size: 9, mode: 'bilinear', alignCorners: true }), new nn.Upsample({ size: [4, 6], mode: 'nearest-exact' }),
      new nn.UpsamplingNearest2d({ scaleFactor: 2 }), new nn.UpsamplingBilinear2d({ size: [11, 13] }), new nn.UpsamplingBilinear2d({ scaleFactor: [0.5, 1.3] }),
    ]),
    inputShape: ['batch', 2, 3, 3], runs: [[2, 2, 3, 3], [1, 2, 3, 3]],
  },
  {
    name: 'Upsample of volumes, with RReLU and FeatureAlphaDropout',
    build: () => new nn.Sequential([
      new nn.Upsample({ scaleFactor: [2, 1.5, 1], mode: 'trilinear' }), new nn.RReLU(0.1, 0.3), new nn.FeatureAlphaDropout(0.2), new nn.Upsample({ size: [5, 4, 7], mode: 'trilinear', alignCorners: true }),
      new nn.Upsample({ scaleFactor: [1, 2, 0.5] }), new nn.Upsample({ size: [3, 9, 4], mode: 'nearest-exact' }),
    ]),
    inputShape: ['batch', 2, 2, 3, 4], runs: [[2, 2, 2, 3, 4], [1, 2, 2, 3, 4]],
  },
  {
    name: 'Upsample of sequences',
    build: () => new nn.Sequential([new nn.Upsample({ scaleFactor: 3, mode: 'linear' }), new nn.Upsample({ size: 5 })]),
    inputShape: ['batch', 2, 4], runs: [[2, 2, 4]],
  },
  {
    name: 'reshaping layers and the padding layers',
    build: () => new nn.Sequential([
      new nn.Unflatten(1, [2, -1]), new nn.Permute([2, 1]), new nn.Identity(), new nn.ZeroPad1d([1, 2]), new nn.ConstantPad1d(1, 0.5),
      new nn.ReflectionPad1d([2, 1]), new nn.ReplicationPad1d(2), new nn.Unflatten(-1, [2, 7]), new nn.ZeroPad2d([1, 0, 2, 1]),
      new nn.ReflectionPad2d(1), new nn.ReplicationPad2d([0, 1, 1, 0]), new nn.ConstantPad2d([1, 1, 0, 0], -1), new nn.Unflatten(1, [2, 3]),
      new nn.ZeroPad3d(1), new nn.ReplicationPad3d([1, 0, 0, 1, 1, 0]), new nn.ConstantPad3d([0, 0, 1, 1, 0, 0], 2), new nn.ReflectionPad3d(1), new nn.Flatten(),
    ]),
    inputShape: ['batch', 12], runs: [[2, 12], [1, 12]],
  },
  {
    name: 'circular padding (opset 19)',
    build: () => new nn.Sequential([new nn.CircularPad1d([1, 2]), new nn.Conv1d(2, 2, 3, { padding: 1, paddingMode: 'circular' }), new nn.Unflatten(1, [1, 2]), new nn.CircularPad2d([1, 1, 1, 0])]),
    inputShape: ['batch', 2, 5], runs: [[2, 2, 5]], opset: 19,
  },
  {
    name: 'an Embedding before a Conv1d',
    build: () => new nn.Sequential([new nn.Embedding(10, 4, { paddingIdx: 0 }), new nn.Permute([2, 1]), new nn.Conv1d(4, 3, 2), new nn.Flatten(), new nn.Dense(15, 2)]),
    inputShape: ['batch', 6], runs: [[3, 6], [1, 6]], indices: 10,
  },
  {
    name: 'transformer encoder layers (post-norm, pre-norm causal) and self-attention',
    build: () => new nn.Sequential([
      new nn.Dense(6, 8), new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 12 }),
      new nn.TransformerEncoderLayer(8, 4, { dimFeedforward: 10, normFirst: true, causal: true, activation: 'gelu', bias: false }),
      new nn.MultiheadAttention(8, 2, { causal: true }), new nn.MultiheadAttention(8, 1),
    ]),
    inputShape: ['batch', 5, 6], runs: [[2, 5, 6], [1, 5, 6]],
  },
  {
    name: 'a causal pre-norm TransformerEncoder over a symbolic length',
    build: () => new nn.Sequential([new nn.TransformerEncoder({ dModel: 4, nHead: 2, dimFeedforward: 6, causal: true, dropout: 0, normFirst: true }, 2, { norm: true })]),
    inputShape: ['batch', 'time', 4], runs: [[2, 5, 4], [1, 3, 4]],
  },
  {
    name: 'a fixed batch size and a lone layer',
    build: () => new nn.Conv2d(2, 3, 3, { stride: 2 }),
    inputShape: [2, 2, 7, 6], runs: [[2, 2, 7, 6]],
  },
  {
    name: 'nothing but dropout',
    build: () => new nn.Sequential([new nn.Dropout(0.5)]),
    inputShape: ['n', 3], runs: [[2, 3]],
  },
];

/** Every parameter drawn afresh (the defaults leave biases 0 and norms' weights 1), seeded by its position. */
function randomize(model: tm.nn.Module, seed: number): void {
  tm.noGrad(() => {
    Object.values(model.namedParameters()).forEach((p, i) => {
      const fresh = tm.tidy(() => tm.randn(p.shape, { seed: seed + i }).mul(0.5).add(p.shape.length === 1 ? 0.2 : 0));
      p.assign(fresh);
      fresh.dispose();
    });
  });
}

function input(c: Case, shape: number[], seed: number): tm.Tensor {
  return c.indices ? tm.randint(0, c.indices, shape, { seed }) : tm.randn(shape, { seed });
}

async function ortRun(bytes: Uint8Array, x: tm.Tensor, shape: number[], indices: boolean): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  try {
    const data = await x.data();
    const feed = indices ? new ort.Tensor('int64', BigInt64Array.from(Array.from(data, (v) => BigInt(v))), shape) : new ort.Tensor('float32', Float32Array.from(data), shape);
    const out = await session.run({ x: feed });
    return (await out.y.getData()) as Float32Array;
  } finally {
    await session.release();
  }
}

describe.each(BACKENDS)('tm.onnx.toOnnx on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s: tmnn and onnxruntime compute the model from its export', async (_, c) => {
    const model = c.build();
    randomize(model, 11);
    if (c.warmup) {
      for (let step = 0; step < 3; step++) tm.noGrad(() => tm.tidy(() => void model.forward(input(c, c.runs[0], 100 + step).mul(1.5).add(0.3))));
    }
    model.eval();
    const state = Object.fromEntries(await Promise.all(Object.entries(model.namedState()).map(async ([k, t]) => [k, Array.from(await t.data())] as const)));
    const bytes = await tm.onnx.toOnnx(model, { inputShape: c.inputShape, opset: c.opset });
    // The model is as it was: same parameters and buffers, and eval mode kept.
    for (const [k, t] of Object.entries(model.namedState())) expect(Array.from(await t.data()), k).toEqual(state[k]);
    const imported = tm.onnx.fromBytes(bytes);
    // Every parameter and buffer is an initializer named by its path.
    const initializers = Object.keys(imported.namedParameters());
    for (const k of Object.keys(state)) expect(initializers, k).toContain(k);
    const tol = c.tol ?? 1e-5;
    for (const [i, shape] of c.runs.entries()) {
      const x = input(c, shape, 7 + i);
      const want = tm.noGrad(() => model.forward(x));
      const got = imported.run({ x }).y;
      expect(got.shape, 'tmnn shape').toEqual(want.shape);
      const wanted = await want.data();
      expectClose(await got.data(), wanted, tol, `${c.name} ${shape}: tmnn`);
      expectClose(await ortRun(bytes, x, shape, !!c.indices), wanted, tol, `${c.name} ${shape}: onnxruntime`);
      for (const t of [x, want, got]) t.dispose();
    }
    imported.dispose();
    model.dispose();
  });

  it('names parameters and buffers by their paths', async () => {
    const model = new nn.Sequential([new nn.Dense(3, 4), new nn.Sequential([new nn.BatchNorm1d(4), new nn.ReLU()])]);
    const held = await collected(); // earlier tests' garbage collected first, so that no finalizer frees it at an await below
    const bytes = await tm.onnx.toOnnx(model, { inputShape: ['batch', 3], inputName: 'features', outputName: 'scores' });
    // The trace's samples and activations are all freed.
    expect(tm.memory().numTensors).toBe(held);
    const imported = tm.onnx.fromBytes(bytes);
    // Exported in eval semantics, the model's own mode left as it was.
    expect(model.modules().map((m) => m.training)).toEqual([true, true, true, true, true]);
    expect(Object.keys(imported.namedParameters()).sort()).toEqual(['0.bias', '0.weight', '1.0.bias', '1.0.runningMean', '1.0.runningVar', '1.0.weight']);
    expect(imported.inputs.map((i) => i.name)).toEqual(['features']);
    expect(imported.outputs.map((o) => o.name)).toEqual(['scores']);
    expect(imported.inputs[0].shape).toEqual(['batch', 3]);
    expect(imported.outputs[0].shape).toEqual(['batch', 4]);
    imported.dispose();
    model.dispose();
  });

  it('writes a layer used twice once, under its first path', async () => {
    const shared = new nn.Dense(4, 4, { activation: 'tanh' });
    const model = new nn.Sequential([shared, new nn.ReLU(), shared]);
    randomize(model, 5);
    const imported = tm.onnx.fromBytes(await tm.onnx.toOnnx(model, { inputShape: ['batch', 4] }));
    expect(Object.keys(imported.namedParameters()).sort()).toEqual(['0.bias', '0.weight']);
    const x = tm.randn([3, 4], { seed: 2 });
    expectClose(await imported.forward(x).data(), await tm.noGrad(() => model.forward(x)).data(), 1e-5, 'shared');
    imported.dispose();
    model.dispose();
  });

  it('refuses a layer with no ONNX form, naming its path and type', async () => {
    const refusals: [tm.nn.Module, (number | string)[], RegExp, number?][] = [
      [new nn.Sequential([new nn.Dense(3, 3), new nn.Sequential([new nn.ReLU(), new nn.LSTMCell(3, 2)])]), ['b', 3], /layer 1\.1 \(LSTMCell\) has no ONNX export in tmnn yet/],
      [new nn.Sequential([new nn.Conv2d(1, 2, 3), new nn.AdaptiveAvgPool2d(3)]), ['b', 1, 6, 6], /layer 1 \(AdaptiveAvgPool2d\) has outputSize \[3,3\], which ONNX's pools give only/],
      [new nn.Sequential([new nn.AdaptiveAvgPool1d(2)]), ['b', 1, 'length'], /layer 0 \(AdaptiveAvgPool1d\) has outputSize 2, .*\(x is \[\?, 1, \?\]\)/],
      [new nn.Sequential([new nn.BatchNorm1d(3, { trackRunningStats: false })]), ['b', 3], /layer 0 \(BatchNorm1d\) normalises by each batch/],
      [new nn.Sequential([new nn.CircularPad1d(1)]), ['b', 2, 4], /layer 0 \(CircularPad1d\) needs opset 19/],
      [new nn.Sequential([new nn.Dense(3, 4), new nn.Embedding(5, 2)]), ['b', 3], /layer 1 \(Embedding\) must be the model's first layer/],
      [new nn.Sequential([new nn.MaxPool1d(2, { stride: 2, padding: 1, ceilMode: true })]), ['b', 2, 'length'], /layer 0 \(MaxPool1d\) has ceilMode with padding/],
      [new nn.Sequential([new (class Scaled extends nn.Dense { override forward(x: tm.Tensor) { return super.forward(x).mul(2); } })(3, 2)]), ['b', 3], /layer 0 \(Scaled\) has no ONNX export/],
      [new nn.RNNCell(3, 2), ['b', 3], /the model \(RNNCell\) has no ONNX export in tmnn yet/],
      [new nn.Dense(3, 2), ['b', 3], /opset must be an integer from 13/, 11],
    ];
    const dense = new nn.Dense(3, 2);
    await expect(tm.onnx.toOnnx(dense, { inputShape: ['b', 3], opSet: 18 } as tm.onnx.ToOnnxOptions)).rejects.toThrow(/toOnnx: unknown option "opSet"/);
    await expect(tm.onnx.toOnnx(dense, { inputShape: ['b', 0] })).rejects.toThrow(/inputShape must list positive sizes/);
    dense.dispose();
    for (const [model, inputShape, message, opset] of refusals) {
      await expect(tm.onnx.toOnnx(model, { inputShape, opset })).rejects.toThrow(message);
      model.dispose();
    }
  });

  it('saveOnnx writes the bytes toOnnx gives, atomically', async () => {
    const model = new nn.Sequential([new nn.Dense(4, 3, { activation: 'relu' })]);
    const dir = mkdtempSync(join(tmpdir(), 'tmnn-onnx-export-'));
    const path = join(dir, 'model.onnx');
    await tm.onnx.saveOnnx(model, path, { inputShape: ['batch', 4] });
    expect(new Uint8Array(readFileSync(path))).toEqual(await tm.onnx.toOnnx(model, { inputShape: ['batch', 4] }));
    // Nothing left beside it (no temporary file); a failed export leaves no file.
    expect(readdirSync(dir)).toEqual(['model.onnx']);
    await expect(tm.onnx.saveOnnx(new nn.LSTMCell(3, 2), join(dir, 'bad.onnx'), { inputShape: [1, 3] })).rejects.toThrow(/LSTMCell/);
    expect(existsSync(join(dir, 'bad.onnx'))).toBe(false);
    model.dispose();
  });
});
