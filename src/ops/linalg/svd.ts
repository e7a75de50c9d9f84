// tm.linalg.svd and tm.linalg.svdvals through the backend's svd kernel,
// with PyTorch's gradient (svd_backward, the reduced case): for A = U·S·Vh,
//   dA = U·(skew(Uᵀ·dU)/E·S + S·skew(Vh·dVhᵀ)/E + diag(dS))·Vh
//        + (I − U·Uᵀ)·dU·S⁻¹·Vh + U·S⁻¹·(dVh − dVh·Vhᵀ·Vh)   (dVh's part past k),
// E[j, c] = s_c² − s_j² off the diagonal. The parts of dS, dU and dVh are
// recorded on their own outputs and the tape sums them, so singular values
// alone never divide by their gaps or by themselves.
import { tidy } from '../../engine.js';
import { ShapeError, ValueError, formatShape, formatValue } from '../../errors.js';
import { checkOptions } from '../../options.js';
import { sizeOf } from '../../shape.js';
import { noGrad, record } from '../../tape.js';
import type { Tensor } from '../../tensor.js';
import { add, div, mul, sub } from '../elementwise.js';
import { matmul } from '../matmul.js';
import { concat, expandDims, slice } from '../movement.js';
import { allocating, fromStorage } from '../util.js';
import { gapsOf, skew } from './eigh.js';
import { castTo, checkFloat, inF32, matrixTranspose } from './matrices.js';
import { qr } from './qr.js';
import { linalgOf } from '../../backends/linalg.js';

/** svd's options. */
export interface SvdOptions {
  /**
   * false (the default): the reduced SVD, U [..., m, k] and Vh [..., k, n]
   * for k = min(m, n). true: the full one, U m × m and Vh n × n, the extra
   * columns of U (rows of Vh) an orthonormal basis of the rest of the space,
   * from a complete QR of the reduced ones; as PyTorch's, no gradient flows
   * through them (any basis of that space would do). torch.linalg.svd and
   * NumPy default to true.
   */
  fullMatrices?: boolean;
}

/** svd's result: A = u · diag(s) · vh. */
export interface Svd {
  /** The left singular vectors as columns: [..., m, k], k = min(m, n). */
  u: Tensor;
  /** The singular values, descending and ≥ 0: [..., k]. */
  s: Tensor;
  /** The right singular vectors as rows: [..., k, n]. */
  vh: Tensor;
}

/** Checks that `name` is a float matrix or a batch of them [..., m, n]. */
export function checkMatrix(op: string, a: unknown, name = 'A'): Tensor {
  const t = checkFloat(op, a, name);
  if (t.rank < 2) throw new ShapeError(`${op}: ${name} must be a matrix or a batch of them [..., m, n], got ${formatShape(t.shape)}`);
  return t;
}

/** U·diag(d)·Vh for each matrix of a batch, d [..., k]. */
function between(u: Tensor, d: Tensor, vh: Tensor): Tensor {
  return matmul(mul(u, expandDims(d, -2)), vh);
}

/**
 * The reduced SVD of f32 a [..., m, n], recorded as `op`'s: s's gradient
 * part always, U's and Vh's where `withVectors`.
 */
