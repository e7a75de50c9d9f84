// Dense, the convolutions and the pools as ONNX nodes (the normalisation
// layers: norms.ts). tmnn keeps PyTorch's layouts (a convolution's weight [out, in/groups,
// ...kernel], a transposed one's [in, out/groups, ...kernel]), which are
// ONNX's; Dense's weight [inputs, units] is Gemm's B as it is.
import { AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveMaxPool1d, AdaptiveMaxPool2d } from '../../nn/adaptive_pool.js';
import { AdaptiveAvgPool3d, AdaptiveMaxPool3d } from '../../nn/adaptive_pool3d.js';
import { Conv1d, Conv2d, type PaddingMode } from '../../nn/conv.js';
import { Conv3d } from '../../nn/conv3d.js';
import { ConvTranspose1d, ConvTranspose2d } from '../../nn/conv_transpose.js';
import { ConvTranspose3d } from '../../nn/conv_transpose3d.js';
import { Dense } from '../../nn/dense.js';
import type { Module } from '../../nn/module.js';
import { QuantizedDense } from '../../nn/quantized_dense.js';
import { AvgPool1d, AvgPool2d, MaxPool1d, MaxPool2d } from '../../nn/pooling.js';
import { AvgPool3d, MaxPool3d } from '../../nn/pooling3d.js';
import { namedActivation } from './activations.js';
import { paramName, perAxis, refuse, type Builder, type LayerCall, type LayerExport } from './builder.js';

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

/**
 * A QuantizedDense (tm.nn.quantizeDynamic) as its int8 weight, kept int8 in
 * the file (a quarter of the float one), turned into floats by a
 * DequantizeLinear with a scale per output (its axis, from opset 13: toOnnx's oldest), then the
 * product. The graph multiplies x as it is — weight-only quantization, what
 * runtimes fuse into their own int8 kernels — where tmnn also rounds x to
 * int8 per row, so the two differ by x's rounding (within the quantization
 * error tmnn's own two ways differ by on WebGPU).
 */
export function quantizedDense(call: LayerCall<QuantizedDense>): string {
  const { layer, x, b } = call;
  const w = b.node('DequantizeLinear', [b.param(paramName(call, 'weight'), layer.weight), b.param(paramName(call, 'weightScale'), layer.weightScale)], { axis: 0 });
  const bias = layer.bias ? b.param(paramName(call, 'bias'), layer.bias) : null;
  let z: string;
  // The weight is [units, inputs], PyTorch's Linear layout: Gemm's transB, or MatMul after a Transpose.
  if (x.shape.length === 2) z = b.node('Gemm', bias ? [x.name, w, bias] : [x.name, w], { transB: 1 });
  else {
    z = b.node('MatMul', [x.name, b.node('Transpose', [w])]);
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

/**
 * ONNX's ceil_mode for a pool of tmnn's (PyTorch's) ceilMode. PyTorch drops
 * a last window that would start in the end padding; ONNX's formula (and
 * onnxruntime) keeps it. Where tmnn's output size is the rounded-down one,
 * ceil_mode 0 gives exactly its windows; where it is the rounded-up one, 1.
 * A size that follows a symbolic input size is known only when no window
 * can start in the padding (no padding, stride at most the window).
 */
function ceilMode(call: LayerCall, kernel: readonly number[], stride: readonly number[], padding: readonly number[], dilation: readonly number[]): 0 | 1 {
  if (!(call.layer as Module & { ceilMode: boolean }).ceilMode) return 0;
  const modes = new Set<0 | 1>();
  kernel.forEach((k, a) => {
    const span = dilation[a] * (k - 1) + 1;
    const [size, out] = [call.x.shape[a + 2], call.outShape[a + 2]];
    if (size === null || out === null) {
      if (padding[a] > 0 || stride[a] > span) refuse(call, 'has ceilMode with padding (or a stride past the window) along an axis whose size follows a symbolic input size: where its last window starts in the padding, tmnn (as PyTorch) drops it and ONNX keeps it');
      modes.add(1);
      return;
    }
    const floor = Math.floor((size + 2 * padding[a] - span) / stride[a]) + 1;
    const ceil = Math.ceil((size + 2 * padding[a] - span) / stride[a]) + 1;
    if (floor !== ceil) modes.add(out === floor ? 0 : 1);
  });
  if (modes.size > 1) refuse(call, "has ceilMode keeping the last window along one axis and dropping it along another (it would start in the padding), which ONNX's ceil_mode cannot say");
  return modes.has(1) ? 1 : 0;
}

function maxPool(call: LayerCall<MaxPool1d | MaxPool2d | MaxPool3d>): string {
  const { layer, b, x } = call;
  const n = axesOf(call);
  const [kernel, stride, padding, dilation] = [layer.kernelSize, layer.stride, layer.padding, layer.dilation].map((v) => perAxis(v, n));
  return b.node('MaxPool', [x.name], {
    kernel_shape: kernel, strides: stride, pads: [...padding, ...padding], dilations: dilation, ceil_mode: ceilMode(call, kernel, stride, padding, dilation),
  });
}

function avgPool(call: LayerCall<AvgPool1d | AvgPool2d | AvgPool3d>): string {
  const { layer, b, x } = call;
  const n = axesOf(call);
  const [kernel, stride, padding] = [layer.kernelSize, layer.stride, layer.padding].map((v) => perAxis(v, n));
  return b.node('AveragePool', [x.name], {
    kernel_shape: kernel, strides: stride, pads: [...padding, ...padding],
    ceil_mode: ceilMode(call, kernel, stride, padding, kernel.map(() => 1)), count_include_pad: layer.countIncludePad ? 1 : 0,
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

type Exports = ReadonlyArray<readonly [abstract new (...args: never[]) => Module, LayerExport<never>]>;

export const LAYER_EXPORTS: Exports = [
  [Dense, dense],
  [QuantizedDense, quantizedDense],
  [Conv1d, conv], [Conv2d, conv], [Conv3d, conv],
  [ConvTranspose1d, convTranspose], [ConvTranspose2d, convTranspose], [ConvTranspose3d, convTranspose],
  [MaxPool1d, maxPool], [MaxPool2d, maxPool], [MaxPool3d, maxPool],
  [AvgPool1d, avgPool], [AvgPool2d, avgPool], [AvgPool3d, avgPool],
  [AdaptiveAvgPool1d, adaptive('Average')], [AdaptiveAvgPool2d, adaptive('Average')], [AdaptiveAvgPool3d, adaptive('Average')],
  [AdaptiveMaxPool1d, adaptive('Max')], [AdaptiveMaxPool2d, adaptive('Max')], [AdaptiveMaxPool3d, adaptive('Max')],
];
