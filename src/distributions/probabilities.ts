// The {probs} | {logits} parameter of the discrete distributions, checked:
// exactly one of the two, as PyTorch's Bernoulli and Categorical take them;
// and the base of the distributions of one probability of success per
// entry (Bernoulli, Geometric, RelaxedBernoulli), which read it either way.
import { epsilonOf } from '../dtype.js';
import { tidy } from '../engine.js';
import { ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor.js';
import { Distribution, parameters, type Parameter, type Parameters } from './distribution.js';

/** A discrete distribution's parameter: its probabilities, or their logits (log-odds, or unnormalised log-probabilities). */
export type ProbsOrLogits = { probs: Parameter; logits?: undefined } | { logits: Parameter; probs?: undefined };

/** Which of probs and logits `given` holds, and it checked as a parameter. */
export function probsOrLogits(name: string, given: unknown): Parameters & { kind: 'probs' | 'logits'; tensor: Tensor } {
  if (given === null || typeof given !== 'object' || Array.isArray(given)) {
    throw new ValueError(`${name}: expects { probs } or { logits }, got ${formatValue(given)}`);
  }
  const unknown = Object.keys(given).filter((k) => k !== 'probs' && k !== 'logits');
  if (unknown.length > 0) throw new ValueError(`${name}: unknown option ${unknown.map((k) => `'${k}'`).join(', ')}; expects { probs } or { logits }`);
  const { probs, logits } = given as { probs?: unknown; logits?: unknown };
  if ((probs === undefined) === (logits === undefined)) {
    throw new ValueError(`${name}: give either probs or logits, not ${probs === undefined ? 'neither' : 'both'}`);
  }
  const kind = probs === undefined ? 'logits' : 'probs';
  const checked = parameters(name, { [kind]: probs ?? logits });
  return { ...checked, kind, tensor: checked.tensors[0] };
}

/** {probs} | {logits} of K classes [..., K], checked to have the class axis (its last). */
export function classParameter(name: string, given: unknown): ReturnType<typeof probsOrLogits> & { numClasses: number } {
  const checked = probsOrLogits(name, given);
  if (checked.tensor.rank < 1) {
    for (const t of checked.owned) t.dispose();
    throw new ShapeError(`${name}: ${checked.kind} must have a class axis (its last), got ${formatShape(checked.tensor.shape)}`);
  }
  return { ...checked, numClasses: checked.tensor.shape[checked.tensor.rank - 1] };
}

/**
 * Another parameter (a temperature, a count of trials) and {probs} |
 * {logits} checked together: one dtype, one backend, shapes that broadcast
 * (their broadcast shape is `shape`). The tensors made from numbers are
 * owned, and freed here if the check fails.
 */
export function besideProbsOrLogits(name: string, key: string, value: Parameter, parameter: ProbsOrLogits): Parameters & { kind: 'probs' | 'logits'; tensor: Tensor; beside: Tensor } {
  const chosen = probsOrLogits(name, parameter);
  try {
    const { tensors, shape, owned } = parameters(name, { [key]: value, [chosen.kind]: chosen.tensor });
    return { kind: chosen.kind, tensor: chosen.tensor, beside: tensors[0], tensors, shape, owned: [...chosen.owned, ...owned] };
  } catch (e) {
    for (const t of chosen.owned) t.dispose();
    throw e;
  }
}

/** Rows of K class probabilities [..., K] normalised to sum to 1, from probs (divided by their sum) or logits (their softmax): Categorical's and RelaxedOneHotCategorical's reading. */
export function classProbs(given: 'probs' | 'logits', parameter: Tensor): Tensor {
  return tidy(() => (given === 'probs' ? parameter.div(parameter.sum(-1, { keepDims: true })) : parameter.softmax(-1)));
}

/** Their logs, the normalised log-probabilities [..., K]: the logits' log-softmax, or the normalised probs' log. */
export function classLogProbs(given: 'probs' | 'logits', parameter: Tensor): Tensor {
  return given === 'logits' ? parameter.logSoftmax(-1) : tidy(() => classProbs(given, parameter).log());
}

/** A distribution over K classes, given their probabilities or their logits [..., K] (Categorical, Multinomial, RelaxedOneHotCategorical). */
export abstract class ClassProbabilities extends Distribution {
  /** Which parameter was given. */
  readonly given: 'probs' | 'logits';
  /** The parameter as given [..., K] (a reference). */
  readonly parameter: Tensor;
  /** The number of classes, K. */
  readonly numClasses: number;

  /** `checked`: classParameter's findings; the shapes the subclass's own (a temperature may widen the batch). */
  protected constructor(name: string, checked: ReturnType<typeof classParameter>, batchShape: readonly number[], eventShape: readonly number[], owned: readonly Tensor[] = checked.owned) {
    super(name, batchShape, eventShape, owned);
    this.given = checked.kind;
    this.parameter = checked.tensor;
    this.numClasses = checked.numClasses;
  }

  /** The probabilities [..., K], each row summing to 1 (a new tensor). */
  get probs(): Tensor {
    return classProbs(this.given, this.parameter);
  }

  /** The normalised log-probabilities [..., K], as PyTorch's logits (a new tensor). */
  get logits(): Tensor {
    return classLogProbs(this.given, this.parameter);
  }
}

/** A distribution of one probability of success per entry, given as probs or as log-odds. */
export abstract class SuccessProbability extends Distribution {
  /** Which parameter was given. */
  readonly given: 'probs' | 'logits';
  /** The parameter as given (a reference), or a scalar tensor made from a number. */
  readonly parameter: Tensor;

  /** `checked`: probsOrLogits' findings, the batch shape possibly widened (by a temperature). */
  protected constructor(name: string, checked: Parameters & { kind: 'probs' | 'logits'; tensor: Tensor }) {
    super(name, checked.shape, [], checked.owned);
    this.given = checked.kind;
    this.parameter = checked.tensor;
  }

  /** The probabilities of success (a new tensor: the given one's view, or the logits' sigmoid). */
  get probs(): Tensor {
    return this.given === 'probs' ? this.parameter.reshape(this.parameter.shape) : this.parameter.sigmoid();
  }

  /** 1 − p (a new tensor: from logits σ(−l), which does not round 1 − σ(l) where p is near 1). */
  get failureProbs(): Tensor {
    return this.given === 'probs' ? ops.sub(1, this.parameter) : this.parameter.neg().sigmoid();
  }

  /** The log-odds (a new tensor: the given one's view, or the probabilities' logit, clamped one step inside (0, 1), as PyTorch's probs_to_logits). */
  get logits(): Tensor {
    if (this.given === 'logits') return this.parameter.reshape(this.parameter.shape);
    return ops.logit(this.parameter, { eps: epsilonOf(this.parameter.dtype) });
  }
}
