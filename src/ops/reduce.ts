// Reductions over axes. The reduced axes are moved last (a free view when they
// already are) so that backends only reduce rows of an [outer, inner] matrix;
// reduced axes that lead (a sum over a batch) go to a backend's reduceColumns
// where it has one, read in place, rather than through a transposed copy.
import type { ReduceOp } from '../backends/kernels.js';
import { tidy } from '../engine.js';
import { floatDTypeOf, isFloat, type DType } from '../dtype.js';
import { ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { F16_MAX } from '../f16.js';
import { checkOptions, type OptionNames } from '../options.js';
import { normalizeAxes, normalizeAxis, sameShape, sizeOf } from '../shape.js';
import { isGradEnabled, noGrad, record } from '../tape.js';
import type { Tensor } from '../tensor.js';
import { cast } from './cast.js';
import { div, equal, greater, mul, notEqual, sqrt, square, sub, where } from './elementwise.js';
import { broadcastTo, exclusiveCumprod, flip, reshape, transpose } from './movement.js';
import { checkTensor, fromStorage, view, withCasts } from './util.js';

export interface ReduceOptions {
  /** Keep reduced axes as size 1, so the result broadcasts against the input. */
  keepDims?: boolean;
}

const REDUCE_OPTIONS: OptionNames<ReduceOptions> = { keepDims: 'boolean' };

/**
 * x as a matrix with `axes` gathered into one dimension, and the shape the
 * result takes: rows [outer, inner] (the axes moved last, a free view when
 * they already are), or, when `columnsOk` and the axes lead, columns
 * [inner, outer] viewed in place.
 */
function asMatrix(op: string, x: Tensor, axes: number[], keepDims: boolean, columnsOk: boolean): { matrix: Tensor; columns: boolean; outShape: number[] } {
  const kept = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const outer = sizeOf(kept.map((i) => x.shape[i]));
  const inner = sizeOf(axes.map((i) => x.shape[i]));
  const outShape = keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : kept.map((i) => x.shape[i]);
  const columns = columnsOk && axes.length < x.rank && axes.every((a, i) => a === i);
  if (columns) return { matrix: view(op, x, [inner, outer]), columns, outShape };
  const trailing = axes.every((a, i) => a === x.rank - axes.length + i);
  const moved = trailing ? x : transpose(x, [...kept, ...axes]);
  const matrix = view(op, moved, [outer, inner]);
  if (moved !== x) moved.dispose();
  return { matrix, columns, outShape };
}

/** The gradient of a reduction, spread back over x's shape from dy in keepDims form. */
const REDUCE_GRADS: Record<ReduceOp, (x: Tensor, y: Tensor, dy: Tensor) => Tensor> = {
  sum: (x, _y, dy) => broadcastTo(dy, x.shape),
  mean: (x, y, dy) => {
    const count = x.size / Math.max(y.size, 1);
    // A count past f16's largest (65,504) is ∞ next to an f16 gradient, where its reciprocal is not.
    return dy.dtype === 'f16' && count > F16_MAX ? mul(broadcastTo(dy, x.shape), 1 / count) : div(broadcastTo(dy, x.shape), count);
  },
  // Ties share the gradient evenly.
  max: (x, y, dy) => extremeGrad(x, y, dy),
  min: (x, y, dy) => extremeGrad(x, y, dy),
  prod: (x, y, dy) => prodGrad(x, y, dy),
};

/** The axes of x a reduction to y (in keepDims form) reduced. */
function reducedAxes(x: Tensor, y: Tensor): number[] {
  return x.shape.flatMap((d, i) => (d !== y.shape[i] ? [i] : []));
}

function extremeGrad(x: Tensor, y: Tensor, dy: Tensor): Tensor {
  const hits = equal(x, y);
  return mul(div(hits, sum(hits, reducedAxes(x, y), { keepDims: true })), dy);
}

/**
 * Each x's share of the product: the product of the others. y / x where no
 * value reduced with it is 0 (PyTorch's); where one is, that one gets the
 * product of the rest and the others 0; where two or more are, all get 0 —
 * what y / x (0 / 0) cannot say.
 */
function prodGrad(x: Tensor, y: Tensor, dy: Tensor): Tensor {
  const axes = reducedAxes(x, y);
  if (isGradEnabled()) return mul(productsOfOthers(x, axes), dy);
  const zero = equal(x, 0);
  const zeros = sum(zero, axes, { keepDims: true });
  const others = prod(where(zero, 1, x), axes, { keepDims: true });
  const share = where(equal(zeros, 0), div(y, x), where(mul(zero, equal(zeros, 1)), others, 0));
  return mul(share, dy);
}

/**
 * Each entry's product of the others along `axes`, as the products before
 * and after it on the line of those axes flattened: prod's gradient for a
 * backward pass that records (createGraph), where y / x and the cases at
 * zeros above would lose the mixed second derivatives across a zero.
 */
function productsOfOthers(x: Tensor, axes: readonly number[]): Tensor {
  const kept = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const order = [...kept, ...axes];
  const last = kept.length;
  const lines = reshape(transpose(x, order), [...kept.map((i) => x.shape[i]), sizeOf(axes.map((a) => x.shape[a]))]);
  const before = exclusiveCumprod(lines, last);
  const after = flip(exclusiveCumprod(flip(lines, last), last), last);
  const others = reshape(mul(before, after), order.map((i) => x.shape[i]));
  return transpose(others, order.map((_, i) => order.indexOf(i)));
}

function reduceOp(op: ReduceOp, x: Tensor, axes: number | readonly number[] | undefined, options: ReduceOptions, dtype: DType): Tensor {
  checkTensor(op, x);
  const keepDims = !!checkOptions(op, options, REDUCE_OPTIONS).keepDims;
  const list = normalizeAxes(op, axes, x.rank);
  if ((op === 'max' || op === 'min') && list.some((a) => x.shape[a] === 0)) {
    throw new ShapeError(`${op}: cannot reduce ${formatShape(x.shape)} over an empty axis`);
  }
  const backend = x.dataRef(op).backend;
  // The mean of ints reads the ints themselves (a cast to f32 first would round values past 2^24).
  const inputDtype = op === 'mean' && !isFloat(x.dtype) ? x.dtype : dtype;
  const y = withCasts([x], inputDtype, ([cx]) => {
    const { matrix, columns, outShape } = asMatrix(op, cx, list, keepDims, !!backend.reduceColumns);
    try {
      const info = matrix.info(op);
      const storage = columns && backend.reduceColumns ? backend.reduceColumns(op, info, dtype) : backend.reduce(op, info, dtype);
      return fromStorage(backend, storage, outShape, dtype);
    } finally {
      matrix.dispose();
    }
  });
  return record(y, op, [x], [x, y], (dy, [sx, sy]) => {
    const kept = x.shape.map((d, i) => (list.includes(i) ? 1 : d));
    return [REDUCE_GRADS[op](sx, reshape(sy, kept), reshape(dy, kept))];
  });
}

/** Sums x over the axes along which `shape` was broadcast to x's shape: the gradient of a broadcast. */
export function sumToShape(x: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(x.shape, shape)) return reshape(x, shape);
  const lead = x.rank - shape.length;
  const axes = x.shape.flatMap((d, i) => (i < lead || (shape[i - lead] === 1 && d !== 1) ? [i] : []));
  // Axes that end x and axes that do not (a bias over channels: [N, C, H, W] to [1, C, 1, 1]) are summed
  // in two passes, each over a free view, rather than in one over a transposed copy; not in f16, where a
  // partial sum may pass 65504 when the whole does not (∞ − ∞ = NaN).
  // firstTrailing: where the run of axes that ends x begins (axes[i] is then x's (axes.length − i)-th from the end).
  let firstTrailing = axes.length;
  while (firstTrailing > 0 && axes[firstTrailing - 1] === x.rank - (axes.length - firstTrailing) - 1) firstTrailing--;
  const summed = x.dtype !== 'f16' && firstTrailing > 0 && firstTrailing < axes.length
    ? tidy(() => sum(sum(x, axes.slice(firstTrailing), { keepDims: true }), axes.slice(0, firstTrailing), { keepDims: true }))
    : sum(x, axes, { keepDims: true });
  const out = reshape(summed, shape);
  summed.dispose();
  return out;
}

