// A convolution or Dense followed by a BatchNorm, folded into one layer for
// inference (torch.nn.utils.fusion): in eval mode the BatchNorm is the affine
// map y·s + (β − μ·s) per channel, s = γ / √(σ² + ε), from its running
// estimates; scaling each output channel's filter by s and carrying the
// shift into the bias gives the same outputs with one layer less to run.
import { tidy } from '../../engine.js';
import { ShapeError, ValueError, formatValue } from '../../errors.js';
import { noGrad } from '../../tape.js';
import type { Tensor } from '../../tensor.js';
import { BatchNorm1d, BatchNorm2d, BatchNorm3d } from '../batch_norm.js';
import { Conv1d, Conv2d, type Conv1dLayerOptions, type Conv2dLayerOptions } from '../conv.js';
import { Conv3d, type Conv3dLayerOptions } from '../conv3d.js';
import { Dense } from '../dense.js';
import { Module } from '../module.js';
import { refuseUnbuilt } from '../unbuilt.js';
import type { Size2d } from '../../ops/windows.js';
import type { Size3d } from '../../ops/volumes.js';

type BatchNorm = BatchNorm1d | BatchNorm2d | BatchNorm3d;

/** The BatchNorm each layer's output goes into, by type. */
const PARTNER: Readonly<Record<string, string>> = { Conv1d: 'BatchNorm1d', Conv2d: 'BatchNorm2d', Conv3d: 'BatchNorm3d', Dense: 'BatchNorm1d' };

/** Refuses a lazy layer not built yet by name, before the class checks: it is none of these classes yet, and would be shown field by field. */
function refuseUnbuiltPair(op: string, layer: unknown, bn: unknown): void {
  for (const given of [layer, bn]) if (given instanceof Module) refuseUnbuilt(op, given);
}

/** Refuses a `bn` that cannot follow `layer` (of `channels` outputs) or cannot be folded into it, naming both. */
function checkPair(op: string, layer: Conv1d | Conv2d | Conv3d | Dense, channels: number, bn: BatchNorm): void {
  refuseUnbuiltPair(op, layer, bn);
  if (![Conv1d, Conv2d, Conv3d, Dense].some((Layer) => layer instanceof Layer)) throw new ValueError(`${op}: fuses a Conv1d, Conv2d, Conv3d or Dense, got ${formatValue(layer)}`);
  if (![BatchNorm1d, BatchNorm2d, BatchNorm3d].some((Norm) => bn instanceof Norm)) throw new ValueError(`${op}: fuses a BatchNorm1d, BatchNorm2d or BatchNorm3d, got ${formatValue(bn)}`);
  // The types as config names them: class names do not survive minification.
  const [name, bnName] = [layer.config().type, bn.config().type];
  if (bnName !== PARTNER[name]) throw new ValueError(`${op}: a ${name}'s output goes into a ${PARTNER[name]}, not a ${bnName}`);
  if (bn.features !== channels) throw new ShapeError(`${op}: the ${name} has ${channels} output channels, the ${bnName} normalises ${bn.features}`);
  if (!bn.runningMean || !bn.runningVar) {
    throw new ValueError(`${op}: the ${bnName} has no running estimates (trackRunningStats: false), so in eval mode it normalises by each batch, which no fixed weights can do`);
  }
}

/** Per channel, the scale s = γ / √(σ² + ε) and the shift β − μ·s of `bn` in eval mode (its running estimates), in f32. */
function affineOf(bn: BatchNorm): { scale: Tensor; shift: Tensor } {
  const [mean, variance] = [bn.runningMean!.cast('f32'), bn.runningVar!.cast('f32')];
  const gamma = bn.weight ? bn.weight.cast('f32') : variance.mul(0).add(1);
  const beta = bn.bias ? bn.bias.cast('f32') : mean.mul(0);
  const scale = gamma.div(variance.add(bn.epsilon).sqrt());
  return { scale, shift: beta.sub(mean.mul(scale)) };
}

