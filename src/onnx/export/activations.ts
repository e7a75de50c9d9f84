// The activation layers, and the activations Dense applies by name, as ONNX
// nodes: an op where ONNX has one with tmnn's definition at the export's
// opset, else the formula tmnn computes (activation_functions.ts).
import * as A from '../../nn/activations.js';
import { SELU_ALPHA, SELU_SCALE } from '../../nn/activation_functions.js';
import type { Module } from '../../nn/module.js';
import { RReLU } from '../../nn/rrelu.js';
import { channelShape, paramName, refuse, type Builder, type LayerCall, type LayerExport } from './builder.js';

/** GELU: the erf formula or the tanh approximation (ONNX's Gelu only from opset 20). */
export function gelu(b: Builder, x: string, approximate: 'none' | 'tanh'): string {
  if (b.opset >= 20) return b.node('Gelu', [x], { approximate }, 'gelu');
  const half = b.node('Mul', [x, b.scalar(0.5)]);
  let inner: string;
  if (approximate === 'none') {
    inner = b.node('Erf', [b.node('Mul', [x, b.scalar(Math.SQRT1_2)])]);
  } else {
    const cube = b.node('Mul', [b.node('Mul', [x, x]), x]);
    const sum = b.node('Add', [x, b.node('Mul', [cube, b.scalar(0.044715)])]);
    inner = b.node('Tanh', [b.node('Mul', [sum, b.scalar(Math.sqrt(2 / Math.PI))])]);
  }
  return b.node('Mul', [half, b.node('Add', [inner, b.scalar(1)])], {}, 'gelu');
}

function silu(b: Builder, x: string): string {
  return b.node('Mul', [x, b.node('Sigmoid', [x])], {}, 'silu');
}

function mish(b: Builder, x: string): string {
  if (b.opset >= 18) return b.node('Mish', [x]);
  return b.node('Mul', [x, b.node('Tanh', [b.node('Softplus', [x])])], {}, 'mish');
}

/** log(1 + e^(βx))/β; tmnn's switch to x past the threshold changes it by under e^−threshold, below f32's resolution at the default 20. */
function softplus(b: Builder, x: string, beta = 1): string {
  if (beta === 1) return b.node('Softplus', [x]);
  return b.node('Div', [b.node('Softplus', [b.node('Mul', [x, b.scalar(beta)])]), b.scalar(beta)], {}, 'softplus');
}

function clip(b: Builder, x: string, min: number, max: number): string {
  return b.node('Clip', [x, b.scalar(min), b.scalar(max)]);
}

const SELU = { alpha: { float: SELU_ALPHA }, gamma: { float: SELU_SCALE } };

/** Dense's activation by name (its 'gelu' is the tanh approximation, as activations.ts's activate). */
export function namedActivation(b: Builder, name: A.ActivationName, x: string): string {
  switch (name) {
    case 'linear': return x;
    case 'relu': return b.node('Relu', [x]);
    case 'sigmoid': return b.node('Sigmoid', [x]);
    case 'tanh': return b.node('Tanh', [x]);
    case 'softmax': return b.node('Softmax', [x], { axis: -1 });
    case 'logSoftmax': return b.node('LogSoftmax', [x], { axis: -1 });
    case 'leakyRelu': return b.node('LeakyRelu', [x], { alpha: { float: 0.01 } });
    case 'gelu': return gelu(b, x, 'tanh');
    case 'silu': return silu(b, x);
    case 'elu': return b.node('Elu', [x], { alpha: { float: 1 } });
    case 'selu': return b.node('Selu', [x], SELU);
    case 'softplus': return softplus(b, x);
    case 'softsign': return b.node('Softsign', [x]);
    case 'mish': return mish(b, x);
    case 'hardswish': return b.node('HardSwish', [x]);
    case 'hardsigmoid': return b.node('HardSigmoid', [x], { alpha: { float: 1 / 6 }, beta: { float: 0.5 } });
  }
}

function prelu({ layer, x, b, path }: LayerCall<A.PReLU>): string {
  // One slope broadcasts as [1]; one per channel as [C, 1, …] against x's axis 1.
  const shape = layer.numParameters === 1 ? [1] : channelShape(layer.numParameters, x.shape.length);
  return b.node('PRelu', [x.name, b.param(paramName({ path }, 'weight'), layer.weight, shape)]);
}

