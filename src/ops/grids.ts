// Tensors laid out on a grid of positions: coordinate grids (np.meshgrid),
// the indices of a triangle (torch.triu_indices, tril_indices), Vandermonde
// matrices (np.vander) and numbers spaced evenly on a log scale
// (np.logspace).
import { tidy } from '../engine.js';
import { ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import type { Tensor } from '../tensor.js';
import { ones, tensor, zeros } from './creation.js';
import { broadcastTo, concat, cumprod, flip, reshape } from './movement.js';
import { checkTensor, onBackendOf } from './util.js';

export interface MeshgridOptions {
  /** 'xy' (NumPy's default): the first two outputs' axes are swapped, as for plotting x across and y down; 'ij': matrix indexing (PyTorch's). */
  indexing?: 'xy' | 'ij';
}

const MESHGRID_OPTIONS: OptionNames<MeshgridOptions> = { indexing: true };

/**
 * Coordinate grids from vectors (np.meshgrid): with 'ij' indexing the k-th
 * output has shape [n0, n1, …] and varies along axis k only; with 'xy'
 * (the default) the first two axes are swapped. Broadcast copies, so a
 * gradient sums back into each vector.
 */
export function meshgrid(vectors: readonly Tensor[], options: MeshgridOptions = {}): Tensor[] {
  const { indexing = 'xy' } = checkOptions('meshgrid', options, MESHGRID_OPTIONS);
  if (indexing !== 'xy' && indexing !== 'ij') throw new ValueError(`meshgrid: indexing must be 'xy' or 'ij', got ${formatValue(indexing)}`);
  if (!Array.isArray(vectors)) throw new ValueError(`meshgrid: needs an array of vectors, got ${formatValue(vectors)}`);
  vectors.forEach((v, i) => {
    checkTensor('meshgrid', v, `vectors[${i}]`);
    if (v.rank > 1) throw new ShapeError(`meshgrid: vectors[${i}] ${formatShape(v.shape)} is not a vector or a scalar`);
  });
  const sizes = vectors.map((v) => v.size);
  // 'xy' puts the second vector's axis first: the grid [n1, n0, n2, …].
  const axisOf = (i: number) => (indexing === 'xy' && vectors.length > 1 && i < 2 ? 1 - i : i);
  const shape = sizes.map((_, d) => sizes[axisOf(d)]);
  return vectors.map((v, i) => tidy(() => broadcastTo(reshape(v, shape.map((s, d) => (d === axisOf(i) ? s : 1))), shape)));
}

export interface TriangleIndicesOptions {
  /** Which diagonal bounds the triangle: 0 the main one, 1 the one above it, -1 below. */
  offset?: number;
}

const TRIANGLE_OPTIONS: OptionNames<TriangleIndicesOptions> = { offset: true };

/** The [row, column] pairs (i32, [2, count], row by row) of the upper triangle of an n × m matrix (torch.triu_indices). */
export function triuIndices(n: number, m: number = n, options: TriangleIndicesOptions = {}): Tensor {
  return triangle('triuIndices', n, m, options, (row, column, offset) => column - row >= offset);
}

/** The [row, column] pairs of the lower triangle (torch.tril_indices). */
export function trilIndices(n: number, m: number = n, options: TriangleIndicesOptions = {}): Tensor {
  return triangle('trilIndices', n, m, options, (row, column, offset) => column - row <= offset);
}

function triangle(op: string, n: number, m: number, options: TriangleIndicesOptions, inside: (row: number, column: number, offset: number) => boolean): Tensor {
  const { offset = 0 } = checkOptions(op, options, TRIANGLE_OPTIONS);
  for (const [name, v] of [['n', n], ['m', m]] as const) {
    if (!Number.isSafeInteger(v) || v < 0) throw new ValueError(`${op}: ${name} must be a non-negative integer, got ${formatValue(v)}`);
  }
  if (!Number.isSafeInteger(offset)) throw new ValueError(`${op}: offset must be an integer, got ${formatValue(offset)}`);
  const rows: number[] = [];
  const columns: number[] = [];
  for (let r = 0; r < n; r++) for (let c = 0; c < m; c++) if (inside(r, c, offset)) (rows.push(r), columns.push(c));
  return tensor(Int32Array.from([...rows, ...columns]), [2, rows.length]);
}

export interface VanderOptions {
  /** Columns (default: x's length). */
  n?: number;
  /** Powers rising from x⁰ (default false: falling to it, NumPy's). */
  increasing?: boolean;
}

const VANDER_OPTIONS: OptionNames<VanderOptions> = { n: true, increasing: 'boolean' };

/**
 * The Vandermonde matrix of a vector (np.vander): [len, n] with column j
 * x^(n−1−j), or x^j where `increasing`. Powers are running products, exact
 * for ints (wrapping as products do); gradients flow to x.
 */
export function vander(x: Tensor, options: VanderOptions = {}): Tensor {
  checkTensor('vander', x);
  if (x.rank !== 1) throw new ShapeError(`vander: x ${formatShape(x.shape)} is not a vector`);
  const { n = x.size, increasing = false } = checkOptions('vander', options, VANDER_OPTIONS);
  if (!Number.isSafeInteger(n) || n < 0) throw new ValueError(`vander: n must be a non-negative integer, got ${formatValue(n)}`);
  if (n === 0) return onBackendOf('vander', x, () => zeros([x.size, 0], { dtype: x.dtype }));
  return tidy(() => {
    const column = reshape(x, [x.size, 1]);
    const factors = concat([onBackendOf('vander', x, () => ones([x.size, 1], { dtype: x.dtype })), broadcastTo(column, [x.size, n - 1])], 1);
    const rising = cumprod(factors, 1);
    return increasing ? rising : flip(rising, 1);
  });
}

export interface LogspaceOptions {
  /** Default 10. */
  base?: number;
  /** 'f32' (default) or 'f16'. */
  dtype?: 'f32' | 'f16';
}

const LOGSPACE_OPTIONS: OptionNames<LogspaceOptions> = { base: true, dtype: true };

/**
 * `num` numbers from base^start to base^stop, evenly spaced in their
 * exponents (np.logspace): each power worked out in float64 and rounded
 * once, the last exponent stop itself (as linspace's last value).
 */
export function logspace(start: number, stop: number, num: number, options: LogspaceOptions = {}): Tensor {
  const { base = 10, dtype = 'f32' } = checkOptions('logspace', options, LOGSPACE_OPTIONS);
  for (const [name, v] of [['start', start], ['stop', stop], ['base', base]] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new ValueError(`logspace: ${name} must be a finite number, got ${formatValue(v)}`);
  }
  if (!Number.isSafeInteger(num) || num < 0) throw new ValueError(`logspace: num must be a non-negative integer, got ${formatValue(num)}`);
  if (dtype !== 'f32' && dtype !== 'f16') throw new ValueError(`logspace: dtype must be 'f32' or 'f16', got ${formatValue(dtype)}`);
  const step = num > 1 ? (stop - start) / (num - 1) : 0;
  return tensor(Float64Array.from({ length: num }, (_, i) => base ** (i === num - 1 && num > 1 ? stop : start + i * step)), [num], { dtype });
}
