// ONNX's normalizations, written with tmnn's mean, variance and arithmetic
// so that autograd reaches both the input and the model's scale and bias
// initializers (parameters of the OnnxModel). Variances are the biased ones
// (divided by the count), as every ONNX normalization uses.
import * as ops from '../../ops/index.js';
import type { Tensor } from '../../tensor.js';
import type { NodeCall } from '../node_call.js';
import type { OnnxOp, OpTable } from './op.js';
import { perChannel } from './spatial.js';
import { batchNormalizationTraining, batchNormalizationTrains } from './training_nodes.js';

/** (x − mean) / √(var + ε) over `axes`, with the mean and 1/√(var + ε) (kept dims) for outputs that ask for them. */
function standardize(x: Tensor, axes: number[], epsilon: number): { y: Tensor; mean: Tensor; invStd: Tensor } {
  const mean = ops.mean(x, axes, { keepDims: true });
  const centered = ops.sub(x, mean);
  const variance = ops.mean(ops.mul(centered, centered), axes, { keepDims: true });
  const invStd = ops.div(1, ops.sqrt(ops.add(variance, epsilon)));
  return { y: ops.mul(centered, invStd), mean, invStd };
}

/** The spatial axes of x [N, C, …]; InstanceNormalization and GroupNormalization need at least one. */
function channelAxes(call: NodeCall, x: Tensor, spatial = true): number[] {
  if (x.rank < (spatial ? 3 : 2)) throw call.error(`input is [${x.shape.join(', ')}]; it needs [N, C${spatial ? ', D1' : ''}, …]`);
  return Array.from({ length: x.rank - 2 }, (_, i) => i + 2);
}

/**
 * BatchNormalization in inference form: the running mean and variance given
 * as inputs. Before opset 9 `spatial` = 0 gave statistics per element
 * ([C, D1, …]) rather than per channel. Training mode (the batch's own
 * statistics) is training_nodes.ts's.
 */
const batchNormalization: OnnxOp = {
  run: (call) => {
    if (batchNormalizationTrains(call)) return batchNormalizationTraining(call);
    const x = call.tensor(0);
    channelAxes(call, x, false);
    const epsilon = call.float('epsilon', 1e-5);
    const spatial = call.opset < 9 ? call.int('spatial', 1) !== 0 : true;
    const shaped = (t: Tensor) => (spatial || t.rank === 1 && x.rank === 2 ? perChannel(t, x.rank) : ops.reshape(t, [1, ...t.shape]));
    const [scale, bias, mean, variance] = [1, 2, 3, 4].map((i) => shaped(call.tensor(i)));
    const invStd = ops.div(scale, ops.sqrt(ops.add(variance, epsilon)));
    return ops.add(ops.mul(ops.sub(x, mean), invStd), bias);
  },
};

const instanceNormalization: OnnxOp = {
  run: (call) => {
    const x = call.tensor(0);
    const { y } = standardize(x, channelAxes(call, x), call.float('epsilon', 1e-5));
    return ops.add(ops.mul(y, perChannel(call.tensor(1), x.rank)), perChannel(call.tensor(2), x.rank));
  },
};

/**
 * What LayerNormalization and its relatives (onnxruntime's simplified forms)
 * share: x as computed (stash_type 1, the default, computes the statistics
 * in float32: an f16 input is widened first) and the axes from `axis` on.
 */
export function normalizedAxes(call: NodeCall): { wide: boolean; asComputed: (t: Tensor) => Tensor; x: Tensor; axes: number[] } {
  const wide = call.tensor(0).dtype === 'f16' && call.int('stash_type', 1) === 1;
  const asComputed = (t: Tensor) => (wide ? ops.cast(t, 'f32') : t);
  const x = asComputed(call.tensor(0));
  let axis = call.int('axis', -1);
  if (axis < -x.rank || axis >= x.rank) throw call.error(`axis = ${axis} is outside the input's ${x.rank} axes`);
  if (axis < 0) axis += x.rank;
  return { wide, asComputed, x, axes: Array.from({ length: x.rank - axis }, (_, i) => axis + i) };
}

/**
 * LayerNormalization (opset 17): over the axes from `axis` on, Scale and B
 * broadcast over them. Its optional Mean and InvStdDev outputs are computed
 * (the statistics with the normalized axes kept as 1s).
 */
