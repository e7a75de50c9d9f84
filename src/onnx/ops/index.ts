// Every ONNX operator tmnn runs, by op type: one table per kind of op.
import { CONTROL_FLOW_OPS } from './control_flow.js';
import { CONV_OPS } from './conv.js';
import { DATA_DEPENDENT_OPS } from './data_dependent.js';
import { ELEMENTWISE_OPS } from './elementwise.js';
import { INDEXING_OPS } from './indexing.js';
import { INTEGER_PRODUCT_OPS } from './integer_products.js';
import { MATMUL_OPS } from './matmul.js';
import { NORMALIZATION_OPS } from './normalization.js';
import type { OpTable } from './op.js';
import { POOL_OPS } from './pool.js';
import { QUANTIZATION_OPS } from './quantization.js';
import { RECURRENT_OPS } from './recurrent.js';
import { REDUCE_OPS } from './reduce.js';
import { RESIZE_OPS } from './resize.js';
import { SEQUENCE_OPS } from './sequence.js';
import { SEQUENCE_MAP_OPS } from './sequence_map.js';
import { SHAPE_OPS } from './shape.js';

export const OPS: OpTable = {
  ...ELEMENTWISE_OPS,
  ...SHAPE_OPS,
  ...REDUCE_OPS,
  ...MATMUL_OPS,
  ...RECURRENT_OPS,
  ...CONV_OPS,
  ...POOL_OPS,
  ...NORMALIZATION_OPS,
  ...RESIZE_OPS,
  ...INDEXING_OPS,
  ...CONTROL_FLOW_OPS,
  ...DATA_DEPENDENT_OPS,
  ...QUANTIZATION_OPS,
  ...INTEGER_PRODUCT_OPS,
  ...SEQUENCE_OPS,
  ...SEQUENCE_MAP_OPS,
};

/** The op types tmnn runs (the default ai.onnx domain), sorted. */
export const SUPPORTED_OPS: readonly string[] = Object.keys(OPS).sort();
