// NumPy's summaries built on reductions: ptp (the range, max − min) and
// average (the weighted mean). Gradients come from the reductions.
import { isFloat } from '../dtype.js';
import { tidy } from '../engine.js';
import { ShapeError, formatShape } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import { normalizeAxes, sameShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { cast } from './cast.js';
import { div, mul, sub } from './elementwise.js';
import { reshape } from './movement.js';
import { max, mean, min, sum, type ReduceOptions } from './reduce.js';
import { checkTensor } from './util.js';

type Axes = number | readonly number[];

/** max − min over `axes` (all by default): np.ptp, "peak to peak". In x's dtype, so ints wrap as NumPy's do. */
export function ptp(x: Tensor, axes?: Axes, options: ReduceOptions = {}): Tensor {
  checkTensor('ptp', x);
  return tidy(() => sub(max(x, axes, options), min(x, axes, options)));
}

export interface AverageOptions extends ReduceOptions {
  /** Each value's weight: a tensor of x's shape, or, averaging over one axis, a vector of that axis's length. Without it, the plain mean. */
  weights?: Tensor;
}

const AVERAGE_OPTIONS: OptionNames<AverageOptions> = { weights: true, keepDims: 'boolean' };

/**
 * The weighted mean over `axes` (all by default), Σ w·x / Σ w (np.average):
 * ints averaged in f32, f16 worked in f32 and rounded once. Weights that sum
 * to 0 give ±∞ or NaN, where NumPy raises (the sum is on the device).
 */
export function average(x: Tensor, axes?: Axes, options: AverageOptions = {}): Tensor {
  checkTensor('average', x);
  const { weights, keepDims = false } = checkOptions('average', options, AVERAGE_OPTIONS);
  const list = normalizeAxes('average', axes, x.rank);
  const narrow = isFloat(x.dtype) ? x.dtype : 'f32';
  if (weights === undefined) return tidy(() => mean(isFloat(x.dtype) ? x : cast(x, 'f32'), list, { keepDims }));
  checkTensor('average', weights, 'weights');
  const alongOne = list.length === 1 && weights.rank === 1 && weights.size === x.shape[list[0]];
  if (!sameShape(weights.shape, x.shape) && !alongOne) {
    throw new ShapeError(
      `average: weights ${formatShape(weights.shape)} must have x's shape ${formatShape(x.shape)}${list.length === 1 ? ` or be a vector of axis ${list[0]}'s length (${x.shape[list[0]]})` : ''}`,
    );
  }
  return tidy(() => {
    const wide = (t: Tensor) => (t.dtype === 'f32' ? t : cast(t, 'f32'));
    // A vector of weights lies along the axis: shaped to broadcast against x.
    const w = wide(sameShape(weights.shape, x.shape) ? weights : reshape(weights, x.shape.map((d, i) => (i === list[0] ? d : 1))));
    const y = div(sum(mul(wide(x), w), list, { keepDims }), sum(w, list, { keepDims }));
    return y.dtype === narrow ? y : cast(y, narrow);
  });
}
