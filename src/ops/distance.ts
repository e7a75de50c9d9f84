// Similarities and distances between vectors, and vectors scaled to unit norm,
// as PyTorch's F.cosine_similarity, F.pairwise_distance, torch.cdist,
// torch.pdist, torch.dist and F.normalize, with their epsilons where PyTorch
// puts them: each decides what a zero (or nearly zero) vector gives, and a
// result that agrees with PyTorch's there too is what lets a model trained
// there behave the same here.
import { tidy } from '../engine.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { isFloat } from '../dtype.js';
import { cast } from './cast.js';
import { abs, clip, equal, maximum, notEqual, pow, sqrt, sub, where } from './elementwise.js';
import { tensor } from './creation.js';
import { matmul } from './matmul.js';
import { broadcastTo, expandDims, gather, reshape } from './movement.js';
import { mean, min, sum } from './reduce.js';
import { checkTensor, onBackendOf } from './util.js';
import { norm } from './norms.js';
import { checkOptions, type OptionNames } from '../options.js';
import { broadcastShapes, normalizeAxis, sameShape } from '../shape.js';
import { noGrad } from '../tape.js';
import type { Tensor } from '../tensor.js';

function checkFloat(where: string, name: string, x: Tensor): void {
  if (!isFloat(x.dtype)) throw new DTypeError(`${where}: ${name} must be f32 or f16, got ${x.dtype}`);
}

export function checkEpsilon(where: string, epsilon: unknown): asserts epsilon is number {
  if (typeof epsilon !== 'number' || !(epsilon >= 0) || !Number.isFinite(epsilon)) throw new ValueError(`${where}: epsilon must be a finite number ≥ 0, got ${formatValue(epsilon)}`);
}

/** A p of a p-norm: a number > 0, or Infinity (the largest |x|). */
export function checkP(where: string, p: unknown): asserts p is number {
  if (typeof p !== 'number' || !(p > 0)) throw new ValueError(`${where}: p must be a number > 0 or Infinity, got ${formatValue(p)}`);
}

/** (Σ|x|ᵖ)^(1/p) over `axis`: through tm.norm for 1, 2 and Infinity, whose gradients at 0 are 0. */
function pNorm(x: Tensor, p: number, axis: number, keepDims: boolean): Tensor {
  if (p === 1 || p === 2 || p === Infinity) return norm(x, axis, { ord: p, keepDims });
  return x.abs().pow(p).sum(axis, { keepDims }).pow(1 / p);
}

/** a and b broadcast to one shape, as PyTorch expands them before reducing. */
function broadcastPair(where: string, a: Tensor, b: Tensor): [Tensor, Tensor] {
  const shape = broadcastShapes(where, a.shape, b.shape);
  return [sameShape(a.shape, shape) ? a : broadcastTo(a, shape), sameShape(b.shape, shape) ? b : broadcastTo(b, shape)];
}

export interface CosineSimilarityOptions {
  /** The axis the vectors lie along (default 1, PyTorch's dim). */
  axis?: number;
  /** The least norm a vector is divided by (default 1e-8, PyTorch's eps). */
  epsilon?: number;
}

const COSINE_OPTIONS: OptionNames<CosineSimilarityOptions> = { axis: true, epsilon: true };

/**
 * The cosine of the angle between the vectors of a and b along `axis`
 * (broadcast together first), that axis removed, as PyTorch's (2.x)
 * F.cosine_similarity: Σ (a / max(‖a‖, ε)) · (b / max(‖b‖, ε)), each norm
 * clamped on its own (not the product of the norms, as PyTorch before 1.12
 * did), which keeps the result in [−1, 1]. As there, the clamp is left out of
 * the gradient: it flows through each norm as if unclamped.
 */
