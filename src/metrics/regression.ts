// Regression metrics, scikit-learn's: errors (absolute, squared, percentage)
// and the shares of the target's variance explained (R², explained
// variance), each per output of [N] or [N, D] and then averaged as
// `multioutput` asks. Computed in f32 (f16 inputs cast), each output's
// values centred before they are squared.
import { tidy } from '../engine.js';
import { ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import * as ops from '../ops/index.js';
import { onBackendOf } from '../ops/util.js';
import { checkOptions, type OptionNames } from '../options.js';
import { sameShape } from '../shape.js';
import { noGrad } from '../tape.js';
import type { Tensor } from '../tensor.js';
import { checkSamples } from './labels.js';

/** How the outputs' scores make one: their mean (default), each [D] ('raw_values'), or (R², explained variance) weighted by each output's variance. */
export type Multioutput = 'uniform_average' | 'raw_values' | 'variance_weighted';

export interface RegressionOptions {
  /** With [N, D]: 'uniform_average' (default) the mean of the outputs' scores, 'raw_values' each output's [D]. [N] gives one score. */
  multioutput?: 'uniform_average' | 'raw_values';
}

export interface VarianceScoreOptions {
  /** As RegressionOptions', or 'variance_weighted': the outputs' scores weighted by each target's variance. */
  multioutput?: Multioutput;
}

export interface MeanSquaredErrorOptions extends RegressionOptions {
  /** false gives the root of each output's mean squared error (RMSE). Default true. */
  squared?: boolean;
}

const REGRESSION_OPTIONS: OptionNames<RegressionOptions> = { multioutput: true };

/** Mean absolute error per output (scikit-learn's mean_absolute_error). */
export function meanAbsoluteError(pred: Tensor, target: Tensor, options: RegressionOptions = {}): Tensor {
  const multioutput = checkMultioutput('meanAbsoluteError', checkOptions('meanAbsoluteError', options, REGRESSION_OPTIONS).multioutput, ERROR_AVERAGES);
  return perOutput('meanAbsoluteError', pred, target, multioutput === 'uniform_average', (p, t) => p.sub(t).abs().mean(0));
}

/** Mean squared error per output, or its root with `squared: false` (scikit-learn's mean_squared_error and root_mean_squared_error: the root taken per output, then averaged). */
export function meanSquaredError(pred: Tensor, target: Tensor, options: MeanSquaredErrorOptions = {}): Tensor {
  const { squared = true, ...rest } = checkOptions('meanSquaredError', options, { ...REGRESSION_OPTIONS, squared: 'boolean' });
  const multioutput = checkMultioutput('meanSquaredError', rest.multioutput, ERROR_AVERAGES);
  return perOutput('meanSquaredError', pred, target, multioutput === 'uniform_average', (p, t) => {
    const mse = p.sub(t).square().mean(0);
    return squared ? mse : mse.sqrt();
  });
}

/**
 * Mean absolute percentage error per output, |t − p| / max(|t|, ε) with ε
 * float64's machine epsilon (scikit-learn's
 * mean_absolute_percentage_error): a share, not a percentage, and huge
 * (not ∞) where the target is 0.
 */
export function meanAbsolutePercentageError(pred: Tensor, target: Tensor, options: RegressionOptions = {}): Tensor {
  const multioutput = checkMultioutput('meanAbsolutePercentageError', checkOptions('meanAbsolutePercentageError', options, REGRESSION_OPTIONS).multioutput, ERROR_AVERAGES);
  return perOutput('meanAbsolutePercentageError', pred, target, multioutput === 'uniform_average', (p, t) => p.sub(t).abs().div(ops.maximum(t.abs(), FLOAT64_EPSILON)).mean(0));
}

const FLOAT64_EPSILON = 2 ** -52;

/**
 * The coefficient of determination R² = 1 − Σ(t − p)² / Σ(t − t̄)² per
 * output (scikit-learn's r2_score): 1 is a perfect fit, 0 the mean's, below
 * 0 worse. A constant target scores 1 where predicted exactly, else 0
 * (scikit-learn's force_finite); a single sample is NaN (R² is not defined).
 */
export function r2Score(pred: Tensor, target: Tensor, options: VarianceScoreOptions = {}): Tensor {
  const multioutput = checkMultioutput('r2Score', checkOptions('r2Score', options, { multioutput: true }).multioutput, VARIANCE_AVERAGES);
  // One sample has no spread to explain: NaN, as scikit-learn's (which warns).
  return varianceScore('r2Score', pred, target, multioutput, (p, t) => p.sub(t).square().sum(0), { residualSpread: false, undefinedForOne: true });
}

/**
 * Explained variance 1 − Var(t − p) / Var(t) per output (scikit-learn's
 * explained_variance_score): R² less the mean error's part, so a biased
 * prediction can score 1. Constant targets as r2Score's (so one sample
 * scores 1, as scikit-learn's).
 */
export function explainedVariance(pred: Tensor, target: Tensor, options: VarianceScoreOptions = {}): Tensor {
  const multioutput = checkMultioutput('explainedVariance', checkOptions('explainedVariance', options, { multioutput: true }).multioutput, VARIANCE_AVERAGES);
  return varianceScore('explainedVariance', pred, target, multioutput, (p, t) => centredSquares(t.sub(p)), { residualSpread: true, undefinedForOne: false });
}

/**
 * 1 − residual / Σ(t − t̄)² per output, with a zero denominator (a
 * constant target) giving 1 or 0 by whether the residual is 0 too, then
 * averaged, weighted by the denominators with 'variance_weighted'.
 * `residualSpread`: the residual is a spread whose zero a constant
 * difference shows (explained variance's), not a sum that is 0 exactly;
 * `undefinedForOne`: a single sample scores NaN.
 */
function varianceScore(
  op: string, pred: Tensor, target: Tensor, multioutput: Multioutput, residual: (p: Tensor, t: Tensor) => Tensor,
  { residualSpread, undefinedForOne }: { residualSpread: boolean; undefinedForOne: boolean },
): Tensor {
  const weighted = multioutput === 'variance_weighted';
  return perOutput(op, pred, target, multioutput === 'uniform_average', (p, t) => {
    const n = p.shape[0];
    const total = centredSquares(t);
    const left = residual(p, t);
    // Spreads from a constant column are 0 exactly only when its values equal: a mean in f32 leaves them a little apart.
    const constant = (x: Tensor) => x.max(0).equal(x.min(0));
    const totalZero = constant(t);
    const leftZero = residualSpread ? constant(t.sub(p)) : left.equal(0);
    const scores = ops.where(totalZero, ops.where(leftZero, 1, 0).cast('f32'), ops.sub(1, left.div(ops.where(totalZero, 1, total))));
    const defined = undefinedForOne && n < 2 ? scores.mul(NaN) : scores;
    if (!weighted) return defined;
    const weights = ops.where(totalZero, 0, total);
    const sum = weights.sum();
    // Every target constant: no weights, so the plain mean (scikit-learn's).
    return ops.where(sum.greater(0), defined.mul(weights).sum().div(ops.where(sum.greater(0), sum, 1)), defined.mean());
  });
}

/** Σ(x − x̄)² along axis 0. */
function centredSquares(x: Tensor): Tensor {
  return x.sub(x.mean(0, { keepDims: true })).square().sum(0);
}

/**
 * Checks a regression metric's pred and target (see checkPair) and runs
 * `score` (per output, along axis 0) on them in f32 inside one tidy without
 * gradients; the outputs' scores averaged where `average`.
 */
function perOutput(op: string, pred: Tensor, target: Tensor, average: boolean, score: (p: Tensor, t: Tensor) => Tensor): Tensor {
  checkPair(op, pred, target);
  return noGrad(() => tidy(() => onBackendOf(op, pred, () => {
    const scores = score(pred.cast('f32'), target.cast('f32'));
    return average && pred.rank === 2 ? scores.mean() : scores;
  })));
}

/** A multioutput option: one of `allowed`, 'uniform_average' where not given. */
function checkMultioutput(op: string, multioutput: unknown, allowed: readonly Multioutput[]): Multioutput {
  if (multioutput === undefined) return 'uniform_average';
  if (!allowed.includes(multioutput as Multioutput)) throw new ValueError(`${op}: multioutput must be ${allowed.map((m) => `'${m}'`).join(', ')}, got ${formatValue(multioutput)}`);
  return multioutput as Multioutput;
}

const ERROR_AVERAGES: readonly Multioutput[] = ['uniform_average', 'raw_values'];
const VARIANCE_AVERAGES: readonly Multioutput[] = ['uniform_average', 'raw_values', 'variance_weighted'];

/** pred and target of one shape, [N] or [N, D], with N ≥ 1. */
export function checkPair(op: string, pred: Tensor, target: Tensor): void {
  checkSamples(op, pred, 'prediction');
  checkSamples(op, target, 'target');
  if (!sameShape(pred.shape, target.shape)) throw new ShapeError(`${op}: prediction ${formatShape(pred.shape)} and target ${formatShape(target.shape)} differ`);
  if (pred.rank > 2) throw new ShapeError(`${op}: prediction and target must be [N] or [N, outputs], got ${formatShape(pred.shape)}`);
}
