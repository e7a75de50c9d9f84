// Ops that count values: unique, uniqueConsecutive and bincount. Their
// results' lengths (the number of distinct values or of runs, the largest
// value) are known only once x is read back, and tmnn has no synchronous
// read (on WebGPU a read waits for the GPU), so all are asynchronous: x is
// read back, counted in float64 in JS, and the results made on the backend
// x was on when called. Only slices along an axis carry a gradient (they
// are gathered).
import { isFloat } from '../dtype.js';
import { creatingOn } from '../engine.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import { normalizeAxis, sizeOf } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { gather } from './movement.js';
import { checkTensor, fromValues } from './util.js';

export interface UniqueOptions {
  /** Values in ascending order (the default), NaN last; false keeps the order they first appear in. */
  sorted?: boolean;
  /** Also give, for every entry of x, the index of its value among the unique ones (x's shape, i32). */
  returnInverse?: boolean;
  /** Also give how many times each unique value occurs (i32). */
  returnCounts?: boolean;
  /**
   * Compare whole slices along this axis instead of single entries
   * (torch.unique's `dim`): the result is x's distinct slices, gathered
   * (so they carry a gradient), sorted lexicographically; inverse is [n].
   */
  axis?: number;
}

/** unique's results: the values, and inverse and counts where asked for. */
export interface Unique {
  values: Tensor;
  inverse?: Tensor;
  counts?: Tensor;
}

const UNIQUE_OPTIONS: OptionNames<UniqueOptions> = { sorted: 'boolean', returnInverse: 'boolean', returnCounts: 'boolean', axis: true };

/**
 * The distinct values of x, flattened, as a 1-D tensor of x's dtype
 * (torch.unique without `dim`, np.unique): ascending unless `{ sorted:
 * false }`, which keeps first appearances' order. With `returnInverse` or
 * `returnCounts` the result is `{ values, inverse, counts }`: inverse has
 * x's shape and holds each entry's index into values, so
 * `values.gather(inverse.reshape([-1]))` rebuilds x flattened. NaNs are one
 * value, as NumPy's equal_nan (PyTorch keeps each NaN apart); −0 and 0 are
 * one, whichever comes first standing for both. With `axis`, x's distinct
 * slices along it instead (see UniqueOptions.axis). Asynchronous: the count
 * of distinct values is known only once x is read back.
 */
export async function unique(x: Tensor, options?: UniqueOptions & { returnInverse?: false; returnCounts?: false }): Promise<Tensor>;
export async function unique(x: Tensor, options: UniqueOptions): Promise<Unique>;
export async function unique(x: Tensor, options: UniqueOptions = {}): Promise<Tensor | Unique> {
  checkTensor('unique', x);
  options = checkOptions('unique', options, UNIQUE_OPTIONS);
  const axis = options.axis === undefined ? undefined : uniqueAxis(x, options.axis);
  const backend = x.dataRef('unique').backend;
  const { shape, dtype } = x;
  const v = await x.data();
  // Each distinct entry (or slice along axis) stands for all equal to it, numbered by first appearance.
  const n = axis === undefined ? v.length : shape[axis];
  const slices = axis === undefined ? Array.from(v, (e) => [e]) : slicesAlong(v, shape, axis);
  const first = new Map<string, number>();
  const firstAt: number[] = [];
  const inverse = new Int32Array(n);
  for (let j = 0; j < n; j++) {
    // String() keys NaN as one value and −0 as 0.
    const key = slices[j].join();
    if (!first.has(key)) {
      first.set(key, firstAt.length);
      firstAt.push(j);
    }
    inverse[j] = first.get(key)!;
  }
  const order = firstAt.map((_, k) => k);
  if (options.sorted ?? true) order.sort((a, b) => lexicographic(slices[firstAt[a]], slices[firstAt[b]]));
  const rank = new Int32Array(order.length);
  order.forEach((k, r) => (rank[k] = r));
  const counts = new Int32Array(order.length);
  for (let j = 0; j < n; j++) counts[(inverse[j] = rank[inverse[j]])]++;
  const picked = order.map((k) => firstAt[k]);
  return creatingOn(backend, () => {
    const values = axis === undefined ? fromValues('unique', picked.map((j) => v[j]), [picked.length], dtype) : gatherSlices(x, picked, axis);
    if (!options.returnInverse && !options.returnCounts) return values;
    const out: Unique = { values };
    if (options.returnInverse) out.inverse = fromValues('unique', inverse, axis === undefined ? shape : [n], 'i32');
    if (options.returnCounts) out.counts = fromValues('unique', counts, [counts.length], 'i32');
    return out;
  });
}

