// ONNX's LSTM, GRU and RNN as one-node models on every backend, against a
// float64 loop written from the ONNX equations in ONNX's own gate orders
// (LSTM i, o, f, c; GRU z, r, h): each direction, with and without biases and
// initial states, batch-first layout, sequence_lens, peepholes, clip, other
// activations, and GRU's linear_before_reset both ways. The forms PyTorch
// 1.13 exports (test/fixtures/onnx/{lstm,lstm_bidirectional,gru}.onnx:
// LSTM with B, initial_h and initial_c, forward or bidirectional, opsets
// 14/15; GRU with linear_before_reset 1, opset 16) are among the cases. The
// weights are initializers, so their gradients are checked against central
// differences of the same loop.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { asF32, expectClose, uniform } from '../../helpers/data.js';
import { onnxModel, type AttributeSpec, type TensorSpec, type ValueSpec } from '../../helpers/onnx.js';

type Kind = 'LSTM' | 'GRU' | 'RNN';
const GATES: Record<Kind, number> = { LSTM: 4, GRU: 3, RNN: 1 };

interface Case {
  name: string;
  kind: Kind;
  seq: number;
  batch: number;
  input: number;
  hidden: number;
  direction?: 'forward' | 'reverse' | 'bidirectional';
  layout?: 0 | 1;
  bias?: boolean;
  initial?: boolean;
  peepholes?: boolean;
  lens?: number[];
  clip?: number;
  activations?: string[];
  alphas?: number[];
  betas?: number[];
  linearBeforeReset?: 0 | 1;
  /** Leave hidden_size out: it is R's last dimension. */
  noHiddenSize?: boolean;
  opset?: number;
}

/** The node's data, all as layout 0 ([seq, batch, …], [dirs, batch, hidden]). */
interface Data {
  x: Float64Array;
  w: Float64Array;
  r: Float64Array;
  b: Float64Array | null;
  h0: Float64Array | null;
  c0: Float64Array | null;
  p: Float64Array | null;
}

const dirsOf = (c: Case) => (c.direction === 'bidirectional' ? 2 : 1);

function randomData(c: Case): Data {
  const dirs = dirsOf(c), gh = GATES[c.kind] * c.hidden;
  const state = () => (c.initial ? asF32(uniform(dirs * c.batch * c.hidden, -1, 1)) : null);
  return {
    x: asF32(uniform(c.seq * c.batch * c.input, -1.5, 1.5)),
    w: asF32(uniform(dirs * gh * c.input, -0.7, 0.7)),
    r: asF32(uniform(dirs * gh * c.hidden, -0.7, 0.7)),
    b: c.bias ? asF32(uniform(dirs * 2 * gh, -0.5, 0.5)) : null,
    h0: state(),
    c0: c.kind === 'LSTM' ? state() : null,
    p: c.peepholes ? asF32(uniform(dirs * 3 * c.hidden, -0.5, 0.5)) : null,
  };
}

/** The functions, with the alpha and beta defaults each takes (null: none, it must be given). */
const ACT: Record<string, { alpha?: number | null; beta?: number | null; fn: (v: number, a: number, b: number) => number }> = {
  Sigmoid: { fn: (v) => 1 / (1 + Math.exp(-v)) },
  Tanh: { fn: Math.tanh },
  Relu: { fn: (v) => Math.max(v, 0) },
  Softsign: { fn: (v) => v / (1 + Math.abs(v)) },
  Softplus: { fn: (v) => Math.log1p(Math.exp(v)) },
  Affine: { alpha: null, beta: null, fn: (v, a, b) => a * v + b },
  LeakyRelu: { alpha: 0.01, fn: (v, a) => (v >= 0 ? v : a * v) },
  ThresholdedRelu: { alpha: 1, fn: (v, a) => (v > a ? v : 0) },
  ScaledTanh: { alpha: null, beta: null, fn: (v, a, b) => a * Math.tanh(b * v) },
  HardSigmoid: { alpha: 0.2, beta: 0.5, fn: (v, a, b) => Math.min(Math.max(a * v + b, 0), 1) },
  Elu: { alpha: 1, fn: (v, a) => (v >= 0 ? v : a * Math.expm1(v)) },
};

