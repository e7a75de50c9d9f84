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
      // √2·erfinv(2p − 1): the standard normal's quantile of p.
      return ops.mul(ops.erfinv(ops.sub(ops.mul(scores, 2), 1)), Math.SQRT2);
  }
}

/**
 * A softmax in which a score within 1e-7 of zero (an absent class of a
 * sparse model) stays near zero: the others as e^(s − max)/Σ, the sum over
 * them only, a near-zero s as s·e^(−max)/Σ, max taken over every score, as
 * onnxruntime's ComputeSoftmaxZero does.
 */
function softmaxZero(scores: Tensor): Tensor {
  const max = ops.max(scores, -1, { keepDims: true });
  const nearZero = ops.lessEqual(ops.abs(scores), 1e-7);
  const shifted = ops.where(nearZero, 0, ops.exp(ops.sub(scores, max)));
  const sum = ops.sum(shifted, -1, { keepDims: true });
  return ops.div(ops.where(nearZero, ops.mul(scores, ops.exp(ops.neg(max))), shifted), sum);
}
