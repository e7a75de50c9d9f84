// tm.metrics.pearsonCorrcoef and spearmanCorrcoef on every backend against
// float64 references written here (Pearson's r of the values; of SciPy's
// rankdata 'average' ranks for Spearman's), on fresh random data of 1, 7,
// 13 and 1,000 samples, [N] and per column of [N, 3], distinct and with
// many ties; a constant side gives NaN, as SciPy's; then SciPy's documented
// examples and the errors.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose, expectExact, uniform } from '../helpers/data.js';

const SIZES = [1, 7, 13, 1000];

function pearsonRef(x: number[], y: number[]): number {
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const [mx, my] = [mean(x), mean(y)];
  let [sxy, sxx, syy] = [0, 0, 0];
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  const constant = (v: number[]) => v.every((e) => e === v[0]);
  return constant(x) || constant(y) ? NaN : sxy / Math.sqrt(sxx * syy);
}

/** Ranks from 1, ties given their average (rankdata 'average'). */
function ranksRef(v: number[]): number[] {
  const order = v.map((_, i) => i).sort((a, b) => v[a] - v[b]);
  const ranks = new Array<number>(v.length);
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && v[order[end + 1]] === v[order[start]]) end++;
    for (let k = start; k <= end; k++) ranks[order[k]] = (start + end) / 2 + 1;
    start = end + 1;
  }
  return ranks;
}

const spearmanRef = (x: number[], y: number[]) => pearsonRef(ranksRef(x), ranksRef(y));

/** Values in f32, distinct or rounded to a few (so tied often). */
const valuesOf = (n: number, levels?: number) => Float32Array.from(uniform(n, -2, 2).map((v) => (levels ? Math.round(v * levels) / levels : v)));
const column = (v: ArrayLike<number>, n: number, d: number, j: number) => Array.from({ length: n }, (_, i) => v[i * d + j]);

describe.each(BACKENDS)('correlation metrics on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each(SIZES)('pearsonCorrcoef and spearmanCorrcoef of [N] and per column of [N, 3], with ties, N = %i', async (n) => {
    for (const levels of [undefined, 4, 1]) {
      const x = valuesOf(n, levels);
      // Correlated through x, with noise; tied where x is.
      const y = Float32Array.from(valuesOf(n, levels), (v, i) => x[i] + 0.8 * v);
      const what = `levels ${levels}`;
      expectClose(await tm.metrics.pearsonCorrcoef(tm.tensor(x), tm.tensor(y)).data(), [pearsonRef(Array.from(x), Array.from(y))], 1e-4, what);
      expectClose(await tm.metrics.spearmanCorrcoef(tm.tensor(x), tm.tensor(y)).data(), [spearmanRef(Array.from(x), Array.from(y))], 1e-4, what);
      const [a, b] = [valuesOf(n * 3, levels), valuesOf(n * 3, levels)];
      // Column 2 of a constant: NaN there.
      for (let i = 0; i < n; i++) a[i * 3 + 2] = 0.7;
      const pearsons = [0, 1, 2].map((j) => pearsonRef(column(a, n, 3, j), column(b, n, 3, j)));
      const spearmans = [0, 1, 2].map((j) => spearmanRef(column(a, n, 3, j), column(b, n, 3, j)));
      expectClose(await tm.metrics.pearsonCorrcoef(tm.tensor(a, [n, 3]), tm.tensor(b, [n, 3])).data(), pearsons, 1e-4, `${what} [N, 3]`);
      expectClose(await tm.metrics.spearmanCorrcoef(tm.tensor(a, [n, 3]), tm.tensor(b, [n, 3])).data(), spearmans, 1e-4, `${what} [N, 3]`);
    }
  });

  it("SciPy's documented examples", async () => {
    // pearsonr docs: x [1 … 7], y [10, 9, 2.5, 6, 4, 3, 2] → −0.8285038835884277.
    expectClose(await tm.metrics.pearsonCorrcoef(tm.tensor([1, 2, 3, 4, 5, 6, 7]), tm.tensor([10, 9, 2.5, 6, 4, 3, 2])).data(), [-0.8285038835884277], 1e-6);
    // spearmanr docs: [1, 2, 3, 4, 5] and [5, 6, 7, 8, 7] (7 tied) → 0.8207826816681233.
    expectClose(await tm.metrics.spearmanCorrcoef(tm.tensor([1, 2, 3, 4, 5]), tm.tensor([5, 6, 7, 8, 7])).data(), [0.8207826816681233], 1e-6);
    // A monotone map keeps Spearman's at 1 where Pearson's is below it; a reversal gives −1.
    const x = tm.tensor([0.5, 1, 2, 3, 8]);
    expectExact(await tm.metrics.spearmanCorrcoef(x, x.exp()).data(), [1]);
    expectExact(await tm.metrics.spearmanCorrcoef(x, x.neg()).data(), [-1]);
  });

  it('bad inputs: mismatched shapes (both named), empty inputs; no tensors left behind', () => {
    expect(() => tm.metrics.pearsonCorrcoef(tm.zeros([4]), tm.zeros([5]))).toThrow('pearsonCorrcoef: prediction [4] and target [5] differ');
    expect(() => tm.metrics.spearmanCorrcoef(tm.zeros([0, 2]), tm.zeros([0, 2]))).toThrow('spearmanCorrcoef: prediction [0,2] is empty: a metric needs at least one sample');
    const [a, b] = [tm.tensor(valuesOf(30, 3), [10, 3]), tm.tensor(valuesOf(30), [10, 3])];
    const before = tm.memory().numTensors;
    tm.metrics.pearsonCorrcoef(a, b).dispose();
    tm.metrics.spearmanCorrcoef(a, b).dispose();
    expect(tm.memory().numTensors).toBe(before);
  });
});
