// ONNX opset 23's LLM ops (src/onnx/ops/attention.ts, rotary.ts,
// normalization.ts' RMSNormalization) as one-node models on every backend,
// against float64 loops of the ONNX definitions
// (test/helpers/onnx_attention.ts) at odd sizes; a decode loop feeding
// present_key/present_value back as past_key/past_value step by step, which
// must give what the whole sequence gives under is_causal; then beside
// onnxruntime-web (wasm) on the same bytes, gradients to a K and a past
// held as parameters, and the shapes tmnn refuses.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { asF32, expectClose, randomInts, SEED, uniform } from '../../helpers/data.js';
import { f64, size, type F64 } from '../../helpers/float64.js';
import { attention23Ref, concatSequence, fromHeads, rmsNormRef, toHeads, type Attention23Options } from '../../helpers/onnx_attention.js';
import { ortNode, rotaryRef } from '../../helpers/onnx_microsoft.js';
import { onnxModel, type AttributeSpec } from '../../helpers/onnx.js';
import { feed, runOp, type Feed } from '../../helpers/onnx_run.js';

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
  attributes?: Record<string, AttributeSpec>;
  options?: Attention23Options;
}

/** The case's node inputs and the reference's outputs [Y, present_key, present_value, qk_matmul_output]. */
function attentionCase(c: AttentionCase): { inputs: (Feed | null)[]; attributes: Record<string, AttributeSpec>; want: F64[] } {
  const { q, k, v, threeD, past, mask } = c;
  const shaped = (t: F64) => feed(threeD ? fromHeads(t) : t);
  const heads: Record<string, AttributeSpec> = threeD ? { q_num_heads: q.shape[1], kv_num_heads: k.shape[1] } : {};
  const inputs = [shaped(q), shaped(k), shaped(v), mask ?? null, ...(past ? past.map((p) => feed(p)) : [])];
  const r = attention23Ref(q, k, v, { ...c.options, pastKey: past?.[0], pastValue: past?.[1], mask: mask && { m: asF64(mask), bool: mask.type === 'bool' } });
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
    const before = tm.memory().numTensors;
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
    await refuse('Attention', [q, k, v, feed(floats([3, 4]))], {}, /attn_mask \(input 3\) is \[3, 4\]; it must broadcast to the scores \[batch, q heads, q sequence, total sequence\] = \[1, 4, 3, 5\]/);
    await refuse('Attention', [q, k, v], { qk_matmul_output_mode: 4 }, /qk_matmul_output_mode = 4 must be 0/, 4);
    await refuse('Attention', [q, k, v, null, null, null, { shape: [1], values: [5], type: 'int64' }], {}, /nonpad_kv_seqlen \(input 6, opset 24's\) is not supported/);
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
