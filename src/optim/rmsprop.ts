// RMSprop (Hinton's; PyTorch's formulas): each weight's step divided by a
// running root-mean-square of its gradients, so steep and flat directions
// move alike; the classic choice for recurrent networks.
//   g = grad + weightDecay·p;  v = α·v + (1 − α)·g²
//   centered: m = α·m + (1 − α)·g, and the denominator is √(v − m²) + ε, else √v + ε
//   momentum: b = momentum·b + g/denominator, p −= lr·b;  else p −= lr·g/denominator
import type { Tensor } from '../tensor.js';
import { checkOptions, type OptionNames } from '../options.js';
import { hyperparameter, Optimizer } from './optimizer.js';

export interface RMSpropOptions {
  /** Default 0.01. */
  lr?: number;
  /** The running average's decay. Default 0.99. */
  alpha?: number;
  /** Default 1e-8. */
  epsilon?: number;
  /** Default 0. */
  momentum?: number;
  /** Divide by the gradients' running variance rather than their mean square. Default false. */
  centered?: boolean;
  /** L2 penalty added to the gradient. Default 0. */
  weightDecay?: number;
}

const OPTIONS: OptionNames<RMSpropOptions> = { lr: true, alpha: true, epsilon: true, momentum: true, centered: 'boolean', weightDecay: true };

export class RMSprop extends Optimizer {
  protected readonly bufferNames = ['squareAverage', 'gradAverage', 'momentumBuffer'];
  readonly alpha: number;
  readonly epsilon: number;
  readonly momentum: number;
  readonly centered: boolean;
  readonly weightDecay: number;

  constructor(params: Tensor[], options: RMSpropOptions = {}) {
    options = checkOptions('RMSprop', options, OPTIONS);
    super(params, options.lr ?? 0.01, 'RMSprop');
    this.alpha = hyperparameter('RMSprop', 'alpha', options.alpha ?? 0.99, 0, 1);
    this.epsilon = hyperparameter('RMSprop', 'epsilon', options.epsilon ?? 1e-8, 0);
    this.momentum = hyperparameter('RMSprop', 'momentum', options.momentum ?? 0, 0, 1, { max: true });
    this.centered = options.centered ?? false;
    this.weightDecay = hyperparameter('RMSprop', 'weightDecay', options.weightDecay ?? 0, 0);
  }

  protected update(p: Tensor, grad: Tensor, state: Record<string, Tensor>): Tensor {
    const a = this.alpha;
    const g = this.weightDecay ? grad.add(p.mul(this.weightDecay)) : grad;
    const square = this.setState(state, 'squareAverage', state.squareAverage ? state.squareAverage.mul(a).add(g.square().mul(1 - a)) : g.square().mul(1 - a));
    let variance = square;
    if (this.centered) {
      const mean = this.setState(state, 'gradAverage', state.gradAverage ? state.gradAverage.mul(a).add(g.mul(1 - a)) : g.mul(1 - a));
      variance = square.sub(mean.square());
    }
    const scaled = g.div(variance.sqrt().add(this.epsilon));
    if (!this.momentum) return p.sub(scaled.mul(this.lr));
    const buffer = this.setState(state, 'momentumBuffer', state.momentumBuffer ? state.momentumBuffer.mul(this.momentum).add(scaled) : scaled);
    return p.sub(buffer.mul(this.lr));
  }
}
