// Margin losses on scores, as PyTorch's soft_margin_loss,
// multilabel_soft_margin_loss, multi_margin_loss and multilabel_margin_loss
// (their formulas exactly, each sample's terms divided by its class count
// C): a score should exceed the others (or 0, for ±1 targets) by a margin,
// and pays, linearly, squared or softly, for falling short.
import { isFloat } from '../dtype.js';
import { tidy } from '../engine.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import * as ops from '../ops/index.js';
import { heldValues } from '../ops/util.js';
import { checkOptions, type OptionNames } from '../options.js';
import { noGrad, record } from '../tape.js';
import type { Tensor } from '../tensor.js';
import { checkClassLabels, classWeights } from './classes.js';
import { LOSS_OPTIONS, perSampleMean, reduce, sameShapes, type LossOptions } from './reduction.js';

function checkScores(loss: string, x: Tensor): void {
  if (!isFloat(x.dtype)) throw new DTypeError(`${loss}: x must be f32 or f16, got ${x.dtype}`);
}

/**
 * log(1 + e^z), never exponentiating a large z, with its own gradient σ(z):
 * autograd through max(z, 0) and |z| would take σ(0) = ½ as 0.
 */
function softplus(z: Tensor): Tensor {
  const value = noGrad(() => tidy(() => z.relu().add(z.abs().neg().exp().log1p())));
  return record(value, 'softplus', [z], [z], (dy, [sz]) => [dy.mul(sz.sigmoid())]);
}

/**
 * Scores x and targets of its shape, 1 or −1 (or any number: the formula
 * holds): log(1 + e^(−target·x)) elementwise, as PyTorch's
 * soft_margin_loss; per sample the mean of a row's terms.
 */
export function softMargin(x: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  const { reduction } = checkOptions('softMargin', options, LOSS_OPTIONS);
  checkScores('softMargin', x);
  sameShapes('softMargin', x, target, ['x', 'target']);
  return tidy(() => reduce(perSampleMean(softplus(target.cast(x.dtype).mul(x).neg())), reduction));
}

export interface MultiLabelSoftMarginOptions extends LossOptions {
  /** One weight per class [C] (PyTorch's weight). */
  weight?: Tensor;
}

/**
 * Scores x [N, C] (or [C]) against 0/1 targets of its shape, each class a
 * yes/no question of its own: the mean over classes of the binary
 * cross-entropy of σ(x) (weighted per class), as PyTorch's
 * multilabel_soft_margin_loss (binaryCrossEntropy with fromLogits, averaged
 * per sample).
 */
export function multiLabelSoftMargin(x: Tensor, target: Tensor, options: MultiLabelSoftMarginOptions = {}): Tensor {
  const { reduction, weight } = checkOptions('multiLabelSoftMargin', options, { reduction: true, weight: true } satisfies OptionNames<MultiLabelSoftMarginOptions>);
  checkScores('multiLabelSoftMargin', x);
  if (x.rank !== 1 && x.rank !== 2) throw new ShapeError(`multiLabelSoftMargin: x must be [N, C] or [C], got ${formatShape(x.shape)}`);
  sameShapes('multiLabelSoftMargin', x, target, ['x', 'target']);
  const weights = classWeights('multiLabelSoftMargin', weight, x, 'x');
  return tidy(() => {
    const y = target.cast(x.dtype);
    // −(y·log σ(x) + (1 − y)·log σ(−x)), log σ(x) being −softplus(−x).
    const terms = y.mul(softplus(x.neg())).add(ops.sub(1, y).mul(softplus(x)));
    return reduce((weights ? terms.mul(weights) : terms).mean(-1), reduction);
  });
}

export interface MultiMarginOptions extends LossOptions {
  /** 1 (the default, the hinge) or 2 (the squared hinge). */
  p?: 1 | 2;
  /** By how much the labelled class's score must lead every other to cost nothing (default 1). */
  margin?: number;
  /** One weight per class [C], applied by each sample's label (PyTorch's weight). */
  weight?: Tensor;
}

/**
 * Scores x [N, C] (or [C]) and class labels [N] (or []): Σ over the other
 * classes i of max(0, margin − x[label] + x[i])ᵖ, divided by C (and times
 * the label's weight), as PyTorch's multi_margin_loss: a multi-class SVM's
 * hinge.
 */
