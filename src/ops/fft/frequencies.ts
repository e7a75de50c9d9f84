// The frequencies a transform's bins stand for and the shifts that put the
// zero frequency in the middle (numpy.fft.fftfreq, rfftfreq, fftshift,
// ifftshift). The frequencies are computed on the host in float64; the
// shifts are rolls.
import { ValueError, formatValue } from '../../errors.js';
import { normalizeAxis } from '../../shape.js';
import type { Tensor } from '../../tensor.js';
import { tensor } from '../creation.js';
import { roll } from '../indexing.js';
import { checkTensor } from '../util.js';

function checkSpacing(op: string, n: unknown, d: unknown): void {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) throw new ValueError(`${op}: n must be a positive integer, got ${formatValue(n)}`);
  if (typeof d !== 'number' || !Number.isFinite(d) || d === 0) throw new ValueError(`${op}: the sample spacing d must be a finite nonzero number, got ${formatValue(d)}`);
}

/**
 * The frequency of each bin of an n-point fft with samples d apart
 * (numpy.fft.fftfreq): [0, 1, ..., ⌈n/2⌉ − 1, −⌊n/2⌋, ..., −1] / (d·n), f32 [n].
 */
export function fftfreq(n: number, d = 1): Tensor {
  checkSpacing('fftfreq', n, d);
  const positive = Math.ceil(n / 2);
  return tensor(Float32Array.from({ length: n }, (_, k) => (k < positive ? k : k - n) / (d * n)), [n]);
}

/** The frequency of each bin of an n-point rfft (numpy.fft.rfftfreq): [0, 1, ..., ⌊n/2⌋] / (d·n), f32 [⌊n/2⌋ + 1]. */
export function rfftfreq(n: number, d = 1): Tensor {
  checkSpacing('rfftfreq', n, d);
  const bins = Math.floor(n / 2) + 1;
  return tensor(Float32Array.from({ length: bins }, (_, k) => k / (d * n)), [bins]);
}

/** x rolled along `axes` (all by default) by ⌊n/2⌋ or, undoing it, −⌊n/2⌋. */
function shift(op: string, x: Tensor, axes: number | readonly number[] | undefined, direction: 1 | -1): Tensor {
  checkTensor(op, x);
  const list = axes === undefined ? [...x.shape.keys()] : typeof axes === 'number' ? [axes] : axes;
  if (!Array.isArray(list)) throw new ValueError(`${op}: axes must be an integer or an array of integers, got ${formatValue(axes)}`);
  const normalized = list.map((a: number) => normalizeAxis(op, a, x.rank));
  return roll(x, normalized.map((a) => direction * Math.floor(x.shape[a] / 2)), normalized);
}

/**
 * x with the zero-frequency bin moved to the middle of each of `axes`
 * (numpy.fft.fftshift): a roll by ⌊n/2⌋. All axes by default, as numpy's;
 * for a complex tensor name its complex axes, or the roll swaps each
 * (real, imaginary) pair along the last axis too.
 */
export function fftshift(x: Tensor, axes?: number | readonly number[]): Tensor {
  return shift('fftshift', x, axes, 1);
}

/** The inverse of fftshift (numpy.fft.ifftshift): a roll by −⌊n/2⌋, which differs from fftshift's for odd n. */
export function ifftshift(x: Tensor, axes?: number | readonly number[]): Tensor {
  return shift('ifftshift', x, axes, -1);
}
