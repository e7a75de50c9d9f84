// ONNX's recurrent operators, LSTM, GRU and RNN (opsets 7 to 14+), as a loop
// of tmnn ops over the sequence, so the weights (initializers, hence
// parameters) get gradients. The input side x·Wᵀ + Wb of every step is one
// matmul before the loop. ONNX orders an LSTM's gates i, o, f, c and a GRU's
// z, r, h; tmnn's fused cells (ops/lstm_cell.ts, ops/gru_cell.ts, with
// webgpu and native kernels) take PyTorch's i, f, g, o and r, z, n, so the
// weights' rows are reordered once per run and the steps use the cells
// whenever their fixed form is the node's: default activations, no clip, no
// peepholes, and for GRU linear_before_reset = 1 (what PyTorch exports).
// Every other form runs as the elementwise ops the equations name.
import * as F from '../../nn/activation_functions.js';
import * as ops from '../../ops/index.js';
import { gruCell } from '../../ops/gru_cell.js';
import { lstmCell } from '../../ops/lstm_cell.js';
import type { Tensor } from '../../tensor.js';
import type { NodeCall } from '../node_call.js';
import type { Value } from '../value.js';
import type { OpTable } from './op.js';

type Kind = 'LSTM' | 'GRU' | 'RNN';

/** Gates per kind: the row blocks of W and R. */
const GATES: Record<Kind, number> = { LSTM: 4, GRU: 3, RNN: 1 };

/** Each kind's activations per direction, ONNX's defaults. */
const DEFAULT_ACTIVATIONS: Record<Kind, string[]> = { LSTM: ['Sigmoid', 'Tanh', 'Tanh'], GRU: ['Sigmoid', 'Tanh'], RNN: ['Tanh'] };

/** ONNX's gate blocks in the order tmnn's cells want them: LSTM i,o,f,c → i,f,c,o; GRU z,r,h → r,z,h. */
const TO_TMNN_ORDER: Record<Kind, number[]> = { LSTM: [0, 2, 3, 1], GRU: [1, 0, 2], RNN: [0] };

type Activation = (x: Tensor) => Tensor;

/**
 * The activation functions ONNX lists for recurrent ops, by lower-cased
 * name: whether each takes alpha and beta, their defaults (those of the ONNX
 * operator of the same name; null where there is none), and the function.
 */
const ACTIVATIONS: Record<string, { alpha?: number | null; beta?: number | null; make: (alpha: number, beta: number) => Activation }> = {
  sigmoid: { make: () => (x) => x.sigmoid() },
  tanh: { make: () => (x) => x.tanh() },
  relu: { make: () => (x) => x.relu() },
  softsign: { make: () => (x) => F.softsign(x) },
  softplus: { make: () => (x) => F.softplus(x) },
  affine: { alpha: null, beta: null, make: (a, b) => (x) => ops.add(ops.mul(x, a), b) },
  leakyrelu: { alpha: 0.01, make: (a) => (x) => F.leakyRelu(x, a) },
  thresholdedrelu: { alpha: 1, make: (a) => (x) => ops.where(ops.greater(x, a), x, 0) },
  scaledtanh: { alpha: null, beta: null, make: (a, b) => (x) => ops.mul(ops.tanh(ops.mul(x, b)), a) },
  hardsigmoid: { alpha: 0.2, beta: 0.5, make: (a, b) => (x) => ops.clip(ops.add(ops.mul(x, a), b), 0, 1) },
  elu: { alpha: 1, make: (a) => (x) => F.elu(x, a) },
};

/** One direction's weights, gate blocks in tmnn's order. */
interface DirectionWeights {
  /** x·Wᵀ + Wb (+ Rb where it may be added to the input side) of every step: [seq, batch, G·H] split by step. */
  steps: Tensor[];
  /** R [G·H, hidden]. */
  r: Tensor;
  /** The part of Rb added after h·Rᵀ (GRU's), or null. */
  rb: Tensor | null;
  /** Peepholes i, f, o, each [hidden], or null. */
  peep: [Tensor, Tensor, Tensor] | null;
  /** A GRU's R and Rb parted into the reset and update gates' blocks and the candidate's, for the steps without the fused cell. */
  gru: { rRz: Tensor; rH: Tensor; rbRz: Tensor | null; rbH: Tensor | null } | null;
}

interface Settings {
  kind: Kind;
  hidden: number;
  clip: number | undefined;
  /** f, g(, h) of this direction. */
  act: Activation[];
  fused: boolean;
  linearBeforeReset: boolean;
}

