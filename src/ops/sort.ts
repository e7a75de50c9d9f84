// sort, argsort and topk along an axis (torch.sort, argsort, topk): the
// backend gives the positions of each row's entries in order
// (Kernels.sortIndices: NaN after every number ascending, before every
// number descending, ties by position); the values are x gathered there, so
// their gradient flows back through gather to the entries picked.
import { ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import { normalizeAxis, sizeOf } from '../shape.js';
import { tidy } from '../engine.js';
import type { Tensor } from '../tensor.js';
import { arange, zeros } from './creation.js';
import { gather, reshape, slice, transpose } from './movement.js';
import { checkTensor, computed } from './util.js';

export interface SortOptions {
  /** Default -1 (the last axis). */
  axis?: number;
  /** Largest first. Default false. */
  descending?: boolean;
}

export interface TopkOptions {
  /** Default -1 (the last axis). */
  axis?: number;
  /** The k largest (default), or with false the k smallest, first in each case. */
  largest?: boolean;
}

/** Values and the positions (i32) along the axis they came from. */
export interface Sorted {
  values: Tensor;
  indices: Tensor;
}

const SORT_OPTIONS: OptionNames<SortOptions> = { axis: true, descending: 'boolean' };
const TOPK_OPTIONS: OptionNames<TopkOptions> = { axis: true, largest: 'boolean' };

/** x's entries along `axis` in order, with their positions. */
export function sort(x: Tensor, options: SortOptions = {}): Sorted {
  const { axis = -1, descending = false } = checkOptions('sort', options, SORT_OPTIONS);
  checkTensor('sort', x);
  const a = axisOf('sort', x, axis);
  return ordered('sort', x, a, x.rank ? x.shape[a] : 1, descending);
}

/** The positions that sort x along `axis` (i32). */
export function argsort(x: Tensor, options: SortOptions = {}): Tensor {
  const { axis = -1, descending = false } = checkOptions('argsort', options, SORT_OPTIONS);
  checkTensor('argsort', x);
  const a = axisOf('argsort', x, axis);
  const { values, indices } = ordered('argsort', x, a, x.rank ? x.shape[a] : 1, descending);
  values.dispose();
  return indices;
}

/** The k largest (or smallest) entries along `axis`, in order, with their positions. */
export function topk(x: Tensor, k: number, options: TopkOptions = {}): Sorted {
  const { axis = -1, largest = true } = checkOptions('topk', options, TOPK_OPTIONS);
  checkTensor('topk', x);
  const a = axisOf('topk', x, axis);
  const n = x.rank ? x.shape[a] : 1;
  if (!Number.isSafeInteger(k) || k < 0 || k > n) {
    throw new ValueError(`topk: k must be an integer in [0, ${n}] (the size of axis ${axis} of x ${formatShape(x.shape)}), got ${formatValue(k)}`);
  }
  return ordered('topk', x, a, k, largest);
}

function axisOf(op: string, x: Tensor, axis: number): number {
  if (x.rank === 0) {
    if (axis !== -1 && axis !== 0) throw new ShapeError(`${op}: x is a scalar: axis must be 0 or -1, got ${formatValue(axis)}`);
    return 0;
  }
  return normalizeAxis(op, axis, x.rank);
}

/** The first k of x's entries along axis `a` in order: the axis moved last, sorted row by row, moved back. */
function ordered(op: string, x: Tensor, a: number, k: number, descending: boolean): Sorted {
  return tidy(() => {
    const shape = x.rank ? x.shape : [1];
    const last = shape.length - 1;
    const perm = shape.map((_, i) => (i === a ? last : i === last ? a : i));
    const moved = a === last ? reshape(x, shape) : transpose(x, perm);
    const n = shape[a];
    const rows = sizeOf(moved.shape.slice(0, -1));
    const outShape = [...moved.shape.slice(0, -1), k];
    const back = (t: Tensor): Tensor => {
      const placed = a === last ? t : transpose(t, perm);
      return x.rank ? placed : reshape(placed, []);
    };
    // Nothing kept: an empty slice of x (so a backward through it gives x a gradient of zeros, as PyTorch's).
    if (rows * k === 0) return { values: back(slice(moved, moved.shape.map(() => 0), outShape)), indices: back(zeros(outShape, { dtype: 'i32' })) };
    const flat = reshape(moved, [rows, n]);
    const backend = x.dataRef(op).backend;
    const positions = computed(op, backend, [rows, k], 'i32', () => backend.sortIndices(flat.info(op), k, descending));
    // Each row's positions as offsets into x laid flat, to gather the values (and route their gradient).
    const offsets = positions.add(arange(0, rows * n, n, { dtype: 'i32' }).reshape([rows, 1]));
    const values = gather(reshape(flat, [rows * n]), reshape(offsets, [rows * k])).reshape(outShape);
    return { values: back(values), indices: back(positions.reshape(outShape)) };
  });
}
