// Statistics of values in order: quantiles and medians (NumPy's, with its
// five methods), the same ignoring NaN, and the k-th smallest value
// (torch.kthvalue), and the most frequent value (torch.mode). Each sorts
// along the axis (NaN last) and picks from the sorted values with
// takeAlongAxis, so gradients reach the entries picked.
import { tidy } from '../engine.js';
import { isFloat } from '../dtype.js';
import { ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import { roundHalfEven } from '../round.js';
import { normalizeAxis } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { cast } from './cast.js';
import { abs, ceil, equal, floor, lerp, lessEqual, minimum, maximum, mul, round, sub, where } from './elementwise.js';
import { isNaN, logicalAnd, logicalNot, logicalOr } from './logical.js';
import { concat, reshape, squeeze, stack } from './movement.js';
import { any, argmax, sum } from './reduce.js';
import { arange, zeros } from './creation.js';
import { cummax } from './running_extremes.js';
import { sort, topk, type Sorted } from './sort.js';
import { along, takeAlongAxis } from './indexing.js';
import { checkTensor, onBackendOf } from './util.js';

/**
 * How a quantile between two values is taken (NumPy's methods, PyTorch's
 * interpolation): with i = q·(n − 1) the position among the n values in
 * order, 'linear' interpolates between positions ⌊i⌋ and ⌈i⌉, 'lower' and
 * 'higher' take one of them, 'nearest' the nearer (a tie to the even
 * position), 'midpoint' their mean.
 */
export type QuantileMethod = 'linear' | 'lower' | 'higher' | 'nearest' | 'midpoint';
const METHODS: readonly QuantileMethod[] = ['linear', 'lower', 'higher', 'nearest', 'midpoint'];

export interface QuantileOptions {
  /** The axis the quantile is taken along; by default the values of all of x. */
  axis?: number;
  /** Keep the reduced axis (all of them, without `axis`) as size 1. */
  keepDims?: boolean;
  /** Default 'linear'. */
  method?: QuantileMethod;
}

export interface MedianOptions {
  axis?: number;
  keepDims?: boolean;
}

export interface KthvalueOptions {
  /** Default -1 (the last axis). */
  axis?: number;
  keepDims?: boolean;
}

const QUANTILE_OPTIONS: OptionNames<QuantileOptions> = { axis: true, keepDims: 'boolean', method: true };
const MEDIAN_OPTIONS: OptionNames<MedianOptions> = { axis: true, keepDims: 'boolean' };
const KTHVALUE_OPTIONS: OptionNames<KthvalueOptions> = { axis: true, keepDims: 'boolean' };

export type ModeOptions = KthvalueOptions;

/**
 * The q-th quantile of x along `axis` (np.quantile, torch.quantile): q a
 * number in [0, 1], or a list of them, whose axis then leads the result.
 * NaN where the values hold a NaN. Ints are read as f32; the result is
 * float, in x's dtype where x is f32 or f16.
 */
export function quantile(x: Tensor, q: number | readonly number[], options: QuantileOptions = {}): Tensor {
  return quantiles('quantile', x, q, options, false);
}

/** quantile with NaN left out (np.nanquantile): NaN only where every value is NaN. */
export function nanquantile(x: Tensor, q: number | readonly number[], options: QuantileOptions = {}): Tensor {
  return quantiles('nanquantile', x, q, options, true);
}

/**
 * The median along `axis` (np.median): the mean of the two middle values
 * where their count is even. torch.median gives the lower of the two:
 * quantile(x, 0.5, { method: 'lower' }).
 */
export function median(x: Tensor, options: MedianOptions = {}): Tensor {
  return quantiles('median', x, 0.5, checkOptions('median', options, MEDIAN_OPTIONS), false);
}

/** median with NaN left out (np.nanmedian). */
export function nanmedian(x: Tensor, options: MedianOptions = {}): Tensor {
  return quantiles('nanmedian', x, 0.5, checkOptions('nanmedian', options, MEDIAN_OPTIONS), true);
}

/**
 * The k-th smallest value along `axis` (torch.kthvalue; k from 1) and its
 * position there (i32), NaN counting as larger than every number.
 */
export function kthvalue(x: Tensor, k: number, options: KthvalueOptions = {}): Sorted {
  const { axis = -1, keepDims = false } = checkOptions('kthvalue', options, KTHVALUE_OPTIONS);
  checkTensor('kthvalue', x);
  if (x.rank === 0) throw new ShapeError('kthvalue: x is a scalar: there is no axis to order along');
  const a = normalizeAxis('kthvalue', axis, x.rank);
  const n = x.shape[a];
  if (!Number.isSafeInteger(k) || k < 1 || k > n) {
    throw new ValueError(`kthvalue: k must be an integer in [1, ${n}] (the size of axis ${axis} of x ${formatShape(x.shape)}), got ${formatValue(k)}`);
  }
  return tidy(() => {
    const smallest = topk(x, k, { axis: a, largest: false });
    const pick = (t: Tensor) => (keepDims ? along(t, a, k - 1, 1) : squeeze(along(t, a, k - 1, 1), a));
    return { values: pick(smallest.values), indices: pick(smallest.indices) };
  });
}

/**
 * The most frequent value along `axis` (torch.mode, scipy.stats.mode) and
 * the last position along the axis that holds it (i32): of values equally
 * frequent, the smallest; NaNs count as one value, larger than every
 * number. In sorted order a run of equal values ends at its longest count,
 * so the mode is where (position − the start of its run) is greatest, the
 * first such place being the smallest value; the sort keeps ties in order,
 * so that place's index is the value's last in x.
 */
export function mode(x: Tensor, options: ModeOptions = {}): Sorted {
  const { axis = -1, keepDims = false } = checkOptions('mode', options, KTHVALUE_OPTIONS);
  checkTensor('mode', x);
  if (x.rank === 0) throw new ShapeError('mode: x is a scalar: there is no axis to count along');
  const a = normalizeAxis('mode', axis, x.rank);
  const n = x.shape[a];
  if (n === 0) throw new ShapeError(`mode: x ${formatShape(x.shape)} has no values along axis ${axis} to count`);
  return tidy(() => {
    const sorted = sort(x, { axis: a });
    const s = sorted.values;
    const previous = along(s, a, 0, n - 1);
    const next = along(s, a, 1, n - 1);
    const same = isFloat(x.dtype) ? logicalOr(equal(next, previous), logicalAnd(isNaN(next), isNaN(previous))) : equal(next, previous);
    const positions = onBackendOf('mode', x, () => reshape(arange(0, n, 1, { dtype: 'i32' }), x.shape.map((d, i) => (i === a ? n : 1))));
    // Each position's run start: itself where a new run begins (position 0 always), carried forward by a running maximum.
    const first = onBackendOf('mode', x, () => zeros(x.shape.map((d, i) => (i === a ? 1 : d)), { dtype: 'i32' }));
    const starts = concat([first, where(same, 0, along(positions, a, 1, n - 1))], a);
    const runLength = sub(positions, cummax(starts, a).values);
    const at = argmax(runLength, a, { keepDims: true });
    const pick = (t: Tensor) => (keepDims ? takeAlongAxis(t, at, a) : squeeze(takeAlongAxis(t, at, a), a));
    return { values: pick(s), indices: pick(sorted.indices) };
  });
}

function quantiles(op: string, x: Tensor, q: number | readonly number[], options: QuantileOptions, skipNaN: boolean): Tensor {
  const { axis, keepDims = false, method = 'linear' } = checkOptions(op, options, QUANTILE_OPTIONS);
  checkTensor(op, x);
  if (!METHODS.includes(method)) throw new ValueError(`${op}: method must be one of ${METHODS.join(', ')}, got ${formatValue(method)}`);
  const qs = typeof q === 'number' ? [q] : q;
  if (!Array.isArray(qs) || qs.some((v) => typeof v !== 'number' || !(v >= 0 && v <= 1))) {
    throw new ValueError(`${op}: q must be a number in [0, 1] or an array of them, got ${formatValue(q)}`);
  }
  const a = axis === undefined ? 0 : normalizeAxis(op, axis, x.rank);
  const n = axis === undefined ? x.size : x.shape[a];
  if (n === 0) throw new ShapeError(`${op}: x ${formatShape(x.shape)} has no values ${axis === undefined ? '' : `along axis ${axis} `}to take a quantile of`);
  const reducedShape = axis === undefined
    ? (keepDims ? x.shape.map(() => 1) : [])
    : keepDims ? x.shape.map((s, d) => (d === a ? 1 : s)) : x.shape.filter((_, d) => d !== a);
  return tidy(() => {
    const floats = isFloat(x.dtype) ? x : cast(x, 'f32');
    const values = axis === undefined ? reshape(floats, [x.size]) : floats;
    const sorted = sort(values, { axis: a }).values;
    // nanquantile picks among each line's first `count` values (NaN sorts last); quantile among all n.
    const count = skipNaN ? sum(cast(logicalNot(isNaN(values)), 'i32'), a, { keepDims: true }) : null;
    const last = count ? sub(cast(count, 'f32'), 1) : null;
    const empty = count ? equal(count, 0) : any(isNaN(values), a, { keepDims: true });
    const at = (i: Tensor | number) => typeof i === 'number'
      ? along(sorted, a, i, 1)
      // An all-NaN line's count is 0 and its positions below 0: kept in range here, its NaN put back below.
      : takeAlongAxis(sorted, cast(maximum(minimum(i, last!), 0), 'i32'), a);
    const picked = qs.map((p) => {
      const [lo, hi, weight] = last ? bracketOnDevice(method, mul(last, p)) : bracket(method, p * (n - 1));
      // Weights are worked out in f32 (f16's whole numbers stop at 2048) and cast for the lerp.
      const w = weight !== null && typeof weight !== 'number' && sorted.dtype !== 'f32' ? cast(weight, sorted.dtype) : weight;
      const value = w === null ? at(lo) : lerp(at(lo), at(hi), w);
      return reshape(where(empty, NaN, value), reducedShape);
    });
    return typeof q === 'number' ? picked[0] : stack(picked, 0);
  });
}

/**
 * The positions either side of position `at` that a method picks from, and
 * the weight of the higher (null: the lower alone), as NumPy works them out
 * (in float64).
 */
function bracket(method: QuantileMethod, at: number): [number, number, number | null] {
  const [lo, hi] = [Math.floor(at), Math.ceil(at)];
  switch (method) {
    case 'linear': return [lo, hi, at - lo];
    case 'lower': return [lo, lo, null];
    case 'higher': return [hi, hi, null];
    case 'nearest': return [roundHalfEven(at), 0, null];
    case 'midpoint': return [lo, hi, lo === hi ? null : 0.5];
  }
}

/**
 * bracket for positions on the device, one a line (nanquantile's, from each
 * line's count), in f32. A whole position in float64, such as 0.7 · 10,
 * comes out of f32 just off it (6.9999999): one within f32's rounding of a
 * whole number is taken as that number, so 'lower' picks as NumPy does.
 */
function bracketOnDevice(method: QuantileMethod, rough: Tensor): [Tensor, Tensor, Tensor | number | null] {
  const whole = round(rough);
  const at = where(lessEqual(abs(sub(rough, whole)), mul(rough, 2 ** -22)), whole, rough);
  switch (method) {
    case 'linear': return [floor(at), ceil(at), sub(at, floor(at))];
    case 'lower': return [floor(at), floor(at), null];
    case 'higher': return [ceil(at), ceil(at), null];
    case 'nearest': return [round(at), round(at), null];
    case 'midpoint': return [floor(at), ceil(at), 0.5];
  }
}
