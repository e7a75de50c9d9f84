// What stft and istft share: the checks of the frame length (n_fft), hop
// and window, the window centred in a frame of n_fft with zeros either side
// where it is shorter (torch's rule: ⌊(n_fft − win_length)/2⌋ zeros before),
// and the table of where each frame's samples sit in the signal.
import { ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { isFloat } from '../dtype.js';
import { inF32 } from '../ops/fft/pairs.js';
import { ones, tensor } from '../ops/creation.js';
import { pad } from '../ops/movement.js';
import { checkTensor, onBackendOf } from '../ops/util.js';
import type { Tensor } from '../tensor.js';

/** The framing stft and istft share: n_fft, hop and window length, checked. */
export interface Framing {
  nFft: number;
  hop: number;
  winLength: number;
}

/** A positive integer option, or its default. */
function positive(op: string, name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < 1) {
    throw new ValueError(`${op}: ${name} must be a positive integer, got ${formatValue(v)}${value === undefined ? ` (its default; give ${name})` : ''}`);
  }
  return v;
}

/** nFft, hopLength (default ⌊nFft/4⌋, torch's) and winLength (default nFft, at most nFft), checked. */
export function framingOf(op: string, nFft: number, hopLength: number | undefined, winLength: number | undefined): Framing {
  const n = positive(op, 'nFft', nFft, nFft);
  const hop = positive(op, 'hopLength', hopLength, Math.floor(n / 4));
  const win = positive(op, 'winLength', winLength, n);
  if (win > n) throw new ValueError(`${op}: winLength ${win} is longer than nFft ${n}; a window fits within a frame`);
  return { nFft: n, hop, winLength: win };
}

/** Checks that a window was given as a float vector of winLength values. */
export function checkWindow(op: string, window: unknown, winLength: number): Tensor {
  const w = checkTensor(op, window, 'window');
  if (!isFloat(w.dtype)) throw new ValueError(`${op}: window must be a float tensor (f32 or f16), got ${w.dtype}`);
  if (w.rank !== 1 || w.shape[0] !== winLength) {
    throw new ShapeError(`${op}: window ${formatShape(w.shape)} must be a vector of winLength = ${winLength} values`);
  }
  return w;
}

/**
 * The window as an f32 vector of nFft on `like`'s backend: the one given (a
 * float vector of winLength) or ones, with zeros either side to centre it.
 */
export function frameWindow(op: string, window: Tensor | undefined, { nFft, winLength }: Framing, like: Tensor): Tensor {
  let w: Tensor;
  if (window === undefined) w = onBackendOf(op, like, () => ones([winLength]));
  else {
    checkWindow(op, window, winLength);
    w = inF32(window);
  }
  const left = Math.floor((nFft - winLength) / 2);
  return left === 0 && winLength === nFft ? w : pad(w, [[left, nFft - winLength - left]]);
}

/** i32 [frames·nFft]: sample j of frame t sits at t·hop + j. */
export function frameSamples(op: string, frames: number, { nFft, hop }: Framing, like: Tensor): Tensor {
  const at = new Int32Array(frames * nFft);
  for (let t = 0; t < frames; t++) for (let j = 0; j < nFft; j++) at[t * nFft + j] = t * hop + j;
  return onBackendOf(op, like, () => tensor(at, [at.length]));
}
