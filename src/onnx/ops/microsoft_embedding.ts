// onnxruntime's fused BERT embedding (com.microsoft EmbedLayerNormalization):
// word, position and segment embeddings looked up and summed, then
// LayerNorm over the hidden axis; with the count of each row's mask ones
// (mask_index, the key lengths Attention reads) and the sum before the
// norm as further outputs. Written with tmnn's gather and arithmetic, so
// the three embedding tables, gamma and beta get gradients.
import * as ops from '../../ops/index.js';
import type { Tensor } from '../../tensor.js';
import type { NodeCall } from '../node_call.js';
import type { OnnxOp, OpTable } from './op.js';

/** onnxruntime's default epsilon for EmbedLayerNormalization (BERT's 1e-12). */
const EMBED_EPSILON = 1e-12;

/** Input i, a table [rows, hidden]. */
function table(call: NodeCall, i: number, name: string, hidden?: number): Tensor {
  const t = call.tensor(i);
  if (t.rank !== 2 || (hidden !== undefined && t.shape[1] !== hidden)) throw call.error(`${name} (input ${i}) is [${t.shape.join(', ')}]; it must be [rows, ${hidden ?? 'hidden'}]`);
  return t;
}

/** Input i, ids of `shape` ([batch, sequence]; position_ids may be [1, sequence]), as i32. */
function ids(call: NodeCall, i: number, name: string, batch: number, sequence: number, sharedRow = false): Tensor {
  const t = call.tensor(i);
  const fits = t.rank === 2 && t.shape[1] === sequence && (t.shape[0] === batch || (sharedRow && t.shape[0] === 1));
  if (!fits) throw call.error(`${name} (input ${i}) is [${t.shape.join(', ')}]; it must be [${batch}, ${sequence}]${sharedRow ? ` or [1, ${sequence}]` : ''}`);
  return t.dtype === 'i32' ? t : ops.cast(t, 'i32');
}

/** Inputs: input_ids, segment_ids?, word_embedding, position_embedding, segment_embedding?, gamma, beta, mask?, position_ids?. */
const embedLayerNormalization: OnnxOp = {
  run: (call) => {
    const input = call.tensor(0);
    if (input.rank !== 2) throw call.error(`input_ids (input 0) is [${input.shape.join(', ')}]; it must be [batch, sequence]`);
    const [batch, sequence] = input.shape;
    const words = table(call, 2, 'word_embedding');
    const hidden = words.shape[1];
    const positions = table(call, 3, 'position_embedding', hidden);
    if (call.has(1) !== call.has(4)) throw call.error('segment_ids (input 1) and segment_embedding (input 4) come together: give both or neither');
    let sum = ops.gather(words, ids(call, 0, 'input_ids', batch, sequence), 0);
    // Positions 0…S−1 unless position_ids says otherwise.
    const at = call.has(8) ? ids(call, 8, 'position_ids', batch, sequence, true) : ops.reshape(ops.arange(0, sequence, 1, { dtype: 'i32' }), [1, sequence]);
    sum = ops.add(sum, ops.gather(positions, at, 0));
    if (call.has(1)) sum = ops.add(sum, ops.gather(table(call, 4, 'segment_embedding', hidden), ids(call, 1, 'segment_ids', batch, sequence), 0));
    const mean = ops.mean(sum, [2], { keepDims: true });
    const centered = ops.sub(sum, mean);
    const invStd = ops.div(1, ops.sqrt(ops.add(ops.mean(ops.mul(centered, centered), [2], { keepDims: true }), call.float('epsilon', EMBED_EPSILON))));
    const [gamma, beta] = [5, 6].map((i) => {
      const v = call.tensor(i);
      if (v.rank !== 1 || v.shape[0] !== hidden) throw call.error(`${i === 5 ? 'gamma' : 'beta'} (input ${i}) is [${v.shape.join(', ')}]; it must be 1-D of the hidden size ${hidden}`);
      return v;
    });
    const y = ops.add(ops.mul(ops.mul(centered, invStd), gamma), beta);
    // mask_index: each row's count of ones (onnxruntime counts values equal to 1), 0s without a mask.
    const maskIndex = call.has(7)
      ? ops.cast(ops.sum(ops.cast(ops.equal(ids(call, 7, 'mask', batch, sequence), 1), 'i32'), [1]), 'i32')
      : ops.zeros([batch], { dtype: 'i32' });
    return [y, call.typed(maskIndex, 'int32'), sum];
  },
};

export const MICROSOFT_EMBEDDING_OPS: OpTable = {
  EmbedLayerNormalization: embedLayerNormalization,
};
