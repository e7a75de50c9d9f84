// The public transforms of tm.fft, numpy.fft's and torch.fft's: fft/ifft
// (complex to complex), rfft/irfft (real to half spectrum and back), their
// 2-D and n-D forms. Each checks its operand and options, moves the axis it
// transforms next to the end (before a complex tensor's pair axis), views
// the rest as rows, crops or zero-pads to the length asked for, and hands the
// rows to dft.ts or real.ts; f16 computes in f32 and is cast back.
import { tidy } from '../../engine.js';
import { ShapeError, ValueError, formatShape, formatValue } from '../../errors.js';
import { checkOptions, type OptionNames } from '../../options.js';
import { normalizeAxis, sizeOf } from '../../shape.js';
import type { Tensor } from '../../tensor.js';
import { pad, reshape, slice, transpose } from '../movement.js';
import { conj } from './complex.js';
import { castTo, checkComplex, checkFloat, inF32 } from './pairs.js';
import { dft, type Sign } from './dft.js';
import { halfSpectrumToReal, realToHalfSpectrum } from './real.js';

/**
 * Where the 1/n of a transform and its inverse goes (numpy's norm):
 * 'backward' on the inverse (the default), 'forward' on the forward
 * transform, 'ortho' 1/√n on both (which makes them unitary).
 */
export type FftNorm = 'backward' | 'ortho' | 'forward';

export interface FftOptions {
  /** The transform's length: the axis cropped or zero-padded to it. Default the axis's length (for irfft, 2·(bins − 1)). */
  n?: number;
  /** The axis to transform; a complex tensor's count its complex axes (not the trailing pair). Default -1. */
  axis?: number;
  /** Default 'backward'. */
  norm?: FftNorm;
}

export interface FftnOptions {
  /** The transforms' lengths, one per axis of `axes` (see FftOptions.n). Default the axes' lengths. */
  s?: readonly number[];
  /** The axes to transform (complex axes for a complex tensor). Default all (fftn), the last s.length, or the last two (fft2 and its kin). */
  axes?: readonly number[];
  /** Default 'backward'. */
  norm?: FftNorm;
}

const FFT_OPTIONS: OptionNames<FftOptions> = { n: true, axis: true, norm: true };
const FFTN_OPTIONS: OptionNames<FftnOptions> = { s: true, axes: true, norm: true };

/** Which way a transform goes and what it takes and gives. */
type Kind = 'complex' | 'real to complex' | 'complex to real';

function checkNorm(op: string, norm: unknown): FftNorm {
  if (norm !== 'backward' && norm !== 'ortho' && norm !== 'forward') {
    throw new ValueError(`${op}: norm must be 'backward', 'ortho' or 'forward', got ${formatValue(norm)}`);
  }
  return norm;
}

/** The factor a transform of length n applies under `norm`. */
function normScale(norm: FftNorm, n: number, inverse: boolean): number {
  if (norm === 'ortho') return 1 / Math.sqrt(n);
  return (norm === 'forward') !== inverse ? 1 / n : 1;
}

/** The transform's length: n where given, else `fromAxis` (the axis's length, or irfft's 2·(bins − 1)) named in the error. */
function checkLength(op: string, n: unknown, fromAxis: string): number {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) {
    throw new ValueError(`${op}: the transform's length n must be a positive integer, got ${formatValue(n)}${fromAxis}`);
  }
  return n;
}

/** x [rows, m, ...] cropped or zero-padded along axis 1 to `length`. */
function fitLength(x: Tensor, length: number): Tensor {
  const m = x.shape[1];
  if (m === length) return x;
  if (m > length) return slice(x, x.shape.map(() => 0), [x.shape[0], length, ...x.shape.slice(2)]);
  return pad(x, x.shape.map((_, i) => (i === 1 ? [0, length - m] : [0, 0])));
}

/**
 * One 1-D transform of x along `axis` (normalized, of its signal axes: a
 * complex x's all but the pair), in f32: the axis moved last among the signal
 * axes, the others flattened into rows, `run` on [rows, length(, 2)], and
 * everything put back where it was.
 */
