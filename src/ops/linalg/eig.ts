// tm.linalg.eig and tm.linalg.eigvals: the eigendecomposition of general
// (nonsymmetric) real matrices through the backend's eig kernel, complex
// results as tm.fft holds them ((re, im) pairs on a last axis of 2).
// Gradients are PyTorch's (linalg_eig_backward) for real A, with V the
// eigenvectors, L the eigenvalues and ᴴ the conjugate transpose:
//   from dL: real(V⁻ᴴ·diag(dL)·Vᴴ);
//   from dV: real(V⁻ᴴ·((VᴴdV − Vᴴ·V·diag(re diag(VᴴdV))) ÷ conj(Lⱼ − Lᵢ))·Vᴴ),
// the division's diagonal by 1. Complex products are written with real
// ones, and V⁻ᴴ·X as the real system [[Re Vᴴ, −Im Vᴴ], [Im Vᴴ, Re Vᴴ]], so
// the gradients are differentiable again. As in eigh, each output records
// its own part and the tape sums them; so where PyTorch sets the diagonal
// of the vectors' part to dL, this adds dL to what is there, i·Im(VᴴdV)ᵢᵢ:
// 0 for a loss that ignores each vector's phase, the only kind PyTorch
// accepts (it refuses the others; this does not check).
import { tidy } from '../../engine.js';
import { sizeOf } from '../../shape.js';
import { linkSiblings, record } from '../../tape.js';
import type { Tensor } from '../../tensor.js';
import { linalgOf } from '../../backends/linalg.js';
import { eye } from '../creation.js';
import { add, div, mul, neg, sub } from '../elementwise.js';
import { complex, conj, imag, real } from '../fft/complex.js';
import { matmul } from '../matmul.js';
import { along } from '../indexing.js';
import { concat, expandDims } from '../movement.js';
import { allocating, fromStorage, onBackendOf } from '../util.js';
import { castTo, checkSquare, diagonal, inF32, matrixTranspose } from './matrices.js';
import { solveMatrices } from './solve.js';

/** eig's result: A·vectors = vectors·diag(values), complex as (re, im) pairs. */
export interface Eig {
  /** The eigenvalues of each matrix: [..., n, 2]. */
  values: Tensor;
  /** The eigenvectors of each matrix as its columns, column k for values[k], each of unit norm: [..., n, n, 2]. */
  vectors: Tensor;
}

/** Elementwise complex products of a and b [..., 2] (broadcast). */
function complexMul(a: Tensor, b: Tensor): Tensor {
  const [ar, ai, br, bi] = [real(a), imag(a), real(b), imag(b)];
  return complex(sub(mul(ar, br), mul(ai, bi)), add(mul(ar, bi), mul(ai, br)));
}

/** Elementwise complex quotients a / b of a and b [..., 2] (same shape). */
function complexDiv(a: Tensor, b: Tensor): Tensor {
  const [ar, ai, br, bi] = [real(a), imag(a), real(b), imag(b)];
  const modulus = add(mul(br, br), mul(bi, bi));
  return complex(div(add(mul(ar, br), mul(ai, bi)), modulus), div(sub(mul(ai, br), mul(ar, bi)), modulus));
}

/** Complex matrix products a·b of a [..., m, k, 2] and b [..., k, n, 2]. */
function complexMatmul(a: Tensor, b: Tensor): Tensor {
  const [ar, ai, br, bi] = [real(a), imag(a), real(b), imag(b)];
  return complex(sub(matmul(ar, br), matmul(ai, bi)), add(matmul(ar, bi), matmul(ai, br)));
}

/** The conjugate transpose of each complex matrix of a [..., m, n, 2]. */
function adjoint(a: Tensor): Tensor {
  return complex(matrixTranspose(real(a)), neg(matrixTranspose(imag(a))));
}

/** The real part of X solving A·X = B for complex A [..., n, n, 2] and B [..., n, k, 2], through the real system twice the size. */
function realOfSolve(op: string, a: Tensor, b: Tensor): Tensor {
  const [ar, ai] = [real(a), imag(a)];
  const system = concat([concat([ar, neg(ai)], -1), concat([ai, ar], -1)], -2);
  const x = solveMatrices(op, system, concat([real(b), imag(b)], -2));
  return along(x, x.rank - 2, 0, a.shape[a.rank - 2]);
}

