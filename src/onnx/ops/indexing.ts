// ONNX's index-driven reads — OneHot and GatherND (the scatters are in
// scatter.ts).
import * as ops from '../../ops/index.js';
import type { Tensor } from '../../tensor.js';
import { hostTake, stridesOf } from '../host_math.js';
import type { NodeCall } from '../node_call.js';
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
    strings: 'moves',
    hostInputs: [1],
    run: (call) => {
      const data = call.tensor(0);
      const plan = gatherNdPlan(call, data.shape, call.value(1).shape);
      const { k, batchDims, count, rowStrides, restSize } = plan;
      let rows: Tensor;
      if (call.isConstant(1)) rows = i32(constantRows(call, plan, call.constant(1, 'indices').data), [count]);
      else {
        const indices = ops.reshape(indicesTensor(call), [count, k]);
        rows = i32(Array.from({ length: count }, (_, flat) => plan.batchRow(flat)), [count, 1]);
        for (let j = 0; j < k; j++) {
          const size = data.shape[batchDims + j];
          rows = ops.add(rows, ops.mul(wrapComputed(call, ops.slice(indices, [0, j], [count, 1]), size, `axis ${batchDims + j} of data [${data.shape.join(', ')}], of length ${size}`), rowStrides[batchDims + j]));
        }
        rows = ops.reshape(rows, [count]);
      }
      return ops.reshape(ops.gather(ops.reshape(data, [data.size / restSize, restSize]), rows), plan.shape);
    },
    // Each index picks a row of restSize elements.
    host: (call, [data, indices]) => {
      const plan = gatherNdPlan(call, data.shape, indices.shape);
      const rows = constantRows(call, plan, indices.data);
      const positions: number[] = [];
      for (const row of rows) for (let i = 0; i < plan.restSize; i++) positions.push(row * plan.restSize + i);
      return hostTake(data, plan.shape, positions);
    },
  },
};

interface GatherNdPlan {
  readonly dataShape: readonly number[];
  readonly k: number;
  readonly batchDims: number;
  /** How many indices there are: rows picked. */
  readonly count: number;
  /** The output's shape: the indices' but their last axis, then what one index leaves of data. */
  readonly shape: readonly number[];
  readonly restSize: number;
  /** Strides in rows of restSize elements over data's first batchDims + k axes. */
  readonly rowStrides: readonly number[];
  /** The first row of the batch of index number `flat`. */
  batchRow(flat: number): number;
}

/** What GatherND of data [dataShape] at indices [indexShape] picks, checked. */
function gatherNdPlan(call: NodeCall, dataShape: readonly number[], indexShape: readonly number[]): GatherNdPlan {
  const batchDims = call.int('batch_dims', 0);
  const rank = dataShape.length;
  const k = indexShape[indexShape.length - 1];
  if (batchDims < 0 || indexShape.length < batchDims + 1 || k < 1 || batchDims + k > rank || indexShape.slice(0, batchDims).some((d, i) => d !== dataShape[i])) {
    throw call.error(`indices [${indexShape.join(', ')}] with batch_dims ${batchDims} do not index data [${dataShape.join(', ')}]: their first batch_dims axes must be data's and their last, the length of an index, 1 to ${rank - batchDims}`);
  }
  const outer = indexShape.slice(0, -1);
  const rest = dataShape.slice(batchDims + k);
  const rowStrides = stridesOf(dataShape.slice(0, batchDims + k));
  const perBatch = outer.slice(batchDims).reduce((a, b) => a * b, 1);
  return {
    dataShape,
    k,
    batchDims,
    count: outer.reduce((a, b) => a * b, 1),
    shape: [...outer, ...rest],
    restSize: rest.reduce((a, b) => a * b, 1),
    rowStrides,
    batchRow: (flat) => Math.floor(flat / perBatch) * (batchDims ? rowStrides[batchDims - 1] : 0),
  };
}

/** The row each of the indices (values on the host) picks. */
function constantRows(call: NodeCall, plan: GatherNdPlan, indices: ArrayLike<number>): Int32Array {
  const { k, batchDims, rowStrides } = plan;
  const rows = new Int32Array(plan.count);
  for (let flat = 0; flat < plan.count; flat++) {
    rows[flat] = plan.batchRow(flat);
    for (let j = 0; j < k; j++) rows[flat] += wrap(call, indices[flat * k + j], plan.dataShape[batchDims + j]) * rowStrides[batchDims + j];
  }
  return rows;
}