export interface UniqueConsecutiveOptions {
  /** Also give, for every entry of x, the index of its run among the values (x's shape, i32; [n] with axis). */
  returnInverse?: boolean;
  /** Also give each run's length (i32). */
  returnCounts?: boolean;
  /** Compare whole slices along this axis instead of single entries (torch's `dim`); the values are gathered, so they carry a gradient. */
  axis?: number;
}

const UNIQUE_CONSECUTIVE_OPTIONS: OptionNames<UniqueConsecutiveOptions> = { returnInverse: 'boolean', returnCounts: 'boolean', axis: true };

/**
 * x, flattened, with each run of equal consecutive values kept once
 * (torch.unique_consecutive; run-length encoding with returnCounts): a 1-D
 * tensor of x's dtype, or `{ values, inverse, counts }` where asked. NaNs
 * are equal to each other and −0 to 0, as unique's. With `axis`, runs of
 * equal slices along it. Asynchronous: the number of runs is known only
 * once x is read back.
 */
export async function uniqueConsecutive(x: Tensor, options?: UniqueConsecutiveOptions & { returnInverse?: false; returnCounts?: false }): Promise<Tensor>;
export async function uniqueConsecutive(x: Tensor, options: UniqueConsecutiveOptions): Promise<Unique>;
export async function uniqueConsecutive(x: Tensor, options: UniqueConsecutiveOptions = {}): Promise<Tensor | Unique> {
  const op = 'uniqueConsecutive';
  checkTensor(op, x);
  options = checkOptions(op, options, UNIQUE_CONSECUTIVE_OPTIONS);
  let axis: number | undefined;
  if (options.axis !== undefined) {
    if (x.rank === 0) throw new ShapeError(`${op}: x is a scalar: there is no axis to compare slices along`);
    axis = normalizeAxis(op, options.axis, x.rank);
  }
  const backend = x.dataRef(op).backend;
  const { shape, dtype } = x;
  const v = await x.data();
  const n = axis === undefined ? v.length : shape[axis];
  const slices = axis === undefined ? Array.from(v, (e) => [e]) : slicesAlong(v, shape, axis);
  const starts: number[] = [];
  const inverse = new Int32Array(n);
  let previous: string | undefined;
  for (let j = 0; j < n; j++) {
    // String() keys NaN as one value and −0 as 0, as unique's.
    const key = slices[j].join();
    if (key !== previous) starts.push(j);
    previous = key;
    inverse[j] = starts.length - 1;
  }
  const counts = Int32Array.from(starts, (start, r) => (r + 1 < starts.length ? starts[r + 1] : n) - start);
  return creatingOn(backend, () => {
    const values = axis === undefined ? fromValues(op, starts.map((j) => v[j]), [starts.length], dtype) : gatherSlices(x, starts, axis);
    if (!options.returnInverse && !options.returnCounts) return values;
    const out: Unique = { values };
    if (options.returnInverse) out.inverse = fromValues(op, inverse, axis === undefined ? shape : [n], 'i32');
    if (options.returnCounts) out.counts = fromValues(op, counts, [counts.length], 'i32');
    return out;
  });
}

function uniqueAxis(x: Tensor, axis: number): number {
  if (x.rank === 0) throw new ShapeError('unique: x is a scalar: there is no axis to compare slices along');
  return normalizeAxis('unique', axis, x.rank);
}

