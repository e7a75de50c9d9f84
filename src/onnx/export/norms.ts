// The normalisation layers as ONNX nodes: BatchNorm (and InstanceNorm with
// running estimates) as BatchNormalization in inference, InstanceNorm,
// LayerNorm (LayerNormalization from opset 17, else decomposed), and
// GroupNorm, LocalResponseNorm and RMSNorm decomposed.
import { BatchNorm1d, BatchNorm2d, BatchNorm3d } from '../../nn/batch_norm.js';
import { GroupNorm } from '../../nn/group_norm.js';
import { InstanceNorm1d, InstanceNorm2d, InstanceNorm3d } from '../../nn/instance_norm.js';
import { LayerNorm } from '../../nn/layer_norm.js';
import { LocalResponseNorm } from '../../nn/local_response_norm.js';
import type { Module } from '../../nn/module.js';
import { RMSNorm } from '../../nn/rms_norm.js';
import type { RunningNorm } from '../../nn/running_norm.js';
import { channelShape, paramName, refuse, type Builder, type LayerCall, type LayerExport } from './builder.js';
import { padSpatial } from './layers.js';

/**
 * x/(k + alpha/size · Σ x²)^beta, the sum over a window of `size` channels
 * (floor(size/2) before each, the rest after): an odd window is ONNX's LRN;
 * an even one from Pad and Slices, as ONNX's LRN puts an even window's extra
 * channel on the other side (and onnxruntime refuses even sizes).
 */
function localResponseNorm(call: LayerCall<LocalResponseNorm>): string {
  const { layer, b, x } = call;
  const channels = x.shape[1];
  if (x.shape.length < 3 || channels === null) refuse(call, 'takes x [batch, channels, ...] with the channels known');
  if (layer.size % 2 === 1) return b.node('LRN', [x.name], { size: layer.size, alpha: { float: layer.alpha }, beta: { float: layer.beta }, bias: { float: layer.k } });
  const before = Math.floor(layer.size / 2);
  const squares = padSpatial(b, b.node('Mul', [x.name, x.name]), x.shape.length, [before, ...Array<number>(x.shape.length - 2).fill(0)], [layer.size - 1 - before, ...Array<number>(x.shape.length - 2).fill(0)], 'constant');
  let sum = '';
  for (let i = 0; i < layer.size; i++) {
    const window = b.node('Slice', [squares, b.ints('starts', [i]), b.ints('ends', [i + channels]), b.ints('axes', [1])]);
    sum = i === 0 ? window : b.node('Add', [sum, window]);
  }
  const base = b.node('Add', [b.node('Mul', [sum, b.scalar(layer.alpha / layer.size)]), b.scalar(layer.k)]);
  return b.node('Div', [x.name, b.node('Pow', [base, b.scalar(layer.beta)])]);
}

/** x/√(mean(x²) + ε)·weight over the last axes (ONNX's RMSNormalization only from opset 23). */
function rmsNorm(call: LayerCall<RMSNorm>): string {
  const { layer, b, x } = call;
  const axes = layer.normalizedShape.map((_, i) => i - layer.normalizedShape.length);
  const squares = b.node('Mul', [x.name, x.name]);
  const mean = b.opset >= 18 ? b.node('ReduceMean', [squares, b.ints('axes', axes)]) : b.node('ReduceMean', [squares], { axes });
  // The default ε as tmnn's (and PyTorch's): f32's machine epsilon.
  const rms = b.node('Sqrt', [b.node('Add', [mean, b.scalar(layer.epsilon ?? 2 ** -23)])]);
  const normalised = b.node('Div', [x.name, rms]);
  return layer.weight ? b.node('Mul', [normalised, b.param(paramName(call, 'weight'), layer.weight)]) : normalised;
}

/** A per-channel weight or bias, or ones or zeros where the layer has none (ONNX's normalisations take both). */
function affine(call: LayerCall<Module & { weight: unknown; bias: unknown }>, channels: number, weight: RunningNorm['weight'], bias: RunningNorm['bias']): [string, string] {
  const { b } = call;
  return [
    weight ? b.param(paramName(call, 'weight'), weight) : b.floats('ones', Array<number>(channels).fill(1)),
    bias ? b.param(paramName(call, 'bias'), bias) : b.floats('zeros', Array<number>(channels).fill(0)),
  ];
}

