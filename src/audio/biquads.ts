// torchaudio.functional's biquad filters (SoX's effects of the same names):
// each a recipe for the six coefficients of one second-order section, from
// R. Bristow-Johnson's Audio EQ Cookbook (low and high pass, band pass and
// reject, all pass, peaking and shelving equalizers) or SoX's own (band,
// de-emphasis, RIAA), run through filtering.ts's section: along the last
// axis (time), starting at rest, clamped to [−1, 1]. The recipes are
// torchaudio's formulas, evaluated in float64 on the host from numbers
// (torchaudio also takes the frequencies, Q and gains as tensors, and is
// differentiable in them; tmnn takes numbers, and is differentiable in the
// waveform).
import { checkOptions } from '../options.js';
import { ValueError, formatValue } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { checkFinite, checkFrequency, checkQ, checkSampleRate, sectionFiltered } from './filtering.js';

/** The options of the biquads with only a quality factor. */
export interface BiquadOptions {
  /** The quality factor, > 0 (default 0.707, about 1/√2: Butterworth's for the low and high pass). */
  Q?: number;
}

/** bandpassBiquad's options. */
export interface BandpassBiquadOptions extends BiquadOptions {
  /** A constant skirt gain, the peak's gain Q (default false: a peak of 0 dB). */
  constSkirtGain?: boolean;
}

/** bandBiquad's options. */
export interface BandBiquadOptions extends BiquadOptions {
  /** SoX's mode for unpitched audio, percussion (default false: the mode for pitched audio, voice or instruments). */
  noise?: boolean;
}

/** bassBiquad's and trebleBiquad's options. */
export interface ToneBiquadOptions extends BiquadOptions {
  /** The shelf's central frequency in Hz (default 100 for bass, 3000 for treble). */
  centralFreq?: number;
}

/** What every cookbook recipe starts from: the normalized angular frequency's cosine and sine, and α = sin(ω₀)/(2Q). */
function cookbook(op: string, sampleRate: number, frequency: number, name: string, Q: number): { cos: number; sin: number; alpha: number } {
  checkSampleRate(op, sampleRate);
  checkFrequency(op, name, frequency, sampleRate);
  checkQ(op, Q);
  const w0 = (2 * Math.PI * frequency) / sampleRate;
  return { cos: Math.cos(w0), sin: Math.sin(w0), alpha: Math.sin(w0) / 2 / Q };
}

/** The quality factor of options that have only it, checked as options. */
function qOf(op: string, options: BiquadOptions): number {
  return checkOptions(op, options, { Q: true }).Q ?? 0.707;
}

/** The shelf's amplitude A = 10^(gain/40) (the square root of the gain as a ratio: the cookbook's shelves and peaks reach A²). */
function shelfAmplitude(op: string, gain: number): number {
  return Math.exp((checkFinite(op, 'gain', gain) / 40) * Math.LN10);
}

/**
 * torchaudio's lowpass_biquad: waveform [..., time] (f32 or f16) through a
 * two-pole low pass of cutoff cutoffFreq Hz (in (0, sampleRate/2)), clamped
 * to [−1, 1], in its dtype. Differentiable in the waveform.
 */
export function lowpassBiquad(waveform: Tensor, sampleRate: number, cutoffFreq: number, options: BiquadOptions = {}): Tensor {
  const op = 'lowpassBiquad';
  const { cos, alpha } = cookbook(op, sampleRate, cutoffFreq, 'cutoffFreq', qOf(op, options));
  return sectionFiltered(op, waveform, [(1 - cos) / 2, 1 - cos, (1 - cos) / 2], [1 + alpha, -2 * cos, 1 - alpha]);
}

/** torchaudio's highpass_biquad: lowpassBiquad's high-pass twin. */
export function highpassBiquad(waveform: Tensor, sampleRate: number, cutoffFreq: number, options: BiquadOptions = {}): Tensor {
  const op = 'highpassBiquad';
  const { cos, alpha } = cookbook(op, sampleRate, cutoffFreq, 'cutoffFreq', qOf(op, options));
  return sectionFiltered(op, waveform, [(1 + cos) / 2, -1 - cos, (1 + cos) / 2], [1 + alpha, -2 * cos, 1 - alpha]);
}

/**
 * torchaudio's bandpass_biquad: a two-pole band pass about centralFreq Hz,
 * its peak 0 dB, or Q with constSkirtGain. Clamped to [−1, 1], in the
 * waveform's dtype, differentiable in it.
 */
