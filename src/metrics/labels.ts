// What the classification and ranking metrics share: checking their inputs
// (live tensors, samples along axis 0, class labels of an int dtype inside
// [0, classes)) and turning a prediction into one class label per sample.
// Labels are checked where the backend holds them in memory (js, native);
// on a GPU, where reading them would wait for the device, a label outside
// the classes makes the metric NaN instead (outsideMark), as crossEntropy's
// loss is there.
import { isFloat } from '../dtype.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import * as ops from '../ops/index.js';
import { checkTensor, heldValues } from '../ops/util.js';
import type { Tensor } from '../tensor.js';

/** A number of classes given as an option: an integer ≥ 1, or undefined. */
export function checkNumClasses(op: string, numClasses: unknown): number | undefined {
  if (numClasses !== undefined && !(Number.isSafeInteger(numClasses) && (numClasses as number) >= 1)) {
    throw new ValueError(`${op}: numClasses must be a positive integer, got ${formatValue(numClasses)}`);
  }
  return numClasses as number | undefined;
}

/** A threshold given as an option: a finite number, 0.5 by default. */
export function checkThreshold(op: string, threshold: unknown): number {
  if (threshold === undefined) return 0.5;
  if (typeof threshold !== 'number' || !Number.isFinite(threshold)) throw new ValueError(`${op}: threshold must be a finite number, got ${formatValue(threshold)}`);
  return threshold;
}

/** x a live tensor with at least one sample along axis 0. */
export function checkSamples(op: string, x: unknown, name: string): Tensor {
  const t = checkTensor(op, x, name);
  if (t.rank === 0) throw new ShapeError(`${op}: ${name} must have samples along axis 0, got a scalar`);
  if (t.size === 0) throw new ValueError(`${op}: ${name} ${formatShape(t.shape)} is empty: a metric needs at least one sample`);
  return t;
}

/**
 * Class labels (or 0/1 targets, with `classes` 2): an int dtype, and each
 * value in [0, classes) where the values can be read at once.
 */
export function checkLabels(op: string, labels: Tensor, name: string, classes: number, what = classesText(classes)): void {
  if (isFloat(labels.dtype)) {
    throw new DTypeError(`${op}: ${name} must hold class labels of an int dtype (i32 or i8), got ${labels.dtype} ${formatShape(labels.shape)} (${name}.cast('i32'))`);
  }
  const held = heldValues(op, labels);
  if (!held) return;
  for (let i = 0; i < labels.size; i++) {
    if (!(held[i] >= 0 && held[i] < classes)) {
      throw new ValueError(`${op}: ${name} label ${held[i]} (at ${i} of ${formatShape(labels.shape)}) is not one of ${what}`);
    }
  }
}

/** As many classes as i32 labels can name: a label is then refused only when negative (labels compared, not counted). */
export const ANY_LABEL = 2 ** 31 - 1;

function classesText(classes: number): string {
  return classes === ANY_LABEL ? 'the class labels, 0 or more' : `the ${classes} classes, 0 to ${classes - 1}`;
}

/**
 * 0, or NaN where some label lies outside [0, classes): added to a metric
 * whose labels a GPU holds (unchecked), so that a bad label shows. Undefined
 * where the labels were checked.
 */
export function outsideMark(op: string, labels: readonly Tensor[], classes: number): Tensor | undefined {
  const unchecked = labels.filter((l) => !heldValues(op, l));
  if (unchecked.length === 0) return undefined;
  const outside = unchecked.map((l) => ops.logicalOr(l.less(0), l.greaterEqual(classes)).any());
  const any = outside.reduce((a, b) => ops.logicalOr(a, b));
  return ops.where(any, NaN, 0).cast('f32');
}

/** A metric plus the NaN mark of unchecked labels, if any. */
export function marked(metric: Tensor, mark: Tensor | undefined): Tensor {
  return mark ? metric.add(mark) : metric;
}

/** One class label per sample, for a metric over a confusion matrix. */
export interface ClassPredictions {
  /** Predicted labels [N], i32. */
  predicted: Tensor;
  /** True labels [N] as given. */
  target: Tensor;
  numClasses: number;
  /** The prediction was probabilities of a positive class (thresholded), so two classes. */
  binary: boolean;
  /** 0 or NaN: see outsideMark. */
  mark: Tensor | undefined;
}

/**
 * A prediction as one label per sample, against target labels [N] (an int
 * dtype): class scores [N, C] (their argmax; numClasses C), probabilities of
 * the positive class [N] (float: above `threshold` is class 1; numClasses
 * 2), or labels [N] (an int dtype: numClasses must be given). Call inside a
 * tidy: the labels made are its intermediates.
 */
export function classPredictions(op: string, pred: Tensor, target: Tensor, numClasses: number | undefined, threshold: number | undefined): ClassPredictions {
  const n = target.rank === 1 ? target.shape[0] : -1;
  const mismatch = () =>
    new ShapeError(
      `${op}: prediction ${formatShape(pred.shape)} and target ${formatShape(target.shape)} do not match: ` +
        'target must be class labels [N], the prediction labels [N], probabilities of class 1 [N] or class scores [N, C]',
    );
  if (target.rank !== 1 || pred.shape[0] !== n || pred.rank > 2) throw mismatch();
  if (pred.rank === 2) {
    if (!isFloat(pred.dtype)) throw new DTypeError(`${op}: class scores ${formatShape(pred.shape)} must be a float dtype, got ${pred.dtype}`);
    if (threshold !== undefined) throw new ValueError(`${op}: threshold applies to probabilities [N], not to class scores ${formatShape(pred.shape)} (their argmax is the prediction)`);
    const c = pred.shape[1];
    if (numClasses !== undefined && numClasses !== c) throw new ValueError(`${op}: numClasses ${numClasses} differs from the ${c} classes of scores ${formatShape(pred.shape)}`);
    checkLabels(op, target, 'target', c);
    return { predicted: pred.argmax(-1).cast('i32'), target, numClasses: c, binary: false, mark: outsideMark(op, [target], c) };
  }
  if (isFloat(pred.dtype)) {
    if (numClasses !== undefined && numClasses !== 2) throw new ValueError(`${op}: probabilities ${formatShape(pred.shape)} are of two classes, not numClasses ${numClasses}`);
    checkLabels(op, target, 'target', 2, 'the binary labels 0 and 1');
    const predicted = pred.greater(checkThreshold(op, threshold)).cast('i32');
    return { predicted, target, numClasses: 2, binary: true, mark: outsideMark(op, [target], 2) };
  }
  if (threshold !== undefined) throw new ValueError(`${op}: threshold applies to probabilities [N], not to labels ${pred.dtype} ${formatShape(pred.shape)}`);
  if (numClasses === undefined) throw new ValueError(`${op}: numClasses is needed with labels ${formatShape(pred.shape)} as the prediction (class scores [N, C] give it)`);
  checkLabels(op, pred, 'prediction', numClasses);
  checkLabels(op, target, 'target', numClasses);
  return { predicted: pred.cast('i32'), target, numClasses, binary: false, mark: outsideMark(op, [pred, target], numClasses) };
}
