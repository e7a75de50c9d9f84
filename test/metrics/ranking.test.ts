// tm.metrics' ranking metrics on every backend against float64 references
// written here as scikit-learn's code computes them: _binary_clf_curve (a
// stable sort, highest first, one threshold per distinct score, the counts
// at its last entry), roc_curve's drop_intermediate, the trapezoids of
// roc_auc_score, average_precision_score's −Σ diff(recall)·precision, and
// its one-against-the-rest and multilabel averages. On fresh random scores
// of 1, 7, 13 and 1,000 samples, distinct and with many ties (scores
// rounded to a few values), classes absent from the target, every average;
// then scikit-learn's documented examples and every bad input's error.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose, expectExact, randomInts, uniform } from '../helpers/data.js';
import { collected } from '../helpers/gc.js';

const SIZES = [1, 7, 13, 1000];

/** _binary_clf_curve: each distinct score, highest first, with the true and false positives at or above it. */
function clfCurve(scores: ArrayLike<number>, y: ArrayLike<number>): { thresholds: number[]; tps: number[]; fps: number[] } {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a] || a - b);
  const out = { thresholds: [] as number[], tps: [] as number[], fps: [] as number[] };
  let tp = 0;
  for (let k = 0; k < order.length; k++) {
    tp += y[order[k]];
    if (k === order.length - 1 || scores[order[k + 1]] !== scores[order[k]]) {
      out.thresholds.push(scores[order[k]]);
      out.tps.push(tp);
      out.fps.push(k + 1 - tp);
    }
  }
  return out;
}

/** roc_curve: fpr, tpr, thresholds (with drop_intermediate as asked). */
function rocCurveRef(scores: ArrayLike<number>, y: ArrayLike<number>, dropIntermediate: boolean): { fpr: number[]; tpr: number[]; thresholds: number[] } {
  let { thresholds, tps, fps } = clfCurve(scores, y);
  if (dropIntermediate && fps.length > 2) {
    const keep = fps.map((_, k) => k === 0 || k === fps.length - 1 || fps[k - 1] - 2 * fps[k] + fps[k + 1] !== 0 || tps[k - 1] - 2 * tps[k] + tps[k + 1] !== 0);
    [thresholds, tps, fps] = [thresholds, tps, fps].map((v) => v.filter((_, k) => keep[k]));
  }
  tps = [0, ...tps];
  fps = [0, ...fps];
  const [p, n] = [tps[tps.length - 1], fps[fps.length - 1]];
  return { fpr: fps.map((f) => (n > 0 ? f / n : NaN)), tpr: tps.map((t) => (p > 0 ? t / p : NaN)), thresholds: [Infinity, ...thresholds] };
}

/** roc_auc_score of one binary problem: trapezoids under the whole curve; NaN for one class (scikit-learn raises). */
function aucRef(scores: ArrayLike<number>, y: ArrayLike<number>): number {
  const { fpr, tpr } = rocCurveRef(scores, y, false);
  if (Number.isNaN(fpr[1]) || Number.isNaN(tpr[1])) return NaN;
  let area = 0;
  for (let k = 1; k < fpr.length; k++) area += ((fpr[k] - fpr[k - 1]) * (tpr[k] + tpr[k - 1])) / 2;
  return area;
}

/** precision_recall_curve. */
function prCurveRef(scores: ArrayLike<number>, y: ArrayLike<number>): { precision: number[]; recall: number[]; thresholds: number[] } {
  const { thresholds, tps, fps } = clfCurve(scores, y);
  const p = tps[tps.length - 1];
  const precision = tps.map((t, k) => (t + fps[k] === 0 ? 0 : t / (t + fps[k])));
  const recall = tps.map((t) => (p === 0 ? 1 : t / p));
  return { precision: [...precision.reverse(), 1], recall: [...recall.reverse(), 0], thresholds: thresholds.reverse() };
}

