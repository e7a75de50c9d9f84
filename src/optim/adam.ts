// Adam (Kingma & Ba) with bias correction, and AdamW, whose weight decay is
// decoupled from the gradient (Loshchilov & Hutter): Adam's L2 term is scaled
// by the adaptive step, AdamW's is not.
import type { Tensor } from '../tensor.js';
import { adamStep } from '../ops/adam.js';
import { zerosLike } from '../ops/index.js';
import { checkOptions, type OptionNames } from '../options.js';
import { hyperparameter, Optimizer } from './optimizer.js';

export interface AdamOptions {
  lr?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Adam: L2 added to the gradient. AdamW: decoupled decay. */
  weightDecay?: number;
}

const ADAM_OPTIONS: OptionNames<AdamOptions> = { lr: true, beta1: true, beta2: true, epsilon: true, weightDecay: true };

export class Adam extends Optimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
  protected readonly decoupled: boolean = false;

  constructor(params: Tensor[], options: AdamOptions = {}, name = 'Adam') {
    options = checkOptions(name, options, ADAM_OPTIONS);
    super(params, options.lr ?? 1e-3, name);
    this.beta1 = hyperparameter(name, 'beta1', options.beta1 ?? 0.9, 0, 1, { max: true });
    this.beta2 = hyperparameter(name, 'beta2', options.beta2 ?? 0.999, 0, 1, { max: true });
    this.epsilon = hyperparameter(name, 'epsilon', options.epsilon ?? 1e-8, 0, Infinity, { min: true });
    this.weightDecay = hyperparameter(name, 'weightDecay', options.weightDecay ?? 0, 0);
  }

  protected update(p: Tensor, grad: Tensor, state: Record<string, Tensor>): Tensor {
    // Bias correction folded into the step size: lr·√(1−β2ᵗ)/(1−β1ᵗ).
    const t = this.steps;
    const next = adamStep(p, grad, state.m ?? zerosLike(grad), state.v ?? zerosLike(grad), {
      beta1: this.beta1,
      beta2: this.beta2,
      stepSize: (this.lr * Math.sqrt(1 - this.beta2 ** t)) / (1 - this.beta1 ** t),
      epsilonHat: this.epsilon * Math.sqrt(1 - this.beta2 ** t),
      l2: this.decoupled ? 0 : this.weightDecay,
      decay: this.decoupled ? 1 - this.lr * this.weightDecay : 1,
    });
    this.setState(state, 'm', next.m);
    this.setState(state, 'v', next.v);
    return next.p;
  }
}

export class AdamW extends Adam {
  protected override readonly decoupled = true;

  constructor(params: Tensor[], options: AdamOptions = {}) {
    super(params, { weightDecay: 0.01, ...checkOptions('AdamW', options, ADAM_OPTIONS) }, 'AdamW');
  }
}
