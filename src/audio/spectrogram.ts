// torchaudio's spectrograms: the power (or magnitude, or complex) short-time
// spectrum of a waveform, its inverse, and the mel spectrogram, on
// tm.signal.stft and istft with torchaudio's defaults (nFft 400, a Hann
// window of winLength, hop winLength/2 — not stft's nFft/4).
import { tidy } from '../engine.js';
import { ValueError, formatValue } from '../errors.js';
import { abs as complexAbs } from '../ops/fft/complex.js';
import { castTo, inF32 } from '../ops/fft/pairs.js';
import { div, mul, pow, sqrt } from '../ops/elementwise.js';
import { pad as padOp, slice } from '../ops/movement.js';
import { sum } from '../ops/reduce.js';
import { onBackendOf } from '../ops/util.js';
import { checkOptions, type OptionNames } from '../options.js';
import { istft } from '../signal/istft.js';
import { stft, type StftPadMode } from '../signal/stft.js';
import { hannWindow } from '../signal/windows.js';
import type { Tensor } from '../tensor.js';
import { checkFloatTensor } from './checks.js';
import { melScale, type MelScaleOptions } from './mel.js';

/** true or 'window': the spectrum divided by the window's L2 norm; 'frameLength': by √nFft (stft's normalized); false: neither. */
export type SpectrogramNormalization = boolean | 'window' | 'frameLength';

/** The framing spectrogram and inverseSpectrogram share: torchaudio.transforms.Spectrogram's. */
export interface SpectrogramFraming {
  /** Default 400. */
  nFft?: number;
  /** Default nFft. */
  winLength?: number;
  /** Default ⌊winLength/2⌋. */
  hopLength?: number;
  /** Zeros added at each end of the waveform before anything else (default 0). */
  pad?: number;
  /** Default tm.signal.hannWindow(winLength). */
  window?: Tensor;
  /** Default false. */
  normalized?: SpectrogramNormalization;
  /** Default true. */
  center?: boolean;
  /** Default true. */
  onesided?: boolean;
}

/** spectrogram's options. */
export interface SpectrogramOptions extends SpectrogramFraming {
  /** The magnitude's exponent: 2 (default) the power, 1 the magnitude, null the complex spectrum [..., freq, time, 2]. */
  power?: number | null;
  /** How center pads (default 'reflect'). */
  padMode?: StftPadMode;
}

/** inverseSpectrogram's options. */
export interface InverseSpectrogramOptions extends SpectrogramFraming {
  /** The waveform's length (without pad): cut to it or padded with zeros; default what the frames give. */
  length?: number;
}

const FRAMING: OptionNames<SpectrogramFraming> = { nFft: true, winLength: true, hopLength: true, pad: true, window: true, normalized: true, center: 'boolean', onesided: 'boolean' };

const { onesided: _twoSided, ...ONE_SIDED_FRAMING } = FRAMING;

interface Framing {
  nFft: number;
  winLength: number;
  hopLength: number;
  pad: number;
  frameNorm: boolean;
  windowNorm: boolean;
}

function framingOf(op: string, o: SpectrogramFraming): Framing {
  const { nFft = 400, pad = 0, normalized = false } = o;
  const winLength = o.winLength ?? nFft;
  if (!Number.isSafeInteger(pad) || pad < 0) throw new ValueError(`${op}: pad must be a non-negative integer, got ${formatValue(pad)}`);
  if (normalized !== true && normalized !== false && normalized !== 'window' && normalized !== 'frameLength') {
    throw new ValueError(`${op}: normalized must be true, false, 'window' or 'frameLength', got ${formatValue(normalized)}`);
  }
  return { nFft, winLength, hopLength: o.hopLength ?? Math.floor(winLength / 2), pad, frameNorm: normalized === 'frameLength', windowNorm: normalized === true || normalized === 'window' };
}

/** The window given, or a Hann window of winLength on x's backend. */
function windowFor(op: string, window: Tensor | undefined, winLength: number, x: Tensor): Tensor {
  return window ?? onBackendOf(op, x, () => hannWindow(winLength));
}

/** √Σw², the window's L2 norm, in f32. */
function windowNorm(window: Tensor): Tensor {
  const w = inF32(window);
  return sqrt(sum(mul(w, w)));
}

/**
 * The spectrogram of waveform [..., time] (torchaudio.functional.spectrogram,
 * transforms.Spectrogram): |stft|^power, [..., freq, time] with freq =
 * ⌊nFft/2⌋ + 1 (onesided), or the complex stft [..., freq, time, 2] for
 * power null. Computed in f32 (an f16 waveform's result cast back once).
 * Differentiable in the waveform and window (power 2 is
 * re² + im², whose gradient is defined at 0; other powers go through |z|,
 * whose gradient is 0 there, as torch's).
 */
