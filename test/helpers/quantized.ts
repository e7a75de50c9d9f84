// The int8 linear map tm.quantize and tm.matmul(x, q) define, in float64, for
// the tests of quantized layers: rows quantized symmetric (scale max|row| /
// 127 in f32, values round(v / scale) half away from zero), an exact integer
// product, scaled back, plus bias.

/** Rows [r, c] quantized as src/ops/quantize.ts does: int8 values, f32 scales, and which values sit on a rounding edge. */
export function quantizeRows(v: ArrayLike<number>, r: number, c: number): { q: Float64Array; s: Float64Array; edge: Uint8Array } {
  const q = new Float64Array(r * c);
  const s = new Float64Array(r);
  const edge = new Uint8Array(r * c);
  for (let i = 0; i < r; i++) {
    let m = 0;
    for (let j = 0; j < c; j++) m = Math.max(m, Math.abs(v[i * c + j]));
    s[i] = Math.fround(m === 0 ? 1 : Math.fround(m) / 127);
    for (let j = 0; j < c; j++) {
      // As the backends compute it: v / scale in f32, plus ±0.5, truncated.
      const y = Math.fround(v[i * c + j] / s[i]);
      q[i * c + j] = Math.max(-128, Math.min(127, Math.trunc(Math.fround(y + Math.sign(y) * 0.5))));
      // A division a few ulps off (WebGPU's is within 2.5) can land it on the other side of a half: a band
      // of ~8 ulps of y (a wider one, 1e-5·|y|, left out so many steps that too few were compared).
      const frac = Math.abs(y) - Math.floor(Math.abs(y));
      edge[i * c + j] = Math.abs(frac - 0.5) < 1e-6 * Math.max(1, Math.abs(y)) ? 1 : 0;
    }
  }
  return { q, s, edge };
}

/** w [k, n] (x·w's layout) as its rows [n, k]: what tm.quantize quantizes. */
export function columns(w: ArrayLike<number>, k: number, n: number): Float64Array {
  return Float64Array.from({ length: n * k }, (_, i) => w[(i % k) * n + Math.floor(i / k)]);
}

/**
 * x [m, k] · w [k, n] + bias as a quantized layer computes it, and the scale
 * to pass expectClose at tolerance 1e-5: f32 rounding of the result, plus
 * one step of each operand value that sits on a rounding edge.
 */
export function quantizedLinearRef(x: ArrayLike<number>, w: ArrayLike<number>, bias: ArrayLike<number> | null, m: number, k: number, n: number) {
  const wq = quantizeRows(columns(w, k, n), n, k);
  const xq = quantizeRows(x, m, k);
  const want = new Float64Array(m * n);
  const scale = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      let magnitude = 0;
      let steps = 0;
      for (let t = 0; t < k; t++) {
        const [a, b] = [xq.q[i * k + t], wq.q[j * k + t]];
        acc += a * b;
        magnitude += Math.abs(a * b);
        if (xq.edge[i * k + t]) steps += Math.abs(b);
        if (wq.edge[j * k + t]) steps += Math.abs(a) + 1;
      }
      const unit = xq.s[i] * wq.s[j];
      want[i * n + j] = acc * unit + (bias ? bias[j] : 0);
      scale[i * n + j] = magnitude * unit + (bias ? Math.abs(bias[j]) : 0) + (steps * unit) / 1e-5;
    }
  }
  return { want, scale, xs: xq.s, ws: wq.s };
}

/** An int8 weight as a quantized layer holds it: rows [n, k] (x·w's columns) and a scale per row. */
export interface Int8Rows {
  values: ArrayLike<number>;
  scales: ArrayLike<number>;
}

/** The row v [k] quantized as tm.matmul(v, q) quantizes it, times the int8 rows [n, k] scaled back; edge: whether v had a value on a rounding edge. */
function rowTimes(v: ArrayLike<number>, w: Int8Rows, n: number, k: number): { out: Float64Array; edge: boolean } {
  const vq = quantizeRows(v, 1, k);
  const out = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let acc = 0;
    for (let t = 0; t < k; t++) acc += vq.q[t] * w.values[j * k + t];
    out[j] = acc * vq.s[0] * w.scales[j];
  }
  return { out, edge: vq.edge.some((e) => e === 1) };
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/** The recurrent kinds the references compute: an RNN's by its nonlinearity. */
export type RecurrentKind = 'LSTM' | 'GRU' | 'RNN-tanh' | 'RNN-relu';

/** How many gates a kind's weights stack. */
export const gatesOf = (kind: RecurrentKind): number => (kind === 'LSTM' ? 4 : kind === 'GRU' ? 3 : 1);

/**
 * Unit j's next h (and an LSTM's next c, written into c[j]) from a = x·Wih + bih
 * and r = h·Whh + bhh (each [gates·H]) and the unit's h before: PyTorch's equations.
 */
