// The short-time Fourier transform, torch.stft's: the signal cut into frames
// of nFft samples every hopLength, each multiplied by the window and
// transformed. The frames are one strided copy of the (padded) signal, the
// transforms one batched tm.fft call, so every backend runs it and autograd
// reaches both the signal and the window.
import { tidy } from '../engine.js';
import { ValueError, formatShape, formatValue } from '../errors.js';
import { swapaxes } from '../ops/axes.js';
import { complex } from '../ops/fft/complex.js';
import { castTo, checkFloat, inF32 } from '../ops/fft/pairs.js';
import { fft, rfft } from '../ops/fft/transforms.js';
import { mul } from '../ops/elementwise.js';
import { pad, slidingWindows } from '../ops/movement.js';
import { checkOptions } from '../options.js';
import type { Tensor } from '../tensor.js';
import { frameWindow, framingOf } from './framing.js';

/** How `center` pads the signal's ends: tm.pad's modes. */
export type StftPadMode = 'reflect' | 'constant' | 'replicate' | 'circular';
const PAD_MODES: readonly StftPadMode[] = ['reflect', 'constant', 'replicate', 'circular'];

/** stft's options, torch.stft's. */
export interface StftOptions {
  /** Samples between the starts of frames (default ⌊nFft/4⌋). */
  hopLength?: number;
  /** The window's length, at most nFft (default nFft); a shorter window is centred in the frame with zeros either side. */
  winLength?: number;
  /** A float vector of winLength (say tm.signal.hannWindow(nFft)); default all ones, a rectangular window. */
  window?: Tensor;
  /** Pad ⌊nFft/2⌋ samples at each end so that frame t is centred on sample t·hopLength (default true). */
  center?: boolean;
  /** How center pads (default 'reflect', torch's). */
  padMode?: StftPadMode;
  /** Scale each frame's transform by 1/√nFft (default false). */
  normalized?: boolean;
  /** Keep only the ⌊nFft/2⌋ + 1 bins a real signal's spectrum does not repeat (default true). */
  onesided?: boolean;
}

/**
 * The short-time Fourier transform of x [..., length] (real, f32 or f16):
 * complex [..., bins, frames, 2] — torch.stft(..., return_complex=True) seen
 * through torch.view_as_real — with bins = ⌊nFft/2⌋ + 1 (onesided) or nFft,
 * frames = 1 + ⌊(length' − nFft)/hopLength⌋ over the signal's length'
 * after center's padding, and out[..., f, t] = Σ_j w[j]·x'[t·hop + j]·e^(−2πi·fj/nFft).
 * Any number of leading axes (torch takes one or none). Differentiable in
 * x and window.
 */
export function stft(x: Tensor, nFft: number, options: StftOptions = {}): Tensor {
  const op = 'stft';
  const { hopLength, winLength, window, center = true, padMode = 'reflect', normalized = false, onesided = true } = checkOptions(op, options, {
    hopLength: true, winLength: true, window: true, center: 'boolean', padMode: true, normalized: 'boolean', onesided: 'boolean',
  });
  checkFloat(op, x, 'x');
  if (x.rank < 1) throw new ValueError(`${op}: x must hold a signal along its last axis, [..., length]; got a scalar`);
  if (!PAD_MODES.includes(padMode)) throw new ValueError(`${op}: unknown padMode ${formatValue(padMode)}; expected ${PAD_MODES.join(', ')}`);
  const framing = framingOf(op, nFft, hopLength, winLength);
  const n = framing.nFft;
  const length = x.shape[x.rank - 1];
  const half = center ? Math.floor(n / 2) : 0;
  if (center && padMode === 'reflect' && half >= length) {
    throw new ValueError(`${op}: center pads ${half} samples at each end by reflection, which needs a signal longer than ${half}; x ${formatShape(x.shape)} has ${length} (padMode 'constant' pads any length)`);
  }
  const padded = length + 2 * half;
  if (n > padded) throw new ValueError(`${op}: nFft ${n} is longer than the signal x ${formatShape(x.shape)}${center ? ` padded to ${padded}` : ''}`);
  return tidy(() => {
    const signal = inF32(x);
    const w = frameWindow(op, window, framing, signal);
    const xp = half ? pad(signal, signal.shape.map((_, i) => (i === x.rank - 1 ? [half, half] : [0, 0])), { mode: padMode }) : signal;
    const framed = slidingWindows(xp, n, framing.hop);
    const windowed = mul(framed, w);
    const norm = normalized ? 'ortho' : 'backward';
    const spectrum = onesided ? rfft(windowed, { norm }) : fft(complex(windowed), { norm });
    return castTo(swapaxes(spectrum, -3, -2), x.dtype);
  });
}
