// Loss functions: a prediction and a target in, a scalar (or per-sample
// values) out. Intermediates are freed at once; autograd keeps what it needs.
import { tidy } from '../engine.js';
import { DTypeError, ShapeError, ValueError, formatShape } from '../errors.js';
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
export function crossEntropy(logits: Tensor, labels: Tensor, options: LossOptions = {}): Tensor {
  options = checkOptions('crossEntropy', options, LOSS_OPTIONS);
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
      if (!(held[i] >= 0 && held[i] < c)) {
        throw new ValueError(`crossEntropy: class label ${held[i]} (sample ${i}) is not one of the ${c} classes of logits ${formatShape(logits.shape)}, 0 to ${c - 1}`);
      }
    }
  }
  return tidy(() => {
    if (isFloat(labels.dtype)) return reduce(labels.mul(logits.logSoftmax(-1)).sum(-1).neg(), options.reduction);
    const perSample = labels.oneHot(c, logits.dtype).mul(logits.logSoftmax(-1)).sum(-1).neg();
    if (held) return reduce(perSample, options.reduction);
    // Labels not checked above: out-of-range ones (a zero one-hot row) give NaN, not a loss of 0.
    // Added as a term of the labels alone, so that no gradient flows through it (nothing more to run backward).
    // In the logits' dtype: a plain f32 term made an f16 loss f32 here only (webgpu).
    const nanIfOutOfRange = ops.where(labels.greaterEqual(0).mul(labels.less(c)), 0, NaN).cast(perSample.dtype);
    return reduce(perSample.add(nanIfOutOfRange), options.reduction);
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
