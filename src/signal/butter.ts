// Butterworth filter design, as scipy.signal.butter: the
// analog prototype's N poles on the unit circle's left half, moved to the
// band asked for (lowpass, highpass, bandpass, bandstop) at frequencies
// prewarped by tan, so that the bilinear transform puts the edges where they
// were asked, then the bilinear transform; out as the zeros' and poles'
// polynomials (output 'ba', for lfilter) or as second-order sections
// ('sos', for sosfilt: each section a conjugate pair of poles, or two real
// ones, with two zeros; the sections farthest from the unit circle first,
// as scipy orders them, the gain in the first). Numbers in, numbers out,
// in float64 on the host: a design is a handful of coefficients.
import { ValueError, formatValue } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import { add, div, mul, poly, realPairs, sqrt, type Complex } from './host_complex.js';

export type FilterType = 'lowpass' | 'highpass' | 'bandpass' | 'bandstop';

export interface ButterOptions {
  /** 'lowpass' (default), 'highpass', 'bandpass' or 'bandstop'; the band filters take [low, high] edges. */
  btype?: FilterType;
  /** The sampling frequency the edges are given in (default 2: edges as fractions of Nyquist, in (0, 1)). */
  fs?: number;
}

/** butter's options with the second-order sections asked for. */
export interface ButterSosOptions extends ButterOptions {
  output: 'sos';
}

/** A filter's transfer function B(z)/A(z): coefficients of z⁰, z⁻¹, …; a[0] is 1. */
export interface FilterCoefficients {
  b: number[];
  a: number[];
}

const OPTIONS: OptionNames<ButterOptions & { output?: 'ba' | 'sos' }> = { btype: true, fs: true, output: true };

/**
 * scipy.signal.butter(N, Wn, btype, fs=fs): an order-N digital Butterworth
 * filter's coefficients. Wn is the cutoff (lowpass, highpass) or [low,
 * high] (bandpass, bandstop), in fs's units, below fs/2; a band filter is of
 * order 2N.
 */
