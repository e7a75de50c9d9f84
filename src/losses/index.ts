// Loss functions: a prediction and a target in, a scalar (or per-sample
// values) out. Intermediates are freed at once; autograd keeps what it needs.
import { tidy } from '../engine.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import { isFloat } from '../dtype.js';
import * as ops from '../ops/index.js';
import { noGrad, record } from '../tape.js';
import { Tensor } from '../tensor.js';
import { classRows, classWeights } from './classes.js';
import { LOSS_OPTIONS, perSampleMean, reduce, sameShapes, type LossOptions, type Reduction } from './reduction.js';

export type { LossOptions, Reduction } from './reduction.js';
export { cosineEmbedding, hingeEmbedding, marginRanking, tripletMargin, tripletMarginWithDistance } from './embedding.js';
export type { CosineEmbeddingOptions, HingeEmbeddingOptions, MarginRankingOptions, TripletMarginOptions, TripletMarginWithDistanceOptions } from './embedding.js';
export { gaussianNll, poissonNll } from './probabilistic.js';
export { ctc } from './ctc.js';
export { multiLabelMargin, multiLabelSoftMargin, multiMargin, softMargin } from './margin.js';
export type { MultiLabelSoftMarginOptions, MultiMarginOptions } from './margin.js';
export type { CtcOptions } from './ctc.js';
export type { GaussianNllOptions, PoissonNllOptions } from './probabilistic.js';

/** Mean squared error. */
export function mse(pred: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  sameShapes('mse', pred, target);
  const { reduction } = checkOptions('mse', options, LOSS_OPTIONS);
  return tidy(() => reduce(perSampleMean(pred.sub(target).square()), reduction));
}

/**
 * Root mean squared error. 'mean' (the default) is the usual RMSE, √ of the
 * batch's mse (not the mean of per-sample roots); 'none' is √mse per
 * sample, and 'sum' the sum of those.
 */
export function rmse(pred: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  sameShapes('rmse', pred, target);
  const reduction = checkOptions('rmse', options, LOSS_OPTIONS).reduction ?? 'mean';
  return tidy(() => {
    const perSample = perSampleMean(pred.sub(target).square());
    return reduction === 'mean' ? rootOfSquares(perSample.mean()) : reduce(rootOfSquares(perSample), reduction);
  });
}

/**
 * √u of a mean of squares, whose gradient at u = 0 is taken as 0 (the
 * subgradient of |e| at e = 0) rather than ∞ · 0 = NaN: a batch predicted
 * exactly gave NaN gradients, which fit reports as a diverging loss.
 */
function rootOfSquares(u: Tensor): Tensor {
  const root = noGrad(() => u.sqrt());
  return record(root, 'sqrt', [u], [root], (dy, [r]) => [ops.where(r.greater(0), dy.mul(0.5).div(r), 0)]);
}

export interface CrossEntropyOptions extends LossOptions {
  /**
   * PyTorch's label_smoothing ε in [0, 1): the target is (1 − ε) on the
   * labelled class (or the given probabilities) plus ε/C on every class. Default 0.
   */
  labelSmoothing?: number;
  /**
   * A class label that marks a sample to leave out (padding in a batch of
   * sequences), PyTorch's ignore_index: its loss is 0 and 'mean' averages
   * over the other samples (NaN when every sample is left out, as PyTorch's).
   * Class labels only.
   */
  ignoreIndex?: number;
  /**
   * A weight per class [C] (PyTorch's weight, for imbalanced classes): each
   * sample's loss times its label's weight, and 'mean' divided by the sum of
   * those weights rather than the count; label smoothing's ε/C part weighs
   * each class by its own. With probabilities as targets, each class's term
   * is weighted and 'mean' is over the samples, as PyTorch's.
   */
  weight?: Tensor;
}

const CROSS_ENTROPY_OPTIONS: OptionNames<CrossEntropyOptions> = { reduction: true, labelSmoothing: true, ignoreIndex: true, weight: true };

