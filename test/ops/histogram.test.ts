// histc, histogram, histogramdd and histogram2d on every backend against counts worked out here in
// float64, with values kept off equal bins' edges (where f32 and float64 may
// put a value on either side) and put on given edges: given ranges and the
// data's own, values outside and NaN left out, the upper end in the last
// bin, weights and densities, f16 and ints; bad options refused by name.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, expectExact, randomInts, uniform } from '../helpers/data.js';

/** Values at random bins' middles ± a third of a bin, some below lo and above hi. */
function valuesIn(n: number, bins: number, lo: number, hi: number): Float64Array {
  const width = (hi - lo) / bins;
  return Float64Array.from(randomInts(n, -3, bins + 2), (b) => Math.fround(lo + (b + 0.5 + (Math.random() - 0.5) * 0.66) * width));
}

function histRef(values: ArrayLike<number>, bins: number, lo: number, hi: number): Float64Array {
  const counts = new Float64Array(bins);
  for (const v of Array.from(values)) if (v >= lo && v <= hi) counts[Math.min(Math.floor(((v - lo) / (hi - lo)) * bins), bins - 1)]++;
  return counts;
}

describe.each(BACKENDS)('histc on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it.each([[1000, 10, -2, 3], [7, 3, 0, 1], [4099, 129, -100, 50], [0, 5, 0, 1]])('%i values in %i bins from %d to %d: torch.histc', async (n, bins, lo, hi) => {
    const values = valuesIn(n, bins, lo, hi);
    if (n) values[0] = NaN;
    const y = tm.histc(tm.tensor(values, [n]), { bins, min: lo, max: hi });
    expect([y.shape, y.dtype]).toEqual([[bins], 'f32']);
    expectExact(await y.data(), histRef(values, bins, lo, hi), 'histc');
  });

  it('takes the data\'s range where min = max (the default), one either side where all values are equal; max itself goes in the last bin', async () => {
    const values = [2, 7, 4.5, 3, NaN, 7, 2];
    expect(await tm.histc(tm.tensor(values), { bins: 5 }).array()).toEqual([2, 1, 1, 0, 2]);
    expect(await tm.histc(tm.tensor([4, 4, 4]), { bins: 4 }).array()).toEqual([0, 0, 3, 0]);
    expect(await tm.histc(tm.tensor([0, 1, 1]), { bins: 2, min: 0, max: 1 }).array()).toEqual([1, 2]);
  });

  it('counts ints as f32 and f16 values in f16', async () => {
    const y = tm.histc(tm.tensor(new Int32Array([1, 2, 2, 9]), [4]), { bins: 3, min: 0, max: 3 });
    expect([y.dtype, await y.array()]).toEqual(['f32', [0, 1, 2]]);
    const h = tm.histc(tm.tensor([0.25, 0.75, 0.8], [3], { dtype: 'f16' }), { bins: 2, min: 0, max: 1 });
    expect([h.dtype, await h.array()]).toEqual(['f16', [1, 2]]);
  });

  it('refuses bad options by name', () => {
    const x = tm.ones([3]);
    expect(() => tm.histc(x, { bins: 0 })).toThrow(new tm.ValueError('histc: bins must be a positive integer, got 0'));
    expect(() => tm.histc(x, { min: 2, max: 1 })).toThrow(new tm.ValueError('histc: min 2 is above max 1'));
    expect(() => tm.histc(x, { max: Infinity })).toThrow(new tm.ValueError('histc: max must be a finite number, got Infinity'));
  });
});

/** np.histogram's counts over ascending edges: edges[i] ≤ v < edges[i + 1], the last edge in the last bin; NaN and outside left out. */
function histogramRef(values: ArrayLike<number>, edges: ArrayLike<number>, weights?: ArrayLike<number>): Float64Array {
  const hist = new Float64Array(edges.length - 1);
  Array.from(values).forEach((v, k) => {
    if (!(v >= edges[0] && v <= edges[edges.length - 1])) return;
    let i = 0;
    while (i < hist.length - 1 && v >= edges[i + 1]) i++;
    hist[i] += weights ? weights[k] : 1;
  });
  return hist;
}

