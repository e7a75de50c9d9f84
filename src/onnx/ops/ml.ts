// The ai.onnx.ml domain: the classical models scikit-learn's converter
// (skl2onnx) and onnxmltools write — linear models, tree ensembles, SVMs,
// the preprocessing around them and the ZipMap after them — one file per
// kind: all of the domain's ops. Strings (class names, categories) are
// StringTensors on the host (ml_strings.ts, ml_class_labels.ts), a map
// input a JS Map (ml_maps.ts).
import { ML_LINEAR_OPS } from './ml_linear.js';
import { ML_MAP_OPS } from './ml_maps.js';
import { ML_PREPROCESS_OPS } from './ml_preprocess.js';
import { ML_SVM_OPS } from './ml_svm.js';
import { ML_TREE_OPS } from './ml_tree.js';
import { ML_ZIPMAP_OPS } from './ml_zipmap.js';
import type { OpTable } from './op.js';

export const ML_OPS: OpTable = {
  ...ML_PREPROCESS_OPS,
  ...ML_LINEAR_OPS,
  ...ML_TREE_OPS,
  ...ML_SVM_OPS,
  ...ML_ZIPMAP_OPS,
  ...ML_MAP_OPS,
};
