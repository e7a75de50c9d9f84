// torch.geqrf, torch.linalg.householder_product and torch.ormqr: the QR
// factorization kept as LAPACK keeps it. Q = H₀·H₁⋯H_{k−1}, each
// Hᵢ = I − τᵢ·vᵢ·vᵢᵀ a Householder reflection whose vector vᵢ (1 at row i,
// 0 above) is stored below the diagonal of A's column i, R on and above it.
//
// The reflections are applied together, not one by one: H₀⋯H_{k−1} =
// I − V·T·Vᵀ (the compact WY form) with T upper triangular and
// T⁻¹ = diag(1/τ) + striu(VᵀV) (Joffrain et al. 2006, "Accumulating
// Householder transformations, revisited"). Written T = (I + D·N)⁻¹·D,
// D = diag(τ), N = striu(VᵀV), it needs no division, so τᵢ = 0 (Hᵢ = I, as
// LAPACK stores a column with nothing to reflect) is no special case: two
// products and one unit-triangular k × k solve, all differentiable, so
// householderProduct and ormqr are too.
//
// geqrf makes the reflections column by column, as LAPACK's sgeqrf does
// (its slarfg, for column j's α on the diagonal and x below it:
// β = −sign(α)·‖(α, x)‖ with −0 negative, τ = (β − α)/β, v = x/(α − β);
// τ = 0 where x is all zero), with ops on the whole batch at each step. It
// is not differentiable (neither is torch's); qr is.
import { tidy } from '../../engine.js';
import { ShapeError, formatShape } from '../../errors.js';
import { promoteTypes } from '../../dtype.js';
import { checkOptions, type OptionNames } from '../../options.js';
import { sameShape } from '../../shape.js';
import { noGrad } from '../../tape.js';
import type { Tensor } from '../../tensor.js';
import { arange, eye, zeros } from '../creation.js';
import { abs, add, div, equal, greater, greaterEqual, less, mul, neg, signbit, sqrt, square, sub, where } from '../elementwise.js';
import { matmul } from '../matmul.js';
import { broadcastTo, concat, expandDims, reshape } from '../movement.js';
import { along } from '../indexing.js';
import { max, sum } from '../reduce.js';
import { tril, triu } from '../triangular.js';
import { onBackendOf } from '../util.js';
import { castTo, checkFloat, checkMatrix, inF32, matrixTranspose } from './matrices.js';
import { solveTriangularMatrices } from './solve_triangular.js';

/** geqrf's result: A's QR factorization in LAPACK's packed form. */
export interface Geqrf {
  /** [..., m, n]: R on and above the diagonal, the reflection vectors vᵢ below it (their leading 1 not stored). */
  a: Tensor;
  /** [..., min(m, n)]: the reflections' scale factors τᵢ. */
  tau: Tensor;
}

/** ormqr's options. */
export interface OrmqrOptions {
  /** Q·C (default true), or C·Q where false. */
  left?: boolean;
  /** Qᵀ in Q's place (default false). */
  transpose?: boolean;
}

const ORMQR_OPTIONS: OptionNames<OrmqrOptions> = { left: 'boolean', transpose: 'boolean' };

/** The reflection vectors [..., rows, k] stored below the diagonal of a's first k columns, with their unit diagonal. */
function reflectionVectors(a: Tensor, k: number): Tensor {
  const rows = a.shape[a.rank - 2];
  const below = tril(along(a, a.rank - 1, 0, k), -1);
  return add(below, onBackendOf('householder', a, () => eye(rows, k, { dtype: a.dtype })));
}

/**
 * Q·C, or Qᵀ·C where `transpose`, for Q = I − V·T·Vᵀ (see the file's head):
 * v [..., rows, k], tau [..., k], c [..., rows, cols], one batch shape, f32.
 */
