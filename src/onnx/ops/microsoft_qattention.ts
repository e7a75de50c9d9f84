// onnxruntime's QAttention (com.microsoft): Attention with its Q/K/V
// projection quantized, as the onnxruntime quantizer of 2020–2022 wrote
// BERT-style models (quantize_dynamic on a model its transformer optimizer
// had fused). The input (uint8 or int8, [B, S, H], with its scale and zero
// point) times the int8 weights ([H, Q + K + V], per tensor or per column,
// with theirs) is an exact integer product scaled to float, as
// MatMulIntegerToFloat's; the bias is added and the rest is Attention's
// (microsoft_attention.ts): mask_index at input 5, past at input 8.
import * as ops from '../../ops/index.js';
import type { OpTable } from './op.js';
import { integerMatmul, operandType } from './integer_products.js';
import { attendProjected, headCount, refuseUnsupported } from './microsoft_attention.js';
import { bLayout, f32Scale, perTensor, scaled } from './microsoft_products.js';

export const MICROSOFT_QATTENTION_OPS: OpTable = {
  QAttention: {
    run: (call) => {
      refuseUnsupported(call);
      operandType(call, 0, 'input', 6);
      operandType(call, 1, 'weight', 7);
      const x = call.value(0), w = call.value(1);
      const n = headCount(call);
      if (x.shape.length !== 3) throw call.error(`input is [${x.shape.join(', ')}]; it must be [batch, sequence, input_hidden]`);
      if (w.shape.length !== 2 || w.shape[0] !== x.shape[2]) throw call.error(`weights are [${w.shape.join(', ')}]; they must be [${x.shape[2]}, Q + K + V hidden sizes]`);
      if (!call.has(2)) throw call.error('bias (input 2) is required');
      perTensor(call, 3, 'input_scale');
      perTensor(call, 6, 'input_zero_point');
      const layout = bLayout(call, 4, 7, 'weight');
      const acc = integerMatmul(call, [0, 6, 1, 7], [], layout.zeroPoint);
      const multiplier = ops.mul(f32Scale(call, 3, 'input_scale', []), f32Scale(call, 4, 'weight_scale', layout.scale));
      return attendProjected(call, scaled(call, acc, multiplier, 2, false), n, { mask: 5, past: 8 });
    },
  },
};
