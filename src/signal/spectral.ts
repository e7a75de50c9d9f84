// Spectral density estimates, as scipy.signal's welch, csd and periodogram:
// the signal cut into segments of nperseg samples overlapping by noverlap,
// each detrended, windowed and transformed (length nfft), and the segments'
// |X|² (welch) or conj(X)·Y (csd) averaged, by their mean or by their
// median over its bias for χ² statistics (Welch 1967; scipy's
// _median_bias). 'density' scales by 1/(fs·Σw²), power per hertz, and
// 'spectrum' by 1/(Σw)², the power at each frequency; a one-sided estimate
// of a real signal doubles every bin but 0 and Nyquist to keep the total.
// Composed of ops (a gather of the segments, rfft/fft, reductions), so every
// backend runs it and the gradient reaches the signal. Real signals only:
// tmnn's complex tensors are (re, im) pairs, which a real signal whose last
// axis is 2 could not be told from.
import { tidy } from '../engine.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { isFloat } from '../dtype.js';
import { moveaxis } from '../ops/axes.js';
import { tensor } from '../ops/creation.js';
import { div } from '../ops/elementwise.js';
import { complex } from '../ops/fft/complex.js';
import { fftfreq, rfftfreq } from '../ops/fft/frequencies.js';
import { inF32 } from '../ops/fft/pairs.js';
import { fft, rfft } from '../ops/fft/transforms.js';
import { concat, gather, reshape, slice } from '../ops/movement.js';
import { median } from '../ops/order_statistics.js';
import { mean, sum } from '../ops/reduce.js';
import { checkTensor, onBackendOf } from '../ops/util.js';
import { checkOptions, type OptionNames } from '../options.js';
import { normalizeAxis } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { checkDetrendType, detrendLast, type DetrendType } from './detrend.js';
import { bartlettWindow, blackmanWindow, hammingWindow, hannWindow } from './windows.js';

/** The windows a spectral estimate takes by name, periodic as scipy's get_window gives them ('boxcar': all ones). */
export type SpectralWindowName = 'hann' | 'hamming' | 'blackman' | 'bartlett' | 'boxcar';

const WINDOWS: Record<SpectralWindowName, (n: number) => Tensor> = {
  hann: (n) => hannWindow(n),
  hamming: (n) => hammingWindow(n),
  blackman: (n) => blackmanWindow(n),
  bartlett: (n) => bartlettWindow(n),
  boxcar: (n) => tensor(new Float32Array(n).fill(1), [n]),
};

export interface SpectralOptions {
  /** The sampling frequency (default 1): the frequencies' unit, and the density's. */
  fs?: number;
  /** A window by name (default 'hann') or a float vector of nperseg values. */
  window?: SpectralWindowName | Tensor;
  /** Samples per segment (default 256, or the window's length; at most the signal's length, to which it is cut, as scipy cuts it). */
  nperseg?: number;
  /** Samples two segments share (default ⌊nperseg/2⌋), below nperseg. */
  noverlap?: number;
  /** The transform's length (default nperseg), ≥ nperseg: each segment zero-padded to it. */
  nfft?: number;
  /** Each segment less its mean ('constant', the default) or its least-squares line ('linear'), or as it is (false). */
  detrend?: DetrendType | false;
  /** The frequencies 0 … fs/2 (default true), or all nfft of them, negative ones after the positive (fftfreq's order). */
  returnOnesided?: boolean;
  /** 'density' (default): power per hertz, 1/(fs·Σw²); 'spectrum': power, 1/(Σw)². */
  scaling?: 'density' | 'spectrum';
  /** The axis along which each signal runs (default −1). */
  axis?: number;
  /** How the segments' estimates are combined: 'mean' (default) or 'median' (robust to bursts, divided by its bias). */
  average?: 'mean' | 'median';
}

