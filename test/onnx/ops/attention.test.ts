// ONNX opset 23's LLM ops (src/onnx/ops/attention.ts, rotary.ts,
// normalization.ts' RMSNormalization) as one-node models on every backend,
// against float64 loops of the ONNX definitions
// (test/helpers/onnx_attention.ts) at odd sizes; a decode loop feeding
// present_key/present_value back as past_key/past_value step by step, which
// must give what the whole sequence gives under is_causal; then beside
// onnxruntime-web (wasm) on the same bytes, gradients to a K and a past
// held as parameters, and the shapes tmnn refuses. Opset 24's
// nonpad_kv_seqlen likewise, and the static-cache decode loop it serves
// (TensorScatter writing each step into a fixed-size cache, Attention
// reading the valid part), against the whole sequence and onnxruntime.
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { asF32, expectClose, randomInts, SEED, uniform } from '../../helpers/data.js';
import { collected } from '../../helpers/gc.js';
import { f64, size, type F64 } from '../../helpers/float64.js';
import { attention23Ref, concatSequence, fromHeads, rmsNormRef, toHeads, type Attention23Options } from '../../helpers/onnx_attention.js';
import { ortNode, rotaryRef } from '../../helpers/onnx_microsoft.js';
import { onnxModel, type AttributeSpec } from '../../helpers/onnx.js';
import { feed, runModel, runOp, type Feed } from '../../helpers/onnx_run.js';
import { ortRun } from '../../helpers/ort.js';

const OPSET = 23;
const floats = (shape: number[], lo = -2, hi = 2): F64 => f64(shape, asF32(uniform(size(shape), lo, hi)));
const asF64 = (f: Feed): F64 => f64([...f.shape], f.values);

async function run(op: string, inputs: readonly (Feed | null)[], attributes: Record<string, AttributeSpec> = {}, outputs = 1): Promise<F64[]> {
  return runOp(op, inputs, attributes, { opset: OPSET, outputs });
}

/** cos and sin caches [positions, half] of RoPE's angles p·10000^(−2i/rot). */
function ropeCaches(positions: number, half: number): [F64, F64] {
  const angles = Float64Array.from({ length: positions * half }, (_, i) => Math.floor(i / half) * 10000 ** (-(i % half) / half));
  return [f64([positions, half], asF32(angles.map(Math.cos))), f64([positions, half], asF32(angles.map(Math.sin)))];
}

interface AttentionCase {
  what: string;
  /** Q, K, V and the past as [B, N, L, h]; 3-D ones are fed as [B, L, N·h]. */
  q: F64;
  k: F64;
  v: F64;
  threeD?: boolean;
  past?: [F64, F64];
  mask?: Feed;
  /** Opset 24's nonpad_kv_seqlen. */
  nonpad?: number[];
  attributes?: Record<string, AttributeSpec>;
  options?: Attention23Options;
}

/** The case's node inputs and the reference's outputs [Y, present_key, present_value, qk_matmul_output]. */
function attentionCase(c: AttentionCase): { inputs: (Feed | null)[]; attributes: Record<string, AttributeSpec>; want: F64[] } {
  const { q, k, v, threeD, past, mask } = c;
  const shaped = (t: F64) => feed(threeD ? fromHeads(t) : t);
  const heads: Record<string, AttributeSpec> = threeD ? { q_num_heads: q.shape[1], kv_num_heads: k.shape[1] } : {};
  const inputs = [shaped(q), shaped(k), shaped(v), mask ?? null, ...(past ? past.map((p) => feed(p)) : c.nonpad ? [null, null] : [])];
  if (c.nonpad) inputs.push({ shape: [c.nonpad.length], values: c.nonpad, type: 'int64' });
  const r = attention23Ref(q, k, v, { ...c.options, pastKey: past?.[0], pastValue: past?.[1], nonpad: c.nonpad, mask: mask && { m: asF64(mask), bool: mask.type === 'bool' } });
  return { inputs, attributes: { ...heads, ...c.attributes }, want: [threeD ? fromHeads(r.y) : r.y, r.presentKey, r.presentValue, r.qk] };
}

