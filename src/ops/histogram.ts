// Histograms of values in equal bins (torch.histc), counted on the device:
// each value's bin is worked out elementwise and the counts added up by
// gather's gradient kernel (a scatter-add of ones), so no value is read
// back, on a GPU too.
import { tidy } from '../engine.js';
import { ValueError, formatValue } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import type { Tensor } from '../tensor.js';
import { cast } from './cast.js';
import { ones } from './creation.js';
import { add, div, equal, floor, greaterEqual, lessEqual, minimum, mul, sub, where } from './elementwise.js';
import { isNaN } from './logical.js';
import { reshape, scatterRows } from './movement.js';
import { max, min } from './reduce.js';
import { checkTensor, onBackendOf } from './util.js';

export interface HistcOptions {
  /** How many bins; default 100. */
  bins?: number;
  /** The lower end of the first bin. With max, default 0; where min = max, the smallest and largest values are taken instead. */
  min?: number;
  /** The upper end of the last bin (which holds it). */
  max?: number;
}

const HISTC_OPTIONS: OptionNames<HistcOptions> = { bins: true, min: true, max: true };

/**
 * How many values of x fall in each of `bins` equal bins from min to max
 * (torch.histc): value v goes to bin ⌊(v − min) / (max − min) · bins⌋, max
 * itself to the last; values outside [min, max] and NaN are left out.
 * Where min = max (both 0 by default) the bins span x's smallest to largest
 * value (one either side if they are equal too). The counts are in x's
 * float dtype (f32 for ints); no gradient.
 */
export function histc(x: Tensor, options: HistcOptions = {}): Tensor {
  const { bins = 100, min: low = 0, max: high = 0 } = checkOptions('histc', options, HISTC_OPTIONS);
  checkTensor('histc', x);
  if (!Number.isSafeInteger(bins) || bins < 1) throw new ValueError(`histc: bins must be a positive integer, got ${formatValue(bins)}`);
  for (const [name, v] of [['min', low], ['max', high]] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new ValueError(`histc: ${name} must be a finite number, got ${formatValue(v)}`);
  }
  if (low > high) throw new ValueError(`histc: min ${low} is above max ${high}`);
  return tidy(() => {
    // Bins worked out in f32 whatever x is: f16's whole numbers stop at 2048.
    const values = reshape(x.dtype === 'f32' ? x : cast(x, 'f32'), [x.size]);
    let [lo, width]: [Tensor | number, Tensor | number] = [low, high - low];
    if (low === high && x.size > 0) {
      // The data's own range, NaN left out; one either side where every value is the same.
      const [below, above] = [min(where(isNaN(values), Infinity, values)), max(where(isNaN(values), -Infinity, values))];
      const flat = equal(below, above);
      lo = where(flat, sub(below, 1), below);
      width = sub(where(flat, add(above, 1), above), lo);
    }
    const offset = sub(values, lo);
    const inside = mul(greaterEqual(offset, 0), lessEqual(offset, width));
    // ⌊(v − lo) / (hi − lo) · bins⌋, hi itself in the last bin; outside, bins: past the end, where the scatter adds nothing.
    const bin = minimum(floor(mul(div(offset, width), bins)), bins - 1);
    const target = cast(where(inside, bin, bins), 'i32');
    const counts = scatterRows(onBackendOf('histc', x, () => ones([x.size])), target, [bins], 0);
    return x.dtype === 'f16' ? cast(counts, 'f16') : counts;
  });
}