const layerNormalization: OnnxOp = {
  run: (call) => {
    const { wide, asComputed, x, axes } = normalizedAxes(call);
    const { y, mean, invStd } = standardize(x, axes, call.float('epsilon', 1e-5));
    let out = ops.mul(y, asComputed(call.tensor(1)));
    if (call.has(2)) out = ops.add(out, asComputed(call.tensor(2)));
    return [wide ? ops.cast(out, 'f16') : out, mean, invStd];
  },
};

/**
 * x/√(mean(x²) + ε)·scale over the axes from `axis` on, with 1/√(mean(x²) +
 * ε) (kept dims): opset 23's RMSNormalization, and onnxruntime's
 * SimplifiedLayerNormalization before it, which also gives that statistic.
 */
export function rmsNormalize(call: NodeCall): { y: Tensor; invStd: Tensor } {
  const { wide, asComputed, x, axes } = normalizedAxes(call);
  const invStd = ops.div(1, ops.sqrt(ops.add(ops.mean(ops.mul(x, x), axes, { keepDims: true }), call.float('epsilon', 1e-5))));
  const y = ops.mul(ops.mul(x, invStd), asComputed(call.tensor(1)));
  return { y: wide ? ops.cast(y, 'f16') : y, invStd };
}

/** RMSNormalization (opset 23): Y only; stash_type 1 (the default) computes in f32. */
const rmsNormalization: OnnxOp = {
  run: (call) => rmsNormalize(call).y,
};

/**
 * GroupNormalization: statistics over each group of channels and the spatial
 * axes. Opset 18 gave scale and bias one value per group (a definition
 * opset 21 replaced with one per channel, as PyTorch's GroupNorm).
 */
const groupNormalization: OnnxOp = {
  run: (call) => {
    const x = call.tensor(0);
    channelAxes(call, x);
    const groups = call.int('num_groups');
    const [n, c] = x.shape;
    if (groups === undefined || !Number.isInteger(groups) || groups < 1 || c % groups) throw call.error(`num_groups = ${groups} must be a positive integer dividing the ${c} channels`);
    const grouped = ops.reshape(x, [n, groups, -1]);
    const { y } = standardize(grouped, [2], call.float('epsilon', 1e-5));
    const scale = call.tensor(1), bias = call.tensor(2);
    const perGroup = scale.size === groups && (call.opset < 21 || groups === c);
    if (perGroup) {
      const out = ops.add(ops.mul(y, ops.reshape(scale, [1, groups, 1])), ops.reshape(bias, [1, groups, 1]));
      return ops.reshape(out, x.shape);
    }
    if (scale.size !== c) throw call.error(`scale has ${scale.size} values; opset ${call.opset} needs one per ${call.opset < 21 ? 'group' : 'channel'} (${call.opset < 21 ? groups : c})`);
    const out = ops.reshape(y, x.shape);
    return ops.add(ops.mul(out, perChannel(scale, x.rank)), perChannel(bias, x.rank));
  },
};

/** LpNormalization: x divided by its 1- or 2-norm along `axis` (no ε: a zero vector gives NaN, as the spec's x / ‖x‖). */
const lpNormalization: OnnxOp = {
  run: (call) => {
    const x = call.tensor(0);
    const p = call.int('p', 2);
    if (p !== 1 && p !== 2) throw call.error(`p = ${p} is not supported: ONNX defines LpNormalization for p = 1 and 2`);
    const axis = call.int('axis', -1);
    if (axis < -x.rank || axis >= x.rank) throw call.error(`axis = ${axis} is outside the input's ${x.rank} axes`);
    const norm = p === 1 ? ops.sum(ops.abs(x), [axis], { keepDims: true }) : ops.sqrt(ops.sum(ops.mul(x, x), [axis], { keepDims: true }));
    return ops.div(x, norm);
  },
};

export const NORMALIZATION_OPS: OpTable = {
  BatchNormalization: batchNormalization,
  InstanceNormalization: instanceNormalization,
  LayerNormalization: layerNormalization,
  GroupNormalization: groupNormalization,
  LpNormalization: lpNormalization,
  RMSNormalization: rmsNormalization,
};
