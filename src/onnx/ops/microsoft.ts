// onnxruntime's operators: its contrib ops (the com.microsoft domain), which
// its transformer optimizer and Hugging Face optimum write into models, and
// the one op it adds to the default domain (SimplifiedLayerNormalization,
// RMSNorm). Only the common ones, with the forms tmnn does not run (past
// state, rotary embeddings, batch transposes) refused by name.
import { MICROSOFT_ACTIVATION_OPS } from './microsoft_activations.js';
import { MICROSOFT_ATTENTION_OPS } from './microsoft_attention.js';
import { MICROSOFT_EMBEDDING_OPS } from './microsoft_embedding.js';
import { MICROSOFT_NBITS_OPS } from './microsoft_nbits.js';
import { MICROSOFT_NORMALIZATION_OPS, ONNXRUNTIME_NORMALIZATION_OPS } from './microsoft_normalization.js';
import { MICROSOFT_PRODUCT_OPS } from './microsoft_products.js';
import type { OpTable } from './op.js';

/** The com.microsoft ops tmnn runs, by op type. */
export const MICROSOFT_OPS: OpTable = {
  ...MICROSOFT_ACTIVATION_OPS,
  ...MICROSOFT_NORMALIZATION_OPS,
  ...MICROSOFT_PRODUCT_OPS,
  ...MICROSOFT_ATTENTION_OPS,
  ...MICROSOFT_EMBEDDING_OPS,
  ...MICROSOFT_NBITS_OPS,
};

/** onnxruntime's additions to the default (ai.onnx) domain. */
export const ONNXRUNTIME_DEFAULT_DOMAIN_OPS: OpTable = {
  ...ONNXRUNTIME_NORMALIZATION_OPS,
};
