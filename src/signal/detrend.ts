// scipy.signal.detrend: a signal less its mean ('constant') or less its
// least-squares line ('linear') along an axis. The spectral estimates take
// it per segment, so that a segment's offset or drift does not leak into the
// low frequencies. The line's slope is Σ(t − t̄)(x − x̄) / Σ(t − t̄)², with
// t − t̄ a constant vector, so both are a reduction and a product: every
// backend, and the gradient, from the ops.
import { tidy } from '../engine.js';
import { DTypeError, ValueError, formatValue } from '../errors.js';
import { isFloat } from '../dtype.js';
import { tensor } from '../ops/creation.js';
import { mean, sum } from '../ops/reduce.js';
import { moveaxis } from '../ops/axes.js';
import { castTo, inF32 } from '../ops/fft/pairs.js';
import { checkTensor, onBackendOf } from '../ops/util.js';
import { checkOptions, type OptionNames } from '../options.js';
import { normalizeAxis } from '../shape.js';
import type { Tensor } from '../tensor.js';

export type DetrendType = 'constant' | 'linear';

export interface DetrendOptions {
  /** The axis along which each signal runs (default −1). */
  axis?: number;
  /** 'linear' (the default, as scipy's): less the least-squares line; 'constant': less the mean. */
  type?: DetrendType;
}

const OPTIONS: OptionNames<DetrendOptions> = { axis: true, type: true };

/** Checks a detrend type, naming `op` (the spectral estimates take one too). */
export function checkDetrendType(op: string, type: unknown): DetrendType {
  if (type !== 'constant' && type !== 'linear') throw new ValueError(`${op}: detrend must be 'constant' or 'linear', got ${formatValue(type)}`);
  return type;
}

/** x (f32) less its mean or least-squares line along its last axis (no checks: the callers have made them). */
export function detrendLast(x: Tensor, type: DetrendType): Tensor {
  return tidy(() => {
    const centred = x.sub(mean(x, -1, { keepDims: true }));
    const n = x.shape[x.rank - 1];
    if (type === 'constant' || n < 2) return centred;
    // t − t̄ for t = 0 … n − 1; the slope's denominator Σ(t − t̄)² = n(n² − 1)/12.
    const t = Float32Array.from({ length: n }, (_, i) => i - (n - 1) / 2);
    const ramp = onBackendOf('detrend', x, () => tensor(t, [n]));
    const slope = sum(centred.mul(ramp), -1, { keepDims: true }).mul(12 / (n * (n * n - 1)));
    return centred.sub(slope.mul(ramp));
  });
}

/**
 * scipy.signal.detrend: x (f32 or f16) less its least-squares line along
 * `axis` (type 'linear', the default), or less its mean ('constant'); x's
 * dtype out. An f16 signal is detrended in f32 (the slope's sum
 * Σ(t − t̄)·x grows as n³ for a drift, past f16's 65504 from a few
 * hundred samples on) and rounded to f16 once. Differentiable in x.
 */
export function detrend(x: Tensor, options: DetrendOptions = {}): Tensor {
  checkTensor('detrend', x, 'x');
  const { axis = -1, type = 'linear' } = checkOptions('detrend', options, OPTIONS);
  checkDetrendType('detrend', type);
  if (!isFloat(x.dtype)) throw new DTypeError(`detrend: x must be f32 or f16, got ${x.dtype} (cast it: x.cast('f32'))`);
  const a = normalizeAxis('detrend', axis, x.rank);
  return tidy(() => castTo(moveaxis(detrendLast(moveaxis(inF32(x), a, -1), type), -1, a), x.dtype));
}