/** The node's functions in list order, alpha and beta values going to the functions that take them in turn. */
function functions(names: string[], alphas: number[] = [], betas: number[] = []): ((v: number) => number)[] {
  let ai = 0, bi = 0;
  return names.map((n) => {
    const { alpha, beta, fn } = ACT[n];
    const a = alpha === undefined ? 0 : (alphas[ai++] ?? alpha!);
    const b = beta === undefined ? 0 : (betas[bi++] ?? beta!);
    return (v: number) => fn(v, a, b);
  });
}
const DEFAULTS: Record<Kind, string[]> = { LSTM: ['Sigmoid', 'Tanh', 'Tanh'], GRU: ['Sigmoid', 'Tanh'], RNN: ['Tanh'] };

/** The ONNX equations in float64, one batch row and hidden unit at a time; Y [seq, dirs, batch, H], Y_h and Y_c [dirs, batch, H]. */
function reference(c: Case, d: Data): { y: Float64Array; yh: Float64Array; yc: Float64Array } {
  const { seq, batch, input: I, hidden: H, kind } = c;
  const dirs = dirsOf(c), G = GATES[kind], GH = G * H;
  const per = DEFAULTS[kind].length;
  const given = c.activations ?? DEFAULTS[kind];
  const fns = functions(given.length === per ? Array.from({ length: dirs }, () => given).flat() : given, c.alphas, c.betas);
  const y = new Float64Array(seq * dirs * batch * H);
  const yh = new Float64Array(dirs * batch * H), yc = new Float64Array(dirs * batch * H);
  const clip = (v: number) => (c.clip === undefined ? v : Math.min(Math.max(v, -c.clip), c.clip));
  for (let dir = 0; dir < dirs; dir++) {
    const [f, g, h] = fns.slice(dir * per, dir * per + per);
    const reverse = c.direction === 'reverse' || dir === 1;
    for (let b = 0; b < batch; b++) {
      let hs = Array.from({ length: H }, (_, j) => d.h0?.[(dir * batch + b) * H + j] ?? 0);
      let cs = Array.from({ length: H }, (_, j) => d.c0?.[(dir * batch + b) * H + j] ?? 0);
      const len = c.lens?.[b] ?? seq;
      for (let k = 0; k < seq; k++) {
        const t = reverse ? seq - 1 - k : k;
        if (t >= len) continue; // Y stays 0, the state as it was.
        // Gate block gi's x·Wᵀ + Wb and h·Rᵀ + Rb at unit j (hv: the hidden vector multiplied).
        const xw = (gi: number, j: number) => {
          let s = d.b ? d.b[dir * 2 * GH + gi * H + j] : 0;
          for (let q = 0; q < I; q++) s += d.x[(t * batch + b) * I + q] * d.w[(dir * GH + gi * H + j) * I + q];
          return s;
        };
        const hr = (gi: number, j: number, hv: number[]) => {
          let s = d.b ? d.b[dir * 2 * GH + GH + gi * H + j] : 0;
          for (let q = 0; q < H; q++) s += hv[q] * d.r[(dir * GH + gi * H + j) * H + q];
          return s;
        };
        const peep = (gi: number, j: number) => d.p?.[dir * 3 * H + gi * H + j] ?? 0;
        const nh: number[] = [], nc: number[] = [];
        for (let j = 0; j < H; j++) {
          if (kind === 'RNN') nh.push(f(clip(xw(0, j) + hr(0, j, hs))));
          else if (kind === 'LSTM') {
            const i = f(clip(xw(0, j) + hr(0, j, hs) + peep(0, j) * cs[j]));
            const fg = f(clip(xw(2, j) + hr(2, j, hs) + peep(2, j) * cs[j]));
            const cc = g(clip(xw(3, j) + hr(3, j, hs)));
            const cn = fg * cs[j] + i * cc;
            const o = f(clip(xw(1, j) + hr(1, j, hs) + peep(1, j) * cn));
            nc.push(cn);
            nh.push(o * h(cn));
          } else {
            const z = f(clip(xw(0, j) + hr(0, j, hs)));
            const r = f(clip(xw(1, j) + hr(1, j, hs)));
            const candidate = c.linearBeforeReset
              ? g(clip(xw(2, j) + r * hr(2, j, hs)))
              : g(clip(xw(2, j) + hr(2, j, hs.map((v, q) => v * f(clip(xw(1, q) + hr(1, q, hs)))))));
            nh.push((1 - z) * candidate + z * hs[j]);
          }
        }
        hs = nh;
        if (kind === 'LSTM') cs = nc;
        for (let j = 0; j < H; j++) y[((t * dirs + dir) * batch + b) * H + j] = hs[j];
      }
      for (let j = 0; j < H; j++) {
        yh[(dir * batch + b) * H + j] = hs[j];
        yc[(dir * batch + b) * H + j] = cs[j];
      }
    }
  }
  return { y, yh, yc };
}