/** np.linspace(lo, hi, bins + 1) rounded to f32, as the edges of a given range are made. */
const linspaceF32 = (lo: number, hi: number, bins: number) => asF32(Float64Array.from({ length: bins + 1 }, (_, i) => (i === bins ? hi : lo + (i * (hi - lo)) / bins)));

describe.each(BACKENDS)('histogram on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it.each([[1000, 10, -2, 3], [7, 3, 0, 1], [4099, 129, -100, 50], [0, 5, 0, 1]])('%i values in %i equal bins over [%d, %d]: np.histogram\'s counts and edges', async (n, bins, lo, hi) => {
    const values = valuesIn(n, bins, lo, hi);
    if (n) values[0] = NaN;
    const { hist, binEdges } = tm.histogram(tm.tensor(values, [n]), { bins, range: [lo, hi] });
    const edges = linspaceF32(lo, hi, bins);
    expect([hist.shape, hist.dtype, binEdges.shape]).toEqual([[bins], 'f32', [bins + 1]]);
    expectExact(await binEdges.data(), edges, 'edges');
    expectExact(await hist.data(), histogramRef(values, edges), 'hist');
  });

  it('counts by edges given, each value on an edge in the bin it starts (the last edge in the last bin), with weights, and as a density', async () => {
    const edges = [-1, 0, 0.5, 2, 10];
    const values = Float64Array.from([...asF32(uniform(300, -3, 12)), -1, 0, 0.5, 2, 10, NaN]);
    const weights = asF32(uniform(values.length, 0, 2));
    const x = tm.tensor(values);
    const counts = tm.histogram(x, { bins: tm.tensor(edges) });
    expectExact(await counts.hist.data(), histogramRef(values, edges), 'counts');
    expect(await counts.binEdges.array()).toEqual(edges);
    const weighted = tm.histogram(x, { bins: tm.tensor(edges), weight: tm.tensor(weights) });
    const want = histogramRef(values, edges, weights);
    expectClose(await weighted.hist.data(), want, 1e-5, 'weighted');
    const total = want.reduce((s, v) => s + v, 0);
    const density = tm.histogram(x, { bins: tm.tensor(edges), weight: tm.tensor(weights), density: true });
    expectClose(await density.hist.data(), want.map((v, i) => v / total / (edges[i + 1] - edges[i])), 1e-5, 'density');
  });

  it('takes the range from the data (NaN left out), widens one value by 0.5 either way, and spans [0, 1] for no data, as NumPy', async () => {
    const values = asF32(uniform(101, -3, 7));
    values[5] = NaN;
    const finite = values.filter((v) => !Number.isNaN(v));
    const [lo, hi] = [Math.min(...finite), Math.max(...finite)];
    const { hist, binEdges } = tm.histogram(tm.tensor(values), { bins: 7 });
    const edges = await binEdges.data();
    expectClose(edges, Float64Array.from({ length: 8 }, (_, i) => lo + (i * (hi - lo)) / 7), 1e-6, 'edges');
    expect([edges[0], edges[7]]).toEqual([lo, hi]);
    expectExact(await hist.data(), histogramRef(values, edges), 'hist');
    expect(await tm.histogram(tm.tensor([3, 3, 3]), { bins: 2 }).binEdges.array()).toEqual([2.5, 3, 3.5]);
    expect(await tm.histogram(tm.tensor([3, 3, 3]), { bins: 2 }).hist.array()).toEqual([0, 3]);
    expect(await tm.histogram(tm.zeros([0]), { bins: 2 }).binEdges.array()).toEqual([0, 0.5, 1]);
    expect(await tm.histogram(tm.tensor([1, 2]), { bins: 1, range: [4, 4] }).binEdges.array()).toEqual([3.5, 4.5]);
  });

  it('reads ints as f32 and keeps f16 in f16', async () => {
    const ints = tm.histogram(tm.tensor(new Int32Array([0, 1, 1, 5, 9]), [5]), { bins: 3, range: [0, 9] });
    expect([ints.hist.dtype, await ints.hist.array(), await ints.binEdges.array()]).toEqual(['f32', [3, 1, 1], [0, 3, 6, 9]]);
    const halves = tm.histogram(tm.tensor([0.25, 0.75, 0.8], [3], { dtype: 'f16' }), { bins: 2, range: [0, 1] });
    expect([halves.hist.dtype, halves.binEdges.dtype, await halves.hist.array()]).toEqual(['f16', 'f16', [1, 2]]);
  });

  it('refuses bad bins, range and weights by name', () => {
    const x = tm.ones([3]);
    expect(() => tm.histogram(x, { bins: 0 })).toThrow(new tm.ValueError('histogram: bins must be a positive integer or a tensor of edges, got 0'));
    expect(() => tm.histogram(x, { bins: tm.ones([1]) })).toThrow(new tm.ShapeError('histogram: bin edges must be 1-D with at least two values (one bin), got [1]'));
    expect(() => tm.histogram(x, { bins: tm.ones([3]), range: [0, 1] })).toThrow(new tm.ValueError('histogram: range goes with a number of bins, not with bin edges'));
    expect(() => tm.histogram(x, { range: [2, 1] })).toThrow(new tm.ValueError('histogram: range must be [lo, hi], finite numbers with lo ≤ hi, got [2, 1]'));
    expect(() => tm.histogram(x, { weight: tm.ones([4]) })).toThrow(new tm.ShapeError('histogram: weight [4] must have x\'s shape [3]'));
    expect(() => tm.histogram(x, { weight: tm.ones([3], { dtype: 'i32' }) })).toThrow(new tm.DTypeError('histogram: weight must be f32 or f16, got i32'));
  });
});