/**
 * Softmax cross-entropy from logits [N, C], numerically stable (through
 * logSoftmax). Labels are class indices [N] (i32/i8) or probabilities [N, C].
 * PyTorch's other layouts too: one sample's logits [C] with one label [],
 * and [N, C, d1, …] with labels [N, d1, …] (a class per pixel: segmentation;
 * the classes on axis 1), 'none' then giving a loss per position [N, d1, …]
 * and 'mean' the mean over every position.
 *
 * A class index outside 0 … C − 1 is an error where the labels' values can be
 * read at once (js, native): a ValueError naming the label and its sample.
 * On a GPU that would wait for the device, so there, as in TensorFlow's
 * sparse cross-entropy on GPUs, such a sample's loss is NaN (and so is a
 * mean or sum over it) rather than silently 0. `fit` and `evaluate` check
 * the labels on every backend before training.
 */
export function crossEntropy(logits: Tensor, labels: Tensor, options: CrossEntropyOptions = {}): Tensor {
  options = checkOptions('crossEntropy', options, CROSS_ENTROPY_OPTIONS);
  const { labelSmoothing = 0, ignoreIndex } = options;
  if (typeof labelSmoothing !== 'number' || !(labelSmoothing >= 0 && labelSmoothing < 1)) {
    throw new ValueError(`crossEntropy: labelSmoothing must be a number in [0, 1), got ${formatValue(labelSmoothing)}`);
  }
  checkIgnoreIndex('crossEntropy', ignoreIndex, labels);
  const weight = classWeights('crossEntropy', options.weight, logits);
  return tidy(() => {
    // Inside the scope: the rows are reshaped copies of the logits and labels, freed with it.
    const rows = classRows('crossEntropy', logits, labels, ignoreIndex);
    const logProbabilities = rows.scores.logSoftmax(-1);
    // Each class's log-probability weighted where classes are: Σ_c w[c]·t[c]·(−log p[c]) is then the loss of any target t.
    const weighted = weight ? logProbabilities.mul(weight.cast(logProbabilities.dtype)) : logProbabilities;
    // The target distribution's part on the labelled class (or the given probabilities), and ε/C on each class:
    // −Σ target·log p = (1 − ε)·(−log p[label]) + ε·(−mean log p).
    const smoothed = (hard: Tensor): Tensor =>
      labelSmoothing === 0 ? hard : hard.mul(1 - labelSmoothing).add(weighted.mean(-1).neg().mul(labelSmoothing));
    const loss = isFloat(labels.dtype)
      ? reduce(smoothed(rows.labels.mul(weighted).sum(-1).neg()), options.reduction)
      : pickedLoss(logProbabilities, rows.labels, rows.held, ignoreIndex, smoothed, options.reduction, weight);
    return options.reduction === 'none' ? loss.reshape(rows.shape) : loss;
  });
}

export interface NllOptions extends LossOptions {
  /** A class label that marks a sample to leave out, as crossEntropy's. */
  ignoreIndex?: number;
  /** A weight per class [C], as crossEntropy's. */
  weight?: Tensor;
}

/**
 * Negative log-likelihood of log-probabilities [N, C] (a LogSoftmax's
 * output) at class labels [N]: −logProbabilities[i, label i], PyTorch's
 * nll_loss. crossEntropy(logits) is nll(logSoftmax(logits)). Labels and
 * layouts ([C], [N, C, d1, …]) as crossEntropy's.
 */
export function nll(logProbabilities: Tensor, labels: Tensor, options: NllOptions = {}): Tensor {
  options = checkOptions('nll', options, { reduction: true, ignoreIndex: true, weight: true });
  checkIgnoreIndex('nll', options.ignoreIndex, labels);
  if (isFloat(labels.dtype)) throw new DTypeError(`nll: labels must be class indices of an int dtype, got ${labels.dtype} (labels.cast('i32'))`);
  const weight = classWeights('nll', options.weight, logProbabilities, 'log-probabilities');
  return tidy(() => {
    const rows = classRows('nll', logProbabilities, labels, options.ignoreIndex, 'log-probabilities');
    const loss = pickedLoss(rows.scores, rows.labels, rows.held, options.ignoreIndex, (hard) => hard, options.reduction, weight);
    return options.reduction === 'none' ? loss.reshape(rows.shape) : loss;
  });
}

