// tm.metrics' classification metrics on every backend against float64
// references written here as scikit-learn's code computes them
// (confusion_matrix, precision_recall_fscore_support with its default labels:
// the classes present in target or prediction; matthews_corrcoef,
// cohen_kappa_score), on fresh random labels of 1, 7, 13 and 1,000 samples
// with classes absent from the prediction, the target or both, through
// every average; then the values scikit-learn's documentation prints for
// its own examples, and every bad input's error.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose, expectExact, randomInts, uniform } from '../helpers/data.js';
import { collected } from '../helpers/gc.js';

const SIZES = [1, 7, 13, 1000];
const AVERAGES = ['micro', 'macro', 'weighted', 'none'] as const;
type Kind = 'precision' | 'recall' | { beta: number };

/** Counts [true][predicted], flat. */
function confusionRef(pred: ArrayLike<number>, target: ArrayLike<number>, c: number): Float64Array {
  const cm = new Float64Array(c * c);
  for (let i = 0; i < target.length; i++) cm[target[i] * c + pred[i]]++;
  return cm;
}

/** scikit-learn's precision_recall_fscore_support, then its averaging, with labels the classes seen in pred or target. */
function scoreRef(pred: ArrayLike<number>, target: ArrayLike<number>, c: number, kind: Kind, average: (typeof AVERAGES)[number] | 'binary'): number[] {
  let tp = new Array<number>(c).fill(0);
  let predSum = new Array<number>(c).fill(0);
  let trueSum = new Array<number>(c).fill(0);
  for (let i = 0; i < target.length; i++) {
    if (pred[i] === target[i]) tp[target[i]]++;
    predSum[pred[i]]++;
    trueSum[target[i]]++;
  }
  const seen = new Set([...Array.from(pred), ...Array.from(target)]);
  if (average === 'micro') [tp, predSum, trueSum] = [tp, predSum, trueSum].map((v) => [v.reduce((a, b) => a + b, 0)]);
  const divide = (a: number, b: number) => (b === 0 ? 0 : a / b);
  const scores = tp.map((t, k) => {
    if (kind === 'precision') return divide(t, predSum[k]);
    if (kind === 'recall') return divide(t, trueSum[k]);
    const b2 = kind.beta ** 2;
    return divide((1 + b2) * t, b2 * trueSum[k] + predSum[k]);
  });
  if (average === 'micro') return scores;
  if (average === 'none') return scores;
  if (average === 'binary') return [scores[1]];
  if (average === 'weighted') return [scores.reduce((a, s, k) => a + s * trueSum[k], 0) / trueSum.reduce((a, b) => a + b, 0)];
  const labels = [...seen];
  return [labels.reduce((a, k) => a + scores[k], 0) / labels.length];
}

/** scikit-learn's matthews_corrcoef, in counts. */
function mccRef(cm: Float64Array, c: number): number {
  const t = Array.from({ length: c }, (_, i) => Array.from({ length: c }, (_, j) => cm[i * c + j]).reduce((a, b) => a + b, 0));
  const p = Array.from({ length: c }, (_, j) => Array.from({ length: c }, (_, i) => cm[i * c + j]).reduce((a, b) => a + b, 0));
  const s = t.reduce((a, b) => a + b, 0);
  let correct = 0;
  for (let k = 0; k < c; k++) correct += cm[k * c + k];
  const dot = (a: number[], b: number[]) => a.reduce((acc, v, k) => acc + v * b[k], 0);
  const covTP = correct * s - dot(t, p);
  const covPP = s * s - dot(p, p);
  const covTT = s * s - dot(t, t);
  return covPP * covTT === 0 ? 0 : covTP / Math.sqrt(covTT * covPP);
}

/** scikit-learn's cohen_kappa_score: 1 − Σ w·observed / Σ w·expected. */
function kappaRef(cm: Float64Array, c: number, weights?: 'linear' | 'quadratic'): number {
  const sum0 = Array.from({ length: c }, (_, j) => Array.from({ length: c }, (_, i) => cm[i * c + j]).reduce((a, b) => a + b, 0));
  const sum1 = Array.from({ length: c }, (_, i) => Array.from({ length: c }, (_, j) => cm[i * c + j]).reduce((a, b) => a + b, 0));
  const total = sum0.reduce((a, b) => a + b, 0);
  let observed = 0;
  let expected = 0;
  for (let i = 0; i < c; i++) {
    for (let j = 0; j < c; j++) {
      const w = weights === 'linear' ? Math.abs(i - j) : weights === 'quadratic' ? (i - j) ** 2 : i === j ? 0 : 1;
      observed += w * cm[i * c + j];
      expected += (w * sum0[i] * sum1[j]) / total;
    }
  }
  return 1 - observed / expected;
}

