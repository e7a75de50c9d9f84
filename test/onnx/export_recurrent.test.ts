// tm.onnx.toOnnx of the recurrent layers: LSTM, GRU and RNN as ONNX's
// operators of the same names, one node per stacked layer, their weights
// rearranged into ONNX's layout and gate order. Each random model (odd sizes:
// input 5, hidden 7) is exported, then run by tmnn's own importer and by
// onnxruntime-web's WebAssembly provider (the independent check), which must
// both compute what the model computes, at two batch sizes and lengths where
// those are symbolic. A quantized LSTM or GRU (tm.nn.quantizeDynamic) keeps
// its weights int8 in the file, dequantized into the float operator.
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { DATA_TYPES, decodeModel } from '../../src/onnx/proto.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose } from '../helpers/data.js';

const nn = tm.nn;

type Kind = 'LSTM' | 'GRU' | 'RNN' | 'RNN relu';

interface Case {
  options: tm.nn.RecurrentOptions;
  inputShape: (number | string)[];
  /** The concrete shapes run (the symbolic sizes filled in). */
  runs: number[][];
}

const FIXED = { inputShape: [3, 6, 5], runs: [[3, 6, 5]] };
const SYMBOLIC = { inputShape: ['batch', 'time', 5], runs: [[3, 6, 5], [1, 9, 5]] };

const CASES: [string, Case][] = [
  ['one layer, the sequence', { options: {}, ...FIXED }],
  ['one layer, the last state', { options: { output: 'last' }, ...FIXED }],
  ['bidirectional, the sequence', { options: { bidirectional: true }, ...FIXED }],
  ['bidirectional, the last states', { options: { bidirectional: true, output: 'last' }, ...FIXED }],
  ['two layers with dropout between, no biases', { options: { numLayers: 2, bias: false, dropout: 0.4 }, ...FIXED }],
  ['two bidirectional layers, the last states, symbolic batch and time', { options: { numLayers: 2, bidirectional: true, output: 'last' }, ...SYMBOLIC }],
  ['two bidirectional layers, the sequence, symbolic batch and time', { options: { numLayers: 2, bidirectional: true }, ...SYMBOLIC }],
];

function build(kind: Kind, options: tm.nn.RecurrentOptions): tm.nn.Module {
  if (kind === 'LSTM') return new nn.LSTM(5, 7, options);
  if (kind === 'GRU') return new nn.GRU(5, 7, options);
  return new nn.RNN(5, 7, { ...options, nonlinearity: kind === 'RNN relu' ? 'relu' : 'tanh' });
}

/** The file's nodes' operators in order, and its initializers' types and shapes by name. */
function contents(bytes: Uint8Array): { ops: string[]; initializers: Record<string, string> } {
  const { graph } = decodeModel(bytes);
  return {
    ops: graph.nodes.map((n) => n.opType),
    initializers: Object.fromEntries(graph.initializers.map((t) => [t.name, `${DATA_TYPES[t.dataType]} [${t.dims.join(', ')}]`])),
  };
}

async function ortRun(bytes: Uint8Array, x: tm.Tensor): Promise<{ data: Float32Array; shape: readonly number[] }> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  try {
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from(await x.data()), x.shape) });
    return { data: (await out.y.getData()) as Float32Array, shape: out.y.dims };
  } finally {
    await session.release();
  }
}

/** The export run by tmnn's importer and by onnxruntime on x, each against `want` (shape and values). */
async function expectRuns(bytes: Uint8Array, x: tm.Tensor, want: tm.Tensor, what: string): Promise<void> {
  const wanted = await want.data();
  const imported = tm.onnx.fromBytes(bytes);
  const got = imported.run({ x }).y;
  expect(got.shape, `${what}: tmnn's shape`).toEqual(want.shape);
  expectClose(await got.data(), wanted, 1e-5, `${what}: tmnn`);
  got.dispose();
  imported.dispose();
  const ran = await ortRun(bytes, x);
  expect(ran.shape, `${what}: onnxruntime's shape`).toEqual(want.shape);
  expectClose(ran.data, wanted, 1e-5, `${what}: onnxruntime`);
}