function checkIgnoreIndex(loss: string, ignoreIndex: number | undefined, labels: Tensor): void {
  if (ignoreIndex !== undefined && !Number.isSafeInteger(ignoreIndex)) throw new ValueError(`${loss}: ignoreIndex must be an integer, got ${formatValue(ignoreIndex)}`);
  if (ignoreIndex !== undefined && isFloat(labels.dtype)) throw new ValueError(`${loss}: ignoreIndex applies to class labels, not to probabilities`);
}

/**
 * −logProbabilities at each sample's label (through `smoothed`, with each
 * class's weight where given), left-out samples masked, reduced: 'mean' over
 * the kept samples' weights (their count without weights).
 */
function pickedLoss(
  logProbabilities: Tensor, labels: Tensor, held: ArrayLike<number> | undefined, ignoreIndex: number | undefined,
  smoothed: (hard: Tensor) => Tensor, reduction: Reduction | undefined, weight?: Tensor,
): Tensor {
  const c = logProbabilities.shape[1];
  // A left-out sample's label may be no class (PyTorch's −100): class 0 stands in, its loss masked below.
  const classes = ignoreIndex === undefined ? labels : ops.where(labels.equal(ignoreIndex), 0, labels).cast(labels.dtype);
  const hot = classes.oneHot(c, logProbabilities.dtype);
  // The label's weight per sample (1 without weights): the hard part's factor and 'mean''s divisor.
  const sampleWeight = weight ? hot.mul(weight.cast(logProbabilities.dtype)).sum(-1) : undefined;
  let perSample = smoothed(hot.mul(logProbabilities).sum(-1).neg().mul(sampleWeight ?? 1));
  if (!held) {
    // Labels not checked: out-of-range ones (a zero one-hot row) give NaN, not a loss of 0.
    // Added as a term of the labels alone, so that no gradient flows through it (nothing more to run backward).
    // In the scores' dtype: a plain f32 term made an f16 loss f32 here only (webgpu).
    const inRange = labels.greaterEqual(0).mul(labels.less(c));
    const allowed = ignoreIndex === undefined ? inRange : ops.maximum(inRange, labels.equal(ignoreIndex));
    perSample = perSample.add(ops.where(allowed, 0, NaN).cast(perSample.dtype));
  }
  if (ignoreIndex === undefined && !sampleWeight) return reduce(perSample, reduction);
  // Left-out samples weigh 0 (where, not a product: their smoothing term is finite, their NaN check is 0 above).
  const kept = ignoreIndex === undefined ? undefined : labels.notEqual(ignoreIndex);
  const masked = kept ? ops.where(kept, perSample, 0) : perSample;
  if ((reduction ?? 'mean') !== 'mean') return reduce(masked, reduction);
  // Summed and counted in f32: f16 holds neither a large batch's sum nor a count past 65,504.
  const counted = sampleWeight ? (kept ? ops.where(kept, sampleWeight, 0) : sampleWeight).cast('f32') : kept!.cast('f32');
  return masked.cast('f32').sum().div(counted.sum()).cast(masked.dtype);
}

/** Mean absolute error (L1) per sample, reduced over samples as mse's (so 'mean' is PyTorch's l1_loss); its gradient at 0 is 0. */
export function l1(pred: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  sameShapes('l1', pred, target);
  const { reduction } = checkOptions('l1', options, LOSS_OPTIONS);
  return tidy(() => reduce(perSampleMean(pred.sub(target).abs()), reduction));
}

export interface HuberOptions extends LossOptions {
  /** Where the loss turns from quadratic to linear. Default 1. */
  delta?: number;
}

