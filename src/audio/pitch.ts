// Pitch detection (torchaudio.functional.detect_pitch_frequency): in each
// frame, the lag at which the waveform best matches itself by its
// normalized cross-correlation (NCCF), preferring a lag in the first half
// of the range when it is nearly as good (so an octave below is not taken
// for the pitch), the lags median-smoothed over frames and turned into
// hertz. torchaudio's definition is kept to the letter, quirks included:
// its NCCF divides by the two energies (not their square root), and its
// median smoothing pads only on the left, so the result has
// (winLength − 1) − ⌊(winLength − 1)/2⌋ fewer frames than the waveform.
//
// Every frame is a segment of frameSize + lags samples, its first
// frameSize the frame itself; the correlations at every lag are one
// depthwise conv1d of the segments with their own heads (each segment its
// own channel and filter), and the energies at every lag one conv1d of the
// squared segments with a box of ones: no loop over lags, any backend.
import { tidy } from '../engine.js';
import { ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { conv1d } from '../ops/conv.js';
import { ones, tensor } from '../ops/creation.js';
import { add, div, greater, mul, square, sqrt, where } from '../ops/elementwise.js';
import { castTo, inF32 } from '../ops/fft/pairs.js';
import { gather, pad, reshape, slice } from '../ops/movement.js';
import { kthvalue } from '../ops/order_statistics.js';
import { argmax, max, sum } from '../ops/reduce.js';
import { onBackendOf } from '../ops/util.js';
import { checkOptions } from '../options.js';
import { frameSamples } from '../signal/framing.js';
import type { Tensor } from '../tensor.js';
import { checkFloatTensor } from './checks.js';

/** detectPitchFrequency's options: torchaudio's defaults. */
export interface PitchOptions {
  /** A frame's duration, seconds. Default 0.01. */
  frameTime?: number;
  /** Frames in the median smoothing's window. Default 30. */
  winLength?: number;
  /** The lowest pitch looked for, Hz: sets the longest lag, ⌈sampleRate/freqLow⌉. Default 85. */
  freqLow?: number;
  /** The highest, Hz: sets the shortest lag, ⌈sampleRate/freqHigh⌉. Default 3400. */
  freqHigh?: number;
}

const OPTIONS = { frameTime: true, winLength: true, freqLow: true, freqHigh: true } as const;
/** torchaudio's guard against a silent frame's zero energy. */
const EPSILON = 1e-9;
/** A first-half lag wins when its NCCF is above this share of the best one. */
const NEAR_ENOUGH = 0.99;

/**
 * The pitch, Hz, of each frame of a waveform [..., time]: [..., frames'],
 * frames' = ⌈time/frameSize⌉ − (winLength − 1) + ⌊(winLength − 1)/2⌋ with
 * frameSize = ⌈sampleRate·frameTime⌉ (torchaudio's). The lags found are
 * whole samples, so the answer is sampleRate/lag. Not differentiable (a
 * choice among lags); f16 computed in f32, the result cast back.
 */
export function detectPitchFrequency(waveform: Tensor, sampleRate: number, options: PitchOptions = {}): Tensor {
  const op = 'detectPitchFrequency';
  const { frameTime = 0.01, winLength = 30, freqLow = 85, freqHigh = 3400 } = checkOptions(op, options, OPTIONS);
  checkFloatTensor(op, waveform, 'waveform', 1, '[..., time]');
  for (const [name, v] of [['sampleRate', sampleRate], ['frameTime', frameTime], ['freqLow', freqLow], ['freqHigh', freqHigh]] as const) {
    if (!(typeof v === 'number' && v > 0 && Number.isFinite(v))) throw new ValueError(`${op}: ${name} must be a positive number, got ${formatValue(v)}`);
  }
  if (!Number.isSafeInteger(winLength) || winLength < 1) throw new ValueError(`${op}: winLength must be a positive integer (frames), got ${formatValue(winLength)}`);
  const lags = Math.ceil(sampleRate / freqLow);
  const shortest = Math.ceil(sampleRate / freqHigh);
  // The first half of the lags, from the shortest: torchaudio's ⌊lags/2⌋, which must hold one.
  const half = Math.floor(lags / 2);
  if (shortest >= half) {
    throw new ValueError(`${op}: freqHigh ${freqHigh} and freqLow ${freqLow} leave no lags to search: the shortest lag ⌈sampleRate/freqHigh⌉ = ${shortest} must be below half the longest, ⌊⌈sampleRate/freqLow⌉/2⌋ = ${half}`);
  }
  const frameSize = Math.ceil(sampleRate * frameTime);
  const time = waveform.shape[waveform.rank - 1];
  const frames = Math.ceil(time / frameSize);
  const lead = (winLength - 1) >> 1;
  const smoothed = frames + lead - winLength + 1;
  if (smoothed < 1) {
    throw new ShapeError(`${op}: waveform ${formatShape(waveform.shape)} makes ${frames} frames of ${frameSize} samples, too few for a median over winLength ${winLength} (at least ${winLength - lead})`);
  }
  // The box of ones and the median's table are made where the waveform lives, which after a later tm.init() is not the active backend.
  return tidy(() => onBackendOf(op, waveform, () => {
    const rows = reshape(inF32(waveform), [-1, time]);
    const scores = nccf(rows, frameSize, frames, lags);
    const lag = bestLags(scores, shortest, half);
    const pitch = div(sampleRate, add(medianSmoothed(lag, winLength), EPSILON));
    return castTo(reshape(pitch, [...waveform.shape.slice(0, -1), smoothed]), waveform.dtype);
  }));
}

/**
 * torchaudio's NCCF of rows [R, time] in frames of frameSize: [R, frames,
 * lags], entry k the frame's correlation with the waveform k + 1 samples on,
 * over the product of the two stretches' energies (each guarded by
 * (ε + ‖·‖)²). The waveform is zero-padded past its end as far as the last
 * frame's longest lag reaches.
 */
export function nccf(rows: Tensor, frameSize: number, frames: number, lags: number): Tensor {
  const [count, time] = rows.shape;
  const span = frameSize + lags;
  const padded = pad(rows, [[0, 0], [0, frames * frameSize + lags - time]]);
  // Every frame's segment its own channel: [1, R·frames, span].
  const at = frameSamples('detectPitchFrequency', frames, { nFft: span, hop: frameSize, winLength: span }, rows);
  const segments = reshape(gather(padded, at, 1), [1, count * frames, span]);
  const heads = slice(segments, [0, 0, 0], [1, count * frames, frameSize]);
  // Correlation at lags 0 … lags, each channel with its own head: groups = channels.
  const dots = conv1d(segments, reshape(heads, [count * frames, 1, frameSize]), { groups: count * frames });
  const energies = conv1d(reshape(square(segments), [count * frames, 1, span]), ones([1, 1, frameSize]));
  const own = sum(square(heads), -1, { keepDims: true });
  const guarded = (energy: Tensor) => square(add(sqrt(energy), EPSILON));
  const atLags = (t: Tensor) => reshape(slice(t, [0, 0, 1], [-1, -1, lags]), [count, frames, lags]);
  return div(div(atLags(dots), reshape(guarded(own), [count, frames, 1])), atLags(guarded(energies)));
}

/**
 * Each frame's lag (whole samples, f32) with the highest NCCF from the
 * shortest on, unless the best among the first half's lags is within 1% of
 * it: then that one.
 */
function bestLags(scores: Tensor, shortest: number, half: number): Tensor {
  const lags = scores.shape[2];
  const all = slice(scores, [0, 0, shortest], [-1, -1, lags - shortest]);
  const firstHalf = slice(scores, [0, 0, shortest], [-1, -1, half - shortest]);
  const nearEnough = greater(max(firstHalf, -1), mul(max(all, -1), NEAR_ENOUGH));
  const position = where(nearEnough, argmax(firstHalf, -1), argmax(all, -1));
  // A position counts from the shortest lag, and entry k of the NCCF is lag k + 1.
  return add(position.cast('f32'), shortest + 1);
}

/**
 * The median (the lower of the middle two, as torch.median) of each frame's
 * window of winLength frames ending ⌈(winLength − 1)/2⌉ frames after it:
 * torchaudio pads ⌊(winLength − 1)/2⌋ copies of the first frame on the left
 * only.
 */
function medianSmoothed(lag: Tensor, winLength: number): Tensor {
  const [count, frames] = lag.shape;
  const lead = (winLength - 1) >> 1;
  const windows = frames + lead - winLength + 1;
  // Window w covers padded frames w … w + winLength − 1; padded frame j is frame max(j − lead, 0).
  const at = Int32Array.from({ length: windows * winLength }, (_, i) => Math.max(Math.floor(i / winLength) + (i % winLength) - lead, 0));
  const rolled = reshape(gather(lag, tensor(at, [at.length]), 1), [count, windows, winLength]);
  return kthvalue(rolled, (winLength + 1) >> 1).values;
}