// Masks broadcast over batch and heads, never over the query axis, which onnxruntime wants whole.
function attentionCases(): AttentionCase[] {
  const [b, s, t] = [2, 3, 5];
  const gqa = { q: floats([b, 6, s, 5]), k: floats([b, 2, s, 5]), v: floats([b, 2, s, 7]) };
  return [
    { what: 'multi-head, 4-D, cross lengths, v head size ≠ q head size', q: floats([b, 3, s, 6]), k: floats([b, 3, t, 6]), v: floats([b, 3, t, 7]) },
    { what: 'grouped-query, 3-D with head counts, causal', ...gqa, threeD: true, attributes: { is_causal: 1 }, options: { causal: true } },
    { what: 'grouped-query with a past, causal aligned to the past', ...gqa, past: [floats([b, 2, 4, 5]), floats([b, 2, 4, 7])], attributes: { is_causal: 1 }, options: { causal: true } },
    { what: 'bool mask [S, T] broadcast, scale, softcap; qk after the softcap', q: floats([b, 3, s, 4], -4, 4), k: floats([b, 3, t, 4], -4, 4), v: floats([b, 3, t, 4]), mask: { shape: [s, t], values: [1, 0, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 0, 1, 0], type: 'bool' }, attributes: { scale: { float: 0.3 }, softcap: { float: 2.5 }, qk_matmul_output_mode: 1 }, options: { scale: Math.fround(0.3), softcap: 2.5, mode: 1 } },
    { what: 'float mask [B, 1, S, T] with a past, 3-D, softcap; qk with the mask', q: floats([b, 4, s, 3]), k: floats([b, 2, s, 3]), v: floats([b, 2, s, 5]), threeD: true, past: [floats([b, 2, 2, 3]), floats([b, 2, 2, 5])], mask: feed(floats([b, 1, s, t])), attributes: { softcap: { float: 1.5 }, qk_matmul_output_mode: 2 }, options: { softcap: 1.5, mode: 2 } },
    { what: 'float mask [N, S, T], softcap; qk before the softcap', q: floats([b, 2, s, 4], -3, 3), k: floats([b, 2, t, 4], -3, 3), v: floats([b, 2, t, 3]), mask: feed(floats([2, s, t])), attributes: { softcap: { float: 3 } }, options: { softcap: 3 } },
    { what: 'bool mask and is_causal together with a past; qk after the softmax', q: floats([1, 2, 2, 4]), k: floats([1, 1, 2, 4]), v: floats([1, 1, 2, 4]), past: [floats([1, 1, 3, 4]), floats([1, 1, 3, 4])], mask: { shape: [1, 1, 2, 5], values: [0, 1, 1, 1, 1, 1, 1, 0, 1, 1], type: 'bool' }, attributes: { is_causal: 1, qk_matmul_output_mode: 3 }, options: { causal: true, mode: 3 } },
  ];
}

