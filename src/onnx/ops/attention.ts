// ONNX opset 23's Attention: softmax(scale·Q·Kᵀ + mask)·V per head, with a
// key/value cache — past_key and past_value joined before this step's keys
// and values, given back as present_key and present_value for the next
// step — and grouped-query attention (q heads in groups sharing one k/v
// head: q head n reads k/v head ⌊n / group⌋). As the ONNX definition
// (onnx/reference/ops/op_attention.py): the softcap, cap·tanh(s/cap), comes
// before the mask; a bool mask and is_causal mask with −∞ (a mask shorter
// than the keys is padded with −∞, or false; a row with every
// key masked is NaN, as there); the causal mask is aligned with the past
// length, query i seeing keys up to past + i, so a step-by-step decode sees
// what the whole sequence sees. Opset 24's nonpad_kv_seqlen gives each
// batch row's count of valid keys in a fixed-size cache (one TensorScatter
// writes into): the keys past it are masked, and without past_key the causal
// mask is aligned with the row's end instead, query i of S seeing keys up to
// nonpad − S + i (as onnx's reference). Written with tmnn's ops: gradients
// reach Q, K, V, the caches and a float mask.
import * as ops from '../../ops/index.js';
import type { Tensor } from '../../tensor.js';
import type { NodeCall } from '../node_call.js';
import type { OnnxOp, OpTable } from './op.js';

/** ONNX's TensorProto.DataType codes softmax_precision takes that tmnn computes in. */
const FLOAT = 1, FLOAT16 = 10;

/** A tensor's shape as messages write it: [2, 3, 5]. */
export const shapeOf = (t: Tensor): string => `[${t.shape.join(', ')}]`;

/** t [B, L, N·h] as [B, N, L, h]. */
function splitHeads(call: NodeCall, t: Tensor, name: string, heads: number | undefined, attribute: string): Tensor {
  if (heads === undefined || !Number.isInteger(heads) || heads < 1) throw call.error(`${name} is ${shapeOf(t)}: 3-D inputs need ${attribute} (a positive integer), it is ${heads}`);
  const [b, l, hidden] = t.shape;
  if (hidden % heads) throw call.error(`${name} is ${shapeOf(t)}: its hidden size ${hidden} does not split into ${attribute} = ${heads} heads`);
  return ops.transpose(ops.reshape(t, [b, l, heads, hidden / heads]), [0, 2, 1, 3]);
}

/** Q, K, V as [B, N, L, h], from 3-D inputs and the head counts or 4-D ones. */
function queryKeyValue(call: NodeCall): [Tensor, Tensor, Tensor] {
  const q = call.tensor(0), k = call.tensor(1), v = call.tensor(2);
  const shapes = `Q ${shapeOf(q)}, K ${shapeOf(k)}, V ${shapeOf(v)}`;
  if (q.rank !== k.rank || q.rank !== v.rank || (q.rank !== 3 && q.rank !== 4)) throw call.error(`${shapes}: Q, K and V must all be 3-D [batch, sequence, hidden] or all 4-D [batch, heads, sequence, head size]`);
  const [q4, k4, v4] = q.rank === 4 ? [q, k, v] : [
    splitHeads(call, q, 'Q', call.int('q_num_heads'), 'q_num_heads'),
    splitHeads(call, k, 'K', call.int('kv_num_heads'), 'kv_num_heads'),
    splitHeads(call, v, 'V', call.int('kv_num_heads'), 'kv_num_heads'),
  ];
  const [batch, qHeads, , headSize] = q4.shape, [, kvHeads, length] = k4.shape;
  if (k4.shape[0] !== batch || v4.shape[0] !== batch) throw call.error(`${shapes}: their batch sizes differ`);
  if (v4.shape[1] !== kvHeads || v4.shape[2] !== length) throw call.error(`${shapes}: K and V must have one head count and sequence length`);
  if (k4.shape[3] !== headSize) throw call.error(`${shapes}: Q's and K's head sizes differ (${headSize}, ${k4.shape[3]})`);
  if (qHeads % kvHeads) throw call.error(`${shapes}: ${qHeads} query heads do not split into groups over ${kvHeads} key/value heads`);
  return [q4, k4, v4];
}

/** past (input `i`, [B, N_kv, P, h]) then now along the sequence axis: the present. */
function withPast(call: NodeCall, i: number, name: string, now: Tensor): Tensor {
  if (!call.has(i)) return now;
  const past = call.tensor(i);
  const fits = past.rank === 4 && past.shape[0] === now.shape[0] && past.shape[1] === now.shape[1] && past.shape[3] === now.shape[3];
  if (!fits) throw call.error(`${name} (input ${i}) is ${shapeOf(past)}; with this step's ${name === 'past_key' ? 'keys' : 'values'} [${now.shape.join(', ')}] (as [batch, kv heads, sequence, head size]) it must be [${now.shape[0]}, ${now.shape[1]}, past length, ${now.shape[3]}]`);
  return ops.concat([past, now], 2);
}

