// Connectionist temporal classification (Graves et al., 2006), PyTorch's
// ctc_loss: −log of the probability that a sequence of per-frame class
// distributions spells a target once repeats are merged and blanks dropped,
// summed over every alignment. The recursion is ops/ctc.ts's; here are the
// checks and the reductions.
import { tidy } from '../engine.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { isFloat } from '../dtype.js';
import { checkOptions, type OptionNames } from '../options.js';
import * as ops from '../ops/index.js';
import { ctcLosses } from '../ops/ctc.js';
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
 * The CTC loss of log-probabilities [T, N, C] (frames, batch, classes: a
 * LogSoftmax's output over C) for targets [N, S] (i32 class labels, padded
 * past each target's length with anything), `inputLengths[n]` ≤ T frames
 * and `targetLengths[n]` ≤ S labels of sample n (numbers: they shape the
 * computation), or every target's labels one after another [Σ targetLengths]
 * (PyTorch's concatenated form); one sequence is [T, C] with targets [S]. 'mean' divides
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
  if (!single && targets.rank === 1) return tidy(() => ctc(logProbs, padded(targets, targetLengths, batch), inputLengths, targetLengths, options));
  if (targets.rank !== (single ? 1 : 2) || (!single && targets.shape[0] !== batch)) {
    throw new ShapeError(`ctc: targets must be ${single ? '[labels]' : `[${batch}, labels] or concatenated [Σ targetLengths]`} for log-probabilities ${formatShape(logProbs.shape)}, got ${formatShape(targets.shape)}`);
  }
  const labels = targets.shape[targets.rank - 1];
  if (!Number.isSafeInteger(blank) || blank < 0 || blank >= classes) throw new ValueError(`ctc: blank must be a class, an integer in [0, ${classes}), got ${formatValue(blank)}`);
  const inputs = lengthsOf('inputLengths', inputLengths, batch, 1, frames, `the ${frames} frames`);
  const lengths = lengthsOf('targetLengths', targetLengths, batch, 0, labels, `the targets' ${labels} labels`);
  checkLabels(targets, lengths, labels, classes, blank);
  if (frames === 0 || batch === 0) throw new ShapeError(`ctc: log-probabilities ${formatShape(logProbs.shape)} hold no frames or no samples`);
  return tidy(() => {
    const lp = ops.reshape(logProbs.dtype === 'f32' ? logProbs : ops.cast(logProbs, 'f32'), [frames, batch, classes]);
    const perSample = ctcLosses(lp, ops.reshape(targets.dtype === 'i32' ? targets : ops.cast(targets, 'i32'), [batch, labels]), inputs, lengths, blank);
    const loss = zeroInfinity ? ops.where(ops.equal(perSample, Infinity), 0, perSample) : perSample;
    const reduced = reduceLosses(loss, lengths, reduction, single);
    return logProbs.dtype === 'f32' ? reduced : ops.cast(reduced, logProbs.dtype);
  });
}

/** Concatenated targets [Σ lengths] as the padded [N, S] form, S the longest (past its length a row repeats a label, never read). */
function padded(targets: Tensor, targetLengths: ArrayLike<number>, batch: number): Tensor {
  const lengths = lengthsOf('targetLengths', targetLengths, batch, 0, targets.shape[0], `the ${targets.shape[0]} concatenated labels`);
  const total = lengths.reduce((a, b) => a + b, 0);
  if (total !== targets.shape[0]) throw new ShapeError(`ctc: concatenated targets ${formatShape(targets.shape)} must hold the Σ targetLengths = ${total} labels`);
  const longest = Math.max(1, ...lengths);
  if (total === 0) return ops.zeros([batch, longest], { dtype: 'i32' });
  const at = new Int32Array(batch * longest);
  let start = 0;
  lengths.forEach((length, n) => {
    for (let k = 0; k < longest; k++) at[n * longest + k] = Math.min(start + k, start + Math.max(length - 1, 0), total - 1);
    start += length;
  });
  return ops.gather(targets, ops.tensor(at, [batch * longest]), 0).reshape([batch, longest]);
}

function reduceLosses(loss: Tensor, lengths: Int32Array, reduction: Reduction, single: boolean): Tensor {
  switch (reduction) {
    case 'none': return single ? ops.reshape(loss, []) : loss;
    case 'sum': return ops.sum(loss);
    case 'mean': return ops.mean(ops.div(loss, ops.tensor(Float32Array.from(lengths, (l) => Math.max(l, 1)), [lengths.length])));
    default: throw new ValueError(`ctc: unknown reduction ${JSON.stringify(reduction)}; expected mean, sum or none`);
  }
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