describe.each(BACKENDS)('opset 23 LLM ops on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('RMSNormalization: x/√(mean(x²) + ε)·scale over the axes from `axis` on', async () => {
    const CASES: [number[], number, number[], number | undefined][] = [[[3, 5, 7], -1, [7], undefined], [[2, 3, 5], 1, [3, 5], 0.25], [[4, 9], 0, [4, 9], undefined]];
    for (const [shape, axis, scaleShape, epsilon] of CASES) {
      const x = floats(shape), scale = floats(scaleShape);
      const got = (await run('RMSNormalization', [feed(x), feed(scale)], { axis, ...(epsilon === undefined ? {} : { epsilon: { float: epsilon } }) }))[0];
      expect(got.shape).toEqual(shape);
      expectClose(got.v, rmsNormRef(x, scale, axis, epsilon ?? 1e-5).v, 1e-5, `RMSNormalization [${shape}], axis ${axis}`);
    }
  });

  it("RotaryEmbedding: each head's first rotary dims turned by its position's angle, halves or interleaved pairs; caches gathered by position_ids, or per token", async () => {
    const [batch, seq, heads, maxPositions] = [2, 5, 3, 11];
    for (const [h, rot, interleaved, bnsh, byIds] of [[8, 8, false, false, true], [8, 8, true, true, false], [10, 6, false, true, true], [6, 4, true, false, false]] as [number, number, boolean, boolean, boolean][]) {
      const [cos, sin] = ropeCaches(maxPositions, rot / 2);
      const x = floats(bnsh ? [batch, heads, seq, h] : [batch, seq, heads * h]);
      const ids = randomInts(batch * seq, 0, maxPositions - 1);
      // Without position_ids the caches are each token's own rows: [B, S, rot/2].
      const perToken = (c: F64) => f64([batch, seq, rot / 2], Array.from(ids).flatMap((p) => Array.from(c.v.subarray(p * (rot / 2), (p + 1) * (rot / 2)))));
      const inputs = byIds ? [feed(x), feed(cos), feed(sin), { shape: [batch, seq], values: ids, type: 'int64' } as Feed] : [feed(x), feed(perToken(cos)), feed(perToken(sin))];
      const attributes = { interleaved: +interleaved, ...(rot !== h ? { rotary_embedding_dim: rot } : {}), ...(bnsh ? {} : { num_heads: heads }) };
      const got = (await run('RotaryEmbedding', inputs, attributes))[0];
      const want = rotaryRef(x, heads, (b, s) => ids[b * seq + s], cos, sin, rot, interleaved, bnsh);
      expectClose(got.v, want.v, 1e-5, `head size ${h}, rotary dim ${rot}${interleaved ? ', interleaved' : ''}, ${bnsh ? '[B, N, S, h]' : '[B, S, H]'}, ${byIds ? 'position_ids' : 'caches per token'}`);
    }
  });

  it('Attention: softmax(scale·Q·Kᵀ + mask)·V per head; grouped-query heads; past joined into present_key/present_value; is_causal aligned to the past; softcap; qk_matmul_output in each mode', async () => {
    for (const c of attentionCases()) {
      const { inputs, attributes, want } = attentionCase(c);
      const got = await run('Attention', inputs, attributes, 4);
      got.forEach((g, i) => {
        expect(g.shape, `${c.what}, output ${i}`).toEqual(want[i].shape);
        expectClose(g.v, want[i].v, 2e-5, `${c.what}, output ${i} (test seed ${SEED})`);
      });
    }
  });

  it('Attention: a mask shorter than the keys is padded with −∞ (float) or false (bool), as the spec says (onnxruntime refuses it)', async () => {
    const [b, s, t] = [2, 3, 6];
    const q = floats([b, 2, s, 4]), k = floats([b, 2, t, 4]), v = floats([b, 2, t, 3]);
    const pad = (m: F64, to: number, value: number): F64 => {
      const last = m.shape[m.shape.length - 1], rows = m.v.length / last;
      return f64([...m.shape.slice(0, -1), to], Array.from({ length: rows * to }, (_, x) => (x % to < last ? m.v[Math.floor(x / to) * last + (x % to)] : value)));
    };
    const float = floats([b, 1, s, 4]), bool = f64([s, 5], Array.from({ length: s * 5 }, (_, i) => +(i % 4 !== 1)));
    for (const [mask, bool_] of [[float, false], [bool, true]] as const) {
      const [y] = await run('Attention', [feed(q), feed(k), feed(v), bool_ ? { ...feed(mask), type: 'bool' } : feed(mask)], { is_causal: 0 }, 1);
      const want = attention23Ref(q, k, v, { mask: { m: pad(mask, t, bool_ ? 0 : -Infinity), bool: bool_ } }).y;
      expectClose(y.v, want.v, 2e-5, `a ${bool_ ? 'bool' : 'float'} mask [${mask.shape}] for ${t} keys (test seed ${SEED})`);
    }
  });

  it('Attention decoding step by step, present_* fed back as past_*, gives what the whole sequence gives under is_causal', async () => {
    const [batch, qHeads, kvHeads, h, steps] = [2, 4, 2, 3, 6];
    const q = floats([batch, qHeads, steps, h]), k = floats([batch, kvHeads, steps, h]), v = floats([batch, kvHeads, steps, h]);
    const tokens = (t: F64, from: number, to: number) => fromHeads(sliceSequence(t, from, to));
    const attributes = { is_causal: 1, q_num_heads: qHeads, kv_num_heads: kvHeads };
    const [whole] = await run('Attention', [feed(tokens(q, 0, steps)), feed(tokens(k, 0, steps)), feed(tokens(v, 0, steps))], attributes, 3);
    // A prompt of two tokens, then one token a step.
    let [y, presentKey, presentValue] = await run('Attention', [feed(tokens(q, 0, 2)), feed(tokens(k, 0, 2)), feed(tokens(v, 0, 2))], attributes, 3);
    const ys = [y];
    for (let t = 2; t < steps; t++) {
      [y, presentKey, presentValue] = await run('Attention', [feed(tokens(q, t, t + 1)), feed(tokens(k, t, t + 1)), feed(tokens(v, t, t + 1)), null, feed(presentKey), feed(presentValue)], attributes, 3);
      expect(presentKey.shape).toEqual([batch, kvHeads, t + 1, h]);
      ys.push(y);
    }
    const stepped = ys.reduce((a, b) => fromHeads(concatSequence(toHeads(a, qHeads), toHeads(b, qHeads))));
    expectClose(stepped.v, whole.v, 1e-5, 'outputs stepped vs whole');
    expectClose(presentKey.v, k.v, 0, 'the final present_key holds every key');
    expectClose(whole.v, fromHeads(attention23Ref(q, k, v, { causal: true }).y).v, 2e-5, 'the whole sequence against the reference');
  });
});

