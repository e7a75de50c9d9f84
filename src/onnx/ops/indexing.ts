// ONNX's index-driven operators — OneHot, GatherND, ScatterND, ScatterElements.
// Scatters write where their indices say: with the indices
// known on the host (constants, or computed from shapes), the output is a
// gather from data and updates joined by a mask, so gradients reach both.
import * as ops from '../../ops/index.js';
import type { Tensor } from '../../tensor.js';
import { forEachIndex, stridesOf } from '../host_math.js';
import type { NodeCall } from '../node_call.js';
import { Constant } from '../value.js';
import type { OpTable } from './op.js';

function i32(values: ArrayLike<number>, shape: readonly number[]): Tensor {
  return ops.tensor(Int32Array.from(values), [...shape], { dtype: 'i32' });
}

/** An index along an axis of `size`, negative counting from the end, checked. */
function wrap(call: NodeCall, i: number, size: number): number {
  if (i < -size || i >= size) throw call.error(`index ${i} is outside an axis of ${size}`);
  return i < 0 ? i + size : i;
}

/**
 * data with the elements at `targets` (flat positions) replaced by updates'
 * elements at the same positions of `sources`; a later write to a position
 * wins, as ONNX's reduction 'none' leaves it to the last.
 */
function scatter(call: NodeCall, data: Tensor, updates: Tensor, targets: number[], sources: number[]): Tensor {
  const reduction = call.string('reduction', 'none');
  if (reduction !== 'none') throw call.error(`reduction ${reduction} is not supported (only 'none')`);
  const from = new Int32Array(data.size).fill(-1);
  targets.forEach((t, k) => (from[t] = sources[k]));
  const mask = ops.tensor(Float32Array.from(from, (f) => (f >= 0 ? 1 : 0)), [...data.shape]);
  const picked = ops.reshape(ops.gather(ops.reshape(updates, [updates.size]), i32(from.map((f) => Math.max(f, 0)), [data.size])), data.shape);
  return ops.where(mask, picked, data);
}

export const INDEXING_OPS: OpTable = {
  OneHot: {
    hostInputs: [1, 2],
    run: (call) => {
      const indices = call.tensor(0);
      const depth = call.constant(1, 'depth').data[0];
      const [off, on] = call.constant(2, 'values').values();
      const a0 = call.int('axis', -1);
      const rank = indices.rank + 1;
      const a = a0 < 0 ? a0 + rank : a0;
      // Negative indices count from the end of the depth; one outside [-depth, depth) gives a row of
      // off values, as ONNX says: it is sent to an extra last class, cut off after.
      const wrapped = ops.where(ops.less(indices, 0), ops.add(indices, depth), indices);
      const outside = ops.logicalOr(ops.less(wrapped, 0), ops.greaterEqual(wrapped, depth));
      const classes = ops.cast(ops.where(outside, depth, wrapped), 'i32');
      const hot = ops.slice(ops.oneHot(classes, depth + 1), Array(rank).fill(0), [...indices.shape, depth]);
      let y = ops.add(ops.mul(hot, on - off), off);
      if (a !== rank - 1) y = ops.transpose(y, [...Array.from({ length: a }, (_, i) => i), rank - 1, ...Array.from({ length: rank - 1 - a }, (_, i) => a + i)]);
      return y;
    },
  },
  GatherND: {
    hostInputs: [1],
    run: (call) => {
      const data = call.tensor(0);
      const indices = call.constant(1, 'indices');
      const batchDims = call.int('batch_dims', 0);
      const k = indices.shape[indices.shape.length - 1];
      const outer = indices.shape.slice(0, -1);
      const rest = data.shape.slice(batchDims + k);
      const restSize = rest.reduce((a, b) => a * b, 1);
      const strides = stridesOf(data.shape);
      const batchSize = data.shape.slice(0, batchDims).reduce((a, b) => a * b, 1);
      const perBatch = outer.slice(batchDims).reduce((a, b) => a * b, 1);
      const positions: number[] = [];
      forEachIndex(outer, (_, flat) => {
        const b = Math.floor(flat / perBatch) % Math.max(batchSize, 1);
        let at = 0;
        // The batch dims' offset, then the k indexed dims'.
        let rem = b;
        for (let d = batchDims - 1; d >= 0; d--) {
          at += (rem % data.shape[d]) * strides[d];
          rem = Math.floor(rem / data.shape[d]);
        }
        for (let j = 0; j < k; j++) at += wrap(call, indices.data[flat * k + j], data.shape[batchDims + j]) * strides[batchDims + j];
        for (let r = 0; r < restSize; r++) positions.push(at + r);
      });
      return ops.reshape(ops.gather(ops.reshape(data, [data.size]), i32(positions, [positions.length])), [...outer, ...rest]);
    },
  },
  ScatterND: {
    hostInputs: [1],
    run: (call) => {
      const data = call.tensor(0);
      const indices: Constant = call.constant(1, 'indices');
      const updates = call.tensor(2);
      const k = indices.shape[indices.shape.length - 1];
      const strides = stridesOf(data.shape);
      const block = data.shape.slice(k).reduce((a, b) => a * b, 1);
      const targets: number[] = [], sources: number[] = [];
      const count = indices.size / k;
      for (let u = 0; u < count; u++) {
        let at = 0;
        for (let j = 0; j < k; j++) at += wrap(call, indices.data[u * k + j], data.shape[j]) * strides[j];
        for (let r = 0; r < block; r++) {
          targets.push(at + r);
          sources.push(u * block + r);
        }
      }
      return scatter(call, data, updates, targets, sources);
    },
  },
  ScatterElements: {
    hostInputs: [1],
    run: (call) => {
      const data = call.tensor(0);
      const indices = call.constant(1, 'indices');
      const updates = call.tensor(2);
      const a0 = call.int('axis', 0);
      const a = a0 < 0 ? a0 + data.rank : a0;
      const strides = stridesOf(data.shape);
      const targets: number[] = [], sources: number[] = [];
      forEachIndex(indices.shape, (index, flat) => {
        let at = 0;
        index.forEach((v, d) => (at += (d === a ? wrap(call, indices.data[flat], data.shape[a]) : v) * strides[d]));
        targets.push(at);
        sources.push(flat);
      });
      return scatter(call, data, updates, targets, sources);
    },
  },
};
