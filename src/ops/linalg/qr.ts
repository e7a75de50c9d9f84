// tm.linalg.qr through the backend's qr kernel (Householder reflections, as
// LAPACK's geqrf and orgqr), with PyTorch's gradient (linalg_qr_backward).
// Q and R are one recorded tensor, Q's values then R's along a last axis,
// sliced apart (as lstmCell's h and c): the tape links one output to its
// inputs, and a loss of both needs both gradients in one backward.
import { tidy } from '../../engine.js';
import { ValueError, formatShape, formatValue } from '../../errors.js';
import { checkOptions, type OptionNames } from '../../options.js';
import { sizeOf } from '../../shape.js';
import { isGradEnabled, needsGrad, record } from '../../tape.js';
import type { Tensor } from '../../tensor.js';
import { eye, zeros } from '../creation.js';
import { add, sub } from '../elementwise.js';
import { matmul } from '../matmul.js';
import { broadcastTo, concat, reshape, split } from '../movement.js';
import { tril } from '../triangular.js';
import { allocating, fromStorage, onBackendOf } from '../util.js';
import { castTo, checkMatrix, inF32, matrixTranspose } from './matrices.js';
import { solveTriangularMatrices } from './solve_triangular.js';
import { linalgOf } from '../../backends/linalg.js';

/** Which factors qr returns, as torch.linalg.qr's mode. */
export type QrMode = 'reduced' | 'complete' | 'r';

/** qr's options. */
export interface QrOptions {
  /**
   * 'reduced' (the default): Q [..., m, k] and R [..., k, n] for k = min(m,
   * n); 'complete': Q [..., m, m] and R [..., m, n]; 'r': R as 'reduced'
   * gives it and an empty Q.
   */
  mode?: QrMode;
}

/** qr's result: A = Q·R. */
export interface QR {
  /** Orthonormal columns (QᵀQ = I); empty ([0]) in mode 'r', as torch's. */
  q: Tensor;
  /** Upper triangular, 0 below its diagonal; the diagonal may be negative. */
  r: Tensor;
}

const QR_OPTIONS: OptionNames<QrOptions> = { mode: true };
const QR_MODES: readonly QrMode[] = ['reduced', 'complete', 'r'];

/** M's lower triangle mirrored above its diagonal: tril(M) + tril(M, −1)ᵀ. */
function copyLowerUp(m: Tensor): Tensor {
  return add(tril(m), matrixTranspose(tril(m, -1)));
}

/**
 * dA for A = Q·R with A [..., m, n], m ≥ n (Q [..., m, n], R [..., n, n]),
 * given dQ and dR: (dQ + Q·copyLowerUp(R·dRᵀ − dQᵀ·Q))·R⁻ᵀ, the gradient of
 * Walter and Lehmann (2018) and PyTorch's linalg_qr_backward. R⁻ᵀ is a
 * triangular solve: X·R⁻ᵀ = (R⁻¹·Xᵀ)ᵀ.
 */
function tallGrad(q: Tensor, r: Tensor, dq: Tensor, dr: Tensor): Tensor {
  const m = sub(matmul(r, dr, { transposeB: true }), matmul(dq, q, { transposeA: true }));
  const x = add(dq, matmul(q, copyLowerUp(m)));
  return matrixTranspose(solveTriangularMatrices("qr's gradient", r, matrixTranspose(x), true, false));
}

/**
 * qr's gradient for A [..., m, n] from Q [..., m, c], R [..., c, n] and
 * their gradients. m ≥ n, reduced: tallGrad. m < n: A = [X | Y] with X =
 * Q·R₁ square and Y = Q·R₂, so dY = Q·dR₂ and X's gradient is tallGrad's
 * with dQ + Y·dR₂ᵀ for dQ, Q reaching the loss through R₂ = QᵀY too
 * (PyTorch's). A complete Q of m > n rows is refused, as PyTorch refuses it:
 * its last m − n columns are any orthonormal completion, not a function of A.
 */