/** Swaps a row-major array's first two axes. */
function swap01(v: Float64Array, [a, b, ...rest]: number[]): Float64Array {
  const inner = rest.reduce((p, q) => p * q, 1);
  const out = new Float64Array(v.length);
  for (let i = 0; i < a; i++) for (let j = 0; j < b; j++) out.set(v.subarray((i * b + j) * inner, (i * b + j + 1) * inner), (j * a + i) * inner);
  return out;
}

/** Y [seq, dirs, batch, H] as layout 1's [batch, seq, dirs, H]. */
function batchFirstY(y: Float64Array, seq: number, dirs: number, batch: number, H: number): Float64Array {
  const out = new Float64Array(y.length);
  for (let t = 0; t < seq; t++) for (let d = 0; d < dirs; d++) for (let b = 0; b < batch; b++) {
    for (let j = 0; j < H; j++) out[((b * seq + t) * dirs + d) * H + j] = y[((t * dirs + d) * batch + b) * H + j];
  }
  return out;
}

/** The one-node model: X (and initial states, sequence_lens) as graph inputs, W, R, B, P as initializers. */
function model(c: Case, d: Data): { model: tm.onnx.OnnxModel; feeds: Record<string, tm.Tensor> } {
  const dirs = dirsOf(c), gh = GATES[c.kind] * c.hidden, layout = c.layout ?? 0;
  const xShape = layout ? [c.batch, c.seq, c.input] : [c.seq, c.batch, c.input];
  const stateShape = layout ? [c.batch, dirs, c.hidden] : [dirs, c.batch, c.hidden];
  const initializers: Record<string, TensorSpec> = {
    W: { shape: [dirs, gh, c.input], values: d.w },
    R: { shape: [dirs, gh, c.hidden], values: d.r },
  };
  if (d.b) initializers.B = { shape: [dirs, 2 * gh], values: d.b };
  if (d.p) initializers.P = { shape: [dirs, 3 * c.hidden], values: d.p };
  const feeds: Record<string, tm.Tensor> = { X: tm.tensor(layout ? swap01(d.x, [c.seq, c.batch, c.input]) : d.x, xShape) };
  const inputs: ValueSpec[] = [{ name: 'X', shape: xShape }];
  const state = (name: string, v: Float64Array | null) => {
    if (!v) return '';
    feeds[name] = tm.tensor(layout ? swap01(v, [dirs, c.batch, c.hidden]) : v, stateShape);
    inputs.push({ name, shape: stateShape });
    return name;
  };
  let lens = '';
  if (c.lens) {
    feeds.L = tm.tensor(Int32Array.from(c.lens), [c.batch], { dtype: 'i32' });
    inputs.push({ name: 'L', shape: [c.batch], type: 'int32' });
    lens = 'L';
  }
  const nodeInputs = ['X', 'W', 'R', d.b ? 'B' : '', lens, state('h0', d.h0)];
  if (c.kind === 'LSTM') nodeInputs.push(state('c0', d.c0), d.p ? 'P' : '');
  while (nodeInputs[nodeInputs.length - 1] === '') nodeInputs.pop();
  const attributes: Record<string, AttributeSpec> = {};
  if (!c.noHiddenSize) attributes.hidden_size = c.hidden;
  if (c.direction) attributes.direction = c.direction;
  if (c.layout !== undefined) attributes.layout = c.layout;
  if (c.clip !== undefined) attributes.clip = { float: c.clip };
  if (c.activations) attributes.activations = { strings: c.activations };
  if (c.alphas) attributes.activation_alpha = { floats: c.alphas };
  if (c.betas) attributes.activation_beta = { floats: c.betas };
  if (c.linearBeforeReset !== undefined) attributes.linear_before_reset = c.linearBeforeReset;
  const outputs = c.kind === 'LSTM' ? ['Y', 'Y_h', 'Y_c'] : ['Y', 'Y_h'];
  const bytes = onnxModel({
    opset: c.opset ?? 14,
    inputs,
    outputs: outputs.map((name) => ({ name })),
    initializers,
    nodes: [{ op: c.kind, inputs: nodeInputs, outputs, attributes, name: `${c.kind}_0` }],
  });
  return { model: tm.onnx.fromBytes(bytes), feeds };
}

