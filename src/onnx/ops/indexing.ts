// ONNX's index-driven reads — OneHot and GatherND (the scatters are in
// scatter.ts).
import * as ops from '../../ops/index.js';
import type { Tensor } from '../../tensor.js';
import { forEachIndex, stridesOf } from '../host_math.js';
import { i32, indicesTensor, wrap, wrapComputed } from './indices.js';
import type { OpTable } from './op.js';

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
      const indexShape = call.value(1).shape;
      const batchDims = call.int('batch_dims', 0);
      const k = indexShape[indexShape.length - 1];
      if (batchDims < 0 || indexShape.length < batchDims + 1 || k < 1 || batchDims + k > data.rank || indexShape.slice(0, batchDims).some((d, i) => d !== data.shape[i])) {
        throw call.error(`indices [${indexShape.join(', ')}] with batch_dims ${batchDims} do not index data [${data.shape.join(', ')}]: their first batch_dims axes must be data's and their last, the length of an index, 1 to ${data.rank - batchDims}`);
      }
      const outer = indexShape.slice(0, -1);
      const rest = data.shape.slice(batchDims + k);
      const restSize = rest.reduce((a, b) => a * b, 1);
      // Offsets in rows of restSize elements: each index picks one row of data [size / restSize, restSize].
      const rowStrides = stridesOf(data.shape.slice(0, batchDims + k));
      const count = outer.reduce((a, b) => a * b, 1);
      const perBatch = outer.slice(batchDims).reduce((a, b) => a * b, 1);
      const batchRow = (flat: number) => Math.floor(flat / perBatch) * (batchDims ? rowStrides[batchDims - 1] : 0);
      let rows: Tensor;
      if (call.isConstant(1)) {
        const indices = call.constant(1, 'indices');
        const at = new Int32Array(count);
        forEachIndex(outer, (_, flat) => {
          at[flat] = batchRow(flat);
          for (let j = 0; j < k; j++) at[flat] += wrap(call, indices.data[flat * k + j], data.shape[batchDims + j]) * rowStrides[batchDims + j];
        });
        rows = i32(at, [count]);
      } else {
        const indices = ops.reshape(indicesTensor(call), [count, k]);
        rows = i32(Array.from({ length: count }, (_, flat) => batchRow(flat)), [count, 1]);
        for (let j = 0; j < k; j++) {
          const size = data.shape[batchDims + j];
          rows = ops.add(rows, ops.mul(wrapComputed(call, ops.slice(indices, [0, j], [count, 1]), size, `axis ${batchDims + j} of data [${data.shape.join(', ')}], of length ${size}`), rowStrides[batchDims + j]));
        }
        rows = ops.reshape(rows, [count]);
      }
      return ops.reshape(ops.gather(ops.reshape(data, [data.size / restSize, restSize]), rows), [...outer, ...rest]);
    },
  },
};