/** Each point's cell in float64, row-major over the dimensions; the points outside any dimension's edges (or NaN) left out. */
function histogramddRef(points: ArrayLike<number>, d: number, edges: ArrayLike<number>[], weights?: ArrayLike<number>): Float64Array {
  const counts = edges.map((e) => e.length - 1);
  const hist = new Float64Array(counts.reduce((p, c) => p * c, 1));
  for (let k = 0; k < points.length / d; k++) {
    let cell = 0;
    let inside = true;
    for (let i = 0; i < d; i++) {
      const one = histogramRef([points[k * d + i]], edges[i]);
      const bin = one.indexOf(1);
      if (bin < 0) inside = false;
      cell = cell * counts[i] + bin;
    }
    if (inside) hist[cell] += weights ? weights[k] : 1;
  }
  return hist;
}

describe.each(BACKENDS)('histogramdd and histogram2d on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it('NumPy\'s and PyTorch\'s counts: points outside any range or with a NaN left out, the upper edges in the last cells, weights', async () => {
    const x = tm.tensor([[0.1, 0.2], [0.5, 0.9], [1, 1], [0.3, 0.7], [NaN, 0.5], [0.95, 0.05], [2, 0.5]]);
    // np.histogramdd(x, bins=[2, 3], range=[(0, 1), (0, 1)]).
    const { hist, binEdges } = tm.histogramdd(x, { bins: [2, 3], range: [[0, 1], [0, 1]] });
    expect([hist.shape, binEdges.length, await hist.array()]).toEqual([[2, 3], 2, [[1, 0, 1], [1, 0, 2]]]);
    // torch.histogramdd(x[:4], bins=[2, 3], range=[0., 1., 0., 1.], weight=[1, 2, 3, 4]): torch's flat range too.
    const first = tm.slice(x, [0, 0], [4, 2]);
    expect(await tm.histogramdd(first, { bins: [2, 3], range: [0, 1, 0, 1], weight: tm.tensor([1, 2, 3, 4]) }).hist.array()).toEqual([[1, 0, 4], [0, 0, 5]]);
    // np.histogramdd(x[:4], bins=3): each dimension's own range.
    const own = tm.histogramdd(first, { bins: 3 });
    expect(await own.hist.array()).toEqual([[1, 1, 0], [0, 0, 1], [0, 0, 1]]);
    expectClose(await own.binEdges[1].data(), [0.2, 0.46666666865348816, 0.7333333343267441, 1], 1e-6, 'edges of dimension 1');
  });

  it.each([[500, [4, 7, 3]], [97, [1, 5]], [2000, [10]]])('%i random points in cells %j: float64 counts, with given edges in one dimension, weights and a density', async (n, bins) => {
    const d = bins.length;
    const points = asF32(uniform(n * d, -1.2, 1.2));
    points[3] = NaN;
    const x = tm.tensor(points, [n, d]);
    const ranges = bins.map(() => [-1, 1] as const);
    const edges = bins.map((b) => linspaceF32(-1, 1, b));
    const { hist } = tm.histogramdd(x, { bins, range: ranges });
    expect(hist.shape).toEqual(bins);
    expectExact(await hist.data(), histogramddRef(points, d, edges), 'counts');
    const given = [tm.tensor([-1, -0.25, 0, 0.4, 1]), ...edges.slice(1).map((e) => tm.tensor(e))];
    const weights = asF32(uniform(n, 0, 2));
    const weighted = tm.histogramdd(x, { bins: given, weight: tm.tensor(weights), density: true });
    const want = histogramddRef(points, d, [[-1, -0.25, 0, 0.4, 1], ...edges.slice(1)], weights);
    const total = want.reduce((s, v) => s + v, 0);
    const widths = [[0.75, 0.25, 0.4, 0.6], ...edges.slice(1).map((e) => Array.from({ length: e.length - 1 }, (_, i) => e[i + 1] - e[i]))];
    const volume = (cell: number) => {
      let v = 1;
      for (let i = d - 1; i >= 0; i--) {
        v *= widths[i][cell % widths[i].length];
        cell = Math.floor(cell / widths[i].length);
      }
      return v;
    };
    expectClose(await weighted.hist.data(), want.map((v, cell) => v / total / volume(cell)), 1e-5, 'weighted density');
  });

  it('histogram2d: the points (x[i], y[i]), x along the rows, as np.histogram2d', async () => {
    // np.histogram2d([1, 2, 2, 3], [0, 0, 1, 1], bins=2, density=True).
    const { hist, xEdges, yEdges } = tm.histogram2d(tm.tensor([1, 2, 2, 3]), tm.tensor([0, 0, 1, 1]), { bins: 2, density: true });
    expect([await hist.array(), await xEdges.array(), await yEdges.array()]).toEqual([[[0.5, 0], [0.5, 1]], [1, 2, 3], [0, 0.5, 1]]);
    const ints = tm.histogram2d(tm.tensor(new Int32Array([0, 1, 1])), tm.tensor(new Int32Array([5, 5, 6])), { bins: [1, 2] });
    expect([ints.hist.dtype, await ints.hist.array()]).toEqual(['f32', [[2, 1]]]);
  });

  it('refuses bins, ranges, weights and shapes that do not fit, by name', () => {
    const x = tm.ones([4, 2]);
    expect(() => tm.histogramdd(x, { bins: [2, 3, 4] })).toThrow(new tm.ValueError('histogramdd: bins must give one entry per dimension (2 for x [4,2]), got 3'));
    expect(() => tm.histogramdd(x, { bins: 0 })).toThrow('histogramdd: bins must be positive integers or tensors of edges, got 0');
    expect(() => tm.histogramdd(x, { range: [[0, 1]] })).toThrow('histogramdd: range must give one entry per dimension (2 for x [4,2]), got 1');
    expect(() => tm.histogramdd(x, { range: [[1, 0], [0, 1]] })).toThrow('histogramdd: range must give [lo, hi] per dimension');
    expect(() => tm.histogramdd(x, { bins: [tm.ones([3]), tm.ones([3])], range: [[0, 1], [0, 1]] })).toThrow('histogramdd: range goes with numbers of bins, not with bin edges');
    expect(() => tm.histogramdd(x, { weight: tm.ones([3]) })).toThrow('histogramdd: weight [3] must have one value per point, [4]');
    expect(() => tm.histogramdd(tm.ones([4, 0]))).toThrow('histogramdd: x must be points [..., D] with D ≥ 1 coordinates on its last axis, got [4,0]');
    expect(() => tm.histogram2d(tm.ones([3]), tm.ones([4]))).toThrow('histogram2d: x [3] and y [4] must be vectors of one length');
  });
});