/** x's n slices along `axis`, each as its entries in row-major order. */
function slicesAlong(v: ArrayLike<number>, shape: readonly number[], axis: number): number[][] {
  const n = shape[axis];
  const inner = sizeOf(shape.slice(axis + 1));
  const outer = sizeOf(shape.slice(0, axis));
  return Array.from({ length: n }, (_, j) => {
    const slice: number[] = [];
    for (let o = 0; o < outer; o++) for (let k = 0; k < inner; k++) slice.push(v[(o * n + j) * inner + k]);
    return slice;
  });
}

/** Entry by entry, NaN after every number; the first difference decides. */
function lexicographic(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]) || Number.isNaN(b[i])) {
      if (Number.isNaN(a[i]) && Number.isNaN(b[i])) continue;
      return Number.isNaN(a[i]) ? 1 : -1;
    }
    if (a[i] !== b[i]) return a[i] - b[i];
  }
  return 0;
}

/** The slices of x at `positions` along `axis`, by gather (so with its gradient). */
function gatherSlices(x: Tensor, positions: number[], axis: number): Tensor {
  const indices = fromValues('unique', positions, [positions.length], 'i32');
  try {
    return gather(x, indices, axis);
  } finally {
    indices.dispose();
  }
}

export interface BincountOptions {
  /** A weight per entry of x (1-D, x's length, float): each bin sums its entries' weights instead of counting them. */
  weights?: Tensor;
  /** The fewest bins to give; more where x holds larger values. Default 0. */
  minlength?: number;
}

const BINCOUNT_OPTIONS: OptionNames<BincountOptions> = { weights: true, minlength: true };

/**
 * How many times each of 0, 1, …, max(x) occurs in x (torch.bincount,
 * np.bincount): x is 1-D of non-negative integers (i32 or i8); the result
 * has max(x) + 1 bins, or `minlength` if more, in i32 — or in weights'
 * dtype with `weights`, each bin the sum of its entries' weights (summed in
 * float64, then rounded once). A negative entry is an error. Asynchronous:
 * the number of bins is known only once x is read back. No gradient, the
 * weights' included.
 */
export async function bincount(x: Tensor, options: BincountOptions = {}): Promise<Tensor> {
  const op = 'bincount';
  checkTensor(op, x);
  options = checkOptions(op, options, BINCOUNT_OPTIONS);
  if (isFloat(x.dtype)) throw new DTypeError(`${op}: x must hold integers (i32 or i8), got ${x.dtype}`);
  if (x.rank !== 1) throw new ShapeError(`${op}: x must be 1-D, got ${formatShape(x.shape)}`);
  const minlength = options.minlength ?? 0;
  if (!Number.isSafeInteger(minlength) || minlength < 0) throw new ValueError(`${op}: minlength must be a non-negative integer, got ${formatValue(minlength)}`);
  const { weights } = options;
  if (weights !== undefined) {
    checkTensor(op, weights, 'weights');
    if (!isFloat(weights.dtype)) throw new DTypeError(`${op}: weights must be a float tensor, got ${weights.dtype}`);
    if (weights.rank !== 1 || weights.size !== x.size) {
      throw new ShapeError(`${op}: weights ${formatShape(weights.shape)} must be 1-D with one weight per entry of x ${formatShape(x.shape)}`);
    }
  }
  const backend = x.dataRef(op).backend;
  const [v, w] = await Promise.all([x.data(), weights?.data()]);
  let bins = minlength;
  for (let i = 0; i < v.length; i++) {
    if (v[i] < 0) throw new ValueError(`${op}: x must be non-negative, got ${v[i]} at index ${i}`);
    bins = Math.max(bins, v[i] + 1);
  }
  const out = w ? new Float64Array(bins) : new Int32Array(bins);
  for (let i = 0; i < v.length; i++) out[v[i]] += w ? w[i] : 1;
  return creatingOn(backend, () => fromValues(op, out, [bins], weights?.dtype ?? 'i32'));
}