/** Huber loss: ½e² where |e| ≤ delta, delta·(|e| − ½delta) beyond, robust to outliers; per sample, reduced as mse's ('mean' is PyTorch's huber_loss). */
export function huber(pred: Tensor, target: Tensor, options: HuberOptions = {}): Tensor {
  sameShapes('huber', pred, target);
  const { reduction, delta = 1 } = checkOptions('huber', options, { reduction: true, delta: true });
  if (typeof delta !== 'number' || !(delta > 0) || !Number.isFinite(delta)) throw new ValueError(`huber: delta must be a finite number > 0, got ${formatValue(delta)}`);
  return tidy(() => {
    const e = pred.sub(target).abs();
    // min(|e|, δ) is the quadratic part's reach: ½q² + δ·(|e| − q), with q = min(|e|, δ).
    const q = ops.minimum(e, delta);
    return reduce(perSampleMean(q.square().mul(0.5).add(e.sub(q).mul(delta))), reduction);
  });
}

export interface SmoothL1Options extends LossOptions {
  /** Where the loss turns from quadratic to linear (default 1); 0 makes it l1. */
  beta?: number;
}

/** Smooth L1: ½e²/β where |e| < β, |e| − ½β beyond (huber / β, PyTorch's smooth_l1_loss); per sample, reduced as mse's. */
export function smoothL1(pred: Tensor, target: Tensor, options: SmoothL1Options = {}): Tensor {
  sameShapes('smoothL1', pred, target);
  const { reduction, beta = 1 } = checkOptions('smoothL1', options, { reduction: true, beta: true });
  if (typeof beta !== 'number' || !(beta >= 0) || !Number.isFinite(beta)) throw new ValueError(`smoothL1: beta must be a finite number ≥ 0, got ${formatValue(beta)}`);
  if (beta === 0) return l1(pred, target, { reduction });
  return tidy(() => huber(pred, target, { reduction, delta: beta }).div(beta));
}

export interface KlDivOptions extends LossOptions {
  /** The target holds log-probabilities rather than probabilities. Default false. */
  logTarget?: boolean;
}

/**
 * Kullback–Leibler divergence KL(target ‖ input) with `input` in
 * log-probabilities (a LogSoftmax's output), as PyTorch's kl_div: Σ t·(log t
 * − input) over each sample (a term with t = 0 is 0, one with t < 0 NaN, as
 * PyTorch's xlogy gives). 'mean' averages the samples' divergences: PyTorch's
 * 'batchmean', the mathematically right one; 'none' gives each sample's (not
 * PyTorch's elementwise terms), as every loss here.
 */
export function klDiv(input: Tensor, target: Tensor, options: KlDivOptions = {}): Tensor {
  sameShapes('klDiv', input, target);
  const { reduction, logTarget = false } = checkOptions('klDiv', options, { reduction: true, logTarget: 'boolean' });
  return tidy(() => {
    let pointwise: Tensor;
    if (logTarget) pointwise = target.exp().mul(target.sub(input));
    else {
      // log of 1 where t ≤ 0, so the branch where() leaves out (and its gradient) stays finite.
      const present = target.greater(0);
      const terms = target.mul(ops.where(present, target, 1).log().sub(input));
      pointwise = ops.where(present, terms, ops.where(target.less(0), NaN, 0).cast(terms.dtype));
    }
    return reduce(pointwise.rank <= 1 ? pointwise : pointwise.sum(pointwise.shape.slice(1).map((_, i) => i + 1)), reduction);
  });
}

export interface BinaryCrossEntropyOptions extends LossOptions {
  /** The prediction is a logit (pre-sigmoid); computed stably without sigmoid. Default false. */
  fromLogits?: boolean;
  /** Each element's loss times this (broadcast against the prediction; PyTorch's weight). */
  weight?: Tensor;
  /**
   * With fromLogits, the weight of the positive term, one per class (the
   * prediction's last axis) or one for all: PyTorch's pos_weight, for
   * classes with few positives (n_negative / n_positive as a start).
   */
  posWeight?: Tensor | number;
}

const BINARY_CROSS_ENTROPY_OPTIONS: OptionNames<BinaryCrossEntropyOptions> = { reduction: true, fromLogits: 'boolean', weight: true, posWeight: true };

const EPSILON = 1e-7;

/**
 * Binary cross-entropy of logits x against targets y, elementwise, as
 * max(x, 0) − x·y + log(1 + e^−|x|), which never exponentiates a large
 * positive number; with its own gradient σ(x) − y (and −x for y). Autograd
 * through max and |x| takes their gradients at 0 as 0, which loses σ(0) = ½
 * there: logistic regression started from zero weights did not move.
 */