function alongAxis(x: Tensor, axis: number, kind: Kind, run: (rows: Tensor) => Tensor): Tensor {
  const complexIn = kind !== 'real to complex';
  const signal = x.rank - (complexIn ? 1 : 0);
  const order = [...Array(signal).keys()].filter((a) => a !== axis).concat(axis);
  const moved = axis === signal - 1 ? x : transpose(x, complexIn ? [...order, signal] : order);
  const lead = moved.shape.slice(0, signal - 1);
  const out = run(reshape(moved, [sizeOf(lead), ...moved.shape.slice(signal - 1)]));
  const back = reshape(out, [...lead, ...out.shape.slice(1)]);
  if (axis === signal - 1) return back;
  const inverse = order.map((_, i) => order.indexOf(i));
  return transpose(back, kind === 'complex to real' ? inverse : [...inverse, signal]);
}

/** A 1-D transform on a checked f32 x: the axis, its length and the scale settled here. */
function transform1d(op: string, x: Tensor, kind: Kind, sign: Sign, axis: number, n: number | undefined, norm: FftNorm): Tensor {
  const shape = x.shape;
  const where = (what: string) => (n === undefined ? ` (${what} axis ${axis} of ${formatShape(shape)})` : '');
  if (kind === 'complex to real') {
    const bins = shape[axis];
    const length = checkLength(op, n ?? 2 * (bins - 1), where(`2·(bins − 1) for the ${bins} bins of`));
    return alongAxis(x, axis, kind, (rows) => halfSpectrumToReal(fitLength(rows, Math.floor(length / 2) + 1), length, normScale(norm, length, true)));
  }
  const length = checkLength(op, n ?? shape[axis], where('the length of'));
  const scale = normScale(norm, length, sign === 1);
  if (kind === 'real to complex') return alongAxis(x, axis, kind, (rows) => realToHalfSpectrum(fitLength(rows, length), scale));
  return alongAxis(x, axis, kind, (rows) => dft(fitLength(rows, length), sign, scale));
}

/** The checked operand of a transform: complex with at least one complex axis, or real with at least one axis. */
function checkOperand(op: string, x: unknown, kind: Kind): Tensor {
  if (kind !== 'real to complex') return checkComplex(op, x, 'z', 1);
  const t = checkFloat(op, x, 'x');
  if (t.rank === 0) throw new ShapeError(`${op}: x must have an axis to transform, got a scalar ${formatShape(t.shape)}`);
  return t;
}

/**
 * hfft and ihfft are irfft and rfft the other way round: a Hermitian signal's
 * forward transform is n·irfft of its conjugate (real), a real signal's
 * inverse the conjugate of rfft/n. So they conjugate what is complex and put
 * the 1/n on the other side.
 */
const swapped = (norm: FftNorm): FftNorm => (norm === 'backward' ? 'forward' : norm === 'forward' ? 'backward' : norm);

/** `run` on f32 x with the norm it gets: hermitian (hfft's kin) conjugating the complex side and swapping the norm. */
function inDirection(x: Tensor, kind: Kind, norm: FftNorm, hermitian: boolean, run: (x: Tensor, norm: FftNorm) => Tensor): Tensor {
  if (!hermitian) return run(inF32(x), norm);
  if (kind === 'complex to real') return run(conj(inF32(x)), swapped(norm));
  return conj(run(inF32(x), swapped(norm)));
}

function oneAxis(op: string, x: Tensor, options: FftOptions | undefined, kind: Kind, sign: Sign, hermitian = false): Tensor {
  checkOperand(op, x, kind);
  const { n, axis = -1, norm = 'backward' } = checkOptions(op, options, FFT_OPTIONS);
  const signal = x.rank - (kind === 'real to complex' ? 0 : 1);
  const a = normalizeAxis(op, axis, signal);
  const checkedNorm = checkNorm(op, norm);
  return tidy(() => castTo(inDirection(x, kind, checkedNorm, hermitian, (y, scale) => transform1d(op, y, kind, sign, a, n, scale)), x.dtype));
}

