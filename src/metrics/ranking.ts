// Ranking metrics, scikit-learn's: the ROC and precision-recall curves and
// the areas under them. Scores are sorted (highest first) on the device and
// the true positives counted by a cumulative sum; tied scores form one
// threshold, as scikit-learn's (runs.ts finds each run's ends), so a tie
// between a positive and a negative counts as half ordered right. The
// areas are sums over samples, so they stay on the device; the curves'
// lengths are the number of distinct scores, known once read back, so they
// are asynchronous.
import { creatingOn, tidy } from '../engine.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { isFloat } from '../dtype.js';
import * as ops from '../ops/index.js';
import { onBackendOf } from '../ops/util.js';
import { checkOptions, type OptionNames } from '../options.js';
import { noGrad } from '../tape.js';
import type { Tensor } from '../tensor.js';
import { checkLabels, checkSamples, marked, outsideMark } from './labels.js';
import { runsOf } from './runs.js';

export type RankingAverage = 'macro' | 'weighted' | 'micro' | 'none';

export interface RankingOptions {
  /**
   * With scores [N, C] (one against the rest for class labels, or each
   * column against 0/1 targets [N, C]): 'macro' (default) the mean of the
   * classes' areas, 'weighted' weighted by each class's positives, 'micro'
   * the area of every (sample, class) pair as one binary problem, 'none'
   * each class's [C]. Binary scores [N] give their one area.
   */
  average?: RankingAverage;
}

const RANKING_OPTIONS: OptionNames<RankingOptions> = { average: true };

/**
 * The area under the ROC curve (scikit-learn's roc_auc_score): scores [N]
 * against 0/1 targets [N] of an int dtype, or scores [N, C] against class
 * labels [N] (one against the rest, scikit-learn's multi_class 'ovr') or
 * 0/1 targets [N, C] (multilabel), averaged by `average`. The chance that
 * a positive scores above a negative, ties counting half (the trapezoids
 * under the curve of tied thresholds). NaN where the target has one class
 * only (scikit-learn raises), so a class that never occurs (or always
 * does) makes 'macro' and 'weighted' NaN. f32 scalar, or [C] with 'none'.
 */
export function rocAuc(scores: Tensor, target: Tensor, options: RankingOptions = {}): Tensor {
  return area('rocAuc', scores, target, options, (sorted) => {
    // Each negative scores below the positives before its run and half of those tied with it.
    const { ys, tps, first, last } = sorted;
    const above = tps.takeAlongAxis(first, -1).sub(ys.takeAlongAxis(first, -1));
    const through = tps.takeAlongAxis(last, -1);
    const ordered = ops.sub(1, ys).mul(above.add(through)).sum(-1).mul(0.5);
    const positives = ys.sum(-1);
    const negatives = ops.sub(ys.shape[1], positives);
    return ordered.div(positives.mul(negatives));
  });
}

/**
 * Average precision, the area under the precision-recall curve as
 * scikit-learn's average_precision_score sums it: Σ (Rₖ − Rₖ₋₁)·Pₖ over
 * thresholds (each positive's share of recall times the precision at its
 * run of tied scores, no interpolation). 0 where the target has no
 * positives, as scikit-learn's. Inputs and `average` as rocAuc's.
 */
export function averagePrecision(scores: Tensor, target: Tensor, options: RankingOptions = {}): Tensor {
  return area('averagePrecision', scores, target, options, (sorted) => {
    const { ys, tps, last } = sorted;
    const precisions = tps.takeAlongAxis(last, -1).div(last.add(1).cast('f32'));
    const positives = ys.sum(-1);
    const some = positives.greater(0);
    return ops.where(some, ys.mul(precisions).sum(-1).div(ops.where(some, positives, 1)), 0);
  });
}

/** Each row's scores highest first, with the targets in that order, their running count of positives, and each entry's run of tied scores. */
interface SortedRows {
  values: Tensor;
  /** 0/1 targets [rows, n], f32. */
  ys: Tensor;
  /** Positives so far [rows, n], f32. */
  tps: Tensor;
  first: Tensor;
  last: Tensor;
}

/** rows [R, n] of scores and ys [R, n] of 0/1 targets (f32) sorted, highest score first. Call inside a tidy. */
function sortRows(rows: Tensor, ys: Tensor): SortedRows {
  const { values, indices } = ops.sort(rows, { axis: -1, descending: true });
  const sortedYs = ys.takeAlongAxis(indices, -1);
  return { values, ys: sortedYs, tps: sortedYs.cumsum(-1), ...runsOf(values) };
}

