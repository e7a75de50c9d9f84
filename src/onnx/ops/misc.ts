// ONNX ops of no family of their own, written with tmnn's: Hardmax as the
// one-hot of argmax, Det on tm.linalg.det, ReverseSequence as a gather
// along the time axis whose indices are computed on the device from the
// sequence lengths (so they need not be known on the host).
import * as ops from '../../ops/index.js';
import type { Tensor } from '../../tensor.js';
import { hostGather, stridesOf } from '../host_math.js';
import type { NodeCall } from '../node_call.js';
import { isIntegerType } from '../value.js';
import type { OnnxOp, OpTable } from './op.js';

/** 1 at the first largest entry of x along `axis`, 0 elsewhere, in x's dtype. */
function firstMaxOneHot(x: Tensor, axis: number): Tensor {
  const at = ops.argmax(x, axis, { keepDims: true });
  const positions = ops.reshape(ops.arange(x.shape[axis], undefined, 1, { dtype: 'i32' }), x.shape.map((d, a) => (a === axis ? d : 1)));
  return ops.cast(ops.equal(positions, at), x.dtype);
}

function axisOf(call: NodeCall, axis: number, rank: number, allowRank = false): number {
  if (!Number.isInteger(axis) || axis < -rank || axis > (allowRank ? rank : rank - 1)) throw call.error(`axis = ${axis} is outside the input's ${rank} axes`);
  return axis < 0 ? axis + rank : axis;
}

/**
 * Hardmax: 1 at the first largest entry, 0 elsewhere. From opset 13 along
 * `axis` (default −1); before, x is read as a matrix [∏ shape[:axis],
 * ∏ shape[axis:]] (axis default 1) and the largest is taken along its rows.
 */
const hardmax: OnnxOp = {
  run: (call) => {
    const x = call.tensor(0);
    if (x.rank === 0) throw call.error('input is a scalar; Hardmax needs an axis');
    if (call.opset >= 13) return firstMaxOneHot(x, axisOf(call, call.int('axis', -1), x.rank));
    // Opset 11 limited axis to [−r, r − 1]; before it, r (each row a single entry) was allowed.
    const axis = axisOf(call, call.int('axis', 1), x.rank, call.opset < 11);
    const rows = x.shape.slice(0, axis).reduce((a, b) => a * b, 1);
    return ops.reshape(firstMaxOneHot(ops.reshape(x, [rows, x.size / rows]), 1), x.shape);
  },
};

/** Det: the determinant of each matrix of x [..., M, M] (tm.linalg.det, differentiable where x is invertible). */
const det: OnnxOp = {
  run: (call) => {
    const x = call.tensor(0);
    if (x.rank < 2 || x.shape[x.rank - 1] !== x.shape[x.rank - 2]) throw call.error(`input is [${x.shape.join(', ')}]; it must be square matrices [..., M, M]`);
    return ops.linalg.det(x);
  },
};

/** ReverseSequence's batch and time axes, checked with x's shape and the lengths' (and the lengths themselves where they are known). */
function reverseAxes(call: NodeCall, shape: readonly number[], lensShape: readonly number[], lensAreIntegers: boolean): { batchAxis: number; timeAxis: number } {
  const batchAxis = call.int('batch_axis', 1), timeAxis = call.int('time_axis', 0);
  if (!((batchAxis === 1 && timeAxis === 0) || (batchAxis === 0 && timeAxis === 1))) throw call.error(`batch_axis = ${batchAxis} and time_axis = ${timeAxis} must be 1 and 0, or 0 and 1`);
  if (shape.length < 2) throw call.error(`input is [${shape.join(', ')}]; it needs a batch and a time axis`);
  const batch = shape[batchAxis], steps = shape[timeAxis];
  if (!lensAreIntegers || lensShape.length !== 1 || lensShape[0] !== batch) throw call.error(`sequence_lens (input 1) is ${lensAreIntegers ? '' : 'of floats '}[${lensShape.join(', ')}]; it must be integers [${batch}], one per batch entry`);
  if (call.isConstant(1)) {
    const bad = call.constant(1, 'sequence_lens').values().find((l) => !(l >= 0 && l <= steps));
    if (bad !== undefined) throw call.error(`sequence_lens holds ${bad}, outside [0, ${steps}] (the time axis's length)`);
  }
  return { batchAxis, timeAxis };
}

/**
 * ReverseSequence: for each batch entry b, its first sequence_lens[b] steps
 * along time_axis reversed, the rest as they are; batch_axis and time_axis
 * are 0 and 1 in either order. Step t of entry b is read from len − 1 − t
 * where t < len, from t otherwise.
 */
const reverseSequence: OnnxOp = {
  strings: 'moves',
  host: (call, [x, lens]) => {
    const { timeAxis } = reverseAxes(call, x.shape, lens.shape, isIntegerType(lens.type));
    const strides = stridesOf(x.shape);
    return hostGather(x, x.shape, (index) => {
      const len = lens.data[index[1 - timeAxis]];
      const t = index[timeAxis];
      const from = t < len ? len - 1 - t : t;
      return index.reduce((at, v, d) => at + (d === timeAxis ? from : v) * strides[d], 0);
    });
  },
  run: (call) => {
    const x = call.tensor(0), lens = call.tensor(1);
    const { batchAxis, timeAxis } = reverseAxes(call, x.shape, lens.shape, lens.dtype === 'i32');
    const batch = x.shape[batchAxis], steps = x.shape[timeAxis];
    const t = ops.reshape(ops.arange(steps, undefined, 1, { dtype: 'i32' }), timeAxis === 0 ? [steps, 1] : [1, steps]);
    const len = ops.reshape(lens, timeAxis === 0 ? [1, batch] : [batch, 1]);
    const from = ops.where(ops.less(t, len), ops.sub(ops.sub(len, 1), t), t);
    return ops.takeAlongAxis(x, ops.reshape(from, [...from.shape, ...Array(x.rank - 2).fill(1)]), timeAxis);
  },
};

export const MISC_OPS: OpTable = {
  Hardmax: hardmax,
  Det: det,
  ReverseSequence: reverseSequence,
};