type Axes = number | readonly number[];

/** Sum; ints sum in i32 (wrapping). */
export function sum(x: Tensor, axes?: Axes, options: ReduceOptions = {}): Tensor {
  return reduceOp('sum', x, axes, options, isFloat(checkTensor('sum', x).dtype) ? x.dtype : 'i32');
}

/** Product; ints multiply in i32 (wrapping), f16 in f32 at least; nothing at all gives 1. */
export function prod(x: Tensor, axes?: Axes, options: ReduceOptions = {}): Tensor {
  return reduceOp('prod', x, axes, options, isFloat(checkTensor('prod', x).dtype) ? x.dtype : 'i32');
}

/** Mean; ints give f32. */
export function mean(x: Tensor, axes?: Axes, options: ReduceOptions = {}): Tensor {
  return reduceOp('mean', x, axes, options, floatDTypeOf(checkTensor('mean', x).dtype));
}

export interface VarianceOptions extends ReduceOptions {
  /** Subtracted from the count of values in the divisor: 0 (the default, as NumPy's ddof) is the population variance, 1 the sample variance (PyTorch's default). */
  correction?: number;
}

/** Mean squared distance from the mean over `axes` (all by default), in f32 or f16: Σ(x − mean)² / (n − correction). */
export function variance(x: Tensor, axes?: Axes, options: VarianceOptions = {}): Tensor {
  checkTensor('variance', x);
  const { keepDims = false, correction = 0 } = checkOptions('variance', options, { keepDims: 'boolean', correction: true });
  if (typeof correction !== 'number' || !Number.isFinite(correction) || correction < 0) {
    throw new ValueError(`variance: correction must be a finite number ≥ 0, got ${formatValue(correction)}`);
  }
  const list = normalizeAxes('variance', axes, x.rank);
  const count = list.reduce((n, a) => n * x.shape[a], 1);
  // Two passes (the mean, then the squares about it): no cancellation, unlike E[x²] − E[x]².
  // n ≤ correction leaves nothing to divide by: ∞ (NaN where every value is the mean), as NumPy and PyTorch give.
  // f16 in f32: a sum of squares past 65504, or a count past it (BatchNorm over a [64, C, 32, 32] batch), is ∞ in f16.
  return tidy(() => {
    const wide = x.dtype === 'f16' ? cast(x, 'f32') : x;
    const v = div(sum(square(sub(wide, mean(wide, list, { keepDims: true }))), list, { keepDims }), Math.max(count - correction, 0));
    return x.dtype === 'f16' ? cast(v, 'f16') : v;
  });
}

