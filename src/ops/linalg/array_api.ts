// The names torch.linalg and NumPy 2's np.linalg (the array API standard's
// linalg extension) have beside the factorizations: cross, diagonal, matmul,
// norm, vander, matrixTranspose, outer, trace and tensordot. Code written
// against either namespace finds them under tm.linalg, with linalg's
// conventions, which are not always the top-level ops' own: linalg works on
// the LAST axes of a batch (diagonal and trace read the last two, where
// tm.diagonal and tm.trace read the first two of a matrix), vander rises in
// powers and takes batches (tm.vander falls, NumPy's way, on one vector),
// cross broadcasts batch axes of different ranks, and norm dispatches
// between vectorNorm and matrixNorm as torch.linalg.norm does. Each is a
// composition of the top-level ops (ops/products.ts, diagonal.ts, grids.ts,
// einsum.ts, matmul.ts) and of vectorNorm and matrixNorm (norms.ts), so
// differentiable wherever those are.
import { tidy } from '../../engine.js';
import { ShapeError, ValueError, formatShape, formatValue } from '../../errors.js';
import { checkOptions, type OptionNames } from '../../options.js';
import { normalizeAxis } from '../../shape.js';
import type { Tensor } from '../../tensor.js';
import { swapaxes } from '../axes.js';
import { ones, tensor, zeros } from '../creation.js';
import { diagonalLayout } from '../diagonal.js';
import { broadcastTo, concat, cumprod, expandDims, gather, reshape, transpose } from '../movement.js';
import { cross as crossAlong } from '../products.js';
import { sum } from '../reduce.js';
import { checkTensor, onBackendOf } from '../util.js';
import { matrixNorm, vectorNorm, type MatrixNormOrder } from './norms.js';

/** np.linalg.matmul, torch.linalg.matmul: tm.matmul itself. */
export { matmul } from '../matmul.js';
/** np.linalg.tensordot: tm.tensordot itself. */
export { tensordot } from '../einsum.js';
/** np.linalg.outer: tm.outer itself, which takes vectors only, as np.linalg.outer does (np.outer flattens). */
export { outer } from '../diagonal.js';

/** linalg.cross's options. */
export interface CrossOptions {
  /** The axis holding the 3-vectors (default −1, the last; negative where a and b differ in rank). */
  axis?: number;
}

const CROSS_OPTIONS: OptionNames<CrossOptions> = { axis: true };

/**
 * a × b for the 3-vectors a and b hold along `axis` (torch.linalg.cross,
 * np.linalg.cross): both must have size 3 there (no broadcasting along it),
 * and their other (batch) axes broadcast, NumPy's way, a lower rank padded
 * with leading axes of size 1 (torch asks for equal ranks; the array API
 * allows them to differ, with a negative axis, which names the same axis of
 * both). In the dtype the two promote to; differentiable in both.
 */
export function cross(a: Tensor, b: Tensor, options: CrossOptions = {}): Tensor {
  const op = 'linalg.cross';
  checkTensor(op, a, 'a');
  checkTensor(op, b, 'b');
  const { axis = -1 } = checkOptions(op, options, CROSS_OPTIONS);
  const shapes = `a ${formatShape(a.shape)} and b ${formatShape(b.shape)}`;
  if (a.rank === 0 || b.rank === 0) throw new ShapeError(`${op}: ${shapes} must both hold 3-vectors along an axis (a scalar has none)`);
  if (a.rank !== b.rank && Number.isInteger(axis) && axis >= 0) {
    throw new ShapeError(`${op}: ${shapes} differ in rank, so axis ${axis} would name different axes of the two: give it counted from the end (negative)`);
  }
  const rank = Math.max(a.rank, b.rank);
  // A negative axis must lie in both; a non-negative one (equal ranks) in either.
  const k = normalizeAxis(op, axis, Math.min(a.rank, b.rank)) + rank - Math.min(a.rank, b.rank);
  const padded = [a, b].map((t) => [...new Array<number>(rank - t.rank).fill(1), ...t.shape]);
  if (padded[0][k] !== 3 || padded[1][k] !== 3) {
    throw new ShapeError(`${op}: ${shapes} must both have size 3 along axis ${axis}, the vectors' (got ${padded[0][k]} and ${padded[1][k]})`);
  }
  padded[0].forEach((d, i) => {
    const e = padded[1][i];
    if (d !== e && d !== 1 && e !== 1) throw new ShapeError(`${op}: the batch axes of ${shapes} do not broadcast (axis ${i - rank}: ${d} against ${e})`);
  });
  return tidy(() => crossAlong(a.rank === rank ? a : reshape(a, padded[0]), b.rank === rank ? b : reshape(b, padded[1]), { axis: k }));
}

