// The integer class labels of ai.onnx.ml's classifiers (LinearClassifier's
// and SVMClassifier's classlabels_ints, TreeEnsembleClassifier's
// classlabels_int64s), read one way with one wording of each refusal:
// classlabels_strings is refused (tmnn has no string tensors), and each label
// must lie within int32 (tmnn holds int64 as i32). What an op checks beyond
// that (how many labels for how many classes) stays with the op.
import type { NodeCall } from '../node_call.js';

/** The attribute a classifier names its integer labels in. */
export type ClassLabelAttribute = 'classlabels_ints' | 'classlabels_int64s';

/**
 * The labels in `attribute`, each within int32. Missing or empty: [] where
 * `optional` (the op then says what that means), else refused.
 */
export function classLabels(call: NodeCall, attribute: ClassLabelAttribute, { optional = false }: { optional?: boolean } = {}): number[] {
  if (call.strings('classlabels_strings')?.length) {
    throw call.error(`classlabels_strings is not supported: tmnn has no string tensors (re-export the model with integer labels, ${attribute})`);
  }
  const labels = call.ints(attribute, []);
  if (labels.length === 0 && !optional) throw call.error(`attribute ${attribute} is required: the classifier's class labels are missing or empty`);
  const wide = labels.find((l) => !(l >= -(2 ** 31) && l < 2 ** 31));
  if (wide !== undefined) throw call.error(`${attribute} holds ${wide}, outside int32: tmnn holds int64 labels as int32`);
  return labels;
}
