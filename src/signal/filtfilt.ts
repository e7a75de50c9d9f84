// Zero-phase filtering, as scipy.signal.filtfilt (its default method,
// 'pad'): the signal extended at both ends (by default its odd reflection
// about each end sample, 3·max(len(a), len(b)) samples), filtered forward
// from the steady state of a step of the first sample (lfilter_zi scaled
// by it), then backward the same way, and the extension cut off. The
// forward and backward passes cancel each other's phase; the magnitude
// response is squared. lfilterZi solves the small steady-state system on
// the host, which is why the coefficients here are numbers.
import { tidy } from '../engine.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { isFloat } from '../dtype.js';
import { moveaxis } from '../ops/axes.js';
import { tensor } from '../ops/creation.js';
import { inF32 } from '../ops/fft/pairs.js';
import { concat, flip, pad, reshape, slice } from '../ops/movement.js';
import { checkTensor, onBackendOf } from '../ops/util.js';
import { checkOptions, type OptionNames } from '../options.js';
import { normalizeAxis } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { coefficientValues, lfilter } from './lfilter.js';

/** Numbers a filter is given by on the host. */
export type CoefficientValues = readonly number[] | Float32Array | Float64Array;

export interface FiltfiltOptions {
  /** The axis along which each signal runs (default −1). */
  axis?: number;
  /** How the signal is extended at each end: 'odd' (default), 'even' (a mirror image), 'constant' (the end sample), or null (not at all). */
  padtype?: 'odd' | 'even' | 'constant' | null;
  /** Samples added at each end (default 3·max(len(a), len(b)); 0 with padtype null), fewer than the signal's. */
  padlen?: number;
}

const OPTIONS: OptionNames<FiltfiltOptions> = { axis: true, padtype: true, padlen: true };

/**
 * scipy.signal.lfilter_zi: the initial state of lfilter's transposed direct
 * form II for which a step input of 1 gives a steady output from the start
 * (scale it by a signal's first value). max(len(a), len(b)) − 1 values.
 */
export function lfilterZi(b: CoefficientValues, a: CoefficientValues): number[] {
  let bs = coefficientValues('lfilterZi', 'b', b);
  let as = coefficientValues('lfilterZi', 'a', a);
  while (as.length > 1 && as[0] === 0) as = as.slice(1);
  if (as[0] === 0) throw new ValueError('lfilterZi: a has no coefficient other than 0');
  [bs, as] = [bs.map((v) => v / as[0]), as.map((v) => v / as[0])];
  const n = Math.max(as.length, bs.length);
  const padded = (c: number[]) => [...c, ...Array<number>(n - c.length).fill(0)];
  [bs, as] = [padded(bs), padded(as)];
  const m = n - 1;
  // (I − Cᵀ)·zi = b[1:] − a[1:]·b[0], C the companion matrix of a (first row −a[1:], ones below the diagonal).
  const system = Array.from({ length: m }, (_, i) => Array.from({ length: m }, (_, j) => (i === j ? 1 : 0) - (j === 0 ? -as[i + 1] : i === j - 1 ? 1 : 0)));
  const rhs = Array.from({ length: m }, (_, i) => bs[i + 1] - as[i + 1] * bs[0]);
  return solveSmall(system, rhs);
}

/** A small dense system by Gaussian elimination with partial pivoting, float64. */
function solveSmall(m: number[][], rhs: number[]): number[] {
  const n = rhs.length;
  const rows = m.map((row, i) => [...row, rhs[i]]);
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(rows[i][k]) > Math.abs(rows[p][k])) p = i;
    if (rows[p][k] === 0) throw new ValueError('lfilterZi: the filter has a pole at z = 1, so a step has no steady state');
    [rows[k], rows[p]] = [rows[p], rows[k]];
    for (let i = k + 1; i < n; i++) {
      const f = rows[i][k] / rows[k][k];
      for (let j = k; j <= n; j++) rows[i][j] -= f * rows[k][j];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let s = rows[i][n];
    for (let j = i + 1; j < n; j++) s -= rows[i][j] * x[j];
    x[i] = s / rows[i][i];
  }
  return x;
}

