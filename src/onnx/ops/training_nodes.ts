// ONNX's training-mode nodes: BatchNormalization normalising with the
// batch's own statistics, and Dropout dropping. Both follow onnx's reference
// implementation (onnx/reference/ops/op_batch_normalization.py,
// op_dropout.py).
//
// BatchNormalization trains when opset 14's training_mode is 1, or, from
// opset 7 to 13 (which have no such attribute), when the node asks for any
// of its training outputs. It normalises with the batch's mean and biased
// variance (over every axis but the channel's; before opset 9, spatial = 0
// keeps one statistic per element of [C, D1, …] and reduces over the batch
// only) and outputs the running estimates moved by momentum:
// running = running·momentum + batch·(1 − momentum), where the batch's
// variance is the biased one in the reference and in onnxruntime's CPU kernel
// alike (PyTorch's BatchNorm and cuDNN feed the unbiased one to the running
// variance; a model exported from them is run as ONNX defines it, not as
// they would). Opsets 7–13's saved_mean and saved_var are the batch's mean
// and biased variance, as the reference gives them; onnxruntime's CPU kernel
// puts 1/√(var + ε) in saved_var instead. Gradients reach x, scale and bias
// through the batch statistics (and the running inputs through the running
// outputs).
//
// Dropout trains only from opset 12, when its training_mode input is true:
// each element is kept where a uniform draw u ∈ [0, 1) has u ≥ ratio (as the
// reference draws), scaled by 1/(1 − ratio), and the mask (bool) says which.
// Otherwise, and always before opset 12 (opsets 7–11 have no training mode),
// it is the identity with a mask of all true (of x's type before opset 10).
// The draws are tmnn's seeded uniforms (tm.rand), so a mask is the same on
// every backend; `seed` means what it means for the random ops (random.ts):
// a seeded node draws the same mask on every run, as the reference does.
// ratio and training_mode are read on the host (hostInputs): runAsync reads
// one computed on the device back, the synchronous run refuses it.
import * as ops from '../../ops/index.js';
import type { Tensor } from '../../tensor.js';
import type { NodeCall } from '../node_call.js';
import { Constant } from '../value.js';
import type { OnnxOp, OpTable } from './op.js';
import { onnxSeed } from './random.js';

const f32Of = (t: Tensor): Tensor => (t.dtype === 'f16' ? ops.cast(t, 'f32') : t);

/** The node's output names after Y that are asked for (an output named '' is left out). */
const askedExtras = (call: NodeCall): string[] => call.node.outputs.slice(1).filter((o) => o !== '');

/** Whether a BatchNormalization node runs in training mode, refusing outputs its mode does not give. */
export function batchNormalizationTrains(call: NodeCall): boolean {
  const extra = askedExtras(call);
  if (call.opset < 14) return extra.length > 0;
  const mode = call.int('training_mode', 0);
  if (mode !== 0 && mode !== 1) throw call.error(`training_mode = ${mode} should be 0 or 1`);
  if (mode === 0 && extra.length) throw call.error(`training_mode = 0 gives Y only; its outputs ${extra.join(', ')} (the running mean and variance) are training_mode = 1's`);
  if (call.node.outputs.length > 3) throw call.error(`has ${call.node.outputs.length} outputs; from opset 14 BatchNormalization has at most 3 (Y, running_mean, running_var)`);
  return mode === 1;
}

/**
 * BatchNormalization in training mode: [Y, running_mean, running_var] from
 * opset 14; before it [Y, mean, var, saved_mean, saved_var].
 */
