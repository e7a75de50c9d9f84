// NumPy's convolve and correlate of two 1-D sequences. The full
// convolution (length N + M − 1) is conv1d's cross-correlation with the
// kernel reversed and M − 1 zeros at each end — the convolution kernels of
// every backend, and their gradients — or, once both sequences are longer
// than DIRECT_LIMIT, the product of their real spectra (rfft, O(L log L)
// where the direct sum is O(N·M)); 'same' and 'valid' are slices of it, as
// NumPy centres them. scipy.signal.fftconvolve's n-D form is in
// src/signal/fftconvolve.ts.
import { tidy } from '../engine.js';
import { ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { floatDTypeOf } from '../dtype.js';
import { checkOptions, type OptionNames } from '../options.js';
import type { Tensor } from '../tensor.js';
import { cast } from './cast.js';
import { conv1d } from './conv.js';
import { irfft, rfft } from './fft/transforms.js';
import { imag, real, complex } from './fft/complex.js';
import { add, mul, sub } from './elementwise.js';
import { along } from './indexing.js';
import { flip, reshape } from './movement.js';
import { checkTensor } from './util.js';

/** What part of the full convolution to keep: all N + M − 1 values, the max(N, M) central ones, or the |N − M| + 1 where the two overlap fully. */
export type ConvolveMode = 'full' | 'same' | 'valid';

export interface ConvolveOptions {
  /** Default 'full' for convolve, 'valid' for correlate (NumPy's defaults). */
  mode?: ConvolveMode;
  /** 'auto' (default): direct below DIRECT_LIMIT, by FFT above it; or either one. */
  method?: 'auto' | 'direct' | 'fft';
}

const OPTIONS: OptionNames<ConvolveOptions> = { mode: true, method: true };

/** Past this many values in both sequences, 'auto' convolves through the FFT. */
export const DIRECT_LIMIT = 128;

/** The smallest n' ≥ n whose prime factors are 2, 3 and 5: a length the FFT takes in few passes. */
export function fastLength(n: number): number {
  for (let m = n; ; m++) {
    let r = m;
    for (const p of [2, 3, 5]) while (r % p === 0) r /= p;
    if (r === 1) return m;
  }
}

/** The full convolution of f32 vectors a [n] and v [m] (n + m − 1 values). */
function fullConvolution(a: Tensor, v: Tensor, fft: boolean): Tensor {
  const [n, m] = [a.size, v.size];
  if (!fft) return reshape(conv1d(reshape(a, [1, 1, n]), reshape(flip(v, 0), [1, 1, m]), { padding: m - 1 }), [n + m - 1]);
  const length = fastLength(n + m - 1);
  const [sa, sv] = [rfft(a, { n: length }), rfft(v, { n: length })];
  const [ar, ai, vr, vi] = [real(sa), imag(sa), real(sv), imag(sv)];
  const product = complex(sub(mul(ar, vr), mul(ai, vi)), add(mul(ar, vi), mul(ai, vr)));
  return along(irfft(product, { n: length }), 0, 0, n + m - 1);
}

function convolution(op: string, a: Tensor, v: Tensor, options: ConvolveOptions, reverse: boolean, defaultMode: ConvolveMode): Tensor {
  checkTensor(op, a, 'a');
  checkTensor(op, v, 'v');
  const { mode = defaultMode, method = 'auto' } = checkOptions(op, options, OPTIONS);
  if (mode !== 'full' && mode !== 'same' && mode !== 'valid') throw new ValueError(`${op}: mode must be 'full', 'same' or 'valid', got ${formatValue(mode)}`);
  if (method !== 'auto' && method !== 'direct' && method !== 'fft') throw new ValueError(`${op}: method must be 'auto', 'direct' or 'fft', got ${formatValue(method)}`);
  if (a.rank !== 1 || v.rank !== 1) throw new ShapeError(`${op}: a ${formatShape(a.shape)} and v ${formatShape(v.shape)} must be vectors (1-D)`);
  if (a.size === 0 || v.size === 0) throw new ShapeError(`${op}: a ${formatShape(a.shape)} and v ${formatShape(v.shape)} must not be empty (NumPy refuses them too)`);
  const dtype = floatDTypeOf(a.dtype === v.dtype ? a.dtype : 'f32');
  // NumPy's correlate of a v longer than a is that of v with a, reversed: its 'same' centres it the other way.
  if (reverse && v.size > a.size) return tidy(() => flip(convolution(op, v, a, { mode, method }, true, defaultMode), 0));
  return tidy(() => {
    const [fa, fv] = [a, v].map((t) => (t.dtype === 'f32' ? t : cast(t, 'f32')));
    const kernel = reverse ? flip(fv, 0) : fv;
    const fft = method === 'fft' || (method === 'auto' && Math.min(a.size, v.size) > DIRECT_LIMIT);
    const full = fullConvolution(fa, kernel, fft);
    const [long, short] = [Math.max(a.size, v.size), Math.min(a.size, v.size)];
    const kept = mode === 'full' ? full : mode === 'same' ? along(full, 0, (short - 1) >> 1, long) : along(full, 0, short - 1, long - short + 1);
    return kept.dtype === dtype ? kept : cast(kept, dtype);
  });
}

/**
 * The discrete convolution of vectors a [N] and v [M] (np.convolve):
 * (a ∗ v)[k] = Σᵢ a[i]·v[k − i]. mode 'full' (the default) gives all N + M
 * − 1 values, 'same' the max(N, M) central ones (NumPy's centring),
 * 'valid' the |N − M| + 1 where one covers the other. Direct (conv1d's
 * kernels) while either is at most 128 long, else by FFT (`method` forces
 * either). In f32 (f16 where both are f16; ints give f32). Differentiable
 * in both.
 */
export function convolve(a: Tensor, v: Tensor, options: ConvolveOptions = {}): Tensor {
  return convolution('convolve', a, v, options, false, 'full');
}

/**
 * The cross-correlation of vectors a [N] and v [M] (np.correlate for real
 * inputs): c[k] = Σₙ a[n + k]·v[n], which is convolve(a, v reversed).
 * mode 'valid' by default (NumPy's), or 'same' or 'full' as convolve's.
 * Differentiable in both.
 */
export function correlate(a: Tensor, v: Tensor, options: ConvolveOptions = {}): Tensor {
  return convolution('correlate', a, v, options, true, 'valid');
}
