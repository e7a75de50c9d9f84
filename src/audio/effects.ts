// torchaudio.functional's sample-wise effects (SoX's gain, dcshift,
// contrast and overdrive): a gain in decibels, a DC shift with SoX's
// limiter, contrast's sine waveshaper, and overdrive's cubic soft clipper
// followed by the DC blocker SoX runs after it. torchaudio writes that
// blocker as a loop over the samples (y[n] = t[n] − t[n−1] + 0.995·y[n−1]),
// which is lfilter([1, −1], [1, −0.995]): here tm.signal.lfilter runs it, so
// overdrive is differentiable in the waveform, where torchaudio's CPU loop
// is not. dcshift's limiter, an index-based update in torchaudio (no
// gradient), is a `where` here. All computed in f32 (f16 cast in, and the
// result back), on every backend. torchaudio's parameters are Python
// numbers, as tmnn's.
import { tidy } from '../engine.js';
import { ValueError, formatValue } from '../errors.js';
import { castTo, inF32 } from '../ops/fft/pairs.js';
import { add, clip, greater, less, mul, sin, sub, where } from '../ops/elementwise.js';
import { checkOptions } from '../options.js';
import { lfilter } from '../signal/lfilter.js';
import type { Tensor } from '../tensor.js';
import { checkFloatTensor } from './checks.js';
import { checkFinite } from './filtering.js';

/** gain's options. */
export interface GainOptions {
  /** The gain in decibels (default 1; negative attenuates). */
  gainDb?: number;
}

/**
 * torchaudio's gain: waveform (f32 or f16, any shape) times 10^(gainDb/20),
 * not clamped (as torchaudio's), in its dtype. Differentiable.
 */
export function gain(waveform: Tensor, options: GainOptions = {}): Tensor {
  const op = 'gain';
  const { gainDb = 1 } = checkOptions(op, options, { gainDb: true });
  checkFinite(op, 'gainDb', gainDb);
  const x = checkFloatTensor(op, waveform, 'waveform', 0, 'a float tensor');
  // torchaudio returns the waveform itself for 0 dB; a product by 1 is a tensor of its own, safe to dispose.
  return tidy(() => castTo(mul(inF32(x), 10 ** (gainDb / 20)), x.dtype));
}

/** dcshift's options. */
export interface DcshiftOptions {
  /**
   * SoX's limiter gain, much less than 1 (0.05, 0.02): samples beyond the
   * limiter's threshold 1 − (|shift| − limiterGain), on the shift's side,
   * are limited to it rather than clipped at ±1. Default none (null).
   */
  limiterGain?: number | null;
}

/**
 * torchaudio's dcshift: waveform (f32 or f16, any shape) plus shift (SoX
 * allows −2 to 2), clamped to [−1, 1]; with limiterGain, samples past the
 * threshold on the shift's side follow torchaudio's limiter formula
 * instead. In the waveform's dtype; differentiable (0 where clamped or
 * limited to the threshold).
 */
export function dcshift(waveform: Tensor, shift: number, options: DcshiftOptions = {}): Tensor {
  const op = 'dcshift';
  const { limiterGain = null } = checkOptions(op, options, { limiterGain: true });
  checkFinite(op, 'shift', shift);
  if (limiterGain !== null) checkFinite(op, 'limiterGain', limiterGain);
  const x = checkFloatTensor(op, waveform, 'waveform', 0, 'a float tensor');
  return tidy(() => {
    const f = inF32(x);
    const shifted = clip(add(f, shift), -1, 1);
    if (limiterGain === null || shift === 0) return castTo(shifted, x.dtype);
    const threshold = 1 - (Math.abs(shift) - limiterGain);
    const scale = limiterGain / (1 - threshold);
    // Past the threshold: (x ∓ t)·scale ± t + shift, held within ±t. Where |shift| = limiterGain the
    // scale is infinite and torchaudio's value is ±t itself (±∞ clamped), written as that constant.
    const limited =
      shift > 0
        ? Number.isFinite(scale) ? clip(add(mul(sub(f, threshold), scale), threshold + shift), null, threshold) : threshold
        : Number.isFinite(scale) ? clip(add(mul(add(f, threshold), scale), shift - threshold), -threshold, null) : -threshold;
    const past = shift > 0 ? greater(f, threshold) : less(f, -threshold);
    return castTo(where(past, limited, shifted), x.dtype);
  });
}

/** contrast's options. */
export interface ContrastOptions {
  /** In [0, 100] (default 75); 0 still enhances markedly. */
  enhancementAmount?: number;
}

/**
 * torchaudio's contrast (SoX's): sin(x·π/2 + c·sin(x·2π)), c =
 * enhancementAmount/750, a waveshaper that makes audio sound louder, like
 * compression. waveform f32 or f16, any shape, its dtype out; differentiable.
 */
export function contrast(waveform: Tensor, options: ContrastOptions = {}): Tensor {
  const op = 'contrast';
  const { enhancementAmount = 75 } = checkOptions(op, options, { enhancementAmount: true });
  if (typeof enhancementAmount !== 'number' || !(enhancementAmount >= 0 && enhancementAmount <= 100)) {
    throw new ValueError(`${op}: enhancementAmount must be in [0, 100], got ${formatValue(enhancementAmount)}`);
  }
  const x = checkFloatTensor(op, waveform, 'waveform', 0, 'a float tensor');
  return tidy(() => {
    const quarter = mul(inF32(x), Math.PI / 2);
    return castTo(sin(add(quarter, mul(sin(mul(quarter, 4)), enhancementAmount / 750))), x.dtype);
  });
}

/** overdrive's options. */
export interface OverdriveOptions {
  /** The drive in dB (default 20; SoX allows 0 to 100). */
  gain?: number;
  /** The amount of even harmonics, as an offset colour/200 before the clipper (default 20; SoX allows 0 to 100). */
  colour?: number;
}

/**
 * torchaudio's overdrive (SoX's): t = x·10^(gain/20) + colour/200 through
 * the soft clipper t − t³/3 (±2/3 beyond ±1), then the DC blocker
 * y[n] = t[n] − t[n−1] + 0.995·y[n−1] along the last axis (time), and
 * 0.5·x + 0.75·y clamped to [−1, 1]. waveform [..., time], f32 or f16, its
 * dtype out; differentiable in it (where torchaudio's CPU loop is not).
 */
export function overdrive(waveform: Tensor, options: OverdriveOptions = {}): Tensor {
  const op = 'overdrive';
  const { gain: drive = 20, colour = 20 } = checkOptions(op, options, { gain: true, colour: true });
  checkFinite(op, 'gain', drive);
  checkFinite(op, 'colour', colour);
  const x = checkFloatTensor(op, waveform, 'waveform', 1, '[..., time]');
  return tidy(() => {
    // Nothing to filter (lfilter wants a sample): the empty waveform, still on the tape.
    if (x.shape[x.rank - 1] === 0) return mul(x, 1);
    const f = inF32(x);
    // Clamped first, the cubic then gives torchaudio's ±2/3 beyond ±1, and its gradient 1 − t² (0 at ±1) within.
    const t = clip(add(mul(f, Math.exp((drive / 20) * Math.LN10)), colour / 200), -1, 1);
    const clipped = sub(t, mul(mul(mul(t, t), t), 1 / 3));
    const blocked = lfilter([1, -1], [1, -0.995], clipped, { axis: -1 });
    return castTo(clip(add(mul(f, 0.5), mul(blocked, 0.75)), -1, 1), x.dtype);
  });
}