export function bandpassBiquad(waveform: Tensor, sampleRate: number, centralFreq: number, options: BandpassBiquadOptions = {}): Tensor {
  const op = 'bandpassBiquad';
  const { Q = 0.707, constSkirtGain = false } = checkOptions(op, options, { Q: true, constSkirtGain: 'boolean' });
  const { cos, sin, alpha } = cookbook(op, sampleRate, centralFreq, 'centralFreq', Q);
  const peak = constSkirtGain ? sin / 2 : alpha;
  return sectionFiltered(op, waveform, [peak, 0, -peak], [1 + alpha, -2 * cos, 1 - alpha]);
}

/** torchaudio's bandreject_biquad: a two-pole notch at centralFreq Hz, of bandwidth set by Q. */
export function bandrejectBiquad(waveform: Tensor, sampleRate: number, centralFreq: number, options: BiquadOptions = {}): Tensor {
  const op = 'bandrejectBiquad';
  const { cos, alpha } = cookbook(op, sampleRate, centralFreq, 'centralFreq', qOf(op, options));
  return sectionFiltered(op, waveform, [1, -2 * cos, 1], [1 + alpha, -2 * cos, 1 - alpha]);
}

/** torchaudio's allpass_biquad: a two-pole all pass, its phase turning through −π at centralFreq Hz. */
export function allpassBiquad(waveform: Tensor, sampleRate: number, centralFreq: number, options: BiquadOptions = {}): Tensor {
  const op = 'allpassBiquad';
  const { cos, alpha } = cookbook(op, sampleRate, centralFreq, 'centralFreq', qOf(op, options));
  return sectionFiltered(op, waveform, [1 - alpha, -2 * cos, 1 + alpha], [1 + alpha, -2 * cos, 1 - alpha]);
}

/**
 * torchaudio's band_biquad (SoX's band): a resonator at centralFreq Hz of
 * bandwidth centralFreq/Q, all poles (b1 = b2 = 0), its gain 1 at the
 * centre; with noise, scaled for unpitched audio (its noise power kept).
 */
export function bandBiquad(waveform: Tensor, sampleRate: number, centralFreq: number, options: BandBiquadOptions = {}): Tensor {
  const op = 'bandBiquad';
  const { Q = 0.707, noise = false } = checkOptions(op, options, { Q: true, noise: 'boolean' });
  const { cos } = cookbook(op, sampleRate, centralFreq, 'centralFreq', Q);
  const a2 = Math.exp((-2 * Math.PI * (centralFreq / Q)) / sampleRate);
  const a1 = ((-4 * a2) / (1 + a2)) * cos;
  // torchaudio's b0·(mult/b0) with noise: mult itself, its square root's argument ≥ 0 as (1 + a2)² ≥ 4·a2·|cos ω₀|.
  const b0 = noise ? Math.sqrt((((1 + a2) * (1 + a2) - a1 * a1) * (1 - a2)) / (1 + a2)) : Math.sqrt(1 - (a1 * a1) / (4 * a2)) * (1 - a2);
  return sectionFiltered(op, waveform, [b0, 0, 0], [1, a1, a2]);
}

/** The cookbook's shelf at `frequency` of `gain` dB: low (bass) or high (treble). */
function shelf(op: string, waveform: Tensor, sampleRate: number, gain: number, options: ToneBiquadOptions, low: boolean): Tensor {
  const { Q = 0.707, centralFreq = low ? 100 : 3000 } = checkOptions(op, options, { Q: true, centralFreq: true });
  const A = shelfAmplitude(op, gain);
  const { cos, alpha } = cookbook(op, sampleRate, centralFreq, 'centralFreq', Q);
  const { b, a } = shelfCoefficients(A, cos, alpha, low);
  return sectionFiltered(op, waveform, b, a);
}

/** The cookbook's low or high shelf section, from its amplitude A, cos ω₀ and α (however the bandwidth set it). */
function shelfCoefficients(A: number, cos: number, alpha: number, low: boolean): { b: number[]; a: number[] } {
  const [t1, t2, t3] = [2 * Math.sqrt(A) * alpha, (A - 1) * cos, (A + 1) * cos];
  // The cookbook's two shelves differ only in the signs of t2 and t3, and so of b1 and a1: s = ±1 writes both.
  const s = low ? 1 : -1;
  return {
    b: [A * (A + 1 - s * t2 + t1), 2 * s * A * (A - 1 - s * t3), A * (A + 1 - s * t2 - t1)],
    a: [A + 1 + s * t2 + t1, -2 * s * (A - 1 + s * t3), A + 1 + s * t2 - t1],
  };
}

/**
 * torchaudio's bass_biquad: a low shelf, boosting (gain > 0 dB) or cutting
 * what is below centralFreq (default 100 Hz). Clamped to [−1, 1].
 */
