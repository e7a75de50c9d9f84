// Connectionist temporal classification (Graves et al., 2006), PyTorch's
// ctc_loss: −log of the probability that a sequence of per-frame class
// distributions spells a target once repeats are merged and blanks dropped,
// summed over every alignment. The target is interleaved with blanks
// (l' = blank, l1, blank, l2, …, blank: 2S + 1 states) and the forward
// variables α are carried frame by frame in log space, as ops, so autograd
// gives the gradient (the α–β recursion written out by hand is what PyTorch
// does; the ops here are its forward pass, and their gradients are β).
import { tidy } from '../engine.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { isFloat } from '../dtype.js';
import { checkOptions, type OptionNames } from '../options.js';
import * as ops from '../ops/index.js';
import { heldValues } from '../ops/util.js';
import type { Tensor } from '../tensor.js';
import type { LossOptions, Reduction } from './reduction.js';

export interface CtcOptions extends LossOptions {
  /** The blank class. Default 0. */
  blank?: number;
  /**
   * A target no alignment of its frames can spell (more labels, and repeats,
   * than frames) gives a loss of 0 and no gradient rather than ∞, PyTorch's
   * zero_infinity. Default false.
   */
  zeroInfinity?: boolean;
}

const CTC_OPTIONS: OptionNames<CtcOptions> = { reduction: true, blank: true, zeroInfinity: 'boolean' };

/**
 * Log-probability standing in for log 0: α of a state no alignment reaches.
 * Finite, so that no ∞ − ∞ reaches a gradient; a sum of a few of them is
 * still far below any reachable path's (a frame's log-probabilities, each
 * clamped here, add up to −10^30 only past 10^8 frames of probability 0).
 */
const UNREACHABLE = -1e30;

/**
 * The CTC loss of log-probabilities [T, N, C] (frames, batch, classes: a
 * LogSoftmax's output over C) for targets [N, S] (i32 class labels, padded
 * past each target's length with anything), `inputLengths[n]` ≤ T frames
 * and `targetLengths[n]` ≤ S labels of sample n (numbers: they shape the
 * computation); one sequence is [T, C] with targets [S]. 'mean' divides
 * each sample's loss by its target length (at least 1) then averages over
 * the batch, as PyTorch's; 'none' gives [N]. Computed in f32 (an f16 input
 * is cast), the loss in the input's dtype.
 *
 * A label outside [0, C) or equal to the blank is an error where the
 * targets can be read at once (js, native); on a GPU such a sample's loss
 * is NaN.
 */
export function ctc(logProbs: Tensor, targets: Tensor, inputLengths: ArrayLike<number>, targetLengths: ArrayLike<number>, options: CtcOptions = {}): Tensor {
  const { reduction = 'mean', blank = 0, zeroInfinity = false } = checkOptions('ctc', options, CTC_OPTIONS);
  if (!isFloat(logProbs.dtype)) throw new DTypeError(`ctc: log-probabilities must be f32 or f16, got ${logProbs.dtype}`);
  if (isFloat(targets.dtype)) throw new DTypeError(`ctc: targets must be class labels of an int dtype, got ${targets.dtype} (targets.cast('i32'))`);
  const single = logProbs.rank === 2;
  if (logProbs.rank !== 3 && !single) throw new ShapeError(`ctc: log-probabilities must be [frames, batch, classes] (or one sequence [frames, classes]), got ${formatShape(logProbs.shape)}`);
  const [frames, batch, classes] = single ? [logProbs.shape[0], 1, logProbs.shape[1]] : logProbs.shape;
  if (targets.rank !== (single ? 1 : 2) || (!single && targets.shape[0] !== batch)) {
    throw new ShapeError(`ctc: targets must be ${single ? '[labels]' : `[${batch}, labels]`} for log-probabilities ${formatShape(logProbs.shape)}, got ${formatShape(targets.shape)}`);
  }
  const labels = targets.shape[targets.rank - 1];
  if (!Number.isSafeInteger(blank) || blank < 0 || blank >= classes) throw new ValueError(`ctc: blank must be a class, an integer in [0, ${classes}), got ${formatValue(blank)}`);
  const inputs = lengthsOf('inputLengths', inputLengths, batch, 1, frames, `the ${frames} frames`);
  const lengths = lengthsOf('targetLengths', targetLengths, batch, 0, labels, `the targets' ${labels} labels`);
  checkLabels(targets, lengths, labels, classes, blank);
  if (frames === 0 || batch === 0) throw new ShapeError(`ctc: log-probabilities ${formatShape(logProbs.shape)} hold no frames or no samples`);
  return tidy(() => {
    const lp = ops.reshape(logProbs.dtype === 'f32' ? logProbs : ops.cast(logProbs, 'f32'), [frames, batch, classes]);
    const perSample = negLogLikelihood(lp, ops.reshape(targets.dtype === 'i32' ? targets : ops.cast(targets, 'i32'), [batch, labels]), inputs, lengths, blank);
    // Unreachable: −log p as large as UNREACHABLE's size (a NaN from a bad label stays NaN).
    const loss = ops.where(ops.greaterEqual(perSample, -UNREACHABLE / 10), zeroInfinity ? 0 : Infinity, perSample);
    const reduced = reduceLosses(loss, lengths, reduction, single);
    return logProbs.dtype === 'f32' ? reduced : ops.cast(reduced, logProbs.dtype);
  });
}

