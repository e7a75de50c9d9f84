// onnxruntime's fused activations (com.microsoft): GELU in its forms —
// exact (Gelu), the tanh approximation (FastGelu, with an optional bias),
// after a bias (BiasGelu), x·σ(αx) (QuickGelu) — and the bias and residual
// sums its transformer optimizer folds around them (BiasAdd, BiasSoftmax).
// Written with tmnn's ops, so gradients reach the inputs and the biases.
import * as F from '../../nn/activation_functions.js';
import * as ops from '../../ops/index.js';
import type { Tensor } from '../../tensor.js';
import type { NodeCall } from '../node_call.js';
import type { OnnxOp, OpTable } from './op.js';

/** x + bias where the bias broadcasts into x without widening it (a bias over the last axis, as onnxruntime's fusions make them). */
function plusBias(call: NodeCall, x: Tensor, i: number, name: string): Tensor {
  const bias = call.tensor(i);
  const fits = bias.rank <= x.rank && bias.shape.every((d, k) => d === 1 || d === x.shape[x.rank - bias.rank + k]);
  if (!fits) throw call.error(`${name} (input ${i}) is [${bias.shape.join(', ')}]; it must broadcast into the input [${x.shape.join(', ')}] (usually 1-D over its last axis)`);
  return ops.add(x, bias);
}

/** The onnxruntime default of QuickGelu's alpha: x·σ(1.702x) approximates GELU (CLIP's activation). */
const QUICK_GELU_ALPHA = 1.702;

/**
 * BiasSoftmax: softmax(data + bias) over the axes from `axis` on (taken
 * together, as Softmax before opset 13), the bias broadcast into the data
 * (is_inner_broadcast says over which leading axes; NumPy broadcasting with
 * the bias's 1s or missing leading axes covers both).
 */
const biasSoftmax: OnnxOp = {
  run: (call) => {
    const x = call.tensor(0);
    const y = plusBias(call, x, 1, 'bias');
    let axis = call.int('axis', 1);
    if (axis < -x.rank || axis >= x.rank) throw call.error(`axis = ${axis} is outside the input's ${x.rank} axes`);
    if (axis < 0) axis += x.rank;
    const outer = x.shape.slice(0, axis).reduce((a, b) => a * b, 1);
    return ops.reshape(ops.softmax(ops.reshape(y, [outer, x.size / Math.max(outer, 1)]), 1), x.shape);
  },
};

export const MICROSOFT_ACTIVATION_OPS: OpTable = {
  Gelu: { run: (call) => F.gelu(call.tensor(0)) },
  // 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), of x + bias when a bias is given.
  FastGelu: { run: (call) => F.gelu(call.has(1) ? plusBias(call, call.tensor(0), 1, 'bias') : call.tensor(0), 'tanh') },
  BiasGelu: { run: (call) => F.gelu(plusBias(call, call.tensor(0), 1, 'bias')) },
  QuickGelu: {
    run: (call) => {
      const x = call.tensor(0);
      return ops.mul(x, ops.sigmoid(ops.mul(x, call.float('alpha', QUICK_GELU_ALPHA))));
    },
  },
  // X + bias + skip (a diffusion model's residual sum).
  BiasAdd: {
    run: (call) => {
      const x = call.tensor(0), skip = call.tensor(2);
      if (skip.rank !== x.rank || skip.shape.some((d, k) => d !== x.shape[k])) throw call.error(`skip (input 2) is [${skip.shape.join(', ')}]; it must be of the input's shape [${x.shape.join(', ')}]`);
      return ops.add(plusBias(call, x, 1, 'bias'), skip);
    },
  },
  BiasSoftmax: biasSoftmax,
};
