// Diagonals and the products built on them: diagonal (torch.diagonal,
// np.diagonal), diag (a vector onto a matrix's diagonal, or a matrix's
// diagonal back), diagEmbed (diag batched), trace and outer. Each is composed of the ops every backend
// has: a diagonal is one gather from the two axes viewed as one, a vector put
// on a diagonal one gather whose off-diagonal indices read 0, an outer
// product a broadcast mul. Gradients come from those ops (gather's
// scatter-add puts dy back on the diagonal).
import { tidy } from '../engine.js';
import { ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import { normalizeAxis } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { tensor } from './creation.js';
import { mul } from './elementwise.js';
import { moveaxis } from './axes.js';
import { gather, gatherOrZero, reshape, transpose } from './movement.js';
import { sum } from './reduce.js';
import { checkTensor, onBackendOf } from './util.js';

export interface DiagonalOptions {
  /** Which diagonal: 0 the main one (the default), k > 0 k above it, k < 0 below it. */
  offset?: number;
  /** The axis the diagonal's rows run along. Default 0. */
  axis1?: number;
  /** The axis its columns run along. Default 1. */
  axis2?: number;
}

const DIAGONAL_OPTIONS: OptionNames<DiagonalOptions> = { offset: true, axis1: true, axis2: true };

function checkOffset(op: string, offset: unknown): number {
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset)) throw new ValueError(`${op}: offset must be an integer, got ${formatValue(offset)}`);
  return offset;
}

/**
 * The entries x[…, i, …, i + offset, …] of the matrices x holds in axes
 * `axis1` and `axis2` (torch.diagonal, np.diagonal): those two axes are
 * dropped and the diagonal, as long as it is (0 when the offset passes the
 * matrix), becomes the last axis. A copy, unlike NumPy's and PyTorch's views.
 */
export function diagonal(x: Tensor, options: DiagonalOptions = {}): Tensor {
  checkTensor('diagonal', x);
  const { order, planes, positions } = diagonalLayout('diagonal', x, options, 'to take a diagonal of');
  return tidy(() => gather(reshape(transpose(x, order), planes), onBackendOf('diagonal', x, () => tensor(Int32Array.from(positions))), -1));
}

/** Where a diagonal of x lies: what diagonal reads and diagonalScatter writes. */
export interface DiagonalLayout {
  /** The options, checked: the offset, and the two axes made non-negative. */
  offset: number;
  axis1: number;
  axis2: number;
  /** x's axes with the two moved last (free where they are already), as transpose takes them. */
  order: number[];
  /** The transposed x with the two axes read as one of rows·columns entries. */
  planes: number[];
  /** The flat positions in that last axis of the diagonal's entries: the k-th at (row + k)·columns + column + k. */
  positions: number[];
  /** The diagonal's shape: x's other axes, then its length (0 where the offset passes the matrix). */
  shape: number[];
}

/** The layout of diagonal `offset` of the matrices x holds in axes axis1 and axis2, the options checked for `op` (x must have two axes `purpose`). */
export function diagonalLayout(op: string, x: Tensor, options: DiagonalOptions, purpose: string): DiagonalLayout {
  const { offset = 0, axis1 = 0, axis2 = 1 } = checkOptions(op, options, DIAGONAL_OPTIONS);
  checkOffset(op, offset);
  if (x.rank < 2) throw new ShapeError(`${op}: x must have two axes or more ${purpose}, got ${formatShape(x.shape)}`);
  const a1 = normalizeAxis(op, axis1, x.rank);
  const a2 = normalizeAxis(op, axis2, x.rank);
  if (a1 === a2) throw new ShapeError(`${op}: axis1 ${axis1} and axis2 ${axis2} are the same axis of ${formatShape(x.shape)}`);
  const [rows, columns] = [x.shape[a1], x.shape[a2]];
  const [row, column] = [Math.max(-offset, 0), Math.max(offset, 0)];
  const length = Math.max(0, Math.min(rows - row, columns - column));
  const rest = x.shape.flatMap((_, i) => (i === a1 || i === a2 ? [] : [i]));
  const others = rest.map((i) => x.shape[i]);
  return {
    offset, axis1: a1, axis2: a2,
    order: [...rest, a1, a2],
    planes: [...others, rows * columns],
    positions: Array.from({ length }, (_, k) => (row + k) * columns + column + k),
    shape: [...others, length],
  };
}

