// onnxruntime's GroupQueryAttention (com.microsoft,
// src/onnx/ops/microsoft_group_query_attention.ts) as one-node models on
// every backend: against float64 loops (the ONNX Attention reference with
// the cache written at each row's past length, rotary turns at positions
// past + s or position_ids', the local window as a mask, attention_bias
// added after the softcap, the smooth softmax's sink in each denominator)
// at odd sizes; a decode loop feeding present back as past, which must give
// what the whole prompt gives; beside onnxruntime-web (wasm) on the same
// bytes, position_ids, attention_bias, head_sink and smooth_softmax among
// them, output_qk (qk_output 1 and 2) and int8 and int4 caches (per tensor
// and per channel); q/k norms (whose reference in onnxruntime is its WebGPU
// provider only) against the float64 loops; gradients to head_sink and
// attention_bias against central differences; and what tmnn refuses.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { asF32, expectClose, randomInts, SEED, uniform } from '../../helpers/data.js';
import { roundHalfEven } from '../../helpers/onnx_quantized.js';
import { collected } from '../../helpers/gc.js';
import { f64, size, type F64 } from '../../helpers/float64.js';
import { attention23Ref, fromHeads, toHeads } from '../../helpers/onnx_attention.js';
import { ortNode, rotaryRef } from '../../helpers/onnx_microsoft.js';
import { onnxModel, type AttributeSpec } from '../../helpers/onnx.js';
import { feed, runOp, type Feed } from '../../helpers/onnx_run.js';

const MS = { domain: 'com.microsoft', outputs: 3 } as const;
const floats = (shape: number[], lo = -2, hi = 2): F64 => f64(shape, asF32(uniform(size(shape), lo, hi)));
const int32s = (values: number[], shape = [values.length]): Feed => ({ shape, values, type: 'int32', constant: true });
const map = (a: F64, f: (v: number, i: number) => number): F64 => ({ shape: [...a.shape], v: a.v.map(f) });

interface GqaCase {
  what: string;
  batch: number;
  sequence: number;
  heads: number;
  kvHeads: number;
  headSize: number;
  /** The past's length and its buffer's (longer when the buffer is shared). */
  past: number;
  buffer?: number;
  /** Rows of different lengths: each row's past (a decode step), or each row's prompt length (the first prompt, padded). */
  rowPasts?: number[];
  promptLengths?: number[];
  packed?: boolean;
  rotary?: { interleaved: boolean; half: number };
  window?: number;
  softcap?: number;
  /** attention_bias's leading dims: [B or 1, N or 1]. */
  bias?: [boolean, boolean];
  /** position_ids: each token's rotary position, given. */
  positions?: (b: number, s: number) => number;
  /** head_sink given, or smooth_softmax = 1 (a sink of 0). */
  sink?: 'head_sink' | 'smooth_softmax';
  /** qk_output: output_qk as the scores before the softmax (1) or the probabilities (2). */
  qk?: 1 | 2;
  /** The cache in int8 (or int4 with `bits`) with k_scale and v_scale, one scale or one per k/v head and channel. */
  quantized?: 'PER_TENSOR' | 'PER_CHANNEL';
  bits?: 4;
  /** q_norm_weight and k_norm_weight: each head of Q and K RMS-normalized and weighted, qk_norm_epsilon given or 1e-6. */
  qkNorm?: { epsilon?: number };
}

/** Each head (h values) of x [B, S, N·h] over its root mean square (+ ε), times w. */
function headNormRef(x: F64, w: F64, epsilon: number): F64 {
  const h = w.v.length;
  return map(x, (value, i) => {
    const head = x.v.subarray(i - (i % h), i - (i % h) + h);
    return (value / Math.sqrt(head.reduce((a, u) => a + u * u, 0) / h + epsilon)) * w.v[i % h];
  });
}

/** Values [.., h] in [-8, 7] as an int4 cache holds them: [.., h/2] bytes, each pair + 8, the first in the low nibble. */
function packInt4(a: F64): F64 {
  const shape = [...a.shape.slice(0, -1), a.shape[a.shape.length - 1] / 2];
  return f64(shape, Array.from({ length: a.v.length / 2 }, (_, i) => a.v[2 * i] + 8 + 16 * (a.v[2 * i + 1] + 8)));
}