function argmaxRows(scores: ArrayLike<number>, n: number, c: number): number[] {
  return Array.from({ length: n }, (_, i) => {
    let best = 0;
    for (let k = 1; k < c; k++) if (scores[i * c + k] > scores[i * c + best]) best = k;
    return best;
  });
}

/** Labels in [lo, hi] (so classes outside are absent), i32. */
const labels = (n: number, lo: number, hi: number) => Array.from(randomInts(n, lo, hi));
const ints = (v: ArrayLike<number>) => tm.tensor(Array.from(v), [v.length], { dtype: 'i32' });

describe.each(BACKENDS)('classification metrics on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each(SIZES)('confusionMatrix of labels and of scores, counted and normalized, N = %i', async (n) => {
    const c = 5;
    // Class 4 never a target, class 0 never predicted.
    const target = labels(n, 0, 3);
    const pred = labels(n, 1, 4);
    const cm = confusionRef(pred, target, c);
    expectExact(await tm.metrics.confusionMatrix(ints(pred), ints(target), { numClasses: c }).data(), cm);
    const scores = Float32Array.from(uniform(n * c));
    expectExact(await tm.metrics.confusionMatrix(tm.tensor(scores, [n, c]), ints(target)).data(), confusionRef(argmaxRows(scores, n, c), target, c));
    // normalize: rows (true), columns (pred) or all by their sums, an empty row or column staying 0.
    const rows = cm.map((v, k) => { const s = cm.slice(Math.floor(k / c) * c, Math.floor(k / c) * c + c).reduce((a, b) => a + b, 0); return s ? v / s : 0; });
    const cols = cm.map((v, k) => { let s = 0; for (let i = 0; i < c; i++) s += cm[i * c + (k % c)]; return s ? v / s : 0; });
    expectClose(await tm.metrics.confusionMatrix(ints(pred), ints(target), { numClasses: c, normalize: 'true' }).data(), rows, 1e-6);
    expectClose(await tm.metrics.confusionMatrix(ints(pred), ints(target), { numClasses: c, normalize: 'pred' }).data(), cols, 1e-6);
    expectClose(await tm.metrics.confusionMatrix(ints(pred), ints(target), { numClasses: c, normalize: 'all' }).data(), cm.map((v) => v / n), 1e-6);
  });

  it.each(SIZES)('precision, recall, f1Score and fbetaScore with every average, classes absent on either side, N = %i', async (n) => {
    const c = 5;
    const target = labels(n, 0, 2); // class 3 never true
    const pred = labels(n, 1, 3); // class 0 never predicted, class 4 in neither (left out of 'macro')
    const scores = Float32Array.from(uniform(n * c));
    const fromScores = argmaxRows(scores, n, c);
    for (const average of AVERAGES) {
      for (const [name, kind] of [['precision', 'precision'], ['recall', 'recall'], ['f1Score', { beta: 1 }], ['fbetaScore', { beta: 0.5 }], ['fbetaScore', { beta: 2 }], ['fbetaScore', { beta: 0 }]] as const) {
        const what = `${name} ${JSON.stringify(kind)} ${average}`;
        const call = (p: tm.Tensor, options: { numClasses?: number }) => {
          const all = { average, ...options };
          if (name === 'fbetaScore') return tm.metrics.fbetaScore(p, ints(target), { ...all, beta: (kind as { beta: number }).beta });
          return tm.metrics[name](p, ints(target), all);
        };
        expectClose(await call(ints(pred), { numClasses: c }).data(), scoreRef(pred, target, c, kind, average), 1e-5, `${what} of labels`);
        expectClose(await call(tm.tensor(scores, [n, c]), {}).data(), scoreRef(fromScores, target, c, kind, average), 1e-5, `${what} of scores`);
      }
    }
  });

  it.each(SIZES)('binary probabilities: thresholded, class 1 scored by default (average binary), N = %i', async (n) => {
    const probabilities = Float32Array.from(uniform(n, 0, 1));
    const target = labels(n, 0, 1);
    for (const threshold of [undefined, 0.3]) {
      const pred = Array.from(probabilities, (p) => (p > (threshold ?? 0.5) ? 1 : 0));
      const p = () => tm.tensor(probabilities);
      expectClose(await tm.metrics.precision(p(), ints(target), { threshold }).data(), scoreRef(pred, target, 2, 'precision', 'binary'), 1e-6);
      expectClose(await tm.metrics.recall(p(), ints(target), { threshold }).data(), scoreRef(pred, target, 2, 'recall', 'binary'), 1e-6);
      expectClose(await tm.metrics.f1Score(p(), ints(target), { threshold }).data(), scoreRef(pred, target, 2, { beta: 1 }, 'binary'), 1e-6);
      expectClose(await tm.metrics.f1Score(p(), ints(target), { threshold, average: 'macro' }).data(), scoreRef(pred, target, 2, { beta: 1 }, 'macro'), 1e-6);
      expectClose(await tm.metrics.accuracy(p(), ints(target), { threshold }).data(), [pred.filter((v, i) => v === target[i]).length / n], 1e-6);
      expectClose(await tm.metrics.matthewsCorrcoef(p(), ints(target), { threshold }).data(), [mccRef(confusionRef(pred, target, 2), 2)], 1e-5);
      // Labels of two classes score class 1 with average binary too.
      expectClose(await tm.metrics.precision(ints(pred), ints(target), { numClasses: 2, average: 'binary' }).data(), scoreRef(pred, target, 2, 'precision', 'binary'), 1e-6);
    }
  });

  it.each(SIZES)('accuracy: labels, top-1 and top-k of scores, multilabel probabilities, N = %i', async (n) => {
    const c = 6;
    const target = labels(n, 0, c - 1);
    const scores = Float32Array.from(uniform(n * c));
    for (const k of [1, 2, 5, 6]) {
      const hits = target.filter((t, i) => {
        const higher = Array.from({ length: c }, (_, j) => scores[i * c + j]).filter((s) => s > scores[i * c + t]).length;
        return higher < k;
      }).length;
      expectClose(await tm.metrics.accuracy(tm.tensor(scores, [n, c]), ints(target), { topK: k }).data(), [hits / n], 1e-6, `top-${k}`);
    }
    const pred = labels(n, 0, c - 1);
    expectClose(await tm.metrics.accuracy(ints(pred), ints(target)).data(), [pred.filter((p, i) => p === target[i]).length / n], 1e-6);
    // Probabilities [N, L] against 0/1 targets [N, L]: the share of all outputs right.
    const probabilities = Float32Array.from(uniform(n * 3, 0, 1));
    const multi = labels(n * 3, 0, 1);
    const right = multi.filter((t, i) => (probabilities[i] > 0.5 ? 1 : 0) === t).length;
    expectClose(await tm.metrics.accuracy(tm.tensor(probabilities, [n, 3]), tm.tensor(multi, [n, 3], { dtype: 'i8' })).data(), [right / (3 * n)], 1e-6);
  });

  it.each(SIZES)('matthewsCorrcoef and cohenKappa (unweighted, linear, quadratic), N = %i', async (n) => {
    const c = 5;
    // Prediction agreeing with the target two times in three, else a label of its own.
    const target = labels(n, 0, 3);
    const other = labels(n, 0, c - 1);
    const pred = target.map((t, i) => (other[i] % 3 === 0 ? other[i] : t));
    const cm = confusionRef(pred, target, c);
    expectClose(await tm.metrics.matthewsCorrcoef(ints(pred), ints(target), { numClasses: c }).data(), [mccRef(cm, c)], 1e-5);
    for (const weights of [undefined, 'linear', 'quadratic'] as const) {
      expectClose(await tm.metrics.cohenKappa(ints(pred), ints(target), { numClasses: c, weights }).data(), [kappaRef(cm, c, weights)], 1e-5, `kappa ${weights}`);
    }
    // Independent labels: near 0 for many samples, whatever they give for few.
    const loose = labels(n, 0, c - 1);
    const cmLoose = confusionRef(loose, target, c);
    expectClose(await tm.metrics.matthewsCorrcoef(ints(loose), ints(target), { numClasses: c }).data(), [mccRef(cmLoose, c)], 1e-5);
    expectClose(await tm.metrics.cohenKappa(ints(loose), ints(target), { numClasses: c }).data(), [kappaRef(cmLoose, c)], 1e-5);
  });

  it('one class on both sides: MCC 0, kappa NaN (as scikit-learn), precision per class 1 and 0', async () => {
    const same = ints([2, 2, 2]);
    expectExact(await tm.metrics.matthewsCorrcoef(same, same, { numClasses: 3 }).data(), [0]);
    expectExact(await tm.metrics.cohenKappa(same, same, { numClasses: 3 }).data(), [NaN]);
    expectExact(await tm.metrics.precision(same, same, { numClasses: 3, average: 'none' }).data(), [0, 0, 1]);
    // Classes 0 and 1 are in neither: macro averages class 2 alone.
    expectExact(await tm.metrics.f1Score(same, same, { numClasses: 3 }).data(), [1]);
  });

  it("scikit-learn's documented examples", async () => {
    // precision_score / recall_score / f1_score / fbeta_score docs: y_true [0, 1, 2, 0, 1, 2], y_pred [0, 2, 1, 0, 0, 1]:
    // precision macro 0.22…, micro 0.33…, weighted 0.22…, None [0.66…, 0, 0]; recall macro 0.33…, None [1, 0, 0];
    // f1 macro 0.26…, None [0.8, 0, 0]; fbeta (beta 0.5) macro 0.23…, None [0.71…, 0, 0].
    const [yTrue, yPred] = [ints([0, 1, 2, 0, 1, 2]), ints([0, 2, 1, 0, 0, 1])];
    const o = { numClasses: 3 };
    expectClose(await tm.metrics.precision(yPred, yTrue, o).data(), [2 / 9], 1e-6);
    expectClose(await tm.metrics.precision(yPred, yTrue, { ...o, average: 'micro' }).data(), [1 / 3], 1e-6);
    expectClose(await tm.metrics.precision(yPred, yTrue, { ...o, average: 'none' }).data(), [2 / 3, 0, 0], 1e-6);
    expectClose(await tm.metrics.recall(yPred, yTrue, { ...o, average: 'none' }).data(), [1, 0, 0], 1e-6);
    expectClose(await tm.metrics.f1Score(yPred, yTrue, o).data(), [0.8 / 3], 1e-6);
    expectClose(await tm.metrics.fbetaScore(yPred, yTrue, { ...o, beta: 0.5, average: 'none' }).data(), [(1.25 * 2) / 3 / (0.25 * (2 / 3) + 1), 0, 0], 1e-6);
    expectExact(await tm.metrics.confusionMatrix(yPred, yTrue, o).data(), [2, 0, 0, 1, 0, 1, 0, 2, 0]);
    // matthews_corrcoef docs: y_true [+1, +1, +1, −1], y_pred [+1, −1, +1, +1] → −0.33… (−1 as class 0 here).
    expectClose(await tm.metrics.matthewsCorrcoef(ints([1, 0, 1, 1]), ints([1, 1, 1, 0]), { numClasses: 2 }).data(), [-1 / 3], 1e-6);
    // cohen_kappa_score docs: negative/positive/neutral as 0/2/1: y1 [0, 2, 0, 1, 2], y2 [0, 2, 0, 1, 0] → 0.6875.
    expectClose(await tm.metrics.cohenKappa(ints([0, 2, 0, 1, 0]), ints([0, 2, 0, 1, 2]), { numClasses: 3 }).data(), [0.6875], 1e-6);
    // accuracy_score docs: y_pred [0, 2, 1, 3], y_true [0, 1, 2, 3] → 0.5; top_k_accuracy_score docs: 0.75 for k 2.
    expectClose(await tm.metrics.accuracy(ints([0, 2, 1, 3]), ints([0, 1, 2, 3])).data(), [0.5], 1e-6);
    const topScores = tm.tensor([[0.5, 0.2, 0.2], [0.3, 0.4, 0.2], [0.2, 0.4, 0.3], [0.7, 0.2, 0.1]]);
    expectClose(await tm.metrics.accuracy(topScores, ints([0, 1, 2, 2]), { topK: 2 }).data(), [0.75], 1e-6);
  });

  it('a label outside the classes: an error naming it on js and native, NaN on webgpu', async () => {
    const scores = tm.tensor([[0.1, 0.9, 0], [0.8, 0.1, 0.1]]);
    const bad = ints([1, 3]);
    if (backend === 'webgpu') {
      expectExact(await tm.metrics.precision(scores, bad).data(), [NaN]);
      expectExact(await tm.metrics.confusionMatrix(scores, bad).data(), new Array(9).fill(NaN));
      expectExact(await tm.metrics.accuracy(ints([0, -1]), ints([0, 1])).data(), [NaN]);
      expectExact(await tm.metrics.matthewsCorrcoef(ints([0, 1]), ints([0, 2]), { numClasses: 2 }).data(), [NaN]);
      expectExact(await tm.metrics.accuracy(tm.tensor([0.2, 0.7]), ints([0, 2])).data(), [NaN]);
    } else {
      expect(() => tm.metrics.precision(scores, bad)).toThrow('precision: target label 3 (at 1 of [2]) is not one of the 3 classes, 0 to 2');
      expect(() => tm.metrics.confusionMatrix(ints([0, 5]), ints([0, 1]), { numClasses: 4 })).toThrow('confusionMatrix: prediction label 5 (at 1 of [2]) is not one of the 4 classes, 0 to 3');
      expect(() => tm.metrics.accuracy(ints([0, -1]), ints([0, 1]))).toThrow('accuracy: prediction label -1 (at 1 of [2]) is not one of the class labels, 0 or more');
      expect(() => tm.metrics.accuracy(tm.tensor([0.2, 0.7]), ints([0, 2]))).toThrow('accuracy: target label 2 (at 1 of [2]) is not one of the binary labels 0 and 1');
    }
  });

  it('bad inputs: mismatched shapes (both named), float labels, empty inputs, missing numClasses, unknown options', () => {
    const scores = tm.tensor([[0.1, 0.9, 0], [0.8, 0.1, 0.1]]);
    const labels3 = ints([0, 1, 2]);
    expect(() => tm.metrics.f1Score(scores, labels3)).toThrow(tm.ShapeError);
    expect(() => tm.metrics.f1Score(scores, labels3)).toThrow('f1Score: prediction [2,3] and target [3] do not match');
    expect(() => tm.metrics.confusionMatrix(ints([0, 1]), labels3, { numClasses: 3 })).toThrow('confusionMatrix: prediction [2] and target [3] do not match');
    expect(() => tm.metrics.precision(scores, tm.tensor([0, 1]))).toThrow(tm.DTypeError);
    expect(() => tm.metrics.precision(scores, tm.tensor([0, 1]))).toThrow("precision: target must hold class labels of an int dtype (i32 or i8), got f32 [2] (target.cast('i32'))");
    expect(() => tm.metrics.accuracy(tm.zeros([0, 3]), ints([]))).toThrow('accuracy: prediction [0,3] is empty: a metric needs at least one sample');
    expect(() => tm.metrics.recall(ints([0, 1]), ints([1, 1]))).toThrow('recall: numClasses is needed with labels [2] as the prediction');
    expect(() => tm.metrics.recall(scores, ints([1, 1]), { numClasses: 4 })).toThrow('recall: numClasses 4 differs from the 3 classes of scores [2,3]');
    expect(() => tm.metrics.recall(scores, ints([1, 1]), { average: 'samples' as 'micro' })).toThrow(`recall: average must be 'micro', 'macro', 'weighted', 'none' or 'binary', got "samples"`);
    expect(() => tm.metrics.recall(scores, ints([1, 1]), { average: 'binary' })).toThrow("recall: average 'binary' scores class 1 of two classes; these labels have 3");
    expect(() => tm.metrics.fbetaScore(scores, ints([1, 1]), { beta: -1 })).toThrow('fbetaScore: beta must be a finite number ≥ 0, got -1');
    expect(() => tm.metrics.precision(scores, ints([1, 1]), { num_classes: 3 } as object)).toThrow('precision: unknown option "num_classes" (did you mean numClasses?)');
    expect(() => tm.metrics.accuracy(scores, ints([1, 1]), { topK: 4 })).toThrow('accuracy: topK 4 is more than the 3 classes of scores [2,3]');
    expect(() => tm.metrics.accuracy(scores, ints([1, 1]), { threshold: 0.5 })).toThrow('accuracy: threshold applies to probabilities [N], not to class scores [2,3]');
    expect(() => tm.metrics.confusionMatrix(scores, ints([1, 1]), { normalize: 'rows' as 'true' })).toThrow(`confusionMatrix: normalize must be 'true', 'pred' or 'all', got "rows"`);
    expect(() => tm.metrics.cohenKappa(scores, ints([1, 1]), { weights: 'cubic' as 'linear' })).toThrow(`cohenKappa: weights must be 'linear' or 'quadratic', got "cubic"`);
  });

  it('leaves no tensors behind and records no gradient', async () => {
    const scores = tm.tensor(Float32Array.from(uniform(40)), [10, 4]);
    scores.requiresGrad = true;
    const target = ints(labels(10, 0, 3));
    const before = await collected();
    for (const average of AVERAGES) tm.metrics.fbetaScore(scores, target, { average, beta: 2 }).dispose();
    tm.metrics.confusionMatrix(scores, target, { normalize: 'true' }).dispose();
    tm.metrics.accuracy(scores, target, { topK: 2 }).dispose();
    tm.metrics.matthewsCorrcoef(scores, target).dispose();
    tm.metrics.cohenKappa(scores, target, { weights: 'quadratic' }).dispose();
    expect(tm.memory().numTensors).toBe(before);
    expect(tm.metrics.accuracy(scores, target).requiresGrad).toBe(false);
  });
});
