// onnxruntime's GroupQueryAttention (com.microsoft), the attention its LLM
// exporters (onnxruntime-genai, optimum) write into decoders: query heads
// in groups sharing one key/value head, always causal, the cache in
// [B, N_kv, length, h]. seqlens_k (each row's total − 1) and
// total_sequence_length, read on the host, place each row: the first prompt
// (S = total_sequence_length) from 0, its rows padded on the right; a later
// step after the row's first seqlens_k + 1 − S positions of past_key and
// past_value, where it is written into present_key/present_value (as long
// as max(total_sequence_length, the past buffer), zeros after each row's
// total). do_rotary turns Q and K by the cos/sin caches at each token's
// position first (rotary.ts), position_ids giving the positions where it
// is given (only its first element, the start, in the first prompt; it
// places nothing else); local_window_size keeps the last
// local_window_size keys, the query's own among them (as onnxruntime 1.30
// does); softcap caps the scores, attention_bias is added to them after;
// head_sink (a logit per head) or smooth_softmax (a logit of 0) adds one
// more term to each softmax's denominator, as onnxruntime's smooth softmax.
// qk_output gives output_qk: the scores before the softmax (1) or the
// probabilities (2), zero where a key is masked. k_quant_type/v_quant_type
// hold the cache in int8 or int4 with k_scale and v_scale (per tensor or per
// channel); this step's keys and values are quantized into it and the
// attention reads the cache's values, as onnxruntime's CPU kernel does.
// q_norm_weight and k_norm_weight RMS-normalize each head of Q and K first.
import * as ops from '../../ops/index.js';
import type { Tensor } from '../../tensor.js';
import type { NodeCall } from '../node_call.js';
import { attend, joinHeads, shapeOf } from './attention.js';
import { cachePresent, cacheScales } from './microsoft_gqa_cache.js';
import type { OnnxOp, OpTable } from './op.js';
import { rotate } from './rotary.js';

/** A required positive int attribute. */
function heads(call: NodeCall, name: string): number {
  const n = call.int(name);
  if (n === undefined || !Number.isInteger(n) || n < 1) throw call.error(`${name} = ${n} must be a positive integer (it is required)`);
  return n;
}

/** Q, K and V as [B, S, N, h]: from query, key and value [B, S, N·h], or query packing all three [B, S, (N + 2·N_kv)·h]. */
function queryKeyValue(call: NodeCall, n: number, kv: number): [Tensor, Tensor, Tensor] {
  const query = call.tensor(0);
  const split = (t: Tensor, count: number, h: number) => ops.reshape(t, [t.shape[0], t.shape[1], count, h]);
  if (query.rank !== 3) throw call.error(`query is ${shapeOf(query)}; it must be [batch, sequence, hidden]`);
  if (!call.has(1) && !call.has(2)) {
    const h = query.shape[2] / (n + 2 * kv);
    if (!Number.isInteger(h)) throw call.error(`packed query ${shapeOf(query)} does not split into num_heads + 2·kv_num_heads = ${n + 2 * kv} heads`);
    const [q, k, v] = ops.split(query, [n * h, kv * h, kv * h], 2);
    return [split(q, n, h), split(k, kv, h), split(v, kv, h)];
  }
  if (!call.has(1) || !call.has(2)) throw call.error('key and value (inputs 1 and 2) come together: give both, or neither with a packed query');
  const key = call.tensor(1), value = call.tensor(2);
  const h = query.shape[2] / n;
  const fits = Number.isInteger(h) && [key, value].every((t) => t.rank === 3 && t.shape[0] === query.shape[0] && t.shape[1] === query.shape[1] && t.shape[2] === kv * h);
  if (!fits) throw call.error(`query ${shapeOf(query)}, key ${shapeOf(key)}, value ${shapeOf(value)}: with num_heads = ${n} and kv_num_heads = ${kv}, key and value must be [${query.shape[0]}, ${query.shape[1]}, ${kv} · ${h}]`);
  return [split(query, n, h), split(key, kv, h), split(value, kv, h)];
}

/**
 * position_ids (input 9) [B, S], the rotary positions of the tokens: each
 * token's own in a later step; in the first prompt every row's token s at
 * the first element + s (onnxruntime reads only that element there).
 */
function positionIds(call: NodeCall, batch: number, sequence: number, first: boolean): Tensor {
  const ids = call.tensor(9);
  if (ids.rank !== 2 || ids.shape[0] !== batch || ids.shape[1] !== sequence || ids.dtype !== 'i32') throw call.error(`position_ids (input 9) is ${ids.dtype} ${shapeOf(ids)}; it must be int64 [batch, sequence] = [${batch}, ${sequence}]`);
  if (!first) return ids;
  const steps = ops.reshape(ops.arange(0, sequence, 1, { dtype: 'i32' }), [1, sequence]);
  return ops.broadcastTo(ops.add(ops.slice(ids, [0, 0], [1, 1]), steps), [batch, sequence]);
}