/** √variance: the standard deviation over `axes` (see variance for correction). */
export function std(x: Tensor, axes?: Axes, options: VarianceOptions = {}): Tensor {
  return tidy(() => sqrt(variance(x, axes, options)));
}

/** [variance, mean] over `axes` in one call (torch.var_mean; options as variance's). */
export function varMean(x: Tensor, axes?: Axes, options: VarianceOptions = {}): [Tensor, Tensor] {
  const v = variance(x, axes, options);
  const { keepDims = false } = options;
  return [v, tidy(() => (x.dtype === 'f16' ? cast(mean(cast(x, 'f32'), axes, { keepDims }), 'f16') : mean(x, axes, { keepDims })))];
}

/** [std, mean] over `axes` in one call (torch.std_mean; options as variance's). */
export function stdMean(x: Tensor, axes?: Axes, options: VarianceOptions = {}): [Tensor, Tensor] {
  const [v, m] = varMean(x, axes, options);
  const s = sqrt(v);
  v.dispose();
  return [s, m];
}

/** 1 (i32) where any value over `axes` (all by default) is non-zero (NaN counts), else 0; nothing at all gives 0, as NumPy. */
export function any(x: Tensor, axes?: Axes, options: ReduceOptions = {}): Tensor {
  return countTest('any', x, axes, options, (count) => greater(count, 0), (t) => notEqual(t, 0));
}