/** One of the areas, each row's from `perRow`, averaged as `options` ask. */
function area(op: string, scores: Tensor, target: Tensor, options: RankingOptions, perRow: (sorted: SortedRows) => Tensor): Tensor {
  const { average = 'macro' } = checkOptions(op, options, RANKING_OPTIONS);
  if (!['macro', 'weighted', 'micro', 'none'].includes(average)) throw new ValueError(`${op}: average must be 'macro', 'weighted', 'micro' or 'none', got ${formatValue(average)}`);
  const binary = checkScores(op, scores, target);
  return noGrad(() => tidy(() => onBackendOf(op, scores, () => {
    const { rows, ys, mark } = rowsOf(op, scores, target, binary);
    if (binary) return marked(perRow(sortRows(rows, ys)).reshape([]), mark);
    if (average === 'micro') return marked(perRow(sortRows(rows.reshape([1, rows.size]), ys.reshape([1, ys.size]))).reshape([]), mark);
    const areas = marked(perRow(sortRows(rows, ys)), mark);
    if (average === 'none') return areas;
    if (average === 'macro') return areas.mean();
    const positives = ys.sum(-1);
    return areas.mul(positives).sum().div(positives.sum());
  })));
}

/**
 * Scores against targets: [N] against 0/1 targets [N] (true: binary), or
 * [N, C] against labels [N] or 0/1 targets [N, C]. Both non-empty, the
 * targets of an int dtype.
 */
function checkScores(op: string, scores: Tensor, target: Tensor): boolean {
  checkSamples(op, scores, 'scores');
  checkSamples(op, target, 'target');
  const [n, c] = scores.shape;
  if (scores.rank > 2 || target.shape[0] !== n || target.rank > scores.rank || (target.rank === 2 && target.shape[1] !== c)) {
    throw new ShapeError(
      `${op}: scores ${formatShape(scores.shape)} and target ${formatShape(target.shape)} do not match: ` +
        'scores [N] take 0/1 targets [N]; scores [N, C] take class labels [N] or 0/1 targets [N, C]',
    );
  }
  if (!isFloat(scores.dtype)) throw new DTypeError(`${op}: scores must be a float dtype, got ${scores.dtype} ${formatShape(scores.shape)}`);
  if (target.rank === 1 && scores.rank === 2) checkLabels(op, target, 'target', c);
  else checkLabels(op, target, 'target', 2, 'the binary labels 0 and 1');
  return scores.rank === 1;
}

/** Scores and 0/1 targets as rows [R, N] (f32, a class a row), and the NaN mark of unchecked targets. */
function rowsOf(op: string, scores: Tensor, target: Tensor, binary: boolean): { rows: Tensor; ys: Tensor; mark: Tensor | undefined } {
  const n = scores.shape[0];
  if (binary) return { rows: scores.cast('f32').reshape([1, n]), ys: target.cast('f32').reshape([1, n]), mark: outsideMark(op, [target], 2) };
  const c = scores.shape[1];
  const rows = scores.cast('f32').transpose();
  if (target.rank === 2) return { rows, ys: target.cast('f32').transpose(), mark: outsideMark(op, [target], 2) };
  return { rows, ys: target.cast('i32').oneHot(c, 'f32').transpose(), mark: outsideMark(op, [target], c) };
}

/** The ROC curve: false and true positive rates at each threshold, highest first (f32, all three the same length). */
export interface RocCurve {
  fpr: Tensor;
  tpr: Tensor;
  /** Each point's threshold, descending: a score is positive at it when ≥ it; the first is +∞ (nothing positive). */
  thresholds: Tensor;
}

export interface RocCurveOptions {
  /** Leave out thresholds whose points lie on a straight line between their neighbours', which change nothing in the curve drawn (scikit-learn's drop_intermediate). Default true. */
  dropIntermediate?: boolean;
}

/**
 * The ROC curve of binary scores [N] against 0/1 targets [N] of an int
 * dtype (scikit-learn's roc_curve): a point per distinct score (tied scores
 * one threshold), after a first at +∞ where nothing is positive. fpr (tpr)
 * is NaN throughout where the target has no negatives (positives).
 * Asynchronous: the number of thresholds is known once the sorted scores
 * are read back; the results are made on the scores' backend.
 */
