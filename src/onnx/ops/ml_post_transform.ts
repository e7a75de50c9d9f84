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
 * The standard normal's quantile of p, √2·erf⁻¹(2p − 1), with erf⁻¹ by
 * Winitzki's closed form (a = 0.147) as onnxruntime's ErfInv (ml_common.h)
 * and onnx's reference (erf_inv) take it: up to about 2e-3 from the true
 * quantile, relative, so the exact tm.erfinv would not give what those
 * runtimes give. With x = 2p − 1, t = ln(1 − x²) and v = 2/(πa) + t/2,
 * erf⁻¹(x) ≈ sign(x)·√(√(v² − t/a) − v). That formula is evaluated here
 * without the cancellations that cost onnxruntime's float32 evaluation most
 * of its digits near p = ½ (where its output steps by about 1e-3) and some
 * near 0 and 1 (its 2p − 1 rounds): t as ln(4p(1 − p)), or log1p(−x²) for
 * |x| < ½, and there the difference under the root as
 * (−t/a)/(√(v² − t/a) + v).
 */
export function probit(p: Tensor): Tensor {
  const a = 0.147;
  const x = ops.sub(ops.mul(p, 2), 1);
  const middle = ops.less(ops.abs(x), 0.5);
  const t = ops.where(middle, ops.log1p(ops.neg(ops.square(x))), ops.log(ops.mul(ops.mul(p, 4), ops.sub(1, p))));
  // onnxruntime's π is 3.14159.
  const v = ops.add(ops.mul(t, 0.5), 2 / (3.14159 * a));
  const outer = ops.sqrt(ops.sub(ops.square(v), ops.div(t, a)));
  const root = ops.sqrt(ops.where(middle, ops.div(ops.div(t, -a), ops.add(outer, v)), ops.sub(outer, v)));
  // onnxruntime's sign: −1 below 0, else +1.
  return ops.mul(ops.where(ops.less(x, 0), ops.neg(root), root), Math.SQRT2);
}

/**
 * A softmax that leaves out the zero scores (an absent class of a sparse
 * model), as onnxruntime's ComputeSoftmaxZero does: a score within 1e-7 of
 * zero counts as zero — it is not in the sum and comes out as s·e^(−max)/Σ,
 * (nearly) zero — the others e^(s − max)/Σ, max taken over every score.
 */
function softmaxZero(scores: Tensor): Tensor {
  const max = ops.max(scores, -1, { keepDims: true });
  const zero = ops.lessEqual(ops.abs(scores), 1e-7);
  const kept = ops.where(zero, 0, ops.exp(ops.sub(scores, max)));
  const scaled = ops.where(zero, ops.mul(scores, ops.exp(ops.neg(max))), kept);
  return ops.div(scaled, ops.sum(kept, -1, { keepDims: true }));
}