export function multiMargin(x: Tensor, labels: Tensor, options: MultiMarginOptions = {}): Tensor {
  const { reduction, p = 1, margin = 1, weight } = checkOptions('multiMargin', options, { reduction: true, p: true, margin: true, weight: true } satisfies OptionNames<MultiMarginOptions>);
  if (p !== 1 && p !== 2) throw new ValueError(`multiMargin: p must be 1 or 2, got ${formatValue(p)}`);
  if (typeof margin !== 'number' || !Number.isFinite(margin)) throw new ValueError(`multiMargin: margin must be a finite number, got ${formatValue(margin)}`);
  checkScores('multiMargin', x);
  if (x.rank !== 1 && x.rank !== 2) throw new ShapeError(`multiMargin: x must be [N, C] or [C], got ${formatShape(x.shape)}`);
  if (isFloat(labels.dtype)) throw new DTypeError(`multiMargin: labels must be int class indices, got ${labels.dtype}`);
  const unbatched = x.rank === 1;
  if (unbatched && labels.rank !== 0) throw new ShapeError(`multiMargin: one sample's scores ${formatShape(x.shape)} take one label [], got ${formatShape(labels.shape)}`);
  const weights = classWeights('multiMargin', weight, x, 'x');
  return tidy(() => {
    const scores = unbatched ? x.reshape([1, x.shape[0]]) : x;
    const picks = unbatched ? labels.reshape([1]) : labels;
    checkClassLabels('multiMargin', scores, picks, undefined, 'x');
    const classes = scores.shape[1];
    const labelled = ops.oneHot(picks, classes).cast(x.dtype); // [N, C]
    const own = scores.mul(labelled).sum(1, { keepDims: true });
    const hinge = ops.sub(margin, own).add(scores).relu();
    const terms = (p === 2 ? hinge.square() : hinge).mul(ops.sub(1, labelled));
    let perSample = terms.sum(1).div(classes);
    if (weights) perSample = perSample.mul(ops.gather(weights, picks, 0));
    return reduce(unbatched ? perSample.reshape([]) : perSample, reduction);
  });
}

/**
 * Scores x [N, C] (or [C]) and targets of its shape holding each sample's
 * classes (int indices), ended by the first −1 (the rest unread): Σ over
 * its classes j and the classes i not among them of max(0, 1 − (x[j] −
 * x[i])), divided by C, as PyTorch's multilabel_margin_loss. A sample with
 * no class costs 0.
 */
export function multiLabelMargin(x: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  const { reduction } = checkOptions('multiLabelMargin', options, LOSS_OPTIONS);
  checkScores('multiLabelMargin', x);
  if (x.rank !== 1 && x.rank !== 2) throw new ShapeError(`multiLabelMargin: x must be [N, C] or [C], got ${formatShape(x.shape)}`);
  sameShapes('multiLabelMargin', x, target, ['x', 'target']);
  if (isFloat(target.dtype)) throw new DTypeError(`multiLabelMargin: target must be int class indices (−1 ends each sample's), got ${target.dtype}`);
  const classes = x.shape[x.rank - 1];
  const held = heldValues('multiLabelMargin', target);
  if (held) {
    for (let i = 0; i < target.size; i++) {
      if (!(held[i] >= -1 && held[i] < classes)) throw new ValueError(`multiLabelMargin: target ${held[i]} (entry ${i}) is not one of the ${classes} classes of x ${formatShape(x.shape)}, 0 to ${classes - 1}, nor −1`);
    }
  }
  return tidy(() => {
    const scores = x.rank === 1 ? x.reshape([1, classes]) : x;
    const labels = target.cast('i32').reshape(scores.shape);
    // A sample's entries before its first −1: the running product of "not −1".
    const read = ops.cumprod(labels.greaterEqual(0), 1); // [N, C] 0/1
    const chosen = ops.equal(labels.expandDims(2), ops.arange(0, classes, 1, { dtype: 'i32' })).mul(read.expandDims(2)); // [N, k, c]
    const isTarget = chosen.max(1).cast(x.dtype); // [N, C]
    // [N, j, i]: the hinge of target class j over class i, where j is a target and i is not.
    const hinge = ops.sub(1, scores.expandDims(2)).add(scores.expandDims(1)).relu();
    const pairs = isTarget.expandDims(2).mul(ops.sub(1, isTarget).expandDims(1));
    const perSample = hinge.mul(pairs).sum([1, 2]).div(classes);
    return reduce(x.rank === 1 ? perSample.reshape([]) : perSample, reduction);
  });
}