/** The node's inputs and attributes, and the reference's [output, present_key, present_value]. */
function gqaCase(c: GqaCase): { inputs: (Feed | null)[]; attributes: Record<string, AttributeSpec>; want: F64[]; totals: number[] } {
  const { batch, sequence: s, heads: n, kvHeads: kv, headSize: h, past } = c;
  const pastOf = (b: number) => c.rowPasts?.[b] ?? past;
  const totalOf = (b: number) => c.promptLengths?.[b] ?? pastOf(b) + s;
  const buffer = c.buffer ?? Math.max(past, ...(c.rowPasts ?? []));
  const total = Math.max(...Array.from({ length: batch }, (_, b) => totalOf(b)));
  const q = floats([batch, s, n * h]), k = floats([batch, s, kv * h]), v = floats([batch, s, kv * h]);
  // A quantized cache holds int8 values; its scales put them near the floats' range.
  const [lo, hi] = c.bits === 4 ? [-8, 7] : [-128, 127];
  const cacheValues = (shape: number[]) => (c.quantized ? f64(shape, Array.from(randomInts(size(shape), lo, hi))) : floats(shape));
  const pastKey = cacheValues([batch, kv, buffer, h]), pastValue = cacheValues([batch, kv, buffer, h]);
  const scales = c.quantized && [0, 1].map(() => floats([c.quantized === 'PER_TENSOR' ? 1 : kv * h], ...((c.bits === 4 ? [0.2, 0.4] : [0.01, 0.03]) as [number, number])));
  const attributes: Record<string, AttributeSpec> = { num_heads: n, kv_num_heads: kv, ...(c.window ? { local_window_size: c.window } : {}), ...(c.softcap ? { softcap: { float: c.softcap } } : {}), ...(c.sink === 'smooth_softmax' ? { smooth_softmax: 1 } : {}), ...(c.qk ? { qk_output: c.qk } : {}), ...(c.quantized ? { k_quant_type: c.quantized, v_quant_type: c.quantized, kv_cache_bit_width: c.bits ?? 8 } : {}) };
  const bias = c.bias && floats([c.bias[0] ? batch : 1, c.bias[1] ? n : 1, s, total]);
  const sinks = c.sink === 'head_sink' ? floats([n]) : undefined;
  let caches: Feed[] = [];
  const norms = c.qkNorm && [floats([h], 0.5, 1.5), floats([h], 0.5, 1.5)];
  if (c.qkNorm?.epsilon) attributes.qk_norm_epsilon = { float: c.qkNorm.epsilon };
  let [qr, kr] = norms ? [headNormRef(q, norms[0], c.qkNorm?.epsilon ?? 1e-6), headNormRef(k, norms[1], c.qkNorm?.epsilon ?? 1e-6)] : [q, k];
  if (c.rotary) {
    const { half, interleaved } = c.rotary;
    const angles = Float64Array.from({ length: 16 * half }, (_, i) => Math.floor(i / half) * 10000 ** (-(i % half) / half));
    const cos = f64([16, half], asF32(angles.map(Math.cos))), sin = f64([16, half], asF32(angles.map(Math.sin)));
    caches = [feed(cos), feed(sin)];
    // position_ids in the first prompt: only the first element counts, the start of every row.
    const position = c.positions ? (c.promptLengths || total === s ? (_b: number, i: number) => c.positions!(0, 0) + i : c.positions) : (b: number, i: number) => pastOf(b) + i;
    [qr, kr] = [[qr, n], [kr, kv]].map(([t, heads]) => rotaryRef(t as F64, heads as number, position, cos, sin, 2 * half, interleaved, false));
    Object.assign(attributes, { do_rotary: 1, rotary_interleaved: +interleaved });
  }
  // The present: each row's past positions, this step's, then zeros to the longer buffer's length.
  const present = (p: F64, now: F64) => {
    const length = Math.max(buffer, total), out = new Float64Array(batch * kv * length * h);
    for (let r = 0; r < batch * kv; r++) {
      const from = pastOf(Math.floor(r / kv));
      for (let j = 0; j < length; j++) {
        const src = j >= from && j < from + s ? now.v.subarray((r * s + j - from) * h, (r * s + j - from + 1) * h) : j < from ? p.v.subarray((r * buffer + j) * h, (r * buffer + j + 1) * h) : new Float64Array(h);
        out.set(src, (r * length + j) * h);
      }
    }
    return { shape: [batch, kv, length, h], v: out };
  };
  // Cache value i of [B, N_kv, length, h]'s scale: the one, or its k/v head's and channel's. This step's floats are quantized into the cache as onnxruntime does (f32 division, half to even, saturated).
  const scaleOf = (which: number, i: number, length: number) => (scales![which].v.length === 1 ? scales![which].v[0] : scales![which].v[(Math.floor(i / (length * h)) % kv) * h + (i % h)]);
  const quantize = (t: F64, which: number) => (scales ? map(t, (x, i) => Math.min(hi, Math.max(lo, roundHalfEven(Math.fround(x / scaleOf(which, i, t.shape[2])))))) : t);
  const stored = [present(pastKey, quantize(toHeads(kr, kv), 0)), present(pastValue, quantize(toHeads(v, kv), 1))];
  const [presentKey, presentValue] = stored.map((t, which) => (scales ? map(t, (x, i) => x * scaleOf(which, i, t.shape[2])) : t));
  const length = presentKey.shape[2];
  // Causal from each row's past, within its total, within the window.
  // attention_bias added where the key is seen (its columns span total_sequence_length, the buffer's past it are masked).
  const mask = f64([batch, n, s, length], Array.from({ length: batch * n * s * length }, (_, x) => {
    const [b, head, i, j] = [Math.floor(x / (n * s * length)), Math.floor(x / (s * length)) % n, Math.floor(x / length) % s, x % length];
    const seen = j <= pastOf(b) + i && j < totalOf(b) && (!c.window || j > pastOf(b) + i - c.window);
    const added = bias ? bias.v[(((c.bias![0] ? b : 0) * bias.shape[1] + (c.bias![1] ? head : 0)) * s + i) * total + j] : 0;
    return seen ? added : -Infinity;
  }));
  const sink = c.sink === 'head_sink' ? (head: number) => sinks!.v[head] : c.sink === 'smooth_softmax' ? () => 0 : undefined;
  const r = attention23Ref(toHeads(qr, n), presentKey, presentValue, { mask: { m: mask, bool: false }, softcap: c.softcap, sink, mode: c.qk === 1 ? 2 : 3 });
  // output_qk: [B, N, S, total_sequence_length], 0 where a key is masked.
  const qk = f64([batch, n, s, total], Array.from({ length: batch * n * s * total }, (_, x) => {
    const value = r.qk.v[Math.floor(x / total) * length + (x % total)];
    return Number.isFinite(value) ? value : 0;
  }));
  const qkv = c.packed ? [feed(f64([batch, s, (n + 2 * kv) * h], Array.from({ length: batch * s }, (_, t) => [q, k, v].flatMap((a) => Array.from(a.v.subarray(t * a.shape[2], (t + 1) * a.shape[2])))).flat())), null, null] : [feed(q), feed(k), feed(v)];
  // An int8 cache is given even when empty: onnxruntime types the present by the past.
  const cache = buffer > 0 || c.quantized ? [feed(pastKey), feed(pastValue)] : [null, null];
  const ids: Feed | null = c.positions ? { shape: [batch, s], values: Array.from({ length: batch * s }, (_, x) => c.positions!(Math.floor(x / s), x % s)), type: 'int64' } : null;
  // Inputs 7 on: cos_cache, sin_cache, position_ids, attention_bias, head_sink, k_scale, v_scale, q_norm_weight, k_norm_weight; trailing ones left out.
  const later: (Feed | null)[] = [...(caches.length ? caches : [null, null]), ids, bias ? feed(bias) : null, sinks ? feed(sinks) : null, ...(scales ? scales.map((t) => ({ ...feed(t), constant: true })) : [null, null]), ...(norms ? norms.map((w) => feed(w)) : [null, null])];
  while (later.length && later[later.length - 1] === null) later.pop();
  const inputs = [...qkv, ...cache, int32s(Array.from({ length: batch }, (_, b) => totalOf(b) - 1)), int32s([c.promptLengths ? s : total], []), ...later];
  if (c.quantized) [pastKey, pastValue].forEach((past, j) => (inputs[3 + j] = c.bits === 4 ? { ...feed(packInt4(past)), type: 'uint8' } : { ...feed(past), type: 'int8' }));
  return { inputs, attributes, want: [fromHeads(r.y), ...(c.bits === 4 ? stored.map(packInt4) : stored), ...(c.qk ? [qk] : [])], totals: Array.from({ length: batch }, (_, b) => totalOf(b)) };
}

