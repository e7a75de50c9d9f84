// tm.linalg.luFactor, luUnpack, lu and luSolve: the LU factorization with
// partial pivoting of torch.linalg (lu_factor, lu, lu_solve) and
// torch.lu_unpack, on the backend's luFactor kernel.
//
// The kernel factors square matrices. A rectangular m × n matrix is factored
// as the square one its zeros pad it to: padding columns stay zero through
// the elimination (their pivots find nothing, so nothing swaps) and padding
// rows stay zero below real rows (a zero never wins a pivot search), so the
// first min(m, n) steps, and the factors read from them, are the matrix's own.
//
// Pivots are 0-based, as the kernel and SciPy's lu_factor give them (PyTorch's
// are LAPACK's, 1-based): at step k, row k was swapped with row pivots[k] ≥ k.
// The swaps compose into a row order, perm[i] the row of A that P·A holds at
// i, which luSolve's kernel computes in one pass by applying them to 0…m−1.
import { tidy } from '../../engine.js';
import { DTypeError, ShapeError, ValueError, formatShape } from '../../errors.js';
import { promoteTypes } from '../../dtype.js';
import { checkOptions, type OptionNames } from '../../options.js';
import { sameShape, sizeOf } from '../../shape.js';
import { noGrad, record } from '../../tape.js';
import type { Tensor } from '../../tensor.js';
import { cast, oneHot } from '../cast.js';
import { arange, eye, zeros } from '../creation.js';
import { add, equal, sub } from '../elementwise.js';
import { matmul } from '../matmul.js';
import { broadcastTo, concat, expandDims, pad, reshape, slice, squeeze } from '../movement.js';
import { along, takeAlongAxis } from '../indexing.js';
import { argsort } from '../sort.js';
import { tril, triu } from '../triangular.js';
import { checkTensor, computed, heldValues, onBackendOf } from '../util.js';
import { broadcastBatch, castTo, checkMatrix, checkSquare, diagonal, firstFailure, inF32, luFactors, matrixTranspose, toBatch } from './matrices.js';
import { solveTriangularMatrices } from './solve_triangular.js';
import { linalgOf } from '../../backends/linalg.js';

/** luFactor's result: A's factors packed in one matrix, and the row swaps. */
export interface LuFactor {
  /** [..., m, n]: L's multipliers below the diagonal (its unit diagonal not stored), U on and above it. */
  lu: Tensor;
  /** i32 [..., min(m, n)], 0-based: at step k, row k was swapped with row pivots[k] ≥ k. */
  pivots: Tensor;
}

/** lu's and luUnpack's result: A = P·L·U. */
export interface Lu {
  /** [..., m, m], a permutation matrix, in A's dtype. */
  p: Tensor;
  /** [..., m, k], k = min(m, n): unit lower triangular (trapezoidal where m > n). */
  l: Tensor;
  /** [..., k, n]: upper triangular (trapezoidal where m < n). */
  u: Tensor;
}

/** luSolve's options, torch.linalg.lu_solve's. */
export interface LuSolveOptions {
  /** Solve A·X = B (true, the default) or X·A = B (false). */
  left?: boolean;
  /** Solve with Aᵀ in A's place (default false). */
  adjoint?: boolean;
}

const LU_SOLVE_OPTIONS: OptionNames<LuSolveOptions> = { left: 'boolean', adjoint: 'boolean' };

/** The corner [..., rows, cols] of t's matrices. */
function corner(t: Tensor, rows: number, cols: number): Tensor {
  const batch = t.shape.slice(0, -2);
  const [m, n] = t.shape.slice(-2);
  return m === rows && n === cols ? t : slice(t, t.shape.map(() => 0), [...batch, rows, cols]);
}

/** The rows [from, from + count) of t's matrices (or the columns, along `axis` −1). */
const band = (t: Tensor, from: number, count: number, axis: -1 | -2) => along(t, t.rank + axis, from, count);

/** The packed factors and pivots of f32 a [..., m, n], not recorded, through the kernel on a square zero padding. */
function factorPacked(op: string, a: Tensor): LuFactor {
  const [m, n] = a.shape.slice(-2);
  const [s, k] = [Math.max(m, n), Math.min(m, n)];
  const batch = a.shape.slice(0, -2);
  if (sizeOf(a.shape) === 0) return onBackendOf(op, a, () => ({ lu: zeros(a.shape), pivots: zeros([...batch, k], { dtype: 'i32' }) }));
  return noGrad(() => tidy(() => {
    if (m === n) return luFactors(op, a);
    const square = pad(a, [...batch.map(() => [0, 0] as const), [0, s - m], [0, s - n]]);
    const { lu, pivots } = luFactors(op, square);
    return { lu: corner(lu, m, n), pivots: along(pivots, pivots.rank - 1, 0, k) };
  }));
}

