// AdaptiveLogSoftmaxWithLoss against PyTorch's definition computed in
// float64 here (log-softmax of the head, and of each tail's two projections
// added to its cluster's head log-probability), at odd sizes, on every
// backend: the target's log-probability and the loss, logProb (rows that
// are distributions), predict (logProb's argmax), the gradients of the
// input and every weight by central differences; PyTorch's names in
// loadPytorch, saving and loading, errors, memory.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, expectExact, randomInts, uniform } from '../helpers/data.js';
import { centralDifferences } from '../helpers/float64.js';

interface Weights {
  head: Float64Array; // [in, shortlist + clusters], tmnn's x·W layout
  headBias: Float64Array | null;
  tails: { proj: Float64Array; out: Float64Array }[]; // [in, hidden] and [hidden, size]
}

interface Spec {
  n: number;
  inFeatures: number;
  nClasses: number;
  cutoffs: number[];
  divValue: number;
  headBias: boolean;
}

/** x [rows, k] · w [k, m], in float64. */
function mm(x: Float64Array, w: Float64Array, rows: number, k: number, m: number): Float64Array {
  const y = new Float64Array(rows * m);
  for (let r = 0; r < rows; r++) for (let j = 0; j < m; j++) {
    let s = 0;
    for (let i = 0; i < k; i++) s += x[r * k + i] * w[i * m + j];
    y[r * m + j] = s;
  }
  return y;
}

/** Log-softmax of each row of x [rows, m], in float64. */
function logSoftmaxRows(x: Float64Array, rows: number, m: number): Float64Array {
  const y = new Float64Array(x.length);
  for (let r = 0; r < rows; r++) {
    const row = x.subarray(r * m, (r + 1) * m);
    const top = Math.max(...row);
    const lse = top + Math.log(row.reduce((s, v) => s + Math.exp(v - top), 0));
    for (let j = 0; j < m; j++) y[r * m + j] = row[j] - lse;
  }
  return y;
}

const hiddenOf = (s: Spec, i: number) => Math.floor(s.inFeatures / s.divValue ** (i + 1));

/** Every class's log-probability [n, nClasses] of x [n, in], as PyTorch's log_prob computes it, in float64. */
function logProbRef(x: Float64Array, w: Weights, s: Spec): Float64Array {
  const [shortlist, clusters] = [s.cutoffs[0], s.cutoffs.length];
  const width = shortlist + clusters;
  const headLogits = mm(x, w.head, s.n, s.inFeatures, width);
  if (w.headBias) for (let r = 0; r < s.n; r++) for (let j = 0; j < width; j++) headLogits[r * width + j] += w.headBias[j];
  const head = logSoftmaxRows(headLogits, s.n, width);
  const bounds = [...s.cutoffs, s.nClasses];
  const y = new Float64Array(s.n * s.nClasses);
  for (let r = 0; r < s.n; r++) for (let c = 0; c < shortlist; c++) y[r * s.nClasses + c] = head[r * width + c];
  w.tails.forEach(({ proj, out }, i) => {
    const [hidden, size] = [hiddenOf(s, i), bounds[i + 1] - bounds[i]];
    const tail = logSoftmaxRows(mm(mm(x, proj, s.n, s.inFeatures, hidden), out, s.n, hidden, size), s.n, size);
    for (let r = 0; r < s.n; r++) for (let c = 0; c < size; c++) y[r * s.nClasses + bounds[i] + c] = tail[r * size + c] + head[r * width + shortlist + i];
  });
  return y;
}

/** Each row's log-probability of its target. */
function outputRef(x: Float64Array, targets: Float64Array, w: Weights, s: Spec): Float64Array {
  const all = logProbRef(x, w, s);
  return targets.map((t, r) => all[r * s.nClasses + t]);
}

async function weightsOf(layer: tm.nn.AdaptiveLogSoftmaxWithLoss): Promise<Weights> {
  const of = async (t: tm.Tensor) => Float64Array.from(await t.data());
  return {
    head: await of(layer.head.weight),
    headBias: layer.head.bias ? await of(layer.head.bias) : null,
    tails: await Promise.all(layer.tail.map(async (t) => ({ proj: await of((t.layers[0] as tm.nn.Dense).weight), out: await of((t.layers[1] as tm.nn.Dense).weight) }))),
  };
}