/** periodogram's options: one segment, the whole signal (or its first nfft samples, where nfft is shorter); window 'boxcar' by default. */
export type PeriodogramOptions = Omit<SpectralOptions, 'nperseg' | 'noverlap' | 'average'>;

/** An estimate and the frequencies of its bins. */
export interface SpectralDensity {
  /** f32 [nfreq]: rfftfreq(nfft, 1/fs) one-sided, fftfreq two-sided. */
  freqs: Tensor;
  /** The estimate, f32: x's shape with the signal's axis replaced by the nfreq bins (csd: complex, (re, im) pairs last). */
  density: Tensor;
}

const OPTIONS: OptionNames<SpectralOptions> = {
  fs: true, window: true, nperseg: true, noverlap: true, nfft: true, detrend: true, returnOnesided: 'boolean', scaling: true, axis: true, average: true,
};

const PERIODOGRAM_OPTIONS: OptionNames<PeriodogramOptions> = { fs: true, window: true, nfft: true, detrend: true, returnOnesided: 'boolean', scaling: true, axis: true };

/** Every option checked against the signal's length n, with its default. */
interface Plan {
  fs: number;
  window: Tensor;
  nperseg: number;
  noverlap: number;
  nfft: number;
  detrend: DetrendType | false;
  onesided: boolean;
  scaling: 'density' | 'spectrum';
  average: 'mean' | 'median';
}

function integerOption(op: string, name: string, v: unknown, least: number): number {
  if (!Number.isSafeInteger(v) || (v as number) < least) throw new ValueError(`${op}: ${name} must be an integer ≥ ${least}, got ${formatValue(v)}`);
  return v as number;
}

function planOf(op: string, options: SpectralOptions, n: number, like: Tensor): Plan {
  const { fs = 1, window = 'hann', detrend = 'constant', returnOnesided = true, scaling = 'density', average = 'mean' } = options;
  if (typeof fs !== 'number' || !(fs > 0) || !Number.isFinite(fs)) throw new ValueError(`${op}: fs must be a finite number > 0, got ${formatValue(fs)}`);
  if (detrend !== false) checkDetrendType(op, detrend);
  if (scaling !== 'density' && scaling !== 'spectrum') throw new ValueError(`${op}: scaling must be 'density' or 'spectrum', got ${formatValue(scaling)}`);
  if (average !== 'mean' && average !== 'median') throw new ValueError(`${op}: average must be 'mean' or 'median', got ${formatValue(average)}`);
  let nperseg: number;
  let w: Tensor;
  if (typeof window === 'string') {
    if (!Object.hasOwn(WINDOWS, window)) throw new ValueError(`${op}: window must be one of ${Object.keys(WINDOWS).map((k) => `'${k}'`).join(', ')} or a tensor, got ${formatValue(window)}`);
    nperseg = Math.min(n, options.nperseg === undefined ? 256 : integerOption(op, 'nperseg', options.nperseg, 1));
    w = onBackendOf(op, like, () => WINDOWS[window](nperseg));
  } else {
    checkTensor(op, window, 'window');
    if (!isFloat(window.dtype) || window.rank !== 1) throw new ShapeError(`${op}: window must be a float vector, got ${window.dtype} ${formatShape(window.shape)}`);
    nperseg = options.nperseg === undefined ? window.shape[0] : integerOption(op, 'nperseg', options.nperseg, 1);
    if (window.shape[0] !== nperseg) throw new ShapeError(`${op}: window ${formatShape(window.shape)} must have nperseg = ${nperseg} values`);
    if (nperseg > n) throw new ShapeError(`${op}: the window's ${nperseg} values are more than the signal's ${n} samples`);
    w = inF32(window);
  }
  const nfft = options.nfft === undefined ? nperseg : integerOption(op, 'nfft', options.nfft, 1);
  if (nfft < nperseg) throw new ValueError(`${op}: nfft ${nfft} is below nperseg ${nperseg}; a segment is zero-padded to nfft, never cut`);
  const noverlap = options.noverlap === undefined ? Math.floor(nperseg / 2) : integerOption(op, 'noverlap', options.noverlap, 0);
  if (noverlap >= nperseg) throw new ValueError(`${op}: noverlap ${noverlap} must be below nperseg ${nperseg}`);
  return { fs, window: w, nperseg, noverlap, nfft, detrend, onesided: returnOnesided, scaling, average };
}

