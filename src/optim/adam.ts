// Adam (Kingma & Ba) with bias correction, and AdamW, whose weight decay is
// decoupled from the gradient (Loshchilov & Hutter): Adam's L2 term is scaled
// by the adaptive step, AdamW's is not.
import type { Tensor } from '../tensor.js';
import { adamStep } from '../ops/adam.js';
import { zeros } from '../ops/index.js';
import { onBackendOf } from '../ops/util.js';
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
  protected readonly bufferNames = ['m', 'v'];
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
    // An f16 parameter's moments and step are f32: in f16, (1−β2)·g² and ε̂
    // flush to 0 (its smallest subnormal is 6e-8), and the first step divided by 0.
    const f32 = (x: Tensor) => (x.dtype === 'f32' ? x : x.cast('f32'));
    const fresh = () => onBackendOf(this.name, p, () => zeros(p.shape));
    const next = adamStep(f32(p), f32(grad), state.m ?? fresh(), state.v ?? fresh(), {
      beta1: this.beta1,
      beta2: this.beta2,
      stepSize: (this.lr * Math.sqrt(1 - this.beta2 ** t)) / (1 - this.beta1 ** t),
      epsilonHat: this.epsilon * Math.sqrt(1 - this.beta2 ** t),
      l2: this.decoupled ? 0 : this.weightDecay,
      decay: this.decoupled ? 1 - this.lr * this.weightDecay : 1,
    });
    this.setState(state, 'm', next.m);
    this.setState(state, 'v', next.v);
    return next.p.dtype === p.dtype ? next.p : next.p.cast(p.dtype);
  }
}

export class AdamW extends Adam {
  protected override readonly decoupled = true;

  constructor(params: Tensor[], options: AdamOptions = {}) {
    super(params, { weightDecay: 0.01, ...checkOptions('AdamW', options, ADAM_OPTIONS) }, 'AdamW');
  }
}