/** conj(Lⱼ − Lᵢ) at [..., i, j] and 1 on the diagonal, for L [..., n, 2]: what the vectors' gradient divides by. */
function conjugateGaps(op: string, values: Tensor): Tensor {
  const n = values.shape[values.rank - 2];
  const c = conj(values);
  const ones = onBackendOf(op, values, () => complex(eye(n)));
  return add(sub(expandDims(c, -3), expandDims(c, -2)), ones);
}

/**
 * The eigendecomposition of f32 a [..., n, n], recorded as `op`'s: the
 * vectors too where eigvals hands back only the values, since the values'
 * gradient is made of them and a second derivative goes through them.
 */
function decompose(op: string, a: Tensor): Eig {
  const backend = a.dataRef(op).backend;
  const n = a.shape[a.rank - 1];
  const batch = sizeOf(a.shape.slice(0, -2));
  const out = allocating(op, [...a.shape, 2], 4, () => linalgOf(backend).eig({ ...a.info(op), shape: [batch, n, n] }));
  const values = fromStorage(backend, out.values, [...a.shape.slice(0, -1), 2], 'f32');
  const vectors = fromStorage(backend, out.vectors, [...a.shape, 2], 'f32');
  record(values, op, [a], [vectors], (dl, [v]) => {
    const vh = adjoint(v);
    return [realOfSolve(op, vh, complexMul(expandDims(dl, -2), vh))];
  });
  record(vectors, op, [a], [values, vectors], (dv, [l, v]) => {
    const vh = adjoint(v);
    const vhdv = complexMatmul(vh, dv);
    const along = diagonal(op, real(vhdv));
    const projected = sub(vhdv, complexMatmul(vh, mul(v, expandDims(expandDims(along, -2), -1))));
    return [realOfSolve(op, vh, complexMatmul(complexDiv(projected, conjugateGaps(op, l)), vh))];
  });
  linkSiblings([values, vectors]);
  return { values, vectors };
}

/**
 * The eigenvalues and eigenvectors of each square matrix of A [..., n, n]
 * (torch.linalg.eig, np.linalg.eig): values [..., n, 2] and vectors
 * [..., n, n, 2], complex as (re, im) pairs (tm.fft's layout: tm.fft.real,
 * imag, abs… read them), A·vectors = vectors·diag(values). The values are
 * not sorted: they come in the order the QR algorithm leaves them on the
 * real Schur form's diagonal, which can differ between backends; a complex
 * conjugate pair is adjacent, positive imaginary part first. Each vector
 * has unit norm and its entry of largest modulus real and positive. In f32
 * (f16 cast in and the results back): Hessenberg reduction and the Francis
 * double-shift QR algorithm on js (float64) and webgpu (one invocation per
 * matrix), LAPACK's sgeev (which balances A first) on native. A matrix
 * holding NaN or ∞ gets NaN throughout.
 * Differentiable (PyTorch's formula): the vectors' gradient divides by the
 * gaps between eigenvalues, so it is ∞ or NaN where two are equal, and it
 * is meaningful only for a loss that does not depend on each vector's
 * phase (such as one of |vectors|).
 */
export function eig(A: Tensor): Eig {
  checkSquare('eig', A);
  return tidy(() => {
    const { values, vectors } = decompose('eig', inF32(A));
    return { values: castTo(values, A.dtype), vectors: castTo(vectors, A.dtype) };
  });
}

/**
 * The eigenvalues of each square matrix of A [..., n, n] (torch.linalg.eigvals,
 * np.linalg.eigvals): [..., n, 2], (re, im) pairs, in eig's order. In f32,
 * as eig. Differentiable: real(V⁻ᴴ·diag(dL)·Vᴴ), twice too.
 */
export function eigvals(A: Tensor): Tensor {
  checkSquare('eigvals', A);
  return tidy(() => castTo(decompose('eigvals', inF32(A)).values, A.dtype));
}
