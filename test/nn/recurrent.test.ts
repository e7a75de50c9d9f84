import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, uniform } from '../helpers/data.js';
import { f64, recurrentRef, type F64, type RecurrentCellRef } from '../helpers/float64.js';
import { collected } from '../helpers/gc.js';

type Kind = 'RNN' | 'LSTM' | 'GRU';
const GATES: Record<Kind, number> = { RNN: 1, LSTM: 4, GRU: 3 };

function layerOf(kind: Kind, input: number, hidden: number, options: tm.nn.RNNOptions = {}): tm.nn.RNN | tm.nn.LSTM | tm.nn.GRU {
  if (kind === 'RNN') return new tm.nn.RNN(input, hidden, options);
  return new tm.nn[kind](input, hidden, options);
}

/** The layer's weights as the reference takes them, read back from the tensors. */
async function cellsOf(layer: tm.nn.RNN | tm.nn.LSTM | tm.nn.GRU): Promise<RecurrentCellRef[]> {
  const named = layer.namedParameters();
  const cells: RecurrentCellRef[] = [];
  for (let l = 0; l < layer.numLayers; l++) {
    for (let d = 0; d < layer.directions; d++) {
      const suffix = `L${l}${d ? 'Reverse' : ''}`;
      const read = async (name: string): Promise<F64 | undefined> => {
        const t = named[`${name}${suffix}`];
        return t ? f64([...t.shape], await t.data()) : undefined;
      };
      cells.push({ weightIh: (await read('weightIh'))!, weightHh: (await read('weightHh'))!, biasIh: await read('biasIh'), biasHh: await read('biasHh') });
    }
  }
  return cells;
}

const SHAPES: { kind: Kind; batch: number; time: number; input: number; hidden: number; options: tm.nn.RNNOptions }[] = [
  { kind: 'LSTM', batch: 3, time: 5, input: 7, hidden: 5, options: {} },
  { kind: 'LSTM', batch: 2, time: 4, input: 3, hidden: 6, options: { numLayers: 2, bidirectional: true } },
  { kind: 'GRU', batch: 3, time: 5, input: 7, hidden: 5, options: {} },
  { kind: 'GRU', batch: 1, time: 6, input: 4, hidden: 3, options: { numLayers: 2, bidirectional: true, bias: false } },
  { kind: 'RNN', batch: 4, time: 3, input: 5, hidden: 9, options: { numLayers: 2 } },
  { kind: 'RNN', batch: 2, time: 7, input: 2, hidden: 4, options: { nonlinearity: 'relu', bidirectional: true } },
];

