// Sliding-window cepstral mean (and variance) normalization
// (torchaudio.functional.sliding_window_cmn, Kaldi's apply-cmvn-sliding):
// each frame of a feature sequence less the mean of a window of frames
// around it — to its left by default, at least minCmnWindow frames at the
// start — and optionally divided by their standard deviation.
//
// torchaudio walks the frames keeping a running sum; its windows only ever
// move on by one frame, so the sum it keeps is each window's own. Here the
// windows are laid out on the host and summed all at once, each in a way
// whose f32 rounding grows with the window, never with the utterance (as a
// difference of running totals over the whole would): the windows between
// the ends, which all have one length, by a box filter, those at either end
// by running totals from that end (windowSums). The sums are of the
// features less their mean over time, so that the variance's difference of
// squares cancels little.
import { tidy } from '../engine.js';
import { ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { ones, tensor, zeros } from '../ops/creation.js';
import { div, equal, mul, pow, square, sub, where } from '../ops/elementwise.js';
import { castTo, inF32 } from '../ops/fft/pairs.js';
import { moveaxis } from '../ops/axes.js';
import { conv1d } from '../ops/conv.js';
import { concat, cumsum, flip, gather, reshape } from '../ops/movement.js';
import { mean } from '../ops/reduce.js';
import { checkOptions } from '../options.js';
import type { Tensor } from '../tensor.js';
import { checkFloatTensor } from './checks.js';

/** slidingWindowCmn's options: torchaudio's defaults. */
export interface SlidingWindowCmnOptions {
  /** Frames in the window. Default 600. */
  cmnWindow?: number;
  /** The fewest frames a window to the left holds at the start (ignored with center). Default 100. */
  minCmnWindow?: number;
  /** A window centred on each frame (as far as the ends allow) rather than ending at it. Default false. */
  center?: boolean;
  /** Divide by the window's standard deviation too (a window of one frame gives 0). Default false. */
  normVars?: boolean;
}

const OPTIONS = { cmnWindow: true, minCmnWindow: true, center: 'boolean', normVars: 'boolean' } as const;

/**
 * Features [..., time, freq] (torchaudio's layout here: frames before
 * features) normalized by their sliding window's mean, and with normVars
 * its standard deviation: the same shape. Differentiable; f16 computed in
 * f32 and cast back.
 */
export function slidingWindowCmn(specgram: Tensor, options: SlidingWindowCmnOptions = {}): Tensor {
  const op = 'slidingWindowCmn';
  const { cmnWindow = 600, minCmnWindow = 100, center = false, normVars = false } = checkOptions(op, options, OPTIONS);
  checkFloatTensor(op, specgram, 'specgram', 2, '[..., time, freq]');
  for (const [name, v] of [['cmnWindow', cmnWindow], ['minCmnWindow', minCmnWindow]] as const) {
    if (!Number.isSafeInteger(v) || v < 1) throw new ValueError(`${op}: ${name} must be a positive integer (frames), got ${formatValue(v)}`);
  }
  const [frames, features] = specgram.shape.slice(-2);
  if (frames === 0) throw new ShapeError(`${op}: specgram ${formatShape(specgram.shape)} has no frames`);
  const { starts, ends } = windowsOf(frames, cmnWindow, minCmnWindow, center);
  const box = center ? cmnWindow : cmnWindow + 1;
  return tidy(() => {
    const x = reshape(inF32(specgram), [-1, frames, features]);
    const centred = sub(x, mean(x, 1, { keepDims: true }));
    const counts = tensor(Float32Array.from(ends, (e, t) => e - starts[t]), [frames, 1]);
    const windowMean = div(windowSums(centred, starts, ends, box), counts);
    const normalized = sub(centred, windowMean);
    if (!normVars) return castTo(reshape(normalized, specgram.shape), specgram.dtype);
    const variance = sub(div(windowSums(square(centred), starts, ends, box), counts), square(windowMean));
    // A window of one frame has no spread: torchaudio gives 0 there.
    const scaled = where(equal(counts, 1), 0, mul(normalized, pow(variance, -0.5)));
    return castTo(reshape(scaled, specgram.shape), specgram.dtype);
  });
}

/**
 * Σ v over each frame's window [start, end) along axis 1 of v [B, frames,
 * F]. A window of the length most have (`box`: cmnWindow + 1 to the left,
 * cmnWindow centred) that touches neither end is summed by a box filter
 * (conv1d with ones); one that reaches the last frame as a difference of
 * running totals from the end; any other (from the first frame, or held
 * open to minCmnWindow there) as one of running totals from the start.
 */
function windowSums(v: Tensor, starts: Int32Array, ends: Int32Array, box: number): Tensor {
  const [count, frames, features] = v.shape;
  const at = (t: Tensor, positions: Int32Array) => gather(t, tensor(positions, [frames]), 1);
  const pick = (chosen: (t: number) => boolean, a: Tensor, b: Tensor) => where(tensor(Int32Array.from(starts, (_, t) => (chosen(t) ? 1 : 0)), [frames, 1]), a, b);
  const zero = zeros([count, 1, features]);
  const forward = concat([zero, cumsum(v, 1)], 1); // [k]: Σ v[< k]
  const backward = concat([flip(cumsum(flip(v, 1), 1), 1), zero], 1); // [k]: Σ v[≥ k]
  const toLast = (t: number) => ends[t] === frames && starts[t] > 0;
  let sums = pick(toLast, sub(at(backward, starts), at(backward, ends)), sub(at(forward, ends), at(forward, starts)));
  const boxed = (t: number) => !toLast(t) && starts[t] > 0 && ends[t] - starts[t] === box;
  if (box <= frames && starts.some((_, t) => boxed(t))) {
    const rows = reshape(moveaxis(v, 1, -1), [count * features, 1, frames]);
    const boxes = moveaxis(reshape(conv1d(rows, ones([1, 1, box])), [count, features, frames - box + 1]), -1, 1);
    sums = pick(boxed, at(boxes, starts.map((s) => Math.min(s, frames - box))), sums);
  }
  return sums;
}

/** Each frame's window [start, end), as torchaudio's loop places it. */
function windowsOf(frames: number, cmnWindow: number, minCmnWindow: number, center: boolean): { starts: Int32Array; ends: Int32Array } {
  const starts = new Int32Array(frames);
  const ends = new Int32Array(frames);
  for (let t = 0; t < frames; t++) {
    let start = center ? t - Math.floor(cmnWindow / 2) : t - cmnWindow;
    let end = center ? start + cmnWindow : t + 1;
    if (start < 0) {
      end -= start;
      start = 0;
    }
    // To the left, a window reaches on past the frame only to hold minCmnWindow frames.
    if (!center && end > t) end = Math.max(t + 1, minCmnWindow);
    if (end > frames) {
      start = Math.max(start - (end - frames), 0);
      end = frames;
    }
    starts[t] = start;
    ends[t] = end;
  }
  return { starts, ends };
}
