// Where values would go in sorted sequences: searchsorted and bucketize,
// and isin, which looks each value up among sorted test values. Each
// backend's binary-search kernel (backends/search.ts) finds each value's
// place in O(log n) reads, on the device and synchronously; the ops layer
// casts both operands to the one dtype the kernel compares in.
import { isFloat, promoteTypes, type DType } from '../dtype.js';
import { backendFor, tidy } from '../engine.js';
import { ShapeError, formatShape } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import { sizeOf } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { searchSortedKernelOf } from '../backends/search.js';
import { cast } from './cast.js';
import { fill } from './creation.js';
import { equal, minimum } from './elementwise.js';
import { gather, reshape } from './movement.js';
import { sort } from './sort.js';
import { checkTensor, computed, onBackendOf, withCasts } from './util.js';

export interface SearchsortedOptions {
  /**
   * Which end of a run of equal entries a value goes to: false (the
   * default) the first index i with sorted[i] ≥ v, true the first with
   * sorted[i] > v (torch's `right`, NumPy's side 'right').
   */
  right?: boolean;
}

const SEARCHSORTED_OPTIONS: OptionNames<SearchsortedOptions> = { right: 'boolean' };

/**
 * For each value, the index in `sorted` (ascending along its last axis)
 * where it would be inserted to keep the order (torch.searchsorted,
 * np.searchsorted), in i32: the number of entries < v, or ≤ v with
 * `{ right: true }`. `sorted` is [n], searched by values of any shape (the
 * result has values' shape), or [..., n], each row searched by the same row
 * of values [..., m] (the leading axes equal). The two are compared in the
 * dtype the comparisons promote them to (ints of any kind as i32, exactly;
 * with a float, as f32). NaN counts as larger than everything, where sort
 * puts it: a NaN value goes after every number, and before the NaNs of
 * sorted unless `right` (NumPy's; PyTorch puts a NaN value at n on either
 * side); −0 equals +0. A binary search, O(log n) reads a value. The
 * sequence is not checked to be sorted (that would mean reading it back):
 * for a row out of order the result is where the search ends, some index
 * in [0, n], not necessarily the count (torch leaves it unspecified too).
 */
export function searchsorted(sorted: Tensor, values: Tensor, options: SearchsortedOptions = {}): Tensor {
  const op = 'searchsorted';
  checkTensor(op, sorted, 'sorted');
  checkTensor(op, values, 'values');
  const right = checkOptions(op, options, SEARCHSORTED_OPTIONS).right ?? false;
  if (sorted.rank === 0) throw new ShapeError(`${op}: sorted must have at least one axis to search along, got a scalar`);
  if (sorted.rank > 1) {
    const leading = sorted.shape.slice(0, -1);
    if (values.rank !== sorted.rank || values.shape.slice(0, -1).some((d, i) => d !== leading[i])) {
      throw new ShapeError(
        `${op}: values ${formatShape(values.shape)} must match sorted ${formatShape(sorted.shape)} on every axis but the last (or sorted must be 1-D)`,
      );
    }
  }
  const backend = backendFor(op, [sorted.dataRef(op), values.dataRef(op)]);
  // A 1-D sorted is one row searched by every value; else a row per leading index.
  const rows = sorted.rank === 1 ? 1 : sizeOf(sorted.shape.slice(0, -1));
  // The kernel compares f32 with f32 or i32 with i32: f16 and i8 widen exactly, and where the comparisons would
  // promote to a float (f16 beside i8 included) f32 orders the values as the promoted dtype does.
  const dtype: DType = isFloat(promoteTypes(sorted.dtype, values.dtype)) ? 'f32' : 'i32';
  return withCasts([sorted, values], dtype, ([s, v]) =>
    computed(op, backend, values.shape, 'i32', () => searchSortedKernelOf(backend)(s.info(op), v.info(op), rows, right)),
  );
}

/**
 * The bucket of each entry of x among ascending `boundaries` [n]
 * (torch.bucketize), in i32 with x's shape: i such that
 * boundaries[i − 1] < x ≤ boundaries[i], or boundaries[i − 1] ≤ x <
 * boundaries[i] with `{ right: true }`; 0 below the first boundary and n
 * above the last. searchsorted(boundaries, x), NaN last as there.
 */
export function bucketize(x: Tensor, boundaries: Tensor, options: SearchsortedOptions = {}): Tensor {
  checkTensor('bucketize', x, 'x');
  checkTensor('bucketize', boundaries, 'boundaries');
  if (boundaries.rank !== 1) throw new ShapeError(`bucketize: boundaries must be 1-D, got ${formatShape(boundaries.shape)}`);
  return searchsorted(boundaries, x, checkOptions('bucketize', options, SEARCHSORTED_OPTIONS));
}

export interface IsinOptions {
  /** 1 where the entry is not among the test values instead. */
  invert?: boolean;
}

const ISIN_OPTIONS: OptionNames<IsinOptions> = { invert: 'boolean' };

/**
 * 1 (i32, elements' shape) where an entry of `elements` equals one of
 * `testElements` (np.isin, torch.isin), compared as searchsorted compares
 * them; NaN is in nothing. The test values are sorted once and each entry
 * found by binary search: O((E + T) log T), not E·T comparisons.
 */
export function isin(elements: Tensor, testElements: Tensor, options: IsinOptions = {}): Tensor {
  const op = 'isin';
  checkTensor(op, elements, 'elements');
  checkTensor(op, testElements, 'testElements');
  const invert = checkOptions(op, options, ISIN_OPTIONS).invert ?? false;
  return tidy(() => {
    if (testElements.size === 0) return onBackendOf(op, elements, () => fill(elements.shape, invert ? 1 : 0, { dtype: 'i32' }));
    const dtype: DType = isFloat(promoteTypes(elements.dtype, testElements.dtype)) ? 'f32' : 'i32';
    const test = sort(cast(reshape(testElements, [testElements.size]), dtype)).values;
    const values = cast(elements, dtype);
    // The first test value not below each entry: the entry is in the set where that value equals it.
    const at = minimum(searchsorted(test, values), testElements.size - 1);
    const found = equal(gather(test, at), values);
    return cast(invert ? equal(found, 0) : found, 'i32');
  });
}