export function cosineSimilarity(a: Tensor, b: Tensor, options: CosineSimilarityOptions = {}): Tensor {
  const { axis = 1, epsilon = 1e-8 } = checkOptions('cosineSimilarity', options, COSINE_OPTIONS);
  checkFloat('cosineSimilarity', 'a', a);
  checkFloat('cosineSimilarity', 'b', b);
  checkEpsilon('cosineSimilarity', epsilon);
  return tidy(() => {
    const [x, y] = broadcastPair('cosineSimilarity', a, b);
    const at = normalizeAxis('cosineSimilarity', axis, x.rank);
    const unit = (t: Tensor) => {
      const n = norm(t, at, { keepDims: true });
      // max(‖t‖, ε) in value, ‖t‖ to the gradient: PyTorch clamps in place under no_grad.
      return t.div(n.add(noGrad(() => maximum(n, epsilon).sub(n))));
    };
    return unit(x).mul(unit(y)).sum(at);
  });
}

export interface PairwiseDistanceOptions {
  /** The norm's p (default 2): any number > 0, or Infinity for the largest difference. */
  p?: number;
  /** Added to every difference before the norm (default 1e-6, PyTorch's eps). */
  epsilon?: number;
  /** Keep the reduced last axis with size 1 (default false). */
  keepDims?: boolean;
}

const PAIRWISE_OPTIONS: OptionNames<PairwiseDistanceOptions> = { p: true, epsilon: true, keepDims: 'boolean' };

/**
 * The p-norm distance between the vectors of a and b along the last axis
 * (broadcast together first), as PyTorch's F.pairwise_distance:
 * ‖a − b + ε‖ₚ, ε added to each difference (so equal vectors are ε·n^(1/p)
 * apart, not 0, and the gradient stays finite).
 */
export function pairwiseDistance(a: Tensor, b: Tensor, options: PairwiseDistanceOptions = {}): Tensor {
  const { p = 2, epsilon = 1e-6, keepDims = false } = checkOptions('pairwiseDistance', options, PAIRWISE_OPTIONS);
  checkFloat('pairwiseDistance', 'a', a);
  checkFloat('pairwiseDistance', 'b', b);
  checkP('pairwiseDistance', p);
  checkEpsilon('pairwiseDistance', epsilon);
  const rank = broadcastShapes('pairwiseDistance', a.shape, b.shape).length;
  if (rank === 0) throw new ValueError('pairwiseDistance: a and b are scalars; the vectors lie along the last axis');
  return tidy(() => pNorm(sub(a, b).add(epsilon), p, rank - 1, keepDims));
}

export interface NormalizeOptions {
  /** The norm's p (default 2): any number > 0, or Infinity. */
  p?: number;
  /** The axis the vectors lie along (default 1, PyTorch's dim). */
  axis?: number;
  /** The least norm a vector is divided by (default 1e-12, PyTorch's eps). */
  epsilon?: number;
}

const NORMALIZE_OPTIONS: OptionNames<NormalizeOptions> = { p: true, axis: true, epsilon: true };

/**
 * x's vectors along `axis` scaled to unit p-norm, as PyTorch's F.normalize:
 * x / max(‖x‖ₚ, ε), so a zero vector stays zero; the gradient is clamp's
 * (none through the norm where it is below ε).
 */
export function normalize(x: Tensor, options: NormalizeOptions = {}): Tensor {
  const { p = 2, axis = 1, epsilon = 1e-12 } = checkOptions('normalize', options, NORMALIZE_OPTIONS);
  checkFloat('normalize', 'x', x);
  checkP('normalize', p);
  checkEpsilon('normalize', epsilon);
  const at = normalizeAxis('normalize', axis, x.rank);
  return tidy(() => x.div(clip(pNorm(x, p, at, true), epsilon, Infinity)));
}

export type CdistComputeMode = 'auto' | 'matmul' | 'direct';