/** The first half of x along the axis times σ of the second: two Slices, so the axis's size must not follow a symbolic input size. */
function glu(call: LayerCall<A.GLU>): string {
  const { layer, b, x } = call;
  const axis = layer.axis < 0 ? layer.axis + x.shape.length : layer.axis;
  const size = x.shape[axis];
  if (size === null) refuse(call, `splits axis ${layer.axis}, whose size follows a symbolic input size`);
  const half = size / 2;
  const part = (from: number, to: number) => b.node('Slice', [x.name, b.ints('starts', [from]), b.ints('ends', [to]), b.ints('axes', [axis])]);
  return b.node('Mul', [part(0, half), b.node('Sigmoid', [part(half, size)])], {}, 'glu');
}

type Exports = ReadonlyArray<readonly [abstract new (...args: never[]) => Module, LayerExport<never>]>;

/** The activation layers' exporters, by class. */
export const ACTIVATION_EXPORTS: Exports = [
  [A.ReLU, ({ b, x }: LayerCall) => b.node('Relu', [x.name])],
  [A.Sigmoid, ({ b, x }: LayerCall) => b.node('Sigmoid', [x.name])],
  [A.Tanh, ({ b, x }: LayerCall) => b.node('Tanh', [x.name])],
  [A.GELU, ({ b, x, layer }: LayerCall<A.GELU>) => gelu(b, x.name, layer.approximate)],
  [A.Softmax, ({ b, x, layer }: LayerCall<A.Softmax>) => b.node('Softmax', [x.name], { axis: layer.axis })],
  [A.LogSoftmax, ({ b, x, layer }: LayerCall<A.LogSoftmax>) => b.node('LogSoftmax', [x.name], { axis: layer.axis })],
  [A.Softmax2d, ({ b, x }: LayerCall) => b.node('Softmax', [x.name], { axis: -3 })],
  [A.Softmin, ({ b, x, layer }: LayerCall<A.Softmin>) => b.node('Softmax', [b.node('Neg', [x.name])], { axis: layer.axis })],
  [A.LeakyReLU, ({ b, x, layer }: LayerCall<A.LeakyReLU>) => b.node('LeakyRelu', [x.name], { alpha: { float: layer.alpha } })],
  // Eval mode's: the mean slope.
  [RReLU, ({ b, x, layer }: LayerCall<RReLU>) => b.node('LeakyRelu', [x.name], { alpha: { float: (layer.lower + layer.upper) / 2 } })],
  [A.ELU, ({ b, x, layer }: LayerCall<A.ELU>) => b.node('Elu', [x.name], { alpha: { float: layer.alpha } })],
  [A.SELU, ({ b, x }: LayerCall) => b.node('Selu', [x.name], SELU)],
  [A.CELU, ({ b, x, layer }: LayerCall<A.CELU>) => b.node('Celu', [x.name], { alpha: { float: layer.alpha } })],
  [A.SiLU, ({ b, x }: LayerCall) => silu(b, x.name)],
  [A.Softplus, ({ b, x, layer }: LayerCall<A.Softplus>) => softplus(b, x.name, layer.beta)],
  [A.Softsign, ({ b, x }: LayerCall) => b.node('Softsign', [x.name])],
  [A.Mish, ({ b, x }: LayerCall) => mish(b, x.name)],
  [A.Hardswish, ({ b, x }: LayerCall) => b.node('HardSwish', [x.name])],
  [A.Hardsigmoid, ({ b, x }: LayerCall) => b.node('HardSigmoid', [x.name], { alpha: { float: 1 / 6 }, beta: { float: 0.5 } })],
  [A.ReLU6, ({ b, x }: LayerCall) => clip(b, x.name, 0, 6)],
  [A.Hardtanh, ({ b, x, layer }: LayerCall<A.Hardtanh>) => clip(b, x.name, layer.minVal, layer.maxVal)],
  [A.PReLU, prelu],
  // log σ(x) = −softplus(−x)
  [A.LogSigmoid, ({ b, x }: LayerCall) => b.node('Neg', [b.node('Softplus', [b.node('Neg', [x.name])])])],
  [A.Tanhshrink, ({ b, x }: LayerCall) => b.node('Sub', [x.name, b.node('Tanh', [x.name])])],
  // Shrink zeroes [−lambd, lambd] (its ends included, as tmnn's) and moves the rest toward 0 by bias.
  [A.Hardshrink, ({ b, x, layer }: LayerCall<A.Hardshrink>) => b.node('Shrink', [x.name], { lambd: { float: layer.lambd }, bias: { float: 0 } })],
  [A.Softshrink, ({ b, x, layer }: LayerCall<A.Softshrink>) => b.node('Shrink', [x.name], { lambd: { float: layer.lambd }, bias: { float: layer.lambd } })],
  [A.GLU, glu],
  [A.Threshold, ({ b, x, layer }: LayerCall<A.Threshold>) => b.node('Where', [b.node('Greater', [x.name, b.scalar(layer.threshold)]), x.name, b.scalar(layer.value)])],
];
