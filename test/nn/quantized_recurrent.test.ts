// QuantizedLSTM and QuantizedGRU: an LSTM or GRU whose products x·Wih and
// h·Whh run with int8 weights, x and h quantized per row as each step runs.
// Each step is the float64 computation of that definition (from the layer's
// own h of the step before, so that one rounding edge does not carry on) at
// odd sizes, both directions, from zeros and from a given state; stacked
// layers are their layers one after the other; with lengths each sequence
// runs as it would alone; it is close to the float layer; nothing in it is
// trained, yet x gets a straight-through gradient; a trained classifier keeps
// its accuracy. quantizeDynamic puts them in a model, which saves, loads and
// summarises with its int8 weights.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { activeBackend } from '../../src/engine.js';
import type { WebGpuBackend } from '../../src/backends/webgpu/index.js';
import { useQuantizedPath } from '../../src/backends/webgpu/kernels/quantized_path.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, uniform } from '../helpers/data.js';
import { quantizedRecurrentRef } from '../helpers/quantized.js';
import { loadDigits } from '../../examples/mnist/data.js';

type Kind = 'LSTM' | 'GRU';

function floatLayer(kind: Kind, input: number, hidden: number, options: tm.nn.RecurrentOptions): tm.nn.LSTM | tm.nn.GRU {
  return kind === 'LSTM' ? new tm.nn.LSTM(input, hidden, options) : new tm.nn.GRU(input, hidden, options);
}

function quantizedOf(layer: tm.nn.LSTM | tm.nn.GRU): tm.nn.QuantizedLSTM | tm.nn.QuantizedGRU {
  return layer instanceof tm.nn.LSTM ? tm.nn.QuantizedLSTM.fromLSTM(layer) : tm.nn.QuantizedGRU.fromGRU(layer);
}

async function values(model: tm.nn.Module): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const [name, t] of Object.entries(model.namedState())) out[name] = Array.from(await t.data());
  return out;
}

const SHAPES: { kind: Kind; batch: number; time: number; input: number; hidden: number; options: tm.nn.RecurrentOptions; given: boolean }[] = [
  { kind: 'LSTM', batch: 3, time: 5, input: 7, hidden: 5, options: {}, given: false },
  { kind: 'LSTM', batch: 2, time: 6, input: 13, hidden: 9, options: { bidirectional: true }, given: true },
  { kind: 'LSTM', batch: 1, time: 3, input: 1, hidden: 1, options: { bias: false }, given: false },
  { kind: 'GRU', batch: 3, time: 5, input: 7, hidden: 5, options: {}, given: true },
  { kind: 'GRU', batch: 2, time: 7, input: 33, hidden: 17, options: { bidirectional: true, bias: false }, given: false },
];

