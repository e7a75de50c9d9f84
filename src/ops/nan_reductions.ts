// Sums and means that leave NaN out (np.nansum, np.nanmean, torch.nansum,
// torch.nanmean): the NaN entries counted as 0 in the sum and not at all in
// the mean's count, so their gradient is 0.
import { tidy } from '../engine.js';
import { isFloat } from '../dtype.js';
import { cast } from './cast.js';
import type { Tensor } from '../tensor.js';
import { div, where } from './elementwise.js';
import { isNaN, logicalNot } from './logical.js';
import { mean, sum, type ReduceOptions } from './reduce.js';
import { checkTensor } from './util.js';

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
