// The inverse short-time Fourier transform, torch.istft's: each frame's
// spectrum transformed back to nFft samples, multiplied by the window,
// overlap-added into the signal (one indexAdd, the frames' samples at t·hop
// + j) and divided by the overlap-added squared window, which undoes
// stft(x) exactly wherever that envelope is nonzero.
import { tidy } from '../engine.js';
import { f16Value } from '../f16.js';
import { ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { swapaxes } from '../ops/axes.js';
import { zeros } from '../ops/creation.js';
import { castTo, checkComplex, inF32 } from '../ops/fft/pairs.js';
import { irfft } from '../ops/fft/transforms.js';
import { abs, div, less, mul, where } from '../ops/elementwise.js';
import { broadcastTo, pad, reshape, slice } from '../ops/movement.js';
import { indexAdd } from '../ops/scatter.js';
import { heldValues, onBackendOf } from '../ops/util.js';
import { checkOptions } from '../options.js';
import type { Tensor } from '../tensor.js';
import { checkWindow, frameSamples, frameWindow, framingOf, type Framing } from './framing.js';

/** istft's options, torch.istft's; they should match the stft that made the spectrum. */
export interface IstftOptions {
  /** Samples between the starts of frames (default ⌊nFft/4⌋), at most winLength. */
  hopLength?: number;
  /** The window's length, at most nFft (default nFft). */
  winLength?: number;
  /** The analysis window, a float vector of winLength (default all ones). */
  window?: Tensor;
  /** Whether stft padded the signal's ends by ⌊nFft/2⌋, which is cut off again (default true). */
  center?: boolean;
  /** Whether stft scaled by 1/√nFft (default false). */
  normalized?: boolean;
  /** Whether the spectrum holds ⌊nFft/2⌋ + 1 bins (default: unless it holds nFft). Either way only those are read: the signal is real. */
  onesided?: boolean;
  /** The signal's length: cut to it, or padded with zeros past what the frames reach (default all the frames give, less center's padding). */
  length?: number;
}

/** Below this the squared windows' overlap counts as zero and the signal cannot be recovered (torch's bound). */
const NOLA_FLOOR = 1e-11;

/** Refuses a window whose squares, overlap-added at hop, vanish somewhere in [start, end): stft lost those samples. */
function checkOverlap(op: string, window: Float64Array, frames: number, { nFft, hop }: Framing, start: number, end: number): void {
  const envelope = new Float64Array(nFft + hop * (frames - 1));
  for (let t = 0; t < frames; t++) for (let j = 0; j < nFft; j++) envelope[t * hop + j] += window[j] * window[j];
  for (let i = start; i < Math.min(end, envelope.length); i++) {
    if (Math.abs(envelope[i]) < NOLA_FLOOR) {
      throw new ValueError(`${op}: the squared window, overlap-added at hop ${hop}, is ${envelope[i]} at sample ${i - start} of the signal: no frame saw it, so it cannot be recovered (the window fails the nonzero-overlap-add condition; use a shorter hop or another window)`);
    }
  }
}

/**
 * The window's nFft values on the host: its own where they can be read at
 * once (js, native), ones where none was given, and otherwise (a GPU) ones
 * where it lies in the frame, which still finds the samples its zero padding leaves unseen.
 */
function hostWindow(op: string, window: Tensor | undefined, { nFft, winLength }: Framing): Float64Array {
  const held = window && heldValues(op, window);
  const left = Math.floor((nFft - winLength) / 2);
  const out = new Float64Array(nFft);
  for (let j = 0; j < winLength; j++) out[left + j] = !held ? 1 : window.dtype === 'f16' ? f16Value(held[j]) : held[j];
  return out;
}

/**
 * The signal whose stft is z (complex [..., bins, frames, 2], as stft
 * gives it), real f32 [..., length] (f16 for an f16 z): torch.istft with
 * return_complex=False. Where the squared window's overlap-add vanishes
 * (below 1e-11) inside the signal it is an error, as torch's; on a GPU,
 * whose window is not read back, only where the zeros centring a short
 * window leave samples unseen: where the window's own values vanish (a Hann
 * window's first, at hop nFft or without center) those samples come out NaN there.
 * Differentiable in z and window.
 */
export function istft(z: Tensor, nFft: number, options: IstftOptions = {}): Tensor {
  const op = 'istft';
  const { hopLength, winLength, window, center = true, normalized = false, onesided, length } = checkOptions(op, options, {
    hopLength: true, winLength: true, window: true, center: 'boolean', normalized: 'boolean', onesided: 'boolean', length: true,
  });
  checkComplex(op, z, 'z', 2);
  const framing = framingOf(op, nFft, hopLength, winLength);
  const { nFft: n, hop } = framing;
  if (hop > framing.winLength) throw new ValueError(`${op}: hopLength ${hop} is longer than winLength ${framing.winLength}: samples between windows would be lost`);
  const [bins, frames] = z.shape.slice(-3, -1);
  const half = Math.floor(n / 2);
  const oneSided = onesided ?? bins !== n;
  if (bins !== (oneSided ? half + 1 : n)) {
    throw new ShapeError(`${op}: z ${formatShape(z.shape)} holds ${bins} frequency bins; a ${oneSided ? 'one-sided' : 'full'} spectrum of nFft = ${n} holds ${oneSided ? half + 1 : n}`);
  }
  if (frames < 1) throw new ShapeError(`${op}: z ${formatShape(z.shape)} holds no frames`);
  if (length !== undefined && (!Number.isSafeInteger(length) || length < 0)) throw new ValueError(`${op}: length must be a non-negative integer, got ${formatValue(length)}`);
  const whole = n + hop * (frames - 1);
  const start = center ? half : 0;
  const end = length !== undefined ? start + length : center ? whole - half : whole;
  if (window !== undefined) checkWindow(op, window, framing.winLength);
  checkOverlap(op, hostWindow(op, window, framing), frames, framing, start, end);
  return tidy(() => {
    const spectra = swapaxes(inF32(z), -3, -2);
    const kept = oneSided ? spectra : slice(spectra, spectra.shape.map(() => 0), spectra.shape.map((d, i) => (i === spectra.rank - 2 ? half + 1 : d)));
    const w = frameWindow(op, window, framing, spectra);
    const samples = mul(irfft(kept, { n, norm: normalized ? 'ortho' : 'backward' }), w);
    const lead = z.shape.slice(0, -3);
    const at = frameSamples(op, frames, framing, spectra);
    const signal = indexAdd(onBackendOf(op, spectra, () => zeros([...lead, whole])), at, reshape(samples, [...lead, frames * n]), lead.length);
    const envelope = indexAdd(onBackendOf(op, spectra, () => zeros([whole])), at, reshape(broadcastTo(mul(w, w), [frames, n]), [frames * n]));
    const stop = Math.min(end, whole);
    const cut = (t: Tensor) => slice(t, t.shape.map((_, i) => (i === t.rank - 1 ? start : 0)), t.shape.map((d, i) => (i === t.rank - 1 ? stop - start : d)));
    const overlap = cut(envelope);
    // Where the window's own values leave the envelope 0 on a GPU (not read back to check), NaN rather than a huge quotient.
    const y = where(less(abs(overlap), NOLA_FLOOR), NaN, div(cut(signal), overlap));
    const out = end > whole ? pad(y, y.shape.map((_, i) => (i === y.rank - 1 ? [0, end - whole] : [0, 0]))) : y;
    return castTo(out, z.dtype);
  });
}