const F32_MAX = 3.4028234663852886e38;

/** Opset 24's nonpad_kv_seqlen: each row's count of valid keys, masking the rest of a fixed-size cache. */
function nonpadCases(): AttentionCase[] {
  const [b, s, t] = [2, 3, 7];
  return [
    { what: 'nonpad_kv_seqlen masks each row past its count, 4-D, cross lengths', q: floats([b, 2, s, 4]), k: floats([b, 2, t, 4]), v: floats([b, 2, t, 5]), nonpad: [4, 7] },
    { what: 'nonpad_kv_seqlen with is_causal and no past: the causal mask aligned with each row\'s end, 3-D grouped-query', q: floats([b, 4, s, 3]), k: floats([b, 2, t, 3]), v: floats([b, 2, t, 3]), threeD: true, nonpad: [3, 6], attributes: { is_causal: 1 }, options: { causal: true } },
    { what: 'nonpad_kv_seqlen with a bool mask and a softcap; qk with the mask', q: floats([b, 2, s, 4], -3, 3), k: floats([b, 2, t, 4], -3, 3), v: floats([b, 2, t, 4]), nonpad: [6, 5], mask: { shape: [s, t], values: Array.from({ length: s * t }, (_, i) => +(i % 5 !== 2)), type: 'bool' }, attributes: { softcap: { float: 2 }, qk_matmul_output_mode: 2 }, options: { softcap: 2, mode: 2 } },
  ];
}