const CASES: Case[] = [
  { name: 'LSTM as PyTorch exports it (B, initial h and c)', kind: 'LSTM', seq: 7, batch: 4, input: 5, hidden: 3, bias: true, initial: true },
  { name: 'LSTM reverse, no B or states, hidden_size left out', kind: 'LSTM', seq: 1, batch: 1, input: 2, hidden: 5, direction: 'reverse', noHiddenSize: true },
  { name: 'LSTM bidirectional as PyTorch exports it', kind: 'LSTM', seq: 7, batch: 4, input: 5, hidden: 4, direction: 'bidirectional', bias: true, initial: true, opset: 15 },
  { name: 'LSTM bidirectional, batch first', kind: 'LSTM', seq: 3, batch: 2, input: 3, hidden: 3, direction: 'bidirectional', layout: 1, bias: true, initial: true },
  { name: 'LSTM with peepholes and clip', kind: 'LSTM', seq: 5, batch: 3, input: 4, hidden: 3, bias: true, initial: true, peepholes: true, clip: 0.8 },
  { name: 'LSTM bidirectional with sequence_lens', kind: 'LSTM', seq: 7, batch: 4, input: 3, hidden: 5, direction: 'bidirectional', bias: true, initial: true, lens: [7, 3, 1, 5] },
  { name: 'LSTM with other activations', kind: 'LSTM', seq: 4, batch: 2, input: 3, hidden: 3, bias: true, direction: 'bidirectional', activations: ['Sigmoid', 'Relu', 'Tanh', 'Tanh', 'Tanh', 'Relu'] },
  { name: 'LSTM with HardSigmoid gates, as tf2onnx writes a Keras LSTM', kind: 'LSTM', seq: 5, batch: 2, input: 3, hidden: 3, bias: true, activations: ['HardSigmoid', 'Tanh', 'Tanh'], alphas: [0.2], betas: [0.5] },
  { name: 'LSTM with ONNX defaults for alpha (LeakyRelu, Elu, ThresholdedRelu)', kind: 'LSTM', seq: 3, batch: 2, input: 2, hidden: 3, direction: 'bidirectional', initial: true, activations: ['Sigmoid', 'LeakyRelu', 'Softsign', 'HardSigmoid', 'Elu', 'ThresholdedRelu'] },
  { name: 'GRU as PyTorch exports it (linear_before_reset 1)', kind: 'GRU', seq: 7, batch: 4, input: 5, hidden: 3, bias: true, initial: true, linearBeforeReset: 1, opset: 16 },
  { name: 'GRU linear_before_reset 0, reverse', kind: 'GRU', seq: 7, batch: 1, input: 3, hidden: 5, direction: 'reverse', bias: true, initial: true },
  { name: 'GRU bidirectional, batch first, no B', kind: 'GRU', seq: 4, batch: 3, input: 2, hidden: 3, direction: 'bidirectional', layout: 1, initial: true, linearBeforeReset: 1 },
  { name: 'GRU with clip and sequence_lens', kind: 'GRU', seq: 5, batch: 4, input: 3, hidden: 3, bias: true, linearBeforeReset: 1, clip: 0.5, lens: [5, 0, 2, 4] },
  { name: 'GRU linear_before_reset 0, one step, opset 7', kind: 'GRU', seq: 1, batch: 4, input: 3, hidden: 5, opset: 7, linearBeforeReset: 0 },
  { name: 'RNN with B and initial h', kind: 'RNN', seq: 7, batch: 4, input: 5, hidden: 3, bias: true, initial: true },
  { name: 'RNN bidirectional Relu, batch first, sequence_lens', kind: 'RNN', seq: 4, batch: 3, input: 2, hidden: 5, direction: 'bidirectional', layout: 1, bias: true, activations: ['Relu', 'Relu'], lens: [4, 1, 3] },
  { name: 'RNN bidirectional Affine and ScaledTanh, alphas and betas in turn', kind: 'RNN', seq: 3, batch: 2, input: 3, hidden: 3, direction: 'bidirectional', activations: ['Affine', 'ScaledTanh'], alphas: [0.7, 1.3], betas: [0.1, 0.6] },
  { name: 'GRU with Softplus and LeakyRelu given alpha', kind: 'GRU', seq: 3, batch: 2, input: 3, hidden: 3, bias: true, linearBeforeReset: 1, activations: ['Softplus', 'LeakyRelu'], alphas: [0.3] },
  { name: 'RNN reverse with clip', kind: 'RNN', seq: 5, batch: 2, input: 3, hidden: 3, direction: 'reverse', clip: 0.3, initial: true },
];

