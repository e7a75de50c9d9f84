// Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms"):
// every weight moves by exactly lr a step, in the direction of the sign of an
// interpolation of its momentum and gradient; a rate 3–10× smaller than
// AdamW's, and a weight decay as much larger, give the same effective decay.
//   p −= lr·λ·p (decoupled weight decay);  c = β1·m + (1 − β1)·g
//   p −= lr·sign(c);  m = β2·m + (1 − β2)·g
import type { Tensor } from '../tensor.js';
import { checkOptions, type OptionNames } from '../options.js';
import { hyperparameter, inF32, Optimizer } from './optimizer.js';

export interface LionOptions {
  /** Default 1e-4. */
  lr?: number;
  /** The interpolation of momentum and gradient whose sign is the step. Default 0.9. */
  beta1?: number;
  /** The momentum's decay. Default 0.99. */
  beta2?: number;
  /** Decoupled: each step multiplies the weights by 1 − lr·weightDecay. Default 0. */
  weightDecay?: number;
}

const OPTIONS: OptionNames<LionOptions> = { lr: true, beta1: true, beta2: true, weightDecay: true };

export class Lion extends Optimizer {
  protected readonly bufferNames = ['m'];
  readonly beta1: number;
  readonly beta2: number;
  readonly weightDecay: number;

  constructor(params: Tensor[], options: LionOptions = {}) {
    options = checkOptions('Lion', options, OPTIONS);
    super(params, options.lr ?? 1e-4, 'Lion');
    this.beta1 = hyperparameter('Lion', 'beta1', options.beta1 ?? 0.9, 0, 1);
    this.beta2 = hyperparameter('Lion', 'beta2', options.beta2 ?? 0.99, 0, 1);
    this.weightDecay = hyperparameter('Lion', 'weightDecay', options.weightDecay ?? 0, 0);
  }

  protected update(param: Tensor, gradient: Tensor, state: Record<string, Tensor>): Tensor {
    return inF32(param, gradient, (p, grad) => {
      const [b1, b2] = [this.beta1, this.beta2];
      const decayed = this.weightDecay ? p.mul(1 - this.lr * this.weightDecay) : p;
      const direction = state.m ? state.m.mul(b1).add(grad.mul(1 - b1)) : grad.mul(1 - b1);
      this.setState(state, 'm', state.m ? state.m.mul(b2).add(grad.mul(1 - b2)) : grad.mul(1 - b2));
      return decayed.sub(direction.sign().mul(this.lr));
    });
  }
}
