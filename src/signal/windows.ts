// torch's window functions (torch.hann_window and its kin, numpy's and
// scipy.signal's by the same formulas). A window is a fixed array made from
// a length and a few numbers, so it is computed on the host in float64 and
// uploaded once, rounded to the dtype asked for.
//
// `periodic` (the default, as torch's) gives the first n values of the
// symmetric window of n + 1 — the window for spectral analysis, whose
// overlapping copies at hop n/2 (hann) sum to a constant; `periodic: false`
// the symmetric window of n, for filter design. A window of length 1 is [1]
// and one of length 0 is empty, as torch's.
import { ValueError, formatValue } from '../errors.js';
import { f16Bits } from '../f16.js';
import { filledTensor } from '../ops/util.js';
import { checkOptions, type OptionNames } from '../options.js';
import type { Tensor } from '../tensor.js';

/** Options every window takes. */
export interface WindowOptions {
  /** The first n values of the symmetric window of n + 1 (default true), or the symmetric window of n. */
  periodic?: boolean;
  /** 'f32' (default) or 'f16'. */
  dtype?: 'f32' | 'f16';
}

/** hammingWindow's options: w[k] = alpha − beta·cos(2πk/N). */
export interface HammingOptions extends WindowOptions {
  /** Default 0.54. */
  alpha?: number;
  /** Default 0.46. */
  beta?: number;
}

/** kaiserWindow's options. */
export interface KaiserOptions extends WindowOptions {
  /** The shape parameter β ≥ 0 (default 12, torch's): 0 is rectangular, larger is narrower with lower side lobes. */
  beta?: number;
}

const WINDOW_OPTIONS: OptionNames<WindowOptions> = { periodic: 'boolean', dtype: true };

/**
 * A window of n values from w(k, N), N the symmetric window's last index
 * (n when periodic, n − 1 when not), checked and uploaded in `dtype`.
 */
function windowOf(op: string, n: number, options: WindowOptions, w: (k: number, N: number) => number): Tensor {
  if (!Number.isSafeInteger(n) || n < 0) throw new ValueError(`${op}: the length must be a non-negative integer, got ${formatValue(n)}`);
  const { periodic = true, dtype = 'f32' } = options;
  if (dtype !== 'f32' && dtype !== 'f16') throw new ValueError(`${op}: dtype must be 'f32' or 'f16', got ${formatValue(dtype)}`);
  const N = periodic ? n : n - 1;
  return filledTensor([n], dtype, (out) => {
    for (let k = 0; k < n; k++) {
      const v = n === 1 ? 1 : w(k, N);
      out[k] = dtype === 'f16' ? f16Bits(v) : v;
    }
  });
}

/** a0 − a1·cos(2πk/N) + a2·cos(4πk/N). */
function cosineSum(a0: number, a1: number, a2: number): (k: number, N: number) => number {
  return (k, N) => a0 - a1 * Math.cos((2 * Math.PI * k) / N) + a2 * Math.cos((4 * Math.PI * k) / N);
}

/** The Hann window: ½ − ½·cos(2πk/N) (torch.hann_window). */
export function hannWindow(n: number, options: WindowOptions = {}): Tensor {
  return windowOf('hannWindow', n, checkOptions('hannWindow', options, WINDOW_OPTIONS), cosineSum(0.5, 0.5, 0));
}

/** The Hamming window: alpha − beta·cos(2πk/N), 0.54 and 0.46 by default (torch.hamming_window). */
export function hammingWindow(n: number, options: HammingOptions = {}): Tensor {
  const { alpha = 0.54, beta = 0.46 } = checkOptions('hammingWindow', options, { ...WINDOW_OPTIONS, alpha: true, beta: true });
  for (const [name, v] of [['alpha', alpha], ['beta', beta]] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new ValueError(`hammingWindow: ${name} must be a finite number, got ${formatValue(v)}`);
  }
  return windowOf('hammingWindow', n, options, cosineSum(alpha, beta, 0));
}

/** The Blackman window: 0.42 − 0.5·cos(2πk/N) + 0.08·cos(4πk/N) (torch.blackman_window). */
export function blackmanWindow(n: number, options: WindowOptions = {}): Tensor {
  return windowOf('blackmanWindow', n, checkOptions('blackmanWindow', options, WINDOW_OPTIONS), cosineSum(0.42, 0.5, 0.08));
}

/** The Bartlett (triangular) window: 1 − |2k/N − 1| (torch.bartlett_window). */
export function bartlettWindow(n: number, options: WindowOptions = {}): Tensor {
  return windowOf('bartlettWindow', n, checkOptions('bartlettWindow', options, WINDOW_OPTIONS), (k, N) => 1 - Math.abs((2 * k) / N - 1));
}

/**
 * ln I₀(x) for x ≥ 0 by its power series Σ ((x/2)^k / k!)², rescaled as it
 * grows so that β in the thousands (I₀ past float64's range) still gives
 * the window's ratios.
 */
export function logBesselI0(x: number): number {
  const q = (x / 2) ** 2;
  let [term, sum, scale] = [1, 1, 0];
  for (let k = 1; term > sum * 1e-17; k++) {
    term *= q / (k * k);
    sum += term;
    if (sum > 1e250) [term, sum, scale] = [term / 1e250, sum / 1e250, scale + Math.log(1e250)];
  }
  return Math.log(sum) + scale;
}

