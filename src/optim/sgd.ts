// Stochastic gradient descent with momentum, Nesterov momentum and weight
// decay (TMNN's L2 regularisation: λ·w added to the gradient).
import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { Optimizer } from './optimizer.js';

export interface SGDOptions {
  lr?: number;
  momentum?: number;
  nesterov?: boolean;
  weightDecay?: number;
}

export class SGD extends Optimizer {
  readonly momentum: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;

  constructor(params: Tensor[], options: SGDOptions = {}) {
    super(params, options.lr ?? 0.01);
    this.momentum = options.momentum ?? 0;
    this.nesterov = options.nesterov ?? false;
    this.weightDecay = options.weightDecay ?? 0;
    if (this.nesterov && this.momentum <= 0) throw new ValueError('SGD: nesterov needs a positive momentum');
  }

  protected update(p: Tensor, grad: Tensor, state: Record<string, Tensor>): Tensor {
    const g = this.weightDecay ? grad.add(p.mul(this.weightDecay)) : grad;
    if (!this.momentum) return p.sub(g.mul(this.lr));
    const v = this.setState(state, 'velocity', state.velocity ? state.velocity.mul(this.momentum).add(g) : g.reshape(g.shape));
    const direction = this.nesterov ? g.add(v.mul(this.momentum)) : v;
    return p.sub(direction.mul(this.lr));
  }
}