const CASES: Spec[] = [
  { n: 7, inFeatures: 13, nClasses: 20, cutoffs: [5, 12], divValue: 2, headBias: false },
  { n: 13, inFeatures: 8, nClasses: 11, cutoffs: [1, 4, 10], divValue: 1.5, headBias: true },
  { n: 1, inFeatures: 1, nClasses: 2, cutoffs: [1], divValue: 1, headBias: true },
  { n: 9, inFeatures: 16, nClasses: 40, cutoffs: [10, 30], divValue: 4, headBias: false },
];

describe.each(BACKENDS)('AdaptiveLogSoftmaxWithLoss on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each(CASES)('[$n, $inFeatures] over $nClasses classes, cutoffs $cutoffs, divValue $divValue: output, loss, logProb and predict as the float64 reference', async (s) => {
    const layer = new tm.nn.AdaptiveLogSoftmaxWithLoss(s.inFeatures, s.nClasses, s.cutoffs, { divValue: s.divValue, headBias: s.headBias, seed: 4 });
    const w = await weightsOf(layer);
    const xs = asF32(uniform(s.n * s.inFeatures));
    const targets = randomInts(s.n, 0, s.nClasses - 1);
    const x = tm.tensor(xs, [s.n, s.inFeatures]);
    const { output, loss } = layer.withLoss(x, tm.tensor(targets, [s.n], { dtype: 'i32' }));
    expect(output.shape).toEqual([s.n]);
    expect(loss.shape).toEqual([]);
    const want = outputRef(xs, targets, w, s);
    expectClose(await output.data(), want, 1e-5, 'output');
    expectClose(await loss.data(), [-want.reduce((a, b) => a + b, 0) / s.n], 1e-5, 'loss');
    const logProb = layer.logProb(x);
    expect(logProb.shape).toEqual([s.n, s.nClasses]);
    const all = await logProb.data();
    expectClose(all, logProbRef(xs, w, s), 1e-5, 'logProb');
    const mass = Array.from({ length: s.n }, (_, r) => Array.from(all.slice(r * s.nClasses, (r + 1) * s.nClasses)).reduce((a, v) => a + Math.exp(v), 0));
    expectClose(mass, mass.map(() => 1), 1e-5, 'probability mass');
    const predicted = layer.predict(x);
    expect(predicted.dtype).toBe('i32');
    const argmax = Array.from({ length: s.n }, (_, r) => {
      const row = Array.from(all.slice(r * s.nClasses, (r + 1) * s.nClasses));
      return row.indexOf(Math.max(...row));
    });
    expectExact(await predicted.data(), argmax, 'predict');
    layer.dispose();
  });

  it('passes gradients to the input, the head (weight and bias) and both projections of every tail, as central differences of the float64 reference', async () => {
    const s: Spec = { n: 6, inFeatures: 5, nClasses: 7, cutoffs: [3, 5], divValue: 2, headBias: true };
    const layer = new tm.nn.AdaptiveLogSoftmaxWithLoss(s.inFeatures, s.nClasses, s.cutoffs, { divValue: s.divValue, headBias: true, seed: 9 });
    const w = await weightsOf(layer);
    const xs = asF32(uniform(s.n * s.inFeatures));
    const targets = Float64Array.from([0, 4, 6, 2, 5, 3]); // every cluster, each edge of one
    const upstream = asF32(uniform(s.n, -1, 1));
    const x = tm.tensor(xs, [s.n, s.inFeatures]);
    x.requiresGrad = true;
    const y = layer.forward(x, tm.tensor(targets, [s.n], { dtype: 'i32' }));
    tm.tidy(() => y.mul(tm.tensor(upstream, [s.n])).sum()).backward();
    const loss = () => outputRef(xs, targets, w, s).reduce((a, v, i) => a + v * upstream[i], 0);
    expectClose(await x.grad!.data(), centralDifferences(xs, loss), 1e-4, 'dinput');
    expectClose(await layer.head.weight.grad!.data(), centralDifferences(w.head, loss), 1e-4, 'dhead.weight');
    expectClose(await layer.head.bias!.grad!.data(), centralDifferences(w.headBias!, loss), 1e-4, 'dhead.bias');
    for (const [i, tail] of layer.tail.entries()) {
      const [proj, out] = tail.layers as tm.nn.Dense[];
      expectClose(await proj.weight.grad!.data(), centralDifferences(w.tails[i].proj, loss), 1e-4, `dtail.${i}.0.weight`);
      expectClose(await out.weight.grad!.data(), centralDifferences(w.tails[i].out, loss), 1e-4, `dtail.${i}.1.weight`);
    }
    layer.dispose();
  });

  it('leaves no tensors behind, a training step, logProb or predict', () => {
    const layer = new tm.nn.AdaptiveLogSoftmaxWithLoss(6, 9, [2, 5], { seed: 1, divValue: 2 });
    const x = tm.randn([5, 6], { seed: 2 });
    const target = tm.tensor([0, 3, 8, 1, 5], [5], { dtype: 'i32' });
    const step = () => tm.tidy(() => layer.withLoss(x, target).loss.backward());
    const infer = () => tm.noGrad(() => {
      layer.logProb(x).dispose();
      layer.predict(x).dispose();
    });
    step();
    infer();
    const before = tm.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      step();
      infer();
    }
    expect(tm.memory().numTensors).toBe(before);
    layer.dispose();
  });
});

