// NAdam (Dozat 2016; PyTorch's formulas): Adam with Nesterov momentum, the
// step taken from where the momentum is about to carry the weights, and a
// momentum coefficient μₜ that warms up from β1/2 toward β1.
//   decoupledWeightDecay: p −= lr·λ·p;  else g = grad + λ·p
//   μₜ = β1·(1 − ½·0.96^(t·ψ)), ψ the momentumDecay;  Πₜ = μ1·…·μₜ
//   m = β1·m + (1 − β1)·g;  v = β2·v + (1 − β2)·g²;  d = √(v / (1 − β2ᵗ)) + ε
//   p −= lr·(1 − μₜ)/(1 − Πₜ) · g/d + lr·μₜ₊₁/(1 − Πₜ·μₜ₊₁) · m/d,
// t counting the steps that updated this parameter.
import type { Tensor } from '../tensor.js';
import { checkOptions, type OptionNames } from '../options.js';
import { hyperparameter, inF32, Optimizer } from './optimizer.js';

export interface NAdamOptions {
  /** Default 2e-3. */
  lr?: number;
  /** The first moment's decay, and μₜ's limit. Default 0.9. */
  beta1?: number;
  /** The second moment's decay. Default 0.999. */
  beta2?: number;
  /** Default 1e-8. */
  epsilon?: number;
  /** L2 penalty added to the gradient, or with decoupledWeightDecay AdamW's decay. Default 0. */
  weightDecay?: number;
  /** ψ in μₜ = β1·(1 − ½·0.96^(t·ψ)): how fast the momentum warms up. Default 4e-3. */
  momentumDecay?: number;
  /** Decay the weights by lr·weightDecay·p a step, as AdamW, rather than add weightDecay·p to the gradient. Default false. */
  decoupledWeightDecay?: boolean;
}

const OPTIONS: OptionNames<NAdamOptions> = {
  lr: true, beta1: true, beta2: true, epsilon: true, weightDecay: true, momentumDecay: true, decoupledWeightDecay: 'boolean',
};

export class NAdam extends Optimizer {
  protected readonly bufferNames = ['m', 'v'];
  protected override readonly valueNames = ['muProduct'];
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
  readonly momentumDecay: number;
  readonly decoupledWeightDecay: boolean;
  /** Each parameter's Πₜ, the product of its μ so far. */
  private readonly muProducts = new WeakMap<Tensor, number>();

  constructor(params: Tensor[], options: NAdamOptions = {}) {
    options = checkOptions('NAdam', options, OPTIONS);
    super(params, options.lr ?? 2e-3, 'NAdam');
    this.beta1 = hyperparameter('NAdam', 'beta1', options.beta1 ?? 0.9, 0, 1, { max: true });
    this.beta2 = hyperparameter('NAdam', 'beta2', options.beta2 ?? 0.999, 0, 1, { max: true });
    this.epsilon = hyperparameter('NAdam', 'epsilon', options.epsilon ?? 1e-8, 0, Infinity, { min: true });
    this.weightDecay = hyperparameter('NAdam', 'weightDecay', options.weightDecay ?? 0, 0);
    this.momentumDecay = hyperparameter('NAdam', 'momentumDecay', options.momentumDecay ?? 4e-3, 0);
    this.decoupledWeightDecay = options.decoupledWeightDecay ?? false;
  }

  protected override valuesOf(param: Tensor): Record<string, number> {
    return { muProduct: this.muProducts.get(param)! };
  }

  protected override restoreValues(param: Tensor, values: Record<string, number> | null): void {
    if (values) this.muProducts.set(param, values.muProduct);
    else this.muProducts.delete(param);
  }

  protected update(param: Tensor, gradient: Tensor, state: Record<string, Tensor>): Tensor {
    const t = this.updatesOf(param);
    const [b1, b2, lr] = [this.beta1, this.beta2, this.lr];
    const mu = b1 * (1 - 0.5 * 0.96 ** (t * this.momentumDecay));
    const muNext = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * this.momentumDecay));
    const product = (this.muProducts.get(param) ?? 1) * mu;
    this.muProducts.set(param, product);
    return inF32(param, gradient, (p, grad) => {
      const decoupled = this.decoupledWeightDecay && this.weightDecay;
      const start = decoupled ? p.mul(1 - lr * this.weightDecay) : p;
      const g = this.weightDecay && !decoupled ? grad.add(p.mul(this.weightDecay)) : grad;
      const m = this.setState(state, 'm', state.m ? state.m.mul(b1).add(g.mul(1 - b1)) : g.mul(1 - b1));
      const v = this.setState(state, 'v', state.v ? state.v.mul(b2).add(g.square().mul(1 - b2)) : g.square().mul(1 - b2));
      const d = v.div(1 - b2 ** t).sqrt().add(this.epsilon);
      const step = g.mul((lr * (1 - mu)) / (1 - product)).add(m.mul((lr * muNext) / (1 - product * muNext)));
      return start.sub(step.div(d));
    });
  }
}
