// Loss functions: a prediction and a target in, a scalar (or per-sample
// values) out. Intermediates are freed at once; autograd keeps what it needs.
import { tidy } from '../engine.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import { sameShape } from '../shape.js';
import { isFloat } from '../dtype.js';
import * as ops from '../ops/index.js';
import { heldValues } from '../ops/util.js';
import { noGrad, record } from '../tape.js';
import type { Tensor } from '../tensor.js';

export type Reduction = 'mean' | 'sum' | 'none';

export interface LossOptions {
  /** 'mean' (default) over samples, 'sum', or 'none' for one value per sample. */
  reduction?: Reduction;
}

const LOSS_OPTIONS: OptionNames<LossOptions> = { reduction: true };

function reduce(perSample: Tensor, reduction: Reduction = 'mean'): Tensor {
  switch (reduction) {
    case 'mean': return perSample.mean();
    case 'sum': return perSample.sum();
    case 'none': return perSample;
    default: throw new ValueError(`loss: unknown reduction ${JSON.stringify(reduction)}; expected mean, sum or none`);
  }
}

function sameShapes(loss: string, pred: Tensor, target: Tensor): void {
  if (!sameShape(pred.shape, target.shape)) {
    throw new ShapeError(`${loss}: prediction ${formatShape(pred.shape)} and target ${formatShape(target.shape)} differ`);
  }
}

/** Per-sample mean over every axis but the first (a 1-D input is one value per sample). */
function perSampleMean(x: Tensor): Tensor {
  return x.rank <= 1 ? x.reshape(x.shape) : x.mean(x.shape.slice(1).map((_, i) => i + 1));
}

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
}

const CROSS_ENTROPY_OPTIONS: OptionNames<CrossEntropyOptions> = { reduction: true, labelSmoothing: true, ignoreIndex: true };

/**
 * Softmax cross-entropy from logits [N, C], numerically stable (through
 * logSoftmax). Labels are class indices [N] (i32/i8) or probabilities [N, C].
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
  if (ignoreIndex !== undefined && !Number.isSafeInteger(ignoreIndex)) throw new ValueError(`crossEntropy: ignoreIndex must be an integer, got ${formatValue(ignoreIndex)}`);
  if (ignoreIndex !== undefined && isFloat(labels.dtype)) throw new ValueError('crossEntropy: ignoreIndex applies to class labels, not to probabilities');
  if (logits.rank !== 2) throw new ShapeError(`crossEntropy: logits must be [batch, classes], got ${formatShape(logits.shape)}`);
  const [n, c] = logits.shape;
  if (isFloat(labels.dtype) && labels.rank === 1 && labels.shape[0] === n) {
    throw new DTypeError(
      `crossEntropy: labels ${formatShape(labels.shape)} ${labels.dtype} look like class indices, which must be an int dtype (labels.cast('i32')); ` +
        `float labels are probabilities ${formatShape(logits.shape)}`,
    );
  }
  if (isFloat(labels.dtype)) sameShapes('crossEntropy', logits, labels);
  else if (labels.rank !== 1 || labels.shape[0] !== n) {
    throw new ShapeError(`crossEntropy: class labels must be [${n}] for logits ${formatShape(logits.shape)}, got ${formatShape(labels.shape)}`);
  }
  const held = isFloat(labels.dtype) ? undefined : heldValues('crossEntropy', labels);
  if (held) {
    for (let i = 0; i < n; i++) {
      if (!(held[i] >= 0 && held[i] < c) && held[i] !== ignoreIndex) {
        throw new ValueError(`crossEntropy: class label ${held[i]} (sample ${i}) is not one of the ${c} classes of logits ${formatShape(logits.shape)}, 0 to ${c - 1}`);
      }
    }
  }
  return tidy(() => {
    const logProbabilities = logits.logSoftmax(-1);
    // The target distribution's part on the labelled class (or the given probabilities), and ε/C on each class:
    // −Σ target·log p = (1 − ε)·(−log p[label]) + ε·(−mean log p).
    const smoothed = (hard: Tensor): Tensor =>
      labelSmoothing === 0 ? hard : hard.mul(1 - labelSmoothing).add(logProbabilities.mean(-1).neg().mul(labelSmoothing));
    if (isFloat(labels.dtype)) return reduce(smoothed(labels.mul(logProbabilities).sum(-1).neg()), options.reduction);
    // A left-out sample's label may be no class (PyTorch's −100): class 0 stands in, its loss masked below.
    const classes = ignoreIndex === undefined ? labels : ops.where(labels.equal(ignoreIndex), 0, labels).cast(labels.dtype);
    let perSample = smoothed(classes.oneHot(c, logits.dtype).mul(logProbabilities).sum(-1).neg());
    if (!held) {
      // Labels not checked above: out-of-range ones (a zero one-hot row) give NaN, not a loss of 0.
      // Added as a term of the labels alone, so that no gradient flows through it (nothing more to run backward).
      // In the logits' dtype: a plain f32 term made an f16 loss f32 here only (webgpu).
      const inRange = labels.greaterEqual(0).mul(labels.less(c));
      const allowed = ignoreIndex === undefined ? inRange : ops.maximum(inRange, labels.equal(ignoreIndex));
      perSample = perSample.add(ops.where(allowed, 0, NaN).cast(perSample.dtype));
    }
    if (ignoreIndex === undefined) return reduce(perSample, options.reduction);
    // Left-out samples weigh 0 (where, not a product: their smoothing term is finite, their NaN check is 0 above).
    const kept = labels.notEqual(ignoreIndex);
    const masked = ops.where(kept, perSample, 0);
    if ((options.reduction ?? 'mean') !== 'mean') return reduce(masked, options.reduction);
    // Summed and counted in f32: f16 holds neither a large batch's sum nor a count past 65,504.
    return masked.cast('f32').sum().div(kept.sum().cast('f32')).cast(masked.dtype);
  });
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

export interface BinaryCrossEntropyOptions extends LossOptions {
  /** The prediction is a logit (pre-sigmoid); computed stably without sigmoid. Default false. */
  fromLogits?: boolean;
}

const BINARY_CROSS_ENTROPY_OPTIONS: OptionNames<BinaryCrossEntropyOptions> = { reduction: true, fromLogits: 'boolean' };

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

/** Binary cross-entropy of probabilities (or logits) against 0/1 targets of the same shape. */
export function binaryCrossEntropy(pred: Tensor, target: Tensor, options: BinaryCrossEntropyOptions = {}): Tensor {
  sameShapes('binaryCrossEntropy', pred, target);
  options = checkOptions('binaryCrossEntropy', options, BINARY_CROSS_ENTROPY_OPTIONS);
  return tidy(() => {
    const elementwise = options.fromLogits
      ? logitCrossEntropy(pred, target)
      : (() => {
          const p = pred.clip(EPSILON, 1 - EPSILON);
          return target.mul(p.log()).add(ops.sub(1, target).mul(ops.sub(1, p).log())).neg();
        })();
    return reduce(perSampleMean(elementwise), options.reduction);
  });
}