const CASES: GqaCase[] = [
  { what: 'the first prompt, 3 query heads to a k/v head', batch: 2, sequence: 5, heads: 6, kvHeads: 2, headSize: 4, past: 0 },
  { what: 'a decode step after 4, rotary (halves), softcap', batch: 2, sequence: 1, heads: 4, kvHeads: 2, headSize: 6, past: 4, rotary: { interleaved: false, half: 3 }, softcap: 1.5 },
  { what: 'packed Q, K and V, a local window of 2, interleaved rotary of part of the head', batch: 1, sequence: 1, heads: 3, kvHeads: 1, headSize: 8, past: 5, packed: true, window: 2, rotary: { interleaved: true, half: 2 } },
  { what: 'a buffer longer than the past (shared): the step written at the past length, zeros after', batch: 2, sequence: 1, heads: 2, kvHeads: 2, headSize: 5, past: 3, buffer: 7 },
  { what: 'a decode step over rows of different pasts, rotary at each row\'s position', batch: 3, sequence: 1, heads: 4, kvHeads: 2, headSize: 6, past: 0, rowPasts: [4, 1, 6], rotary: { interleaved: false, half: 3 } },
  { what: 'the first prompt over rows padded on the right', batch: 2, sequence: 4, heads: 2, kvHeads: 1, headSize: 4, past: 0, promptLengths: [4, 2] },
  { what: 'attention_bias [B, N, S, T] after a softcap, head_sink per head', batch: 1, sequence: 3, heads: 4, kvHeads: 2, headSize: 4, past: 2, softcap: 2, bias: [true, true], sink: 'head_sink' },
  { what: 'attention_bias [1, N, S, T] over a longer buffer, smooth_softmax, a local window', batch: 2, sequence: 1, heads: 2, kvHeads: 1, headSize: 5, past: 4, buffer: 6, bias: [false, true], sink: 'smooth_softmax', window: 3 },
  { what: 'attention_bias [B, 1, S, T] on the first prompt, rotary', batch: 2, sequence: 4, heads: 2, kvHeads: 2, headSize: 6, past: 0, bias: [true, false], rotary: { interleaved: false, half: 3 } },
  { what: 'position_ids in a decode step: rotary at each row\'s given position, not its past length', batch: 3, sequence: 1, heads: 2, kvHeads: 1, headSize: 6, past: 0, rowPasts: [4, 1, 6], rotary: { interleaved: false, half: 3 }, positions: (b) => [9, 2, 13][b] },
  { what: 'position_ids in the first prompt: every row from the first element on', batch: 2, sequence: 3, heads: 2, kvHeads: 2, headSize: 4, past: 0, rotary: { interleaved: true, half: 2 }, positions: (b, i) => 5 + 3 * b + i },
  { what: 'output_qk before the softmax: softcapped, attention_bias added, 0 where masked (causal, padded rows)', batch: 2, sequence: 4, heads: 2, kvHeads: 1, headSize: 4, past: 0, promptLengths: [4, 2], softcap: 1.5, bias: [true, false], qk: 1 },
  { what: 'output_qk after the softmax with a head sink, a local window, over a longer buffer', batch: 2, sequence: 1, heads: 4, kvHeads: 2, headSize: 5, past: 4, buffer: 6, window: 3, sink: 'head_sink', qk: 2 },
  { what: 'output_qk before the softmax in a decode step over rows of different pasts', batch: 3, sequence: 1, heads: 2, kvHeads: 1, headSize: 6, past: 0, rowPasts: [4, 1, 6], qk: 1 },
  { what: 'an int8 cache with one scale each for keys and values: a decode step quantized into it, rotary', batch: 2, sequence: 1, heads: 4, kvHeads: 2, headSize: 6, past: 3, rotary: { interleaved: false, half: 3 }, quantized: 'PER_TENSOR' },
  { what: 'an int8 cache with a scale per k/v head and channel: the first prompt over rows padded on the right', batch: 2, sequence: 3, heads: 2, kvHeads: 2, headSize: 4, past: 0, promptLengths: [3, 2], quantized: 'PER_CHANNEL' },
  { what: 'an int8 cache per channel over a longer buffer, rows of different pasts, output_qk', batch: 2, sequence: 1, heads: 2, kvHeads: 1, headSize: 5, past: 0, rowPasts: [2, 4], buffer: 6, quantized: 'PER_CHANNEL', qk: 2 },
  { what: 'an int4 cache with one scale each: a decode step packed into it, rotary', batch: 2, sequence: 1, heads: 4, kvHeads: 2, headSize: 6, past: 3, rotary: { interleaved: false, half: 3 }, quantized: 'PER_TENSOR', bits: 4 },
  { what: 'an int4 cache per channel: the first prompt', batch: 1, sequence: 3, heads: 2, kvHeads: 1, headSize: 4, past: 0, quantized: 'PER_CHANNEL', bits: 4 },
  { what: 'q and k norms (Qwen3\'s) before rotary, a decode step', batch: 2, sequence: 1, heads: 4, kvHeads: 2, headSize: 6, past: 3, rotary: { interleaved: false, half: 3 }, qkNorm: {} },
  { what: 'q and k norms with qk_norm_epsilon on the first prompt, no rotary', batch: 1, sequence: 3, heads: 2, kvHeads: 1, headSize: 4, past: 0, qkNorm: { epsilon: 0.5 } },
];

