// ONNX opset 24's TensorScatter: a key/value cache of fixed length updated
// as if in place. update's positions along `axis` are written into
// past_cache from each batch row's write index on (write_indices, zeros
// when left out), wrapping round the cache in mode 'circular'; what is not
// written keeps past_cache's values (onnx/reference/ops/op_tensor_scatter.py).
// Paired with Attention's nonpad_kv_seqlen (attention.ts), it is the static
// cache of exported decoders. Made on the device, with no read back of the
// write indices: each cache position p of row b takes update position
// p − write_b (mod the cache length, circular) where that lies in the
// update, and gradients reach update and past_cache.
import * as ops from '../../ops/index.js';
import type { Tensor } from '../../tensor.js';
import type { NodeCall } from '../node_call.js';
import { shapeOf } from './attention.js';
import type { OnnxOp, OpTable } from './op.js';

/** The cache axis, checked: after the batch axis, where update's length is at most the cache's and every other length agrees. */
function scatterAxis(call: NodeCall, cache: Tensor, update: Tensor): number {
  const given = call.int('axis', -2);
  const shapes = `past_cache ${shapeOf(cache)}, update ${shapeOf(update)}`;
  if (given < -cache.rank || given >= cache.rank) throw call.error(`axis = ${given} is outside past_cache's ${cache.rank} axes (${shapes})`);
  const axis = given < 0 ? given + cache.rank : given;
  if (axis === 0) throw call.error(`axis = ${given} is the batch axis; the sequence axis comes after it (write_indices holds one index per batch row)`);
  const fits = update.rank === cache.rank && cache.shape.every((d, i) => (i === axis ? update.shape[i] <= d : update.shape[i] === d));
  if (!fits) throw call.error(`${shapes}: update must have past_cache's shape but along axis ${axis}, where it is at most ${cache.shape[axis]} long`);
  return axis;
}

const tensorScatter: OnnxOp = {
  run: (call) => {
    const cache = call.tensor(0), update = call.tensor(1);
    const axis = scatterAxis(call, cache, update);
    const mode = call.string('mode', 'linear');
    if (mode !== 'linear' && mode !== 'circular') throw call.error(`mode = '${mode}' must be 'linear' or 'circular'`);
    const [batch] = cache.shape, length = cache.shape[axis], sequence = update.shape[axis];
    if (call.has(2)) {
      const w = call.tensor(2);
      if (w.rank !== 1 || w.shape[0] !== batch || w.dtype !== 'i32') throw call.error(`write_indices (input 2) is ${w.dtype} ${shapeOf(w)}; it must be int64 [batch] = [${batch}]`);
    }
    // Linear writes must fit in the cache: checked where the indices are known on the host (on the device, positions past the end are not written).
    const known = call.has(2) && call.isConstant(2) ? call.constant(2, 'write_indices').values() : [];
    const bad = known.findIndex((w) => w < 0 || (mode === 'linear' && w + sequence > length));
    if (bad >= 0) throw call.error(`write_indices[${bad}] = ${known[bad]}: ${mode === 'linear' ? `with the update's ${sequence} positions it must lie in [0, ${length - sequence}] (the cache holds ${length})` : 'it must not be negative'}`);
    // The shape that holds the batch on axis 0 and the cache positions on `axis`.
    const along = cache.shape.map((_, i) => (i === 0 ? batch : i === axis ? length : 1));
    const positions = ops.reshape(ops.arange(0, length, 1, { dtype: 'i32' }), along.map((d, i) => (i === axis ? d : 1)));
    const writes = call.has(2) ? ops.reshape(call.tensor(2), along.map((d, i) => (i === 0 ? d : 1))) : 0;
    const offset = ops.sub(positions, writes);
    const from = mode === 'circular' ? ops.remainder(offset, length) : offset;
    const written = ops.logicalAnd(ops.greaterEqual(from, 0), ops.less(from, sequence));
    const taken = ops.takeAlongAxis(update, ops.clip(from, 0, sequence - 1), axis);
    const present = ops.where(written, taken, cache);
    const type = call.elementType(0);
    return type ? call.typed(present, type) : present;
  },
};

export const TENSOR_SCATTER_OPS: OpTable = {
  TensorScatter: tensorScatter,
};
