// torch.svd_lowrank and torch.pca_lowrank: a rank-q SVD of a large matrix
// by random projection (Halko, Martinsson & Tropp 2011, "Finding structure
// with randomness", algorithms 4.4 and 5.1), for when q is far below m and n
// and the full SVD would be wasted work. An orthonormal basis Q [m, q] of
// A's range is found from A·Ω for Gaussian Ω [n, q], sharpened by `niter`
// power iterations (each re-orthonormalised through QR, or rounding would
// leave only the top direction); then the small B = Qᵀ·A [q, n] is
// decomposed exactly and its left vectors carried back through Q. Built of
// matmul, qr and svd, so it runs on every backend and is differentiable
// wherever those are (for a given Ω: pass a seed to fix it).
import { tidy } from '../../engine.js';
import { ShapeError, ValueError, formatShape, formatValue } from '../../errors.js';
import { checkOptions, type OptionNames } from '../../options.js';
import type { Tensor } from '../../tensor.js';
import { randn } from '../creation.js';
import { sub } from '../elementwise.js';
import { matmul } from '../matmul.js';
import { mean } from '../reduce.js';
import { onBackendOf } from '../util.js';
import { castTo, checkMatrix, inF32, matrixTranspose } from './matrices.js';
import { qr } from './qr.js';
import { svd } from './svd.js';

/** svdLowrank's options, torch.svd_lowrank's. */
export interface SvdLowrankOptions {
  /** The rank wanted, at most min(m, n) (default 6, or min(m, n) where that is smaller). A few more than needed sharpens the leading ones. */
  q?: number;
  /** Power iterations (default 2): each costs two products with A and sharpens a slowly decaying spectrum. */
  niter?: number;
  /** Subtract M (broadcasting to A) first: the decomposition of A − M without forming it in a caller's code. */
  M?: Tensor;
  /** The seed of the Gaussian test matrix Ω (default a fresh draw from tmnn's random sequence). */
  seed?: number;
}

/** pcaLowrank's options, torch.pca_lowrank's. */
export interface PcaLowrankOptions {
  /** The number of components (default min(6, m, n)). */
  q?: number;
  /** Subtract each column's mean first (default true): principal components, not a plain SVD. */
  center?: boolean;
  /** Power iterations (default 2). */
  niter?: number;
  /** The seed of the random test matrix. */
  seed?: number;
}

/** A rank-q SVD, torch's (U, S, V): A ≈ U·diag(S)·Vᵀ. Note V, not Vᵀ (svd's vh), as torch returns it. */
export interface LowrankSvd {
  /** [..., m, q], orthonormal columns. */
  u: Tensor;
  /** [..., q], descending. */
  s: Tensor;
  /** [..., n, q], orthonormal columns. */
  v: Tensor;
}

const SVD_OPTIONS: OptionNames<SvdLowrankOptions> = { q: true, niter: true, M: true, seed: true };
const PCA_OPTIONS: OptionNames<PcaLowrankOptions> = { q: true, center: 'boolean', niter: true, seed: true };

/** The checked q and niter of A [..., m, n] in `op`'s name. */
function checkSizes(op: string, A: Tensor, q: number | undefined, niter: number | undefined): { q: number; niter: number } {
  const [m, n] = checkMatrix(op, A);
  const k = Math.min(m, n);
  const rank = q ?? Math.min(6, k);
  if (!Number.isSafeInteger(rank) || rank < 1 || rank > k) {
    throw new ValueError(`${op}: q must be an integer from 1 to min(m, n) = ${k} for A ${formatShape(A.shape)}, got ${formatValue(q)}`);
  }
  const iterations = niter ?? 2;
  if (!Number.isSafeInteger(iterations) || iterations < 0) throw new ValueError(`${op}: niter must be a non-negative integer, got ${formatValue(niter)}`);
  return { q: rank, niter: iterations };
}

/** An orthonormal basis [..., m, q] of (nearly) A's leading q-dimensional range: orth(A·Ω), then niter rounds of orth(A·orth(Aᵀ·Q)). */
function rangeBasis(a: Tensor, q: number, niter: number, seed: number | undefined): Tensor {
  const n = a.shape[a.rank - 1];
  const omega = onBackendOf('svdLowrank', a, () => randn([n, q], seed === undefined ? {} : { seed }));
  let basis = qr(matmul(a, omega)).q;
  for (let i = 0; i < niter; i++) {
    basis = qr(matmul(a, qr(matmul(a, basis, { transposeA: true })).q)).q;
  }
  return basis;
}

/** svdLowrank of checked f32 a with q and niter checked: U from Q·(B's left vectors), V from B's right ones. */
function lowrank(a: Tensor, q: number, niter: number, seed: number | undefined): LowrankSvd {
  const basis = rangeBasis(a, q, niter, seed);
  const { u, s, vh } = svd(matmul(basis, a, { transposeA: true }));
  return { u: matmul(basis, u), s, v: matrixTranspose(vh) };
}

/**
 * A rank-q singular value decomposition of each matrix of A [..., m, n]
 * (torch.svd_lowrank): { u [..., m, q], s [..., q], v [..., n, q] } with
 * A ≈ U·diag(S)·Vᵀ — exact (to rounding) where A has rank ≤ q, and close
 * to the q leading singular triplets where its spectrum decays past q (the
 * more so with niter). Random: pass `seed` for the same result twice. In
 * f32 (f16 cast in and the results back). Differentiable for a fixed Ω.
 */
export function svdLowrank(A: Tensor, options: SvdLowrankOptions = {}): LowrankSvd {
  const op = 'svdLowrank';
  const given = checkOptions(op, options, SVD_OPTIONS);
  const { q, niter } = checkSizes(op, A, given.q, given.niter);
  if (given.M !== undefined) {
    checkMatrix(op, given.M, 'M');
    const m = given.M.shape;
    const fits = m.length <= A.rank && m.every((d, i) => d === 1 || d === A.shape[A.rank - m.length + i]);
    if (!fits) throw new ShapeError(`${op}: M ${formatShape(m)} must broadcast to A ${formatShape(A.shape)}`);
  }
  return tidy(() => {
    const a = given.M === undefined ? inF32(A) : sub(inF32(A), inF32(given.M));
    const { u, s, v } = lowrank(a, q, niter, given.seed);
    return { u: castTo(u, A.dtype), s: castTo(s, A.dtype), v: castTo(v, A.dtype) };
  });
}

/**
 * Principal component analysis of each matrix of A [..., m, n], rows the
 * samples and columns the features (torch.pca_lowrank): svdLowrank of A
 * less its column means (`center`, the default), q components (default
 * min(6, m, n)). V's columns are the principal directions, S²/(m − 1) the
 * variances they explain, and U·diag(S) the samples' coordinates along them.
 */
export function pcaLowrank(A: Tensor, options: PcaLowrankOptions = {}): LowrankSvd {
  const op = 'pcaLowrank';
  const given = checkOptions(op, options, PCA_OPTIONS);
  const { q, niter } = checkSizes(op, A, given.q, given.niter);
  return tidy(() => {
    const a = inF32(A);
    const { u, s, v } = lowrank(given.center === false ? a : sub(a, mean(a, -2, { keepDims: true })), q, niter, given.seed);
    return { u: castTo(u, A.dtype), s: castTo(s, A.dtype), v: castTo(v, A.dtype) };
  });
}
