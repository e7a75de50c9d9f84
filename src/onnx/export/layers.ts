// Dense, the convolutions, the pools and the normalisation layers as ONNX
// nodes. tmnn keeps PyTorch's layouts (a convolution's weight [out, in/groups,
// ...kernel], a transposed one's [in, out/groups, ...kernel]), which are
// ONNX's; Dense's weight [inputs, units] is Gemm's B as it is.
import { AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveMaxPool1d, AdaptiveMaxPool2d } from '../../nn/adaptive_pool.js';
import { AdaptiveAvgPool3d, AdaptiveMaxPool3d } from '../../nn/adaptive_pool3d.js';
import { BatchNorm1d, BatchNorm2d, BatchNorm3d } from '../../nn/batch_norm.js';
import { Conv1d, Conv2d, type PaddingMode } from '../../nn/conv.js';
import { Conv3d } from '../../nn/conv3d.js';
import { ConvTranspose1d, ConvTranspose2d } from '../../nn/conv_transpose.js';
import { ConvTranspose3d } from '../../nn/conv_transpose3d.js';
import { Dense } from '../../nn/dense.js';
import { GroupNorm } from '../../nn/group_norm.js';
import { InstanceNorm1d, InstanceNorm2d, InstanceNorm3d } from '../../nn/instance_norm.js';
import { LayerNorm } from '../../nn/layer_norm.js';
import { LocalResponseNorm } from '../../nn/local_response_norm.js';
import type { Module } from '../../nn/module.js';
import { AvgPool1d, AvgPool2d, MaxPool1d, MaxPool2d } from '../../nn/pooling.js';
import { AvgPool3d, MaxPool3d } from '../../nn/pooling3d.js';
import { RMSNorm } from '../../nn/rms_norm.js';
import type { RunningNorm } from '../../nn/running_norm.js';
import { namedActivation } from './activations.js';
import { channelShape, paramName, perAxis, refuse, type Builder, type LayerCall, type LayerExport } from './builder.js';

export function dense(call: LayerCall<Dense>): string {
  const { layer, x, b } = call;
  const w = b.param(paramName(call, 'weight'), layer.weight);
  const bias = layer.bias ? b.param(paramName(call, 'bias'), layer.bias) : null;
  let z: string;
  if (x.shape.length === 2) z = b.node('Gemm', bias ? [x.name, w, bias] : [x.name, w]);
  else {
    z = b.node('MatMul', [x.name, w]);
    if (bias) z = b.node('Add', [z, bias]);
  }
  return namedActivation(b, layer.activation, z);
}

/** The spatial axes of a layer over sequences (1), images (2) or volumes (3), checking x has its batch axis (ONNX's convolutions and pools need one). */
function spatial(call: LayerCall, count: number): number {
  if (call.x.shape.length !== count + 2) refuse(call, `takes x [batch, channels, ...${count} spatial axes] in ONNX, got rank ${call.x.shape.length} (a sample without its batch axis)`);
  return count;
}

const SPATIAL = new Map<abstract new (...args: never[]) => Module, number>([
  [Conv1d, 1], [Conv2d, 2], [Conv3d, 3], [ConvTranspose1d, 1], [ConvTranspose2d, 2], [ConvTranspose3d, 3],
  [MaxPool1d, 1], [MaxPool2d, 2], [MaxPool3d, 3], [AvgPool1d, 1], [AvgPool2d, 2], [AvgPool3d, 3],
]);

function axesOf(call: LayerCall): number {
  return spatial(call, SPATIAL.get(call.layer.constructor as abstract new (...args: never[]) => Module)!);
}

/** ONNX's Pad modes for a convolution's paddingMode ('wrap' from opset 19). */
function padMode(call: LayerCall, mode: Exclude<PaddingMode, 'zeros'>): string {
  if (mode === 'circular') call.b.needOpset(call, 19, "paddingMode 'circular' is Pad's 'wrap'");
  return { reflect: 'reflect', replicate: 'edge', circular: 'wrap' }[mode];
}

/** x padded on its spatial axes by [before…, after…] with `mode`: a Pad node. */
export function padSpatial(b: Builder, x: string, rank: number, before: readonly number[], after: readonly number[], mode: string, value?: number): string {
  const lead = Array<number>(rank - before.length).fill(0);
  const inputs = [x, b.ints('pads', [...lead, ...before, ...lead, ...after])];
  if (value !== undefined && value !== 0) inputs.push(b.scalar(value));
  return b.node('Pad', inputs, { mode });
}

function conv(call: LayerCall<Conv1d | Conv2d | Conv3d>): string {
  const { layer, b } = call;
  const n = axesOf(call);
  const kernel = perAxis(layer.kernelSize, n);
  const dilation = perAxis(layer.dilation, n);
  let before: number[];
  let after: number[];
  if (layer.padding === 'same') {
    // The extra one after, as tmnn splits an odd total.
    const total = kernel.map((k, a) => dilation[a] * (k - 1));
    before = total.map((t) => Math.floor(t / 2));
    after = total.map((t, a) => t - before[a]);
  } else before = after = perAxis(layer.padding, n);
  let x = call.x.name;
  if (layer.paddingMode !== 'zeros' && [...before, ...after].some((p) => p > 0)) {
    x = padSpatial(b, x, n + 2, before, after, padMode(call, layer.paddingMode));
    before = after = Array<number>(n).fill(0);
  }
  const inputs = [x, b.param(paramName(call, 'weight'), layer.weight)];
  if (layer.bias) inputs.push(b.param(paramName(call, 'bias'), layer.bias));
  return b.node('Conv', inputs, {
    kernel_shape: kernel, strides: perAxis(layer.stride, n), pads: [...before, ...after], dilations: dilation, group: layer.groups,
  });
}