export function decomposeSvd(op: string, a: Tensor, withVectors: boolean): Svd {
  const backend = a.dataRef(op).backend;
  const [m, n] = a.shape.slice(-2);
  const k = Math.min(m, n);
  const batchShape = a.shape.slice(0, -2);
  const batch = sizeOf(batchShape);
  const out = allocating(op, a.shape, 4, () => linalgOf(backend).svd({ ...a.info(op), shape: [batch, m, n] }));
  const u = fromStorage(backend, out.u, [...batchShape, m, k], 'f32');
  const s = fromStorage(backend, out.s, [...batchShape, k], 'f32');
  const vh = fromStorage(backend, out.vh, [...batchShape, k, n], 'f32');
  record(s, op, [a], [u, vh], (ds, [su, svh]) => [between(su, ds, svh)]);
  if (withVectors) {
    const squares = (sv: Tensor) => gapsOf(op, mul(sv, sv));
    record(u, op, [a], [u, s, vh], (du, [su, ss, svh]) => {
      const utdu = matmul(su, du, { transposeA: true });
      const within = matmul(su, matmul(mul(div(skew(utdu), squares(ss)), expandDims(ss, -2)), svh));
      // dU's part outside U's columns, which only a tall A has.
      return [m > k ? add(within, matmul(div(sub(du, matmul(su, utdu)), expandDims(ss, -2)), svh)) : within];
    });
    record(vh, op, [a], [u, s, vh], (dvh, [su, ss, svh]) => {
      const vtdv = matmul(svh, dvh, { transposeB: true });
      let inner = matmul(mul(expandDims(ss, -1), div(skew(vtdv), squares(ss))), svh);
      // dVh's part outside Vh's rows, which only a wide A has.
      if (n > k) inner = add(inner, div(sub(dvh, matmul(vtdv, svh, { transposeA: true })), expandDims(ss, -1)));
      return [matmul(su, inner)];
    });
  }
  return { u, s, vh };
}

/**
 * The singular value decomposition of each matrix of A [..., m, n]
 * (torch.linalg.svd, np.linalg.svd with full_matrices=False): u [..., m, k],
 * s [..., k] descending and ≥ 0, vh [..., k, n] for k = min(m, n), A =
 * u·diag(s)·vh, u's columns and vh's rows orthonormal (completed to
 * orthonormal sets where A's rank is below k). Signs are not unique, nor
 * are the vectors of a repeated singular value: backends may differ there.
 * In f32 (f16 cast in and the results back): one-sided Jacobi on js
 * (float64) and webgpu, never forming AᵀA; LAPACK's sgesdd on native.
 * Differentiable (PyTorch's formula); the vectors' gradient divides by the
 * gaps between squared singular values and, for a non-square A, by the
 * singular values: ∞ or NaN where those are 0.
 */
export function svd(A: Tensor, options: SvdOptions = {}): Svd {
  checkMatrix('svd', A);
  const { fullMatrices = false } = checkOptions('svd', options, { fullMatrices: 'boolean' });
  return tidy(() => {
    const reduced = decomposeSvd('svd', inF32(A), true);
    const [m, n] = A.shape.slice(-2);
    const u = fullMatrices && m > n ? completed(reduced.u) : reduced.u;
    const vh = fullMatrices && n > m ? matrixTranspose(completed(matrixTranspose(reduced.vh))) : reduced.vh;
    return { u: castTo(u, A.dtype), s: castTo(reduced.s, A.dtype), vh: castTo(vh, A.dtype) };
  });
}

/**
 * q [..., m, k] (orthonormal columns, m > k) followed by an orthonormal basis
 * of the rest of the space: the last m − k columns of a complete QR of q,
 * whose first k span q's. Out of the graph, as PyTorch leaves them.
 */
function completed(q: Tensor): Tensor {
  const k = q.shape[q.rank - 1];
  const m = q.shape[q.rank - 2];
  const basis = noGrad(() => qr(q, { mode: 'complete' }).q);
  const rest = slice(basis, basis.shape.map((_, i) => (i === basis.rank - 1 ? k : 0)), basis.shape.map((d, i) => (i === basis.rank - 1 ? m - k : d)));
  return concat([q, rest], q.rank - 1);
}

/**
 * The singular values of each matrix of A [..., m, n], descending: [...,
 * min(m, n)] (torch.linalg.svdvals). In f32, as svd. Differentiable: dA =
 * U·diag(ds)·Vh, defined where singular values repeat or vanish too.
 */
export function svdvals(A: Tensor): Tensor {
  checkMatrix('svdvals', A);
  return tidy(() => castTo(decomposeSvd('svdvals', inF32(A), false).s, A.dtype));
}