export function bassBiquad(waveform: Tensor, sampleRate: number, gain: number, options: ToneBiquadOptions = {}): Tensor {
  return shelf('bassBiquad', waveform, sampleRate, gain, options, true);
}

/** torchaudio's treble_biquad: bassBiquad's high shelf, above centralFreq (default 3000 Hz). */
export function trebleBiquad(waveform: Tensor, sampleRate: number, gain: number, options: ToneBiquadOptions = {}): Tensor {
  return shelf('trebleBiquad', waveform, sampleRate, gain, options, false);
}

/** torchaudio's equalizer_biquad: a peaking equalizer, gain dB at centerFreq Hz, of bandwidth set by Q. */
export function equalizerBiquad(waveform: Tensor, sampleRate: number, centerFreq: number, gain: number, options: BiquadOptions = {}): Tensor {
  const op = 'equalizerBiquad';
  const A = shelfAmplitude(op, gain);
  const { cos, alpha } = cookbook(op, sampleRate, centerFreq, 'centerFreq', qOf(op, options));
  return sectionFiltered(op, waveform, [1 + alpha * A, -2 * cos, 1 - alpha * A], [1 + alpha / A, -2 * cos, 1 - alpha / A]);
}

/** SoX's de-emphasis shelves, ISO 908's 50/15 µs curve fitted at each rate: centre (Hz), slope, gain (dB). */
const DEEMPHASIS: Readonly<Record<number, readonly [number, number, number]>> = { 44100: [5283, 0.4845, -9.477], 48000: [5356, 0.479, -9.62] };

/**
 * torchaudio's deemph_biquad: the CD's de-emphasis (ISO 908), a high shelf
 * cutting about 9.5 dB, for sampleRate 44100 (CD) or 48000 (DAT) only: its
 * parameters are SoX's fits at those rates.
 */
export function deemphBiquad(waveform: Tensor, sampleRate: number): Tensor {
  const op = 'deemphBiquad';
  const fit = DEEMPHASIS[sampleRate];
  if (fit === undefined) throw new ValueError(`${op}: sampleRate must be 44100 (CD) or 48000 (DAT), got ${formatValue(sampleRate)}`);
  const [frequency, slope, gain] = fit;
  const w0 = (2 * Math.PI * frequency) / sampleRate;
  const A = Math.exp((gain / 40) * Math.LN10);
  // The cookbook's high shelf with its bandwidth given by the slope S, not by Q.
  const alpha = (Math.sin(w0) / 2) * Math.sqrt((A + 1 / A) * (1 / slope - 1) + 2);
  const { b, a } = shelfCoefficients(A, Math.cos(w0), alpha, false);
  return sectionFiltered(op, waveform, b, a);
}

/** SoX's RIAA playback curve at each rate it knows: the section's two zeros and two poles (all real). */
const RIAA: Readonly<Record<number, { zeros: readonly [number, number]; poles: readonly [number, number] }>> = {
  44100: { zeros: [-0.2014898, 0.923382], poles: [0.7083149, 0.9924091] },
  48000: { zeros: [-0.1766069, 0.932159], poles: [0.7396325, 0.993133] },
  88200: { zeros: [-0.1168735, 0.9648312], poles: [0.8590646, 0.9964002] },
  96000: { zeros: [-0.1141486, 0.9676817], poles: [0.8699137, 0.9966946] },
};

/**
 * torchaudio's riaa_biquad: vinyl's RIAA playback equalization, 0 dB at
 * 1 kHz, for sampleRate 44100, 48000, 88200 or 96000 only (SoX's fits).
 */
export function riaaBiquad(waveform: Tensor, sampleRate: number): Tensor {
  const op = 'riaaBiquad';
  const fit = RIAA[sampleRate];
  if (fit === undefined) throw new ValueError(`${op}: sampleRate must be 44100, 48000, 88200 or 96000, got ${formatValue(sampleRate)}`);
  const [z0, z1] = fit.zeros;
  const [p0, p1] = fit.poles;
  const b = [1, -(z0 + z1), z0 * z1];
  const a = [1, -(p0 + p1), p0 * p1];
  // |B/A| at 1 kHz, z = e^{iy}, to scale the numerator by: 0 dB there.
  const y = (2 * Math.PI * 1000) / sampleRate;
  const response = (c: readonly number[]) => Math.hypot(c[0] + c[1] * Math.cos(y) + c[2] * Math.cos(2 * y), c[1] * Math.sin(y) + c[2] * Math.sin(2 * y));
  const g = response(a) / response(b);
  return sectionFiltered(op, waveform, b.map((c) => c * g), a);
}
