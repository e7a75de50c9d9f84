// onnxruntime's rotary position embedding (com.microsoft RotaryEmbedding,
// which its Phi and LLaMA optimizations put before MultiHeadAttention): the
// first rotary_embedding_dim values of each head turned, pair by pair, by
// the angle of the token's position — cos and sin read from the caches the
// model carries. Pairs are (i, i + rot/2), or adjacent values when
// interleaved, as the default domain's RotaryEmbedding (rotary.ts) turns
// them. Written with tmnn's ops: gradients reach the input (and the
// caches, were they parameters).
import * as ops from '../../ops/index.js';
import type { Tensor } from '../../tensor.js';
import type { NodeCall } from '../node_call.js';
import type { OnnxOp, OpTable } from './op.js';
import { headsLast, rotate } from './rotary.js';

/** The token positions [B or 1, S]: position_ids [B, S], or an offset [1] the positions 0… start from. */
function positions(call: NodeCall, batch: number, sequence: number): Tensor {
  const p = call.tensor(1);
  const ids = p.dtype === 'i32' ? p : ops.cast(p, 'i32');
  if (p.rank === 2 && p.shape[0] === batch && p.shape[1] === sequence) return ids;
  if (p.size === 1 && p.rank <= 1) return ops.add(ops.reshape(ops.arange(0, sequence, 1, { dtype: 'i32' }), [1, sequence]), ops.reshape(ids, [1, 1]));
  throw call.error(`position_ids (input 1) is [${p.shape.join(', ')}]; it must be [${batch}, ${sequence}] or one offset [1]`);
}

const rotaryEmbedding: OnnxOp = {
  run: (call) => {
    call.refuse('is_packed_batching', (v) => v === 0, 'tmnn takes padded batches, not ragged ones');
    call.refuse('scale', (v) => v === 1, 'tmnn rotates by the caches as they are');
    const x = call.tensor(0), cosCache = call.tensor(2), sinCache = call.tensor(3);
    if (cosCache.rank !== 2 || sinCache.rank !== 2 || cosCache.shape.some((d, i) => d !== sinCache.shape[i])) {
      throw call.error(`cos_cache and sin_cache are [${cosCache.shape.join(', ')}] and [${sinCache.shape.join(', ')}]; they must be one shape [max positions, rotary dim / 2]`);
    }
    const rot = call.int('rotary_embedding_dim', 0) || 2 * cosCache.shape[1];
    if (rot !== 2 * cosCache.shape[1]) throw call.error(`rotary_embedding_dim = ${rot} needs caches of ${rot / 2} columns, they have ${cosCache.shape[1]}`);
    if (x.rank === 3 && x.shape[2] % rot && !call.int('num_heads')) throw call.error(`input [${x.shape.join(', ')}] does not split into heads of the rotary dim ${rot}: give num_heads`);
    const { layout, restore } = headsLast(call, x, call.int('num_heads', 0) || x.shape[2] / rot);
    const [batch, sequence, , headSize] = layout.shape;
    if (rot > headSize || rot % 2) throw call.error(`the rotary dim ${rot} must be even and at most the head size ${headSize}`);
    const at = positions(call, batch, sequence);
    const angle = (cache: Tensor) => ops.reshape(ops.gather(cache, at, 0), [at.shape[0], sequence, 1, rot / 2]);
    const y = rotate(layout, angle(cosCache), angle(sinCache), rot, call.int('interleaved', 0) !== 0);
    return restore(y);
  },
};

export const MICROSOFT_ROTARY_OPS: OpTable = {
  RotaryEmbedding: rotaryEmbedding,
};
