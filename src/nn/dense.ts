// Dense: y = activation(x · W + b), W of shape [inputs, units]. linear is
// PyTorch's F.linear, its weight laid out [units, inputs] as PyTorch's.
import { tidy } from '../engine.js';
import { zeros } from '../ops/index.js';
import { ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { checkSeed } from '../random.js';
import { checkOptions, type OptionNames } from '../options.js';
import type { Tensor } from '../tensor.js';
import { ACTIVATIONS, RECTIFIERS, activate, type ActivationName } from './activations.js';
import { INITIALIZERS, initWeight, type Initializer } from './init.js';
import { Module, type LayerConfig } from './module.js';

/**
 * x·weightᵀ + bias (PyTorch's F.linear): weight [out, in] as PyTorch lays
 * it out (Dense's is [in, out]), used without a copy; bias [out] optional;
 * x [..., in] gives [..., out].
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  if (weight.rank !== 2 || x.rank === 0 || x.shape[x.rank - 1] !== weight.shape[1]) {
    throw new ShapeError(`linear: x ${formatShape(x.shape)} must end in weight ${formatShape(weight.shape)}'s inputs (weight is [out, in])`);
  }
  if (bias && (bias.rank !== 1 || bias.shape[0] !== weight.shape[0])) throw new ShapeError(`linear: bias ${formatShape(bias.shape)} must be [${weight.shape[0]}], one per output`);
  return tidy(() => {
    const y = x.matmul(weight, { transposeB: true });
    return bias ? y.add(bias) : y;
  });
}

export interface DenseOptions {
  activation?: ActivationName;
  /** Default true. */
  bias?: boolean;
  /** Default: He for relu-family activations, Xavier for the rest. */
  init?: Initializer;
  /** Seed for the initial weights (see also tm.setSeed). */
  seed?: number;
}

const DENSE_OPTIONS: OptionNames<DenseOptions> = { activation: true, bias: 'boolean', init: true, seed: true };

/**
 * A fully connected layer, x·W + b with W [inputs, units]: PyTorch's
 * nn.Linear (tm.nn.Linear is this class under PyTorch's name), whose weight
 * is W's transpose, [out, in] (loadPytorch transposes it).
 */
export class Dense extends Module {
  readonly activation: ActivationName;
  weight: Tensor;
  bias: Tensor | null;

  constructor(readonly inputs: number, readonly units: number, options: DenseOptions = {}) {
    super();
    for (const [name, v] of [['inputs', inputs], ['units', units]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new ValueError(`Dense: ${name} must be a positive integer, got ${v}`);
    }
    options = checkOptions('Dense', options, DENSE_OPTIONS);
    if (options.init !== undefined && !INITIALIZERS.includes(options.init)) {
      throw new ValueError(`Dense: unknown init ${formatValue(options.init)}; expected one of ${INITIALIZERS.join(', ')}`);
    }
    if (options.seed !== undefined) checkSeed('Dense', options.seed);
    this.activation = options.activation ?? 'linear';
    if (!ACTIVATIONS.includes(this.activation)) {
      throw new ValueError(`Dense: unknown activation ${JSON.stringify(this.activation)}; expected one of ${ACTIVATIONS.join(', ')}`);
    }
    const rectifier = RECTIFIERS.includes(this.activation);
    this.weight = initWeight(options.init ?? (rectifier ? 'he' : 'xavier'), inputs, units, options.seed);
    this.weight.requiresGrad = true;
    this.bias = options.bias === false ? null : zeros([units]);
    if (this.bias) this.bias.requiresGrad = true;
  }

  /**
   * activation(x·W + b). An f16 input (mixed precision) computes in f16 with
   * f16 copies of the f32 parameters; the cast passes gradients back to them.
   */
  forward(x: Tensor): Tensor {
    return tidy(() => {
      const z = x.matmul(this.inPrecisionOf(x, this.weight));
      return activate(this.activation, this.bias ? z.add(this.inPrecisionOf(x, this.bias)) : z);
    });
  }

  override ownParameters(): Record<string, Tensor> {
    return this.bias ? { weight: this.weight, bias: this.bias } : { weight: this.weight };
  }

  config(): LayerConfig {
    return { type: 'Dense', inputs: this.inputs, units: this.units, activation: this.activation, bias: this.bias !== null };
  }
}