function reduceLosses(loss: Tensor, lengths: Int32Array, reduction: Reduction, single: boolean): Tensor {
  switch (reduction) {
    case 'none': return single ? ops.reshape(loss, []) : loss;
    case 'sum': return ops.sum(loss);
    case 'mean': return ops.mean(ops.div(loss, ops.tensor(Float32Array.from(lengths, (l) => Math.max(l, 1)), [lengths.length])));
    default: throw new ValueError(`ctc: unknown reduction ${JSON.stringify(reduction)}; expected mean, sum or none`);
  }
}

/** −log p(target | frames) per sample [N]: UNREACHABLE's size or more where no alignment spells it. */
function negLogLikelihood(lp: Tensor, targets: Tensor, inputs: Int32Array, lengths: Int32Array, blank: number): Tensor {
  const [frames, batch, classes] = lp.shape;
  const states = 2 * targets.shape[1] + 1;
  // l' per sample [N, 2S + 1]: the blank, then each label followed by the blank; past a target's length all blanks
  // (whatever padding the user left there names no class to read).
  const interleaved = ops.concat([ops.reshape(ops.stack([ops.fill([batch, targets.shape[1]], blank, { dtype: 'i32' }), targets], 2), [batch, states - 1]), ops.fill([batch, 1], blank, { dtype: 'i32' })], 1);
  const inTarget = ops.tensor(Int32Array.from({ length: batch * states }, (_, i) => +(i % states < 2 * lengths[Math.floor(i / states)] + 1)), [batch, states], { dtype: 'i32' });
  const extended = ops.where(inTarget, interleaved, blank);
  const isClass = ops.logicalAnd(ops.greaterEqual(extended, 0), ops.less(extended, classes));
  // A state may be entered from two back (skipping a blank) unless it is a blank or repeats the label two back.
  const twoBack = ops.concat([ops.fill([batch, 2], -1, { dtype: 'i32' }), ops.slice(extended, [0, 0], [batch, states - 2])], 1);
  const skipPenalty = ops.where(ops.logicalAnd(ops.notEqual(extended, blank), ops.notEqual(extended, twoBack)), 0, UNREACHABLE);
  // Each frame's log-probability of each state's class [T, N, 2S + 1]; log 0 clamped (see UNREACHABLE), a label
  // outside the classes NaN (a GPU's targets are not read back to be checked).
  const picked = ops.takeAlongAxis(lp, ops.reshape(ops.where(isClass, extended, 0), [1, batch, states]), 2);
  const emissions = ops.unbind(ops.where(isClass, ops.maximum(picked, UNREACHABLE), NaN), 0);
  const start = ops.tensor(Float32Array.from({ length: batch * states }, (_, i) => (i % states < 2 ? 0 : UNREACHABLE)), [batch, states]);
  const before = ops.fill([batch, 2], UNREACHABLE);
  let alpha = ops.add(emissions[0], start);
  for (let t = 1; t < frames; t++) {
    const shifted = ops.concat([before, alpha], 1);
    const stay = alpha;
    const fromPrevious = ops.slice(shifted, [0, 1], [batch, states]);
    const fromTwoBack = ops.add(ops.slice(shifted, [0, 0], [batch, states]), skipPenalty);
    const next = ops.add(ops.logsumexp(ops.stack([stay, fromPrevious, fromTwoBack]), 0), emissions[t]);
    // A sample whose frames have run out keeps its α.
    const running = Int32Array.from(inputs, (frames) => +(t < frames));
    alpha = running.every((r) => r) ? next : ops.where(ops.tensor(running, [batch, 1], { dtype: 'i32' }), next, alpha);
  }
  // Spelled once the last frame is in the last label's state or the blank after it (the blank alone for an empty target).
  const ends = ops.tensor(Int32Array.from({ length: 2 * batch }, (_, i) => Math.max(2 * lengths[i >> 1] - (i & 1), 0)), [batch, 2], { dtype: 'i32' });
  const endPenalty = ops.tensor(Float32Array.from({ length: 2 * batch }, (_, i) => (i & 1 && lengths[i >> 1] === 0 ? UNREACHABLE : 0)), [batch, 2]);
  return ops.neg(ops.logsumexp(ops.add(ops.takeAlongAxis(alpha, ends, 1), endPenalty), 1));
}

function lengthsOf(name: string, given: ArrayLike<number>, batch: number, least: number, most: number, what: string): Int32Array {
  if (given === null || typeof given !== 'object' || typeof given.length !== 'number') {
    throw new ValueError(`ctc: ${name} must be a list of ${batch} integers, got ${formatValue(given)}`);
  }
  if (given.length !== batch) throw new ShapeError(`ctc: ${name} holds ${given.length} lengths for a batch of ${batch}`);
  for (let i = 0; i < batch; i++) {
    const l = given[i];
    if (!Number.isSafeInteger(l) || l < least || l > most) throw new ValueError(`ctc: ${name}[${i}] is ${formatValue(l)}; it must be an integer in [${least}, ${most}], within ${what}`);
  }
  return Int32Array.from(given);
}

/** Each target's labels, where they can be read at once (js, native): classes, none the blank. */
function checkLabels(targets: Tensor, lengths: Int32Array, labels: number, classes: number, blank: number): void {
  const held = heldValues('ctc', targets);
  if (!held) return;
  lengths.forEach((length, n) => {
    for (let k = 0; k < length; k++) {
      const label = held[n * labels + k];
      if (label === blank) throw new ValueError(`ctc: target ${n} holds the blank (${blank}) at ${k}; a target's labels are other classes`);
      if (label < 0 || label >= classes) throw new ValueError(`ctc: target ${n} holds ${label} at ${k}, not a class of the ${classes}`);
    }
  });
}
