// onnxruntime's fused attention (com.microsoft): Attention, what its BERT
// and GPT-2 optimizers make of a transformer layer's self-attention — the
// input times one merged Q/K/V weight (+ bias), split into heads,
// softmax(scale·Q·Kᵀ + mask) · V, the heads joined again — and
// MultiHeadAttention, the same on Q, K and V projected already (cross
// attention too: keys of another length). Masks are additive
// as onnxruntime applies them: a masked key adds mask_filter_value (−10000)
// to its score — not −∞, so a row with every key masked averages them as
// onnxruntime does — and unidirectional masks every later key with float's
// lowest, so a query whose earlier keys are all padding weighs those alone.
// Both take a key/value cache — Attention's past [2, B, N, P, h] (keys,
// then values) and MultiHeadAttention's past_key/past_value [B, N, P, h]
// come before this step's, and the present outputs give them back — the
// unidirectional mask aligned so that the last query sees every key.
// MultiHeadAttention also runs onnxruntime's beam-search decoding step: a
// cache shared by past and present, filled to past_sequence_length, each
// earlier position read from the beam cache_indirection names.
// Written with tmnn's ops: gradients reach the input, weights and bias.
import * as ops from '../../ops/index.js';
import type { Tensor } from '../../tensor.js';
import type { NodeCall } from '../node_call.js';
import type { OnnxOp, OpTable } from './op.js';