function logitCrossEntropy(x: Tensor, y: Tensor): Tensor {
  const value = noGrad(() => tidy(() => x.relu().sub(x.mul(y)).add(x.abs().neg().exp().add(1).log())));
  return record(value, 'binaryCrossEntropy', [x, y], [x, y], (dy, [sx, sy], needs) => [
    needs[0] ? dy.mul(sx.sigmoid().sub(sy)) : null,
    needs[1] ? dy.mul(sx.neg()) : null,
  ]);
}

/**
 * logitCrossEntropy with the positive term weighted by p: (1 − y)·x + l·s,
 * l = 1 + (p − 1)·y and s = log(1 + e^−x) = max(−x, 0) + log(1 + e^−|x|)
 * (PyTorch's stable form), with its own gradient (1 − y) − l·σ(−x) for x,
 * −x + (p − 1)·s for y.
 */
function weightedLogitCrossEntropy(x: Tensor, y: Tensor, p: Tensor): Tensor {
  const softplusNeg = (t: Tensor) => t.neg().relu().add(t.abs().neg().exp().add(1).log());
  const value = noGrad(() => tidy(() => ops.sub(1, y).mul(x).add(p.sub(1).mul(y).add(1).mul(softplusNeg(x)))));
  return record(value, 'binaryCrossEntropy', [x, y], [x, y, p], (dy, [sx, sy, sp], needs) => [
    needs[0] ? dy.mul(ops.sub(1, sy).sub(sp.sub(1).mul(sy).add(1).mul(sx.neg().sigmoid()))) : null,
    needs[1] ? dy.mul(sx.neg().add(sp.sub(1).mul(softplusNeg(sx)))) : null,
  ]);
}

/** Binary cross-entropy of probabilities (or logits) against 0/1 targets of the same shape. */
export function binaryCrossEntropy(pred: Tensor, target: Tensor, options: BinaryCrossEntropyOptions = {}): Tensor {
  sameShapes('binaryCrossEntropy', pred, target);
  options = checkOptions('binaryCrossEntropy', options, BINARY_CROSS_ENTROPY_OPTIONS);
  const { weight, posWeight } = options;
  if (weight !== undefined && !(weight instanceof Tensor)) throw new ValueError(`binaryCrossEntropy: weight must be a tensor, got ${formatValue(weight)}`);
  if (posWeight !== undefined) {
    if (!options.fromLogits) throw new ValueError('binaryCrossEntropy: posWeight weighs the positive term of logits: it needs fromLogits (as PyTorch\'s BCEWithLogitsLoss)');
    const c = pred.shape[pred.rank - 1];
    if (!(posWeight instanceof Tensor) && (typeof posWeight !== 'number' || !Number.isFinite(posWeight))) {
      throw new ValueError(`binaryCrossEntropy: posWeight must be a finite number or a tensor of one per class, got ${formatValue(posWeight)}`);
    }
    if (posWeight instanceof Tensor && (posWeight.rank !== 1 || (posWeight.shape[0] !== c && posWeight.shape[0] !== 1))) {
      throw new ShapeError(`binaryCrossEntropy: posWeight must be [${c}] (one per class of the prediction's last axis) or [1], got ${formatShape(posWeight.shape)}`);
    }
  }
  return tidy(() => {
    const p = posWeight === undefined ? undefined : posWeight instanceof Tensor ? posWeight.cast(pred.dtype) : ops.onesLike(pred).mul(posWeight);
    const elementwise = options.fromLogits
      ? p ? weightedLogitCrossEntropy(pred, target, p) : logitCrossEntropy(pred, target)
      : (() => {
          const q = pred.clip(EPSILON, 1 - EPSILON);
          return target.mul(q.log()).add(ops.sub(1, target).mul(ops.sub(1, q).log())).neg();
        })();
    return reduce(perSampleMean(weight ? elementwise.mul(weight.cast(elementwise.dtype)) : elementwise), options.reduction);
  });
}