export function spectrogram(waveform: Tensor, options: SpectrogramOptions = {}): Tensor {
  const op = 'spectrogram';
  const o = checkOptions(op, options, { ...FRAMING, power: true, padMode: true });
  checkFloatTensor(op, waveform, 'waveform', 1, '[..., time]');
  const { power = 2 } = o;
  if (power !== null && (typeof power !== 'number' || !(power > 0) || !Number.isFinite(power))) throw new ValueError(`${op}: power must be a positive number or null (the complex spectrum), got ${formatValue(power)}`);
  const f = framingOf(op, o);
  return tidy(() => {
    const window = windowFor(op, o.window, f.winLength, waveform);
    const signal = inF32(waveform);
    const x = f.pad ? padOp(signal, signal.shape.map((_, i) => (i === signal.rank - 1 ? [f.pad, f.pad] : [0, 0]))) : signal;
    let z = stft(x, f.nFft, { hopLength: f.hopLength, winLength: f.winLength, window, center: o.center, padMode: o.padMode, normalized: f.frameNorm, onesided: o.onesided });
    if (f.windowNorm) z = div(z, windowNorm(window));
    const magnitude = power === null ? z : power === 2 ? sum(mul(z, z), -1) : power === 1 ? complexAbs(z) : pow(complexAbs(z), power);
    return castTo(magnitude, waveform.dtype);
  });
}

/**
 * The waveform whose complex spectrogram is z [..., freq, time, 2]
 * (torchaudio.functional.inverse_spectrogram, transforms.InverseSpectrogram):
 * istft with spectrogram's framing, [..., time]. As torchaudio's, pad is cut
 * from the ends only when length is given. Differentiable in z and window.
 */
export function inverseSpectrogram(z: Tensor, options: InverseSpectrogramOptions = {}): Tensor {
  const op = 'inverseSpectrogram';
  const o = checkOptions(op, options, { ...FRAMING, length: true });
  const f = framingOf(op, o);
  const { length } = o;
  if (length !== undefined && (!Number.isSafeInteger(length) || length < 0)) throw new ValueError(`${op}: length must be a non-negative integer, got ${formatValue(length)}`);
  checkFloatTensor(op, z, 'z', 3, 'complex [..., freq, time, 2]');
  return tidy(() => {
    const window = windowFor(op, o.window, f.winLength, z);
    const scaled = f.windowNorm ? castTo(mul(inF32(z), windowNorm(window)), z.dtype) : z;
    const y = istft(scaled, f.nFft, {
      hopLength: f.hopLength, winLength: f.winLength, window, center: o.center, normalized: f.frameNorm, onesided: o.onesided,
      length: length === undefined ? undefined : length + 2 * f.pad,
    });
    if (length === undefined || !f.pad) return y;
    return slice(y, y.shape.map((_, i) => (i === y.rank - 1 ? f.pad : 0)), y.shape.map((d, i) => (i === y.rank - 1 ? length : d)));
  });
}

/** melSpectrogram's options: torchaudio.transforms.MelSpectrogram's (a one-sided spectrum, a real power). */
export interface MelSpectrogramOptions extends Omit<SpectrogramOptions, 'onesided' | 'power'>, MelScaleOptions {
  /** The magnitude's exponent (default 2, the power). */
  power?: number;
}

/**
 * The mel spectrogram of waveform [..., time]: [..., nMels, time]
 * (torchaudio.transforms.MelSpectrogram: spectrogram, then melScale;
 * sampleRate 16000, nFft 400, nMels 128 by default). Differentiable.
 */
export function melSpectrogram(waveform: Tensor, options: MelSpectrogramOptions = {}): Tensor {
  const op = 'melSpectrogram';
  const { nMels, sampleRate, fMin, fMax, norm, melScale: scale, power = 2, ...spectral } = checkOptions(op, options, {
    ...ONE_SIDED_FRAMING, power: true, padMode: true, nMels: true, sampleRate: true, fMin: true, fMax: true, norm: true, melScale: true,
  });
  if (power === null || typeof power !== 'number') throw new ValueError(`${op}: power must be a positive number, got ${formatValue(power)} (spectrogram gives the complex spectrum)`);
  // In f32 throughout (an f16 power overflows past 65504 long before its mel sums would), cast back once.
  checkFloatTensor(op, waveform, 'waveform', 1, '[..., time]');
  return tidy(() => castTo(melScale(spectrogram(inF32(waveform), { ...spectral, power }), { nMels, sampleRate, fMin, fMax, norm, melScale: scale }), waveform.dtype));
}