describe.each(BACKENDS)('ONNX recurrent ops on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it.each(CASES.map((c) => [c.name, c]))('%s matches the ONNX equations', async (_name, c) => {
    const data = randomData(c);
    const { model: m, feeds } = model(c, data);
    const out = m.run(feeds);
    const want = reference(c, data);
    const dirs = dirsOf(c);
    const batchFirst = c.layout === 1;
    const wantY = batchFirst ? batchFirstY(want.y, c.seq, dirs, c.batch, c.hidden) : want.y;
    const state = (v: Float64Array) => (batchFirst ? swap01(v, [dirs, c.batch, c.hidden]) : v);
    expect(out.Y.shape).toEqual(batchFirst ? [c.batch, c.seq, dirs, c.hidden] : [c.seq, dirs, c.batch, c.hidden]);
    expect(out.Y_h.shape).toEqual(batchFirst ? [c.batch, dirs, c.hidden] : [dirs, c.batch, c.hidden]);
    expectClose(await out.Y.data(), wantY, 2e-5, 'Y');
    expectClose(await out.Y_h.data(), state(want.yh), 2e-5, 'Y_h');
    if (c.kind === 'LSTM') expectClose(await out.Y_c.data(), state(want.yc), 2e-5, 'Y_c');
    for (const t of [...Object.values(out), ...Object.values(feeds)]) t.dispose();
    m.dispose();
  });

  const GRADIENT_CASES: Case[] = [
    { name: 'LSTM', kind: 'LSTM', seq: 3, batch: 2, input: 2, hidden: 3, bias: true, initial: true, direction: 'bidirectional' },
    { name: 'LSTM with peepholes', kind: 'LSTM', seq: 3, batch: 2, input: 2, hidden: 3, bias: true, peepholes: true },
    { name: 'GRU, linear_before_reset 1', kind: 'GRU', seq: 3, batch: 2, input: 2, hidden: 3, bias: true, initial: true, linearBeforeReset: 1, direction: 'reverse' },
    { name: 'GRU, linear_before_reset 0', kind: 'GRU', seq: 3, batch: 2, input: 2, hidden: 3, bias: true, initial: true },
    { name: 'RNN', kind: 'RNN', seq: 3, batch: 2, input: 2, hidden: 3, bias: true, lens: [3, 2] },
  ];

  it.each(GRADIENT_CASES.map((c) => [c.name, c]))('%s: the initializers W, R, B (, P) get the gradients of the equations', async (_name, c) => {
    const data = randomData(c);
    const { model: m, feeds } = model(c, data);
    const dirs = dirsOf(c);
    // A weighted sum of Y and Y_h, so every output's gradient differs.
    const my = uniform(c.seq * dirs * c.batch * c.hidden, -1, 1), mh = uniform(dirs * c.batch * c.hidden, -1, 1);
    const loss = (d: Data) => {
      const { y, yh } = reference(c, d);
      return y.reduce((s, v, i) => s + v * my[i], 0) + yh.reduce((s, v, i) => s + v * mh[i], 0);
    };
    tm.tidy(() => {
      const out = m.run(feeds);
      out.Y.mul(tm.tensor(my, out.Y.shape)).sum().add(out.Y_h.mul(tm.tensor(mh, out.Y_h.shape)).sum()).backward();
    });
    const params = m.namedParameters();
    const names = ['W', 'R', ...(c.bias ? ['B'] : []), ...(c.peepholes ? ['P'] : [])] as const;
    expect(Object.keys(params).sort()).toEqual([...names].sort());
    for (const name of names) {
      const key = name.toLowerCase() as 'w' | 'r' | 'b' | 'p';
      const values = data[key]!;
      const want = values.map((_, i) => {
        const eps = 1e-5;
        const at = (v: number) => {
          const copy = Float64Array.from(values);
          copy[i] = v;
          return loss({ ...data, [key]: copy });
        };
        return (at(values[i] + eps) - at(values[i] - eps)) / (2 * eps);
      });
      const grad = params[name].grad;
      expect(grad, name).not.toBeNull();
      expectClose(await grad!.data(), want, 1e-4, `d${name}`);
    }
    for (const t of Object.values(feeds)) t.dispose();
    m.dispose();
  });

  it.each(['LSTM', 'GRU'] as const)('%s leaves no tensors behind, forward and backward', (kind) => {
    const c: Case = { name: '', kind, seq: 4, batch: 2, input: 3, hidden: 3, bias: true, initial: true, linearBeforeReset: 1, lens: [4, 2] };
    const { model: m, feeds } = model(c, randomData(c));
    // Every output in the loss: an output left out keeps its part of the tape until a backward pass reaches it.
    const step = () => tm.tidy(() => Object.values(m.run(feeds)).map((t) => t.sum()).reduce((a, b) => a.add(b)).backward());
    step();
    const before = tm.memory().numTensors;
    step();
    expect(tm.memory().numTensors).toBe(before);
    for (const t of Object.values(feeds)) t.dispose();
    m.dispose();
  });

  describe('refuses what tmnn does not run, naming the node', () => {
    const base: Case = { name: '', kind: 'LSTM', seq: 2, batch: 1, input: 2, hidden: 3 };
    const refusal = (c: Case, extra: Record<string, AttributeSpec>, pattern: RegExp) => {
      const data = randomData(c);
      const dirs = dirsOf(c), gh = GATES[c.kind] * c.hidden;
      const bytes = onnxModel({
        opset: 14,
        inputs: [{ name: 'X', shape: [c.seq, c.batch, c.input] }],
        outputs: [{ name: 'Y' }],
        initializers: { W: { shape: [dirs, gh, c.input], values: data.w }, R: { shape: [dirs, gh, c.hidden], values: data.r } },
        nodes: [{ op: c.kind, name: 'rnn', inputs: ['X', 'W', 'R'], outputs: ['Y'], attributes: { hidden_size: c.hidden, ...extra } }],
      });
      const m = tm.onnx.fromBytes(bytes);
      const x = tm.tensor(data.x, [c.seq, c.batch, c.input]);
      expect(() => m.run([x])).toThrow(pattern);
      x.dispose();
      m.dispose();
    };
    it('input_forget = 1', () => refusal(base, { input_forget: 1 }, /node 'rnn' \(LSTM\): input_forget = 1 is not supported/));
    it('an activation ONNX does not list', () =>
      refusal(base, { activations: { strings: ['Swish', 'Tanh', 'Tanh'] } }, /node 'rnn' \(LSTM\): activations: Swish is not one of ONNX's recurrent activations/));
    it('Affine without its alpha', () =>
      refusal({ ...base, kind: 'RNN' }, { activations: { strings: ['Affine'] }, activation_beta: { floats: [1] } }, /node 'rnn' \(RNN\): activations: Affine needs a value in activation_alpha/));
    it('a list of activations of the wrong length', () => refusal({ ...base, kind: 'GRU' }, { activations: { strings: ['Sigmoid', 'Tanh', 'Tanh'] } }, /node 'rnn' \(GRU\): activations lists 3 functions; GRU takes 2 per direction/));
    it('an unknown direction', () => refusal({ ...base, kind: 'RNN' }, { direction: 'sideways' }, /node 'rnn' \(RNN\): direction = "sideways"/));
    it('weights of the wrong shape for hidden_size', () => refusal({ ...base, kind: 'RNN' }, { hidden_size: 4 }, /node 'rnn' \(RNN\): W must be \[1, 4, 2\]/));
  });
});
