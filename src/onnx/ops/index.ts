// Every ONNX operator tmnn runs, by domain and op type: one table per kind
// of op; onnxruntime's contrib ops (the com.microsoft domain) in tables of
// their own (microsoft.ts); the ai.onnx.ml domain's classical models in ml.ts.
import { ATTENTION_OPS } from './attention.js';
import { BITCAST_OPS } from './bitcast.js';
import { BITWISE_OPS } from './bitwise.js';
import { IMAGE_DECODER_OPS } from './image_decoder.js';
import { CONTROL_FLOW_OPS } from './control_flow.js';
import { CONV_OPS } from './conv.js';
import { DATA_DEPENDENT_OPS } from './data_dependent.js';
import { DEFORM_CONV_OPS } from './deform_conv.js';
import { DETECTION_OPS } from './detection.js';
import { ELEMENTWISE_OPS } from './elementwise.js';
import { IMAGE_OPS } from './image.js';
import { INDEXING_OPS } from './indexing.js';
import { INTEGER_PRODUCT_OPS } from './integer_products.js';
import { LOSS_OPS } from './loss.js';
import { MATMUL_OPS } from './matmul.js';
import { MICROSOFT_OPS, ONNXRUNTIME_DEFAULT_DOMAIN_OPS } from './microsoft.js';
import { MISC_OPS } from './misc.js';
import { ML_OPS } from './ml.js';
import { OPTIONAL_OPS } from './optional.js';
import { NORMALIZATION_OPS } from './normalization.js';
import type { OnnxOp, OpTable } from './op.js';
import { POOL_OPS } from './pool.js';
import { QUANTIZATION_OPS } from './quantization.js';
import { RANDOM_OPS } from './random.js';
import { RECURRENT_OPS } from './recurrent.js';
import { REDUCE_OPS } from './reduce.js';
import { RESIZE_OPS } from './resize.js';
import { ROTARY_OPS } from './rotary.js';
import { SAMPLING_OPS } from './sampling.js';
import { SCATTER_OPS } from './scatter.js';
import { SEQUENCE_OPS } from './sequence.js';
import { SEQUENCE_MAP_OPS } from './sequence_map.js';
import { SHAPE_OPS } from './shape.js';
import { SIGNAL_OPS } from './signal.js';
import { TENSOR_SCATTER_OPS } from './tensor_scatter.js';
import { STRING_ELEMENTWISE_OPS } from './string_elementwise.js';
import { TEXT_OPS } from './text.js';
import { TRAINING_NODE_OPS } from './training_nodes.js';
import { GRADIENT_OPS } from './gradient.js';
import { PREVIEW_TRAINING_OPS } from './preview_training.js';

export const OPS: OpTable = {
  ...ELEMENTWISE_OPS,
  ...SHAPE_OPS,
  ...REDUCE_OPS,
  ...MATMUL_OPS,
  ...RECURRENT_OPS,
  ...CONV_OPS,
  ...DEFORM_CONV_OPS,
  ...POOL_OPS,
  ...NORMALIZATION_OPS,
  ...ATTENTION_OPS,
  ...ROTARY_OPS,
  ...RESIZE_OPS,
  ...SAMPLING_OPS,
  ...INDEXING_OPS,
  ...SCATTER_OPS,
  ...CONTROL_FLOW_OPS,
  ...DATA_DEPENDENT_OPS,
  ...QUANTIZATION_OPS,
  ...INTEGER_PRODUCT_OPS,
  ...SEQUENCE_OPS,
  ...SEQUENCE_MAP_OPS,
  ...IMAGE_OPS,
  ...MISC_OPS,
  ...ONNXRUNTIME_DEFAULT_DOMAIN_OPS,
  ...SIGNAL_OPS,
  ...RANDOM_OPS,
  ...LOSS_OPS,
  ...BITWISE_OPS,
  ...BITCAST_OPS,
  ...IMAGE_DECODER_OPS,
  ...DETECTION_OPS,
  ...TENSOR_SCATTER_OPS,
  ...TRAINING_NODE_OPS,
  ...OPTIONAL_OPS,
  ...TEXT_OPS,
  ...STRING_ELEMENTWISE_OPS,
};

/** The op tables by domain: '' is the default (ai.onnx) domain. */
const DOMAINS: Readonly<Record<string, OpTable>> = { '': OPS, 'com.microsoft': MICROSOFT_OPS, 'ai.onnx.ml': ML_OPS, 'ai.onnx.preview.training': { ...PREVIEW_TRAINING_OPS, ...GRADIENT_OPS } };

/** The domains tmnn runs ops of, named as files name them ('' the default). */
export const SUPPORTED_DOMAINS: readonly string[] = Object.keys(DOMAINS);

/** The op a node of `domain` and `opType` runs, or undefined where tmnn has none. */
export function opFor(domain: string, opType: string): OnnxOp | undefined {
  const table = Object.hasOwn(DOMAINS, domain) ? DOMAINS[domain] : undefined;
  return table && Object.hasOwn(table, opType) ? table[opType] : undefined;
}

/** The op types tmnn runs of the default ai.onnx domain, sorted (with SimplifiedLayerNormalization, onnxruntime's addition to that domain). */
export const SUPPORTED_OPS: readonly string[] = Object.keys(OPS).sort();

/** The op types tmnn runs of onnxruntime's com.microsoft domain (its contrib ops), sorted. */
export const SUPPORTED_MICROSOFT_OPS: readonly string[] = Object.keys(MICROSOFT_OPS).sort();

/** The op types tmnn runs of the ai.onnx.ml domain (scikit-learn's linear models, trees, SVMs, preprocessing), sorted. */
export const SUPPORTED_ML_OPS: readonly string[] = Object.keys(ML_OPS).sort();

/** The op types tmnn runs of the ai.onnx.preview.training domain (its optimizers and Gradient), sorted. */
export const SUPPORTED_TRAINING_OPS: readonly string[] = Object.keys({ ...PREVIEW_TRAINING_OPS, ...GRADIENT_OPS }).sort();
