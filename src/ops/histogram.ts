// Histograms of values, counted on the device: torch.histc (equal bins,
// each value's bin worked out elementwise), torch.histogram / NumPy's
// histogram (any edges, each value's bin found by binary search, weights,
// densities) and their multidimensional forms (histogramdd, histogram2d: a
// bin per dimension, combined into a cell's flat index). The counts are added up by gather's gradient kernel (a
// scatter-add of ones, or of the weights), so no value is read back, on a
// GPU too.
import { floatDTypeOf, isFloat } from '../dtype.js';
import { tidy } from '../engine.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import { sameShape } from '../shape.js';
import { noGrad } from '../tape.js';
import { Tensor } from '../tensor.js';
import { cast } from './cast.js';
import { arange, linspace, ones } from './creation.js';
import { add, div, equal, floor, greater, greaterEqual, lessEqual, minimum, mul, sub, where } from './elementwise.js';
import { along } from './indexing.js';
import { isNaN } from './logical.js';
import { reshape, scatterRows, stack } from './movement.js';
import { max, min, sum } from './reduce.js';
import { searchsorted } from './search.js';
import { checkTensor, onBackendOf } from './util.js';

/** The smallest and largest values, NaN left out, each moved out by `widen` where they are equal (histc's 1, NumPy's ½). */
function dataRange(values: Tensor, widen: number): [Tensor, Tensor] {
  const [lo, hi] = [min(where(isNaN(values), Infinity, values)), max(where(isNaN(values), -Infinity, values))];
  const flat = equal(lo, hi);
  return [where(flat, sub(lo, widen), lo), where(flat, add(hi, widen), hi)];
}

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
      // The data's own range; one either side where every value is the same.
      const [below, above] = dataRange(values, 1);
      lo = below;
      width = sub(above, below);
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

export interface HistogramOptions {
  /** How many equal bins (default 100), or their edges: an ascending 1-D tensor of (bins + 1) values. */
  bins?: number | Tensor;
  /**
   * The lower end of the first bin and the upper end of the last, for a
   * number of bins; by default the data's smallest and largest values (NaN
   * left out), 0 and 1 for no data. Where the two are equal they are
   * widened by 0.5 either way, as NumPy does.
   */
  range?: readonly [number, number];
  /** A weight for each value (x's shape): a value adds its weight to its bin, not 1. */
  weight?: Tensor;
  /** Each bin divided by the total and by its width, so that the histogram integrates to 1 over the range. */
  density?: boolean;
}

const HISTOGRAM_OPTIONS: OptionNames<HistogramOptions> = { bins: true, range: true, weight: true, density: 'boolean' };

/**
 * How many values of x fall in each bin (torch.histogram, np.histogram):
 * `{ hist, binEdges }`, bin i holding edges[i] ≤ v < edges[i + 1] and the
 * last its upper edge too; values outside the edges and NaN are left out.
 * Equal bins' edges are linspace's over the range, worked in float64 where
 * the range is given; edges passed in are used as they are (not checked to
 * be ascending: that would mean reading them back). Both come in x's float
 * dtype (f32 for ints). If the data has no finite range (±∞ in it, or
 * nothing but NaN), the edges are not finite either: give `range`. No
 * gradient, as PyTorch's.
 */
export function histogram(x: Tensor, options: HistogramOptions = {}): { hist: Tensor; binEdges: Tensor } {
  const { bins = 100, range, weight, density = false } = checkOptions('histogram', options, HISTOGRAM_OPTIONS);
  checkTensor('histogram', x);
  const dtype = floatDTypeOf(x.dtype);
  if (weight !== undefined) {
    checkTensor('histogram', weight, 'weight');
    if (!sameShape(weight.shape, x.shape)) throw new ShapeError(`histogram: weight ${formatShape(weight.shape)} must have x's shape ${formatShape(x.shape)}`);
    if (!isFloat(weight.dtype)) throw new DTypeError(`histogram: weight must be f32 or f16, got ${weight.dtype}`);
  }
  if (bins instanceof Tensor) {
    checkTensor('histogram', bins, 'bins');
    if (bins.rank !== 1 || bins.size < 2) throw new ShapeError(`histogram: bin edges must be 1-D with at least two values (one bin), got ${formatShape(bins.shape)}`);
    if (range !== undefined) throw new ValueError('histogram: range goes with a number of bins, not with bin edges');
  } else if (!Number.isSafeInteger(bins) || bins < 1) {
    throw new ValueError(`histogram: bins must be a positive integer or a tensor of edges, got ${formatValue(bins)}`);
  }
  if (range !== undefined && (!Array.isArray(range) || range.length !== 2 || !range.every((v) => typeof v === 'number' && Number.isFinite(v)) || range[0] > range[1])) {
    throw new ValueError(`histogram: range must be [lo, hi], finite numbers with lo ≤ hi, got ${formatValue(range)}`);
  }
  return noGrad(() => tidy(() => {
    const values = reshape(x.dtype === dtype ? x : cast(x, dtype), [x.size]);
    const edges = bins instanceof Tensor ? (bins.dtype === dtype ? reshape(bins, [bins.size]) : cast(bins, dtype)) : equalEdges(values, bins, range);
    const count = edges.size - 1;
    const added = weight === undefined ? onBackendOf('histogram', x, () => ones([x.size])) : reshape(weight.dtype === 'f32' ? weight : cast(weight, 'f32'), [x.size]);
    let hist = scatterRows(added, binOf(values, edges), [count], 0);
    if (density) hist = div(div(hist, sum(hist)), widths(edges));
    return { hist: hist.dtype === dtype ? hist : cast(hist, dtype), binEdges: edges };
  }));
}

