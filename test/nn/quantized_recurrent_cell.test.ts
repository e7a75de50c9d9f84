// QuantizedLSTMCell, QuantizedGRUCell, QuantizedRNNCell: the single-step
// cells with int8 weights, x and h quantized per row as each step runs. A loop
// of steps, the state passed in and out as the cells' API has it, is at each
// step the float64 computation of that definition from the cell's own state
// of the step before, at odd sizes (input 5, hidden 7, batch 3), from zeros
// and from a given state, batched and unbatched; it stays close to the float
// cell; nothing in it is trained, yet x gets a straight-through gradient.
// QuantizedRNN (tanh and relu), asked for by name, is the same definition
// over a sequence. quantizeDynamic's default set (PyTorch's) converts the
// cells of a model and leaves its RNN float; the result saves, loads,
// summarises, keeps its hooks and modes, and refuses training.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { activeBackend } from '../../src/engine.js';
import type { WebGpuBackend } from '../../src/backends/webgpu/index.js';
import { useQuantizedPath } from '../../src/backends/webgpu/kernels/quantized_path.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, SEED, uniform } from '../helpers/data.js';
import { gatesOf, quantizedCellStepRef, quantizedRecurrentRef, type QuantizedCellWeights, type RecurrentKind } from '../helpers/quantized.js';

type CellKind = 'LSTMCell' | 'GRUCell' | 'RNNCell';
type FloatCell = tm.nn.LSTMCell | tm.nn.GRUCell | tm.nn.RNNCell;
type QuantCell = tm.nn.QuantizedLSTMCell | tm.nn.QuantizedGRUCell | tm.nn.QuantizedRNNCell;

function floatCell(kind: CellKind, input: number, hidden: number, options: tm.nn.RNNCellOptions): FloatCell {
  if (kind === 'LSTMCell') return new tm.nn.LSTMCell(input, hidden, options);
  if (kind === 'GRUCell') return new tm.nn.GRUCell(input, hidden, options);
  return new tm.nn.RNNCell(input, hidden, options);
}

function quantizedOf(cell: FloatCell): QuantCell {
  if (cell instanceof tm.nn.LSTMCell) return tm.nn.QuantizedLSTMCell.fromLSTMCell(cell);
  if (cell instanceof tm.nn.GRUCell) return tm.nn.QuantizedGRUCell.fromGRUCell(cell);
  return tm.nn.QuantizedRNNCell.fromRNNCell(cell);
}

const refKind = (kind: CellKind, options: tm.nn.RNNCellOptions): RecurrentKind =>
  (kind === 'RNNCell' ? `RNN-${options.nonlinearity ?? 'tanh'}` : kind.replace('Cell', '')) as RecurrentKind;

/** A quantized cell's (or a layer's, with `suffix`) int8 rows, scales and biases, read back. */
async function weightsOf(layer: tm.nn.Module, suffix = ''): Promise<QuantizedCellWeights> {
  const named = layer.namedBuffers();
  const read = async (name: string) => (named[`${name}${suffix}`] ? await named[`${name}${suffix}`].data() : undefined);
  return {
    ih: { values: (await read('weightIh'))!, scales: (await read('weightIhScale'))! },
    hh: { values: (await read('weightHh'))!, scales: (await read('weightHhScale'))! },
    biasIh: await read('biasIh'), biasHh: await read('biasHh'),
  };
}

async function values(model: tm.nn.Module): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const [name, t] of Object.entries(model.namedState())) out[name] = Array.from(await t.data());
  return out;
}

/** The rows of [rows, width] data kept where `marks` is 1. */
const keepRows = (v: ArrayLike<number>, width: number, marks: Uint8Array) => Array.from(v).filter((_, i) => marks[Math.floor(i / width)] === 1);