describe('AdaptiveLogSoftmaxWithLoss: layout, saving, settings and errors', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it("has PyTorch's sublayers: a head of shortlist + clusters outputs, tails projected by divValue^(i+1), no tail biases", () => {
    const layer = new tm.nn.AdaptiveLogSoftmaxWithLoss(64, 1000, [100, 400], { seed: 1 });
    expect(layer.head.weight.shape).toEqual([64, 102]);
    expect(layer.head.bias).toBeNull();
    expect(layer.tail.map((t) => (t.layers as tm.nn.Dense[]).map((d) => [...d.weight.shape, d.bias === null]))).toEqual([
      [[64, 16, true], [16, 300, true]],
      [[64, 4, true], [4, 600, true]],
    ]);
    expect(Object.keys(layer.namedParameters())).toEqual(['0.weight', '1.0.weight', '1.1.weight', '2.0.weight', '2.1.weight']);
    layer.dispose();
  });

  it("reads PyTorch's head.weight, head.bias and tail.{i}.{0,1}.weight, [out, in] transposed, and saves and loads them", async () => {
    const s: Spec = { n: 4, inFeatures: 6, nClasses: 9, cutoffs: [3, 6], divValue: 2, headBias: true };
    const layer = new tm.nn.AdaptiveLogSoftmaxWithLoss(s.inFeatures, s.nClasses, s.cutoffs, { divValue: 2, headBias: true });
    const model = new tm.nn.Sequential([layer]);
    const entry = (shape: number[]) => ({ dtype: 'f32' as const, shape, data: Float32Array.from(asF32(uniform(shape[0] * (shape[1] ?? 1)))) });
    const state = {
      '0.head.weight': entry([5, 6]), '0.head.bias': entry([5]),
      '0.tail.0.0.weight': entry([3, 6]), '0.tail.0.1.weight': entry([3, 3]),
      '0.tail.1.0.weight': entry([1, 6]), '0.tail.1.1.weight': entry([3, 1]),
    };
    tm.nn.loadPytorch(model, tm.encodeSafetensors(state));
    const transposed = (e: { shape: number[]; data: Float32Array }) => {
      const [rows, cols] = e.shape;
      return Array.from({ length: rows * cols }, (_, i) => e.data[(i % rows) * cols + Math.floor(i / rows)]);
    };
    expect(Array.from(await layer.head.weight.data())).toEqual(transposed(state['0.head.weight']));
    expect(Array.from(await layer.head.bias!.data())).toEqual(Array.from(state['0.head.bias'].data));
    expect(Array.from(await (layer.tail[1].layers[1] as tm.nn.Dense).weight.data())).toEqual(transposed(state['0.tail.1.1.weight']));
    const loaded = tm.nn.fromBytes(await model.toBytes());
    expect(loaded.config()).toEqual({ type: 'Sequential', layers: [{ type: 'AdaptiveLogSoftmaxWithLoss', inFeatures: 6, nClasses: 9, cutoffs: [3, 6], divValue: 2, headBias: true }] });
    const back = loaded.layers[0] as tm.nn.AdaptiveLogSoftmaxWithLoss;
    const x = tm.randn([4, 6], { seed: 3 });
    expect(await back.logProb(x).data()).toEqual(await layer.logProb(x).data());
    const target = tm.tensor([0, 8, 4, 2], [4], { dtype: 'i32' });
    expect(await back.forward(x, target).data()).toEqual(await layer.forward(x, target).data());
    model.dispose();
    loaded.dispose();
  });

  it('refuses a model file whose tails do not fit its settings', async () => {
    const model = new tm.nn.Sequential([new tm.nn.AdaptiveLogSoftmaxWithLoss(6, 9, [3, 6], { divValue: 2 })]);
    const { entries, metadata } = tm.decodeSafetensors(await model.toBytes());
    const config = JSON.parse(metadata.model);
    config.layers[0].divValue = 1.5; // tail 0 would be 6 → 4, the file holds 6 → 3
    expect(() => tm.nn.fromBytes(tm.encodeSafetensors(entries, { ...metadata, model: JSON.stringify(config) })))
      .toThrow('model file: parameter 0.1.0.weight is [6,3], the layer needs [6,4]');
    model.dispose();
  });

  it('repeats its weights from a seed', async () => {
    const [a, b] = [1, 2].map(() => new tm.nn.AdaptiveLogSoftmaxWithLoss(8, 12, [4], { seed: 5, headBias: true }));
    const x = tm.randn([3, 8], { seed: 1 });
    expect(await a.logProb(x).data()).toEqual(await b.logProb(x).data());
  });

  it('refuses bad cutoffs, settings, inputs and targets, naming them', () => {
    const make = (cutoffs: number[], options = {}) => () => new tm.nn.AdaptiveLogSoftmaxWithLoss(8, 10, cutoffs, options);
    expect(make([])).toThrow('cutoffs must be a non-empty list of integers, got []');
    expect(make([2.5])).toThrow('cutoffs must be a non-empty list of integers, got [2.5]');
    expect(make([4, 2])).toThrow('cutoffs must be increasing integers in [1, nClasses - 1] = [1, 9]; got [4, 2] (2 at 1)');
    expect(make([0, 5])).toThrow('(0 at 0)');
    expect(make([3, 3])).toThrow('(3 at 1)');
    expect(make([3, 10])).toThrow('(10 at 1)');
    expect(make([3], { divValue: 0 })).toThrow('divValue must be a finite number > 0, got 0');
    expect(make([3, 6], { divValue: 4 })).toThrow('tail 1 would project 8 features down to 0.5, below 1');
    expect(make([3], { bias: true })).toThrow(tm.ValueError);
    expect(() => new tm.nn.AdaptiveLogSoftmaxWithLoss(0, 10, [3])).toThrow('inFeatures must be a positive integer, got 0');
    const layer = new tm.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3, 6], { divValue: 2 });
    const x = tm.zeros([4, 8]);
    expect(() => layer.forward(tm.zeros([4, 7]), tm.zeros([4], { dtype: 'i32' }))).toThrow('input [4,7] must be [N, 8]');
    expect(() => layer.logProb(tm.zeros([8]))).toThrow('input [8] must be [N, 8]');
    expect(() => layer.forward(x)).toThrow('forward(input, target) needs the targets');
    expect(() => layer.forward(x, tm.zeros([4]))).toThrow('target must hold class indices (i32 or i8), got f32');
    expect(() => layer.forward(x, tm.zeros([3], { dtype: 'i32' }))).toThrow('target [3] must be [N], one class per row of input [4,8]');
    // A class outside [0, nClasses): refused where the indices can be read at once.
    expect(() => layer.forward(x, tm.tensor([0, 1, 10, 2], [4], { dtype: 'i32' }))).toThrow('target [4] holds a class outside [0, nClasses) = [0, 10)');
    expect(() => layer.forward(x, tm.tensor([0, -1, 1, 2], [4], { dtype: 'i32' }))).toThrow('target [4] holds a class outside [0, nClasses) = [0, 10)');
    layer.dispose();
  });
});
