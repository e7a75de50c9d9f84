// onnxruntime's fused self-attention (com.microsoft Attention, what its
// BERT and GPT-2 optimizers make of a transformer layer's attention): the
// input times one merged Q/K/V weight (+ bias), split into heads,
// softmax(scale·Q·Kᵀ + mask) · V, the heads joined again. Masks are additive
// as onnxruntime applies them: a masked key adds mask_filter_value (−10000)
// to its score, and unidirectional adds it again to every later key — not
// −∞, so a row with every key masked averages them as onnxruntime does.
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
function paddingMask(call: NodeCall, batch: number, length: number, sequence: number, filter: number): Tensor {
  const m = call.tensor(3);
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
  throw call.error(`mask_index (input 3) is [${shape}]; tmnn takes [batch] (key lengths), [2·batch] (ends, then starts), [batch, ${length}] or [batch, ${sequence}, ${length}] (0/1 masks), here batch = ${batch}`);
}

/** unidirectional: filter added to every key after the query's own position ([S, S], as host data). */
function causalMask(sequence: number, filter: number): Tensor {
  const v = new Float32Array(sequence * sequence);
  for (let i = 0; i < sequence; i++) for (let j = i + 1; j < sequence; j++) v[i * sequence + j] = filter;
  return ops.tensor(v, [sequence, sequence]);
}

/** Inputs and attributes tmnn leaves out: past state and rotary embeddings. */
function refuseUnsupported(call: NodeCall): void {
  call.refuse('do_rotary', (v) => v === 0, 'rotary embeddings are not run by tmnn (apply them before Attention)');
  call.refuse('past_present_share_buffer', (v) => v === 0, 'tmnn runs Attention without past state');
  if (call.has(4) || call.has(6)) throw call.error('past state (inputs past, past_sequence_length) is not supported: tmnn runs Attention without a key/value cache');
  if (call.node.outputs[1]) throw call.error(`its present output (${call.node.outputs[1]}) is not supported: tmnn runs Attention without a key/value cache`);
}

const attention: OnnxOp = {
  run: (call) => {
    refuseUnsupported(call);
    const x = call.tensor(0), w = call.tensor(1);
    const n = call.int('num_heads');
    if (n === undefined || !Number.isInteger(n) || n < 1) throw call.error(`num_heads = ${n} must be a positive integer (it is required)`);
    if (x.rank !== 3) throw call.error(`input is [${x.shape.join(', ')}]; it must be [batch, sequence, input_hidden]`);
    if (w.rank !== 2 || w.shape[0] !== x.shape[2]) throw call.error(`weights are [${w.shape.join(', ')}]; they must be [${x.shape[2]}, Q + K + V hidden sizes]`);
    const [batch, sequence] = x.shape;
    const sizes = hiddenSizes(call, w.shape[1], n);
    let qkv = ops.matmul(x, w);
    if (call.has(2)) {
      const bias = call.tensor(2);
      if (bias.rank !== 1 || bias.shape[0] !== w.shape[1]) throw call.error(`bias (input 2) is [${bias.shape.join(', ')}]; it must be 1-D of the weights' ${w.shape[1]} columns`);
      qkv = ops.add(qkv, bias);
    }
    const [q, k, v] = ops.split(qkv, sizes, 2).map((t) => heads(t, n));
    const headSize = sizes[0] / n;
    let scores = ops.mul(ops.matmul(q, k, { transposeB: true }), call.float('scale', 1 / Math.sqrt(headSize)));
    const filter = call.float('mask_filter_value', -10000);
    if (call.has(3)) scores = ops.add(scores, paddingMask(call, batch, sequence, sequence, filter));
    if (call.int('unidirectional', 0) !== 0) scores = ops.add(scores, causalMask(sequence, filter));
    if (call.has(5)) scores = ops.add(scores, call.tensor(5));
    const y = ops.matmul(ops.softmax(scores, -1), v);
    return ops.reshape(ops.transpose(y, [0, 2, 1, 3]), [batch, sequence, sizes[2]]);
  },
};

export const MICROSOFT_ATTENTION_OPS: OpTable = {
  Attention: attention,
};