/**
 * The row order [..., m] (i32) that the swaps pivots [..., k] make of m rows:
 * perm[i] = the row of A that P·A holds at i (the swaps past k none). The
 * luSolve kernel applies them to the column 0…m−1, with factors of the
 * identity, which change nothing: exact, and one pass on every backend.
 */
function rowOrder(op: string, pivots: Tensor, m: number): Tensor {
  const batch = pivots.shape.slice(0, -1);
  const k = pivots.shape[pivots.rank - 1];
  return onBackendOf(op, pivots, () => tidy(() => {
    if (sizeOf(batch) === 0 || m === 0) return zeros([...batch, m], { dtype: 'i32' });
    const swaps = k < m ? concat([pivots, broadcastTo(arange(k, m, 1, { dtype: 'i32' }), [...batch, m - k])], -1) : pivots;
    const identity = broadcastTo(eye(m), [...batch, m, m]);
    const positions = broadcastTo(reshape(arange(0, m, 1, { dtype: 'f32' }), [m, 1]), [...batch, m, 1]);
    const backend = pivots.dataRef(op).backend;
    const count = sizeOf(batch);
    const order = computed(op, backend, [...batch, m, 1], 'f32', () =>
      linalgOf(backend).luSolve({ ...identity.info(op), shape: [count, m, m] }, { ...swaps.info(op), shape: [count, m] }, { ...positions.info(op), shape: [count, m, 1] }));
    return cast(squeeze(order, -1), 'i32');
  }));
}

/** P·x for the row order perm [..., m] (x [..., m, c], batch axes broadcasting): row i of the result is x's row perm[i]. */
function permuteRows(x: Tensor, perm: Tensor): Tensor {
  return takeAlongAxis(x, expandDims(perm, -1), -2);
}

/** Pᵀ·x: the rows of x sent back to where perm took them from. */
function unpermuteRows(x: Tensor, perm: Tensor): Tensor {
  return permuteRows(x, argsort(perm));
}

/** L [..., m, k] (its unit diagonal added) and U [..., k, n] read from packed factors [..., m, n]. */
function unpacked(lu: Tensor): { l: Tensor; u: Tensor } {
  const [m, n] = lu.shape.slice(-2);
  const k = Math.min(m, n);
  return { l: add(corner(tril(lu, -1), m, k), onBackendOf('luUnpack', lu, () => eye(m, k, { dtype: lu.dtype }))), u: corner(triu(lu), k, n) };
}

/**
 * dA for P·A = L·U (A [..., m, n]) from the packed factors, the pivots and
 * dLU. With k = min(m, n), L₁ and U₁ the leading k × k blocks, and L₂ (the
 * rows of L past k, m > n) or U₂ (the columns of U past k, m < n) the rest:
 * M = tril₋₁(Lᵀ·dL) + triu(dU·Uᵀ) − C, C = L₂ᵀ·dL₂ or dU₂·U₂ᵀ (0 square);
 * P·dA = [L₁⁻ᵀ·M·U₁⁻ᵀ | L₁⁻ᵀ·dU₂] for m < n, or that block over dL₂·U₁⁻ᵀ for
 * m > n. (From dA = Pᵀ·(dL·U + L·dU): L₁⁻¹·P·dA·U₁⁻¹ splits into the
 * strictly lower L₁⁻¹·dL₁ and the upper dU₁·U₁⁻¹, and the blocks past k are
 * L₂ = (P·A)₂·U₁⁻¹ or U₂ = L₁⁻¹·(P·A)₂.) The triangular solves read the
 * packed block itself.
 */