function qrGrad(shape: readonly number[], q: Tensor, r: Tensor, dq: Tensor, dr: Tensor): Tensor {
  const [m, n] = shape.slice(-2);
  if (m >= n) {
    if (q.shape[q.rank - 1] !== n) {
      throw new ValueError(`qr's gradient: A ${formatShape(shape)} has more rows than columns (${m} > ${n}), and a complete Q's last ${m - n} columns are an arbitrary orthonormal completion, not a function of A: no gradient (PyTorch refuses it too); use mode 'reduced'`);
    }
    return tallGrad(q, r, dq, dr);
  }
  const [r1, r2] = split(r, [m, n - m], -1);
  const [dr1, dr2] = split(dr, [m, n - m], -1);
  const y = matmul(q, r2);
  const dx = tallGrad(q, r1, add(dq, matmul(y, dr2, { transposeB: true })), dr1);
  return concat([dx, matmul(q, dr2)], -1);
}

/**
 * Q [..., m, c] and R [..., c, n] of f32 a, c = min(m, n) or (complete) m:
 * the kernel's for a batch of non-empty matrices; for an empty one, the
 * identity's first c columns and zeros, as LAPACK leaves them.
 */
function factors(a: Tensor, complete: boolean): { q: Tensor; r: Tensor } {
  const [m, n] = a.shape.slice(-2);
  const batchShape = a.shape.slice(0, -2);
  const c = complete ? m : Math.min(m, n);
  const [qShape, rShape] = [[...batchShape, m, c], [...batchShape, c, n]];
  if (sizeOf(a.shape) === 0) {
    return onBackendOf('qr', a, () => ({ q: tidy(() => broadcastTo(eye(m, c), qShape)), r: zeros(rShape) }));
  }
  const backend = a.dataRef('qr').backend;
  const { q, r } = allocating('qr', qShape, 4, () => linalgOf(backend).qr({ ...a.info('qr'), shape: [sizeOf(batchShape), m, n] }, complete));
  return { q: fromStorage(backend, q, qShape, 'f32'), r: fromStorage(backend, r, rShape, 'f32') };
}

/**
 * The QR decomposition of each matrix of A [..., m, n] (torch.linalg.qr,
 * np.linalg.qr), any m and n: A = Q·R with Q's columns orthonormal and R
 * upper triangular, by Householder reflections in f32 (f16 cast in and the
 * factors back). Signs as LAPACK's and PyTorch's: R's diagonal may be
 * negative. `mode` picks the factors' shapes (see QrOptions). Differentiable
 * (PyTorch's gradient) where A's first min(m, n) columns are independent,
 * except for a complete Q of a matrix with more rows than columns, whose
 * gradient is refused as PyTorch refuses it; mode 'r' is differentiable too
 * (Q is computed either way here; PyTorch refuses it).
 */
export function qr(A: Tensor, options?: QrOptions): QR {
  const [m, n] = checkMatrix('qr', A);
  const { mode = 'reduced' } = checkOptions('qr', options, QR_OPTIONS);
  if (!QR_MODES.includes(mode)) throw new ValueError(`qr: mode must be 'reduced', 'complete' or 'r', got ${formatValue(mode)}`);
  return tidy(() => {
    const a = inF32(A);
    let { q, r } = factors(a, mode === 'complete');
    if (isGradEnabled() && needsGrad(a)) {
      const [shape, qShape, rShape] = [a.shape, q.shape, r.shape];
      const flat = (t: Tensor) => reshape(t, [...t.shape.slice(0, -2), sizeOf(t.shape.slice(-2))]);
      const both = record(concat([flat(q), flat(r)], -1), 'qr', [a], [q, r], (dy, [sq, sr]) => {
        const [dq, dr] = split(dy, [sizeOf(qShape.slice(-2)), sizeOf(rShape.slice(-2))], -1);
        return [qrGrad(shape, sq, sr, reshape(dq, qShape), reshape(dr, rShape))];
      });
      const [qValues, rValues] = split(both, [sizeOf(qShape.slice(-2)), sizeOf(rShape.slice(-2))], -1);
      [q, r] = [reshape(qValues, qShape), reshape(rValues, rShape)];
    }
    if (mode === 'r') return { q: onBackendOf('qr', a, () => zeros([0], { dtype: A.dtype })), r: castTo(r, A.dtype) };
    return { q: castTo(q, A.dtype), r: castTo(r, A.dtype) };
  });
}