/**
 * Each value's bin among `edges` (count + 1 of them): bin i holds edges[i]
 * ≤ v < edges[i + 1], one less than the count of edges ≤ v, and the last
 * edge is in the last bin; values outside (and NaN) get `count`, past the
 * end, where a scatter adds nothing.
 */
function binOf(values: Tensor, edges: Tensor): Tensor {
  const count = edges.size - 1;
  const [first, last] = [along(edges, 0, 0, 1), along(edges, 0, count, 1)];
  const inside = mul(greaterEqual(values, first), lessEqual(values, last));
  const bin = minimum(sub(searchsorted(edges, values, { right: true }), 1), count - 1);
  return where(inside, bin, count);
}

/** The widths of the bins between `edges`. */
const widths = (edges: Tensor) => sub(along(edges, 0, 1, edges.size - 1), along(edges, 0, 0, edges.size - 1));

export interface HistogramddOptions {
  /** How many equal bins in every dimension (default 10, NumPy's), one count per dimension, or each dimension's edges (ascending 1-D tensors). */
  bins?: number | readonly number[] | readonly Tensor[];
  /** Each dimension's [lo, hi] for equal bins (NumPy's pairs; torch's flat list of 2·D numbers is taken too); by default the data's, as histogram's. */
  range?: readonly (readonly [number, number])[] | readonly number[];
  /** A weight for each point ([...] of x's shape less its last axis). */
  weight?: Tensor;
  /** Each bin divided by the total and by its volume, so that the histogram integrates to 1. */
  density?: boolean;
}

const HISTOGRAMDD_OPTIONS: OptionNames<HistogramddOptions> = { bins: true, range: true, weight: true, density: 'boolean' };

/**
 * The multidimensional histogram of points x [..., D], the last axis their
 * coordinates (torch.histogramdd, np.histogramdd): `{ hist, binEdges }`,
 * hist [b₀, …, b_{D−1}] counting the points in each cell, binEdges the D
 * edge tensors. Each dimension is binned as histogram bins it (the last
 * edge in the last bin); a point outside the edges in any dimension, or
 * with a NaN coordinate, is left out. In x's float dtype (f32 for ints), no
 * gradient, counted on the device as histogram is.
 */
