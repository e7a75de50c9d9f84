// torchaudio.functional's biquad, and what its filter recipes (biquads.ts)
// share: a waveform through one second-order IIR section along its last
// axis (time), the output clamped to [−1, 1] as torchaudio's lfilter clamps
// it by default (audio lives in [−1, 1]: a boost that overshoots clips, as a
// recording would). The recursion is tm.signal.lfilter's (one pass over the
// samples on every backend, differentiable in the waveform); the clamp's
// gradient is 1 inside [−1, 1], its ends included, and 0 outside, as
// torch.clamp's. torchaudio's coefficients and parameters (frequencies, Q,
// gains) may be tensors, and its filters are differentiable in them;
// tmnn's are numbers, so the recipes compute the coefficients on the host in
// float64, where torchaudio computes them in the waveform's dtype.
import { tidy } from '../engine.js';
import { ValueError, formatValue } from '../errors.js';
import { castTo } from '../ops/fft/pairs.js';
import { clip } from '../ops/elementwise.js';
import { lfilter } from '../signal/lfilter.js';
import type { Tensor } from '../tensor.js';
import { checkFloatTensor } from './checks.js';

/**
 * torchaudio.functional.biquad: waveform [..., time] (f32 or f16) through
 * (b0 + b1·z⁻¹ + b2·z⁻²)/(a0 + a1·z⁻¹ + a2·z⁻²) along time, starting at
 * rest, clamped to [−1, 1]; the waveform's dtype out (f16 computed in
 * f32). Differentiable in the waveform. torchaudio also takes the
 * coefficients as tensors (differentiable in them); here they are numbers.
 */
export function biquad(waveform: Tensor, b0: number, b1: number, b2: number, a0: number, a1: number, a2: number): Tensor {
  return sectionFiltered('biquad', waveform, [b0, b1, b2], [a0, a1, a2]);
}

/**
 * waveform [..., time] through B(z)/A(z) (b and a of three coefficients)
 * along time, clamped to [−1, 1], in the waveform's dtype: what every
 * biquad recipe ends in, its errors named after `op`.
 */
export function sectionFiltered(op: string, waveform: Tensor, b: readonly number[], a: readonly number[]): Tensor {
  const x = checkFloatTensor(op, waveform, 'waveform', 1, '[..., time]');
  if (![...b, ...a].every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new ValueError(`${op}: the filter's coefficients must be finite numbers, got b = ${formatValue(b)}, a = ${formatValue(a)}`);
  }
  if (a[0] === 0) throw new ValueError(`${op}: a0 must not be 0 (it normalizes the filter)`);
  // Normalized here in float64, not by lfilter in f32: the recursion's coefficients are then rounded once.
  const bn = b.map((v) => v / a[0]);
  const an = a.map((v) => v / a[0]);
  return tidy(() => castTo(clip(lfilter(bn, an, x, { axis: -1 }), -1, 1), x.dtype));
}

/** A sample rate (Hz): a positive finite number (torchaudio's int; any rate works here). */
export function checkSampleRate(op: string, sampleRate: number): number {
  if (typeof sampleRate !== 'number' || !(sampleRate > 0) || !Number.isFinite(sampleRate)) {
    throw new ValueError(`${op}: sampleRate must be a positive number of samples per second, got ${formatValue(sampleRate)}`);
  }
  return sampleRate;
}

/**
 * A frequency (Hz) strictly between 0 and the Nyquist frequency: the
 * cookbook's formulas put a pole on the unit circle, or no filter at all, at
 * either end, and a frequency past the Nyquist one aliases to another.
 */
export function checkFrequency(op: string, name: string, frequency: number, sampleRate: number): number {
  if (typeof frequency !== 'number' || !(frequency > 0 && frequency < sampleRate / 2)) {
    throw new ValueError(`${op}: ${name} must be in (0, sampleRate/2) = (0, ${sampleRate / 2}) Hz, got ${formatValue(frequency)}`);
  }
  return frequency;
}

/** A quality factor: positive and finite (Q ≤ 0 gives a bandwidth of no sign, or infinite). */
export function checkQ(op: string, Q: number): number {
  if (typeof Q !== 'number' || !(Q > 0) || !Number.isFinite(Q)) throw new ValueError(`${op}: Q must be a positive number, got ${formatValue(Q)}`);
  return Q;
}

/** A finite number (a gain in dB, a shift). */
export function checkFinite(op: string, name: string, v: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ValueError(`${op}: ${name} must be a finite number, got ${formatValue(v)}`);
  return v;
}
