// np.linalg.tensorinv and tensorsolve (torch.linalg's too): the inverse and
// the solve of a linear map written as a tensor, whose leading axes index
// its outputs and trailing axes its inputs. Each is the matrix operation on
// the tensor reshaped to a square matrix, and its gradient that one's.
import { tidy } from '../../engine.js';
import { ShapeError, ValueError, formatShape, formatValue } from '../../errors.js';
import { normalizeAxis, sizeOf } from '../../shape.js';
import type { Tensor } from '../../tensor.js';
import { moveaxis } from '../axes.js';
import { reshape } from '../movement.js';
import { checkFloat } from './matrices.js';
import { inv, solve } from './solve.js';

/**
 * The tensor inverse of A (np.linalg.tensorinv, torch.linalg.tensorinv):
 * with A's first `ind` axes its outputs and the rest its inputs (their
 * sizes' products equal), the tensor of shape A.shape[ind:] +
 * A.shape[:ind] that undoes it, so tensordot(inverse, A, ind) is the
 * identity. inv's errors and gradient.
 */
export function tensorinv(A: Tensor, ind = 2): Tensor {
  const a = checkFloat('tensorinv', A, 'A');
  if (!Number.isInteger(ind) || ind < 1 || ind >= a.rank + 1) throw new ValueError(`tensorinv: ind must be an integer from 1 to A's rank ${a.rank}, got ${formatValue(ind)}`);
  const [outputs, inputs] = [a.shape.slice(0, ind), a.shape.slice(ind)];
  if (sizeOf(outputs) !== sizeOf(inputs)) {
    throw new ShapeError(`tensorinv: A ${formatShape(a.shape)} is not invertible as a map: its first ${ind} axes ${formatShape(outputs)} hold ${sizeOf(outputs)} entries and the rest ${formatShape(inputs)} ${sizeOf(inputs)}; they must be equal`);
  }
  return tidy(() => reshape(inv(reshape(a, [sizeOf(outputs), sizeOf(inputs)])), [...inputs, ...outputs]));
}

/**
 * The X that solves tensordot(A, X, X.rank) = B (np.linalg.tensorsolve,
 * torch.linalg.tensorsolve): A's leading axes are B's shape and its
 * trailing axes X's, their sizes' products equal. `axes` (their `dims`:
 * any of A's axes, distinct) are moved to A's end first, in the order
 * given, as the unknowns' last axes. solve's errors and gradient, on A and
 * B reshaped to a square matrix and a vector.
 */
export function tensorsolve(A: Tensor, B: Tensor, axes?: readonly number[]): Tensor {
  let a = checkFloat('tensorsolve', A, 'A');
  const b = checkFloat('tensorsolve', B, 'B');
  return tidy(() => {
    if (axes !== undefined) {
      if (!Array.isArray(axes)) throw new ValueError(`tensorsolve: axes must be a list of A's axes, got ${formatValue(axes)}`);
      const moved = axes.map((d: number) => normalizeAxis('tensorsolve', d, a.rank));
      if (new Set(moved).size !== moved.length) throw new ValueError(`tensorsolve: axes ${formatValue(axes)} name an axis of A ${formatShape(a.shape)} twice`);
      a = moveaxis(a, moved, moved.map((_, i) => a.rank - moved.length + i));
    }
    const leading = a.shape.slice(0, b.rank);
    if (b.rank > a.rank || leading.some((d, i) => d !== b.shape[i])) {
      throw new ShapeError(`tensorsolve: A ${formatShape(a.shape)} must begin with B's shape ${formatShape(b.shape)}${axes ? ` once axes ${formatValue(axes)} are moved to its end` : ''}: its leading axes are the equations, its trailing ones the unknowns`);
    }
    const unknowns = a.shape.slice(b.rank);
    if (sizeOf(unknowns) !== b.size) {
      throw new ShapeError(`tensorsolve: A ${formatShape(a.shape)} has ${b.size} equations (B ${formatShape(b.shape)}) but ${sizeOf(unknowns)} unknowns (its trailing axes ${formatShape(unknowns)}); they must be as many`);
    }
    return reshape(solve(reshape(a, [b.size, b.size]), reshape(b, [b.size])), unknowns);
  });
}
