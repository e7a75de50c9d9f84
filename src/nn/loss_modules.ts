// PyTorch's loss modules (nn.MSELoss, nn.CrossEntropyLoss, …): a function
// of tm.losses with its options fixed when the module is made, called as
// forward(input, target). Their reductions are PyTorch's own, so that ported
// code gives PyTorch's numbers: an elementwise loss's 'none' keeps the
// input's shape and its 'sum' adds every element, where tm.losses's
// functions give one value per sample. Class weights are the module's
// buffers (copies of the tensors given), in stateDict as PyTorch's are.
//
// The options' values are checked by the loss function, on every call; the
// module checks their names and the reduction when it is made.
import { tidy } from '../engine.js';
import { ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import * as losses from '../losses/index.js';
import { varianceFor } from '../losses/probabilistic.js';
import { sameShapes } from '../losses/reduction.js';
import { checkOptions, type OptionNames } from '../options.js';
import { isFloat } from '../dtype.js';
import * as ops from '../ops/index.js';
import { heldValues } from '../ops/util.js';
import { noGrad, record } from '../tape.js';
import { Tensor } from '../tensor.js';
import { Module, type LayerConfig } from './module.js';

type Reduction = losses.Reduction;
type Settings = Record<string, number | boolean | string>;

const REDUCTIONS: readonly string[] = ['mean', 'sum', 'none'];

/**
 * What every loss module shares: its reduction, its options (numbers and
 * flags, in config) and its tensor options (class weights: its buffers, never
 * trained). Not a layer tm.nn.load rebuilds; a model file holds layers.
 */
export abstract class Loss extends Module {
  readonly reduction: Reduction;
  protected readonly settings: Settings;
  private readonly tensors: Record<string, Tensor>;

  protected constructor(readonly kind: string, options: object, names: OptionNames<object>, reductions: readonly string[] = REDUCTIONS) {
    super();
    const given: Record<string, unknown> = { ...checkOptions(kind, options, names) };
    const { reduction = 'mean' } = given;
    if (typeof reduction !== 'string' || !reductions.includes(reduction)) {
      throw new ValueError(`${kind}: unknown reduction ${formatValue(reduction)}; expected ${reductions.join(', ')}`);
    }
    this.reduction = reduction as Reduction;
    delete given.reduction;
    this.settings = {};
    this.tensors = {};
    for (const [key, value] of Object.entries(given)) {
      if (value === undefined) continue;
      if (value instanceof Tensor) this.tensors[key] = noGrad(() => value.clone());
      else if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') this.settings[key] = value;
      else throw new ValueError(`${kind}: ${key} must be a number, a flag or a tensor, got ${formatValue(value)}`);
    }
  }

  abstract override forward(input: Tensor, target?: Tensor): Tensor;

  /** The options as the loss function takes them: the settings, the buffers, and a reduction. */
  protected optionsWith<O extends losses.LossOptions>(reduction: Reduction = this.reduction): O {
    return { ...this.settings, ...this.tensors, reduction } as O;
  }

  /** The target of a loss of an input and a target of its shape: given, and of that shape. */
  protected targetFor(input: Tensor, target: Tensor | undefined): Tensor {
    sameShapes(this.kind, input, given(this.kind, 'a target', target), ['input', 'target']);
    return target as Tensor;
  }

  /** An elementwise loss of an input and a target of its shape, in PyTorch's reductions (perElement). */
  protected elementwise(input: Tensor, target: Tensor | undefined, loss: (x: Tensor, t: Tensor, reduction: Reduction) => Tensor): Tensor {
    const expected = this.targetFor(input, target);
    return perElement([input, expected], this.reduction, ([x, t], reduction) => loss(x, t, reduction));
  }

  override ownParameters(): Record<string, Tensor> {
    return {};
  }

  override ownBuffers(): Record<string, Tensor> {
    return { ...this.tensors };
  }

  config(): LayerConfig {
    return { type: this.kind, reduction: this.reduction, ...this.settings };
  }
}

/** A forward argument the loss cannot go without. */
function given<T>(kind: string, what: string, value: T | undefined): T {
  if (value === undefined) throw new ValueError(`${kind}: forward takes ${what}; it is missing`);
  return value;
}

/**
 * An elementwise loss with PyTorch's reductions: tm.losses's function of the
 * inputs flattened, each element then a sample of its own (its 'none' a loss
 * per element, its 'sum' the sum of every one), 'none' put back in the
 * input's shape. The inputs' shapes are checked before, under their own.
 */
function perElement(inputs: readonly Tensor[], reduction: Reduction, loss: (flat: Tensor[], reduction: Reduction) => Tensor): Tensor {
  return tidy(() => {
    const out = loss(inputs.map((t) => t.reshape([t.size])), reduction);
    return reduction === 'none' ? out.reshape(inputs[0].shape) : out;
  });
}

/** A tensor option that broadcasts against the input (BCE's weight and pos_weight), as the input's shape. */
function expandedTo(kind: string, what: string, t: Tensor, input: Tensor): Tensor {
  // Broadcast onto the input, never past it: PyTorch expands the weight to the input's shape.
  const fits = t.rank <= input.rank && t.shape.every((d, i) => d === 1 || d === input.shape[input.rank - t.rank + i]);
  if (!fits) {
    throw new ShapeError(`${kind}: ${what} ${formatShape(t.shape)} does not broadcast to input ${formatShape(input.shape)}`);
  }
  return t.broadcastTo(input.shape);
}

const REDUCTION_ONLY: OptionNames<losses.LossOptions> = { reduction: true };

/** Mean absolute error, PyTorch's nn.L1Loss. */
export class L1Loss extends Loss {
  constructor(options: losses.LossOptions = {}) {
    super('L1Loss', options, REDUCTION_ONLY);
  }

  forward(input: Tensor, target?: Tensor): Tensor {
    return this.elementwise(input, target, (x, t, reduction) => losses.l1(x, t, { reduction }));
  }
}

/** Mean squared error, PyTorch's nn.MSELoss. */
export class MSELoss extends Loss {
  constructor(options: losses.LossOptions = {}) {
    super('MSELoss', options, REDUCTION_ONLY);
  }

  forward(input: Tensor, target?: Tensor): Tensor {
    return this.elementwise(input, target, (x, t, reduction) => losses.mse(x, t, { reduction }));
  }
}

/** Huber loss (delta, default 1), PyTorch's nn.HuberLoss; see tm.losses.huber. */
export class HuberLoss extends Loss {
  constructor(options: losses.HuberOptions = {}) {
    super('HuberLoss', options, { reduction: true, delta: true });
  }

  forward(input: Tensor, target?: Tensor): Tensor {
    return this.elementwise(input, target, (x, t, reduction) => losses.huber(x, t, this.optionsWith(reduction)));
  }
}

/** Smooth L1 (beta, default 1), PyTorch's nn.SmoothL1Loss; see tm.losses.smoothL1. */
export class SmoothL1Loss extends Loss {
  constructor(options: losses.SmoothL1Options = {}) {
    super('SmoothL1Loss', options, { reduction: true, beta: true });
  }

  forward(input: Tensor, target?: Tensor): Tensor {
    return this.elementwise(input, target, (x, t, reduction) => losses.smoothL1(x, t, this.optionsWith(reduction)));
  }
}

/**
 * Softmax cross-entropy of logits against class labels or probabilities,
 * PyTorch's nn.CrossEntropyLoss, in its layouts ([C], [N, C], [N, C, d1, …]);
 * see tm.losses.crossEntropy. PyTorch ignores the label −100 by default;
 * here only the ignoreIndex given is (a −100 label is an error that says so).
 */
export class CrossEntropyLoss extends Loss {
  constructor(options: losses.CrossEntropyOptions = {}) {
    super('CrossEntropyLoss', options, { reduction: true, labelSmoothing: true, ignoreIndex: true, weight: true });
  }

  forward(input: Tensor, target?: Tensor): Tensor {
    const labels = given(this.kind, 'class labels or probabilities', target);
    // PyTorch's module keeps its ignore_index (−100 by default) and reads it only for class labels.
    const { ignoreIndex, ...rest } = this.optionsWith<losses.CrossEntropyOptions>();
    return losses.crossEntropy(input, labels, isFloat(labels.dtype) ? rest : { ...rest, ignoreIndex });
  }
}

/** Negative log-likelihood of log-probabilities at class labels, PyTorch's nn.NLLLoss; see tm.losses.nll. */
export class NLLLoss extends Loss {
  constructor(options: losses.NllOptions = {}) {
    super('NLLLoss', options, { reduction: true, ignoreIndex: true, weight: true });
  }

  forward(input: Tensor, target?: Tensor): Tensor {
    return losses.nll(input, given(this.kind, 'class labels', target), this.optionsWith());
  }
}

/** Options of BCELoss: PyTorch's weight, broadcast against the input. */
export interface BCELossOptions extends losses.LossOptions {
  weight?: Tensor;
}

/**
 * PyTorch's binary_cross_entropy, elementwise: the logs clamped at −100 (a
 * confident miss costs 100, not ∞) and the gradient (p − t)/max(p·(1 − p),
 * 1e-12), so that it still pulls at p = 0 or 1. tm.losses.binaryCrossEntropy
 * clips p to [1e-7, 1 − 1e-7] instead (Keras's), with no gradient past it.
 * In f32 for f16 inputs: 1e-12 is 0 in f16.
 */
function clampedBinaryCrossEntropy(p: Tensor, t: Tensor): Tensor {
  const [p32, t32] = [p, t].map((x) => (x.dtype === 'f16' ? x.cast('f32') : x));
  const clampedLog = (x: Tensor) => ops.maximum(x.log(), -100);
  const out = noGrad(() => t32.mul(clampedLog(p32)).add(ops.sub(1, t32).mul(clampedLog(ops.sub(1, p32)))).neg());
  const loss = record(out, 'binaryCrossEntropy', [p32, t32], [p32, t32], (dy, [ps, ts]) => [
    dy.mul(ps.sub(ts)).div(ops.maximum(ps.mul(ops.sub(1, ps)), 1e-12)),
    dy.mul(clampedLog(ops.sub(1, ps)).sub(clampedLog(ps))),
  ]);
  return p.dtype === 'f16' ? loss.cast('f16') : loss;
}

/** Binary cross-entropy of probabilities, PyTorch's nn.BCELoss: its clamp of the logs at −100 and its gradient (weight broadcast against the input). */
export class BCELoss extends Loss {
  constructor(options: BCELossOptions = {}) {
    super('BCELoss', options, { reduction: true, weight: true });
    if (this.settings.weight !== undefined) throw new ValueError(`BCELoss: weight must be a tensor broadcast against the input, got ${formatValue(this.settings.weight)}`);
  }

  forward(input: Tensor, target?: Tensor): Tensor {
    const expected = this.targetFor(input, target);
    const { weight } = this.ownBuffers();
    return tidy(() => {
      const terms = clampedBinaryCrossEntropy(input, expected);
      const weighted = weight ? terms.mul(expandedTo(this.kind, 'weight', weight, input).cast(terms.dtype)) : terms;
      return this.reduction === 'none' ? weighted : this.reduction === 'sum' ? weighted.sum() : weighted.mean();
    });
  }
}

/** Options of BCEWithLogitsLoss: PyTorch's weight and pos_weight, each broadcast against the input (posWeight may be a number for every class). */
export interface BCEWithLogitsLossOptions extends losses.LossOptions {
  weight?: Tensor;
  posWeight?: Tensor | number;
}

/** Binary cross-entropy of logits, computed stably, PyTorch's nn.BCEWithLogitsLoss; see tm.losses.binaryCrossEntropy. */
export class BCEWithLogitsLoss extends Loss {
  constructor(options: BCEWithLogitsLossOptions = {}) {
    super('BCEWithLogitsLoss', options, { reduction: true, weight: true, posWeight: true });
    if (this.settings.weight !== undefined) throw new ValueError(`BCEWithLogitsLoss: weight must be a tensor broadcast against the input, got ${formatValue(this.settings.weight)}`);
  }

  forward(input: Tensor, target?: Tensor): Tensor {
    const expected = this.targetFor(input, target);
    const { weight, posWeight } = this.ownBuffers();
    const sharedPosWeight = this.settings.posWeight as number | undefined;
    return tidy(() => {
      const extra = [weight, posWeight].map((t, i) => t && expandedTo(this.kind, i ? 'posWeight' : 'weight', t, input));
      const present = extra.filter((t): t is Tensor => t !== undefined);
      return perElement([input, expected, ...present], this.reduction, ([x, t, ...rest], reduction) => {
        const [w, p] = extra.map((e) => (e ? rest.shift() : undefined));
        return losses.binaryCrossEntropy(x, t, { reduction, fromLogits: true, weight: w, posWeight: p ?? sharedPosWeight });
      });
    });
  }
}

/** Options of KLDivLoss: PyTorch's reductions, 'batchmean' among them. */
export interface KLDivLossOptions extends Omit<losses.KlDivOptions, 'reduction'> {
  /**
   * 'mean' (PyTorch's default) is the mean over every element; 'batchmean'
   * the sum over each sample, averaged over samples: the divergence,
   * mathematically, and tm.losses.klDiv's 'mean'.
   */
  reduction?: Reduction | 'batchmean';
}

/** Kullback–Leibler divergence of log-probabilities from a target, PyTorch's nn.KLDivLoss; see tm.losses.klDiv. */
export class KLDivLoss extends Loss {
  private readonly batchMean: boolean;

  constructor(options: KLDivLossOptions = {}) {
    const batchMean = options?.reduction === 'batchmean';
    super('KLDivLoss', batchMean ? { ...options, reduction: 'mean' } : options, { reduction: true, logTarget: 'boolean' }, [...REDUCTIONS, 'batchmean']);
    this.batchMean = batchMean;
  }

  forward(input: Tensor, target?: Tensor): Tensor {
    const expected = this.targetFor(input, target);
    if (this.batchMean) return losses.klDiv(input, expected, this.optionsWith('mean'));
    return perElement([input, expected], this.reduction, ([x, t], reduction) => losses.klDiv(x, t, this.optionsWith(reduction)));
  }

  override config(): LayerConfig {
    return { ...super.config(), reduction: this.batchMean ? 'batchmean' : this.reduction };
  }
}

/** Poisson negative log-likelihood of counts, PyTorch's nn.PoissonNLLLoss; see tm.losses.poissonNll. */
export class PoissonNLLLoss extends Loss {
  constructor(options: losses.PoissonNllOptions = {}) {
    super('PoissonNLLLoss', options, { reduction: true, logInput: 'boolean', full: 'boolean', epsilon: true });
  }

  forward(input: Tensor, target?: Tensor): Tensor {
    return this.elementwise(input, target, (x, t, reduction) => losses.poissonNll(x, t, this.optionsWith(reduction)));
  }
}

/** Gaussian negative log-likelihood, forward(input, target, variance), PyTorch's nn.GaussianNLLLoss; see tm.losses.gaussianNll. */
export class GaussianNLLLoss extends Loss {
  constructor(options: losses.GaussianNllOptions = {}) {
    super('GaussianNLLLoss', options, { reduction: true, full: 'boolean', epsilon: true });
  }

  forward(input: Tensor, target?: Tensor, variance?: Tensor | number): Tensor {
    const expected = this.targetFor(input, target);
    const v = given(this.kind, 'a variance', variance);
    if (typeof v === 'number') return perElement([input, expected], this.reduction, ([x, t], reduction) => losses.gaussianNll(x, t, v, this.optionsWith(reduction)));
    return tidy(() => perElement([input, expected, varianceFor(input, v).broadcastTo(input.shape)], this.reduction, ([x, t, w], reduction) => losses.gaussianNll(x, t, w, this.optionsWith(reduction))));
  }
}

/** max(0, −target·(a − b) + margin) elementwise, forward(a, b, target), PyTorch's nn.MarginRankingLoss. */
export class MarginRankingLoss extends Loss {
  constructor(options: losses.MarginRankingOptions = {}) {
    super('MarginRankingLoss', options, { reduction: true, margin: true });
  }

  forward(a: Tensor, b?: Tensor, target?: Tensor): Tensor {
    sameShapes(this.kind, a, given(this.kind, 'a second input b', b), ['a', 'b']);
    sameShapes(this.kind, a, given(this.kind, 'a target', target), ['a', 'target']);
    return perElement([a, b!, target!], this.reduction, ([x, y, t], reduction) => losses.marginRanking(x, y, t, this.optionsWith(reduction)));
  }
}

/** x where the target is 1, max(0, margin − x) where −1, elementwise: PyTorch's nn.HingeEmbeddingLoss. */
export class HingeEmbeddingLoss extends Loss {
  constructor(options: losses.HingeEmbeddingOptions = {}) {
    super('HingeEmbeddingLoss', options, { reduction: true, margin: true });
  }

  forward(input: Tensor, target?: Tensor): Tensor {
    return this.elementwise(input, target, (x, t, reduction) => losses.hingeEmbedding(x, t, this.optionsWith(reduction)));
  }
}

/** log(1 + e^(−target·x)) elementwise, PyTorch's nn.SoftMarginLoss. */
export class SoftMarginLoss extends Loss {
  constructor(options: losses.LossOptions = {}) {
    super('SoftMarginLoss', options, REDUCTION_ONLY);
  }

  forward(input: Tensor, target?: Tensor): Tensor {
    return this.elementwise(input, target, (x, t, reduction) => losses.softMargin(x, t, { reduction }));
  }
}

/** The multi-label hinge of scores [N, C] against class lists ended by −1, PyTorch's nn.MultiLabelMarginLoss; see tm.losses.multiLabelMargin. */
export class MultiLabelMarginLoss extends Loss {
  constructor(options: losses.LossOptions = {}) {
    super('MultiLabelMarginLoss', options, REDUCTION_ONLY);
  }

  forward(input: Tensor, target?: Tensor): Tensor {
    return losses.multiLabelMargin(input, given(this.kind, 'class lists', target), this.optionsWith());
  }
}

/** Per-class binary cross-entropy of scores [N, C] averaged per sample, PyTorch's nn.MultiLabelSoftMarginLoss; see tm.losses.multiLabelSoftMargin. */
export class MultiLabelSoftMarginLoss extends Loss {
  constructor(options: losses.MultiLabelSoftMarginOptions = {}) {
    super('MultiLabelSoftMarginLoss', options, { reduction: true, weight: true });
  }

  forward(input: Tensor, target?: Tensor): Tensor {
    return losses.multiLabelSoftMargin(input, given(this.kind, 'a target', target), this.optionsWith());
  }
}

/** The multi-class hinge of scores [N, C] at class labels, PyTorch's nn.MultiMarginLoss; see tm.losses.multiMargin. */
export class MultiMarginLoss extends Loss {
  constructor(options: losses.MultiMarginOptions = {}) {
    super('MultiMarginLoss', options, { reduction: true, p: true, margin: true, weight: true });
  }

  forward(input: Tensor, target?: Tensor): Tensor {
    return losses.multiMargin(input, given(this.kind, 'class labels', target), this.optionsWith());
  }
}

/** 1 − cos(a, b) for targets 1, max(0, cos − margin) for −1, forward(a, b, target), PyTorch's nn.CosineEmbeddingLoss. */
export class CosineEmbeddingLoss extends Loss {
  constructor(options: losses.CosineEmbeddingOptions = {}) {
    super('CosineEmbeddingLoss', options, { reduction: true, margin: true });
  }

  forward(a: Tensor, b?: Tensor, target?: Tensor): Tensor {
    return losses.cosineEmbedding(a, given(this.kind, 'a second input b', b), given(this.kind, 'a target', target), this.optionsWith());
  }
}

/** The triplet loss of anchors, positives and negatives, forward(anchor, positive, negative), PyTorch's nn.TripletMarginLoss. */
export class TripletMarginLoss extends Loss {
  constructor(options: losses.TripletMarginOptions = {}) {
    super('TripletMarginLoss', options, { reduction: true, margin: true, p: true, epsilon: true, swap: 'boolean' });
  }

  forward(anchor: Tensor, positive?: Tensor, negative?: Tensor): Tensor {
    return losses.tripletMargin(anchor, given(this.kind, 'positives', positive), given(this.kind, 'negatives', negative), this.optionsWith());
  }
}

/** The triplet loss with a distance of your own (default pairwiseDistance), PyTorch's nn.TripletMarginWithDistanceLoss. */
export class TripletMarginWithDistanceLoss extends Loss {
  private readonly distanceFunction?: (a: Tensor, b: Tensor) => Tensor;

  constructor(options: losses.TripletMarginWithDistanceOptions = {}) {
    const { distanceFunction, ...rest } = checkOptions('TripletMarginWithDistanceLoss', options, { reduction: true, distanceFunction: true, margin: true, swap: 'boolean' });
    if (distanceFunction !== undefined && typeof distanceFunction !== 'function') {
      throw new ValueError(`TripletMarginWithDistanceLoss: distanceFunction must be a function (a, b) => distances, got ${formatValue(distanceFunction)}`);
    }
    super('TripletMarginWithDistanceLoss', rest, { reduction: true, margin: true, swap: 'boolean' });
    this.distanceFunction = distanceFunction;
  }

  forward(anchor: Tensor, positive?: Tensor, negative?: Tensor): Tensor {
    const options = { ...this.optionsWith(), distanceFunction: this.distanceFunction };
    return losses.tripletMarginWithDistance(anchor, given(this.kind, 'positives', positive), given(this.kind, 'negatives', negative), options);
  }

  override config(): LayerConfig {
    return { ...super.config(), distanceFunction: this.distanceFunction ? 'custom' : 'pairwiseDistance' };
  }
}

/** Sequence lengths as numbers: PyTorch passes tensors, which the CPU backends can read at once. */
function lengthsOf(kind: string, what: string, lengths: ArrayLike<number> | Tensor): ArrayLike<number> {
  if (!(lengths instanceof Tensor)) return lengths;
  const held = heldValues(kind, lengths);
  if (!held) throw new ValueError(`${kind}: ${what} as a tensor on ${lengths.backend} would wait for the device; pass them as numbers (await lengths.data())`);
  return Array.from({ length: lengths.size }, (_, i) => held[i]);
}

/**
 * The CTC loss, forward(logProbs [T, N, C], targets, inputLengths,
 * targetLengths), PyTorch's nn.CTCLoss: targets padded [N, S] or all
 * concatenated [Σ targetLengths]; see tm.losses.ctc.
 */
export class CTCLoss extends Loss {
  constructor(options: losses.CtcOptions = {}) {
    super('CTCLoss', options, { reduction: true, blank: true, zeroInfinity: 'boolean' });
  }

  forward(logProbs: Tensor, targets?: Tensor, inputLengths?: ArrayLike<number> | Tensor, targetLengths?: ArrayLike<number> | Tensor): Tensor {
    const inputs = lengthsOf(this.kind, 'inputLengths', given(this.kind, 'inputLengths', inputLengths));
    const lengths = lengthsOf(this.kind, 'targetLengths', given(this.kind, 'targetLengths', targetLengths));
    return losses.ctc(logProbs, given(this.kind, 'targets', targets), inputs, lengths, this.optionsWith());
  }
}
