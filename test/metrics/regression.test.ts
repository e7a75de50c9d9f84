// tm.metrics' regression metrics on every backend against float64
// references written here as scikit-learn's code computes them (per output,
// then averaged: r2_score and explained_variance_score with force_finite,
// mean_absolute_error, mean_squared_error and its root,
// mean_absolute_percentage_error with float64's epsilon), on fresh random
// data of 1, 7, 13 and 1,000 samples, one output and three (one of them a
// constant target, one predicted with a constant bias), every multioutput;
// then scikit-learn's documented examples and every bad input's error.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose, expectExact, randomInts, uniform } from '../helpers/data.js';

const SIZES = [1, 7, 13, 1000];
const EPSILON = 2 ** -52;

/** Output j of [n, d] values. */
const column = (v: ArrayLike<number>, n: number, d: number, j: number) => Array.from({ length: n }, (_, i) => v[i * d + j]);
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const variance = (v: number[]) => mean(v.map((x) => (x - mean(v)) ** 2));

/** scikit-learn's _assemble_r2_explained_variance: 1 − num/den per output, force_finite, then averaged. */
function assembled(numerators: number[], denominators: number[], multioutput: string): number[] {
  const scores = numerators.map((num, j) => (denominators[j] !== 0 ? 1 - num / denominators[j] : num !== 0 ? 0 : 1));
  if (multioutput === 'raw_values') return scores;
  const weights = multioutput === 'variance_weighted' && denominators.some((d) => d !== 0) ? denominators : scores.map(() => 1);
  return [scores.reduce((a, s, j) => a + s * weights[j], 0) / weights.reduce((a, b) => a + b, 0)];
}

function r2Ref(p: ArrayLike<number>, t: ArrayLike<number>, n: number, d: number, multioutput: string): number[] {
  if (n < 2) return multioutput === 'raw_values' ? new Array(d).fill(NaN) : [NaN];
  const cols = Array.from({ length: d }, (_, j) => [column(p, n, d, j), column(t, n, d, j)]);
  return assembled(
    cols.map(([pc, tc]) => tc.reduce((a, x, i) => a + (x - pc[i]) ** 2, 0)),
    cols.map(([, tc]) => tc.reduce((a, x) => a + (x - mean(tc)) ** 2, 0)),
    multioutput,
  );
}

function explainedRef(p: ArrayLike<number>, t: ArrayLike<number>, n: number, d: number, multioutput: string): number[] {
  const cols = Array.from({ length: d }, (_, j) => [column(p, n, d, j), column(t, n, d, j)]);
  return assembled(cols.map(([pc, tc]) => variance(tc.map((x, i) => x - pc[i]))), cols.map(([, tc]) => variance(tc)), multioutput);
}

/** The mean over samples of `term` per output, then their mean unless raw_values (`finish` on each output's mean first). */
function errorRef(p: ArrayLike<number>, t: ArrayLike<number>, n: number, d: number, multioutput: string, term: (p: number, t: number) => number, finish = (x: number) => x): number[] {
  const perOutput = Array.from({ length: d }, (_, j) => finish(mean(column(p, n, d, j).map((pv, i) => term(pv, t[i * d + j])))));
  return multioutput === 'raw_values' ? perOutput : [mean(perOutput)];
}

/** Targets and predictions [n, 3]: output 0 random, output 1 a constant target (2.5), output 2 the target plus 2 (on a grid of eighths, so exact). */
function threeOutputs(n: number): { p: Float32Array; t: Float32Array } {
  const [t, p] = [new Float32Array(n * 3), new Float32Array(n * 3)];
  const [a, b] = [uniform(n, -3, 3), uniform(n, -3, 3)];
  const eighths = randomInts(n, -40, 40);
  for (let i = 0; i < n; i++) {
    [t[i * 3], p[i * 3]] = [a[i], a[i] + 0.5 * b[i]];
    [t[i * 3 + 1], p[i * 3 + 1]] = [2.5, b[i]];
    [t[i * 3 + 2], p[i * 3 + 2]] = [eighths[i] / 8, eighths[i] / 8 + 2];
  }
  return { p, t };
}