/**
 * scipy.signal.filtfilt(b, a, x, axis, padtype, padlen): x (real, f32 or
 * f16) filtered forward and backward along `axis`, with no phase shift;
 * f32, x's shape. Differentiable in x.
 */
export function filtfilt(b: CoefficientValues, a: CoefficientValues, x: Tensor, options: FiltfiltOptions = {}): Tensor {
  const opts = checkOptions('filtfilt', options, OPTIONS);
  const bs = coefficientValues('filtfilt', 'b', b);
  const as = coefficientValues('filtfilt', 'a', a);
  const zi = lfilterZi(bs, as);
  return forwardBackward('filtfilt', x, opts, Math.max(bs.length, as.length), (signal, first) => {
    const state = onBackendOf('filtfilt', x, () => tensor(Float32Array.from(zi), [1, zi.length]));
    return lfilter(bs, as, signal, { zi: state.mul(first) });
  });
}

/**
 * What filtfilt and sosfiltfilt share: x checked and extended (padtype,
 * padlen, default 3·taps), `run` forward over each signal [rows, n] from its
 * steady state scaled by `first` [rows, 1] (the signal's first sample), then
 * backward the same way, and the extension cut off.
 */
export function forwardBackward(op: string, x: Tensor, opts: FiltfiltOptions, taps: number, run: (signal: Tensor, first: Tensor) => Tensor): Tensor {
  checkTensor(op, x, 'x');
  if (!isFloat(x.dtype)) throw new DTypeError(`${op}: x must be f32 or f16, got ${x.dtype} (cast it: x.cast('f32'))`);
  if (x.rank === 0) throw new ShapeError(`${op}: x must have an axis of samples, got a scalar`);
  const axis = normalizeAxis(op, opts.axis ?? -1, x.rank);
  const padtype = opts.padtype === undefined ? 'odd' : opts.padtype;
  if (padtype !== null && !['odd', 'even', 'constant'].includes(padtype)) throw new ValueError(`${op}: padtype must be 'odd', 'even', 'constant' or null, got ${formatValue(padtype)}`);
  const padlen = padtype === null ? 0 : opts.padlen ?? 3 * taps;
  if (!Number.isSafeInteger(padlen) || padlen < 0) throw new ValueError(`${op}: padlen must be an integer ≥ 0, got ${formatValue(padlen)}`);
  const n = x.shape[axis];
  if (n <= padlen) throw new ShapeError(`${op}: x ${formatShape(x.shape)} has ${n} samples along axis ${opts.axis ?? -1}; the padding needs more than padlen = ${padlen}`);
  return tidy(() => {
    const signal = moveaxis(inF32(x), axis, -1);
    const batch = signal.shape.slice(0, -1);
    const rows = batch.reduce((p, d) => p * d, 1);
    const flat = reshape(signal, [rows, n]);
    const ext = padlen === 0 || padtype === null ? flat : extended(flat, padtype, padlen);
    const len = ext.shape[1];
    const edge = (t: Tensor, at: number) => slice(t, [0, at], [rows, 1]);
    const forward = run(ext, edge(ext, 0));
    const backward = flip(run(flip(forward, 1), edge(forward, len - 1)), 1);
    const y = padlen === 0 ? backward : slice(backward, [0, padlen], [rows, n]);
    return moveaxis(reshape(y, [...batch, n]), -1, axis);
  });
}

/** x [rows, n] extended by padlen at each end: odd (2·end − mirror), even (mirror) or constant (the end sample). */
function extended(x: Tensor, padtype: 'odd' | 'even' | 'constant', padlen: number): Tensor {
  const [rows, n] = x.shape;
  if (padtype !== 'odd') return pad(x, [[0, 0], [padlen, padlen]], { mode: padtype === 'even' ? 'reflect' : 'replicate' });
  // x[padlen], …, x[1] before and x[n − 2], …, x[n − 1 − padlen] after, each turned about its end sample.
  const before = flip(slice(x, [0, 1], [rows, padlen]), 1);
  const after = flip(slice(x, [0, n - 1 - padlen], [rows, padlen]), 1);
  const first = slice(x, [0, 0], [rows, 1]);
  const last = slice(x, [0, n - 1], [rows, 1]);
  return concat([first.mul(2).sub(before), x, last.mul(2).sub(after)], 1);
}
