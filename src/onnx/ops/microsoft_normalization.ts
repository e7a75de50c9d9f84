// onnxruntime's fused normalizations: SkipLayerNormalization and
// SkipSimplifiedLayerNormalization (com.microsoft) normalize
// input + skip (+ bias) over the last axis — LayerNorm's (x − mean)/σ, or
// RMSNorm's x/√(mean(x²) + ε) — and can give that sum as an output for the
// next residual; SimplifiedLayerNormalization (RMSNorm) onnxruntime
// declares in the default domain itself, where its transformer optimizer
// writes it. Written with tmnn's ops: gradients reach input, skip, gamma,
// beta and bias.
import * as ops from '../../ops/index.js';
import type { Tensor } from '../../tensor.js';
import type { NodeCall } from '../node_call.js';
import { rmsNormalize } from './normalization.js';
import type { OnnxOp, OpTable } from './op.js';

/** onnxruntime's default epsilon for the Skip normalizations (BERT's 1e-12), not LayerNormalization's 1e-5. */
const SKIP_EPSILON = 1e-12;

/** Input i, a 1-D vector over the hidden (last) axis of x. */
function hiddenVector(call: NodeCall, i: number, name: string, hidden: number): Tensor {
  const v = call.tensor(i);
  if (v.rank !== 1 || v.shape[0] !== hidden) throw call.error(`${name} (input ${i}) is [${v.shape.join(', ')}]; it must be 1-D of the hidden size ${hidden}`);
  return v;
}

/** input + skip (+ bias), the skip broadcast into the input (onnxruntime takes [B, S, H], [1, S, H] or [S, H]). */
function skipSum(call: NodeCall, bias: number): Tensor {
  const x = call.tensor(0), skip = call.tensor(1);
  if (x.rank < 2) throw call.error(`input is [${x.shape.join(', ')}]; it needs a hidden axis and at least one before it ([B, S, H] or [tokens, H])`);
  const fits = skip.rank <= x.rank && skip.shape.every((d, k) => d === x.shape[x.rank - skip.rank + k] || (d === 1 && k < skip.rank - 2));
  if (!fits) throw call.error(`skip (input 1) is [${skip.shape.join(', ')}]; it must be of the input's shape [${x.shape.join(', ')}], or broadcast into it over leading axes`);
  const sum = ops.add(x, skip);
  return call.has(bias) ? ops.add(sum, hiddenVector(call, bias, 'bias', x.shape[x.rank - 1])) : sum;
}

/** The statistics outputs onnxruntime lists are for training; a simplified (RMS) norm has no mean to give. */
function refuseMean(call: NodeCall): void {
  if (call.node.outputs[1]) throw call.error(`its mean output (${call.node.outputs[1]}) is not given: an RMS normalization computes no mean`);
}

/** x normalized over its last axis: LayerNorm's or (simplified) RMSNorm's, with 1/σ (kept dims) and the mean (LayerNorm's). */
function normalizeLast(x: Tensor, epsilon: number, simplified: boolean): { y: Tensor; mean?: Tensor; invStd: Tensor } {
  const axis = [x.rank - 1];
  const mean = simplified ? undefined : ops.mean(x, axis, { keepDims: true });
  const centered = mean ? ops.sub(x, mean) : x;
  const invStd = ops.div(1, ops.sqrt(ops.add(ops.mean(ops.mul(centered, centered), axis, { keepDims: true }), epsilon)));
  return { y: ops.mul(centered, invStd), mean, invStd };
}

/** The Skip normalizations: [output, mean, inv_std_var, input_skip_bias_sum]. */
function skipNormalization(simplified: boolean): OnnxOp {
  // SkipLayerNormalization: input, skip, gamma, beta?, bias?; the simplified form: input, skip, gamma, bias?.
  const biasInput = simplified ? 3 : 4;
  return {
    run: (call) => {
      if (simplified) refuseMean(call);
      const sum = skipSum(call, biasInput);
      const hidden = sum.shape[sum.rank - 1];
      const { y, mean, invStd } = normalizeLast(sum, call.float('epsilon', SKIP_EPSILON), simplified);
      let out = ops.mul(y, hiddenVector(call, 2, 'gamma', hidden));
      if (!simplified && call.has(3)) out = ops.add(out, hiddenVector(call, 3, 'beta', hidden));
      // The simplified form has no mean (refuseMean made sure no one reads output 1): 1/σ holds its place.
      return [out, mean ?? invStd, invStd, sum];
    },
  };
}

/**
 * SimplifiedLayerNormalization (onnxruntime's RMSNorm, default domain):
 * x/√(mean(x²) + ε)·scale over the axes from `axis` on; outputs Y and
 * inv_std_var (opset 23's RMSNormalization is the same, Y only).
 */
const simplifiedLayerNormalization: OnnxOp = {
  run: (call) => {
    const { y, invStd } = rmsNormalize(call);
    return [y, invStd];
  },
};

export const MICROSOFT_NORMALIZATION_OPS: OpTable = {
  SkipLayerNormalization: skipNormalization(false),
  SkipSimplifiedLayerNormalization: skipNormalization(true),
};

export const ONNXRUNTIME_NORMALIZATION_OPS: OpTable = {
  SimplifiedLayerNormalization: simplifiedLayerNormalization,
};