describe.each(BACKENDS)('com.microsoft GroupQueryAttention on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('softmax(scale·QKᵀ)·V causal from the past, grouped heads, the cache written at the past length; rotary, window, softcap, packed QKV', async () => {
    for (const c of CASES) {
      const { inputs, attributes, want } = gqaCase(c);
      const got = await runOp('GroupQueryAttention', inputs, attributes, { ...MS, outputs: want.length });
      got.forEach((g, i) => {
        expect(g.shape, `${c.what}, output ${i}`).toEqual(want[i].shape);
        expectClose(g.v, want[i].v, 2e-5, `${c.what}, output ${i} (test seed ${SEED})`);
      });
    }
  });

  it('decoding step by step, present fed back as past, gives what the whole prompt gives', async () => {
    const [batch, n, kv, h, steps] = [2, 4, 1, 4, 5];
    const q = floats([batch, steps, n * h]), k = floats([batch, steps, kv * h]), v = floats([batch, steps, kv * h]);
    const half = 2, angles = Float64Array.from({ length: 8 * half }, (_, i) => Math.floor(i / half) * 10000 ** (-(i % half) / half));
    const caches = [feed(f64([8, half], asF32(angles.map(Math.cos)))), feed(f64([8, half], asF32(angles.map(Math.sin))))];
    const tokens = (t: F64, from: number, to: number) => f64([batch, to - from, t.shape[2]], Array.from({ length: batch }, (_, b) => Array.from(t.v.subarray((b * steps + from) * t.shape[2], (b * steps + to) * t.shape[2]))).flat());
    const attributes = { num_heads: n, kv_num_heads: kv, do_rotary: 1 };
    const step = (from: number, to: number, past: (Feed | null)[]) => runOp('GroupQueryAttention', [feed(tokens(q, from, to)), feed(tokens(k, from, to)), feed(tokens(v, from, to)), ...past, int32s(Array(batch).fill(to - 1)), int32s([to], []), ...caches], attributes, MS);
    const [whole] = await step(0, steps, [null, null]);
    let [y, presentKey, presentValue] = await step(0, 2, [null, null]);
    const ys = [y];
    for (let t = 2; t < steps; t++) {
      [y, presentKey, presentValue] = await step(t, t + 1, [feed(presentKey), feed(presentValue)]);
      ys.push(y);
    }
    const stepped = Array.from({ length: batch }, (_, b) => ys.flatMap((part) => Array.from(part.v.subarray(b * part.shape[1] * n * h, (b + 1) * part.shape[1] * n * h)))).flat();
    expectClose(stepped, whole.v, 1e-5, 'outputs stepped vs whole');
  });
});

