// RNNCell, LSTMCell and GRUCell against PyTorch's equations computed here in
// float64, with weights in PyTorch's layout (weight_ih [gates·hidden, input],
// W·x) given to the cells transposed, on fresh random data at odd sizes,
// batched and unbatched: a step from zeros and from a given state, its
// gradients against central differences, a loop of steps against the
// one-layer layer's run, saving, loadPytorch, f16 and errors.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { CorruptFileError } from '../../src/io/errors.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, uniform } from '../helpers/data.js';
import { centralDifferences, f64, transpose2 } from '../helpers/float64.js';

type Kind = 'RNNCell' | 'LSTMCell' | 'GRUCell';
type Cell = tm.nn.RNNCell | tm.nn.LSTMCell | tm.nn.GRUCell;
const GATES: Record<Kind, number> = { RNNCell: 1, LSTMCell: 4, GRUCell: 3 };

/** A cell's weights as PyTorch holds them: weight_ih [gates·hidden, input], weight_hh [gates·hidden, hidden], the biases [gates·hidden]. */
interface TorchWeights {
  weightIh: Float64Array;
  weightHh: Float64Array;
  biasIh?: Float64Array;
  biasHh?: Float64Array;
}

interface Sizes {
  input: number;
  hidden: number;
  relu?: boolean;
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/**
 * One step of PyTorch's RNNCell, LSTMCell or GRUCell in float64, as its
 * documentation writes it, x [batch, input], h and c [batch, hidden]:
 *   RNNCell:  h' = tanh(W_ih x + b_ih + W_hh h + b_hh)   (or relu)
 *   LSTMCell: i, f, g, o = σ, σ, tanh, σ of the rows of W_ih x + b_ih + W_hh h + b_hh in four
 *             c' = f c + i g,  h' = o tanh(c')
 *   GRUCell:  r = σ(W_ir x + b_ir + W_hr h + b_hr),  z = σ(W_iz x + b_iz + W_hz h + b_hz)
 *             n = tanh(W_in x + b_in + r (W_hn h + b_hn)),  h' = (1 − z) n + z h
 */
function cellRef(kind: Kind, x: ArrayLike<number>, h: ArrayLike<number>, c: ArrayLike<number>, w: TorchWeights, { input, hidden: H, relu }: Sizes): { h: Float64Array; c: Float64Array } {
  const batch = x.length / input;
  const G = GATES[kind] * H;
  const hOut = new Float64Array(batch * H);
  const cOut = new Float64Array(batch * H);
  for (let b = 0; b < batch; b++) {
    const gi = new Float64Array(G);
    const gh = new Float64Array(G);
    for (let g = 0; g < G; g++) {
      gi[g] = w.biasIh ? w.biasIh[g] : 0;
      for (let k = 0; k < input; k++) gi[g] += w.weightIh[g * input + k] * x[b * input + k];
      gh[g] = w.biasHh ? w.biasHh[g] : 0;
      for (let k = 0; k < H; k++) gh[g] += w.weightHh[g * H + k] * h[b * H + k];
    }
    for (let j = 0; j < H; j++) {
      const at = b * H + j;
      if (kind === 'RNNCell') hOut[at] = relu ? Math.max(0, gi[j] + gh[j]) : Math.tanh(gi[j] + gh[j]);
      else if (kind === 'LSTMCell') {
        const [i, f, g, o] = [0, 1, 2, 3].map((q) => gi[q * H + j] + gh[q * H + j]);
        cOut[at] = sigmoid(f) * c[at] + sigmoid(i) * Math.tanh(g);
        hOut[at] = sigmoid(o) * Math.tanh(cOut[at]);
      } else {
        const r = sigmoid(gi[j] + gh[j]);
        const z = sigmoid(gi[H + j] + gh[H + j]);
        const n = Math.tanh(gi[2 * H + j] + r * gh[2 * H + j]);
        hOut[at] = (1 - z) * n + z * h[at];
      }
    }
  }
  return { h: hOut, c: cOut };
}

function cellOf(kind: Kind, input: number, hidden: number, options: tm.nn.RNNCellOptions = {}): Cell {
  if (kind === 'RNNCell') return new tm.nn.RNNCell(input, hidden, options);
  const { nonlinearity: _, ...rest } = options;
  return new tm.nn[kind](input, hidden, rest);
}

/** Fresh weights in PyTorch's layout, rounded to f32 (wider than PyTorch's ±1/√hidden, to reach the nonlinearities' bends). */
function torchWeights(kind: Kind, { input, hidden }: Sizes, bias: boolean): TorchWeights {
  const G = GATES[kind] * hidden;
  const draw = (n: number) => asF32(uniform(n, -1, 1));
  return { weightIh: draw(G * input), weightHh: draw(G * hidden), ...(bias ? { biasIh: draw(G), biasHh: draw(G) } : {}) };
}

/** PyTorch's weights into the cell: the matrices transposed into tmnn's x·W layout. */
function load(cell: Cell, w: TorchWeights): void {
  const G = GATES[cell.config().type as Kind] * cell.hiddenSize;
  cell.weightIh.assign(tm.tensor(transpose2(f64([G, cell.inputSize], w.weightIh)).v, [cell.inputSize, G]));
  cell.weightHh.assign(tm.tensor(transpose2(f64([G, cell.hiddenSize], w.weightHh)).v, [cell.hiddenSize, G]));
  if (w.biasIh) cell.biasIh!.assign(tm.tensor(w.biasIh));
  if (w.biasHh) cell.biasHh!.assign(tm.tensor(w.biasHh));
}

/** Any cell's step, the state as an LSTMCell's or the others' (the cells check it at run time). */
function stepOf(cell: Cell, x: tm.Tensor, state?: { h: tm.Tensor; c?: tm.Tensor }): { h: tm.Tensor; c?: tm.Tensor } {
  return (cell as tm.nn.LSTMCell).step(x, state as tm.nn.LSTMCellState | undefined);
}

const CASES: ({ kind: Kind; batch: number; bias: boolean } & Sizes)[] = [
  { kind: 'RNNCell', batch: 3, input: 7, hidden: 5, bias: true },
  { kind: 'RNNCell', batch: 13, input: 1, hidden: 7, bias: false, relu: true },
  { kind: 'LSTMCell', batch: 3, input: 7, hidden: 5, bias: true },
  { kind: 'LSTMCell', batch: 1, input: 13, hidden: 1, bias: false },
  { kind: 'GRUCell', batch: 3, input: 7, hidden: 5, bias: true },
  { kind: 'GRUCell', batch: 7, input: 2, hidden: 13, bias: false },
];

describe.each(BACKENDS)('recurrent cells on %s', (backend) => {
  const tol = backend === 'webgpu' ? 1e-4 : 1e-5;

  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each(CASES)('$kind $batch×$input → $hidden (bias $bias): a step follows PyTorch\'s equations in float64, from zeros and from a given state, batched and unbatched', async ({ kind, batch, input, hidden, bias, relu }) => {
    const sizes = { input, hidden, relu };
    const cell = cellOf(kind, input, hidden, { bias, nonlinearity: relu ? 'relu' : 'tanh' });
    const w = torchWeights(kind, sizes, bias);
    load(cell, w);
    const x = asF32(uniform(batch * input));
    const h = asF32(uniform(batch * hidden, -1, 1));
    const c = asF32(uniform(batch * hidden, -1, 1));
    const xt = tm.tensor(x, [batch, input]);

    const zero = new Float64Array(batch * hidden);
    const fromZeros = stepOf(cell, xt);
    const wantZeros = cellRef(kind, x, zero, zero, w, sizes);
    expect(fromZeros.h.shape).toEqual([batch, hidden]);
    expectClose(await fromZeros.h.data(), wantZeros.h, tol, 'h from zeros');
    if (kind === 'LSTMCell') expectClose(await fromZeros.c!.data(), wantZeros.c, tol, 'c from zeros');
    else expect(fromZeros).not.toHaveProperty('c');

    const state = { h: tm.tensor(h, [batch, hidden]), ...(kind === 'LSTMCell' ? { c: tm.tensor(c, [batch, hidden]) } : {}) };
    const next = stepOf(cell, xt, state);
    const want = cellRef(kind, x, h, c, w, sizes);
    expectClose(await next.h.data(), want.h, tol, 'h from a state');
    if (kind === 'LSTMCell') expectClose(await next.c!.data(), want.c, tol, 'c from a state');
    // forward gives the step's h: RNNCell's and GRUCell's from h alone, LSTMCell's from { h, c }.
    const forward = cell instanceof tm.nn.LSTMCell ? cell.forward(xt, state as tm.nn.LSTMCellState) : cell.forward(xt, state.h);
    expectClose(await forward.data(), want.h, tol, 'forward');

    // Unbatched, as PyTorch: x [input] and the state [hidden] give [hidden]; the first sample's row.
    const row = (v: Float64Array) => v.slice(0, hidden);
    const single = { h: tm.tensor(row(h), [hidden]), ...(kind === 'LSTMCell' ? { c: tm.tensor(row(c), [hidden]) } : {}) };
    const unbatched = stepOf(cell, tm.tensor(x.slice(0, input), [input]), single);
    expect(unbatched.h.shape).toEqual([hidden]);
    expectClose(await unbatched.h.data(), row(want.h), tol, 'unbatched h');
    if (kind === 'LSTMCell') {
      expect(unbatched.c!.shape).toEqual([hidden]);
      expectClose(await unbatched.c!.data(), row(want.c), tol, 'unbatched c');
    }
    const unbatchedZeros = cell.forward(tm.tensor(x.slice(0, input), [input]));
    expect(unbatchedZeros.shape).toEqual([hidden]);
    expectClose(await unbatchedZeros.data(), row(wantZeros.h), tol, 'unbatched forward from zeros');
    cell.dispose();
  });

  it.each(CASES)('$kind $batch×$input → $hidden (bias $bias): the gradients of x, h, c and every weight match float64 central differences (batch 1 given unbatched)', async ({ kind, batch, input, hidden, bias, relu }) => {
    const sizes = { input, hidden, relu };
    const cell = cellOf(kind, input, hidden, { bias, nonlinearity: relu ? 'relu' : 'tanh' });
    const w = torchWeights(kind, sizes, bias);
    load(cell, w);
    const [xShape, stateShape] = batch === 1 ? [[input], [hidden]] : [[batch, input], [batch, hidden]];
    const x = asF32(uniform(batch * input));
    const h = asF32(uniform(batch * hidden, -1, 1));
    const c = asF32(uniform(batch * hidden, -1, 1));
    const rh = asF32(uniform(batch * hidden, -1, 1));
    const rc = asF32(uniform(batch * hidden, -1, 1));

    // loss = Σ h'·rh (+ Σ c'·rc): every output of the step reaches it.
    const xt = tm.tensor(x, xShape);
    const state = { h: tm.tensor(h, stateShape), ...(kind === 'LSTMCell' ? { c: tm.tensor(c, stateShape) } : {}) };
    for (const t of [xt, state.h, state.c]) if (t) t.requiresGrad = true;
    const next = stepOf(cell, xt, state);
    let loss = next.h.mul(tm.tensor(rh, stateShape)).sum();
    if (next.c) loss = loss.add(next.c.mul(tm.tensor(rc, stateShape)).sum());
    loss.backward();

    const lossRef = () => {
      const r = cellRef(kind, x, h, c, w, sizes);
      let s = 0;
      r.h.forEach((v, i) => (s += v * rh[i]));
      if (kind === 'LSTMCell') r.c.forEach((v, i) => (s += v * rc[i]));
      return s;
    };
    const check = async (got: tm.Tensor | null, want: Float64Array, what: string) => {
      const scale = Math.max(...want.map(Math.abs));
      expectClose(await got!.data(), want, 1e-4, `d${what}`, want.map(() => scale));
    };
    await check(xt.grad, centralDifferences(x, lossRef), 'x');
    await check(state.h.grad, centralDifferences(h, lossRef), 'h');
    if (state.c) await check(state.c.grad, centralDifferences(c, lossRef), 'c');
    // The matrices' gradients in PyTorch's layout, transposed into the cell's.
    const G = GATES[kind] * hidden;
    await check(cell.weightIh.grad, transpose2(f64([G, input], centralDifferences(w.weightIh, lossRef))).v, 'weightIh');
    await check(cell.weightHh.grad, transpose2(f64([G, hidden], centralDifferences(w.weightHh, lossRef))).v, 'weightHh');
    if (bias) {
      await check(cell.biasIh!.grad, centralDifferences(w.biasIh!, lossRef), 'biasIh');
      await check(cell.biasHh!.grad, centralDifferences(w.biasHh!, lossRef), 'biasHh');
    }
    cell.dispose();
  });

  it.each(['RNN', 'LSTM', 'GRU'] as const)("a one-layer %s's run gives what a loop of its cell's steps gives from the same state, with the same weights", async (layerKind) => {
    const [batch, time, input, hidden] = [3, 6, 5, 7];
    const layer = layerKind === 'RNN' ? new tm.nn.RNN(input, hidden, { nonlinearity: 'relu', seed: 1 }) : new tm.nn[layerKind](input, hidden, { seed: 1 });
    const cell = layerKind === 'RNN' ? new tm.nn.RNNCell(input, hidden, { nonlinearity: 'relu', seed: 2 }) : new tm.nn[`${layerKind}Cell`](input, hidden, { seed: 2 });
    const named = layer.namedParameters();
    for (const name of ['weightIh', 'weightHh', 'biasIh', 'biasHh'] as const) cell[name]!.assign(named[`${name}L0`]);
    const x = tm.tensor(asF32(uniform(batch * time * input)), [batch, time, input]);
    const h0 = tm.tensor(asF32(uniform(batch * hidden, -1, 1)), [1, batch, hidden]);
    const c0 = tm.tensor(asF32(uniform(batch * hidden, -1, 1)), [1, batch, hidden]);
    const whole = layer.run(x, { h: h0, c: layerKind === 'LSTM' ? c0 : undefined });

    let state: { h: tm.Tensor; c?: tm.Tensor } = { h: h0.reshape([batch, hidden]), ...(layerKind === 'LSTM' ? { c: c0.reshape([batch, hidden]) } : {}) };
    const outputs: tm.Tensor[] = [];
    for (let t = 0; t < time; t++) {
      state = stepOf(cell, x.slice([0, t, 0], [batch, 1, input]).reshape([batch, input]), state);
      outputs.push(state.h);
    }
    expectClose(await tm.stack(outputs, 1).data(), await whole.output.data(), 1e-5, 'every step');
    expectClose(await state.h.data(), await whole.state.h.data(), 1e-5, 'h');
    if (layerKind === 'LSTM') expectClose(await state.c!.data(), await whole.state.c!.data(), 1e-5, 'c');
    layer.dispose();
    cell.dispose();
  });

  it('leaves no tensor behind after a training step of a few steps, each cell', () => {
    for (const kind of ['RNNCell', 'LSTMCell', 'GRUCell'] as const) {
      const cell = cellOf(kind, 3, 4, { seed: 1 });
      const x = tm.randn([2, 3], { seed: 1 });
      const train = () => tm.tidy(() => {
        let state = stepOf(cell, x);
        for (let i = 0; i < 3; i++) state = stepOf(cell, x, state);
        cell.forward(x).add(state.h).square().mean().backward();
      });
      train();
      const before = tm.memory().numTensors;
      for (let i = 0; i < 3; i++) train();
      expect(tm.memory().numTensors, kind).toBe(before);
      cell.dispose();
      x.dispose();
    }
  });

  it('saves and loads each cell: its sizes, bias, nonlinearity and seed, its weights under their names, the same predictions', async () => {
    tm.setSeed(4);
    const m = new tm.nn.Sequential([
      new tm.nn.Dense(6, 5),
      new tm.nn.RNNCell(5, 4, { nonlinearity: 'relu', seed: 3 }),
      new tm.nn.LSTMCell(4, 3, { bias: false }),
      new tm.nn.GRUCell(3, 2),
    ]);
    const loaded = tm.nn.fromBytes(await m.toBytes());
    expect(loaded.config()).toEqual(m.config());
    expect((loaded.config() as unknown as { layers: unknown[] }).layers.slice(1)).toEqual([
      { type: 'RNNCell', inputSize: 5, hiddenSize: 4, bias: true, nonlinearity: 'relu', seed: 3 },
      { type: 'LSTMCell', inputSize: 4, hiddenSize: 3, bias: false },
      { type: 'GRUCell', inputSize: 3, hiddenSize: 2, bias: true },
    ]);
    expect(Object.keys(loaded.namedParameters()).slice(2)).toEqual([
      '1.weightIh', '1.weightHh', '1.biasIh', '1.biasHh', '2.weightIh', '2.weightHh', '3.weightIh', '3.weightHh', '3.biasIh', '3.biasHh',
    ]);
    const x = tm.randn([4, 6], { seed: 2 });
    expect(await loaded.predict(x).data()).toEqual(await m.predict(x).data());
    m.dispose();
    loaded.dispose();
  });

  it("loadPytorch maps weight_ih, weight_hh, bias_ih and bias_hh (PyTorch's [gates·hidden, in], transposed), and the cells compute PyTorch's function of them", async () => {
    const model = new tm.nn.Sequential([new tm.nn.RNNCell(3, 4, { nonlinearity: 'relu' }), new tm.nn.LSTMCell(4, 5), new tm.nn.GRUCell(5, 2, { bias: false })]);
    const layers: { kind: Kind; sizes: Sizes; w: TorchWeights }[] = [
      { kind: 'RNNCell', sizes: { input: 3, hidden: 4, relu: true }, w: torchWeights('RNNCell', { input: 3, hidden: 4 }, true) },
      { kind: 'LSTMCell', sizes: { input: 4, hidden: 5 }, w: torchWeights('LSTMCell', { input: 4, hidden: 5 }, true) },
      { kind: 'GRUCell', sizes: { input: 5, hidden: 2 }, w: torchWeights('GRUCell', { input: 5, hidden: 2 }, false) },
    ];
    const entries: Record<string, tm.SafetensorsEntry> = {};
    for (const [i, { kind, sizes: { input, hidden }, w }] of layers.entries()) {
      const G = GATES[kind] * hidden;
      entries[`${i}.weight_ih`] = { dtype: 'f32', shape: [G, input], data: Float32Array.from(w.weightIh) };
      entries[`${i}.weight_hh`] = { dtype: 'f32', shape: [G, hidden], data: Float32Array.from(w.weightHh) };
      if (w.biasIh) entries[`${i}.bias_ih`] = { dtype: 'f32', shape: [G], data: Float32Array.from(w.biasIh) };
      if (w.biasHh) entries[`${i}.bias_hh`] = { dtype: 'f32', shape: [G], data: Float32Array.from(w.biasHh) };
    }
    tm.nn.loadPytorch(model, tm.encodeSafetensors(entries));
    const named = model.namedParameters();
    expect(Array.from(await named['1.weightHh'].data())).toEqual(Array.from(transpose2(f64([20, 5], layers[1].w.weightHh)).v));
    expect(Array.from(await named['1.biasIh'].data())).toEqual(Array.from(layers[1].w.biasIh!));

    const batch = 3;
    const x = asF32(uniform(batch * 3));
    let h: ArrayLike<number> = x;
    for (const { kind, sizes, w } of layers) {
      const zero = new Float64Array(batch * sizes.hidden);
      h = cellRef(kind, h, zero, zero, w, sizes).h;
    }
    expectClose(await model.predict(tm.tensor(x, [batch, 3])).data(), h, tol);

    const { '1.bias_hh': _, ...lacking } = entries;
    expect(() => tm.nn.loadPytorch(model, lacking)).toThrow(new tm.ValueError('loadPytorch: the state_dict has no 1.bias_hh (for 1.biasHh, [20])'));
    model.dispose();
  });
});

describe('recurrent cells', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it("holds weightIh [input, gates × hidden], weightHh [hidden, gates × hidden], biasIh and biasHh, gates in PyTorch's order, uniform in ±1/√hidden: a one-layer layer's of the same seed", async () => {
    for (const [kind, gates] of [['RNN', 1], ['LSTM', 4], ['GRU', 3]] as const) {
      const cell = new tm.nn[`${kind}Cell`](40, 25, { seed: 9 });
      const layer = new tm.nn[kind](40, 25, { seed: 9 });
      const shapes = Object.fromEntries(Object.entries(cell.namedParameters()).map(([name, p]) => [name, p.shape]));
      expect(shapes).toEqual({ weightIh: [40, gates * 25], weightHh: [25, gates * 25], biasIh: [gates * 25], biasHh: [gates * 25] });
      const v = await cell.weightIh.data();
      expect(Math.max(...v)).toBeLessThanOrEqual(0.2);
      expect(Math.min(...v)).toBeGreaterThanOrEqual(-0.2);
      expect(Math.max(...v)).toBeGreaterThan(0.19);
      const named = layer.namedParameters();
      for (const name of ['weightIh', 'weightHh', 'biasIh', 'biasHh'] as const) expect(await cell[name]!.data(), `${kind} ${name}`).toEqual(await named[`${name}L0`].data());
      cell.dispose();
      layer.dispose();
    }
    const plain = new tm.nn.GRUCell(2, 3, { bias: false });
    expect([Object.keys(plain.namedParameters()), plain.biasIh, plain.biasHh]).toEqual([['weightIh', 'weightHh'], null, null]);
  });

  it('computes in f16 with f16 copies of its f32 weights when given f16 (mixed precision), the gradients reaching the f32 weights', async () => {
    const lstm = new tm.nn.LSTMCell(3, 4, { seed: 2 });
    const x = tm.randn([2, 3], { seed: 4 });
    const state = { h: tm.randn([2, 4], { seed: 5 }), c: tm.randn([2, 4], { seed: 6 }) };
    const full = lstm.step(x, state);
    const half = lstm.step(x.cast('f16'), { h: state.h.cast('f16'), c: state.c.cast('f16') });
    expect([half.h.dtype, half.c.dtype]).toEqual(['f16', 'f16']);
    expectClose(await half.h.data(), await full.h.data(), 2e-2, 'h');
    expectClose(await half.c.data(), await full.c.data(), 2e-2, 'c');
    expect(lstm.step(x.cast('f16')).h.dtype).toBe('f16'); // the zero state in f16 too
    half.h.cast('f32').sum().backward();
    expect(lstm.weightHh.grad!.dtype).toBe('f32');
    lstm.dispose();
  });

  it('refuses bad sizes, options, inputs and states with errors that name them', () => {
    expect(() => new tm.nn.LSTMCell(0, 3)).toThrow(new tm.ValueError('LSTMCell: inputSize must be a positive integer, got 0'));
    expect(() => new tm.nn.GRUCell(3, 2.5)).toThrow(new tm.ValueError('GRUCell: hiddenSize must be a positive integer, got 2.5'));
    expect(() => new tm.nn.RNNCell(3, 2, { nonlinearity: 'gelu' as 'relu' })).toThrow(new tm.ValueError("RNNCell: nonlinearity must be 'tanh' or 'relu', got \"gelu\""));
    expect(() => new tm.nn.LSTMCell(3, 2, { nonlinearity: 'relu' } as tm.nn.RecurrentCellOptions)).toThrow(/^LSTMCell: unknown option "nonlinearity"; the options are bias, seed$/);
    expect(() => new tm.nn.GRUCell(3, 2, { bias: 'false' as unknown as boolean })).toThrow(new tm.ValueError('GRUCell: bias must be true or false, got "false"'));
    expect(() => new tm.nn.RNNCell(3, 2, { seed: -1 })).toThrow(new tm.ValueError('RNNCell: seed must be an integer in [0, 2^32), got -1'));

    const lstm = new tm.nn.LSTMCell(3, 2);
    const gru = new tm.nn.GRUCell(3, 2);
    const rnn = new tm.nn.RNNCell(3, 2);
    const x = tm.zeros([4, 3]);
    expect(() => lstm.step(tm.zeros([4, 2]))).toThrow(new tm.ShapeError('LSTMCell: expects x of shape [batch, 3] or unbatched [3], got [4,2]'));
    expect(() => gru.forward(tm.zeros([4, 1, 3]))).toThrow(new tm.ShapeError('GRUCell: expects x of shape [batch, 3] or unbatched [3], got [4,1,3]'));
    expect(() => rnn.forward([1, 2, 3] as unknown as tm.Tensor)).toThrow(new tm.ValueError('RNNCell: x must be a Tensor, got object'));
    expect(() => lstm.step(x, { h: tm.zeros([4, 2]) } as tm.nn.LSTMCellState)).toThrow(new tm.ValueError('LSTMCell: the state has no c (it is { h, c })'));
    expect(() => lstm.step(x, { h: tm.zeros([4, 2]), c: tm.zeros([2, 4]) })).toThrow(new tm.ShapeError('LSTMCell: c must be [4,2] ([batch, hidden]), got [2,4]'));
    expect(() => gru.forward(tm.zeros([3]), tm.zeros([1, 2]))).toThrow(new tm.ShapeError('GRUCell: h must be [2] ([hidden], as x is unbatched), got [1,2]'));
    expect(() => rnn.forward(x, tm.zeros([2]))).toThrow(new tm.ShapeError('RNNCell: h must be [4,2] ([batch, hidden]), got [2]'));
    expect(() => lstm.step(x, { h: tm.zeros([4, 2]), c: tm.zeros([4, 2], { dtype: 'f16' }) })).toThrow(new tm.DTypeError("LSTMCell: c is f16, x computes in f32: cast the state (c.cast('f32'))"));
    expect(() => gru.forward(x.cast('f16'), tm.zeros([4, 2]))).toThrow(new tm.DTypeError("GRUCell: h is f32, x computes in f16: cast the state (h.cast('f16'))"));
    expect(() => stepOf(gru, x, { h: tm.zeros([4, 2]), c: tm.zeros([4, 2]) })).toThrow(new tm.ValueError('GRUCell: the state has a c, which only an LSTMCell has'));
    expect(() => rnn.step(x, tm.zeros([4, 2]) as unknown as tm.nn.CellState)).toThrow(new tm.ValueError('RNNCell: the state must be { h }, got a tensor [4,2] (forward(x, h) takes h alone)'));
    expect(() => lstm.forward(x, null as unknown as tm.nn.LSTMCellState)).toThrow(new tm.ValueError('LSTMCell: the state must be { h, c }, got null'));
    expect(() => rnn.forward(x, { h: tm.zeros([4, 2]) } as unknown as tm.Tensor)).toThrow(new tm.ValueError('RNNCell: h must be a Tensor, got object'));
    for (const cell of [lstm, gru, rnn]) cell.dispose();
  });

  it("a file whose cell has a layer's field, or weights of another kind's shape, is corrupt, named", async () => {
    const gruFile = await new tm.nn.Sequential([new tm.nn.GRUCell(2, 3)]).toBytes();
    const lstmFile = await new tm.nn.Sequential([new tm.nn.LSTMCell(2, 3)]).toBytes();
    const { entries, metadata } = tm.decodeSafetensors(gruFile);
    const model = JSON.parse(metadata.model) as { layers: Record<string, unknown>[] };
    model.layers[0].numLayers = 1;
    expect(() => tm.nn.fromBytes(tm.encodeSafetensors(entries, { ...metadata, model: JSON.stringify(model) })))
      .toThrow(new CorruptFileError('model file: layer 0 (GRUCell) has a field "numLayers" that GRUCell does not have'));
    expect(() => tm.nn.fromBytes(tm.encodeSafetensors(tm.decodeSafetensors(lstmFile).entries, metadata)))
      .toThrow(new CorruptFileError('model file: parameter 0.weightIh is [2,12], the layer needs [2,9]'));
  });
});
