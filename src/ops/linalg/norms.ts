// What torch.linalg builds on the SVD, and the norms: pinv, matrixRank and
// cond from singular values (svd.ts), matrixNorm from them or from sums of
// |A| along an axis, vectorNorm from tm.norm (ops/norms.ts) and the
// reductions. The tolerances follow torch.linalg: a singular value counts
// where it is > max(atol, rtol·σ_max), rtol by default eps·max(m, n) for
// the input's dtype (0 once atol is given).
import { tidy } from '../../engine.js';
import { ShapeError, ValueError, formatShape, formatValue } from '../../errors.js';
import { epsilonOf, floatDTypeOf } from '../../dtype.js';
import { normalizeAxis } from '../../shape.js';
import { checkOptions, type OptionNames } from '../../options.js';
import { noGrad } from '../../tape.js';
import type { Tensor } from '../../tensor.js';
import { cast } from '../cast.js';
import { zeros } from '../creation.js';
import { abs, div, greater, maximum, mul, notEqual, pow, where } from '../elementwise.js';
import { matmul } from '../matmul.js';
import { moveaxis } from '../axes.js';
import { expandDims, reshape } from '../movement.js';
import { norm } from '../norms.js';
import { max, min, sum } from '../reduce.js';
import { checkTensor, onBackendOf } from '../util.js';
import { castTo, checkSquare, inF32, matrixTranspose } from './matrices.js';
import { eigh, eigvalsh } from './eigh.js';
import { invEx } from './solve.js';
import { checkMatrix, decomposeSvd } from './svd.js';

/** The options of pinv and matrixRank (torch.linalg's). */
export interface RankOptions {
  /** Singular values ≤ atol count as zero (default 0). */
  atol?: number;
  /** Singular values ≤ rtol·σ_max count as zero (default eps·max(m, n) for A's dtype, or 0 where atol is given). */
  rtol?: number;
  /**
   * A is symmetric (default false): its singular values are its
   * eigenvalues' magnitudes, taken from eigh of its lower triangle (only
   * that triangle read), which is cheaper than the SVD. A must be square.
   */
  hermitian?: boolean;
}

const RANK_OPTIONS: OptionNames<RankOptions> = { atol: true, rtol: true, hermitian: 'boolean' };

/** The checked tolerances: σ counts where σ > max(atol, rtol·σ_max); and whether A is symmetric (then square). */
function tolerances(op: string, A: Tensor, options: RankOptions): { atol: number; rtol: number; hermitian: boolean } {
  const given = checkOptions(op, options, RANK_OPTIONS);
  const hermitian = given.hermitian ?? false;
  if (hermitian) checkSquare(op, A);
  for (const name of ['atol', 'rtol'] as const) {
    const v = given[name];
    if (v !== undefined && !(typeof v === 'number' && v >= 0 && v < Infinity)) throw new ValueError(`${op}: ${name} must be a finite number ≥ 0, got ${formatValue(v)}`);
  }
  const [m, n] = A.shape.slice(-2);
  const atol = given.atol ?? 0;
  const rtol = given.rtol ?? (given.atol !== undefined && given.atol > 0 ? 0 : epsilonOf(A.dtype) * Math.max(m, n));
  return { atol, rtol, hermitian };
}

/**
 * Which singular values of s [..., k] count: s > max(atol, rtol·σ_max). A
 * mask, through which no gradient flows: computed unrecorded, or the
 * threshold's ops would hold what they save until the collector ran.
 */
export function counted(s: Tensor, { atol, rtol }: { atol: number; rtol: number }): Tensor {
  return noGrad(() => greater(s, maximum(mul(max(s, -1, { keepDims: true }), rtol), atol)));
}

/** 1/σ where σ counts (`keep`), 0 elsewhere, its gradient 0 there (not 0·∞): Σ⁺'s diagonal, pinv's and lstsq's. */
export function pseudoReciprocal(s: Tensor, keep: Tensor): Tensor {
  return where(keep, div(1, where(keep, s, 1)), 0);
}

/** How many singular values count in each matrix, from counted's mask: [...] (i32), no gradient. */
export function rankOf(keep: Tensor): Tensor {
  return noGrad(() => sum(cast(keep, 'i32'), -1));
}

/** A matrix or batch with no rows or no columns: k = 0, nothing to reduce. */
const empty = (A: Tensor) => Math.min(...A.shape.slice(-2)) === 0;

/**
 * The Moore–Penrose pseudo-inverse of each matrix of A [..., m, n]: [..., n,
 * m] (torch.linalg.pinv, np.linalg.pinv), Vhᵀ·diag(1/σ)·Uᵀ from A's SVD with
 * the singular values that do not count (≤ max(atol, rtol·σ_max)) left out.
 * In f32 (f16 cast in and the result back). `hermitian`: V·diag(1/λ)·Vᵀ
 * from eigh instead, A symmetric (its lower triangle read). Differentiable
 * through the SVD (or eigh): where A has full rank and distinct singular
 * values (eigenvalues); with `hermitian` the gradient is eigh's, symmetric
 * (the gradient for perturbations that keep A symmetric), where PyTorch's
 * is not symmetrized.
 */
