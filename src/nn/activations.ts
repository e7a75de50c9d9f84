// Activation layers, and the activation functions Dense applies by name
// (the functions themselves: activation_functions.ts).
import { ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor.js';
import { checkOptions } from '../options.js';
import {
  celu, elu, finiteArgument, gelu, glu, hardshrink, hardsigmoid, hardswish, hardtanh, leakyRelu, logSigmoid, mish, prelu, relu6, selu, silu, softmin, softplus,
  softshrink, softsign, tanhshrink, threshold,
  type GeluApproximation, type SoftplusOptions,
} from './activation_functions.js';
import { Module, refuseArguments, type LayerConfig } from './module.js';

export type ActivationName =
  | 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'softmax' | 'leakyRelu' | 'gelu'
  | 'silu' | 'elu' | 'selu' | 'softplus' | 'softsign' | 'mish' | 'hardswish' | 'hardsigmoid' | 'logSoftmax';

/** Every name Dense takes. */
export const ACTIVATIONS: readonly ActivationName[] = [
  'linear', 'relu', 'sigmoid', 'tanh', 'softmax', 'leakyRelu', 'gelu', 'silu', 'elu', 'selu', 'softplus', 'softsign', 'mish', 'hardswish', 'hardsigmoid', 'logSoftmax',
];

/** The activations He initialisation suits (zero or near zero for x < 0), for Dense's default init. */
export const RECTIFIERS: readonly ActivationName[] = ['relu', 'leakyRelu', 'gelu', 'silu', 'elu', 'mish', 'hardswish'];

export function activate(name: ActivationName, x: Tensor): Tensor {
  switch (name) {
    case 'linear': return x;
    case 'relu': return ops.relu(x);
    case 'sigmoid': return ops.sigmoid(x);
    case 'tanh': return ops.tanh(x);
    case 'softmax': return ops.softmax(x, -1);
    case 'logSoftmax': return ops.logSoftmax(x, -1);
    case 'leakyRelu': return leakyRelu(x);
    // The tanh approximation, as Dense's 'gelu' has always been (models saved with it keep their outputs).
    case 'gelu': return gelu(x, 'tanh');
    case 'silu': return silu(x);
    case 'elu': return elu(x);
    case 'selu': return selu(x);
    case 'softplus': return softplus(x);
    case 'softsign': return softsign(x);
    case 'mish': return mish(x);
    case 'hardswish': return hardswish(x);
    case 'hardsigmoid': return hardsigmoid(x);
  }
}

/** A layer that applies one activation function and has no settings. */
abstract class PlainActivation extends Module {
  constructor(private readonly type: string, none: readonly unknown[]) {
    super();
    refuseArguments(type, none);
  }
  config(): LayerConfig { return { type: this.type }; }
}

export class ReLU extends PlainActivation {
  constructor(...none: []) { super('ReLU', none); }
  forward(x: Tensor): Tensor { return ops.relu(x); }
}

export class Sigmoid extends PlainActivation {
  constructor(...none: []) { super('Sigmoid', none); }
  forward(x: Tensor): Tensor { return ops.sigmoid(x); }
}

export class Tanh extends PlainActivation {
  constructor(...none: []) { super('Tanh', none); }
  forward(x: Tensor): Tensor { return ops.tanh(x); }
}

/** x·σ(x) (swish). */
export class SiLU extends PlainActivation {
  constructor(...none: []) { super('SiLU', none); }
  forward(x: Tensor): Tensor { return silu(x); }
}

/** scale·ELU(x, alpha) with the self-normalising constants of Klambauer et al. (2017). */
export class SELU extends PlainActivation {
  constructor(...none: []) { super('SELU', none); }
  forward(x: Tensor): Tensor { return selu(x); }
}

/** x·tanh(softplus(x)). */
export class Mish extends PlainActivation {
  constructor(...none: []) { super('Mish', none); }
  forward(x: Tensor): Tensor { return mish(x); }
}

/** x·relu6(x + 3)/6. */
export class Hardswish extends PlainActivation {
  constructor(...none: []) { super('Hardswish', none); }
  forward(x: Tensor): Tensor { return hardswish(x); }
}

/** relu6(x + 3)/6. */
export class Hardsigmoid extends PlainActivation {
  constructor(...none: []) { super('Hardsigmoid', none); }
  forward(x: Tensor): Tensor { return hardsigmoid(x); }
}

/** min(max(0, x), 6). */
export class ReLU6 extends PlainActivation {
  constructor(...none: []) { super('ReLU6', none); }
  forward(x: Tensor): Tensor { return relu6(x); }
}

/** x/(1 + |x|). */
export class Softsign extends PlainActivation {
  constructor(...none: []) { super('Softsign', none); }
  forward(x: Tensor): Tensor { return softsign(x); }
}

/** log σ(x). */
export class LogSigmoid extends PlainActivation {
  constructor(...none: []) { super('LogSigmoid', none); }
  forward(x: Tensor): Tensor { return logSigmoid(x); }
}

export class Softmax extends Module {
  constructor(readonly axis = -1) {
    super();
    // Checked here, where a model file's layer is built, not at its first predict.
    if (!Number.isInteger(axis)) throw new ValueError(`Softmax: axis must be an integer, got ${formatValue(axis)}`);
  }
  forward(x: Tensor): Tensor { return ops.softmax(x, this.axis); }
  config(): LayerConfig { return { type: 'Softmax', axis: this.axis }; }
}

export class LeakyReLU extends Module {
  constructor(readonly alpha = 0.01) {
    super();
    // NaN made every output NaN; a string failed inside mul at the first forward.
    if (typeof alpha !== 'number' || !Number.isFinite(alpha)) throw new ValueError(`LeakyReLU: alpha must be a finite number, got ${formatValue(alpha)}`);
  }
  forward(x: Tensor): Tensor { return leakyRelu(x, this.alpha); }
  config(): LayerConfig { return { type: 'LeakyReLU', alpha: this.alpha }; }
}

export interface GELUOptions {
  /** 'none' (default, PyTorch's): exact, through erf; 'tanh': the tanh approximation. */
  approximate?: GeluApproximation;
}

export class GELU extends Module {
  readonly approximate: GeluApproximation;

  constructor(options: GELUOptions = {}, ...none: []) {
    super();
    refuseArguments('GELU', none);
    const { approximate = 'none' } = checkOptions('GELU', options, { approximate: true });
    if (approximate !== 'none' && approximate !== 'tanh') throw new ValueError(`GELU: approximate must be 'none' or 'tanh', got ${formatValue(approximate)}`);
    this.approximate = approximate;
  }
  forward(x: Tensor): Tensor { return gelu(x, this.approximate); }
  config(): LayerConfig { return { type: 'GELU', approximate: this.approximate }; }
}

/** log softmax along `axis` (default the last), as a layer: pair it with the nll-style losses that take log-probabilities. */
/** Softmax over the channels of images [N, C, H, W] or [C, H, W] at each pixel, as PyTorch's nn.Softmax2d. */
export class Softmax2d extends PlainActivation {
  constructor(...none: []) { super('Softmax2d', none); }
  forward(x: Tensor): Tensor {
    if (x.rank !== 3 && x.rank !== 4) throw new ShapeError(`Softmax2d: x must be [batch, channels, height, width] or [channels, height, width], got ${formatShape(x.shape)}`);
    return ops.softmax(x, -3);
  }
}

export class LogSoftmax extends Module {
  constructor(readonly axis = -1) {
    super();
    if (!Number.isInteger(axis)) throw new ValueError(`LogSoftmax: axis must be an integer, got ${formatValue(axis)}`);
  }
  forward(x: Tensor): Tensor { return ops.logSoftmax(x, this.axis); }
  config(): LayerConfig { return { type: 'LogSoftmax', axis: this.axis }; }
}

/** x for x > 0, alpha·(eˣ − 1) elsewhere. */
export class ELU extends Module {
  constructor(readonly alpha = 1) {
    super();
    finiteArgument('ELU', 'alpha', alpha);
  }
  forward(x: Tensor): Tensor { return elu(x, this.alpha); }
  config(): LayerConfig { return { type: 'ELU', alpha: this.alpha }; }
}

/** max(0, x) + min(0, alpha·(e^(x/alpha) − 1)). */
export class CELU extends Module {
  constructor(readonly alpha = 1) {
    super();
    if (finiteArgument('CELU', 'alpha', alpha) === 0) throw new ValueError('CELU: alpha must not be 0');
  }
  forward(x: Tensor): Tensor { return celu(x, this.alpha); }
  config(): LayerConfig { return { type: 'CELU', alpha: this.alpha }; }
}

/** log(1 + e^(βx))/β, linear where βx > threshold. */
export class Softplus extends Module {
  readonly beta: number;
  readonly threshold: number;

  constructor(options: SoftplusOptions = {}, ...none: []) {
    super();
    refuseArguments('Softplus', none);
    const { beta = 1, threshold = 20 } = checkOptions('Softplus', options, { beta: true, threshold: true });
    if (finiteArgument('Softplus', 'beta', beta) === 0) throw new ValueError('Softplus: beta must not be 0');
    this.beta = beta;
    this.threshold = finiteArgument('Softplus', 'threshold', threshold);
  }
  forward(x: Tensor): Tensor { return softplus(x, { beta: this.beta, threshold: this.threshold }); }
  config(): LayerConfig { return { type: 'Softplus', beta: this.beta, threshold: this.threshold }; }
}

export interface HardtanhOptions {
  /** Default −1. */
  minVal?: number;
  /** Default 1. */
  maxVal?: number;
}

/** x clamped to [minVal, maxVal] (gradient 0 at the ends, as PyTorch's). */
export class Hardtanh extends Module {
  readonly minVal: number;
  readonly maxVal: number;

  constructor(options: HardtanhOptions = {}, ...none: []) {
    super();
    refuseArguments('Hardtanh', none);
    const { minVal = -1, maxVal = 1 } = checkOptions('Hardtanh', options, { minVal: true, maxVal: true });
    finiteArgument('Hardtanh', 'minVal', minVal);
    finiteArgument('Hardtanh', 'maxVal', maxVal);
    if (!(minVal < maxVal)) throw new ValueError(`Hardtanh: minVal ${minVal} must be below maxVal ${maxVal}`);
    this.minVal = minVal;
    this.maxVal = maxVal;
  }
  forward(x: Tensor): Tensor { return hardtanh(x, this.minVal, this.maxVal); }
  config(): LayerConfig { return { type: 'Hardtanh', minVal: this.minVal, maxVal: this.maxVal }; }
}

export interface PReLUOptions {
  /** 1 (default): one slope for every value; or the number of channels (axis 1 of the input), a slope each. */
  numParameters?: number;
  /** The slopes' starting value (default 0.25). */
  init?: number;
}

/** x for x > 0, a·x elsewhere, the slope a learned (one, or one per channel). */
export class PReLU extends Module {
  readonly numParameters: number;
  weight: Tensor;

  constructor(options: PReLUOptions = {}, ...none: []) {
    super();
    refuseArguments('PReLU', none);
    const { numParameters = 1, init = 0.25 } = checkOptions('PReLU', options, { numParameters: true, init: true });
    if (!Number.isSafeInteger(numParameters) || numParameters < 1) throw new ValueError(`PReLU: numParameters must be a positive integer, got ${formatValue(numParameters)}`);
    this.numParameters = numParameters;
    this.weight = ops.fill([numParameters], finiteArgument('PReLU', 'init', init));
    this.weight.requiresGrad = true;
  }
  forward(x: Tensor): Tensor { return prelu(x, this.inPrecisionOf(x, this.weight)); }
  override ownParameters(): Record<string, Tensor> { return { weight: this.weight }; }
  config(): LayerConfig { return { type: 'PReLU', numParameters: this.numParameters }; }
}

/** The first half of x along `axis` times σ of the second. */
export class GLU extends Module {
  constructor(readonly axis = -1) {
    super();
    if (!Number.isInteger(axis)) throw new ValueError(`GLU: axis must be an integer, got ${formatValue(axis)}`);
  }
  forward(x: Tensor): Tensor { return glu(x, this.axis); }
  config(): LayerConfig { return { type: 'GLU', axis: this.axis }; }
}

/** softmax of −x along `axis` (default the last), as PyTorch's nn.Softmin. */
export class Softmin extends Module {
  constructor(readonly axis = -1) {
    super();
    if (!Number.isInteger(axis)) throw new ValueError(`Softmin: axis must be an integer, got ${formatValue(axis)}`);
  }
  forward(x: Tensor): Tensor { return softmin(x, this.axis); }
  config(): LayerConfig { return { type: 'Softmin', axis: this.axis }; }
}

/** 0 on [−lambd, lambd], x elsewhere (gradient 0 at ±lambd, as PyTorch's). */
export class Hardshrink extends Module {
  constructor(readonly lambd = 0.5) {
    super();
    finiteArgument('Hardshrink', 'lambd', lambd);
  }
  forward(x: Tensor): Tensor { return hardshrink(x, this.lambd); }
  config(): LayerConfig { return { type: 'Hardshrink', lambd: this.lambd }; }
}

/** x moved lambd towards 0, and 0 on [−lambd, lambd] (gradient 0 at ±lambd, as PyTorch's); lambd ≥ 0. */
export class Softshrink extends Module {
  constructor(readonly lambd = 0.5) {
    super();
    if (finiteArgument('Softshrink', 'lambd', lambd) < 0) throw new ValueError(`Softshrink: lambd must be ≥ 0, got ${lambd}`);
  }
  forward(x: Tensor): Tensor { return softshrink(x, this.lambd); }
  config(): LayerConfig { return { type: 'Softshrink', lambd: this.lambd }; }
}

/** x − tanh(x). */
export class Tanhshrink extends PlainActivation {
  constructor(...none: []) { super('Tanhshrink', none); }
  forward(x: Tensor): Tensor { return tanhshrink(x); }
}

/** x where x > threshold, value elsewhere (gradient 0 at the threshold, as PyTorch's). */
export class Threshold extends Module {
  constructor(readonly threshold: number, readonly value: number, ...none: []) {
    super();
    refuseArguments('Threshold', none);
    finiteArgument('Threshold', 'threshold', threshold);
    finiteArgument('Threshold', 'value', value);
  }
  forward(x: Tensor): Tensor { return threshold(x, this.threshold, this.value); }
  config(): LayerConfig { return { type: 'Threshold', threshold: this.threshold, value: this.value }; }
}
