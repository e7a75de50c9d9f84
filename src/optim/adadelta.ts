// Adadelta (Zeiler 2012; PyTorch's formulas): the step's size is the ratio of
// two running root-mean-squares, of past steps over past gradients, so it
// carries the parameter's units and needs no tuned rate (lr scales it, 1 by default).
//   g = grad + weightDecay·p;  v = ρ·v + (1 − ρ)·g²
//   Δ = √(u + ε) / √(v + ε) · g;  u = ρ·u + (1 − ρ)·Δ²;  p −= lr·Δ
import type { Tensor } from '../tensor.js';
import { checkOptions, type OptionNames } from '../options.js';
import { hyperparameter, inF32, Optimizer } from './optimizer.js';

export interface AdadeltaOptions {
  /** What the step Δ is scaled by. Default 1. */
  lr?: number;
  /** Both running averages' decay. Default 0.9. */
  rho?: number;
  /** Inside both roots: the first steps' size is about √ε. Default 1e-6. */
  epsilon?: number;
  /** L2 penalty added to the gradient. Default 0. */
  weightDecay?: number;
}

const OPTIONS: OptionNames<AdadeltaOptions> = { lr: true, rho: true, epsilon: true, weightDecay: true };

export class Adadelta extends Optimizer {
  protected readonly bufferNames = ['squareAverage', 'deltaAverage'];
  readonly rho: number;
  readonly epsilon: number;
  readonly weightDecay: number;

  constructor(params: Tensor[], options: AdadeltaOptions = {}) {
    options = checkOptions('Adadelta', options, OPTIONS);
    super(params, options.lr ?? 1, 'Adadelta');
    this.rho = hyperparameter('Adadelta', 'rho', options.rho ?? 0.9, 0, 1);
    // Not 0: every step would be √0·g/√v = 0, and a zero gradient 0/0.
    this.epsilon = hyperparameter('Adadelta', 'epsilon', options.epsilon ?? 1e-6, 0, Infinity, { min: true });
    this.weightDecay = hyperparameter('Adadelta', 'weightDecay', options.weightDecay ?? 0, 0);
  }

  protected update(param: Tensor, gradient: Tensor, state: Record<string, Tensor>): Tensor {
    return inF32(param, gradient, (p, grad) => {
      const rho = this.rho;
      const g = this.weightDecay ? grad.add(p.mul(this.weightDecay)) : grad;
      const v = this.setState(state, 'squareAverage', state.squareAverage ? state.squareAverage.mul(rho).add(g.square().mul(1 - rho)) : g.square().mul(1 - rho));
      // Before the first step u is 0: √ε.
      const stepRoot = state.deltaAverage ? state.deltaAverage.add(this.epsilon).sqrt() : Math.sqrt(this.epsilon);
      const delta = g.mul(stepRoot).div(v.add(this.epsilon).sqrt());
      this.setState(state, 'deltaAverage', state.deltaAverage ? state.deltaAverage.mul(rho).add(delta.square().mul(1 - rho)) : delta.square().mul(1 - rho));
      return p.sub(delta.mul(this.lr));
    });
  }
}