/** 1 (i32) where every value over `axes` (all by default) is non-zero (NaN counts), else 0; nothing at all gives 1, as NumPy. */
export function all(x: Tensor, axes?: Axes, options: ReduceOptions = {}): Tensor {
  return countTest('all', x, axes, options, (count) => equal(count, 0), (t) => equal(t, 0));
}

/** `test` of how many values over the axes `pick` marks, counted in i32 (an i8 count would wrap at 128). */
/** How many entries over `axes` (all by default) are non-zero, NaN counting (np.count_nonzero), in i32. */
export function countNonzero(x: Tensor, axes?: Axes, options: ReduceOptions = {}): Tensor {
  return countTest('countNonzero', x, axes, options, (count) => count, (t) => notEqual(t, 0));
}

function countTest(op: string, x: Tensor, axes: Axes | undefined, options: ReduceOptions, test: (count: Tensor) => Tensor, pick: (x: Tensor) => Tensor): Tensor {
  checkTensor(op, x);
  const { keepDims = false } = checkOptions(op, options, REDUCE_OPTIONS);
  const list = normalizeAxes(op, axes, x.rank);
  return noGrad(() => tidy(() => test(sum(cast(pick(x), 'i32'), list, { keepDims }))));
}

/** Largest value; NaN if any is NaN. */
export function max(x: Tensor, axes?: Axes, options: ReduceOptions = {}): Tensor {
  return reduceOp('max', x, axes, options, checkTensor('max', x).dtype);
}

/** Smallest value; NaN if any is NaN. */
export function min(x: Tensor, axes?: Axes, options: ReduceOptions = {}): Tensor {
  return reduceOp('min', x, axes, options, checkTensor('min', x).dtype);
}

/**
 * The smallest and largest values over `axes` (all by default) at once
 * (torch.aminmax): `{ min, max }`, each as min and max give it, gradients
 * included.
 */
export function aminmax(x: Tensor, axes?: Axes, options: ReduceOptions = {}): { min: Tensor; max: Tensor } {
  const least = min(x, axes, options);
  try {
    return { min: least, max: max(x, axes, options) };
  } catch (err) {
    least.dispose();
    throw err;
  }
}

function argReduceOp(op: 'argmax' | 'argmin', x: Tensor, axis: number | undefined, options: ReduceOptions): Tensor {
  checkTensor(op, x);
  const keepDims = !!checkOptions(op, options, REDUCE_OPTIONS).keepDims;
  const axes = axis === undefined ? normalizeAxes(op, undefined, x.rank) : [normalizeAxis(op, axis, x.rank)];
  // As NumPy: an empty axis to search has no answer, but rows of a [0, 3] have none to search.
  if (axes.some((a) => x.shape[a] === 0) || (x.size === 0 && axis === undefined)) {
    throw new ShapeError(`${op}: ${formatShape(x.shape)} is empty${axis === undefined ? '' : ` along axis ${axis}`}`);
  }
  const searched = axes.reduce((n, a) => n * x.shape[a], 1);
  if (searched > 2 ** 31) {
    throw new ShapeError(`${op}: ${formatShape(x.shape)} has ${searched} values to search${axis === undefined ? '' : ` along axis ${axis}`}, more than an i32 index reaches (2^31); search along an axis, or in parts`);
  }
  const backend = x.dataRef(op).backend;
  const { matrix, outShape } = asMatrix(op, x, axes, keepDims, false);
  try {
    return fromStorage(backend, backend.argReduce(op, matrix.info(op)), outShape, 'i32');
  } finally {
    matrix.dispose();
  }
}

/** Index (i32) of the first largest value along `axis`, or in the flattened tensor when no axis is given. */
export function argmax(x: Tensor, axis?: number, options: ReduceOptions = {}): Tensor {
  return argReduceOp('argmax', x, axis, options);
}

/** Index (i32) of the first smallest value along `axis`, or in the flattened tensor. */
export function argmin(x: Tensor, axis?: number, options: ReduceOptions = {}): Tensor {
  return argReduceOp('argmin', x, axis, options);
}