export function histogramdd(x: Tensor, options: HistogramddOptions = {}): { hist: Tensor; binEdges: Tensor[] } {
  const op = 'histogramdd';
  const { bins = 10, range, weight, density = false } = checkOptions(op, options, HISTOGRAMDD_OPTIONS);
  checkTensor(op, x);
  if (x.rank < 1 || x.shape[x.rank - 1] < 1) throw new ShapeError(`${op}: x must be points [..., D] with D ≥ 1 coordinates on its last axis, got ${formatShape(x.shape)}`);
  const d = x.shape[x.rank - 1];
  const points = x.size / d;
  const perDimension = <T>(value: T | readonly T[], name: string): T[] => {
    if (!Array.isArray(value)) return new Array<T>(d).fill(value as T);
    if (value.length !== d) throw new ValueError(`${op}: ${name} must give one entry per dimension (${d} for x ${formatShape(x.shape)}), got ${value.length}`);
    return [...value];
  };
  const binsOf = perDimension<number | Tensor>(bins as number | Tensor | readonly (number | Tensor)[], 'bins');
  for (const b of binsOf) {
    if (b instanceof Tensor) {
      checkTensor(op, b, 'bins');
      if (b.rank !== 1 || b.size < 2) throw new ShapeError(`${op}: bin edges must be 1-D with at least two values (one bin), got ${formatShape(b.shape)}`);
    } else if (!Number.isSafeInteger(b) || b < 1) throw new ValueError(`${op}: bins must be positive integers or tensors of edges, got ${formatValue(bins)}`);
  }
  let ranges: (readonly [number, number] | undefined)[] = new Array(d).fill(undefined);
  if (range !== undefined) {
    const pairs = Array.isArray(range) && range.length === 2 * d && range.every((v) => typeof v === 'number') ? Array.from({ length: d }, (_, i) => [range[2 * i], range[2 * i + 1]] as const) : range;
    ranges = perDimension(pairs as readonly (readonly [number, number])[], 'range');
    for (const r of ranges) {
      if (!Array.isArray(r) || r.length !== 2 || !r.every((v) => typeof v === 'number' && Number.isFinite(v)) || r[0] > r[1]) {
        throw new ValueError(`${op}: range must give [lo, hi] per dimension, finite numbers with lo ≤ hi, got ${formatValue(range)}`);
      }
    }
    if (binsOf.some((b) => b instanceof Tensor)) throw new ValueError(`${op}: range goes with numbers of bins, not with bin edges`);
  }
  if (weight !== undefined) {
    checkTensor(op, weight, 'weight');
    if (weight.size !== points || !sameShape(weight.shape, x.shape.slice(0, -1))) throw new ShapeError(`${op}: weight ${formatShape(weight.shape)} must have one value per point, ${formatShape(x.shape.slice(0, -1))}`);
    if (!isFloat(weight.dtype)) throw new DTypeError(`${op}: weight must be f32 or f16, got ${weight.dtype}`);
  }
  const dtype = floatDTypeOf(x.dtype);
  return noGrad(() => tidy(() => {
    const coordinates = reshape(x.dtype === dtype ? x : cast(x, dtype), [points, d]);
    const edges = binsOf.map((b, i) => {
      if (b instanceof Tensor) return b.dtype === dtype ? reshape(b, [b.size]) : cast(b, dtype);
      return equalEdges(reshape(along(coordinates, 1, i, 1), [points]), b, ranges[i]);
    });
    const counts = edges.map((e) => e.size - 1);
    const total = counts.reduce((p, c) => p * c, 1);
    // The cell's flat index, row-major over the dimensions; `total` (past the end) where any coordinate is outside its edges.
    let cell: Tensor | number = 0;
    let outside: Tensor | number = 0;
    edges.forEach((e, i) => {
      const bin = binOf(reshape(along(coordinates, 1, i, 1), [points]), e);
      const stride = counts.slice(i + 1).reduce((p, c) => p * c, 1);
      cell = add(cell, mul(bin, stride));
      outside = add(outside, equal(bin, counts[i]));
    });
    const added = weight === undefined ? onBackendOf(op, x, () => ones([points])) : reshape(weight.dtype === 'f32' ? weight : cast(weight, 'f32'), [points]);
    let hist = reshape(scatterRows(added, where(greater(outside, 0), total, cell), [total], 0), counts);
    if (density) {
      const volume = edges.reduce<Tensor | number>((v, e, i) => mul(v, reshape(widths(e), counts.map((c, j) => (j === i ? c : 1)))), 1);
      hist = div(div(hist, sum(hist)), volume);
    }
    return { hist: hist.dtype === dtype ? hist : cast(hist, dtype), binEdges: edges };
  }));
}

/** np.histogram2d's options: histogramdd's, with weight one per (x, y) pair. */
export type Histogram2dOptions = HistogramddOptions;

/** The 2-D histogram of the pairs (x[i], y[i]) (np.histogram2d): histogramdd of the points stacked, hist [bx, by] with x along rows. */
export function histogram2d(x: Tensor, y: Tensor, options: Histogram2dOptions = {}): { hist: Tensor; xEdges: Tensor; yEdges: Tensor } {
  checkTensor('histogram2d', x, 'x');
  checkTensor('histogram2d', y, 'y');
  if (x.rank !== 1 || !sameShape(x.shape, y.shape)) throw new ShapeError(`histogram2d: x ${formatShape(x.shape)} and y ${formatShape(y.shape)} must be vectors of one length`);
  return tidy(() => {
    const { hist, binEdges } = histogramdd(stack([x, y], -1), options);
    return { hist, xEdges: binEdges[0], yEdges: binEdges[1] };
  });
}

/** `bins` + 1 evenly spaced edges over the range given, or over the data's (NaN left out), NumPy's way. */
function equalEdges(values: Tensor, bins: number, range: readonly [number, number] | undefined): Tensor {
  const dtype = values.dtype;
  const widened = ([lo, hi]: readonly [number, number]) => onBackendOf('histogram', values, () => linspace(lo === hi ? lo - 0.5 : lo, lo === hi ? hi + 0.5 : hi, bins + 1, { dtype }));
  if (range !== undefined) return widened(range);
  if (values.size === 0) return widened([0, 1]);
  const [lo, hi] = dataRange(values, 0.5);
  // lo + k·(hi − lo) / bins, the last edge hi itself.
  const steps = onBackendOf('histogram', values, () => arange(0, bins + 1, 1, { dtype }));
  return where(equal(steps, bins), hi, add(lo, mul(steps, div(sub(hi, lo), bins))));
}