function recurrent(kind: Kind) {
  return { run: (call: NodeCall): Value[] => runRecurrent(call, kind) };
}

function runRecurrent(call: NodeCall, kind: Kind): Value[] {
  const gates = GATES[kind];
  const direction = call.string('direction', 'forward');
  if (direction !== 'forward' && direction !== 'reverse' && direction !== 'bidirectional') {
    throw call.error(`direction = ${JSON.stringify(direction)} is not one of forward, reverse, bidirectional`);
  }
  const dirs = direction === 'bidirectional' ? 2 : 1;
  const layout = call.int('layout', 0);
  if (layout !== 0 && layout !== 1) throw call.error(`layout = ${layout} is not 0 (sequence first) or 1 (batch first)`);
  if (kind === 'LSTM') call.refuse('input_forget', (v) => v === 0, 'coupling the input and forget gates is not implemented');
  const clip = call.float('clip');
  if (clip !== undefined && !(clip > 0)) throw call.error(`clip = ${clip} must be a positive threshold`);
  const linearBeforeReset = kind === 'GRU' && call.int('linear_before_reset', 0) !== 0;

  let x = call.tensor(0);
  if (x.rank !== 3) throw call.error(`X must be 3-D (${layout ? '[batch, seq, input]' : '[seq, batch, input]'}), got [${x.shape.join(', ')}]`);
  if (layout === 1) x = ops.transpose(x, [1, 0, 2]);
  const [seq, batch, inputSize] = x.shape;
  const w = call.tensor(1), r = call.tensor(2);
  const hidden = call.int('hidden_size') ?? r.shape[2];
  const expect = (t: Tensor, shape: number[], name: string) => {
    if (t.rank !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw call.error(`${name} must be [${shape.join(', ')}] (${dirs} direction${dirs > 1 ? 's' : ''}, hidden_size ${hidden}, input ${inputSize}), got [${t.shape.join(', ')}]`);
    }
  };
  expect(w, [dirs, gates * hidden, inputSize], 'W');
  expect(r, [dirs, gates * hidden, hidden], 'R');
  const b = call.has(3) ? call.tensor(3) : null;
  if (b) expect(b, [dirs, 2 * gates * hidden], 'B');
  const lens = call.has(4) ? call.tensor(4) : null;
  if (lens) expect(lens, [batch], 'sequence_lens');
  const stateShape = layout ? [batch, dirs, hidden] : [dirs, batch, hidden];
  const initial = (i: number, name: string): Tensor | null => {
    if (!call.has(i)) return null;
    const t = call.tensor(i);
    expect(t, stateShape, name);
    return layout ? ops.transpose(t, [1, 0, 2]) : t;
  };
  const h0 = initial(5, 'initial_h');
  const c0 = kind === 'LSTM' ? initial(6, 'initial_c') : null;
  const p = kind === 'LSTM' && call.has(7) ? call.tensor(7) : null;
  if (p) expect(p, [dirs, 3 * hidden], 'P');

  const acts = activations(call, kind, dirs);

  // x·Wᵀ for every step at once needs x as rows.
  const rows = ops.reshape(x, [seq * batch, inputSize]);
  const ys: Tensor[] = [], hs: Tensor[] = [], cs: Tensor[] = [];
  for (let d = 0; d < dirs; d++) {
    const settings: Settings = {
      kind, hidden, clip, linearBeforeReset,
      act: acts[d].fns,
      fused: kind !== 'RNN' && clip === undefined && !p && acts[d].isDefault && (kind === 'LSTM' || linearBeforeReset),
    };
    const weights = directionWeights(rows, [seq, batch], d, w, r, b, p, settings);
    const reverse = direction === 'reverse' || d === 1;
    const zeros = () => ops.zeros([batch, hidden], { dtype: x.dtype });
    const state = {
      h: h0 ? pick(h0, d) : zeros(),
      c: kind === 'LSTM' ? (c0 ? pick(c0, d) : zeros()) : undefined,
    };
    const out: Tensor[] = new Array(seq);
    for (let k = 0; k < seq; k++) {
      const t = reverse ? seq - 1 - k : k;
      const next = step(weights.steps[t], state.h, state.c, weights, settings);
      if (!lens) {
        out[t] = next.h;
        state.h = next.h;
        state.c = next.c;
        continue;
      }
      // Past a sequence's length its outputs are zero and its state stays as it was, so a reverse pass starts at the sequence's own end.
      const live = ops.reshape(ops.greater(lens, t), [batch, 1]);
      out[t] = ops.where(live, next.h, 0);
      state.h = ops.where(live, next.h, state.h);
      if (state.c) state.c = ops.where(live, next.c!, state.c);
    }
    if (seq) ys.push(ops.stack(out, 0));
    hs.push(state.h);
    if (state.c) cs.push(state.c);
  }

  // Y [seq, dirs, batch, hidden], Y_h and Y_c [dirs, batch, hidden]; batch first under layout 1.
  const y = seq ? ops.stack(ys, 1) : ops.zeros([0, dirs, batch, hidden], { dtype: x.dtype });
  const yh = ops.stack(hs, 0);
  const outputs = [layout ? ops.transpose(y, [2, 0, 1, 3]) : y, layout ? ops.transpose(yh, [1, 0, 2]) : yh];
  if (kind === 'LSTM') {
    const yc = ops.stack(cs, 0);
    outputs.push(layout ? ops.transpose(yc, [1, 0, 2]) : yc);
  }
  return outputs;
}

