// RAdam (Liu et al. 2020, "On the Variance of the Adaptive Learning Rate and
// Beyond"; PyTorch's formulas): Adam whose adaptive step is rectified by how
// well its first few squared gradients estimate their variance: while the
// estimate's degrees of freedom ρₜ are 5 or fewer it takes plain momentum
// steps, a warm-up derived rather than tuned.
//   decoupledWeightDecay: p −= lr·λ·p;  else g = grad + λ·p
//   m = β1·m + (1 − β1)·g;  v = β2·v + (1 − β2)·g²;  m̂ = m / (1 − β1ᵗ)
//   ρ∞ = 2/(1 − β2) − 1;  ρₜ = ρ∞ − 2t·β2ᵗ/(1 − β2ᵗ)
//   ρₜ > 5: r = √((ρₜ − 4)(ρₜ − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρₜ)),  p −= lr·r·m̂·√(1 − β2ᵗ)/(√v + ε)
//   else:   p −= lr·m̂,
// t counting the steps that updated this parameter.
import type { Tensor } from '../tensor.js';
import { checkOptions, type OptionNames } from '../options.js';
import { hyperparameter, inF32, Optimizer } from './optimizer.js';

export interface RAdamOptions {
  /** Default 1e-3. */
  lr?: number;
  /** The first moment's decay. Default 0.9. */
  beta1?: number;
  /** The second moment's decay, which sets how long the momentum-only warm-up lasts. Default 0.999. */
  beta2?: number;
  /** Default 1e-8. */
  epsilon?: number;
  /** L2 penalty added to the gradient, or with decoupledWeightDecay AdamW's decay. Default 0. */
  weightDecay?: number;
  /** Decay the weights by lr·weightDecay·p a step, as AdamW, rather than add weightDecay·p to the gradient. Default false. */
  decoupledWeightDecay?: boolean;
}

const OPTIONS: OptionNames<RAdamOptions> = { lr: true, beta1: true, beta2: true, epsilon: true, weightDecay: true, decoupledWeightDecay: 'boolean' };

export class RAdam extends Optimizer {
  protected readonly bufferNames = ['m', 'v'];
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
  readonly decoupledWeightDecay: boolean;

  constructor(params: Tensor[], options: RAdamOptions = {}) {
    options = checkOptions('RAdam', options, OPTIONS);
    super(params, options.lr ?? 1e-3, 'RAdam');
    this.beta1 = hyperparameter('RAdam', 'beta1', options.beta1 ?? 0.9, 0, 1, { max: true });
    this.beta2 = hyperparameter('RAdam', 'beta2', options.beta2 ?? 0.999, 0, 1, { max: true });
    this.epsilon = hyperparameter('RAdam', 'epsilon', options.epsilon ?? 1e-8, 0, Infinity, { min: true });
    this.weightDecay = hyperparameter('RAdam', 'weightDecay', options.weightDecay ?? 0, 0);
    this.decoupledWeightDecay = options.decoupledWeightDecay ?? false;
  }

  protected update(param: Tensor, gradient: Tensor, state: Record<string, Tensor>): Tensor {
    const t = this.updatesOf(param);
    return inF32(param, gradient, (p, grad) => {
      const [b1, b2, lr] = [this.beta1, this.beta2, this.lr];
      const decoupled = this.decoupledWeightDecay && this.weightDecay;
      const start = decoupled ? p.mul(1 - lr * this.weightDecay) : p;
      const g = this.weightDecay && !decoupled ? grad.add(p.mul(this.weightDecay)) : grad;
      const m = this.setState(state, 'm', state.m ? state.m.mul(b1).add(g.mul(1 - b1)) : g.mul(1 - b1));
      const v = this.setState(state, 'v', state.v ? state.v.mul(b2).add(g.square().mul(1 - b2)) : g.square().mul(1 - b2));
      const correction1 = 1 - b1 ** t;
      const correction2 = 1 - b2 ** t;
      const rhoInf = 2 / (1 - b2) - 1;
      const rho = rhoInf - (2 * t * b2 ** t) / correction2;
      if (!(rho > 5)) return start.sub(m.mul(lr / correction1));
      const rectification = Math.sqrt(((rho - 4) * (rho - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rho));
      return start.sub(m.div(v.sqrt().add(this.epsilon)).mul((lr * rectification * Math.sqrt(correction2)) / correction1));
    });
  }
}