/** attention_bias (input 10) [B or 1, N or 1, S, total_sequence_length], added to the softcapped scores; zeros over a longer buffer's positions (masked there). */
function attentionBias(call: NodeCall, scores: readonly number[], length: number): Tensor {
  const bias = call.tensor(10);
  const [b, n, s, t] = scores;
  const fits = bias.rank === 4 && [b, n].every((d, i) => bias.shape[i] === d || bias.shape[i] === 1) && bias.shape[2] === s && bias.shape[3] === t;
  if (!fits) throw call.error(`attention_bias (input 10) is ${shapeOf(bias)}; it must be [${b} or 1, ${n} or 1, ${s}, ${t}] ([batch, num_heads, sequence, total_sequence_length])`);
  return length > t ? ops.concat([bias, ops.zeros([...bias.shape.slice(0, 3), length - t], { dtype: bias.dtype })], 3) : bias;
}

/**
 * q_norm_weight (input 14) and k_norm_weight (input 15), both [head size]:
 * each head of Q and K scaled to a root mean square of 1 (+
 * qk_norm_epsilon) and weighted, before the rotary turn, as Qwen3 does and
 * onnxruntime's WebGPU provider (which takes them with do_rotary = 1 only;
 * its CPU kernel, none).
 */
function headNorm(call: NodeCall, t: Tensor, i: number, name: string, headSize: number): Tensor {
  if (!call.has(14) || !call.has(15)) throw call.error(`${call.has(14) ? 'q_norm_weight (input 14)' : 'k_norm_weight (input 15)'} comes without ${call.has(14) ? 'k_norm_weight (input 15)' : 'q_norm_weight (input 14)'}: the two go together`);
  const w = call.tensor(i);
  if (w.rank !== 1 || w.shape[0] !== headSize) throw call.error(`${name} (input ${i}) is ${shapeOf(w)}; it must be [head size] = [${headSize}]`);
  const meanSquare = ops.mean(ops.mul(t, t), [3], { keepDims: true });
  return ops.mul(ops.div(t, ops.sqrt(ops.add(meanSquare, call.float('qk_norm_epsilon', 1e-6)))), w);
}

/** head_sink (input 11) [num_heads] as [1, N, 1, 1]: each head's logit in the softmax denominator. */
function headSink(call: NodeCall, heads: number): Tensor {
  const sink = call.tensor(11);
  if (sink.rank !== 1 || sink.shape[0] !== heads) throw call.error(`head_sink (input 11) is ${shapeOf(sink)}; it must be [num_heads] = [${heads}]`);
  return ops.reshape(sink, [1, heads, 1, 1]);
}

