// What losses over class scores share: class labels checked against the
// scores they index, and a weight per class.
import { isFloat } from '../dtype.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { moveaxis } from '../ops/axes.js';
import { heldValues } from '../ops/util.js';
import { sameShape } from '../shape.js';
import { Tensor } from '../tensor.js';

/**
 * Class labels [N] for scores [N, C]: the shape, and each label a class
 * (or ignoreIndex) where the labels can be read at once (js, native); their
 * values then, else undefined (webgpu: out-of-range labels become NaN losses).
 */
export function checkClassLabels(loss: string, scores: Tensor, labels: Tensor, ignoreIndex: number | undefined, what = 'logits'): ArrayLike<number> | undefined {
  const [n, c] = scores.shape;
  if (labels.rank !== 1 || labels.shape[0] !== n) {
    throw new ShapeError(`${loss}: class labels must be [${n}] for ${what} ${formatShape(scores.shape)}, got ${formatShape(labels.shape)}`);
  }
  return checkLabelValues(loss, labels, c, ignoreIndex, what, scores.shape);
}

/** Each label a class of c (or ignoreIndex), where the labels can be read at once; their values then. */
function checkLabelValues(loss: string, labels: Tensor, c: number, ignoreIndex: number | undefined, what: string, scoresShape: readonly number[]): ArrayLike<number> | undefined {
  const held = heldValues(loss, labels);
  if (held) {
    for (let i = 0; i < labels.size; i++) {
      if (!(held[i] >= 0 && held[i] < c) && held[i] !== ignoreIndex) {
        // PyTorch pads with −100 and ignores it by default; tmnn ignores nothing unless asked.
        const hint = held[i] === -100 && ignoreIndex === undefined ? ' (PyTorch ignores −100 by default; pass ignoreIndex: -100)' : '';
        throw new ValueError(`${loss}: class label ${held[i]} (${placeOf(labels.shape, i)}) is not one of the ${c} classes of ${what} ${formatShape(scoresShape)}, 0 to ${c - 1}${hint}`);
      }
    }
  }
  return held;
}

/** Where flat index i of labels of this shape lies, in words: a sample, or a position [n, h, w]. */
function placeOf(shape: readonly number[], i: number): string {
  return shape.length <= 1 ? `sample ${i}` : `at ${coordinatesOf(shape, i)}`;
}

/** Flat index i of this shape as its coordinates, [n, h, w]. */
export function coordinatesOf(shape: readonly number[], i: number): string {
  const at: number[] = [];
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    at.unshift(i % shape[axis]);
    i = Math.floor(i / shape[axis]);
  }
  return `[${at.join(', ')}]`;
}

/**
 * Class scores in any of PyTorch's layouts, as rows [M, C] (a row a sample,
 * or a position of one), with the labels to match: scores [C] with one label
 * [] (a single sample), [N, C] with labels [N], or [N, C, d1, …] with labels
 * [N, d1, …] (a score per class at every position: segmentation), the
 * classes on axis 1. Probabilities as targets have the scores' layout.
 * `shape` is the layout of one loss per sample (or position): what reduction
 * 'none' gives. Labels are checked as checkClassLabels checks them, by
 * their own position.
 */
export interface ClassRows {
  scores: Tensor;
  /** Class labels [M] (int), or probabilities [M, C] (float). */
  labels: Tensor;
  /** Labels' values where the backend holds them (checked), as checkClassLabels gives them. */
  held: ArrayLike<number> | undefined;
  shape: number[];
}

export function classRows(loss: string, scores: Tensor, labels: Tensor, ignoreIndex: number | undefined, what = 'logits'): ClassRows {
  if (scores.rank === 0) throw new ShapeError(`${loss}: ${what} must be [classes], [batch, classes] or [batch, classes, d1, …], got ${formatShape(scores.shape)}`);
  const c = scores.shape[classAxisOf(scores)];
  const shape = scores.rank === 1 ? [] : [scores.shape[0], ...scores.shape.slice(2)];
  const probabilities = isFloat(labels.dtype);
  if (probabilities && !sameShape(labels.shape, scores.shape)) {
    if (sameShape(labels.shape, shape)) {
      throw new DTypeError(
        `${loss}: labels ${formatShape(labels.shape)} ${labels.dtype} look like class indices, which must be an int dtype (labels.cast('i32')); ` +
          `float labels are probabilities ${formatShape(scores.shape)}`,
      );
    }
    throw new ShapeError(`${loss}: labels ${formatShape(labels.shape)} fit neither as class labels ${formatShape(shape)} nor as probabilities ${formatShape(scores.shape)} for ${what} ${formatShape(scores.shape)}`);
  }
  if (!probabilities && !sameShape(labels.shape, shape)) {
    // Classes last ([N, T, C], Keras's layout) is the usual slip: PyTorch's, and this, put them on axis 1.
    const classesLast = scores.rank > 2 && sameShape(labels.shape, scores.shape.slice(0, -1));
    const hint = classesLast ? ` (the classes are on axis 1, as PyTorch's: tm.moveaxis(${what}, -1, 1) for classes last)` : '';
    throw new ShapeError(`${loss}: class labels must be ${formatShape(shape)} for ${what} ${formatShape(scores.shape)}, got ${formatShape(labels.shape)}${hint}`);
  }
  const held = probabilities ? undefined : checkLabelValues(loss, labels, c, ignoreIndex, what, scores.shape);
  return { scores: classesLast(scores), labels: probabilities ? classesLast(labels) : labels.reshape([labels.size]), held, shape };
}

/** The classes' axis of scores in PyTorch's layouts: [C], [N, C] or [N, C, d1, …]. */
export function classAxisOf(scores: Tensor): number {
  return scores.rank >= 2 ? 1 : 0;
}

/** Scores (or probabilities) in PyTorch's layouts as rows [M, C]: every sample, and every position of one, a row. */
export function classesLast(scores: Tensor): Tensor {
  // One transpose, only where the classes are on axis 1 of more than two.
  const axis = classAxisOf(scores);
  const m = scores.shape.reduce((a, b, i) => (i === axis ? a : a * b), 1);
  return (scores.rank > 2 ? moveaxis(scores, 1, -1) : scores).reshape([m, scores.shape[axis]]);
}

/** A loss's class weights: a float vector of the scores' classes on their backend, or none. */
export function classWeights(loss: string, weight: unknown, scores: Tensor, what = 'logits'): Tensor | undefined {
  if (weight === undefined) return undefined;
  if (!(weight instanceof Tensor)) throw new ValueError(`${loss}: weight must be a tensor of one weight per class, got ${formatValue(weight)}`);
  const c = scores.shape[classAxisOf(scores)];
  if (weight.rank !== 1 || weight.shape[0] !== c) throw new ShapeError(`${loss}: weight must be [${c}], one per class of ${what} ${formatShape(scores.shape)}, got ${formatShape(weight.shape)}`);
  if (!isFloat(weight.dtype)) throw new DTypeError(`${loss}: weight must be f32 or f16, got ${weight.dtype}`);
  return weight;
}