function luGrad(op: string, lu: Tensor, pivots: Tensor, dlu: Tensor): Tensor {
  const [m, n] = lu.shape.slice(-2);
  const k = Math.min(m, n);
  const { l, u } = unpacked(lu);
  const dl = corner(tril(dlu, -1), m, k);
  const du = corner(triu(dlu), k, n);
  let middle = add(tril(matmul(l, dl, { transposeA: true }), -1), triu(matmul(du, u, { transposeB: true })));
  if (m > n) middle = sub(middle, matmul(band(l, k, m - k, -2), band(dl, k, m - k, -2), { transposeA: true }));
  if (m < n) middle = sub(middle, matmul(band(du, k, n - k, -1), band(u, k, n - k, -1), { transposeB: true }));
  const block = corner(lu, k, k);
  const lInverseT = (x: Tensor) => solveTriangularMatrices(op, matrixTranspose(block), x, true, true);
  const timesUInverseT = (x: Tensor) => matrixTranspose(solveTriangularMatrices(op, block, matrixTranspose(x), true, false));
  let permuted = timesUInverseT(lInverseT(middle));
  if (m > n) permuted = concat([permuted, timesUInverseT(band(dl, k, m - k, -2))], -2);
  if (m < n) permuted = concat([permuted, lInverseT(band(du, k, n - k, -1))], -1);
  return unpermuteRows(permuted, rowOrder(op, pivots, m));
}

/**
 * The LU factorization with partial pivoting of each matrix of A [..., m,
 * n] (torch.linalg.lu_factor, scipy.linalg.lu_factor), any m and n: P·A =
 * L·U packed into one matrix, with the row swaps as 0-based pivots (see
 * LuFactor; PyTorch's are 1-based). In f32 (f16 cast in, lu cast back). A
 * rectangular matrix is factored as its square zero padding (see the file's
 * head), whose empty steps js and webgpu skip; native's LAPACK does not.
 * A singular matrix still factors, with a 0 on U's diagonal. Differentiable
 * in A where U's leading k × k block (k = min(m, n)) is invertible: A of
 * full rank k.
 */
export function luFactor(A: Tensor): LuFactor {
  checkMatrix('luFactor', A);
  return tidy(() => {
    const a = inF32(A);
    const { lu, pivots } = factorPacked('luFactor', a);
    const recorded = record(lu, 'luFactor', [a], [lu, pivots], (dlu, [slu, spivots]) => [luGrad("luFactor's gradient", slu, spivots, dlu)]);
    return { lu: castTo(recorded, A.dtype), pivots };
  });
}

/** luFactorEx's result: the factors and, per matrix, where U is singular. */
export interface LuFactorEx extends LuFactor {
  /** i32 [...] (A's batch shape): 0, or k + 1 for the first zero U[k, k], k < min(m, n), as LAPACK's getrf's info. */
  info: Tensor;
}

/**
 * luFactor with, per matrix, LAPACK's info (torch.linalg.lu_factor_ex): 0,
 * or k + 1 for the first step k that found no nonzero pivot (U[k, k] = 0:
 * A of rank below min(m, n), and a solve with the factors divides by zero).
 * Worked out on the backend, nothing read back. Differentiable as luFactor.
 */
export function luFactorEx(A: Tensor): LuFactorEx {
  const [m, n] = checkMatrix('luFactorEx', A);
  return tidy(() => {
    const { lu, pivots } = luFactor(A);
    const k = Math.min(m, n);
    const info = noGrad(() => firstFailure('luFactorEx', equal(diagonal('luFactorEx', corner(lu, k, k)), 0)));
    return { lu, pivots, info };
  });
}

/** Checks pivots against factors [..., m, n]: i32 [..., min(m, n)], each pivots[k] in [k, m) where the values can be read at once. */
function checkPivots(op: string, lu: Tensor, pivots: unknown): Tensor {
  const p = checkTensor(op, pivots, 'pivots');
  if (p.dtype !== 'i32') throw new DTypeError(`${op}: pivots must be i32 (as luFactor gives them), got ${p.dtype}`);
  const [m, n] = lu.shape.slice(-2);
  const want = [...lu.shape.slice(0, -2), Math.min(m, n)];
  if (!sameShape(p.shape, want)) {
    throw new ShapeError(`${op}: pivots ${formatShape(p.shape)} do not fit LU ${formatShape(lu.shape)}: want ${formatShape(want)}, one per elimination step of each matrix`);
  }
  const held = heldValues(op, p);
  const k = want[want.length - 1];
  if (held) {
    for (let i = 0; i < held.length; i++) {
      const step = i % k;
      if (!(held[i] >= step && held[i] < m)) throw new ValueError(`${op}: pivots hold ${held[i]} at step ${step} (flat entry ${i}), not a row in [${step}, ${m}): 0-based pivots swap row k with a row at or below it (PyTorch's are 1-based: subtract 1)`);
    }
  }
  return p;
}