/**
 * torch.diag and np.diag: a vector x [n] becomes the matrix
 * [n + |offset|, n + |offset|] with x on diagonal `offset` and zeros
 * elsewhere; a matrix gives its diagonal `offset` (as diagonal does).
 */
export function diag(x: Tensor, offset = 0): Tensor {
  checkTensor('diag', x);
  checkOffset('diag', offset);
  if (x.rank === 2) return diagonal(x, { offset });
  if (x.rank !== 1) throw new ShapeError(`diag: x must be a vector (to put on a diagonal) or a matrix (to take one from), got ${formatShape(x.shape)}`);
  return tidy(() => gatherOrZero(x, onBackendOf('diag', x, () => onDiagonal(x.shape[0], offset)), 0));
}

/** x flattened and put on diagonal `offset` of a square matrix of zeros (torch.diagflat, np.diagflat): diag of reshape(x, [-1]). */
export function diagflat(x: Tensor, offset = 0): Tensor {
  checkTensor('diagflat', x);
  checkOffset('diagflat', offset);
  return tidy(() => diag(reshape(x, [x.size]), offset));
}

/**
 * The indices that put a vector of n entries on diagonal `offset` of a
 * square matrix [n + |offset|, n + |offset|], for gatherOrZero: entry
 * (i, j) reads x[min(i, j)] on the diagonal (j − i = offset) and index n,
 * past x's end, elsewhere: a 0.
 */
function onDiagonal(n: number, offset: number): Tensor {
  const m = n + Math.abs(offset);
  const at = new Int32Array(m * m).fill(n);
  for (let k = 0; k < n; k++) at[(k + Math.max(-offset, 0)) * m + k + Math.max(offset, 0)] = k;
  return tensor(at, [m, m]);
}

/**
 * torch.diag_embed: each vector along x's last axis [..., n] put on
 * diagonal `offset` of a square matrix of zeros [n + |offset|, n + |offset|],
 * whose rows and columns become the result's axes axis1 and axis2 (default
 * the last two). diag batched; diagonal (with the same options) reads it
 * back. Any dtype, the values moved bit for bit.
 */
export function diagEmbed(x: Tensor, options: DiagonalOptions = {}): Tensor {
  checkTensor('diagEmbed', x);
  const { offset = 0, axis1 = -2, axis2 = -1 } = checkOptions('diagEmbed', options, DIAGONAL_OPTIONS);
  checkOffset('diagEmbed', offset);
  if (x.rank === 0) throw new ShapeError('diagEmbed: x is a scalar: it needs a last axis to put on a diagonal');
  const rank = x.rank + 1;
  const a1 = normalizeAxis('diagEmbed', axis1, rank);
  const a2 = normalizeAxis('diagEmbed', axis2, rank);
  if (a1 === a2) throw new ShapeError(`diagEmbed: axis1 ${axis1} and axis2 ${axis2} are the same axis of the result (rank ${rank})`);
  return tidy(() => {
    const matrices = gatherOrZero(x, onBackendOf('diagEmbed', x, () => onDiagonal(x.shape[x.rank - 1], offset)), -1);
    return moveaxis(matrices, [rank - 2, rank - 1], [a1, a2]);
  });
}

/** The sum of a matrix's main diagonal (torch.trace); ints sum in i32, as sum's do. */
export function trace(x: Tensor): Tensor {
  checkTensor('trace', x);
  if (x.rank !== 2) throw new ShapeError(`trace: x must be a matrix, got ${formatShape(x.shape)}`);
  return tidy(() => sum(diagonal(x)));
}

/**
 * The outer product of vectors a [n] and b [m] (torch.outer, np.outer):
 * [n, m] with a[i]·b[j] at (i, j), a broadcast mul, so in mul's dtype.
 */
export function outer(a: Tensor, b: Tensor): Tensor {
  checkTensor('outer', a, 'a');
  checkTensor('outer', b, 'b');
  if (a.rank !== 1 || b.rank !== 1) throw new ShapeError(`outer: a and b must be vectors, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  return tidy(() => mul(reshape(a, [a.size, 1]), reshape(b, [1, b.size])));
}
