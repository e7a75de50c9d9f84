// Sliding-window cepstral mean (and variance) normalization
// (torchaudio.functional.sliding_window_cmn, Kaldi's apply-cmvn-sliding):
// each frame of a feature sequence less the mean of a window of frames
// around it — to its left by default, at least minCmnWindow frames at the
// start — and optionally divided by their standard deviation.
//
// torchaudio walks the frames keeping running sums; its windows only ever
// move on by one frame, so the sums it keeps are each window's own. Here
// the windows are laid out on the host and summed all at once, in a way
// whose f32 rounding stays local (windowMoments): the frames are cut into
// blocks of about a window, each block's windows read from one chunk of
// the frames they cover, centred on that chunk's mean, and each window's
// sums are differences of the chunk's running totals. A running total over
// the whole utterance, or centring on its overall mean, would lose digits
// to a long utterance or to a level that drifts (the variance as a mean
// square less a squared mean cancels by the window's distance from the
// centre).
import { tidy } from '../engine.js';
import { ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { tensor, zeros } from '../ops/creation.js';
import { div, equal, mul, pow, square, sub, where } from '../ops/elementwise.js';
import { castTo, inF32 } from '../ops/fft/pairs.js';
import { concat, cumsum, gather, reshape } from '../ops/movement.js';
import { sum as reduceSum } from '../ops/reduce.js';
import { noGrad } from '../tape.js';
import { onBackendOf } from '../ops/util.js';
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
  // The tables of counts and positions are made where the features live, which after a later tm.init() is not the active backend.
  return tidy(() => onBackendOf(op, specgram, () => {
    const x = reshape(inF32(specgram), [-1, frames, features]);
    const counts = tensor(Float32Array.from(ends, (e, t) => e - starts[t]), [frames, 1]);
    const { deviation, sum, sumOfSquares } = windowMoments(x, starts, ends, center ? cmnWindow : cmnWindow + 1);
    const windowMean = div(sum, counts); // of the deviations from the chunk's centre
    const normalized = sub(deviation, windowMean);
    if (!normVars) return castTo(reshape(normalized, specgram.shape), specgram.dtype);
    // A window of one frame has no spread: torchaudio gives 0 there. Its variance (0) is replaced before the power,
    // so that the branch not taken has a finite gradient (0·∞ would be NaN).
    const single = equal(counts, 1);
    const variance = where(single, 1, sub(div(sumOfSquares, counts), square(windowMean)));
    return castTo(reshape(where(single, 0, mul(normalized, pow(variance, -0.5))), specgram.shape), specgram.dtype);
  }));
}

/**
 * For x [B, frames, F] and each frame's window [start, end): the frame's
 * deviation from a centre c, and Σ (x − c) and Σ (x − c)² over its window,
 * c the mean of a chunk of frames around it (constant across the window).
 * Frames are taken in blocks of `block`; block b's windows all lie within
 * frames [lo_b, hi_b), which one gather lays out as chunk b (padded to the
 * longest chunk with the last frame, which no window reads), and a
 * window's sums are differences of running totals along its chunk.
 */
function windowMoments(x: Tensor, starts: Int32Array, ends: Int32Array, block: number): { deviation: Tensor; sum: Tensor; sumOfSquares: Tensor } {
  const [count, frames, features] = x.shape;
  const blocks = Math.ceil(frames / block);
  const blockOf = (t: number) => Math.floor(t / block);
  const lo = new Int32Array(blocks).fill(frames);
  const hi = new Int32Array(blocks);
  starts.forEach((s, t) => {
    lo[blockOf(t)] = Math.min(lo[blockOf(t)], s);
    hi[blockOf(t)] = Math.max(hi[blockOf(t)], ends[t]);
  });
  const span = Math.max(...Array.from(lo, (l, b) => hi[b] - l));
  const at = Int32Array.from({ length: blocks * span }, (_, i) => Math.min(lo[Math.floor(i / span)] + (i % span), frames - 1));
  const inChunk = Float32Array.from(at, (_, i) => (i % span < hi[Math.floor(i / span)] - lo[Math.floor(i / span)] ? 1 : 0));
  const chunks = reshape(gather(x, tensor(at, [at.length]), 1), [count, blocks, span, features]);
  // Any constant centre gives the same sums in exact arithmetic; the chunk's own mean keeps f32's cancellation local. No gradient flows through it: the result does not depend on it.
  const centres = noGrad(() => {
    const valid = tensor(inChunk, [1, blocks, span, 1]);
    return div(reduceSum(mul(chunks, valid), 2, { keepDims: true }), reduceSum(valid, 2, { keepDims: true }));
  });
  const centred = sub(chunks, centres);
  const totals = (v: Tensor) => reshape(concat([zeros([count, blocks, 1, features]), cumsum(v, 2)], 2), [count, blocks * (span + 1), features]);
  const positions = (edge: Int32Array) => tensor(Int32Array.from(edge, (e, t) => blockOf(t) * (span + 1) + e - lo[blockOf(t)]), [frames]);
  const over = (total: Tensor) => sub(gather(total, positions(ends), 1), gather(total, positions(starts), 1));
  const centreOf = gather(reshape(centres, [count, blocks, features]), tensor(Int32Array.from({ length: frames }, (_, t) => blockOf(t)), [frames]), 1);
  return { deviation: sub(x, centreOf), sum: over(totals(centred)), sumOfSquares: over(totals(square(centred))) };
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
