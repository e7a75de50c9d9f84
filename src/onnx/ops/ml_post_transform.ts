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
      return probit(scores);
  }
}

/**
 * PROBIT, √2·erfinv(2p − 1) (the standard normal's quantile of p), with
 * erfinv as onnxruntime's ml_common.h ErfInv and onnx's reference
 * (aionnxml/_common_classifier.py erf_inv) both compute it: Winitzki's
 * approximation (a = 0.147), off the true erfinv by up to ~2e-3 relative,
 * which is what the models' consumers get from those runtimes.
 */
export function probit(p: Tensor): Tensor {
  const x = ops.sub(ops.mul(p, 2), 1);
  const a = 0.147;
  const ln = ops.log(ops.mul(ops.sub(1, x), ops.add(1, x)));
  const v = ops.add(ops.mul(ln, 0.5), 2 / (Math.PI * a));
  const inner = ops.sqrt(ops.sub(ops.sqrt(ops.sub(ops.square(v), ops.div(ln, a))), v));
  // sgn is −1 below 0 and +1 at or above it (sign(0) would give 0, which the formula's √0 makes no matter).
  return ops.mul(ops.where(ops.less(x, 0), ops.neg(inner), inner), Math.SQRT2);
}

/**
 * A softmax in which a score of exactly zero stays zero (an absent class of
 * a sparse model): the others as e^(s − max)/Σ, max taken over every score,
 * zeros included, as onnxruntime's ComputeSoftmaxZero does.
 */
function softmaxZero(scores: Tensor): Tensor {
  const shifted = ops.exp(ops.sub(scores, ops.max(scores, -1, { keepDims: true })));
  const kept = ops.where(ops.equal(scores, 0), 0, shifted);
  return ops.div(kept, ops.sum(kept, -1, { keepDims: true }));
}
