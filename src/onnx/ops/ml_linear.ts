// ai.onnx.ml's linear models, as onnxruntime's CPU kernels compute them
// (ml/linearregressor.cc, ml/linearclassifier.cc, version 1.30):
// - LinearRegressor: Y = X·Wᵀ + b [N, targets], then post_transform.
// - LinearClassifier: scores X·Wᵀ + b [N, K] (K = the number of
//   intercepts), labels Y the class label of each row's first largest raw
//   score, Z the post-transformed scores. One row of coefficients (K = 1) is
//   a binary model: the label is the second class label when the score is
//   above 0, else the first (1 and 0 without labels), and with two class
//   labels Z becomes two columns (see binaryScores).
// X is [N, C] or one sample [C], of floats or integers, taken as f32 (as
// onnxruntime casts it); W [targets or K, C] row-major from `coefficients`.
// The whole computation is one fixed graph of tensor ops on the device; the
// attributes become small constant tensors each run.
import * as ops from '../../ops/index.js';
import type { Tensor } from '../../tensor.js';
import type { NodeCall } from '../node_call.js';
import { classLabels, withStringLabels } from './ml_class_labels.js';
import { postTransform, postTransformOf, type PostTransform } from './ml_post_transform.js';
import { sampleRows } from './ml_samples.js';
import type { OpTable } from './op.js';

/** The coefficients as W [rows, C], checked against X's C features. */
function weights(call: NodeCall, rows: number, features: number, what: string): Tensor {
  const coefficients = call.floats('coefficients');
  if (!coefficients || coefficients.length === 0) throw call.error('attribute coefficients is required (and must not be empty)');
  // onnxruntime accepts more than rows·C coefficients and reads the first
  // rows·C as [rows, C]: an X narrower than the model was written for, its
  // rows misaligned; tmnn refuses any count but rows·C.
  if (coefficients.length !== rows * features) {
    throw call.error(`it has ${coefficients.length} coefficients; for ${rows} ${what} of X's ${features} features there should be ${rows}×${features} = ${rows * features}`);
  }
  return ops.tensor(Float32Array.from(coefficients), [rows, features]);
}

/** X·Wᵀ (+ b): [N, rows]. */
function linear(x: Tensor, w: Tensor, intercepts: readonly number[] | undefined): Tensor {
  const scores = ops.matmul(x, w, { transposeB: true });
  return intercepts ? ops.add(scores, ops.tensor(Float32Array.from(intercepts), [intercepts.length])) : scores;
}

function linearRegressor(call: NodeCall): Tensor {
  const targets = call.int('targets', 1);
  if (!Number.isInteger(targets) || targets < 1) throw call.error(`targets = ${targets}; it should be at least 1`);
  const transform = postTransformOf(call);
  const intercepts = call.floats('intercepts');
  // onnxruntime quietly leaves out intercepts of any length but `targets`;
  // such a model is malformed (onnx's reference would broadcast them into
  // extra columns), and tmnn says so instead.
  if (intercepts && intercepts.length > 0 && intercepts.length !== targets) {
    throw call.error(`it has ${intercepts.length} intercepts for ${targets} targets; there should be one per target (or none)`);
  }
  const x = sampleRows(call);
  const y = linear(x, weights(call, targets, x.shape[1], targets === 1 ? 'target' : 'targets'), intercepts?.length ? intercepts : undefined);
  // One target: onnxruntime applies PROBIT only, and leaves the score as it
  // is for LOGISTIC, SOFTMAX and SOFTMAX_ZERO (batched_update_scores_inplace's
  // one-score case, which only adds a second class, here not asked for).
  return targets === 1 && transform !== 'PROBIT' ? y : postTransform(y, transform);
}

interface ClassLabels {
  /** One label per class; a binary model's two (0 and 1 where the model names none). */
  labels: number[];
  /** Whether the model names them: a binary model's Z is then two columns. */
  named: boolean;
}

/**
 * The classifier's labels (see ml_class_labels.ts), which a binary model may
 * leave out (0 and 1 then), checked against its number of classes.
 */
