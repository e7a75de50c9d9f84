// Band-limited resampling (torchaudio.functional.resample): each output
// sample is the input's windowed-sinc interpolation at its time, low-passed
// below the lower rate's Nyquist frequency (times rolloff) against
// aliasing. With the rates reduced by their gcd to orig and new, output
// samples j and j + new use the same filter on input shifted by orig, so
// the new filters form one convolution of stride orig: a [new, 1, K]
// weight, K = 2·width + orig taps, computed on the host in float64.
// Where the rates share little (a pitch shift's 20158 → 16000 Hz is 10079
// → 8000: a weight of 8000 × 10095) that weight is nearly all zeros: each
// filter is nonzero on only ~2·width taps. Past a size, each output sample
// gathers just those taps and weighs them instead (sparseResample).
import { tidy } from '../engine.js';
import { ValueError, formatValue } from '../errors.js';
import { castTo } from '../ops/fft/pairs.js';
import { tensor } from '../ops/creation.js';
import { conv1d } from '../ops/conv.js';
import { swapaxes } from '../ops/axes.js';
import { mul } from '../ops/elementwise.js';
import { gather, pad, reshape, slice } from '../ops/movement.js';
import { sum } from '../ops/reduce.js';
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

/** The windowed-sinc filters for rates already divided by their gcd: width taps each side, and each tap's weight. */
interface Filters {
  width: number;
  /** Taps of each filter (2·width + orig); filter j (output j of each next) reads input k·orig + i − width at tap i. */
  taps: number;
  /** Tap i of filter j. */
  weight(j: number, i: number): number;
  /** The taps [first, last] of filter j whose window is open (|t| < the zero crossings kept); the others are ~0. */
  support(j: number): [number, number];
}

function filtersOf(orig: number, next: number, widthInZeros: number, rolloff: number, kaiser: boolean, beta: number): Filters {
  const base = Math.min(orig, next) * rolloff;
  const width = Math.ceil((widthInZeros * orig) / base);
  const taps = 2 * width + orig;
  const peak = logBesselI0(beta);
  return {
    width,
    taps,
    weight(j, i) {
      const t = Math.max(-widthInZeros, Math.min(widthInZeros, ((i - width) / orig - j / next) * base));
      const window = kaiser ? Math.exp(logBesselI0(beta * Math.sqrt(Math.max(0, 1 - (t / widthInZeros) ** 2))) - peak) : Math.cos((t * Math.PI) / widthInZeros / 2) ** 2;
      const sinc = t === 0 ? 1 : Math.sin(t * Math.PI) / (t * Math.PI);
      return sinc * window * (base / orig);
    },
    support(j) {
      const centre = width + (orig * j) / next;
      const reach = (orig * widthInZeros) / base;
      return [Math.max(0, Math.floor(centre - reach)), Math.min(taps - 1, Math.ceil(centre + reach))];
    },
  };
}

/** Every filter's every tap: the weight [next, 1, taps] of resample's convolution, in f32. */
function denseWeights(f: Filters, next: number): Float32Array {
  const weights = new Float32Array(next * f.taps);
  for (let j = 0; j < next; j++) for (let i = 0; i < f.taps; i++) weights[j * f.taps + i] = f.weight(j, i);
  return weights;
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
  const f = filtersOf(orig, next, lowpassFilterWidth, rolloff, resamplingMethod === 'kaiserWindow', beta);
  const { width } = f;
  const length = waveform.shape[waveform.rank - 1];
  const lead = waveform.shape.slice(0, -1);
  const count = lead.reduce((a, b) => a * b, 1);
  const target = Math.ceil((next * length) / orig);
  if (next * f.taps > DENSE_MOST) return sparseResample(op, waveform, orig, next, f, target);
  const weights = denseWeights(f, next);
  return tidy(() => {
    const kernel = onBackendOf(op, waveform, () => tensor(weights, [next, 1, f.taps]));
    const x = pad(reshape(waveform, [count, 1, length]), [[0, 0], [0, 0], [width, width + orig]]);
    const frames = conv1d(x, castTo(kernel, waveform.dtype), { stride: orig });
    const interleaved = reshape(swapaxes(frames, 1, 2), [count, frames.shape[2] * next]);
    return reshape(slice(interleaved, [0, 0], [count, target]), [...lead, target]);
  });
}

/** The most weights (new × taps) resample convolves with; past it, each output gathers its nonzero taps. */
const DENSE_MOST = 2 ** 22;

/**
 * resample for rates whose filters are mostly zeros: output m = k·next + j
 * is Σₛ weight(j, first[j] + s)·x[k·orig + first[j] + s] over filter j's
 * support (x padded by width in front): one gather of [target, span]
 * positions and a weighted sum. Only the supports' weights are computed.
 * The taps left out are those where the window has closed, ~1e-50 of the
 * largest with the Hann-like window and ~1e-24 with Kaiser's: the dense
 * convolution's sums differ from these by no more than that.
 */
function sparseResample(op: string, waveform: Tensor, orig: number, next: number, f: Filters, target: number): Tensor {
  const supports = Array.from({ length: next }, (_, j) => f.support(j));
  const span = Math.max(...supports.map(([first, last]) => last - first + 1));
  const length = waveform.shape[waveform.rank - 1];
  const lead = waveform.shape.slice(0, -1);
  const count = lead.reduce((a, b) => a * b, 1);
  // Each filter's weights once, then laid out for every output.
  const phase = new Float32Array(next * span);
  supports.forEach(([first, last], j) => {
    for (let s = 0; first + s <= last; s++) phase[j * span + s] = f.weight(j, first + s);
  });
  const positions = new Int32Array(target * span);
  const picked = new Float32Array(target * span);
  for (let m = 0; m < target; m++) {
    const [k, j] = [Math.floor(m / next), m % next];
    for (let s = 0; s < span; s++) positions[m * span + s] = k * orig + supports[j][0] + s;
    picked.set(phase.subarray(j * span, (j + 1) * span), m * span);
  }
  const reach = positions.reduce((most, v) => Math.max(most, v), 0) + 1;
  return tidy(() => {
    const x = pad(reshape(waveform, [count, length]), [[0, 0], [f.width, Math.max(0, reach - f.width - length)]]);
    const [at, w] = onBackendOf(op, waveform, () => [tensor(positions, [target * span]), tensor(picked, [target, span])]);
    const gathered = reshape(gather(x, at, 1), [count, target, span]);
    return reshape(sum(mul(gathered, castTo(w, waveform.dtype)), -1), [...lead, target]);
  });
}
