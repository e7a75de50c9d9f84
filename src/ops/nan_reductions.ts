// Reductions that leave NaN out (np.nansum, nanmean, nanprod, nanmax,
// nanmin, nanvar, nanstd; torch.nansum, nanmean): each NaN entry replaced
// by what changes nothing (0 in a sum, 1 in a product, ∓∞ in a max or min)
// and not counted in a mean, so its gradient is 0. A slice with nothing
// but NaN gives NumPy's answer: 0 and 1 for the sum and product, NaN for
// the rest. fmax and fmin are their elementwise kin: the larger (smaller)
// of two, a NaN beside a number ignored.
import { tidy } from '../engine.js';
import { isFloat } from '../dtype.js';
import { ValueError, formatValue } from '../errors.js';
import { checkOptions } from '../options.js';
import { cast } from './cast.js';
import type { Tensor } from '../tensor.js';
import { div, equal, maximum, minimum, sqrt, square, sub, where } from './elementwise.js';
import { isNaN, logicalNot } from './logical.js';
import { max, mean, min, prod, sum, type ReduceOptions, type VarianceOptions } from './reduce.js';
import { checkTensor, withTensors } from './util.js';
import type { TensorLike } from '../tensor.js';

type Axes = number | readonly number[];

/** sum over `axes` (all by default) with NaN counted as 0; an all-NaN sum is 0. Ints (no NaN) sum as sum does. */
export function nansum(x: Tensor, axes?: Axes, options: ReduceOptions = {}): Tensor {
  checkTensor('nansum', x);
  if (!isFloat(x.dtype)) return sum(x, axes, options);
  return tidy(() => sum(where(isNaN(x), 0, x), axes, options));
}

/** mean over `axes` (all by default) of the values that are not NaN; NaN where every one is (0/0), as NumPy gives. */
export function nanmean(x: Tensor, axes?: Axes, options: ReduceOptions = {}): Tensor {
  checkTensor('nanmean', x);
  if (!isFloat(x.dtype)) return mean(x, axes, options);
  // f16 in f32: a count past 2048 is not a whole number in f16, nor a sum past 65504 finite.
  return tidy(() => {
    const wide = x.dtype === 'f16' ? cast(x, 'f32') : x;
    const m = div(nansum(wide, axes, options), sum(cast(logicalNot(isNaN(wide)), 'f32'), axes, options));
    return x.dtype === 'f16' ? cast(m, 'f16') : m;
  });
}

/** prod over `axes` (all by default) with NaN counted as 1; an all-NaN product is 1. Ints as prod. */
export function nanprod(x: Tensor, axes?: Axes, options: ReduceOptions = {}): Tensor {
  checkTensor('nanprod', x);
  if (!isFloat(x.dtype)) return prod(x, axes, options);
  return tidy(() => prod(where(isNaN(x), 1, x), axes, options));
}

/** How many entries over `axes` are not NaN, in f32. */
function countNumbers(x: Tensor, axes: Axes | undefined, options: ReduceOptions): Tensor {
  return sum(cast(logicalNot(isNaN(x)), 'f32'), axes, options);
}

/** The largest value over `axes` (all by default) that is not NaN; NaN where every one is, as NumPy gives. Ints as max. */
export function nanmax(x: Tensor, axes?: Axes, options: ReduceOptions = {}): Tensor {
  checkTensor('nanmax', x);
  if (!isFloat(x.dtype)) return max(x, axes, options);
  return tidy(() => where(equal(countNumbers(x, axes, options), 0), NaN, max(where(isNaN(x), -Infinity, x), axes, options)));
}

/** The smallest value over `axes` (all by default) that is not NaN; NaN where every one is. Ints as min. */
export function nanmin(x: Tensor, axes?: Axes, options: ReduceOptions = {}): Tensor {
  checkTensor('nanmin', x);
  if (!isFloat(x.dtype)) return min(x, axes, options);
  return tidy(() => where(equal(countNumbers(x, axes, options), 0), NaN, min(where(isNaN(x), Infinity, x), axes, options)));
}

/**
 * The variance over `axes` (all by default) of the values that are not NaN
 * (np.nanvar): Σ(x − nanmean)² / (count − correction), correction 0 by
 * default as NumPy's ddof; a count not above the correction leaves
 * nothing to divide by: ∞ (NaN where every value is the mean, or none is
 * left). f16 in f32; ints read as f32.
 */
export function nanvar(x: Tensor, axes?: Axes, options: VarianceOptions = {}): Tensor {
  checkTensor('nanvar', x);
  const { keepDims = false, correction = 0 } = checkOptions('nanvar', options, { keepDims: 'boolean', correction: true });
  if (typeof correction !== 'number' || !Number.isFinite(correction) || correction < 0) {
    throw new ValueError(`nanvar: correction must be a finite number ≥ 0, got ${formatValue(correction)}`);
  }
  return tidy(() => {
    const wide = x.dtype === 'f32' ? x : cast(x, 'f32');
    const deviations = square(sub(wide, nanmean(wide, axes, { keepDims: true })));
    const v = div(nansum(deviations, axes, { keepDims }), maximum(sub(countNumbers(wide, axes, { keepDims }), correction), 0));
    return x.dtype === 'f16' ? cast(v, 'f16') : v;
  });
}

/** √nanvar: the standard deviation of the values that are not NaN (np.nanstd). */
export function nanstd(x: Tensor, axes?: Axes, options: VarianceOptions = {}): Tensor {
  return tidy(() => sqrt(nanvar(x, axes, options)));
}

/** a or b, whichever `pick` says, except that a NaN beside a number gives the number; NaN only where both are. */
function ignoringNaN(op: string, a: TensorLike, b: TensorLike, pick: (x: Tensor, y: Tensor) => Tensor): Tensor {
  return withTensors(op, a, b, (x, y) => {
    if (!isFloat(x.dtype) && !isFloat(y.dtype)) return pick(x, y);
    return tidy(() => where(isNaN(y), x, where(isNaN(x), y, pick(x, y))));
  });
}

/** The larger of a and b, elementwise and broadcast (torch.fmax, np.fmax): where one is NaN, the other; NaN only where both are. */
export function fmax(a: TensorLike, b: TensorLike): Tensor {
  return ignoringNaN('fmax', a, b, maximum);
}

/** The smaller of a and b, elementwise and broadcast (torch.fmin, np.fmin): where one is NaN, the other; NaN only where both are. */
export function fmin(a: TensorLike, b: TensorLike): Tensor {
  return ignoringNaN('fmin', a, b, minimum);
}
