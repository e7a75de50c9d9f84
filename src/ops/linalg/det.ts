// tm.linalg.det and tm.linalg.slogdet from LU factors: the product of U's
// diagonal, its sign flipped once per row swap. A singular matrix has a 0 on
// U's diagonal (luFactor leaves it there): det 0, slogdet sign 0 and
// log|det| −∞, as NumPy and PyTorch give, on every backend. tm.logdet
// (torch.logdet) is slogdet's log with NaN for a negative determinant.
import { tidy } from '../../engine.js';
import { record } from '../../tape.js';
import type { Tensor } from '../../tensor.js';
import { cast } from '../cast.js';
import { arange } from '../creation.js';
import { abs, less, log, mul, notEqual, remainder, sign, sub, where } from '../elementwise.js';
import { expandDims } from '../movement.js';
import { prod, sum } from '../reduce.js';
import { onBackendOf } from '../util.js';
import { castTo, checkSquare, diagonal, inF32, luFactors, matrixTranspose } from './matrices.js';
import { inverse } from './solve.js';

/** The determinant's sign from the row swaps pivots [..., n] record: (−1)^swaps, f32. */
function swapSign(op: string, pivots: Tensor): Tensor {
  const n = pivots.shape[pivots.rank - 1];
  const steps = onBackendOf(op, pivots, () => arange(0, n, 1, { dtype: 'i32' }));
  const swaps = sum(notEqual(pivots, steps), -1);
  return cast(sub(1, mul(2, remainder(swaps, 2))), 'f32');
}

/**
 * dy (one per matrix) times A⁻ᵀ: the gradient of log|det A| (and of det A,
 * with dy · det). A singular A is refused as `op`'s gradient's, not as inv's,
 * which the caller never called.
 */
function timesInverseTranspose(op: string, dy: Tensor, a: Tensor): Tensor {
  return mul(expandDims(expandDims(dy, -1), -1), matrixTranspose(inverse(`${op}'s gradient`, a)));
}

/**
 * The determinant of each matrix of A [..., n, n] (torch.linalg.det,
 * np.linalg.det): [...], from A's LU factors, in f32 (f16 cast in and the
 * result back). Differentiable: dA = dy · det · A⁻ᵀ, which needs A
 * invertible (a singular A's gradient is an error on js and native).
 */
export function det(A: Tensor): Tensor {
  checkSquare('det', A);
  return tidy(() => {
    const a = inF32(A);
    const { lu, pivots } = luFactors('det', a);
    const y = mul(swapSign('det', pivots), prod(diagonal('det', lu), -1));
    return castTo(record(y, 'det', [a], [a, y], (dy, [sa, sy]) => [timesInverseTranspose('det', mul(dy, sy), sa)]), A.dtype);
  });
}

/** slogdet's result: det A = sign · exp(logAbsDet). */
export interface Slogdet {
  /** −1, 0 (a singular matrix) or 1 per matrix. */
  sign: Tensor;
  /** log |det A| per matrix (−∞ for a singular one). */
  logAbsDet: Tensor;
}

/**
 * The sign and log of the absolute value of the determinant of each matrix
 * of A [..., n, n] (torch.linalg.slogdet, np.linalg.slogdet): a determinant
 * too large or small for a float, such as a large matrix's, kept as its log.
 * From A's LU factors, in f32. logAbsDet is differentiable: dA = dy · A⁻ᵀ.
 */
export function slogdet(A: Tensor): Slogdet {
  checkSquare('slogdet', A);
  return tidy(() => {
    const a = inF32(A);
    const { lu, pivots } = luFactors('slogdet', a);
    const u = diagonal('slogdet', lu);
    const s = mul(swapSign('slogdet', pivots), prod(sign(u), -1));
    const logAbsDet = record(sum(log(abs(u)), -1), 'slogdet', [a], [a], (dy, [sa]) => [timesInverseTranspose('slogdet', dy, sa)]);
    return { sign: castTo(s, A.dtype), logAbsDet: castTo(logAbsDet, A.dtype) };
  });
}

/**
 * log det A for each matrix of A [..., n, n] (torch.logdet): slogdet's
 * logAbsDet where the determinant is positive, NaN where it is negative (no
 * real log) and −∞ where it is 0, in f32 (f16 cast in and the result back).
 * Differentiable as slogdet's logAbsDet (dA = dy · A⁻ᵀ; 0 where the result
 * is NaN, as PyTorch's; a singular A's gradient is an error on js and
 * native, as slogdet's).
 */
export function logdet(A: Tensor): Tensor {
  checkSquare('logdet', A);
  return tidy(() => {
    // slogdet's steps, in logdet's name (a singular A's gradient is refused as logdet's).
    const a = inF32(A);
    const { lu, pivots } = luFactors('logdet', a);
    const u = diagonal('logdet', lu);
    const s = mul(swapSign('logdet', pivots), prod(sign(u), -1));
    const logAbsDet = record(sum(log(abs(u)), -1), 'logdet', [a], [a], (dy, [sa]) => [timesInverseTranspose('logdet', dy, sa)]);
    return castTo(where(less(s, 0), NaN, logAbsDet), A.dtype);
  });
}
