// NumPy's named contractions: dot, inner and vdot, each one tensordot
// (a matmul) over the axes its convention pairs, or a multiply where an
// operand is a scalar. Gradients and dtypes are tensordot's.
import { ShapeError, formatShape } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { tensordot } from './einsum.js';
import { mul } from './elementwise.js';
import { reshape } from './movement.js';
import { checkTensor } from './util.js';

/** The two operands checked, and the sizes of the axes a contraction pairs compared, naming `op`, both shapes and `rule`. */
function pairable(op: string, a: Tensor, b: Tensor, axisA: number, axisB: number, rule: string): void {
  checkTensor(op, a, 'a');
  checkTensor(op, b, 'b');
  if (a.rank > 0 && b.rank > 0 && a.shape.at(axisA) !== b.shape.at(axisB)) {
    throw new ShapeError(`${op}: a ${formatShape(a.shape)} and b ${formatShape(b.shape)} do not line up: ${rule} (${a.shape.at(axisA)} against ${b.shape.at(axisB)})`);
  }
}

/**
 * np.dot: a scalar operand multiplies; two vectors give their inner product;
 * otherwise the sum over a's last axis and b's second to last (b's only
 * axis, for a vector): matmul for matrices, and a's other axes, then b's,
 * in the result.
 */
export function dot(a: Tensor, b: Tensor): Tensor {
  const axisB = b.rank >= 2 ? -2 : -1;
  pairable('dot', a, b, -1, axisB, `a's last axis is summed against b's ${b.rank >= 2 ? 'second to last' : 'only'} axis`);
  if (a.rank === 0 || b.rank === 0) return mul(a, b);
  return tensordot(a, b, [[a.rank - 1], [b.rank + axisB]]);
}

/** np.inner, torch.inner: the sum over the last axes of both (a scalar operand multiplies); the result has a's other axes, then b's. */
export function inner(a: Tensor, b: Tensor): Tensor {
  pairable('inner', a, b, -1, -1, 'their last axes are summed together');
  if (a.rank === 0 || b.rank === 0) return mul(a, b);
  return tensordot(a, b, [[a.rank - 1], [b.rank - 1]]);
}

/** np.vdot for real values: both flattened, the sum of their products (a scalar); they must have as many entries. */
export function vdot(a: Tensor, b: Tensor): Tensor {
  checkTensor('vdot', a, 'a');
  checkTensor('vdot', b, 'b');
  if (a.size !== b.size) throw new ShapeError(`vdot: a ${formatShape(a.shape)} and b ${formatShape(b.shape)} have ${a.size} and ${b.size} entries; flattened, they must be as long`);
  return tensordot(reshape(a, [a.size]), reshape(b, [b.size]), 1);
}