/** average_precision_score of one binary problem: −Σ diff(recall)·precision[:-1]. */
function apRef(scores: ArrayLike<number>, y: ArrayLike<number>): number {
  const { precision, recall } = prCurveRef(scores, y);
  let sum = 0;
  for (let k = 0; k + 1 < recall.length; k++) sum -= (recall[k + 1] - recall[k]) * precision[k];
  return sum;
}

/** A per-class score of scores [n, c] against 0/1 columns, averaged as scikit-learn's _average_binary_score. */
function averagedRef(score: typeof aucRef, scores: ArrayLike<number>, ys: number[], n: number, c: number, average: string): number[] {
  if (average === 'micro') return [score(scores, ys)];
  const column = (v: ArrayLike<number>, j: number) => Array.from({ length: n }, (_, i) => v[i * c + j]);
  const perClass = Array.from({ length: c }, (_, j) => score(column(scores, j), column(ys, j)));
  if (average === 'none') return perClass;
  const weights = Array.from({ length: c }, (_, j) => (average === 'weighted' ? column(ys, j).reduce((a, b) => a + b, 0) : 1));
  return [perClass.reduce((a, s, j) => a + s * weights[j], 0) / weights.reduce((a, b) => a + b, 0)];
}

/** Scores in f32, distinct or rounded to `levels` values (so tied often). */
function scoresOf(n: number, levels?: number): Float32Array {
  const u = uniform(n, 0, 1);
  return Float32Array.from(levels ? u.map((v) => Math.round(v * levels) / levels) : u);
}

const ints = (v: ArrayLike<number>, shape = [v.length]) => tm.tensor(Array.from(v), shape, { dtype: 'i32' });