describe.each(BACKENDS)('regression metrics on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each(SIZES)('one output [N]: r2Score, explainedVariance and the mean errors, N = %i', async (n) => {
    const t = Float32Array.from(uniform(n, -3, 3));
    const p = Float32Array.from(uniform(n, -3, 3), (v, i) => t[i] + 0.7 * v);
    // Some targets exactly 0, where the percentage error divides by ε.
    if (n > 3) t[2] = 0;
    const args = () => [tm.tensor(p), tm.tensor(t)] as const;
    const u = 'uniform_average';
    expectClose(await tm.metrics.r2Score(...args()).data(), r2Ref(p, t, n, 1, u), 1e-5);
    expectClose(await tm.metrics.explainedVariance(...args()).data(), explainedRef(p, t, n, 1, u), 1e-5);
    expectClose(await tm.metrics.meanAbsoluteError(...args()).data(), errorRef(p, t, n, 1, u, (a, b) => Math.abs(a - b)), 1e-5);
    expectClose(await tm.metrics.meanSquaredError(...args()).data(), errorRef(p, t, n, 1, u, (a, b) => (a - b) ** 2), 1e-5);
    expectClose(await tm.metrics.meanSquaredError(...args(), { squared: false }).data(), errorRef(p, t, n, 1, u, (a, b) => (a - b) ** 2, Math.sqrt), 1e-5);
    const mape = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), EPSILON);
    expectClose(await tm.metrics.meanAbsolutePercentageError(...args()).data(), errorRef(p, t, n, 1, u, mape), 1e-5);
    // Predicted exactly: R² 1 (but NaN for one sample), errors 0.
    expectExact(await tm.metrics.r2Score(tm.tensor(t), tm.tensor(t)).data(), [n < 2 ? NaN : 1]);
    expectExact(await tm.metrics.meanSquaredError(tm.tensor(t), tm.tensor(t)).data(), [0]);
  });

  it.each(SIZES)('three outputs [N, 3] (one target constant, one predicted with a bias), every multioutput, N = %i', async (n) => {
    const { p, t } = threeOutputs(n);
    const args = () => [tm.tensor(p, [n, 3]), tm.tensor(t, [n, 3])] as const;
    for (const multioutput of ['uniform_average', 'raw_values', 'variance_weighted'] as const) {
      expectClose(await tm.metrics.r2Score(...args(), { multioutput }).data(), r2Ref(p, t, n, 3, multioutput), 1e-5, `r2 ${multioutput}`);
      expectClose(await tm.metrics.explainedVariance(...args(), { multioutput }).data(), explainedRef(p, t, n, 3, multioutput), 1e-5, `ev ${multioutput}`);
    }
    for (const multioutput of ['uniform_average', 'raw_values'] as const) {
      expectClose(await tm.metrics.meanAbsoluteError(...args(), { multioutput }).data(), errorRef(p, t, n, 3, multioutput, (a, b) => Math.abs(a - b)), 1e-5);
      expectClose(await tm.metrics.meanSquaredError(...args(), { multioutput }).data(), errorRef(p, t, n, 3, multioutput, (a, b) => (a - b) ** 2), 1e-5);
      expectClose(
        await tm.metrics.meanSquaredError(...args(), { multioutput, squared: false }).data(), errorRef(p, t, n, 3, multioutput, (a, b) => (a - b) ** 2, Math.sqrt), 1e-5,
      );
      const mape = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), EPSILON);
      expectClose(await tm.metrics.meanAbsolutePercentageError(...args(), { multioutput }).data(), errorRef(p, t, n, 3, multioutput, mape), 1e-5);
    }
  });

  it("scikit-learn's documented examples", async () => {
    // The regression metrics' docs: y_true [3, −0.5, 2, 7], y_pred [2.5, 0, 2, 8] → r2_score 0.948…,
    // explained_variance_score 0.957…, mean_absolute_error 0.5, mean_squared_error 0.375, root 0.612…,
    // mean_absolute_percentage_error 0.3273….
    const args = () => [tm.tensor([2.5, 0, 2, 8]), tm.tensor([3, -0.5, 2, 7])] as const;
    expectClose(await tm.metrics.r2Score(...args()).data(), [1 - 1.5 / 29.1875], 1e-6);
    expectClose(await tm.metrics.explainedVariance(...args()).data(), [1 - 0.3125 / 7.296875], 1e-6);
    expectExact(await tm.metrics.meanAbsoluteError(...args()).data(), [0.5]);
    expectExact(await tm.metrics.meanSquaredError(...args()).data(), [0.375]);
    expectClose(await tm.metrics.meanSquaredError(...args(), { squared: false }).data(), [Math.sqrt(0.375)], 1e-7);
    expectClose(await tm.metrics.meanAbsolutePercentageError(...args()).data(), [(0.5 / 3 + 1 + 0 + 1 / 7) / 4], 1e-6);
    // Two outputs: y_true [[0.5, 1], [−1, 1], [7, −6]], y_pred [[0, 2], [−1, 2], [8, −5]] → r2 'variance_weighted' 0.938…,
    // uniform 0.936…; explained_variance 'raw_values' [0.967…, 1]; mean_absolute_error 'raw_values' [0.5, 1];
    // mean_squared_error 'raw_values' [0.416…, 1].
    const two = () => [tm.tensor([[0, 2], [-1, 2], [8, -5]]), tm.tensor([[0.5, 1], [-1, 1], [7, -6]])] as const;
    expectClose(await tm.metrics.r2Score(...two(), { multioutput: 'variance_weighted' }).data(), [0.9382566585551724], 1e-6);
    expectClose(await tm.metrics.r2Score(...two()).data(), [0.9368005266622779], 1e-6);
    expectClose(await tm.metrics.explainedVariance(...two(), { multioutput: 'raw_values' }).data(), [0.9677419354838710, 1], 1e-6);
    expectExact(await tm.metrics.meanAbsoluteError(...two(), { multioutput: 'raw_values' }).data(), [0.5, 1]);
    expectClose(await tm.metrics.meanSquaredError(...two(), { multioutput: 'raw_values' }).data(), [0.5 / 1.2, 1], 1e-6);
    // r2_score docs: a constant target predicted exactly scores 1, otherwise 0 (force_finite).
    expectExact(await tm.metrics.r2Score(tm.tensor([-2, -2, -2]), tm.tensor([-2, -2, -2])).data(), [1]);
    expectExact(await tm.metrics.r2Score(tm.tensor([-2, -2, -1]), tm.tensor([-2, -2, -2])).data(), [0]);
    expectExact(await tm.metrics.r2Score(tm.tensor([3, 2, 1]), tm.tensor([1, 2, 3])).data(), [-3]);
  });

  it('bad inputs: mismatched shapes (both named), empty inputs, more than two axes, unknown options', () => {
    expect(() => tm.metrics.r2Score(tm.zeros([4, 2]), tm.zeros([4]))).toThrow(tm.ShapeError);
    expect(() => tm.metrics.r2Score(tm.zeros([4, 2]), tm.zeros([4]))).toThrow('r2Score: prediction [4,2] and target [4] differ');
    expect(() => tm.metrics.meanSquaredError(tm.zeros([0]), tm.zeros([0]))).toThrow('meanSquaredError: prediction [0] is empty: a metric needs at least one sample');
    expect(() => tm.metrics.meanAbsoluteError(tm.zeros([2, 2, 2]), tm.zeros([2, 2, 2]))).toThrow('meanAbsoluteError: prediction and target must be [N] or [N, outputs], got [2,2,2]');
    expect(() => tm.metrics.meanAbsoluteError(tm.zeros([2]), tm.zeros([2]), { multioutput: 'variance_weighted' as 'raw_values' })).toThrow(
      `meanAbsoluteError: multioutput must be 'uniform_average', 'raw_values', got "variance_weighted"`,
    );
    expect(() => tm.metrics.r2Score(tm.zeros([2]), tm.zeros([2]), { multioutput: 'raw' as 'raw_values' })).toThrow(
      `r2Score: multioutput must be 'uniform_average', 'raw_values', 'variance_weighted', got "raw"`,
    );
    expect(() => tm.metrics.meanSquaredError(tm.zeros([2]), tm.zeros([2]), { squared: 'no' as unknown as boolean })).toThrow('meanSquaredError: squared must be true or false, got "no"');
    expect(() => tm.metrics.meanSquaredError(tm.zeros([2]), tm.zeros([2]), { multiOutput: 'raw_values' } as object)).toThrow('(did you mean multioutput?)');
  });

  it('leaves no tensors behind and records no gradient', () => {
    const { p, t } = threeOutputs(9);
    const [pred, target] = [tm.tensor(p, [9, 3]), tm.tensor(t, [9, 3])];
    pred.requiresGrad = true;
    const before = tm.memory().numTensors;
    for (const multioutput of ['uniform_average', 'raw_values', 'variance_weighted'] as const) {
      tm.metrics.r2Score(pred, target, { multioutput }).dispose();
      tm.metrics.explainedVariance(pred, target, { multioutput }).dispose();
    }
    tm.metrics.meanSquaredError(pred, target, { squared: false }).dispose();
    tm.metrics.meanAbsolutePercentageError(pred, target).dispose();
    expect(tm.memory().numTensors).toBe(before);
    expect(tm.metrics.meanAbsoluteError(pred, target).requiresGrad).toBe(false);
  });
});