describe.each(BACKENDS)('recurrent layers on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each(SHAPES)('$kind $batch×$time×$input → $hidden $options follows PyTorch\'s equations in float64, from zeros and from a given state', async ({ kind, batch, time, input, hidden, options }) => {
    const layer = layerOf(kind, input, hidden, options);
    const x = asF32(uniform(batch * time * input));
    const states = layer.numLayers * layer.directions;
    const h0 = asF32(uniform(states * batch * hidden, -1, 1));
    const c0 = asF32(uniform(states * batch * hidden, -1, 1));
    const cells = await cellsOf(layer);
    const sizes = { hidden, layers: layer.numLayers, directions: layer.directions, relu: options.nonlinearity === 'relu' };
    const xt = tm.tensor(x, [batch, time, input]);

    const fromZeros = layer.run(xt);
    const want = recurrentRef(kind, f64([batch, time, input], x), cells, sizes);
    expect(fromZeros.output.shape).toEqual([batch, time, hidden * layer.directions]);
    expectClose(await fromZeros.output.data(), want.output.v, 1e-4, 'output');
    expectClose(await fromZeros.state.h.data(), want.h.v, 1e-4, 'h');
    if (kind === 'LSTM') expectClose(await fromZeros.state.c!.data(), want.c.v, 1e-4, 'c');
    else expect(fromZeros.state.c).toBeUndefined();
    expectClose(await layer.forward(xt).data(), want.output.v, 1e-4, 'forward');

    const stateShape = [states, batch, hidden];
    const initial = { h: tm.tensor(h0, stateShape), c: kind === 'LSTM' ? tm.tensor(c0, stateShape) : undefined };
    const fromState = layer.run(xt, initial);
    const wantFrom = recurrentRef(kind, f64([batch, time, input], x), cells, { ...sizes, h0: f64(stateShape, h0), c0: f64(stateShape, c0) });
    expectClose(await fromState.output.data(), wantFrom.output.v, 1e-4, 'output from a state');
    expectClose(await fromState.state.h.data(), wantFrom.h.v, 1e-4, 'h from a state');
    layer.dispose();
  });

  it.each(SHAPES.filter((s) => s.options.numLayers === 2 || s.kind === 'LSTM'))('$kind $options: the gradients of x, the initial state and every weight match float64 central differences', async ({ kind, batch, time, input, hidden, options }) => {
    const layer = layerOf(kind, input, hidden, options);
    const states = layer.numLayers * layer.directions;
    const stateShape = [states, batch, hidden];
    const x = asF32(uniform(batch * time * input));
    const h0 = asF32(uniform(states * batch * hidden, -1, 1));
    const c0 = asF32(uniform(states * batch * hidden, -1, 1));
    const outShape = [batch, time, hidden * layer.directions];
    const ry = asF32(uniform(outShape.reduce((a, b) => a * b), -1, 1));
    const rh = asF32(uniform(states * batch * hidden, -1, 1));
    const rc = asF32(uniform(states * batch * hidden, -1, 1));

    // loss = Σ output·ry + Σ h·rh (+ Σ c·rc): every output and final state reaches it.
    const xt = tm.tensor(x, [batch, time, input]);
    xt.requiresGrad = true;
    const initial = { h: tm.tensor(h0, stateShape), c: kind === 'LSTM' ? tm.tensor(c0, stateShape) : undefined };
    initial.h.requiresGrad = true;
    if (initial.c) initial.c.requiresGrad = true;
    const { output, state } = layer.run(xt, initial);
    let loss = output.mul(tm.tensor(ry, outShape)).sum().add(state.h.mul(tm.tensor(rh, stateShape)).sum());
    if (state.c) loss = loss.add(state.c.mul(tm.tensor(rc, stateShape)).sum());
    loss.backward();

    const cells = await cellsOf(layer);
    const sizes = { hidden, layers: layer.numLayers, directions: layer.directions, relu: options.nonlinearity === 'relu' };
    const ref = { x: f64([batch, time, input], x), h0: f64(stateShape, h0), c0: f64(stateShape, c0) };
    const lossRef = () => {
      const r = recurrentRef(kind, ref.x, cells, { ...sizes, h0: ref.h0, c0: ref.c0 });
      let s = 0;
      r.output.v.forEach((v, i) => (s += v * ry[i]));
      r.h.v.forEach((v, i) => (s += v * rh[i]));
      if (kind === 'LSTM') r.c.v.forEach((v, i) => (s += v * rc[i]));
      return s;
    };
    const numeric = (values: Float64Array): Float64Array => values.map((v, i) => {
      const eps = 1e-6;
      values[i] = v + eps;
      const up = lossRef();
      values[i] = v - eps;
      const down = lossRef();
      values[i] = v;
      return (up - down) / (2 * eps);
    });
    const check = async (got: tm.Tensor | null, values: Float64Array, what: string) => {
      const want = numeric(values);
      const scale = Math.max(...want.map(Math.abs));
      expectClose(await got!.data(), want, 1e-4, `d${what}`, want.map(() => scale));
    };
    await check(xt.grad, ref.x.v, 'x');
    await check(initial.h.grad, ref.h0.v, 'h0');
    if (initial.c) await check(initial.c.grad, ref.c0.v, 'c0');
    const named = layer.namedParameters();
    for (const [i, cell] of cells.entries()) {
      const suffix = `L${Math.floor(i / layer.directions)}${i % layer.directions ? 'Reverse' : ''}`;
      for (const name of ['weightIh', 'weightHh', 'biasIh', 'biasHh'] as const) {
        if (cell[name]) await check(named[`${name}${suffix}`].grad, cell[name]!.v, `${name}${suffix}`);
      }
    }
    layer.dispose();
  });

  it("output: 'last' gives the top layer's final h, both passes side by side (the reverse pass's after step 0), ready for a Dense", async () => {
    for (const kind of ['LSTM', 'GRU', 'RNN'] as const) {
      const options = { numLayers: 2, bidirectional: true, seed: 5 };
      const sequence = layerOf(kind, 3, 4, options);
      const last = layerOf(kind, 3, 4, { ...options, output: 'last' });
      const x = tm.randn([5, 6, 3], { seed: 2 });
      const all = await sequence.forward(x).array() as number[][][];
      const got = last.forward(x);
      expect(got.shape).toEqual([5, 8]);
      const want = all.map((steps) => [...steps[5].slice(0, 4), ...steps[0].slice(4)]);
      expectClose((await got.data()), want.flat(), 1e-6, kind);
      sequence.dispose();
      last.dispose();
    }
  });

  it('goes on from a returned state: two halves of a sequence give what the whole gives', async () => {
    const lstm = new tm.nn.LSTM(3, 5, { numLayers: 2, seed: 1 });
    const x = tm.randn([2, 8, 3], { seed: 3 });
    const whole = lstm.run(x);
    const first = lstm.run(x.slice([0, 0, 0], [2, 5, 3]));
    const second = lstm.run(x.slice([0, 5, 0], [2, 3, 3]), first.state);
    expectClose(await tm.concat([first.output, second.output], 1).data(), await whole.output.data(), 1e-6);
    expectClose(await second.state.h.data(), await whole.state.h.data(), 1e-6);
    expectClose(await second.state.c!.data(), await whole.state.c!.data(), 1e-6);
    lstm.dispose();
  });

  it('an LSTM and a Dense learn which of two symbols came first in a noisy sequence', async () => {
    // The label is set at step 0 and followed by noise, so the state must carry it to the end.
    tm.setSeed(7);
    const n = 256;
    const time = 8;
    const labels = Array.from({ length: n }, (_, i) => i % 2);
    const noise = uniform(n * time * 2, -0.5, 0.5);
    const x = tm.tensor(Float32Array.from(noise, (v, i) => {
      const [sample, t, f] = [Math.floor(i / (time * 2)), Math.floor(i / 2) % time, i % 2];
      return t === 0 ? (f === labels[sample] ? 1 : 0) : v;
    }), [n, time, 2]);
    const y = tm.tensor(labels, [n], { dtype: 'i32' });
    const model = new tm.nn.Sequential([new tm.nn.LSTM(2, 8, { output: 'last', seed: 1 }), new tm.nn.Dense(8, 2, { seed: 2 })]);
    const history = await model.fit(x, y, { epochs: 30, batchSize: 32, loss: 'crossEntropy', optimizer: new tm.optim.Adam(model.parameters(), { lr: 0.03 }), shuffle: false, quiet: true });
    expect(history.loss.at(-1)!).toBeLessThan(0.1 * history.loss[0]);
    expect(history.accuracy.at(-1)!).toBeGreaterThan(0.95);
    model.dispose();
  });

  it('leaves no tensor behind after a training step', async () => {
    const gru = new tm.nn.GRU(3, 4, { numLayers: 2, bidirectional: true, dropout: 0.2, seed: 1 });
    const x = tm.randn([2, 5, 3], { seed: 1 });
    const step = () => tm.tidy(() => gru.forward(x).square().mean().backward());
    step();
    const before = await collected();
    for (let i = 0; i < 3; i++) step();
    expect(tm.memory().numTensors).toBe(before);
    gru.dispose();
    x.dispose();
  });
});