export function pinv(A: Tensor, options: RankOptions = {}): Tensor {
  checkMatrix('pinv', A);
  const tol = tolerances('pinv', A, options);
  const [m, n] = A.shape.slice(-2);
  if (empty(A)) return onBackendOf('pinv', A, () => zeros([...A.shape.slice(0, -2), n, m], { dtype: A.dtype }));
  return tidy(() => {
    if (tol.hermitian) {
      // A = V·diag(λ)·Vᵀ, so A⁺ = V·diag(1/λ)·Vᵀ over the λ whose |λ| counts.
      const { values, vectors } = eigh(inF32(A));
      const inverse = pseudoReciprocal(values, counted(abs(values), tol));
      return castTo(matmul(mul(vectors, expandDims(inverse, -2)), vectors, { transposeB: true }), A.dtype);
    }
    const { u, s, vh } = decomposeSvd('pinv', inF32(A), true);
    const inverse = pseudoReciprocal(s, counted(s, tol));
    return castTo(matmul(mul(matrixTranspose(vh), expandDims(inverse, -2)), u, { transposeB: true }), A.dtype);
  });
}

/**
 * The rank of each matrix of A [..., m, n]: [...] (i32), the number of its
 * singular values > max(atol, rtol·σ_max) (torch.linalg.matrix_rank);
 * with `hermitian`, of its eigenvalues' magnitudes.
 */
export function matrixRank(A: Tensor, options: RankOptions = {}): Tensor {
  checkMatrix('matrixRank', A);
  const tol = tolerances('matrixRank', A, options);
  if (empty(A)) return onBackendOf('matrixRank', A, () => zeros(A.shape.slice(0, -2), { dtype: 'i32' }));
  // An integer count, with no gradient: nothing recorded.
  return noGrad(() => tidy(() => rankOf(counted(tol.hermitian ? abs(eigvalsh(inF32(A))) : decomposeSvd('matrixRank', inF32(A), false).s, tol))));
}

/** matrixNorm's orders: Frobenius, nuclear, the largest and smallest singular value, the largest and smallest column (1) and row (∞) sums of |A|. */
export type MatrixNormOrder = 'fro' | 'nuc' | 2 | -2 | 1 | -1 | typeof Infinity | typeof Number.NEGATIVE_INFINITY;

const MATRIX_ORDERS: readonly MatrixNormOrder[] = ['fro', 'nuc', 2, -2, 1, -1, Infinity, -Infinity];

/** matrixNorm's options. */
export interface MatrixNormOptions {
  /** The two axes holding the matrices, rows then columns (default [−2, −1], torch's dim). */
  axis?: readonly [number, number];
  /** Keep the reduced axes with size 1 (default false). */
  keepDims?: boolean;
}

/**
 * The matrix norm of each matrix of A [..., m, n] (torch.linalg.matrix_norm):
 * 'fro' (default) √Σa², 'nuc' Σσ, 2 and −2 the largest and smallest
 * singular values, 1 and −1 the largest and smallest Σ|a| of a column,
 * Infinity and −Infinity those of a row. [...] ([..., 1, 1] with keepDims).
 * The matrices are in the last two axes, or in the two `axis` names (rows
 * first; the result has A's other axes in their order, and keepDims leaves
 * 1 in the two). Differentiable; the singular-value orders through
 * svdvals. Ints give f32.
 */
export function matrixNorm(A: Tensor, ord: MatrixNormOrder = 'fro', options: MatrixNormOptions = {}): Tensor {
  const a = checkTensor('matrixNorm', A);
  const { axis, keepDims = false } = checkOptions('matrixNorm', options, { axis: true, keepDims: 'boolean' });
  if (!MATRIX_ORDERS.includes(ord)) throw new ValueError(`matrixNorm: ord must be 'fro', 'nuc', 2, -2, 1, -1, Infinity or -Infinity, got ${formatValue(ord)}`);
  if (a.rank < 2) throw new ShapeError(`matrixNorm: A must be a matrix or a batch of them [..., m, n], got ${formatShape(a.shape)}`);
  if (axis !== undefined) {
    if (!Array.isArray(axis) || axis.length !== 2) throw new ValueError(`matrixNorm: axis must be two axes [rows, columns], got ${formatValue(axis)}`);
    const [rows, cols] = axis.map((d: number) => normalizeAxis('matrixNorm', d, a.rank));
    if (rows === cols) throw new ValueError(`matrixNorm: axis ${formatValue(axis)} names axis ${rows} of ${formatShape(a.shape)} twice; a matrix needs two different axes`);
    if (rows !== a.rank - 2 || cols !== a.rank - 1) {
      return tidy(() => {
        const y = matrixNorm(moveaxis(a, [rows, cols], [-2, -1]), ord);
        return keepDims ? reshape(y, a.shape.map((d, i) => (i === rows || i === cols ? 1 : d))) : y;
      });
    }
  }
  return tidy(() => {
    const fa = a.dtype === floatDTypeOf(a.dtype) ? a : cast(a, floatDTypeOf(a.dtype));
    if (ord === 'fro') return norm(fa, [-2, -1], { keepDims });
    if (ord === 1 || ord === -1 || ord === Infinity || ord === -Infinity) {
      // Sums down the columns (1) or along the rows (∞), then their largest or smallest.
      const sums = sum(abs(fa), Math.abs(ord) === 1 ? -2 : -1, { keepDims: true });
      const pick = ord > 0 ? max : min;
      return pick(sums, [-2, -1], { keepDims });
    }
    if (empty(fa)) throw new ShapeError(`matrixNorm: ord ${formatValue(ord)} needs singular values, and A ${formatShape(a.shape)} has none`);
    const s = decomposeSvd('matrixNorm', inF32(fa), false).s;
    const reduced = castTo(ord === 'nuc' ? sum(s, -1) : ord === 2 ? max(s, -1) : min(s, -1), fa.dtype);
    return keepDims ? expandDims(expandDims(reduced, -1), -1) : reduced;
  });
}

