// tm.linalg.ldlFactor, ldlFactorEx and ldlSolve: the Bunch–Kaufman
// factorization of a symmetric (possibly indefinite) matrix, A = L·D·Lᵀ
// with D block diagonal, and solves from it (torch.linalg.ldl_factor,
// ldl_factor_ex and ldl_solve; LAPACK's sytrf and sytrs), on the backend's
// ldlFactor and ldlSolve kernels. It is what Cholesky is for a matrix that
// is not positive definite: half LU's work, and it keeps the symmetry.
//
// The factors are LAPACK's packed form, which PyTorch returns too (see
// src/backends/js/ldl.ts): not L and D apart, so they are read back only by
// ldlSolve. Pivots are 0-based at a 1 × 1 block and −(p + 1) at a 2 × 2 one:
// PyTorch's less one where positive, the same where negative.
//
// Neither op is differentiable in the factors (PyTorch's are not at all):
// a backward pass that reaches them is an error naming the op. ldlSolve is
// differentiable in B, its right-hand side.
import { tidy } from '../../engine.js';
import { DTypeError, ShapeError, ValueError, formatShape } from '../../errors.js';
import { promoteTypes } from '../../dtype.js';
import { checkOptions, type OptionNames } from '../../options.js';
import { sameShape, sizeOf } from '../../shape.js';
import { noGrad, record } from '../../tape.js';
import type { Tensor } from '../../tensor.js';
import { equal, greaterEqual } from '../elementwise.js';
import { isNaN, logicalAnd, logicalOr } from '../logical.js';
import { zeros } from '../creation.js';
import { broadcastTo } from '../movement.js';
import { allocating, checkTensor, computed, fromStorage, heldValues, onBackendOf } from '../util.js';
import { broadcastBatch, castTo, checkMatrix, checkSquare, diagonal, firstFailure, inF32, toBatch } from './matrices.js';
import { linalgOf } from '../../backends/linalg.js';

/** ldlFactor's result: A's Bunch–Kaufman factors in LAPACK's packed form. */
export interface LdlFactor {
  /** [..., n, n]: D's blocks on and just below the diagonal, L's columns below them, 0 above the diagonal. */
  ld: Tensor;
  /** i32 [..., n]: p ≥ 0 at a 1 × 1 block (row and column k interchanged with p), −(p + 1) on both rows of a 2 × 2 one. */
  pivots: Tensor;
}

/** ldlFactorEx's result: the factors and, per matrix, where D is singular. */
export interface LdlFactorEx extends LdlFactor {
  /** i32 [...] (A's batch shape): 0, or k + 1 for the first 1 × 1 block D[k, k] that is exactly 0 (or NaN), as LAPACK's info. */
  info: Tensor;
}

/** The options of ldlFactor, ldlFactorEx and ldlSolve, torch.linalg's. */
export interface LdlOptions {
  /** A is Hermitian rather than symmetric: the same thing for the real matrices tmnn holds (default false). */
  hermitian?: boolean;
}

const OPTIONS: OptionNames<LdlOptions> = { hermitian: 'boolean' };

/** Where a backward pass reaches the factors: PyTorch has no derivative for them either. */
function noFactorGradient(op: string): never {
  throw new ValueError(`${op}: the Bunch–Kaufman factors have no gradient (PyTorch's have none either): differentiate through solve, inv or eigh instead`);
}

/** The packed factors and pivots of f32 a [..., n, n], recorded so that a gradient reaching them is an error. */
function factor(op: string, a: Tensor): LdlFactor {
  const n = a.shape[a.rank - 1];
  const batch = a.shape.slice(0, -2);
  if (sizeOf(a.shape) === 0) return onBackendOf(op, a, () => ({ ld: zeros(a.shape), pivots: zeros([...batch, n], { dtype: 'i32' }) }));
  const backend = a.dataRef(op).backend;
  const { ld, pivots } = allocating(op, a.shape, 4, () => linalgOf(backend).ldlFactor({ ...a.info(op), shape: [sizeOf(batch), n, n] }));
  const factors = fromStorage(backend, ld, a.shape, 'f32');
  return { ld: record(factors, op, [a], [], () => noFactorGradient(op)), pivots: fromStorage(backend, pivots, [...batch, n], 'i32') };
}

/**
 * The Bunch–Kaufman factorization of each symmetric matrix of A [..., n,
 * n] (torch.linalg.ldl_factor): A = L·D·Lᵀ with D block diagonal (1 × 1
 * and 2 × 2 blocks) and L a product of symmetric interchanges and unit
 * lower triangular steps, packed in LAPACK's form (see LdlFactor). Only A's
 * lower triangle is read. In f32 (f16 cast in, ld cast back). A singular A
 * still factors, with a zero block in D (ldlFactorEx says where; PyTorch's
 * ldl_factor fails on one with an internal assertion). Not differentiable.
 */
export function ldlFactor(A: Tensor, options: LdlOptions = {}): LdlFactor {
  checkSquare('ldlFactor', A);
  checkOptions('ldlFactor', options, OPTIONS);
  return tidy(() => {
    const { ld, pivots } = factor('ldlFactor', inF32(A));
    return { ld: castTo(ld, A.dtype), pivots };
  });
}

