// What losses over class scores share: class labels checked against the
// scores they index, and a weight per class.
import { isFloat } from '../dtype.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { heldValues } from '../ops/util.js';
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
  const held = heldValues(loss, labels);
  if (held) {
    for (let i = 0; i < n; i++) {
      if (!(held[i] >= 0 && held[i] < c) && held[i] !== ignoreIndex) {
        throw new ValueError(`${loss}: class label ${held[i]} (sample ${i}) is not one of the ${c} classes of ${what} ${formatShape(scores.shape)}, 0 to ${c - 1}`);
      }
    }
  }
  return held;
}

/** A loss's class weights: a float vector of the scores' classes on their backend, or none. */
export function classWeights(loss: string, weight: unknown, scores: Tensor, what = 'logits'): Tensor | undefined {
  if (weight === undefined) return undefined;
  if (!(weight instanceof Tensor)) throw new ValueError(`${loss}: weight must be a tensor of one weight per class, got ${formatValue(weight)}`);
  const c = scores.shape[scores.rank - 1];
  if (weight.rank !== 1 || weight.shape[0] !== c) throw new ShapeError(`${loss}: weight must be [${c}], one per class of ${what} ${formatShape(scores.shape)}, got ${formatShape(weight.shape)}`);
  if (!isFloat(weight.dtype)) throw new DTypeError(`${loss}: weight must be f32 or f16, got ${weight.dtype}`);
  return weight;
}