/**
 * The discrete Fourier transform of complex z [..., 2] along one axis
 * (numpy.fft.fft, torch.fft.fft): y[k] = Σ_j z[j]·e^(−2πi·jk/n), complex.
 * `n` crops or zero-pads the axis first. Any n: composite sizes are
 * factorized (O(n log n) for smooth n), primes go through Bluestein's
 * algorithm. In f32 (f16 cast in and back), differentiable.
 */
export function fft(z: Tensor, options: FftOptions = {}): Tensor {
  return oneAxis('fft', z, options, 'complex', -1);
}

/** The inverse of fft (numpy.fft.ifft, torch.fft.ifft): Σ_k z[k]·e^(2πi·jk/n), divided by n under the default norm. */
export function ifft(z: Tensor, options: FftOptions = {}): Tensor {
  return oneAxis('ifft', z, options, 'complex', 1);
}

/**
 * The transform of real x along one axis (numpy.fft.rfft, torch.fft.rfft):
 * the n/2 + 1 (rounded down) bins of its spectrum that the others mirror,
 * complex [..., ⌊n/2⌋ + 1, ..., 2].
 */
export function rfft(x: Tensor, options: FftOptions = {}): Tensor {
  return oneAxis('rfft', x, options, 'real to complex', -1);
}

/**
 * The inverse of rfft (numpy.fft.irfft, torch.fft.irfft): the real signal of
 * length n (default 2·(bins − 1)) whose spectrum's first bins are complex z,
 * which is cropped or zero-padded to ⌊n/2⌋ + 1 bins first. The imaginary
 * parts of bin 0 and (n even) bin n/2 are ignored, as numpy does: a real
 * signal has none there.
 */
export function irfft(z: Tensor, options: FftOptions = {}): Tensor {
  return oneAxis('irfft', z, options, 'complex to real', 1);
}

/** Transforms along several axes: the last with `last` (rfft's and irfft's own), the others complex; hermitian as oneAxis. */
function manyAxes(op: string, x: Tensor, options: FftnOptions | undefined, kind: Kind, sign: Sign, defaultAxes: 'all' | 'last two', hermitian = false): Tensor {
  checkOperand(op, x, kind);
  const { s, axes, norm = 'backward' } = checkOptions(op, options, FFTN_OPTIONS);
  const signal = x.rank - (kind === 'real to complex' ? 0 : 1);
  if (s !== undefined && !Array.isArray(s)) throw new ValueError(`${op}: s must be an array of lengths, got ${formatValue(s)}`);
  if (axes !== undefined && !Array.isArray(axes)) throw new ValueError(`${op}: axes must be an array of axes, got ${formatValue(axes)}`);
  const count = axes?.length ?? s?.length ?? (defaultAxes === 'all' ? signal : 2);
  const chosen = (axes ?? Array.from({ length: count }, (_, i) => i - count)).map((a) => normalizeAxis(op, a, signal));
  if (new Set(chosen).size !== chosen.length) throw new ValueError(`${op}: axes ${formatValue(axes)} name an axis twice`);
  if (s !== undefined && s.length !== chosen.length) throw new ValueError(`${op}: s ${formatValue(s)} and axes ${formatValue(chosen)} differ in length`);
  if (chosen.length === 0) throw new ValueError(`${op}: needs an axis to transform, got axes ${formatValue(axes)}`);
  const checkedNorm = checkNorm(op, norm);
  return tidy(() => castTo(inDirection(x, kind, checkedNorm, hermitian, (y, scale) => {
    const last = chosen.length - 1;
    // numpy's order: rfftn's real axis (the last) first, irfftn's last, the complex ones in between.
    if (kind === 'real to complex') y = transform1d(op, y, kind, sign, chosen[last], s?.[last], scale);
    const complexAxes = kind === 'complex' ? chosen.keys() : [...chosen.keys()].slice(0, -1);
    for (const i of [...complexAxes].reverse()) y = transform1d(op, y, 'complex', sign, chosen[i], s?.[i], scale);
    if (kind === 'complex to real') y = transform1d(op, y, kind, sign, chosen[last], s?.[last], scale);
    return y;
  }), x.dtype));
}