/** A custom layer holding cells in fields and an array, an RNN beside them, and a Dense: a decoder's step. */
class Decoder extends tm.nn.Module {
  lstm: tm.nn.LSTMCell;
  gru: tm.nn.GRUCell;
  cells: tm.nn.Module[];
  rnn: tm.nn.RNN;
  out: tm.nn.Dense;
  constructor() {
    super();
    this.lstm = new tm.nn.LSTMCell(5, 7, { seed: 1 });
    this.gru = new tm.nn.GRUCell(7, 7, { seed: 2 });
    this.cells = [new tm.nn.RNNCell(7, 7, { nonlinearity: 'relu', seed: 3 })];
    this.rnn = new tm.nn.RNN(5, 7, { output: 'last', seed: 4 });
    this.out = new tm.nn.Dense(7, 3, { seed: 5 });
  }
  /** x [batch, 5] through the three cells (each from zeros), plus the RNN's h of x as a one-step sequence, into the Dense. */
  forward(x: tm.Tensor): tm.Tensor {
    return tm.tidy(() => {
      const h = this.cells[0].forward(this.gru.forward(this.lstm.forward(x)));
      return this.out.forward(h.add(this.rnn.forward(x.reshape([x.shape[0], 1, 5]))));
    });
  }
  config(): tm.nn.LayerConfig {
    return { type: 'Decoder' };
  }
}

const CELLS: { kind: CellKind; options: tm.nn.RNNCellOptions; given: boolean }[] = [
  { kind: 'LSTMCell', options: {}, given: false },
  { kind: 'LSTMCell', options: { bias: false }, given: true },
  { kind: 'GRUCell', options: {}, given: true },
  { kind: 'GRUCell', options: { bias: false }, given: false },
  { kind: 'RNNCell', options: {}, given: true },
  { kind: 'RNNCell', options: { nonlinearity: 'relu' }, given: false },
];

