// onnxruntime's GroupQueryAttention (com.microsoft), the attention its LLM
// exporters (onnxruntime-genai, optimum) write into decoders: query heads
// in groups sharing one key/value head, always causal, the cache in
// [B, N_kv, length, h] — past_key/past_value given, this step's keys and
// values written after the past's first seqlens_k + 1 − S positions, present_key/present_value given back
// as long as max(total_sequence_length, the past buffer) — with the lengths
// in seqlens_k (total − 1 per batch row) and total_sequence_length, read on
// the host. do_rotary turns Q and K by the cos/sin caches at positions
// past + s first (rotary.ts); local_window_size keeps the last
// local_window_size keys, the query's own among them (as onnxruntime
// 1.30 does); softcap caps the scores. Batches whose rows
// hold different lengths (ragged, padded prompts) are refused.
import * as ops from '../../ops/index.js';
import type { Tensor } from '../../tensor.js';
import type { NodeCall } from '../node_call.js';
import { attend, joinHeads } from './attention.js';
import type { OnnxOp, OpTable } from './op.js';
import { rotate } from './rotary.js';

const shapeOf = (t: Tensor) => `[${t.shape.join(', ')}]`;

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
 * The present, `length` long: the past buffer's (input i, [B, N_kv, P, h])
 * first `past` positions, then `now` [B, N_kv, S, h]; positions after the
 * total are zeros (onnxruntime leaves them unwritten in its fresh output).
 */
function present(call: NodeCall, i: number, name: string, now: Tensor, past: number, length: number): Tensor {
  const [b, kv, s, h] = now.shape;
  const parts: Tensor[] = [];
  if (call.has(i)) {
    const p = call.tensor(i);
    if (p.rank !== 4 || p.shape[0] !== b || p.shape[1] !== kv || p.shape[3] !== h) throw call.error(`${name} (input ${i}) is ${shapeOf(p)}; it must be [${b}, ${kv}, past length, ${h}] (BNSH, as this step's ${shapeOf(now)})`);
    if (p.shape[2] < past) throw call.error(`${name} (input ${i}) is ${shapeOf(p)}: it holds ${p.shape[2]} positions, seqlens_k says the past is ${past}`);
    if (past > 0) parts.push(ops.slice(p, [0, 0, 0, 0], [b, kv, past, h]));
  }
  parts.push(now);
  if (length > past + s) parts.push(ops.zeros([b, kv, length - past - s, h], { dtype: now.dtype }));
  return parts.length === 1 ? parts[0] : ops.concat(parts, 2);
}

const groupQueryAttention: OnnxOp = {
  hostInputs: [5, 6],
  run: (call) => {
    for (const [i, name] of [[9, 'position_ids'], [10, 'attention_bias'], [11, 'head_sink']] as const) {
      if (call.has(i)) throw call.error(`${name} (input ${i}) is not supported: tmnn positions tokens by seqlens_k and masks causally only`);
    }
    call.refuse('smooth_softmax', (v) => v === 0, 'tmnn runs the plain softmax');
    if (call.node.outputs[3]) throw call.error(`its output_qk output (${call.node.outputs[3]}) is not supported`);
    const n = heads(call, 'num_heads'), kv = heads(call, 'kv_num_heads');
    if (n % kv) throw call.error(`num_heads = ${n} does not split into groups over kv_num_heads = ${kv}`);
    let [q, k, v] = queryKeyValue(call, n, kv);
    const [batch, sequence, , headSize] = q.shape;
    const lengths = call.numbers(5, 'seqlens_k') ?? [];
    const totals = call.numbers(6, 'total_sequence_length') ?? [];
    if (lengths.length !== batch) throw call.error(`seqlens_k (input 5) holds ${lengths.length} lengths; it must hold one per batch row (${batch})`);
    if (totals.length !== 1) throw call.error(`total_sequence_length (input 6) holds ${totals.length} values; it must be one`);
    if (lengths.some((l) => l !== lengths[0])) throw call.error(`seqlens_k = [${lengths.join(', ')}]: rows of different lengths (ragged or padded batches) are not supported`);
    const total = lengths[0] + 1, totalSequence = totals[0];
    // The first prompt fills the cache from 0; later steps follow the past.
    const past = sequence === totalSequence ? 0 : total - sequence;
    if (past < 0) throw call.error(`seqlens_k = [${lengths.join(', ')}] gives ${total} positions, fewer than the ${sequence} of this step`);
    if (call.int('do_rotary', 0) !== 0) {
      if (!call.has(7) || !call.has(8)) throw call.error('do_rotary = 1 needs cos_cache and sin_cache (inputs 7 and 8)');
      const cos = call.tensor(7), sin = call.tensor(8);
      const rot = 2 * cos.shape[1];
      if (cos.rank !== 2 || sin.rank !== 2 || sin.shape[0] !== cos.shape[0] || sin.shape[1] !== cos.shape[1] || rot > headSize || cos.shape[0] < past + sequence) {
        throw call.error(`cos_cache ${shapeOf(cos)} and sin_cache ${shapeOf(sin)} must be one shape [at least ${past + sequence} positions, at most half the head size ${headSize}]`);
      }
      const at = ops.arange(past, past + sequence, 1, { dtype: 'i32' });
      const angle = (cache: Tensor) => ops.reshape(ops.gather(cache, at, 0), [1, sequence, 1, rot / 2]);
      const interleaved = call.int('rotary_interleaved', 0) !== 0;
      [q, k] = [q, k].map((t) => rotate(t, angle(cos), angle(sin), rot, interleaved));
    }
    const bnsh = (t: Tensor) => ops.transpose(t, [0, 2, 1, 3]);
    const length = Math.max(totalSequence, call.has(3) ? call.tensor(3).shape[2] : 0);
    const presentKey = present(call, 3, 'past_key', bnsh(k), past, length), presentValue = present(call, 4, 'past_value', bnsh(v), past, length);
    // Query i (at past + i) sees keys after past + i − window up to its own, and none past the total.
    const window = call.int('local_window_size', -1);
    const queries = ops.reshape(ops.arange(past, past + sequence, 1, { dtype: 'i32' }), [sequence, 1]);
    const keys = ops.reshape(ops.arange(0, length, 1, { dtype: 'i32' }), [1, length]);
    let keep = ops.logicalAnd(ops.lessEqual(keys, queries), ops.less(keys, total));
    if (window > 0) keep = ops.logicalAnd(keep, ops.greater(keys, ops.sub(queries, window)));
    const scale = call.float('scale', 0) || 1 / Math.sqrt(headSize);
    const { y } = attend(bnsh(q), presentKey, presentValue, { scale, softcap: call.float('softcap', 0), keep });
    return [joinHeads(y), presentKey, presentValue];
  },
};

export const MICROSOFT_GROUP_QUERY_ATTENTION_OPS: OpTable = {
  GroupQueryAttention: groupQueryAttention,
};