describe.each(BACKENDS)('com.microsoft GroupQueryAttention beside onnxruntime-web on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('computes what onnxruntime computes, present_key and present_value too', async () => {
    // onnxruntime takes head sizes that are multiples of 16 only, and rotary halves of 8.
    // Its CPU kernel (the one in the WebAssembly build) refuses q/k norms: those cases stay with the float64 reference.
    for (const c of CASES.filter((c) => !c.qkNorm).map((c) => ({ ...c, headSize: 16, rotary: c.rotary && { ...c.rotary, half: 8 } }))) {
      const { inputs, attributes, want: ours, totals } = gqaCase(c);
      const got = await runOp('GroupQueryAttention', inputs, attributes, { ...MS, outputs: ours.length });
      const cache = c.bits === 4 ? 'uint8' : 'int8';
      const want = await ortNode('GroupQueryAttention', inputs, attributes, { ...MS, outputs: ours.length, outputTypes: c.quantized ? ['float', cache, cache, 'float'] : undefined });
      // onnxruntime leaves output_qk unwritten past a padded row's total (what its fresh buffer held): compared up to it.
      if (c.qk) {
        const [, n, s, t] = ours[3].shape;
        want[3] = want[3].map((x, i) => (i % t < totals[Math.floor(i / (n * s * t))] ? x : 0));
      }
      got.forEach((g, i) => expectClose(g.v, want[i], 3e-5, `${c.what}, output ${i} (test seed ${SEED})`));
    }
  });
});

