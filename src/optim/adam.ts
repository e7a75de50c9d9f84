// Adam (Kingma & Ba) with bias correction, and AdamW, whose weight decay is
// decoupled from the gradient (Loshchilov & Hutter): Adam's L2 term is scaled
// by the adaptive step, AdamW's is not.
import type { Tensor } from '../tensor.js';
import { Optimizer } from './optimizer.js';

export interface AdamOptions {
  lr?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Adam: L2 added to the gradient. AdamW: decoupled decay. */
  weightDecay?: number;
}

export class Adam extends Optimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
  protected readonly decoupled: boolean = false;

  constructor(params: Tensor[], options: AdamOptions = {}) {
    super(params, options.lr ?? 1e-3);
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
  }

  protected update(p: Tensor, grad: Tensor, state: Record<string, Tensor>): Tensor {
    const g = this.weightDecay && !this.decoupled ? grad.add(p.mul(this.weightDecay)) : grad;
    const m = this.setState(state, 'm', state.m ? state.m.mul(this.beta1).add(g.mul(1 - this.beta1)) : g.mul(1 - this.beta1));
    const v = this.setState(state, 'v', state.v ? state.v.mul(this.beta2).add(g.square().mul(1 - this.beta2)) : g.square().mul(1 - this.beta2));
    // Bias correction folded into the step size: lr·√(1−β2ᵗ)/(1−β1ᵗ).
    const t = this.steps;
    const stepSize = (this.lr * Math.sqrt(1 - this.beta2 ** t)) / (1 - this.beta1 ** t);
    const epsilonHat = this.epsilon * Math.sqrt(1 - this.beta2 ** t);
    const base = this.weightDecay && this.decoupled ? p.mul(1 - this.lr * this.weightDecay) : p;
    return base.sub(m.div(v.sqrt().add(epsilonHat)).mul(stepSize));
  }
}

export class AdamW extends Adam {
  protected override readonly decoupled = true;

  constructor(params: Tensor[], options: AdamOptions = {}) {
    super(params, { weightDecay: 0.01, ...options });
  }
}
