// Correlation of predictions with targets: Pearson's of the values, and
// Spearman's of their ranks (ties given their average rank, as SciPy's
// spearmanr), per column of [N, D] as torchmetrics'.
import { tidy } from '../engine.js';
import * as ops from '../ops/index.js';
import { onBackendOf } from '../ops/util.js';
import { noGrad } from '../tape.js';
import type { Tensor } from '../tensor.js';
import { checkPair } from './regression.js';
import { averageRanks } from './runs.js';

/**
 * Pearson's correlation coefficient Σ(p − p̄)(t − t̄) / √(Σ(p − p̄)²·Σ(t −
 * t̄)²) of [N] (a scalar) or of each column of [N, D] ([D]), in f32. NaN
 * where a side is constant (one sample included), as SciPy's pearsonr.
 */
export function pearsonCorrcoef(pred: Tensor, target: Tensor): Tensor {
  checkPair('pearsonCorrcoef', pred, target);
  return noGrad(() => tidy(() => onBackendOf('pearsonCorrcoef', pred, () => pearson(pred.cast('f32'), target.cast('f32')))));
}

/**
 * Spearman's rank correlation: Pearson's of the ranks of pred and of
 * target, tied values given their average rank (SciPy's spearmanr), per
 * column as pearsonCorrcoef's. NaN where a side is constant.
 */
export function spearmanCorrcoef(pred: Tensor, target: Tensor): Tensor {
  checkPair('spearmanCorrcoef', pred, target);
  return noGrad(() => tidy(() => onBackendOf('spearmanCorrcoef', pred, () => {
    // Ranked along rows: each column of [N, D] a row of [D, N].
    const ranks = (x: Tensor) => (x.rank === 1 ? averageRanks(x.cast('f32').reshape([1, x.size])).reshape(x.shape) : averageRanks(x.cast('f32').transpose()).transpose());
    return pearson(ranks(pred), ranks(target));
  })));
}

/** Pearson's r along axis 0 of f32 p and t, NaN where either is constant. */
function pearson(p: Tensor, t: Tensor): Tensor {
  const centred = (x: Tensor) => x.sub(x.mean(0, { keepDims: true }));
  const [dp, dt] = [centred(p), centred(t)];
  const r = dp.mul(dt).sum(0).div(dp.square().sum(0).mul(dt.square().sum(0)).sqrt());
  // A constant side's deviations are 0 exactly only where its mean is exact in f32: its r is NaN whatever they are.
  const constant = (x: Tensor) => x.max(0).equal(x.min(0));
  return ops.where(ops.logicalOr(constant(p), constant(t)), NaN, r);
}