describe('recurrent layers', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it("names its weights as PyTorch does, in camel case and PyTorch's order, with Dense's layout [in, gates × hidden]", () => {
    const lstm = new tm.nn.LSTM(3, 5, { numLayers: 2, bidirectional: true });
    const shapes = Object.fromEntries(Object.entries(lstm.namedParameters()).map(([name, p]) => [name, p.shape]));
    expect(Object.keys(shapes)).toEqual([
      'weightIhL0', 'weightHhL0', 'biasIhL0', 'biasHhL0', 'weightIhL0Reverse', 'weightHhL0Reverse', 'biasIhL0Reverse', 'biasHhL0Reverse',
      'weightIhL1', 'weightHhL1', 'biasIhL1', 'biasHhL1', 'weightIhL1Reverse', 'weightHhL1Reverse', 'biasIhL1Reverse', 'biasHhL1Reverse',
    ]);
    expect(shapes.weightIhL0).toEqual([3, 20]);
    expect(shapes.weightIhL1).toEqual([10, 20]);
    expect(shapes.weightHhL1Reverse).toEqual([5, 20]);
    expect(shapes.biasHhL0).toEqual([20]);
    expect(Object.keys(new tm.nn.GRU(2, 3, { bias: false }).namedParameters())).toEqual(['weightIhL0', 'weightHhL0']);
    lstm.dispose();
  });

  it('draws every weight uniform in ±1/√hidden, as PyTorch, reproducibly with a seed', async () => {
    const a = new tm.nn.GRU(40, 25, { seed: 9 });
    const b = new tm.nn.GRU(40, 25, { seed: 9 });
    const v = await a.namedParameters().weightIhL0.data();
    expect(Math.max(...v)).toBeLessThanOrEqual(0.2);
    expect(Math.min(...v)).toBeGreaterThanOrEqual(-0.2);
    expect(Math.max(...v)).toBeGreaterThan(0.19);
    expect(v).toEqual(await b.namedParameters().weightIhL0.data());
    expect(await a.namedParameters().weightHhL0.data()).not.toEqual(v.slice(0, 25 * 75));
    a.dispose();
    b.dispose();
  });

  it('refuses bad sizes, options, inputs and states with errors that name them', () => {
    expect(() => new tm.nn.LSTM(0, 3)).toThrow('LSTM: inputSize must be a positive integer, got 0');
    expect(() => new tm.nn.GRU(3, 2, { numLayers: 1.5 })).toThrow('GRU: numLayers must be a positive integer, got 1.5');
    expect(() => new tm.nn.LSTM(3, 2, { dropout: 1 })).toThrow('LSTM: dropout must be a number in [0, 1), got 1');
    expect(() => new tm.nn.LSTM(3, 2, { output: 'all' as 'last' })).toThrow("LSTM: output must be 'sequence' or 'last', got \"all\"");
    expect(() => new tm.nn.LSTM(3, 2, { nonlinearity: 'relu' } as tm.nn.RecurrentOptions)).toThrow('LSTM: unknown option "nonlinearity"');
    expect(() => new tm.nn.RNN(3, 2, { nonlinearity: 'gelu' as 'relu' })).toThrow("RNN: nonlinearity must be 'tanh' or 'relu', got \"gelu\"");
    expect(() => new tm.nn.LSTM(3, 2, { batch_first: true } as tm.nn.RecurrentOptions)).toThrow(/unknown option "batch_first"/);
    const lstm = new tm.nn.LSTM(3, 2, { numLayers: 2 });
    expect(() => lstm.forward(tm.zeros([4, 3]))).toThrow('LSTM: expects x of shape [batch, time, 3], got [4,3]');
    expect(() => lstm.forward(tm.zeros([4, 5, 2]))).toThrow('LSTM: expects x of shape [batch, time, 3], got [4,5,2]');
    expect(() => lstm.forward(tm.zeros([4, 0, 3]))).toThrow('LSTM: x [4,0,3] has no steps');
    expect(() => lstm.run(tm.zeros([4, 5, 3]), { h: tm.zeros([2, 4, 2]) })).toThrow('LSTM: the initial state has no c');
    expect(() => lstm.run(tm.zeros([4, 5, 3]), { h: tm.zeros([2, 4, 2]), c: tm.zeros([2, 4, 2], { dtype: 'f16' }) }))
      .toThrow("LSTM: the initial c is f16, x computes in f32: cast the state (c.cast('f32'))");
    expect(() => new tm.nn.GRU(3, 2).run(tm.zeros([4, 5, 3]), { h: tm.zeros([1, 4, 2]), c: tm.zeros([1, 4, 2]) })).toThrow('GRU: the initial state has a c, which only an LSTM has');
    expect(() => lstm.run(tm.zeros([4, 5, 3]), { h: tm.zeros([1, 4, 2]), c: tm.zeros([2, 4, 2]) }))
      .toThrow('LSTM: the initial h must be [numLayers × directions, batch, hidden] = [2,4,2], got [1,4,2]');
    lstm.dispose();
  });

  it('computes in f16 with f16 copies of its f32 weights when given f16 (mixed precision), the gradients reaching the f32 weights', async () => {
    const lstm = new tm.nn.LSTM(3, 4, { seed: 2 });
    const x = tm.randn([2, 5, 3], { seed: 4 });
    const full = await lstm.forward(x).data();
    const half = lstm.forward(x.cast('f16'));
    expect(half.dtype).toBe('f16');
    expectClose(await half.data(), full, 2e-2);
    half.cast('f32').sum().backward();
    expect(lstm.namedParameters().weightHhL0.grad!.dtype).toBe('f32');
    lstm.dispose();
  });

  it('passes dropout between layers in training only, as PyTorch', async () => {
    const gru = new tm.nn.GRU(3, 6, { numLayers: 2, dropout: 0.5, seed: 3 });
    const x = tm.randn([4, 5, 3], { seed: 1 });
    const trained = [await gru.forward(x).data(), await gru.forward(x).data()];
    expect(trained[0]).not.toEqual(trained[1]);
    gru.eval();
    const evaluated = [await gru.forward(x).data(), await gru.forward(x).data()];
    expect(evaluated[0]).toEqual(evaluated[1]);
    gru.dispose();
  });
});
