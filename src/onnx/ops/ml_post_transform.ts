// The post_transform attribute of ai.onnx.ml's models (LinearClassifier,
// LinearRegressor, TreeEnsemble*, SVM*): what turns raw scores into the
// outputs, applied along the last axis (one row of scores per sample), as
// onnxruntime's ml_common.h and onnx's reference (aionnxml/_op_common) define it.
import * as ops from '../../ops/index.js';
import type { Tensor } from '../../tensor.js';
import type { NodeCall } from '../node_call.js';

export const POST_TRANSFORMS = ['NONE', 'SOFTMAX', 'LOGISTIC', 'SOFTMAX_ZERO', 'PROBIT'] as const;
export type PostTransform = (typeof POST_TRANSFORMS)[number];

/** The node's post_transform attribute (NONE when absent), refused by name when it is none of ONNX's five. */
export function postTransformOf(call: NodeCall): PostTransform {
  const name = call.string('post_transform', 'NONE');
  if (!(POST_TRANSFORMS as readonly string[]).includes(name)) throw call.error(`post_transform ${name} is not one of ${POST_TRANSFORMS.join(', ')}`);
  return name as PostTransform;
}

/** Scores [N, C] (or [N]) after `transform`, along the last axis. */
export function postTransform(scores: Tensor, transform: PostTransform): Tensor {
  switch (transform) {
    case 'NONE':
      return scores;
    case 'LOGISTIC':
      return ops.sigmoid(scores);
    case 'SOFTMAX':
      return ops.softmax(scores, -1);
    case 'SOFTMAX_ZERO':
      return softmaxZero(scores);
    case 'PROBIT':
      // √2·erfinv(2p − 1), the standard normal's quantile of p, with the
      // approximate erfinv both onnxruntime (ml_common.h ComputeProbit) and
      // onnx's reference (_common_classifier.py) use: it is up to ~2e-3 off
      // the true quantile, and the models are defined by it.
      return ops.mul(approximateErfinv(ops.sub(ops.mul(scores, 2), 1)), Math.SQRT2);
  }
}

/**
 * Winitzki's erfinv with a = 0.147, as onnxruntime's ErfInv computes it
 * (with its 3.14159 for π): sgn(x)·√(√(v² − log(1−x²)/a) − v), where
 * v = 2/(πa) + log(1−x²)/2. The difference of the square root and v cancels
 * in f32 near x = 0 (where v > 0), so there it is taken as the equal
 * −w/(v + √(v² − w)), w = log(1−x²)/a ≤ 0; elsewhere (v ≤ 0) it does not
 * cancel. ±1 gives ±∞, beyond ±1 NaN, as onnxruntime's does.
 */
function approximateErfinv(x: Tensor): Tensor {
  const a = 0.147;
  // log(1 − x²): near x = 0 through log1p (log's absolute error there, 2^-21
  // in WGSL, would swamp a small −x²), near ±1 as (1 − x)(1 + x), exact in f32.
  const log = ops.where(ops.less(ops.abs(x), 0.5), ops.log1p(ops.neg(ops.square(x))), ops.log(ops.mul(ops.sub(1, x), ops.add(1, x))));
  const v = ops.add(ops.mul(log, 0.5), 2 / (3.14159 * a));
  const w = ops.mul(log, 1 / a);
  const root = ops.sqrt(ops.sub(ops.square(v), w));
  const t = ops.where(ops.greater(v, 0), ops.div(ops.neg(w), ops.add(v, root)), ops.sub(root, v));
  // The sign of x, with 0 taken as positive (it gives 0 either way).
  return ops.mul(ops.sqrt(t), ops.where(ops.less(x, 0), -1, 1));
}

/**
 * A softmax that leaves the zero scores of a sparse model (absent classes)
 * out, as onnxruntime's ComputeSoftmaxZero does: a score within 1e-7 of
 * zero counts as zero and becomes v·e^(−max)/Σ (so a zero stays zero), the
 * others e^(v − max)/Σ, max taken over every score, zeros included, and Σ
 * over the others only (a row of zeros is 0/0, NaN, in onnxruntime too).
 */
function softmaxZero(scores: Tensor): Tensor {
  const max = ops.max(scores, -1, { keepDims: true });
  const counted = ops.greater(ops.abs(scores), 1e-7);
  const kept = ops.where(counted, ops.exp(ops.sub(scores, max)), 0);
  const zeros = ops.mul(scores, ops.exp(ops.neg(max)));
  return ops.div(ops.where(counted, kept, zeros), ops.sum(kept, -1, { keepDims: true }));
}