function convTranspose(call: LayerCall<ConvTranspose1d | ConvTranspose2d | ConvTranspose3d>): string {
  const { layer, b, x } = call;
  const n = axesOf(call);
  const padding = perAxis(layer.padding, n);
  const inputs = [x.name, b.param(paramName(call, 'weight'), layer.weight)];
  if (layer.bias) inputs.push(b.param(paramName(call, 'bias'), layer.bias));
  return b.node('ConvTranspose', inputs, {
    kernel_shape: perAxis(layer.kernelSize, n), strides: perAxis(layer.stride, n), pads: [...padding, ...padding],
    dilations: perAxis(layer.dilation, n), group: layer.groups, output_padding: perAxis(layer.outputPadding, n),
  });
}

function maxPool(call: LayerCall<MaxPool1d | MaxPool2d | MaxPool3d>): string {
  const { layer, b, x } = call;
  const n = axesOf(call);
  const padding = perAxis(layer.padding, n);
  return b.node('MaxPool', [x.name], {
    kernel_shape: perAxis(layer.kernelSize, n), strides: perAxis(layer.stride, n), pads: [...padding, ...padding],
    dilations: perAxis(layer.dilation, n), ceil_mode: layer.ceilMode ? 1 : 0,
  });
}

function avgPool(call: LayerCall<AvgPool1d | AvgPool2d | AvgPool3d>): string {
  const { layer, b, x } = call;
  const n = axesOf(call);
  const padding = perAxis(layer.padding, n);
  return b.node('AveragePool', [x.name], {
    kernel_shape: perAxis(layer.kernelSize, n), strides: perAxis(layer.stride, n), pads: [...padding, ...padding],
    ceil_mode: layer.ceilMode ? 1 : 0, count_include_pad: layer.countIncludePad ? 1 : 0,
  });
}

/**
 * An adaptive pool to a single output per channel is the global pool, at any
 * input size; to other sizes, it is a plain pool with windows side by side
 * where each input size is known and a multiple of the output's. Other
 * blocks overlap or differ in size, which no ONNX pool does.
 */
function adaptive(kind: 'Average' | 'Max') {
  return (call: LayerCall<Module & { outputSize: number | readonly number[] }>): string => {
    const { b, x } = call;
    if (x.shape.length < 3) refuse(call, 'takes x [batch, channels, ...] in ONNX (a sample without its batch axis)');
    const inSizes = x.shape.slice(2);
    const outSizes = perAxis(call.layer.outputSize, inSizes.length);
    if (outSizes.every((d) => d === 1)) return b.node(`Global${kind}Pool`, [x.name]);
    if (inSizes.some((d, a) => d === null || d % outSizes[a] !== 0)) {
      refuse(call, `has outputSize ${JSON.stringify(call.layer.outputSize)}, which ONNX's pools give only for inputs of known sizes that are multiples of it (x is [${x.shape.map((d) => d ?? '?').join(', ')}])`);
    }
    const window = inSizes.map((d, a) => d! / outSizes[a]);
    return b.node(`${kind}Pool`, [x.name], { kernel_shape: window, strides: window });
  };
}

/**
 * x/(k + alpha/size · Σ x²)^beta, the sum over a window of `size` channels
 * (floor(size/2) before each, the rest after), from Pad and Slices: ONNX's
 * LRN puts an even window's extra channel on the other side, and tmnn's
 * importer does not run it.
 */
function localResponseNorm(call: LayerCall<LocalResponseNorm>): string {
  const { layer, b, x } = call;
  const channels = x.shape[1];
  if (x.shape.length < 3 || channels === null) refuse(call, 'takes x [batch, channels, ...] with the channels known');
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

export const LAYER_EXPORTS: Exports = [
  [Dense, dense],
  [Conv1d, conv], [Conv2d, conv], [Conv3d, conv],
  [ConvTranspose1d, convTranspose], [ConvTranspose2d, convTranspose], [ConvTranspose3d, convTranspose],
  [MaxPool1d, maxPool], [MaxPool2d, maxPool], [MaxPool3d, maxPool],
  [AvgPool1d, avgPool], [AvgPool2d, avgPool], [AvgPool3d, avgPool],
  [AdaptiveAvgPool1d, adaptive('Average')], [AdaptiveAvgPool2d, adaptive('Average')], [AdaptiveAvgPool3d, adaptive('Average')],
  [AdaptiveMaxPool1d, adaptive('Max')], [AdaptiveMaxPool2d, adaptive('Max')], [AdaptiveMaxPool3d, adaptive('Max')],
  [BatchNorm1d, batchNorm], [BatchNorm2d, batchNorm], [BatchNorm3d, batchNorm],
  [InstanceNorm1d, instanceNorm], [InstanceNorm2d, instanceNorm], [InstanceNorm3d, instanceNorm],
  [LayerNorm, layerNorm],
  [GroupNorm, groupNorm],
  [LocalResponseNorm, localResponseNorm],
  [RMSNorm, rmsNorm],
];