describe.each(BACKENDS)('toOnnx of recurrent layers on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  describe.each(['LSTM', 'GRU', 'RNN', 'RNN relu'] as Kind[])('%s', (kind) => {
    it.each(CASES)('%s: tmnn and onnxruntime compute the layer from its export', async (name, c) => {
      tm.setSeed(CASES.findIndex(([n]) => n === name) * 10 + kind.length);
      const model = build(kind, c.options);
      model.eval();
      const bytes = await tm.onnx.toOnnx(model, { inputShape: c.inputShape });
      for (const [i, shape] of c.runs.entries()) {
        const x = tm.randn(shape, { seed: 7 + i });
        const want = tm.noGrad(() => model.forward(x));
        await expectRuns(bytes, x, want, `${kind} ${name} ${shape}`);
        x.dispose();
        want.dispose();
      }
      model.dispose();
    });
  });

  it('writes one node per layer, its W, R and B holding both directions, x transposed to time first and the output back', async () => {
    const model = new nn.LSTM(5, 7, { numLayers: 2, bidirectional: true });
    const { ops, initializers } = contents(await tm.onnx.toOnnx(model, { inputShape: ['batch', 6, 5] }));
    expect(ops).toEqual(['Transpose', 'LSTM', 'Transpose', 'Reshape', 'LSTM', 'Transpose', 'Reshape']);
    expect(initializers).toMatchObject({
      W_L0: 'float [2, 28, 5]', R_L0: 'float [2, 28, 7]', B_L0: 'float [2, 56]',
      W_L1: 'float [2, 28, 14]', R_L1: 'float [2, 28, 7]', B_L1: 'float [2, 56]',
    });
    model.dispose();
  });

  it('a Sequential: a GRU used twice (written once), then the last states of an LSTM into a Dense', async () => {
    tm.setSeed(3);
    const gru = new nn.GRU(5, 5, { output: 'sequence' });
    const model = new nn.Sequential([gru, new nn.Tanh(), gru, new nn.LSTM(5, 7, { output: 'last', bidirectional: true }), new nn.Dense(14, 3, { activation: 'softmax' })]);
    const bytes = await tm.onnx.toOnnx(model, { inputShape: ['batch', 6, 5] });
    const imported = tm.onnx.fromBytes(bytes);
    expect(Object.keys(imported.namedParameters()).sort()).toEqual(['0.B_L0', '0.R_L0', '0.W_L0', '3.B_L0', '3.R_L0', '3.W_L0', '4.bias', '4.weight']);
    expect(imported.outputs[0].shape).toEqual(['batch', 3]);
    imported.dispose();
    for (const batch of [3, 1]) {
      const x = tm.randn([batch, 6, 5], { seed: batch });
      const want = tm.noGrad(() => model.forward(x));
      await expectRuns(bytes, x, want, `Sequential, batch ${batch}`);
      x.dispose();
      want.dispose();
    }
    model.dispose();
  });

  describe.each(['LSTM', 'GRU', 'RNN'] as const)('a quantized %s (tm.nn.quantizeDynamic; the RNN a relu one)', (kind) => {
    const floatLayer = (options: tm.nn.RecurrentOptions) =>
      kind === 'LSTM' ? new nn.LSTM(5, 7, options) : kind === 'GRU' ? new nn.GRU(5, 7, options) : new nn.RNN(5, 7, { ...options, nonlinearity: 'relu' });
    it.each<[tm.nn.RecurrentOptions]>([[{}], [{ numLayers: 2, bidirectional: true }], [{ bidirectional: true, output: 'last', bias: false }]])('%o: weights int8 in the file, the graph computes with them dequantized', async (options) => {
      tm.setSeed(kind.length);
      const float = new nn.Sequential([floatLayer(options)]);
      const model = nn.quantizeDynamic(float, { layers: [kind] }) as tm.nn.Sequential;
      const quantized = model.layers[0] as tm.nn.QuantizedRecurrent;
      expect(quantized).toBeInstanceOf({ LSTM: nn.QuantizedLSTM, GRU: nn.QuantizedGRU, RNN: nn.QuantizedRNN }[kind]);
      const bytes = await tm.onnx.toOnnx(model, { inputShape: ['batch', 'time', 5] });
      // Each layer's W and R int8 in the file, all directions' rows in one with a scale per row; B float.
      const { ops, initializers } = contents(bytes);
      const [layers, dirs, units] = [options.numLayers ?? 1, options.bidirectional ? 2 : 1, { LSTM: 4, GRU: 3, RNN: 1 }[kind] * 7];
      for (let l = 0; l < layers; l++) {
        expect(initializers[`0.W_L${l}`]).toBe(`int8 [${dirs * units}, ${l === 0 ? 5 : 7 * dirs}]`);
        expect(initializers[`0.R_L${l}`]).toBe(`int8 [${dirs * units}, 7]`);
        expect(initializers[`0.W_L${l}_scale`]).toBe(`float [${dirs * units}]`);
        expect(initializers[`0.B_L${l}`]).toBe(options.bias === false ? undefined : `float [${dirs}, ${2 * units}]`);
      }
      expect(ops.filter((op) => op === 'DequantizeLinear')).toHaveLength(2 * layers);
      expect(ops.filter((op) => op === kind)).toHaveLength(layers);

      // What the graph computes: the float layer with the int8 weights dequantized (tm.dequantize) in place of its own.
      const reference = floatLayer(options);
      const held = quantized.ownBuffers();
      tm.noGrad(() => {
        for (const [k, p] of Object.entries(reference.namedParameters())) {
          const w = k.startsWith('weight') ? tm.dequantize(new tm.QuantizedTensor(held[k], held[k.replace(/(L\d)/, 'Scale$1')])) : held[k].clone();
          p.assign(w);
          w.dispose();
        }
      });
      reference.eval();
      for (const shape of [[3, 6, 5], [2, 4, 5]]) {
        const x = tm.randn(shape, { seed: shape[0] });
        const want = tm.noGrad(() => reference.forward(x));
        await expectRuns(bytes, x, want, `quantized ${kind} ${shape}`);
        // tmnn's quantized layer also rounds x and h to int8 at every product: close to the weight-only form, within that rounding.
        const own = tm.noGrad(() => model.forward(x));
        const [got, wanted] = [await own.data(), await want.data()];
        got.forEach((g, i) => expect(Math.abs(g - wanted[i])).toBeLessThan(0.05));
        [x, want, own].forEach((t) => t.dispose());
      }
      for (const m of [reference, model, float]) m.dispose();
    });
  });
});
