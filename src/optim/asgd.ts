// ASGD: averaged stochastic gradient descent (Polyak & Juditsky 1992; Bottou
// 2012's schedule, PyTorch's torch.optim.ASGD, the same in 1.13 and 2.x): SGD
// with a decaying rate, and a running average of the iterates from step t0
// on, the average being the answer (it converges at the optimal rate where
// the last iterate rattles around the minimum).
//   g = grad + weightDecay·p;  p = p·(1 − λ·η) − η·g
//   ax = μ = 1 ? p : ax + μ·(p − ax)
//   then η = lr / (1 + λ·lr·t)^α,  μ = 1 / max(1, t − t0),
// η starting at lr and μ at 1, t counting the steps that updated this
// parameter. The average (kept in f32 for an f16 weight) is read through
// averages, copyTo() and withAverages(), as EMA's and SWA's are.
import type { Tensor } from '../tensor.js';
import { checkOptions, type OptionNames } from '../options.js';
import { writeAverages, withAveragesWritten } from './averaging.js';
import { hyperparameter, inF32, Optimizer } from './optimizer.js';

export interface ASGDOptions {
  /** Default 0.01. */
  lr?: number;
  /** The rate's decay λ, and the weight shrink λ·η each step. Default 1e-4. */
  lambd?: number;
  /** The power of the rate's decay. Default 0.75. */
  alpha?: number;
  /** The step after which averaging starts (before it the average is the last iterate). Default 1e6. */
  t0?: number;
  /** L2 penalty added to the gradient. Default 0. */
  weightDecay?: number;
}

const OPTIONS: OptionNames<ASGDOptions> = { lr: true, lambd: true, alpha: true, t0: true, weightDecay: true };

export class ASGD extends Optimizer {
  protected readonly bufferNames = ['ax'];
  protected override readonly valueNames = ['eta', 'mu'];
  readonly lambd: number;
  readonly alpha: number;
  readonly t0: number;
  readonly weightDecay: number;
  /** Each parameter's current rate η and averaging weight μ (PyTorch's state['eta'] and state['mu']). */
  private readonly schedule = new WeakMap<Tensor, { eta: number; mu: number }>();

  constructor(params: Tensor[], options: ASGDOptions = {}) {
    options = checkOptions('ASGD', options, OPTIONS);
    super(params, options.lr ?? 0.01, 'ASGD');
    this.lambd = hyperparameter('ASGD', 'lambd', options.lambd ?? 1e-4, 0);
    this.alpha = hyperparameter('ASGD', 'alpha', options.alpha ?? 0.75, 0);
    this.t0 = hyperparameter('ASGD', 't0', options.t0 ?? 1e6, 0);
    this.weightDecay = hyperparameter('ASGD', 'weightDecay', options.weightDecay ?? 0, 0);
  }

  protected update(param: Tensor, gradient: Tensor, state: Record<string, Tensor>): Tensor {
    const t = this.updatesOf(param);
    const { eta, mu } = this.schedule.get(param) ?? { eta: this.lr, mu: 1 };
    this.schedule.set(param, { eta: this.lr / (1 + this.lambd * this.lr * t) ** this.alpha, mu: 1 / Math.max(1, t - this.t0) });
    return inF32(param, gradient, (p, grad) => {
      const g = this.weightDecay ? grad.add(p.mul(this.weightDecay)) : grad;
      const next = p.mul(1 - this.lambd * eta).sub(g.mul(eta));
      this.setState(state, 'ax', mu === 1 || !state.ax ? next.clone() : state.ax.add(next.sub(state.ax).mul(mu)));
      return next;
    });
  }

  protected override valuesOf(param: Tensor): Record<string, number> {
    return { ...this.schedule.get(param)! };
  }

  protected override restoreValues(param: Tensor, values: Record<string, number> | null): void {
    if (values) this.schedule.set(param, { eta: values.eta, mu: values.mu });
    else this.schedule.delete(param);
  }

  /**
   * The averaged parameters, f32 for an f16 one, in the order of the
   * parameters given; a parameter not updated yet is its own average (the
   * parameter itself: do not dispose it).
   */
  get averages(): readonly Tensor[] {
    return this.params.map((p) => this.stateOf(p).ax ?? p);
  }

  /** Writes the averages into the parameters for good (to save or deploy the averaged model). */
  copyTo(): void {
    writeAverages(this.params, this.params.map((p) => this.stateOf(p).ax ?? null));
  }

  /**
   * Runs `fn` with the averages in the parameters' place (evaluate or save
   * the averaged model), and puts the parameters' own values back after,
   * whether fn returns, resolves or throws.
   */
  withAverages<T>(fn: () => T | Promise<T>): Promise<T> {
    return withAveragesWritten(this.params, this.params.map((p) => this.stateOf(p).ax ?? null), fn);
  }
}