/**
 * ldlFactor with, per matrix, LAPACK's info (torch.linalg.ldl_factor_ex):
 * 0, or k + 1 for the first 1 × 1 block of D that is exactly zero (or NaN),
 * where A is singular and a solve with the factors divides by zero. Worked
 * out on the backend, nothing read back.
 */
export function ldlFactorEx(A: Tensor, options: LdlOptions = {}): LdlFactorEx {
  checkSquare('ldlFactorEx', A);
  checkOptions('ldlFactorEx', options, OPTIONS);
  return tidy(() => {
    const { ld, pivots } = factor('ldlFactorEx', inF32(A));
    const info = noGrad(() => {
      const d = diagonal('ldlFactorEx', ld);
      return firstFailure('ldlFactorEx', logicalAnd(greaterEqual(pivots, 0), logicalOr(equal(d, 0), isNaN(d))));
    });
    return { ld: castTo(ld, A.dtype), pivots, info };
  });
}

/**
 * Checks pivots against factors [..., n, n]: i32 [..., n], and where the
 * values can be read at once, each step a 1 × 1 block p in [k, n) or a
 * 2 × 2 one, −(p + 1) on rows k and k + 1 with p in (k, n).
 */
function checkPivots(op: string, ld: Tensor, pivots: unknown): Tensor {
  const p = checkTensor(op, pivots, 'pivots');
  if (p.dtype !== 'i32') throw new DTypeError(`${op}: pivots must be i32 (as ldlFactor gives them), got ${p.dtype}`);
  const want = ld.shape.slice(0, -1);
  if (!sameShape(p.shape, want)) throw new ShapeError(`${op}: pivots ${formatShape(p.shape)} do not fit LD ${formatShape(ld.shape)}: want ${formatShape(want)}, one per row of each matrix`);
  const held = heldValues(op, p);
  const n = want[want.length - 1];
  if (!held || n === 0) return p;
  const refuse = (flat: number, why: string) => {
    throw new ValueError(`${op}: pivots hold ${held[flat]} at row ${flat % n} (flat entry ${flat}): ${why} (PyTorch's are 1-based where positive: subtract 1 there)`);
  };
  for (let start = 0; start < held.length; start += n) {
    for (let k = 0; k < n; k++) {
      const v = held[start + k];
      if (v >= 0) {
        if (v < k || v >= n) refuse(start + k, `a 1 × 1 block's interchange must name a row in [${k}, ${n})`);
        continue;
      }
      if (k + 1 >= n || held[start + k + 1] !== v) refuse(start + k, 'a 2 × 2 block needs the same negative value on its two rows');
      if (-v - 1 <= k || -v - 1 >= n) refuse(start + k, `a 2 × 2 block's interchange −(p + 1) must name a row p in (${k}, ${n})`);
      k++;
    }
  }
  return p;
}

/** X = A⁻¹·B for f32 factors ld [..., n, n] and b [..., n, k] of one batch shape, pivots [..., n]: differentiable in b (A is symmetric: dB = A⁻¹·dX). */
function solveFactored(op: string, ld: Tensor, pivots: Tensor, b: Tensor): Tensor {
  const backend = ld.dataRef(op).backend;
  const [n, k] = b.shape.slice(-2);
  const batch = sizeOf(b.shape.slice(0, -2));
  const x = computed(op, backend, b.shape, 'f32', () =>
    linalgOf(backend).ldlSolve({ ...ld.info(op), shape: [batch, n, n] }, { ...pivots.info(op), shape: [batch, n] }, { ...b.info(op), shape: [batch, n, k] }));
  return record(x, op, [ld, b], [ld, pivots], (dx, [sld, spivots], needs) => {
    if (needs[0]) noFactorGradient(op);
    return [null, solveFactored(op, sld, spivots, dx)];
  });
}

/**
 * The solution X of A·X = B from A's Bunch–Kaufman factors as ldlFactor
 * gives them (torch.linalg.ldl_solve, with 0-based pivots where positive):
 * LD [..., n, n], pivots [..., n] of the same batch, B [..., n, k], batch
 * axes broadcasting. In f32 (f16 cast in and the result back). A singular
 * block of D gives ±∞ or NaN. Pivots not of the packed form are an error
 * where they can be read at once (js, native) and give NaN on webgpu.
 * Differentiable in B (PyTorch's is not at all); a gradient reaching LD is
 * an error.
 */
export function ldlSolve(LD: Tensor, pivots: Tensor, B: Tensor, options: LdlOptions = {}): Tensor {
  const op = 'ldlSolve';
  const n = checkSquare(op, LD, 'LD');
  const swaps = checkPivots(op, LD, pivots);
  checkMatrix(op, B, 'B');
  checkOptions(op, options, OPTIONS);
  if (B.shape[B.rank - 2] !== n) {
    throw new ShapeError(`${op}: B ${formatShape(B.shape)} does not match LD ${formatShape(LD.shape)}: B needs ${n} rows (its second-to-last axis) to solve with ${n} × ${n} factors`);
  }
  const batch = broadcastBatch(op, LD, B, { A: LD.shape, B: B.shape });
  return tidy(() => {
    const b = toBatch(inF32(B), batch);
    const x = sizeOf(b.shape) === 0 ? onBackendOf(op, b, () => zeros(b.shape)) : solveFactored(op, toBatch(inF32(LD), batch), broadcastTo(swaps, [...batch, n]), b);
    return castTo(x, promoteTypes(LD.dtype, B.dtype));
  });
}
