// Similarities and distances between vectors, and vectors scaled to unit
// norm, as PyTorch's F.cosine_similarity, F.pairwise_distance and
// F.normalize, with their epsilons where PyTorch puts them: each decides what
// a zero (or nearly zero) vector gives, and a result that agrees with
// PyTorch's there too is what lets a model trained there behave the same here.
import { tidy } from '../engine.js';
import { DTypeError, ValueError, formatValue } from '../errors.js';
import { isFloat } from '../dtype.js';
import { clip, maximum, sub } from './elementwise.js';
import { broadcastTo } from './movement.js';
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