/** The Kaiser window: I₀(β·√(1 − (2k/N − 1)²)) / I₀(β) (torch.kaiser_window, β = 12 by default). */
export function kaiserWindow(n: number, options: KaiserOptions = {}): Tensor {
  const { beta = 12 } = checkOptions('kaiserWindow', options, { ...WINDOW_OPTIONS, beta: true });
  if (typeof beta !== 'number' || !(beta >= 0) || !Number.isFinite(beta)) throw new ValueError(`kaiserWindow: beta must be a finite number ≥ 0, got ${formatValue(beta)}`);
  const peak = logBesselI0(beta);
  return windowOf('kaiserWindow', n, options, (k, N) => {
    const r = (2 * k) / N - 1;
    return Math.exp(logBesselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) - peak);
  });
}

/** A finite number for `name`, or an error naming it. */
function finiteSetting(op: string, name: string, value: unknown, positive = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || (positive && !(value > 0))) {
    throw new ValueError(`${op}: ${name} must be a ${positive ? 'positive' : 'finite'} number, got ${formatValue(value)}`);
  }
  return value;
}

/** The cosine (sine) window: sin(π·(k + ½)/(N + 1)) (torch.signal.windows.cosine, scipy's). */
export function cosineWindow(n: number, options: WindowOptions = {}): Tensor {
  return windowOf('cosineWindow', n, checkOptions('cosineWindow', options, WINDOW_OPTIONS), (k, N) => Math.sin((Math.PI * (k + 0.5)) / (N + 1)));
}

/** gaussianWindow's options. */
export interface GaussianOptions extends WindowOptions {
  /** The standard deviation in samples (default 1, torch's). */
  std?: number;
}

/** The Gaussian window: exp(−½·((k − N/2)/std)²) (torch.signal.windows.gaussian). */
export function gaussianWindow(n: number, options: GaussianOptions = {}): Tensor {
  const { std = 1 } = checkOptions('gaussianWindow', options, { ...WINDOW_OPTIONS, std: true });
  finiteSetting('gaussianWindow', 'std', std, true);
  return windowOf('gaussianWindow', n, options, (k, N) => Math.exp(-0.5 * ((k - N / 2) / std) ** 2));
}

/** exponentialWindow's options. */
export interface ExponentialOptions extends WindowOptions {
  /** The decay: how many samples the window takes to fall by e (default 1). */
  tau?: number;
  /** Where the window peaks (default the middle, N/2). */
  center?: number;
}

/** The exponential (Poisson) window: exp(−|k − center|/tau) (torch.signal.windows.exponential). */
export function exponentialWindow(n: number, options: ExponentialOptions = {}): Tensor {
  const { tau = 1, center } = checkOptions('exponentialWindow', options, { ...WINDOW_OPTIONS, tau: true, center: true });
  finiteSetting('exponentialWindow', 'tau', tau, true);
  if (center !== undefined) finiteSetting('exponentialWindow', 'center', center);
  return windowOf('exponentialWindow', n, options, (k, N) => Math.exp(-Math.abs(k - (center ?? N / 2)) / tau));
}

/** generalCosineWindow's options. */
export interface GeneralCosineOptions extends WindowOptions {
  /** The coefficients a₀, a₁, … of Σⱼ (−1)ʲ·aⱼ·cos(2πjk/N). */
  a: readonly number[];
}

/** A sum of cosines, Σⱼ (−1)ʲ·aⱼ·cos(2πjk/N) (torch.signal.windows.general_cosine): Hann is [½, ½], Blackman [0.42, 0.5, 0.08]. */
export function generalCosineWindow(n: number, options: GeneralCosineOptions): Tensor {
  const { a } = checkOptions('generalCosineWindow', options, { ...WINDOW_OPTIONS, a: true });
  if (!Array.isArray(a) || a.length === 0 || !a.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new ValueError(`generalCosineWindow: a must be a non-empty array of finite numbers, got ${formatValue(a)}`);
  }
  return windowOf('generalCosineWindow', n, options, cosines(a));
}

/** Σⱼ (−1)ʲ·aⱼ·cos(2πjk/N). */
function cosines(a: readonly number[]): (k: number, N: number) => number {
  return (k, N) => a.reduce((s, aj, j) => s + (j % 2 ? -1 : 1) * aj * Math.cos((2 * Math.PI * j * k) / N), 0);
}

/** generalHammingWindow's options. */
export interface GeneralHammingOptions extends WindowOptions {
  /** Default 0.54 (Hamming's; 0.5 is Hann's). */
  alpha?: number;
}

/** The generalized Hamming window: alpha − (1 − alpha)·cos(2πk/N) (torch.signal.windows.general_hamming). */
export function generalHammingWindow(n: number, options: GeneralHammingOptions = {}): Tensor {
  const { alpha = 0.54 } = checkOptions('generalHammingWindow', options, { ...WINDOW_OPTIONS, alpha: true });
  finiteSetting('generalHammingWindow', 'alpha', alpha);
  return windowOf('generalHammingWindow', n, options, cosineSum(alpha, 1 - alpha, 0));
}

/** Nuttall's minimum 4-term Blackman–Harris window (torch.signal.windows.nuttall, scipy's coefficients). */
export function nuttallWindow(n: number, options: WindowOptions = {}): Tensor {
  return windowOf('nuttallWindow', n, checkOptions('nuttallWindow', options, WINDOW_OPTIONS), cosines([0.3635819, 0.4891775, 0.1365995, 0.0106411]));
}