export interface CdistOptions {
  /** The norm's p (default 2): 0 (how many coordinates differ), any number > 0, or Infinity (the largest difference). */
  p?: number;
  /**
   * How Euclidean (p = 2) distances are worked out: 'matmul' as
   * √(‖a‖² + ‖b‖² − 2a·b) through one matrix product (fast, but the
   * subtraction loses digits between points close together: a point's
   * distance to itself comes out near 1e-3, not 0), 'direct' from each
   * difference (exact, and P·R·M entries of memory), 'auto' (the default,
   * PyTorch's) matmul where either set holds more than 25 vectors. Other p
   * are always direct.
   */
  computeMode?: CdistComputeMode;
}

const CDIST_OPTIONS: OptionNames<CdistOptions> = { p: true, computeMode: true };
const COMPUTE_MODES: readonly CdistComputeMode[] = ['auto', 'matmul', 'direct'];

/**
 * The p-norm distance between every vector of x1 [..., P, M] and every
 * vector of x2 [..., R, M] (torch.cdist): [..., P, R], the batch axes
 * broadcast. Gradients flow to both; a zero distance has gradient 0, as
 * PyTorch's.
 */
export function cdist(x1: Tensor, x2: Tensor, options: CdistOptions = {}): Tensor {
  const { p = 2, computeMode = 'auto' } = checkOptions('cdist', options, CDIST_OPTIONS);
  checkFloat('cdist', 'x1', x1);
  checkFloat('cdist', 'x2', x2);
  if (p !== 0) checkP('cdist', p);
  if (!COMPUTE_MODES.includes(computeMode)) throw new ValueError(`cdist: computeMode must be 'auto', 'matmul' or 'direct', got ${formatValue(computeMode)}`);
  if (x1.rank < 2 || x2.rank < 2 || x1.shape[x1.rank - 1] !== x2.shape[x2.rank - 1]) {
    throw new ShapeError(`cdist: x1 and x2 must be [..., P, M] and [..., R, M] (vectors of one length M), got ${formatShape(x1.shape)} and ${formatShape(x2.shape)}`);
  }
  broadcastShapes('cdist', x1.shape.slice(0, -2), x2.shape.slice(0, -2));
  const byMatmul = p === 2 && (computeMode === 'matmul' || (computeMode === 'auto' && Math.max(x1.shape[x1.rank - 2], x2.shape[x2.rank - 2]) > 25));
  return tidy(() => (byMatmul ? euclideanByMatmul(x1, x2) : cdistDirect(x1, x2, p)));
}

/** Every difference [..., P, R, M] reduced along M: exact, and P·R·M entries. */
function cdistDirect(x1: Tensor, x2: Tensor, p: number): Tensor {
  const differences = sub(expandDims(x1, -2), expandDims(x2, -3));
  const last = differences.rank - 1;
  if (p === 0) return cast(sum(notEqual(differences, 0), last), differences.dtype);
  return pNorm(differences, p, last, false);
}

/**
 * √(‖a‖² + ‖b‖² − 2a·b) through one matmul, both sets moved by x1's mean
 * first: distances do not change, and the cancellation the subtraction
 * suffers shrinks with the norms. The squares are clamped to 1e-30 before
 * the root, as PyTorch does, so that a zero distance has gradient 0, not
 * ∞. f16 is worked in f32, where 1e-30 is not 0.
 */
function euclideanByMatmul(x1: Tensor, x2: Tensor): Tensor {
  const dtype = x1.dtype === 'f32' || x2.dtype === 'f32' ? 'f32' : 'f16';
  const [wide1, wide2] = [x1, x2].map((t) => (t.dtype === 'f32' ? t : cast(t, 'f32')));
  const centre = mean(wide1, -2, { keepDims: true });
  const [a, b] = [sub(wide1, centre), sub(wide2, centre)];
  const squared = sum(a.square(), -1, { keepDims: true })
    .add(expandDims(sum(b.square(), -1), -2))
    .sub(matmul(a, b, { transposeB: true }).mul(2));
  const d = sqrt(maximum(squared, 1e-30));
  return dtype === 'f16' ? cast(d, 'f16') : d;
}

