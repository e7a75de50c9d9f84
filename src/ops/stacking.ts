// NumPy's stacking helpers: hstack, vstack, dstack and columnStack join
// tensors along the axis their names say, after raising each to the rank
// that axis needs (atleast1d, atleast2d, atleast3d: NumPy's rules for where
// the new axes of 1 go). Views and one concat, so gradients come from those.
import { ShapeError, ValueError, formatShape } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { concat, reshape } from './movement.js';
import { checkTensor } from './util.js';

/** x as at least a vector: a scalar becomes [1] (np.atleast_1d). */
export function atleast1d(x: Tensor): Tensor {
  checkTensor('atleast1d', x);
  return x.rank >= 1 ? x : reshape(x, [1]);
}

/** x as at least a matrix: a scalar becomes [1, 1], a vector [n] the row [1, n] (np.atleast_2d). */
export function atleast2d(x: Tensor): Tensor {
  checkTensor('atleast2d', x);
  return x.rank >= 2 ? x : reshape(x, x.rank === 1 ? [1, x.shape[0]] : [1, 1]);
}

/** x as at least 3-D: a scalar becomes [1, 1, 1], a vector [n] [1, n, 1], a matrix [m, n] [m, n, 1] (np.atleast_3d). */
export function atleast3d(x: Tensor): Tensor {
  checkTensor('atleast3d', x);
  if (x.rank >= 3) return x;
  return reshape(x, x.rank === 2 ? [...x.shape, 1] : x.rank === 1 ? [1, x.shape[0], 1] : [1, 1, 1]);
}

/** The tensors checked, and at least one. */
function checked(op: string, xs: readonly Tensor[]): readonly Tensor[] {
  if (!Array.isArray(xs) || xs.length === 0) throw new ValueError(`${op}: needs a non-empty list of tensors`);
  xs.forEach((x, i) => checkTensor(op, x, `tensors[${i}]`));
  return xs;
}

/** concat of `raised` along `axis`, its shape error naming `op` and every shape given. */
function joined(op: string, xs: readonly Tensor[], raised: Tensor[], axis: number): Tensor {
  const other = raised.find((t) => t.rank !== raised[0].rank || t.shape.some((d, i) => i !== axis && d !== raised[0].shape[i]));
  if (other) throw new ShapeError(`${op}: the shapes ${xs.map((x) => formatShape(x.shape)).join(', ')} do not match except along axis ${axis}`);
  return concat(raised, axis);
}

/** The tensors joined column-wise (np.hstack): vectors end to end, higher ranks along axis 1. */
export function hstack(xs: readonly Tensor[]): Tensor {
  const raised = checked('hstack', xs).map(atleast1d);
  return joined('hstack', xs, raised, raised[0].rank === 1 ? 0 : 1);
}

/** The tensors joined row-wise (np.vstack, torch.vstack): vectors as rows, along axis 0. */
export function vstack(xs: readonly Tensor[]): Tensor {
  return joined('vstack', xs, checked('vstack', xs).map(atleast2d), 0);
}

/** The tensors joined depth-wise (np.dstack): raised to 3-D by atleast3d, along axis 2. */
export function dstack(xs: readonly Tensor[]): Tensor {
  return joined('dstack', xs, checked('dstack', xs).map(atleast3d), 2);
}

/** Vectors as the columns of a matrix, matrices as they are, joined along axis 1 (np.column_stack); a scalar is a column of one. */
export function columnStack(xs: readonly Tensor[]): Tensor {
  const raised = checked('columnStack', xs).map((x) => (x.rank >= 2 ? x : reshape(x, [x.size, 1])));
  return joined('columnStack', xs, raised, 1);
}