/** A real signal checked: float, some samples along `axis`; its axis (normalized) and length. */
function signalOf(op: string, x: Tensor, name: string, axis: number): { axis: number; n: number } {
  checkTensor(op, x, name);
  if (!isFloat(x.dtype)) throw new DTypeError(`${op}: ${name} must be f32 or f16, got ${x.dtype} (cast it: ${name}.cast('f32'))`);
  if (x.rank === 0) throw new ShapeError(`${op}: ${name} must have an axis of samples, got a scalar`);
  const a = normalizeAxis(op, axis, x.rank);
  if (x.shape[a] === 0) throw new ShapeError(`${op}: ${name} ${formatShape(x.shape)} has no samples along axis ${axis}`);
  return { axis: a, n: x.shape[a] };
}

/** Each segment of x (signal along its last axis) detrended, windowed and transformed: [..., segments, nfreq, 2]. */
function segmentSpectra(op: string, x: Tensor, plan: Plan): Tensor {
  const n = x.shape[x.rank - 1];
  const step = plan.nperseg - plan.noverlap;
  const count = Math.floor((n - plan.noverlap) / step);
  const at = Int32Array.from({ length: count * plan.nperseg }, (_, i) => Math.floor(i / plan.nperseg) * step + (i % plan.nperseg));
  let segments = reshape(gather(inF32(x), onBackendOf(op, x, () => tensor(at, [at.length])), x.rank - 1), [...x.shape.slice(0, -1), count, plan.nperseg]);
  if (plan.detrend !== false) segments = detrendLast(segments, plan.detrend);
  segments = segments.mul(plan.window);
  return plan.onesided ? rfft(segments, { n: plan.nfft }) : fft(complex(segments), { n: plan.nfft });
}

/**
 * The estimate from the segments' products [..., segments, nfreq(, 2)]:
 * scaled, a one-sided one's inner bins doubled, averaged over the segments,
 * and the bins moved to the signal's axis.
 */
function estimate(op: string, products: Tensor, plan: Plan, axis: number, pairs: boolean, like: Tensor): SpectralDensity {
  const { nfft, fs, window, onesided } = plan;
  const scale = div(1, plan.scaling === 'density' ? sum(window.square()).mul(fs) : sum(window).square());
  const bins = onesided ? Math.floor(nfft / 2) + 1 : nfft;
  // A one-sided estimate holds each bin but 0 (and Nyquist, for an even nfft) for itself and its mirror image.
  const doubled = Float32Array.from({ length: bins }, (_, k) => (onesided && k > 0 && !(nfft % 2 === 0 && k === bins - 1) ? 2 : 1));
  const factors = onBackendOf(op, like, () => tensor(doubled, pairs ? [bins, 1] : [bins]));
  const scaled = products.mul(scale).mul(factors);
  const segmentsAxis = products.rank - (pairs ? 3 : 2);
  const count = products.shape[segmentsAxis];
  let averaged: Tensor;
  if (plan.average === 'mean' || count === 1) averaged = mean(scaled, segmentsAxis);
  else {
    // The median of χ²₂ values is biased low; scipy's _median_bias(count) is the ratio. For pairs, re and im each their own median, as scipy takes them.
    const half = Array.from({ length: Math.floor((count - 1) / 2) }, (_, i) => 2 * (i + 1));
    const bias = 1 + half.reduce((s, k) => s + 1 / (k + 1) - 1 / k, 0);
    averaged = median(scaled, { axis: segmentsAxis }).mul(1 / bias);
  }
  const density = moveaxis(averaged, averaged.rank - (pairs ? 2 : 1), axis);
  const freqs = onBackendOf(op, like, () => (onesided ? rfftfreq(nfft, 1 / fs) : fftfreq(nfft, 1 / fs)));
  return { freqs, density };
}