describe.each(BACKENDS)('quantized recurrent cells on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
    // The cells' unseeded weights are drawn from the test's seed: a failure replays with TMNN_TEST_SEED.
    tm.setSeed(SEED);
    // The int8 way, the one the reference computes (webgpu may time the f16 way faster; quantize.test.ts checks that one).
    if (backend === 'webgpu') useQuantizedPath((activeBackend() as WebGpuBackend).runtime, 'int8');
  });

  it.each(CELLS)('quantized $kind $options (initial state: $given): four steps, each the float64 definition from the state passed in, close to the float cell', async ({ kind, options, given }) => {
    const [batch, input, hidden, steps] = [3, 5, 7, 4];
    const float = floatCell(kind, input, hidden, options);
    const cell = quantizedOf(float);
    const width = gatesOf(refKind(kind, options)) * hidden;
    expect(cell.parameters()).toEqual([]);
    expect(cell.weightIh.dtype).toBe('i8');
    expect(cell.weightIh.shape).toEqual([width, input]);
    expect(cell.weightHh.shape).toEqual([width, hidden]);
    expect(cell.weightHhScale.shape).toEqual([width]);
    expect(Object.keys(cell.namedBuffers())).toEqual(['weightIh', 'weightIhScale', 'weightHh', 'weightHhScale', ...(options.bias === false ? [] : ['biasIh', 'biasHh'])]);
    expect(cell.config()).toEqual({ ...float.config(), type: `Quantized${kind}` });
    const w = await weightsOf(cell);
    const isLSTM = kind === 'LSTMCell';
    const start = (): tm.Tensor => tm.tensor(asF32(uniform(batch * hidden, -1, 1)), [batch, hidden]);
    let state: { h: tm.Tensor; c?: tm.Tensor } | undefined = given ? { h: start(), ...(isLSTM ? { c: start() } : {}) } : undefined;
    let floatState = state;
    const held: tm.Tensor[] = state ? [state.h, ...(state.c ? [state.c] : [])] : [];
    let compared = 0;
    for (let s = 0; s < steps; s++) {
      const xs = asF32(uniform(batch * input));
      const x = tm.tensor(xs, [batch, input]);
      const next: { h: tm.Tensor; c?: tm.Tensor } = tm.noGrad(() => cell.step(x, state as tm.nn.LSTMCellState));
      expect(next.h.shape).toEqual([batch, hidden]);
      expect(Object.keys(next).sort()).toEqual(isLSTM ? ['c', 'h'] : ['h']);
      const hBefore = state ? await state.h.data() : new Float64Array(batch * hidden);
      const cBefore = state?.c ? await state.c.data() : null;
      const ref = quantizedCellStepRef(refKind(kind, options), xs, hBefore, cBefore, [batch, input, hidden], w);
      // A row whose x or h sits on a rounding edge may round the other way: left out (they are rare).
      const clean = ref.edge.map((e) => 1 - e);
      expectClose(keepRows(await next.h.data(), hidden, clean), keepRows(ref.h, hidden, clean), 1e-4, `step ${s} h`);
      if (isLSTM) expectClose(keepRows(await next.c!.data(), hidden, clean), keepRows(ref.c, hidden, clean), 1e-4, `step ${s} c`);
      compared += clean.reduce((n, m) => n + m, 0);
      // Against the float cell run on its own states: int8 weights and activations move each step by a few hundredths here.
      const floatNext: { h: tm.Tensor; c?: tm.Tensor } = tm.noGrad(() => float.step(x, floatState as tm.nn.LSTMCellState));
      expectClose(await next.h.data(), await floatNext.h.data(), 0.05, `step ${s} against float`);
      held.push(x, next.h, floatNext.h, ...(isLSTM ? [next.c!, floatNext.c!] : []));
      [state, floatState] = [next, floatNext];
    }
    expect(compared).toBeGreaterThanOrEqual((batch * steps) / 2);
    for (const t of [float, cell, ...held]) t.dispose();
  });

  it.each(['LSTMCell', 'GRUCell', 'RNNCell'] as const)('quantized %s: an unbatched x [input] with its state [hidden] is one row of a batch; forward is step\'s h; an f16 x steps in f16', async (kind) => {
    const [input, hidden] = [5, 7];
    const cell = quantizedOf(floatCell(kind, input, hidden, { seed: 3 }));
    const isLSTM = kind === 'LSTMCell';
    const x = tm.tensor(asF32(uniform(3 * input)), [3, input]);
    const h = tm.tensor(asF32(uniform(3 * hidden, -1, 1)), [3, hidden]);
    const c = tm.tensor(asF32(uniform(3 * hidden, -1, 1)), [3, hidden]);
    const state = isLSTM ? { h, c } : { h };
    const all: { h: tm.Tensor; c?: tm.Tensor } = tm.noGrad(() => cell.step(x, state as tm.nn.LSTMCellState));
    const row = (t: tm.Tensor, width: number) => t.slice([1, 0], [1, width]).reshape([width]);
    const one: { h: tm.Tensor; c?: tm.Tensor } = tm.noGrad(() => cell.step(row(x, input), (isLSTM ? { h: row(h, hidden), c: row(c, hidden) } : { h: row(h, hidden) }) as tm.nn.LSTMCellState));
    expect(one.h.shape).toEqual([hidden]);
    // Each row is quantized on its own: the row alone computes what it computes in the batch.
    expectClose(await one.h.data(), (await all.h.data()).slice(hidden, 2 * hidden), 1e-6, 'unbatched h');
    if (isLSTM) expectClose(await one.c!.data(), (await all.c!.data()).slice(hidden, 2 * hidden), 1e-6, 'unbatched c');
    const y = tm.noGrad(() => (isLSTM ? (cell as tm.nn.QuantizedLSTMCell).forward(x, { h, c }) : (cell as tm.nn.QuantizedGRUCell).forward(x, h)));
    expect(await y.data()).toEqual(await all.h.data());
    const half: { h: tm.Tensor; c?: tm.Tensor } = tm.noGrad(() => cell.step(x.cast('f16'), (isLSTM ? { h: h.cast('f16'), c: c.cast('f16') } : { h: h.cast('f16') }) as tm.nn.LSTMCellState));
    expect(half.h.dtype).toBe('f16');
    expectClose(await half.h.data(), await all.h.data(), 0.02, 'f16');
    for (const t of [cell, x, h, c, all.h, all.c, one.h, one.c, y, half.h, half.c]) t?.dispose();
  });

  it('gives x and h the straight-through gradient (close to a float cell of the dequantized weights\'), and none to its int8 weights', async () => {
    const cell = tm.nn.QuantizedLSTMCell.fromLSTMCell(new tm.nn.LSTMCell(5, 7, { seed: 5 }));
    // The float cell of the weights the int8 ones stand for: its gradient differs only by the activations' rounding.
    const deq = new tm.nn.LSTMCell(5, 7, { seed: 6 });
    deq.weightIh.assign(tm.dequantize(new tm.QuantizedTensor(cell.weightIh, cell.weightIhScale)));
    deq.weightHh.assign(tm.dequantize(new tm.QuantizedTensor(cell.weightHh, cell.weightHhScale)));
    deq.biasIh!.assign(cell.biasIh!);
    deq.biasHh!.assign(cell.biasHh!);
    const x = tm.tensor(asF32(uniform(3 * 5)), [3, 5]);
    const h = tm.tensor(asF32(uniform(3 * 7, -1, 1)), [3, 7]);
    const c = tm.zeros([3, 7]);
    const gradsOf = async (l: tm.nn.LSTMCell | tm.nn.QuantizedLSTMCell) => {
      x.requiresGrad = h.requiresGrad = true;
      tm.tidy(() => l.step(x, { h, c }).h.square().sum()).backward();
      const out = [await x.grad!.data(), await h.grad!.data()];
      for (const t of [x, h]) {
        t.grad!.dispose();
        t.grad = null;
      }
      return out;
    };
    const [[qx, qh], [fx, fh]] = [await gradsOf(cell), await gradsOf(deq)];
    expect(qx.some((v) => v !== 0) && qh.some((v) => v !== 0)).toBe(true);
    expectClose(qx, fx, 0.05, 'x gradient');
    expectClose(qh, fh, 0.05, 'h gradient');
    expect(cell.parameters()).toEqual([]);
    for (const t of [cell, deq, x, h, c]) t.dispose();
  });

  it.each([
    { nonlinearity: 'tanh', bidirectional: true, given: true },
    { nonlinearity: 'relu', bidirectional: false, given: false },
  ] as const)('QuantizedRNN $nonlinearity (bidirectional: $bidirectional, initial state: $given): each step the float64 definition, close to the float RNN', async ({ nonlinearity, bidirectional, given }) => {
    const [batch, time, input, hidden] = [3, 4, 5, 7];
    const float = new tm.nn.RNN(input, hidden, { nonlinearity, bidirectional });
    const layer = tm.nn.QuantizedRNN.fromRNN(float);
    expect(layer.parameters()).toEqual([]);
    expect(layer.config()).toEqual({ ...float.config(), type: 'QuantizedRNN' });
    expect(layer.namedBuffers().weightHhL0.shape).toEqual([hidden, hidden]);
    const directions = layer.directions;
    const x = asF32(uniform(batch * time * input));
    const h0 = given ? asF32(uniform(directions * batch * hidden, -1, 1)) : null;
    const xt = tm.tensor(x, [batch, time, input]);
    const initial = h0 ? { h: tm.tensor(h0, [directions, batch, hidden]) } : undefined;
    const { output, state } = tm.noGrad(() => layer.run(xt, initial));
    const got = await output.data();
    const width = hidden * directions;
    let checked = 0;
    for (let d = 0; d < directions; d++) {
      const w = await weightsOf(layer, `L0${d ? 'Reverse' : ''}`);
      const start = h0 ? h0.subarray(d * batch * hidden, (d + 1) * batch * hidden) : undefined;
      const ref = quantizedRecurrentRef(`RNN-${nonlinearity}`, x, [batch, time, input], hidden, w, d === 1, got, width, d * hidden, start);
      const mine = Float64Array.from({ length: batch * time * hidden }, (_, i) => got[Math.floor(i / hidden) * width + d * hidden + (i % hidden)]);
      expectClose(keepRows(mine, hidden, ref.checked), keepRows(ref.want, hidden, ref.checked), 1e-4, `direction ${d}`);
      checked += ref.checked.reduce((n, m) => n + m, 0);
    }
    expect(checked).toBeGreaterThanOrEqual((directions * batch * time) / 2);
    const floatOut = await tm.noGrad(() => float.run(xt, initial)).output.data();
    expectClose(got, floatOut, 0.05, 'against float');
    for (const t of [float, layer, xt, output, state.h, initial?.h]) t?.dispose();
  });

  it('quantizeDynamic\'s default set (PyTorch\'s) converts the cells at any depth and leaves an RNN float; an RNN when listed; hooks, modes and filter as for Dense', async () => {
    expect(tm.nn.DEFAULT_QUANTIZED_LAYERS).toEqual(['Dense', 'LSTM', 'GRU', 'LSTMCell', 'GRUCell', 'RNNCell']);
    const model = new Decoder().eval();
    const hooked: number[] = [];
    model.gru.registerForwardHook((_, __, y) => void hooked.push(y.shape[1]));
    const before = await values(model);
    const q = tm.nn.quantizeDynamic(model);
    expect(q).toBeInstanceOf(Decoder);
    expect(q.lstm).toBeInstanceOf(tm.nn.QuantizedLSTMCell);
    expect(q.gru).toBeInstanceOf(tm.nn.QuantizedGRUCell);
    expect(q.cells[0]).toBeInstanceOf(tm.nn.QuantizedRNNCell);
    expect((q.cells[0] as tm.nn.QuantizedRNNCell).nonlinearity).toBe('relu');
    expect(q.rnn).toBeInstanceOf(tm.nn.RNN);
    expect(q.rnn).not.toBe(model.rnn);
    expect(q.out).toBeInstanceOf(tm.nn.QuantizedDense);
    expect([q.training, q.lstm.training, q.cells[0].training]).toEqual([false, false, false]);
    expect(q.parameters()).toHaveLength(4); // the float RNN's, still trainable
    // The whole: each cell as from*Cell makes it, on the input it is given.
    const x = tm.randn([3, 5], { seed: 6 });
    const yq = tm.noGrad(() => q.forward(x));
    expect(hooked).toEqual([7]); // the hook came along
    const manual = tm.noGrad(() => tm.tidy(() => {
      const parts = [tm.nn.QuantizedLSTMCell.fromLSTMCell(model.lstm), tm.nn.QuantizedGRUCell.fromGRUCell(model.gru), tm.nn.QuantizedRNNCell.fromRNNCell(model.cells[0] as tm.nn.RNNCell)];
      const h = parts.reduce((t, l) => l.forward(t), x);
      const dense = tm.nn.QuantizedDense.fromDense(model.out);
      const y = dense.forward(h.add(model.rnn.forward(x.reshape([3, 1, 5]))));
      [...parts, dense].forEach((l) => l.dispose());
      return y;
    }));
    expect(await yq.data()).toEqual(await manual.data());
    expectClose(await yq.data(), await tm.noGrad(() => model.forward(x)).data(), 0.05, 'against float');
    expect(await values(model)).toEqual(before);
    // RNN when listed; a filter keeps the GRUCell float (paths as namedState's: the Decoder's fields in order).
    const all = tm.nn.quantizeDynamic(model, { layers: [...tm.nn.DEFAULT_QUANTIZED_LAYERS, 'RNN'] });
    expect(all.rnn).toBeInstanceOf(tm.nn.QuantizedRNN);
    expect(all.parameters()).toEqual([]);
    const paths: string[] = [];
    const some = tm.nn.quantizeDynamic(model, { filter: (path, layer) => (paths.push(path), !(layer instanceof tm.nn.GRUCell)) });
    expect(paths).toEqual(['0', '1', '2', '4']);
    expect(some.gru).toBeInstanceOf(tm.nn.GRUCell);
    expect(some.lstm).toBeInstanceOf(tm.nn.QuantizedLSTMCell);
    // Only the cells asked for.
    const lstmOnly = tm.nn.quantizeDynamic(model, { layers: ['LSTMCell'] });
    expect([lstmOnly.lstm, lstmOnly.gru, lstmOnly.cells[0], lstmOnly.out].map((l) => l.constructor.name)).toEqual(['QuantizedLSTMCell', 'GRUCell', 'RNNCell', 'Dense']);
    for (const t of [model, q, x, yq, manual, all, some, lstmOnly]) t.dispose();
  });

  it('saves and loads a model of quantized cells and a quantized RNN with their int8 weights; summary() counts the float model\'s parameters; training and a float checkpoint are refused', async () => {
    const model = new tm.nn.Sequential([
      new tm.nn.LSTMCell(5, 7, { seed: 1 }), new tm.nn.GRUCell(7, 7, { bias: false, seed: 2 }), new tm.nn.RNNCell(7, 7, { nonlinearity: 'relu' }), new tm.nn.Dense(7, 3, { seed: 3 }),
    ]);
    const q = tm.nn.quantizeDynamic(model);
    expect(q.layers.map((l) => l.constructor.name)).toEqual(['QuantizedLSTMCell', 'QuantizedGRUCell', 'QuantizedRNNCell', 'QuantizedDense']);
    const loaded = tm.nn.fromBytes(await q.toBytes());
    expect(loaded.layers.map((l) => l.config())).toEqual(q.layers.map((l) => l.config()));
    expect(loaded.layers[0]).toBeInstanceOf(tm.nn.QuantizedLSTMCell);
    expect(loaded.namedState()['1.weightHh'].dtype).toBe('i8');
    expect(await values(loaded)).toEqual(await values(q));
    const x = tm.randn([3, 5], { seed: 4 });
    expect(await loaded.predict(x).data()).toEqual(await q.predict(x).data());
    // Quantized again: copied field by field, sharing no tensor, computing the same.
    const again = tm.nn.quantizeDynamic(q);
    expect(again.layers[1]).not.toBe(q.layers[1]);
    expect((again.layers[1] as tm.nn.QuantizedGRUCell).weightHhScale).not.toBe((q.layers[1] as tm.nn.QuantizedGRUCell).weightHhScale);
    expect(await values(again)).toEqual(await values(q));
    expect(await again.predict(x).data()).toEqual(await q.predict(x).data());
    again.dispose();
    // LSTMCell 5→7: 5·28 + 7·28 + 2·28 = 392; GRUCell 7→7 unbiased: 2·49·3 = 294; RNNCell 7→7: 112; Dense 7→3: 24.
    // int8: 140 + 196 + 294 + 98 + the Dense's 21 = 749; f32 biases 56 + 14 + 3 and scales 2·28 + 2·21 + 2·7 + 3.
    const kib = ((749 + 4 * (73 + 115)) / 1024).toLocaleString('en-US', { maximumFractionDigits: 1 });
    expect(q.summary().split('\n').at(-1)).toBe(`parameters: 822 (0 trainable, 749 int8), ${kib} KiB`);
    expect(model.summary().split('\n').at(-1)).toMatch(/^parameters: 822 \(822 trainable\)/);
    expect(() => q.loadStateDict(model.stateDict())).toThrow(/0\.weightIh is int8 in the module \(a layer quantized by tm.nn.quantizeDynamic\) and f32 in the state/);
    await expect(q.fit(x, tm.zeros([3, 3]), { epochs: 1, quiet: true })).rejects.toThrow(/nothing to train \(layers quantized by tm.nn.quantizeDynamic are inference-only/);
    // A model file whose quantized cell holds float weights is refused by name.
    const bad = new tm.nn.Sequential([new tm.nn.QuantizedGRUCell(5, 7)]);
    (bad.layers[0] as tm.nn.QuantizedGRUCell).weightIh = tm.zeros([21, 5]);
    await expect(bad.toBytes()).rejects.toThrow(/buffer 0\.weightIh is f32; the layer holds it in i8/);

    const rnnModel = new tm.nn.Sequential([new tm.nn.RNN(5, 7, { nonlinearity: 'relu', numLayers: 2, bidirectional: true, output: 'last', seed: 5 }), new tm.nn.Dense(14, 2, { seed: 6 })]);
    const qr = tm.nn.quantizeDynamic(rnnModel, { layers: ['RNN', 'Dense'] });
    const loadedRnn = tm.nn.fromBytes(await qr.toBytes());
    expect(loadedRnn.layers[0]).toBeInstanceOf(tm.nn.QuantizedRNN);
    expect(loadedRnn.layers[0].config()).toEqual({ ...rnnModel.layers[0].config(), type: 'QuantizedRNN' });
    expect(await values(loadedRnn)).toEqual(await values(qr));
    const xs = tm.randn([3, 4, 5], { seed: 7 });
    expect(await loadedRnn.predict(xs).data()).toEqual(await qr.predict(xs).data());
    expectClose(await qr.predict(xs).data(), await rnnModel.predict(xs).data(), 0.05, 'against float');
    for (const t of [model, q, loaded, x, bad, rnnModel, qr, loadedRnn, xs]) t.dispose();
  });

  it('refuses what is not its kind, wrong input and options, by name; leaves tm.memory() flat', () => {
    expect(() => tm.nn.QuantizedLSTMCell.fromLSTMCell(new tm.nn.GRUCell(2, 2) as unknown as tm.nn.LSTMCell)).toThrow(/QuantizedLSTMCell.fromLSTMCell: expects a tm.nn.LSTMCell, got /);
    expect(() => tm.nn.QuantizedGRUCell.fromGRUCell({} as tm.nn.GRUCell)).toThrow(/QuantizedGRUCell.fromGRUCell: expects a tm.nn.GRUCell/);
    expect(() => tm.nn.QuantizedRNNCell.fromRNNCell(new tm.nn.RNN(2, 2) as unknown as tm.nn.RNNCell)).toThrow(/QuantizedRNNCell.fromRNNCell: expects a tm.nn.RNNCell/);
    expect(() => tm.nn.QuantizedRNN.fromRNN(new tm.nn.RNNCell(2, 2) as unknown as tm.nn.RNN)).toThrow(/QuantizedRNN.fromRNN: expects a tm.nn.RNN/);
    const cell = new tm.nn.QuantizedLSTMCell(5, 7);
    expect(() => cell.step(tm.zeros([3, 4]))).toThrow(tm.ShapeError);
    expect(() => cell.step(tm.zeros([3, 4]))).toThrow(/QuantizedLSTMCell: expects x of shape \[batch, 5\] or unbatched \[5\], got \[3, ?4\]/);
    expect(() => cell.step(tm.zeros([3, 5]), { h: tm.zeros([3, 7]) } as tm.nn.LSTMCellState)).toThrow(/QuantizedLSTMCell: the state has no c/);
    expect(() => cell.step(tm.zeros([3, 5]), { h: tm.zeros([2, 7]), c: tm.zeros([3, 7]) })).toThrow(/QuantizedLSTMCell: h must be \[3, ?7\]/);
    expect(() => new tm.nn.QuantizedGRUCell(3, 2, { nonlinearity: 'relu' } as object)).toThrow(/QuantizedGRUCell: unknown option/);
    expect(() => new tm.nn.QuantizedRNNCell(3, 2, { nonlinearity: 'gelu' as 'relu' })).toThrow(/QuantizedRNNCell: nonlinearity must be 'tanh' or 'relu', got "gelu"/);
    expect(() => new tm.nn.QuantizedRNN(3, 2, { nonlinearity: 'gelu' as 'relu' })).toThrow(/QuantizedRNN: nonlinearity must be 'tanh' or 'relu'/);
    const model = new tm.nn.Sequential([new tm.nn.LSTMCell(2, 2)]);
    expect(() => tm.nn.quantizeDynamic(model, { layers: ['MultiheadAttention' as 'Dense'] })).toThrow(new tm.ValueError('quantizeDynamic: layers must list kinds of Dense, LSTM, GRU, LSTMCell, GRUCell, RNNCell, RNN, got ["MultiheadAttention"] (MultiheadAttention keeps float weights)'));
    const x = tm.randn([3, 5], { seed: 1 });
    const step = () => {
      const { h, c } = tm.noGrad(() => cell.step(x));
      h.dispose();
      c.dispose();
    };
    step();
    const steady = tm.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    expect(tm.memory().numTensors).toBe(steady);
    cell.dispose();
    x.dispose();
    model.dispose();
    expect(tm.memory().numTensors).toBe(steady - 6 - 1 - 4); // the cell's six buffers, x, the LSTMCell's four parameters
  });
});