/** Direction d's slice of a [dirs, …] tensor, the leading axis dropped. */
function pick(t: Tensor, d: number): Tensor {
  return ops.squeeze(ops.slice(t, [d, ...t.shape.slice(1).map(() => 0)], [1, ...t.shape.slice(1)]), 0);
}

/** The gate blocks of t (along axis 0, each `hidden` long) in tmnn's order. */
function reorder(t: Tensor, kind: Kind, hidden: number): Tensor {
  if (kind === 'RNN') return t;
  const blocks = ops.split(t, hidden, 0);
  return ops.concat(TO_TMNN_ORDER[kind].map((i) => blocks[i]), 0);
}

/**
 * Each direction's activation functions and whether they are ONNX's defaults.
 * ONNX lists them direction after direction; activation_alpha and
 * activation_beta hold values only for the functions that take them, in the
 * list's order (as onnxruntime reads them), a function past their end taking
 * its default.
 */
function activations(call: NodeCall, kind: Kind, dirs: number): { fns: Activation[]; isDefault: boolean }[] {
  const per = DEFAULT_ACTIVATIONS[kind].length;
  const given = call.strings('activations');
  const listed = given ?? DEFAULT_ACTIVATIONS[kind];
  // A bidirectional node's list names both directions' functions; one direction's list is taken for both.
  const names = listed.length === per ? Array.from({ length: dirs }, () => listed).flat() : listed;
  if (names.length !== per * dirs) {
    throw call.error(`activations lists ${listed.length} functions; ${kind} takes ${per} per direction (${per * dirs} for ${dirs} direction${dirs > 1 ? 's' : ''})`);
  }
  const alphas = call.floats('activation_alpha') ?? [], betas = call.floats('activation_beta') ?? [];
  let nextAlpha = 0, nextBeta = 0;
  const take = (name: string, which: string, values: number[], index: number, fallback: number | null | undefined): number => {
    if (fallback === undefined) return 0;
    if (index < values.length) return values[index];
    if (fallback === null) throw call.error(`activations: ${name} needs a value in activation_${which}, which has none left for it`);
    return fallback;
  };
  const fns = names.map((name) => {
    const spec = ACTIVATIONS[name.toLowerCase()];
    if (!spec) throw call.error(`activations: ${name} is not one of ONNX's recurrent activations (Relu, Tanh, Sigmoid, Affine, LeakyRelu, ThresholdedRelu, ScaledTanh, HardSigmoid, Elu, Softsign, Softplus)`);
    const alpha = take(name, 'alpha', alphas, nextAlpha, spec.alpha);
    if (spec.alpha !== undefined) nextAlpha++;
    const beta = take(name, 'beta', betas, nextBeta, spec.beta);
    if (spec.beta !== undefined) nextBeta++;
    return spec.make(alpha, beta);
  });
  const defaults = DEFAULT_ACTIVATIONS[kind].map((n) => n.toLowerCase());
  return Array.from({ length: dirs }, (_, d) => ({
    fns: fns.slice(d * per, (d + 1) * per),
    isDefault: names.slice(d * per, (d + 1) * per).every((n, i) => n.toLowerCase() === defaults[i]),
  }));
}

