// tm.linalg.eigh and tm.linalg.eigvalsh through the backend's eigh kernel,
// with PyTorch's gradient (linalg_eig_backward for a Hermitian A): for
// A = V·diag(λ)·Vᵀ, dA = V·(diag(dλ) + skew(Vᵀ·dV)/2 ÷ (λⱼ − λᵢ))·Vᵀ. The
// values' part and the vectors' part are recorded on their own outputs and
// the tape sums them, so eigenvalues alone never divide by their gaps.
import { tidy } from '../../engine.js';
import { checkOptions } from '../../options.js';
import { sizeOf } from '../../shape.js';
import { linkSiblings, record } from '../../tape.js';
import type { Tensor } from '../../tensor.js';
import { eye } from '../creation.js';
import { add, div, mul, sub } from '../elementwise.js';
import { matmul } from '../matmul.js';
import { expandDims } from '../movement.js';
import { allocating, fromStorage, onBackendOf } from '../util.js';
import { castTo, checkSquare, inF32, matrixTranspose } from './matrices.js';
import { linalgOf } from '../../backends/linalg.js';

/** eigh's options. */
export interface EighOptions {
  /** Read A's upper triangle instead of its lower one (torch.linalg.eigh's UPLO='U'). */
  upper?: boolean;
}

/** eigh's result: A = vectors · diag(values) · vectorsᵀ. */
export interface Eigh {
  /** The eigenvalues of each matrix, ascending: [..., n]. */
  values: Tensor;
  /** The orthonormal eigenvectors of each matrix as its columns, column j for values[j]: [..., n, n]. */
  vectors: Tensor;
}

/** V·X·Vᵀ for each matrix of a batch. */
function similar(v: Tensor, x: Tensor): Tensor {
  return matmul(matmul(v, x), v, { transposeB: true });
}

/** λⱼ − λᵢ at [..., i, j], 1 on the diagonal (whose numerators are 0): what the vectors' gradient divides by. */
export function gapsOf(op: string, values: Tensor): Tensor {
  const n = values.shape[values.rank - 1];
  const identity = onBackendOf(op, values, () => eye(n));
  return add(sub(expandDims(values, -2), expandDims(values, -1)), identity);
}

/** X − Xᵀ for each matrix of a batch. */
export function skew(x: Tensor): Tensor {
  return sub(x, matrixTranspose(x));
}

/**
 * The eigendecomposition of f32 a's lower triangle, recorded as `op`'s: the
 * vectors too where eigvalsh hands back only the values, since the values'
 * gradient is made of them and a second derivative goes through them.
 */
function decompose(op: string, a: Tensor): Eigh {
  const backend = a.dataRef(op).backend;
  const n = a.shape[a.rank - 1];
  const batch = sizeOf(a.shape.slice(0, -2));
  const out = allocating(op, a.shape, 4, () => linalgOf(backend).eigh({ ...a.info(op), shape: [batch, n, n] }));
  const values = fromStorage(backend, out.values, a.shape.slice(0, -1), 'f32');
  const vectors = fromStorage(backend, out.vectors, a.shape, 'f32');
  record(values, op, [a], [vectors], (dl, [v]) => [matmul(mul(v, expandDims(dl, -2)), v, { transposeB: true })]);
  record(vectors, op, [a], [values, vectors], (dv, [l, v]) => [similar(v, div(mul(skew(matmul(v, dv, { transposeA: true })), 0.5), gapsOf(op, l)))]);
  linkSiblings([values, vectors]);
  return { values, vectors };
}

/** A in f32, its lower triangle the one to read: A itself, or Aᵀ for `upper`. */
function lowerOf(A: Tensor, upper: boolean): Tensor {
  const a = inF32(A);
  return upper ? matrixTranspose(a) : a;
}

/**
 * The eigenvalues and eigenvectors of each symmetric matrix of A [..., n, n]
 * (torch.linalg.eigh, np.linalg.eigh): values [..., n] ascending and
 * vectors [..., n, n] orthonormal, A = vectors·diag(values)·vectorsᵀ. Only
 * A's lower triangle is read ({ upper: true }: its upper one). An
 * eigenvector's sign is not unique, nor is the basis of a repeated
 * eigenvalue's space: backends may differ there. In f32 (f16 cast in and
 * the results back): a Jacobi method on js (float64) and webgpu, LAPACK's
 * ssyevd on native. Differentiable (PyTorch's formula, symmetric); the
 * vectors' gradient divides by the gaps between eigenvalues, so it is ∞ or
 * NaN where two are equal, as PyTorch's.
 */
export function eigh(A: Tensor, options: EighOptions = {}): Eigh {
  checkSquare('eigh', A);
  const { upper = false } = checkOptions('eigh', options, { upper: 'boolean' });
  return tidy(() => {
    const { values, vectors } = decompose('eigh', lowerOf(A, upper));
    return { values: castTo(values, A.dtype), vectors: castTo(vectors, A.dtype) };
  });
}

/**
 * The eigenvalues of each symmetric matrix of A [..., n, n], ascending:
 * [..., n] (torch.linalg.eigvalsh, np.linalg.eigvalsh), from its lower
 * triangle ({ upper: true }: its upper one). In f32, as eigh. Differentiable:
 * dA = V·diag(dλ)·Vᵀ, defined where eigenvalues repeat too.
 */
export function eigvalsh(A: Tensor, options: EighOptions = {}): Tensor {
  checkSquare('eigvalsh', A);
  const { upper = false } = checkOptions('eigvalsh', options, { upper: 'boolean' });
  return tidy(() => castTo(decompose('eigvalsh', lowerOf(A, upper)).values, A.dtype));
}