export async function rocCurve(scores: Tensor, target: Tensor, options: RocCurveOptions = {}): Promise<RocCurve> {
  const op = 'rocCurve';
  const { dropIntermediate = true } = checkOptions(op, options, { dropIntermediate: 'boolean' });
  let { thresholds, tps, fps } = await curvePoints(op, scores, target);
  if (dropIntermediate && tps.length > 2) {
    // Points on the line through their neighbours (zero second differences of both counts) draw nothing.
    const kept = tps.map((_, k) => k === 0 || k === tps.length - 1 || tps[k + 1] - 2 * tps[k] + tps[k - 1] !== 0 || fps[k + 1] - 2 * fps[k] + fps[k - 1] !== 0);
    [thresholds, tps, fps] = [thresholds, tps, fps].map((v) => v.filter((_, k) => kept[k]));
  }
  // Rates of a class that never occurs are NaN throughout, the first point's 0 included (scikit-learn's).
  const rates = (counts: number[]) => {
    const total = counts[counts.length - 1];
    return [0, ...counts].map((k) => (total > 0 ? k / total : NaN));
  };
  return creatingOn(scores.dataRef(op).backend, () => ({
    fpr: ops.tensor(rates(fps)),
    tpr: ops.tensor(rates(tps)),
    thresholds: ops.tensor([Infinity, ...thresholds]),
  }));
}

/** The precision-recall curve: a point per threshold, ascending, then the curve's end at recall 0. */
export interface PrecisionRecallCurve {
  /** Precision at each threshold, then 1 (f32, one longer than thresholds). */
  precision: Tensor;
  /** Recall at each threshold, then 0. */
  recall: Tensor;
  /** The distinct scores, ascending. */
  thresholds: Tensor;
}

/**
 * The precision-recall curve of binary scores [N] against 0/1 targets [N]
 * of an int dtype (scikit-learn's precision_recall_curve): precision and
 * recall at each distinct score (tied scores one threshold), thresholds
 * ascending, with a last point (precision 1, recall 0) past them. Recall is
 * 1 throughout where the target has no positives, as scikit-learn's.
 * Asynchronous, as rocCurve.
 */
export async function precisionRecallCurve(scores: Tensor, target: Tensor): Promise<PrecisionRecallCurve> {
  const op = 'precisionRecallCurve';
  const { thresholds, tps, fps } = await curvePoints(op, scores, target);
  const positives = tps[tps.length - 1];
  const precision = tps.map((t, k) => t / (t + fps[k]));
  const recall = tps.map((t) => (positives === 0 ? 1 : t / positives));
  return creatingOn(scores.dataRef(op).backend, () => ({
    precision: ops.tensor([...precision.reverse(), 1]),
    recall: ops.tensor([...recall.reverse(), 0]),
    thresholds: ops.tensor(thresholds.reverse()),
  }));
}

/** Each distinct score, highest first, with the true and false positives counted at it (scores ≥ it). */
async function curvePoints(op: string, scores: Tensor, target: Tensor): Promise<{ thresholds: number[]; tps: number[]; fps: number[] }> {
  if (!checkScores(op, scores, target)) {
    throw new ShapeError(`${op}: the curve is of binary scores [N] against 0/1 targets [N], got scores ${formatShape(scores.shape)} (take a class's column)`);
  }
  const n = scores.shape[0];
  const [values, tps, runEnds, mark] = noGrad(() => tidy(() => onBackendOf(op, scores, () => {
    const { rows, ys, mark } = rowsOf(op, scores, target, true);
    const sorted = sortRows(rows, ys);
    const atEnd = sorted.last.equal(ops.arange(0, n, 1, { dtype: 'i32' }));
    return [sorted.values, sorted.tps, atEnd, mark ?? ops.scalar(0)];
  })));
  let read;
  try {
    read = await Promise.all([values.data(), tps.data(), runEnds.data(), mark.data()]);
  } finally {
    for (const t of [values, tps, runEnds, mark]) t.dispose();
  }
  const [v, t, ends, bad] = read;
  if (Number.isNaN(bad[0])) throw new ValueError(`${op}: target holds a value other than 0 and 1`);
  const points = { thresholds: [] as number[], tps: [] as number[], fps: [] as number[] };
  for (let k = 0; k < n; k++) {
    if (!ends[k]) continue;
    points.thresholds.push(v[k]);
    points.tps.push(t[k]);
    points.fps.push(k + 1 - t[k]);
  }
  return points;
}