function directionWeights(rows: Tensor, [seq, batch]: number[], d: number, w: Tensor, r: Tensor, b: Tensor | null, p: Tensor | null, s: Settings): DirectionWeights {
  const { kind, hidden } = s;
  const gh = GATES[kind] * hidden;
  const wd = reorder(pick(w, d), kind, hidden);
  let xw = ops.matmul(rows, wd, { transposeB: true });
  let rb: Tensor | null = null;
  if (b) {
    const [wb, rbd] = ops.split(pick(b, d), gh, 0).map((t) => reorder(t, kind, hidden));
    // GRU's reset gate scales the hidden side's candidate block, bias included, so Rb stays there; elsewhere both biases are one sum.
    if (kind === 'GRU') {
      xw = ops.add(xw, wb);
      rb = rbd;
    } else {
      xw = ops.add(xw, ops.add(wb, rbd));
    }
  }
  const steps = seq ? ops.unbind(ops.reshape(xw, [seq, batch, gh]), 0) : [];
  // P is [i, o, f] per direction.
  const peep = p ? (ops.split(pick(p, d), hidden, 0) as [Tensor, Tensor, Tensor]) : null;
  const rd = reorder(pick(r, d), kind, hidden);
  let gru: DirectionWeights['gru'] = null;
  if (kind === 'GRU' && !s.fused) {
    const [rRz, rH] = ops.split(rd, [2 * hidden, hidden], 0);
    const [rbRz, rbH] = rb ? ops.split(rb, [2 * hidden, hidden], 0) : [null, null];
    gru = { rRz, rH, rbRz, rbH };
  }
  return { steps, r: rd, rb, peep: peep && [peep[0], peep[2], peep[1]], gru };
}

/** One step from the input side xw [batch, G·H] (gates in tmnn's order) and the state. */
function step(xw: Tensor, h: Tensor, c: Tensor | undefined, wt: DirectionWeights, s: Settings): { h: Tensor; c?: Tensor } {
  const { hidden, clip } = s;
  const bound = clip === undefined ? (v: Tensor) => v : (v: Tensor) => ops.clip(v, -clip, clip);
  const [f, g, hAct] = s.act;
  if (s.kind === 'RNN') return { h: f(bound(ops.add(xw, ops.matmul(h, wt.r, { transposeB: true })))) };
  if (s.kind === 'LSTM') {
    const z = ops.add(xw, ops.matmul(h, wt.r, { transposeB: true }));
    if (s.fused) return lstmCell(z, c!);
    let [zi, zf, zc, zo] = ops.split(z, hidden, 1);
    if (wt.peep) {
      zi = ops.add(zi, ops.mul(wt.peep[0], c!));
      zf = ops.add(zf, ops.mul(wt.peep[1], c!));
    }
    const next = ops.add(ops.mul(f(bound(zf)), c!), ops.mul(f(bound(zi)), g(bound(zc))));
    // The output gate's peephole looks at the new cell.
    if (wt.peep) zo = ops.add(zo, ops.mul(wt.peep[2], next));
    return { h: ops.mul(f(bound(zo)), hAct(next)), c: next };
  }
  const withBias = (v: Tensor, bias: Tensor | null) => (bias ? ops.add(v, bias) : v);
  if (s.fused) return { h: gruCell(xw, withBias(ops.matmul(h, wt.r, { transposeB: true }), wt.rb), h) };
  const { rRz, rH, rbRz, rbH } = wt.gru!;
  const [xr, xz, xh] = ops.split(xw, hidden, 1);
  const [hr, hz] = ops.split(withBias(ops.matmul(h, rRz, { transposeB: true }), rbRz), hidden, 1);
  const reset = f(bound(ops.add(xr, hr)));
  const update = f(bound(ops.add(xz, hz)));
  // linear_before_reset: the reset gate scales h·Rhᵀ + Rbh (PyTorch's form); else it scales h before the product (Cho et al.'s).
  const hiddenPart = s.linearBeforeReset
    ? ops.mul(reset, withBias(ops.matmul(h, rH, { transposeB: true }), rbH))
    : withBias(ops.matmul(ops.mul(reset, h), rH, { transposeB: true }), rbH);
  const candidate = g(bound(ops.add(xh, hiddenPart)));
  return { h: ops.add(candidate, ops.mul(update, ops.sub(h, candidate))) };
}

export const RECURRENT_OPS: OpTable = {
  LSTM: recurrent('LSTM'),
  GRU: recurrent('GRU'),
  RNN: recurrent('RNN'),
};