export function butter(order: number, wn: number | readonly [number, number], options?: ButterOptions & { output?: 'ba' }): FilterCoefficients;
/** butter as second-order sections: rows [b0, b1, b2, 1, a1, a2], ⌈order/2⌉ of them (a band filter's, order of them). */
export function butter(order: number, wn: number | readonly [number, number], options: ButterSosOptions): number[][];
export function butter(order: number, wn: number | readonly [number, number], options: ButterOptions & { output?: 'ba' | 'sos' } = {}): FilterCoefficients | number[][] {
  const { btype = 'lowpass', fs = 2, output = 'ba' } = checkOptions('butter', options, OPTIONS);
  if (output !== 'ba' && output !== 'sos') throw new ValueError(`butter: output must be 'ba' or 'sos', got ${formatValue(output)}`);
  if (!Number.isSafeInteger(order) || order < 1) throw new ValueError(`butter: the order must be an integer ≥ 1, got ${formatValue(order)}`);
  if (!['lowpass', 'highpass', 'bandpass', 'bandstop'].includes(btype)) throw new ValueError(`butter: btype must be 'lowpass', 'highpass', 'bandpass' or 'bandstop', got ${formatValue(btype)}`);
  if (typeof fs !== 'number' || !(fs > 0) || !Number.isFinite(fs)) throw new ValueError(`butter: fs must be a finite number > 0, got ${formatValue(fs)}`);
  const band = btype === 'bandpass' || btype === 'bandstop';
  const edges = typeof wn === 'number' ? [wn] : Array.isArray(wn) ? [...wn] : [];
  const nyquist = fs / 2;
  if (edges.length !== (band ? 2 : 1) || edges.some((w) => typeof w !== 'number' || !(w > 0 && w < nyquist)) || (band && !(edges[0] < edges[1]))) {
    const what = band ? `[low, high] with 0 < low < high < fs/2 = ${nyquist}` : `a frequency in (0, fs/2 = ${nyquist})`;
    throw new ValueError(`butter: a ${btype} filter's Wn must be ${what}, got ${formatValue(wn)}`);
  }
  // Prewarped analog edges for the bilinear transform at sampling rate 2 (scipy's fs = 2 after normalizing).
  const warped = edges.map((w) => 4 * Math.tan((Math.PI * (w / nyquist)) / 2));
  // The prototype: poles −exp(iπ(2k − N + 1)/(2N)), k = 0 … N − 1 (scipy's buttap), no zeros, gain 1.
  let poles: Complex[] = Array.from({ length: order }, (_, k) => {
    const angle = (Math.PI * (2 * k - order + 1)) / (2 * order);
    return [-Math.cos(angle), -Math.sin(angle)];
  });
  let zeros: Complex[] = [];
  let gain = 1;
  const productOf = (values: Complex[]) => values.reduce((p, v) => mul(p, v), [1, 0] as Complex);
  if (btype === 'lowpass') {
    poles = poles.map(([re, im]) => [re * warped[0], im * warped[0]]);
    gain = warped[0] ** order;
  } else if (btype === 'highpass') {
    gain = 1 / productOf(poles.map(([re, im]) => [-re, -im]))[0];
    poles = poles.map((p) => div([warped[0], 0], p));
    zeros = Array.from({ length: order }, () => [0, 0]);
  } else {
    const bw = warped[1] - warped[0];
    const w0 = Math.sqrt(warped[0] * warped[1]);
    const shifted = (ps: Complex[]) =>
      ps.flatMap((p) => {
        const root = sqrt(add(mul(p, p), [-(w0 * w0), 0]));
        return [add(p, root), add(p, [-root[0], -root[1]])];
      });
    if (btype === 'bandpass') {
      poles = shifted(poles.map(([re, im]) => [(re * bw) / 2, (im * bw) / 2]));
      zeros = Array.from({ length: order }, () => [0, 0]);
      gain = bw ** order;
    } else {
      gain = 1 / productOf(poles.map(([re, im]) => [-re, -im]))[0];
      poles = shifted(poles.map((p) => div([bw / 2, 0], p)));
      zeros = Array.from({ length: 2 * order }, (_, i) => [0, i % 2 ? -w0 : w0]);
    }
  }
  // Bilinear transform at fs = 2 (2·fs = 4): s → 4(z − 1)/(z + 1); zeros at infinity land on z = −1.
  const bilinear = (s: Complex): Complex => div(add([4, 0], s), add([4, 0], [-s[0], -s[1]]));
  const digitalZeros = [...zeros.map(bilinear), ...Array.from({ length: poles.length - zeros.length }, (): Complex => [-1, 0])];
  const digitalPoles = poles.map(bilinear);
  const scale = div(productOf(zeros.map(([re, im]) => [4 - re, -im])), productOf(poles.map(([re, im]) => [4 - re, -im])))[0];
  if (output === 'sos') return sections(digitalZeros, digitalPoles, gain * scale);
  const b = poly(digitalZeros).map((c) => c * gain * scale);
  return { b, a: poly(digitalPoles) };
}

/**
 * zeros, poles and gain as second-order sections [b0, b1, b2, 1, a1, a2]:
 * the pole pairs ordered from the farthest from the unit circle to the
 * nearest (scipy's order), the zero pairs alongside in their order, the
 * gain in the first section. Real zeros alternate in sign where they differ
 * (a band-pass's +1 and −1), so each section of a band filter passes its
 * band rather than one section taking both zeros at 1.
 */
function sections(zeros: readonly Complex[], poles: readonly Complex[], gain: number): number[][] {
  const poleGroups = realPairs(poles).sort((p, q) => Math.max(...p.map((r) => Math.hypot(...r))) - Math.max(...q.map((r) => Math.hypot(...r))));
  const realZeros = zeros.filter(([, im]) => Math.abs(im) < 1e-12).map(([re]) => re);
  const positive = realZeros.filter((re) => re >= 0);
  const negative = realZeros.filter((re) => re < 0);
  const alternating = Array.from({ length: realZeros.length }, (_, i) => ((i % 2 === 0 && positive.length) || !negative.length ? positive.shift()! : negative.shift()!));
  const zeroGroups = realPairs([...zeros.filter(([, im]) => Math.abs(im) >= 1e-12), ...alternating.map((re): Complex => [re, 0])]);
  return poleGroups.map((group, s) => {
    const quadratic = (roots: Complex[] | undefined) => {
      const c = poly(roots ?? []);
      return [...c, ...Array<number>(3 - c.length).fill(0)];
    };
    const b = quadratic(zeroGroups[s]).map((c) => (s === 0 ? c * gain : c));
    return [...b, ...quadratic(group)];
  });
}