describe.each(BACKENDS)('opset 24 Attention with nonpad_kv_seqlen on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('masks the keys past each row\'s count, aligns is_causal with it; as the reference and onnxruntime compute', async () => {
    for (const c of nonpadCases()) {
      const { inputs, attributes, want } = attentionCase(c);
      const got = await runOp('Attention', inputs, attributes, { opset: 24, outputs: 4 });
      // onnxruntime writes a masked score (qk_matmul_output_mode 2) as −FLT_MAX where the definition has −∞.
      const ort = (await ortNode('Attention', inputs, attributes, { opset: 24, outputs: 4 })).map((o) => o.map((x) => (x <= -F32_MAX ? -Infinity : x)));
      got.forEach((g, i) => {
        expect(g.shape, `${c.what}, output ${i}`).toEqual(want[i].shape);
        expectClose(g.v, want[i].v, 2e-5, `${c.what}, output ${i} (test seed ${SEED})`);
        expectClose(g.v, ort[i], 3e-5, `${c.what}, output ${i} beside onnxruntime (test seed ${SEED})`);
      });
    }
  });

  it('a static-cache decode loop, TensorScatter writing each step where each row is and Attention reading nonpad_kv_seqlen keys, gives what each row\'s whole sequence gives', async () => {
    // Row 1 is 2 tokens ahead, its first two keys and values already in the cache; both then take a prompt of 2 tokens, then a token a step.
    const [qHeads, kvHeads, h, capacity, steps] = [4, 2, 3, 9, 4];
    const start = [0, 2];
    const q = floats([2, qHeads, 2 + steps + 2, h]), k = floats([2, kvHeads, 2 + steps + 2, h]), v = floats([2, kvHeads, 2 + steps + 2, h]);
    const bytes = staticCacheStep(qHeads, kvHeads, h, capacity);
    const prefilled = (t: F64) => {
      const cache = new Float64Array(2 * kvHeads * capacity * h);
      for (let n = 0; n < kvHeads; n++) cache.set(t.v.subarray(((kvHeads + n) * t.shape[2]) * h, ((kvHeads + n) * t.shape[2] + start[1]) * h), ((kvHeads + n) * capacity) * h);
      return f64([2, kvHeads, capacity, h], cache);
    };
    let [keyCache, valueCache] = [prefilled(k), prefilled(v)];
    const outputs: F64[][] = [[], []];
    // Row b's token t sits at cache position t; each step feeds row b its tokens from position at[b].
    let at = start;
    for (let n = 0; n <= steps; n++) {
      const s = n === 0 ? 2 : 1;
      const rows = (t: F64) => fromHeads(joinBatch(...([0, 1].map((b) => sliceSequence(sliceBatch(t, b), at[b], at[b] + s)) as [F64, F64])));
      const nonpad = at.map((a) => a + s);
      const fed: Feed[] = [feed(rows(q)), feed(rows(k)), feed(rows(v)), feed(keyCache), feed(valueCache), { shape: [2], values: at, type: 'int64' }, { shape: [2], values: nonpad, type: 'int64' }];
      const [y, keys, values] = await runModel(bytes, fed);
      const ort = await ortModel(bytes, fed);
      expectClose(y.v, ort[0], 3e-5, `step ${n}: the outputs beside onnxruntime's (test seed ${SEED})`);
      expectClose(keys.v, ort[1], 0, `step ${n}: the key cache beside onnxruntime's`);
      [keyCache, valueCache] = [keys, values];
      for (const b of [0, 1]) outputs[b].push(toHeads(sliceBatch(y, b), qHeads));
      at = nonpad;
    }
    for (const b of [0, 1]) {
      const whole = attention23Ref(...([q, k, v].map((t) => sliceSequence(sliceBatch(t, b), 0, at[b])) as [F64, F64, F64]), { causal: true }).y;
      const stepped = outputs[b].reduce((x, y) => concatSequence(x, y));
      expectClose(stepped.v, sliceSequence(whole, start[b], at[b]).v, 2e-5, `row ${b}: the outputs stepped against the whole ${at[b]} tokens (test seed ${SEED})`);
      expectClose(sliceSequence(sliceBatch(keyCache, b), 0, at[b]).v, sliceSequence(sliceBatch(k, b), 0, at[b]).v, 0, `row ${b}: the cache holds its keys`);
    }
  });
});

/** One decoder step's attention over a static cache: TensorScatter writes K and V at write_indices, Attention reads nonpad_kv_seqlen keys, causally. */
function staticCacheStep(qHeads: number, kvHeads: number, h: number, capacity: number): Uint8Array {
  const cache = [2, kvHeads, capacity, h];
  return onnxModel({
    opset: 24,
    inputs: [{ name: 'q', shape: [2, 'S', qHeads * h] }, { name: 'k', shape: [2, 'S', kvHeads * h] }, { name: 'v', shape: [2, 'S', kvHeads * h] }, { name: 'key_cache', shape: cache }, { name: 'value_cache', shape: cache }, { name: 'write_indices', type: 'int64', shape: [2] }, { name: 'nonpad_kv_seqlen', type: 'int64', shape: [2] }],
    outputs: [{ name: 'y' }, { name: 'keys' }, { name: 'values' }],
    nodes: [
      { op: 'Reshape', inputs: ['k', 'heads_k'], outputs: ['k4'] },
      { op: 'Transpose', inputs: ['k4'], outputs: ['kt'], attributes: { perm: [0, 2, 1, 3] } },
      { op: 'Reshape', inputs: ['v', 'heads_k'], outputs: ['v4'] },
      { op: 'Transpose', inputs: ['v4'], outputs: ['vt'], attributes: { perm: [0, 2, 1, 3] } },
      { op: 'TensorScatter', inputs: ['key_cache', 'kt', 'write_indices'], outputs: ['keys'] },
      { op: 'TensorScatter', inputs: ['value_cache', 'vt', 'write_indices'], outputs: ['values'] },
      { op: 'Transpose', inputs: ['keys'], outputs: ['keys_t'], attributes: { perm: [0, 2, 1, 3] } },
      { op: 'Reshape', inputs: ['keys_t', 'flat'], outputs: ['keys_3d'] },
      { op: 'Transpose', inputs: ['values'], outputs: ['values_t'], attributes: { perm: [0, 2, 1, 3] } },
      { op: 'Reshape', inputs: ['values_t', 'flat'], outputs: ['values_3d'] },
      { op: 'Attention', inputs: ['q', 'keys_3d', 'values_3d', '', '', '', 'nonpad_kv_seqlen'], outputs: ['y'], attributes: { is_causal: 1, q_num_heads: qHeads, kv_num_heads: kvHeads } },
    ],
    initializers: { heads_k: { type: 'int64', shape: [4], values: [2, -1, kvHeads, h] }, flat: { type: 'int64', shape: [3], values: [2, capacity, kvHeads * h] } },
  });
}