/** The hidden sizes of Q, K and V: qkv_hidden_sizes, else the weights' columns in three. */
function hiddenSizes(call: NodeCall, columns: number, heads: number): [number, number, number] {
  const given = call.ints('qkv_hidden_sizes');
  const sizes = given ?? [columns / 3, columns / 3, columns / 3];
  if (sizes.length !== 3 || sizes.reduce((a, b) => a + b, 0) !== columns || sizes.some((s) => !Number.isInteger(s) || s < 1)) {
    throw call.error(`${given ? `qkv_hidden_sizes = [${given.join(', ')}]` : `the weights' ${columns} columns`} must split into Q, K and V hidden sizes summing to ${columns}`);
  }
  if (sizes[0] !== sizes[1]) throw call.error(`Q's and K's hidden sizes differ (${sizes[0]}, ${sizes[1]}); their products need one head size`);
  if (sizes.some((s) => s % heads)) throw call.error(`hidden sizes [${sizes.join(', ')}] do not split into num_heads = ${heads} heads`);
  return sizes as [number, number, number];
}

/** [B, S, N·h] as [B, N, S, h]. */
function heads(t: Tensor, n: number): Tensor {
  const [b, s, hidden] = t.shape;
  return ops.transpose(ops.reshape(t, [b, s, n, hidden / n]), [0, 2, 1, 3]);
}

/**
 * The additive mask from mask_index, broadcast against the scores [B, N, S, T]:
 * a raw 0/1 mask [B, T] or [B, S, T] (0 masks), or key lengths [B] (keys at
 * or past the length masked: right padding) or ends then starts [2B] (keys
 * outside [start, end) masked: left padding).
 */
function paddingMask(call: NodeCall, input: number, batch: number, sequence: number, length: number, filter: number): Tensor {
  const m = call.tensor(input);
  const name = call.node.opType === 'Attention' ? 'mask_index' : 'key_padding_mask';
  const shape = m.shape.join(', ');
  const masked = (keep: Tensor) => ops.where(keep, 0, filter);
  if (m.rank === 2 && m.shape[0] === batch && m.shape[1] === length) return ops.reshape(masked(ops.greater(m, 0)), [batch, 1, 1, length]);
  if (m.rank === 3 && m.shape[0] === batch && m.shape[1] === sequence && m.shape[2] === length) return ops.reshape(masked(ops.greater(m, 0)), [batch, 1, sequence, length]);
  if (m.rank === 1 && (m.shape[0] === batch || m.shape[0] === 2 * batch)) {
    const keys = ops.reshape(ops.arange(0, length, 1, { dtype: 'i32' }), [1, length]);
    const ends = ops.reshape(ops.slice(m, [0], [batch]), [batch, 1]);
    let keep = ops.less(keys, ends);
    if (m.shape[0] === 2 * batch) keep = ops.logicalAnd(keep, ops.greaterEqual(keys, ops.reshape(ops.slice(m, [batch], [batch]), [batch, 1])));
    return ops.reshape(masked(keep), [batch, 1, 1, length]);
  }
  throw call.error(`${name} (input ${input}) is [${shape}]; tmnn takes [batch] (key lengths), [2·batch] (ends, then starts), [batch, ${length}] or [batch, ${sequence}, ${length}] (0/1 masks), here batch = ${batch}`);
}

/** float32's largest finite value. */
const F32_MAX = 3.4028234663852886e38;

/** unidirectional: `filter` added to every key after the query's own position ([S, T], as host data; the last query sees every key). */
function causalMask(sequence: number, length: number, filter: number): Tensor {
  const v = new Float32Array(sequence * length);
  const offset = length - sequence;
  for (let i = 0; i < sequence; i++) for (let j = offset + i + 1; j < length; j++) v[i * length + j] = filter;
  return ops.tensor(v, [sequence, length]);
}

/**
 * scale·q·kᵀ + masks for q [B, N, S, h] and k [B, N, T, h]: [B, N, S, T].
 * The key padding mask is input `maskInput`, attention_bias `biasInput`.
 */
function scoresOf(call: NodeCall, q: Tensor, k: Tensor, maskInput: number, biasInput: number): Tensor {
  const [batch, heads, sequence, headSize] = q.shape, length = k.shape[2];
  let scores = ops.mul(ops.matmul(q, k, { transposeB: true }), call.float('scale', 1 / Math.sqrt(headSize)));
  const filter = call.float('mask_filter_value', -10000);
  if (call.has(maskInput)) scores = ops.add(scores, paddingMask(call, maskInput, batch, sequence, length, filter));
  // Later keys get float's lowest, not the filter value: a query whose earlier keys are all padding weighs those alone, as onnxruntime does.
  if (call.int('unidirectional', 0) !== 0) scores = ops.add(scores, causalMask(sequence, length, -F32_MAX));
  if (call.has(biasInput)) {
    const extra = call.tensor(biasInput);
    const fits = extra.rank === 4 && [batch, heads, sequence, length].every((d, i) => extra.shape[i] === d || (i < 2 && extra.shape[i] === 1));
    if (!fits) throw call.error(`attention_bias (input ${biasInput}) is [${extra.shape.join(', ')}]; it must be [${batch} or 1, ${heads} or 1, ${sequence}, ${length}]`);
    scores = ops.add(scores, extra);
  }
  return scores;
}

/** softmax(scores)·v for scores [B, N, S, T] and v [B, N, T, hv], the heads joined: [B, S, N·hv]. */
function weighted(scores: Tensor, v: Tensor): Tensor {
  const [batch, heads, sequence] = scores.shape;
  const y = ops.matmul(ops.softmax(scores, -1), v);
  return ops.reshape(ops.transpose(y, [0, 2, 1, 3]), [batch, sequence, heads * v.shape[3]]);
}

/** softmax(scale·q·kᵀ + masks)·v, the heads joined (scoresOf, weighted). */
function attend(call: NodeCall, q: Tensor, k: Tensor, v: Tensor, maskInput: number, biasInput: number): Tensor {
  return weighted(scoresOf(call, q, k, maskInput, biasInput), v);
}

/** Inputs and attributes tmnn leaves out: a shared past/present buffer, rotary embeddings, and past_sequence_length where the op has it (input `pastLength`). */
export function refuseUnsupported(call: NodeCall, pastLength?: number): void {
  call.refuse('do_rotary', (v) => v === 0, 'rotary embeddings are not run by tmnn (apply them before Attention)');
  call.refuse('past_present_share_buffer', (v) => v === 0, 'tmnn gives the present as a new tensor, the past joined to this step');
  if (pastLength !== undefined && call.has(pastLength)) throw call.error(`past_sequence_length (input ${pastLength}) is not supported: tmnn takes the past as long as it is`);
}

/** past [B, N, P, h] (input `i`) then now [B, N, L, h] along the sequence axis; now alone without a past. */
function withPast(call: NodeCall, i: number, name: string, now: Tensor): Tensor {
  return call.has(i) ? withPastTensor(call, call.tensor(i), `${name} (input ${i})`, now) : now;
}

function withPastTensor(call: NodeCall, past: Tensor, name: string, now: Tensor): Tensor {
  const fits = past.rank === 4 && past.shape[0] === now.shape[0] && past.shape[1] === now.shape[1] && past.shape[3] === now.shape[3];
  if (!fits) throw call.error(`${name} [${past.shape.join(', ')}]: with this step's [${now.shape.join(', ')}] (as [batch, heads, length, head size]) it must be [${now.shape[0]}, ${now.shape[1]}, past length, ${now.shape[3]}]`);
  return ops.concat([past, now], 2);
}

/** Where an attention op's optional inputs are: the key padding mask, the past, attention_bias (none for QAttention). */
export interface AttentionInputs {
  mask: number;
  past: number;
  bias?: number;
}

/**
 * Attention after its projection: qkv [B, S, Q + K + V hidden sizes] (bias
 * added) split into heads, attended with the mask, past and attention bias
 * at `inputs`; [output, present] where the node names a present (or has a
 * past), else the output alone. Shared with QAttention, whose projection
 * is quantized.
 */
export function attendProjected(call: NodeCall, qkv: Tensor, n: number, inputs: AttentionInputs): Tensor | Tensor[] {
  const sizes = hiddenSizes(call, qkv.shape[2], n);
  const [q, now, later] = ops.split(qkv, sizes, 2).map((t) => heads(t, n));
  const bias = inputs.bias ?? -1;
  if ((call.has(inputs.past) || call.node.outputs[1]) && sizes[1] !== sizes[2]) throw call.error(`K's and V's hidden sizes differ (${sizes[1]}, ${sizes[2]}): past and present stack them in one tensor`);
  if (!call.has(inputs.past)) {
    const y = attend(call, q, now, later, inputs.mask, bias);
    return call.node.outputs[1] ? [y, ops.stack([now, later], 0)] : y;
  }
  // past and present stack keys and values: [2, B, N, length, h].
  const past = call.tensor(inputs.past);
  if (past.rank !== 5 || past.shape[0] !== 2) throw call.error(`past (input ${inputs.past}) is [${past.shape.join(', ')}]; it must be [2, ${q.shape[0]}, ${n}, past length, ${q.shape[3]}] (keys, then values)`);
  const [pastKey, pastValue] = ops.unbind(past, 0);
  const k = withPastTensor(call, pastKey, 'past keys', now), v = withPastTensor(call, pastValue, 'past values', later);
  return [attend(call, q, k, v, inputs.mask, bias), ops.stack([k, v], 0)];
}

const attention: OnnxOp = {
  run: (call) => {
    refuseUnsupported(call, 6);
    const x = call.tensor(0), w = call.tensor(1);
    const n = headCount(call);
    if (x.rank !== 3) throw call.error(`input is [${x.shape.join(', ')}]; it must be [batch, sequence, input_hidden]`);
    if (w.rank !== 2 || w.shape[0] !== x.shape[2]) throw call.error(`weights are [${w.shape.join(', ')}]; they must be [${x.shape[2]}, Q + K + V hidden sizes]`);
    let qkv = ops.matmul(x, w);
    if (call.has(2)) {
      const bias = call.tensor(2);
      if (bias.rank !== 1 || bias.shape[0] !== w.shape[1]) throw call.error(`bias (input 2) is [${bias.shape.join(', ')}]; it must be 1-D of the weights' ${w.shape[1]} columns`);
      qkv = ops.add(qkv, bias);
    }
    return attendProjected(call, qkv, n, { mask: 3, past: 4, bias: 5 });
  },
};

/** num_heads, required. */
export function headCount(call: NodeCall): number {
  const n = call.int('num_heads');
  if (n === undefined || !Number.isInteger(n) || n < 1) throw call.error(`num_heads = ${n} must be a positive integer (it is required)`);
  return n;
}

/**
 * MultiHeadAttention: query [B, S, H] with key [B, T, H] and value [B, T,
 * Hv] (or key and value [B, N, T, h], already split into heads), or the
 * packed forms — query [B, S, N, 3, h] holding Q, K and V, or key [B, T, N,
 * 2, h] holding K and V; bias (3-D inputs) added to Q, K and V. past_key
 * and past_value [B, N, P, h] come before this step's keys and values,
 * which present_key and present_value give back, and qk the scores before
 * the softmax. With past_sequence_length, a decoding step over a shared
 * cache (decoderStep).
 */
const multiHeadAttention: OnnxOp = {
  // past_sequence_length decides shapes (the keys attended to, the masks'): read back in an asynchronous run.
  hostInputs: [8],
  run: (call) => {
    const n = headCount(call);
    if (call.has(6) !== call.has(7)) throw call.error('past_key and past_value (inputs 6 and 7) come together: give both or neither');
    const query = call.tensor(0);
    if (call.has(6) && call.has(1) && call.tensor(1).rank === 4) throw call.error(`past_key with a 4-D key [${call.tensor(1).shape.join(', ')}]: a 4-D key is the whole cache already`);
    if (call.has(9) && !call.has(8)) throw call.error('cache_indirection (input 9) without past_sequence_length (input 8): tmnn reads beams from a shared cache, whose filled length past_sequence_length gives');
    const [q, now, later] = queryKeyValue(call, query, n);
    if (call.has(8)) return decoderStep(call, q, now, later);
    const k = withPast(call, 6, 'past_key', now), v = withPast(call, 7, 'past_value', later);
    // qk: the scores before the softmax, masks and bias in (Whisper's alignment heads read them).
    const scores = scoresOf(call, q, k, 4, 5);
    return [weighted(scores, v), k, v, scores];
  },
};

/**
 * One decoding step over a cache shared by past and present, as
 * onnxruntime's beam search runs MultiHeadAttention: past_key and
 * past_value [B·W, N, M, h] hold M positions of which the first P
 * (past_sequence_length) are filled; this step's key and value (one query,
 * S = 1) go in at position P of the present ones, the rest kept. The query
 * attends to positions 0…P, each of the first P read from the beam
 * cache_indirection [B, W, M] names (of the same batch entry; without it,
 * its own), and position P its own: so the masks and attention_bias span
 * P + 1 keys, and qk is [B·W, N, 1, P + 1].
 */
function decoderStep(call: NodeCall, q: Tensor, now: Tensor, later: Tensor): Tensor[] {
  if (!call.has(6)) throw call.error('past_sequence_length (input 8) without past_key and past_value: it counts the filled positions of their shared cache');
  const filled = call.scalar(8, 'past_sequence_length');
  const pastKey = call.tensor(6), pastValue = call.tensor(7);
  const [rows, heads, sequence, headSize] = q.shape;
  if (sequence !== 1) throw call.error(`query has ${sequence} positions; with past_sequence_length (a decoding step over a shared cache) it takes one`);
  const fits = (t: Tensor, like: Tensor) => t.rank === 4 && t.shape[0] === rows && t.shape[1] === heads && t.shape[3] === like.shape[3] && t.shape[2] === pastKey.shape[2];
  if (!fits(pastKey, now) || !fits(pastValue, later)) {
    throw call.error(`past_key [${pastKey.shape.join(', ')}] and past_value [${pastValue.shape.join(', ')}] must be [${rows}, ${heads}, cache length, ${headSize}] and [${rows}, ${heads}, cache length, ${later.shape[3]}], one cache length`);
  }
  const cache = pastKey.shape[2];
  if (!Number.isInteger(filled) || filled < 0 || filled >= cache) throw call.error(`past_sequence_length is ${filled}; the cache holds ${cache} positions, so it must be from 0 to ${cache - 1} (this step's key goes in at that position)`);
  const beams = call.has(9) ? beamRows(call, rows, cache, filled) : undefined;
  // A cache's present (its filled positions, this step, the rest as they were) and what the query attends to (the filled positions, from their beams, then this step).
  const step = (past: Tensor, now: Tensor) => {
    const head = ops.slice(past, [0, 0, 0, 0], [rows, heads, filled, past.shape[3]]);
    const rest = ops.slice(past, [0, 0, filled + 1, 0], [rows, heads, cache - filled - 1, past.shape[3]]);
    return { present: ops.concat([head, now, rest], 2), attended: ops.concat([beams ? fromBeams(past, beams, filled) : head, now], 2) };
  };
  const keys = step(pastKey, now), values = step(pastValue, later);
  const scores = scoresOf(call, q, keys.attended, 4, 5);
  return [weighted(scores, values.attended), keys.present, values.present, scores];
}

/** For each row of the cache [B·W] and each filled position t < P, the row (of the same batch entry) cache_indirection names: an i32 [B·W, P] on the device. */
function beamRows(call: NodeCall, rows: number, cache: number, filled: number): Tensor {
  const indirection = call.tensor(9);
  const [batch, width] = indirection.shape;
  if (indirection.rank !== 3 || indirection.dtype !== 'i32' || batch * width !== rows || indirection.shape[2] !== cache) {
    throw call.error(`cache_indirection (input 9) is ${indirection.dtype} [${indirection.shape.join(', ')}]; it must be int32 [batch, beams, ${cache}] with batch · beams = ${rows}, the cache's rows`);
  }
  // Row b·W + i reads beam cache_indirection[b, i, t] of batch entry b: b·W + that.
  const firsts = ops.tensor(Int32Array.from({ length: rows }, (_, r) => r - (r % width)), [rows, 1], { dtype: 'i32' });
  return ops.add(ops.slice(ops.reshape(indirection, [rows, cache]), [0, 0], [rows, filled]), firsts);
}

/** The first P positions of a cache [R, N, M, h], position t of row r read from row beams[r, t]: [R, N, P, h]. */
function fromBeams(past: Tensor, beams: Tensor, filled: number): Tensor {
  const [rows, heads, cache, size] = past.shape;
  // Positions as rows of [R·M, N·h]: (row, t) at row·M + t.
  const byPosition = ops.reshape(ops.transpose(past, [0, 2, 1, 3]), [rows * cache, heads * size]);
  const at = ops.add(ops.mul(beams, cache), ops.tensor(Int32Array.from({ length: filled }, (_, t) => t), [1, filled], { dtype: 'i32' }));
  const picked = ops.gather(byPosition, ops.reshape(at, [rows * filled]), 0);
  return ops.transpose(ops.reshape(picked, [rows, filled, heads, size]), [0, 2, 1, 3]);
}

/** Q, K and V as [B, N, S or T, h] from MultiHeadAttention's inputs in any of the forms it takes. */
function queryKeyValue(call: NodeCall, query: Tensor, n: number): [Tensor, Tensor, Tensor] {
  const shapes = `query [${query.shape.join(', ')}]${call.has(1) ? `, key [${call.tensor(1).shape.join(', ')}]` : ''}${call.has(2) ? `, value [${call.tensor(2).shape.join(', ')}]` : ''}`;
  // [B, L, N, parts, h] → parts × [B, N, L, h].
  const packed = (t: Tensor) => ops.unbind(ops.transpose(t, [3, 0, 2, 1, 4]), 0);
  if (query.rank === 5) {
    if (call.has(1) || call.has(2) || call.has(3) || query.shape[2] !== n || query.shape[3] !== 3) throw call.error(`${shapes}: a 5-D query is packed Q, K and V [B, S, ${n}, 3, h], alone, without bias`);
    return packed(query) as [Tensor, Tensor, Tensor];
  }
  if (query.rank !== 3 || query.shape[2] % n) throw call.error(`${shapes}: query must be [batch, sequence, hidden] with hidden a multiple of num_heads = ${n}`);
  const hidden = query.shape[2];
  if (!call.has(1)) throw call.error(`${shapes}: key is required unless query packs Q, K and V`);
  const key = call.tensor(1);
  let bias: Tensor[] | undefined;
  if (call.has(3)) {
    const b = call.tensor(3);
    const vHidden = key.rank === 3 && call.has(2) ? call.tensor(2).shape[2] : hidden;
    if (key.rank !== 3 || b.rank !== 1 || b.shape[0] !== 2 * hidden + vHidden) throw call.error(`${shapes}: bias (input 3) is [${b.shape.join(', ')}]; tmnn takes it with 3-D key and value, 1-D of ${2 * hidden} + value's hidden size`);
    bias = ops.split(b, [hidden, hidden, vHidden], 0);
  }
  const q = heads(bias ? ops.add(query, bias[0]) : query, n);
  if (key.rank === 5) {
    if (call.has(2) || key.shape[0] !== query.shape[0] || key.shape[2] !== n || key.shape[3] !== 2 || key.shape[4] * n !== hidden) throw call.error(`${shapes}: a 5-D key is packed K and V [B, T, ${n}, 2, ${hidden / n}], without value`);
    const [k, v] = packed(key);
    return [q, k, v];
  }
  if (!call.has(2)) throw call.error(`${shapes}: value is required with a 3- or 4-D key`);
  const value = call.tensor(2);
  if (key.rank === 4 && value.rank === 4) {
    const fits = key.shape[0] === query.shape[0] && key.shape[1] === n && key.shape[3] * n === hidden && value.shape[0] === key.shape[0] && value.shape[1] === n && value.shape[2] === key.shape[2];
    if (!fits) throw call.error(`${shapes}: 4-D key and value are [batch, ${n}, length, head size] with the query's batch and head size`);
    return [q, key, value];
  }
  const fits = key.rank === 3 && value.rank === 3 && key.shape[0] === query.shape[0] && key.shape[2] === hidden && value.shape[0] === key.shape[0] && value.shape[1] === key.shape[1] && value.shape[2] % n === 0;
  if (!fits) throw call.error(`${shapes}: key must be [batch, length, ${hidden}] and value [batch, length, a multiple of ${n}]`);
  return [q, heads(bias ? ops.add(key, bias[1]) : key, n), heads(bias ? ops.add(value, bias[2]) : value, n)];
}

export const MICROSOFT_ATTENTION_OPS: OpTable = {
  Attention: attention,
  MultiHeadAttention: multiHeadAttention,
};
