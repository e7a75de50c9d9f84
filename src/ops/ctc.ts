// The CTC recursion (Graves et al., 2006) behind tm.losses.ctc: the target
// interleaved with blanks (l' = blank, l1, blank, l2, …, blank: 2S + 1
// states) and the forward variables α carried frame by frame in log space.
// Each backend's ctc kernel runs α, β and the gradient in one pass;
// ctcLossesByOps is the same recursion as a dozen ops per frame, whose
// gradients autograd chains into β (tested against the kernel).
import { backendFor } from '../engine.js';
import { isGradEnabled, needsGrad, noGrad, record } from '../tape.js';
import type { Tensor } from '../tensor.js';
import { fill, tensor } from './creation.js';
import { add, greaterEqual, less, maximum, mul, neg, notEqual, where } from './elementwise.js';
import { logicalAnd } from './logical.js';
import { concat, reshape, slice, stack } from './movement.js';
import { takeAlongAxis, unbind } from './indexing.js';
import { logsumexp } from './norms.js';
import { computed } from './util.js';
import { ctcKernelOf } from '../backends/ctc.js';

/**
 * Log-probability standing in for log 0 on the ops path: α of a state no
 * alignment reaches. Finite, so that no ∞ − ∞ reaches a gradient; a sum of
 * a few of them is still far below any reachable path's (a frame's
 * log-probabilities, each clamped here, add up to −10^30 only past 10^8
 * frames of probability 0).
 */
const UNREACHABLE = -1e30;

/**
 * −log p(target n | its frames) for each sample [N], f32, from
 * log-probabilities lp (f32 [T, N, C]) and targets (i32 [N, S]) whose
 * lengths the caller has checked: +∞ where no alignment spells a target,
 * NaN where a label is not a class. Differentiable in lp.
 */
export function ctcLosses(lp: Tensor, targets: Tensor, inputs: Int32Array, lengths: Int32Array, blank: number): Tensor {
  const backend = backendFor('ctc', [lp.dataRef('ctc'), targets.dataRef('ctc')]);
  const [frames, batch, classes] = lp.shape;
  const withGrad = isGradEnabled() && needsGrad(lp);
  const size = batch + (withGrad ? frames * batch * classes : 0);
  const out = computed('ctc', backend, [size], 'f32', () => ctcKernelOf(backend)(lp.info('ctc'), targets.info('ctc'), inputs, lengths, blank, withGrad));
  const losses = noGrad(() => slice(out, [0], [batch]));
  if (!withGrad) return losses;
  const grad = reshape(slice(out, [batch], [frames * batch * classes]), [frames, batch, classes]);
  return record(losses, 'ctc', [lp], [grad], (dy, [g]) => [mul(g, reshape(dy, [1, batch, 1]))], { firstOrder: true });
}

/** ctcLosses without the kernel: the recursion as ops (tested against the kernel on every backend). */
export function ctcLossesByOps(lp: Tensor, targets: Tensor, inputs: Int32Array, lengths: Int32Array, blank: number): Tensor {
  const perSample = byOps(lp, targets, inputs, lengths, blank);
  return where(greaterEqual(perSample, -UNREACHABLE / 10), Infinity, perSample);
}

/** The recursion as ops: −log p per sample [N], UNREACHABLE's size or more where no alignment spells it. */
function byOps(lp: Tensor, targets: Tensor, inputs: Int32Array, lengths: Int32Array, blank: number): Tensor {
  const [frames, batch, classes] = lp.shape;
  const states = 2 * targets.shape[1] + 1;
  // l' per sample [N, 2S + 1]: the blank, then each label followed by the blank; past a target's length all blanks
  // (whatever padding the user left there names no class to read).
  const interleaved = concat([reshape(stack([fill([batch, targets.shape[1]], blank, { dtype: 'i32' }), targets], 2), [batch, states - 1]), fill([batch, 1], blank, { dtype: 'i32' })], 1);
  const inTarget = tensor(Int32Array.from({ length: batch * states }, (_, i) => +(i % states < 2 * lengths[Math.floor(i / states)] + 1)), [batch, states], { dtype: 'i32' });
  const extended = where(inTarget, interleaved, blank);
  const isClass = logicalAnd(greaterEqual(extended, 0), less(extended, classes));
  // A state may be entered from two back (skipping a blank) unless it is a blank or repeats the label two back.
  const twoBack = concat([fill([batch, 2], -1, { dtype: 'i32' }), slice(extended, [0, 0], [batch, states - 2])], 1);
  const skipPenalty = where(logicalAnd(notEqual(extended, blank), notEqual(extended, twoBack)), 0, UNREACHABLE);
  // Each frame's log-probability of each state's class [T, N, 2S + 1]; log 0 clamped (see UNREACHABLE), a label
  // outside the classes NaN (a GPU's targets are not read back to be checked).
  const picked = takeAlongAxis(lp, reshape(where(isClass, extended, 0), [1, batch, states]), 2);
  const emissions = unbind(where(isClass, maximum(picked, UNREACHABLE), NaN), 0);
  const start = tensor(Float32Array.from({ length: batch * states }, (_, i) => (i % states < 2 ? 0 : UNREACHABLE)), [batch, states]);
  const before = fill([batch, 2], UNREACHABLE);
  let alpha = add(emissions[0], start);
  for (let t = 1; t < frames; t++) {
    const shifted = concat([before, alpha], 1);
    const stay = alpha;
    const fromPrevious = slice(shifted, [0, 1], [batch, states]);
    const fromTwoBack = add(slice(shifted, [0, 0], [batch, states]), skipPenalty);
    const next = add(logsumexp(stack([stay, fromPrevious, fromTwoBack]), 0), emissions[t]);
    // A sample whose frames have run out keeps its α.
    const running = Int32Array.from(inputs, (frames) => +(t < frames));
    alpha = running.every((r) => r) ? next : where(tensor(running, [batch, 1], { dtype: 'i32' }), next, alpha);
  }
  // Spelled once the last frame is in the last label's state or the blank after it (the blank alone for an empty target).
  const ends = tensor(Int32Array.from({ length: 2 * batch }, (_, i) => Math.max(2 * lengths[i >> 1] - (i & 1), 0)), [batch, 2], { dtype: 'i32' });
  const endPenalty = tensor(Float32Array.from({ length: 2 * batch }, (_, i) => (i & 1 && lengths[i >> 1] === 0 ? UNREACHABLE : 0)), [batch, 2]);
  return neg(logsumexp(add(takeAlongAxis(alpha, ends, 1), endPenalty), 1));
}