function unitStep(kind: RecurrentKind, a: ArrayLike<number>, r: ArrayLike<number>, H: number, j: number, h: number, c: Float64Array): number {
  if (kind === 'LSTM') {
    const [ig, fg, gg, og] = [0, 1, 2, 3].map((q) => a[q * H + j] + r[q * H + j]);
    c[j] = sigmoid(fg) * c[j] + sigmoid(ig) * Math.tanh(gg);
    return sigmoid(og) * Math.tanh(c[j]);
  }
  if (kind === 'GRU') {
    const rg = sigmoid(a[j] + r[j]);
    const zg = sigmoid(a[H + j] + r[H + j]);
    const n = Math.tanh(a[2 * H + j] + rg * r[2 * H + j]);
    return (1 - zg) * n + zg * h;
  }
  const z = a[j] + r[j];
  return kind === 'RNN-tanh' ? Math.tanh(z) : Math.max(0, z);
}

/** A quantized cell's weights: the int8 rows and scales of both products, and the f32 biases if any. */
export interface QuantizedCellWeights {
  ih: Int8Rows;
  hh: Int8Rows;
  biasIh?: ArrayLike<number>;
  biasHh?: ArrayLike<number>;
}

/**
 * One step of a quantized cell in float64 on a batch: x [batch, input], h and
 * (an LSTM's) c [batch, hidden] → the next h and c. edge[b]: whether row b's
 * x or h had a value on a rounding edge (its step may differ by one int8 step).
 */
export function quantizedCellStepRef(
  kind: RecurrentKind, x: ArrayLike<number>, h: ArrayLike<number>, c: ArrayLike<number> | null, [batch, input, hidden]: readonly number[], w: QuantizedCellWeights,
): { h: Float64Array; c: Float64Array; edge: Uint8Array } {
  const H = hidden;
  const G = gatesOf(kind) * H;
  const hOut = new Float64Array(batch * H);
  const cOut = Float64Array.from({ length: batch * H }, (_, i) => c?.[i] ?? 0);
  const edge = new Uint8Array(batch);
  for (let b = 0; b < batch; b++) {
    const hb = Array.from({ length: H }, (_, j) => h[b * H + j]);
    const xs = rowTimes(Array.from({ length: input }, (_, k) => x[b * input + k]), w.ih, G, input);
    const hs = rowTimes(hb, w.hh, G, H);
    const a = xs.out.map((v, g) => v + (w.biasIh?.[g] ?? 0));
    const r = hs.out.map((v, g) => v + (w.biasHh?.[g] ?? 0));
    const cb = cOut.subarray(b * H, (b + 1) * H);
    for (let j = 0; j < H; j++) hOut[b * H + j] = unitStep(kind, a, r, H, j, hb[j], cb);
    edge[b] = xs.edge || hs.edge ? 1 : 0;
  }
  return { h: hOut, c: cOut, edge };
}

/**
 * One direction of a one-layer quantized LSTM, GRU or RNN in float64, each step
 * from the layer's own h of the step before (`got`, its output [batch, time,
 * gotWidth], this direction's h at `offset`) — so that an activation's
 * rounding that went the other way in one step does not carry into the next —
 * or from h0 [batch, hidden] (zeros) at the first. The weights are the int8
 * rows the layer holds. `checked` marks the steps to compare: a step whose x
 * or h had a value on a rounding edge is left out, and, for an LSTM, so is
 * every step after it (its c carries the difference). c: each sequence's
 * last cell, cChecked where every step was checked.
 */
export function quantizedRecurrentRef(
  kind: RecurrentKind, x: ArrayLike<number>, [batch, time, input]: readonly number[], hidden: number,
  w: QuantizedCellWeights,
  reverse: boolean, got: ArrayLike<number>, gotWidth: number, offset: number, h0?: ArrayLike<number>, c0?: ArrayLike<number>,
): { want: Float64Array; checked: Uint8Array; c: Float64Array; cChecked: Uint8Array } {
  const H = hidden;
  const G = gatesOf(kind) * H;
  const want = new Float64Array(batch * time * H);
  const checked = new Uint8Array(batch * time);
  const cOut = new Float64Array(batch * H);
  const cChecked = new Uint8Array(batch).fill(1);
  for (let b = 0; b < batch; b++) {
    const c = Float64Array.from({ length: H }, (_, j) => c0?.[b * H + j] ?? 0);
    let clean = true;
    for (let i = 0; i < time; i++) {
      const t = reverse ? time - 1 - i : i;
      const prev = reverse ? t + 1 : t - 1;
      const h = Float64Array.from({ length: H }, (_, j) => (i === 0 ? h0?.[b * H + j] ?? 0 : got[(b * time + prev) * gotWidth + offset + j]));
      const xs = rowTimes(Array.from({ length: input }, (_, k) => x[(b * time + t) * input + k]), w.ih, G, input);
      const hs = rowTimes(h, w.hh, G, H);
      const a = xs.out.map((v, g) => v + (w.biasIh?.[g] ?? 0));
      const r = hs.out.map((v, g) => v + (w.biasHh?.[g] ?? 0));
      for (let j = 0; j < H; j++) want[(b * time + t) * H + j] = unitStep(kind, a, r, H, j, h[j], c);
      if (xs.edge || hs.edge) {
        if (kind === 'LSTM') clean = false;
        cChecked[b] = 0;
      } else if (clean) checked[b * time + t] = 1;
    }
    cOut.set(c, b * H);
    if (!clean) cChecked[b] = 0;
  }
  return { want, checked, c: cOut, cChecked };
}
