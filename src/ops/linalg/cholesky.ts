// tm.linalg.cholesky through the backend's cholesky kernel, with Murray's
// (2016) gradient composed of products and two triangular solves.
import { tidy } from '../../engine.js';
import { record } from '../../tape.js';
import type { Tensor } from '../../tensor.js';
import { add, mul } from '../elementwise.js';
import { matmul } from '../matmul.js';
import { sizeOf } from '../../shape.js';
import { tril } from '../triangular.js';
import { computed } from '../util.js';
import { castTo, checkSquare, inF32, matrixTranspose, refuseNotPositiveDefinite } from './matrices.js';
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

/**
 * The Cholesky factor L of each matrix of A [..., n, n], symmetric positive
 * definite (torch.linalg.cholesky, np.linalg.cholesky): A = L·Lᵀ, L lower
 * triangular with a positive diagonal, zeros above it. Only A's lower
 * triangle is read. In f32 (f16 cast in and L back). A matrix that is not
 * positive definite is an error on js and native, naming it; on webgpu,
 * which reads nothing back, its L holds NaN (or ∞). Differentiable, the
 * gradient symmetric (Murray 2016).
 */
export function cholesky(A: Tensor): Tensor {
  const n = checkSquare('cholesky', A);
  return tidy(() => {
    const a = inF32(A);
    const backend = a.dataRef('cholesky').backend;
    const batch = sizeOf(a.shape.slice(0, -2));
    const l = computed('cholesky', backend, a.shape, 'f32', () => linalgOf(backend).cholesky({ ...a.info('cholesky'), shape: [batch, n, n] }));
    refuseNotPositiveDefinite('cholesky', l);
    return castTo(record(l, 'cholesky', [a], [l], (dl, [sl]) => [choleskyGrad(sl, dl)]), A.dtype);
  });
}
