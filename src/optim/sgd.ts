// Stochastic gradient descent with momentum, Nesterov momentum and weight
// decay (TMNN's L2 regularisation: λ·w added to the gradient).
import { ValueError } from '../errors.js';
import { sgdStep } from '../ops/sgd.js';
import type { Tensor } from '../tensor.js';
import { checkOptions, type OptionNames } from '../options.js';
import { hyperparameter, Optimizer } from './optimizer.js';

export interface SGDOptions {
  lr?: number;
  momentum?: number;
  nesterov?: boolean;
  weightDecay?: number;
}

const SGD_OPTIONS: OptionNames<SGDOptions> = { lr: true, momentum: true, nesterov: 'boolean', weightDecay: true };

export class SGD extends Optimizer {
  protected readonly bufferNames = ['velocity'];
  readonly momentum: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;

  constructor(params: Tensor[], options: SGDOptions = {}) {
    options = checkOptions('SGD', options, SGD_OPTIONS);
    super(params, options.lr ?? 0.01, 'SGD');
    this.momentum = hyperparameter('SGD', 'momentum', options.momentum ?? 0, 0, 1, { max: true });
    this.nesterov = options.nesterov ?? false;
    this.weightDecay = hyperparameter('SGD', 'weightDecay', options.weightDecay ?? 0, 0);
    if (this.nesterov && this.momentum <= 0) throw new ValueError('SGD: nesterov needs a positive momentum');
  }

  protected update(p: Tensor, grad: Tensor, state: Record<string, Tensor>): Tensor {
    const next = sgdStep(p, grad, this.momentum ? state.velocity ?? null : null, {
      lr: this.lr,
      momentum: this.momentum,
      nesterov: this.nesterov,
      weightDecay: this.weightDecay,
    });
    if (next.velocity) this.setState(state, 'velocity', next.velocity);
    return next.p;
  }
}
