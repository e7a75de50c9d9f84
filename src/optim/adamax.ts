// Adamax (Kingma & Ba, §7; PyTorch's formulas): Adam with the second moment's
// L2 norm replaced by the infinity norm, a running maximum of |g|, which
// needs no bias correction and bounds each step by about lr.
//   g = grad + weightDecay·p;  m = β1·m + (1 − β1)·g;  u = max(β2·u, |g| + ε)
//   p −= lr / (1 − β1ᵗ) · m / u,
// t counting the steps that updated this parameter.
import type { Tensor } from '../tensor.js';
import { checkOptions, type OptionNames } from '../options.js';
import { hyperparameter, inF32, Optimizer } from './optimizer.js';

export interface AdamaxOptions {
  /** Default 2e-3. */
  lr?: number;
  /** The first moment's decay. Default 0.9. */
  beta1?: number;
  /** The running maximum's decay. Default 0.999. */
  beta2?: number;
  /** Added to |g| inside the maximum: the smallest denominator. Default 1e-8. */
  epsilon?: number;
  /** L2 penalty added to the gradient. Default 0. */
  weightDecay?: number;
}

const OPTIONS: OptionNames<AdamaxOptions> = { lr: true, beta1: true, beta2: true, epsilon: true, weightDecay: true };

export class Adamax extends Optimizer {
  protected readonly bufferNames = ['m', 'u'];
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;

  constructor(params: Tensor[], options: AdamaxOptions = {}) {
    options = checkOptions('Adamax', options, OPTIONS);
    super(params, options.lr ?? 2e-3, 'Adamax');
    this.beta1 = hyperparameter('Adamax', 'beta1', options.beta1 ?? 0.9, 0, 1, { max: true });
    this.beta2 = hyperparameter('Adamax', 'beta2', options.beta2 ?? 0.999, 0, 1, { max: true });
    // Not 0: a weight whose gradients have all been 0 would divide 0 by 0.
    this.epsilon = hyperparameter('Adamax', 'epsilon', options.epsilon ?? 1e-8, 0, Infinity, { min: true });
    this.weightDecay = hyperparameter('Adamax', 'weightDecay', options.weightDecay ?? 0, 0);
  }

  protected update(param: Tensor, gradient: Tensor, state: Record<string, Tensor>): Tensor {
    const t = this.updatesOf(param);
    return inF32(param, gradient, (p, grad) => {
      const [b1, b2] = [this.beta1, this.beta2];
      const g = this.weightDecay ? grad.add(p.mul(this.weightDecay)) : grad;
      const m = this.setState(state, 'm', state.m ? state.m.mul(b1).add(g.mul(1 - b1)) : g.mul(1 - b1));
      const floor = g.abs().add(this.epsilon);
      const u = this.setState(state, 'u', state.u ? state.u.mul(b2).maximum(floor) : floor);
      return p.sub(m.div(u).mul(this.lr / (1 - b1 ** t)));
    });
  }
}