/** linalg.diagonal's options: tm.diagonal's names, with the last two axes by default. */
export interface DiagonalOptions {
  /** Which diagonal: 0 the main one (the default), k > 0 k above it, k < 0 below it. */
  offset?: number;
  /** The axis the diagonal's rows run along. Default −2. */
  axis1?: number;
  /** The axis its columns run along. Default −1. */
  axis2?: number;
}

const DIAGONAL_OPTIONS: OptionNames<DiagonalOptions> = { offset: true, axis1: true, axis2: true };

/** Checks that A has two axes or more for `op`. */
function checkMatrices(op: string, A: Tensor): void {
  checkTensor(op, A, 'A');
  if (A.rank < 2) throw new ShapeError(`${op}: A must be a matrix or a batch of them [..., m, n], got ${formatShape(A.shape)}`);
}

/**
 * The diagonal `offset` of each matrix of A (torch.linalg.diagonal,
 * np.linalg.diagonal): [..., length], the matrices in the LAST two axes by
 * default (axis1 −2, axis2 −1), where tm.diagonal takes the first two
 * (NumPy's np.diagonal). The two axes are dropped and the diagonal becomes
 * the last axis; its length is 0 where the offset passes the matrix. A
 * copy; differentiable.
 */
export function diagonal(A: Tensor, options: DiagonalOptions = {}): Tensor {
  const op = 'linalg.diagonal';
  checkMatrices(op, A);
  const { offset = 0, axis1 = -2, axis2 = -1 } = checkOptions(op, options, DIAGONAL_OPTIONS);
  return diagonalOf(op, A, { offset, axis1, axis2 }, 'to take a diagonal of');
}

/** The diagonal along the axes `layout` names, as the last axis, refused in `op`'s name where A has no such axes (`purpose` says what for). */
function diagonalOf(op: string, A: Tensor, layout: Required<DiagonalOptions>, purpose: string): Tensor {
  const { order, planes, positions } = diagonalLayout(op, A, layout, purpose);
  return tidy(() => gather(reshape(transpose(A, order), planes), onBackendOf(op, A, () => tensor(Int32Array.from(positions))), -1));
}

/** linalg.trace's options. */
export interface TraceOptions {
  /** Which diagonal to sum: 0 the main one (the default), k > 0 k above it, k < 0 below it. */
  offset?: number;
}

const TRACE_OPTIONS: OptionNames<TraceOptions> = { offset: true };

/**
 * The sum of diagonal `offset` of each matrix of A [..., m, n]: [...]
 * (np.linalg.trace), over the last two axes, where tm.trace takes one
 * matrix. 0 where the offset passes the matrix; ints sum in i32, as sum's
 * do. Differentiable.
 */
export function trace(A: Tensor, options: TraceOptions = {}): Tensor {
  const op = 'linalg.trace';
  checkMatrices(op, A);
  const { offset = 0 } = checkOptions(op, options, TRACE_OPTIONS);
  return tidy(() => sum(diagonalOf(op, A, { offset, axis1: -2, axis2: -1 }, 'to take a trace of'), -1));
}

/**
 * Each matrix of A [..., m, n] transposed: [..., n, m], the last two axes
 * swapped (np.linalg.matrix_transpose, torch's A.mT). A view's worth of
 * work (a transpose); differentiable.
 */
export function matrixTranspose(A: Tensor): Tensor {
  checkMatrices('linalg.matrixTranspose', A);
  return swapaxes(A, -2, -1);
}

/** linalg.vander's options. */
export interface VanderOptions {
  /** The number of columns, powers x⁰ … x^(n−1) (default: x's last axis's size). */
  n?: number;
}

const VANDER_OPTIONS: OptionNames<VanderOptions> = { n: true };

/**
 * The Vandermonde matrices of the vectors along x's last axis
 * (torch.linalg.vander): x [..., k] gives [..., k, n] with column j x^j,
 * powers RISING from x⁰ = 1 (tm.vander and np.vander fall, by default,
 * and take one vector); a scalar counts as a vector of one. The powers are
 * running products, exact for ints (wrapping as products do); gradients
 * flow to x. n may be 0 or 1 (torch refuses n < 2): no columns, or the
 * column of ones.
 */
export function vander(x: Tensor, options: VanderOptions = {}): Tensor {
  const op = 'linalg.vander';
  checkTensor(op, x);
  const shape = x.rank === 0 ? [1] : x.shape;
  const { n = shape[shape.length - 1] } = checkOptions(op, options, VANDER_OPTIONS);
  if (!Number.isSafeInteger(n) || n < 0) throw new ValueError(`${op}: n must be a non-negative integer, got ${formatValue(n)}`);
  if (n <= 1) return onBackendOf(op, x, () => (n === 0 ? zeros : ones)([...shape, n], { dtype: x.dtype }));
  return tidy(() => {
    // torch's construction: x¹ … x^(n−1) as running products of x repeated, after a column of ones.
    const powers = cumprod(broadcastTo(expandDims(x.rank === 0 ? reshape(x, [1]) : x, -1), [...shape, n - 1]), -1);
    return concat([onBackendOf(op, x, () => ones([...shape, 1], { dtype: x.dtype })), powers], -1);
  });
}