describe.each(BACKENDS)('com.microsoft GroupQueryAttention in a model on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('head_sink and attention_bias as initializers are parameters: their gradients match central differences of the float64 reference', async () => {
    const [n, s, h] = [2, 3, 4];
    const q = floats([1, s, n * h]), k = floats([1, s, h]), v = floats([1, s, h]), r = floats([1, s, n * h]);
    const sink = floats([n]), bias = floats([1, n, s, s]);
    const bytes = onnxModel({
      opset: 21,
      inputs: [{ name: 'q', shape: q.shape }, { name: 'k', shape: k.shape }, { name: 'v', shape: v.shape }],
      outputs: [{ name: 'y' }],
      initializers: { sink: { shape: sink.shape, values: sink.v }, bias: { shape: bias.shape, values: bias.v }, r: { shape: r.shape, values: r.v }, seqlens: { type: 'int32', shape: [1], values: [s - 1] }, total: { type: 'int32', shape: [], values: [s] } },
      nodes: [
        { op: 'GroupQueryAttention', domain: 'com.microsoft', inputs: ['q', 'k', 'v', '', '', 'seqlens', 'total', '', '', '', 'bias', 'sink'], outputs: ['a', 'pk', 'pv'], attributes: { num_heads: n, kv_num_heads: 1 } },
        { op: 'Mul', inputs: ['a', 'r'], outputs: ['ar'] },
        { op: 'ReduceSum', inputs: ['ar'], outputs: ['y'], attributes: { keepdims: 0 } },
      ],
    });
    // The first prompt: causal from 0, the bias added, head n's sink in its denominators.
    const loss = (sk: F64, b: F64) => fromHeads(attention23Ref(toHeads(q, n), toHeads(k, 1), toHeads(v, 1), { causal: true, mask: { m: b, bool: false }, sink: (head) => sk.v[head] }).y).v.reduce((acc, x, i) => acc + x * r.v[i], 0);
    const numeric = (a: F64, f: (changed: F64) => number) => Array.from(a.v, (_, i) => {
      const step = 1e-5, at = (d: number) => f({ shape: a.shape, v: a.v.map((x, j) => (j === i ? x + d : x)) });
      return (at(step) - at(-step)) / (2 * step);
    });
    const before = await collected();
    const model = tm.onnx.fromBytes(bytes);
    const inputs = [q, k, v].map((t) => tm.tensor(Array.from(t.v), t.shape));
    const y = model.forward(...inputs);
    y.backward();
    expectClose(await model.ownParameters().sink.grad!.data(), numeric(sink, (c) => loss(c, bias)), 1e-4, 'd loss / d head_sink');
    expectClose(await model.ownParameters().bias.grad!.data(), numeric(bias, (c) => loss(sink, c)), 1e-4, 'd loss / d attention_bias');
    for (const t of [...inputs, y]) t.dispose();
    model.dispose();
    expect(tm.memory().numTensors, 'tensors left').toBe(before);
  });
});