/**
 * scipy.signal.welch: the power spectral density of x (a real signal along
 * `axis`, f32 or f16) by Welch's method, the average of the modified
 * periodograms of overlapping segments. Differentiable in x.
 */
export function welch(x: Tensor, options: SpectralOptions = {}): SpectralDensity {
  return powerDensity('welch', x, checkOptions('welch', options, OPTIONS));
}

/** welch's estimate, errors naming `op`. */
function powerDensity(op: string, x: Tensor, opts: SpectralOptions): SpectralDensity {
  const { axis, n } = signalOf(op, x, 'x', opts.axis ?? -1);
  return tidy(() => {
    const plan = planOf(op, opts, n, x);
    const spectra = segmentSpectra(op, moveaxis(x, axis, -1), plan);
    const power = sum(spectra.square(), -1); // |X|²
    return estimate(op, power, plan, axis, false, x);
  });
}

/**
 * scipy.signal.csd: the cross spectral density of x and y (real signals of
 * one shape) by Welch's method, the segments' conj(X)·Y averaged; complex,
 * (re, im) pairs last. csd(x, x) is welch(x) with a zero imaginary part.
 */
export function csd(x: Tensor, y: Tensor, options: SpectralOptions = {}): SpectralDensity {
  const opts = checkOptions('csd', options, OPTIONS);
  const { axis, n } = signalOf('csd', x, 'x', opts.axis ?? -1);
  signalOf('csd', y, 'y', opts.axis ?? -1);
  if (x.rank !== y.rank || x.shape.some((d, i) => d !== y.shape[i])) throw new ShapeError(`csd: x ${formatShape(x.shape)} and y ${formatShape(y.shape)} must have one shape`);
  return tidy(() => {
    const plan = planOf('csd', opts, n, x);
    const X = segmentSpectra('csd', moveaxis(x, axis, -1), plan);
    const Y = segmentSpectra('csd', moveaxis(y, axis, -1), plan);
    const part = (t: Tensor, k: 0 | 1) => slice(t, [...Array<number>(t.rank - 1).fill(0), k], [...t.shape.slice(0, -1), 1]);
    const [xr, xi, yr, yi] = [part(X, 0), part(X, 1), part(Y, 0), part(Y, 1)];
    // conj(X)·Y = (xr·yr + xi·yi) + i(xr·yi − xi·yr)
    const products = concat([xr.mul(yr).add(xi.mul(yi)), xr.mul(yi).sub(xi.mul(yr))], -1);
    return estimate('csd', products, plan, axis, true, x);
  });
}

/**
 * scipy.signal.periodogram: the power spectral density of x from one
 * segment, the whole signal (window 'boxcar' by default); an nfft shorter
 * than the signal takes its first nfft samples, a longer one zero-pads it.
 */
export function periodogram(x: Tensor, options: PeriodogramOptions = {}): SpectralDensity {
  const opts = checkOptions('periodogram', options, PERIODOGRAM_OPTIONS);
  const { axis, n } = signalOf('periodogram', x, 'x', opts.axis ?? -1);
  const nfft = opts.nfft === undefined ? undefined : integerOption('periodogram', 'nfft', opts.nfft, 1);
  return tidy(() => {
    const cut = nfft !== undefined && nfft < n ? slice(x, x.shape.map(() => 0), x.shape.map((d, i) => (i === axis ? nfft : d))) : x;
    const nperseg = Math.min(n, nfft ?? n);
    return powerDensity('periodogram', cut, { ...opts, window: opts.window ?? 'boxcar', nperseg, noverlap: 0, nfft: Math.max(nperseg, nfft ?? 0) });
  });
}