/** linalg.norm's orders: a vector norm's (any number) or a matrix norm's ('fro', 'nuc', ±1, ±2, ±Infinity). */
export type NormOrder = number | MatrixNormOrder;

/** linalg.norm's options: vectorNorm's. */
export interface NormOptions {
  /** One axis (a vector norm along it) or two (a matrix norm over them); default: see norm. */
  axis?: number | readonly number[];
  /** Keep the reduced axes with size 1 (default false). */
  keepDims?: boolean;
}

const NORM_OPTIONS: OptionNames<NormOptions> = { axis: true, keepDims: 'boolean' };

const MATRIX_ORDERS: readonly unknown[] = ['fro', 'nuc', 2, -2, 1, -1, Infinity, -Infinity];

/**
 * A vector or matrix norm, chosen as torch.linalg.norm chooses (its
 * (A, ord, dim, keepdim) written as tm.linalg writes vectorNorm and
 * matrixNorm: ord second and positional, the axes and keepDims in the
 * options, `axis` as in vectorNorm and vecdot):
 * - `axis` one axis (a number, or a list of one): vectorNorm(A, ord ?? 2) along it;
 * - `axis` two axes: matrixNorm(A, ord ?? 'fro') of the matrices they hold
 *   (rows along the first, columns along the second);
 * - no `axis`, no `ord`: the 2-norm of A flattened, any rank (a scalar too);
 * - no `axis`, `ord` given: A must be a vector (vectorNorm) or a matrix
 *   (matrixNorm); any other rank is an error, as in torch (np.linalg.norm
 *   likewise), where vectorNorm would take the norm of the whole tensor.
 * A vector norm takes any numeric ord (not 'fro' or 'nuc'); a matrix norm
 * 'fro', 'nuc', ±1, ±2 or ±Infinity. Ints give f32. Differentiable, as
 * vectorNorm and matrixNorm are.
 */
export function norm(A: Tensor, ord?: NormOrder, options: NormOptions = {}): Tensor {
  const op = 'linalg.norm';
  checkTensor(op, A, 'A');
  const { axis, keepDims = false } = checkOptions(op, options, NORM_OPTIONS);
  if (ord !== undefined && !MATRIX_ORDERS.includes(ord) && (typeof ord !== 'number' || Number.isNaN(ord))) {
    throw new ValueError(`${op}: ord must be a number (Infinity and −Infinity included), 'fro' or 'nuc', got ${formatValue(ord)}`);
  }
  let axes: number[];
  if (axis === undefined) {
    if (ord === undefined) return vectorNorm(A, 2, { keepDims });
    if (A.rank !== 1 && A.rank !== 2) {
      throw new ShapeError(`${op}: with ord ${formatValue(ord)} and no axis, A must be a vector or a matrix, got ${formatShape(A.shape)} (give the axis or axes to reduce, or leave ord out for the 2-norm of all entries)`);
    }
    axes = A.rank === 1 ? [0] : [0, 1];
  } else {
    axes = typeof axis === 'number' ? [axis] : Array.isArray(axis) ? [...(axis as readonly number[])] : [];
    if (axes.length !== 1 && axes.length !== 2) {
      throw new ValueError(`${op}: axis must be one axis (a vector norm along it) or two (a matrix norm over them), got ${formatValue(axis)}`);
    }
  }
  const [a1, a2] = axes.map((d) => normalizeAxis(op, d, A.rank));
  if (a2 === undefined) {
    if (typeof ord !== 'number' && ord !== undefined) {
      throw new ValueError(`${op}: ord ${formatValue(ord)} is a matrix norm's, and a vector norm (along one axis) takes a number`);
    }
    return vectorNorm(A, ord ?? 2, { axis: a1, keepDims });
  }
  if (ord !== undefined && !MATRIX_ORDERS.includes(ord)) {
    throw new ValueError(`${op}: a matrix norm's ord must be 'fro', 'nuc', 2, -2, 1, -1, Infinity or -Infinity, got ${formatValue(ord)}`);
  }
  if (a1 === a2) throw new ShapeError(`${op}: axis ${formatValue(axis ?? axes)} names axis ${a1} of ${formatShape(A.shape)} twice; a matrix norm needs two different axes`);
  return matrixNorm(A, (ord ?? 'fro') as MatrixNormOrder, { axis: [a1, a2], keepDims });
}