describe('com.microsoft GroupQueryAttention: what tmnn refuses, named', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('names ragged lengths, the inputs it does not take and bad shapes', async () => {
    const q = feed(floats([2, 1, 8])), k = feed(floats([2, 1, 4])), past = feed(floats([2, 1, 3, 4]));
    const refuse = (inputs: (Feed | null)[], attributes: Record<string, AttributeSpec>, error: RegExp) => expect(runOp('GroupQueryAttention', inputs, { num_heads: 2, kv_num_heads: 1, ...attributes }, MS)).rejects.toThrow(error);
    await refuse([q, k, k, past, past, int32s([3, -1]), int32s([4], [])], {}, /seqlens_k = \[3, -1\]: a row's total \(seqlens_k \+ 1\) is shorter than the 1 positions of this step/);
    await refuse([q, k, k, past, past, int32s([3, 3]), int32s([4], []), feed(floats([8, 2])), feed(floats([8, 2])), { shape: [2, 2], values: [3, 3, 4, 4], type: 'int64' }], { do_rotary: 1 }, /position_ids \(input 9\) is i32 \[2, 2\]; it must be int64 \[batch, sequence\] = \[2, 1\]/);
    await refuse([q, k, k, past, past, int32s([3, 3]), int32s([4], []), null, null, null, feed(floats([2, 2, 1, 3]))], {}, /attention_bias \(input 10\) is \[2, 2, 1, 3\]; it must be \[2 or 1, 2 or 1, 1, 4\]/);
    await refuse([q, k, k, past, past, int32s([3, 3]), int32s([4], []), null, null, null, null, feed(floats([3]))], {}, /head_sink \(input 11\) is \[3\]; it must be \[num_heads\] = \[2\]/);
    await refuse([q, k, k, past, past, int32s([3, 3]), int32s([4], []), null, null, null, null, null, null, null, null, null, feed(floats([4]))], {}, /input 16 \(x16\) is not supported: tmnn runs GroupQueryAttention's inputs 0 to 15/);
    await refuse([q, k, k, past, past, int32s([3, 3]), int32s([4], []), null, null, null, null, null, null, null, feed(floats([4]))], {}, /q_norm_weight \(input 14\) comes without k_norm_weight \(input 15\): the two go together/);
    await refuse([q, k, k, past, past, int32s([3, 3]), int32s([4], []), null, null, null, null, null, null, null, feed(floats([4])), feed(floats([3]))], {}, /k_norm_weight \(input 15\) is \[3\]; it must be \[head size\] = \[4\]/);
    const scale = { ...feed(floats([1])), constant: true }, int8Past: Feed = { shape: [2, 1, 3, 4], values: Array.from(randomInts(24, -128, 127)), type: 'int8' };
    await refuse([q, k, k, int8Past, int8Past, int32s([3, 3]), int32s([4], []), null, null, null, null, null, scale, scale], { k_quant_type: 'PER_TENSOR', v_quant_type: 'PER_TENSOR', kv_cache_bit_width: 2 }, /kv_cache_bit_width = 2; a quantized cache is int8 \(8\) or int4 \(4\)/);
    await refuse([q, k, k, int8Past, int8Past, int32s([3, 3]), int32s([4], []), null, null, null, null, null, scale, scale], { k_quant_type: 'PER_TENSOR', v_quant_type: 'PER_TENSOR', kv_cache_bit_width: 4 }, /past_key \(input 3\) is i32 \[2, 1, 3, 4\]; an int4 cache is uint8 \[batch, kv heads, length, 2\] \(two values a byte\)/);
    await refuse([q, k, k, int8Past, int8Past, int32s([3, 3]), int32s([4], []), null, null, null, null, null, scale, scale], { k_quant_type: 'PER_TENSOR', v_quant_type: 'PER_CHANNEL', kv_cache_bit_width: 8 }, /k_quant_type = PER_TENSOR and v_quant_type = PER_CHANNEL: tmnn, as onnxruntime's CPU kernel, quantizes keys and values alike/);
    await refuse([q, k, k, int8Past, int8Past, int32s([3, 3]), int32s([4], []), null, null, null, null, null, scale, scale], { k_quant_type: 'PER_CHANNEL', v_quant_type: 'PER_CHANNEL', kv_cache_bit_width: 8 }, /k_scale \(input 12\) is f32 \[1\]; a PER_CHANNEL cache takes 4 float scales \(one per k\/v head and channel: 1 · 4\)/);
    await refuse([q, k, k, int8Past, int8Past, int32s([3, 3]), int32s([4], []), null, null, null, null, null, scale], { k_quant_type: 'PER_TENSOR', v_quant_type: 'PER_TENSOR', kv_cache_bit_width: 8 }, /v_scale \(input 13\) is required with a PER_TENSOR cache/);
    await refuse([q, k, k, past, past, int32s([3, 3]), int32s([4], []), null, null, null, null, null, scale, scale], { k_quant_type: 'PER_TENSOR', v_quant_type: 'PER_TENSOR', kv_cache_bit_width: 8 }, /past_key \(input 3\) is f32 \[2, 1, 3, 4\]; a quantized cache is int8/);
    await refuse([q, k, k, past, past, int32s([3, 3]), int32s([4], []), null, null, null, null, null, scale, scale], {}, /k_scale \(input 12\) is given, but the cache is not quantized/);
    await refuse([q, k, k, past, past, int32s([3, 3]), int32s([4], [])], { kv_num_heads: 3 }, /num_heads = 2 does not split into groups over kv_num_heads = 3/);
    await refuse([q, feed(floats([2, 1, 6])), k, past, past, int32s([3, 3]), int32s([4], [])], {}, /query \[2, 1, 8\], key \[2, 1, 6\], value \[2, 1, 4\]: with num_heads = 2 and kv_num_heads = 1, key and value must be \[2, 1, 1 · 4\]/);
    await refuse([q, k, k, feed(floats([2, 1, 3, 5])), past, int32s([3, 3]), int32s([4], [])], {}, /past_key \(input 3\) is \[2, 1, 3, 5\]; it must be \[2, 1, past length, 4\]/);
    await refuse([q, k, k, past, past, int32s([5, 5]), int32s([6], [])], {}, /past_key \(input 3\) is \[2, 1, 3, 4\]: it holds 3 positions, seqlens_k says a past of 5/);
    await refuse([q, k, k, past, past, int32s([3, 3]), int32s([4], [])], { do_rotary: 1 }, /do_rotary = 1 needs cos_cache and sin_cache/);
    const withQk = (attributes: Record<string, AttributeSpec>) => runOp('GroupQueryAttention', [q, k, k, past, past, int32s([3, 3]), int32s([4], [])], { num_heads: 2, kv_num_heads: 1, ...attributes }, { ...MS, outputs: 4 });
    await expect(withQk({})).rejects.toThrow(/names an output_qk output \(y3\) but qk_output is 0: set qk_output to 1 \(the scores before the softmax\) or 2 \(after it\)/);
    await expect(withQk({ qk_output: 3 })).rejects.toThrow(/qk_output = 3; it is 0 \(none\), 1 \(the scores before the softmax\) or 2 \(after it\)/);
  });
});