export function batchNormalizationTraining(call: NodeCall): Tensor[] {
  const input = call.tensor(0);
  if (input.rank < 2) throw call.error(`input is [${input.shape.join(', ')}]; it needs [N, C, …]`);
  if (input.dtype !== 'f32' && input.dtype !== 'f16') throw call.error(`its input is ${input.dtype}; BatchNormalization takes floats`);
  const x = f32Of(input);
  const spatial = call.opset < 9 ? call.int('spatial', 1) !== 0 : true;
  const axes = spatial ? [0, ...Array.from({ length: x.rank - 2 }, (_, i) => i + 2)] : [0];
  const epsilon = call.float('epsilon', 1e-5), momentum = call.float('momentum', 0.9);
  const mean = ops.mean(x, axes, { keepDims: true });
  const centered = ops.sub(x, mean);
  const variance = ops.mean(ops.mul(centered, centered), axes, { keepDims: true });
  const names = ['X', 'scale', 'B', 'mean', 'var'];
  // Each parameter holds one value per statistic ([C], or [C, D1, …] with spatial = 0), laid out as the statistics are.
  const [scale, bias, runningMean, runningVar] = [1, 2, 3, 4].map((i) => {
    const t = call.tensor(i);
    if (t.size !== mean.size) throw call.error(`input ${i} (${names[i]}) is [${t.shape.join(', ')}]; for x [${x.shape.join(', ')}]${spatial ? '' : ' with spatial = 0'} it needs ${mean.size} values, one per ${spatial ? 'channel' : 'element of [C, D1, …]'}`);
    return t;
  });
  const invStd = ops.div(1, ops.sqrt(ops.add(variance, epsilon)));
  const y = ops.add(ops.mul(ops.mul(centered, invStd), ops.reshape(f32Of(scale), mean.shape)), ops.reshape(f32Of(bias), mean.shape));
  const moved = (running: Tensor, batch: Tensor) => {
    const out = ops.add(ops.mul(f32Of(running), momentum), ops.mul(ops.reshape(batch, running.shape), 1 - momentum));
    return running.dtype === 'f16' ? ops.cast(out, 'f16') : out;
  };
  const asX = (t: Tensor) => (input.dtype === 'f16' ? ops.cast(t, 'f16') : t);
  const outputs = [asX(y), moved(runningMean, mean), moved(runningVar, variance)];
  if (call.opset >= 14) return outputs;
  return [...outputs, asX(ops.reshape(mean, runningMean.shape)), asX(ops.reshape(variance, runningVar.shape))];
}

/** The mask of a Dropout that drops nothing: all true, as a host array for a host x. */
function allKept(call: NodeCall, x: Tensor | Constant): Tensor | Constant {
  // Before opset 10 the mask has x's float type; from 10 it is bool.
  const type = call.opset < 10 ? (x instanceof Constant ? x.type : 'float') : 'bool';
  if (x instanceof Constant) return new Constant(type, x.shape, new Float64Array(x.size).fill(1));
  if (call.opset < 10) return ops.onesLike(x);
  return call.typed(ops.ones(x.shape, { dtype: 'i32' }), 'bool');
}

const dropout: OnnxOp = {
  hostInputs: [1, 2],
  run: (call) => {
    const value = call.value(0);
    const trains = call.opset >= 12 && call.has(2) && call.scalar(2, 'training_mode') !== 0;
    const ratio = trains && call.has(1) ? call.scalar(1, 'ratio') : 0.5;
    if (!(ratio >= 0 && ratio < 1)) throw call.error(`ratio = ${ratio} should be in [0, 1)`);
    const wantsMask = call.node.outputs.length > 1 && call.node.outputs[1] !== '';
    if (!trains || ratio === 0) return wantsMask ? [value, allKept(call, value)] : value;
    const x = call.tensor(0);
    if (x.dtype !== 'f32' && x.dtype !== 'f16') throw call.error(`its input is ${x.dtype}; Dropout takes floats`);
    const u = ops.rand(x.shape, { seed: onnxSeed(call.float('seed')) });
    const keep = ops.greaterEqual(u, ratio);
    const y = ops.mul(x, ops.cast(ops.mul(keep, 1 / (1 - ratio)), x.dtype));
    return wantsMask ? [y, call.typed(ops.cast(keep, 'i32'), 'bool')] : y;
  },
};

export const TRAINING_NODE_OPS: OpTable = {
  Dropout: dropout,
};
