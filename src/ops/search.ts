// Where values would go in sorted sequences: searchsorted and bucketize.
// Composed of comparisons and a sum, so they stay on the device and are
// synchronous: the index of v is how many sorted entries come before it,
// counted over a [..., m, n] comparison of every value with every entry.
// That costs O(n·m) memory rather than a binary search's O(m), so the values
// are taken a chunk at a time past COMPARED entries.
import { isFloat } from '../dtype.js';
import { ShapeError, formatShape } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import type { Tensor } from '../tensor.js';
import { cast } from './cast.js';
import { isNaN } from './logical.js';
import { equal, less, lessEqual, where } from './elementwise.js';
import { concat, expandDims, reshape, slice } from './movement.js';
import { sum } from './reduce.js';
import { checkTensor, onBackendOf } from './util.js';

export interface SearchsortedOptions {
  /**
   * Which end of a run of equal entries a value goes to: false (the
   * default) the first index i with sorted[i] ≥ v, true the first with
   * sorted[i] > v (torch's `right`, NumPy's side 'right').
   */
  right?: boolean;
}

const SEARCHSORTED_OPTIONS: OptionNames<SearchsortedOptions> = { right: 'boolean' };

/** The most comparisons held at once (16 MiB of f32) before the values are split into chunks. */
const COMPARED = 1 << 22;

/**
 * For each value, the index in `sorted` (ascending along its last axis)
 * where it would be inserted to keep the order (torch.searchsorted,
 * np.searchsorted), in i32: the number of entries < v, or ≤ v with
 * `{ right: true }`. `sorted` is [n], searched by values of any shape (the
 * result has values' shape), or [..., n], each row searched by the same row
 * of values [..., m] (the leading axes equal). NaN counts as larger than
 * everything, where sort puts it: a NaN value goes after every number, and
 * before the NaNs of sorted unless `right` (NumPy's; PyTorch puts a NaN
 * value at n on either side). The sequence is not checked to be sorted:
 * that would mean reading it back. Memory O(n·m): the values are compared
 * in chunks past 4M comparisons, but one row of sorted against one value
 * row's chunk is compared whole.
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
  return onBackendOf(op, sorted, () => {
    // Each row of values against its row of sorted: [..., m] → [..., m, 1] beside [..., 1, n].
    // A 1-D sorted is searched by every value alike, so the values are flattened to one row.
    const rows = sorted.rank === 1 ? reshape(values, [values.size]) : values;
    const m = rows.shape[rows.rank - 1];
    const perValue = sorted.shape[sorted.rank - 1] * (m === 0 ? 0 : rows.size / m);
    const step = Math.max(1, Math.floor(COMPARED / Math.max(perValue, 1)));
    const s = sorted.rank === 1 ? sorted : expandDims(sorted, -2);
    const parts: Tensor[] = [];
    try {
      for (let start = 0; start === 0 || start < m; start += step) {
        const size = Math.min(step, m - start);
        const chunk = size === m ? rows : lastAxisSlice(rows, start, size);
        try {
          parts.push(countBefore(s, chunk, right));
        } finally {
          if (chunk !== rows) chunk.dispose();
        }
      }
      const joined = parts.length === 1 ? parts[0] : concat(parts, -1);
      const out = reshape(joined, values.shape);
      if (parts.length > 1) joined.dispose();
      return out;
    } finally {
      for (const p of parts) p.dispose();
      if (s !== sorted) s.dispose();
      if (rows !== values) rows.dispose();
    }
  });
}

/** `size` entries of x's last axis from `start`. */
function lastAxisSlice(x: Tensor, start: number, size: number): Tensor {
  const last = x.rank - 1;
  return slice(x, x.shape.map((_, d) => (d === last ? start : 0)), x.shape.map((d, i) => (i === last ? size : d)));
}

/** How many entries of s's rows come before each value of v's matching rows, NaN last: i32, v's shape. */
function countBefore(s: Tensor, v: Tensor, right: boolean): Tensor {
  const n = s.shape[s.rank - 1];
  const column = expandDims(v, -1);
  const compared = right ? lessEqual(s, column) : less(s, column);
  const asInts = cast(compared, 'i32');
  const counts = sum(asInts, -1);
  for (const t of [column, compared, asInts]) t.dispose();
  if (!isFloat(v.dtype)) return counts;
  // A NaN value compares false with everything: it goes after every number (left) or at the very end (right).
  const nan = isNaN(v);
  let after: Tensor | number = n;
  if (!right && isFloat(s.dtype)) {
    const numbers = equal(s, s); // 1 where s is a number, not NaN
    const numbersInt = cast(numbers, 'i32');
    after = sum(numbersInt, -1);
    numbers.dispose();
    numbersInt.dispose();
  }
  const out = where(nan, after, counts);
  for (const t of [nan, counts]) t.dispose();
  if (typeof after !== 'number') after.dispose();
  return out;
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
