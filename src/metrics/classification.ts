// Classification metrics, scikit-learn's: accuracy, the confusion matrix and
// what is read off it (precision, recall, F-scores, Matthews' correlation,
// Cohen's kappa). The confusion matrix is a product of one-hot labels, so
// every metric is a few ops on the device; counts are f32, exact up to 2^24
// samples.
import { tidy } from '../engine.js';
import { ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { isFloat } from '../dtype.js';
import * as ops from '../ops/index.js';
import { onBackendOf } from '../ops/util.js';
import { checkOptions, type OptionNames } from '../options.js';
import { sameShape } from '../shape.js';
import { noGrad } from '../tape.js';
import type { Tensor } from '../tensor.js';
import { ANY_LABEL, checkLabels, checkNumClasses, checkSamples, checkThreshold, classPredictions, marked, outsideMark, type ClassPredictions } from './labels.js';

export interface AccuracyOptions {
  /** With class scores [N, C]: a sample is right when its label is among its k highest scores. Default 1. */
  topK?: number;
  /** With probabilities of target's shape: above it predicts 1. Default 0.5. */
  threshold?: number;
  /** With labels [N] as the prediction: the number of classes, to check the labels against (optional). */
  numClasses?: number;
}

const ACCURACY_OPTIONS: OptionNames<AccuracyOptions> = { topK: true, threshold: true, numClasses: true };

/**
 * The share of samples predicted right (scikit-learn's accuracy_score, f32
 * scalar), against target labels of an int dtype. The prediction is class
 * scores [N, C] (right when the label has the highest score, or is among
 * the `topK` highest: top-k accuracy), labels [N], or probabilities of
 * target's shape [N] or [N, L] with 0/1 targets (right when above
 * `threshold` matches the target; several outputs a sample count each
 * output, Keras's binary accuracy).
 */
export function accuracy(pred: Tensor, target: Tensor, options: AccuracyOptions = {}): Tensor {
  const op = 'accuracy';
  options = checkOptions(op, options, ACCURACY_OPTIONS);
  checkSamples(op, pred, 'prediction');
  checkSamples(op, target, 'target');
  const { topK } = options;
  const numClasses = checkNumClasses(op, options.numClasses);
  if (topK !== undefined && !(Number.isSafeInteger(topK) && topK >= 1)) throw new ValueError(`${op}: topK must be a positive integer, got ${formatValue(topK)}`);
  return noGrad(() => tidy(() => onBackendOf(op, pred, () => {
    if (isFloat(pred.dtype) && sameShape(pred.shape, target.shape)) {
      if (topK !== undefined) throw new ValueError(`${op}: topK applies to class scores [N, C], not to probabilities ${formatShape(pred.shape)} of target's shape`);
      checkLabels(op, target, 'target', 2, 'the binary labels 0 and 1');
      const hits = pred.greater(checkThreshold(op, options.threshold)).cast('i32').equal(target.cast('i32'));
      return marked(hits.cast('f32').mean(), outsideMark(op, [target], 2));
    }
    if (topK !== undefined && topK > 1) {
      if (pred.rank !== 2 || target.rank !== 1 || target.shape[0] !== pred.shape[0]) {
        throw new ShapeError(`${op}: topK needs class scores [N, C] and target labels [N], got prediction ${formatShape(pred.shape)} and target ${formatShape(target.shape)}`);
      }
      const c = pred.shape[1];
      if (topK > c) throw new ValueError(`${op}: topK ${topK} is more than the ${c} classes of scores ${formatShape(pred.shape)}`);
      const classes = classPredictions(op, pred, target, numClasses, options.threshold);
      const best = ops.topk(pred, topK).indices;
      const hits = best.equal(target.cast('i32').reshape([target.shape[0], 1])).cast('f32').max(-1);
      return marked(hits.mean(), classes.mark);
    }
    // Labels compared need no numClasses: without it, only negative ones are refused.
    const anyClasses = numClasses === undefined && pred.rank === 1 && !isFloat(pred.dtype);
    const classes = classPredictions(op, pred, target, anyClasses ? ANY_LABEL : numClasses, options.threshold);
    return marked(classes.predicted.equal(classes.target.cast('i32')).cast('f32').mean(), classes.mark);
  })));
}

export type ConfusionNormalize = 'true' | 'pred' | 'all';

export interface ConfusionMatrixOptions {
  /** The number of classes: needed with labels as the prediction; class scores [N, C] give C. */
  numClasses?: number;
  /** Divide each row by its count ('true'), each column ('pred'), or everything by N ('all'); a row or column of no samples stays 0. Default none: counts. */
  normalize?: ConfusionNormalize;
  /** With probabilities [N]: above it predicts class 1. Default 0.5. */
  threshold?: number;
}

const CONFUSION_OPTIONS: OptionNames<ConfusionMatrixOptions> = { numClasses: true, normalize: true, threshold: true };

/**
 * The confusion matrix [C, C] (f32): entry [i, j] counts the samples of true
 * class i predicted as j (scikit-learn's confusion_matrix, rows true and
 * columns predicted). The prediction is class scores [N, C], labels [N]
 * (with numClasses) or probabilities of class 1 [N] (two classes), against
 * target labels [N] of an int dtype. A label outside [0, C) is an error on
 * js and native; on webgpu it makes every entry NaN.
 */
export function confusionMatrix(pred: Tensor, target: Tensor, options: ConfusionMatrixOptions = {}): Tensor {
  const op = 'confusionMatrix';
  options = checkOptions(op, options, CONFUSION_OPTIONS);
  const { normalize } = options;
  if (normalize !== undefined && normalize !== 'true' && normalize !== 'pred' && normalize !== 'all') {
    throw new ValueError(`${op}: normalize must be 'true', 'pred' or 'all', got ${formatValue(normalize)}`);
  }
  return withClasses(op, pred, target, options.numClasses, options.threshold, (counts) => {
    if (normalize === undefined) return counts;
    const totals = normalize === 'true' ? counts.sum(1, { keepDims: true }) : normalize === 'pred' ? counts.sum(0, { keepDims: true }) : counts.sum();
    return safeDivide(counts, totals);
  });
}

/**
 * Checks pred and target, makes their confusion matrix of counts (NaN where
 * unchecked labels fall outside the classes) and gives `read` it, inside one
 * tidy without gradients, on pred's backend.
 */
function withClasses(
  op: string, pred: Tensor, target: Tensor, numClasses: unknown, threshold: number | undefined,
  read: (counts: Tensor, classes: ClassPredictions) => Tensor,
): Tensor {
  checkSamples(op, pred, 'prediction');
  checkSamples(op, target, 'target');
  const c = checkNumClasses(op, numClasses);
  return noGrad(() => tidy(() => onBackendOf(op, pred, () => {
    const classes = classPredictions(op, pred, target, c, threshold);
    const truth = classes.target.cast('i32').oneHot(classes.numClasses, 'f32');
    const predicted = classes.predicted.oneHot(classes.numClasses, 'f32');
    return read(marked(truth.transpose().matmul(predicted), classes.mark), classes);
  })));
}

/** a / b, and 0 where b is 0 (scikit-learn's zero_division's default). */
function safeDivide(a: Tensor, b: Tensor): Tensor {
  const some = b.notEqual(0);
  return ops.where(some, a.div(ops.where(some, b, 1)), 0);
}

export type Average = 'micro' | 'macro' | 'weighted' | 'none' | 'binary';

export interface ClassScoreOptions {
  /**
   * How the classes' scores make one: 'macro' their mean (over the classes
   * present in the target or the prediction, as scikit-learn's default
   * labels), 'weighted' their mean weighted by each class's true samples,
   * 'micro' the score of the counts summed over classes (for single-label
   * classes, accuracy), 'none' each class's [C], 'binary' class 1's (two
   * classes). Default 'binary' for probabilities [N], else 'macro'.
   */
  average?: Average;
  /** The number of classes: needed with labels as the prediction; class scores [N, C] give C. */
  numClasses?: number;
  /** With probabilities [N]: above it predicts class 1. Default 0.5. */
  threshold?: number;
}

export interface FbetaOptions extends ClassScoreOptions {
  /** How many times recall weighs as much as precision: a finite number ≥ 0 (0 gives precision). */
  beta: number;
}

const CLASS_SCORE_OPTIONS: OptionNames<ClassScoreOptions> = { average: true, numClasses: true, threshold: true };
const FBETA_OPTIONS: OptionNames<FbetaOptions> = { ...CLASS_SCORE_OPTIONS, beta: true };

/**
 * Precision, tp / (tp + fp), per class and averaged (scikit-learn's
 * precision_score): a class never predicted has precision 0 (its
 * zero_division default). The prediction and target as confusionMatrix's.
 */
export function precision(pred: Tensor, target: Tensor, options: ClassScoreOptions = {}): Tensor {
  options = checkOptions('precision', options, CLASS_SCORE_OPTIONS);
  return classScore('precision', pred, target, options, 0);
}

/** Recall, tp / (tp + fn) (scikit-learn's recall_score): a class with no true samples has recall 0. As precision otherwise. */
export function recall(pred: Tensor, target: Tensor, options: ClassScoreOptions = {}): Tensor {
  options = checkOptions('recall', options, CLASS_SCORE_OPTIONS);
  return classScore('recall', pred, target, options, Infinity);
}

/** F1, the harmonic mean of precision and recall: fbetaScore with beta 1 (scikit-learn's f1_score). */
export function f1Score(pred: Tensor, target: Tensor, options: ClassScoreOptions = {}): Tensor {
  options = checkOptions('f1Score', options, CLASS_SCORE_OPTIONS);
  return classScore('f1Score', pred, target, options, 1);
}

/**
 * F-beta, (1 + β²)·tp / ((1 + β²)·tp + β²·fn + fp) (scikit-learn's
 * fbeta_score): a class with neither true nor predicted samples scores 0.
 * As precision otherwise.
 */
export function fbetaScore(pred: Tensor, target: Tensor, options: FbetaOptions): Tensor {
  options = checkOptions('fbetaScore', options, FBETA_OPTIONS);
  const { beta } = options;
  if (typeof beta !== 'number' || !(beta >= 0) || !Number.isFinite(beta)) throw new ValueError(`fbetaScore: beta must be a finite number ≥ 0, got ${formatValue(beta)}`);
  return classScore('fbetaScore', pred, target, options, beta);
}

/** Precision (beta 0), recall (beta ∞) or an F-score, per class from the confusion matrix, averaged. */
function classScore(op: string, pred: Tensor, target: Tensor, options: ClassScoreOptions, beta: number): Tensor {
  const { average } = options;
  if (average !== undefined && !['micro', 'macro', 'weighted', 'none', 'binary'].includes(average)) {
    throw new ValueError(`${op}: average must be 'micro', 'macro', 'weighted', 'none' or 'binary', got ${formatValue(average)}`);
  }
  return withClasses(op, pred, target, options.numClasses, options.threshold, (counts, classes) => {
    const mode = average ?? (classes.binary ? 'binary' : 'macro');
    if (mode === 'binary' && classes.numClasses !== 2) {
      throw new ValueError(`${op}: average 'binary' scores class 1 of two classes; these labels have ${classes.numClasses} (pick micro, macro, weighted or none)`);
    }
    const tp = counts.diagonal();
    const predicted = counts.sum(0);
    const actual = counts.sum(1);
    // (1 + β²)·tp over β²·(tp + fn) + (tp + fp): β = 0 is precision; recall is the limit β → ∞, tp over tp + fn.
    const [numerator, denominator] = beta === Infinity ? [tp, actual] : [tp.mul(1 + beta * beta), actual.mul(beta * beta).add(predicted)];
    if (mode === 'micro') return safeDivide(numerator.sum(), denominator.sum());
    const perClass = safeDivide(numerator, denominator);
    if (mode === 'none') return perClass;
    if (mode === 'binary') return perClass.slice([1], [1]).reshape([]);
    const weights = mode === 'weighted' ? actual : actual.add(predicted).greater(0).cast('f32');
    return perClass.mul(weights).sum().div(weights.sum());
  });
}

export interface LabelOptions {
  /** The number of classes: needed with labels as the prediction; class scores [N, C] give C. */
  numClasses?: number;
  /** With probabilities [N]: above it predicts class 1. Default 0.5. */
  threshold?: number;
}

const LABEL_OPTIONS: OptionNames<LabelOptions> = { numClasses: true, threshold: true };

/**
 * Matthews' correlation coefficient in its multiclass form (scikit-learn's
 * matthews_corrcoef): (c·s − t·p) / √((s² − p·p)(s² − t·t)) with c the
 * samples right, s all of them, t and p the true and predicted counts per
 * class; 0 where a side has one class only. In [−1, 1]; inputs as
 * confusionMatrix's.
 */
export function matthewsCorrcoef(pred: Tensor, target: Tensor, options: LabelOptions = {}): Tensor {
  options = checkOptions('matthewsCorrcoef', options, LABEL_OPTIONS);
  return withClasses('matthewsCorrcoef', pred, target, options.numClasses, options.threshold, (counts) => {
    // In shares of the samples, not counts: s² would pass f32's exact integers at 4,096 samples.
    const shares = counts.div(counts.sum());
    const t = shares.sum(1);
    const p = shares.sum(0);
    const covariance = shares.trace().sub(t.mul(p).sum());
    const spread = ops.sub(1, p.square().sum()).mul(ops.sub(1, t.square().sum()));
    return ops.where(spread.equal(0), 0, covariance.div(spread.sqrt()));
  });
}

export interface CohenKappaOptions extends LabelOptions {
  /** Disagreements weighed by how far apart the classes are: 'linear' |i − j|, 'quadratic' (i − j)². Default none: each disagreement 1. */
  weights?: 'linear' | 'quadratic';
}

/**
 * Cohen's kappa, agreement beyond chance (scikit-learn's
 * cohen_kappa_score): 1 − Σ w·observed / Σ w·expected, expected from the
 * true and predicted class counts as if independent, w 1 off the diagonal
 * (or |i − j|, (i − j)² with `weights`). NaN where chance alone agrees
 * always (one class on both sides), as scikit-learn's. Inputs as
 * confusionMatrix's.
 */
export function cohenKappa(pred: Tensor, target: Tensor, options: CohenKappaOptions = {}): Tensor {
  const op = 'cohenKappa';
  options = checkOptions(op, options, { ...LABEL_OPTIONS, weights: true });
  const { weights } = options;
  if (weights !== undefined && weights !== 'linear' && weights !== 'quadratic') throw new ValueError(`${op}: weights must be 'linear' or 'quadratic', got ${formatValue(weights)}`);
  return withClasses(op, pred, target, options.numClasses, options.threshold, (counts, { numClasses: c }) => {
    const shares = counts.div(counts.sum());
    const expected = ops.outer(shares.sum(1), shares.sum(0));
    const gap = ops.arange(0, c).reshape([c, 1]).sub(ops.arange(0, c)).abs();
    const w = weights === 'linear' ? gap : weights === 'quadratic' ? gap.square() : gap.greater(0).cast('f32');
    return ops.sub(1, w.mul(shares).sum().div(w.mul(expected).sum()));
  });
}
