// The ai.onnx.ml domain: the classical models scikit-learn's converter
// (skl2onnx) and onnxmltools write — linear models, tree ensembles, SVMs and
// the preprocessing around them — one file per kind. String-valued inputs,
// labels and maps (ZipMap's seq(map)) stay out: tmnn has no string tensors.
import { ML_LINEAR_OPS } from './ml_linear.js';
import { ML_PREPROCESS_OPS } from './ml_preprocess.js';
import { ML_SVM_OPS } from './ml_svm.js';
import { ML_TREE_OPS } from './ml_tree.js';
import type { OpTable } from './op.js';

export const ML_OPS: OpTable = {
  ...ML_PREPROCESS_OPS,
  ...ML_LINEAR_OPS,
  ...ML_TREE_OPS,
  ...ML_SVM_OPS,
};
