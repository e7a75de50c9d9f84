// The functional forms of writing into a view (torch.slice_scatter,
// select_scatter, diagonal_scatter): x with the entries a slice, a select or
// a diagonal would read replaced by src, x itself unchanged. Each is
// indexCopy along one axis at the positions the view reads, so gradients
// flow to x's other entries and to src.
import { tidy } from '../engine.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import { normalizeAxis, sameShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { tensor } from './creation.js';
import { diagonalLayout, type DiagonalOptions } from './diagonal.js';
import { expandDims, reshape, transpose } from './movement.js';
import { indexCopy } from './scatter.js';
import { checkTensor, onBackendOf } from './util.js';

export interface SliceScatterOptions {
  /** The axis sliced (default 0). */
  axis?: number;
  /** The first position (default 0; negative counts from the end), as a slice's start. */
  start?: number;
  /** One past the last position (default the axis' length; negative counts from the end), clamped as a slice's. */
  end?: number;
  /** The stride between positions (default 1; positive). */
  step?: number;
}

const SLICE_OPTIONS: OptionNames<SliceScatterOptions> = { axis: true, start: true, end: true, step: true };

/** Checks that src has the dtype of x and the shape of the view it replaces. */
function checkSource(op: string, x: Tensor, src: Tensor, want: readonly number[], view: string): void {
  checkTensor(op, src, 'src');
  if (src.dtype !== x.dtype) throw new DTypeError(`${op}: src is ${src.dtype} and x ${x.dtype}; they must match (src.cast('${x.dtype}'))`);
  if (!sameShape(src.shape, want)) throw new ShapeError(`${op}: src ${formatShape(src.shape)} must have the shape of ${view}, ${formatShape(want)} (x is ${formatShape(x.shape)})`);
}

/** An integer option, checked. */
function integer(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new ValueError(`${op}: ${name} must be an integer, got ${formatValue(v)}`);
  return v;
}

/** x with `positions` (i32 values, made on x's backend) along axis `a` replaced by src's rows. */
function copyInto(op: string, x: Tensor, positions: number[], src: Tensor, a: number): Tensor {
  return indexCopy(x, onBackendOf(op, x, () => tensor(Int32Array.from(positions))), src, a);
}

/**
 * x with the slice start:end:step along `axis` replaced by src
 * (torch.slice_scatter): src has the slice's shape. start and end read as a
 * slice's (negative from the end, clamped to the axis). Differentiable in
 * x (its other entries) and src.
 */
export function sliceScatter(x: Tensor, src: Tensor, options: SliceScatterOptions = {}): Tensor {
  const op = 'sliceScatter';
  checkTensor(op, x);
  const o = checkOptions(op, options, SLICE_OPTIONS);
  if (x.rank === 0) throw new ShapeError(`${op}: x is a scalar: there is no axis to slice`);
  const a = normalizeAxis(op, o.axis ?? 0, x.rank);
  const n = x.shape[a];
  const step = integer(op, 'step', o.step ?? 1);
  if (step < 1) throw new ValueError(`${op}: step must be positive, got ${step}`);
  const clamp = (v: number) => Math.min(n, Math.max(0, v < 0 ? v + n : v));
  const [start, end] = [clamp(integer(op, 'start', o.start ?? 0)), clamp(integer(op, 'end', o.end ?? n))];
  const positions: number[] = [];
  for (let i = start; i < end; i += step) positions.push(i);
  checkSource(op, x, src, x.shape.map((d, i) => (i === a ? positions.length : d)), `the slice ${start}:${end}:${step} of axis ${a}`);
  return tidy(() => copyInto(op, x, positions, src, a));
}

/**
 * x with its entries at `index` along `axis` replaced by src
 * (torch.select_scatter): src has x's shape without that axis. A negative
 * index counts from the end. Differentiable in x (its other entries) and src.
 */
export function selectScatter(x: Tensor, src: Tensor, axis: number, index: number): Tensor {
  const op = 'selectScatter';
  checkTensor(op, x);
  if (x.rank === 0) throw new ShapeError(`${op}: x is a scalar: there is no axis to select along`);
  const a = normalizeAxis(op, integer(op, 'axis', axis), x.rank);
  const n = x.shape[a];
  const i = integer(op, 'index', index);
  if (i < -n || i >= n) throw new ValueError(`${op}: index ${i} is outside axis ${a} of x ${formatShape(x.shape)} (length ${n})`);
  checkSource(op, x, src, x.shape.filter((_, d) => d !== a), `x without axis ${a}`);
  return tidy(() => copyInto(op, x, [i < 0 ? i + n : i], expandDims(src, a), a));
}

/**
 * x with diagonal `offset` of the matrices it holds in axes `axis1` and
 * `axis2` replaced by src (torch.diagonal_scatter): src has the shape
 * tm.diagonal(x, options) gives, the diagonal last. Differentiable in x
 * (its other entries) and src.
 */
export function diagonalScatter(x: Tensor, src: Tensor, options: DiagonalOptions = {}): Tensor {
  const op = 'diagonalScatter';
  checkTensor(op, x);
  const { offset, axis1, axis2, order, planes, positions, shape } = diagonalLayout(op, x, options, 'to hold a diagonal');
  checkSource(op, x, src, shape, `its diagonal ${offset} in axes ${axis1} and ${axis2}`);
  return tidy(() => {
    const written = copyInto(op, reshape(transpose(x, order), planes), positions, src, planes.length - 1);
    const back = order.map((_, i) => order.indexOf(i));
    return transpose(reshape(written, order.map((i) => x.shape[i])), back);
  });
}