/** A model's outputs from onnxruntime-web (wasm) for inputs fed in the graph's order. */
async function ortModel(bytes: Uint8Array, fed: readonly Feed[]): Promise<Float64Array[]> {
  const names = ['q', 'k', 'v', 'key_cache', 'value_cache', 'write_indices', 'nonpad_kv_seqlen'];
  const feeds = Object.fromEntries(fed.map((f, i) => [names[i], f.type === 'int64' ? new ort.Tensor('int64', BigInt64Array.from(Array.from(f.values, BigInt)), [...f.shape]) : new ort.Tensor('float32', Float32Array.from(f.values), [...f.shape])]));
  const got = await ortRun(bytes, feeds);
  return Promise.all(['y', 'keys', 'values'].map(async (name) => Float64Array.from((await got[name].getData()) as Float32Array)));
}

/** Row b of t, batch axis kept: [1, …]. */
function sliceBatch(t: F64, b: number): F64 {
  const row = size(t.shape.slice(1));
  return { shape: [1, ...t.shape.slice(1)], v: t.v.slice(b * row, (b + 1) * row) };
}

/** Two rows [1, …] as a batch of two. */
function joinBatch(a: F64, b: F64): F64 {
  const v = new Float64Array(a.v.length * 2);
  v.set(a.v);
  v.set(b.v, a.v.length);
  return { shape: [2, ...a.shape.slice(1)], v };
}

/** t [B, N, L, h]'s positions [from, to). */
function sliceSequence(t: F64, from: number, to: number): F64 {
  const [b, n, l, h] = t.shape;
  const v = new Float64Array(b * n * (to - from) * h);
  for (let r = 0; r < b * n; r++) v.set(t.v.subarray((r * l + from) * h, (r * l + to) * h), r * (to - from) * h);
  return { shape: [b, n, to - from, h], v };
}

describe.each(BACKENDS)('opset 23 LLM ops beside onnxruntime-web on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('computes what onnxruntime computes, attributes left out taking its defaults', async () => {
    const [cos, sin] = ropeCaches(12, 4);
    const CASES: [string, (Feed | null)[], Record<string, AttributeSpec>, number][] = [
      ['RMSNormalization', [feed(floats([3, 5, 7])), feed(floats([7]))], {}, 1],
      ['RMSNormalization', [feed(floats([2, 3, 5])), feed(floats([3, 5]))], { axis: 1, epsilon: { float: 0.25 } }, 1],
      ['RotaryEmbedding', [feed(floats([2, 3, 16])), feed(cos), feed(sin), { shape: [2, 3], values: [0, 1, 2, 5, 6, 11], type: 'int64' }], { num_heads: 2 }, 1],
      ['RotaryEmbedding', [feed(floats([1, 2, 3, 10])), feed(cos), feed(sin), { shape: [1, 3], values: [4, 7, 9], type: 'int64' }], { interleaved: 1, rotary_embedding_dim: 8 }, 1],
      ['RotaryEmbedding', [feed(floats([2, 3, 8])), feed(f64([2, 3, 4], cos.v.slice(8, 32))), feed(f64([2, 3, 4], sin.v.slice(8, 32)))], { num_heads: 1 }, 1],
    ];
    for (const c of attentionCases()) {
      const { inputs, attributes } = attentionCase(c);
      CASES.push(['Attention', inputs, attributes, 4]);
    }
    for (const [op, inputs, attributes, outputs] of CASES) {
      const got = await runOp(op, inputs, attributes, { opset: OPSET, outputs });
      const want = await ortNode(op, inputs, attributes, { opset: OPSET, outputs });
      got.forEach((g, i) => expectClose(g.v, want[i], 3e-5, `${op} output ${i} ${JSON.stringify(attributes)} (test seed ${SEED})`));
    }
  });
});