function applyReflections(op: string, v: Tensor, tau: Tensor, c: Tensor, transpose: boolean): Tensor {
  const vt = matrixTranspose(v);
  const d = expandDims(tau, -1);
  // I + D·N: unit upper triangular, so its solve reads only the strict upper triangle.
  const unitUpper = mul(d, triu(matmul(vt, v), 1));
  const y = matmul(vt, c);
  // T·Y = (I + D·N)⁻¹·(D·Y); Tᵀ·Y = D·(I + D·N)⁻ᵀ·Y.
  const ty = transpose
    ? mul(d, solveTriangularMatrices(op, matrixTranspose(unitUpper), y, false, true))
    : solveTriangularMatrices(op, unitUpper, mul(d, y), true, true);
  return sub(c, matmul(v, ty));
}

/** Checks that tau is a float [...batch, k] for A's batch, k ≤ `most`; its k. */
function checkTau(op: string, A: Tensor, tau: unknown, most: number, mostIs: string): number {
  const t = checkFloat(op, tau, 'tau');
  const batch = A.shape.slice(0, -2);
  if (t.rank !== batch.length + 1 || !sameShape(t.shape.slice(0, -1), batch)) {
    throw new ShapeError(`${op}: tau ${formatShape(t.shape)} does not match A ${formatShape(A.shape)}: tau must be [...batch, k] with A's batch axes ${formatShape(batch)}`);
  }
  const k = t.shape[t.rank - 1];
  if (k > most) throw new ShapeError(`${op}: tau ${formatShape(t.shape)} holds ${k} reflections, more than A ${formatShape(A.shape)} has ${mostIs} (${most})`);
  return k;
}

/**
 * The first n columns of the product of the k Householder reflections that
 * A [..., m, n] and tau [..., k] hold in geqrf's form, m ≥ n ≥ k:
 * [..., m, n], with orthonormal columns when the τᵢ are geqrf's
 * (torch.linalg.householder_product, LAPACK's orgqr). Reads A below its
 * diagonal only. Differentiable in both. In f32 (f16 cast in and the
 * result back).
 */
export function householderProduct(A: Tensor, tau: Tensor): Tensor {
  const op = 'householderProduct';
  const [m, n] = checkMatrix(op, A);
  if (m < n) throw new ShapeError(`${op}: A ${formatShape(A.shape)} has fewer rows than columns; the product's first n columns need m ≥ n`);
  const k = checkTau(op, A, tau, n, 'columns');
  return tidy(() => {
    const a = inF32(A);
    const identity = onBackendOf(op, a, () => eye(m, n));
    const q = applyReflections(op, reflectionVectors(a, k), inF32(tau), broadcastTo(identity, [...A.shape.slice(0, -2), m, n]), false);
    return castTo(q, promoteTypes(A.dtype, tau.dtype));
  });
}

/**
 * Q·C (or C·Q, Qᵀ·C, C·Qᵀ by `left` and `transpose`) for the m × m
 * orthogonal Q whose reflections A [..., m, k'] and tau [..., k] hold in
 * geqrf's form, without forming Q (torch.ormqr): C is [..., m, n] from the
 * left, [..., n, m] from the right; batch axes as A's. Differentiable in A
 * (below its diagonal), tau and C.
 */
export function ormqr(A: Tensor, tau: Tensor, C: Tensor, options: OrmqrOptions = {}): Tensor {
  const op = 'ormqr';
  const [m, columns] = checkMatrix(op, A);
  checkMatrix(op, C, 'C');
  const { left = true, transpose = false } = checkOptions(op, options, ORMQR_OPTIONS);
  const k = checkTau(op, A, tau, Math.min(m, columns), 'rows or columns');
  const meets = C.shape[C.rank - (left ? 2 : 1)];
  if (meets !== m || !sameShape(C.shape.slice(0, -2), A.shape.slice(0, -2))) {
    const where = left ? `${m} rows (its second-to-last axis)` : `${m} columns (its last axis)`;
    throw new ShapeError(`${op}: C ${formatShape(C.shape)} does not match A ${formatShape(A.shape)}: C needs A's batch axes and ${where} to multiply by the ${m} × ${m} Q ${left ? 'from the left' : 'from the right'}`);
  }
  return tidy(() => {
    const v = reflectionVectors(inF32(A), k);
    const t = inF32(tau);
    const c = inF32(C);
    // C·Q = (Qᵀ·Cᵀ)ᵀ.
    const out = left ? applyReflections(op, v, t, c, transpose) : matrixTranspose(applyReflections(op, v, t, matrixTranspose(c), !transpose));
    return castTo(out, promoteTypes(promoteTypes(A.dtype, tau.dtype), C.dtype));
  });
}