/** attn_mask broadcast against the scores [B, N_q, S, T]: a bool mask (i32 here) keeps where true, a float mask is added. */
function maskOf(call: NodeCall, scores: readonly number[]): { keep?: Tensor; add?: Tensor } {
  if (!call.has(3)) return {};
  const given = call.tensor(3), total = scores[3];
  // A mask shorter than the keys (but not 1 long, which broadcasts) is padded to them with −∞ / false, as the spec says.
  const last = given.shape[given.rank - 1];
  const short = given.rank > 0 && last > 1 && last < total;
  const m = short ? ops.concat([given, ops.add(ops.zeros([...given.shape.slice(0, -1), total - last], { dtype: given.dtype }), given.dtype === 'i32' ? 0 : -Infinity)], given.rank - 1) : given;
  const fits = m.rank <= 4 && m.shape.every((d, i) => d === 1 || d === scores[4 - m.rank + i]);
  if (!fits) throw call.error(`attn_mask (input 3) is ${shapeOf(given)}; it must broadcast to the scores [batch, q heads, q sequence, total sequence] = [${scores.join(', ')}] (its last axis may be shorter, padded with −∞)`);
  return m.dtype === 'i32' ? { keep: ops.notEqual(m, 0) } : { add: m };
}

/** is_causal: query i (of S) keeps keys j ≤ past + i of T = past + S′. */
function causalKeep(sequence: number, total: number, past: number): Tensor {
  const queries = ops.reshape(ops.arange(past, past + sequence, 1, { dtype: 'i32' }), [sequence, 1]);
  return ops.lessEqual(ops.reshape(ops.arange(0, total, 1, { dtype: 'i32' }), [1, total]), queries);
}

/** nonpad_kv_seqlen (input 6): each batch row's count of valid keys, as an i32 tensor [B, 1, 1, 1]. */
function nonpadLengths(call: NodeCall, batch: number): Tensor {
  const n = call.tensor(6);
  if (n.rank !== 1 || n.shape[0] !== batch || n.dtype !== 'i32') throw call.error(`nonpad_kv_seqlen (input 6) is ${n.dtype} ${shapeOf(n)}; it must be int64 [batch] = [${batch}]`);
  return ops.reshape(n, [batch, 1, 1, 1]);
}

/** Keys j < nonpad_b of each row b: [B, 1, 1, T]. */
function nonpadKeep(nonpad: Tensor, total: number): Tensor {
  return ops.less(ops.reshape(ops.arange(0, total, 1, { dtype: 'i32' }), [1, 1, 1, total]), nonpad);
}

/** is_causal over a cache of nonpad_b valid keys: query i (of S) of row b keeps keys j ≤ nonpad_b − S + i, as j − i + S ≤ nonpad_b. [B, 1, S, T]. */
function causalKeepFromEnd(nonpad: Tensor, sequence: number, total: number): Tensor {
  const keys = ops.reshape(ops.arange(sequence, sequence + total, 1, { dtype: 'i32' }), [1, total]);
  const distance = ops.sub(keys, ops.reshape(ops.arange(0, sequence, 1, { dtype: 'i32' }), [sequence, 1]));
  return ops.lessEqual(ops.reshape(distance, [1, 1, sequence, total]), nonpad);
}

/** The stages of one attention, in order: scale·Q·Kᵀ, softcapped, masked, softmaxed; and the output [B, N_q, S, hv]. */
export interface AttentionStages {
  qk: Tensor;
  capped: Tensor;
  scores: Tensor;
  probs: Tensor;
  y: Tensor;
}

/**
 * softmax(softcap(scale·q·kᵀ) + add, −∞ where not keep)·v for q [B, N_q, S,
 * h] and k, v [B, N_kv, T, ·], N_q a multiple of N_kv; `wide` computes the
 * softmax of f16 scores in f32. `sink` (a number, or a tensor broadcasting
 * to [B, N_q, S, 1]) makes it onnxruntime's smooth softmax: one more logit
 * in each row's denominator, exp(s_j) / (exp(sink) + Σ exp(s)).
 */