/** `fused` (a new layer with a bias) holding `weight` and `bias` (computed in f32, cast to its parameters' dtype), in eval mode. */
function filled<L extends Conv1d | Conv2d | Conv3d | Dense>(fused: L, values: () => { weight: Tensor; bias: Tensor }): L {
  noGrad(() => tidy(() => {
    const { weight, bias } = values();
    fused.weight.assign(weight.cast(fused.weight.dtype));
    fused.bias!.assign(bias.cast(fused.bias!.dtype));
  }));
  fused.eval();
  return fused;
}

/**
 * A new Conv1d, Conv2d or Conv3d (of conv's sizes, padding and groups, with a
 * bias) whose output is conv's then `bn`'s in eval mode: each filter scaled
 * by γ/√(σ² + ε) of its output channel, the bias (conv's, or 0) mapped as
 * the BatchNorm maps it (torch.nn.utils.fuse_conv_bn_eval). bn must be of
 * the convolution's dimension, over its output channels, with running
 * estimates; neither layer is changed. The new layer is in eval mode.
 */
export function fuseConvBnEval<C extends Conv1d | Conv2d | Conv3d>(conv: C, bn: BatchNorm): C {
  const op = 'fuseConvBnEval';
  if (conv instanceof Dense) throw new ValueError(`${op}: fuses a convolution; for a Dense, fuseLinearBnEval`);
  checkPair(op, conv, conv.outChannels, bn);
  const { type: _, inChannels, outChannels, kernelSize, bias: __, ...options } = conv.config();
  // seed: 0 draws initial weights (overwritten next) away from setSeed's sequence.
  const settings = { ...options, bias: true, seed: 0 };
  const fused = conv instanceof Conv3d
    ? new Conv3d(inChannels as number, outChannels as number, kernelSize as Size3d, settings as Conv3dLayerOptions)
    : conv instanceof Conv2d
      ? new Conv2d(inChannels as number, outChannels as number, kernelSize as Size2d, settings as Conv2dLayerOptions)
      : new Conv1d(inChannels as number, outChannels as number, kernelSize as number, settings as Conv1dLayerOptions);
  return filled(fused as C, () => {
    const { scale, shift } = affineOf(bn);
    const perFilter = scale.reshape(conv.weight.shape.map((d, i) => (i === 0 ? d : 1)));
    return { weight: conv.weight.cast('f32').mul(perFilter), bias: conv.bias ? conv.bias.cast('f32').mul(scale).add(shift) : shift };
  });
}

/**
 * A new Dense (with a bias) whose output is dense's then `bn`'s (a
 * BatchNorm1d over its units, with running estimates) in eval mode: each
 * unit's column of the [in, out] weight scaled by γ/√(σ² + ε), the bias
 * mapped as the BatchNorm maps it (torch.nn.utils.fuse_linear_bn_eval).
 * dense must have no activation (the BatchNorm would come after it).
 */
export function fuseLinearBnEval(dense: Dense, bn: BatchNorm1d): Dense {
  const op = 'fuseLinearBnEval';
  refuseUnbuiltPair(op, dense, bn);
  if (!(dense instanceof Dense)) throw new ValueError(`${op}: fuses a Dense, got ${formatValue(dense)}; for a convolution, fuseConvBnEval`);
  if (dense.activation !== 'linear') throw new ValueError(`${op}: the Dense applies ${formatValue(dense.activation)} before the BatchNorm, which no weights can fold in; fuse a Dense without an activation`);
  checkPair(op, dense, dense.units, bn);
  const fused = new Dense(dense.inputs, dense.units, { seed: 0 }); // seed: overwritten next
  return filled(fused, () => {
    const { scale, shift } = affineOf(bn);
    return { weight: dense.weight.cast('f32').mul(scale.reshape([1, -1])), bias: dense.bias ? dense.bias.cast('f32').mul(scale).add(shift) : shift };
  });
}