describe.each(BACKENDS)('QuantizedLSTM and QuantizedGRU on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
    // The int8 way, the one the reference computes (webgpu may time the f16 way faster; quantize.test.ts checks that one).
    if (backend === 'webgpu') useQuantizedPath((activeBackend() as WebGpuBackend).runtime, 'int8');
  });

  it.each(SHAPES)('$kind $batch×$time×$input → $hidden $options (initial state: $given): each step the float64 definition, close to the float layer', async ({ kind, batch, time, input, hidden, options, given }) => {
    const float = floatLayer(kind, input, hidden, options);
    const layer = quantizedOf(float);
    const named = layer.namedBuffers();
    expect(layer.parameters()).toEqual([]);
    expect(named.weightIhL0.dtype).toBe('i8');
    expect(named.weightIhL0.shape).toEqual([(kind === 'LSTM' ? 4 : 3) * hidden, input]);
    expect(named.weightHhScaleL0.shape).toEqual([(kind === 'LSTM' ? 4 : 3) * hidden]);
    const directions = layer.directions;
    const x = asF32(uniform(batch * time * input));
    const h0 = given ? asF32(uniform(directions * batch * hidden, -1, 1)) : null;
    const c0 = given ? asF32(uniform(directions * batch * hidden, -1, 1)) : null;
    const xt = tm.tensor(x, [batch, time, input]);
    const initial = h0 ? { h: tm.tensor(h0, [directions, batch, hidden]), ...(kind === 'LSTM' ? { c: tm.tensor(c0!, [directions, batch, hidden]) } : {}) } : undefined;
    const { output, state } = tm.noGrad(() => layer.run(xt, initial));
    expect(output.shape).toEqual([batch, time, hidden * directions]);
    const got = await output.data();
    const width = hidden * directions;
    let checked = 0;
    for (let d = 0; d < directions; d++) {
      const suffix = `L0${d ? 'Reverse' : ''}`;
      const read = async (name: string) => (named[`${name}${suffix}`] ? await named[`${name}${suffix}`].data() : undefined);
      const w = {
        ih: { values: (await read('weightIh'))!, scales: (await read('weightIhScale'))! },
        hh: { values: (await read('weightHh'))!, scales: (await read('weightHhScale'))! },
        biasIh: await read('biasIh'), biasHh: await read('biasHh'),
      };
      const start = (v: Float64Array | null) => (v ? v.subarray(d * batch * hidden, (d + 1) * batch * hidden) : undefined);
      const ref = quantizedRecurrentRef(kind, x, [batch, time, input], hidden, w, d === 1, got, width, d * hidden, start(h0), start(c0));
      const mine = Float64Array.from({ length: batch * time * hidden }, (_, i) => got[Math.floor(i / hidden) * width + d * hidden + (i % hidden)]);
      const keep = (v: ArrayLike<number>, marks: Uint8Array) => Array.from(v).filter((_, i) => marks[Math.floor(i / hidden)] === 1);
      expectClose(keep(mine, ref.checked), keep(ref.want, ref.checked), 1e-4, `${kind} direction ${d} steps`);
      checked += ref.checked.reduce((n, m) => n + m, 0);
      if (kind === 'LSTM') {
        const c = (await state.c!.data()).subarray(d * batch * hidden, (d + 1) * batch * hidden);
        expectClose(keep(c, ref.cChecked), keep(ref.c, ref.cChecked), 1e-4, 'last c');
      }
    }
    // Rounding edges are rare: most steps are compared.
    expect(checked).toBeGreaterThanOrEqual((directions * batch * time) / 2);
    // Against the float layer: int8 weights and activations move each gate by a few hundredths at most here.
    const floatOut = await tm.noGrad(() => float.run(xt, initial)).output.data();
    const diffs = Array.from(got, (g, i) => Math.abs(g - floatOut[i]));
    expect(Math.max(...diffs)).toBeLessThan(0.05);
    for (const t of [float, layer, xt, output, state.h, state.c, initial?.h, initial?.c]) t?.dispose();
  });

  it.each(['LSTM', 'GRU'] as const)('%s: two stacked bidirectional layers are their two layers one after the other; lengths act as running each sequence alone', async (kind) => {
    const [input, hidden] = [5, 6];
    const float = floatLayer(kind, input, hidden, { numLayers: 2, bidirectional: true, seed: 7 });
    const layer = quantizedOf(float);
    const Layer = kind === 'LSTM' ? tm.nn.QuantizedLSTM : tm.nn.QuantizedGRU;
    const first = new Layer(input, hidden, { bidirectional: true });
    const second = new Layer(2 * hidden, hidden, { bidirectional: true });
    const state = layer.namedBuffers();
    const layerOf = (l: number) => Object.fromEntries(Object.entries(state).filter(([name]) => name.includes(`L${l}`)).map(([name, t]) => [name.replace(`L${l}`, 'L0'), t]));
    first.loadStateDict(layerOf(0));
    second.loadStateDict(layerOf(1));
    const x = tm.tensor(asF32(uniform(3 * 4 * input)), [3, 4, input]);
    const both = tm.noGrad(() => layer.run(x));
    const one = tm.noGrad(() => first.run(x));
    const two = tm.noGrad(() => second.run(one.output));
    expectClose(await both.output.data(), await two.output.data(), 1e-6, 'stacked');
    expectClose(await both.state.h.data(), [...(await one.state.h.data()), ...(await two.state.h.data())], 1e-6, 'final h');

    // Sequences of lengths 4, 2, 3: each one's outputs are its own run alone, zeros past its end; its final state the one after its last step.
    const lengths = [4, 2, 3];
    const padded = tm.noGrad(() => layer.run(x, undefined, { lengths }));
    const out = await padded.output.data();
    const h = await padded.state.h.data();
    for (const [b, n] of lengths.entries()) {
      const alone = tm.noGrad(() => layer.run(x.slice([b, 0, 0], [1, n, input])));
      const rows = 2 * hidden;
      expectClose(out.slice(b * 4 * rows, b * 4 * rows + n * rows), await alone.output.data(), 1e-6, `sequence ${b}`);
      expect(Array.from(out.slice(b * 4 * rows + n * rows, (b + 1) * 4 * rows)).every((v) => v === 0)).toBe(true);
      const aloneH = await alone.state.h.data();
      for (let s = 0; s < 4; s++) expectClose(h.slice((s * 3 + b) * hidden, (s * 3 + b + 1) * hidden), aloneH.slice(s * hidden, (s + 1) * hidden), 1e-6, `final h ${s}`);
      for (const t of [alone.output, alone.state.h, alone.state.c]) t?.dispose();
    }
    for (const t of [float, layer, first, second, x, both.output, both.state.h, one.output, one.state.h, two.output, two.state.h, padded.output, padded.state.h]) t.dispose();
  });

  it('gives x the straight-through gradient (close to a float layer of the dequantized weights\'), and none to its int8 weights', async () => {
    const float = new tm.nn.LSTM(4, 3, { seed: 5 });
    const layer = tm.nn.QuantizedLSTM.fromLSTM(float);
    // The float layer of the weights the int8 ones stand for: its gradient differs only by the activations' rounding.
    const deq = new tm.nn.LSTM(4, 3, { seed: 6 });
    const buffers = layer.namedBuffers();
    for (const name of ['weightIh', 'weightHh']) {
      const q = new tm.QuantizedTensor(buffers[`${name}L0`], buffers[`${name}ScaleL0`]);
      const p = deq.namedParameters()[`${name}L0`];
      p.assign(tm.dequantize(q));
    }
    for (const name of ['biasIhL0', 'biasHhL0']) deq.namedParameters()[name].assign(buffers[name]);
    // x's gradient of sum(y²) through each layer.
    const x = tm.tensor(asF32(uniform(2 * 5 * 4)), [2, 5, 4]);
    const gradOf = async (l: tm.nn.Module) => {
      x.requiresGrad = true;
      tm.tidy(() => l.forward(x).square().sum()).backward();
      const g = await x.grad!.data();
      x.grad!.dispose();
      x.grad = null;
      return g;
    };
    const [a, b] = [await gradOf(layer), await gradOf(deq)];
    expect(a.some((v) => v !== 0)).toBe(true);
    expectClose(a, b, 0.05, 'straight-through gradient');
    expect(layer.parameters()).toEqual([]);
    for (const t of [float, layer, deq, x]) t.dispose();
  });

  it('computes in f16 for an f16 x, its output f16, close to the f32 run', async () => {
    const layer = tm.nn.QuantizedGRU.fromGRU(new tm.nn.GRU(6, 4, { seed: 2 }));
    const x = tm.tensor(asF32(uniform(2 * 3 * 6)), [2, 3, 6]);
    const y16 = tm.noGrad(() => layer.forward(x.cast('f16')));
    expect(y16.dtype).toBe('f16');
    expectClose(await y16.data(), await tm.noGrad(() => layer.forward(x)).data(), 0.02, 'f16');
    layer.dispose();
  });

  it('quantizeDynamic quantizes a model\'s LSTM, GRU and Dense by default, each as fromLSTM / fromGRU / fromDense do, the model left as it was', async () => {
    const model = new tm.nn.Sequential([
      new tm.nn.LSTM(6, 8, { seed: 1, numLayers: 2, dropout: 0.1 }),
      new tm.nn.GRU(8, 7, { seed: 2, output: 'last', bidirectional: true }),
      new tm.nn.Dense(14, 3, { seed: 3 }),
    ]).eval();
    const before = await values(model);
    const q = tm.nn.quantizeDynamic(model);
    expect(q.layers.map((l) => l.constructor.name)).toEqual(['QuantizedLSTM', 'QuantizedGRU', 'QuantizedDense']);
    expect(q.layers[1].config()).toEqual({ ...model.layers[1].config(), type: 'QuantizedGRU' });
    expect(q.training).toBe(false);
    expect(q.parameters()).toEqual([]);
    const x = tm.randn([3, 5, 6], { seed: 4 });
    const manual = tm.noGrad(() => tm.tidy(() => {
      const parts = [tm.nn.QuantizedLSTM.fromLSTM(model.layers[0] as tm.nn.LSTM), tm.nn.QuantizedGRU.fromGRU(model.layers[1] as tm.nn.GRU), tm.nn.QuantizedDense.fromDense(model.layers[2] as tm.nn.Dense)];
      const y = parts.reduce((t, l) => l.forward(t), x);
      parts.forEach((l) => l.dispose());
      return y;
    }));
    const yq = q.predict(x);
    expect(await yq.data()).toEqual(await manual.data());
    expectClose(await yq.data(), await model.predict(x).data(), 0.05, 'against float');
    expect(await values(model)).toEqual(before);
    await expect(q.fit(x, tm.zeros([3, 3]), { epochs: 1, quiet: true })).rejects.toThrow(/nothing to train \(layers quantized by tm.nn.quantizeDynamic are inference-only/);
    // Opting out of a kind keeps it float; a subclass of LSTM is left alone.
    const denseOnly = tm.nn.quantizeDynamic(model, { layers: ['Dense', 'GRU'] });
    expect(denseOnly.layers.map((l) => l.constructor.name)).toEqual(['LSTM', 'QuantizedGRU', 'QuantizedDense']);
    class MyLSTM extends tm.nn.LSTM {}
    const custom = tm.nn.quantizeDynamic(new tm.nn.Sequential([new MyLSTM(2, 3)]), { inplace: true });
    expect(custom.layers[0]).toBeInstanceOf(MyLSTM);
    // A quantized model quantized again (copied: its layers rebuilt) computes the same.
    const again = tm.nn.quantizeDynamic(q);
    expect(again.layers[0]).not.toBe(q.layers[0]);
    expect(await values(again)).toEqual(await values(q));
    expect(await again.predict(x).data()).toEqual(await yq.data());
    for (const t of [model, q, x, manual, yq, denseOnly, custom, again]) t.dispose();
  });

  it('keeps a trained row-by-row LSTM digit classifier\'s test accuracy within 2 points', async () => {
    const { train, test } = loadDigits({ train: 1000, test: 500, seed: 7 });
    // Each image read as 28 rows of 28 pixels, one row a step.
    const model = new tm.nn.Sequential([new tm.nn.LSTM(28, 32, { output: 'last', seed: 1 }), new tm.nn.Dense(32, 10, { seed: 2 })]);
    const [x, y] = [tm.tensor(train.images, [train.count, 28, 28]), tm.tensor(train.labels, [train.count], { dtype: 'i32' })];
    const optimizer = new tm.optim.Adam(model.parameters(), { lr: 0.01 });
    await model.fit(x, y, { epochs: 8, batchSize: 50, loss: 'crossEntropy', optimizer, seed: 3, quiet: true });
    const [xt, yt] = [tm.tensor(test.images, [test.count, 28, 28]), tm.tensor(test.labels, [test.count], { dtype: 'i32' })];
    const float = (await model.evaluate(xt, yt, { loss: 'crossEntropy' })).accuracy!;
    const q = tm.nn.quantizeDynamic(model);
    expect(q.layers[0]).toBeInstanceOf(tm.nn.QuantizedLSTM);
    const quantized = (await q.evaluate(xt, yt, { loss: 'crossEntropy' })).accuracy!;
    expect(float).toBeGreaterThan(0.7);
    expect(Math.abs(quantized - float)).toBeLessThanOrEqual(0.02);
    for (const t of [model, q, x, y, xt, yt]) t.dispose();
    // Training: ~10 s on js and ~14 s on webgpu alone, 31 s once in a loaded CI run (the 30 s default).
  }, 120_000);

  it('saves and loads with its int8 weights, shows in summary() the float model\'s parameter count, refuses a float checkpoint', async () => {
    const model = new tm.nn.Sequential([new tm.nn.LSTM(5, 6, { seed: 1, bidirectional: true, output: 'last' }), new tm.nn.Dense(12, 2, { seed: 2 })]);
    const q = tm.nn.quantizeDynamic(model);
    const loaded = tm.nn.fromBytes(await q.toBytes());
    expect(loaded.layers.map((l) => l.config())).toEqual(q.layers.map((l) => l.config()));
    expect(loaded.namedState()['0.weightHhL0Reverse'].dtype).toBe('i8');
    expect(await values(loaded)).toEqual(await values(q));
    const x = tm.randn([2, 4, 5], { seed: 3 });
    expect(await loaded.predict(x).data()).toEqual(await q.predict(x).data());
    expect(() => q.loadStateDict(model.stateDict())).toThrow(/0\.weightIhL0 is int8 in the module \(a layer quantized by tm.nn.quantizeDynamic\) and f32 in the state/);
    // LSTM 5→6 both ways: 2·(5·24 + 6·24 + 2·24) = 624, and the Dense's 26. Bytes: 528 int8, 96 f32 biases, 96 f32 scales, the Dense's 24 + 2·4 + 2·4.
    const last = q.summary([4, 5]).split('\n').at(-1);
    expect(last).toBe(`parameters: 650 (0 trainable, 552 int8), ${((552 + 4 * (96 + 96 + 2 + 2)) / 1024).toLocaleString('en-US', { maximumFractionDigits: 1 })} KiB`);
    expect(model.summary().split('\n').at(-1)).toMatch(/^parameters: 650 \(650 trainable\)/);
    for (const t of [model, q, loaded, x]) t.dispose();
  });

  it('refuses what is not its kind, and wrong input, by name; leaves tm.memory() flat', () => {
    expect(() => tm.nn.QuantizedLSTM.fromLSTM(new tm.nn.GRU(2, 2) as unknown as tm.nn.LSTM)).toThrow(/QuantizedLSTM.fromLSTM: expects a tm.nn.LSTM, got /);
    expect(() => tm.nn.QuantizedGRU.fromGRU({} as tm.nn.GRU)).toThrow(/QuantizedGRU.fromGRU: expects a tm.nn.GRU/);
    const layer = new tm.nn.QuantizedLSTM(3, 2);
    expect(() => layer.forward(tm.zeros([2, 4, 5]))).toThrow(tm.ShapeError);
    expect(() => layer.forward(tm.zeros([2, 4, 5]))).toThrow(/QuantizedLSTM: expects x of shape \[batch, time, 3\], got \[2, ?4, ?5\]/);
    expect(() => new tm.nn.QuantizedGRU(3, 2, { nonlinearity: 'relu' } as object)).toThrow(/QuantizedGRU: unknown option/);
    const x = tm.randn([2, 4, 3], { seed: 1 });
    tm.noGrad(() => layer.forward(x)).dispose();
    const steady = tm.memory().numTensors;
    for (let i = 0; i < 3; i++) tm.noGrad(() => layer.forward(x)).dispose();
    expect(tm.memory().numTensors).toBe(steady);
    const held = Object.keys(layer.namedState()).length;
    layer.dispose();
    x.dispose();
    expect(tm.memory().numTensors).toBe(steady - held - 1);
  });
});