export function attend(q: Tensor, k: Tensor, v: Tensor, o: { scale: number; softcap: number; keep?: Tensor; add?: Tensor; wide?: boolean; sink?: Tensor | number }): AttentionStages {
  const [batch, qHeads, sequence, headSize] = q.shape, [, kvHeads, total] = k.shape;
  const group = qHeads / kvHeads;
  // Grouped query heads share a k/v head: as [B, N_kv, group·S, h] they meet its keys without copying them.
  const grouped = ops.reshape(q, [batch, kvHeads, group * sequence, headSize]);
  const qk = ops.reshape(ops.mul(ops.matmul(grouped, k, { transposeB: true }), o.scale), [batch, qHeads, sequence, total]);
  const capped = o.softcap > 0 ? ops.mul(ops.tanh(ops.div(qk, o.softcap)), o.softcap) : qk;
  const added = o.add ? ops.add(capped, o.add) : capped;
  const scores = o.keep ? ops.where(o.keep, added, -Infinity) : added;
  const softmax = (t: Tensor) => (o.wide ? ops.cast(ops.softmax(ops.cast(t, 'f32'), -1), t.dtype) : ops.softmax(t, -1));
  let probs: Tensor;
  if (o.sink === undefined) probs = softmax(scores);
  else {
    const column = [batch, qHeads, sequence, 1];
    const sink = typeof o.sink === 'number' ? ops.add(ops.zeros(column, { dtype: scores.dtype }), o.sink) : ops.broadcastTo(o.sink, column);
    probs = ops.slice(softmax(ops.concat([scores, sink], 3)), [0, 0, 0, 0], [batch, qHeads, sequence, total]);
  }
  const y = ops.reshape(ops.matmul(ops.reshape(probs, [batch, kvHeads, group * sequence, total]), v), [batch, qHeads, sequence, v.shape[3]]);
  return { qk, capped, scores, probs, y };
}

/** y [B, N, S, h] with its heads joined: [B, S, N·h]. */
export function joinHeads(y: Tensor): Tensor {
  const [batch, heads, sequence, size] = y.shape;
  return ops.reshape(ops.transpose(y, [0, 2, 1, 3]), [batch, sequence, heads * size]);
}

const attention: OnnxOp = {
  run: (call) => {
    const [q, k, v] = queryKeyValue(call);
    if (call.has(4) !== call.has(5)) throw call.error('past_key and past_value (inputs 4 and 5) come together: give both or neither');
    const presentKey = withPast(call, 4, 'past_key', k), presentValue = withPast(call, 5, 'past_value', v);
    const past = call.has(4) ? call.tensor(4).shape[2] : 0;
    if (call.has(5) && call.tensor(5).shape[2] !== past) throw call.error(`past_key ${shapeOf(call.tensor(4))} and past_value ${shapeOf(call.tensor(5))} hold different past lengths`);
    const [batch, qHeads, sequence, headSize] = q.shape, total = presentKey.shape[2];
    const { keep: given, add } = maskOf(call, [batch, qHeads, sequence, total]);
    const nonpad = call.has(6) ? nonpadLengths(call, batch) : undefined;
    const keeps = given ? [given] : [];
    if (call.int('is_causal', 0) !== 0) keeps.push(nonpad && !call.has(4) ? causalKeepFromEnd(nonpad, sequence, total) : causalKeep(sequence, total, past));
    if (nonpad) keeps.push(nonpadKeep(nonpad, total));
    const keep = keeps.length ? keeps.reduce((a, b) => ops.logicalAnd(a, b)) : undefined;
    const precision = call.int('softmax_precision');
    if (precision !== undefined && precision !== FLOAT && precision !== FLOAT16) throw call.error(`softmax_precision = ${precision} is not supported: tmnn computes the softmax in float (1) or float16 (10)`);
    const stages = attend(q, presentKey, presentValue, {
      scale: call.float('scale', 1 / Math.sqrt(headSize)), softcap: call.float('softcap', 0), keep, add, wide: precision === FLOAT && q.dtype === 'f16',
    });
    const out = call.tensor(0).rank === 4 ? stages.y : joinHeads(stages.y);
    if (!call.node.outputs[3]) return [out, presentKey, presentValue];
    const mode = call.int('qk_matmul_output_mode', 0);
    // The stages in the order they now come, the softcap before the mask, as onnxruntime gives them.
    const modes: Record<number, Tensor> = { 0: stages.qk, 1: stages.capped, 2: stages.scores, 3: stages.probs };
    if (!(mode in modes)) throw call.error(`qk_matmul_output_mode = ${mode} must be 0 (scale·Q·Kᵀ), 1 (after the softcap), 2 (with the mask) or 3 (after the softmax)`);
    return [out, presentKey, presentValue, modes[mode]];
  },
};

export const ATTENTION_OPS: OpTable = {
  Attention: attention,
};
