// tm.nn.loadPytorch against real PyTorch exports: small models built in
// PyTorch 1.13 (scripts/make-pytorch-fixtures.py), each state_dict saved as
// safetensors beside fixed inputs and PyTorch's eval-mode outputs for them
// (test/fixtures/pytorch/NAME.safetensors and NAME.npz). Each case builds the
// same architecture in tmnn, loads the state_dict and must give PyTorch's
// outputs: every tensor landed under the right name, in the right layout,
// and the layer computes what PyTorch's does with it (the biases and norm
// weights were moved off their initial 0 and 1, the running statistics and
// spectral_norm's u and v are PyTorch's own after training steps, and
// orthogonal's parameters moved off their initial −I by Adam).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose } from '../helpers/data.js';
import { collected } from '../helpers/gc.js';

const fixture = (file: string) => new Uint8Array(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'pytorch', file)));

type Tensors = Record<string, tm.Tensor>;

interface ExportCase {
  /** The tmnn model of the PyTorch model's architecture (the script's case of the same name). */
  model: () => tm.nn.Module;
  /** The fixture's arrays the case reads; every other array is one of PyTorch's outputs, which `run` must give. */
  inputs: string[];
  /** tmnn's outputs for the fixture's inputs, by the names the script gave PyTorch's. */
  run: (model: tm.nn.Module, io: Tensors) => Tensors;
}

const { nn } = tm;
const sequence = (model: tm.nn.Module, io: Tensors): Tensors => ({ y: model.forward(io.x) });

/** PyTorch's recurrent layer (batch_first=True, as tmnn's): run from the state given and from zeros. */
const recurrent = (make: () => tm.nn.LSTM | tm.nn.GRU | tm.nn.RNN, cell: boolean): ExportCase => ({
  model: make,
  inputs: cell ? ['x', 'h0', 'c0'] : ['x', 'h0'],
  run: (model, { x, h0, c0 }) => {
    const layer = model as tm.nn.LSTM | tm.nn.GRU | tm.nn.RNN;
    const { output, state } = layer.run(x, cell ? { h: h0, c: c0 } : { h: h0 });
    return { y: output, y_from_zeros: layer.run(x).output, h: state.h, ...(cell ? { c: state.c! } : {}) };
  },
});

/** PyTorch's MultiheadAttention(8, 2, batch_first=True, bias=bias): over other keys and values with a padding mask (every head's weights), and causal self-attention. */
const attention = (bias: boolean): ExportCase => ({
  model: () => new nn.MultiheadAttention(8, 2, { bias }),
  inputs: ['query', 'key', 'value', 'key_padding_mask'],
  run: (model, { query, key, value, key_padding_mask }) => {
    const layer = model as tm.nn.MultiheadAttention;
    const { output, weights } = layer.attend(query, key, value, { keyPaddingMask: key_padding_mask });
    return { y: output, weights, y_causal: layer.attend(query, query, query, { causal: true }).output };
  },
});