/**
 * P, L and U from luFactor's packed factors LU [..., m, n] and pivots
 * (torch.lu_unpack): A = P·L·U with P [..., m, m] a permutation matrix,
 * L [..., m, k] unit lower triangular and U [..., k, n] upper triangular, k
 * = min(m, n), in LU's dtype. Pivots out of range are an error where they
 * can be read at once (js, native). Differentiable in LU.
 */
export function luUnpack(LU: Tensor, pivots: Tensor): Lu {
  const [m] = checkMatrix('luUnpack', LU, 'LU');
  const swaps = checkPivots('luUnpack', LU, pivots);
  return tidy(() => {
    const { l, u } = unpacked(LU);
    const order = rowOrder('luUnpack', swaps, m);
    // Row i of P·A is row perm[i] of A: that is a one at (i, perm[i]) in the P of P·A = L·U, and at (perm[i], i) in A's P.
    return { p: matrixTranspose(oneHot(order, m, LU.dtype)), l, u };
  });
}

/**
 * The LU factorization with partial pivoting of each matrix of A [..., m,
 * n] (torch.linalg.lu, scipy.linalg.lu), any m and n: A = P·L·U (see Lu),
 * luFactor's factors unpacked. Differentiable in A (luFactor's gradient).
 */
export function lu(A: Tensor): Lu {
  checkMatrix('lu', A);
  return tidy(() => {
    const { lu: packed, pivots } = luFactor(A);
    return luUnpack(packed, pivots);
  });
}

/**
 * X = A⁻¹·B (or A⁻ᵀ·B, adjoint) for f32 factors lu [..., n, n] of P·A =
 * L·U, the row order perm [..., n] and B [..., n, c], one batch shape:
 * A⁻¹·B = U⁻¹·L⁻¹·P·B, and Aᵀ = Uᵀ·Lᵀ·P, so A⁻ᵀ·B = Pᵀ·L⁻ᵀ·U⁻ᵀ·B. Each
 * step is differentiable, so this is too, in lu's triangles and in B.
 */
function solveFactored(op: string, lu: Tensor, perm: Tensor, b: Tensor, adjoint: boolean): Tensor {
  if (!adjoint) return solveTriangularMatrices(op, lu, solveTriangularMatrices(op, lu, permuteRows(b, perm), false, true), true, false);
  const luT = matrixTranspose(lu);
  return unpermuteRows(solveTriangularMatrices(op, luT, solveTriangularMatrices(op, luT, b, false, false), true, true), perm);
}

/**
 * The solution X of A·X = B (or X·A = B where `left` is false; Aᵀ in A's
 * place where `adjoint`) from A's LU factors as luFactor gives them
 * (torch.linalg.lu_solve, with 0-based pivots): LU [..., n, n], pivots
 * [..., n] of the same batch, B [..., n, k] (or [..., k, n] from the
 * right), batch axes broadcasting. By substitution in f32 (f16 cast in and
 * the result back). A zero on U's diagonal gives ±∞ or NaN. Differentiable
 * in LU and B.
 */
export function luSolve(LU: Tensor, pivots: Tensor, B: Tensor, options: LuSolveOptions = {}): Tensor {
  const op = 'luSolve';
  const n = checkSquare(op, LU, 'LU');
  const swaps = checkPivots(op, LU, pivots);
  checkMatrix(op, B, 'B');
  const { left = true, adjoint = false } = checkOptions(op, options, LU_SOLVE_OPTIONS);
  const rows = B.shape[B.rank - (left ? 2 : 1)];
  if (rows !== n) {
    const axis = left ? 'rows (its second-to-last axis)' : 'columns (its last axis)';
    throw new ShapeError(`${op}: B ${formatShape(B.shape)} does not match LU ${formatShape(LU.shape)}: B needs ${n} ${axis} to solve with ${n} × ${n} factors ${left ? 'from the left' : 'from the right'}`);
  }
  const batch = broadcastBatch(op, LU, B, { A: LU.shape, B: B.shape });
  return tidy(() => {
    const lu = toBatch(inF32(LU), batch);
    const perm = broadcastTo(rowOrder(op, swaps, n), [...batch, n]);
    const b = toBatch(inF32(B), batch);
    // From the right, X·A = B is Aᵀ·Xᵀ = Bᵀ: the other of the two solves, on Bᵀ.
    const x = left ? solveFactored(op, lu, perm, b, adjoint) : matrixTranspose(solveFactored(op, lu, perm, matrixTranspose(b), !adjoint));
    return castTo(x, promoteTypes(LU.dtype, B.dtype));
  });
}