/** Normalised by running estimates: BatchNormalization in inference (BatchNorm's eval mode, and InstanceNorm's with trackRunningStats). */
function byRunningStats(call: LayerCall<RunningNorm>): string {
  const { layer, b, x } = call;
  const [scale, bias] = affine(call, layer.features, layer.weight, layer.bias);
  const mean = b.param(paramName(call, 'runningMean'), layer.runningMean!);
  const variance = b.param(paramName(call, 'runningVar'), layer.runningVar!);
  return b.node('BatchNormalization', [x.name, scale, bias, mean, variance], { epsilon: { float: layer.epsilon } });
}

function batchNorm(call: LayerCall<RunningNorm>): string {
  if (!call.layer.trackRunningStats) refuse(call, "normalises by each batch's own statistics in eval mode too (trackRunningStats: false), which ONNX's BatchNormalization does not do in inference");
  return byRunningStats(call);
}

function instanceNorm(call: LayerCall<RunningNorm>): string {
  const { layer, b, x } = call;
  if (layer.trackRunningStats) return byRunningStats(call);
  const [scale, bias] = affine(call, layer.features, layer.weight, layer.bias);
  return b.node('InstanceNormalization', [x.name, scale, bias], { epsilon: { float: layer.epsilon } });
}

/** (x − mean)/√(variance + ε) over the last axis, from ReduceMean (its axes an input from opset 18). */
function normaliseLast(b: Builder, x: string, epsilon: number): string {
  const mean = (v: string) => (b.opset >= 18 ? b.node('ReduceMean', [v, b.ints('axes', [-1])]) : b.node('ReduceMean', [v], { axes: [-1] }));
  const centred = b.node('Sub', [x, mean(x)]);
  const variance = mean(b.node('Mul', [centred, centred]));
  return b.node('Div', [centred, b.node('Sqrt', [b.node('Add', [variance, b.scalar(epsilon)])])]);
}

export function layerNorm(call: LayerCall<LayerNorm>): string {
  const { layer, b, x } = call;
  const weight = b.param(paramName(call, 'weight'), layer.weight);
  const bias = b.param(paramName(call, 'bias'), layer.bias);
  if (b.opset >= 17) return b.node('LayerNormalization', [x.name, weight, bias], { axis: -1, epsilon: { float: layer.epsilon } });
  return b.node('Add', [b.node('Mul', [normaliseLast(b, x.name, layer.epsilon), weight]), bias]);
}

/** As PyTorch exports it before opset 18: each sample's groups as the instances of an InstanceNormalization, then the per-channel affine. */
function groupNorm(call: LayerCall<GroupNorm>): string {
  const { layer, b, x } = call;
  const groups = layer.numGroups;
  const rows = b.node('Reshape', [x.name, b.ints('shape', [0, groups, -1])]);
  const normalised = b.node('InstanceNormalization', [rows, b.floats('ones', Array<number>(groups).fill(1)), b.floats('zeros', Array<number>(groups).fill(0))], { epsilon: { float: layer.epsilon } });
  const back = b.node('Reshape', [normalised, b.node('Shape', [x.name])]);
  if (!layer.weight || !layer.bias) return back;
  const shape = channelShape(layer.numChannels, x.shape.length);
  const scaled = b.node('Mul', [back, b.param(paramName(call, 'weight'), layer.weight, shape)]);
  return b.node('Add', [scaled, b.param(paramName(call, 'bias'), layer.bias, shape)]);
}

type Exports = ReadonlyArray<readonly [abstract new (...args: never[]) => Module, LayerExport<never>]>;

export const NORM_EXPORTS: Exports = [
  [BatchNorm1d, batchNorm], [BatchNorm2d, batchNorm], [BatchNorm3d, batchNorm],
  [InstanceNorm1d, instanceNorm], [InstanceNorm2d, instanceNorm], [InstanceNorm3d, instanceNorm],
  [LayerNorm, layerNorm],
  [GroupNorm, groupNorm],
  [LocalResponseNorm, localResponseNorm],
  [RMSNorm, rmsNorm],
];
