// tm.linalg's kernels: factorizations and solves. They are not part of the
// core kernel contract (kernels.ts), so that a page that never factors a
// matrix never downloads them (on webgpu they are ten shaders, the Jacobi
// eigensolver and SVD and the general eigensolver among them): the ops in src/ops/linalg/ reach a
// backend's through linalgOf, and only they import this module. Every
// backend has them; each is handed f32 matrices only (the ops layer casts).
import type { Backend, TensorInfo } from './kernels.js';
import { kernelFamily } from './kernel_family.js';
import { cholesky, luFactor, luSolve, qr, triangularSolve } from './js/linalg.js';
import { eigh, svd } from './js/eig.js';
import { eig } from './js/eig_general.js';
import { ldlFactor, ldlSolve } from './js/ldl.js';
import { nativeLinalg } from './native/linalg.js';
import { webGpuLinalg } from './webgpu/kernels/linalg.js';

export interface LinalgKernels<S = unknown> {
  /**
   * The LU factorization with partial pivoting of each matrix of a (f32,
   * [batch, n, n]): P·A = L·U, L unit lower triangular and U upper packed in
   * one matrix (lu, f32, a's shape; L's unit diagonal not stored), pivots
   * (i32, [batch, n]) as LAPACK's getrf gives them but 0-based: at step k,
   * row k was swapped with row pivots[k] ≥ k, the one of largest |value| in
   * column k. A column with no nonzero pivot is left as it is (U[k, k] = 0,
   * nothing divided by it), so a singular matrix still factors and its
   * determinant comes out 0; the ops layer refuses to solve with it where
   * it can read U at once.
   */
  luFactor(a: TensorInfo<S>): { lu: S; pivots: S };
  /**
   * x = A⁻¹·b for each matrix of b (f32, [batch, n, k]) from A's factors as
   * luFactor gives them (lu [batch, n, n], pivots [batch, n]): b's rows
   * swapped as the pivots say, then forward substitution with L's unit
   * diagonal and back substitution with U. A zero on U's diagonal gives ±∞ or NaN.
   */
  luSolve(lu: TensorInfo<S>, pivots: TensorInfo<S>, b: TensorInfo<S>): S;
  /**
   * The Bunch–Kaufman factorization of each symmetric matrix of a (f32,
   * [batch, n, n], only its lower triangle read), as LAPACK's sytrf with
   * uplo 'L' gives it: A = L·D·Lᵀ packed in ld (f32, a's shape: D's 1 × 1
   * and 2 × 2 blocks on and just below the diagonal, each step's column of
   * L below its block, the strict upper triangle 0) with pivots (i32,
   * [batch, n]): p ≥ 0 at a 1 × 1 block (row and column k interchanged with
   * p), −(p + 1) on both rows of a 2 × 2 one (k + 1 with p). js/ldl.ts
   * says more. A column zero below a zero diagonal (a singular A) is left as
   * it is, a 1 × 1 block of 0.
   */
  ldlFactor(a: TensorInfo<S>): { ld: S; pivots: S };
  /**
   * x = A⁻¹·b for each matrix of b (f32, [batch, n, k]) from A's factors as
   * ldlFactor gives them (LAPACK's sytrs). A singular block of D gives ±∞
   * or NaN (a NaN in D can give finite values on native, through OpenBLAS's
   * sscal, as PyTorch's ldl_solve does). Pivots not of the packed form: the
   * CPU backends' callers refuse them first; webgpu's kernel gives NaN.
   */
  ldlSolve(ld: TensorInfo<S>, pivots: TensorInfo<S>, b: TensorInfo<S>): S;
  /**
   * The Cholesky factor L of each matrix of a (f32, [batch, n, n], symmetric
   * positive definite; only its lower triangle read): A = L·Lᵀ, L lower
   * triangular with a positive diagonal, 0 above it. Where A is not
   * positive definite a diagonal entry comes out NaN or 0 (the ops layer
   * refuses it where it can read L at once; a GPU leaves NaN and ∞ in L).
   */
  cholesky(a: TensorInfo<S>): S;
  /**
   * The Householder QR factorization of each matrix of a (f32, [batch, m,
   * n], m and n ≥ 1), as LAPACK's geqrf then orgqr give it: A = Q·R with q
   * (f32, [batch, m, c]) of orthonormal columns and r (f32, [batch, c, n])
   * upper triangular, 0 below its diagonal, for c = min(m, n), or m where
   * `complete`. Reflector j is I − τ·v·vᵀ with v[j] = 1, chosen as larfg
   * chooses it from the column x left on and below the diagonal: R[j, j] =
   * −sign(x[0])·‖x‖ (a 0 taken as positive), so R's diagonal may be
   * negative, as LAPACK's and PyTorch's; a column already 0 below the
   * diagonal reflects nothing (τ = 0, R[j, j] = x[0] with its sign).
   */
  qr(a: TensorInfo<S>, complete: boolean): { q: S; r: S };
  /**
   * x = A⁻¹·b for each matrix of b (f32, [batch, n, k]) and A (f32, [batch,
   * n, n]) read as its upper triangle or its lower, the other not read, its
   * diagonal taken as 1 (and not read) where `unit`: substitution, back or
   * forward. A zero on the diagonal gives ±∞ or NaN.
   */
  triangularSolve(a: TensorInfo<S>, b: TensorInfo<S>, upper: boolean, unit: boolean): S;
  /**
   * The eigendecomposition of each symmetric matrix of a (f32, [batch, n,
   * n], only its lower triangle read): A = V·diag(values)·Vᵀ, values (f32,
   * [batch, n]) ascending, vectors (f32, [batch, n, n]) orthonormal, column j
   * an eigenvector of values[j]. Its sign, and the basis of a repeated
   * eigenvalue's space, are whatever the method gives (tests check A·V =
   * V·diag(values) and VᵀV = I).
   */
  eigh(a: TensorInfo<S>): { values: S; vectors: S };
  /**
   * The eigendecomposition of each general matrix of a (f32, [batch, n,
   * n]): A·V = V·diag(values), complex, as (re, im) pairs on a last axis —
   * values (f32, [batch, n, 2]) in the order of the real Schur form's
   * diagonal, a complex conjugate pair together with its positive
   * imaginary part first, and vectors (f32, [batch, n, n, 2]), column k an
   * eigenvector of values[k] at unit norm with its entry of largest
   * modulus real and positive. A matrix holding NaN or ∞, or one the QR
   * iteration does not reduce, gets NaN throughout.
   */
  eig(a: TensorInfo<S>): { values: S; vectors: S };
  /**
   * The reduced singular value decomposition of each matrix of a (f32,
   * [batch, m, n]), k = min(m, n): A = U·diag(s)·Vh, s (f32, [batch, k])
   * descending and ≥ 0, u (f32, [batch, m, k]) with orthonormal columns and
   * vh (f32, [batch, k, n]) with orthonormal rows, completed to orthonormal
   * sets where A has rank below k. Signs as the method gives them.
   */
  svd(a: TensorInfo<S>): { u: S; s: S; vh: S };
}

const family = kernelFamily<LinalgKernels>({
  js: () => ({ luFactor, luSolve, ldlFactor, ldlSolve, cholesky, qr, triangularSolve, eigh, eig, svd }) as LinalgKernels,
  native: nativeLinalg,
  webgpu: webGpuLinalg,
});

/** The backend's tm.linalg kernels, made on first use. */
export function linalgOf<S>(backend: Backend<S>): LinalgKernels<S> {
  return family(backend) as LinalgKernels<S>;
}
