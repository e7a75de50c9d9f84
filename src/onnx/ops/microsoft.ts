// onnxruntime's operators: its contrib ops (the com.microsoft domain), which
// its transformer optimizer, quantizer and Hugging Face optimum write into
// models, and the one op it adds to the default domain
// (SimplifiedLayerNormalization, RMSNorm). Only the common ones, with the
// forms tmnn does not run (ragged batches, batch transposes)
// refused by name.
import { INDEXING_OPS } from './indexing.js';
import { MICROSOFT_ACTIVATION_OPS } from './microsoft_activations.js';
import { MICROSOFT_ATTENTION_OPS } from './microsoft_attention.js';
import { MICROSOFT_EMBEDDING_OPS } from './microsoft_embedding.js';
import { MICROSOFT_GROUP_QUERY_ATTENTION_OPS } from './microsoft_group_query_attention.js';
import { MICROSOFT_NBITS_OPS } from './microsoft_nbits.js';
import { MICROSOFT_NORMALIZATION_OPS, ONNXRUNTIME_NORMALIZATION_OPS } from './microsoft_normalization.js';
import { MICROSOFT_PRODUCT_OPS } from './microsoft_products.js';
import { MICROSOFT_QATTENTION_OPS } from './microsoft_qattention.js';
import { MICROSOFT_QGEMM_OPS } from './microsoft_qgemm.js';
import { MICROSOFT_QLINEAR_OPS } from './microsoft_qlinear.js';
import { MICROSOFT_ROTARY_OPS } from './microsoft_rotary.js';
import { MICROSOFT_TOKENIZER_OPS } from './microsoft_tokenizer.js';
import type { OpTable } from './op.js';
import { QUANTIZATION_OPS } from './quantization.js';
import { SHAPE_OPS } from './shape.js';

/**
 * com.microsoft's copies of default-domain ops, from before ONNX had them
 * (Trilu, GatherND) or had their types (16-bit QuantizeLinear and
 * DequantizeLinear, which onnxruntime's quantizer writes there): run as the
 * default domain's, by the model's default opset (per-axis scales from 13).
 */
const DEFAULT_DOMAIN_COPIES: OpTable = {
  QuantizeLinear: QUANTIZATION_OPS.QuantizeLinear,
  DequantizeLinear: QUANTIZATION_OPS.DequantizeLinear,
  Trilu: SHAPE_OPS.Trilu,
  GatherND: INDEXING_OPS.GatherND,
};

/** The com.microsoft ops tmnn runs, by op type. */
export const MICROSOFT_OPS: OpTable = {
  ...MICROSOFT_ACTIVATION_OPS,
  ...MICROSOFT_NORMALIZATION_OPS,
  ...MICROSOFT_PRODUCT_OPS,
  ...MICROSOFT_ATTENTION_OPS,
  ...MICROSOFT_GROUP_QUERY_ATTENTION_OPS,
  ...MICROSOFT_EMBEDDING_OPS,
  ...MICROSOFT_NBITS_OPS,
  ...MICROSOFT_ROTARY_OPS,
  ...MICROSOFT_QLINEAR_OPS,
  ...MICROSOFT_QGEMM_OPS,
  ...MICROSOFT_QATTENTION_OPS,
  ...MICROSOFT_TOKENIZER_OPS,
  ...DEFAULT_DOMAIN_COPIES,
};

/** onnxruntime's additions to the default (ai.onnx) domain. */
export const ONNXRUNTIME_DEFAULT_DOMAIN_OPS: OpTable = {
  ...ONNXRUNTIME_NORMALIZATION_OPS,
};
