// Losses on embeddings and scores rather than on predictions of a target:
// they pull together what should be alike and push apart, past a margin,
// what should not (PyTorch's cosine_embedding_loss, margin_ranking_loss,
// triplet_margin_loss and hinge_embedding_loss, their formulas and
// epsilons exactly). A target here is 1 (alike, or ranked first) or −1.
import { tidy } from '../engine.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { isFloat } from '../dtype.js';
import { checkEpsilon, checkP, pairwiseDistance } from '../ops/distance.js';
import * as ops from '../ops/index.js';
import { checkOptions, type OptionNames } from '../options.js';
import type { Tensor } from '../tensor.js';
import { perSampleMean, reduce, sameShapes, type LossOptions } from './reduction.js';

function checkFloat(loss: string, name: string, x: Tensor): void {
  if (!isFloat(x.dtype)) throw new DTypeError(`${loss}: ${name} must be f32 or f16, got ${x.dtype}`);
}

function checkMargin(loss: string, margin: unknown): asserts margin is number {
  if (typeof margin !== 'number' || !Number.isFinite(margin)) throw new ValueError(`${loss}: margin must be a finite number, got ${formatValue(margin)}`);
}

/** t where the target is `value`, else 0 (in t's dtype). */
function whereTarget(target: Tensor, value: number, t: Tensor): Tensor {
  return ops.where(target.equal(value), t, 0);
}

export interface CosineEmbeddingOptions extends LossOptions {
  /** How far below it a pair marked −1 must bring the cosine to cost nothing (default 0; PyTorch suggests 0 to 0.5). */
  margin?: number;
}

/**
 * For pairs of vectors a, b [N, D] (or one pair [D]) and targets [N] (or
 * []): 1 − cos(a, b) where the target is 1 (alike), max(0, cos(a, b) −
 * margin) where it is −1, and 0 for any other target, as PyTorch's
 * cosine_embedding_loss. Its cosine is its own, not cosineSimilarity's:
 * Σab / √((Σa² + 1e-12)·(Σb² + 1e-12)), the epsilon added to each squared norm.
 */
export function cosineEmbedding(a: Tensor, b: Tensor, target: Tensor, options: CosineEmbeddingOptions = {}): Tensor {
  const { reduction, margin = 0 } = checkOptions('cosineEmbedding', options, { reduction: true, margin: true } satisfies OptionNames<CosineEmbeddingOptions>);
  checkMargin('cosineEmbedding', margin);
  checkFloat('cosineEmbedding', 'a', a);
  checkFloat('cosineEmbedding', 'b', b);
  sameShapes('cosineEmbedding', a, b, ['a', 'b']);
  if ((a.rank !== 1 && a.rank !== 2) || target.rank !== a.rank - 1 || (a.rank === 2 && target.shape[0] !== a.shape[0])) {
    throw new ShapeError(`cosineEmbedding: a and b ${formatShape(a.shape)} with target ${formatShape(target.shape)}: expected vectors [N, D] with targets [N], or one pair [D] with a target []`);
  }
  const EPSILON = 1e-12;
  return tidy(() => {
    const axis = a.rank - 1;
    const squares = (t: Tensor) => t.square().sum(axis).add(EPSILON);
    const cos = a.mul(b).sum(axis).div(squares(a).mul(squares(b)).sqrt());
    const alike = whereTarget(target, 1, ops.sub(1, cos));
    const apart = whereTarget(target, -1, cos.sub(margin).relu());
    return reduce(alike.add(apart), reduction);
  });
}

export interface MarginRankingOptions extends LossOptions {
  /** By how much the score ranked first must lead to cost nothing (default 0). */
  margin?: number;
}

/**
 * Scores a and b with targets of the same shape, 1 where a should rank
 * above b and −1 where below: max(0, −target·(a − b) + margin) elementwise,
 * as PyTorch's margin_ranking_loss; per sample the mean of a row's terms.
 */
export function marginRanking(a: Tensor, b: Tensor, target: Tensor, options: MarginRankingOptions = {}): Tensor {
  const { reduction, margin = 0 } = checkOptions('marginRanking', options, { reduction: true, margin: true } satisfies OptionNames<MarginRankingOptions>);
  checkMargin('marginRanking', margin);
  checkFloat('marginRanking', 'a', a);
  checkFloat('marginRanking', 'b', b);
  sameShapes('marginRanking', a, b, ['a', 'b']);
  sameShapes('marginRanking', a, target, ['a', 'target']);
  return tidy(() => reduce(perSampleMean(target.cast(a.dtype).mul(a.sub(b)).neg().add(margin).relu()), reduction));
}

export interface TripletMarginOptions extends LossOptions {
  /** By how much the negative must be farther than the positive to cost nothing (default 1). */
  margin?: number;
  /** The distance's norm (default 2): any number > 0, or Infinity. */
  p?: number;
  /** Added to every difference before the norm (default 1e-6), as pairwiseDistance's. */
  epsilon?: number;
  /** Take the negative's distance as the smaller of its distances to the anchor and to the positive (Balntas et al., 2016). Default false. */
  swap?: boolean;
}

const TRIPLET_OPTIONS: OptionNames<TripletMarginOptions> = { reduction: true, margin: true, p: true, epsilon: true, swap: 'boolean' };

/**
 * For anchors, positives and negatives [N, D] (or one triplet [D]):
 * max(d(anchor, positive) − d(anchor, negative) + margin, 0), d the
 * pairwiseDistance (‖x − y + ε‖ₚ), as PyTorch's triplet_margin_loss; with
 * swap, d(anchor, negative) is min(d(anchor, negative), d(positive, negative)).
 */