describe.each(BACKENDS)('opset 23 Attention in a model on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('K and the past keys as initializers are parameters: their gradients match central differences of the float64 reference', async () => {
    const [batch, qHeads, kvHeads, seq, past, h] = [1, 4, 2, 2, 3, 3];
    const q = floats([batch, qHeads, seq, h]), k = floats([batch, kvHeads, seq, h]), v = floats([batch, kvHeads, seq, h]);
    const pastKey = floats([batch, kvHeads, past, h]), pastValue = floats([batch, kvHeads, past, h]), r = floats([batch, qHeads, seq, h]);
    const bytes = onnxModel({
      opset: OPSET,
      inputs: [{ name: 'q', shape: q.shape }, { name: 'v', shape: v.shape }, { name: 'pv', shape: pastValue.shape }],
      outputs: [{ name: 'y' }],
      initializers: { k: { shape: k.shape, values: k.v }, pk: { shape: pastKey.shape, values: pastKey.v }, r: { shape: r.shape, values: r.v } },
      nodes: [
        { op: 'Attention', inputs: ['q', 'k', 'v', '', 'pk', 'pv'], outputs: ['a'], attributes: { is_causal: 1, softcap: { float: 2 } } },
        { op: 'Mul', inputs: ['a', 'r'], outputs: ['ar'] },
        { op: 'ReduceSum', inputs: ['ar'], outputs: ['y'], attributes: { keepdims: 0 } },
      ],
    });
    const loss = (kv: F64, pk: F64) => attention23Ref(q, kv, v, { pastKey: pk, pastValue, causal: true, softcap: 2 }).y.v.reduce((acc, x, i) => acc + x * r.v[i], 0);
    const numeric = (a: F64, f: (changed: F64) => number) => Array.from(a.v, (_, i) => {
      const step = 1e-5, at = (d: number) => f({ shape: a.shape, v: a.v.map((x, j) => (j === i ? x + d : x)) });
      return (at(step) - at(-step)) / (2 * step);
    });
    const before = await collected();
    const model = tm.onnx.fromBytes(bytes);
    const inputs = [q, v, pastValue].map((t) => tm.tensor(Array.from(t.v), t.shape));
    const y = model.forward(...inputs);
    y.backward();
    expectClose(await model.ownParameters().k.grad!.data(), numeric(k, (c) => loss(c, pastKey)), 1e-4, 'd loss / d K');
    expectClose(await model.ownParameters().pk.grad!.data(), numeric(pastKey, (c) => loss(k, c)), 1e-4, 'd loss / d past_key');
    for (const t of [...inputs, y]) t.dispose();
    model.dispose();
    expect(tm.memory().numTensors, 'tensors left').toBe(before);
  });
});