/** fft along several axes of complex z (numpy.fft.fftn): all of them by default. */
export function fftn(z: Tensor, options: FftnOptions = {}): Tensor {
  return manyAxes('fftn', z, options, 'complex', -1, 'all');
}

/** ifft along several axes of complex z (numpy.fft.ifftn): all of them by default. */
export function ifftn(z: Tensor, options: FftnOptions = {}): Tensor {
  return manyAxes('ifftn', z, options, 'complex', 1, 'all');
}

/** rfft along the last of `axes` of real x, then fft along the others (numpy.fft.rfftn): all of them by default. */
export function rfftn(x: Tensor, options: FftnOptions = {}): Tensor {
  return manyAxes('rfftn', x, options, 'real to complex', -1, 'all');
}

/** The inverse of rfftn (numpy.fft.irfftn): ifft along all of `axes` but the last, then irfft along it. */
export function irfftn(z: Tensor, options: FftnOptions = {}): Tensor {
  return manyAxes('irfftn', z, options, 'complex to real', 1, 'all');
}

/** fftn over the last two complex axes by default (numpy.fft.fft2): an image's spectrum. */
export function fft2(z: Tensor, options: FftnOptions = {}): Tensor {
  return manyAxes('fft2', z, options, 'complex', -1, 'last two');
}

/** ifftn over the last two complex axes by default (numpy.fft.ifft2). */
export function ifft2(z: Tensor, options: FftnOptions = {}): Tensor {
  return manyAxes('ifft2', z, options, 'complex', 1, 'last two');
}

/** rfftn over the last two axes by default (numpy.fft.rfft2). */
export function rfft2(x: Tensor, options: FftnOptions = {}): Tensor {
  return manyAxes('rfft2', x, options, 'real to complex', -1, 'last two');
}

/** irfftn over the last two complex axes by default (numpy.fft.irfft2). */
export function irfft2(z: Tensor, options: FftnOptions = {}): Tensor {
  return manyAxes('irfft2', z, options, 'complex to real', 1, 'last two');
}

/**
 * The transform of a signal with Hermitian symmetry, given by its first
 * half (torch.fft.hfft, numpy.fft.hfft): complex z [..., bins, ..., 2] → the
 * real spectrum of length n (default 2·(bins − 1)) along `axis`, the
 * forward transform (no 1/n under the default norm). irfft's conjugate
 * counterpart: irfft(conj(z)) with the norm's 1/n on the other side.
 */
export function hfft(z: Tensor, options: FftOptions = {}): Tensor {
  return oneAxis('hfft', z, options, 'complex to real', 1, true);
}

/** The inverse of hfft (torch.fft.ihfft, numpy.fft.ihfft): real x → the ⌊n/2⌋ + 1 bins of its inverse transform, conj(rfft(x))/n under the default norm. */
export function ihfft(x: Tensor, options: FftOptions = {}): Tensor {
  return oneAxis('ihfft', x, options, 'real to complex', -1, true);
}

/** hfft along several axes (torch.fft.hfftn): the last of `axes` the Hermitian half, all axes by default. */
export function hfftn(z: Tensor, options: FftnOptions = {}): Tensor {
  return manyAxes('hfftn', z, options, 'complex to real', 1, 'all', true);
}

/** The inverse of hfftn (torch.fft.ihfftn): the last of `axes` halved. */
export function ihfftn(x: Tensor, options: FftnOptions = {}): Tensor {
  return manyAxes('ihfftn', x, options, 'real to complex', -1, 'all', true);
}

/** hfftn over the last two axes by default (torch.fft.hfft2). */
export function hfft2(z: Tensor, options: FftnOptions = {}): Tensor {
  return manyAxes('hfft2', z, options, 'complex to real', 1, 'last two', true);
}

/** ihfftn over the last two axes by default (torch.fft.ihfft2). */
export function ihfft2(x: Tensor, options: FftnOptions = {}): Tensor {
  return manyAxes('ihfft2', x, options, 'real to complex', -1, 'last two', true);
}
