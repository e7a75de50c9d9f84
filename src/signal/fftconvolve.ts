// scipy.signal.fftconvolve and hilbert: convolution of n-D arrays along
// chosen axes as a product of real spectra (rfftn at a fast length ≥ the
// full size, then irfftn and a crop), and the analytic signal of a real one
// (its spectrum's negative frequencies zeroed, the positive ones doubled).
// Composed of tm.fft's transforms, so every backend runs them and autograd
// differentiates them.
import { tidy } from '../engine.js';
import { ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { complex, imag, real } from '../ops/fft/complex.js';
import { fft, ifft, irfftn, rfftn } from '../ops/fft/transforms.js';
import { fastLength, type ConvolveMode } from '../ops/convolve.js';
import { add, mul, sub } from '../ops/elementwise.js';
import { along } from '../ops/indexing.js';
import { cast } from '../ops/cast.js';
import { checkTensor, onBackendOf } from '../ops/util.js';
import { tensor } from '../ops/creation.js';
import { checkOptions, type OptionNames } from '../options.js';
import { normalizeAxis } from '../shape.js';
import type { Tensor } from '../tensor.js';

export interface FftconvolveOptions {
  /** 'full' (default): every overlap, N + M − 1 along each axis; 'same': in1's size, centred; 'valid': |N − M| + 1, where one covers the other. */
  mode?: ConvolveMode;
  /** The axes to convolve along (default all); along the others the two broadcast. */
  axes?: readonly number[];
}

const FFTCONVOLVE_OPTIONS: OptionNames<FftconvolveOptions> = { mode: true, axes: true };

/**
 * The convolution of in1 and in2 along `axes` (scipy.signal.fftconvolve),
 * both of one rank, by FFT: O(L log L) for sizes where the direct sum would
 * be O(N·M). 'same' keeps in1's size, centred on the full result as SciPy
 * centres it; 'valid' needs one of the two at least as large as the other
 * along every convolved axis. In f32 (f16 where both are f16); rounding
 * spreads ~1e-7 of the largest values over the result, small ones
 * included. Differentiable in both.
 */
export function fftconvolve(in1: Tensor, in2: Tensor, options: FftconvolveOptions = {}): Tensor {
  const op = 'fftconvolve';
  checkTensor(op, in1, 'in1');
  checkTensor(op, in2, 'in2');
  const { mode = 'full', axes } = checkOptions(op, options, FFTCONVOLVE_OPTIONS);
  if (mode !== 'full' && mode !== 'same' && mode !== 'valid') throw new ValueError(`${op}: mode must be 'full', 'same' or 'valid', got ${formatValue(mode)}`);
  const shapes = `in1 ${formatShape(in1.shape)} and in2 ${formatShape(in2.shape)}`;
  if (in1.rank !== in2.rank || in1.rank === 0) throw new ShapeError(`${op}: ${shapes} must have one rank, at least 1`);
  if (axes !== undefined && !Array.isArray(axes)) throw new ValueError(`${op}: axes must be an array of axes, got ${formatValue(axes)}`);
  const chosen = (axes ?? in1.shape.map((_, i) => i)).map((a) => normalizeAxis(op, a, in1.rank));
  if (new Set(chosen).size !== chosen.length || chosen.length === 0) throw new ValueError(`${op}: axes ${formatValue(axes)} must name distinct axes, at least one`);
  in1.shape.forEach((d, i) => {
    const e = in2.shape[i];
    if (d === 0 || e === 0) throw new ShapeError(`${op}: ${shapes} must not be empty`);
    if (!chosen.includes(i) && d !== e && d !== 1 && e !== 1) throw new ShapeError(`${op}: ${shapes} do not broadcast along axis ${i}, which is not convolved (${d} against ${e})`);
  });
  if (mode === 'valid') {
    const first = chosen.every((a) => in1.shape[a] >= in2.shape[a]);
    const second = chosen.every((a) => in2.shape[a] >= in1.shape[a]);
    if (!first && !second) throw new ShapeError(`${op}: for mode 'valid' one of ${shapes} must be at least as large as the other along every convolved axis`);
  }
  const dtype = in1.dtype === 'f16' && in2.dtype === 'f16' ? 'f16' : 'f32';
  return tidy(() => {
    const [a, b] = [in1, in2].map((t) => (t.dtype === 'f32' ? t : cast(t, 'f32')));
    const full = chosen.map((ax) => in1.shape[ax] + in2.shape[ax] - 1);
    const s = full.map(fastLength);
    const [fa, fb] = [rfftn(a, { s, axes: chosen }), rfftn(b, { s, axes: chosen })];
    const [ar, ai, br, bi] = [real(fa), imag(fa), real(fb), imag(fb)];
    let y = irfftn(complex(sub(mul(ar, br), mul(ai, bi)), add(mul(ar, bi), mul(ai, br))), { s, axes: chosen });
    chosen.forEach((ax, i) => {
      const [n, m] = [in1.shape[ax], in2.shape[ax]];
      if (mode === 'full') y = along(y, ax, 0, full[i]);
      else if (mode === 'same') y = along(y, ax, (full[i] - n) >> 1, n);
      else y = along(y, ax, Math.min(n, m) - 1, Math.abs(n - m) + 1);
    });
    return y.dtype === dtype ? y : cast(y, dtype);
  });
}

export interface HilbertOptions {
  /** The transform's length: x cropped or zero-padded to it along the axis (default the axis's length). */
  n?: number;
  /** Default −1. */
  axis?: number;
}

/**
 * The analytic signal of real x along `axis` (scipy.signal.hilbert): x +
 * i·H(x), H the Hilbert transform, as complex pairs [..., n, ..., 2] in
 * tm.fft's layout — its real part x itself, its modulus x's envelope. From
 * the FFT: bin 0 (and n/2 for even n) kept, the positive frequencies
 * doubled, the negative ones zeroed. In f32; differentiable.
 */
export function hilbert(x: Tensor, options: HilbertOptions = {}): Tensor {
  const op = 'hilbert';
  checkTensor(op, x);
  const { n, axis = -1 } = checkOptions(op, options, { n: true, axis: true });
  if (x.rank === 0) throw new ShapeError(`${op}: x must have an axis to transform, got a scalar`);
  const a = normalizeAxis(op, axis, x.rank);
  const length = n ?? x.shape[a];
  if (!Number.isSafeInteger(length) || length < 1) throw new ValueError(`${op}: n must be a positive integer, got ${formatValue(n ?? length)}`);
  return tidy(() => {
    const f = x.dtype === 'f32' ? x : cast(x, 'f32');
    const spectrum = fft(complex(f), { n: length, axis: a });
    const h = Float32Array.from({ length }, (_, k) => (k === 0 || 2 * k === length ? 1 : 2 * k < length ? 2 : 0));
    // h along the transformed axis, broadcast over the others and the (re, im) pair.
    const shape = [...x.shape.map((d, i) => (i === a ? length : 1)), 1];
    const weights = onBackendOf(op, x, () => tensor(h, shape));
    return ifft(mul(spectrum, weights), { axis: a });
  });
}