const groupQueryAttention: OnnxOp = {
  hostInputs: [5, 6],
  run: (call) => {
    for (let i = 16; i < call.inputCount; i++) if (call.has(i)) throw call.error(`input ${i} (${call.node.inputs[i]}) is not supported: tmnn runs GroupQueryAttention's inputs 0 to 15`);
    const qkOutput = call.int('qk_output', 0);
    if (qkOutput !== 0 && qkOutput !== 1 && qkOutput !== 2) throw call.error(`qk_output = ${qkOutput}; it is 0 (none), 1 (the scores before the softmax) or 2 (after it)`);
    if (call.node.outputs[3] && !qkOutput) throw call.error(`it names an output_qk output (${call.node.outputs[3]}) but qk_output is 0: set qk_output to 1 (the scores before the softmax) or 2 (after it)`);
    const n = heads(call, 'num_heads'), kv = heads(call, 'kv_num_heads');
    if (n % kv) throw call.error(`num_heads = ${n} does not split into groups over kv_num_heads = ${kv}`);
    let [q, k, v] = queryKeyValue(call, n, kv);
    const [batch, sequence, , headSize] = q.shape;
    if (call.has(14) || call.has(15)) [q, k] = [q, k].map((t, j) => headNorm(call, t, 14 + j, ['q_norm_weight', 'k_norm_weight'][j], headSize));
    const lengths = call.numbers(5, 'seqlens_k') ?? [];
    const totals = call.numbers(6, 'total_sequence_length') ?? [];
    if (lengths.length !== batch) throw call.error(`seqlens_k (input 5) holds ${lengths.length} lengths; it must hold one per batch row (${batch})`);
    if (totals.length !== 1) throw call.error(`total_sequence_length (input 6) holds ${totals.length} values; it must be one`);
    const totalSequence = totals[0];
    // Each row's past: none in the first prompt (its rows padded on the right), else what its total leaves before this step.
    const first = sequence === totalSequence;
    const pasts = lengths.map((l) => (first ? 0 : l + 1 - sequence));
    if (pasts.some((p) => p < 0)) throw call.error(`seqlens_k = [${lengths.join(', ')}]: a row's total (seqlens_k + 1) is shorter than the ${sequence} positions of this step`);
    const perRow = (f: (b: number, s: number) => number) => Array.from({ length: batch * sequence }, (_, x) => f(Math.floor(x / sequence), x % sequence));
    if (call.int('do_rotary', 0) !== 0) {
      if (!call.has(7) || !call.has(8)) throw call.error('do_rotary = 1 needs cos_cache and sin_cache (inputs 7 and 8)');
      const cos = call.tensor(7), sin = call.tensor(8);
      // Positions given on the device cannot be checked against the caches' length here (a GPU's gather reads 0 past it).
      const rot = 2 * cos.shape[1], reach = call.has(9) ? 1 : Math.max(...pasts) + sequence;
      if (cos.rank !== 2 || sin.rank !== 2 || sin.shape[0] !== cos.shape[0] || sin.shape[1] !== cos.shape[1] || rot > headSize || cos.shape[0] < reach) {
        throw call.error(`cos_cache ${shapeOf(cos)} and sin_cache ${shapeOf(sin)} must be one shape [at least ${reach} positions, at most half the head size ${headSize}]`);
      }
      // Token s of row b sits at position past_b + s, or where position_ids says.
      const at = call.has(9) ? positionIds(call, batch, sequence, first) : ops.tensor(perRow((b, s) => pasts[b] + s), [batch, sequence], { dtype: 'i32' });
      const angle = (cache: Tensor) => ops.reshape(ops.gather(cache, at, 0), [batch, sequence, 1, rot / 2]);
      const interleaved = call.int('rotary_interleaved', 0) !== 0;
      [q, k] = [q, k].map((t) => rotate(t, angle(cos), angle(sin), rot, interleaved));
    }
    const bnsh = (t: Tensor) => ops.transpose(t, [0, 2, 1, 3]);
    const length = Math.max(totalSequence, call.has(3) ? call.tensor(3).shape[2] : 0);
    const scales = cacheScales(call, kv, headSize);
    const keys = cachePresent(call, 3, 'past_key', bnsh(k), pasts, length, scales?.key, scales?.bits), values = cachePresent(call, 4, 'past_value', bnsh(v), pasts, length, scales?.value, scales?.bits);
    // Query i of row b (at past_b + i) sees keys after past_b + i − window up to its own, and none past the row's total.
    const window = call.int('local_window_size', -1);
    const sees = (b: number, i: number, j: number) => j <= pasts[b] + i && j <= lengths[b] && (window <= 0 || j > pasts[b] + i - window);
    const keep = ops.tensor(Array.from({ length: batch * sequence * length }, (_, x) => +sees(Math.floor(x / (sequence * length)), Math.floor(x / length) % sequence, x % length)), [batch, 1, sequence, length], { dtype: 'i32' });
    const scale = call.float('scale', 0) || 1 / Math.sqrt(headSize);
    const add = call.has(10) ? attentionBias(call, [batch, n, sequence, totalSequence], length) : undefined;
    // head_sink (one logit per head) or smooth_softmax (a logit of 0) joins each row's softmax denominator.
    const sink = call.has(11) ? headSink(call, n) : call.int('smooth_softmax', 0) !== 0 ? 0 : undefined;
    const kept = ops.notEqual(keep, 0);
    const { y, scores, probs } = attend(bnsh(q), keys.read, values.read, { scale, softcap: call.float('softcap', 0), keep: kept, add, sink });
    if (!call.node.outputs[3]) return [joinHeads(y), keys.stored, values.stored];
    // output_qk [B, N, S, total_sequence_length]: the scores (softcapped, attention_bias added) or the probabilities, 0 where masked, as onnxruntime writes it.
    const qk = ops.slice(ops.where(kept, qkOutput === 1 ? scores : probs, 0), [0, 0, 0, 0], [batch, n, sequence, totalSequence]);
    return [joinHeads(y), keys.stored, values.stored, qk];
  },
};

export const MICROSOFT_GROUP_QUERY_ATTENTION_OPS: OpTable = {
  GroupQueryAttention: groupQueryAttention,
};