const CASES: Record<string, ExportCase> = {
  mlp: {
    model: () => new nn.Sequential([
      new nn.Dense(5, 8), new nn.BatchNorm1d(8), new nn.ReLU(), new nn.Dense(8, 8), new nn.PReLU({ numParameters: 8 }),
      new nn.Sequential([new nn.Dense(8, 6), new nn.GELU()]), new nn.Dense(6, 6), new nn.SiLU(), new nn.Dense(6, 6), new nn.Tanh(),
      new nn.Dense(6, 4, { bias: false }), new nn.LeakyReLU(0.2), new nn.Dense(4, 3), new nn.LogSoftmax(-1),
    ]),
    inputs: ['x'],
    run: sequence,
  },
  conv1d: {
    model: () => new nn.Sequential([
      new nn.Conv1d(3, 6, 3, { padding: 1 }), new nn.BatchNorm1d(6), new nn.ReLU(),
      new nn.Conv1d(6, 6, 5, { stride: 2, padding: 2, groups: 3, paddingMode: 'reflect' }), new nn.GroupNorm(3, 6), new nn.SiLU(),
      new nn.Conv1d(6, 4, 3, { dilation: 2, padding: 2, paddingMode: 'circular' }), new nn.InstanceNorm1d(4, { affine: true }), new nn.MaxPool1d(2),
      new nn.ConvTranspose1d(4, 4, 4, { stride: 2, padding: 1, groups: 2 }), new nn.Conv1d(4, 2, 3, { padding: 'same', bias: false }),
    ]),
    inputs: ['x'],
    run: sequence,
  },
  conv2d: {
    model: () => new nn.Sequential([
      new nn.Conv2d(3, 8, 3, { padding: 1 }), new nn.BatchNorm2d(8), new nn.ReLU(),
      new nn.Conv2d(8, 8, [3, 2], { stride: [2, 1], padding: [1, 0], groups: 4, paddingMode: 'replicate' }), new nn.GroupNorm(4, 8, { epsilon: 1e-3 }),
      new nn.MaxPool2d(2),
      new nn.ConvTranspose2d(8, 4, 3, { stride: 2, padding: 1, outputPadding: 1 }), new nn.InstanceNorm2d(4, { affine: true, trackRunningStats: true }),
      new nn.Hardswish(), new nn.Conv2d(4, 4, 3, { padding: 'same', dilation: 2 }), new nn.AdaptiveAvgPool2d(1), new nn.Flatten(), new nn.Dense(4, 3),
    ]),
    inputs: ['x'],
    run: sequence,
  },
  conv3d: {
    model: () => new nn.Sequential([
      new nn.Conv3d(2, 4, 3, { padding: 1 }), new nn.BatchNorm3d(4), new nn.ReLU(),
      new nn.Conv3d(4, 4, [2, 3, 1], { stride: [1, 2, 1], padding: [1, 1, 0], groups: 2, paddingMode: 'replicate' }),
      new nn.InstanceNorm3d(4, { affine: true, trackRunningStats: true }), new nn.MaxPool3d([2, 2, 1]), new nn.Dropout3d(0.3),
      new nn.Conv3d(4, 3, 3, { padding: 'same', dilation: [1, 2, 1], bias: false }), new nn.AvgPool3d(2, { stride: 1, padding: 1, countIncludePad: false }),
      new nn.ConstantPad3d([1, 0, 0, 1, 1, 0], 0.5),
      new nn.ConvTranspose3d(3, 2, [2, 3, 2], { stride: [2, 1, 2], padding: [0, 1, 1], outputPadding: [1, 0, 1] }),
    ]),
    inputs: ['x'],
    run: sequence,
  },
  conv_transpose1d: {
    model: () => new nn.Sequential([
      new nn.ConvTranspose1d(4, 6, 3, { stride: 2, padding: 1, outputPadding: 1, groups: 2 }), new nn.BatchNorm1d(6, { epsilon: 1e-3 }),
      new nn.InstanceNorm1d(6, { affine: true, trackRunningStats: true }), new nn.BatchNorm1d(6, { affine: false }), new nn.GroupNorm(2, 6, { affine: false }),
      new nn.BatchNorm1d(6, { trackRunningStats: false }), new nn.ConvTranspose1d(6, 3, 2, { dilation: 2, bias: false }),
    ]),
    inputs: ['x'],
    run: sequence,
  },
  embedding: {
    model: () => new nn.Sequential([new nn.Embedding(11, 6, { paddingIdx: 0 }), new nn.LayerNorm(6, { epsilon: 1e-3 }), new nn.Dense(6, 4)]),
    inputs: ['x'],
    run: sequence,
  },
  bilinear: {
    model: () => new nn.Bilinear(4, 5, 3),
    inputs: ['x1', 'x2'],
    run: (model, { x1, x2 }) => ({ y: (model as tm.nn.Bilinear).forward(x1, x2) }),
  },
  adaptive_softmax: {
    model: () => new nn.AdaptiveLogSoftmaxWithLoss(8, 20, [4, 11], { divValue: 2, headBias: true }),
    inputs: ['x', 'target'],
    run: (model, { x, target }) => {
      const layer = model as tm.nn.AdaptiveLogSoftmaxWithLoss;
      const { output, loss } = layer.withLoss(x, target);
      return { output, loss, log_prob: layer.logProb(x), predict: layer.predict(x) };
    },
  },
  lstm: recurrent(() => new nn.LSTM(5, 4, { numLayers: 2, bidirectional: true }), true),
  gru: recurrent(() => new nn.GRU(5, 4, { numLayers: 2, bidirectional: true }), false),
  rnn: recurrent(() => new nn.RNN(5, 4, { numLayers: 2, bidirectional: true, nonlinearity: 'relu' }), false),
  lstm_no_bias: recurrent(() => new nn.LSTM(5, 4, { bias: false }), true),
  lstm_cell: {
    model: () => new nn.LSTMCell(5, 4),
    inputs: ['x', 'h0', 'c0'],
    run: (model, { x, h0, c0 }) => {
      const cell = model as tm.nn.LSTMCell;
      const given = cell.step(x, { h: h0, c: c0 });
      const fromZeros = cell.step(x);
      return { h: given.h, c: given.c, h_from_zeros: fromZeros.h, c_from_zeros: fromZeros.c };
    },
  },
  gru_cell: {
    model: () => new nn.GRUCell(5, 4),
    inputs: ['x', 'h0'],
    run: (model, { x, h0 }) => ({ h: (model as tm.nn.GRUCell).forward(x, h0), h_from_zeros: model.forward(x) }),
  },
  rnn_cell: {
    model: () => new nn.RNNCell(5, 4, { bias: false }),
    inputs: ['x', 'h0'],
    run: (model, { x, h0 }) => ({ h: (model as tm.nn.RNNCell).forward(x, h0), h_from_zeros: model.forward(x) }),
  },
  attention: attention(true),
  attention_no_bias: attention(false),
  encoder_layer: {
    model: () => new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16 }),
    inputs: ['x', 'key_padding_mask'],
    run: (model, { x, key_padding_mask }) => {
      const layer = model as tm.nn.TransformerEncoderLayer;
      return { y: layer.forward(x), y_masked: layer.forward(x, { keyPaddingMask: key_padding_mask }) };
    },
  },
  encoder_layer_norm_first: {
    model: () => new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, activation: 'gelu', layerNormEps: 1e-4, normFirst: true, causal: true }),
    inputs: ['x'],
    run: (model, { x }) => ({ y_causal: model.forward(x) }),
  },
  decoder_layer: {
    model: () => new nn.TransformerDecoderLayer(8, 2, { dimFeedforward: 16 }),
    inputs: ['tgt', 'memory', 'tgt_key_padding_mask', 'memory_key_padding_mask'],
    run: (model, { tgt, memory, tgt_key_padding_mask, memory_key_padding_mask }) => {
      const layer = model as tm.nn.TransformerDecoderLayer;
      return {
        y: layer.forward(tgt, memory),
        y_masked: layer.forward(tgt, memory, { tgtKeyPaddingMask: tgt_key_padding_mask, memoryKeyPaddingMask: memory_key_padding_mask }),
      };
    },
  },
  encoder: {
    model: () => new nn.TransformerEncoder({ dModel: 8, nHead: 2, dimFeedforward: 16 }, 2, { norm: true }),
    inputs: ['x', 'key_padding_mask'],
    run: (model, { x, key_padding_mask }) => {
      const encoder = model as tm.nn.TransformerEncoder;
      return { y: encoder.forward(x), y_masked: encoder.forward(x, { keyPaddingMask: key_padding_mask }) };
    },
  },
  decoder: {
    model: () => new nn.TransformerDecoder({ dModel: 8, nHead: 2, dimFeedforward: 16, activation: 'gelu', normFirst: true, causal: true }, 2, { norm: true }),
    inputs: ['tgt', 'memory', 'memory_key_padding_mask'],
    run: (model, { tgt, memory, memory_key_padding_mask }) => ({
      y_causal: (model as tm.nn.TransformerDecoder).forward(tgt, memory, { memoryKeyPaddingMask: memory_key_padding_mask }),
    }),
  },
  transformer: {
    model: () => new nn.Transformer(8, 2, { numEncoderLayers: 2, numDecoderLayers: 1, dimFeedforward: 16, causal: true }),
    inputs: ['src', 'tgt', 'src_key_padding_mask'],
    run: (model, { src, tgt, src_key_padding_mask }) => ({
      y_causal: (model as tm.nn.Transformer).forward(src, tgt, { srcKeyPaddingMask: src_key_padding_mask, memoryKeyPaddingMask: src_key_padding_mask }),
    }),
  },
  weight_norm: {
    // PyTorch's weight_norm keeps dim 0 of any weight, a ConvTranspose's input channels: tmnn's default there is the output axis, 1.
    model: () => new nn.Sequential([
      nn.utils.weightNorm(new nn.Conv1d(3, 4, 3)), new nn.ReLU(), nn.utils.weightNorm(new nn.ConvTranspose1d(4, 2, 3), { dim: 0 }), new nn.Flatten(),
      nn.utils.weightNorm(new nn.Dense(14, 5)), new nn.Tanh(), nn.utils.weightNorm(new nn.Dense(5, 3), { dim: null }),
    ]),
    inputs: ['x'],
    run: sequence,
  },
  spectral_norm: {
    model: () => new nn.Sequential([
      nn.utils.spectralNorm(new nn.Conv1d(3, 4, 3)), new nn.ReLU(), nn.utils.spectralNorm(new nn.ConvTranspose1d(4, 2, 3)), new nn.Flatten(),
      nn.utils.spectralNorm(new nn.Dense(14, 5)),
    ]),
    inputs: ['x'],
    run: sequence,
  },
  // The same under torch.nn.utils.parametrizations.spectral_norm: parametrizations.weight.original, .0._u and .0._v.
  spectral_norm_parametrized: {
    model: () => new nn.Sequential([
      nn.utils.spectralNorm(new nn.Conv1d(3, 4, 3)), new nn.ReLU(), nn.utils.spectralNorm(new nn.ConvTranspose1d(4, 2, 3)), new nn.Flatten(),
      nn.utils.spectralNorm(new nn.Dense(14, 5)),
    ]),
    inputs: ['x'],
    run: sequence,
  },
  orthogonal: {
    // PyTorch's default maps (Householder for the rectangular, the matrix exponential for the square) and one Cayley.
    model: () => new nn.Sequential([
      nn.utils.orthogonal(new nn.Dense(5, 3)), new nn.Tanh(), nn.utils.orthogonal(new nn.Dense(3, 3)), new nn.Tanh(),
      nn.utils.orthogonal(new nn.Dense(3, 7)), new nn.Tanh(), nn.utils.orthogonal(new nn.Dense(7, 4), { map: 'cayley' }),
    ]),
    inputs: ['x'],
    run: sequence,
  },
};