/** One geqrf step on a [..., m, n]: column j's reflection made and applied to the columns after it; a and column j's τ [..., 1, 1]. */
function reflectColumn(a: Tensor, j: number, rows: Tensor, columns: Tensor): { a: Tensor; tau: Tensor } {
  const column = along(a, a.rank - 1, j, 1);
  const below = where(greater(rows, j), column, 0);
  const alpha = along(column, a.rank - 2, j, 1);
  // ‖column from row j‖, scaled by its largest magnitude so that squares neither overflow nor underflow.
  const scale = max(abs(where(greaterEqual(rows, j), column, 0)), -2, { keepDims: true });
  const safe = where(greater(scale, 0), scale, 1);
  const belowSquares = sum(square(div(below, safe)), -2, { keepDims: true });
  const norm = mul(sqrt(add(square(div(alpha, safe)), belowSquares)), safe);
  // Judged on the entries, not their scaled squares, which underflow beside a much larger α.
  const reflects = greater(max(abs(below), -2, { keepDims: true }), 0);
  // LAPACK's SIGN reads −0 as negative: β = +‖·‖ there.
  const beta = where(signbit(alpha), norm, neg(norm));
  const tau = where(reflects, div(sub(beta, alpha), beta), 0);
  const v = where(reflects, div(below, sub(alpha, beta)), 0);
  const vector = add(v, equal(rows, j).cast('f32'));
  // The columns after j: a − τ·v·(vᵀ·a).
  const projected = where(greater(columns, j), matmul(matrixTranspose(vector), a), 0);
  const reflected = sub(a, mul(mul(tau, vector), projected));
  const stored = where(less(rows, j), column, where(equal(rows, j), where(reflects, beta, alpha), v));
  return { a: where(equal(columns, j), stored, reflected), tau };
}

/**
 * A [..., m, n]'s QR factorization in LAPACK's packed form (torch.geqrf,
 * LAPACK's sgeqrf): `a` holds R on and above the diagonal and the
 * reflection vectors below it, `tau` their scale factors, for
 * householderProduct (Q's first columns) and ormqr (products with Q). Not
 * differentiable (torch's is not either; qr is). In f32 (f16 cast in and
 * the results back).
 */
export function geqrf(A: Tensor): Geqrf {
  const op = 'geqrf';
  const [m, n] = checkMatrix(op, A);
  const k = Math.min(m, n);
  const batch = A.shape.slice(0, -2);
  if (k === 0) return onBackendOf(op, A, () => ({ a: zeros(A.shape, { dtype: A.dtype }), tau: zeros([...batch, 0], { dtype: A.dtype }) }));
  return noGrad(() => tidy(() => {
    let a = inF32(A);
    const rows = onBackendOf(op, a, () => reshape(arange(0, m), [m, 1]));
    const columns = onBackendOf(op, a, () => reshape(arange(0, n), [1, n]));
    const taus: Tensor[] = [];
    for (let j = 0; j < k; j++) {
      const step = reflectColumn(a, j, rows, columns);
      a = step.a;
      taus.push(reshape(step.tau, [...batch, 1]));
    }
    return { a: castTo(a, A.dtype), tau: castTo(concat(taus, -1), A.dtype) };
  }));
}
