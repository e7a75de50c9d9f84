// Band-limited resampling (torchaudio.functional.resample): each output
// sample is the input's windowed-sinc interpolation at its time, low-passed
// below the lower rate's Nyquist frequency (times rolloff) against
// aliasing. With the rates reduced by their gcd to orig and new, output
// samples j and j + new use the same filter on input shifted by orig, so
// the new filters form one convolution of stride orig: a [new, 1, K]
// weight, K = 2·width + orig taps, computed on the host in float64.
import { tidy } from '../engine.js';
import { ValueError, formatValue } from '../errors.js';
import { castTo } from '../ops/fft/pairs.js';
import { tensor } from '../ops/creation.js';
import { conv1d } from '../ops/conv.js';
import { swapaxes } from '../ops/axes.js';
import { pad, reshape, slice } from '../ops/movement.js';
import { onBackendOf } from '../ops/util.js';
import { checkOptions } from '../options.js';
import { logBesselI0 } from '../signal/windows.js';
import type { Tensor } from '../tensor.js';
import { checkFloatTensor } from './checks.js';

/** resample's options: torchaudio's. */
export interface ResampleOptions {
  /** Zero crossings of the sinc kept each side (default 6): sharper and slower as it grows. */
  lowpassFilterWidth?: number;
  /** The cut-off as a fraction of the lower rate's Nyquist frequency (default 0.99). */
  rolloff?: number;
  /** The sinc's window: 'sincInterpolation' (default; a Hann, cos²) or 'kaiserWindow' (torchaudio's "sinc_interpolation" and "kaiser_window"). */
  resamplingMethod?: 'sincInterpolation' | 'kaiserWindow';
  /** The Kaiser window's β (default 14.769656459379492, torchaudio's). */
  beta?: number;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** The filters [newRate, 1, 2·width + origRate] and width, for rates already divided by their gcd. */
function filters(orig: number, next: number, widthInZeros: number, rolloff: number, kaiser: boolean, beta: number): { weights: Float32Array; width: number } {
  const base = Math.min(orig, next) * rolloff;
  const width = Math.ceil((widthInZeros * orig) / base);
  const taps = 2 * width + orig;
  const weights = new Float32Array(next * taps);
  const peak = logBesselI0(beta);
  for (let j = 0; j < next; j++) {
    for (let i = 0; i < taps; i++) {
      const t = Math.max(-widthInZeros, Math.min(widthInZeros, ((i - width) / orig - j / next) * base));
      const window = kaiser ? Math.exp(logBesselI0(beta * Math.sqrt(Math.max(0, 1 - (t / widthInZeros) ** 2))) - peak) : Math.cos((t * Math.PI) / widthInZeros / 2) ** 2;
      const sinc = t === 0 ? 1 : Math.sin(t * Math.PI) / (t * Math.PI);
      weights[j * taps + i] = sinc * window * (base / orig);
    }
  }
  return { weights, width };
}

/**
 * waveform [..., time] sampled at origFreq, resampled to newFreq:
 * [..., ⌈time·newFreq/origFreq⌉] (torchaudio.functional.resample and
 * transforms.Resample). The rates are positive integers (or share a ratio
 * of them: 44100 → 16000 is 441 → 160). Differentiable in the waveform.
 */
export function resample(waveform: Tensor, origFreq: number, newFreq: number, options: ResampleOptions = {}): Tensor {
  const op = 'resample';
  const { lowpassFilterWidth = 6, rolloff = 0.99, resamplingMethod = 'sincInterpolation', beta = 14.769656459379492 } = checkOptions(op, options, {
    lowpassFilterWidth: true, rolloff: true, resamplingMethod: true, beta: true,
  });
  for (const [name, v] of [['origFreq', origFreq], ['newFreq', newFreq]] as const) {
    if (!Number.isSafeInteger(v) || v < 1) throw new ValueError(`${op}: ${name} must be a positive integer (scale both to integers of the same ratio: 44100 → 5512.5 is 8 → 1), got ${formatValue(v)}`);
  }
  if (!Number.isSafeInteger(lowpassFilterWidth) || lowpassFilterWidth < 1) throw new ValueError(`${op}: lowpassFilterWidth must be a positive integer, got ${formatValue(lowpassFilterWidth)}`);
  if (!(rolloff > 0 && rolloff <= 1)) throw new ValueError(`${op}: rolloff must be in (0, 1], got ${formatValue(rolloff)}`);
  if (resamplingMethod !== 'sincInterpolation' && resamplingMethod !== 'kaiserWindow') {
    throw new ValueError(`${op}: resamplingMethod must be 'sincInterpolation' or 'kaiserWindow', got ${formatValue(resamplingMethod)}`);
  }
  if (!(beta >= 0) || !Number.isFinite(beta)) throw new ValueError(`${op}: beta must be a finite number ≥ 0, got ${formatValue(beta)}`);
  checkFloatTensor(op, waveform, 'waveform', 1, '[..., time]');
  if (origFreq === newFreq) return waveform.clone();
  const common = gcd(origFreq, newFreq);
  const [orig, next] = [origFreq / common, newFreq / common];
  const { weights, width } = filters(orig, next, lowpassFilterWidth, rolloff, resamplingMethod === 'kaiserWindow', beta);
  const length = waveform.shape[waveform.rank - 1];
  const lead = waveform.shape.slice(0, -1);
  const count = lead.reduce((a, b) => a * b, 1);
  const target = Math.ceil((next * length) / orig);
  return tidy(() => {
    const kernel = onBackendOf(op, waveform, () => tensor(weights, [next, 1, 2 * width + orig]));
    const x = pad(reshape(waveform, [count, 1, length]), [[0, 0], [0, 0], [width, width + orig]]);
    const frames = conv1d(x, castTo(kernel, waveform.dtype), { stride: orig });
    const interleaved = reshape(swapaxes(frames, 1, 2), [count, frames.shape[2] * next]);
    return reshape(slice(interleaved, [0, 0], [count, target]), [...lead, target]);
  });
}
