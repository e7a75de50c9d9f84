// Evaluation metrics, scikit-learn's definitions: each takes tensors and
// gives a tensor (f32), computed with ops on the tensors' backend, without
// gradients (to train on, see tm.losses). Read a result with .item() or
// .data().
export { accuracy, cohenKappa, confusionMatrix, f1Score, fbetaScore, matthewsCorrcoef, precision, recall } from './classification.js';
export type {
  AccuracyOptions, Average, ClassScoreOptions, CohenKappaOptions, ConfusionMatrixOptions, ConfusionNormalize, LabelOptions, FbetaOptions,
} from './classification.js';
export { averagePrecision, precisionRecallCurve, rocAuc, rocCurve } from './ranking.js';
export type { PrecisionRecallCurve, RankingAverage, RankingOptions, RocCurve, RocCurveOptions } from './ranking.js';
export { explainedVariance, meanAbsoluteError, meanAbsolutePercentageError, meanSquaredError, r2Score } from './regression.js';
export type { MeanSquaredErrorOptions, Multioutput, RegressionOptions, VarianceScoreOptions } from './regression.js';
export { pearsonCorrcoef, spearmanCorrcoef } from './correlation.js';