function linearLabels(call: NodeCall, classes: number): ClassLabels {
  const labels = classLabels(call, 'classlabels_ints', { optional: classes === 1 });
  if (labels.length === 0) return { labels: [0, 1], named: false };
  // As onnxruntime 1.30 checks: a binary model's labels are its two classes;
  // with more classes, at least one label per class (extra ones unused).
  if (classes === 1 && labels.length !== 2) throw call.error(`it has one row of coefficients (a binary model) and ${labels.length} classlabels_ints; a binary model has 2 (or none, for 0 and 1)`);
  if (labels.length < classes) throw call.error(`it has ${labels.length} classlabels_ints for ${classes} classes (one per intercept)`);
  return { labels: labels.slice(0, Math.max(classes, 2)), named: true };
}

/** labels[index] (i32), skipping the gather where the labels are 0, 1, 2…. */
function labelOf(labels: readonly number[], index: Tensor): Tensor {
  if (labels.every((l, i) => l === i)) return index;
  return ops.gather(ops.tensor(Int32Array.from(labels), [labels.length], { dtype: 'i32' }), index);
}

/**
 * Z of a binary model with two class labels, from its scores s [N, 1], as
 * onnxruntime 1.30 writes the second class in (batched_update_scores_inplace,
 * checked against onnxruntime-web): [1 − σ(s), σ(s)] for LOGISTIC, and
 * [1 − s, s] (the raw score, not transformed) for NONE, SOFTMAX and
 * SOFTMAX_ZERO. onnx's reference writes
 * [−s, s] and transforms that; models exported for onnxruntime expect its
 * output. PROBIT is refused: onnxruntime writes the N probits packed into the
 * first half of Z [N, 2] and leaves the rest unwritten, so it has no defined
 * result to match.
 */
function binaryScores(call: NodeCall, s: Tensor, transform: PostTransform): Tensor {
  if (transform === 'PROBIT') {
    throw call.error('post_transform PROBIT with one row of coefficients and two class labels is not supported: onnxruntime leaves half of its scores Z unwritten (garbage) there, so the model has no defined output; use one of NONE, LOGISTIC, SOFTMAX, SOFTMAX_ZERO, or no class labels');
  }
  const positive = transform === 'LOGISTIC' ? ops.sigmoid(s) : s;
  return ops.concat([ops.sub(1, positive), positive], 1);
}

function linearClassifier(call: NodeCall): Tensor[] {
  const intercepts = call.floats('intercepts');
  // onnxruntime counts the classes by the intercepts, and refuses a model without them.
  if (!intercepts || intercepts.length === 0) throw call.error('attribute intercepts is required (one per class; they give the number of classes)');
  const classes = intercepts.length;
  const { labels, named } = linearLabels(call, classes);
  const transform = postTransformOf(call);
  // multi_class (0 one-vs-rest, 1 multinomial) changes nothing here, in
  // onnxruntime or onnx's reference: the post_transform says how scores are made.
  const x = sampleRows(call);
  const scores = linear(x, weights(call, classes, x.shape[1], classes === 1 ? 'row of coefficients' : 'classes'), intercepts);
  let label: Tensor, z: Tensor;
  if (classes === 1) {
    // The second label where the raw score is above 0 (NaN: the first).
    label = labelOf(labels, ops.reshape(ops.cast(ops.greater(scores, 0), 'i32'), [x.shape[0]]));
    // Without labels Z stays [N, 1]: PROBIT applies, the other transforms
    // leave the score as it is (onnxruntime's one-score case).
    z = named ? binaryScores(call, scores, transform) : transform === 'PROBIT' ? postTransform(scores, transform) : scores;
  } else {
    // The first largest raw score: onnxruntime takes the label before the
    // transform (SOFTMAX_ZERO does not keep the order).
    label = labelOf(labels, ops.argmax(scores, 1));
    z = postTransform(scores, transform);
  }
  return [call.typed(label, 'int64'), z];
}

export const ML_LINEAR_OPS: OpTable = {
  LinearRegressor: { run: linearRegressor },
  LinearClassifier: withStringLabels({ run: linearClassifier }),
};