/**
 * The p-norm of d's vectors along `axis`: p 0 counts the non-zero entries
 * (no gradient), 1, 2 and ∞ go through tm.norm (gradient 0 at a zero
 * vector), −∞ is the smallest |d|, and any other p is (Σ|d|ᵖ)^(1/p), with
 * gradient 0 (PyTorch's) where the ∞·0 of a power's slope at 0 would put
 * NaN: at a zero entry (for p > 0) and a zero vector.
 */
function vectorNorm(d: Tensor, p: number, axis: number): Tensor {
  if (p === 0) return cast(sum(notEqual(d, 0), axis), d.dtype);
  if (p === 1 || p === 2 || p === Infinity) return norm(d, axis, { ord: p });
  if (p === -Infinity) return min(abs(d), axis);
  const a = abs(d);
  // A negative p keeps 0ᵖ = ∞ (the norm is then 0).
  const nonzero = p > 0 ? notEqual(a, 0) : null;
  const powered = nonzero ? where(nonzero, pow(where(nonzero, a, 1), p), 0) : pow(a, p);
  const s = sum(powered, axis);
  const zero = equal(s, 0);
  return where(zero, 0, pow(where(zero, 1, s), 1 / p));
}

/**
 * The p-norm distance between every pair of rows i < j of x [n, m]
 * (torch.pdist, scipy's pdist): [n(n − 1)/2], pairs in row-major order
 * ((0, 1), (0, 2), …, (1, 2), …), p 0 (coordinates that differ), any p > 0
 * or Infinity. The upper triangle of cdist(x, x) without working out the
 * rest: the rows of each pair gathered and their difference's norm taken
 * directly (exact, as PyTorch's; n(n − 1)/2·m entries of memory).
 * Differentiable (gathers and a norm); a zero distance has gradient 0.
 */
export function pdist(x: Tensor, p = 2): Tensor {
  checkTensor('pdist', x);
  checkFloat('pdist', 'x', x);
  if (typeof p !== 'number' || !(p >= 0)) throw new ValueError(`pdist: p must be a number ≥ 0 or Infinity, got ${formatValue(p)}`);
  if (x.rank !== 2) throw new ShapeError(`pdist: x must be [n, m] (n vectors of length m), got ${formatShape(x.shape)}`);
  const n = x.shape[0];
  const count = n < 2 ? 0 : (n * (n - 1)) / 2;
  const [rows, columns] = [new Int32Array(count), new Int32Array(count)];
  for (let i = 0, k = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++, k++) [rows[k], columns[k]] = [i, j];
  }
  return tidy(() => {
    const [first, second] = onBackendOf('pdist', x, () => [tensor(rows, [count]), tensor(columns, [count])]);
    return vectorNorm(sub(gather(x, first, 0), gather(x, second, 0)), p, 1);
  });
}

/**
 * The p-norm of a − b, broadcast and read as one vector (torch.dist): a
 * scalar. p 0 counts the entries that differ, ±Infinity takes the largest
 * (smallest) |a − b|, any other p (Σ|a − b|ᵖ)^(1/p). Differentiable in both;
 * equal a and b give 0 with gradient 0.
 */
export function dist(a: Tensor, b: Tensor, p = 2): Tensor {
  checkTensor('dist', a, 'a');
  checkTensor('dist', b, 'b');
  checkFloat('dist', 'a', a);
  checkFloat('dist', 'b', b);
  if (typeof p !== 'number' || Number.isNaN(p)) throw new ValueError(`dist: p must be a number or ±Infinity, got ${formatValue(p)}`);
  broadcastShapes('dist', a.shape, b.shape);
  return tidy(() => {
    const d = sub(a, b);
    return vectorNorm(reshape(d, [d.size]), p, 0);
  });
}