describe('opset 23 LLM ops: the shapes tmnn refuses, named', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });

  const refuse = async (op: string, inputs: (Feed | null)[], attributes: Record<string, AttributeSpec>, error: RegExp, outputs = 1) => {
    await expect(run(op, inputs, attributes, outputs)).rejects.toThrow(error);
  };

  it('Attention names Q, K, V, the past and the mask with the shapes they must have', async () => {
    const q = feed(floats([1, 4, 3, 6])), k = feed(floats([1, 2, 5, 6])), v = feed(floats([1, 2, 5, 4]));
    await refuse('Attention', [feed(floats([1, 3, 12])), feed(floats([1, 5, 12])), feed(floats([1, 5, 12]))], { kv_num_heads: 2 }, /Q is \[1, 3, 12\]: 3-D inputs need q_num_heads \(a positive integer\), it is undefined/);
    await refuse('Attention', [feed(floats([1, 3, 12])), feed(floats([1, 5, 10])), feed(floats([1, 5, 10]))], { q_num_heads: 2, kv_num_heads: 4 }, /K is \[1, 5, 10\]: its hidden size 10 does not split into kv_num_heads = 4 heads/);
    await refuse('Attention', [q, feed(floats([1, 5, 6])), v], {}, /Q \[1, 4, 3, 6\], K \[1, 5, 6\], V \[1, 2, 5, 4\]: Q, K and V must all be 3-D .* or all 4-D/);
    await refuse('Attention', [q, feed(floats([1, 2, 5, 5])), v], {}, /Q \[1, 4, 3, 6\], K \[1, 2, 5, 5\], V \[1, 2, 5, 4\]: Q's and K's head sizes differ \(6, 5\)/);
    await refuse('Attention', [q, feed(floats([1, 3, 5, 6])), feed(floats([1, 3, 5, 4]))], {}, /4 query heads do not split into groups over 3 key\/value heads/);
    await refuse('Attention', [q, k, feed(floats([1, 2, 4, 4]))], {}, /K and V must have one head count and sequence length/);
    await refuse('Attention', [q, k, v, null, feed(floats([1, 2, 7, 5])), feed(floats([1, 2, 7, 4]))], {}, /past_key \(input 4\) is \[1, 2, 7, 5\]; with this step's keys \[1, 2, 5, 6\] .* it must be \[1, 2, past length, 6\]/);
    await refuse('Attention', [q, k, v, null, feed(floats([1, 2, 7, 6])), feed(floats([1, 2, 6, 4]))], {}, /past_key \[1, 2, 7, 6\] and past_value \[1, 2, 6, 4\] hold different past lengths/);
    await refuse('Attention', [q, k, v, null, feed(floats([1, 2, 7, 6]))], {}, /past_key and past_value \(inputs 4 and 5\) come together/);
    await refuse('Attention', [q, k, v, feed(floats([2, 5]))], {}, /attn_mask \(input 3\) is \[2, 5\]; it must broadcast to the scores \[batch, q heads, q sequence, total sequence\] = \[1, 4, 3, 5\]/);
    await refuse('Attention', [q, k, v, feed(floats([3, 6]))], {}, /attn_mask \(input 3\) is \[3, 6\]; it must broadcast to the scores/);
    await refuse('Attention', [q, k, v], { qk_matmul_output_mode: 4 }, /qk_matmul_output_mode = 4 must be 0/, 4);
    await refuse('Attention', [q, k, v, null, null, null, { shape: [2], values: [5, 4], type: 'int64' }], {}, /nonpad_kv_seqlen \(input 6\) is i32 \[2\]; it must be int64 \[batch\] = \[1\]/);
    await refuse('Attention', [q, k, v, null, null, null, feed(f64([1], [5]))], {}, /nonpad_kv_seqlen \(input 6\) is f32 \[1\]; it must be int64 \[batch\] = \[1\]/);
  });

  it('RotaryEmbedding and RMSNormalization name the bad input', async () => {
    const [cos, sin] = ropeCaches(8, 2);
    const ids: Feed = { shape: [1, 3], values: [0, 1, 2], type: 'int64' };
    await refuse('RotaryEmbedding', [feed(floats([1, 3, 8])), feed(cos), feed(sin), ids], {}, /input is \[1, 3, 8\]: a 3-D input needs num_heads/);
    await refuse('RotaryEmbedding', [feed(floats([1, 2, 3, 4])), feed(cos), feed(sin), { ...ids, shape: [3] }], {}, /position_ids \(input 3\) is \[3\]; it must be \[batch, sequence\] = \[1, 3\]/);
    await refuse('RotaryEmbedding', [feed(floats([1, 2, 3, 6])), feed(cos), feed(sin), ids], {}, /cos_cache \[8, 2\] and sin_cache \[8, 2\]: with position_ids they must be \[max position \+ 1, 3\] \(half the rotary dim 6\)/);
    await refuse('RotaryEmbedding', [feed(floats([1, 2, 3, 4])), feed(cos), feed(sin)], {}, /without position_ids they must be \[batch, sequence, half the rotary dim\] = \[1, 3, 2\]/);
    await refuse('RotaryEmbedding', [feed(floats([1, 2, 3, 4])), feed(cos), feed(sin), ids], { rotary_embedding_dim: 6 }, /the rotary dim 6 must be even, positive and at most the head size 4/);
    await refuse('RMSNormalization', [feed(floats([2, 3])), feed(floats([3]))], { axis: 2 }, /axis = 2 is outside the input's 2 axes/);
  });
});