/** vectorNorm's options. */
export interface VectorNormOptions {
  /** The axis or axes to reduce (default all of them). */
  axis?: number | readonly number[];
  /** Keep the reduced axes with size 1 (default false). */
  keepDims?: boolean;
}

/**
 * The vector norm of x over `axis` (all axes by default), torch.linalg.vector_norm:
 * (Σ|x|^ord)^(1/ord) for a finite ord ≠ 0 (2 by default), max |x| for
 * Infinity, min |x| for −Infinity, the count of nonzero entries for 0.
 * Ints give f32. Differentiable, but for ord 0 (a count, through which no
 * gradient flows); an ord below 1 gives ∞ or NaN at a zero entry, as |x|^ord does.
 */
export function vectorNorm(x: Tensor, ord = 2, options: VectorNormOptions = {}): Tensor {
  checkTensor('vectorNorm', x);
  const { axis, keepDims = false } = checkOptions('vectorNorm', options, { axis: true, keepDims: 'boolean' });
  if (typeof ord !== 'number' || Number.isNaN(ord)) throw new ValueError(`vectorNorm: ord must be a number (Infinity and −Infinity included), got ${formatValue(ord)}`);
  if (ord === 1 || ord === 2 || ord === Infinity) return norm(x, axis, { ord, keepDims });
  return tidy(() => {
    const fx = x.dtype === floatDTypeOf(x.dtype) ? x : cast(x, floatDTypeOf(x.dtype));
    if (ord === -Infinity) return min(abs(fx), axis, { keepDims });
    if (ord === 0) return sum(cast(notEqual(fx, 0), fx.dtype), axis, { keepDims });
    return pow(sum(pow(abs(fx), ord), axis, { keepDims }), 1 / ord);
  });
}

/**
 * The condition number of each matrix of A [..., m, n] in the norm `p`
 * (torch.linalg.cond, np.linalg.cond): [...], 0 for an empty matrix as
 * PyTorch's. For p 2 (the default) the
 * ratio σ_max/σ_min of A's singular values, any m and n, ∞ where A is
 * singular (NaN for a zero matrix, 0/0, as torch); −2 its reciprocal. For
 * p 'fro', 'nuc', ±1 or ±Infinity, ‖A‖_p·‖A⁻¹‖_p with matrixNorm's norms, A
 * square, and ∞ where A is singular (its LU factors with a zero pivot, as
 * torch's inv_ex finds it). In f32 (f16 cast in and the result back).
 * Differentiable through svdvals, or inv and matrixNorm.
 */
export function cond(A: Tensor, p: MatrixNormOrder = 2): Tensor {
  checkMatrix('cond', A);
  if (!MATRIX_ORDERS.includes(p)) throw new ValueError(`cond: p must be 'fro', 'nuc', 2, -2, 1, -1, Infinity or -Infinity, got ${formatValue(p)}`);
  // No rows or no columns: 0, as PyTorch gives (an empty product of nothing to condition).
  if (empty(A)) return onBackendOf('cond', A, () => zeros(A.shape.slice(0, -2), { dtype: A.dtype }));
  if (p === 2 || p === -2) {
    return tidy(() => {
      const s = decomposeSvd('cond', inF32(A), false).s;
      const [largest, smallest] = [max(s, -1), min(s, -1)];
      return castTo(p === 2 ? div(largest, smallest) : div(smallest, largest), A.dtype);
    });
  }
  const [m, n] = A.shape.slice(-2);
  if (m !== n) throw new ShapeError(`cond: p ${formatValue(p)} needs A⁻¹, and A ${formatShape(A.shape)} is not square (only p 2 and −2 take any matrix)`);
  return tidy(() => {
    const a = inF32(A);
    const { inverse, info } = invEx(a);
    const product = mul(matrixNorm(a, p), matrixNorm(inverse, p));
    return castTo(where(greater(info, 0), Infinity, product), A.dtype);
  });
}
