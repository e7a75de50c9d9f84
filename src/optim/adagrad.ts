// Adagrad (Duchi et al.; PyTorch's formulas): each weight's step divided by
// the root of the sum of all its squared gradients so far, so rarely
// updated weights (an embedding's rare words) keep large steps.
//   g = grad + weightDecay·p;  s = s + g²;  p −= lr / (1 + (t − 1)·lrDecay) · g / (√s + ε),
// t counting the steps that updated this parameter.
import type { Tensor } from '../tensor.js';
import { fill } from '../ops/index.js';
import { checkOptions, type OptionNames } from '../options.js';
import { hyperparameter, Optimizer } from './optimizer.js';

export interface AdagradOptions {
  /** Default 0.01. */
  lr?: number;
  /** The rate at step t is lr / (1 + (t − 1)·lrDecay). Default 0. */
  lrDecay?: number;
  /** L2 penalty added to the gradient. Default 0. */
  weightDecay?: number;
  /** The sum's start. Default 0. */
  initialAccumulatorValue?: number;
  /** Default 1e-10. */
  epsilon?: number;
}

const OPTIONS: OptionNames<AdagradOptions> = { lr: true, lrDecay: true, weightDecay: true, initialAccumulatorValue: true, epsilon: true };

export class Adagrad extends Optimizer {
  protected readonly bufferNames = ['sum'];
  readonly lrDecay: number;
  readonly weightDecay: number;
  readonly initialAccumulatorValue: number;
  readonly epsilon: number;

  constructor(params: Tensor[], options: AdagradOptions = {}) {
    options = checkOptions('Adagrad', options, OPTIONS);
    super(params, options.lr ?? 0.01, 'Adagrad');
    this.lrDecay = hyperparameter('Adagrad', 'lrDecay', options.lrDecay ?? 0, 0);
    this.weightDecay = hyperparameter('Adagrad', 'weightDecay', options.weightDecay ?? 0, 0);
    this.initialAccumulatorValue = hyperparameter('Adagrad', 'initialAccumulatorValue', options.initialAccumulatorValue ?? 0, 0);
    this.epsilon = hyperparameter('Adagrad', 'epsilon', options.epsilon ?? 1e-10, 0);
  }

  protected update(p: Tensor, grad: Tensor, state: Record<string, Tensor>): Tensor {
    const g = this.weightDecay ? grad.add(p.mul(this.weightDecay)) : grad;
    const before = state.sum ?? fill(p.shape, this.initialAccumulatorValue, { dtype: p.dtype });
    const sum = this.setState(state, 'sum', before.add(g.square()));
    // Each parameter's own count: one that had no gradient for a step is not decayed for it.
    const t = this.updatesOf(p);
    const rate = this.lr / (1 + (t - 1) * this.lrDecay);
    return p.sub(g.div(sum.sqrt().add(this.epsilon)).mul(rate));
  }
}
