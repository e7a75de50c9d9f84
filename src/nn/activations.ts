// Activation layers, and the activation functions Dense applies by name.
import { tidy } from '../engine.js';
import { ValueError, formatValue } from '../errors.js';
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor.js';
import { checkOptions } from '../options.js';
import { Module, refuseArguments, type LayerConfig } from './module.js';

export type ActivationName = 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'softmax' | 'leakyRelu' | 'gelu';

/** x where x > 0, alpha·x elsewhere (any alpha: max(x, alpha·x) is that only for alpha ≤ 1), with PyTorch's gradient alpha at 0. */
export function leakyRelu(x: Tensor, alpha = 0.01): Tensor {
  return tidy(() => ops.where(ops.greater(x, 0), x, ops.mul(x, alpha)));
}

/** How GELU is computed: 'none' exactly, x·Φ(x) through erf (PyTorch's default); 'tanh' by its tanh approximation (GPT-2's). */
export type GeluApproximation = 'none' | 'tanh';

/** GELU, x·Φ(x) with Φ the standard normal's distribution function: exact by default, as PyTorch's F.gelu. */
export function gelu(x: Tensor, approximate: GeluApproximation = 'none'): Tensor {
  if (approximate !== 'none' && approximate !== 'tanh') throw new ValueError(`gelu: approximate must be 'none' or 'tanh', got ${formatValue(approximate)}`);
  return tidy(() => {
    if (approximate === 'none') return ops.mul(ops.mul(x, 0.5), ops.add(ops.erf(ops.mul(x, Math.SQRT1_2)), 1));
    const inner = ops.mul(ops.add(x, ops.mul(ops.mul(ops.mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI));
    return ops.mul(ops.mul(x, 0.5), ops.add(ops.tanh(inner), 1));
  });
}

export function activate(name: ActivationName, x: Tensor): Tensor {
  switch (name) {
    case 'linear': return x;
    case 'relu': return ops.relu(x);
    case 'sigmoid': return ops.sigmoid(x);
    case 'tanh': return ops.tanh(x);
    case 'softmax': return ops.softmax(x, -1);
    case 'leakyRelu': return leakyRelu(x);
    // The tanh approximation, as Dense's 'gelu' has always been (models saved with it keep their outputs).
    case 'gelu': return gelu(x, 'tanh');
  }
}

export class ReLU extends Module {
  constructor(...none: []) {
    super();
    refuseArguments('ReLU', none);
  }
  forward(x: Tensor): Tensor { return ops.relu(x); }
  config(): LayerConfig { return { type: 'ReLU' }; }
}

export class Sigmoid extends Module {
  constructor(...none: []) {
    super();
    refuseArguments('Sigmoid', none);
  }
  forward(x: Tensor): Tensor { return ops.sigmoid(x); }
  config(): LayerConfig { return { type: 'Sigmoid' }; }
}

export class Tanh extends Module {
  constructor(...none: []) {
    super();
    refuseArguments('Tanh', none);
  }
  forward(x: Tensor): Tensor { return ops.tanh(x); }
  config(): LayerConfig { return { type: 'Tanh' }; }
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