describe.each(BACKENDS)('loadPytorch of PyTorch 1.13 exports on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each(Object.keys(CASES))('%s: computes what PyTorch computed', async (name) => {
    const { model: make, inputs, run } = CASES[name];
    const before = await collected();
    const model = make();
    tm.nn.loadPytorch(model, fixture(`${name}.safetensors`));
    model.eval();
    const io = tm.fromNpz(fixture(`${name}.npz`));
    const got = tm.tidy(() => tm.noGrad(() => run(model, io)));
    const outputs = Object.keys(io).filter((key) => !inputs.includes(key));
    expect(Object.keys(got).sort(), 'the outputs PyTorch gave').toEqual(outputs.sort());
    for (const key of outputs) expectClose(await got[key].data(), await io[key].data(), 1e-5, `${name}.${key}`);
    for (const t of [...Object.values(io), ...Object.values(got)]) t.dispose();
    model.dispose();
    expect(tm.memory().numTensors).toBe(before);
  });

  it("reads weight_norm under torch.nn.utils.parametrizations' names (PyTorch 2.1's): the weight_norm export with weight_g and weight_v renamed parametrizations.weight.original0 and original1, as PyTorch's migration note says", async () => {
    const { entries } = tm.decodeSafetensors(fixture('weight_norm.safetensors'), { widen: true });
    const renamed = Object.fromEntries(Object.entries(entries).map(([name, e]) => [name.replace(/(^|\.)weight_([gv])$/, (_, dot, which) => `${dot}parametrizations.weight.original${which === 'g' ? 0 : 1}`), e]));
    expect(Object.keys(renamed)).toContain('0.parametrizations.weight.original0');
    const model = CASES.weight_norm.model();
    tm.nn.loadPytorch(model, renamed);
    model.eval();
    const io = tm.fromNpz(fixture('weight_norm.npz'));
    expectClose(await tm.noGrad(() => model.forward(io.x)).data(), await io.y.data(), 1e-5, 'weight_norm, renamed');
    model.dispose();
    const missing = CASES.weight_norm.model();
    const { '0.parametrizations.weight.original0': _, ...withoutG } = renamed;
    expect(() => tm.nn.loadPytorch(missing, withoutG)).toThrow(/the state_dict has no 0\.weight_g \(nor 0\.parametrizations\.weight\.original0\)/);
    missing.dispose();
  });

  it("refuses, naming the tensor, an export of a setting tmnn has no equivalent of, rather than loading it into the nearest model", async () => {
    const refused: [string, tm.nn.Module, string][] = [
      // LayerNorm(6, elementwise_affine=False): tmnn's LayerNorm always has its weight and bias.
      ['refused_layer_norm_no_affine', new nn.Sequential([new nn.Dense(4, 6), new nn.LayerNorm(6)]), 'loadPytorch: the state_dict has no 1.weight (for 1.weight, [6])'],
      // LSTM(5, 4, proj_size=2): h projected to 2 by weight_hr_l0, which tmnn's LSTM has no place for.
      ['refused_lstm_proj_size', new nn.LSTM(5, 4), "loadPytorch: weight_hh_l0 is [16,2], weightHhL0 needs [16,4] there (PyTorch's [out, in] of tmnn's [4,16])"],
      // MultiheadAttention(8, 2, kdim=6, vdim=6): separate q/k/v projections, keys and values of another width.
      ['refused_attention_kdim', new nn.MultiheadAttention(8, 2), 'loadPytorch: the state_dict has no in_proj_weight (for inProjWeight, [8,24])'],
    ];
    for (const [name, model, message] of refused) {
      expect(() => tm.nn.loadPytorch(model, fixture(`${name}.safetensors`)), name).toThrow(message);
      model.dispose();
    }
  });
});
