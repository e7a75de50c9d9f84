// tm.linalg.cholesky through the backend's cholesky kernel, with Murray's
// (2016) gradient composed of products and two triangular solves.
import { tidy } from '../../engine.js';
import { checkOptions, type OptionNames } from '../../options.js';
import { noGrad, record } from '../../tape.js';
import type { Tensor } from '../../tensor.js';
import { add, greater, mul } from '../elementwise.js';
import { logicalNot } from '../logical.js';
import { matmul } from '../matmul.js';
import { sizeOf } from '../../shape.js';
import { tril } from '../triangular.js';
import { computed } from '../util.js';
import { castTo, checkSquare, diagonal, firstFailure, inF32, matrixTranspose, refuseNotPositiveDefinite } from './matrices.js';
import { solveMatrices } from './solve.js';
import { linalgOf } from '../../backends/linalg.js';

/**
 * The gradient of A = L·Lᵀ's factor, dA = L⁻ᵀ·Φ·L⁻¹ for Φ the symmetric part
 * of Lᵀ·dL's lower triangle with its diagonal halved (Murray 2016, as
 * PyTorch's cholesky_backward): symmetric, the gradient for a perturbation
 * of A that keeps it symmetric. The inverses are solves with Lᵀ, whose LU
 * factors are Lᵀ itself (nothing below its diagonal to pivot on or eliminate).
 */
function choleskyGrad(l: Tensor, dl: Tensor): Tensor {
  const lower = tril(matmul(l, tril(dl), { transposeA: true }));
  const phi = mul(add(lower, matrixTranspose(tril(lower, -1))), 0.5);
  const lt = matrixTranspose(l);
  const left = solveMatrices('cholesky', lt, phi);
  return matrixTranspose(solveMatrices('cholesky', lt, matrixTranspose(left)));
}

/** cholesky's and choleskyEx's options, torch.linalg's. */
export interface CholeskyOptions {
  /** Give U, upper triangular with A = Uᵀ·U, from A's upper triangle (default false: L, A = L·Lᵀ, from its lower one). */
  upper?: boolean;
}

const OPTIONS: OptionNames<CholeskyOptions> = { upper: 'boolean' };

/**
 * The Cholesky factor L of each matrix of A [..., n, n], symmetric positive
 * definite (torch.linalg.cholesky, np.linalg.cholesky): A = L·Lᵀ, L lower
 * triangular with a positive diagonal, zeros above it. Only A's lower
 * triangle is read; `{ upper: true }` reads its upper one and gives U = Lᵀ,
 * A = Uᵀ·U, as torch's. In f32 (f16 cast in and L back). A matrix that is
 * not positive definite is an error on js and native, naming it; on webgpu,
 * which reads nothing back, its L holds NaN (or ∞): choleskyEx says so on
 * every backend. Differentiable, the gradient symmetric (Murray 2016).
 */
export function cholesky(A: Tensor, options: CholeskyOptions = {}): Tensor {
  checkSquare('cholesky', A);
  const { upper = false } = checkOptions('cholesky', options, OPTIONS);
  return tidy(() => factor('cholesky', A, upper, (l) => refuseNotPositiveDefinite('cholesky', l)));
}

/** choleskyEx's result: the factor and, per matrix, where A failed to be positive definite. */
export interface CholeskyEx {
  /** [..., n, n]: L (or U), as cholesky gives it where A is positive definite; past the failing row (column) unspecified where it is not (NaN on js and native). */
  l: Tensor;
  /** i32 [...] (A's batch shape): 0, or k for the first leading minor, of order k, that is not positive definite. */
  info: Tensor;
}

/**
 * cholesky with, per matrix, LAPACK's info instead of an error
 * (torch.linalg.cholesky_ex): 0 where A is positive definite, else the
 * order k of its first leading minor that is not (L from row k − 1 on is
 * then unspecified: NaN on js and native). Worked out on the backend, nothing read back, so it is the
 * way to learn on webgpu whether A was positive definite, and a cheap test
 * of it anywhere. Differentiable as cholesky is, where info is 0.
 */
export function choleskyEx(A: Tensor, options: CholeskyOptions = {}): CholeskyEx {
  checkSquare('choleskyEx', A);
  const { upper = false } = checkOptions('choleskyEx', options, OPTIONS);
  return tidy(() => {
    let info: Tensor | undefined;
    const l = factor('choleskyEx', A, upper, (factor) => {
      info = noGrad(() => firstFailure('choleskyEx', logicalNot(greater(diagonal('choleskyEx', factor), 0))));
    });
    return { l, info: info as Tensor };
  });
}

/**
 * L of f32 or f16 A [..., n, n], recorded, in A's dtype (or, `upper`, U =
 * L(Aᵀ)ᵀ: the lower factor of A's upper triangle read as a lower one);
 * `check` sees the f32 lower factor first.
 */
function factor(op: string, A: Tensor, upper: boolean, check: (l: Tensor) => void): Tensor {
  const n = A.shape[A.rank - 1];
  const a = upper ? matrixTranspose(inF32(A)) : inF32(A);
  const backend = a.dataRef(op).backend;
  const batch = sizeOf(a.shape.slice(0, -2));
  const l = computed(op, backend, a.shape, 'f32', () => linalgOf(backend).cholesky({ ...a.info(op), shape: [batch, n, n] }));
  check(l);
  const recorded = record(l, op, [a], [l], (dl, [sl]) => [choleskyGrad(sl, dl)]);
  return castTo(upper ? matrixTranspose(recorded) : recorded, A.dtype);
}
