// Rotary position embedding (RoPE), ONNX opset 23's RotaryEmbedding: the
// first rotary_embedding_dim values of each head turned, pair by pair, by
// the angle of the token's position — cos and sin gathered from caches by
// position_ids, or given per token. Pairs are (i, i + rot/2), or adjacent
// values when interleaved. onnxruntime's com.microsoft RotaryEmbedding
// (microsoft_rotary.ts) turns heads the same way, its inputs in another
// order. Written with tmnn's ops: gradients reach the input and the caches.
import * as ops from '../../ops/index.js';
import type { Tensor } from '../../tensor.js';
import type { NodeCall } from '../node_call.js';
import type { OnnxOp, OpTable } from './op.js';

/** x [B, S, N, h] with its first `rot` values per head rotated by cos, sin [B or 1, S, 1, rot/2]. */
export function rotate(x: Tensor, cos: Tensor, sin: Tensor, rot: number, interleaved: boolean): Tensor {
  const h = x.shape[3], half = rot / 2;
  const [b, s, n] = x.shape;
  const part = rot === h ? x : ops.slice(x, [0, 0, 0, 0], [b, s, n, rot]);
  let turned: Tensor;
  if (interleaved) {
    const [even, odd] = ops.unbind(ops.reshape(part, [b, s, n, half, 2]), 4);
    const pairs = ops.stack([ops.sub(ops.mul(even, cos), ops.mul(odd, sin)), ops.add(ops.mul(odd, cos), ops.mul(even, sin))], 4);
    turned = ops.reshape(pairs, [b, s, n, rot]);
  } else {
    const [first, second] = ops.split(part, [half, half], 3);
    turned = ops.concat([ops.sub(ops.mul(first, cos), ops.mul(second, sin)), ops.add(ops.mul(second, cos), ops.mul(first, sin))], 3);
  }
  return rot === h ? turned : ops.concat([turned, ops.slice(x, [0, 0, 0, rot], [b, s, n, h - rot])], 3);
}

/**
 * x ([B, S, N·h], or [B, N, S, h]) as [B, S, N, h], and the way back:
 * `heads` splits the 3-D form (num_heads, or the hidden size over `rot`
 * where an op lets it default).
 */
export function headsLast(call: NodeCall, x: Tensor, heads: number): { layout: Tensor; restore: (y: Tensor) => Tensor } {
  if (x.rank === 4) return { layout: ops.transpose(x, [0, 2, 1, 3]), restore: (y) => ops.transpose(y, [0, 2, 1, 3]) };
  if (x.rank !== 3) throw call.error(`input is [${x.shape.join(', ')}]; it must be [batch, sequence, hidden] or [batch, heads, sequence, head size]`);
  if (!Number.isInteger(heads) || heads < 1 || x.shape[2] % heads) throw call.error(`input [${x.shape.join(', ')}] does not split into ${heads} heads (num_heads = ${call.int('num_heads', 0)})`);
  return { layout: ops.reshape(x, [x.shape[0], x.shape[1], heads, x.shape[2] / heads]), restore: (y) => ops.reshape(y, x.shape) };
}

/** The rotary dim: rotary_embedding_dim, else the whole head; even and within the head. */
export function rotaryDim(call: NodeCall, headSize: number): number {
  const rot = call.int('rotary_embedding_dim', 0) || headSize;
  if (rot > headSize || rot % 2 || rot < 2) throw call.error(`the rotary dim ${rot} must be even, positive and at most the head size ${headSize}`);
  return rot;
}

/**
 * RotaryEmbedding (opset 23): X, cos_cache, sin_cache, position_ids?. With
 * position_ids [B, S] the caches are [max position + 1, rot/2], gathered;
 * without, they are the angles of each token already, [B, S, rot/2].
 */
const rotaryEmbedding: OnnxOp = {
  run: (call) => {
    const x = call.tensor(0), cosCache = call.tensor(1), sinCache = call.tensor(2);
    if (x.rank === 3 && !call.int('num_heads')) throw call.error(`input is [${x.shape.join(', ')}]: a 3-D input needs num_heads`);
    const { layout, restore } = headsLast(call, x, call.int('num_heads', 0));
    const [batch, sequence, , headSize] = layout.shape;
    const rot = rotaryDim(call, headSize);
    const caches = `cos_cache [${cosCache.shape.join(', ')}] and sin_cache [${sinCache.shape.join(', ')}]`;
    if (cosCache.rank !== sinCache.rank || cosCache.shape.some((d, i) => d !== sinCache.shape[i])) throw call.error(`${caches} must be one shape`);
    let cos: Tensor, sin: Tensor;
    if (call.has(3)) {
      const p = call.tensor(3);
      if (p.rank !== 2 || p.shape[0] !== batch || p.shape[1] !== sequence) throw call.error(`position_ids (input 3) is [${p.shape.join(', ')}]; it must be [batch, sequence] = [${batch}, ${sequence}]`);
      if (cosCache.rank !== 2 || cosCache.shape[1] !== rot / 2) throw call.error(`${caches}: with position_ids they must be [max position + 1, ${rot / 2}] (half the rotary dim ${rot})`);
      const at = p.dtype === 'i32' ? p : ops.cast(p, 'i32');
      [cos, sin] = [cosCache, sinCache].map((c) => ops.gather(c, at, 0));
    } else {
      if (cosCache.rank !== 3 || cosCache.shape[0] !== batch || cosCache.shape[1] !== sequence || cosCache.shape[2] !== rot / 2) throw call.error(`${caches}: without position_ids they must be [batch, sequence, half the rotary dim] = [${batch}, ${sequence}, ${rot / 2}]`);
      [cos, sin] = [cosCache, sinCache];
    }
    const perHead = (t: Tensor) => ops.reshape(t, [batch, sequence, 1, rot / 2]);
    return restore(rotate(layout, perHead(cos), perHead(sin), rot, call.int('interleaved', 0) !== 0));
  },
};

export const ROTARY_OPS: OpTable = {
  RotaryEmbedding: rotaryEmbedding,
};