export function tripletMargin(anchor: Tensor, positive: Tensor, negative: Tensor, options: TripletMarginOptions = {}): Tensor {
  const { reduction, margin = 1, p = 2, epsilon = 1e-6, swap = false } = checkOptions('tripletMargin', options, TRIPLET_OPTIONS);
  checkMargin('tripletMargin', margin);
  checkP('tripletMargin', p);
  checkEpsilon('tripletMargin', epsilon);
  for (const [name, t] of [['anchor', anchor], ['positive', positive], ['negative', negative]] as const) checkFloat('tripletMargin', name, t);
  if (anchor.rank !== 1 && anchor.rank !== 2) throw new ShapeError(`tripletMargin: anchor ${formatShape(anchor.shape)} is not [N, D] or [D]`);
  sameShapes('tripletMargin', anchor, positive, ['anchor', 'positive']);
  sameShapes('tripletMargin', anchor, negative, ['anchor', 'negative']);
  return tidy(() => {
    const distance = (x: Tensor, y: Tensor) => pairwiseDistance(x, y, { p, epsilon });
    const toNegative = swap ? ops.minimum(distance(anchor, negative), distance(positive, negative)) : distance(anchor, negative);
    return reduce(distance(anchor, positive).sub(toNegative).add(margin).relu(), reduction);
  });
}

export interface TripletMarginWithDistanceOptions extends LossOptions {
  /** The distance between rows of two [N, D] tensors, [N] (or between two [D] vectors, []). Default tm.nn.pairwiseDistance. */
  distanceFunction?: (a: Tensor, b: Tensor) => Tensor;
  /** By how much the negative must be farther than the positive to cost nothing (default 1). */
  margin?: number;
  /** As tripletMargin's. Default false. */
  swap?: boolean;
}

/**
 * tripletMargin with a distance of your own (cosine distance, a learned
 * metric): max(d(anchor, positive) − d(anchor, negative) + margin, 0), as
 * PyTorch's triplet_margin_with_distance_loss. Its gradient flows through
 * the distance function's ops.
 */
export function tripletMarginWithDistance(anchor: Tensor, positive: Tensor, negative: Tensor, options: TripletMarginWithDistanceOptions = {}): Tensor {
  const loss = 'tripletMarginWithDistance';
  const { reduction, distanceFunction = (a: Tensor, b: Tensor) => pairwiseDistance(a, b), margin = 1, swap = false } = checkOptions(loss, options, { reduction: true, distanceFunction: true, margin: true, swap: 'boolean' } satisfies OptionNames<TripletMarginWithDistanceOptions>);
  if (typeof distanceFunction !== 'function') throw new ValueError(`${loss}: distanceFunction must be a function of two tensors, got ${formatValue(distanceFunction)}`);
  if (!(margin > 0) || !Number.isFinite(margin)) throw new ValueError(`${loss}: margin must be a finite number > 0 (as PyTorch's), got ${formatValue(margin)}`);
  for (const [name, t] of [['anchor', anchor], ['positive', positive], ['negative', negative]] as const) checkFloat(loss, name, t);
  if (anchor.rank !== 1 && anchor.rank !== 2) throw new ShapeError(`${loss}: anchor ${formatShape(anchor.shape)} is not [N, D] or [D]`);
  sameShapes(loss, anchor, positive, ['anchor', 'positive']);
  sameShapes(loss, anchor, negative, ['anchor', 'negative']);
  return tidy(() => {
    const distance = (x: Tensor, y: Tensor) => {
      const d = distanceFunction(x, y);
      if (d.rank !== anchor.rank - 1 || (anchor.rank === 2 && d.shape[0] !== anchor.shape[0])) {
        throw new ShapeError(`${loss}: distanceFunction gave ${formatShape(d.shape)} for inputs ${formatShape(anchor.shape)}; expected one distance per row, ${anchor.rank === 2 ? `[${anchor.shape[0]}]` : '[]'}`);
      }
      return d;
    };
    const toNegative = swap ? ops.minimum(distance(anchor, negative), distance(positive, negative)) : distance(anchor, negative);
    return reduce(distance(anchor, positive).sub(toNegative).add(margin).relu(), reduction);
  });
}

export interface HingeEmbeddingOptions extends LossOptions {
  /** Below it a value marked −1 costs margin − x (default 1). */
  margin?: number;
}

/**
 * Values x (distances, typically) and targets of the same shape, 1 or −1:
 * x where the target is 1, max(0, margin − x) where it is −1, elementwise, as
 * PyTorch's hinge_embedding_loss (which adds both terms for any other
 * target, as here); per sample the mean of a row's terms.
 */
export function hingeEmbedding(x: Tensor, target: Tensor, options: HingeEmbeddingOptions = {}): Tensor {
  const { reduction, margin = 1 } = checkOptions('hingeEmbedding', options, { reduction: true, margin: true } satisfies OptionNames<HingeEmbeddingOptions>);
  checkMargin('hingeEmbedding', margin);
  checkFloat('hingeEmbedding', 'x', x);
  sameShapes('hingeEmbedding', x, target, ['x', 'target']);
  return tidy(() => {
    const belowMargin = ops.where(target.notEqual(1), ops.sub(margin, x).relu(), 0);
    const itself = ops.where(target.notEqual(-1), x, 0);
    return reduce(perSampleMean(belowMargin.add(itself)), reduction);
  });
}