describe.each(BACKENDS)('ranking metrics on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each(SIZES)('binary rocAuc and averagePrecision, distinct and tied scores, N = %i', async (n) => {
    for (const levels of [undefined, 10, 3]) {
      const scores = scoresOf(n, levels);
      const y = Array.from(randomInts(n, 0, 1));
      const what = `levels ${levels}`;
      expectClose(await tm.metrics.rocAuc(tm.tensor(scores), ints(y)).data(), [aucRef(scores, y)], 1e-5, what);
      expectClose(await tm.metrics.averagePrecision(tm.tensor(scores), ints(y)).data(), [apRef(scores, y)], 1e-5, what);
      // Every target negative: no area under the ROC curve; average precision 0.
      const none = new Array(n).fill(0);
      expectExact(await tm.metrics.rocAuc(tm.tensor(scores), ints(none)).data(), [NaN]);
      expectExact(await tm.metrics.averagePrecision(tm.tensor(scores), ints(none)).data(), [0]);
    }
  });

  it.each(SIZES)('rocCurve and precisionRecallCurve: a point per distinct score, N = %i', async (n) => {
    for (const levels of [undefined, 10, 3]) {
      const scores = scoresOf(n, levels);
      const y = Array.from(randomInts(n, 0, 1));
      for (const dropIntermediate of [true, false]) {
        const want = rocCurveRef(scores, y, dropIntermediate);
        const got = await tm.metrics.rocCurve(tm.tensor(scores), ints(y), { dropIntermediate });
        const what = `levels ${levels}, dropIntermediate ${dropIntermediate}`;
        expectClose(await got.fpr.data(), want.fpr, 1e-6, `fpr ${what}`);
        expectClose(await got.tpr.data(), want.tpr, 1e-6, `tpr ${what}`);
        expectExact(await got.thresholds.data(), want.thresholds, `thresholds ${what}`);
      }
      const want = prCurveRef(scores, y);
      const got = await tm.metrics.precisionRecallCurve(tm.tensor(scores), ints(y));
      expectClose(await got.precision.data(), want.precision, 1e-6, `precision levels ${levels}`);
      expectClose(await got.recall.data(), want.recall, 1e-6, `recall levels ${levels}`);
      expectExact(await got.thresholds.data(), want.thresholds, `thresholds levels ${levels}`);
    }
  });

  it.each(SIZES)('scores [N, C] one against the rest and multilabel, every average, classes absent, N = %i', async (n) => {
    const c = 4;
    for (const levels of [undefined, 5]) {
      const scores = scoresOf(n * c, levels);
      // Class labels: class 3 absent below 1,000 samples makes its area NaN, and the averages with it.
      const labels = Array.from(randomInts(n, 0, n < 1000 ? 2 : 3));
      const hot = labels.flatMap((l) => Array.from({ length: c }, (_, j) => (j === l ? 1 : 0)));
      const multi = Array.from(randomInts(n * c, 0, 1));
      for (const average of ['macro', 'weighted', 'micro', 'none'] as const) {
        for (const [name, ref] of [['rocAuc', aucRef], ['averagePrecision', apRef]] as const) {
          const what = `${name} ${average} levels ${levels}`;
          expectClose(await tm.metrics[name](tm.tensor(scores, [n, c]), ints(labels), { average }).data(), averagedRef(ref, scores, hot, n, c, average), 1e-5, `${what} of labels`);
          expectClose(await tm.metrics[name](tm.tensor(scores, [n, c]), ints(multi, [n, c]), { average }).data(), averagedRef(ref, scores, multi, n, c, average), 1e-5, `${what} multilabel`);
        }
      }
    }
  });

  it("scikit-learn's documented examples", async () => {
    // roc_curve docs: y [1, 1, 2, 2] (pos_label 2, here 0/1), scores [0.1, 0.4, 0.35, 0.8] →
    // fpr [0, 0, 0.5, 0.5, 1], tpr [0, 0.5, 0.5, 1, 1], thresholds [inf, 0.8, 0.4, 0.35, 0.1].
    const scores = () => tm.tensor([0.1, 0.4, 0.35, 0.8]);
    const y = () => ints([0, 0, 1, 1]);
    const roc = await tm.metrics.rocCurve(scores(), y());
    expectExact(await roc.fpr.data(), [0, 0, 0.5, 0.5, 1]);
    expectExact(await roc.tpr.data(), [0, 0.5, 0.5, 1, 1]);
    expectExact(await roc.thresholds.data(), [Infinity, Math.fround(0.8), Math.fround(0.4), Math.fround(0.35), Math.fround(0.1)]);
    // precision_recall_curve docs, the same data: precision [0.5, 0.66…, 0.5, 1, 1], recall [1, 1, 0.5, 0.5, 0], thresholds [0.1, 0.35, 0.4, 0.8].
    const pr = await tm.metrics.precisionRecallCurve(scores(), y());
    expectClose(await pr.precision.data(), [0.5, 2 / 3, 0.5, 1, 1], 1e-7);
    expectExact(await pr.recall.data(), [1, 1, 0.5, 0.5, 0]);
    // average_precision_score docs: 0.83…; roc_auc_score of the same: 0.75.
    expectClose(await tm.metrics.averagePrecision(scores(), y()).data(), [5 / 6], 1e-7);
    expectExact(await tm.metrics.rocAuc(scores(), y()).data(), [0.75]);
    // A tie between a positive and a negative counts half: scores [0.5, 0.5], y [0, 1] → 0.5, one threshold.
    expectExact(await tm.metrics.rocAuc(tm.tensor([0.5, 0.5]), ints([0, 1])).data(), [0.5]);
    expectExact(await (await tm.metrics.rocCurve(tm.tensor([0.5, 0.5]), ints([0, 1]))).thresholds.data(), [Infinity, 0.5]);
  });

  it('a target outside 0/1 or the classes: an error on js and native, NaN on webgpu (the curves read back, so an error everywhere)', async () => {
    const scores = tm.tensor([0.1, 0.7, 0.3]);
    if (backend === 'webgpu') {
      expectExact(await tm.metrics.rocAuc(scores, ints([0, 2, 1])).data(), [NaN]);
      expectExact(await tm.metrics.averagePrecision(tm.tensor([[0.1, 0.9], [0.6, 0.4]]), ints([0, 2])).data(), [NaN]);
      await expect(tm.metrics.rocCurve(scores, ints([0, 2, 1]))).rejects.toThrow('rocCurve: target holds a value other than 0 and 1');
    } else {
      expect(() => tm.metrics.rocAuc(scores, ints([0, 2, 1]))).toThrow('rocAuc: target label 2 (at 1 of [3]) is not one of the binary labels 0 and 1');
      expect(() => tm.metrics.averagePrecision(tm.tensor([[0.1, 0.9], [0.6, 0.4]]), ints([0, 2]))).toThrow('averagePrecision: target label 2 (at 1 of [2]) is not one of the 2 classes, 0 to 1');
      await expect(tm.metrics.rocCurve(scores, ints([0, 2, 1]))).rejects.toThrow('rocCurve: target label 2 (at 1 of [3]) is not one of the binary labels 0 and 1');
    }
  });

  it('bad inputs: mismatched shapes (both named), float targets, int scores, empty inputs, curves of several classes, unknown averages', async () => {
    const scores = tm.tensor([[0.1, 0.9], [0.6, 0.4]]);
    expect(() => tm.metrics.rocAuc(scores, ints([0, 1, 1]))).toThrow('rocAuc: scores [2,2] and target [3] do not match');
    expect(() => tm.metrics.rocAuc(scores, ints([0, 1, 1, 0], [2, 2]).reshape([4]))).toThrow(tm.ShapeError);
    expect(() => tm.metrics.averagePrecision(tm.tensor([0.2, 0.4]), tm.tensor([0, 1]))).toThrow("averagePrecision: target must hold class labels of an int dtype (i32 or i8), got f32 [2] (target.cast('i32'))");
    expect(() => tm.metrics.rocAuc(ints([0, 1]), ints([0, 1]))).toThrow('rocAuc: scores must be a float dtype, got i32 [2]');
    expect(() => tm.metrics.rocAuc(tm.zeros([0]), ints([]))).toThrow('rocAuc: scores [0] is empty: a metric needs at least one sample');
    expect(() => tm.metrics.rocAuc(scores, ints([0, 1]), { average: 'samples' as 'macro' })).toThrow(`rocAuc: average must be 'macro', 'weighted', 'micro' or 'none', got "samples"`);
    await expect(tm.metrics.rocCurve(scores, ints([0, 1]))).rejects.toThrow('rocCurve: the curve is of binary scores [N] against 0/1 targets [N], got scores [2,2]');
    await expect(tm.metrics.precisionRecallCurve(tm.tensor([0.2]), ints([0, 1]))).rejects.toThrow('precisionRecallCurve: scores [1] and target [2] do not match');
  });

  it('leaves no tensors behind', async () => {
    const scores = tm.tensor(scoresOf(40, 5), [10, 4]);
    const target = ints(randomInts(10, 0, 3));
    const binary = tm.tensor(scoresOf(10, 5));
    const y = ints(randomInts(10, 0, 1));
    // Earlier tests' garbage collected first: the curves' awaits give the collector its turn.
    const before = await collected();
    for (const average of ['macro', 'weighted', 'micro', 'none'] as const) {
      tm.metrics.rocAuc(scores, target, { average }).dispose();
      tm.metrics.averagePrecision(scores, target, { average }).dispose();
    }
    expect(tm.memory().numTensors).toBe(before);
    const roc = await tm.metrics.rocCurve(binary, y);
    const pr = await tm.metrics.precisionRecallCurve(binary, y);
    expect(tm.memory().numTensors).toBe(before + 6);
    for (const t of [roc.fpr, roc.tpr, roc.thresholds, pr.precision, pr.recall, pr.thresholds]) t.dispose();
    for (const t of [scores, target, binary, y]) t.dispose();
  });
});
